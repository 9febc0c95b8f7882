/* schema.c: every table of the crm database, as forward migrations.
 *
 * Migration i takes a database from PRAGMA user_version i to i+1; a new
 * database runs them all.  Once a version has been released its text never
 * changes: a later change is a new migration appended at the end.
 *
 * Conventions: timestamps are TEXT "YYYY-MM-DD HH:MM:SS" in local time
 * (TZ, default Asia/Tokyo), dates "YYYY-MM-DD"; amounts are INTEGER minor
 * units (yen); booleans INTEGER 0/1.  *_key columns hold the normalised
 * form used for matching (lib/norm.h); the plain columns keep what the
 * shop exported, for display and mailing. */
#include <stddef.h>

#include "schema.h"

static const char v1[] =
/* ---- core: shops, customers, identities, orders ---------------------- */
"CREATE TABLE meta ("
"  key   TEXT PRIMARY KEY,"
"  value TEXT"
");"
"CREATE TABLE shops ("
"  id         INTEGER PRIMARY KEY,"
"  name       TEXT NOT NULL UNIQUE,"
"  created_at TEXT NOT NULL"
");"
/* A customer is the merged person.  A customer absorbed by a merge keeps
 * its row with merged_into set, so that a split can bring it back exactly;
 * every query over "the customers" filters merged_into IS NULL. */
"CREATE TABLE customers ("
"  id            INTEGER PRIMARY KEY,"
"  name TEXT, kana TEXT, email TEXT, phone TEXT,"
"  postcode TEXT, prefecture TEXT, address TEXT, birthday TEXT,"
"  member_id     TEXT,"
"  member        INTEGER NOT NULL DEFAULT 0,"
"  registered_at TEXT,"            /* member sign-up, else first order */
"  first_order   TEXT,"
"  last_order    TEXT,"
"  orders        INTEGER NOT NULL DEFAULT 0,"   /* cancelled/returned excluded */
"  total         INTEGER NOT NULL DEFAULT 0,"
"  newsletter    INTEGER NOT NULL DEFAULT 0,"
"  notices       INTEGER NOT NULL DEFAULT 0,"
"  newsletter_at TEXT,"            /* when the platform data last set it */
"  notices_at    TEXT,"
"  withdrawn     INTEGER NOT NULL DEFAULT 0,"
"  caution       INTEGER NOT NULL DEFAULT 0,"
"  caution_reason TEXT,"
"  undetermined  INTEGER NOT NULL DEFAULT 0,"   /* in a pending dedupe pair */
"  undeliverable INTEGER NOT NULL DEFAULT 0,"   /* address bounced for good */
"  merged_into   INTEGER REFERENCES customers(id),"
"  created_at    TEXT NOT NULL,"
"  updated_at    TEXT NOT NULL"
");"
"CREATE INDEX customers_merged   ON customers(merged_into) WHERE merged_into IS NOT NULL;"  /* IS NULL would pick it and scan everyone */
"CREATE INDEX customers_total    ON customers(total) WHERE merged_into IS NULL;"
"CREATE INDEX customers_orders   ON customers(orders) WHERE merged_into IS NULL;"
"CREATE INDEX customers_last     ON customers(last_order) WHERE merged_into IS NULL;"
"CREATE INDEX customers_first    ON customers(first_order) WHERE merged_into IS NULL;"
"CREATE INDEX customers_reg      ON customers(registered_at) WHERE merged_into IS NULL;"
"CREATE INDEX customers_pref     ON customers(prefecture) WHERE merged_into IS NULL;"
"CREATE INDEX customers_email    ON customers(email);"
"CREATE INDEX customers_phone    ON customers(phone);"
/* An identity is one buyer record as a shop exported it; several make up
 * a customer.  fingerprint is a digest of all *_key fields so that the same
 * buyer in the next export maps to the same identity.  origin_customer is
 * the customer the identity created or was first attached to: a split
 * returns identities to it. */
