/* enc.c: UTF-8, CP932 and EUC-JP (and UTF-16 with a byte order mark,
 * which is what Excel's "Unicode text" writes).
 *
 * Decoding goes through iconv (glibc's CP932 and EUC-JP-MS, which carry
 * the NEC and IBM extensions that Windows-made exports use).  UTF-8 input
 * is checked here rather than by iconv so that overlong forms and
 * surrogates are refused the same way everywhere. */
#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "enc.h"
#include "util.h"
#include "banned.h"

struct crm_dec {
	iconv_t cd;              /* (iconv_t)-1 for UTF-8 */
	const char *label;       /* "UTF-8", "CP932", "EUC-JP" for messages */
	struct crm_buf pending;  /* an incomplete sequence from the last call */
	struct crm_buf work;
};

static int
lower_ascii(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

const char *
crm_enc_name(const char *s)
{
	static const struct {
		const char *spelling, *canon;
	} names[] = {
		{ "utf8", "utf-8" }, { "utf8bom", "utf-8" }, { "utf8sig", "utf-8" },
		{ "ascii", "utf-8" }, { "usascii", "utf-8" },
		{ "cp932", "cp932" }, { "ms932", "cp932" }, { "windows31j", "cp932" },
		{ "sjis", "cp932" }, { "shiftjis", "cp932" }, { "mskanji", "cp932" },
		{ "csshiftjis", "cp932" }, { "sjiswin", "cp932" }, { "ibm943", "cp932" },
		{ "eucjp", "euc-jp" }, { "eucjpms", "euc-jp" }, { "ujis", "euc-jp" },
		{ "eucjpwin", "euc-jp" }, { "cp51932", "euc-jp" },
		{ "utf16", "utf-16" }, { "ucs2", "utf-16" }, { "unicode", "utf-16" },
		{ "auto", "auto" },
	};
	char key[32];
	size_t n = 0;

	if (s == NULL)
		return NULL;
	/* Users spell these a dozen ways: compare without case and
	 * without '-', '_' and spaces. */
	for (; *s; s++) {
		if (*s == '-' || *s == '_' || *s == ' ')
			continue;
		if (n + 1 >= sizeof key)
			return NULL;
		key[n++] = (char)lower_ascii((unsigned char)*s);
	}
	key[n] = '\0';
	if (n == 0)
		return NULL;
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strcmp(key, names[i].spelling) == 0)
			return names[i].canon;
	return NULL;
}

/* Length of the valid UTF-8 sequence at s (n bytes available): >0 valid,
 * 0 when cut short by the end of the buffer, -1 invalid. */
static int
utf8_seq(const unsigned char *s, size_t n)
{
	unsigned c = s[0];
	int len;
	unsigned lo = 0x80, hi = 0xBF;

	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		len = 2;
	else if (c >= 0xE0 && c <= 0xEF) {
		len = 3;
		if (c == 0xE0)
			lo = 0xA0;           /* overlong */
		else if (c == 0xED)
			hi = 0x9F;           /* surrogates */
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4;
		if (c == 0xF0)
			lo = 0x90;
		else if (c == 0xF4)
			hi = 0x8F;           /* above U+10FFFF */
	} else
		return -1;
	for (int i = 1; i < len; i++) {
		if ((size_t)i >= n)
			return 0;
		if (s[i] < (i == 1 ? lo : 0x80) || s[i] > (i == 1 ? hi : 0xBF))
			return -1;
	}
	return len;
}

/* Offset of the first invalid byte, or n when all is valid.  *cut gets
 * the length of an incomplete sequence at the very end (0 if none). */
static size_t
utf8_check(const char *buf, size_t n, size_t *cut)
{
	const unsigned char *s = (const unsigned char *)buf;
	size_t i = 0;

	*cut = 0;
	while (i < n) {
		int l;

		if (s[i] < 0x80) {
			i++;
			continue;
		}
		l = utf8_seq(s + i, n - i);
		if (l < 0)
			return i;
		if (l == 0) {
			*cut = n - i;
			return n;
		}
		i += (size_t)l;
	}
	return n;
}

int
crm_utf8_valid(const char *s, size_t n)
{
	size_t cut;

	return utf8_check(s, n, &cut) == n && cut == 0;
}

/* Structural checks of the double-byte sets.  They return the number of
 * characters that are unusual in real text (half-width katakana), or -1
 * when the bytes cannot be in that set; the counts break the tie when a
 * buffer is valid as both, as EUC-JP kana and kanji often are in CP932. */
static long
cp932_check(const unsigned char *s, size_t n, int at_eof)
{
	long odd = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned c = s[i];

		if (c < 0x80)
			continue;
		if (c >= 0xA1 && c <= 0xDF) {
			odd++;
			continue;
		}
		if ((c >= 0x81 && c <= 0x9F) || (c >= 0xE0 && c <= 0xFC)) {
			if (i + 1 >= n)
				return at_eof ? -1 : odd;
			c = s[++i];
			if (c < 0x40 || c == 0x7F || c > 0xFC)
				return -1;
			continue;
		}
		return -1;
	}
	return odd;
}

