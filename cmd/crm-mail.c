/* crm-mail: send a template to the customers on stdin, resumably. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "custlist.h"
#include "date.h"
#include "db.h"
#include "mail.h"
#include "output.h"
#include "segment.h"
#include "template.h"
#include "util.h"
#include "banned.h"

static const char *prog = "crm-mail";
static int quiet, verbose;
static volatile sig_atomic_t interrupted;

/* The first SIGINT/SIGTERM/SIGHUP stops taking new customers; what is in
 * flight finishes and is recorded, so the rerun resumes cleanly.  A
 * second one kills as usual (SA_RESETHAND). */
static void
on_signal(int sig)
{
	interrupted = sig;
}

static void
catch_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESETHAND;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

enum {
	OPT_CAMPAIGN = CRM_OPT_FIRST_FREE, OPT_SMTP, OPT_MBOX, OPT_MAILDIR,
	OPT_SENDMAIL, OPT_RATE, OPT_CONNECTIONS, OPT_CACERT, OPT_CONFIG, OPT_VAR,
	OPT_RETRY_UNKNOWN, OPT_STATUS
};

static void
usage(FILE *fp)
{
	fprintf(fp,
	    "usage: crm-mail send -t TEMPLATE [--campaign NAME]\n"
	    "                [--smtp URL | --mbox FILE | --maildir DIR | --sendmail[=PATH]]\n"
	    "                [--rate N] [--connections N] [--cacert FILE] [--config FILE]\n"
	    "                [--var NAME=VALUE]... [--retry-unknown] [-S SEGMENT]\n"
	    "                [--db FILE] [-qv] < customers\n"
	    "       crm-mail preview -t TEMPLATE [--campaign NAME] [--config FILE]\n"
	    "                [--var NAME=VALUE]... [--db FILE] ID|EMAIL\n"
	    "       crm-mail log [--campaign NAME] [--status STATUS]\n"
	    "                [-o ids|csv|tsv|json|table] [--db FILE]\n");
}

struct tally {
	long long sent, skipped, already, deferred, failed, unknown, unknown_new;
	struct { char reason[64]; long long n; } why[16];
	int nwhy;
	struct crm_progress progress;
	long long done;
};

static void
on_done(void *arg, int64_t id, const struct crm_send_result *r)
{
	struct tally *t = arg;
	static const char *const names[] = { "sent", "skipped", "already",
		"deferred", "failed", "unknown" };
	int i;

	switch (r->status) {
	case CRM_SEND_SENT: t->sent++; break;
	case CRM_SEND_ALREADY: t->already++; break;
	case CRM_SEND_DEFERRED: t->deferred++; break;
	case CRM_SEND_FAILED: t->failed++; break;
	case CRM_SEND_UNKNOWN:
		t->unknown++;
		if (strncmp(r->reason, "unknown: an earlier", 19) != 0)
			t->unknown_new++;
		break;
	case CRM_SEND_SKIPPED:
		t->skipped++;
		for (i = 0; i < t->nwhy; i++)
			if (strcmp(t->why[i].reason, r->reason) == 0)
				break;
		if (i == t->nwhy && t->nwhy < 16)
			crm_strlcpy(t->why[t->nwhy++].reason, r->reason,
			    sizeof t->why[0].reason);
		if (i < 16)
			t->why[i].n++;
		break;
	}
	/* Failures are worth a line even without -v: someone must look. */
	if (!quiet && (verbose || r->status == CRM_SEND_FAILED ||
	    r->status == CRM_SEND_DEFERRED ||
	    (r->status == CRM_SEND_UNKNOWN && strncmp(r->reason, "unknown: an earlier", 19) != 0)))
		fprintf(stderr, "%s: customer %lld: %s%s%s\n", prog, (long long)id,
		    names[r->status], r->reason[0] ? ": " : "", r->reason);
	crm_progress_update(&t->progress, ++t->done);
}

