/* customer.c: buyer keys, identities, and everything derived for a
 * customer.  The statements are prepared once per context so that an
 * import of a million rows does not re-parse SQL per row. */
#include <stdlib.h>
#include <string.h>
#include <openssl/sha.h>

#include "customer.h"
#include "date.h"
#include "db.h"
#include "norm.h"
#include "util.h"
#include "banned.h"

#define MAX_RULE_STMTS 32
#define MAX_HOPS 10000

struct rule_stmt {
	unsigned fields;
	int guard;                /* phone alone, for a buyer with an e-mail */
	sqlite3_stmt *st;
};

struct crm_customer_ctx {
	sqlite3 *db;
	sqlite3_stmt *find_ident, *upd_ident, *ins_cust, *ins_ident, *resolve;
	sqlite3_stmt *rc_merged, *rc_sync, *rc_agg, *rc_idents, *rc_recent,
	    *rc_optouts, *rc_upd, *rc_ins;
	struct rule_stmt rules[MAX_RULE_STMTS];
	size_t nrules;
	char now[20];             /* one timestamp for a whole import */

	/* crm_customer_ctx_no_merges: every merged customer, by id, so that
	 * resolving is no random read of the customers table per row. */
	struct merged { int64_t id, into; } *merged;
	size_t nmerged;
	int merged_loaded;

	/* crm_customer_ctx_defer_new: ids from defer_first to defer_next - 1
	 * were handed out by attach; crm_customer_insert_deferred writes
	 * their rows. */
	int64_t defer_first, defer_next;
};

/* ---- buyer keys ------------------------------------------------------ */

static int
norm_field(int (*fn)(const char *, char **, struct crm_err *),
    const char *in, char **out, const char *what, struct crm_err *err)
{
	*out = NULL;
	if (crm_empty(in))
		return 0;
	if (fn(in, out, err) < 0) {
		size_t n = strlen(what);

		err->code = EX_DATAERR;
		if (strncmp(err->msg, what, n) != 0 || err->msg[n] != ':')
			crm_err_prefix(err, "%s: ", what);
		return -1;
	}
	return 0;
}

static void
fp_add(struct crm_buf *b, const char *s)
{
	/* \x01 marks an absent key so that "" and NULL differ. */
	if (s == NULL)
		crm_buf_addc(b, '\x01');
	else
		crm_buf_adds(b, s);
	crm_buf_addc(b, '\x1f');
}

/* ISO 3166-2:JP codes as Shopify exports them: "JP-13" is 東京都. */
static const char *
iso_prefecture(const char *s)
{
	int n;

	if ((s[0] == 'J' || s[0] == 'j') && (s[1] == 'P' || s[1] == 'p') &&
	    s[2] == '-')
		s += 3;
	if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9' || s[2] != '\0')
		return NULL;
	n = (s[0] - '0') * 10 + (s[1] - '0');
	return n >= 1 && n <= 47 ? crm_pref_name(n - 1) : NULL;
}

int
crm_buyer_keys(const struct crm_buyer *b, struct crm_buyer_keys *k,
    struct crm_err *err)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[SHA256_DIGEST_LENGTH];
	struct crm_buf fp;
	const char *addr, *pref;
	size_t plen, i;

	memset(k, 0, sizeof *k);
	if (norm_field(crm_norm_email, b->email, &k->email, "email", err) < 0 ||
	    norm_field(crm_norm_phone, b->phone, &k->phone, "phone", err) < 0 ||
	    norm_field(crm_norm_name, b->name, &k->name, "name", err) < 0 ||
	    norm_field(crm_norm_kana, b->kana, &k->kana, "kana", err) < 0 ||
	    norm_field(crm_norm_postcode, b->postcode, &k->postcode, "postcode",
	    err) < 0)
		goto fail;
	/* A region that is no Japanese prefecture (a Shopify order from
	 * abroad: "CA") is no reason to lose the order: it just has no key. */
	if (!crm_empty(b->prefecture)) {
		struct crm_err ignored;

		if (crm_norm_prefecture(b->prefecture, &k->prefecture,
		    &ignored) < 0)
			k->prefecture = iso_prefecture(b->prefecture);
	}
	/* An address that starts with its prefecture keys the same as the
	 * prefecture given apart: 東京都渋谷区... == (東京都, 渋谷区...). */
	addr = b->address;
	if (addr != NULL) {
		while (*addr == ' ' || *addr == '\t')
			addr++;
		pref = crm_pref_from_address(addr, &plen);
		if (pref != NULL && (k->prefecture == NULL ||
		    strcmp(pref, k->prefecture) == 0)) {
			k->prefecture = pref;
			addr += plen;
		}
	}
	if (norm_field(crm_norm_address, addr, &k->address, "address", err) < 0)
		goto fail;
	if (!crm_empty(b->birthday)) {
		char ts[CRM_TS_LEN];

		if (crm_date_parse(b->birthday, ts, err) < 0) {
			err->code = EX_DATAERR;
			crm_err_prefix(err, "birthday: ");
			goto fail;
		}
		k->birthday = crm_xstrndup(ts, 10);
	}
	if (!crm_empty(b->member_id)) {
		k->member_id = crm_trim(crm_xstrdup(b->member_id));
		if (*k->member_id == '\0') {
			free(k->member_id);
			k->member_id = NULL;
		}
	}
	if (k->email == NULL && k->phone == NULL && k->name == NULL) {
		crm_err_set(err, EX_DATAERR,
		    "no buyer: none of email, phone, name is given");
		goto fail;
	}
	crm_buf_init(&fp);
	fp_add(&fp, k->email);
	fp_add(&fp, k->phone);
	fp_add(&fp, k->name);
	fp_add(&fp, k->kana);
	fp_add(&fp, k->postcode);
	fp_add(&fp, k->prefecture);
	fp_add(&fp, k->address);
	fp_add(&fp, k->birthday);
	fp_add(&fp, k->member_id);
	SHA256((const unsigned char *)fp.s, fp.len, md);
	crm_buf_release(&fp);
	for (i = 0; i < SHA256_DIGEST_LENGTH; i++) {
		k->fingerprint[2 * i] = hex[md[i] >> 4];
		k->fingerprint[2 * i + 1] = hex[md[i] & 15];
	}
	k->fingerprint[64] = '\0';
	return 0;
