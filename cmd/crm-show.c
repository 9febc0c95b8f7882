/* crm-show: one customer, everything known about them, found by id,
 * e-mail address or phone number. */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "custlist.h"
#include "db.h"
#include "show.h"
#include "util.h"
#include "banned.h"

static const char *prog = "crm-show";

static void
usage(FILE *fp)
{
	fprintf(fp,
	    "usage: crm-show [-o text|json] [--db FILE] [-qv] ID|EMAIL|PHONE\n");
}

/* The id asked for when it was merged into another customer, else 0. */
static int64_t
merged_id(const char *key, int64_t found)
{
	char *k = crm_xstrdup(key);
	long long v = 0;
	struct crm_err e;

	crm_trim(k);
	if (k[0] < '1' || k[0] > '9' ||
	    crm_strtonum(k, 1, INT64_MAX, &v, "id", &e) < 0)
		v = 0;
	free(k);
	return v > 0 && v != found ? (int64_t)v : 0;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "db", required_argument, NULL, CRM_OPT_DB },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, CRM_OPT_VERSION },
		{ NULL, 0, NULL, 0 }
	};
	const char *dbopt = NULL;
	enum crm_show_fmt fmt = CRM_SHOW_TEXT;
	struct crm_idlist ids;
	struct crm_err err;
	sqlite3 *db = NULL;
	int ch, n, rc = 0, quiet = 0;

	crm_cli_init();
	crm_err_clear(&err);
	crm_idlist_init(&ids);
	while ((ch = getopt_long(argc, argv, "o:qvh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'o':
			if (strcmp(optarg, "json") == 0)
				fmt = CRM_SHOW_JSON;
			else if (strcmp(optarg, "text") == 0)
				fmt = CRM_SHOW_TEXT;
			else {
				fprintf(stderr, "%s: -o: '%s' is not text or json\n",
				    prog, optarg);
				usage(stderr);
				return EX_USAGE;
			}
			break;
		case CRM_OPT_DB: dbopt = optarg; break;
		case 'q': quiet = 1; break;
		case 'v': break;
		case 'h': usage(stdout); return 0;
		case CRM_OPT_VERSION: return crm_cli_version(prog);
		default: usage(stderr); return EX_USAGE;
		}
	}
	if (argc - optind != 1) {
		usage(stderr);
		return EX_USAGE;
	}
	if (crm_db_open(crm_db_path(dbopt), CRM_DB_READONLY, &db, &err) < 0 ||
	    crm_db_begin_read(db, &err) < 0 ||
	    (n = crm_customer_lookup_all(db, argv[optind], &ids, &err)) < 0)
		goto fail;
	if (n == 0) {
		crm_err_set(&err, CRM_EXIT_NOMATCH, "no customer '%s'", argv[optind]);
		goto fail;
	}
	/* A shared phone (a family's landline) names several customers:
	 * showing the oldest would show the wrong person half the time. */
	if (n > 1) {
		if (!quiet) {
			fprintf(stderr, "%s: '%s' names %d customers; give an id:\n",
			    prog, argv[optind], n);
			if (crm_show_candidates(db, &ids, stderr, &err) < 0)
				goto fail;
		}
		rc = CRM_EXIT_NOMATCH;
		goto done;
	}
	if (crm_show_write(db, ids.ids[0], merged_id(argv[optind], ids.ids[0]),
	    stdout, fmt, &err) < 0)
		goto fail;
	if (crm_close_stdout(&err) < 0)
		goto fail;
done:
	crm_db_close(db);
	crm_idlist_release(&ids);
	return rc;
fail:
	if (!quiet || err.code != CRM_EXIT_NOMATCH)
		rc = crm_cli_fail(prog, &err);
	else
		rc = err.code;
	crm_db_close(db);
	crm_idlist_release(&ids);
	return rc;
}
