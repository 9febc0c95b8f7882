#!/bin/sh
# zsh completions, run: every completions/zsh/_crm-X parses (zsh -n) and,
# driven by zsh's own completion system in an interactive zsh under a
# pseudo-terminal (tests/data/zsh/complete.zsh), offers each binary's long
# options (all those --help names, none its getopt table lacks), the
# subcommands, the fixed values of option arguments, names from the
# database (--db or CRM_DB) and files by suffix.  Expected values come from
# --help, the source's getopt tables, share/formats and by hand.
# zsh missing is a failure: tools/deps.sh installs it.
. "$(dirname "$0")/lib.sh"

if ! command -v zsh >/dev/null 2>&1; then
	_result 1 "zsh is installed (tools/deps.sh installs it)"
	done_testing
fi

Z=$SRC/completions/zsh
BINS="crm-import crm-dedupe crm-segment crm-mail crm-optout crm-scenario crm-report crm-show crm-tag"
is "$(cd "$SRC/cmd" && ls crm-*.c | sed 's/\.c$//' | sort | paste -s -d ' ' -)" \
	"$(printf '%s\n' $BINS | sort | paste -s -d ' ' -)" "every binary of cmd/ is tested here"

# 1. syntax, and the #compdef line compinit binds the function by
for f in "$Z"/_crm-*; do
	b=${f##*/_}
	out=$(zsh -n "$f" 2>&1)
	is "$?:$out" "0:" "zsh -n _$b"
	is "$(head -n 1 "$f")" "#compdef $b" "_$b: #compdef $b"
done

# subcommands, by hand from each usage (crm-segment: or an expression)
subs() {
	case $1 in
	crm-dedupe) echo rules run pending confirm reject merge split history clusters ;;
	crm-segment) echo save list show rm ;;
	crm-mail) echo send preview log ;;
	crm-scenario) echo add edit run list show customers enroll hold release undeliverable dm-export pause resume rm ;;
	crm-report) echo repeat cohort rfm ltv interval campaign ;;
	crm-tag) echo add rm caution list ;;
	esac
}

# The data the completions read: shops, tags, a segment, a scenario in
# $CRM_DB; another tag in other.db; files of three kinds.
cd "$T" || exit 1
printf 'order_id,ordered_at,shop,email,name,total\nA-1,2026-09-01,web,a@example.jp,山田 太郎,1000\nR-1,2026-09-02,rakuten,b@example.jp,鈴木 花子,2000\n' >orders.csv
printf 'Subject: hello\n\nhello\n' >a.tmpl
printf 'order_id = id\n' >mine.map
mkdir sub
{
	crm-import -q orders.csv && echo 1 | crm-tag -q add vip && echo 2 | crm-tag -q add 卸 &&
	crm-segment -q save big --total 1500.. &&
	crm-scenario -q add welcome --trigger 'orders = 1' --step 3:mail:a.tmpl &&
	crm-import -q --db other.db orders.csv && echo 1 | crm-tag -q --db other.db add gold
} >/dev/null 2>&1 || { echo "Bail out! cannot set up the databases"; exit 1; }

# The command lines to complete: "X --" and "X SUB --" for every binary,
# the first word of those with subcommands, then the values.
{
	for b in $BINS; do
		echo "$b --"
		[ -n "$(subs $b)" ] && echo "$b "
		for s in $(subs $b); do echo "$b $s --"; done
	done
	cat <<'EOF'
crm-report --db x 
crm-report -o csv repeat --
crm-report -o 
crm-report repeat --by 
crm-report ltv --by 
crm-report rfm --group 
crm-report campaign --window 
crm-segment 'orders >= 1' --
crm-segment --sort -t
crm-segment --columns id,na
crm-segment --newsletter 
crm-segment -S 
crm-segment --shop 
crm-segment --tag 
crm-segment show 
crm-import -f 
crm-import --format=
crm-import -qf 
crm-import -e 
crm-import -o 
crm-import -m 
crm-import 
crm-dedupe rules name+ph
crm-dedupe rules --shop 
crm-dedupe pending -o 
crm-mail send -t 
crm-mail send --smtp 
crm-mail send -S 
crm-mail log --status 
crm-optout --channel 
crm-optout --list -o 
crm-scenario add x --anchor 
crm-scenario add x --step 3:
crm-scenario add x --step=3:mail:
crm-scenario add x --segment 
crm-scenario run --smtp=
crm-scenario customers --status 
crm-scenario dm-export welcome -e 
crm-scenario show 
crm-show -o 
crm-tag caution 
crm-tag list -o 
crm-tag add 
crm-tag --db other.db add 
crm-segment --db other.db --tag 
EOF
} >requests
start=$(date +%s)
timeout 60 zsh -f "$TESTS/data/zsh/complete.zsh" "$Z" <requests >zout 2>zerr
is "$?" 0 "complete.zsh: every line answered, none timed out"
echo "# complete.zsh: $(wc -l <requests | tr -d ' ') lines in $(($(date +%s) - start)) s"
is "$(cat zerr)" "" "complete.zsh: nothing on stderr"
is "$(grep -c '^### ' zout)" "$(wc -l <requests | tr -d ' ')" "complete.zsh: one answer per line"
is "$(grep '^!!! ' zout)" "" "no error messages from the completion functions"

