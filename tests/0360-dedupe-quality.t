#!/bin/sh
# crm-dedupe on a generated population with known duplicates (crm-gen,
# ground truth beside it), scored by crm-score: no wrong automatic merge
# (precision 1.0 for the rules), F1 >= 0.99 counting pending pairs as
# links.  The same measure as make bench, at a size a test can afford.
. "$(dirname "$0")/lib.sh"

GEN=$CRM_BUILD/tests/crm-gen
SCORE=$CRM_BUILD/tests/crm-score

for order in before after; do
	rm -f "$CRM_DB"*
	"$GEN" --seed 3 --customers 3000 --out "$T/g.csv" --truth "$T/t.csv"
	rules() {
		crm-dedupe -q rules --shop rakuten name+phone
		crm-dedupe -q rules --shop amazon name+email
	}
	# Rules set before the import (crm-import applies them) or after it
	# (run applies them to what is there): the same customers either way.
	[ $order = before ] && rules
	crm-import -q "$T/g.csv"
	[ $order = after ] && rules
	ok "run (rules set $order the import)" crm-dedupe -q run
	crm-dedupe clusters > "$T/c.csv"
	crm-dedupe pending > "$T/p.csv"
	m=$("$SCORE" --truth "$T/t.csv" --clusters "$T/c.csv" --pending "$T/p.csv" --tsv | sed 1d)
	echo "# $order: $m"
	set -- $m
	is "$2 $3" "0 0" "rules $order: every order is in the clusters, none extra"
	is "$4" "1.0000" "rules $order: precision of the automatic merges is 1"
	ok "rules $order: F1 with pending pairs $9 >= 0.99" awk -v f="$9" 'BEGIN { exit !(f >= 0.99) }'
	ok "rules $order: recall with pending pairs $8 >= 0.99" awk -v f="$8" 'BEGIN { exit !(f >= 0.99) }'
	# The partition of the orders, whatever the customer ids.
	sed 1d "$T/c.csv" | sort -t, -k1,1n -k2,3 |
		awk -F, '$1 != c { if (NR > 1) print l; c = $1; l = "" } { l = l " " $2 "/" $3 } END { print l }' |
		sort > "$T/c-$order.csv"
done
is "$(diff "$T/c-before.csv" "$T/c-after.csv" | wc -l)" 0 "the same clusters whether the rules came before or after the import"
done_testing
