#!/usr/bin/env bats
# listen=: sockets the supervisor binds once and passes from fd 3 with
# systemd's protocol (LISTEN_FDS, LISTEN_PID, LISTEN_FDNAMES), kept open
# across restarts.  Loopback and the temp directory only.

load common
load sup

setup() {
	sup_setup
	# The server: its sockets from LISTEN_FDS, what it was given in
	# $T/env.PID, and "PID" to each client.  A stop waits for the
	# client being answered.
	cat >"$T/srv.py" <<-'EOF'
	import os, selectors, signal, socket, sys
	n = int(os.environ["LISTEN_FDS"])
	with open(sys.argv[1] + ".tmp", "w") as f:
	    for k in ("LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES"):
	        f.write("%s=%s\n" % (k, os.environ[k]))
	    f.write("pid=%d\n" % os.getpid())
	os.rename(sys.argv[1] + ".tmp", "%s.%d" % (sys.argv[1], os.getpid()))
	stop = []
	signal.signal(signal.SIGTERM, lambda *a: stop.append(1))
	sel = selectors.DefaultSelector()
	for i in range(n):
	    sel.register(socket.socket(fileno=3 + i), selectors.EVENT_READ)
	while not stop:
	    for key, _ in sel.select(0.1):
	        c, _ = key.fileobj.accept()
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

# srv_conf LISTEN [MORE]: $T/a.conf with the server on LISTEN, then MORE.
srv_conf() {
	printf '[program:srv]\ncommand = python3 %s/srv.py %s/env\nlisten = %s\n%s\n%s\n' \
	    "$T" "$T" "$1" "startsecs = 0" "$2" | conf a
}

# refused ADDRESS: a connection to it is refused (or finds no socket).
refused() {
	local out
	out=$(ask "$1") && return 1
	[ "$out" = ConnectionRefusedError ] || [ "$out" = FileNotFoundError ]
}

# inode PID FD: the socket:[INODE] that fd FD of PID is.
inode() { readlink "/proc/$1/fd/$2"; }

@test "listen: sockets from fd 3, with LISTEN_FDS, LISTEN_PID and LISTEN_FDNAMES" {
	port=$(free_port)
	srv_conf "tcp://127.0.0.1:$port, unix://$T/s.sock" "
[program:plain]
command = sh -c 'env > $T/plain.env; exec sleep 1000'
startsecs = 0"
	# A stale socket file where the unix socket goes: it is replaced.
	python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$T/s.sock"
	[ -S "$T/s.sock" ]
	export LISTEN_FDS=7 LISTEN_PID=1 LISTEN_FDNAMES=x
	up a
	unset LISTEN_FDS LISTEN_PID LISTEN_FDNAMES
	pid=$(svc_field srv pid)
	[ "$(ask 127.0.0.1:$port)" = "$pid" ]
	[ "$(ask "$T/s.sock")" = "$pid" ]
	within 5 test -e "$T/env.$pid"
	grep -qx "LISTEN_FDS=2" "$T/env.$pid"
	grep -qx "LISTEN_PID=$pid" "$T/env.$pid"
	grep -qx "LISTEN_FDNAMES=srv:srv" "$T/env.$pid"
	[[ "$(inode "$pid" 3)" == socket:* ]]
	[[ "$(inode "$pid" 4)" == socket:* ]]
	[[ "$(inode "$pid" 5)" != socket:* ]]
	[ "$(stat -c %a "$T/s.sock")" = 666 ]
	# What the supervisor inherited is not passed on.
	within 5 grep -q '^SUPERVISOR_ENABLED' "$T/plain.env"
	[ "$(grep -c '^LISTEN_' "$T/plain.env")" -eq 0 ]
}

@test "listen: the listening socket is the same across 5 restarts" {
	port=$(free_port)
	srv_conf "tcp://127.0.0.1:$port"
	up a
	pid=$(svc_field srv pid)
	first=$(inode "$pid" 3)
	[[ "$first" == socket:* ]]
	for i in 1 2 3 4 5; do
		"$W" restart srv
		new=$(svc_field srv pid)
		[ "$new" != "$pid" ]
		pid=$new
		[ "$(inode "$pid" 3)" = "$first" ]
		[ "$(ask 127.0.0.1:$port)" = "$pid" ]
	done
}

@test "listen: while it restarts, connections wait in the backlog, none refused" {
	port=$(free_port)
	srv_conf "tcp://127.0.0.1:$port"
	up a
	first=$(svc_field srv pid)
	# Connect in a loop until told to stop; any failure ends it.
	( while [ ! -e "$T/stop" ]; do
		ask 127.0.0.1:$port >>"$T/answers" || exit 1
	  done ) 3>&- &
	client=$!
	track_pid "$client"
	within 10 test -s "$T/answers"
	for i in 1 2 3; do
		"$W" restart srv
	done
	last=$(svc_field srv pid)
	within 20 grep -qx "$last" "$T/answers"
	touch "$T/stop"
	wait "$client"
	[ "$(grep -cv '^[0-9][0-9]*$' "$T/answers")" -eq 0 ]
	grep -qx "$first" "$T/answers"
	[ "$(sort -u "$T/answers" | wc -l)" -ge 2 ]
}

@test "listen: an address that cannot be bound is a spawn error with the reason" {
	port=$(free_port)
	python3 -c '
import signal, socket, sys
s = socket.socket()
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen()
u = socket.socket(socket.AF_UNIX)
u.bind(sys.argv[3])
u.listen()
open(sys.argv[2], "w").close()
signal.pause()' "$port" "$T/held" "$T/live.sock" 3>&- &
	track_pid $!
	within 10 test -e "$T/held"
	: >"$T/file.sock"
	conf a <<-EOF
	[program:tcp]
	command = python3 $T/srv.py $T/env
	listen = tcp://127.0.0.1:$port
	autostart = false
	startretries = 0
	[program:unix]
	command = python3 $T/srv.py $T/env
	listen = unix://$T/file.sock
	autostart = false
	startretries = 0
	[program:live]
	command = python3 $T/srv.py $T/env
	listen = unix://$T/live.sock
	autostart = false
	startretries = 0
	EOF
	up a
	run "$W" start tcp
	[ "$status" -eq 1 ]
	[[ "$output" == *"spawn error: bind tcp://127.0.0.1:$port: Address "*"in use"* ]]
	state_is tcp FATAL
	run "$W" start unix
	[ "$status" -eq 1 ]
	[[ "$output" == *"spawn error: bind unix://$T/file.sock: Address "*"in use"* ]]
	state_is unix FATAL
	# Not a socket, or a live one: left alone.
	[ -f "$T/file.sock" ]
	run "$W" start live
	[ "$status" -eq 1 ]
	[[ "$output" == *"spawn error: bind unix://$T/live.sock: Address "*"in use"* ]]
	[ -S "$T/live.sock" ]
	# ... and still the holder's: a connection reaches its backlog.
	python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).connect(sys.argv[1])' "$T/live.sock"
}

@test "listen: a reload that changes listen= binds again; one that removes the service closes it" {
	port=$(free_port)
	srv_conf "tcp://127.0.0.1:$port, unix://$T/s.sock"
	up a
	[ "$(ask 127.0.0.1:$port)" = "$(svc_field srv pid)" ]
	port2=$(free_port)
	srv_conf "tcp://127.0.0.1:$port2, unix://$T/s.sock"
	"$W" reload
	within 10 state_is srv RUNNING
	pid=$(svc_field srv pid)
	within 10 refused 127.0.0.1:$port
	[ "$(ask 127.0.0.1:$port2)" = "$pid" ]
	[ "$(ask "$T/s.sock")" = "$pid" ]
	conf a <<-EOF
	[program:other]
	command = sleep 1000
	startsecs = 0
	EOF
	"$W" reload
	within 10 refused 127.0.0.1:$port2
	within 10 refused "$T/s.sock"
	[ ! -e "$T/s.sock" ]
}
