/* importer.c: the row -> order/items/buyer pipeline of crm-import.
 *
 * Rows are read one at a time and collected while they belong to the
 * same order (same shop and order number); when the order changes the
 * collected order is "flushed": validated as a whole, its buyer attached
 * to a customer, and written.  A bad row rejects its whole order, so an
 * order never lands with some of its items missing.
 *
 * Two temporary tables carry what must outlive one order: imp_orders (every
 * order written in this call, with its digest before the call, so that a
 * re-import is told apart from an update even when an order's rows are not
 * adjacent) and imp_touched (customers to recompute at the end). */
#define _GNU_SOURCE          /* fopencookie */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/sha.h>

#include "importer.h"
#include "customer.h"
#include "date.h"
#include "db.h"
#include "norm.h"
#include "rules.h"
#include "util.h"
#include "banned.h"

/* One raw row, kept for the rejects file. */
struct row {
	long line;
	struct crm_buf data;      /* fields NUL-separated */
	size_t *off;
	size_t n, cap;
	char *reason;             /* NULL: the row itself is fine */
};

struct item {
	char *sku, *product;
	int64_t quantity, unit_price, line_total;
	int has_price, has_line_total;
};

/* Order-level and buyer values: the first non-empty of the order's rows. */
enum { V_ORDERED, V_SHIPPED, V_STATUS, V_TOTAL, V_COUPON, V_SUBSCRIPTION,
	V_EMAIL, V_NAME, V_KANA, V_PHONE, V_POSTCODE, V_PREF, V_ADDRESS,
	V_BIRTHDAY, V_MEMBER_ID, V_NEWSLETTER, V_NOTICES, NV };
static const enum crm_mfield vfield[NV] = {
	CRM_M_ORDERED_AT, CRM_M_SHIPPED_AT, CRM_M_STATUS, CRM_M_TOTAL,
	CRM_M_COUPON, CRM_M_SUBSCRIPTION, CRM_M_EMAIL, CRM_M_NAME, CRM_M_KANA,
	CRM_M_PHONE, CRM_M_POSTCODE, CRM_M_PREFECTURE, CRM_M_ADDRESS,
	CRM_M_BIRTHDAY, CRM_M_MEMBER_ID, CRM_M_NEWSLETTER, CRM_M_NOTICES,
};

struct group {
	int active;
	char *shop, *order_no;
	long first_line;
	char *v[NV];
	int cancelled;
	struct item *items;
	size_t nitems, capitems;
	struct row *rows;
	size_t nrows, caprows;
	int bad;
};

struct shop {
	char *name;
	int64_t id;
	struct crm_ruleset rs;
};

struct crm_importer {
	sqlite3 *db;
	struct crm_import_opts o;
	struct crm_customer_ctx *cc;
	sqlite3_stmt *find_order, *ins_order, *upd_order, *del_items, *ins_item,
	    *sel_items, *find_imp, *move_imp, *ins_imp, *touch, *sel_order;
	struct shop *shops;
	size_t nshops;
	struct crm_import_counts *counts;   /* per file */
	int nfiles;
	long long seq;
	int64_t max_customer, max_order;   /* at the start of the call */
	int64_t bulk_div;         /* bulk mode after 1/bulk_div new rows */
	char now[20];

	/* Bulk mode: indexes the import does not read, dropped while it
	 * writes and built again, by sorting, at the end. */
	long long new_orders, new_customers;
	int bulk;                 /* 1: the indexes below are dropped */
	char **deferred;          /* their CREATE INDEX statements */
	size_t ndeferred;

	/* the file being read */
	const char *file;
	struct crm_binding *b;
	char **header;
	size_t nheader;
	const char *consent_at;
	crm_import_reject_fn *reject;
	void *arg;
	struct group g;
	struct crm_buf val;
};

/* Keyed by the order's rowid so that a new order is an append; orders
 * and customers created in this call are those above the maximum ids at
 * the start, so only pre-existing customers need imp_touched. */
#define IMP_SCHEMA \
	"CREATE TEMP TABLE IF NOT EXISTS imp_orders (" \
	"  order_id INTEGER PRIMARY KEY, file INTEGER NOT NULL," \
	"  existed INTEGER NOT NULL, pre_digest TEXT, pre_updated_at TEXT," \
	"  pre_file TEXT, pre_line INTEGER, total_given INTEGER," \
	"  seq INTEGER NOT NULL);" \
	"CREATE TEMP TABLE IF NOT EXISTS imp_touched (id INTEGER PRIMARY KEY);" \
	"DELETE FROM imp_orders; DELETE FROM imp_touched;"

static int bulk_divisor(sqlite3 *, int64_t *, struct crm_err *);

int
crm_importer_open(sqlite3 *db, const struct crm_import_opts *opts,
    struct crm_importer **out, struct crm_err *err)
{
	struct crm_importer *imp = crm_xcalloc(1, sizeof *imp);
	int64_t fk;

