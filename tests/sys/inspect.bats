#!/usr/bin/env bats
# warden inspect PID: the daemon checklist, audited from /proc.

load common

CHECKS="not-session-leader no-controlling-tty parent signal-mask ignored-signals umask cwd stdio extra-fds pidfile"

# refute CMD...: fail when CMD succeeds (a bare "! CMD" never fails a test).
refute() {
	if "$@"; then
		return 1
	fi
}

# line NAME: the line of check NAME in $output.
line() {
	printf '%s\n' "$output" | grep -E "^(ok  |FAIL) $1: "
}

# comm_is PID NAME: the process runs NAME (after its exec).
comm_is() {
	[ "$(cat "/proc/$1/comm" 2>/dev/null)" = "$2" ]
}

# inspectee [ARGS...]: start tests/helpers/inspectee and set $pid.
inspectee() {
	"$HELPERS/inspectee" "$@" "$T/ready" >"$T/inspectee.log" 2>&1 3>&- &
	track_pid $!
	wait_until 10 test -f "$T/ready" || { cat "$T/inspectee.log"; return 1; }
	pid=$(cat "$T/ready")
}

@test "inspect passes a daemon started by warden run, exit 0" {
	"$W" run --pidfile "$T/d.pid" -- sleep 1000
	pid=$(cat "$T/d.pid")
	track_pid "$pid"
	run "$W" inspect "$pid"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "process $pid: sleep 1000" ]
	for c in $CHECKS; do
		line "$c" | grep -q '^ok   '
	done
	line no-controlling-tty | grep -q 'tty_nr 0, tpgid -1'
	line stdio | grep -qx 'ok   stdio: 0 /dev/null, 1 /dev/null, 2 pipe:\[[0-9]*\]'
	line extra-fds | grep -q 'none inherited'
	[ "${lines[-1]}" = "all 10 checks passed" ]
	refute grep -q FAIL <<<"$output"
}

@test "inspect --json prints exactly the documented schema and check names" {
	"$W" run --pidfile "$T/d.pid" -- sleep 1000
	pid=$(cat "$T/d.pid")
	track_pid "$pid"
	"$W" inspect --json "$pid" >"$T/ok.json"
	inspectee -b
	run "$W" inspect "$pid" --json
	[ "$status" -eq 1 ]
	echo "$output" >"$T/fail.json"
	CHECKS=$CHECKS python3 - "$T/ok.json" "$T/fail.json" <<'EOF'
import json, os, sys
names = os.environ["CHECKS"].split()
for f, want in zip(sys.argv[1:], (True, False)):
    d = json.load(open(f))
    assert list(d) == ["pid", "ok", "checks"], list(d)
    assert type(d["pid"]) is int and d["ok"] is want, d
    assert [c["name"] for c in d["checks"]] == names, d["checks"]
    for c in d["checks"]:
        assert list(c) == ["name", "ok", "detail"], c
        assert type(c["ok"]) is bool and type(c["detail"]) is str, c
        assert c["detail"], c
    assert d["ok"] == all(c["ok"] for c in d["checks"]), d
EOF
}

@test "inspect fails a process on a terminal: no-controlling-tty, exit 1" {
	python3 "$WARDEN_TOP/tests/helpers/ptyrun.py" "$T/pty.pid" \
	    sh -c "echo \$\$ >$T/p; exec sleep 1000" >/dev/null 2>&1 3>&- &
	track_pid $!
	wait_until 10 test -s "$T/p"
	pid=$(cat "$T/p")
	track_pid "$pid"
	wait_until 10 comm_is "$pid" sleep
	tty=$(readlink "/proc/$pid/fd/0")
	run "$W" inspect "$pid"
	echo "$output"
	[ "$status" -eq 1 ]
	[ "$(line no-controlling-tty)" = "FAIL no-controlling-tty: tty ${tty#/dev/}, foreground group $pid (its own)" ]
	line not-session-leader | grep -q "^FAIL not-session-leader: pid $pid leads session $pid"
	line stdio | grep -q "^FAIL stdio: 0 $tty (a terminal)"
	[ "${lines[-1]}" != "all 10 checks passed" ]
}

