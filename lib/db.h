/* db.h: the SQLite file every crm binary shares.
 *
 * One database file holds everything.  It is opened in WAL mode with
 * foreign keys on and a busy timeout, so that a cron job and a person at
 * the shell can use it at the same time; the schema is created or migrated
 * forward on open (PRAGMA user_version).  A database written by a newer
 * crm is refused. */
#ifndef CRM_DB_H
#define CRM_DB_H

#include <stdint.h>
#include <sqlite3.h>

#include "err.h"

/* The schema version this build writes and understands. */
int crm_db_schema_version(void);

enum {
	CRM_DB_RDWR     = 0,
	CRM_DB_READONLY = 1 << 0,  /* fail with EX_NOINPUT if missing */
	CRM_DB_NOCREATE = 1 << 1,  /* read-write, but do not create a new file */
};

/* The database path: opt (from --db) if set, else $CRM_DB, else "crm.db". */
const char *crm_db_path(const char *opt);

/* Open (creating and migrating as needed).  Busy timeout in ms from
 * $CRM_BUSY_TIMEOUT, default 5000.  REGEXP (PCRE2, UTF) is registered. */
int crm_db_open(const char *path, int flags, sqlite3 **out, struct crm_err *err);
void crm_db_close(sqlite3 *db);

/* Open a database and migrate it only up to version `upto` (tests). */
int crm_db_open_at_version(const char *path, int upto, sqlite3 **out,
    struct crm_err *err);

/* Turn the last SQLite error into err: SQLITE_BUSY/LOCKED become
 * EX_TEMPFAIL ("database is locked"), SQLITE_FULL/IOERR EX_IOERR,
 * SQLITE_READONLY/CANTOPEN EX_CANTCREAT, anything else EX_SOFTWARE.
 * what says what was being done.  Returns -1. */
int crm_db_err(sqlite3 *db, struct crm_err *err, const char *what);

/* Transactions.  begin takes the write lock at once (BEGIN IMMEDIATE),
 * so a second writer fails up front with EX_TEMPFAIL instead of half way. */
int crm_db_begin(sqlite3 *db, struct crm_err *err);
int crm_db_begin_read(sqlite3 *db, struct crm_err *err);
int crm_db_commit(sqlite3 *db, struct crm_err *err);
void crm_db_rollback(sqlite3 *db);

int crm_db_exec(sqlite3 *db, const char *sql, struct crm_err *err);
int crm_db_prepare(sqlite3 *db, const char *sql, sqlite3_stmt **st,
    struct crm_err *err);

/* Bind helpers: NULL or "" binds SQL NULL for the _null variant. */
int crm_db_bind_text(sqlite3_stmt *st, int i, const char *s);
int crm_db_bind_text_null(sqlite3_stmt *st, int i, const char *s);

/* Print every row of a prepared statement (its first ncols columns as
 * text) in the -o format fmtopt (NULL: the default), and finalize it.
 * *rows counts them; what names the table in an error. */
struct crm_out_col;
int crm_db_print_rows(sqlite3 *db, sqlite3_stmt *st, const char *fmtopt,
    const struct crm_out_col *cols, size_t ncols, const char *what,
    int64_t *rows, struct crm_err *err);

/* Run a statement that returns at most one integer (e.g. a count). */
int crm_db_int(sqlite3 *db, const char *sql, int64_t *out, struct crm_err *err);

/* The id of a shop by name, created when create is set.  Returns 0, or 1
 * when the shop does not exist and create is 0, or -1 on error. */
int crm_db_shop_id(sqlite3 *db, const char *name, int create, int64_t *id,
    struct crm_err *err);

/* Key/value settings kept in the database (table meta). *out is malloc'd,
 * NULL when unset. */
int crm_db_meta_get(sqlite3 *db, const char *key, char **out, struct crm_err *err);
int crm_db_meta_set(sqlite3 *db, const char *key, const char *val, struct crm_err *err);

/* The current local time as "YYYY-MM-DD HH:MM:SS" (TZ, default Asia/Tokyo). */
void crm_db_now(char out[20]);

#endif
