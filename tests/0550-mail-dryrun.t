#!/bin/sh
# Dry runs into an mbox or a Maildir write no ledger rows; --sendmail hands
# each message to a sendmail(8) program.
. "$(dirname "$0")/lib.sh"
. "$TESTS/mail-setup.sh"

taro=$(id_of taro@example.com); hanako=$(id_of hanako@example.com)
jiro=$(id_of jiro@example.com)
printf '%s\n' "$taro" "$hanako" "$jiro" >"$T/ids"

crm-mail send -t "$T/test.tmpl" --campaign dry --mbox "$T/out.mbox" <"$T/ids" 2>"$T/err"
is "$?" 0 "mbox: exit 0"
like "$(cat "$T/err")" "campaign dry \(dry run\): 2 sent, 1 skipped \(1 not opted in\)" "mbox: summary says dry run"
cat >"$T/mbox.py" <<'EOF'
import sys, mailbox
for m in mailbox.mbox(sys.argv[1]):
    print(m["To"].split("<")[1].rstrip(">"))
EOF
is "$(/usr/bin/python3 "$T/mbox.py" "$T/out.mbox" | sort)" "hanako@example.com
taro@example.com" "mbox: two messages, parsed by Python's mailbox"
is "$(sql 'SELECT count(*) FROM deliveries')" 0 "mbox: no ledger rows"
crm-mail send -t "$T/test.tmpl" --campaign dry --mbox "$T/out.mbox" <"$T/ids" 2>/dev/null
is "$(grep -c '^From ' "$T/out.mbox")" 4 "mbox: a second dry run appends again"

crm-mail send -t "$T/test.tmpl" --campaign dry --maildir "$T/md" <"$T/ids" 2>/dev/null
is "$?" 0 "maildir: exit 0"
is "$(ls "$T/md/new" | wc -l | tr -d ' ')" 2 "maildir: two files in new/"
is "$(ls "$T/md/tmp" | wc -l | tr -d ' ')" 0 "maildir: tmp/ left empty"
is "$(sql 'SELECT count(*) FROM deliveries')" 0 "maildir: no ledger rows"
like "$(cat "$T/md/new"/* | grep '^Subject:' | head -1)" "^Subject: =\?UTF-8\?B\?" "maildir: encoded subject"

# --mbox - writes to stdout.
is "$(echo "$taro" | crm-mail send -t "$T/test.tmpl" --mbox - 2>/dev/null | grep -c '^Message-ID: <')" 1 "--mbox - writes to stdout"

# A real run after the dry runs still sends to everyone.
smtpd_start
crm-mail send -t "$T/test.tmpl" --campaign dry --smtp "smtp://127.0.0.1:$SMTP_PORT" <"$T/ids" 2>/dev/null
is "$(nreceived)" 2 "the real run after dry runs sends"
smtpd_stop

# --sendmail=PATH: a stand-in that records its arguments and the message.
cat >"$T/sendmail" <<EOF
#!/bin/sh
echo "\$@" >>"$T/sendmail.args"
cat >>"$T/sendmail.in"
EOF
chmod +x "$T/sendmail"
crm-mail send -t "$T/test.tmpl" --campaign sm --sendmail="$T/sendmail" <"$T/ids" 2>/dev/null
is "$?" 0 "sendmail: exit 0"
is "$(sort "$T/sendmail.args")" "-oi -f shop@example.com -- hanako@example.com
-oi -f shop@example.com -- taro@example.com" "sendmail: -oi -f FROM -- RCPT"
is "$(grep -c '^Subject:' "$T/sendmail.in")" 2 "sendmail: two messages on stdin"
is "$(grep -c "$(printf '\r')" "$T/sendmail.in")" 0 "sendmail: LF line ends"
is "$(sql "SELECT count(*) FROM deliveries d JOIN campaigns c ON c.id = d.campaign_id WHERE c.name = 'sm' AND status = 'sent'")" 2 "sendmail: ledger rows sent"
printf '#!/bin/sh\ncat >/dev/null\nexit 75\n' >"$T/sendmail75"
chmod +x "$T/sendmail75"
echo "$taro" | crm-mail send -t "$T/test.tmpl" --campaign sm75 --sendmail="$T/sendmail75" 2>/dev/null
is "$?" 75 "sendmail exit 75: deferred, exit 75"
echo "$taro" | crm-mail send -t "$T/test.tmpl" --campaign smx --sendmail="$T/no-such-sendmail" 2>/dev/null
is "$?" 69 "sendmail missing: exit 69"

