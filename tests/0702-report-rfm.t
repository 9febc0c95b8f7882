#!/bin/sh
# crm-report rfm: quintile scores of named customers and the groups,
# worked out by hand; -o ids --group feeds crm-mail.
. "$(dirname "$0")/lib.sh"
. "$TESTS/0709-report-setup.sh"
merge_g

# As of 2026-07-01, eight customers (G2 is G's):
#        last   days  orders  revenue
#   A  03-10   113     3      6000
#   B  02-15   136     2      6000
#   C  01-25   157     1      2000
#   D  06-10    21     4     10000
#   E  02-10   141     1      1500
#   F  03-05   118     1      2500
#   G  05-05    57     2      3000
#   H  05-15    47     1      6000
# score = 1 + floor(5 * worse / 8), worse = customers strictly worse:
#   R: D 7->5, H 6->4, G 5->4, A 4->3, F 3->2, B 2->2, E 1->1, C 0->1
#   F: 1 order: 0->1; 2 orders: 4->3; 3: 6->4; 4: 7->5
#   M: E 0->1, C 1->1, F 2->2, G 3->2, A B H 4->3, D 7->5
# groups: A 343 loyal, B 233 at-risk, C 111 hibernating, D 555 champions,
#   E 111 hibernating, F 212 about-to-sleep, G 432 loyal, H 413 new.
crm-report rfm --customers -o csv >"$T/rfm.csv"
is "$?" 0 "rfm --customers exits 0"
row() { awk -F, -v id="$1" '$1 == id { print $4 "," $5 "," $6 "," $10 "," $11 }' "$T/rfm.csv"; }
is "$(row "$A")" "113,3,6000,343,loyal" "A: 343 loyal"
is "$(row "$B")" "136,2,6000,233,at-risk" "B: 233 at-risk"
is "$(row "$C")" "157,1,2000,111,hibernating" "C: 111 hibernating (cancelled order not counted)"
is "$(row "$D")" "21,4,10000,555,champions" "D: 555 champions"
is "$(row "$E")" "141,1,1500,111,hibernating" "E: returned order not counted"
is "$(row "$F")" "118,1,2500,212,about-to-sleep" "F: 212 about-to-sleep"
is "$(row "$G")" "57,2,3000,432,loyal" "G: G2's order counts for G"
is "$(row "$H")" "47,1,6000,413,new" "H: 413 new"
is "$(row "$G2")" "" "the merged-away customer has no row"
is "$(wc -l <"$T/rfm.csv" | tr -d ' ')" 9 "eight customers and a header"

# Groups: always all seven, in order.  Revenue 37000 in all.
is "$(crm-report rfm -o csv)" \
"group,customers,customer_share,revenue,revenue_share,avg_recency_days,avg_orders
champions,1,0.1250,10000,0.2703,21.0,4.00
loyal,2,0.2500,9000,0.2432,85.0,2.50
promising,0,0.0000,0,0.0000,,
new,1,0.1250,6000,0.1622,47.0,1.00
at-risk,1,0.1250,6000,0.1622,136.0,2.00
about-to-sleep,1,0.1250,2500,0.0676,118.0,1.00
hibernating,2,0.2500,3500,0.0946,149.0,1.00" "rfm groups: counts and revenue"

is "$(crm-report rfm --group loyal -o ids)" "$A
$G" "-o ids --group loyal: A and G"
is "$(crm-report rfm -o ids --group hibernating | tr '\n' ' ')" "$C $E " \
	"-o ids --group hibernating"
crm-report rfm -o ids --group promising >"$T/out" 2>/dev/null
is "$?" 1 "an empty group exits 1"
is "$(cat "$T/out")" "" "... and prints no id"

# The ids are a customer list crm-segment (and crm-mail) read.
is "$(crm-report rfm --group loyal -o ids | crm-segment --stdin -o ids | tr '\n' ' ')" \
	"$A $G " "ids pipe into crm-segment --stdin"

# A window: only orders up to March, as of --to 2026-03-31.  D: last
# 02-20 (39 days), 2 orders; the scores of a smaller set.
is "$(crm-report rfm --customers --to 2026-03-31 -o csv | awk -F, -v id="$D" '$1 == id { print $3 "," $4 "," $5 }')" \
	"2026-02-20,39,2" "--to: recency measured at the end of the window"
# The customer list is written as it is read (none of it kept): every
# format, an empty group, and a write error mid-stream.
is "$(crm-report rfm --customers -o tsv | wc -l | tr -d ' ')" 9 "-o tsv: eight customers and a header"
is "$(crm-report rfm --customers -o json | grep -c '"group":')" 8 "-o json: eight objects"
is "$(crm-report rfm --group loyal -o csv | cut -d, -f1 | tr '\n' ' ')" "id $A $G " "-o csv --group loyal: the header, A and G"
out=$(crm-report rfm --group promising -o csv 2>/dev/null); rc=$?
is "$rc" 1 "an empty group as CSV exits 1"
is "$out" "id,name,last_order,recency_days,orders,revenue,r,f,m,rfm,group" "an empty group as CSV: the header alone"
crm-report rfm --customers -o csv >/dev/full 2>"$T/err"; rc=$?
is "$rc" 74 "a write error while streaming: exit 74"
like "$(cat "$T/err")" "write error" "a write error while streaming: said"
done_testing
