/* report.c: the queries behind crm-report.
 *
 * Every report starts from the same set, "o": the valid orders (status
 * ok) of the chosen shop, up to the end date, each numbered within its
 * customer's history (n = 1 is the first order).  The history is never
 * cut at --from: a customer whose first order is older than the window is
 * a repeat customer inside it.  With a shop scope (--shop, --by shop) the
 * history is that shop's alone, so that a row of --by shop reads the same
 * as --shop.  SQL text is assembled from fixed fragments only; every value
 * is a bound parameter. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "report.h"
#include "util.h"
#include "banned.h"

/* ---- tables ------------------------------------------------------------ */

static void
table_init(struct crm_table *t, const struct crm_out_col *cols, size_t n)
{
	FILE *sfp = t->sfp;
	enum crm_out_fmt sfmt = t->sfmt;

	memset(t, 0, sizeof *t);
	t->sfp = sfp;
	t->sfmt = sfmt;
	t->cols = crm_xcalloc(n ? n : 1, sizeof *t->cols);
	t->ncols = n;
	for (size_t i = 0; i < n; i++) {
		t->cols[i].name = crm_xstrdup(cols[i].name);
		t->cols[i].numeric = cols[i].numeric;
	}
}

void
crm_table_release(struct crm_table *t)
{
	if (t == NULL)
		return;
	for (size_t i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	for (size_t i = 0; i < t->ncols; i++)
		free((char *)t->cols[i].name);
	free(t->cells);
	free(t->cols);
	if (t->out != NULL)
		crm_out_close(t->out, &(struct crm_err){ 0 });
	memset(t, 0, sizeof *t);
}

void
crm_table_stream(struct crm_table *t, FILE *fp, enum crm_out_fmt fmt)
{
	t->sfp = fp;
	t->sfmt = fmt;
}

/* Write the row held (there is at most one) and forget it. */
static void
table_flush(struct crm_table *t)
{
	if (t->out == NULL)
		t->out = crm_out_open(t->sfp, t->sfmt, t->cols, t->ncols);
	for (size_t r = 0; r < t->nrows; r++)
		if (!t->sfail && crm_out_row(t->out,
		    (const char *const *)(t->cells + r * t->ncols)) < 0)
			t->sfail = 1;
	for (size_t i = 0; i < t->nrows * t->ncols; i++) {
		free(t->cells[i]);
		t->cells[i] = NULL;
	}
	t->nout += t->nrows;
	t->nrows = 0;
}

int
crm_table_stream_end(struct crm_table *t, struct crm_err *err)
{
	int rc;

	table_flush(t);
	rc = crm_out_close(t->out, err);
	t->out = NULL;
	if (rc == 0 && t->sfail)
		rc = crm_err_set(err, EX_IOERR, "write error");
	return rc;
}

size_t
crm_table_count(const struct crm_table *t)
{
	return t->nrows + t->nout;
}

const char *
crm_table_cell(const struct crm_table *t, size_t row, size_t col)
{
	if (row >= t->nrows || col >= t->ncols)
		return NULL;
	return t->cells[row * t->ncols + col];
}

/* A new row of empty cells. */
static char **
table_row(struct crm_table *t)
{
	char **row;

	if (t->sfp != NULL && t->nrows > 0)
		table_flush(t);
	if (t->nrows == t->caprows) {
		t->caprows = t->caprows ? t->caprows * 2 : 32;
		t->cells = crm_xreallocarray(t->cells, t->caprows,
		    (t->ncols ? t->ncols : 1) * sizeof *t->cells);
	}
	row = t->cells + t->nrows++ * t->ncols;
	for (size_t i = 0; i < t->ncols; i++)
		row[i] = NULL;
	return row;
}

int
crm_table_write(const struct crm_table *t, FILE *fp, enum crm_out_fmt fmt,
    struct crm_err *err)
{
	struct crm_out *out = crm_out_open(fp, fmt, t->cols, t->ncols);

	for (size_t r = 0; r < t->nrows; r++)
		if (crm_out_row(out, (const char *const *)(t->cells + r * t->ncols)) < 0)
			break;
	return crm_out_close(out, err);
}

static void
cell_text(char **c, const char *s)
{
	free(*c);
	*c = s ? crm_xstrdup(s) : NULL;
}

static void
cell_int(char **c, long long v)
{
	char buf[32];

	snprintf(buf, sizeof buf, "%lld", v);
	cell_text(c, buf);
}

/* A share or rate: four decimals; empty over nobody. */
static void
cell_ratio(char **c, double num, double den)
{
	char buf[64];

	if (den == 0) {
		cell_text(c, NULL);
		return;
	}
	snprintf(buf, sizeof buf, "%.4f", num / den);
	cell_text(c, buf);
}

/* Yen per something, rounded half away from zero; empty over nothing. */
static void
cell_yen(char **c, double num, double den)
{
	if (den == 0) {
		cell_text(c, NULL);
		return;
	}
	cell_int(c, llround(num / den));
}

static void
cell_days(char **c, double v)
{
	char buf[64];

	snprintf(buf, sizeof buf, "%.1f", v);
	cell_text(c, buf);
}

/* ---- common query parts -------------------------------------------------- */

int
crm_report_by_parse(const char *s)
{
	static const char *const names[] = {
		[CRM_REPORT_BY_MONTH] = "month", [CRM_REPORT_BY_SHOP] = "shop",
		[CRM_REPORT_BY_PRODUCT] = "product", [CRM_REPORT_BY_COHORT] = "cohort",
	};

	for (size_t i = 1; s && i < sizeof names / sizeof names[0]; i++)
		if (strcmp(s, names[i]) == 0)
			return (int)i;
	return -1;
}

static const char *
end_date(const struct crm_report_opts *o)
{
	return o->to[0] ? o->to : o->today;
}

/* The valid orders numbered per customer (per customer and shop when
 * by_shop).  Dates compare as text: ordered_at is "YYYY-MM-DD HH:MM:SS". */
static void
base_cte(struct crm_buf *b, int by_shop)
{
	crm_buf_addf(b, "WITH RECURSIVE o AS (SELECT o.id AS id, o.customer_id AS cid,"
	    " o.shop_id AS sid, s.name AS shop, substr(o.ordered_at, 1, 10) AS d,"
	    " o.total AS total, row_number() OVER (PARTITION BY o.customer_id%s"
	    " ORDER BY o.ordered_at, o.id) AS n"
	    " FROM orders o JOIN shops s ON s.id = o.shop_id"
	    " WHERE o.status = 'ok' AND (:shop IS NULL OR s.name = :shop)"
	    " AND substr(o.ordered_at, 1, 10) <= :end)",
	    by_shop ? ", o.shop_id" : "");
}

static void
bind_name(sqlite3_stmt *st, const char *name, const char *val)
{
	int i = sqlite3_bind_parameter_index(st, name);

	if (i > 0)
		crm_db_bind_text_null(st, i, val);
}

static int
prepare(sqlite3 *db, const char *sql, const struct crm_report_opts *o,
    const char *end, sqlite3_stmt **st, struct crm_err *err)
{
	if (crm_db_prepare(db, sql, st, err) < 0)
		return -1;
	bind_name(*st, ":shop", o->shop);
	bind_name(*st, ":from", o->from[0] ? o->from : "0000-01-01");
	bind_name(*st, ":to", o->to[0] ? o->to : "9999-12-31");
	bind_name(*st, ":end", end ? end : end_date(o));
	return 0;
}

/* prepare() over an assembled text, which it frees. */
static int
prepare_buf(sqlite3 *db, struct crm_buf *b, const struct crm_report_opts *o,
    const char *end, sqlite3_stmt **st, struct crm_err *err)
{
	int rc = prepare(db, b->s, o, end, st, err);

	crm_buf_release(b);
	return rc;
}

static int
step_fail(sqlite3 *db, sqlite3_stmt *st, struct crm_err *err)
{
	crm_db_err(db, err, "report");
	sqlite3_finalize(st);
	return -1;
}

/* "YYYY-MM" as a month number, for month arithmetic. */
static long
month_index(const char *ym)
{
	return strtol(ym, NULL, 10) * 12 + strtol(ym + 5, NULL, 10) - 1;
}

static void
month_name(long idx, char *out, size_t size)
{
	snprintf(out, size, "%04ld-%02ld", (idx / 12) % 10000, idx % 12 + 1);
}

/* The window as a label: "all", "2026-01-01..", "..2026-03-31" ... */
static void
period_label(const struct crm_report_opts *o, char *out, size_t size)
{
	if (!o->from[0] && !o->to[0])
		snprintf(out, size, "all");
	else
		snprintf(out, size, "%s..%s", o->from, o->to);
}

/* ---- repeat ------------------------------------------------------------ */

static void
repeat_row(struct crm_table *t, const char *g, long long cust, long long new,
    long long orders, long long sales, long long new_sales)
{
	char **r = table_row(t);

	cell_text(&r[0], g);
	cell_int(&r[1], cust);
	cell_int(&r[2], new);
	cell_int(&r[3], cust - new);
	cell_ratio(&r[4], (double)(cust - new), (double)cust);
	cell_int(&r[5], orders);
	cell_int(&r[6], sales);
	cell_int(&r[7], new_sales);
	cell_int(&r[8], sales - new_sales);
	cell_ratio(&r[9], (double)(sales - new_sales), (double)sales);
}

int
crm_report_repeat(sqlite3 *db, const struct crm_report_opts *o,
    enum crm_report_by by, struct crm_table *t, struct crm_err *err)
{
	struct crm_out_col cols[] = {
		{ "period", 0 }, { "customers", 1 }, { "new", 1 }, { "repeat", 1 },
		{ "repeat_rate", 1 }, { "orders", 1 }, { "sales", 1 },
		{ "new_sales", 1 }, { "repeat_sales", 1 }, { "repeat_share", 1 },
	};
	struct crm_buf b;
	sqlite3_stmt *st;
	char label[64], gap[32];
	long prev = -1, m;
	int rc;

	if (by == CRM_REPORT_BY_MONTH)
		cols[0].name = "month";
	else if (by == CRM_REPORT_BY_SHOP)
		cols[0].name = "shop";
	else if (by == CRM_REPORT_BY_PRODUCT)
		cols[0].name = "product";
	table_init(t, cols, sizeof cols / sizeof cols[0]);
	crm_buf_init(&b);
	base_cte(&b, by == CRM_REPORT_BY_SHOP);
	if (by == CRM_REPORT_BY_PRODUCT)
		/* A product's sales are its lines: quantity x unit price. */
		crm_buf_adds(&b, ", w AS (SELECT o.id AS id, o.cid AS cid, o.n AS n,"
		    " coalesce(nullif(i.product, ''), nullif(i.sku, ''), '?') AS g,"
		    " sum(i.quantity * coalesce(i.unit_price, 0)) AS total"
		    " FROM o JOIN order_items i ON i.order_id = o.id"
		    " WHERE o.d BETWEEN :from AND :to GROUP BY o.id, g)");
	else
		crm_buf_addf(&b, ", w AS (SELECT id, cid, n, %s AS g, total FROM o"
		    " WHERE d BETWEEN :from AND :to)",
		    by == CRM_REPORT_BY_MONTH ? "substr(d, 1, 7)" :
		    by == CRM_REPORT_BY_SHOP ? "shop" : "''");
	/* A customer is new in a group when their only order in it is their
	 * first: two orders in one month (or one shop, or of one product)
	 * make a repeat customer there, as the everyday 'repeat rate' has it. */
	crm_buf_addf(&b, ", c AS (SELECT g, cid, min(n = 1) AS isnew,"
	    " count(DISTINCT id) AS orders, sum(total) AS sales FROM w GROUP BY g, cid)"
	    " SELECT g, count(*), sum(isnew), sum(orders), sum(sales),"
	    " sum(CASE WHEN isnew THEN sales ELSE 0 END) FROM c GROUP BY g ORDER BY %s",
	    by == CRM_REPORT_BY_SHOP || by == CRM_REPORT_BY_PRODUCT
	    ? "sum(sales) DESC, g" : "g");
	if (prepare_buf(db, &b, o, NULL, &st, err) < 0)
		return -1;
	period_label(o, label, sizeof label);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *g = (const char *)sqlite3_column_text(st, 0);

		/* Months without orders are rows of zeros, so that a chart's
		 * time axis has no silent holes. */
		if (by == CRM_REPORT_BY_MONTH && g != NULL) {
			m = month_index(g);
			while (prev >= 0 && ++prev < m) {
				month_name(prev, gap, sizeof gap);
				repeat_row(t, gap, 0, 0, 0, 0, 0);
			}
			prev = m;
		}
		repeat_row(t, by == CRM_REPORT_BY_NONE ? label : g,
		    sqlite3_column_int64(st, 1), sqlite3_column_int64(st, 2),
		    sqlite3_column_int64(st, 3), sqlite3_column_int64(st, 4),
		    sqlite3_column_int64(st, 5));
	}
	if (rc != SQLITE_DONE)
		return step_fail(db, st, err);
	sqlite3_finalize(st);
	if (by == CRM_REPORT_BY_NONE && t->nrows == 0)
		repeat_row(t, label, 0, 0, 0, 0, 0);
	return 0;
}