static long
eucjp_check(const unsigned char *s, size_t n, int at_eof)
{
	long odd = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned c = s[i];
		size_t need;

		if (c < 0x80)
			continue;
		if (c == 0x8E)
			need = 1, odd++;
		else if (c == 0x8F)
			need = 2;
		else if (c >= 0xA1 && c <= 0xFE)
			need = 1;
		else
			return -1;
		for (size_t k = 0; k < need; k++) {
			if (i + 1 >= n)
				return at_eof ? -1 : odd;
			c = s[++i];
			if (c < 0xA1 || c > 0xFE)
				return -1;
		}
	}
	return odd;
}

const char *
crm_enc_detect(const char *buf, size_t n, int at_eof)
{
	const unsigned char *s = (const unsigned char *)buf;
	size_t cut;
	long sj, euc;

	if (n >= 3 && s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF)
		return "utf-8";
	if (n >= 2 && ((s[0] == 0xFF && s[1] == 0xFE) || (s[0] == 0xFE && s[1] == 0xFF)))
		return "utf-16";
	if (utf8_check(buf, n, &cut) == n && (cut == 0 || !at_eof))
		return "utf-8";
	sj = cp932_check(s, n, at_eof);
	euc = eucjp_check(s, n, at_eof);
	if (sj >= 0 && (euc < 0 || sj <= euc))
		return "cp932";
	if (euc >= 0)
		return "euc-jp";
	return NULL;
}

static const char *
iconv_name(const char *canon)
{
	if (strcmp(canon, "cp932") == 0)
		return "CP932";
	if (strcmp(canon, "euc-jp") == 0)
		return "EUC-JP-MS";
	if (strcmp(canon, "utf-16") == 0)
		return "UTF-16";      /* the BOM says which byte order */
	return NULL;
}

static const char *
label_of(const char *canon)
{
	if (strcmp(canon, "cp932") == 0)
		return "CP932";
	if (strcmp(canon, "euc-jp") == 0)
		return "EUC-JP";
	if (strcmp(canon, "utf-16") == 0)
		return "UTF-16";
	return "UTF-8";
}

/* A converter between canon and UTF-8, in the direction asked. */
static iconv_t
open_iconv(const char *canon, int to_utf8)
{
	const char *name = iconv_name(canon);
	iconv_t cd = to_utf8 ? iconv_open("UTF-8", name) : iconv_open(name, "UTF-8");

	/* Older or smaller iconvs lack EUC-JP-MS; plain EUC-JP reads the
	 * same text except the vendor extensions. */
	if (cd == (iconv_t)-1 && strcmp(canon, "euc-jp") == 0)
		cd = to_utf8 ? iconv_open("UTF-8", "EUC-JP") : iconv_open("EUC-JP", "UTF-8");
	return cd;
}

int
crm_dec_open(struct crm_dec **out, const char *encoding, struct crm_err *err)
{
	const char *canon = crm_enc_name(encoding ? encoding : "utf-8");
	struct crm_dec *d;

	*out = NULL;
	if (canon == NULL || strcmp(canon, "auto") == 0)
		return crm_err_set(err, EX_USAGE,
		    "unknown encoding '%s' (utf-8, cp932, euc-jp)",
		    encoding ? encoding : "");
	d = crm_xcalloc(1, sizeof *d);
	d->cd = (iconv_t)-1;
	d->label = label_of(canon);
	crm_buf_init(&d->pending);
	crm_buf_init(&d->work);
	if (strcmp(canon, "utf-8") != 0) {
		d->cd = open_iconv(canon, 1);
		if (d->cd == (iconv_t)-1) {
			free(d);
			return crm_err_set(err, EX_UNAVAILABLE,
			    "iconv cannot convert from %s", label_of(canon));
		}
	}
	*out = d;
	return 0;
}

void
crm_dec_close(struct crm_dec *d)
{
	if (d == NULL)
		return;
	if (d->cd != (iconv_t)-1)
		iconv_close(d->cd);
	crm_buf_release(&d->pending);
	crm_buf_release(&d->work);
	free(d);
}

static int
bad_input(struct crm_dec *d, size_t pos, size_t *bad, struct crm_err *err)
{
	size_t np = d->pending.len;

	/* The offending sequence may have begun in the bytes kept from the
	 * previous call; it is then reported at the start of this input. */
	if (bad)
		*bad = pos > np ? pos - np : 0;
	crm_buf_reset(&d->pending);
	return crm_err_set(err, EX_DATAERR, "invalid %s byte sequence", d->label);
}

static int
feed_utf8(struct crm_dec *d, const char *s, size_t n, int eof,
    struct crm_buf *out, size_t *bad, struct crm_err *err)
{
	size_t cut, ok = utf8_check(s, n, &cut);

