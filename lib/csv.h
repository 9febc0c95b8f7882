/* csv.h: streaming CSV/TSV reading (on libcsv) and RFC 4180 writing.
 *
 * The reader decodes the input to UTF-8 as it goes (lib/enc.h), so every
 * field it yields is valid UTF-8 without NUL bytes.  It handles quoted
 * newlines, CRLF, a UTF-8 BOM, empty fields, a last line without a
 * newline, and ragged rows.  Spaces and tabs around an unquoted field are
 * dropped (libcsv); lines that are empty or whose fields are all empty are
 * skipped.  Memory is bounded by one chunk and max_field, never by the
 * file size: a runaway field (a stray quote) is cut as it is read. */
#ifndef CRM_CSV_H
#define CRM_CSV_H

#include <stddef.h>
#include <stdio.h>

#include "err.h"

struct crm_csv_opts {
	char delim;            /* ',' or '\t'; 0: guess from the first line */
	const char *encoding;  /* "utf-8", "cp932", "euc-jp", or NULL/"auto" */
	size_t max_field;      /* bytes; 0: 64 KiB.  Longer fields are cut and flagged */
};

struct crm_csv_record {
	size_t nfields;
	char **fields;         /* NUL-terminated UTF-8, owned by the reader */
	size_t *lens;
	long line;             /* physical line where the record starts (1-based) */
	long line_end;         /* physical line where it ends */
	long overlong;         /* index of the first field over max_field, or -1 */
};

struct crm_csv_reader;

/* name is used in messages ("orders.csv", "-" for stdin). */
int crm_csv_open(struct crm_csv_reader **r, FILE *fp, const char *name,
    const struct crm_csv_opts *opts, struct crm_err *err);
/* 1: *rec is the next record, valid until the next call; 0: end of input;
 * -1: error (undecodable bytes, unterminated quote, read error), with
 * err naming file and line, code EX_DATAERR or EX_IOERR. */
int crm_csv_next(struct crm_csv_reader *r, const struct crm_csv_record **rec,
    struct crm_err *err);
/* Call before the first crm_csv_next: '"' is data, never a quote, for
 * tab-separated reports that do not quote (Amazon's). */
void crm_csv_no_quotes(struct crm_csv_reader *r);
const char *crm_csv_encoding(const struct crm_csv_reader *r); /* as detected */
char crm_csv_delim(const struct crm_csv_reader *r);
long long crm_csv_bytes(const struct crm_csv_reader *r);    /* consumed so far */
void crm_csv_close(struct crm_csv_reader *r);

/* Header map: column index by name, case-insensitive, surrounding spaces
 * and a BOM ignored.  -1 when missing. */
struct crm_csv_header {
	size_t n;
	char **names;
};
void crm_csv_header_init(struct crm_csv_header *h, const struct crm_csv_record *rec);
int crm_csv_header_find(const struct crm_csv_header *h, const char *name);
void crm_csv_header_release(struct crm_csv_header *h);

/* Writing.  Fields are quoted only when they need it (delimiter, quote,
 * CR or LF, leading/trailing space).  NULL writes an empty field.
 * Return -1 when the stream has failed. */
int crm_csv_write_row(FILE *fp, const char *const *fields, size_t n, char delim);
void crm_csv_write_field(FILE *fp, const char *s, char delim);

#endif
