/* scenario.c: step scenarios.  See scenario.h and crm-scenario(1).
 *
 * Day arithmetic (rule 5): a step at DAYS is due on anchor + DAYS, except
 * that day 0 is the next day (anchor + 1) for order and segment triggers;
 * for a list enrolment day 0 is the enrolment day itself.
 * A step whose due date is before today when it is created (at enrolment
 * or when the previous step completes) is created 'held' (rule 3). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "date.h"
#include "db.h"
#include "enc.h"
#include "csv.h"
#include "scenario.h"
#include "segment.h"
#include "util.h"
#include "banned.h"

int
crm_scenario_step_parse(const char *spec, struct crm_scenario_step *out,
    struct crm_err *err)
{
	const char *c1, *c2, *kind;
	char num[16], path[PATH_MAX];
	long long days;
	struct crm_template *t = NULL;
	size_t klen;

	memset(out, 0, sizeof *out);
	c1 = strchr(spec, ':');
	if (c1 == NULL || (size_t)(c1 - spec) >= sizeof num || c1 == spec)
		return crm_err_set(err, EX_USAGE, "--step '%s': expected "
		    "DAYS:mail:TEMPLATE, DAYS:dm or DAYS:call", spec);
	memcpy(num, spec, (size_t)(c1 - spec));
	num[c1 - spec] = '\0';
	if (crm_strtonum(num, 0, 3650, &days, "--step DAYS", err) < 0) {
		crm_err_prefix(err, "--step '%s': ", spec);
		return -1;
	}
	kind = c1 + 1;
	c2 = strchr(kind, ':');
	klen = c2 ? (size_t)(c2 - kind) : strlen(kind);
	out->days = (int)days;
	if (klen == 4 && strncmp(kind, "mail", 4) == 0) {
		if (c2 == NULL || c2[1] == '\0')
			return crm_err_set(err, EX_USAGE, "--step '%s': a mail "
			    "step needs a template (DAYS:mail:TEMPLATE)", spec);
		if (realpath(c2 + 1, path) == NULL)
			return crm_err_set(err, EX_NOINPUT, "--step '%s': %s: %s",
			    spec, c2 + 1, strerror(errno));
		if (crm_template_load(path, &t, err) < 0)
			return -1;
		crm_template_free(t);
		crm_strlcpy(out->kind, "mail", sizeof out->kind);
		out->template = crm_xstrdup(path);
		return 0;
	}
	if (c2 == NULL && ((klen == 2 && strncmp(kind, "dm", 2) == 0) ||
	    (klen == 4 && strncmp(kind, "call", 4) == 0))) {
		crm_strlcpy(out->kind, kind, sizeof out->kind);
		return 0;
	}
	return crm_err_set(err, EX_USAGE, "--step '%s': expected "
	    "DAYS:mail:TEMPLATE, DAYS:dm or DAYS:call", spec);
}

void
crm_scenario_step_release(struct crm_scenario_step *s)
{
	free(s->template);
	s->template = NULL;
}

int
crm_scenario_trigger_parse(const char *s, int *n, struct crm_err *err)
{
	char buf[64], *p;
	long long v;

	if (crm_strlcpy(buf, s, sizeof buf) >= sizeof buf)
		goto bad;
	p = crm_trim(buf);
	if (strncmp(p, "orders", 6) != 0)
		goto bad;
	p = crm_trim(p + 6);
	if (*p != '=')
		goto bad;
	p = crm_trim(p + 1);
	if (crm_strtonum(p, 1, 1000000, &v, "--trigger N", err) < 0)
		goto bad;
	*n = (int)v;
	return 0;
bad:
	return crm_err_set(err, EX_USAGE, "--trigger '%s': expected 'orders = N' "
	    "with N >= 1", s);
}

int
crm_scenario_id(sqlite3 *db, const char *name, int64_t *id, struct crm_err *err)
{
	sqlite3_stmt *st;
	int rc;

	if (crm_db_prepare(db, "SELECT id FROM scenarios WHERE name = ?1", &st,
	    err) < 0)
		return -1;
	crm_db_bind_text(st, 1, name);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*id = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return 0;
	if (rc != SQLITE_DONE)
		return crm_db_err(db, err, "scenarios");
	return crm_err_set(err, EX_DATAERR, "no scenario '%s' (see "
	    "crm-scenario list)", name);
}

static int
exec_bound(sqlite3 *db, sqlite3_stmt *st, const char *what, struct crm_err *err)
{
	int rc = sqlite3_step(st);

	sqlite3_finalize(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return crm_db_err(db, err, what);
	return 0;
}

static int
insert_steps(sqlite3 *db, int64_t id, int version,
    const struct crm_scenario_step *steps, size_t n, struct crm_err *err)
{
	sqlite3_stmt *st;
	size_t i;

	if (crm_db_prepare(db, "INSERT INTO scenario_steps (scenario_id, version, "
	    "step, days, kind, template) VALUES (?1, ?2, ?3, ?4, ?5, ?6)", &st,
	    err) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_int(st, 2, version);
		sqlite3_bind_int(st, 3, (int)i + 1);
		sqlite3_bind_int(st, 4, steps[i].days);
		crm_db_bind_text(st, 5, steps[i].kind);
		crm_db_bind_text_null(st, 6, steps[i].template);
		if (sqlite3_step(st) != SQLITE_DONE) {
			crm_db_err(db, err, "scenario_steps");
			sqlite3_finalize(st);
			return -1;
		}
	}
	sqlite3_finalize(st);
	return 0;
}

static int
check_steps(const struct crm_scenario_step *steps, size_t n, struct crm_err *err)
{
	size_t i;

	if (n == 0)
		return crm_err_set(err, EX_USAGE, "at least one --step is needed");
	for (i = 1; i < n; i++)
		if (steps[i].days < steps[i - 1].days)
			return crm_err_set(err, EX_USAGE, "--step %zu: day %d comes "
			    "before the previous step's day %d", i + 1,
			    steps[i].days, steps[i - 1].days);
	return 0;
}

int
crm_scenario_add(sqlite3 *db, const struct crm_scenario_def *d,
    struct crm_err *err)
{
	sqlite3_stmt *st;
	char now[20];
	int64_t id;
	char *expr = NULL, *args = NULL;

	if (crm_empty(d->name) || strlen(d->name) > 200 ||
	    strchr(d->name, ':') != NULL || d->name[0] == '-')
		return crm_err_set(err, EX_USAGE, "scenario name '%s': 1-200 "
		    "bytes, no ':' and not starting with '-'", d->name);
	if (check_steps(d->steps, d->nsteps, err) < 0)
		return -1;
	if (strcmp(d->trigger, "segment") == 0) {
		if (crm_segment_load(db, d->segment, &expr, &args, err) < 0)
			return -1;
		free(expr);
		free(args);
	}
	if (crm_db_begin(db, err) < 0)
		return -1;
	if (crm_scenario_id(db, d->name, &id, err) == 0) {
		crm_db_rollback(db);
		return crm_err_set(err, EX_DATAERR, "scenario '%s' exists "
		    "(crm-scenario edit changes it)", d->name);
	}
	crm_err_clear(err);
	crm_db_now(now);
	if (crm_db_prepare(db, "INSERT INTO scenarios (name, trigger, "
	    "trigger_orders, trigger_segment, anchor, since, created_at, "
	    "updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)", &st, err) < 0)
		goto fail;
	crm_db_bind_text(st, 1, d->name);
	crm_db_bind_text(st, 2, d->trigger);
	if (strcmp(d->trigger, "orders") == 0)
		sqlite3_bind_int(st, 3, d->orders);
	crm_db_bind_text_null(st, 4, d->segment);
	crm_db_bind_text(st, 5, d->anchor ? d->anchor : "ordered");
	crm_db_bind_text_null(st, 6, d->since);
	crm_db_bind_text(st, 7, now);
	if (exec_bound(db, st, "scenarios", err) < 0)
		goto fail;
	id = sqlite3_last_insert_rowid(db);
	if (insert_steps(db, id, 1, d->steps, d->nsteps, err) < 0)
		goto fail;
	return crm_db_commit(db, err);
fail:
	crm_db_rollback(db);
	return -1;
}

int
crm_scenario_edit(sqlite3 *db, const char *name, const char *anchor,
    const struct crm_scenario_step *steps, size_t nsteps, struct crm_err *err)
{
	sqlite3_stmt *st;
	int64_t id, version;
	char now[20];

	if (steps != NULL && check_steps(steps, nsteps, err) < 0)
		return -1;
	if (crm_db_begin(db, err) < 0)
		return -1;
	if (crm_scenario_id(db, name, &id, err) < 0)
		goto fail;
	crm_db_now(now);
	if (steps != NULL) {
		if (crm_db_prepare(db, "UPDATE scenarios SET version = version + 1 "
		    "WHERE id = ?1 RETURNING version", &st, err) < 0)
			goto fail;
		sqlite3_bind_int64(st, 1, id);
		if (sqlite3_step(st) != SQLITE_ROW) {
			sqlite3_finalize(st);
			crm_db_err(db, err, "scenarios");
			goto fail;
		}
		version = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
		if (insert_steps(db, id, (int)version, steps, nsteps, err) < 0)
			goto fail;
	}
	if (crm_db_prepare(db, "UPDATE scenarios SET anchor = coalesce(?2, anchor),"
	    " updated_at = ?3 WHERE id = ?1", &st, err) < 0)
		goto fail;
	sqlite3_bind_int64(st, 1, id);
	crm_db_bind_text_null(st, 2, anchor);
	crm_db_bind_text(st, 3, now);
	if (exec_bound(db, st, "scenarios", err) < 0)
		goto fail;
	return crm_db_commit(db, err);
fail:
	crm_db_rollback(db);
	return -1;
}

int
crm_scenario_pause(sqlite3 *db, const char *name, int paused,
    struct crm_err *err)
{
	sqlite3_stmt *st;
	int64_t id;

	if (crm_scenario_id(db, name, &id, err) < 0 ||
	    crm_db_prepare(db, "UPDATE scenarios SET paused = ?2 WHERE id = ?1",
	    &st, err) < 0)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int(st, 2, paused);
	return exec_bound(db, st, "scenarios", err);
}

static int
count_id(sqlite3 *db, const char *sql, int64_t id, int64_t *n,
    struct crm_err *err)
{
	sqlite3_stmt *st;
	int rc;

	if (crm_db_prepare(db, sql, &st, err) < 0)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	*n = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return crm_db_err(db, err, "scenario_customers");
	return 0;
}

int
crm_scenario_remove(sqlite3 *db, const char *name, int purge,
    int64_t *scheduled, struct crm_err *err)
{
	sqlite3_stmt *st;
	int64_t id;

	*scheduled = 0;
	if (crm_db_begin(db, err) < 0)
		return -1;
	if (crm_scenario_id(db, name, &id, err) < 0 ||
	    count_id(db, "SELECT count(*) FROM scenario_customers WHERE "
	    "scenario_id = ?1 AND status IN ('ready','held','paused') AND "
	    "due IS NOT NULL", id, scheduled, err) < 0)
		goto fail;
	if (*scheduled > 0 && !purge) {
		crm_err_set(err, EX_DATAERR, "scenario '%s' has %lld scheduled "
		    "customer%s; wait until they are done, or rm --purge",
		    name, (long long)*scheduled, *scheduled == 1 ? "" : "s");
		goto fail;
	}
	if (crm_db_prepare(db, "DELETE FROM scenarios WHERE id = ?1", &st,
	    err) < 0)
		goto fail;
	sqlite3_bind_int64(st, 1, id);
	if (exec_bound(db, st, "scenarios", err) < 0)
		goto fail;
	return crm_db_commit(db, err);
fail:
	crm_db_rollback(db);
	return -1;
}

/* Rule 1 across merges: a row of a customer merged into another since
 * enrolment moves to the survivor, so that the survivor is not enrolled
 * again; when the survivor has a row of its own in this scenario, the
 * absorbed one stops (done, with a note).  Repeated for chains of merges.
 * Driven by the partial index on merged customers, so cheap when there
 * are none. */