# answers: "LINE<TAB>WORDS", the words offered for LINE sorted, one
# line per request; got LINE prints them
tab=$(printf '\t')
awk '/^### / { n++; line = substr($0, 5); print n "\t" line "\t"; next }
	/^!!! / { next }
	{ print n "\t" line "\t" $0 }' zout | sort -t "$tab" -k1,1n -k3 -u |
awk -F '\t' '$1 != n { if (n) print line "\t" w; n = $1; line = $2; w = "" }
	$3 != "" { w = w == "" ? $3 : w " " $3 }
	END { if (n) print line "\t" w }' >answers
got() { awk -F '\t' -v want="$1" '$1 == want { print $2; exit }' answers; }
# words WORD...: the same shape
words() { printf '%s\n' "$@" | sort -u | paste -s -d ' ' -; }
# minus "A B C" "B": the words of A not in B
minus() {
	_m=
	for w in $1; do
		case " $2 " in *" $w "*) ;; *) _m="$_m${_m:+ }$w" ;; esac
	done
	echo "$_m"
}

# 2. long options: every one --help names is offered somewhere (before or
# after a subcommand); every one offered is in the getopt table; the
# options of every binary are offered before any subcommand.
for b in $BINS; do
	help=$(words $("$b" --help 2>&1 | grep -oE -- '--[a-z][a-z0-9-]*'))
	table=$(words $(grep -oE '\{ *"[a-z][a-z0-9-]*", *(no|required|optional)_argument' "$SRC/cmd/$b.c" |
		sed -E 's/\{ *"([^"]*)".*/--\1/'))
	top=$(got "$b --")
	all=$top
	for s in $(subs $b); do all="$all $(got "$b $s --")"; done
	all=$(words $all)
	like "$top" "--db" "$b --: offers options"
	is "$(minus "--db --help --quiet --verbose --version" "$top")" "" "$b --: the options every binary has"
	is "$(minus "$help" "$all")" "" "$b: every long option of --help is offered"
	is "$(minus "$all" "$table")" "" "$b: every long option offered is in its getopt table"
done
is "$(got 'crm-import --')" "$(words --format --map --shop --encoding --customers --rejects \
	--strict --dry-run --output --db --quiet --verbose --help --version)" "crm-import --: all its options"
is "$(got 'crm-optout --')" "$(words --channel --reason --token --config --list --output \
	--db --quiet --verbose --help --version)" "crm-optout --: all its options"
is "$(got 'crm-show --')" "$(words --output --db --quiet --verbose --help --version)" \
	"crm-show --: all its options"
is "$(got 'crm-dedupe run --')" "$(words --threshold --auto-merge --dry-run \
	--db --quiet --verbose --help --version)" "crm-dedupe run --: its options, no others"
like "$(got 'crm-mail send --')" "--retry-unknown .*--smtp .*--template" "crm-mail send --"
unlike "$(got 'crm-mail send --')" "--status" "crm-mail send --: not log's --status"
like "$(got 'crm-mail log --')" "--status" "crm-mail log --: --status"
like "$(got 'crm-scenario add --')" "--step .*--trigger" "crm-scenario add --"
like "$(got 'crm-scenario dm-export --')" "--encoding .*--step" "crm-scenario dm-export --"
like "$(got 'crm-tag caution --')" "--reason" "crm-tag caution --: --reason"
like "$(got "crm-segment 'orders >= 1' --")" "--count .*--explain .*--stats" \
	"crm-segment EXPRESSION --: options after an expression"
# campaign refuses --from and --to: neither is offered
crm-report --from 2026-01-01 campaign x >/dev/null 2>&1
is "$?" 64 "crm-report campaign refuses --from"
is "$(got 'crm-report campaign --')" "$(words --output --shop --today --window \
	--db --quiet --verbose --help --version)" "crm-report campaign --: --window, not --from/--to"
like "$(got 'crm-report repeat --')" "--by .*--from .*--to" "crm-report repeat --: --by --from --to"
like "$(got 'crm-report -o csv repeat --')" "--by" "crm-report -o csv repeat --: options first, --by still offered"

# 3. subcommands: the first word; each one is in --help too
for b in $BINS; do
	[ -n "$(subs $b)" ] || continue
	is "$(got "$b ")" "$(words $(subs $b))" "$b: the first word completes to its subcommands"
	h=$("$b" --help 2>&1)
	nf=
	for s in $(subs $b); do
		printf '%s\n' "$h" | grep -qE -- "(^|[ |])$s( |\$)" || nf="$nf $s"
	done
	is "$nf" "" "$b: each subcommand is in --help"
done
is "$(got 'crm-report --db x ')" "$(words $(subs crm-report))" "crm-report --db x: options first, reports still offered"

