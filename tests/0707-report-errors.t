#!/bin/sh
# crm-report: bad command lines, missing databases, write errors, empty
# data, and JSON that parses.
. "$(dirname "$0")/lib.sh"

fails 66 "no database: exit 66" crm-report repeat
is "$(ls "$T")" "" "... and none is created"
fails 64 "a bad --by is a usage error before the database is looked for" \
	crm-report repeat --by week
fails 64 "so is a bad --group" crm-report rfm --group vip
. "$TESTS/0709-report-setup.sh"

fails 64 "no subcommand" crm-report
fails 64 "unknown subcommand" crm-report repeats
fails 64 "an extra argument" crm-report repeat extra
fails 64 "--by with an unknown group" crm-report repeat --by week
fails 64 "--by cohort is not for repeat" crm-report repeat --by cohort
fails 64 "--by month is not for ltv" crm-report ltv --by month
fails 64 "--by does not apply to cohort" crm-report cohort --by month
fails 64 "--group does not apply to repeat" crm-report repeat --group loyal
fails 64 "--customers does not apply to ltv" crm-report ltv --customers
fails 64 "--months does not apply to rfm" crm-report rfm --months 3
fails 64 "unknown rfm group" crm-report rfm --group vip
fails 64 "--months 0" crm-report cohort --months 0
fails 64 "--months 121" crm-report cohort --months 121
fails 64 "--months abc" crm-report cohort --months abc
fails 64 "--from garbage" crm-report repeat --from yesterday
fails 64 "impossible date" crm-report repeat --to 2026-02-30
fails 64 "--from after --to" crm-report repeat --from 2026-05-01 --to 2026-04-01
fails 64 "--today garbage" crm-report rfm --today 2026-13-01
fails 64 "unknown output format" crm-report repeat -o xml
fails 64 "unknown shop" crm-report repeat --shop amazon
crm-report repeat --shop amazon 2>"$T/err"
like "$(cat "$T/err")" "no shop 'amazon'" "... named in the message"
crm-report repeats 2>"$T/err"
like "$(cat "$T/err")" "usage: crm-report" "an unknown subcommand prints the usage"
crm-report repeat --by week 2>"$T/err"
is "$(cat "$T/err")" "crm-report: --by: 'week' is not one of month|shop|product" \
	"a bad --by says which values are allowed"

# Relative dates: 90d before CRM_TODAY (2026-07-01) is 2026-04-02.
is "$(crm-report repeat --from 90d -o csv | tail -n 1 | cut -d, -f1)" "2026-04-02.." \
	"--from 90d counts back from today"
is "$(crm-report repeat --by month --from 2026-05-01 -o csv --db "$CRM_DB" | wc -l | tr -d ' ')" 3 \
	"--db names the database"
is "$(CRM_DB=/nonexistent crm-report repeat -o csv --db "$CRM_DB" | wc -l | tr -d ' ')" 2 \
	"--db wins over CRM_DB"

if [ -w /dev/full ]; then
	fails 74 "a write error on stdout: exit 74" sh -c 'crm-report rfm --customers -o csv >/dev/full'
fi
crm-report -v repeat -o csv >/dev/null 2>"$T/err"
like "$(cat "$T/err")" "repeat: orders of every shop" "-v says what the report covers"

# Every report's JSON lines parse, with numbers as numbers.
for r in "repeat --by month" "cohort" "rfm" "rfm --customers" "ltv --by shop" "interval"; do
	crm-report $r -o json | /usr/bin/python3 -c '
import sys, json
rows = [json.loads(l) for l in sys.stdin]
assert rows and all(isinstance(r, dict) for r in rows)
print("ok")' >"$T/json" 2>&1
	is "$(cat "$T/json")" ok "-o json parses: $r"
done
is "$(crm-report repeat -o tsv | head -n 1 | tr '\t' '|')" \
	"period|customers|new|repeat|repeat_rate|orders|sales|new_sales|repeat_sales|repeat_share" "-o tsv"
is "$(crm-report repeat -o ids)" "all" "-o ids prints the first column"

# No valid order at all: figures of nobody, not errors.
sql "UPDATE orders SET status = 'cancelled'"
is "$(crm-report repeat -o csv | tail -n 1)" "all,0,0,0,,0,0,0,0," "repeat over nothing: zeros"
is "$(crm-report rfm -o csv | sed -n 2p)" "champions,0,,0,,," "rfm over nothing: empty groups"
fails 1 "rfm --customers over nothing: exit 1" crm-report rfm --customers
fails 1 "cohort over nothing: exit 1" crm-report cohort
crm-report -q cohort >/dev/null 2>"$T/err"
is "$(cat "$T/err")" "" "-q: no 'nothing to report' warning"
is "$(crm-report interval -o csv | tail -n 1)" "later,0,,,0,0,0,0,0,0,0,0" "interval over nothing"
done_testing
