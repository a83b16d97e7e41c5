#!/usr/bin/env bats
# warden run / stop / status --pidfile: the daemon checklist, audited from
# outside through /proc, and every way a start can fail.

load common

FAKE="$WARDEN_BUILD/helpers/fakesvc"

# audit PID: the checklist items that hold for every warden run daemon.
audit() {
	local p=$1 launcher_sid=$2
	[ "$(stat_field "$p" 6)" != "$p" ]		# not a session leader
	[ "$(stat_field "$p" 7)" = 0 ]			# tty_nr: no terminal
	[ "$(stat_field "$p" 8)" = -1 ]			# tpgid
	[ -z "$launcher_sid" ] || [ "$(stat_field "$p" 6)" != "$launcher_sid" ]
	[ "$(status_field "$p" SigBlk)" = 0000000000000000 ]
	[ "$(status_field "$p" SigIgn)" = 0000000000000000 ]
	[ "$(status_field "$p" PPid)" != "$$" ]
}

@test "run: starts the command as a daemon and the pidfile names it" {
	run "$W" run -p "$T/s.pid" -- sleep 1000
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	p=$(cat "$T/s.pid"); track_pid "$p"
	[ "$(cat /proc/$p/comm)" = sleep ]
	[ "$(cat "$T/s.pid")" = "$p" ]
	audit "$p" "$(stat_field $$ 6)"
	[ "$(status_field "$p" Umask)" = 0022 ]
	[ "$(readlink /proc/$p/cwd)" = / ]
	[ "$(fds_of "$p")" = "0 1 2" ]
	for fd in 0 1; do [ "$(readlink /proc/$p/fd/$fd)" = /dev/null ]; done
	[ "$(stat -c '%a %h %F' "$T/s.pid")" = "644 1 regular file" ]
	# stderr: a pipe to the relay, a daemon of its own (own session, no
	# terminal, / and /dev/null), which leaves with the daemon.
	r=$(pipe_peers "$p" 2)
	[ -n "$r" ] && [ "$(echo "$r" | wc -l)" -eq 1 ]
	[ "$(stat_field "$r" 6)" = "$r" ]		# its own session
	[ "$(stat_field "$r" 7)" = 0 ]			# no terminal
	[ "$(stat_field "$r" 4)" != $$ ]		# nobody's child here
	[ "$(readlink /proc/$r/cwd)" = / ]
	for fd in 0 1 2; do [ "$(readlink /proc/$r/fd/$fd)" = /dev/null ]; done
	kill "$p"
	wait_gone "$p"
	wait_gone "$r"
}

@test "run: a failed start shows its stderr even where stderr goes to /dev/null" {
	run "$W" run --ready notify -- sh -c 'echo boom >&2; exit 7'
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = boom ]
	[[ "${lines[1]}" == *"exited with status 7 before it was ready"* ]]
	run "$W" run -r --ready notify -p "$T/r.pid" -- \
	    sh -c 'echo boom-r >&2; exit 7'
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = boom-r ]
	run "$W" run --syslog --ready notify -p "$T/l.pid" -- \
	    sh -c 'echo boom-l >&2; exit 7'
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = boom-l ]
	# Only the last 4 KiB of a long story, ending with its last line.
	run "$W" run --ready notify -- sh -c \
	    'i=0; while [ $i -lt 2000 ]; do echo "line $i" >&2; i=$((i+1)); done; exit 3'
	[ "$status" -eq 1 ]
	[ "${lines[-2]}" = "line 1999" ]
	[ "${#output}" -lt 4300 ]
}

@test "run: a ready daemon's later stderr goes nowhere and it lives on" {
	# 256 KiB after readiness: four times what a pipe holds unread.
	cat >"$T/late.sh" <<-EOF
	"$W" notify READY=1
	i=0
	while [ \$i -lt 4096 ]; do
		printf '%063d\\n' \$i >&2 || exit 9
		i=\$((i+1))
	done
	echo done >"$T/done"
	exec sleep 1000
	EOF
	"$W" run --ready notify -p "$T/s.pid" -- sh "$T/late.sh"
	p=$(cat "$T/s.pid"); track_pid "$p"
	wait_until 20 test -e "$T/done"
	[ "$(cat /proc/$p/comm)" = sleep ]
}

