#!/usr/bin/env bats
# [eventlistener:x]: supervisord's listener protocol and its events, as
# real listeners use them (a shell one-liner, supervisor.childutils), the
# same transcript under warden and under supervisord itself.

load common
load sup

PY=/usr/bin/python3

setup() {
	sup_setup
	SUP_LOG="$T/sup.log"
	# The listener: each event as a JSON line in $1 (headers, payload and
	# this process's name); $2 says how it answers: ok, fail-once (FAIL
	# the first time it sees a serial), die-once (exit at the first event
	# without a word; the next instance answers), garbage (junk instead
	# of READY).
	cat >"$T/lis.py" <<-'EOF'
	import json, os, sys, time
	from supervisor import childutils
	out, mode = sys.argv[1], sys.argv[2]
	seen = out + ".seen"
	if mode == "garbage":
	    sys.stdout.write("HELLO\n"); sys.stdout.flush()
	    for line in sys.stdin:
	        pass
	while True:
	    h, payload = childutils.listener.wait(sys.stdin, sys.stdout)
	    rec = {"headers": h, "payload": payload, "t": time.time(),
	           "me": os.environ["SUPERVISOR_PROCESS_NAME"]}
	    with open(out, "a") as f:
	        f.write(json.dumps(rec) + "\n")
	    if mode == "die-once" and not os.path.exists(seen):
	        open(seen, "w").close()
	        os._exit(7)
	    if mode == "fail-once" and h["serial"] not in (
	            open(seen).read().split() if os.path.exists(seen) else []):
	        with open(seen, "a") as f:
	            f.write(h["serial"] + "\n")
	        childutils.listener.fail(sys.stdout)
	        continue
	    childutils.listener.ok(sys.stdout)
	EOF
	# The check of a transcript: every header as supervisord sends them,
	# the payload through childutils; one normalised line per event,
	# pids and times out, up to the first event named $2 (if given).
	cat >"$T/norm.py" <<-'EOF'
	import json, re, sys
	from supervisor import childutils
	stop = sys.argv[2] if len(sys.argv) > 2 else None
	pserial = 0
	last = -1
	for line in open(sys.argv[1]):
	    r = json.loads(line)
	    h, p = r["headers"], r["payload"]
	    assert sorted(h) == sorted(["ver", "server", "serial", "pool",
	        "poolserial", "eventname", "len"]), h
	    assert h["ver"] == "3.0", h
	    assert int(h["len"]) == len(p.encode()), (h, p)
	    assert int(h["serial"]) > last, (h, last)
	    last = int(h["serial"])
	    name = h["eventname"]
	    if name.startswith("PROCESS_STATE") or name.startswith("TICK") or \
	            name.startswith("SUPERVISOR"):
	        body = " ".join("%s=%s" % kv for kv in
	            sorted(childutils.get_headers(p).items()))
	    else:
	        hd, data = childutils.eventdata(p)
	        body = " ".join("%s=%s" % kv for kv in sorted(hd.items()))
	        body += " data=%r" % data
	    body = re.sub(r"pid=[0-9]+", "pid=N", body)
	    body = re.sub(r"when=[0-9]+", "when=T", body)
	    print("%s server=%s pool=%s %s" % (name, h["server"], h["pool"], body))
	    if name == stop:
	        break
	EOF
	# Over XML-RPC: stop long, remove talk's group, send a remote event.
	cat >"$T/remote.py" <<-'EOF'
	import sys
	from supervisor import childutils
	rpc = childutils.getRPCInterface({"SUPERVISOR_SERVER_URL": sys.argv[1]})
	assert rpc.supervisor.stopProcess("long")
	assert rpc.supervisor.removeProcessGroup("talk")
	assert rpc.supervisor.sendRemoteCommEvent(sys.argv[2], sys.argv[3])
	EOF
	# An sh that is bash, as in the images that use the one-liner (bash
	# called as sh is POSIX and refuses "kill -SIGQUIT": not that way).
	mkdir "$T/bin"
	printf '#!/bin/bash\nexec /bin/bash "$@"\n' >"$T/bin/sh"
	chmod 755 "$T/bin/sh"
}
teardown() { sup_teardown; }