# 4. fixed values
formats=$(words $(cd "$SRC/share/formats" && ls *.map | sed 's/\.map$//'))
is "$(got 'crm-import -f ')" "$formats" "crm-import -f: the presets of share/formats"
is "$(awk '/^### crm-import -f $/ { on = 1; next } /^### / { on = 0 } on' zout | wc -l | tr -d ' ')" \
	"$(echo $formats | wc -w | tr -d ' ')" "crm-import -f: each preset once"
is "$(got 'crm-import --format=')" "$formats" "crm-import --format="
is "$(got 'crm-import -qf ')" "$formats" "crm-import -qf (clustered)"
is "$(got 'crm-import -e ')" "$(words utf-8 cp932 auto)" "crm-import -e"
is "$(got 'crm-import -o ')" "$(words csv ids)" "crm-import -o"
is "$(got 'crm-report -o ')" "$(words table csv tsv json ids svg)" "crm-report -o"
is "$(got 'crm-report repeat --by ')" "$(words month shop product)" "crm-report repeat --by"
is "$(got 'crm-report ltv --by ')" "$(words cohort shop)" "crm-report ltv --by"
is "$(got 'crm-report rfm --group ')" "$(words $(crm-report --help 2>&1 | sed -n 's/^groups: //p'))" \
	"crm-report rfm --group: the groups of --help"
is "$(got 'crm-report campaign --window ')" "$(words 7d 14d 30d 60d 90d)" "crm-report campaign --window"
is "$(got 'crm-segment --sort -t')" "$(words -tags -total)" "crm-segment --sort -t: descending columns"
is "$(got 'crm-segment --columns id,na')" "name" "crm-segment --columns id,na: the second column"
is "$(got 'crm-segment --newsletter ')" "$(words yes no)" "crm-segment --newsletter"
is "$(got 'crm-dedupe rules name+ph')" "phone" "crm-dedupe rules name+ph: the next field"
is "$(got 'crm-dedupe pending -o ')" "$(words table csv tsv json ids)" "crm-dedupe pending -o"
is "$(got 'crm-mail send --smtp ')" "$(words smtp:// smtps://)" "crm-mail send --smtp"
is "$(got 'crm-mail log --status ')" "$(words sent deferred failed unknown)" "crm-mail log --status"
is "$(got 'crm-optout --channel ')" "$(words newsletter notices all)" "crm-optout --channel"
is "$(got 'crm-optout --list -o ')" "$(words table csv tsv json ids)" "crm-optout -o"
is "$(got 'crm-scenario add x --anchor ')" "$(words ordered shipped)" "crm-scenario add --anchor"
is "$(got 'crm-scenario add x --step 3:')" "$(words mail: dm call)" "crm-scenario add --step 3: the step kinds"
is "$(got 'crm-scenario run --smtp=')" "$(words smtp:// smtps://)" "crm-scenario run --smtp="
is "$(got 'crm-scenario customers --status ')" "$(words ready held paused done undeliverable)" \
	"crm-scenario customers --status"
is "$(got 'crm-scenario dm-export welcome -e ')" "$(words utf-8 cp932)" "crm-scenario dm-export -e"
is "$(got 'crm-show -o ')" "$(words text json)" "crm-show -o"
is "$(got 'crm-tag caution ')" "$(words on off)" "crm-tag caution: on off"
is "$(got 'crm-tag list -o ')" "$(words table csv tsv json ids)" "crm-tag list -o"

# 5. names from the database: $CRM_DB, or --db
is "$(got 'crm-tag add ')" "$(words vip 卸)" "crm-tag add: the tags in CRM_DB"
is "$(got 'crm-tag --db other.db add ')" "gold" "crm-tag --db other.db add: the tags in other.db"
is "$(got 'crm-segment --tag ')" "$(words vip 卸)" "crm-segment --tag"
is "$(got 'crm-segment --db other.db --tag ')" "gold" "crm-segment --db other.db --tag"
is "$(got 'crm-segment --shop ')" "$(words web rakuten)" "crm-segment --shop"
is "$(got 'crm-dedupe rules --shop ')" "$(words web rakuten)" "crm-dedupe rules --shop"
is "$(got 'crm-segment -S ')" "big" "crm-segment -S: saved segments"
is "$(got 'crm-segment show ')" "big" "crm-segment show"
is "$(got 'crm-mail send -S ')" "big" "crm-mail send -S"
is "$(got 'crm-scenario add x --segment ')" "big" "crm-scenario add --segment"
is "$(got 'crm-scenario show ')" "welcome" "crm-scenario show: the scenarios"

# 6. files by kind (directories always, to walk into)
is "$(got 'crm-mail send -t ')" "$(words a.tmpl sub)" "crm-mail send -t: *.tmpl"
is "$(got 'crm-scenario add x --step=3:mail:')" "$(words a.tmpl sub)" "crm-scenario --step N:mail: *.tmpl"
is "$(got 'crm-import -m ')" "$(words mine.map sub)" "crm-import -m: *.map"
like "$(got 'crm-import ')" "orders.csv" "crm-import FILE: any file"
done_testing
