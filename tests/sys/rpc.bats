#!/usr/bin/env bats
# XML-RPC clients no one here wrote, on an unmodified supervisord.conf:
# Python's xmlrpc.client (through supervisor's own transport on the UNIX
# socket, plain ServerProxy on the inet server), Perl's RPC::XML::Client,
# and a service written against supervisor.childutils.getRPCInterface().
#
# The scenario (rpc-clients/scenario.py) calls every supervisor.* and
# system.* method and reaches every fault it can, printing a normalised
# transcript.  The expected transcript, tests/sys/expected/rpc-scenario.txt,
# was generated from Debian's supervisord 4.2.5 and is kept in the repo, so
# that the test against warden needs no supervisord run (make check runs
# on machines with only supervisorctl's Python module); where supervisord
# is installed, a second test regenerates it from supervisord and diffs
# the two servers' transcripts directly: the differential test, the
# strongest check we have.  To refresh the file after a deliberate change:
#   WARDEN_RPC_SERVER=supervisord RPC_SCENARIO_SAVE=1 tests/run ...

load common
load rpc

setup() { rpc_setup; }
teardown() { rpc_teardown; }

EXPECTED="$WARDEN_TOP/tests/sys/expected/rpc-scenario.txt"

# The scenario's programs: one to reach each state and fault.
scenario_conf() {
	printf '#!/bin/sh\n' >"$T/noexec.sh"
	chmod 644 "$T/noexec.sh"
	rpc_conf <<EOF
[program:a]
command=/bin/sleep 1000
startsecs=0

[program:b]
command=/bin/sleep 1001
startsecs=0

[program:talk]
command=/bin/sh -c 'echo talk-out-1; echo talk-err-1 >&2; exec /bin/cat'
stdout_logfile=$T/talk.out
stderr_logfile=$T/talk.err
startsecs=0

[program:nolog]
command=/bin/cat
stdout_logfile=NONE
stderr_logfile=NONE
startsecs=0

[program:closed]
command=/bin/sh -c 'exec 0<&-; exec /bin/sleep 1000'
startsecs=0

[program:catcher]
command=$PY $RPC_CLIENTS/catcher.py
startsecs=0

[program:stubborn]
command=/bin/sh -c 'trap "" TERM; exec /bin/sleep 1000'
startsecs=0
stopwaitsecs=3

[program:bad]
command=/bin/false
autostart=false
startsecs=1
startretries=0

[program:missing]
command=/nonexistent/cmd
autostart=false

[program:noexec]
command=$T/noexec.sh
autostart=false

[program:slow]
command=/bin/sleep 1000
autostart=false
startsecs=3

[program:off]
command=/bin/sleep 1000
autostart=false
startsecs=0

[group:g]
programs=a,b
EOF
}

# scenario OUT: run the scenario against the chosen server into OUT.
scenario() {
	scenario_conf
	rpc_up
	# A failed script leaves its transcript so far (and says so): the
	# diff then shows where the server went wrong.
	timeout 120 $PY "$RPC_CLIENTS/scenario.py" "$SOCK" "$T" "$CONF" \
	    >"$1" 2>"$T/scenario.err" ||
	    { echo "scenario.py failed:"; tail -3 "$T/scenario.err"; } >>"$1"
	wait_gone "$RPC_PID" 20 || echo "the server did not leave" >>"$1"
}

@test "the XML-RPC scenario: every method and fault, as supervisord answers" {
	scenario "$T/got.txt"
	# Kept for the differential test below, which runs next.
	cp "$T/got.txt" "$BATS_FILE_TMPDIR/scenario-$RPC_SERVER.txt"
	if on_supervisord && [ -n "$RPC_SCENARIO_SAVE" ]; then
		cp "$T/got.txt" "$EXPECTED"
	fi
	diff -u "$EXPECTED" "$T/got.txt"
}

# Against warden, with supervisord installed: supervisord's transcript of
# this very run beside warden's from the test above (one run of each).
@test "the XML-RPC scenario: the same transcript from supervisord and warden" {
	need_supervisord
	on_warden || skip "differential: this run drives supervisord only"
	local w="$BATS_FILE_TMPDIR/scenario-warden.txt"
	[ -s "$w" ]
	RPC_SERVER=supervisord
	scenario "$T/supervisord.txt"
	diff -u "$T/supervisord.txt" "$w"
}

# The shared programs of the other tests.
small_conf() {
	rpc_conf <<EOF
[program:a]
command=/bin/sleep 1000
startsecs=0

[program:b]
command=/bin/sleep 1000
startsecs=0

[program:off]
command=/bin/sleep 1000
autostart=false
startsecs=0

[group:g]
programs=a,b
$1
EOF
}

@test "Python's plain ServerProxy on the inet server: auth, then the calls" {
	rpc_inet
	small_conf
	rpc_up
	run timeout 30 $PY "$RPC_CLIENTS/inet.py" "$RPC_PORT" "$RPC_USER" "$RPC_PASS"
	echo "$output"
	[ "$status" -eq 0 ]
	diff -u - <(echo "$output") <<'EOF'
no credentials: ProtocolError 401 Unauthorized
wrong password: ProtocolError 401 Unauthorized
wrong user: ProtocolError 401 Unauthorized
getAPIVersion: '3.0'
getState: {'statecode': 1, 'statename': 'RUNNING'}
names: ['g:a', 'g:b', 'off']
stopProcess g:a: True
startProcess g:a: True
getProcessInfo g:a: RUNNING
multicall: ['3.0', {'faultCode': 10, 'faultString': 'BAD_NAME: nosuch'}]
unknown: FAULT 1 UNKNOWN_METHOD
EOF
}

@test "Perl's RPC::XML::Client on the inet server: status, start, stop" {
	perl -MRPC::XML::Client -e 1 2>/dev/null ||
	    skip "Perl's RPC::XML is not installed (make deps)"
	rpc_inet
	small_conf
	rpc_up
	run timeout 30 perl "$RPC_CLIENTS/client.pl" "$RPC_PORT" "$RPC_USER" "$RPC_PASS"
	echo "$output"
	[ "$status" -eq 0 ]
	diff -u - <(echo "$output") <<'EOF'
version 3.0
g:a RUNNING
g:b RUNNING
off STOPPED
start off: 1
off RUNNING
stop off: 1
off STOPPED
stop off: fault 70 NOT_RUNNING: off
start nosuch: fault 10 BAD_NAME: nosuch
wrong password: Unauthorized
EOF
}

@test "a service on supervisor.childutils.getRPCInterface(os.environ) stops and starts a sibling" {
	small_conf "
[program:watchdog]
command=$PY $RPC_CLIENTS/watchdog.py $T/watchdog.out
startsecs=0
autorestart=false"
	rpc_up
	wait_until 30 grep -q '^done$' "$T/watchdog.out"
	cat "$T/watchdog.out"
	diff -u - "$T/watchdog.out" <<EOF
SUPERVISOR_SERVER_URL=unix://$SOCK
SUPERVISOR_PROCESS_NAME=watchdog
SUPERVISOR_GROUP_NAME=watchdog
SUPERVISOR_ENABLED=1
my state: RUNNING
g:a before: RUNNING
stop g:a: True
g:a after stop: STOPPED
start g:a: True
g:a after start: RUNNING
pid changed: True
done
EOF
	state_is g:a RUNNING
}
