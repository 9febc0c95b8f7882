#!/bin/sh
# The CSV reader and the output formats on real files and pipes, through
# the crm-csvdump test helper (tests/tools/crm-csvdump.c).  Input bytes are
# written with printf octal escapes from the code tables:
#   CP932 名前 = 96BC 914F, 顧客 = 8CDA 8B71;  UTF-8 BOM = EF BB BF.
. "$(dirname "$0")/lib.sh"

dump="$CRM_BUILD/tests/crm-csvdump"
tab=$(printf '\t')
cd "$T" || exit 1

# --- encodings -------------------------------------------------------------
printf 'id,\226\274\221O\r\n1,\214\332\213q\r\n' > sjis.csv
want=$(printf '1-1\tid|名前\n2-2\t1|顧客\n# cp932 ,')
is "$("$dump" sjis.csv)" "$want" "CP932 file detected and decoded"
is "$(cat sjis.csv | "$dump")" "$want" "... the same through a pipe"
is "$("$dump" -e shift_jis sjis.csv)" "$want" "... the same when named Shift_JIS"

"$dump" -e utf-8 sjis.csv >out 2>err; rc=$?
is "$rc" 65 "CP932 read as UTF-8: exit 65"
is "$(cat err)" "crm-csvdump: sjis.csv: line 1: invalid UTF-8 byte sequence" \
	"... naming file and line"

printf 'id,name\r\n1,\214\332\r\n2,\201 \r\n3,x\r\n' > bad.csv
"$dump" -e cp932 bad.csv >out 2>err; rc=$?
is "$rc" 65 "invalid CP932 on line 3: exit 65"
is "$(cat err)" "crm-csvdump: bad.csv: line 3: invalid CP932 byte sequence" \
	"... the message names the line"
is "$(cat out)" "$(printf '1-1\tid|name\n2-2\t1|顧')" "... after the good records"

# A CP932 character right across the reader's 64 KiB chunk edge: 16383
# lines of "a,b" (65532 bytes), then xyz and 顧 at bytes 65535-65536.
awk 'BEGIN { for (i = 0; i < 16383; i++) print "a,b" }' > edge.csv
printf 'xyz\214\332,end\n' >> edge.csv
is "$("$dump" edge.csv | tail -n 2)" "$(printf '16384-16384\txyz顧|end\n# cp932 ,')" \
	"CP932 character across the chunk edge, encoding decided late"

# --- structure ---------------------------------------------------------------
printf '\357\273\277a,b\r\n"x\r\ny",z\r\n\r\nlast,1' > crlf.csv
is "$("$dump" crlf.csv)" "$(printf '1-1\ta|b\n2-3\tx\\r\\ny|z\n5-5\tlast|1\n# utf-8 ,')" \
	"BOM, CRLF, quoted newline, blank line, no final newline"

printf 'a\n"b\nc\n' | "$dump" >out 2>err; rc=$?
is "$rc" 65 "unterminated quote: exit 65"
is "$(cat err)" "crm-csvdump: -: line 2: unterminated quoted field" \
	"... on the line where the field began"

printf 'name\tsku\n"Special" edition\tA1\nnext\tB2\n' > amazon.tsv
is "$("$dump" -Q amazon.tsv)" \
	"$(printf '1-1\tname|sku\n2-2\t"Special" edition|A1\n3-3\tnext|B2\n# utf-8 tab')" \
	"TSV guessed; -Q reads quotes as data"

printf 'id,note\n1,%s\n2,ok\n' "$(awk 'BEGIN { for (i = 0; i < 100; i++) printf "0123456789" }')" > long.csv
is "$("$dump" -m 16 long.csv)" "$(printf '1-1\tid|note\n2-2!\t1|0123456789012345\n3-3\t2|ok\n# utf-8 ,')" \
	"overlong field cut to -m bytes and flagged"

# --- a large stream through a pipe -----------------------------------------------
# Record i spans two lines when i is a multiple of 1000, so record 200000
# starts on line 2 + 199999 + 199 = 200200 and ends on 200201.
awk 'BEGIN { print "id,note"
	for (i = 1; i <= 200000; i++)
		if (i % 1000 == 0) printf "%d,\"two\r\nlines\"\r\n", i
		else printf "%d,顧客%d\r\n", i, i }' | "$dump" > big.out
is "$(wc -l < big.out | tr -d ' ')" 200002 "200000 records from a pipe, one line each"
is "$(tail -n 2 big.out)" "$(printf '200200-200201\t200000|two\\r\\nlines\n# utf-8 ,')" \
	"... the last one with its line numbers"
is "$(sed -n '1000p' big.out)" "$(printf '1000-1000\t999|顧客999')" "... and one from the middle"

# --- output formats ---------------------------------------------------------------
printf 'n:id,name,pref\n1,山田 太郎,東京都\n12,ｱｲｳ,"大阪\n府"\n3\n' > people.csv
is "$("$dump" -o csv people.csv)" "$(printf 'id,name,pref\n1,山田 太郎,東京都\n12,ｱｲｳ,"大阪\n府"\n3,,')" \
	"-o csv: quoted newline kept, short row padded"
is "$("$dump" -o tsv people.csv)" \
	"$(printf 'id\tname\tpref\n1\t山田 太郎\t東京都\n12\tｱｲｳ\t大阪\\n府\n3\t\t')" \
	"-o tsv: newline escaped"
is "$("$dump" -o json people.csv)" \
	"$(printf '%s\n' '{"id":1,"name":"山田 太郎","pref":"東京都"}' \
	'{"id":12,"name":"ｱｲｳ","pref":"大阪\n府"}' '{"id":3,"name":null,"pref":null}')" \
	"-o json: numbers, strings, null"
is "$("$dump" -o table people.csv)" \
	"$(printf 'id  name       pref\n 1  山田 太郎  東京都\n12  ｱｲｳ        大阪\\n府\n 3')" \
	"-o table: wide characters take two columns"
is "$("$dump" -o ids people.csv)" "$(printf '1\n12\n3')" "-o ids"

"$dump" -o csv people.csv > /dev/full 2>err; rc=$?
is "$rc" 74 "a full disk: exit 74"
is "$(cat err)" "crm-csvdump: write error: No space left on device" "... and says so"
"$dump" -o xml people.csv 2>err; rc=$?
is "$rc" 64 "unknown -o: exit 64"
"$dump" missing.csv 2>/dev/null; rc=$?
is "$rc" 66 "missing file: exit 66"

done_testing
