#define PCRE2_CODE_UNIT_WIDTH 8
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <pcre2.h>

#include "db.h"
#include "output.h"
#include "schema.h"
#include "util.h"
#include "banned.h"

int
crm_db_schema_version(void)
{
	return crm_schema_nmigrations;
}

const char *
crm_db_path(const char *opt)
{
	const char *env;

	if (!crm_empty(opt))
		return opt;
	env = getenv("CRM_DB");
	if (!crm_empty(env))
		return env;
	return "crm.db";
}

int
crm_db_err(sqlite3 *db, struct crm_err *err, const char *what)
{
	int rc = sqlite3_extended_errcode(db) & 0xff;
	int code;

	switch (rc) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return crm_err_set(err, EX_TEMPFAIL,
		    "%s: database is locked by another process; try again later",
		    what);
	case SQLITE_FULL:
	case SQLITE_IOERR:
		code = EX_IOERR;
		break;
	case SQLITE_READONLY:
	case SQLITE_CANTOPEN:
	case SQLITE_PERM:
		code = EX_CANTCREAT;
		break;
	case SQLITE_NOTADB:
	case SQLITE_CORRUPT:
		code = EX_DATAERR;
		break;
	default:
		code = EX_SOFTWARE;
	}
	/* An I/O error names the file and the system's reason (a full disk,
	 * ulimit -f): "database: disk I/O error" alone leaves one guessing. */
	if (code == EX_IOERR || code == EX_CANTCREAT) {
		const char *file = sqlite3_db_filename(db, "main");
		const char *fb, *wb;
		int sys = sqlite3_system_errno(db);
		char why[128] = "";

		if (code == EX_IOERR && sys != 0)
			snprintf(why, sizeof why, " (%s)", strerror(sys));
		if (file == NULL || *file == '\0' || strcmp(what, "database") == 0)
			return crm_err_set(err, code, "%s: %s%s",
			    file && *file ? file : what, sqlite3_errmsg(db), why);
		fb = strrchr(file, '/') ? strrchr(file, '/') + 1 : file;
		wb = strrchr(what, '/') ? strrchr(what, '/') + 1 : what;
		if (strcmp(fb, wb) != 0)   /* what is not the file itself */
			return crm_err_set(err, code, "%s: %s: %s%s", file, what,
			    sqlite3_errmsg(db), why);
		return crm_err_set(err, code, "%s: %s%s", what,
		    sqlite3_errmsg(db), why);
	}
	return crm_err_set(err, code, "%s: %s", what, sqlite3_errmsg(db));
}

/* REGEXP for SQLite, with PCRE2 in UTF mode.  The compiled pattern is
 * cached on the statement (auxdata) so a scan compiles it once. */
static void
regexp_free(void *p)
{
	pcre2_code_free(p);
}

static void
sql_regexp(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	pcre2_code *re;
	pcre2_match_data *md;
	const unsigned char *pat, *subj;
	int rc, ecode;
	PCRE2_SIZE eoff;

	(void)argc;
	subj = sqlite3_value_text(argv[1]);
	if (subj == NULL)
		return;   /* NULL REGEXP: NULL */
	re = sqlite3_get_auxdata(ctx, 0);
	if (re == NULL) {
		pat = sqlite3_value_text(argv[0]);
		if (pat == NULL)
			return;
		re = pcre2_compile(pat, PCRE2_ZERO_TERMINATED,
		    PCRE2_UTF | PCRE2_UCP, &ecode, &eoff, NULL);
		if (re == NULL) {
			char msg[256], out[320];
			pcre2_get_error_message(ecode, (PCRE2_UCHAR *)msg, sizeof msg);
			snprintf(out, sizeof out, "regular expression at offset %zu: %s",
			    (size_t)eoff, msg);
			sqlite3_result_error(ctx, out, -1);
			return;
		}
		sqlite3_set_auxdata(ctx, 0, re, regexp_free);
		re = sqlite3_get_auxdata(ctx, 0);
		if (re == NULL) {
			sqlite3_result_error_nomem(ctx);
			return;
		}
	}
	md = pcre2_match_data_create_from_pattern(re, NULL);
	if (md == NULL) {
		sqlite3_result_error_nomem(ctx);
		return;
	}
	rc = pcre2_match(re, subj, (PCRE2_SIZE)sqlite3_value_bytes(argv[1]), 0,
	    0, md, NULL);
	pcre2_match_data_free(md);
	if (rc == PCRE2_ERROR_BADUTFOFFSET || (rc < 0 && rc != PCRE2_ERROR_NOMATCH
	    && rc <= PCRE2_ERROR_UTF8_ERR1 && rc >= PCRE2_ERROR_UTF8_ERR21)) {
		sqlite3_result_int(ctx, 0);
		return;
	}
	sqlite3_result_int(ctx, rc >= 0);
}

