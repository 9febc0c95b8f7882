/* Unit tests of lib/rules.c and the parts of lib/customer.c that the
 * shell tests cannot reach directly: rule parsing and loading, buyer keys
 * and fingerprints, attaching identities, recompute through the plain API. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "customer.h"
#include "db.h"
#include "rules.h"
#include "tap.h"
#include "banned.h"

static int64_t
q(sqlite3 *db, const char *sql)
{
	int64_t v = -1;
	struct crm_err err;

	if (crm_db_int(db, sql, &v, &err) < 0)
		printf("# %s: %s\n", sql, err.msg);
	return v;
}

static void
rules_parse(struct tap *t)
{
	struct crm_rule r;
	struct crm_err err;

	tap_is_int(t, crm_rule_parse("phone + name", &r, &err), 0, "parse 'phone + name'");
	tap_is_str(t, r.text, "phone+name", "canonical text in field order");
	tap_is_int(t, r.fields, CRM_F_PHONE | CRM_F_NAME, "fields");
	tap_is_int(t, crm_rule_parse("name+postcode+address", &r, &err), 0, "three fields");
	tap_is_str(t, r.text, "name+postcode+address", "three fields: text");
	crm_rule_parse("member-id", &r, &err);
	tap_is_str(t, r.text, "member_id", "member-id is member_id");
	tap_is_int(t, crm_rule_parse("name+shoe_size", &r, &err), -1, "unknown field fails");
	tap_is_int(t, err.code, EX_USAGE, "... EX_USAGE");
	tap_ok(t, strstr(err.msg, "'shoe_size'") != NULL &&
	    strstr(err.msg, "member_id") != NULL, "... naming it and the known ones");
	tap_is_int(t, crm_rule_parse("email++phone", &r, &err), -1, "empty field fails");
	tap_is_str(t, crm_field_column(CRM_F_EMAIL), "email_key", "column of email");
	tap_is_str(t, crm_field_column(CRM_F_PREFECTURE), "prefecture", "column of prefecture");
	tap_is_str(t, crm_field_name(CRM_F_BIRTHDAY), "birthday", "name of birthday");
}

static void
rules_load(struct tap *t, sqlite3 *db)
{
	struct crm_ruleset rs;
	struct crm_err err;
	int64_t a, b;

	crm_db_shop_id(db, "a", 1, &a, &err);
	crm_db_shop_id(db, "b", 1, &b, &err);
	tap_is_int(t, crm_rules_load(db, a, &rs, &err), 0, "load with no rules");
	tap_ok(t, rs.is_default && !rs.is_shop && rs.n == 2 &&
	    rs.rules[0].fields == CRM_F_EMAIL && rs.rules[1].fields == CRM_F_PHONE,
	    "default: email, phone");
	crm_ruleset_release(&rs);
	crm_db_exec(db, "INSERT INTO match_rules (shop_id, rule, created_at) VALUES"
	    " (NULL, 'email', 'x'), (NULL, 'name + birthday', 'x'),"
	    " (1, 'name+phone', 'x')", &err);
	crm_rules_load(db, a, &rs, &err);
	tap_ok(t, rs.is_shop && !rs.is_default && rs.n == 1 &&
	    strcmp(rs.rules[0].text, "phone+name") == 0, "shop a: its own rules only");
	crm_ruleset_release(&rs);
	crm_rules_load(db, b, &rs, &err);
	tap_ok(t, !rs.is_shop && !rs.is_default && rs.n == 2 &&
	    strcmp(rs.rules[1].text, "name+birthday") == 0, "shop b: the global rules");
	crm_ruleset_release(&rs);
	crm_db_exec(db, "INSERT INTO match_rules (shop_id, rule, created_at) VALUES"
	    " (NULL, 'nonsense', 'x')", &err);
	tap_is_int(t, crm_rules_load(db, b, &rs, &err), -1, "a bad stored rule fails");
	tap_is_int(t, err.code, EX_DATAERR, "... EX_DATAERR");
	crm_db_exec(db, "DELETE FROM match_rules", &err);
}

static void
keys(struct tap *t)
{
	struct crm_buyer b, b2;
	struct crm_buyer_keys k, k2;
	struct crm_err err;

	memset(&b, 0, sizeof b);
	b.name = "髙橋 誠";
	b.phone = "０３－１２３４－５６７８";
	b.email = " Taro@Example.JP ";
	b.address = "東京都千代田区千代田1-1";
	b.prefecture = "JP-13";
	b.birthday = "1990/5/4";
	tap_is_int(t, crm_buyer_keys(&b, &k, &err), 0, "keys");
	tap_is_str(t, k.phone, "0312345678", "phone key");
	tap_is_str(t, k.email, "taro@example.jp", "email key");
	tap_is_str(t, k.prefecture, "東京都", "JP-13");
	tap_is_str(t, k.birthday, "1990-05-04", "birthday key");
	tap_ok(t, k.address && strncmp(k.address, "千代田区", strlen("千代田区")) == 0,
	    "address key without the prefecture");
	memset(&b2, 0, sizeof b2);
	b2.name = "高橋誠";
	b2.phone = "03-1234-5678";
	b2.email = "taro@example.jp";
	b2.prefecture = "東京都";
	b2.address = "千代田区千代田１－１";
	b2.birthday = "1990-05-04";
	tap_is_int(t, crm_buyer_keys(&b2, &k2, &err), 0, "keys of the same person written otherwise");
	tap_is_str(t, k2.fingerprint, k.fingerprint, "same fingerprint");
	crm_buyer_keys_release(&k2);
	crm_buyer_keys_release(&k);

	memset(&b, 0, sizeof b);
	b.kana = "ヤマダ";
	tap_is_int(t, crm_buyer_keys(&b, &k, &err), -1, "kana alone is no buyer");
	tap_is_int(t, err.code, EX_DATAERR, "... EX_DATAERR");
	b.email = "no-at-sign";
	tap_is_int(t, crm_buyer_keys(&b, &k, &err), -1, "a garbage e-mail fails");
	tap_ok(t, strncmp(err.msg, "email: ", 7) == 0 &&
	    strncmp(err.msg + 7, "email: ", 7) != 0, "... named once");
	tap_is_int(t, crm_email_is_relay("abc@pc.fw.rakuten.ne.jp"), 1, "rakuten relay");
	tap_is_int(t, crm_email_is_relay("x@MARKETPLACE.AMAZON.CO.JP"), 1, "amazon relay");
	tap_is_int(t, crm_email_is_relay("x@notfw.rakuten.ne.jp"), 0, "not a relay");
}

static void
attach(struct tap *t, sqlite3 *db)
{
	struct crm_ruleset rs;
	struct crm_buyer b;
	struct crm_buyer_keys k;
	struct crm_err err;
	int64_t shop, ident, cust, ident2, cust2;
	int created;

	crm_db_shop_id(db, "a", 1, &shop, &err);
	crm_rules_load(db, shop, &rs, &err);
	memset(&b, 0, sizeof b);
	b.name = "A";
	b.email = "a@example.jp";
	b.newsletter = b.notices = -1;
	crm_buyer_keys(&b, &k, &err);
	tap_is_int(t, crm_identity_attach(db, shop, &rs, &b, &k, "f:1", &ident,
	    &cust, &created, &err), 0, "attach a new buyer");
	tap_is_int(t, created, 1, "... a new customer");
	tap_is_int(t, crm_identity_attach(db, shop, &rs, &b, &k, "f:2", &ident2,
	    &cust2, &created, &err), 0, "attach the same buyer");
	tap_ok(t, ident2 == ident && cust2 == cust && !created, "... the same identity");
	crm_buyer_keys_release(&k);

	b.name = "A2";
	b.phone = "090-1111-1111";
	crm_buyer_keys(&b, &k, &err);
	crm_identity_attach(db, shop, &rs, &b, &k, "f:3", &ident2, &cust2, &created, &err);
	tap_ok(t, ident2 != ident && cust2 == cust && !created,
	    "another identity, same e-mail: same customer");
	crm_buyer_keys_release(&k);

	/* merged customers resolve to the survivor */
	crm_db_exec(db, "INSERT INTO customers (created_at, updated_at) VALUES ('x','x')", &err);
	crm_db_exec(db, "UPDATE customers SET merged_into = 1 WHERE id = 2", &err);
	tap_is_int(t, crm_customer_resolve(db, 2, &cust2, &err), 0, "resolve");
	tap_is_int(t, cust2, 1, "... to the survivor");
	tap_is_int(t, crm_customer_resolve(db, 99, &cust2, &err), -1, "resolve a missing id fails");

	crm_db_exec(db, "INSERT INTO optouts (customer_id, channel, by, at)"
	    " VALUES (2, 'notices', 'owner', '2026-01-01 00:00:00')", &err);
	crm_db_exec(db, "UPDATE identities SET newsletter = 1, notices = 1,"
	    " consent_at = '2025-12-01 00:00:00'", &err);
	tap_is_int(t, crm_customer_recompute(db, 2, &err), 0, "recompute through a merged id");
	tap_is_int(t, q(db, "SELECT newsletter * 10 + notices FROM customers WHERE id = 1"),
	    10, "the absorbed customer's opt-out holds on the survivor");
	tap_is_int(t, q(db, "SELECT count(*) FROM customers WHERE search LIKE '%a@example.jp%'"),
	    1, "search text");
	crm_ruleset_release(&rs);
}

int
main(void)
{
	struct tap t = TAP_INIT;
	struct crm_err err;
	sqlite3 *db;
	char dir[] = "/tmp/crm-unit-rules.XXXXXX", path[256];

	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(path, sizeof path, "%s/crm.db", dir);
	if (crm_db_open(path, CRM_DB_RDWR, &db, &err) < 0) {
		printf("Bail out! %s\n", err.msg);
		return 1;
	}
	rules_parse(&t);
	rules_load(&t, db);
	keys(&t);
	attach(&t, db);
	crm_db_close(db);
	unlink(path);
	snprintf(path, sizeof path, "%s/crm.db-wal", dir);
	unlink(path);
	snprintf(path, sizeof path, "%s/crm.db-shm", dir);
	unlink(path);
	rmdir(dir);
	return tap_done(&t);
}
