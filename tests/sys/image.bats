#!/usr/bin/env bats
# The FROM scratch image of examples/container/Dockerfile, without docker:
# a directory holding exactly what its COPY lines copy (read from the
# Dockerfile, so the two cannot drift), and its ENTRYPOINT run as process
# 1 of a new PID and mount namespace, chrooted there, with the Dockerfile's
# ENV.  The runtime's part is emulated: /proc, and /dev/null.  warden
# serves both echod, answers /readyz without the password, and on SIGTERM
# stops admin (priority 20) before echo (10) and exits 0.

load common
load sup

DOCKERFILE="$WARDEN_TOP/examples/container/Dockerfile"

setup() {
	common_setup
	upid= wpid=
}

teardown() {
	# SIGKILL to a namespace's process 1 ends every process in it.
	[ -n "$wpid" ] && kill -KILL "$wpid" 2>/dev/null
	[ -n "$upid" ] && wait_gone "$upid" 5
	common_teardown
}

# copies: the Dockerfile's COPY lines, as "SRC DEST" (one file each).
copies() { awk '$1 == "COPY" { print $2, $3 }' "$DOCKERFILE"; }

# host_file SRC: where a COPY source is here (build/ is $WARDEN_BUILD).
host_file() {
	case $1 in
	build/*) echo "$WARDEN_BUILD/${1#build/}" ;;
	*) echo "$WARDEN_TOP/$1" ;;
	esac
}

# image DIR: the image's tree in DIR, and the runtime's mount points.
image() {
	local src dst
	while read -r src dst; do
		mkdir -p "$1/$(dirname "$dst")"
		cp "$(host_file "$src")" "$1/$dst"
	done < <(copies)
	mkdir "$1/proc" "$1/dev"
	: >"$1/dev/null"
}

# echoes PORT: a line sent to 127.0.0.1:PORT comes back.
echoes() {
	local line
	exec 5<>"/dev/tcp/127.0.0.1/$1" || return 1
	echo "hello $1" >&5
	read -r -t 5 line <&5
	exec 5>&-
	[ "$line" = "hello $1" ]
}

# readyz: the status of a GET /readyz without credentials.
readyz() {
	curl -s -o /dev/null -w '%{http_code}' --max-time 5 \
	    "http://127.0.0.1:$http/readyz"
}

# order_line TEXT: the line of the supervisor's log that ends with TEXT.
order_line() { grep -n -- "$1\$" "$T/warden.log" | cut -d: -f1 | head -1; }

@test "image: FROM scratch, warden as process 1 serves echod and stops in order" {
	local src dst f entry envs
	unshare -fpm --mount-proc true 2>/dev/null ||
	    skip "cannot make PID and mount namespaces here (unshare -fpm)"
	# A scratch image runs only static binaries.
	while read -r src dst; do
		f=$(host_file "$src")
		[ -f "$f" ] || skip "$src is not built"
		case $src in
		build/*)
			file -L "$f" | grep -q 'statically linked' ||
			    skip "$src is not static (musl-gcc missing?)"
			;;
		esac
	done < <(copies)
	[ "$(copies | wc -l)" -ge 3 ]

	image "$T/root"
	# Nothing but the copies and the mount points.
	find "$T/root" -type f -printf '/%P\n' | sort >"$T/files"
	{ copies | awk '{ print $2 }'; echo /dev/null; } | sort >"$T/want"
	diff "$T/want" "$T/files"

	# ENTRYPOINT's argv, and ENV's variables with free ports for ours.
	mapfile -t entry < <(python3 -c '
import json, sys
for l in open(sys.argv[1]):
    if l.startswith("ENTRYPOINT "):
        print("\n".join(json.loads(l[len("ENTRYPOINT "):])))
' "$DOCKERFILE")
	[ "${entry[0]}" = /usr/local/bin/warden ]
	[ -x "$T/root${entry[0]}" ]
	envs=$(awk '$1 == "ENV" { $1 = ""; print }' "$DOCKERFILE")
	[[ "$envs" == *ECHO_PORT=* ]]
	echo_port=$(free_port) admin_port=$(free_port) http=$(free_port)

	# shellcheck disable=SC2086
	env -i $envs ECHO_PORT="$echo_port" ADMIN_PORT="$admin_port" \
	    HTTP_PORT="$http" WARDEN_PASSWORD=secret \
	    "$(command -v unshare)" -fpm --mount-proc="$T/root/proc" \
	    /bin/sh -c 'mount --bind /dev/null "$1/dev/null" || exit 1
		root=$1; shift; exec "$0" "$root" "$@"' \
	    "$(command -v chroot)" "$T/root" "${entry[@]}" \
	    >"$T/warden.log" 2>&1 </dev/null 3>&- &
	upid=$!
	track_pid "$upid"
	wait_until 10 test -n "$(children "$upid")"
	wpid=$(children "$upid")
	track_pid "$wpid"
	ready() { [ "$(readyz)" = 200 ]; }
	within 10 ready || { cat "$T/warden.log"; false; }
	# Process 1 of its namespace, its root the image's tree.
	[ "$(cat "/proc/$wpid/comm")" = warden ]
	[ "$(awk '$1 == "NSpid:" { print $3 }' "/proc/$wpid/status")" = 1 ]
	[ "$(readlink "/proc/$wpid/root")" = "$T/root" ]

	echoes "$echo_port"
	echoes "$admin_port"
	# Its children: the two services, and the fd holder (a warden).
	kids=
	for k in $(children "$wpid"); do
		[ "$(cat "/proc/$k/comm")" = warden ] || kids="$kids $k"
	done
	[ "$(echo $kids | wc -w)" -eq 2 ]
	for k in $kids; do
		track_pid "$k"
		[ "$(cat "/proc/$k/comm")" = echod ]
	done
	# The password guards the rest.
	[ "$(curl -s -o /dev/null -w '%{http_code}' \
	    "http://127.0.0.1:$http/metrics")" = 401 ]

	kill -TERM "$wpid"
	wait_gone "$upid" 25
	rc=0
	wait "$upid" || rc=$?
	upid= wpid=
	cat "$T/warden.log"
	[ "$rc" -eq 0 ]
	for k in $kids; do
		gone "$k"
	done
	# admin (priority 20) stopped before echo (10) was asked to stop.
	a=$(order_line "admin: RUNNING -> STOPPING")
	b=$(order_line "admin: STOPPING -> STOPPED")
	c=$(order_line "echo: RUNNING -> STOPPING")
	d=$(order_line "echo: STOPPING -> STOPPED")
	e=$(order_line "all stopped; exiting")
	[ -n "$a" ] && [ -n "$b" ] && [ -n "$c" ] && [ -n "$d" ] && [ -n "$e" ]
	[ "$a" -lt "$b" ] && [ "$b" -lt "$c" ] && [ "$c" -lt "$d" ] &&
	    [ "$d" -lt "$e" ]
}
