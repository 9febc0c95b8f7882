#!/bin/zsh -f
# complete.zsh DIR: run zsh's completion system, as an interactive user
# would, on each command line read from stdin, with DIR (the repository's
# completions/zsh) first on fpath.  For each line it prints "### LINE", then
# the words completion offers at the end of LINE, one a line.  A line that
# gets no answer within 5 seconds prints "### TIMEOUT" and ends the run with
# status 1, so a broken completion function fails the test, never hangs it.
# Error messages the completion functions print appear as "!!! MESSAGE".
#
# The inner shell runs under a pseudo-terminal (zsh/zpty) with no startup
# files.  TAB is bound to a completion widget that runs _main_complete with
# compadd wrapped: every match compadd accepts for the word under the cursor
# is also written to a file, and nothing is inserted or listed, so the next
# line starts from a clean slate.
emulate -L zsh
setopt extendedglob
zmodload zsh/zpty zsh/zselect zsh/datetime || exit 1
dir=${1:?usage: complete.zsh completions-dir}
out=$(mktemp -d ${TMPDIR:-/tmp}/zcomp.XXXXXX) || exit 1
trap 'zpty -d inner 2>/dev/null; rm -rf $out' EXIT

# The inner shell's setup, sourced from a file: typed in, its TABs would
# complete and its comments would be commands.
cat >$out/setup <<SETUP
PS1= PS2= RPS1=
unsetopt beep
fpath=(${(q)dir} \$fpath)
autoload -U compinit && compinit -u -D
zmodload -F zsh/files b:zf_mv
typeset -ga __hits
integer __n=0
compadd() {
	# Calls that only ask (-O, -A, -D) are _describe and friends at work:
	# pass them on, the real call follows.
	local __cw
	for __cw in "\$@"; do
		[[ \$__cw == (-|--) ]] && break
		[[ \$__cw == -[OAD] ]] && { builtin compadd "\$@"; return }
	done
	local -a __cm
	builtin compadd -O __cm "\$@"
	__hits+=("\${__cm[@]}")
	builtin compadd "\$@"
}
__capture() {
	__hits=()
	_main_complete
	compstate[insert]= compstate[list]=
	print -rl -- "\${__hits[@]}" >${(q)out}/tmp
	zf_mv ${(q)out}/tmp ${(q)out}/\$(( ++__n ))
}
zle -C __capture complete-word __capture
bindkey "^I" __capture
SETUP
# zsh -f -i: no user's rc files; interactive, so ZLE and completion run.
zpty -b inner 'TERM=vt100 zsh -f -i' || exit 1
fd=$REPLY
zpty -w inner ". ${(q)out}/setup"

# What the inner shell wrote to its terminal since the last call, in $tty
# (and appended to the file $ZDEBUG when set, to see what went on).
drain() {
	local chunk
	while zpty -rt inner chunk 2>/dev/null; do
		tty+=$chunk
		[[ -n ${ZDEBUG-} ]] && print -rn -- "$chunk" >>$ZDEBUG
	done
}

integer n=0
float deadline
tty=
while IFS= read -r line; do
	(( n++ ))
	drain
	# ^U: kill the whole line left by the previous request.
	zpty -w -n inner $'\C-u'"$line"$'\t'
	print -r -- "### $line"
	(( deadline = EPOCHREALTIME + 5 ))
	until [[ -f $out/$n ]] || (( EPOCHREALTIME > deadline )); do
		zselect -t 1 $fd 2>/dev/null
		drain
	done
	if [[ ! -f $out/$n ]]; then
		print -r -- "### TIMEOUT"
		exit 1
	fi
	[[ -s $out/$n ]] && print -r -- "$(<$out/$n)"
	# Errors of the setup or of the completion functions, such as
	# "_describe:21: bad option: -S"
	drain
	for err in ${(M)${(f)tty//$'\r'}:#*[[:alnum:]_()-]##:[0-9]##: *}; do
		print -r -- "!!! ${err##*[^[:print:]]}"
	done
	tty=
done
exit 0
