#!/usr/bin/env bats
# Debian's supervisorctl, unchanged, on an unmodified supervisord.conf:
# every command a supervisord user types.  Written and checked against
# supervisord itself (WARDEN_RPC_SERVER=supervisord), run against
# `warden up` by default; what is pinned here is supervisord's behaviour.

load common
load rpc

# The programs every test shares.
programs() {
	cat <<EOF
[program:a]
command=/bin/sleep 1000
startsecs=0

[program:b]
command=/bin/sleep 1000
startsecs=0

[program:talk]
command=/bin/sh -c 'echo talk-out-1; echo talk-err-1 >&2; exec /bin/cat'
startsecs=0

[program:echo]
command=/bin/sed -u 's/^/echoed:/'
startsecs=0

[program:catcher]
command=$PY $RPC_CLIENTS/catcher.py
startsecs=0

[program:off]
command=/bin/sleep 1000
autostart=false
startsecs=0

[group:g]
programs=a,b
EOF
}

setup() {
	rpc_setup
	programs | rpc_conf
}

teardown() { rpc_teardown; }

# sorted: the lines of the last run, sorted.
sorted() { printf '%s\n' "${lines[@]}" | sort; }

# The 33-column name, the 10-column state, then the description.
status_line_re='^[a-z:]+ +[A-Z]+ +'

@test "supervisorctl status: every process, supervisord's columns and descriptions" {
	rpc_up
	run ctl status
	echo "$output"
	[ "$status" -eq 3 ]		# off is STOPPED
	[ "${#lines[@]}" -eq 6 ]
	# Sorted by group then name, the name padded to 33 columns.
	[[ "${lines[0]}" =~ ^catcher\ {26}RUNNING\ {3}pid\ [0-9]+,\ uptime\ 0:00:[0-9][0-9]$ ]]
	[[ "${lines[1]}" =~ ^echo\ {29}RUNNING\ {3}pid\ [0-9]+,\ uptime\ [0-9]+:[0-9][0-9]:[0-9][0-9]$ ]]
	[[ "${lines[2]}" =~ ^g:a\ {30}RUNNING\ {3}pid\ [0-9]+, ]]
	[[ "${lines[3]}" =~ ^g:b\ {30}RUNNING ]]
	[ "${lines[4]}" = "off                              STOPPED   Not started" ]
	[[ "${lines[5]}" =~ ^talk\ {29}RUNNING ]]
}

@test "supervisorctl status: exit 0 all running, 3 one not running, 4 a bad name" {
	rpc_up
	run ctl status g:a g:b
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 2 ]
	run ctl status 'g:*'
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 2 ]
	run ctl status off
	[ "$status" -eq 3 ]
	run ctl status nosuch
	echo "$output"
	[ "$status" -eq 4 ]
	[ "$output" = "nosuch: ERROR (no such process)" ]
	run ctl status 'nosuch:*'
	[ "$status" -eq 4 ]
	[ "$output" = "nosuch: ERROR (no such group)" ]
	run ctl status g:nosuch
	[ "$status" -eq 4 ]
	[ "$output" = "g:nosuch: ERROR (no such process)" ]
	run ctl start off
	[ "$output" = "off: started" ]
	run ctl status
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 6 ]
}

@test "supervisorctl status: exit 4 and a message when no supervisor answers" {
	rpc_up
	rpc_down
	run ctl status
	echo "$output"
	[ "$status" -eq 4 ]
	[ "$output" = "unix://$SOCK no such file" ] ||
	    [ "$output" = "unix://$SOCK refused connection" ]
}