static int
follow_merges(sqlite3 *db, int64_t id, struct crm_err *err)
{
	static const char *const sql[] = {
	    "UPDATE OR IGNORE scenario_customers SET customer_id = (SELECT "
	    " merged_into FROM customers WHERE id = customer_id), updated_at = ?2 "
	    "WHERE scenario_id = ?1 AND customer_id IN (SELECT id FROM customers "
	    " WHERE merged_into IS NOT NULL)",
	    "UPDATE scenario_customers SET status = 'done', note = 'merged into ' "
	    " || (SELECT merged_into FROM customers WHERE id = customer_id), "
	    " updated_at = ?2 "
	    "WHERE scenario_id = ?1 AND status IN ('ready','held','paused') AND "
	    " customer_id IN (SELECT id FROM customers WHERE merged_into IS NOT NULL)"
	};
	sqlite3_stmt *st;
	char now[20];
	int round, i, changed;

	crm_db_now(now);
	for (round = 0; round < 16; round++) {
		changed = 0;
		for (i = 0; i < 2; i++) {
			if (crm_db_prepare(db, sql[i], &st, err) < 0)
				return -1;
			sqlite3_bind_int64(st, 1, id);
			crm_db_bind_text(st, 2, now);
			if (exec_bound(db, st, "scenario_customers", err) < 0)
				return -1;
			changed += sqlite3_changes(db);
			/* Stop the leftovers only once no row can move. */
			if (i == 0 && changed > 0)
				break;
		}
		if (changed == 0)
			break;
	}
	return 0;
}