# has FILE PATTERN: the transcript has a line that matches.
has() { [ -f "$1" ] && grep -q -- "$2" "$1"; }

# count FILE PATTERN: how many lines match.
count() { if [ -f "$1" ]; then grep -c -- "$2" "$1"; else echo 0; fi; }

# at_least N FILE PATTERN: N lines match, or more.
at_least() { [ "$(count "$2" "$3")" -ge "$1" ]; }

@test "events: the sh listener of a FATAL program shuts warden down in order" {
	cat <<-EOF | conf a
	[eventlistener:quit]
	command = sh -c "printf 'READY\n' && while read line; do kill -SIGQUIT \$PPID; done < /dev/stdin"
	events = PROCESS_STATE_FATAL
	environment = PATH="$T/bin:/usr/bin:/bin"

	[program:bad]
	command = /bin/false
	startretries = 1

	[program:web]
	command = /bin/sleep 1000
	startsecs = 0
	EOF
	PATH="$T/bin:$PATH" "$W" up -F -c "$T/a.conf" >"$T/up.out" 2>&1 &
	p=$!
	track_pid "$p"
	wait_gone "$p" 30
	# web (999) stopped before the listener (-1), then the supervisor left.
	grep -n 'web: RUNNING -> STOPPING' "$SUP_LOG"
	grep -n 'quit: RUNNING -> STOPPING' "$SUP_LOG"
	a=$(grep -n 'web: RUNNING -> STOPPING' "$SUP_LOG" | cut -d: -f1)
	b=$(grep -n 'quit: RUNNING -> STOPPING' "$SUP_LOG" | cut -d: -f1)
	[ "$a" -lt "$b" ]
	grep -q 'all stopped; exiting' "$SUP_LOG"
}

# ev_conf FILE: the comparison's config, for warden or supervisord.
ev_conf() {
	cat >"$T/talk.sh" <<-'EOF'
	printf 'out1\n<!--XSUPERVISOR:BEGIN-->comm1<!--XSUPERVISOR:END-->'
	printf 'err1\n' >&2
	sleep 2
	exit 3
	EOF
	cat >"$1" <<-EOF
	[unix_http_server]
	file = $T/sock
	[rpcinterface:supervisor]
	supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface
	[supervisord]
	logfile = $T/supervisord.log
	pidfile = $T/supervisord.pid
	childlogdir = $T
	identifier = evtest
	[eventlistener:lis]
	command = $PY $T/lis.py $T/$2.events ok
	events = PROCESS_STATE, PROCESS_LOG, PROCESS_COMMUNICATION,
	    REMOTE_COMMUNICATION, SUPERVISOR_STATE_CHANGE, PROCESS_GROUP
	buffer_size = 100
	[program:talk]
	command = /bin/sh $T/talk.sh
	autorestart = false
	stdout_events_enabled = true
	stderr_events_enabled = true
	stdout_capture_maxbytes = 1KB
	[program:fail]
	command = /bin/sh -c 'exit 1'
	startretries = 0
	[program:long]
	command = /bin/sleep 1000
	EOF
}

# ev_run NAME: the transcript's events up to REMOTE_COMMUNICATION, sent
# once talk has exited and fail given up.
ev_run() {
	local f="$T/$1.events"
	within 30 has "$f" '"PROCESS_STATE_EXITED"'
	within 30 has "$f" '"PROCESS_STATE_FATAL"'
	within 30 has "$f" 'PROCESS_STATE_RUNNING.*processname:long'
	$PY "$T/remote.py" "unix://$T/sock" t1 'd1 and more'
	within 30 has "$f" '"REMOTE_COMMUNICATION"'
	$PY "$T/norm.py" "$f" REMOTE_COMMUNICATION >"$T/$1.norm"
}