static int
busy_timeout(void)
{
	const char *s = getenv("CRM_BUSY_TIMEOUT");
	long long v;

	if (s != NULL && crm_strtonum(s, 0, 3600000, &v, "CRM_BUSY_TIMEOUT", NULL) == 0)
		return (int)v;
	return 5000;
}

static int
get_version(sqlite3 *db, int *v, struct crm_err *err)
{
	int64_t x;

	if (crm_db_int(db, "PRAGMA user_version", &x, err) < 0)
		return -1;
	*v = (int)x;
	return 0;
}

static int
migrate(sqlite3 *db, const char *path, int upto, struct crm_err *err)
{
	int v, i;
	char sql[64];

	if (get_version(db, &v, err) < 0)
		return -1;
	if (v > crm_schema_nmigrations)
		return crm_err_set(err, EX_CONFIG,
		    "%s: database schema version %d is newer than this crm "
		    "understands (%d); upgrade crm", path, v, crm_schema_nmigrations);
	if (v >= upto)
		return 0;
	if (crm_db_begin(db, err) < 0)
		return -1;
	/* Re-read under the write lock: another process may have migrated. */
	if (get_version(db, &v, err) < 0)
		goto fail;
	for (i = v; i < upto; i++) {
		if (sqlite3_exec(db, crm_schema_migrations[i], NULL, NULL, NULL) != SQLITE_OK) {
			crm_db_err(db, err, path);
			crm_err_prefix(err, "migration to version %d: ", i + 1);
			goto fail;
		}
	}
	snprintf(sql, sizeof sql, "PRAGMA user_version = %d", upto > v ? upto : v);
	if (crm_db_exec(db, sql, err) < 0)
		goto fail;
	return crm_db_commit(db, err);
fail:
	crm_db_rollback(db);
	return -1;
}

/* Why a database cannot be written, in the user's terms: SQLite keeps
 * PATH-wal and PATH-shm beside a WAL database, so even a reader needs the
 * directory writable. */
static void
readonly_hint(const char *path, struct crm_err *err)
{
	char dir[4096];
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		crm_strlcpy(dir, ".", sizeof dir);
	else if (slash == path)
		crm_strlcpy(dir, "/", sizeof dir);
	else
		snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
	if (access(dir, W_OK) != 0 && errno != ENOENT)
		crm_err_set(err, EX_CANTCREAT, "%s: directory %s is not writable "
		    "(the database needs its %s-wal and %s-shm files there)", path,
		    dir, slash ? slash + 1 : path, slash ? slash + 1 : path);
	else if (access(path, W_OK) != 0 && errno == EACCES)
		crm_err_set(err, EX_CANTCREAT, "%s: the database file is read-only",
		    path);
}

