/* Unit tests of lib/custlist.c: customer lists in every accepted shape,
 * merged customers resolved, duplicates and unknowns, bad input; and
 * crm_customer_lookup.  Runs on a throwaway database. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "custlist.h"
#include "db.h"
#include "util.h"
#include "tap.h"

#define S(x) x, sizeof(x) - 1

/* Customers 3 and 4 were merged (4 into 3, 3 into 2): both lead to 2.
 * 6 and 7 share an address that dedupe has not joined yet. */
static const char fixture[] =
"INSERT INTO shops(id, name, created_at) VALUES (1, 'web', '2026-01-01 00:00:00');"
"INSERT INTO customers(id, email, phone, created_at, updated_at) VALUES"
" (1, 'Hanako@Example.jp', '090-1111-2222', 't', 't'),"
" (2, 'taro@example.jp', NULL, 't', 't'),"
" (3, 'taro.old@example.jp', NULL, 't', 't'),"
" (4, NULL, '03-1234-5678', 't', 't'),"
" (5, 'MIXED@Case.JP', NULL, 't', 't'),"
" (6, 'shared@example.jp', NULL, 't', 't'),"
" (7, 'shared@example.jp', NULL, 't', 't');"
"UPDATE customers SET merged_into = 2 WHERE id = 3;"
"UPDATE customers SET merged_into = 3 WHERE id = 4;"
"INSERT INTO identities(id, shop_id, customer_id, origin_customer, fingerprint,"
"  email, email_key, phone_key, created_at) VALUES"
" (1, 1, 1, 1, 'f1', 'Hanako@Example.jp', 'hanako@example.jp', '09011112222', 't'),"
" (2, 1, 2, 2, 'f2', 'taro@example.jp', 'taro@example.jp', NULL, 't'),"
" (3, 1, 2, 3, 'f3', 'taro.old@example.jp', 'taro.old@example.jp', NULL, 't'),"
" (4, 1, 4, 4, 'f4', NULL, NULL, '0312345678', 't');";

static void
warn_cb(void *arg, long line, const char *value)
{
	crm_buf_addf(arg, "%ld:%s;", line, value);
}

struct lcase {
	const char *name;
	const char *in;
	size_t len;
	int rc;
	const char *ids;        /* "1,2" */
	long unknown;
	const char *warnings;   /* "line:value;..." */
	const char *msg;        /* error message when rc is -1 */
};

static const struct lcase cases[] = {
	{ "bare ids; merged id resolved, duplicates dropped, unknown counted",
	  S("1\n2\n99\n1\n4\n"), 0, "1,2", 1, "3:99;", NULL },
	{ "bare ids, CRLF and blank lines", S("2\r\n\r\n1\r\n"), 0, "2,1", 0, "", NULL },
	{ "bare ids after a BOM", S("\xEF\xBB\xBF" "7\n"), 0, "7", 0, "", NULL },
	{ "bare ids, no final newline", S("5\n6"), 0, "5,6", 0, "", NULL },
	{ "CSV with an id column (crm-segment -o csv)",
	  S("id,name,email\n3,x,y\n1,a,b\n"), 0, "2,1", 0, "", NULL },
	{ "customer_id column, not first; an empty cell is unknown",
	  S("name,customer_id\nA,5\nB,\n"), 0, "5", 1, "3:;", NULL },
	{ "an empty id cell falls back to the e-mail, then the phone cell; ,, skipped",
	  S("id,email,phone\n,taro@example.jp,\n,,090-1111-2222\n6,x@y,\n,,\n"),
	  0, "2,1,6", 0, "", NULL },
	{ "an empty e-mail cell falls back to the phone cell",
	  S("email,phone\nHanako@example.jp,\n,03-1234-5678\n"), 0, "1,2", 0, "", NULL },
	{ "header names are case-insensitive", S("ID\n6\n"), 0, "6", 0, "", NULL },
	{ "TSV with an id column", S("id\tname\n1\tx\n"), 0, "1", 0, "", NULL },
	{ "email column, matched without case",
	  S("email\nHANAKO@example.JP\ntaro.old@example.jp\nnobody@example.jp\nmixed@case.jp\n"),
	  0, "1,2,5", 1, "4:nobody@example.jp;", NULL },
	{ "one address, two customers: both", S("email\nshared@example.jp\n"),
	  0, "6,7", 0, "", NULL },
	{ "phone column, normalised",
	  S("phone\n090-1111-2222\n+81 3-1234-5678\n080-0000-0000\n"),
	  0, "1,2", 1, "4:080-0000-0000;", NULL },
	{ "bare e-mail addresses and ids mixed", S("Taro@Example.jp\n1\n2\n"),
	  0, "2,1", 0, "", NULL },
	/* id,名前 / 1,山田 in CP932 */
	{ "CP932 list", S("id,\x96\xbc\x91\x4f\n1,\x8e\x52\x93\x63\n"), 0, "1", 0, "", NULL },
	{ "empty input", S(""), 0, "", 0, "", NULL },
	{ "a bare line that is neither id nor e-mail", S("1\nhello world\n2\n"), -1,
	  "", 0, "", "list.csv: line 2: not a customer id or e-mail address: 'hello world'" },
	{ "a header without a customer column", S("name,city\nA,B\n"), -1, "", 0, "",
	  "list.csv: line 1: no id, customer_id, email or phone column in the header" },
	{ "a non-numeric id", S("id\n1\nabc\n"), -1, "", 0, "",
	  "list.csv: line 3: id: not a customer id: 'abc'" },
	{ "bare list with two fields on a line", S("1\n2,3\n"), -1, "", 0, "",
	  "list.csv: line 2: expected one customer id or e-mail address per line" },
	{ "zero is no id", S("0\n"), -1, "", 0, "",
	  "list.csv: line 1: not a customer id or e-mail address: '0'" },
	{ "invalid bytes", S("1\n\xff\xfe\n"), -1, "", 0, "",
	  "list.csv: line 2: invalid UTF-8 byte sequence" },
};

