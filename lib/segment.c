/* segment.c: the segment expression language, compiled to SQL.
 *
 * A hand-written lexer and recursive-descent parser that emits the SQL
 * condition as it parses (the expression is small, so the parse tree is
 * the call stack).  Every value the user typed becomes a bound parameter
 * ?N; the SQL text itself is assembled only from the fixed fragments in the
 * field table below.  Saved segments are expression text and are compiled
 * again, inline, where in_segment() names them. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <utf8proc.h>

#include "date.h"
#include "db.h"
#include "norm.h"
#include "segment.h"
#include "banned.h"

#define MAX_DEPTH 16      /* nested in_segment() */
#define MAX_NEST  16      /* nested parentheses, not, in_segment: SQLite's
                             * parser stack (100) holds about 20 */

enum ptype { P_INT, P_REAL, P_TEXT };

struct param {
	enum ptype type;
	int64_t i;
	double d;
	char *s;
};

struct crm_segment {
	char *sql;
	struct param *p;
	size_t np, cap;
	char **shown;     /* param text for --explain, built on demand */
};

/* ---- fields ----------------------------------------------------------- */

enum ftype {
	F_NUM,      /* integer column */
	F_AMOUNT,   /* integer yen; accepts ¥1,000 */
	F_REAL,     /* computed number */
	F_DATE,     /* timestamp column compared by date */
	F_BOOL,     /* 0/1 column */
	F_RELBOOL,  /* true when a related row exists */
	F_TEXT,     /* text column */
	F_KEY,      /* text column; = and in match the identities' keys */
	F_PREF,     /* prefecture, values normalised */
	F_REL,      /* a value in a related table */
};

struct field {
	const char *name;
	enum ftype type;
	const char *col;      /* SQL over customers c, or the related column */
	const char *rel;      /* F_REL/F_RELBOOL: subquery giving customer ids, ends in WHERE/AND */
	const char *bare;     /* SQL when the field stands alone, or NULL */
	int invert;           /* F_BOOL: guest is member = 0 */
	const char *keycol;   /* F_KEY: identities column */
	int (*norm)(const char *, char **, struct crm_err *);
};

#define ORDERS_OK "SELECT o.customer_id FROM orders o WHERE o.status = 'ok' AND "

static const struct field fields[] = {
	{ "id", F_NUM, "c.id", NULL, NULL, 0, NULL, NULL },
	{ "orders", F_NUM, "c.orders", NULL, NULL, 0, NULL, NULL },
	{ "total", F_AMOUNT, "c.total", NULL, NULL, 0, NULL, NULL },
	{ "aov", F_REAL, "(CASE WHEN c.orders > 0 THEN c.total * 1.0 / c.orders END)",
	    NULL, NULL, 0, NULL, NULL },
	{ "first_order", F_DATE, "c.first_order", NULL, NULL, 0, NULL, NULL },
	{ "last_order", F_DATE, "c.last_order", NULL, NULL, 0, NULL, NULL },
	{ "registered", F_DATE, "c.registered_at", NULL, NULL, 0, NULL, NULL },
	{ "registered_at", F_DATE, "c.registered_at", NULL, NULL, 0, NULL, NULL },
	{ "member", F_BOOL, "c.member", NULL, NULL, 0, NULL, NULL },
	{ "guest", F_BOOL, "c.member", NULL, NULL, 1, NULL, NULL },
	{ "newsletter", F_BOOL, "c.newsletter", NULL, NULL, 0, NULL, NULL },
	{ "notices", F_BOOL, "c.notices", NULL, NULL, 0, NULL, NULL },
	{ "withdrawn", F_BOOL, "c.withdrawn", NULL, NULL, 0, NULL, NULL },
	{ "caution", F_BOOL, "c.caution", NULL, NULL, 0, NULL, NULL },
	{ "undetermined", F_BOOL, "c.undetermined", NULL, NULL, 0, NULL, NULL },
	{ "undeliverable", F_BOOL, "c.undeliverable", NULL, NULL, 0, NULL, NULL },
	{ "name", F_KEY, "c.name", NULL, NULL, 0, "name_key", crm_norm_name },
	{ "kana", F_KEY, "c.kana", NULL, NULL, 0, "kana_key", crm_norm_kana },
	{ "email", F_KEY, "c.email", NULL, NULL, 0, "email_key", crm_norm_email },
	{ "phone", F_KEY, "c.phone", NULL, NULL, 0, "phone_key", crm_norm_phone },
	{ "postcode", F_KEY, "c.postcode", NULL, NULL, 0, "postcode_key", crm_norm_postcode },
	{ "pref", F_PREF, "c.prefecture", NULL, NULL, 0, NULL, NULL },
	{ "prefecture", F_PREF, "c.prefecture", NULL, NULL, 0, NULL, NULL },
	{ "address", F_TEXT, "c.address", NULL, NULL, 0, NULL, NULL },
	{ "birthday", F_TEXT, "c.birthday", NULL, NULL, 0, NULL, NULL },
	{ "member_id", F_TEXT, "c.member_id", NULL, NULL, 0, NULL, NULL },
	{ "shop", F_REL, "s.name",
	    "SELECT o.customer_id FROM orders o JOIN shops s ON s.id = o.shop_id"
	    " WHERE o.status = 'ok' AND ", NULL, 0, NULL, NULL },
	{ "tag", F_REL, "t.tag", "SELECT t.customer_id FROM tags t WHERE ",
	    "c.id IN (SELECT customer_id FROM tags)", 0, NULL, NULL },
	{ "coupon", F_REL, "o.coupon", ORDERS_OK,
	    "c.id IN (" ORDERS_OK "o.coupon IS NOT NULL AND o.coupon <> '')", 0, NULL, NULL },
	{ "order_no", F_REL, "o.order_no", "SELECT o.customer_id FROM orders o WHERE ",
	    NULL, 0, NULL, NULL },
	{ "subscription", F_RELBOOL, NULL, NULL,
	    "c.id IN (" ORDERS_OK "o.subscription = 1)", 0, NULL, NULL },
};
#define NFIELDS (sizeof fields / sizeof fields[0])

static const char known_fields[] =
    "id, orders, total, aov, first_order, last_order, registered, member, "
    "guest, newsletter, notices, withdrawn, caution, undetermined, "
    "undeliverable, name, kana, email, phone, postcode, pref, address, "
    "birthday, member_id, shop, tag, coupon, order_no, subscription; "
    "functions: bought(), bought_count(), keyword(), in_segment()";

static const struct field *
field_find(const char *name, size_t n)
{
	size_t i;

	for (i = 0; i < NFIELDS; i++)
		if (strlen(fields[i].name) == n &&
		    strncasecmp(fields[i].name, name, n) == 0)
			return &fields[i];
	return NULL;
}

/* ---- lexer ------------------------------------------------------------ */

enum tkind {
	T_EOF, T_IDENT, T_WORD, T_STRING, T_NUMBER, T_DATE, T_DAYS, T_OP,
	T_LP, T_RP, T_COMMA, T_DOTDOT, T_PLUS, T_MINUS,
};

enum op { OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE, OP_RE, OP_NRE };
static const char *const op_sql[] = { "=", "<>", "<", "<=", ">", ">=" };

struct tok {
	enum tkind kind;
	size_t start, end;    /* bytes of the source */
	char *text;           /* strings and words, decoded */
	int isreal;
	int64_t num;          /* numbers, days */
	double real;
	enum op op;
	char date[CRM_DATE_LEN];
};

struct parser {
	const char *src;
	size_t pos;
	struct tok t;
	sqlite3 *db;
	const char *today;
	struct crm_segment *seg;
	struct crm_buf *sql;
	const char **stack;   /* segment names being expanded */
	int depth;
	int nest;
	const char *self, *self_expr;  /* the segment being saved */
	struct crm_err *err;
};

static int is_identc(int c) { return isalnum(c) || c == '_'; }

/* Display columns of src[0..n), for the caret. */
static size_t
width_of(const char *s, size_t n)
{
	size_t w = 0, i = 0;
	utf8proc_int32_t cp;
	utf8proc_ssize_t k;

	while (i < n) {
		k = utf8proc_iterate((const utf8proc_uint8_t *)s + i,
		    (utf8proc_ssize_t)(n - i), &cp);
		if (k <= 0) {
			i++, w++;
			continue;
		}
		i += (size_t)k;
		if (cp == '\t' || cp == '\n' || cp == '\r')
			w++;
		else {
			int cw = utf8proc_charwidth(cp);
			w += cw > 0 ? (size_t)cw : 0;
		}
	}
	return w;
}

/* The message: what was expected, then the expression and a caret under
 * the column at byte offset at. */
