/* scenario.h: step mail / DM / call scenarios (crm-scenario).
 *
 * A scenario has a trigger (the customer's Nth ok order, a saved segment,
 * or a list) and numbered steps "after DAYS: mail TEMPLATE | dm | call".
 * Each enrolled customer has one row in scenario_customers holding the
 * next step to do, its due date and a status (ready, held, paused, done,
 * undeliverable).  The nine rules of crm-scenario(1) are enforced here. */
#ifndef CRM_SCENARIO_H
#define CRM_SCENARIO_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sqlite3.h>

#include "custlist.h"
#include "err.h"
#include "mail.h"

struct crm_scenario_step {
	int days;
	char kind[8];          /* mail, dm, call */
	char *template;        /* absolute path (mail), malloc'd */
};

/* Parse "DAYS:mail:TEMPLATE", "DAYS:dm" or "DAYS:call".  The template
 * path is made absolute and must be a readable template.  Bad syntax is
 * EX_USAGE; a missing template EX_NOINPUT; a broken one EX_DATAERR. */
int crm_scenario_step_parse(const char *spec, struct crm_scenario_step *out,
    struct crm_err *err);
void crm_scenario_step_release(struct crm_scenario_step *s);

struct crm_scenario_def {
	const char *name;
	const char *trigger;   /* orders, segment, list */
	int orders;            /* trigger orders = N */
	const char *segment;   /* trigger segment */
	const char *anchor;    /* ordered (default) or shipped */
	const char *since;     /* YYYY-MM-DD: orders triggers ignore older orders */
	const struct crm_scenario_step *steps;
	size_t nsteps;
};

/* Parse "orders = N" (spaces optional, N >= 1). */
int crm_scenario_trigger_parse(const char *s, int *n, struct crm_err *err);

int crm_scenario_add(sqlite3 *db, const struct crm_scenario_def *d,
    struct crm_err *err);
/* A new steps version (steps NULL: keep them) and/or a new anchor. */
int crm_scenario_edit(sqlite3 *db, const char *name, const char *anchor,
    const struct crm_scenario_step *steps, size_t nsteps, struct crm_err *err);
/* EX_DATAERR "no scenario 'x'" when unknown. */
int crm_scenario_id(sqlite3 *db, const char *name, int64_t *id,
    struct crm_err *err);
int crm_scenario_pause(sqlite3 *db, const char *name, int paused,
    struct crm_err *err);
/* Refused (EX_DATAERR, *scheduled set) while customers are scheduled,
 * unless purge. */
int crm_scenario_remove(sqlite3 *db, const char *name, int purge,
    int64_t *scheduled, struct crm_err *err);

/* Enrol a list (day 0 = today).  Counts: enrolled, already in, held back
 * as undetermined. */
int crm_scenario_enroll(sqlite3 *db, const char *name,
    const struct crm_idlist *ids, const char *today, int64_t *enrolled,
    int64_t *already, int64_t *undetermined, struct crm_err *err);

/* hold (-> paused), release (held/paused -> ready), undeliverable, for the
 * customers in ids, in scenario name (NULL: every scenario). */
int crm_scenario_set_status(sqlite3 *db, const char *name, const char *action,
    const struct crm_idlist *ids, const char *today, int64_t *changed,
    struct crm_err *err);

/* What run did, one event at a time (lib never prints). */
struct crm_scenario_event {
	const char *scenario;
	const char *what;      /* sent, skipped, deferred, unknown, call */
	int64_t customer_id;
	int step;
	const char *reason;    /* skipped, deferred, unknown */
	const char *name, *phone;  /* call */
};
struct crm_scenario_counts {
	int64_t enrolled, undetermined, sent, held, skipped, deferred, unknown,
	    dm_pending, calls;
};
typedef void (*crm_scenario_event_fn)(void *arg,
    const struct crm_scenario_event *ev);
typedef void (*crm_scenario_summary_fn)(void *arg, const char *scenario,
    int paused, const struct crm_scenario_counts *c);

/* The daily run: enrol, create due steps, send due mail, list calls.
 * Takes an exclusive lock on lockpath (EX_TEMPFAIL when another run holds
 * it).  The mailer is opened on the first due mail step.  *deferred is
 * set when a message was deferred (the caller exits 75).  With a dry-run
 * transport (mbox, Maildir) everything is done and reported, then rolled
 * back: nothing is recorded. */
int crm_scenario_run(sqlite3 *db, const char *lockpath, const char *today,
    const struct crm_transport_opts *topts, crm_scenario_event_fn ev,
    crm_scenario_summary_fn sum, void *arg, int *deferred,
    struct crm_err *err);

/* dm-export: print the due DM rows of step (0: any) as CSV
 * name,kana,postcode,prefecture,address,customer_id sorted by postcode,
 * converted to encoding (NULL: UTF-8); mark them done and schedule their
 * next step, all in one transaction committed only after fp flushed. */
int crm_scenario_dm_export(sqlite3 *db, const char *name, int step,
    const char *today, const char *encoding, FILE *fp, int64_t *n,
    struct crm_err *err);

/* Statements for list/show/customers (columns documented in the .c). */
int crm_scenario_list_prepare(sqlite3 *db, sqlite3_stmt **st,
    struct crm_err *err);
int crm_scenario_steps_prepare(sqlite3 *db, int64_t id, sqlite3_stmt **st,
    struct crm_err *err);
int crm_scenario_customers_prepare(sqlite3 *db, const char *name,
    const char *status, const char *due_by, sqlite3_stmt **st,
    struct crm_err *err);

#endif
