/* crm-dedupe: identity resolution (名寄せ): rules, run, review, undo. */
#include <getopt.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "custlist.h"
#include "db.h"
#include "dedupe.h"
#include "err.h"
#include "merge.h"
#include "output.h"
#include "rules.h"
#include "util.h"
#include "banned.h"

static const char *prog = "crm-dedupe";
static int quiet, verbose;

enum {
	OPT_SHOP = CRM_OPT_FIRST_FREE, OPT_RESET, OPT_AUTO, OPT_THRESHOLD,
	OPT_DRYRUN, OPT_REASON
};

static void
usage(FILE *fp)
{
	fprintf(fp,
	    "usage: crm-dedupe [--db FILE] [-qv] command [args]\n"
	    "       crm-dedupe rules [--shop SHOP] [--reset | RULE...] [-o FMT]\n"
	    "       crm-dedupe run [--threshold SCORE] [--auto-merge SCORE] [--dry-run]\n"
	    "       crm-dedupe pending [-o table|csv|tsv|json]\n"
	    "       crm-dedupe confirm PAIR [--reason TEXT]\n"
	    "       crm-dedupe reject PAIR\n"
	    "       crm-dedupe merge [ID ID...] [--reason TEXT]   (or ids on stdin)\n"
	    "       crm-dedupe split ID [--reason TEXT]\n"
	    "       crm-dedupe history ID [-o FMT]\n"
	    "       crm-dedupe clusters [-o FMT]\n"
	    "       RULE: fields joined by '+': email phone name kana postcode\n"
	    "             prefecture address birthday member_id\n"
	    "       PAIR: a pair id, or two customer ids A,B\n");
}

static int
usage_fail(const char *fmt, const char *arg)
{
	fprintf(stderr, "%s: ", prog);
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	usage(stderr);
	return EX_USAGE;
}

static int
parse_score(const char *s, const char *what, double *out)
{
	char *end;
	double v;

	v = strtod(s, &end);
	if (end == s || *end != '\0' || !(v >= 0.0 && v <= 1.0)) {
		fprintf(stderr, "%s: %s %s: expected a score from 0 to 1\n",
		    prog, what, s);
		return -1;
	}
	*out = v;
	return 0;
}

static int
parse_customer(const char *s, int64_t *out, struct crm_err *err)
{
	long long v;

	if (crm_strtonum(s, 1, INT64_MAX, &v, "customer id", err) < 0) {
		err->code = EX_USAGE;
		return -1;
	}
	*out = v;
	return 0;
}

static const char *
who(void)
{
	const char *u = getenv("USER");
	struct passwd *pw;

	if (crm_empty(u))
		u = getenv("LOGNAME");
	if (crm_empty(u) && (pw = getpwuid(getuid())) != NULL)
		u = pw->pw_name;
	return crm_empty(u) ? NULL : u;
}

/* ---- output through lib/output ------------------------------------- */

static int
out_row(void *arg, const char *const *vals, struct crm_err *err)
{
	(void)err;
	return crm_out_row(arg, vals) < 0 ? -1 : 0;
}

static int
rule_row(void *arg, const char *scope, const char *rule, const char *origin,
    struct crm_err *err)
{
	const char *v[3] = { scope, rule, origin };

	(void)err;
	return crm_out_row(arg, v) < 0 ? -1 : 0;
}

static int
history_row(void *arg, const struct crm_merge_event *ev, struct crm_err *err)
{
	char id[24], s[24], a[24], u[24];
	const char *v[9];

	(void)err;
	snprintf(id, sizeof id, "%lld", (long long)ev->id);
	snprintf(s, sizeof s, "%lld", (long long)ev->survivor);
	snprintf(a, sizeof a, "%lld", (long long)ev->absorbed);
	snprintf(u, sizeof u, "%lld", (long long)ev->undone_by);
	v[0] = id;
	v[1] = ev->at;
	v[2] = ev->kind;
	v[3] = s;
	v[4] = a;
	v[5] = ev->how;
	v[6] = ev->who;
	v[7] = ev->reason;
	v[8] = ev->undone_by ? u : NULL;
	return crm_out_row(arg, v) < 0 ? -1 : 0;
}

/* ---- commands -------------------------------------------------------- */

struct opts {
	const char *shop, *reason;
	enum crm_out_fmt fmt;
	int reset, dryrun, have_fmt;
	double threshold, auto_merge;
	int have_threshold, have_auto;
};

