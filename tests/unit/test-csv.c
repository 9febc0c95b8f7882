/* Unit tests of lib/csv.c: the streaming reader (records, line numbers,
 * encodings, errors, chunk boundaries, memory) and the RFC 4180 writer.
 *
 * Each reader case renders what the reader yields as text,
 *     LINE-LINE_END:[field][field]... ov=N
 * one line per record, then "EOF" or "ERR code message", and compares it
 * with the expected text written by hand from the input. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "csv.h"
#include "util.h"
#include "tap.h"

static FILE *
file_of(const char *bytes, size_t n)
{
	FILE *fp = tmpfile();

	if (fp == NULL) {
		perror("tmpfile");
		exit(1);
	}
	if (n && fwrite(bytes, 1, n, fp) != n) {
		perror("fwrite");
		exit(1);
	}
	rewind(fp);
	return fp;
}

/* Read everything; returns the rendering (malloc'd).  enc_out and
 * delim_out (may be NULL) receive what the reader settled on. */
static char *
render_q(const char *bytes, size_t n, char delim, const char *enc,
    size_t max_field, int no_quotes, const char **enc_out, char *delim_out)
{
	struct crm_csv_opts o = { delim, enc, max_field };
	struct crm_csv_reader *r;
	const struct crm_csv_record *rec;
	struct crm_err err;
	struct crm_buf b;
	FILE *fp = file_of(bytes, n);
	int rc;

	crm_buf_init(&b);
	if (crm_csv_open(&r, fp, "t.csv", &o, &err) < 0) {
		crm_buf_addf(&b, "OPEN %d %s", err.code, err.msg);
		fclose(fp);
		return crm_buf_detach(&b);
	}
	if (no_quotes)
		crm_csv_no_quotes(r);
	while ((rc = crm_csv_next(r, &rec, &err)) == 1) {
		crm_buf_addf(&b, "%ld-%ld:", rec->line, rec->line_end);
		for (size_t i = 0; i < rec->nfields; i++) {
			crm_buf_addc(&b, '[');
			crm_buf_add(&b, rec->fields[i], rec->lens[i]);
			crm_buf_addc(&b, ']');
		}
		if (rec->overlong >= 0)
			crm_buf_addf(&b, " ov=%ld", rec->overlong);
		crm_buf_addc(&b, '\n');
	}
	if (rc == 0)
		crm_buf_adds(&b, "EOF");
	else
		crm_buf_addf(&b, "ERR %d %s", err.code, err.msg);
	/* An error is sticky: asking again gives the same answer. */
	if (rc < 0 && crm_csv_next(r, &rec, &err) != -1)
		crm_buf_adds(&b, " (not sticky)");
	if (enc_out)
		*enc_out = crm_csv_encoding(r);
	if (delim_out)
		*delim_out = crm_csv_delim(r);
	crm_csv_close(r);
	fclose(fp);
	return crm_buf_detach(&b);
}

static char *
render(const char *bytes, size_t n, char delim, const char *enc,
    size_t max_field, const char **enc_out, char *delim_out)
{
	return render_q(bytes, n, delim, enc, max_field, 0, enc_out, delim_out);
}

struct rcase {
	const char *name;
	const char *in;
	size_t len;              /* 0: strlen(in) */
	char delim;
	const char *enc;
	size_t max_field;
	const char *want;
	const char *want_enc;    /* NULL: do not check */
	int no_quotes;
};

#define S(x) x, sizeof(x) - 1

