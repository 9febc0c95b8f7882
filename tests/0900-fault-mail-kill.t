#!/bin/sh
# kill -9 of crm-mail at a known point: the server has accepted exactly N
# messages and holds the next one without answering (smtpd.py
# --hang-after), so the kill lands while a message is in flight.  After a
# resume every customer has had the mail exactly once, or is reported
# unknown and not resent; counted per recipient from what the server got.
. "$(dirname "$0")/lib.sh"
. "$TESTS/mail-setup.sh"

{
	echo "order_id,ordered_at,email,name,total,newsletter,notices"
	i=1; while [ $i -le 40 ]; do
		echo "k$i,2026-10-10,user$i@example.com,客$i,1000,yes,yes"; i=$((i + 1)); done
} >"$T/more.csv"
crm-import -q "$T/more.csv" >/dev/null 2>&1
sql "SELECT id FROM customers WHERE email LIKE 'user%' ORDER BY id" >"$T/ids"
sql "SELECT email FROM customers WHERE email LIKE 'user%' ORDER BY email" >"$T/want"
is "$(wc -l <"$T/ids" | tr -d ' ')" 40 "40 customers to mail"

ledger() {  # CAMPAIGN: "status|count" lines
	sql "SELECT d.status || '|' || count(*) FROM deliveries d JOIN campaigns c
		ON c.id = d.campaign_id WHERE c.name = '$1' GROUP BY d.status ORDER BY d.status"
}
ledger_of() {  # CAMPAIGN STATUS: the addresses, sorted
	sql "SELECT cu.email FROM deliveries d JOIN campaigns c ON c.id = d.campaign_id
		JOIN customers cu ON cu.id = d.customer_id
		WHERE c.name = '$1' AND d.status = '$2' ORDER BY cu.email"
}
# wait_for FILE: up to 60 s (ASan on a loaded machine)
wait_for() { _w=0; while [ ! -e "$1" ] && [ $_w -lt 600 ]; do sleep 0.1; _w=$((_w + 1)); done; test -e "$1"; }

# --- one connection: ten accepted, the eleventh held, then kill -9.
smtpd_start --hang-after 10
crm-mail send -t "$T/test.tmpl" --campaign k1 --smtp "smtp://127.0.0.1:$SMTP_PORT" \
	<"$T/ids" >/dev/null 2>&1 &
pid=$!
ok "the server holds the 11th message" wait_for "$SMTP_DIR/hanging"
kill -9 $pid
wait $pid
is "$?" 137 "crm-mail was killed"
is "$(nreceived)" 10 "the server has exactly 10 messages"
is "$(ledger k1)" "sending|1
sent|10" "ledger: 10 sent, the one in flight 'sending', nobody else touched"
is "$(ledger_of k1 sent)" "$(received)" "ledger 'sent' is exactly who the server has"
unknown=$(ledger_of k1 sending)
smtpd_stop
rm -f "$SMTP_DIR/hanging"

smtpd_start
crm-mail send -t "$T/test.tmpl" --campaign k1 --smtp "smtp://127.0.0.1:$SMTP_PORT" \
	<"$T/ids" >/dev/null 2>"$T/err"
is "$?" 0 "resume exits 0"
like "$(cat "$T/err")" "campaign k1: 29 sent, 0 skipped, 10 already, 0 deferred, 0 failed, 1 unknown" \
	"resume: 29 sent, 10 already, the one in flight unknown"
is "$(received | uniq -d)" "" "resume: nobody mailed twice"
is "$(nreceived)" 39 "resume: 39 messages in all"
is "$(received | grep -cx "$unknown")" 0 "resume: the unknown one is not resent"
is "$(ledger k1)" "sending|1
sent|39" "resume: ledger 39 sent, 1 unknown"
crm-mail send -t "$T/test.tmpl" --campaign k1 --retry-unknown \
	--smtp "smtp://127.0.0.1:$SMTP_PORT" <"$T/ids" >/dev/null 2>"$T/err"
is "$?" 0 "--retry-unknown exits 0"
is "$(received)" "$(cat "$T/want")" "--retry-unknown: each of the 40 exactly once"
is "$(ledger k1)" "sent|40" "ledger: 40 sent"
smtpd_stop

# --- three connections: ten accepted, then one held.  crm-mail drives its
# connections from one loop, so the others wait with it, and a 250 that a
# waiting connection has received is not yet in the ledger: at the kill
# such a message is 'sending' (unknown) though the server has it.  So: the
# ledger's 'sent' are on the server, what the server has is 'sent' or
# 'sending', and the resume sends exactly the untouched rest.
rm -f "$SMTP_DIR"/*
smtpd_start --hang-after 10
crm-mail send -t "$T/test.tmpl" --campaign k3 --connections 3 \
	--smtp "smtp://127.0.0.1:$SMTP_PORT" <"$T/ids" >/dev/null 2>&1 &
pid=$!
ok "3 connections: the server holds the 11th message" wait_for "$SMTP_DIR/hanging"
kill -9 $pid
wait $pid
is "$?" 137 "crm-mail (3 connections) was killed"
is "$(nreceived)" 10 "3 connections: the server has exactly 10"
ledger_of k3 sent >"$T/sent"
ledger_of k3 sending >"$T/sending"
received >"$T/got"
ns=$(wc -l <"$T/sent"); nu=$(wc -l <"$T/sending")
is "$(comm -23 "$T/sent" "$T/got")" "" "3 connections: every 'sent' is on the server"
is "$(sort "$T/sent" "$T/sending" | comm -13 - "$T/got")" "" "3 connections: all on the server is 'sent' or 'sending'"
ok "3 connections: at most 3 in flight ($nu)" test "$nu" -ge 1 -a "$nu" -le 3
is "$(sql "SELECT count(*) FROM deliveries d JOIN campaigns c ON c.id = d.campaign_id
	WHERE c.name = 'k3'")" "$((ns + nu))" "3 connections: no other row touched"
smtpd_stop
smtpd_start
crm-mail send -t "$T/test.tmpl" --campaign k3 --connections 3 \
	--smtp "smtp://127.0.0.1:$SMTP_PORT" <"$T/ids" >/dev/null 2>"$T/err"
like "$(cat "$T/err")" "campaign k3: $((40 - ns - nu)) sent, 0 skipped, $ns already, 0 deferred, 0 failed, $nu unknown" \
	"3 connections, resume: the rest sent, the ones in flight unknown"
is "$(received | uniq -d)" "" "3 connections, resume: nobody mailed twice"
is "$(nreceived)" "$((10 + 40 - ns - nu))" "3 connections, resume: the 10 and the rest"
is "$(received | sort -u | comm -13 - "$T/want")" "$(comm -23 "$T/sending" "$T/got")" \
	"3 connections, resume: only the unknown ones the server did not have are missing"
crm-mail send -t "$T/test.tmpl" --campaign k3 --retry-unknown \
	--smtp "smtp://127.0.0.1:$SMTP_PORT" <"$T/ids" >/dev/null 2>&1
is "$(received | sort -u)" "$(cat "$T/want")" "3 connections, --retry-unknown: all 40 have it"
is "$(received | uniq -d)" "$(comm -12 "$T/sending" "$T/got")" \
	"3 connections, --retry-unknown: doubled exactly the unknown ones the server had"
done_testing
