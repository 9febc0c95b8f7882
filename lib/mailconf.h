/* mailconf.h: the mail configuration file, crm.conf(5).
 *
 * "key = value" lines; # starts a comment.  The default file is
 * $XDG_CONFIG_HOME/crm/crm.conf, else ~/.config/crm/crm.conf; a missing
 * default file is an empty configuration, a missing --config file an
 * error.  A file that holds a password or a secret must not be readable
 * by group or others.  The HMAC secret of unsubscribe tokens is the
 * "secret" key, else the file "secret" beside crm.conf, generated on first
 * use (32 random bytes, hex, mode 0600). */
#ifndef CRM_MAILCONF_H
#define CRM_MAILCONF_H

#include <stddef.h>

#include "err.h"

struct crm_mailconf_var {
	char *name, *value;
};

struct crm_mailconf {
	char *path;               /* the file read, or the default that was absent */
	int found;                /* 1 when the file existed */
	char *from, *reply_to, *unsubscribe_url, *shop, *domain;
	char *smtp, *smtp_user, *smtp_password, *cacert, *sendmail;
	char *secret, *secret_file;
	double rate;              /* 0: unset */
	int connections;          /* 0: unset */
	struct crm_mailconf_var *vars;   /* var.NAME = value */
	size_t nvars;
};

/* The default path (malloc'd), or NULL when neither XDG_CONFIG_HOME nor
 * HOME says where it is. */
char *crm_mailconf_default_path(void);

/* path NULL: the default.  EX_CONFIG naming file and line on bad syntax or
 * an unknown key; EX_NOINPUT for a missing explicit file. */
int crm_mailconf_load(const char *path, struct crm_mailconf **c,
    struct crm_err *err);
void crm_mailconf_free(struct crm_mailconf *c);

/* var.NAME, or NULL. */
const char *crm_mailconf_var(const struct crm_mailconf *c, const char *name);

/* The token secret (malloc'd, *len bytes).  When none is configured and no
 * secret file exists, create generates one (RAND_bytes) and stores it with
 * mode 0600; without create that is EX_CONFIG. */
int crm_mailconf_secret(const struct crm_mailconf *c, int create,
    unsigned char **key, size_t *len, struct crm_err *err);

#endif
