#!/bin/sh
# Mapping files (crm-formats(5)): a user's own channel with -m, variants
# chosen by detect, joined columns, alternatives, null values, status
# words, date formats; syntax errors naming the line; presets found in
# $CRM_DATADIR/formats first.
. "$(dirname "$0")/lib.sh"
cd "$T" || exit 1

cat > mall.map <<'MAP'
# a made-up mall export
kind = orders
encoding = auto
delimiter = ;
default-shop = mall
null = -
strip-apostrophe = yes

[v2]
detect = 注文ID, 姓
order_id = 注文ID
ordered_at = 日付
date-format = %d.%m.%Y %H:%M
status = 状態
status.cancelled = 取消 | 無効
status.returned = 戻り
status.ok = *
email = メール | 予備メール
name = 姓 + 名
phone = 電話1 + 電話2 + 電話3
address = "住所+建物"
sku = 品番
quantity = 数
unit_price = 単価

[v1]
detect = 注文No
order_id = 注文No
ordered_at = 日付
name = 氏名
total = 合計
MAP
cat > v2.csv <<'CSV'
注文ID;日付;状態;メール;予備メール;姓;名;電話1;電話2;電話3;住所+建物;品番;数;単価
'A-1;03.11.2026 14:30;発送済;-;y@example.jp;山田;花子;03;1234;5678;東京都千代田区1-1;X;2;'150
A-2;04.11.2026 09:00;取消;y@example.jp;;山田;花子;03;1234;5678;東京都千代田区1-1;X;1;150
A-3;05.11.2026 09:00;戻り;z@example.jp;;佐藤;;;;;;X;1;-
CSV
crm-import -m mall.map v2.csv 2>err; is "$?" 65 "user mapping: exit 65 (A-3 has no price)"
is "$(sql "select s.name, o.order_no, o.ordered_at, o.status, o.total from orders o join shops s on s.id = o.shop_id order by order_no")" "mall|A-1|2026-11-03 14:30:00|ok|300
mall|A-2|2026-11-04 09:00:00|cancelled|150" "user mapping: date-format, status words, strip-apostrophe, shop"
is "$(sql "select name, email, phone, prefecture, address from identities where id = 1")" "山田 花子|y@example.jp|03-1234-5678|東京都|千代田区1-1" "user mapping: joined columns, the next alternative when one is empty or null, a quoted header with +"
is "$(sql "select count(*) from customers")" "1" "user mapping: A-1 and A-2 are one customer"
like "$(sed -n 2p v2.csv.rejects.csv)" "total: empty, and no unit prices" "user mapping: null value is empty"

printf '注文No;日付;氏名;合計\nB-1;2026-11-06;鈴木 一;900\n' > v1.csv
crm-import -m mall.map v1.csv 2>/dev/null; is "$?" 0 "variant v1: detected"
is "$(sql "select total from orders where order_no = 'B-1'")" "900" "variant v1: its own fields"
printf 'x;y\n1;2\n' > none.csv
crm-import -m mall.map none.csv 2>err; is "$?" 65 "no variant matches: exit 65"
is "$(cat err)" "crm-import: none.csv: line 1: not a mall.map file: expected the headers of one of: [v2] 注文ID, 姓; [v1] 注文No" "no variant matches: message"

# Syntax errors name the mapping file and line.
printf 'kind = orders\norder_id = a\nbogus_key = b\n' > bad1.map
crm-import -m bad1.map v1.csv 2>err; is "$?" 65 "unknown key: exit 65"
is "$(cat err)" "crm-import: bad1.map: line 3: unknown key 'bogus_key' (see crm-formats(5))" "unknown key: message"
printf 'kind = orders\njust words\n' > bad2.map
crm-import -m bad2.map v1.csv 2>err
is "$(cat err)" "crm-import: bad2.map: line 2: expected 'key = value'" "no =: message"
printf 'kind = refunds\n' > bad3.map
crm-import -m bad3.map v1.csv 2>err
is "$(cat err)" "crm-import: bad3.map: line 1: kind: expected orders or customers, not 'refunds'" "bad kind: message"

# Presets: $CRM_DATADIR/formats/NAME.map.
mkdir -p data/formats
sed 's/^default-shop = mall/default-shop = mymall/' mall.map > data/formats/mymall.map
CRM_DATADIR="$T/data" crm-import -f mymall v1.csv 2>/dev/null
is "$(sql "select count(*) from orders o join shops s on s.id = o.shop_id where s.name = 'mymall'")" "1" "-f NAME: found in \$CRM_DATADIR/formats"

