/* dedupe.c: rules over everything, near matches, review pairs.
 *
 * The run reads the buyer records' keys once into memory (about 150 MB
 * per million) beside one union-find over customer ids (arrays of the
 * size of the largest id).  Each rule, and each block of the near-match
 * search, is a sort of those records by its key, so that records that
 * agree are next to each other: nothing compares the whole population
 * pairwise.  Only the merges and the pairs go back to SQLite.
 * Measured on 10^6 generated records with 40,000 rule merges (2 shared
 * cores): 12 s, 520 MB. */
#include <stdlib.h>
#include <string.h>

#include "dedupe.h"
#include "customer.h"
#include "db.h"
#include "merge.h"
#include "similar.h"
#include "util.h"
#include "banned.h"

#define MAX_RULES    32
#define BLOCK_ALL    50   /* blocks up to this size: every pair */
/* Larger blocks: neighbours in name order.  On a generated million, a
 * window of 5 found what 10 found, with 60% of the comparisons. */
#define BLOCK_WINDOW 5
#define LABEL_AUTO   255

/* ---- union-find with cannot-link constraints ------------------------- */

struct uf {
	int64_t n;
	int64_t *parent;
	unsigned char *label;   /* rule index + 1 that attached this root */
	unsigned char *active;
	int32_t *cl_head, *cl_tail;     /* constraint lists per root */
	struct cl_entry { int64_t other; int32_t next; } *cl;
	size_t ncl, capcl;
};

static int64_t
uf_find(struct uf *u, int64_t x)
{
	int64_t r = x, t;

	while (u->parent[r] != r)
		r = u->parent[r];
	while (u->parent[x] != r) {
		t = u->parent[x];
		u->parent[x] = r;
		x = t;
	}
	return r;
}

static void
cl_push(struct uf *u, int64_t root, int64_t other)
{
	if (u->ncl == u->capcl) {
		u->capcl = u->capcl ? 2 * u->capcl : 16;
		u->cl = crm_xreallocarray(u->cl, u->capcl, sizeof *u->cl);
	}
	u->cl[u->ncl].other = other;
	u->cl[u->ncl].next = -1;
	if (u->cl_tail[root] >= 0)
		u->cl[u->cl_tail[root]].next = (int32_t)u->ncl;
	else
		u->cl_head[root] = (int32_t)u->ncl;
	u->cl_tail[root] = (int32_t)u->ncl;
	u->ncl++;
}

/* 1 when some constraint of set ra names a member of set rb. */
static int
uf_forbidden(struct uf *u, int64_t ra, int64_t rb)
{
	int32_t e;

	for (e = u->cl_head[ra]; e >= 0; e = u->cl[e].next)
		if (uf_find(u, u->cl[e].other) == rb)
			return 1;
	return 0;
}

/* Join the sets of x and y; the older (lower) id stays the root.
 * Returns 1 joined, 0 already one, -1 refused by a constraint. */
static int
uf_union(struct uf *u, int64_t x, int64_t y, unsigned char label)
{
	int64_t rx = uf_find(u, x), ry = uf_find(u, y), t;

	if (rx == ry)
		return 0;
	if (uf_forbidden(u, rx, ry) || uf_forbidden(u, ry, rx))
		return -1;
	if (ry < rx) {
		t = rx;
		rx = ry;
		ry = t;
	}
	u->parent[ry] = rx;
	u->label[ry] = label;
	if (u->cl_head[ry] >= 0) {
		if (u->cl_tail[rx] >= 0)
			u->cl[u->cl_tail[rx]].next = u->cl_head[ry];
		else
			u->cl_head[rx] = u->cl_head[ry];
		u->cl_tail[rx] = u->cl_tail[ry];
		u->cl_head[ry] = u->cl_tail[ry] = -1;
	}
	return 1;
}

static void
uf_release(struct uf *u)
{
	free(u->parent);
	free(u->label);
	free(u->active);
	free(u->cl_head);
	free(u->cl_tail);
	free(u->cl);
	memset(u, 0, sizeof *u);
}

