/* crm-report: repeat rate, cohorts, RFM, LTV, repurchase interval and
 * campaign before/after, as tables or as an SVG chart. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "date.h"
#include "db.h"
#include "output.h"
#include "report.h"
#include "svg.h"
#include "util.h"
#include "banned.h"

static const char *prog = "crm-report";
static int quiet, verbose;

enum {
	OPT_BY = CRM_OPT_FIRST_FREE, OPT_FROM, OPT_TO, OPT_SHOP, OPT_WINDOW,
	OPT_GROUP, OPT_CUSTOMERS, OPT_MONTHS,
};

static void
usage(FILE *fp)
{
	fprintf(fp,
	    "usage: crm-report repeat [--by month|shop|product] [options]\n"
	    "       crm-report cohort [--months N] [options]\n"
	    "       crm-report rfm [--customers] [--group NAME] [options]\n"
	    "       crm-report ltv [--by cohort|shop] [options]\n"
	    "       crm-report interval [options]\n"
	    "       crm-report campaign NAME [--window Nd] [options]\n"
	    "options: [-o table|csv|tsv|json|ids|svg] [--from DATE] [--to DATE]\n"
	    "         [--shop NAME] [--today DATE] [--db FILE] [-qv]\n"
	    "groups: champions loyal promising new at-risk about-to-sleep hibernating\n");
}

/* What the command line asked for, before it means anything. */
struct args {
	const char *by_s, *window_s, *months_s, *group, *name;
	int customers;
	enum crm_report_by by;       /* the same, checked */
	long long months, days;
};

/* Flags each subcommand takes beyond the common ones. */
enum { A_BY = 1, A_WINDOW = 2, A_RFM = 4, A_MONTHS = 8, A_DATES = 16, A_NAME = 32 };

struct job {
	struct crm_table t;
	struct crm_report_chart chart;
	struct crm_report_series ser[121];   /* cohort: m0..m120 */
};

static int
do_repeat(sqlite3 *db, const struct args *a, const struct crm_report_opts *o,
    struct job *j, struct crm_err *err)
{
	static const struct crm_report_series ser[] = {
		{ 7, "新規顧客の売上 (new)" }, { 8, "リピート顧客の売上 (repeat)" },
	};
	if (crm_report_repeat(db, o, a->by, &j->t, err) < 0)
		return -1;
	j->chart = (struct crm_report_chart){ CRM_CHART_STACKED, CRM_UNIT_YEN,
	    "新規・リピート別売上", j->t.cols[0].name, "売上 (円)", 0, ser, 2, 0, 0 };
	return 0;
}

static int
do_cohort(sqlite3 *db, const struct args *a, const struct crm_report_opts *o,
    struct job *j, struct crm_err *err)
{
	if (crm_report_cohort(db, o, (int)a->months, &j->t, err) < 0)
		return -1;
	for (int k = 0; k <= a->months; k++)
		j->ser[k] = (struct crm_report_series){ (size_t)k + 2, NULL };
	j->chart = (struct crm_report_chart){ CRM_CHART_LINES, CRM_UNIT_SHARE,
	    "初回購入月別の再購入率 (cohort)", "初回購入からの月数 (months since)",
	    "再購入した割合", 0, j->ser, (size_t)a->months + 1, 1, 8 };
	return 0;
}

static int
do_rfm(sqlite3 *db, const struct args *a, const struct crm_report_opts *o,
    struct job *j, struct crm_err *err)
{
	static const struct crm_report_series ser[] = { { 1, "顧客数 (customers)" } };

	if (crm_report_rfm(db, o, a->customers || a->group, a->group, &j->t, err) < 0)
		return -1;
	j->chart = (struct crm_report_chart){ CRM_CHART_BARS, CRM_UNIT_COUNT,
	    "RFM グループ別の顧客数", "グループ (group)", "顧客数", 0, ser, 1, 0, 0 };
	return 0;
}

static int
do_ltv(sqlite3 *db, const struct args *a, const struct crm_report_opts *o,
    struct job *j, struct crm_err *err)
{
	static const struct crm_report_series ser[] = {
		{ 4, "顧客あたり売上 (LTV)" }, { 5, "平均注文額 (AOV)" },
	};
	if (crm_report_ltv(db, o, a->by, &j->t, err) < 0)
		return -1;
	j->chart = (struct crm_report_chart){ CRM_CHART_BARS, CRM_UNIT_YEN,
	    "顧客生涯価値 (LTV)", j->t.cols[0].name, "円", 0, ser, 2, 0, 0 };
	return 0;
}

static int
do_interval(sqlite3 *db, const struct args *a, const struct crm_report_opts *o,
    struct job *j, struct crm_err *err)
{
	static const struct crm_report_series ser[] = {
		{ 4, NULL }, { 5, NULL }, { 6, NULL }, { 7, NULL }, { 8, NULL },
		{ 9, NULL }, { 10, NULL }, { 11, NULL },
	};