/* Set-based enrolment of temp.scenario_in (customer ids) with anchor
 * today.  Undetermined customers are counted and left out; they are
 * considered again at the next enrolment. */
static int
enroll_temp(sqlite3 *db, int64_t id, const char *via, const char *today,
    int64_t *enrolled, int64_t *undetermined, struct crm_err *err)
{
	sqlite3_stmt *st;
	char now[20];

	crm_db_now(now);
	if (crm_db_prepare(db, "SELECT count(*) FROM temp.scenario_in i JOIN "
	    "customers c ON c.id = i.id WHERE c.undetermined = 1 AND NOT EXISTS "
	    "(SELECT 1 FROM scenario_customers s WHERE s.scenario_id = ?1 AND "
	    "s.customer_id = c.id)", &st, err) < 0)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	*undetermined = sqlite3_step(st) == SQLITE_ROW ?
	    sqlite3_column_int64(st, 0) : 0;
	sqlite3_finalize(st);
	if (crm_db_prepare(db,
	    "INSERT OR IGNORE INTO scenario_customers (scenario_id, customer_id, "
	    " version, via, anchor, step, due, status, enrolled_at, updated_at) "
	    "SELECT s.id, c.id, s.version, ?2, ?3, 1, "
	    " date(?3, '+' || (CASE WHEN st.days = 0 AND ?2 <> 'list' THEN 1 "
	    "   ELSE st.days END) || ' days'), 'ready', ?4, ?4 "
	    "FROM temp.scenario_in i JOIN customers c ON c.id = i.id "
	    "JOIN scenarios s ON s.id = ?1 "
	    "JOIN scenario_steps st ON st.scenario_id = s.id AND "
	    " st.version = s.version AND st.step = 1 "
	    "WHERE c.merged_into IS NULL AND c.undetermined = 0", &st, err) < 0)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	crm_db_bind_text(st, 2, via);
	crm_db_bind_text(st, 3, today);
	crm_db_bind_text(st, 4, now);
	if (exec_bound(db, st, "scenario_customers", err) < 0)
		return -1;
	*enrolled = sqlite3_changes(db);
	return 0;
}

static int
load_temp(sqlite3 *db, const struct crm_idlist *ids, struct crm_err *err)
{
	sqlite3_stmt *st;
	size_t i;

	if (crm_db_exec(db, "CREATE TEMP TABLE IF NOT EXISTS scenario_in "
	    "(id INTEGER PRIMARY KEY); DELETE FROM temp.scenario_in;", err) < 0 ||
	    crm_db_prepare(db, "INSERT OR IGNORE INTO temp.scenario_in (id) "
	    "VALUES (?1)", &st, err) < 0)
		return -1;
	for (i = 0; i < ids->n; i++) {
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, ids->ids[i]);
		if (sqlite3_step(st) != SQLITE_DONE) {
			sqlite3_finalize(st);
			return crm_db_err(db, err, "scenario_in");
		}
	}
	sqlite3_finalize(st);
	return 0;
}

int
crm_scenario_enroll(sqlite3 *db, const char *name,
    const struct crm_idlist *ids, const char *today, int64_t *enrolled,
    int64_t *already, int64_t *undetermined, struct crm_err *err)
{
	int64_t id, n0;
	sqlite3_stmt *st;
	char trig[16] = "";

	*enrolled = *already = *undetermined = 0;
	if (crm_db_begin(db, err) < 0)
		return -1;
	if (crm_scenario_id(db, name, &id, err) < 0)
		goto fail;
	if (crm_db_prepare(db, "SELECT trigger FROM scenarios WHERE id = ?1",
	    &st, err) < 0)
		goto fail;
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) == SQLITE_ROW)
		crm_strlcpy(trig, (const char *)sqlite3_column_text(st, 0),
		    sizeof trig);
	sqlite3_finalize(st);
	if (strcmp(trig, "list") != 0) {
		crm_err_set(err, EX_USAGE, "scenario '%s' is triggered by %s, "
		    "not by a list (add it with --list)", name, trig);
		goto fail;
	}
	if (follow_merges(db, id, err) < 0 || load_temp(db, ids, err) < 0 ||
	    count_id(db, "SELECT count(*) FROM temp.scenario_in i JOIN "
	    "scenario_customers s ON s.customer_id = i.id AND s.scenario_id = ?1",
	    id, &n0, err) < 0 ||
	    enroll_temp(db, id, "list", today, enrolled, undetermined, err) < 0)
		goto fail;
	*already = n0;
	return crm_db_commit(db, err);
