#!/bin/sh
# crm-import on every bundled sample export: exact orders, customers and
# totals (worked out by hand from examples/, see the comments), then a
# re-import of everything that changes nothing and says so.
. "$(dirname "$0")/lib.sh"

EX="$SRC/examples"
cp "$EX"/orders-generic.csv "$EX"/orders-shopify.csv "$EX"/orders-rakuten.csv \
	"$EX"/orders-amazon.tsv "$EX"/orders-nextengine.csv "$EX"/members.csv "$T/"
# Member consent is as of the file's mtime: fix it.
touch -d '2026-11-01 12:00:00' "$T/members.csv"
cd "$T" || exit 1

# generic: G1001..G1006; 佐藤 twice (e-mail in another case and width),
# 田中一郎 and 田中花子 share a landline but have two e-mails: 4 customers.
crm-import orders-generic.csv 2>err; is "$?" 0 "generic: exit 0"
is "$(cat err)" "crm-import: orders-generic.csv: 7 rows, 6 orders new, 0 updated, 0 unchanged, 4 customers new, 0 rejected" "generic: summary"
is "$(sql "select count(*), sum(total) from orders")" "6|17860" "generic: 6 orders, 17860 yen in all"
is "$(sql "select name, orders, total from customers order by id")" "佐藤 美咲|2|6760
田中 一郎|1|1500
田中 花子|1|3600
髙橋 誠|1|4800" "generic: per-customer counts and totals (G1006 cancelled)"
is "$(sql "select count(*) from order_items")" "7" "generic: 7 line items"
is "$(sql "select shop_id, order_no from orders where order_no='G1006'")" "1|G1006" "generic: shop column"
is "$(sql "select name from shops")" "webshop" "generic: shop named by the shop column"

# shopify: #1001 (3 rows, follow-on rows blank) joins 佐藤 by e-mail;
# #1003 has Cancelled at; #1002/#1003 鈴木, #1004 伊藤 are new.
crm-import -f shopify orders-shopify.csv 2>err; is "$?" 0 "shopify: exit 0"
is "$(cat err)" "crm-import: orders-shopify.csv: 6 rows, 4 orders new, 0 updated, 0 unchanged, 2 customers new, 0 rejected" "shopify: summary"
is "$(sql "select order_no, status, total, (select count(*) from order_items i where i.order_id = o.id) from orders o where order_no like '#%' order by order_no")" "#1001|ok|3380|3
#1002|ok|3000|1
#1003|cancelled|2100|1
#1004|ok|2160|1" "shopify: orders, statuses, totals, items"
is "$(sql "select orders, total from customers where id = 1")" "3|10140" "shopify: #1001 joined 佐藤 by e-mail"
is "$(sql "select phone, prefecture from customers where name = '伊藤 さくら'")" "052-111-0000|愛知県" "shopify: JP-23 is 愛知県"
is "$(sql "select unit_price from order_items where sku = 'POT-001'")" "1200" "shopify: 1200.00 is 1200 yen"

# rakuten (楽天ペイ, CP932): 佐藤's masked e-mail keeps her apart by the
# default rules (both sides have an e-mail); 高橋 (no e-mail in generic)
# joins by phone; 900 is キャンセル確定.
crm-import -f rakuten orders-rakuten.csv 2>err; is "$?" 0 "rakuten: exit 0"
is "$(cat err)" "crm-import: orders-rakuten.csv: 4 rows, 3 orders new, 0 updated, 0 unchanged, 2 customers new, 0 rejected" "rakuten: summary"
is "$(sql "select c.name, c.orders, c.total from customers c where c.id = 4")" "髙橋 誠|2|6760" "rakuten: 高橋 joined by phone (one side has no e-mail)"
is "$(sql "select status from orders where order_no = '274555-20261023-0000003'")" "cancelled" "rakuten: status 900 is cancelled"
is "$(sql "select name, kana, phone, postcode from identities where email like '9f1c%'")" "佐藤 美咲|サトウ ミサキ|090-1111-2222|154-0001" "rakuten: split name, kana, phone and postcode joined"
is "$(sql "select email from customers where id = 4")" "1a2b3c4d5e6f7081@pc.fw.rakuten.ne.jp" "rakuten: a relay address only when there is no other"

