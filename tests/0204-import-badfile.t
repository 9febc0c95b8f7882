#!/bin/sh
# Files that cannot be read as the format at all: a message naming file,
# line and what was expected; nothing written; exit 65.  Missing input 66,
# usage 64.
. "$(dirname "$0")/lib.sh"
cd "$T" || exit 1

printf 'order_id,ordered_at,email,total\nok1,2026-11-01,a@example.jp,100\n' > good.csv
crm-import good.csv 2>/dev/null
base=$(sqlite3 "$CRM_DB" .dump | cksum)

printf 'order_id,email,total\n1,a@example.jp,100\n' > nodate.csv
crm-import nodate.csv 2>err; is "$?" 65 "missing column: exit 65"
is "$(cat err)" "crm-import: nodate.csv: line 1: required column ordered_at is missing (expected a header: ordered_at)" "missing column: message"

printf 'order_id,ordered_at,email,total\n1,2026-11-01,a@example.jp,100\n2,2026-11-01,"b@example.jp,100\n3,2026-11-01,c@example.jp,100\n' > quote.csv
crm-import quote.csv 2>err; is "$?" 65 "unterminated quote: exit 65"
like "$(cat err)" "^crm-import: quote.csv: line 3: .*quote" "unterminated quote: file, line and what"

printf 'order_id,ordered_at,name,total\n1,2026-11-01,\202\240\202\242,100\n2,2026-11-01,\202\377\202,100\n' > garbage.csv
crm-import -e cp932 garbage.csv 2>err; is "$?" 65 "CP932 garbage: exit 65"
like "$(cat err)" "^crm-import: garbage.csv: line 3" "CP932 garbage: names the line"

printf 'order_id,ordered_at,name,total\n1,2026-11-01,\202\240,100\n' > sjis.csv
crm-import -e utf-8 sjis.csv 2>err; is "$?" 65 "CP932 read as UTF-8: exit 65"
like "$(cat err)" "^crm-import: sjis.csv: line 2" "CP932 read as UTF-8: names the line"

printf 'order_id,ordered_at,email,total\n' > empty-body.csv
: > empty.csv
crm-import empty.csv 2>err; is "$?" 65 "empty file: exit 65"
is "$(cat err)" "crm-import: empty.csv: empty input: expected a header line" "empty file: message"
crm-import empty-body.csv 2>err; is "$?" 0 "header only: exit 0"

# A bad file after a good one in the same call: nothing of either lands.
printf 'order_id,ordered_at,email,total\nnew1,2026-11-02,n@example.jp,100\n' > new.csv
crm-import new.csv quote.csv 2>/dev/null; is "$?" 65 "good then bad: exit 65"
is "$(sqlite3 "$CRM_DB" .dump | cksum)" "$base" "bad files: the database is as before"
ok "bad files: no rejects files left" test ! -e new.csv.rejects.csv

crm-import no-such-file.csv 2>err; is "$?" 66 "missing file: exit 66"
is "$(cat err)" "crm-import: no-such-file.csv: No such file or directory" "missing file: message"
crm-import good.csv no-such-file.csv 2>/dev/null; is "$?" 66 "missing second file: exit 66"
is "$(sql "select count(*) from orders")" "1" "missing second file: nothing written"
crm-import -m no-such.map good.csv 2>/dev/null; is "$?" 66 "missing mapping file: exit 66"
crm-import -f no-such-format good.csv 2>err; is "$?" 64 "unknown format: exit 64"
like "$(cat err)" "no such format" "unknown format: message"
crm-import -f shopify -m x.map good.csv 2>/dev/null; is "$?" 64 "-f and -m: exit 64"
crm-import -e latin9 good.csv 2>/dev/null; is "$?" 64 "unknown encoding: exit 64"
crm-import -o json good.csv 2>/dev/null; is "$?" 64 "-o json: exit 64"
crm-import --customers -f shopify good.csv 2>/dev/null; is "$?" 64 "--customers with an order format: exit 64"
crm-import -f rakuten good.csv 2>err; is "$?" 65 "wrong preset: exit 65"
like "$(cat err)" "good.csv: line 1: not a rakuten file: expected the headers of one of: \\[legacy\\] 受注番号, 注文者名字; \\[pay\\] 注文番号, 注文者姓" "wrong preset: names the expected headers"
done_testing
