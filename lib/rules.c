/* rules.c: identity match rules, parsed and loaded from match_rules. */
#include <stdlib.h>
#include <string.h>

#include "rules.h"
#include "db.h"
#include "util.h"
#include "banned.h"

static const struct {
	enum crm_field f;
	const char *name;
	const char *column;
} fields[] = {
	{ CRM_F_EMAIL,      "email",      "email_key" },
	{ CRM_F_PHONE,      "phone",      "phone_key" },
	{ CRM_F_NAME,       "name",       "name_key" },
	{ CRM_F_KANA,       "kana",       "kana_key" },
	{ CRM_F_POSTCODE,   "postcode",   "postcode_key" },
	{ CRM_F_PREFECTURE, "prefecture", "prefecture" },
	{ CRM_F_ADDRESS,    "address",    "address_key" },
	{ CRM_F_BIRTHDAY,   "birthday",   "birthday" },
	{ CRM_F_MEMBER_ID,  "member_id",  "member_id" },
};
#define NFIELDS (sizeof fields / sizeof fields[0])

const char *
crm_field_column(enum crm_field f)
{
	size_t i;

	for (i = 0; i < NFIELDS; i++)
		if (fields[i].f == f)
			return fields[i].column;
	return NULL;
}

const char *
crm_field_name(enum crm_field f)
{
	size_t i;

	for (i = 0; i < NFIELDS; i++)
		if (fields[i].f == f)
			return fields[i].name;
	return NULL;
}

unsigned
crm_rule_driver(unsigned set)
{
	/* The fields identities has an index on, most selective first. */
	static const unsigned order[] = {
		CRM_F_EMAIL, CRM_F_MEMBER_ID, CRM_F_PHONE, CRM_F_NAME,
		CRM_F_KANA, CRM_F_POSTCODE,
	};
	size_t i;

	for (i = 0; i < sizeof order / sizeof order[0]; i++)
		if (set & order[i])
			return order[i];
	return 0;
}

static int
field_by_name(const char *s, size_t n)
{
	size_t i;

	/* "member-id" is accepted too: shell users type hyphens. */
	if (n == 9 && strncmp(s, "member-id", 9) == 0)
		return CRM_F_MEMBER_ID;
	for (i = 0; i < NFIELDS; i++)
		if (strlen(fields[i].name) == n && strncmp(fields[i].name, s, n) == 0)
			return (int)fields[i].f;
	return 0;
}

int
crm_rule_parse(const char *s, struct crm_rule *r, struct crm_err *err)
{
	const char *p = s, *start, *end;
	size_t i;
	int f;

	memset(r, 0, sizeof *r);
	if (s == NULL)
		return crm_err_set(err, EX_USAGE, "empty match rule");
	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		start = p;
		while (*p && *p != '+')
			p++;
		end = p;
		while (end > start && (end[-1] == ' ' || end[-1] == '\t'))
			end--;
		if (end == start)
			return crm_err_set(err, EX_USAGE,
			    "match rule '%s': empty field name", s);
		f = field_by_name(start, (size_t)(end - start));
		if (f == 0)
			return crm_err_set(err, EX_USAGE,
			    "match rule '%s': unknown field '%.*s' (known: email, "
			    "phone, name, kana, postcode, prefecture, address, "
			    "birthday, member_id)", s, (int)(end - start), start);
		r->fields |= (unsigned)f;
		if (*p == '\0')
			break;
		p++;
	}
	for (i = 0; i < NFIELDS; i++) {
		if (!(r->fields & fields[i].f))
			continue;
		if (r->text[0])
			crm_strlcpy(r->text + strlen(r->text), "+",
			    sizeof r->text - strlen(r->text));
		crm_strlcpy(r->text + strlen(r->text), fields[i].name,
		    sizeof r->text - strlen(r->text));
	}
	return 0;
}

static int
load_rows(sqlite3 *db, int64_t shop_id, struct crm_ruleset *rs,
    struct crm_err *err)
{
	sqlite3_stmt *st;
	struct crm_rule r;
	size_t cap = 0, i;
	int rc, dup;

	if (crm_db_prepare(db, shop_id > 0 ?
	    "SELECT rule FROM match_rules WHERE shop_id = ? ORDER BY id" :
	    "SELECT rule FROM match_rules WHERE shop_id IS NULL ORDER BY id",
	    &st, err) < 0)
		return -1;
	if (shop_id > 0)
		sqlite3_bind_int64(st, 1, shop_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *txt = (const char *)sqlite3_column_text(st, 0);

		if (crm_rule_parse(txt, &r, err) < 0) {
			sqlite3_finalize(st);
			err->code = EX_DATAERR;
			crm_err_prefix(err, "match_rules: ");
			return -1;
		}
		for (dup = 0, i = 0; i < rs->n; i++)
			if (rs->rules[i].fields == r.fields)
				dup = 1;
		if (dup)
			continue;
		if (rs->n == cap) {
			cap = cap ? cap * 2 : 4;
			rs->rules = crm_xreallocarray(rs->rules, cap, sizeof *rs->rules);
		}
		rs->rules[rs->n++] = r;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return crm_db_err(db, err, "match_rules");
	return 0;
}

int
crm_rules_load(sqlite3 *db, int64_t shop_id, struct crm_ruleset *rs,
    struct crm_err *err)
{
	memset(rs, 0, sizeof *rs);
	if (shop_id > 0) {
		if (load_rows(db, shop_id, rs, err) < 0)
			goto fail;
		if (rs->n > 0) {
			rs->is_shop = 1;
			return 0;
		}
	}
	if (load_rows(db, 0, rs, err) < 0)
		goto fail;
	if (rs->n > 0)
		return 0;
	/* The default: e-mail, else phone (phone alone carries the
	 * one-side-without-e-mail guard wherever rules are applied). */
	rs->rules = crm_xcalloc(2, sizeof *rs->rules);
	rs->rules[0].fields = CRM_F_EMAIL;
	crm_strlcpy(rs->rules[0].text, "email", sizeof rs->rules[0].text);
	rs->rules[1].fields = CRM_F_PHONE;
	crm_strlcpy(rs->rules[1].text, "phone", sizeof rs->rules[1].text);
	rs->n = 2;
	rs->is_default = 1;
	return 0;
fail:
	crm_ruleset_release(rs);
	return -1;
}

void
crm_ruleset_release(struct crm_ruleset *rs)
{
	free(rs->rules);
	rs->rules = NULL;
	rs->n = 0;
}
