/* cli.h: what every crm command does the same way at start and exit. */
#ifndef CRM_CLI_H
#define CRM_CLI_H

#include "err.h"

/* Long-only options shared by every command (values above any char). */
enum {
	CRM_OPT_DB = 0x100,
	CRM_OPT_VERSION,
	CRM_OPT_TODAY,
	CRM_OPT_FIRST_FREE = 0x180   /* commands number their own from here */
};

/* Call first in main(): sets TZ to Asia/Tokyo when unset, so that dates
 * mean the same in cron as at the shell. */
void crm_cli_init(void);

/* "crm-import (crm) 0.1.0" on stdout; returns 0. */
int crm_cli_version(const char *prog);

/* Print "prog: message" on stderr and return the exit code to use. */
int crm_cli_fail(const char *prog, const struct crm_err *err);

/* Print a warning "prog: message" on stderr (unless quiet). */
void crm_cli_warn(const char *prog, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