static void
test_lists(struct tap *t, sqlite3 *db)
{
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct lcase *c = &cases[i];
		FILE *fp = tmpfile();
		struct crm_idlist l;
		struct crm_buf ids, warns;
		struct crm_err err;
		size_t unknown = 12345;
		int rc;

		if (c->len)
			fwrite(c->in, 1, c->len, fp);
		rewind(fp);
		crm_idlist_init(&l);
		crm_buf_init(&ids);
		crm_buf_init(&warns);
		crm_buf_adds(&warns, "");
		rc = crm_custlist_read(db, fp, "list.csv", &l, &unknown, warn_cb, &warns, &err);
		for (size_t k = 0; k < l.n; k++)
			crm_buf_addf(&ids, "%s%lld", k ? "," : "", (long long)l.ids[k]);
		crm_buf_adds(&ids, "");
		tap_is_int(t, rc, c->rc, c->name);
		if (rc == 0) {
			tap_is_str(t, ids.s, c->ids, "... ids in order");
			tap_is_int(t, (long long)unknown, c->unknown, "... unknown count");
			tap_is_str(t, warns.s, c->warnings, "... warnings with line numbers");
		} else {
			tap_is_str(t, err.msg, c->msg, "... message names file and line");
			tap_is_int(t, err.code, EX_DATAERR, "... EX_DATAERR");
			tap_is_int(t, (long long)l.n, 0, "... nothing added");
		}
		crm_idlist_release(&l);
		crm_buf_release(&ids);
		crm_buf_release(&warns);
		fclose(fp);
	}
}

/* The list is appended to; a failure leaves what was there. */
static void
test_append(struct tap *t, sqlite3 *db)
{
	struct crm_idlist l;
	struct crm_err err;
	FILE *fp;
	size_t unknown;

	crm_idlist_init(&l);
	crm_idlist_add(&l, 42);
	fp = tmpfile();
	fputs("1\nbogus\n", fp);
	rewind(fp);
	tap_is_int(t, crm_custlist_read(db, fp, "-", &l, &unknown, NULL, NULL, &err), -1,
	    "error with a list already holding an id");
	tap_ok(t, l.n == 1 && l.ids[0] == 42, "... the list is as it was");
	tap_is_str(t, err.msg, "-: line 2: not a customer id or e-mail address: 'bogus'",
	    "... stdin named '-'");
	fclose(fp);
	fp = tmpfile();
	fputs("1\n", fp);
	rewind(fp);
	crm_custlist_read(db, fp, "-", &l, NULL, NULL, NULL, &err);
	tap_ok(t, l.n == 2 && l.ids[0] == 42 && l.ids[1] == 1,
	    "success appends (unknown and warn may be NULL)");
	fclose(fp);
	crm_idlist_release(&l);
}

