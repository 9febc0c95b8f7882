#!/bin/sh
# An SMTP server that breaks the connection in the middle of a message
# (smtpd.py --drop-mid), or says 421 and closes (--shutdown-after): what
# it did not take is never marked sent; the run exits 75; the next runs
# send exactly the rest, each customer once.
. "$(dirname "$0")/lib.sh"
. "$TESTS/mail-setup.sh"

{
	echo "order_id,ordered_at,email,name,total,newsletter,notices"
	i=1; while [ $i -le 12 ]; do
		echo "d$i,2026-10-10,user$i@example.com,客$i,1000,yes,yes"; i=$((i + 1)); done
} >"$T/more.csv"
crm-import -q "$T/more.csv" >/dev/null 2>&1
sql "SELECT id FROM customers WHERE email LIKE 'user%' ORDER BY id" >"$T/ids"
sql "SELECT email FROM customers WHERE email LIKE 'user%' ORDER BY email" >"$T/want"
ledger() {
	sql "SELECT d.status || '|' || count(*) FROM deliveries d JOIN campaigns c
		ON c.id = d.campaign_id WHERE c.name = '$1' GROUP BY d.status ORDER BY d.status"
}
ledger_of() {
	sql "SELECT cu.email FROM deliveries d JOIN campaigns c ON c.id = d.campaign_id
		JOIN customers cu ON cu.id = d.customer_id
		WHERE c.name = '$1' AND d.status = '$2' ORDER BY cu.email"
}
send() { crm-mail send -t "$T/test.tmpl" --campaign "$1" --smtp "smtp://127.0.0.1:$SMTP_PORT" <"$T/ids"; }

# --- the connection breaks after two lines of the 5th message (and of
# every one after it).  A message this small is written whole before the
# break reaches the client, which then cannot tell it from a drop after the
# final dot: unknown, left 'sending', not resent unless --retry-unknown.
smtpd_start --drop-mid 4
send mid >/dev/null 2>"$T/err"
is "$?" 75 "dropped mid-message: exit 75"
is "$(nreceived)" 4 "the server stored 4"
like "$(cat "$T/smtpd.log")" "drop in the middle of the message" "the server did drop mid-message"
is "$(ledger_of mid sent)" "$(received)" "ledger 'sent' is exactly who the server has"
is "$(ledger mid)" "sending|8
sent|4" "ledger: 4 sent, 8 unknown, none marked sent"
like "$(cat "$T/err")" "campaign mid: 4 sent, 0 skipped, 0 already, 0 deferred, 0 failed, 8 unknown" \
	"summary: 4 sent, 8 unknown"
smtpd_stop
smtpd_start
send mid >/dev/null 2>"$T/err"
is "$?" 0 "the next run exits 0"
like "$(cat "$T/err")" "campaign mid: 0 sent, 0 skipped, 4 already, 0 deferred, 0 failed, 8 unknown" \
	"the next run: the unknown are not resent"
is "$(nreceived)" 4 "the next run: nothing sent"
crm-mail send -t "$T/test.tmpl" --campaign mid --retry-unknown \
	--smtp "smtp://127.0.0.1:$SMTP_PORT" <"$T/ids" >/dev/null 2>"$T/err"
is "$?" 0 "--retry-unknown exits 0"
is "$(received)" "$(cat "$T/want")" "--retry-unknown: each of the 12 exactly once"
is "$(ledger mid)" "sent|12" "ledger: 12 sent"
smtpd_stop

# --- 421 at MAIL after 3 messages, the connection closed by the server.
rm -f "$SMTP_DIR"/*
smtpd_start --shutdown-after 3
send down >/dev/null 2>"$T/err"
is "$?" 75 "421: exit 75"
is "$(nreceived)" 3 "421: the server stored 3"
is "$(ledger_of down sent)" "$(received)" "421: ledger 'sent' is exactly who the server has"
is "$(ledger down)" "deferred|9
sent|3" "421: the other 9 deferred"
like "$(sql "SELECT detail FROM deliveries WHERE status = 'deferred' LIMIT 1")" "421" \
	"421: the server's reply is kept"
smtpd_stop
smtpd_start
send down >/dev/null 2>"$T/err"
is "$?" 0 "after 421: the next run exits 0"
is "$(received)" "$(cat "$T/want")" "after 421: each of the 12 exactly once"
is "$(ledger down)" "sent|12" "after 421: ledger 12 sent"
is "$(sql "SELECT sum(attempts) FROM deliveries d JOIN campaigns c ON c.id = d.campaign_id
	WHERE c.name = 'down'")" 21 "after 421: 3 + 9 x 2 attempts"
done_testing
