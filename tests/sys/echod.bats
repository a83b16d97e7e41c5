#!/usr/bin/env bats
# echod: the TCP echo daemon on libwarden, checked from outside through
# /proc (DAEMON-SPEC.md §4) and over the wire.

load common

# Also whatever echod a pidfile in $T names, should a test fail before it
# tracked it.
teardown() {
	local f p
	for f in "$T"/*.pid; do
		[ -f "$f" ] && [ ! -L "$f" ] || continue
		p=$(head -n 1 "$f")
		[ -n "$p" ] && [ "$(cat "/proc/$p/comm" 2>/dev/null)" = echod ] &&
		    track_pid "$p"
	done
	common_teardown
}

# The mask echod sets for itself: HUP, INT and TERM go to its signalfd.
ECHOD_SIGBLK=0000000000004003

# port_open PORT [HOST]: something accepts connections there.
port_open() {
	python3 - "$1" "${2:-127.0.0.1}" <<'EOF'
import socket, sys
try:
    socket.create_connection((sys.argv[2], int(sys.argv[1])), 2).close()
except OSError:
    sys.exit(1)
EOF
}

# echo_clients PORT NCLIENTS NBYTES [HOST]: NCLIENTS connections at once,
# each sending NBYTES of random data while reading; every byte must come
# back, in order, before echod closes the connection after our EOF.
echo_clients() {
	python3 - "$@" <<'EOF'
import os, socket, sys, threading
port, n, size = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
host = sys.argv[4] if len(sys.argv) > 4 else "127.0.0.1"
bad = []
def client(i):
    try:
        data = os.urandom(size)
        s = socket.create_connection((host, port), 10)
        s.settimeout(20)
        def send():
            s.sendall(data)
            s.shutdown(socket.SHUT_WR)
        t = threading.Thread(target=send)
        t.start()
        got = bytearray()
        while True:
            b = s.recv(65536)
            if not b:
                break
            got += b
        t.join()
        s.close()
        if bytes(got) != data:
            bad.append("client %d: %d of %d bytes, equal=%s" %
                (i, len(got), size, bytes(got) == data[:len(got)]))
    except Exception as e:
        bad.append("client %d: %r" % (i, e))
ts = [threading.Thread(target=client, args=(i,)) for i in range(n)]
for t in ts: t.start()
for t in ts: t.join()
for b in bad: print(b)
sys.exit(1 if bad else 0)
EOF
}

# stalled_client PORT: a client that sends without reading until echod
# stops reading from it must not hold up another one, and gets every byte
# back once it reads.
stalled_client() {
	python3 - "$1" <<'EOF'
import os, socket, sys
port = int(sys.argv[1])
a = socket.create_connection(("127.0.0.1", port), 10)
a.setblocking(False)
sent = bytearray()
chunk = os.urandom(65536)
while True:            # until every buffer on the way is full
    try:
        n = a.send(chunk)
    except BlockingIOError:
        break
    sent += chunk[:n]
b = socket.create_connection(("127.0.0.1", port), 10)
b.settimeout(10)
b.sendall(b"still served\n")
if b.recv(100) != b"still served\n":
    sys.exit("second client not served")
b.close()
a.setblocking(True)
a.settimeout(20)
a.shutdown(socket.SHUT_WR)
got = bytearray()
while True:
    d = a.recv(65536)
    if not d:
        break
    got += d
if got != sent:
    sys.exit("stalled client: got %d of %d bytes" % (len(got), len(sent)))
print(len(sent))
EOF
}

# nfds_is PID N: PID has exactly N open fds.
nfds_is() { [ "$(ls "/proc/$1/fd" | wc -l)" -eq "$2" ]; }

# running_with ARG: pids of processes with ARG in their command line.
running_with() {
	python3 - "$1" <<'EOF'
import os, sys
for p in os.listdir("/proc"):
    if not p.isdigit() or int(p) == os.getpid():
        continue
    try:
        argv = open("/proc/%s/cmdline" % p, "rb").read().split(b"\0")
    except OSError:
        continue
    if sys.argv[1].encode() in argv:
        print(p)
EOF
}

# start_echod PORT PIDFILE [ARGS...]: start it, check exit 0 and a quiet
# launch, set $pid to the daemon and track it.
start_echod() {
	local port=$1 pf=$2
	shift 2
	local rc=0
	timeout 20 "$ECHOD" -p "$port" --pidfile "$pf" "$@" \
	    >"$T/launch.out" 2>"$T/launch.err" || rc=$?
	[ -s "$pf" ] && track_pid "$(cat "$pf")"
	cat "$T/launch.err" >&2
	[ "$rc" -eq 0 ]
	[ ! -s "$T/launch.out" ]
	[ ! -s "$T/launch.err" ]
	pid=$(cat "$pf")
	[ "$pid" -gt 1 ]
}

# audit PID PIDFILE OUT: the daemon checklist from /proc, with stdout and
# stderr on OUT.
audit() {
	local pid=$1 pf=$2 out=$3 f n link lockfd= flags
	[ "$(cat "/proc/$pid/comm")" = echod ]
	# Left the session and can never regain a terminal.
	[ "$(stat_field "$pid" 6)" != "$pid" ]
	[ "$(stat_field "$pid" 6)" != "$(stat_field $$ 6)" ]
	[ "$(stat_field "$pid" 7)" = 0 ]
	[ "$(stat_field "$pid" 8)" = -1 ]
	# Nothing inherited: only its own signalfd set is blocked.
	[ "$(status_field "$pid" SigBlk)" = "$ECHOD_SIGBLK" ]
	[ "$(status_field "$pid" SigIgn)" = 0000000000000000 ]
	[ "$(status_field "$pid" SigCgt)" = 0000000000000000 ]
	[ "$(status_field "$pid" Umask)" = 0000 ]
	[ "$(readlink "/proc/$pid/cwd")" = / ]
	# The launcher, which was our child, is gone: not our parent.
	[ "$(status_field "$pid" PPid)" != "$$" ]
	[ "$(status_field "$pid" PPid)" != "$BASHPID" ]
	[ "$(readlink "/proc/$pid/fd/0")" = /dev/null ]
	[ "$(readlink "/proc/$pid/fd/1")" = "$out" ]
	[ "$(readlink "/proc/$pid/fd/2")" = "$out" ]
	for f in /proc/"$pid"/fd/*; do
		n=${f##*/}
		[ "$n" -le 2 ] && continue
		link=$(readlink "$f")
		# Ours, so close-on-exec.
		flags=$(awk '$1 == "flags:" { print $2 }' "/proc/$pid/fdinfo/$n")
		[ $((8#$flags & 8#2000000)) -ne 0 ] ||
		    { echo "fd $n ($link) not CLOEXEC" >&2; return 1; }
		case $link in
		"$pf")
			[ -z "$lockfd" ] || { echo "two pidfile fds" >&2; return 1; }
			lockfd=$n ;;
		socket:*|anon_inode:\[eventpoll\]|anon_inode:\[signalfd\]) ;;
		*)	echo "unexpected fd $n -> $link" >&2; return 1 ;;
		esac
	done
	# The lock is held on echod's own open file description.
	[ -n "$lockfd" ]
	grep -q '^lock:.*FLOCK.*WRITE' "/proc/$pid/fdinfo/$lockfd"
	[ "$(cat "$pf")" = "$pid" ]
}

