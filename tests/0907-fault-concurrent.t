#!/bin/sh
# An import and scenario runs at the same time: runs with a short busy
# timeout give up (75) having changed and mailed nothing, a run with the
# default timeout waits for the import and then works; in the end every
# order is there once, every customer had the scenario mail once, and
# nobody is enrolled twice.
. "$(dirname "$0")/lib.sh"
. "$TESTS/0699-scenario-setup.sh"
smtpd_start
SMTP="smtp://127.0.0.1:$SMTP_PORT"

one_order_each c 30
CRM_TODAY=2026-11-01 crm-scenario add first --trigger 'orders = 1' \
	--step 0:mail:"$T/thanks.tmpl" >/dev/null 2>&1
is "$?" 0 "scenario added"

# 16000 items of 8000 new orders by 1000 new customers, who accept no mail.
awk 'BEGIN { print "order_id,ordered_at,email,name,sku,quantity,unit_price,notices,newsletter";
	for (i = 0; i < 16000; i++) printf "N%d,2026-11-02,n%d@example.jp,N %d,S%d,1,%d,no,no\n",
	    int(i / 2), int(i / 2) % 1000, int(i / 2) % 1000, i % 4, 100 + i % 7 }' >"$T/big.csv"
want=$(awk -F, 'NR > 1 { t += $6 * $7; o[$1] = 1 } END { print length(o), t }' "$T/big.csv")

# The import reads a FIFO: fed 40% of the file and kept open, it is inside
# its transaction (holding the write lock) for as long as the test wants.
# Children get 4>&- so that only the test holds the writing end.
mkfifo "$T/pipe.csv"
exec 4<>"$T/pipe.csv"
crm-import "$T/pipe.csv" >/dev/null 2>"$T/imp.err" 4>&- &
imp=$!
size=$(wc -c <"$T/big.csv")
timeout 120 head -c $((size * 4 / 10)) "$T/big.csv" >&4
ok "the import is under way" kill -0 $imp
for r in 1 2; do
	CRM_BUSY_TIMEOUT=200 CRM_TODAY=2026-11-02 crm-scenario run --smtp "$SMTP" >"$T/run.out" 2>"$T/run.err" 4>&-
	is "$?" 75 "scenario run $r during the import: exit 75"
	like "$(cat "$T/run.err")" "locked" "scenario run $r: says the database is locked"
done
is "$(got)" "" "nothing mailed by the runs that gave up"
is "$(sql "SELECT count(*) FROM scenario_customers")" 0 "nobody enrolled by them"
# A run with a long timeout waits for the import, then does its work.
CRM_BUSY_TIMEOUT=120000 CRM_TODAY=2026-11-02 crm-scenario run --smtp "$SMTP" >"$T/run.out" 2>"$T/run.err" 4>&- &
run=$!
timeout 120 tail -c +$((size * 4 / 10 + 1)) "$T/big.csv" >&4
exec 4>&-
wait $imp
is "$?" 0 "the import finishes: exit 0"
wait $run
is "$?" 0 "the waiting scenario run finishes: exit 0"
is "$(grep -c ': sent$' "$T/run.out")" 30 "the waiting run sent the 30 mails"
CRM_TODAY=2026-11-02 crm-scenario run --smtp "$SMTP" >/dev/null 2>&1
is "$?" 0 "another run of the day: exit 0"
is "$(sql "SELECT count(*) || ' ' || sum(total) FROM orders WHERE order_no LIKE 'N%'")" "$want" \
	"every imported order once, with the awk-computed total"
is "$(sql "SELECT count(*) FROM orders")" "$((30 + ${want% *}))" "no other order appeared or vanished"
got >"$T/got"
is "$(cut -d' ' -f1 "$T/got" | sort | uniq -d)" "" "nobody had the scenario mail twice"
is "$(wc -l <"$T/got" | tr -d ' ')" 30 "the 30 first-time buyers of 11-01 had it"
is "$(sql "SELECT count(*) - count(DISTINCT customer_id) FROM scenario_customers")" 0 "nobody enrolled twice"
is "$(sql "SELECT count(*) FROM scenario_customers s JOIN customers c ON c.id = s.customer_id
	WHERE c.email LIKE 'c%@example.com' AND s.status = 'done'")" 30 "the 30 are done with the step"
is "$(sql "pragma integrity_check")" ok "integrity_check ok"
done_testing
