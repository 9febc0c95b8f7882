/* mime.c: encoding headers and bodies for SMTP. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/sha.h>

#include "mime.h"
#include "banned.h"

#define LINE_MAX_SOFT 76     /* fold before this column */

static int
has_ctl(const char *s)
{
	for (; *s; s++)
		if (*s == '\r' || *s == '\n')
			return 1;
	return 0;
}

static int
all_ascii(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s >= 0x80 || ((unsigned char)*s < 0x20 && *s != '\t'))
			return 0;
	return 1;
}

static const char b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char b64url[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static void
b64_chunk(struct crm_buf *out, const unsigned char *s, size_t n,
    const char *alpha, int pad)
{
	size_t i;

	for (i = 0; i + 2 < n; i += 3) {
		unsigned v = (unsigned)s[i] << 16 | (unsigned)s[i + 1] << 8 | s[i + 2];
		char q[4] = { alpha[v >> 18], alpha[(v >> 12) & 63],
			alpha[(v >> 6) & 63], alpha[v & 63] };
		crm_buf_add(out, q, 4);
	}
	if (n - i == 1) {
		unsigned v = (unsigned)s[i] << 16;
		crm_buf_addc(out, alpha[v >> 18]);
		crm_buf_addc(out, alpha[(v >> 12) & 63]);
		if (pad)
			crm_buf_adds(out, "==");
	} else if (n - i == 2) {
		unsigned v = (unsigned)s[i] << 16 | (unsigned)s[i + 1] << 8;
		crm_buf_addc(out, alpha[v >> 18]);
		crm_buf_addc(out, alpha[(v >> 12) & 63]);
		crm_buf_addc(out, alpha[(v >> 6) & 63]);
		if (pad)
			crm_buf_addc(out, '=');
	}
}

void
crm_mime_base64(struct crm_buf *out, const unsigned char *s, size_t n,
    size_t linelen)
{
	size_t per = linelen / 4 * 3, i;

	if (per == 0)
		per = 57;
	for (i = 0; i < n; i += per) {
		b64_chunk(out, s + i, n - i < per ? n - i : per, b64, 1);
		crm_buf_adds(out, "\r\n");
	}
}

void
crm_mime_base64url(struct crm_buf *out, const unsigned char *s, size_t n)
{
	b64_chunk(out, s, n, b64url, 0);
}

int
crm_mime_base64url_decode(const char *s, unsigned char *out, size_t cap,
    size_t *len)
{
	unsigned v = 0;
	int bits = 0;
	size_t n = 0;

	for (; *s; s++) {
		const char *p = strchr(b64url, *s);
		if (p == NULL)
			return -1;
		v = (v << 6) | (unsigned)(p - b64url);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (n == cap)
				return -1;
			out[n++] = (unsigned char)((v >> bits) & 0xff);
		}
	}
	/* Leftover bits must be zero padding of fewer than 6 bits. */
	if (bits >= 6 || (v & ((1u << bits) - 1)) != 0)
		return -1;
	*len = n;
	return 0;
}

/* Length of the UTF-8 sequence starting with byte c. */
static size_t
u8len(unsigned char c)
{
	if (c < 0x80)
		return 1;
	if ((c & 0xe0) == 0xc0)
		return 2;
	if ((c & 0xf0) == 0xe0)
		return 3;
	if ((c & 0xf8) == 0xf0)
		return 4;
	return 1;
}

/* Encoded words for value, starting at column col.  Each word holds whole
 * characters and every line stays within 76 columns (RFC 2047 section 2). */
