/* crm-tag: put tags and the caution flag on the customers read from
 * stdin, take them off, or list the tags in use. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "custlist.h"
#include "db.h"
#include "output.h"
#include "tag.h"
#include "util.h"
#include "banned.h"

static const char *prog = "crm-tag";
static int quiet, verbose;

enum { OPT_REASON = CRM_OPT_FIRST_FREE };

static void
usage(FILE *fp)
{
	fprintf(fp,
	    "usage: crm-tag add TAG [--db FILE] [-qv] < customers\n"
	    "       crm-tag rm TAG [--db FILE] [-qv] < customers\n"
	    "       crm-tag caution on [--reason TEXT] [--db FILE] [-qv] < customers\n"
	    "       crm-tag caution off [--db FILE] [-qv] < customers\n"
	    "       crm-tag list [-o ids|csv|tsv|json|table] [--db FILE]\n");
}

/* Unknown customers are an error (a mistyped id must not tag nobody
 * silently); each is named here, and the run stops before writing. */
static void
on_unknown(void *arg, long line, const char *value)
{
	(void)arg;
	crm_cli_warn(prog, "stdin:%ld: no customer '%s'", line, value);
}

static int
list(sqlite3 *db, const char *fmtopt, struct crm_err *err)
{
	static const struct crm_out_col cols[] = { { "tag", 0 }, { "customers", 1 } };
	sqlite3_stmt *st;
	int64_t n;

	/* Tags of merged-away customers were copied to the survivor. */
	if (crm_db_prepare(db, "SELECT t.tag, count(*) FROM tags t"
	    " JOIN customers c ON c.id = t.customer_id AND c.merged_into IS NULL"
	    " GROUP BY t.tag ORDER BY t.tag", &st, err) < 0)
		return -1;
	if (crm_db_print_rows(db, st, fmtopt, cols, 2, "tags", &n, err) < 0)
		return -1;
	return n > 0;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "reason", required_argument, NULL, OPT_REASON },
		{ "output", required_argument, NULL, 'o' },
		{ "db", required_argument, NULL, CRM_OPT_DB },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, CRM_OPT_VERSION },
		{ NULL, 0, NULL, 0 }
	};
	static const char *const done_word[] = {
		[CRM_TAG_ADD] = "tagged", [CRM_TAG_RM] = "untagged",
		[CRM_CAUTION_ON] = "caution on", [CRM_CAUTION_OFF] = "caution off",
	};
	const char *dbopt = NULL, *reason = NULL, *fmt = NULL, *cmd, *arg = NULL,
	    *why = NULL;
	enum crm_tag_op op;
	struct crm_idlist ids;
	struct crm_err err;
	sqlite3 *db = NULL;
	size_t unknown = 0;
	long long changed = 0;
	int ch, rc = 0, n;

	crm_cli_init();
	crm_err_clear(&err);
	crm_idlist_init(&ids);
	while ((ch = getopt_long(argc, argv, "o:qvh", longopts, NULL)) != -1) {
		switch (ch) {
		case OPT_REASON: reason = optarg; break;
		case 'o': fmt = optarg; break;
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
		why = "a command is needed: add, rm, caution or list";
		goto usage;
	}
	cmd = argv[0];
	if (strcmp(cmd, "list") == 0) {
		if (argc != 1 || reason != NULL) {
			why = "list takes no argument and no --reason";
			goto usage;
		}
		if (crm_db_open(crm_db_path(dbopt), CRM_DB_READONLY, &db, &err) < 0 ||
		    (n = list(db, fmt, &err)) < 0 ||
		    crm_close_stdout(&err) < 0)
			goto fail;
		crm_db_close(db);
		return n > 0 ? 0 : CRM_EXIT_NOMATCH;
	}
	if (strcmp(cmd, "add") != 0 && strcmp(cmd, "rm") != 0 &&
	    strcmp(cmd, "caution") != 0) {
		why = "unknown command";
		goto usage;
	}
	if (argc != 2) {
		why = cmd[0] == 'c' ? "caution takes on or off" : "one TAG is needed";
		goto usage;
	}
	if (fmt != NULL) {
		why = "-o goes with list only";
		goto usage;
	}
	arg = argv[1];
	if (strcmp(cmd, "add") == 0 || strcmp(cmd, "rm") == 0) {
		op = cmd[0] == 'a' ? CRM_TAG_ADD : CRM_TAG_RM;
		if (reason != NULL) {
			why = "--reason goes with caution on only";
			goto usage;
		}
		if (crm_tag_check(arg, &err) < 0)
			goto fail;
	} else {
		if (strcmp(arg, "on") == 0)
			op = CRM_CAUTION_ON;
		else if (strcmp(arg, "off") == 0 && reason == NULL)
			op = CRM_CAUTION_OFF;
		else {
			why = strcmp(arg, "off") == 0 ?
			    "--reason goes with caution on only" :
			    "caution takes on or off";
			goto usage;
		}
		if (reason != NULL && (*reason == '\0' || strchr(reason, '\n') ||
		    strlen(reason) > CRM_CAUTION_REASON_MAX)) {
			crm_err_set(&err, EX_USAGE, "--reason: one line, 1 to %d bytes",
			    CRM_CAUTION_REASON_MAX);
			goto fail;
		}
		arg = reason;
	}

	if (isatty(STDIN_FILENO)) {
		crm_err_set(&err, EX_USAGE, "customers (ids, e-mail addresses or "
		    "CSV) are read from stdin");
		goto fail;
	}
	/* The list is read in a read transaction (one snapshot, and fast:
	 * no lock per lookup) but without the write lock, which is taken
	 * only to write: holding it while stdin is read would deadlock
	 * "crm-import -o ids new.csv | crm-tag add new". */
	if (crm_db_open(crm_db_path(dbopt), CRM_DB_NOCREATE, &db, &err) < 0 ||
	    crm_db_begin_read(db, &err) < 0)
		goto fail;
	n = crm_custlist_read(db, stdin, "stdin", &ids, &unknown, on_unknown,
	    NULL, &err);
	crm_db_rollback(db);
	if (n < 0)
		goto fail;
	if (unknown > 0) {
		crm_err_set(&err, EX_DATAERR, "%zu unknown customer%s on stdin; "
		    "nothing changed", unknown, unknown == 1 ? "" : "s");
		goto fail;
	}
	if (ids.n == 0) {
		crm_err_set(&err, CRM_EXIT_NOMATCH, "no customers on stdin");
		goto fail;
	}
	/* One transaction: all of the list or none of it. */
	if (crm_db_begin(db, &err) < 0)
		goto fail;
	if (crm_tag_apply(db, &ids, op, arg, &changed, &err) < 0) {
		crm_db_rollback(db);
		goto fail;
	}
	if (crm_db_commit(db, &err) < 0)
		goto fail;
	printf("%lld\n", changed);
	if (!quiet)
		crm_cli_warn(prog, "%lld %s, %lld unchanged", changed,
		    done_word[op], (long long)ids.n - changed);
	if (verbose && !quiet)
		for (size_t i = 0; i < ids.n; i++)
			crm_cli_warn(prog, "customer %lld", (long long)ids.ids[i]);
	if (crm_close_stdout(&err) < 0)
		goto fail;
	crm_db_close(db);
	crm_idlist_release(&ids);
	return rc;
usage:
	if (why != NULL)
		fprintf(stderr, "%s: %s\n", prog, why);
	usage(stderr);
	crm_db_close(db);
	return EX_USAGE;
fail:
	rc = crm_cli_fail(prog, &err);
	crm_db_close(db);
	crm_idlist_release(&ids);
	return rc;
}