@test "inspect: a pid that does not exist, exit 1 and a message" {
	sleep 100 3>&- &
	p=$!
	kill "$p"
	wait "$p" || true
	run "$W" inspect "$p"
	[ "$status" -eq 1 ]
	[ "$output" = "warden: inspect: no such process: $p" ]
	run "$W" inspect --json "$p"
	[ "$status" -eq 1 ]
	[ "$output" = "warden: inspect: no such process: $p" ]
}

@test "inspect: a bad command line exits 2" {
	run "$W" inspect
	[ "$status" -eq 2 ]
	[[ "$output" == *"usage: warden inspect PID [--json]"* ]]
	run "$W" inspect 1 2
	[ "$status" -eq 2 ]
	run "$W" inspect pid
	[ "$status" -eq 2 ]
	[[ "$output" == *"warden: inspect: not a pid: pid"* ]]
	run "$W" inspect --frobnicate 1
	[ "$status" -eq 2 ]
}

@test "inspect shows what a hostile launcher left: mask, ignored signals, fd 7" {
	# common.bash's hostile, run without a subshell in between
	python3 "$WARDEN_TOP/tests/helpers/hostile.py" "$T/leak" sleep 1000 \
	    >/dev/null 2>&1 3>&- &
	pid=$!
	track_pid "$pid"
	wait_until 10 comm_is "$pid" sleep
	run "$W" inspect "$pid"
	echo "$output"
	[ "$status" -eq 1 ]
	line signal-mask | grep -qE '^FAIL signal-mask: blocked: (.* )?USR1 (.* )?TERM( |$)'
	line ignored-signals | grep -qE '^FAIL ignored-signals: ignored: (.* )?HUP (.* )?CHLD( |$)'
	line extra-fds | grep -qF "FAIL extra-fds: not close-on-exec: "
	line extra-fds | grep -qF "7 -> $T/leak"
}

@test "inspect: the parent check follows the session, as ps's daemon mark" {
	"$HELPERS/mkgroups" "$T/groups" >/dev/null 2>&1 3>&- &
	track_pid $!
	wait_until 10 test -f "$T/groups"
	while read -r name p; do
		eval "$name=$p"
		[ "$name" = C ] || track_pid "$p"
	done <"$T/groups"
	# A1's parent is L, which leads the session: never detached
	run "$W" inspect "$A1"
	[ "$status" -eq 1 ]
	line parent | grep -q "^FAIL parent: ppid $L (mkgroups) leads session $L"
	line not-session-leader | grep -q "^ok   not-session-leader: session $L, leader $L (mkgroups)"
	run "$W" inspect "$L"
	line not-session-leader | grep -q "^FAIL not-session-leader: pid $L leads session $L"
	# C1 was re-parented when C exited: ps marks it [daemon]
	run "$W" inspect "$C1"
	line parent | grep -q '^ok   parent: ppid '
	line not-session-leader | grep -q '^ok   '
	line no-controlling-tty | grep -q '^ok   '
	"$W" ps "$C1" | grep -E "^ +$C1 .*\[daemon\]"
}

@test "inspect passes the child of a warden run --respawn monitor" {
	"$W" run --respawn --pidfile "$T/m.pid" -- sleep 1000
	m=$(cat "$T/m.pid")
	track_pid "$m"
	wait_until 10 eval 'pgrep -P "$m" >/dev/null'
	child=$(pgrep -P "$m")
	track_pid "$child"
	wait_until 10 comm_is "$child" sleep
	run "$W" inspect "$child"
	echo "$output"
	[ "$status" -eq 0 ]
	line parent | grep -q "^ok   parent: ppid $m (warden), itself a daemon"
	# the monitor holds the pidfile lock, which names it
	run "$W" inspect "$m"
	echo "$output"
	line pidfile | grep -qF "ok   pidfile: $T/m.pid, locked on fd "
	line pidfile | grep -qF "names pid $m (this process)"
	refute grep -qF -- "-> $T/m.pid" <<<"$(line extra-fds)"
}

