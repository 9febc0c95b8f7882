/* optout.c: the opt-out ledger and signed unsubscribe tokens. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "customer.h"
#include "db.h"
#include "mime.h"
#include "optout.h"
#include "util.h"
#include "banned.h"

int
crm_optout_channel_ok(const char *c)
{
	return c != NULL && (strcmp(c, "newsletter") == 0 ||
	    strcmp(c, "notices") == 0 || strcmp(c, "all") == 0);
}

static void
sign(const unsigned char *key, size_t klen, int64_t id, const char *channel,
    unsigned char md[32])
{
	char msg[96];
	unsigned int mdlen = 32;
	int n;

	/* A fixed label keeps these MACs apart from any other use of the key. */
	n = snprintf(msg, sizeof msg, "crm-unsubscribe:%lld:%s", (long long)id,
	    channel);
	HMAC(EVP_sha256(), key, (int)klen, (const unsigned char *)msg,
	    (size_t)n, md, &mdlen);
}

void
crm_optout_token(const unsigned char *key, size_t klen, int64_t id,
    const char *channel, char out[CRM_TOKEN_MAX])
{
	unsigned char md[32];
	struct crm_buf b;

	sign(key, klen, id, channel, md);
	crm_buf_init(&b);
	crm_buf_addf(&b, "%lld.%s.", (long long)id, channel);
	crm_mime_base64url(&b, md, sizeof md);
	crm_strlcpy(out, b.s, CRM_TOKEN_MAX);
	crm_buf_release(&b);
}

int
crm_optout_verify(const unsigned char *key, size_t klen, const char *token,
    int64_t *id, char channel[16], struct crm_err *err)
{
	const char *d1, *d2;
	char idbuf[24], ch[16];
	unsigned char got[40], want[32];
	size_t glen;
	long long v;

	d1 = strchr(token, '.');
	d2 = d1 ? strchr(d1 + 1, '.') : NULL;
	if (d1 == NULL || d2 == NULL || (size_t)(d1 - token) >= sizeof idbuf ||
	    (size_t)(d2 - d1 - 1) >= sizeof ch)
		return crm_err_set(err, EX_DATAERR, "token: malformed "
		    "(expected ID.CHANNEL.SIGNATURE)");
	memcpy(idbuf, token, (size_t)(d1 - token));
	idbuf[d1 - token] = '\0';
	memcpy(ch, d1 + 1, (size_t)(d2 - d1 - 1));
	ch[d2 - d1 - 1] = '\0';
	if (crm_strtonum(idbuf, 1, INT64_MAX, &v, "token: customer id", err) < 0) {
		err->code = EX_DATAERR;
		return -1;
	}
	if (!crm_optout_channel_ok(ch))
		return crm_err_set(err, EX_DATAERR, "token: unknown channel '%s'", ch);
	if (crm_mime_base64url_decode(d2 + 1, got, sizeof got, &glen) < 0 ||
	    glen != sizeof want)
		return crm_err_set(err, EX_DATAERR, "token: malformed signature");
	sign(key, klen, v, ch, want);
	if (CRYPTO_memcmp(got, want, sizeof want) != 0)
		return crm_err_set(err, EX_DATAERR, "token: signature does not "
		    "match (another shop's link, an edited link, or a changed secret)");
	*id = v;
	crm_strlcpy(channel, ch, 16);
	return 0;
}

/* The ledger rows of a customer include those of the customers merged
 * into it: an opt-out survives a merge. */
static const char is_out_sql[] =
    "SELECT 1 FROM optouts o"
    " WHERE o.customer_id IN (SELECT id FROM customers WHERE id = ?1 OR merged_into = ?1)"
    "   AND o.action = 'out' AND o.channel IN (?2, 'all')"
    "   AND o.at >= COALESCE((SELECT CASE ?2 WHEN 'newsletter' THEN newsletter_at"
    "        ELSE notices_at END FROM customers WHERE id = ?1), '')"
    "   AND NOT EXISTS (SELECT 1 FROM optouts i"
    "        WHERE i.customer_id IN (SELECT id FROM customers WHERE id = ?1 OR merged_into = ?1)"
    "          AND i.action = 'in' AND i.channel IN (?2, 'all') AND i.at > o.at)"
    " LIMIT 1";

int
crm_optout_is_out_prepare(sqlite3 *db, sqlite3_stmt **st, struct crm_err *err)
{
	if (sqlite3_prepare_v3(db, is_out_sql, -1, SQLITE_PREPARE_PERSISTENT, st,
	    NULL) != SQLITE_OK) {
		*st = NULL;
		return crm_db_err(db, err, "optouts");
	}
	return 0;
}

int
crm_optout_is_out_st(sqlite3 *db, sqlite3_stmt *st, int64_t id,
    const char *kind, int *out, struct crm_err *err)
{
	int rc;

	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, id);
	crm_db_bind_text(st, 2, kind);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return crm_db_err(db, err, "optouts");
	*out = rc == SQLITE_ROW;
	return 0;
}

int
crm_optout_is_out(sqlite3 *db, int64_t id, const char *kind, int *out,
    struct crm_err *err)
{
	sqlite3_stmt *st;
	int rc;

	if (crm_optout_is_out_prepare(db, &st, err) < 0)
		return -1;
	rc = crm_optout_is_out_st(db, st, id, kind, out, err);
	sqlite3_finalize(st);
	return rc;
}

int
crm_optout_record(sqlite3 *db, int64_t id, const char *channel,
    const char *by, const char *reason, const char *source, int *changed,
    struct crm_err *err)
{
	sqlite3_stmt *st;
	char now[20];
	int out1 = 0, out2 = 1, rc;

	*changed = 0;
	if (!crm_optout_channel_ok(channel))
		return crm_err_set(err, EX_USAGE, "channel: '%s' is not newsletter, "
		    "notices or all", channel);
	if (crm_optout_is_out(db, id, strcmp(channel, "all") == 0 ? "newsletter"
	    : channel, &out1, err) < 0)
		return -1;
	if (strcmp(channel, "all") == 0 &&
	    crm_optout_is_out(db, id, "notices", &out2, err) < 0)
		return -1;
	if (out1 && out2)
		return 0;
	if (crm_db_prepare(db, "INSERT INTO optouts (customer_id, channel, action,"
	    " by, reason, source, at) VALUES (?, ?, 'out', ?, ?, ?, ?)", &st, err) < 0)
		return -1;
	crm_db_now(now);
	sqlite3_bind_int64(st, 1, id);
	crm_db_bind_text(st, 2, channel);
	crm_db_bind_text(st, 3, by);
	crm_db_bind_text_null(st, 4, reason);
	crm_db_bind_text_null(st, 5, source);
	crm_db_bind_text(st, 6, now);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return crm_db_err(db, err, "optouts");
	*changed = 1;
	return crm_customer_recompute(db, id, err);
}
