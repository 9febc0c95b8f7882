#!/bin/sh
# An import and scenario runs at the same time, with a short busy timeout
# so that some of them may give up: each one either finishes or exits 75
# having changed nothing; after the ones that gave up are rerun, every
# order is there once, every customer had the scenario mail once, and
# nobody is enrolled twice.
. "$(dirname "$0")/lib.sh"
. "$TESTS/0699-scenario-setup.sh"
smtpd_start
SMTP="smtp://127.0.0.1:$SMTP_PORT"

i=1; rows=""
while [ $i -le 30 ]; do
	rows="$rows c$i,2026-11-01,,ok,c$i@example.com,客 $i,,,,,,3000,yes,yes
"
	i=$((i + 1))
done
IFS='
'; orders $rows; unset IFS
CRM_TODAY=2026-11-01 crm-scenario add first --trigger 'orders = 1' \
	--step 0:mail:"$T/thanks.tmpl" >/dev/null 2>&1
is "$?" 0 "scenario added"

# 16000 items of 8000 new orders by 1000 new customers, who accept no mail.
awk 'BEGIN { print "order_id,ordered_at,email,name,sku,quantity,unit_price,notices,newsletter";
	for (i = 0; i < 16000; i++) printf "N%d,2026-11-02,n%d@example.jp,N %d,S%d,1,%d,no,no\n",
	    int(i / 2), int(i / 2) % 1000, int(i / 2) % 1000, i % 4, 100 + i % 7 }' >"$T/big.csv"
want=$(awk -F, 'NR > 1 { t += $6 * $7; o[$1] = 1 } END { print length(o), t }' "$T/big.csv")

offset() {  # PID FILE: the offset of FILE in PID
	for _f in /proc/$1/fd/*; do
		[ "$(readlink "$_f" 2>/dev/null)" = "$2" ] &&
			sed -n 's/^pos:[[:space:]]*//p' "/proc/$1/fdinfo/${_f##*/}" && return
	done
}
export CRM_BUSY_TIMEOUT=200
crm-import "$T/big.csv" >/dev/null 2>"$T/imp.err" &
imp=$!
# Start the scenario runs once the import is inside its transaction
# (reading its input).
_w=0; while [ -z "$(offset $imp "$T/big.csv")" ] && kill -0 $imp 2>/dev/null && [ $_w -lt 3000 ]; do
	sleep 0.01; _w=$((_w + 1)); done
: >"$T/codes"
for r in 1 2 3; do
	CRM_TODAY=2026-11-02 crm-scenario run --smtp "$SMTP" >>"$T/run.out" 2>>"$T/run.err"
	echo "run $?" >>"$T/codes"
done
wait $imp
echo "import $?" >>"$T/codes"
is "$(grep -Ev ' (0|75)$' "$T/codes")" "" "each finished (0) or gave up (75): $(tr '\n' ' ' <"$T/codes")"
if grep -q 'import 75' "$T/codes"; then
	like "$(cat "$T/imp.err")" "locked" "the import that gave up says the database was locked"
	is "$(sql "SELECT count(*) FROM orders WHERE order_no LIKE 'N%'")" 0 "the import that gave up wrote nothing"
	unset CRM_BUSY_TIMEOUT
	crm-import "$T/big.csv" >/dev/null 2>&1
	is "$?" 0 "the import rerun exits 0"
else
	ok "the import finished" true
	ok "(nothing to check for a failed import)" true
	ok "(no rerun needed)" true
fi
unset CRM_BUSY_TIMEOUT
# The scenario run again, as cron would; until one exits 0 (at most 3).
for r in 1 2 3; do
	CRM_TODAY=2026-11-02 crm-scenario run --smtp "$SMTP" >>"$T/run.out" 2>>"$T/run.err" && break
done
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
