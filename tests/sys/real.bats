#!/usr/bin/env bats
# Readiness with real programs from Debian: redis-server (sd_notify), nginx
# (forks into the background, writes a pidfile), python3's http.server
# (a TCP port), and small shell services for the edges of each mode.  A
# service is RUNNING only once it answers.

load common
load sup

setup() { sup_setup; }
teardown() { sup_teardown; }

need() {
	command -v "$1" >/dev/null || skip "$1 is not installed (make deps)"
}

# start_bg NAME: "warden start NAME" in the background (it waits until
# the service settles), then wait until NAME is STARTING.
start_bg() {
	"$W" start "$1" >"$T/start.out" 2>&1 3>&- &
	startpid=$!
	track_pid "$startpid"
	within 10 state_is "$1" STARTING
}

# watch_ready NAME CHECK...: until CHECK succeeds (20 s at most), read the
# state of NAME, then run CHECK.  A state read before a failing CHECK
# must be STARTING: RUNNING there means RUNNING before the service
# answered.  $rounds counts the failing rounds.
watch_ready() {
	local name=$1 st i=0
	shift
	rounds=0
	while [ "$i" -lt 1000 ]; do
		st=$(state_of "$name")
		"$@" && return 0
		if [ "$st" != STARTING ]; then
			echo "$name: $st while '$*' fails" >&2
			return 1
		fi
		rounds=$((rounds + 1))
		i=$((i + 1))
		sleep 0.02
	done
	echo "$name: '$*' never succeeded" >&2
	return 1
}

# fetch PORT: GET http://127.0.0.1:PORT/ and print the body.
fetch() {
	python3 -c '
import sys, urllib.request
r = urllib.request.urlopen("http://127.0.0.1:%s/" % sys.argv[1], timeout=2)
sys.stdout.write(r.read().decode())
' "$1" 2>/dev/null
}

