#!/usr/bin/env bats
# [fcgi-program:x]: one socket for the pool, bound by the supervisor
# before the first spawn, every process's fd 0; kept across restarts,
# bound again by a reload that changes it, closed when the pool is gone.
# Loopback and the temp directory only.

load common
load sup

setup() {
	sup_setup
	# The server: accept()s on fd 0 and answers "PID" to each client;
	# what it was given goes to $T/env.PID.  A stop waits for the client
	# being answered.
	cat >"$T/srv.py" <<-'EOF'
	import os, signal, socket, sys
	with open(sys.argv[1] + ".tmp", "w") as f:
	    for k in sorted(os.environ):
	        f.write("%s=%s\n" % (k, os.environ[k]))
	os.rename(sys.argv[1] + ".tmp", "%s.%d" % (sys.argv[1], os.getpid()))
	probe = socket.socket(fileno=os.dup(0))
	s = socket.fromfd(0, probe.family, socket.SOCK_STREAM)
	probe.close()
	stop = []
	signal.signal(signal.SIGTERM, lambda *a: stop.append(1))
	s.settimeout(0.1)
	while not stop:
	    try:
	        c, _ = s.accept()
	    except socket.timeout:
	        continue
	    c.sendall(b"%d\n" % os.getpid())
	    c.close()
	EOF
	# The client: ask ADDRESS (HOST:PORT or a path) once; print the
	# answer, or the error's name with status 1.
	cat >"$T/ask.py" <<-'EOF'
	import socket, sys
	a = sys.argv[1]
	try:
	    if a.startswith("/"):
	        s = socket.socket(socket.AF_UNIX)
	        s.settimeout(20)
	        s.connect(a)
	    else:
	        h, p = a.rsplit(":", 1)
	        s = socket.create_connection((h, int(p)), timeout=20)
	    print(s.makefile().readline().strip())
	except OSError as e:
	    print(type(e).__name__)
	    sys.exit(1)
	EOF
}
teardown() { sup_teardown; }

ask() { python3 "$T/ask.py" "$1"; }

# has_supervisor: Debian's supervisor package, for its XML-RPC client.
has_supervisor() { /usr/bin/python3 -c 'import supervisor.xmlrpc' 2>/dev/null; }

# pool_conf SOCKET [MORE]: $T/a.conf with a pool of 2 on SOCKET, then MORE.
pool_conf() {
	conf a <<-EOF
	[fcgi-program:web]
	command = python3 $T/srv.py $T/env
	socket = $1
	numprocs = 2
	process_name = %(program_name)s_%(process_num)s
	startsecs = 0
	$2
	EOF
}

# refused ADDRESS: a connection to it is refused (or finds no socket).
refused() {
	local out
	out=$(ask "$1") && return 1
	[ "$out" = ConnectionRefusedError ] || [ "$out" = FileNotFoundError ]
}

# pid_changed NAME PID: the service runs, and not as PID.
pid_changed() {
	local n
	n=$(svc_field "$1" pid)
	[ "$n" != "$2" ] && [ "$n" != 0 ] && [ "$n" != null ]
}

# inode PID FD: the socket:[INODE] that fd FD of PID is.
inode() { readlink "/proc/$1/fd/$2"; }