static const struct rcase cases[] = {
	{ "LF lines", S("a,b\n1,2\n"), 0, NULL, 0,
	  "1-1:[a][b]\n2-2:[1][2]\nEOF", "utf-8", 0 },
	{ "CRLF lines", S("a,b\r\n1,2\r\n"), 0, NULL, 0,
	  "1-1:[a][b]\n2-2:[1][2]\nEOF", NULL, 0 },
	{ "UTF-8 BOM is dropped", S("\xEF\xBB\xBFid,name\n1,x\n"), 0, NULL, 0,
	  "1-1:[id][name]\n2-2:[1][x]\nEOF", "utf-8", 0 },
	{ "no newline after the last line", S("a,b\n1,2"), 0, NULL, 0,
	  "1-1:[a][b]\n2-2:[1][2]\nEOF", NULL, 0 },
	{ "no newline, CRLF file", S("a\r\nb"), 0, NULL, 0,
	  "1-1:[a]\n2-2:[b]\nEOF", NULL, 0 },
	{ "empty fields", S("a,,c\n,b,\n"), 0, NULL, 0,
	  "1-1:[a][][c]\n2-2:[][b][]\nEOF", NULL, 0 },
	{ "ragged rows", S("a,b,c\n1\n1,2,3,4\n"), 0, NULL, 0,
	  "1-1:[a][b][c]\n2-2:[1]\n3-3:[1][2][3][4]\nEOF", NULL, 0 },
	{ "quoted newline spans lines", S("id,note\n1,\"line one\nline two\"\n2,x\n"),
	  0, NULL, 0,
	  "1-1:[id][note]\n2-3:[1][line one\nline two]\n4-4:[2][x]\nEOF", NULL, 0 },
	{ "two quoted newlines in the first field",
	  S("\"a\n\nb\",c\nd\n"), 0, NULL, 0,
	  "1-3:[a\n\nb][c]\n4-4:[d]\nEOF", NULL, 0 },
	{ "quoted CRLF kept inside the field", S("a\r\n\"x\r\ny\",z\r\n"), 0, NULL, 0,
	  "1-1:[a]\n2-3:[x\r\ny][z]\nEOF", NULL, 0 },
	{ "doubled quotes and quoted comma", S("\"say \"\"hi\"\"\",\"a,b\"\n"),
	  0, NULL, 0, "1-1:[say \"hi\"][a,b]\nEOF", NULL, 0 },
	{ "empty lines are skipped, numbering kept", S("\n\na\n\n\nb\n\n"),
	  0, NULL, 0, "3-3:[a]\n6-6:[b]\nEOF", NULL, 0 },
	{ "a line of empty fields is skipped", S("a,b\n,\n1,2\n"), 0, NULL, 0,
	  "1-1:[a][b]\n3-3:[1][2]\nEOF", NULL, 0 },
	{ "blank-only line is skipped", S("a\n   \nb\n"), 0, NULL, 0,
	  "1-1:[a]\n3-3:[b]\nEOF", NULL, 0 },
	{ "spaces around unquoted fields trimmed, quoted kept",
	  S(" a , b ,\" c \"\n"), 0, NULL, 0, "1-1:[a][b][ c ]\nEOF", NULL, 0 },
	{ "quote inside an unquoted field is literal", S("17\" monitor,x\n"),
	  0, NULL, 0, "1-1:[17\" monitor][x]\nEOF", NULL, 0 },
	{ "empty input", "", 0, 0, NULL, 0, "EOF", "utf-8", 0 },
	{ "only a BOM", S("\xEF\xBB\xBF"), 0, NULL, 0, "EOF", NULL, 0 },
	{ "unterminated quote: line where the field started",
	  S("a,b\n1,\"abc\n2,3\n"), 0, NULL, 0,
	  "1-1:[a][b]\nERR 65 t.csv: line 2: unterminated quoted field", NULL, 0 },
	{ "unterminated quote in the second field of a multi-line record",
	  S("a,b\n\"x\ny\",\"open\nmore\n"), 0, NULL, 0,
	  "1-1:[a][b]\nERR 65 t.csv: line 3: unterminated quoted field", NULL, 0 },
	{ "TSV guessed from the first line", S("a\tb\n1\t2\n"), 0, NULL, 0,
	  "1-1:[a][b]\n2-2:[1][2]\nEOF", NULL, 0 },
	{ "TSV with a comma in a field", S("name\tnote\nx\ta,b\n"), 0, NULL, 0,
	  "1-1:[name][note]\n2-2:[x][a,b]\nEOF", NULL, 0 },
	{ "TSV empty fields", S("a\t\tc\n\tb\t\n"), '\t', NULL, 0,
	  "1-1:[a][][c]\n2-2:[][b][]\nEOF", NULL, 0 },
	{ "comma given: a tab is data", S("a\tb,c\n"), ',', NULL, 0,
	  "1-1:[a\tb][c]\nEOF", NULL, 0 },
	{ "overlong field cut and flagged", S("id,x\n1,abcdefgh\n"), 0, NULL, 4,
	  "1-1:[id][x]\n2-2:[1][abcd] ov=1\nEOF", NULL, 0 },
	{ "overlong cut at a character boundary", S("あいう,x\n"), 0, NULL, 4,
	  "1-1:[あ][x] ov=0\nEOF", NULL, 0 },
	{ "first overlong field is the one flagged", S("abcdef,ghijkl\n"), 0, NULL, 5,
	  "1-1:[abcde][ghijk] ov=0\nEOF", NULL, 0 },
	{ "invalid UTF-8 reported with its line", S("a\nb\n\xff\n"), 0, "utf-8", 0,
	  "1-1:[a]\n2-2:[b]\nERR 65 t.csv: line 3: invalid UTF-8 byte sequence", NULL, 0 },
	{ "overlong UTF-8 form refused", S("a\n\xc0\xaf\n"), 0, "utf-8", 0,
	  "1-1:[a]\nERR 65 t.csv: line 2: invalid UTF-8 byte sequence", NULL, 0 },
	{ "invalid byte inside a quoted multi-line field",
	  S("a\n\"x\ny\xff\"\n"), 0, "utf-8", 0,
	  "1-1:[a]\nERR 65 t.csv: line 3: invalid UTF-8 byte sequence", NULL, 0 },
	/* 顧客,東京都 in CP932: 8C DA 8B 71 2C 93 8C 8B 9E 93 73 */
	{ "CP932 given", S("\x8c\xda\x8b\x71,\x93\x8c\x8b\x9e\x93\x73\n"), 0, "cp932", 0,
	  "1-1:[顧客][東京都]\nEOF", "cp932", 0 },
	{ "CP932 detected", S("\x8c\xda\x8b\x71,\x93\x8c\x8b\x9e\x93\x73\n"), 0, NULL, 0,
	  "1-1:[顧客][東京都]\nEOF", "cp932", 0 },
	{ "CP932 spelled Shift_JIS", S("\x8c\xda\n"), 0, "Shift_JIS", 0,
	  "1-1:[顧]\nEOF", "cp932", 0 },
	{ "CP932 0x5C is a backslash in a trail byte context (表)",
	  S("\x95\x5c,x\n"), 0, "cp932", 0, "1-1:[表][x]\nEOF", NULL, 0 },
	{ "CP932 half-width katakana", S("\xb1\xb2\xb3\n"), 0, NULL, 0,
	  "1-1:[ｱｲｳ]\nEOF", "cp932", 0 },
	{ "CP932 NEC special (①) and IBM kanji (髙)", S("\x87\x40,\xfb\xfc\n"), 0, "cp932", 0,
	  "1-1:[①][髙]\nEOF", NULL, 0 },
	{ "CP932 invalid sequence on line 2", S("\x8c\xda\n\x81\x20\n"), 0, "cp932", 0,
	  "1-1:[顧]\nERR 65 t.csv: line 2: invalid CP932 byte sequence", NULL, 0 },
	{ "CP932 file cut inside a character", S("a\n\x8c"), 0, "cp932", 0,
	  "1-1:[a]\nERR 65 t.csv: line 2: invalid CP932 byte sequence", NULL, 0 },
	{ "CP932 with ASCII first lines, detected late",
	  S("id,name\n1,a\n2,\x8c\xda\x8b\x71\n"), 0, NULL, 0,
	  "1-1:[id][name]\n2-2:[1][a]\n3-3:[2][顧客]\nEOF", "cp932", 0 },
	/* 顧客,東京都 in EUC-JP: B8 DC B5 D2 2C C5 EC B5 FE C5 D4 */
	{ "EUC-JP given", S("\xb8\xdc\xb5\xd2,\xc5\xec\xb5\xfe\xc5\xd4\n"), 0, "euc-jp", 0,
	  "1-1:[顧客][東京都]\nEOF", "euc-jp", 0 },
	{ "EUC-JP detected", S("\xb8\xdc\xb5\xd2,\xc5\xec\xb5\xfe\xc5\xd4\n"), 0, "auto", 0,
	  "1-1:[顧客][東京都]\nEOF", "euc-jp", 0 },
	/* id,名前 CRLF 1,山田 CRLF as Excel's "Unicode text" writes it:
	 * UTF-16LE after FF FE.  名 U+540D, 前 U+524D, 山 U+5C71, 田 U+7530. */
	{ "UTF-16LE with a BOM detected",
	  S("\xff\xfei\0d\0,\0\x0d\x54\x4d\x52\r\0\n\0" "1\0,\0\x71\x5c\x30\x75\r\0\n\0"),
	  0, NULL, 0, "1-1:[id][名前]\n2-2:[1][山田]\nEOF", "utf-16", 0 },
	{ "UTF-16 without a BOM: NUL bytes refused", S("i\0d\0\n\0"), 0, NULL, 0,
	  "ERR 65 t.csv: line 1: NUL byte in the text (binary, or UTF-16 without a byte order mark?)",
	  NULL, 0 },
	{ "NUL byte on line 2 after a good record", S("a,b\nc,\0\n"), 0, NULL, 0,
	  "1-1:[a][b]\nERR 65 t.csv: line 2: NUL byte in the text (binary, or UTF-16 without a byte order mark?)",
	  NULL, 0 },
	{ "undecidable bytes read as UTF-8 and reported", S("a\n\xff\xfe\n"), 0, NULL, 0,
	  "1-1:[a]\nERR 65 t.csv: line 2: invalid UTF-8 byte sequence", NULL, 0 },
	{ "no_quotes: a leading quote is data, not a quoted field",
	  S("name\tsku\n\"Special\" edition\tA1\nnext\tB2\n"), 0, NULL, 0,
	  "1-1:[name][sku]\n2-2:[\"Special\" edition][A1]\n3-3:[next][B2]\nEOF", NULL, 1 },
	{ "without no_quotes the same bytes are an unterminated quote",
	  S("name\tsku\n\"Special\" edition\tA1\nnext\tB2\n"), 0, NULL, 0,
	  "1-1:[name][sku]\nERR 65 t.csv: line 2: unterminated quoted field", NULL, 0 },
	{ "unknown encoding refused", S("a\n"), 0, "latin9", 0,
	  "OPEN 64 unknown encoding 'latin9' (utf-8, cp932, euc-jp, auto)", NULL, 0 },
};

