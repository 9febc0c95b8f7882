/* smtp.h: sending messages over SMTP with libcurl.
 *
 * One curl multi handle with N easy handles ("slots"); the multi's
 * connection cache keeps each connection open from one message to the
 * next.  smtp:// must upgrade with STARTTLS except to a loopback host
 * (127.0.0.1, ::1, localhost); smtps:// is TLS from the start.
 * Credentials come from the caller (crm.conf) or ~/.netrc, never from the
 * URL, which other users can read in ps. */
#ifndef CRM_SMTP_H
#define CRM_SMTP_H

#include <stddef.h>

#include "err.h"

struct crm_smtp_opts {
	const char *url;
	const char *cacert;        /* CA bundle for a private CA or a test cert */
	const char *user, *password;   /* NULL: ~/.netrc if it has the host */
	int connections;           /* slots, 1.. */
	long connect_timeout;      /* seconds; 0: 30 */
};

enum crm_smtp_outcome {
	CRM_SMTP_OK,
	CRM_SMTP_TEMP,        /* 4xx, or the connection went before the message did */
	CRM_SMTP_PERM,        /* 5xx */
	CRM_SMTP_UNKNOWN,     /* the message was sent but no reply came */
	CRM_SMTP_DOWN,        /* no connection, TLS or login failure: stop */
};

struct crm_smtp_done {
	void *tag;
	enum crm_smtp_outcome outcome;
	int code;              /* the last SMTP reply code, 0 when none */
	int no_such_user;      /* a permanent failure of the recipient address */
	char text[256];        /* the server's reply, or what went wrong */
};

struct crm_smtp;

/* EX_USAGE for a bad URL, credentials in the URL, or a plain smtp:// to a
 * remote host that cannot be made to use STARTTLS. */
int crm_smtp_open(const struct crm_smtp_opts *o, struct crm_smtp **s,
    struct crm_err *err);
void crm_smtp_close(struct crm_smtp *s);

int crm_smtp_free_slots(const struct crm_smtp *s);
int crm_smtp_busy(const struct crm_smtp *s);

/* Start sending msg (CRLF line ends; copied) from -> rcpt.  Needs a free
 * slot. */
int crm_smtp_submit(struct crm_smtp *s, const char *from, const char *rcpt,
    const char *msg, size_t len, void *tag, struct crm_err *err);

typedef void (*crm_smtp_done_fn)(void *arg, const struct crm_smtp_done *d);

/* Drive the transfers until at least one finishes or timeout_ms passes
 * (-1: until one finishes, or nothing is in flight); done is called for
 * every finished message. */
int crm_smtp_wait(struct crm_smtp *s, int timeout_ms, crm_smtp_done_fn done,
    void *arg, struct crm_err *err);

#endif
