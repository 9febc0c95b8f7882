/* mail.c: one message of a campaign to one customer.
 *
 * The order of events is what makes a campaign safe to re-run:
 *   1. eligibility is read from the database now, not from the list the
 *      customer came in on (an opt-out between segment and send holds);
 *   2. the ledger row (UNIQUE campaign, customer) is committed as
 *      'sending' before a byte goes to the server, so a second run, or an
 *      overlapping one, sees it and does not send again;
 *   3. the row is set to the outcome after the server's reply.  A run
 *      killed between 2 and 3 leaves 'sending': unknown, not resent unless
 *      asked, because the server may well have the message. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "db.h"
#include "mail.h"
#include "mailconf.h"
#include "mime.h"
#include "optout.h"
#include "smtp.h"
#include "template.h"
#include "banned.h"

enum transport { T_SMTP, T_MBOX, T_MAILDIR, T_SENDMAIL };

struct pending {
	struct crm_mailer *m;
	int in_use;
	int64_t delivery_id, customer_id;
	crm_mail_done_fn done;
	void *arg;
};

struct crm_mailer {
	sqlite3 *db;
	enum transport type;
	struct crm_mailconf *conf;
	unsigned char *secret;
	size_t secret_len;
	struct crm_smtp *smtp;
	struct pending *pend;
	int npend;
	FILE *mbox;
	int mbox_is_stdout;
	char *maildir, *sendmail;
	long long nfile;
	int retry_unknown;
	double rate, t0;
	long long nqueued;
	int own_tx;               /* a ledger transaction of ours is open */
	int down;                 /* the server is unreachable: stop */
	char down_msg[300];
	char **var_names, **var_values;
	size_t nvars;
	const struct crm_template *checked;
	char *campaign;           /* the campaign whose id is cached */
	int64_t campaign_id;
	sqlite3_stmt *st_customer, *st_delivery, *st_insert, *st_retry,
	    *st_update, *st_undeliverable, *st_campaign_get, *st_campaign_ins,
	    *st_optout;
	struct crm_buf msg, tmp;
};

/* The customer as the template sees it. */
struct cust {
	int64_t id;
	char *name, *kana, *email, *last_order, *first_order;
	long long orders, total;
	int newsletter, notices, withdrawn, undeliverable;
	int64_t merged_into;
	char ids[24], sorders[24], stotal[32], slast[11], sfirst[11];
};

struct ctx {
	struct crm_mailer *m;
	const struct cust *c;     /* NULL while checking a template */
	const char *unsub;
};

static void
cust_release(struct cust *c)
{
	free(c->name);
	free(c->kana);
	free(c->email);
	free(c->last_order);
	free(c->first_order);
	memset(c, 0, sizeof *c);
}

static char *
col_dup(sqlite3_stmt *st, int i)
{
	const unsigned char *s = sqlite3_column_text(st, i);

	return s ? crm_xstrdup((const char *)s) : NULL;
}

/* 12345 -> "12,345", as a shop writes yen. */
static void
group_digits(long long v, char *out, size_t size)
{
	char raw[32], tmp[40];
	int n, i, j = 0, neg = v < 0;

	n = snprintf(raw, sizeof raw, "%lld", neg ? -v : v);
	if (neg)
		tmp[j++] = '-';
	for (i = 0; i < n; i++) {
		if (i > 0 && (n - i) % 3 == 0)
			tmp[j++] = ',';
		tmp[j++] = raw[i];
	}
	tmp[j] = '\0';
	crm_strlcpy(out, tmp, size);
}

static int
load_customer(struct crm_mailer *m, int64_t id, struct cust *c, int *found,
    struct crm_err *err)
{
	sqlite3_stmt *st = m->st_customer;
	int rc;

	memset(c, 0, sizeof *c);
	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		*found = 0;
		sqlite3_reset(st);
		return 0;
	}
	if (rc != SQLITE_ROW) {
		sqlite3_reset(st);
		return crm_db_err(m->db, err, "customers");
	}
	*found = 1;
	c->id = id;
	c->name = col_dup(st, 0);
	c->kana = col_dup(st, 1);
	c->email = col_dup(st, 2);
	c->orders = sqlite3_column_int64(st, 3);
	c->total = sqlite3_column_int64(st, 4);
	c->last_order = col_dup(st, 5);
	c->first_order = col_dup(st, 6);
	c->newsletter = sqlite3_column_int(st, 7);
	c->notices = sqlite3_column_int(st, 8);
	c->withdrawn = sqlite3_column_int(st, 9);
	c->undeliverable = sqlite3_column_int(st, 10);
	c->merged_into = sqlite3_column_int64(st, 11);
	sqlite3_reset(st);
	if (c->email != NULL)
		crm_trim(c->email);
	snprintf(c->ids, sizeof c->ids, "%lld", (long long)id);
	snprintf(c->sorders, sizeof c->sorders, "%lld", c->orders);
	group_digits(c->total, c->stotal, sizeof c->stotal);
	crm_strlcpy(c->slast, c->last_order ? c->last_order : "", sizeof c->slast);
	crm_strlcpy(c->sfirst, c->first_order ? c->first_order : "", sizeof c->sfirst);
	return 0;
}

static const char *
var_value(const struct crm_mailer *m, const char *name)
{
	size_t i;

	for (i = m->nvars; i > 0; i--)
		if (strcmp(m->var_names[i - 1], name) == 0)
			return m->var_values[i - 1];
	return crm_mailconf_var(m->conf, name);
}