static void
test_cases(struct tap *t)
{
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct rcase *c = &cases[i];
		const char *enc = NULL;
		char *got = render_q(c->in, c->len, c->delim, c->enc, c->max_field,
		    c->no_quotes, &enc, NULL);

		tap_is_str(t, got, c->want, c->name);
		if (c->want_enc)
			tap_is_str(t, enc, c->want_enc, "... encoding");
		free(got);
	}
}

static void
test_delims(struct tap *t)
{
	char d = 0;
	char *got;

	got = render(S("a\tb\tc,d\n"), 0, NULL, 0, NULL, &d);
	tap_is_int(t, d, '\t', "more tabs than commas: TSV");
	free(got);
	got = render(S("\"a\tb\",c\n"), 0, NULL, 0, NULL, &d);
	tap_is_int(t, d, ',', "a tab inside quotes does not count");
	free(got);
	got = render(S("single\n"), 0, NULL, 0, NULL, &d);
	tap_is_int(t, d, ',', "one column: comma");
	free(got);
	got = render(S("\xEF\xBB\xBF" "a\tb\n"), 0, NULL, 0, NULL, &d);
	tap_is_int(t, d, '\t', "guess looks past the BOM");
	free(got);
}

/* n copies of "a,b\n" followed by tail. */
static char *
lines_then(size_t n, const char *tail, size_t tlen, size_t *len)
{
	char *s = crm_xmalloc(4 * n + tlen);

	for (size_t i = 0; i < n; i++)
		memcpy(s + 4 * i, "a,b\n", 4);
	memcpy(s + 4 * n, tail, tlen);
	*len = 4 * n + tlen;
	return s;
}

