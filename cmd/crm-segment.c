/* crm-segment: which customers?  Filters, expressions, saved segments. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "custlist.h"
#include "date.h"
#include "db.h"
#include "err.h"
#include "output.h"
#include "segment.h"
#include "util.h"
#include "banned.h"

static const char *prog = "crm-segment";
static int quiet, verbose;

enum {
	OPT_TOTAL = CRM_OPT_FIRST_FREE, OPT_ORDERS, OPT_LAST, OPT_FIRST, OPT_REG,
	OPT_MEMBER, OPT_GUEST, OPT_PREF, OPT_NEWSLETTER, OPT_NOTICES,
	OPT_EXWITHDRAWN, OPT_KEYWORD, OPT_BOUGHT, OPT_BOUGHT_IN, OPT_SHOP, OPT_TAG,
	OPT_COUPON, OPT_SUBSCRIPTION, OPT_CAUTION, OPT_UNDETERMINED,
	OPT_COUNT, OPT_STATS, OPT_EXPLAIN, OPT_COLUMNS, OPT_SORT, OPT_LIMIT,
	OPT_STDIN, OPT_NO_STDIN,
};

static void
usage(FILE *fp)
{
	fprintf(fp,
	    "usage: crm-segment [filters] [-S NAME] [--count | --stats] [--explain]\n"
	    "                   [-o ids|csv|tsv|json|table] [--columns LIST] [--sort FIELD]\n"
	    "                   [--limit N] [--stdin | --no-stdin] [--today DATE]\n"
	    "                   [--db FILE] [-qv] ['EXPRESSION']\n"
	    "       crm-segment save NAME [filters] ['EXPRESSION']\n"
	    "       crm-segment list | show NAME | rm NAME\n"
	    "filters: --total RANGE --orders RANGE --last-order RANGE --first-order RANGE\n"
	    "         --registered RANGE --member --guest --pref LIST --newsletter yes|no\n"
	    "         --notices yes|no --exclude-withdrawn --keyword WORD --bought PATTERN\n"
	    "         --bought-in RANGE --shop NAME --tag TAG --coupon --subscription\n"
	    "         --caution --undetermined\n"
	    "RANGE is MIN..MAX, MIN.. or ..MAX; a date is YYYY-MM-DD or Nd (N days ago)\n");
}

/* Output columns: the name users type, the SQL over customers c (fixed
 * text, never user input), and whether it is a number. */
struct column {
	const char *name, *alias, *sql;
	int numeric;
};

static const struct column columns[] = {
	{ "id", NULL, "c.id", 1 },
	{ "name", NULL, "c.name", 0 },
	{ "kana", NULL, "c.kana", 0 },
	{ "email", NULL, "c.email", 0 },
	{ "phone", NULL, "c.phone", 0 },
	{ "postcode", NULL, "c.postcode", 0 },
	{ "prefecture", "pref", "c.prefecture", 0 },
	{ "address", NULL, "c.address", 0 },
	{ "orders", NULL, "c.orders", 1 },
	{ "total", NULL, "c.total", 1 },
	{ "first_order", NULL, "substr(c.first_order, 1, 10)", 0 },
	{ "last_order", NULL, "substr(c.last_order, 1, 10)", 0 },
	{ "registered", "registered_at", "substr(c.registered_at, 1, 10)", 0 },
	{ "aov", NULL, "CAST(round(c.total * 1.0 / nullif(c.orders, 0)) AS INTEGER)", 1 },
	{ "member", NULL, "c.member", 1 },
	{ "member_id", NULL, "c.member_id", 0 },
	{ "birthday", NULL, "c.birthday", 0 },
	{ "newsletter", NULL, "c.newsletter", 1 },
	{ "notices", NULL, "c.notices", 1 },
	{ "withdrawn", NULL, "c.withdrawn", 1 },
	{ "caution", NULL, "c.caution", 1 },
	{ "undetermined", NULL, "c.undetermined", 1 },
	{ "undeliverable", NULL, "c.undeliverable", 1 },
	{ "tags", NULL, "(SELECT group_concat(tag, ' ') FROM (SELECT tag FROM tags"
	    " WHERE customer_id = c.id ORDER BY tag))", 0 },
};
#define NCOLUMNS (sizeof columns / sizeof columns[0])
static const char default_columns[] =
    "id,name,kana,email,phone,postcode,prefecture,address,orders,total,"
    "first_order,last_order";

