/* csv.c: streaming CSV/TSV on libcsv, and an RFC 4180 writer.
 *
 * The input is read in chunks, decoded to UTF-8 (lib/enc.c) and handed
 * to libcsv one physical line at a time (split after every CR and LF), so
 * that the reader always knows which line libcsv is on: a record starts on
 * the line where its first non-blank byte was fed and ends on the line
 * where libcsv called the end-of-record callback.  Records are returned
 * as soon as libcsv completes them; nothing but the current record, one
 * decoded chunk and libcsv's field buffer is held in memory. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* libcsv's header is also called csv.h: <csv.h> is libcsv's, "csv.h" ours
 * (the Makefile adds lib/ with -iquote only). */
#include <csv.h>

#include "csv.h"
#include "enc.h"
#include "util.h"
#include "banned.h"

#define CHUNK        65536
#define FIRSTLINE_MAX (1 << 20)   /* how far to look for a delimiter */
/* libcsv's parser state "inside a field" (libcsv.c, FIELD_BEGUN);
 * struct csv_parser is public, the state numbers are stable since 3.0. */
#define LIBCSV_FIELD_BEGUN 2

struct crm_csv_reader {
	FILE *fp;
	char *name;
	size_t max_field;
	char delim;              /* 0 until guessed */
	const char *enc;         /* canonical; NULL while auto and only ASCII seen */
	struct crm_dec *dec;
	struct csv_parser p;

	char *raw;               /* 2 * CHUNK */
	struct crm_buf dbuf;     /* decoded, fed up to dpos */
	size_t dpos;
	long long bytes;
	int eof_read;            /* the file is at its end */
	int finished;            /* csv_fini has run */
	int started;             /* BOM and delimiter dealt with */

	long line;               /* physical line of the next byte fed */
	int awaiting;            /* between records */
	long field_line;         /* where the current field started */
	int cut_cur;             /* libcsv's buffer for this field was cut */

	/* The record being assembled: fields NUL-separated in fbuf. */
	struct crm_buf fbuf;
	size_t *offs, *flens, nf, capf;
	long rec_line, rec_end, overlong;
	int rec_done, returned;

	struct crm_csv_record rec;
	char **rfields;
	size_t rcap;

	int pend_err;            /* a decoding error waits behind the data */
	struct crm_err perr;
	int failed;              /* sticky: every later call fails the same */
	struct crm_err ferr;
};

static void
on_field(void *data, size_t len, void *arg)
{
	struct crm_csv_reader *r = arg;
	const char *s = data ? data : "";

	if (len > r->max_field || r->cut_cur) {
		size_t cut = len > r->max_field ? r->max_field : len;

		/* Cut at a character boundary so the field stays UTF-8. */
		while (cut > 0 && cut < len && ((unsigned char)s[cut] & 0xC0) == 0x80)
			cut--;
		len = cut;
		if (r->overlong < 0)
			r->overlong = (long)r->nf;
		r->cut_cur = 0;
	}
	if (r->nf == r->capf) {
		r->capf = r->capf ? r->capf * 2 : 16;
		r->offs = crm_xreallocarray(r->offs, r->capf, sizeof *r->offs);
		r->flens = crm_xreallocarray(r->flens, r->capf, sizeof *r->flens);
	}
	r->offs[r->nf] = r->fbuf.len;
	r->flens[r->nf] = len;
	r->nf++;
	crm_buf_add(&r->fbuf, s, len);
	crm_buf_addc(&r->fbuf, '\0');
	r->field_line = r->line;
}

static void
on_record(int c, void *arg)
{
	struct crm_csv_reader *r = arg;

	(void)c;
	r->rec_done = 1;
	r->rec_end = r->line;
	r->awaiting = 1;
}

static int
fail(struct crm_csv_reader *r, struct crm_err *err, int code, const char *fmt,
    const char *a, long line)
{
	/* fmt takes the name, then the line unless line < 0. */
	if (line >= 0)
		crm_err_set(&r->ferr, code, fmt, r->name, line, a);
	else
		crm_err_set(&r->ferr, code, fmt, r->name, a);
	r->failed = 1;
	if (err)
		*err = r->ferr;
	return -1;
}

