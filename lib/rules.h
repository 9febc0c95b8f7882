/* rules.h: identity match rules (名寄せ).
 *
 * A rule is a set of fields that must all agree, after normalisation, for
 * two buyer records to be the same customer: "email", "name+phone",
 * "name+postcode+address".  Any rule that matches joins two records.
 *
 * Rules live in the table match_rules: rows with shop_id NULL are global;
 * a shop with rows of its own uses those instead of the global ones for
 * records of that shop.  With no rows at all the default applies: email,
 * else phone.
 *
 * A rule made of phone alone joins two records only when one of them has
 * no e-mail address: a family shares a landline and must not become one
 * customer.  Rules that combine phone with another field (name+phone) have
 * no such guard. */
#ifndef CRM_RULES_H
#define CRM_RULES_H

#include <stddef.h>
#include <stdint.h>
#include <sqlite3.h>

#include "err.h"

enum crm_field {
	CRM_F_EMAIL      = 1 << 0,
	CRM_F_PHONE      = 1 << 1,
	CRM_F_NAME       = 1 << 2,
	CRM_F_KANA       = 1 << 3,
	CRM_F_POSTCODE   = 1 << 4,
	CRM_F_PREFECTURE = 1 << 5,
	CRM_F_ADDRESS    = 1 << 6,
	CRM_F_BIRTHDAY   = 1 << 7,
	CRM_F_MEMBER_ID  = 1 << 8,
};

struct crm_rule {
	unsigned fields;      /* CRM_F_* */
	char text[128];       /* canonical spelling, fields in enum order */
};

/* "name+phone" (any order, spaces ignored) -> rule.  Unknown field names
 * are an EX_USAGE error listing the known ones. */
int crm_rule_parse(const char *s, struct crm_rule *r, struct crm_err *err);

struct crm_ruleset {
	struct crm_rule *rules;
	size_t n;
	int is_default;       /* no rows in match_rules applied */
	int is_shop;          /* the shop's own rules */
};

/* The rules in force for records of shop_id (0: global rules). */
int crm_rules_load(sqlite3 *db, int64_t shop_id, struct crm_ruleset *rs,
    struct crm_err *err);
void crm_ruleset_release(struct crm_ruleset *rs);

/* The field of a rule (CRM_F_* bits) whose index finds its candidates:
 * the most selective one identities has an index on (email, member_id,
 * phone, name, kana, postcode), or 0. */
unsigned crm_rule_driver(unsigned set);

/* The SQL column of identities that holds a field's key ("email_key",
 * "prefecture", "birthday", "member_id" ...). */
const char *crm_field_column(enum crm_field f);
const char *crm_field_name(enum crm_field f);

#endif
