#!/bin/sh
# STARTTLS against a self-signed certificate, TLS required off loopback,
# and SMTP AUTH with credentials from crm.conf (never from the URL).
. "$(dirname "$0")/lib.sh"
. "$TESTS/mail-setup.sh"

taro=$(id_of taro@example.com)
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=127.0.0.1" \
	-addext "subjectAltName=IP:127.0.0.1,IP:127.0.0.2" \
	-keyout "$T/key.pem" -out "$T/cert.pem" >/dev/null 2>&1
ok "made a self-signed certificate" test -s "$T/cert.pem"

smtpd_start --starttls "$T/cert.pem" "$T/key.pem" --require-starttls
echo "$taro" | crm-mail send -t "$T/test.tmpl" --campaign tls --cacert "$T/cert.pem" \
	--smtp "smtp://127.0.0.1:$SMTP_PORT" 2>"$T/err"
is "$?" 0 "STARTTLS with --cacert: sent"
is "$(received)" "taro@example.com" "STARTTLS: the message arrived"
echo "$taro" | crm-mail send -t "$T/test.tmpl" --campaign tls2 \
	--smtp "smtp://127.0.0.1:$SMTP_PORT" 2>"$T/err"
is "$?" 69 "STARTTLS without the CA: certificate refused, exit 69"
like "$(cat "$T/err")" "[Cc]ertificate|SSL" "the certificate problem is named"
is "$(sql "SELECT status FROM deliveries WHERE status = 'sent'")" sent "nothing more marked sent"
printf 'cacert = %s\n' "$T/cert.pem" >>"$XDG_CONFIG_HOME/crm/crm.conf"
echo "$taro" | crm-mail send -t "$T/test.tmpl" --campaign tls3 \
	--smtp "smtp://127.0.0.1:$SMTP_PORT" 2>/dev/null
is "$?" 0 "cacert from crm.conf"
smtpd_stop

rm -f "$SMTP_DIR"/*
# Off loopback (127.0.0.2 is not 127.0.0.1/::1/localhost) smtp:// must
# upgrade: a server without STARTTLS is refused.
smtpd_start --bind 127.0.0.2
echo "$taro" | crm-mail send -t "$T/test.tmpl" --campaign plain \
	--smtp "smtp://127.0.0.2:$SMTP_PORT" 2>"$T/err"
is "$?" 69 "no STARTTLS off loopback: exit 69"
is "$(nreceived)" 0 "no STARTTLS off loopback: nothing sent in clear"
smtpd_stop
smtpd_start --bind 127.0.0.2 --starttls "$T/cert.pem" "$T/key.pem"
rm -f "$SMTP_DIR"/*
echo "$taro" | crm-mail send -t "$T/test.tmpl" --campaign plain \
	--smtp "smtp://127.0.0.2:$SMTP_PORT" 2>"$T/err"
is "$?" 0 "with STARTTLS off loopback: sent"
is "$(nreceived)" 1 "with STARTTLS off loopback: arrived"
smtpd_stop

# AUTH: credentials from crm.conf (mode 0600), or ~/.netrc.
smtpd_start --auth shop:s3cret
echo "$taro" | crm-mail send -t "$T/test.tmpl" --campaign auth0 \
	--smtp "smtp://127.0.0.1:$SMTP_PORT" 2>/dev/null
is "$?" 69 "AUTH required, no credentials: exit 69"
fails 64 "credentials in the URL are refused" sh -c "echo $taro | crm-mail send -t '$T/test.tmpl' --campaign auth1 --smtp smtp://shop:s3cret@127.0.0.1:$SMTP_PORT"
cat >"$T/auth.conf" <<EOF
smtp-user = shop
smtp-password = s3cret
EOF
chmod 644 "$T/auth.conf"
echo "$taro" | crm-mail send -t "$T/test.tmpl" --campaign auth1 --config "$T/auth.conf" \
	--smtp "smtp://127.0.0.1:$SMTP_PORT" 2>"$T/err"
is "$?" 78 "a password file readable by others is refused (EX_CONFIG)"
like "$(cat "$T/err")" "auth.conf: holds a password or secret but is readable by others" "and says why"
chmod 600 "$T/auth.conf"
echo "$taro" | crm-mail send -t "$T/test.tmpl" --campaign auth1 --config "$T/auth.conf" \
	--smtp "smtp://127.0.0.1:$SMTP_PORT" 2>/dev/null
is "$?" 0 "AUTH with credentials from --config"
printf 'machine 127.0.0.1 login shop password s3cret\n' >"$HOME/.netrc"
chmod 600 "$HOME/.netrc"
echo "$taro" | crm-mail send -t "$T/test.tmpl" --campaign auth2 \
	--smtp "smtp://127.0.0.1:$SMTP_PORT" 2>/dev/null
is "$?" 0 "AUTH with credentials from ~/.netrc"
like "$(cat "$T/smtpd.log")" "auth PLAIN ok|auth LOGIN ok" "the server saw a successful login"
done_testing
