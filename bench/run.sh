#!/bin/sh
# bench/run.sh: make bench.  Generates seeded data with crm-gen and runs
# every benchmark against a baseline measured in the same run (the machine
# is shared, so only ratios compare between runs), then prints one table:
# wall seconds and peak RSS (/usr/bin/time) of crm and of the baseline,
# and crm / baseline.
#
#   BENCH_SCALE    customers of the main population (default 10^6; make
#                  bench-quick: 10^5).  Import: BENCH_SCALE line items;
#                  dedupe: BENCH_SCALE/10 and BENCH_SCALE customers; mail:
#                  BENCH_SCALE/10 messages.
#   BENCH_SEED     crm-gen's seed (default 20261122)
#   BENCH_CONC     SMTP connections of crm-mail and smtp-source (default 4)
#   BENCH_DIR      work directory (default $CRM_BUILD/bench); data files
#                  are removed at the end unless BENCH_KEEP=1, logs stay
#   SEGMENT_REPEAT best of N for bench/segment.sh (default 1 here)
#
# Run by `make bench` with PATH holding the built binaries and CRM_BUILD
# the build directory (crm-gen and crm-score are in $CRM_BUILD/tests).
set -u
SCALE=${BENCH_SCALE:-1000000}
SEED=${BENCH_SEED:-20261122}
CONC=${BENCH_CONC:-4}
: "${CRM_BUILD:?bench: CRM_BUILD is not set (run make bench)}"
DIR=${BENCH_DIR:-$CRM_BUILD/bench}
HERE=$(cd "$(dirname "$0")" && pwd)
GEN=$CRM_BUILD/tests/crm-gen
SCORE=$CRM_BUILD/tests/crm-score
PATH=$PATH:/usr/sbin:/sbin
export PATH

say() { [ -t 2 ] && printf 'bench: %s\n' "$*" >&2; echo "$(date +%T) $*" >>"$DIR/log"; }
die() { printf 'bench: %s\n' "$*" >&2; exit "${2:-70}"; }

# ---- what the benchmarks need beyond the build
missing=
[ -x /usr/bin/time ] || missing="$missing time"
command -v smtp-sink >/dev/null 2>&1 && command -v smtp-source >/dev/null 2>&1 ||
	missing="$missing postfix"
command -v sqlite3 >/dev/null 2>&1 || missing="$missing sqlite3"
if [ -n "$missing" ]; then
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
		echo "bench: installing$missing" >&2
		# Postfix only for its smtp-sink and smtp-source: no mail system.
		echo 'postfix postfix/main_mailer_type select No configuration' |
			debconf-set-selections 2>/dev/null
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q$missing >&2 ||
			die "apt-get install$missing failed" 69
	else
		die "missing:$missing; install with: sudo apt-get install$missing" 69
	fi
fi
[ -x "$GEN" ] && [ -x "$SCORE" ] || die "no $GEN or $SCORE (make tests B=...)" 66
case $SCALE in *[!0-9]*|'') die "BENCH_SCALE: '$SCALE' is not a number" 64;; esac
[ "$SCALE" -ge 1000 ] || die "BENCH_SCALE must be at least 1000" 64