/* ---- cohort ------------------------------------------------------------ */

int
crm_report_cohort(sqlite3 *db, const struct crm_report_opts *o, int months,
    struct crm_table *t, struct crm_err *err)
{
	struct crm_out_col *cols;
	struct crm_buf b;
	sqlite3_stmt *st;
	long long *count = crm_xcalloc((size_t)months + 1, sizeof *count), size = 0;
	long endm = month_index(end_date(o)), cm = 0;
	char name[16], cohort[8] = "";
	int rc, k;

	cols = crm_xcalloc((size_t)months + 3, sizeof *cols);
	cols[0].name = "cohort";
	cols[1].name = "customers";
	cols[1].numeric = 1;
	for (k = 0; k <= months; k++) {
		snprintf(name, sizeof name, "m%d", k);
		cols[k + 2].name = crm_xstrdup(name);
		cols[k + 2].numeric = 1;
	}
	table_init(t, cols, (size_t)months + 3);
	for (k = 0; k <= months; k++)
		free((char *)cols[k + 2].name);
	free(cols);

	crm_buf_init(&b);
	base_cte(&b, 0);
	/* k = -1 carries the cohort's size; k >= 0 the customers who placed a
	 * second or later order k calendar months after their first. */
	crm_buf_adds(&b, ", f AS (SELECT cid, substr(d, 1, 7) AS cohort FROM o"
	    " WHERE n = 1 AND d BETWEEN :from AND :to)"
	    " SELECT cohort, -1 AS k, count(*) FROM f GROUP BY cohort"
	    " UNION ALL SELECT f.cohort, (CAST(substr(o.d, 1, 4) AS INTEGER) * 12"
	    " + CAST(substr(o.d, 6, 2) AS INTEGER)) - (CAST(substr(f.cohort, 1, 4)"
	    " AS INTEGER) * 12 + CAST(substr(f.cohort, 6, 2) AS INTEGER)) AS k,"
	    " count(DISTINCT f.cid) FROM f JOIN o ON o.cid = f.cid AND o.n >= 2"
	    " GROUP BY f.cohort, k ORDER BY 1, 2");
	if (prepare_buf(db, &b, o, NULL, &st, err) < 0) {
		free(count);
		return -1;
	}
	for (;;) {
		const char *c = NULL;
		long long kk = 0;

		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW) {
			c = (const char *)sqlite3_column_text(st, 0);
			kk = sqlite3_column_int64(st, 1);
		}
		/* A new cohort (or the end) closes the one before. */
		if (cohort[0] && (rc != SQLITE_ROW || kk == -1)) {
			char **r = table_row(t);

			cell_text(&r[0], cohort);
			cell_int(&r[1], size);
			for (k = 0; k <= months; k++)
				if (cm + k <= endm)
					cell_ratio(&r[k + 2], (double)count[k], (double)size);
			cohort[0] = '\0';
		}
		if (rc != SQLITE_ROW)
			break;
		if (kk == -1 && c != NULL) {
			crm_strlcpy(cohort, c, sizeof cohort);
			cm = month_index(cohort);
			size = sqlite3_column_int64(st, 2);
			memset(count, 0, ((size_t)months + 1) * sizeof *count);
		} else if (kk >= 0 && kk <= months)
			count[kk] = sqlite3_column_int64(st, 2);
	}
	free(count);
	if (rc != SQLITE_DONE)
		return step_fail(db, st, err);
	sqlite3_finalize(st);
	return 0;
}

