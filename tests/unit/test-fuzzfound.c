/* test-fuzzfound.c: one regression test per finding of the fuzz targets
 * (tests/fuzz), with the input that found it, reduced. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mapping.h"
#include "mime.h"
#include "util.h"
#include "tap.h"

/* fuzz-mime: an ASCII Subject that is folded and ends in a space gave a
 * continuation line of white space alone (RFC 5322 3.2.2). */
static void
mime_fold_trailing_space(struct tap *t)
{
	struct crm_buf b;
	struct crm_err err;
	char v[120];
	int ok = 1;

	crm_buf_init(&b);
	memset(v, 'E', 90);
	v[0] = '.';
	v[90] = ' ';
	v[91] = '\0';
	tap_ok(t, crm_mime_header(&b, "Subject", v, &err) == 0, "long word, trailing space: encoded");
	for (char *p = b.s, *q; (q = strstr(p, "\r\n")) != NULL; p = q + 2)
		if (p != b.s && strspn(p, " \t") == (size_t)(q - p))
			ok = 0;
	tap_ok(t, ok, "no continuation line of white space alone");
	{
		char want[140];
		snprintf(want, sizeof want, "Subject: %s\r\n", v);
		tap_is_str(t, b.s, want, "the value kept whole");
	}
	/* Words and a run of spaces at the end: folded before the last word,
	 * never after it. */
	crm_buf_reset(&b);
	memset(v, ' ', sizeof v);
	memcpy(v, "Your order", 10);
	memset(v + 10, 'x', 1);
	v[40] = 'y';
	memset(v + 41, 'z', 30);
	v[110] = '\0';
	crm_mime_header(&b, "Subject", v, &err);
	ok = 1;
	for (char *p = b.s, *q; (q = strstr(p, "\r\n")) != NULL; p = q + 2)
		if (p != b.s && strspn(p, " \t") == (size_t)(q - p))
			ok = 0;
	tap_ok(t, ok, "spaces at the end: no line of white space alone");
	/* A long run of spaces before the only word. */
	crm_buf_reset(&b);
	memset(v, ' ', 100);
	v[100] = '&';
	v[101] = '\0';
	crm_mime_header(&b, "Subject", v, &err);
	ok = 1;
	for (char *p = b.s, *q; (q = strstr(p, "\r\n")) != NULL; p = q + 2)
		if (p != b.s && strspn(p, " \t") == (size_t)(q - p))
			ok = 0;
	tap_ok(t, ok, "100 spaces, then a word: no line of white space alone");
	crm_buf_release(&b);
}

/* fuzz-import: a mapping file with an unknown encoding loaded, and the
 * import then failed with a usage error naming no file or line. */
static void
mapping_bad_encoding(struct tap *t)
{
	char path[] = "/tmp/test-fuzzfound.XXXXXX";
	struct crm_mapping *m = NULL;
	struct crm_err err;
	FILE *f;
	int fd;

	fd = mkstemp(path);
	f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (f == NULL) {
		tap_ok(t, 0, "temporary mapping file");
		return;
	}
	fputs("kind = orders\nencoding = utf-7\norder_id = id\nordered_at = d\n", f);
	fclose(f);
	tap_ok(t, crm_mapping_load(path, &m, &err) < 0 && err.code == EX_DATAERR,
	    "unknown encoding in a mapping: EX_DATAERR at load");
	tap_ok(t, strstr(err.msg, "line 2: encoding: unknown 'utf-7'") != NULL,
	    "the message names the line and the value");
	crm_mapping_free(m);
	unlink(path);
}

int
main(void)
{
	struct tap t = TAP_INIT;

	mime_fold_trailing_space(&t);
	mapping_bad_encoding(&t);
	return tap_done(&t);
}
