/* Unit tests of lib/enc.c: encoding names, detection, UTF-8 validity,
 * the streaming decoder (split input, errors and their offsets) and
 * conversion from UTF-8.  Byte values are written out by hand from the
 * code tables (CP932: 顧 8CDA, 客 8B71, 東 938C, 京 8B9E, 都 9373). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "enc.h"
#include "util.h"
#include "tap.h"

#define S(x) x, sizeof(x) - 1

static const char sjis_kokyaku[] = "\x8c\xda\x8b\x71,\x93\x8c\x8b\x9e\x93\x73\n";
static const char euc_kokyaku[] = "\xb8\xdc\xb5\xd2,\xc5\xec\xb5\xfe\xc5\xd4\n";

static void
test_names(struct tap *t)
{
	static const struct {
		const char *in, *want;
	} n[] = {
		{ "utf-8", "utf-8" }, { "UTF8", "utf-8" }, { "utf_8", "utf-8" },
		{ "UTF-8-BOM", "utf-8" }, { "cp932", "cp932" }, { "CP932", "cp932" },
		{ "Shift_JIS", "cp932" }, { "sjis", "cp932" }, { "SJIS", "cp932" },
		{ "shift-jis", "cp932" }, { "Windows-31J", "cp932" }, { "MS932", "cp932" },
		{ "EUC-JP", "euc-jp" }, { "eucjp", "euc-jp" }, { "euc_jp", "euc-jp" },
		{ "eucJP-ms", "euc-jp" }, { "auto", "auto" }, { "AUTO", "auto" },
		{ "UTF-16", "utf-16" }, { "utf16", "utf-16" },
		{ "latin1", NULL }, { "", NULL }, { "utf-32", NULL },
		{ "a-very-long-name-that-is-not-an-encoding-at-all", NULL },
	};

	for (size_t i = 0; i < sizeof n / sizeof n[0]; i++) {
		char name[96];

		snprintf(name, sizeof name, "crm_enc_name(\"%s\")", n[i].in);
		tap_is_str(t, crm_enc_name(n[i].in), n[i].want, name);
	}
	tap_is_str(t, crm_enc_name(NULL), NULL, "crm_enc_name(NULL)");
}

static void
test_detect(struct tap *t)
{
	static const struct {
		const char *in;
		size_t n;
		int at_eof;
		const char *want, *name;
	} d[] = {
		{ S("id,name\n"), 1, "utf-8", "ASCII is UTF-8" },
		{ S("顧客,東京都\n"), 1, "utf-8", "valid UTF-8" },
		{ S("\xEF\xBB\xBF\x8c\xda"), 1, "utf-8", "a BOM decides" },
		{ sjis_kokyaku, sizeof sjis_kokyaku - 1, 1, "cp932", "CP932 kanji" },
		{ S("\xb1\xb2\xb3"), 1, "cp932", "CP932 half-width kana" },
		{ euc_kokyaku, sizeof euc_kokyaku - 1, 1, "euc-jp", "EUC-JP kanji" },
		/* ひらがな in EUC-JP: A4D2 A4E9 A4AC A4CA; as CP932 it would be
		 * mostly half-width kana, which real text rarely is. */
		{ S("\xa4\xd2\xa4\xe9\xa4\xac\xa4\xca"), 1, "euc-jp", "EUC-JP hiragana" },
		{ S("abc\xe9\xa1"), 0, "utf-8", "UTF-8 cut by the buffer, more to come" },
		{ S("\x8c\xda\x8b"), 0, "cp932", "CP932 cut by the buffer, more to come" },
		{ S("\x8c\xda\x8b"), 1, NULL, "CP932 cut at end of file: neither" },
		{ S("\xff\xfei\0d\0"), 1, "utf-16", "UTF-16LE BOM" },
		{ S("\xfe\xff\0i\0d"), 1, "utf-16", "UTF-16BE BOM" },
		{ S("\x80\xff\x00"), 1, NULL, "garbage: NULL" },
		{ S("\xfe\xfe"), 1, "euc-jp", "FE FE is an EUC-JP character, no BOM" },
		{ S(""), 1, "utf-8", "empty: UTF-8" },
	};

	for (size_t i = 0; i < sizeof d / sizeof d[0]; i++)
		tap_is_str(t, crm_enc_detect(d[i].in, d[i].n, d[i].at_eof),
		    d[i].want, d[i].name);
}

static void
test_utf8_valid(struct tap *t)
{
	static const struct {
		const char *in;
		size_t n;
		int want;
		const char *name;
	} v[] = {
		{ S(""), 1, "empty" },
		{ S("plain"), 1, "ASCII" },
		{ S("東京都 ①"), 1, "3-byte characters" },
		{ S("\xf0\x9f\x98\x80"), 1, "4-byte character (U+1F600)" },
		{ S("\xc2\xa9"), 1, "2-byte character" },
		{ S("\xc0\xaf"), 0, "overlong 2-byte" },
		{ S("\xe0\x80\xaf"), 0, "overlong 3-byte" },
		{ S("\xed\xa0\x80"), 0, "surrogate U+D800" },
		{ S("\xf4\x90\x80\x80"), 0, "above U+10FFFF" },
		{ S("\xe9\xa1"), 0, "truncated" },
		{ S("\x80"), 0, "lone continuation byte" },
		{ S("a\x00" "b"), 1, "NUL is valid UTF-8" },
	};

	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
		tap_is_int(t, crm_utf8_valid(v[i].in, v[i].n), v[i].want, v[i].name);
}

