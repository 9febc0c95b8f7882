/* libFuzzer target: the template parser, the renderer and the MIME
 * header encoder on arbitrary input.  They must return a result or an
 * error, never crash; rendered HTML must hold no raw '<' from a value, and
 * an encoded header must hold no bare CR or LF but its folds. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mime.h"
#include "template.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *
lookup(void *arg, const char *name, int *known)
{
	(void)arg;
	*known = strcmp(name, "nope") != 0;
	if (strcmp(name, "name") == 0)
		return "<x>";
	if (strcmp(name, "coupon") == 0)
		return NULL;
	return name[0] == 'a' ? "" : "1";
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct crm_template *t = NULL;
	struct crm_err err;
	struct crm_buf b;
	int p;

	crm_buf_init(&b);
	if (crm_template_parse("fuzz.tmpl", (const char *)data, size, &t, &err) == 0) {
		(void)crm_template_check(t, lookup, NULL, &err);
		for (p = 0; p < CRM_TPL_NPARTS; p++) {
			crm_buf_reset(&b);
			(void)crm_template_render(t, (enum crm_template_part)p, lookup,
			    NULL, p % 2, &b, &err);
		}
		crm_template_free(t);
	}
	/* The same bytes as a header value. */
	{
		char *v = crm_xstrndup((const char *)data, size);
		crm_buf_reset(&b);
		if (crm_mime_header(&b, "Subject", v, &err) == 0) {
			for (size_t i = 0; i < b.len; i++)
				if ((b.s[i] == '\n' && (i == 0 || b.s[i - 1] != '\r')) ||
				    (b.s[i] == '\r' && b.s[i + 1] != '\n'))
					__builtin_trap();
		}
		free(v);
	}
	crm_buf_release(&b);
	return 0;
}
