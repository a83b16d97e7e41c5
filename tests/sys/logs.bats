#!/usr/bin/env bats
# warden up: service output through the supervisor's pipes, to files,
# stamped, rotated, held on a full disk, to syslog and to the terminal.

load common
load sup

LL="$WARDEN_BUILD/helpers/loglines"

setup() {
	sup_setup
	SUP_LOG="$T/run/sup.log"
}

teardown() {
	sup_stop
	if [ -d "$T/full" ] && mountpoint -q "$T/full"; then
		umount "$T/full" 2>/dev/null || umount -l "$T/full"
	fi
	common_teardown
}

# size_at_least FILE BYTES
size_at_least() { [ "$(stat -c %s "$1")" -ge "$2" ]; }

# lines_at_least FILE N
lines_at_least() { [ -f "$1" ] && [ "$(wc -l <"$1")" -ge "$2" ]; }

# seq_check PREFIX FIRST LAST FILE...: the files, in order, hold exactly
# the lines "PREFIX<n>" for n = FIRST .. LAST.
seq_check() {
	local prefix=$1 first=$2 last=$3
	shift 3
	cat "$@" | awk -v p="$prefix" -v f="$first" -v l="$last" '
		{ want = p (f + NR - 1)
		  if ($0 != want) { printf "line %d: %s, not %s\n", NR, $0, want; bad = 1; exit 1 } }
		END { if (!bad && NR != l - f + 1) { printf "%d lines, not %d\n", NR, l - f + 1; exit 1 } }'
}

@test "logs: 200,000 numbered lines arrive complete and in order" {
	conf a <<-EOF
	[program:flood]
	command = $LL -n 200000 -b 10000 -s
	startsecs = 0
	stdout_logfile = $T/out.log
	EOF
	up a
	wait_until 60 lines_at_least "$T/out.log" 200000
	run seq_check "line " 1 200000 "$T/out.log"
	echo "$output"
	[ "$status" -eq 0 ]
}

run_done() { [ "$(cat "$T/n")" = 5 ] && state_is crash EXITED; }

@test "logs: a crash loop loses no line and merges none across restarts" {
	# Runs 1 to 4 exit 3 (restarted), run 5 exits 0 (expected: stays
	# down); each ends with a line that has no newline.
	cat >"$T/crash.sh" <<-EOF
	n=\$(cat "$T/n" 2>/dev/null || echo 0); n=\$((n + 1)); echo \$n >"$T/n"
	"$LL" -n 300 -t "run \$n line " -b 1000
	printf 'tail of run %s' \$n
	[ \$n -ge 5 ] && exit 0
	exit 3
	EOF
	conf a <<-EOF
	[program:crash]
	command = sh $T/crash.sh
	startsecs = 0
	startretries = 100
	autorestart = unexpected
	redirect_stderr = true
	stdout_logfile = $T/crash.log
	EOF
	up a
	# EXITED is also the state between a crash and its restart.
	wait_until 30 run_done
	down
	python3 - "$T/crash.log" <<-'EOF'
	import sys
	want = []
	for r in range(1, 6):
	    want += ["run %d line %d" % (r, i) for i in range(1, 301)]
	    want.append("tail of run %d [warden: no newline]" % r)
	got = open(sys.argv[1]).read().split("\n")
	assert got[-1] == "", "the file ends with a newline"
	got = got[:-1]
	for i, (g, w) in enumerate(zip(got, want)):
	    assert g == w, "line %d: %r, not %r" % (i + 1, g, w)
	assert len(got) == len(want), "%d lines, not %d" % (len(got), len(want))
	EOF
}

