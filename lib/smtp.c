/* smtp.c: libcurl's SMTP, driven through a multi handle. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <curl/curl.h>

#include "smtp.h"
#include "util.h"
#include "banned.h"

struct slot {
	CURL *easy;
	struct crm_smtp *s;
	int busy;
	struct crm_buf msg;
	size_t off;
	int data_done;           /* the read callback has handed over all */
	struct curl_slist *rcpt;
	void *tag;
	char reply[256];         /* last line the server sent */
	char command[16];        /* verb of the last command we sent */
	char err_reply[256];     /* the first 4xx/5xx reply, before QUIT's 221 */
	char err_command[16];    /* the command it answered */
};

struct crm_smtp {
	CURLM *multi;
	struct slot *slots;
	int n, busy;
};

static size_t
read_cb(char *buf, size_t size, size_t nitems, void *arg)
{
	struct slot *sl = arg;
	size_t want = size * nitems, left = sl->msg.len - sl->off;

	if (left == 0) {
		sl->data_done = 1;
		return 0;
	}
	if (want > left)
		want = left;
	memcpy(buf, sl->msg.s + sl->off, want);
	sl->off += want;
	/* curl knows the size and may not ask again after the last byte. */
	if (sl->off == sl->msg.len)
		sl->data_done = 1;
	return want;
}

/* Keep the server's last reply line and our last command: curl's own
 * error says "RCPT failed: 550" but not the text that tells a full
 * mailbox from an unknown user. */
static int
debug_cb(CURL *h, curl_infotype type, char *data, size_t size, void *arg)
{
	struct slot *sl = arg;
	size_t n;

	(void)h;
	if (type == CURLINFO_HEADER_IN) {
		n = size < sizeof sl->reply - 1 ? size : sizeof sl->reply - 1;
		memcpy(sl->reply, data, n);
		while (n > 0 && (sl->reply[n - 1] == '\n' || sl->reply[n - 1] == '\r'))
			n--;
		sl->reply[n] = '\0';
		if (sl->err_reply[0] == '\0' && (sl->reply[0] == '4' ||
		    sl->reply[0] == '5')) {
			memcpy(sl->err_reply, sl->reply, sizeof sl->err_reply);
			memcpy(sl->err_command, sl->command, sizeof sl->err_command);
		}
	} else if (type == CURLINFO_HEADER_OUT) {
		for (n = 0; n < size && n < sizeof sl->command - 1 &&
		    isalpha((unsigned char)data[n]); n++)
			sl->command[n] = (char)toupper((unsigned char)data[n]);
		sl->command[n] = '\0';
	}
	return 0;
}

static int
loopback(const char *host)
{
	return strcmp(host, "127.0.0.1") == 0 || strcmp(host, "[::1]") == 0 ||
	    strcmp(host, "::1") == 0 || crm_strcaseeq(host, "localhost");
}

static int
check_url(const char *url, int *tls_required, struct crm_err *err)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL, *user = NULL;
	int rc = -1;

	if (u == NULL)
		return crm_err_set(err, EX_SOFTWARE, "out of memory");
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK) {
		crm_err_set(err, EX_USAGE, "--smtp: '%s' is not a URL "
		    "(smtp://host:port or smtps://host:port)", url);
		goto out;
	}
	curl_url_get(u, CURLUPART_SCHEME, &scheme, 0);
	curl_url_get(u, CURLUPART_HOST, &host, 0);
	if (curl_url_get(u, CURLUPART_USER, &user, 0) == CURLUE_OK && user != NULL) {
		crm_err_set(err, EX_USAGE, "--smtp: credentials in the URL are "
		    "visible to every user in ps; put smtp-user and smtp-password "
		    "in crm.conf, or the host in ~/.netrc");
		goto out;
	}
	if (scheme == NULL || host == NULL ||
	    (strcmp(scheme, "smtp") != 0 && strcmp(scheme, "smtps") != 0)) {
		crm_err_set(err, EX_USAGE, "--smtp: '%s': the scheme must be "
		    "smtp:// or smtps://", url);
		goto out;
	}
	*tls_required = strcmp(scheme, "smtp") == 0 && !loopback(host);
	rc = 0;
out:
	curl_free(scheme);
	curl_free(host);
	curl_free(user);
	curl_url_cleanup(u);
	return rc;
}

int
crm_smtp_open(const struct crm_smtp_opts *o, struct crm_smtp **out,
    struct crm_err *err)
{
	struct crm_smtp *s;
	int tls_required = 0, i, n = o->connections > 0 ? o->connections : 1;

