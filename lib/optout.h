/* optout.h: the opt-out ledger and unsubscribe tokens.
 *
 * An opt-out is a row in optouts: who, which channel (newsletter, notices
 * or all), by whom (owner, customer, bounce), why, when.  Rows are only
 * ever added; nothing here opts anyone back in.  The customer's
 * newsletter/notices flags follow from crm_customer_recompute.
 *
 * A token names a customer and a channel and carries an HMAC-SHA256 of
 * both under the secret (mailconf.h): "ID.CHANNEL.SIG", SIG in base64url,
 * so it can sit in a URL as it is. */
#ifndef CRM_OPTOUT_H
#define CRM_OPTOUT_H

#include <stddef.h>
#include <stdint.h>
#include <sqlite3.h>

#include "err.h"

#define CRM_TOKEN_MAX 96

/* 1 for "newsletter", "notices", "all". */
int crm_optout_channel_ok(const char *channel);

void crm_optout_token(const unsigned char *key, size_t klen,
    int64_t customer_id, const char *channel, char out[CRM_TOKEN_MAX]);

/* EX_DATAERR when the token is malformed or its signature does not match. */
int crm_optout_verify(const unsigned char *key, size_t klen,
    const char *token, int64_t *customer_id, char channel[16],
    struct crm_err *err);

/* *out = 1 when the ledger stops mail of kind ("newsletter"/"notices") to
 * this customer: an opt-out of that channel or of all, at or after the
 * customer's latest platform consent, and no later opt-in row. */
int crm_optout_is_out(sqlite3 *db, int64_t customer_id, const char *kind,
    int *out, struct crm_err *err);

/* The same check with a statement prepared once (crm-mail asks for every
 * message): prepare, then ask as often as needed, then finalize. */
int crm_optout_is_out_prepare(sqlite3 *db, sqlite3_stmt **st,
    struct crm_err *err);
int crm_optout_is_out_st(sqlite3 *db, sqlite3_stmt *st, int64_t customer_id,
    const char *kind, int *out, struct crm_err *err);

/* Record an opt-out unless the customer is already out of that channel
 * (idempotent; *changed says whether a row was written), then recompute
 * the customer.  by is owner, customer or bounce.  Runs inside the
 * caller's transaction. */
int crm_optout_record(sqlite3 *db, int64_t customer_id, const char *channel,
    const char *by, const char *reason, const char *source, int *changed,
    struct crm_err *err);

#endif
