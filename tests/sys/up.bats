#!/usr/bin/env bats
# warden up: the supervisor, its services, and its control socket.

load common
load sup

setup() { sup_setup; }
teardown() { sup_teardown; }

FAKE="$WARDEN_BUILD/helpers/fakesvc"

@test "up: starts the autostart services and returns once they run" {
	conf a <<-EOF
	[program:one]
	command = sleep 1000
	startsecs = 0.2

	[program:two]
	command = sleep 1001
	startsecs = 0
	autostart = false
	EOF
	up a
	sup=$(cat "$T/run/warden.pid")
	[ "$(svc_field one state)" = RUNNING ]
	[ "$(svc_field two state)" = STOPPED ]
	p=$(svc_field one pid)
	[ "$(cat /proc/$p/comm)" = sleep ]
	[ "$(status_field "$p" PPid)" = "$sup" ]
	# A new session of its own: no terminal, a group to signal whole.
	[ "$(stat_field "$p" 6)" = "$p" ]
	[ "$(stat_field "$p" 7)" = 0 ]
	[ "$(status_field "$p" SigBlk)" = 0000000000000000 ]
	[ "$(status_field "$p" SigIgn)" = 0000000000000000 ]
	# stdin: a pipe, as supervisord gives, its write end the supervisor's.
	in=$(readlink /proc/$p/fd/0)
	[[ "$in" == pipe:* ]]
	for f in /proc/$sup/fd/*; do
		[ "$(readlink "$f")" = "$in" ] && break
	done
	[ "$(readlink "$f")" = "$in" ]
	[ "$(fds_of "$p")" = "0 1 2" ]
	tr '\0' '\n' </proc/$p/environ | grep -qx SUPERVISOR_ENABLED=1
	tr '\0' '\n' </proc/$p/environ | grep -qx SUPERVISOR_PROCESS_NAME=one
	# The supervisor itself: a daemon, not a session leader, no tty.
	[ "$(stat_field "$sup" 6)" != "$sup" ]
	[ "$(stat_field "$sup" 7)" = 0 ]
	run "$W" status
	[ "$status" -eq 3 ]			# not every service runs
	[[ "$output" == *one*RUNNING*"pid $p"* ]]
	[[ "$output" == *two*STOPPED*"Not started"* ]]
	run "$W" status one
	[ "$status" -eq 0 ]
}

@test "up: the socket is the owner's only, in a private directory" {
	conf a <<-EOF
	[program:one]
	command = sleep 1000
	startsecs = 0
	EOF
	up a
	[ "$(stat -c %a "$T/run/warden.sock")" = 700 ]
	[ "$(stat -c %F "$T/run/warden.sock")" = socket ]
}

@test "up: chmod= of [unix_http_server] is honoured" {
	conf a <<-EOF
	[unix_http_server]
	file = $T/run/http.sock
	chmod = 0770
	[program:one]
	command = sleep 1000
	startsecs = 0
	EOF
	up a
	[ "$(stat -c %a "$T/run/http.sock")" = 770 ]
	# The control socket is apart, 0700 as ever.
	[ "$(stat -c %a "$T/run/warden.sock")" = 700 ]
	run "$W" status one
	[ "$status" -eq 0 ]
}

@test "up: a second supervisor on the same config is refused" {
	conf a <<-EOF
	[program:one]
	command = sleep 1000
	startsecs = 0
	EOF
	up a
	sup=$(cat "$T/run/warden.pid")
	run "$W" up -c "$T/a.conf"
	[ "$status" -eq 1 ]
	[[ "$output" == *"already running, pid $sup"* ]]
}

@test "up: a bad config is refused with file:line and nothing starts" {
	conf bad <<-EOF
	[program:one]
	command = sleep 1000
	startsecs = lots
	EOF
	run "$W" up -c "$T/bad.conf"
	[ "$status" -eq 1 ]
	[[ "$output" == *"$T/bad.conf:6:"* ]]
	[ ! -e "$T/run/warden.sock" ]
	[ ! -s "$T/run/warden.pid" ]
}

@test "up --check: validates and prints what would run, starts nothing" {
	conf a <<-EOF
	[program:web]
	command = sleep 1000
	numprocs = 2
	process_name = %(program_name)s-%(process_num)02d
	EOF
	run "$W" up --check -c "$T/a.conf"
	[ "$status" -eq 0 ]
	[[ "$output" == *"configuration OK"* ]]
	[[ "$output" == *web-00* ]]
	[[ "$output" == *web-01* ]]
	[ ! -e "$T/run/warden.sock" ]
}

@test "up: exits 0 when every autostart service is RUNNING" {
	conf a <<-EOF
	[program:one]
	command = sleep 1000
	startsecs = 0.2
	[program:two]
	command = sleep 1001
	startsecs = 0
	EOF
	up_run a
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	state_is one RUNNING
	state_is two RUNNING
}

@test "up: one FATAL autostart service: exit 3, with its last words" {
	conf a <<-EOF
	[program:one]
	command = sleep 1000
	startsecs = 0.2
	[program:bad]
	command = sh -c 'echo "bad: no config" >&2; exit 1'
	startsecs = 1
	startretries = 0
	EOF
	up_run a
	[ "$status" -eq 3 ]
	[[ "$output" == *"bad: FATAL"*"bad: no config"* ]]
	[[ "$output" != *one* ]]
	state_is one RUNNING
	state_is bad FATAL
}

@test "up: a crash loop with startretries=1000 returns at once: exit 3, retrying" {
	conf a <<-EOF
	[program:one]
	command = sleep 1000
	startsecs = 0
	[program:loop]
	command = sh -c 'echo "loop: cannot bind" >&2; exit 1'
	startsecs = 1
	startretries = 1000
	EOF
	t0=$(now_ms)
	up_run a
	t1=$(now_ms)
	[ "$status" -eq 3 ]
	[ $((t1 - t0)) -lt 3000 ]
	[[ "$output" == *"loop: BACKOFF, retrying"*"loop: cannot bind"* ]]
	state_is one RUNNING
	st=$(state_of loop)
	[ "$st" = BACKOFF ] || [ "$st" = STARTING ]
	# The supervisor goes on trying, and answers.
	run "$W" status loop
	[ "$status" -eq 3 ]
}

@test "up: a crash restarts the service with a new pid" {
	conf a <<-EOF
	[program:crashy]
	command = sleep 1000
	startsecs = 0
	autorestart = true
	EOF
	up a
	p=$(svc_field crashy pid)
	kill -KILL "$p"
	newpid() { q=$(svc_field crashy pid); [ "$q" != null ] && [ "$q" != "$p" ]; }
	wait_until 10 newpid
	[ "$(svc_field crashy state)" = RUNNING ] || [ "$(svc_field crashy state)" = STARTING ]
	[ "$(svc_field crashy restarts)" -ge 1 ]
}

@test "up: a crash loop ends in FATAL after exactly startretries+1 tries, no spin" {
	conf a <<-EOF
	[program:loop]
	command = sh -c 'echo try >> $T/tries; exit 1'
	startsecs = 1
	startretries = 3
	EOF
	up_failed a
	wait_until 10 state_is loop FATAL
	[ "$(wc -l <"$T/tries")" -eq 4 ]
	sup=$(cat "$T/run/warden.pid")
	ticks=$(awk '{print $14 + $15}' /proc/$sup/stat)
	[ "$ticks" -lt 50 ]			# well under half a second of CPU
	run "$W" status loop
	[ "$status" -eq 3 ]
	[[ "$output" == *FATAL* ]]
}

@test "up: stop kills the whole group, a grandchild that ignores TERM included" {
	conf a <<-EOF
	[program:forky]
	command = sh -c '$FAKE -i -m $T/gc & exec sleep 1000'
	startsecs = 0
	stopwaitsecs = 1
	EOF
	up a
	wait_until 10 test -s "$T/gc"
	gc=$(cat "$T/gc"); track_pid "$gc"
	p=$(svc_field forky pid)
	run "$W" stop forky
	[ "$status" -eq 0 ]
	[[ "$output" == *"forky: stopped"* ]]
	gone "$p"
	gone "$gc"
	[ "$(svc_field forky state)" = STOPPED ]
}

@test "start, stop, restart: wait for the result and report it" {
	conf a <<-EOF
	[program:one]
	command = sleep 1000
	startsecs = 0.2
	autostart = false
	[program:broken]
	command = $T/nonexistent
	autostart = false
	startretries = 1
	EOF
	up a
	run "$W" start one
	[ "$status" -eq 0 ]
	[[ "$output" == *"one: started"* ]]
	[ "$(svc_field one state)" = RUNNING ]
	p=$(svc_field one pid)
	run "$W" restart one
	[ "$status" -eq 0 ]
	[ "$(svc_field one pid)" != "$p" ]
	gone "$p"
	run "$W" start broken
	[ "$status" -eq 1 ]
	[[ "$output" == *"broken: ERROR (FATAL"* ]]
	[[ "$output" == *"No such file or directory"* ]]
	run "$W" stop all
	[ "$status" -eq 0 ]
	[ "$(svc_field one state)" = STOPPED ]
	run "$W" start nosuch
	[ "$status" -eq 1 ]
	[[ "$output" == *"nosuch: no such process"* ]]
}

@test "reload: adds, removes and restarts only what changed" {
	conf a <<-EOF
	[program:same]
	command = sleep 1000
	startsecs = 0
	[program:changed]
	command = sleep 1001
	startsecs = 0
	[program:gone]
	command = sleep 1002
	startsecs = 0
	EOF
	up a
	same=$(svc_field same pid)
	changed=$(svc_field changed pid)
	gonepid=$(svc_field gone pid)
	conf a <<-EOF
	[program:same]
	command = sleep 1000
	startsecs = 0
	[program:changed]
	command = sleep 1003
	startsecs = 0
	[program:new]
	command = sleep 1004
	startsecs = 0
	EOF
	run "$W" reload
	[ "$status" -eq 0 ]
	wait_until 10 state_is new RUNNING
	wait_until 10 state_is changed RUNNING
	[ "$(svc_field same pid)" = "$same" ]
	[ "$(svc_field changed pid)" != "$changed" ]
	wait_gone "$gonepid"
	run "$W" status gone
	[ "$status" -ne 0 ]
}

@test "reload: a config with an error changes nothing" {
	conf a <<-EOF
	[program:one]
	command = sleep 1000
	startsecs = 0
	EOF
	up a
	p=$(svc_field one pid)
	conf a <<-EOF
	[program:one]
	command = sleep 1000
	autorestart = sometimes
	EOF
	run "$W" reload
	[ "$status" -eq 1 ]
	[[ "$output" == *"a.conf:6:"* ]]
	[ "$(svc_field one pid)" = "$p" ]
}

@test "control: garbage and oversized requests get ERR; status still answers" {
	conf a <<-EOF
	[program:one]
	command = sleep 1000
	startsecs = 0
	EOF
	up a
	run python3 - "$WARDEN_SOCKET" <<-'PY'
	import socket, sys
	def ask(payload):
	    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
	    s.connect(sys.argv[1])
	    try:
	        s.send(payload)
	    except OSError as e:
	        return "send failed: %s" % e
	    r = s.recv(65536)
	    s.close()
	    return r.decode(errors="replace")
	print(ask(b"garbage"))
	print(ask(b"warden1\0status\0" + b"x" * 5000 + b"\0"))
	print(ask(b"warden1\0frobnicate\0"))
	print(ask(b"warden1\0stop\0"))
	print(ask(b"warden1\0status\0a\x1b[2J\0"))
	print(ask(b"A" * (200 * 1024)))
	PY
	echo "$output"
	[ "$(echo "$output" | grep -c '^ERR')" -ge 5 ]
	[[ "$output" == *"ERR unknown command: frobnicate"* ]]
	[[ "$output" == *"ERR usage: stop"* ]]
	run "$W" status one
	[ "$status" -eq 0 ]
}

@test "control: another uid is refused" {
	mkdir -m 755 "$T/pub"
	conf a <<-EOF
	socket = $T/pub/ctl.sock
	[program:one]
	command = sleep 1000
	startsecs = 0
	EOF
	chmod 755 "$T"
	up a
	chmod 0777 "$T/pub/ctl.sock"
	run setpriv --reuid=nobody --regid=nogroup --clear-groups \
	    "$W" status -s "$T/pub/ctl.sock"
	[ "$status" -eq 1 ]
	[[ "$output" == *"permission denied"* ]]
	run "$W" status -s "$T/pub/ctl.sock" one
	[ "$status" -eq 0 ]
}

@test "shutdown: every service and the supervisor are gone" {
	conf a <<-EOF
	[program:one]
	command = sleep 1000
	startsecs = 0
	[program:two]
	command = sh -c 'sleep 1001 & exec sleep 1002'
	startsecs = 0
	EOF
	up a
	sup=$(cat "$T/run/warden.pid")
	p1=$(svc_field one pid)
	p2=$(svc_field two pid)
	kids=$(cat /proc/$p2/task/$p2/children 2>/dev/null)
	run "$W" shutdown
	[ "$status" -eq 0 ]
	wait_gone "$sup"
	gone "$p1"
	gone "$p2"
	[ ! -e "$T/run/warden.sock" ]
	[ ! -e "$T/run/warden.pid" ]
}

@test "up: SIGTERM to the supervisor is an orderly shutdown" {
	conf a <<-EOF
	[program:one]
	command = sleep 1000
	startsecs = 0
	EOF
	up a
	sup=$(cat "$T/run/warden.pid")
	p=$(svc_field one pid)
	kill -TERM "$sup"
	wait_gone "$sup"
	gone "$p"
}

@test "up: a supervisord.conf with includes, groups, numprocs and expansions" {
	mkdir "$T/conf.d"
	cat >"$T/conf.d/web.conf" <<-EOF
	[program:web]
	command = sleep %(process_num)d00%(process_num)d
	numprocs = 2
	numprocs_start = 1
	process_name = %(program_name)s_%(process_num)s
	startsecs = 0
	environment = GREETING="hello, %(program_name)s", HOME_DIR=%(here)s
	EOF
	cat >"$T/conf.d/worker.conf" <<-EOF
	[program:worker]
	command = sleep 2000 ; an inline comment
	startsecs = 0
	[group:backend]
	programs = web,worker
	EOF
	conf sd <<-EOF
	[supervisord]
	logfile = $T/run/supervisord.log
	[include]
	files = conf.d/*.conf
	EOF
	up sd
	run "$W" status
	[ "$status" -eq 0 ]
	[[ "$output" == *backend:web_1*RUNNING* ]]
	[[ "$output" == *backend:web_2*RUNNING* ]]
	[[ "$output" == *backend:worker*RUNNING* ]]
	p=$(svc_field web_1 pid)
	tr '\0' ' ' </proc/$p/cmdline | grep -qx 'sleep 1001 '
	tr '\0' '\n' </proc/$p/environ | grep -qx 'GREETING=hello, web'
	tr '\0' '\n' </proc/$p/environ | grep -qx "HOME_DIR=$T/conf.d"
	run "$W" stop 'backend:*'
	[ "$status" -eq 0 ]
	[ "$(svc_field worker state)" = STOPPED ]
}

@test "up: service output goes to its log files" {
	conf a <<-EOF
	[program:talk]
	command = sh -c 'echo to-out; echo to-err >&2; exec sleep 1000'
	startsecs = 0
	stdout_logfile = $T/out.log
	stderr_logfile = $T/err.log
	[program:auto]
	command = sh -c 'echo auto-out; exec sleep 1000'
	startsecs = 0
	redirect_stderr = true
	EOF
	up a
	wait_until 10 grep -q to-out "$T/out.log"
	wait_until 10 grep -q to-err "$T/err.log"
	wait_until 10 grep -q auto-out "$T/run/auto-stdout.log"
}

@test "up -F: stays in front, logs to stderr, TERM stops every service" {
	conf a <<-EOF
	[program:one]
	command = sleep 1000
	startsecs = 0
	EOF
	"$W" up -F -c "$T/a.conf" 2>"$T/err" &
	sup=$!; track_pid "$sup"
	wait_until 10 state_is one RUNNING
	[ "$(cat "$T/run/warden.pid")" = "$sup" ]
	p=$(svc_field one pid)
	kill -TERM "$sup"
	rc=0; wait "$sup" || rc=$?
	[ "$rc" -eq 0 ]
	gone "$p"
	grep -q 'one: STARTING -> RUNNING' "$T/err"
	grep -q 'shutting down' "$T/err"
}

@test "up: SIGHUP reloads the config" {
	conf a <<-EOF
	[program:one]
	command = sleep 1000
	startsecs = 0
	EOF
	up a
	sup=$(cat "$T/run/warden.pid")
	p=$(svc_field one pid)
	cat >>"$T/a.conf" <<-EOF
	[program:two]
	command = sleep 1001
	startsecs = 0
	EOF
	kill -HUP "$sup"
	wait_until 10 state_is two RUNNING
	[ "$(svc_field one pid)" = "$p" ]
}

@test "up: as root, a config found in the current directory needs -c" {
	[ "$(id -u)" = 0 ] || skip "needs root"
	conf warden <<-EOF
	[program:one]
	command = sleep 1000
	EOF
	cd "$T"
	run "$W" up
	[ "$status" -eq 1 ]
	[[ "$output" == *"refusing"*"warden.conf"* ]]
	[ ! -e "$T/run/warden.sock" ]
}

@test "status: GROUP:* and the exit code of what is shown" {
	conf a <<-EOF
	[program:a1]
	command = sleep 1000
	startsecs = 0
	[program:a2]
	command = sleep 1001
	startsecs = 0
	[program:b]
	command = sleep 1002
	autostart = false
	[group:ga]
	programs = a1,a2
	EOF
	up a
	run "$W" status 'ga:*'
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | wc -l)" -eq 2 ]
	[[ "$output" == *ga:a1*RUNNING* ]]
	run "$W" status b
	[ "$status" -eq 3 ]
	run "$W" status ga:a1 a2
	[ "$status" -eq 0 ]
	run "$W" status 'nope:*'
	[ "$status" -eq 1 ]
}

@test "stop: with a cgroup, even a grandchild that left the group dies" {
	conf a <<-EOF
	[program:escape]
	command = sh -c 'setsid $FAKE -i -m $T/gc & exec sleep 1000'
	startsecs = 0
	stopwaitsecs = 0.5
	EOF
	up a
	sup=$(cat "$T/run/warden.pid")
	cg=$(awk -F: '$1 == 0 {print $3}' /proc/$sup/cgroup)
	grep -q "a cgroup per service" <(cat "$T"/run/*.log 2>/dev/null) ||
	    grep -q "^0::${cg%/}/warden-[0-9a-f]*-[0-9a-f]*/escape$" "/proc/$(svc_field escape pid)/cgroup" ||
	    skip "no writable cgroup2 here"
	wait_until 10 test -s "$T/gc"
	gc=$(cat "$T/gc"); track_pid "$gc"
	[ "$(stat_field "$gc" 6)" = "$gc" ]	# its own session: out of the group
	run "$W" stop escape
	[ "$status" -eq 0 ]
	wait_gone "$gc" 5
}