static const struct column *
column_find(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < NCOLUMNS; i++)
		if ((strlen(columns[i].name) == n && strncmp(columns[i].name, s, n) == 0) ||
		    (columns[i].alias && strlen(columns[i].alias) == n &&
		    strncmp(columns[i].alias, s, n) == 0))
			return &columns[i];
	return NULL;
}

static int
column_error(const char *what, const char *s, size_t n, struct crm_err *err)
{
	struct crm_buf b;
	size_t i;

	crm_buf_init(&b);
	for (i = 0; i < NCOLUMNS; i++)
		crm_buf_addf(&b, "%s%s", i ? ", " : "", columns[i].name);
	crm_err_set(err, EX_USAGE, "%s: unknown column '%.*s'; known columns: %s",
	    what, (int)n, s, b.s);
	crm_buf_release(&b);
	return -1;
}

static int
parse_columns(const char *list, const struct column ***out, size_t *n,
    struct crm_err *err)
{
	const char *s = list, *e;
	const struct column *c;

	*out = NULL;
	*n = 0;
	for (;;) {
		e = strchr(s, ',');
		if (e == NULL)
			e = s + strlen(s);
		c = column_find(s, (size_t)(e - s));
		if (c == NULL) {
			free(*out);
			*out = NULL;
			return column_error("--columns", s, (size_t)(e - s), err);
		}
		*out = crm_xreallocarray(*out, *n + 1, sizeof **out);
		(*out)[(*n)++] = c;
		if (*e == '\0')
			break;
		s = e + 1;
	}
	return 0;
}

/* --sort total, --sort -total, --sort total:desc */
static int
parse_sort(const char *s, struct crm_buf *tail, struct crm_err *err)
{
	const struct column *c;
	size_t n = strlen(s);
	int desc = 0;

	if (*s == '-')
		desc = 1, s++, n--;
	if (n > 5 && strcmp(s + n - 5, ":desc") == 0)
		desc = 1, n -= 5;
	else if (n > 4 && strcmp(s + n - 4, ":asc") == 0)
		n -= 4;
	c = column_find(s, n);
	if (c == NULL)
		return column_error("--sort", s, n, err);
	crm_buf_addf(tail, " ORDER BY %s%s, c.id", c->sql, desc ? " DESC" : "");
	return 0;
}