fail:
	crm_db_rollback(db);
	return -1;
}

int
crm_scenario_set_status(sqlite3 *db, const char *name, const char *action,
    const struct crm_idlist *ids, const char *today, int64_t *changed,
    struct crm_err *err)
{
	sqlite3_stmt *st;
	int64_t id = 0;
	const char *sql;
	char now[20];

	(void)today;
	*changed = 0;
	if (strcmp(action, "hold") == 0)
		sql = "UPDATE scenario_customers SET status = 'paused', "
		    "updated_at = ?2 WHERE status IN ('ready','held') AND "
		    "customer_id IN (SELECT id FROM temp.scenario_in) AND "
		    "(?1 = 0 OR scenario_id = ?1)";
	else if (strcmp(action, "release") == 0)
		sql = "UPDATE scenario_customers SET status = 'ready', "
		    "updated_at = ?2 WHERE status IN ('held','paused') AND "
		    "customer_id IN (SELECT id FROM temp.scenario_in) AND "
		    "(?1 = 0 OR scenario_id = ?1)";
	else
		sql = "UPDATE scenario_customers SET status = 'undeliverable', "
		    "note = 'marked by operator', updated_at = ?2 WHERE status "
		    "<> 'done' AND status <> 'undeliverable' AND "
		    "customer_id IN (SELECT id FROM temp.scenario_in) AND "
		    "(?1 = 0 OR scenario_id = ?1)";
	if (crm_db_begin(db, err) < 0)
		return -1;
	if ((name != NULL && crm_scenario_id(db, name, &id, err) < 0) ||
	    load_temp(db, ids, err) < 0 || crm_db_prepare(db, sql, &st, err) < 0)
		goto fail;
	crm_db_now(now);
	sqlite3_bind_int64(st, 1, id);
	crm_db_bind_text(st, 2, now);
	if (exec_bound(db, st, "scenario_customers", err) < 0)
		goto fail;
	*changed = sqlite3_changes(db);
	return crm_db_commit(db, err);
fail:
	crm_db_rollback(db);
	return -1;
}

/* ---- run ------------------------------------------------------------- */

struct scen {
	int64_t id;
	char *name, *trigger, *segment, *anchor, *since;
	int orders, paused;
};

static void
scen_release(struct scen *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(s[i].name);
		free(s[i].trigger);
		free(s[i].segment);
		free(s[i].anchor);
		free(s[i].since);
	}
	free(s);
}

static char *
coldup(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	return t ? crm_xstrdup((const char *)t) : NULL;
}

static int
load_scenarios(sqlite3 *db, struct scen **out, size_t *n, struct crm_err *err)
{
	sqlite3_stmt *st;
	struct scen *s = NULL;
	size_t cap = 0;
	int rc;

	*n = 0;
	if (crm_db_prepare(db, "SELECT id, name, trigger, trigger_orders, "
	    "trigger_segment, anchor, since, paused FROM scenarios ORDER BY name",
	    &st, err) < 0)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 8;
			s = crm_xreallocarray(s, cap, sizeof *s);
		}
		s[*n].id = sqlite3_column_int64(st, 0);
		s[*n].name = coldup(st, 1);
		s[*n].trigger = coldup(st, 2);
		s[*n].orders = sqlite3_column_int(st, 3);
		s[*n].segment = coldup(st, 4);
		s[*n].anchor = coldup(st, 5);
		s[*n].since = coldup(st, 6);
		s[*n].paused = sqlite3_column_int(st, 7);
		(*n)++;
	}
	sqlite3_finalize(st);
	*out = s;
	if (rc != SQLITE_DONE)
		return crm_db_err(db, err, "scenarios");
	return 0;
}

/* Orders trigger: the order that brought the customer's ok-order count
 * to N (ordered_at, then id, break ties), anchored on its order or
 * shipping date; a not yet shipped order waits.  The candidates are found
 * once, into a temp table, from the customers not yet in the scenario
 * (so that a daily run does not read the orders of everyone enrolled
 * before), and the undetermined, held and ready ones are counted from
 * there. */
static int
enroll_orders(sqlite3 *db, const struct scen *s, const char *today,
    int64_t *enrolled, int64_t *undetermined, int64_t *held,
    struct crm_err *err)
{
	static const char cand[] =
	    "INSERT INTO temp.scenario_cand (cid, oid, anc, und) "
	    "SELECT cid, oid, anc, und FROM (SELECT t.cid, t.oid, t.und, "
	    "  substr(CASE WHEN ?3 = 'shipped' THEN o.shipped_at ELSE "
	    "   o.ordered_at END, 1, 10) AS anc "
	    " FROM (SELECT c.id AS cid, c.undetermined AS und, (SELECT o.id "
	    "   FROM orders o WHERE o.customer_id = c.id AND o.status = 'ok' "
	    "   ORDER BY o.ordered_at, o.id LIMIT 1 OFFSET ?2 - 1) AS oid "
	    "  FROM customers c WHERE c.merged_into IS NULL AND c.orders >= ?2 "
	    "   AND (?4 IS NULL OR c.last_order >= ?4) AND NOT EXISTS (SELECT 1 "
	    "   FROM scenario_customers x WHERE x.scenario_id = ?1 AND "
	    "   x.customer_id = c.id)) t "
	    " JOIN orders o ON o.id = t.oid "
	    " WHERE ?4 IS NULL OR o.ordered_at >= ?4) "
	    /* an order (or shipment) dated after today is not a trigger
	     * yet: runs with --today in the past see the past */
	    "WHERE anc IS NOT NULL AND anc <> '' AND anc <= ?5";
	/* ?6: held (1) or ready (0); rule 3 at enrolment. */
	static const char ins[] =
	    "INSERT OR IGNORE INTO scenario_customers (scenario_id, customer_id, "
	    " version, via, order_id, anchor, step, due, status, note, "
	    " enrolled_at, updated_at) "
	    "SELECT ?1, cid, version, 'orders', oid, anc, 1, due, "
	    " CASE WHEN ?6 THEN 'held' ELSE 'ready' END, "
	    " CASE WHEN ?6 THEN 'created after its date' END, ?3, ?3 "
	    "FROM (SELECT t.cid, t.oid, t.anc, sc.version, date(t.anc, '+' || "
	    "  (CASE WHEN st.days = 0 THEN 1 ELSE st.days END) || ' days') AS due "
	    " FROM temp.scenario_cand t JOIN scenarios sc ON sc.id = ?1 "
	    " JOIN scenario_steps st ON st.scenario_id = sc.id AND "
	    "  st.version = sc.version AND st.step = 1 WHERE t.und = 0) "
	    "WHERE (due < ?2) = ?6";
	sqlite3_stmt *st;
	char now[20];
	int i;