/* The reader reads 64 KiB at a time; put a character across that edge. */
static void
test_chunk_edges(struct tap *t)
{
	struct crm_csv_opts o = { 0, NULL, 0 };
	const char *encs[] = { "cp932", "auto" };
	size_t len;
	char *in, *want;
	struct crm_buf w;

	/* 16383 lines of 4 bytes end at 65532; "xyz" takes 65532..65534 and
	 * 顧 (8C DA) sits at 65535..65536. */
	in = lines_then(16383, S("xyz\x8c\xda,end\n"), &len);
	crm_buf_init(&w);
	for (int i = 0; i < 16383; i++)
		crm_buf_addf(&w, "%d-%d:[a][b]\n", i + 1, i + 1);
	crm_buf_adds(&w, "16384-16384:[xyz顧][end]\nEOF");
	want = crm_buf_detach(&w);
	for (size_t e = 0; e < 2; e++) {
		char *got = render(in, len, 0, encs[e], 0, NULL, NULL);
		char name[80];

		snprintf(name, sizeof name, "CP932 character across the 64 KiB edge (%s)", encs[e]);
		tap_is_str(t, got, want, name);
		free(got);
	}
	free(in);
	free(want);

	/* UTF-8 顧 (E9 A1 A7) at 65534..65536. */
	in = lines_then(16383, S("xy\xe9\xa1\xa7,end\n"), &len);
	{
		FILE *fp = file_of(in, len);
		struct crm_csv_reader *r;
		const struct crm_csv_record *rec, *last = NULL;
		struct crm_err err;
		long n = 0;
		int rc;

		crm_csv_open(&r, fp, "t.csv", &o, &err);
		while ((rc = crm_csv_next(r, &rec, &err)) == 1) {
			n++;
			last = rec;
			if (n == 16384)
				break;
		}
		tap_is_int(t, n, 16384, "UTF-8 across the edge: every record");
		tap_is_str(t, last ? last->fields[0] : NULL, "xy顧", "... the character intact");
		tap_is_int(t, last ? last->line : 0, 16384, "... on its line");
		tap_is_int(t, crm_csv_next(r, &rec, &err), 0, "... then end of input");
		crm_csv_close(r);
		fclose(fp);
	}
	free(in);

	/* An invalid byte in the second chunk is reported on its line, after
	 * every good record before it. */
	in = lines_then(20000, S("x,\xff\n"), &len);
	{
		FILE *fp = file_of(in, len);
		struct crm_csv_opts u = { 0, "utf-8", 0 };
		struct crm_csv_reader *r;
		const struct crm_csv_record *rec;
		struct crm_err err;
		long n = 0;
		int rc;

		crm_csv_open(&r, fp, "big.csv", &u, &err);
		while ((rc = crm_csv_next(r, &rec, &err)) == 1)
			n++;
		tap_is_int(t, n, 20000, "records before a bad byte in chunk 2");
		tap_is_int(t, rc, -1, "... then an error");
		tap_is_str(t, err.msg, "big.csv: line 20001: invalid UTF-8 byte sequence",
		    "... naming file and line");
		tap_is_int(t, err.code, EX_DATAERR, "... EX_DATAERR");
		crm_csv_close(r);
		fclose(fp);
	}
	free(in);

	/* A field far longer than a chunk (a stray quote swallowing the file
	 * would look like this): cut, flagged, and the next record intact. */
	{
		size_t big = 300000;
		char *s = crm_xmalloc(big + 32);
		char *got;

		memcpy(s, "\"", 1);
		memset(s + 1, 'x', big);
		memcpy(s + 1 + big, "\",y\nz\n", 6);
		got = render(s, big + 7, 0, NULL, 10, NULL, NULL);
		tap_is_str(t, got, "1-1:[xxxxxxxxxx][y] ov=0\n2-2:[z]\nEOF",
		    "300 KB quoted field with max_field 10");
		free(got);
		free(s);
	}
}

