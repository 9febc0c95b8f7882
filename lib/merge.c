/* merge.c: merge customers, split them again, keep the history. */
#include <stdlib.h>
#include <string.h>

#include "merge.h"
#include "customer.h"
#include "db.h"
#include "util.h"
#include "banned.h"

struct crm_merge_ctx {
	sqlite3 *db;
	sqlite3_stmt *check, *state, *ins, *cust, *ident, *orders, *tags,
	    *caution, *undeliv, *confirm, *drop;
};

int
crm_merge_ctx_open(sqlite3 *db, struct crm_merge_ctx **out, struct crm_err *err)
{
	struct crm_merge_ctx *c = crm_xcalloc(1, sizeof *c);

	c->db = db;
	if (crm_db_prepare(db,
	    "SELECT (SELECT merged_into IS NULL FROM customers WHERE id = ?1),"
	    " (SELECT merged_into IS NULL FROM customers WHERE id = ?2)",
	    &c->check, err) < 0 ||
	    /* What a split needs: the identities that move, the tags and
	     * flags the survivor gains.  json() keeps the arrays as JSON
	     * through the subqueries. */
	    crm_db_prepare(db,
	    "SELECT json_object("
	    " 'identities', json((SELECT json_group_array(id) FROM"
	    "   (SELECT id FROM identities WHERE customer_id = ?2 ORDER BY id))),"
	    " 'tags', json((SELECT json_group_array(tag) FROM tags t"
	    "   WHERE t.customer_id = ?2 AND NOT EXISTS (SELECT 1 FROM tags u"
	    "   WHERE u.customer_id = ?1 AND u.tag = t.tag))),"
	    " 'caution', (SELECT a.caution > s.caution FROM customers a, customers s"
	    "   WHERE a.id = ?2 AND s.id = ?1),"
	    " 'undeliverable', (SELECT a.undeliverable > s.undeliverable FROM"
	    "   customers a, customers s WHERE a.id = ?2 AND s.id = ?1),"
	    " 'before', json_object("
	    "   'survivor', json((SELECT json_object('orders', orders, 'total', total,"
	    "     'newsletter', newsletter, 'notices', notices) FROM customers WHERE id = ?1)),"
	    "   'absorbed', json((SELECT json_object('orders', orders, 'total', total,"
	    "     'newsletter', newsletter, 'notices', notices) FROM customers WHERE id = ?2))))",
	    &c->state, err) < 0 ||
	    crm_db_prepare(db,
	    "INSERT INTO merges (survivor, absorbed, kind, how, who, reason, state, at)"
	    " VALUES (?1, ?2, 'merge', ?3, ?4, ?5, ?6, ?7)", &c->ins, err) < 0 ||
	    crm_db_prepare(db,
	    "UPDATE customers SET merged_into = ?1, undetermined = 0, updated_at = ?3"
	    " WHERE id = ?2", &c->cust, err) < 0 ||
	    crm_db_prepare(db,
	    "UPDATE identities SET customer_id = ?1 WHERE customer_id = ?2",
	    &c->ident, err) < 0 ||
	    crm_db_prepare(db,
	    "UPDATE orders SET customer_id = ?1 WHERE customer_id = ?2",
	    &c->orders, err) < 0 ||
	    crm_db_prepare(db,
	    "INSERT OR IGNORE INTO tags (customer_id, tag, created_at)"
	    " SELECT ?1, tag, created_at FROM tags WHERE customer_id = ?2",
	    &c->tags, err) < 0 ||
	    crm_db_prepare(db,
	    "UPDATE customers SET caution = 1, caution_reason = coalesce(caution_reason,"
	    " (SELECT caution_reason FROM customers WHERE id = ?2))"
	    " WHERE id = ?1 AND caution = 0"
	    " AND (SELECT caution FROM customers WHERE id = ?2) = 1",
	    &c->caution, err) < 0 ||
	    crm_db_prepare(db,
	    "UPDATE customers SET undeliverable = 1 WHERE id = ?1 AND undeliverable = 0"
	    " AND (SELECT undeliverable FROM customers WHERE id = ?2) = 1",
	    &c->undeliv, err) < 0 ||
	    crm_db_prepare(db,
	    "UPDATE dedupe_pairs SET status = 'confirmed', decided_at = ?3"
	    " WHERE status = 'pending' AND a = ?1 AND b = ?2", &c->confirm, err) < 0 ||
	    crm_db_prepare(db,
	    "DELETE FROM dedupe_pairs WHERE status = 'pending' AND (a = ?1 OR b = ?1)",
	    &c->drop, err) < 0) {
		crm_merge_ctx_close(c);
		return -1;
	}
	*out = c;
	return 0;
}