static void
summary(const char *campaign, const struct tally *t, int dry)
{
	int i;

	if (quiet)
		return;
	fprintf(stderr, "%s: campaign %s%s: %lld sent, %lld skipped", prog,
	    campaign, dry ? " (dry run)" : "", t->sent, t->skipped);
	for (i = 0; i < t->nwhy; i++)
		fprintf(stderr, "%s%lld %s", i == 0 ? " (" : ", ", t->why[i].n,
		    t->why[i].reason);
	fprintf(stderr, "%s, %lld already, %lld deferred, %lld failed, %lld unknown\n",
	    t->nwhy ? ")" : "", t->already, t->deferred, t->failed, t->unknown);
}

static void
on_unknown(void *arg, long line, const char *value)
{
	(void)arg;
	if (!quiet)
		crm_cli_warn(prog, "stdin:%ld: no customer '%s'", line, value);
}

/* The delivery ledger, for a person looking for the unknown ones. */
static int
show_log(sqlite3 *db, const char *campaign, const char *status,
    const char *fmtopt, struct crm_err *err)
{
	static const struct crm_out_col cols[] = {
		{ "customer_id", 1 }, { "campaign", 0 }, { "name", 0 },
		{ "address", 0 }, { "status", 0 }, { "attempts", 1 },
		{ "detail", 0 }, { "message_id", 0 }, { "updated_at", 0 },
	};
	sqlite3_stmt *st;
	int64_t n;

	if (status != NULL && strcmp(status, "unknown") == 0)
		status = "sending";
	if (status != NULL && strcmp(status, "sending") != 0 &&
	    strcmp(status, "sent") != 0 && strcmp(status, "deferred") != 0 &&
	    strcmp(status, "failed") != 0 && strcmp(status, "bounced") != 0)
		return crm_err_set(err, EX_USAGE, "--status: '%s' is not sent, "
		    "deferred, failed, unknown or sending", status);
	if (crm_db_prepare(db, "SELECT d.customer_id, k.name, c.name, d.address,"
	    " d.status, d.attempts, d.detail, d.message_id, d.updated_at"
	    " FROM deliveries d JOIN campaigns k ON k.id = d.campaign_id"
	    " LEFT JOIN customers c ON c.id = d.customer_id"
	    " WHERE (?1 IS NULL OR k.name = ?1) AND (?2 IS NULL OR d.status = ?2)"
	    " ORDER BY d.id", &st, err) < 0)
		return -1;
	crm_db_bind_text(st, 1, campaign);
	crm_db_bind_text(st, 2, status);
	if (crm_db_print_rows(db, st, fmtopt, cols, 9, "deliveries", &n, err) < 0)
		return -1;
	return n > 0 ? 0 : 1;
}

/* The campaign name when none is given: the template's file name without
 * directory and extension, so that re-running the same template is a
 * resume, never a second mailing. */
