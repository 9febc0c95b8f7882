#!/bin/sh
# demo.sh: the whole toolkit on the bundled examples, in a scratch
# directory: import every channel's export, merge duplicates, cut
# segments, mail a campaign to a local dry-run mbox, run a scenario.
set -eu
EX=$(cd "$(dirname "$0")" && pwd)
W=${DEMO_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/crm-demo.XXXXXX")}
export CRM_DB="$W/crm.db"
echo "demo: working in $W"
step() { printf '\n== %s\n' "$*"; }
has() { command -v "$1" >/dev/null 2>&1; }
