/* template.c: parse crm-template(5) files into node lists, check their
 * field names, and render them.  Parsing happens once per run; rendering
 * per customer walks the nodes without re-scanning the text. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "enc.h"
#include "template.h"
#include "banned.h"

enum node_type { N_TEXT, N_FIELD, N_SECTION, N_INVERTED };

struct node {
	enum node_type type;
	const char *text;     /* N_TEXT: into the template's copy of the file */
	size_t len;
	char *name;           /* fields and sections */
	int line;
	size_t end;           /* sections: index just past the closing tag */
};

struct part {
	struct node *nodes;
	size_t n, cap;
	int present;
	int line;             /* where the part starts */
};

struct crm_template {
	char *path;
	char *src;            /* the file, with CRLF folded to LF */
	char kind[16];
	struct part parts[CRM_TPL_NPARTS];
};

static const char *const part_names[CRM_TPL_NPARTS] = {
	"Subject", "From", "Reply-To", "text", "HTML"
};

static struct node *
add_node(struct part *p, enum node_type type, int line)
{
	struct node *n;

	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 16;
		p->nodes = crm_xreallocarray(p->nodes, p->cap, sizeof *p->nodes);
	}
	n = &p->nodes[p->n++];
	memset(n, 0, sizeof *n);
	n->type = type;
	n->line = line;
	return n;
}

static int
valid_name(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > 64)
		return 0;
	for (i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || c == '_' ||
		    (i > 0 && ((c >= '0' && c <= '9') || c == '.' || c == '-'))))
			return 0;
	}
	return 1;
}

/* 1 when the tag at [tag, tagend) is alone on its line apart from blanks:
 * such a section tag takes its whole line with it, so that templates can
 * put {{#x}} on a line of its own without leaving an empty line behind. */
static int
standalone(const char *start, const char *tag, const char *tagend,
    const char *end, const char **ls, const char **le)
{
	const char *a = tag, *b = tagend;

	while (a > start && (a[-1] == ' ' || a[-1] == '\t'))
		a--;
	if (a > start && a[-1] != '\n')
		return 0;
	while (b < end && (*b == ' ' || *b == '\t'))
		b++;
	if (b < end && *b != '\n')
		return 0;
	if (b < end)
		b++;
	*ls = a;
	*le = b;
	return 1;
}

/* Parse text [s, e) into part p.  line is the line number of s. */
static int
parse_part(struct crm_template *t, struct part *p, const char *s,
    const char *e, int line, struct crm_err *err)
{
	const char *cur = s, *open, *close;
	size_t stack[32];
	int depth = 0;

	p->present = 1;
	p->line = line;
	while (cur < e) {
		const char *ls, *le, *name, *tagend;
		size_t nlen;
		char kind;
		struct node *n;

		open = NULL;
		for (const char *q = cur; q + 1 < e; q++)
			if (q[0] == '{' && q[1] == '{') {
				open = q;
				break;
			}
		if (open == NULL) {
			n = add_node(p, N_TEXT, line);
			n->text = cur;
			n->len = (size_t)(e - cur);
			break;
		}
		close = NULL;
		for (const char *q = open + 2; q + 1 < e && *q != '\n'; q++)
			if (q[0] == '}' && q[1] == '}') {
				close = q;
				break;
			}
		if (close == NULL)
			return crm_err_set(err, EX_DATAERR,
			    "%s:%d: unterminated {{ (a field is {{name}} on one line)",
			    t->path, line);
		tagend = close + 2;
		name = open + 2;
		kind = *name;
		if (kind == '#' || kind == '^' || kind == '/')
			name++;
		else
			kind = 0;
		while (name < close && *name == ' ')
			name++;
		nlen = (size_t)(close - name);
		while (nlen > 0 && name[nlen - 1] == ' ')
			nlen--;
		if (!valid_name(name, nlen))
			return crm_err_set(err, EX_DATAERR,
			    "%s:%d: bad field name '%.*s' (lower-case letters, digits, _)",
			    t->path, line, (int)(close - (open + 2)), open + 2);
		ls = open;
		le = tagend;
		if (kind != 0 && !standalone(s, open, tagend, e, &ls, &le)) {
			ls = open;
			le = tagend;
		}
		if (ls > cur) {
			n = add_node(p, N_TEXT, line);
			n->text = cur;
			n->len = (size_t)(ls - cur);
		}
		for (const char *q = cur; q < open; q++)
			if (*q == '\n')
				line++;
		if (kind == '/') {
			struct node *o;

			if (depth == 0)
				return crm_err_set(err, EX_DATAERR,
				    "%s:%d: {{/%.*s}} closes no section", t->path,
				    line, (int)nlen, name);
			o = &p->nodes[stack[--depth]];
			if (strlen(o->name) != nlen || memcmp(o->name, name, nlen) != 0)
				return crm_err_set(err, EX_DATAERR,
				    "%s:%d: {{/%.*s}} closes {{%c%s}} of line %d",
				    t->path, line, (int)nlen, name,
				    o->type == N_SECTION ? '#' : '^', o->name, o->line);
			o->end = p->n;
		} else {
			n = add_node(p, kind == '#' ? N_SECTION :
			    kind == '^' ? N_INVERTED : N_FIELD, line);
			n->name = crm_xstrndup(name, nlen);
			if (kind != 0) {
				if (depth == (int)(sizeof stack / sizeof stack[0]))
					return crm_err_set(err, EX_DATAERR,
					    "%s:%d: sections nested too deep",
					    t->path, line);
				stack[depth++] = p->n - 1;
			}
		}
		for (const char *q = open; q < le; q++)
			if (*q == '\n')
				line++;
		cur = le;
	}
	if (depth > 0) {
		struct node *o = &p->nodes[stack[depth - 1]];
		return crm_err_set(err, EX_DATAERR,
		    "%s:%d: {{%c%s}} is never closed with {{/%s}}", t->path,
		    o->line, o->type == N_SECTION ? '#' : '^', o->name, o->name);
	}
	return 0;
}