void
crm_merge_ctx_close(struct crm_merge_ctx *c)
{
	if (c == NULL)
		return;
	sqlite3_finalize(c->check);
	sqlite3_finalize(c->state);
	sqlite3_finalize(c->ins);
	sqlite3_finalize(c->cust);
	sqlite3_finalize(c->ident);
	sqlite3_finalize(c->orders);
	sqlite3_finalize(c->tags);
	sqlite3_finalize(c->caution);
	sqlite3_finalize(c->undeliv);
	sqlite3_finalize(c->confirm);
	sqlite3_finalize(c->drop);
	free(c);
}

/* Run a prepared statement with up to three bindings (ints; text when
 * t3 is set) to completion. */
static int
run3(struct crm_merge_ctx *c, sqlite3_stmt *st, int64_t a, int64_t b,
    const char *t3, const char *what, struct crm_err *err)
{
	int rc;

	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	sqlite3_bind_int64(st, 1, a);
	if (sqlite3_bind_parameter_count(st) >= 2)
		sqlite3_bind_int64(st, 2, b);
	if (t3 != NULL && sqlite3_bind_parameter_count(st) >= 3)
		crm_db_bind_text(st, 3, t3);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return crm_db_err(c->db, err, what);
	return 0;
}

int
crm_merge_pair_ctx(struct crm_merge_ctx *c, int64_t survivor, int64_t absorbed,
    const char *how, const char *who, const char *reason, int64_t *merge_id,
    struct crm_err *err)
{
	char now[20];
	char *state = NULL;
	int rc;

	if (survivor >= absorbed)
		return crm_err_set(err, EX_SOFTWARE,
		    "merge %lld into %lld: the survivor must be the older customer",
		    (long long)absorbed, (long long)survivor);
	sqlite3_reset(c->check);
	sqlite3_bind_int64(c->check, 1, survivor);
	sqlite3_bind_int64(c->check, 2, absorbed);
	if (sqlite3_step(c->check) != SQLITE_ROW) {
		sqlite3_reset(c->check);
		return crm_db_err(c->db, err, "customers");
	}
	for (int i = 0; i < 2; i++) {
		int64_t id = i ? absorbed : survivor;

		if (sqlite3_column_type(c->check, i) == SQLITE_NULL) {
			sqlite3_reset(c->check);
			return crm_err_set(err, EX_DATAERR,
			    "customer %lld: no such customer", (long long)id);
		}
		if (sqlite3_column_int(c->check, i) == 0) {
			sqlite3_reset(c->check);
			return crm_err_set(err, EX_DATAERR,
			    "customer %lld: already merged into another customer",
			    (long long)id);
		}
	}
	sqlite3_reset(c->check);

	sqlite3_reset(c->state);
	sqlite3_bind_int64(c->state, 1, survivor);
	sqlite3_bind_int64(c->state, 2, absorbed);
	if (sqlite3_step(c->state) != SQLITE_ROW) {
		sqlite3_reset(c->state);
		return crm_db_err(c->db, err, "merges");
	}
	state = crm_xstrdup((const char *)sqlite3_column_text(c->state, 0));
	sqlite3_reset(c->state);

