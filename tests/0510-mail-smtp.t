#!/bin/sh
# crm-mail send over SMTP to a real server on 127.0.0.1: the messages that
# arrive parse with Python's email package, carry the right headers and
# the expected Japanese text, and go only to eligible customers.
. "$(dirname "$0")/lib.sh"
. "$TESTS/mail-setup.sh"

smtpd_start
taro=$(id_of taro@example.com); hanako=$(id_of hanako@example.com)
jiro=$(id_of jiro@example.com); saburo=$(id_of saburo@example.com)
shiro=$(id_of "高橋 四郎"); goro=$(id_of goro@example.com)
rokuro=$(id_of rokuro@example.com)
sql "UPDATE customers SET withdrawn = 1 WHERE id = $goro"
sql "UPDATE customers SET undeliverable = 1 WHERE id = $rokuro"
echo "$saburo" | crm-optout --channel newsletter -q >/dev/null

printf '%s\n' "$taro" "$hanako" "$jiro" "$saburo" "$shiro" "$goro" "$rokuro" >"$T/ids"
crm-mail send -t "$T/test.tmpl" --campaign c1 --smtp "smtp://127.0.0.1:$SMTP_PORT" \
	<"$T/ids" >"$T/out" 2>"$T/err"
is "$?" 0 "send exits 0"
is "$(received)" "hanako@example.com
taro@example.com" "only the eligible customers were mailed"
like "$(cat "$T/err")" "campaign c1: 2 sent, 5 skipped \(.*1 not opted in.*\), 0 already, 0 deferred, 0 failed, 0 unknown" "summary line"
like "$(cat "$T/err")" "1 opted out" "summary counts the opt-out"
like "$(cat "$T/err")" "1 withdrawn.*1 undeliverable|1 undeliverable.*1 withdrawn" "summary counts withdrawn and undeliverable"
like "$(cat "$T/err")" "1 no address" "summary counts the missing address"
is "$(sql "SELECT customer_id || ':' || status FROM deliveries ORDER BY customer_id")" \
	"$taro:sent
$hanako:sent" "ledger: one sent row per mailed customer"
is "$(grep -c connect "$T/smtpd.log")" 1 "one SMTP connection for both messages"

