#!/usr/bin/env bats
# Nothing lost when the supervisor dies: the fd holder keeps the pipes,
# the next "warden up" on the config adopts what runs (same pids, state,
# uptime), and "warden reexec" goes on in place.  Every process started
# here (the supervisors, the holder, the services) is tracked by pid and
# process group.

load common
load sup

setup() { sup_setup; }
teardown() {
	sup_stop
	if [ -d "$T/logs" ] && mountpoint -q "$T/logs"; then
		umount "$T/logs"
	fi
	common_teardown
}

# A numbered line every 10 ms, to stdout.
CHATTY='sh -c '"'"'i=0; while :; do i=$((i+1)); echo "line $i"; sleep 0.01; done'"'"

# The same, each line 100 bytes: a small disk fills in seconds.
PADDED='sh -c '"'"'i=0; while :; do i=$((i+1)); printf "line %%d %%090d\n" $i 0; sleep 0.01; done'"'"

# sup_pid: the supervisor's pid.
sup_pid() { cat "$T/run/warden.pid"; }

# holder_pid: the fd holder's, from the state file.
holder_pid() { awk '$1 == "holder" { print $2 }' "$T/run/warden.state"; }

# track_all NAME...: the holder and the services' pids, for teardown.
track_all() {
	local n p
	track_pid "$(holder_pid)"
	for n in "$@"; do
		p=$(svc_field "$n" pid)
		[ "$p" = null ] || track_pid "$p"
	done
}

# kill_sup: SIGKILL to the supervisor, and wait until it is gone.
kill_sup() {
	local p
	p=$(sup_pid)
	kill -KILL "$p"
	wait_gone "$p" 5
}

# uptime_s NAME: the uptime status shows, in seconds.
uptime_s() {
	svc_field "$1" description |
	    sed -n 's/.*uptime \([0-9]*\):\([0-9]*\):\([0-9]*\).*/\1 \2 \3/p' |
	    awk '{ print $1 * 3600 + $2 * 60 + $3 }'
}

# seq_ok FILE [FIRST]: "line N" lines from FIRST (1), each once, in order.
seq_ok() {
	awk -v n="${2:-1}" '
	$1 != "line" || $2 != n { print FILENAME ": line " NR ": " $0 \
	    " (expected line " n ")"; bad = 1; exit }
	{ n++ }
	END { if (bad) exit 1; print n - 1 }' "$1"
}

# more_lines FILE N: more than N lines there, in order.
more_lines() {
	local n
	n=$(seq_ok "$1") && [ "$n" -gt "$2" ]
}

# more_lines_any FILE N: more than N lines there.
more_lines_any() { [ "$(wc -l <"$1")" -gt "$2" ]; }

# restarts_gt NAME N: it has restarted more than N times.
restarts_gt() { [ "$(svc_field "$1" restarts)" -gt "$2" ]; }

# held NAME: its output is held (the disk is full).
held() { "$W" status "$1" | grep -q "log held"; }

# backoff_gt N: fails' recorded count of failed starts is above N.
backoff_gt() {
	[ "$(awk '$1 == "svc" && $2 == "fails:fails" { print $12 }' \
	    "$T/run/warden.state")" -gt "$1" ]
}

# instances PATTERN: how many processes have exactly this command line.
instances() {
	local f n=0
	for f in /proc/[0-9]*/cmdline; do
		[ "$(tr '\0' ' ' <"$f" 2>/dev/null)" = "$1 " ] && n=$((n + 1))
	done
	echo "$n"
}