fail:
	crm_buyer_keys_release(k);
	return -1;
}

void
crm_buyer_keys_release(struct crm_buyer_keys *k)
{
	free(k->email);
	free(k->phone);
	free(k->name);
	free(k->kana);
	free(k->postcode);
	free(k->address);
	free(k->birthday);
	free(k->member_id);
	memset(k, 0, sizeof *k);
}

int
crm_email_is_relay(const char *email)
{
	static const char *const relays[] = {
		"fw.rakuten.ne.jp", "marketplace.amazon.co.jp",
		"marketplace.amazon.com", "scs3.tiktok.com",
	};
	const char *at, *d;
	size_t i, dl, rl;

	if (email == NULL || (at = strrchr(email, '@')) == NULL)
		return 0;
	d = at + 1;
	dl = strlen(d);
	for (i = 0; i < sizeof relays / sizeof relays[0]; i++) {
		rl = strlen(relays[i]);
		if (dl < rl || !crm_strcaseeq(d + dl - rl, relays[i]))
			continue;
		if (dl == rl || d[dl - rl - 1] == '.')
			return 1;
	}
	return 0;
}

/* ---- context --------------------------------------------------------- */

int
crm_customer_ctx_open(sqlite3 *db, struct crm_customer_ctx **out,
    struct crm_err *err)
{
	struct crm_customer_ctx *c = crm_xcalloc(1, sizeof *c);

	c->db = db;
	crm_db_now(c->now);
	if (crm_db_prepare(db,
	    "SELECT id, customer_id FROM identities"
	    " WHERE shop_id = ?1 AND fingerprint = ?2", &c->find_ident, err) < 0 ||
	    /* Consent moves only when the exported state changes and the data
	     * is newer: a fresh download still saying "yes" is not a new
	     * opt-in and must not undo the owner's opt-out. */
	    crm_db_prepare(db,
	    "UPDATE identities SET"
	    " newsletter = CASE WHEN ?2 >= 0 AND (consent_at IS NULL OR ?4 > consent_at)"
	    "   AND newsletter IS NOT ?2 THEN ?2 ELSE newsletter END,"
	    " notices = CASE WHEN ?3 >= 0 AND (consent_at IS NULL OR ?4 > consent_at)"
	    "   AND notices IS NOT ?3 THEN ?3 ELSE notices END,"
	    " consent_at = CASE WHEN (consent_at IS NULL OR ?4 > consent_at) AND"
	    "   ((?2 >= 0 AND newsletter IS NOT ?2) OR (?3 >= 0 AND notices IS NOT ?3))"
	    "   THEN ?4 ELSE consent_at END,"
	    " member = max(member, ?5),"
	    " registered_at = CASE WHEN ?6 IS NOT NULL AND (registered_at IS NULL"
	    "   OR ?6 < registered_at) THEN ?6 ELSE registered_at END,"
	    " withdrawn = CASE WHEN ?5 = 1 THEN ?7 ELSE withdrawn END"
	    " WHERE id = ?1", &c->upd_ident, err) < 0 ||
	    crm_db_prepare(db,
	    "INSERT INTO customers (created_at, updated_at) VALUES (?1, ?1)",
	    &c->ins_cust, err) < 0 ||
	    crm_db_prepare(db,
	    "INSERT INTO identities (shop_id, customer_id, origin_customer,"
	    " fingerprint, name, kana, email, phone, postcode, prefecture, address,"
	    " birthday, member_id, email_key, phone_key, name_key, kana_key,"
	    " postcode_key, address_key, member, registered_at, newsletter, notices,"
	    " consent_at, withdrawn, source, created_at) VALUES (?1, ?2, ?2, ?3,"
	    " ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18,"
	    " ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26)", &c->ins_ident, err) < 0 ||
	    crm_db_prepare(db, "SELECT merged_into FROM customers WHERE id = ?1",
	    &c->resolve, err) < 0 ||
	    /* Per member of the merged set (?1), for the survivor ?2; plain
	     * indexed joins, so that no statement builds a temporary table. */
	    crm_db_prepare(db,
	    "SELECT id FROM customers WHERE merged_into = ?1", &c->rc_merged,
	    err) < 0 ||
	    crm_db_prepare(db,
	    "UPDATE orders SET customer_id = ?2 FROM identities i"
	    " WHERE i.customer_id = ?1 AND orders.identity_id = i.id"
	    " AND orders.customer_id <> ?2", &c->rc_sync, err) < 0 ||
	    crm_db_prepare(db,
	    "SELECT coalesce(sum(o.status = 'ok'), 0),"
	    " coalesce(sum(CASE WHEN o.status = 'ok' THEN o.total END), 0),"
	    " min(CASE WHEN o.status = 'ok' THEN o.ordered_at END),"
	    " max(CASE WHEN o.status = 'ok' THEN o.ordered_at END),"
	    " min(o.ordered_at)"
	    " FROM identities i JOIN orders o ON o.identity_id = i.id"
	    " WHERE i.customer_id = ?1", &c->rc_agg, err) < 0 ||
	    crm_db_prepare(db,
	    "SELECT i.name, i.kana, i.email, i.phone, i.postcode, i.prefecture,"
	    " i.address, i.birthday, i.member_id, i.member, i.registered_at,"
	    " i.withdrawn, i.newsletter, i.notices, i.consent_at, i.phone_key,"
	    " max(coalesce(i.consent_at, ''), coalesce(i.registered_at, '')), i.id"
	    " FROM identities i WHERE i.customer_id = ?1", &c->rc_idents, err) < 0 ||
	    /* Only needed to order several identities: most customers have
	     * one, and this is a random read of the orders table. */
	    crm_db_prepare(db,
	    "SELECT max(ordered_at) FROM orders WHERE identity_id = ?1",
	    &c->rc_recent, err) < 0 ||
	    crm_db_prepare(db,
	    "SELECT channel, action, by, at FROM optouts WHERE customer_id = ?1",
	    &c->rc_optouts, err) < 0 ||
	    /* The WHERE keeps a recompute that changes nothing from touching
	     * updated_at: a re-import must leave the database as it was. */
	    crm_db_prepare(db,
	    "UPDATE customers SET name = ?2, kana = ?3, email = ?4, phone = ?5,"
	    " postcode = ?6, prefecture = ?7, address = ?8, birthday = ?9,"
	    " member_id = ?10, member = ?11, registered_at = ?12,"
	    " first_order = ?13, last_order = ?14, orders = ?15, total = ?16,"
	    " newsletter = ?17, notices = ?18, newsletter_at = ?19,"
	    " notices_at = ?20, withdrawn = ?21, search = ?22, updated_at = ?23"
	    " WHERE id = ?1 AND (name IS NOT ?2 OR kana IS NOT ?3 OR email IS NOT ?4"
	    " OR phone IS NOT ?5 OR postcode IS NOT ?6 OR prefecture IS NOT ?7"
	    " OR address IS NOT ?8 OR birthday IS NOT ?9 OR member_id IS NOT ?10"
	    " OR member IS NOT ?11 OR registered_at IS NOT ?12"
	    " OR first_order IS NOT ?13 OR last_order IS NOT ?14"
	    " OR orders IS NOT ?15 OR total IS NOT ?16 OR newsletter IS NOT ?17"
	    " OR notices IS NOT ?18 OR newsletter_at IS NOT ?19"
	    " OR notices_at IS NOT ?20 OR withdrawn IS NOT ?21 OR search IS NOT ?22)",
	    &c->rc_upd, err) < 0) {
		crm_customer_ctx_close(c);
		return -1;
	}
	*out = c;
	return 0;
}