static const char *
lookup(void *arg, const char *name, int *known)
{
	struct ctx *x = arg;
	const struct cust *c = x->c;
	const char *v;

	*known = 1;
	if (strcmp(name, "shop") == 0) {
		v = var_value(x->m, "shop");
		return v ? v : x->m->conf->shop;
	}
	if ((v = var_value(x->m, name)) != NULL)
		return v;
	if (strcmp(name, "coupon") == 0)
		return NULL;
	if (strcmp(name, "unsubscribe_url") == 0)
		return x->unsub ? x->unsub : "";
	if (strcmp(name, "name") == 0)
		return c && c->name ? c->name : "";
	if (strcmp(name, "kana") == 0)
		return c && c->kana ? c->kana : "";
	if (strcmp(name, "email") == 0)
		return c && c->email ? c->email : "";
	if (strcmp(name, "id") == 0)
		return c ? c->ids : "";
	if (strcmp(name, "orders") == 0)
		return c ? c->sorders : "";
	if (strcmp(name, "total") == 0)
		return c ? c->stotal : "";
	if (strcmp(name, "last_order") == 0)
		return c ? c->slast : "";
	if (strcmp(name, "first_order") == 0)
		return c ? c->sfirst : "";
	if (strcmp(name, "repeat") == 0)
		return c && c->orders >= 2 ? "1" : "";
	*known = 0;
	return NULL;
}

static int
prep(struct crm_mailer *m, const char *sql, sqlite3_stmt **st, struct crm_err *err)
{
	if (sqlite3_prepare_v3(m->db, sql, -1, SQLITE_PREPARE_PERSISTENT, st,
	    NULL) != SQLITE_OK) {
		*st = NULL;
		return crm_db_err(m->db, err, "database");
	}
	return 0;
}

int
crm_mailer_open(sqlite3 *db, const struct crm_transport_opts *o,
    struct crm_mailer **out, struct crm_err *err)
{
	struct crm_mailer *m;
	int ntrans = 0;
	size_t i;

	*out = NULL;
	ntrans = !crm_empty(o->smtp_url) + !crm_empty(o->mbox) +
	    !crm_empty(o->maildir) + (o->sendmail != NULL);
	if (ntrans > 1)
		return crm_err_set(err, EX_USAGE, "give one of --smtp, --mbox, "
		    "--maildir, --sendmail");
	m = crm_xcalloc(1, sizeof *m);
	m->db = db;
	crm_buf_init(&m->msg);
	crm_buf_init(&m->tmp);
	m->retry_unknown = o->retry_unknown;
	if (crm_mailconf_load(o->config, &m->conf, err) < 0)
		goto fail;
	for (i = 0; i < o->nvars; i++) {
		const char *eq = strchr(o->vars[i], '=');
		if (eq == NULL || eq == o->vars[i]) {
			crm_err_set(err, EX_USAGE, "--var: '%s' is not NAME=VALUE",
			    o->vars[i]);
			goto fail;
		}
		for (const char *q = o->vars[i]; q < eq; q++)
			if (!((*q >= 'a' && *q <= 'z') || *q == '_' ||
			    (q > o->vars[i] && *q >= '0' && *q <= '9'))) {
				crm_err_set(err, EX_USAGE, "--var %.*s: a field name is "
				    "lower-case letters, digits and _",
				    (int)(eq - o->vars[i]), o->vars[i]);
				goto fail;
			}
		if (strchr(eq, '\n') || strchr(eq, '\r')) {
			crm_err_set(err, EX_USAGE, "--var %.*s: CR or LF in a value is "
			    "refused", (int)(eq - o->vars[i]), o->vars[i]);
			goto fail;
		}
		m->var_names = crm_xreallocarray(m->var_names, m->nvars + 1, sizeof (char *));
		m->var_values = crm_xreallocarray(m->var_values, m->nvars + 1, sizeof (char *));
		m->var_names[m->nvars] = crm_xstrndup(o->vars[i], (size_t)(eq - o->vars[i]));
		m->var_values[m->nvars] = crm_xstrdup(eq + 1);
		m->nvars++;
	}
	m->rate = o->rate > 0 ? o->rate : m->conf->rate;
	if (!crm_empty(o->mbox)) {
		m->type = T_MBOX;
		if (strcmp(o->mbox, "-") == 0) {
			m->mbox = stdout;
			m->mbox_is_stdout = 1;
		} else if ((m->mbox = fopen(o->mbox, "a")) == NULL) {
			crm_err_set(err, EX_CANTCREAT, "%s: %s", o->mbox, strerror(errno));
			goto fail;
		}
	} else if (!crm_empty(o->maildir)) {
		static const char *const sub[] = { "", "/tmp", "/new", "/cur" };
		m->type = T_MAILDIR;
		m->maildir = crm_xstrdup(o->maildir);
		for (i = 0; i < 4; i++) {
			struct crm_buf b;
			crm_buf_init(&b);
			crm_buf_addf(&b, "%s%s", o->maildir, sub[i]);
			if (mkdir(b.s, 0700) < 0 && errno != EEXIST) {
				crm_err_set(err, EX_CANTCREAT, "%s: %s", b.s, strerror(errno));
				crm_buf_release(&b);
				goto fail;
			}
			crm_buf_release(&b);
		}
	} else if (o->sendmail != NULL) {
		m->type = T_SENDMAIL;
		m->sendmail = crm_xstrdup(*o->sendmail ? o->sendmail :
		    m->conf->sendmail ? m->conf->sendmail : "/usr/sbin/sendmail");
	} else {
		struct crm_smtp_opts so;
		const char *url = !crm_empty(o->smtp_url) ? o->smtp_url : m->conf->smtp;

		if (crm_empty(url)) {
			crm_err_set(err, EX_USAGE, "no transport: give --smtp URL, "
			    "--mbox FILE, --maildir DIR or --sendmail (or smtp in %s)",
			    m->conf->path ? m->conf->path : "crm.conf");
			goto fail;
		}
		memset(&so, 0, sizeof so);
		so.url = url;
		so.cacert = !crm_empty(o->cacert) ? o->cacert : m->conf->cacert;
		so.user = m->conf->smtp_user;
		so.password = m->conf->smtp_password;
		so.connections = o->connections > 0 ? o->connections :
		    m->conf->connections > 0 ? m->conf->connections : 1;
		m->type = T_SMTP;
		if (crm_smtp_open(&so, &m->smtp, err) < 0)
			goto fail;
		m->npend = so.connections;
	}
	if (m->npend == 0)
		m->npend = 1;
	m->pend = crm_xcalloc((size_t)m->npend, sizeof *m->pend);
	if (crm_mailconf_secret(m->conf, 1, &m->secret, &m->secret_len, err) < 0)
		goto fail;
	if (prep(m, "SELECT name, kana, email, orders, total, last_order, "
	    "first_order, newsletter, notices, withdrawn, undeliverable, "
	    "merged_into FROM customers WHERE id = ?", &m->st_customer, err) < 0 ||
	    prep(m, "SELECT id, status FROM deliveries WHERE campaign_id = ? "
	    "AND customer_id = ?", &m->st_delivery, err) < 0 ||
	    prep(m, "INSERT INTO deliveries (campaign_id, customer_id, address, "
	    "message_id, status, attempts, created_at, updated_at) VALUES "
	    "(?, ?, ?, ?, 'sending', 1, ?, ?)", &m->st_insert, err) < 0 ||
	    /* The status test makes two runs retrying at once race safely:
	     * only one of them changes the row. */
	    prep(m, "UPDATE deliveries SET status = 'sending', address = ?, "
	    "attempts = attempts + 1, detail = NULL, updated_at = ? "
	    "WHERE id = ? AND status = ?", &m->st_retry, err) < 0 ||
	    prep(m, "UPDATE deliveries SET status = ?, detail = ?, updated_at = ? "
	    "WHERE id = ?", &m->st_update, err) < 0 ||
	    prep(m, "UPDATE customers SET undeliverable = 1, updated_at = ? "
	    "WHERE id = ?", &m->st_undeliverable, err) < 0 ||
	    prep(m, "SELECT id FROM campaigns WHERE name = ?", &m->st_campaign_get,
	    err) < 0 ||
	    prep(m, "INSERT OR IGNORE INTO campaigns (name, template, kind, "
	    "created_at) VALUES (?, ?, ?, ?)", &m->st_campaign_ins, err) < 0 ||
	    crm_optout_is_out_prepare(db, &m->st_optout, err) < 0)
		goto fail;
	m->t0 = crm_now();
	*out = m;
	return 0;
fail:
	crm_mailer_close(m);
	return -1;
}