static int
perr_at(struct parser *p, size_t at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int
perr_at(struct parser *p, size_t at, const char *fmt, ...)
{
	char what[512];
	struct crm_buf b;
	size_t len = strlen(p->src), from = 0, to = len, i, w;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	if (at > len)
		at = len;
	/* A long expression is shown as a window around the error. */
	if (at > 160) {
		from = at - 120;
		while (from < at && ((unsigned char)p->src[from] & 0xc0) == 0x80)
			from++;
	}
	if (to - from > 300) {
		to = from + 300;
		while (to > at && ((unsigned char)p->src[to] & 0xc0) == 0x80)
			to--;
	}
	crm_buf_init(&b);
	crm_buf_addf(&b, "%s (column %zu)\n    %s", what,
	    width_of(p->src, at) + 1, from ? "..." : "");
	for (i = from; i < to; i++)
		crm_buf_addc(&b, p->src[i] == '\n' || p->src[i] == '\t' ||
		    p->src[i] == '\r' ? ' ' : p->src[i]);
	if (to < len)
		crm_buf_adds(&b, "...");
	crm_buf_adds(&b, "\n    ");
	w = width_of(p->src + from, at - from) + (from ? 3 : 0);
	for (i = 0; i < w; i++)
		crm_buf_addc(&b, ' ');
	crm_buf_addc(&b, '^');
	crm_err_set(p->err, EX_USAGE, "%s", b.s);
	crm_buf_release(&b);
	return -1;
}

/* How the current token reads in "found ..." */
static const char *
tok_desc(struct parser *p, char *buf, size_t size)
{
	size_t n;

	if (p->t.kind == T_EOF)
		return "end of expression";
	n = p->t.end - p->t.start;
	if (n > 40)
		n = 40;
	snprintf(buf, size, "'%.*s'", (int)n, p->src + p->t.start);
	return buf;
}

static int
expected(struct parser *p, const char *what)
{
	char buf[64];

	return perr_at(p, p->t.start, "expected %s, found %s", what,
	    tok_desc(p, buf, sizeof buf));
}

static int
lex_number(struct parser *p, size_t s)
{
	const char *src = p->src;
	size_t i = s, yen = 0;
	int64_t v = 0;
	int digits = 0;

	if ((unsigned char)src[i] == 0xc2 && (unsigned char)src[i + 1] == 0xa5)
		yen = i += 2;
	else if ((unsigned char)src[i] == 0xef && (unsigned char)src[i + 1] == 0xbf &&
	    (unsigned char)src[i + 2] == 0xa5)
		yen = i += 3;
	/* 2026-01-31 */
	if (!yen && isdigit((unsigned char)src[i]) && isdigit((unsigned char)src[i + 1]) &&
	    isdigit((unsigned char)src[i + 2]) && isdigit((unsigned char)src[i + 3]) &&
	    src[i + 4] == '-' && isdigit((unsigned char)src[i + 5])) {
		char buf[CRM_DATE_LEN], ts[CRM_TS_LEN];
		size_t j = i;
		struct crm_err e;

		while (isdigit((unsigned char)src[j]) || src[j] == '-')
			j++;
		if (j - i != 10 || is_identc((unsigned char)src[j]))
			return perr_at(p, s, "expected a date like 2026-01-31");
		memcpy(buf, src + i, 10);
		buf[10] = '\0';
		if (buf[7] != '-' || crm_date_parse(buf, ts, &e) < 0)
			return perr_at(p, s, "expected a date like 2026-01-31, found '%s'", buf);
		memcpy(p->t.date, ts, 10);
		p->t.date[10] = '\0';
		p->t.kind = T_DATE;
		p->pos = j;
		return 0;
	}
	for (;;) {
		if (isdigit((unsigned char)src[i])) {
			if (v > (INT64_MAX - 9) / 10)
				return perr_at(p, s, "number too large");
			v = v * 10 + (src[i] - '0');
			digits++;
			i++;
		} else if (src[i] == ',' && yen && digits &&
		    isdigit((unsigned char)src[i + 1]))
			i++;
		else
			break;
	}
	if (!digits)
		return perr_at(p, s, "expected digits after the yen sign");
	p->t.num = v;
	p->t.real = (double)v;
	p->t.isreal = 0;
	p->t.kind = T_NUMBER;
	if (!yen && src[i] == 'd' && !is_identc((unsigned char)src[i + 1])) {
		p->t.kind = T_DAYS;
		p->pos = i + 1;
		return 0;
	}
	if (src[i] == '.' && isdigit((unsigned char)src[i + 1])) {
		double f = 0.1;

		i++;
		while (isdigit((unsigned char)src[i])) {
			p->t.real += f * (src[i] - '0');
			f /= 10;
			i++;
		}
		p->t.isreal = 1;
	}
	if (strncmp(src + i, "円", strlen("円")) == 0)
		i += strlen("円");
	if (is_identc((unsigned char)src[i]))
		return perr_at(p, i, "expected a number, a date (2026-01-31) or "
		    "a number of days (90d)");
	p->pos = i;
	return 0;
}

static int
lex_string(struct parser *p, size_t s)
{
	const char *src = p->src;
	char q = src[s];
	size_t i = s + 1;
	struct crm_buf b;

	crm_buf_init(&b);
	crm_buf_adds(&b, "");
	for (;;) {
		if (src[i] == '\0') {
			crm_buf_release(&b);
			return perr_at(p, s, "unterminated string: expected a closing %c", q);
		}
		if (src[i] == q)
			break;
		if (src[i] == '\\' && src[i + 1] != '\0')
			i++;
		crm_buf_addc(&b, src[i]);
		i++;
	}
	p->t.text = crm_buf_detach(&b);
	p->t.kind = T_STRING;
	p->pos = i + 1;
	return 0;
}

static int
is_fullwidth_space(const char *s)
{
	return (unsigned char)s[0] == 0xe3 && (unsigned char)s[1] == 0x80 &&
	    (unsigned char)s[2] == 0x80;
}

/* 、 and ， separate list items like a comma. */
static int
is_wide_comma(const char *s)
{
	return strncmp(s, "、", 3) == 0 || strncmp(s, "，", 3) == 0;
}

static int
lex(struct parser *p)
{
	const char *src = p->src;
	size_t i = p->pos;
	unsigned char c;

	free(p->t.text);
	memset(&p->t, 0, sizeof p->t);
	for (;;) {
		if (src[i] == ' ' || src[i] == '\t' || src[i] == '\n' || src[i] == '\r')
			i++;
		else if (is_fullwidth_space(src + i))
			i += 3;
		else
			break;
	}
	p->t.start = i;
	c = (unsigned char)src[i];
	if (c == '\0') {
		p->t.kind = T_EOF;
		p->t.end = p->pos = i;
		return 0;
	}
	p->pos = i + 1;
	switch (c) {
	case '(': p->t.kind = T_LP; break;
	case ')': p->t.kind = T_RP; break;
	case ',': p->t.kind = T_COMMA; break;
	case '+': p->t.kind = T_PLUS; break;
	case '-': p->t.kind = T_MINUS; break;
	case '.':
		if (src[i + 1] != '.')
			return perr_at(p, i, "unexpected '.' (a range is written FROM..TO)");
		p->t.kind = T_DOTDOT;
		p->pos = i + 2;
		break;
	case '=':
		p->t.kind = T_OP, p->t.op = OP_EQ;
		if (src[i + 1] == '=')
			p->pos++;
		break;
	case '~':
		p->t.kind = T_OP, p->t.op = OP_RE;
		break;
	case '!':
		if (src[i + 1] == '=')
			p->t.op = OP_NE;
		else if (src[i + 1] == '~')
			p->t.op = OP_NRE;
		else
			return perr_at(p, i, "unexpected '!' (did you mean != or not?)");
		p->t.kind = T_OP;
		p->pos++;
		break;
	case '<':
		p->t.kind = T_OP, p->t.op = OP_LT;
		if (src[i + 1] == '=')
			p->t.op = OP_LE, p->pos++;
		else if (src[i + 1] == '>')
			p->t.op = OP_NE, p->pos++;
		break;
	case '>':
		p->t.kind = T_OP, p->t.op = OP_GT;
		if (src[i + 1] == '=')
			p->t.op = OP_GE, p->pos++;
		break;
	case '"':
	case '\'':
		if (lex_string(p, i) < 0)
			return -1;
		break;
	default:
		if (isdigit(c) || strncmp(src + i, "¥", 2) == 0 ||
		    strncmp(src + i, "￥", 3) == 0) {
			if (lex_number(p, i) < 0)
				return -1;
		} else if (isalpha(c) || c == '_') {
			size_t j = i;

			while (is_identc((unsigned char)src[j]))
				j++;
			p->t.kind = T_IDENT;
			p->t.text = crm_xstrndup(src + i, j - i);
			p->pos = j;
		} else if (is_wide_comma(src + i)) {
			p->t.kind = T_COMMA;
			p->pos = i + 3;
		} else if (c >= 0x80) {
			/* A bare word in any script: 東京, 神奈川県 */
			size_t j = i;

			while (src[j] != '\0' && !strchr(" \t\r\n()=<>!~,\"'", src[j]) &&
			    !is_fullwidth_space(src + j) && !is_wide_comma(src + j))
				j++;
			p->t.kind = T_WORD;
			p->t.text = crm_xstrndup(src + i, j - i);
			p->pos = j;
		} else
			return perr_at(p, i, "unexpected character '%c'", c);
	}
	p->t.end = p->pos;
	return 0;
}

/* The current token is this keyword (case-insensitive). */
static int
is_kw(struct parser *p, const char *kw)
{
	return p->t.kind == T_IDENT && strcasecmp(p->t.text, kw) == 0;
}

static const char *const reserved[] = {
	"and", "or", "not", "between", "in", "contains", "today", "true",
	"false", "yes", "no",
};

static int
is_reserved(const char *s)
{
	size_t i;

	for (i = 0; i < sizeof reserved / sizeof reserved[0]; i++)
		if (strcasecmp(s, reserved[i]) == 0)
			return 1;
	return 0;
}

/* ---- parameters ------------------------------------------------------- */

static int
param_add(struct crm_segment *seg, enum ptype type, int64_t i, double d,
    const char *s)
{
	struct param *p;

	if (seg->np == seg->cap) {
		seg->cap = seg->cap ? seg->cap * 2 : 8;
		seg->p = crm_xreallocarray(seg->p, seg->cap, sizeof *seg->p);
	}
	p = &seg->p[seg->np++];
	p->type = type;
	p->i = i;
	p->d = d;
	p->s = s ? crm_xstrdup(s) : NULL;
	return (int)seg->np;
}

/* Emit a placeholder bound to a text value. */
static void
emit_text(struct parser *p, const char *s)
{
	crm_buf_addf(p->sql, "?%d", param_add(p->seg, P_TEXT, 0, 0, s));
}

static void
emit_int(struct parser *p, int64_t v)
{
	crm_buf_addf(p->sql, "?%d", param_add(p->seg, P_INT, v, 0, NULL));
}

static void
emit_real(struct parser *p, double v)
{
	crm_buf_addf(p->sql, "?%d", param_add(p->seg, P_REAL, 0, v, NULL));
}

/* ---- values ----------------------------------------------------------- */

/* A date: 2026-01-31, 90d (days ago), today, today - 7d, today + 7d. */
static int
parse_date(struct parser *p, char out[CRM_DATE_LEN])
{
	struct crm_err e;

	if (p->t.kind == T_DATE) {
		memcpy(out, p->t.date, CRM_DATE_LEN);
		return lex(p);
	}
	if (p->t.kind == T_DAYS) {
		if (p->t.num > 100000)
			return perr_at(p, p->t.start, "too many days");
		if (crm_date_add(p->today, -(int)p->t.num, out, &e) < 0)
			return perr_at(p, p->t.start, "%s", e.msg);
		return lex(p);
	}
	if (is_kw(p, "today")) {
		int sign;

		if (lex(p) < 0)
			return -1;
		if (p->t.kind != T_PLUS && p->t.kind != T_MINUS) {
			crm_strlcpy(out, p->today, CRM_DATE_LEN);
			return 0;
		}
		sign = p->t.kind == T_PLUS ? 1 : -1;
		if (lex(p) < 0)
			return -1;
		if (p->t.kind != T_DAYS && !(p->t.kind == T_NUMBER && !p->t.isreal))
			return expected(p, "a number of days like 90d");
		if (p->t.num > 100000)
			return perr_at(p, p->t.start, "too many days");
		if (crm_date_add(p->today, sign * (int)p->t.num, out, &e) < 0)
			return perr_at(p, p->t.start, "%s", e.msg);
		return lex(p);
	}
	return expected(p, "a date (2026-01-31, 90d, today, today - 30d)");
}

static int
next_day(struct parser *p, const char *d, char out[CRM_DATE_LEN])
{
	struct crm_err e;

	if (crm_date_add(d, 1, out, &e) < 0)
		return perr_at(p, p->t.start, "%s", e.msg);
	return 0;
}

/* A text value: "quoted", a bare word, or a number as written. *out is
 * malloc'd, and NULL after an error. */
static int
parse_text(struct parser *p, char **out)
{
	*out = NULL;
	if (p->t.kind == T_STRING || p->t.kind == T_WORD ||
	    (p->t.kind == T_IDENT && !is_reserved(p->t.text)))
		*out = crm_xstrdup(p->t.text);
	else if (p->t.kind == T_NUMBER || p->t.kind == T_DATE || p->t.kind == T_DAYS)
		*out = crm_xstrndup(p->src + p->t.start, p->t.end - p->t.start);
	else
		return expected(p, "a value (a \"quoted string\" or a word)");
	if (lex(p) < 0) {
		free(*out);
		*out = NULL;
		return -1;
	}
	return 0;
}

static int
parse_bool(struct parser *p, int *v)
{
	if (is_kw(p, "yes") || is_kw(p, "true"))
		*v = 1;
	else if (is_kw(p, "no") || is_kw(p, "false"))
		*v = 0;
	else if (p->t.kind == T_NUMBER && !p->t.isreal && p->t.num <= 1)
		*v = (int)p->t.num;
	else
		return expected(p, "yes or no");
	return lex(p);
}

/* A number for field f; amounts may carry ¥ and commas. */
static int
parse_num(struct parser *p, const struct field *f, int64_t *iv, double *dv)
{
	if (p->t.kind != T_NUMBER)
		return expected(p, f->type == F_AMOUNT ? "an amount (10000 or ¥10,000)"
		    : "a number");
	if (p->t.isreal && f->type != F_REAL)
		return perr_at(p, p->t.start, "%s takes a whole number", f->name);
	*iv = p->t.num;
	*dv = p->t.real;
	return lex(p);
}

/* ---- conditions ------------------------------------------------------- */

static int parse_or(struct parser *p);

static void
emit_num_value(struct parser *p, const struct field *f, int64_t iv, double dv)
{
	if (f->type == F_REAL)
		emit_real(p, dv);
	else
		emit_int(p, iv);
}

static int
cond_num(struct parser *p, const struct field *f, int how, enum op op)
{
	int64_t a, b;
	double da, db;

	if (how == 'b') {
		if (parse_num(p, f, &a, &da) < 0)
			return -1;
		if (!is_kw(p, "and"))
			return expected(p, "'and' in 'between X and Y'");
		if (lex(p) < 0 || parse_num(p, f, &b, &db) < 0)
			return -1;
		crm_buf_addf(p->sql, "%s BETWEEN ", f->col);
		emit_num_value(p, f, a, da);
		crm_buf_adds(p->sql, " AND ");
		emit_num_value(p, f, b, db);
		return 0;
	}
	if (how == 'i') {
		crm_buf_addf(p->sql, "%s IN (", f->col);
		for (;;) {
			if (parse_num(p, f, &a, &da) < 0)
				return -1;
			emit_num_value(p, f, a, da);
			if (p->t.kind == T_RP)
				break;
			if (p->t.kind != T_COMMA)
				return expected(p, "',' or ')'");
			crm_buf_adds(p->sql, ", ");
			if (lex(p) < 0)
				return -1;
		}
		crm_buf_addc(p->sql, ')');
		return lex(p);
	}
	if (how != 'o' || op > OP_GE) {
		return perr_at(p, p->t.start, "%s is a number: use =, !=, <, <=, >, >=, "
		    "between or in", f->name);
	}
	if (parse_num(p, f, &a, &da) < 0)
		return -1;
	crm_buf_addf(p->sql, "%s %s ", f->col, op_sql[op]);
	emit_num_value(p, f, a, da);
	return 0;
}

/* col = the day d: from d (inclusive) to the next day (exclusive), so a
 * plain column comparison can use the index. */
static int
emit_day(struct parser *p, const char *col, const char *d)
{
	char nd[CRM_DATE_LEN];

	if (next_day(p, d, nd) < 0)
		return -1;
	crm_buf_addf(p->sql, "(%s >= ", col);
	emit_text(p, d);
	crm_buf_addf(p->sql, " AND %s < ", col);
	emit_text(p, nd);
	crm_buf_addc(p->sql, ')');
	return 0;
}

static int
cond_date(struct parser *p, const struct field *f, int how, enum op op)
{
	char a[CRM_DATE_LEN], b[CRM_DATE_LEN], nd[CRM_DATE_LEN];

	if (how == 'b') {
		if (parse_date(p, a) < 0)
			return -1;
		if (!is_kw(p, "and"))
			return expected(p, "'and' in 'between X and Y'");
		if (lex(p) < 0 || parse_date(p, b) < 0 || next_day(p, b, nd) < 0)
			return -1;
		crm_buf_addf(p->sql, "(%s >= ", f->col);
		emit_text(p, a);
		crm_buf_addf(p->sql, " AND %s < ", f->col);
		emit_text(p, nd);
		crm_buf_addc(p->sql, ')');
		return 0;
	}
	if (how == 'i') {
		crm_buf_addc(p->sql, '(');
		for (;;) {
			if (parse_date(p, a) < 0 || emit_day(p, f->col, a) < 0)
				return -1;
			if (p->t.kind == T_RP)
				break;
			if (p->t.kind != T_COMMA)
				return expected(p, "',' or ')'");
			crm_buf_adds(p->sql, " OR ");
			if (lex(p) < 0)
				return -1;
		}
		crm_buf_addc(p->sql, ')');
		return lex(p);
	}
	if (how != 'o' || op > OP_GE)
		return perr_at(p, p->t.start, "%s is a date: use =, !=, <, <=, >, >=, "
		    "between or in", f->name);
	if (parse_date(p, a) < 0)
		return -1;
	switch (op) {
	case OP_EQ:
		return emit_day(p, f->col, a);
	case OP_NE:
		if (next_day(p, a, nd) < 0)
			return -1;
		crm_buf_addf(p->sql, "(%s IS NULL OR %s < ", f->col, f->col);
		emit_text(p, a);
		crm_buf_addf(p->sql, " OR %s >= ", f->col);
		emit_text(p, nd);
		crm_buf_addc(p->sql, ')');
		return 0;
	case OP_LT:
	case OP_GE:
		crm_buf_addf(p->sql, "%s %s ", f->col, op_sql[op]);
		emit_text(p, a);
		return 0;
	case OP_LE:   /* up to the end of that day */
	case OP_GT:   /* from the next day on */
		if (next_day(p, a, nd) < 0)
			return -1;
		crm_buf_addf(p->sql, "%s %s ", f->col, op == OP_LE ? "<" : ">=");
		emit_text(p, nd);
		return 0;
	default:
		return -1;
	}
}

static int
cond_bool(struct parser *p, const struct field *f, int how, enum op op)
{
	int v = 1;

	if (how == 'o') {
		if (op != OP_EQ && op != OP_NE)
			return perr_at(p, p->t.start, "%s is yes or no: use %s, not %s, "
			    "%s = yes or %s = no", f->name, f->name, f->name, f->name, f->name);
		if (parse_bool(p, &v) < 0)
			return -1;
		if (op == OP_NE)
			v = !v;
	} else if (how != 0)
		return perr_at(p, p->t.start, "%s is yes or no: use %s, not %s, "
		    "%s = yes or %s = no", f->name, f->name, f->name, f->name, f->name);
	if (f->type == F_RELBOOL) {
		crm_buf_addf(p->sql, "%s%s", v ? "" : "NOT ", f->bare);
		return 0;
	}
	if (f->invert)
		v = !v;
	crm_buf_addf(p->sql, "%s = %d", f->col, v);
	return 0;
}

/* Normalise a value of a key field or a prefecture; a value that cannot
 * be normalised cannot match, so it is an error rather than silence. */
static int
norm_value(struct parser *p, const struct field *f, size_t at, char **v)
{
	struct crm_err e;
	char *n = NULL;

	if (f->type == F_PREF) {
		const char *pref;

		pref = NULL;
		if (crm_norm_prefecture(*v, &pref, &e) < 0)
			return perr_at(p, at, "%s: unknown prefecture '%s'", f->name, *v);
		if (pref == NULL)
			return perr_at(p, at, "%s: empty value", f->name);
		n = crm_xstrdup(pref);
	} else if (f->type == F_KEY) {
		if (f->norm(*v, &n, &e) < 0) {
			size_t k = strlen(f->name);

			if (strncmp(e.msg, f->name, k) == 0 && e.msg[k] == ':')
				return perr_at(p, at, "%s", e.msg);
			return perr_at(p, at, "%s: %s", f->name, e.msg);
		}
		if (n == NULL)
			return perr_at(p, at, "%s: empty value", f->name);
	} else
		return 0;
	free(*v);
	*v = n;
	return 0;
}

/* A bad pattern is the user's syntax error, found here rather than when
 * the query runs (REGEXP compiles it the same way, lib/db.c). */
static int
check_regex(struct parser *p, size_t at, const char *pat)
{
	pcre2_code *re;
	int ecode;
	PCRE2_SIZE eoff;
	char msg[256];

	re = pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED,
	    PCRE2_UTF | PCRE2_UCP, &ecode, &eoff, NULL);
	if (re != NULL) {
		pcre2_code_free(re);
		return 0;
	}
	pcre2_get_error_message(ecode, (PCRE2_UCHAR *)msg, sizeof msg);
	return perr_at(p, at, "bad regular expression \"%s\": %s at offset %zu",
	    pat, msg, (size_t)eoff);
}