static int
cmd_rules(sqlite3 *db, const struct opts *o, int argc, char **argv,
    struct crm_err *err)
{
	static const struct crm_out_col cols[] = {
		{ "scope", 0 }, { "rule", 0 }, { "origin", 0 } };
	struct crm_rule *rules;
	struct crm_out *out;
	int64_t shop = 0;
	int i, rc;

	if (argc == 0 && !o->reset) {
		if (o->shop != NULL) {
			rc = crm_db_shop_id(db, o->shop, 0, &shop, err);
			if (rc < 0)
				return -1;
			if (rc == 1)
				return crm_err_set(err, EX_DATAERR,
				    "--shop %s: no such shop", o->shop);
		}
		out = crm_out_open(stdout, o->fmt, cols, 3);
		if (crm_dedupe_rules_list(db, shop, rule_row, out, err) < 0) {
			struct crm_err e2;

			crm_out_close(out, &e2);
			return -1;
		}
		return crm_out_close(out, err);
	}
	if (argc > 0 && o->reset)
		return crm_err_set(err, EX_USAGE, "rules: --reset takes no RULE");
	rules = crm_xcalloc((size_t)argc, sizeof *rules);
	for (i = 0; i < argc; i++)
		if (crm_rule_parse(argv[i], &rules[i], err) < 0) {
			free(rules);
			return -1;
		}
	if (crm_db_begin(db, err) < 0) {
		free(rules);
		return -1;
	}
	if ((o->shop != NULL && crm_db_shop_id(db, o->shop, 1, &shop, err) < 0) ||
	    crm_dedupe_rules_set(db, shop, rules, (size_t)argc, err) < 0 ||
	    crm_db_commit(db, err) < 0) {
		crm_db_rollback(db);
		free(rules);
		return -1;
	}
	free(rules);
	if (!quiet)
		fprintf(stderr, "%s: %s rules %s; run 'crm-dedupe run' to apply them "
		    "to the records already imported\n", prog,
		    o->shop ? o->shop : "global", argc ? "set" : "reset");
	return 0;
}

static int
cmd_run(sqlite3 *db, const struct opts *o, struct crm_err *err)
{
	struct crm_dedupe_opts ro;
	struct crm_dedupe_stats st;
	double t0 = crm_now();

	ro.threshold = o->have_threshold ? o->threshold : CRM_DEDUPE_THRESHOLD;
	ro.auto_merge = o->have_auto ? o->auto_merge : 2.0;
	if (crm_db_begin(db, err) < 0)
		return -1;
	if (crm_dedupe_run(db, &ro, &st, err) < 0) {
		crm_db_rollback(db);
		return -1;
	}
	if (o->dryrun)
		crm_db_rollback(db);
	else if (crm_db_commit(db, err) < 0) {
		crm_db_rollback(db);
		return -1;
	}
	if (!quiet) {
		fprintf(stderr, "%s: %s%lld records, %lld customers: %lld merged by rule, "
		    "%lld pending pairs (%lld new), %lld auto-merged",
		    prog, o->dryrun ? "dry run: " : "", st.identities, st.customers,
		    st.rule_merged, st.pending, st.pending_new, st.auto_merged);
		if (st.kept_apart)
			fprintf(stderr, ", %lld rule joins refused (split or rejected)",
			    st.kept_apart);
		fputc('\n', stderr);
		if (verbose)
			fprintf(stderr, "%s: %lld candidate pairs scored; %.1fs: rules %.1fs, "
			    "merges %.1fs, near matches %.1fs, pairs %.1fs\n",
			    prog, st.candidates, crm_now() - t0, st.t_rules, st.t_merge,
			    st.t_near, st.t_store);
	}
	return 0;
}

/* On a terminal each pair is two lines, one per customer, so that the
 * two sides sit one above the other. */
static int
stacked_row(void *arg, const char *const *v, struct crm_err *err)
{
	const char *r[13];
	int side;

	(void)err;
	for (side = 0; side < 2; side++) {
		r[0] = side ? NULL : v[4];
		r[1] = side ? NULL : v[2];
		r[2] = v[side];
		r[3] = v[5 + side];
		r[4] = v[7 + side];
		r[5] = v[9 + side];
		r[6] = v[11 + side];
		r[7] = v[13 + side];
		r[8] = v[15 + side];
		r[9] = v[17 + side];
		r[10] = v[19 + side];
		r[11] = v[21 + side];
		r[12] = side ? NULL : v[3];
		if (crm_out_row(arg, r) < 0)
			return -1;
	}
	return 0;
}

