/* err.h: how libcrm reports failure.
 *
 * Library functions never print and never exit.  They fill a struct
 * crm_err with an exit code from sysexits.h and a message that names the
 * file, line and field where that is known, and return -1.  Commands
 * print err.msg and exit with err.code. */
#ifndef CRM_ERR_H
#define CRM_ERR_H

#include <sysexits.h>

/* Exit codes of every crm binary (also in crm(7)). */
#define CRM_EXIT_OK       0
#define CRM_EXIT_NOMATCH  1   /* nothing matched or selected, like grep */

struct crm_err {
	int code;         /* EX_* from sysexits.h, 0 when clear */
	char msg[1024];
};

void crm_err_clear(struct crm_err *err);
/* Set code and message; returns -1 so callers can "return crm_err_set(...)". */
int crm_err_set(struct crm_err *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Prefix an existing message with more context ("file.csv: "). */
void crm_err_prefix(struct crm_err *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
