# Shared by every bats file: load it with `load common`.
#
# Each test gets its own temporary directory ($T, mode 0700) and cleans up
# the processes it started by pid or process group (track_pid / track_pgid),
# never by name.

W="$WARDEN_BUILD/warden"
ECHOD="$WARDEN_BUILD/echod"
HELPERS="$WARDEN_BUILD/helpers"

common_setup() {
	T=$(mktemp -d "${BATS_TMPDIR:-/tmp}/warden-test.XXXXXX")
	chmod 700 "$T"
	: >"$T/.pids"
	: >"$T/.pgids"
}

common_teardown() {
	local p f
	# A supervisor killed here leaves its fd holder waiting for the next
	# one: its pid is in the state file (checked to be this test's).
	for f in $(find "$T" -name '*.state' 2>/dev/null); do
		p=$(awk '$1 == "holder" { print $2; exit }' "$f")
		[ -n "$p" ] && [ "$p" -gt 1 ] &&
		    tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null |
		    grep -qF "$T/" && kill -KILL "$p" 2>/dev/null
	done
	if [ -f "$T/.pgids" ]; then
		while read -r p; do
			[ -n "$p" ] && kill -KILL -- "-$p" 2>/dev/null
		done <"$T/.pgids"
	fi
	if [ -f "$T/.pids" ]; then
		while read -r p; do
			[ -n "$p" ] && kill -KILL "$p" 2>/dev/null
		done <"$T/.pids"
	fi
	rm -rf "$T"
}

setup() { common_setup; }
teardown() { common_teardown; }

# Remember a pid, and its process group, for teardown.
track_pid() {
	echo "$1" >>"$T/.pids"
	local g
	g=$(stat_field "$1" 5 2>/dev/null) && [ "$g" -gt 1 ] &&
	    [ "$g" != "$(stat_field $$ 5)" ] && echo "$g" >>"$T/.pgids"
	return 0
}

# stat_field PID N: field N (1-based, as in proc(5)) of /proc/PID/stat.
stat_field() {
	local s rest
	s=$(cat "/proc/$1/stat") || return 1
	rest=${s##*) }
	# rest starts at field 3
	set -- $rest "$2"
	local n=${!#}
	shift $((n - 3))
	echo "$1"
}

# status_field PID NAME: the value of NAME: in /proc/PID/status.
status_field() {
	awk -v k="$2:" '$1 == k { print $2; exit }' "/proc/$1/status"
}

# wait_until SECONDS CMD...: poll CMD every 20 ms until it succeeds.
wait_until() {
	local t=$1 i=0; shift
	while ! "$@"; do
		i=$((i + 1))
		[ "$i" -ge $((t * 50)) ] && return 1
		sleep 0.02
	done
}

# wait_gone PID [SECONDS]: until the process no longer exists (or is a zombie).
gone() { [ ! -e "/proc/$1" ] || [ "$(stat_field "$1" 3)" = Z ]; }
wait_gone() { wait_until "${2:-10}" gone "$1"; }

# free_port: a TCP port on 127.0.0.1 that nothing listens on.
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# fds PID: the open fd numbers, sorted, space separated.
fds_of() { ls "/proc/$1/fd" | sort -n | tr '\n' ' ' | sed 's/ $//'; }

# hostile CMD...: run CMD from a hostile parent: SIGTERM and SIGUSR1
# blocked, SIGCHLD and SIGHUP ignored, umask 077, fd 7 leaked, EVIL_VAR set.
hostile() {
	python3 "$WARDEN_TOP/tests/helpers/hostile.py" "$T/leak" "$@"
}

# in_pty CMD...: run CMD on a new pseudo-terminal (no stdin needed).
# A leading word "hostile" runs CMD from the hostile parent, as above.
in_pty() {
	local q
	if [ "$1" = hostile ]; then
		shift
		set -- python3 "$WARDEN_TOP/tests/helpers/hostile.py" "$T/leak" "$@"
	fi
	q=$(printf '%q ' "$@")
	script -qec "$q" /dev/null </dev/null
}

# children PID: the pids whose parent is PID (zombies included).
children() {
	cat /proc/[0-9]*/status 2>/dev/null |
	    awk -v p="$1" '$1 == "Pid:" { pid = $2 }
		$1 == "PPid:" && $2 == p { print pid }'
}

# The other processes holding the pipe on fd $2 of process $1.
pipe_peers() {
	local want f p
	want=$(readlink "/proc/$1/fd/$2") || return 1
	case "$want" in pipe:*) ;; *) return 1 ;; esac
	for f in /proc/[0-9]*/fd/*; do
		[ "$(readlink "$f" 2>/dev/null)" = "$want" ] || continue
		p=${f#/proc/}; p=${p%%/*}
		[ "$p" = "$1" ] || echo "$p"
	done | sort -u
}