/* Where a text comparison is made: on c, on the identities' keys, or in a
 * related table: text_open and text_close go around "= ?" or "IN (...)". */
static void
text_open(struct parser *p, const struct field *f, int keyed, int neg)
{
	if (f->type == F_REL)
		crm_buf_addf(p->sql, "c.id %sIN (%s%s ", neg ? "NOT " : "", f->rel, f->col);
	else if (keyed)
		crm_buf_addf(p->sql, "c.id %sIN (SELECT customer_id FROM identities "
		    "WHERE %s ", neg ? "NOT " : "", f->keycol);
	else
		crm_buf_addf(p->sql, "%s%s ", neg ? "(" : "", f->col);
}

static void
text_close(struct parser *p, const struct field *f, int keyed, int neg)
{
	if (f->type == F_REL || keyed)
		crm_buf_addc(p->sql, ')');
	else if (neg)
		crm_buf_adds(p->sql, ") IS NOT 1");
}

static int
cond_text(struct parser *p, const struct field *f, int how, enum op op)
{
	char *v = NULL;
	size_t at;
	int keyed = f->type == F_KEY, neg = 0;

	if (how == 0) {
		if (f->bare == NULL)
			return perr_at(p, p->t.start, "expected an operator after '%s' "
			    "(=, !=, ~, !~, contains, in)", f->name);
		crm_buf_adds(p->sql, f->bare);
		return 0;
	}
	if (how == 'b' || (how == 'o' && op >= OP_LT && op <= OP_GE))
		return perr_at(p, p->t.start, "%s is text: use =, !=, ~, !~, contains "
		    "or in", f->name);
	if (how == 'i') {
		int first = 1;

		text_open(p, f, keyed, 0);
		crm_buf_adds(p->sql, "IN (");
		for (;;) {
			at = p->t.start;
			if (parse_text(p, &v) < 0 || norm_value(p, f, at, &v) < 0) {
				free(v);
				return -1;
			}
			if (!first)
				crm_buf_adds(p->sql, ", ");
			first = 0;
			emit_text(p, v);
			free(v);
			v = NULL;
			if (p->t.kind == T_RP)
				break;
			if (p->t.kind != T_COMMA)
				return expected(p, "',' or ')'");
			if (lex(p) < 0)
				return -1;
		}
		crm_buf_addc(p->sql, ')');
		text_close(p, f, keyed, 0);
		return lex(p);
	}
	at = p->t.start;
	if (parse_text(p, &v) < 0)
		return -1;
	if ((op == OP_RE || op == OP_NRE) && how == 'o' && check_regex(p, at, v) < 0) {
		free(v);
		return -1;
	}
	if (how == 'c' || op == OP_RE || op == OP_NRE) {
		/* Substrings and patterns match the text as shown (for a key
		 * field, the customer's current value). */
		neg = op == OP_NRE;
		if (f->type == F_REL)
			crm_buf_addf(p->sql, "c.id %sIN (%s", neg ? "NOT " : "", f->rel);
		else if (neg)
			crm_buf_addc(p->sql, '(');
		if (how == 'c') {
			/* instr() rather than LIKE: no wildcards to escape */
			crm_buf_addf(p->sql, "instr(%s, ", f->col);
			emit_text(p, v);
			crm_buf_adds(p->sql, ") > 0");
		} else {
			crm_buf_addf(p->sql, "%s REGEXP ", f->col);
			emit_text(p, v);
		}
		if (f->type == F_REL)
			crm_buf_addc(p->sql, ')');
		else if (neg)
			crm_buf_adds(p->sql, ") IS NOT 1");
		free(v);
		return 0;
	}
	if (norm_value(p, f, at, &v) < 0) {
		free(v);
		return -1;
	}
	neg = op == OP_NE;
	if (f->type == F_REL || keyed) {
		text_open(p, f, keyed, neg);
		crm_buf_adds(p->sql, "= ");
		emit_text(p, v);
		text_close(p, f, keyed, 0);
	} else {
		crm_buf_addf(p->sql, "%s %s ", f->col, neg ? "IS NOT" : "=");
		emit_text(p, v);
	}
	free(v);
	return 0;
}