# sorted_by_process FILE: the events of each process in their order, the
# processes (and the others) apart: what one order of both servers keeps.
sorted_by_process() {
	awk '{ k = $1; for (i = 2; i <= NF; i++) if ($i ~ /^processname=/) k = $i
	    print k "\t" (++n[k]) "\t" $0 }' "$1" |
	    sed 's/^\(PROCESS_GROUP_ADDED\)\t[0-9]*/\1/' | sort
}

@test "events: every type's headers and payload, as supervisord sends them" {
	[ -x /usr/bin/supervisord ] || skip "supervisord is not installed"
	ev_conf "$T/s.conf" s
	/usr/bin/supervisord -n -c "$T/s.conf" >/dev/null 2>&1 &
	track_pid $!
	sp=$!
	ev_run s
	kill -TERM "$sp"
	wait_gone "$sp" 20

	rm -f "$T/sock"
	{ printf '[warden]\nrundir = %s/run\npidfile = %s/run/warden.pid\n' \
	    "$T" "$T"; cat "$T/s.conf"; } |
	    sed "s|$T/s.events|$T/w.events|" >"$T/w.conf"
	run timeout 60 "$W" up -c "$T/w.conf"
	[ "$status" -eq 3 ]		# fail is FATAL
	track_pid "$(cat "$T/run/warden.pid")"
	ev_run w

	cat "$T/w.norm"
	grep -qx 'PROCESS_COMMUNICATION_STDOUT server=evtest pool=lis groupname=talk pid=N processname=talk data=.comm1.' "$T/w.norm"
	grep -qx 'REMOTE_COMMUNICATION server=evtest pool=lis type=t1 data=.d1 and more.' "$T/w.norm"
	grep -qx 'PROCESS_STATE_EXITED server=evtest pool=lis expected=0 from_state=RUNNING groupname=talk pid=N processname=talk' "$T/w.norm"
	grep -qx 'PROCESS_STATE_STOPPED server=evtest pool=lis from_state=STOPPING groupname=long pid=N processname=long' "$T/w.norm"
	grep -qx 'PROCESS_GROUP_REMOVED server=evtest pool=lis groupname=talk data=..' "$T/w.norm"
	sorted_by_process "$T/s.norm" >"$T/s.sorted"
	sorted_by_process "$T/w.norm" >"$T/w.sorted"
	diff -u "$T/s.sorted" "$T/w.sorted"
}

# lis_conf MODE [MORE]: a listener of PROCESS_STATE_EXITED in MODE, and a
# program "tick" that exits at once (startsecs=0), restarted by hand.
lis_conf() {
	cat <<-EOF | conf a
	[eventlistener:lis]
	command = $PY $T/lis.py $T/ev $1
	events = PROCESS_STATE_EXITED
	$2

	[program:once]
	command = /bin/true
	startsecs = 0
	autorestart = false
	autostart = false
	EOF
}

@test "events: a FAIL puts the event back: it comes again, the same serial" {
	lis_conf fail-once
	up a
	within 20 state_is lis RUNNING
	"$W" start once
	within 20 at_least 2 "$T/ev" PROCESS_STATE_EXITED
	$PY -c '
import json, sys
r = [json.loads(l)["headers"] for l in open(sys.argv[1])]
assert r[0]["serial"] == r[1]["serial"], r
assert r[0]["poolserial"] == r[1]["poolserial"], r
' "$T/ev"
	grep -q 'lis: event was rejected' "$SUP_LOG"
}

@test "events: a listener that writes garbage is UNKNOWN, and it is logged" {
	lis_conf garbage
	up a
	within 20 grep -q 'lis: has entered the UNKNOWN state' "$SUP_LOG"
	"$W" start once
	state_is lis RUNNING
	[ ! -e "$T/ev" ]
}

