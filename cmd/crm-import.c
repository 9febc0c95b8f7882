/* crm-import: order exports and member lists into the database. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "csv.h"
#include "db.h"
#include "enc.h"
#include "err.h"
#include "importer.h"
#include "mapping.h"
#include "rejects.h"
#include "util.h"
#include "banned.h"

static const char *prog = "crm-import";
static int quiet, verbose, dryrun, strict;

enum { OPT_CUSTOMERS = CRM_OPT_FIRST_FREE, OPT_REJECTS, OPT_STRICT, OPT_DRYRUN };

static void
usage(FILE *fp)
{
	fprintf(fp,
	    "usage: crm-import [-f FORMAT | -m MAPFILE] [-s SHOP] [-e utf-8|cp932|auto]\n"
	    "                  [--customers] [--rejects FILE] [--strict] [--dry-run]\n"
	    "                  [-o csv|ids] [--db FILE] [-qv] [FILE... | -]\n"
	    "       FORMAT: generic (default), shopify, rakuten, amazon, nextengine,\n"
	    "               stores, members, shopify-customers (see crm-formats(5))\n");
}

/* Rejected rows: reported on stderr with -v (and instead of the file
 * with --dry-run), written to the rejects file otherwise. */
struct rejected {
	struct crm_rejects *rj;
	long long n;
};

static void
on_reject(void *arg, const char *file, const char *const *header, size_t nheader,
    const char *const *fields, size_t nfields, long line, const char *reason)
{
	struct rejected *r = arg;

	r->n++;
	if ((verbose || dryrun) && !quiet)
		fprintf(stderr, "%s: %s: line %ld: %s\n", prog, file, line, reason);
	if (!dryrun)
		crm_rejects_write(r->rj, header, nheader, fields, nfields, line,
		    reason);
}

static void
on_warn(void *arg, const char *msg)
{
	(void)arg;
	if (!quiet)
		crm_cli_warn(prog, "%s", msg);
}

struct out {
	int ids;
	int64_t *v;
	size_t n, cap;
	int header;
};

static int
on_change(void *arg, const struct crm_import_change *c)
{
	struct out *o = arg;
	char cid[32], cnt[32], caution[8];
	const char *row[7];

	if (o->ids) {
		if (o->n == o->cap) {
			o->cap = o->cap ? o->cap * 2 : 256;
			o->v = crm_xreallocarray(o->v, o->cap, sizeof *o->v);
		}
		o->v[o->n++] = c->customer_id;
		return 0;
	}
	if (!o->header) {
		static const char *const hdr[] = { "shop", "order_id", "customer_id",
			"orders", "caution", "status", "change" };
		crm_csv_write_row(stdout, hdr, 7, ',');
		o->header = 1;
	}
	snprintf(cid, sizeof cid, "%lld", (long long)c->customer_id);
	snprintf(cnt, sizeof cnt, "%lld", (long long)c->customer_orders);
	snprintf(caution, sizeof caution, "%d", c->caution);
	row[0] = c->shop;
	row[1] = c->order_no;
	row[2] = cid;
	row[3] = cnt;
	row[4] = caution;
	row[5] = c->status;
	row[6] = c->change;
	return crm_csv_write_row(stdout, row, 7, ',') < 0 ? -1 : 0;
}