@test "up: environment= overrides what the supervisor inherited" {
	conf a <<-EOF
	[program:env]
	command = sleep 1000
	startsecs = 0
	environment = FOO="prog"
	EOF
	FOO=outer "$W" up -c "$T/a.conf"
	track_pid "$(cat "$T/run/warden.pid")"
	p=$(svc_field env pid)
	[ "$(tr '\0' '\n' </proc/$p/environ | grep -c '^FOO=')" -eq 1 ]
	tr '\0' '\n' </proc/$p/environ | grep -qx FOO=prog
	run "$W" status env --json
	[ "$status" -eq 0 ]
	[[ "$output" == *'"name": "env"'* ]]
}

@test "up: a socket that cannot be bound fails the start, and nothing runs" {
	long=$(printf 'x%.0s' $(seq 1 120))
	conf a <<-EOF
	[warden]
	socket = $T/run/$long.sock
	[program:one]
	command = sh -c 'echo started >> $T/started; exec sleep 1000'
	startsecs = 0
	EOF
	run "$W" up -c "$T/a.conf"
	[ "$status" -eq 1 ]
	[[ "$output" == *"socket path too long"* ]]
	[ ! -e "$T/started" ]
	[ ! -s "$T/run/warden.pid" ]
}

@test "up: what a crashed instance leaves behind goes before the next one starts" {
	conf a <<-EOF
	[program:x]
	command = sh -c 'sh -c "trap \"\" TERM; echo \\\$\\\$ >>$T/kids; exec sleep 1000" & exec sleep 1001'
	autorestart = true
	startsecs = 0
	stopwaitsecs = 30
	EOF
	up a
	wait_until 50 test -s "$T/kids"
	kid=$(head -1 "$T/kids")
	track_pid "$kid"
	p=$(svc_field x pid)
	kill -KILL "$p"
	# The leftover ignores TERM: SIGKILL at the next spawn, not 30 s later.
	wait_until 50 eval '[ "$(svc_field x restarts)" = 1 ] && state_is x RUNNING'
	gone "$kid"
	# The new instance lives on in the cgroup that was killed.
	q=$(svc_field x pid)
	[ "$q" != "$p" ]
	wait_until 50 eval '[ "$(wc -l <"$T/kids")" -ge 2 ]'
	kid2=$(sed -n 2p "$T/kids")
	track_pid "$kid2"
	[ "$(stat_field "$q" 3)" != Z ] && kill -0 "$q" && kill -0 "$kid2"
}

