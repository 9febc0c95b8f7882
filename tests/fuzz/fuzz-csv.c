/* libFuzzer target: the CSV reader with encoding detection, record by
 * record, and the header map, as crm-import drives them. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct crm_csv_reader *r;
	struct crm_csv_opts o = { 0, "auto", 256 };
	const struct crm_csv_record *rec;
	struct crm_csv_header h;
	struct crm_err err;
	FILE *fp;
	int rc, first = 1;

	if (size == 0)
		return 0;
	fp = fmemopen((void *)data, size, "r");
	if (fp == NULL)
		return 0;
	if (crm_csv_open(&r, fp, "fuzz", &o, &err) == 0) {
		while ((rc = crm_csv_next(r, &rec, &err)) == 1) {
			if (first) {
				crm_csv_header_init(&h, rec);
				(void)crm_csv_header_find(&h, "order_id");
				crm_csv_header_release(&h);
				first = 0;
			}
			for (size_t i = 0; i < rec->nfields; i++)
				if (strlen(rec->fields[i]) > rec->lens[i])
					__builtin_trap();
		}
		crm_csv_close(r);
	}
	fclose(fp);
	return 0;
}