/* The command line as one shell-quoted string, to show with a segment. */
static char *
quote_args(int argc, char **argv)
{
	struct crm_buf b;
	int i;
	const char *s;

	crm_buf_init(&b);
	for (i = 0; i < argc; i++) {
		if (i)
			crm_buf_addc(&b, ' ');
		if (argv[i][0] != '\0' && strspn(argv[i], "abcdefghijklmnopqrstuvwxyz"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.,:/=@+") == strlen(argv[i])) {
			crm_buf_adds(&b, argv[i]);
			continue;
		}
		crm_buf_addc(&b, '\'');
		for (s = argv[i]; *s; s++) {
			if (*s == '\'')
				crm_buf_adds(&b, "'\\''");
			else
				crm_buf_addc(&b, *s);
		}
		crm_buf_addc(&b, '\'');
	}
	return crm_buf_detach(&b);
}

static void
warn_unknown(void *arg, long line, const char *value)
{
	(void)arg;
	if (!quiet)
		crm_cli_warn(prog, "stdin:%ld: no customer '%s'", line, value);
}

/* The customer list on stdin.  Read when --stdin, or (by default) when
 * stdin is a pipe, socket or file that holds something other than white
 * space: cron and CI give an empty pipe or /dev/null, which is no list. */
static int
read_stdin(sqlite3 *db, int mode, struct crm_idlist *ids, int *have,
    struct crm_err *err)
{
	struct stat sb;
	struct crm_buf b;
	char chunk[65536];
	size_t n, i, unknown = 0;
	int blank = 1, rc;
	FILE *fp;

	*have = 0;
	if (mode < 0)
		return 0;
	if (mode == 0) {
		if (isatty(0) || fstat(0, &sb) < 0)
			return 0;
		if (!S_ISFIFO(sb.st_mode) && !S_ISSOCK(sb.st_mode) && !S_ISREG(sb.st_mode))
			return 0;
	}
	crm_buf_init(&b);
	while ((n = fread(chunk, 1, sizeof chunk, stdin)) > 0)
		crm_buf_add(&b, chunk, n);
	if (ferror(stdin)) {
		crm_buf_release(&b);
		return crm_err_set(err, EX_IOERR, "stdin: read error");
	}
	for (i = 0; i < b.len; i++)
		if (!strchr(" \t\r\n", b.s[i]))
			blank = 0;
	if (blank) {
		crm_buf_release(&b);
		if (mode == 1)
			*have = 1;   /* --stdin: an empty list selects nobody */
		return 0;
	}
	fp = fmemopen(b.s, b.len, "r");
	if (fp == NULL) {
		crm_buf_release(&b);
		return crm_err_set(err, EX_OSERR, "stdin: cannot buffer the list");
	}
	rc = crm_custlist_read(db, fp, "stdin", ids, &unknown, warn_unknown, NULL, err);
	fclose(fp);
	crm_buf_release(&b);
	if (rc < 0)
		return -1;
	*have = 1;
	if (verbose)
		crm_cli_warn(prog, "stdin: %zu customers (%zu unknown)", ids->n, unknown);
	return 0;
}

static int
explain(sqlite3 *db, const struct crm_segment *seg, const char *what,
    const struct crm_idlist *restrict_to, const char *tail, long long limit,
    struct crm_err *err)
{
	sqlite3_stmt *st, *ep;
	struct crm_buf q;
	size_t i;
	int rc;

	if (crm_segment_prepare(db, seg, what, restrict_to, tail, &st, err) < 0)
		return -1;
	printf("%s\n", sqlite3_sql(st));
	for (i = 0; i < crm_segment_nparams(seg); i++)
		printf("-- ?%zu = %s\n", i + 1, crm_segment_param_text(seg, i));
	crm_buf_init(&q);
	crm_buf_addf(&q, "EXPLAIN QUERY PLAN %s", sqlite3_sql(st));
	sqlite3_finalize(st);
	rc = crm_db_prepare(db, q.s, &ep, err);
	crm_buf_release(&q);
	if (rc < 0)
		return -1;
	if (crm_segment_bind(seg, ep, 0, err) < 0) {
		sqlite3_finalize(ep);
		return -1;
	}
	if (sqlite3_bind_parameter_count(ep) > (int)crm_segment_nparams(seg))
		sqlite3_bind_int64(ep, (int)crm_segment_nparams(seg) + 1, limit);
	while ((rc = sqlite3_step(ep)) == SQLITE_ROW)
		printf("-- plan: %s\n", (const char *)sqlite3_column_text(ep, 3));
	sqlite3_finalize(ep);
	if (rc != SQLITE_DONE)
		return crm_db_err(db, err, "explain");
	return 0;
}

static int
print_stats(sqlite3 *db, const struct crm_segment *seg,
    const struct crm_idlist *restrict_to, enum crm_out_fmt fmt, int *matched,
    struct crm_err *err)
{
	static const struct crm_out_col cols[] = { { "metric", 0 }, { "value", 1 } };
	struct crm_segment_stats s;
	struct crm_out *o;
	char v[11][32];
	const char *names[11] = { "customers", "buyers", "repeaters", "orders",
	    "total", "repeat_rate", "ltv", "aov", "avg_orders", "repurchase_days",
	    "repurchase_customers" };
	const char *row[2];
	int i;

	if (crm_segment_stats(db, seg, restrict_to, &s, err) < 0)
		return -1;
	snprintf(v[0], sizeof v[0], "%lld", (long long)s.customers);
	snprintf(v[1], sizeof v[1], "%lld", (long long)s.buyers);
	snprintf(v[2], sizeof v[2], "%lld", (long long)s.repeaters);
	snprintf(v[3], sizeof v[3], "%lld", (long long)s.orders);
	snprintf(v[4], sizeof v[4], "%lld", (long long)s.total);
	snprintf(v[5], sizeof v[5], "%.4f", s.repeat_rate);
	snprintf(v[6], sizeof v[6], "%lld", (long long)llround(s.ltv));
	snprintf(v[7], sizeof v[7], "%lld", (long long)llround(s.aov));
	snprintf(v[8], sizeof v[8], "%.2f", s.avg_orders);
	if (s.repurchase_days < 0)
		v[9][0] = '\0';
	else
		snprintf(v[9], sizeof v[9], "%.1f", s.repurchase_days);
	snprintf(v[10], sizeof v[10], "%lld", (long long)s.intervals);
	if (fmt == CRM_OUT_IDS)
		fmt = CRM_OUT_CSV;
	o = crm_out_open(stdout, fmt, cols, 2);
	for (i = 0; i < 11; i++) {
		row[0] = names[i];
		row[1] = v[i][0] ? v[i] : NULL;
		crm_out_row(o, row);
	}
	*matched = s.customers > 0;
	return crm_out_close(o, err);
}

static int
print_rows(sqlite3 *db, const struct crm_segment *seg,
    const struct crm_idlist *restrict_to, enum crm_out_fmt fmt,
    const struct column *const *cols, size_t ncols, const char *tail,
    long long limit, int *matched, struct crm_err *err)
{
	struct crm_out_col *oc = crm_xcalloc(ncols, sizeof *oc);
	const char **vals = crm_xcalloc(ncols, sizeof *vals);
	struct crm_buf what;
	struct crm_out *o;
	sqlite3_stmt *st;
	size_t i;
	int rc, ret = -1;

	crm_buf_init(&what);
	for (i = 0; i < ncols; i++) {
		crm_buf_addf(&what, "%s%s", i ? ", " : "", cols[i]->sql);
		oc[i].name = cols[i]->name;
		oc[i].numeric = cols[i]->numeric;
	}
	if (crm_segment_prepare(db, seg, what.s, restrict_to, tail, &st, err) < 0)
		goto out;
	if (limit >= 0)
		sqlite3_bind_int64(st, (int)crm_segment_nparams(seg) + 1, limit);
	o = crm_out_open(stdout, fmt, oc, ncols);
	*matched = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		for (i = 0; i < ncols; i++)
			vals[i] = (const char *)sqlite3_column_text(st, (int)i);
		if (crm_out_row(o, vals) < 0) {
			rc = SQLITE_DONE;
			break;
		}
		*matched = 1;
	}
	if (rc != SQLITE_DONE) {
		crm_segment_step_err(db, err);
		crm_out_close(o, NULL);
		sqlite3_finalize(st);
		goto out;
	}
	sqlite3_finalize(st);
	ret = crm_out_close(o, err);
out:
	crm_buf_release(&what);
	free(oc);
	free(vals);
	return ret;
}