static long
maxrss_kb(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

/* 100 000 records, some with quoted newlines, read one at a time: every
 * record and line number right, and memory does not follow the file
 * (about 17 MB here; growth must stay under 8 MB). */
static void
test_stream(struct tap *t)
{
	FILE *fp = tmpfile();
	struct crm_csv_opts o = { 0, NULL, 0 };
	struct crm_csv_reader *r;
	const struct crm_csv_record *rec;
	struct crm_err err;
	long i, line = 2, bad = 0, before, after, size;
	char pad[151];
	int rc;

	memset(pad, 'p', 150);
	pad[150] = '\0';
	fputs("id,name,note\n", fp);
	for (i = 1; i <= 100000; i++) {
		if (i % 10 == 0)
			fprintf(fp, "%ld,顧客%ld,\"two\nlines %s\"\r\n", i, i, pad);
		else
			fprintf(fp, "%ld,顧客%ld,%s\r\n", i, i, pad);
	}
	size = ftell(fp);
	rewind(fp);
	before = maxrss_kb();
	crm_csv_open(&r, fp, "gen.csv", &o, &err);
	rc = crm_csv_next(r, &rec, &err);
	tap_ok(t, rc == 1 && rec->nfields == 3 && strcmp(rec->fields[2], "note") == 0,
	    "generated stream: header");
	for (i = 1; (rc = crm_csv_next(r, &rec, &err)) == 1; i++) {
		char id[32], name[32];
		long span = i % 10 == 0 ? 1 : 0;

		snprintf(id, sizeof id, "%ld", i);
		snprintf(name, sizeof name, "顧客%ld", i);
		if (rec->nfields != 3 || strcmp(rec->fields[0], id) != 0 ||
		    strcmp(rec->fields[1], name) != 0 || rec->line != line ||
		    rec->line_end != line + span ||
		    rec->lens[2] != (span ? 10 + 150 : 150)) {
			if (bad++ == 0)
				printf("# record %ld wrong: line %ld-%ld, [%s]\n", i,
				    rec->line, rec->line_end, rec->fields[0]);
		}
		line += 1 + span;
	}
	after = maxrss_kb();
	tap_is_int(t, rc, 0, "generated stream: clean end");
	tap_is_int(t, i - 1, 100000, "... 100000 records");
	tap_is_int(t, bad, 0, "... each with its fields and line numbers");
	tap_is_int(t, crm_csv_bytes(r), size, "... bytes consumed: the whole file");
	tap_ok(t, size > 16000000, "... a file of over 16 MB");
	printf("# maxrss before %ld KB, after %ld KB\n", before, after);
	tap_ok(t, after - before < 8 * 1024, "... memory stays flat (< 8 MB growth)");
	crm_csv_close(r);
	fclose(fp);
}

static void
test_header(struct tap *t)
{
	struct crm_csv_record rec;
	struct crm_csv_header h;
	char *names[] = { "\xEF\xBB\xBFOrder_ID", " Email ", "name", "EMAIL" };
	size_t lens[] = { 11, 7, 4, 5 };

	rec.nfields = 4;
	rec.fields = names;
	rec.lens = lens;
	rec.line = rec.line_end = 1;
	rec.overlong = -1;
	crm_csv_header_init(&h, &rec);
	tap_is_int(t, crm_csv_header_find(&h, "order_id"), 0, "header: BOM and case ignored");
	tap_is_int(t, crm_csv_header_find(&h, "email"), 1, "header: spaces ignored, first match wins");
	tap_is_int(t, crm_csv_header_find(&h, " NAME"), 2, "header: name looked up trimmed");
	tap_is_int(t, crm_csv_header_find(&h, "phone"), -1, "header: missing column is -1");
	crm_csv_header_release(&h);
	crm_csv_header_init(&h, NULL);
	tap_is_int(t, crm_csv_header_find(&h, "x"), -1, "header: empty map");
	crm_csv_header_release(&h);
}

static char *
written(const char *const *f, size_t n, char delim, int *rc)
{
	char *s = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&s, &len);

	*rc = crm_csv_write_row(fp, f, n, delim);
	fclose(fp);
	return s;
}

