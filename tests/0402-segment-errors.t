#!/bin/sh
# crm-segment: every error message, the caret under the right column, and
# the exit code (64 usage, 65 unknown segment, 66 no database).
. "$(dirname "$0")/lib.sh"

# err ARGS...: stderr of crm-segment, exit code in $rc
err() { crm-segment "$@" </dev/null 2>"$T/err" >"$T/out"; rc=$?; got=$(cat "$T/err"); }
NL='
'
# expr_err EXPR MESSAGE CARET-LINE NAME: the three lines of a syntax error
expr_err() {
	err "$1"
	is "$rc" 64 "$4: exit 64"
	is "$got" "crm-segment: $2$NL    $1$NL$3" "$4: message and caret"
}

# Before there is a database: 66
fails 66 "no database: exit 66" crm-segment --count
err 'orders >='
unlike "$got" "^crm-segment: expected" "no database is reported first"

. "$TESTS/0499-segment-data.sh"

expr_err 'orders >=' "expected a number, found end of expression (column 10)" \
	"             ^" "missing value"
expr_err 'orders >= 2 and' "expected a field, not or '(', found end of expression (column 16)" \
	"                   ^" "dangling and"
expr_err 'orders > "x"' "expected a number, found '\"x\"' (column 10)" \
	"             ^" "text for a number"
expr_err 'orders ~ "x"' "orders is a number: use =, !=, <, <=, >, >=, between or in (column 8)" \
	"           ^" "regex on a number"
expr_err 'pref > 東京' "pref is text: use =, !=, ~, !~, contains or in (column 6)" \
	"         ^" "order comparison on text"
expr_err 'pref = 東亰' "pref: unknown prefecture '東亰' (column 8)" \
	"           ^" "unknown prefecture (caret counts wide characters)"
expr_err 'member = maybe' "expected yes or no, found 'maybe' (column 10)" \
	"             ^" "bad yes/no"
expr_err 'member > 1' "member is yes or no: use member, not member, member = yes or member = no (column 8)" \
	"           ^" "comparison on a yes/no field"
expr_err 'last_order > 2026-02-30' "expected a date like 2026-01-31, found '2026-02-30' (column 14)" \
	"                 ^" "impossible date"
expr_err 'last_order contains 1' "last_order is a date: use =, !=, <, <=, >, >=, between or in (column 12)" \
	"               ^" "contains on a date"
expr_err 'last_order >= today - x' "expected a number of days like 90d, found 'x' (column 23)" \
	"                          ^" "today - something else"
expr_err '(orders > 1' "expected ')' or and/or, found end of expression (column 12)" \
	"               ^" "unclosed parenthesis"
expr_err 'orders > 1)' "expected and, or, or the end of the expression, found ')' (column 11)" \
	"              ^" "stray parenthesis"
expr_err 'name = "abc' 'unterminated string: expected a closing " (column 8)' \
	"           ^" "unterminated string"
expr_err 'bought(TEA-1)' "expected ')' or ', FROM..TO' (a date range; quote a SKU like \"TEA-1\"), found '-' (column 11)" \
	"              ^" "unquoted SKU with a hyphen"
expr_err 'bought("")' "empty SKU or product name (column 10)" \
	"             ^" "empty SKU"
expr_err 'bought_count("x")' "expected a comparison after bought_count(...) (=, !=, <, <=, >, >=, between), found end of expression (column 18)" \
	"                     ^" "bought_count without comparison"
expr_err 'orders > 1.5' "orders takes a whole number (column 10)" \
	"             ^" "fraction for a count"
expr_err 'orders ! 1' "unexpected '!' (did you mean != or not?) (column 8)" \
	"           ^" "lone !"
expr_err 'email = "x"' "email: 'x' is not an e-mail address (expected local@domain.example) (column 9)" \
	"            ^" "bad e-mail value"
expr_err 'name ~ "("' 'bad regular expression "(": missing closing parenthesis at offset 1 (column 8)' \
	"           ^" "bad regular expression"
expr_err '名前 = 1' "expected a field, not or '(', found '名前' (column 1)" \
	"    ^" "non-ASCII word as a field"
expr_err 'tag = and' "expected a value (a \"quoted string\" or a word), found 'and' (column 7)" \
	"          ^" "keyword as a value"
expr_err 'orders 5' "expected an operator after 'orders' (=, !=, <, <=, >, >=, between, in) (column 8)" \
	"           ^" "no operator"
