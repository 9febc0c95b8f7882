#!/bin/sh
# Templates: bad ones are refused before anything is sent, naming file and
# line; header injection is impossible; preview renders one message.
. "$(dirname "$0")/lib.sh"
. "$TESTS/mail-setup.sh"

taro=$(id_of taro@example.com); hanako=$(id_of hanako@example.com)
smtpd_start
send() { crm-mail send -t "$1" --campaign "${2:-c}" --smtp "smtp://127.0.0.1:$SMTP_PORT"; }

# Unknown field on line 7: exit 65, file and line named, nothing sent or recorded.
cat >"$T/bad.tmpl" <<'EOF'
Subject: hello {{name}}
From: shop@example.com

Dear {{name}},

your points:
{{points}}
EOF
printf '%s\n' "$taro" "$hanako" | send "$T/bad.tmpl" 2>"$T/err"
is "$?" 65 "unknown field: exit 65"
like "$(cat "$T/err")" "bad.tmpl:7: unknown field \{\{points\}\}" "unknown field: file, line and field named"
is "$(nreceived)" 0 "unknown field: nothing sent"
is "$(sql 'SELECT count(*) FROM deliveries')" 0 "unknown field: no ledger rows"

# Unknown in the Subject (line 1), unclosed and mismatched sections.
printf 'Subject: {{nam}}\n\nx\n' >"$T/b2.tmpl"
echo "$taro" | send "$T/b2.tmpl" 2>"$T/err"
like "$(cat "$T/err")" "b2.tmpl:1: unknown field \{\{nam\}\}" "unknown field in the Subject"
printf 'Subject: s\nFrom: a@example.com\n\nline\n{{#repeat}}\nx\n' >"$T/b3.tmpl"
echo "$taro" | send "$T/b3.tmpl" 2>"$T/err"
is "$?" 65 "unclosed section: exit 65"
like "$(cat "$T/err")" "b3.tmpl:5: \{\{#repeat\}\} is never closed" "unclosed section: line of the opening tag"
printf 'Subject: s\nFrom: a@example.com\n\n{{#repeat}}x{{/orders}}\n' >"$T/b4.tmpl"
echo "$taro" | send "$T/b4.tmpl" 2>"$T/err"
like "$(cat "$T/err")" "b4.tmpl:4: \{\{/orders\}\} closes \{\{#repeat\}\}" "mismatched close"
printf 'Subject: s\nX-Foo: bar\n\nbody\n' >"$T/b5.tmpl"
echo "$taro" | send "$T/b5.tmpl" 2>"$T/err"
like "$(cat "$T/err")" "b5.tmpl:2: unknown header 'X-Foo'" "unknown template header"
printf 'From: a@example.com\n\nbody\n' >"$T/b6.tmpl"
echo "$taro" | send "$T/b6.tmpl" 2>"$T/err"
like "$(cat "$T/err")" "b6.tmpl:1: no Subject" "Subject required"
printf 'Subject: s\nKind: promo\n\nbody\n' >"$T/b7.tmpl"
echo "$taro" | send "$T/b7.tmpl" 2>"$T/err"
like "$(cat "$T/err")" "b7.tmpl:2: Kind: 'promo' is not newsletter or notices" "bad Kind"
printf 'Subject: s\n\nbody\n' >"$T/b8.tmpl"
echo "$taro" | send "$T/b8.tmpl" 2>"$T/err"
like "$(cat "$T/err")" "b8.tmpl: no From: header, and no from in" "From required (template or crm.conf)"
# {{coupon}} without a value: refused before sending, with a hint.
printf 'Subject: s\nFrom: a@example.com\n\ncode {{coupon}}\n' >"$T/c.tmpl"
echo "$taro" | send "$T/c.tmpl" cc 2>"$T/err"
is "$?" 65 "coupon without value: exit 65"
like "$(cat "$T/err")" "c.tmpl:4: \{\{coupon\}\} has no value .*--var coupon=" "coupon without value: hint"
is "$(nreceived)" 0 "still nothing sent"
echo "$taro" | crm-mail send -t "$T/c.tmpl" --campaign cc --var coupon=AUTUMN10 \
	--smtp "smtp://127.0.0.1:$SMTP_PORT" 2>/dev/null
is "$?" 0 "--var coupon=... fills it"
# Custom variables from --var and var.NAME in crm.conf are fields too.
printf 'Subject: s\nFrom: a@example.com\n\n{{season}} {{deadline}}\n' >"$T/v.tmpl"
echo 'var.deadline = 12/7' >>"$XDG_CONFIG_HOME/crm/crm.conf"
is "$(crm-mail preview -t "$T/v.tmpl" --var season=冬 "$taro" | sed -n '/^$/,$p' | tail -n +2)" "=E5=86=AC 12/7" \
	"--var and var.NAME are fields (quoted-printable body)"

