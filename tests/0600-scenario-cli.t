#!/bin/sh
# crm-scenario: definitions (add, list, show, edit, pause, resume, rm) and
# bad input: clear messages and sysexits codes, nothing half-written.
. "$(dirname "$0")/lib.sh"
. "$TESTS/0699-scenario-setup.sh"
export CRM_TODAY=2026-11-01
orders 'a1,2026-11-01,,ok,a@example.com,青木 一郎,,,,,,3000,yes,yes'

crm-scenario add first --trigger 'orders = 1' --step 3:mail:"$T/thanks.tmpl" \
	--step 14:dm --step 30:call >"$T/out" 2>&1
is "$?" 0 "add exits 0"
is "$(crm-scenario list -o csv)" "name,trigger,anchor,version,state,steps,ready,held,paused,done,undeliverable
first,orders = 1,ordered,1,active,3:mail:$T/thanks.tmpl 14:dm 30:call,0,0,0,0,0" "list"
is "$(crm-scenario show first)" "name: first
trigger: orders = 1
anchor: ordered
version: 1
paused: no
customers: 0 ready, 0 held, 0 paused, 0 done, 0 undeliverable
steps:
version,step,days,kind,template
1,1,3,mail,$T/thanks.tmpl
1,2,14,dm,
1,3,30,call," "show"

# Errors: code and message.
err() { crm-scenario "$@" >/dev/null 2>"$T/err"; echo "$? $(cat "$T/err")"; }
is "$(err add first --trigger 'orders = 1' --step 3:dm)" \
	"65 crm-scenario: scenario 'first' exists (crm-scenario edit changes it)" "duplicate name"
is "$(err show nosuch)" "65 crm-scenario: no scenario 'nosuch' (see crm-scenario list)" "unknown scenario"
is "$(err run nosuch)" "64 crm-scenario: run takes no NAME" "run with a name"
is "$(err add x --trigger 'orders = 1' --step 3:email:x)" \
	"64 crm-scenario: --step '3:email:x': expected DAYS:mail:TEMPLATE, DAYS:dm or DAYS:call" "bad step kind"
like "$(err add x --trigger 'orders = 1' --step x:dm)" "^64 crm-scenario: --step 'x:dm': " "bad step days"
is "$(err add x --trigger 'orders = 1' --step 3:mail)" \
	"64 crm-scenario: --step '3:mail': a mail step needs a template (DAYS:mail:TEMPLATE)" "mail step without template"
is "$(err add x --trigger 'orders = 1' --step 3:mail:"$T/none.tmpl")" \
	"66 crm-scenario: --step '3:mail:$T/none.tmpl': $T/none.tmpl: No such file or directory" "unknown template file"
is "$(err add x --trigger 'orders > 1' --step 3:dm)" \
	"64 crm-scenario: --trigger 'orders > 1': expected 'orders = N' with N >= 1" "bad trigger"
is "$(err add x --trigger 'orders = 1' --list --step 3:dm)" \
	"64 crm-scenario: add: exactly one of --trigger, --segment or --list" "two triggers"
is "$(err add x --list)" "64 crm-scenario: at least one --step is needed" "no steps"
is "$(err add x --list --step 7:dm --step 3:dm)" \
	"64 crm-scenario: --step 2: day 3 comes before the previous step's day 7" "steps out of order"
is "$(err add x --segment nosuch --step 3:dm)" \
	"65 crm-scenario: no saved segment named 'nosuch' (see crm-segment list)" "unknown segment: crm-segment's message"
is "$(err add x --list --anchor sent --step 3:dm)" "64 crm-scenario: --anchor: 'sent' is not ordered or shipped" "bad anchor"
is "$(err customers --status gone)" "64 crm-scenario: --status: 'gone' is not ready, held, paused, done or undeliverable" "bad status"
is "$(err frobnicate | head -n 1)" "64 crm-scenario: unknown command 'frobnicate'" "unknown command: the message first"
like "$(crm-scenario frobnicate 2>&1)" "
usage: crm-scenario add NAME" "unknown command: usage follows"
mkdir "$T/empty"
ok "unknown command: no database created" sh -c "cd '$T/empty' && CRM_DB= crm-scenario frobnicate 2>/dev/null; test ! -e crm.db"
is "$(err dm-export first -e latin1)" "64 crm-scenario: -e: 'latin1' is not utf-8 or cp932" "bad encoding"
is "$(err enroll first </dev/null)" "1 crm-scenario: no customers on stdin" "enroll: empty stdin"
is "$(echo 1 | err enroll first)" "64 crm-scenario: scenario 'first' is triggered by orders, not by a list (add it with --list)" "enroll into an orders scenario"
is "$(sql "SELECT count(*) FROM scenarios")" 1 "nothing half-written by the failures"
is "$(CRM_TODAY=2026-13-01 err list)" "64 crm-scenario: CRM_TODAY: date: '2026-13-01': there is no month 13" "bad CRM_TODAY: no month 13"
is "$(CRM_TODAY=tomorrow err run)" "64 crm-scenario: CRM_TODAY: 'tomorrow' is not a date (expected YYYY-MM-DD)" "bad CRM_TODAY: not a date"
is "$(err run --today 2026-02-30)" "64 crm-scenario: --today: date: '2026-02-30': there is no day 30 in February 2026 (it has 28 days)" "bad --today"

