#!/bin/sh
# crm-optout: bulk opt-out from stdin, idempotent; --token; --list.
. "$(dirname "$0")/lib.sh"
. "$TESTS/mail-setup.sh"

taro=$(id_of taro@example.com); hanako=$(id_of hanako@example.com)
saburo=$(id_of saburo@example.com)

is "$(printf '%s\ntaro@example.com\n%s\n' "$hanako" "$saburo" | crm-optout --channel newsletter --reason 'asked by phone' 2>/dev/null)" 3 \
	"three customers opted out of the newsletter (ids and e-mail mixed)"
is "$(sql "SELECT id || ':' || newsletter || notices FROM customers WHERE id IN ($taro, $hanako, $saburo) ORDER BY id")" \
	"$taro:01
$hanako:00
$saburo:01" "newsletter off, notices untouched"
is "$(printf '%s\n' "$taro" "$hanako" | crm-optout --channel newsletter 2>/dev/null)" 0 "again: nothing changes (idempotent)"
is "$(sql 'SELECT count(*) FROM optouts')" 3 "no duplicate ledger rows"
is "$(echo "$taro" | crm-optout 2>"$T/err")" 1 "default channel all: taro still had notices"
like "$(cat "$T/err")" "1 opted out of all, 0 already, 0 unknown" "summary on stderr"
is "$(sql "SELECT newsletter || notices FROM customers WHERE id = $taro")" 00 "all: both off"
is "$(echo "$taro" | crm-optout --channel notices 2>/dev/null)" 0 "notices after all: already out"

# The ledger.
crm-optout --list -o csv >"$T/list.csv"
is "$(head -1 "$T/list.csv")" "id,customer_id,name,email,channel,action,by,reason,source,at" "--list: CSV header"
is "$(sed -n 2p "$T/list.csv" | cut -d, -f2-9)" "$hanako,佐藤 花子,hanako@example.com,newsletter,out,owner,asked by phone,crm-optout" "--list: who, channel, by, why"
is "$(tail -1 "$T/list.csv" | cut -d, -f2,5)" "$taro,all" "--list: the last row"
like "$(tail -1 "$T/list.csv" | cut -d, -f10)" "^20[0-9]{2}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}\$" "--list: when"

# Unknown customers are warned about; nobody at all exits 1.
printf 'nobody@example.com\n%s\n' "$saburo" | crm-optout --channel notices >"$T/out" 2>"$T/err"
is "$(cat "$T/out")" 1 "known one changed"
like "$(cat "$T/err")" "stdin:1: no customer 'nobody@example.com'" "unknown one named with its line"
fails 1 "empty stdin exits 1" sh -c 'crm-optout </dev/null'
fails 64 "bad channel" sh -c "echo $taro | crm-optout --channel sms"
fails 64 "no opt-in option exists" sh -c "echo $taro | crm-optout --opt-in"

# Older platform data does not undo the owner's opt-out.
printf 'order_id,ordered_at,email,name,total,newsletter,notices\n2001,2026-09-01,hanako@example.com,佐藤 花子,500,yes,yes\n' >"$T/old.csv"
crm-import -q "$T/old.csv" >/dev/null 2>&1
is "$(sql "SELECT newsletter FROM customers WHERE id = $hanako")" 0 "an older export saying yes does not opt back in"

# --token: HMAC-SHA256 over id and channel with the secret, base64url.
fails 78 "--token before any secret exists: EX_CONFIG" crm-optout --token "1.newsletter.AAAA"
rokuro=$(id_of rokuro@example.com)
crm-mail preview -t "$T/test.tmpl" "$rokuro" >/dev/null 2>&1   # makes the secret
ok "the secret file is mode 0600" test "$(stat -c %a "$XDG_CONFIG_HOME/crm/secret")" = 600
tok=$(/usr/bin/python3 -c '
import sys, hmac, hashlib, base64
key = open(sys.argv[1], "rb").read().strip()
sig = hmac.new(key, ("crm-unsubscribe:%s:newsletter" % sys.argv[2]).encode(), hashlib.sha256).digest()
print("%s.newsletter.%s" % (sys.argv[2], base64.urlsafe_b64encode(sig).decode().rstrip("=")))' \
	"$XDG_CONFIG_HOME/crm/secret" "$rokuro")
like "$(crm-mail preview -t "$T/test.tmpl" "$rokuro")" "List-Unsubscribe: <https://shop.example/unsubscribe\?t=$tok>" \
	"the mail's link carries the token computed independently"
is "$(crm-optout --token "$tok" 2>/dev/null)" 1 "--token opts out"
is "$(sql "SELECT channel || ':' || by || ':' || reason FROM optouts WHERE customer_id = $rokuro")" "newsletter:customer:unsubscribe link" \
	"--token: recorded as the customer's own"
is "$(crm-optout --token "$tok" 2>/dev/null)" 0 "--token twice: idempotent"
bad=$(echo "$tok" | sed 's/newsletter/notices/')
fails 65 "a token edited to another channel is refused" crm-optout --token "$bad"
bad=$(echo "$tok" | sed "s/^$rokuro\./$taro./")
fails 65 "a token edited to another customer is refused" crm-optout --token "$bad"
fails 65 "garbage token" crm-optout --token "hello"
done_testing