/* ---- rfm --------------------------------------------------------------- */

const char *const crm_report_rfm_groups[] = {
	"champions", "loyal", "promising", "new", "at-risk", "about-to-sleep",
	"hibernating", NULL,
};
#define NGROUPS 7

int
crm_report_rfm_group_ok(const char *name)
{
	for (size_t i = 0; crm_report_rfm_groups[i]; i++)
		if (strcmp(name, crm_report_rfm_groups[i]) == 0)
			return 1;
	return 0;
}

/* The R x F grid; M is reported but names no group (as in the usual
 * eleven-segment grids, folded to seven). */
static size_t
rfm_group(int r, int f)
{
	if (r >= 4 && f >= 4)
		return 0;            /* champions */
	if (r >= 3 && f >= 3)
		return 1;            /* loyal */
	if (r == 3)
		return 2;            /* promising */
	if (r >= 4)
		return 3;            /* new */
	if (f >= 3)
		return 4;            /* at-risk */
	if (r == 2)
		return 5;            /* about-to-sleep */
	return 6;                    /* hibernating */
}

int
crm_report_rfm(sqlite3 *db, const struct crm_report_opts *o, int customers,
    const char *group, struct crm_table *t, struct crm_err *err)
{
	static const struct crm_out_col ccols[] = {
		{ "id", 1 }, { "name", 0 }, { "last_order", 0 }, { "recency_days", 1 },
		{ "orders", 1 }, { "revenue", 1 }, { "r", 1 }, { "f", 1 }, { "m", 1 },
		{ "rfm", 0 }, { "group", 0 },
	};
	static const struct crm_out_col gcols[] = {
		{ "group", 0 }, { "customers", 1 }, { "customer_share", 1 },
		{ "revenue", 1 }, { "revenue_share", 1 }, { "avg_recency_days", 1 },
		{ "avg_orders", 1 },
	};
	long long n[NGROUPS] = { 0 }, rev[NGROUPS] = { 0 }, days[NGROUPS] = { 0 },
	    ord[NGROUPS] = { 0 }, all = 0, allrev = 0;
	struct crm_buf b;
	sqlite3_stmt *st;
	char score[8], **row;
	size_t g;
	int rc, r, f, m;

	if (customers)
		table_init(t, ccols, sizeof ccols / sizeof ccols[0]);
	else
		table_init(t, gcols, sizeof gcols / sizeof gcols[0]);
	crm_buf_init(&b);
	base_cte(&b, 0);
	/* Score = 1 + floor(5 * (customers strictly worse) / customers):
	 * ties share a score, and the best fifth scores 5. */
	crm_buf_adds(&b, ", w AS (SELECT cid, max(d) AS last, count(*) AS f,"
	    " sum(total) AS m FROM o WHERE d BETWEEN :from AND :to GROUP BY cid),"
	    " x AS (SELECT cid, last, CAST(julianday(:end) - julianday(last) AS INTEGER)"
	    " AS r, f, m FROM w)"
	    " SELECT x.cid, c.name, x.last, x.r, x.f, x.m,"
	    " 1 + 5 * (rank() OVER (ORDER BY x.r DESC) - 1) / count(*) OVER (),"
	    " 1 + 5 * (rank() OVER (ORDER BY x.f) - 1) / count(*) OVER (),"
	    " 1 + 5 * (rank() OVER (ORDER BY x.m) - 1) / count(*) OVER ()"
	    " FROM x JOIN customers c ON c.id = x.cid ORDER BY x.cid");
	if (prepare_buf(db, &b, o, NULL, &st, err) < 0)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		r = sqlite3_column_int(st, 6);
		f = sqlite3_column_int(st, 7);
		m = sqlite3_column_int(st, 8);
		g = rfm_group(r, f);
		n[g]++;
		all++;
		rev[g] += sqlite3_column_int64(st, 5);
		allrev += sqlite3_column_int64(st, 5);
		days[g] += sqlite3_column_int64(st, 3);
		ord[g] += sqlite3_column_int64(st, 4);
		if (!customers || (group && strcmp(group, crm_report_rfm_groups[g]) != 0))
			continue;
		row = table_row(t);
		for (int i = 0; i < 6; i++)
			cell_text(&row[i], (const char *)sqlite3_column_text(st, i));
		cell_int(&row[6], r);
		cell_int(&row[7], f);
		cell_int(&row[8], m);
		snprintf(score, sizeof score, "%d%d%d", r, f, m);
		cell_text(&row[9], score);
		cell_text(&row[10], crm_report_rfm_groups[g]);
	}
	if (rc != SQLITE_DONE)
		return step_fail(db, st, err);
	sqlite3_finalize(st);
	if (customers)
		return 0;
	for (g = 0; g < NGROUPS; g++) {
		char avg[64];

		row = table_row(t);
		cell_text(&row[0], crm_report_rfm_groups[g]);
		cell_int(&row[1], n[g]);
		cell_ratio(&row[2], (double)n[g], (double)all);
		cell_int(&row[3], rev[g]);
		cell_ratio(&row[4], (double)rev[g], (double)allrev);
		if (n[g] > 0) {
			cell_days(&row[5], (double)days[g] / (double)n[g]);
			snprintf(avg, sizeof avg, "%.2f", (double)ord[g] / (double)n[g]);
			cell_text(&row[6], avg);
		}
	}
	return 0;
}

