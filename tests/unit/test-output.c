/* Unit tests of lib/output.c: the exact bytes of every format for a
 * small table with Japanese text, display widths, and escaping. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output.h"
#include "tap.h"

static const struct crm_out_col cols[] = {
	{ "id", 1 }, { "name", 0 }, { "pref", 0 }, { "total", 1 },
};
static const char *const rows[][4] = {
	{ "1", "山田太郎", "東京都", "12000" },
	{ "12", "ｱｲｳ", "大阪府", "500" },
	{ "3", NULL, "", NULL },
};

/* Run rows through format fmt into memory; returns the bytes. */
static char *
run(enum crm_out_fmt fmt, const struct crm_out_col *c, size_t nc,
    const char *const (*r)[4], size_t nr, enum crm_out_fmt *resolved, int *rc)
{
	char *s = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&s, &len);
	struct crm_out *o = crm_out_open(fp, fmt, c, nc);
	struct crm_err err;

	if (resolved)
		*resolved = crm_out_format(o);
	for (size_t i = 0; i < nr; i++)
		crm_out_row(o, r[i]);
	*rc = crm_out_close(o, &err);
	fclose(fp);
	return s;
}

static void
test_formats(struct tap *t)
{
	static const struct {
		enum crm_out_fmt fmt;
		const char *want, *name;
	} f[] = {
		{ CRM_OUT_IDS, "1\n12\n3\n", "ids: first column, no header" },
		{ CRM_OUT_CSV,
		  "id,name,pref,total\n"
		  "1,山田太郎,東京都,12000\n"
		  "12,ｱｲｳ,大阪府,500\n"
		  "3,,,\n", "csv" },
		{ CRM_OUT_TSV,
		  "id\tname\tpref\ttotal\n"
		  "1\t山田太郎\t東京都\t12000\n"
		  "12\tｱｲｳ\t大阪府\t500\n"
		  "3\t\t\t\n", "tsv" },
		{ CRM_OUT_JSON,
		  "{\"id\":1,\"name\":\"山田太郎\",\"pref\":\"東京都\",\"total\":12000}\n"
		  "{\"id\":12,\"name\":\"ｱｲｳ\",\"pref\":\"大阪府\",\"total\":500}\n"
		  "{\"id\":3,\"name\":null,\"pref\":\"\",\"total\":null}\n", "json lines" },
		/* Widths: id 2; name 8 (山田太郎: four wide characters);
		 * pref 6; total 5.  ｱｲｳ is half-width: 3 columns. */
		{ CRM_OUT_TABLE,
		  "id  name      pref    total\n"
		  " 1  山田太郎  東京都  12000\n"
		  "12  ｱｲｳ       大阪府    500\n"
		  " 3\n", "table: wide characters two columns, numbers right" },
	};

	for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
		int rc;
		char *got = run(f[i].fmt, cols, 4, rows, 3, NULL, &rc);

		tap_is_str(t, got, f[i].want, f[i].name);
		tap_is_int(t, rc, 0, "... closed cleanly");
		free(got);
	}
}

static void
test_empty_and_default(struct tap *t)
{
	enum crm_out_fmt res;
	int rc;
	char *got;

	got = run(CRM_OUT_CSV, cols, 4, rows, 0, NULL, &rc);
	tap_is_str(t, got, "id,name,pref,total\n", "csv with no rows: the header");
	free(got);
	got = run(CRM_OUT_TABLE, cols, 4, rows, 0, NULL, &rc);
	tap_is_str(t, got, "id  name  pref  total\n", "table with no rows: the header");
	free(got);
	got = run(CRM_OUT_JSON, cols, 4, rows, 0, NULL, &rc);
	tap_is_str(t, got, "", "json with no rows: nothing");
	free(got);
	got = run(CRM_OUT_DEFAULT, cols, 4, rows, 1, &res, &rc);
	tap_is_int(t, res, CRM_OUT_CSV, "default to a non-terminal is csv");
	tap_is_str(t, got, "id,name,pref,total\n1,山田太郎,東京都,12000\n", "... and writes csv");
	free(got);
}