static void
encode_words(struct crm_buf *out, const char *value, size_t col)
{
	const unsigned char *s = (const unsigned char *)value;
	size_t n = strlen(value), i = 0;
	int first = 1;

	while (i < n) {
		size_t room, maxraw, take = 0;

		if (!first) {
			crm_buf_adds(out, "\r\n ");
			col = 1;
		}
		/* "=?UTF-8?B?" + "?=" is 12 characters; 4 per 3 bytes. */
		room = col + 12 < LINE_MAX_SOFT ? LINE_MAX_SOFT - col - 12 : 4;
		maxraw = room / 4 * 3;
		if (maxraw < 6)
			maxraw = 6;   /* a word holds at least one character */
		while (i + take < n) {
			size_t l = u8len(s[i + take]);
			if (take + l > maxraw && take > 0)
				break;
			take += l;
		}
		if (i + take > n)
			take = n - i;
		crm_buf_adds(out, "=?UTF-8?B?");
		b64_chunk(out, s + i, take, b64, 1);
		crm_buf_adds(out, "?=");
		i += take;
		first = 0;
	}
}

/* The start of a run of white space (q > the start of the value). */
static int
wsp_start(const char *q)
{
	return (*q == ' ' || *q == '\t') && q[-1] != ' ' && q[-1] != '\t';
}

/* Plain ASCII, folded at spaces when a line would pass 78 columns.  Only
 * at the start of a run of white space that has text after it: a
 * continuation line of white space alone is not allowed (RFC 5322 3.2.2;
 * found by fuzz-mime). */
static void
fold_ascii(struct crm_buf *out, const char *v, size_t col)
{
	const char *last = v + strlen(v);

	while (last > v && (last[-1] == ' ' || last[-1] == '\t'))
		last--;
	while (*v) {
		size_t len = strlen(v);
		const char *brk = NULL, *q;

		if (col + len <= 78) {
			crm_buf_adds(out, v);
			return;
		}
		for (q = v + 1; q < last && (size_t)(q - v) + col <= 78; q++)
			if (wsp_start(q))
				brk = q;
		if (brk == NULL)
			for (q = v + 1; q < last; q++)
				if (wsp_start(q)) {
					brk = q;
					break;
				}
		if (brk == NULL) {
			crm_buf_adds(out, v);
			return;
		}
		crm_buf_add(out, v, (size_t)(brk - v));
		crm_buf_adds(out, "\r\n");
		v = brk;
		col = 0;
	}
}

int
crm_mime_header(struct crm_buf *out, const char *name, const char *value,
    struct crm_err *err)
{
	if (has_ctl(value))
		return crm_err_set(err, EX_DATAERR,
		    "%s: CR or LF in a header value is refused (header injection)",
		    name);
	if (strlen(value) > 900)
		return crm_err_set(err, EX_DATAERR, "%s: header value too long",
		    name);
	crm_buf_adds(out, name);
	crm_buf_adds(out, ": ");
	if (all_ascii(value))
		fold_ascii(out, value, strlen(name) + 2);
	else
		encode_words(out, value, strlen(name) + 2);
	crm_buf_adds(out, "\r\n");
	return 0;
}

/* atext and space only: a display name that needs no quoting. */
static int
plain_phrase(const char *s)
{
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || *s == ' ' ||
		    strchr("!#$%&'*+-/=?^_`{|}~", *s) != NULL))
			return 0;
	return 1;
}

