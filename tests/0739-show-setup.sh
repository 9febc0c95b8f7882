# 0739-show-setup.sh: shared data of the crm-show / crm-tag tests (07[23]x).
# Source after lib.sh.  Five buyer records become these customers:
#   1 山田 太郎   web A-1 (2 items, 2,500), rakuten R-9 (3,000), web A-2
#                 cancelled (1,000): 2 orders, 5,500
#   2 鈴木 一郎   \ one landline 03-1234-5678, two e-mail addresses:
#   3 鈴木 花子   / two customers (phone joins only without e-mail)
#   4 佐藤 次郎   B-1 700 \ two addresses, one person: crm-dedupe merge
#   5 佐藤 次郎   B-2 800 / makes 5 part of 4
cat >"$T/orders.csv" <<'EOC'
order_id,ordered_at,shop,email,name,kana,phone,postcode,prefecture,address,total,status,sku,product,quantity,unit_price,coupon,newsletter,notices
A-1,2026-09-01 10:05,web,taro@example.jp,山田 太郎,ヤマダ タロウ,090-1111-2222,150-0001,東京都,渋谷区神宮前1-2-3,,ok,SKU-1,りんご,2,1000,WELCOME,yes,yes
A-1,2026-09-01 10:05,web,taro@example.jp,山田 太郎,ヤマダ タロウ,090-1111-2222,150-0001,東京都,渋谷区神宮前1-2-3,,ok,SKU-2,みかん,1,500,WELCOME,yes,yes
R-9,2026-10-15,rakuten,taro@example.jp,山田 太郎,ヤマダ タロウ,090-1111-2222,150-0001,東京都,渋谷区神宮前1-2-3,,ok,SKU-3,ぶどう,1,3000,,yes,yes
A-2,2026-11-01,web,taro@example.jp,山田 太郎,ヤマダ タロウ,090-1111-2222,150-0001,東京都,渋谷区神宮前1-2-3,,cancelled,SKU-1,りんご,1,1000,,yes,yes
F-1,2026-10-01,web,ichiro@example.jp,鈴木 一郎,,03-1234-5678,,,,1000,ok,,,,,,no,no
F-2,2026-10-02,web,hanako@example.jp,鈴木 花子,,03-1234-5678,,,,2000,ok,,,,,,no,no
B-1,2026-11-20,web,jiro@example.jp,佐藤 次郎,,,,,,700,ok,,,,,,yes,yes
B-2,2026-11-21,web,jiro2@example.jp,佐藤 次郎,,,,,,800,ok,,,,,,yes,yes
EOC
(cd "$T" && crm-import -q orders.csv) >/dev/null 2>&1 || { echo "Bail out! crm-import failed"; exit 1; }
[ "$(sql 'SELECT group_concat(id || name, " ") FROM customers')" = "1山田 太郎 2鈴木 一郎 3鈴木 花子 4佐藤 次郎 5佐藤 次郎" ] ||
	{ echo "Bail out! unexpected customers: $(sql 'SELECT id, name FROM customers')"; exit 1; }

# js FILE EXPR: a Python expression over the JSON object d in FILE
js() { /usr/bin/python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
v = eval(sys.argv[2])
print(json.dumps(v, ensure_ascii=False) if not isinstance(v, str) else v)' "$1" "$2"; }
