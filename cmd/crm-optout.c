/* crm-optout: stop mail to the customers on stdin, or to the one an
 * unsubscribe token names.  There is deliberately no way back in. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "custlist.h"
#include "customer.h"
#include "db.h"
#include "mailconf.h"
#include "optout.h"
#include "output.h"
#include "util.h"
#include "banned.h"

static const char *prog = "crm-optout";
static int quiet, verbose;

enum { OPT_CHANNEL = CRM_OPT_FIRST_FREE, OPT_REASON, OPT_TOKEN, OPT_LIST,
	OPT_CONFIG };

static void
usage(FILE *fp)
{
	fprintf(fp,
	    "usage: crm-optout [--channel newsletter|notices|all] [--reason TEXT]\n"
	    "                  [--db FILE] [-qv] < customers\n"
	    "       crm-optout --token TOKEN [--reason TEXT] [--config FILE] [--db FILE]\n"
	    "       crm-optout --list [-o ids|csv|tsv|json|table] [--db FILE]\n");
}

static void
on_unknown(void *arg, long line, const char *value)
{
	(void)arg;
	if (!quiet)
		crm_cli_warn(prog, "stdin:%ld: no customer '%s'", line, value);
}

static int
list(sqlite3 *db, const char *fmtopt, struct crm_err *err)
{
	static const struct crm_out_col cols[] = {
		{ "id", 1 }, { "customer_id", 1 }, { "name", 0 }, { "email", 0 },
		{ "channel", 0 }, { "action", 0 }, { "by", 0 }, { "reason", 0 },
		{ "source", 0 }, { "at", 0 },
	};
	sqlite3_stmt *st;
	int64_t n;

	if (crm_db_prepare(db, "SELECT o.id, o.customer_id, c.name, c.email, "
	    "o.channel, o.action, o.by, o.reason, o.source, o.at FROM optouts o "
	    "LEFT JOIN customers c ON c.id = o.customer_id ORDER BY o.id", &st,
	    err) < 0)
		return -1;
	return crm_db_print_rows(db, st, fmtopt, cols, 10, "optouts", &n, err);
}

static int
by_token(sqlite3 *db, const char *token, const char *reason,
    const char *config, int *changed, struct crm_err *err)
{
	struct crm_mailconf *conf = NULL;
	unsigned char *key = NULL;
	size_t klen = 0;
	char channel[16];
	int64_t id, active;
	int rc = -1;

	if (crm_mailconf_load(config, &conf, err) < 0 ||
	    crm_mailconf_secret(conf, 0, &key, &klen, err) < 0 ||
	    crm_optout_verify(key, klen, token, &id, channel, err) < 0)
		goto out;
	if (crm_db_begin(db, err) < 0)
		goto out;
	/* The customer may have been merged since the mail went out. */
	if (crm_customer_resolve(db, id, &active, err) < 0 ||
	    crm_optout_record(db, active, channel, "customer",
	    reason ? reason : "unsubscribe link", "token", changed, err) < 0) {
		crm_db_rollback(db);
		goto out;
	}
	if (crm_db_commit(db, err) < 0)
		goto out;
	if (verbose && !quiet)
		crm_cli_warn(prog, "customer %lld: %s: %s", (long long)active,
		    channel, *changed ? "opted out" : "already opted out");
	rc = 0;
