# 0699-scenario-setup.sh: shared set-up of the crm-scenario tests (06xx).
# Source after lib.sh.  A mail configuration, four templates, and helpers
# to import orders and to read what the SMTP server received.

export XDG_CONFIG_HOME="$T/config" HOME="$T/home"
mkdir -p "$XDG_CONFIG_HOME/crm" "$HOME"
cat >"$XDG_CONFIG_HOME/crm/crm.conf" <<'EOC'
unsubscribe-url = https://shop.example/unsubscribe
shop = テスト商店
EOC

tmpl() {  # FILE KIND SUBJECT
	cat >"$T/$1" <<EOT
Subject: $3
From: テスト商店 <shop@example.com>
Kind: $2

{{name}} 様
$3
停止: {{unsubscribe_url}}
EOT
}
tmpl thanks.tmpl notices "ご購入ありがとうございます"
tmpl coupon.tmpl newsletter "クーポンのご案内"
tmpl coupon2.tmpl newsletter "新しいクーポンのご案内"
tmpl second.tmpl notices "2回目のご購入ありがとうございます"
tmpl list.tmpl newsletter "特別なお知らせ"

HDR=order_id,ordered_at,shipped_at,status,email,name,kana,phone,postcode,prefecture,address,total,newsletter,notices
# orders LINE...: import these generic rows (after the header)
orders() {
	{ echo "$HDR"; printf '%s\n' "$@"; } >"$T/in.csv"
	crm-import -q "$T/in.csv" >/dev/null 2>&1 || { echo "Bail out! crm-import failed"; exit 1; }
}
# one_order_each PREFIX N: customers PREFIX1 .. PREFIXN, each with one
# order of 3000 yen on 2026-11-01 and both opt-ins.
one_order_each() {
	_i=1 _rows=""
	while [ "$_i" -le "$2" ]; do
		_rows="$_rows $1$_i,2026-11-01,,ok,$1$_i@example.com,客 $_i,,,,,,3000,yes,yes
"
		_i=$((_i + 1))
	done
	# shellcheck disable=SC2086
	IFS='
'; orders $_rows; unset IFS
}
id_of() { sql "SELECT id FROM customers WHERE email = '$1' AND merged_into IS NULL"; }

# got: "recipient subject" of every message received since the last call,
# sorted; the messages are then moved aside.
got() {
	mkdir -p "$T/seen"
	/usr/bin/python3 - "$SMTP_DIR" "$T/seen" <<'EOP'
import sys, os, json, email, email.policy
d, seen = sys.argv[1], sys.argv[2]
out = []
for f in sorted(os.listdir(d)):
    if not f.endswith(".eml"):
        continue
    base = f[:-4]
    env = json.load(open(os.path.join(d, base + ".env")))
    m = email.message_from_bytes(open(os.path.join(d, f), "rb").read(), policy=email.policy.default)
    for r in env["rcpt_tos"]:
        out.append("%s %s" % (r, m["Subject"]))
    os.rename(os.path.join(d, f), os.path.join(seen, f))
    os.rename(os.path.join(d, base + ".env"), os.path.join(seen, base + ".env"))
print("\n".join(sorted(out)))
EOP
}
