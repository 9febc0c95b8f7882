#!/bin/sh
# kill -9 of crm-import at a known point: it reads its input from a FIFO
# that is fed 40% of the file and kept open, and is killed once it has
# read that.  The database is exactly as before (a
# dump compared byte for byte), for a first import and for an update; a
# rerun gives the totals computed here with awk from the CSV.
. "$(dirname "$0")/lib.sh"
cd "$T" || exit 1

# kill_at PERCENT FILE COMMAND...: run COMMAND with a FIFO as its input
# file, feed it PERCENT of FILE and keep the FIFO open, so that it cannot
# reach the end; kill -9 it then.  Feeding more than a pipe holds (64 KiB)
# returns only once the command has read all but that much, so the kill
# lands after it has read and imported rows, inside its transaction, with
# no timing involved.  KILLED is "mid-way" when it was still running.
kill_at() {
	_pct=$1 _file=$2; shift 2
	rm -f "$T/pipe.csv"
	mkfifo "$T/pipe.csv"
	exec 4<>"$T/pipe.csv"
	"$@" "$T/pipe.csv" >/dev/null 2>&1 4>&- &
	_pid=$!
	KILLED=no
	timeout 120 head -c $(($(wc -c <"$_file") * _pct / 100)) "$_file" >&4 &&
		kill -0 $_pid 2>/dev/null && KILLED=mid-way
	kill -9 $_pid
	wait $_pid 2>/dev/null
	KILL_RC=$?
	exec 4>&-
}
dump() { sqlite3 "$CRM_DB" .dump | cksum; }

# Something in the database already: 3 orders of 2 customers.
cat >first.csv <<'EOF'
order_id,ordered_at,email,name,total
F1,2026-10-01,first@example.jp,先 一郎,1000
F2,2026-10-02,first@example.jp,先 一郎,2000
F3,2026-10-03,second@example.jp,次 二郎,500
EOF
crm-import -q first.csv >/dev/null 2>&1
is "$(sql "SELECT count(*) || ' ' || sum(total) FROM orders")" "3 3500" "before: 3 orders"

# 12000 line items, 2 per order: 6000 orders of 2000 customers; one order
# in ten cancelled.
awk 'BEGIN { print "order_id,ordered_at,email,name,sku,quantity,unit_price,status";
	for (i = 0; i < 12000; i++) { o = int(i / 2);
		printf "K%d,2026-11-%02d,k%d@example.jp,K %d,S%d,%d,%d,%s\n", o, o % 28 + 1,
		    o % 2000, o % 2000, i % 7, i % 3 + 1, (i % 10) * 100 + 100,
		    (o % 10 == 0 ? "cancelled" : "ok") } }' >big.csv
# Expected, from the CSV: orders, items, ok orders and their total, and
# customer k7's ok orders and total.
awk -F, 'NR > 1 { t[$1] += $6 * $7; st[$1] = $8; e[$1] = $3; items++ }
	END { for (o in t) { n++; if (st[o] == "ok") { ok++; sum += t[o];
		if (e[o] == "k7@example.jp") { k7n++; k7t += t[o] } } }
	print n, items, ok, sum, k7n, k7t }' big.csv >want
read -r n_orders n_items n_ok ok_total k7_orders k7_total <want

before=$(dump)
kill_at 40 "$T/big.csv" crm-import
is "$KILLED" mid-way "first import: killed after reading 40%, before the end"
is "$KILL_RC" 137 "first import: killed by SIGKILL"
is "$(dump)" "$before" "first import killed: the database is exactly as before"
is "$(sql "pragma integrity_check")" ok "first import killed: integrity_check ok"

crm-import big.csv 2>err
is "$?" 0 "rerun: exit 0"
like "$(cat err)" "12000 rows, $n_orders orders new, 0 updated, 0 unchanged, 2000 customers new, 0 rejected" "rerun: the summary counts every row once"
is "$(sql "SELECT count(*) FROM orders WHERE order_no LIKE 'K%'")" "$n_orders" "rerun: $n_orders orders"
is "$(sql "SELECT count(*) FROM order_items i JOIN orders o ON o.id = i.order_id WHERE o.order_no LIKE 'K%'")" "$n_items" "rerun: $n_items line items"
is "$(sql "SELECT count(*) || ' ' || sum(total) FROM orders WHERE order_no LIKE 'K%' AND status = 'ok'")" "$n_ok $ok_total" "rerun: ok orders and their total"
is "$(sql "SELECT orders || ' ' || total FROM customers WHERE email = 'k7@example.jp'")" "$k7_orders $k7_total" "rerun: customer k7's orders and total"
is "$(sql "SELECT count(*) || ' ' || sum(orders) || ' ' || sum(total) FROM customers")" "2002 $((n_ok + 3)) $((ok_total + 3500))" "rerun: customers' sums include the earlier 3 orders"

# An update: every order of k1 cancelled, K3's items changed.  Killed
# mid-way, nothing of it is there; the rerun applies it.
awk -F, -v OFS=, 'NR > 1 && $3 == "k1@example.jp" { $8 = "cancelled" }
	NR > 1 && $1 == "K3" { $6 = 5 } { print }' big.csv >update.csv
awk -F, 'NR > 1 { t[$1] += $6 * $7; st[$1] = $8 }
	END { for (o in t) if (st[o] == "ok") { ok++; sum += t[o] } print ok, sum }' update.csv >want2
read -r u_ok u_total <want2
k1_orders=$(awk -F, 'NR > 1 && $3 == "k1@example.jp" { o[$1] = 1 } END { print length(o) }' update.csv)
before=$(dump)
kill_at 40 "$T/update.csv" crm-import
is "$KILLED:$KILL_RC" mid-way:137 "update: killed while reading"
is "$(dump)" "$before" "update killed: the database is exactly as before"
crm-import update.csv 2>err
is "$?" 0 "update rerun: exit 0"
like "$(cat err)" "12000 rows, 0 orders new, $((k1_orders + 1)) updated, $((n_orders - k1_orders - 1)) unchanged" \
	"update rerun: k1's $k1_orders orders and K3 updated, the rest unchanged"
is "$(sql "SELECT count(*) || ' ' || sum(total) FROM orders WHERE order_no LIKE 'K%' AND status = 'ok'")" "$u_ok $u_total" \
	"update rerun: ok orders and total as computed"
is "$(sql "SELECT orders || ' ' || total FROM customers WHERE email = 'k1@example.jp'")" "0 0" \
	"update rerun: k1 has no order left"
is "$(sql "pragma integrity_check")" ok "integrity_check ok"
done_testing
