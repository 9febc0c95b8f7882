#!/bin/sh
# crm-segment save/list/show/rm, -S, in_segment() and its cycle check,
# saved segments evaluated afresh, crm_segment_saved_ids via show.
. "$(dirname "$0")/lib.sh"
. "$TESTS/0499-segment-data.sh"

ok "save vip from flags and an expression" crm-segment save vip --orders 2.. 'pref = 東京'
ok "save recent with a relative date" crm-segment save recent --last-order 30d..
ok "save an expression that uses two segments" \
	crm-segment save either 'in_segment(vip) or in_segment("recent")'
is "$(sql "SELECT expr FROM segments WHERE name = 'vip'")" "orders >= 2 and (pref = 東京)" \
	"flags are stored as an expression, the expression parenthesised"
is "$(sql "SELECT expr FROM segments WHERE name = 'recent'")" "last_order >= 30d" \
	"relative dates are stored relative"
is "$(sql "SELECT expr FROM segments WHERE name = 'either'")" \
	'in_segment(vip) or in_segment("recent")' "an expression alone is stored as typed"
is "$(seg -S vip)" "a d" "-S vip"
is "$(seg --segment recent)" "a e" "--segment recent"
is "$(seg -S either)" "a d e" "in_segment() of two segments"
is "$(seg -S either --guest)" "d e" "-S combines with flags"
is "$(seg -S either 'not in_segment(vip)')" "e" "-S and an expression with in_segment"
is "$(seg --today 2026-07-20 -S recent)" "e" "a saved relative date moves with today"
is "$(CRM_TODAY=2026-08-01 seg -S either)" "a d" "CRM_TODAY moves it too"

out=$(crm-segment list -o csv)
is "$out" 'name,expr,updated_at
either,"in_segment(vip) or in_segment(""recent"")",'"$(sql "SELECT updated_at FROM segments WHERE name = 'either'")"'
recent,last_order >= 30d,'"$(sql "SELECT updated_at FROM segments WHERE name = 'recent'")"'
vip,orders >= 2 and (pref = 東京),'"$(sql "SELECT updated_at FROM segments WHERE name = 'vip'")" \
	"list: name, expression, time, by name"
out=$(crm-segment show vip)
like "$out" "^name: vip
expr: orders >= 2 and \\(pref = 東京\\)
args: --orders 2.. 'pref = 東京'
customers: 2
created: 20[0-9-]+ [0-9:]+
updated: 20[0-9-]+ [0-9:]+\$" "show: definition, command line and current count"
like "$(crm-segment show either)" "customers: 3" "show counts through in_segment"
like "$(crm-segment --today 2026-07-20 show recent)" "customers: 1" "show counts with --today"

ok "save replaces a definition" crm-segment save recent --last-order 7d..
is "$(seg -S recent)" "e" "the new definition is used"
is "$(seg -S either)" "a d e" "and by segments that use it"

# cycles
crm-segment save vip 'in_segment(either)' 2>"$T/err"
is "$?" 64 "a cycle through another segment: exit 64"
like "$(cat "$T/err")" "in saved segment 'either': in_segment: segment 'vip' refers to itself \\(vip -> either -> vip\\)" \
	"the cycle is named"
is "$(sql "SELECT expr FROM segments WHERE name = 'vip'")" "orders >= 2 and (pref = 東京)" \
	"a refused save changes nothing"
crm-segment save self 'member and in_segment(self)' 2>"$T/err"
is "$?" 64 "a segment using itself: exit 64"
is "$(head -n 1 "$T/err")" "crm-segment: in_segment: segment 'self' refers to itself (self -> self) (column 23)" \
	"self reference: message and column"
is "$(sql "SELECT count(*) FROM segments WHERE name = 'self'")" 0 "nothing saved"
# a cycle made behind crm-segment's back is still caught when used
sql "UPDATE segments SET expr = 'in_segment(either)' WHERE name = 'recent'"
crm-segment -S either -o ids </dev/null >/dev/null 2>"$T/err"
is "$?" 64 "a stored cycle: exit 64 when used"
like "$(cat "$T/err")" "refers to itself" "a stored cycle is reported"
sql "UPDATE segments SET expr = 'last_order >= 7d' WHERE name = 'recent'"

crm-segment save broken 'orders >=' 2>/dev/null
is "$?" 64 "save checks the expression"
crm-segment save dangling 'in_segment(nope)' 2>/dev/null
is "$?" 65 "save checks in_segment names"
ok "save with no filter at all" crm-segment save all
is "$(sql "SELECT expr FROM segments WHERE name = 'all'")" "true" "an empty segment is stored as true"
is "$(seg -S all)" "a b c d e f g" "and selects everyone"
ok "a name with Japanese and punctuation" crm-segment save 'お得意様-2026.v1' --total 20000..
is "$(seg -S 'お得意様-2026.v1')" "a d" "used by -S"
is "$(seg 'in_segment("お得意様-2026.v1")')" "a d" "used by in_segment"

# rm
crm-segment rm vip 2>"$T/err"
is "$?" 65 "rm refuses a segment used by another"
is "$(cat "$T/err")" "crm-segment: segment 'vip' is used by segment 'either' (in_segment); remove or change that first" \
	"rm: who uses it"
sql "INSERT INTO scenarios (name, trigger, trigger_segment, created_at, updated_at)
     VALUES ('welcome', 'segment', 'all', '2026-06-01 00:00:00', '2026-06-01 00:00:00')"
crm-segment rm all 2>"$T/err"
is "$?" 65 "rm refuses a segment that triggers a scenario"
is "$(cat "$T/err")" "crm-segment: segment 'all' is the trigger of scenario 'welcome'; change or remove the scenario first" \
	"rm: which scenario"
ok "rm either" crm-segment rm either
ok "then rm vip" crm-segment rm vip
is "$(sql "SELECT group_concat(name, ' ') FROM (SELECT name FROM segments ORDER BY name)")" \
	"all recent お得意様-2026.v1" "rm removed exactly those"
fails 65 "rm of a removed segment" crm-segment rm vip
fails 65 "-S of a removed segment" crm-segment -S vip
ok "a quoted name that merely contains a segment name does not block rm" \
	crm-segment save quoted 'name = "in_segment(recent)"'
ok "rm recent" crm-segment rm recent
done_testing
