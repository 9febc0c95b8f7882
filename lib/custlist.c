/* custlist.c: customer lists on stdin, and finding one customer.
 *
 * A list is what one crm binary prints and the next reads: bare ids, or
 * CSV/TSV with a header.  Lists go through the CSV reader, so they may be
 * CP932 or carry a BOM like any spreadsheet export. */
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "custlist.h"
#include "db.h"
#include "norm.h"
#include "util.h"
#include "banned.h"

/* Merge chains are short; a longer one means a cycle in bad data. */
#define MAX_HOPS 64

void
crm_idlist_init(struct crm_idlist *l)
{
	l->ids = NULL;
	l->n = l->cap = 0;
}

void
crm_idlist_add(struct crm_idlist *l, int64_t id)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		l->ids = crm_xreallocarray(l->ids, l->cap, sizeof *l->ids);
	}
	l->ids[l->n++] = id;
}

void
crm_idlist_release(struct crm_idlist *l)
{
	free(l->ids);
	crm_idlist_init(l);
}

/* The set of ids already in the list: open addressing, ids are > 0. */
struct idset {
	int64_t *slot;
	size_t cap, n;
};

static size_t
idset_hash(int64_t id, size_t cap)
{
	uint64_t h = (uint64_t)id * 0x9E3779B97F4A7C15ull;

	return (size_t)(h >> 17) & (cap - 1);
}

/* 1 when id was added, 0 when it was there already. */
static int
idset_add(struct idset *s, int64_t id)
{
	size_t i;

	if (2 * (s->n + 1) > s->cap) {
		struct idset t = { NULL, s->cap ? s->cap * 2 : 256, 0 };

		t.slot = crm_xcalloc(t.cap, sizeof *t.slot);
		for (size_t k = 0; k < s->cap; k++)
			if (s->slot[k])
				idset_add(&t, s->slot[k]);
		free(s->slot);
		*s = t;
	}
	for (i = idset_hash(id, s->cap); s->slot[i]; i = (i + 1) & (s->cap - 1))
		if (s->slot[i] == id)
			return 0;
	s->slot[i] = id;
	s->n++;
	return 1;
}

/* customers.email without case, for addresses no identity carries. */
struct email_row {
	char *key;
	int64_t id;
};

struct finder {
	sqlite3 *db;
	sqlite3_stmt *by_id, *by_email, *by_email_ci, *by_phone;
	/* A long list would scan customers once per unknown address; it
	 * loads them once instead, sorted for binary search. */
	int use_cache, cached;
	struct email_row *emails;
	size_t nemails;
};

static void
finder_release(struct finder *f)
{
	for (size_t i = 0; i < f->nemails; i++)
		free(f->emails[i].key);
	free(f->emails);
	sqlite3_finalize(f->by_id);
	sqlite3_finalize(f->by_email);
	sqlite3_finalize(f->by_email_ci);
	sqlite3_finalize(f->by_phone);
}

static int
finder_init(struct finder *f, sqlite3 *db, struct crm_err *err)
{
	memset(f, 0, sizeof *f);
	f->db = db;
	/* identities.*_key are indexed and normalised; customers.email is
	 * tried as given, and only then without case (a table scan). */
	if (crm_db_prepare(db, "SELECT merged_into FROM customers WHERE id = ?",
	    &f->by_id, err) < 0 ||
	    crm_db_prepare(db,
	    "SELECT customer_id FROM identities WHERE email_key = ?1"
	    " UNION SELECT id FROM customers WHERE email = ?2 ORDER BY 1",
	    &f->by_email, err) < 0 ||
	    crm_db_prepare(db,
	    "SELECT id FROM customers WHERE lower(trim(email)) = ?1 ORDER BY 1",
	    &f->by_email_ci, err) < 0 ||
	    crm_db_prepare(db,
	    "SELECT customer_id FROM identities WHERE phone_key = ?1"
	    " UNION SELECT id FROM customers WHERE phone = ?2 ORDER BY 1",
	    &f->by_phone, err) < 0) {
		finder_release(f);
		return -1;
	}
	return 0;
}

/* The active customer id absorbed ids lead to: 0 found (*out), 1 no
 * such customer. */