	imp->db = db;
	imp->o = *opts;
	crm_buf_init(&imp->val);
	crm_db_now(imp->now);
	/* A bounded page cache larger than the default.  A big import
	 * looks up and inserts buyer and order keys at random places of the
	 * unique and match-rule indexes (about 135 MB for 10^6 line items):
	 * every miss is a read back from the WAL and every spill a write to
	 * it.  The cache only grows with the pages a call touches, so a small
	 * import stays small; 256 MiB is the ceiling whatever the file. */
	if (crm_db_exec(db, "PRAGMA cache_size = -262144", err) < 0 ||
	    crm_db_exec(db, IMP_SCHEMA, err) < 0 ||
	    crm_db_int(db, "SELECT coalesce(max(id), 0) FROM customers",
	    &imp->max_customer, err) < 0 ||
	    crm_db_int(db, "SELECT coalesce(max(id), 0) FROM orders",
	    &imp->max_order, err) < 0 ||
	    bulk_divisor(db, &imp->bulk_div, err) < 0 ||
	    crm_customer_ctx_open(db, &imp->cc, err) < 0 ||
	    crm_customer_ctx_no_merges(imp->cc, err) < 0 ||
	    crm_db_int(db, "PRAGMA foreign_keys", &fk, err) < 0 ||
	    (fk != 0 && crm_err_set(err, EX_SOFTWARE, "import: foreign key "
	    "enforcement must be off (a new customer's row is written at the "
	    "end of the call)") < 0) ||
	    crm_customer_ctx_defer_new(imp->cc, err) < 0 ||
	    crm_db_prepare(db, "SELECT id, digest, customer_id, updated_at,"
	    " source_file, source_line FROM orders WHERE shop_id = ?1 AND order_no = ?2",
	    &imp->find_order, err) < 0 ||
	    crm_db_prepare(db, "INSERT INTO orders (shop_id, order_no, ordered_at,"
	    " shipped_at, status, total, coupon, subscription, identity_id,"
	    " customer_id, source_file, source_line, digest, created_at, updated_at)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?14)",
	    &imp->ins_order, err) < 0 ||
	    crm_db_prepare(db, "UPDATE orders SET ordered_at = ?3, shipped_at = ?4,"
	    " status = ?5, total = ?6, coupon = ?7, subscription = ?8,"
	    " identity_id = ?9, customer_id = ?10, source_file = ?11,"
	    " source_line = ?12, digest = ?13, updated_at = ?14 WHERE id = ?1",
	    &imp->upd_order, err) < 0 ||
	    crm_db_prepare(db, "DELETE FROM order_items WHERE order_id = ?1",
	    &imp->del_items, err) < 0 ||
	    crm_db_prepare(db, "INSERT INTO order_items (order_id, line, sku,"
	    " product, quantity, unit_price) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	    &imp->ins_item, err) < 0 ||
	    crm_db_prepare(db, "SELECT sku, product, quantity, unit_price"
	    " FROM order_items WHERE order_id = ?1 ORDER BY line",
	    &imp->sel_items, err) < 0 ||
	    crm_db_prepare(db, "SELECT total_given, file FROM imp_orders"
	    " WHERE order_id = ?1", &imp->find_imp, err) < 0 ||
	    crm_db_prepare(db, "UPDATE imp_orders SET file = ?2 WHERE order_id = ?1",
	    &imp->move_imp, err) < 0 ||
	    crm_db_prepare(db, "INSERT INTO imp_orders (order_id, file,"
	    " existed, pre_digest, pre_updated_at, pre_file, pre_line,"
	    " total_given, seq) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
	    &imp->ins_imp, err) < 0 ||
	    crm_db_prepare(db, "INSERT OR IGNORE INTO imp_touched (id) VALUES (?1)",
	    &imp->touch, err) < 0 ||
	    crm_db_prepare(db, "SELECT o.ordered_at, o.shipped_at, o.status, o.total,"
	    " o.coupon, o.subscription, o.identity_id, o.customer_id, o.digest,"
	    " i.fingerprint FROM orders o JOIN identities i ON i.id = o.identity_id"
	    " WHERE o.id = ?1", &imp->sel_order, err) < 0) {
		crm_importer_close(imp);
		return -1;
	}
	*out = imp;
	return 0;
}

static void
group_clear(struct group *g)
{
	size_t i;

	free(g->shop);
	free(g->order_no);
	g->shop = g->order_no = NULL;
	for (i = 0; i < NV; i++) {
		free(g->v[i]);
		g->v[i] = NULL;
	}
	for (i = 0; i < g->nitems; i++) {
		free(g->items[i].sku);
		free(g->items[i].product);
	}
	g->nitems = 0;
	for (i = 0; i < g->nrows; i++) {
		free(g->rows[i].reason);
		g->rows[i].reason = NULL;
	}
	g->nrows = 0;
	g->cancelled = g->bad = g->active = 0;
	g->first_line = 0;
}

static void
group_release(struct group *g)
{
	size_t i;

	group_clear(g);
	for (i = 0; i < g->caprows; i++) {
		crm_buf_release(&g->rows[i].data);
		free(g->rows[i].off);
	}
	free(g->rows);
	free(g->items);
	memset(g, 0, sizeof *g);
}

static void
header_release(struct crm_importer *imp)
{
	for (size_t i = 0; i < imp->nheader; i++)
		free(imp->header[i]);
	free(imp->header);
	imp->header = NULL;
	imp->nheader = 0;
}

void
crm_importer_close(struct crm_importer *imp)
{
	size_t i;

	if (imp == NULL)
		return;
	sqlite3_finalize(imp->find_order);
	sqlite3_finalize(imp->ins_order);
	sqlite3_finalize(imp->upd_order);
	sqlite3_finalize(imp->del_items);
	sqlite3_finalize(imp->ins_item);
	sqlite3_finalize(imp->sel_items);
	sqlite3_finalize(imp->find_imp);
	sqlite3_finalize(imp->move_imp);
	sqlite3_finalize(imp->ins_imp);
	sqlite3_finalize(imp->touch);
	sqlite3_finalize(imp->sel_order);
	crm_customer_ctx_close(imp->cc);
	for (i = 0; i < imp->nshops; i++) {
		free(imp->shops[i].name);
		crm_ruleset_release(&imp->shops[i].rs);
	}
	free(imp->shops);
	free(imp->counts);
	for (i = 0; i < imp->ndeferred; i++)
		free(imp->deferred[i]);
	free(imp->deferred);
	crm_binding_free(imp->b);
	header_release(imp);
	group_release(&imp->g);
	crm_buf_release(&imp->val);
	free(imp);
}

/* ---- bulk mode ------------------------------------------------------------ */

/* Below this many new orders (or customers) every index is kept up to
 * date row by row: it all fits in the page cache. */
#define BULK_MIN 20000

/* An index the import itself reads: kept in bulk mode.  Every other index
 * of these tables takes a random b-tree insert per row (an e-mail, a
 * total, a date are in no useful order), which for a million rows means
 * a million page cache misses, each a read from a WAL that grows with the
 * transaction: the import became quadratic.  Building such an index once
 * at the end sorts its keys instead. */
static int
index_needed(const char *table, const char *col, unsigned rule_fields)
{
	unsigned f;

	if (col == NULL)
		return 0;
	if (strcmp(table, "customers") == 0)
		return strcmp(col, "merged_into") == 0;
	if (strcmp(table, "orders") == 0)
		return strcmp(col, "identity_id") == 0;
	if (strcmp(table, "order_items") == 0)
		return strcmp(col, "order_id") == 0;
	if (strcmp(col, "customer_id") == 0)
		return 1;
	for (f = 1; f <= CRM_F_MEMBER_ID; f <<= 1)
		if ((rule_fields & f) &&
		    strcmp(col, crm_field_column((enum crm_field)f)) == 0)
			return 1;
	return 0;
}

/* The fields whose index a lookup by a rule in force uses (rules.h), for
 * every shop, and those of the default rules. */
static int
rule_fields_all(sqlite3 *db, unsigned *out, struct crm_err *err)
{
	sqlite3_stmt *st;
	struct crm_rule r;
	struct crm_err ignored;
	int rc;

	*out = CRM_F_EMAIL | CRM_F_PHONE;
	if (crm_db_prepare(db, "SELECT rule FROM match_rules", &st, err) < 0)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (crm_rule_parse((const char *)sqlite3_column_text(st, 0), &r,
		    &ignored) == 0)
			*out |= crm_rule_driver(r.fields);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return crm_db_err(db, err, "match_rules");
	return 0;
}

/* How early bulk mode pays.  While the database fits in the page cache
 * an index insert is cheap, and rebuilding pays only once a call has
 * written half as many rows as the database had.  Once it does not fit,
 * every insert is a miss read back from disk or the WAL: make bench's
 * 1.9M line items into a database of 750k orders took 2762 s row by row,
 * so bulk mode starts after an eighth (at 10^5, in cache, an eighth made
 * the same import slower: 13 s -> 20 s). */
static int
bulk_divisor(sqlite3 *db, int64_t *out, struct crm_err *err)
{
	int64_t pages, size;

	if (crm_db_int(db, "PRAGMA page_count", &pages, err) < 0 ||
	    crm_db_int(db, "PRAGMA page_size", &size, err) < 0)
		return -1;
	*out = pages * size > (int64_t)256 << 20 ? 8 : 2;
	return 0;
}

/* Enter bulk mode once this call has written 1/bulk_div as many new
 * orders or customers as the database had: from then on rebuilding the
 * indexes (a sort of every row) costs less than keeping them (a cache
 * miss per new row and index once they outgrow the cache).  Called between orders, with no statement running.
 * All inside the call's transaction, so a kill leaves the indexes as
 * they were. */
static int
bulk_check(struct crm_importer *imp, struct crm_err *err)
{
	sqlite3_stmt *st;
	unsigned fields;
	char *drop, **names = NULL;
	int rc;

	if (imp->bulk)
		return 0;
	if (!((imp->new_orders >= BULK_MIN &&
	    imp->new_orders > imp->max_order / imp->bulk_div) ||
	    (imp->new_customers >= BULK_MIN &&
	    imp->new_customers > imp->max_customer / imp->bulk_div)))
		return 0;
	imp->bulk = 1;
	if (rule_fields_all(imp->db, &fields, err) < 0)
		return -1;
	/* Unique indexes stay: they are constraints, and a duplicate must
	 * fail at its row, not at the end.  (Automatic ones have no SQL.) */
	if (crm_db_prepare(imp->db, "SELECT s.name, s.tbl_name, s.sql,"
	    " (SELECT ii.name FROM pragma_index_info(s.name) ii WHERE ii.seqno = 0)"
	    " FROM sqlite_schema s JOIN pragma_index_list(s.tbl_name) l"
	    " ON l.name = s.name AND l.\"unique\" = 0"
	    " WHERE s.type = 'index' AND s.sql IS NOT NULL"
	    " AND s.tbl_name IN ('customers', 'identities', 'orders', 'order_items')"
	    " ORDER BY s.rowid", &st, err) < 0)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 0);
		const char *table = (const char *)sqlite3_column_text(st, 1);
		const char *sql = (const char *)sqlite3_column_text(st, 2);
		const char *col = (const char *)sqlite3_column_text(st, 3);

