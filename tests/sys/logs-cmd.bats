#!/usr/bin/env bats
# warden logs: a service's log and the supervisor's, read through the
# control socket; -f follows them live.

load common
load sup

setup() { sup_setup; }
teardown() { sup_teardown; }

# lines_in FILE N: FILE has N lines at least.
lines_in() { [ -f "$1" ] && [ "$(wc -l <"$1")" -ge "$2" ]; }

# has FILE TEXT: a line of FILE is TEXT.
has() { [ -f "$1" ] && grep -qxF -- "$2" "$1"; }

# size_is FILE BYTES: FILE holds BYTES bytes.
size_is() { [ -f "$1" ] && [ "$(stat -c %s "$1")" = "$2" ]; }

# adds_up OUT ERR BYTES: OUT's size and the bytes ERR's markers say were
# skipped make BYTES, and something was skipped.
adds_up() {
	local n
	n=$(sed -n 's/^warden: \([0-9]*\) bytes skipped.*/\1/p' "$2" |
	    awk '{ n += $1 } END { print n + 0 }')
	[ "$n" -gt 0 ] && size_is "$1" $(($3 - n))
}

# say TEXT: one line into the "talker" service, through its fifo.
say() { timeout 5 sh -c 'printf "%s\n" "$1" >"$2"' sh "$1" "$T/fifo"; }

# A service that says "start PID" when it starts, then repeats what
# arrives through $T/fifo.
talker_conf() {
	mkfifo "$T/fifo"
	conf a <<-EOF
	[program:one]
	command = sh -c 'echo "start \$\$"; while :; do cat "$T/fifo"; done'
	startsecs = 0
	stdout_logfile = $T/one.log
	EOF
}

@test "logs: -n N prints exactly the last N lines; 10 by default" {
	conf a <<-EOF
	[program:one]
	command = sh -c 'i=1; while [ \$i -le 30 ]; do echo "line \$i"; i=\$((i+1)); done; exec sleep 1000'
	startsecs = 0
	stdout_logfile = $T/one.log
	EOF
	up a
	wait_until 5 lines_in "$T/one.log" 30
	run "$W" logs one -n 3
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'line 28\nline 29\nline 30')" ]
	run "$W" logs one
	[ "$status" -eq 0 ]
	[ "$output" = "$(seq 21 30 | sed 's/^/line /')" ]
	run "$W" logs one -n 0
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	run "$W" logs -n 1000 one
	[ "$status" -eq 0 ]
	[ "$output" = "$(seq 1 30 | sed 's/^/line /')" ]
}

@test "logs: the lines the file lacks come from the rotated .1" {
	seq 1 20 | sed 's/^/old /' >"$T/one.log.1"
	conf a <<-EOF
	[program:one]
	command = sh -c 'echo new 1; echo new 2; exec sleep 1000'
	startsecs = 0
	stdout_logfile = $T/one.log
	EOF
	up a
	wait_until 5 lines_in "$T/one.log" 2
	run "$W" logs one -n 5
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'old 18\nold 19\nold 20\nnew 1\nnew 2')" ]
	run "$W" logs one -n 2
	[ "$output" = "$(printf 'new 1\nnew 2')" ]
}

@test "logs: a long file is read from its end" {
	conf a <<-EOF
	[program:one]
	command = sh -c 'seq 1 300000; exec sleep 1000'
	startsecs = 0
	stdout_logfile = $T/one.log
	EOF
	up a
	wait_until 10 lines_in "$T/one.log" 300000
	run "$W" logs one -n 2
	[ "$output" = "$(printf '299999\n300000')" ]
	# 200,000 lines: more than one message, none lost, none repeated.
	"$W" logs one -n 200000 >"$T/out"
	seq 100001 300000 | cmp - "$T/out"
}

@test "logs --rotate: a new file; the old lines are still shown" {
	talker_conf
	up a
	wait_until 5 lines_in "$T/one.log" 1
	say a1
	wait_until 5 has "$T/one.log" a1
	run "$W" logs one --rotate
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ -f "$T/one.log.1" ]
	grep -qx a1 "$T/one.log.1"
	say b1
	wait_until 5 has "$T/one.log" b1
	! grep -q a1 "$T/one.log"
	run "$W" logs one -n 2
	[ "$output" = "$(printf 'a1\nb1')" ]
}

@test "logs -f: new lines, across a restart and a rotation, once each, in order" {
	talker_conf
	up a
	p1=$(svc_field one pid)
	wait_until 5 has "$T/one.log" "start $p1"
	"$W" logs one -f -n 1 >"$T/out" 2>"$T/err" &
	f=$!
	track_pid "$f"
	wait_until 5 has "$T/out" "start $p1"
	say a1
	wait_until 5 has "$T/out" a1
	"$W" restart one
	p2=$(svc_field one pid)
	[ "$p2" != "$p1" ]
	wait_until 5 has "$T/out" "start $p2"
	say a2
	wait_until 5 has "$T/out" a2
	"$W" logs one --rotate
	say a3
	wait_until 5 has "$T/out" a3
	"$W" restart one
	p3=$(svc_field one pid)
	wait_until 5 has "$T/out" "start $p3"
	say a4
	wait_until 5 has "$T/out" a4
	kill -INT "$f"
	wait_gone "$f" 5
	wait "$f"
	[ "$(cat "$T/out")" = "$(printf 'start %s\na1\nstart %s\na2\na3\nstart %s\na4' \
	    "$p1" "$p2" "$p3")" ]
	[ ! -s "$T/err" ]
}