static int
cmp_id(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

static void
print_ids(struct out *o)
{
	size_t i;

	qsort(o->v, o->n, sizeof *o->v, cmp_id);
	for (i = 0; i < o->n; i++)
		if (i == 0 || o->v[i] != o->v[i - 1])
			printf("%lld\n", (long long)o->v[i]);
}

static void
summary(const char *name, const struct crm_import_counts *c, int members,
    const char *rejects)
{
	if (quiet)
		return;
	if (members)
		fprintf(stderr, "%s: %s%s: %lld rows, %lld customers new, %lld matched, "
		    "%lld rejected", prog, dryrun ? "dry run: " : "", name, c->rows,
		    c->customers_new, c->members_matched, c->rejected);
	else
		fprintf(stderr, "%s: %s%s: %lld rows, %lld orders new, %lld updated, "
		    "%lld unchanged, %lld customers new, %lld rejected", prog,
		    dryrun ? "dry run: " : "", name, c->rows, c->orders_new,
		    c->orders_updated, c->orders_unchanged, c->customers_new,
		    c->rejected);
	if (rejects)
		fprintf(stderr, " (see %s)", rejects);
	fputc('\n', stderr);
}

static void
report(const struct crm_importer *imp, const char *const *files, int nfiles,
    int members, char **rejpaths)
{
	struct crm_import_counts c;
	int i;

	for (i = 0; i < nfiles; i++) {
		crm_importer_counts(imp, i, &c);
		summary(files[i], &c, members, rejpaths[i]);
	}
	if (nfiles > 1) {
		crm_importer_counts(imp, -1, &c);
		summary("total", &c, members, NULL);
	}
}

static void
file_time(FILE *fp, int is_stdin, char out[20])
{
	struct stat sb;
	struct tm tm;
	time_t t;

	t = time(NULL);
	if (!is_stdin && fstat(fileno(fp), &sb) == 0)
		t = sb.st_mtime;
	localtime_r(&t, &tm);
	strftime(out, 20, "%Y-%m-%d %H:%M:%S", &tm);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "map", required_argument, NULL, 'm' },
		{ "shop", required_argument, NULL, 's' },
		{ "encoding", required_argument, NULL, 'e' },
		{ "output", required_argument, NULL, 'o' },
		{ "customers", no_argument, NULL, OPT_CUSTOMERS },
		{ "rejects", required_argument, NULL, OPT_REJECTS },
		{ "strict", no_argument, NULL, OPT_STRICT },
		{ "dry-run", no_argument, NULL, OPT_DRYRUN },
		{ "db", required_argument, NULL, CRM_OPT_DB },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, CRM_OPT_VERSION },
		{ NULL, 0, NULL, 0 }
	};
	const char *format = NULL, *mapfile = NULL, *shop = NULL, *enc = NULL,
	    *output = NULL, *rejects_opt = NULL, *dbopt = NULL;
	static const char *const stdin_only[] = { "-" };
	const char *const *files;
	struct crm_import_opts io;
	struct crm_mapping *map = NULL;
	struct crm_importer *imp = NULL;
	struct crm_import_counts total;
	struct rejected rej;
	struct out out;
	struct crm_err err;
	sqlite3 *db = NULL;
	int customers = 0, ch, nfiles, i, code = 0, members, in_tx = 0;
	int keep_rejects = 0;
	double t_start = crm_now(), t_read;
	char **rejpaths = NULL;

	crm_cli_init();
	crm_err_clear(&err);
	memset(&rej, 0, sizeof rej);
	memset(&out, 0, sizeof out);
	while ((ch = getopt_long(argc, argv, "f:m:s:e:o:qvh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'f': format = optarg; break;
		case 'm': mapfile = optarg; break;
		case 's': shop = optarg; break;
		case 'e': enc = optarg; break;
		case 'o': output = optarg; break;
		case OPT_CUSTOMERS: customers = 1; break;
		case OPT_REJECTS: rejects_opt = optarg; break;
		case OPT_STRICT: strict = 1; break;
		case OPT_DRYRUN: dryrun = 1; break;
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
	if (format && mapfile) {
		fprintf(stderr, "%s: -f and -m exclude each other\n", prog);
		usage(stderr);
		return EX_USAGE;
	}
	if (enc && crm_enc_name(enc) == NULL) {
		fprintf(stderr, "%s: -e %s: unknown encoding (utf-8, cp932, auto)\n",
		    prog, enc);
		return EX_USAGE;
	}
	if (output && strcmp(output, "csv") != 0 && strcmp(output, "ids") != 0) {
		fprintf(stderr, "%s: -o %s: expected csv or ids\n", prog, output);
		return EX_USAGE;
	}
	if (shop && *shop == '\0') {
		fprintf(stderr, "%s: -s: empty shop name\n", prog);
		return EX_USAGE;
	}
	if (argc == 0) {
		if (isatty(STDIN_FILENO)) {
			fprintf(stderr, "%s: no input files (use - for standard input)\n",
			    prog);
			usage(stderr);
			return EX_USAGE;
		}
		files = stdin_only;
		nfiles = 1;
	} else {
		files = (const char *const *)argv;
		nfiles = argc;
	}

	if (mapfile ? crm_mapping_load(mapfile, &map, &err) :
	    crm_mapping_preset(format ? format : customers ? "members" : "generic",
	    &map, &err) < 0) {
		code = crm_cli_fail(prog, &err);
		goto out;
	}
	members = crm_mapping_kind(map) == CRM_MAP_CUSTOMERS;
	if (customers && !members) {
		fprintf(stderr, "%s: --customers: %s maps an order export, not a member "
		    "list\n", prog, crm_mapping_name(map));
		code = EX_USAGE;
		goto out;
	}
	if (output && members) {
		fprintf(stderr, "%s: -o lists imported orders; a member list has none\n",
		    prog);
		code = EX_USAGE;
		goto out;
	}

	/* Every input must be there before anything is written. */
	for (i = 0; i < nfiles; i++) {
		if (strcmp(files[i], "-") == 0)
			continue;
		if (access(files[i], R_OK) != 0) {
			crm_err_set(&err, EX_NOINPUT, "%s: %s", files[i], strerror(errno));
			code = crm_cli_fail(prog, &err);
			goto out;
		}
	}

	/* The importer writes only references it has just looked up or
	 * created, so SQLite's own check of each (a b-tree seek per
	 * reference, 10 of 68 s at 10^6 line items) is turned off; it also
	 * lets the importer write a new customer's row once, at the end. */
	if (crm_db_open(crm_db_path(dbopt), CRM_DB_RDWR, &db, &err) < 0 ||
	    crm_db_exec(db, "PRAGMA foreign_keys = OFF", &err) < 0 ||
	    crm_db_begin(db, &err) < 0) {
		code = crm_cli_fail(prog, &err);
		goto out;
	}
	in_tx = 1;
	memset(&io, 0, sizeof io);
	io.map = map;
	io.shop = shop;
	io.encoding = enc;
	io.progress = !quiet;
	if (crm_importer_open(db, &io, &imp, &err) < 0) {
		code = crm_cli_fail(prog, &err);
		goto out;
	}
	rej.rj = crm_rejects_new(rejects_opt);
	rejpaths = crm_xcalloc((size_t)nfiles, sizeof *rejpaths);
	for (i = 0; i < nfiles; i++) {
		int is_stdin = strcmp(files[i], "-") == 0;
		FILE *fp = is_stdin ? stdin : fopen(files[i], "r");
		char when[20];
		int rc;

		if (fp == NULL) {
			crm_err_set(&err, EX_NOINPUT, "%s: %s", files[i], strerror(errno));
			code = crm_cli_fail(prog, &err);
			goto out;
		}
		file_time(fp, is_stdin, when);
		crm_rejects_input(rej.rj, files[i]);
		rc = crm_importer_file(imp, fp, files[i], when, on_reject, on_warn,
		    &rej, &err);
		if (!is_stdin)
			fclose(fp);
		if (rc < 0) {
			code = crm_cli_fail(prog, &err);
			goto out;
		}
		if (crm_rejects_path(rej.rj) != NULL)
			rejpaths[i] = crm_xstrdup(crm_rejects_path(rej.rj));
		if (crm_rejects_end(rej.rj, &err) < 0) {
			code = crm_cli_fail(prog, &err);
			goto out;
		}
	}
	t_read = crm_now();
	if (crm_importer_finish(imp, &err) < 0) {
		code = crm_cli_fail(prog, &err);
		goto out;
	}
	if (verbose && !quiet)
		fprintf(stderr, "%s: read in %.2fs, customers recomputed in %.2fs\n",
		    prog, t_read - t_start, crm_now() - t_read);
	crm_importer_counts(imp, -1, &total);
	out.ids = output && strcmp(output, "ids") == 0;

	if (strict && total.rejected > 0) {
		keep_rejects = 1;
		report(imp, files, nfiles, members, rejpaths);
		fprintf(stderr, "%s: --strict: %lld row%s rejected, nothing imported\n",
		    prog, total.rejected, total.rejected == 1 ? "" : "s");
		code = EX_DATAERR;
		goto out;
	}
	if (!dryrun) {
		if (crm_db_commit(db, &err) < 0) {
			code = crm_cli_fail(prog, &err);
			goto out;
		}
		in_tx = 0;
		keep_rejects = 1;
	}
	/* The temporary tables the changes come from outlive the commit. */
	if (output && crm_importer_changes(imp, on_change, &out, &err) < 0) {
		code = crm_cli_fail(prog, &err);
		goto out;
	}
	if (out.ids)
		print_ids(&out);
	report(imp, files, nfiles, members, rejpaths);
	code = total.rejected > 0 ? EX_DATAERR : 0;
out:
	if (in_tx)
		crm_db_rollback(db);
	crm_importer_close(imp);
	/* Nothing landed: a rejects file would describe an import that did
	 * not happen (except under --strict, where it says why). */
	if (rej.rj != NULL && !keep_rejects)
		crm_rejects_discard(rej.rj);
	crm_rejects_free(rej.rj);
	for (i = 0; rejpaths && i < nfiles; i++)
		free(rejpaths[i]);
	free(rejpaths);
	free(out.v);
	crm_mapping_free(map);
	if (db)
		crm_db_close(db);
	if (crm_close_stdout(&err) < 0 && code == 0)
		code = crm_cli_fail(prog, &err);
	return code;
}