		if (name == NULL || table == NULL || sql == NULL ||
		    index_needed(table, col, fields))
			continue;
		imp->deferred = crm_xreallocarray(imp->deferred,
		    imp->ndeferred + 1, sizeof *imp->deferred);
		names = crm_xreallocarray(names, imp->ndeferred + 1, sizeof *names);
		imp->deferred[imp->ndeferred] = crm_xstrdup(sql);
		names[imp->ndeferred++] = crm_xstrdup(name);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		for (size_t i = 0; i < imp->ndeferred; i++)
			free(names[i]);
		free(names);
		return crm_db_err(imp->db, err, "sqlite_schema");
	}
	rc = 0;
	/* Names come from the schema, not from input; an identifier cannot
	 * be a bound parameter. */
	for (size_t i = 0; i < imp->ndeferred; i++) {
		drop = sqlite3_mprintf("DROP INDEX \"%w\"", names[i]);
		if (drop == NULL)
			rc = crm_err_set(err, EX_OSERR, "out of memory");
		else
			rc = crm_db_exec(imp->db, drop, err);
		sqlite3_free(drop);
		if (rc < 0)
			break;
	}
	for (size_t i = 0; i < imp->ndeferred; i++)
		free(names[i]);
	free(names);
	return rc < 0 ? -1 : 0;
}

/* Build the indexes bulk mode dropped. */
static int
bulk_finish(struct crm_importer *imp, struct crm_err *err)
{
	for (size_t i = 0; i < imp->ndeferred; i++)
		if (crm_db_exec(imp->db, imp->deferred[i], err) < 0)
			return -1;
	for (size_t i = 0; i < imp->ndeferred; i++)
		free(imp->deferred[i]);
	free(imp->deferred);
	imp->deferred = NULL;
	imp->ndeferred = 0;
	return 0;
}

/* ---- helpers ------------------------------------------------------------ */

static struct shop *
shop_get(struct crm_importer *imp, const char *name, struct crm_err *err)
{
	struct shop *s;
	size_t i;

	for (i = 0; i < imp->nshops; i++)
		if (strcmp(imp->shops[i].name, name) == 0)
			return &imp->shops[i];
	imp->shops = crm_xreallocarray(imp->shops, imp->nshops + 1, sizeof *imp->shops);
	s = &imp->shops[imp->nshops];
	memset(s, 0, sizeof *s);
	if (crm_db_shop_id(imp->db, name, 1, &s->id, err) < 0)
		return NULL;
	if (crm_rules_load(imp->db, s->id, &s->rs, err) < 0)
		return NULL;
	s->name = crm_xstrdup(name);
	imp->nshops++;
	return s;
}

static int
touch(struct crm_importer *imp, int64_t id, struct crm_err *err)
{
	int rc;

	if (id > imp->max_customer)
		return 0;   /* created in this call: recomputed anyway */
	sqlite3_reset(imp->touch);
	sqlite3_bind_int64(imp->touch, 1, id);
	rc = sqlite3_step(imp->touch);
	sqlite3_reset(imp->touch);
	if (rc != SQLITE_DONE)
		return crm_db_err(imp->db, err, "import");
	return 0;
}

static int
step_done(struct crm_importer *imp, sqlite3_stmt *st, const char *what,
    struct crm_err *err)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return crm_db_err(imp->db, err, what);
	return 0;
}

static void
row_keep(struct group *g, const struct crm_csv_record *rec)
{
	struct row *r;

	if (g->nrows == g->caprows) {
		size_t ncap = g->caprows ? g->caprows * 2 : 8;

		g->rows = crm_xreallocarray(g->rows, ncap, sizeof *g->rows);
		memset(g->rows + g->caprows, 0, (ncap - g->caprows) * sizeof *g->rows);
		g->caprows = ncap;
	}
	r = &g->rows[g->nrows++];
	r->line = rec->line;
	r->reason = NULL;
	crm_buf_reset(&r->data);
	if (r->cap < rec->nfields) {
		r->cap = rec->nfields;
		r->off = crm_xreallocarray(r->off, r->cap, sizeof *r->off);
	}
	r->n = rec->nfields;
	for (size_t i = 0; i < rec->nfields; i++) {
		r->off[i] = r->data.len;
		crm_buf_add(&r->data, rec->fields[i], rec->lens[i]);
		crm_buf_addc(&r->data, '\0');
	}
}

static void
row_reject(struct crm_importer *imp, const char *file, const struct row *r,
    const char *reason)
{
	const char **f;

	if (imp->reject == NULL)
		return;
	f = crm_xcalloc(r->n ? r->n : 1, sizeof *f);
	for (size_t i = 0; i < r->n; i++)
		f[i] = r->data.s + r->off[i];
	imp->reject(imp->arg, file, (const char *const *)imp->header,
	    imp->nheader, f, r->n, r->line, reason);
	free(f);
}

/* "ordered_at: date: 'x' is not a date" reads better without "date: ". */
static const char *
bare(const char *msg)
{
	const char *p = msg;

	while ((*p >= 'a' && *p <= 'z') || *p == '_')
		p++;
	if (p > msg && p[0] == ':' && p[1] == ' ')
		return p + 2;
	return msg;
}

static void
row_fail(struct group *g, const char *fmt, const char *a, const char *b)
{
	struct crm_buf m;
	struct row *r = &g->rows[g->nrows - 1];

	if (r->reason != NULL)
		return;   /* the first problem of a row is its reason */
	crm_buf_init(&m);
	crm_buf_addf(&m, fmt, a, b);
	r->reason = crm_buf_detach(&m);
	g->bad = 1;
}

/* Reject every row of the group: the bad ones with their own reason, the
 * others because their order cannot land without them. */
static void
group_reject(struct crm_importer *imp, struct crm_import_counts *c,
    const char *reason)
{
	struct group *g = &imp->g;
	long badline = 0;
	char buf[96];

	for (size_t i = 0; i < g->nrows && badline == 0; i++)
		if (g->rows[i].reason)
			badline = g->rows[i].line;
	snprintf(buf, sizeof buf, "another row of this order was rejected (line %ld)",
	    badline);
	for (size_t i = 0; i < g->nrows; i++) {
		const char *why = g->rows[i].reason ? g->rows[i].reason :
		    reason ? reason : buf;

		row_reject(imp, imp->file, &g->rows[i], why);
	}
	c->rejected += (long long)g->nrows;
}

static void
digest_add(struct crm_buf *b, const char *s)
{
	if (s)
		crm_buf_adds(b, s);
	else
		crm_buf_addc(b, '\x01');
	crm_buf_addc(b, '\x1f');
}

static void
digest_addi(struct crm_buf *b, int64_t v, int has)
{
	if (has)
		crm_buf_addf(b, "%lld", (long long)v);
	else
		crm_buf_addc(b, '\x01');
	crm_buf_addc(b, '\x1f');
}

struct order {
	const char *ordered_at, *shipped_at, *status, *coupon, *fingerprint;
	int64_t total;
	int subscription;
	struct item *items;
	size_t nitems;
};

