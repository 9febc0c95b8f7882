#!/bin/sh
# crm-dedupe run: planted duplicates of every kind, per-shop rules, the
# landline guard, near matches left pending.  Every expected cluster below
# is worked out by hand from the data.
. "$(dirname "$0")/lib.sh"

H=order_id,ordered_at,shop,email,name,kana,phone,postcode,address,total
cat >"$T/own.csv" <<EOF2
$H
A001,2026-01-10,own,taro@example.jp,髙橋 太郎,たかはし たろう,03-1234-5678,100-0001,東京都千代田区千代田1-1,5000
A002,2026-02-10,own,,高橋 太郎,タカハシ タロウ,０３－１２３４－５６７８,100-0001,東京都千代田区千代田1-1,3000
A003,2026-01-11,own,hanako@example.jp,山田 花子,ヤマダ ハナコ,06-1111-2222,530-0001,大阪府大阪市北区梅田1-1,3000
A004,2026-01-12,own,ichiro@example.jp,山田 一郎,ヤマダ イチロウ,06-1111-2222,530-0001,大阪府大阪市北区梅田1-1,4000
A005,2026-01-13,own,jiro@example.jp,佐藤 次郎,サトウ ジロウ,045-000-1111,220-0001,神奈川県横浜市西区1-1,1000
A006,2026-01-14,own,jiro2@example.jp,佐藤 次郎,サトウ ジロウ,045-000-1111,220-0001,神奈川県横浜市西区1-1,1000
A007,2026-01-15,own,suzuki@example.jp,鈴木 一郎,スズキ イチロウ,052-123-4567,460-0001,愛知県名古屋市中区1-1,2000
A008,2026-01-16,own,sakura@example.jp,小林 さくら,こばやし さくら,03-5555-6666,150-0001,東京都渋谷区神宮前1-1,2500
EOF2
cat >"$T/rakuten.csv" <<EOF2
$H
R1,2026-03-01,rakuten,k8x2@fw.rakuten.ne.jp,高橋 太郎,タカハシ タロウ,03-1234-5678,100-0001,東京都千代田区千代田1-1,7000
R3,2026-03-02,rakuten,a1@fw.rakuten.ne.jp,伊藤 美咲,イトウ ミサキ,090-1111-2222,330-0001,埼玉県さいたま市1-1,1500
R4,2026-03-03,rakuten,b2@fw.rakuten.ne.jp,伊藤 美咲,イトウ ミサキ,09011112222,330-0001,埼玉県さいたま市1-1,1500
R5,2026-03-04,rakuten,c3@fw.rakuten.ne.jp,小林 さくら,コバヤシ サクラ,080-9999-0000,150-0001,東京都渋谷区神宮前1-1,900
EOF2
cat >"$T/amazon.csv" <<EOF2
$H
Z1,2026-04-01,amazon,suzuki@example.jp,鈴木 一郎,,,,,3000
Z3,2026-04-02,amazon,ken@example.com,中村 健,,,,,800
Z4,2026-04-03,amazon,ken@example.com,中村 愛,,,,,600
EOF2

# Import with a rule that joins nothing (nobody has a member id), so that
# every buyer is a customer of its own and run does all the matching.
crm-dedupe -q rules member_id
for f in own rakuten amazon; do crm-import -q "$T/$f.csv" || echo "# import $f failed"; done
is "$(sql "SELECT count(*) FROM customers")" 15 "15 buyers imported as 15 customers"

ok "back to the default global rules" crm-dedupe rules --reset
ok "rakuten: name+phone" crm-dedupe rules --shop rakuten name+phone
ok "amazon: name+email" crm-dedupe rules --shop amazon name+email

ok "dry run" crm-dedupe run --dry-run
is "$(sql "SELECT count(*) FROM customers WHERE merged_into IS NULL")" 15 "--dry-run changes nothing"
is "$(sql "SELECT count(*) FROM dedupe_pairs")" 0 "--dry-run writes no pairs"

summary=$(crm-dedupe run 2>&1)
is "$summary" "crm-dedupe: 15 records, 15 customers: 4 merged by rule, 2 pending pairs (2 new), 0 auto-merged" "run summary"

# Customer ids follow the import order: A001..A008 = 1..8, R1 R3 R4 R5 =
# 9..12, Z1 Z3 Z4 = 13..15.
#  1 A001 + 2 A002 (no e-mail, 髙橋/高橋, full-width phone: phone rule)
#    + 9 R1 (rakuten masked e-mail: rakuten's name+phone)
#  3/4 a family on one landline with two e-mail addresses: apart
#  5/6 same name and phone, two e-mails, own shop: rakuten's rule does not
#      apply to them, the phone rule's guard keeps them apart -> pending
#  7 + 13 amazon buyer with the same name and e-mail
#  8/12 カナ/かな, same address, other phone: near match -> pending
#  10 + 11 two rakuten orders, masked e-mails, same name and phone (09011112222)
#  14/15 one amazon account shared by two people: amazon's name+email keeps them apart
want="customer_id,shop,order_id
1,own,A001
1,own,A002
1,rakuten,R1
3,own,A003
4,own,A004
5,own,A005
6,own,A006
7,amazon,Z1
7,own,A007
8,own,A008
10,rakuten,R3
10,rakuten,R4
12,rakuten,R5
14,amazon,Z3
15,amazon,Z4"
is "$(crm-dedupe clusters)" "$want" "clusters: exactly the planted duplicates are together"