@test "up: shutdown leaves nothing of a FATAL service behind" {
	conf a <<-EOF
	[program:f]
	command = sh -c 'sh -c "trap \"\" TERM; echo \\\$\\\$ >$T/kid; exec sleep 1000" & sleep 0.1; exit 1'
	startsecs = 1
	startretries = 1
	stopwaitsecs = 30
	EOF
	up_failed a
	wait_until 50 state_is f FATAL
	kid=$(cat "$T/kid")
	track_pid "$kid"
	# The last attempt's child ignores TERM: it is still there.
	kill -0 "$kid"
	sup=$(cat "$T/run/warden.pid")
	"$W" shutdown
	wait_gone "$sup" 10
	wait_gone "$kid" 5
}

@test "up: a service killed at its stop starts again and stays up" {
	conf a <<-EOF
	[program:stubborn]
	command = sh -c 'trap "" TERM; while :; do sleep 0.1; done'
	startsecs = 0.3
	stopwaitsecs = 0.5
	EOF
	up a
	p=$(svc_field stubborn pid)
	run "$W" stop stubborn
	[ "$status" -eq 0 ]
	gone "$p"
	# SIGKILL reached it (through cgroup.kill where there is one); the
	# next instance must not be killed with it: start waits until it has
	# lived startsecs.
	run "$W" start stubborn
	[ "$status" -eq 0 ]
	q=$(svc_field stubborn pid)
	[ "$q" != "$p" ]
	kill -0 "$q"
	state_is stubborn RUNNING
}