"CREATE TABLE identities ("
"  id           INTEGER PRIMARY KEY,"
"  shop_id      INTEGER NOT NULL REFERENCES shops(id),"
"  customer_id  INTEGER NOT NULL REFERENCES customers(id),"
"  origin_customer INTEGER NOT NULL REFERENCES customers(id),"
"  fingerprint  TEXT NOT NULL,"
"  name TEXT, kana TEXT, email TEXT, phone TEXT,"
"  postcode TEXT, prefecture TEXT, address TEXT, birthday TEXT, member_id TEXT,"
"  email_key TEXT, phone_key TEXT, name_key TEXT, kana_key TEXT,"
"  postcode_key TEXT, address_key TEXT,"
"  member       INTEGER NOT NULL DEFAULT 0,"
"  registered_at TEXT,"
"  newsletter   INTEGER,"       /* NULL: the export did not say */
"  notices      INTEGER,"
"  consent_at   TEXT,"          /* time of the data that set newsletter/notices */
"  withdrawn    INTEGER NOT NULL DEFAULT 0,"
"  source       TEXT,"          /* file:line where first seen */
"  created_at   TEXT NOT NULL,"
"  UNIQUE (shop_id, fingerprint)"
");"
"CREATE INDEX identities_customer ON identities(customer_id);"
"CREATE INDEX identities_email    ON identities(email_key) WHERE email_key IS NOT NULL;"
"CREATE INDEX identities_phone    ON identities(phone_key) WHERE phone_key IS NOT NULL;"
"CREATE INDEX identities_name     ON identities(name_key) WHERE name_key IS NOT NULL;"
"CREATE INDEX identities_kana     ON identities(kana_key) WHERE kana_key IS NOT NULL;"
"CREATE INDEX identities_postcode ON identities(postcode_key) WHERE postcode_key IS NOT NULL;"
"CREATE INDEX identities_member   ON identities(member_id) WHERE member_id IS NOT NULL;"
"CREATE TABLE orders ("
"  id          INTEGER PRIMARY KEY,"
"  shop_id     INTEGER NOT NULL REFERENCES shops(id),"
"  order_no    TEXT NOT NULL,"
"  ordered_at  TEXT NOT NULL,"
"  shipped_at  TEXT,"
"  status      TEXT NOT NULL DEFAULT 'ok' CHECK (status IN ('ok','cancelled','returned')),"
"  total       INTEGER NOT NULL,"
"  coupon      TEXT,"
"  subscription INTEGER NOT NULL DEFAULT 0,"
"  identity_id INTEGER NOT NULL REFERENCES identities(id),"
"  customer_id INTEGER NOT NULL REFERENCES customers(id),"  /* follows merges */
"  source_file TEXT,"
"  source_line INTEGER,"
"  digest      TEXT,"          /* of the imported content: unchanged re-import */
"  created_at  TEXT NOT NULL,"
"  updated_at  TEXT NOT NULL,"
"  UNIQUE (shop_id, order_no)"
");"
"CREATE INDEX orders_customer ON orders(customer_id, ordered_at);"
"CREATE INDEX orders_identity ON orders(identity_id);"
"CREATE INDEX orders_date     ON orders(ordered_at);"
"CREATE INDEX orders_coupon   ON orders(coupon) WHERE coupon IS NOT NULL;"
"CREATE INDEX orders_no       ON orders(order_no);"   /* keyword search by order number */
"CREATE TABLE order_items ("
"  id         INTEGER PRIMARY KEY,"
"  order_id   INTEGER NOT NULL REFERENCES orders(id) ON DELETE CASCADE,"
"  line       INTEGER NOT NULL,"
"  sku        TEXT,"
"  product    TEXT,"
"  quantity   INTEGER NOT NULL DEFAULT 1,"
"  unit_price INTEGER"
");"
"CREATE INDEX order_items_order ON order_items(order_id);"
"CREATE INDEX order_items_sku   ON order_items(sku);"

/* ---- dedupe: rules, merges, review pairs ----------------------------- */
/* A rule is a '+'-joined set of field names ("name+phone").  shop_id NULL
 * is a global rule; when a shop has rules of its own they replace the
 * global ones for records of that shop.  No rows at all means the default
 * (email, else phone). */
"CREATE TABLE match_rules ("
"  id      INTEGER PRIMARY KEY,"
"  shop_id INTEGER REFERENCES shops(id),"
"  rule    TEXT NOT NULL,"
"  created_at TEXT NOT NULL,"
"  UNIQUE (shop_id, rule)"
");"
/* Every merge and split.  survivor keeps its id; absorbed gets
 * merged_into = survivor.  state holds what a split needs to restore
 * (JSON: identities moved, consent of each side). */