@test "logs -f: ends with 0 when the service is removed, or at shutdown" {
	conf b <<-EOF
	[program:one]
	command = sh -c 'echo hi; exec sleep 1000'
	startsecs = 0
	stdout_logfile = $T/one.log

	[program:two]
	command = sh -c 'echo two; exec sleep 1000'
	startsecs = 0
	EOF
	up b
	wait_until 5 lines_in "$T/one.log" 1
	"$W" logs one -f >"$T/out1" 2>"$T/err1" &
	f1=$!
	"$W" logs two -f >"$T/out2" 2>"$T/err2" &
	f2=$!
	"$W" logs --supervisor -f -n 1 >"$T/out3" 2>"$T/err3" &
	f3=$!
	track_pid "$f1"; track_pid "$f2"; track_pid "$f3"
	wait_until 5 lines_in "$T/out1" 1
	wait_until 5 lines_in "$T/out2" 1
	wait_until 5 lines_in "$T/out3" 1
	# Reload without "one": its follower is told, and ends.
	conf b <<-EOF
	[program:two]
	command = sh -c 'echo two; exec sleep 1000'
	startsecs = 0
	EOF
	"$W" reload
	wait_gone "$f1" 10
	wait "$f1"
	[ "$(cat "$T/err1")" = "warden: one: removed by reload" ]
	[ "$(cat "$T/out1")" = hi ]
	sup=$(cat "$T/run/warden.pid")
	"$W" shutdown
	wait_gone "$f2" 10
	wait "$f2"
	[ "$(cat "$T/err2")" = "warden: the supervisor has shut down" ]
	wait_gone "$f3" 10
	wait "$f3"
	grep -q 'warden\[[0-9]*\]: two: RUNNING -> STOPPING$' "$T/out3"
	grep -q 'all stopped; exiting$' "$T/out3"
	wait_gone "$sup"
}

@test "logs -f: a reader that goes away ends it" {
	talker_conf
	up a
	wait_until 5 lines_in "$T/one.log" 1
	# head leaves after one line; logs -f must not wait for another.
	run timeout 10 sh -c '"$1" logs one -f -n 1 | head -1' sh "$W"
	[ "$status" -eq 0 ]
	[[ "$output" == "start "* ]]
}

@test "logs --stderr: the stderr log; redirect_stderr has none" {
	conf a <<-EOF
	[program:one]
	command = sh -c 'echo out1; echo err1 >&2; exec sleep 1000'
	startsecs = 0
	stdout_logfile = $T/one.log
	stderr_logfile = $T/one.err

	[program:two]
	command = sh -c 'echo out2; echo err2 >&2; exec sleep 1000'
	startsecs = 0
	redirect_stderr = true
	stdout_logfile = $T/two.log
	EOF
	up a
	wait_until 5 lines_in "$T/one.err" 1
	wait_until 5 lines_in "$T/two.log" 2
	run "$W" logs one --stderr
	[ "$status" -eq 0 ]
	[ "$output" = err1 ]
	run "$W" logs one
	[ "$output" = out1 ]
	run "$W" logs two
	[ "$(printf '%s\n' "$output" | sort)" = "$(printf 'err2\nout2')" ]
	run "$W" logs two --stderr
	[ "$status" -eq 1 ]
	[ "$output" = "warden: two: stderr goes to stdout (redirect_stderr)" ]
	run "$W" logs two --stderr --rotate
	[ "$status" -eq 1 ]
}

@test "logs: a stream with no file: a note for -n; -f still follows" {
	mkfifo "$T/fifo"
	conf a <<-EOF
	[program:one]
	command = sleep 1000
	startsecs = 0
	stdout_logfile = NONE

	[program:two]
	command = sh -c 'while :; do cat "$T/fifo"; done'
	startsecs = 0
	stdout_logfile = /dev/stdout
	EOF
	up a
	run "$W" logs one
	[ "$status" -eq 0 ]
	[ "$output" = "warden: one: no log file to read (stdout_logfile=NONE)" ]
	run "$W" logs two
	[ "$status" -eq 0 ]
	[ "$output" = "warden: two: no log file to read (stdout_logfile=/dev/stdout)" ]
	"$W" logs two -f -n 0 >"$T/out" 2>"$T/err" &
	f=$!
	track_pid "$f"
	# Nothing tells when it listens: say "ping" until it is heard.
	for i in 1 2 3 4 5 6 7 8 9 10; do
		say ping
		wait_until 1 has "$T/out" ping && break
	done
	say hello
	wait_until 5 has "$T/out" hello
	kill -INT "$f"
	wait_gone "$f" 5
	wait "$f"
	[ "$(tail -n 1 "$T/out")" = hello ]
	[ "$(grep -cv '^ping$' "$T/out")" -eq 1 ]
	[ ! -s "$T/err" ]
}

