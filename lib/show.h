/* show.h: one customer's whole story (crm-show).
 *
 * The card (contact, member or guest, consent, caution flag, tags), the
 * opt-out ledger, undetermined pairs, the customers merged into it, its
 * buyer records, every order with its items, every mail, and every
 * scenario with its steps.  Customers merged into this one count as this
 * one: their opt-outs, mails and scenario enrolments are shown too. */
#ifndef CRM_SHOW_H
#define CRM_SHOW_H

#include <stdint.h>
#include <stdio.h>
#include <sqlite3.h>

#include "custlist.h"
#include "err.h"

enum crm_show_fmt {
	CRM_SHOW_TEXT,   /* for a person: a card, then one table per section */
	CRM_SHOW_JSON,   /* one object on one line; keys in crm-show(1) */
};

/* Write customer id (active).  merged_from is the id the user asked for
 * when that customer was merged into id, else 0.  The caller holds a
 * read transaction so that the sections agree. */
int crm_show_write(sqlite3 *db, int64_t id, int64_t merged_from, FILE *fp,
    enum crm_show_fmt fmt, struct crm_err *err);

/* One line per candidate customer ("  12  name  email  phone  last
 * order"), for a key that names several. */
int crm_show_candidates(sqlite3 *db, const struct crm_idlist *ids, FILE *fp,
    struct crm_err *err);

#endif
