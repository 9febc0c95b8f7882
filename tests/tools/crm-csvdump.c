/* crm-csvdump: the CSV reader of libcrm as a filter, for shell tests.
 *
 *     crm-csvdump [-e ENCODING] [-d DELIM] [-m MAXFIELD] [-Q] [-o FORMAT] [FILE]
 *
 * Default output: one line per record, "LINE-END<TAB>field|field|...",
 * with backslash, '|', tab, CR and LF in fields written \\ \| \t \r \n
 * and "!" after the line numbers of a record with an overlong field; then
 * "# ENCODING DELIM" on the last line.  With -o FORMAT the records go
 * through lib/output.c instead, the first record as the header.  Errors
 * go to stderr as the commands print them, with the library's exit code. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "csv.h"
#include "output.h"
#include "util.h"
#include "banned.h"

static void
put_escaped(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		switch (s[i]) {
		case '\\': fputs("\\\\", stdout); break;
		case '|':  fputs("\\|", stdout); break;
		case '\t': fputs("\\t", stdout); break;
		case '\r': fputs("\\r", stdout); break;
		case '\n': fputs("\\n", stdout); break;
		default:   putchar(s[i]);
		}
}

static int
usage(void)
{
	fputs("usage: crm-csvdump [-e ENCODING] [-d DELIM] [-m MAXFIELD] [-Q] "
	    "[-o FORMAT] [FILE]\n", stderr);
	return 64;
}

int
main(int argc, char **argv)
{
	struct crm_csv_opts o = { 0, NULL, 0 };
	struct crm_csv_reader *r;
	const struct crm_csv_record *rec;
	struct crm_out *out = NULL;
	struct crm_out_col *cols = NULL;
	enum crm_out_fmt fmt = CRM_OUT_DEFAULT;
	struct crm_err err;
	const char *name = "-", *ofmt = NULL;
	FILE *fp = stdin;
	const char **row = NULL;
	size_t ncols = 0;
	long long v;
	int c, rc, noquotes = 0;

	while ((c = getopt(argc, argv, "e:d:m:o:Q")) != -1) {
		switch (c) {
		case 'e':
			o.encoding = optarg;
			break;
		case 'd':
			o.delim = strcmp(optarg, "tab") == 0 ? '\t' : optarg[0];
			break;
		case 'm':
			if (crm_strtonum(optarg, 1, 1 << 30, &v, "-m", &err) < 0) {
				fprintf(stderr, "crm-csvdump: %s\n", err.msg);
				return 64;
			}
			o.max_field = (size_t)v;
			break;
		case 'o':
			ofmt = optarg;
			break;
		case 'Q':
			noquotes = 1;
			break;
		default:
			return usage();
		}
	}
	if (argc - optind > 1)
		return usage();
	if (ofmt && crm_out_parse(ofmt, &fmt, &err) < 0) {
		fprintf(stderr, "crm-csvdump: %s\n", err.msg);
		return err.code;
	}
	if (optind < argc && strcmp(argv[optind], "-") != 0) {
		name = argv[optind];
		if ((fp = fopen(name, "r")) == NULL) {
			perror(name);
			return 66;
		}
	}
	if (crm_csv_open(&r, fp, name, &o, &err) < 0) {
		fprintf(stderr, "crm-csvdump: %s\n", err.msg);
		return err.code;
	}
	if (noquotes)
		crm_csv_no_quotes(r);
	while ((rc = crm_csv_next(r, &rec, &err)) == 1) {
		if (ofmt) {
			if (out == NULL) {
				ncols = rec->nfields;
				cols = crm_xcalloc(ncols, sizeof *cols);
				row = crm_xcalloc(ncols, sizeof *row);
				for (size_t i = 0; i < ncols; i++) {
					/* A header "n:NAME" marks a numeric column. */
					cols[i].numeric = strncmp(rec->fields[i], "n:", 2) == 0;
					cols[i].name = rec->fields[i] + (cols[i].numeric ? 2 : 0);
					cols[i].name = crm_xstrdup(cols[i].name);
				}
				out = crm_out_open(stdout, fmt, cols, rec->nfields);
				continue;
			}
			/* Ragged rows: missing cells are NULL, extra ones dropped. */
			for (size_t i = 0; i < ncols; i++)
				row[i] = i < rec->nfields ? rec->fields[i] : NULL;
			crm_out_row(out, row);
			continue;
		}
		printf("%ld-%ld%s\t", rec->line, rec->line_end, rec->overlong >= 0 ? "!" : "");
		for (size_t i = 0; i < rec->nfields; i++) {
			if (i > 0)
				putchar('|');
			put_escaped(rec->fields[i], rec->lens[i]);
		}
		putchar('\n');
	}
	if (rc < 0)
		fprintf(stderr, "crm-csvdump: %s\n", err.msg);
	else if (!ofmt)
		printf("# %s %s\n", crm_csv_encoding(r), crm_csv_delim(r) == '\t' ? "tab" : ",");
	if (out && crm_out_close(out, &err) < 0 && rc >= 0) {
		fprintf(stderr, "crm-csvdump: %s\n", err.msg);
		rc = -1;
	}
	for (size_t i = 0; i < ncols; i++)
		free((char *)cols[i].name);
	free(cols);
	free((void *)row);
	crm_csv_close(r);
	if (fp != stdin)
		fclose(fp);
	if (rc < 0)
		return err.code;
	return crm_close_stdout(&err) < 0 ? err.code : 0;
}