@test "logs: rotation keeps sizes, counts and whole lines" {
	conf a <<-EOF
	[program:rot]
	command = $LL -n 20000 -t "rotate line " -b 3000 -s
	startsecs = 0
	stdout_logfile = $T/rot.log
	stdout_logfile_maxbytes = 10000
	stdout_logfile_backups = 3
	EOF
	up a
	wait_until 30 grep -qx "rotate line 20000" "$T/rot.log"
	[ -f "$T/rot.log.1" ] && [ -f "$T/rot.log.2" ] && [ -f "$T/rot.log.3" ]
	[ ! -e "$T/rot.log.4" ]
	for f in "$T"/rot.log*; do
		[ "$(stat -c %s "$f")" -le 10000 ]
		# Not far below either: each was cut near the limit.
		[ "$f" = "$T/rot.log" ] || [ "$(stat -c %s "$f")" -gt 9950 ]
	done
	first=$(head -1 "$T/rot.log.3" | awk '{print $3}')
	run seq_check "rotate line " "$first" 20000 "$T/rot.log.3" \
	    "$T/rot.log.2" "$T/rot.log.1" "$T/rot.log"
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "logs: with no backups the file is emptied in place" {
	conf a <<-EOF
	[program:trunc]
	command = $LL -n 5000 -t "t " -b 500 -s
	startsecs = 0
	stdout_logfile = $T/t.log
	stdout_logfile_maxbytes = 1000
	stdout_logfile_backups = 0
	EOF
	up a
	wait_until 30 grep -qx "t 5000" "$T/t.log"
	[ ! -e "$T/t.log.1" ]
	[ "$(stat -c %s "$T/t.log")" -le 1000 ]
	last=$(head -1 "$T/t.log" | awk '{print $2}')
	run seq_check "t " "$last" 5000 "$T/t.log"
	[ "$status" -eq 0 ]
}

@test "logs: a line longer than maxbytes is a file of its own, whole" {
	conf a <<-EOF
	[program:long]
	command = sh -c 'echo short; head -c 3000 /dev/zero | tr "\\\\0" L; echo; echo after; exec sleep 1000'
	startsecs = 0
	stdout_logfile = $T/l.log
	stdout_logfile_maxbytes = 1000
	stdout_logfile_backups = 5
	log_line_max = 4096
	EOF
	up a
	wait_until 10 grep -qx after "$T/l.log"
	[ "$(cat "$T/l.log.2")" = short ]
	[ "$(stat -c %s "$T/l.log.1")" -eq 3001 ]
	[ "$(tr -d L <"$T/l.log.1")" = "" ]
}

@test "logs: SIGUSR2 opens the file again after an external mv" {
	conf a <<-EOF
	[program:tick]
	command = sh -c 'i=0; while :; do i=\$((i + 1)); echo "tick \$i"; sleep 0.01; done'
	startsecs = 0
	stdout_logfile = $T/tick.log
	EOF
	up a
	wait_until 10 lines_at_least "$T/tick.log" 10
	mv "$T/tick.log" "$T/tick.log.old"
	kill -USR2 "$(cat "$T/run/warden.pid")"
	wait_until 10 lines_at_least "$T/tick.log" 10
	"$W" stop tick >/dev/null
	# What came before the reopen is in the old file, the rest in the
	# new one: nothing lost, nothing twice.
	last=$(tail -1 "$T/tick.log" | awk '{print $2}')
	run seq_check "tick " 1 "$last" "$T/tick.log.old" "$T/tick.log"
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "logs: log_timestamps=iso8601 and tai64n" {
	conf a <<-EOF
	[program:iso]
	command = sh -c 'echo hello iso; exec sleep 1000'
	startsecs = 0
	stdout_logfile = $T/iso.log
	log_timestamps = iso8601
	[program:tai]
	command = sh -c 'echo hello tai; exec sleep 1000'
	startsecs = 0
	stdout_logfile = $T/tai.log
	log_timestamps = tai64n
	EOF
	up a
	wait_until 10 grep -q 'hello iso' "$T/iso.log"
	wait_until 10 grep -q 'hello tai' "$T/tai.log"
	grep -Eqx '[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z hello iso' "$T/iso.log"
	grep -Eqx '@[0-9a-f]{24} hello tai' "$T/tai.log"
	# Both say now (UTC; TAI is the UNIX count + 2^62 + 10).
	python3 - "$T/iso.log" "$T/tai.log" <<-'EOF'
	import sys, time, calendar
	iso = open(sys.argv[1]).read().split()[0]
	t = calendar.timegm(time.strptime(iso[:19], "%Y-%m-%dT%H:%M:%S"))
	assert abs(t - time.time()) < 60, iso
	tai = open(sys.argv[2]).read().split()[0]
	secs = int(tai[1:17], 16) - 2**62 - 10
	assert abs(secs - time.time()) < 60, tai
	assert int(tai[17:25], 16) < 10**9, tai
	EOF
}

@test "logs: long lines are split and marked, binary is kept, a partial line is ended" {
	conf a <<-EOF
	[program:odd]
	command = sh -c 'head -c 300 /dev/zero | tr "\\\\0" y; echo; printf "\\\\033[31mred\\\\001\\\\n"; printf partial; exec sleep 1000'
	startsecs = 0
	stdout_logfile = $T/odd.log
	log_line_max = 128
	EOF
	up a
	wait_until 10 lines_at_least "$T/odd.log" 4
	y128=$(printf "%128s" "" | tr ' ' y)
	[ "$(sed -n 1p "$T/odd.log")" = "$y128 [warden: line split]" ]
	[ "$(sed -n 2p "$T/odd.log")" = "$y128 [warden: line split]" ]
	[ "$(sed -n 3p "$T/odd.log")" = "$(printf "%44s" "" | tr ' ' y)" ]
	[ "$(sed -n 4p "$T/odd.log" | od -An -c | tr -s ' ')" = " 033 [ 3 1 m r e d 001 \n" ]
	! grep -q partial "$T/odd.log"
	down
	[ "$(sed -n 5p "$T/odd.log")" = "partial [warden: no newline]" ]
	[ "$(wc -l <"$T/odd.log")" -eq 5 ]
}

@test "logs: a 100 MiB line with no newline keeps the supervisor's memory bounded" {
	conf a <<-EOF
	[program:big]
	command = $LL -L 104857600 -b 1048576 -s
	startsecs = 0
	stdout_logfile = $T/big.log
	stdout_logfile_maxbytes = 0
	EOF
	up a
	sup=$(cat "$T/run/warden.pid")
	# 12,800 pieces of 8192 bytes; the last stays partial while it runs.
	piece=$((8192 + 22))
	wait_until 120 size_at_least "$T/big.log" $((12799 * piece))
	hwm=$(status_field "$sup" VmHWM)
	echo "VmHWM $hwm kB"
	[ "$hwm" -lt 32768 ]
	down
	run awk -v x="$(printf "%8192s" "" | tr ' ' x)" '
		NR < 12800 && $0 != x " [warden: line split]" { print "line " NR; exit 1 }
		NR == 12800 && $0 != x " [warden: no newline]" { print "last"; exit 1 }
		END { if (NR != 12800) { print NR " lines"; exit 1 } }' "$T/big.log"
	echo "$output"
	[ "$status" -eq 0 ]
}

# progress_still FILE: the count in FILE has not moved for a second.
progress_still() {
	local a b
	a=$(cat "$1")
	sleep 1
	b=$(cat "$1")
	[ "$a" = "$b" ]
}

@test "logs: a full disk holds the output, blocks the service, loses nothing" {
	[ "$(id -u)" -eq 0 ] || skip "needs root to mount a tmpfs"
	mkdir "$T/full"
	# More than a busy pipe holds (1 MiB): the service must block.
	mount -t tmpfs -o size=4m tmpfs "$T/full" || skip "cannot mount tmpfs"
	dd if=/dev/zero of="$T/full/filler" bs=1k count=4060 2>/dev/null || true
	conf a <<-EOF
	[program:hold]
	command = $LL -n 150000 -t "held " -w 16 -b 4096 -p $T/progress -s
	startsecs = 0
	stdout_logfile = $T/full/out.log
	stdout_logfile_maxbytes = 0
	EOF
	up a
	sup=$(cat "$T/run/warden.pid")
	wait_until 20 grep -q "hold: $T/full/out.log: No space left on device: holding output" "$T/run/sup.log"
	# The service is blocked on its full pipe: its progress stops, once
	# the pipe (1 MiB when busy) is full, short of the end.
	wait_until 10 test -s "$T/progress"
	for i in $(seq 30); do progress_still "$T/progress" && break; done
	progress_still "$T/progress"
	[ "$(cat "$T/progress")" -lt 150000 ]
	# Both alive; the supervisor answers and says why.
	[ "$(svc_field hold state)" = RUNNING ]
	kill -0 "$(svc_field hold pid)"
	run "$W" status hold
	echo "$output"
	if grep -q svclog_problem "$WARDEN_TOP"/src/sup/svc.c "$WARDEN_TOP"/src/sup/control.c; then
		[[ "$output" == *"stdout log held: No space left on device"* ]]
	fi
	# No busy loop while holding.
	t1=$(stat_field "$sup" 14); sleep 1; t2=$(stat_field "$sup" 14)
	[ $((t2 - t1)) -le 5 ]
	rm "$T/full/filler"
	wait_until 20 grep -qx "held 150000\.*" "$T/full/out.log"
	grep -q "hold: $T/full/out.log: written again: resumed" "$T/run/sup.log"
	run python3 -c '
import sys
lines = open(sys.argv[1]).read().split("\n")[:-1]
want = [("held %d" % i).ljust(15, ".") for i in range(1, 150001)]
assert lines == want, "%d lines; first wrong: %r" % (len(lines),
    next((l for l, w in zip(lines, want) if l != w), None))
' "$T/full/out.log"
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "logs: up -F with stdout_logfile=/dev/stdout names each line's service" {
	conf a <<-EOF
	[program:talk]
	command = sh -c 'echo hello; echo oops >&2; exec sleep 1000'
	startsecs = 0
	stdout_logfile = /dev/stdout
	stderr_logfile = /dev/stderr
	EOF
	"$W" up -F -c "$T/a.conf" >"$T/fout" 2>"$T/ferr" &
	sup=$!
	track_pid "$sup"
	wait_until 10 grep -qx 'talk | hello' "$T/fout"
	wait_until 10 grep -qx 'talk | oops' "$T/ferr"
	[ ! -e /dev/stdout.1 ]
	kill -TERM "$sup"
	wait "$sup" || true
}

@test "logs: stdout_syslog and stderr_syslog send tagged lines to syslog" {
	python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
with open(sys.argv[2], "ab", buffering=0) as f:
    while True:
        f.write(s.recv(65536) + b"\n")
' "$T/log.sock" "$T/syslog.out" &
	track_pid $!
	wait_until 10 test -S "$T/log.sock"
	conf a <<-EOF
	[program:sl]
	command = sh -c 'echo to-syslog; echo err-syslog >&2; exec sleep 1000'
	startsecs = 0
	stdout_syslog = true
	stderr_syslog = true
	stdout_logfile = $T/sl.log
	stderr_logfile = NONE
	EOF
	WARDEN_SYSLOG_SOCKET="$T/log.sock" up a
	wait_until 10 grep -q to-syslog "$T/syslog.out"
	wait_until 10 grep -q err-syslog "$T/syslog.out"
	cat "$T/syslog.out"
	grep -Eqx '<30>[A-Z][a-z]{2} [ 0-9][0-9] [0-9]{2}:[0-9]{2}:[0-9]{2} sl\[[0-9]+\]: to-syslog' "$T/syslog.out"
	grep -Eqx '<27>[A-Z][a-z]{2} [ 0-9][0-9] [0-9]{2}:[0-9]{2}:[0-9]{2} sl\[[0-9]+\]: err-syslog' "$T/syslog.out"
	# The file is written too.
	wait_until 10 grep -qx to-syslog "$T/sl.log"
}

@test "logs: a log file that is a symbolic link is refused" {
	ln -s "$T/target" "$T/link"
	conf a <<-EOF
	[program:sym]
	command = sh -c 'echo secret; exec sleep 1000'
	startsecs = 0
	stdout_logfile = $T/link
	EOF
	up a
	wait_until 10 grep -q "sym: $T/link: a symbolic link: refused" "$T/run/sup.log"
	[ "$(svc_field sym state)" = RUNNING ]
	[ ! -e "$T/target" ]
}

@test "logs: a reload that changes a service keeps its last words, then its new lines" {
	conf a <<EOF2
[program:talk]
command = sh -c 'trap "echo bye \$V; exit 0" TERM; echo hello \$V; while :; do sleep 0.05; done'
environment = V=1
stdout_logfile = $T/talk.log
startsecs = 0
stopwaitsecs = 5
EOF2
	up a
	wait_until 5 grep -q "hello 1" "$T/talk.log"
	sed -i 's/V=1/V=2/' "$T/a.conf"
	kill -HUP "$(cat "$T/run/warden.pid")"
	wait_until 10 grep -q "hello 2" "$T/talk.log"
	run cat "$T/talk.log"
	[ "${lines[0]}" = "hello 1" ]
	[ "${lines[1]}" = "bye 1" ]
	[ "${lines[2]}" = "hello 2" ]
}

# count_is FILE PATTERN N: FILE has N lines that match PATTERN.
count_is() { [ "$(grep -c -- "$2" "$1")" -eq "$3" ]; }

# fds_like PID PATTERN: how many of the process's fds point at PATTERN.
fds_like() { ls -l "/proc/$1/fd" | grep -c -- "$2" || true; }

# many N KIND: N services that say hi and sleep; KIND is logged (both
# streams to files), redirect (redirect_stderr) or none (NONE).
many() {
	local i
	for i in $(seq 1 "$1"); do
		printf '[program:%s%d]\ncommand = sh -c "echo hi %d; exec sleep 1000"\n' "$2" "$i" "$i"
		printf 'startsecs = 0\n'
		case $2 in
		logged) printf 'stdout_logfile = %s/%s%d.log\nstderr_logfile = %s/%s%d.err\n' "$T" "$2" "$i" "$T" "$2" "$i" ;;
		redirect) printf 'redirect_stderr = true\nstdout_logfile = %s/%s%d.log\n' "$T" "$2" "$i" ;;
		none) printf 'stdout_logfile = NONE\nstderr_logfile = NONE\n' ;;
		esac
	done
}

