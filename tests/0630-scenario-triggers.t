#!/bin/sh
# crm-scenario triggers and operator commands: the shipping date as anchor
# (generic shipped_at, Next Engine 出荷確定日), --since, a saved segment
# (the day a customer enters it), a CSV list; dm-export --step and -e cp932;
# customers --due; hold, release, undeliverable with and without NAME.
. "$(dirname "$0")/lib.sh"
. "$TESTS/0699-scenario-setup.sh"
cust() { sql "SELECT s.step || ' ' || coalesce(s.due, '-') || ' ' || s.status || ' ' || s.anchor
	FROM scenario_customers s JOIN scenarios c ON c.id = s.scenario_id
	WHERE c.name = '$1' AND s.customer_id = $2"; }

# --- anchor: ordered or shipped; --since -------------------------------
orders \
 'z1,2026-10-20,2026-10-21,ok,z@example.com,是永 零,,,,,,1000,yes,yes' \
 's1,2026-11-01 10:00,2026-11-03 15:00,ok,s1@example.com,佐野 一,,,,,,1000,yes,yes' \
 's2,2026-11-01,,ok,s2@example.com,佐野 二,,,,,,1000,yes,yes'
Z=$(id_of z@example.com); S1=$(id_of s1@example.com); S2=$(id_of s2@example.com)
export CRM_TODAY=2026-11-01
ok "add ship (anchor shipped)" crm-scenario add ship --trigger 'orders = 1' --anchor shipped --step 2:dm
ok "add ord (anchor ordered)" crm-scenario add ord --trigger 'orders = 1' --step 2:dm
ok "add old (--since)" crm-scenario add old --trigger 'orders = 1' --since 2026-10-15 --step 2:dm
unset CRM_TODAY
CRM_TODAY=2026-11-02 crm-scenario run >"$T/out"
is "$(cat "$T/out")" "old: 3 enrolled, 0 sent, 1 held, 0 skipped, 0 DM pending, 0 calls due
ord: 2 enrolled, 0 sent, 0 held, 0 skipped, 0 DM pending, 0 calls due
ship: 0 enrolled, 0 sent, 0 held, 0 skipped, 0 DM pending, 0 calls due" "11-02: nothing shipped yet (S1 ships on 11-03); Z's order is older than the scenario"
CRM_TODAY=2026-11-03 crm-scenario run >/dev/null
is "$(cust ship "$S1")" "1 2026-11-05 ready 2026-11-03" "11-03: S1 shipped, anchor 11-03, due 11-03 + 2 days"
is "$(cust ord "$S1")" "1 2026-11-03 ready 2026-11-01" "anchor ordered: 11-01 + 2 days"
is "$(cust ord "$Z")" "" "an order before the scenario was added is no trigger"
is "$(cust old "$Z")" "1 2026-10-22 held 2026-10-20" "--since takes it; its day is past: held (rule 3)"
is "$(crm-scenario customers old --status held -o csv | cut -d, -f1,8,12)" "customer_id,status,note
$Z,held,created after its date" "customers --status held says why"
is "$(cust ship "$S2")" "" "not shipped: not enrolled yet"
orders 's2,2026-11-01,2026-11-04 09:00,ok,s2@example.com,佐野 二,,,,,,1000,yes,yes'
CRM_TODAY=2026-11-04 crm-scenario run >/dev/null
is "$(cust ship "$S2")" "1 2026-11-06 ready 2026-11-04" "shipped on 11-04 (a later import): enrolled, anchor 11-04"
is "$(cust ord "$S2")" "1 2026-11-03 ready 2026-11-01" "the ordered-anchor row is unchanged by the re-import"

# Next Engine's 出荷確定日 is the shipping date.
crm-import -q -f nextengine "$SRC/examples/orders-nextengine.csv" >/dev/null 2>&1
TANAKA=$(id_of ichiro.tanaka@example.net)
CRM_TODAY=2026-11-04 crm-scenario run >/dev/null
is "$(cust ship "$TANAKA")" "1 2026-11-05 ready 2026-11-03" "Next Engine: 出荷確定日 2026/11/03 14:00:00 is the anchor"
ok "rm the anchor scenarios" sh -c 'crm-scenario rm ship --purge && crm-scenario rm ord --purge && crm-scenario rm old --purge'

# --- segment: the day a customer enters it ------------------------------
orders 't1,2026-11-05,,ok,t1@example.com,田村 一,,,060-0001,北海道,札幌市1,1000,yes,yes' \
       'o1,2026-11-05,,ok,o1@example.com,大野 一,,,530-0001,大阪府,大阪市1,1000,yes,yes'
T1=$(id_of t1@example.com); O1=$(id_of o1@example.com)
crm-segment save north --pref 北海道 >/dev/null 2>&1
ok "add seg" env CRM_TODAY=2026-11-05 crm-scenario add seg --segment north --step 0:mail:"$T/coupon.tmpl"
is "$(crm-scenario list -o csv | grep '^seg,')" "seg,segment north,ordered,1,active,0:mail:$T/coupon.tmpl,0,0,0,0,0" "list shows the segment trigger"
CRM_TODAY=2026-11-10 crm-scenario run >"$T/out"
is "$(grep '^seg:' "$T/out")" "seg: 1 enrolled, 0 sent, 0 held, 0 skipped, 0 DM pending, 0 calls due" "11-10: the Hokkaido customer enters"
is "$(cust seg "$T1")" "1 2026-11-11 ready 2026-11-10" "anchor: the day of entry; day 0 is the next day (rule 5)"
is "$(cust seg "$O1")" "" "Osaka: not in the segment"
orders 'o2,2026-11-12,,ok,o1@example.com,大野 一,,,060-0002,北海道,札幌市2,1000,yes,yes'
CRM_TODAY=2026-11-12 crm-scenario run --mbox "$T/seg.mbox" >/dev/null 2>&1
is "$(cust seg "$O1")" "" "dry run: the entry is not recorded"
CRM_TODAY=2026-11-12 crm-scenario run --mbox "$T/seg.mbox" -q >/dev/null 2>&1
CRM_TODAY=2026-11-13 crm-scenario run --maildir "$T/md" >"$T/out" 2>/dev/null
is "$(grep '^seg:' "$T/out")" "seg: step 1 mail to customer $T1: sent
seg: 1 enrolled, 1 sent, 0 held, 0 skipped, 0 DM pending, 0 calls due" \
	"dry run on 11-13: T1's mail (due 11-11); O1 would enter today, due tomorrow"
is "$(ls "$T/md/new" | wc -l | tr -d ' ')" 1 "one message in the Maildir"
is "$(cust seg "$O1")" "" "still nothing recorded"
CRM_TODAY=2026-11-12 crm-scenario run >/dev/null 2>&1
is "$(cust seg "$O1")" "1 2026-11-13 ready 2026-11-12" "moved to Hokkaido on 11-12: enters then"

# --- list: enroll from CSV; dm-export --step, -e cp932 ------------------
ok "add post" env CRM_TODAY=2026-11-05 crm-scenario add post --list --step 0:dm --step 5:dm
printf 'email,name\ns1@example.com,x\nt1@example.com,y\nnobody@example.com,z\n' >"$T/list.csv"
CRM_TODAY=2026-11-20 crm-scenario enroll post <"$T/list.csv" >"$T/out" 2>"$T/err"
is "$?:$(cat "$T/out")" "0:post: 2 enrolled, 0 already, 0 undetermined not enrolled" "enroll from CSV by email"
is "$(cat "$T/err")" "crm-scenario: stdin:4: no customer 'nobody@example.com'" "an unknown address is named"
is "$(cust post "$S1")" "1 2026-11-20 ready 2026-11-20" "list: day 0 is the enrolment day"
sql "UPDATE customers SET undetermined = 1 WHERE id = $O1"
echo "$O1" | CRM_TODAY=2026-11-20 crm-scenario enroll post >"$T/out"
is "$?:$(cat "$T/out")" "1:post: 0 enrolled, 0 already, 1 undetermined not enrolled" "rule 2 for a list: not enrolled, exit 1"
sql "UPDATE customers SET undetermined = 0 WHERE id = $O1"
CRM_TODAY=2026-11-20 crm-scenario dm-export post --step 2 >"$T/dm" 2>/dev/null
is "$?:$(cat "$T/dm")" "1:" "--step 2: nothing due, exit 1, no output"
CRM_TODAY=2026-11-20 crm-scenario dm-export post --step 1 -e cp932 >"$T/dm" 2>"$T/err"
is "$?" 0 "dm-export -e cp932 exits 0"
is "$(iconv -f CP932 -t UTF-8 "$T/dm")" "name,kana,postcode,prefecture,address,customer_id
田村 一,,060-0001,北海道,札幌市1,$T1
佐野 一,,,,,$S1" "CP932 print list, sorted by postcode (empty last)"
is "$(head -c 4 "$T/dm" | od -An -tx1 | tr -d ' ')" "6e616d65" "the header is ASCII"
is "$(sed -n 2p "$T/dm" | head -c 2 | od -An -tx1 | tr -d ' ')" "9363" "the first row starts with 田 in CP932 (0x93 0x63)"
is "$(cust post "$T1")" "2 2026-11-25 ready 2026-11-20" "export schedules step 2 (rule 9)"
is "$(crm-scenario customers post --due --today 2026-11-24 -o ids)" "" "customers --due on 11-24: none"
fails 1 "customers --due with no row exits 1" crm-scenario customers post --due --today 2026-11-24
is "$(crm-scenario customers post --due --today 2026-11-25 -o ids | sort -n | tr '\n' ' ')" \
	"$(printf '%s\n' "$S1" "$T1" | sort -n | tr '\n' ' ')" "customers --due on 11-25: both"

# --- hold, release, undeliverable ---------------------------------------
is "$(echo "$S1" | crm-scenario hold post)" 1 "hold S1 in post"
is "$(cust post "$S1")" "2 2026-11-25 paused 2026-11-20" "hold: paused (保留)"
CRM_TODAY=2026-11-25 crm-scenario dm-export post >"$T/dm" 2>/dev/null
is "$(cut -d, -f6 "$T/dm" | sed 1d)" "$T1" "a paused customer is not exported"
is "$(crm-scenario customers --status paused -o ids)" "$S1" "customers --status paused"
is "$(echo "$S1" | crm-scenario release)" 1 "release without NAME: every scenario"
is "$(cust post "$S1")" "2 2026-11-25 ready 2026-11-20" "released: ready"
echo "$S1" | crm-scenario hold >/dev/null
is "$(echo "$S1" | crm-scenario release post)" 1 "release in post"
echo "$T1" | crm-scenario hold seg >/dev/null
is "$(cust post "$T1") / $(cust seg "$T1")" "3 - done 2026-11-20 / 1 2026-11-11 paused 2026-11-10" "hold seg: only seg"
is "$(echo "$T1" | crm-scenario undeliverable)" 1 "undeliverable: T1 in every scenario not done (seg only)"
is "$(cust seg "$T1")" "1 2026-11-11 undeliverable 2026-11-10" "undeliverable (配信不可)"
fails 1 "release of an undeliverable customer changes nothing" sh -c "echo $T1 | crm-scenario release"
is "$(echo "$S1" | crm-scenario hold nosuch 2>&1; echo "rc $?")" "crm-scenario: no scenario 'nosuch' (see crm-scenario list)
rc 65" "hold in an unknown scenario: 65"
is "$(crm-scenario hold </dev/null 2>&1; echo "rc $?")" "crm-scenario: no customers on stdin
rc 1" "hold with nobody on stdin: 1"
# --- rule 1 across merges ------------------------------------------------
# A member without orders (older id), then the same person's first order
# under another address: enrolled; merged by hand afterwards.
printf 'member_id,email,name,phone\nX1,m0@example.com,森 零,090-2222-0000\n' >"$T/m.csv"
crm-import -q --customers "$T/m.csv" >/dev/null 2>&1
M0=$(id_of m0@example.com)
ok "add mg" env CRM_TODAY=2026-11-01 crm-scenario add mg --trigger 'orders = 1' --step 3:dm --step 10:dm
orders 'm3,2026-11-01,,ok,m3@example.com,森 三,,080-3333-0003,,,,1000,yes,yes' \
       'm1,2026-11-01,,ok,m1@example.com,松田 一,,080-3333-0001,,,,1000,yes,yes' \
       'm2,2026-11-01,,ok,m2@example.com,松本 二,,080-3333-0002,,,,1000,yes,yes'
M1=$(id_of m1@example.com); M2=$(id_of m2@example.com); M3=$(id_of m3@example.com)
CRM_TODAY=2026-11-02 crm-scenario run >/dev/null
is "$(cust mg "$M1"); $(cust mg "$M2"); $(cust mg "$M3"); $(cust mg "$M0")" \
	"1 2026-11-04 ready 2026-11-01; 1 2026-11-04 ready 2026-11-01; 1 2026-11-04 ready 2026-11-01; " "M1, M2, M3 enrolled; M0 (no order) not"
ok "merge M3 into M0" crm-dedupe merge "$M0" "$M3"
ok "merge M2 into M1" crm-dedupe merge "$M1" "$M2"
CRM_TODAY=2026-11-03 crm-scenario run >"$T/out"
is "$(grep '^mg:' "$T/out")" "mg: 0 enrolled, 0 sent, 0 held, 0 skipped, 0 DM pending, 0 calls due" \
	"M0 now has M3's first order, and is not enrolled again"
is "$(cust mg "$M0")" "1 2026-11-04 ready 2026-11-01" "M3's row follows the merge to M0"
is "$(cust mg "$M1") / $(sql "SELECT status || ' ' || note FROM scenario_customers WHERE customer_id = $M2")" \
	"1 2026-11-04 ready 2026-11-01 / done merged into $M1" "both were in: the survivor's row goes on, the other stops"
CRM_TODAY=2026-11-04 crm-scenario dm-export mg >"$T/dm" 2>/dev/null
is "$(cut -d, -f6 "$T/dm" | sed 1d | sort -n | tr '\n' ' ')" "$(printf '%s\n' "$S1" "$S2" "$M0" "$M1" | sort -n | tr '\n' ' ')" \
	"one postcard per person (S1 and S2 ordered on 11-01 too; not Tanaka, 11-02)"
done_testing
