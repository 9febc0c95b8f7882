/* mapping.h: import mapping files (crm-formats(5)).
 *
 * A mapping file says how one channel's export maps onto crm's fields:
 * which header (or headers joined) gives each field, the encoding and
 * delimiter, the status words, values that mean "empty".  The presets
 * (generic, shopify, rakuten ...) are mapping files too, so a new channel
 * needs no recompilation.  Variants of one export (Rakuten's legacy 受注CSV
 * and 楽天ペイ) are [sections] told apart by `detect` headers.
 *
 * A mapping is bound to a file's header once; after that a field's value
 * is read from a record with no lookups by name. */
#ifndef CRM_MAPPING_H
#define CRM_MAPPING_H

#include <stdio.h>

#include "csv.h"
#include "err.h"
#include "util.h"

enum crm_mfield {
	/* order level */
	CRM_M_ORDER_ID, CRM_M_ORDERED_AT, CRM_M_SHIPPED_AT, CRM_M_STATUS,
	CRM_M_CANCELLED_WHEN, CRM_M_SHOP, CRM_M_TOTAL, CRM_M_COUPON,
	CRM_M_SUBSCRIPTION,
	/* buyer */
	CRM_M_EMAIL, CRM_M_NAME, CRM_M_KANA, CRM_M_PHONE, CRM_M_POSTCODE,
	CRM_M_PREFECTURE, CRM_M_ADDRESS, CRM_M_BIRTHDAY, CRM_M_MEMBER_ID,
	CRM_M_NEWSLETTER, CRM_M_NOTICES,
	/* line item */
	CRM_M_SKU, CRM_M_PRODUCT, CRM_M_QUANTITY, CRM_M_UNIT_PRICE,
	CRM_M_LINE_TOTAL, CRM_M_ITEM_CANCELLED_WHEN,
	/* member lists */
	CRM_M_REGISTERED_AT, CRM_M_WITHDRAWN,
	CRM_M_NFIELDS
};

enum crm_map_kind { CRM_MAP_ORDERS, CRM_MAP_CUSTOMERS };

const char *crm_mfield_name(enum crm_mfield f);

struct crm_mapping;

/* Load a mapping file; name is what messages call it.  Syntax errors
 * name the file and line (EX_DATAERR); a missing file is EX_NOINPUT. */
int crm_mapping_load(const char *path, struct crm_mapping **m,
    struct crm_err *err);
/* Find a preset by name: $CRM_DATADIR/formats/NAME.map, then the
 * compiled-in data directory. */
int crm_mapping_preset(const char *name, struct crm_mapping **m,
    struct crm_err *err);
void crm_mapping_free(struct crm_mapping *m);

enum crm_map_kind crm_mapping_kind(const struct crm_mapping *m);
const char *crm_mapping_name(const struct crm_mapping *m);
/* Settings needed before the header is read (common section only). */
const char *crm_mapping_encoding(const struct crm_mapping *m);  /* or NULL */
char crm_mapping_delim(const struct crm_mapping *m);            /* 0: guess */
const char *crm_mapping_shop(const struct crm_mapping *m);      /* or NULL */
/* quote = none: '"' is an ordinary character (Amazon's TSV). */
int crm_mapping_unquoted(const struct crm_mapping *m);

/* A mapping bound to one file's header. */
struct crm_binding;

/* Choose the variant, resolve every field to columns.  A required field
 * with none of its headers present is EX_DATAERR naming the file, line 1
 * and the headers expected.  *unknown (malloc'd, may be NULL) lists the
 * columns no field uses, comma-separated, when the mapping asks for a
 * warning about them (warn-unknown = yes). */
int crm_binding_make(const struct crm_mapping *m,
    const struct crm_csv_record *header, const char *file,
    struct crm_binding **b, char **unknown, struct crm_err *err);
void crm_binding_free(struct crm_binding *b);

const char *crm_binding_variant(const struct crm_binding *b);  /* or NULL */
int crm_binding_has(const struct crm_binding *b, enum crm_mfield f);
const char *crm_binding_date_format(const struct crm_binding *b);

/* The field's value in rec into out (reset first): parts joined, spaces
 * trimmed, "null" values and a leading apostrophe (if asked) removed.
 * Returns 1 when non-empty, 0 when empty or not mapped. */
int crm_binding_value(const struct crm_binding *b,
    const struct crm_csv_record *rec, enum crm_mfield f, struct crm_buf *out);

/* The status a raw status word maps to: "ok", "cancelled", "returned", or
 * NULL when the mapping's status words do not say (the caller then falls
 * back to crm_norm_status). */
const char *crm_binding_status(const struct crm_binding *b, const char *word);

#endif