static int
db_open(const char *path, int flags, int upto, sqlite3 **out, struct crm_err *err)
{
	sqlite3 *db = NULL;
	int oflags, v;

	*out = NULL;
	if ((flags & (CRM_DB_READONLY | CRM_DB_NOCREATE)) && access(path, F_OK) != 0)
		return crm_err_set(err, EX_NOINPUT, "%s: no such database "
		    "(import some orders first, or name one with --db)", path);
	oflags = (flags & CRM_DB_READONLY) ? SQLITE_OPEN_READONLY
	    : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	if (sqlite3_open_v2(path, &db, oflags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		if (db == NULL)
			return crm_err_set(err, EX_SOFTWARE, "%s: out of memory", path);
		crm_db_err(db, err, path);
		err->code = EX_CANTCREAT;
		sqlite3_close(db);
		return -1;
	}
	sqlite3_extended_result_codes(db, 1);
	sqlite3_busy_timeout(db, busy_timeout());
	if (sqlite3_create_function(db, "regexp", 2,
	    SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL, sql_regexp, NULL, NULL) != SQLITE_OK) {
		crm_db_err(db, err, path);
		goto fail;
	}
	if (crm_db_exec(db, "PRAGMA foreign_keys = ON", err) < 0)
		goto fail;
	if (!(flags & CRM_DB_READONLY)) {
		/* journal_mode needs a lock; a locked database fails here. */
		if (crm_db_exec(db, "PRAGMA journal_mode = WAL", err) < 0)
			goto failp;
		if (crm_db_exec(db, "PRAGMA synchronous = NORMAL", err) < 0)
			goto failp;
		if (migrate(db, path, upto, err) < 0)
			goto fail;
	} else {
		if (get_version(db, &v, err) < 0)
			goto failp;
		if (v > crm_schema_nmigrations) {
			crm_err_set(err, EX_CONFIG, "%s: database schema version %d "
			    "is newer than this crm understands (%d); upgrade crm",
			    path, v, crm_schema_nmigrations);
			goto fail;
		}
		if (v < crm_schema_nmigrations) {
			crm_err_set(err, EX_CONFIG, "%s: database schema version %d "
			    "is older than this crm (%d); open it read-write once "
			    "to migrate", path, v, crm_schema_nmigrations);
			goto fail;
		}
	}
	*out = db;
	return 0;
failp:
	/* crm_db_err names the file itself for these two. */
	if (err->code == EX_CANTCREAT)
		readonly_hint(path, err);
	else if (err->code != EX_IOERR)
		crm_err_prefix(err, "%s: ", path);
fail:
	sqlite3_close(db);
	return -1;
}

int
crm_db_open(const char *path, int flags, sqlite3 **out, struct crm_err *err)
{
	return db_open(path, flags, crm_schema_nmigrations, out, err);
}

int
crm_db_open_at_version(const char *path, int upto, sqlite3 **out,
    struct crm_err *err)
{
	if (upto < 0 || upto > crm_schema_nmigrations)
		return crm_err_set(err, EX_USAGE, "no schema version %d", upto);
	return db_open(path, CRM_DB_RDWR, upto, out, err);
}

void
crm_db_close(sqlite3 *db)
{
	if (db != NULL)
		sqlite3_close_v2(db);
}

int
crm_db_exec(sqlite3 *db, const char *sql, struct crm_err *err)
{
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return crm_db_err(db, err, "database");
	return 0;
}

int
crm_db_begin(sqlite3 *db, struct crm_err *err)
{
	return crm_db_exec(db, "BEGIN IMMEDIATE", err);
}

int
crm_db_begin_read(sqlite3 *db, struct crm_err *err)
{
	return crm_db_exec(db, "BEGIN", err);
}

int
crm_db_commit(sqlite3 *db, struct crm_err *err)
{
	if (crm_db_exec(db, "COMMIT", err) < 0) {
		crm_db_rollback(db);
		return -1;
	}
	return 0;
}

void
crm_db_rollback(sqlite3 *db)
{
	if (!sqlite3_get_autocommit(db))
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
}

int
crm_db_prepare(sqlite3 *db, const char *sql, sqlite3_stmt **st, struct crm_err *err)
{
	if (sqlite3_prepare_v2(db, sql, -1, st, NULL) != SQLITE_OK) {
		*st = NULL;
		return crm_db_err(db, err, "database");
	}
	return 0;
}

int
crm_db_bind_text(sqlite3_stmt *st, int i, const char *s)
{
	if (s == NULL)
		return sqlite3_bind_null(st, i);
	return sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
}

int
crm_db_bind_text_null(sqlite3_stmt *st, int i, const char *s)
{
	return crm_db_bind_text(st, i, crm_empty(s) ? NULL : s);
}

int
crm_db_print_rows(sqlite3 *db, sqlite3_stmt *st, const char *fmtopt,
    const struct crm_out_col *cols, size_t ncols, const char *what,
    int64_t *rows, struct crm_err *err)
{
	enum crm_out_fmt fmt = CRM_OUT_DEFAULT;
	const char *vals[16];
	struct crm_out *o;
	size_t i;
	int rc;

	*rows = 0;
	if (ncols > sizeof vals / sizeof vals[0]) {
		sqlite3_finalize(st);
		return crm_err_set(err, EX_SOFTWARE, "%s: %zu columns", what, ncols);
	}
	if (fmtopt != NULL && crm_out_parse(fmtopt, &fmt, err) < 0) {
		sqlite3_finalize(st);
		return -1;
	}
	o = crm_out_open(stdout, fmt, cols, ncols);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		for (i = 0; i < ncols; i++)
			vals[i] = (const char *)sqlite3_column_text(st, (int)i);
		if (crm_out_row(o, vals) < 0)
			break;
		(*rows)++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		crm_out_close(o, err);
		return crm_db_err(db, err, what);
	}
	return crm_out_close(o, err);
}