static void
test_escaping(struct tap *t)
{
	static const struct crm_out_col c[] = { { "k", 0 }, { "n", 1 } };
	static const char *const r[][4] = {
		{ "a\"b\\c\n\t\x01\x7f/", "12a" },
		{ "x,y", "-3.5e2" },
		{ " lead", "007" },
		{ "Tab\there\r", "" },
	};
	int rc;
	char *got;

	got = run(CRM_OUT_JSON, c, 2, r, 4, NULL, &rc);
	tap_is_str(t, got,
	    "{\"k\":\"a\\\"b\\\\c\\n\\t\\u0001\\u007f/\",\"n\":\"12a\"}\n"
	    "{\"k\":\"x,y\",\"n\":-3.5e2}\n"
	    "{\"k\":\" lead\",\"n\":\"007\"}\n"
	    "{\"k\":\"Tab\\there\\r\",\"n\":null}\n",
	    "json: escapes, control characters as \\u00XX, numbers only when valid JSON");
	free(got);
	got = run(CRM_OUT_CSV, c, 2, r, 4, NULL, &rc);
	tap_is_str(t, got,
	    "k,n\n"
	    "\"a\"\"b\\c\n\t\x01\x7f/\",12a\n"
	    "\"x,y\",-3.5e2\n"
	    "\" lead\",007\n"
	    "\"Tab\there\r\",\n",
	    "csv: quoting per RFC 4180");
	free(got);
	got = run(CRM_OUT_TSV, c, 2, r, 4, NULL, &rc);
	tap_is_str(t, got,
	    "k\tn\n"
	    "a\"b\\\\c\\n\\t\x01\x7f/\t12a\n"
	    "x,y\t-3.5e2\n"
	    " lead\t007\n"
	    "Tab\\there\\r\t\n",
	    "tsv: tab, newline, CR and backslash escaped");
	free(got);
	got = run(CRM_OUT_TABLE, c, 2, r + 3, 1, NULL, &rc);
	tap_is_str(t, got, "k            n\nTab\\there\\r\n",
	    "table: a tab in a cell is shown escaped and counted so");
	free(got);
}

static void
test_width(struct tap *t)
{
	static const struct {
		const char *s;
		size_t w;
		const char *name;
	} w[] = {
		{ "", 0, "empty" },
		{ "abc", 3, "ASCII" },
		{ "東京", 4, "kanji: 2 each" },
		{ "ひらがなカタカナ", 16, "kana: 2 each" },
		{ "ｱｲｳ", 3, "half-width katakana: 1 each" },
		{ "１２Ａ", 6, "full-width digits and letters: 2 each" },
		{ "\xe3\x80\x80", 2, "ideographic space" },
		{ "e\xcc\x81", 1, "combining accent: 0" },
		{ "😀", 2, "emoji: 2" },
		{ "a\xff" "b", 3, "an invalid byte counts 1" },
		{ "〒100-0001", 10, "postal mark" },
	};

	for (size_t i = 0; i < sizeof w / sizeof w[0]; i++)
		tap_is_int(t, (long long)crm_utf8_width(w[i].s), (long long)w[i].w, w[i].name);
	tap_is_int(t, (long long)crm_utf8_width(NULL), 0, "NULL is 0");
}

static void
test_parse(struct tap *t)
{
	static const struct {
		const char *s;
		enum crm_out_fmt f;
	} p[] = {
		{ "ids", CRM_OUT_IDS }, { "csv", CRM_OUT_CSV }, { "tsv", CRM_OUT_TSV },
		{ "json", CRM_OUT_JSON }, { "table", CRM_OUT_TABLE },
	};
	enum crm_out_fmt f;
	struct crm_err err;

	for (size_t i = 0; i < sizeof p / sizeof p[0]; i++) {
		f = CRM_OUT_DEFAULT;
		tap_ok(t, crm_out_parse(p[i].s, &f, &err) == 0 && f == p[i].f, p[i].s);
	}
	tap_is_int(t, crm_out_parse("xml", &f, &err), -1, "xml refused");
	tap_is_int(t, err.code, EX_USAGE, "... EX_USAGE");
	tap_is_str(t, err.msg, "-o: unknown output format 'xml' (ids, csv, tsv, json, table)",
	    "... naming the choices");
	tap_is_int(t, crm_out_parse("CSV", &f, &err), -1, "names are lower case");
}

static void
test_write_error(struct tap *t)
{
	FILE *fp = fopen("/dev/full", "w");
	struct crm_out *o;
	struct crm_err err;
	int rc;

	if (fp == NULL) {
		tap_ok(t, 0, "open /dev/full");
		return;
	}
	o = crm_out_open(fp, CRM_OUT_CSV, cols, 4);
	crm_out_row(o, rows[0]);
	rc = crm_out_close(o, &err);
	tap_is_int(t, rc, -1, "a full disk fails crm_out_close");
	tap_is_int(t, err.code, EX_IOERR, "... EX_IOERR");
	tap_is_str(t, err.msg, "write error: No space left on device", "... with the reason");
	fclose(fp);
}

int
main(void)
{
	struct tap t = TAP_INIT;

	test_formats(&t);
	test_empty_and_default(&t);
	test_escaping(&t);
	test_width(&t);
	test_parse(&t);
	test_write_error(&t);
	return tap_done(&t);
}