@test "up --check: a directory= that does not exist is a warning with file:line" {
	conf a <<-EOF
	[program:web]
	command = sleep 1000
	directory = $T/nope
	EOF
	run "$W" up --check -c "$T/a.conf"
	[ "$status" -eq 0 ]
	[[ "$output" == *"$T/a.conf:6: directory: no directory $T/nope (yet)"* ]]
	[[ "$output" == *"configuration OK"* ]]
	[ ! -e "$T/run/warden.sock" ]
}

@test "start: a directory= that does not exist is a spawn error: BACKOFF, then FATAL" {
	SUP_LOG="$T/sup.log"
	conf a <<-EOF
	[program:bad]
	command = sleep 1000
	directory = $T/nope
	autostart = false
	startretries = 1
	EOF
	up a
	run "$W" start bad
	[ "$status" -eq 1 ]
	[[ "$output" == *"spawn error: chdir: No such file or directory"* ]]
	state_is bad FATAL
	grep -q "bad: STARTING -> BACKOFF" "$T/sup.log"
	grep -q "bad: BACKOFF -> STARTING" "$T/sup.log"
	grep -q "bad: STARTING -> FATAL" "$T/sup.log"
	grep -q "bad: spawn error: chdir: No such file or directory" "$T/sup.log"
}

