/* output.c: rows as ids, CSV, TSV, JSON lines or an aligned table.
 *
 * Every format but the table streams; the table must see every row to
 * know its column widths, so it keeps them until crm_out_close. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <utf8proc.h>

#include "csv.h"
#include "output.h"
#include "util.h"
#include "banned.h"

struct crm_out {
	FILE *fp;
	enum crm_out_fmt fmt;
	struct crm_out_col *cols;
	size_t ncols;
	int header_done;
	char **cells;            /* table: rows * ncols, row-major */
	size_t nrows, caprows;
};

int
crm_out_parse(const char *s, enum crm_out_fmt *fmt, struct crm_err *err)
{
	static const struct {
		const char *name;
		enum crm_out_fmt fmt;
	} names[] = {
		{ "ids", CRM_OUT_IDS }, { "csv", CRM_OUT_CSV }, { "tsv", CRM_OUT_TSV },
		{ "json", CRM_OUT_JSON }, { "jsonl", CRM_OUT_JSON },
		{ "table", CRM_OUT_TABLE },
	};

	for (size_t i = 0; s && i < sizeof names / sizeof names[0]; i++)
		if (strcmp(s, names[i].name) == 0) {
			*fmt = names[i].fmt;
			return 0;
		}
	return crm_err_set(err, EX_USAGE,
	    "-o: unknown output format '%s' (ids, csv, tsv, json, table)",
	    s ? s : "");
}

struct crm_out *
crm_out_open(FILE *fp, enum crm_out_fmt fmt, const struct crm_out_col *cols,
    size_t ncols)
{
	struct crm_out *o = crm_xcalloc(1, sizeof *o);

	if (fmt == CRM_OUT_DEFAULT)
		fmt = isatty(fileno(fp)) ? CRM_OUT_TABLE : CRM_OUT_CSV;
	o->fp = fp;
	o->fmt = fmt;
	o->ncols = ncols;
	o->cols = crm_xcalloc(ncols ? ncols : 1, sizeof *o->cols);
	for (size_t i = 0; i < ncols; i++) {
		o->cols[i].name = crm_xstrdup(cols[i].name ? cols[i].name : "");
		o->cols[i].numeric = cols[i].numeric;
	}
	return o;
}

enum crm_out_fmt
crm_out_format(const struct crm_out *o)
{
	return o->fmt;
}

/* Decode one UTF-8 character; invalid bytes come back one at a time
 * as -1 so that width and escaping never skip input. */
static int32_t
next_cp(const char **s)
{
	utf8proc_int32_t cp;
	utf8proc_ssize_t n = utf8proc_iterate((const utf8proc_uint8_t *)*s, -1, &cp);

	if (n <= 0) {
		(*s)++;
		return -1;
	}
	*s += n;
	return cp;
}

size_t
crm_utf8_width(const char *s)
{
	size_t w = 0;

	while (s && *s) {
		int32_t cp = next_cp(&s);
		int cw;

		if (cp < 0) {
			w++;
			continue;
		}
		cw = utf8proc_charwidth(cp);
		if (cw > 0)
			w += (size_t)cw;
	}
	return w;
}

void
crm_json_string(FILE *fp, const char *s)
{
	putc('"', fp);
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;

		switch (c) {
		case '"':  fputs("\\\"", fp); break;
		case '\\': fputs("\\\\", fp); break;
		case '\n': fputs("\\n", fp); break;
		case '\r': fputs("\\r", fp); break;
		case '\t': fputs("\\t", fp); break;
		case '\b': fputs("\\b", fp); break;
		case '\f': fputs("\\f", fp); break;
		default:
			if (c < 0x20 || c == 0x7F)
				fprintf(fp, "\\u%04x", c);
			else
				putc(c, fp);
		}
	}
	putc('"', fp);
}

/* A JSON number as RFC 8259 spells it: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
static int
json_number(const char *s)
{
	if (*s == '-')
		s++;
	if (*s == '0')
		s++;
	else if (*s >= '1' && *s <= '9')
		while (*s >= '0' && *s <= '9')
			s++;
	else
		return 0;
	if (*s == '.') {
		s++;
		if (!(*s >= '0' && *s <= '9'))
			return 0;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	if (*s == 'e' || *s == 'E') {
		s++;
		if (*s == '+' || *s == '-')
			s++;
		if (!(*s >= '0' && *s <= '9'))
			return 0;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	return *s == '\0';
}

/* TSV (and table cells) cannot hold a tab or a line break: escape them
 * the way PostgreSQL's and MySQL's text formats do. */
static void
escape_tsv(struct crm_buf *b, const char *s)
{
	for (; s && *s; s++)
		switch (*s) {
		case '\t': crm_buf_adds(b, "\\t"); break;
		case '\n': crm_buf_adds(b, "\\n"); break;
		case '\r': crm_buf_adds(b, "\\r"); break;
		case '\\': crm_buf_adds(b, "\\\\"); break;
		default: crm_buf_addc(b, *s);
		}
}

