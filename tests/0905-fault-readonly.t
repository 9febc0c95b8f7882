#!/bin/sh
# A read-only database file (chmod 0444) and a read-only directory: every
# writer exits 73 (EX_CANTCREAT) with a message naming the file and
# saying what is read-only; readers still work on a read-only file; the
# database is unchanged.  Root ignores file modes, so as root the commands
# run as nobody (setpriv).
. "$(dirname "$0")/lib.sh"

if [ "$(id -u)" -eq 0 ]; then
	command -v setpriv >/dev/null 2>&1 || { echo "1..0 # SKIP root without setpriv"; exit 0; }
	as() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }
	owner() { chown -R nobody:nogroup "$@"; }
	chmod 755 "$T"
	# A checkout under /root is out of nobody's reach: then the binaries
	# and the presets are copied into the test directory.
	if ! { as crm-import --version && as test -r "$CRM_DATADIR/formats/generic.map"; } >/dev/null 2>&1; then
		mkdir "$T/bin" && cp "$CRM_BUILD"/bin/crm-* "$T/bin/" &&
		cp -R "$CRM_DATADIR" "$T/share" && chmod -R a+rX "$T/bin" "$T/share" ||
			{ echo "Bail out! cannot copy the build into $T"; exit 1; }
		PATH="$T/bin:$PATH" CRM_DATADIR="$T/share"
		export PATH CRM_DATADIR
	fi
	{ as crm-import --version && as test -x "$T"; } >/dev/null 2>&1 ||
		{ echo "Bail out! nobody cannot run crm-import from $T"; exit 1; }
else
	as() { "$@"; }
	owner() { :; }
fi
D="$T/ro"
mkdir "$D"
export CRM_DB="$D/crm.db"
cat >"$T/orders.csv" <<'EOF'
order_id,ordered_at,email,name,total,newsletter
1,2026-11-01,a@example.jp,青木 一郎,1000,yes
2,2026-11-02,b@example.jp,馬場 二郎,2000,yes
EOF
printf 'order_id,ordered_at,email,name,total\n3,2026-11-03,c@example.jp,千葉 三郎,500\n' >"$T/more.csv"
crm-import -q "$T/orders.csv" >/dev/null 2>&1
owner "$D"
chmod 644 "$T"/*.csv
dump() { sqlite3 "$CRM_DB" .dump | cksum; }
before=$(dump)
a=$(sql "SELECT id FROM customers WHERE email = 'a@example.jp'")

# run CODE NAME COMMAND...: as the unprivileged user, exit CODE, and the
# message in $T/err
run() {
	_want=$1 _name=$2; shift 2
	as "$@" >"$T/out" 2>"$T/err" </dev/null
	_got=$?
	[ "$_got" -eq "$_want" ] || echo "#   exit $_got, expected $_want: $(cat "$T/err")"
	[ "$_got" -eq "$_want" ]; _result $? "$_name"
}

# --- the file is read-only, the directory is not.
chmod 0444 "$CRM_DB"
run 73 "read-only file: crm-import exits 73" crm-import "$T/more.csv"
like "$(cat "$T/err")" "^crm-import: .*ro/crm.db: .*attempt to write a readonly database" \
	"read-only file: the message names the database and says read-only"
echo "$a" >"$T/ids"
as sh -c 'crm-optout <"$1"' sh "$T/ids" >/dev/null 2>"$T/err"; is "$?" 73 "read-only file: crm-optout exits 73"
run 73 "read-only file: crm-dedupe run exits 73" crm-dedupe run
run 73 "read-only file: crm-segment save exits 73" crm-segment save big --total 1500..
run 0 "read-only file: crm-segment (a reader) works" crm-segment -o ids
is "$(cat "$T/out")" "$(sql "SELECT id FROM customers ORDER BY id")" "read-only file: the reader's answer"
run 0 "read-only file: crm-segment --count works" crm-segment --count --total 1500..
is "$(cat "$T/out")" 1 "read-only file: its answer"
chmod 0644 "$CRM_DB"
is "$(dump)" "$before" "read-only file: the database is unchanged"

# --- the directory is read-only: SQLite cannot create crm.db-wal/-shm, so
# nobody can use the database; the message says why.
rm -f "$CRM_DB-wal" "$CRM_DB-shm"
chmod 0555 "$D"
run 73 "read-only directory: crm-import exits 73" crm-import "$T/more.csv"
like "$(cat "$T/err")" "ro/crm.db: directory .*ro is not writable \(the database needs its crm.db-wal and crm.db-shm files there\)" \
	"read-only directory: the message says so"
run 73 "read-only directory: crm-segment exits 73" crm-segment -o ids
like "$(cat "$T/err")" "directory .*ro is not writable" "read-only directory: crm-segment says so too"
run 73 "read-only directory: crm-scenario list exits 73" crm-scenario list
run 73 "read-only directory: a new database there: 73" env CRM_DB="$D/new.db" crm-import "$T/more.csv"
chmod 0755 "$D"
ok "nothing created in the directory" test ! -e "$D/new.db"
is "$(dump)" "$before" "read-only directory: the database is unchanged"

# Writable again: the import works.
run 0 "writable again: crm-import exits 0" crm-import -q "$T/more.csv"
is "$(sql "SELECT count(*) || ' ' || sum(total) FROM orders")" "3 3500" "writable again: 3 orders"
done_testing
