/* mailconf.c: reading crm.conf and keeping the token secret. */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <openssl/rand.h>

#include "mailconf.h"
#include "util.h"
#include "banned.h"

char *
crm_mailconf_default_path(void)
{
	const char *x = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	struct crm_buf b;

	crm_buf_init(&b);
	/* The XDG spec says a relative XDG_CONFIG_HOME is to be ignored. */
	if (!crm_empty(x) && x[0] == '/') {
		crm_buf_addf(&b, "%s/crm/crm.conf", x);
		return crm_buf_detach(&b);
	}
	if (crm_empty(home)) {
		struct passwd *pw = getpwuid(getuid());
		home = pw ? pw->pw_dir : NULL;
	}
	if (crm_empty(home))
		return NULL;
	crm_buf_addf(&b, "%s/.config/crm/crm.conf", home);
	return crm_buf_detach(&b);
}

void
crm_mailconf_free(struct crm_mailconf *c)
{
	size_t i;

	if (c == NULL)
		return;
	free(c->path);
	free(c->from);
	free(c->reply_to);
	free(c->unsubscribe_url);
	free(c->shop);
	free(c->domain);
	free(c->smtp);
	free(c->smtp_user);
	free(c->smtp_password);
	free(c->cacert);
	free(c->sendmail);
	if (c->secret != NULL) {
		explicit_bzero(c->secret, strlen(c->secret));
		free(c->secret);
	}
	free(c->secret_file);
	for (i = 0; i < c->nvars; i++) {
		free(c->vars[i].name);
		free(c->vars[i].value);
	}
	free(c->vars);
	free(c);
}

const char *
crm_mailconf_var(const struct crm_mailconf *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->nvars; i++)
		if (strcmp(c->vars[i].name, name) == 0)
			return c->vars[i].value;
	return NULL;
}

static int
set_key(struct crm_mailconf *c, const char *key, const char *val, long line,
    struct crm_err *err)
{
	struct { const char *key; char **dst; } strs[] = {
		{ "from", &c->from }, { "reply-to", &c->reply_to },
		{ "unsubscribe-url", &c->unsubscribe_url }, { "shop", &c->shop },
		{ "domain", &c->domain }, { "smtp", &c->smtp },
		{ "smtp-user", &c->smtp_user }, { "smtp-password", &c->smtp_password },
		{ "cacert", &c->cacert }, { "sendmail", &c->sendmail },
		{ "secret", &c->secret }, { "secret-file", &c->secret_file },
	};
	size_t i;
	long long v;

	for (i = 0; i < sizeof strs / sizeof strs[0]; i++)
		if (strcmp(key, strs[i].key) == 0) {
			free(*strs[i].dst);
			*strs[i].dst = crm_xstrdup(val);
			return 0;
		}
	if (strcmp(key, "rate") == 0 || strcmp(key, "connections") == 0) {
		if (crm_strtonum(val, 1, strcmp(key, "rate") == 0 ? 100000 : 64,
		    &v, key, err) < 0) {
			crm_err_prefix(err, "%s:%ld: ", c->path, line);
			err->code = EX_CONFIG;
			return -1;
		}
		if (key[0] == 'r')
			c->rate = (double)v;
		else
			c->connections = (int)v;
		return 0;
	}
	if (strncmp(key, "var.", 4) == 0 && key[4] != '\0') {
		for (const char *p = key + 4; *p; p++)
			if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
			    *p == '_'))
				return crm_err_set(err, EX_CONFIG, "%s:%ld: bad "
				    "variable name '%s'", c->path, line, key);
		for (i = 0; i < c->nvars; i++)
			if (strcmp(c->vars[i].name, key + 4) == 0) {
				free(c->vars[i].value);
				c->vars[i].value = crm_xstrdup(val);
				return 0;
			}
		c->vars = crm_xreallocarray(c->vars, c->nvars + 1, sizeof *c->vars);
		c->vars[c->nvars].name = crm_xstrdup(key + 4);
		c->vars[c->nvars].value = crm_xstrdup(val);
		c->nvars++;
		return 0;
	}
	return crm_err_set(err, EX_CONFIG, "%s:%ld: unknown key '%s' (see crm.conf(5))",
	    c->path, line, key);
}

int
crm_mailconf_load(const char *path, struct crm_mailconf **out,
    struct crm_err *err)
{
	struct crm_mailconf *c;
	FILE *fp;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	long lineno = 0;
	struct stat st;

	*out = NULL;
	c = crm_xcalloc(1, sizeof *c);
	c->path = path ? crm_xstrdup(path) : crm_mailconf_default_path();
	if (c->path == NULL) {
		*out = c;     /* nowhere to look: an empty configuration */
		return 0;
	}
	if ((fp = fopen(c->path, "r")) == NULL) {
		if (errno == ENOENT && path == NULL) {
			*out = c;
			return 0;
		}
		crm_err_set(err, errno == ENOENT ? EX_NOINPUT : EX_CONFIG,
		    "%s: %s", c->path, strerror(errno));
		crm_mailconf_free(c);
		return -1;
	}
	c->found = 1;
	while ((n = getline(&line, &cap, fp)) >= 0) {
		char *s, *eq, *key, *val;
		size_t vl;

		lineno++;
		s = crm_trim(line);
		if (*s == '\0' || *s == '#')
			continue;
		if ((eq = strchr(s, '=')) == NULL) {
			crm_err_set(err, EX_CONFIG, "%s:%ld: expected 'key = value'",
			    c->path, lineno);
			goto fail;
		}
		*eq = '\0';
		key = crm_trim(s);
		val = crm_trim(eq + 1);
		vl = strlen(val);
		if (vl >= 2 && val[0] == '"' && val[vl - 1] == '"') {
			val[vl - 1] = '\0';
			val++;
		}
		if (set_key(c, key, val, lineno, err) < 0)
			goto fail;
	}
	if (ferror(fp)) {
		crm_err_set(err, EX_IOERR, "%s: %s", c->path, strerror(errno));
		goto fail;
	}
	/* Like ssh: a password that others can read is refused, not used. */
	if ((c->smtp_password != NULL || c->secret != NULL) &&
	    fstat(fileno(fp), &st) == 0 && (st.st_mode & 077) != 0) {
		crm_err_set(err, EX_CONFIG, "%s: holds a password or secret but "
		    "is readable by others; chmod 600 %s", c->path, c->path);
		goto fail;
	}
	free(line);
	fclose(fp);
	*out = c;
	return 0;
fail:
	free(line);
	fclose(fp);
	crm_mailconf_free(c);
	return -1;
}

