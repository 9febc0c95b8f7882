/* customer.h: buyer records, identities and the merged customer.
 *
 * Every imported order carries a buyer record.  Its normalised keys find
 * (or create) an identity of that shop; the identity belongs to a
 * customer, found by the match rules in force (rules.h) or created.
 * A customer's aggregates and consent are always derived from its
 * identities, orders and the opt-out ledger by crm_customer_recompute, so
 * import, merge, split and opt-out agree by construction. */
#ifndef CRM_CUSTOMER_H
#define CRM_CUSTOMER_H

#include <stdint.h>
#include <sqlite3.h>

#include "err.h"
#include "rules.h"

/* One buyer as exported (UTF-8, any field may be NULL). */
struct crm_buyer {
	const char *name, *kana, *email, *phone, *postcode, *prefecture,
	    *address, *birthday, *member_id;
	int member;               /* 1 when a member list says so */
	const char *registered_at;
	int newsletter, notices;  /* 1, 0, or -1 when the export did not say */
	const char *consent_at;   /* time of the data that says so */
	int withdrawn;
};

/* Normalised keys of a buyer (malloc'd strings, NULL when absent). */
struct crm_buyer_keys {
	char *email, *phone, *name, *kana, *postcode, *address, *birthday,
	    *member_id;
	const char *prefecture;   /* static canonical name */
	char fingerprint[65];     /* hex SHA-256 over all keys */
};

/* Normalise; a field that is garbage is an EX_DATAERR naming the field
 * ("phone: ..."). A buyer with none of email, phone, name is an error. */
int crm_buyer_keys(const struct crm_buyer *b, struct crm_buyer_keys *k,
    struct crm_err *err);
void crm_buyer_keys_release(struct crm_buyer_keys *k);

/* Find or create the identity of this buyer in shop_id and attach it to a
 * customer by the rules rs (found the oldest matching active customer, or
 * a new one).  *created is set to 1 when a new customer was made.  Runs
 * inside the caller's transaction. */
int crm_identity_attach(sqlite3 *db, int64_t shop_id,
    const struct crm_ruleset *rs, const struct crm_buyer *b,
    const struct crm_buyer_keys *k, const char *source,
    int64_t *identity_id, int64_t *customer_id, int *created,
    struct crm_err *err);

/* Follow merged_into to the active customer. */
int crm_customer_resolve(sqlite3 *db, int64_t id, int64_t *active,
    struct crm_err *err);

/* Recompute everything derived for an active customer: orders, total,
 * first/last order (status ok only), member (any identity), registered_at
 * (earliest member sign-up, else first order), contact fields (from the
 * most recent identity that has each), withdrawn, newsletter/notices, and
 * the folded search text.
 *
 * Consent: the latest event wins, per channel.  Events are the identities'
 * exported states (at consent_at) and the opt-out ledger rows of this
 * customer and of every customer merged into it; an opt-out at the same
 * time as an opt-in wins.  So the owner's opt-out holds until newer
 * customer-originated data says yes. */
int crm_customer_recompute(sqlite3 *db, int64_t customer_id,
    struct crm_err *err);

/* For bulk work (an import of a million rows): the same operations with
 * their statements prepared once.  Close the context before the db. */
struct crm_customer_ctx;
int crm_customer_ctx_open(sqlite3 *db, struct crm_customer_ctx **ctx,
    struct crm_err *err);
void crm_customer_ctx_close(struct crm_customer_ctx *ctx);
/* Promise that no merge or split happens while ctx is open (an import
 * only attaches): the merged customers are read once, and resolving an
 * id no longer reads the customers table.  Ids are then taken to exist
 * (identities and orders reference customers by foreign key). */
int crm_customer_ctx_no_merges(struct crm_customer_ctx *ctx,
    struct crm_err *err);
/* Hand out ids to new customers without writing their rows, which
 * crm_customer_insert_deferred then inserts whole, in id order.  Until
 * then identities reference a customer that is not there: only for a
 * caller that has turned foreign key enforcement off and calls
 * crm_customer_insert_deferred before its commit.
 * crm_customer_ctx_next_id: the id the next new customer would get (0
 * without deferring). */
int crm_customer_ctx_defer_new(struct crm_customer_ctx *ctx,
    struct crm_err *err);
int64_t crm_customer_ctx_next_id(const struct crm_customer_ctx *ctx);
int crm_identity_attach_ctx(struct crm_customer_ctx *ctx, int64_t shop_id,
    const struct crm_ruleset *rs, const struct crm_buyer *b,
    const struct crm_buyer_keys *k, const char *source,
    int64_t *identity_id, int64_t *customer_id, int *created,
    struct crm_err *err);
int crm_customer_recompute_ctx(struct crm_customer_ctx *ctx,
    int64_t customer_id, struct crm_err *err);
/* Write the row of every customer whose id was handed out under
 * crm_customer_ctx_defer_new, derived as crm_customer_recompute would,
 * after all its identities and orders are written.  progress, when not
 * NULL, is called now and then with the number written so far. */
int crm_customer_insert_deferred(struct crm_customer_ctx *ctx,
    void (*progress)(void *arg, long long n), void *arg, struct crm_err *err);
int crm_customer_resolve_ctx(struct crm_customer_ctx *ctx, int64_t id,
    int64_t *active, struct crm_err *err);

/* 1 when an address is a marketplace relay (Rakuten, Amazon ...): kept
 * for matching, but a real address is preferred for the customer. */
int crm_email_is_relay(const char *email);

#endif