void
crm_customer_ctx_close(struct crm_customer_ctx *c)
{
	size_t i;

	if (c == NULL)
		return;
	sqlite3_finalize(c->find_ident);
	sqlite3_finalize(c->upd_ident);
	sqlite3_finalize(c->ins_cust);
	sqlite3_finalize(c->ins_ident);
	sqlite3_finalize(c->resolve);
	sqlite3_finalize(c->rc_merged);
	sqlite3_finalize(c->rc_sync);
	sqlite3_finalize(c->rc_agg);
	sqlite3_finalize(c->rc_idents);
	sqlite3_finalize(c->rc_recent);
	sqlite3_finalize(c->rc_optouts);
	sqlite3_finalize(c->rc_upd);
	sqlite3_finalize(c->rc_ins);
	for (i = 0; i < c->nrules; i++)
		sqlite3_finalize(c->rules[i].st);
	free(c->merged);
	free(c);
}

int
crm_customer_ctx_no_merges(struct crm_customer_ctx *c, struct crm_err *err)
{
	sqlite3_stmt *st;
	size_t cap = 0;
	int rc;

	if (crm_db_prepare(c->db, "SELECT id, merged_into FROM customers"
	    " WHERE merged_into IS NOT NULL ORDER BY id", &st, err) < 0)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (c->nmerged == cap) {
			cap = cap ? cap * 2 : 64;
			c->merged = crm_xreallocarray(c->merged, cap, sizeof *c->merged);
		}
		c->merged[c->nmerged].id = sqlite3_column_int64(st, 0);
		c->merged[c->nmerged].into = sqlite3_column_int64(st, 1);
		c->nmerged++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return crm_db_err(c->db, err, "customers");
	c->merged_loaded = 1;
	return 0;
}

int
crm_customer_ctx_defer_new(struct crm_customer_ctx *c, struct crm_err *err)
{
	int64_t max;

	if (crm_db_int(c->db, "SELECT coalesce(max(id), 0) FROM customers", &max,
	    err) < 0 ||
	    crm_db_prepare(c->db,
	    "INSERT INTO customers (id, name, kana, email, phone, postcode,"
	    " prefecture, address, birthday, member_id, member, registered_at,"
	    " first_order, last_order, orders, total, newsletter, notices,"
	    " newsletter_at, notices_at, withdrawn, search, created_at, updated_at)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14,"
	    " ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?23)", &c->rc_ins, err) < 0)
		return -1;
	c->defer_first = c->defer_next = max + 1;
	return 0;
}

int64_t
crm_customer_ctx_next_id(const struct crm_customer_ctx *c)
{
	return c->defer_next;
}

