#!/bin/sh
# Install the Debian packages named as arguments when any is missing:
# with apt-get as root, otherwise print the command to run.
#
# An argument "a|b" means the first of a and b that the archive has
# (nginx-light, or nginx where light is gone); one of them installed is
# enough.
#
# Some packages (redis-server, nginx) start their system service when
# installed.  The tests run their own copies, on their own ports, and a
# system copy would only take a port and outlive the install, so nothing
# may start: Debian's maintainer scripts start services through
# invoke-rc.d (and deb-systemd-invoke on systemd machines), and both ask
# /usr/sbin/policy-rc.d first; exit 101 there means "not allowed".  We
# put one in place only when the machine has none, and remove it
# afterwards, so an administrator's own policy is never changed.  With
# that, systemd needs nothing more (SYSTEMD_OFFLINE is not needed).

installed() {
	case "$(dpkg-query -W -f '${Status}' "$1" 2>/dev/null)" in
	*" installed") return 0 ;;
	esac
	return 1
}

# The first alternative of "a|b|c" the archive can install.
candidate() {
	for c in $(echo "$1" | tr '|' ' '); do
		v=$(apt-cache policy "$c" 2>/dev/null |
		    awk '$1 == "Candidate:" { print $2 }')
		if [ -n "$v" ] && [ "$v" != "(none)" ]; then
			echo "$c"
			return 0
		fi
	done
	echo "$1" | cut -d'|' -f1
}

missing=
for p in "$@"; do
	ok=
	for c in $(echo "$p" | tr '|' ' '); do
		installed "$c" && ok=1 && break
	done
	[ -z "$ok" ] && missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "missing packages:$(echo "$missing" | tr '|' '/');" \
	    "run as root:" >&2
	echo "  apt-get update && apt-get install -y$(echo "$missing" |
	    sed 's/|[^ ]*//g')" >&2
	exit 1
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq </dev/null >/dev/null || exit 1
pkgs=
for p in $missing; do
	pkgs="$pkgs $(candidate "$p")"
done
echo "installing:$pkgs"

policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
	trap 'rm -f "$policy"' EXIT
	trap 'exit 1' HUP INT TERM
	printf '#!/bin/sh\n# No service starts while tests/deps.sh installs.\n'\
'exit 101\n' >"$policy" && chmod 755 "$policy" || exit 1
fi
apt-get install -y -qq --no-install-recommends $pkgs </dev/null \
    >/dev/null || exit 1
exit 0
