/* libFuzzer target: the segment expression compiler on arbitrary input.
 * It must compile or report an error (with EX_USAGE or EX_DATAERR), never
 * crash; a compiled condition must prepare as SQL against the real schema
 * with exactly as many parameters as it bound. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "segment.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static sqlite3 *db;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct crm_segment *seg;
	struct crm_err err;
	struct crm_buf sql;
	sqlite3_stmt *st;
	char *s;

	if (db == NULL) {
		if (crm_db_open(":memory:", CRM_DB_RDWR, &db, &err) < 0 ||
		    crm_segment_save(db, "vip", "orders >= 2", NULL, "2026-06-30", &err) < 0 ||
		    crm_segment_save(db, "loop", "in_segment(vip)", NULL, "2026-06-30", &err) < 0)
			__builtin_trap();
	}
	s = crm_xstrndup((const char *)data, size);
	crm_err_clear(&err);
	if (crm_segment_compile(db, s, "2026-06-30", &seg, &err) < 0) {
		if (err.code != EX_USAGE && err.code != EX_DATAERR)
			__builtin_trap();
		free(s);
		return 0;
	}
	crm_buf_init(&sql);
	crm_buf_addf(&sql, "SELECT c.id FROM customers c WHERE %s", crm_segment_sql(seg));
	if (sqlite3_prepare_v2(db, sql.s, -1, &st, NULL) != SQLITE_OK ||
	    (size_t)sqlite3_bind_parameter_count(st) != crm_segment_nparams(seg))
		__builtin_trap();
	if (crm_segment_bind(seg, st, 0, &err) < 0)
		__builtin_trap();
	sqlite3_step(st);
	sqlite3_finalize(st);
	crm_buf_release(&sql);
	crm_segment_free(seg);
	free(s);
	return 0;
}