static int
merged_cmp(const void *a, const void *b)
{
	const struct merged *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

/* ---- resolve --------------------------------------------------------- */

int
crm_customer_resolve_ctx(struct crm_customer_ctx *c, int64_t id,
    int64_t *active, struct crm_err *err)
{
	int hops, rc;

	if (c->merged_loaded) {
		for (hops = 0; hops < MAX_HOPS; hops++) {
			struct merged key = { id, 0 }, *m;

			m = c->nmerged ? bsearch(&key, c->merged, c->nmerged,
			    sizeof *c->merged, merged_cmp) : NULL;
			if (m == NULL) {
				*active = id;
				return 0;
			}
			id = m->into;
		}
		return crm_err_set(err, EX_DATAERR,
		    "customer %lld: merged_into loops", (long long)id);
	}
	for (hops = 0; hops < MAX_HOPS; hops++) {
		sqlite3_reset(c->resolve);
		sqlite3_bind_int64(c->resolve, 1, id);
		rc = sqlite3_step(c->resolve);
		if (rc == SQLITE_DONE) {
			sqlite3_reset(c->resolve);
			return crm_err_set(err, EX_DATAERR, "customer %lld: no such customer",
			    (long long)id);
		}
		if (rc != SQLITE_ROW) {
			crm_db_err(c->db, err, "customers");
			sqlite3_reset(c->resolve);
			return -1;
		}
		if (sqlite3_column_type(c->resolve, 0) == SQLITE_NULL) {
			sqlite3_reset(c->resolve);
			*active = id;
			return 0;
		}
		id = sqlite3_column_int64(c->resolve, 0);
	}
	sqlite3_reset(c->resolve);
	return crm_err_set(err, EX_DATAERR,
	    "customer %lld: merged_into loops", (long long)id);
}

int
crm_customer_resolve(sqlite3 *db, int64_t id, int64_t *active,
    struct crm_err *err)
{
	sqlite3_stmt *st;
	int hops, rc;

	if (crm_db_prepare(db, "SELECT merged_into FROM customers WHERE id = ?1",
	    &st, err) < 0)
		return -1;
	for (hops = 0; hops < MAX_HOPS; hops++) {
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, id);
		rc = sqlite3_step(st);
		if (rc == SQLITE_DONE) {
			sqlite3_finalize(st);
			return crm_err_set(err, EX_DATAERR, "customer %lld: no such customer",
			    (long long)id);
		}
		if (rc != SQLITE_ROW) {
			crm_db_err(db, err, "customers");
			sqlite3_finalize(st);
			return -1;
		}
		if (sqlite3_column_type(st, 0) == SQLITE_NULL) {
			sqlite3_finalize(st);
			*active = id;
			return 0;
		}
		id = sqlite3_column_int64(st, 0);
	}
	sqlite3_finalize(st);
	return crm_err_set(err, EX_DATAERR,
	    "customer %lld: merged_into loops", (long long)id);
}

/* ---- attach ---------------------------------------------------------- */

static const char *
key_of(const struct crm_buyer_keys *k, unsigned f)
{
	switch (f) {
	case CRM_F_EMAIL:      return k->email;
	case CRM_F_PHONE:      return k->phone;
	case CRM_F_NAME:       return k->name;
	case CRM_F_KANA:       return k->kana;
	case CRM_F_POSTCODE:   return k->postcode;
	case CRM_F_PREFECTURE: return k->prefecture;
	case CRM_F_ADDRESS:    return k->address;
	case CRM_F_BIRTHDAY:   return k->birthday;
	case CRM_F_MEMBER_ID:  return k->member_id;
	}
	return NULL;
}

/* The statement that finds identities agreeing on every field of a rule.
 * Parameters are the fields in enum order. */
static sqlite3_stmt *
rule_stmt(struct crm_customer_ctx *c, unsigned fields, int guard,
    struct crm_err *err)
{
	struct crm_buf sql;
	sqlite3_stmt *st;
	unsigned f, driver = crm_rule_driver(fields);
	size_t i;
	int n = 0;

	for (i = 0; i < c->nrules; i++)
		if (c->rules[i].fields == fields && c->rules[i].guard == guard)
			return c->rules[i].st;
	if (c->nrules == MAX_RULE_STMTS) {
		crm_err_set(err, EX_SOFTWARE, "too many match rules");
		return NULL;
	}
	/* One field drives the lookup, the most selective one that has an
	 * index; the others are only checked ('+' keeps SQLite from choosing
	 * their index).  Left to itself the planner, with no statistics,
	 * took name_key for name+phone: every identity of that name, a
	 * number that grows with the database, was read from the table for
	 * each new buyer, and a million-customer import went quadratic. */
	crm_buf_init(&sql);
	/* No DISTINCT: a customer found twice changes nothing below, and
	 * DISTINCT costs a temporary b-tree per lookup. */
	crm_buf_adds(&sql, "SELECT customer_id FROM identities WHERE ");
	for (f = 1; f <= CRM_F_MEMBER_ID; f <<= 1) {
		if (!(fields & f))
			continue;
		crm_buf_addf(&sql, "%s%s%s = ?%d", n ? " AND " : "",
		    driver && f != driver ? "+" : "",
		    crm_field_column((enum crm_field)f), n + 1);
		n++;
	}
	/* Phone alone: a buyer with an e-mail address matches only records
	 * without one (the index identities_phone_noemail), and a buyer
	 * without matches any; two statements, so that the planner can see
	 * which. */
	if (fields == CRM_F_PHONE && guard)
		crm_buf_adds(&sql, " AND email_key IS NULL");
	if (crm_db_prepare(c->db, sql.s, &st, err) < 0) {
		crm_buf_release(&sql);
		return NULL;
	}
	crm_buf_release(&sql);
	c->rules[c->nrules].fields = fields;
	c->rules[c->nrules].guard = guard;
	c->rules[c->nrules].st = st;
	c->nrules++;
	return st;
}

/* The oldest active customer any rule finds, or 0. */
static int
match_customer(struct crm_customer_ctx *c, const struct crm_ruleset *rs,
    const struct crm_buyer_keys *k, int64_t *best, struct crm_err *err)
{
	sqlite3_stmt *st;
	size_t r;
	unsigned f;
	int n, rc, complete;
	int64_t id, active;

	*best = 0;
	for (r = 0; r < rs->n; r++) {
		unsigned fields = rs->rules[r].fields;

		complete = fields != 0;
		for (f = 1; f <= CRM_F_MEMBER_ID; f <<= 1)
			if ((fields & f) && key_of(k, f) == NULL)
				complete = 0;
		if (!complete)
			continue;
		if ((st = rule_stmt(c, fields, fields == CRM_F_PHONE &&
		    k->email != NULL, err)) == NULL)
			return -1;
		n = 0;
		for (f = 1; f <= CRM_F_MEMBER_ID; f <<= 1)
			if (fields & f)
				crm_db_bind_text(st, ++n, key_of(k, f));
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			id = sqlite3_column_int64(st, 0);
			if (crm_customer_resolve_ctx(c, id, &active, err) < 0) {
				sqlite3_reset(st);
				return -1;
			}
			if (*best == 0 || active < *best)
				*best = active;
		}
		sqlite3_reset(st);
		if (rc != SQLITE_DONE)
			return crm_db_err(c->db, err, "identities");
	}
	return 0;
}