@test "up: a directory= made after the load, by an earlier program, works" {
	conf a <<-EOF
	[program:mk]
	command = sh -c 'mkdir $T/later && exec sleep 1000'
	startsecs = 0
	priority = 1
	[program:late]
	command = sh -c 'pwd > $T/pwd; exec sleep 1000'
	directory = $T/later
	startsecs = 0
	autostart = false
	priority = 2
	EOF
	up a
	run "$W" start late
	[ "$status" -eq 0 ]
	state_is late RUNNING
	within 5 test -s "$T/pwd"
	[ "$(cat "$T/pwd")" = "$T/later" ]
}

# limit_of PID soft|hard: the fd limit in /proc/PID/limits.
limit_of() {
	awk -v f="$2" '/^Max open files/ { print (f == "soft" ? $4 : $5) }' \
	    "/proc/$1/limits"
}

# can_raise_hard: this process may raise a hard limit (CAP_SYS_RESOURCE).
can_raise_hard() {
	prlimit --nofile=256:512 -- sh -c 'ulimit -Hn 1024' 2>/dev/null
}

# up_limited NAME SOFT:HARD: up with that fd limit; $sup is its pid.
up_limited() {
	timeout 60 prlimit --nofile="$2" -- "$W" up -c "$T/$1.conf"
	sup=$(cat "$T/run/warden.pid")
	track_pid "$sup"
}

