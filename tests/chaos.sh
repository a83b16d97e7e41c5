#!/usr/bin/env bash
# tests/chaos.sh [BUILD]: issue 12's chaos run (not in make check).
# 20 services (chatty numbered writers, crash loops, ready=notify, a
# forking pidfile: daemon, a grandchild spawner); the supervisor is
# SIGKILLed at random moments 50 times and re-executed 20 times, each
# followed by "warden up" where needed.  A sampler checks the whole time
# that no service has two instances.  At the end: duplicates, lines lost
# or repeated in every log, and each service's state.  Every process is
# found by a unique argument (chaos-RUN-NAME) and killed by pid.
set -u
BUILD=${1:-build}
W=$PWD/$BUILD/warden
KILLS=${KILLS:-50} REEXECS=${REEXECS:-20}
T=$(mktemp -d /tmp/warden-chaos.XXXXXX)
chmod 700 "$T"
mkdir -m 700 "$T/run"
export WARDEN_SOCKET=$T/run/warden.sock
TAG=chaos-$$
{
	printf '[warden]\nrundir = %s/run\nlogfile = %s/sup.log\n\n' "$T" "$T"
	for i in 1 2 3 4 5 6 7 8; do
		printf '[program:chatty%d]\ncommand = sh -c '"'"'i=0; while :; do i=$((i+1)); echo "line $i"; sleep 0.01; done'"'"' %s-chatty%d\nstdout_logfile = %s/chatty%d.log\nstartsecs = 0\n\n' \
		    "$i" "$TAG" "$i" "$T" "$i"
	done
	for i in 1 2 3 4; do
		printf '[program:crash%d]\ncommand = sh -c '"'"'sleep 0.3; exit 1'"'"' %s-crash%d\nstartsecs = 0\nautorestart = true\n\n' "$i" "$TAG" "$i"
	done
	for i in 1 2 3 4; do
		printf '[program:notify%d]\ncommand = sh -c '"'"'%s notify READY=1; sleep 1000000; :'"'"' %s-notify%d\nready = notify\n\n' "$i" "$W" "$TAG" "$i"
	done
	printf '[program:forking]\ncommand = sh -c '"'"'sh -c "sleep 1000000; :" %s-daemon & echo $! >%s/daemon.pid'"'"'\nready = pidfile:%s/daemon.pid\n\n' "$TAG" "$T" "$T"
	printf '[program:grand]\ncommand = sh -c '"'"'setsid sh -c "sleep 1000000; :" %s-grandchild & sleep 1000000; :'"'"' %s-grand\nstartsecs = 0\n\n' "$TAG" "$TAG"
	for i in 1 2; do
		printf '[program:quiet%d]\ncommand = sh -c '"'"'sleep 1000000; :'"'"' %s-quiet%d\nstartsecs = 0\n\n' "$i" "$TAG" "$i"
	done
} >"$T/c.conf"

# The sampler: an instance is a process with the service's tag whose
# parent does not carry the same tag (a fork before exec is no instance).
python3 - "$TAG" "$T/dups" "$T/stop-sampler" <<'PY' &
import os, sys, time
tag, out, stop = sys.argv[1], sys.argv[2], sys.argv[3]
samples = dups = 0
while not os.path.exists(stop):
    procs = {}
    for p in os.listdir('/proc'):
        if not p.isdigit():
            continue
        try:
            cmd = open('/proc/%s/cmdline' % p, 'rb').read().decode(errors='replace').split('\0')
            ppid = int(open('/proc/%s/stat' % p).read().rsplit(')', 1)[1].split()[1])
        except Exception:
            continue
        t = [a for a in cmd if a.startswith(tag + '-')]
        if t:
            procs[int(p)] = (t[0], ppid)
    count = {}
    for pid, (t, ppid) in procs.items():
        if ppid in procs and procs[ppid][0] == t:
            continue
        count[t] = count.get(t, 0) + 1
    for t, n in count.items():
        if n > 1:
            dups += 1
            open(out, 'a').write('%f %s %d\n' % (time.time(), t, n))
    samples += 1
    time.sleep(0.05)
