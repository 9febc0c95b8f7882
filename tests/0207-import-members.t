#!/bin/sh
# Member lists (--customers): member flag, registration date, withdrawn,
# and consent: the latest event wins across the platform's exported states
# (as of the file's mtime) and the opt-out ledger, an opt-out winning a
# tie; the owner can opt out but never back in.
. "$(dirname "$0")/lib.sh"
cd "$T" || exit 1

members() {  # MTIME NEWSLETTER NOTICES
	printf 'member_id,email,name,registered_at,newsletter,notices,withdrawn\nM1,m@example.jp,会員 一,2025-03-01,%s,%s,0\n' "$2" "$3" > m.csv
	touch -d "$1" m.csv
	crm-import --customers -s shop m.csv 2>/dev/null
}
state() { sql "select newsletter, notices, coalesce(newsletter_at, '-') from customers where id = 1"; }

printf 'order_id,ordered_at,email,name,total\nO1,2026-10-01 10:00,m@example.jp,会員 一,1000\n' > o.csv
crm-import -s shop o.csv 2>/dev/null
is "$(sql "select member, registered_at from customers")" "0|2026-10-01 10:00:00" "a guest: registered at the first order"

members '2026-11-01 09:00' yes yes
is "$(sql "select member, registered_at, withdrawn from customers")" "1|2025-03-01 00:00:00|0" "member list: member, sign-up date"
is "$(state)" "1|1|2026-11-01 09:00:00" "member list: opted in as of the file's mtime"

# The owner opts out of the newsletter (as crm-optout records it).
sql "insert into optouts (customer_id, channel, action, by, at) values (1, 'newsletter', 'out', 'owner', '2026-11-05 10:00:00')"
members '2026-11-01 09:00' yes yes
is "$(state)" "0|1|2026-11-05 10:00:00" "owner opt-out beats the older export"
members '2026-11-10 09:00' yes yes
is "$(state)" "0|1|2026-11-05 10:00:00" "a newer export still saying yes is no new opt-in"
members '2026-11-12 09:00' no yes
is "$(state)" "0|1|2026-11-12 09:00:00" "the customer unsubscribes on the platform"
members '2026-11-15 09:00' yes yes
is "$(state)" "1|1|2026-11-15 09:00:00" "and subscribes again: newer customer data wins"

sql "insert into optouts (customer_id, channel, action, by, at) values (1, 'all', 'out', 'owner', '2026-11-16 10:00:00')"
sql "insert into optouts (customer_id, channel, action, by, at) values (1, 'newsletter', 'in', 'owner', '2026-11-17 10:00:00')"
members '2026-11-15 09:00' yes yes
is "$(state)" "0|0|2026-11-16 10:00:00" "channel all; the owner cannot opt back in"
sql "insert into optouts (customer_id, channel, action, by, at) values (1, 'newsletter', 'in', 'customer', '2026-11-18 10:00:00')"
sql "insert into optouts (customer_id, channel, action, by, at) values (1, 'notices', 'in', 'customer', '2026-11-18 10:00:00'), (1, 'notices', 'out', 'bounce', '2026-11-18 10:00:00')"
members '2026-11-15 09:00' yes yes
is "$(state)" "1|0|2026-11-18 10:00:00" "a customer opt-in counts; at the same time an opt-out wins"

# A second customer merged into the first: its ledger and identities count.
printf 'order_id,ordered_at,email,name,total\nO2,2026-10-02,other@example.jp,別人,500\n' > o2.csv
crm-import -s shop o2.csv 2>/dev/null
sql "update customers set merged_into = 1 where id = 2"
sql "insert into optouts (customer_id, channel, action, by, at) values (2, 'newsletter', 'out', 'owner', '2026-11-19 10:00:00')"
members '2026-11-15 09:00' yes yes
is "$(sql "select newsletter, orders, total from customers where id = 1")" "0|2|1500" "merged: the absorbed customer's opt-out and orders count"
is "$(sql "select count(*) from orders where customer_id = 1")" "2" "merged: orders follow to the survivor"

# Withdrawn, and a member with no orders: registered_at from the list.
printf 'member_id,email,name,registered_at,newsletter,notices,withdrawn\nM9,w@example.jp,退会 者,2024-01-02,no,no,1\nM8,,,2024-01-03,,,0\n' > w.csv
crm-import --customers -s shop w.csv 2>err; is "$?" 65 "a member with nothing to match on: rejected"
is "$(sql "select member, withdrawn, registered_at, orders from customers where email = 'w@example.jp'")" "1|1|2024-01-02 00:00:00|0" "withdrawn member"
like "$(sed -n 2p w.csv.rejects.csv)" "^M8,.*,3,\"no buyer: none of email, phone, name is given\"$" "rejects: the member row"
# Shopify's customers export as a member list (current generation).
cat > shopify-customers.csv <<'CSV'
Customer ID,First Name,Last Name,Email,Accepts Email Marketing,Default Address Company,Default Address Address1,Default Address Address2,Default Address City,Default Address Province Code,Default Address Country Code,Default Address Zip,Default Address Phone,Phone,Accepts SMS Marketing,Total Spent,Total Orders,Note,Tax Exempt,Tags
'7985351721238,花子,山田,hanako.y@example.jp,yes,,神南1-2-3,,渋谷区,JP-13,JP,'150-0041,,'+81 90-1234-5678,no,13175.00,3,,no,"VIP, loyal"
CSV
crm-import --customers -f shopify-customers shopify-customers.csv 2>/dev/null; is "$?" 0 "shopify customers: exit 0"
is "$(sql "select c.member, c.name, c.phone, c.postcode, c.prefecture, c.address, c.newsletter, i.member_id from customers c join identities i on i.customer_id = c.id where c.email = 'hanako.y@example.jp'")" "1|山田 花子|+81 90-1234-5678|150-0041|東京都|渋谷区 神南1-2-3|1|7985351721238" "shopify customers: apostrophes dropped, name in Japanese order, JP-13"
is "$(sql 'pragma foreign_key_check')" "" "no dangling reference (imports run with foreign keys off)"
done_testing
