#!/bin/sh
# A database locked by another writer past the busy timeout
# (CRM_BUSY_TIMEOUT, ms): every writing command waits that long, then exits
# 75 saying the database is locked, with nothing changed; readers are not
# blocked (WAL); a writer whose timeout outlasts the lock waits and then
# succeeds.  The lock is held by the sqlite3 shell through a FIFO, for as
# long as the test wants, and released by the test.
. "$(dirname "$0")/lib.sh"
. "$TESTS/mail-setup.sh"
smtpd_start
SMTP="smtp://127.0.0.1:$SMTP_PORT"
CRM_TODAY=2026-10-01 crm-scenario add welcome --trigger 'orders = 1' \
	--step 0:mail:"$T/test.tmpl" >/dev/null 2>&1
taro=$(id_of taro@example.com)
dump() { sqlite3 "$CRM_DB" .dump | cksum; }

# lock / unlock: another process holds the write lock until unlock.
lock() {
	rm -f "$T/locked" "$T/fifo"
	mkfifo "$T/fifo"
	sqlite3 "$CRM_DB" <"$T/fifo" >/dev/null 2>&1 &
	HOLDER=$!
	exec 3>"$T/fifo"
	printf "BEGIN IMMEDIATE;\nINSERT INTO meta (key, value) VALUES ('lock', 'held');\n.shell touch '%s'\n" "$T/locked" >&3
	_w=0; while [ ! -e "$T/locked" ] && [ $_w -lt 300 ]; do sleep 0.1; _w=$((_w + 1)); done
}
unlock() { printf 'ROLLBACK;\n.quit\n' >&3; exec 3>&-; wait $HOLDER; }
now_ms() { date +%s%3N; }

before=$(dump)
lock
ok "another process holds the write lock" test -e "$T/locked"
export CRM_BUSY_TIMEOUT=300
# locked NAME COMMAND...: exit 75, says locked, waited at least 300 ms
locked() {
	_name=$1; shift
	_t0=$(now_ms)
	"$@" >/dev/null 2>"$T/err" </dev/null
	_rc=$?
	_ms=$(($(now_ms) - _t0))
	is "$_rc" 75 "$_name: exit 75"
	like "$(cat "$T/err")" "locked" "$_name: says the database is locked"
	ok "$_name: waited the busy timeout ($_ms ms)" test "$_ms" -ge 300
}
printf 'order_id,ordered_at,email,total\n9001,2026-11-01,new@example.jp,100\n' >"$T/new.csv"
locked "crm-import" crm-import "$T/new.csv"
locked "crm-optout" sh -c "echo $taro | crm-optout"
locked "crm-tag add" sh -c "echo $taro | crm-tag add vip"
locked "crm-segment save" crm-segment save big --total 5000..
locked "crm-dedupe run" crm-dedupe run
locked "crm-scenario run" env CRM_TODAY=2026-10-20 crm-scenario run --smtp "$SMTP"
locked "crm-mail send" sh -c "echo $taro | crm-mail send -t '$T/test.tmpl' --campaign c --smtp '$SMTP'"
is "$(nreceived)" 0 "no mail went out while locked"
# Readers read the last committed state while the lock is held.
is "$(crm-segment --count --total 5000.. 2>/dev/null)" 2 "a reader is not blocked by the writer"
unlock
is "$(dump)" "$before" "nothing changed by any of the locked commands"

# A timeout longer than the lock: the writer waits, then does its work.
lock
CRM_BUSY_TIMEOUT=20000 crm-import "$T/new.csv" >/dev/null 2>&1 &
pid=$!
sleep 1
ok "the waiting import has not finished while the lock is held" kill -0 $pid
unlock
wait $pid
is "$?" 0 "after the lock is released, the waiting import exits 0"
is "$(sql "SELECT count(*) FROM orders WHERE order_no = '9001'")" 1 "and its order is there once"
done_testing