	*enrolled = 0;
	crm_db_now(now);
	if (crm_db_exec(db, "CREATE TEMP TABLE IF NOT EXISTS scenario_cand "
	    "(cid INTEGER PRIMARY KEY, oid INTEGER, anc TEXT, und INTEGER); "
	    "DELETE FROM temp.scenario_cand;", err) < 0 ||
	    crm_db_prepare(db, cand, &st, err) < 0)
		return -1;
	sqlite3_bind_int64(st, 1, s->id);
	sqlite3_bind_int(st, 2, s->orders);
	crm_db_bind_text(st, 3, s->anchor);
	crm_db_bind_text_null(st, 4, s->since);
	crm_db_bind_text(st, 5, today);
	if (exec_bound(db, st, "enrolment", err) < 0 ||
	    crm_db_prepare(db, "SELECT count(*) FROM temp.scenario_cand WHERE "
	    "und = 1", &st, err) < 0)
		return -1;
	*undetermined = sqlite3_step(st) == SQLITE_ROW ?
	    sqlite3_column_int64(st, 0) : 0;
	sqlite3_finalize(st);
	for (i = 1; i >= 0; i--) {
		if (crm_db_prepare(db, ins, &st, err) < 0)
			return -1;
		sqlite3_bind_int64(st, 1, s->id);
		crm_db_bind_text(st, 2, today);
		crm_db_bind_text(st, 3, now);
		sqlite3_bind_int(st, 6, i);
		if (exec_bound(db, st, "scenario_customers", err) < 0)
			return -1;
		if (i == 1)
			*held += sqlite3_changes(db);
		*enrolled += sqlite3_changes(db);
	}
	return 0;
}

static int
enroll_segment(sqlite3 *db, const struct scen *s, const char *today,
    int64_t *enrolled, int64_t *undetermined, struct crm_err *err)
{
	struct crm_idlist ids;
	int rc;

	crm_idlist_init(&ids);
	rc = crm_segment_saved_ids(db, s->segment, today, &ids, err);
	if (rc == 0)
		rc = load_temp(db, &ids, err);
	if (rc == 0)
		rc = enroll_temp(db, s->id, "segment", today, enrolled,
		    undetermined, err);
	crm_idlist_release(&ids);
	if (rc < 0)
		crm_err_prefix(err, "segment %s: ", s->segment);
	return rc;
}

/* Complete the current step of row sc_id with outcome and move to the
 * next step of the row's version: due from the anchor, held when already
 * past (rules 3 and 9); done when there is none. */
static int
advance(sqlite3 *db, int64_t sc_id, int step, const char *kind,
    const char *outcome, int64_t delivery_id, const char *today,
    int64_t *held, struct crm_err *err)
{
	sqlite3_stmt *st;
	char now[20];
	int own = sqlite3_get_autocommit(db);

	crm_db_now(now);
	if (own && crm_db_begin(db, err) < 0)
		return -1;
	if (crm_db_prepare(db, "INSERT OR REPLACE INTO scenario_log (sc_id, step, "
	    "kind, outcome, delivery_id, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	    &st, err) < 0)
		goto fail;
	sqlite3_bind_int64(st, 1, sc_id);
	sqlite3_bind_int(st, 2, step);
	crm_db_bind_text(st, 3, kind);
	crm_db_bind_text(st, 4, outcome);
	if (delivery_id > 0)
		sqlite3_bind_int64(st, 5, delivery_id);
	crm_db_bind_text(st, 6, now);
	if (exec_bound(db, st, "scenario_log", err) < 0)
		goto fail;
	if (crm_db_prepare(db,
	    "UPDATE scenario_customers AS s SET step = s.step + 1, "
	    " due = n.due, status = CASE WHEN n.due IS NULL THEN 'done' "
	    "  WHEN n.due < ?3 THEN 'held' ELSE 'ready' END, "
	    " note = CASE WHEN n.due < ?3 THEN 'created after its date' END, "
	    " updated_at = ?4 "
	    "FROM (SELECT x.id, (SELECT date(x.anchor, '+' || (CASE WHEN st.days = 0 "
	    "  AND x.via <> 'list' THEN 1 ELSE st.days END) || ' days') FROM "
	    "  scenario_steps st WHERE st.scenario_id = x.scenario_id AND "
	    "  st.version = x.version AND st.step = x.step + 1) AS due "
	    "  FROM scenario_customers x WHERE x.id = ?1) AS n "
	    "WHERE s.id = n.id AND s.step = ?2 RETURNING status", &st, err) < 0)
		goto fail;
	sqlite3_bind_int64(st, 1, sc_id);
	sqlite3_bind_int(st, 2, step);
	crm_db_bind_text(st, 3, today);
	crm_db_bind_text(st, 4, now);
	if (sqlite3_step(st) == SQLITE_ROW && held != NULL &&
	    strcmp((const char *)sqlite3_column_text(st, 0), "held") == 0)
		(*held)++;
	if (sqlite3_step(st) != SQLITE_DONE) {
		sqlite3_finalize(st);
		crm_db_err(db, err, "scenario_customers");
		goto fail;
	}
	sqlite3_finalize(st);
	if (own && crm_db_commit(db, err) < 0)
		return -1;
	return 0;
fail:
	if (own)
		crm_db_rollback(db);
	return -1;
}

struct tcache {
	char *path;
	struct crm_template *t;
};

static int
template_get(struct tcache **tc, size_t *n, const char *path,
    struct crm_template **t, struct crm_err *err)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if (strcmp((*tc)[i].path, path) == 0) {
			*t = (*tc)[i].t;
			return 0;
		}
	if (crm_template_load(path, t, err) < 0)
		return -1;
	*tc = crm_xreallocarray(*tc, *n + 1, sizeof **tc);
	(*tc)[*n].path = crm_xstrdup(path);
	(*tc)[*n].t = *t;
	(*n)++;
	return 0;
}

struct due {
	int64_t sc_id, customer_id;
	int step, cancelled;
	char kind[8];
	char *template, *name, *phone;
};

static void
due_release(struct due *d, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(d[i].template);
		free(d[i].name);
		free(d[i].phone);
	}
	free(d);
}