	*out = NULL;
	if (check_url(o->url, &tls_required, err) < 0)
		return -1;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return crm_err_set(err, EX_SOFTWARE, "curl_global_init failed");
	s = crm_xcalloc(1, sizeof *s);
	s->multi = curl_multi_init();
	s->slots = crm_xcalloc((size_t)n, sizeof *s->slots);
	s->n = n;
	if (s->multi == NULL)
		goto oom;
	curl_multi_setopt(s->multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)n);
	curl_multi_setopt(s->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, (long)n);
	curl_multi_setopt(s->multi, CURLMOPT_MAXCONNECTS, (long)n);
	for (i = 0; i < n; i++) {
		struct slot *sl = &s->slots[i];
		CURL *h = curl_easy_init();

		if (h == NULL)
			goto oom;
		sl->easy = h;
		sl->s = s;
		crm_buf_init(&sl->msg);
		curl_easy_setopt(h, CURLOPT_URL, o->url);
		curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
		curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
		curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
		curl_easy_setopt(h, CURLOPT_READFUNCTION, read_cb);
		curl_easy_setopt(h, CURLOPT_READDATA, sl);
		curl_easy_setopt(h, CURLOPT_VERBOSE, 1L);
		curl_easy_setopt(h, CURLOPT_DEBUGFUNCTION, debug_cb);
		curl_easy_setopt(h, CURLOPT_DEBUGDATA, sl);
		curl_easy_setopt(h, CURLOPT_PRIVATE, sl);
		curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT,
		    o->connect_timeout > 0 ? o->connect_timeout : 30L);
		/* A server that stops talking must not hang a cron job. */
		curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
		curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, 120L);
		curl_easy_setopt(h, CURLOPT_USE_SSL,
		    tls_required ? (long)CURLUSESSL_ALL : (long)CURLUSESSL_TRY);
		if (!crm_empty(o->cacert))
			curl_easy_setopt(h, CURLOPT_CAINFO, o->cacert);
		if (!crm_empty(o->user)) {
			curl_easy_setopt(h, CURLOPT_USERNAME, o->user);
			curl_easy_setopt(h, CURLOPT_PASSWORD,
			    o->password ? o->password : "");
		} else
			curl_easy_setopt(h, CURLOPT_NETRC, (long)CURL_NETRC_OPTIONAL);
	}
	*out = s;
	return 0;
oom:
	crm_smtp_close(s);
	return crm_err_set(err, EX_SOFTWARE, "curl: out of memory");
}

void
crm_smtp_close(struct crm_smtp *s)
{
	int i;

	if (s == NULL)
		return;
	for (i = 0; i < s->n; i++) {
		struct slot *sl = &s->slots[i];
		if (sl->easy == NULL)
			continue;
		if (sl->busy)
			curl_multi_remove_handle(s->multi, sl->easy);
		curl_easy_cleanup(sl->easy);
		curl_slist_free_all(sl->rcpt);
		crm_buf_release(&sl->msg);
	}
	if (s->multi != NULL)
		curl_multi_cleanup(s->multi);
	free(s->slots);
	free(s);
}

int
crm_smtp_free_slots(const struct crm_smtp *s)
{
	return s->n - s->busy;
}

int
crm_smtp_busy(const struct crm_smtp *s)
{
	return s->busy;
}

