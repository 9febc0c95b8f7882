/* custlist.h: customer lists on stdin, the currency between binaries.
 *
 * Accepted: bare ids one per line; or CSV/TSV with a header that has an
 * "id" (or "customer_id") column, else an "email" column, else a "phone"
 * column (a row with an empty id cell falls back to its email, then its
 * phone cell).  Ids of customers merged into another resolve to the
 * survivor; duplicates are dropped, the first order kept.  A bare line
 * may also be an e-mail address. */
#ifndef CRM_CUSTLIST_H
#define CRM_CUSTLIST_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sqlite3.h>

#include "err.h"

struct crm_idlist {
	int64_t *ids;
	size_t n, cap;
};
void crm_idlist_init(struct crm_idlist *l);
void crm_idlist_add(struct crm_idlist *l, int64_t id);
void crm_idlist_release(struct crm_idlist *l);

/* Read fp (named name in messages).  Lines/rows that name no customer are
 * counted in *unknown and reported through the warn callback if given
 * (line number and the value); a malformed input is an error (EX_DATAERR). */
int crm_custlist_read(sqlite3 *db, FILE *fp, const char *name,
    struct crm_idlist *out, size_t *unknown,
    void (*warn)(void *arg, long line, const char *value), void *arg,
    struct crm_err *err);

/* Every active customer an id, e-mail address or phone number names
 * (a merged id names its survivor), each once, oldest first, appended to
 * out.  Returns how many (0: none), or -1 (a key that is none of the
 * three is EX_DATAERR).  A shared phone can name several. */
int crm_customer_lookup_all(sqlite3 *db, const char *key,
    struct crm_idlist *out, struct crm_err *err);
/* One customer by id, e-mail or phone: the oldest when several match.
 * 0 found, 1 not found. */
int crm_customer_lookup(sqlite3 *db, const char *key, int64_t *id,
    struct crm_err *err);

#endif