@test "adopt: kill -9 of the supervisor: the chatty service lives on, nothing lost, same pids, old uptime" {
	conf a <<-EOF
	[program:chatty]
	command = $CHATTY
	stdout_logfile = $T/chatty.log
	startsecs = 0

	[program:quiet]
	command = sleep 100001
	startsecs = 0
	EOF
	up a
	track_all chatty quiet
	pc=$(svc_field chatty pid) pq=$(svc_field quiet pid)
	h=$(holder_pid)
	# The holder: its own session, outside every service cgroup.
	[ "$(stat_field "$h" 6)" = "$h" ]
	sleep 2
	kill_sup
	# A second and more with no supervisor: no SIGPIPE, no EPIPE.
	sleep 1.5
	kill -0 "$pc"
	kill -0 "$pq"
	up a
	track_all chatty quiet
	[ "$(svc_field chatty pid)" = "$pc" ]
	[ "$(svc_field quiet pid)" = "$pq" ]
	[ "$(svc_field chatty state)" = RUNNING ]
	[ "$(svc_field quiet state)" = RUNNING ]
	[ "$(holder_pid)" = "$h" ]
	# Uptime goes on from the first start.
	[ "$(uptime_s quiet)" -ge 3 ]
	# One instance each.
	[ "$(instances "sleep 100001")" -eq 1 ]
	# What it wrote meanwhile is read, in order: every line once.
	n=$(seq_ok "$T/chatty.log")
	[ "$n" -ge 200 ]
	within 5 more_lines "$T/chatty.log" $((n + 20))
	seq_ok "$T/chatty.log"
	# It is watched: a stop stops it, and a start makes our own child.
	"$W" restart chatty >/dev/null
	p=$(svc_field chatty pid)
	track_pid "$p"
	[ "$p" != "$pc" ]
	gone "$pc"
	[ "$(status_field "$p" PPid)" = "$(sup_pid)" ]
	# A clean shutdown leaves nothing to adopt: no state, no holder.
	down
	wait_gone "$h" 5
	[ ! -e "$T/run/warden.state" ]
	[ ! -e "$T/run/warden.hold" ]
	gone "$pq"
}

@test "adopt: a service that died while no supervisor ran is reported and restarted" {
	conf a <<-EOF
	[program:dies]
	command = sleep 100002
	startsecs = 0
	autorestart = true
	EOF
	up a
	track_all dies
	p=$(svc_field dies pid)
	kill_sup
	kill -KILL "$p"
	wait_gone "$p" 5
	up a
	track_all dies
	within 5 state_is dies RUNNING
	n=$(svc_field dies pid)
	track_pid "$n"
	[ "$n" != "$p" ]
	[ "$(svc_field dies restarts)" -ge 1 ]
	"$W" logs --supervisor |
	    grep -q "dies: pid $p died while no supervisor watched it"
}

@test "adopt: killed during a start, the start goes on with the same process" {
	conf a <<-EOF
	[program:slow]
	command = sleep 100003
	startsecs = 2
	EOF
	timeout 60 "$W" up -c "$T/a.conf" &
	u=$!
	within 5 test -s "$T/run/warden.state"
	within 5 state_is slow STARTING
	track_all slow
	p=$(svc_field slow pid)
	kill_sup
	wait "$u" || :
	up a
	track_all slow
	[ "$(svc_field slow state)" = RUNNING ]
	[ "$(svc_field slow pid)" = "$p" ]
	[ "$(instances "sleep 100003")" -eq 1 ]
}

@test "adopt: killed during a stop, the stop is finished, no instance is left" {
	conf a <<-EOF
	[program:stubborn]
	command = sh -c 'trap "" TERM; while :; do sleep 0.1; done'
	startsecs = 0
	stopwaitsecs = 30
	EOF
	up a
	track_all stubborn
	p=$(svc_field stubborn pid)
	"$W" stop stubborn >/dev/null 2>&1 &
	within 5 state_is stubborn STOPPING
	kill_sup
	kill -0 "$p"
	up a
	track_all
	wait_gone "$p" 5
	[ "$(svc_field stubborn state)" = STOPPED ]
}

@test "adopt: killed right after a reload, the changed service runs once, as changed" {
	conf a <<-EOF
	[program:x]
	command = sleep 100004
	startsecs = 0
	EOF
	up a
	track_all x
	p=$(svc_field x pid)
	conf a <<-EOF
	[program:x]
	command = sleep 100005
	startsecs = 0
	EOF
	"$W" reload >/dev/null
	kill_sup
	up a
	track_all x
	within 5 state_is x RUNNING
	track_pid "$(svc_field x pid)"
	wait_gone "$p" 5
	[ "$(instances "sleep 100004")" -eq 0 ]
	[ "$(instances "sleep 100005")" -eq 1 ]
}