int
crm_db_int(sqlite3 *db, const char *sql, int64_t *out, struct crm_err *err)
{
	sqlite3_stmt *st;
	int rc;

	if (crm_db_prepare(db, sql, &st, err) < 0)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int64(st, 0);
	else if (rc == SQLITE_DONE)
		*out = 0;
	else {
		crm_db_err(db, err, "database");
		sqlite3_finalize(st);
		return -1;
	}
	sqlite3_finalize(st);
	return 0;
}

int
crm_db_shop_id(sqlite3 *db, const char *name, int create, int64_t *id,
    struct crm_err *err)
{
	sqlite3_stmt *st;
	char now[20];
	int rc;

	if (crm_db_prepare(db, "SELECT id FROM shops WHERE name = ?", &st, err) < 0)
		return -1;
	crm_db_bind_text(st, 1, name);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*id = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
		return 0;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return crm_db_err(db, err, "shops");
	if (!create)
		return 1;
	if (crm_db_prepare(db, "INSERT INTO shops (name, created_at) VALUES (?, ?)",
	    &st, err) < 0)
		return -1;
	crm_db_now(now);
	crm_db_bind_text(st, 1, name);
	crm_db_bind_text(st, 2, now);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return crm_db_err(db, err, "shops");
	*id = sqlite3_last_insert_rowid(db);
	return 0;
}

int
crm_db_meta_get(sqlite3 *db, const char *key, char **out, struct crm_err *err)
{
	sqlite3_stmt *st;
	int rc;

	*out = NULL;
	if (crm_db_prepare(db, "SELECT value FROM meta WHERE key = ?", &st, err) < 0)
		return -1;
	crm_db_bind_text(st, 1, key);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_text(st, 0) != NULL)
		*out = crm_xstrdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return crm_db_err(db, err, "meta");
	return 0;
}

int
crm_db_meta_set(sqlite3 *db, const char *key, const char *val, struct crm_err *err)
{
	sqlite3_stmt *st;
	int rc;

	if (crm_db_prepare(db, "INSERT INTO meta (key, value) VALUES (?, ?) "
	    "ON CONFLICT (key) DO UPDATE SET value = excluded.value", &st, err) < 0)
		return -1;
	crm_db_bind_text(st, 1, key);
	crm_db_bind_text(st, 2, val);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return crm_db_err(db, err, "meta");
	return 0;
}

void
crm_db_now(char out[20])
{
	time_t t = time(NULL);
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(out, 20, "%Y-%m-%d %H:%M:%S", &tm);
}