/* ---- ltv --------------------------------------------------------------- */

static const int ltv_days[] = { 90, 180, 365 };

static void
ltv_row(struct crm_table *t, const char *g, long long cust, long long orders,
    long long rev, double elapsed, const long long *within)
{
	char **r = table_row(t), buf[64];

	cell_text(&r[0], g);
	cell_int(&r[1], cust);
	cell_int(&r[2], orders);
	cell_int(&r[3], rev);
	cell_yen(&r[4], (double)rev, (double)cust);
	cell_yen(&r[5], (double)rev, (double)orders);
	if (cust > 0) {
		snprintf(buf, sizeof buf, "%.2f", (double)orders / (double)cust);
		cell_text(&r[6], buf);
	}
	for (int i = 0; i < 3; i++)
		if (cust > 0 && elapsed >= ltv_days[i])
			cell_yen(&r[7 + i], (double)within[i], (double)cust);
}

int
crm_report_ltv(sqlite3 *db, const struct crm_report_opts *o,
    enum crm_report_by by, struct crm_table *t, struct crm_err *err)
{
	struct crm_out_col cols[] = {
		{ "period", 0 }, { "customers", 1 }, { "orders", 1 }, { "revenue", 1 },
		{ "ltv", 1 }, { "aov", 1 }, { "avg_orders", 1 }, { "ltv_90d", 1 },
		{ "ltv_180d", 1 }, { "ltv_365d", 1 },
	};
	struct crm_buf b;
	sqlite3_stmt *st;
	long long within[3];
	char label[64];
	int rc;

