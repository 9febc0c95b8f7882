/* mail.h: one message of a campaign to one customer, through the
 * eligibility checks and the delivery ledger.  crm-mail and crm-scenario
 * both send only through crm_mail_send, so the rules are the same. */
#ifndef CRM_MAIL_H
#define CRM_MAIL_H

#include <stdint.h>
#include <sqlite3.h>

#include "err.h"

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
};

struct crm_send_result {
	enum crm_send_status status;
	char reason[256];         /* "opted out", "no address", "550 ..." */
	int64_t delivery_id;
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

#endif