open(out + '.samples', 'w').write('%d %d\n' % (samples, dups))
PY
SAMPLER=$!

up() { timeout 60 "$W" up -c "$T/c.conf" >>"$T/up.out" 2>&1; }
up || true
w0=$(cat "$T/run/warden.pid")
sleep 2
chatty_pids=$("$W" status --json | python3 -c 'import json,sys
print(" ".join(str(s["pid"]) for s in json.load(sys.stdin)["services"] if s["name"].startswith("chatty")))')
ops=()
for i in $(seq "$KILLS"); do ops+=(kill); done
for i in $(seq "$REEXECS"); do ops+=(reexec); done
ops=($(printf '%s\n' "${ops[@]}" | shuf))
start=$(date +%s)
failed_ups=0
for op in "${ops[@]}"; do
	sleep "0.$((RANDOM % 10))$((RANDOM % 10))"
	w=$(cat "$T/run/warden.pid")
	if [ "$op" = kill ]; then
		kill -KILL "$w"
		while [ -e "/proc/$w" ] && [ "$(awk '{print $3}' /proc/$w/stat 2>/dev/null)" != Z ]; do sleep 0.01; done
		up; rc=$?
		[ "$rc" -eq 0 ] || [ "$rc" -eq 3 ] || failed_ups=$((failed_ups + 1))
	else
		"$W" reexec >/dev/null 2>&1 || failed_ups=$((failed_ups + 1))
		"$W" status >/dev/null 2>&1
	fi
done
elapsed=$(($(date +%s) - start))
sleep 3
"$W" status >"$T/status.out" 2>&1
chatty_now=$("$W" status --json | python3 -c 'import json,sys
print(" ".join(str(s["pid"]) for s in json.load(sys.stdin)["services"] if s["name"].startswith("chatty")))')
bad_lines=0
for i in 1 2 3 4 5 6 7 8; do
	awk -v n=1 '$1 != "line" || $2 != n { bad = 1; exit } { n++ }
	    END { exit bad }' "$T/chatty$i.log" || {
		bad_lines=$((bad_lines + 1))
		awk -v n=1 '$1 != "line" || $2 != n { print FILENAME ": line " NR ": " $0 " (expected " n ")"; n = $2 } { n++ }' "$T/chatty$i.log" | head -3
	}
done
lines=$(cat "$T"/chatty*.log | wc -l)
states_bad=$(awk '$1 !~ /^crash/ && $2 != "RUNNING"' "$T/status.out" | wc -l)
touch "$T/stop-sampler"
wait "$SAMPLER"
read -r samples dups <"$T/dups.samples"
echo "chaos: $KILLS kills, $REEXECS reexecs in ${elapsed}s; ups or reexecs failed: $failed_ups"
echo "sampler: $samples samples, $dups with a service twice"
[ -s "$T/dups" ] && head -5 "$T/dups"
echo "logs: $lines lines in 8 chatty logs, $bad_lines logs with a line lost or repeated"
echo "chatty pids at start: $chatty_pids"
echo "chatty pids at end:   $chatty_now"
echo "states: $states_bad services (not crash loops) not RUNNING"
[ "$states_bad" -eq 0 ] || cat "$T/status.out"
echo "supervisor pid: first $w0, last $(cat "$T/run/warden.pid")"
# Clean up: shutdown, then whatever carries the tag, by pid.
"$W" shutdown >/dev/null 2>&1
sleep 2
for p in /proc/[0-9]*; do
	tr '\0' ' ' 2>/dev/null <"$p/cmdline" | grep -q -- "$TAG-" && kill -KILL "${p#/proc/}" 2>/dev/null
done
rc=0
[ "$dups" -eq 0 ] && [ "$bad_lines" -eq 0 ] && [ "$states_bad" -eq 0 ] &&
    [ "$chatty_pids" = "$chatty_now" ] || rc=1
[ "$rc" -eq 0 ] && rm -rf "$T" || echo "kept $T"
exit "$rc"