	if (by == CRM_REPORT_BY_COHORT)
		cols[0].name = "cohort";
	else if (by == CRM_REPORT_BY_SHOP)
		cols[0].name = "shop";
	table_init(t, cols, sizeof cols / sizeof cols[0]);
	crm_buf_init(&b);
	base_cte(&b, by == CRM_REPORT_BY_SHOP);
	/* Customers acquired in the window; all their orders up to the end. */
	crm_buf_addf(&b, ", f AS (SELECT cid, sid, %s AS g, d AS first FROM o"
	    " WHERE n = 1 AND d BETWEEN :from AND :to),"
	    " a AS (SELECT f.g AS g, f.cid AS cid, f.first AS first, o.d AS d,"
	    " o.total AS total FROM f JOIN o ON o.cid = f.cid%s)"
	    " SELECT g, count(DISTINCT cid), count(*), sum(total),"
	    " julianday(:end) - julianday(max(first)),"
	    " sum(CASE WHEN julianday(d) - julianday(first) < 90 THEN total ELSE 0 END),"
	    " sum(CASE WHEN julianday(d) - julianday(first) < 180 THEN total ELSE 0 END),"
	    " sum(CASE WHEN julianday(d) - julianday(first) < 365 THEN total ELSE 0 END)"
	    " FROM a GROUP BY g ORDER BY %s",
	    by == CRM_REPORT_BY_COHORT ? "substr(d, 1, 7)" :
	    by == CRM_REPORT_BY_SHOP ? "shop" : "''",
	    by == CRM_REPORT_BY_SHOP ? " AND o.sid = f.sid" : "",
	    by == CRM_REPORT_BY_SHOP ? "sum(total) DESC, g" : "g");
	if (prepare_buf(db, &b, o, NULL, &st, err) < 0)
		return -1;
	period_label(o, label, sizeof label);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		for (int i = 0; i < 3; i++)
			within[i] = sqlite3_column_int64(st, 5 + i);
		ltv_row(t, by == CRM_REPORT_BY_NONE ? label
		    : (const char *)sqlite3_column_text(st, 0),
		    sqlite3_column_int64(st, 1), sqlite3_column_int64(st, 2),
		    sqlite3_column_int64(st, 3), sqlite3_column_double(st, 4), within);
	}
	if (rc != SQLITE_DONE)
		return step_fail(db, st, err);
	sqlite3_finalize(st);
	if (by == CRM_REPORT_BY_NONE && t->nrows == 0) {
		memset(within, 0, sizeof within);
		ltv_row(t, label, 0, 0, 0, 0, within);
	}
	return 0;
}

