#!/bin/sh
# crm-dedupe: usage errors (64), bad data (65), no database (66), a locked
# database (75), and nothing half-written.
. "$(dirname "$0")/lib.sh"

fails 66 "pending without a database" crm-dedupe pending
ok "no database file created by a read command" test ! -e "$CRM_DB"

fails 64 "no command" crm-dedupe
fails 64 "unknown command" crm-dedupe frobnicate
fails 64 "confirm without a pair" crm-dedupe confirm
fails 64 "merge with one id" crm-dedupe merge 1
fails 64 "split with two ids" crm-dedupe split 1 2
fails 64 "--threshold out of range" crm-dedupe run --threshold 1.5
fails 64 "--auto-merge not a number" crm-dedupe run --auto-merge high
fails 64 "--auto-merge below --threshold" crm-dedupe run --threshold 0.8 --auto-merge 0.7
fails 64 "-o unknown" crm-dedupe pending -o xml
fails 64 "an option the command does not take" crm-dedupe pending --reason x
fails 64 "a customer id that is not a number" crm-dedupe merge 1 abc
fails 64 "a pair that is neither an id nor A,B" crm-dedupe confirm x,y
err=$(crm-dedupe frobnicate 2>&1)
like "$err" "unknown command 'frobnicate'" "the message names the command"
like "$err" "usage: crm-dedupe" "and usage follows"

cat >"$T/o.csv" <<'EOF2'
order_id,ordered_at,email,name,total
G1,2026-01-01,a@example.jp,一,100
G2,2026-01-02,b@example.jp,二,200
G3,2026-01-03,c@example.jp,三,300
EOF2
crm-import -q "$T/o.csv"

err=$(crm-dedupe merge 1 999 2>&1); rc=$?
is "$rc" 65 "merge with an unknown customer: 65"
is "$err" "crm-dedupe: customer 999: no such customer" "the message names the id"
fails 65 "merge 1 2 999: the whole command fails" crm-dedupe merge 1 2 999
is "$(sql "SELECT count(*) FROM customers WHERE merged_into IS NOT NULL")" 0 "nothing half-written: 2 was not merged"
is "$(sql "SELECT count(*) FROM merges")" 0 "no merge recorded"
fails 65 "split of an unknown customer" crm-dedupe split 999
fails 65 "split of a customer never merged" crm-dedupe split 1
out=$(crm-dedupe history 999 2>/dev/null); rc=$?
is "$rc" 65 "history of an unknown customer: 65"
is "$out" "" "... with nothing on stdout"
crm-dedupe history 1 >/dev/null; is "$?" 1 "history of a customer with no events: exit 1"
fails 65 "confirm an unknown pair id" crm-dedupe confirm 42
fails 65 "reject with an unknown customer" crm-dedupe reject 1,999
fails 65 "confirm a customer with itself" crm-dedupe confirm 2,2
crm-dedupe -q merge 1 1; is "$?" 0 "merging a customer with itself is a no-op"
is "$(sql "SELECT count(*) FROM merges")" 0 "... that records nothing"

# A locked database is a temporary failure (cron retries).
( echo "BEGIN IMMEDIATE; INSERT INTO meta VALUES ('lock', '1');"
  echo ".shell touch '$T/locked'"; sleep 3; echo "ROLLBACK;" ) | sqlite3 "$CRM_DB" >/dev/null &
i=0; while [ ! -e "$T/locked" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
CRM_BUSY_TIMEOUT=100 crm-dedupe run >/dev/null 2>&1; rc=$?
is "$rc" 75 "run on a locked database: exit 75"
CRM_BUSY_TIMEOUT=100 crm-dedupe merge 1 2 >/dev/null 2>&1; rc=$?
is "$rc" 75 "merge on a locked database: exit 75"
wait
is "$(sql "SELECT count(*) FROM merges")" 0 "nothing written while locked"

# A closed pipe / full disk on stdout is an error.
if [ -w /dev/full ]; then
	crm-dedupe clusters >/dev/full 2>/dev/null; rc=$?
	is "$rc" 74 "write error on stdout: exit 74 (EX_IOERR)"
fi
done_testing