	crm_db_now(now);
	sqlite3_reset(c->ins);
	sqlite3_bind_int64(c->ins, 1, survivor);
	sqlite3_bind_int64(c->ins, 2, absorbed);
	crm_db_bind_text(c->ins, 3, how);
	crm_db_bind_text_null(c->ins, 4, who);
	crm_db_bind_text_null(c->ins, 5, reason);
	crm_db_bind_text(c->ins, 6, state);
	crm_db_bind_text(c->ins, 7, now);
	rc = sqlite3_step(c->ins);
	sqlite3_reset(c->ins);
	free(state);
	if (rc != SQLITE_DONE)
		return crm_db_err(c->db, err, "merges");
	if (merge_id != NULL)
		*merge_id = sqlite3_last_insert_rowid(c->db);

	if (run3(c, c->cust, survivor, absorbed, now, "customers", err) < 0 ||
	    run3(c, c->ident, survivor, absorbed, NULL, "identities", err) < 0 ||
	    run3(c, c->orders, survivor, absorbed, NULL, "orders", err) < 0 ||
	    run3(c, c->tags, survivor, absorbed, NULL, "tags", err) < 0 ||
	    run3(c, c->caution, survivor, absorbed, NULL, "customers", err) < 0 ||
	    run3(c, c->undeliv, survivor, absorbed, NULL, "customers", err) < 0 ||
	    run3(c, c->confirm, survivor, absorbed, now, "dedupe_pairs", err) < 0 ||
	    run3(c, c->drop, absorbed, 0, NULL, "dedupe_pairs", err) < 0)
		return -1;
	return 0;
}

/* ---- batch --------------------------------------------------------- */

struct crm_merge_batch {
	sqlite3 *db;
	sqlite3_stmt *ins;
	size_t n;
};

int
crm_merge_batch_open(sqlite3 *db, struct crm_merge_batch **out,
    struct crm_err *err)
{
	struct crm_merge_batch *b;

	if (crm_db_exec(db, "CREATE TEMP TABLE IF NOT EXISTS crm_mv (absorbed INTEGER"
	    " PRIMARY KEY, survivor INTEGER NOT NULL, how TEXT NOT NULL);"
	    "DELETE FROM temp.crm_mv;", err) < 0)
		return -1;
	b = crm_xcalloc(1, sizeof *b);
	b->db = db;
	if (crm_db_prepare(db, "INSERT INTO temp.crm_mv (absorbed, survivor, how)"
	    " VALUES (?1, ?2, ?3)", &b->ins, err) < 0) {
		free(b);
		return -1;
	}
	*out = b;
	return 0;
}

int
crm_merge_batch_add(struct crm_merge_batch *b, int64_t survivor,
    int64_t absorbed, const char *how, struct crm_err *err)
{
	int rc;

	if (survivor >= absorbed)
		return crm_err_set(err, EX_SOFTWARE,
		    "merge %lld into %lld: the survivor must be the older customer",
		    (long long)absorbed, (long long)survivor);
	sqlite3_reset(b->ins);
	sqlite3_bind_int64(b->ins, 1, absorbed);
	sqlite3_bind_int64(b->ins, 2, survivor);
	crm_db_bind_text(b->ins, 3, how);
	rc = sqlite3_step(b->ins);
	sqlite3_reset(b->ins);
	if (rc != SQLITE_DONE)
		return crm_db_err(b->db, err, "merge batch");
	b->n++;
	return 0;
}

/* The statements of crm_merge_pair_ctx, set-wise over temp.crm_mv; ?1 is
 * the time. */
