#!/bin/sh
# crm-scenario: a 30-day simulation (CRM_TODAY) against a real SMTP server
# on 127.0.0.1, one day at a time, checking each of the nine rules by the
# exact messages received, the statuses, and the exact print CSV.
. "$(dirname "$0")/lib.sh"
. "$TESTS/0699-scenario-setup.sh"
smtpd_start
SMTP="smtp://127.0.0.1:$SMTP_PORT"

run_day() {  # DATE: one cron run; output in $T/run.out, exit code in $RC
	CRM_TODAY=$1 crm-scenario run --smtp "$SMTP" >"$T/run.out" 2>"$T/run.err"
	RC=$?
}
line() { grep "^$1: [0-9]" "$T/run.out"; }
st() { sql "SELECT status || ' ' || step || ' ' || coalesce(due, '-') || ' v' || s.version
	FROM scenario_customers s JOIN scenarios c ON c.id = s.scenario_id
	WHERE c.name = '$1' AND customer_id = $2"; }

# Day 1 (2026-11-01): five first orders.  C is an undetermined duplicate.
orders \
 'a1,2026-11-01,,ok,a@example.com,青木 一郎,アオキ イチロウ,090-1111-0001,150-0001,東京都,渋谷区1-1,3000,yes,yes' \
 'c1,2026-11-01,,ok,c@example.com,千葉 三郎,チバ サブロウ,090-1111-0003,330-0001,埼玉県,さいたま市3-3,3000,yes,yes' \
 'd1,2026-11-01,,ok,d@example.com,土屋 四郎,ツチヤ シロウ,090-1111-0004,060-0001,北海道,札幌市4-4,3000,yes,yes' \
 'e1,2026-11-01,,ok,e@example.com,江藤 五郎,エトウ ゴロウ,090-1111-0005,530-0001,大阪府,大阪市5-5,3000,yes,yes' \
 'g1,2026-11-01,,ok,g@example.com,後藤 七郎,ゴトウ シチロウ,090-1111-0007,460-0001,愛知県,名古屋市7-7,3000,yes,yes'
A=$(id_of a@example.com); C=$(id_of c@example.com); D=$(id_of d@example.com)
E=$(id_of e@example.com); G=$(id_of g@example.com)
sql "UPDATE customers SET undetermined = 1 WHERE id = $C"

export CRM_TODAY=2026-11-01
ok "add first" crm-scenario add first --trigger 'orders = 1' \
	--step 3:mail:"$T/thanks.tmpl" --step 7:mail:"$T/coupon.tmpl" --step 14:dm --step 20:call
ok "add second" crm-scenario add second --trigger 'orders=2' --step 0:mail:"$T/second.tmpl"
ok "add vip" crm-scenario add vip --list --step 0:mail:"$T/list.tmpl"
unset CRM_TODAY
is "$(sql "SELECT template FROM scenario_steps WHERE step = 1 AND scenario_id = (SELECT id FROM scenarios WHERE name = 'first')")" \
	"$T/thanks.tmpl" "template path stored absolute"

run_day 2026-11-01
is "$RC" 0 "day 1: run exits 0"
is "$(line first)" "first: 4 enrolled, 0 sent, 0 held, 0 skipped, 0 DM pending, 0 calls due, 1 undetermined not enrolled" \
	"rule 2: the undetermined customer is not enrolled"
is "$(st first "$A")" "ready 1 2026-11-04 v1" "day 3 step of an order on 11-01 is due 11-04"
is "$(st first "$C")" "" "C not enrolled"

# Day 2: B orders; G is marked undeliverable by the operator.
orders 'b1,2026-11-02,,ok,b@example.com,馬場 二郎,ババ ジロウ,090-1111-0002,100-0001,東京都,千代田区2-2,3000,yes,yes'
B=$(id_of b@example.com)
is "$(echo "$G" | CRM_TODAY=2026-11-02 crm-scenario undeliverable first)" 1 "undeliverable: one row changed"
run_day 2026-11-02
is "$(line first)" "first: 1 enrolled, 0 sent, 0 held, 0 skipped, 0 DM pending, 0 calls due, 1 undetermined not enrolled" "day 2: B enrolled; C still left out"

# Day 3: E's second order; B's order is cancelled by a later export.
orders 'e2,2026-11-03,,ok,e@example.com,江藤 五郎,エトウ ゴロウ,090-1111-0005,530-0001,大阪府,大阪市5-5,2000,yes,yes' \
       'b1,2026-11-02,,cancelled,b@example.com,馬場 二郎,ババ ジロウ,090-1111-0002,100-0001,東京都,千代田区2-2,3000,yes,yes'
run_day 2026-11-03
is "$(line second)" "second: 1 enrolled, 0 sent, 0 held, 0 skipped, 0 DM pending, 0 calls due" "day 3: E enrolled in second (rule 1: scenarios independent)"
is "$(st second "$E")" "ready 1 2026-11-04 v1" "rule 5: day 0 is the next day for an order trigger"
is "$(got)" "" "nothing mailed before day 4"

run_day 2026-11-04
is "$(got)" "a@example.com ご購入ありがとうございます
d@example.com ご購入ありがとうございます
e@example.com 2回目のご購入ありがとうございます
e@example.com ご購入ありがとうございます" "day 4: thanks to A, D, E; E's second-order mail; nothing to undeliverable G"
is "$(line first)" "first: 0 enrolled, 3 sent, 0 held, 0 skipped, 0 DM pending, 0 calls due, 1 undetermined not enrolled" "day 4 summary"
is "$(st first "$A")" "ready 2 2026-11-08 v1" "rule 9: step 2 scheduled when step 1 was sent"
is "$(st first "$G")" "undeliverable 1 2026-11-04 v1" "G stays undeliverable"

# Day 5: D opts out by phone; B's step 1 falls on a cancelled order.
echo "$D" | crm-optout -q >/dev/null
run_day 2026-11-05
like "$(cat "$T/run.out")" "first: step 1 mail to customer $B: skipped \(trigger order cancelled\)" "rule 4: no step 1 for a cancelled order"
is "$(st first "$B")" "ready 2 2026-11-09 v1" "rule 4: B's later steps continue"
is "$(got)" "" "day 5: nothing sent"

# Day 6: C's duplicate is resolved; its step 1 (11-04) is already past.
sql "UPDATE customers SET undetermined = 0 WHERE id = $C"
run_day 2026-11-06
is "$(line first)" "first: 1 enrolled, 0 sent, 1 held, 0 skipped, 0 DM pending, 0 calls due" "rule 3: C enrolled late, held"
is "$(st first "$C")" "held 1 2026-11-04 v1" "C held (実施保留)"

# Day 7: cron does not run.  Day 8 catches up.
run_day 2026-11-08
is "$(got)" "a@example.com クーポンのご案内
e@example.com クーポンのご案内" "day 8: coupons to A and E, not to D (opted out)"
like "$(cat "$T/run.out")" "first: step 2 mail to customer $D: skipped" "rule 6: opt-in rechecked before the send"
run_day 2026-11-09
is "$(got)" "b@example.com クーポンのご案内" "day 9: B's step 2 although the order was cancelled"

# Day 10: the scenario is edited; F orders; C is released.
ok "edit first" crm-scenario edit first --step 3:mail:"$T/thanks.tmpl" \
	--step 7:mail:"$T/coupon2.tmpl" --step 14:dm --step 20:call
orders 'f1,2026-11-10,,ok,f@example.com,福田 六郎,フクダ ロクロウ,090-1111-0006,900-0001,沖縄県,那覇市6-6,3000,yes,yes'
F=$(id_of f@example.com)
is "$(echo "$C" | crm-scenario release first)" 1 "release: one row"
run_day 2026-11-10
is "$(got)" "c@example.com ご購入ありがとうございます" "day 10: released C gets step 1"
is "$(line first)" "first: 1 enrolled, 1 sent, 1 held, 0 skipped, 0 DM pending, 0 calls due" "C's step 2 (11-08) is past when created: held"
is "$(st first "$C")" "held 2 2026-11-08 v1" "C keeps version 1 (rule 7)"
is "$(st first "$F")" "ready 1 2026-11-13 v2" "F enrolled with version 2"
run_day 2026-11-13
is "$(got)" "f@example.com ご購入ありがとうございます" "day 13: F thanks"

# Day 15: DM step due for A, D, E (B's is on 11-16).
run_day 2026-11-15
is "$(line first)" "first: 0 enrolled, 0 sent, 0 held, 0 skipped, 3 DM pending, 0 calls due" "day 15: 3 DM pending"
CRM_TODAY=2026-11-15 crm-scenario dm-export first >"$T/dm.csv" 2>"$T/dm.err"
is "$?" 0 "dm-export exits 0"
is "$(cat "$T/dm.csv")" "name,kana,postcode,prefecture,address,customer_id
土屋 四郎,ツチヤ シロウ,060-0001,北海道,札幌市4-4,$D
青木 一郎,アオキ イチロウ,150-0001,東京都,渋谷区1-1,$A
江藤 五郎,エトウ ゴロウ,530-0001,大阪府,大阪市5-5,$E" "print CSV, sorted by postcode"
is "$(st first "$A")" "ready 4 2026-11-21 v1" "rule 9: call step scheduled by the export"
fails 1 "second export finds nothing" env CRM_TODAY=2026-11-15 crm-scenario dm-export first

run_day 2026-11-17
is "$(got)" "f@example.com 新しいクーポンのご案内" "day 17: F's step 2 from version 2"
CRM_TODAY=2026-11-17 crm-scenario rm first >/dev/null 2>"$T/rm.err"
is "$?" 65 "rule 8: rm refused"
like "$(cat "$T/rm.err")" "scenario 'first' has 6 scheduled customers" "rm says how many"

# Day 20: a list enrolment: day 0 is the same day.
is "$(printf '%s\n%s\n' "$A" "$B" | CRM_TODAY=2026-11-20 crm-scenario enroll vip)" \
	"vip: 2 enrolled, 0 already, 0 undetermined not enrolled" "enroll two"
printf '%s\n' "$A" | CRM_TODAY=2026-11-20 crm-scenario enroll vip >"$T/en.out"
is "$?" 1 "rule 1: enrolling again enrols nobody (exit 1)"
is "$(cat "$T/en.out")" "vip: 0 enrolled, 1 already, 0 undetermined not enrolled" "already counted"
run_day 2026-11-20
is "$(got)" "a@example.com 特別なお知らせ
b@example.com 特別なお知らせ" "rule 5: list day 0 is the enrolment day"

run_day 2026-11-21
is "$(grep 'call customer' "$T/run.out")" "first: step 4 call customer $A 青木 一郎 090-1111-0001
first: step 4 call customer $D 土屋 四郎 090-1111-0004
first: step 4 call customer $E 江藤 五郎 090-1111-0005" "calls listed for the operator"
is "$(line first)" "first: 0 enrolled, 0 sent, 0 held, 0 skipped, 1 DM pending, 3 calls due" "B's DM not exported: no call for B"

for d in 22 23 24 25 26 27 28 29 30; do run_day 2026-11-$d; done
is "$(got)" "" "days 22-30: nothing mailed twice"
is "$(crm-scenario customers first --status done -o ids | sort -n | tr '\n' ' ')" \
	"$(printf '%s\n' "$A" "$D" "$E" | sort -n | tr '\n' ' ')" "A, D, E done"
is "$(sql "SELECT count(*) FROM deliveries")" 12 "ledger: 12 messages in 30 days"
ok "rm --purge" crm-scenario rm first --purge
is "$(sql "SELECT count(*) FROM scenarios WHERE name = 'first'")" 0 "first removed"
done_testing