# minfds_conf NAME MINFDS: a config with one service (7 fds) and minfds.
minfds_conf() {
	SUP_LOG="$T/run/sup.log" conf "$1" <<-EOF
	[supervisord]
	minfds = $2

	[program:one]
	command = sleep 1000
	startsecs = 0
	EOF
}

@test "up: as root the hard fd limit is raised for minfds, up to fs.nr_open" {
	command -v prlimit >/dev/null || skip "no prlimit"
	can_raise_hard || skip "raising a hard limit needs CAP_SYS_RESOURCE"
	# minfds, 7 per service, 64 for the supervisor: 4167.
	minfds_conf a 4096
	up_limited a 256:512
	[ "$(limit_of "$sup" soft)" = 4167 ]
	[ "$(limit_of "$sup" hard)" = 4167 ]
	grep -q 'fd limit raised: soft 4167, hard 4167 (was 256, 512)' \
	    "$T/run/sup.log"
	p=$(svc_field one pid)
	[ "$(limit_of "$p" hard)" = 4167 ]	# its services inherit it
	down

	# Above fs.nr_open: the kernel's ceiling, and a warning.
	nr=$(cat /proc/sys/fs/nr_open)
	minfds_conf b $((nr + 1000))
	up_limited b 256:512
	[ "$(limit_of "$sup" hard)" = "$nr" ]
	[ "$(limit_of "$sup" soft)" = "$nr" ]
	grep -q "fd limit $nr, below the $((nr + 1071)) wanted" \
	    "$T/run/sup.log"
}

