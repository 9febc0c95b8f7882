#!/bin/sh
# crm-scenario from cron: two runs at the same moment, a run while crm-mail
# is sending, a run killed with SIGKILL and run again, a run that died
# between the message and the step: nothing is sent twice, no step is lost.
. "$(dirname "$0")/lib.sh"
. "$TESTS/0699-scenario-setup.sh"
smtpd_start
SMTP="smtp://127.0.0.1:$SMTP_PORT"
# Ten messages a second, so that a run of 30 lasts about three seconds.
printf 'rate = 10\n' >>"$XDG_CONFIG_HOME/crm/crm.conf"
nreceived() { ls "$SMTP_DIR" | grep -c '\.eml$'; }
# rcpts: every recipient received, one per line, sorted (duplicates kept)
rcpts() { cat "$SMTP_DIR"/*.env 2>/dev/null | /usr/bin/python3 -c '
import sys, json
for line in sys.stdin.read().replace("}{", "}\n{").splitlines():
    if line.strip():
        for r in json.loads(line)["rcpt_tos"]: print(r)' | sort; }
waitfor() {  # N: until the server has N messages (at most 10 s)
	_w=0
	while [ "$(nreceived)" -lt "$1" ] && [ $_w -lt 100 ]; do sleep 0.1; _w=$((_w + 1)); done
}

# 30 first orders on 11-01; a scenario mailing them on day 1 (11-02).
i=1; rows=
while [ $i -le 30 ]; do
	rows="$rows
o$i,2026-11-01,,ok,u$i@example.com,客 $i,,,,,,1000,yes,yes"
	i=$((i + 1))
done
{ echo "$HDR"; echo "$rows" | sed 1d; } >"$T/in.csv"
crm-import -q "$T/in.csv" >/dev/null 2>&1
export CRM_TODAY=2026-11-01
ok "add" crm-scenario add first --trigger 'orders = 1' --step 1:mail:"$T/thanks.tmpl" --step 5:mail:"$T/coupon.tmpl"
ok "day 0: enrol" crm-scenario run --smtp "$SMTP"
is "$(sql "SELECT count(*) FROM scenario_customers WHERE due = '2026-11-02'")" 30 "30 enrolled, due 11-02"

# Two runs at the same moment: one sends, the other finds the lock.
export CRM_TODAY=2026-11-02
crm-scenario run --smtp "$SMTP" >"$T/o1" 2>"$T/e1" &
p1=$!
crm-scenario run --smtp "$SMTP" >"$T/o2" 2>"$T/e2" &
p2=$!
wait $p1; r1=$?
wait $p2; r2=$?
is "$(echo $r1 $r2 | tr ' ' '\n' | sort | tr '\n' ' ')" "0 75 " "two runs at once: one exits 0, the other 75"
like "$(cat "$T/e1" "$T/e2")" "^crm-scenario: another crm-scenario run holds $CRM_DB.scenario.lock; try again later\$" \
	"the other says why"
is "$(nreceived) $(rcpts | uniq -d | wc -l)" "30 0" "30 messages, nobody twice"
is "$(sql "SELECT count(*) FROM scenario_customers WHERE step = 2 AND due = '2026-11-06' AND status = 'ready'")" 30 \
	"every customer moved on to step 2"
ok "the lock is free again" crm-scenario run --smtp "$SMTP"
is "$(nreceived)" 30 "a run after them sends nothing"

# A scenario run while crm-mail is sending a campaign: both complete.
rm -f "$SMTP_DIR"/*
sql "SELECT id FROM customers ORDER BY id" >"$T/ids"
crm-mail send -t "$T/coupon2.tmpl" --campaign sale --smtp "$SMTP" <"$T/ids" >/dev/null 2>"$T/em" &
pm=$!
waitfor 5
CRM_TODAY=2026-11-06 crm-scenario run --smtp "$SMTP" >"$T/o3" 2>"$T/e3"
r3=$?
wait $pm; rm_=$?
is "$r3 $rm_" "0 0" "scenario run and crm-mail at once: both exit 0"
is "$(nreceived) $(rcpts | uniq -c | awk '$1 != 2' | wc -l)" "60 0" "each customer: one campaign message, one step 2"
is "$(tail -n 1 "$T/o3")" "first: 0 enrolled, 30 sent, 0 held, 0 skipped, 0 DM pending, 0 calls due" "the run's summary"
is "$(sql "SELECT count(*) FROM scenario_customers WHERE status = 'done'")" 30 "all done"

# SIGKILL in the middle of a run, then the run again (rerun on the same day).
ok "add second" crm-scenario add second --list --step 0:mail:"$T/list.tmpl" --step 3:mail:"$T/second.tmpl"
rm -f "$SMTP_DIR"/*
CRM_TODAY=2026-11-10 crm-scenario enroll second <"$T/ids" >/dev/null
CRM_TODAY=2026-11-10 crm-scenario run --smtp "$SMTP" >/dev/null 2>&1 &
pk=$!
waitfor 5
kill -9 $pk
wait $pk 2>/dev/null
first=$(nreceived)
is "$([ "$first" -gt 0 ] && [ "$first" -lt 30 ] && echo partial)" partial "the killed run sent some, not all ($first)"
unknown=$(sql "SELECT count(*) FROM deliveries d JOIN campaigns c ON c.id = d.campaign_id WHERE c.name = 'scenario:second:1' AND d.status = 'sending'")
CRM_TODAY=2026-11-10 crm-scenario run --smtp "$SMTP" >"$T/o4" 2>"$T/e4"
r4=$?
is "$r4" 0 "the rerun exits 0"
is "$(rcpts | uniq -d)" "" "nobody mailed twice"
# An unknown row's message may or may not have reached the server.
got=$(nreceived)
ok "every customer mailed once, or unknown ($got + $unknown)" test "$((got + unknown))" -ge 30 -a "$got" -le 30
is "$(sql "SELECT count(*) FROM scenario_customers s JOIN scenarios c ON c.id = s.scenario_id WHERE c.name = 'second' AND s.step = 2 AND s.due = '2026-11-13'")" \
	"$((30 - unknown))" "the mailed ones moved on to step 2: no step lost"
is "$(grep -c ': unknown (' "$T/o4")" "$unknown" "the unknown ones are reported, not resent"
CRM_TODAY=2026-11-10 crm-scenario run --smtp "$SMTP" --retry-unknown >/dev/null 2>&1
is "$(sql "SELECT count(*) FROM scenario_customers s JOIN scenarios c ON c.id = s.scenario_id WHERE c.name = 'second' AND s.step = 2")" \
	30 "--retry-unknown: the unknown ones go too"

# A run that died after the message went out but before the step moved:
# the ledger has it, the next run moves on without sending it again.
ok "pause second (its step 2 is not the point here)" crm-scenario pause second
ok "add third" crm-scenario add third --list --step 0:mail:"$T/list.tmpl" --step 9:dm
U1=$(id_of u1@example.com)
echo "$U1" | CRM_TODAY=2026-11-20 crm-scenario enroll third >/dev/null
rm -f "$SMTP_DIR"/*
echo "$U1" | crm-mail send -t "$T/list.tmpl" --campaign scenario:third:1 --smtp "$SMTP" >/dev/null 2>&1
is "$(nreceived)" 1 "the message went out (by hand, as the dead run would have)"
CRM_TODAY=2026-11-20 crm-scenario run --smtp "$SMTP" >"$T/o5" 2>&1
is "$(grep third "$T/o5")" "third: step 1 mail to customer $U1: already
third: 0 enrolled, 0 sent, 0 held, 0 skipped, 0 DM pending, 0 calls due" "the run finds it in the ledger"
is "$(nreceived)" 1 "and does not send it again"
is "$(sql "SELECT s.step || ' ' || s.due FROM scenario_customers s JOIN scenarios c ON c.id = s.scenario_id WHERE c.name = 'third'")" \
	"2 2026-11-29" "the DM step is scheduled"
done_testing