	(void)a;
	if (crm_report_interval(db, o, &j->t, err) < 0)
		return -1;
	j->chart = (struct crm_report_chart){ CRM_CHART_BARS, CRM_UNIT_COUNT,
	    "購入間隔の分布 (日)", "前回の注文からの日数 (days)", "注文の組",
	    0, ser, 8, 1, 0 };
	return 0;
}

static int
do_campaign(sqlite3 *db, const struct args *a, const struct crm_report_opts *o,
    struct job *j, struct crm_err *err)
{
	static const struct crm_report_series ser[] = {
		{ 10, "配信前 (before)" }, { 11, "配信後 (after)" },
	};
	const char *after;

	if (crm_report_campaign(db, o, a->name, (int)a->days, &j->t, err) < 0)
		return -1;
	/* Orders not yet placed are not zeros: say so. */
	after = crm_table_cell(&j->t, 0, 3);
	if (after && strcmp(after + strlen(after) - 10, o->today) > 0 && !quiet)
		crm_cli_warn(prog, "campaign %s: the window after ends %s, after "
		    "today: its figures are not complete", a->name,
		    after + strlen(after) - 10);
	j->chart = (struct crm_report_chart){ CRM_CHART_BARS, CRM_UNIT_YEN,
	    "キャンペーン前後の顧客あたり売上", "", "顧客あたり売上 (円)", 0, ser, 2,
	    0, 0 };
	return 0;
}

static const struct sub {
	const char *name;
	int flags;
	const char *bys;             /* what --by takes */
	int (*run)(sqlite3 *, const struct args *, const struct crm_report_opts *,
	    struct job *, struct crm_err *);
} subs[] = {
	{ "repeat", A_BY | A_DATES, "month|shop|product", do_repeat },
	{ "cohort", A_MONTHS | A_DATES, NULL, do_cohort },
	{ "rfm", A_RFM | A_DATES, NULL, do_rfm },
	{ "ltv", A_BY | A_DATES, "cohort|shop", do_ltv },
	{ "interval", A_DATES, NULL, do_interval },
	{ "campaign", A_WINDOW | A_NAME, NULL, do_campaign },
};

/* The subcommand's own flags, checked before the database is opened. */
static int
check_args(const struct sub *sub, struct args *a, struct crm_err *err)
{
	char buf[32];
	size_t n;
	int b;

	a->months = 12;
	a->days = 30;
	if (a->by_s) {
		b = crm_report_by_parse(a->by_s);
		if (b < 0 || strstr(sub->bys, a->by_s) == NULL)
			return crm_err_set(err, EX_USAGE, "--by: '%s' is not one of %s",
			    a->by_s, sub->bys);
		a->by = (enum crm_report_by)b;
	}
	if (a->months_s && crm_strtonum(a->months_s, 1, 120, &a->months,
	    "--months", err) < 0)
		return -1;
	if (a->window_s) {
		n = crm_strlcpy(buf, a->window_s, sizeof buf);
		if (n > 0 && n < sizeof buf && buf[n - 1] == 'd')
			buf[n - 1] = '\0';
		if (crm_strtonum(buf, 1, 3650, &a->days, "--window", err) < 0)
			return -1;
	}
	if (a->group && !crm_report_rfm_group_ok(a->group))
		return crm_err_set(err, EX_USAGE, "--group: no group '%s' "
		    "(champions, loyal, promising, new, at-risk, about-to-sleep, "
		    "hibernating)", a->group);
	return 0;
}

/* --from and --to as dates: YYYY-MM-DD, or Nd before today. */
static int
window(const char *from, const char *to, struct crm_report_opts *o,
    struct crm_err *err)
{
	char lo[CRM_DATE_LEN], hi[CRM_DATE_LEN];

	if (from && crm_date_range(from, o->today, o->from, hi, err) < 0)
		return -1;
	if (to && crm_date_range(to, o->today, lo, o->to, err) < 0)
		return -1;
	if (o->from[0] && o->to[0] && strcmp(o->from, o->to) > 0)
		return crm_err_set(err, EX_USAGE, "--from %s is after --to %s",
		    o->from, o->to);
	return 0;
}

/* Output: the rows streamed, the chart, or the table through
 * lib/output.h. */