/* field [not] (op value | between a and b | in (...) | contains v) */
static int
parse_field(struct parser *p)
{
	const struct field *f;
	size_t at = p->t.start, mark;
	int how = 0, neg = 0, rc;
	enum op op = OP_EQ;

	f = field_find(p->t.text, strlen(p->t.text));
	if (f == NULL)
		return perr_at(p, at, "unknown field '%s'; known fields: %s",
		    p->t.text, known_fields);
	if (lex(p) < 0)
		return -1;
	if (is_kw(p, "not")) {
		neg = 1;
		if (lex(p) < 0)
			return -1;
		if (!is_kw(p, "between") && !is_kw(p, "in") && !is_kw(p, "contains"))
			return expected(p, "between, in or contains after 'not'");
	}
	if (p->t.kind == T_OP)
		how = 'o', op = p->t.op;
	else if (is_kw(p, "between"))
		how = 'b';
	else if (is_kw(p, "in"))
		how = 'i';
	else if (is_kw(p, "contains"))
		how = 'c';
	mark = p->t.start;
	if (how) {
		if (lex(p) < 0)
			return -1;
		if (how == 'i') {
			if (p->t.kind != T_LP)
				return expected(p, "'(' after in");
			if (lex(p) < 0)
				return -1;
		}
	}
	if (neg)
		crm_buf_addc(p->sql, '(');
	switch (f->type) {
	case F_NUM:
	case F_AMOUNT:
	case F_REAL:
		if (how == 0)
			return perr_at(p, mark, "expected an operator after '%s' "
			    "(=, !=, <, <=, >, >=, between, in)", f->name);
		if (how == 'c' || (how == 'o' && op > OP_GE))
			return perr_at(p, mark, "%s is a number: use =, !=, <, <=, >, >=, "
			    "between or in", f->name);
		rc = cond_num(p, f, how, op);
		break;
	case F_DATE:
		if (how == 0)
			return perr_at(p, mark, "expected an operator after '%s' "
			    "(=, !=, <, <=, >, >=, between, in)", f->name);
		if (how == 'c' || (how == 'o' && op > OP_GE))
			return perr_at(p, mark, "%s is a date: use =, !=, <, <=, >, >=, "
			    "between or in", f->name);
		rc = cond_date(p, f, how, op);
		break;
	case F_BOOL:
	case F_RELBOOL:
		if (how && !(how == 'o' && (op == OP_EQ || op == OP_NE)))
			return perr_at(p, mark, "%s is yes or no: use %s, not %s, "
			    "%s = yes or %s = no", f->name, f->name, f->name, f->name, f->name);
		rc = cond_bool(p, f, how, op);
		break;
	default:
		if (how == 'b' || (how == 'o' && op >= OP_LT && op <= OP_GE))
			return perr_at(p, mark, "%s is text: use =, !=, ~, !~, contains "
			    "or in", f->name);
		rc = cond_text(p, f, how, op);
	}
	if (rc < 0)
		return -1;
	if (neg)
		crm_buf_adds(p->sql, ") IS NOT 1");
	return 0;
}

/* "PATTERN" [, FROM..TO] ) for bought() and bought_count(): the condition
 * on order_items i / orders o, appended to p->sql. */