# connects PORT: a TCP connection to 127.0.0.1:PORT succeeds.
connects() { (exec 5<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

redis_ping() { [ "$(redis-cli -p "$1" ping 2>/dev/null)" = PONG ]; }

@test "redis-server, ready=notify: RUNNING when up returns, and it answers at once" {
	need redis-server
	need redis-cli
	port=$(free_port)
	conf a <<-EOF
	[program:redis]
	command = redis-server --supervised systemd --port $port --bind 127.0.0.1 --save '' --appendonly no --dir $T
	ready = notify
	ready_timeout = 30
	startsecs = 30
	EOF
	# startsecs is supervisord's rule, and not the one used here.
	t0=$(now_ms)
	up a
	[ $(($(now_ms) - t0)) -lt 10000 ]
	state_is redis RUNNING
	[ "$(redis-cli -p "$port" ping)" = PONG ]
	p=$(svc_field redis pid)
	[ "$(cat /proc/$p/comm)" = redis-server ]
	run "$W" status redis
	[ "$status" -eq 0 ]
}

@test "redis-server, ready=notify: STARTING while it does not answer yet" {
	need redis-server
	need redis-cli
	port=$(free_port)
	# It listens 2 s after the start; startsecs (1 s) would say RUNNING
	# in the middle of that.
	conf a <<-EOF
	[program:slow]
	command = sh -c 'sleep 2; exec redis-server --supervised systemd --port $port --bind 127.0.0.1 --save "" --appendonly no --dir $T'
	ready = notify
	ready_timeout = 30
	autostart = false
	EOF
	up a
	start_bg slow
	watch_ready slow redis_ping "$port"
	[ "$rounds" -gt 10 ]		# it was seen not answering, STARTING
	within 10 state_is slow RUNNING
	wait "$startpid"
}

# nginx.conf for a master on 127.0.0.1:$1, everything under $T.
nginx_conf() {
	local m
	{
		cat <<-EOF
		daemon on;
		master_process on;
		worker_processes 2;
		user root root;
		pid $T/nginx.pid;
		error_log $T/error.log;
		events { worker_connections 64; }
		http {
		access_log off;
		client_body_temp_path $T/tmp/body;
		EOF
		# Only the temp paths of the modules this nginx has.
		for m in proxy fastcgi uwsgi scgi; do
			nginx -V 2>&1 | grep -q -- "--without-http_${m}_module" ||
			    echo "${m}_temp_path $T/tmp/$m;"
		done
		cat <<-EOF
		server {
		listen 127.0.0.1:$1;
		location / { return 200 "hello from nginx\n"; }
		}
		}
		EOF
	} >"$T/nginx.conf"
	mkdir -p "$T/tmp"
}

nginx_program() {
	conf a <<-EOF
	[program:nginx]
	command = nginx -e $T/error.log -c $T/nginx.conf -p $T/
	ready = pidfile:$T/nginx.pid
	ready_timeout = 20
	stopwaitsecs = 5
	EOF
}

@test "nginx, ready=pidfile: the daemon's pid is the service's, and it serves" {
	need nginx
	[ "$(id -u)" = 0 ] || skip "nginx's master wants root here"
	port=$(free_port)
	nginx_conf "$port"
	nginx_program
	up a
	state_is nginx RUNNING
	master=$(cat "$T/nginx.pid")
	track_pid "$master"
	[ "$(svc_field nginx pid)" = "$master" ]
	[ "$(cat /proc/$master/comm)" = nginx ]
	[ "$(fetch "$port")" = "hello from nginx" ]
	# The master is ours to reap: the supervisor is a subreaper.
	[ "$(status_field "$master" PPid)" = "$(cat "$T/run/warden.pid")" ]
	workers=$(children "$master")
	for w in $workers; do track_pid "$w"; done
	[ "$(echo "$workers" | wc -w)" -eq 2 ]

	run "$W" stop nginx
	[ "$status" -eq 0 ]
	state_is nginx STOPPED
	gone "$master"
	for w in $workers; do gone "$w"; done
	run connects "$port"
	[ "$status" -ne 0 ]
}

@test "nginx, ready=pidfile: kill -9 of the master is a crash, and it comes back" {
	need nginx
	[ "$(id -u)" = 0 ] || skip "nginx's master wants root here"
	port=$(free_port)
	nginx_conf "$port"
	nginx_program
	up a
	master=$(cat "$T/nginx.pid")
	track_pid "$master"
	[ "$(svc_field nginx pid)" = "$master" ]
	workers=$(children "$master")
	for w in $workers; do track_pid "$w"; done
	[ "$(echo "$workers" | wc -w)" -eq 2 ]
	kill -KILL "$master"
	back() {
		local q
		q=$(svc_field nginx pid)
		[ "$q" != null ] && [ "$q" != "$master" ] &&
		    state_is nginx RUNNING
	}
	within 15 back
	new=$(svc_field nginx pid)
	track_pid "$new"
	[ "$(cat "$T/nginx.pid")" = "$new" ]
	[ "$(svc_field nginx restarts)" -ge 1 ]
	[ "$(fetch "$port")" = "hello from nginx" ]
	# The old master's workers did not outlive it.
	for w in $workers; do gone "$w"; done
}

@test "python3 http.server, ready=tcp: RUNNING only once it accepts" {
	need python3
	port=$(free_port)
	conf a <<-EOF
	[program:web]
	command = sh -c 'sleep 2; exec python3 -m http.server $port --bind 127.0.0.1 --directory $T'
	ready = tcp:127.0.0.1:$port
	ready_timeout = 30
	autostart = false
	EOF
	up a
	start_bg web
	watch_ready web connects "$port"
	[ "$rounds" -gt 10 ]
	within 10 state_is web RUNNING
	wait "$startpid"
	fetch "$port" | grep -q "Directory listing"
}

@test "python3 http.server, ready=tcp: up returns once it answers" {
	need python3
	port=$(free_port)
	conf a <<-EOF
	[program:web]
	command = sh -c 'sleep 1.5; exec python3 -m http.server $port --bind 127.0.0.1 --directory $T'
	ready = tcp:$port
	ready_timeout = 30
	startsecs = 30
	EOF
	t0=$(now_ms)
	up a
	[ $(($(now_ms) - t0)) -lt 10000 ]
	state_is web RUNNING
	fetch "$port" | grep -q "Directory listing"
}

@test "ready=notify: a death before READY=1 fails at once, with its stderr" {
	# Under startsecs=0 this would be RUNNING, then EXITED; not ready, it
	# is a failed start, and known at its death, not at ready_timeout.
	conf a <<-EOF
	[program:db]
	command = sh -c 'echo starting; sleep 0.3; echo "boom: cannot open db" >&2; exit 1'
	ready = notify
	ready_timeout = 30
	startsecs = 0
	startretries = 0
	EOF
	t0=$(now_ms)
	run timeout 60 "$W" up -c "$T/a.conf"
	t1=$(now_ms)
	track_pid "$(cat "$T/run/warden.pid")"
	[ "$status" -eq 3 ]
	[ $((t1 - t0)) -lt 3000 ]
	[[ "$output" == *db*FATAL* ]]
	[[ "$output" == *"boom: cannot open db"* ]]
	state_is db FATAL
	run "$W" status db
	[ "$status" -eq 3 ]
}

@test "ready=notify: with retries, each death before READY=1 is a failed start" {
	# Never RUNNING, so never EXITED: startretries+1 tries, then FATAL.
	conf a <<-EOF
	[program:db]
	command = sh -c 'echo try >>$T/tries; echo "boom: cannot open db" >&2; exec sleep 0.2'
	ready = notify
	ready_timeout = 30
	startsecs = 0
	startretries = 2
	autorestart = false
	EOF
	run timeout 60 "$W" up -c "$T/a.conf"
	track_pid "$(cat "$T/run/warden.pid")"
	[ "$status" -eq 3 ]
	# up returns at the first failed start: still retrying.
	[[ "$output" == *db*BACKOFF*retrying* ]]
	[[ "$output" == *"boom: cannot open db"* ]]
	wait_until 50 state_is db FATAL
	[ "$(wc -l <"$T/tries")" -eq 3 ]
	[ "$(svc_field db restarts)" = 0 ]
}

@test "ready=notify: READY=1 from a stranger is ignored" {
	[ "$(id -u)" = 0 ] || skip "speaking for another pid needs root"
	conf a <<-EOF
	[program:quiet]
	command = sleep 1000
	ready = notify
	ready_timeout = 60
	autostart = false
	EOF
	up a
	start_bg quiet
	p=$(svc_field quiet pid)
	sock=$(tr '\0' '\n' </proc/$p/environ | sed -n 's/^NOTIFY_SOCKET=//p')
	[ -n "$sock" ]
	# This shell is no process of the service.
	NOTIFY_SOCKET=$sock "$W" notify READY=1 STATUS=stranger
	# The same socket, speaking for the service: it is read after the
	# stranger's, so once its STATUS shows, the stranger was heard.
	NOTIFY_SOCKET=$sock "$W" notify --pid "$p" "STATUS=own words"
	within 10 eval '"$W" status quiet | grep -q "own words"'
	state_is quiet STARTING
	[[ "$("$W" status quiet)" != *stranger* ]]
	# And the service's own READY=1 counts.
	NOTIFY_SOCKET=$sock "$W" notify --pid "$p" READY=1
	within 10 state_is quiet RUNNING
	wait "$startpid"
}

@test "ready_timeout: a notify service that never says READY=1 fails after it" {
	conf a <<-EOF
	[program:mute]
	command = sh -c 'echo \$\$ >$T/mute.pid; exec sleep 1000'
	ready = notify
	ready_timeout = 1
	startretries = 0
	EOF
	t0=$(now_ms)
	run timeout 60 "$W" up -c "$T/a.conf"
	t1=$(now_ms)
	track_pid "$(cat "$T/run/warden.pid")"
	[ "$status" -eq 3 ]
	[ $((t1 - t0)) -ge 900 ]
	[ $((t1 - t0)) -lt 4000 ]
	st=$(state_of mute)
	[ "$st" = BACKOFF ] || [ "$st" = FATAL ]
	[[ "$output" == *mute* ]]
	# The process that missed its time was stopped.
	wait_gone "$(cat "$T/mute.pid")" 10
}

@test "ready_timeout: with retries, each try gets its time and is stopped" {
	conf a <<-EOF
	[program:mute]
	command = sh -c 'echo \$\$ >>$T/tries; exec sleep 1000'
	ready = notify
	ready_timeout = 1
	startretries = 1
	EOF
	t0=$(now_ms)
	run timeout 60 "$W" up -c "$T/a.conf"
	t1=$(now_ms)
	track_pid "$(cat "$T/run/warden.pid")"
	[ "$status" -eq 3 ]
	# up returns once the first try has missed its time: retrying.
	[ $((t1 - t0)) -ge 900 ]
	[ $((t1 - t0)) -lt 4000 ]
	[[ "$output" == *mute*retrying* ]]
	within 10 state_is mute FATAL
	t1=$(now_ms)
	[ $((t1 - t0)) -ge 1800 ]
	[ $((t1 - t0)) -lt 6000 ]
	state_is mute FATAL
	[ "$(wc -l <"$T/tries")" -eq 2 ]
	for p in $(cat "$T/tries"); do wait_gone "$p" 5; done
}

@test "ready=fd:3: RUNNING on the newline, not before" {
	conf a <<-EOF
	[program:s6ish]
	command = sh -c 'sleep 1.5; : >$T/said; echo >&3; exec sleep 1000'
	ready = fd:3
	ready_timeout = 30
	autostart = false
	EOF
	up a
	start_bg s6ish
	watch_ready s6ish test -e "$T/said"
	[ "$rounds" -gt 10 ]
	within 10 state_is s6ish RUNNING
	wait "$startpid"
	p=$(svc_field s6ish pid)
	[ "$(cat /proc/$p/comm)" = sleep ]
}

@test "ready=fd:3: up returns RUNNING" {
	conf a <<-EOF
	[program:s6ish]
	command = sh -c 'sleep 0.3; echo >&3; exec sleep 1000'
	ready = fd:3
	ready_timeout = 30
	startsecs = 30
	EOF
	t0=$(now_ms)
	up a
	[ $(($(now_ms) - t0)) -lt 10000 ]
	state_is s6ish RUNNING
}

@test "ready=notify: STATUS= text is shown by status" {
	conf a <<-EOF
	[program:talk]
	command = sh -c '"$W" notify "STATUS=loading 42 tables"; sleep 0.3; "$W" notify READY=1 "STATUS=serving 42 tables"; exec sleep 1000'
	ready = notify
	ready_timeout = 30
	EOF
	up a
	state_is talk RUNNING
	within 5 eval '"$W" status talk | grep -q "serving 42 tables"'
	run "$W" status talk
	[ "$status" -eq 0 ]
	[[ "$output" == *talk*RUNNING*"serving 42 tables"* ]]
	[[ "$(svc_field talk description)" == *"serving 42 tables"* ]]
}

@test "watchdog_sec: pings keep it, silence restarts it" {
	# READY=1, then a ping every 0.3 s for about 1.5 s, then silence.
	conf a <<-EOF
	[program:dog]
	command = sh -c 'echo \$\$ >>$T/starts; echo "\$WATCHDOG_USEC \$WATCHDOG_PID" >$T/wenv; "$W" notify READY=1; for i in 1 2 3 4 5; do "$W" notify WATCHDOG=1; sleep 0.3; done; exec sleep 1000'
	ready = notify
	ready_timeout = 10
	watchdog_sec = 1
	EOF
	t0=$(now_ms)
	up a
	first=$(head -1 "$T/starts")
	[ "$(svc_field dog pid)" = "$first" ]
	[ "$(svc_field dog restarts)" = 0 ]
	[ "$(cat "$T/wenv")" = "1000000 $first" ]
	restarted() { [ "$(svc_field dog restarts)" -ge 1 ]; }
	within 15 restarted
	t1=$(now_ms)
	# Not while it pinged (1.5 s), and soon after it stopped (+1 s).
	[ $((t1 - t0)) -ge 1800 ]
	[ $((t1 - t0)) -lt 8000 ]
	wait_gone "$first" 5
	within 10 eval '[ "$(wc -l <"$T/starts")" -ge 2 ]'
	second=$(sed -n 2p "$T/starts")
	[ "$second" != "$first" ]
}
