#!/bin/sh
# crm-report repeat: new vs repeat customers and their sales, per month,
# shop and product, on the data set of 0709-report-setup.sh.  Every
# expected figure is worked out by hand in the comments.
. "$(dirname "$0")/lib.sh"
. "$TESTS/0709-report-setup.sh"

# Before the merge G2 is a customer of its own whose first order is in
# May: May has two new customers (G2, H) and no repeat customer.
is "$(crm-report repeat --by month -o csv | grep '^2026-05')" \
	"2026-05,2,2,0,0.0000,2,8000,8000,0,0.0000" \
	"before the merge: G2 is a new customer in May"
merge_g

# Per month (C's cancelled 9999 and E's returned 5000 are not sales):
# A customer is new in a group when their only order there is their first.
#  Jan: A1 1000, A2 2000 (A's second: repeat), B1 5000, C1 2000 (B, C new):
#       rate 1/3; 10000 = new 7000 + repeat 3000, share 0.3.
#  Feb: B2 1000 (B repeat), D1 4000 D2 1000 (D's second: repeat), E1 1500
#       (new): rate 2/3, sales 7500, new 1500, repeat 6000, share 0.8.
#  Mar: A3 3000 (repeat), F1 2500, G1 1000 (new): 1/3; 6500 = 3500 + 3000;
#       share 3000/6500 = 0.4615.
#  Apr: D3 2000, D repeat.
#  May: G2 2000 (now G's second order: repeat), H1 6000 (new): 1/2;
#       share 2000/8000.
#  Jun: D4 3000, repeat.
is "$(crm-report repeat --by month -o csv)" \
"month,customers,new,repeat,repeat_rate,orders,sales,new_sales,repeat_sales,repeat_share
2026-01,3,2,1,0.3333,4,10000,7000,3000,0.3000
2026-02,3,1,2,0.6667,4,7500,1500,6000,0.8000
2026-03,3,2,1,0.3333,3,6500,3500,3000,0.4615
2026-04,1,0,1,1.0000,1,2000,0,2000,1.0000
2026-05,2,1,1,0.5000,2,8000,6000,2000,0.2500
2026-06,1,0,1,1.0000,1,3000,0,3000,1.0000" "repeat --by month, merged customer counted once"

# Window from March: A3 D3 D4 (A, D: first orders before the window, so
# repeat), F1 G1 G2 H1 (F, H new; G2 is G's second order: repeat).
# 5 customers, 3 repeat: 0.6.  Sales 19500; new F 2500 + H 6000 = 8500;
# repeat A 3000 + D 5000 + G 3000 = 11000; share 11000/19500 = 0.5641.
is "$(crm-report repeat --from 2026-03-01 -o csv | tail -n 1)" \
	"2026-03-01..,5,2,3,0.6000,7,19500,8500,11000,0.5641" \
	"repeat over a window: history before --from makes a repeat customer"
is "$(crm-report repeat --from 2026-03-01 --to 2026-03-31 -o csv | tail -n 1)" \
	"2026-03-01..2026-03-31,3,2,1,0.3333,3,6500,3500,3000,0.4615" \
	"--to closes the window (the March row again)"

# Per shop from February: each shop has its own history.  Web: D1 D2 E1
# A3 F1 G1 D3 G2 D4 = 20000; A repeat (web order in January), D and G
# repeat (second web orders), E F new; new sales E 1500 + F 2500 = 4000.
# Rakuten: B2 and H1, both first Rakuten orders: new, 7000.
is "$(crm-report repeat --by shop --from 2026-02-01 -o csv)" \
"shop,customers,new,repeat,repeat_rate,orders,sales,new_sales,repeat_sales,repeat_share
webshop,5,2,3,0.6000,9,20000,4000,16000,0.8000
rakuten,2,2,0,0.0000,2,7000,7000,0,0.0000" "repeat --by shop: new to the shop"
is "$(crm-report repeat --shop rakuten --from 2026-02-01 -o csv | tail -n 1)" \
	"2026-02-01..,2,2,0,0.0000,2,7000,7000,0,0.0000" \
	"--shop rakuten reads like its --by shop row"

# Per product (line revenue).  煎茶: A1 A3 B1 B2 D1 D2 D4 F1 G2 H1 =
# 28500 from A B D F G H; A B D bought it again, G2 is G's second order:
# repeat 4/6; new F 2500 + H 6000 = 8500, repeat 20000/28500 = 0.7018.
# 湯呑み: A2 C1 D3 E1 G1 = 8500; new C E G (first orders), repeat A D:
# 2/5; repeat sales 4000/8500 = 0.4706.
is "$(crm-report repeat --by product -o csv)" \
"product,customers,new,repeat,repeat_rate,orders,sales,new_sales,repeat_sales,repeat_share
煎茶,6,2,4,0.6667,10,28500,8500,20000,0.7018
湯呑み,5,3,2,0.4000,5,8500,4500,4000,0.4706" "repeat --by product"

# A month with no orders is a row of zeros between two that have some.
sql "UPDATE orders SET status = 'cancelled' WHERE order_no = 'W13'"
is "$(crm-report repeat --by month -o csv | grep '^2026-04')" \
	"2026-04,0,0,0,,0,0,0,0," "a month without orders: zeros, rates empty"
sql "UPDATE orders SET status = 'ok' WHERE order_no = 'W13'"

# JSON lines and the table say the same.
is "$(crm-report repeat --from 2026-03-01 -o json)" \
	'{"period":"2026-03-01..","customers":5,"new":2,"repeat":3,"repeat_rate":0.6000,"orders":7,"sales":19500,"new_sales":8500,"repeat_sales":11000,"repeat_share":0.5641}' \
	"-o json"
# Web over all time: A B C D E F G; A D G ordered there twice.
like "$(crm-report repeat --by shop -o table)" "webshop +7 +4 +3 +0\\.4286" "-o table"
done_testing