"CREATE TABLE merges ("
"  id         INTEGER PRIMARY KEY,"
"  survivor   INTEGER NOT NULL REFERENCES customers(id),"
"  absorbed   INTEGER NOT NULL REFERENCES customers(id),"
"  kind       TEXT NOT NULL CHECK (kind IN ('merge','split')),"
"  how        TEXT NOT NULL,"   /* rule:email, auto:0.93, pair:12, manual */
"  who        TEXT,"            /* user name for manual actions */
"  reason     TEXT,"
"  state      TEXT,"
"  undone_by  INTEGER REFERENCES merges(id),"
"  at         TEXT NOT NULL"
");"
"CREATE INDEX merges_survivor ON merges(survivor);"
"CREATE INDEX merges_absorbed ON merges(absorbed);"
"CREATE TABLE dedupe_pairs ("
"  id      INTEGER PRIMARY KEY,"
"  a       INTEGER NOT NULL REFERENCES customers(id),"
"  b       INTEGER NOT NULL REFERENCES customers(id),"
"  score   REAL NOT NULL,"
"  reasons TEXT,"
"  status  TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending','confirmed','rejected')),"
"  created_at TEXT NOT NULL,"
"  decided_at TEXT,"
"  CHECK (a < b),"
"  UNIQUE (a, b)"
");"
"CREATE INDEX dedupe_pairs_b ON dedupe_pairs(b);"
"CREATE INDEX dedupe_pairs_pending ON dedupe_pairs(a, b) WHERE status = 'pending';"
/* A split returns identities by where they came from. */
"CREATE INDEX identities_origin ON identities(origin_customer);"

/* ---- tags and the caution flag --------------------------------------- */
"CREATE TABLE tags ("
"  customer_id INTEGER NOT NULL REFERENCES customers(id),"
"  tag         TEXT NOT NULL,"
"  created_at  TEXT NOT NULL,"
"  PRIMARY KEY (customer_id, tag)"
") WITHOUT ROWID;"
"CREATE INDEX tags_tag ON tags(tag);"

/* ---- segments -------------------------------------------------------- */
"CREATE TABLE segments ("
"  id         INTEGER PRIMARY KEY,"
"  name       TEXT NOT NULL UNIQUE,"
"  expr       TEXT NOT NULL,"      /* the expression, flags folded in */
"  args       TEXT,"               /* the command line it was saved from */
"  created_at TEXT NOT NULL,"
"  updated_at TEXT NOT NULL"
");"

/* ---- consent: the opt-out ledger ------------------------------------- */
/* by: owner (crm-optout), customer (unsubscribe link, platform data),
 * bounce.  Only customer-originated data newer than an opt-out can opt a
 * customer back in; the owner never can. */
"CREATE TABLE optouts ("
"  id          INTEGER PRIMARY KEY,"
"  customer_id INTEGER NOT NULL REFERENCES customers(id),"
"  channel     TEXT NOT NULL CHECK (channel IN ('newsletter','notices','all')),"
"  action      TEXT NOT NULL DEFAULT 'out' CHECK (action IN ('out','in')),"
"  by          TEXT NOT NULL CHECK (by IN ('owner','customer','bounce')),"
"  reason      TEXT,"
"  source      TEXT,"
"  at          TEXT NOT NULL"
");"
"CREATE INDEX optouts_customer ON optouts(customer_id, channel);"

/* ---- mail: campaigns and the delivery ledger ------------------------- */
"CREATE TABLE campaigns ("
"  id         INTEGER PRIMARY KEY,"
"  name       TEXT NOT NULL UNIQUE,"
"  template   TEXT,"
"  kind       TEXT NOT NULL DEFAULT 'newsletter' CHECK (kind IN ('newsletter','notices')),"
"  created_at TEXT NOT NULL"
");"
/* One row per (campaign, customer): written as 'sending' before the SMTP
 * transaction and set to the outcome after it, so a run killed mid-message
 * leaves 'sending' behind (reported as unknown, not resent unless asked). */
"CREATE TABLE deliveries ("
"  id          INTEGER PRIMARY KEY,"
"  campaign_id INTEGER NOT NULL REFERENCES campaigns(id),"
"  customer_id INTEGER NOT NULL REFERENCES customers(id),"
"  address     TEXT NOT NULL,"
"  message_id  TEXT NOT NULL,"
"  status      TEXT NOT NULL CHECK (status IN ('sending','sent','deferred','failed','bounced')),"
"  detail      TEXT,"
"  attempts    INTEGER NOT NULL DEFAULT 0,"
"  created_at  TEXT NOT NULL,"
"  updated_at  TEXT NOT NULL,"
"  UNIQUE (campaign_id, customer_id)"
");"
"CREATE INDEX deliveries_customer ON deliveries(customer_id);"

