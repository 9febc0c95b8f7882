#!/bin/sh
# A file size limit (ulimit -f, 512-byte blocks in sh) hit while writing:
# standard output, crm-import's rejects file, the database itself.  The
# binaries ignore SIGXFSZ, so the write fails with EFBIG and is reported
# (exit 74, the file named, "File too large"); nothing is half-written in
# the database, and without the limit the same command does it all.
. "$(dirname "$0")/lib.sh"
cd "$T" || exit 1
dump() { sqlite3 "$CRM_DB" .dump | cksum; }

# 1500 customers, one order each: crm-segment -o csv writes ~90 KB.
awk 'BEGIN { print "order_id,ordered_at,email,name,total";
	for (i = 0; i < 1500; i++) printf "A%d,2026-11-01,a%d@example.jp,顧客 %d,%d\n", i, i, i, 1000 + i }' >a.csv
crm-import -q a.csv >/dev/null 2>&1
is "$(sql "SELECT count(*) FROM customers")" 1500 "1500 customers"

# --- standard output: 128 blocks = 64 KiB.
(ulimit -f 128; crm-segment -o csv >seg.csv 2>err)
is "$?" 74 "stdout past the limit: exit 74"
like "$(cat err)" "File too large" "stdout past the limit: says why"
is "$(wc -c <seg.csv | tr -d ' ')" 65536 "stdout: the file stops at the limit"
crm-segment -o csv >seg.csv 2>/dev/null
is "$?" 0 "without the limit: exit 0"
is "$(sed 1d seg.csv | wc -l | tr -d ' ')" 1500 "without the limit: all 1500 rows"

# --- the rejects file: 2000 bad rows (~90 KB of rejects) and a good one.
awk 'BEGIN { print "order_id,ordered_at,email,name,total";
	for (i = 0; i < 2000; i++) printf "R%d,not-a-date-%d,r%d@example.jp,R %d,100\n", i, i, i, i;
	print "G1,2026-11-02,g@example.jp,G,100" }' >rej.csv
before=$(dump)
(ulimit -f 128; crm-import rej.csv >/dev/null 2>err)
is "$?" 74 "rejects file past the limit: exit 74"
like "$(cat err)" "rej.csv.rejects.csv: File too large" "rejects: names the file and why"
is "$(dump)" "$before" "rejects: nothing imported (not even the good row)"
ok "rejects: no partial rejects file left" test ! -e rej.csv.rejects.csv
crm-import rej.csv >/dev/null 2>&1
is "$?" 65 "without the limit: exit 65 (rows rejected)"
is "$(sed 1d rej.csv.rejects.csv | wc -l | tr -d ' ')" 2000 "without the limit: 2000 rows in the rejects file"
is "$(sql "SELECT count(*) FROM orders WHERE order_no = 'G1'")" 1 "without the limit: the good row imported"

# --- the database: 4000 items would grow it by ~1 MB; 600 blocks = 300 KiB
# is below what the transaction needs in the WAL.
awk 'BEGIN { print "order_id,ordered_at,email,name,sku,quantity,unit_price";
	for (i = 0; i < 4000; i++) printf "B%d,2026-11-03,b%d@example.jp,B %d,S%d,2,%d\n", int(i / 2), i % 700, i % 700, i % 5, 100 + i % 9 }' >b.csv
want=$(awk -F, 'NR > 1 { t += $6 * $7; o[$1] = 1 } END { print length(o), t }' b.csv)
before=$(dump)
(ulimit -f 600; crm-import b.csv >/dev/null 2>err)
is "$?" 74 "database past the limit: exit 74"
like "$(cat err)" "crm.db: disk I/O error" "database: names the database"
is "$(dump)" "$before" "database: exactly as before"
is "$(sql "pragma integrity_check")" ok "database: integrity_check ok"
crm-import b.csv >/dev/null 2>&1
is "$?" 0 "without the limit: exit 0"
is "$(sql "SELECT count(*) || ' ' || sum(total) FROM orders WHERE order_no LIKE 'B%'")" "$want" \
	"without the limit: every order and the total computed with awk"
done_testing