static int
set_header(struct crm_template *t, const char *name, size_t nlen,
    const char *val, size_t vlen, int line, struct crm_err *err)
{
	static const struct { const char *name; enum crm_template_part p; } hs[] = {
		{ "subject", CRM_TPL_SUBJECT },
		{ "from", CRM_TPL_FROM },
		{ "reply-to", CRM_TPL_REPLY_TO },
	};
	char key[32];
	size_t i;

	if (nlen >= sizeof key)
		goto unknown;
	memcpy(key, name, nlen);
	key[nlen] = '\0';
	if (crm_strcaseeq(key, "kind")) {
		if (vlen == 10 && memcmp(val, "newsletter", 10) == 0)
			crm_strlcpy(t->kind, "newsletter", sizeof t->kind);
		else if (vlen == 7 && memcmp(val, "notices", 7) == 0)
			crm_strlcpy(t->kind, "notices", sizeof t->kind);
		else
			return crm_err_set(err, EX_DATAERR,
			    "%s:%d: Kind: '%.*s' is not newsletter or notices",
			    t->path, line, (int)vlen, val);
		return 0;
	}
	for (i = 0; i < sizeof hs / sizeof hs[0]; i++) {
		if (!crm_strcaseeq(key, hs[i].name))
			continue;
		if (t->parts[hs[i].p].present)
			return crm_err_set(err, EX_DATAERR,
			    "%s:%d: %s given twice", t->path, line,
			    part_names[hs[i].p]);
		if (vlen == 0)
			return crm_err_set(err, EX_DATAERR, "%s:%d: empty %s",
			    t->path, line, part_names[hs[i].p]);
		return parse_part(t, &t->parts[hs[i].p], val, val + vlen, line, err);
	}
unknown:
	return crm_err_set(err, EX_DATAERR,
	    "%s:%d: unknown header '%.*s' (Subject, From, Reply-To, Kind)",
	    t->path, line, (int)nlen, name);
}

int
crm_template_parse(const char *name, const char *src, size_t len,
    struct crm_template **out, struct crm_err *err)
{
	struct crm_template *t;
	const char *p, *e, *nl, *html;
	char *w;
	size_t i;
	int line = 1, bodyline;

	*out = NULL;
	if (!crm_utf8_valid(src, len))
		return crm_err_set(err, EX_DATAERR, "%s: not valid UTF-8", name);
	if (memchr(src, '\0', len) != NULL)
		return crm_err_set(err, EX_DATAERR, "%s: contains a NUL byte", name);
	t = crm_xcalloc(1, sizeof *t);
	t->path = crm_xstrdup(name);
	crm_strlcpy(t->kind, "newsletter", sizeof t->kind);
	t->src = crm_xmalloc(len + 2);
	if (len >= 3 && memcmp(src, "\xef\xbb\xbf", 3) == 0) {
		src += 3;
		len -= 3;
	}
	/* Fold CRLF so that a template written on Windows reads the same. */
	for (i = 0, w = t->src; i < len; i++) {
		if (src[i] == '\r' && i + 1 < len && src[i + 1] == '\n')
			continue;
		*w++ = src[i];
	}
	if (w == t->src || w[-1] != '\n')
		*w++ = '\n';
	*w = '\0';
	p = t->src;
	e = w;

