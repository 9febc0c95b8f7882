/* show.c: one customer's whole story, for a person or for a script.
 *
 * Every section is a query over the customer, described once as a list
 * of columns; the same description writes the JSON arrays and the text
 * tables, so the two cannot drift apart.  A section may have a child
 * query per row (an order's items, a scenario's steps): JSON nests it,
 * text puts the child rows beside their parent, the parent's cells on
 * the first of them only. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "output.h"
#include "show.h"
#include "util.h"
#include "banned.h"

/* The customer and every customer merged into it, however deep. */
#define FAMILY \
	"WITH RECURSIVE fam(id) AS (SELECT ?1 UNION" \
	" SELECT c.id FROM customers c JOIN fam ON c.merged_into = fam.id) "

enum ctype {
	C_TEXT,
	C_INT,
	C_REAL,     /* a score: two decimals in text */
	C_BOOL,     /* 0/1, NULL when unknown */
	C_AMOUNT,   /* yen: thousands separated in text */
	C_TIME,     /* a timestamp: text shows date and minutes */
};

struct scol {
	const char *key;     /* JSON key */
	enum ctype type;
	const char *label;   /* text column, NULL: JSON only */
};

struct section {
	const char *key, *title;
	const char *sql;                 /* ?1 = the customer */
	const struct scol *cols;
	size_t ncols;
	/* Child rows: sql with ?1 = the parent row's column child_param. */
	const char *child_key, *child_sql;
	const struct scol *child_cols;
	size_t nchild_cols;
	int child_param;
};

#define N(a) (sizeof (a) / sizeof (a)[0])

static void
json_value(FILE *fp, sqlite3_stmt *st, int i, enum ctype type)
{
	if (sqlite3_column_type(st, i) == SQLITE_NULL) {
		fputs("null", fp);
		return;
	}
	switch (type) {
	case C_INT:
	case C_AMOUNT:
		fprintf(fp, "%" PRId64, (int64_t)sqlite3_column_int64(st, i));
		break;
	case C_REAL:
		fprintf(fp, "%.4g", sqlite3_column_double(st, i));
		break;
	case C_BOOL:
		fputs(sqlite3_column_int(st, i) ? "true" : "false", fp);
		break;
	case C_TEXT:
	case C_TIME:
		crm_json_string(fp, (const char *)sqlite3_column_text(st, i));
		break;
	}
}

static void
amount_text(struct crm_buf *b, int64_t v)
{
	char digits[32];
	size_t n, i;

	snprintf(digits, sizeof digits, "%" PRId64, v);
	i = digits[0] == '-';
	if (i)
		crm_buf_addc(b, '-');
	n = strlen(digits + i);
	for (size_t k = 0; k < n; k++) {
		if (k > 0 && (n - k) % 3 == 0)
			crm_buf_addc(b, ',');
		crm_buf_addc(b, digits[i + k]);
	}
}

/* The cell as a person reads it, into b (reset first). */
static void
text_value(struct crm_buf *b, sqlite3_stmt *st, int i, enum ctype type)
{
	const char *s;

	crm_buf_reset(b);
	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		return;
	switch (type) {
	case C_AMOUNT:
		amount_text(b, sqlite3_column_int64(st, i));
		break;
	case C_REAL:
		crm_buf_addf(b, "%.2f", sqlite3_column_double(st, i));
		break;
	case C_BOOL:
		crm_buf_adds(b, sqlite3_column_int(st, i) ? "yes" : "no");
		break;
	case C_TIME:
		s = (const char *)sqlite3_column_text(st, i);
		/* Seconds say nothing to a person reading a history. */
		crm_buf_add(b, s, strlen(s) > 16 ? 16 : strlen(s));
		break;
	case C_INT:
	case C_TEXT:
		crm_buf_adds(b, (const char *)sqlite3_column_text(st, i));
		break;
	}
}

static void
json_object(FILE *fp, sqlite3_stmt *st, const struct scol *cols, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			putc(',', fp);
		crm_json_string(fp, cols[i].key);
		putc(':', fp);
		json_value(fp, st, (int)i, cols[i].type);
	}
}

static size_t
nlabels(const struct scol *cols, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		k += cols[i].label != NULL;
	return k;
}

/* Text of the labelled columns of the current row into vals[from...];
 * blank (the parent's cells beside its second child) when st is NULL. */
