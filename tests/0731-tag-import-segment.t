#!/bin/sh
# What crm-tag writes is what crm-import's new-order list, crm-segment
# (--caution, --tag, the tags and caution columns), crm-show and a merge
# read.
. "$(dirname "$0")/lib.sh"
. "$TESTS/0739-show-setup.sh"
cd "$T" || exit 1

echo taro@example.jp | crm-tag -q caution on --reason '返品が多い' >/dev/null
printf '1\n3\n' | crm-tag -q add vip >/dev/null

# crm-import -o csv: the caution column of each new order's customer.
cat >new.csv <<'EOC'
order_id,ordered_at,shop,email,name,total
A-3,2026-11-28,web,taro@example.jp,山田 太郎,4000
F-3,2026-11-28,web,ichiro@example.jp,鈴木 一郎,1200
N-1,2026-11-28,web,new@example.jp,新井 新,900
EOC
is "$(crm-import -q -o csv new.csv)" "shop,order_id,customer_id,orders,caution,status,change
web,A-3,1,3,1,ok,new
web,F-3,2,2,0,ok,new
web,N-1,6,1,0,ok,new" "crm-import -o csv: caution 1 for the flagged customer only"

# Straight from an import: crm-tag does not take the write lock while
# it reads (the import holds it until it is done).
printf 'order_id,ordered_at,shop,email,name,total\nP-1,2026-11-28,web,pipe@example.jp,土管 太,500\n' >pipe.csv
is "$(crm-import -q -o ids pipe.csv | CRM_BUSY_TIMEOUT=2000 crm-tag -q add imported)" 1 "crm-import -o ids | crm-tag add: no deadlock"
is "$(sql "SELECT c.email FROM tags t JOIN customers c ON c.id = t.customer_id WHERE t.tag = 'imported'")" "pipe@example.jp" "... the new customer is tagged"

# crm-segment reads the same columns.
is "$(crm-segment --caution -o ids)" 1 "crm-segment --caution"
is "$(crm-segment --tag vip -o ids)" "1
3" "crm-segment --tag vip"
is "$(crm-segment --tag vip --caution -o ids)" 1 "--tag and --caution together"
is "$(crm-segment 'tag = "vip" and not caution' -o ids)" 3 "the expression language: tag and caution"
is "$(crm-segment --tag VIP -o ids)" "" "--tag is exact: VIP is not vip"
is "$(crm-segment --caution --columns id,caution,tags -o csv)" "id,caution,tags
1,1,vip" "the caution and tags columns"

# Off again: the next import and crm-segment agree.
echo 1 | crm-tag -q caution off >/dev/null
printf 'order_id,ordered_at,shop,email,name,total\nA-4,2026-11-29,web,taro@example.jp,山田 太郎,100\n' >new2.csv
is "$(crm-import -q -o csv new2.csv | tail -n 1)" "web,A-4,1,4,0,ok,new" "caution off: crm-import shows 0"
crm-segment --caution -o ids >out; is "$?" 1 "caution off: crm-segment --caution exits 1"
is "$(cat out)" "" "... and prints nothing"
echo 1 | crm-tag -q rm vip >/dev/null
is "$(crm-segment --tag vip -o ids)" 3 "rm: crm-segment --tag follows"

# A merge carries the absorbed customer's tags and caution flag to the
# survivor; crm-show shows them there, and crm-tag list counts once.
echo 5 | crm-tag -q add 卸 >/dev/null
echo 5 | crm-tag -q caution on --reason '住所不定' >/dev/null
echo 4 | crm-tag -q add 卸 >/dev/null
crm-dedupe -q merge 4 5 >/dev/null 2>&1
crm-show -o json 5 >show.json
is "$(js show.json 'd["id"], d["merged_from"], d["tags"], d["caution"], d["caution_reason"]')" \
	'[4, 5, ["卸"], true, "住所不定"]' "merged: the survivor has the tag and the flag"
is "$(crm-tag list)" "tag,customers
imported,1
vip,1
卸,1" "crm-tag list counts active customers only"
is "$(crm-segment --caution -o ids)" 4 "crm-segment --caution: the survivor"
done_testing
