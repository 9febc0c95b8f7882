#!/bin/sh
# crm-report ltv and interval: revenue per customer, order value and
# count, and the days between orders (median), worked out by hand.
. "$(dirname "$0")/lib.sh"
. "$TESTS/0709-report-setup.sh"
merge_g

# All eight customers: 15 valid orders, 37000 yen.  LTV 37000/8 = 4625,
# AOV 37000/15 = 2466.7 -> 2467, 15/8 = 1.875 orders.  The latest first
# order (H, 05-15) is 47 days before 07-01: no 90-day figure yet.
is "$(crm-report ltv -o csv)" \
"period,customers,orders,revenue,ltv,aov,avg_orders,ltv_90d,ltv_180d,ltv_365d
all,8,15,37000,4625,2467,1.88,,," "ltv over everyone"

# Per cohort.  Jan (A B C): 6 orders, 14000; every order within 90 days
# of the customer's first (A3 is day 64), 14000/3 = 4667; 157 days passed
# since C's first order, not 180.  Feb (D E): 11500; within 90 days D1 D2
# D3 (day 57) but not D4 (day 127): (7000 + 1500)/2 = 4250.  Mar (F G):
# 5500 with G2 (day 46): 2750.  May (H): too recent for ltv_90d.
is "$(crm-report ltv --by cohort -o csv)" \
"cohort,customers,orders,revenue,ltv,aov,avg_orders,ltv_90d,ltv_180d,ltv_365d
2026-01,3,6,14000,4667,2333,2.00,4667,,
2026-02,2,5,11500,5750,2300,2.50,4250,,
2026-03,2,3,5500,2750,1833,1.50,2750,,
2026-05,1,1,6000,6000,6000,1.00,,," "ltv --by cohort"

# Per shop: web has A..G (B only W2), 13 orders, 30000 (37000 - B2 1000 -
# H1 6000); Rakuten B and H, 7000.
is "$(crm-report ltv --by shop -o csv | cut -d, -f1-7)" \
"shop,customers,orders,revenue,ltv,aov,avg_orders
webshop,7,13,30000,4286,2308,1.86
rakuten,2,2,7000,3500,3500,1.00" "ltv --by shop"

# Customers acquired in a window: first orders in February (D, E).
is "$(crm-report ltv --from 2026-02-01 --to 2026-02-28 -o csv | tail -n 1 | cut -d, -f1-7)" \
	"2026-02-01..2026-02-28,2,3,6500,3250,2167,1.50" \
	"ltv of February's customers, orders up to --to"

# Intervals.  First to second: A 15 (01-05 -> 01-20), D 17, B 36, G 46
# (G2's order, merged): median (17 + 36)/2 = 26.5, mean 114/4 = 28.5.
# Later: D 40 (02-20 -> 04-01), A 49 (01-20 -> 03-10), D 70 (04-01 ->
# 06-10): median 49, mean 159/3 = 53.  C's cancelled and E's returned
# orders make no pair.
is "$(crm-report interval -o csv)" \
"interval,pairs,median_days,mean_days,0-7,8-14,15-30,31-60,61-90,91-180,181-365,366+
first-second,4,26.5,28.5,0,0,2,2,0,0,0,0
later,3,49.0,53.0,0,0,0,2,1,0,0,0" "interval: median and buckets"

# A pair belongs to the window of its later order: from March, G's 46
# days (05-05) and A's 49, D's 40 and 70; B's (02-15) is out.
is "$(crm-report interval --from 2026-03-01 -o csv | cut -d, -f1-4)" \
"interval,pairs,median_days,mean_days
first-second,1,46.0,46.0
later,3,49.0,53.0" "interval over a window"
is "$(crm-report interval --shop rakuten -o csv | sed -n 2p | cut -d, -f1-3)" \
	"first-second,0," "no pair in Rakuten: no median"
done_testing
