#!/bin/sh
# crm-report cohort: first-order month x months since, the share of the
# cohort that ordered again; cells worked out by hand.
. "$(dirname "$0")/lib.sh"
. "$TESTS/0709-report-setup.sh"
merge_g

# Cohorts: Jan A B C, Feb D E, Mar F G, May H.
#  Jan: A2 (Jan, m0), B2 (Feb, m1), A3 (Mar, m2): 1/3 each; Apr nobody.
#  Feb: D2 (Feb, m0), D3 (Apr, m2), D4 (Jun, m4): 1/2 in m0 and m2.
#  Mar: G2 (May, m2, G2 merged into G): 1/2.
#  May: nobody again; m2 is July, the month of "today" (2026-07-01), so
#  it is a figure (0); m3 is August, after the end date: empty.
is "$(crm-report cohort --months 3 -o csv)" \
"cohort,customers,m0,m1,m2,m3
2026-01,3,0.3333,0.3333,0.3333,0.0000
2026-02,2,0.5000,0.0000,0.5000,0.0000
2026-03,2,0.0000,0.0000,0.5000,0.0000
2026-05,1,0.0000,0.0000,0.0000," "cohort table, 3 months"

is "$(crm-report cohort -o csv | head -n 1)" \
	"cohort,customers,m0,m1,m2,m3,m4,m5,m6,m7,m8,m9,m10,m11,m12" \
	"default: 12 months"
# D4 (June) is m4 of the February cohort: one of two.
is "$(crm-report cohort -o csv | grep '^2026-02' | cut -d, -f3-9)" \
	"0.5000,0.0000,0.5000,0.0000,0.5000,0.0000," \
	"Feb cohort: m4 is D's June order, m6 (August) is empty"

# --from/--to choose cohorts by first-order month; --to is the end date.
is "$(crm-report cohort --months 2 --from 2026-02-01 --to 2026-03-31 -o csv)" \
"cohort,customers,m0,m1,m2
2026-02,2,0.5000,0.0000,
2026-03,2,0.0000,," "cohorts of a window, cells after --to empty"

# Without the merge G2 would be a May cohort of its own (size 2) and the
# March cohort would show nobody coming back.
is "$(crm-report cohort --months 2 --from 2026-05-01 -o csv | tail -n 1)" \
	"2026-05,1,0.0000,0.0000,0.0000" "May cohort is H alone (G2 merged)"

crm-report cohort --from 2026-07-01 -o csv >"$T/out" 2>"$T/err"
is "$?" 1 "no cohort in the window: exit 1"
is "$(cat "$T/out")" "cohort,customers,m0,m1,m2,m3,m4,m5,m6,m7,m8,m9,m10,m11,m12" \
	"... the header is still written"
done_testing
