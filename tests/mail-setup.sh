# mail-setup.sh: shared set-up of the crm-mail / crm-optout tests (0500-0599).
# Source after lib.sh.  Seven customers from one order export, a config
# with a fixed unsubscribe URL, and helpers to read what the server got.

export XDG_CONFIG_HOME="$T/config" HOME="$T/home"
mkdir -p "$XDG_CONFIG_HOME/crm" "$HOME"
cat >"$XDG_CONFIG_HOME/crm/crm.conf" <<'EOF'
# test configuration
unsubscribe-url = https://shop.example/unsubscribe
shop = テスト商店
EOF

# taro: 2 orders, both channels; hanako: newsletter only; jiro: neither;
# saburo: both; shiro: no e-mail address; goro and rokuro: both.
cat >"$T/orders.csv" <<'EOF'
order_id,ordered_at,email,name,kana,total,newsletter,notices
1001,2026-10-01,taro@example.com,山田 太郎,ヤマダ タロウ,5000,yes,yes
1002,2026-10-05,taro@example.com,山田 太郎,ヤマダ タロウ,3000,yes,yes
1003,2026-10-02,hanako@example.com,佐藤 花子,サトウ ハナコ,12000,yes,no
1004,2026-10-03,jiro@example.com,鈴木 次郎,スズキ ジロウ,800,no,no
1005,2026-10-04,saburo@example.com,田中 三郎,タナカ サブロウ,2000,yes,yes
1006,2026-10-04,,高橋 四郎,,1500,yes,yes
1007,2026-10-06,goro@example.com,伊藤 五郎,,1000,yes,yes
1008,2026-10-07,rokuro@example.com,渡辺 六郎,,1000,yes,yes
EOF
crm-import -q "$T/orders.csv" >/dev/null 2>&1 || { echo "Bail out! crm-import failed"; exit 1; }

# id_of EMAIL-OR-NAME
id_of() { sql "SELECT id FROM customers WHERE email = '$1' OR name = '$1'"; }

cat >"$T/test.tmpl" <<'EOF'
Subject: {{name}}様 テストのお知らせ
From: テスト商店 <shop@example.com>
Kind: newsletter

{{name}} 様
ご購入回数: {{orders}} 回 合計 {{total}} 円
{{#repeat}}
いつもありがとうございます。
{{/repeat}}
{{^repeat}}
はじめてのご購入ありがとうございます。
{{/repeat}}
停止: {{unsubscribe_url}}
EOF

# received: the recipients of every message the server stored, sorted
received() { cat "$SMTP_DIR"/*.env 2>/dev/null | /usr/bin/python3 -c '
import sys, json
for line in sys.stdin.read().replace("}{", "}\n{").splitlines():
    if line.strip():
        print(*json.loads(line)["rcpt_tos"])' | sort; }
nreceived() { ls "$SMTP_DIR" 2>/dev/null | grep -c '\.eml$'; }
