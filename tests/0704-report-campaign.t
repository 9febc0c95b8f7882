#!/bin/sh
# crm-report campaign: mailed customers against comparable ones, before
# and after, from a real send to the test SMTP server (a dry run writes no
# ledger, so it cannot be reported).  Figures worked out by hand.
. "$(dirname "$0")/lib.sh"
. "$TESTS/0709-report-setup.sh"

# One more customer, I, never mailed: 02-25 1000 and 04-20 3000.
cat >"$T/more.csv" <<'CSV'
order_id,ordered_at,shop,email,name,newsletter,total
W16,2026-02-25 10:00,webshop,i@example.com,井上 泉,no,1000
W17,2026-04-20 10:00,webshop,i@example.com,井上 泉,no,3000
CSV
crm-import -q "$T/more.csv" >/dev/null 2>&1 || { echo "Bail out! import"; exit 1; }
I=$(id_of i@example.com)

export XDG_CONFIG_HOME="$T/config" HOME="$T/home"
mkdir -p "$XDG_CONFIG_HOME/crm" "$HOME"
printf 'unsubscribe-url = https://shop.example/u\nshop = テスト商店\n' \
	>"$XDG_CONFIG_HOME/crm/crm.conf"
cat >"$T/spring.tmpl" <<'TMPL'
Subject: 春の新茶
From: テスト商店 <shop@example.com>
Kind: newsletter

{{name}} 様、新茶の季節です。
停止: {{unsubscribe_url}}
TMPL

# Mail A, D and G2; G2 is merged into G afterwards, so its delivery must
# count for G.
smtpd_start
printf '%s\n' "$A" "$D" "$G2" | crm-mail send -q -t "$T/spring.tmpl" \
	--campaign spring --smtp "smtp://127.0.0.1:$SMTP_PORT" >/dev/null 2>&1
is "$?" 0 "crm-mail send exits 0"
is "$(sql "SELECT count(*) FROM deliveries WHERE status = 'sent'")" 3 \
	"three messages in the ledger"
is "$(ls "$SMTP_DIR"/*.eml | wc -l | tr -d ' ')" 3 "three messages at the server"
merge_g
# The send happened today; the orders are dated 2026, so move the ledger
# to the campaign day the figures below assume: 2026-04-01.
sql "UPDATE deliveries SET created_at = '2026-04-01 10:00:00', updated_at = '2026-04-01 10:00:00'"

# --window 45d: before 02-15..03-31, after 04-01..05-15.
# Mailed A D G: before A3 3000, D2 1000, G1 1000 (3 buyers, 5000); after
#   D3 2000, G2 2000 (2 buyers, 4000); per customer 5000/3 = 1667 and
#   4000/3 = 1333; change -334.
# Comparable: not mailed, an order before 04-01, last one no older than
#   the oldest of the mailed (D's 02-20): F (03-05) and I (02-25); not B
#   (02-15), C (01-25), E (02-10: the 03-01 order was returned), H (none).
#   Before F 2500 + I 1000; after I 3000; 3500/2 = 1750, 3000/2 = 1500.
is "$(crm-report campaign spring --window 45d -o csv)" \
"group,customers,before,after,buyers_before,buyers_after,orders_before,orders_after,revenue_before,revenue_after,per_customer_before,per_customer_after,change
mailed,3,2026-02-15..2026-03-31,2026-04-01..2026-05-15,3,2,3,2,5000,4000,1667,1333,-334
comparable,2,2026-02-15..2026-03-31,2026-04-01..2026-05-15,2,1,2,1,3500,3000,1750,1500,-250" \
	"campaign spring, 45 days"

# Default 30 days: before 03-02..03-31 (A3, G1; F1), after 04-01..04-30
# (D3; I's 04-20).  An order on the campaign day (D3) is after.
is "$(crm-report campaign spring -o csv | tail -n 2)" \
"mailed,3,2026-03-02..2026-03-31,2026-04-01..2026-04-30,2,1,2,1,4000,2000,1333,667,-666
comparable,2,2026-03-02..2026-03-31,2026-04-01..2026-04-30,1,1,1,1,2500,3000,1250,1500,250" \
	"campaign spring, default window of 30 days"
is "$(crm-report campaign spring --window 30 -o csv | tail -n 1)" \
	"$(crm-report campaign spring --window 30d -o csv | tail -n 1)" "--window 30 = 30d"

CRM_TODAY=2026-04-10 crm-report campaign spring >/dev/null 2>"$T/err"
like "$(cat "$T/err")" "window after ends 2026-04-30, after today: its figures are not complete" \
	"a window after that is not over yet: a warning"
CRM_TODAY=2026-04-10 crm-report -q campaign spring >/dev/null 2>"$T/err"
is "$(cat "$T/err")" "" "... not with -q"

# A withdrawn customer is not comparable.
sql "UPDATE customers SET withdrawn = 1 WHERE id = $I"
is "$(crm-report campaign spring -o csv | awk -F, '$1 == "comparable" { print $2 }')" 1 \
	"a withdrawn customer is left out of the comparable group"
sql "UPDATE customers SET withdrawn = 0 WHERE id = $I"

# A dry run writes no ledger: nothing to report, and the message says why.
printf '%s\n' "$A" | crm-mail send -q -t "$T/spring.tmpl" --campaign dry \
	--mbox "$T/dry.mbox" >/dev/null 2>&1
crm-report campaign dry >/dev/null 2>"$T/err"
is "$?" 65 "a dry-run campaign: exit 65"
like "$(cat "$T/err")" "dry|no campaign" "... naming why"
fails 65 "unknown campaign: exit 65" crm-report campaign nosuch
fails 64 "campaign without a name: usage" crm-report campaign
fails 64 "--from does not apply to campaign" crm-report campaign spring --from 2026-01-01
fails 64 "--window 0" crm-report campaign spring --window 0d
fails 64 "--window garbage" crm-report campaign spring --window month
fails 64 "--window with another report" crm-report repeat --window 30d
done_testing
