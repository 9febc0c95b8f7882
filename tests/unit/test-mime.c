/* Unit tests of lib/mime.c, lib/template.c and the token half of
 * lib/optout.c: expected values worked out by hand from the RFCs. */
#include <stdlib.h>
#include <string.h>

#include "mime.h"
#include "optout.h"
#include "template.h"
#include "util.h"
#include "tap.h"
#include "banned.h"

static const char *
lk(void *arg, const char *name, int *known)
{
	(void)arg;
	*known = 1;
	if (strcmp(name, "name") == 0)
		return "<A&B>";
	if (strcmp(name, "orders") == 0)
		return "2";
	if (strcmp(name, "zero") == 0)
		return "0";
	if (strcmp(name, "coupon") == 0)
		return NULL;
	*known = 0;
	return NULL;
}

static void
test_mime(struct tap *t)
{
	struct crm_buf b;
	struct crm_err err;
	unsigned char raw[64];
	size_t n;
	char *d, *a, mid[128];

	crm_buf_init(&b);
	crm_mime_qp(&b, "caf\xc3\xa9 = ok \n.dot\n", 17);
	tap_is_str(t, b.s, "caf=C3=A9 =3D ok=20\r\n=2Edot\r\n",
	    "QP: UTF-8, '=', trailing space, leading dot");
	crm_buf_reset(&b);
	{
		char line[200];
		memset(line, 'x', 100);
		line[100] = '\0';
		crm_mime_qp(&b, line, 100);
		tap_ok(t, strncmp(b.s + 75, "=\r\n", 3) == 0 && b.len == 100 + 3 + 2,
		    "QP: soft break after 75 columns");
	}
	crm_buf_reset(&b);
	tap_ok(t, crm_mime_header(&b, "Subject", "hello", &err) == 0 &&
	    strcmp(b.s, "Subject: hello\r\n") == 0, "ASCII header as is");
	crm_buf_reset(&b);
	crm_mime_header(&b, "Subject", "\xe6\x97\xa5\xe6\x9c\xac", &err);
	tap_is_str(t, b.s, "Subject: =?UTF-8?B?5pel5pys?=\r\n", "encoded word (日本)");
	crm_buf_reset(&b);
	tap_ok(t, crm_mime_header(&b, "Subject", "a\r\nBcc: x@y", &err) < 0 &&
	    err.code == EX_DATAERR, "CR/LF in a header refused");
	tap_ok(t, crm_mime_address_header(&b, "To", "a\nb", "a@example.com", &err) < 0,
	    "LF in a display name refused");
	crm_buf_reset(&b);
	crm_mime_address_header(&b, "From", "Shop, Inc.", "s@example.com", &err);
	tap_is_str(t, b.s, "From: \"Shop, Inc.\" <s@example.com>\r\n",
	    "display name with a comma is quoted");
	crm_buf_reset(&b);
	/* 30 three-byte characters: 90 bytes, at most 45 per word. */
	{
		char s[91];
		int i, ok = 1;
		char *p, *q;
		for (i = 0; i < 30; i++)
			memcpy(s + 3 * i, "\xe3\x81\x82", 3);
		s[90] = '\0';
		crm_mime_header(&b, "Subject", s, &err);
		for (p = b.s; (q = strstr(p, "\r\n")) != NULL; p = q + 2)
			if (q - p > 76)
				ok = 0;
		tap_ok(t, ok, "folded encoded words stay within 76 columns");
		tap_ok(t, strstr(b.s, "\r\n =?UTF-8?B?") != NULL, "continuation line");
	}
	crm_buf_reset(&b);
	crm_mime_base64url(&b, (const unsigned char *)"\xfb\xff", 2);
	tap_is_str(t, b.s, "-_8", "base64url alphabet, no padding");
	tap_ok(t, crm_mime_base64url_decode("-_8", raw, sizeof raw, &n) == 0 &&
	    n == 2 && raw[0] == 0xfb && raw[1] == 0xff, "base64url round trip");
	tap_ok(t, crm_mime_base64url_decode("a+b", raw, sizeof raw, &n) < 0,
	    "base64url refuses '+'");
	tap_ok(t, crm_mime_parse_address("山田 <s@example.com>", &d, &a, &err) == 0 &&
	    strcmp(d, "山田") == 0 && strcmp(a, "s@example.com") == 0,
	    "parse 'Name <addr>'");
	free(d);
	free(a);
	tap_ok(t, crm_mime_parse_address("not an address", &d, &a, &err) < 0,
	    "parse refuses garbage");
	tap_ok(t, crm_mime_addr_ok("a.b+c@example.co.jp"), "plausible address");
	tap_ok(t, !crm_mime_addr_ok("a b@example.com") && !crm_mime_addr_ok("a@b@c.com") &&
	    !crm_mime_addr_ok("@example.com") && !crm_mime_addr_ok("\xe5\xb1\xb1@example.com"),
	    "implausible addresses");
	crm_mime_message_id(mid, sizeof mid, "c1", 42, "example.com");
	tap_is_str(t, mid, "<d0f631ca1ddba8db.42@example.com>",
	    "Message-ID: sha256(c1)[0:8] . id @ domain");
	crm_buf_release(&b);
}

