#!/bin/sh
# crm-gen (tests/tools/crm-gen.c): the seeded generator of multi-channel
# order exports and their ground truth.
. "$(dirname "$0")/lib.sh"

GEN=$CRM_BUILD/tests/crm-gen

body() { sed 1d "$1"; }
# CSV with the quoted parts removed, so that commas can be counted.
unquoted() { sed 's/"[^"]*"//g' "$1"; }

# --- determinism
ok "generic export, seed 42" "$GEN" --seed 42 --customers 300 --out "$T/a.csv" --truth "$T/a.truth"
ok "the same again" "$GEN" --seed 42 --customers 300 --out "$T/b.csv" --truth "$T/b.truth"
ok "same seed: identical export" cmp -s "$T/a.csv" "$T/b.csv"
ok "same seed: identical truth" cmp -s "$T/a.truth" "$T/b.truth"
"$GEN" --seed 42 --customers 300 > "$T/stdout.csv"
ok "stdout holds what --out holds" cmp -s "$T/a.csv" "$T/stdout.csv"
"$GEN" --seed 43 --customers 300 --out "$T/c.csv"
fails 1 "another seed: other data" cmp -s "$T/a.csv" "$T/c.csv"

# --- the generic file
is "$(head -1 "$T/a.csv")" \
    "shop,order_id,ordered_at,shipped_at,status,email,name,kana,phone,postcode,prefecture,address,birthday,member_id,total,sku,product,quantity,unit_price,coupon,subscription,newsletter,notices" \
    "generic header is the contract's columns"
is "$(unquoted "$T/a.csv" | awk -F, 'NF != 23' | wc -l)" 0 "every generic row has 23 fields"
ok "generic export is UTF-8" iconv -f UTF-8 -t UTF-8 "$T/a.csv" -o /dev/null

# --- the truth
is "$(head -1 "$T/a.truth")" "shop,order_id,person_id" "truth header"
body "$T/a.csv" | cut -d, -f1,2 | sort -u > "$T/orders"
body "$T/a.truth" | cut -d, -f1,2 | sort > "$T/truth-orders"
ok "the truth lists every order of the export, and nothing else" cmp -s "$T/orders" "$T/truth-orders"
is "$(sort -u "$T/truth-orders" | wc -l)" "$(wc -l < "$T/truth-orders")" "each order once in the truth"
is "$(body "$T/a.truth" | cut -d, -f3 | grep -Evc '^P[0-9]{7}$')" 0 "person ids look like P0000001"
is "$(body "$T/a.truth" | cut -d, -f3 | sort -u | wc -l)" 300 "300 customers, every one a buyer"
is "$(body "$T/a.truth" | cut -d, -f3 | sort -u | tail -1)" P0000300 "no person beyond --customers"
"$GEN" --seed 42 --customers 3000 --truth "$T/big.truth" > /dev/null
is "$(body "$T/big.truth" | cut -d, -f3 | sort -u | wc -l)" 3000 "--customers 3000: 3000 people"

# Repeat behaviour: most buy once, some are loyal.
body "$T/big.truth" | cut -d, -f3 | sort | uniq -c | awk '{print $1}' > "$T/per-person"
once=$(awk '$1 == 1' "$T/per-person" | wc -l)
loyal=$(awk '$1 >= 10' "$T/per-person" | wc -l)
ok "more than 40% buy only once ($once of 3000)" test "$once" -gt 1200
ok "but not everyone ($once of 3000)" test "$once" -lt 2700
ok "some loyal customers with 10+ orders ($loyal)" test "$loyal" -ge 30
for shop in shopify rakuten amazon; do
	ok "channel $shop has orders" grep -q "^$shop," "$T/a.truth"
done
body "$T/a.truth" | cut -d, -f1,3 | sort -u | cut -d, -f2 | sort | uniq -d > "$T/multi"
ok "some people buy on more than one channel" test -s "$T/multi"

# The variations crm-dedupe has to see through.
ok "〒 in postcodes" grep -q '〒' "$T/a.csv"
ok "full-width digits" grep -q '０' "$T/a.csv"
ok "+81 phone numbers" grep -q ',+81 ' "$T/a.csv"
cut -d, -f8 "$T/a.csv" > "$T/kana"
ok "hiragana kana" grep -q '[あいうえおかきくけこさしすせそたちつてとなにぬねのはひふへほまみむめもやゆよらりるれろわんがぎぐげござじずぜぞだでどばびぶべぼ]' "$T/kana"
ok "half-width kana" grep -q '[ｱｲｳｴｵｶｷｸｹｺｻｼｽｾｿﾀﾁﾂﾃﾄﾅﾆﾇﾈﾉﾊﾋﾌﾍﾎﾏﾐﾑﾒﾓﾔﾕﾖﾗﾘﾙﾚﾛﾜﾝ]' "$T/kana"
ok "variant kanji (髙, 邊, 齋 ...)" grep -Eq '髙|邊|齋|﨑|嶋|濱|冨|澤|廣|桒|德|槇|𠮷|惠|眞|靜|實|榮|齊' "$T/a.csv"
ok "Rakuten relay addresses" grep -q '@pc.fw.rakuten.ne.jp' "$T/a.csv"
ok "Amazon relay addresses" grep -q '@marketplace.amazon.co.jp' "$T/a.csv"
ok "cancelled orders" grep -Eq ',(cancelled|キャンセル),' "$T/a.csv"
ok "coupons" grep -q ',WELCOME500,' "$T/a.csv"
unlike "$(cut -d, -f6 "$T/a.csv" | grep '@' | grep -v -e 'example\.' -e 'rakuten\.ne\.jp' -e 'amazon\.co\.jp')" . \
    "own-shop e-mails are on reserved example domains only"

