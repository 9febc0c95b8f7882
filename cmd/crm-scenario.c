/* crm-scenario: step mail, DM and call scenarios, run every morning by
 * cron.  The rules live in lib/scenario.c; this file parses options and
 * prints. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "custlist.h"
#include "date.h"
#include "db.h"
#include "enc.h"
#include "output.h"
#include "scenario.h"
#include "util.h"
#include "banned.h"

static const char *prog = "crm-scenario";
static int quiet, verbose;

enum { OPT_TRIGGER = CRM_OPT_FIRST_FREE, OPT_SEGMENT, OPT_LIST, OPT_ANCHOR,
	OPT_STEP, OPT_SINCE, OPT_SMTP, OPT_MBOX, OPT_MAILDIR, OPT_SENDMAIL,
	OPT_CONFIG, OPT_STATUS, OPT_DUE, OPT_PURGE, OPT_RETRY_UNKNOWN };

static void
usage(FILE *fp)
{
	fprintf(fp,
	    "usage: crm-scenario add NAME (--trigger 'orders = N' | --segment SEG | --list)\n"
	    "           [--anchor ordered|shipped] [--since DATE] --step DAYS:mail:TEMPLATE\n"
	    "           [--step DAYS:dm] [--step DAYS:call] ...\n"
	    "       crm-scenario edit NAME [--anchor ordered|shipped] [--step SPEC ...]\n"
	    "       crm-scenario run [--today DATE] [--smtp URL | --mbox FILE |\n"
	    "           --maildir DIR | --sendmail[=PATH]] [--config FILE]\n"
	    "           [--retry-unknown]\n"
	    "       crm-scenario list | show NAME | pause NAME | resume NAME | rm NAME [--purge]\n"
	    "       crm-scenario customers [NAME] [--status S] [--due] [-o FORMAT]\n"
	    "       crm-scenario enroll NAME | hold [NAME] | release [NAME] |\n"
	    "           undeliverable [NAME]                        (customers on stdin)\n"
	    "       crm-scenario dm-export NAME [--step N] [-e utf-8|cp932]\n"
	    "       common: [--db FILE] [--today DATE] [-qv] [-h] [--version]\n");
}

struct runctx {
	int64_t total_sent, total_calls;
};

static void
on_event(void *arg, const struct crm_scenario_event *e)
{
	(void)arg;
	if (strcmp(e->what, "call") == 0) {
		printf("%s: step %d call customer %lld %s %s\n", e->scenario,
		    e->step, (long long)e->customer_id, e->name ? e->name : "",
		    e->phone ? e->phone : "(no phone)");
		return;
	}
	if (quiet)
		return;
	if (e->reason != NULL)
		printf("%s: step %d mail to customer %lld: %s (%s)\n", e->scenario,
		    e->step, (long long)e->customer_id, e->what, e->reason);
	else
		printf("%s: step %d mail to customer %lld: %s\n", e->scenario,
		    e->step, (long long)e->customer_id, e->what);
}

static void
on_summary(void *arg, const char *name, int paused,
    const struct crm_scenario_counts *c)
{
	(void)arg;
	if (paused) {
		printf("%s: paused\n", name);
		return;
	}
	printf("%s: %lld enrolled, %lld sent, %lld held, %lld skipped, "
	    "%lld DM pending, %lld call%s due", name, (long long)c->enrolled,
	    (long long)c->sent, (long long)c->held, (long long)c->skipped,
	    (long long)c->dm_pending, (long long)c->calls,
	    c->calls == 1 ? "" : "s");
	if (c->undetermined > 0)
		printf(", %lld undetermined not enrolled",
		    (long long)c->undetermined);
	if (c->deferred > 0)
		printf(", %lld deferred", (long long)c->deferred);
	if (c->unknown > 0)
		printf(", %lld unknown", (long long)c->unknown);
	putchar('\n');
}

static void
on_unknown(void *arg, long line, const char *value)
{
	(void)arg;
	if (!quiet)
		crm_cli_warn(prog, "stdin:%ld: no customer '%s'", line, value);
}

static int
read_stdin(sqlite3 *db, struct crm_idlist *ids, struct crm_err *err)
{
	size_t unknown = 0;

	if (isatty(STDIN_FILENO))
		return crm_err_set(err, EX_USAGE, "customers (ids, e-mail "
		    "addresses or CSV) are read from stdin");
	if (crm_custlist_read(db, stdin, "stdin", ids, &unknown, on_unknown,
	    NULL, err) < 0)
		return -1;
	if (ids->n == 0)
		return crm_err_set(err, CRM_EXIT_NOMATCH, "no customers on stdin");
	return 0;
}

static int
show(sqlite3 *db, const char *name, struct crm_err *err)
{
	static const struct crm_out_col cols[] = { { "version", 1 },
	    { "step", 1 }, { "days", 1 }, { "kind", 0 }, { "template", 0 } };
	sqlite3_stmt *st;
	int64_t id, rows;
	int rc;

	if (crm_scenario_id(db, name, &id, err) < 0 ||
	    crm_scenario_list_prepare(db, &st, err) < 0)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (strcmp((const char *)sqlite3_column_text(st, 0), name) != 0)
			continue;
		printf("name: %s\ntrigger: %s\nanchor: %s\nversion: %d\n"
		    "paused: %s\ncustomers: %d ready, %d held, %d paused, "
		    "%d done, %d undeliverable\n", name,
		    sqlite3_column_text(st, 1), sqlite3_column_text(st, 2),
		    sqlite3_column_int(st, 3),
		    strcmp((const char *)sqlite3_column_text(st, 4), "paused") == 0 ?
		    "yes" : "no",
		    sqlite3_column_int(st, 6), sqlite3_column_int(st, 7),
		    sqlite3_column_int(st, 8), sqlite3_column_int(st, 9),
		    sqlite3_column_int(st, 10));
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return crm_db_err(db, err, "scenarios");
	printf("steps:\n");
	if (crm_scenario_steps_prepare(db, id, &st, err) < 0)
		return -1;
	return crm_db_print_rows(db, st, "csv", cols, 5, "scenarios", &rows, err);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "trigger", required_argument, NULL, OPT_TRIGGER },
		{ "segment", required_argument, NULL, OPT_SEGMENT },
		{ "list", no_argument, NULL, OPT_LIST },
		{ "anchor", required_argument, NULL, OPT_ANCHOR },
		{ "step", required_argument, NULL, OPT_STEP },
		{ "since", required_argument, NULL, OPT_SINCE },
		{ "today", required_argument, NULL, CRM_OPT_TODAY },
		{ "smtp", required_argument, NULL, OPT_SMTP },
		{ "mbox", required_argument, NULL, OPT_MBOX },
		{ "maildir", required_argument, NULL, OPT_MAILDIR },
		{ "sendmail", optional_argument, NULL, OPT_SENDMAIL },
		{ "config", required_argument, NULL, OPT_CONFIG },
		{ "retry-unknown", no_argument, NULL, OPT_RETRY_UNKNOWN },
		{ "status", required_argument, NULL, OPT_STATUS },
		{ "due", no_argument, NULL, OPT_DUE },
		{ "purge", no_argument, NULL, OPT_PURGE },
		{ "encoding", required_argument, NULL, 'e' },
		{ "output", required_argument, NULL, 'o' },
		{ "db", required_argument, NULL, CRM_OPT_DB },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, CRM_OPT_VERSION },
		{ NULL, 0, NULL, 0 }
	};
	static const struct crm_out_col listcols[] = { { "name", 0 },
	    { "trigger", 0 }, { "anchor", 0 }, { "version", 1 }, { "state", 0 },
	    { "steps", 0 }, { "ready", 1 }, { "held", 1 }, { "paused", 1 },
	    { "done", 1 }, { "undeliverable", 1 } };
	static const struct crm_out_col custcols[] = { { "customer_id", 1 },
	    { "scenario", 0 }, { "name", 0 }, { "email", 0 }, { "step", 1 },
	    { "kind", 0 }, { "due", 0 }, { "status", 0 }, { "anchor", 0 },
	    { "via", 0 }, { "version", 1 }, { "note", 0 } };
	static const char *const cmds[] = { "add", "edit", "run", "list",
	    "show", "customers", "pause", "resume", "rm", "enroll", "hold",
	    "release", "undeliverable", "dm-export", NULL };
	const char *trigger = NULL, *segment = NULL, *anchor = NULL,
	    *since = NULL, *todayopt = NULL, *status = NULL, *enc = NULL,
	    *fmt = NULL, *dbopt = NULL, *cmd, *name = NULL;
	struct crm_transport_opts topts;
	struct crm_scenario_step *steps = NULL;
	const char **stepspec = NULL;
	size_t nsteps = 0, i;
	int ch, list = 0, due = 0, purge = 0, rc = 0, ntransport = 0;
	struct crm_idlist ids;
	struct crm_err err;
	char today[CRM_DATE_LEN], lock[4096];
	sqlite3 *db = NULL;
	int64_t n = 0, n2 = 0, n3 = 0;
	sqlite3_stmt *st;

	crm_cli_init();
	crm_err_clear(&err);
	crm_idlist_init(&ids);
	memset(&topts, 0, sizeof topts);
	while ((ch = getopt_long(argc, argv, "e:o:qvh", longopts, NULL)) != -1) {
		switch (ch) {
		case OPT_TRIGGER: trigger = optarg; break;
		case OPT_SEGMENT: segment = optarg; break;
		case OPT_LIST: list = 1; break;
		case OPT_ANCHOR: anchor = optarg; break;
		case OPT_STEP:
			stepspec = crm_xreallocarray(stepspec, nsteps + 1,
			    sizeof *stepspec);
			stepspec[nsteps++] = optarg;
			break;
		case OPT_SINCE: since = optarg; break;
		case CRM_OPT_TODAY: todayopt = optarg; break;
		case OPT_SMTP: topts.smtp_url = optarg; ntransport++; break;
		case OPT_MBOX: topts.mbox = optarg; ntransport++; break;
		case OPT_MAILDIR: topts.maildir = optarg; ntransport++; break;
		case OPT_SENDMAIL:
			topts.sendmail = optarg ? optarg : "/usr/sbin/sendmail";
			ntransport++;
			break;
		case OPT_CONFIG: topts.config = optarg; break;
		case OPT_RETRY_UNKNOWN: topts.retry_unknown = 1; break;
		case OPT_STATUS: status = optarg; break;
		case OPT_DUE: due = 1; break;
		case OPT_PURGE: purge = 1; break;
		case 'e': enc = optarg; break;
		case 'o': fmt = optarg; break;
		case CRM_OPT_DB: dbopt = optarg; break;
		case 'q': quiet = 1; break;
		case 'v': verbose = 1; break;
		case 'h': usage(stdout); free(stepspec); return 0;
		case CRM_OPT_VERSION: free(stepspec); return crm_cli_version(prog);
		default: usage(stderr); free(stepspec); return EX_USAGE;
		}
	}
	if (optind >= argc || argc - optind > 2 || ntransport > 1) {
		usage(stderr);
		free(stepspec);
		return EX_USAGE;
	}
	cmd = argv[optind];
	if (argc - optind == 2)
		name = argv[optind + 1];
	for (i = 0; cmds[i] != NULL; i++)
		if (strcmp(cmds[i], cmd) == 0)
			break;
	if (cmds[i] == NULL) {
		/* Before the database is opened: a typo creates no crm.db. */
		fprintf(stderr, "%s: unknown command '%s'\n", prog, cmd);
		usage(stderr);
		free(stepspec);
		return EX_USAGE;
	}
	if (crm_today(todayopt, today, &err) < 0)
		goto fail;

	/* Commands that need NAME, and those that take none. */
	if ((strcmp(cmd, "add") == 0 || strcmp(cmd, "edit") == 0 ||
	    strcmp(cmd, "show") == 0 || strcmp(cmd, "pause") == 0 ||
	    strcmp(cmd, "resume") == 0 || strcmp(cmd, "rm") == 0 ||
	    strcmp(cmd, "enroll") == 0 || strcmp(cmd, "dm-export") == 0) &&
	    name == NULL) {
		crm_err_set(&err, EX_USAGE, "%s: a scenario NAME is needed", cmd);
		goto fail;
	}
	if ((strcmp(cmd, "run") == 0 || strcmp(cmd, "list") == 0) &&
	    name != NULL) {
		crm_err_set(&err, EX_USAGE, "%s takes no NAME", cmd);
		goto fail;
	}
	if (status != NULL && strcmp(status, "ready") != 0 &&
	    strcmp(status, "held") != 0 && strcmp(status, "paused") != 0 &&
	    strcmp(status, "done") != 0 && strcmp(status, "undeliverable") != 0) {
		crm_err_set(&err, EX_USAGE, "--status: '%s' is not ready, held, "
		    "paused, done or undeliverable", status);
		goto fail;
	}
	if (anchor != NULL && strcmp(anchor, "ordered") != 0 &&
	    strcmp(anchor, "shipped") != 0) {
		crm_err_set(&err, EX_USAGE, "--anchor: '%s' is not ordered or "
		    "shipped", anchor);
		goto fail;
	}
	if (enc != NULL) {
		const char *e = crm_enc_name(enc);

		if (e == NULL || (strcmp(e, "utf-8") != 0 &&
		    strcmp(e, "cp932") != 0)) {
			crm_err_set(&err, EX_USAGE, "-e: '%s' is not utf-8 or "
			    "cp932", enc);
			goto fail;
		}
		enc = e;
	}
	if (strcmp(cmd, "add") == 0 || strcmp(cmd, "edit") == 0) {
		steps = crm_xcalloc(nsteps ? nsteps : 1, sizeof *steps);
		for (i = 0; i < nsteps; i++)
			if (crm_scenario_step_parse(stepspec[i], &steps[i], &err) < 0)
				goto fail;
	}
	if (strcmp(cmd, "list") == 0 || strcmp(cmd, "show") == 0 ||
	    strcmp(cmd, "customers") == 0) {
		if (crm_db_open(crm_db_path(dbopt), CRM_DB_READONLY, &db, &err) < 0)
			goto fail;
	} else if (crm_db_open(crm_db_path(dbopt), CRM_DB_RDWR, &db, &err) < 0)
		goto fail;

	if (strcmp(cmd, "add") == 0) {
		struct crm_scenario_def d;
		int ntrig = (trigger != NULL) + (segment != NULL) + list;

		memset(&d, 0, sizeof d);
		if (ntrig != 1) {
			crm_err_set(&err, EX_USAGE, "add: exactly one of --trigger, "
			    "--segment or --list");
			goto fail;
		}
		if (trigger != NULL && crm_scenario_trigger_parse(trigger,
		    &d.orders, &err) < 0)
			goto fail;
		if (since != NULL) {
			char ts[CRM_TS_LEN];

			if (crm_date_parse(since, ts, &err) < 0) {
				crm_err_prefix(&err, "--since: ");
				err.code = EX_USAGE;
				goto fail;
			}
			ts[10] = '\0';
			crm_strlcpy(today, ts, sizeof today);
		}
		d.name = name;
		d.trigger = trigger ? "orders" : segment ? "segment" : "list";
		d.segment = segment;
		d.anchor = anchor;
		d.since = today;
		d.steps = steps;
		d.nsteps = nsteps;
		if (crm_scenario_add(db, &d, &err) < 0)
			goto fail;
		if (verbose)
			crm_cli_warn(prog, "scenario %s added, %zu step%s", name,
			    nsteps, nsteps == 1 ? "" : "s");
	} else if (strcmp(cmd, "edit") == 0) {
		if (nsteps == 0 && anchor == NULL) {
			crm_err_set(&err, EX_USAGE, "edit: nothing to change "
			    "(--step or --anchor)");
			goto fail;
		}
		if (crm_scenario_edit(db, name, anchor, nsteps ? steps : NULL,
		    nsteps, &err) < 0)
			goto fail;
	} else if (strcmp(cmd, "run") == 0) {
		int deferred = 0;

		if (snprintf(lock, sizeof lock, "%s.scenario.lock",
		    crm_db_path(dbopt)) >= (int)sizeof lock) {
			crm_err_set(&err, EX_USAGE, "--db: path too long");
			goto fail;
		}
		if (crm_scenario_run(db, lock, today, &topts, on_event, on_summary,
		    NULL, &deferred, &err) < 0)
			goto fail;
		if (deferred)
			rc = EX_TEMPFAIL;
		if (!quiet && (topts.mbox != NULL || topts.maildir != NULL))
			crm_cli_warn(prog, "dry run into %s: nothing recorded",
			    topts.mbox ? topts.mbox : topts.maildir);
	} else if (strcmp(cmd, "list") == 0) {
		if (crm_scenario_list_prepare(db, &st, &err) < 0 ||
		    crm_db_print_rows(db, st, fmt, listcols, 11, "scenarios", &n, &err) < 0)
			goto fail;
		if (n == 0)
			rc = CRM_EXIT_NOMATCH;
	} else if (strcmp(cmd, "show") == 0) {
		if (show(db, name, &err) < 0)
			goto fail;
	} else if (strcmp(cmd, "customers") == 0) {
		if (crm_scenario_customers_prepare(db, name, status,
		    due ? today : NULL, &st, &err) < 0 ||
		    crm_db_print_rows(db, st, fmt, custcols, 12, "scenarios", &n, &err) < 0)
			goto fail;
		if (n == 0)
			rc = CRM_EXIT_NOMATCH;
	} else if (strcmp(cmd, "pause") == 0 || strcmp(cmd, "resume") == 0) {
		if (crm_scenario_pause(db, name, cmd[0] == 'p', &err) < 0)
			goto fail;
	} else if (strcmp(cmd, "rm") == 0) {
		if (crm_scenario_remove(db, name, purge, &n, &err) < 0)
			goto fail;
		if (!quiet && n > 0)
			crm_cli_warn(prog, "%s: removed with %lld scheduled "
			    "customer%s", name, (long long)n, n == 1 ? "" : "s");
	} else if (strcmp(cmd, "enroll") == 0) {
		if (read_stdin(db, &ids, &err) < 0 ||
		    crm_scenario_enroll(db, name, &ids, today, &n, &n2, &n3,
		    &err) < 0)
			goto fail;
		printf("%s: %lld enrolled, %lld already, %lld undetermined not "
		    "enrolled\n", name, (long long)n, (long long)n2, (long long)n3);
		if (n == 0)
			rc = CRM_EXIT_NOMATCH;
	} else if (strcmp(cmd, "hold") == 0 || strcmp(cmd, "release") == 0 ||
	    strcmp(cmd, "undeliverable") == 0) {
		if (read_stdin(db, &ids, &err) < 0 ||
		    crm_scenario_set_status(db, name, cmd, &ids, today, &n,
		    &err) < 0)
			goto fail;
		printf("%lld\n", (long long)n);
		if (n == 0)
			rc = CRM_EXIT_NOMATCH;
	} else if (strcmp(cmd, "dm-export") == 0) {
		long long stepno = 0;

		if (nsteps > 1 || (nsteps == 1 && crm_strtonum(stepspec[0], 1,
		    1000, &stepno, "--step", &err) < 0)) {
			if (err.code == 0)
				crm_err_set(&err, EX_USAGE, "dm-export: one --step N");
			err.code = EX_USAGE;
			goto fail;
		}
		if (crm_scenario_dm_export(db, name, (int)stepno, today, enc,
		    stdout, &n, &err) < 0)
			goto fail;
		if (!quiet)
			crm_cli_warn(prog, "%s: %lld DM row%s exported", name,
			    (long long)n, n == 1 ? "" : "s");
		if (n == 0)
			rc = CRM_EXIT_NOMATCH;
	}
	if (crm_close_stdout(&err) < 0)
		goto fail;
	goto done;
fail:
	rc = crm_cli_fail(prog, &err);
done:
	if (steps != NULL)
		for (i = 0; i < nsteps; i++)
			crm_scenario_step_release(&steps[i]);
	free(steps);
	free(stepspec);
	crm_idlist_release(&ids);
	crm_db_close(db);
	return rc;
}
