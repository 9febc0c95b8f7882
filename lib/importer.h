/* importer.h: order exports and member lists into the database.
 *
 * One importer per call of crm-import, inside the caller's transaction:
 * open, feed it every file, finish (recompute the customers touched),
 * read the counts and the changed orders, close; then the caller commits,
 * or rolls back for --dry-run and --strict failures.
 *
 * Rows that share shop and order number are one order, adjacent or not.
 * Each order carries a digest of what was imported, so a re-import of the
 * same data writes nothing, and a later export with another status or
 * amount updates the order.  Memory does not grow with the file: only the
 * current order's rows are held; what must be remembered across orders
 * lives in temporary tables. */
#ifndef CRM_IMPORTER_H
#define CRM_IMPORTER_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sqlite3.h>

#include "csv.h"
#include "err.h"
#include "mapping.h"

struct crm_import_opts {
	const struct crm_mapping *map;
	const char *shop;         /* -s: when the file has no shop column */
	const char *encoding;     /* -e; NULL: the mapping's, else auto */
	size_t max_field;         /* bytes; 0: 64 KiB */
	int progress;             /* progress bar when stderr is a terminal */
};

struct crm_import_counts {
	long long rows;
	long long orders_new, orders_updated, orders_unchanged;
	long long customers_new;
	long long members_matched;   /* --customers: rows that found a customer */
	long long rejected;          /* rows */
};

/* A rejected row: the header and the row as read, where and why. */
typedef void crm_import_reject_fn(void *arg, const char *file,
    const char *const *header, size_t nheader,
    const char *const *fields, size_t nfields, long line, const char *reason);
/* A warning (unknown columns ...), already naming the file. */
typedef void crm_import_warn_fn(void *arg, const char *msg);

struct crm_importer;

int crm_importer_open(sqlite3 *db, const struct crm_import_opts *opts,
    struct crm_importer **imp, struct crm_err *err);
void crm_importer_close(struct crm_importer *imp);

/* Import one stream.  name is used in messages and source columns;
 * consent_at is the time the data is from (member lists: the file's
 * mtime).  Returns the file's index (0, 1 ...) or -1 on a whole-file error
 * (EX_DATAERR naming file and line, EX_IOERR, EX_TEMPFAIL ...), after
 * which the caller must roll back. */
int crm_importer_file(struct crm_importer *imp, FILE *fp, const char *name,
    const char *consent_at, crm_import_reject_fn *reject,
    crm_import_warn_fn *warn, void *arg, struct crm_err *err);

/* Recompute every customer touched and settle the counts. */
int crm_importer_finish(struct crm_importer *imp, struct crm_err *err);

/* Counts of file index i (after finish), or of all files when i < 0. */
void crm_importer_counts(const struct crm_importer *imp, int i,
    struct crm_import_counts *c);

/* The orders that were new or changed, in file order (after finish). */
struct crm_import_change {
	const char *shop, *order_no, *status, *change;  /* change: new, updated */
	int64_t customer_id, customer_orders;
	int caution;
};
int crm_importer_changes(struct crm_importer *imp,
    int (*fn)(void *arg, const struct crm_import_change *c), void *arg,
    struct crm_err *err);

#endif