@test "echod starts, returns 0 once listening, and echoes to many clients" {
	port=$(free_port)
	# Through a pipe: the launcher exits and nothing keeps the pipe open.
	run timeout 10 bash -c '"$@" 2>&1 | cat; exit ${PIPESTATUS[0]}' _ \
	    "$ECHOD" -p "$port" --pidfile "$T/e.pid"
	[ -f "$T/e.pid" ] && track_pid "$(cat "$T/e.pid")"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	pid=$(cat "$T/e.pid")
	[ -d "/proc/$pid" ]
	[ "$(cat "/proc/$pid/comm")" = echod ]
	# Listening the moment the launcher returned.
	port_open "$port"
	run echo_clients "$port" 1 6
	[ "$status" -eq 0 ]
	run echo_clients "$port" 50 102400
	echo "$output"
	[ "$status" -eq 0 ]
	# Still one process, still serving after 50 clients came and went.
	[ "$(stat_field "$pid" 20)" = 1 ]
	port_open "$port"
}

@test "echod buffers for a slow client without blocking the others" {
	port=$(free_port)
	start_echod "$port" "$T/e.pid"
	run stalled_client "$port"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" -gt 65536 ]
	run echo_clients "$port" 1 1000
	[ "$status" -eq 0 ]
}

@test "echod passes the daemon checklist audit" {
	port=$(free_port)
	start_echod "$port" "$T/e.pid"
	audit "$pid" "$T/e.pid" /dev/null
	# A client connection is one more socket, CLOEXEC too.
	exec {cfd}<>"/dev/tcp/127.0.0.1/$port"
	wait_until 5 nfds_is "$pid" 8
	audit "$pid" "$T/e.pid" /dev/null
	exec {cfd}<&-
}

