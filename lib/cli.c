#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "cli.h"
#include "banned.h"

void
crm_cli_init(void)
{
	const char *tz = getenv("TZ");

	if (tz == NULL || *tz == '\0')
		setenv("TZ", "Asia/Tokyo", 1);
	tzset();
	/* Past a file size limit (ulimit -f) a write fails with EFBIG and is
	 * reported like any write error, naming the file, instead of the
	 * process dying of SIGXFSZ half way through a file. */
	signal(SIGXFSZ, SIG_IGN);
}

int
crm_cli_version(const char *prog)
{
	printf("%s (crm) %s\n", prog, CRM_VERSION);
	return 0;
}

int
crm_cli_fail(const char *prog, const struct crm_err *err)
{
	fprintf(stderr, "%s: %s\n", prog, err->msg[0] ? err->msg : "failed");
	return err->code ? err->code : EX_SOFTWARE;
}

void
crm_cli_warn(const char *prog, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}
