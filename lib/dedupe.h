/* dedupe.h: identity resolution over the whole database (名寄せ).
 *
 * crm_dedupe_run applies the match rules to every buyer record at once
 * and merges what they join, transitively (union-find), then looks for
 * near matches the rules missed and lists them for review.
 *
 * Which rules join two records: a rule joins two records when it is in
 * force for the shop of either of them (a shop's own rules replace the
 * global ones for that shop's records; lib/rules.h).  This is what
 * crm-import does when it attaches a buyer (the new record's rules are
 * matched against every record), and it is what lets a Rakuten rule
 * "name+phone" find the same person's record in another shop; a shop's
 * rule never joins two records of other shops by itself.  A rule of phone
 * alone joins records only when one side has no e-mail address: where the
 * records on one phone carry two or more different addresses (a family on
 * a landline), those without an address go to the oldest customer and
 * the others stay apart.
 *
 * Customers that were split apart, or whose pair was rejected, are never
 * joined again by run (rules, near matches or --auto-merge).
 *
 * Near matches: candidate pairs come from blocks of records sharing a
 * phone, a postcode, an e-mail local part, a name key or a kana key (a
 * block larger than 50 records is compared within a sliding window of
 * 5, in name order); crm_sim_score (similar.h) scores them.  Pairs at or
 * above the threshold become pending (a < b, customer ids); both
 * customers are then marked undetermined. */
#ifndef CRM_DEDUPE_H
#define CRM_DEDUPE_H

#include <stddef.h>
#include <stdint.h>
#include <sqlite3.h>

#include "err.h"
#include "rules.h"

#define CRM_DEDUPE_THRESHOLD 0.6

struct crm_dedupe_opts {
	double threshold;      /* pending at or above this score */
	double auto_merge;     /* merge pairs at or above this; > 1: never */
};

struct crm_dedupe_stats {
	long long identities;  /* buyer records looked at */
	long long customers;   /* active customers before the run */
	long long rule_merged; /* customers absorbed by the rules */
	long long kept_apart;  /* rule joins refused (split or rejected) */
	long long candidates;  /* pairs scored */
	long long pending;     /* pending pairs after the run */
	long long pending_new; /* of which new */
	long long auto_merged; /* customers absorbed by --auto-merge */
	double t_rules, t_merge, t_near, t_store;   /* seconds per phase */
};

/* Runs inside the caller's transaction (roll it back for a dry run). */
int crm_dedupe_run(sqlite3 *db, const struct crm_dedupe_opts *o,
    struct crm_dedupe_stats *st, struct crm_err *err);

/* Replace the rules of a scope (shop_id 0: global); n == 0 removes them,
 * so that the scope falls back (shop -> global -> default). */
int crm_dedupe_rules_set(sqlite3 *db, int64_t shop_id,
    const struct crm_rule *rules, size_t n, struct crm_err *err);

/* The rules in force: for one shop (shop_id > 0) or, with 0, the global
 * ones followed by every shop that has its own.  fn gets the scope
 * ("global" or the shop name), the rule, and where it comes from
 * ("default", "global" or "shop"). */
int crm_dedupe_rules_list(sqlite3 *db, int64_t shop_id,
    int (*fn)(void *arg, const char *scope, const char *rule,
    const char *origin, struct crm_err *err), void *arg, struct crm_err *err);

/* A review pair named on the command line: a pair id ("12"), or two
 * customer ids "A,B" or "A-B" (merged ids resolve to their customers).
 * id is 0 when two customers are named that have no pair row. */
struct crm_pair {
	int64_t id, a, b;
	double score;
	char status[16];
};
int crm_dedupe_pair_find(sqlite3 *db, const char *spec, struct crm_pair *p,
    struct crm_err *err);

/* Confirm: merge the pair (how "pair:ID", or "manual" for two customers
 * without a pair).  Reject: keep them apart for good.  Both refuse a pair
 * whose customers are already one (EX_DATAERR). */
int crm_dedupe_confirm(sqlite3 *db, const char *spec, const char *who,
    const char *reason, int64_t *survivor, int64_t *absorbed,
    struct crm_err *err);
int crm_dedupe_reject(sqlite3 *db, const char *spec, struct crm_pair *p,
    struct crm_err *err);

/* The pending pairs side by side, best first.  Columns (vals[i]): */
extern const char *const crm_dedupe_pending_cols[];
extern const size_t crm_dedupe_pending_ncols;
int crm_dedupe_pending(sqlite3 *db,
    int (*fn)(void *arg, const char *const *vals, struct crm_err *err),
    void *arg, struct crm_err *err);

/* customer_id, shop, order_id for every imported order. */
int crm_dedupe_clusters(sqlite3 *db,
    int (*fn)(void *arg, const char *const *vals, struct crm_err *err),
    void *arg, struct crm_err *err);

#endif
