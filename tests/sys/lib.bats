#!/usr/bin/env bats
# libwarden as a C program uses it: wd_daemonize(), wd_ready(), wd_fail(),
# wd_daemon(), audited from outside.

load common

LIBD="$WARDEN_BUILD/helpers/libd"

# The pidfile's lock is held by pid itself: an fd of pid names the file
# and its fdinfo shows the flock.
holds_lock() {
	local p=$1 file=$2 f
	for f in /proc/$p/fd/*; do
		if [ "$(readlink "$f")" = "$file" ]; then
			grep -q '^lock:.*FLOCK.*WRITE' "/proc/$p/fdinfo/${f##*/}" &&
			    return 0
		fi
	done
	return 1
}

@test "wd_daemonize: the launcher returns after wd_ready with the startup stderr" {
	run "$LIBD" ready "$T/d.pid" "$T/mark"
	[ "$status" -eq 0 ]
	[ "$output" = "libd: starting" ]
	[ -e "$T/mark" ]			# ready happened before we returned
	p=$(cat "$T/d.pid"); track_pid "$p"
	[ "$(cat "$T/mark")" = "$p" ]
	[ "$(stat_field "$p" 6)" != "$p" ]
	[ "$(stat_field "$p" 7)" = 0 ]
	[ "$(stat_field "$p" 8)" = -1 ]
	holds_lock "$p" "$T/d.pid"
}

@test "wd_daemonize: clean from a hostile parent in a pty; kill stops it and removes the pidfile" {
	in_pty hostile "$LIBD" ready "$T/d.pid" "$T/mark"
	p=$(cat "$T/d.pid"); track_pid "$p"
	[ "$(stat_field "$p" 6)" != "$p" ]
	[ "$(stat_field "$p" 7)" = 0 ]
	[ "$(stat_field "$p" 8)" = -1 ]
	[ "$(status_field "$p" SigIgn)" = 0000000000000000 ]
	[ "$(status_field "$p" Umask)" = 0000 ]		# daemon(7)'s default
	[ "$(readlink /proc/$p/cwd)" = / ]
	for fd in 0 1 2; do [ "$(readlink /proc/$p/fd/$fd)" = /dev/null ]; done
	# Besides 0-2, only the pidfile, close-on-exec (the leaked fd 7 is gone).
	extra=$(fds_of "$p" | tr ' ' '\n' | grep -vxE '0|1|2')
	[ "$(echo "$extra" | wc -w)" = 1 ]
	[ "$(readlink /proc/$p/fd/$extra)" = "$T/d.pid" ]
	flags=$(awk '/^flags:/ {print $2}' "/proc/$p/fdinfo/$extra")
	[ $((0$flags & 02000000)) -ne 0 ]
	holds_lock "$p" "$T/d.pid"
	kill "$p"
	wait_gone "$p"
	[ ! -e "$T/d.pid" ]
}

@test "wd_fail: the launcher exits with the status and the daemon's message" {
	run "$LIBD" fail "$T/d.pid"
	[ "$status" -eq 4 ]
	[ "$output" = "libd: cannot open the database" ]
	[ ! -e "$T/d.pid" ]		# the launcher removed what it wrote
}

@test "wd_daemonize: a death before ready brings its message and status back" {
	run "$LIBD" die "$T/d.pid"
	[ "$status" -eq 5 ]
	[ "$output" = "libd: dying" ]
	[ ! -e "$T/d.pid" ]
	run "$LIBD" crash
	[ "$status" -eq $((128 + 10)) ]
	[[ "$output" == *"killed by signal"* ]]
}

@test "wd_daemonize: ready_timeout ends the wait and the daemon" {
	run "$LIBD" hang "$T/d.pid"
	[ "$status" -eq 124 ]
	[[ "$output" == *"not ready after 1 s"* ]]
	run "$W" status -p "$T/d.pid"
	[ "$status" -ne 0 ]
}

@test "wd_daemonize: a daemon deaf to SIGTERM is killed 5 s after the timeout" {
	t0=$(date +%s%N)
	run "$LIBD" stubborn "$T/d.pid" "$T/mark"
	ms=$(( ($(date +%s%N) - t0) / 1000000 ))
	[ "$status" -eq 124 ]
	[[ "$output" == *"not ready after 1 s"* ]]
	p=$(cat "$T/mark"); track_pid "$p"
	gone "$p"
	# 1 s of ready_timeout, then 5 s of grace before SIGKILL.
	[ "$ms" -ge 5900 ] && [ "$ms" -lt 9000 ]
}

