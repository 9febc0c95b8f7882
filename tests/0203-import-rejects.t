#!/bin/sh
# Bad rows: the rejects file (original fields, line, reason), exit 65 with
# the good rows landed; a bad row rejects its whole order; --strict and
# --dry-run write nothing.
. "$(dirname "$0")/lib.sh"
cd "$T" || exit 1

cat > in.csv <<'CSV'
order_id,ordered_at,email,name,sku,quantity,unit_price
1,2026-11-01,a@example.jp,A,S1,1,100
2,2026-02-30,b@example.jp,B,S1,1,100
3,2026-11-03,c@example.jp,C,S1,1,abc
4,2026-11-04,d@example.jp,D,S1,1,100
4,2026-11-04,d@example.jp,D,S2,x,100
,2026-11-05,e@example.jp,E,S1,1,100
6,2026-11-06,,,S1,1,100
7,2026-11-07,not-an-address,G,S1,1,100
8,2026-11-08,h@example.jp,H,S1,2,250
CSV

cp in.csv strict.csv
crm-import --strict strict.csv 2>err; is "$?" 65 "--strict: exit 65"
like "$(cat err)" "--strict: 7 rows rejected, nothing imported" "--strict: says nothing was imported"
is "$(sql "select count(*) from orders")" "0" "--strict: no orders"
is "$(sql "select count(*) from customers")" "0" "--strict: no customers"
ok "--strict: the rejects file says why" test -f strict.csv.rejects.csv

crm-import --dry-run in.csv 2>err; is "$?" 65 "--dry-run: exit 65 (rows would be rejected)"
like "$(cat err)" "dry run: in.csv: 9 rows, 2 orders new, 0 updated, 0 unchanged, 2 customers new, 7 rejected" "--dry-run: the summary"
like "$(cat err)" "in.csv: line 3: ordered_at: '2026-02-30': there is no day 30 in February 2026" "--dry-run: reasons on stderr"
is "$(sql "select count(*) from orders")" "0" "--dry-run: no orders"
is "$(sql "select count(*) from shops")" "0" "--dry-run: not even a shop"
ok "--dry-run: no rejects file" test ! -e in.csv.rejects.csv

crm-import in.csv 2>err; is "$?" 65 "rejects: exit 65"
is "$(cat err)" "crm-import: in.csv: 9 rows, 2 orders new, 0 updated, 0 unchanged, 2 customers new, 7 rejected (see in.csv.rejects.csv)" "rejects: summary names the file"
is "$(sql "select order_no, total from orders order by order_no")" "1|100
8|500" "rejects: the good orders landed"
is "$(cat in.csv.rejects.csv)" "order_id,ordered_at,email,name,sku,quantity,unit_price,line,reason
2,2026-02-30,b@example.jp,B,S1,1,100,3,ordered_at: '2026-02-30': there is no day 30 in February 2026 (it has 28 days)
3,2026-11-03,c@example.jp,C,S1,1,abc,4,\"unit_price: 'abc' is not an amount in yen (expected 1234, 1,234, ¥1,234 or 1234円)\"
,2026-11-05,e@example.jp,E,S1,1,100,7,order_id: empty
4,2026-11-04,d@example.jp,D,S1,1,100,5,another row of this order was rejected (line 6)
4,2026-11-04,d@example.jp,D,S2,x,100,6,quantity: 'x' is not a whole number >= 0
6,2026-11-06,,,S1,1,100,8,\"no buyer: none of email, phone, name is given\"
7,2026-11-07,not-an-address,G,S1,1,100,9,email: 'not-an-address' is not an e-mail address (expected local@domain.example)" "rejects: fields, line and reason, as CSV"

# The rejects file can be fixed and fed back.
sed -e 's/2026-02-30/2026-02-28/' -e 's/,abc,/,300,/' -e 's/,x,/,1,/' \
	-e 's/^,2026-11-05/5,2026-11-05/' -e 's/^6,2026-11-06,,,/6,2026-11-06,f@example.jp,F,/' \
	-e 's/not-an-address/g@example.jp/' in.csv.rejects.csv > fixed.csv
crm-import fixed.csv 2>err; is "$?" 0 "fed back: exit 0"
like "$(cat err)" "fixed.csv: line 1: ignoring unknown columns: line, reason" "fed back: one warning for the extra columns"
is "$(sql "select count(*), sum(total) from orders")" "8|1500" "fed back: all 8 orders"

# --rejects FILE; a huge field is rejected, not truncated into the db.
awk 'BEGIN { printf "order_id,ordered_at,email,name,total\nh1,2026-11-01,x@example.jp,"; for (i = 0; i < 70000; i++) printf "a"; printf ",100\nh2,2026-11-01,y@example.jp,Y,100\n" }' > huge.csv
crm-import --rejects "$T/huge-rejects.csv" huge.csv 2>err; is "$?" 65 "huge field: exit 65"
like "$(cat err)" "huge.csv: 2 rows, 1 orders new, .* 1 rejected \\(see $T/huge-rejects.csv\\)" "huge field: summary"
is "$(tail -n 1 huge-rejects.csv | sed 's/.*,//')" "name: field longer than 65536 bytes" "huge field: reason"
ok "huge field: no default rejects file" test ! -e huge.csv.rejects.csv
# One --rejects file for several inputs: each input's header once.
printf 'order_id,ordered_at,email,total\nr1,2026-11-01,r@example.jp,x\n' > r1.csv
printf 'order_id,ordered_at,email,total\nr2,2026-11-01,r@example.jp,y\n' > r2.csv
printf 'ordered_at,order_id,email,total\n2026-11-01,r3,r@example.jp,z\n' > r3.csv
crm-import --rejects all.csv r1.csv r2.csv r3.csv 2>/dev/null; is "$?" 65 "several inputs, one rejects file: exit 65"
is "$(cut -d, -f1-2 all.csv)" "order_id,ordered_at
r1,2026-11-01
r2,2026-11-01
ordered_at,order_id
2026-11-01,r3" "several inputs, one rejects file: headers only when they change"

# A rejects file that cannot be created: exit 73, nothing imported.
printf 'order_id,ordered_at,email,total\nc1,2026-11-01,c@example.jp,100\nc2,2026-11-01,c@example.jp,bad\n' > c.csv
n=$(sql "select count(*) from orders")
crm-import --rejects "$T/no/such/dir/r.csv" c.csv 2>err; is "$?" 73 "rejects file cannot be created: exit 73"
like "$(cat err)" "no/such/dir/r.csv: No such file or directory" "rejects file cannot be created: message"
is "$(sql "select count(*) from orders")" "$n" "rejects file cannot be created: nothing imported"
is "$(sql 'pragma foreign_key_check')" "" "no dangling reference (imports run with foreign keys off)"
done_testing