@test "echod --log sends stdout and stderr to the log once ready" {
	port=$(free_port)
	start_echod "$port" "$T/e.pid" --log "$T/log"
	audit "$pid" "$T/e.pid" "$T/log"
	[ "$(cat "$T/log")" = "echod: listening on 127.0.0.1:$port" ]
}

@test "echod from a hostile parent on a pty: clean context, TERM stops it" {
	port=$(free_port)
	run in_pty timeout 20 python3 "$WARDEN_TOP/tests/helpers/hostile.py" "$T/leak" \
	    "$ECHOD" -p "$port" --pidfile "$T/e.pid"
	[ -f "$T/e.pid" ] && track_pid "$(cat "$T/e.pid")"
	echo "$output"
	[ "$status" -eq 0 ]
	pid=$(cat "$T/e.pid")
	audit "$pid" "$T/e.pid" /dev/null
	# The leaked fd 7 is gone, whatever number echod's own fds took.
	for f in /proc/"$pid"/fd/*; do
		[ "$(readlink "$f")" != "$T/leak" ]
	done
	run echo_clients "$port" 1 100
	[ "$status" -eq 0 ]
	# The hostile parent had TERM blocked; echod unblocked it for itself.
	kill "$pid"
	wait_gone "$pid"
	[ ! -e "$T/e.pid" ]
	run port_open "$port"
	[ "$status" -ne 0 ]
}

@test "echod stops cleanly on INT with clients connected" {
	port=$(free_port)
	start_echod "$port" "$T/e.pid" --log "$T/log"
	exec {cfd}<>"/dev/tcp/127.0.0.1/$port"
	kill -INT "$pid"
	wait_gone "$pid"
	exec {cfd}<&-
	[ ! -e "$T/e.pid" ]
	grep -q 'stopping on SIGINT' "$T/log"
}

@test "echod on a busy port prints the bind error and leaves nothing" {
	port=$(free_port)
	start_echod "$port" "$T/first.pid"
	run timeout 20 "$ECHOD" -p "$port" --pidfile "$T/e.pid"
	[ "$status" -eq 1 ]
	[ "$output" = "echod: bind 127.0.0.1:$port: Address already in use" ]
	[ ! -e "$T/e.pid" ]
	[ -z "$(running_with "$T/e.pid")" ]
	# The first one is untouched.
	[ "$(cat "$T/first.pid")" = "$pid" ]
	port_open "$port"
}

@test "echod on a busy IPv6 port names it [::1]:PORT" {
	python3 -c 'import socket; socket.socket(socket.AF_INET6).bind(("::1", 0))' ||
	    skip "no IPv6 loopback"
	port=$(free_port)
	start_echod "$port" "$T/first.pid" -a ::1
	port_open "$port" ::1
	run echo_clients "$port" 3 1000 ::1
	[ "$status" -eq 0 ]
	run timeout 20 "$ECHOD" -a ::1 -p "$port" --pidfile "$T/e.pid"
	[ "$status" -eq 1 ]
	[ "$output" = "echod: bind [::1]:$port: Address already in use" ]
	[ ! -e "$T/e.pid" ]
}

@test "echod -F on a busy port reports to the terminal too" {
	port=$(free_port)
	start_echod "$port" "$T/first.pid"
	run timeout 10 "$ECHOD" -F -p "$port" --pidfile "$T/e.pid"
	[ "$status" -eq 1 ]
	[ "$output" = "echod: bind 127.0.0.1:$port: Address already in use" ]
	[ ! -e "$T/e.pid" ]
}

@test "a second echod on the same pidfile: already running, pid N" {
	port=$(free_port)
	start_echod "$port" "$T/e.pid"
	before=$(stat -c '%i %Y %s' "$T/e.pid")
	port2=$(free_port)
	run timeout 20 "$ECHOD" -p "$port2" --pidfile "$T/e.pid"
	[ "$status" -eq 1 ]
	[ "$output" = "echod: already running, pid $pid" ]
	[ "$(cat "$T/e.pid")" = "$pid" ]
	[ "$(stat -c '%i %Y %s' "$T/e.pid")" = "$before" ]
	[ -z "$(running_with "$port2")" ]
	[ -d "/proc/$pid" ]
}

@test "HUP reopens the log after it was moved aside" {
	port=$(free_port)
	# Relative: echod lives in / but must reopen $T/log.
	cd "$T"
	start_echod "$port" e.pid --log log
	mv "$T/log" "$T/log.1"
	kill -HUP "$pid"
	wait_until 5 grep -q reopened "$T/log"
	[ "$(readlink "/proc/$pid/fd/1")" = "$T/log" ]
	[ "$(readlink "/proc/$pid/fd/2")" = "$T/log" ]
	grep -q 'listening on' "$T/log.1"
	run grep -c reopened "$T/log.1"
	[ "$output" = 0 ]
	run echo_clients "$port" 1 100
	[ "$status" -eq 0 ]
}

@test "echod -F stays in the foreground, in a clean context" {
	port=$(free_port)
	"$ECHOD" -F -p "$port" --pidfile "$T/e.pid" --log "$T/log" \
	    >/dev/null 2>&1 &
	fpid=$!
	track_pid "$fpid"
	# Ready: the line after wd_ready() (the port opens just before).
	wait_until 10 grep -q 'listening on' "$T/log"
	port_open "$port"
	# No fork, no setsid: the very process bash started, in our session.
	[ "$(cat "$T/e.pid")" = "$fpid" ]
	[ "$(stat_field "$fpid" 6)" = "$(stat_field $$ 6)" ]
	# bash starts background jobs with INT and QUIT ignored: reset.
	[ "$(status_field "$fpid" SigBlk)" = "$ECHOD_SIGBLK" ]
	[ "$(status_field "$fpid" SigIgn)" = 0000000000000000 ]
	[ "$(status_field "$fpid" Umask)" = 0000 ]
	[ "$(readlink "/proc/$fpid/cwd")" = / ]
	[ "$(readlink "/proc/$fpid/fd/2")" = "$T/log" ]
	kill "$fpid"
	wait "$fpid" || rc=$?
	[ "${rc:-0}" -eq 0 ]
	[ ! -e "$T/e.pid" ]
}

@test "a symlinked pidfile is refused and its target left alone" {
	port=$(free_port)
	echo precious >"$T/target"
	ln -s "$T/target" "$T/e.pid"
	run timeout 20 "$ECHOD" -p "$port" --pidfile "$T/e.pid"
	[ "$status" -eq 1 ]
	[[ "$output" == "echod: "* ]]
	[ -L "$T/e.pid" ]
	[ "$(cat "$T/target")" = precious ]
	run port_open "$port"
	[ "$status" -ne 0 ]
	# A dangling one must not create its target either.
	ln -s "$T/nothere" "$T/d.pid"
	run timeout 20 "$ECHOD" -p "$port" --pidfile "$T/d.pid"
	[ "$status" -eq 1 ]
	[ ! -e "$T/nothere" ]
}

@test "bad usage exits 2 with usage" {
	for args in "-x" "extra" "-p" "-p 0" "-p 65536" "-p 7x" "-a bogus" \
	    "-a 127.0.0.1:80" "--pidfile" "--log"; do
		run timeout 20 "$ECHOD" $args
		echo "echod $args: $status: $output"
		[ "$status" -eq 2 ]
		[[ "$output" == *"usage: echod "* ]]
	done
}