rm -f "$SMTP_DIR"/*
# Header injection: CR/LF in a customer's name is refused for that message.
sql "UPDATE customers SET name = 'Evil
Bcc: victim@example.org' WHERE id = $hanako"
printf '%s\n' "$taro" "$hanako" | send "$T/test.tmpl" inj 2>"$T/err"
is "$(received | tr '\n' ' ')" "taro@example.com " "injection: only the clean message was sent"
is "$(sql "SELECT status FROM deliveries d JOIN campaigns c ON c.id = d.campaign_id WHERE c.name = 'inj' AND customer_id = $hanako")" failed "injection: ledger says failed"
like "$(cat "$T/err")" "header injection" "injection: reported"
unlike "$(cat "$SMTP_DIR"/*.eml)" "victim@example.org" "no Bcc header went out"
printf 'Subject: s\nFrom: a@example.com\n\n{{x}}\n' >"$T/x.tmpl"
fails 64 "--var value with a newline refused" sh -c "echo $taro | crm-mail send -t '$T/x.tmpl' --var 'x=a
Bcc: b@example.org' --mbox '$T/x.mbox'"

fails 64 "--var with a bad field name" sh -c "echo $taro | crm-mail send -t '$T/x.tmpl' --var 'X-Y=1' --mbox '$T/x.mbox'"
is "$(sql "SELECT count(*) FROM campaigns WHERE name = 'x'")" 0 "refused before anything was recorded"

# Preview: one message on stdout, HTML escaped, sections by orders.
cat >"$T/h.tmpl" <<'EOF'
Subject: {{name}}様
From: "Shop, Inc." <shop@example.com>
Reply-To: help@example.com
Kind: newsletter

{{#repeat}}
repeat buyer
{{/repeat}}
{{^repeat}}
first order
{{/repeat}}
--- html ---
<p>{{name}} &amp; {{shop}}</p>
EOF
sql "UPDATE customers SET name = '<b>Tom & \"Jerry\"</b>' WHERE id = $hanako"
crm-mail preview -t "$T/h.tmpl" "$hanako" >"$T/p.eml"
is "$?" 0 "preview exits 0"
cat >"$T/pv.py" <<'EOF'
import sys, email, email.policy
m = email.message_from_bytes(open(sys.argv[1], "rb").read(), policy=email.policy.default)
print(m.get_content_type())
print(m["From"])
print(m["Reply-To"])
print(m.get_body(("plain",)).get_content().strip())
print(m.get_body(("html",)).get_content().strip())
EOF
is "$(/usr/bin/python3 "$T/pv.py" "$T/p.eml")" 'multipart/alternative
"Shop, Inc." <shop@example.com>
help@example.com
first order
<p>&lt;b&gt;Tom &amp; &quot;Jerry&quot;&lt;/b&gt; &amp; テスト商店</p>' \
	"preview: multipart/alternative, quoted display name, section, HTML escaped"
is "$(crm-mail preview -t "$T/h.tmpl" taro@example.com | /usr/bin/python3 -c '
import sys, email, email.policy
m = email.message_from_bytes(sys.stdin.buffer.read(), policy=email.policy.default)
print(m.get_body(("plain",)).get_content().strip())')" "repeat buyer" "preview by e-mail; {{#repeat}} for 2 orders"
fails 1 "preview of an unknown customer exits 1" crm-mail preview -t "$T/h.tmpl" nobody@example.com
is "$(sql "SELECT count(*) FROM campaigns WHERE name = 'h'")" 0 "preview records nothing"

# A long Japanese subject folds into encoded words of whole characters.
printf 'Subject: %s\nFrom: a@example.com\n\nx\n' \
	"とても長い件名のテストです。冬のセールのお知らせと、新商品のご案内と、ポイント二倍キャンペーンのお知らせ" >"$T/long.tmpl"
crm-mail preview -t "$T/long.tmpl" "$taro" >"$T/long.eml"
is "$(/usr/bin/python3 -c '
import sys, email, email.policy
raw = open(sys.argv[1], "rb").read()
m = email.message_from_bytes(raw, policy=email.policy.default)
hdr = raw.split(b"\n\n")[0].decode()
subj = hdr[hdr.index("Subject:"):].split("\nMessage-ID")[0]
ok = all(len(l) <= 76 for l in subj.split("\n")) and subj.count("=?UTF-8?B?") >= 3
print(str(m["Subject"]), ok)' "$T/long.eml")" \
	"とても長い件名のテストです。冬のセールのお知らせと、新商品のご案内と、ポイント二倍キャンペーンのお知らせ True" \
	"long subject: folded encoded words, decodes to the original"
done_testing
