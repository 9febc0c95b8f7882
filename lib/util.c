#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

static void
oom(void)
{
	static const char msg[] = "crm: out of memory\n";

	/* write(2), not stdio: stdio may itself need memory. */
	if (write(STDERR_FILENO, msg, sizeof msg - 1) < 0)
		abort();
	abort();
}

void *
crm_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		oom();
	return p;
}

void *
crm_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (p == NULL)
		oom();
	return p;
}

void *
crm_xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (q == NULL)
		oom();
	return q;
}

void *
crm_xreallocarray(void *p, size_t n, size_t size)
{
	if (size != 0 && n > SIZE_MAX / size)
		oom();
	return crm_xrealloc(p, n * size);
}

char *
crm_xstrdup(const char *s)
{
	return crm_xstrndup(s, strlen(s));
}

char *
crm_xstrndup(const char *s, size_t n)
{
	char *p;
	size_t len = strnlen(s, n);

	p = crm_xmalloc(len + 1);
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

size_t
crm_strlcpy(char *dst, const char *src, size_t size)
{
	size_t len = strlen(src);

	if (size > 0) {
		size_t n = len < size - 1 ? len : size - 1;
		memcpy(dst, src, n);
		dst[n] = '\0';
	}
	return len;
}

void
crm_buf_init(struct crm_buf *b)
{
	b->s = NULL;
	b->len = b->cap = 0;
}

void
crm_buf_release(struct crm_buf *b)
{
	free(b->s);
	crm_buf_init(b);
}

void
crm_buf_reset(struct crm_buf *b)
{
	b->len = 0;
	if (b->s)
		b->s[0] = '\0';
}

static void
buf_grow(struct crm_buf *b, size_t extra)
{
	size_t need;

	if (extra > SIZE_MAX - b->len - 1)
		oom();
	need = b->len + extra + 1;
	if (need <= b->cap)
		return;
	if (b->cap == 0)
		b->cap = 64;
	while (b->cap < need)
		b->cap = b->cap > SIZE_MAX / 2 ? need : b->cap * 2;
	b->s = crm_xrealloc(b->s, b->cap);
}

void
crm_buf_add(struct crm_buf *b, const char *s, size_t n)
{
	buf_grow(b, n);
	if (n)
		memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void
crm_buf_adds(struct crm_buf *b, const char *s)
{
	crm_buf_add(b, s, strlen(s));
}

void
crm_buf_addc(struct crm_buf *b, char c)
{
	crm_buf_add(b, &c, 1);
}

void
crm_buf_addf(struct crm_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	buf_grow(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

char *
crm_buf_detach(struct crm_buf *b)
{
	char *s = b->s ? b->s : crm_xstrdup("");

	crm_buf_init(b);
	return s;
}

int
crm_strtonum(const char *s, long long min, long long max, long long *out,
    const char *what, struct crm_err *err)
{
	char *end;
	long long v;

	if (s == NULL || *s == '\0')
		return crm_err_set(err, EX_USAGE, "%s: empty number", what);
	errno = 0;
	v = strtoll(s, &end, 10);
	if (*end != '\0' || end == s)
		return crm_err_set(err, EX_USAGE, "%s: not a number: '%s'", what, s);
	if (errno == ERANGE || v < min || v > max)
		return crm_err_set(err, EX_USAGE,
		    "%s: %s is out of range (%lld..%lld)", what, s, min, max);
	*out = v;
	return 0;
}

int
crm_strcaseeq(const char *a, const char *b)
{
	for (; *a && *b; a++, b++)
		if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
			return 0;
	return *a == *b;
}

char *
crm_trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		memmove(s, s + 1, strlen(s));
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '\n'))
		*--e = '\0';
	return s;
}

int
crm_empty(const char *s)
{
	return s == NULL || *s == '\0';
}

int
crm_close_stdout(struct crm_err *err)
{
	if (fflush(stdout) != 0 || ferror(stdout))
		return crm_err_set(err, EX_IOERR, "stdout: %s",
		    strerror(errno ? errno : EIO));
	if (fclose(stdout) != 0)
		return crm_err_set(err, EX_IOERR, "stdout: %s", strerror(errno));
	return 0;
}

double
crm_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void
crm_progress_init(struct crm_progress *p, const char *label, long long total)
{
	p->enabled = isatty(STDERR_FILENO);
	p->label = label;
	p->total = total;
	p->done = 0;
	p->start = p->last = crm_now();
}

void
crm_progress_update(struct crm_progress *p, long long done)
{
	double t;

	p->done = done;
	if (!p->enabled)
		return;
	t = crm_now();
	if (t - p->last < 0.2)
		return;
	p->last = t;
	if (p->total > 0)
		fprintf(stderr, "\r%s: %3lld%% %lld/s ", p->label,
		    done * 100 / p->total,
		    (long long)(done / (t - p->start > 0 ? t - p->start : 1)));
	else
		fprintf(stderr, "\r%s: %lld ", p->label, done);
}

void
crm_progress_finish(struct crm_progress *p)
{
	if (p->enabled && p->last > p->start)
		fputs("\r\033[K", stderr);
}
