#!/bin/sh
# crm-gen's exports through crm-import and crm-dedupe: every generated
# order lands, and no rule merges two people the ground truth keeps apart.
. "$(dirname "$0")/lib.sh"

GEN=$CRM_BUILD/tests/crm-gen
body() { sed 1d "$1"; }

"$GEN" --seed 9 --customers 500 --out "$T/g.csv" --truth "$T/g.truth"
norders=$(body "$T/g.truth" | wc -l)

msg=$(crm-import "$T/g.csv" 2>&1); rc=$?
is "$rc" 0 "generic export imports"
like "$msg" " 0 rejected" "no row rejected"
is "$(sql 'SELECT count(*) FROM orders')" "$norders" "one order per order of the truth"
is "$(sql "SELECT count(*) FROM orders WHERE status = 'cancelled'")" \
    "$(body "$T/g.csv" | awk -F, '$5 == "cancelled" || $5 == "キャンセル" { print $1 "," $2 }' | sort -u | wc -l)" \
    "cancelled orders (cancelled, キャンセル) are cancelled"

crm-dedupe rules --shop rakuten name+phone >/dev/null 2>&1
crm-dedupe rules --shop amazon name+email >/dev/null 2>&1
before=$(sql 'SELECT count(*) FROM customers WHERE merged_into IS NULL')
ok "dedupe run" crm-dedupe run
after=$(sql 'SELECT count(*) FROM customers WHERE merged_into IS NULL')
crm-dedupe clusters > "$T/clusters.csv"
is "$(body "$T/clusters.csv" | cut -d, -f2,3 | sort)" "$(body "$T/g.truth" | cut -d, -f1,2 | sort)" \
    "clusters list exactly the generated orders"
# customer -> the people of its orders; a customer with two is a wrong merge.
awk -F, 'NR == FNR { p[$1 "," $2] = $3; next }
    FNR > 1 { print $1 "," p[$2 "," $3] }' "$T/g.truth" "$T/clusters.csv" |
    sort -u > "$T/cust-person"
is "$(cut -d, -f1 "$T/cust-person" | uniq -d | wc -l)" 0 "no rule merged two different people"
ok "rules merged something ($before -> $after customers)" test "$after" -lt "$before"
ok "never fewer customers than people ($after >= 500)" test "$after" -ge 500

# The member list joins the members' orders by member_id.
"$GEN" --seed 9 --customers 500 --format members --out "$T/m.csv" --truth "$T/m.truth"
ok "member list imports" crm-import --customers "$T/m.csv"
is "$(sql "SELECT count(DISTINCT member_id) FROM customers WHERE member_id IS NOT NULL AND member_id <> ''")" \
    "$(body "$T/m.truth" | wc -l)" "every member is known by member_id"

# The channels' own formats.
"$GEN" --seed 9 --customers 500 --format shopify --out "$T/s.csv" --truth "$T/s.truth"
"$GEN" --seed 9 --customers 500 --format rakuten --out "$T/r.csv" --truth "$T/r.truth"
export CRM_DB="$T/native.db"
ok "shopify export imports" crm-import -f shopify -s shopify "$T/s.csv"
is "$(sql 'SELECT count(*) FROM orders')" "$(body "$T/s.truth" | wc -l)" "every shopify order"
ok "rakuten export (CP932) imports" crm-import -f rakuten -s rakuten "$T/r.csv"
is "$(sql "SELECT count(*) FROM orders o JOIN shops s ON s.id = o.shop_id WHERE s.name = 'rakuten'")" \
    "$(body "$T/r.truth" | wc -l)" "every rakuten order"
is "$(sql "SELECT count(*) FROM orders o JOIN shops s ON s.id = o.shop_id WHERE s.name = 'rakuten' AND o.status = 'cancelled'")" \
    "$(iconv -f CP932 -t UTF-8 "$T/r.csv" | body /dev/stdin | cut -d, -f1,2 | sort -u | grep -c '"900"$')" \
    "rakuten status 900 (キャンセル確定) is cancelled"

# Amazon: TSV without quoting, so a product name may start with a quote.
"$GEN" --seed 9 --customers 500 --format amazon --out "$T/z.tsv" --truth "$T/z.truth"
ok "amazon export imports" crm-import -f amazon -s amazon "$T/z.tsv"
is "$(sql "SELECT count(*) FROM orders o JOIN shops s ON s.id = o.shop_id WHERE s.name = 'amazon'")" \
    "$(body "$T/z.truth" | wc -l)" "every amazon order"
is "$(sql "SELECT count(*) FROM order_items i JOIN orders o ON o.id = i.order_id
    JOIN shops s ON s.id = o.shop_id WHERE s.name = 'amazon' AND i.product = '\"限定\" どら焼き 5個入'")" \
    "$(grep -c '	"限定" どら焼き 5個入	' "$T/z.tsv")" "a product name in quotes is kept as written"

done_testing