int
crm_smtp_submit(struct crm_smtp *s, const char *from, const char *rcpt,
    const char *msg, size_t len, void *tag, struct crm_err *err)
{
	struct slot *sl = NULL;
	char addr[300];
	int i;

	for (i = 0; i < s->n; i++)
		if (!s->slots[i].busy) {
			sl = &s->slots[i];
			break;
		}
	if (sl == NULL)
		return crm_err_set(err, EX_SOFTWARE, "smtp: no free connection");
	crm_buf_reset(&sl->msg);
	crm_buf_add(&sl->msg, msg, len);
	sl->off = 0;
	sl->data_done = 0;
	sl->tag = tag;
	sl->reply[0] = sl->command[0] = '\0';
	sl->err_reply[0] = sl->err_command[0] = '\0';
	curl_slist_free_all(sl->rcpt);
	snprintf(addr, sizeof addr, "<%s>", rcpt);
	sl->rcpt = curl_slist_append(NULL, addr);
	if (sl->rcpt == NULL)
		return crm_err_set(err, EX_SOFTWARE, "curl: out of memory");
	snprintf(addr, sizeof addr, "<%s>", from);
	curl_easy_setopt(sl->easy, CURLOPT_MAIL_FROM, addr);
	curl_easy_setopt(sl->easy, CURLOPT_MAIL_RCPT, sl->rcpt);
	curl_easy_setopt(sl->easy, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
	if (curl_multi_add_handle(s->multi, sl->easy) != CURLM_OK)
		return crm_err_set(err, EX_SOFTWARE, "curl: cannot add a transfer");
	sl->busy = 1;
	s->busy++;
	return 0;
}

/* A 5xx to RCPT that says the mailbox does not exist: enhanced status
 * 5.1.x (bad address), or the usual words when there is none. */
static int
no_such_user(const struct slot *sl, int code)
{
	const char *t = sl->err_reply;
	char low[256];
	size_t i;

	if (strcmp(sl->err_command, "RCPT") != 0)
		return 0;
	if (code != 550 && code != 551 && code != 553)
		return 0;
	if (strlen(t) > 4 && t[4] == '5' && t[5] == '.') {
		return strncmp(t + 4, "5.1.1", 5) == 0 || strncmp(t + 4, "5.1.2", 5) == 0 ||
		    strncmp(t + 4, "5.1.3", 5) == 0 || strncmp(t + 4, "5.1.6", 5) == 0 ||
		    strncmp(t + 4, "5.1.10", 6) == 0;
	}
	for (i = 0; t[i] && i < sizeof low - 1; i++)
		low[i] = (char)tolower((unsigned char)t[i]);
	low[i] = '\0';
	return strstr(low, "no such user") || strstr(low, "user unknown") ||
	    strstr(low, "unknown user") || strstr(low, "does not exist") ||
	    strstr(low, "mailbox not found") || strstr(low, "invalid recipient");
}

static void
classify(struct slot *sl, CURLcode rc, struct crm_smtp_done *d)
{
	long code = 0;

	curl_easy_getinfo(sl->easy, CURLINFO_RESPONSE_CODE, &code);
	d->tag = sl->tag;
	d->code = (int)code;
	d->no_such_user = 0;
	if (sl->err_reply[0] != '\0' && code >= 400)
		crm_strlcpy(d->text, sl->err_reply, sizeof d->text);
	else if (rc == CURLE_OK)
		crm_strlcpy(d->text, sl->reply[0] ? sl->reply : "250 ok", sizeof d->text);
	else {
		struct crm_buf b;

		crm_buf_init(&b);
		crm_buf_adds(&b, curl_easy_strerror(rc));
		if (sl->reply[0] != '\0') {
			crm_buf_adds(&b, ", last reply: ");
			crm_buf_adds(&b, sl->reply);
		}
		crm_strlcpy(d->text, b.s, sizeof d->text);
		crm_buf_release(&b);
	}
	if (rc == CURLE_OK) {
		d->outcome = CRM_SMTP_OK;
		return;
	}
	switch (rc) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
	case CURLE_COULDNT_CONNECT:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_USE_SSL_FAILED:
	case CURLE_LOGIN_DENIED:
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_URL_MALFORMAT:
		d->outcome = CRM_SMTP_DOWN;
		return;
	case CURLE_OPERATION_TIMEDOUT:
		if (code == 0) {
			d->outcome = CRM_SMTP_DOWN;
			return;
		}
		break;
	default:
		break;
	}
	/* Refused login, or a sender the server will not take: every
	 * message would fail the same way, so stop rather than fail them. */
	if (code == 530 || code == 534 || code == 535 || code == 538 ||
	    (code >= 500 && code < 600 && (strcmp(sl->err_command, "MAIL") == 0 ||
	    strcmp(sl->err_command, "AUTH") == 0 || strcmp(sl->err_command, "EHLO") == 0))) {
		d->outcome = CRM_SMTP_DOWN;
		return;
	}
	if (code >= 500 && code < 600) {
		d->outcome = CRM_SMTP_PERM;
		d->no_such_user = no_such_user(sl, (int)code);
	} else if (code >= 400 && code < 500)
		d->outcome = CRM_SMTP_TEMP;
	else if (sl->data_done)
		d->outcome = CRM_SMTP_UNKNOWN;
	else
		d->outcome = CRM_SMTP_TEMP;
}

int
crm_smtp_wait(struct crm_smtp *s, int timeout_ms, crm_smtp_done_fn done,
    void *arg, struct crm_err *err)
{
	double start = crm_now();
	int running, nmsg, finished = 0;
	CURLMsg *m;

	for (;;) {
		if (curl_multi_perform(s->multi, &running) != CURLM_OK)
			return crm_err_set(err, EX_SOFTWARE, "curl_multi_perform failed");
		while ((m = curl_multi_info_read(s->multi, &nmsg)) != NULL) {
			struct slot *sl = NULL;
			struct crm_smtp_done d;

			if (m->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&sl);
			classify(sl, m->data.result, &d);
			curl_multi_remove_handle(s->multi, sl->easy);
			sl->busy = 0;
			s->busy--;
			finished++;
			done(arg, &d);
		}
		if (finished > 0 || s->busy == 0)
			return 0;
		if (timeout_ms >= 0) {
			int left = timeout_ms - (int)((crm_now() - start) * 1000);
			if (left <= 0)
				return 0;
			curl_multi_poll(s->multi, NULL, 0, left < 1000 ? left : 1000, NULL);
		} else
			curl_multi_poll(s->multi, NULL, 0, 1000, NULL);
	}
}
