/* rejects.c: the rejects file of crm-import. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rejects.h"
#include "csv.h"
#include "util.h"
#include "banned.h"

struct crm_rejects {
	char *fixed;              /* --rejects, or NULL */
	char *cur;                /* the file for the current input */
	FILE *fp;
	int wrote;                /* the current input has rejected rows */
	char *lasthdr;            /* the header written last to fp */
	char **created;           /* files made, for discard */
	size_t ncreated;
	struct crm_err err;
	int failed;
};

struct crm_rejects *
crm_rejects_new(const char *fixed)
{
	struct crm_rejects *rj = crm_xcalloc(1, sizeof *rj);

	if (fixed != NULL)
		rj->fixed = crm_xstrdup(fixed);
	return rj;
}

static void
close_fp(struct crm_rejects *rj)
{
	if (rj->fp != NULL && fclose(rj->fp) != 0 && !rj->failed) {
		crm_err_set(&rj->err, EX_IOERR, "%s: %s", rj->cur, strerror(errno));
		rj->failed = 1;
	}
	rj->fp = NULL;
	free(rj->lasthdr);
	rj->lasthdr = NULL;
}

void
crm_rejects_input(struct crm_rejects *rj, const char *input)
{
	struct crm_buf b;

	rj->wrote = 0;
	if (rj->fixed != NULL) {
		if (rj->cur == NULL)
			rj->cur = crm_xstrdup(rj->fixed);
		return;
	}
	close_fp(rj);
	free(rj->cur);
	crm_buf_init(&b);
	if (strcmp(input, "-") == 0)
		crm_buf_adds(&b, "crm-import.rejects.csv");
	else
		crm_buf_addf(&b, "%s.rejects.csv", input);
	rj->cur = crm_buf_detach(&b);
}

void
crm_rejects_write(struct crm_rejects *rj, const char *const *header,
    size_t nheader, const char *const *fields, size_t nfields, long line,
    const char *reason)
{
	const char **row;
	struct crm_buf h;
	char num[32];
	size_t i;

	if (rj->failed || rj->cur == NULL)
		return;
	if (rj->fp == NULL) {
		if ((rj->fp = fopen(rj->cur, "w")) == NULL) {
			crm_err_set(&rj->err, EX_CANTCREAT, "%s: %s", rj->cur,
			    strerror(errno));
			rj->failed = 1;
			return;
		}
		rj->created = crm_xreallocarray(rj->created, rj->ncreated + 1,
		    sizeof *rj->created);
		rj->created[rj->ncreated++] = crm_xstrdup(rj->cur);
	}
	rj->wrote = 1;

	/* A header line before each input's rows, unless it is the same. */
	crm_buf_init(&h);
	for (i = 0; i < nheader; i++) {
		crm_buf_adds(&h, header[i]);
		crm_buf_addc(&h, '\x1f');
	}
	if (rj->lasthdr == NULL || strcmp(rj->lasthdr, h.s ? h.s : "") != 0) {
		row = crm_xcalloc(nheader + 2, sizeof *row);
		for (i = 0; i < nheader; i++)
			row[i] = header[i];
		row[nheader] = "line";
		row[nheader + 1] = "reason";
		crm_csv_write_row(rj->fp, row, nheader + 2, ',');
		free(row);
		free(rj->lasthdr);
		rj->lasthdr = crm_buf_detach(&h);
	}
	crm_buf_release(&h);

	row = crm_xcalloc(nfields + 2, sizeof *row);
	for (i = 0; i < nfields; i++)
		row[i] = fields[i];
	snprintf(num, sizeof num, "%ld", line);
	row[nfields] = num;
	row[nfields + 1] = reason;
	if (crm_csv_write_row(rj->fp, row, nfields + 2, ',') < 0) {
		crm_err_set(&rj->err, EX_IOERR, "%s: %s", rj->cur, strerror(errno));
		rj->failed = 1;
	}
	free(row);
}

const char *
crm_rejects_path(const struct crm_rejects *rj)
{
	return rj->wrote ? rj->cur : NULL;
}

int
crm_rejects_end(struct crm_rejects *rj, struct crm_err *err)
{
	if (rj->fixed == NULL)
		close_fp(rj);
	else if (rj->fp != NULL && fflush(rj->fp) != 0 && !rj->failed) {
		crm_err_set(&rj->err, EX_IOERR, "%s: %s", rj->cur, strerror(errno));
		rj->failed = 1;
	}
	if (rj->failed) {
		*err = rj->err;
		return -1;
	}
	return 0;
}

void
crm_rejects_discard(struct crm_rejects *rj)
{
	close_fp(rj);
	for (size_t i = 0; i < rj->ncreated; i++)
		unlink(rj->created[i]);
}

void
crm_rejects_free(struct crm_rejects *rj)
{
	if (rj == NULL)
		return;
	close_fp(rj);
	for (size_t i = 0; i < rj->ncreated; i++)
		free(rj->created[i]);
	free(rj->created);
	free(rj->fixed);
	free(rj->cur);
	free(rj);
}