void
crm_mailer_close(struct crm_mailer *m)
{
	size_t i;

	if (m == NULL)
		return;
	if (m->smtp != NULL) {
		struct crm_err e;

		/* The callers' callbacks may be gone by now: finish quietly. */
		for (int k = 0; k < m->npend; k++)
			m->pend[k].done = NULL;
		crm_mail_flush(m, &e);
		crm_smtp_close(m->smtp);
	}
	if (m->mbox != NULL && !m->mbox_is_stdout)
		fclose(m->mbox);
	sqlite3_finalize(m->st_customer);
	sqlite3_finalize(m->st_delivery);
	sqlite3_finalize(m->st_insert);
	sqlite3_finalize(m->st_retry);
	sqlite3_finalize(m->st_update);
	sqlite3_finalize(m->st_undeliverable);
	sqlite3_finalize(m->st_campaign_get);
	sqlite3_finalize(m->st_campaign_ins);
	sqlite3_finalize(m->st_optout);
	for (i = 0; i < m->nvars; i++) {
		free(m->var_names[i]);
		free(m->var_values[i]);
	}
	free(m->var_names);
	free(m->var_values);
	if (m->secret != NULL) {
		explicit_bzero(m->secret, m->secret_len);
		free(m->secret);
	}
	crm_mailconf_free(m->conf);
	free(m->pend);
	free(m->maildir);
	free(m->sendmail);
	free(m->campaign);
	crm_buf_release(&m->msg);
	crm_buf_release(&m->tmp);
	free(m);
}

int
crm_mailer_dry_run(const struct crm_mailer *m)
{
	return m->type == T_MBOX || m->type == T_MAILDIR;
}

int
crm_mailer_one_click(const struct crm_mailer *m)
{
	return !crm_empty(m->conf->unsubscribe_url);
}

int
crm_mailer_check(struct crm_mailer *m, const struct crm_template *t,
    struct crm_err *err)
{
	struct ctx x = { m, NULL, NULL };

	if (m->checked == t)
		return 0;
	if (crm_template_check(t, lookup, &x, err) < 0)
		return -1;
	if (!crm_template_has(t, CRM_TPL_FROM) && crm_empty(m->conf->from))
		return crm_err_set(err, EX_DATAERR, "%s: no From: header, and no "
		    "from in %s", crm_template_path(t),
		    m->conf->path ? m->conf->path : "crm.conf");
	m->checked = t;
	return 0;
}