is "$(sql "SELECT absorbed || ':' || how FROM merges ORDER BY absorbed")" "2:rule:phone
9:rule:phone+name
11:rule:phone+name
13:rule:email" "each merge records the rule that made it"
is "$(sql "SELECT orders, total, first_order, last_order FROM customers WHERE id = 1")" \
	"3|15000|2026-01-10 00:00:00|2026-03-01 00:00:00" "survivor aggregates: 3 orders, 5000+3000+7000"
is "$(sql "SELECT merged_into FROM customers WHERE id IN (2, 9) ORDER BY id")" "1
1" "absorbed customers point at the oldest id"
is "$(sql "SELECT count(*) FROM identities WHERE customer_id = 1")" 3 "identities moved to the survivor"

is "$(sql "SELECT a || ',' || b FROM dedupe_pairs WHERE status = 'pending' ORDER BY a")" "5,6
8,12" "near matches are pending, not merged"
is "$(sql "SELECT group_concat(id) FROM (SELECT id FROM customers WHERE undetermined = 1 ORDER BY id)")" \
	"5,6,8,12" "customers in pending pairs are undetermined, no one else"
r=$(sql "SELECT reasons FROM dedupe_pairs WHERE a = 8")
is "$r" "phone 0.00; same address; name 1.00; kana 1.00" "reasons of the カナ/かな pair"
s=$(sql "SELECT score FROM dedupe_pairs WHERE a = 8")
is "$s" "0.75" "score: 0.5 * person 1.0 + 0.5 * (phone 0 + address 1) / 2"

ids=$(sql "SELECT group_concat(id) FROM dedupe_pairs")
summary=$(crm-dedupe run 2>&1)
is "$summary" "crm-dedupe: 15 records, 11 customers: 0 merged by rule, 2 pending pairs (0 new), 0 auto-merged" "a second run changes nothing"
is "$(sql "SELECT group_concat(id) FROM dedupe_pairs")" "$ids" "pair ids are stable across runs"

# A buyer without e-mail on the family landline goes to the oldest customer.
cat >"$T/own2.csv" <<EOF2
$H
A009,2026-05-01,own,,山田 太一,ヤマダ タイチ,06-1111-2222,530-0001,大阪府大阪市北区梅田1-1,500
EOF2
crm-import -q "$T/own2.csv"
crm-dedupe -q run
is "$(crm-dedupe clusters | grep -E ',A00[349]$')" "3,own,A003
3,own,A009
4,own,A004" "no-e-mail buyer on a shared landline joins the oldest; the family stays apart"

# --auto-merge merges pending pairs at or above the score.
# 5/6: person 1; evidence phone 1, e-mail 0 (two addresses), address 1
# -> 0.5 + 0.5 * 2/3 = 0.833.
is "$(sql "SELECT score FROM dedupe_pairs WHERE a = 5")" 0.833 "score of the 5/6 pair"
crm-dedupe -q run --auto-merge 0.8
is "$(sql "SELECT merged_into FROM customers WHERE id = 6")" 5 "--auto-merge 0.8 merged the 5/6 pair"
is "$(sql "SELECT how FROM merges WHERE absorbed = 6")" "auto:$(sql "SELECT printf('%.2f', score) FROM dedupe_pairs WHERE a = 5")" "how = auto:SCORE"
is "$(sql "SELECT status FROM dedupe_pairs WHERE a = 5")" "confirmed" "its pair is confirmed"
is "$(sql "SELECT merged_into IS NULL FROM customers WHERE id = 12")" 1 "the 0.75 pair stays pending"
is "$(sql "SELECT group_concat(id) FROM (SELECT id FROM customers WHERE undetermined = 1 ORDER BY id)")" \
	"8,12" "undetermined flags follow"

# A rule merge made by run splits like any other.
ok "split the rakuten buyer from 1" crm-dedupe -q split 9
is "$(crm-dedupe clusters | grep -E ',(A001|A002|R1)$')" "1,own,A001
1,own,A002
9,rakuten,R1" "R1 back with customer 9"
is "$(sql "SELECT orders || '|' || total FROM customers WHERE id IN (1, 9) ORDER BY id")" "2|8000
1|7000" "both sides recomputed"
crm-dedupe -q run
is "$(sql "SELECT merged_into IS NULL FROM customers WHERE id = 9")" 1 "and run leaves them apart"
done_testing