	/* Headers up to the first empty line. */
	for (;;) {
		const char *colon, *v, *ve;

		if (p >= e)
			goto fail_nobody;
		nl = memchr(p, '\n', (size_t)(e - p));
		if (nl == p) {
			p++;
			line++;
			break;
		}
		if (*p == ' ' || *p == '\t') {
			crm_err_set(err, EX_DATAERR, "%s:%d: continuation lines "
			    "are not allowed in template headers", t->path, line);
			goto fail;
		}
		colon = memchr(p, ':', (size_t)(nl - p));
		if (colon == NULL || colon == p) {
			crm_err_set(err, EX_DATAERR, "%s:%d: expected a header "
			    "'Name: value' or an empty line before the body",
			    t->path, line);
			goto fail;
		}
		v = colon + 1;
		while (v < nl && (*v == ' ' || *v == '\t'))
			v++;
		ve = nl;
		while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
			ve--;
		if (set_header(t, p, (size_t)(colon - p), v, (size_t)(ve - v),
		    line, err) < 0)
			goto fail;
		p = nl + 1;
		line++;
	}
	if (!t->parts[CRM_TPL_SUBJECT].present) {
		crm_err_set(err, EX_DATAERR, "%s:1: no Subject header", t->path);
		goto fail;
	}
	bodyline = line;

	/* The HTML delimiter: a line that is exactly the marker. */
	html = NULL;
	for (const char *q = p; q < e; ) {
		size_t ml = strlen(CRM_TEMPLATE_HTML_LINE);
		nl = memchr(q, '\n', (size_t)(e - q));
		if ((size_t)(nl - q) == ml && memcmp(q, CRM_TEMPLATE_HTML_LINE, ml) == 0) {
			html = q;
			break;
		}
		line++;
		q = nl + 1;
	}
	if (html == NULL) {
		if (parse_part(t, &t->parts[CRM_TPL_TEXT], p, e, bodyline, err) < 0)
			goto fail;
	} else {
		const char *hs = html + strlen(CRM_TEMPLATE_HTML_LINE) + 1;

		if (parse_part(t, &t->parts[CRM_TPL_TEXT], p, html, bodyline, err) < 0)
			goto fail;
		if (hs >= e) {
			crm_err_set(err, EX_DATAERR, "%s:%d: empty HTML part after "
			    "'%s'", t->path, line, CRM_TEMPLATE_HTML_LINE);
			goto fail;
		}
		if (parse_part(t, &t->parts[CRM_TPL_HTML], hs, e, line + 1, err) < 0)
			goto fail;
	}
	*out = t;
	return 0;
fail_nobody:
	crm_err_set(err, EX_DATAERR, "%s:%d: no empty line between the headers "
	    "and the body", t->path, line);
fail:
	crm_template_free(t);
	return -1;
}

int
crm_template_load(const char *path, struct crm_template **t, struct crm_err *err)
{
	FILE *fp;
	struct crm_buf b;
	char chunk[8192];
	size_t n;
	int rc;

	*t = NULL;
	if ((fp = fopen(path, "rb")) == NULL)
		return crm_err_set(err, EX_NOINPUT, "%s: %s", path, strerror(errno));
	crm_buf_init(&b);
	while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0) {
		crm_buf_add(&b, chunk, n);
		if (b.len > 1024 * 1024) {
			fclose(fp);
			crm_buf_release(&b);
			return crm_err_set(err, EX_DATAERR,
			    "%s: a template over 1 MiB is not a template", path);
		}
	}
	if (ferror(fp)) {
		crm_err_set(err, EX_IOERR, "%s: %s", path, strerror(errno));
		fclose(fp);
		crm_buf_release(&b);
		return -1;
	}
	fclose(fp);
	rc = crm_template_parse(path, b.s ? b.s : "", b.len, t, err);
	crm_buf_release(&b);
	return rc;
}

