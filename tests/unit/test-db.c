/* Unit tests of lib/db.c: creation, migrations, refusal of newer files,
 * locking, REGEXP. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db.h"
#include "tap.h"

static int64_t
q(sqlite3 *db, const char *sql)
{
	int64_t v = -1;
	struct crm_err err;

	if (crm_db_int(db, sql, &v, &err) < 0)
		printf("# %s: %s\n", sql, err.msg);
	return v;
}

int
main(void)
{
	struct tap t = TAP_INIT;
	struct crm_err err;
	sqlite3 *db, *db2;
	char dir[] = "/tmp/crm-unit-db.XXXXXX", path[256], cmd[300];
	int64_t id1, id2;

	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(path, sizeof path, "%s/crm.db", dir);

	tap_is_int(&t, crm_db_open(path, CRM_DB_READONLY, &db, &err), -1,
	    "read-only open of a missing file fails");
	tap_is_int(&t, err.code, EX_NOINPUT, "... with EX_NOINPUT");

	tap_is_int(&t, crm_db_open(path, CRM_DB_RDWR, &db, &err), 0, "create");
	tap_is_int(&t, q(db, "PRAGMA user_version"), crm_db_schema_version(),
	    "new database is at the current schema version");
	tap_is_int(&t, q(db, "PRAGMA foreign_keys"), 1, "foreign keys on");
	tap_is_int(&t, q(db, "SELECT count(*) FROM sqlite_master WHERE type='table' AND name IN "
	    "('shops','orders','order_items','customers','identities','merges','segments',"
	    "'optouts','campaigns','deliveries','scenarios','scenario_steps',"
	    "'scenario_customers','tags','match_rules','dedupe_pairs')"), 16,
	    "every table of the data model exists");
	tap_ok(&t, q(db, "SELECT count(*) FROM pragma_journal_mode WHERE journal_mode='wal'") == 1,
	    "WAL mode");

	tap_is_int(&t, crm_db_shop_id(db, "rakuten", 0, &id1, &err), 1,
	    "unknown shop without create");
	tap_is_int(&t, crm_db_shop_id(db, "rakuten", 1, &id1, &err), 0, "create shop");
	crm_db_shop_id(db, "rakuten", 1, &id2, &err);
	tap_is_int(&t, id2, id1, "same shop, same id");

	tap_is_int(&t, crm_db_begin(db, &err), 0, "begin");
	crm_db_exec(db, "INSERT INTO shops(name, created_at) VALUES ('x','2026-01-01 00:00:00')", &err);
	crm_db_rollback(db);
	tap_is_int(&t, q(db, "SELECT count(*) FROM shops WHERE name='x'"), 0,
	    "rollback discards");

	tap_is_int(&t, q(db, "SELECT 'ABC-123' REGEXP '^[A-Z]+-\\d+$'"), 1, "REGEXP matches");
	tap_is_int(&t, q(db, "SELECT '東京都港区' REGEXP '^東京'"), 1, "REGEXP in UTF-8");
	tap_is_int(&t, q(db, "SELECT 'とうきょう' REGEXP '^.{5}$'"), 1, "REGEXP counts characters");
	tap_ok(&t, crm_db_int(db, "SELECT 'a' REGEXP '('", &id1, &err) < 0,
	    "bad regular expression is an error");
	tap_ok(&t, strstr(err.msg, "regular expression") != NULL, "... that says so");

	/* A second writer while the first holds the lock. */
	setenv("CRM_BUSY_TIMEOUT", "50", 1);
	tap_is_int(&t, crm_db_open(path, CRM_DB_RDWR, &db2, &err), 0, "second connection");
	tap_is_int(&t, crm_db_begin(db, &err), 0, "first takes the write lock");
	tap_is_int(&t, crm_db_begin(db2, &err), -1, "second writer cannot");
	tap_is_int(&t, err.code, EX_TEMPFAIL, "... EX_TEMPFAIL (retry later)");
	tap_ok(&t, strstr(err.msg, "locked") != NULL, "... message says locked");
	crm_db_rollback(db);
	crm_db_close(db2);
	crm_db_close(db);

	/* Newer than we understand. */
	sqlite3_open(path, &db2);
	sqlite3_exec(db2, "PRAGMA user_version = 999", NULL, NULL, NULL);
	sqlite3_close(db2);
	tap_is_int(&t, crm_db_open(path, CRM_DB_RDWR, &db, &err), -1, "newer schema refused");
	tap_is_int(&t, err.code, EX_CONFIG, "... EX_CONFIG");
	tap_ok(&t, strstr(err.msg, "newer") != NULL, "... message says newer");

	/* An old file migrates forward. */
	unlink(path);
	tap_is_int(&t, crm_db_open_at_version(path, 1, &db, &err), 0, "make a version-1 file");
	tap_is_int(&t, q(db, "PRAGMA user_version"), 1, "... at version 1");
	crm_db_exec(db, "INSERT INTO shops(name, created_at) VALUES ('old','2026-01-01 00:00:00')", &err);
	crm_db_close(db);
	tap_is_int(&t, crm_db_open(path, CRM_DB_READONLY, &db, &err), -1,
	    "read-only open of an old file asks for a migration");
	tap_is_int(&t, crm_db_open(path, CRM_DB_RDWR, &db, &err), 0, "open migrates");
	tap_is_int(&t, q(db, "PRAGMA user_version"), crm_db_schema_version(), "... to current");
	tap_is_int(&t, q(db, "SELECT count(*) FROM shops WHERE name='old'"), 1, "... keeping data");
	tap_is_int(&t, q(db, "SELECT count(*) FROM pragma_table_info('customers') WHERE name='search'"),
	    1, "... with the version-2 column");
	crm_db_close(db);

	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	if (system(cmd) != 0)
		printf("# cleanup failed\n");
	return tap_done(&t);
}
