/* tag.c: tags and the caution flag, set on many customers at once. */
#include <string.h>
#include <utf8proc.h>

#include "db.h"
#include "tag.h"
#include "banned.h"

int
crm_tag_check(const char *tag, struct crm_err *err)
{
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)tag;
	size_t len = tag ? strlen(tag) : 0, nchars = 0;

	if (len == 0)
		return crm_err_set(err, EX_USAGE, "empty tag");
	if (len > CRM_TAG_MAX_BYTES)
		return crm_err_set(err, EX_USAGE, "tag longer than %d bytes",
		    CRM_TAG_MAX_BYTES);
	if (tag[0] == '-')
		return crm_err_set(err, EX_USAGE, "tag '%s' starts with '-'", tag);
	while (*p) {
		utf8proc_int32_t cp;
		utf8proc_ssize_t n = utf8proc_iterate(p, -1, &cp);
		utf8proc_category_t cat;

		if (n <= 0)
			return crm_err_set(err, EX_USAGE, "tag is not valid UTF-8");
		cat = utf8proc_category(cp);
		/* Spaces would run tags together in crm-segment's tags column
		 * (space-separated); commas and quotes make lists and CSV
		 * cells ambiguous; invisible characters make two tags that
		 * look alike. */
		if (cat == UTF8PROC_CATEGORY_CC || cat == UTF8PROC_CATEGORY_CF ||
		    cat == UTF8PROC_CATEGORY_ZS || cat == UTF8PROC_CATEGORY_ZL ||
		    cat == UTF8PROC_CATEGORY_ZP)
			return crm_err_set(err, EX_USAGE, "tag '%s': no spaces, "
			    "control or invisible characters", tag);
		if (cp == ',' || cp == '"' || cp == '\'')
			return crm_err_set(err, EX_USAGE, "tag '%s': no commas "
			    "or quotes", tag);
		p += n;
		nchars++;
	}
	if (nchars > CRM_TAG_MAX_CHARS)
		return crm_err_set(err, EX_USAGE, "tag longer than %d characters",
		    CRM_TAG_MAX_CHARS);
	return 0;
}

int
crm_tag_apply(sqlite3 *db, const struct crm_idlist *ids, enum crm_tag_op op,
    const char *arg, long long *changed, struct crm_err *err)
{
	/* The list was resolved before the write lock was taken (see
	 * crm-tag.c); a customer merged since then is followed to its
	 * survivor here, inside the transaction. */
#define ACTIVE \
	"WITH RECURSIVE r(id, m, hops) AS (SELECT id, merged_into, 0" \
	" FROM customers WHERE id = ?1 UNION ALL SELECT c.id, c.merged_into," \
	" r.hops + 1 FROM customers c JOIN r ON c.id = r.m WHERE r.hops < 64) "
#define THE_ID "(SELECT id FROM r WHERE m IS NULL)"
	static const char *const sql[] = {
		[CRM_TAG_ADD] = ACTIVE "INSERT OR IGNORE INTO tags (customer_id,"
		    " tag, created_at) SELECT id, ?2, ?3 FROM r WHERE m IS NULL",
		[CRM_TAG_RM] = ACTIVE "DELETE FROM tags WHERE customer_id = " THE_ID
		    " AND tag = ?2 AND ?3 = ?3",
		/* Without a reason, "on" keeps the reason already given. */
		[CRM_CAUTION_ON] = ACTIVE "UPDATE customers SET caution = 1,"
		    " caution_reason = coalesce(?2, caution_reason), updated_at = ?3"
		    " WHERE id = " THE_ID " AND (caution = 0"
		    "  OR (?2 IS NOT NULL AND caution_reason IS NOT ?2))",
		[CRM_CAUTION_OFF] = ACTIVE "UPDATE customers SET caution = 0,"
		    " caution_reason = NULL, updated_at = ?3"
		    " WHERE id = " THE_ID
		    " AND (caution <> 0 OR caution_reason IS NOT NULL) AND ?2 IS ?2",
	};
#undef ACTIVE
#undef THE_ID
	sqlite3_stmt *st;
	char now[20];

	*changed = 0;
	if ((size_t)op >= sizeof sql / sizeof sql[0])
		return crm_err_set(err, EX_SOFTWARE, "tag: bad operation");
	crm_db_now(now);
	if (crm_db_prepare(db, sql[op], &st, err) < 0)
		return -1;
	for (size_t i = 0; i < ids->n; i++) {
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, ids->ids[i]);
		if (crm_db_bind_text_null(st, 2, arg) != SQLITE_OK ||
		    crm_db_bind_text(st, 3, now) != SQLITE_OK ||
		    sqlite3_step(st) != SQLITE_DONE) {
			crm_db_err(db, err, op == CRM_TAG_ADD || op == CRM_TAG_RM ?
			    "tags" : "customers");
			crm_err_prefix(err, "customer %lld: ", (long long)ids->ids[i]);
			sqlite3_finalize(st);
			return -1;
		}
		*changed += sqlite3_changes(db) > 0;
	}
	sqlite3_finalize(st);
	return 0;
}