static int
campaign_id(struct crm_mailer *m, const char *name, const struct crm_template *t,
    int create, int64_t *id, struct crm_err *err)
{
	int rc;
	char now[20];

	if (m->campaign != NULL && strcmp(m->campaign, name) == 0 && m->campaign_id) {
		*id = m->campaign_id;
		return 0;
	}
	for (int pass = 0; pass < 2; pass++) {
		sqlite3_reset(m->st_campaign_get);
		crm_db_bind_text(m->st_campaign_get, 1, name);
		rc = sqlite3_step(m->st_campaign_get);
		if (rc == SQLITE_ROW) {
			*id = sqlite3_column_int64(m->st_campaign_get, 0);
			sqlite3_reset(m->st_campaign_get);
			free(m->campaign);
			m->campaign = crm_xstrdup(name);
			m->campaign_id = *id;
			return 0;
		}
		sqlite3_reset(m->st_campaign_get);
		if (rc != SQLITE_DONE)
			return crm_db_err(m->db, err, "campaigns");
		if (!create || pass == 1) {
			*id = 0;
			return 0;
		}
		crm_db_now(now);
		sqlite3_reset(m->st_campaign_ins);
		crm_db_bind_text(m->st_campaign_ins, 1, name);
		crm_db_bind_text(m->st_campaign_ins, 2, crm_template_path(t));
		crm_db_bind_text(m->st_campaign_ins, 3, crm_template_kind(t));
		crm_db_bind_text(m->st_campaign_ins, 4, now);
		rc = sqlite3_step(m->st_campaign_ins);
		sqlite3_reset(m->st_campaign_ins);
		if (rc != SQLITE_DONE)
			return crm_db_err(m->db, err, "campaigns");
	}
	return 0;
}

/* Why c may not be mailed kind now, or NULL. */
static const char *
ineligible(struct crm_mailer *m, const struct cust *c, const char *kind,
    struct crm_err *err, int *fail)
{
	int out = 0;

	*fail = 0;
	if (c->merged_into != 0)
		return "merged into another customer";
	if (c->withdrawn)
		return "withdrawn";
	if (c->undeliverable)
		return "undeliverable";
	if (crm_empty(c->email))
		return "no address";
	if (!crm_mime_addr_ok(c->email))
		return "bad address";
	if (crm_optout_is_out_st(m->db, m->st_optout, c->id, kind, &out, err) < 0) {
		*fail = 1;
		return NULL;
	}
	if (out)
		return "opted out";
	if (!(strcmp(kind, "notices") == 0 ? c->notices : c->newsletter))
		return "not opted in";
	return NULL;
}

static void
unsub_url(struct crm_mailer *m, const char *kind, const struct cust *c,
    const char *from_addr, struct crm_buf *out)
{
	char tok[CRM_TOKEN_MAX];
	const char *base = m->conf->unsubscribe_url;

	crm_optout_token(m->secret, m->secret_len, c->id, kind, tok);
	if (!crm_empty(base))
		crm_buf_addf(out, "%s%ct=%s", base, strchr(base, '?') ? '&' : '?', tok);
	else
		crm_buf_addf(out, "mailto:%s?subject=unsubscribe%%20%s", from_addr, tok);
}

/* Build the message for c into m->msg; *from_addr gets the envelope
 * sender (malloc'd).  Data errors that come from this customer's own
 * fields return 1 with err set (the message is refused, the run goes on);
 * template and configuration errors return -1. */
static int
build(struct crm_mailer *m, const char *campaign, const struct crm_template *t,
    const struct cust *c, char **from_addr, char *msgid, size_t msgidsz,
    struct crm_err *err)
{
	struct crm_buf *b = &m->msg, v, unsub, text, html;
	struct ctx x = { m, c, NULL };
	char *disp = NULL, *addr = NULL, date[40];
	const char *domain;
	int rc = -1, hdr_rc;

	*from_addr = NULL;
	crm_buf_init(&v);
	crm_buf_init(&unsub);
	crm_buf_init(&text);
	crm_buf_init(&html);
	crm_buf_reset(b);

	/* From first: the unsubscribe mailto: and Message-ID need it. */
	if (crm_template_has(t, CRM_TPL_FROM)) {
		if (crm_template_render(t, CRM_TPL_FROM, lookup, &x, 1, &v, err) < 0)
			goto out;
	} else
		crm_buf_adds(&v, m->conf->from);
	if (crm_mime_parse_address(v.s, &disp, &addr, err) < 0) {
		crm_err_prefix(err, "%s: From: ", crm_template_path(t));
		goto out;
	}
	domain = !crm_empty(m->conf->domain) ? m->conf->domain
	    : crm_mime_addr_domain(addr);
	crm_mime_message_id(msgid, msgidsz, campaign, c->id, domain);
	unsub_url(m, crm_template_kind(t), c, addr, &unsub);
	x.unsub = unsub.s;

	crm_mime_date(date, time(NULL));
	crm_buf_addf(b, "Date: %s\r\n", date);
	if (crm_mime_address_header(b, "From", disp, addr, err) < 0)
		goto out;
	/* A header that the customer's data breaks refuses this message only. */
	hdr_rc = crm_mime_address_header(b, "To", c->name, c->email, err);
	if (hdr_rc < 0) {
		rc = 1;
		goto out;
	}
	crm_buf_reset(&v);
	if (crm_template_has(t, CRM_TPL_REPLY_TO)) {
		if (crm_template_render(t, CRM_TPL_REPLY_TO, lookup, &x, 1, &v, err) < 0)
			goto out;
	} else if (!crm_empty(m->conf->reply_to))
		crm_buf_adds(&v, m->conf->reply_to);
	if (v.len > 0) {
		char *rd = NULL, *ra = NULL;
		if (crm_mime_parse_address(v.s, &rd, &ra, err) < 0) {
			crm_err_prefix(err, "%s: Reply-To: ", crm_template_path(t));
			goto out;
		}
		hdr_rc = crm_mime_address_header(b, "Reply-To", rd, ra, err);
		free(rd);
		free(ra);
		if (hdr_rc < 0)
			goto out;
	}
	crm_buf_reset(&v);
	if (crm_template_render(t, CRM_TPL_SUBJECT, lookup, &x, 1, &v, err) < 0)
		goto out;
	if (crm_mime_header(b, "Subject", v.s ? v.s : "", err) < 0) {
		crm_err_prefix(err, "%s: ", crm_template_path(t));
		rc = 1;
		goto out;
	}
	crm_buf_addf(b, "Message-ID: %s\r\n", msgid);
	crm_buf_adds(b, "MIME-Version: 1.0\r\n");
	crm_buf_addf(b, "List-Unsubscribe: <%s>\r\n", unsub.s);
	/* RFC 8058 one-click needs an HTTPS URI that takes a POST. */
	if (strncmp(unsub.s, "https://", 8) == 0 || strncmp(unsub.s, "http://", 7) == 0)
		crm_buf_adds(b, "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n");
	if (strcmp(crm_template_kind(t), "newsletter") == 0)
		crm_buf_adds(b, "Precedence: bulk\r\n");

