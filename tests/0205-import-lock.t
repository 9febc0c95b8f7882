#!/bin/sh
# One transaction per call: a locked database is exit 75 with nothing
# written, and a kill -9 half way leaves the database as it was.
. "$(dirname "$0")/lib.sh"
cd "$T" || exit 1

printf 'order_id,ordered_at,email,total\n1,2026-11-01,a@example.jp,100\n' > one.csv
crm-import one.csv 2>/dev/null; is "$?" 0 "first import"

# Hold the write lock from another process for a few seconds.
printf 'order_id,ordered_at,email,total\n2,2026-11-02,b@example.jp,200\n' > two.csv
( printf 'BEGIN IMMEDIATE;\nINSERT INTO meta (key, value) VALUES ('"'"'lock'"'"', '"'"'held'"'"');\n.shell touch %s\n' "$T/locked"; sleep 4; printf 'ROLLBACK;\n' ) | sqlite3 "$CRM_DB" &
holder=$!
i=0; while [ ! -e "$T/locked" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
ok "the other process holds the write lock" test -e "$T/locked"
CRM_BUSY_TIMEOUT=100 crm-import two.csv 2>err; is "$?" 75 "locked: exit 75"
like "$(cat err)" "locked" "locked: says so"
wait "$holder"
is "$(sql "select count(*) from orders")" "1" "locked: nothing written"
crm-import two.csv 2>/dev/null; is "$?" 0 "after the lock: imports"
is "$(sql "select count(*) from orders")" "2" "after the lock: 2 orders"

# kill -9 in the middle of a large import: the database is as before.
awk 'BEGIN { print "order_id,ordered_at,email,name,sku,quantity,unit_price";
	for (i = 0; i < 500000; i++) printf "K%d,2026-11-01,k%d@example.jp,K %d,S,1,100\n", i, i % 5000, i }' > big.csv
before=$(sqlite3 "$CRM_DB" .dump | cksum)
crm-import big.csv 2>/dev/null &
pid=$!
sleep 1
kill -9 "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
killed=$?
is "$killed" 137 "kill -9: the import was killed mid-way"
is "$(sqlite3 "$CRM_DB" .dump | cksum)" "$before" "kill -9: the database is as before"
is "$(sql "pragma integrity_check")" "ok" "kill -9: integrity_check ok"
done_testing
