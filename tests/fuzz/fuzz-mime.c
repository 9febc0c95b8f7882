/* libFuzzer target: the MIME encoders of lib/mime.h, checked by decoding
 * what they wrote.  The first byte picks the encoder:
 *   0  crm_mime_header: RFC 2047 B words for non-ASCII, folding for ASCII;
 *      the encoded words decode back to the value, every word is at most
 *      75 characters and every line of encoded words at most 76; ASCII
 *      unfolds back to the value, and folds only where a line passes 78
 *   1  crm_mime_address_header: display name (up to a NUL) and address
 *   2  crm_mime_part: quoted-printable or base64 body, lines of at most
 *      76, decoding gives the text with CRLF line ends
 *   3  base64url: encode/decode round trip; decoding arbitrary text into a
 *      small buffer stays within it
 * Every header line ends in CRLF, holds no other CR or LF, is at most 998
 * characters, and no folded line is only white space (RFC 5322 2.1.1,
 * 3.2.2). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mime.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do { if (!(c)) __builtin_trap(); } while (0)

static const char b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Decode standard base64 (with padding, no line breaks) onto out. */
static void
unb64(struct crm_buf *out, const char *s, size_t n)
{
	unsigned v = 0;
	int bits = 0;

	for (size_t i = 0; i < n && s[i] != '='; i++) {
		const char *p = memchr(b64, s[i], 64);
		CHECK(p != NULL && s[i] != '\0');
		v = (v << 6) | (unsigned)(p - b64);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			crm_buf_addc(out, (char)((v >> bits) & 0xff));
		}
	}
}

/* Lines of a header or body: each ends in CRLF, no bare CR or LF, at
 * most max characters.  Returns the number of lines. */
static size_t
lines(const char *s, size_t n, size_t max, int header)
{
	size_t start = 0, count = 0;

	CHECK(n >= 2 && s[n - 2] == '\r' && s[n - 1] == '\n');
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\r') {
			CHECK(i + 1 < n && s[i + 1] == '\n');
			CHECK(i - start <= max);
			if (header && count > 0) {
				/* A continuation starts with white space and is
				 * not only white space. */
				size_t j = start;
				CHECK(s[start] == ' ' || s[start] == '\t');
				while (j < i && (s[j] == ' ' || s[j] == '\t'))
					j++;
				CHECK(j < i);
			}
			count++;
			start = i + 2;
			i++;
		} else
			CHECK(s[i] != '\n');
	}
	return count;
}

/* The encoded words of a header body, decoded and concatenated; the text
 * between words must be folding white space only. */
static void
words(struct crm_buf *out, const char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		const char *w = s + i, *end;
		size_t wl;

		if (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n') {
			i++;
			continue;
		}
		CHECK(n - i >= 12 && memcmp(w, "=?UTF-8?B?", 10) == 0);
		end = NULL;
		for (size_t j = i + 10; j + 1 < n; j++)
			if (s[j] == '?' && s[j + 1] == '=') {
				end = s + j;
				break;
			}
		CHECK(end != NULL);
		wl = (size_t)(end - w) + 2;
		CHECK(wl <= 75);              /* RFC 2047 section 2 */
		unb64(out, w + 10, (size_t)(end - w) - 10);
		i += wl;
	}
}

static void
header(const char *v)
{
	struct crm_buf b, dec;
	struct crm_err err;
	int ascii = 1;

	crm_buf_init(&b);
	if (crm_mime_header(&b, "Subject", v, &err) < 0) {
		CHECK(err.code == EX_DATAERR);
		CHECK(strpbrk(v, "\r\n") != NULL || strlen(v) > 900);
		return;
	}
	CHECK(b.len >= 11 && memcmp(b.s, "Subject: ", 9) == 0);
	for (const char *p = v; *p; p++)
		if ((unsigned char)*p >= 0x80 || ((unsigned char)*p < 0x20 && *p != '\t'))
			ascii = 0;
	crm_buf_init(&dec);
	if (ascii) {
		/* Unfolding gives the value back. */
		for (size_t i = 9; i + 2 < b.len; i++)
			if (!(b.s[i] == '\r' && b.s[i + 1] == '\n'))
				crm_buf_addc(&dec, b.s[i]);
			else
				i++;
		CHECK(dec.len == strlen(v) && memcmp(dec.s ? dec.s : "", v, dec.len) == 0);
		(void)lines(b.s, b.len, 998, 1);
	} else {
		words(&dec, b.s + 9, b.len - 9);
		CHECK(dec.len == strlen(v) && memcmp(dec.s, v, dec.len) == 0);
		(void)lines(b.s, b.len, 76, 1);
	}
	crm_buf_release(&dec);
	crm_buf_release(&b);
}