static void
order_digest(const struct order *o, char out[65])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[SHA256_DIGEST_LENGTH];
	struct crm_buf b;

	crm_buf_init(&b);
	digest_add(&b, o->ordered_at);
	digest_add(&b, o->shipped_at);
	digest_add(&b, o->status);
	digest_addi(&b, o->total, 1);
	digest_add(&b, o->coupon);
	digest_addi(&b, o->subscription, 1);
	digest_add(&b, o->fingerprint);
	for (size_t i = 0; i < o->nitems; i++) {
		digest_add(&b, o->items[i].sku);
		digest_add(&b, o->items[i].product);
		digest_addi(&b, o->items[i].quantity, 1);
		digest_addi(&b, o->items[i].unit_price, o->items[i].has_price);
	}
	SHA256((const unsigned char *)b.s, b.len, md);
	crm_buf_release(&b);
	for (int i = 0; i < SHA256_DIGEST_LENGTH; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[64] = '\0';
}

/* ---- writing an order ------------------------------------------------------ */

static int
write_items(struct crm_importer *imp, int64_t order_id, const struct item *it,
    size_t n, struct crm_err *err)
{
	sqlite3_stmt *st = imp->ins_item;

	for (size_t i = 0; i < n; i++) {
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, order_id);
		sqlite3_bind_int64(st, 2, (int64_t)i + 1);
		crm_db_bind_text_null(st, 3, it[i].sku);
		crm_db_bind_text_null(st, 4, it[i].product);
		sqlite3_bind_int64(st, 5, it[i].quantity);
		if (it[i].has_price)
			sqlite3_bind_int64(st, 6, it[i].unit_price);
		else
			sqlite3_bind_null(st, 6);
		if (step_done(imp, st, "order_items", err) < 0)
			return -1;
	}
	return 0;
}

static void
bind_order(sqlite3_stmt *st, int64_t first, const char *order_no,
    const struct order *o, int64_t identity_id, int64_t customer_id,
    const char *file, long line, const char *digest, const char *now)
{
	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, first);
	if (order_no)
		crm_db_bind_text(st, 2, order_no);
	crm_db_bind_text(st, 3, o->ordered_at);
	crm_db_bind_text_null(st, 4, o->shipped_at);
	crm_db_bind_text(st, 5, o->status);
	sqlite3_bind_int64(st, 6, o->total);
	crm_db_bind_text_null(st, 7, o->coupon);
	sqlite3_bind_int(st, 8, o->subscription);
	sqlite3_bind_int64(st, 9, identity_id);
	sqlite3_bind_int64(st, 10, customer_id);
	crm_db_bind_text_null(st, 11, file);
	sqlite3_bind_int64(st, 12, line);
	crm_db_bind_text(st, 13, digest);
	crm_db_bind_text(st, 14, now);
}

static int
imp_insert(struct crm_importer *imp, int64_t order_id, int existed,
    sqlite3_stmt *prev, int total_given, int64_t total, struct crm_err *err)
{
	sqlite3_stmt *st = imp->ins_imp;

	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, order_id);
	sqlite3_bind_int(st, 2, imp->nfiles - 1);
	sqlite3_bind_int(st, 3, existed);
	if (prev) {
		sqlite3_bind_value(st, 4, sqlite3_column_value(prev, 1));
		sqlite3_bind_value(st, 5, sqlite3_column_value(prev, 3));
		sqlite3_bind_value(st, 6, sqlite3_column_value(prev, 4));
		sqlite3_bind_value(st, 7, sqlite3_column_value(prev, 5));
	} else {
		for (int i = 4; i <= 7; i++)
			sqlite3_bind_null(st, i);
	}
	if (total_given)
		sqlite3_bind_int64(st, 8, total);
	else
		sqlite3_bind_null(st, 8);
	sqlite3_bind_int64(st, 9, imp->seq++);
	return step_done(imp, st, "import", err);
}

static char *
col_dup(sqlite3_stmt *st, int i)
{
	const unsigned char *s = sqlite3_column_text(st, i);

	return s ? crm_xstrdup((const char *)s) : NULL;
}

/* Rows of an order already written in this call: the order is the union,
 * the earlier rows' order-level values first. */
static int
merge_order(struct crm_importer *imp, int64_t order_id, int total_given,
    int64_t given_total, struct crm_err *err)
{
	struct group *g = &imp->g;
	struct item *all = NULL;
	size_t n = 0, cap = 0, i;
	char *ordered = NULL, *shipped = NULL, *status = NULL, *coupon = NULL,
	    *olddigest = NULL, *fingerprint = NULL;
	int64_t identity_id = 0, customer_id = 0, total = 0;
	int subscription = 0, rc, ret = -1, priced = 1;
	char digest[65];
	struct order o;

	sqlite3_reset(imp->sel_order);
	sqlite3_bind_int64(imp->sel_order, 1, order_id);
	if ((rc = sqlite3_step(imp->sel_order)) != SQLITE_ROW) {
		sqlite3_reset(imp->sel_order);
		return crm_db_err(imp->db, err, "orders");
	}
	ordered = col_dup(imp->sel_order, 0);
	shipped = col_dup(imp->sel_order, 1);
	status = col_dup(imp->sel_order, 2);
	coupon = col_dup(imp->sel_order, 4);
	subscription = sqlite3_column_int(imp->sel_order, 5);
	identity_id = sqlite3_column_int64(imp->sel_order, 6);
	customer_id = sqlite3_column_int64(imp->sel_order, 7);
	olddigest = col_dup(imp->sel_order, 8);
	fingerprint = col_dup(imp->sel_order, 9);
	sqlite3_reset(imp->sel_order);

	sqlite3_reset(imp->sel_items);
	sqlite3_bind_int64(imp->sel_items, 1, order_id);
	while ((rc = sqlite3_step(imp->sel_items)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 8;
			all = crm_xreallocarray(all, cap, sizeof *all);
		}
		memset(&all[n], 0, sizeof all[n]);
		all[n].sku = col_dup(imp->sel_items, 0);
		all[n].product = col_dup(imp->sel_items, 1);
		all[n].quantity = sqlite3_column_int64(imp->sel_items, 2);
		all[n].has_price = sqlite3_column_type(imp->sel_items, 3) != SQLITE_NULL;
		all[n].unit_price = sqlite3_column_int64(imp->sel_items, 3);
		n++;
	}
	sqlite3_reset(imp->sel_items);
	if (rc != SQLITE_DONE) {
		crm_db_err(imp->db, err, "order_items");
		goto out;
	}
	for (i = 0; i < g->nitems; i++) {
		if (n == cap) {
			cap = cap ? cap * 2 : 8;
			all = crm_xreallocarray(all, cap, sizeof *all);
		}
		all[n] = g->items[i];
		all[n].sku = g->items[i].sku ? crm_xstrdup(g->items[i].sku) : NULL;
		all[n].product = g->items[i].product ?
		    crm_xstrdup(g->items[i].product) : NULL;
		n++;
	}
	if (total_given)
		total = given_total;
	else if (g->v[V_TOTAL])
		total = strtoll(g->v[V_TOTAL], NULL, 10);
	else {
		for (i = 0; i < n; i++) {
			if (!all[i].has_price)
				priced = 0;
			total += all[i].quantity * all[i].unit_price;
		}
		if (!priced || n == 0)
			total = 0;
	}
	o.ordered_at = ordered;
	o.shipped_at = shipped ? shipped : g->v[V_SHIPPED];
	o.status = status;
	o.coupon = coupon ? coupon : g->v[V_COUPON];
	o.subscription = subscription;
	o.fingerprint = fingerprint;
	o.total = total;
	o.items = all;
	o.nitems = n;
	order_digest(&o, digest);
	if (olddigest && strcmp(olddigest, digest) == 0) {
		ret = 0;
		goto out;
	}
	bind_order(imp->upd_order, order_id, NULL, &o, identity_id, customer_id,
	    imp->file, g->first_line, digest, imp->now);
	if (step_done(imp, imp->upd_order, "orders", err) < 0)
		goto out;
	sqlite3_reset(imp->del_items);
	sqlite3_bind_int64(imp->del_items, 1, order_id);
	if (step_done(imp, imp->del_items, "order_items", err) < 0 ||
	    write_items(imp, order_id, all, n, err) < 0 ||
	    touch(imp, customer_id, err) < 0)
		goto out;
	ret = 0;
out:
	for (i = 0; i < n; i++) {
		free(all[i].sku);
		free(all[i].product);
	}
	free(all);
	free(ordered);
	free(shipped);
	free(status);
	free(coupon);
	free(olddigest);
	free(fingerprint);
	return ret;
}