@test "run: from a hostile parent in a pty the daemon is still clean, and kill stops it" {
	in_pty hostile "$W" run -p "$T/h.pid" -- sleep 1000
	p=$(cat "$T/h.pid"); track_pid "$p"
	audit "$p"
	[ "$(status_field "$p" Umask)" = 0022 ]
	[ "$(fds_of "$p")" = "0 1 2" ]		# the leaked fd 7 is gone
	[ "$(readlink /proc/$p/cwd)" = / ]
	tr '\0' '\n' </proc/$p/environ | grep -qx EVIL_VAR=1	# kept without -E
	kill "$p"
	wait_gone "$p"
}

@test "run -E: a clean environment drops what the parent had" {
	in_pty hostile "$W" run -E -e A=b -p "$T/h.pid" -- sleep 1000
	p=$(cat "$T/h.pid"); track_pid "$p"
	! tr '\0' '\n' </proc/$p/environ | grep -q EVIL_VAR
	tr '\0' '\n' </proc/$p/environ | grep -qx A=b
	tr '\0' '\n' </proc/$p/environ | grep -q '^PATH='
}

@test "run: NOTIFY_SOCKET and LISTEN_* meant for warden never reach the command" {
	NOTIFY_SOCKET=/nowhere LISTEN_FDS=3 "$W" run -p "$T/s.pid" -- sleep 1000
	p=$(cat "$T/s.pid"); track_pid "$p"
	! tr '\0' '\n' </proc/$p/environ | grep -qE '^(NOTIFY_SOCKET|LISTEN_FDS)='
}

@test "run: umask, directory, output and environment as configured" {
	"$W" run -m 027 -C "$T" -o "$T/log" -e GREETING=hi -p "$T/s.pid" -- \
	    sh -c 'echo "out $GREETING"; echo err >&2; exec sleep 1000'
	p=$(cat "$T/s.pid"); track_pid "$p"
	[ "$(status_field "$p" Umask)" = 0027 ]
	[ "$(readlink /proc/$p/cwd)" = "$T" ]
	[ "$(readlink /proc/$p/fd/1)" = "$T/log" ]
	[ "$(readlink /proc/$p/fd/2)" = "$T/log" ]
	[ "$(readlink /proc/$p/fd/0)" = /dev/null ]
	wait_until 5 grep -q err "$T/log"
	grep -qx 'out hi' "$T/log"
}

@test "run: --stdout and --stderr go to their own files" {
	"$W" run --stdout "$T/out" --stderr "$T/err" -p "$T/s.pid" -- \
	    sh -c 'echo o; echo e >&2; exec sleep 1000'
	p=$(cat "$T/s.pid"); track_pid "$p"
	[ "$(readlink /proc/$p/fd/1)" = "$T/out" ]
	[ "$(readlink /proc/$p/fd/2)" = "$T/err" ]
}

@test "run: with fds 0-2 closed the daemon still has them on /dev/null" {
	"$W" run -p "$T/s.pid" -- sleep 1000 <&- >&- 2>&-
	p=$(cat "$T/s.pid"); track_pid "$p"
	for fd in 0 1; do [ "$(readlink /proc/$p/fd/$fd)" = /dev/null ]; done
	[ -n "$(pipe_peers "$p" 2)" ]		# the relay's
}

@test "run: the caller's pipe is not held open by the daemon" {
	out=$(timeout 10 "$W" run -p "$T/s.pid" -- sleep 1000)
	[ $? -eq 0 ]
	track_pid "$(cat "$T/s.pid")"
}

@test "run: exec failure is reported at once, with its reason" {
	run "$W" run -p "$T/s.pid" -- "$T/nonexistent"
	[ "$status" -eq 1 ]
	[[ "$output" == *"exec $T/nonexistent: No such file or directory"* ]]
	[ ! -e "$T/s.pid" ]
	printf '#!/bin/sh\n' >"$T/noexec"; chmod 644 "$T/noexec"
	run "$W" run -- "$T/noexec"
	[ "$status" -eq 1 ]
	[[ "$output" == *"Permission denied"* ]]
}