static int
cmd_pending(sqlite3 *db, const struct opts *o, struct crm_err *err)
{
	static const struct crm_out_col stacked[] = {
		{ "pair", 1 }, { "score", 1 }, { "customer", 1 }, { "name", 0 },
		{ "kana", 0 }, { "email", 0 }, { "phone", 0 }, { "postcode", 0 },
		{ "address", 0 }, { "birthday", 0 }, { "orders", 1 },
		{ "last_order", 0 }, { "reasons", 0 } };
	struct crm_out_col cols[32];
	struct crm_out *out;
	size_t i;
	int n;

	if (o->fmt == CRM_OUT_TABLE ||
	    (o->fmt == CRM_OUT_DEFAULT && isatty(STDOUT_FILENO))) {
		out = crm_out_open(stdout, CRM_OUT_TABLE, stacked, 13);
		n = crm_dedupe_pending(db, stacked_row, out, err);
	} else {
		for (i = 0; i < crm_dedupe_pending_ncols && i < 32; i++) {
			cols[i].name = crm_dedupe_pending_cols[i];
			cols[i].numeric = i < 3 || i == 4 ||
			    strncmp(cols[i].name, "orders_", 7) == 0;
		}
		out = crm_out_open(stdout, o->fmt, cols, i);
		n = crm_dedupe_pending(db, out_row, out, err);
	}
	if (n < 0) {
		struct crm_err e2;

		crm_out_close(out, &e2);
		return -1;
	}
	if (crm_out_close(out, err) < 0)
		return -1;
	return n == 0 ? CRM_EXIT_NOMATCH : 0;
}

static int
cmd_confirm(sqlite3 *db, const struct opts *o, const char *pair,
    struct crm_err *err)
{
	int64_t s, a;

	if (crm_db_begin(db, err) < 0)
		return -1;
	if (crm_dedupe_confirm(db, pair, who(), o->reason, &s, &a, err) < 0 ||
	    crm_db_commit(db, err) < 0) {
		crm_db_rollback(db);
		return -1;
	}
	if (!quiet)
		fprintf(stderr, "%s: customer %lld merged into %lld\n", prog,
		    (long long)a, (long long)s);
	return 0;
}

static int
cmd_reject(sqlite3 *db, const char *pair, struct crm_err *err)
{
	struct crm_pair p;

	if (crm_db_begin(db, err) < 0)
		return -1;
	if (crm_dedupe_reject(db, pair, &p, err) < 0 ||
	    crm_db_commit(db, err) < 0) {
		crm_db_rollback(db);
		return -1;
	}
	if (!quiet)
		fprintf(stderr, "%s: customers %lld and %lld kept apart (pair %lld)\n",
		    prog, (long long)p.a, (long long)p.b, (long long)p.id);
	return 0;
}

struct unknown {
	long line;
	char value[64];
};

static void
on_unknown(void *arg, long line, const char *value)
{
	struct unknown *u = arg;

	if (u->line == 0) {
		u->line = line;
		crm_strlcpy(u->value, value ? value : "", sizeof u->value);
	}
}

/* Ids from the command line, or a customer list on stdin (crm-segment
 * -o ids ...).  Merging is not undone lightly: an unknown customer in the
 * list is an error, not a warning. */
static int
merge_ids(sqlite3 *db, int argc, char **argv, struct crm_idlist *ids,
    struct crm_err *err)
{
	struct unknown u = { 0, "" };
	size_t nunknown = 0;
	int64_t id;
	int i;

	crm_idlist_init(ids);
	if (argc == 1)
		return crm_err_set(err, EX_USAGE,
		    "merge: give two or more customer ids, or a list on stdin");
	if (argc > 0) {
		for (i = 0; i < argc; i++) {
			if (parse_customer(argv[i], &id, err) < 0)
				return -1;
			crm_idlist_add(ids, id);
		}
		return 0;
	}
	if (isatty(STDIN_FILENO))
		return crm_err_set(err, EX_USAGE,
		    "merge: give two or more customer ids, or a list on stdin");
	if (crm_custlist_read(db, stdin, "stdin", ids, &nunknown, on_unknown, &u,
	    err) < 0)
		return -1;
	if (nunknown > 0)
		return crm_err_set(err, EX_DATAERR, "stdin: line %ld: no customer '%s'",
		    u.line, u.value);
	if (ids->n < 2)
		return crm_err_set(err, EX_DATAERR,
		    "stdin: %zu customer%s: nothing to merge", ids->n,
		    ids->n == 1 ? "" : "s");
	return 0;
}

static int
cmd_merge(sqlite3 *db, const struct opts *o, int argc, char **argv,
    struct crm_err *err)
{
	struct crm_idlist ids;
	int64_t s = 0, r;
	size_t i;
	int merged = 0, rc;

