#!/bin/sh
# A large import (at least 20000 new orders, and half as many as the database had)
# drops the indexes it does not read and builds them again at the end.
# The result must be exactly what two smaller imports of the same rows
# give with every index kept, the indexes must all be back, and a kill -9
# or --dry-run must leave the schema as it was.
. "$(dirname "$0")/lib.sh"
cd "$T" || exit 1

GEN=$CRM_BUILD/tests/crm-gen
"$GEN" --seed 11 --customers 10000 --out g.csv
# Two halves at an order boundary (rows of one order are adjacent).
awk -F, -v n=15000 '
	NR == 1 { print > "h1.csv"; print > "h2.csv"; next }
	{ k = $1 FS $2; if (!rest && NR > n + 1 && k != last) rest = 1
	  if (rest) print > "h2.csv"; else { print > "h1.csv"; last = k } }' g.csv
orders=$(sqlite3 :memory: '.mode csv' '.import g.csv g' \
	'select count(*) from (select distinct shop, order_id from g)')
ok "the file has 20000 orders or more ($orders)" test "$orders" -ge 20000
ok "each half has fewer than 20000 rows" test "$(wc -l < h2.csv)" -lt 20000

rules() {
	crm-dedupe --db "$1" -q rules --shop rakuten name+phone &&
	crm-dedupe --db "$1" -q rules --shop amazon name+email
}
rules bulk.db; rules rows.db
schema() { sqlite3 "$1" "select type, name, sql from sqlite_schema order by name"; }
before=$(schema bulk.db)

crm-import --db bulk.db -q g.csv; is "$?" 0 "bulk: one import of the whole file"
crm-import --db rows.db -q h1.csv && crm-import --db rows.db -q h2.csv
is "$?" 0 "rows: the same rows in two imports"

is "$(schema bulk.db)" "$before" "bulk: every index is back, as the schema wrote it"
is "$(sqlite3 bulk.db 'pragma integrity_check')" "ok" "bulk: integrity_check ok"
# crm-import writes with foreign key enforcement off (it writes a new
# customer's row at the end): every reference must hold all the same.
is "$(sqlite3 bulk.db 'pragma foreign_key_check')" "" "bulk: no dangling reference"
is "$(sqlite3 rows.db 'pragma foreign_key_check')" "" "rows: no dangling reference"

# Everything but timestamps and the source line (the halves number their
# lines apart) must agree.
dump() {
	sqlite3 "$1" "
	select 'c', id, name, kana, email, phone, postcode, prefecture, address,
	  birthday, member_id, member, registered_at, first_order, last_order,
	  orders, total, newsletter, notices, newsletter_at, notices_at, withdrawn,
	  merged_into, search from customers order by id;
	select 'i', id, shop_id, customer_id, origin_customer, fingerprint, email_key,
	  phone_key, name_key, newsletter, notices, consent_at from identities order by id;
	select 'o', id, shop_id, order_no, ordered_at, status, total, identity_id,
	  customer_id, digest from orders order by id;
	select 'l', order_id, line, sku, quantity, unit_price from order_items order by id;"
}
dump bulk.db > bulk.txt; dump rows.db > rows.txt
ok "bulk: the same customers, identities, orders and items as row by row" cmp bulk.txt rows.txt
is "$(wc -l < bulk.txt | tr -d ' ')" "$(($(sqlite3 bulk.db 'select (select count(*) from customers) + (select count(*) from identities) + (select count(*) from orders) + (select count(*) from order_items)')))" "bulk: the comparison saw every row"

# The aggregates, counted by the sqlite3 shell from the orders.
is "$(sqlite3 bulk.db "select count(*) from customers c where orders <> (select count(*) from orders o where o.customer_id = c.id and o.status = 'ok') or total <> (select coalesce(sum(total), 0) from orders o where o.customer_id = c.id and o.status = 'ok') or last_order is not (select max(ordered_at) from orders o where o.customer_id = c.id and o.status = 'ok')")" \
	"0" "bulk: every customer's orders, total and last order"
# A rebuilt index answers like the table: customers by total, orders by date.
is "$(sqlite3 bulk.db "select count(*) from customers indexed by customers_total where total >= 10000 and merged_into is null")" \
	"$(sqlite3 bulk.db "select count(*) from customers not indexed where total >= 10000 and merged_into is null")" \
	"bulk: customers_total agrees with the table"
is "$(sqlite3 bulk.db "select count(*) from orders indexed by orders_date where ordered_at >= '2026-01-01'")" \
	"$(sqlite3 bulk.db "select count(*) from orders not indexed where ordered_at >= '2026-01-01'")" \
	"bulk: orders_date agrees with the table"

# Again: nothing changes (and no bulk mode: nothing is new).
d1=$(sqlite3 bulk.db .dump | cksum)
crm-import --db bulk.db g.csv 2>err; is "$?" 0 "re-import: exit 0"
like "$(cat err)" " 0 orders new, 0 updated, $orders unchanged, 0 customers new" "re-import: all unchanged"
is "$(sqlite3 bulk.db .dump | cksum)" "$d1" "re-import: the database is as it was"

# --dry-run of a bulk-sized file: nothing written, the schema intact.
crm-import --db dry.db -q --dry-run g.csv; is "$?" 0 "dry run: exit 0"
is "$(sqlite3 dry.db 'select count(*) from orders')" "0" "dry run: no orders"
is "$(sqlite3 dry.db "select count(*) from sqlite_schema where type = 'index'")" \
	"$(sqlite3 bulk.db "select count(*) from sqlite_schema where type = 'index'")" \
	"dry run: every index still there"

# kill -9 once bulk mode has begun: the database as before, indexes and all.
rules kill.db
crm-import --db kill.db -q h1.csv
d2=$(sqlite3 kill.db .dump | cksum)
# Four copies under new shop names: every order new, bulk mode after 20000.
awk 'NR == 1 { h = $0; next } { r[++n] = $0 }
	END { print h; for (k = 1; k <= 4; k++) for (i = 1; i <= n; i++) print k r[i] }' g.csv > big.csv
crm-import --db kill.db -q big.csv &
pid=$!
sleep 5
kill -9 "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
is "$?" 137 "kill -9: killed mid-way"
is "$(sqlite3 kill.db .dump | cksum)" "$d2" "kill -9: the database is as before"
is "$(sqlite3 kill.db 'pragma integrity_check')" "ok" "kill -9: integrity_check ok"
done_testing