@test "run: a death before readiness brings back its stderr and status" {
	run "$W" run -o "$T/log" --ready notify -p "$T/s.pid" -- \
	    "$FAKE" -e "cannot open config" -x 3
	[ "$status" -eq 1 ]
	[[ "$output" == *"cannot open config"* ]]
	[[ "$output" == *"exited with status 3 before it was ready"* ]]
	[ ! -e "$T/s.pid" ]
	run "$W" run --ready fd:3 -- "$FAKE" -k 10
	[ "$status" -eq 1 ]
	[[ "$output" == *"killed by signal USR1"* ]]
}

@test "run: readiness timeout stops the command and fails" {
	run "$W" run --ready notify --ready-timeout 0.5 -p "$T/s.pid" -- \
	    "$FAKE" -m "$T/started"
	[ "$status" -eq 1 ]
	[[ "$output" == *"not ready after 0.5 s"* ]]
	p=$(cat "$T/started")
	wait_gone "$p"
	[ ! -e "$T/s.pid" ]
}

@test "run --ready notify: returns only once READY=1 has been sent" {
	"$W" run --ready notify -p "$T/s.pid" -- "$FAKE" -d 0.5 -n -m "$T/ready"
	[ -e "$T/ready" ]
	p=$(cat "$T/s.pid"); track_pid "$p"
	[ "$(cat "$T/ready")" = "$p" ]
}

@test "run --ready notify: warden notify from a shell script works" {
	"$W" run --ready notify -p "$T/s.pid" -- \
	    sh -c "echo x > $T/ready; $W notify READY=1; exec sleep 1000"
	[ -e "$T/ready" ]
	track_pid "$(cat "$T/s.pid")"
}

@test "run --ready fd:N: returns only once a line is written to fd N" {
	"$W" run --ready fd:4 -p "$T/s.pid" -- "$FAKE" -d 0.5 -f 4 -m "$T/ready"
	[ -e "$T/ready" ]
	p=$(cat "$T/s.pid"); track_pid "$p"
	[ "$(fds_of "$p")" = "0 1 2" ]		# it closed fd 4 as s6 asks
}

@test "run --ready tcp: returns once the port accepts" {
	port=$(free_port)
	"$W" run --ready "tcp:127.0.0.1:$port" -p "$T/s.pid" -- \
	    "$FAKE" -d 0.3 -l "$port" -m "$T/ready"
	[ -e "$T/ready" ]
	track_pid "$(cat "$T/s.pid")"
	exec 9<>"/dev/tcp/127.0.0.1/$port"
	exec 9<&-
}

@test "run: unknown user fails before anything starts" {
	run "$W" run -u no-such-user-here -p "$T/s.pid" -- sleep 1000
	[ "$status" -eq 1 ]
	[[ "$output" == *"unknown user or group: no-such-user-here"* ]]
	[ ! -s "$T/s.pid" ]
}

@test "run --user: groups, gid and uid dropped and verified" {
	"$W" run -u nobody -p "$T/s.pid" -- sleep 1000
	p=$(cat "$T/s.pid"); track_pid "$p"
	uid=$(id -u nobody); gid=$(id -g nobody)
	[ "$(grep ^Uid: /proc/$p/status | tr -s '\t ' ' ')" = "Uid: $uid $uid $uid $uid" ]
	[ "$(grep ^Gid: /proc/$p/status | tr -s '\t ' ' ')" = "Gid: $gid $gid $gid $gid" ]
	[ "$(grep ^Groups: /proc/$p/status | tr -s '\t ' ' ' | sed 's/ $//')" = "Groups: $gid" ]
	[ "$(status_field "$p" CapEff)" = 0000000000000000 ]
}

@test "run: a live pidfile is refused and left untouched" {
	"$W" run -p "$T/s.pid" -- sleep 1000
	p=$(cat "$T/s.pid"); track_pid "$p"
	before=$(stat -c %Y.%i "$T/s.pid")
	run "$W" run -p "$T/s.pid" -- sleep 1001
	[ "$status" -eq 1 ]
	[[ "$output" == *"already running, pid $p"* ]]
	[ "$(cat "$T/s.pid")" = "$p" ]
	[ "$(stat -c %Y.%i "$T/s.pid")" = "$before" ]
}

@test "run: a stale pidfile (dead pid) is replaced" {
	sh -c 'echo $$' >"$T/dead"
	cp "$T/dead" "$T/s.pid"
	run "$W" status -p "$T/s.pid"
	[ "$status" -eq 1 ]
	"$W" run -p "$T/s.pid" -- sleep 1000
	p=$(cat "$T/s.pid"); track_pid "$p"
	[ "$p" != "$(cat "$T/dead")" ]
	[ "$(cat /proc/$p/comm)" = sleep ]
}