out:
	if (key != NULL) {
		explicit_bzero(key, klen);
		free(key);
	}
	crm_mailconf_free(conf);
	return rc;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "channel", required_argument, NULL, OPT_CHANNEL },
		{ "reason", required_argument, NULL, OPT_REASON },
		{ "token", required_argument, NULL, OPT_TOKEN },
		{ "list", no_argument, NULL, OPT_LIST },
		{ "config", required_argument, NULL, OPT_CONFIG },
		{ "output", required_argument, NULL, 'o' },
		{ "db", required_argument, NULL, CRM_OPT_DB },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, CRM_OPT_VERSION },
		{ NULL, 0, NULL, 0 }
	};
	const char *channel = "all", *reason = NULL, *token = NULL, *dbopt = NULL,
	    *config = NULL, *fmt = NULL;
	struct crm_idlist ids;
	struct crm_err err;
	sqlite3 *db = NULL;
	size_t unknown = 0, i;
	long long changed = 0;
	int ch, dolist = 0, c, rc = 0;

	crm_cli_init();
	crm_err_clear(&err);
	crm_idlist_init(&ids);
	while ((ch = getopt_long(argc, argv, "o:qvh", longopts, NULL)) != -1) {
		switch (ch) {
		case OPT_CHANNEL: channel = optarg; break;
		case OPT_REASON: reason = optarg; break;
		case OPT_TOKEN: token = optarg; break;
		case OPT_LIST: dolist = 1; break;
		case OPT_CONFIG: config = optarg; break;
		case 'o': fmt = optarg; break;
		case CRM_OPT_DB: dbopt = optarg; break;
		case 'q': quiet = 1; break;
		case 'v': verbose = 1; break;
		case 'h': usage(stdout); return 0;
		case CRM_OPT_VERSION: return crm_cli_version(prog);
		default: usage(stderr); return EX_USAGE;
		}
	}
	if (optind != argc || (dolist && token != NULL)) {
		usage(stderr);
		return EX_USAGE;
	}
	if (!crm_optout_channel_ok(channel)) {
		crm_err_set(&err, EX_USAGE, "--channel: '%s' is not newsletter, "
		    "notices or all", channel);
		goto fail;
	}
	if (reason != NULL && (strchr(reason, '\n') || strlen(reason) > 1000)) {
		crm_err_set(&err, EX_USAGE, "--reason: one line, at most 1000 bytes");
		goto fail;
	}
	if (crm_db_open(crm_db_path(dbopt), dolist ? CRM_DB_READONLY
	    : CRM_DB_NOCREATE, &db, &err) < 0)
		goto fail;
	if (dolist) {
		if (list(db, fmt, &err) < 0)
			goto fail;
		goto done;
	}
	if (token != NULL) {
		if (by_token(db, token, reason, config, &c, &err) < 0)
			goto fail;
		printf("%d\n", c);
		goto done;
	}
	if (isatty(STDIN_FILENO)) {
		crm_err_set(&err, EX_USAGE, "customers (ids, e-mail addresses or "
		    "CSV) are read from stdin");
		goto fail;
	}
	if (crm_custlist_read(db, stdin, "stdin", &ids, &unknown, on_unknown,
	    NULL, &err) < 0)
		goto fail;
	if (ids.n == 0) {
		crm_err_set(&err, CRM_EXIT_NOMATCH, "no customers on stdin");
		goto fail;
	}
	/* One transaction: all of the list or none of it. */
	if (crm_db_begin(db, &err) < 0)
		goto fail;
	for (i = 0; i < ids.n; i++) {
		if (crm_optout_record(db, ids.ids[i], channel, "owner", reason,
		    "crm-optout", &c, &err) < 0) {
			crm_db_rollback(db);
			crm_err_prefix(&err, "customer %lld: ", (long long)ids.ids[i]);
			goto fail;
		}
		changed += c;
		if (verbose && !quiet)
			crm_cli_warn(prog, "customer %lld: %s", (long long)ids.ids[i],
			    c ? "opted out" : "already opted out");
	}
	if (crm_db_commit(db, &err) < 0)
		goto fail;
	printf("%lld\n", changed);
	if (!quiet)
		crm_cli_warn(prog, "%lld opted out of %s, %lld already, %zu unknown",
		    changed, channel, (long long)ids.n - changed, unknown);
done:
	if (crm_close_stdout(&err) < 0)
		goto fail;
	crm_db_close(db);
	crm_idlist_release(&ids);
	return rc;
fail:
	rc = crm_cli_fail(prog, &err);
	crm_db_close(db);
	crm_idlist_release(&ids);
	return rc;
}
