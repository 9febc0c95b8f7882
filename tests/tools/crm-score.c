/* crm-score: how well crm-dedupe found the people of crm-gen's truth.
 * A test and benchmark helper (build/tests/crm-score, never installed).
 *
 *   crm-score --truth TRUTH --clusters CLUSTERS [--pending PENDING] [--tsv]
 *
 * TRUTH is crm-gen's shop,order_id,person_id; CLUSTERS is `crm-dedupe
 * clusters` (customer_id,shop,order_id); PENDING is `crm-dedupe pending -o
 * csv` (columns a and b are customer ids).  Scores are pairwise: two orders
 * of one person should share a customer.  Precision is the share of order
 * pairs put together that belong together; recall the share of pairs that
 * belong together that were put together.  With --pending, each pending
 * pair counts as a link, as if every one were confirmed.
 *
 * Pair counts come from a contingency table (customer x person), sorted,
 * so 10^7 orders need no hash table and no quadratic step. */
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "err.h"
#include "util.h"
#include "banned.h"

struct keyed {
	char *key;		/* "shop\x1forder_id" */
	long v;			/* person or customer number */
};

struct cell {
	long c, p;
};

static int
keyed_cmp(const void *a, const void *b)
{
	return strcmp(((const struct keyed *)a)->key, ((const struct keyed *)b)->key);
}

static int
cell_cmp(const void *a, const void *b)
{
	const struct cell *x = a, *y = b;

	if (x->c != y->c)
		return x->c < y->c ? -1 : 1;
	return x->p < y->p ? -1 : x->p > y->p;
}

static int
person_cmp(const void *a, const void *b)
{
	const struct cell *x = a, *y = b;

	return x->p < y->p ? -1 : x->p > y->p;
}

/* The number after the first non-digits ("P0000042" -> 42, "17" -> 17). */
static int
number(const char *s, long *v)
{
	char *end;

	while (*s && (*s < '0' || *s > '9'))
		s++;
	if (*s == '\0')
		return -1;
	errno = 0;
	*v = strtol(s, &end, 10);
	return errno || *end != '\0' ? -1 : 0;
}

static int
find(const struct crm_csv_record *h, const char *want)
{
	size_t i;

	for (i = 0; i < h->nfields; i++)
		if (crm_strcaseeq(h->fields[i], want))
			return (int)i;
	return -1;
}

/* Read the columns ca and cb (and, when cv, a number from column cv) of
 * a CSV file with a header into keyed records: key = ca \x1f cb. */
static int
load(const char *path, const char *ca, const char *cb, const char *cv,
    struct keyed **out, size_t *n, struct crm_err *err)
{
	FILE *fp;
	struct crm_csv_reader *r;
	const struct crm_csv_record *rec;
	struct crm_csv_opts o = { ',', "utf-8", 0 };
	int ia = -1, ib = -1, iv = -1, first = 1, rc;
	size_t cap = 0;
	struct crm_buf key;

