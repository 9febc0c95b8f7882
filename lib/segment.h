/* segment.h: which customers?  Filters, the segment expression language,
 * and saved segments.
 *
 * A segment is an expression over the active customers (merged_into IS
 * NULL), for example
 *
 *     orders >= 2 and last_order >= today - 90d and pref in (東京, 神奈川)
 *
 * It compiles to one SQL condition over "customers c" whose values are all
 * bound parameters: nothing the user typed is ever pasted into SQL.  The
 * command-line filters (--total, --pref ...) are translated into the same
 * language (crm_segment_flag), so a saved segment is always just text and
 * relative dates ("today - 90d", "90d") stay relative: a saved segment is
 * evaluated afresh each time.  The grammar is in crm-segment(1). */
#ifndef CRM_SEGMENT_H
#define CRM_SEGMENT_H

#include <stddef.h>
#include <stdint.h>
#include <sqlite3.h>

#include "custlist.h"
#include "err.h"
#include "util.h"

/* A compiled segment (opaque): an SQL condition and its bound values. */
struct crm_segment;

/* Compile expr (NULL or blank: every active customer).  today is
 * "YYYY-MM-DD".  db is needed to expand in_segment("NAME").  A syntax
 * error is EX_USAGE with a message of three lines: what was expected, the
 * expression, and a caret under the offending column. */
int crm_segment_compile(sqlite3 *db, const char *expr, const char *today,
    struct crm_segment **out, struct crm_err *err);
void crm_segment_free(struct crm_segment *seg);

/* The condition, in terms of "customers c", with ?N placeholders. */
const char *crm_segment_sql(const struct crm_segment *seg);
/* Bind the values to st; placeholder ?N of the condition is bound to
 * parameter N + offset of st (offset 0 when the condition's placeholders
 * are the first in the statement). */
int crm_segment_bind(const struct crm_segment *seg, sqlite3_stmt *st,
    int offset, struct crm_err *err);
size_t crm_segment_nparams(const struct crm_segment *seg);
/* Parameter i (0-based) as text, for --explain. */
const char *crm_segment_param_text(const struct crm_segment *seg, size_t i);

/* Translate one command-line filter into the expression language and
 * append it to expr (joined with "and").  flag is the long option name
 * without dashes ("total", "last-order", "pref" ...); arg its value or
 * NULL.  A bad value is EX_USAGE naming the flag. */
int crm_segment_flag(struct crm_buf *expr, const char *flag, const char *arg,
    struct crm_err *err);
/* --bought PATTERN with --bought-in RANGE (NULL: any time). */
int crm_segment_flag_bought(struct crm_buf *expr, const char *pattern,
    const char *range, struct crm_err *err);
/* Append a bare expression to expr (parenthesised, joined with "and"). */
void crm_segment_and(struct crm_buf *expr, const char *more);

/* Ids of matching active customers, ascending.  restrict, when not NULL,
 * limits the result to those ids (a customer list read from stdin). */
int crm_segment_ids(sqlite3 *db, const struct crm_segment *seg,
    const struct crm_idlist *restrict_to, struct crm_idlist *out,
    struct crm_err *err);

int crm_segment_count(sqlite3 *db, const struct crm_segment *seg,
    const struct crm_idlist *restrict_to, int64_t *n, struct crm_err *err);

/* Prepare "SELECT what FROM customers c WHERE <active> AND <segment>
 * [AND in the list] tail" with the values bound.  what and tail are SQL
 * from the caller's own fixed text, never user input.  restrict_to is
 * loaded into temp.segment_in. */
int crm_segment_prepare(sqlite3 *db, const struct crm_segment *seg,
    const char *what, const struct crm_idlist *restrict_to, const char *tail,
    sqlite3_stmt **st, struct crm_err *err);
int crm_segment_restrict_load(sqlite3 *db, const struct crm_idlist *ids,
    struct crm_err *err);
/* After sqlite3_step failed on such a statement: a bad regular
 * expression is the user's (EX_USAGE), the rest is crm_db_err. */
int crm_segment_step_err(sqlite3 *db, struct crm_err *err);

/* Evaluate a saved segment now: ids of matching active customers,
 * ascending.  EX_DATAERR if the name is unknown. */
int crm_segment_saved_ids(sqlite3 *db, const char *name, const char *today,
    struct crm_idlist *out, struct crm_err *err);

/* Saved segments (table segments).  save checks that expr compiles
 * (including the segments it refers to, and that it does not refer to
 * itself) and replaces an earlier definition of the same name. */
int crm_segment_save(sqlite3 *db, const char *name, const char *expr,
    const char *args, const char *today, struct crm_err *err);
/* *expr and *args malloc'd (args may be NULL).  Returns 0, or
 * -1 with EX_DATAERR when there is no such segment. */
int crm_segment_load(sqlite3 *db, const char *name, char **expr, char **args,
    struct crm_err *err);
/* EX_DATAERR when unknown, or when a scenario or another saved segment
 * still uses it. */
int crm_segment_remove(sqlite3 *db, const char *name, struct crm_err *err);

/* Figures over a set of customers, as in crm-segment --stats.  "Buyers"
 * are the customers with at least one order (status ok). */
struct crm_segment_stats {
	int64_t customers;
	int64_t buyers;
	int64_t repeaters;        /* orders >= 2 */
	int64_t orders;           /* sum of order counts */
	int64_t total;            /* sum of totals, yen */
	double repeat_rate;       /* repeaters / buyers (0 when no buyers) */
	double ltv;               /* total / buyers */
	double aov;               /* total / orders */
	double avg_orders;        /* orders / buyers */
	int64_t intervals;        /* customers with a repurchase interval */
	double repurchase_days;   /* median days from 1st to 2nd order; -1 if none */
};
int crm_segment_stats(sqlite3 *db, const struct crm_segment *seg,
    const struct crm_idlist *restrict_to, struct crm_segment_stats *st,
    struct crm_err *err);

#endif