@test "inspect names a locked pidfile and does not count its fd as extra" {
	inspectee -p "$T/x.pid"
	run "$W" inspect "$pid"
	echo "$output"
	line pidfile | grep -qE "^ok   pidfile: $T/x.pid, locked on fd [0-9]+, names pid $pid \(this process\)$"
	line extra-fds | grep -q 'the pidfile lock'
	refute grep -qF "$T/x.pid" <<<"$(line extra-fds)"
}

@test "inspect fails a pidfile that names another process or was removed" {
	inspectee -p "$T/x.pid" -n "$$"
	run "$W" inspect "$pid"
	[ "$status" -eq 1 ]
	line pidfile | grep -qF "FAIL pidfile: $T/x.pid, locked on fd "
	line pidfile | grep -qF "names pid $$ (another process)"
	rm "$T/x.pid"
	run "$W" inspect --json "$pid"
	[ "$status" -eq 1 ]
	echo "$output" | python3 -c '
import json, sys
c = [c for c in json.load(sys.stdin)["checks"] if c["name"] == "pidfile"][0]
assert not c["ok"] and c["detail"].endswith("removed while the daemon runs"), c'
}

@test "inspect accepts signals blocked for a signalfd, and no others" {
	inspectee -s
	run "$W" inspect "$pid"
	echo "$output"
	line signal-mask | grep -qE '^ok   signal-mask: blocked: TERM \(SigBlk 0+4000\), all read from a signalfd \(fd [0-9]+\)$'
	kill "$pid"
	rm "$T/ready"
	inspectee -s -b
	run "$W" inspect "$pid"
	echo "$output"
	line signal-mask | grep -qE '^FAIL signal-mask: blocked: USR1 \(SigBlk 0+4200\); others are read from a signalfd'
}

@test "inspect: cwd passes on the root file system, fails elsewhere or deleted" {
	(cd /proc && exec sleep 1000) >/dev/null 2>&1 3>&- &
	p1=$!
	track_pid "$p1"
	mkdir "$T/gone" "$T/here"
	(cd "$T/gone" && exec sleep 1000) >/dev/null 2>&1 3>&- &
	p2=$!
	track_pid "$p2"
	(cd "$T/here" && exec sleep 1000) >/dev/null 2>&1 3>&- &
	p3=$!
	track_pid "$p3"
	wait_until 10 comm_is "$p1" sleep
	wait_until 10 comm_is "$p2" sleep
	wait_until 10 comm_is "$p3" sleep
	rmdir "$T/gone"
	run "$W" inspect "$p1"
	line cwd | grep -q '^FAIL cwd: /proc, on file system 0:[0-9]*, not the root'"'"'s'
	run "$W" inspect "$p2"
	line cwd | grep -qF "FAIL cwd: $T/gone (deleted): the directory was removed"
	run "$W" inspect "$p3"
	if [ "$(stat -c %d "$T")" = "$(stat -c %d /)" ]; then
		line cwd | grep -qF "ok   cwd: $T/here, on the root file system"
	else
		line cwd | grep -qF "FAIL cwd: $T/here, on file system"
	fi
}

@test "inspect colours ok and FAIL on a terminal only, and not with NO_COLOR" {
	inspectee -b
	in_pty env TERM=xterm "$W" inspect "$pid" >"$T/tty.out" || true
	in_pty env TERM=xterm NO_COLOR=1 "$W" inspect "$pid" >"$T/nocolor.out" ||
	    true
	run "$W" inspect "$pid"
	[ "$status" -eq 1 ]
	grep -qF $'\033[1;31mFAIL\033[0m signal-mask: blocked: USR1' "$T/tty.out"
	grep -qF $'\033[32mok  \033[0m umask: ' "$T/tty.out"
	grep -q '^FAIL signal-mask: blocked: USR1' "$T/nocolor.out"
	refute grep -q $'\033' "$T/nocolor.out"
	refute grep -q $'\033' <<<"$output"
}