/* ---- interval ---------------------------------------------------------- */

static const long bucket_hi[] = { 7, 14, 30, 60, 90, 180, 365, -1 };
static const char *const bucket_name[] = {
	"0-7", "8-14", "15-30", "31-60", "61-90", "91-180", "181-365", "366+",
};
#define NBUCKETS 8

static void
interval_row(struct crm_table *t, const char *kind, const long *d, size_t n)
{
	char **r = table_row(t);
	long long cnt[NBUCKETS] = { 0 }, sum = 0;
	size_t i, k;

	cell_text(&r[0], kind);
	cell_int(&r[1], (long long)n);
	for (i = 0; i < n; i++) {
		sum += d[i];
		for (k = 0; k + 1 < NBUCKETS && d[i] > bucket_hi[k]; k++)
			;
		cnt[k]++;
	}
	if (n > 0) {
		/* d is sorted: the median is the middle value, or the mean of
		 * the two middle values (as crm-segment --stats). */
		cell_days(&r[2], n % 2 ? (double)d[n / 2]
		    : ((double)d[n / 2 - 1] + (double)d[n / 2]) / 2.0);
		cell_days(&r[3], (double)sum / (double)n);
	}
	for (k = 0; k < NBUCKETS; k++)
		cell_int(&r[4 + k], cnt[k]);
}

int
crm_report_interval(sqlite3 *db, const struct crm_report_opts *o,
    struct crm_table *t, struct crm_err *err)
{
	struct crm_out_col cols[4 + NBUCKETS] = {
		{ "interval", 0 }, { "pairs", 1 }, { "median_days", 1 },
		{ "mean_days", 1 },
	};
	struct crm_buf b;
	sqlite3_stmt *st;
	long *d[2] = { NULL, NULL };
	size_t n[2] = { 0, 0 }, cap[2] = { 0, 0 }, k;
	int rc;

