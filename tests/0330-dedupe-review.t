#!/bin/sh
# crm-dedupe pending / confirm / reject: the review workflow.
. "$(dirname "$0")/lib.sh"

cat >"$T/own.csv" <<'EOF2'
order_id,ordered_at,email,name,kana,phone,postcode,address,birthday,total
C1,2026-01-10,sakura@example.jp,小林 さくら,こばやし さくら,03-5555-6666,150-0001,東京都渋谷区神宮前1-1,,2500
C2,2026-02-10,,小林 さくら,コバヤシ サクラ,080-9999-0000,150-0001,東京都渋谷区神宮前1-1,,900
C3,2026-01-11,,渡辺 健一,ワタナベ ケンイチ,03-7777-8888,160-0001,,1980-05-06,1000
C4,2026-01-12,,渡辺 健市,わたなべ けんいち,045-111-2222,160-0001,,1980-05-08,2000
EOF2
crm-import -q "$T/own.csv"
is "$(sql "SELECT count(*) FROM customers")" 4 "four customers imported"

crm-dedupe -q run
# 1/2: person 1.0; evidence phone 0, address 1 -> 0.5 + 0.25 = 0.750
# 3/4: name 0.75, kana 1 -> 0.875; evidence phone 0, postcode 0.6,
#      birthday 0.5 (one digit) -> 1.1 / 3; 0.4375 + 0.1833 = 0.621
want="a,b,score,reasons
1,2,0.750,phone 0.00; same address; name 1.00; kana 1.00
3,4,0.621,phone 0.00; postcode 0.60; birthday 0.50; name 0.75; kana 1.00"
is "$(crm-dedupe pending | cut -d, -f1-4)" "$want" "pending to a pipe: CSV, a,b,score,reasons first, best first"
is "$(crm-dedupe pending | head -1 | cut -d, -f5-7)" "pair,name_a,name_b" "then the pair id and the two sides"
is "$(crm-dedupe pending -o csv | sed -n 2p | cut -d, -f5-7)" "1,小林 さくら,小林 さくら" "side by side"
like "$(crm-dedupe pending -o json | head -1)" '^\{"a":1,"b":2,"score":0.75' "-o json"
tab=$(crm-dedupe pending -o table)
like "$(echo "$tab" | head -1)" '^pair +score +customer +name +kana +email +phone' "-o table: one line per customer"
is "$(echo "$tab" | wc -l)" 5 "a header and two lines per pair"
like "$(echo "$tab" | sed -n 3p)" '^ +2 +小林 さくら +コバヤシ サクラ' "the second customer under the first"
is "$(crm-dedupe pending -o tsv | head -1 | cut -f1-4)" "$(printf 'a\tb\tscore\treasons')" "-o tsv"
is "$(sql "SELECT group_concat(id) FROM (SELECT id FROM customers WHERE undetermined = 1 ORDER BY id)")" \
	"1,2,3,4" "all four undetermined"
is "$(sql "SELECT count(*) FROM customers WHERE merged_into IS NOT NULL")" 0 "nothing merged"

# reject by pair id: never proposed again.
p34=$(sql "SELECT id FROM dedupe_pairs WHERE a = 3 AND b = 4")
ok "reject pair $p34" crm-dedupe reject "$p34"
is "$(sql "SELECT status FROM dedupe_pairs WHERE id = $p34")" rejected "pair rejected"
is "$(sql "SELECT undetermined FROM customers WHERE id IN (3, 4)" | tr '\n' ' ')" "0 0 " "3 and 4 no longer undetermined"
crm-dedupe -q run
crm-dedupe -q run --threshold 0.1
is "$(crm-dedupe pending | cut -d, -f1-2)" "a,b
1,2" "a rejected pair is not proposed again, whatever the threshold"
is "$(sql "SELECT count(*) FROM dedupe_pairs WHERE a = 3 AND b = 4")" 1 "and not duplicated"

# confirm with two customer ids, in any order.
ok "confirm 2,1" crm-dedupe confirm 2,1 --reason "same person, checked"
is "$(sql "SELECT merged_into FROM customers WHERE id = 2")" 1 "2 merged into 1 (the older)"
is "$(sql "SELECT how || '|' || reason FROM merges WHERE absorbed = 2")" "pair:1|same person, checked" "recorded as pair:1 with the reason"
is "$(sql "SELECT status FROM dedupe_pairs WHERE a = 1 AND b = 2")" confirmed "pair confirmed"
is "$(sql "SELECT orders || '|' || total FROM customers WHERE id = 1")" "2|3400" "aggregates: 2500 + 900"
is "$(sql "SELECT count(*) FROM customers WHERE undetermined = 1")" 0 "nobody undetermined"
crm-dedupe pending >/dev/null; is "$?" 1 "pending with nothing pending exits 1"
is "$(crm-dedupe pending)" "a,b,score,reasons,pair,name_a,name_b,kana_a,kana_b,email_a,email_b,phone_a,phone_b,postcode_a,postcode_b,address_a,address_b,birthday_a,birthday_b,orders_a,orders_b,last_order_a,last_order_b" \
	"... but still prints the CSV header"
fails 65 "confirm an already merged pair" crm-dedupe confirm 1
fails 65 "reject an already merged pair" crm-dedupe reject 1-2

# A rule that would join them now does not either.
crm-dedupe -q rules email phone kana+postcode
out=$(crm-dedupe run 2>&1)
like "$out" "1 rule joins refused" "a rule join between rejected customers is refused, and said"
is "$(sql "SELECT merged_into IS NULL FROM customers WHERE id = 4")" 1 "4 still apart from 3"
crm-dedupe -q rules --reset

# reject of two customers that were never paired records them apart.
ok "reject 3-4 again (A-B form)" crm-dedupe reject 3-4
is "$(sql "SELECT count(*) FROM dedupe_pairs WHERE status = 'rejected'")" 1 "still one rejected row"
done_testing