static void
address(const char *display, const char *addr)
{
	struct crm_buf b;
	struct crm_err err;
	char *needle;

	crm_buf_init(&b);
	if (crm_mime_address_header(&b, "From", display, addr, &err) < 0) {
		CHECK(err.code == EX_DATAERR);
		crm_buf_release(&b);
		return;
	}
	CHECK(crm_mime_addr_ok(addr));
	(void)lines(b.s, b.len, 998, 1);
	/* The address is there whole, in angle brackets after a name. */
	needle = crm_xmalloc(strlen(addr) + 3);
	snprintf(needle, strlen(addr) + 3, *display ? "<%s>" : "%s", addr);
	CHECK(strstr(b.s, needle) != NULL);
	free(needle);
	crm_buf_release(&b);
}

static void
part(const char *text, size_t n)
{
	struct crm_buf b, dec, want;
	const char *body, *cte;
	size_t i;

	crm_buf_init(&b);
	crm_mime_part(&b, "plain", text, n);
	body = strstr(b.s, "\r\n\r\n");
	CHECK(body != NULL);
	cte = strstr(b.s, "Content-Transfer-Encoding: ");
	CHECK(cte != NULL && cte < body);
	body += 4;
	crm_buf_init(&dec);
	crm_buf_init(&want);
	for (i = 0; i < n; i++) {
		if (text[i] == '\n' && (i == 0 || text[i - 1] != '\r'))
			crm_buf_addc(&want, '\r');
		crm_buf_addc(&want, text[i]);
	}
	if ((size_t)(body - b.s) < b.len)
		(void)lines(body, b.len - (size_t)(body - b.s), 76, 0);
	if (strncmp(cte + 27, "base64", 6) == 0) {
		for (const char *p = body; *p; p++)
			if (*p != '\r' && *p != '\n') {
				size_t k = strcspn(p, "\r\n");
				unb64(&dec, p, k);
				p += k - 1;
			}
	} else {
		const char *p = body, *e = b.s + b.len;

		CHECK(strncmp(cte + 27, "quoted-printable", 16) == 0);
		while (p < e) {
			if (*p == '=') {
				CHECK(e - p >= 3);
				if (p[1] == '\r' && p[2] == '\n') {
					p += 3;
					continue;
				}
				CHECK(strchr("0123456789ABCDEF", p[1]) && p[1] &&
				    strchr("0123456789ABCDEF", p[2]) && p[2]);
				crm_buf_addc(&dec, (char)strtol((char[]){ p[1], p[2], 0 },
				    NULL, 16));
				p += 3;
				continue;
			}
			/* Literal: printable ASCII or white space, never at a
			 * line's end, never a dot starting a line. */
			if (*p == '\r') {
				CHECK(p == body || (p[-1] != ' ' && p[-1] != '\t'));
			} else if (*p != '\n') {
				CHECK((*p >= 33 && *p <= 126) || *p == ' ' || *p == '\t');
				CHECK(!(*p == '.' && (p == body || p[-1] == '\n')));
			}
			crm_buf_addc(&dec, *p++);
		}
		/* The encoder ends a last partial line with CRLF. */
		if (want.len > 0 && (want.len < 2 || want.s[want.len - 1] != '\n'))
			crm_buf_adds(&want, "\r\n");
	}
	CHECK(dec.len == want.len &&
	    (want.len == 0 || memcmp(dec.s, want.s, want.len) == 0));
	crm_buf_release(&want);
	crm_buf_release(&dec);
	crm_buf_release(&b);
}

static void
b64url(const uint8_t *d, size_t n)
{
	struct crm_buf b;
	unsigned char back[64], small[4];
	size_t len;
	char *s;

	if (n > sizeof back)
		n = sizeof back;
	crm_buf_init(&b);
	crm_mime_base64url(&b, d, n);
	crm_buf_addc(&b, '\0');
	CHECK(crm_mime_base64url_decode(b.s, back, sizeof back, &len) == 0);
	CHECK(len == n && memcmp(back, d, n) == 0);
	crm_buf_release(&b);
	/* Arbitrary text into 4 bytes: within bounds, whatever it says. */
	s = crm_xstrndup((const char *)d, n);
	(void)crm_mime_base64url_decode(s, small, sizeof small, &len);
	free(s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s;
	size_t n;

	if (size < 1)
		return 0;
	n = size - 1;
	s = crm_xmalloc(n + 1);
	memcpy(s, data + 1, n);
	s[n] = '\0';
	switch (data[0] % 4) {
	case 0:
		header(s);
		break;
	case 1:
		address(s, s + strlen(s) + (strlen(s) < n));
		break;
	case 2:
		part(s, n);
		break;
	case 3:
		b64url(data + 1, n);
		break;
	}
	free(s);
	return 0;
}