static char *
secret_path(const struct crm_mailconf *c)
{
	struct crm_buf b;
	const char *slash;

	if (!crm_empty(c->secret_file))
		return crm_xstrdup(c->secret_file);
	if (c->path == NULL)
		return NULL;
	crm_buf_init(&b);
	slash = strrchr(c->path, '/');
	if (slash == NULL)
		crm_buf_adds(&b, "secret");
	else {
		crm_buf_add(&b, c->path, (size_t)(slash - c->path) + 1);
		crm_buf_adds(&b, "secret");
	}
	return crm_buf_detach(&b);
}

/* mkdir -p of the directory part of path, mode 0700 for new ones. */
static int
make_dirs(const char *path, struct crm_err *err)
{
	char *d = crm_xstrdup(path), *p;

	for (p = d + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(d, 0700) < 0 && errno != EEXIST) {
			crm_err_set(err, EX_CANTCREAT, "%s: %s", d, strerror(errno));
			free(d);
			return -1;
		}
		*p = '/';
	}
	free(d);
	return 0;
}

static int
read_secret(const char *path, unsigned char **key, size_t *len,
    struct crm_err *err)
{
	int fd;
	struct stat st;
	char buf[1025];
	ssize_t n;
	size_t l;

	if ((fd = open(path, O_RDONLY)) < 0)
		return errno == ENOENT ? 1 :
		    crm_err_set(err, EX_CONFIG, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) < 0 || (st.st_mode & 077) != 0) {
		close(fd);
		return crm_err_set(err, EX_CONFIG, "%s: the secret is readable by "
		    "others; chmod 600 %s", path, path);
	}
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n < 0)
		return crm_err_set(err, EX_CONFIG, "%s: %s", path, strerror(errno));
	buf[n] = '\0';
	l = strlen(crm_trim(buf));
	if (l < 16)
		return crm_err_set(err, EX_CONFIG, "%s: a secret needs at least 16 "
		    "characters", path);
	*key = (unsigned char *)crm_xstrdup(buf);
	*len = l;
	explicit_bzero(buf, sizeof buf);
	return 0;
}

int
crm_mailconf_secret(const struct crm_mailconf *c, int create,
    unsigned char **key, size_t *len, struct crm_err *err)
{
	unsigned char raw[32];
	char hex[66], *path, *tmp;
	struct crm_buf b;
	int fd, rc, i;

	*key = NULL;
	*len = 0;
	if (!crm_empty(c->secret)) {
		if (strlen(c->secret) < 16)
			return crm_err_set(err, EX_CONFIG, "%s: secret: at least 16 "
			    "characters", c->path);
		*key = (unsigned char *)crm_xstrdup(c->secret);
		*len = strlen(c->secret);
		return 0;
	}
	if ((path = secret_path(c)) == NULL)
		return crm_err_set(err, EX_CONFIG, "no secret configured and no "
		    "HOME to keep one in; set secret in crm.conf");
	rc = read_secret(path, key, len, err);
	if (rc <= 0 || !create) {
		if (rc == 1)
			crm_err_set(err, EX_CONFIG, "%s: no secret yet (crm-mail "
			    "creates it when it first sends)", path);
		free(path);
		return rc == 0 ? 0 : -1;
	}
	if (RAND_bytes(raw, sizeof raw) != 1) {
		free(path);
		return crm_err_set(err, EX_SOFTWARE, "RAND_bytes failed");
	}
	for (i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", raw[i]);
	hex[64] = '\n';
	hex[65] = '\0';
	explicit_bzero(raw, sizeof raw);
	if (make_dirs(path, err) < 0) {
		free(path);
		return -1;
	}
	/* Written under a temporary name and linked into place, so two first
	 * runs at once agree on one secret and nobody reads half a file. */
	crm_buf_init(&b);
	crm_buf_addf(&b, "%s.%ld.tmp", path, (long)getpid());
	tmp = crm_buf_detach(&b);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || write(fd, hex, 65) != 65 || fsync(fd) < 0) {
		crm_err_set(err, EX_CANTCREAT, "%s: %s", tmp, strerror(errno));
		if (fd >= 0)
			close(fd);
		unlink(tmp);
		free(tmp);
		free(path);
		return -1;
	}
	close(fd);
	if (link(tmp, path) < 0 && errno != EEXIST) {
		crm_err_set(err, EX_CANTCREAT, "%s: %s", path, strerror(errno));
		unlink(tmp);
		free(tmp);
		free(path);
		return -1;
	}
	unlink(tmp);
	free(tmp);
	explicit_bzero(hex, sizeof hex);
	rc = read_secret(path, key, len, err);
	if (rc == 1)
		crm_err_set(err, EX_CANTCREAT, "%s: vanished", path);
	free(path);
	return rc == 0 ? 0 : -1;
}