@test "fcgi: the pool shares one socket as fd 0, no stdin pipe, no LISTEN_FDS" {
	port=$(free_port)
	pool_conf "tcp://127.0.0.1:$port"
	up a
	run "$W" status
	[[ "$output" == *"web:web_0 "*RUNNING* ]]
	[[ "$output" == *"web:web_1 "*RUNNING* ]]
	p0=$(svc_field web_0 pid)
	p1=$(svc_field web_1 pid)
	[[ "$(inode "$p0" 0)" == socket:* ]]
	[ "$(inode "$p0" 0)" = "$(inode "$p1" 0)" ]
	[[ "$(inode "$p0" 3)" != socket:* ]]
	within 5 test -e "$T/env.$p0"
	[ "$(grep -c '^LISTEN_' "$T/env.$p0")" -eq 0 ]
	grep -qx "SUPERVISOR_GROUP_NAME=web" "$T/env.$p0"
	grep -qx "SUPERVISOR_PROCESS_NAME=web_0" "$T/env.$p0"
	# Both take connections from it.
	for i in $(seq 40); do ask 127.0.0.1:$port; done >"$T/answers"
	grep -qx "$p0" "$T/answers" || grep -qx "$p1" "$T/answers"
	[ "$(grep -cv -e "^$p0\$" -e "^$p1\$" "$T/answers")" -eq 0 ]
	# The supervisor holds it once, for the pool.
	sup=$(cat "$T/run/warden.pid")
	n=0
	for f in /proc/$sup/fd/*; do
		[ "$(readlink "$f")" = "$(inode "$p0" 0)" ] && n=$((n + 1))
	done
	[ "$n" -eq 1 ]
}

@test "fcgi: restarts while a client connects in a loop: 0 failures, the same socket" {
	port=$(free_port)
	pool_conf "tcp://127.0.0.1:$port"
	up a
	first=$(inode "$(svc_field web_0 pid)" 0)
	( while [ ! -e "$T/stop" ]; do
		ask 127.0.0.1:$port >>"$T/answers" || exit 1
	  done ) 3>&- &
	client=$!
	track_pid "$client"
	within 10 test -s "$T/answers"
	for i in 1 2 3; do
		"$W" restart 'web:*'
		"$W" restart web:web_0
	done
	p0=$(svc_field web_0 pid)
	p1=$(svc_field web_1 pid)
	[ "$(inode "$p0" 0)" = "$first" ]
	[ "$(inode "$p1" 0)" = "$first" ]
	within 20 grep -qx -e "$p0" -e "$p1" "$T/answers"
	touch "$T/stop"
	wait "$client"
	[ "$(grep -cv '^[0-9][0-9]*$' "$T/answers")" -eq 0 ]
	# Answers came from before the restarts and from after them.
	head -1 "$T/answers" | grep -qvx -e "$p0" -e "$p1"
}

@test "fcgi: a unix socket gets socket_mode and socket_owner; 0700 by default" {
	pool_conf "unix://$T/f.sock" "socket_mode = 0660
socket_owner = nobody:nogroup"
	cat >>"$T/a.conf" <<-EOF
	[fcgi-program:plain]
	command = python3 $T/srv.py $T/env
	socket = unix://$T/p.sock
	startsecs = 0
	EOF
	up a
	[ -S "$T/f.sock" ]
	[ "$(stat -c '%a %U %G' "$T/f.sock")" = "660 nobody nogroup" ]
	[ "$(stat -c '%a %u' "$T/p.sock")" = "700 $(id -u)" ]
	p=$(svc_field web_0 pid)
	a=$(ask "$T/f.sock")
	[ "$a" = "$p" ] || [ "$a" = "$(svc_field web_1 pid)" ]
	[ "$(ask "$T/p.sock")" = "$(svc_field plain pid)" ]
	# A reload that changes the mode alone: the same socket, mode applied.
	sed -i 's/^socket_mode = 0660/socket_mode = 0600/' "$T/a.conf"
	first=$(inode "$p" 0)
	"$W" reload
	within 10 pid_changed web_0 "$p"
	within 10 state_is web:web_0 RUNNING
	within 10 state_is web:web_1 RUNNING
	[ "$(stat -c '%a %U' "$T/f.sock")" = "600 nobody" ]
	[ "$(inode "$(svc_field web_0 pid)" 0)" = "$first" ]
}

@test "fcgi: a socket that cannot be bound is a spawn error with the reason" {
	port=$(free_port)
	python3 -c '
import signal, socket, sys
s = socket.socket()
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen()
open(sys.argv[2], "w").close()
signal.pause()' "$port" "$T/held" 3>&- &
	track_pid $!
	within 10 test -e "$T/held"
	pool_conf "tcp://127.0.0.1:$port" "autostart = false
startretries = 1"
	up a
	run "$W" start 'web:*'
	[ "$status" -ne 0 ]
	[[ "$output" == *"spawn error: bind tcp://127.0.0.1:$port: Address "*"in use"* ]]
	within 10 state_is web:web_0 FATAL
	run "$W" status web:web_0
	[[ "$output" == *"bind tcp://127.0.0.1:$port"* ]]
	# --check knows nothing of it: the address is fine, the port busy.
	run "$W" up --check -c "$T/a.conf"
	[ "$status" -eq 0 ]
}

@test "fcgi: a reload that changes socket= binds again; one that removes the pool closes it" {
	port=$(free_port)
	pool_conf "tcp://127.0.0.1:$port"
	up a
	ask 127.0.0.1:$port
	port2=$(free_port)
	pool_conf "tcp://127.0.0.1:$port2"
	"$W" reload
	within 10 state_is web:web_0 RUNNING
	within 10 state_is web:web_1 RUNNING
	within 10 refused 127.0.0.1:$port
	p=$(ask 127.0.0.1:$port2)
	[ "$p" = "$(svc_field web_0 pid)" ] || [ "$p" = "$(svc_field web_1 pid)" ]
	[ "$(inode "$(svc_field web_0 pid)" 0)" = "$(inode "$(svc_field web_1 pid)" 0)" ]
	pool_conf "unix://$T/f.sock"
	"$W" reload
	within 10 refused 127.0.0.1:$port2
	within 10 test -S "$T/f.sock"
	within 10 state_is web:web_1 RUNNING
	ask "$T/f.sock"
	conf a <<-EOF
	[program:other]
	command = sleep 1000
	startsecs = 0
	EOF
	"$W" reload
	within 10 test ! -e "$T/f.sock"
	refused "$T/f.sock"
	run "$W" status
	[[ "$output" != *web* ]]
}

@test "fcgi: XML-RPC reports the pool as supervisord does; no stdin to send to" {
	has_supervisor || skip "Debian's supervisor package is not installed"
	port=$(free_port)
	pool_conf "tcp://127.0.0.1:$port" "[program:plain]
command = python3 $T/srv.py $T/env
startsecs = 0
[unix_http_server]
file = $T/http.sock"
	up a
	/usr/bin/python3 - "$T/http.sock" <<-'EOF'
	import sys, xmlrpc.client
	from supervisor import xmlrpc as sx
	t = sx.SupervisorTransport(None, None, "unix://" + sys.argv[1])
	s = xmlrpc.client.ServerProxy("http://127.0.0.1", transport=t).supervisor
	i = s.getProcessInfo("web:web_0")
	assert (i["name"], i["group"], i["statename"]) == \
	    ("web_0", "web", "RUNNING"), i
	names = sorted((p["group"], p["name"]) for p in s.getAllProcessInfo())
	assert names == [("plain", "plain"), ("web", "web_0"),
	    ("web", "web_1")], names
	conf = {c["name"]: c for c in s.getAllConfigInfo()}
	assert sorted(conf) == ["plain", "web_0", "web_1"], sorted(conf)
	assert conf["web_1"]["group"] == "web", conf["web_1"]
	assert set(conf["web_0"]) == set(conf["plain"]), conf["web_0"]
	try:
	    s.sendProcessStdin("web:web_0", "x")
	    sys.exit("sendProcessStdin to an fcgi process was taken")
	except xmlrpc.client.Fault as f:
	    assert f.faultCode == sx.Faults.NO_FILE, f
	s.sendProcessStdin("plain", "x")
	EOF
}

@test "fcgi: config errors and warnings, with file:line" {
	conf a <<-EOF
	[fcgi-program:web]
	command = /bin/true
	EOF
	run "$W" up --check -c "$T/a.conf"
	[ "$status" -ne 0 ]
	[[ "$output" == *"a.conf:4: [fcgi-program:web] has no socket="* ]]
	conf a <<-EOF
	[fcgi-program:web]
	command = /bin/true
	socket = tcp://127.0.0.1:80
	socket_mode = 0600
	EOF
	run "$W" up --check -c "$T/a.conf"
	[ "$status" -ne 0 ]
	[[ "$output" == *"a.conf:7: socket_mode= is for a unix:///PATH socket"* ]]
	conf a <<-EOF
	[program:web]
	command = /bin/true
	socket = tcp://127.0.0.1:80
	EOF
	run "$W" up --check -c "$T/a.conf"
	[ "$status" -eq 0 ]
	[[ "$output" == *"a.conf:6: socket= is a key of [fcgi-program:x], ignored in [program:web]"* ]]
}
