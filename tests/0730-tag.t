#!/bin/sh
# crm-tag: add, rm, list, caution on/off; customers on stdin as ids,
# e-mail addresses or CSV; all or nothing; tag name rules; bad input.
. "$(dirname "$0")/lib.sh"
. "$TESTS/0739-show-setup.sh"
crm-dedupe -q merge 4 5 >/dev/null 2>&1

tags() { sql "SELECT group_concat(customer_id || ':' || tag, ' ') FROM (SELECT * FROM tags ORDER BY customer_id, tag)"; }

# add: ids and e-mail addresses mixed; the count of customers changed.
printf '1\nhanako@example.jp\n' | crm-tag add vip >"$T/out" 2>"$T/err"
is "$?" 0 "add: exit 0"
is "$(cat "$T/out")" 2 "add: 2 customers changed"
is "$(cat "$T/err")" "crm-tag: 2 tagged, 0 unchanged" "add: summary on stderr"
is "$(tags)" "1:vip 3:vip" "add: the rows"
is "$(printf '3\n1\n' | crm-tag add vip 2>"$T/err")" 0 "add again: nothing changes"
is "$(cat "$T/err")" "crm-tag: 0 tagged, 2 unchanged" "add again: summary"
is "$(printf '1\n1\ntaro@example.jp\n' | crm-tag -q add 卸)" 1 "one customer named three times counts once"
# CSV with an id column, an email column, a phone column.
is "$(printf 'name,id\nx,2\n' | crm-tag -q add vip)" 1 "CSV with an id column"
is "$(printf 'email,name\nICHIRO@example.jp,x\n' | crm-tag -q add 卸)" 1 "CSV with an email column (any case)"
is "$(printf 'phone\n090-1111-2222\n' | crm-tag -q add phone-tag)" 1 "CSV with a phone column"
# A merged-away id stands for the survivor.
is "$(echo 5 | crm-tag -q add 卸)" 1 "merged-away id: tags the survivor"
is "$(tags)" "1:phone-tag 1:vip 1:卸 2:vip 2:卸 3:vip 4:卸" "the rows after all adds"

# list: tags with their customer counts, sorted.
is "$(crm-tag list)" "tag,customers
phone-tag,1
vip,3
卸,3" "list (CSV to a pipe)"
is "$(crm-tag list -o json)" '{"tag":"phone-tag","customers":1}
{"tag":"vip","customers":3}
{"tag":"卸","customers":3}' "list -o json"
is "$(crm-tag list -o ids)" "phone-tag
vip
卸" "list -o ids"

# rm
is "$(printf '2\n3\n4\n' | crm-tag -q rm vip)" 2 "rm: two had it, one did not"
is "$(echo 1 | crm-tag -q rm phone-tag)" 1 "rm the only one"
is "$(tags)" "1:vip 1:卸 2:卸 4:卸" "rm: the rows"
is "$(crm-tag list)" "tag,customers
vip,1
卸,3" "list after rm: an unused tag is gone"

# Unknown customers: each named with its line; nothing written.
before=$(tags)
printf '1\n99\nnobody@example.jp\n2\n' | crm-tag add new >"$T/out" 2>"$T/err"
is "$?" 65 "unknown customers: exit 65"
is "$(cat "$T/out")" "" "unknown customers: nothing on stdout"
is "$(cat "$T/err")" "crm-tag: stdin:2: no customer '99'
crm-tag: stdin:3: no customer 'nobody@example.jp'
crm-tag: 2 unknown customers on stdin; nothing changed" "unknown customers: named with their lines"
is "$(tags)" "$before" "unknown customers: nothing written"
printf 'id\n1\n77\n' | crm-tag add new >/dev/null 2>"$T/err"
is "$?" 65 "CSV: unknown id: exit 65"
is "$(head -n 1 "$T/err")" "crm-tag: stdin:3: no customer '77'" "CSV: the line is the file's line"
printf 'id\n1\nabc\n' | crm-tag add new >/dev/null 2>"$T/err"
is "$?" 65 "CSV: not an id: exit 65"
is "$(cat "$T/err")" "crm-tag: stdin: line 3: id: not a customer id: 'abc'" "CSV: not an id: named"
printf '1,2\n' | crm-tag add new >/dev/null 2>"$T/err"
is "$?" 65 "two values on a bare line: exit 65"
printf 'hello\n' | crm-tag add new >/dev/null 2>"$T/err"
is "$?" 65 "a bare word: exit 65"
is "$(tags)" "$before" "bad lists: nothing written"

# Empty input.
crm-tag add new </dev/null >"$T/out" 2>"$T/err"
is "$?" 1 "empty stdin: exit 1"
is "$(cat "$T/err")" "crm-tag: no customers on stdin" "empty stdin: says so"
fails 1 "only a header: exit 1" sh -c "printf 'id\n' | crm-tag add new"