static int
resolve(struct finder *f, int64_t id, int64_t *out, struct crm_err *err)
{
	for (int hop = 0; hop < MAX_HOPS; hop++) {
		int rc;
		int64_t next = 0;

		sqlite3_reset(f->by_id);
		sqlite3_bind_int64(f->by_id, 1, id);
		rc = sqlite3_step(f->by_id);
		if (rc == SQLITE_ROW) {
			if (sqlite3_column_type(f->by_id, 0) == SQLITE_NULL) {
				sqlite3_reset(f->by_id);
				*out = id;
				return 0;
			}
			next = sqlite3_column_int64(f->by_id, 0);
		}
		sqlite3_reset(f->by_id);
		if (rc == SQLITE_DONE)
			return 1;
		if (rc != SQLITE_ROW)
			return crm_db_err(f->db, err, "customer lookup");
		id = next;
	}
	return crm_err_set(err, EX_DATAERR,
	    "customer %lld: merge chain longer than %d (a cycle?)",
	    (long long)id, MAX_HOPS);
}

/* Run st (bound) and add every active customer it names to ids.
 * Returns the number found, or -1. */
static int
collect(struct finder *f, sqlite3_stmt *st, struct crm_idlist *ids,
    struct crm_err *err)
{
	int rc, found = 0;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t active;
		int r = resolve(f, sqlite3_column_int64(st, 0), &active, err);

		if (r < 0) {
			sqlite3_reset(st);
			return -1;
		}
		if (r == 0) {
			crm_idlist_add(ids, active);
			found++;
		}
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return crm_db_err(f->db, err, "customer lookup");
	return found;
}

/* Matching keys as identities store them (lib/norm.c).  A value the
 * normaliser refuses cannot match an identity; it is still tried against
 * customers.email/phone as given, and its folded form below is harmless. */
