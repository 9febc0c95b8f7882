/* libFuzzer target: every normaliser and the date parser on arbitrary
 * (NUL-terminated) input.  They must return a result or an error, never
 * crash, and their results must be valid UTF-8. */
#include <stdint.h>
#include <stdio.h>
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
	/* A prefecture found is one of the 47, by name and by code. */
	p = NULL;
	if (crm_norm_prefecture(s, &p, &err) == 0 && p != NULL &&
	    (crm_pref_code(p) < 1 || strcmp(crm_pref_name(crm_pref_code(p) - 1), p) != 0))
		__builtin_trap();
	if ((p = crm_pref_from_address(s, &len)) != NULL &&
	    (crm_pref_code(p) < 1 || len > strlen(s)))
		__builtin_trap();
	(void)crm_norm_amount(s, &v, &err);
	(void)crm_norm_int(s, &v, &err);
	(void)crm_norm_bool(s, &b, &err);
	(void)crm_norm_status(s, &p, &err);
	if (crm_date_parse(s, ts, &err) == 0) {
		char again[CRM_TS_LEN], d2[CRM_DATE_LEN];
		long days, n = (long)(size % 4000) - 2000;

		/* A parsed timestamp parses to itself; adding n days and
		 * taking the difference gives n back. */
		if (crm_date_parse(ts, again, &err) < 0 || strcmp(ts, again) != 0)
			__builtin_trap();
		if (crm_date_add(ts, (int)n, d2, &err) == 0 &&
		    (crm_date_diff(ts, d2, &days, &err) < 0 || days != n))
			__builtin_trap();
	}
	(void)crm_date_range(s, "2026-11-22", lo, hi, &err);
	/* A format of a mapping file (date-format), up to a tab. */
	{
		char *tab = strchr(s, '\t');

		if (tab != NULL) {
			*tab = '\0';
			(void)crm_date_parse_fmt(tab + 1, s, ts, &err);
		}
	}
	/* Keys are canonical: normalising a key again gives the key. */
	{
		int (*idem[])(const char *, char **, struct crm_err *) = {
			crm_norm_email, crm_norm_phone, crm_norm_postcode,
		};
		for (size_t i = 0; i < sizeof idem / sizeof idem[0]; i++) {
			char *k = NULL, *k2 = NULL;

			if (idem[i](s, &k, &err) == 0 && k != NULL &&
			    (idem[i](k, &k2, &err) < 0 || k2 == NULL ||
			    strcmp(k, k2) != 0)) {
				fprintf(stderr, "not canonical (%zu): '%s' -> '%s' -> '%s'\n",
				    i, s, k, k2 ? k2 : "(error)");
				__builtin_trap();
			}
			free(k);
			free(k2);
		}
	}
	free(s);
	return 0;
}