@test "supervisorctl start, stop, restart: NAME, GROUP:* and all" {
	rpc_up
	run ctl stop g:a
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "g:a: stopped" ]
	state_is g:a STOPPED
	run ctl stop g:a
	[ "$status" -eq 0 ]		# NOT_RUNNING is not an error to stop
	[ "$output" = "g:a: ERROR (not running)" ]
	run ctl start g:a
	[ "$status" -eq 0 ]
	[ "$output" = "g:a: started" ]
	run ctl start g:a
	[ "$status" -eq 0 ]		# ALREADY_STARTED is not an error
	[ "$output" = "g:a: ERROR (already started)" ]
	run ctl start nosuch
	[ "$status" -eq 1 ]
	[ "$output" = "nosuch: ERROR (no such process)" ]
	run ctl start 'nosuch:*'
	[ "$status" -eq 2 ]
	[ "$output" = "nosuch: ERROR (no such group)" ]
	# A group's or all's results come in the order the waits end (in
	# supervisord, make_allfunc): compared sorted.
	run ctl stop 'g:*'
	[ "$status" -eq 0 ]
	printf 'g:%s: stopped\n' a b | diff - <(sorted)
	run ctl start 'g:*'
	[ "$status" -eq 0 ]
	printf 'g:%s: started\n' a b | diff - <(sorted)
	old=$(ctl pid g:a)
	run ctl restart g:a
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "g:a: stopped" ]
	[ "${lines[1]}" = "g:a: started" ]
	[ "$(ctl pid g:a)" != "$old" ]
	run ctl restart 'g:*'
	[ "${#lines[@]}" -eq 4 ]
	# All the stops, then all the starts.
	printf 'g:%s: stopped\n' a b | diff - <(printf '%s\n' "${lines[@]:0:2}" | sort)
	printf 'g:%s: started\n' a b | diff - <(printf '%s\n' "${lines[@]:2:2}" | sort)
	run ctl stop all
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 5 ]	# off was not running: not listed
	printf '%s: stopped\n' catcher echo g:a g:b talk | diff - <(sorted)
	run ctl status
	[ "$status" -eq 3 ]
	run ctl start all
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 6 ]
	printf '%s: started\n' catcher echo g:a g:b off talk | diff - <(sorted)
	run ctl restart all
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 12 ]
	run ctl status
	[ "$status" -eq 0 ]
	run ctl start
	[ "$status" -eq 2 ]
	[ "${lines[0]}" = "Error: start requires a process name" ]
}

@test "supervisorctl tail: stdout, stderr, a byte count; tail -f streams" {
	rpc_up
	run ctl tail talk
	[ "$status" -eq 0 ]
	[ "$output" = "talk-out-1" ]
	run ctl tail talk stderr
	[ "$status" -eq 0 ]
	[ "$output" = "talk-err-1" ]
	run ctl tail -4 talk		# the last 4 bytes, "t-1\n"
	[ "$output" = "t-1" ]
	run ctl tail nosuch
	[ "$status" -eq 1 ]
	[ "$output" = "nosuch: ERROR (no such process name)" ]
	ctl tail -f talk >"$T/follow" 2>&1 &
	local f=$!
	track_pid "$f"
	wait_until 10 grep -q talk-out-1 "$T/follow"
	py stdin.py talk talk-out-2
	wait_until 10 grep -q talk-out-2 "$T/follow"
	kill "$f"
	wait "$f" || true
	head -1 "$T/follow" | grep -q "==> Press Ctrl-C to exit <=="
}

@test "supervisorctl maintail: the supervisor's own log" {
	rpc_up
	run ctl maintail
	[ "$status" -eq 0 ]
	[ -n "$output" ]
	run ctl maintail -5
	[ "$status" -eq 0 ]
	[ "${#output}" -le 5 ]
	ctl maintail -f >"$T/follow" 2>&1 &
	local f=$!
	track_pid "$f"
	wait_until 10 grep -q "Press Ctrl-C to exit" "$T/follow"
	# A stop logs a line: it must come down the stream.
	local n line
	n=$(wc -c <"$T/supervisord.log")
	ctl stop g:a
	wait_until 10 test "$(wc -c <"$T/supervisord.log")" -gt "$n"
	line=$(tail -1 "$T/supervisord.log")
	wait_until 20 grep -qF -- "$line" "$T/follow"
	kill "$f"
	wait "$f" || true
}

@test "supervisorctl pid: the supervisor's, a process's, all; 0 when stopped" {
	rpc_up
	run ctl pid
	[ "$output" = "$RPC_PID" ]
	run ctl pid g:a
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^[0-9]+$ ]]
	[ "$(cat /proc/$output/comm)" = sleep ]
	run ctl pid off
	[ "$status" -eq 7 ]
	[ "$output" = 0 ]
	run ctl pid nosuch
	[ "$status" -eq 1 ]
	[ "$output" = "No such process nosuch" ]
	run ctl pid all
	[ "${#lines[@]}" -eq 6 ]
}