static const char *const batch_sql[] = {
	"INSERT INTO merges (survivor, absorbed, kind, how, state, at)"
	" SELECT m.survivor, m.absorbed, 'merge', m.how, json_object("
	" 'identities', json((SELECT json_group_array(id) FROM"
	"   (SELECT id FROM identities WHERE customer_id = m.absorbed ORDER BY id))),"
	" 'tags', json((SELECT json_group_array(tag) FROM tags t"
	"   WHERE t.customer_id = m.absorbed AND NOT EXISTS (SELECT 1 FROM tags u"
	"   WHERE u.customer_id = m.survivor AND u.tag = t.tag))),"
	" 'caution', (SELECT a.caution > s.caution FROM customers a, customers s"
	"   WHERE a.id = m.absorbed AND s.id = m.survivor),"
	" 'undeliverable', (SELECT a.undeliverable > s.undeliverable FROM"
	"   customers a, customers s WHERE a.id = m.absorbed AND s.id = m.survivor),"
	" 'before', json_object("
	"   'survivor', json((SELECT json_object('orders', orders, 'total', total,"
	"     'newsletter', newsletter, 'notices', notices) FROM customers WHERE id = m.survivor)),"
	"   'absorbed', json((SELECT json_object('orders', orders, 'total', total,"
	"     'newsletter', newsletter, 'notices', notices) FROM customers WHERE id = m.absorbed)))),"
	" ?1 FROM temp.crm_mv m ORDER BY m.absorbed",
	"UPDATE customers SET merged_into = (SELECT survivor FROM temp.crm_mv m"
	" WHERE m.absorbed = customers.id), undetermined = 0, updated_at = ?1"
	" WHERE id IN (SELECT absorbed FROM temp.crm_mv)",
	"UPDATE identities SET customer_id = (SELECT survivor FROM temp.crm_mv m"
	" WHERE m.absorbed = identities.customer_id)"
	" WHERE customer_id IN (SELECT absorbed FROM temp.crm_mv) AND ?1 = ?1",
	"UPDATE orders SET customer_id = (SELECT survivor FROM temp.crm_mv m"
	" WHERE m.absorbed = orders.customer_id)"
	" WHERE customer_id IN (SELECT absorbed FROM temp.crm_mv) AND ?1 = ?1",
	"INSERT OR IGNORE INTO tags (customer_id, tag, created_at)"
	" SELECT m.survivor, t.tag, t.created_at FROM temp.crm_mv m"
	" JOIN tags t ON t.customer_id = m.absorbed WHERE ?1 = ?1",
	"UPDATE customers SET caution = 1, caution_reason = coalesce(caution_reason,"
	" (SELECT a.caution_reason FROM temp.crm_mv m JOIN customers a ON a.id = m.absorbed"
	"  WHERE m.survivor = customers.id AND a.caution = 1 ORDER BY a.id LIMIT 1))"
	" WHERE caution = 0 AND id IN (SELECT m.survivor FROM temp.crm_mv m"
	" JOIN customers a ON a.id = m.absorbed WHERE a.caution = 1) AND ?1 = ?1",
	"UPDATE customers SET undeliverable = 1 WHERE undeliverable = 0"
	" AND id IN (SELECT m.survivor FROM temp.crm_mv m JOIN customers a"
	" ON a.id = m.absorbed WHERE a.undeliverable = 1) AND ?1 = ?1",
	"UPDATE dedupe_pairs SET status = 'confirmed', decided_at = ?1"
	" WHERE status = 'pending' AND EXISTS (SELECT 1 FROM temp.crm_mv m"
	" WHERE m.absorbed = dedupe_pairs.b AND m.survivor = dedupe_pairs.a)",
	"DELETE FROM dedupe_pairs WHERE status = 'pending' AND (a IN"
	" (SELECT absorbed FROM temp.crm_mv) OR b IN (SELECT absorbed FROM temp.crm_mv))"
	" AND ?1 = ?1",
	"DELETE FROM temp.crm_mv WHERE ?1 = ?1",
};

int
crm_merge_batch_run(struct crm_merge_batch *b, struct crm_err *err)
{
	sqlite3_stmt *st;
	int64_t bad;
	char now[20];
	size_t i;
	int rc;

	if (b->n == 0)
		return 0;
	if (crm_db_int(b->db,
	    "SELECT count(*) FROM temp.crm_mv m JOIN customers c"
	    " ON c.id = m.absorbed OR c.id = m.survivor WHERE c.merged_into IS NOT NULL"
	    " OR m.survivor IN (SELECT absorbed FROM temp.crm_mv)", &bad, err) < 0)
		return -1;
	if (bad)
		return crm_err_set(err, EX_SOFTWARE,
		    "merge batch: %lld merges of customers that are not active",
		    (long long)bad);
	crm_db_now(now);
	for (i = 0; i < sizeof batch_sql / sizeof batch_sql[0]; i++) {
		if (crm_db_prepare(b->db, batch_sql[i], &st, err) < 0)
			return -1;
		crm_db_bind_text(st, 1, now);
		rc = sqlite3_step(st);
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE)
			return crm_db_err(b->db, err, "merges");
	}
	b->n = 0;
	return 0;
}

