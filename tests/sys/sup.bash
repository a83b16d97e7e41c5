# Helpers for the supervisor's tests (load common, then load sup): a run
# directory in $T/run, the config written from stdin, the supervisor
# started, asked and shut down by its pid.

sup_setup() {
	common_setup
	mkdir -m 700 "$T/run"
	export WARDEN_SOCKET="$T/run/warden.sock"
}

# sup_stop: the supervisor is asked to shut down (SIGTERM when its socket
# is elsewhere), then killed if it will not go.
sup_stop() {
	local p
	if [ -s "$T/run/warden.pid" ]; then
		p=$(cat "$T/run/warden.pid")
		"$W" shutdown >/dev/null 2>&1 || kill -TERM "$p" 2>/dev/null
		wait_gone "$p" 10 || kill -KILL "$p" 2>/dev/null
		wait_gone "$p" 5
	fi
}

sup_teardown() {
	sup_stop
	common_teardown
}

# conf NAME: write $T/NAME.conf from stdin, after a [warden] section
# (with the supervisor's own log in $SUP_LOG when that is set).
conf() {
	{
		printf '[warden]\nrundir = %s/run\n' "$T"
		if [ -n "$SUP_LOG" ]; then
			printf 'logfile = %s\n' "$SUP_LOG"
		fi
		printf '\n'
		cat
	} >"$T/$1.conf"
}

# up NAME: start the supervisor on $T/NAME.conf; it returns 0 once every
# autostart service is ready (a start that never settles fails).
up() {
	timeout 60 "$W" up -c "$T/$1.conf"
	track_pid "$(cat "$T/run/warden.pid")"
}

# up_failed NAME: as up, for a config where an autostart service fails:
# up must say so and exit 3 (FATAL, or retrying), the supervisor running.
up_failed() {
	local rc=0
	timeout 60 "$W" up -c "$T/$1.conf" || rc=$?
	track_pid "$(cat "$T/run/warden.pid")"
	[ "$rc" -eq 3 ]
}

# up_run NAME: run up on $T/NAME.conf for its $status and $output; the
# supervisor it started is tracked.
up_run() {
	run timeout 60 "$W" up -c "$T/$1.conf"
	track_pid "$(cat "$T/run/warden.pid")"
}

# down: shut the supervisor down and wait until it is gone.
down() {
	local p
	p=$(cat "$T/run/warden.pid")
	"$W" shutdown >/dev/null
	wait_gone "$p" 20
}

# svc_field NAME FIELD: a field of the service in status --json.
svc_field() {
	"$W" status --json | python3 -c '
import json, sys
for s in json.load(sys.stdin)["services"]:
    if s["name"] == sys.argv[1]:
        v = s[sys.argv[2]]
        print("null" if v is None else v)
' "$1" "$2"
}

# state_of NAME: its state, from the plain status (quicker than --json).
state_of() { "$W" status "$1" | awk '{ print $2; exit }'; }

# state_is NAME STATE: the service is in STATE now.
state_is() { [ "$(state_of "$1")" = "$2" ]; }

# now_ms: the wall clock in milliseconds.
now_ms() { date +%s%3N; }

# within SECONDS CMD...: poll CMD until it succeeds, for SECONDS of wall
# clock at most (wait_until counts rounds; some checks are slow).
within() {
	local end=$(($(now_ms) + $1 * 1000))
	shift
	until "$@"; do
		[ "$(now_ms)" -lt "$end" ] || return 1
		sleep 0.02
	done
}
