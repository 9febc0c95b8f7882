/* tap.h: a tiny TAP producer for the C unit tests (header-only). */
#ifndef CRM_TAP_H
#define CRM_TAP_H

#include <stdio.h>
#include <string.h>

struct tap {
	int n, failed;
};

#define TAP_INIT { 0, 0 }

static inline int
tap_ok(struct tap *t, int cond, const char *name)
{
	t->n++;
	if (!cond)
		t->failed++;
	printf("%sok %d - %s\n", cond ? "" : "not ", t->n, name);
	return cond;
}

static inline int
tap_is_str(struct tap *t, const char *got, const char *want, const char *name)
{
	int ok = (got == NULL && want == NULL) ||
	    (got != NULL && want != NULL && strcmp(got, want) == 0);

	if (!tap_ok(t, ok, name))
		printf("#   got: '%s'\n#   expected: '%s'\n",
		    got ? got : "(null)", want ? want : "(null)");
	return ok;
}

static inline int
tap_is_int(struct tap *t, long long got, long long want, const char *name)
{
	int ok = got == want;

	if (!tap_ok(t, ok, name))
		printf("#   got: %lld\n#   expected: %lld\n", got, want);
	return ok;
}

/* Print the plan at the end (done_testing style) and the exit status. */
static inline int
tap_done(struct tap *t)
{
	printf("1..%d\n", t->n);
	return t->failed ? 1 : 0;
}

#endif