void
crm_merge_batch_close(struct crm_merge_batch *b)
{
	if (b == NULL)
		return;
	sqlite3_finalize(b->ins);
	free(b);
}

int
crm_undetermined_refresh(sqlite3 *db, int64_t id, struct crm_err *err)
{
	sqlite3_stmt *st;
	int rc;

	if (id > 0) {
		if (crm_db_prepare(db,
		    "UPDATE customers SET undetermined = EXISTS (SELECT 1 FROM"
		    " dedupe_pairs WHERE status = 'pending' AND (a = ?1 OR b = ?1))"
		    " WHERE id = ?1", &st, err) < 0)
			return -1;
		sqlite3_bind_int64(st, 1, id);
		rc = sqlite3_step(st);
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE)
			return crm_db_err(db, err, "customers");
		return 0;
	}
	return crm_db_exec(db,
	    "CREATE TEMP TABLE IF NOT EXISTS crm_undet (id INTEGER PRIMARY KEY);"
	    "DELETE FROM temp.crm_undet;"
	    "INSERT OR IGNORE INTO temp.crm_undet SELECT a FROM dedupe_pairs WHERE status = 'pending';"
	    "INSERT OR IGNORE INTO temp.crm_undet SELECT b FROM dedupe_pairs WHERE status = 'pending';"
	    "UPDATE customers SET undetermined = 0 WHERE undetermined <> 0"
	    " AND id NOT IN (SELECT id FROM temp.crm_undet);"
	    "UPDATE customers SET undetermined = 1 WHERE undetermined = 0"
	    " AND id IN (SELECT id FROM temp.crm_undet) AND merged_into IS NULL;"
	    "DELETE FROM temp.crm_undet;", err);
}

int
crm_merge(sqlite3 *db, int64_t a, int64_t b, const char *how, const char *who,
    const char *reason, int64_t *survivor, struct crm_err *err)
{
	struct crm_merge_ctx *c;
	sqlite3_stmt *st;
	int64_t ra, rb, s, x, *ends = NULL;
	size_t nends = 0, i;
	int rc;

	if (crm_customer_resolve(db, a, &ra, err) < 0 ||
	    crm_customer_resolve(db, b, &rb, err) < 0)
		return -1;
	if (ra == rb) {
		*survivor = ra;
		return 1;
	}
	s = ra < rb ? ra : rb;
	x = ra < rb ? rb : ra;
	/* The other customers of the absorbed one's pending pairs: the
	 * merge drops those pairs, so their flags may change. */
	if (crm_db_prepare(db, "SELECT a + b - ?1 FROM dedupe_pairs WHERE"
	    " status = 'pending' AND (a = ?1 OR b = ?1)", &st, err) < 0)
		return -1;
	sqlite3_bind_int64(st, 1, x);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		ends = crm_xreallocarray(ends, nends + 1, sizeof *ends);
		ends[nends++] = sqlite3_column_int64(st, 0);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		free(ends);
		return crm_db_err(db, err, "dedupe_pairs");
	}
	if (crm_merge_ctx_open(db, &c, err) < 0) {
		free(ends);
		return -1;
	}
	if (crm_merge_pair_ctx(c, s, x, how, who, reason, NULL, err) < 0) {
		crm_merge_ctx_close(c);
		free(ends);
		return -1;
	}
	crm_merge_ctx_close(c);
	rc = crm_customer_recompute(db, s, err) < 0 ||
	    crm_undetermined_refresh(db, s, err) < 0 ||
	    crm_undetermined_refresh(db, x, err) < 0;
	for (i = 0; !rc && i < nends; i++)
		rc = crm_undetermined_refresh(db, ends[i], err) < 0;
	free(ends);
	if (rc)
		return -1;
	*survivor = s;
	return 0;
}

/* ---- split ----------------------------------------------------------- */