@test "run: a pidfile warden did not record is not trusted with a live pid" {
	sleep 1000 & q=$!; track_pid "$q"
	echo "$q" >"$T/s.pid"
	run "$W" status -p "$T/s.pid"
	[ "$status" -eq 1 ]
	run "$W" stop -p "$T/s.pid"
	[ "$status" -eq 0 ]
	[ -d "/proc/$q" ] && ! gone "$q"		# not signalled
}

@test "run: a reused pid is never taken for the daemon" {
	# In a pid namespace, steer the next pid onto the dead daemon's.
	cat >"$T/reuse.sh" <<-SCRIPT
	set -e
	"$W" run -p "$T/s.pid" -- sleep 1000
	p=\$(cat "$T/s.pid")
	kill -KILL "\$p"
	while [ -e /proc/\$p ] && ! grep -q '^State:.*Z' /proc/\$p/status; do sleep 0.01; done
	wait 2>/dev/null || true
	echo \$((p - 1)) >/proc/sys/kernel/ns_last_pid
	sleep 1001 & q=\$!
	[ "\$q" = "\$p" ] || { echo "pid not reused: \$q != \$p"; exit 9; }
	rc=0; "$W" status -p "$T/s.pid" || rc=\$?
	[ \$rc -eq 1 ] || { echo "status \$rc"; exit 10; }
	"$W" stop -p "$T/s.pid"
	kill -0 "\$q" || { echo "impostor killed"; exit 11; }
	"$W" run -p "$T/s.pid" -- sleep 1002
	[ "\$(cat "$T/s.pid")" != "\$q" ] || exit 12
	echo ok
	SCRIPT
	run unshare -fp --mount-proc bash "$T/reuse.sh"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *ok* ]]
}

@test "run: a pidfile that is a symlink is refused and its target untouched" {
	echo precious >"$T/target"
	ln -s "$T/target" "$T/s.pid"
	run "$W" run -p "$T/s.pid" -- sleep 1000
	[ "$status" -eq 1 ]
	[[ "$output" == *symlink* ]]
	[ "$(cat "$T/target")" = precious ]
}

@test "run: a pidfile in a directory others can write is refused" {
	mkdir -m 777 "$T/open"
	run "$W" run -p "$T/open/s.pid" -- sleep 1000
	[ "$status" -eq 1 ]
	[[ "$output" == *"others could replace"* ]]
	[ ! -e "$T/open/s.pid" ]
	mkdir -m 775 "$T/grp"
	run "$W" run -p "$T/grp/s.pid" -- sleep 1000
	[ "$status" -eq 1 ]
}

@test "run: a FIFO at the pidfile path is refused without hanging" {
	mkfifo "$T/s.pid"
	run timeout 10 "$W" run -p "$T/s.pid" -- sleep 1000
	[ "$status" -eq 1 ]
	[[ "$output" == *"not a regular file"* ]]
}

@test "run: a relative pidfile path is resolved before the daemon changes directory" {
	cd "$T"
	"$W" run -p rel.pid -C / -- sleep 1000
	p=$(cat "$T/rel.pid"); track_pid "$p"
	run "$W" status -p "$T/rel.pid"
	[ "$status" -eq 0 ]
}

@test "status: LSB codes and JSON" {
	run "$W" status -p "$T/s.pid"
	[ "$status" -eq 3 ]
	"$W" run -p "$T/s.pid" -- sleep 1000
	p=$(cat "$T/s.pid"); track_pid "$p"
	run "$W" status -p "$T/s.pid"
	[ "$status" -eq 0 ]
	[[ "$output" == *RUNNING*"pid $p"* ]]
	"$W" status --json -p "$T/s.pid" | python3 -c '
import json, sys
d = json.load(sys.stdin)
s = d["services"][0]
assert set(s) == {"name", "group", "state", "pid", "since", "exit_status",
    "restarts", "ready", "description"}, s
assert s["state"] == "RUNNING" and s["pid"] == int(sys.argv[1]), s
assert isinstance(s["since"], int)
' "$p"
	kill -KILL "$p"; wait_gone "$p"
	run "$W" status -p "$T/s.pid"
	[ "$status" -eq 1 ]
}