	if ((fp = fopen(path, "r")) == NULL)
		return crm_err_set(err, EX_NOINPUT, "%s: %s", path, strerror(errno));
	if (crm_csv_open(&r, fp, path, &o, err) < 0) {
		fclose(fp);
		return -1;
	}
	crm_buf_init(&key);
	*out = NULL;
	*n = 0;
	while ((rc = crm_csv_next(r, &rec, err)) == 1) {
		long v;

		if (first) {
			first = 0;
			ia = find(rec, ca);
			ib = find(rec, cb);
			iv = cv ? find(rec, cv) : -2;
			if (ia < 0 || ib < 0 || iv == -1) {
				rc = crm_err_set(err, EX_DATAERR,
				    "%s: expected columns %s, %s%s%s", path, ca, cb,
				    cv ? ", " : "", cv ? cv : "");
				break;
			}
			continue;
		}
		if ((size_t)ia >= rec->nfields || (size_t)ib >= rec->nfields ||
		    (iv >= 0 && (size_t)iv >= rec->nfields)) {
			rc = crm_err_set(err, EX_DATAERR, "%s:%ld: short row", path,
			    rec->line);
			break;
		}
		if (iv >= 0 && number(rec->fields[iv], &v) < 0) {
			rc = crm_err_set(err, EX_DATAERR, "%s:%ld: %s: '%s' is not an id",
			    path, rec->line, cv, rec->fields[iv]);
			break;
		}
		if (*n == cap) {
			cap = cap ? cap * 2 : 1024;
			*out = crm_xreallocarray(*out, cap, sizeof **out);
		}
		crm_buf_reset(&key);
		crm_buf_adds(&key, rec->fields[ia]);
		crm_buf_addc(&key, '\x1f');
		crm_buf_adds(&key, rec->fields[ib]);
		(*out)[*n].key = crm_xstrdup(key.s);
		(*out)[*n].v = iv >= 0 ? v : 0;
		(*n)++;
	}
	crm_buf_release(&key);
	crm_csv_close(r);
	fclose(fp);
	if (first && rc == 0)
		return crm_err_set(err, EX_DATAERR, "%s: empty file", path);
	return rc < 0 ? -1 : 0;
}

static void
release(struct keyed *k, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(k[i].key);
	free(k);
}

static long
root(long *parent, long x)
{
	while (parent[x] != x) {
		parent[x] = parent[parent[x]];
		x = parent[x];
	}
	return x;
}

/* Pairwise precision and recall of the cells' (customer, person) table. */
static void
score(struct cell *cell, size_t n, double *prec, double *rec, double *f1,
    unsigned long long *pred, unsigned long long *truep)
{
	unsigned long long tp = 0, pp = 0, tt = 0, run;
	size_t i, j;

	if (n > 1)
		qsort(cell, n, sizeof *cell, cell_cmp);
	for (i = 0; i < n; i = j) {		/* customers, and customer x person */
		for (j = i; j < n && cell[j].c == cell[i].c; j++)
			;
		run = j - i;
		pp += run * (run - 1) / 2;
	}
	for (i = 0; i < n; i = j) {
		for (j = i; j < n && cell[j].c == cell[i].c && cell[j].p == cell[i].p; j++)
			;
		run = j - i;
		tp += run * (run - 1) / 2;
	}
	if (n > 1)
		qsort(cell, n, sizeof *cell, person_cmp);
	for (i = 0; i < n; i = j) {
		for (j = i; j < n && cell[j].p == cell[i].p; j++)
			;
		run = j - i;
		tt += run * (run - 1) / 2;
	}
	*prec = pp ? (double)tp / (double)pp : 1.0;
	*rec = tt ? (double)tp / (double)tt : 1.0;
	*f1 = *prec + *rec > 0 ? 2 * *prec * *rec / (*prec + *rec) : 0;
	*pred = pp;
	*truep = tt;
}