static int
parse_bought_args(struct parser *p)
{
	char *pat = NULL, lo[CRM_DATE_LEN] = "", hi[CRM_DATE_LEN] = "";
	int n;

	if (p->t.kind != T_STRING && p->t.kind != T_WORD &&
	    !(p->t.kind == T_IDENT && !is_reserved(p->t.text)))
		return expected(p, "a SKU or product name in quotes");
	if (parse_text(p, &pat) < 0)
		return -1;
	if (*pat == '\0') {
		free(pat);
		return perr_at(p, p->t.start, "empty SKU or product name");
	}
	if (p->t.kind == T_COMMA) {
		if (lex(p) < 0)
			goto fail;
		if (p->t.kind != T_DOTDOT && parse_date(p, lo) < 0)
			goto fail;
		if (p->t.kind == T_DOTDOT) {
			if (lex(p) < 0)
				goto fail;
			if (p->t.kind != T_RP && parse_date(p, hi) < 0)
				goto fail;
		} else
			crm_strlcpy(hi, lo, sizeof hi);   /* one day */
		if (!*lo && !*hi) {
			expected(p, "a date range like 2026-01-01..2026-03-31");
			goto fail;
		}
	}
	if (p->t.kind != T_RP) {
		expected(p, "')' or ', FROM..TO' (a date range; quote a SKU "
		    "like \"TEA-1\")");
		goto fail;
	}
	/* A pattern with glob characters is matched against the whole SKU or
	 * product name; otherwise it is a SKU, or part of a product name. */
	n = param_add(p->seg, P_TEXT, 0, 0, pat);
	if (strpbrk(pat, "*?["))
		crm_buf_addf(p->sql, "(i.sku GLOB ?%d OR i.product GLOB ?%d)", n, n);
	else
		crm_buf_addf(p->sql, "(i.sku = ?%d OR instr(i.product, ?%d) > 0)", n, n);
	if (*lo) {
		crm_buf_adds(p->sql, " AND o.ordered_at >= ");
		emit_text(p, lo);
	}
	if (*hi) {
		char nd[CRM_DATE_LEN];

		if (next_day(p, hi, nd) < 0)
			goto fail;
		crm_buf_adds(p->sql, " AND o.ordered_at < ");
		emit_text(p, nd);
	}
	free(pat);
	return lex(p);
fail:
	free(pat);
	return -1;
}

#define BOUGHT_FROM "SELECT o.customer_id FROM order_items i JOIN orders o " \
	"ON o.id = i.order_id WHERE o.status = 'ok' AND "

static int
parse_bought(struct parser *p, int count)
{
	int64_t a, b;
	enum op op = OP_EQ;
	int rc, between = 0;

	if (lex(p) < 0)
		return -1;
	if (p->t.kind != T_LP)
		return expected(p, "'(' after bought");
	if (lex(p) < 0)
		return -1;
	if (!count) {
		crm_buf_adds(p->sql, "c.id IN (" BOUGHT_FROM);
		if (parse_bought_args(p) < 0)
			return -1;
		crm_buf_addc(p->sql, ')');
		return 0;
	}
	/* Count orders (not items) that contain a matching item.  The
	 * condition on the items goes to a buffer of its own: where zero
	 * orders cannot satisfy the comparison, one grouped pass over the
	 * matching items (as one would write it by hand) beats a count per
	 * customer. */
	{
		struct crm_buf cond, *outer = p->sql;
		char buf[64];
		int64_t lo;
		int grouped;

		crm_buf_init(&cond);
		crm_buf_adds(&cond, "");
		p->sql = &cond;
		rc = parse_bought_args(p);
		p->sql = outer;
		if (rc < 0) {
			crm_buf_release(&cond);
			return -1;
		}
		if (is_kw(p, "between")) {
			op = OP_GE;   /* marks between below */
			rc = lex(p);
			if (rc == 0 && (p->t.kind != T_NUMBER || p->t.isreal))
				rc = expected(p, "a number");
			a = p->t.num;
			if (rc == 0)
				rc = lex(p);
			if (rc == 0 && !is_kw(p, "and"))
				rc = expected(p, "'and' in 'between X and Y'");
			if (rc == 0)
				rc = lex(p);
			if (rc == 0 && (p->t.kind != T_NUMBER || p->t.isreal))
				rc = expected(p, "a number");
			b = p->t.num;
			lo = a;
			between = 1;
		} else {
			if (p->t.kind != T_OP || p->t.op > OP_GE) {
				rc = perr_at(p, p->t.start, "expected a comparison after "
				    "bought_count(...) (=, !=, <, <=, >, >=, between), found %s",
				    tok_desc(p, buf, sizeof buf));
			} else {
				op = p->t.op;
				rc = lex(p);
				if (rc == 0 && (p->t.kind != T_NUMBER || p->t.isreal))
					rc = expected(p, "a number");
			}
			a = b = p->t.num;
			lo = op == OP_GE || op == OP_EQ ? a : op == OP_GT ? a + 1 : 0;
		}
		if (rc < 0) {
			crm_buf_release(&cond);
			return -1;
		}
		grouped = lo >= 1 && (between || op == OP_GE || op == OP_GT || op == OP_EQ);
		if (grouped)
			crm_buf_addf(p->sql, "c.id IN (SELECT o.customer_id FROM order_items i "
			    "JOIN orders o ON o.id = i.order_id WHERE o.status = 'ok' AND %s "
			    "GROUP BY o.customer_id HAVING count(DISTINCT o.id)", cond.s);
		else
			crm_buf_addf(p->sql, "(SELECT count(DISTINCT o.id) FROM order_items i "
			    "JOIN orders o ON o.id = i.order_id WHERE o.customer_id = c.id AND "
			    "o.status = 'ok' AND %s)", cond.s);
		crm_buf_release(&cond);
		if (between) {
			crm_buf_adds(p->sql, " BETWEEN ");
			emit_int(p, a);
			crm_buf_adds(p->sql, " AND ");
			emit_int(p, b);
		} else {
			crm_buf_addf(p->sql, " %s ", op_sql[op]);
			emit_int(p, a);
		}
		if (grouped)
			crm_buf_addc(p->sql, ')');
		return lex(p);
	}
}

static int
parse_keyword(struct parser *p)
{
	char *w = NULL, *f;
	size_t at;

	if (lex(p) < 0)
		return -1;
	if (p->t.kind != T_LP)
		return expected(p, "'(' after keyword");
	if (lex(p) < 0)
		return -1;
	at = p->t.start;
	if (parse_text(p, &w) < 0)
		return -1;
	f = crm_norm_fold(w);
	if (f == NULL || *f == '\0') {
		free(w);
		free(f);
		return perr_at(p, at, "keyword: empty word");
	}
	if (p->t.kind != T_RP) {
		free(w);
		free(f);
		return expected(p, "')'");
	}
	/* The folded text of name, kana, e-mail, phone and address, or an
	 * order number exactly as the shop wrote it. */
	crm_buf_adds(p->sql, "(instr(c.search, ");
	emit_text(p, f);
	crm_buf_adds(p->sql, ") > 0 OR c.id IN (SELECT customer_id FROM orders "
	    "WHERE order_no = ");
	emit_text(p, crm_trim(w));
	crm_buf_adds(p->sql, "))");
	free(w);
	free(f);
	return lex(p);
}

static int compile_into(struct parser *outer, const char *name,
    const char *expr);

static int
parse_in_segment(struct parser *p)
{
	char *name = NULL, *expr = NULL, *args = NULL;
	size_t at;
	int i, rc;

	if (lex(p) < 0)
		return -1;
	if (p->t.kind != T_LP)
		return expected(p, "'(' after in_segment");
	if (lex(p) < 0)
		return -1;
	at = p->t.start;
	if (parse_text(p, &name) < 0)
		return -1;
	if (p->t.kind != T_RP) {
		free(name);
		return expected(p, "')'");
	}
	for (i = 0; i < p->depth; i++) {
		if (strcmp(p->stack[i], name) == 0) {
			struct crm_buf b;
			int j;

			crm_buf_init(&b);
			for (j = i; j < p->depth; j++)
				crm_buf_addf(&b, "%s -> ", p->stack[j]);
			crm_buf_adds(&b, name);
			rc = perr_at(p, at, "in_segment: segment '%s' refers to itself "
			    "(%s)", name, b.s);
			crm_buf_release(&b);
			free(name);
			return rc;
		}
	}
	if (p->depth >= MAX_DEPTH) {
		free(name);
		return perr_at(p, at, "in_segment: segments nested too deeply");
	}
	if (p->self != NULL && strcmp(name, p->self) == 0)
		expr = crm_xstrdup(p->self_expr);
	else if (crm_segment_load(p->db, name, &expr, &args, p->err) < 0) {
		if (p->err->code == EX_DATAERR) {
			rc = perr_at(p, at, "in_segment: no saved segment named '%s' "
			    "(see crm-segment list)", name);
			p->err->code = EX_DATAERR;
			free(name);
			return rc;
		}
		free(name);
		return -1;
	}
	free(args);
	rc = compile_into(p, name, expr);
	free(expr);
	free(name);
	if (rc < 0)
		return -1;
	return lex(p);
}

static int primary(struct parser *p);

/* Depth is bounded so that the SQL stays within what SQLite parses. */
static int
parse_primary(struct parser *p)
{
	int rc;

	if (++p->nest > MAX_NEST)
		return perr_at(p, p->t.start, "expression nested too deeply "
		    "(%d levels of parentheses, not and in_segment at most)", MAX_NEST);
	rc = primary(p);
	p->nest--;
	return rc;
}