	if (merge_ids(db, argc, argv, &ids, err) < 0) {
		crm_idlist_release(&ids);
		return -1;
	}
	if (crm_db_begin(db, err) < 0) {
		crm_idlist_release(&ids);
		return -1;
	}
	for (i = 1; i < ids.n; i++) {
		rc = crm_merge(db, ids.ids[0], ids.ids[i], "manual", who(), o->reason,
		    &r, err);
		if (rc < 0) {
			crm_db_rollback(db);
			crm_idlist_release(&ids);
			return -1;
		}
		merged += rc == 0;
		s = r;
	}
	crm_idlist_release(&ids);
	if (crm_db_commit(db, err) < 0) {
		crm_db_rollback(db);
		return -1;
	}
	if (!quiet) {
		if (merged)
			fprintf(stderr, "%s: %d customer%s merged into %lld\n", prog,
			    merged, merged == 1 ? "" : "s", (long long)s);
		else
			fprintf(stderr, "%s: already one customer (%lld)\n", prog,
			    (long long)s);
	}
	return 0;
}

static int
cmd_split(sqlite3 *db, const struct opts *o, const char *arg,
    struct crm_err *err)
{
	int64_t id, s, a;

	if (parse_customer(arg, &id, err) < 0 || crm_db_begin(db, err) < 0)
		return -1;
	if (crm_split(db, id, who(), o->reason, &s, &a, err) < 0 ||
	    crm_db_commit(db, err) < 0) {
		crm_db_rollback(db);
		return -1;
	}
	if (!quiet)
		fprintf(stderr, "%s: customer %lld split from %lld\n", prog,
		    (long long)a, (long long)s);
	return 0;
}

static int
cmd_history(sqlite3 *db, const struct opts *o, const char *arg,
    struct crm_err *err)
{
	static const struct crm_out_col cols[] = {
		{ "event", 1 }, { "at", 0 }, { "kind", 0 }, { "survivor", 1 },
		{ "absorbed", 1 }, { "how", 0 }, { "who", 0 }, { "reason", 0 },
		{ "undone_by", 1 } };
	struct crm_out *out;
	int64_t id;
	int n;

	if (parse_customer(arg, &id, err) < 0 ||
	    crm_merge_history(db, id, NULL, NULL, err) < 0)
		return -1;
	out = crm_out_open(stdout, o->fmt, cols, 9);
	n = crm_merge_history(db, id, history_row, out, err);
	if (n < 0) {
		struct crm_err e2;

		crm_out_close(out, &e2);
		return -1;
	}
	if (crm_out_close(out, err) < 0)
		return -1;
	return n == 0 ? CRM_EXIT_NOMATCH : 0;
}

