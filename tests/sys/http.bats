#!/usr/bin/env bats
# supervisord's HTTP servers: [unix_http_server] and [inet_http_server]
# opened by warden up, their access rules, the control socket apart, and
# how the CLI finds the supervisor.

load common
load sup

setup() { sup_setup; }
teardown() { sup_teardown; }

# free_port: a TCP port nobody listens on right now.
free_port() {
	python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

# http_status WHERE USER PASS [PATH]: the status of a POST to /RPC2 (or a
# GET of PATH); WHERE is a unix socket's path or HOST:PORT; USER empty
# for no credentials.
http_status() {
	python3 - "$@" <<-'PY'
	import base64, http.client, socket, sys
	where, user, pw = sys.argv[1:4]
	path = sys.argv[4] if len(sys.argv) > 4 else None
	class Unix(http.client.HTTPConnection):
	    def __init__(self, p):
	        super().__init__("localhost", timeout=5)
	        self.p = p
	    def connect(self):
	        self.sock = socket.socket(socket.AF_UNIX)
	        self.sock.settimeout(5)
	        self.sock.connect(self.p)
	if where.startswith("/"):
	    c = Unix(where)
	else:
	    h, p = where.rsplit(":", 1)
	    c = http.client.HTTPConnection(h, int(p), timeout=5)
	hdr = {"Content-Type": "text/xml"}
	if user:
	    tok = base64.b64encode(("%s:%s" % (user, pw)).encode()).decode()
	    hdr["Authorization"] = "Basic " + tok
	if path:
	    c.request("GET", path, headers=hdr)
	else:
	    body = ("<?xml version='1.0'?><methodCall><methodName>"
	        "warden.noSuchMethod</methodName><params/></methodCall>")
	    c.request("POST", "/RPC2", body=body, headers=hdr)
	r = c.getresponse()
	print(r.status, r.getheader("WWW-Authenticate") or "")
	PY
}

@test "http: both servers; the unix socket has chmod= and chown=" {
	port=$(free_port)
	conf a <<-EOF
	[unix_http_server]
	file = $T/run/http.sock
	chmod = 0660
	chown = nobody:nogroup
	[inet_http_server]
	port = 127.0.0.1:$port
	username = user
	password = 123
	[program:one]
	command = sleep 1000
	startsecs = 0
	EOF
	up a
	[ "$(stat -c %F "$T/run/http.sock")" = socket ]
	[ "$(stat -c %a "$T/run/http.sock")" = 660 ]
	[ "$(stat -c %U:%G "$T/run/http.sock")" = nobody:nogroup ]
	# The control socket is warden's own, 0700 in the run directory.
	[ "$(stat -c %a "$T/run/warden.sock")" = 700 ]
	run http_status "$T/run/http.sock" "" ""
	[ "$output" = "200 " ]
	run http_status "127.0.0.1:$port" user 123
	[ "$output" = "200 " ]
	run "$W" status one
	[ "$status" -eq 0 ]
	down
	# Both gone with the supervisor; the port is free again.
	[ ! -e "$T/run/http.sock" ]
	python3 -c 'import socket, sys
s = socket.socket()
s.bind(("127.0.0.1", int(sys.argv[1])))' "$port"
}

@test "http: a wrong password gets 401 with WWW-Authenticate" {
	port=$(free_port)
	conf a <<-EOF
	[unix_http_server]
	file = $T/run/http.sock
	username = alice
	password = {SHA}e5e9fa1ba31ecd1ae84f75caaa474f3a663f05f4
	[inet_http_server]
	port = :$port
	username = user
	password = 123
	EOF
	up a
	run http_status "127.0.0.1:$port" user 124
	[ "$output" = '401 Basic realm="default"' ]
	run http_status "127.0.0.1:$port" "" ""
	[ "$output" = '401 Basic realm="default"' ]
	run http_status "127.0.0.1:$port" user 123 /mainlogtail-nothing
	[ "$output" = "404 " ]
	run http_status "$T/run/http.sock" alice wrong
	[ "$output" = '401 Basic realm="default"' ]
	run http_status "$T/run/http.sock" alice secret
	[ "$output" = "200 " ]
	# curl too, as a shell script would.
	run curl -s -o /dev/null -w '%{http_code}' -u user:nope \
	    -d '<methodCall/>' "http://127.0.0.1:$port/RPC2"
	[ "$output" = 401 ]
}

@test "http: an inet server without credentials is warned about" {
	port=$(free_port)
	SUP_LOG="$T/sup.log" conf a <<-EOF
	[inet_http_server]
	port = 127.0.0.1:$port
	EOF
	up a
	within 5 grep -q "Server 'inet_http_server' running without any HTTP authentication checking" "$T/sup.log"
	run http_status "127.0.0.1:$port" "" ""
	[ "$output" = "200 " ]
}

@test "http: children get SUPERVISOR_SERVER_URL as supervisord sets it" {
	port=$(free_port)
	conf a <<-EOF
	[unix_http_server]
	file = $T/run/http.sock
	[inet_http_server]
	port = $port
	[program:one]
	command = sleep 1000
	startsecs = 0
	[program:two]
	command = sleep 1001
	startsecs = 0
	serverurl = http://elsewhere:9
	EOF
	up a
	env1=$(tr '\0' '\n' <"/proc/$(svc_field one pid)/environ")
	env2=$(tr '\0' '\n' <"/proc/$(svc_field two pid)/environ")
	[[ "$env1" == *"SUPERVISOR_SERVER_URL=unix://$T/run/http.sock"* ]]
	[[ "$env1" == *"SUPERVISOR_ENABLED=1"* ]]
	[[ "$env1" == *"SUPERVISOR_PROCESS_NAME=one"* ]]
	[[ "$env2" == *"SUPERVISOR_SERVER_URL=http://elsewhere:9"* ]]
	down

	# The inet server alone: localhost for all interfaces.
	conf b <<-EOF
	[inet_http_server]
	port = *:$port
	[program:one]
	command = sleep 1000
	startsecs = 0
	EOF
	up b
	env1=$(tr '\0' '\n' <"/proc/$(svc_field one pid)/environ")
	[[ "$env1" == *"SUPERVISOR_SERVER_URL=http://localhost:$port"* ]]
	down

	# No server: none.
	conf c <<-EOF
	[program:one]
	command = sleep 1000
	startsecs = 0
	EOF
	up c
	env1=$(tr '\0' '\n' <"/proc/$(svc_field one pid)/environ")
	[[ "$env1" != *"SUPERVISOR_SERVER_URL"* ]]
}

@test "http: plain warden status finds the supervisor of ./supervisord.conf" {
	cat >"$T/supervisord.conf" <<-EOF
	[unix_http_server]
	file=%(here)s/supervisor.sock
	[supervisord]
	logfile=%(here)s/supervisord.log
	pidfile=%(here)s/supervisord.pid
	[rpcinterface:supervisor]
	supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface
	[supervisorctl]
	serverurl=unix://%(here)s/supervisor.sock
	[warden]
	rundir = $T/run
	[program:one]
	command = sleep 1000
	startsecs = 0
	EOF
	cd "$T"
	run timeout 60 "$W" up -c supervisord.conf
	echo "$output"
	[ "$status" -eq 0 ]
	track_pid "$(cat "$T/supervisord.pid")"
	# Neither section is a warning any more.
	[[ "$output" != *"rpcinterface"* ]]
	[[ "$output" != *"supervisorctl"* ]]
	unset WARDEN_SOCKET
	run "$W" status
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == "one "*RUNNING* ]]
	run "$W" stop one
	[ "$status" -eq 0 ]
	run "$W" start one
	[ "$status" -eq 0 ]
	run "$W" restart one
	[ "$status" -eq 0 ]
	run "$W" reload
	[ "$status" -eq 0 ]
	run "$W" logs one
	[ "$status" -eq 0 ]
	p=$(cat "$T/supervisord.pid")
	run "$W" shutdown
	[ "$status" -eq 0 ]
	wait_gone "$p" 20
	[ ! -e "$T/supervisor.sock" ]
}

