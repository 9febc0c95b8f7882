/* template.h: mail templates, parsed once and rendered per customer.
 *
 * The file format is crm-template(5): header lines (Subject, From,
 * Reply-To, Kind), a blank line, the text body, and optionally a line
 * "--- html ---" followed by an HTML body.  Fields are {{name}};
 * {{#name}}...{{/name}} is shown when the field is set (not empty, not
 * "0"), {{^name}}...{{/name}} when it is not.  The struct itself is
 * declared in mail.h (crm_template_load, crm_template_free,
 * crm_template_kind). */
#ifndef CRM_TEMPLATE_H
#define CRM_TEMPLATE_H

#include "mail.h"
#include "util.h"

/* The delimiter line between the text and the HTML body. */
#define CRM_TEMPLATE_HTML_LINE "--- html ---"

enum crm_template_part {
	CRM_TPL_SUBJECT,
	CRM_TPL_FROM,
	CRM_TPL_REPLY_TO,
	CRM_TPL_TEXT,
	CRM_TPL_HTML,
	CRM_TPL_NPARTS
};

/* Parse a template from memory (name is used in messages). */
int crm_template_parse(const char *name, const char *src, size_t len,
    struct crm_template **t, struct crm_err *err);

const char *crm_template_path(const struct crm_template *t);
/* 1 when the template has that part (Subject and the text always). */
int crm_template_has(const struct crm_template *t, enum crm_template_part p);

/* A field's value, or NULL when the field is known but has no value.
 * *known is set to 0 for a name the caller does not know. */
typedef const char *(*crm_template_lookup)(void *arg, const char *name,
    int *known);

/* Every field and section name the template uses must be known to
 * lookup: otherwise EX_DATAERR "FILE:LINE: unknown field {{x}}". */
int crm_template_check(const struct crm_template *t, crm_template_lookup get,
    void *arg, struct crm_err *err);

/* Render part p into out (appended).  HTML escapes values in the HTML
 * part.  A plain {{field}} outside any section that tests it and whose
 * value is NULL is an error when strict is set (a campaign field such as
 * {{coupon}} that nobody gave), and renders empty otherwise. */
int crm_template_render(const struct crm_template *t, enum crm_template_part p,
    crm_template_lookup get, void *arg, int strict, struct crm_buf *out,
    struct crm_err *err);

#endif