# Tag names.
err() { echo 1 | crm-tag "$@" >/dev/null 2>"$T/err"; echo "$? $(cat "$T/err")"; }
is "$(err add '')" "64 crm-tag: empty tag" "empty tag"
is "$(err add 'a b')" "64 crm-tag: tag 'a b': no spaces, control or invisible characters" "a space"
is "$(err add 'a　b')" "64 crm-tag: tag 'a　b': no spaces, control or invisible characters" "an ideographic space (U+3000)"
is "$(err add "$(printf 'a\tb')")" "64 crm-tag: tag 'a	b': no spaces, control or invisible characters" "a tab"
is "$(err add "$(printf 'a\342\200\213b')" | cut -c1-12)" "64 crm-tag: " "a zero-width space (U+200B)"
is "$(err add 'a,b')" "64 crm-tag: tag 'a,b': no commas or quotes" "a comma"
is "$(err add 'a"b')" "64 crm-tag: tag 'a\"b': no commas or quotes" "a quote"
is "$(err add -- -x)" "64 crm-tag: tag '-x' starts with '-'" "a leading '-'"
is "$(err add "$(printf 'a\377b')")" "64 crm-tag: tag is not valid UTF-8" "invalid UTF-8"
t32=$(printf 'あ%.0s' $(seq 32)); t33=$(printf 'あ%.0s' $(seq 33))
is "$(err add "$t33")" "64 crm-tag: tag longer than 32 characters" "33 characters"
is "$(err add "$(printf 'a%.0s' $(seq 129))")" "64 crm-tag: tag longer than 128 bytes" "129 bytes"
is "$(echo 1 | crm-tag -q add "$t32")" 1 "32 characters (96 bytes) are fine"
is "$(echo 1 | crm-tag -q add 'VIP')" 1 "VIP is not vip: compared exactly"
is "$(sql "SELECT count(*) FROM tags WHERE customer_id = 1 AND tag IN ('vip', 'VIP', '$t32')")" 3 "... three tags"

# Caution.
cau() { sql "SELECT caution || ':' || coalesce(caution_reason, '-') FROM customers WHERE id = $1"; }
is "$(echo 2 | crm-tag caution on --reason '返品が多い' 2>"$T/err")" 1 "caution on: 1 changed"
is "$(cat "$T/err")" "crm-tag: 1 caution on, 0 unchanged" "caution on: summary"
is "$(cau 2)" "1:返品が多い" "caution on: flag and reason"
is "$(echo 2 | crm-tag -q caution on)" 0 "caution on again without a reason: unchanged"
is "$(cau 2)" "1:返品が多い" "... the reason is kept"
is "$(echo 2 | crm-tag -q caution on --reason '電話で強い口調')" 1 "a new reason is a change"
is "$(cau 2)" "1:電話で強い口調" "... the new reason"
is "$(printf '2\n3\n' | crm-tag -q caution on)" 1 "caution on for two, one already on"
is "$(cau 3)" "1:-" "caution without a reason"
is "$(printf '2\n3\n1\n' | crm-tag -q caution off)" 2 "caution off: two were on"
is "$(cau 2) $(cau 3) $(cau 1)" "0:- 0:- 0:-" "caution off: flag and reason cleared"
is "$(err caution off --reason x | head -n 1)" "64 crm-tag: --reason goes with caution on only" "caution off takes no reason"
is "$(err caution maybe | head -n 1)" "64 crm-tag: caution takes on or off" "caution maybe: usage"
is "$(err caution | head -n 1)" "64 crm-tag: caution takes on or off" "caution without on/off: usage"
is "$(err caution on --reason '')" "64 crm-tag: --reason: one line, 1 to 1000 bytes" "empty reason"
is "$(err caution on --reason "$(printf 'a\nb')")" "64 crm-tag: --reason: one line, 1 to 1000 bytes" "two-line reason"
is "$(err caution on --reason "$(printf 'a%.0s' $(seq 1001))")" "64 crm-tag: --reason: one line, 1 to 1000 bytes" "1001-byte reason"

# Usage.
like "$(err)" "^64 crm-tag: a command is needed: add, rm, caution or list
usage" "no command"
is "$(err frob x | head -n 1)" "64 crm-tag: unknown command" "unknown command"
is "$(err add | head -n 1)" "64 crm-tag: one TAG is needed" "add without a tag"
is "$(err add a b | head -n 1)" "64 crm-tag: one TAG is needed" "add with two tags"
is "$(err add a --reason x | head -n 1)" "64 crm-tag: --reason goes with caution on only" "--reason with add"
is "$(err add a -o csv | head -n 1)" "64 crm-tag: -o goes with list only" "-o with add"
is "$(err list extra | head -n 1)" "64 crm-tag: list takes no argument and no --reason" "list with an argument"
fails 64 "list -o bad" crm-tag list -o xml

# No database: 66, none made.
echo 1 | crm-tag --db "$T/none.db" add x >/dev/null 2>&1
is "$?" 66 "no database: exit 66"
ok "no database: none created" test ! -e "$T/none.db"
mkdir "$T/empty"
(cd "$T/empty" && CRM_DB= crm-tag list >/dev/null 2>&1); is "$?" 66 "list without a database: exit 66"

# A locked database: exit 75, nothing written.
before=$(tags)
( printf 'BEGIN IMMEDIATE;\nUPDATE meta SET value = value;\n.shell touch %s\n' "$T/locked"; sleep 3; printf 'ROLLBACK;\n' ) | sqlite3 "$CRM_DB" &
holder=$!
i=0; while [ ! -e "$T/locked" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
ok "another process holds the write lock" test -e "$T/locked"
echo 1 | CRM_BUSY_TIMEOUT=100 crm-tag add locked >"$T/out" 2>"$T/err"
is "$?" 75 "locked: exit 75"
like "$(cat "$T/err")" "locked" "locked: says so"
echo 1 | CRM_BUSY_TIMEOUT=100 crm-tag caution on >/dev/null 2>&1
is "$?" 75 "locked: caution on: exit 75"
wait "$holder"
is "$(tags)" "$before" "locked: nothing written"
is "$(cau 1)" "0:-" "locked: caution untouched"
is "$(echo 1 | crm-tag -q add locked)" 1 "after the lock: works"

# An empty tag table: list exits 1.
sql "DELETE FROM tags"
crm-tag list >"$T/out"; is "$?" 1 "list with no tags: exit 1"
is "$(cat "$T/out")" "tag,customers" "list with no tags: the header only"
done_testing
