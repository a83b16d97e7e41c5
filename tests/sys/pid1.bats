#!/usr/bin/env bats
# warden up -F as process 1 of a PID namespace, as in a container: it
# reaps every orphan, shuts down in order on SIGTERM or SIGINT and exits
# 0, reloads on SIGHUP, and no other signal kills it.
#
# The tests run outside the namespace and look at it through the host's
# /proc: warden's host pid is the child of unshare (-f forks).

load common
load sup

setup() {
	sup_setup
	upid= wpid=
}

teardown() {
	# SIGKILL to a namespace's process 1 ends every process in it.
	[ -n "$wpid" ] && kill -KILL "$wpid" 2>/dev/null
	[ -n "$upid" ] && wait_gone "$upid" 5
	common_teardown
}

# zombies_of PID: its children that are zombies, not yet reaped.
zombies_of() {
	cat /proc/[0-9]*/status 2>/dev/null |
	    awk -v p="$1" '$1 == "State:" { st = $2 } $1 == "Pid:" { pid = $2 }
		$1 == "PPid:" && $2 == p && st == "Z" { print pid }'
}

# host_pid NSPID: the host pid of process NSPID of warden's namespace.
host_pid() {
	local ns h
	ns=$(readlink "/proc/$wpid/ns/pid") || return 1
	for h in $(cat /proc/[0-9]*/status 2>/dev/null |
	    awk -v n="$1" '$1 == "NSpid:" && NF == 3 && $3 == n { print $2 }')
	do
		[ "$(readlink "/proc/$h/ns/pid" 2>/dev/null)" = "$ns" ] &&
		    echo "$h" && return 0
	done
	return 1
}

# pid1_up NAME: warden up -F -c $T/NAME.conf as process 1 of a new PID
# namespace, in the background; sets upid (unshare) and wpid (warden,
# host pid), and waits until the supervisor answers.
pid1_up() {
	unshare -fp --mount-proc true 2>/dev/null ||
	    skip "cannot make a PID namespace here (unshare -fp --mount-proc)"
	unshare -fp --mount-proc "$W" up -F -c "$T/$1.conf" \
	    >"$T/warden.log" 2>&1 </dev/null 3>&- &
	upid=$!
	track_pid "$upid"
	within 10 test -s "$T/run/warden.pid"
	wpid=$(children "$upid")
	[ -n "$wpid" ]
	track_pid "$wpid"
	[ "$(cat /proc/$wpid/comm)" = warden ]
	[ "$(awk '$1 == "NSpid:" { print $3 }' /proc/$wpid/status)" = 1 ]
	[ "$(cat "$T/run/warden.pid")" = 1 ]
	within 10 answers
}

# answers: the supervisor answers on its socket (status exits 0 or 3).
answers() {
	local rc=0
	"$W" status >/dev/null 2>&1 || rc=$?
	[ "$rc" -eq 0 ] || [ "$rc" -eq 3 ]
}

# pid1_exit: wait for unshare, which exits with warden's status; sets rc.
pid1_exit() {
	wait_gone "$upid" "${1:-15}" || return 1
	rc=0
	wait "$upid" || rc=$?
	upid= wpid=
}

# A service script: records "NAME term" when SIGTERM comes, takes DELAY
# seconds to stop, records "NAME done", exits 0.
svc_script() {
	cat >"$T/svc.sh" <<-'EOF'
	#!/bin/sh
	name=$1 delay=$2 dir=$3
	trap 'echo "$name term" >>"$dir/order"; sleep "$delay";
	    echo "$name done" >>"$dir/order"; exit 0' TERM
	: >"$dir/$name.up"
	while :; do sleep 1 & wait $!; done
	EOF
	chmod +x "$T/svc.sh"
}

# line TEXT: its line number in $T/order (0 when absent).
line() {
	local n
	n=$(grep -nx "$1" "$T/order" | cut -d: -f1)
	echo "${n:-0}"
}

@test "pid1: an orphan reparented to warden is reaped" {
	cat >"$T/orphan.sh" <<-'EOF'
	#!/bin/sh
	# The middle shell exits at once: its child is an orphan.
	sh -c '( until [ -e "$1/go" ]; do sleep 0.05; done ) &
	    echo $! >"$1/orphan.tmp"; mv "$1/orphan.tmp" "$1/orphan"' sh "$1"
	exec sleep 1000
	EOF
	chmod +x "$T/orphan.sh"
	conf a <<-EOF
	[program:parent]
	command = $T/orphan.sh $T
	startsecs = 0
	EOF
	pid1_up a
	within 10 test -s "$T/orphan"
	o=$(cat "$T/orphan")
	h=$(host_pid "$o")
	track_pid "$h"
	# The orphan is warden's child now, not the service's.
	within 10 eval '[ "$(status_field "$h" PPid)" = "$wpid" ]'
	touch "$T/go"
	# Gone altogether: reaped, not left a zombie.
	within 5 test ! -e "/proc/$h"
	[ -z "$(zombies_of "$wpid")" ]
	state_is parent RUNNING
}

@test "pid1: a storm of orphans leaves no zombie" {
	cat >"$T/storm.sh" <<-'EOF'
	#!/bin/sh
	i=0
	while [ $i -lt 40 ]; do
		sh -c 'sleep 0.2 & exit 0'
		i=$((i + 1))
	done
	: >"$1/storm.done"
	exec sleep 1000
	EOF
	chmod +x "$T/storm.sh"
	conf a <<-EOF
	[program:storm]
	command = $T/storm.sh $T
	startsecs = 0
	EOF
	pid1_up a
	within 10 test -e "$T/storm.done"
	main=$(host_pid "$(svc_field storm pid)")
	# Every child of warden but the service (and the fd holder, a warden
	# of its own) has come and gone.
	only_main() {
		local c left=
		for c in $(children "$wpid"); do
			[ "$(cat "/proc/$c/comm" 2>/dev/null)" = warden ] ||
			    left="$left$c"
		done
		[ "$left" = "$main" ]
	}
	within 10 only_main
	[ -z "$(zombies_of "$wpid")" ]
}

