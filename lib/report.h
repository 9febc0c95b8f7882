/* report.h: the figures a shop steers by (crm-report).
 *
 * Every report counts valid orders only (status ok: cancelled and returned
 * orders are left out) and counts each merged customer once, as the
 * surviving customer (orders.customer_id follows merges; deliveries are
 * resolved through customers.merged_into).  The precise definitions are in
 * crm-report(1); this header names them in short.
 *
 * A report is a table of text cells, ready for lib/output.h or for a chart
 * (crm_report_chart).  Empty cells are figures that do not exist (a rate
 * over nobody, a cohort month still in the future). */
#ifndef CRM_REPORT_H
#define CRM_REPORT_H

#include <stddef.h>
#include <stdio.h>
#include <sqlite3.h>

#include "date.h"
#include "err.h"
#include "output.h"
#include "svg.h"

struct crm_report_opts {
	const char *shop;            /* only this shop's orders; NULL: all */
	char from[CRM_DATE_LEN];     /* window, inclusive; "" when open */
	char to[CRM_DATE_LEN];
	char today[CRM_DATE_LEN];    /* the end date when to is open */
};

enum crm_report_by {
	CRM_REPORT_BY_NONE,
	CRM_REPORT_BY_MONTH,
	CRM_REPORT_BY_SHOP,
	CRM_REPORT_BY_PRODUCT,
	CRM_REPORT_BY_COHORT,
};
/* "month", "shop", "product", "cohort"; -1 when unknown. */
int crm_report_by_parse(const char *s);

struct crm_table {
	struct crm_out_col *cols;
	size_t ncols;
	char **cells;                /* nrows * ncols, row-major, NULL empty */
	size_t nrows, caprows;

	/* crm_table_stream: rows go out one at a time, none kept. */
	FILE *sfp;
	enum crm_out_fmt sfmt;
	struct crm_out *out;
	size_t nout;
	int sfail;
};
void crm_table_release(struct crm_table *t);
/* Write the rows of the report about to run to fp as they come instead
 * of keeping them (a list of a million customers), before running it;
 * then crm_table_stream_end instead of crm_table_write.  No chart. */
void crm_table_stream(struct crm_table *t, FILE *fp, enum crm_out_fmt fmt);
int crm_table_stream_end(struct crm_table *t, struct crm_err *err);
/* Rows so far, kept or streamed. */
size_t crm_table_count(const struct crm_table *t);
const char *crm_table_cell(const struct crm_table *t, size_t row, size_t col);
/* The table through lib/output.h (ids, csv, tsv, json, table). */
int crm_table_write(const struct crm_table *t, FILE *fp, enum crm_out_fmt fmt,
    struct crm_err *err);

/* repeat: per group (month, shop, product, or the window as one row):
 * customers, new, repeat, repeat_rate, orders, sales, new_sales,
 * repeat_sales, repeat_share. */
int crm_report_repeat(sqlite3 *db, const struct crm_report_opts *o,
    enum crm_report_by by, struct crm_table *t, struct crm_err *err);

/* cohort: first-order month, its size, and m0..mN: the share of the
 * cohort that ordered again in the k-th month after (k = 0: the same
 * month).  months is N (1..120). */
int crm_report_cohort(sqlite3 *db, const struct crm_report_opts *o,
    int months, struct crm_table *t, struct crm_err *err);

/* rfm: with customers == 0 one row per group (crm_report_rfm_groups
 * order); else one row per customer, only of group if group != NULL. */
int crm_report_rfm(sqlite3 *db, const struct crm_report_opts *o, int customers,
    const char *group, struct crm_table *t, struct crm_err *err);
/* The group names, NULL-terminated, in report order. */
extern const char *const crm_report_rfm_groups[];
int crm_report_rfm_group_ok(const char *name);

/* ltv: per group (cohort, shop, or one row): customers, orders, revenue,
 * ltv, aov, avg_orders, ltv_90d, ltv_180d, ltv_365d. */
int crm_report_ltv(sqlite3 *db, const struct crm_report_opts *o,
    enum crm_report_by by, struct crm_table *t, struct crm_err *err);

/* interval: rows first-second and later: pairs, median_days, mean_days and
 * the count in each bucket of days. */
int crm_report_interval(sqlite3 *db, const struct crm_report_opts *o,
    struct crm_table *t, struct crm_err *err);

/* campaign: rows mailed and comparable, window days before and after the
 * day of the campaign's first sent message.  EX_DATAERR when there is no
 * such campaign or it sent nothing. */
int crm_report_campaign(sqlite3 *db, const struct crm_report_opts *o,
    const char *name, int days, struct crm_table *t, struct crm_err *err);

/* A chart of a table: one category per row (labelled by column labelcol),
 * one series per listed column; or, transposed, one category per listed
 * column and one series per row (cohort curves). */
struct crm_report_series {
	size_t col;
	const char *name;            /* NULL: the column's name */
};
struct crm_report_chart {
	enum crm_chart_kind kind;
	enum crm_chart_unit unit;
	const char *title, *xlabel, *ylabel;
	size_t labelcol;
	const struct crm_report_series *series;
	size_t nseries;
	int transpose;
	size_t maxrows;              /* transposed: only the last maxrows rows; 0 all */
};
int crm_report_chart(const struct crm_table *t, const struct crm_report_chart *spec,
    FILE *fp, struct crm_err *err);

#endif