static void
text_cells(struct crm_buf *bufs, const char **vals, size_t from,
    sqlite3_stmt *st, const struct scol *cols, size_t n)
{
	size_t k = from;

	for (size_t i = 0; i < n; i++) {
		if (cols[i].label == NULL)
			continue;
		if (st != NULL)
			text_value(&bufs[k], st, (int)i, cols[i].type);
		else
			crm_buf_reset(&bufs[k]);
		vals[k] = bufs[k].s ? bufs[k].s : "";
		k++;
	}
}

static int
bind_id(sqlite3_stmt *st, int64_t id)
{
	sqlite3_reset(st);
	return sqlite3_bind_int64(st, 1, id);
}

/* Run one section.  JSON: ,"key":[...].  Text: a blank line, the title
 * and a table, or "title: none". */
static int
section(sqlite3 *db, const struct section *sec, int64_t id, FILE *fp,
    enum crm_show_fmt fmt, struct crm_err *err)
{
	sqlite3_stmt *st = NULL, *ch = NULL;
	struct crm_out *o = NULL;
	struct crm_out_col *ocols = NULL;
	struct crm_buf *bufs = NULL;
	const char **vals = NULL;
	size_t np = nlabels(sec->cols, sec->ncols), nc = 0, nrows = 0;
	int rc, crc = SQLITE_DONE, ret = -1;

	if (crm_db_prepare(db, sec->sql, &st, err) < 0)
		return -1;
	if (sec->child_sql != NULL) {
		if (crm_db_prepare(db, sec->child_sql, &ch, err) < 0)
			goto out;
		nc = nlabels(sec->child_cols, sec->nchild_cols);
	}
	if (fmt == CRM_SHOW_TEXT) {
		size_t k = 0;

		ocols = crm_xcalloc(np + nc, sizeof *ocols);
		bufs = crm_xcalloc(np + nc, sizeof *bufs);
		vals = crm_xcalloc(np + nc, sizeof *vals);
		for (size_t i = 0; i < np + nc; i++)
			crm_buf_init(&bufs[i]);
		for (size_t i = 0; i < sec->ncols; i++)
			if (sec->cols[i].label != NULL) {
				ocols[k].name = sec->cols[i].label;
				ocols[k++].numeric = sec->cols[i].type == C_INT ||
				    sec->cols[i].type == C_AMOUNT ||
				    sec->cols[i].type == C_REAL;
			}
		for (size_t i = 0; i < sec->nchild_cols; i++)
			if (sec->child_cols[i].label != NULL) {
				ocols[k].name = sec->child_cols[i].label;
				ocols[k++].numeric = sec->child_cols[i].type == C_INT ||
				    sec->child_cols[i].type == C_AMOUNT ||
				    sec->child_cols[i].type == C_REAL;
			}
	} else {
		fputs(",", fp);
		crm_json_string(fp, sec->key);
		fputs(":[", fp);
	}
	bind_id(st, id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		size_t nchild = 0;

		if (fmt == CRM_SHOW_JSON) {
			fputs(nrows ? ",{" : "{", fp);
			json_object(fp, st, sec->cols, sec->ncols);
		} else if (o == NULL) {
			fprintf(fp, "\n%s\n", sec->title);
			o = crm_out_open(fp, CRM_OUT_TABLE, ocols, np + nc);
		}
		nrows++;
		if (ch == NULL) {
			if (fmt == CRM_SHOW_TEXT) {
				text_cells(bufs, vals, 0, st, sec->cols, sec->ncols);
				crm_out_row(o, vals);
			} else
				putc('}', fp);
			continue;
		}
		if (fmt == CRM_SHOW_JSON) {
			fputs(",", fp);
			crm_json_string(fp, sec->child_key);
			fputs(":[", fp);
		}
		bind_id(ch, sqlite3_column_int64(st, sec->child_param));
		while ((crc = sqlite3_step(ch)) == SQLITE_ROW) {
			if (fmt == CRM_SHOW_JSON) {
				fputs(nchild ? ",{" : "{", fp);
				json_object(fp, ch, sec->child_cols, sec->nchild_cols);
				putc('}', fp);
			} else {
				text_cells(bufs, vals, 0, nchild ? NULL : st,
				    sec->cols, sec->ncols);
				text_cells(bufs, vals, np, ch, sec->child_cols,
				    sec->nchild_cols);
				crm_out_row(o, vals);
			}
			nchild++;
		}
		sqlite3_reset(ch);
		if (crc != SQLITE_DONE)
			break;
		if (fmt == CRM_SHOW_JSON)
			fputs("]}", fp);
		else if (nchild == 0) {
			text_cells(bufs, vals, 0, st, sec->cols, sec->ncols);
			text_cells(bufs, vals, np, NULL, sec->child_cols,
			    sec->nchild_cols);
			crm_out_row(o, vals);
		}
	}
	if (crc != SQLITE_DONE || (rc != SQLITE_ROW && rc != SQLITE_DONE)) {
		crm_db_err(db, err, sec->key);
		goto out;
	}
	if (fmt == CRM_SHOW_JSON)
		putc(']', fp);
	else if (nrows == 0)
		fprintf(fp, "\n%s: none\n", sec->title);
	ret = 0;
out:
	if (o != NULL) {
		struct crm_err e2;

		if (crm_out_close(o, ret < 0 ? &e2 : err) < 0)
			ret = -1;
	}
	free(ocols);
	for (size_t i = 0; bufs && i < np + nc; i++)
		crm_buf_release(&bufs[i]);
	free(bufs);
	free(vals);
	sqlite3_finalize(st);
	sqlite3_finalize(ch);
	return ret;
}

