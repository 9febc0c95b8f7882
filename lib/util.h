/* util.h: memory, strings and numbers shared by every module. */
#ifndef CRM_UTIL_H
#define CRM_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "err.h"

/* Allocation failure is not a recoverable condition for a CLI tool:
 * these abort() with a short message rather than return NULL. */
void *crm_xmalloc(size_t n);
void *crm_xcalloc(size_t n, size_t size);
void *crm_xrealloc(void *p, size_t n);
void *crm_xreallocarray(void *p, size_t n, size_t size);
char *crm_xstrdup(const char *s);
char *crm_xstrndup(const char *s, size_t n);

/* Bounded copy; returns strlen(src) so truncation can be detected. */
size_t crm_strlcpy(char *dst, const char *src, size_t size);

/* A growable NUL-terminated byte string. */
struct crm_buf {
	char *s;
	size_t len, cap;
};
void crm_buf_init(struct crm_buf *b);
void crm_buf_release(struct crm_buf *b);
void crm_buf_reset(struct crm_buf *b);
void crm_buf_add(struct crm_buf *b, const char *s, size_t n);
void crm_buf_adds(struct crm_buf *b, const char *s);
void crm_buf_addc(struct crm_buf *b, char c);
void crm_buf_addf(struct crm_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Hand the string to the caller; b is left empty. */
char *crm_buf_detach(struct crm_buf *b);

/* strtonum in the OpenBSD sense: whole string, range checked.
 * what names the value in the error ("--limit"). */
int crm_strtonum(const char *s, long long min, long long max,
    long long *out, const char *what, struct crm_err *err);

/* Case-insensitive ASCII comparison, for header names and keywords. */
int crm_strcaseeq(const char *a, const char *b);
/* Trim ASCII white space at both ends, in place; returns s. */
char *crm_trim(char *s);
/* 1 when s is NULL or "" */
int crm_empty(const char *s);

/* Flush and check stdout: a full disk or a closed pipe is an error. */
int crm_close_stdout(struct crm_err *err);

/* Progress on stderr only when stderr is a terminal. */
struct crm_progress {
	int enabled;
	const char *label;
	long long total;      /* 0 when unknown */
	long long done;
	double start, last;
};
void crm_progress_init(struct crm_progress *p, const char *label, long long total);
void crm_progress_update(struct crm_progress *p, long long done);
void crm_progress_finish(struct crm_progress *p);

/* Monotonic seconds. */
double crm_now(void);

#endif
