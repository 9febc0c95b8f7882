/* mapping.c: mapping files (crm-formats(5)) and their binding to a header. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "enc.h"
#include "mapping.h"
#include "banned.h"

#ifndef CRM_DATADIR
#define CRM_DATADIR "/usr/local/share/crm"
#endif

#define MAX_PARTS 8
#define MAX_LINE  4096

static const char *const field_names[CRM_M_NFIELDS] = {
	"order_id", "ordered_at", "shipped_at", "status", "cancelled_when",
	"shop", "total", "coupon", "subscription",
	"email", "name", "kana", "phone", "postcode", "prefecture", "address",
	"birthday", "member_id", "newsletter", "notices",
	"sku", "product", "quantity", "unit_price", "line_total",
	"item_cancelled_when",
	"registered_at", "withdrawn",
};

/* How the parts of a field given as "A + B" are joined. */
static const char *
joiner(enum crm_mfield f)
{
	switch (f) {
	case CRM_M_NAME: case CRM_M_KANA: case CRM_M_ADDRESS: case CRM_M_PRODUCT:
		return " ";
	case CRM_M_PHONE: case CRM_M_POSTCODE:
		return "-";
	case CRM_M_ORDERED_AT: case CRM_M_SHIPPED_AT: case CRM_M_REGISTERED_AT:
		return " ";
	default:
		return "";
	}
}

static const char *const settings[] = {
	"kind", "encoding", "delimiter", "default-shop", "date-format", "null",
	"strip-apostrophe", "warn-unknown", "status.ok", "status.cancelled",
	"status.returned", "description", "detect", "quote",
};

struct entry {
	int section;          /* 0: common, i: sections[i - 1] */
	char *key, *value;
	int line;
};

struct section {
	char *name;
	int line;
};

struct crm_mapping {
	char *name;
	struct entry *e;
	size_t ne;
	struct section *s;
	size_t ns;
	enum crm_map_kind kind;
	char *encoding, *shop;
	char delim;
	int unquoted;
};

const char *
crm_mfield_name(enum crm_mfield f)
{
	return f < CRM_M_NFIELDS ? field_names[f] : "?";
}

static int
field_by_key(const char *k)
{
	char buf[64];
	size_t i;

	/* "item-cancelled-when" and "item_cancelled_when" alike. */
	crm_strlcpy(buf, k, sizeof buf);
	for (i = 0; buf[i]; i++)
		if (buf[i] == '-')
			buf[i] = '_';
	for (i = 0; i < CRM_M_NFIELDS; i++)
		if (strcmp(buf, field_names[i]) == 0)
			return (int)i;
	return -1;
}

static int
is_setting(const char *k)
{
	size_t i;

	for (i = 0; i < sizeof settings / sizeof settings[0]; i++)
		if (strcmp(k, settings[i]) == 0)
			return 1;
	return 0;
}

/* The value of key for section sec: the section's own, else the common. */
static const struct entry *
lookup(const struct crm_mapping *m, int sec, const char *key)
{
	const struct entry *common = NULL;
	size_t i;

	for (i = 0; i < m->ne; i++) {
		if (strcmp(m->e[i].key, key) != 0)
			continue;
		if (sec > 0 && m->e[i].section == sec)
			return &m->e[i];
		if (m->e[i].section == 0)
			common = &m->e[i];
	}
	return common;
}

static int
parse_bool(const char *v, int *out)
{
	if (crm_strcaseeq(v, "yes") || crm_strcaseeq(v, "true") || strcmp(v, "1") == 0)
		*out = 1;
	else if (crm_strcaseeq(v, "no") || crm_strcaseeq(v, "false") || strcmp(v, "0") == 0)
		*out = 0;
	else
		return -1;
	return 0;
}

void
crm_mapping_free(struct crm_mapping *m)
{
	size_t i;

	if (m == NULL)
		return;
	for (i = 0; i < m->ne; i++) {
		free(m->e[i].key);
		free(m->e[i].value);
	}
	for (i = 0; i < m->ns; i++)
		free(m->s[i].name);
	free(m->e);
	free(m->s);
	free(m->name);
	free(m->encoding);
	free(m->shop);
	free(m);
}