static int
primary(struct parser *p)
{
	if (p->t.kind == T_LP) {
		if (lex(p) < 0)
			return -1;
		crm_buf_addc(p->sql, '(');
		if (parse_or(p) < 0)
			return -1;
		if (p->t.kind != T_RP)
			return expected(p, "')' or and/or");
		crm_buf_addc(p->sql, ')');
		return lex(p);
	}
	if (is_kw(p, "not")) {
		if (lex(p) < 0)
			return -1;
		/* Two-valued: not X is every customer X does not select, also
		 * those whose field is empty (X is NULL). */
		crm_buf_addc(p->sql, '(');
		if (parse_primary(p) < 0)
			return -1;
		crm_buf_adds(p->sql, ") IS NOT 1");
		return 0;
	}
	if (p->t.kind != T_IDENT)
		return expected(p, "a field, not or '('");
	if (is_kw(p, "true") || is_kw(p, "false")) {
		crm_buf_adds(p->sql, is_kw(p, "true") ? "1" : "0");
		return lex(p);
	}
	if (is_kw(p, "bought"))
		return parse_bought(p, 0);
	if (is_kw(p, "bought_count"))
		return parse_bought(p, 1);
	if (is_kw(p, "keyword"))
		return parse_keyword(p);
	if (is_kw(p, "in_segment"))
		return parse_in_segment(p);
	if (is_reserved(p->t.text))
		return expected(p, "a field, not or '('");
	return parse_field(p);
}

static int
parse_and(struct parser *p)
{
	if (parse_primary(p) < 0)
		return -1;
	while (is_kw(p, "and")) {
		crm_buf_adds(p->sql, " AND ");
		if (lex(p) < 0 || parse_primary(p) < 0)
			return -1;
	}
	return 0;
}

/* SQL gives AND precedence over OR as the language does, and every
 * factor compiles to a self-contained term, so no parentheses are added:
 * they would count against SQLite's parser stack. */
static int
parse_or(struct parser *p)
{
	if (parse_and(p) < 0)
		return -1;
	while (is_kw(p, "or")) {
		crm_buf_adds(p->sql, " OR ");
		if (lex(p) < 0 || parse_and(p) < 0)
			return -1;
	}
	return 0;
}

static int
is_blank(const char *s)
{
	for (; *s; s++) {
		if (is_fullwidth_space(s))
			s += 2;
		else if (!isspace((unsigned char)*s))
			return 0;
	}
	return 1;
}

/* Parse expr (the whole of it) into outer's SQL and parameters; name is
 * the segment being expanded, or NULL at the top. */
static int
compile_into(struct parser *outer, const char *name, const char *expr)
{
	struct parser p;
	const char *stack[MAX_DEPTH + 1];
	int i, rc;

	memset(&p, 0, sizeof p);
	p.src = expr;
	p.db = outer->db;
	p.today = outer->today;
	p.seg = outer->seg;
	p.sql = outer->sql;
	p.err = outer->err;
	p.self = outer->self;
	p.self_expr = outer->self_expr;
	p.stack = stack;
	for (i = 0; i < outer->depth; i++)
		stack[i] = outer->stack[i];
	p.depth = outer->depth;
	p.nest = outer->nest;
	if (name != NULL)
		stack[p.depth++] = name;
	crm_buf_addc(p.sql, '(');
	if (is_blank(expr))
		crm_buf_addc(p.sql, '1');
	else {
		rc = lex(&p);
		if (rc == 0)
			rc = parse_or(&p);
		if (rc == 0 && p.t.kind != T_EOF)
			rc = expected(&p, "and, or, or the end of the expression");
		free(p.t.text);
		if (rc < 0) {
			if (name != NULL) {
				char msg[sizeof p.err->msg];

				crm_strlcpy(msg, p.err->msg, sizeof msg);
				crm_err_set(p.err, p.err->code ? p.err->code : EX_USAGE,
				    "in saved segment '%s': %s", name, msg);
			}
			return -1;
		}
	}
	crm_buf_addc(p.sql, ')');
	return 0;
}

static int
compile(sqlite3 *db, const char *expr, const char *today, const char *self,
    struct crm_segment **out, struct crm_err *err)
{
	struct crm_segment *seg = crm_xcalloc(1, sizeof *seg);
	struct crm_buf sql;
	struct parser top;
	const char *stack[1];

	*out = NULL;
	crm_buf_init(&sql);
	memset(&top, 0, sizeof top);
	top.db = db;
	top.today = today;
	top.seg = seg;
	top.sql = &sql;
	top.err = err;
	top.stack = stack;
	top.self = self;
	top.self_expr = expr;
	if (self != NULL) {
		stack[0] = self;
		top.depth = 1;
	}
	if (compile_into(&top, NULL, expr ? expr : "") < 0) {
		crm_buf_release(&sql);
		crm_segment_free(seg);
		return -1;
	}
	seg->sql = crm_buf_detach(&sql);
	*out = seg;
	return 0;
}

int
crm_segment_compile(sqlite3 *db, const char *expr, const char *today,
    struct crm_segment **out, struct crm_err *err)
{
	return compile(db, expr, today, NULL, out, err);
}

void
crm_segment_free(struct crm_segment *seg)
{
	size_t i;

	if (seg == NULL)
		return;
	for (i = 0; i < seg->np; i++) {
		free(seg->p[i].s);
		if (seg->shown)
			free(seg->shown[i]);
	}
	free(seg->shown);
	free(seg->p);
	free(seg->sql);
	free(seg);
}

const char *
crm_segment_sql(const struct crm_segment *seg)
{
	return seg->sql;
}

size_t
crm_segment_nparams(const struct crm_segment *seg)
{
	return seg->np;
}

const char *
crm_segment_param_text(const struct crm_segment *seg, size_t i)
{
	struct crm_segment *s = (struct crm_segment *)seg;
	char buf[64];

	if (i >= seg->np)
		return NULL;
	if (s->shown == NULL)
		s->shown = crm_xcalloc(seg->np, sizeof *s->shown);
	if (s->shown[i] == NULL) {
		switch (seg->p[i].type) {
		case P_INT:
			snprintf(buf, sizeof buf, "%lld", (long long)seg->p[i].i);
			s->shown[i] = crm_xstrdup(buf);
			break;
		case P_REAL:
			snprintf(buf, sizeof buf, "%g", seg->p[i].d);
			s->shown[i] = crm_xstrdup(buf);
			break;
		default:
			s->shown[i] = crm_xstrdup(seg->p[i].s);
		}
	}
	return s->shown[i];
}

int
crm_segment_bind(const struct crm_segment *seg, sqlite3_stmt *st, int offset,
    struct crm_err *err)
{
	size_t i;
	int rc;

	for (i = 0; i < seg->np; i++) {
		int n = (int)i + 1 + offset;

		switch (seg->p[i].type) {
		case P_INT:
			rc = sqlite3_bind_int64(st, n, seg->p[i].i);
			break;
		case P_REAL:
			rc = sqlite3_bind_double(st, n, seg->p[i].d);
			break;
		default:
			rc = sqlite3_bind_text(st, n, seg->p[i].s, -1, SQLITE_TRANSIENT);
		}
		if (rc != SQLITE_OK)
			return crm_err_set(err, EX_SOFTWARE, "segment: cannot bind "
			    "parameter %d: %s", n, sqlite3_errstr(rc));
	}
	return 0;
}

/* ---- flags ------------------------------------------------------------ */

static void
add_quoted(struct crm_buf *b, const char *s)
{
	crm_buf_addc(b, '"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			crm_buf_addc(b, '\\');
		crm_buf_addc(b, *s);
	}
	crm_buf_addc(b, '"');
}

void
crm_segment_and(struct crm_buf *expr, const char *more)
{
	if (more == NULL || is_blank(more))
		return;
	if (expr->len)
		crm_buf_adds(expr, " and ");
	crm_buf_addf(expr, "(%s)", more);
}

static void
and_sep(struct crm_buf *expr)
{
	if (expr->len)
		crm_buf_adds(expr, " and ");
}

/* One end of a date range as expression text: 2026-01-31 or 90d. */
static int
range_date(const char *flag, const char *s, struct crm_buf *out,
    struct crm_err *err)
{
	char ts[CRM_TS_LEN];
	const char *q;

	for (q = s; isdigit((unsigned char)*q); q++)
		;
	if (q > s && q - s <= 5 && q[0] == 'd' && q[1] == '\0') {
		crm_buf_adds(out, s);
		return 0;
	}
	if (crm_date_parse(s, ts, err) < 0)
		return crm_err_set(err, EX_USAGE, "--%s: '%s' is not a date "
		    "(2026-01-31) or a number of days (90d)", flag, s);
	crm_buf_add(out, ts, 10);
	return 0;
}

static int
range_num(const char *flag, const char *s, int amount, struct crm_buf *out,
    int64_t *v, struct crm_err *err)
{
	long long n;

	if (amount) {
		if (crm_norm_amount(s, v, err) < 0 || *v < 0)
			return crm_err_set(err, EX_USAGE, "--%s: '%s' is not an amount "
			    "(10000, 10,000 or ¥10,000)", flag, s);
	} else {
		if (crm_strtonum(s, 0, INT64_MAX, &n, NULL, NULL) < 0)
			return crm_err_set(err, EX_USAGE, "--%s: '%s' is not a "
			    "number of orders", flag, s);
		*v = n;
	}
	crm_buf_addf(out, "%lld", (long long)*v);
	return 0;
}

