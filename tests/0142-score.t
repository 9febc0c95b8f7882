#!/bin/sh
# crm-score (tests/tools/crm-score.c): pairwise precision and recall of
# crm-dedupe's clusters against crm-gen's truth, on a table worked by hand.
. "$(dirname "$0")/lib.sh"

SCORE=$CRM_BUILD/tests/crm-score

# P1 has orders 1, 2, 3 (3 pairs belong together); P2 and P3 one each.
cat > "$T/truth" <<'X'
shop,order_id,person_id
s,1,P0000001
s,2,P0000001
s,3,P0000001
t,4,P0000002
t,5,P0000003
X
# Customer 10 = {1,2}: one right pair; 11 = {3,4}: one wrong pair.
cat > "$T/clusters" <<'X'
customer_id,shop,order_id
10,s,1
10,s,2
11,s,3
11,t,4
12,t,5
X
# Pending 10-11 puts 1,2,3,4 together: 6 pairs, the 3 of P1 right.
printf 'a,b,score,reasons\n10,11,0.9,same phone\n' > "$T/pending"

is "$("$SCORE" --truth "$T/truth" --clusters "$T/clusters" --pending "$T/pending" --tsv | sed 1d)" \
    "$(printf '5\t0\t0\t0.5000\t0.3333\t0.4000\t0.5000\t1.0000\t0.6667')" \
    "precision 1/2, recall 1/3; with pending 3/6 and 3/3"
out=$("$SCORE" --truth "$T/truth" --clusters "$T/clusters")
like "$out" "3 order pairs belong together" "table: pairs that belong together"
like "$out" "merged +0\.5000 +0\.3333 +0\.4000 +2$" "table: merged row"

# An order the clusters lack counts as a customer of its own.
printf 's,6,P0000003\n' >> "$T/truth"
is "$("$SCORE" --truth "$T/truth" --clusters "$T/clusters" --tsv | sed 1d)" \
    "$(printf '6\t1\t0\t0.5000\t0.2500\t0.3333')" "a missing order lowers recall"

fails 64 "--truth and --clusters are required" "$SCORE" --truth "$T/truth"
fails 66 "missing file" "$SCORE" --truth "$T/nope" --clusters "$T/clusters"
printf 'x,y\n1,2\n' > "$T/bad"
fails 65 "file without the expected columns" "$SCORE" --truth "$T/bad" --clusters "$T/clusters"
err=$("$SCORE" --truth "$T/bad" --clusters "$T/clusters" 2>&1)
like "$err" "expected columns shop, order_id, person_id" "the message names the columns"

# On generated data with perfect clusters (= the truth itself), 1.0.
"$CRM_BUILD/tests/crm-gen" --seed 3 --customers 200 --truth "$T/g.truth" > /dev/null
awk -F, 'NR == 1 { print "customer_id,shop,order_id"; next }
    { sub(/^P0*/, "", $3); print $3 "," $1 "," $2 }' "$T/g.truth" > "$T/perfect"
like "$("$SCORE" --truth "$T/g.truth" --clusters "$T/perfect" --tsv | sed 1d)" \
    "	1\.0000	1\.0000	1\.0000$" "the truth scores 1.0"

done_testing