/* ---- the sections ----------------------------------------------------- */

static const struct scol optout_cols[] = {
	{ "at", C_TIME, "at" }, { "channel", C_TEXT, "channel" },
	{ "action", C_TEXT, "action" }, { "by", C_TEXT, "by" },
	{ "reason", C_TEXT, "reason" }, { "source", C_TEXT, "source" },
	{ "customer_id", C_INT, "customer" },
};
static const struct scol pair_cols[] = {
	{ "pair", C_INT, "pair" }, { "other", C_INT, "customer" },
	{ "name", C_TEXT, "name" }, { "email", C_TEXT, "email" },
	{ "phone", C_TEXT, "phone" }, { "score", C_REAL, "score" },
	{ "reasons", C_TEXT, "reasons" }, { "created_at", C_TIME, NULL },
};
static const struct scol merge_cols[] = {
	{ "customer_id", C_INT, "customer" }, { "into", C_INT, "into" },
	{ "how", C_TEXT, "how" }, { "who", C_TEXT, "who" },
	{ "reason", C_TEXT, "reason" }, { "at", C_TIME, "at" },
};
static const struct scol identity_cols[] = {
	{ "id", C_INT, "id" }, { "shop", C_TEXT, "shop" },
	{ "name", C_TEXT, "name" }, { "kana", C_TEXT, NULL },
	{ "email", C_TEXT, "email" }, { "phone", C_TEXT, "phone" },
	{ "postcode", C_TEXT, NULL }, { "prefecture", C_TEXT, NULL },
	{ "address", C_TEXT, NULL }, { "birthday", C_TEXT, NULL },
	{ "member_id", C_TEXT, "member_id" }, { "member", C_BOOL, NULL },
	{ "registered_at", C_TEXT, NULL }, { "newsletter", C_BOOL, NULL },
	{ "notices", C_BOOL, NULL }, { "consent_at", C_TEXT, NULL },
	{ "withdrawn", C_BOOL, NULL }, { "origin_customer", C_INT, NULL },
	{ "source", C_TEXT, "source" }, { "created_at", C_TIME, "first seen" },
};
static const struct scol order_cols[] = {
	{ "id", C_INT, NULL }, { "ordered_at", C_TIME, "ordered" },
	{ "shop", C_TEXT, "shop" }, { "order_no", C_TEXT, "order" },
	{ "status", C_TEXT, "status" }, { "total", C_AMOUNT, "total" },
	{ "shipped_at", C_TIME, NULL }, { "coupon", C_TEXT, NULL },
	{ "subscription", C_BOOL, NULL }, { "source_file", C_TEXT, NULL },
	{ "source_line", C_INT, NULL },
};
static const struct scol item_cols[] = {
	{ "sku", C_TEXT, "sku" }, { "product", C_TEXT, "product" },
	{ "quantity", C_INT, "qty" }, { "unit_price", C_AMOUNT, "price" },
};
static const struct scol mail_cols[] = {
	{ "at", C_TIME, "at" }, { "campaign", C_TEXT, "campaign" },
	{ "kind", C_TEXT, NULL }, { "scenario", C_TEXT, "scenario" },
	{ "step", C_INT, "step" }, { "status", C_TEXT, "status" },
	{ "address", C_TEXT, "address" }, { "message_id", C_TEXT, NULL },
	{ "detail", C_TEXT, NULL }, { "attempts", C_INT, NULL },
	{ "created_at", C_TIME, NULL }, { "customer_id", C_INT, NULL },
};
static const struct scol scenario_cols[] = {
	{ "scenario", C_TEXT, "scenario" }, { "status", C_TEXT, "status" },
	{ "next_step", C_INT, "next" }, { "due", C_TEXT, "due" },
	{ "via", C_TEXT, NULL }, { "version", C_INT, NULL },
	{ "anchor", C_TEXT, NULL }, { "note", C_TEXT, NULL },
	{ "enrolled_at", C_TIME, "enrolled" }, { "customer_id", C_INT, NULL },
	{ "enrolment", C_INT, NULL },
};
static const struct scol step_cols[] = {
	{ "step", C_INT, "step" }, { "days", C_INT, "days" },
	{ "kind", C_TEXT, "kind" }, { "template", C_TEXT, NULL },
	{ "outcome", C_TEXT, "outcome" }, { "at", C_TIME, "done" },
};