static void
test_template(struct tap *t)
{
	struct crm_template *tp;
	struct crm_err err;
	struct crm_buf b;
	static const char src[] =
	    "Subject: Hi {{name}}\r\nFrom: s@example.com\r\n\r\n"
	    "{{#orders}}\n  orders {{orders}}\n{{/orders}}\n"
	    "{{^zero}}none{{/zero}}|{{#zero}}never{{/zero}}\n"
	    "{{#coupon}}code {{coupon}}{{/coupon}}end\n"
	    "--- html ---\n<p>{{name}}</p>\n";

	crm_buf_init(&b);
	tap_ok(t, crm_template_parse("t.tmpl", src, sizeof src - 1, &tp, &err) == 0,
	    "template parses");
	crm_template_render(tp, CRM_TPL_SUBJECT, lk, NULL, 1, &b, &err);
	tap_is_str(t, b.s, "Hi <A&B>", "subject rendered, not escaped");
	crm_buf_reset(&b);
	tap_ok(t, crm_template_render(tp, CRM_TPL_TEXT, lk, NULL, 1, &b, &err) == 0,
	    "text renders");
	tap_is_str(t, b.s, "  orders 2\nnone|\nend\n",
	    "standalone section lines vanish; \"0\" is false; unset coupon hides");
	crm_buf_reset(&b);
	crm_template_render(tp, CRM_TPL_HTML, lk, NULL, 1, &b, &err);
	tap_is_str(t, b.s, "<p>&lt;A&amp;B&gt;</p>\n", "HTML escapes values");
	tap_is_str(t, crm_template_kind(tp), "newsletter", "default kind");
	crm_template_free(tp);

	tap_ok(t, crm_template_parse("u.tmpl", "Subject: x\n\n{{coupon}}\n", strlen("Subject: x\n\n{{coupon}}\n"), &tp,
	    &err) == 0, "parse coupon template");
	crm_buf_reset(&b);
	tap_ok(t, crm_template_render(tp, CRM_TPL_TEXT, lk, NULL, 1, &b, &err) < 0 &&
	    strstr(err.msg, "u.tmpl:3: {{coupon}} has no value") != NULL,
	    "strict: a plain field with no value is an error naming the line");
	crm_template_free(tp);

	tap_ok(t, crm_template_parse("v.tmpl", "Subject: x\n\na\nb {{nope}}\n", strlen("Subject: x\n\na\nb {{nope}}\n"),
	    &tp, &err) == 0, "parse unknown-field template");
	tap_ok(t, crm_template_check(tp, lk, NULL, &err) < 0 &&
	    strstr(err.msg, "v.tmpl:4: unknown field {{nope}}") != NULL,
	    "check names file and line of an unknown field");
	crm_template_free(tp);
	tap_ok(t, crm_template_parse("w.tmpl", "Subject: x\n\n{{ bad name }}\n", strlen("Subject: x\n\n{{ bad name }}\n"),
	    &tp, &err) < 0 && strstr(err.msg, "w.tmpl:3:") != NULL, "bad field name");
	tap_ok(t, crm_template_parse("x.tmpl", "Subject: x\n\n{{name\n}}\n", strlen("Subject: x\n\n{{name\n}}\n"),
	    &tp, &err) < 0 && strstr(err.msg, "x.tmpl:3: unterminated") != NULL,
	    "a tag across lines");
	tap_ok(t, crm_template_parse("y.tmpl", "Subject: x\n\n\xff\n", strlen("Subject: x\n\n\xff\n"), &tp, &err) < 0,
	    "invalid UTF-8 refused");
	crm_buf_release(&b);
}

static void
test_token(struct tap *t)
{
	static const unsigned char key[] = "0123456789abcdef0123456789abcdef";
	char tok[CRM_TOKEN_MAX], ch[16];
	int64_t id = 0;
	struct crm_err err;

	crm_optout_token(key, 32, 42, "newsletter", tok);
	/* HMAC-SHA256(key, "crm-unsubscribe:42:newsletter"), worked out with
	 * openssl dgst -sha256 -hmac, then base64url without padding. */
	tap_is_str(t, tok, "42.newsletter.XD0ba9h2qwTpdsBO6VtNoTljhmZyQlAvpyCovVC8Kck",
	    "token format and signature");
	tap_ok(t, crm_optout_verify(key, 32, tok, &id, ch, &err) == 0 && id == 42 &&
	    strcmp(ch, "newsletter") == 0, "token verifies");
	tok[strlen(tok) - 1] ^= 1;
	tap_ok(t, crm_optout_verify(key, 32, tok, &id, ch, &err) < 0 &&
	    err.code == EX_DATAERR, "a changed signature is refused");
	tap_ok(t, crm_optout_verify(key, 32, "42.sms.AAAA", &id, ch, &err) < 0,
	    "unknown channel refused");
}

int
main(void)
{
	struct tap t = TAP_INIT;

	test_mime(&t);
	test_template(&t);
	test_token(&t);
	return tap_done(&t);
}