/* ---- scenarios ------------------------------------------------------- */
/* Steps are versioned: an edit writes a new version, and enrolled
 * customers keep the version they were enrolled with (rule 7). */
"CREATE TABLE scenarios ("
"  id         INTEGER PRIMARY KEY,"
"  name       TEXT NOT NULL UNIQUE,"
"  trigger    TEXT NOT NULL CHECK (trigger IN ('orders','segment','list')),"
"  trigger_orders  INTEGER,"
"  trigger_segment TEXT,"
"  anchor     TEXT NOT NULL DEFAULT 'ordered' CHECK (anchor IN ('ordered','shipped')),"
"  version    INTEGER NOT NULL DEFAULT 1,"
"  paused     INTEGER NOT NULL DEFAULT 0,"
"  since      TEXT,"   /* orders triggers: only trigger orders from this date */
"  created_at TEXT NOT NULL,"
"  updated_at TEXT NOT NULL"
");"
"CREATE TABLE scenario_steps ("
"  id          INTEGER PRIMARY KEY,"
"  scenario_id INTEGER NOT NULL REFERENCES scenarios(id) ON DELETE CASCADE,"
"  version     INTEGER NOT NULL,"
"  step        INTEGER NOT NULL,"   /* 1, 2, ... */
"  days        INTEGER NOT NULL,"
"  kind        TEXT NOT NULL CHECK (kind IN ('mail','dm','call')),"
"  template    TEXT,"
"  UNIQUE (scenario_id, version, step)"
");"
"CREATE TABLE scenario_customers ("
"  id          INTEGER PRIMARY KEY,"
"  scenario_id INTEGER NOT NULL REFERENCES scenarios(id) ON DELETE CASCADE,"
"  customer_id INTEGER NOT NULL REFERENCES customers(id),"
"  version     INTEGER NOT NULL,"
"  via         TEXT NOT NULL CHECK (via IN ('orders','segment','list')),"
"  order_id    INTEGER REFERENCES orders(id),"
"  anchor      TEXT NOT NULL,"      /* date the step days count from */
"  step        INTEGER NOT NULL DEFAULT 1,"  /* the next step to create or do */
"  due         TEXT,"               /* date of that step, NULL when finished */
"  status      TEXT NOT NULL DEFAULT 'ready' CHECK (status IN"
"                ('ready','held','paused','done','undeliverable')),"
"  note        TEXT,"
"  enrolled_at TEXT NOT NULL,"
"  updated_at  TEXT NOT NULL,"
"  UNIQUE (scenario_id, customer_id)"
");"
"CREATE INDEX scenario_customers_due ON scenario_customers(status, due);"
"CREATE INDEX scenario_customers_customer ON scenario_customers(customer_id);"
/* What happened at each step, one row per (customer, step). */
"CREATE TABLE scenario_log ("
"  id          INTEGER PRIMARY KEY,"
"  sc_id       INTEGER NOT NULL REFERENCES scenario_customers(id) ON DELETE CASCADE,"
"  step        INTEGER NOT NULL,"
"  kind        TEXT NOT NULL,"
"  outcome     TEXT NOT NULL,"      /* sent, skipped:REASON, held, exported, listed */
"  delivery_id INTEGER REFERENCES deliveries(id),"
"  at          TEXT NOT NULL,"
"  UNIQUE (sc_id, step)"
");"
;

/* v2: the keyword filter searches a folded copy of the customer's text. */
static const char v2[] =
"ALTER TABLE customers ADD COLUMN search TEXT;"
;

/* v3: the match-rule lookups of an import read no table rows.  A phone
 * is shared by many records (a family, a shop's own number): the phone
 * index carries name_key and customer_id so that name+phone is answered
 * from the index, and records without e-mail have their own index for
 * the phone rule's guard (a buyer with an e-mail matches by phone only
 * records that have none).  At 10^6 customers both lookups had been a
 * table read per record sharing the phone, for every new buyer. */
static const char v3[] =
"DROP INDEX identities_phone;"
"CREATE INDEX identities_phone ON identities(phone_key, name_key, customer_id)"
"  WHERE phone_key IS NOT NULL;"
"CREATE INDEX identities_phone_noemail ON identities(phone_key, email_key, customer_id)"
"  WHERE phone_key IS NOT NULL AND email_key IS NULL;"
;

const char *const crm_schema_migrations[] = { v1, v2, v3 };
const int crm_schema_nmigrations =
    (int)(sizeof crm_schema_migrations / sizeof crm_schema_migrations[0]);