/* Validate and write the collected order.  Returns -1 only on a database
 * error; a bad order is rejected and counted. */
static int
flush_order(struct crm_importer *imp, struct crm_import_counts *c,
    struct crm_err *err)
{
	struct group *g = &imp->g;
	struct crm_buyer buyer;
	struct crm_buyer_keys keys;
	struct crm_err e;
	struct shop *shop;
	struct order o;
	char digest[65], where[512];
	int64_t total = 0, identity_id, customer_id, order_id;
	int created, rc, ret = -1, total_given = 0, priced = 1;
	size_t i;

	if (!g->active)
		return 0;
	if (bulk_check(imp, err) < 0)
		return -1;
	if (g->bad) {
		group_reject(imp, c, NULL);
		group_clear(g);
		return 0;
	}
	if (g->v[V_ORDERED] == NULL) {
		group_reject(imp, c, "ordered_at: empty (the order date is required)");
		group_clear(g);
		return 0;
	}
	if (g->v[V_TOTAL]) {
		total = strtoll(g->v[V_TOTAL], NULL, 10);
		total_given = 1;
	} else {
		for (i = 0; i < g->nitems; i++) {
			if (g->items[i].has_line_total)
				total += g->items[i].line_total;
			else if (g->items[i].has_price)
				total += g->items[i].quantity * g->items[i].unit_price;
			else
				priced = 0;
		}
		if (!priced || g->nitems == 0) {
			group_reject(imp, c, "total: empty, and no unit prices to add "
			    "up (expected a total or unit_price column value)");
			group_clear(g);
			return 0;
		}
	}

	memset(&buyer, 0, sizeof buyer);
	buyer.email = g->v[V_EMAIL];
	buyer.name = g->v[V_NAME];
	buyer.kana = g->v[V_KANA];
	buyer.phone = g->v[V_PHONE];
	buyer.postcode = g->v[V_POSTCODE];
	buyer.prefecture = g->v[V_PREF];
	buyer.address = g->v[V_ADDRESS];
	buyer.birthday = g->v[V_BIRTHDAY];
	buyer.member_id = g->v[V_MEMBER_ID];
	buyer.newsletter = g->v[V_NEWSLETTER] ? g->v[V_NEWSLETTER][0] == '1' : -1;
	buyer.notices = g->v[V_NOTICES] ? g->v[V_NOTICES][0] == '1' : -1;
	buyer.consent_at = g->v[V_ORDERED];
	if (crm_buyer_keys(&buyer, &keys, &e) < 0) {
		group_reject(imp, c, e.msg);
		group_clear(g);
		return 0;
	}
	if ((shop = shop_get(imp, g->shop, err)) == NULL)
		goto out;
	snprintf(where, sizeof where, "%s:%ld", imp->file, g->first_line);

	o.ordered_at = g->v[V_ORDERED];
	o.shipped_at = g->v[V_SHIPPED];
	o.status = g->cancelled ? "cancelled" : g->v[V_STATUS] ? g->v[V_STATUS] : "ok";
	o.coupon = g->v[V_COUPON];
	o.subscription = g->v[V_SUBSCRIPTION] ? g->v[V_SUBSCRIPTION][0] == '1' : 0;
	o.fingerprint = keys.fingerprint;
	o.total = total;
	o.items = g->items;
	o.nitems = g->nitems;

	sqlite3_reset(imp->find_order);
	sqlite3_bind_int64(imp->find_order, 1, shop->id);
	crm_db_bind_text(imp->find_order, 2, g->order_no);
	rc = sqlite3_step(imp->find_order);
	if (rc == SQLITE_ROW) {
		char old[65];
		const char *d = (const char *)sqlite3_column_text(imp->find_order, 1);
		int64_t oldcust = sqlite3_column_int64(imp->find_order, 2);
		int seen, earlier = 0;

		order_id = sqlite3_column_int64(imp->find_order, 0);
		crm_strlcpy(old, d ? d : "", sizeof old);

		/* Written before in this call: from the same file, the order's
		 * rows are apart and this is more of it; from an earlier file,
		 * this is a later export of it. */
		sqlite3_reset(imp->find_imp);
		sqlite3_bind_int64(imp->find_imp, 1, order_id);
		seen = sqlite3_step(imp->find_imp);
		if (seen == SQLITE_ROW &&
		    sqlite3_column_int(imp->find_imp, 1) == imp->nfiles - 1) {
			int tg = sqlite3_column_type(imp->find_imp, 0) != SQLITE_NULL;
			int64_t gt = sqlite3_column_int64(imp->find_imp, 0);

			sqlite3_reset(imp->find_imp);
			sqlite3_reset(imp->find_order);
			if (merge_order(imp, order_id, tg, gt, err) < 0)
				goto out;
			ret = 0;
			goto out;
		}
		earlier = seen == SQLITE_ROW;
		sqlite3_reset(imp->find_imp);
		if (seen != SQLITE_DONE && seen != SQLITE_ROW) {
			sqlite3_reset(imp->find_order);
			crm_db_err(imp->db, err, "import");
			goto out;
		}
		if (crm_identity_attach_ctx(imp->cc, shop->id, &shop->rs, &buyer,
		    &keys, where, &identity_id, &customer_id, &created, err) < 0 ||
		    (!earlier && imp_insert(imp, order_id, 1, imp->find_order,
		    total_given, total, err) < 0)) {
			sqlite3_reset(imp->find_order);
			goto out;
		}
		sqlite3_reset(imp->find_order);
		if (created) {
			c->customers_new++;
			imp->new_customers++;
		}
		order_digest(&o, digest);
		if (strcmp(old, digest) == 0) {
			ret = 0;
			goto out;
		}
		if (earlier) {
			/* counted with the file that last changed it */
			sqlite3_reset(imp->move_imp);
			sqlite3_bind_int64(imp->move_imp, 1, order_id);
			sqlite3_bind_int(imp->move_imp, 2, imp->nfiles - 1);
			if (step_done(imp, imp->move_imp, "import", err) < 0)
				goto out;
		}
		bind_order(imp->upd_order, order_id, NULL, &o, identity_id,
		    customer_id, imp->file, g->first_line, digest, imp->now);
		if (step_done(imp, imp->upd_order, "orders", err) < 0)
			goto out;
		sqlite3_reset(imp->del_items);
		sqlite3_bind_int64(imp->del_items, 1, order_id);
		if (step_done(imp, imp->del_items, "order_items", err) < 0 ||
		    write_items(imp, order_id, g->items, g->nitems, err) < 0 ||
		    touch(imp, oldcust, err) < 0 || touch(imp, customer_id, err) < 0)
			goto out;
	} else if (rc == SQLITE_DONE) {
		sqlite3_reset(imp->find_order);
		if (crm_identity_attach_ctx(imp->cc, shop->id, &shop->rs, &buyer,
		    &keys, where, &identity_id, &customer_id, &created, err) < 0)
			goto out;
		if (created) {
			c->customers_new++;
			imp->new_customers++;
		}
		order_digest(&o, digest);
		bind_order(imp->ins_order, shop->id, g->order_no, &o, identity_id,
		    customer_id, imp->file, g->first_line, digest, imp->now);
		if (step_done(imp, imp->ins_order, "orders", err) < 0)
			goto out;
		order_id = sqlite3_last_insert_rowid(imp->db);
		imp->new_orders++;
		if (write_items(imp, order_id, g->items, g->nitems, err) < 0 ||
		    touch(imp, customer_id, err) < 0 ||
		    imp_insert(imp, order_id, 0, NULL, total_given, total, err) < 0)
			goto out;
	} else {
		sqlite3_reset(imp->find_order);
		crm_db_err(imp->db, err, "orders");
		goto out;
	}
	ret = 0;
out:
	crm_buyer_keys_release(&keys);
	group_clear(g);
	return ret;
}