static int
finish_load(struct crm_mapping *m, struct crm_err *err)
{
	const struct entry *e;
	int b;

	if ((e = lookup(m, 0, "kind")) != NULL) {
		if (strcmp(e->value, "orders") == 0)
			m->kind = CRM_MAP_ORDERS;
		else if (strcmp(e->value, "customers") == 0)
			m->kind = CRM_MAP_CUSTOMERS;
		else
			return crm_err_set(err, EX_DATAERR,
			    "%s: line %d: kind: expected orders or customers, not '%s'",
			    m->name, e->line, e->value);
	}
	if ((e = lookup(m, 0, "encoding")) != NULL) {
		/* Checked here, so that the message names the mapping's line
		 * rather than surfacing as a usage error at the first file. */
		if (crm_enc_name(e->value) == NULL)
			return crm_err_set(err, EX_DATAERR,
			    "%s: line %d: encoding: unknown '%s' (utf-8, cp932, "
			    "euc-jp, utf-16, auto)", m->name, e->line, e->value);
		m->encoding = crm_xstrdup(e->value);
	}
	if ((e = lookup(m, 0, "default-shop")) != NULL)
		m->shop = crm_xstrdup(e->value);
	if ((e = lookup(m, 0, "delimiter")) != NULL) {
		if (strcmp(e->value, "tab") == 0 || strcmp(e->value, "\\t") == 0)
			m->delim = '\t';
		else if (strcmp(e->value, "auto") == 0)
			m->delim = 0;
		else if (strlen(e->value) == 1 && e->value[0] != '"')
			m->delim = e->value[0];
		else
			return crm_err_set(err, EX_DATAERR,
			    "%s: line %d: delimiter: expected one character, tab or auto",
			    m->name, e->line);
	}
	if ((e = lookup(m, 0, "quote")) != NULL) {
		if (strcmp(e->value, "none") == 0)
			m->unquoted = 1;
		else if (strcmp(e->value, "double") != 0)
			return crm_err_set(err, EX_DATAERR,
			    "%s: line %d: quote: expected double or none", m->name,
			    e->line);
	}
	for (size_t i = 0; i < m->ne; i++) {
		e = &m->e[i];
		if ((strcmp(e->key, "strip-apostrophe") == 0 ||
		    strcmp(e->key, "warn-unknown") == 0) && parse_bool(e->value, &b) < 0)
			return crm_err_set(err, EX_DATAERR,
			    "%s: line %d: %s: expected yes or no", m->name, e->line,
			    e->key);
		if (strcmp(e->key, "detect") == 0 && e->section == 0)
			return crm_err_set(err, EX_DATAERR,
			    "%s: line %d: detect belongs in a [section]", m->name,
			    e->line);
	}
	return 0;
}