# --- Rakuten: CP932, CRLF, the same orders as the generic file's rakuten rows
ok "rakuten export" "$GEN" --seed 42 --customers 300 --format rakuten --out "$T/r.csv" --truth "$T/r.truth"
ok "rakuten export is CP932" iconv -f CP932 -t UTF-8 "$T/r.csv" -o "$T/r.utf8"
fails 1 "... and not UTF-8" iconv -f UTF-8 -t UTF-8 "$T/r.csv" -o /dev/null
is "$(grep -c "$(printf '\r')\$" "$T/r.csv")" "$(wc -l < "$T/r.csv")" "rakuten lines end in CRLF"
like "$(head -1 "$T/r.utf8")" '^"注文番号","ステータス",' "rakuten header (楽天ペイ)"
is "$(tr -d '\r' < "$T/r.utf8" | unquoted /dev/stdin | awk -F, 'NF != 107' | wc -l)" 0 "every rakuten row has 107 fields"
is "$(body "$T/r.truth")" "$(grep '^rakuten,' "$T/a.truth")" "rakuten truth = the generic file's rakuten orders"
is "$(body "$T/r.csv" | wc -l)" "$(grep -c '^rakuten,' "$T/a.csv")" "as many rakuten rows as generic rakuten rows"

# --- Shopify
ok "shopify export" "$GEN" --seed 42 --customers 300 --format shopify --out "$T/s.csv" --truth "$T/s.truth"
like "$(head -1 "$T/s.csv")" '^Name,Email,Financial Status,Paid at,' "shopify header"
is "$(unquoted "$T/s.csv" | awk -F, 'NF != 79' | wc -l)" 0 "every shopify row has 79 fields"
is "$(body "$T/s.truth")" "$(grep '^shopify,' "$T/a.truth")" "shopify truth = the generic file's shopify orders"
is "$(body "$T/s.csv" | wc -l)" "$(grep -c '^shopify,' "$T/a.csv")" "one shopify row per line item"
is "$(body "$T/s.csv" | awk -F, '$1 != prev { n++ } { prev = $1 } END { print n }')" \
    "$(body "$T/s.truth" | wc -l)" "shopify rows of one order are contiguous"

# --- Amazon: TSV, cancelled orders are not in an order report
ok "amazon export" "$GEN" --seed 42 --customers 300 --format amazon --out "$T/z.tsv" --truth "$T/z.truth"
like "$(head -1 "$T/z.tsv")" "^order-id	order-item-id	purchase-date	" "amazon header"
is "$(awk -F'\t' 'NF != 38' "$T/z.tsv" | wc -l)" 0 "every amazon row has 38 tab-separated fields"
body "$T/a.csv" | awk -F, '$1 == "amazon" && $5 != "cancelled" && $5 != "キャンセル" { print $1 "," $2 }' |
    sort -u > "$T/z.want"
body "$T/z.truth" | cut -d, -f1,2 | sort > "$T/z.got"
ok "amazon truth = generic amazon orders that were not cancelled" cmp -s "$T/z.want" "$T/z.got"
is "$(body "$T/z.tsv" | cut -f1 | sort -u | wc -l)" "$(body "$T/z.truth" | wc -l)" "amazon file holds the truth's orders"

# --- the own shop's member list
ok "member list" "$GEN" --seed 42 --customers 300 --format members --out "$T/m.csv" --truth "$T/m.truth"
is "$(head -1 "$T/m.csv")" \
    "member_id,email,name,kana,phone,postcode,prefecture,address,birthday,registered_at,newsletter,notices,withdrawn" \
    "member list header is the contract's columns"
is "$(head -1 "$T/m.truth")" "member_id,person_id" "member truth header"
is "$(body "$T/m.csv" | cut -d, -f1)" "$(body "$T/m.truth" | cut -d, -f1)" "member truth lists every member"
is "$(body "$T/m.csv" | cut -d, -f1 | sort)" \
    "$(body "$T/a.csv" | awk -F, '$1 == "shopify" && $14 != "" { print $14 }' | sort -u)" \
    "the members are the generic file's shopify member ids"
is "$(body "$T/m.truth" | awk -F, '{ sub(/^C/, "", $1); sub(/^P/, "", $2); if ($1 != $2) print }')" "" \
    "member C000000N is person P000000N"

# --- CP932 on request; errors
ok "generic in CP932" "$GEN" --seed 42 --customers 300 --encoding cp932 --out "$T/g932.csv"
ok "... converts back" iconv -f CP932 -t UTF-8 "$T/g932.csv" -o /dev/null
fails 64 "unknown format" "$GEN" --format csv
fails 64 "--customers 0" "$GEN" --customers 0
fails 64 "--seed not a number" "$GEN" --seed abc
fails 64 "--end not a date" "$GEN" --end 2026/11/21
fails 64 "stray argument" "$GEN" extra
fails 73 "unwritable --out" "$GEN" --out "$T/no/such/dir/x.csv"
err=$("$GEN" --format csv 2>&1 >/dev/null)
like "$err" "unknown format 'csv'" "the error names the bad format"

done_testing