static void
write_header(struct crm_out *o)
{
	const char **names;

	o->header_done = 1;
	if (o->fmt != CRM_OUT_CSV && o->fmt != CRM_OUT_TSV)
		return;
	names = crm_xcalloc(o->ncols ? o->ncols : 1, sizeof *names);
	for (size_t i = 0; i < o->ncols; i++)
		names[i] = o->cols[i].name;
	crm_out_row(o, names);
	free(names);
}

int
crm_out_row(struct crm_out *o, const char *const *vals)
{
	struct crm_buf b;

	if (!o->header_done)
		write_header(o);
	switch (o->fmt) {
	case CRM_OUT_IDS:
		if (o->ncols > 0 && vals[0])
			fputs(vals[0], o->fp);
		putc('\n', o->fp);
		break;
	case CRM_OUT_DEFAULT:
	case CRM_OUT_CSV:
		crm_csv_write_row(o->fp, vals, o->ncols, ',');
		break;
	case CRM_OUT_TSV:
		crm_buf_init(&b);
		for (size_t i = 0; i < o->ncols; i++) {
			if (i > 0)
				crm_buf_addc(&b, '\t');
			escape_tsv(&b, vals[i]);
		}
		crm_buf_addc(&b, '\n');
		fwrite(b.s, 1, b.len, o->fp);
		crm_buf_release(&b);
		break;
	case CRM_OUT_JSON:
		putc('{', o->fp);
		for (size_t i = 0; i < o->ncols; i++) {
			if (i > 0)
				putc(',', o->fp);
			crm_json_string(o->fp, o->cols[i].name);
			putc(':', o->fp);
			if (vals[i] == NULL || (o->cols[i].numeric && vals[i][0] == '\0'))
				fputs("null", o->fp);
			else if (o->cols[i].numeric && json_number(vals[i]))
				fputs(vals[i], o->fp);
			else
				crm_json_string(o->fp, vals[i]);
		}
		fputs("}\n", o->fp);
		break;
	case CRM_OUT_TABLE:
		if (o->nrows == o->caprows) {
			o->caprows = o->caprows ? o->caprows * 2 : 64;
			o->cells = crm_xreallocarray(o->cells, o->caprows,
			    (o->ncols ? o->ncols : 1) * sizeof *o->cells);
		}
		for (size_t i = 0; i < o->ncols; i++) {
			crm_buf_init(&b);
			escape_tsv(&b, vals[i]);
			o->cells[o->nrows * o->ncols + i] = crm_buf_detach(&b);
		}
		o->nrows++;
		break;
	}
	return ferror(o->fp) ? -1 : 0;
}

static void
pad(struct crm_buf *b, size_t n)
{
	while (n-- > 0)
		crm_buf_addc(b, ' ');
}

/* One table line: columns two spaces apart, numbers flush right, and no
 * blanks at the end of the line. */
static void
table_line(struct crm_out *o, const size_t *width, const char *const *cells,
    int header)
{
	struct crm_buf b;

	crm_buf_init(&b);
	for (size_t i = 0; i < o->ncols; i++) {
		size_t w = crm_utf8_width(cells[i]);
		int right = o->cols[i].numeric && !header;

		if (i > 0)
			crm_buf_adds(&b, "  ");
		if (right)
			pad(&b, width[i] - w);
		crm_buf_adds(&b, cells[i]);
		if (!right)
			pad(&b, width[i] - w);
	}
	while (b.len > 0 && b.s[b.len - 1] == ' ')
		b.len--;
	crm_buf_addc(&b, '\n');
	fwrite(b.s, 1, b.len, o->fp);
	crm_buf_release(&b);
}

static void
write_table(struct crm_out *o)
{
	size_t *width = crm_xcalloc(o->ncols ? o->ncols : 1, sizeof *width);
	const char **names = crm_xcalloc(o->ncols ? o->ncols : 1, sizeof *names);

	for (size_t i = 0; i < o->ncols; i++) {
		names[i] = o->cols[i].name;
		width[i] = crm_utf8_width(names[i]);
	}
	for (size_t r = 0; r < o->nrows; r++)
		for (size_t i = 0; i < o->ncols; i++) {
			size_t w = crm_utf8_width(o->cells[r * o->ncols + i]);

			if (w > width[i])
				width[i] = w;
		}
	table_line(o, width, names, 1);
	for (size_t r = 0; r < o->nrows; r++)
		table_line(o, width,
		    (const char *const *)(o->cells + r * o->ncols), 0);
	free(width);
	free((void *)names);
}

int
crm_out_close(struct crm_out *o, struct crm_err *err)
{
	int rc = 0;

	if (o == NULL)
		return 0;
	if (!o->header_done)
		write_header(o);
	if (o->fmt == CRM_OUT_TABLE)
		write_table(o);
	errno = 0;
	if (fflush(o->fp) != 0 || ferror(o->fp))
		rc = crm_err_set(err, EX_IOERR, "write error: %s",
		    errno ? strerror(errno) : "output failed");
	for (size_t i = 0; i < o->nrows * o->ncols; i++)
		free(o->cells[i]);
	free(o->cells);
	for (size_t i = 0; i < o->ncols; i++)
		free((char *)o->cols[i].name);
	free(o->cols);
	free(o);
	return rc;
}