@test "adopt: killed in BACKOFF, the tries go on from where they were" {
	conf a <<-EOF
	[program:fails]
	command = sh -c 'exit 1'
	startsecs = 1
	startretries = 1000
	EOF
	up_failed a
	track_all
	within 10 state_is fails BACKOFF
	kill_sup
	b=$(awk '$1 == "svc" && $2 == "fails:fails" { print $12 }' \
	    "$T/run/warden.state")
	[ "$b" -ge 1 ]
	up_failed a
	track_all
	run "$W" status fails
	[[ "$output" == *BACKOFF* || "$output" == *STARTING* ]]
	# The count went on: never back to the first try.
	within 10 backoff_gt "$b"
}

@test "adopt: killed while the disk is full, the writer waits, no line is repeated, what is lost is said" {
	[ "$(id -u)" = 0 ] || skip "a small tmpfs needs root"
	mkdir "$T/logs"
	mount -t tmpfs -o size=16k tmpfs "$T/logs" || skip "cannot mount a tmpfs"
	conf a <<-EOF
	[program:chatty]
	command = $PADDED
	stdout_logfile = $T/logs/chatty.log
	startsecs = 0
	EOF
	up a
	track_all chatty
	p=$(svc_field chatty pid)
	within 20 held chatty
	kill_sup
	sleep 0.5
	kill -0 "$p"
	mount -o remount,size=16m "$T/logs"
	up a
	track_all chatty
	[ "$(svc_field chatty pid)" = "$p" ]
	n=$(wc -l <"$T/logs/chatty.log")
	within 10 more_lines_any "$T/logs/chatty.log" $((n + 50))
	# In order, each once; a gap only where the last supervisor said so.
	awk '$2 <= last { print "repeated: " $0; exit 1 } { last = $2 }' \
	    "$T/logs/chatty.log"
	if ! seq_ok "$T/logs/chatty.log" >/dev/null; then
		"$W" logs --supervisor | grep -q "read but not written are lost"
	fi
	down
	umount "$T/logs"
}

@test "adopt: warden reexec under a chatty logger and a crash loop: same pids, nothing lost, status goes on" {
	conf a <<-EOF
	[program:chatty]
	command = $CHATTY
	stdout_logfile = $T/chatty.log
	startsecs = 0

	[program:crash]
	command = sh -c 'sleep 0.2; exit 1'
	startsecs = 0
	autorestart = true

	[program:quiet]
	command = sleep 100006
	startsecs = 0
	EOF
	up a
	track_all chatty crash quiet
	w=$(sup_pid) pc=$(svc_field chatty pid) pq=$(svc_field quiet pid)
	h=$(holder_pid)
	for i in 1 2 3; do
		r0=$(svc_field crash restarts)
		"$W" reexec >/dev/null
		# Answered by the new self: the control socket was kept.
		"$W" status >/dev/null || [ "$?" -eq 3 ]
		[ "$(sup_pid)" = "$w" ]
		[ -d "/proc/$w" ]
		[ "$(svc_field chatty pid)" = "$pc" ]
		[ "$(svc_field quiet pid)" = "$pq" ]
		[ "$(holder_pid)" = "$h" ]
		[ "$(svc_field crash restarts)" -ge "$r0" ]
		sleep 0.5
	done
	# Still its children: reaped as before.
	[ "$(status_field "$pq" PPid)" = "$w" ]
	within 5 restarts_gt crash "$r0"
	[ "$(instances "sleep 100006")" -eq 1 ]
	n=$(seq_ok "$T/chatty.log")
	[ "$n" -ge 100 ]
	within 5 more_lines "$T/chatty.log" $((n + 20))
	seq_ok "$T/chatty.log"
}
