/* rejects.h: the rejects file of crm-import.
 *
 * Rows that could not be imported are written as CSV that can be fixed
 * and fed back: the input's header, then each row's original fields
 * followed by "line" and "reason".  By default the file is
 * <input>.rejects.csv beside each input (crm-import.rejects.csv for
 * standard input); one fixed path collects every input's rows instead,
 * each input's header repeated only when it differs from the last.
 * Files are created at the first rejected row, never empty. */
#ifndef CRM_REJECTS_H
#define CRM_REJECTS_H

#include <stddef.h>

#include "err.h"

struct crm_rejects;

/* fixed: the --rejects path, or NULL for one file beside each input. */
struct crm_rejects *crm_rejects_new(const char *fixed);
/* The rows that follow come from input ("-" for standard input). */
void crm_rejects_input(struct crm_rejects *rj, const char *input);
/* Write one row.  Failures are sticky and reported by crm_rejects_end. */
void crm_rejects_write(struct crm_rejects *rj, const char *const *header,
    size_t nheader, const char *const *fields, size_t nfields, long line,
    const char *reason);
/* The file the current input's rows went to, or NULL when none did. */
const char *crm_rejects_path(const struct crm_rejects *rj);
/* After the current input: close its file (unless fixed).  -1 (with
 * EX_CANTCREAT or EX_IOERR naming the file) if anything failed. */
int crm_rejects_end(struct crm_rejects *rj, struct crm_err *err);
/* Remove every file this object created (the import did not happen). */
void crm_rejects_discard(struct crm_rejects *rj);
void crm_rejects_free(struct crm_rejects *rj);

#endif
