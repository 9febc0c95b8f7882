/* segment.c: the segment expression language (temporary stub). */
#include "segment.h"
#include "banned.h"

int
crm_segment_saved_ids(sqlite3 *db, const char *name, const char *today,
    struct crm_idlist *out, struct crm_err *err)
{
	(void)db; (void)today; (void)out;
	return crm_err_set(err, EX_SOFTWARE, "segment %s: not implemented yet", name);
}
