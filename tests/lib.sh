# lib.sh: TAP helpers for the shell tests.  Source it from a .t file.
#
# Each test gets a fresh directory ($T) and database ($CRM_DB) that are
# removed on exit.  Binaries come from PATH (make check puts the build
# first); CRM_BUILD names the build directory for test helpers.

set -u
: "${CRM_BUILD:=$(cd "$(dirname "$0")/.." && pwd)/build}"
: "${CRM_DATADIR:=$(cd "$(dirname "$0")/.." && pwd)/share}"
export CRM_BUILD CRM_DATADIR
TESTS=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$TESTS/.." && pwd)
T=$(mktemp -d "${TMPDIR:-/tmp}/crm-test.XXXXXX")
export CRM_DB="$T/crm.db"
export TZ=Asia/Tokyo
export LC_ALL=C.UTF-8
unset CRM_TODAY
_n=0
_failed=0
_cleanup() { [ -n "${KEEP:-}" ] || rm -rf "$T"; }
trap _cleanup EXIT

_result() {  # status name
	_n=$((_n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $_n - $2"
	else
		_failed=$((_failed + 1))
		echo "not ok $_n - $2"
	fi
	return "$1"
}

# ok NAME COMMAND...: the command succeeds
ok() { _name=$1; shift; "$@" >/dev/null 2>&1; _result $? "$_name"; }

# fails CODE NAME COMMAND...: the command exits with exactly CODE
fails() {
	_want=$1; _name=$2; shift 2
	"$@" >/dev/null 2>&1; _got=$?
	[ "$_got" -eq "$_want" ] || echo "#   exit $_got, expected $_want"
	[ "$_got" -eq "$_want" ]; _result $? "$_name"
}

# is GOT WANT NAME: exact string equality
is() {
	if [ "$1" = "$2" ]; then _result 0 "$3"; else
		printf '#   got: [%s]\n#   expected: [%s]\n' "$1" "$2"
		_result 1 "$3"
	fi
}

# like GOT REGEX NAME: extended regex match
like() {
	if printf '%s' "$1" | grep -Eq -- "$2"; then _result 0 "$3"; else
		printf '#   got: [%s]\n#   expected to match: %s\n' "$1" "$2"
		_result 1 "$3"
	fi
}

# unlike GOT REGEX NAME
unlike() {
	if printf '%s' "$1" | grep -Eq -- "$2"; then
		printf '#   got: [%s]\n#   expected not to match: %s\n' "$1" "$2"
		_result 1 "$3"
	else _result 0 "$3"; fi
}

# sql QUERY: one query against the test database, result on stdout
sql() { sqlite3 -batch -noheader "$CRM_DB" "$1"; }

# done_testing: print the plan; exit non-zero when anything failed
done_testing() {
	echo "1..$_n"
	[ "$_failed" -eq 0 ]
	exit $?
}

# Start the test SMTP server (tests/smtpd.py) on a free port on 127.0.0.1;
# sets SMTP_PORT and SMTP_DIR (one file per message received).
# Extra arguments go to the server (e.g. --reply 'rcpt:bad@x:550 no such user').
smtpd_start() {
	SMTP_DIR="$T/smtp"; mkdir -p "$SMTP_DIR"
	rm -f "$T/smtpd.port"
	/usr/bin/python3 "$TESTS/smtpd.py" --dir "$SMTP_DIR" --port-file "$T/smtpd.port" "$@" \
		>"$T/smtpd.log" 2>&1 &
	SMTP_PID=$!
	_i=0
	while [ ! -s "$T/smtpd.port" ] && [ $_i -lt 100 ]; do sleep 0.1; _i=$((_i + 1)); done
	SMTP_PORT=$(cat "$T/smtpd.port" 2>/dev/null)
	[ -n "$SMTP_PORT" ] || { echo "Bail out! smtpd did not start: $(cat "$T/smtpd.log")"; exit 1; }
	trap 'kill $SMTP_PID 2>/dev/null; _cleanup' EXIT
}
smtpd_stop() { kill "$SMTP_PID" 2>/dev/null; wait "$SMTP_PID" 2>/dev/null; }