# -S SEGMENT instead of stdin: the saved segment, evaluated now.
crm-segment save repeaters --orders 2.. >/dev/null 2>&1
is "$(crm-mail send -t "$T/test.tmpl" --campaign seg -S repeaters --mbox - 2>/dev/null | grep '^To:')" \
	"To: =?UTF-8?B?5bGx55SwIOWkqumDjg==?= <taro@example.com>" "-S SEGMENT mails the saved segment (taro, 2 orders)"
fails 65 "-S with an unknown segment" sh -c "crm-mail send -t '$T/test.tmpl' -S nosuch --mbox /dev/null"

# --rate: 5 messages at 5 a second take at least 0.8 s (0, .2, .4, .6, .8).
sql "SELECT id FROM customers WHERE newsletter = 1 AND email IS NOT NULL" | head -5 >"$T/six"
is "$(wc -l <"$T/six" | tr -d ' ')" 5 "five customers for the rate test"
t0=$(date +%s%N)
crm-mail send -t "$T/test.tmpl" --campaign rate --rate 5 --mbox "$T/rate.mbox" <"$T/six" 2>/dev/null
t1=$(date +%s%N)
ok "--rate 5: 5 messages took at least 0.75 s ($(( (t1 - t0) / 1000000 )) ms)" test $(( (t1 - t0) / 1000000 )) -ge 750
t0=$(date +%s%N)
crm-mail send -t "$T/test.tmpl" --campaign rate --mbox "$T/rate.mbox" <"$T/six" 2>/dev/null
t1=$(date +%s%N)
ok "without --rate: under 0.75 s ($(( (t1 - t0) / 1000000 )) ms)" test $(( (t1 - t0) / 1000000 )) -lt 750

# From and Reply-To from crm.conf when the template has none.
printf 'from = 設定の店 <conf@example.com>\nreply-to = help@example.com\n' >>"$XDG_CONFIG_HOME/crm/crm.conf"
printf 'Subject: s\n\nbody\n' >"$T/nofrom.tmpl"
echo "$taro" | crm-mail send -t "$T/nofrom.tmpl" --mbox "$T/nofrom.mbox" 2>/dev/null
is "$(/usr/bin/python3 -c '
import sys, mailbox, email.policy, email
m = email.message_from_bytes(next(iter(mailbox.mbox(sys.argv[1]))).as_bytes(), policy=email.policy.default)
print(m["From"], m["Reply-To"])' "$T/nofrom.mbox")" "設定の店 <conf@example.com> help@example.com" "From and Reply-To from crm.conf"
printf 'frm = x\n' >"$T/typo.conf"
echo "$taro" | crm-mail send -t "$T/nofrom.tmpl" --config "$T/typo.conf" --mbox /dev/null 2>"$T/err"
is "$?" 78 "unknown key in crm.conf: EX_CONFIG"
like "$(cat "$T/err")" "typo.conf:1: unknown key 'frm'" "unknown key named with file and line"
fails 66 "--config that does not exist" sh -c "echo $taro | crm-mail send -t '$T/nofrom.tmpl' --config '$T/none.conf' --mbox /dev/null"

fails 64 "two transports: usage error" sh -c "echo $taro | crm-mail send -t '$T/test.tmpl' --mbox '$T/a' --maildir '$T/b'"
fails 64 "no transport: usage error" sh -c "echo $taro | crm-mail send -t '$T/test.tmpl'"
fails 64 "--rate 0 refused" sh -c "echo $taro | crm-mail send -t '$T/test.tmpl' --mbox '$T/a' --rate 0"
fails 64 "unknown subcommand" crm-mail frobnicate -t "$T/test.tmpl"
done_testing