static int
exec_ii(sqlite3 *db, const char *sql, int64_t a, int64_t b, const char *t,
    const char *what, struct crm_err *err)
{
	sqlite3_stmt *st;
	int rc;

	if (crm_db_prepare(db, sql, &st, err) < 0)
		return -1;
	/* Unused numbered parameters are harmless to bind. */
	sqlite3_bind_int64(st, 1, a);
	if (sqlite3_bind_parameter_count(st) >= 2)
		sqlite3_bind_int64(st, 2, b);
	if (sqlite3_bind_parameter_count(st) >= 3)
		crm_db_bind_text_null(st, 3, t);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return crm_db_err(db, err, what);
	return 0;
}

int
crm_split(sqlite3 *db, int64_t id, const char *who, const char *reason,
    int64_t *survivor_out, int64_t *absorbed_out, struct crm_err *err)
{
	sqlite3_stmt *st;
	int64_t mid, s, a, parent, split_id, rs;
	char now[20], *state = NULL;
	int rc, is_absorbed;

	if (crm_db_prepare(db, "SELECT merged_into FROM customers WHERE id = ?1",
	    &st, err) < 0)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		sqlite3_finalize(st);
		if (rc == SQLITE_DONE)
			return crm_err_set(err, EX_DATAERR,
			    "customer %lld: no such customer", (long long)id);
		return crm_db_err(db, err, "customers");
	}
	is_absorbed = sqlite3_column_type(st, 0) != SQLITE_NULL;
	parent = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);

	if (crm_db_prepare(db, is_absorbed ?
	    "SELECT id, survivor, absorbed, state FROM merges WHERE kind = 'merge'"
	    " AND absorbed = ?1 AND undone_by IS NULL ORDER BY id DESC LIMIT 1" :
	    "SELECT id, survivor, absorbed, state FROM merges WHERE kind = 'merge'"
	    " AND survivor = ?1 AND undone_by IS NULL ORDER BY id DESC LIMIT 1",
	    &st, err) < 0)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		sqlite3_finalize(st);
		if (rc == SQLITE_DONE)
			return crm_err_set(err, EX_DATAERR,
			    "customer %lld: no merge to undo", (long long)id);
		return crm_db_err(db, err, "merges");
	}
	mid = sqlite3_column_int64(st, 0);
	s = sqlite3_column_int64(st, 1);
	a = sqlite3_column_int64(st, 2);
	if (sqlite3_column_type(st, 3) != SQLITE_NULL)
		state = crm_xstrdup((const char *)sqlite3_column_text(st, 3));
	sqlite3_finalize(st);
	if (is_absorbed && parent != s) {
		free(state);
		return crm_err_set(err, EX_DATAERR,
		    "customer %lld: merged into %lld but the merge record says %lld",
		    (long long)id, (long long)parent, (long long)s);
	}

	crm_db_now(now);
	/* The absorbed side is every customer still merged (directly or
	 * not) into a; identities return to a by where they came from. */
	if (exec_ii(db, "UPDATE customers SET merged_into = NULL, updated_at = ?3"
	    " WHERE id = ?1", a, 0, now, "customers", err) < 0 ||
	    exec_ii(db, "WITH RECURSIVE sub(id) AS (SELECT ?1 UNION"
	    " SELECT c.id FROM customers c JOIN sub ON c.merged_into = sub.id)"
	    " UPDATE identities SET customer_id = ?1 WHERE origin_customer IN sub"
	    " AND customer_id <> ?1", a, 0, NULL, "identities", err) < 0 ||
	    exec_ii(db, "UPDATE orders SET customer_id = ?1 WHERE identity_id IN"
	    " (SELECT id FROM identities WHERE customer_id = ?1) AND customer_id <> ?1"
	    "", a, 0, NULL, "orders", err) < 0 ||
	    exec_ii(db, "DELETE FROM tags WHERE customer_id = ?1 AND tag IN"
	    " (SELECT value FROM json_each(?3, '$.tags'))", s, 0, state,
	    "tags", err) < 0 ||
	    exec_ii(db, "UPDATE customers SET caution = 0, caution_reason = NULL"
	    " WHERE id = ?1 AND json_extract(?3, '$.caution') = 1",
	    s, 0, state, "customers", err) < 0 ||
	    exec_ii(db, "UPDATE customers SET undeliverable = 0"
	    " WHERE id = ?1 AND json_extract(?3, '$.undeliverable') = 1",
	    s, 0, state, "customers", err) < 0) {
		free(state);
		return -1;
	}
	free(state);

	if (crm_db_prepare(db,
	    "INSERT INTO merges (survivor, absorbed, kind, how, who, reason, at)"
	    " VALUES (?1, ?2, 'split', 'manual', ?3, ?4, ?5)", &st, err) < 0)
		return -1;
	sqlite3_bind_int64(st, 1, s);
	sqlite3_bind_int64(st, 2, a);
	crm_db_bind_text_null(st, 3, who);
	crm_db_bind_text_null(st, 4, reason);
	crm_db_bind_text(st, 5, now);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return crm_db_err(db, err, "merges");
	split_id = sqlite3_last_insert_rowid(db);

	/* Kept apart from now on: run does not merge a rejected pair. */
	if (exec_ii(db, "UPDATE merges SET undone_by = ?2 WHERE id = ?1",
	    mid, split_id, NULL, "merges", err) < 0 ||
	    exec_ii(db, "INSERT INTO dedupe_pairs (a, b, score, reasons, status,"
	    " created_at, decided_at) VALUES (?1, ?2, 0, 'split', 'rejected', ?3, ?3)"
	    " ON CONFLICT (a, b) DO UPDATE SET status = 'rejected',"
	    " decided_at = excluded.decided_at", s, a, now, "dedupe_pairs", err) < 0)
		return -1;

	if (crm_customer_recompute(db, a, err) < 0 ||
	    crm_customer_resolve(db, s, &rs, err) < 0 ||
	    crm_customer_recompute(db, rs, err) < 0 ||
	    crm_undetermined_refresh(db, a, err) < 0 ||
	    crm_undetermined_refresh(db, rs, err) < 0)
		return -1;
	if (survivor_out != NULL)
		*survivor_out = s;
	if (absorbed_out != NULL)
		*absorbed_out = a;
	return 0;
}