int
crm_csv_open(struct crm_csv_reader **out, FILE *fp, const char *name,
    const struct crm_csv_opts *opts, struct crm_err *err)
{
	struct crm_csv_reader *r;
	const char *enc = opts && opts->encoding ? opts->encoding : "auto";
	const char *canon = crm_enc_name(enc);
	char delim = opts ? opts->delim : 0;

	*out = NULL;
	if (canon == NULL)
		return crm_err_set(err, EX_USAGE,
		    "unknown encoding '%s' (utf-8, cp932, euc-jp, auto)", enc);
	if (delim == '"' || delim == '\r' || delim == '\n')
		return crm_err_set(err, EX_USAGE, "bad CSV delimiter");
	r = crm_xcalloc(1, sizeof *r);
	r->fp = fp;
	r->name = crm_xstrdup(name ? name : "-");
	r->max_field = opts && opts->max_field ? opts->max_field : 65536;
	r->delim = delim;
	r->raw = crm_xmalloc(2 * CHUNK);
	crm_buf_init(&r->dbuf);
	crm_buf_init(&r->fbuf);
	r->line = 1;
	r->awaiting = 1;
	r->overlong = -1;
	if (csv_init(&r->p, 0) != 0) {
		crm_csv_close(r);
		return crm_err_set(err, EX_SOFTWARE, "csv_init failed");
	}

	if (strcmp(canon, "auto") != 0) {
		r->enc = canon;
		if (crm_dec_open(&r->dec, canon, err) < 0) {
			crm_csv_close(r);
			return -1;
		}
	}
	*out = r;
	return 0;
}

void
crm_csv_close(struct crm_csv_reader *r)
{
	if (r == NULL)
		return;
	csv_free(&r->p);
	crm_dec_close(r->dec);
	free(r->name);
	free(r->raw);
	crm_buf_release(&r->dbuf);
	crm_buf_release(&r->fbuf);
	free(r->offs);
	free(r->flens);
	free(r->rfields);
	free(r);
}

void
crm_csv_no_quotes(struct crm_csv_reader *r)
{
	/* The decoded text never holds NUL (see fill), so a NUL quote
	 * character never matches. */
	csv_set_quote(&r->p, 0);
}

const char *
crm_csv_encoding(const struct crm_csv_reader *r)
{
	return r->enc ? r->enc : "utf-8";
}

char
crm_csv_delim(const struct crm_csv_reader *r)
{
	return r->delim ? r->delim : ',';
}

long long
crm_csv_bytes(const struct crm_csv_reader *r)
{
	return r->bytes;
}

static size_t
read_raw(struct crm_csv_reader *r, char *buf, size_t want, struct crm_err *err)
{
	size_t n = fread(buf, 1, want, r->fp);

	r->bytes += (long long)n;
	if (n < want) {
		if (ferror(r->fp)) {
			fail(r, err, EX_IOERR, "%s: read error: %s", strerror(errno), -1);
			return (size_t)-1;
		}
		r->eof_read = 1;
	}
	return n;
}

/* Read one chunk and append its UTF-8 to dbuf. */
static int
fill(struct crm_csv_reader *r, struct crm_err *err)
{
	size_t n, bad, old = r->dbuf.len;
	const char *nul;

	n = read_raw(r, r->raw, CHUNK, err);
	if (n == (size_t)-1)
		return -1;
	if (r->dec == NULL) {
		size_t i = 0;
		const char *det;

		while (i < n && (unsigned char)r->raw[i] < 0x80)
			i++;
		if (i == n) {
			/* Only ASCII so far: valid in every candidate. */
			crm_buf_add(&r->dbuf, r->raw, n);
			goto check_nul;
		}
		/* Decide on the text from the first non-ASCII byte, with
		 * enough of it to tell the encodings apart. */
		if (!r->eof_read && n - i < 4096) {
			size_t m = read_raw(r, r->raw + n, CHUNK, err);

			if (m == (size_t)-1)
				return -1;
			n += m;
		}
		det = crm_enc_detect(r->raw + i, n - i, r->eof_read);
		/* A UTF-16 byte order mark counts only at the start. */
		if (det && strcmp(det, "utf-16") == 0 &&
		    (i > 0 || r->bytes != (long long)n))
			det = NULL;
		/* Undecidable: read as UTF-8, which reports the first bad
		 * byte with its line. */
		r->enc = det ? det : "utf-8";
		if (crm_dec_open(&r->dec, r->enc, err) < 0) {
			r->failed = 1;
			r->ferr = *err;
			return -1;
		}
	}
	if (crm_dec_feed(r->dec, r->raw, n, r->eof_read, &r->dbuf, &bad,
	    &r->perr) < 0)
		r->pend_err = 1;
check_nul:
	/* No text holds NUL; a file that does is binary or UTF-16 without
	 * its byte order mark.  Stop there rather than cut fields short. */
	if (r->dbuf.len > old &&
	    (nul = memchr(r->dbuf.s + old, '\0', r->dbuf.len - old)) != NULL) {
		r->dbuf.len = (size_t)(nul - r->dbuf.s);
		r->dbuf.s[r->dbuf.len] = '\0';
		crm_err_set(&r->perr, EX_DATAERR,
		    "NUL byte in the text (binary, or UTF-16 without a byte order mark?)");
		r->pend_err = 1;
	}
	return 0;
}