static void
test_writer(struct tap *t)
{
	static const struct {
		const char *f[4];
		size_t n;
		char delim;
		const char *want, *name;
	} w[] = {
		{ { "a", "b", "c" }, 3, ',', "a,b,c\n", "plain fields unquoted" },
		{ { "a,b", "x" }, 2, ',', "\"a,b\",x\n", "delimiter quoted" },
		{ { "say \"hi\"" }, 1, ',', "\"say \"\"hi\"\"\"\n", "quotes doubled" },
		{ { "two\nlines", "cr\rx" }, 2, ',', "\"two\nlines\",\"cr\rx\"\n", "CR and LF quoted" },
		{ { " lead", "trail ", "mid dle" }, 3, ',', "\" lead\",\"trail \",mid dle\n",
		  "leading/trailing space quoted" },
		{ { NULL, "", "x" }, 3, ',', ",,x\n", "NULL and empty are empty fields" },
		{ { "" }, 1, ',', "\"\"\n", "a lone empty field is written \"\"" },
		{ { "a\tb", "c,d" }, 2, '\t', "\"a\tb\"\tc,d\n", "TSV: tab quoted, comma not" },
		{ { "東京都", "顧客" }, 2, ',', "東京都,顧客\n", "UTF-8 passes through" },
	};

	for (size_t i = 0; i < sizeof w / sizeof w[0]; i++) {
		int rc;
		char *got = written(w[i].f, w[i].n, w[i].delim, &rc);

		tap_is_str(t, got, w[i].want, w[i].name);
		free(got);
	}

	/* What the writer writes, the reader reads back. */
	{
		const char *f[] = { "x,y", "q\"q", "multi\nline", " sp ", "" , "z" };
		char *s = NULL;
		size_t len = 0;
		FILE *fp = open_memstream(&s, &len);
		char *got;

		crm_csv_write_row(fp, f, 6, ',');
		fclose(fp);
		got = render(s, len, 0, NULL, 0, NULL, NULL);
		tap_is_str(t, got, "1-2:[x,y][q\"q][multi\nline][ sp ][][z]\nEOF",
		    "writer output reads back field for field");
		free(got);
		free(s);
	}
	{
		FILE *fp = fopen("/dev/full", "w");
		const char *f[] = { "x" };
		int rc = 0;

		if (fp) {
			setvbuf(fp, NULL, _IONBF, 0);
			rc = crm_csv_write_row(fp, f, 1, ',');
			fclose(fp);
		}
		tap_is_int(t, rc, -1, "write_row reports a failed stream (/dev/full)");
	}
}

/* A read error is EX_IOERR naming the file, not an end of input. */
static void
test_read_error(struct tap *t)
{
	FILE *fp = fopen("/", "r");     /* read(2) on a directory: EISDIR */
	struct crm_csv_reader *r;
	const struct crm_csv_record *rec;
	struct crm_err err;

	if (fp == NULL) {
		tap_ok(t, 0, "open / for reading");
		return;
	}
	crm_csv_open(&r, fp, "dir", NULL, &err);
	tap_is_int(t, crm_csv_next(r, &rec, &err), -1, "read error is an error");
	tap_is_int(t, err.code, EX_IOERR, "... EX_IOERR");
	tap_is_str(t, err.msg, "dir: read error: Is a directory", "... naming the file");
	crm_csv_close(r);
	fclose(fp);
}

int
main(void)
{
	struct tap t = TAP_INIT;

	test_cases(&t);
	test_delims(&t);
	test_chunk_edges(&t);
	test_header(&t);
	test_writer(&t);
	test_read_error(&t);
	test_stream(&t);
	return tap_done(&t);
}