int
crm_mapping_load(const char *path, struct crm_mapping **out, struct crm_err *err)
{
	struct crm_mapping *m;
	FILE *fp;
	char line[MAX_LINE];
	int lineno = 0, sec = 0;
	size_t cap = 0;

	*out = NULL;
	if ((fp = fopen(path, "r")) == NULL)
		return crm_err_set(err, EX_NOINPUT,
		    "%s: %s", path, strerror(errno));
	m = crm_xcalloc(1, sizeof *m);
	m->name = crm_xstrdup(path);
	while (fgets(line, sizeof line, fp) != NULL) {
		char *s, *eq, *key, *val;
		size_t len = strlen(line);

		lineno++;
		if (len == sizeof line - 1 && line[len - 1] != '\n') {
			crm_err_set(err, EX_DATAERR, "%s: line %d: line too long",
			    path, lineno);
			goto fail;
		}
		s = crm_trim(line);
		if (lineno == 1 && strncmp(s, "\xEF\xBB\xBF", 3) == 0)
			s += 3;
		if (*s == '\0' || *s == '#')
			continue;
		if (*s == '[') {
			char *end = strchr(s, ']');

			if (end == NULL || end[1] != '\0' || end == s + 1) {
				crm_err_set(err, EX_DATAERR,
				    "%s: line %d: expected [section-name]", path, lineno);
				goto fail;
			}
			*end = '\0';
			m->s = crm_xreallocarray(m->s, m->ns + 1, sizeof *m->s);
			m->s[m->ns].name = crm_xstrdup(crm_trim(s + 1));
			m->s[m->ns].line = lineno;
			m->ns++;
			sec = (int)m->ns;
			continue;
		}
		if ((eq = strchr(s, '=')) == NULL) {
			crm_err_set(err, EX_DATAERR,
			    "%s: line %d: expected 'key = value'", path, lineno);
			goto fail;
		}
		*eq = '\0';
		key = crm_trim(s);
		val = crm_trim(eq + 1);
		for (char *p = key; *p; p++)
			if (*p >= 'A' && *p <= 'Z')
				*p = (char)(*p - 'A' + 'a');
		if (!is_setting(key) && field_by_key(key) < 0) {
			crm_err_set(err, EX_DATAERR,
			    "%s: line %d: unknown key '%s' (see crm-formats(5))",
			    path, lineno, key);
			goto fail;
		}
		if (m->ne == cap) {
			cap = cap ? cap * 2 : 32;
			m->e = crm_xreallocarray(m->e, cap, sizeof *m->e);
		}
		m->e[m->ne].section = sec;
		m->e[m->ne].key = crm_xstrdup(key);
		m->e[m->ne].value = crm_xstrdup(val);
		m->e[m->ne].line = lineno;
		m->ne++;
	}
	if (ferror(fp)) {
		crm_err_set(err, EX_IOERR, "%s: %s", path, strerror(errno));
		goto fail;
	}
	fclose(fp);
	if (finish_load(m, err) < 0) {
		crm_mapping_free(m);
		return -1;
	}
	*out = m;
	return 0;
fail:
	fclose(fp);
	crm_mapping_free(m);
	return -1;
}

int
crm_mapping_preset(const char *name, struct crm_mapping **m, struct crm_err *err)
{
	const char *dirs[2];
	struct crm_buf path;
	int i, rc;

	for (const char *p = name; *p; p++)
		if (*p == '/' || *p == '.')
			return crm_err_set(err, EX_USAGE,
			    "-f %s: a preset name is letters, digits and '-' (use -m FILE "
			    "for a mapping file)", name);
	dirs[0] = getenv("CRM_DATADIR");
	dirs[1] = CRM_DATADIR;
	crm_buf_init(&path);
	for (i = 0; i < 2; i++) {
		if (crm_empty(dirs[i]))
			continue;
		crm_buf_reset(&path);
		crm_buf_addf(&path, "%s/formats/%s.map", dirs[i], name);
		rc = crm_mapping_load(path.s, m, err);
		if (rc == 0) {
			/* Messages about the file's contents name the format. */
			free((*m)->name);
			(*m)->name = crm_xstrdup(name);
			crm_buf_release(&path);
			return 0;
		}
		if (err->code != EX_NOINPUT) {
			crm_buf_release(&path);
			return -1;
		}
	}
	crm_buf_release(&path);
	return crm_err_set(err, EX_USAGE,
	    "-f %s: no such format (presets are in %s/formats; see crm-formats(5))",
	    name, !crm_empty(dirs[0]) ? dirs[0] : CRM_DATADIR);
}

enum crm_map_kind
crm_mapping_kind(const struct crm_mapping *m) { return m->kind; }
const char *
crm_mapping_name(const struct crm_mapping *m) { return m->name; }
const char *
crm_mapping_encoding(const struct crm_mapping *m) { return m->encoding; }
char
crm_mapping_delim(const struct crm_mapping *m) { return m->delim; }
const char *
crm_mapping_shop(const struct crm_mapping *m) { return m->shop; }
int
crm_mapping_unquoted(const struct crm_mapping *m) { return m->unquoted; }

