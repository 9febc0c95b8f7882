/* libFuzzer target: the import path from bytes to orders, as crm-import
 * drives it: a mapping (a preset chosen by the first byte, or a mapping
 * file given in the input before a line "%%"), the CSV reader, the binding,
 * the row parsing and normalising, the order and customer writes, and the
 * recompute, on an in-memory database.
 *
 * Beyond "no crash" it checks what must hold after any import: every
 * customer's orders and total are those of its 'ok' orders, every order has
 * an identity and a customer, foreign keys hold, the counts add up, and
 * importing the same bytes again changes nothing (no order new or updated).
 * Each input runs in a transaction that is rolled back, so inputs do not
 * see each other. */
#include <fcntl.h>
#include <libgen.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db.h"
#include "importer.h"
#include "mapping.h"
#include "util.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const presets[] = {
	"generic", "shopify", "rakuten", "amazon", "nextengine", "stores",
	"members", "shopify-customers",
};
#define NPRESETS (sizeof presets / sizeof presets[0])

static struct {
	sqlite3 *db;
	struct crm_mapping *map[NPRESETS];
	char mapfile[4200];
} fz;

static void
on_reject(void *arg, const char *file, const char *const *header,
    size_t nheader, const char *const *fields, size_t nfields, long line,
    const char *reason)
{
	(void)arg; (void)header; (void)nheader;
	/* A rejected row names its file, a line and a reason. */
	if (file == NULL || line < 1 || reason == NULL || *reason == '\0')
		__builtin_trap();
	for (size_t i = 0; i < nfields; i++)
		if (fields[i] == NULL)
			__builtin_trap();
}

static void
on_warn(void *arg, const char *msg)
{
	(void)arg;
	if (msg == NULL)
		__builtin_trap();
}

