# Helpers for the tests that drive a supervisor with clients no one here
# wrote (supervisorctl, Python's xmlrpc.client, Perl's RPC::XML): load
# common, then load rpc.  The supervisor runs in $T on an unmodified
# supervisord.conf; WARDEN_RPC_SERVER chooses it:
#   warden       (the default) `warden up -c CONF`, with [warden] rundir=$T
#   supervisord  Debian's supervisord -c CONF (daemonized), so that the
#                tests are known to pin supervisord's own behaviour.
# Clean-up is by the pid in the pidfile, then by process group; the
# services' groups are collected while the supervisor still runs.

RPC_SERVER=${WARDEN_RPC_SERVER:-warden}
RPC_CLIENTS="$WARDEN_TOP/tests/sys/rpc-clients"
PY=/usr/bin/python3
CTL=/usr/bin/supervisorctl
export PYTHONDONTWRITEBYTECODE=1

rpc_setup() {
	common_setup
	[ -x "$CTL" ] && $PY -c 'import supervisor.xmlrpc' 2>/dev/null ||
	    skip "Debian's supervisor package is not installed (make deps)"
	mkdir -m 700 "$T/logs"
	CONF="$T/supervisord.conf"
	SOCK="$T/supervisor.sock"
	RPC_PORT=
	RPC_USER=user
	RPC_PASS=s3cret
	RPC_UNIX_AUTH=		# a password on the UNIX socket: its value
	RPC_UNIX_CHMOD=		# the UNIX socket's chmod=
	unset RPC_INET_HOST	# port=HOST:PORT's host: 127.0.0.1 if unset
}

rpc_teardown() {
	rpc_down
	common_teardown
}

# on_supervisord / on_warden: which server this run drives.
on_supervisord() { [ "$RPC_SERVER" = supervisord ]; }
on_warden() { [ "$RPC_SERVER" != supervisord ]; }

# warden_only WHY: skip the rest of the test against supervisord, which
# lacks what the test checks (a limit warden has and supervisord has not).
warden_only() {
	on_supervisord && skip "warden only: $1"
	return 0
}

# need_supervisord: skip unless supervisord is installed.
need_supervisord() {
	[ -x /usr/bin/supervisord ] || skip "supervisord is not installed"
}

# rpc_inet: the next rpc_conf adds an [inet_http_server] on a free
# loopback port ($RPC_PORT), with a username and password.  (A port taken
# between the choice and the bind makes the server fail to start, loudly.)
rpc_inet() { RPC_PORT=$(free_port); }

# rpc_conf: write $CONF, the sections every test shares, then the
# [program:x] and [group:g] sections from stdin.
rpc_conf() {
	{
		printf '[unix_http_server]\nfile=%s\n' "$SOCK"
		[ -z "$RPC_UNIX_CHMOD" ] || printf 'chmod=%s\n' "$RPC_UNIX_CHMOD"
		if [ -n "$RPC_UNIX_AUTH" ]; then
			printf 'username=%s\npassword=%s\n' \
			    "$RPC_USER" "$RPC_UNIX_AUTH"
		fi
		printf '\n'
		if [ -n "$RPC_PORT" ]; then
			printf '[inet_http_server]\nport=%s:%s\n' \
			    "${RPC_INET_HOST-127.0.0.1}" "$RPC_PORT"
			printf 'username=%s\npassword=%s\n\n' \
			    "$RPC_USER" "$RPC_PASS"
		fi
		printf '[rpcinterface:supervisor]\n'
		printf 'supervisor.rpcinterface_factory = '
		printf 'supervisor.rpcinterface:make_main_rpcinterface\n\n'
		printf '[supervisorctl]\nserverurl=unix://%s\n' "$SOCK"
		if [ -n "$RPC_UNIX_AUTH" ]; then
			printf 'username=%s\npassword=%s\n' "$RPC_USER" "$RPC_PASS"
		fi
		printf '\n'
		printf '[supervisord]\nlogfile=%s/supervisord.log\n' "$T"
		printf 'pidfile=%s/supervisord.pid\n' "$T"
		printf 'childlogdir=%s/logs\nidentifier=rpctest\n\n' "$T"
		# warden's own section; supervisord never sees it.
		if on_warden; then
			printf '[warden]\nrundir=%s\n\n' "$T"
		fi
		cat
	} >"$CONF"
}

# rpc_start: start the server on $CONF once; its exit status.
rpc_start() {
	local rc=0
	rm -f "$T/supervisord.pid"
	if on_supervisord; then
		need_supervisord
		# The daemon binds its sockets before the parent exits.
		timeout 30 /usr/bin/supervisord -c "$CONF" || rc=$?
	else
		timeout 60 "$WARDEN_BUILD/warden" up -c "$CONF" || rc=$?
	fi
	# warden up exits 3 when an autostart service failed: allowed.
	[ "$rc" -eq 3 ] && rc=0
	return "$rc"
}

# rpc_up: start the server on $CONF and wait until it answers and no
# autostart service is still starting (polled over XML-RPC: no sleeps).
# free_port's port may be taken before the server binds it: then the
# server fails to start, and it is tried again on another port (twice).
rpc_up() {
	local try old
	for try in 1 2 3; do
		rpc_start && break
		[ -n "$RPC_PORT" ] && [ "$try" -lt 3 ] || return 1
		old=$RPC_PORT
		rpc_inet
		sed -i "s/^port=\(.*\):$old\$/port=\1:$RPC_PORT/" "$CONF"
	done
	wait_until 20 test -s "$T/supervisord.pid" || return 1
	RPC_PID=$(cat "$T/supervisord.pid")
	track_pid "$RPC_PID"
	rpc_settle
}

# rpc_settle: until no service is STARTING (or BACKOFF, or STOPPING).
rpc_settle() {
	RPC_UNIX_CRED=${RPC_UNIX_AUTH:+$RPC_USER:$RPC_PASS} \
	    timeout 30 $PY "$RPC_CLIENTS/settle.py" "$SOCK"
}

# rpc_down: shut the server down (SIGTERM by pid), wait until it is gone,
# then kill what is left: the services' process groups, collected first.
rpc_down() {
	local p g
	[ -n "$RPC_PID" ] || return 0
	for p in $(children "$RPC_PID"); do
		g=$(stat_field "$p" 5 2>/dev/null) && [ "$g" -gt 1 ] &&
		    echo "$g" >>"$T/.pgids"
	done
	kill -TERM "$RPC_PID" 2>/dev/null
	wait_gone "$RPC_PID" 15 || kill -KILL "$RPC_PID" 2>/dev/null
	wait_gone "$RPC_PID" 5
	RPC_PID=
}

# ctl ARGS...: Debian's supervisorctl on $CONF, bounded.
ctl() { timeout 30 $CTL -c "$CONF" "$@"; }

# py SCRIPT ARGS...: a client from rpc-clients/, given the socket.
py() {
	local s=$1
	shift
	timeout 60 $PY "$RPC_CLIENTS/$s" "$SOCK" "$@"
}

# state_of NAME: the statename supervisorctl shows for NAME.
state_of() { ctl status "$1" | awk '{ print $2; exit }'; }
state_is() { [ "$(state_of "$1")" = "$2" ]; }

# a_pid_of NAME: the service's pid from supervisorctl pid.
a_pid_of() { ctl pid "$1"; }