/* ---- binding ------------------------------------------------------------ */

struct cols {
	int n;
	int idx[MAX_PARTS];
};

struct words {
	char **w;
	size_t n;
	int any;              /* "*": every other value */
};

#define MAX_ALTS 6

/* The alternatives of a field present in this file, in mapping order. */
struct field {
	struct cols alt[MAX_ALTS];
	int nalt;
};

struct crm_binding {
	struct field f[CRM_M_NFIELDS];
	char *variant;
	char *date_format;
	int strip_apos;
	struct words nulls;
	struct words status[3];   /* ok, cancelled, returned */
};

static const char *const status_names[3] = { "ok", "cancelled", "returned" };

/* Split on sep outside double quotes; quotes are removed unless keep
 * (an outer split leaves them for the inner one).  Calls fn for each
 * piece. */
static void
split_q(const char *s, char sep, int keep, void (*fn)(void *, char *), void *arg)
{
	struct crm_buf b;
	int inq = 0;

	crm_buf_init(&b);
	for (;; s++) {
		if (*s == '"') {
			inq = !inq;
			if (keep)
				crm_buf_addc(&b, '"');
			continue;
		}
		if (*s == '\0' || (*s == sep && !inq)) {
			char *piece = crm_xstrdup(b.s ? b.s : "");

			fn(arg, piece);
			crm_buf_reset(&b);
			if (*s == '\0')
				break;
			continue;
		}
		crm_buf_addc(&b, *s);
	}
	crm_buf_release(&b);
}

static void
split(const char *s, char sep, void (*fn)(void *, char *), void *arg)
{
	split_q(s, sep, 0, fn, arg);
}

static void
add_word(void *arg, char *piece)
{
	struct words *w = arg;

	crm_trim(piece);
	if (strcmp(piece, "*") == 0) {
		w->any = 1;
		free(piece);
		return;
	}
	w->w = crm_xreallocarray(w->w, w->n + 1, sizeof *w->w);
	w->w[w->n++] = piece;
}

static void
words_release(struct words *w)
{
	for (size_t i = 0; i < w->n; i++)
		free(w->w[i]);
	free(w->w);
}

struct alts {
	char **a;
	size_t n;
};

static void
add_alt(void *arg, char *piece)
{
	struct alts *a = arg;

	a->a = crm_xreallocarray(a->a, a->n + 1, sizeof *a->a);
	a->a[a->n++] = piece;
}

struct resolve {
	const struct crm_csv_header *h;
	struct cols *c;
	int ok;
};

static void
add_part(void *arg, char *piece)
{
	struct resolve *r = arg;
	int i;

	crm_trim(piece);
	i = crm_csv_header_find(r->h, piece);
	if (i < 0 || r->c->n == MAX_PARTS)
		r->ok = 0;
	else
		r->c->idx[r->c->n++] = i;
	free(piece);
}

/* Resolve "A + B | C" against the header: every alternative whose parts
 * are all present, in order (a row takes the first that is not empty).
 * Returns the number found. */
static int
resolve_spec(const char *spec, const struct crm_csv_header *h, struct field *fl)
{
	struct alts a = { NULL, 0 };

	fl->nalt = 0;
	split_q(spec, '|', 1, add_alt, &a);
	for (size_t i = 0; i < a.n; i++) {
		struct cols *c = &fl->alt[fl->nalt];
		struct resolve r = { h, c, 1 };

		if (fl->nalt < MAX_ALTS) {
			c->n = 0;
			split(a.a[i], '+', add_part, &r);
			if (r.ok && c->n > 0)
				fl->nalt++;
		}
		free(a.a[i]);
	}
	free(a.a);
	return fl->nalt;
}

struct detect {
	const struct crm_csv_header *h;
	int all;
};

static void
detect_one(void *arg, char *piece)
{
	struct detect *d = arg;

	crm_trim(piece);
	if (*piece && crm_csv_header_find(d->h, piece) < 0)
		d->all = 0;
	free(piece);
}

