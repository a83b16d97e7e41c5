#!/bin/sh
# make demo: echod made a daemon by libwarden, and warden run on a sleep.
set -e
B=${BUILD:-build}
W=$B/warden
D=$(mktemp -d /tmp/warden-demo.XXXXXX)
chmod 700 "$D"
cleanup() {
	"$W" stop -p "$D/echod.pid" >/dev/null 2>&1 || true
	"$W" stop -p "$D/sleep.pid" >/dev/null 2>&1 || true
	if [ -S "$D/sup/warden.sock" ]; then
		"$W" shutdown -s "$D/sup/warden.sock" >/dev/null 2>&1 || true
	fi
	rm -rf "$D"
}
trap cleanup EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
if [ -t 1 ] && [ -z "$NO_COLOR" ]; then
	say() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }
else
	say() { printf '\n$ %s\n' "$*"; }
fi

say "$B/echod -p $port --pidfile $D/echod.pid   # returns once it listens"
"$B/echod" -p "$port" --pidfile "$D/echod.pid"
echo "echod is pid $(cat "$D/echod.pid"): $(awk '{print "session", $6, "tty_nr", $7, "tpgid", $8}' "/proc/$(cat "$D/echod.pid")/stat")"

# echo_line LINE: send LINE to echod and print what comes back.
echo_line() {
	python3 - "$port" "$1" <<-'PY'
	import socket, sys
	s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
	s.sendall(sys.argv[2].encode() + b"\n")
	print(s.recv(100).decode(), end="")
	PY
}

say "echo 'hello, daemon' | nc 127.0.0.1 $port"
echo_line "hello, daemon"

say "$B/echod -p $port   # the same port again: the daemon's own error reaches the shell"
"$B/echod" -p "$port" 2>&1 || echo "(exit status $?)"

say "$W run --pidfile $D/sleep.pid -- sleep 1000"
"$W" run --pidfile "$D/sleep.pid" -- sleep 1000
echo "pidfile: $(cat "$D/sleep.pid")"

say "$W status --pidfile $D/sleep.pid"
"$W" status --pidfile "$D/sleep.pid"

say "$W inspect \$(cat $D/sleep.pid)   # the daemon checklist, from /proc"
"$W" inspect "$(cat "$D/sleep.pid")" || true

say "$W stop --pidfile $D/sleep.pid; $W stop --pidfile $D/echod.pid"
"$W" stop --pidfile "$D/sleep.pid"
"$W" stop --pidfile "$D/echod.pid"
"$W" status --pidfile "$D/sleep.pid" || echo "(exit status $?: not running)"

# The supervisor: many services from one supervisord-style config.
mkdir -m 700 "$D/sup"
export DEMO_DIR="$D/sup" ECHO_PORT="$port"
export WARDEN_SOCKET="$D/sup/warden.sock"
say "$W up -c examples/warden.conf   # returns once its services settled"
"$W" up -c examples/warden.conf 2>&1 ||
    echo "(exit status $?: the others run; crasher is FATAL)"

say "$W status"
"$W" status || true

say "echo 'hello, supervised daemon' | nc 127.0.0.1 $port"
echo_line "hello, supervised daemon"

i=0
until [ "$(wc -l <"$D/sup/ticker.log" 2>/dev/null || echo 0)" -ge 2 ] ||
    [ $i -ge 50 ]; do sleep 0.1; i=$((i + 1)); done
say "$W logs ticker -n 2   # its log, read by the supervisor"
"$W" logs ticker -n 2 || true

say "$W ps \$(cat \$DEMO_DIR/warden.pid)   # the supervisor's session"
"$W" ps "$(cat "$D/sup/warden.pid")" || true
for s in echod ticker; do
	p=$("$W" status --json "$s" | python3 -c 'import json,sys; print(json.load(sys.stdin)["services"][0]["pid"])')
	say "$W ps $p   # $s: a session of its own"
	"$W" ps "$p" || true
done

say "$W stop ticker"
"$W" stop ticker

say "$W status"
"$W" status || true

say "$W shutdown"
"$W" shutdown
