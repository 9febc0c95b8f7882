/* date.h: dates and times as shops write them, in local time.
 *
 * Local time is TZ (crm_cli_init makes Asia/Tokyo the default).  Stored
 * timestamps are "YYYY-MM-DD HH:MM:SS", dates "YYYY-MM-DD". */
#ifndef CRM_DATE_H
#define CRM_DATE_H

#include "err.h"

#define CRM_TS_LEN   20   /* "YYYY-MM-DD HH:MM:SS" + NUL */
#define CRM_DATE_LEN 11   /* "YYYY-MM-DD" + NUL */

/* Parse 2026-11-22, 2026/11/22, 2026.11.22, 2026/1/2 10:05,
 * 2026-11-22 10:05:00(.123), 2026-11-22T10:05:00+09:00 (converted to local
 * time), ...Z, "... -0500", "... +0900", "... UTC", "... JST",
 * 2026年11月22日 (with 10時05分 or 10:05 optional), 20261122,
 * 20261122100500; full-width digits too; a day of the week after the date
 * ("2026/11/22(日)", checked against the date); 午前/午後 or AM/PM.  A
 * date alone is 00:00:00.
 * Impossible dates (2026-02-30, 2025-02-29, 25:00) and anything else: -1
 * with EX_DATAERR and a message saying what is wrong. */
int crm_date_parse(const char *in, char out[CRM_TS_LEN], struct crm_err *err);
/* Parse with an explicit strptime-style format (mapping files), then as
 * crm_date_parse if fmt is NULL. */
int crm_date_parse_fmt(const char *in, const char *fmt, char out[CRM_TS_LEN],
    struct crm_err *err);
/* Today: opt (--today) if set, else $CRM_TODAY, else the local date.
 * opt and CRM_TODAY must be YYYY-MM-DD: else -1, EX_USAGE, naming which. */
int crm_today(const char *opt, char out[CRM_DATE_LEN], struct crm_err *err);
/* out = date + days (negative allowed).  date is YYYY-MM-DD (a
 * "YYYY-MM-DD HH:MM:SS" timestamp's date part is used). */
int crm_date_add(const char *date, int days, char out[CRM_DATE_LEN],
    struct crm_err *err);
/* Whole days from a to b (b - a), by calendar date. */
int crm_date_diff(const char *a, const char *b, long *days, struct crm_err *err);

/* A range "MIN..MAX", either side optional, each a date or "Nd" (N days
 * before today).  A bare date means that one day.  lo/hi are "" when open;
 * hi is inclusive.  today NULL means crm_today(NULL).  Garbage, or MIN
 * after MAX, is -1 with EX_USAGE (ranges come from the command line). */
int crm_date_range(const char *spec, const char *today, char lo[CRM_DATE_LEN],
    char hi[CRM_DATE_LEN], struct crm_err *err);

#endif