void
crm_binding_free(struct crm_binding *b)
{
	if (b == NULL)
		return;
	free(b->variant);
	free(b->date_format);
	words_release(&b->nulls);
	for (int i = 0; i < 3; i++)
		words_release(&b->status[i]);
	free(b);
}

int
crm_binding_make(const struct crm_mapping *m, const struct crm_csv_record *header,
    const char *file, struct crm_binding **out, char **unknown,
    struct crm_err *err)
{
	struct crm_binding *b;
	struct crm_csv_header h;
	const struct entry *e;
	int sec = 0;
	size_t i;

	*out = NULL;
	if (unknown)
		*unknown = NULL;
	crm_csv_header_init(&h, header);
	b = crm_xcalloc(1, sizeof *b);

	/* The variant: the first section whose detect headers are all there. */
	for (i = 0; i < m->ns && sec == 0; i++) {
		const struct entry *d = NULL;

		for (size_t j = 0; j < m->ne; j++)
			if (m->e[j].section == (int)i + 1 &&
			    strcmp(m->e[j].key, "detect") == 0)
				d = &m->e[j];
		if (d == NULL) {
			sec = (int)i + 1;   /* a section without detect: fallback */
		} else {
			struct detect dt = { &h, 1 };

			split(d->value, ',', detect_one, &dt);
			if (dt.all)
				sec = (int)i + 1;
		}
	}
	if (m->ns > 0 && sec == 0) {
		struct crm_buf want;

		crm_buf_init(&want);
		for (i = 0; i < m->ne; i++)
			if (strcmp(m->e[i].key, "detect") == 0)
				crm_buf_addf(&want, "%s[%s] %s", want.len ? "; " : "",
				    m->s[m->e[i].section - 1].name, m->e[i].value);
		crm_err_set(err, EX_DATAERR,
		    "%s: line 1: not a %s file: expected the headers of one of: %s",
		    file, m->name, want.s ? want.s : "?");
		crm_buf_release(&want);
		goto fail;
	}
	if (sec > 0)
		b->variant = crm_xstrdup(m->s[sec - 1].name);

	for (i = 0; i < CRM_M_NFIELDS; i++) {
		if ((e = lookup(m, sec, field_names[i])) == NULL || *e->value == '\0')
			continue;
		resolve_spec(e->value, &h, &b->f[i]);
	}
	if ((e = lookup(m, sec, "date-format")) != NULL && *e->value)
		b->date_format = crm_xstrdup(e->value);
	if ((e = lookup(m, sec, "strip-apostrophe")) != NULL)
		parse_bool(e->value, &b->strip_apos);
	if ((e = lookup(m, sec, "null")) != NULL)
		split(e->value, '|', add_word, &b->nulls);
	for (i = 0; i < 3; i++) {
		char key[32];

		snprintf(key, sizeof key, "status.%s", status_names[i]);
		if ((e = lookup(m, sec, key)) != NULL)
			split(e->value, '|', add_word, &b->status[i]);
	}

	/* What a file must have to be read as this format at all. */
	if (m->kind == CRM_MAP_ORDERS) {
		static const enum crm_mfield req[] = { CRM_M_ORDER_ID, CRM_M_ORDERED_AT };

		for (i = 0; i < 2; i++) {
			if (b->f[req[i]].nalt > 0)
				continue;
			e = lookup(m, sec, field_names[req[i]]);
			if (e != NULL)
				crm_err_set(err, EX_DATAERR, "%s: line 1: required "
				    "column %s is missing (expected a header: %s)",
				    file, field_names[req[i]], e->value);
			else
				crm_err_set(err, EX_DATAERR, "%s: mapping %s does "
				    "not map the required field %s", file, m->name,
				    field_names[req[i]]);
			goto fail;
		}
	}
	if (b->f[CRM_M_EMAIL].nalt == 0 && b->f[CRM_M_PHONE].nalt == 0 &&
	    b->f[CRM_M_NAME].nalt == 0 && b->f[CRM_M_MEMBER_ID].nalt == 0) {
		crm_err_set(err, EX_DATAERR,
		    "%s: line 1: no buyer column: expected at least one of email, "
		    "phone, name%s", file,
		    m->kind == CRM_MAP_CUSTOMERS ? ", member_id" : "");
		goto fail;
	}