static int
uf_load(sqlite3 *db, struct uf *u, long long *ncust, struct crm_err *err)
{
	sqlite3_stmt *st;
	int64_t maxid = 0, id, i, a, b;
	int rc;

	memset(u, 0, sizeof *u);
	if (crm_db_int(db, "SELECT coalesce(max(id), 0) FROM customers", &maxid,
	    err) < 0)
		return -1;
	u->n = maxid + 1;
	u->parent = crm_xreallocarray(NULL, (size_t)u->n, sizeof *u->parent);
	u->label = crm_xcalloc((size_t)u->n, 1);
	u->active = crm_xcalloc((size_t)u->n, 1);
	u->cl_head = crm_xreallocarray(NULL, (size_t)u->n, sizeof *u->cl_head);
	u->cl_tail = crm_xreallocarray(NULL, (size_t)u->n, sizeof *u->cl_tail);
	for (i = 0; i < u->n; i++) {
		u->parent[i] = i;
		u->cl_head[i] = u->cl_tail[i] = -1;
	}
	/* An absorbed customer points at its survivor, always a lower id:
	 * merged_into chains are union-find links already. */
	if (crm_db_prepare(db, "SELECT id, merged_into FROM customers", &st, err) < 0)
		return -1;
	*ncust = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		id = sqlite3_column_int64(st, 0);
		if (id <= 0 || id >= u->n)
			continue;
		if (sqlite3_column_type(st, 1) == SQLITE_NULL) {
			u->active[id] = 1;
			(*ncust)++;
		} else {
			int64_t m = sqlite3_column_int64(st, 1);

			if (m > 0 && m < id)
				u->parent[id] = m;
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return crm_db_err(db, err, "customers");

	if (crm_db_prepare(db, "SELECT a, b FROM dedupe_pairs WHERE status = 'rejected'",
	    &st, err) < 0)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		a = sqlite3_column_int64(st, 0);
		b = sqlite3_column_int64(st, 1);
		if (a <= 0 || b <= 0 || a >= u->n || b >= u->n)
			continue;
		if (uf_find(u, a) == uf_find(u, b))
			continue;   /* merged by hand since: the person decided */
		cl_push(u, uf_find(u, a), b);
		cl_push(u, uf_find(u, b), a);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return crm_db_err(db, err, "dedupe_pairs");
	return 0;
}

/* ---- the buyer records, in memory ----------------------------------- */

/* Strings live in an arena of fixed chunks, so that pointers into it stay
 * valid as it grows and everything is freed at once. */
struct arena {
	char **chunks;
	size_t nchunks, used;
};

#define ARENA_CHUNK (1 << 20)

static const char *
arena_dup(struct arena *ar, const char *s, size_t len)
{
	char *p;

	if (len + 1 > ARENA_CHUNK)
		len = ARENA_CHUNK - 1;   /* keys are short; a huge one is cut */
	if (ar->nchunks == 0 || ar->used + len + 1 > ARENA_CHUNK) {
		ar->chunks = crm_xreallocarray(ar->chunks, ar->nchunks + 1,
		    sizeof *ar->chunks);
		ar->chunks[ar->nchunks++] = crm_xmalloc(ARENA_CHUNK);
		ar->used = 0;
	}
	p = ar->chunks[ar->nchunks - 1] + ar->used;
	memcpy(p, s, len);
	p[len] = '\0';
	ar->used += len + 1;
	return p;
}

static void
arena_release(struct arena *ar)
{
	size_t i;

	for (i = 0; i < ar->nchunks; i++)
		free(ar->chunks[i]);
	free(ar->chunks);
	memset(ar, 0, sizeof *ar);
}

/* Keys of one buyer record: F_* below index f. */
enum { K_NAME, K_KANA, K_EMAIL, K_PHONE, K_POSTCODE, K_ADDRESS, K_BIRTHDAY,
	K_PREF, K_MEMBER, NKEYS };

struct row {
	int64_t id, cust, shop;    /* identity, its customer, its shop */
	const char *f[NKEYS];
};

struct recs {
	struct row *r;
	size_t n, cap;
	struct arena ar;
};

/* The key of a rule field (enum crm_field, one bit) in a row. */
static int
key_index(unsigned field)
{
	switch (field) {
	case CRM_F_EMAIL:      return K_EMAIL;
	case CRM_F_PHONE:      return K_PHONE;
	case CRM_F_NAME:       return K_NAME;
	case CRM_F_KANA:       return K_KANA;
	case CRM_F_POSTCODE:   return K_POSTCODE;
	case CRM_F_PREFECTURE: return K_PREF;
	case CRM_F_ADDRESS:    return K_ADDRESS;
	case CRM_F_BIRTHDAY:   return K_BIRTHDAY;
	default:               return K_MEMBER;
	}
}

static void
recs_release(struct recs *rs)
{
	arena_release(&rs->ar);
	free(rs->r);
	memset(rs, 0, sizeof *rs);
}

static int
recs_load(sqlite3 *db, int64_t ncust, struct recs *rs, struct crm_err *err)
{
	sqlite3_stmt *st;
	int rc, k;

	memset(rs, 0, sizeof *rs);
	if (crm_db_prepare(db, "SELECT customer_id, shop_id, name_key, kana_key,"
	    " email_key, phone_key, postcode_key, address_key, birthday, prefecture,"
	    " member_id, id FROM identities", &st, err) < 0)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t cust = sqlite3_column_int64(st, 0);

		if (cust <= 0 || cust >= ncust)
			continue;
		if (rs->n == rs->cap) {
			rs->cap = rs->cap ? 2 * rs->cap : 4096;
			rs->r = crm_xreallocarray(rs->r, rs->cap, sizeof *rs->r);
		}
		rs->r[rs->n].id = sqlite3_column_int64(st, NKEYS + 2);
		rs->r[rs->n].cust = cust;
		rs->r[rs->n].shop = sqlite3_column_int64(st, 1);
		for (k = 0; k < NKEYS; k++) {
			const char *v = (const char *)sqlite3_column_text(st, k + 2);

			rs->r[rs->n].f[k] = crm_empty(v) ? NULL :
			    arena_dup(&rs->ar, v, (size_t)sqlite3_column_bytes(st, k + 2));
		}
		rs->n++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return crm_db_err(db, err, "identities");
	return 0;
}

/* ---- rules ----------------------------------------------------------- */

struct rules_in_force {
	struct crm_rule rules[MAX_RULES];
	size_t n;
	uint32_t *mask;          /* by shop id: bit r set when rule r applies */
	int64_t nshops;
};

static int
rif_load(sqlite3 *db, struct rules_in_force *rf, struct crm_err *err)
{
	struct crm_ruleset rs;
	sqlite3_stmt *st;
	int64_t maxid = 0, shop;
	size_t i, j;
	int rc;

	memset(rf, 0, sizeof *rf);
	if (crm_db_int(db, "SELECT coalesce(max(id), 0) FROM shops", &maxid, err) < 0)
		return -1;
	rf->nshops = maxid + 1;
	rf->mask = crm_xcalloc((size_t)rf->nshops, sizeof *rf->mask);
	if (crm_db_prepare(db, "SELECT id FROM shops ORDER BY id", &st, err) < 0)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		shop = sqlite3_column_int64(st, 0);
		if (shop <= 0 || shop >= rf->nshops)
			continue;
		if (crm_rules_load(db, shop, &rs, err) < 0) {
			sqlite3_finalize(st);
			return -1;
		}
		for (i = 0; i < rs.n; i++) {
			for (j = 0; j < rf->n; j++)
				if (rf->rules[j].fields == rs.rules[i].fields)
					break;
			if (j == rf->n) {
				if (rf->n == MAX_RULES) {
					crm_ruleset_release(&rs);
					sqlite3_finalize(st);
					return crm_err_set(err, EX_DATAERR,
					    "match_rules: more than %d different rules",
					    MAX_RULES);
				}
				rf->rules[rf->n++] = rs.rules[i];
			}
			rf->mask[shop] |= (uint32_t)1 << j;
		}
		crm_ruleset_release(&rs);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return crm_db_err(db, err, "shops");
	return 0;
}

struct member {
	int64_t cust;
	int inforce;
	const char *email;   /* NULL: no e-mail address */
};

struct group {
	struct member *m;
	size_t n, cap;
};

static void
join(struct uf *u, int64_t x, int64_t y, unsigned char label,
    struct crm_dedupe_stats *stats)
{
	if (uf_union(u, x, y, label) < 0)
		stats->kept_apart++;
}

/* One group of records that agree on every field of rule r. */
static void
group_apply(struct uf *u, const struct group *g, unsigned fields,
    unsigned char label, struct crm_dedupe_stats *stats)
{
	size_t i, j, first = g->n, anchor = 0, nomail = g->n;
	int distinct = 0;

	for (i = 0; i < g->n && first == g->n; i++)
		if (g->m[i].inforce)
			first = i;
	if (first == g->n || g->n < 2)
		return;
	if (fields != CRM_F_PHONE) {
		for (i = 0; i < g->n; i++)
			if (i != first)
				join(u, g->m[first].cust, g->m[i].cust, label, stats);
		return;
	}

	/* Phone alone: only a record without e-mail is joined by it. */
	for (i = 0; i < g->n; i++) {
		if (g->m[i].email == NULL) {
			if (nomail == g->n)
				nomail = i;
			continue;
		}
		for (j = 0; j < i; j++)
			if (g->m[j].email != NULL &&
			    strcmp(g->m[j].email, g->m[i].email) == 0)
				break;
		if (j == i)
			distinct++;
	}
	if (nomail == g->n)
		return;
	if (distinct <= 1) {
		/* One person's address at most: everyone is one customer. */
		for (i = 0; i < g->n; i++)
			if (i != nomail)
				join(u, g->m[nomail].cust, g->m[i].cust, label, stats);
		return;
	}
	/* A household: those without e-mail go to the oldest customer. */
	for (i = 1; i < g->n; i++)
		if (uf_find(u, g->m[i].cust) < uf_find(u, g->m[anchor].cust))
			anchor = i;
	for (i = 0; i < g->n; i++) {
		if (i == anchor || g->m[i].email != NULL)
			continue;
		if (g->m[i].inforce || g->m[anchor].inforce)
			join(u, g->m[anchor].cust, g->m[i].cust, label, stats);
		else
			join(u, g->m[first].cust, g->m[i].cust, label, stats);
	}
}

/* A record in a rule pass: the rule's fields joined into one key. */
struct kent {
	const char *key;
	const struct row *row;
};

static int
kent_cmp(const void *x, const void *y)
{
	const struct kent *a = x, *b = y;
	int c = strcmp(a->key, b->key);

	if (c != 0)
		return c;
	return a->row->id < b->row->id ? -1 : a->row->id > b->row->id;
}

/* Rule r over every record: sort by the rule's key, so that records that
 * agree on all its fields are next to each other, and join each group. */
static void
apply_rule(struct uf *u, const struct rules_in_force *rf, size_t r,
    const struct recs *rs, struct crm_dedupe_stats *stats)
{
	unsigned fields = rf->rules[r].fields, f;
	struct arena ar = { NULL, 0, 0 };
	struct group g = { NULL, 0, 0 };
	struct crm_buf key;
	struct kent *e;
	size_t i, n = 0, start, j;
	int complete;

	crm_buf_init(&key);
	e = crm_xreallocarray(NULL, rs->n ? rs->n : 1, sizeof *e);
	for (i = 0; i < rs->n; i++) {
		const struct row *row = &rs->r[i];

		crm_buf_reset(&key);
		complete = 1;
		for (f = 1; f <= CRM_F_MEMBER_ID && complete; f <<= 1) {
			const char *v;

			if (!(fields & f))
				continue;
			if ((v = row->f[key_index(f)]) == NULL) {
				complete = 0;
				break;
			}
			crm_buf_adds(&key, v);
			crm_buf_addc(&key, '\x1f');
		}
		if (!complete)
			continue;
		e[n].key = arena_dup(&ar, key.s, key.len);
		e[n].row = row;
		n++;
	}
	crm_buf_release(&key);
	qsort(e, n, sizeof *e, kent_cmp);
	for (start = 0, i = 1; i <= n; i++) {
		if (i < n && strcmp(e[i].key, e[start].key) == 0)
			continue;
		if (i - start > 1) {
			if (i - start > g.cap) {
				g.cap = i - start;
				g.m = crm_xreallocarray(g.m, g.cap, sizeof *g.m);
			}
			for (j = start, g.n = 0; j < i; j++, g.n++) {
				const struct row *row = e[j].row;

				g.m[g.n].cust = row->cust;
				g.m[g.n].inforce = row->shop > 0 && row->shop < rf->nshops &&
				    (rf->mask[row->shop] >> r & 1);
				g.m[g.n].email = row->f[K_EMAIL];
			}
			group_apply(u, &g, fields, (unsigned char)(r + 1), stats);
		}
		start = i;
	}
	free(g.m);
	free(e);
	arena_release(&ar);
}

/* ---- near matches ---------------------------------------------------- */

struct cand {
	int64_t a, b;
	double score;
	char *reasons;
};

struct pairmap {
	struct cand *slot;
	size_t cap, n;
};

static size_t
pm_hash(int64_t a, int64_t b, size_t cap)
{
	uint64_t h = (uint64_t)a * 0x9E3779B97F4A7C15ULL ^ (uint64_t)b * 0xC2B2AE3D27D4EB4FULL;

	h ^= h >> 29;
	return (size_t)(h & (cap - 1));
}

static struct cand *
pm_get(struct pairmap *m, int64_t a, int64_t b, int create)
{
	size_t i;

	if (m->cap == 0) {
		if (!create)
			return NULL;
		m->cap = 1024;
		m->slot = crm_xcalloc(m->cap, sizeof *m->slot);
	}
	if (create && 2 * (m->n + 1) > m->cap) {
		struct pairmap big = { crm_xcalloc(2 * m->cap, sizeof *m->slot),
		    2 * m->cap, m->n };

		for (i = 0; i < m->cap; i++) {
			size_t j;

			if (m->slot[i].a == 0)
				continue;
			j = pm_hash(m->slot[i].a, m->slot[i].b, big.cap);
			while (big.slot[j].a != 0)
				j = (j + 1) & (big.cap - 1);
			big.slot[j] = m->slot[i];
		}
		free(m->slot);
		*m = big;
	}
	for (i = pm_hash(a, b, m->cap); m->slot[i].a != 0; i = (i + 1) & (m->cap - 1))
		if (m->slot[i].a == a && m->slot[i].b == b)
			return &m->slot[i];
	if (!create)
		return NULL;
	m->slot[i].a = a;
	m->slot[i].b = b;
	m->slot[i].score = -1;
	m->n++;
	return &m->slot[i];
}

static void
pm_release(struct pairmap *m)
{
	size_t i;

	for (i = 0; i < m->cap; i++)
		free(m->slot[i].reasons);
	free(m->slot);
	memset(m, 0, sizeof *m);
}

struct near_ctx {
	struct uf *u;
	struct pairmap *found, *rejected;
	double threshold;
	struct crm_dedupe_stats *stats;
	struct crm_buf reasons;
};

static void
score_pair(struct near_ctx *nc, const struct row *x, const struct row *y)
{
	struct crm_sim_rec a, b;
	int64_t ra = uf_find(nc->u, x->cust), rb = uf_find(nc->u, y->cust), t;
	struct cand *c;
	double s;

	if (ra == rb)
		return;
	if (rb < ra) {
		t = ra;
		ra = rb;
		rb = t;
	}
	if (pm_get(nc->rejected, ra, rb, 0) != NULL)
		return;
	a = (struct crm_sim_rec){ x->f[0], x->f[1], x->f[2], x->f[3], x->f[4], x->f[5], x->f[6] };
	b = (struct crm_sim_rec){ y->f[0], y->f[1], y->f[2], y->f[3], y->f[4], y->f[5], y->f[6] };
	nc->stats->candidates++;
	/* Most candidates fall short: the reasons are written only for
	 * those that will be kept. */
	s = crm_sim_score(&a, &b, NULL);
	if (s < nc->threshold)
		return;
	c = pm_get(nc->found, ra, rb, 1);
	if (s > c->score) {
		crm_buf_reset(&nc->reasons);
		crm_sim_score(&a, &b, &nc->reasons);
		c->score = s;
		free(c->reasons);
		c->reasons = crm_xstrdup(nc->reasons.s ? nc->reasons.s : "");
	}
}

/* A record in a block: its block key (klen bytes of key), in name order
 * within the block so that a sliding window sees similar names. */
struct bent {
	const char *key;
	size_t klen;
	const struct row *row;
};

static int
nullcmp(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return (a != NULL) - (b != NULL);
	return strcmp(a, b);
}

static int
bent_cmp(const void *x, const void *y)
{
	const struct bent *a = x, *b = y;
	size_t n = a->klen < b->klen ? a->klen : b->klen;
	int c = memcmp(a->key, b->key, n);

	if (c != 0)
		return c;
	if (a->klen != b->klen)
		return a->klen < b->klen ? -1 : 1;
	if ((c = nullcmp(a->row->f[0], b->row->f[0])) != 0)
		return c;
	if ((c = nullcmp(a->row->f[1], b->row->f[1])) != 0)
		return c;
	/* The identity, not the customer: the order (and so the window of
	 * a large block) must not change when customers merge. */
	return a->row->id < b->row->id ? -1 : a->row->id > b->row->id;
}

static void
block_apply(struct near_ctx *nc, const struct bent *e, size_t n)
{
	size_t i, j, w = n <= BLOCK_ALL ? n : BLOCK_WINDOW + 1;

	for (i = 0; i < n; i++)
		for (j = i + 1; j < n && j < i + w; j++)
			score_pair(nc, e[i].row, e[j].row);
}

/* field: index into row.f; email: block on the local part, relays skipped. */
static void
near_block(struct near_ctx *nc, const struct recs *rs, int field,
    struct bent *e)
{
	size_t i, n = 0, start;

	for (i = 0; i < rs->n; i++) {
		const char *k = rs->r[i].f[field], *at;

		if (k == NULL)
			continue;
		e[n].key = k;
		e[n].klen = strlen(k);
		if (field == K_EMAIL) {
			if (crm_email_is_relay(k) || (at = strrchr(k, '@')) == NULL ||
			    at == k)
				continue;
			e[n].klen = (size_t)(at - k);
		}
		e[n].row = &rs->r[i];
		n++;
	}
	qsort(e, n, sizeof *e, bent_cmp);
	for (start = 0, i = 1; i <= n; i++) {
		if (i < n && e[i].klen == e[start].klen &&
		    memcmp(e[i].key, e[start].key, e[i].klen) == 0)
			continue;
		block_apply(nc, e + start, i - start);
		start = i;
	}
}

static int
cand_cmp(const void *x, const void *y)
{
	const struct cand *a = *(const struct cand *const *)x;
	const struct cand *b = *(const struct cand *const *)y;

	if (a->score != b->score)
		return a->score > b->score ? -1 : 1;
	if (a->a != b->a)
		return a->a < b->a ? -1 : 1;
	return a->b < b->b ? -1 : a->b > b->b;
}

/* ---- the run --------------------------------------------------------- */

static int
merge_rule_groups(sqlite3 *db, struct uf *u, const struct rules_in_force *rf,
    struct crm_dedupe_stats *stats, struct crm_err *err)
{
	struct crm_merge_batch *mb = NULL;
	struct crm_customer_ctx *cc = NULL;
	unsigned char *touched = NULL;
	char how[160];
	int64_t c, r;
	int ret = -1;

	if (crm_merge_batch_open(db, &mb, err) < 0 ||
	    crm_customer_ctx_open(db, &cc, err) < 0)
		goto out;
	touched = crm_xcalloc((size_t)u->n, 1);
	for (c = 1; c < u->n; c++) {
		if (!u->active[c] || (r = uf_find(u, c)) == c)
			continue;
		snprintf(how, sizeof how, "rule:%s", u->label[c] > 0 &&
		    u->label[c] <= rf->n ? rf->rules[u->label[c] - 1].text : "?");
		if (crm_merge_batch_add(mb, r, c, how, err) < 0)
			goto out;
		u->active[c] = 0;
		touched[r] = 1;
		stats->rule_merged++;
	}
	if (crm_merge_batch_run(mb, err) < 0)
		goto out;
	for (c = 1; c < u->n; c++)
		if (touched[c] && crm_customer_recompute_ctx(cc, c, err) < 0)
			goto out;
	ret = 0;
out:
	free(touched);
	crm_customer_ctx_close(cc);
	crm_merge_batch_close(mb);
	return ret;
}

static int
store_pairs(sqlite3 *db, struct uf *u, struct pairmap *found,
    const struct crm_dedupe_opts *o, struct crm_dedupe_stats *stats,
    struct crm_err *err)
{
	struct cand **list = NULL;
	struct crm_merge_ctx *mc = NULL;
	struct crm_customer_ctx *cc = NULL;
	sqlite3_stmt *up = NULL, *seen = NULL;
	int64_t maxid = 0, ra, rb, lo, hi;
	size_t i, n = 0;
	char now[20], how[32];
	int rc, ret = -1;

	/* The pairs found go to a temporary table and from there into
	 * dedupe_pairs in one statement: a pair still pending keeps its id
	 * and gets the new score; rejected and confirmed rows are left as
	 * they are; pending pairs not found again are dropped. */
	if (crm_db_int(db, "SELECT coalesce(max(id), 0) FROM dedupe_pairs", &maxid,
	    err) < 0 ||
	    crm_db_exec(db, "CREATE TEMP TABLE IF NOT EXISTS crm_found (a INTEGER,"
	    " b INTEGER, score REAL, reasons TEXT, PRIMARY KEY (a, b)) WITHOUT ROWID;"
	    " DELETE FROM temp.crm_found;", err) < 0 ||
	    crm_db_prepare(db, "INSERT INTO temp.crm_found VALUES (?1, ?2, ?3, ?4)",
	    &up, err) < 0)
		goto out;
	list = crm_xreallocarray(NULL, found->n ? found->n : 1, sizeof *list);
	for (i = 0; i < found->cap; i++)
		if (found->slot[i].a != 0)
			list[n++] = &found->slot[i];
	qsort(list, n, sizeof *list, cand_cmp);
	for (i = 0; i < n; i++) {
		sqlite3_reset(up);
		sqlite3_bind_int64(up, 1, list[i]->a);
		sqlite3_bind_int64(up, 2, list[i]->b);
		sqlite3_bind_double(up, 3, (double)(int64_t)(list[i]->score * 1000 + 0.5) / 1000);
		crm_db_bind_text(up, 4, list[i]->reasons);
		if (sqlite3_step(up) != SQLITE_DONE) {
			crm_db_err(db, err, "dedupe_pairs");
			goto out;
		}
	}
	sqlite3_finalize(up);
	up = NULL;
	crm_db_now(now);
	if (crm_db_prepare(db,
	    "INSERT INTO dedupe_pairs (a, b, score, reasons, created_at)"
	    " SELECT a, b, score, reasons, ?1 FROM temp.crm_found WHERE 1"
	    " ORDER BY score DESC, a, b"
	    " ON CONFLICT (a, b) DO UPDATE SET score = excluded.score,"
	    " reasons = excluded.reasons WHERE status = 'pending'", &seen, err) < 0)
		goto out;
	crm_db_bind_text(seen, 1, now);
	rc = sqlite3_step(seen);
	sqlite3_finalize(seen);
	seen = NULL;
	if (rc != SQLITE_DONE) {
		crm_db_err(db, err, "dedupe_pairs");
		goto out;
	}
	if (crm_db_exec(db, "DELETE FROM dedupe_pairs WHERE status = 'pending'"
	    " AND NOT EXISTS (SELECT 1 FROM temp.crm_found f WHERE f.a = dedupe_pairs.a"
	    " AND f.b = dedupe_pairs.b); DELETE FROM temp.crm_found;", err) < 0)
		goto out;

	/* --auto-merge: best pairs first, each between the current customers
	 * of its two ends. */
	if (o->auto_merge <= 1.0) {
		if (crm_merge_ctx_open(db, &mc, err) < 0 ||
		    crm_customer_ctx_open(db, &cc, err) < 0)
			goto out;
		for (i = 0; i < n && list[i]->score >= o->auto_merge; i++) {
			ra = uf_find(u, list[i]->a);
			rb = uf_find(u, list[i]->b);
			if (ra == rb || uf_union(u, ra, rb, LABEL_AUTO) < 0)
				continue;
			lo = ra < rb ? ra : rb;
			hi = ra < rb ? rb : ra;
			snprintf(how, sizeof how, "auto:%.2f", list[i]->score);
			if (crm_merge_pair_ctx(mc, lo, hi, how, NULL, NULL, NULL, err) < 0 ||
			    crm_customer_recompute_ctx(cc, lo, err) < 0)
				goto out;
			stats->auto_merged++;
		}
	}
	if (crm_undetermined_refresh(db, 0, err) < 0)
		goto out;
	{
		int64_t v;

		if (crm_db_int(db, "SELECT count(*) FROM dedupe_pairs WHERE status = 'pending'",
		    &v, err) < 0)
			goto out;
		stats->pending = v;
		sqlite3_finalize(up);
		if (crm_db_prepare(db, "SELECT count(*) FROM dedupe_pairs WHERE"
		    " status = 'pending' AND id > ?1", &up, err) < 0)
			goto out;
	}
	sqlite3_bind_int64(up, 1, maxid);
	if (sqlite3_step(up) == SQLITE_ROW)
		stats->pending_new = sqlite3_column_int64(up, 0);
	ret = 0;
out:
	free(list);
	sqlite3_finalize(up);
	sqlite3_finalize(seen);
	crm_customer_ctx_close(cc);
	crm_merge_ctx_close(mc);
	return ret;
}

int
crm_dedupe_run(sqlite3 *db, const struct crm_dedupe_opts *o,
    struct crm_dedupe_stats *stats, struct crm_err *err)
{
	static const int blocks[] = { K_PHONE, K_POSTCODE, K_EMAIL, K_NAME, K_KANA };
	struct rules_in_force rf;
	struct pairmap found = { NULL, 0, 0 }, rejected = { NULL, 0, 0 };
	struct near_ctx nc;
	struct recs recs = { NULL, 0, 0, { NULL, 0, 0 } };
	struct bent *ents = NULL;
	struct uf u;
	size_t r, i;
	int32_t e;
	int64_t c;
	double t;
	int ret = -1;

	memset(stats, 0, sizeof *stats);
	memset(&rf, 0, sizeof rf);
	crm_buf_init(&nc.reasons);
	/* The merges write all over the file: a larger page cache for this
	 * connection (up to 512 MiB, used only as needed). */
	if (crm_db_exec(db, "PRAGMA cache_size = -524288;", err) < 0)
		return -1;
	t = crm_now();
	if (uf_load(db, &u, &stats->customers, err) < 0 ||
	    rif_load(db, &rf, err) < 0 ||
	    recs_load(db, u.n, &recs, err) < 0)
		goto out;
	stats->identities = (long long)recs.n;
	for (r = 0; r < rf.n; r++)
		apply_rule(&u, &rf, r, &recs, stats);
	stats->t_rules = crm_now() - t;
	t = crm_now();
	if (merge_rule_groups(db, &u, &rf, stats, err) < 0)
		goto out;
	stats->t_merge = crm_now() - t;
	t = crm_now();

	/* Rejected pairs between the customers as they now are. */
	for (c = 1; c < u.n; c++)
		for (e = u.cl_head[c]; e >= 0; e = u.cl[e].next) {
			int64_t x = c, y = uf_find(&u, u.cl[e].other);

			if (x == y)
				continue;
			pm_get(&rejected, x < y ? x : y, x < y ? y : x, 1);
		}
	nc.u = &u;
	nc.found = &found;
	nc.rejected = &rejected;
	nc.threshold = o->threshold;
	nc.stats = stats;
	ents = crm_xreallocarray(NULL, recs.n ? recs.n : 1, sizeof *ents);
	for (i = 0; i < sizeof blocks / sizeof blocks[0]; i++)
		near_block(&nc, &recs, blocks[i], ents);
	free(ents);
	ents = NULL;
	stats->t_near = crm_now() - t;
	t = crm_now();
	if (store_pairs(db, &u, &found, o, stats, err) < 0)
		goto out;
	stats->t_store = crm_now() - t;
	ret = 0;
out:
	crm_buf_release(&nc.reasons);
	free(ents);
	recs_release(&recs);
	pm_release(&found);
	pm_release(&rejected);
	free(rf.mask);
	uf_release(&u);
	return ret;
}

/* ---- rules ----------------------------------------------------------- */

int
crm_dedupe_rules_set(sqlite3 *db, int64_t shop_id, const struct crm_rule *rules,
    size_t n, struct crm_err *err)
{
	sqlite3_stmt *del = NULL, *ins = NULL;
	char now[20];
	size_t i;
	int ret = -1;

	if (crm_db_prepare(db, shop_id > 0 ?
	    "DELETE FROM match_rules WHERE shop_id = ?1" :
	    "DELETE FROM match_rules WHERE shop_id IS NULL AND ?1 = 0", &del, err) < 0 ||
	    crm_db_prepare(db, "INSERT OR IGNORE INTO match_rules (shop_id, rule,"
	    " created_at) VALUES (?1, ?2, ?3)", &ins, err) < 0)
		goto out;
	sqlite3_bind_int64(del, 1, shop_id > 0 ? shop_id : 0);
	if (sqlite3_step(del) != SQLITE_DONE) {
		crm_db_err(db, err, "match_rules");
		goto out;
	}
	crm_db_now(now);
	for (i = 0; i < n; i++) {
		sqlite3_reset(ins);
		if (shop_id > 0)
			sqlite3_bind_int64(ins, 1, shop_id);
		else
			sqlite3_bind_null(ins, 1);
		crm_db_bind_text(ins, 2, rules[i].text);
		crm_db_bind_text(ins, 3, now);
		if (sqlite3_step(ins) != SQLITE_DONE) {
			crm_db_err(db, err, "match_rules");
			goto out;
		}
	}
	ret = 0;
out:
	sqlite3_finalize(del);
	sqlite3_finalize(ins);
	return ret;
}

static int
list_set(sqlite3 *db, int64_t shop_id, const char *scope,
    int (*fn)(void *, const char *, const char *, const char *, struct crm_err *),
    void *arg, struct crm_err *err)
{
	struct crm_ruleset rs;
	const char *origin;
	size_t i;
	int ret = 0;

	if (crm_rules_load(db, shop_id, &rs, err) < 0)
		return -1;
	origin = rs.is_default ? "default" : rs.is_shop ? "shop" : "global";
	for (i = 0; i < rs.n && ret == 0; i++)
		ret = fn(arg, scope, rs.rules[i].text, origin, err);
	crm_ruleset_release(&rs);
	return ret;
}

int
crm_dedupe_rules_list(sqlite3 *db, int64_t shop_id,
    int (*fn)(void *arg, const char *scope, const char *rule,
    const char *origin, struct crm_err *err), void *arg, struct crm_err *err)
{
	sqlite3_stmt *st;
	int rc, ret = 0;

	if (shop_id > 0) {
		char *name = NULL;

		if (crm_db_prepare(db, "SELECT name FROM shops WHERE id = ?1", &st, err) < 0)
			return -1;
		sqlite3_bind_int64(st, 1, shop_id);
		if (sqlite3_step(st) == SQLITE_ROW)
			name = crm_xstrdup((const char *)sqlite3_column_text(st, 0));
		sqlite3_finalize(st);
		ret = list_set(db, shop_id, name ? name : "?", fn, arg, err);
		free(name);
		return ret;
	}
	if (list_set(db, 0, "global", fn, arg, err) < 0)
		return -1;
	if (crm_db_prepare(db, "SELECT DISTINCT s.id, s.name FROM shops s JOIN"
	    " match_rules r ON r.shop_id = s.id ORDER BY s.name", &st, err) < 0)
		return -1;
	while (ret == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW)
		ret = list_set(db, sqlite3_column_int64(st, 0),
		    (const char *)sqlite3_column_text(st, 1), fn, arg, err);
	sqlite3_finalize(st);
	if (ret == 0 && rc != SQLITE_DONE)
		return crm_db_err(db, err, "match_rules");
	return ret;
}

/* ---- review pairs ---------------------------------------------------- */

static int
parse_id(const char *s, size_t n, int64_t *out)
{
	int64_t v = 0;
	size_t i;

	if (n == 0 || n > 18)
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	if (v <= 0)
		return -1;
	*out = v;
	return 0;
}

int
crm_dedupe_pair_find(sqlite3 *db, const char *spec, struct crm_pair *p,
    struct crm_err *err)
{
	sqlite3_stmt *st;
	const char *sep;
	int64_t a, b, t;
	int rc;

	memset(p, 0, sizeof *p);
	sep = spec ? strpbrk(spec, ",-") : NULL;
	if (spec == NULL || *spec == '\0')
		return crm_err_set(err, EX_USAGE, "missing pair");
	if (sep == NULL) {
		if (parse_id(spec, strlen(spec), &p->id) < 0)
			return crm_err_set(err, EX_USAGE,
			    "pair '%s': expected a pair id or two customer ids A,B", spec);
		if (crm_db_prepare(db, "SELECT a, b, score, status FROM dedupe_pairs"
		    " WHERE id = ?1", &st, err) < 0)
			return -1;
		sqlite3_bind_int64(st, 1, p->id);
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW) {
			p->a = sqlite3_column_int64(st, 0);
			p->b = sqlite3_column_int64(st, 1);
			p->score = sqlite3_column_double(st, 2);
			crm_strlcpy(p->status, (const char *)sqlite3_column_text(st, 3),
			    sizeof p->status);
		}
		sqlite3_finalize(st);
		if (rc == SQLITE_DONE)
			return crm_err_set(err, EX_DATAERR, "pair %lld: no such pair",
			    (long long)p->id);
		if (rc != SQLITE_ROW)
			return crm_db_err(db, err, "dedupe_pairs");
		return 0;
	}
	if (parse_id(spec, (size_t)(sep - spec), &a) < 0 ||
	    parse_id(sep + 1, strlen(sep + 1), &b) < 0)
		return crm_err_set(err, EX_USAGE,
		    "pair '%s': expected a pair id or two customer ids A,B", spec);
	if (crm_customer_resolve(db, a, &a, err) < 0 ||
	    crm_customer_resolve(db, b, &b, err) < 0)
		return -1;
	if (a == b)
		return crm_err_set(err, EX_DATAERR,
		    "pair '%s': already one customer (%lld)", spec, (long long)a);
	if (b < a) {
		t = a;
		a = b;
		b = t;
	}
	p->a = a;
	p->b = b;
	crm_strlcpy(p->status, "none", sizeof p->status);
	if (crm_db_prepare(db, "SELECT id, score, status FROM dedupe_pairs"
	    " WHERE a = ?1 AND b = ?2", &st, err) < 0)
		return -1;
	sqlite3_bind_int64(st, 1, a);
	sqlite3_bind_int64(st, 2, b);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		p->id = sqlite3_column_int64(st, 0);
		p->score = sqlite3_column_double(st, 1);
		crm_strlcpy(p->status, (const char *)sqlite3_column_text(st, 2),
		    sizeof p->status);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return crm_db_err(db, err, "dedupe_pairs");
	return 0;
}