static int
cmd_clusters(sqlite3 *db, const struct opts *o, struct crm_err *err)
{
	static const struct crm_out_col cols[] = {
		{ "customer_id", 1 }, { "shop", 0 }, { "order_id", 0 } };
	struct crm_out *out;
	int n;

	/* The contract is CSV; -o chooses otherwise. */
	out = crm_out_open(stdout, o->have_fmt ? o->fmt : CRM_OUT_CSV, cols, 3);
	n = crm_dedupe_clusters(db, out_row, out, err);
	if (n < 0) {
		struct crm_err e2;

		crm_out_close(out, &e2);
		return -1;
	}
	if (crm_out_close(out, err) < 0)
		return -1;
	return n == 0 ? CRM_EXIT_NOMATCH : 0;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "shop", required_argument, NULL, OPT_SHOP },
		{ "reset", no_argument, NULL, OPT_RESET },
		{ "auto-merge", required_argument, NULL, OPT_AUTO },
		{ "threshold", required_argument, NULL, OPT_THRESHOLD },
		{ "dry-run", no_argument, NULL, OPT_DRYRUN },
		{ "reason", required_argument, NULL, OPT_REASON },
		{ "output", required_argument, NULL, 'o' },
		{ "db", required_argument, NULL, CRM_OPT_DB },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, CRM_OPT_VERSION },
		{ NULL, 0, NULL, 0 }
	};
	/* Which options each command takes. */
	static const struct {
		const char *name;
		int minargs, maxargs, readonly;
		const char *opts;   /* s shop, r reset, a auto, t threshold,
		                       d dry-run, R reason, o output */
	} cmds[] = {
		{ "rules", 0, 64, 0, "sro" },
		{ "run", 0, 0, 0, "atd" },
		{ "pending", 0, 0, 1, "o" },
		{ "confirm", 1, 1, 0, "R" },
		{ "reject", 1, 1, 0, "" },
		{ "merge", 0, 1024, 0, "R" },
		{ "split", 1, 1, 0, "R" },
		{ "history", 1, 1, 1, "o" },
		{ "clusters", 0, 0, 1, "o" },
	};
	const char *dbopt = NULL, *cmd;
	char used[16] = "";
	struct crm_err err;
	struct opts o;
	sqlite3 *db = NULL;
	size_t c, k;
	int ch, code = 0, rc;

	crm_cli_init();
	crm_err_clear(&err);
	memset(&o, 0, sizeof o);
	while ((ch = getopt_long(argc, argv, "o:qvh", longopts, NULL)) != -1) {
		switch (ch) {
		case OPT_SHOP:
			o.shop = optarg;
			if (*optarg == '\0')
				return usage_fail("--shop: empty shop name%s", "");
			crm_strlcpy(used + strlen(used), "s", sizeof used - strlen(used));
			break;
		case OPT_RESET:
			o.reset = 1;
			crm_strlcpy(used + strlen(used), "r", sizeof used - strlen(used));
			break;
		case OPT_AUTO:
			if (parse_score(optarg, "--auto-merge", &o.auto_merge) < 0)
				return EX_USAGE;
			o.have_auto = 1;
			crm_strlcpy(used + strlen(used), "a", sizeof used - strlen(used));
			break;
		case OPT_THRESHOLD:
			if (parse_score(optarg, "--threshold", &o.threshold) < 0)
				return EX_USAGE;
			o.have_threshold = 1;
			crm_strlcpy(used + strlen(used), "t", sizeof used - strlen(used));
			break;
		case OPT_DRYRUN:
			o.dryrun = 1;
			crm_strlcpy(used + strlen(used), "d", sizeof used - strlen(used));
			break;
		case OPT_REASON:
			o.reason = optarg;
			crm_strlcpy(used + strlen(used), "R", sizeof used - strlen(used));
			break;
		case 'o':
			if (crm_out_parse(optarg, &o.fmt, &err) < 0) {
				fprintf(stderr, "%s: -o: %s\n", prog, err.msg);
				return EX_USAGE;
			}
			o.have_fmt = 1;
			crm_strlcpy(used + strlen(used), "o", sizeof used - strlen(used));
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
	if (argc == 0)
		return usage_fail("missing command%s", "");
	cmd = argv[0];
	for (c = 0; c < sizeof cmds / sizeof cmds[0]; c++)
		if (strcmp(cmds[c].name, cmd) == 0)
			break;
	if (c == sizeof cmds / sizeof cmds[0])
		return usage_fail("unknown command '%s'", cmd);
	argc--;
	argv++;
	if (argc < cmds[c].minargs || argc > cmds[c].maxargs)
		return usage_fail(argc < cmds[c].minargs ? "%s: missing argument" :
		    "%s: too many arguments", cmd);
	for (k = 0; used[k]; k++)
		if (strchr(cmds[c].opts, used[k]) == NULL) {
			fprintf(stderr, "%s: %s: option not accepted here\n", prog, cmd);
			usage(stderr);
			return EX_USAGE;
		}
	if (o.have_auto && o.have_threshold && o.auto_merge < o.threshold)
		return usage_fail("--auto-merge is below --threshold%s", "");

	if (crm_db_open(crm_db_path(dbopt), cmds[c].readonly ? CRM_DB_READONLY :
	    CRM_DB_RDWR, &db, &err) < 0)
		return crm_cli_fail(prog, &err);

	switch (c) {
	case 0: rc = cmd_rules(db, &o, argc, argv, &err); break;
	case 1: rc = cmd_run(db, &o, &err); break;
	case 2: rc = cmd_pending(db, &o, &err); break;
	case 3: rc = cmd_confirm(db, &o, argv[0], &err); break;
	case 4: rc = cmd_reject(db, argv[0], &err); break;
	case 5: rc = cmd_merge(db, &o, argc, argv, &err); break;
	case 6: rc = cmd_split(db, &o, argv[0], &err); break;
	case 7: rc = cmd_history(db, &o, argv[0], &err); break;
	default: rc = cmd_clusters(db, &o, &err); break;
	}
	if (rc < 0)
		code = crm_cli_fail(prog, &err);
	else
		code = rc;
	crm_db_close(db);
	if (crm_close_stdout(&err) < 0 && code == 0)
		code = crm_cli_fail(prog, &err);
	return code;
}