/* Before the first byte is parsed: drop a BOM, guess the delimiter. */
static int
start(struct crm_csv_reader *r, struct crm_err *err)
{
	const char *s, *nl;
	size_t n, commas = 0, tabs = 0;
	int q = 0;

	for (;;) {
		s = r->dbuf.s ? r->dbuf.s : "";
		if (memchr(s, '\n', r->dbuf.len) || r->eof_read || r->pend_err ||
		    r->dbuf.len >= FIRSTLINE_MAX)
			break;
		if (fill(r, err) < 0)
			return -1;
	}
	if (r->dbuf.len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0)
		r->dpos = 3;
	if (r->delim == 0) {
		nl = memchr(s + r->dpos, '\n', r->dbuf.len - r->dpos);
		n = nl ? (size_t)(nl - s) : r->dbuf.len;
		for (size_t i = r->dpos; i < n; i++) {
			if (s[i] == '"')
				q = !q;
			else if (!q && s[i] == ',')
				commas++;
			else if (!q && s[i] == '\t')
				tabs++;
		}
		r->delim = tabs > commas ? '\t' : ',';
	}
	csv_set_delim(&r->p, (unsigned char)r->delim);
	r->started = 1;
	return 0;
}

static void
record_reset(struct crm_csv_reader *r)
{
	crm_buf_reset(&r->fbuf);
	r->nf = 0;
	r->overlong = -1;
	r->rec_done = 0;
}

/* 1 when the finished record carries data (not a line of empty fields). */
static int
record_has_data(const struct crm_csv_reader *r)
{
	for (size_t i = 0; i < r->nf; i++)
		if (r->flens[i] > 0)
			return 1;
	return 0;
}

static void
record_publish(struct crm_csv_reader *r, const struct crm_csv_record **rec)
{
	if (r->rcap < r->nf) {
		r->rcap = r->nf;
		r->rfields = crm_xreallocarray(r->rfields, r->rcap, sizeof *r->rfields);
	}
	for (size_t i = 0; i < r->nf; i++)
		r->rfields[i] = r->fbuf.s + r->offs[i];
	r->rec.nfields = r->nf;
	r->rec.fields = r->rfields;
	r->rec.lens = r->flens;
	r->rec.line = r->rec_line;
	r->rec.line_end = r->rec_end;
	r->rec.overlong = r->overlong;
	r->returned = 1;
	*rec = &r->rec;
}

/* 1 when seg holds a byte that begins a row in libcsv's eyes. */
static int
begins_row(const struct crm_csv_reader *r, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (c == '\r' || c == '\n')
			continue;
		if ((c == ' ' || c == '\t') && c != r->delim)
			continue;
		return 1;
	}
	return 0;
}

/* Feed decoded text up to the next complete record.  1: a record is
 * ready; 0: the buffer is used up. */
static int
feed(struct crm_csv_reader *r, struct crm_err *err)
{
	while (r->dpos < r->dbuf.len) {
		const char *s = r->dbuf.s + r->dpos;
		size_t avail = r->dbuf.len - r->dpos, n = 0;
		size_t blk;

		while (n < avail && n < CHUNK && s[n] != '\n' && s[n] != '\r')
			n++;
		if (n < avail && (s[n] == '\n' || s[n] == '\r'))
			n++;
		if (r->awaiting && begins_row(r, s, n)) {
			r->awaiting = 0;
			r->rec_line = r->field_line = r->line;
		}
		/* libcsv grows its buffer by blk_size: double it instead. */
		blk = csv_get_buffer_size(&r->p);
		csv_set_blk_size(&r->p, blk < 4096 ? 4096 : blk);
		if (csv_parse(&r->p, s, n, on_field, on_record, r) != n)
			return fail(r, err, EX_SOFTWARE, "%s: line %ld: %s",
			    csv_strerror(csv_error(&r->p)), r->line);
		if (s[n - 1] == '\n')
			r->line++;
		r->dpos += n;
		/* Bound memory on a runaway field (a stray quote can make the
		 * rest of the file one field): keep only what will be used. */
		if (r->p.pstate == LIBCSV_FIELD_BEGUN &&
		    r->p.entry_pos > r->max_field + 4) {
			r->p.entry_pos = r->max_field + 4;
			r->p.spaces = 0;
			r->cut_cur = 1;
		}
		if (r->rec_done) {
			if (record_has_data(r))
				return 1;
			record_reset(r);
		}
	}
	return 0;
}

