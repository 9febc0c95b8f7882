/* Unit tests of lib/segment.c: the SQL it compiles (values only ever as
 * parameters), the flag translation, saved segments through the API the
 * scenario engine uses (crm_segment_saved_ids), and the stats figures. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db.h"
#include "segment.h"
#include "tap.h"

static sqlite3 *db;

static void
exec(const char *sql)
{
	struct crm_err err;

	if (crm_db_exec(db, sql, &err) < 0)
		printf("# %s: %s\n", sql, err.msg);
}

/* The compiled SQL of expr, or the error message. */
static char *
compile(const char *expr, size_t *np, int *code)
{
	struct crm_segment *seg;
	struct crm_err err;
	char *s;

	crm_err_clear(&err);
	*code = 0;
	if (crm_segment_compile(db, expr, "2026-06-30", &seg, &err) < 0) {
		*code = err.code;
		return strdup(err.msg);
	}
	s = strdup(crm_segment_sql(seg));
	if (np)
		*np = crm_segment_nparams(seg);
	crm_segment_free(seg);
	return s;
}

static void
sql_is(struct tap *t, const char *expr, const char *want, size_t wantp)
{
	size_t np = 0;
	int code;
	char *got = compile(expr, &np, &code), name[300];

	snprintf(name, sizeof name, "compiles: %s", expr);
	tap_is_str(t, got, want, name);
	snprintf(name, sizeof name, "parameters: %s", expr);
	tap_is_int(t, (long long)np, (long long)wantp, name);
	free(got);
}

static void
flag_is(struct tap *t, const char *flag, const char *arg, const char *want)
{
	struct crm_buf b;
	struct crm_err err;
	char name[200];

	crm_buf_init(&b);
	crm_buf_adds(&b, "");
	if (crm_segment_flag(&b, flag, arg, &err) < 0)
		crm_buf_adds(&b, err.msg);
	snprintf(name, sizeof name, "--%s %s", flag, arg ? arg : "");
	tap_is_str(t, b.s, want, name);
	crm_buf_release(&b);
}

static char *
ids(const char *name)
{
	struct crm_idlist l;
	struct crm_err err;
	struct crm_buf b;
	size_t i;

	crm_idlist_init(&l);
	crm_buf_init(&b);
	crm_buf_adds(&b, "");
	if (crm_segment_saved_ids(db, name, "2026-06-30", &l, &err) < 0)
		crm_buf_addf(&b, "error %d: %s", err.code, err.msg);
	for (i = 0; i < l.n; i++)
		crm_buf_addf(&b, "%s%lld", i ? " " : "", (long long)l.ids[i]);
	crm_idlist_release(&l);
	return crm_buf_detach(&b);
}

