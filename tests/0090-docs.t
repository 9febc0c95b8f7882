#!/bin/sh
# Docs are part of done: every binary has a man page, bash and zsh
# completions, and every long option its usage() prints appears in all
# three; every man page is mandoc -Tlint clean.
. "$(dirname "$0")/lib.sh"

for m in "$SRC"/man/*.[1-9]; do
	[ -f "$m" ] || continue
	out=$(mandoc -Tlint -Wwarning "$m" 2>&1)
	is "$out" "" "mandoc -Tlint clean: ${m##*/}"
done
ok "crm.7 exists" test -f "$SRC/man/crm.7"

for c in "$SRC"/cmd/*.c; do
	b=$(basename "$c" .c)
	ok "$b: man page" test -f "$SRC/man/$b.1"
	ok "$b: bash completion" test -f "$SRC/completions/bash/$b"
	ok "$b: zsh completion" test -f "$SRC/completions/zsh/_$b"
	ok "$b: README mentions it" grep -q "$b" "$SRC/README"
	help=$("$b" --help 2>&1)
	like "$help" "[Uu]sage" "$b --help prints usage"
	ver=$("$b" --version 2>&1)
	like "$ver" "^$b \\(crm\\) [0-9]" "$b --version"
	"$b" --no-such-option >/dev/null 2>&1
	is "$?" 64 "$b: unknown option exits 64"
	missing=
	for o in $(printf '%s\n' "$help" | grep -oE -- '--[a-z][a-z0-9-]*' | sort -u); do
		for f in "$SRC/man/$b.1" "$SRC/completions/bash/$b" "$SRC/completions/zsh/_$b"; do
			[ -f "$f" ] || continue
			# mdoc writes --flag as "Fl -flag"
			o1=${o#-}
			grep -qE -- "(Fl $o1|$o)([^a-z0-9-]|\$)" "$f" || missing="$missing $o:${f##*/}"
		done
	done
	is "$missing" "" "$b: every long option of usage() is in the man page and completions"
done
done_testing
