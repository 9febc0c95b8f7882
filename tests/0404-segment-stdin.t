#!/bin/sh
# crm-segment: a customer list on stdin restricts the result; empty stdin
# does not (cron), unless --stdin; --no-stdin ignores it.
. "$(dirname "$0")/lib.sh"
. "$TESTS/0499-segment-data.sh"

# sin INPUT ARGS...: seg with INPUT on stdin (a pipe)
sin() {
	_in=$1; shift
	printf '%s' "$_in" | crm-segment --columns email -o csv "$@" 2>/dev/null | sed 1d |
		sed 's/@.*//' | sort | tr '\n' ' ' | sed 's/ $//'
}
A=$(cid a) B=$(cid b) D=$(cid d) G=$(cid g)

is "$(sin "$A
$B
$D
" --orders 1..)" "a b d" "ids on a pipe restrict the result"
is "$(sin "$A
$B
$D
" --orders 2..)" "a d" "and the filters still apply"
is "$(sin "$A
$D" 'pref = 東京')" "a d" "no final newline"
is "$(sin "id,name
$B,x
$G,y
")" "b g" "CSV with an id column"
is "$(sin "email
D@example.com
e@example.com
")" "d e" "CSV with an email column"
is "$(sin "" --member)" "a f g" "an empty pipe restricts nothing (cron)"
is "$(sin "

" --member)" "a f g" "blank lines restrict nothing"
is "$(sin "" --stdin --member)" "" "--stdin: an empty list selects nobody"
printf '' | crm-segment --stdin -o ids >/dev/null 2>&1
is "$?" 1 "--stdin with an empty list: exit 1"
is "$(sin "$A" --no-stdin --member)" "a f g" "--no-stdin ignores stdin"
is "$(crm-segment --member -o ids </dev/null | wc -l | tr -d ' ')" 3 "/dev/null restricts nothing"
printf '%s\n' "$A" "$B" >"$T/list"
is "$(crm-segment --columns email -o csv <"$T/list" | sed 1d | sed 's/@.*//' | tr '\n' ' ')" "a b " \
	"a regular file on stdin restricts"
: >"$T/empty"
is "$(crm-segment --member -o ids <"$T/empty" | wc -l | tr -d ' ')" 3 "an empty file restricts nothing"

# unknown customers are warned about, the rest used
out=$(printf '%s\n' "$A" 9999 | crm-segment -o ids 2>"$T/err")
is "$out" "$A" "an unknown id is skipped"
like "$(cat "$T/err")" "stdin:2: no customer '9999'" "and reported with its line"
printf '%s\n' "$A" 9999 | crm-segment -q -o ids >/dev/null 2>"$T/err"
is "$(cat "$T/err")" "" "-q: no warning"

# merged customers resolve to the survivor
sql "UPDATE customers SET merged_into = $A WHERE id = $D"
is "$(sin "$D")" "a" "a merged id resolves to the customer it was merged into"
sql "UPDATE customers SET merged_into = NULL WHERE id = $D"

# a pipeline of segments
out=$(crm-segment --tag vip -o ids </dev/null | crm-segment --stdin --orders 3.. -o ids)
is "$out" "$A" "segments compose in a pipe"
crm-segment --tag nosuch -o ids </dev/null | crm-segment --stdin -o ids >/dev/null 2>&1
is "$?" 1 "an empty upstream with --stdin selects nobody"
is "$(crm-segment --tag vip -o csv </dev/null | crm-segment --count)" 2 "CSV from crm-segment is a list"
is "$(printf '%s\n' "$A" "$B" | crm-segment --stats -o csv | grep '^customers,')" "customers,2" \
	"--stats honours the list"
done_testing