static void
bind_tri(sqlite3_stmt *st, int i, int v)
{
	if (v < 0)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_int(st, i, v);
}

int
crm_identity_attach_ctx(struct crm_customer_ctx *c, int64_t shop_id,
    const struct crm_ruleset *rs, const struct crm_buyer *b,
    const struct crm_buyer_keys *k, const char *source,
    int64_t *identity_id, int64_t *customer_id, int *created,
    struct crm_err *err)
{
	const char *addr;
	size_t plen;
	int64_t cust;
	int rc;

	*created = 0;
	sqlite3_reset(c->find_ident);
	sqlite3_bind_int64(c->find_ident, 1, shop_id);
	crm_db_bind_text(c->find_ident, 2, k->fingerprint);
	rc = sqlite3_step(c->find_ident);
	if (rc == SQLITE_ROW) {
		*identity_id = sqlite3_column_int64(c->find_ident, 0);
		cust = sqlite3_column_int64(c->find_ident, 1);
		sqlite3_reset(c->find_ident);
		if (b->newsletter >= 0 || b->notices >= 0 || b->member) {
			sqlite3_stmt *u = c->upd_ident;

			sqlite3_reset(u);
			sqlite3_bind_int64(u, 1, *identity_id);
			sqlite3_bind_int(u, 2, b->newsletter);
			sqlite3_bind_int(u, 3, b->notices);
			crm_db_bind_text_null(u, 4, b->consent_at);
			sqlite3_bind_int(u, 5, b->member ? 1 : 0);
			crm_db_bind_text_null(u, 6, b->registered_at);
			sqlite3_bind_int(u, 7, b->withdrawn ? 1 : 0);
			rc = sqlite3_step(u);
			sqlite3_reset(u);
			if (rc != SQLITE_DONE)
				return crm_db_err(c->db, err, "identities");
		}
		return crm_customer_resolve_ctx(c, cust, customer_id, err);
	}
	sqlite3_reset(c->find_ident);
	if (rc != SQLITE_DONE)
		return crm_db_err(c->db, err, "identities");

	if (match_customer(c, rs, k, &cust, err) < 0)
		return -1;
	if (cust == 0 && c->defer_first) {
		cust = c->defer_next++;
		*created = 1;
	} else if (cust == 0) {
		sqlite3_reset(c->ins_cust);
		crm_db_bind_text(c->ins_cust, 1, c->now);
		rc = sqlite3_step(c->ins_cust);
		sqlite3_reset(c->ins_cust);
		if (rc != SQLITE_DONE)
			return crm_db_err(c->db, err, "customers");
		cust = sqlite3_last_insert_rowid(c->db);
		*created = 1;
	}

	/* The display address without the prefecture it starts with, since
	 * the prefecture has a column of its own. */
	addr = b->address;
	if (addr != NULL && k->prefecture != NULL) {
		const char *a = addr, *p;

		while (*a == ' ' || *a == '\t')
			a++;
		p = crm_pref_from_address(a, &plen);
		if (p != NULL && strcmp(p, k->prefecture) == 0) {
			a += plen;
			while (*a == ' ' || *a == '\t')
				a++;
			addr = a;
		}
	}

	sqlite3_stmt *st = c->ins_ident;
	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, shop_id);
	sqlite3_bind_int64(st, 2, cust);
	crm_db_bind_text(st, 3, k->fingerprint);
	crm_db_bind_text_null(st, 4, b->name);
	crm_db_bind_text_null(st, 5, b->kana);
	crm_db_bind_text_null(st, 6, b->email);
	crm_db_bind_text_null(st, 7, b->phone);
	crm_db_bind_text_null(st, 8, b->postcode);
	crm_db_bind_text_null(st, 9, k->prefecture);
	crm_db_bind_text_null(st, 10, addr);
	crm_db_bind_text_null(st, 11, k->birthday);
	crm_db_bind_text_null(st, 12, k->member_id);
	crm_db_bind_text_null(st, 13, k->email);
	crm_db_bind_text_null(st, 14, k->phone);
	crm_db_bind_text_null(st, 15, k->name);
	crm_db_bind_text_null(st, 16, k->kana);
	crm_db_bind_text_null(st, 17, k->postcode);
	crm_db_bind_text_null(st, 18, k->address);
	sqlite3_bind_int(st, 19, b->member ? 1 : 0);
	crm_db_bind_text_null(st, 20, b->registered_at);
	bind_tri(st, 21, b->newsletter);
	bind_tri(st, 22, b->notices);
	if (b->newsletter >= 0 || b->notices >= 0)
		crm_db_bind_text_null(st, 23, b->consent_at);
	else
		sqlite3_bind_null(st, 23);
	sqlite3_bind_int(st, 24, b->withdrawn ? 1 : 0);
	crm_db_bind_text_null(st, 25, source);
	crm_db_bind_text(st, 26, c->now);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return crm_db_err(c->db, err, "identities");
	*identity_id = sqlite3_last_insert_rowid(c->db);
	*customer_id = cust;
	return 0;
}

int
crm_identity_attach(sqlite3 *db, int64_t shop_id,
    const struct crm_ruleset *rs, const struct crm_buyer *b,
    const struct crm_buyer_keys *k, const char *source,
    int64_t *identity_id, int64_t *customer_id, int *created,
    struct crm_err *err)
{
	struct crm_customer_ctx *c;
	int rc;

	if (crm_customer_ctx_open(db, &c, err) < 0)
		return -1;
	rc = crm_identity_attach_ctx(c, shop_id, rs, b, k, source, identity_id,
	    customer_id, created, err);
	crm_customer_ctx_close(c);
	return rc;
}