@test "stop: TERM, then the pidfile is removed" {
	"$W" run -p "$T/s.pid" -- sleep 1000
	p=$(cat "$T/s.pid"); track_pid "$p"
	run "$W" stop -p "$T/s.pid"
	[ "$status" -eq 0 ]
	gone "$p"
	[ ! -e "$T/s.pid" ]
	run "$W" stop -p "$T/s.pid"
	[ "$status" -eq 0 ]
	[[ "$output" == *"not running"* ]]
}

@test "stop: a process that ignores TERM is killed with its whole group" {
	"$W" run -p "$T/s.pid" -- sh -c "sleep 1000 & echo \$! > $T/kid; exec $FAKE -i -m $T/ready"
	wait_until 5 test -s "$T/ready"
	p=$(cat "$T/s.pid"); track_pid "$p"
	kid=$(cat "$T/kid")
	run "$W" stop --timeout 0.5 -p "$T/s.pid"
	[ "$status" -eq 0 ]
	[[ "$output" == *"killing process group"* ]]
	wait_gone "$p"
	wait_gone "$kid"
	[ ! -e "$T/s.pid" ]
}

@test "stop --signal: sends the signal asked for" {
	"$W" run -p "$T/s.pid" -- sleep 1000
	p=$(cat "$T/s.pid"); track_pid "$p"
	"$W" stop --signal INT -p "$T/s.pid"
	gone "$p"
	run "$W" stop --signal BOGUS -p "$T/s.pid"
	[ "$status" -eq 2 ]
}

# The monitor reads exactly these from a signalfd, so it keeps them
# blocked: HUP INT QUIT USR1 USR2 TERM CHLD.
MONITOR_SIGBLK=0000000000014a07

@test "run --respawn: the monitor holds the lock and restarts the command" {
	in_pty hostile "$W" run -r -o "$T/log" -p "$T/s.pid" -- sleep 1000
	m=$(cat "$T/s.pid"); track_pid "$m"
	[ "$(stat_field "$m" 6)" != "$m" ]
	[ "$(stat_field "$m" 7)" = 0 ]
	[ "$(stat_field "$m" 8)" = -1 ]
	[ "$(status_field "$m" SigBlk)" = "$MONITOR_SIGBLK" ]
	[ "$(status_field "$m" SigIgn)" = 0000000000000000 ]
	# The lock is held by the monitor itself.
	lockfd=
	for f in /proc/$m/fd/*; do
		[ "$(readlink "$f")" = "$T/s.pid" ] && lockfd=${f##*/}
	done
	[ -n "$lockfd" ]
	grep -q '^lock:.*FLOCK' "/proc/$m/fdinfo/$lockfd"
	c=$(cat /proc/$m/task/$m/children); c=${c% }
	[ -n "$c" ]
	track_pid "$c"
	[ "$(cat /proc/$c/comm)" = sleep ]
	[ "$(fds_of "$c")" = "0 1 2" ]
	audit "$c"
	[ "$(status_field "$c" Umask)" = 0022 ]
	run "$W" status -p "$T/s.pid"
	[ "$status" -eq 0 ]
	[[ "$output" == *"monitor of pid $c"* ]]
	kill -KILL "$c"
	newchild() { n=$(cat /proc/$m/task/$m/children); n=${n% }; [ -n "$n" ] && [ "$n" != "$c" ]; }
	wait_until 10 newchild
	c2=$(cat /proc/$m/task/$m/children); c2=${c2% }; track_pid "$c2"
	grep -q "killed by signal KILL" "$T/log"
	run "$W" stop -p "$T/s.pid"
	[ "$status" -eq 0 ]
	wait_gone "$m"
	wait_gone "$c2"
	[ ! -e "$T/s.pid" ]
}

@test "run --respawn: a plain kill of the monitor stops monitor and command" {
	"$W" run -r -p "$T/s.pid" -- sleep 1000
	m=$(cat "$T/s.pid"); track_pid "$m"
	c=$(cat /proc/$m/task/$m/children); c=${c% }; track_pid "$c"
	kill "$m"
	wait_gone "$m"
	wait_gone "$c"
	[ ! -e "$T/s.pid" ]
}