static const struct section sections[] = {
	{ "optouts", "opt-outs",
	  FAMILY "SELECT o.at, o.channel, o.action, o.by, o.reason, o.source,"
	  " o.customer_id FROM optouts o WHERE o.customer_id IN fam"
	  " ORDER BY o.at, o.id",
	  optout_cols, N(optout_cols), NULL, NULL, NULL, 0, 0 },
	{ "pending_pairs", "undetermined pairs",
	  "SELECT p.id, c.id, c.name, c.email, c.phone, p.score, p.reasons,"
	  " p.created_at FROM dedupe_pairs p JOIN customers c"
	  " ON c.id = CASE WHEN p.a = ?1 THEN p.b ELSE p.a END"
	  " WHERE p.status = 'pending' AND (p.a = ?1 OR p.b = ?1)"
	  " ORDER BY p.score DESC, p.id",
	  pair_cols, N(pair_cols), NULL, NULL, NULL, 0, 0 },
	{ "merged", "merged customers",
	  FAMILY "SELECT m.absorbed, m.survivor, m.how, m.who, m.reason, m.at"
	  " FROM merges m WHERE m.kind = 'merge' AND m.undone_by IS NULL"
	  " AND m.absorbed IN (SELECT id FROM fam WHERE id <> ?1)"
	  " ORDER BY m.at, m.id",
	  merge_cols, N(merge_cols), NULL, NULL, NULL, 0, 0 },
	{ "identities", "buyer records",
	  "SELECT i.id, s.name, i.name, i.kana, i.email, i.phone, i.postcode,"
	  " i.prefecture, i.address, i.birthday, i.member_id, i.member,"
	  " i.registered_at, i.newsletter, i.notices, i.consent_at, i.withdrawn,"
	  " i.origin_customer, i.source, i.created_at"
	  " FROM identities i JOIN shops s ON s.id = i.shop_id"
	  " WHERE i.customer_id = ?1 ORDER BY i.id",
	  identity_cols, N(identity_cols), NULL, NULL, NULL, 0, 0 },
	/* Orders follow merges (orders.customer_id is the survivor). */
	{ "orders", "orders",
	  "SELECT o.id, o.ordered_at, s.name, o.order_no, o.status, o.total,"
	  " o.shipped_at, o.coupon, o.subscription, o.source_file, o.source_line"
	  " FROM orders o JOIN shops s ON s.id = o.shop_id"
	  " WHERE o.customer_id = ?1 ORDER BY o.ordered_at, o.id",
	  order_cols, N(order_cols), "items",
	  "SELECT sku, product, quantity, unit_price FROM order_items"
	  " WHERE order_id = ?1 ORDER BY line, id",
	  item_cols, N(item_cols), 0 },
	/* Deliveries stay with the customer they were made for.  The
	 * scenario steps are reached from the customer's enrolments: a join
	 * on scenario_log.delivery_id (not indexed) would make SQLite index
	 * the whole log for every crm-show. */
	{ "mails", "mails",
	  FAMILY ", sl(delivery_id, scenario, step) AS (SELECT l.delivery_id,"
	  " s.name, l.step FROM scenario_customers sc"
	  " JOIN scenarios s ON s.id = sc.scenario_id"
	  " JOIN scenario_log l ON l.sc_id = sc.id"
	  " WHERE sc.customer_id IN fam AND l.delivery_id IS NOT NULL)"
	  " SELECT d.updated_at, c.name, c.kind, sl.scenario, sl.step, d.status,"
	  " d.address, d.message_id, d.detail, d.attempts, d.created_at,"
	  " d.customer_id FROM deliveries d JOIN campaigns c ON c.id = d.campaign_id"
	  " LEFT JOIN sl ON sl.delivery_id = d.id"
	  " WHERE d.customer_id IN fam ORDER BY d.created_at, d.id",
	  mail_cols, N(mail_cols), NULL, NULL, NULL, 0, 0 },
	/* The steps of the version the customer was enrolled with (rule 7),
	 * each with what happened at it, if anything yet. */
	{ "scenarios", "scenarios",
	  FAMILY "SELECT s.name, sc.status, sc.step, sc.due, sc.via, sc.version,"
	  " sc.anchor, sc.note, sc.enrolled_at, sc.customer_id, sc.id"
	  " FROM scenario_customers sc JOIN scenarios s ON s.id = sc.scenario_id"
	  " WHERE sc.customer_id IN fam ORDER BY sc.enrolled_at, sc.id",
	  scenario_cols, N(scenario_cols), "steps",
	  "SELECT st.step, st.days, st.kind, st.template, l.outcome, l.at"
	  " FROM scenario_customers sc"
	  " JOIN scenario_steps st ON st.scenario_id = sc.scenario_id"
	  "  AND st.version = sc.version"
	  " LEFT JOIN scenario_log l ON l.sc_id = sc.id AND l.step = st.step"
	  " WHERE sc.id = ?1 ORDER BY st.step",
	  step_cols, N(step_cols), 10 },
};