/* ---- recompute ------------------------------------------------------- */

enum { F_NAME, F_KANA, F_EMAIL, F_PHONE, F_POSTCODE, F_PREF, F_ADDRESS,
	F_BIRTHDAY, F_MEMBER_ID, NCONTACT };

struct consent {
	int have, value;
	char at[32];
};

/* Latest event wins; at the same time an opt-out beats an opt-in. */
static void
consent_event(struct consent *cs, int value, const char *at)
{
	int cmp;

	if (at == NULL)
		at = "";
	if (!cs->have) {
		cs->have = 1;
		cs->value = value;
		crm_strlcpy(cs->at, at, sizeof cs->at);
		return;
	}
	cmp = strcmp(at, cs->at);
	if (cmp > 0 || (cmp == 0 && value == 0)) {
		cs->value = value;
		crm_strlcpy(cs->at, at, sizeof cs->at);
	}
}

static void
search_add(struct crm_buf *b, const char *s)
{
	char *f;

	if (crm_empty(s))
		return;
	f = crm_norm_fold(s);
	if (f == NULL)
		return;
	if (b->len)
		crm_buf_addc(b, '\x1f');
	crm_buf_adds(b, f);
	free(f);
}

/* One identity's contribution, sorted most recent first. */
struct ident {
	char *f[NCONTACT];
	char *phone_key, *registered_at, *consent_at, *recency;
	int member, withdrawn, newsletter, notices;   /* -1: NULL */
	int64_t id;
};

static int
ident_cmp(const void *a, const void *b)
{
	const struct ident *x = a, *y = b;
	int c = strcmp(y->recency, x->recency);

	if (c != 0)
		return c;
	return x->id < y->id ? 1 : x->id > y->id ? -1 : 0;
}

static void
ident_release(struct ident *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		for (int j = 0; j < NCONTACT; j++)
			free(v[i].f[j]);
		free(v[i].phone_key);
		free(v[i].registered_at);
		free(v[i].consent_at);
		free(v[i].recency);
	}
	free(v);
}

static char *
dup_col(sqlite3_stmt *st, int i)
{
	const unsigned char *s = sqlite3_column_text(st, i);

	return s ? crm_xstrdup((const char *)s) : NULL;
}

static void
min_str(char **cur, sqlite3_stmt *st, int i, int want_max)
{
	const char *s = (const char *)sqlite3_column_text(st, i);
	int c;

	if (s == NULL)
		return;
	if (*cur != NULL) {
		c = strcmp(s, *cur);
		if (want_max ? c <= 0 : c >= 0)
			return;
		free(*cur);
	}
	*cur = crm_xstrdup(s);
}

/* The customer and every customer merged into it, transitively. */
static int
merged_set(struct crm_customer_ctx *c, int64_t id, int64_t **out, size_t *n,
    struct crm_err *err)
{
	int64_t *v = crm_xmalloc(sizeof *v);
	size_t len = 1, cap = 1, i;
	int rc;

	v[0] = id;
	for (i = 0; i < len && len < MAX_HOPS; i++) {
		sqlite3_reset(c->rc_merged);
		sqlite3_bind_int64(c->rc_merged, 1, v[i]);
		while ((rc = sqlite3_step(c->rc_merged)) == SQLITE_ROW) {
			if (len == cap) {
				cap *= 2;
				v = crm_xreallocarray(v, cap, sizeof *v);
			}
			v[len++] = sqlite3_column_int64(c->rc_merged, 0);
		}
		sqlite3_reset(c->rc_merged);
		if (rc != SQLITE_DONE) {
			free(v);
			return crm_db_err(c->db, err, "customers");
		}
	}
	*out = v;
	*n = len;
	return 0;
}

/* What a customer is derived from: its identities (with their recency
 * filled in when there are several), its order aggregates and its
 * opt-out ledger. */
struct basis {
	struct ident *iv;
	size_t niv, civ;
	int64_t norders, total;
	char *first, *last, *any_first;
	struct consent nl, nt;
};

static void
basis_release(struct basis *b)
{
	ident_release(b->iv, b->niv);
	free(b->first);
	free(b->last);
	free(b->any_first);
	memset(b, 0, sizeof *b);
}

/* Columns 0 .. 17 of st as rc_idents selects them, from column off on. */
static struct ident *
basis_add_ident(struct basis *b, sqlite3_stmt *st, int off)
{
	struct ident *x;

	if (b->niv == b->civ) {
		b->civ = b->civ ? b->civ * 2 : 4;
		b->iv = crm_xreallocarray(b->iv, b->civ, sizeof *b->iv);
	}
	x = &b->iv[b->niv++];
	memset(x, 0, sizeof *x);
	for (int i = 0; i < NCONTACT; i++)
		x->f[i] = dup_col(st, off + i);
	x->member = sqlite3_column_int(st, off + 9);
	x->registered_at = dup_col(st, off + 10);
	x->withdrawn = sqlite3_column_int(st, off + 11);
	x->newsletter = sqlite3_column_type(st, off + 12) == SQLITE_NULL ? -1 :
	    sqlite3_column_int(st, off + 12);
	x->notices = sqlite3_column_type(st, off + 13) == SQLITE_NULL ? -1 :
	    sqlite3_column_int(st, off + 13);
	x->consent_at = dup_col(st, off + 14);
	x->phone_key = dup_col(st, off + 15);
	x->recency = dup_col(st, off + 16);
	if (x->recency == NULL)
		x->recency = crm_xstrdup("");
	x->id = sqlite3_column_int64(st, off + 17);
	return x;
}

/* Order aggregates in columns col .. col + 4 (see the header). */
static void
basis_add_agg(struct basis *b, sqlite3_stmt *st, int col)
{
	b->norders += sqlite3_column_int64(st, col);
	b->total += sqlite3_column_int64(st, col + 1);
	min_str(&b->first, st, col + 2, 0);
	min_str(&b->last, st, col + 3, 1);
	min_str(&b->any_first, st, col + 4, 0);
}