@test "events: a listener that dies is restarted and gets the event again" {
	lis_conf die-once
	up a
	within 20 state_is lis RUNNING
	"$W" start once
	within 20 at_least 2 "$T/ev" PROCESS_STATE_EXITED
	[ -e "$T/ev.seen" ]
	$PY -c '
import json, sys
r = [json.loads(l)["headers"] for l in open(sys.argv[1])]
assert r[0]["serial"] == r[1]["serial"], r
' "$T/ev"
	grep -q 'lis: RUNNING -> EXITED' "$SUP_LOG"
	within 20 state_is lis RUNNING
}

@test "events: a pool of 3 takes events in turn" {
	lis_conf ok "numprocs = 3
process_name = lis_%(process_num)s"
	up a
	for i in 0 1 2; do within 20 state_is "lis:lis_$i" RUNNING; done
	for i in 1 2 3 4 5 6; do
		"$W" start once
		within 20 at_least $i "$T/ev" PROCESS_STATE_EXITED
	done
	$PY -c '
import json, sys
me = [json.loads(l)["me"] for l in open(sys.argv[1])]
assert sorted(me[:3]) == ["lis_0", "lis_1", "lis_2"], me
assert me[3:] == me[:3], me
' "$T/ev"
}

@test "events: TICK_5 comes on the 5 s mark" {
	cat <<-EOF | conf a
	[eventlistener:lis]
	command = $PY $T/lis.py $T/ev ok
	events = TICK_5
	EOF
	up a
	# The second tick: the first may wait for the listener to be RUNNING.
	within 20 at_least 2 "$T/ev" '"TICK_5"'
	$PY -c '
import json, sys
from supervisor import childutils
r = [json.loads(l) for l in open(sys.argv[1])][:2]
w = [int(childutils.get_headers(x["payload"])["when"]) for x in r]
assert w[0] % 5 == 0 and w[1] == w[0] + 5, w
assert w[1] <= r[1]["t"] < w[1] + 1, (w, r[1]["t"])
' "$T/ev"
}

@test "events: a full buffer drops the oldest event and says so" {
	cat <<-EOF | conf a
	[eventlistener:lis]
	command = /bin/sleep 1000
	events = PROCESS_STATE
	buffer_size = 2

	[program:once]
	command = /bin/true
	startsecs = 0
	autorestart = false
	EOF
	up a
	within 20 grep -q 'pool lis event buffer overflowed, discarding event 0' "$SUP_LOG"
}

@test "events: with no listener the idle supervisor does not wake up" {
	cat <<-EOF | conf a
	[program:idle]
	command = /bin/sleep 1000
	startsecs = 0
	stdout_events_enabled = true
	EOF
	up a
	p=$(cat "$T/run/warden.pid")
	a=$(status_field "$p" voluntary_ctxt_switches)
	sleep 6
	b=$(status_field "$p" voluntary_ctxt_switches)
	[ "$a" -eq "$b" ]
}

@test "events: supervisor.restart starts the pools over: RUNNING comes again" {
	cat <<-EOF | conf a
	[unix_http_server]
	file = $T/sock
	[rpcinterface:supervisor]
	supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface
	[eventlistener:lis]
	command = $PY $T/lis.py $T/ev ok
	events = SUPERVISOR_STATE_CHANGE_RUNNING
	EOF
	up a
	within 20 at_least 1 "$T/ev" SUPERVISOR_STATE_CHANGE_RUNNING
	$PY -c '
import sys
from supervisor import childutils
childutils.getRPCInterface({"SUPERVISOR_SERVER_URL": sys.argv[1]}).supervisor.restart()
' "unix://$T/sock"
	within 30 at_least 2 "$T/ev" SUPERVISOR_STATE_CHANGE_RUNNING
	$PY -c '
import json, sys
r = [json.loads(l)["headers"] for l in open(sys.argv[1])]
assert int(r[1]["serial"]) > int(r[0]["serial"]), r
assert r[1]["poolserial"] == "0", r
' "$T/ev"
}