/* The pair's customers as they are now; refused when already one. */
static int
pair_active(sqlite3 *db, const char *spec, struct crm_pair *p, int64_t *ra,
    int64_t *rb, struct crm_err *err)
{
	if (crm_dedupe_pair_find(db, spec, p, err) < 0 ||
	    crm_customer_resolve(db, p->a, ra, err) < 0 ||
	    crm_customer_resolve(db, p->b, rb, err) < 0)
		return -1;
	if (*ra == *rb)
		return crm_err_set(err, EX_DATAERR,
		    "pair %s: customers %lld and %lld are already one customer (%lld)",
		    spec, (long long)p->a, (long long)p->b, (long long)*ra);
	return 0;
}

int
crm_dedupe_confirm(sqlite3 *db, const char *spec, const char *who,
    const char *reason, int64_t *survivor, int64_t *absorbed,
    struct crm_err *err)
{
	struct crm_pair p;
	int64_t ra, rb;
	char how[48];
	sqlite3_stmt *st;
	char now[20];
	int rc;

	if (pair_active(db, spec, &p, &ra, &rb, err) < 0)
		return -1;
	if (p.id > 0)
		snprintf(how, sizeof how, "pair:%lld", (long long)p.id);
	else
		crm_strlcpy(how, "manual", sizeof how);
	*absorbed = ra > rb ? ra : rb;
	if (crm_merge(db, ra, rb, how, who, reason, survivor, err) < 0)
		return -1;
	if (p.id > 0) {
		crm_db_now(now);
		if (crm_db_prepare(db, "UPDATE dedupe_pairs SET status = 'confirmed',"
		    " decided_at = ?2 WHERE id = ?1", &st, err) < 0)
			return -1;
		sqlite3_bind_int64(st, 1, p.id);
		crm_db_bind_text(st, 2, now);
		rc = sqlite3_step(st);
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE)
			return crm_db_err(db, err, "dedupe_pairs");
	}
	return 0;
}