	if (crm_template_render(t, CRM_TPL_TEXT, lookup, &x, 1, &text, err) < 0)
		goto out;
	if (crm_template_has(t, CRM_TPL_HTML)) {
		char boundary[64];

		if (crm_template_render(t, CRM_TPL_HTML, lookup, &x, 1, &html, err) < 0)
			goto out;
		/* "=_" cannot occur in QP or base64 text, so no body can
		 * contain the boundary. */
		snprintf(boundary, sizeof boundary, "=_crm_%.24s", msgid + 1);
		for (char *p = boundary; *p; p++)
			if (*p == '@' || *p == '>')
				*p = '_';
		crm_buf_addf(b, "Content-Type: multipart/alternative;\r\n"
		    " boundary=\"%s\"\r\n\r\n", boundary);
		crm_buf_adds(b, "This is a multi-part message in MIME format.\r\n");
		crm_buf_addf(b, "\r\n--%s\r\n", boundary);
		crm_mime_part(b, "plain", text.s ? text.s : "", text.len);
		crm_buf_addf(b, "\r\n--%s\r\n", boundary);
		crm_mime_part(b, "html", html.s ? html.s : "", html.len);
		crm_buf_addf(b, "\r\n--%s--\r\n", boundary);
	} else
		crm_mime_part(b, "plain", text.s ? text.s : "", text.len);
	*from_addr = addr;
	addr = NULL;
	rc = 0;
out:
	free(disp);
	free(addr);
	crm_buf_release(&v);
	crm_buf_release(&unsub);
	crm_buf_release(&text);
	crm_buf_release(&html);
	return rc;
}

/* CRLF -> LF, and mboxrd quoting of "From " lines when mbox is set. */
static void
to_unix(const char *s, size_t n, int mbox, struct crm_buf *out)
{
	size_t i = 0;

	crm_buf_reset(out);
	while (i < n) {
		const char *nl = memchr(s + i, '\n', n - i);
		size_t end = nl ? (size_t)(nl - s) : n, len = end - i, k = 0;

		if (len > 0 && s[end - 1] == '\r' && nl)
			len--;
		while (k < len && s[i + k] == '>')
			k++;
		if (mbox && len - k >= 5 && memcmp(s + i + k, "From ", 5) == 0)
			crm_buf_addc(out, '>');
		crm_buf_add(out, s + i, len);
		crm_buf_addc(out, '\n');
		i = nl ? end + 1 : n;
	}
}

static int
write_mbox(struct crm_mailer *m, const char *from, struct crm_err *err)
{
	char date[32];
	time_t now = time(NULL);
	struct tm tm;

	localtime_r(&now, &tm);
	strftime(date, sizeof date, "%a %b %e %H:%M:%S %Y", &tm);
	to_unix(m->msg.s, m->msg.len, 1, &m->tmp);
	if (fprintf(m->mbox, "From %s %s\n", from, date) < 0 ||
	    fwrite(m->tmp.s, 1, m->tmp.len, m->mbox) != m->tmp.len ||
	    fputc('\n', m->mbox) == EOF || fflush(m->mbox) != 0)
		return crm_err_set(err, EX_IOERR, "mbox: %s", strerror(errno));
	return 0;
}

static int
write_maildir(struct crm_mailer *m, struct crm_err *err)
{
	struct crm_buf tmp, new;
	char host[64];
	int fd, rc = -1;

	if (gethostname(host, sizeof host) < 0)
		crm_strlcpy(host, "localhost", sizeof host);
	host[sizeof host - 1] = '\0';
	for (char *p = host; *p; p++)
		if (*p == '/' || *p == ':')
			*p = '_';
	crm_buf_init(&tmp);
	crm_buf_init(&new);
	crm_buf_addf(&tmp, "%s/tmp/%lld.P%ldQ%lld.%s", m->maildir,
	    (long long)time(NULL), (long)getpid(), ++m->nfile, host);
	crm_buf_addf(&new, "%s/new/%lld.P%ldQ%lld.%s", m->maildir,
	    (long long)time(NULL), (long)getpid(), m->nfile, host);
	to_unix(m->msg.s, m->msg.len, 0, &m->tmp);
	fd = open(tmp.s, O_WRONLY | O_CREAT | O_EXCL, 0600);
	if (fd < 0 || write(fd, m->tmp.s, m->tmp.len) != (ssize_t)m->tmp.len ||
	    close(fd) < 0) {
		crm_err_set(err, EX_IOERR, "%s: %s", tmp.s, strerror(errno));
		goto out;
	}
	if (rename(tmp.s, new.s) < 0) {
		crm_err_set(err, EX_IOERR, "%s: %s", new.s, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	crm_buf_release(&tmp);
	crm_buf_release(&new);
	return rc;
}

/* sendmail -oi -f FROM -- RCPT, the message on its stdin; no shell. */
static int
run_sendmail(struct crm_mailer *m, const char *from, const char *rcpt,
    struct crm_smtp_done *d)
{
	int p[2], status;
	pid_t pid;
	size_t off = 0;
	void (*old)(int);

	memset(d, 0, sizeof *d);
	if (pipe(p) < 0)
		goto down;
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		goto down;
	}
	if (pid == 0) {
		close(p[1]);
		if (dup2(p[0], 0) < 0)
			_exit(127);
		close(p[0]);
		execl(m->sendmail, m->sendmail, "-oi", "-f", from, "--", rcpt,
		    (char *)NULL);
		_exit(127);
	}
	close(p[0]);
	to_unix(m->msg.s, m->msg.len, 0, &m->tmp);
	old = signal(SIGPIPE, SIG_IGN);
	while (off < m->tmp.len) {
		ssize_t w = write(p[1], m->tmp.s + off, m->tmp.len - off);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		off += (size_t)w;
	}
	close(p[1]);
	signal(SIGPIPE, old);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			goto down;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0 && off == m->tmp.len) {
		d->outcome = CRM_SMTP_OK;
		crm_strlcpy(d->text, "accepted by sendmail", sizeof d->text);
	} else if (WIFEXITED(status) && WEXITSTATUS(status) == 127) {
		snprintf(d->text, sizeof d->text, "%s: cannot run", m->sendmail);
		d->outcome = CRM_SMTP_DOWN;
	} else if (WIFEXITED(status) && WEXITSTATUS(status) == EX_TEMPFAIL) {
		d->outcome = CRM_SMTP_TEMP;
		snprintf(d->text, sizeof d->text, "sendmail exit %d", EX_TEMPFAIL);
	} else if (WIFEXITED(status)) {
		d->outcome = CRM_SMTP_PERM;
		snprintf(d->text, sizeof d->text, "sendmail exit %d",
		    WEXITSTATUS(status));
	} else {
		d->outcome = CRM_SMTP_UNKNOWN;
		snprintf(d->text, sizeof d->text, "sendmail killed by signal %d",
		    WTERMSIG(status));
	}
	return 0;
down:
	d->outcome = CRM_SMTP_DOWN;
	snprintf(d->text, sizeof d->text, "sendmail: %s", strerror(errno));
	return 0;
}

