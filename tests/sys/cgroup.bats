#!/usr/bin/env bats
# The services' cgroups belong to one supervisor instance, and only one:
# supervisors that are each process 1 of their own PID namespace, with
# the same service names, at once.  Seen from the host: the tests look at
# the cgroups through the host's mount, and the supervisors' records.

load common
load sup

setup() {
	common_setup
	: >"$T/.ups"
	leftover=
}

teardown() {
	local n u w
	while read -r n u; do
		WARDEN_SOCKET=$T/$n/warden.sock "$W" shutdown >/dev/null 2>&1
		wait_gone "$u" 10 && continue
		# SIGKILL to a namespace's process 1 ends every process in it.
		for w in $(children "$u"); do kill -KILL "$w" 2>/dev/null; done
		wait_gone "$u" 5
	done <"$T/.ups"
	common_teardown
	if [ -n "$leftover" ]; then
		rmdir "$leftover/ticker" "$leftover" 2>/dev/null || true
	fi
}

# ns_up NAME: warden up -F on $T/NAME.conf (run directory $T/NAME, one
# service, ticker, that writes its cgroup in $T/NAME.cg) as process 1 of
# a new PID namespace, in the background; sets up_NAME (unshare) and
# w_NAME (warden's host pid).
ns_up() {
	[ "$(id -u)" = 0 ] || skip "PID namespaces and cgroups need root"
	unshare -fp --mount-proc true 2>/dev/null ||
	    skip "cannot make a PID namespace here (unshare -fp --mount-proc)"
	mkdir -p -m 700 "$T/$1"
	rm -f "$T/$1.cg"
	cat >"$T/$1.conf" <<-EOF
	[warden]
	rundir = $T/$1
	[program:ticker]
	command = sh -c 'cat /proc/self/cgroup >$T/$1.cg.new; mv $T/$1.cg.new $T/$1.cg; exec sleep 1000'
	startsecs = 0
	EOF
	unshare -fp --mount-proc "$W" up -F -c "$T/$1.conf" \
	    >"$T/$1.log" 2>&1 </dev/null 3>&- &
	echo "$1 $!" >>"$T/.ups"
	track_pid $!
	eval "up_$1=$!"
	within 10 test -s "$T/$1.cg"
	eval "w_$1=\$(children $!)"
	grep -q "a cgroup per service" "$T/$1.log" ||
	    skip "no writable cgroup2 with cgroup.kill here"
}

# cg_of NAME: ticker's cgroup in NAME, below the mount point.
cg_of() { sed -n 's/^0:://p' "$T/$1.cg"; }

# owner DIR: the record in DIR's user.warden.owner.
owner() {
	python3 -c 'import os, sys
print(os.getxattr(sys.argv[1], "user.warden.owner").decode())' "$1"
}

MNT=$(awk '$9 == "cgroup2" { print $5; exit }' /proc/self/mountinfo)

@test "cgroups: two supervisors, both pid 1, same service names: each its own" {
	ns_up a
	ns_up b
	ca=$(cg_of a) cb=$(cg_of b)
	[[ "$ca" == */warden-????????????????-????????/ticker ]]
	[[ "$cb" == */warden-????????????????-????????/ticker ]]
	[ "$ca" != "$cb" ]
	da=$MNT${ca%/ticker} db=$MNT${cb%/ticker}
	# Each ticker is alone in its cgroup.
	pa=$(cat "$MNT$ca/cgroup.procs") pb=$(cat "$MNT$cb/cgroup.procs")
	[ "$(echo "$pa" | wc -l)" -eq 1 ] && [ "$(echo "$pb" | wc -l)" -eq 1 ]
	[ "$pa" != "$pb" ]
	# The owner's record: pid 1 of its namespace, its start, its config.
	[[ "$(owner "$da")" == "pid 1 start "*" boot $(cat /proc/sys/kernel/random/boot_id) config $T/a.conf" ]]
	[[ "$(owner "$db")" == "pid 1 start "*" config $T/b.conf" ]]
	# A stop in a reaches a's ticker, and only it.
	WARDEN_SOCKET=$T/a/warden.sock "$W" stop ticker
	wait_gone "$pa" 5
	kill -0 "$pb"
	[ "$(cat "$MNT$cb/cgroup.procs")" = "$pb" ]
	# Both shut down: each takes its own directory away, and no other.
	WARDEN_SOCKET=$T/a/warden.sock "$W" shutdown
	wait_gone "$up_a" 10
	[ ! -d "$da" ]
	[ -d "$db" ]
	kill -0 "$pb"
	WARDEN_SOCKET=$T/b/warden.sock "$W" shutdown
	wait_gone "$up_b" 10
	[ ! -d "$db" ]
	gone "$pb"
}

@test "cgroups: what a SIGKILLed supervisor left is its config's next one's, and swept by others once dead" {
	ns_up a
	ns_up b
	da=$MNT$(cg_of a) db=$MNT$(cg_of b)
	da=${da%/ticker} db=${db%/ticker}
	pb=$(cat "$db/ticker/cgroup.procs")
	kill -KILL "$w_a"
	wait_gone "$up_a" 5
	within 10 grep -q "populated 0" "$da/ticker/cgroup.events"
	[ -d "$da" ]
	# Something no supervisor recorded lives in it.
	sleep 1000 &
	s=$!
	track_pid "$s"
	leftover=$da
	echo "$s" >"$da/ticker/cgroup.procs"
	# The same config again: it takes the directory over (adoption), and
	# kills what it cannot vouch for before ticker starts again there.
	ns_up a
	dn=$MNT$(cg_of a)
	dn=${dn%/ticker}
	[ "$dn" = "$da" ]
	wait_gone "$s" 5
	[[ "$(owner "$da")" == "pid 1 start "*" config $T/a.conf" ]]
	[ "$(wc -l <"$da/ticker/cgroup.procs")" -eq 1 ]
	# Once dead and empty, another config's supervisor sweeps it; a live
	# one's stays.
	kill -KILL "$(children "$up_a")"
	wait_gone "$up_a" 5
	within 10 grep -q "populated 0" "$da/ticker/cgroup.events"
	ns_up c
	[ ! -d "$da" ]
	[ -d "$db" ]
	[ "$(cat "$db/ticker/cgroup.procs")" = "$pb" ]
}