@test "up: the fd limits are never lowered; without the right, soft up to hard and a warning" {
	command -v prlimit >/dev/null || skip "no prlimit"
	[ "$(ulimit -Hn)" = unlimited ] || [ "$(ulimit -Hn)" -ge 5000 ] ||
	    skip "a hard fd limit below 5000"
	minfds_conf a 4096
	# A hard limit above what is wanted stays: only the soft one rises.
	up_limited a 100:5000
	[ "$(limit_of "$sup" soft)" = 4167 ]
	[ "$(limit_of "$sup" hard)" = 5000 ]
	grep -q 'fd limit raised: soft 4167 (was 100)' "$T/run/sup.log"
	down
	# Above what is wanted already: left as it is.
	: >"$T/run/sup.log"
	up_limited a 4500:4800
	[ "$(limit_of "$sup" soft)" = 4500 ]
	[ "$(limit_of "$sup" hard)" = 4800 ]
	! grep -q 'fd limit' "$T/run/sup.log"
	down
	can_raise_hard && skip "this process may raise a hard limit"
	up_limited a 256:512
	[ "$(limit_of "$sup" soft)" = 512 ]
	[ "$(limit_of "$sup" hard)" = 512 ]
	grep -q 'fd limit raised: soft 512 (was 256)' "$T/run/sup.log"
	grep -q 'fd limit 512, below the 4167 wanted for minfds 4096 and 1 services' \
	    "$T/run/sup.log"
}