expr_err '@' "unexpected character '@' (column 1)" "    ^" "bad character"
expr_err 'pref in (東京, "")' "pref: empty value (column 16)" \
	"                   ^" "empty prefecture in a list"
expr_err 'name = "山田" and 東京' "expected a field, not or '(', found '東京' (column 19)" \
	"                      ^" "caret after wide characters (two columns each)"

deep=$(printf 'not %.0s' $(seq 16))member
err "$deep"
is "$rc" 64 "16 nested nots and a field: exit 64"
like "$got" "^crm-segment: expression nested too deeply \\(16 levels of parentheses, not and in_segment at most\\) \\(column 65\\)" \
	"nesting is bounded (SQLite's parser stack)"
is "$(seg "$(printf 'not %.0s' $(seq 14))member")" "a f g" "15 levels are fine"
deep="$(printf '(member or %.0s' $(seq 15))orders > 1$(printf ')%.0s' $(seq 15))"
is "$(seg "$deep")" "a d f g" "15 nested parentheses with or are fine"
err 'totl > 3'
is "$rc" 64 "unknown field: exit 64"
like "$got" "^crm-segment: unknown field 'totl'; known fields: id, orders, total, aov, first_order, last_order, registered, member, guest, newsletter, notices, withdrawn, caution, undetermined, undeliverable, name, kana, email, phone, postcode, pref, address, birthday, member_id, shop, tag, coupon, order_no, subscription; functions: bought\(\), bought_count\(\), keyword\(\), in_segment\(\) \(column 1\)" \
	"unknown field lists the known fields"
err --pref 東京 'orders >'
like "$got" "^    orders >$" "with flags, the expression shown is the one typed"

err 'in_segment("nope")'
is "$rc" 65 "unknown segment in an expression: exit 65"
like "$got" "no saved segment named 'nope'" "unknown segment named"

# Bad flag values
flag_err() {
	want=$1; shift
	err "$@"
	got=$(head -n 1 "$T/err")
	is "$rc" 64 "$*: exit 64"
	is "$got" "crm-segment: $want" "$*: message"
}
flag_err "--total: 'abc' is not an amount (10000, 10,000 or ¥10,000)" --total abc
flag_err "--total: 5000..1000: the lower bound is above the upper" --total 5000..1000
flag_err "--orders: '-1' is not a number of orders" --orders -1
flag_err "--last-order: '2026-13-01' is not a date (2026-01-31) or a number of days (90d)" --last-order 2026-13-01
flag_err "--last-order: expected MIN..MAX, MIN.. or ..MAX" --last-order ..
flag_err "--registered: '5x' is not a date (2026-01-31) or a number of days (90d)" --registered 5x..
flag_err "--pref: unknown prefecture '東亰'" --pref 東亰
flag_err "--pref: empty list" --pref ,
flag_err "--newsletter: expected yes or no, found 'maybe'" --newsletter maybe
flag_err "--keyword: empty value" --keyword ''
flag_err "--count and --stats exclude each other and --explain" --count --stats
flag_err "--count and --stats exclude each other and --explain" --stats --explain
flag_err "list takes no filters or expression" list extra
flag_err "segment name 'bad\"name': no spaces, quotes, backslashes or control characters" save 'bad"name'
err --bought-in 2026-01-01..
is "$rc" 64 "--bought-in alone: exit 64"
like "$got" "^crm-segment: --bought-in needs --bought" "--bought-in alone: message"
err -o xml
is "$rc" 64 "-o xml: exit 64"
err --columns id,foo
is "$rc" 64 "--columns foo: exit 64"
like "$got" "^crm-segment: --columns: unknown column 'foo'; known columns: id, name," "--columns foo: message"
err --sort -foo
like "$got" "^crm-segment: --sort: unknown column 'foo'" "--sort foo: message"
err --limit x
is "$rc" 64 "--limit x: exit 64"
err save
is "$rc" 64 "save without a name: exit 64"
like "$got" "^crm-segment: save: a segment name is needed" "save without a name: message"
fails 64 "unknown option: exit 64" crm-segment --no-such-flag
for c in "show nope" "rm nope" "-S nope"; do
	err $c
	is "$rc" 65 "$c: exit 65"
	is "$got" "crm-segment: no saved segment named 'nope' (see crm-segment list)" "$c: message"
done
is "$(sql 'SELECT count(*) FROM segments')" 0 "no segment written by any error"
done_testing
