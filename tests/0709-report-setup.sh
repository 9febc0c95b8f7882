# 0709-report-setup.sh: the data set of the crm-report tests (0700-0708).
# Source after lib.sh.  Nine customers, A to H and G2, one line item per
# order; figures in the tests are worked out by hand from this table:
#
#   A  01-05 web 1000 煎茶   01-20 web 2000 湯呑み  03-10 web 3000 煎茶
#   B  01-10 web 5000 煎茶   02-15 rakuten 1000 煎茶
#   C  01-25 web 2000 湯呑み (02-01 web 9999 cancelled)
#   D  02-03 web 4000 煎茶   02-20 web 1000 煎茶  04-01 web 2000 湯呑み
#      06-10 web 3000 煎茶
#   E  02-10 web 1500 湯呑み (03-01 web 5000 returned)
#   F  03-05 web 2500 煎茶
#   G  03-20 web 1000 湯呑み; G2 (another address) 05-05 web 2000 煎茶,
#      merged into G by hand
#   H  05-15 rakuten 6000 煎茶
#
# All dates are 2026; "today" is 2026-07-01.

export CRM_TODAY=2026-07-01
cat >"$T/orders.csv" <<'CSV'
order_id,ordered_at,status,shop,email,name,newsletter,sku,product,quantity,unit_price
W1,2026-01-05 10:00,ok,webshop,a@example.com,青木 明,yes,TEA,煎茶,1,1000
W2,2026-01-10 11:00,ok,webshop,b@example.com,伊藤 勉,yes,TEA,煎茶,1,5000
W3,2026-01-20 09:30,ok,webshop,a@example.com,青木 明,yes,CUP,湯呑み,1,2000
W4,2026-01-25 15:00,ok,webshop,c@example.com,上田 千夏,yes,CUP,湯呑み,1,2000
W5,2026-02-01 08:00,cancelled,webshop,c@example.com,上田 千夏,yes,TEA,煎茶,1,9999
W6,2026-02-03 12:00,ok,webshop,d@example.com,遠藤 大輔,yes,TEA,煎茶,2,2000
W7,2026-02-10 13:00,ok,webshop,e@example.com,大野 恵美,no,CUP,湯呑み,1,1500
W8,2026-02-20 14:00,ok,webshop,d@example.com,遠藤 大輔,yes,TEA,煎茶,1,1000
W9,2026-03-01 10:00,returned,webshop,e@example.com,大野 恵美,no,TEA,煎茶,1,5000
W10,2026-03-05 16:00,ok,webshop,f@example.com,加藤 文子,no,TEA,煎茶,1,2500
W11,2026-03-10 17:00,ok,webshop,a@example.com,青木 明,yes,TEA,煎茶,1,3000
W12,2026-03-20 18:00,ok,webshop,g@example.com,木村 剛,yes,CUP,湯呑み,1,1000
W13,2026-04-01 09:00,ok,webshop,d@example.com,遠藤 大輔,yes,CUP,湯呑み,1,2000
W14,2026-05-05 10:00,ok,webshop,g.other@example.com,木村 剛,yes,TEA,煎茶,1,2000
W15,2026-06-10 11:00,ok,webshop,d@example.com,遠藤 大輔,yes,TEA,煎茶,1,3000
R1,2026-02-15 12:00,ok,rakuten,b@example.com,伊藤 勉,yes,TEA,煎茶,1,1000
R2,2026-05-15 13:00,ok,rakuten,h@example.com,佐々木 肇,no,TEA,煎茶,1,6000
CSV
crm-import -q "$T/orders.csv" >/dev/null 2>&1 || { echo "Bail out! crm-import failed"; exit 1; }

# id_of EMAIL
id_of() { sql "SELECT id FROM customers WHERE email = '$1'"; }
A=$(id_of a@example.com); B=$(id_of b@example.com); C=$(id_of c@example.com)
D=$(id_of d@example.com); E=$(id_of e@example.com); F=$(id_of f@example.com)
G=$(id_of g@example.com); G2=$(id_of g.other@example.com); H=$(id_of h@example.com)
[ "$(sql "SELECT count(*) FROM customers")" = 9 ] ||
	{ echo "Bail out! expected 9 customers after the import"; exit 1; }

# merge_g: G2 into G (the older customer survives).
merge_g() {
	crm-dedupe -q merge "$G" "$G2" --reason "same person" >/dev/null 2>&1 &&
	[ "$(sql "SELECT merged_into FROM customers WHERE id = $G2")" = "$G" ] ||
		{ echo "Bail out! crm-dedupe merge failed"; exit 1; }
}