int
crm_mime_address_header(struct crm_buf *out, const char *name,
    const char *display, const char *addr, struct crm_err *err)
{
	size_t col;

	if (has_ctl(addr) || (display != NULL && has_ctl(display)))
		return crm_err_set(err, EX_DATAERR,
		    "%s: CR or LF in a header value is refused (header injection)",
		    name);
	if (!crm_mime_addr_ok(addr))
		return crm_err_set(err, EX_DATAERR, "%s: '%s' is not an e-mail "
		    "address", name, addr);
	crm_buf_adds(out, name);
	crm_buf_adds(out, ": ");
	col = strlen(name) + 2;
	if (!crm_empty(display)) {
		if (strlen(display) > 400)
			return crm_err_set(err, EX_DATAERR,
			    "%s: display name too long", name);
		if (!all_ascii(display)) {
			size_t before = out->len;
			const char *nl;

			encode_words(out, display, col);
			nl = NULL;
			for (size_t i = before; i + 1 < out->len; i++)
				if (out->s[i] == '\n')
					nl = out->s + i;
			col = nl ? (size_t)(out->s + out->len - nl - 1)
			    : col + out->len - before;
		} else if (plain_phrase(display)) {
			crm_buf_adds(out, display);
			col += strlen(display);
		} else {
			crm_buf_addc(out, '"');
			for (const char *p = display; *p; p++) {
				if (*p == '"' || *p == '\\')
					crm_buf_addc(out, '\\');
				crm_buf_addc(out, *p);
			}
			crm_buf_addc(out, '"');
			col += strlen(display) + 2;
		}
		if (col + strlen(addr) + 3 > 78) {
			crm_buf_adds(out, "\r\n");
			col = 0;
		}
		crm_buf_adds(out, " <");
		crm_buf_adds(out, addr);
		crm_buf_addc(out, '>');
	} else
		crm_buf_adds(out, addr);
	crm_buf_adds(out, "\r\n");
	return 0;
}

int
crm_mime_addr_ok(const char *a)
{
	const char *at = strrchr(a, '@'), *p;

	if (at == NULL || at == a || at[1] == '\0' || strlen(a) > 254)
		return 0;
	for (p = a; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (c <= 0x20 || c >= 0x7f || strchr("<>()[]\\,;:\"", c) != NULL)
			return 0;
		if (c == '@' && p != at)
			return 0;
	}
	if (strchr(at + 1, '.') == NULL && strcmp(at + 1, "localhost") != 0)
		return 0;
	if (at[1] == '.' || a[strlen(a) - 1] == '.')
		return 0;
	return 1;
}

const char *
crm_mime_addr_domain(const char *addr)
{
	const char *at = strrchr(addr, '@');

	return at ? at + 1 : NULL;
}

int
crm_mime_parse_address(const char *in, char **display, char **addr,
    struct crm_err *err)
{
	const char *lt, *gt;
	char *d, *a;

	*display = *addr = NULL;
	lt = strrchr(in, '<');
	if (lt == NULL) {
		a = crm_trim(crm_xstrdup(in));
		if (!crm_mime_addr_ok(a)) {
			crm_err_set(err, EX_DATAERR, "'%s' is not an e-mail address", in);
			free(a);
			return -1;
		}
		*addr = a;
		return 0;
	}
	gt = strchr(lt, '>');
	if (gt == NULL || strspn(gt + 1, " \t") != strlen(gt + 1))
		return crm_err_set(err, EX_DATAERR,
		    "'%s' is not 'Name <address>'", in);
	a = crm_trim(crm_xstrndup(lt + 1, (size_t)(gt - lt - 1)));
	if (!crm_mime_addr_ok(a)) {
		crm_err_set(err, EX_DATAERR, "'%s' is not an e-mail address", a);
		free(a);
		return -1;
	}
	d = crm_trim(crm_xstrndup(in, (size_t)(lt - in)));
	/* A quoted display name loses its quotes; they are added back as
	 * needed when the header is written. */
	if (strlen(d) >= 2 && d[0] == '"' && d[strlen(d) - 1] == '"') {
		memmove(d, d + 1, strlen(d));
		d[strlen(d) - 1] = '\0';
	}
	if (*d == '\0') {
		free(d);
		d = NULL;
	}
	*display = d;
	*addr = a;
	return 0;
}