all_said_hi() {
	local i
	for i in $(seq 1 60); do
		grep -qx "hi $i" "$T/logged$i.log" || return 1
		grep -qx "hi $i" "$T/redirect$i.log" || return 1
	done
}

@test "logs: the supervisor holds one fd per captured stream and at most 128 log files" {
	# 60 with both streams, 60 redirected, 60 NONE: 180 streams and 180
	# files, beside a baseline of 180 NONE services.
	many 180 none | conf base
	up base
	sup=$(cat "$T/run/warden.pid")
	base=$(fds_like "$sup" 'pipe:')
	down
	{ many 60 logged; many 60 redirect; many 60 none; } | conf a
	up a
	sup=$(cat "$T/run/warden.pid")
	wait_until 20 all_said_hi
	pipes=$(fds_like "$sup" 'pipe:')
	files=$(fds_like "$sup" "$T/\(logged\|redirect\)[0-9]*\.\(log\|err\)\$")
	echo "pipes $pipes (baseline $base), log files $files"
	[ "$pipes" -eq $((base + 180)) ]
	[ "$files" -le 128 ]
	[ "$files" -ge 100 ]
	# Every service's line is where it belongs, however many are open.
	"$W" restart logged1 redirect1 >/dev/null
	wait_until 10 count_is "$T/logged1.log" 'hi 1$' 2
	[ "$(grep -c 'hi 1$' "$T/redirect1.log")" -eq 2 ]
	[ "$(fds_like "$sup" 'pipe:')" -eq $((base + 180)) ]
}

grandchild_said() { grep -q late "$T/gc.log"; }

@test "logs: a grandchild's output after its parent is gone still lands, with no busy loop" {
	mkfifo "$T/go"
	conf a <<-EOF
	[program:gc]
	command = sh -c '(read x <$T/go; echo late) & echo early; exit 0'
	startsecs = 0
	autorestart = false
	killasgroup = false
	stdout_logfile = $T/gc.log
	EOF
	up a
	sup=$(cat "$T/run/warden.pid")
	wait_until 10 state_is gc EXITED
	grep -qx early "$T/gc.log"
	echo go >"$T/go"
	wait_until 10 grandchild_said
	[ "$(cat "$T/gc.log")" = "early
late" ]
	# No writer is left: the pipe is out of the loop, nothing spins.
	t1=$(stat_field "$sup" 14); sleep 1; t2=$(stat_field "$sup" 14)
	[ $((t2 - t1)) -le 5 ]
	"$W" start gc >/dev/null
	wait_until 10 count_is "$T/gc.log" early 2
	# Let the second grandchild go too: nothing is left behind.
	echo go >"$T/go"
	wait_until 10 count_is "$T/gc.log" late 2
}