/* The ready rows of scenario id whose step is due, read up front so that
 * no statement is open while mail is sent. */
static int
load_due(sqlite3 *db, int64_t id, const char *today, struct due **out,
    size_t *n, struct crm_err *err)
{
	sqlite3_stmt *st;
	struct due *d = NULL;
	size_t cap = 0;
	int rc;

	*n = 0;
	if (crm_db_prepare(db, "SELECT s.id, s.customer_id, s.step, st.kind, "
	    "st.template, c.name, c.phone, "
	    " (s.step = 1 AND s.via = 'orders' AND o.status <> 'ok') "
	    "FROM scenario_customers s JOIN scenario_steps st ON "
	    " st.scenario_id = s.scenario_id AND st.version = s.version AND "
	    " st.step = s.step JOIN customers c ON c.id = s.customer_id "
	    "LEFT JOIN orders o ON o.id = s.order_id "
	    "WHERE s.scenario_id = ?1 AND s.status = 'ready' AND s.due <= ?2 "
	    "ORDER BY s.due, s.customer_id", &st, err) < 0)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	crm_db_bind_text(st, 2, today);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 64;
			d = crm_xreallocarray(d, cap, sizeof *d);
		}
		d[*n].sc_id = sqlite3_column_int64(st, 0);
		d[*n].customer_id = sqlite3_column_int64(st, 1);
		d[*n].step = sqlite3_column_int(st, 2);
		crm_strlcpy(d[*n].kind, (const char *)sqlite3_column_text(st, 3),
		    sizeof d[*n].kind);
		d[*n].template = coldup(st, 4);
		d[*n].name = coldup(st, 5);
		d[*n].phone = coldup(st, 6);
		d[*n].cancelled = sqlite3_column_int(st, 7);
		(*n)++;
	}
	sqlite3_finalize(st);
	*out = d;
	if (rc != SQLITE_DONE)
		return crm_db_err(db, err, "scenario_customers");
	return 0;
}

static int
run_one(sqlite3 *db, const struct scen *s, const char *today,
    const struct crm_transport_opts *topts, struct crm_mailer **mailer,
    struct tcache **tc, size_t *ntc, crm_scenario_event_fn ev, void *arg,
    struct crm_scenario_counts *c, struct crm_err *err)
{
	struct crm_scenario_event e;
	struct crm_send_result res;
	struct crm_template *t;
	struct due *d = NULL;
	char campaign[512];
	size_t n = 0, i;
	int rc = -1, own;

	/* Enrolment is one transaction per scenario (inside the dry run's
	 * when there is one). */
	own = sqlite3_get_autocommit(db);
	if (own && crm_db_begin(db, err) < 0)
		return -1;
	rc = follow_merges(db, s->id, err);
	if (rc == 0 && strcmp(s->trigger, "orders") == 0)
		rc = enroll_orders(db, s, today, &c->enrolled, &c->undetermined,
		    &c->held, err);
	else if (rc == 0 && strcmp(s->trigger, "segment") == 0)
		rc = enroll_segment(db, s, today, &c->enrolled, &c->undetermined,
		    err);
	if (rc < 0 || (own && crm_db_commit(db, err) < 0)) {
		if (own)
			crm_db_rollback(db);
		return -1;
	}
	rc = -1;
	if (load_due(db, s->id, today, &d, &n, err) < 0)
		goto out;
	for (i = 0; i < n; i++) {
		memset(&e, 0, sizeof e);
		e.scenario = s->name;
		e.customer_id = d[i].customer_id;
		e.step = d[i].step;
		if (d[i].cancelled) {
			/* Rule 4: no step 1 for a cancelled order. */
			e.what = "skipped";
			e.reason = "trigger order cancelled";
			c->skipped++;
			ev(arg, &e);
			if (advance(db, d[i].sc_id, d[i].step, d[i].kind,
			    "skipped:cancelled", 0, today, &c->held, err) < 0)
				goto out;
			continue;
		}
		if (strcmp(d[i].kind, "dm") == 0) {
			c->dm_pending++;
			continue;
		}
		if (strcmp(d[i].kind, "call") == 0) {
			e.what = "call";
			e.name = d[i].name;
			e.phone = d[i].phone;
			c->calls++;
			ev(arg, &e);
			if (advance(db, d[i].sc_id, d[i].step, "call", "listed", 0,
			    today, &c->held, err) < 0)
				goto out;
			continue;
		}
		if (*mailer == NULL && crm_mailer_open(db, topts, mailer, err) < 0)
			goto out;
		if (template_get(tc, ntc, d[i].template, &t, err) < 0) {
			crm_err_prefix(err, "step %d: ", d[i].step);
			goto out;
		}
		snprintf(campaign, sizeof campaign, "scenario:%s:%d", s->name,
		    d[i].step);
		if (crm_mail_send(*mailer, campaign, t, d[i].customer_id, &res,
		    err) < 0)
			goto out;
		switch (res.status) {
		case CRM_SEND_SENT:
		case CRM_SEND_ALREADY:
			/* ALREADY: an earlier run sent it and died before
			 * recording the step; the ledger is the truth. */
			c->sent += res.status == CRM_SEND_SENT;
			e.what = res.status == CRM_SEND_SENT ? "sent" : "already";
			ev(arg, &e);
			if (advance(db, d[i].sc_id, d[i].step, "mail", "sent",
			    res.delivery_id, today, &c->held, err) < 0)
				goto out;
			break;
		case CRM_SEND_SKIPPED:
		case CRM_SEND_FAILED: {
			char oc[300];

			c->skipped++;
			e.what = "skipped";
			e.reason = res.reason;
			ev(arg, &e);
			snprintf(oc, sizeof oc, "skipped:%s", res.reason);
			if (advance(db, d[i].sc_id, d[i].step, "mail", oc,
			    res.delivery_id, today, &c->held, err) < 0)
				goto out;
			break;
		}
		case CRM_SEND_DEFERRED:
			c->deferred++;
			e.what = "deferred";
			e.reason = res.reason;
			ev(arg, &e);
			break;
		case CRM_SEND_UNKNOWN:
			c->unknown++;
			e.what = "unknown";
			e.reason = res.reason;
			ev(arg, &e);
			break;
		}
	}
	rc = 0;
out:
	due_release(d, n);
	return rc;
}