	if (unknown && (e = lookup(m, sec, "warn-unknown")) != NULL) {
		int warn = 0;
		struct crm_buf u;

		parse_bool(e->value, &warn);
		crm_buf_init(&u);
		for (i = 0; warn && i < h.n; i++) {
			int used = 0;

			for (size_t f = 0; f < CRM_M_NFIELDS && !used; f++)
				for (int a = 0; a < b->f[f].nalt; a++)
					for (int p = 0; p < b->f[f].alt[a].n; p++)
						if (b->f[f].alt[a].idx[p] == (int)i)
							used = 1;
			if (!used)
				crm_buf_addf(&u, "%s%s", u.len ? ", " : "",
				    *h.names[i] ? h.names[i] : "(empty)");
		}
		if (u.len)
			*unknown = crm_buf_detach(&u);
		crm_buf_release(&u);
	}
	crm_csv_header_release(&h);
	*out = b;
	return 0;
fail:
	crm_csv_header_release(&h);
	crm_binding_free(b);
	return -1;
}

const char *
crm_binding_variant(const struct crm_binding *b) { return b->variant; }
const char *
crm_binding_date_format(const struct crm_binding *b) { return b->date_format; }
int
crm_binding_has(const struct crm_binding *b, enum crm_mfield f)
{
	return b->f[f].nalt > 0;
}

static int
is_null(const struct crm_binding *b, const char *s)
{
	for (size_t i = 0; i < b->nulls.n; i++)
		if (strcmp(s, b->nulls.w[i]) == 0)
			return 1;
	return 0;
}

static int
alt_value(const struct crm_binding *b, const struct crm_csv_record *rec,
    const struct cols *c, const char *sep, struct crm_buf *out)
{
	int any = 0;

	crm_buf_reset(out);
	for (int p = 0; p < c->n; p++) {
		const char *s;
		size_t n;

		if ((size_t)c->idx[p] >= rec->nfields)
			continue;
		s = rec->fields[c->idx[p]];
		n = rec->lens[c->idx[p]];
		while (n > 0 && (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')) {
			s++;
			n--;
		}
		while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' ||
		    s[n - 1] == '\r' || s[n - 1] == '\n'))
			n--;
		if (b->strip_apos && n > 0 && *s == '\'') {
			s++;
			n--;
		}
		if (n == 0)
			continue;
		if (b->nulls.n > 0) {
			char *tmp = crm_xstrndup(s, n);
			int nul = is_null(b, tmp);

			free(tmp);
			if (nul)
				continue;
		}
		if (any)
			crm_buf_adds(out, sep);
		crm_buf_add(out, s, n);
		any = 1;
	}
	return any;
}

int
crm_binding_value(const struct crm_binding *b, const struct crm_csv_record *rec,
    enum crm_mfield f, struct crm_buf *out)
{
	const struct field *fl = &b->f[f];

	for (int a = 0; a < fl->nalt; a++)
		if (alt_value(b, rec, &fl->alt[a], joiner(f), out))
			return 1;
	crm_buf_add(out, "", 0);   /* out->s is "" rather than NULL */
	crm_buf_reset(out);
	return 0;
}

const char *
crm_binding_status(const struct crm_binding *b, const char *word)
{
	int i, any = -1;

	for (i = 0; i < 3; i++) {
		for (size_t j = 0; j < b->status[i].n; j++)
			if (crm_strcaseeq(word, b->status[i].w[j]) ||
			    strcmp(word, b->status[i].w[j]) == 0)
				return status_names[i];
		if (b->status[i].any)
			any = i;
	}
	return any >= 0 ? status_names[any] : NULL;
}
