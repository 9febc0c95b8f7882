#!/bin/sh
# A later export of the same orders: a cancellation, a changed amount, a
# changed item list; the customer's count, total, first and last order
# follow, and -o csv / -o ids list exactly what changed.
. "$(dirname "$0")/lib.sh"
cd "$T" || exit 1

cat > nov.csv <<'CSV'
order_id,ordered_at,email,name,sku,quantity,unit_price
A1,2026-11-01 10:00,a@example.jp,A,S1,1,1000
A2,2026-11-05 10:00,a@example.jp,A,S1,2,1000
A3,2026-11-09 10:00,a@example.jp,A,S2,1,500
B1,2026-11-02 10:00,b@example.jp,B,S1,1,1000
CSV
crm-import nov.csv 2>/dev/null
is "$(sql "select orders, total, first_order, last_order from customers where id = 1")" "3|3500|2026-11-01 10:00:00|2026-11-09 10:00:00" "before: 3 orders, 3500"

# A1 cancelled (the first order), A3 returned (the last), A2 now 3 items.
cat > dec.csv <<'CSV'
order_id,ordered_at,status,email,name,sku,quantity,unit_price
A1,2026-11-01 10:00,キャンセル,a@example.jp,A,S1,1,1000
A2,2026-11-05 10:00,ok,a@example.jp,A,S1,3,1000
A3,2026-11-09 10:00,返品,a@example.jp,A,S2,1,500
B1,2026-11-02 10:00,ok,b@example.jp,B,S1,1,1000
C1,2026-11-20 10:00,ok,b@example.jp,B,S3,1,700
CSV
out=$(crm-import -o csv dec.csv 2>err); is "$?" 0 "update: exit 0"
is "$(cat err)" "crm-import: dec.csv: 5 rows, 1 orders new, 3 updated, 1 unchanged, 0 customers new, 0 rejected" "update: summary"
is "$out" "shop,order_id,customer_id,orders,caution,status,change
default,A1,1,1,0,cancelled,updated
default,A2,1,1,0,ok,updated
default,A3,1,1,0,returned,updated
default,C1,2,2,0,ok,new" "update: -o csv lists the changed orders with their customer's count"
is "$(sql "select orders, total, first_order, last_order from customers where id = 1")" "1|3000|2026-11-05 10:00:00|2026-11-05 10:00:00" "after: only A2 counts, first = last = A2"
is "$(sql "select status, total from orders where order_no in ('A1','A2','A3') order by order_no")" "cancelled|1000
ok|3000
returned|500" "after: statuses and the new amount"
is "$(sql "select quantity from order_items where order_id = (select id from orders where order_no = 'A2')")" "3" "after: A2's item replaced"
is "$(sql "select count(*) from order_items")" "5" "after: no stale items"

# The caution flag shows in -o csv, ids are unique and sorted.
sqlite3 "$CRM_DB" "update customers set caution = 1 where id = 2"
printf 'order_id,ordered_at,email,total\nC2,2026-11-21,b@example.jp,100\nC3,2026-11-22,b@example.jp,200\nA4,2026-11-22,a@example.jp,300\n' > more.csv
out=$(crm-import -o csv more.csv 2>/dev/null)
is "$out" "shop,order_id,customer_id,orders,caution,status,change
default,C2,2,4,1,ok,new
default,C3,2,4,1,ok,new
default,A4,1,2,0,ok,new" "-o csv: caution flag and current counts"
printf 'order_id,ordered_at,email,total\nC4,2026-11-23,b@example.jp,1\nA5,2026-11-23,a@example.jp,1\nC5,2026-11-23,b@example.jp,1\n' > ids.csv
is "$(crm-import -o ids ids.csv 2>/dev/null)" "1
2" "-o ids: each customer once"

# Re-importing the December file again changes nothing.
before=$(sql "select group_concat(updated_at) from orders")
out=$(crm-import -o csv dec.csv 2>err)
is "$out" "" "again: nothing listed"
is "$(cat err)" "crm-import: dec.csv: 5 rows, 0 orders new, 0 updated, 5 unchanged, 0 customers new, 0 rejected" "again: all unchanged"
is "$(sql "select group_concat(updated_at) from orders")" "$before" "again: no order touched"
is "$(sql 'pragma foreign_key_check')" "" "no dangling reference (imports run with foreign keys off)"
done_testing