/* ---- reading rows ------------------------------------------------------------ */

/* A "cancelled when" column: a date or a true flag means cancelled; empty,
 * 0, no, false do not. */
static int
truthy(const char *s)
{
	int b;
	struct crm_err e;

	if (crm_empty(s))
		return 0;
	if (crm_norm_bool(s, &b, &e) == 0)
		return b;
	return 1;
}

/* Parse the first non-empty value of an order-level or buyer field. */
static void
take_value(struct crm_importer *imp, int vi, const char *s)
{
	struct group *g = &imp->g;
	const char *fname = crm_mfield_name(vfield[vi]);
	char ts[CRM_TS_LEN], num[32];
	const char *st;
	struct crm_err e;
	int64_t amount;
	int b;

	switch (vi) {
	case V_ORDERED:
	case V_SHIPPED:
		if (crm_date_parse_fmt(s, crm_binding_date_format(imp->b), ts, &e) < 0) {
			row_fail(g, "%s: %s", fname, bare(e.msg));
			return;
		}
		g->v[vi] = crm_xstrdup(ts);
		return;
	case V_STATUS:
		st = crm_binding_status(imp->b, s);
		if (st == NULL && crm_norm_status(s, &st, &e) < 0) {
			row_fail(g, "%s: %s", fname, bare(e.msg));
			return;
		}
		g->v[vi] = crm_xstrdup(st ? st : "ok");
		return;
	case V_TOTAL:
		if (crm_norm_amount(s, &amount, &e) < 0) {
			row_fail(g, "%s: %s", fname, bare(e.msg));
			return;
		}
		snprintf(num, sizeof num, "%lld", (long long)amount);
		g->v[vi] = crm_xstrdup(num);
		return;
	case V_SUBSCRIPTION:
	case V_NEWSLETTER:
	case V_NOTICES:
		if (crm_norm_bool(s, &b, &e) < 0) {
			row_fail(g, "%s: %s", fname, bare(e.msg));
			return;
		}
		g->v[vi] = crm_xstrdup(b ? "1" : "0");
		return;
	default:
		g->v[vi] = crm_xstrdup(s);
	}
}

static void
take_item(struct crm_importer *imp, const struct crm_csv_record *rec)
{
	struct group *g = &imp->g;
	struct crm_binding *b = imp->b;
	struct crm_buf *v = &imp->val;
	struct item it;
	struct crm_err e;

	if (crm_binding_has(b, CRM_M_ITEM_CANCELLED_WHEN) &&
	    crm_binding_value(b, rec, CRM_M_ITEM_CANCELLED_WHEN, v) && truthy(v->s))
		return;
	memset(&it, 0, sizeof it);
	it.quantity = 1;
	if (crm_binding_value(b, rec, CRM_M_QUANTITY, v) &&
	    crm_norm_int(v->s, &it.quantity, &e) < 0) {
		row_fail(g, "%s: %s", "quantity", bare(e.msg));
		return;
	}
	if (crm_binding_value(b, rec, CRM_M_UNIT_PRICE, v)) {
		if (crm_norm_amount(v->s, &it.unit_price, &e) < 0) {
			row_fail(g, "%s: %s", "unit_price", bare(e.msg));
			return;
		}
		it.has_price = 1;
	}
	if (crm_binding_value(b, rec, CRM_M_LINE_TOTAL, v)) {
		if (crm_norm_amount(v->s, &it.line_total, &e) < 0) {
			row_fail(g, "%s: %s", "line_total", bare(e.msg));
			return;
		}
		it.has_line_total = 1;
		if (!it.has_price && it.quantity > 0) {
			it.unit_price = it.line_total / it.quantity;
			it.has_price = 1;
		}
	}
	if (crm_binding_value(b, rec, CRM_M_SKU, v))
		it.sku = crm_xstrdup(v->s);
	if (crm_binding_value(b, rec, CRM_M_PRODUCT, v))
		it.product = crm_xstrdup(v->s);
	if (it.sku == NULL && it.product == NULL && !it.has_price &&
	    !it.has_line_total)
		return;   /* an order-level row (no line item on it) */
	if (g->nitems == g->capitems) {
		g->capitems = g->capitems ? g->capitems * 2 : 8;
		g->items = crm_xreallocarray(g->items, g->capitems, sizeof *g->items);
	}
	g->items[g->nitems++] = it;
}

static const char *
row_shop(struct crm_importer *imp, const struct crm_csv_record *rec)
{
	if (crm_binding_value(imp->b, rec, CRM_M_SHOP, &imp->val))
		return imp->val.s;
	if (!crm_empty(imp->o.shop))
		return imp->o.shop;
	if (!crm_empty(crm_mapping_shop(imp->o.map)))
		return crm_mapping_shop(imp->o.map);
	return "default";
}

static void
overlong(struct crm_importer *imp, const struct crm_csv_record *rec)
{
	char size[32];
	const char *col = (size_t)rec->overlong < imp->nheader ?
	    imp->header[rec->overlong] : "?";

	snprintf(size, sizeof size, "%zu", imp->o.max_field ? imp->o.max_field : 65536);
	row_fail(&imp->g, "%s: field longer than %s bytes", col, size);
}

static int
order_row(struct crm_importer *imp, const struct crm_csv_record *rec,
    struct crm_import_counts *c, struct crm_err *err)
{
	struct group *g = &imp->g;
	struct crm_buf *v = &imp->val;
	char *order_no;
	const char *shop;
	int i;

	if (!crm_binding_value(imp->b, rec, CRM_M_ORDER_ID, v)) {
		/* No order to belong to: rejected on its own. */
		struct group saved = *g;

		memset(g, 0, sizeof *g);
		g->active = 1;
		row_keep(g, rec);
		row_fail(g, "%s%s", "order_id: empty", "");
		group_reject(imp, c, NULL);
		group_release(g);
		*g = saved;
		return 0;
	}
	order_no = crm_xstrdup(v->s);
	shop = row_shop(imp, rec);
	if (g->active && (strcmp(g->order_no, order_no) != 0 ||
	    strcmp(g->shop, shop) != 0)) {
		char *keep = crm_xstrdup(shop);

		if (flush_order(imp, c, err) < 0) {
			free(keep);
			free(order_no);
			return -1;
		}
		g->shop = keep;
	} else if (!g->active)
		g->shop = crm_xstrdup(shop);
	if (!g->active) {
		g->active = 1;
		g->order_no = order_no;
		g->first_line = rec->line;
	} else
		free(order_no);
	row_keep(g, rec);
	if (rec->overlong >= 0)
		overlong(imp, rec);

	for (i = 0; i < NV; i++) {
		if (g->v[i] != NULL || !crm_binding_has(imp->b, vfield[i]))
			continue;
		if (crm_binding_value(imp->b, rec, vfield[i], v))
			take_value(imp, i, v->s);
	}
	if (!g->cancelled && crm_binding_has(imp->b, CRM_M_CANCELLED_WHEN) &&
	    crm_binding_value(imp->b, rec, CRM_M_CANCELLED_WHEN, v) && truthy(v->s))
		g->cancelled = 1;
	take_item(imp, rec);
	return 0;
}

static int
member_row(struct crm_importer *imp, const struct crm_csv_record *rec,
    struct crm_import_counts *c, struct crm_err *err)
{
	struct group *g = &imp->g;
	struct crm_binding *b = imp->b;
	struct crm_buf *v = &imp->val;
	struct crm_buyer buyer;
	struct crm_buyer_keys keys;
	struct crm_err e;
	struct shop *shop;
	char ts[CRM_TS_LEN], where[512];
	char *reg = NULL;
	int64_t identity_id, customer_id;
	int created, flag, i, ret = -1;