@test "supervisorctl signal: a name, a group, all; bad names and signals" {
	rpc_up
	wait_until 10 grep -q catcher-ready "$T"/logs/catcher-stdout*.log
	run ctl signal USR1 catcher
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "catcher: signalled" ]
	wait_until 10 grep -q got-SIGUSR1 "$T"/logs/catcher-stdout*.log
	run ctl signal hup catcher
	[ "$output" = "catcher: signalled" ]
	wait_until 10 grep -q got-SIGHUP "$T"/logs/catcher-stdout*.log
	run ctl signal BOGUS catcher
	[ "$status" -eq 1 ]
	[ "$output" = "catcher: ERROR (bad signal name)" ]
	run ctl signal USR1 off
	[ "$status" -eq 7 ]
	[ "$output" = "off: ERROR (not running)" ]
	run ctl signal USR1 nosuch
	[ "$status" -eq 1 ]
	[ "$output" = "nosuch: ERROR (no such process)" ]
	run ctl signal TERM 'g:*'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "g:a: signalled" ]
	[ "${lines[1]}" = "g:b: signalled" ]
	run ctl signal
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "Error: signal requires a signal name and a process name" ]
}

@test "supervisorctl avail: every configured process, in use or not" {
	rpc_up
	run ctl avail
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 6 ]
	# getAllConfigInfo sorts by the process's name alone (not by group);
	# the client does not sort.
	[ "${lines[0]}" = "g:a                              in use    auto      999:999" ]
	[ "${lines[1]}" = "g:b                              in use    auto      999:999" ]
	[ "${lines[2]}" = "catcher                          in use    auto      999:999" ]
	[ "${lines[3]}" = "echo                             in use    auto      999:999" ]
	[ "${lines[4]}" = "off                              in use    manual    999:999" ]
	[ "${lines[5]}" = "talk                             in use    auto      999:999" ]
}

@test "supervisorctl reread, update, add, remove: the config changes on disk" {
	rpc_up
	run ctl reread
	[ "$status" -eq 0 ]
	[ "$output" = "No config updates to processes" ]
	# off goes, new comes, b changes (so its group g changes).
	sed -i -e '/^\[program:off\]/,/^$/d' \
	    -e 's|^command=/bin/sleep 1000$|&|' "$CONF"
	python3 - "$CONF" <<'EOF'
import sys
p = sys.argv[1]
s = open(p).read()
s = s.replace("[program:b]\ncommand=/bin/sleep 1000",
              "[program:b]\ncommand=/bin/sleep 2000")
s += "\n[program:new]\ncommand=/bin/sleep 1000\nstartsecs=0\n"
s += "\n[program:new2]\ncommand=/bin/sleep 1000\nstartsecs=0\n"
open(p, "w").write(s)
EOF
	run ctl reread
	echo "$output"
	[ "$status" -eq 0 ]
	# supervisorctl sorts the names of the three lists together.
	[ "${lines[0]}" = "g: changed" ]
	[ "${lines[1]}" = "new: available" ]
	[ "${lines[2]}" = "new2: available" ]
	[ "${lines[3]}" = "off: disappeared" ]
	[ "${#lines[@]}" -eq 4 ]
	run ctl add new
	[ "$status" -eq 0 ]
	[ "$output" = "new: added process group" ]
	run ctl add new
	[ "$status" -eq 0 ]		# ALREADY_ADDED: a message, exit 0
	[ "$output" = "ERROR: process group already active" ]
	run ctl add nosuch
	[ "$status" -eq 1 ]
	[ "$output" = "ERROR: no such process/group: nosuch" ]
	rpc_settle
	state_is new RUNNING
	run ctl remove new
	[ "$status" -eq 1 ]
	[ "$output" = "ERROR: process/group still running: new" ]
	ctl stop new
	run ctl remove new
	[ "$status" -eq 0 ]
	[ "$output" = "new: removed process group" ]
	run ctl remove nosuch
	[ "$status" -eq 1 ]
	[ "$output" = "ERROR: no such process/group: nosuch" ]
	run ctl update
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "off: stopped" ] || [ "${lines[0]}" = "off: removed process group" ]
	printf '%s\n' "${lines[@]}" | grep -qx "off: removed process group"
	printf '%s\n' "${lines[@]}" | grep -qx "g: stopped"
	printf '%s\n' "${lines[@]}" | grep -qx "g: updated process group"
	printf '%s\n' "${lines[@]}" | grep -qx "new: added process group"
	printf '%s\n' "${lines[@]}" | grep -qx "new2: added process group"
	rpc_settle
	run ctl status
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 7 ]
	[ "$(cat /proc/$(ctl pid g:b)/cmdline | tr '\0' ' ')" = "/bin/sleep 2000 " ]
	run ctl status off
	[ "$status" -eq 4 ]
	run ctl reread
	[ "$output" = "No config updates to processes" ]
}

