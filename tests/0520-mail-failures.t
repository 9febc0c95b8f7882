#!/bin/sh
# crm-mail when the server says no, goes away, or drops the connection.
. "$(dirname "$0")/lib.sh"
. "$TESTS/mail-setup.sh"

taro=$(id_of taro@example.com); hanako=$(id_of hanako@example.com)
saburo=$(id_of saburo@example.com)
printf '%s\n' "$taro" "$hanako" "$saburo" >"$T/ids"
status() { sql "SELECT d.customer_id || ':' || d.status FROM deliveries d JOIN campaigns c ON c.id = d.campaign_id WHERE c.name = '$1' ORDER BY d.customer_id"; }
send() { _c=$1; shift; crm-mail send -t "$T/test.tmpl" --campaign "$_c" --smtp "smtp://127.0.0.1:$SMTP_PORT" "$@"; }

# 4xx at DATA: deferred, exit 75; a later run sends them.
smtpd_start --reply 'data:*:451 4.3.0 try again later'
send tmp <"$T/ids" 2>"$T/err"
is "$?" 75 "4xx: exit 75"
is "$(status tmp)" "$taro:deferred
$hanako:deferred
$saburo:deferred" "4xx: every row deferred"
is "$(sql "SELECT detail FROM deliveries LIMIT 1")" "451 4.3.0 try again later" "the server's reply is kept"
is "$(nreceived)" 0 "nothing stored by the server"
smtpd_stop
smtpd_start
send tmp <"$T/ids" 2>"$T/err"
is "$?" 0 "rerun after 4xx: exit 0"
is "$(status tmp)" "$taro:sent
$hanako:sent
$saburo:sent" "rerun: deferred rows are sent"
is "$(received)" "hanako@example.com
saburo@example.com
taro@example.com" "rerun: each customer mailed once"
is "$(sql "SELECT attempts FROM deliveries WHERE customer_id = $taro")" 2 "attempts counted"
smtpd_stop

# 5xx "no such user" at RCPT: failed, and the customer is undeliverable.
rm -f "$SMTP_DIR"/*
smtpd_start --reply 'rcpt:hanako@example.com:550 5.1.1 <hanako@example.com>: no such user'
send perm <"$T/ids" 2>"$T/err"
is "$?" 0 "5xx: exit 0 (the run itself worked)"
is "$(status perm)" "$taro:sent
$hanako:failed
$saburo:sent" "5xx: that one row failed"
is "$(sql "SELECT id FROM customers WHERE undeliverable = 1")" "$hanako" "no such user: customer marked undeliverable"
like "$(cat "$T/err")" "customer $hanako: failed: 550 5.1.1" "the failure is reported on stderr"
echo "$hanako" | send perm2 2>"$T/err"
like "$(cat "$T/err")" "1 skipped \(1 undeliverable\)" "an undeliverable customer is skipped in later campaigns"
smtpd_stop

sql "UPDATE customers SET undeliverable = 0"
# A 5xx that is not about the address (policy) fails without marking.
rm -f "$SMTP_DIR"/*
smtpd_start --reply 'data:*:554 5.7.1 message refused'
echo "$taro" | send policy 2>/dev/null
is "$(status policy)" "$taro:failed" "554 at DATA: failed"
is "$(sql "SELECT undeliverable FROM customers WHERE id = $taro")" 0 "554 at DATA: address not marked undeliverable"
smtpd_stop

# The server is down: exit 69, nothing marked sent, a later run sends.
port=$SMTP_PORT
send down <"$T/ids" 2>"$T/err"
is "$?" 69 "server down: exit 69"
is "$(sql "SELECT count(*) FROM deliveries d JOIN campaigns c ON c.id = d.campaign_id WHERE c.name = 'down' AND d.status = 'sent'")" 0 "server down: nothing marked sent"
like "$(cat "$T/err")" "connect" "server down: the reason is on stderr"

# Dropped at DATA (before the message went): deferred, resent next time.
rm -f "$SMTP_DIR"/*
smtpd_start --drop-after 1
send drop <"$T/ids" 2>"$T/err"
is "$?" 75 "dropped at DATA: exit 75"
is "$(status drop)" "$taro:sent
$hanako:deferred
$saburo:deferred" "dropped at DATA: first sent, the rest deferred"
smtpd_stop
smtpd_start
send drop <"$T/ids" 2>/dev/null
is "$(received)" "hanako@example.com
saburo@example.com
taro@example.com" "after a drop at DATA the rerun completes, each once"
smtpd_stop

# Dropped after the final dot: the server may have it.  Unknown: left
# 'sending', reported, not resent unless --retry-unknown.
rm -f "$SMTP_DIR"/*
smtpd_start --drop-after-dot 1
send dot <"$T/ids" 2>"$T/err"
is "$?" 75 "dropped after the dot: exit 75"
is "$(status dot)" "$taro:sent
$hanako:sending
$saburo:sending" "dropped after the dot: rows left 'sending'"
like "$(cat "$T/err")" "2 unknown" "summary counts unknown"
is "$(crm-mail log --campaign dot --status unknown -o ids)" "$hanako
$saburo" "crm-mail log --status unknown lists them"
is "$(crm-mail log --campaign dot -o csv | head -1)" "customer_id,campaign,name,address,status,attempts,detail,message_id,updated_at" "crm-mail log: CSV columns"
fails 1 "crm-mail log: nothing matched exits 1" crm-mail log --campaign nosuch
fails 64 "crm-mail log: bad --status" crm-mail log --status maybe
smtpd_stop
smtpd_start
send dot <"$T/ids" 2>"$T/err"
is "$?" 0 "rerun: exit 0 (old unknowns do not fail cron)"
like "$(cat "$T/err")" "0 sent, 0 skipped, 1 already, 0 deferred, 0 failed, 2 unknown" "rerun: unknown not resent"
is "$(nreceived)" 1 "rerun: nothing sent"
send dot --retry-unknown <"$T/ids" 2>"$T/err"
is "$(status dot)" "$taro:sent
$hanako:sent
$saburo:sent" "--retry-unknown resends them"
is "$(received)" "hanako@example.com
saburo@example.com
taro@example.com" "--retry-unknown: now each once"
done_testing