	if (bulk_check(imp, err) < 0)
		return -1;
	group_clear(g);
	g->active = 1;
	row_keep(g, rec);
	if (rec->overlong >= 0)
		overlong(imp, rec);
	for (i = V_EMAIL; i <= V_NOTICES; i++)
		if (crm_binding_value(b, rec, vfield[i], v))
			take_value(imp, i, v->s);
	if (crm_binding_value(b, rec, CRM_M_REGISTERED_AT, v)) {
		if (crm_date_parse_fmt(v->s, crm_binding_date_format(b), ts, &e) < 0)
			row_fail(g, "%s: %s", "registered_at", bare(e.msg));
		else
			reg = crm_xstrdup(ts);
	}
	memset(&buyer, 0, sizeof buyer);
	buyer.withdrawn = 0;
	if (crm_binding_value(b, rec, CRM_M_WITHDRAWN, v)) {
		if (crm_norm_bool(v->s, &flag, &e) < 0)
			row_fail(g, "%s: %s", "withdrawn", bare(e.msg));
		else
			buyer.withdrawn = flag;
	}
	if (g->bad) {
		group_reject(imp, c, NULL);
		ret = 0;
		goto out;
	}
	buyer.email = g->v[V_EMAIL];
	buyer.name = g->v[V_NAME];
	buyer.kana = g->v[V_KANA];
	buyer.phone = g->v[V_PHONE];
	buyer.postcode = g->v[V_POSTCODE];
	buyer.prefecture = g->v[V_PREF];
	buyer.address = g->v[V_ADDRESS];
	buyer.birthday = g->v[V_BIRTHDAY];
	buyer.member_id = g->v[V_MEMBER_ID];
	buyer.member = 1;
	buyer.registered_at = reg;
	buyer.newsletter = g->v[V_NEWSLETTER] ? g->v[V_NEWSLETTER][0] == '1' : -1;
	buyer.notices = g->v[V_NOTICES] ? g->v[V_NOTICES][0] == '1' : -1;
	buyer.consent_at = imp->consent_at;
	if (crm_buyer_keys(&buyer, &keys, &e) < 0) {
		group_reject(imp, c, e.msg);
		ret = 0;
		goto out;
	}
	snprintf(where, sizeof where, "%s:%ld", imp->file, rec->line);
	if ((shop = shop_get(imp, row_shop(imp, rec), err)) == NULL ||
	    crm_identity_attach_ctx(imp->cc, shop->id, &shop->rs, &buyer, &keys,
	    where, &identity_id, &customer_id, &created, err) < 0 ||
	    touch(imp, customer_id, err) < 0) {
		crm_buyer_keys_release(&keys);
		goto out;
	}
	crm_buyer_keys_release(&keys);
	if (created) {
		c->customers_new++;
		imp->new_customers++;
	} else
		c->members_matched++;
	ret = 0;
out:
	free(reg);
	group_clear(g);
	return ret;
}

static int
blank(const struct crm_csv_record *rec)
{
	for (size_t i = 0; i < rec->nfields; i++)
		if (rec->lens[i] > 0)
			return 0;
	return 1;
}

/* ---- unquoted input ------------------------------------------------------ */

/* Amazon's reports are tab-separated and never quoted, so a product name
 * may start with a literal '"'.  This stream quotes every field on the
 * way in (doubling any '"') so that the CSV reader takes it literally.  It
 * works on bytes: in UTF-8 and CP932 alike, '"', tab, CR and LF are never
 * part of a multibyte character, and no line is added, so line numbers
 * stay true. */
struct unquote {
	FILE *in;
	char delim;
	int infield;          /* an opening quote has been written */
	int started;          /* past a leading BOM */
	char pend[8];         /* output not yet handed out */
	size_t npend, ppend;
	int replay[2];        /* bytes read ahead looking for a BOM */
	size_t nreplay, preplay;
};

static int
unquote_getc(struct unquote *u)
{
	if (u->preplay < u->nreplay)
		return u->replay[u->preplay++];
	return getc(u->in);
}

static ssize_t
unquote_read(void *cookie, char *buf, size_t size)
{
	struct unquote *u = cookie;
	size_t n = 0;
	int c;

	while (n < size) {
		if (u->ppend < u->npend) {
			buf[n++] = u->pend[u->ppend++];
			continue;
		}
		u->npend = u->ppend = 0;
		if ((c = unquote_getc(u)) == EOF) {
			if (ferror(u->in))
				return n ? (ssize_t)n : -1;
			if (u->infield) {
				u->infield = 0;
				u->pend[u->npend++] = '"';
				continue;
			}
			break;
		}
		if (!u->started) {
			/* A UTF-8 BOM goes through ahead of the first quote. */
			u->started = 1;
			if (c == 0xEF) {
				int c2 = getc(u->in), c3 = c2 == 0xBB ? getc(u->in) : EOF;

				if (c2 == 0xBB && c3 == 0xBF) {
					memcpy(u->pend, "\xEF\xBB\xBF", 3);
					u->npend = 3;
					continue;
				}
				if (c2 != EOF)
					u->replay[u->nreplay++] = c2;
				if (c3 != EOF)
					u->replay[u->nreplay++] = c3;
			}
		}
		if (c == u->delim || c == '\r' || c == '\n') {
			if (u->infield || c == u->delim) {
				if (!u->infield)
					u->pend[u->npend++] = '"';
				u->pend[u->npend++] = '"';
			}
			u->infield = 0;
			u->pend[u->npend++] = (char)c;
			if (c == u->delim) {
				u->pend[u->npend++] = '"';
				u->infield = 1;
			}
			continue;
		}
		if (!u->infield) {
			u->pend[u->npend++] = '"';
			u->infield = 1;
		}
		u->pend[u->npend++] = (char)c;
		if (c == '"')
			u->pend[u->npend++] = '"';
	}
	return (ssize_t)n;
}

static int
unquote_close(void *cookie)
{
	free(cookie);
	return 0;
}

static FILE *
unquote_open(FILE *in, char delim)
{
	static const cookie_io_functions_t io = {
		.read = unquote_read, .close = unquote_close,
	};
	struct unquote *u = crm_xcalloc(1, sizeof *u);
	FILE *fp;

	u->in = in;
	u->delim = delim;
	if ((fp = fopencookie(u, "r", io)) == NULL)
		free(u);
	return fp;
}