@test "supervisorctl clear: a process's logs, all" {
	rpc_up
	run ctl tail talk
	[ "$output" = talk-out-1 ]
	run ctl clear talk
	[ "$status" -eq 0 ]
	[ "$output" = "talk: cleared" ]
	run ctl tail talk
	[ "$output" = "" ]
	run ctl tail talk stderr
	[ "$output" = "" ]
	run ctl clear nosuch
	[ "$status" -eq 1 ]
	[ "$output" = "nosuch: ERROR (no such process)" ]
	run ctl clear all
	[ "$status" -eq 0 ]
	# No waits here: priority order; equal priorities by group, name.
	printf '%s: cleared\n' catcher echo g:a g:b off talk |
	    diff - <(printf '%s\n' "${lines[@]}")
}

@test "supervisorctl fg: a line typed goes to the process, its output comes back" {
	rpc_up
	run timeout 40 $PY "$RPC_CLIENTS/fg.py" "$CONF" echo ping-fg
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"echoed:ping-fg"* ]]
	[[ "$output" == *"Exiting foreground"* ]]
	run timeout 40 $PY "$RPC_CLIENTS/fg.py" "$CONF" off ping
	[[ "$output" == *"ERROR: process not running"* ]]
}

@test "supervisorctl version, and shutdown" {
	rpc_up
	run ctl version
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^[0-9]+\.[0-9]+ ]]
	if on_supervisord; then
		[ "$output" = 4.2.5 ]
	fi
	local a
	a=$(ctl pid g:a)
	run ctl shutdown
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "Shut down" ]
	wait_gone "$RPC_PID" 15
	wait_gone "$a" 5
	run ctl status
	[ "$status" -eq 4 ]
}

@test "supervisorctl -s http://127.0.0.1:PORT -u USER -p PASS status: the inet server" {
	rpc_inet
	programs | rpc_conf
	rpc_up
	local url="http://127.0.0.1:$RPC_PORT"
	run timeout 30 $CTL -c "$CONF" -s "$url" -u "$RPC_USER" -p "$RPC_PASS" status
	echo "$output"
	[ "$status" -eq 3 ]
	[ "${#lines[@]}" -eq 6 ]
	[[ "${lines[2]}" =~ $status_line_re ]]
	run timeout 30 $CTL -c "$CONF" -s "$url" -u "$RPC_USER" -p "$RPC_PASS" stop g:a
	[ "$output" = "g:a: stopped" ]
	# A 401: supervisorctl says so, then fails on the ProtocolError.
	run timeout 30 $CTL -c "$CONF" -s "$url" -u "$RPC_USER" -p wrong status
	echo "$output"
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "Server requires authentication" ]
	[[ "${lines[1]}" == *"401 Unauthorized"* ]]
	run timeout 30 $CTL -c "$CONF" -s "$url" status
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "Server requires authentication" ]
	run timeout 30 $CTL -c "$CONF" -s "$url" -u "$RPC_USER" -p "$RPC_PASS" status g:b
	[ "$status" -eq 0 ]
}

@test "the UNIX socket: chmod (0700 by default), and an optional password" {
	rpc_up
	[ "$(stat -c %a "$SOCK")" = 700 ]
	rpc_down
	# [supervisorctl] has the password; the server checks it.
	RPC_UNIX_CHMOD=0770
	RPC_UNIX_AUTH="{SHA}$(printf %s "$RPC_PASS" | sha1sum | cut -d' ' -f1)"
	programs | rpc_conf
	rpc_up
	[ "$(stat -c %a "$SOCK")" = 770 ]
	run ctl status g:a
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^g:a\ +RUNNING ]]
	run ctl -p wrong status
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "Server requires authentication" ]
	run ctl -u nobody status
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "Server requires authentication" ]
}

@test "[inet_http_server] port=:PORT and *:PORT: every address, 127.0.0.1 included" {
	local h
	for h in '' '*'; do
		RPC_INET_HOST=$h
		rpc_inet
		programs | rpc_conf
		grep -qxF "port=$h:$RPC_PORT" "$CONF"
		rpc_up
		run timeout 30 $CTL -c "$CONF" -s "http://127.0.0.1:$RPC_PORT" \
		    -u "$RPC_USER" -p "$RPC_PASS" status g:b
		echo "$output"
		[ "$status" -eq 0 ]
		[[ "$output" =~ ^g:b\ +RUNNING ]]
		# Not only loopback: the wildcard address.
		ss -Hltn "sport = :$RPC_PORT" | grep -Eq '(\*|0\.0\.0\.0|\[::\]):'"$RPC_PORT"
		rpc_down
	done
}