@test "logs --supervisor: the supervisor's messages; -f follows them" {
	conf a <<-EOF
	[program:one]
	command = sleep 1000
	startsecs = 0
	EOF
	up a
	run "$W" logs --supervisor
	[ "$status" -eq 0 ]
	[[ "$output" == *"one: STARTING -> RUNNING"* ]]
	[ "$(printf '%s\n' "$output" | wc -l)" -le 10 ]
	run "$W" logs --supervisor -n 1
	[ "$(printf '%s\n' "$output" | wc -l)" -eq 1 ]
	last=$output
	"$W" logs --supervisor -f -n 1 >"$T/out" &
	f=$!
	track_pid "$f"
	wait_until 5 lines_in "$T/out" 1
	"$W" stop one
	wait_until 5 grep -q 'one: RUNNING -> STOPPING$' "$T/out"
	wait_until 5 grep -q 'one: STOPPING -> STOPPED$' "$T/out"
	# The line it started from, then only new ones, once each.
	[ "$(head -n 1 "$T/out")" = "$last" ]
	[ -z "$(sort "$T/out" | uniq -d)" ]
	kill -INT "$f"
	wait_gone "$f" 5
	wait "$f"
}

@test "logs: escape sequences are escaped on a terminal, raw into a file" {
	conf a <<-EOF
	[program:one]
	command = sh -c 'printf "\\\\033[31mred\\\\tx\\\\n"; exec sleep 1000'
	startsecs = 0
	stdout_logfile = $T/one.log
	EOF
	up a
	wait_until 5 lines_in "$T/one.log" 1
	printf '\033[31mred\tx\n' | cmp - "$T/one.log"
	"$W" logs one >"$T/raw"
	cmp "$T/raw" "$T/one.log"
	run in_pty "$W" logs one
	[ "$status" -eq 0 ]
	[[ "$output" == *'\x1b[31mred'$'\t''x'* ]]
	[[ "$output" != *$'\033'* ]]
}

@test "logs -f: a follower that does not read never blocks the supervisor" {
	conf a <<-EOF
	[program:one]
	command = sh -c 'echo hello; while [ ! -e "$T/flood" ]; do sleep 0.05; done; head -c 15840000 /dev/zero | tr "\\0" x | fold -w 99; echo; exec sleep 1000'
	startsecs = 0
	stdout_logfile = $T/one.log
	stdout_logfile_maxbytes = 0
	EOF
	up a
	wait_until 5 lines_in "$T/one.log" 1
	# The reader takes the first line, then nothing until $T/go exists.
	"$W" logs one -f -n 1 2>"$T/err" | {
		IFS= read -r l
		echo "$l" >"$T/first"
		while [ ! -e "$T/go" ]; do sleep 0.05; done
		cat >"$T/out"
	} &
	f=$!
	track_pid "$f"
	wait_until 5 has "$T/first" hello
	touch "$T/flood"
	# 6 + 16,000,000 bytes: all written while the follower is stuck.
	wait_until 20 size_is "$T/one.log" 16000006
	run timeout 5 "$W" status one
	[ "$status" -eq 0 ]
	touch "$T/go"
	# What it got, and what the markers say it missed (a marker each
	# time it caught up after a loss), add up to what was written.
	wait_until 10 adds_up "$T/out" "$T/err" 16000000
	grep -qx 'warden: [0-9]* bytes skipped (reader too slow)' "$T/err"
}

@test "logs -f: at most 32 followers; status still answers" {
	conf a <<-EOF
	[program:one]
	command = sleep 1000
	startsecs = 0
	EOF
	up a
	for i in $(seq 1 32); do
		"$W" logs --supervisor -f -n 1 >"$T/f$i" &
		track_pid $!
	done
	for i in $(seq 1 32); do
		wait_until 5 lines_in "$T/f$i" 1
	done
	run "$W" logs --supervisor -f
	[ "$status" -eq 1 ]
	[ "$output" = "warden: too many followers (32)" ]
	run "$W" status one
	[ "$status" -eq 0 ]
}

@test "logs: errors and exit statuses" {
	conf a <<-EOF
	[program:one]
	command = sleep 1000
	startsecs = 0
	EOF
	up a
	run "$W" logs nope
	[ "$status" -eq 1 ]
	[ "$output" = "warden: nope: no such process" ]
	run "$W" logs one -n x
	[ "$status" -eq 2 ]
	run "$W" logs one -n -1
	[ "$status" -eq 2 ]
	run "$W" logs
	[ "$status" -eq 2 ]
	run "$W" logs one two
	[ "$status" -eq 2 ]
	run "$W" logs --supervisor one
	[ "$status" -eq 2 ]
	run "$W" logs --supervisor --rotate
	[ "$status" -eq 2 ]
	run "$W" logs one --rotate -f
	[ "$status" -eq 2 ]
	run "$W" logs one -s "$T/nothing.sock"
	[ "$status" -eq 1 ]
	[[ "$output" == *"no supervisor at $T/nothing.sock"* ]]
}