	if (ok < n) {
		crm_buf_add(out, s, ok);
		return bad_input(d, ok, bad, err);
	}
	if (cut && eof) {
		crm_buf_add(out, s, n - cut);
		return bad_input(d, n - cut, bad, err);
	}
	crm_buf_add(out, s, n - cut);
	crm_buf_reset(&d->pending);
	crm_buf_add(&d->pending, s + n - cut, cut);
	return 0;
}

static int
feed_iconv(struct crm_dec *d, const char *s, size_t n, int eof,
    struct crm_buf *out, size_t *bad, struct crm_err *err)
{
	char obuf[16384];
	char *in = (char *)s;
	size_t inleft = n;

	while (inleft > 0) {
		char *o = obuf;
		size_t oleft = sizeof obuf;
		size_t rc = iconv(d->cd, &in, &inleft, &o, &oleft);
		int e = errno;

		crm_buf_add(out, obuf, sizeof obuf - oleft);
		if (rc != (size_t)-1)
			break;
		if (e == E2BIG)
			continue;
		if (e == EINVAL && !eof) {
			/* A character cut by the end of the chunk. */
			char *rest = crm_xstrndup(in, inleft);

			crm_buf_reset(&d->pending);
			crm_buf_add(&d->pending, rest, inleft);
			free(rest);
			return 0;
		}
		iconv(d->cd, NULL, NULL, NULL, NULL);
		return bad_input(d, (size_t)(in - s), bad, err);
	}
	crm_buf_reset(&d->pending);
	if (eof) {
		char *o = obuf;
		size_t oleft = sizeof obuf;

		if (iconv(d->cd, NULL, NULL, &o, &oleft) != (size_t)-1)
			crm_buf_add(out, obuf, sizeof obuf - oleft);
	}
	return 0;
}

int
crm_dec_feed(struct crm_dec *d, const char *in, size_t n, int eof,
    struct crm_buf *out, size_t *bad, struct crm_err *err)
{
	const char *s = in;
	size_t len = n;

	if (d->pending.len > 0) {
		crm_buf_reset(&d->work);
		crm_buf_add(&d->work, d->pending.s, d->pending.len);
		crm_buf_add(&d->work, in, n);
		s = d->work.s;
		len = d->work.len;
	}
	if (d->cd == (iconv_t)-1)
		return feed_utf8(d, s, len, eof, out, bad, err);
	return feed_iconv(d, s, len, eof, out, bad, err);
}

/* The code point of the UTF-8 character at s, for messages. */
static uint32_t
utf8_cp(const unsigned char *s, size_t n, size_t *len)
{
	int l = utf8_seq(s, n);
	uint32_t c;

	if (l <= 1) {
		*len = 1;
		return s[0];
	}
	*len = (size_t)l;
	c = s[0] & (0x7F >> l);
	for (int i = 1; i < l; i++)
		c = (c << 6) | (s[i] & 0x3F);
	return c;
}

int
crm_enc_from_utf8(const char *encoding, const char *in, size_t n,
    struct crm_buf *out, struct crm_err *err)
{
	const char *canon = crm_enc_name(encoding ? encoding : "utf-8");
	size_t cut, ok;
	char obuf[16384];
	char *ip = (char *)in;
	size_t inleft = n;
	iconv_t cd;

	if (canon == NULL || strcmp(canon, "auto") == 0)
		return crm_err_set(err, EX_USAGE,
		    "unknown encoding '%s' (utf-8, cp932, euc-jp)",
		    encoding ? encoding : "");
	ok = utf8_check(in, n, &cut);
	if (ok < n || cut)
		return crm_err_set(err, EX_DATAERR,
		    "invalid UTF-8 byte sequence at byte %zu", ok < n ? ok : n - cut);
	if (strcmp(canon, "utf-8") == 0) {
		crm_buf_add(out, in, n);
		return 0;
	}
	cd = open_iconv(canon, 0);
	if (cd == (iconv_t)-1)
		return crm_err_set(err, EX_UNAVAILABLE,
		    "iconv cannot convert to %s", label_of(canon));
	while (inleft > 0) {
		char *o = obuf;
		size_t oleft = sizeof obuf;
		size_t rc = iconv(cd, &ip, &inleft, &o, &oleft);
		int e = errno;

		crm_buf_add(out, obuf, sizeof obuf - oleft);
		if (rc != (size_t)-1)
			break;
		if (e == E2BIG)
			continue;
		{
			size_t clen;
			uint32_t cp = utf8_cp((const unsigned char *)ip,
			    inleft, &clen);

			iconv_close(cd);
			return crm_err_set(err, EX_DATAERR,
			    "character U+%04X '%.*s' has no %s equivalent",
			    (unsigned)cp, (int)clen, ip, label_of(canon));
		}
	}
	{
		char *o = obuf;
		size_t oleft = sizeof obuf;

		if (iconv(cd, NULL, NULL, &o, &oleft) != (size_t)-1)
			crm_buf_add(out, obuf, sizeof obuf - oleft);
	}
	iconv_close(cd);
	return 0;
}
