#!/bin/sh
# Install the Debian packages named as arguments when any is missing:
# with apt-get as root, otherwise print the command to run.
missing=
for p in "$@"; do
	s=$(dpkg-query -W -f '${Status}' "$p" 2>/dev/null)
	case "$s" in *" installed") ;; *) missing="$missing $p" ;; esac
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ]; then
	echo "installing:$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq </dev/null >/dev/null || exit 1
	apt-get install -y -qq --no-install-recommends $missing </dev/null \
	    >/dev/null || exit 1
else
	echo "missing packages:$missing; run as root:" >&2
	echo "  apt-get update && apt-get install -y$missing" >&2
	exit 1
fi
