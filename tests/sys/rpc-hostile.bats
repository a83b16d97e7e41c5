#!/usr/bin/env bats
# Hostile clients on both HTTP servers (rpc-clients/hostile.py): garbage,
# a 2 MiB body, a 64 KiB header, 500 idle connections, slowloris, a
# DOCTYPE entity bomb, an external entity, a storm of wrong passwords.
# Through all of them, with them still open, supervisorctl status answers
# and the supervisor is alive afterwards.
#
# The bound on supervisorctl status: the issue asks for an answer within
# a second; supervisorctl itself is a Python program that takes 0.2 s to
# start idle, and several times that on a loaded 2-core CI machine with
# the supervisor under ASan.  So `timeout 5` bounds the whole command, and
# a raw client (probe, below) bounds the server's own round trip at 2 s.
#
# warden's limits (413, 431, refusal of a DOCTYPE) are not supervisord's:
# against supervisord those assertions are skipped (warden_only) and say
# so; everything else holds for both servers.

load common
load rpc

H="$PY $RPC_CLIENTS/hostile.py"

setup() {
	rpc_setup
	rpc_inet
	rpc_conf <<EOF
[program:a]
command=/bin/sleep 1000
startsecs=0

[program:b]
command=/bin/sleep 1000
startsecs=0
EOF
	rpc_up
	UNIX="unix:$SOCK"
	INET="tcp:$RPC_PORT"
	export RPC_CRED="$RPC_USER:$RPC_PASS"
}

teardown() { rpc_teardown; }

# answers: supervisorctl status on the UNIX socket and on the inet server
# answers in time, both processes RUNNING; the server's own round trip
# for getAllProcessInfo is under 2 s.
answers() {
	run timeout 5 $CTL -c "$CONF" status
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 2 ]
	[[ "${lines[1]}" =~ ^b\ +RUNNING ]]
	run timeout 5 $CTL -c "$CONF" -s "http://127.0.0.1:$RPC_PORT" \
	    -u "$RPC_USER" -p "$RPC_PASS" status
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 2 ]
	timeout 10 $PY "$RPC_CLIENTS/probe.py" "$SOCK" 2 2
}

# alive: the supervisor still runs, and answers.
alive() {
	kill -0 "$RPC_PID"
	answers
}

# hold MODE ADDR N: a holding client in the background, until it is
# ready; its pid in $held_pids.
held_pids=
hold() {
	local r="$T/ready.$RANDOM"
	$H "$1" "$2" "$3" "$r" &
	held_pids="$held_pids $!"
	track_pid "$!"
	wait_until 30 test -e "$r"
}

release() {
	local p
	for p in $held_pids; do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null || true
	done
	held_pids=
}

@test "garbage bytes: the connection ends, the supervisor answers" {
	run timeout 30 $H garbage "$UNIX"
	echo "$output"
	[ "$status" -eq 0 ]
	run timeout 30 $H garbage "$INET"
	echo "$output"
	[ "$status" -eq 0 ]
	if on_warden; then
		# A 400, or the connection closed: never an answer that waits.
		[[ "$output" == "garbage: 400" || "$output" == "garbage: closed" ]]
	fi
	alive
}

@test "a 2 MiB body: refused (413 on warden), the supervisor answers" {
	run timeout 60 $H big "$UNIX" 2097152
	echo "$output"
	[ "$status" -eq 0 ]
	local u=$output
	run timeout 60 $H big "$INET" 2097152
	echo "$output"
	[ "$status" -eq 0 ]
	# supervisord reads it all and answers 400 (not XML).
	[ "$u" != "big: 200" ]
	[ "$output" != "big: 200" ]
	local i=$output
	alive
	warden_only "supervisord has no body limit (it reads 2 MiB, then 400)"
	[ "$u" = "big: 413" ]
	# On TCP the 413 may be lost to a reset when the server closes on
	# the unread body.
	[[ "$i" == "big: 413" || "$i" == "big: reset" || "$i" == "big: closed" ]]
}

@test "a 64 KiB header: refused (431 on warden), the supervisor answers" {
	run timeout 30 $H header "$UNIX" 65536
	echo "$output"
	[ "$status" -eq 0 ]
	local u=$output
	run timeout 30 $H header "$INET" 65536
	echo "$output"
	[ "$status" -eq 0 ]
	local i=$output
	alive
	warden_only "supervisord has no header limit (on its UNIX socket the request just waits)"
	[ "$u" = "header: 431" ]
	[ "$i" = "header: 431" ]
}

@test "500 idle connections held open: supervisorctl status still answers" {
	hold hold "$UNIX" 500
	answers
	answers
	release
	alive
}

@test "slowloris, a request trickled a byte at a time: status still answers" {
	hold slowloris "$UNIX" 10
	hold slowloris "$INET" 10
	answers
	answers
	release
	alive
}

@test "a DOCTYPE entity bomb and an external entity: refused, nothing expanded or read" {
	run timeout 30 $H bomb "$UNIX"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"lol=False passwd=False" ]]
	[[ "$output" != "bomb: 200 fault=False"* ]]
	local b=$output
	run timeout 30 $H xxe "$UNIX"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"passwd=False" ]]
	[[ "$output" != "xxe: 200 fault=False"* ]]
	local x=$output
	run timeout 30 $H bomb "$INET"
	[ "$status" -eq 0 ]
	[[ "$output" == *"lol=False passwd=False" ]]
	alive
	# supervisord answers both with 400 too (expat refuses the bomb; it
	# does not fetch external entities), but it parses the DOCTYPE.
	[[ "$b" == "bomb: 400 "* || "$b" == "bomb: 200 fault=True"* ]]
	[[ "$x" == "xxe: 400 "* || "$x" == "xxe: 200 fault=True"* ]]
}

@test "wrong passwords: every one a 401 with WWW-Authenticate, the right one still works" {
	RPC_CRED= run timeout 60 $H auth "$INET" 100 "$RPC_USER"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == "auth: 401=100 www-authenticate=Basic realm="* ]]
	RPC_CRED= run timeout 60 $H auth "$INET" 5 nobody
	[[ "$output" == "auth: 401=5 www-authenticate=Basic realm="* ]]
	run timeout 10 $CTL -c "$CONF" -s "http://127.0.0.1:$RPC_PORT" \
	    -u "$RPC_USER" -p wrong status
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "Server requires authentication" ]
	alive
}

@test "all of them at once, still open: supervisorctl status answers; alive after" {
	hold hold "$UNIX" 250
	hold hold "$INET" 250
	hold slowloris "$UNIX" 10
	hold slowloris "$INET" 10
	timeout 60 $H big "$UNIX" 2097152 &
	local big=$!
	track_pid "$big"
	timeout 30 $H bomb "$INET" >/dev/null &
	local bomb=$!
	track_pid "$bomb"
	RPC_CRED= timeout 60 $H auth "$INET" 50 "$RPC_USER" >/dev/null &
	local auth=$!
	track_pid "$auth"
	timeout 30 $H garbage "$UNIX" >/dev/null
	answers
	wait "$big" "$bomb" "$auth"
	answers
	release
	alive
	[ "$(ctl pid)" = "$RPC_PID" ]
}