/* MIN..MAX, MIN.., ..MAX or a single value, for field. */
static int
flag_range(struct crm_buf *expr, const char *flag, const char *field,
    const char *arg, int isdate, int amount, struct crm_err *err)
{
	const char *dots = strstr(arg, "..");
	struct crm_buf lo, hi;
	char *l, *h;
	int64_t a = 0, b = 0;
	int rc = -1;

	crm_buf_init(&lo);
	crm_buf_init(&hi);
	if (dots == NULL) {
		l = crm_xstrdup(arg);
		h = NULL;
	} else {
		l = crm_xstrndup(arg, (size_t)(dots - arg));
		h = crm_xstrdup(dots + 2);
	}
	crm_trim(l);
	if (h)
		crm_trim(h);
	if (*l == '\0' && (h == NULL || *h == '\0')) {
		crm_err_set(err, EX_USAGE, "--%s: expected MIN..MAX, MIN.. or ..MAX",
		    flag);
		goto out;
	}
	if (*l && (isdate ? range_date(flag, l, &lo, err)
	    : range_num(flag, l, amount, &lo, &a, err)) < 0)
		goto out;
	if (h && *h && (isdate ? range_date(flag, h, &hi, err)
	    : range_num(flag, h, amount, &hi, &b, err)) < 0)
		goto out;
	if (!isdate && *l && h && *h && a > b) {
		crm_err_set(err, EX_USAGE, "--%s: %s: the lower bound is above the "
		    "upper", flag, arg);
		goto out;
	}
	and_sep(expr);
	if (h == NULL)
		crm_buf_addf(expr, "%s = %s", field, lo.s);
	else if (*l && *h)
		crm_buf_addf(expr, "%s between %s and %s", field, lo.s, hi.s);
	else if (*l)
		crm_buf_addf(expr, "%s >= %s", field, lo.s);
	else
		crm_buf_addf(expr, "%s <= %s", field, hi.s);
	rc = 0;
out:
	free(l);
	free(h);
	crm_buf_release(&lo);
	crm_buf_release(&hi);
	return rc;
}

static int
flag_yesno(struct crm_buf *expr, const char *flag, const char *arg,
    struct crm_err *err)
{
	int v;

	if (arg == NULL || crm_norm_bool(arg, &v, err) < 0)
		return crm_err_set(err, EX_USAGE, "--%s: expected yes or no, "
		    "found '%s'", flag, arg ? arg : "");
	and_sep(expr);
	crm_buf_addf(expr, "%s = %s", flag, v ? "yes" : "no");
	return 0;
}

static int
need_arg(const char *flag, const char *arg, struct crm_err *err)
{
	if (arg == NULL || is_blank(arg))
		return crm_err_set(err, EX_USAGE, "--%s: empty value", flag);
	return 0;
}

int
crm_segment_flag_bought(struct crm_buf *expr, const char *pattern,
    const char *range, struct crm_err *err)
{
	struct crm_buf r;
	int rc;

	if (need_arg("bought", pattern, err) < 0)
		return -1;
	and_sep(expr);
	crm_buf_adds(expr, "bought(");
	add_quoted(expr, pattern);
	if (range != NULL) {
		/* reuse the range syntax check; the text is ours */
		crm_buf_init(&r);
		rc = flag_range(&r, "bought-in", "x", range, 1, 0, err);
		if (rc < 0) {
			crm_buf_release(&r);
			return -1;
		}
		crm_buf_adds(expr, ", ");
		if (strncmp(r.s, "x = ", 4) == 0)
			crm_buf_adds(expr, r.s + 4);
		else if (strncmp(r.s, "x between ", 10) == 0) {
			const char *and = strstr(r.s, " and ");

			crm_buf_add(expr, r.s + 10, (size_t)(and - (r.s + 10)));
			crm_buf_addf(expr, "..%s", and + 5);
		} else if (strncmp(r.s, "x >= ", 5) == 0)
			crm_buf_addf(expr, "%s..", r.s + 5);
		else
			crm_buf_addf(expr, "..%s", r.s + 5);
		crm_buf_release(&r);
	}
	crm_buf_addc(expr, ')');
	return 0;
}

int
crm_segment_flag(struct crm_buf *expr, const char *flag, const char *arg,
    struct crm_err *err)
{
	static const char *const plain[][2] = {
		{ "member", "member" }, { "guest", "guest" },
		{ "exclude-withdrawn", "not withdrawn" }, { "coupon", "coupon" },
		{ "subscription", "subscription" }, { "caution", "caution" },
		{ "undetermined", "undetermined" },
	};
	size_t i;

	for (i = 0; i < sizeof plain / sizeof plain[0]; i++) {
		if (strcmp(flag, plain[i][0]) == 0) {
			and_sep(expr);
			crm_buf_adds(expr, plain[i][1]);
			return 0;
		}
	}
	if (strcmp(flag, "total") == 0 || strcmp(flag, "orders") == 0) {
		if (need_arg(flag, arg, err) < 0)
			return -1;
		return flag_range(expr, flag, flag, arg, 0, flag[0] == 't', err);
	}
	if (strcmp(flag, "last-order") == 0 || strcmp(flag, "first-order") == 0 ||
	    strcmp(flag, "registered") == 0) {
		if (need_arg(flag, arg, err) < 0)
			return -1;
		return flag_range(expr, flag, flag[0] == 'l' ? "last_order" :
		    flag[0] == 'f' ? "first_order" : "registered", arg, 1, 0, err);
	}
	if (strcmp(flag, "newsletter") == 0 || strcmp(flag, "notices") == 0)
		return flag_yesno(expr, flag, arg, err);
	if (strcmp(flag, "pref") == 0) {
		char *list, *s, *e;
		int n = 0;

		if (need_arg(flag, arg, err) < 0)
			return -1;
		list = crm_xstrdup(arg);
		and_sep(expr);
		crm_buf_adds(expr, "pref in (");
		for (s = list; s != NULL; s = e) {
			const char *pref = NULL;
			size_t skip = 1;

			e = strchr(s, ',');
			{
				char *w1 = strstr(s, "、"), *w2 = strstr(s, "，");

				if (w1 && (e == NULL || w1 < e))
					e = w1, skip = 3;
				if (w2 && (e == NULL || w2 < e))
					e = w2, skip = 3;
			}
			if (e != NULL) {
				*e = '\0';
				e += skip;
			}
			crm_trim(s);
			if (*s == '\0')
				continue;
			if (crm_norm_prefecture(s, &pref, err) < 0) {
				crm_err_set(err, EX_USAGE, "--pref: unknown prefecture "
				    "'%s'", s);
				free(list);
				return -1;
			}
			if (pref == NULL)   /* only spaces */
				continue;
			if (n++)
				crm_buf_adds(expr, ", ");
			add_quoted(expr, pref);
		}
		free(list);
		if (n == 0)
			return crm_err_set(err, EX_USAGE, "--pref: empty list");
		crm_buf_addc(expr, ')');
		return 0;
	}
	if (strcmp(flag, "keyword") == 0 || strcmp(flag, "shop") == 0 ||
	    strcmp(flag, "tag") == 0) {
		char *f;

		if (need_arg(flag, arg, err) < 0)
			return -1;
		if (flag[0] == 'k') {
			f = crm_norm_fold(arg);
			if (f == NULL || *f == '\0') {
				free(f);
				return crm_err_set(err, EX_USAGE, "--keyword: empty word");
			}
			free(f);
		}
		and_sep(expr);
		crm_buf_adds(expr, flag[0] == 'k' ? "keyword(" : flag[0] == 's' ?
		    "shop = " : "tag = ");
		add_quoted(expr, arg);
		if (flag[0] == 'k')
			crm_buf_addc(expr, ')');
		return 0;
	}
	if (strcmp(flag, "bought") == 0)
		return crm_segment_flag_bought(expr, arg, NULL, err);
	return crm_err_set(err, EX_SOFTWARE, "segment: no filter --%s", flag);
}

/* ---- running ---------------------------------------------------------- */

int
crm_segment_restrict_load(sqlite3 *db, const struct crm_idlist *ids,
    struct crm_err *err)
{
	sqlite3_stmt *st;
	size_t i;
	int rc;

	if (crm_db_exec(db, "CREATE TEMP TABLE IF NOT EXISTS segment_in"
	    " (id INTEGER PRIMARY KEY); DELETE FROM temp.segment_in", err) < 0)
		return -1;
	if (crm_db_prepare(db, "INSERT OR IGNORE INTO temp.segment_in (id) "
	    "VALUES (?1)", &st, err) < 0)
		return -1;
	for (i = 0; i < ids->n; i++) {
		sqlite3_bind_int64(st, 1, ids->ids[i]);
		rc = sqlite3_step(st);
		sqlite3_reset(st);
		if (rc != SQLITE_DONE) {
			sqlite3_finalize(st);
			return crm_db_err(db, err, "customer list");
		}
	}
	sqlite3_finalize(st);
	return 0;
}

/* SELECT what FROM customers c WHERE (active, the segment, the list) tail */
int
crm_segment_prepare(sqlite3 *db, const struct crm_segment *seg,
    const char *what, const struct crm_idlist *restrict_to, const char *tail,
    sqlite3_stmt **st, struct crm_err *err)
{
	struct crm_buf sql;
	int rc;

	if (restrict_to != NULL && crm_segment_restrict_load(db, restrict_to, err) < 0)
		return -1;
	crm_buf_init(&sql);
	crm_buf_addf(&sql, "SELECT %s FROM customers c WHERE c.merged_into IS NULL"
	    " AND %s%s%s", what, seg->sql, restrict_to != NULL ?
	    " AND c.id IN (SELECT id FROM temp.segment_in)" : "",
	    tail ? tail : "");
	rc = crm_db_prepare(db, sql.s, st, err);
	crm_buf_release(&sql);
	if (rc < 0)
		return -1;
	if (crm_segment_bind(seg, *st, 0, err) < 0) {
		sqlite3_finalize(*st);
		*st = NULL;
		return -1;
	}
	return 0;
}

/* A REGEXP error surfaces when the statement runs: it is the user's. */
static int
step_err(sqlite3 *db, struct crm_err *err)
{
	const char *m = sqlite3_errmsg(db);

	if (strncmp(m, "regular expression", 18) == 0)
		return crm_err_set(err, EX_USAGE, "%s", m);
	return crm_db_err(db, err, "segment");
}

int
crm_segment_ids(sqlite3 *db, const struct crm_segment *seg,
    const struct crm_idlist *restrict_to, struct crm_idlist *out,
    struct crm_err *err)
{
	sqlite3_stmt *st;
	int rc;

