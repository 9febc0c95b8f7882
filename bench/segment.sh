#!/bin/sh
# bench/segment.sh DB [TODAY]: crm-segment against the equivalent
# hand-written SQL run by the sqlite3 shell, on the same database.
# For every filter and a few compound expressions: the best of 3 wall
# times in ms for --count and for -o ids (to a file), and the ratio.
# The counts of both must agree, and so must the lists of ids (else
# MISMATCH).  Values (a SKU, a shop, a tag, an e-mail) are taken from the
# database so that any data set works.  SEGMENT_REPEAT=N: best of N;
# SEGMENT_COUNTS=0: no --count timings ('-'), for a large database.
set -u
DB=${1:?usage: bench/segment.sh DB [TODAY]}
REPEAT=${SEGMENT_REPEAT:-3}
COUNTS=${SEGMENT_COUNTS:-1}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/segment.XXXXXX") || exit 73
trap 'rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM HUP
TODAY=${2:-$(sqlite3 "$DB" "SELECT substr(max(ordered_at), 1, 10) FROM orders")}
export CRM_DB=$DB CRM_TODAY=$TODAY
one() { sqlite3 "$DB" "$1" | head -n 1; }
day() { sqlite3 "$DB" "SELECT date('$TODAY', '$1')"; }
SKU=$(one "SELECT sku FROM order_items WHERE sku IS NOT NULL GROUP BY sku ORDER BY count(*) DESC LIMIT 1 OFFSET 3")
WORD=$(one "SELECT substr(product, 1, 2) FROM order_items WHERE product IS NOT NULL LIMIT 1")
SHOP=$(one "SELECT name FROM shops ORDER BY id LIMIT 1")
TAG=$(one "SELECT tag FROM tags GROUP BY tag ORDER BY count(*) DESC LIMIT 1")
EKEY=$(one "SELECT email_key FROM identities WHERE email_key IS NOT NULL LIMIT 1 OFFSET 1000")
D30=$(day '-30 days'); D90=$(day '-90 days'); D180=$(day '-180 days'); D365=$(day '-365 days')
Q1=$(day '-120 days'); Q2=$(day '-30 days'); Q2N=$(day '-29 days')
best() { # OUT command...: best wall ms of REPEAT runs; the output in OUT
	o=$1; shift; b=999999; r=0
	while [ "$r" -lt "$REPEAT" ]; do
		r=$((r + 1))
		s=$(date +%s%N); "$@" >"$o" 2>/dev/null; e=$(date +%s%N)
		t=$(( (e - s) / 1000000 )); [ "$t" -lt "$b" ] && b=$t
	done
	echo "$b"
}
ratio() { [ "$1" = - ] && { echo -; return; }; awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / (b > 0 ? b : 1) }'; }
q() { # label hand-written-condition crm-segment-args...
	label=$1; where=$2; shift 2
	c1=- h1=-
	if [ "$COUNTS" != 0 ]; then
		c1=$(best "$TMP/c1" crm-segment --no-stdin --count "$@")
		h1=$(best "$TMP/h1" sqlite3 "$DB" "SELECT count(*) FROM customers WHERE merged_into IS NULL AND ($where)")
		n=$(cat "$TMP/c1") m=$(cat "$TMP/h1")
		[ "$n" = "$m" ] || echo "MISMATCH $label: crm-segment --count $n, sqlite3 $m"
	fi
	c2=$(best "$TMP/c2" crm-segment --no-stdin -o ids "$@")
	h2=$(best "$TMP/h2" sqlite3 "$DB" "SELECT id FROM customers WHERE merged_into IS NULL AND ($where) ORDER BY id")
	n=$(wc -l <"$TMP/c2" | tr -d ' ') m=$(wc -l <"$TMP/h2" | tr -d ' ')
	if ! cmp -s "$TMP/c2" "$TMP/h2"; then
		sort -n "$TMP/c2" >"$TMP/c2s"
		cmp -s "$TMP/c2s" "$TMP/h2" || echo "MISMATCH $label: crm-segment $n ids, sqlite3 $m, not the same"
	fi
	printf '%-32s %8s %7s %7s %5s %7s %7s %5s\n' "$label" "$n" "$c1" "$h1" \
		"$(ratio "$c1" "$h1")" "$c2" "$h2" "$(ratio "$c2" "$h2")"
}
echo "crm-segment vs sqlite3 on $DB ($(one 'SELECT count(*) FROM customers') customers, today $TODAY); ms, best of $REPEAT"
printf '%-32s %8s %7s %7s %5s %7s %7s %5s\n' query rows crm_cnt sql_cnt ratio crm_ids sql_ids ratio
q "--total 50000.."          "total >= 50000" --total 50000..
q "--orders 3.."             "orders >= 3" --orders 3..
q "--last-order 30d.."       "last_order >= '$D30'" --last-order 30d..
q "--first-order 365d..180d" "first_order >= '$D365' AND first_order < date('$D180', '+1 day')" --first-order 365d..180d
q "--registered 90d.."       "registered_at >= '$D90'" --registered 90d..
q "--member"                 "member = 1" --member
q "--guest"                  "member = 0" --guest
q "--pref 東京"              "prefecture = '東京都'" --pref 東京
q "--pref 東京,神奈川"       "prefecture IN ('東京都', '神奈川県')" --pref 東京,神奈川
q "--newsletter yes"         "newsletter = 1" --newsletter yes
q "--notices no"             "notices = 0" --notices no
q "--exclude-withdrawn"      "withdrawn = 0" --exclude-withdrawn
q "--keyword 1234"           "instr(search, '1234') > 0 OR id IN (SELECT customer_id FROM orders WHERE order_no = '1234')" --keyword 1234
q "--bought SKU"             "id IN (SELECT o.customer_id FROM order_items i JOIN orders o ON o.id = i.order_id WHERE o.status = 'ok' AND (i.sku = '$SKU' OR instr(i.product, '$SKU') > 0))" --bought "$SKU"
q "--bought NAME --bought-in" "id IN (SELECT o.customer_id FROM order_items i JOIN orders o ON o.id = i.order_id WHERE o.status = 'ok' AND (i.sku = '$WORD' OR instr(i.product, '$WORD') > 0) AND o.ordered_at >= '$Q1' AND o.ordered_at < '$Q2N')" --bought "$WORD" --bought-in "$Q1..$Q2"
q "--shop"                   "id IN (SELECT o.customer_id FROM orders o JOIN shops s ON s.id = o.shop_id WHERE s.name = '$SHOP' AND o.status = 'ok')" --shop "$SHOP"
q "--tag"                    "id IN (SELECT customer_id FROM tags WHERE tag = '$TAG')" --tag "${TAG:-none}"
q "--coupon"                 "id IN (SELECT customer_id FROM orders WHERE status = 'ok' AND coupon IS NOT NULL AND coupon <> '')" --coupon
q "--subscription"           "id IN (SELECT customer_id FROM orders WHERE status = 'ok' AND subscription = 1)" --subscription
q "--caution"                "caution = 1" --caution
q "--undetermined"           "undetermined = 1" --undetermined
q "email = (any identity)"   "id IN (SELECT customer_id FROM identities WHERE email_key = '$EKEY')" "email = \"$EKEY\""
q "VIP: 2.. 90d.. nl"        "orders >= 2 AND last_order >= '$D90' AND newsletter = 1" --orders 2.. --last-order 90d.. --newsletter yes
q "region: pref total !wd"   "prefecture IN ('東京都', '神奈川県') AND total >= 30000 AND withdrawn = 0" --pref 東京,神奈川 --total 30000.. --exclude-withdrawn
q "lapsed (expression)"      "orders >= 2 AND last_order < '$D180'" 'orders >= 2 and last_order < today - 180d'
q "first-timers last 30d"    "orders = 1 AND first_order >= '$D30'" --orders 1 --first-order 30d..
q "bought_count >= 2"        "id IN (SELECT o.customer_id FROM order_items i JOIN orders o ON o.id = i.order_id WHERE o.status = 'ok' AND (i.sku = '$SKU' OR instr(i.product, '$SKU') > 0) GROUP BY o.customer_id HAVING count(DISTINCT o.id) >= 2)" "bought_count(\"$SKU\") >= 2"
q "name ~ (PCRE vs shell regexp)" "name REGEXP '^佐藤'" 'name ~ "^佐藤"'
