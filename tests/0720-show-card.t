#!/bin/sh
# crm-show: the card and the history of one customer, found by id, e-mail
# or phone; a merged-away id, a shared phone, unknown and bad keys.
. "$(dirname "$0")/lib.sh"
. "$TESTS/0739-show-setup.sh"

echo 1 | crm-tag -q add vip >/dev/null
echo 1 | crm-tag -q add 卸 >/dev/null
echo taro@example.jp | crm-tag -q caution on --reason 返品が多い >/dev/null
echo 1 | crm-optout -q --channel newsletter --reason 'asked by phone' >/dev/null
crm-dedupe -q merge 4 5 --reason 'same person' >/dev/null 2>&1
# A pending review pair, and fixed times for what was stamped "now".
sql "INSERT INTO dedupe_pairs (a, b, score, reasons, status, created_at)
     VALUES (1, 2, 0.72, 'name~,postcode', 'pending', '2026-11-25 09:00:00');
     UPDATE customers SET undetermined = 1 WHERE id IN (1, 2);
     UPDATE optouts SET at = '2026-11-25 10:00:00';
     UPDATE merges SET at = '2026-11-26 11:30:00', who = 'clerk';
     UPDATE identities SET created_at = '2026-11-24 08:00:00'"

crm-show 1 >"$T/out" 2>"$T/err"
is "$?" 0 "crm-show 1: exit 0"
is "$(cat "$T/err")" "" "nothing on stderr"
is "$(cat "$T/out")" "customer 1  山田 太郎 (ヤマダ タロウ)
email           taro@example.jp
phone           090-1111-2222
postcode        150-0001
prefecture      東京都
address         渋谷区神宮前1-2-3
member          no (guest)
registered      2026-09-01 10:05:00
orders          2
total           5,500
first order     2026-09-01 10:05:00
last order      2026-10-15 00:00:00
newsletter      no
notices         yes
withdrawn       no
undeliverable   no
caution         yes
caution reason  返品が多い
undetermined    yes
tags            vip 卸

opt-outs
at                channel     action  by     reason          source      customer
2026-11-25 10:00  newsletter  out     owner  asked by phone  crm-optout         1

undetermined pairs
pair  customer  name       email              phone         score  reasons
   1         2  鈴木 一郎  ichiro@example.jp  03-1234-5678   0.72  name~,postcode

merged customers: none

buyer records
id  shop     name       email            phone          member_id  source        first seen
 1  web      山田 太郎  taro@example.jp  090-1111-2222             orders.csv:2  2026-11-24 08:00
 2  rakuten  山田 太郎  taro@example.jp  090-1111-2222             orders.csv:4  2026-11-24 08:00

orders
ordered           shop     order  status     total  sku    product  qty  price
2026-09-01 10:05  web      A-1    ok         2,500  SKU-1  りんご     2  1,000
                                                    SKU-2  みかん     1    500
2026-10-15 00:00  rakuten  R-9    ok         3,000  SKU-3  ぶどう     1  3,000
2026-11-01 00:00  web      A-2    cancelled  1,000  SKU-1  りんご     1  1,000

mails: none

scenarios: none" "the whole card and history as text"

# Found the same way by e-mail (any case, full width) and by phone.
for k in taro@example.jp TARO@Example.JP ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ 090-1111-2222 09011112222 '+81 90 1111 2222' ０９０（１１１１）２２２２; do
	is "$(crm-show "$k" | head -n 1)" "customer 1  山田 太郎 (ヤマダ タロウ)" "lookup by '$k'"
done

# A merged-away id shows the survivor and says so.
crm-show 5 >"$T/out5"
is "$?" 0 "merged-away id: exit 0"
is "$(head -n 2 "$T/out5")" "customer 4  佐藤 次郎
(customer 5 was merged into 4)" "merged-away id: the survivor, and says so"
is "$(sed -n '/^merged customers/,/^$/p' "$T/out5")" "merged customers
customer  into  how     who    reason       at
       5     4  manual  clerk  same person  2026-11-26 11:30" "the survivor lists the merge"
is "$(sed -n '/^orders$/,/^$/p' "$T/out5" | sed 1,2d | awk 'NF { print $4, $6 }')" "B-1 700
B-2 800" "both orders under the survivor"
is "$(crm-show 4 | head -n 2 | tail -n 1)" "email           jiro2@example.jp" "the survivor asked for directly: no merge note"
is "$(crm-show jiro@example.jp | head -n 1)" "customer 4  佐藤 次郎" "the absorbed customer's e-mail finds the survivor"

# A landline two customers share: both listed, exit 1, nothing on stdout.
crm-show 03-1234-5678 >"$T/out" 2>"$T/err"
is "$?" 1 "shared phone: exit 1"
is "$(cat "$T/out")" "" "shared phone: nothing on stdout"
is "$(cat "$T/err")" "crm-show: '03-1234-5678' names 2 customers; give an id:
id  name       email              phone         orders  last order
 2  鈴木 一郎  ichiro@example.jp  03-1234-5678       1  2026-10-01 00:00:00
 3  鈴木 花子  hanako@example.jp  03-1234-5678       1  2026-10-02 00:00:00" "shared phone: the candidates"
is "$(crm-show 2 | head -n 1)" "customer 2  鈴木 一郎" "an id picks one of them"
is "$(crm-show -q 03-1234-5678 2>&1)" "" "-q: no candidate list"

# Not found, bad keys, bad usage.
err() { crm-show "$@" >/dev/null 2>"$T/err"; echo "$? $(cat "$T/err")"; }
is "$(err 99)" "1 crm-show: no customer '99'" "unknown id: exit 1"
is "$(err nobody@example.jp)" "1 crm-show: no customer 'nobody@example.jp'" "unknown e-mail: exit 1"
is "$(err 080-0000-0000)" "1 crm-show: no customer '080-0000-0000'" "unknown phone: exit 1"
is "$(err hello)" "65 crm-show: 'hello' is not a customer id, e-mail address or phone number" "garbage key: exit 65"
is "$(err '')" "65 crm-show: empty customer id, e-mail or phone" "empty key: exit 65"
fails 64 "no key: usage" crm-show
fails 64 "two keys: usage" crm-show 1 2
fails 64 "-o csv: usage" crm-show -o csv 1
is "$(err --db "$T/none.db" 1 | cut -c1-2)" "66" "no database: exit 66"
ok "no database: none created" test ! -e "$T/none.db"

# Read-only: a writer holding the lock does not stop crm-show.
( printf 'BEGIN IMMEDIATE;\nUPDATE meta SET value = value;\n.shell touch %s\n' "$T/locked"; sleep 3; printf 'ROLLBACK;\n' ) | sqlite3 "$CRM_DB" &
holder=$!
i=0; while [ ! -e "$T/locked" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
CRM_BUSY_TIMEOUT=100 crm-show 1 >/dev/null 2>&1
is "$?" 0 "a held write lock: crm-show still reads"
wait "$holder"

# A closed stdout is an error.
if [ -w /dev/full ]; then
	crm-show 1 >/dev/full 2>/dev/null
	is "$?" 74 "write error (/dev/full): exit 74"
fi
done_testing