int
crm_importer_file(struct crm_importer *imp, FILE *fp, const char *name,
    const char *consent_at, crm_import_reject_fn *reject,
    crm_import_warn_fn *warn, void *arg, struct crm_err *err)
{
	struct crm_csv_reader *r = NULL;
	const struct crm_csv_record *rec;
	struct crm_csv_opts co;
	struct crm_import_counts *c;
	struct crm_progress prog;
	char *unknown = NULL;
	FILE *uq = NULL;
	long long fsize = 0;
	int rc, idx, ret = -1;
	int members = crm_mapping_kind(imp->o.map) == CRM_MAP_CUSTOMERS;

	idx = imp->nfiles++;
	imp->counts = crm_xreallocarray(imp->counts, (size_t)imp->nfiles,
	    sizeof *imp->counts);
	c = &imp->counts[idx];
	memset(c, 0, sizeof *c);
	imp->file = name;
	imp->consent_at = consent_at;
	imp->reject = reject;
	imp->arg = arg;

	memset(&co, 0, sizeof co);
	co.delim = crm_mapping_delim(imp->o.map);
	co.encoding = imp->o.encoding ? imp->o.encoding :
	    crm_mapping_encoding(imp->o.map);
	co.max_field = imp->o.max_field;
	if (crm_mapping_unquoted(imp->o.map)) {
		if (co.delim == 0)
			co.delim = '\t';
		if ((uq = unquote_open(fp, co.delim)) == NULL)
			return crm_err_set(err, EX_OSERR, "%s: cannot open a stream", name);
		fp = uq;
	}
	if (crm_csv_open(&r, fp, name, &co, err) < 0) {
		if (uq)
			fclose(uq);
		return -1;
	}
	rc = crm_csv_next(r, &rec, err);
	if (rc < 0)
		goto out;
	if (rc == 0) {
		crm_err_set(err, EX_DATAERR, "%s: empty input: expected a header line",
		    name);
		goto out;
	}
	if (crm_binding_make(imp->o.map, rec, name, &imp->b, &unknown, err) < 0)
		goto out;
	if (unknown && warn) {
		struct crm_buf m;

		crm_buf_init(&m);
		crm_buf_addf(&m, "%s: line %ld: ignoring unknown columns: %s", name,
		    rec->line, unknown);
		warn(arg, m.s);
		crm_buf_release(&m);
	}
	imp->nheader = rec->nfields;
	imp->header = crm_xcalloc(rec->nfields ? rec->nfields : 1, sizeof *imp->header);
	for (size_t i = 0; i < rec->nfields; i++)
		imp->header[i] = crm_xstrdup(rec->fields[i]);

	if (imp->o.progress) {
		long pos = ftell(fp);

		if (fseek(fp, 0, SEEK_END) == 0) {
			fsize = ftell(fp);
			if (fseek(fp, pos, SEEK_SET) != 0)
				fsize = 0;
		}
	}
	crm_progress_init(&prog, name, fsize);
	prog.enabled = prog.enabled && imp->o.progress && fsize > (1 << 20);
	while ((rc = crm_csv_next(r, &rec, err)) == 1) {
		if (blank(rec))
			continue;
		c->rows++;
		if ((members ? member_row(imp, rec, c, err) :
		    order_row(imp, rec, c, err)) < 0)
			goto out;
		/* Rows per second, and the percentage of bytes read: the
		 * total is the row count the file will have at this density. */
		if ((c->rows & 1023) == 0 && prog.enabled && crm_csv_bytes(r) > 0) {
			prog.total = (long long)((double)c->rows * (double)fsize /
			    (double)crm_csv_bytes(r));
			crm_progress_update(&prog, c->rows);
		}
	}
	crm_progress_finish(&prog);
	if (rc < 0)
		goto out;
	if (!members && flush_order(imp, c, err) < 0)
		goto out;
	ret = idx;
out:
	group_clear(&imp->g);
	free(unknown);
	crm_binding_free(imp->b);
	imp->b = NULL;
	header_release(imp);
	crm_csv_close(r);
	if (uq)
		fclose(uq);
	return ret;
}

/* ---- the end ---------------------------------------------------------------- */

static void
progress_cb(void *arg, long long n)
{
	crm_progress_update(arg, n);
}

/* Customers of earlier calls that this one touched, then the rows of
 * those created in it (crm_customer_ctx_defer_new). */
static int
recompute_all(struct crm_importer *imp, struct crm_err *err)
{
	struct crm_progress prog;
	sqlite3_stmt *st;
	int rc;

	if (crm_db_prepare(imp->db, "SELECT id FROM imp_touched", &st, err) < 0)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (crm_customer_recompute_ctx(imp->cc, sqlite3_column_int64(st, 0),
		    err) < 0) {
			sqlite3_finalize(st);
			return -1;
		}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return crm_db_err(imp->db, err, "import");

	crm_progress_init(&prog, "customers",
	    crm_customer_ctx_next_id(imp->cc) - imp->max_customer - 1);
	prog.enabled = prog.enabled && imp->o.progress;
	rc = crm_customer_insert_deferred(imp->cc, progress_cb, &prog, err);
	crm_progress_finish(&prog);
	return rc;
}

int
crm_importer_finish(struct crm_importer *imp, struct crm_err *err)
{
	sqlite3_stmt *st;
	int rc;

	/* What is left reads tables in order and sorts (GROUP BY, CREATE
	 * INDEX), and SQLite's sorter takes as much memory as the page cache
	 * may: a smaller cache keeps the two together near the import's
	 * peak (at 10^6 customers 507 MB with 256 MiB each). */
	if (crm_db_exec(imp->db, "PRAGMA cache_size = -65536", err) < 0)
		return -1;

	/* An order whose rows were split across a file may have been written
	 * twice, the second time back to what it was: then it was not
	 * updated at all. */
	if (crm_db_exec(imp->db,
	    "UPDATE orders SET updated_at = i.pre_updated_at,"
	    " source_file = i.pre_file, source_line = i.pre_line"
	    " FROM imp_orders i WHERE i.order_id = orders.id AND i.existed = 1"
	    " AND orders.digest IS i.pre_digest AND (orders.updated_at IS NOT"
	    " i.pre_updated_at OR orders.source_file IS NOT i.pre_file"
	    " OR orders.source_line IS NOT i.pre_line)", err) < 0)
		return -1;

	if (recompute_all(imp, err) < 0)
		return -1;

	if (crm_db_prepare(imp->db, "SELECT i.file, coalesce(sum(i.existed = 0), 0),"
	    " coalesce(sum(i.existed = 1 AND o.digest IS NOT i.pre_digest), 0),"
	    " coalesce(sum(i.existed = 1 AND o.digest IS i.pre_digest), 0)"
	    " FROM imp_orders i JOIN orders o ON o.id = i.order_id GROUP BY i.file",
	    &st, err) < 0)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int f = sqlite3_column_int(st, 0);

		if (f < 0 || f >= imp->nfiles)
			continue;
		imp->counts[f].orders_new = sqlite3_column_int64(st, 1);
		imp->counts[f].orders_updated = sqlite3_column_int64(st, 2);
		imp->counts[f].orders_unchanged = sqlite3_column_int64(st, 3);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return crm_db_err(imp->db, err, "import");
	return bulk_finish(imp, err);
}

void
crm_importer_counts(const struct crm_importer *imp, int i,
    struct crm_import_counts *c)
{
	memset(c, 0, sizeof *c);
	for (int f = 0; f < imp->nfiles; f++) {
		const struct crm_import_counts *x = &imp->counts[f];

		if (i >= 0 && f != i)
			continue;
		c->rows += x->rows;
		c->orders_new += x->orders_new;
		c->orders_updated += x->orders_updated;
		c->orders_unchanged += x->orders_unchanged;
		c->customers_new += x->customers_new;
		c->members_matched += x->members_matched;
		c->rejected += x->rejected;
	}
}

int
crm_importer_changes(struct crm_importer *imp,
    int (*fn)(void *arg, const struct crm_import_change *c), void *arg,
    struct crm_err *err)
{
	struct crm_import_change ch;
	sqlite3_stmt *st;
	int rc;

	if (crm_db_prepare(imp->db, "SELECT s.name, o.order_no, o.status,"
	    " CASE i.existed WHEN 0 THEN 'new' ELSE 'updated' END,"
	    " o.customer_id, c.orders, c.caution"
	    " FROM imp_orders i JOIN orders o ON o.id = i.order_id"
	    " JOIN shops s ON s.id = o.shop_id JOIN customers c ON c.id = o.customer_id"
	    " WHERE i.existed = 0 OR o.digest IS NOT i.pre_digest ORDER BY i.seq",
	    &st, err) < 0)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		ch.shop = (const char *)sqlite3_column_text(st, 0);
		ch.order_no = (const char *)sqlite3_column_text(st, 1);
		ch.status = (const char *)sqlite3_column_text(st, 2);
		ch.change = (const char *)sqlite3_column_text(st, 3);
		ch.customer_id = sqlite3_column_int64(st, 4);
		ch.customer_orders = sqlite3_column_int64(st, 5);
		ch.caution = sqlite3_column_int(st, 6);
		if (fn(arg, &ch) < 0) {
			sqlite3_finalize(st);
			return crm_err_set(err, EX_IOERR, "stdout: write error");
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return crm_db_err(imp->db, err, "import");
	return 0;
}