mkdir -p "$DIR" || die "cannot create $DIR" 73
: >"$DIR/log"
export XDG_CONFIG_HOME="$DIR/config" HOME="$DIR/home"
mkdir -p "$XDG_CONFIG_HOME/crm" "$HOME"
cat >"$XDG_CONFIG_HOME/crm/crm.conf" <<'EOF'
unsubscribe-url = https://shop.example/unsubscribe
shop = ベンチ商店
EOF
SINK=
cleanup() {
	[ -n "$SINK" ] && kill "$SINK" 2>/dev/null
	# a scratch copy of big.db, not data: gone even with BENCH_KEEP=1
	rm -f "$DIR"/floor.db*
	[ "${BENCH_KEEP:-0}" = 1 ] || rm -f "$DIR"/*.csv "$DIR"/*.db "$DIR"/*.db-* "$DIR"/*.db.*.lock "$DIR"/*.ids
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

START=$(date +%s)
FAILED=0
: >"$DIR/table.tsv"

# measure OUT IN command...: run it under /usr/bin/time with stdin IN and
# stdout OUT (stderr to the log); sets SEC and MB, returns its status.
measure() {
	_out=$1 _in=$2; shift 2
	echo "$(date +%T) \$ $*" >>"$DIR/log"
	# The data files just generated are still being written back: each
	# run starts on a quiet disk, not paying for the previous step's I/O.
	sync
	/usr/bin/time -f '%e %M' -o "$DIR/time.out" "$@" <"$_in" >"$_out" 2>>"$DIR/log"
	_rc=$?
	set -- $(tail -n 1 "$DIR/time.out")
	SEC=$1 MB=$(( ${2:-0} / 1024 ))
	[ "$_rc" = 0 ] || echo "exit $_rc" >>"$DIR/log"
	return "$_rc"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 > 0) printf "%.2f", a / b; else print "-" }'; }
# row NAME SIZE SEC MB BASE_SEC BASE_MB BASELINE NOTES
row() {
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5" "$6" \
		"$(ratio "$3" "$5")" "$7" "$8" >>"$DIR/table.tsv"
}
fail() { FAILED=1; row "$1" "$2" FAILED - - - "$3" "see $DIR/log"; say "FAILED: $1"; }
human() { awk -v n="$1" 'BEGIN { e = int(log(n) / log(10) + 1e-9);
	if (n == 10 ^ e) printf "10^%d", e; else print n }'; }
count() { sed 1d "$1" | wc -l | tr -d ' '; }
sql() { sqlite3 "$@"; }

# ---- data: one population of SCALE customers, one of SCALE/10
SMALL=$((SCALE / 10))
for n in $SMALL $SCALE; do
	say "crm-gen --customers $n"
	"$GEN" --seed "$SEED" --customers "$n" --out "$DIR/pop-$n.csv" \
		--truth "$DIR/truth-$n.csv" 2>>"$DIR/log" || die "crm-gen --customers $n failed"
done
BIG=$DIR/big.db SMALLDB=$DIR/small.db
rm -f "$BIG"* "$SMALLDB"* "$DIR/bare.db"*

# The import benchmark is the first SCALE line items of the big population
# (whole orders; rows are in date order, as shops export them), and the
# rest is imported after it: a history and the exports that follow.
awk -v n="$SCALE" -v a="$DIR/part1.csv" -v b="$DIR/part2.csv" -F, '
	NR == 1 { print > a; print > b; next }
	{ k = $1 FS $2; if (!rest && NR > n + 1 && k != last) rest = 1
	  if (rest) print > b; else { print > a; last = k } }' "$DIR/pop-$SCALE.csv" ||
	die "cannot split $DIR/pop-$SCALE.csv" 73
L1=$(count "$DIR/part1.csv") L2=$(count "$DIR/part2.csv")

# The rules the dedupe issue recommends for these channels (Rakuten masks
# e-mail addresses, Amazon gives no phone), set before the import.
rules() {
	crm-dedupe --db "$1" -q rules --shop rakuten name+phone &&
	crm-dedupe --db "$1" -q rules --shop amazon name+email
}
rules "$BIG" >>"$DIR/log" 2>&1 && rules "$SMALLDB" >>"$DIR/log" 2>&1 ||
	die "crm-dedupe rules failed"

# ---- import
# sqlite3 .import into a bare table: parsing and storing the same CSV,
# without normalising, matching, customers or indexes.
bare_import() { # CSV: time .import into a fresh table of bare.db
	rm -f "$DIR/bare.db"*
	measure /dev/null /dev/null sqlite3 "$DIR/bare.db" ".import --csv '$1' li"
}
say "import $L1 line items"
bare_import "$DIR/part1.csv"; BS=$SEC BM=$MB
IMPORTED=0
if measure "$DIR/import1.out" /dev/null crm-import --db "$BIG" "$DIR/part1.csv"; then
	IMPORTED=1
	row import "$L1 line items" "$SEC" "$MB" "$BS" "$BM" "sqlite3 .import into a bare table" \
		"$(sql "$BIG" 'SELECT count(*) FROM orders') orders, $(sql "$BIG" 'SELECT count(*) FROM customers') customers"
else
	fail import "$L1 line items" "sqlite3 .import into a bare table"
fi

# The schema's own cost, a second baseline for the row above.  crm's four
# tables carry some 25 secondary indexes and come to several times the
# bare table's size, so the bare .import cannot say how far crm-import is
# from what SQLite itself must do for this schema.  Here the sqlite3 shell
# alone writes into a fresh floor.db what crm-import wrote into big.db:
# the same schema and pragmas, the finished rows copied from big.db, one
# transaction (so the checkpoint at commit is timed, as in crm-import).
# The non-unique indexes are built after the rows, as crm-import's bulk
# mode does (here all of them, so that this is a floor); unique indexes
# are constraints and are kept row by row, as in crm-import.
FLOOR=$DIR/floor.db
LATE="type = 'index' AND sql IS NOT NULL AND
	tbl_name IN ('customers', 'identities', 'orders', 'order_items') AND
	name IN (SELECT l.name FROM pragma_index_list(tbl_name) l WHERE l.\"unique\" = 0)"
COUNTS="SELECT (SELECT count(*) FROM customers) || ' ' || (SELECT count(*) FROM identities)
	|| ' ' || (SELECT count(*) FROM orders) || ' ' || (SELECT count(*) FROM order_items)"
# uri FILE: FILE as a read-only SQLite URI inside an SQL string literal
uri() { printf 'file:%s?mode=ro' "$(printf '%s' "$1" | sed "s/%/%25/g; s/?/%3f/g; s/#/%23/g; s/'/''/g")"; }
floor_import() {
	rm -f "$FLOOR"*
	# What .schema prints, less the indexes built at the end (a query
	# rather than .schema's text, whose lines need not be statements).
	{
		echo "PRAGMA page_size = $(sql "$BIG" 'PRAGMA page_size');"
		echo "PRAGMA journal_mode = WAL;"
		sql "$BIG" "SELECT sql || ';' FROM sqlite_schema WHERE sql IS NOT NULL AND
			name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND NOT ($LATE) ORDER BY rowid"
	} >"$DIR/floor-schema.sql" &&
	sql -bail "$FLOOR" <"$DIR/floor-schema.sql" >/dev/null 2>>"$DIR/log" || return 1
	# synchronous and cache_size hold per connection: crm-import's own.
	{
		echo "PRAGMA synchronous = NORMAL;"
		echo "PRAGMA cache_size = -262144;"
		echo "ATTACH '$(uri "$BIG")' AS big;"
		echo "BEGIN;"
		for t in customers identities orders order_items; do
			echo "INSERT INTO main.$t SELECT * FROM big.$t;"
		done
		sql "$BIG" "SELECT sql || ';' FROM sqlite_schema WHERE $LATE ORDER BY rowid"
		echo "COMMIT;"
	} >"$DIR/floor.sql" || return 1
	measure /dev/null "$DIR/floor.sql" sqlite3 -bail "$FLOOR"
}
say "import floor: sqlite3 copying $L1 line items' rows and indexes"
if [ "$IMPORTED" = 1 ] && floor_import; then
	s=$SEC m=$MB
	n=$(sql "$BIG" "SELECT count(*) FROM sqlite_schema WHERE $LATE")
	want=$(sql "$BIG" "$COUNTS") got=$(sql "$FLOOR" "$COUNTS")
	if [ -n "$got" ] && [ "$got" = "$want" ]; then
		row "import floor" "$L1 line items" "$s" "$m" "$BS" "$BM" \
			"sqlite3 .import into a bare table" \
			"sqlite3 alone copying crm's finished rows and building its $n indexes (no parsing, matching or normalising); floor.db $(($(wc -c <"$FLOOR") / 1048576)) MB, bare table $(($(wc -c <"$DIR/bare.db") / 1048576)) MB"
	else
		echo "floor.db holds $got rows, big.db $want (customers identities orders items)" >>"$DIR/log"
		fail "import floor" "$L1 line items" "sqlite3 .import into a bare table"
	fi
else
	fail "import floor" "$L1 line items" "sqlite3 .import into a bare table"
fi
rm -f "$FLOOR"*
say "import $L2 more line items (to $(human "$SCALE") customers)"
bare_import "$DIR/part2.csv"; BS=$SEC BM=$MB
if measure "$DIR/import2.out" /dev/null crm-import --db "$BIG" "$DIR/part2.csv"; then
	row "import, then" "$L2 line items" "$SEC" "$MB" "$BS" "$BM" "sqlite3 .import into a bare table" \
		"into the db above: $(human "$SCALE") customers in all"
else
	fail "import, then" "$L2 line items" "sqlite3 .import into a bare table"
fi
rm -f "$DIR/bare.db"* "$DIR/part1.csv" "$DIR/part2.csv"
say "import $(human "$SMALL") customers (for dedupe)"
measure "$DIR/import-small.out" /dev/null crm-import --db "$SMALLDB" "$DIR/pop-$SMALL.csv" ||
	fail "import $(human "$SMALL") pop." "$(count "$DIR/pop-$SMALL.csv") line items" "-"

# ---- dedupe
# Baseline: exact grouping on the normalised e-mail key in SQL (what a
# shop would do with a GROUP BY), on the identities crm-import stored; it
# writes the same clusters file, so crm-score rates it too.
cat >"$DIR/email-groups.sql" <<'EOF'
.headers on
.mode csv
WITH k AS (SELECT id, coalesce(nullif(email_key, ''), '#' || id) AS key FROM identities),
     g AS (SELECT key, min(id) AS cid FROM k GROUP BY key)
SELECT g.cid AS customer_id, s.name AS shop, o.order_no AS order_id
FROM orders o JOIN shops s ON s.id = o.shop_id
JOIN k ON k.id = o.identity_id JOIN g ON g.key = k.key;
EOF
# f1 SCORE-TSV: "P/R/F1" of the merges, and of merges plus pending pairs
quality() {
	sed 1d "$1" | awk -F'\t' '{ printf "P/R/F1 %s/%s/%s", $4, $5, $6;
		if ($7 != "") printf ", with pending %s/%s/%s", $7, $8, $9 }'
}
dedupe() { # DB N
	db=$1 n=$2 tag=$(human "$2")
	say "dedupe $tag customers"
	if ! measure "$DIR/dedupe-$n.out" /dev/null crm-dedupe --db "$db" run; then
		fail "dedupe $tag" "$n people" "SQL GROUP BY e-mail key"; return
	fi
	s=$SEC m=$MB
	crm-dedupe --db "$db" clusters -o csv >"$DIR/clusters-$n.csv" 2>>"$DIR/log" &&
	crm-dedupe --db "$db" pending -o csv >"$DIR/pending-$n.csv" 2>>"$DIR/log"
	"$SCORE" --truth "$DIR/truth-$n.csv" --clusters "$DIR/clusters-$n.csv" \
		--pending "$DIR/pending-$n.csv" --tsv >"$DIR/score-$n.tsv" 2>>"$DIR/log" ||
		FAILED=1
	measure "$DIR/email-$n.csv" "$DIR/email-groups.sql" sqlite3 "$db" || FAILED=1
	bs=$SEC bm=$MB
	"$SCORE" --truth "$DIR/truth-$n.csv" --clusters "$DIR/email-$n.csv" --tsv \
		>"$DIR/score-email-$n.tsv" 2>>"$DIR/log" || FAILED=1
	row "dedupe $tag" "$n people" "$s" "$m" "$bs" "$bm" \
		"SQL GROUP BY e-mail key: $(quality "$DIR/score-email-$n.tsv")" \
		"crm: $(quality "$DIR/score-$n.tsv"); $(sql "$db" 'SELECT count(*) FROM identities') records, $(sql "$db" 'SELECT count(*) FROM customers WHERE merged_into IS NULL') customers"
}
dedupe "$SMALLDB" "$SMALL"
dedupe "$BIG" "$SCALE"
rm -f "$SMALLDB"*

# ---- segment
say "segment ($(human "$SCALE") customers)"
SEGMENT_REPEAT=${SEGMENT_REPEAT:-1} SEGMENT_COUNTS=${SEGMENT_COUNTS:-0} \
	sh "$HERE/segment.sh" "$BIG" >"$DIR/segment.txt" 2>>"$DIR/log" || FAILED=1
# Peak memory: every customer's id, the largest list a filter can give.
measure "$DIR/all.ids" /dev/null crm-segment --db "$BIG" --no-stdin -o ids; cs=$SEC cm=$MB
measure "$DIR/all-sql.ids" /dev/null sqlite3 "$BIG" \
	'SELECT id FROM customers WHERE merged_into IS NULL ORDER BY id'; bm=$MB
cmp -s "$DIR/all.ids" "$DIR/all-sql.ids" || { echo "MISMATCH all ids" >>"$DIR/segment.txt"; FAILED=1; }
awk -v cs="$cs" -v bs="$SEC" '
	/^MISMATCH/ { bad++; next }
	NF >= 8 && $(NF - 6) ~ /^[0-9]+$/ && $(NF - 1) ~ /^[0-9]+$/ {
		q++; c += $(NF - 2); h += $(NF - 1); r = $(NF) + 0
		if (r > worst) { worst = r; wl = substr($0, 1, 32); sub(/ +$/, "", wl) } }
	END { printf "%d\t%.2f\t%.2f\t%d\t%.2f\t%s\n", q, c / 1000, h / 1000, bad, worst, wl }' \
	"$DIR/segment.txt" >"$DIR/segment.sum"
IFS='	' read -r nq cs bs bad worst wl <"$DIR/segment.sum"
[ "$bad" = 0 ] || FAILED=1
row segment "$nq queries, -o ids" "$cs" "$cm" "$bs" "$bm" "the same SQL in the sqlite3 shell" \
	"sum of $nq queries; worst $worst ($wl); $bad mismatches; MB: all ids"

# ---- scenario: a first-purchase thank-you, over the whole history
TODAY=$(sql "$BIG" "SELECT date(max(ordered_at), '+1 day') FROM orders")
tmpl() { # FILE KIND SUBJECT
	cat >"$1" <<EOT
Subject: {{name}}様 $3
From: ベンチ商店 <shop@example.com>
Kind: $2

{{name}} 様

いつもご利用ありがとうございます。ご購入回数 {{orders}} 回、合計 {{total}} 円。
$3

配信停止: {{unsubscribe_url}}
EOT
}
tmpl "$DIR/thanks.tmpl" notices "ご購入ありがとうございます"
tmpl "$DIR/news.tmpl" newsletter "冬のセールのお知らせ"

PORT=
start_sink() {
	p=$((20000 + $$ % 20000))
	for try in 1 2 3 4 5 6 7 8 9 10; do
		if [ "$(id -u)" = 0 ]; then u="-u nobody"; else u=; fi
		smtp-sink $u "127.0.0.1:$p" 256 >>"$DIR/log" 2>&1 &
		SINK=$!
		sleep 1
		if kill -0 "$SINK" 2>/dev/null; then PORT=$p; return 0; fi
		p=$((p + 1))
	done
	SINK=; return 1
}
start_sink || die "smtp-sink would not start" 69
say "smtp-sink on port $PORT"

# Baseline: the enrolment as one INSERT ... SELECT in the sqlite3 shell
# (every customer's first ok order, step 1 due the next day, held when
# that is already past), into a table of the same shape; no mail.
cat >"$DIR/enrol.sql" <<EOF
BEGIN;
CREATE TABLE bench_enrol (customer_id INTEGER NOT NULL UNIQUE, order_id INTEGER,
  anchor TEXT, due TEXT, status TEXT);
INSERT INTO bench_enrol
SELECT customer_id, id, substr(ordered_at, 1, 10), date(ordered_at, '+1 day'),
  CASE WHEN date(ordered_at, '+1 day') < '$TODAY' THEN 'held' ELSE 'ready' END
FROM (SELECT o.customer_id, o.id, o.ordered_at,
        row_number() OVER (PARTITION BY o.customer_id ORDER BY o.ordered_at, o.id) AS rn
      FROM orders o JOIN customers c ON c.id = o.customer_id
      WHERE o.status = 'ok' AND c.merged_into IS NULL AND c.undetermined = 0)
WHERE rn = 1;
SELECT count(*) FROM bench_enrol;
ROLLBACK;
EOF
say "scenario run ($(human "$SCALE") customers, today $TODAY)"
FIRST=$(sql "$BIG" "SELECT min(substr(ordered_at, 1, 10)) FROM orders")
crm-scenario --db "$BIG" add first --trigger 'orders = 1' --since "$FIRST" \
	--step "0:mail:$DIR/thanks.tmpl" >>"$DIR/log" 2>&1 || FAILED=1
measure "$DIR/enrol.out" "$DIR/enrol.sql" sqlite3 "$BIG" || FAILED=1
bs=$SEC bm=$MB
if measure "$DIR/scenario.out" /dev/null crm-scenario --db "$BIG" run --today "$TODAY" \
    --smtp "smtp://127.0.0.1:$PORT"; then
	sline=$(grep '^first: [0-9]* enrolled' "$DIR/scenario.out")
	en=${sline#first: }; en=${en%% enrolled*}
	[ "$en" = "$(cat "$DIR/enrol.out")" ] || { FAILED=1; sline="MISMATCH: sqlite3 enrols $(cat "$DIR/enrol.out"); $sline"; }
	row scenario "first purchase" "$SEC" "$MB" "$bs" "$bm" "enrolment as INSERT...SELECT, no mail" \
		"${sline#first: }"
else
	fail scenario "first purchase" "enrolment as INSERT...SELECT, no mail"
fi

# ---- mail: SCALE/10 messages into smtp-sink; the customers are opted in
# to the newsletter here, on the bench database only.
M=$SMALL
say "mail $M messages"
sql "$BIG" "SELECT id FROM customers WHERE merged_into IS NULL AND email <> '' AND
	withdrawn = 0 AND undeliverable = 0 ORDER BY id LIMIT $M" >"$DIR/mail.ids"
sql "$BIG" >>"$DIR/log" 2>&1 <<EOF || FAILED=1
CREATE TEMP TABLE m (id INTEGER PRIMARY KEY);
.import '$DIR/mail.ids' m
UPDATE customers SET newsletter = 1 WHERE id IN (SELECT id FROM m);
EOF
crm-mail --db "$BIG" preview -t "$DIR/news.tmpl" "$(head -n 1 "$DIR/mail.ids")" \
	>"$DIR/one.eml" 2>>"$DIR/log" || FAILED=1
measure /dev/null /dev/null smtp-source -s "$CONC" -m "$M" -d -F "$DIR/one.eml" \
	-f shop@example.com -t bench@example.com "127.0.0.1:$PORT" || FAILED=1
bs=$SEC bm=$MB
if measure "$DIR/mail.out" "$DIR/mail.ids" crm-mail --db "$BIG" send -t "$DIR/news.tmpl" \
    --campaign bench --smtp "smtp://127.0.0.1:$PORT" --connections "$CONC"; then
	sent=$(sql "$BIG" "SELECT count(*) FROM deliveries d JOIN campaigns c ON c.id = d.campaign_id WHERE c.name = 'bench' AND d.status = 'sent'")
	[ "$sent" = "$M" ] || FAILED=1
	row mail "$M messages" "$SEC" "$MB" "$bs" "$bm" "smtp-source, same message and sink" \
		"$sent sent; $CONC connections; $(wc -c <"$DIR/one.eml" | tr -d ' ') bytes each"
else
	fail mail "$M messages" "smtp-source, same message and sink"
fi

# ---- the table
END=$(date +%s)
MODEL=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
RAM=$(awk '/^MemTotal/ { printf "%.0f GB", $2 / 1048576 }' /proc/meminfo)
{
	over=; [ $((END - START)) -gt 900 ] && over=" (over the 15-minute budget)"
	echo "crm bench $(date -u '+%Y-%m-%d %H:%M UTC'): scale $(human "$SCALE") customers, seed $SEED;" \
		"$(nproc) CPUs ($MODEL), $RAM RAM; $((END - START)) s in all$over"
	echo "(time: wall seconds; MB: peak RSS; ratio: crm time / baseline time, both measured in this run;"
	echo " import floor: the crm columns are sqlite3 alone writing the database crm-import wrote)"
	printf '%-13s %-18s %8s %6s %8s %6s %6s  %s\n' benchmark size crm_s crm_MB base_s base_MB ratio 'baseline; notes'
	awk -F'\t' '{ printf "%-13s %-18s %8s %6s %8s %6s %6s  %s; %s\n", $1, $2, $3, $4, $5, $6, $7, $8, $9 }' "$DIR/table.tsv"
} >"$DIR/table.txt"
cat "$DIR/table.txt"
[ "$FAILED" = 0 ] || { echo "bench: something failed or mismatched: see $DIR/log" >&2; exit 1; }
exit 0
