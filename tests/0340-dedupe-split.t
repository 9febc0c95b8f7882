#!/bin/sh
# crm-dedupe merge / split / history: a split restores exactly what the
# merge changed (aggregates, consent, tags, flags), and run keeps them apart.
. "$(dirname "$0")/lib.sh"
export USER=tester

cat >"$T/own.csv" <<'EOF2'
order_id,ordered_at,status,email,name,phone,newsletter,total
D1,2026-01-10,ok,yuko@example.jp,田中 優子,03-2222-3333,yes,4000
D2,2026-03-10,cancelled,yuko@example.jp,田中 優子,03-2222-3333,yes,9999
D3,2026-02-01,ok,,田中 優子,03-2222-3333,yes,2000
EOF2
crm-dedupe -q rules member_id
crm-import -q "$T/own.csv"
crm-dedupe -q rules --reset
is "$(sql "SELECT count(*) FROM customers")" 2 "two customers (D1+D2, D3)"

# What crm-optout and crm-tag would have done (they are other tools):
# the owner opted customer 2 out; tags on both; a caution flag on 2.
sql "INSERT INTO optouts (customer_id, channel, action, by, reason, at)
     VALUES (2, 'newsletter', 'out', 'owner', 'asked by phone', '2030-01-01 00:00:00');
     UPDATE customers SET newsletter = 0, newsletter_at = '2030-01-01 00:00:00' WHERE id = 2;
     UPDATE customers SET caution = 1, caution_reason = 'chargeback' WHERE id = 2;
     INSERT INTO tags VALUES (1, 'gift', '2026-01-01 00:00:00'), (2, 'vip', '2026-01-01 00:00:00');"

snap() {
	sql "SELECT id, name, email, phone, orders, total, first_order, last_order,
	     registered_at, newsletter, notices, newsletter_at, caution, caution_reason,
	     merged_into, undetermined, member FROM customers ORDER BY id;
	     SELECT customer_id, tag FROM tags ORDER BY 1, 2;
	     SELECT id, customer_id FROM identities ORDER BY id;
	     SELECT order_no, customer_id FROM orders ORDER BY order_no;
	     SELECT id, customer_id FROM optouts ORDER BY id;"
}
before=$(snap)
is "$(sql "SELECT orders || '|' || total || '|' || newsletter FROM customers ORDER BY id")" "1|4000|1
1|2000|0" "before: 1 has one ok order (4000) and the newsletter, 2 one order (2000), opted out"

ok "manual merge" crm-dedupe merge 2 1 --reason "same person, asked by phone"
is "$(sql "SELECT merged_into FROM customers WHERE id = 2")" 1 "the older id survives"
is "$(sql "SELECT orders, total, first_order, last_order, registered_at FROM customers WHERE id = 1")" \
	"2|6000|2026-01-10 00:00:00|2026-02-01 00:00:00|2026-01-10 00:00:00" "merged aggregates: 4000 + 2000, cancelled excluded"
is "$(sql "SELECT newsletter FROM customers WHERE id = 1")" 0 "consent never lost: the owner's opt-out of 2 holds for the merged customer"
is "$(sql "SELECT caution || '|' || caution_reason FROM customers WHERE id = 1")" "1|chargeback" "caution flag carried over"
is "$(sql "SELECT group_concat(tag) FROM (SELECT tag FROM tags WHERE customer_id = 1 ORDER BY tag)")" "gift,vip" "tags united"
is "$(sql "SELECT group_concat(DISTINCT customer_id) FROM orders")" 1 "every order is the survivor's"
is "$(sql "SELECT kind, how, who, reason FROM merges")" "merge|manual|tester|same person, asked by phone" "merge recorded with who and reason"

ok "split 2" crm-dedupe split 2 --reason "different people after all"
after=$(snap)
is "$after" "$before" "split restores customers, consent, tags, flags, identities and orders exactly"
is "$(sql "SELECT customer_id FROM optouts")" 2 "the opt-out stays with the customer that had it"

out=$(crm-dedupe run 2>&1)
is "$(sql "SELECT merged_into IS NULL FROM customers WHERE id = 2")" 1 "run does not merge a split pair again (phone rule would)"
like "$out" "1 rule joins refused" "and says so"

hist=$(crm-dedupe history 2 -o tsv | cut -f1,3-9)
is "$hist" "$(printf 'event\tkind\tsurvivor\tabsorbed\thow\twho\treason\tundone_by
1\tmerge\t1\t2\tmanual\ttester\tsame person, asked by phone\t2
2\tsplit\t1\t2\tmanual\ttester\tdifferent people after all\t')" "history: the merge, undone by the split"
like "$(crm-dedupe history 1 | sed -n 2p)" '^1,20[0-9][0-9]-[0-9][0-9]-[0-9][0-9] [0-9:]{8},merge,' "history rows carry the time"
fails 65 "nothing left to split" crm-dedupe split 2
fails 65 "nothing to split for the survivor either" crm-dedupe split 1

