#!/usr/bin/env bats
# warden up: the sd_notify protocol in detail (MAINPID, EXTEND_TIMEOUT_USEC,
# ERRNO, RELOADING, WATCHDOG=trigger), who gets NOTIFY_SOCKET, and the
# supervisor's own signals and log.

load common
load sup

setup() { sup_setup; }
teardown() { sup_teardown; }

@test "ready: MAINPID= hands supervision to another process of the service" {
	conf a <<-EOF
	[program:m]
	command = sh -c 'sleep 1000 & $W notify MAINPID=\$! READY=1; exit 0'
	ready = notify
	startretries = 0
	EOF
	up a
	state_is m RUNNING
	p=$(svc_field m pid)
	[ "$(cat /proc/$p/comm)" = sleep ]
	# Its death is the service's: a crash, and a restart.
	kill -KILL "$p"
	wait_until 10 eval '[ "$(svc_field m restarts)" = 1 ] && state_is m RUNNING'
	[ "$(svc_field m pid)" != "$p" ]
}

@test "ready: MAINPID= naming a process that is not the service's is refused" {
	sleep 1000 &
	stranger=$!
	track_pid "$stranger"
	conf a <<-EOF
	[program:m]
	command = sh -c '$W notify MAINPID=$stranger READY=1; exec sleep 1000'
	ready = notify
	EOF
	up a
	state_is m RUNNING
	p=$(svc_field m pid)
	[ "$p" != "$stranger" ]
	[ "$(cat /proc/$p/comm)" = sleep ]
}

@test "ready: EXTEND_TIMEOUT_USEC= is microseconds and moves the deadline" {
	conf a <<-EOF
	[program:slow]
	command = sh -c '$W notify EXTEND_TIMEOUT_USEC=3000000; sleep 1.5; $W notify READY=1; exec sleep 1000'
	ready = notify
	ready_timeout = 1
	startretries = 0

	[program:late]
	command = sh -c '$W notify EXTEND_TIMEOUT_USEC=1500000; exec sleep 1000'
	ready = notify
	ready_timeout = 0.5
	startretries = 0
	EOF
	start=$(date +%s%N)
	run "$W" up -c "$T/a.conf"
	track_pid "$(cat "$T/run/warden.pid")"
	took=$(( ($(date +%s%N) - start) / 1000000 ))
	# slow was given 3 s and used 1.5: RUNNING, never failed.
	state_is slow RUNNING
	[ "$(svc_field slow restarts)" = 0 ]
	# late was given 1.5 s, not 1500 s, nor its own 0.5 s.
	state_is late FATAL
	[[ "$(svc_field late description)" == *"not ready after"* ]]
	[ "$took" -ge 1400 ] && [ "$took" -lt 10000 ]
}

@test "ready: ERRNO= and the last stderr line explain a failed start" {
	conf a <<-EOF
	[program:e]
	command = sh -c 'echo "e: cannot read /etc/e.conf" >&2; $W notify ERRNO=2; exit 1'
	ready = notify
	startretries = 0
	EOF
	run "$W" up -c "$T/a.conf"
	track_pid "$(cat "$T/run/warden.pid")"
	[[ "$output" == *"e: FATAL"* ]]
	[[ "$output" == *"No such file or directory"* ]]
	[[ "$output" == *"e: cannot read /etc/e.conf"* ]]
	d=$(svc_field e description)
	[[ "$d" == *"exited with status 1"* ]]
	[[ "$d" == *"No such file or directory"* ]]
}

@test "ready: RELOADING=1 and STATUS= show in status until READY=1" {
	conf a <<-EOF
	[program:r]
	command = sh -c '$W notify READY=1 STATUS=serving; while [ ! -e $T/reload ]; do sleep 0.05; done; $W notify RELOADING=1 STATUS=rereading; while [ ! -e $T/done ]; do sleep 0.05; done; $W notify READY=1 "STATUS=serving again"; exec sleep 1000'
	ready = notify
	EOF
	up a
	run "$W" status r
	[[ "$output" == *"; serving"* ]]
	touch "$T/reload"
	wait_until 5 eval '"$W" status r | grep -q "reloading; rereading"'
	state_is r RUNNING
	touch "$T/done"
	wait_until 5 eval '"$W" status r | grep -q "; serving again"'
	run "$W" status r
	[[ "$output" != *reloading* ]]
}