static void
test_lookup(struct tap *t, sqlite3 *db)
{
	static const struct {
		const char *key;
		int rc;
		long long id;
		const char *name;
	} k[] = {
		{ "1", 0, 1, "by id" },
		{ " 5 ", 0, 5, "by id, spaces trimmed" },
		{ "4", 0, 2, "merged id resolves to the survivor" },
		{ "99", 1, 0, "unknown id" },
		{ "HANAKO@EXAMPLE.JP", 0, 1, "by e-mail, any case" },
		{ "taro.old@example.jp", 0, 2, "e-mail of a merged identity" },
		{ "nobody@example.jp", 1, 0, "unknown e-mail" },
		{ "mixed@CASE.jp", 0, 5, "customer e-mail without an identity, any case" },
		{ "090-1111-2222", 0, 1, "by phone" },
		{ "０３（１２３４）５６７８", 0, 2, "by full-width phone" },
		{ "08000000000", 1, 0, "unknown phone" },
		{ "shared@example.jp", 0, 6, "two customers: the oldest" },
	};
	struct crm_err err;
	int64_t id;

	for (size_t i = 0; i < sizeof k / sizeof k[0]; i++) {
		int rc;

		id = 0;
		rc = crm_customer_lookup(db, k[i].key, &id, &err);
		tap_is_int(t, rc, k[i].rc, k[i].name);
		if (rc == 0)
			tap_is_int(t, id, k[i].id, "... the customer");
	}
	tap_is_int(t, crm_customer_lookup(db, "hello", &id, &err), -1, "garbage key");
	tap_is_str(t, err.msg, "'hello' is not a customer id, e-mail address or phone number",
	    "... says what it expected");
	tap_is_int(t, err.code, EX_DATAERR, "... EX_DATAERR");
	tap_is_int(t, crm_customer_lookup(db, "  ", &id, &err), -1, "empty key");
}

/* Every customer a key names, each once. */
static void
test_lookup_all(struct tap *t, sqlite3 *db)
{
	struct crm_idlist l;
	struct crm_err err;

	crm_idlist_init(&l);
	tap_is_int(t, crm_customer_lookup_all(db, "shared@example.jp", &l, &err), 2,
	    "lookup_all: a shared address names two customers");
	tap_ok(t, l.n == 2 && l.ids[0] == 6 && l.ids[1] == 7, "... 6 and 7, oldest first");
	l.n = 0;
	/* identities 2 and 3 and customer rows 2 and 3 all lead to 2 */
	tap_is_int(t, crm_customer_lookup_all(db, "taro.old@example.jp", &l, &err), 1,
	    "lookup_all: records of merged customers name the survivor once");
	tap_ok(t, l.n == 1 && l.ids[0] == 2, "... customer 2");
	l.n = 0;
	tap_is_int(t, crm_customer_lookup_all(db, "4", &l, &err), 1,
	    "lookup_all: a merged-away id");
	tap_ok(t, l.n == 1 && l.ids[0] == 2, "... names the survivor");
	l.n = 0;
	tap_is_int(t, crm_customer_lookup_all(db, "nobody@example.jp", &l, &err), 0,
	    "lookup_all: nobody");
	tap_is_int(t, (int)l.n, 0, "... appends nothing");
	tap_is_int(t, crm_customer_lookup_all(db, "hello", &l, &err), -1,
	    "lookup_all: garbage key");
	crm_idlist_release(&l);
}

int
main(void)
{
	struct tap t = TAP_INIT;
	struct crm_err err;
	sqlite3 *db;
	char dir[] = "/tmp/crm-unit-custlist.XXXXXX", path[256];

	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(path, sizeof path, "%s/crm.db", dir);
	if (crm_db_open(path, CRM_DB_RDWR, &db, &err) < 0 ||
	    crm_db_exec(db, fixture, &err) < 0) {
		printf("Bail out! %s\n", err.msg);
		return 1;
	}
	test_lists(&t, db);
	test_append(&t, db);
	test_lookup(&t, db);
	test_lookup_all(&t, db);
	crm_db_close(db);
	unlink(path);
	snprintf(path, sizeof path, "%s/crm.db-wal", dir);
	unlink(path);
	snprintf(path, sizeof path, "%s/crm.db-shm", dir);
	unlink(path);
	rmdir(dir);
	return tap_done(&t);
}