# A person can still merge them by hand; split by the survivor's id then
# undoes the latest merge into it, and chains come apart one by one.
cat >"$T/more.csv" <<'EOF2'
order_id,ordered_at,email,name,total
E1,2026-04-01,c3@example.jp,三人目,100
E2,2026-04-02,c4@example.jp,四人目,200
EOF2
crm-import -q "$T/more.csv"
ok "merge three" crm-dedupe merge 3 1 4
is "$(sql "SELECT group_concat(id) FROM (SELECT id FROM customers WHERE merged_into = 1 ORDER BY id)")" "3,4" "3 and 4 merged into 1"
is "$(sql "SELECT orders || '|' || total FROM customers WHERE id = 1")" "3|4300" "1: 4000 + 100 + 200"
ok "split by the survivor's id" crm-dedupe split 1
is "$(sql "SELECT merged_into IS NULL FROM customers WHERE id = 4")" 1 "the latest merge (4) undone"
is "$(sql "SELECT merged_into FROM customers WHERE id = 3")" 1 "3 still merged"
is "$(sql "SELECT orders || '|' || total FROM customers WHERE id IN (1, 4) ORDER BY id")" "2|4100
1|200" "aggregates of both sides recomputed"

# Nested: 5 absorbs 6, then 1 absorbs 5; splitting 5 brings 6 along.
cat >"$T/nest.csv" <<'EOF2'
order_id,ordered_at,email,name,total
F1,2026-05-01,c5@example.jp,五,10
F2,2026-05-02,c6@example.jp,六,20
EOF2
crm-import -q "$T/nest.csv"
crm-dedupe -q merge 5 6
crm-dedupe -q merge 1 5
is "$(sql "SELECT orders || '|' || total FROM customers WHERE id = 1")" "4|4130" "1: 4000 + 100 + 10 + 20"
ok "split 5" crm-dedupe split 5
is "$(sql "SELECT orders || '|' || total || '|' || coalesce(merged_into, '-') FROM customers WHERE id IN (1, 5, 6) ORDER BY id")" "2|4100|-
2|30|-
1|20|5" "5 comes back with 6 still inside it (an absorbed row keeps its own figures)"
is "$(crm-dedupe clusters | grep -E ',F[12]$')" "5,default,F1
5,default,F2" "clusters follow"
# An opt-out recorded on the merged customer stays with it after a split.
crm-dedupe -q merge 1 4
is "$(sql "SELECT newsletter FROM customers WHERE id = 1")" 1 "1 (with 4 merged in) takes the newsletter"
echo 1 | crm-optout -q --channel newsletter --reason "phoned" >/dev/null || echo "# crm-optout failed"
is "$(sql "SELECT count(*) FROM optouts WHERE customer_id = 1")" 1 "crm-optout records it for the merged customer (1)"
crm-dedupe -q split 4
is "$(sql "SELECT id || ':' || newsletter FROM customers WHERE id IN (1, 2, 4) ORDER BY id")" "1:0
2:0
4:0" "after the split 1 keeps its opt-out, 2 its own"
is "$(sql "SELECT customer_id || ':' || by FROM optouts ORDER BY id")" "2:owner
1:owner" "the ledger is untouched by merge and split"
# merge reads a customer list on stdin too (bare ids, or CSV with an id column).
cat >"$T/list.csv" <<'EOF2'
order_id,ordered_at,email,name,total
L1,2026-06-01,l1@example.jp,七,1
L2,2026-06-02,l2@example.jp,八,2
L3,2026-06-03,l3@example.jp,九,4
EOF2
crm-import -q "$T/list.csv"
l=$(sql "SELECT group_concat(customer_id, ' ') FROM (SELECT customer_id FROM orders WHERE order_no LIKE 'L%' ORDER BY order_no)")
printf 'name,id\nx,%s\ny,%s\nz,%s\n' $l > "$T/ids.csv"
ok "merge a CSV list from stdin" sh -c "crm-dedupe -q merge < '$T/ids.csv'"
first=${l%% *}
is "$(sql "SELECT orders || '|' || total FROM customers WHERE id = $first")" "3|7" "three customers from stdin are one"
printf '%s\n99999\n' "$first" | crm-dedupe merge >/dev/null 2>&1; rc=$?
is "$rc" 65 "an unknown customer in the list: 65"
echo "$first" | crm-dedupe merge >/dev/null 2>&1; rc=$?
is "$rc" 65 "a list of one customer: nothing to merge, 65"

done_testing
