#!/bin/sh
# kill -9 of crm-scenario run while the SMTP server holds a message
# (smtpd.py --hang-after): the rerun of the same day mails nobody twice,
# the message in flight is reported unknown and not resent, and the next
# step goes to everyone once.
. "$(dirname "$0")/lib.sh"
. "$TESTS/0699-scenario-setup.sh"

one_order_each s 20
is "$(sql "SELECT count(*) FROM customers")" 20 "20 customers, one order each"
CRM_TODAY=2026-11-01 crm-scenario add first --trigger 'orders = 1' \
	--step 0:mail:"$T/thanks.tmpl" --step 3:mail:"$T/coupon.tmpl" >/dev/null 2>&1
is "$?" 0 "scenario added"
# wait_for FILE: up to 60 s (ASan on a loaded machine)
wait_for() { _w=0; while [ ! -e "$1" ] && [ $_w -lt 600 ]; do sleep 0.1; _w=$((_w + 1)); done; test -e "$1"; }
st() { sql "SELECT s.status || ' ' || s.step || ' ' || count(*) FROM scenario_customers s
	GROUP BY s.status, s.step ORDER BY s.status, s.step"; }
all() { sql "SELECT email || ' ' || '$1' FROM customers ORDER BY email"; }

# Day 2 (step 1 due): the server takes 8 and holds the 9th.
smtpd_start --hang-after 8
SMTP="smtp://127.0.0.1:$SMTP_PORT"
CRM_TODAY=2026-11-02 crm-scenario run --smtp "$SMTP" >/dev/null 2>&1 &
pid=$!
ok "the server holds the 9th message" wait_for "$SMTP_DIR/hanging"
kill -9 $pid
wait $pid 2>/dev/null
is "$?" 137 "crm-scenario run was killed"
got >"$T/got1"
is "$(wc -l <"$T/got1" | tr -d ' ')" 8 "8 thanks mails arrived"
is "$(st)" "ready 1 12
ready 2 8" "8 customers moved to step 2, 12 still at step 1"
smtpd_stop
rm -f "$SMTP_DIR/hanging"

smtpd_start
SMTP="smtp://127.0.0.1:$SMTP_PORT"
CRM_TODAY=2026-11-02 crm-scenario run --smtp "$SMTP" >"$T/out" 2>"$T/err"
is "$?" 0 "rerun of day 2: exit 0"
got >"$T/got2"
is "$(wc -l <"$T/got2" | tr -d ' ')" 11 "rerun: 11 more (20 - 8 - the unknown one)"
is "$(sort "$T/got1" "$T/got2" | uniq -d)" "" "nobody has the thanks mail twice"
like "$(cat "$T/out" "$T/err")" "unknown" "the message in flight is reported unknown"
is "$(st)" "ready 1 1
ready 2 19" "19 at step 2; the unknown one waits at step 1"
CRM_TODAY=2026-11-02 crm-scenario run --smtp "$SMTP" >/dev/null 2>&1
is "$(got)" "" "a third run of day 2 sends nothing"

# Day 5: step 2 (day 3) for the 19; each once.
CRM_TODAY=2026-11-05 crm-scenario run --smtp "$SMTP" >/dev/null 2>&1
got >"$T/got3"
is "$(wc -l <"$T/got3" | tr -d ' ')" 19 "day 5: 19 coupon mails"
is "$(uniq -d "$T/got3")" "" "day 5: nobody twice"
unknown=$(all "ご購入ありがとうございます" | sort - "$T/got1" "$T/got2" | uniq -u | cut -d' ' -f1)
is "$(echo "$unknown" | wc -w | tr -d ' ')" 1 "exactly one customer never had the thanks mail ($unknown)"
unlike "$(cat "$T/got3")" "^$unknown " "day 5: not the unknown one (still at step 1)"
CRM_TODAY=2026-11-05 crm-scenario run --smtp "$SMTP" >/dev/null 2>&1
is "$(got)" "" "a second run of day 5 sends nothing"

# The operator resends the unknown one; it then goes on like the others.
CRM_TODAY=2026-11-05 crm-scenario run --retry-unknown --smtp "$SMTP" >/dev/null 2>&1
is "$(got)" "$unknown ご購入ありがとうございます" "--retry-unknown: the thanks mail to that one customer"
CRM_TODAY=2026-11-05 crm-scenario run --smtp "$SMTP" >/dev/null 2>&1
# Its coupon step fell due on 11-04, before the late thanks: held (rule 3),
# not sent late.
is "$(got)" "" "the next run: its overdue coupon step is held, not sent"
is "$(st)" "done 3 19
held 2 1" "19 done, the late one held at step 2"
is "$(cat "$T"/seen/*.env | tr '}' '\n' | grep -c rcpt_tos)" 39 "39 mails in all: 20 thanks, 19 coupons"
done_testing
