/* date.c: dates and times as shops write them, in local time.
 *
 * The parser is hand-written rather than a list of strptime formats
 * because the shapes differ in small ways (1 or 2 digit months, 年月日,
 * optional seconds, "+0900", "+09:00" or "Z") and strptime accepts
 * 2026-02-31.  Every parsed date is checked against the calendar.
 * Offsets are applied with timegm and the result shown in TZ. */
#define _XOPEN_SOURCE 700	/* strptime */
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <utf8proc.h>

#include "date.h"
#include "util.h"
#include "banned.h"

#define EXPECTED "expected 2026-11-22, 2026/11/22 10:05, " \
	"2026-11-22T10:05:00+09:00, 2026年11月22日 or 20261122"

struct dt {
	int y, mo, d, h, mi, s;
	int wday;		/* day of the week written beside the date; -1 */
	int ampm;		/* 0 none, 1 午前/AM, 2 午後/PM */
	int has_tz;
	long off;		/* seconds east of UTC */
};

static int
leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
mdays(int y, int m)
{
	static const int n[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	return m == 2 && leap(y) ? 29 : n[m - 1];
}

/* NFKC so that ２０２６／１１／２２ and １０：０５ read as ASCII; trimmed. */
static char *
nfkc(const char *in)
{
	utf8proc_uint8_t *s = NULL;
	utf8proc_ssize_t n;
	char *p, *q;

	for (p = (char *)in; *p != '\0' && (unsigned char)*p < 0x80; p++)
		;
	if (*p == '\0') {	/* ASCII: nothing for NFKC to do */
		q = crm_xstrdup(in);
		crm_trim(q);
		return q;
	}
	n = utf8proc_map((const utf8proc_uint8_t *)in, (utf8proc_ssize_t)strlen(in),
	    &s, (utf8proc_option_t)(UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_COMPAT));
	if (n < 0) {
		if (n == UTF8PROC_ERROR_NOMEM)
			abort();
		return NULL;
	}
	p = (char *)s;
	while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
		p++;
	q = crm_xstrdup(p);
	free(s);
	crm_trim(q);
	return q;
}

/* min..max digits; no sign, no spaces. */
static int
digits(const char **p, int min, int max, int *v)
{
	int n = 0, x = 0;

	while (n < max && isdigit((unsigned char)(*p)[n])) {
		x = x * 10 + ((*p)[n] - '0');
		n++;
	}
	if (n < min)
		return -1;
	*p += n;
	*v = x;
	return 0;
}

static int
lit(const char **p, const char *s)
{
	size_t n = strlen(s);

	if (strncmp(*p, s, n) != 0)
		return 0;
	*p += n;
	return 1;
}

/* "Z", "+09:00", "+0900", "+09", "UTC", "GMT", "JST"; spaces before. */
static int
zone(const char **p, struct dt *t)
{
	int h, m = 0, sign;

	while (**p == ' ')
		(*p)++;
	if (**p == '\0')
		return 0;
	if (lit(p, "Z") || lit(p, "UTC") || lit(p, "GMT")) {
		t->has_tz = 1;
		t->off = 0;
		return 0;
	}
	if (lit(p, "JST")) {
		t->has_tz = 1;
		t->off = 9 * 3600;
		return 0;
	}
	if (**p != '+' && **p != '-')
		return -1;
	sign = **p == '-' ? -1 : 1;
	(*p)++;
	if (digits(p, 2, 2, &h) < 0)
		return -1;
	if (**p == ':')
		(*p)++;
	if (isdigit((unsigned char)**p) && digits(p, 2, 2, &m) < 0)
		return -1;
	if (h > 14 || m > 59)
		return -1;
	t->has_tz = 1;
	t->off = sign * (h * 3600L + m * 60L);
	return 0;
}

/* 12-hour clock: 午後3:05, 3:05 PM, 午前0時. */
static int
twelve(struct dt *t)
{
	if (t->ampm == 0)
		return 0;
	if (t->h > 12)
		return -1;
	if (t->ampm == 2 && t->h < 12)
		t->h += 12;
	else if (t->ampm == 1 && t->h == 12)
		t->h = 0;
	return 0;
}

/* "(日)", "(日曜)", "(日曜日)" after a date, as Japanese systems print it. */
static int
weekday(const char **p, struct dt *t)
{
	static const char *const wd[7] = { "日", "月", "火", "水", "木", "金", "土" };
	int i;

	t->wday = -1;
	while (**p == ' ')
		(*p)++;
	if (**p != '(')
		return 0;
	(*p)++;
	for (i = 0; i < 7 && !lit(p, wd[i]); i++)
		;
	if (i == 7)
		return -1;
	if (lit(p, "曜"))
		lit(p, "日");
	if (!lit(p, ")"))
		return -1;
	t->wday = i;
	return 0;
}

/* After the date: [T| ]H:MM[:SS[.frac]] or H時M分[S秒], then a zone;
 * 午前/午後 before or AM/PM after the time. */
static int
clock_part(const char **p, struct dt *t, int kanji)
{
	const char *q;

	if (**p == 'T' || **p == ' ')
		(*p)++;
	while (**p == ' ')
		(*p)++;
	if (**p == '\0')
		return 0;
	if (lit(p, "午前"))
		t->ampm = 1;
	else if (lit(p, "午後"))
		t->ampm = 2;
	while (**p == ' ')
		(*p)++;
	if (digits(p, 1, 2, &t->h) < 0)
		return -1;
	if (kanji && lit(p, "時")) {
		if (**p != '\0' && (digits(p, 1, 2, &t->mi) < 0 || !lit(p, "分")))
			return -1;
		if (**p != '\0' && (digits(p, 1, 2, &t->s) < 0 || !lit(p, "秒")))
			return -1;
		return **p == '\0' ? twelve(t) : -1;
	}
	if (!lit(p, ":") || digits(p, 2, 2, &t->mi) < 0)
		return -1;
	if (lit(p, ":")) {
		if (digits(p, 2, 2, &t->s) < 0)
			return -1;
		if (**p == '.' || **p == ',') {
			(*p)++;
			if (!isdigit((unsigned char)**p))
				return -1;
			while (isdigit((unsigned char)**p))
				(*p)++;
		}
	}
	for (q = *p; *q == ' '; q++)
		;
	if (t->ampm == 0 && (lit(&q, "AM") || lit(&q, "am"))) {
		t->ampm = 1;
		*p = q;
	} else if (t->ampm == 0 && (lit(&q, "PM") || lit(&q, "pm"))) {
		t->ampm = 2;
		*p = q;
	}
	if (zone(p, t) < 0)
		return -1;
	return **p == '\0' ? twelve(t) : -1;
}

static int
parse(const char *s, struct dt *t)
{
	const char *p = s;
	size_t n = strlen(s);
	char sep;

	memset(t, 0, sizeof *t);
	t->wday = -1;
	/* 20261122 and 20261122103000, as some systems write them. */
	if ((n == 8 || n == 14) && strspn(s, "0123456789") == n) {
		digits(&p, 4, 4, &t->y);
		digits(&p, 2, 2, &t->mo);
		digits(&p, 2, 2, &t->d);
		if (n == 14) {
			digits(&p, 2, 2, &t->h);
			digits(&p, 2, 2, &t->mi);
			digits(&p, 2, 2, &t->s);
		}
		return 0;
	}
	if (digits(&p, 4, 4, &t->y) < 0)
		return -1;
	if (lit(&p, "年")) {
		if (digits(&p, 1, 2, &t->mo) < 0 || !lit(&p, "月") ||
		    digits(&p, 1, 2, &t->d) < 0 || !lit(&p, "日") ||
		    weekday(&p, t) < 0)
			return -1;
		while (*p == ' ')
			p++;
		return clock_part(&p, t, 1);
	}
	sep = *p;
	if (sep != '-' && sep != '/' && sep != '.')
		return -1;
	p++;
	if (digits(&p, 1, 2, &t->mo) < 0 || *p != sep)
		return -1;
	p++;
	if (digits(&p, 1, 2, &t->d) < 0 || weekday(&p, t) < 0)
		return -1;
	return clock_part(&p, t, 0);
}

static const char *const month_name[] = { "January", "February", "March",
	"April", "May", "June", "July", "August", "September", "October",
	"November", "December" };

static int
check(const struct dt *t, const char *in, struct crm_err *err)
{
	if (t->y < 1000 || t->y > 9999)
		return crm_err_set(err, EX_DATAERR,
		    "date: '%s': year %d is out of range (1000..9999)", in, t->y);
	if (t->mo < 1 || t->mo > 12)
		return crm_err_set(err, EX_DATAERR,
		    "date: '%s': there is no month %d", in, t->mo);
	if (t->d < 1 || t->d > mdays(t->y, t->mo))
		return crm_err_set(err, EX_DATAERR,
		    "date: '%s': there is no day %d in %s %d (it has %d days)",
		    in, t->d, month_name[t->mo - 1], t->y, mdays(t->y, t->mo));
	if (t->h > 23 || t->mi > 59 || t->s > 59)
		return crm_err_set(err, EX_DATAERR,
		    "date: '%s': %02d:%02d:%02d is not a time of day", in, t->h,
		    t->mi, t->s);
	if (t->wday >= 0) {
		static const char *const wd[7] = { "日", "月", "火", "水", "木", "金", "土" };
		struct tm tm;
		time_t when;

		memset(&tm, 0, sizeof tm);
		tm.tm_year = t->y - 1900;
		tm.tm_mon = t->mo - 1;
		tm.tm_mday = t->d;
		tm.tm_hour = 12;
		when = timegm(&tm);
		if (gmtime_r(&when, &tm) != NULL && tm.tm_wday != t->wday)
			return crm_err_set(err, EX_DATAERR,
			    "date: '%s': %04d-%02d-%02d is a %s曜日, not %s曜日", in,
			    t->y, t->mo, t->d, wd[tm.tm_wday], wd[t->wday]);
	}
	return 0;
}

static void
fmt_tm(const struct tm *tm, char out[CRM_TS_LEN])
{
	snprintf(out, CRM_TS_LEN, "%04u-%02u-%02u %02u:%02u:%02u",
	    (unsigned)(tm->tm_year + 1900) % 10000u,
	    (unsigned)(tm->tm_mon + 1) % 100u, (unsigned)tm->tm_mday % 100u,
	    (unsigned)tm->tm_hour % 100u, (unsigned)tm->tm_min % 100u,
	    (unsigned)tm->tm_sec % 100u);
}

/* Fields (in UTC offset t->off if has_tz, else local) -> out, local. */
static int
emit(const struct dt *t, const char *in, char out[CRM_TS_LEN],
    struct crm_err *err)
{
	struct tm tm;
	time_t when;

	memset(&tm, 0, sizeof tm);
	tm.tm_year = t->y - 1900;
	tm.tm_mon = t->mo - 1;
	tm.tm_mday = t->d;
	tm.tm_hour = t->h;
	tm.tm_min = t->mi;
	tm.tm_sec = t->s;
	if (t->has_tz) {
		when = timegm(&tm) - (time_t)t->off;
		if (localtime_r(&when, &tm) == NULL)
			return crm_err_set(err, EX_DATAERR,
			    "date: '%s': cannot be represented", in);
	}
	fmt_tm(&tm, out);
	return 0;
}

int
crm_date_parse(const char *in, char out[CRM_TS_LEN], struct crm_err *err)
{
	struct dt t;
	char *s;
	int r;

	if (in == NULL || (s = nfkc(in)) == NULL)
		return crm_err_set(err, EX_DATAERR, "date: invalid UTF-8");
	if (*s == '\0') {
		free(s);
		return crm_err_set(err, EX_DATAERR, "date: empty (" EXPECTED ")");
	}
	if (parse(s, &t) < 0) {
		r = crm_err_set(err, EX_DATAERR, "date: '%s' is not a date (" EXPECTED ")", s);
		free(s);
		return r;
	}
	r = check(&t, s, err);
	if (r == 0)
		r = emit(&t, s, out, err);
	free(s);
	return r;
}

int
crm_date_parse_fmt(const char *in, const char *fmt, char out[CRM_TS_LEN],
    struct crm_err *err)
{
	struct tm tm;
	struct dt t;
	char *s;
	const char *end;
	int r;

	if (fmt == NULL || *fmt == '\0')
		return crm_date_parse(in, out, err);
	if (in == NULL || (s = nfkc(in)) == NULL)
		return crm_err_set(err, EX_DATAERR, "date: invalid UTF-8");
	memset(&tm, 0, sizeof tm);
	tm.tm_year = INT_MIN;
	tm.tm_mday = 1;
	end = strptime(s, fmt, &tm);
	if (end != NULL)
		while (*end == ' ')
			end++;
	if (end == NULL || *end != '\0' || tm.tm_year == INT_MIN) {
		r = crm_err_set(err, EX_DATAERR,
		    "date: '%s' does not match the format '%s'", s, fmt);
		free(s);
		return r;
	}
	memset(&t, 0, sizeof t);
	t.wday = -1;
	t.y = tm.tm_year + 1900;
	t.mo = tm.tm_mon + 1;
	t.d = tm.tm_mday;
	t.h = tm.tm_hour;
	t.mi = tm.tm_min;
	t.s = tm.tm_sec;
	/* glibc's %z fills tm_gmtoff; without %z the time is local. */
	if (strstr(fmt, "%z") != NULL) {
		t.has_tz = 1;
		t.off = tm.tm_gmtoff;
	}
	r = check(&t, s, err);
	if (r == 0)
		r = emit(&t, s, out, err);
	free(s);
	return r;
}

/* Strict YYYY-MM-DD (a timestamp's date part is accepted too). */
static int
ymd(const char *s, struct dt *t)
{
	const char *p = s;

	memset(t, 0, sizeof *t);
	t->wday = -1;
	if (digits(&p, 4, 4, &t->y) < 0 || !lit(&p, "-") ||
	    digits(&p, 2, 2, &t->mo) < 0 || !lit(&p, "-") ||
	    digits(&p, 2, 2, &t->d) < 0)
		return -1;
	if (*p != '\0' && *p != ' ' && *p != 'T')
		return -1;
	return 0;
}

static int
ymd_checked(const char *s, const char *what, struct dt *t, struct crm_err *err)
{
	if (s == NULL || ymd(s, t) < 0) {
		crm_err_set(err, EX_DATAERR,
		    "%s: '%s' is not a date (expected YYYY-MM-DD)", what,
		    s ? s : "");
		return -1;
	}
	if (check(t, s, err) < 0) {
		crm_err_prefix(err, "%s: ", what);
		return -1;
	}
	return 0;
}

/* Noon UTC of the day: day arithmetic that no DST change can shift. */
static time_t
noon(const struct dt *t)
{
	struct tm tm;

	memset(&tm, 0, sizeof tm);
	tm.tm_year = t->y - 1900;
	tm.tm_mon = t->mo - 1;
	tm.tm_mday = t->d;
	tm.tm_hour = 12;
	return timegm(&tm);
}

static void
fmt_date(const struct tm *tm, char out[CRM_DATE_LEN])
{
	snprintf(out, CRM_DATE_LEN, "%04u-%02u-%02u",
	    (unsigned)(tm->tm_year + 1900) % 10000u,
	    (unsigned)(tm->tm_mon + 1) % 100u, (unsigned)tm->tm_mday % 100u);
}

/* --today and CRM_TODAY fix "today" for cron jobs and tests: a typo there
 * must stop the run, not silently use the real date. */
static int
today_value(const char *v, const char *what, char out[CRM_DATE_LEN],
    struct crm_err *err)
{
	struct dt t;

	if (strlen(v) != 10 || ymd(v, &t) < 0)
		return crm_err_set(err, EX_USAGE,
		    "%s: '%s' is not a date (expected YYYY-MM-DD)", what, v);
	if (check(&t, v, err) < 0) {
		crm_err_prefix(err, "%s: ", what);
		err->code = EX_USAGE;
		return -1;
	}
	memcpy(out, v, CRM_DATE_LEN);
	return 0;
}

int
crm_today(const char *opt, char out[CRM_DATE_LEN], struct crm_err *err)
{
	struct tm tm;
	time_t now;
	const char *env;

	if (opt != NULL && *opt != '\0')
		return today_value(opt, "--today", out, err);
	env = getenv("CRM_TODAY");
	if (env != NULL && *env != '\0')
		return today_value(env, "CRM_TODAY", out, err);
	now = time(NULL);
	if (localtime_r(&now, &tm) == NULL)
		return crm_err_set(err, EX_OSERR, "cannot read the local time");
	fmt_date(&tm, out);
	return 0;
}

int
crm_date_add(const char *date, int days, char out[CRM_DATE_LEN],
    struct crm_err *err)
{
	struct dt t;
	struct tm tm;
	time_t when;

	if (ymd_checked(date, "date", &t, err) < 0)
		return -1;
	if (days > 3650000 || days < -3650000)
		return crm_err_set(err, EX_DATAERR, "date: %d days is out of range", days);
	when = noon(&t) + (time_t)days * 86400;
	if (gmtime_r(&when, &tm) == NULL || tm.tm_year + 1900 < 1000 ||
	    tm.tm_year + 1900 > 9999)
		return crm_err_set(err, EX_DATAERR,
		    "date: %s %+d days is out of range", date, days);
	fmt_date(&tm, out);
	return 0;
}

int
crm_date_diff(const char *a, const char *b, long *days, struct crm_err *err)
{
	struct dt ta, tb;

	if (ymd_checked(a, "date", &ta, err) < 0 ||
	    ymd_checked(b, "date", &tb, err) < 0)
		return -1;
	*days = (long)((noon(&tb) - noon(&ta)) / 86400);
	return 0;
}

/* One end of a range: "" (open), YYYY-MM-DD, or Nd (N days before today). */
static int
range_end(const char *s, size_t n, const char *today, char out[CRM_DATE_LEN],
    const char *spec, struct crm_err *err)
{
	char buf[32];
	struct dt t;
	size_t i;
	long v = 0;

	out[0] = '\0';
	while (n > 0 && *s == ' ')
		s++, n--;
	while (n > 0 && s[n - 1] == ' ')
		n--;
	if (n == 0)
		return 0;
	if (n >= sizeof buf)
		goto bad;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (buf[n - 1] == 'd' && n >= 2) {
		for (i = 0; i + 1 < n; i++) {
			if (!isdigit((unsigned char)buf[i]) || v > 1000000)
				goto bad;
			v = v * 10 + (buf[i] - '0');
		}
		return crm_date_add(today, -(int)v, out, err);
	}
	if (ymd(buf, &t) < 0 || n != 10)
		goto bad;
	if (check(&t, buf, err) < 0) {
		crm_err_prefix(err, "range '%s': ", spec);
		err->code = EX_USAGE;
		return -1;
	}
	memcpy(out, buf, CRM_DATE_LEN);
	return 0;
bad:
	return crm_err_set(err, EX_USAGE,
	    "range '%s': '%.*s' is not a date (expected YYYY-MM-DD or Nd, N days ago)",
	    spec, (int)n, s);
}

int
crm_date_range(const char *spec, const char *today, char lo[CRM_DATE_LEN],
    char hi[CRM_DATE_LEN], struct crm_err *err)
{
	char now[CRM_DATE_LEN];
	const char *dots;

	lo[0] = hi[0] = '\0';
	if (spec == NULL || *spec == '\0')
		return crm_err_set(err, EX_USAGE,
		    "empty date range (expected MIN..MAX, either side optional)");
	if (today == NULL || *today == '\0') {
		if (crm_today(NULL, now, err) < 0)
			return -1;
		today = now;
	}
	dots = strstr(spec, "..");
	if (dots == NULL) {
		if (range_end(spec, strlen(spec), today, lo, spec, err) < 0)
			return -1;
		if (lo[0] == '\0')
			return crm_err_set(err, EX_USAGE,
			    "empty date range (expected MIN..MAX, either side optional)");
		memcpy(hi, lo, CRM_DATE_LEN);
		return 0;
	}
	if (strstr(dots + 2, "..") != NULL || strchr(dots + 2, '.') != NULL)
		return crm_err_set(err, EX_USAGE,
		    "range '%s': expected MIN..MAX with one '..'", spec);
	if (range_end(spec, (size_t)(dots - spec), today, lo, spec, err) < 0 ||
	    range_end(dots + 2, strlen(dots + 2), today, hi, spec, err) < 0)
		return -1;
	if (lo[0] && hi[0] && strcmp(lo, hi) > 0)
		return crm_err_set(err, EX_USAGE,
		    "range '%s': %s is after %s, so nothing can match", spec, lo, hi);
	return 0;
}