	if (crm_segment_prepare(db, seg, "c.id", restrict_to, " ORDER BY c.id",
	    &st, err) < 0)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		crm_idlist_add(out, sqlite3_column_int64(st, 0));
	if (rc != SQLITE_DONE) {
		step_err(db, err);
		sqlite3_finalize(st);
		return -1;
	}
	sqlite3_finalize(st);
	return 0;
}

int
crm_segment_count(sqlite3 *db, const struct crm_segment *seg,
    const struct crm_idlist *restrict_to, int64_t *n, struct crm_err *err)
{
	sqlite3_stmt *st;
	int rc;

	if (crm_segment_prepare(db, seg, "count(*)", restrict_to, NULL, &st, err) < 0)
		return -1;
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		step_err(db, err);
		sqlite3_finalize(st);
		return -1;
	}
	*n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return 0;
}

int
crm_segment_step_err(sqlite3 *db, struct crm_err *err)
{
	return step_err(db, err);
}

int
crm_segment_saved_ids(sqlite3 *db, const char *name, const char *today,
    struct crm_idlist *out, struct crm_err *err)
{
	struct crm_segment *seg;
	struct crm_buf e;
	int rc;

	/* Compile in_segment(NAME) so that the cycle check and the messages
	 * are the same as on the command line. */
	if (crm_segment_load(db, name, NULL, NULL, err) < 0)
		return -1;
	crm_buf_init(&e);
	crm_buf_adds(&e, "in_segment(");
	add_quoted(&e, name);
	crm_buf_addc(&e, ')');
	rc = crm_segment_compile(db, e.s, today, &seg, err);
	crm_buf_release(&e);
	if (rc < 0)
		return -1;
	rc = crm_segment_ids(db, seg, NULL, out, err);
	crm_segment_free(seg);
	return rc;
}

/* ---- saved segments --------------------------------------------------- */

static int
check_name(const char *name, struct crm_err *err)
{
	const unsigned char *s;

	if (crm_empty(name))
		return crm_err_set(err, EX_USAGE, "a segment needs a name");
	if (name[0] == '-')
		return crm_err_set(err, EX_USAGE, "segment name '%s' must not start "
		    "with '-'", name);
	if (strlen(name) > 100)
		return crm_err_set(err, EX_USAGE, "segment name too long (100 bytes at most)");
	for (s = (const unsigned char *)name; *s; s++)
		if (*s < 0x20 || *s == 0x7f || *s == '"' || *s == '\\' || *s == ' ')
			return crm_err_set(err, EX_USAGE, "segment name '%s': no spaces, "
			    "quotes, backslashes or control characters", name);
	return 0;
}

int
crm_segment_load(sqlite3 *db, const char *name, char **expr, char **args,
    struct crm_err *err)
{
	sqlite3_stmt *st;
	int rc;

	if (expr)
		*expr = NULL;
	if (args)
		*args = NULL;
	if (crm_db_prepare(db, "SELECT expr, args FROM segments WHERE name = ?1",
	    &st, err) < 0)
		return -1;
	crm_db_bind_text(st, 1, name);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		if (expr)
			*expr = crm_xstrdup((const char *)sqlite3_column_text(st, 0));
		if (args && sqlite3_column_type(st, 1) != SQLITE_NULL)
			*args = crm_xstrdup((const char *)sqlite3_column_text(st, 1));
		sqlite3_finalize(st);
		return 0;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return crm_db_err(db, err, "segments");
	return crm_err_set(err, EX_DATAERR, "no saved segment named '%s' "
	    "(see crm-segment list)", name);
}

int
crm_segment_save(sqlite3 *db, const char *name, const char *expr,
    const char *args, const char *today, struct crm_err *err)
{
	struct crm_segment *seg;
	sqlite3_stmt *st;
	char now[20];
	int rc;

	if (check_name(name, err) < 0)
		return -1;
	if (is_blank(expr))
		expr = "true";
	if (compile(db, expr, today, name, &seg, err) < 0)
		return -1;
	crm_segment_free(seg);
	crm_db_now(now);
	if (crm_db_prepare(db, "INSERT INTO segments (name, expr, args, created_at,"
	    " updated_at) VALUES (?1, ?2, ?3, ?4, ?4) ON CONFLICT (name) DO UPDATE"
	    " SET expr = excluded.expr, args = excluded.args,"
	    " updated_at = excluded.updated_at", &st, err) < 0)
		return -1;
	crm_db_bind_text(st, 1, name);
	crm_db_bind_text(st, 2, expr);
	crm_db_bind_text_null(st, 3, args);
	crm_db_bind_text(st, 4, now);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return crm_db_err(db, err, "segments");
	return 0;
}

/* Does the saved expression call in_segment(name)?  Lexed, so a string
 * that merely contains the name does not count. */
static int
refers_to(const char *expr, const char *name)
{
	struct parser p;
	struct crm_err e;
	int found = 0, prev_in = 0, lp = 0;

	memset(&p, 0, sizeof p);
	p.src = expr;
	p.err = &e;
	while (lex(&p) == 0 && p.t.kind != T_EOF) {
		if (lp && (p.t.kind == T_STRING || p.t.kind == T_WORD ||
		    p.t.kind == T_IDENT) && strcmp(p.t.text, name) == 0)
			found = 1;
		lp = prev_in && p.t.kind == T_LP;
		prev_in = is_kw(&p, "in_segment");
	}
	free(p.t.text);
	return found;
}

int
crm_segment_remove(sqlite3 *db, const char *name, struct crm_err *err)
{
	sqlite3_stmt *st;
	int rc;

	if (crm_segment_load(db, name, NULL, NULL, err) < 0)
		return -1;
	if (crm_db_prepare(db, "SELECT name FROM scenarios WHERE trigger = 'segment'"
	    " AND trigger_segment = ?1 ORDER BY name LIMIT 1", &st, err) < 0)
		return -1;
	crm_db_bind_text(st, 1, name);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		crm_err_set(err, EX_DATAERR, "segment '%s' is the trigger of scenario "
		    "'%s'; change or remove the scenario first", name,
		    (const char *)sqlite3_column_text(st, 0));
		sqlite3_finalize(st);
		return -1;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return crm_db_err(db, err, "scenarios");
	if (crm_db_prepare(db, "SELECT name, expr FROM segments WHERE name <> ?1 "
	    "ORDER BY name", &st, err) < 0)
		return -1;
	crm_db_bind_text(st, 1, name);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (refers_to((const char *)sqlite3_column_text(st, 1), name)) {
			crm_err_set(err, EX_DATAERR, "segment '%s' is used by segment "
			    "'%s' (in_segment); remove or change that first", name,
			    (const char *)sqlite3_column_text(st, 0));
			sqlite3_finalize(st);
			return -1;
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return crm_db_err(db, err, "segments");
	if (crm_db_prepare(db, "DELETE FROM segments WHERE name = ?1", &st, err) < 0)
		return -1;
	crm_db_bind_text(st, 1, name);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return crm_db_err(db, err, "segments");
	return 0;
}

/* ---- stats ------------------------------------------------------------ */

static int
cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;

	return (x > y) - (x < y);
}

int
crm_segment_stats(sqlite3 *db, const struct crm_segment *seg,
    const struct crm_idlist *restrict_to, struct crm_segment_stats *s,
    struct crm_err *err)
{
	sqlite3_stmt *st;
	long *d = NULL;
	size_t n = 0, cap = 0;
	int rc;

	memset(s, 0, sizeof *s);
	if (crm_segment_prepare(db, seg, "count(*), coalesce(sum(c.orders > 0), 0),"
	    " coalesce(sum(c.orders >= 2), 0), coalesce(sum(c.orders), 0),"
	    " coalesce(sum(c.total), 0)", restrict_to, NULL, &st, err) < 0)
		return -1;
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		step_err(db, err);
		sqlite3_finalize(st);
		return -1;
	}
	s->customers = sqlite3_column_int64(st, 0);
	s->buyers = sqlite3_column_int64(st, 1);
	s->repeaters = sqlite3_column_int64(st, 2);
	s->orders = sqlite3_column_int64(st, 3);
	s->total = sqlite3_column_int64(st, 4);
	sqlite3_finalize(st);
	if (s->buyers > 0) {
		s->repeat_rate = (double)s->repeaters / (double)s->buyers;
		s->ltv = (double)s->total / (double)s->buyers;
		s->avg_orders = (double)s->orders / (double)s->buyers;
	}
	if (s->orders > 0)
		s->aov = (double)s->total / (double)s->orders;

	/* Days from the first to the second ok order, by calendar date
	 * (first_order is the first ok order, kept by the importer). */
	if (crm_segment_prepare(db, seg, "CAST(julianday(substr((SELECT o.ordered_at"
	    " FROM orders o WHERE o.customer_id = c.id AND o.status = 'ok'"
	    " ORDER BY o.ordered_at, o.id LIMIT 1 OFFSET 1), 1, 10))"
	    " - julianday(substr(c.first_order, 1, 10)) AS INTEGER)",
	    restrict_to, " AND c.orders >= 2", &st,
	    err) < 0)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (sqlite3_column_type(st, 0) == SQLITE_NULL)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 256;
			d = crm_xreallocarray(d, cap, sizeof *d);
		}
		d[n++] = (long)sqlite3_column_int64(st, 0);
	}
	if (rc != SQLITE_DONE) {
		step_err(db, err);
		sqlite3_finalize(st);
		free(d);
		return -1;
	}
	sqlite3_finalize(st);
	s->intervals = (int64_t)n;
	s->repurchase_days = -1;
	if (n > 0) {
		qsort(d, n, sizeof *d, cmp_long);
		s->repurchase_days = n % 2 ? (double)d[n / 2]
		    : ((double)d[n / 2 - 1] + (double)d[n / 2]) / 2.0;
	}
	free(d);
	return 0;
}