@test "pid1: SIGTERM stops in reverse priority order, a priority together, exit 0" {
	svc_script
	conf a <<-EOF
	[program:db]
	command = $T/svc.sh db 0.1 $T
	priority = 10
	startsecs = 0
	[program:app1]
	command = $T/svc.sh app1 0.5 $T
	priority = 20
	startsecs = 0
	[program:app2]
	command = $T/svc.sh app2 0.5 $T
	priority = 20
	startsecs = 0
	[program:web]
	command = $T/svc.sh web 0.2 $T
	priority = 30
	startsecs = 0
	EOF
	pid1_up a
	for s in db app1 app2 web; do
		within 10 test -e "$T/$s.up"
		within 10 state_is "$s" RUNNING
	done
	kill -TERM "$wpid"
	pid1_exit 20
	cat "$T/order"
	[ "$rc" -eq 0 ]
	[ "$(wc -l <"$T/order")" -eq 8 ]
	[ "$(line "web term")" -eq 1 ]
	[ "$(line "web done")" -eq 2 ]
	# app1 and app2 stop together: both asked before either is done.
	for a in app1 app2; do
		for b in app1 app2; do
			[ "$(line "$a term")" -lt "$(line "$b done")" ]
		done
	done
	[ "$(line "app1 term")" -gt 2 ]
	[ "$(line "app2 term")" -gt 2 ]
	[ "$(line "db term")" -eq 7 ]
	[ "$(line "db done")" -eq 8 ]
	[ ! -e "$T/run/warden.sock" ]
	grep -q "all stopped" "$T/warden.log"
}

@test "pid1: a service that ignores SIGTERM is killed after stopwaitsecs, exit 0" {
	conf a <<-EOF
	[program:stubborn]
	command = sh -c 'trap "" TERM; : >$T/up; while :; do sleep 1; done'
	startsecs = 0
	stopwaitsecs = 1
	EOF
	pid1_up a
	within 10 test -e "$T/up"
	within 10 state_is stubborn RUNNING
	t0=$(now_ms)
	kill -TERM "$wpid"
	pid1_exit 15
	t1=$(now_ms)
	[ "$rc" -eq 0 ]
	[ $((t1 - t0)) -ge 900 ]
	[ $((t1 - t0)) -lt 5000 ]
	grep -q "SIGKILL" "$T/warden.log"
}

@test "pid1: SIGINT shuts down as SIGTERM does, exit 0" {
	svc_script
	conf a <<-EOF
	[program:one]
	command = $T/svc.sh one 0 $T
	startsecs = 0
	EOF
	pid1_up a
	within 10 test -e "$T/one.up"
	within 10 state_is one RUNNING
	kill -INT "$wpid"
	pid1_exit 15
	[ "$rc" -eq 0 ]
	[ "$(cat "$T/order")" = "one term
one done" ]
}

@test "pid1: SIGHUP reloads the config" {
	conf a <<-EOF
	[program:one]
	command = sleep 1000
	startsecs = 0
	EOF
	pid1_up a
	within 10 state_is one RUNNING
	p=$(svc_field one pid)
	cat >>"$T/a.conf" <<-EOF
	[program:two]
	command = sleep 1001
	startsecs = 0
	EOF
	kill -HUP "$wpid"
	within 10 state_is two RUNNING
	[ "$(svc_field one pid)" = "$p" ]	# untouched
	kill -TERM "$wpid"
	pid1_exit 15
	[ "$rc" -eq 0 ]
}

# The kernel itself keeps from a namespace's process 1 the signals it has
# no handler for; what this guards against is warden acting on them (a
# handler that exits, a disposition set by mistake).
@test "pid1: SIGUSR1, SIGPIPE, SIGALRM and SIGTSTP do not kill or stop it" {
	conf a <<-EOF
	[program:one]
	command = sleep 1000
	startsecs = 0
	EOF
	pid1_up a
	within 10 state_is one RUNNING
	p=$(svc_field one pid)
	for sig in USR1 PIPE ALRM TSTP; do
		kill -"$sig" "$wpid"
		# A round trip through its loop: it has seen the signal.
		"$W" status one >/dev/null
		[[ "$(stat_field "$wpid" 3)" == [SR] ]]
	done
	state_is one RUNNING
	[ "$(svc_field one pid)" = "$p" ]
	kill -TERM "$wpid"
	pid1_exit 15
	[ "$rc" -eq 0 ]
}

@test "up -F, not process 1: stray signals do not kill or stop it either" {
	conf a <<-EOF
	[program:one]
	command = sleep 1000
	startsecs = 0
	EOF
	"$W" up -F -c "$T/a.conf" >"$T/warden.log" 2>&1 </dev/null 3>&- &
	wpid=$!
	track_pid "$wpid"
	within 10 answers
	within 10 state_is one RUNNING
	p=$(svc_field one pid)
	track_pid "$p"
	for sig in USR1 PIPE ALRM TSTP TTIN TTOU VTALRM PROF; do
		kill -"$sig" "$wpid"
		"$W" status one >/dev/null
		[[ "$(stat_field "$wpid" 3)" == [SR] ]]
	done
	state_is one RUNNING
	[ "$(svc_field one pid)" = "$p" ]
	kill -TERM "$wpid"
	within 15 gone "$wpid"
	rc=0
	wait "$wpid" || rc=$?
	wpid=
	[ "$rc" -eq 0 ]
	gone "$p"
}