static int
cmd_list(sqlite3 *db, enum crm_out_fmt fmt, struct crm_err *err)
{
	static const struct crm_out_col cols[] = {
		{ "name", 0 }, { "expr", 0 }, { "updated_at", 0 } };
	struct crm_out *o;
	sqlite3_stmt *st;
	const char *row[3];
	int rc;

	if (crm_db_prepare(db, "SELECT name, expr, updated_at FROM segments "
	    "ORDER BY name", &st, err) < 0)
		return -1;
	if (fmt == CRM_OUT_IDS)
		fmt = CRM_OUT_CSV;
	o = crm_out_open(stdout, fmt, cols, 3);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		for (int i = 0; i < 3; i++)
			row[i] = (const char *)sqlite3_column_text(st, i);
		crm_out_row(o, row);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		crm_out_close(o, NULL);
		return crm_db_err(db, err, "segments");
	}
	return crm_out_close(o, err);
}

static int
cmd_show(sqlite3 *db, const char *name, const char *today, struct crm_err *err)
{
	struct crm_idlist ids;
	sqlite3_stmt *st;
	char *expr, *args;
	int rc;

	if (crm_segment_load(db, name, &expr, &args, err) < 0)
		return -1;
	crm_idlist_init(&ids);
	rc = crm_segment_saved_ids(db, name, today, &ids, err);
	if (rc == 0 && crm_db_prepare(db, "SELECT created_at, updated_at FROM "
	    "segments WHERE name = ?1", &st, err) == 0) {
		crm_db_bind_text(st, 1, name);
		if (sqlite3_step(st) == SQLITE_ROW) {
			printf("name: %s\nexpr: %s\n", name, expr);
			if (args)
				printf("args: %s\n", args);
			printf("customers: %zu\ncreated: %s\nupdated: %s\n", ids.n,
			    (const char *)sqlite3_column_text(st, 0),
			    (const char *)sqlite3_column_text(st, 1));
		}
		sqlite3_finalize(st);
	} else
		rc = -1;
	crm_idlist_release(&ids);
	free(expr);
	free(args);
	return rc;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "total", required_argument, NULL, OPT_TOTAL },
		{ "orders", required_argument, NULL, OPT_ORDERS },
		{ "last-order", required_argument, NULL, OPT_LAST },
		{ "first-order", required_argument, NULL, OPT_FIRST },
		{ "registered", required_argument, NULL, OPT_REG },
		{ "member", no_argument, NULL, OPT_MEMBER },
		{ "guest", no_argument, NULL, OPT_GUEST },
		{ "pref", required_argument, NULL, OPT_PREF },
		{ "newsletter", required_argument, NULL, OPT_NEWSLETTER },
		{ "notices", required_argument, NULL, OPT_NOTICES },
		{ "exclude-withdrawn", no_argument, NULL, OPT_EXWITHDRAWN },
		{ "keyword", required_argument, NULL, OPT_KEYWORD },
		{ "bought", required_argument, NULL, OPT_BOUGHT },
		{ "bought-in", required_argument, NULL, OPT_BOUGHT_IN },
		{ "shop", required_argument, NULL, OPT_SHOP },
		{ "tag", required_argument, NULL, OPT_TAG },
		{ "coupon", no_argument, NULL, OPT_COUPON },
		{ "subscription", no_argument, NULL, OPT_SUBSCRIPTION },
		{ "caution", no_argument, NULL, OPT_CAUTION },
		{ "undetermined", no_argument, NULL, OPT_UNDETERMINED },
		{ "segment", required_argument, NULL, 'S' },
		{ "count", no_argument, NULL, OPT_COUNT },
		{ "stats", no_argument, NULL, OPT_STATS },
		{ "explain", no_argument, NULL, OPT_EXPLAIN },
		{ "output", required_argument, NULL, 'o' },
		{ "columns", required_argument, NULL, OPT_COLUMNS },
		{ "sort", required_argument, NULL, OPT_SORT },
		{ "limit", required_argument, NULL, OPT_LIMIT },
		{ "stdin", no_argument, NULL, OPT_STDIN },
		{ "no-stdin", no_argument, NULL, OPT_NO_STDIN },
		{ "today", required_argument, NULL, CRM_OPT_TODAY },
		{ "db", required_argument, NULL, CRM_OPT_DB },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, CRM_OPT_VERSION },
		{ NULL, 0, NULL, 0 }
	};
	struct filter { const char *flag, *arg; } *filters = NULL;
	size_t nfilters = 0, ncols = 0, i;
	const char *dbopt = NULL, *todayopt = NULL, *segname = NULL,
	    *bought_in = NULL, *collist = default_columns, *sub = NULL,
	    *subname = NULL;
	enum crm_out_fmt fmt = CRM_OUT_DEFAULT;
	const struct column **cols = NULL;
	const struct column *idcol[1] = { &columns[0] };
	int ch, count = 0, stats = 0, explain_only = 0, stdin_mode = 0,
	    have_list = 0, matched = 0, code = 0, nops;
	long long limit = -1;
	char today[CRM_DATE_LEN], *args = NULL, *user_expr = NULL;
	struct crm_buf expr, tail;
	struct crm_idlist list;
	struct crm_segment *seg = NULL;
	struct crm_err err;
	sqlite3 *db = NULL;

	crm_cli_init();
	crm_err_clear(&err);
	crm_buf_init(&expr);
	crm_buf_init(&tail);
	crm_idlist_init(&list);
	filters = crm_xcalloc((size_t)argc + 1, sizeof *filters);
	while ((ch = getopt_long(argc, argv, "S:o:qvh", longopts, NULL)) != -1) {
		const char *flag = NULL;

		switch (ch) {
		case OPT_TOTAL: flag = "total"; break;
		case OPT_ORDERS: flag = "orders"; break;
		case OPT_LAST: flag = "last-order"; break;
		case OPT_FIRST: flag = "first-order"; break;
		case OPT_REG: flag = "registered"; break;
		case OPT_MEMBER: flag = "member"; break;
		case OPT_GUEST: flag = "guest"; break;
		case OPT_PREF: flag = "pref"; break;
		case OPT_NEWSLETTER: flag = "newsletter"; break;
		case OPT_NOTICES: flag = "notices"; break;
		case OPT_EXWITHDRAWN: flag = "exclude-withdrawn"; break;
		case OPT_KEYWORD: flag = "keyword"; break;
		case OPT_BOUGHT: flag = "bought"; break;
		case OPT_SHOP: flag = "shop"; break;
		case OPT_TAG: flag = "tag"; break;
		case OPT_COUPON: flag = "coupon"; break;
		case OPT_SUBSCRIPTION: flag = "subscription"; break;
		case OPT_CAUTION: flag = "caution"; break;
		case OPT_UNDETERMINED: flag = "undetermined"; break;
		case OPT_BOUGHT_IN: bought_in = optarg; break;
		case 'S': segname = optarg; break;
		case OPT_COUNT: count = 1; break;
		case OPT_STATS: stats = 1; break;
		case OPT_EXPLAIN: explain_only = 1; break;
		case 'o':
			if (crm_out_parse(optarg, &fmt, &err) < 0) {
				err.code = EX_USAGE;
				code = crm_cli_fail(prog, &err);
				goto done;
			}
			break;
		case OPT_COLUMNS: collist = optarg; break;
		case OPT_SORT:
			crm_buf_reset(&tail);
			if (parse_sort(optarg, &tail, &err) < 0) {
				code = crm_cli_fail(prog, &err);
				goto done;
			}
			break;
		case OPT_LIMIT:
			if (crm_strtonum(optarg, 0, INT64_MAX, &limit, "--limit", &err) < 0) {
				err.code = EX_USAGE;
				code = crm_cli_fail(prog, &err);
				goto done;
			}
			break;
		case OPT_STDIN: stdin_mode = 1; break;
		case OPT_NO_STDIN: stdin_mode = -1; break;
		case CRM_OPT_TODAY: todayopt = optarg; break;
		case CRM_OPT_DB: dbopt = optarg; break;
		case 'q': quiet = 1; break;
		case 'v': verbose = 1; break;
		case 'h': usage(stdout); code = 0; goto done;
		case CRM_OPT_VERSION: code = crm_cli_version(prog); goto done;
		default: usage(stderr); code = EX_USAGE; goto done;
		}
		if (flag != NULL) {
			filters[nfilters].flag = flag;
			filters[nfilters++].arg = optarg;
		}
	}
	argc -= optind;
	argv += optind;
	nops = 0;
	if (argc > 0 && (strcmp(argv[0], "save") == 0 || strcmp(argv[0], "list") == 0 ||
	    strcmp(argv[0], "show") == 0 || strcmp(argv[0], "rm") == 0)) {
		sub = argv[0];
		nops = 1;
		if (strcmp(sub, "list") != 0) {
			if (argc < 2) {
				fprintf(stderr, "%s: %s: a segment name is needed\n", prog, sub);
				usage(stderr);
				code = EX_USAGE;
				goto done;
			}
			subname = argv[1];
			nops = 2;
		}
		if (strcmp(sub, "save") != 0 && (argc > nops || nfilters || segname)) {
			fprintf(stderr, "%s: %s takes no filters or expression\n", prog, sub);
			usage(stderr);
			code = EX_USAGE;
			goto done;
		}
	}
	if (count + stats > 1 || (stats && explain_only)) {
		fprintf(stderr, "%s: --count and --stats exclude each other and --explain\n", prog);
		usage(stderr);
		code = EX_USAGE;
		goto done;
	}
	if (bought_in != NULL) {
		for (i = 0; i < nfilters; i++)
			if (strcmp(filters[i].flag, "bought") == 0)
				break;
		if (i == nfilters) {
			fprintf(stderr, "%s: --bought-in needs --bought\n", prog);
			usage(stderr);
			code = EX_USAGE;
			goto done;
		}
	}

	/* The filters and the expression, as one expression. */
	for (i = 0; i < nfilters; i++) {
		int rc = strcmp(filters[i].flag, "bought") == 0
		    ? crm_segment_flag_bought(&expr, filters[i].arg, bought_in, &err)
		    : crm_segment_flag(&expr, filters[i].flag, filters[i].arg, &err);
		if (rc < 0) {
			code = crm_cli_fail(prog, &err);
			goto done;
		}
	}
	if (segname != NULL) {
		struct crm_buf s;

		crm_buf_init(&s);
		crm_buf_adds(&s, "in_segment(\"");
		for (const char *p = segname; *p; p++) {
			if (*p == '"' || *p == '\\')
				crm_buf_addc(&s, '\\');
			crm_buf_addc(&s, *p);
		}
		crm_buf_adds(&s, "\")");
		crm_segment_and(&expr, s.s);
		crm_buf_release(&s);
	}
	if (argc > nops) {
		struct crm_buf s;

		crm_buf_init(&s);
		for (i = (size_t)nops; i < (size_t)argc; i++)
			crm_buf_addf(&s, "%s%s", i > (size_t)nops ? " " : "", argv[i]);
		/* parenthesised only when something comes before it */
		if (expr.len == 0)
			crm_buf_adds(&expr, s.s);
		else
			crm_segment_and(&expr, s.s);
		user_expr = crm_buf_detach(&s);
	}

	if (crm_today(todayopt, today, &err) < 0) {
		err.code = EX_USAGE;
		code = crm_cli_fail(prog, &err);
		goto done;
	}
	if (crm_db_open(crm_db_path(dbopt), CRM_DB_NOCREATE, &db, &err) < 0) {
		code = crm_cli_fail(prog, &err);
		goto done;
	}

	if (sub != NULL) {
		int rc = 0;

		if (strcmp(sub, "save") == 0) {
			{
				/* the flags as given, for show */
				struct crm_buf a;
				char *ops = NULL;

				crm_buf_init(&a);
				for (i = 0; i < nfilters; i++) {
					if (i)
						crm_buf_addc(&a, ' ');
					crm_buf_addf(&a, "--%s", filters[i].flag);
					if (filters[i].arg) {
						char *q = quote_args(1, (char **)&filters[i].arg);
						crm_buf_addf(&a, " %s", q);
						free(q);
					}
				}
				if (bought_in) {
					char *q = quote_args(1, (char **)&bought_in);
					crm_buf_addf(&a, "%s--bought-in %s", a.len ? " " : "", q);
					free(q);
				}
				if (segname) {
					char *q = quote_args(1, (char **)&segname);
					crm_buf_addf(&a, "%s-S %s", a.len ? " " : "", q);
					free(q);
				}
				if (argc > nops) {
					ops = quote_args(argc - nops, argv + nops);
					crm_buf_addf(&a, "%s%s", a.len ? " " : "", ops);
					free(ops);
				}
				args = crm_buf_detach(&a);
			}
			rc = crm_segment_save(db, subname, expr.s ? expr.s : "",
			    args && *args ? args : NULL, today, &err);
			if (rc == 0 && verbose)
				crm_cli_warn(prog, "saved segment %s: %s", subname,
				    expr.s ? expr.s : "true");
		} else if (strcmp(sub, "list") == 0)
			rc = cmd_list(db, fmt, &err);
		else if (strcmp(sub, "show") == 0)
			rc = cmd_show(db, subname, today, &err);
		else {
			rc = crm_segment_remove(db, subname, &err);
			if (rc == 0 && verbose)
				crm_cli_warn(prog, "removed segment %s", subname);
		}
		if (rc < 0)
			code = crm_cli_fail(prog, &err);
		goto done;
	}

	if (segname != NULL && crm_segment_load(db, segname, NULL, NULL, &err) < 0) {
		code = crm_cli_fail(prog, &err);
		goto done;
	}
	if (user_expr != NULL) {
		/* alone first, so that a caret points into what was typed */
		if (crm_segment_compile(db, user_expr, today, &seg, &err) < 0) {
			code = crm_cli_fail(prog, &err);
			goto done;
		}
		crm_segment_free(seg);
		seg = NULL;
	}
	if (crm_segment_compile(db, expr.s, today, &seg, &err) < 0) {
		code = crm_cli_fail(prog, &err);
		goto done;
	}
	if (verbose)
		crm_cli_warn(prog, "expression: %s", expr.s ? expr.s : "(all customers)");
	if (read_stdin(db, explain_only ? -1 : stdin_mode, &list, &have_list, &err) < 0) {
		code = crm_cli_fail(prog, &err);
		goto done;
	}

	if (count && explain_only) {
		if (explain(db, seg, "count(*)", NULL, NULL, -1, &err) < 0)
			code = crm_cli_fail(prog, &err);
		goto done;
	} else if (count) {
		int64_t n;

		if (crm_segment_count(db, seg, have_list ? &list : NULL, &n, &err) < 0) {
			code = crm_cli_fail(prog, &err);
			goto done;
		}
		printf("%lld\n", (long long)n);
		matched = n > 0;
	} else if (stats) {
		if (print_stats(db, seg, have_list ? &list : NULL, fmt, &matched, &err) < 0) {
			code = crm_cli_fail(prog, &err);
			goto done;
		}
	} else {
		if (fmt == CRM_OUT_IDS) {
			cols = crm_xcalloc(1, sizeof *cols);
			cols[0] = idcol[0];
			ncols = 1;
		} else if (parse_columns(collist, &cols, &ncols, &err) < 0) {
			code = crm_cli_fail(prog, &err);
			goto done;
		}
		if (tail.len == 0)
			crm_buf_adds(&tail, " ORDER BY c.id");
		/* LIMIT only when asked: a LIMIT makes SQLite sort through a
		 * slower bounded sorter even when it is -1 */
		if (limit >= 0)
			crm_buf_addf(&tail, " LIMIT ?%zu", crm_segment_nparams(seg) + 1);
		if (explain_only) {
			struct crm_buf what;

			crm_buf_init(&what);
			for (i = 0; i < ncols; i++)
				crm_buf_addf(&what, "%s%s", i ? ", " : "", cols[i]->sql);
			if (explain(db, seg, what.s, NULL, tail.s, limit, &err) < 0)
				code = crm_cli_fail(prog, &err);
			crm_buf_release(&what);
			goto done;
		}
		if (print_rows(db, seg, have_list ? &list : NULL, fmt, cols, ncols,
		    tail.s, limit, &matched, &err) < 0) {
			code = crm_cli_fail(prog, &err);
			goto done;
		}
	}
	code = matched ? 0 : CRM_EXIT_NOMATCH;
done:
	crm_segment_free(seg);
	crm_idlist_release(&list);
	crm_buf_release(&expr);
	crm_buf_release(&tail);
	free(filters);
	free(cols);
	free(args);
	free(user_expr);
	if (db)
		crm_db_close(db);
	/* After a failure that was reported, a failed close says it twice. */
	if (crm_close_stdout(&err) < 0 && (code == 0 || code == CRM_EXIT_NOMATCH))
		code = crm_cli_fail(prog, &err);
	return code;
}
