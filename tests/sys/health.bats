#!/usr/bin/env bats
# The probes' endpoints on [inet_http_server]: /healthz and /readyz answer
# without the server's password, everything else still asks for it;
# /readyz is 503 with each autostart service that is not RUNNING (FATAL,
# or STOPPED by hand), and 200 again once it is started.

load common
load sup

setup() { sup_setup; }
teardown() { sup_teardown; }

# get PATH [CURL ARGS...]: the status of a GET of PATH on the inet server,
# without credentials unless the args give some; the body in $T/body.
get() {
	local path=$1
	shift
	curl -s -o "$T/body" -w '%{http_code}' --max-time 5 "$@" \
	    "http://127.0.0.1:$port$path"
}

# readyz_is CODE: /readyz answers CODE now.
readyz_is() { [ "$(get /readyz)" = "$1" ]; }

# A password on the server; web, a pool of two, and flaky, which starts
# only while $T/ok exists and is FATAL after one failed start.
health_conf() {
	port=$(free_port)
	touch "$T/ok"
	conf a <<-EOF
	[inet_http_server]
	port = 127.0.0.1:$port
	username = probe
	password = secret
	[program:web]
	command = sleep 1000
	startsecs = 0
	[program:w]
	command = sleep 1000
	process_name = w%(process_num)d
	numprocs = 2
	startsecs = 0
	[group:pool]
	programs = w
	[program:flaky]
	command = sh -c 'test -e $T/ok && exec sleep 1000'
	startsecs = 1
	startretries = 0
	[program:manual]
	command = sleep 1000
	autostart = false
	EOF
}

@test "health: /healthz and /readyz without credentials, all else 401" {
	health_conf
	up a
	[ "$(get /healthz)" = 200 ]
	[ "$(cat "$T/body")" = ok ]
	# manual is not autostart: not waited for.
	[ "$(get /readyz)" = 200 ]
	[ "$(cat "$T/body")" = ok ]
	curl -s -D "$T/head" -o /dev/null "http://127.0.0.1:$port/readyz"
	grep -qi '^Content-Type: text/plain' "$T/head"
	# HEAD: the head alone.
	run curl -s -I --max-time 5 "http://127.0.0.1:$port/healthz"
	[[ "$output" == "HTTP/1.1 200 OK"* ]]
	[[ "$output" == *"Content-Length: 3"* ]]
	# Every other path still wants the password.
	for p in /metrics / /mainlogtail /logtail/web /nothing /healthz/x; do
		[ "$(get "$p")" = 401 ]
	done
	[ "$(get /RPC2 -X POST -d x)" = 401 ]
	[ "$(get /metrics -u probe:wrong)" = 401 ]
	# With it, the probes answer the same.
	[ "$(get /readyz -u probe:secret)" = 200 ]
	[ "$(get /healthz -u probe:secret)" = 200 ]
}

@test "health: /readyz is 503 while a service is FATAL, 200 once started" {
	health_conf
	up a
	readyz_is 200
	rm "$T/ok"
	run "$W" restart flaky
	within 10 state_is flaky FATAL
	[ "$(get /readyz)" = 503 ]
	[ "$(cat "$T/body")" = "flaky FATAL" ]
	# The supervisor itself is alive all the same.
	[ "$(get /healthz)" = 200 ]
	touch "$T/ok"
	"$W" start flaky
	state_is flaky RUNNING
	[ "$(get /readyz)" = 200 ]
	[ "$(cat "$T/body")" = ok ]
}

@test "health: a STOPPED autostart service is not ready; grouped as GROUP:NAME" {
	health_conf
	up a
	"$W" stop web pool:w1
	[ "$(get /readyz)" = 503 ]
	[ "$(cat "$T/body")" = "web STOPPED
pool:w1 STOPPED" ]
	"$W" start web
	[ "$(get /readyz)" = 503 ]
	[ "$(cat "$T/body")" = "pool:w1 STOPPED" ]
	"$W" start pool:w1
	[ "$(get /readyz)" = 200 ]
	# A service that is not autostart changes nothing, up or down.
	"$W" start manual
	"$W" stop manual
	[ "$(get /readyz)" = 200 ]
}