@test "run --respawn: a crash loop backs off exponentially" {
	"$W" run -r -o "$T/log" -p "$T/s.pid" -- sh -c 'exit 1'
	m=$(cat "$T/s.pid"); track_pid "$m"
	wait_until 10 grep -q 'restarting in 0.8 s' "$T/log"
	grep -q 'restarting in 0.1 s' "$T/log"
	grep -q 'restarting in 0.2 s' "$T/log"
	grep -q 'restarting in 0.4 s' "$T/log"
	"$W" stop -p "$T/s.pid"
	wait_gone "$m"
}

@test "run --respawn: the first start must succeed" {
	run "$W" run -r -p "$T/s.pid" -- "$T/nonexistent"
	[ "$status" -eq 1 ]
	[[ "$output" == *"No such file or directory"* ]]
	[ ! -e "$T/s.pid" ]
}

@test "run -F: stays in front and exits with the command's status" {
	run "$W" run -F -- sh -c 'echo visible >&2; exit 7'
	[ "$status" -eq 7 ]
	[[ "$output" == *visible* ]]
}

@test "run -F: TERM to warden stops the command" {
	"$W" run -F -p "$T/f.pid" -- "$FAKE" -m "$T/ready" &
	w=$!; track_pid "$w"
	wait_until 10 test -s "$T/ready"
	c=$(cat "$T/ready"); track_pid "$c"
	[ "$(cat "$T/f.pid")" = "$w" ]
	kill -TERM "$w"
	wait "$w" || true
	gone "$c"
	[ ! -e "$T/f.pid" ]
}

@test "run: bad command lines exit 2" {
	run "$W" run
	[ "$status" -eq 2 ]
	run "$W" run --ready bogus -- true
	[ "$status" -eq 2 ]
	run "$W" run --ready fd:1 -- true
	[ "$status" -eq 2 ]
	run "$W" run -m 999 -- true
	[ "$status" -eq 2 ]
	run "$W" run --ready-timeout x -- true
	[ "$status" -eq 2 ]
	run "$W" run --bogus -- true
	[ "$status" -eq 2 ]
	run "$W" stop
	[ "$status" -eq 2 ]
	run "$W" nosuchcommand
	[ "$status" -eq 2 ]
}

@test "run: a relative command is the caller's, whatever -C says" {
	cp "$FAKE" "$T/svc"
	cd "$T"
	"$W" run -C / -p "$T/s.pid" -- ./svc -m "$T/ready"
	p=$(cat "$T/s.pid"); track_pid "$p"
	[ "$(readlink /proc/$p/exe)" = "$T/svc" ]
	[ "$(readlink /proc/$p/cwd)" = / ]
}

@test "run --respawn: a failed first start shows the command's stderr" {
	run "$W" run -r --stderr "$T/log" --ready notify -p "$T/s.pid" -- \
	    sh -c 'echo myerror >&2; exit 3'
	[ "$status" -eq 1 ]
	[[ "$output" == *myerror*"exited with status 3 before it was ready"* ]]
	[ "$(grep -c myerror "$T/log")" -eq 1 ]
	[ ! -e "$T/s.pid" ]
}

@test "stop --signal KILL on a monitor takes its command too" {
	"$W" run -r -p "$T/s.pid" -- sleep 1000
	m=$(cat "$T/s.pid"); track_pid "$m"
	c=$(cat /proc/$m/task/$m/children); c=${c% }; track_pid "$c"
	run "$W" stop --signal KILL -p "$T/s.pid"
	[ "$status" -eq 0 ]
	wait_gone "$m"
	wait_gone "$c"
}

@test "stop: a stale pidfile that cannot be locked is not claimed removed" {
	echo 1 >"$T/f.pid"
	ln "$T/f.pid" "$T/h.pid"
	run "$W" stop -p "$T/f.pid"
	[ "$status" -eq 0 ]
	[[ "$output" == *"stale pidfile left"* ]]
	[ -e "$T/f.pid" ]
}

@test "notify: without NOTIFY_SOCKET, or with bad assignments, it fails" {
	run env -u NOTIFY_SOCKET "$W" notify READY=1
	[ "$status" -eq 1 ]
	[[ "$output" == *"NOTIFY_SOCKET is not set"* ]]
	run env NOTIFY_SOCKET=@warden-test-nobody "$W" notify READY=1
	[ "$status" -eq 1 ]
	run "$W" notify READY
	[ "$status" -eq 2 ]
	run "$W" notify --pid 0 READY=1
	[ "$status" -eq 2 ]
	run "$W" notify
	[ "$status" -eq 2 ]
}