/* Derive the customer from its basis and write it: an UPDATE that
 * touches nothing when nothing changed, or the INSERT of a deferred
 * customer's row. */
static int
derive_write(struct crm_customer_ctx *c, int64_t id, struct basis *bs,
    struct crm_err *err)
{
	char *contact[NCONTACT] = { 0 };
	char *phone_key = NULL, *relay_email = NULL, *reg = NULL;
	struct crm_buf search;
	struct ident *iv = bs->iv;
	size_t niv = bs->niv, k;
	int member = 0, withdrawn = 0, seen_member = 0, rc, i, ret = -1;
	sqlite3_stmt *st;

	/* Identities, most recent first: the first that has a contact field
	 * gives it; a marketplace relay address only when there is no other.
	 * An identity is as recent as its last order, its consent or its
	 * sign-up. */
	if (niv > 1)
		qsort(iv, niv, sizeof *iv, ident_cmp);
	crm_buf_init(&search);
	for (k = 0; k < niv; k++) {
		struct ident *x = &iv[k];

		for (i = 0; i < NCONTACT; i++) {
			const char *v = x->f[i];

			if (crm_empty(v) || contact[i] != NULL)
				continue;
			if (i == F_EMAIL && crm_email_is_relay(v)) {
				if (relay_email == NULL)
					relay_email = crm_xstrdup(v);
				continue;
			}
			contact[i] = crm_xstrdup(v);
			if (i == F_PHONE && x->phone_key)
				phone_key = crm_xstrdup(x->phone_key);
		}
		if (x->member) {
			member = 1;
			if (!seen_member) {
				seen_member = 1;
				withdrawn = x->withdrawn;
			}
			if (!crm_empty(x->registered_at) && (reg == NULL ||
			    strcmp(x->registered_at, reg) < 0)) {
				free(reg);
				reg = crm_xstrdup(x->registered_at);
			}
		}
		if (x->newsletter >= 0)
			consent_event(&bs->nl, x->newsletter, x->consent_at);
		if (x->notices >= 0)
			consent_event(&bs->nt, x->notices, x->consent_at);
	}
	if (contact[F_EMAIL] == NULL) {
		contact[F_EMAIL] = relay_email;
		relay_email = NULL;
	}

	search_add(&search, contact[F_NAME]);
	search_add(&search, contact[F_KANA]);
	search_add(&search, contact[F_EMAIL]);
	search_add(&search, contact[F_PHONE]);
	search_add(&search, phone_key);
	if (contact[F_PREF] != NULL || contact[F_ADDRESS] != NULL) {
		struct crm_buf a;

		crm_buf_init(&a);
		if (contact[F_PREF])
			crm_buf_adds(&a, contact[F_PREF]);
		if (contact[F_ADDRESS])
			crm_buf_adds(&a, contact[F_ADDRESS]);
		search_add(&search, a.s);
		crm_buf_release(&a);
	}

	/* A deferred customer's row is written once, whole: an empty row
	 * inserted at attach time and filled in here grew in place, page
	 * splits and all, for every new customer of a big import. */
	st = c->defer_first && id >= c->defer_first ? c->rc_ins : c->rc_upd;
	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, id);
	for (i = 0; i < NCONTACT; i++)
		crm_db_bind_text_null(st, 2 + i, contact[i]);
	sqlite3_bind_int(st, 11, member);
	crm_db_bind_text_null(st, 12, member && reg ? reg :
	    bs->first ? bs->first : bs->any_first);
	crm_db_bind_text_null(st, 13, bs->first);
	crm_db_bind_text_null(st, 14, bs->last);
	sqlite3_bind_int64(st, 15, bs->norders);
	sqlite3_bind_int64(st, 16, bs->total);
	sqlite3_bind_int(st, 17, bs->nl.have ? bs->nl.value : 0);
	sqlite3_bind_int(st, 18, bs->nt.have ? bs->nt.value : 0);
	crm_db_bind_text_null(st, 19, bs->nl.have ? bs->nl.at : NULL);
	crm_db_bind_text_null(st, 20, bs->nt.have ? bs->nt.at : NULL);
	sqlite3_bind_int(st, 21, withdrawn);
	crm_db_bind_text_null(st, 22, search.s);
	crm_db_bind_text(st, 23, c->now);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		crm_db_err(c->db, err, "customers");
		goto out;
	}
	ret = 0;
out:
	for (i = 0; i < NCONTACT; i++)
		free(contact[i]);
	free(phone_key);
	free(relay_email);
	free(reg);
	crm_buf_release(&search);
	return ret;
}

/* Every customer merged into this one adds its identities, orders and
 * ledger. */
int
crm_customer_recompute_ctx(struct crm_customer_ctx *c, int64_t customer_id,
    struct crm_err *err)
{
	struct basis bs;
	size_t k, nset = 0;
	int64_t id, *set = NULL;
	int rc, ret = -1;
	sqlite3_stmt *st;

	memset(&bs, 0, sizeof bs);
	if (crm_customer_resolve_ctx(c, customer_id, &id, err) < 0 ||
	    merged_set(c, id, &set, &nset, err) < 0)
		return -1;