# The Rakuten preset also reads the legacy 受注CSV (full-width digits and
# colons in its headers), in CP932.
printf '"受注番号","受注ステータス","注文日時","合計金額(-99999=無効値)","注文者名字","注文者名前","注文者名字フリガナ","注文者名前フリガナ","注文者郵便番号１","注文者郵便番号２","注文者住所：都道府県","注文者住所：都市区","注文者住所：町以降","注文者電話番号１","注文者電話番号２","注文者電話番号３","メールアドレス","商品名","商品番号","単価","個数"\r\n"111-20170615-001","処理済","2017-06-15 10:00:00","-99999","楽天","太郎","ラクテン","タロウ","158","0094","東京都","世田谷区","玉川1-14-1","050","5817","1010","abc@pc.fw.rakuten.ne.jp","茶","T1","1000","3"\r\n' | iconv -f UTF-8 -t CP932 > legacy.csv
crm-import -f rakuten legacy.csv 2>err; is "$?" 0 "rakuten legacy: exit 0"
is "$(sql "select o.total, i.name, i.kana, i.phone, i.postcode, i.prefecture, i.address from orders o join identities i on i.id = o.identity_id where order_no = '111-20170615-001'")" "3000|楽天 太郎|ラクテン タロウ|050-5817-1010|158-0094|東京都|世田谷区 玉川1-14-1" "rakuten legacy: -99999 is no total, sum of items; split fields joined"
# Amazon's TSV is never quoted: a value may start with a quote, and a
# BOM may lead; the same in CP932.
printf '\357\273\277order-id\torder-item-id\tpurchase-date\tbuyer-email\tbuyer-name\tsku\tproduct-name\tquantity-purchased\titem-price\r\n111-0000001-0000001\t1\t2026-11-10T10:00:00+09:00\tq@marketplace.amazon.co.jp\t"ク" 太郎\tQ1\t"限定" どら焼き\t2\t1000\r\n111-0000001-0000001\t2\t2026-11-10T10:00:00+09:00\tq@marketplace.amazon.co.jp\t"ク" 太郎\tQ2\t煎茶 "特上\t1\t\r\n' > az.tsv
crm-import -f amazon az.tsv 2>err; is "$?" 65 "amazon: exit 65 (one line has no price)"
is "$(cat az.tsv.rejects.csv | sed -n 3p)" '111-0000001-0000001,2,2026-11-10T10:00:00+09:00,q@marketplace.amazon.co.jp,"""ク"" 太郎",Q2,"煎茶 ""特上",1,,3,"total: empty, and no unit prices to add up (expected a total or unit_price column value)"' "amazon: quotes kept literally in the rejects file"
tail -c +4 az.tsv | sed 's/\t1\t\r$/\t1\t500\r/' | iconv -f UTF-8 -t CP932 > az932.tsv
crm-import -f amazon az932.tsv 2>/dev/null; is "$?" 0 "amazon CP932: exit 0"
is "$(sql "select group_concat(product, '|') from (select product from order_items where order_id = (select id from orders where order_no = '111-0000001-0000001') order by line)")" '"限定" どら焼き|煎茶 "特上' "amazon: literal quotes at the start and inside values"
is "$(sql "select name from identities where email = 'q@marketplace.amazon.co.jp'")" '"ク" 太郎' "amazon: a name starting with a quote"

# Next Engine's 汎用受注取込 layout (full-width digits in its headers).
printf '店舗伝票番号,受注日,受注郵便番号,受注住所１,受注住所２,受注名,受注名カナ,受注電話番号,受注メールアドレス,合計金額,商品名,商品コード,商品価格,受注数量\r\nNE-1,2026/11/08 10:00:00,100-0001,東京都千代田区,千代田1-1,伊藤 一,イトウ ハジメ,03-1111-0000,ito@example.jp,1500,茶,T1,500,3\r\n' | iconv -f UTF-8 -t CP932 > ne-upload.csv
crm-import -f nextengine ne-upload.csv 2>/dev/null; is "$?" 0 "nextengine upload layout: exit 0"
is "$(sql "select s.name, o.total, i.kana, i.prefecture, i.address from orders o join shops s on s.id = o.shop_id join identities i on i.id = o.identity_id where order_no = 'NE-1'")" "nextengine|1500|イトウ ハジメ|東京都|千代田区 千代田1-1" "nextengine upload layout: order and buyer"

# Every preset shipped parses (an empty input is the only complaint).
: > empty.csv
for m in "$SRC"/share/formats/*.map; do
	n=$(basename "$m" .map)
	crm-import -f "$n" --dry-run empty.csv 2>err
	is "$(cat err)" "crm-import: empty.csv: empty input: expected a header line" "preset $n parses"
done

# STORES, with the older (購入者) wording.
printf 'オーダー番号,オーダー日,ステータス,アイテム名,種類,個数,小計,合計,氏(購入者),名(購入者),郵便番号(購入者),都道府県(購入者),住所(購入者),電話番号(購入者)\n2176468849,2026-11-09 12:00:00,発送済み,手ぬぐい,藍,2,2400,2900,山田,花子,100-0001,東京都,千代田区千代田1-1,03-3333-4444\n' > stores.csv
crm-import -f stores stores.csv 2>/dev/null; is "$?" 0 "stores: exit 0"
is "$(sql "select s.name, o.total, i.name, i.prefecture from orders o join shops s on s.id = o.shop_id join identities i on i.id = o.identity_id where order_no = '2176468849'")" "stores|2900|山田 花子|東京都" "stores: order and buyer"
is "$(sql "select product, quantity, unit_price from order_items where order_id = (select id from orders where order_no = '2176468849')")" "手ぬぐい 藍|2|1200" "stores: item, unit price from the line subtotal"
done_testing
