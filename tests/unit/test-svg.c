/* Unit tests of lib/svg.c: XML escaping, tick labels, what is drawn for
 * missing values, and errors. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "svg.h"
#include "tap.h"

static char *
escaped(const char *s)
{
	char *out = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&out, &len);

	crm_xml_escape(fp, s);
	fclose(fp);
	return out;
}

static char *
drawn(const struct crm_chart *c, int *rc, struct crm_err *err)
{
	char *out = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&out, &len);

	*rc = crm_chart_write(c, fp, err);
	fclose(fp);
	return out;
}

static int
count(const char *hay, const char *needle)
{
	int n = 0;

	for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle))
		n++;
	return n;
}

static void
test_escape(struct tap *t)
{
	char *s;

	s = escaped("a&b<c>\"d'e");
	tap_is_str(t, s, "a&amp;b&lt;c&gt;&quot;d&apos;e", "the five XML specials");
	free(s);
	s = escaped("本店\tA");
	tap_is_str(t, s, "本店\tA", "UTF-8 and tab pass");
	free(s);
	s = escaped("x\001y");
	tap_is_str(t, s, "x\xEF\xBF\xBDy", "a C0 control becomes U+FFFD");
	free(s);
	s = escaped("x\xFFy\xE6\x9C");
	tap_is_str(t, s, "x\xEF\xBF\xBDy\xEF\xBF\xBD\xEF\xBF\xBD",
	    "invalid and truncated UTF-8 become U+FFFD per byte");
	free(s);
	s = escaped(NULL);
	tap_is_str(t, s, "", "NULL is empty");
	free(s);
}

static void
test_bars(struct tap *t)
{
	struct crm_chart *c = crm_chart_new(CRM_CHART_BARS, "T & <t>", "x", "y",
	    CRM_UNIT_COUNT);
	double a[] = { 0, 5, 10 }, b[] = { 1, NAN, 3 };
	struct crm_err err;
	char *s;
	int rc;

	crm_chart_category(c, "one");
	crm_chart_category(c, "two");
	crm_chart_category(c, "three");
	crm_chart_series(c, "a", a, 3);
	crm_chart_series(c, "b", b, 3);
	s = drawn(c, &rc, &err);
	tap_is_int(t, rc, 0, "bars: written");
	tap_is_int(t, count(s, "<rect class=\"bar\""), 5, "a NAN value draws no bar");
	tap_ok(t, strstr(s, "data-category=\"two\" data-series=\"a\" data-value=\"5\"")
	    != NULL, "bars carry category, series and value");
	tap_ok(t, strstr(s, "<title>T &amp; &lt;t&gt;</title>") != NULL, "title escaped");
	tap_is_int(t, count(s, "class=\"tick\""), 6, "ticks 0, 2, ..., 10");
	tap_ok(t, strstr(s, ">10</text>") != NULL && strstr(s, ">2</text>") != NULL,
	    "tick labels are round numbers");
	tap_is_int(t, count(s, "class=\"legend-item\""), 2, "one legend item per series");
	free(s);
	crm_chart_free(c);
}

static void
test_lines_share(struct tap *t)
{
	struct crm_chart *c = crm_chart_new(CRM_CHART_LINES, "", "", "",
	    CRM_UNIT_SHARE);
	double a[] = { 0.002, NAN, 0.004, 0.001 };
	struct crm_err err;
	char *s, *d, *e;
	int rc, n;

	for (int i = 0; i < 4; i++)
		crm_chart_category(c, i % 2 ? "odd" : "even");
	crm_chart_series(c, "s", a, 4);
	s = drawn(c, &rc, &err);
	tap_is_int(t, rc, 0, "lines: written");
	tap_is_int(t, count(s, "<circle class=\"point\""), 3, "a point per value");
	d = strstr(s, " d=\"");
	e = d ? strchr(d + 4, '"') : NULL;
	for (n = 0; d && e && d < e; d++)
		n += *d == 'M';
	tap_is_int(t, n, 2, "a NAN breaks the line in two");
	tap_ok(t, strstr(s, ">0.1%</text>") != NULL, "a share of 0.001 is 0.1%");
	free(s);
	crm_chart_free(c);
}

static void
test_errors(struct tap *t)
{
	struct crm_chart *c = crm_chart_new(CRM_CHART_STACKED, "", "", "",
	    CRM_UNIT_YEN);
	double v[] = { 1000 };
	struct crm_err err;
	char *s;
	int rc;
	FILE *full;

	s = drawn(c, &rc, &err);
	tap_is_int(t, rc == -1 ? err.code : 0, EX_DATAERR, "nothing to draw: EX_DATAERR");
	free(s);
	crm_chart_category(c, "x");
	crm_chart_series(c, "s", v, 1);
	full = fopen("/dev/full", "w");
	if (full != NULL) {
		rc = crm_chart_write(c, full, &err);
		tap_is_int(t, rc == -1 ? err.code : 0, EX_IOERR, "a full disk: EX_IOERR");
		fclose(full);
	}
	s = drawn(c, &rc, &err);
	tap_ok(t, strstr(s, ">\xC2\xA5" "1,000</text>") != NULL, "yen ticks: ¥1,000");
	free(s);
	crm_chart_free(c);
}

int
main(void)
{
	struct tap t = TAP_INIT;

	test_escape(&t);
	test_bars(&t);
	test_lines_share(&t);
	test_errors(&t);
	return tap_done(&t);
}