# amazon (TSV): relay e-mails, no phones: two new customers; item-price
# is per line (3000 for 2).
crm-import -f amazon orders-amazon.tsv 2>err; is "$?" 0 "amazon: exit 0"
is "$(cat err)" "crm-import: orders-amazon.tsv: 3 rows, 2 orders new, 0 updated, 0 unchanged, 2 customers new, 0 rejected" "amazon: summary"
is "$(sql "select total from orders where order_no = '249-0814575-0394263'")" "5400" "amazon: total from line totals"
is "$(sql "select quantity, unit_price from order_items where sku = 'TEA-002' and order_id = (select id from orders where order_no = '249-0814575-0394263')")" "2|1500" "amazon: unit price = item-price / quantity"
is "$(sql "select ordered_at from orders where order_no = '503-2211334-7788990'")" "2026-10-24 11:05:00" "amazon: UTC purchase-date in local time"
is "$(sql "select product from order_items where sku = 'CUP-010' and product like '%特選%'")" '湯呑み 白 "特選"' "amazon: a literal quote inside an unquoted field"

# nextengine (CP932): 田中一郎 and 佐藤 join by e-mail; line 3 of
# Y-20261102-001 is a cancelled line; Y-20261104-002 a cancelled slip.
crm-import -f nextengine orders-nextengine.csv 2>err; is "$?" 0 "nextengine: exit 0"
is "$(cat err)" "crm-import: orders-nextengine.csv: 5 rows, 3 orders new, 0 updated, 0 unchanged, 1 customers new, 0 rejected" "nextengine: summary"
is "$(sql "select count(*) from order_items where order_id = (select id from orders where order_no = 'Y-20261102-001')")" "2" "nextengine: cancelled line left out"
is "$(sql "select s.name, o.status from orders o join shops s on s.id = o.shop_id where order_no = 'Y-20261104-002'")" "ヤフー店|cancelled" "nextengine: shop from 店舗名, キャンセル区分 1"
is "$(sql "select orders, total from customers where id = 2")" "2|4200" "nextengine: 田中一郎 2 orders"
is "$(sql "select orders, total, first_order, last_order from customers where id = 1")" "4|13740|2026-10-03 09:12:00|2026-11-05 12:00:00" "nextengine: 佐藤 4 orders"

# members: 佐藤, 田中 matched by e-mail; 中村 (Amazon relay only) and 小林次郎 new.
crm-import --customers -s webshop members.csv 2>err; is "$?" 0 "members: exit 0"
is "$(cat err)" "crm-import: members.csv: 4 rows, 2 customers new, 2 matched, 0 rejected" "members: summary"
is "$(sql "select member, registered_at, newsletter, notices, newsletter_at from customers where id = 1")" "1|2025-04-01 00:00:00|1|1|2026-11-01 12:00:00" "members: 佐藤 member, registered, opted in as of the file's mtime"
is "$(sql "select member, newsletter, notices from customers where id = 2")" "1|0|1" "members: 田中 受け取らない / 受け取る"
is "$(sql "select member, withdrawn, orders, registered_at from customers where name = '小林 次郎'")" "1|1|0|2024-11-30 00:00:00" "members: withdrawn member without orders"
is "$(sql "select birthday from customers where name = '中村 優子' and member = 1")" "1985-12-01" "members: birthday normalised"

is "$(sql "select count(*) from customers where merged_into is null")" "13" "all: 13 customers"
is "$(sql "select count(*), sum(case when status='ok' then total end) from orders")" "18|43660" "all: 18 orders, 43660 yen not cancelled"
is "$(sql "select sum(total), sum(orders) from customers")" "43660|14" "all: customer totals add up to the orders"

# Everything again: nothing changes, and the summary says so.
sqlite3 "$CRM_DB" .dump > before.sql
crm-import orders-generic.csv 2>err
is "$(cat err)" "crm-import: orders-generic.csv: 7 rows, 0 orders new, 0 updated, 6 unchanged, 0 customers new, 0 rejected" "re-import generic: all unchanged"
crm-import -f shopify orders-shopify.csv 2>err
is "$(cat err)" "crm-import: orders-shopify.csv: 6 rows, 0 orders new, 0 updated, 4 unchanged, 0 customers new, 0 rejected" "re-import shopify: all unchanged"
crm-import -f rakuten orders-rakuten.csv 2>/dev/null
crm-import -f amazon orders-amazon.tsv 2>/dev/null
crm-import -f nextengine orders-nextengine.csv 2>/dev/null
crm-import --customers -s webshop members.csv 2>err
is "$(cat err)" "crm-import: members.csv: 4 rows, 0 customers new, 4 matched, 0 rejected" "re-import members: all matched"
out=$(crm-import -f shopify -o csv orders-shopify.csv 2>/dev/null)
is "$out" "" "re-import: -o csv lists nothing"
sqlite3 "$CRM_DB" .dump > after.sql
ok "re-import: the database is byte-for-byte the same dump" cmp -s before.sql after.sql
done_testing