static void
cleanup(void)
{
	unlink(fz.mapfile);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct crm_err err;
	char dir[4096], share[4200];
	size_t i;
	int fd;

	(void)argc;
	/* The presets live in the source tree: build-fuzz/../share. */
	if (getenv("CRM_DATADIR") == NULL) {
		snprintf(dir, sizeof dir, "%s", (*argv)[0]);
		snprintf(share, sizeof share, "%s/../share", dirname(dir));
		setenv("CRM_DATADIR", share, 1);
	}
	setenv("TZ", "Asia/Tokyo", 1);
	for (i = 0; i < NPRESETS; i++)
		if (crm_mapping_preset(presets[i], &fz.map[i], &err) < 0) {
			fprintf(stderr, "fuzz-import: preset %s: %s\n", presets[i],
			    err.msg);
			exit(1);
		}
	if (crm_db_open(":memory:", CRM_DB_RDWR, &fz.db, &err) < 0) {
		fprintf(stderr, "fuzz-import: %s\n", err.msg);
		exit(1);
	}
	snprintf(fz.mapfile, sizeof fz.mapfile, "%s/fuzz-import.%ld.map",
	    getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", (long)getpid());
	fd = open(fz.mapfile, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		exit(1);
	close(fd);
	atexit(cleanup);
	return 0;
}

static int
import(const struct crm_mapping *map, const uint8_t *data, size_t size,
    struct crm_import_counts *c)
{
	struct crm_import_opts o;
	struct crm_importer *imp;
	struct crm_err err;
	FILE *fp;
	int rc = -1;

	memset(&o, 0, sizeof o);
	o.map = map;
	o.max_field = 1024;
	if (crm_importer_open(fz.db, &o, &imp, &err) < 0)
		__builtin_trap();
	fp = size > 0 ? fmemopen((void *)data, size, "r") : fopen("/dev/null", "r");
	if (fp == NULL)
		__builtin_trap();
	crm_err_clear(&err);
	if (crm_importer_file(imp, fp, "fuzz.csv", "2026-11-01 00:00:00",
	    on_reject, on_warn, NULL, &err) >= 0 &&
	    crm_importer_finish(imp, &err) == 0) {
		crm_importer_counts(imp, -1, c);
		if (getenv("FUZZ_IMPORT_DEBUG"))
			fprintf(stderr, "rows %lld new %lld updated %lld unchanged "
			    "%lld customers %lld rejected %lld\n", c->rows,
			    c->orders_new, c->orders_updated, c->orders_unchanged,
			    c->customers_new, c->rejected);
		rc = 0;
	} else if (getenv("FUZZ_IMPORT_DEBUG"))
		fprintf(stderr, "error %d: %s\n", err.code, err.msg);
	if (rc < 0 && err.code != EX_DATAERR && err.code != EX_NOINPUT) {
		/* A bad file is a data error; anything else is a bug. */
		fprintf(stderr, "fuzz-import: code %d: %s\n", err.code, err.msg);
		__builtin_trap();
	}
	fclose(fp);
	crm_importer_close(imp);
	return rc;
}

static int64_t
one(const char *sql)
{
	struct crm_err err;
	int64_t v = -1;

	if (crm_db_int(fz.db, sql, &v, &err) < 0)
		__builtin_trap();
	return v;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct crm_mapping *custom = NULL;
	const struct crm_mapping *map;
	struct crm_import_counts c1, c2;
	struct crm_err err;
	unsigned sel;

	if (size < 1)
		return 0;
	sel = data[0];
	data++, size--;
	if (sel >= 0xf0) {
		/* A mapping file of its own, up to a line "%%". */
		const uint8_t *sep = NULL;
		FILE *f;

		for (size_t i = 0; i + 4 <= size && sep == NULL; i++)
			if (memcmp(data + i, "\n%%\n", 4) == 0)
				sep = data + i;
		if (sep == NULL)
			return 0;
		if ((f = fopen(fz.mapfile, "w")) == NULL)
			__builtin_trap();
		fwrite(data, 1, (size_t)(sep - data) + 1, f);
		if (fclose(f) != 0)
			__builtin_trap();
		size -= (size_t)(sep - data) + 4;
		data = sep + 4;
		crm_err_clear(&err);
		if (crm_mapping_load(fz.mapfile, &custom, &err) < 0) {
			if (err.code != EX_DATAERR)
				__builtin_trap();
			return 0;
		}
		map = custom;
	} else
		map = fz.map[sel % NPRESETS];

	/* As crm-import runs it; the foreign key check below still holds. */
	if (crm_db_exec(fz.db, "PRAGMA foreign_keys = OFF", &err) < 0 ||
	    crm_db_begin(fz.db, &err) < 0)
		__builtin_trap();
	if (import(map, data, size, &c1) == 0) {
		if (c1.orders_new < 0 || c1.orders_updated != 0 ||
		    c1.rejected > c1.rows || c1.customers_new < 0)
			__builtin_trap();
		if (one("SELECT count(*) FROM orders") != c1.orders_new)
			__builtin_trap();
		/* The recompute: orders and total are those of the 'ok' orders. */
		if (one("SELECT count(*) FROM customers c WHERE merged_into IS NULL"
		    " AND (orders IS NOT (SELECT count(*) FROM orders o"
		    "   WHERE o.customer_id = c.id AND o.status = 'ok')"
		    " OR total IS NOT (SELECT coalesce(sum(o.total), 0) FROM orders o"
		    "   WHERE o.customer_id = c.id AND o.status = 'ok'))") != 0)
			__builtin_trap();
		if (one("SELECT count(*) FROM orders o WHERE NOT EXISTS"
		    " (SELECT 1 FROM identities i WHERE i.id = o.identity_id"
		    "  AND i.customer_id = o.customer_id)") != 0)
			__builtin_trap();
		if (one("SELECT count(*) FROM pragma_foreign_key_check") != 0)
			__builtin_trap();
		/* The same bytes again: nothing new, nothing updated. */
		if (import(map, data, size, &c2) != 0)
			__builtin_trap();
		if (c2.orders_new != 0 || c2.orders_updated != 0 ||
		    c2.customers_new != 0 ||
		    c2.orders_unchanged != c1.orders_new + c1.orders_unchanged ||
		    c2.rejected != c1.rejected || c2.rows != c1.rows)
			__builtin_trap();
	}
	crm_db_rollback(fz.db);
	crm_mapping_free(custom);
	return 0;
}
