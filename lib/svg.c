/* svg.c: bar and line charts written as SVG by hand.
 *
 * The layout is computed for a fixed 800x450 viewBox: title on top, the
 * legend under it (wrapped into rows), the plot, then the category labels,
 * turned when they would not fit side by side.  Text widths are estimated
 * from the display width (a wide character counts two), which is all a
 * layout this simple needs. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "output.h"
#include "svg.h"
#include "util.h"
#include "banned.h"

struct series {
	char *name;
	double *vals;          /* ncat values, NAN when missing */
};

struct crm_chart {
	enum crm_chart_kind kind;
	enum crm_chart_unit unit;
	char *title, *xlabel, *ylabel;
	char **cats;
	size_t ncat, capcat;
	struct series *ser;
	size_t nser;
};

/* Colours that stay apart for the colour blind (Okabe-Ito, reordered). */
static const char *const palette[] = {
	"#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9",
	"#F0E442", "#000000",
};
#define NPALETTE (sizeof palette / sizeof palette[0])

static const char font_family[] =
    "'Noto Sans CJK JP', 'Noto Sans JP', IPAexGothic, IPAGothic, "
    "'Hiragino Sans', 'Yu Gothic', sans-serif";

struct crm_chart *
crm_chart_new(enum crm_chart_kind kind, const char *title, const char *xlabel,
    const char *ylabel, enum crm_chart_unit unit)
{
	struct crm_chart *c = crm_xcalloc(1, sizeof *c);

	c->kind = kind;
	c->unit = unit;
	c->title = crm_xstrdup(title ? title : "");
	c->xlabel = crm_xstrdup(xlabel ? xlabel : "");
	c->ylabel = crm_xstrdup(ylabel ? ylabel : "");
	return c;
}

void
crm_chart_free(struct crm_chart *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < c->ncat; i++)
		free(c->cats[i]);
	for (size_t i = 0; i < c->nser; i++) {
		free(c->ser[i].name);
		free(c->ser[i].vals);
	}
	free(c->cats);
	free(c->ser);
	free(c->title);
	free(c->xlabel);
	free(c->ylabel);
	free(c);
}

void
crm_chart_category(struct crm_chart *c, const char *label)
{
	if (c->ncat == c->capcat) {
		c->capcat = c->capcat ? c->capcat * 2 : 16;
		c->cats = crm_xreallocarray(c->cats, c->capcat, sizeof *c->cats);
	}
	c->cats[c->ncat++] = crm_xstrdup(label ? label : "");
}

/* Series are added after the categories; a short series is padded with
 * NAN, a long one cut, so that every series has ncat values. */
void
crm_chart_series(struct crm_chart *c, const char *name, const double *vals,
    size_t n)
{
	struct series *s;

	c->ser = crm_xreallocarray(c->ser, c->nser + 1, sizeof *c->ser);
	s = &c->ser[c->nser++];
	s->name = crm_xstrdup(name ? name : "");
	s->vals = crm_xcalloc(c->ncat ? c->ncat : 1, sizeof *s->vals);
	for (size_t i = 0; i < c->ncat; i++)
		s->vals[i] = i < n ? vals[i] : NAN;
}