/* ---- history --------------------------------------------------------- */

static const char *
col(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

int
crm_merge_history(sqlite3 *db, int64_t id,
    int (*fn)(void *arg, const struct crm_merge_event *ev, struct crm_err *err),
    void *arg, struct crm_err *err)
{
	struct crm_merge_event ev;
	sqlite3_stmt *st;
	int64_t exists;
	int rc, n = 0;

	if (crm_db_prepare(db, "SELECT count(*) FROM customers WHERE id = ?1",
	    &st, err) < 0)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	exists = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return crm_db_err(db, err, "customers");
	if (!exists)
		return crm_err_set(err, EX_DATAERR, "customer %lld: no such customer",
		    (long long)id);

	if (crm_db_prepare(db,
	    "WITH RECURSIVE m(id) AS (SELECT ?1 UNION"
	    " SELECT c.id FROM customers c JOIN m ON c.merged_into = m.id)"
	    " SELECT id, survivor, absorbed, coalesce(undone_by, 0), kind, how, who,"
	    " reason, at, state FROM merges"
	    " WHERE survivor IN m OR absorbed IN m ORDER BY id", &st, err) < 0)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		ev.id = sqlite3_column_int64(st, 0);
		ev.survivor = sqlite3_column_int64(st, 1);
		ev.absorbed = sqlite3_column_int64(st, 2);
		ev.undone_by = sqlite3_column_int64(st, 3);
		ev.kind = col(st, 4);
		ev.how = col(st, 5);
		ev.who = col(st, 6);
		ev.reason = col(st, 7);
		ev.at = col(st, 8);
		ev.state = col(st, 9);
		n++;
		if (fn != NULL && fn(arg, &ev, err) < 0) {
			sqlite3_finalize(st);
			return -1;
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return crm_db_err(db, err, "merges");
	return n;
}
