#!/bin/sh
# A run killed half-way and resumed mails every customer exactly once;
# a customer opted out between segment and send is not mailed.
. "$(dirname "$0")/lib.sh"
. "$TESTS/mail-setup.sh"

# 40 more customers who accept the newsletter.
{
	echo "order_id,ordered_at,email,name,total,newsletter"
	i=1; while [ $i -le 40 ]; do
		echo "r$i,2026-10-10,user$i@example.com,客$i,1000,yes"; i=$((i + 1)); done
} >"$T/more.csv"
crm-import -q "$T/more.csv" >/dev/null 2>&1
sql "SELECT id FROM customers WHERE email LIKE 'user%' ORDER BY id" >"$T/ids"
is "$(wc -l <"$T/ids" | tr -d ' ')" 40 "40 customers to mail"
smtpd_start

# --rate 20: about two seconds for 40; killed part way.
crm-mail send -t "$T/test.tmpl" --campaign resume --rate 20 \
	--smtp "smtp://127.0.0.1:$SMTP_PORT" <"$T/ids" 2>/dev/null &
pid=$!
# Kill it once a few messages are through (at most 10 s).
_w=0
while [ "$(nreceived)" -lt 5 ] && [ $_w -lt 100 ]; do sleep 0.1; _w=$((_w + 1)); done
kill -9 $pid
wait $pid 2>/dev/null
first=$(nreceived)
is "$([ "$first" -gt 0 ] && [ "$first" -lt 40 ] && echo partial)" partial "the killed run sent some, not all ($first)"
# A row left 'sending' by the kill is unknown: either the server has it or
# not, and it is not resent either way.
sending=$(sql "SELECT count(*) FROM deliveries WHERE status = 'sending'")
sent1=$(sql "SELECT count(*) FROM deliveries WHERE status = 'sent'")
crm-mail send -t "$T/test.tmpl" --campaign resume --smtp "smtp://127.0.0.1:$SMTP_PORT" <"$T/ids" 2>"$T/err"
is "$?" 0 "the resumed run exits 0"
is "$(received | uniq -d)" "" "nobody mailed twice"
got=$(nreceived); unknown=$(sql "SELECT count(*) FROM deliveries WHERE status = 'sending'")
is "$unknown" "$sending" "unknown rows stay as the kill left them ($sending)"
# Every customer: one message, or an unknown row (kill mid-transaction).
ok "every customer mailed once or reported unknown" test "$((got + unknown))" -ge 40 -a "$got" -le 40
is "$(sql "SELECT count(*) FROM deliveries WHERE status = 'sent'")" "$((40 - unknown))" "ledger: all but the unknown are sent"
like "$(cat "$T/err")" "$((40 - sent1 - sending)) sent, 0 skipped, $sent1 already, 0 deferred, 0 failed, $sending unknown" \
	"the resumed run's summary adds up"

# SIGTERM stops a run cleanly: no row left 'sending', exit 75, resumable.
rm -f "$SMTP_DIR"/*
crm-mail send -t "$T/test.tmpl" --campaign term --rate 20 \
	--smtp "smtp://127.0.0.1:$SMTP_PORT" <"$T/ids" 2>"$T/eterm" &
pid=$!
_w=0
while [ "$(nreceived)" -lt 5 ] && [ $_w -lt 100 ]; do sleep 0.1; _w=$((_w + 1)); done
kill -TERM $pid
wait $pid
is "$?" 75 "SIGTERM: exit 75"
like "$(cat "$T/eterm")" "interrupted by signal 15 after [0-9]+ of 40 customers; run again to resume" "SIGTERM: says so"
like "$(cat "$T/eterm")" "campaign term: [0-9]+ sent" "SIGTERM: the summary is printed"
is "$(sql "SELECT count(*) FROM deliveries d JOIN campaigns c ON c.id = d.campaign_id WHERE c.name = 'term' AND d.status = 'sending'")" 0 \
	"SIGTERM: no row left unknown"
is "$(sql "SELECT count(*) FROM deliveries d JOIN campaigns c ON c.id = d.campaign_id WHERE c.name = 'term' AND d.status = 'sent'")" "$(nreceived)" \
	"SIGTERM: the ledger matches what the server got"
crm-mail send -t "$T/test.tmpl" --campaign term --smtp "smtp://127.0.0.1:$SMTP_PORT" <"$T/ids" 2>/dev/null
is "$(nreceived):$(received | uniq -d)" "40:" "SIGTERM: the rerun completes, each customer once"

# Two runs of one campaign at once: nobody gets it twice.
rm -f "$SMTP_DIR"/*
crm-mail send -t "$T/test.tmpl" --campaign twice --rate 100 --smtp "smtp://127.0.0.1:$SMTP_PORT" <"$T/ids" 2>"$T/e1" &
p1=$!
sort -r "$T/ids" | crm-mail send -t "$T/test.tmpl" --campaign twice --rate 100 --smtp "smtp://127.0.0.1:$SMTP_PORT" 2>"$T/e2" &
p2=$!
wait $p1; r1=$?
wait $p2; r2=$?
is "$r1:$r2" "0:0" "two overlapping runs both exit 0"
is "$(received | uniq -d)" "" "overlapping runs: nobody mailed twice"
is "$(nreceived)" 40 "overlapping runs: everyone mailed once"

# Opted out between segment and send: not mailed.
rm -f "$SMTP_DIR"/*
taro=$(id_of taro@example.com); hanako=$(id_of hanako@example.com)
crm-segment --newsletter yes -o ids >"$T/seg" 2>/dev/null || printf '%s\n' "$taro" "$hanako" >"$T/seg"
like "$(cat "$T/seg")" "^$taro\$|(^|[^0-9])$taro([^0-9]|\$)" "the segment lists taro"
echo taro@example.com | crm-optout -q >/dev/null
crm-mail send -t "$T/test.tmpl" --campaign late --smtp "smtp://127.0.0.1:$SMTP_PORT" <"$T/seg" 2>"$T/err"
unlike "$(received)" "taro@example.com" "taro, opted out after the segment was cut, is not mailed"
like "$(received)" "hanako@example.com" "hanako is"
like "$(cat "$T/err")" "1 opted out" "the summary says why"
done_testing
