#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "err.h"

void
crm_err_clear(struct crm_err *err)
{
	err->code = 0;
	err->msg[0] = '\0';
}

int
crm_err_set(struct crm_err *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return -1;
	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof err->msg, fmt, ap);
	va_end(ap);
	return -1;
}

void
crm_err_prefix(struct crm_err *err, const char *fmt, ...)
{
	char pre[sizeof err->msg], old[sizeof err->msg];
	va_list ap;

	if (err == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(pre, sizeof pre, fmt, ap);
	va_end(ap);
	size_t n;

	memcpy(old, err->msg, sizeof old);
	n = strlen(pre);
	if (n >= sizeof err->msg)
		n = sizeof err->msg - 1;
	memcpy(err->msg, pre, n);
	/* Truncation is wanted: the message is bounded. */
	memcpy(err->msg + n, old, sizeof err->msg - n - 1);
	err->msg[sizeof err->msg - 1] = '\0';
}