/* Ledger writes are batched: the outcomes of finished messages are
 * written in an open transaction that is committed together with the
 * next 'sending' row (which has to be committed before its SMTP
 * transaction anyway), before any wait, and at flush.  A run killed in
 * between leaves those rows 'sending', reported unknown: the safe side.
 * Inside a caller's transaction we write into it and commit nothing. */
static void
tx_open(struct crm_mailer *m)
{
	if (m->own_tx || !sqlite3_get_autocommit(m->db))
		return;
	if (sqlite3_exec(m->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK)
		m->own_tx = 1;
}

static int
tx_commit(struct crm_mailer *m, struct crm_err *err)
{
	if (!m->own_tx)
		return 0;
	m->own_tx = 0;
	if (sqlite3_exec(m->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		crm_db_err(m->db, err, "deliveries");
		crm_db_rollback(m->db);
		return -1;
	}
	return 0;
}

static int
update_row(struct crm_mailer *m, int64_t did, const char *status,
    const char *detail)
{
	char now[20];
	int rc;

	crm_db_now(now);
	sqlite3_reset(m->st_update);
	crm_db_bind_text(m->st_update, 1, status);
	crm_db_bind_text_null(m->st_update, 2, detail);
	crm_db_bind_text(m->st_update, 3, now);
	sqlite3_bind_int64(m->st_update, 4, did);
	rc = sqlite3_step(m->st_update);
	sqlite3_reset(m->st_update);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* The server's verdict on one message, into the ledger and to the caller.
 * A database error here is reported through the result: the row stays
 * 'sending', which is the truth as far as the ledger can tell. */
static void
finish(struct crm_mailer *m, struct pending *p, const struct crm_smtp_done *d)
{
	struct crm_send_result res;
	const char *status = NULL;

	memset(&res, 0, sizeof res);
	res.delivery_id = p->delivery_id;
	crm_strlcpy(res.reason, d->text, sizeof res.reason);
	switch (d->outcome) {
	case CRM_SMTP_OK:
		res.status = CRM_SEND_SENT;
		status = "sent";
		break;
	case CRM_SMTP_TEMP:
		res.status = CRM_SEND_DEFERRED;
		status = "deferred";
		break;
	case CRM_SMTP_PERM:
		res.status = CRM_SEND_FAILED;
		status = "failed";
		break;
	case CRM_SMTP_UNKNOWN:
		res.status = CRM_SEND_UNKNOWN;
		status = NULL;   /* stays 'sending' */
		break;
	case CRM_SMTP_DOWN:
		/* Nothing reached a mailbox: a later run tries again. */
		res.status = CRM_SEND_DEFERRED;
		status = "deferred";
		if (!m->down) {
			m->down = 1;
			crm_strlcpy(m->down_msg, d->text, sizeof m->down_msg);
		}
		break;
	}
	if (p->delivery_id > 0) {
		tx_open(m);
		if (status != NULL) {
			if (update_row(m, p->delivery_id, status, d->text) < 0)
				res.status = CRM_SEND_UNKNOWN;
		} else
			update_row(m, p->delivery_id, "sending", d->text);
		if (d->outcome == CRM_SMTP_PERM && d->no_such_user) {
			char now[20];
			crm_db_now(now);
			sqlite3_reset(m->st_undeliverable);
			crm_db_bind_text(m->st_undeliverable, 1, now);
			sqlite3_bind_int64(m->st_undeliverable, 2, p->customer_id);
			sqlite3_step(m->st_undeliverable);
			sqlite3_reset(m->st_undeliverable);
			crm_strlcpy(res.reason, d->text, sizeof res.reason);
		}
	}
	p->in_use = 0;
	if (p->done != NULL)
		p->done(p->arg, p->customer_id, &res);
}

static void
smtp_done(void *arg, const struct crm_smtp_done *d)
{
	struct pending *p = d->tag;

	finish(arg, p, d);
}

static struct pending *
free_pending(struct crm_mailer *m)
{
	int i;

	for (i = 0; i < m->npend; i++)
		if (!m->pend[i].in_use)
			return &m->pend[i];
	return NULL;
}

static void
report(crm_mail_done_fn done, void *arg, int64_t id, enum crm_send_status s,
    const char *reason, int64_t did)
{
	struct crm_send_result res;

	memset(&res, 0, sizeof res);
	res.status = s;
	res.delivery_id = did;
	crm_strlcpy(res.reason, reason ? reason : "", sizeof res.reason);
	if (done != NULL)
		done(arg, id, &res);
}

/* Wait (driving SMTP transfers meanwhile) until the rate limit allows the
 * next message. */
static int
pace(struct crm_mailer *m, struct crm_err *err)
{
	double target, now;

	if (m->rate <= 0)
		return 0;
	target = m->t0 + (double)m->nqueued / m->rate;
	if (crm_now() < target && tx_commit(m, err) < 0)
		return -1;
	while ((now = crm_now()) < target) {
		int ms = (int)((target - now) * 1000) + 1;
		if (m->smtp != NULL && crm_smtp_busy(m->smtp) > 0) {
			/* Outcomes that come in meanwhile are committed at once:
			 * no write lock is held across the wait. */
			if (crm_smtp_wait(m->smtp, ms, smtp_done, m, err) < 0 ||
			    tx_commit(m, err) < 0)
				return -1;
		} else {
			struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
			nanosleep(&ts, NULL);
		}
	}
	return 0;
}

int
crm_mail_queue(struct crm_mailer *m, const char *campaign,
    const struct crm_template *t, int64_t cid, crm_mail_done_fn done,
    void *arg, struct crm_err *err)
{
	struct cust c;
	struct pending *p;
	const char *why, *kind = crm_template_kind(t);
	char msgid[160], now[20], *from = NULL;
	int found, fail, rc, dry = crm_mailer_dry_run(m);
	int64_t camp = 0, did = 0;
	char status[16] = "";

	if (m->down)
		return crm_err_set(err, EX_UNAVAILABLE, "%s", m->down_msg);
	if (crm_mailer_check(m, t, err) < 0)
		return -1;
	if (campaign_id(m, campaign, t, !dry, &camp, err) < 0)
		return -1;
	if (load_customer(m, cid, &c, &found, err) < 0)
		return -1;
	if (!found) {
		report(done, arg, cid, CRM_SEND_SKIPPED, "no such customer", 0);
		return 0;
	}
	/* The ledger first: a customer already mailed is "already" even if
	 * they opted out since. */
	if (camp != 0) {
		sqlite3_reset(m->st_delivery);
		sqlite3_bind_int64(m->st_delivery, 1, camp);
		sqlite3_bind_int64(m->st_delivery, 2, cid);
		rc = sqlite3_step(m->st_delivery);
		if (rc == SQLITE_ROW) {
			did = sqlite3_column_int64(m->st_delivery, 0);
			crm_strlcpy(status, (const char *)sqlite3_column_text(m->st_delivery, 1),
			    sizeof status);
		}
		sqlite3_reset(m->st_delivery);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
			cust_release(&c);
			return crm_db_err(m->db, err, "deliveries");
		}
	}
	if (did != 0 && strcmp(status, "deferred") != 0 &&
	    !(strcmp(status, "sending") == 0 && m->retry_unknown)) {
		if (strcmp(status, "sending") == 0)
			report(done, arg, cid, CRM_SEND_UNKNOWN, "unknown: an earlier "
			    "run stopped while sending (--retry-unknown resends)", did);
		else
			report(done, arg, cid, CRM_SEND_ALREADY, status, did);
		cust_release(&c);
		return 0;
	}
	why = ineligible(m, &c, kind, err, &fail);
	if (fail) {
		cust_release(&c);
		return -1;
	}
	if (why != NULL) {
		report(done, arg, cid, CRM_SEND_SKIPPED, why, did);
		cust_release(&c);
		return 0;
	}
	rc = build(m, campaign, t, &c, &from, msgid, sizeof msgid, err);
	if (rc < 0) {
		cust_release(&c);
		return -1;
	}
	if (rc == 1) {
		/* This customer's data would break the headers: refused. */
		char reason[256];

		crm_strlcpy(reason, err->msg, sizeof reason);
		crm_err_clear(err);
		if (!dry) {
			crm_db_now(now);
			if (did == 0) {
				sqlite3_reset(m->st_insert);
				sqlite3_bind_int64(m->st_insert, 1, camp);
				sqlite3_bind_int64(m->st_insert, 2, cid);
				crm_db_bind_text(m->st_insert, 3, c.email);
				crm_mime_message_id(msgid, sizeof msgid, campaign, cid, "invalid");
				crm_db_bind_text(m->st_insert, 4, msgid);
				crm_db_bind_text(m->st_insert, 5, now);
				crm_db_bind_text(m->st_insert, 6, now);
				if (sqlite3_step(m->st_insert) == SQLITE_DONE)
					did = sqlite3_last_insert_rowid(m->db);
				sqlite3_reset(m->st_insert);
			}
			if (did != 0)
				update_row(m, did, "failed", reason);
		}
		report(done, arg, cid, CRM_SEND_FAILED, reason, did);
		cust_release(&c);
		return 0;
	}
	/* A free connection first, so that a server found down meanwhile
	 * leaves no row behind for this customer. */
	if (m->type == T_SMTP) {
		while (crm_smtp_free_slots(m->smtp) == 0) {
			if (tx_commit(m, err) < 0 ||
			    crm_smtp_wait(m->smtp, -1, smtp_done, m, err) < 0)
				goto fail;
		}
		if (m->down) {
			crm_err_set(err, EX_UNAVAILABLE, "%s", m->down_msg);
			goto fail;
		}
	}
	/* The rate limit before the ledger row, so that a run killed while it
	 * waits leaves no row behind. */
	if (pace(m, err) < 0)
		goto fail;
	/* The ledger row, committed before the SMTP transaction starts. */
	if (!dry) {
		tx_open(m);
		crm_db_now(now);
		if (did == 0) {
			sqlite3_reset(m->st_insert);
			sqlite3_bind_int64(m->st_insert, 1, camp);
			sqlite3_bind_int64(m->st_insert, 2, cid);
			crm_db_bind_text(m->st_insert, 3, c.email);
			crm_db_bind_text(m->st_insert, 4, msgid);
			crm_db_bind_text(m->st_insert, 5, now);
			crm_db_bind_text(m->st_insert, 6, now);
			rc = sqlite3_step(m->st_insert);
			sqlite3_reset(m->st_insert);
			if ((rc & 0xff) == SQLITE_CONSTRAINT) {
				report(done, arg, cid, CRM_SEND_ALREADY,
				    "being sent by another run", 0);
				goto skip;
			}
			if (rc != SQLITE_DONE) {
				crm_db_err(m->db, err, "deliveries");
				goto fail;
			}
			did = sqlite3_last_insert_rowid(m->db);
		} else {
			sqlite3_reset(m->st_retry);
			crm_db_bind_text(m->st_retry, 1, c.email);
			crm_db_bind_text(m->st_retry, 2, now);
			sqlite3_bind_int64(m->st_retry, 3, did);
			crm_db_bind_text(m->st_retry, 4, status);
			rc = sqlite3_step(m->st_retry);
			sqlite3_reset(m->st_retry);
			if (rc != SQLITE_DONE) {
				crm_db_err(m->db, err, "deliveries");
				goto fail;
			}
			if (sqlite3_changes(m->db) == 0) {
				report(done, arg, cid, CRM_SEND_ALREADY,
				    "being sent by another run", did);
				goto skip;
			}
		}
		if (tx_commit(m, err) < 0)
			goto fail;
	} else
		did = 0;
	m->nqueued++;
	if (m->type == T_SMTP) {
		p = free_pending(m);
		if (p == NULL) {
			crm_err_set(err, EX_SOFTWARE, "mail: no free slot");
			goto fail;
		}
		p->in_use = 1;
		p->m = m;
		p->delivery_id = did;
		p->customer_id = cid;
		p->done = done;
		p->arg = arg;
		if (m->down) {
			struct crm_smtp_done d;
			memset(&d, 0, sizeof d);
			d.outcome = CRM_SMTP_DOWN;
			crm_strlcpy(d.text, m->down_msg, sizeof d.text);
			finish(m, p, &d);
		} else if (crm_smtp_submit(m->smtp, from, c.email, m->msg.s,
		    m->msg.len, p, err) < 0) {
			p->in_use = 0;
			goto fail;
		}
	} else {
		struct pending tmp = { m, 1, did, cid, done, arg };
		struct crm_smtp_done d;

		memset(&d, 0, sizeof d);
		if (m->type == T_SENDMAIL)
			run_sendmail(m, from, c.email, &d);
		else {
			if ((m->type == T_MBOX ? write_mbox(m, from, err)
			    : write_maildir(m, err)) < 0)
				goto fail;
			d.outcome = CRM_SMTP_OK;
			crm_strlcpy(d.text, m->type == T_MBOX ? "written to the mbox"
			    : "written to the Maildir", sizeof d.text);
		}
		finish(m, &tmp, &d);
	}
skip:
	free(from);
	cust_release(&c);
	return 0;
fail:
	free(from);
	cust_release(&c);
	return -1;
}

int
crm_mail_flush(struct crm_mailer *m, struct crm_err *err)
{
	while (m->smtp != NULL && crm_smtp_busy(m->smtp) > 0)
		if (tx_commit(m, err) < 0 ||
		    crm_smtp_wait(m->smtp, -1, smtp_done, m, err) < 0)
			return -1;
	if (tx_commit(m, err) < 0)
		return -1;
	if (m->down)
		return crm_err_set(err, EX_UNAVAILABLE, "%s", m->down_msg);
	return 0;
}

struct sync_result {
	struct crm_send_result *res;
	int got;
};

static void
sync_done(void *arg, int64_t id, const struct crm_send_result *res)
{
	struct sync_result *s = arg;

	(void)id;
	*s->res = *res;
	s->got = 1;
}

int
crm_mail_send(struct crm_mailer *m, const char *campaign,
    const struct crm_template *t, int64_t customer_id,
    struct crm_send_result *res, struct crm_err *err)
{
	struct sync_result s = { res, 0 };

	memset(res, 0, sizeof *res);
	if (crm_mail_queue(m, campaign, t, customer_id, sync_done, &s, err) < 0)
		return -1;
	return crm_mail_flush(m, err);
}

int
crm_mail_preview(struct crm_mailer *m, const char *campaign,
    const struct crm_template *t, int64_t cid, struct crm_buf *out,
    const char **why, struct crm_err *err)
{
	struct cust c;
	char msgid[160], *from = NULL;
	int found, fail, rc;

	*why = NULL;
	if (crm_mailer_check(m, t, err) < 0)
		return -1;
	if (load_customer(m, cid, &c, &found, err) < 0)
		return -1;
	if (!found)
		return crm_err_set(err, EX_DATAERR, "no customer %lld", (long long)cid);
	*why = ineligible(m, &c, crm_template_kind(t), err, &fail);
	if (fail) {
		cust_release(&c);
		return -1;
	}
	if (crm_empty(c.email)) {
		free(c.email);
		c.email = crm_xstrdup("no-address@invalid.example");
	}
	rc = build(m, campaign, t, &c, &from, msgid, sizeof msgid, err);
	cust_release(&c);
	free(from);
	if (rc != 0)
		return -1;
	to_unix(m->msg.s, m->msg.len, 0, out);
	return 0;
}
