#!/bin/sh
# crm-segment output: formats, columns, sort, limit, --count, --stats
# (figures worked out by hand), --explain, exit codes.
. "$(dirname "$0")/lib.sh"
. "$TESTS/0499-segment-data.sh"
A=$(cid a) B=$(cid b) C=$(cid c) D=$(cid d) E=$(cid e) F=$(cid f) G=$(cid g)

out=$(crm-segment --pref 北海道 </dev/null)
is "$out" "id,name,kana,email,phone,postcode,prefecture,address,orders,total,first_order,last_order
$E,高橋 健,タカハシ ケン,e@example.com,011-555-0005,,北海道,札幌市5-5,1,1500,2026-06-29,2026-06-29" \
	"default: CSV to a pipe with the DM columns, dates as days"
is "$(crm-segment -o ids --orders 2.. </dev/null)" "$A
$D" "-o ids: one id per line, ascending"
is "$(crm-segment -o tsv --columns id,name,total --pref 神奈川 </dev/null)" "id	name	total
$B	佐藤 花子	3000" "-o tsv"
is "$(crm-segment -o json --columns id,email,total,first_order,tags --pref 北海道,大阪 </dev/null)" \
"{\"id\":$C,\"email\":\"c@example.com\",\"total\":0,\"first_order\":null,\"tags\":null}
{\"id\":$E,\"email\":\"e@example.com\",\"total\":1500,\"first_order\":\"2026-06-29\",\"tags\":null}" \
	"-o json: numbers, null for empty"
out=$(crm-segment -o table --columns email,aov,registered --orders 2.. </dev/null)
is "$out" "email          aov    registered
a@example.com   8333  2025-06-01
d@example.com  25000  2025-11-15" "-o table, aov rounded, registered"
is "$(crm-segment -o csv --columns email,tags --tag vip </dev/null)" "email,tags
a@example.com,vip
d@example.com,gift vip" "tags column"
is "$(crm-segment -o csv --columns email,member,newsletter,notices,withdrawn,caution,undetermined --pref 東京 </dev/null)" \
"email,member,newsletter,notices,withdrawn,caution,undetermined
a@example.com,1,1,1,0,0,0
d@example.com,0,1,0,0,0,0
g@example.com,1,0,0,1,0,0" "flag columns"
is "$(crm-segment -o csv --columns pref,email --pref 大阪 </dev/null)" "prefecture,email
大阪府,c@example.com" "pref is an alias of prefecture"

is "$(seg_sorted() { crm-segment --columns email -o csv "$@" </dev/null | sed 1d | sed 's/@.*//' | tr '\n' ' '; }; seg_sorted --sort -total)" \
	"d a g b e c f " "--sort -total (ties by id)"
is "$(crm-segment --columns email -o csv --sort total:desc --limit 2 </dev/null | sed 1d | tr '\n' ' ')" \
	"d@example.com a@example.com " "--sort total:desc --limit 2"
is "$(crm-segment --columns email -o csv --sort last_order --orders 1.. </dev/null | sed 1d | tr '\n' ' ')" \
	"d@example.com b@example.com g@example.com a@example.com e@example.com " "--sort last_order"
is "$(crm-segment --columns email -o csv --sort name:asc --limit 1 </dev/null | sed 1d)" \
	"$(sql "SELECT email FROM customers ORDER BY name LIMIT 1")" "--sort name:asc (SQLite order)"
is "$(crm-segment -o ids --limit 0 </dev/null)" "" "--limit 0 prints nothing"
crm-segment -o ids --limit 0 </dev/null >/dev/null
is "$?" 1 "--limit 0: exit 1"

is "$(crm-segment --count </dev/null)" 7 "--count"
is "$(crm-segment --count --pref 東京 </dev/null)" 3 "--count with a filter"
is "$(crm-segment --count --total 1000000.. </dev/null)" 0 "--count prints 0 ..."
crm-segment --count --total 1000000.. </dev/null >/dev/null
is "$?" 1 "... and exits 1"

is "$(crm-segment --stats -o csv </dev/null)" "metric,value
customers,7
buyers,5
repeaters,2
orders,8
total,83500
repeat_rate,0.4000
ltv,16700
aov,10438
avg_orders,1.60
repurchase_days,38.0
repurchase_customers,2" "--stats over everyone (41 and 35 days: median 38)"
is "$(crm-segment --stats -o csv --pref 東京 </dev/null)" "metric,value
customers,3
buyers,3
repeaters,2
orders,6
total,79000
repeat_rate,0.6667
ltv,26333
aov,13167
avg_orders,2.00
repurchase_days,38.0
repurchase_customers,2" "--stats for 東京"
is "$(crm-segment --stats -o csv --orders 1 </dev/null)" "metric,value
customers,3
buyers,3
repeaters,0
orders,3
total,8500
repeat_rate,0.0000
ltv,2833
aov,2833
avg_orders,1.00
repurchase_days,
repurchase_customers,0" "--stats without repeaters: no interval"
is "$(crm-segment --stats -o csv --orders 2.. --pref 東京 --tag vip 'first_order >= 2026-01-01' </dev/null | grep repurchase_days)" \
	"repurchase_days,41.0" "--stats: one interval (a: 2026-01-10 to 2026-02-20)"
is "$(crm-segment --stats -o csv --member --orders 0 </dev/null | sed -n '2,3p')" "customers,1
buyers,0" "--stats: members who never bought"
crm-segment --stats --total 1000000.. </dev/null >/dev/null
is "$?" 1 "--stats with nobody: exit 1"

# a cancelled order counts in no figure: c has none
is "$(crm-segment --stats -o csv --pref 大阪 </dev/null | sed -n '2,6p')" "customers,1
buyers,0
repeaters,0
orders,0
total,0" "--stats: cancelled orders excluded"

out=$(crm-segment --explain 'pref = 東京 and address = "x'"'"' OR 1=1"' </dev/null)
like "$out" "^SELECT .* FROM customers c WHERE c.merged_into IS NULL AND " "--explain prints the SQL"
like "$out" "c.prefecture = \\?1" "values are placeholders"
unlike "$(printf '%s\n' "$out" | head -n 1)" "東京|OR 1=1" "no value in the SQL text"
like "$out" "-- \\?1 = 東京都" "--explain lists the parameters"
like "$out" "-- \\?2 = x' OR 1=1" "the quoted value is a parameter"
like "$out" "-- plan: .*customers_pref" "--explain shows the plan using the index"
like "$(crm-segment --explain --count --last-order 30d.. </dev/null)" "-- plan: .*customers_last" "date filters use their index (--explain --count)"
like "$(crm-segment --explain --count --total 10000.. </dev/null)" "-- plan: .*customers_total" "amount filters use their index"
like "$(crm-segment --explain --count --total 10000.. </dev/null | head -n 1)" "^SELECT count\\(\\*\\) FROM customers c WHERE" "--explain --count explains the count"

# to a terminal: a table (script(1) gives it one; its stdin is then a
# terminal too, which is no customer list)
if command -v script >/dev/null 2>&1; then
	out=$(script -qec "crm-segment --pref 北海道 --columns id,name,total" /dev/null </dev/null | tr -d '\r')
	is "$out" "id  name     total
 $E  高橋 健   1500" "a table to a terminal, wide characters two columns"
fi

# a write error on stdout is an error
if [ -w /dev/full ]; then
	crm-segment -o csv </dev/null >/dev/full 2>/dev/null
	rc=$?
	[ "$rc" -ne 0 ] && [ "$rc" -ne 1 ]; ok "a full disk is an error (exit $rc)" test $? -eq 0
fi
done_testing