@test "http: [warden] socket= is the control socket" {
	mkdir -m 700 "$T/ctl"
	conf a <<-EOF
	socket = $T/ctl/w.sock
	[unix_http_server]
	file = $T/run/http.sock
	[program:one]
	command = sleep 1000
	startsecs = 0
	EOF
	export WARDEN_SOCKET="$T/ctl/w.sock"
	up a
	[ "$(stat -c %F "$T/ctl/w.sock")" = socket ]
	[ ! -e "$T/run/warden.sock" ]
	run "$W" status one
	[ "$status" -eq 0 ]
	# -c finds it through the config too.
	WARDEN_SOCKET= run "$W" status -c "$T/a.conf" one
	[ "$status" -eq 0 ]
	# The HTTP socket is not the control socket.
	run "$W" status -s "$T/run/http.sock" one
	[ "$status" -ne 0 ]
	run "$W" up -c "$T/a.conf" --check
	[ "$status" -eq 0 ]
	[[ "$output" == *"socket $T/ctl/w.sock"* ]]
	[[ "$output" == *"unix_http_server unix://$T/run/http.sock chmod 0700, no authentication"* ]]
	"$W" shutdown
	wait_gone "$(cat "$T/run/warden.pid")" 20 || true
}

# bad NAME LINE TEXT: up on $T/NAME.conf fails with "FILE:LINE: TEXT",
# and nothing is left: no supervisor, no pidfile, no sockets.
bad() {
	run timeout 60 "$W" up -c "$T/$1.conf"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"$T/$1.conf:$2: $3"* ]]
	[ ! -e "$T/run/warden.pid" ]
	[ ! -e "$T/run/warden.sock" ]
	[ ! -e "$T/run/http.sock" ]
}

