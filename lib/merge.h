/* merge.h: merging customers and undoing it (名寄せ and its undo).
 *
 * A merge keeps the older customer (the lower id) as the survivor; the
 * other is absorbed: it keeps its row with merged_into set, its identities
 * and orders move to the survivor, its tags are added to the survivor's,
 * and a merges row records what moved (state, JSON) so that a split can
 * put it back.  The survivor's aggregates and consent are then derived
 * again by crm_customer_recompute, which reads the identities, orders and
 * opt-out ledger of every customer merged into it: an opt-out is never
 * lost by a merge.
 *
 * A split undoes one merge exactly: the identities that came from the
 * absorbed customer (origin_customer in the absorbed side, including
 * customers merged into it before) go back with their orders, the tags
 * the merge added are taken away, both sides are recomputed, and the pair
 * is recorded as rejected so that crm-dedupe run does not merge it again.
 * Opt-out rows stay with the customer they were recorded for.  Buyer
 * records first seen after the merge (attached to the survivor) stay with
 * the survivor.
 *
 * Pending review pairs that involve the absorbed customer are dropped
 * (the next run proposes them again for the survivor); the undetermined
 * flags follow.
 *
 * All functions run inside the caller's transaction. */
#ifndef CRM_MERGE_H
#define CRM_MERGE_H

#include <stdint.h>
#include <sqlite3.h>

#include "err.h"

struct crm_merge_ctx;

int crm_merge_ctx_open(sqlite3 *db, struct crm_merge_ctx **ctx,
    struct crm_err *err);
void crm_merge_ctx_close(struct crm_merge_ctx *ctx);

/* Merge two active customers, survivor < absorbed, without recomputing
 * the survivor (bulk callers recompute once per survivor).  how: "manual",
 * "rule:name+phone", "pair:12", "auto:0.93"; who and reason may be NULL.
 * *merge_id (if not NULL) gets the merges row id. */
int crm_merge_pair_ctx(struct crm_merge_ctx *ctx, int64_t survivor,
    int64_t absorbed, const char *how, const char *who, const char *reason,
    int64_t *merge_id, struct crm_err *err);

/* Many merges at once (crm-dedupe run): add (survivor, absorbed, how)
 * rows, then run them as a handful of set-wise statements with the same
 * effect as crm_merge_pair_ctx on each.  Every customer must be active,
 * survivor < absorbed, and no survivor may itself be absorbed in the same
 * batch (EX_SOFTWARE otherwise).  The survivors are not recomputed. */
struct crm_merge_batch;
int crm_merge_batch_open(sqlite3 *db, struct crm_merge_batch **b,
    struct crm_err *err);
int crm_merge_batch_add(struct crm_merge_batch *b, int64_t survivor,
    int64_t absorbed, const char *how, struct crm_err *err);
int crm_merge_batch_run(struct crm_merge_batch *b, struct crm_err *err);
void crm_merge_batch_close(struct crm_merge_batch *b);

/* Merge customers a and b (any ids; merged ones resolve to their active
 * customer) and recompute the survivor.  Returns 1 (and does nothing)
 * when they are already one customer.  *survivor gets the survivor id. */
int crm_merge(sqlite3 *db, int64_t a, int64_t b, const char *how,
    const char *who, const char *reason, int64_t *survivor,
    struct crm_err *err);

/* Undo a merge.  id is an absorbed customer (undo the merge that absorbed
 * it) or an active one (undo the latest merge into it).  No such merge is
 * an EX_DATAERR error; an unknown customer too.  *survivor and *absorbed
 * (if not NULL) say which two customers came apart. */
int crm_split(sqlite3 *db, int64_t id, const char *who, const char *reason,
    int64_t *survivor, int64_t *absorbed, struct crm_err *err);

/* Set customers.undetermined from the pending pairs, for one customer
 * (id > 0) or for all (id == 0). */
int crm_undetermined_refresh(sqlite3 *db, int64_t id, struct crm_err *err);

/* One merge or split, as history shows it. */
struct crm_merge_event {
	int64_t id, survivor, absorbed, undone_by;  /* undone_by 0: not undone */
	const char *kind, *how, *who, *reason, *at, *state;
};
/* Every merge and split whose survivor or absorbed customer is id or a
 * customer merged into id, oldest first.  fn returns -1 to stop (the
 * error it set is passed on).  Returns the number of events, or -1. */
int crm_merge_history(sqlite3 *db, int64_t id,
    int (*fn)(void *arg, const struct crm_merge_event *ev, struct crm_err *err),
    void *arg, struct crm_err *err);

#endif