int
crm_csv_next(struct crm_csv_reader *r, const struct crm_csv_record **rec,
    struct crm_err *err)
{
	*rec = NULL;
	if (r->failed) {
		if (err)
			*err = r->ferr;
		return -1;
	}
	if (r->returned) {
		record_reset(r);
		r->returned = 0;
	}
	if (!r->started && start(r, err) < 0)
		return -1;
	for (;;) {
		int rc = feed(r, err);

		if (rc < 0)
			return -1;
		if (rc == 1) {
			record_publish(r, rec);
			return 1;
		}
		crm_buf_reset(&r->dbuf);
		r->dpos = 0;
		if (r->pend_err)
			return fail(r, err, r->perr.code, "%s: line %ld: %s",
			    r->perr.msg, r->line);
		if (r->finished)
			return 0;
		if (r->eof_read) {
			/* Strict only now: mid-file, libcsv's strict mode would
			 * also refuse a lone quote inside an unquoted field. */
			csv_set_opts(&r->p, CSV_STRICT | CSV_STRICT_FINI);
			if (csv_fini(&r->p, on_field, on_record, r) != 0)
				return fail(r, err, EX_DATAERR,
				    "%s: line %ld: %s", "unterminated quoted field",
				    r->field_line);
			r->finished = 1;
			if (r->rec_done && record_has_data(r)) {
				record_publish(r, rec);
				return 1;
			}
			return 0;
		}
		if (fill(r, err) < 0)
			return -1;
	}
}

void
crm_csv_header_init(struct crm_csv_header *h, const struct crm_csv_record *rec)
{
	h->n = rec ? rec->nfields : 0;
	h->names = h->n ? crm_xcalloc(h->n, sizeof *h->names) : NULL;
	for (size_t i = 0; i < h->n; i++) {
		const char *s = rec->fields[i];

		if (strncmp(s, "\xEF\xBB\xBF", 3) == 0)
			s += 3;
		h->names[i] = crm_xstrdup(s);
		crm_trim(h->names[i]);
	}
}

int
crm_csv_header_find(const struct crm_csv_header *h, const char *name)
{
	char *want = crm_xstrdup(name);
	int found = -1;

	crm_trim(want);
	for (size_t i = 0; i < h->n && found < 0; i++)
		if (crm_strcaseeq(h->names[i], want))
			found = (int)i;
	free(want);
	return found;
}

void
crm_csv_header_release(struct crm_csv_header *h)
{
	for (size_t i = 0; i < h->n; i++)
		free(h->names[i]);
	free(h->names);
	h->names = NULL;
	h->n = 0;
}

void
crm_csv_write_field(FILE *fp, const char *s, char delim)
{
	size_t n;
	int quote = 0;

	if (s == NULL || *s == '\0')
		return;
	n = strlen(s);
	if (s[0] == ' ' || s[0] == '\t' || s[n - 1] == ' ' || s[n - 1] == '\t')
		quote = 1;
	for (size_t i = 0; i < n && !quote; i++)
		if (s[i] == delim || s[i] == '"' || s[i] == '\r' || s[i] == '\n')
			quote = 1;
	if (!quote) {
		fwrite(s, 1, n, fp);
		return;
	}
	putc('"', fp);
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '"')
			putc('"', fp);
		putc(s[i], fp);
	}
	putc('"', fp);
}

int
crm_csv_write_row(FILE *fp, const char *const *fields, size_t n, char delim)
{
	/* A lone empty field would be an empty line, which readers skip. */
	if (n == 1 && (fields[0] == NULL || fields[0][0] == '\0'))
		fputs("\"\"", fp);
	else
		for (size_t i = 0; i < n; i++) {
			if (i > 0)
				putc(delim, fp);
			crm_csv_write_field(fp, fields[i], delim);
		}
	putc('\n', fp);
	return ferror(fp) ? -1 : 0;
}