/* ---- the card --------------------------------------------------------- */

#define CARD_LABEL_WIDTH 16   /* "caution reason" and two spaces */

static const struct scol card_cols[] = {
	{ "id", C_INT, NULL }, { "name", C_TEXT, NULL }, { "kana", C_TEXT, NULL },
	{ "email", C_TEXT, "email" }, { "phone", C_TEXT, "phone" },
	{ "postcode", C_TEXT, "postcode" }, { "prefecture", C_TEXT, "prefecture" },
	{ "address", C_TEXT, "address" }, { "birthday", C_TEXT, "birthday" },
	{ "member", C_BOOL, "member" }, { "member_id", C_TEXT, "member_id" },
	{ "registered_at", C_TEXT, "registered" },
	/* "orders" is the list of orders below */
	{ "order_count", C_INT, "orders" }, { "total", C_AMOUNT, "total" },
	{ "first_order", C_TEXT, "first order" },
	{ "last_order", C_TEXT, "last order" },
	{ "newsletter", C_BOOL, "newsletter" }, { "notices", C_BOOL, "notices" },
	{ "withdrawn", C_BOOL, "withdrawn" },
	{ "undeliverable", C_BOOL, "undeliverable" },
	{ "caution", C_BOOL, "caution" },
	{ "caution_reason", C_TEXT, "caution reason" },
	{ "undetermined", C_BOOL, "undetermined" },
	{ "created_at", C_TIME, NULL }, { "updated_at", C_TIME, NULL },
};

static const char card_sql[] =
    "SELECT id, name, kana, email, phone, postcode, prefecture, address,"
    " birthday, member, member_id, registered_at, orders, total, first_order,"
    " last_order, newsletter, notices, withdrawn, undeliverable, caution,"
    " caution_reason, undetermined, created_at, updated_at"
    " FROM customers WHERE id = ?1";

static int
tags(sqlite3 *db, int64_t id, FILE *fp, enum crm_show_fmt fmt,
    struct crm_err *err)
{
	sqlite3_stmt *st;
	int rc, n = 0;

	if (crm_db_prepare(db, "SELECT tag FROM tags WHERE customer_id = ?1"
	    " ORDER BY tag", &st, err) < 0)
		return -1;
	bind_id(st, id);
	if (fmt == CRM_SHOW_JSON)
		fputs(",\"tags\":[", fp);
	else
		fprintf(fp, "%-*s", CARD_LABEL_WIDTH, "tags");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(st, 0);