	for (k = 0; k < nset; k++) {
		/* Orders follow their identities to the survivor. */
		st = c->rc_sync;
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, set[k]);
		sqlite3_bind_int64(st, 2, id);
		rc = sqlite3_step(st);
		sqlite3_reset(st);
		if (rc != SQLITE_DONE) {
			crm_db_err(c->db, err, "orders");
			goto out;
		}
		st = c->rc_agg;
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, set[k]);
		if (sqlite3_step(st) != SQLITE_ROW) {
			crm_db_err(c->db, err, "orders");
			sqlite3_reset(st);
			goto out;
		}
		basis_add_agg(&bs, st, 0);
		sqlite3_reset(st);

		st = c->rc_idents;
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, set[k]);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW)
			basis_add_ident(&bs, st, 0);
		sqlite3_reset(st);
		if (rc != SQLITE_DONE) {
			crm_db_err(c->db, err, "identities");
			goto out;
		}

		/* The ledger: the owner can opt out but never back in; only
		 * the customer can opt in. */
		st = c->rc_optouts;
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, set[k]);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			const char *ch = (const char *)sqlite3_column_text(st, 0);
			const char *action = (const char *)sqlite3_column_text(st, 1);
			const char *by = (const char *)sqlite3_column_text(st, 2);
			const char *at = (const char *)sqlite3_column_text(st, 3);
			int v;

			if (ch == NULL || action == NULL || by == NULL)
				continue;
			if (strcmp(action, "in") == 0) {
				if (strcmp(by, "customer") != 0)
					continue;
				v = 1;
			} else
				v = 0;
			if (strcmp(ch, "newsletter") == 0 || strcmp(ch, "all") == 0)
				consent_event(&bs.nl, v, at);
			if (strcmp(ch, "notices") == 0 || strcmp(ch, "all") == 0)
				consent_event(&bs.nt, v, at);
		}
		sqlite3_reset(st);
		if (rc != SQLITE_DONE) {
			crm_db_err(c->db, err, "optouts");
			goto out;
		}
	}

	if (bs.niv > 1) {
		for (k = 0; k < bs.niv; k++) {
			st = c->rc_recent;
			sqlite3_reset(st);
			sqlite3_bind_int64(st, 1, bs.iv[k].id);
			if (sqlite3_step(st) != SQLITE_ROW) {
				crm_db_err(c->db, err, "orders");
				sqlite3_reset(st);
				goto out;
			}
			min_str(&bs.iv[k].recency, st, 0, 1);
			sqlite3_reset(st);
		}
	}
	ret = derive_write(c, id, &bs, err);
out:
	basis_release(&bs);
	free(set);
	return ret;
}

/* Every deferred customer, in id order, from two ordered scans merged
 * here: the identities by customer, and the orders grouped by customer
 * and identity (which also gives each identity its last order).  Per
 * customer statements cost more than the work at 10^6 customers. */
int
crm_customer_insert_deferred(struct crm_customer_ctx *c,
    void (*progress)(void *, long long), void *arg, struct crm_err *err)
{
	sqlite3_stmt *qi = NULL, *qa = NULL;
	struct basis bs;
	int64_t id, ci, ca;
	int ri, ra, ret = -1;
	long long n = 0;

	memset(&bs, 0, sizeof bs);
	if (c->defer_first == 0 || c->defer_next == c->defer_first)
		return 0;
	if (crm_db_prepare(c->db,
	    "SELECT i.customer_id, i.name, i.kana, i.email, i.phone, i.postcode,"
	    " i.prefecture, i.address, i.birthday, i.member_id, i.member,"
	    " i.registered_at, i.withdrawn, i.newsletter, i.notices, i.consent_at,"
	    " i.phone_key, max(coalesce(i.consent_at, ''),"
	    " coalesce(i.registered_at, '')), i.id"
	    " FROM identities i WHERE i.customer_id >= ?1"
	    " ORDER BY i.customer_id, i.id", &qi, err) < 0 ||
	    crm_db_prepare(c->db,
	    "SELECT customer_id, identity_id, coalesce(sum(status = 'ok'), 0),"
	    " coalesce(sum(CASE WHEN status = 'ok' THEN total END), 0),"
	    " min(CASE WHEN status = 'ok' THEN ordered_at END),"
	    " max(CASE WHEN status = 'ok' THEN ordered_at END),"
	    " min(ordered_at), max(ordered_at)"
	    " FROM orders WHERE customer_id >= ?1"
	    " GROUP BY customer_id, identity_id ORDER BY customer_id, identity_id",
	    &qa, err) < 0)
		goto out;
	sqlite3_bind_int64(qi, 1, c->defer_first);
	sqlite3_bind_int64(qa, 1, c->defer_first);
	ri = sqlite3_step(qi);
	ra = sqlite3_step(qa);
	for (id = c->defer_first; id < c->defer_next; id++) {
		for (; ri == SQLITE_ROW && (ci = sqlite3_column_int64(qi, 0)) <= id;
		    ri = sqlite3_step(qi))
			if (ci == id)
				basis_add_ident(&bs, qi, 1);
		for (; ra == SQLITE_ROW && (ca = sqlite3_column_int64(qa, 0)) <= id;
		    ra = sqlite3_step(qa)) {
			if (ca != id)
				continue;
			basis_add_agg(&bs, qa, 2);
			for (size_t k = 0; k < bs.niv; k++)
				if (bs.iv[k].id == sqlite3_column_int64(qa, 1))
					min_str(&bs.iv[k].recency, qa, 7, 1);
		}
		if ((ri != SQLITE_ROW && ri != SQLITE_DONE) ||
		    (ra != SQLITE_ROW && ra != SQLITE_DONE)) {
			crm_db_err(c->db, err, ri != SQLITE_ROW && ri != SQLITE_DONE ?
			    "identities" : "orders");
			goto out;
		}
		if (derive_write(c, id, &bs, err) < 0)
			goto out;
		basis_release(&bs);
		if (progress && (++n & 1023) == 0)
			progress(arg, n);
	}
	ret = 0;
out:
	basis_release(&bs);
	sqlite3_finalize(qi);
	sqlite3_finalize(qa);
	return ret;
}

int
crm_customer_recompute(sqlite3 *db, int64_t customer_id, struct crm_err *err)
{
	struct crm_customer_ctx *c;
	int rc;

	if (crm_customer_ctx_open(db, &c, err) < 0)
		return -1;
	rc = crm_customer_recompute_ctx(c, customer_id, err);
	crm_customer_ctx_close(c);
	return rc;
}