static char *
email_key(const char *s)
{
	struct crm_err e;
	char *k = NULL;

	if (crm_norm_email(s, &k, &e) == 0 && k != NULL)
		return k;
	k = crm_xstrdup(s);
	crm_trim(k);
	for (char *p = k; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return k;
}

static char *
phone_key(const char *s)
{
	struct crm_err e;
	char *k = NULL;

	if (crm_norm_phone(s, &k, &e) == 0 && k != NULL)
		return k;
	return crm_xstrdup(s);
}

/* 1 when s reads as a phone number (lib/norm.c agrees). */
static int
is_phone(const char *s)
{
	struct crm_err e;
	char *k = NULL;
	int ok = crm_norm_phone(s, &k, &e) == 0 && k != NULL;

	free(k);
	return ok;
}

static int
email_row_cmp(const void *a, const void *b)
{
	const struct email_row *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	return c ? c : (x->id > y->id) - (x->id < y->id);
}

static int
load_emails(struct finder *f, struct crm_err *err)
{
	sqlite3_stmt *st;
	size_t cap = 0;
	int rc;

	if (crm_db_prepare(f->db, "SELECT lower(trim(email)), id FROM customers"
	    " WHERE email IS NOT NULL AND email <> ''", &st, err) < 0)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (f->nemails == cap) {
			cap = cap ? cap * 2 : 1024;
			f->emails = crm_xreallocarray(f->emails, cap, sizeof *f->emails);
		}
		f->emails[f->nemails].key = crm_xstrdup((const char *)sqlite3_column_text(st, 0));
		f->emails[f->nemails].id = sqlite3_column_int64(st, 1);
		f->nemails++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return crm_db_err(f->db, err, "reading customer e-mail addresses");
	if (f->nemails)
		qsort(f->emails, f->nemails, sizeof *f->emails, email_row_cmp);
	f->cached = 1;
	return 0;
}

static int
find_email_cached(struct finder *f, const char *key, struct crm_idlist *ids,
    struct crm_err *err)
{
	size_t lo = 0, hi = f->nemails;
	int found = 0;

	if (!f->cached && load_emails(f, err) < 0)
		return -1;
	while (lo < hi) {             /* first row with key >= the key */
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(f->emails[mid].key, key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < f->nemails && strcmp(f->emails[lo].key, key) == 0; lo++) {
		int64_t active;
		int r = resolve(f, f->emails[lo].id, &active, err);

		if (r < 0)
			return -1;
		if (r == 0) {
			crm_idlist_add(ids, active);
			found++;
		}
	}
	return found;
}

static int
find_email(struct finder *f, const char *value, struct crm_idlist *ids,
    struct crm_err *err)
{
	char *k = email_key(value);
	int n;

	sqlite3_bind_text(f->by_email, 1, k, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(f->by_email, 2, value, -1, SQLITE_TRANSIENT);
	n = collect(f, f->by_email, ids, err);
	if (n == 0 && f->use_cache)
		n = find_email_cached(f, k, ids, err);
	else if (n == 0) {
		sqlite3_bind_text(f->by_email_ci, 1, k, -1, SQLITE_TRANSIENT);
		n = collect(f, f->by_email_ci, ids, err);
	}
	free(k);
	return n;
}

static int
find_phone(struct finder *f, const char *value, struct crm_idlist *ids,
    struct crm_err *err)
{
	char *k = phone_key(value);
	int n;

	sqlite3_bind_text(f->by_phone, 1, k, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(f->by_phone, 2, value, -1, SQLITE_TRANSIENT);
	n = collect(f, f->by_phone, ids, err);
	free(k);
	return n;
}

static int
find_id(struct finder *f, int64_t id, struct crm_idlist *ids,
    struct crm_err *err)
{
	int64_t active;
	int r = resolve(f, id, &active, err);

	if (r < 0)
		return -1;
	if (r == 0)
		crm_idlist_add(ids, active);
	return r == 0;
}

/* A positive decimal id with nothing else; 0 when s is not one. */
static int64_t
parse_id(const char *s)
{
	int64_t v = 0;

	if (*s < '1' || *s > '9')
		return 0;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > (INT64_MAX - 9) / 10)
			return 0;
		v = v * 10 + (*s - '0');
	}
	return v;
}

enum mode { BARE, COL_ID, COL_EMAIL, COL_PHONE };

/* Look one row's customer up by the column kind k (COL_*). */
static int
find_by(struct finder *f, enum mode k, const char *value,
    struct crm_idlist *found, struct crm_err *err)
{
	if (k == COL_ID || (k == BARE && parse_id(value) > 0))
		return find_id(f, parse_id(value), found, err);
	if (k == COL_EMAIL || k == BARE)
		return find_email(f, value, found, err);
	return find_phone(f, value, found, err);
}

int
crm_custlist_read(sqlite3 *db, FILE *fp, const char *name,
    struct crm_idlist *out, size_t *unknown,
    void (*warn)(void *arg, long line, const char *value), void *arg,
    struct crm_err *err)
{
	/* Column names by kind, in order of preference.  A row whose id cell
	 * is empty falls back to its e-mail, then its phone cell. */
	static const struct {
		const char *col;
		enum mode kind;
	} cols[] = {
		{ "id", COL_ID }, { "customer_id", COL_ID },
		{ "email", COL_EMAIL }, { "e-mail", COL_EMAIL },
		{ "phone", COL_PHONE }, { "tel", COL_PHONE },
	};
	struct crm_csv_opts opts = { 0, "auto", 0 };
	struct crm_csv_reader *r;
	const struct crm_csv_record *rec;
	struct crm_csv_header h;
	struct crm_idlist found;
	struct idset seen = { NULL, 0, 0 };
	struct finder f;
	int colof[COL_PHONE + 1];        /* column index by kind, -1 absent */
	const char *colname[COL_PHONE + 1];
	int bare = 1, first = 1, rc, ret = -1;
	size_t unk = 0, n0 = out->n;

	name = name ? name : "-";
	if (finder_init(&f, db, err) < 0)
		return -1;
	f.use_cache = 1;
	if (crm_csv_open(&r, fp, name, &opts, err) < 0) {
		finder_release(&f);
		return -1;
	}
	crm_idlist_init(&found);
	for (int k = 0; k <= COL_PHONE; k++) {
		colof[k] = -1;
		colname[k] = "";
	}
	while ((rc = crm_csv_next(r, &rec, err)) == 1) {
		const char *cell = NULL;
		enum mode kind = BARE;
		char *value;
		int n;

		if (first) {
			first = 0;
			crm_csv_header_init(&h, rec);
			for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++) {
				int c = crm_csv_header_find(&h, cols[i].col);

				if (c >= 0 && colof[cols[i].kind] < 0) {
					colof[cols[i].kind] = c;
					colname[cols[i].kind] = cols[i].col;
					bare = 0;
				}
			}
			crm_csv_header_release(&h);
			if (!bare)
				continue;
			if (rec->nfields > 1) {
				crm_err_set(err, EX_DATAERR,
				    "%s: line %ld: no id, customer_id, email or phone column in the header",
				    name, rec->line);
				goto out;
			}
		}
		if (bare && rec->nfields > 1) {
			crm_err_set(err, EX_DATAERR,
			    "%s: line %ld: expected one customer id or e-mail address per line",
			    name, rec->line);
			goto out;
		}
		if (bare)
			cell = rec->fields[0];
		else
			for (int k = COL_ID; k <= COL_PHONE && cell == NULL; k++) {
				const char *c;

				if (colof[k] < 0 || (size_t)colof[k] >= rec->nfields)
					continue;
				c = rec->fields[colof[k]];
				c += strspn(c, " \t");
				if (*c) {
					cell = rec->fields[colof[k]];
					kind = (enum mode)k;
				}
			}
		value = crm_xstrdup(cell ? cell : "");
		crm_trim(value);
		found.n = 0;
		if (*value == '\0')
			n = 0;
		else if (kind == COL_ID && parse_id(value) == 0) {
			crm_err_set(err, EX_DATAERR,
			    "%s: line %ld: %s: not a customer id: '%s'",
			    name, rec->line, colname[COL_ID], value);
			n = -1;
		} else if (kind == BARE && parse_id(value) == 0 && !strchr(value, '@')) {
			crm_err_set(err, EX_DATAERR,
			    "%s: line %ld: not a customer id or e-mail address: '%s'",
			    name, rec->line, value);
			n = -1;
		} else
			n = find_by(&f, kind, value, &found, err);
		if (n < 0) {
			free(value);
			goto out;
		}
		if (n == 0) {
			unk++;
			if (warn)
				warn(arg, rec->line, value);
		}
		for (size_t i = 0; i < found.n; i++)
			if (idset_add(&seen, found.ids[i]))
				crm_idlist_add(out, found.ids[i]);
		free(value);
	}
	if (rc == 0)
		ret = 0;
out:
	if (ret < 0)
		out->n = n0;    /* all or nothing */
	if (unknown)
		*unknown = unk;
	crm_idlist_release(&found);
	free(seen.slot);
	crm_csv_close(r);
	finder_release(&f);
	return ret;
}

int
crm_customer_lookup_all(sqlite3 *db, const char *key, struct crm_idlist *out,
    struct crm_err *err)
{
	struct finder f;
	struct crm_idlist found;
	struct idset seen = { NULL, 0, 0 };
	char *k = crm_xstrdup(key ? key : "");
	int64_t n;
	int r = 0, nout = 0;

	crm_trim(k);
	if (*k == '\0') {
		free(k);
		return crm_err_set(err, EX_DATAERR, "empty customer id, e-mail or phone");
	}
	if (finder_init(&f, db, err) < 0) {
		free(k);
		return -1;
	}
	crm_idlist_init(&found);
	/* Ids never start with 0 and Japanese phone numbers always do; a
	 * long number that is no id is tried as a phone number. */
	if ((n = parse_id(k)) > 0)
		r = find_id(&f, n, &found, err);
	/* U+FF20 is the full-width @ an IME types; crm_norm_email folds it. */
	if (r == 0 && (strchr(k, '@') || strstr(k, "\xef\xbc\xa0")))
		r = find_email(&f, k, &found, err);
	else if (r == 0 && is_phone(k))
		r = find_phone(&f, k, &found, err);
	else if (r == 0 && n == 0)
		r = crm_err_set(err, EX_DATAERR,
		    "'%s' is not a customer id, e-mail address or phone number", k);
	/* Several identities of one customer (or of customers merged into
	 * it) name it once. */
	for (size_t i = 0; r > 0 && i < found.n; i++)
		if (idset_add(&seen, found.ids[i])) {
			crm_idlist_add(out, found.ids[i]);
			nout++;
		}
	free(seen.slot);
	crm_idlist_release(&found);
	finder_release(&f);
	free(k);
	return r < 0 ? -1 : nout;
}

int
crm_customer_lookup(sqlite3 *db, const char *key, int64_t *id,
    struct crm_err *err)
{
	struct crm_idlist found;
	int r;

	crm_idlist_init(&found);
	r = crm_customer_lookup_all(db, key, &found, err);
	if (r > 0)
		*id = found.ids[0];
	crm_idlist_release(&found);
	return r < 0 ? -1 : r > 0 ? 0 : 1;
}