	for (k = 0; k < NBUCKETS; k++) {
		cols[4 + k].name = bucket_name[k];
		cols[4 + k].numeric = 1;
	}
	table_init(t, cols, 4 + NBUCKETS);
	crm_buf_init(&b);
	base_cte(&b, 0);
	/* A pair is an order and the one before it; it belongs to the window
	 * of its later order.  Days are calendar days. */
	crm_buf_adds(&b, ", p AS (SELECT n, d, CAST(julianday(d) - julianday(lag(d)"
	    " OVER (PARTITION BY cid ORDER BY n)) AS INTEGER) AS days FROM o)"
	    " SELECT n = 2, days FROM p WHERE n >= 2 AND d BETWEEN :from AND :to"
	    " ORDER BY 1 DESC, 2");
	if (prepare_buf(db, &b, o, NULL, &st, err) < 0)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		k = sqlite3_column_int(st, 0) ? 0 : 1;
		if (n[k] == cap[k]) {
			cap[k] = cap[k] ? cap[k] * 2 : 256;
			d[k] = crm_xreallocarray(d[k], cap[k], sizeof *d[k]);
		}
		d[k][n[k]++] = (long)sqlite3_column_int64(st, 1);
	}
	if (rc != SQLITE_DONE) {
		free(d[0]);
		free(d[1]);
		return step_fail(db, st, err);
	}
	sqlite3_finalize(st);
	interval_row(t, "first-second", d[0], n[0]);
	interval_row(t, "later", d[1], n[1]);
	free(d[0]);
	free(d[1]);
	return 0;
}

/* ---- campaign ---------------------------------------------------------- */

/* The campaign's id and the day its first message was sent. */
static int
campaign_day(sqlite3 *db, const char *name, int64_t *id, char day[CRM_DATE_LEN],
    struct crm_err *err)
{
	sqlite3_stmt *st;
	int rc;

	if (crm_db_prepare(db, "SELECT c.id, (SELECT substr(min(d.created_at), 1, 10)"
	    " FROM deliveries d WHERE d.campaign_id = c.id AND d.status = 'sent')"
	    " FROM campaigns c WHERE c.name = ?1", &st, err) < 0)
		return -1;
	crm_db_bind_text(st, 1, name);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		sqlite3_finalize(st);
		return crm_err_set(err, EX_DATAERR, "no campaign '%s'", name);
	}
	if (rc != SQLITE_ROW)
		return step_fail(db, st, err);
	*id = sqlite3_column_int64(st, 0);
	if (sqlite3_column_type(st, 1) == SQLITE_NULL) {
		sqlite3_finalize(st);
		return crm_err_set(err, EX_DATAERR, "campaign '%s' has sent no "
		    "message (dry runs write no ledger)", name);
	}
	crm_strlcpy(day, (const char *)sqlite3_column_text(st, 1), CRM_DATE_LEN);
	sqlite3_finalize(st);
	return 0;
}