static void
usage(FILE *fp)
{
	fprintf(fp, "usage: crm-score --truth FILE --clusters FILE [--pending FILE] [--tsv]\n");
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "truth", required_argument, NULL, 't' },
		{ "clusters", required_argument, NULL, 'c' },
		{ "pending", required_argument, NULL, 'p' },
		{ "tsv", no_argument, NULL, 'T' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *truthp = NULL, *clusterp = NULL, *pendingp = NULL;
	struct keyed *truth = NULL, *clus = NULL, *pend = NULL;
	size_t nt = 0, nc = 0, np = 0, i, j, nk = 0, missing = 0, extra = 0;
	struct cell *cell;
	struct crm_err err;
	long maxc = 0, *parent;
	double p1, r1, f1, p2 = 0, r2 = 0, f2 = 0;
	unsigned long long pred1, true1, pred2 = 0, true2;
	int c, tsv = 0, cmp;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 't': truthp = optarg; break;
		case 'c': clusterp = optarg; break;
		case 'p': pendingp = optarg; break;
		case 'T': tsv = 1; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return EX_USAGE;
		}
	}
	if (truthp == NULL || clusterp == NULL || optind != argc) {
		usage(stderr);
		return EX_USAGE;
	}
	if (load(truthp, "shop", "order_id", "person_id", &truth, &nt, &err) < 0 ||
	    load(clusterp, "shop", "order_id", "customer_id", &clus, &nc, &err) < 0 ||
	    (pendingp && load(pendingp, "a", "b", NULL, &pend, &np, &err) < 0)) {
		fprintf(stderr, "crm-score: %s\n", err.msg);
		release(truth, nt);
		release(clus, nc);
		release(pend, np);
		return err.code ? err.code : EX_SOFTWARE;
	}
	if (nt > 0)
		qsort(truth, nt, sizeof *truth, keyed_cmp);
	if (nc > 0)
		qsort(clus, nc, sizeof *clus, keyed_cmp);
	cell = crm_xreallocarray(NULL, nt ? nt : 1, sizeof *cell);
	for (i = j = 0; i < nt || j < nc;) {
		cmp = i == nt ? 1 : j == nc ? -1 : strcmp(truth[i].key, clus[j].key);
		if (cmp < 0) {
			missing++;	/* never imported: its own customer */
			cell[nk].c = -1 - (long)i;
			cell[nk++].p = truth[i++].v;
		} else if (cmp > 0) {
			extra++;
			j++;
		} else {
			cell[nk].c = clus[j].v;
			cell[nk++].p = truth[i].v;
			if (clus[j].v > maxc)
				maxc = clus[j].v;
			i++;
			j++;
		}
	}
	score(cell, nk, &p1, &r1, &f1, &pred1, &true1);
	if (pendingp) {
		parent = crm_xreallocarray(NULL, (size_t)maxc + 1, sizeof *parent);
		for (i = 0; i <= (size_t)maxc; i++)
			parent[i] = (long)i;
		for (i = 0; i < np; i++) {
			long a, b;
			char *sep = strchr(pend[i].key, '\x1f');

			*sep = '\0';
			if (number(pend[i].key, &a) == 0 && number(sep + 1, &b) == 0 &&
			    a >= 0 && b >= 0 && a <= maxc && b <= maxc)
				parent[root(parent, a)] = root(parent, b);
		}
		for (i = 0; i < nk; i++)
			if (cell[i].c >= 0)
				cell[i].c = root(parent, cell[i].c);
		free(parent);
		score(cell, nk, &p2, &r2, &f2, &pred2, &true2);
	}
	if (tsv) {
		printf("orders\tmissing\textra\tprecision\trecall\tf1");
		if (pendingp)
			printf("\tprecision_pending\trecall_pending\tf1_pending");
		printf("\n%zu\t%zu\t%zu\t%.4f\t%.4f\t%.4f", nt, missing, extra, p1, r1, f1);
		if (pendingp)
			printf("\t%.4f\t%.4f\t%.4f", p2, r2, f2);
		printf("\n");
	} else {
		printf("orders %zu (not in clusters %zu, not in truth %zu); "
		    "%llu order pairs belong together\n", nt, missing, extra, true1);
		printf("%-18s %9s %9s %9s %12s\n", "", "precision", "recall", "F1", "pairs");
		printf("%-18s %9.4f %9.4f %9.4f %12llu\n", "merged", p1, r1, f1, pred1);
		if (pendingp)
			printf("%-18s %9.4f %9.4f %9.4f %12llu\n", "merged+pending", p2,
			    r2, f2, pred2);
	}
	free(cell);
	release(truth, nt);
	release(clus, nc);
	release(pend, np);
	if (crm_close_stdout(&err) < 0) {
		fprintf(stderr, "crm-score: %s\n", err.msg);
		return EX_IOERR;
	}
	return 0;
}