@test "http: bad port=, chown= and password= lines; nothing starts" {
	conf a <<-EOF
	[inet_http_server]
	port = 127.0.0.1:99999
	EOF
	bad a 5 'port: "99999" is not a port number from 1 to 65535'
	conf b <<-EOF
	[unix_http_server]
	file = $T/run/http.sock
	chown = nosuchuser-warden:nogroup
	EOF
	bad b 6 'chown: no such user "nosuchuser-warden"'
	conf c <<-EOF
	[inet_http_server]
	port = 9001
	username = u
	password = {SHA}nothex
	EOF
	bad c 7 'password: {SHA} must be followed by 40 hex digits'
	conf d <<-EOF
	[inet_http_server]
	port = 9001
	username = u
	EOF
	bad d 4 '[inet_http_server] has username= without password='
}

@test "http: a port in use: up fails, nothing is left behind" {
	port=$(free_port)
	python3 -c 'import socket, sys, time
s = socket.socket()
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen()
print("ok", flush=True)
time.sleep(60)' "$port" >"$T/holder.out" &
	holder=$!
	track_pid "$holder"
	within 5 grep -q ok "$T/holder.out"
	conf a <<-EOF
	[unix_http_server]
	file = $T/run/http.sock
	[inet_http_server]
	port = 127.0.0.1:$port
	[program:one]
	command = sleep 1000
	EOF
	run timeout 60 "$W" up -c "$T/a.conf"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"inet_http_server: 127.0.0.1:$port: Address"*"in use"* ]]
	[ ! -e "$T/run/warden.pid" ]
	[ ! -e "$T/run/warden.sock" ]
	[ ! -e "$T/run/http.sock" ]
	kill "$holder"
}

@test "http: a stale unix socket is replaced, a live one refused" {
	python3 -c 'import socket, sys
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1])' "$T/run/http.sock"
	[ -S "$T/run/http.sock" ]
	conf a <<-EOF
	[unix_http_server]
	file = $T/run/http.sock
	EOF
	up a
	run http_status "$T/run/http.sock" "" ""
	[ "$output" = "200 " ]
	# Another config on the same file, while the first answers.
	cat >"$T/b.conf" <<-EOF
	[warden]
	rundir = $T/run2
	[unix_http_server]
	file = $T/run/http.sock
	EOF
	run timeout 60 "$W" up -c "$T/b.conf"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"already running: $T/run/http.sock answers"* ]]
	[ ! -e "$T/run2/warden.pid" ]
	[ ! -e "$T/run2/warden.sock" ]
	run http_status "$T/run/http.sock" "" ""
	[ "$output" = "200 " ]
}

# logtail SOCKET PATH N: GET PATH on the unix socket; print the status,
# then the first chunk's size, then whether a later chunk has "tick"
# (N chunks read at most).
logtail() {
	python3 - "$@" <<-'PY'
	import socket, sys
	sock, path, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
	s = socket.socket(socket.AF_UNIX)
	s.settimeout(5)
	s.connect(sock)
	s.sendall(("GET %s HTTP/1.1\r\nHost: x\r\n\r\n" % path).encode())
	f = s.makefile("rb")
	status = f.readline().split()[1].decode()
	print(status)
	hdrs = {}
	while True:
	    l = f.readline().strip()
	    if not l:
	        break
	    k, v = l.decode().split(":", 1)
	    hdrs[k.lower()] = v.strip()
	if status != "200":
	    sys.exit(0)
	assert hdrs["transfer-encoding"] == "chunked"
	assert hdrs["x-accel-buffering"] == "no"
	first = None
	for i in range(n):
	    size = int(f.readline().strip(), 16)
	    data = f.read(size)
	    f.readline()
	    if first is None:
	        first = data
	        print(len(data), data.endswith(b"\n"))
	    elif b"tick" in data:
	        print("tick")
	        break
	PY
}

@test "http: /logtail/NAME streams the last 1024 bytes, then what comes" {
	conf a <<-EOF
	[unix_http_server]
	file = $T/run/http.sock
	[program:one]
	command = sh -c 'seq 1 1000; while :; do sleep 0.1; echo tick; done'
	startsecs = 0
	stdout_logfile = $T/one.log
	EOF
	up a
	within 5 grep -q tick "$T/one.log"
	run logtail "$T/run/http.sock" /logtail/one 50
	echo "$output"
	[ "${lines[0]}" = 200 ]
	[ "${lines[1]}" = "1024 True" ]
	[ "${lines[2]}" = tick ]
	run logtail "$T/run/http.sock" /logtail/one:one/stdout 50
	[ "${lines[0]}" = 200 ]
	[ "${lines[2]}" = tick ]
	run logtail "$T/run/http.sock" /mainlogtail 1
	[ "${lines[0]}" = 200 ]
	# Not there: 404, as supervisord.
	run logtail "$T/run/http.sock" /logtail/nosuch 1
	[ "$output" = 404 ]
	run logtail "$T/run/http.sock" /logtail/one/bogus 1
	[ "$output" = 404 ]
	run logtail "$T/run/http.sock" /logtail/one/stderr 0
	[ "$output" = 200 ]
	run logtail "$T/run/http.sock" /nothing 1
	[ "$output" = 404 ]
}
