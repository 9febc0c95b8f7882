/* tag.h: tags and the caution flag on customers (crm-tag).
 *
 * A tag is a short label a person puts on a customer ("vip", "卸") and
 * filters by (crm-segment --tag).  The caution flag (要注意) marks a
 * customer to handle with care; crm-import's new-order list and
 * crm-segment --caution show it.  Both live on the active customer; a
 * merge carries them to the survivor (merge.h). */
#ifndef CRM_TAG_H
#define CRM_TAG_H

#include <stddef.h>
#include <stdint.h>
#include <sqlite3.h>

#include "custlist.h"
#include "err.h"

#define CRM_TAG_MAX_CHARS 32     /* characters (code points) */
#define CRM_TAG_MAX_BYTES 128
#define CRM_CAUTION_REASON_MAX 1000

/* A tag name: 1..32 characters of valid UTF-8, none of them a space
 * (ASCII or U+3000), a control character, a comma or a quote, and not
 * starting with '-'.  Compared exactly, as given (no case folding).
 * 0 valid, else -1 with EX_USAGE and what is wrong. */
int crm_tag_check(const char *tag, struct crm_err *err);

enum crm_tag_op {
	CRM_TAG_ADD,
	CRM_TAG_RM,
	CRM_CAUTION_ON,     /* arg: the reason, or NULL to keep the one set */
	CRM_CAUTION_OFF,    /* the reason is cleared */
};

/* Apply op to every customer of ids (active ids).  *changed counts the
 * customers whose tags or caution state changed.  Runs inside the
 * caller's transaction. */
int crm_tag_apply(sqlite3 *db, const struct crm_idlist *ids,
    enum crm_tag_op op, const char *arg, long long *changed,
    struct crm_err *err);

#endif