int
crm_dedupe_reject(sqlite3 *db, const char *spec, struct crm_pair *p,
    struct crm_err *err)
{
	int64_t ra, rb;
	sqlite3_stmt *st;
	char now[20];
	int rc;

	if (pair_active(db, spec, p, &ra, &rb, err) < 0)
		return -1;
	crm_db_now(now);
	if (p->id > 0) {
		if (crm_db_prepare(db, "UPDATE dedupe_pairs SET status = 'rejected',"
		    " decided_at = ?2 WHERE id = ?1", &st, err) < 0)
			return -1;
		sqlite3_bind_int64(st, 1, p->id);
		crm_db_bind_text(st, 2, now);
	} else {
		if (crm_db_prepare(db, "INSERT INTO dedupe_pairs (a, b, score, reasons,"
		    " status, created_at, decided_at) VALUES (?1, ?2, 0, 'by hand',"
		    " 'rejected', ?3, ?3)", &st, err) < 0)
			return -1;
		sqlite3_bind_int64(st, 1, ra < rb ? ra : rb);
		sqlite3_bind_int64(st, 2, ra < rb ? rb : ra);
		crm_db_bind_text(st, 3, now);
	}
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return crm_db_err(db, err, "dedupe_pairs");
	if (p->id == 0)
		p->id = sqlite3_last_insert_rowid(db);
	crm_strlcpy(p->status, "rejected", sizeof p->status);
	if (crm_undetermined_refresh(db, ra, err) < 0 ||
	    crm_undetermined_refresh(db, rb, err) < 0)
		return -1;
	return 0;
}

