#!/bin/sh
# Standard input, several files in one call, an order's rows apart in a
# file, header names in any case and order, CRLF and a BOM, blank lines.
. "$(dirname "$0")/lib.sh"
cd "$T" || exit 1

printf '\357\273\277ORDER_ID,Email,Ordered_At,Total\r\nS1,s@example.jp,2026-11-01,100\r\n\r\n' | crm-import - 2>err
is "$?" 0 "stdin: exit 0"
is "$(cat err)" "crm-import: -: 1 rows, 1 orders new, 0 updated, 0 unchanged, 1 customers new, 0 rejected" "stdin: summary names -"
is "$(sql "select order_no, total from orders")" "S1|100" "stdin: BOM, case-insensitive headers, CRLF, blank line"

printf 'order_id,ordered_at,email,total\nS2,2026-11-02,s@example.jp,200\n' | crm-import 2>/dev/null
is "$(sql "select count(*) from orders")" "2" "no FILE and stdin not a terminal: reads stdin"

printf 'order_id,ordered_at,email,total\nS3,2026-11-03,s@example.jp,1.234.5\n' | crm-import - 2>err
is "$?" 65 "stdin: a rejected row, exit 65"
is "$(cat err)" "crm-import: -: 1 rows, 0 orders new, 0 updated, 0 unchanged, 0 customers new, 1 rejected (see crm-import.rejects.csv)" "stdin: rejects file named"
is "$(sed -n 2p crm-import.rejects.csv | cut -d, -f1-5)" "S3,2026-11-03,s@example.jp,1.234.5,2" "stdin: ./crm-import.rejects.csv"

# Several files in one call: one transaction, a line per file and a total.
printf 'order_id,ordered_at,email,total\nM1,2026-11-04,m@example.jp,10\nM2,2026-11-05,m@example.jp,20\n' > m1.csv
printf 'total,email,order_id,ordered_at\n30,n@example.jp,M3,2026-11-06\n' > m2.csv
crm-import m1.csv m2.csv 2>err; is "$?" 0 "several files: exit 0"
is "$(cat err)" "crm-import: m1.csv: 2 rows, 2 orders new, 0 updated, 0 unchanged, 1 customers new, 0 rejected
crm-import: m2.csv: 1 rows, 1 orders new, 0 updated, 0 unchanged, 1 customers new, 0 rejected
crm-import: total: 3 rows, 3 orders new, 0 updated, 0 unchanged, 2 customers new, 0 rejected" "several files: a summary per file and a total"

# The same order in two files of one call: the later file updates it.
printf 'order_id,ordered_at,email,sku,quantity,unit_price\nL1,2026-11-06,l@example.jp,A,2,100\nL2,2026-11-06,l@example.jp,A,1,100\n' > early.csv
printf 'order_id,ordered_at,status,email,sku,quantity,unit_price\nL1,2026-11-06,cancelled,l@example.jp,A,2,100\n' > late.csv
crm-import early.csv late.csv 2>err
is "$(cat err)" "crm-import: early.csv: 2 rows, 1 orders new, 0 updated, 0 unchanged, 1 customers new, 0 rejected
crm-import: late.csv: 1 rows, 1 orders new, 0 updated, 0 unchanged, 0 customers new, 0 rejected
crm-import: total: 3 rows, 2 orders new, 0 updated, 0 unchanged, 1 customers new, 0 rejected" "two files, one order: counted with the file that last changed it"
is "$(sql "select status, total, (select count(*) from order_items i where i.order_id = o.id) from orders o where order_no = 'L1'")" "cancelled|200|1" "two files, one order: the later export wins, items not doubled"
is "$(sql "select orders, total from customers where email = 'l@example.jp'")" "1|100" "two files, one order: the customer counts only L2"

# Rows of one order apart from each other in the file: one order.
cat > apart.csv <<'CSV'
order_id,ordered_at,email,sku,quantity,unit_price
P1,2026-11-07,p@example.jp,A,1,100
P2,2026-11-07,p@example.jp,B,1,200
P1,2026-11-07,p@example.jp,C,2,300
CSV
crm-import apart.csv 2>err
is "$(cat err)" "crm-import: apart.csv: 3 rows, 2 orders new, 0 updated, 0 unchanged, 1 customers new, 0 rejected" "rows apart: 2 orders"
is "$(sql "select total from orders where order_no = 'P1'")" "700" "rows apart: P1 has both parts (100 + 2 x 300)"
is "$(sql "select group_concat(sku, '') from (select sku from order_items where order_id = (select id from orders where order_no = 'P1') order by line)")" "AC" "rows apart: items in file order"
before=$(sql "select group_concat(updated_at || source_line) from orders")
crm-import apart.csv 2>err
is "$(cat err)" "crm-import: apart.csv: 3 rows, 0 orders new, 0 updated, 2 unchanged, 0 customers new, 0 rejected" "rows apart, again: unchanged"
is "$(sql "select group_concat(updated_at || source_line) from orders")" "$before" "rows apart, again: orders untouched"
printf 'order_id,ordered_at,email,sku,quantity,unit_price\nP1,2026-11-07,p@example.jp,A,1,100\n' > p1.csv
crm-import p1.csv 2>err
is "$(cat err)" "crm-import: p1.csv: 1 rows, 0 orders new, 1 updated, 0 unchanged, 0 customers new, 0 rejected" "a later export with fewer items: updated"
is "$(sql "select total from orders where order_no = 'P1'")" "100" "a later export with fewer items: new total"

# -s names the shop when the file has none; a shop column wins over -s.
printf 'order_id,ordered_at,email,total\nQ1,2026-11-08,q@example.jp,5\n' > q.csv
crm-import -s rakuten q.csv 2>/dev/null
printf 'order_id,ordered_at,email,total,shop\nQ1,2026-11-08,q@example.jp,5,amazon\n' > q2.csv
crm-import -s rakuten q2.csv 2>/dev/null
is "$(sql "select s.name from orders o join shops s on s.id = o.shop_id where order_no = 'Q1' order by s.name")" "amazon
rakuten" "-s and the shop column: same order number, two shops"
done_testing
