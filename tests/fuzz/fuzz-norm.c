/* libFuzzer target: every normaliser and the date parser on arbitrary
 * (NUL-terminated) input.  They must return a result or an error, never
 * crash, and their results must be valid UTF-8. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "enc.h"
#include "norm.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(char *s)
{
	if (s != NULL && !crm_utf8_valid(s, strlen(s)))
		__builtin_trap();
	free(s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int (*fn[])(const char *, char **, struct crm_err *) = {
		crm_norm_email, crm_norm_phone, crm_norm_name, crm_norm_kana,
		crm_norm_postcode, crm_norm_address,
	};
	struct crm_err err;
	char *s, *out, ts[CRM_TS_LEN], lo[CRM_DATE_LEN], hi[CRM_DATE_LEN];
	const char *p;
	int64_t v;
	int b;
	size_t len;

	s = crm_xstrndup((const char *)data, size);
	if (!crm_utf8_valid(s, strlen(s))) {
		free(s);
		return 0;
	}
	for (size_t i = 0; i < sizeof fn / sizeof fn[0]; i++) {
		out = NULL;
		if (fn[i](s, &out, &err) == 0)
			check(out);
	}
	check(crm_norm_fold(s));
	(void)crm_norm_prefecture(s, &p, &err);
	(void)crm_pref_from_address(s, &len);
	(void)crm_norm_amount(s, &v, &err);
	(void)crm_norm_int(s, &v, &err);
	(void)crm_norm_bool(s, &b, &err);
	(void)crm_norm_status(s, &p, &err);
	(void)crm_date_parse(s, ts, &err);
	(void)crm_date_range(s, "2026-11-22", lo, hi, &err);
	free(s);
	return 0;
}