void
crm_template_free(struct crm_template *t)
{
	size_t i, j;

	if (t == NULL)
		return;
	for (i = 0; i < CRM_TPL_NPARTS; i++) {
		for (j = 0; j < t->parts[i].n; j++)
			free(t->parts[i].nodes[j].name);
		free(t->parts[i].nodes);
	}
	free(t->src);
	free(t->path);
	free(t);
}

const char *
crm_template_kind(const struct crm_template *t)
{
	return t->kind;
}

const char *
crm_template_path(const struct crm_template *t)
{
	return t->path;
}

int
crm_template_has(const struct crm_template *t, enum crm_template_part p)
{
	return t->parts[p].present;
}

int
crm_template_check(const struct crm_template *t, crm_template_lookup get,
    void *arg, struct crm_err *err)
{
	size_t i, j;

	for (i = 0; i < CRM_TPL_NPARTS; i++) {
		const struct part *p = &t->parts[i];

		for (j = 0; j < p->n; j++) {
			int known = 1;

			if (p->nodes[j].type == N_TEXT)
				continue;
			(void)get(arg, p->nodes[j].name, &known);
			if (!known)
				return crm_err_set(err, EX_DATAERR,
				    "%s:%d: unknown field {{%s}} in the %s",
				    t->path, p->nodes[j].line, p->nodes[j].name,
				    part_names[i]);
		}
	}
	return 0;
}

static int
truthy(const char *v)
{
	return v != NULL && *v != '\0' && strcmp(v, "0") != 0;
}

static void
add_html(struct crm_buf *out, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': crm_buf_adds(out, "&amp;"); break;
		case '<': crm_buf_adds(out, "&lt;"); break;
		case '>': crm_buf_adds(out, "&gt;"); break;
		case '"': crm_buf_adds(out, "&quot;"); break;
		case '\'': crm_buf_adds(out, "&#39;"); break;
		default: crm_buf_addc(out, *s);
		}
	}
}

/* Render nodes [from, to).  guard lists the names of the sections we are
 * inside, so that {{coupon}} inside {{#coupon}} is known to have a value. */
static int
render(const struct crm_template *t, const struct part *p, size_t from,
    size_t to, int html, crm_template_lookup get, void *arg, int strict,
    const char **guard, int nguard, struct crm_buf *out, struct crm_err *err)
{
	size_t i = from;

	while (i < to) {
		const struct node *n = &p->nodes[i];
		const char *v;
		int known = 1, g;

		switch (n->type) {
		case N_TEXT:
			crm_buf_add(out, n->text, n->len);
			i++;
			break;
		case N_FIELD:
			v = get(arg, n->name, &known);
			if (!known)
				return crm_err_set(err, EX_DATAERR,
				    "%s:%d: unknown field {{%s}}", t->path,
				    n->line, n->name);
			if (v == NULL) {
				for (g = 0; g < nguard; g++)
					if (strcmp(guard[g], n->name) == 0)
						break;
				if (strict && g == nguard)
					return crm_err_set(err, EX_DATAERR,
					    "%s:%d: {{%s}} has no value (give it "
					    "with --var %s=VALUE or in crm.conf, or "
					    "put it inside {{#%s}}...{{/%s}})",
					    t->path, n->line, n->name, n->name,
					    n->name, n->name);
				v = "";
			}
			if (html)
				add_html(out, v);
			else
				crm_buf_adds(out, v);
			i++;
			break;
		case N_SECTION:
		case N_INVERTED:
			v = get(arg, n->name, &known);
			if (!known)
				return crm_err_set(err, EX_DATAERR,
				    "%s:%d: unknown field {{%s}}", t->path,
				    n->line, n->name);
			if (truthy(v) == (n->type == N_SECTION)) {
				if (nguard < 32)
					guard[nguard] = n->name;
				if (render(t, p, i + 1, n->end, html, get, arg,
				    strict, guard, nguard < 32 ? nguard + 1 : nguard,
				    out, err) < 0)
					return -1;
			}
			i = n->end;
			break;
		}
	}
	return 0;
}

int
crm_template_render(const struct crm_template *t, enum crm_template_part part,
    crm_template_lookup get, void *arg, int strict, struct crm_buf *out,
    struct crm_err *err)
{
	const struct part *p = &t->parts[part];
	const char *guard[33];

	if (!p->present)
		return 0;
	return render(t, p, 0, p->n, part == CRM_TPL_HTML, get, arg, strict,
	    guard, 0, out, err);
}