int
crm_scenario_run(sqlite3 *db, const char *lockpath, const char *today,
    const struct crm_transport_opts *topts, crm_scenario_event_fn ev,
    crm_scenario_summary_fn sum, void *arg, int *deferred,
    struct crm_err *err)
{
	struct crm_scenario_counts c;
	struct crm_mailer *mailer = NULL;
	struct tcache *tc = NULL;
	struct scen *s = NULL;
	size_t n = 0, ntc = 0, i;
	int fd, rc = -1;
	int dry = topts->mbox != NULL || topts->maildir != NULL;

	*deferred = 0;
	fd = open(lockpath, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return crm_err_set(err, EX_CANTCREAT, "%s: %s", lockpath,
		    strerror(errno));
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		close(fd);
		if (errno == EWOULDBLOCK)
			return crm_err_set(err, EX_TEMPFAIL, "another crm-scenario "
			    "run holds %s; try again later", lockpath);
		return crm_err_set(err, EX_IOERR, "%s: %s", lockpath,
		    strerror(errno));
	}
	/* A dry run (mbox, Maildir) writes no delivery ledger, so it must not
	 * move anyone on either: the whole run is one transaction rolled
	 * back at the end, and the real run afterwards does the same day. */
	/* The enrolment statements read every order once; SQLite's default
	 * 2 MB cache made that one pread per page, again and again. */
	if (crm_db_exec(db, "PRAGMA cache_size = -65536", err) < 0 ||
	    (dry && crm_db_begin(db, err) < 0))
		goto out;
	if (load_scenarios(db, &s, &n, err) < 0)
		goto out;
	for (i = 0; i < n; i++) {
		memset(&c, 0, sizeof c);
		if (!s[i].paused && run_one(db, &s[i], today, topts, &mailer, &tc,
		    &ntc, ev, arg, &c, err) < 0) {
			crm_err_prefix(err, "scenario %s: ", s[i].name);
			goto out;
		}
		if (c.deferred > 0)
			*deferred = 1;
		sum(arg, s[i].name, s[i].paused, &c);
	}
	rc = 0;
out:
	if (mailer != NULL)
		crm_mailer_close(mailer);
	if (dry)
		crm_db_rollback(db);
	for (i = 0; i < ntc; i++) {
		free(tc[i].path);
		crm_template_free(tc[i].t);
	}
	free(tc);
	scen_release(s, n);
	close(fd);   /* releases the lock */
	return rc;
}

/* ---- dm-export --------------------------------------------------------- */

int
crm_scenario_dm_export(sqlite3 *db, const char *name, int step,
    const char *today, const char *encoding, FILE *fp, int64_t *n,
    struct crm_err *err)
{
	static const char *const hdr[] = { "name", "kana", "postcode",
	    "prefecture", "address", "customer_id" };
	sqlite3_stmt *st;
	struct crm_buf out, conv;
	FILE *mem;
	char *mbuf = NULL;
	size_t mlen = 0;
	int64_t id, *rows = NULL;
	int *steps = NULL;
	size_t nrows = 0, i;
	const char *v[6];
	int rc;