static char *
default_campaign(const char *path)
{
	const char *base = strrchr(path, '/'), *dot;

	base = base ? base + 1 : path;
	dot = strrchr(base, '.');
	return crm_xstrndup(base, dot && dot != base ? (size_t)(dot - base)
	    : strlen(base));
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "template", required_argument, NULL, 't' },
		{ "campaign", required_argument, NULL, OPT_CAMPAIGN },
		{ "smtp", required_argument, NULL, OPT_SMTP },
		{ "mbox", required_argument, NULL, OPT_MBOX },
		{ "maildir", required_argument, NULL, OPT_MAILDIR },
		{ "sendmail", optional_argument, NULL, OPT_SENDMAIL },
		{ "rate", required_argument, NULL, OPT_RATE },
		{ "connections", required_argument, NULL, OPT_CONNECTIONS },
		{ "cacert", required_argument, NULL, OPT_CACERT },
		{ "config", required_argument, NULL, OPT_CONFIG },
		{ "var", required_argument, NULL, OPT_VAR },
		{ "retry-unknown", no_argument, NULL, OPT_RETRY_UNKNOWN },
		{ "segment", required_argument, NULL, 'S' },
		{ "status", required_argument, NULL, OPT_STATUS },
		{ "output", required_argument, NULL, 'o' },
		{ "db", required_argument, NULL, CRM_OPT_DB },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, CRM_OPT_VERSION },
		{ NULL, 0, NULL, 0 }
	};
	const char *tpath = NULL, *dbopt = NULL, *segment = NULL, *cmd;
	const char *status = NULL, *fmt = NULL;
	char *campaign = NULL;
	const char **vars = NULL;
	struct crm_transport_opts o;
	struct crm_template *t = NULL;
	struct crm_mailer *m = NULL;
	struct crm_idlist ids;
	struct crm_err err;
	struct tally tally;
	sqlite3 *db = NULL;
	long long v;
	size_t unknown = 0, i;
	int ch, rc = 0, preview;

	crm_cli_init();
	crm_err_clear(&err);
	memset(&o, 0, sizeof o);
	memset(&tally, 0, sizeof tally);
	crm_idlist_init(&ids);
	while ((ch = getopt_long(argc, argv, "t:S:o:qvh", longopts, NULL)) != -1) {
		switch (ch) {
		case 't': tpath = optarg; break;
		case 'S': segment = optarg; break;
		case 'o': fmt = optarg; break;
		case OPT_STATUS: status = optarg; break;
		case OPT_CAMPAIGN:
			free(campaign);
			campaign = crm_xstrdup(optarg);
			break;
		case OPT_SMTP: o.smtp_url = optarg; break;
		case OPT_MBOX: o.mbox = optarg; break;
		case OPT_MAILDIR: o.maildir = optarg; break;
		case OPT_SENDMAIL: o.sendmail = optarg ? optarg : ""; break;
		case OPT_CACERT: o.cacert = optarg; break;
		case OPT_CONFIG: o.config = optarg; break;
		case OPT_RETRY_UNKNOWN: o.retry_unknown = 1; break;
		case OPT_VAR:
			vars = crm_xreallocarray(vars, o.nvars + 1, sizeof *vars);
			vars[o.nvars++] = optarg;
			o.vars = vars;
			break;
		case OPT_RATE:
			if (crm_strtonum(optarg, 1, 100000, &v, "--rate", &err) < 0)
				goto fail;
			o.rate = (double)v;
			break;
		case OPT_CONNECTIONS:
			if (crm_strtonum(optarg, 1, 64, &v, "--connections", &err) < 0)
				goto fail;
			o.connections = (int)v;
			break;
		case CRM_OPT_DB: dbopt = optarg; break;
		case 'q': quiet = 1; break;
		case 'v': verbose = 1; break;
		case 'h': usage(stdout); return 0;
		case CRM_OPT_VERSION: return crm_cli_version(prog);
		default: usage(stderr); return EX_USAGE;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1) {
		usage(stderr);
		return EX_USAGE;
	}
	cmd = argv[0];
	if (strcmp(cmd, "log") == 0) {
		if (argc != 1) {
			usage(stderr);
			return EX_USAGE;
		}
		if (crm_db_open(crm_db_path(dbopt), CRM_DB_READONLY, &db, &err) < 0)
			goto fail;
		rc = show_log(db, campaign, status, fmt, &err);
		if (rc < 0)
			goto fail;
		goto done;
	}
	preview = strcmp(cmd, "preview") == 0;
	if ((!preview && strcmp(cmd, "send") != 0) || tpath == NULL ||
	    (preview && argc != 2) || (!preview && argc != 1)) {
		usage(stderr);
		return EX_USAGE;
	}
	/* The options may follow the subcommand. */
	if (campaign == NULL)
		campaign = default_campaign(tpath);
	if (crm_empty(campaign)) {
		crm_err_set(&err, EX_USAGE, "--campaign: empty name");
		goto fail;
	}
	if (crm_template_load(tpath, &t, &err) < 0)
		goto fail;
	if (crm_db_open(crm_db_path(dbopt), CRM_DB_RDWR, &db, &err) < 0)
		goto fail;

	if (preview) {
		struct crm_buf out;
		const char *why = NULL;
		int64_t id;
		int r;

		o.smtp_url = o.maildir = NULL;
		o.sendmail = NULL;
		o.mbox = "-";
		if (crm_mailer_open(db, &o, &m, &err) < 0)
			goto fail;
		if ((r = crm_customer_lookup(db, argv[1], &id, &err)) < 0)
			goto fail;
		if (r == 1) {
			crm_err_set(&err, CRM_EXIT_NOMATCH, "no customer '%s'", argv[1]);
			goto fail;
		}
		crm_buf_init(&out);
		if (crm_mail_preview(m, campaign, t, id, &out, &why, &err) < 0) {
			crm_buf_release(&out);
			goto fail;
		}
		fwrite(out.s, 1, out.len, stdout);
		crm_buf_release(&out);
		if (why != NULL && !quiet)
			crm_cli_warn(prog, "customer %lld would be skipped: %s",
			    (long long)id, why);
		goto done;
	}

	/* Configuration, unknown fields and a missing From stop the run
	 * before the list is read and any mail goes out. */
	if (crm_mailer_open(db, &o, &m, &err) < 0)
		goto fail;
	if (crm_mailer_check(m, t, &err) < 0)
		goto fail;
	/* Large mailbox providers want one-click unsubscribe on bulk mail. */
	if (!quiet && !crm_mailer_dry_run(m) && !crm_mailer_one_click(m) &&
	    strcmp(crm_template_kind(t), "newsletter") == 0)
		crm_cli_warn(prog, "no unsubscribe-url in crm.conf: the "
		    "unsubscribe link is a mailto:, without RFC 8058 one-click");
	if (segment != NULL) {
		char today[CRM_DATE_LEN];

		if (crm_today(NULL, today, &err) < 0 ||
		    crm_segment_saved_ids(db, segment, today, &ids, &err) < 0)
			goto fail;
	} else {
		if (isatty(STDIN_FILENO)) {
			crm_err_set(&err, EX_USAGE, "send reads customers (ids, e-mail "
			    "addresses or CSV) on stdin, or give -S SEGMENT");
			goto fail;
		}
		if (crm_custlist_read(db, stdin, "stdin", &ids, &unknown,
		    on_unknown, NULL, &err) < 0)
			goto fail;
	}
	if (ids.n == 0) {
		crm_err_set(&err, CRM_EXIT_NOMATCH, "no customers to mail%s",
		    unknown ? " (none of the input names a customer)" : "");
		goto fail;
	}
	crm_progress_init(&tally.progress, "crm-mail", (long long)ids.n);
	catch_signals();
	for (i = 0; i < ids.n && !interrupted; i++) {
		if (crm_mail_queue(m, campaign, t, ids.ids[i], on_done, &tally, &err) < 0)
			break;
	}
	if (err.code == 0)
		crm_mail_flush(m, &err);
	else {
		struct crm_err e2;
		crm_mail_flush(m, &e2);
	}
	crm_progress_finish(&tally.progress);
	summary(campaign, &tally, crm_mailer_dry_run(m));
	if (err.code == EX_UNAVAILABLE) {
		/* The server went away: what was not sent is deferred, and a
		 * later run resumes.  69 when nothing got through at all. */
		if (tally.sent > 0)
			err.code = EX_TEMPFAIL;
		goto fail;
	}
	if (err.code != 0)
		goto fail;
	if (interrupted) {
		crm_err_set(&err, EX_TEMPFAIL, "interrupted by signal %d after %zu "
		    "of %zu customers; run again to resume", (int)interrupted, i,
		    ids.n);
		goto fail;
	}
	if (tally.deferred > 0 || tally.unknown_new > 0)
		rc = EX_TEMPFAIL;
done:
	crm_mailer_close(m);
	m = NULL;
	if (crm_close_stdout(&err) < 0)
		goto fail;
	crm_template_free(t);
	crm_db_close(db);
	crm_idlist_release(&ids);
	free(vars);
	free(campaign);
	return rc;
fail:
	rc = crm_cli_fail(prog, &err);
	crm_mailer_close(m);
	crm_template_free(t);
	crm_db_close(db);
	crm_idlist_release(&ids);
	free(vars);
	free(campaign);
	return rc;
}