# echo_to PORT|PATH TEXT: one line through an echo server; prints the echo.
echo_to() {
	timeout 10 python3 - "$1" "$2" <<-'PY'
	import socket, sys
	a = sys.argv[1]
	if a.startswith("/"):
	    s = socket.socket(socket.AF_UNIX)
	    s.connect(a)
	else:
	    s = socket.create_connection(("127.0.0.1", int(a)))
	s.sendall(sys.argv[2].encode() + b"\n")
	print(s.makefile().readline().strip())
	PY
}

@test "run --listen: the sockets are bound first and handed over from fd 3 with LISTEN_FDS" {
	port=$(free_port)
	"$W" run --listen "tcp://127.0.0.1:$port" --listen "unix://$T/e.sock" \
	    -n two -p "$T/s.pid" -- sleep 1000
	p=$(cat "$T/s.pid"); track_pid "$p"
	env=$(tr '\0' '\n' </proc/$p/environ)
	grep -qx LISTEN_FDS=2 <<<"$env"
	grep -qx "LISTEN_PID=$p" <<<"$env"
	grep -qx LISTEN_FDNAMES=two:two <<<"$env"
	[ "$(fds_of "$p")" = "0 1 2 3 4" ]
	[[ "$(readlink /proc/$p/fd/3)" == socket:* ]]
	[[ "$(readlink /proc/$p/fd/4)" == socket:* ]]
	[ -S "$T/e.sock" ]
	# echod takes fd 3 when LISTEN_PID is its own.
	port=$(free_port)
	"$W" run --listen "tcp://127.0.0.1:$port" -p "$T/e.pid" -- "$ECHOD" -F
	p=$(cat "$T/e.pid"); track_pid "$p"
	[ "$(cat /proc/$p/comm)" = echod ]
	[ "$(echo_to "$port" hello)" = hello ]
}

@test "run --listen -r: the socket outlives every restart; connections wait, none refused" {
	port=$(free_port)
	"$W" run -r --listen "tcp://127.0.0.1:$port" -p "$T/s.pid" -- \
	    "$ECHOD" -F
	m=$(cat "$T/s.pid"); track_pid "$m"
	wait_until 10 test -n "$(children "$m")"
	p=$(children "$m"); track_pid "$p"
	ino=$(readlink /proc/$p/fd/3)
	[ "$(echo_to "$port" one)" = one ]
	kill -KILL "$p"
	# Straight away, while the monitor restarts it: the connection
	# waits in the backlog, and the new echod answers it.
	[ "$(echo_to "$port" two)" = two ]
	q=$(children "$m"); track_pid "$q"	# the teardown kills m hard
	[ -n "$q" ] && [ "$q" != "$p" ]
	[ "$(readlink /proc/$q/fd/3)" = "$ino" ]
	grep -qx "LISTEN_PID=$q" < <(tr '\0' '\n' </proc/$q/environ)
}

@test "run --listen: a bad address or a port in use fails before anything starts" {
	run "$W" run --listen "http://x" -- sleep 1000
	[ "$status" -eq 2 ]
	[[ "$output" == *"--listen http://x: tcp://HOST:PORT or unix:///PATH"* ]]
	run "$W" run --listen "tcp://127.0.0.1:1" --listen "tcp://127.0.0.1:1" \
	    -- sleep 1000
	[ "$status" -eq 2 ]
	[[ "$output" == *"given twice"* ]]
	port=$(free_port)
	python3 -c 'import socket,sys,time
s=socket.socket(); s.bind(("127.0.0.1",int(sys.argv[1]))); s.listen()
open(sys.argv[2],"w").close(); time.sleep(60)' "$port" "$T/held" &
	track_pid $!
	wait_until 10 test -e "$T/held"
	run "$W" run --listen "tcp://127.0.0.1:$port" -p "$T/s.pid" -- \
	    sleep 1000
	[ "$status" -eq 1 ]
	[[ "$output" == *"--listen: bind tcp://127.0.0.1:$port: Address"*"in use"* ]]
	[ ! -s "$T/s.pid" ]
}