# Check each message with Python's parser against text computed here.
secret=$(cat "$XDG_CONFIG_HOME/crm/secret")
cat >"$T/check.py" <<'EOF'
import sys, os, email, email.policy, hmac, hashlib, base64, re, json
d, secret, taro, hanako = sys.argv[1], sys.argv[2].encode(), sys.argv[3], sys.argv[4]
want = {
  "taro@example.com": (taro, "山田 太郎", "山田 太郎 様\nご購入回数: 2 回 合計 8,000 円\nいつもありがとうございます。\n"),
  "hanako@example.com": (hanako, "佐藤 花子", "佐藤 花子 様\nご購入回数: 1 回 合計 12,000 円\nはじめてのご購入ありがとうございます。\n"),
}
bad = []
for f in sorted(os.listdir(d)):
    if not f.endswith(".eml"):
        continue
    raw = open(os.path.join(d, f), "rb").read()
    m = email.message_from_bytes(raw, policy=email.policy.default)
    addr = m["To"].addresses[0]
    cid, name, text = want[addr.addr_spec]
    tok = "%s.newsletter.%s" % (cid, base64.urlsafe_b64encode(hmac.new(secret,
        ("crm-unsubscribe:%s:newsletter" % cid).encode(), hashlib.sha256).digest()).decode().rstrip("="))
    url = "https://shop.example/unsubscribe?t=" + tok
    checks = [
      (str(m["Subject"]) == name + "様 テストのお知らせ", "Subject"),
      (addr.display_name == name, "To display name"),
      (m["From"].addresses[0].display_name == "テスト商店", "From display name"),
      (m["From"].addresses[0].addr_spec == "shop@example.com", "From address"),
      (m["MIME-Version"] == "1.0", "MIME-Version"),
      (re.fullmatch(r"<[0-9a-f]{16}\.%s@example\.com>" % cid, m["Message-ID"]) is not None, "Message-ID"),
      (m["Date"] is not None and m["Date"].datetime is not None, "Date"),
      (m["List-Unsubscribe"] == "<" + url + ">", "List-Unsubscribe carries the HMAC token"),
      (m["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click", "List-Unsubscribe-Post"),
      (m.get_content_type() == "text/plain" and m.get_content_charset() == "utf-8", "text/plain UTF-8"),
      (m.get_content().replace("\r\n", "\n") == text + "停止: " + url + "\n", "body text"),
      (all(len(l) <= 78 for l in raw.split(b"\r\n") if not l.startswith(b"List-Unsubscribe:")), "lines within 78 columns"),
      (all(b < 128 for b in raw), "7-bit on the wire"),
    ]
    env = json.load(open(os.path.join(d, f[:-4] + ".env")))
    checks.append((env["mail_from"] == "shop@example.com", "envelope sender"))
    for ok, what in checks:
        if not ok:
            bad.append("%s: %s" % (addr.addr_spec, what))
print("\n".join(bad) if bad else "ok")
EOF
is "$(/usr/bin/python3 "$T/check.py" "$SMTP_DIR" "$secret" "$taro" "$hanako" 2>&1)" ok \
	"messages parse; headers and decoded Japanese bodies are as expected"

# Message-ID is stable per (campaign, customer): preview computes the same.
mid=$(sql "SELECT message_id FROM deliveries WHERE customer_id = $taro")
like "$(crm-mail preview -t "$T/test.tmpl" --campaign c1 "$taro" 2>/dev/null)" "Message-ID: $mid" \
	"preview shows the ledger's Message-ID"

# A re-run sends nothing more.
crm-mail send -t "$T/test.tmpl" --campaign c1 --smtp "smtp://127.0.0.1:$SMTP_PORT" <"$T/ids" 2>"$T/err2"
is "$?" 0 "re-run exits 0"
is "$(nreceived)" 2 "re-run sends nothing"
like "$(cat "$T/err2")" "0 sent, 5 skipped .*, 2 already" "re-run reports 2 already"

# A new campaign mails again; the template name is the default campaign.
cp "$T/test.tmpl" "$T/autumn.tmpl"
echo "$taro" | crm-mail send -t "$T/autumn.tmpl" --smtp "smtp://127.0.0.1:$SMTP_PORT" 2>/dev/null
is "$(sql "SELECT name FROM campaigns ORDER BY id")" "c1
autumn" "default campaign name is the template's basename"
is "$(nreceived)" 3 "a new campaign is mailed"

# Customers by e-mail and CSV on stdin.
printf 'id,name\n%s,x\n' "$hanako" | crm-mail send -t "$T/test.tmpl" --campaign c2 \
	--smtp "smtp://127.0.0.1:$SMTP_PORT" 2>/dev/null
is "$(sql "SELECT count(*) FROM deliveries d JOIN campaigns c ON c.id = d.campaign_id WHERE c.name = 'c2' AND status = 'sent'")" 1 "CSV with an id column on stdin"
echo taro@example.com | crm-mail send -t "$T/test.tmpl" --campaign c3 \
	--smtp "smtp://127.0.0.1:$SMTP_PORT" 2>/dev/null
is "$(sql "SELECT customer_id FROM deliveries d JOIN campaigns c ON c.id = d.campaign_id WHERE c.name = 'c3'")" "$taro" "an e-mail address on stdin"

# Nobody on stdin: exit 1.
fails 1 "empty stdin exits 1" sh -c "crm-mail send -t '$T/test.tmpl' --smtp smtp://127.0.0.1:$SMTP_PORT </dev/null"

# Kind: notices goes to those who accept notices (hanako does not).
sed 's/^Kind: newsletter/Kind: notices/' "$T/test.tmpl" >"$T/notice.tmpl"
printf '%s\n' "$taro" "$hanako" | crm-mail send -t "$T/notice.tmpl" --smtp "smtp://127.0.0.1:$SMTP_PORT" 2>"$T/err3"
like "$(cat "$T/err3")" "1 sent, 1 skipped \(1 not opted in\)" "notices: only customers opted in to notices"

# --connections 3 sends each once too.
printf '%s\n' "$taro" "$hanako" | crm-mail send -t "$T/test.tmpl" --campaign par \
	--connections 3 --smtp "smtp://127.0.0.1:$SMTP_PORT" 2>/dev/null
is "$(sql "SELECT count(*) FROM deliveries d JOIN campaigns c ON c.id = d.campaign_id WHERE c.name = 'par' AND status = 'sent'")" 2 "--connections 3: both sent once"
done_testing
