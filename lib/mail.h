/* mail.h: one message of a campaign to one customer, through the
 * eligibility checks and the delivery ledger.  crm-mail and crm-scenario
 * both send only through crm_mail_send, so the rules are the same. */
#ifndef CRM_MAIL_H
#define CRM_MAIL_H

#include <stdint.h>
#include <sqlite3.h>

#include "err.h"
#include "util.h"

/* A template file: headers (Subject, From, Reply-To, Kind), a blank line,
 * a text body, optionally an HTML part.  See crm-template(5). */
struct crm_template;
int crm_template_load(const char *path, struct crm_template **t,
    struct crm_err *err);
void crm_template_free(struct crm_template *t);
const char *crm_template_kind(const struct crm_template *t); /* newsletter|notices */

/* Where messages go: exactly one of smtp_url, mbox, maildir, sendmail. */
struct crm_transport_opts {
	const char *smtp_url;     /* smtp://host:port, smtps://... */
	const char *mbox;         /* dry run into an mbox file ("-": stdout) */
	const char *maildir;      /* dry run into a Maildir */
	const char *sendmail;     /* path of sendmail(8), or NULL */
	const char *cacert;
	const char *config;       /* configuration file; NULL: the default */
	int connections;          /* parallel SMTP connections, default 1 */
	double rate;              /* messages per second, 0: unlimited */
	/* additions (crm-mail): */
	int retry_unknown;        /* resend rows an interrupted run left 'sending' */
	const char *const *vars;  /* campaign fields "NAME=VALUE" (--var), */
	size_t nvars;             /* over crm.conf's var.NAME */
};

struct crm_mailer;
int crm_mailer_open(sqlite3 *db, const struct crm_transport_opts *o,
    struct crm_mailer **m, struct crm_err *err);
void crm_mailer_close(struct crm_mailer *m);

enum crm_send_status {
	CRM_SEND_SENT,
	CRM_SEND_SKIPPED,     /* not eligible now; reason says why */
	CRM_SEND_ALREADY,     /* the ledger has this (campaign, customer) */
	CRM_SEND_DEFERRED,    /* 4xx: a later run retries */
	CRM_SEND_FAILED,      /* 5xx */
	CRM_SEND_UNKNOWN,     /* left 'sending' by a run that died (or this
	                       * one lost the connection after the message):
	                       * not resent unless retry_unknown */
};

struct crm_send_result {
	enum crm_send_status status;
	char reason[256];         /* "opted out", "no address", "550 ..." */
	int64_t delivery_id;      /* the ledger row; 0 for dry runs (mbox,
	                           * Maildir), which write no ledger */
};

/* Send template t as campaign (created on first use) to customer_id.
 * Eligibility is checked at this moment: an address, opted in to the
 * template's kind, not withdrawn, not opted out, not undeliverable.
 * The ledger row is written before the SMTP transaction and updated after
 * it.  Per-message outcomes are in res; -1 only when the transport or the
 * database fails as a whole (EX_UNAVAILABLE, EX_TEMPFAIL ...). */
int crm_mail_send(struct crm_mailer *m, const char *campaign,
    const struct crm_template *t, int64_t customer_id,
    struct crm_send_result *res, struct crm_err *err);

/* Everything below is an addition for crm-mail.
 *
 * Check a template against the fields this mailer knows (the customer's,
 * the campaign's --var and var.NAME, unsubscribe_url) and that a From
 * address exists: EX_DATAERR "FILE:LINE: unknown field {{x}}" before
 * anything is sent.  crm_mail_send does this on first use of a template. */
int crm_mailer_check(struct crm_mailer *m, const struct crm_template *t,
    struct crm_err *err);

/* Asynchronous sending, for --connections N: the outcome of each message
 * is passed to done (with the customer id) as it completes, possibly
 * before crm_mail_queue returns.  crm_mail_flush waits for all. */
typedef void (*crm_mail_done_fn)(void *arg, int64_t customer_id,
    const struct crm_send_result *res);
int crm_mail_queue(struct crm_mailer *m, const char *campaign,
    const struct crm_template *t, int64_t customer_id, crm_mail_done_fn done,
    void *arg, struct crm_err *err);
int crm_mail_flush(struct crm_mailer *m, struct crm_err *err);

/* 1 when the transport is a dry run (mbox, Maildir): the ledger is read
 * but not written, so a later real run still sends. */
int crm_mailer_dry_run(const struct crm_mailer *m);

/* 1 when crm.conf names an unsubscribe-url, so messages carry RFC 8058
 * one-click unsubscribe; 0 when the link is only a mailto:. */
int crm_mailer_one_click(const struct crm_mailer *m);

/* Render the message for customer_id to out (LF line ends), whether or
 * not the customer is eligible; *why is set to the reason it would be
 * skipped, or NULL. */
int crm_mail_preview(struct crm_mailer *m, const char *campaign,
    const struct crm_template *t, int64_t customer_id, struct crm_buf *out,
    const char **why, struct crm_err *err);

#endif