/* Decode in pieces of `step` bytes; returns the UTF-8 or an "ERR" line. */
static char *
decode(const char *enc, const char *in, size_t n, size_t step)
{
	struct crm_dec *d;
	struct crm_err err;
	struct crm_buf out;
	size_t bad = 0, off = 0;

	crm_buf_init(&out);
	if (crm_dec_open(&d, enc, &err) < 0) {
		crm_buf_addf(&out, "OPEN %d %s", err.code, err.msg);
		return crm_buf_detach(&out);
	}
	do {
		size_t k = n - off < step ? n - off : step;
		int eof = off + k == n;

		if (crm_dec_feed(d, in + off, k, eof, &out, &bad, &err) < 0) {
			crm_buf_addf(&out, "|ERR %d %s at %zu", err.code, err.msg, off + bad);
			break;
		}
		off += k;
	} while (off < n);
	crm_dec_close(d);
	return crm_buf_detach(&out);
}

static void
test_decoder(struct tap *t)
{
	static const struct {
		const char *enc, *in;
		size_t n, step;
		const char *want, *name;
	} c[] = {
		{ "cp932", sjis_kokyaku, sizeof sjis_kokyaku - 1, 4096,
		  "顧客,東京都\n", "CP932 in one piece" },
		{ "cp932", sjis_kokyaku, sizeof sjis_kokyaku - 1, 1,
		  "顧客,東京都\n", "CP932 one byte at a time (every character split)" },
		{ "cp932", S("\x87\x40\xfb\xfc\x81\x60\x5c"), 4096,
		  "①髙～\\", "CP932 NEC/IBM extensions, wave dash, 0x5C" },
		{ "euc-jp", euc_kokyaku, sizeof euc_kokyaku - 1, 3,
		  "顧客,東京都\n", "EUC-JP in pieces of 3" },
		{ "euc-jp", S("\xad\xa1\x8e\xb1"), 1,
		  "①ｱ", "EUC-JP NEC special row and SS2 half-width kana" },
		{ "utf-8", S("顧客\n"), 1, "顧客\n", "UTF-8 one byte at a time" },
		{ "cp932", S("ab\x81\x20"), 4096,
		  "ab|ERR 65 invalid CP932 byte sequence at 2", "CP932 bad trail byte" },
		{ "cp932", S("ab\xa0"), 4096,
		  "ab|ERR 65 invalid CP932 byte sequence at 2", "CP932 0xA0 is no character" },
		{ "cp932", S("ok\x8c"), 4096,
		  "ok|ERR 65 invalid CP932 byte sequence at 2", "CP932 cut at end of input" },
		{ "euc-jp", S("\xb8\xdc\xb8"), 4096,
		  "顧|ERR 65 invalid EUC-JP byte sequence at 2", "EUC-JP cut at end of input" },
		{ "utf-8", S("abc\xe9\xa1\n"), 4096,
		  "abc|ERR 65 invalid UTF-8 byte sequence at 3", "UTF-8 bad sequence" },
		{ "utf-8", S("ab\xe9"), 1,
		  "ab|ERR 65 invalid UTF-8 byte sequence at 2", "UTF-8 cut at end of input" },
		{ "latin1", S("x"), 1,
		  "OPEN 64 unknown encoding 'latin1' (utf-8, cp932, euc-jp)", "unknown encoding" },
		{ "auto", S("x"), 1,
		  "OPEN 64 unknown encoding 'auto' (utf-8, cp932, euc-jp)",
		  "auto is not a decoder" },
	};

	for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
		char *got = decode(c[i].enc, c[i].in, c[i].n, c[i].step);

		tap_is_str(t, got, c[i].want, c[i].name);
		free(got);
	}
}

static void
test_from_utf8(struct tap *t)
{
	struct crm_buf out;
	struct crm_err err;
	int rc;

	crm_buf_init(&out);
	rc = crm_enc_from_utf8("cp932", S("顧客,東京都\n"), &out, &err);
	tap_is_int(t, rc, 0, "UTF-8 to CP932");
	tap_ok(t, out.len == sizeof sjis_kokyaku - 1 &&
	    memcmp(out.s, sjis_kokyaku, out.len) == 0, "... the CP932 bytes");
	crm_buf_reset(&out);
	rc = crm_enc_from_utf8("euc-jp", S("顧客,東京都\n"), &out, &err);
	tap_ok(t, rc == 0 && out.len == sizeof euc_kokyaku - 1 &&
	    memcmp(out.s, euc_kokyaku, out.len) == 0, "UTF-8 to EUC-JP bytes");
	crm_buf_reset(&out);
	rc = crm_enc_from_utf8("utf-8", S("顧客"), &out, &err);
	tap_is_str(t, rc == 0 ? out.s : NULL, "顧客", "UTF-8 to UTF-8 copies");
	crm_buf_reset(&out);
	rc = crm_enc_from_utf8("cp932", S("a😀b"), &out, &err);
	tap_is_int(t, rc, -1, "no CP932 for an emoji");
	tap_is_str(t, err.msg, "character U+1F600 '😀' has no CP932 equivalent",
	    "... the message names the character");
	tap_is_int(t, err.code, EX_DATAERR, "... EX_DATAERR");
	crm_buf_reset(&out);
	rc = crm_enc_from_utf8("cp932", S("a\xff"), &out, &err);
	tap_is_str(t, rc < 0 ? err.msg : NULL, "invalid UTF-8 byte sequence at byte 1",
	    "invalid UTF-8 input refused");
	crm_buf_reset(&out);
	rc = crm_enc_from_utf8("koi8-r", S("a"), &out, &err);
	tap_is_int(t, rc < 0 ? err.code : 0, EX_USAGE, "unknown target encoding: EX_USAGE");
	crm_buf_release(&out);
}

int
main(void)
{
	struct tap t = TAP_INIT;

	test_names(&t);
	test_detect(&t);
	test_utf8_valid(&t);
	test_decoder(&t);
	test_from_utf8(&t);
	return tap_done(&t);
}
