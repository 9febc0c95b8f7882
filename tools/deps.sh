#!/bin/sh
# deps.sh: make sure the Debian packages crm builds and tests with are
# installed.  As root it installs what is missing; otherwise it prints the
# apt-get line to run and fails.
PKGS="build-essential pkg-config libsqlite3-dev sqlite3 libcsv-dev libcurl4-openssl-dev
libpcre2-dev libutf8proc-dev libssl-dev openssl python3-aiosmtpd mandoc zsh"

missing=
for p in $PKGS; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -eq 0 ]; then
	echo "deps.sh: installing:$missing" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >/dev/null && apt-get install -y -qq $missing >/dev/null || {
		echo "deps.sh: apt-get failed" >&2; exit 1; }
else
	echo "deps.sh: missing packages; run as root:" >&2
	echo "  apt-get update && apt-get install -y$missing" >&2
	exit 1
fi
