/* svg.h: small bar and line charts as standalone SVG files.
 *
 * A chart is a row of categories along x (months, shops, groups ...) and
 * one or more series of values over them.  The file has a fixed viewBox,
 * a title, a legend, a y axis with round ticks and the category labels
 * along x; text is UTF-8 and XML-escaped, with a font list that covers
 * Japanese (Noto Sans CJK JP, IPAexGothic, then the system's sans-serif).
 *
 * Every bar is a <rect class="bar"> and every line point a
 * <circle class="point">, in category order, each with data-category,
 * data-series and data-value attributes, so that scripts (and the tests)
 * can read the figures back from the drawing. */
#ifndef CRM_SVG_H
#define CRM_SVG_H

#include <stddef.h>
#include <stdio.h>

#include "err.h"

enum crm_chart_kind {
	CRM_CHART_BARS,       /* series side by side in each category */
	CRM_CHART_STACKED,    /* series stacked in one bar per category */
	CRM_CHART_LINES,      /* one line per series */
};

/* How the y axis labels its ticks. */
enum crm_chart_unit {
	CRM_UNIT_COUNT,       /* 1,234 */
	CRM_UNIT_YEN,         /* ¥1,234 */
	CRM_UNIT_SHARE,       /* a fraction shown as 25% */
};

#define CRM_CHART_WIDTH  800
#define CRM_CHART_HEIGHT 450

struct crm_chart;

struct crm_chart *crm_chart_new(enum crm_chart_kind kind, const char *title,
    const char *xlabel, const char *ylabel, enum crm_chart_unit unit);
void crm_chart_free(struct crm_chart *c);

/* Categories in x order; then each series with one value per category
 * (NAN where there is none: no bar, a gap in the line). */
void crm_chart_category(struct crm_chart *c, const char *label);
void crm_chart_series(struct crm_chart *c, const char *name,
    const double *vals, size_t n);

/* The whole document.  -1 (EX_IOERR) on a write error, or EX_DATAERR
 * when there is nothing to draw. */
int crm_chart_write(const struct crm_chart *c, FILE *fp, struct crm_err *err);

/* s as XML character data or attribute text: & < > " ' escaped, control
 * characters XML cannot carry and invalid UTF-8 replaced by U+FFFD. */
void crm_xml_escape(FILE *fp, const char *s);

#endif
