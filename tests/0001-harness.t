#!/bin/sh
# The TAP helper itself: a failing check must be reported as a failure.
. "$(dirname "$0")/lib.sh"

out=$(sh -c '. "$1"; is a b "x"; done_testing' sh "$TESTS/lib.sh" 2>&1); rc=$?
like "$out" '^not ok 1 - x' "is reports a mismatch as not ok"
is "$rc" 1 "a failed check makes the script exit 1"
out=$(sh -c '. "$1"; fails 3 "y" sh -c "exit 3"; done_testing' sh "$TESTS/lib.sh" 2>&1); rc=$?
like "$out" '^ok 1 - y' "fails accepts the exact exit code"
is "$rc" 0 "a passing script exits 0"
done_testing