	*n = 0;
	crm_buf_init(&out);
	crm_buf_init(&conv);
	if (crm_db_begin(db, err) < 0)
		return -1;
	if (crm_scenario_id(db, name, &id, err) < 0)
		goto fail;
	mem = open_memstream(&mbuf, &mlen);
	if (mem == NULL) {
		crm_err_set(err, EX_OSERR, "open_memstream: %s", strerror(errno));
		goto fail;
	}
	crm_csv_write_row(mem, hdr, 6, ',');
	if (crm_db_prepare(db, "SELECT c.name, c.kana, c.postcode, c.prefecture, "
	    "c.address, c.id, s.id, s.step FROM scenario_customers s "
	    "JOIN scenario_steps st ON st.scenario_id = s.scenario_id AND "
	    " st.version = s.version AND st.step = s.step "
	    "JOIN customers c ON c.id = s.customer_id "
	    "WHERE s.scenario_id = ?1 AND s.status = 'ready' AND s.due <= ?2 AND "
	    " st.kind = 'dm' AND (?3 = 0 OR s.step = ?3) "
	    /* Rows without a postcode last: the print shop's sorted run stays
	     * in one piece, and the ones to look at are together. */
	    "ORDER BY coalesce(c.postcode, '') = '', c.postcode, c.id", &st,
	    err) < 0) {
		fclose(mem);
		goto fail;
	}
	sqlite3_bind_int64(st, 1, id);
	crm_db_bind_text(st, 2, today);
	sqlite3_bind_int(st, 3, step);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		for (i = 0; i < 6; i++)
			v[i] = (const char *)sqlite3_column_text(st, (int)i);
		crm_csv_write_row(mem, v, 6, ',');
		rows = crm_xreallocarray(rows, nrows + 1, sizeof *rows);
		steps = crm_xreallocarray(steps, nrows + 1, sizeof *steps);
		rows[nrows] = sqlite3_column_int64(st, 6);
		steps[nrows] = sqlite3_column_int(st, 7);
		nrows++;
	}
	sqlite3_finalize(st);
	if (fclose(mem) != 0 || (rc != SQLITE_DONE && crm_db_err(db, err,
	    "scenario_customers") < 0)) {
		if (err->code == 0)
			crm_err_set(err, EX_OSERR, "memory stream failed");
		goto fail;
	}
	for (i = 0; i < nrows; i++)
		if (advance(db, rows[i], steps[i], "dm", "exported", 0, today,
		    NULL, err) < 0)
			goto fail;
	*n = (int64_t)nrows;
	if (nrows > 0) {
		const char *data = mbuf;
		size_t len = mlen;

		if (encoding != NULL && strcmp(encoding, "utf-8") != 0) {
			if (crm_enc_from_utf8(encoding, mbuf, mlen, &conv, err) < 0)
				goto fail;
			data = conv.s;
			len = conv.len;
		}
		if (fwrite(data, 1, len, fp) != len || fflush(fp) != 0) {
			crm_err_set(err, EX_IOERR, "stdout: %s", strerror(errno));
			goto fail;
		}
	}
	free(mbuf);
	free(rows);
	free(steps);
	crm_buf_release(&out);
	crm_buf_release(&conv);
	return crm_db_commit(db, err);
fail:
	crm_db_rollback(db);
	free(mbuf);
	free(rows);
	free(steps);
	crm_buf_release(&out);
	crm_buf_release(&conv);
	return -1;
}

/* ---- listings ---------------------------------------------------------- */

/* name, trigger, anchor, version, state (active, paused), steps, and the
 * customers in each status: ready, held, paused, done, undeliverable */
int
crm_scenario_list_prepare(sqlite3 *db, sqlite3_stmt **st, struct crm_err *err)
{
	return crm_db_prepare(db, "SELECT s.name, CASE s.trigger WHEN 'orders' "
	    "THEN 'orders = ' || s.trigger_orders WHEN 'segment' THEN 'segment ' "
	    "|| s.trigger_segment ELSE 'list' END, s.anchor, s.version, "
	    "CASE WHEN s.paused THEN 'paused' ELSE 'active' END, "
	    "(SELECT group_concat(x, ' ') FROM (SELECT st.days || ':' || st.kind ||"
	    " coalesce(':' || st.template, '') AS x FROM scenario_steps st WHERE "
	    " st.scenario_id = s.id AND st.version = s.version ORDER BY st.step)), "
	    "(SELECT count(*) FROM scenario_customers c WHERE c.scenario_id = s.id "
	    " AND c.status = 'ready'), "
	    "(SELECT count(*) FROM scenario_customers c WHERE c.scenario_id = s.id "
	    " AND c.status = 'held'), "
	    "(SELECT count(*) FROM scenario_customers c WHERE c.scenario_id = s.id "
	    " AND c.status = 'paused'), "
	    "(SELECT count(*) FROM scenario_customers c WHERE c.scenario_id = s.id "
	    " AND c.status = 'done'), "
	    "(SELECT count(*) FROM scenario_customers c WHERE c.scenario_id = s.id "
	    " AND c.status = 'undeliverable') "
	    "FROM scenarios s ORDER BY s.name", st, err);
}

/* version, step, days, kind, template (every version, newest first) */
int
crm_scenario_steps_prepare(sqlite3 *db, int64_t id, sqlite3_stmt **st,
    struct crm_err *err)
{
	if (crm_db_prepare(db, "SELECT version, step, days, kind, template FROM "
	    "scenario_steps WHERE scenario_id = ?1 ORDER BY version DESC, step",
	    st, err) < 0)
		return -1;
	sqlite3_bind_int64(*st, 1, id);
	return 0;
}

/* customer_id, scenario, name, email, step, kind, due, status, anchor,
 * via, version, note */
int
crm_scenario_customers_prepare(sqlite3 *db, const char *name,
    const char *status, const char *due_by, sqlite3_stmt **st,
    struct crm_err *err)
{
	int64_t id = 0;

	if (name != NULL && crm_scenario_id(db, name, &id, err) < 0)
		return -1;
	if (crm_db_prepare(db, "SELECT s.customer_id, sc.name, c.name, c.email, "
	    "s.step, st.kind, s.due, s.status, s.anchor, s.via, s.version, s.note "
	    "FROM scenario_customers s JOIN scenarios sc ON sc.id = s.scenario_id "
	    "JOIN customers c ON c.id = s.customer_id "
	    "LEFT JOIN scenario_steps st ON st.scenario_id = s.scenario_id AND "
	    " st.version = s.version AND st.step = s.step "
	    "WHERE (?1 = 0 OR s.scenario_id = ?1) AND (?2 IS NULL OR s.status = ?2)"
	    " AND (?3 IS NULL OR (s.status = 'ready' AND s.due <= ?3)) "
	    "ORDER BY sc.name, s.due, s.customer_id", st, err) < 0)
		return -1;
	sqlite3_bind_int64(*st, 1, id);
	crm_db_bind_text_null(*st, 2, status);
	crm_db_bind_text_null(*st, 3, due_by);
	return 0;
}