int
crm_report_campaign(sqlite3 *db, const struct crm_report_opts *o,
    const char *name, int days, struct crm_table *t, struct crm_err *err)
{
	static const struct crm_out_col cols[] = {
		{ "group", 0 }, { "customers", 1 }, { "before", 0 }, { "after", 0 },
		{ "buyers_before", 1 }, { "buyers_after", 1 }, { "orders_before", 1 },
		{ "orders_after", 1 }, { "revenue_before", 1 }, { "revenue_after", 1 },
		{ "per_customer_before", 1 }, { "per_customer_after", 1 },
		{ "change", 1 },
	};
	char day[CRM_DATE_LEN], b0[CRM_DATE_LEN], b1[CRM_DATE_LEN],
	    a1[CRM_DATE_LEN], before[32], after[32];
	long long v[2][7];
	struct crm_buf b;
	sqlite3_stmt *st;
	int64_t id = 0;
	int rc, have[2] = { 0, 0 };

	table_init(t, cols, sizeof cols / sizeof cols[0]);
	if (campaign_day(db, name, &id, day, err) < 0 ||
	    crm_date_add(day, -days, b0, err) < 0 ||
	    crm_date_add(day, -1, b1, err) < 0 ||
	    crm_date_add(day, days - 1, a1, err) < 0)
		return -1;
	crm_buf_init(&b);
	base_cte(&b, 0);
	/* Mailed: sent deliveries, followed through merges to the survivor.
	 * Comparable: not mailed, not withdrawn, an order before the day, and
	 * a last order before it no older than the oldest such of the mailed. */
	crm_buf_adds(&b, ", r(cur) AS (SELECT customer_id FROM deliveries"
	    " WHERE campaign_id = :cid AND status = 'sent'"
	    " UNION SELECT c.merged_into FROM r JOIN customers c ON c.id = r.cur"
	    " WHERE c.merged_into IS NOT NULL),"
	    " mailed AS (SELECT r.cur AS id FROM r JOIN customers c ON c.id = r.cur"
	    " WHERE c.merged_into IS NULL),"
	    " lastb AS (SELECT cid, max(d) AS last FROM o WHERE d < :day GROUP BY cid),"
	    " pop AS (SELECT id, 1 AS mailed FROM mailed UNION ALL"
	    " SELECT c.id, 0 FROM customers c JOIN lastb ON lastb.cid = c.id"
	    " WHERE c.merged_into IS NULL AND c.withdrawn = 0"
	    " AND c.id NOT IN (SELECT id FROM mailed) AND lastb.last >="
	    " (SELECT min(l.last) FROM mailed JOIN lastb l ON l.cid = mailed.id)),"
	    " x AS (SELECT pop.mailed AS mailed, pop.id AS id,"
	    " count(CASE WHEN o.d < :day THEN 1 END) AS ob,"
	    " coalesce(sum(CASE WHEN o.d < :day THEN o.total END), 0) AS rb,"
	    " count(CASE WHEN o.d >= :day THEN 1 END) AS oa,"
	    " coalesce(sum(CASE WHEN o.d >= :day THEN o.total END), 0) AS ra"
	    " FROM pop LEFT JOIN o ON o.cid = pop.id AND o.d >= :b0"
	    " GROUP BY pop.mailed, pop.id)"
	    " SELECT mailed, count(*), sum(ob > 0), sum(oa > 0), sum(ob), sum(oa),"
	    " sum(rb), sum(ra) FROM x GROUP BY mailed");
	if (prepare_buf(db, &b, o, a1, &st, err) < 0)
		return -1;
	sqlite3_bind_int64(st, sqlite3_bind_parameter_index(st, ":cid"), id);
	bind_name(st, ":day", day);
	bind_name(st, ":b0", b0);
	memset(v, 0, sizeof v);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int k = sqlite3_column_int(st, 0) ? 0 : 1;

		have[k] = 1;
		for (int i = 0; i < 7; i++)
			v[k][i] = sqlite3_column_int64(st, i + 1);
	}
	if (rc != SQLITE_DONE)
		return step_fail(db, st, err);
	sqlite3_finalize(st);
	snprintf(before, sizeof before, "%s..%s", b0, b1);
	snprintf(after, sizeof after, "%s..%s", day, a1);
	for (int k = 0; k < 2; k++) {
		char **r = table_row(t);

		cell_text(&r[0], k == 0 ? "mailed" : "comparable");
		cell_text(&r[2], before);
		cell_text(&r[3], after);
		cell_int(&r[1], v[k][0]);
		for (int i = 0; i < 6; i++)
			cell_int(&r[4 + i], v[k][i + 1]);
		if (have[k] && v[k][0] > 0) {
			long long pb = llround((double)v[k][5] / (double)v[k][0]),
			    pa = llround((double)v[k][6] / (double)v[k][0]);

			cell_int(&r[10], pb);
			cell_int(&r[11], pa);
			cell_int(&r[12], pa - pb);
		}
	}
	return 0;
}

/* ---- charts ------------------------------------------------------------ */

static double
cell_num(const struct crm_table *t, size_t row, size_t col)
{
	const char *s = crm_table_cell(t, row, col);
	char *end;
	double v;

	if (s == NULL || *s == '\0')
		return NAN;
	v = strtod(s, &end);
	return *end == '\0' ? v : NAN;
}

int
crm_report_chart(const struct crm_table *t, const struct crm_report_chart *spec,
    FILE *fp, struct crm_err *err)
{
	struct crm_chart *c = crm_chart_new(spec->kind, spec->title, spec->xlabel,
	    spec->ylabel, spec->unit);
	double *vals;
	size_t r, s, first = 0;
	int rc;

	if (!spec->transpose) {
		vals = crm_xcalloc(t->nrows ? t->nrows : 1, sizeof *vals);
		for (r = 0; r < t->nrows; r++)
			crm_chart_category(c, crm_table_cell(t, r, spec->labelcol));
		for (s = 0; s < spec->nseries; s++) {
			for (r = 0; r < t->nrows; r++)
				vals[r] = cell_num(t, r, spec->series[s].col);
			crm_chart_series(c, spec->series[s].name ? spec->series[s].name
			    : t->cols[spec->series[s].col].name, vals, t->nrows);
		}
	} else {
		vals = crm_xcalloc(spec->nseries ? spec->nseries : 1, sizeof *vals);
		for (s = 0; s < spec->nseries; s++)
			crm_chart_category(c, spec->series[s].name ? spec->series[s].name
			    : t->cols[spec->series[s].col].name);
		if (spec->maxrows > 0 && t->nrows > spec->maxrows)
			first = t->nrows - spec->maxrows;
		for (r = first; r < t->nrows; r++) {
			for (s = 0; s < spec->nseries; s++)
				vals[s] = cell_num(t, r, spec->series[s].col);
			crm_chart_series(c, crm_table_cell(t, r, spec->labelcol), vals,
			    spec->nseries);
		}
	}
	rc = crm_chart_write(c, fp, err);
	free(vals);
	crm_chart_free(c);
	return rc;
}