# pause / resume: a paused scenario enrols and sends nothing.
ok "pause" crm-scenario pause first
is "$(crm-scenario list -o json)" '{"name":"first","trigger":"orders = 1","anchor":"ordered","version":1,"state":"paused","steps":"3:mail:'"$T"'/thanks.tmpl 14:dm 30:call","ready":0,"held":0,"paused":0,"done":0,"undeliverable":0}' "list -o json: state paused, one key each"
is "$(crm-scenario run --mbox "$T/mbox" 2>/dev/null)" "first: paused" "run skips a paused scenario"
is "$(sql "SELECT count(*) FROM scenario_customers")" 0 "nobody enrolled while paused"
ok "resume" crm-scenario resume first
# A dry run (mbox) does and reports the day's work, then records nothing,
# as crm-mail --mbox: the real run afterwards still does it.
crm-scenario run --mbox "$T/mbox" >"$T/out" 2>"$T/err"
is "$?:$(cat "$T/out")" "0:first: 1 enrolled, 0 sent, 0 held, 0 skipped, 0 DM pending, 0 calls due" "resumed: dry run reports"
is "$(cat "$T/err")" "crm-scenario: dry run into $T/mbox: nothing recorded" "dry run: says so"
is "$(sql "SELECT count(*) FROM scenario_customers")" 0 "dry run: nothing recorded"
is "$(crm-scenario run)" "first: 1 enrolled, 0 sent, 0 held, 0 skipped, 0 DM pending, 0 calls due" "real run: no transport needed when no mail is due"
is "$(CRM_TODAY=2026-11-04 crm-scenario run --mbox "$T/mbox" 2>/dev/null)" "first: step 1 mail to customer 1: sent
first: 0 enrolled, 1 sent, 0 held, 0 skipped, 0 DM pending, 0 calls due" "dry run on the due day: sent to the mbox"
is "$(grep -c '^From ' "$T/mbox")" 1 "dry run: one message in the mbox"
is "$(sql "SELECT step || ' ' || due || ' ' || status FROM scenario_customers") $(sql "SELECT count(*) FROM deliveries")" \
	"1 2026-11-04 ready 0" "dry run: the step is not moved on and the ledger is empty"

# edit: a new steps version; enrolled customers keep theirs (rule 7).
ok "edit" crm-scenario edit first --anchor shipped --step 5:dm
is "$(sql "SELECT anchor || ' ' || version FROM scenarios")" "shipped 2" "edit: anchor and version"
is "$(sql "SELECT version FROM scenario_customers")" 1 "enrolled customer keeps version 1"
is "$(err edit first)" "64 crm-scenario: edit: nothing to change (--step or --anchor)" "edit without changes"

# rm: refused while scheduled (rule 8), with the count; --purge.
is "$(err rm first)" "65 crm-scenario: scenario 'first' has 1 scheduled customer; wait until they are done, or rm --purge" "rm refused"
ok "rm --purge" crm-scenario rm first --purge
is "$(sql "SELECT count(*) FROM scenarios") $(sql "SELECT count(*) FROM scenario_customers") $(sql "SELECT count(*) FROM scenario_steps")" "0 0 0" "purged"
fails 1 "list of nothing exits 1" crm-scenario list
ok "add then rm without customers" sh -c "crm-scenario add y --list --step 1:dm && crm-scenario rm y"
# A template gone after add: the run stops, exit code and message name the
# scenario, the step and the file.
cp "$T/thanks.tmpl" "$T/gone.tmpl"
ok "add with a template" env CRM_TODAY=2026-11-20 crm-scenario add gone --list --step 0:mail:"$T/gone.tmpl"
echo 1 | CRM_TODAY=2026-11-20 crm-scenario enroll gone >/dev/null
rm "$T/gone.tmpl"
is "$(CRM_TODAY=2026-11-20 err run --mbox "$T/mbox")" "66 crm-scenario: scenario gone: step 1: $T/gone.tmpl: No such file or directory" "run: a template gone"
ok "rm gone" crm-scenario rm gone --purge
crm-segment save vips --orders 1.. >/dev/null 2>&1
ok "add with a segment" env CRM_TODAY=2026-11-20 crm-scenario add seg --segment vips --step 1:dm
is "$(crm-segment rm vips 2>&1; echo "rc $?")" "crm-segment: segment 'vips' is the trigger of scenario 'seg'; change or remove the scenario first
rc 65" "the trigger segment cannot be removed under the scenario"
ok "rm seg" crm-scenario rm seg
ok "then it can" crm-segment rm vips
ok "--version" crm-scenario --version
ok "--help" crm-scenario --help
fails 64 "no command" crm-scenario
done_testing
