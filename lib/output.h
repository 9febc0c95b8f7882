/* output.h: rows out, as ids, CSV, TSV, JSON lines or an aligned table.
 *
 * The default is a table when the stream is a terminal and CSV otherwise.
 * A table counts East Asian wide characters as two columns. */
#ifndef CRM_OUTPUT_H
#define CRM_OUTPUT_H

#include <stddef.h>
#include <stdio.h>

#include "err.h"

enum crm_out_fmt {
	CRM_OUT_DEFAULT = 0,  /* table to a terminal, CSV otherwise */
	CRM_OUT_IDS,          /* the first column only, no header */
	CRM_OUT_CSV,
	CRM_OUT_TSV,
	CRM_OUT_JSON,         /* one object per line */
	CRM_OUT_TABLE,
};

/* "ids", "csv", "tsv", "json", "table" */
int crm_out_parse(const char *s, enum crm_out_fmt *fmt, struct crm_err *err);

struct crm_out_col {
	const char *name;
	int numeric;          /* JSON number, right-aligned in a table */
};

struct crm_out;
struct crm_out *crm_out_open(FILE *fp, enum crm_out_fmt fmt,
    const struct crm_out_col *cols, size_t ncols);
/* ncols values; NULL is empty (JSON null). */
int crm_out_row(struct crm_out *o, const char *const *vals);
/* Flush (a table is written here) and free.  -1 on a write error. */
int crm_out_close(struct crm_out *o, struct crm_err *err);
enum crm_out_fmt crm_out_format(const struct crm_out *o);  /* resolved */

/* Display width of UTF-8 text in terminal columns. */
size_t crm_utf8_width(const char *s);
/* Write s as a JSON string literal (with quotes). */
void crm_json_string(FILE *fp, const char *s);

#endif