		if (n++)
			putc(fmt == CRM_SHOW_JSON ? ',' : ' ', fp);
		if (fmt == CRM_SHOW_JSON)
			crm_json_string(fp, t);
		else
			fputs(t, fp);
	}
	if (fmt == CRM_SHOW_TEXT && n == 0)
		fputs("none", fp);
	fputs(fmt == CRM_SHOW_JSON ? "]" : "\n", fp);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return crm_db_err(db, err, "tags");
	return 0;
}

static int
card(sqlite3 *db, int64_t id, int64_t merged_from, FILE *fp,
    enum crm_show_fmt fmt, struct crm_err *err)
{
	sqlite3_stmt *st;
	struct crm_buf b;
	int rc;

	if (crm_db_prepare(db, card_sql, &st, err) < 0)
		return -1;
	bind_id(st, id);
	if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
		sqlite3_finalize(st);
		if (rc == SQLITE_DONE)
			return crm_err_set(err, EX_SOFTWARE, "customer %" PRId64
			    ": gone", id);
		return crm_db_err(db, err, "customers");
	}
	if (fmt == CRM_SHOW_JSON) {
		putc('{', fp);
		json_object(fp, st, card_cols, N(card_cols));
		fputs(",\"merged_from\":", fp);
		if (merged_from > 0)
			fprintf(fp, "%" PRId64, merged_from);
		else
			fputs("null", fp);
		sqlite3_finalize(st);
		return tags(db, id, fp, fmt, err);
	}
	crm_buf_init(&b);
	fprintf(fp, "customer %" PRId64, id);
	for (int i = 1; i <= 2; i++) {
		text_value(&b, st, i, C_TEXT);
		if (b.len > 0)
			fprintf(fp, i == 1 ? "  %s" : " (%s)", b.s);
	}
	putc('\n', fp);
	if (merged_from > 0)
		fprintf(fp, "(customer %" PRId64 " was merged into %" PRId64 ")\n",
		    merged_from, id);
	for (size_t i = 0; i < N(card_cols); i++) {
		if (card_cols[i].label == NULL)
			continue;
		text_value(&b, st, (int)i, card_cols[i].type);
		/* A person reads "guest" more easily than "member no". */
		if (card_cols[i].type == C_BOOL && strcmp(card_cols[i].key,
		    "member") == 0 && b.len > 0 && strcmp(b.s, "no") == 0) {
			crm_buf_reset(&b);
			crm_buf_adds(&b, "no (guest)");
		}
		if (b.len == 0)   /* say nothing of what is not known */
			continue;
		fprintf(fp, "%-*s%s\n", CARD_LABEL_WIDTH, card_cols[i].label, b.s);
	}
	crm_buf_release(&b);
	sqlite3_finalize(st);
	return tags(db, id, fp, fmt, err);
}

int
crm_show_write(sqlite3 *db, int64_t id, int64_t merged_from, FILE *fp,
    enum crm_show_fmt fmt, struct crm_err *err)
{
	if (card(db, id, merged_from, fp, fmt, err) < 0)
		return -1;
	for (size_t i = 0; i < N(sections); i++)
		if (section(db, &sections[i], id, fp, fmt, err) < 0)
			return -1;
	if (fmt == CRM_SHOW_JSON)
		fputs("}\n", fp);
	return 0;
}

int
crm_show_candidates(sqlite3 *db, const struct crm_idlist *ids, FILE *fp,
    struct crm_err *err)
{
	static const struct crm_out_col cols[] = {
		{ "id", 1 }, { "name", 0 }, { "email", 0 }, { "phone", 0 },
		{ "orders", 1 }, { "last order", 0 },
	};
	sqlite3_stmt *st;
	struct crm_out *o;
	const char *vals[6];
	int rc = SQLITE_DONE;

	if (crm_db_prepare(db, "SELECT id, name, email, phone, orders, last_order"
	    " FROM customers WHERE id = ?1", &st, err) < 0)
		return -1;
	o = crm_out_open(fp, CRM_OUT_TABLE, cols, 6);
	for (size_t i = 0; i < ids->n; i++) {
		bind_id(st, ids->ids[i]);
		if ((rc = sqlite3_step(st)) != SQLITE_ROW)
			break;
		for (int k = 0; k < 6; k++)
			vals[k] = (const char *)sqlite3_column_text(st, k);
		crm_out_row(o, vals);
		rc = SQLITE_DONE;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		crm_out_close(o, err);
		return crm_db_err(db, err, "customers");
	}
	return crm_out_close(o, err);
}