@test "ready: WATCHDOG=trigger restarts the service at once" {
	conf a <<-EOF
	[program:w]
	command = sh -c '$W notify READY=1; while [ ! -e $T/go ]; do sleep 0.05; done; rm $T/go; $W notify WATCHDOG=trigger; exec sleep 1000'
	ready = notify
	watchdog_sec = 60
	EOF
	up a
	p=$(svc_field w pid)
	touch "$T/go"
	wait_until 10 eval '[ "$(svc_field w restarts)" -ge 1 ]'
	wait_gone "$p" 10
	# Its environment told it the interval and its own pid.
	wait_until 10 state_is w RUNNING
	q=$(svc_field w pid)
	tr '\0' '\n' </proc/$q/environ >"$T/env"
	grep -qx "WATCHDOG_USEC=60000000" "$T/env"
	grep -qx "WATCHDOG_PID=$q" "$T/env"
}

@test "ready: only notify services get NOTIFY_SOCKET, and no inherited one" {
	conf a <<-EOF
	[program:n]
	command = sh -c '$W notify READY=1; exec sleep 1000'
	ready = notify

	[program:plain]
	command = sleep 1000
	startsecs = 0
	EOF
	NOTIFY_SOCKET=@leaked WATCHDOG_USEC=1 up a
	tr '\0' '\n' </proc/$(svc_field n pid)/environ >"$T/n.env"
	tr '\0' '\n' </proc/$(svc_field plain pid)/environ >"$T/plain.env"
	grep -q '^NOTIFY_SOCKET=@' "$T/n.env"
	! grep -q '^NOTIFY_SOCKET=@leaked' "$T/n.env"
	! grep -q '^NOTIFY_SOCKET=' "$T/plain.env"
	! grep -q '^WATCHDOG_' "$T/plain.env"
}

@test "ready: a message over 4096 bytes is dropped, not half read" {
	conf a <<-EOF
	[program:big]
	command = python3 -c 'import os, socket; a = os.environ["NOTIFY_SOCKET"].replace("@", "\\0", 1); s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.sendto(b"READY=1\\n" + b"X" * 5000, a); import time; time.sleep(1000)'
	ready = notify
	ready_timeout = 1
	startretries = 0
	EOF
	run "$W" up -c "$T/a.conf"
	track_pid "$(cat "$T/run/warden.pid")"
	state_is big FATAL
	run svc_field big description
	echo "$output"
	[[ "$output" == *"not ready after 1 s"* ]]
}

@test "ready: stray signals do not kill the supervisor" {
	conf a <<-EOF
	[program:s]
	command = sleep 1000
	startsecs = 0
	EOF
	up a
	sup=$(cat "$T/run/warden.pid")
	for sig in USR1 ALRM PIPE VTALRM PROF IO PWR XCPU TSTP TTIN TTOU 40; do
		kill -s "$sig" "$sup"
	done
	state_is s RUNNING
	[ "$(stat_field "$sup" 3)" != T ]
	run "$W" status s
	[ "$status" -eq 0 ]
}

@test "ready: SIGUSR2 opens the supervisor's own log again" {
	SUP_LOG="$T/sup.log"
	conf a <<-EOF
	[program:s]
	command = sleep 1000
	startsecs = 0
	autostart = false
	EOF
	up a
	wait_until 5 grep -q "supervising" "$T/sup.log"
	mv "$T/sup.log" "$T/sup.log.1"
	kill -USR2 "$(cat "$T/run/warden.pid")"
	"$W" start s
	wait_until 5 grep -q "s: STOPPED -> STARTING" "$T/sup.log"
	! grep -q "s: STOPPED -> STARTING" "$T/sup.log.1"
}
