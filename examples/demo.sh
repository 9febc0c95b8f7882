#!/bin/sh
# demo.sh: the whole toolkit on the bundled examples, in a scratch
# directory: import every channel's export, merge duplicates, cut
# segments, mail a campaign to a local dry-run mbox, run a scenario.
set -eu
EX=$(cd "$(dirname "$0")" && pwd)
W=${DEMO_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/crm-demo.XXXXXX")}
export CRM_DB="$W/crm.db"
echo "demo: working in $W"
step() { printf '\n== %s\n' "$*"; }
has() { command -v "$1" >/dev/null 2>&1; }

# A dry run needs no mail server: secrets for the unsubscribe links are
# generated on first use, here inside the scratch directory.
export XDG_CONFIG_HOME="$W/config"

step "import: every channel's export into one database"
crm-import "$EX/orders-generic.csv"
crm-import -f shopify "$EX/orders-shopify.csv"
crm-import -f rakuten "$EX/orders-rakuten.csv"          # CP932, detected
crm-import -f amazon "$EX/orders-amazon.tsv"
crm-import -f nextengine -o csv "$EX/orders-nextengine.csv"  # new orders, for cron
crm-import --customers -s webshop "$EX/members.csv"
step "import again: nothing changes"
crm-import "$EX/orders-generic.csv"

step "dedupe: rules per shop, then the near matches to review"
crm-dedupe rules --shop rakuten name+phone      # Rakuten masks e-mail
crm-dedupe rules --shop amazon name+email       # Amazon gives no phone
crm-dedupe run
crm-dedupe pending
step "dedupe: the first pair is the same 鈴木 健太 on Amazon; confirm it, then look"
crm-dedupe confirm 1
crm-dedupe history 5
crm-dedupe clusters | head -n 8

step "segment: repeat buyers, a saved segment and its figures"
crm-segment --orders 2.. -o table --columns id,name,orders,total,last_order
crm-segment save tokyo --pref 東京
crm-segment -S tokyo --stats -o table

step "mail: the VIP sale to repeat buyers who take the newsletter (dry run)"
crm-segment --orders 2.. --newsletter yes -o ids |
	crm-mail send -t "$EX/templates/vip-sale.tmpl" --var coupon=VIP2026 \
		--mbox "$W/vip.mbox"
printf '%s messages in %s\n' "$(grep -c '^From ' "$W/vip.mbox")" "$W/vip.mbox"
step "opt-out: customer 1 asked by phone to stop the newsletter"
echo 1 | crm-optout --channel newsletter --reason "asked by phone"

step "scenario: thank second purchases the next day, a postcard after 14 days; the 09:00 run of 11-03 (dry run)"
crm-scenario add repeat --trigger 'orders = 2' --since 2026-11-01 \
	--step 0:mail:"$EX/templates/thanks-first.tmpl" --step 14:dm
crm-scenario run --today 2026-11-03 --mbox "$W/repeat.mbox"

step "tags, the caution flag, and one customer's whole story"
crm-segment --orders 2.. -o ids | crm-tag add repeat
echo misaki.sato@example.jp | crm-tag caution on --reason "返品が多い"
crm-show 090-1111-2222

step "report: repeat buyers per shop, the days between orders, an RFM chart"
crm-report repeat --by shop -o table
crm-report interval -o table
crm-report rfm -o svg > "$W/rfm.svg"
echo "chart: $W/rfm.svg"