const char *const crm_dedupe_pending_cols[] = {
	"a", "b", "score", "reasons", "pair",
	"name_a", "name_b", "kana_a", "kana_b", "email_a", "email_b",
	"phone_a", "phone_b", "postcode_a", "postcode_b",
	"address_a", "address_b", "birthday_a", "birthday_b",
	"orders_a", "orders_b", "last_order_a", "last_order_b",
};
const size_t crm_dedupe_pending_ncols =
    sizeof crm_dedupe_pending_cols / sizeof crm_dedupe_pending_cols[0];

static int
rows_out(sqlite3 *db, const char *sql, size_t ncols,
    int (*fn)(void *arg, const char *const *vals, struct crm_err *err),
    void *arg, struct crm_err *err)
{
	const char *vals[32];
	sqlite3_stmt *st;
	size_t i;
	int rc, n = 0;

	if (crm_db_prepare(db, sql, &st, err) < 0)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		for (i = 0; i < ncols && i < 32; i++)
			vals[i] = (const char *)sqlite3_column_text(st, (int)i);
		n++;
		if (fn(arg, vals, err) < 0) {
			sqlite3_finalize(st);
			return -1;
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return crm_db_err(db, err, "database");
	return n;
}

int
crm_dedupe_pending(sqlite3 *db,
    int (*fn)(void *arg, const char *const *vals, struct crm_err *err),
    void *arg, struct crm_err *err)
{
	return rows_out(db,
	    "SELECT p.a, p.b, printf('%.3f', p.score), p.reasons, p.id,"
	    " x.name, y.name, x.kana, y.kana, x.email, y.email, x.phone, y.phone,"
	    " x.postcode, y.postcode, coalesce(x.prefecture, '') || coalesce(x.address, ''),"
	    " coalesce(y.prefecture, '') || coalesce(y.address, ''),"
	    " x.birthday, y.birthday, x.orders, y.orders, x.last_order, y.last_order"
	    " FROM dedupe_pairs p JOIN customers x ON x.id = p.a"
	    " JOIN customers y ON y.id = p.b WHERE p.status = 'pending'"
	    " ORDER BY p.score DESC, p.a, p.b", crm_dedupe_pending_ncols, fn, arg, err);
}

int
crm_dedupe_clusters(sqlite3 *db,
    int (*fn)(void *arg, const char *const *vals, struct crm_err *err),
    void *arg, struct crm_err *err)
{
	return rows_out(db,
	    "SELECT o.customer_id, s.name, o.order_no FROM orders o"
	    " JOIN shops s ON s.id = o.shop_id"
	    " ORDER BY o.customer_id, s.name, o.order_no", 3, fn, arg, err);
}