void
crm_mime_qp(struct crm_buf *out, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t col = 0, i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		char enc[4];
		size_t elen;

		if (c == '\r' && i + 1 < n && s[i + 1] == '\n')
			continue;
		if (c == '\n') {
			crm_buf_adds(out, "\r\n");
			col = 0;
			continue;
		}
		/* Trailing white space would be stripped in transit. */
		if ((c == ' ' || c == '\t') && (i + 1 == n || s[i + 1] == '\n' ||
		    s[i + 1] == '\r'))
			goto encode;
		/* A leading dot or "From " is harmless over SMTP (curl dot-stuffs)
		 * but not in an mbox; encoding it keeps both safe. */
		if (col == 0 && (c == '.' || (c == 'F' && n - i >= 5 &&
		    memcmp(s + i, "From ", 5) == 0)))
			goto encode;
		if ((c >= 33 && c <= 126 && c != '=') || c == ' ' || c == '\t') {
			enc[0] = (char)c;
			elen = 1;
			goto put;
		}
encode:
		enc[0] = '=';
		enc[1] = hex[c >> 4];
		enc[2] = hex[c & 15];
		elen = 3;
put:
		if (col + elen > 75) {
			crm_buf_adds(out, "=\r\n");
			col = 0;
			if (elen == 1 && (c == '.' || c == 'F')) {
				/* re-check the line-start rule on the new line */
				enc[0] = '=';
				enc[1] = hex[c >> 4];
				enc[2] = hex[c & 15];
				elen = 3;
			}
		}
		crm_buf_add(out, enc, elen);
		col += elen;
	}
	if (col > 0)
		crm_buf_adds(out, "\r\n");
}

void
crm_mime_part(struct crm_buf *out, const char *subtype, const char *text,
    size_t len)
{
	size_t i, high = 0;

	for (i = 0; i < len; i++)
		if ((unsigned char)text[i] >= 0x80)
			high++;
	crm_buf_addf(out, "Content-Type: text/%s; charset=UTF-8\r\n", subtype);
	/* QP costs 3 bytes per non-ASCII byte, base64 4 per 3 of any: past
	 * about a third of non-ASCII bytes base64 is the smaller. */
	if (high * 3 > len) {
		struct crm_buf crlf;

		crm_buf_init(&crlf);
		for (i = 0; i < len; i++) {
			if (text[i] == '\n' && (i == 0 || text[i - 1] != '\r'))
				crm_buf_addc(&crlf, '\r');
			crm_buf_addc(&crlf, text[i]);
		}
		crm_buf_adds(out, "Content-Transfer-Encoding: base64\r\n\r\n");
		crm_mime_base64(out, (const unsigned char *)(crlf.s ? crlf.s : ""),
		    crlf.len, 76);
		crm_buf_release(&crlf);
	} else {
		crm_buf_adds(out, "Content-Transfer-Encoding: quoted-printable\r\n\r\n");
		crm_mime_qp(out, text, len);
	}
}

void
crm_mime_date(char out[40], time_t t)
{
	static const char *const days[] = { "Sun", "Mon", "Tue", "Wed", "Thu",
		"Fri", "Sat" };
	static const char *const mons[] = { "Jan", "Feb", "Mar", "Apr", "May",
		"Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	struct tm tm;
	long off;

	localtime_r(&t, &tm);
	off = tm.tm_gmtoff / 60;
	snprintf(out, 40, "%s, %d %s %04d %02d:%02d:%02d %c%02d%02d",
	    days[tm.tm_wday % 7], tm.tm_mday % 100, mons[tm.tm_mon % 12],
	    (tm.tm_year + 1900) % 10000, tm.tm_hour % 100, tm.tm_min % 100,
	    tm.tm_sec % 100, off < 0 ? '-' : '+', (int)(labs(off) / 60 % 100),
	    (int)(labs(off) % 60));
}

void
crm_mime_message_id(char *out, size_t size, const char *campaign,
    int64_t customer_id, const char *domain)
{
	unsigned char md[SHA256_DIGEST_LENGTH];
	char hex[17];
	int i;

	SHA256((const unsigned char *)campaign, strlen(campaign), md);
	for (i = 0; i < 8; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	snprintf(out, size, "<%s.%lld@%s>", hex, (long long)customer_id,
	    crm_empty(domain) ? "localhost" : domain);
}