void
crm_xml_escape(FILE *fp, const char *s)
{
	utf8proc_int32_t cp;
	utf8proc_ssize_t n;

	while (s && *s) {
		n = utf8proc_iterate((const utf8proc_uint8_t *)s, -1, &cp);
		if (n <= 0) {
			fputs("\xEF\xBF\xBD", fp);    /* U+FFFD */
			s++;
			continue;
		}
		switch (cp) {
		case '&': fputs("&amp;", fp); break;
		case '<': fputs("&lt;", fp); break;
		case '>': fputs("&gt;", fp); break;
		case '"': fputs("&quot;", fp); break;
		case '\'': fputs("&apos;", fp); break;
		default:
			/* XML 1.0 Char excludes most C0 controls and U+FFFE/F. */
			if ((cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') ||
			    cp == 0xFFFE || cp == 0xFFFF)
				fputs("\xEF\xBF\xBD", fp);
			else
				fwrite(s, 1, (size_t)n, fp);
		}
		s += n;
	}
}

/* Estimated width in px of text at a font size: a narrow character is
 * taken as 0.6 em, a wide one as 1 em. */
static double
text_width(const char *s, double size)
{
	return (double)crm_utf8_width(s) * 0.55 * size;
}

/* 1, 2 or 5 times a power of ten, at least x. */
static double
nice_step(double x)
{
	double mag, f;

	if (!(x > 0))
		return 1;
	mag = pow(10, floor(log10(x)));
	f = x / mag;
	if (f <= 1)
		return mag;
	if (f <= 2)
		return 2 * mag;
	if (f <= 5)
		return 5 * mag;
	return 10 * mag;
}

/* 1234567 -> "1,234,567"; decimals when the tick step needs them. */
static void
group_digits(char *out, size_t size, double v, int decimals)
{
	char tmp[64], *p, *dot;
	size_t o = 0, intlen, i;

	snprintf(tmp, sizeof tmp, "%.*f", decimals, fabs(v) < 1e-12 ? 0.0 : v);
	p = tmp;
	if (*p == '-' && o + 1 < size)
		out[o++] = *p++;
	dot = strchr(p, '.');
	intlen = dot ? (size_t)(dot - p) : strlen(p);
	for (i = 0; i < intlen && o + 2 < size; i++) {
		if (i > 0 && (intlen - i) % 3 == 0)
			out[o++] = ',';
		out[o++] = p[i];
	}
	for (p += intlen; *p && o + 1 < size; p++)
		out[o++] = *p;
	out[o] = '\0';
}

static int
decimals_for(double step)
{
	int d = 0;

	while (d < 6 && fabs(step * pow(10, d) - round(step * pow(10, d))) > 1e-9)
		d++;
	return d;
}

static void
tick_label(char *out, size_t size, enum crm_chart_unit unit, double v,
    double step)
{
	char num[64];

	switch (unit) {
	case CRM_UNIT_SHARE:
		group_digits(num, sizeof num, v * 100, decimals_for(step * 100));
		snprintf(out, size, "%s%%", num);
		break;
	case CRM_UNIT_YEN:
		group_digits(num, sizeof num, v, decimals_for(step));
		snprintf(out, size, "\xC2\xA5%s", num);   /* ¥ */
		break;
	case CRM_UNIT_COUNT:
		group_digits(num, sizeof num, v, decimals_for(step));
		snprintf(out, size, "%s", num);
		break;
	}
}

/* The y range: 0 always in it, about five round steps. */
static void
y_range(const struct crm_chart *c, double *lo, double *hi, double *step)
{
	double mn = 0, mx = 0, v;

	for (size_t i = 0; i < c->ncat; i++) {
		double pos = 0, neg = 0;

		for (size_t s = 0; s < c->nser; s++) {
			v = c->ser[s].vals[i];
			if (isnan(v))
				continue;
			if (c->kind == CRM_CHART_STACKED) {
				if (v >= 0)
					pos += v;
				else
					neg += v;
			} else {
				mx = v > mx ? v : mx;
				mn = v < mn ? v : mn;
			}
		}
		if (c->kind == CRM_CHART_STACKED) {
			mx = pos > mx ? pos : mx;
			mn = neg < mn ? neg : mn;
		}
	}
	if (mx - mn <= 0)
		mx = mn + 1;
	*step = nice_step((mx - mn) / 5);
	if (c->unit == CRM_UNIT_COUNT || c->unit == CRM_UNIT_YEN)
		*step = *step < 1 ? 1 : *step;     /* no half customers */
	*lo = floor(mn / *step) * *step;
	*hi = ceil(mx / *step) * *step;
	if (*hi <= *lo)
		*hi = *lo + *step;
}

/* Legend items flow left to right and wrap; returns the rows used. */
static int
legend(const struct crm_chart *c, FILE *fp, double x0, double y0, double maxw,
    int draw)
{
	double x = x0, y = y0, w;
	int rows = c->nser > 0 ? 1 : 0;

	for (size_t s = 0; s < c->nser; s++) {
		w = 18 + text_width(c->ser[s].name, 12) + 18;
		if (x > x0 && x + w > x0 + maxw) {
			x = x0;
			y += 18;
			rows++;
		}
		if (draw) {
			fprintf(fp, "<g class=\"legend-item\"><rect x=\"%.1f\" y=\"%.1f\" "
			    "width=\"12\" height=\"12\" fill=\"%s\"/><text x=\"%.1f\" "
			    "y=\"%.1f\">", x, y - 10, palette[s % NPALETTE], x + 16, y);
			crm_xml_escape(fp, c->ser[s].name);
			fputs("</text></g>\n", fp);
		}
		x += w;
	}
	return rows;
}

static void
mark_attrs(FILE *fp, const struct crm_chart *c, size_t i, size_t s, double v)
{
	fputs(" data-category=\"", fp);
	crm_xml_escape(fp, c->cats[i]);
	fputs("\" data-series=\"", fp);
	crm_xml_escape(fp, c->ser[s].name);
	fprintf(fp, "\" data-value=\"%.10g\"", v);
}

static void
mark_title(FILE *fp, const struct crm_chart *c, size_t i, size_t s, double v)
{
	fputs("<title>", fp);
	crm_xml_escape(fp, c->cats[i]);
	fputs(" ", fp);
	crm_xml_escape(fp, c->ser[s].name);
	fprintf(fp, ": %.10g</title>", v);
}

struct plot {
	double left, top, width, height, lo, hi;
};

static double
ypos(const struct plot *p, double v)
{
	return p->top + p->height - (v - p->lo) / (p->hi - p->lo) * p->height;
}

static void
draw_bars(const struct crm_chart *c, FILE *fp, const struct plot *p)
{
	double band = p->width / (double)c->ncat, inner = band * 0.8, bw, x, v;
	double base, top, y0 = ypos(p, 0);

	bw = c->kind == CRM_CHART_STACKED || c->nser == 0 ? inner * 0.7
	    : inner / (double)c->nser;
	/* Few categories would make slabs, not bars. */
	if (bw > 90) {
		inner -= (bw - 90) * (c->kind == CRM_CHART_STACKED ? 1 : (double)c->nser);
		bw = 90;
	}
	fputs("<g class=\"bars\">\n", fp);
	for (size_t i = 0; i < c->ncat; i++) {
		double pos = 0, neg = 0;

		for (size_t s = 0; s < c->nser; s++) {
			v = c->ser[s].vals[i];
			if (isnan(v))
				continue;
			if (c->kind == CRM_CHART_STACKED) {
				x = p->left + band * (double)i + (band - bw) / 2;
				base = v >= 0 ? pos : neg;
				if (v >= 0)
					pos += v;
				else
					neg += v;
				top = ypos(p, base + v);
				base = ypos(p, base);
			} else {
				x = p->left + band * (double)i + (band - inner) / 2 +
				    bw * (double)s;
				top = ypos(p, v);
				base = y0;
			}
			fprintf(fp, "<rect class=\"bar\"");
			mark_attrs(fp, c, i, s, v);
			fprintf(fp, " x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\""
			    " fill=\"%s\">", x, top < base ? top : base, bw > 1 ? bw - 1 : bw,
			    fabs(base - top), palette[s % NPALETTE]);
			mark_title(fp, c, i, s, v);
			fputs("</rect>\n", fp);
		}
	}
	fputs("</g>\n", fp);
}

static void
draw_lines(const struct crm_chart *c, FILE *fp, const struct plot *p)
{
	double band = p->width / (double)c->ncat, v;
	int pen;

	for (size_t s = 0; s < c->nser; s++) {
		fprintf(fp, "<g class=\"series\" stroke=\"%s\" fill=\"%s\">\n<path "
		    "class=\"line\" fill=\"none\" stroke-width=\"2\" d=\"",
		    palette[s % NPALETTE], palette[s % NPALETTE]);
		pen = 0;
		for (size_t i = 0; i < c->ncat; i++) {
			v = c->ser[s].vals[i];
			if (isnan(v)) {
				pen = 0;
				continue;
			}
			fprintf(fp, "%s%.1f %.1f ", pen ? "L" : "M",
			    p->left + band * ((double)i + 0.5), ypos(p, v));
			pen = 1;
		}
		fputs("\"/>\n", fp);
		for (size_t i = 0; i < c->ncat; i++) {
			v = c->ser[s].vals[i];
			if (isnan(v))
				continue;
			fputs("<circle class=\"point\"", fp);
			mark_attrs(fp, c, i, s, v);
			fprintf(fp, " cx=\"%.1f\" cy=\"%.1f\" r=\"3\">",
			    p->left + band * ((double)i + 0.5), ypos(p, v));
			mark_title(fp, c, i, s, v);
			fputs("</circle>\n", fp);
		}
		fputs("</g>\n", fp);
	}
}

static void
draw_axes(const struct crm_chart *c, FILE *fp, const struct plot *p,
    double step, int turn)
{
	double band = p->width / (double)c->ncat, x, y;
	size_t every = 1;
	char label[96];

	fputs("<g class=\"y-axis\" font-size=\"12\" text-anchor=\"end\">\n", fp);
	for (double v = p->lo; v <= p->hi + step / 1000; v += step) {
		y = ypos(p, v);
		tick_label(label, sizeof label, c->unit, v, step);
		fprintf(fp, "<line class=\"grid\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" "
		    "y2=\"%.1f\" stroke=\"%s\"/><text class=\"tick\" x=\"%.1f\" "
		    "y=\"%.1f\">", p->left, p->left + p->width, y, y,
		    fabs(v) < step / 1000 ? "#444" : "#ddd", p->left - 6, y + 4);
		crm_xml_escape(fp, label);
		fputs("</text>\n", fp);
	}
	fputs("</g>\n", fp);

	/* Turned labels need about 14 px each; thin them out beyond that. */
	while (turn && band * (double)every < 14)
		every++;
	fprintf(fp, "<g class=\"x-axis\" font-size=\"12\" text-anchor=\"%s\">\n",
	    turn ? "end" : "middle");
	fprintf(fp, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" "
	    "stroke=\"#444\"/>\n", p->left, p->left + p->width, p->top + p->height,
	    p->top + p->height);
	for (size_t i = 0; i < c->ncat; i += every) {
		x = p->left + band * ((double)i + 0.5);
		y = p->top + p->height + 16;
		if (turn)
			fprintf(fp, "<text class=\"category\" x=\"%.1f\" y=\"%.1f\" "
			    "transform=\"rotate(-40 %.1f %.1f)\">", x, y, x, y);
		else
			fprintf(fp, "<text class=\"category\" x=\"%.1f\" y=\"%.1f\">", x, y);
		crm_xml_escape(fp, c->cats[i]);
		fputs("</text>\n", fp);
	}
	fputs("</g>\n", fp);
}

int
crm_chart_write(const struct crm_chart *c, FILE *fp, struct crm_err *err)
{
	struct plot p;
	double step, maxw = 0, band;
	int rows, turn;

	if (c->ncat == 0 || c->nser == 0)
		return crm_err_set(err, EX_DATAERR, "nothing to draw");
	for (size_t i = 0; i < c->ncat; i++) {
		double w = text_width(c->cats[i], 12);
		maxw = w > maxw ? w : maxw;
	}
	p.left = 84;
	p.width = CRM_CHART_WIDTH - p.left - 24;
	band = p.width / (double)c->ncat;
	turn = maxw + 6 > band;
	rows = legend(c, fp, p.left, 0, p.width, 0);
	p.top = 44 + 18 * rows + 12;
	/* Turned labels hang down by their width times sin 40 degrees. */
	p.height = CRM_CHART_HEIGHT - p.top - (turn ? fmin(maxw * 0.65, 110) + 34
	    : 46);
	y_range(c, &p.lo, &p.hi, &step);

	errno = 0;
	fprintf(fp, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
	    "viewBox=\"0 0 %d %d\" font-family=\"%s\" font-size=\"12\">\n",
	    CRM_CHART_WIDTH, CRM_CHART_HEIGHT, CRM_CHART_WIDTH, CRM_CHART_HEIGHT,
	    font_family);
	fputs("<title>", fp);
	crm_xml_escape(fp, c->title);
	fprintf(fp, "</title>\n<rect class=\"background\" width=\"%d\" height=\"%d\" "
	    "fill=\"#ffffff\"/>\n", CRM_CHART_WIDTH, CRM_CHART_HEIGHT);
	fprintf(fp, "<text class=\"chart-title\" x=\"%d\" y=\"28\" font-size=\"18\" "
	    "font-weight=\"bold\" text-anchor=\"middle\">", CRM_CHART_WIDTH / 2);
	crm_xml_escape(fp, c->title);
	fputs("</text>\n<g class=\"legend\" font-size=\"12\">\n", fp);
	legend(c, fp, p.left, 56, p.width, 1);
	fputs("</g>\n", fp);
	draw_axes(c, fp, &p, step, turn);
	if (c->kind == CRM_CHART_LINES)
		draw_lines(c, fp, &p);
	else
		draw_bars(c, fp, &p);
	fprintf(fp, "<text class=\"y-label\" x=\"18\" y=\"%.1f\" text-anchor=\"middle\" "
	    "transform=\"rotate(-90 18 %.1f)\">", p.top + p.height / 2,
	    p.top + p.height / 2);
	crm_xml_escape(fp, c->ylabel);
	fprintf(fp, "</text>\n<text class=\"x-label\" x=\"%.1f\" y=\"%d\" "
	    "text-anchor=\"middle\">", p.left + p.width / 2, CRM_CHART_HEIGHT - 8);
	crm_xml_escape(fp, c->xlabel);
	fputs("</text>\n</svg>\n", fp);
	if (fflush(fp) != 0 || ferror(fp))
		return crm_err_set(err, EX_IOERR, "write error: %s",
		    errno ? strerror(errno) : "output failed");
	return 0;
}