int
main(void)
{
	struct tap t = TAP_INIT;
	struct crm_err err;
	struct crm_segment *seg;
	struct crm_segment_stats st;
	struct crm_idlist only;
	char dir[] = "/tmp/crm-unit-seg.XXXXXX", path[256], cmd[300], *s;
	int code;
	size_t np;

	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(path, sizeof path, "%s/crm.db", dir);
	if (crm_db_open(path, CRM_DB_RDWR, &db, &err) < 0) {
		printf("Bail out! %s\n", err.msg);
		return 1;
	}

	sql_is(&t, "", "(1)", 0);
	sql_is(&t, "orders >= 2", "(c.orders >= ?1)", 1);
	sql_is(&t, "total between ¥1,000 and 2000円", "(c.total BETWEEN ?1 AND ?2)", 2);
	sql_is(&t, "last_order <= 2026-01-31", "(c.last_order < ?1)", 1);
	sql_is(&t, "last_order = today - 1d", "((c.last_order >= ?1 AND c.last_order < ?2))", 2);
	sql_is(&t, "member and not caution",
	    "(c.member = 1 AND (c.caution = 1) IS NOT 1)", 0);
	sql_is(&t, "guest", "(c.member = 0)", 0);
	sql_is(&t, "pref in (東京, \"大阪\")", "(c.prefecture IN (?1, ?2))", 2);
	sql_is(&t, "name = \"x'); DROP TABLE customers; --\"",
	    "(c.id IN (SELECT customer_id FROM identities WHERE name_key = ?1))", 1);
	sql_is(&t, "address ~ \"' OR 1=1 --\"", "(c.address REGEXP ?1)", 1);
	sql_is(&t, "address contains \"%_\"", "(instr(c.address, ?1) > 0)", 1);
	sql_is(&t, "tag != vip", "(c.id NOT IN (SELECT t.customer_id FROM tags t WHERE t.tag = ?1))", 1);
	sql_is(&t, "bought(\"A\", 2026-01-01..2026-01-31)",
	    "(c.id IN (SELECT o.customer_id FROM order_items i JOIN orders o ON o.id = "
	    "i.order_id WHERE o.status = 'ok' AND (i.sku = ?1 OR instr(i.product, ?1) > 0) "
	    "AND o.ordered_at >= ?2 AND o.ordered_at < ?3))", 3);
	sql_is(&t, "orders = 1 or orders = 2 and member",
	    "(c.orders = ?1 OR c.orders = ?2 AND c.member = 1)", 2);

	s = compile("a_or_b = 1", NULL, &code);
	tap_is_int(&t, code, EX_USAGE, "unknown field: EX_USAGE");
	tap_ok(&t, strncmp(s, "unknown field 'a_or_b'; known fields: id, orders,", 48) == 0,
	    "unknown field: message");
	free(s);
	s = compile("orders >", NULL, &code);
	tap_is_str(&t, s, "expected a number, found end of expression (column 9)\n"
	    "    orders >\n            ^", "syntax error: three lines, caret");
	free(s);
	{
		/* a long expression is shown as a window around the error */
		char longexpr[1000];
		size_t i, n = 0;

		for (i = 0; i < 40; i++)
			n += (size_t)snprintf(longexpr + n, sizeof longexpr - n,
			    "orders > %zu and ", i);
		snprintf(longexpr + n, sizeof longexpr - n, "orders >");
		s = compile(longexpr, NULL, &code);
		tap_ok(&t, strstr(s, "\n    ...") != NULL && strlen(s) < 400,
		    "long expression: a window with ...");
		tap_ok(&t, strstr(s, "orders >\n") != NULL, "long expression: the end is shown");
		free(s);
	}

	flag_is(&t, "total", "10,000..", "total >= 10000");
	flag_is(&t, "total", "..¥5000", "total <= 5000");
	flag_is(&t, "orders", "2..5", "orders between 2 and 5");
	flag_is(&t, "orders", "3", "orders = 3");
	flag_is(&t, "last-order", "90d..", "last_order >= 90d");
	flag_is(&t, "first-order", "2026/01/05..2026-01-31", "first_order between 2026-01-05 and 2026-01-31");
	flag_is(&t, "registered", "..30d", "registered <= 30d");
	flag_is(&t, "pref", "東京,大阪府", "pref in (\"東京都\", \"大阪府\")");
	flag_is(&t, "newsletter", "yes", "newsletter = yes");
	flag_is(&t, "notices", "0", "notices = no");
	flag_is(&t, "exclude-withdrawn", NULL, "not withdrawn");
	flag_is(&t, "keyword", "a\"b\\c", "keyword(\"a\\\"b\\\\c\")");
	flag_is(&t, "tag", "o'reilly", "tag = \"o'reilly\"");
	flag_is(&t, "shop", "web", "shop = \"web\"");
	flag_is(&t, "bought", "COF-*", "bought(\"COF-*\")");
	flag_is(&t, "guest", NULL, "guest");
	{
		struct crm_buf b;

		crm_buf_init(&b);
		crm_segment_flag(&b, "member", NULL, &err);
		crm_segment_flag_bought(&b, "X", "2026-01-01..30d", &err);
		crm_segment_and(&b, "a or b");
		tap_is_str(&t, b.s, "member and bought(\"X\", 2026-01-01..30d) and (a or b)",
		    "flags join with and; an expression is parenthesised");
		crm_buf_release(&b);
	}

	/* data: customers 1..4, 3 merged into 1 */
	exec("INSERT INTO shops (id, name, created_at) VALUES (1, 'web', '2026-01-01 00:00:00');"
	    "INSERT INTO customers (id, orders, total, first_order, last_order, member, created_at, updated_at) VALUES"
	    " (1, 2, 3000, '2026-01-01 10:00:00', '2026-01-11 09:00:00', 1, 'x', 'x'),"
	    " (2, 1, 5000, '2026-03-01 10:00:00', '2026-03-01 10:00:00', 0, 'x', 'x'),"
	    " (3, 0, 0, NULL, NULL, 1, 'x', 'x'),"
	    " (4, 3, 9000, '2026-02-01 10:00:00', '2026-02-20 10:00:00', 0, 'x', 'x');"
	    "UPDATE customers SET merged_into = 1 WHERE id = 3;"
	    "INSERT INTO identities (id, shop_id, customer_id, origin_customer, fingerprint, created_at)"
	    " VALUES (1, 1, 1, 1, 'a', 'x'), (2, 1, 2, 2, 'b', 'x'), (4, 1, 4, 4, 'd', 'x');"
	    "INSERT INTO orders (shop_id, order_no, ordered_at, status, total, identity_id, customer_id, created_at, updated_at) VALUES"
	    " (1, 'A1', '2026-01-01 10:00:00', 'ok', 1000, 1, 1, 'x', 'x'),"
	    " (1, 'A2', '2026-01-11 09:00:00', 'ok', 2000, 1, 1, 'x', 'x'),"
	    " (1, 'B1', '2026-03-01 10:00:00', 'ok', 5000, 2, 2, 'x', 'x'),"
	    " (1, 'D0', '2026-01-15 10:00:00', 'cancelled', 7000, 4, 4, 'x', 'x'),"
	    " (1, 'D1', '2026-02-01 10:00:00', 'ok', 3000, 4, 4, 'x', 'x'),"
	    " (1, 'D2', '2026-02-05 23:00:00', 'ok', 3000, 4, 4, 'x', 'x'),"
	    " (1, 'D3', '2026-02-20 10:00:00', 'ok', 3000, 4, 4, 'x', 'x');");

	tap_is_int(&t, crm_segment_save(db, "rep", "orders >= 2", NULL, "2026-06-30", &err), 0,
	    "save rep");
	tap_is_int(&t, crm_segment_save(db, "rep-members", "in_segment(rep) and member",
	    "--member", "2026-06-30", &err), 0, "save rep-members");
	s = ids("rep");
	tap_is_str(&t, s, "1 4", "crm_segment_saved_ids: active customers, ascending");
	free(s);
	s = ids("rep-members");
	tap_is_str(&t, s, "1", "crm_segment_saved_ids through in_segment");
	free(s);
	s = ids("nope");
	tap_is_str(&t, s, "error 65: no saved segment named 'nope' (see crm-segment list)",
	    "crm_segment_saved_ids: unknown name is EX_DATAERR");
	free(s);
	tap_is_int(&t, crm_segment_save(db, "rep", "in_segment(\"rep-members\")", NULL,
	    "2026-06-30", &err), -1, "a cycle is refused");
	tap_is_int(&t, err.code, EX_USAGE, "... with EX_USAGE");
	tap_is_int(&t, crm_segment_remove(db, "rep", &err), -1, "rm of a used segment refused");
	tap_is_int(&t, crm_segment_remove(db, "rep-members", &err), 0, "rm");
	tap_is_int(&t, crm_segment_remove(db, "rep", &err), 0, "then rm of the other");

	/* stats: buyers 1, 2, 4; orders 2+1+3 = 6, total 17000; intervals:
	 * customer 1: 2026-01-01 to 2026-01-11 = 10 days; customer 4: its
	 * cancelled order does not count, 2026-02-01 to 02-05 = 4 days;
	 * median (4 + 10) / 2 = 7. */
	crm_segment_compile(db, "true", "2026-06-30", &seg, &err);
	tap_is_int(&t, crm_segment_stats(db, seg, NULL, &st, &err), 0, "stats");
	tap_is_int(&t, st.customers, 3, "stats: customers (merged excluded)");
	tap_is_int(&t, st.buyers, 3, "stats: buyers");
	tap_is_int(&t, st.repeaters, 2, "stats: repeaters");
	tap_is_int(&t, st.orders, 6, "stats: orders");
	tap_is_int(&t, st.total, 17000, "stats: total");
	tap_ok(&t, st.repeat_rate > 0.6666 && st.repeat_rate < 0.6667, "stats: repeat rate 2/3");
	tap_ok(&t, st.aov > 2833.33 && st.aov < 2833.34, "stats: aov 17000/6");
	tap_ok(&t, st.repurchase_days == 7.0, "stats: median repurchase interval 7");
	tap_is_int(&t, st.intervals, 2, "stats: over 2 customers");
	crm_idlist_init(&only);
	crm_idlist_add(&only, 2);
	crm_idlist_add(&only, 4);
	tap_is_int(&t, crm_segment_stats(db, seg, &only, &st, &err), 0, "stats over a list");
	tap_is_int(&t, st.customers, 2, "list: customers");
	tap_ok(&t, st.repurchase_days == 4.0, "list: one interval, 4 days");
	tap_is_int(&t, crm_segment_ids(db, seg, &only, &only, &err), 0, "ids over a list");
	tap_is_int(&t, (long long)only.n, 4, "ids appended to the output list");
	crm_idlist_release(&only);
	crm_segment_free(seg);

	s = compile("bought_count(\"D\") >= 1", &np, &code);
	free(s);
	crm_segment_compile(db, "order_no = D0", "2026-06-30", &seg, &err);
	{
		int64_t n = -1;

		crm_segment_count(db, seg, NULL, &n, &err);
		tap_is_int(&t, n, 1, "order_no matches a cancelled order too");
	}
	crm_segment_free(seg);

	crm_db_close(db);
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", dir);
	return tap_done(&t);
}