@test "wd_daemonize: a timed-out daemon that obeys SIGTERM ends the wait at once" {
	t0=$(date +%s%N)
	run "$LIBD" hang "$T/d.pid"
	ms=$(( ($(date +%s%N) - t0) / 1000000 ))
	[ "$status" -eq 124 ]
	[ "$ms" -lt 3000 ]
}

@test "wd_daemonize: a second instance is refused with the running pid" {
	"$LIBD" ready "$T/d.pid"
	p=$(cat "$T/d.pid"); track_pid "$p"
	run "$LIBD" ready "$T/d.pid"
	[ "$status" -eq 1 ]
	[[ "$output" == *"already running, pid $p"* ]]
	run "$W" status -p "$T/d.pid"
	[ "$status" -eq 0 ]
	"$W" stop -p "$T/d.pid"
	wait_gone "$p"
	[ ! -e "$T/d.pid" ]
}

@test "wd_daemon: daemon(3)'s interface, double forked and cleaned" {
	in_pty hostile "$LIBD" daemon3 "" "$T/mark"
	wait_until 10 test -s "$T/mark"
	p=$(cat "$T/mark"); track_pid "$p"
	[ "$(stat_field "$p" 6)" != "$p" ]
	[ "$(stat_field "$p" 7)" = 0 ]
	[ "$(status_field "$p" SigIgn)" = 0000000000000000 ]
	[ "$(readlink /proc/$p/cwd)" = / ]
	[ "$(fds_of "$p")" = "0 1 2" ]
	kill "$p"
	wait_gone "$p"
}

@test "WD_DAEMON_FOREGROUND: every step but the fork" {
	LIBD_OUTPUT="$T/log" "$LIBD" fg "$T/d.pid" "$T/mark" 2>"$T/err" &
	j=$!; track_pid "$j"
	wait_until 10 test -s "$T/mark"
	[ "$(cat "$T/mark")" = "$j" ]
	[ "$(cat "$T/d.pid")" = "$j" ]
	# Before ready, stderr is still the caller's; after, the log.
	grep -qx 'libd: starting' "$T/err"
	wait_until 10 test "$(readlink /proc/$j/fd/2)" = "$T/log"
	kill "$j"
	wait "$j"
	[ ! -e "$T/d.pid" ]
}

@test "wd_daemon(0, 1): noclose keeps the caller's stderr after setup" {
	"$LIBD" noclose "" "$T/mark" 2>"$T/err"
	wait_until 10 grep -q 'stderr kept' "$T/err"
	p=$(cat "$T/mark"); track_pid "$p"
	[ "$(readlink /proc/$p/fd/2)" = "$T/err" ]
	kill "$p"
}

@test "wd_daemonize: interrupting the launcher stops the half-started daemon" {
	"$LIBD" slow "$T/d.pid" "$T/mark" 2>"$T/err" &
	l=$!; track_pid "$l"
	wait_until 10 test -s "$T/mark"
	p=$(cat "$T/mark"); track_pid "$p"
	kill -TERM "$l"
	rc=0; wait "$l" || rc=$?
	[ "$rc" -eq $((128 + 15)) ]
	grep -q 'interrupted' "$T/err"
	wait_gone "$p"
}

@test "wd_cleanup: a daemon that dropped privileges leaves an empty pidfile" {
	LIBD_USER=nobody "$LIBD" ready "$T/d.pid"
	p=$(cat "$T/d.pid"); track_pid "$p"
	[ "$(status_field "$p" Uid | cut -f1)" = "$(id -u nobody)" ]
	run "$W" status -p "$T/d.pid"
	[ "$status" -eq 0 ]
	kill "$p"
	wait_gone "$p"
	[ ! -s "$T/d.pid" ]
	run "$W" status -p "$T/d.pid"
	[ "$status" -eq 3 ]
}

@test "wd_daemonize: a refused second instance creates no log file" {
	"$LIBD" ready "$T/d.pid"
	p=$(cat "$T/d.pid"); track_pid "$p"
	LIBD_OUTPUT="$T/log" run "$LIBD" ready "$T/d.pid"
	[ "$status" -eq 1 ]
	[[ "$output" == *"already running, pid $p"* ]]
	[ ! -e "$T/log" ]
}