static int
emit(struct job *j, int svg, enum crm_out_fmt fmt, struct crm_err *err)
{
	if (j->t.sfp != NULL)
		return crm_table_stream_end(&j->t, err);
	if (svg)
		return crm_report_chart(&j->t, &j->chart, stdout, err);
	return crm_table_write(&j->t, stdout, fmt, err);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "by", required_argument, NULL, OPT_BY },
		{ "from", required_argument, NULL, OPT_FROM },
		{ "to", required_argument, NULL, OPT_TO },
		{ "shop", required_argument, NULL, OPT_SHOP },
		{ "window", required_argument, NULL, OPT_WINDOW },
		{ "group", required_argument, NULL, OPT_GROUP },
		{ "customers", no_argument, NULL, OPT_CUSTOMERS },
		{ "months", required_argument, NULL, OPT_MONTHS },
		{ "output", required_argument, NULL, 'o' },
		{ "today", required_argument, NULL, CRM_OPT_TODAY },
		{ "db", required_argument, NULL, CRM_OPT_DB },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, CRM_OPT_VERSION },
		{ NULL, 0, NULL, 0 }
	};
	struct args a = { 0 };
	struct crm_report_opts o = { 0 };
	struct job j = { 0 };
	const struct sub *sub = NULL;
	const char *from = NULL, *to = NULL, *fmt = NULL, *today = NULL,
	    *dbopt = NULL;
	struct crm_err err;
	sqlite3 *db = NULL;
	int64_t shopid;
	enum crm_out_fmt outfmt;
	int ch, rc = 0, used = 0, ids, svg;

	crm_cli_init();
	crm_err_clear(&err);
	while ((ch = getopt_long(argc, argv, "o:qvh", longopts, NULL)) != -1) {
		switch (ch) {
		case OPT_BY: a.by_s = optarg; used |= A_BY; break;
		case OPT_FROM: from = optarg; used |= A_DATES; break;
		case OPT_TO: to = optarg; used |= A_DATES; break;
		case OPT_SHOP: o.shop = optarg; break;
		case OPT_WINDOW: a.window_s = optarg; used |= A_WINDOW; break;
		case OPT_GROUP: a.group = optarg; used |= A_RFM; break;
		case OPT_CUSTOMERS: a.customers = 1; used |= A_RFM; break;
		case OPT_MONTHS: a.months_s = optarg; used |= A_MONTHS; break;
		case 'o': fmt = optarg; break;
		case CRM_OPT_TODAY: today = optarg; break;
		case CRM_OPT_DB: dbopt = optarg; break;
		case 'q': quiet = 1; break;
		case 'v': verbose = 1; break;
		case 'h': usage(stdout); return 0;
		case CRM_OPT_VERSION: return crm_cli_version(prog);
		default: usage(stderr); return EX_USAGE;
		}
	}
	for (size_t i = 0; optind < argc && i < sizeof subs / sizeof subs[0]; i++)
		if (strcmp(argv[optind], subs[i].name) == 0)
			sub = &subs[i];
	if (sub == NULL || (used & ~sub->flags) != 0 ||
	    argc - optind != ((sub->flags & A_NAME) ? 2 : 1)) {
		if (sub != NULL && (used & ~sub->flags) != 0)
			fprintf(stderr, "%s: an option given does not apply to %s\n",
			    prog, sub->name);
		usage(stderr);
		return EX_USAGE;
	}
	a.name = argv[optind + 1];
	ids = fmt != NULL && strcmp(fmt, "ids") == 0;
	svg = fmt != NULL && strcmp(fmt, "svg") == 0;
	outfmt = ids ? CRM_OUT_IDS : CRM_OUT_DEFAULT;
	if (ids && strcmp(sub->name, "rfm") == 0)
		a.customers = 1;      /* ids are customers' */
	if (check_args(sub, &a, &err) < 0 || crm_today(today, o.today, &err) < 0)
		goto fail;
	if (window(from, to, &o, &err) < 0)
		goto fail;
	if (fmt && !svg && !ids && crm_out_parse(fmt, &outfmt, &err) < 0)
		goto fail;
	if (crm_db_open(crm_db_path(dbopt), CRM_DB_READONLY, &db, &err) < 0)
		goto fail;
	if (o.shop && (rc = crm_db_shop_id(db, o.shop, 0, &shopid, &err)) != 0) {
		if (rc > 0)
			crm_err_set(&err, EX_USAGE, "--shop: no shop '%s'", o.shop);
		goto fail;
	}
	if (verbose && !quiet)
		crm_cli_warn(prog, "%s: orders of %s, %s..%s, as of %s", sub->name,
		    o.shop ? o.shop : "every shop", o.from, o.to,
		    o.to[0] ? o.to : o.today);
	/* A list of customers can be a million rows: out as they come. */
	if (strcmp(sub->name, "rfm") == 0 && (a.customers || a.group) && !svg)
		crm_table_stream(&j.t, stdout, outfmt);
	/* A read transaction: every figure comes from one snapshot. */
	if (crm_db_begin_read(db, &err) < 0 || sub->run(db, &a, &o, &j, &err) < 0)
		goto fail;
	crm_db_rollback(db);
	if (crm_table_count(&j.t) == 0) {
		if (!quiet)
			crm_cli_warn(prog, "%s: nothing to report", sub->name);
		rc = CRM_EXIT_NOMATCH;
		if (svg)
			goto done;
	}
	if (emit(&j, svg, outfmt, &err) < 0)
		goto fail;
done:
	if (crm_close_stdout(&err) < 0)
		goto fail;
	crm_table_release(&j.t);
	crm_db_close(db);
	return rc;
fail:
	rc = crm_cli_fail(prog, &err);
	crm_table_release(&j.t);
	crm_db_close(db);
	return rc;
}
