#!/usr/bin/env bats
# GET /metrics: Prometheus's text format on both HTTP servers, behind
# their password; checked by promtool and by its values.

load common
load sup

setup() {
	sup_setup
	SUP_LOG=$T/sup.log
	port=$(free_port)
	conf m <<-EOF
	[unix_http_server]
	file = $T/run/http.sock
	[inet_http_server]
	port = 127.0.0.1:$port
	username = user
	password = 123
	[program:run]
	command = sleep 1000
	startsecs = 0
	autorestart = true
	[program:talk]
	command = sh -c 'echo "line from talk"; echo "to stderr" >&2; exec sleep 1000'
	startsecs = 0
	stdout_logfile = $T/talk.out
	stderr_logfile = $T/talk.err
	[program:bad]
	command = false
	startsecs = 1
	startretries = 0
	[program:idle]
	command = sleep 1000
	autostart = false
	EOF
	up_failed m
	within 10 state_is bad FATAL
}
teardown() { sup_teardown; }

# scrape: /metrics from the inet server, with the password.
scrape() { curl -sf -u user:123 "http://127.0.0.1:$port/metrics"; }

# value SERIES: the value of one series, e.g. 'warden_services{state="FATAL"}'.
value() { scrape | awk -v s="$1" 'index($0, s " ") == 1 { print $2 }'; }

# svc_series FAMILY NAME [EXTRA]: a service's series, labels as written.
svc_series() { printf '%s{name="%s",group="%s"%s}' "$1" "$2" "$2" "${3:-}"; }

# gt A B: A > B, as numbers.
gt() { [ "$(awk -v a="$1" -v b="$2" 'BEGIN { print (a > b) }')" = 1 ]; }

@test "metrics: 200 with the password, 401 without, 405 for a POST; HEAD" {
	run curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/metrics"
	[ "$output" = 401 ]
	run curl -s -o /dev/null -w '%{http_code}' -u user:bad \
	    "http://127.0.0.1:$port/metrics"
	[ "$output" = 401 ]
	run curl -s -o /dev/null -w '%{http_code} %{content_type}' -u user:123 \
	    "http://127.0.0.1:$port/metrics"
	[ "$output" = "200 text/plain; version=0.0.4; charset=utf-8" ]
	run curl -s -o /dev/null -w '%{http_code}' -u user:123 -d x \
	    "http://127.0.0.1:$port/metrics"
	[ "$output" = 405 ]
	# HEAD: the length of the body a GET would get, no body.
	run curl -s -I -u user:123 "http://127.0.0.1:$port/metrics"
	[ "$status" -eq 0 ]
	[[ "$output" == *"Content-Length: "* ]]
	# The unix server has no password: it answers the same families.
	run curl -sf --unix-socket "$T/run/http.sock" http://localhost/metrics
	[ "$status" -eq 0 ]
	[[ "$output" == *'warden_services{state="RUNNING"} 2'* ]]
}

@test "metrics: promtool accepts it, and every family has samples" {
	command -v promtool >/dev/null || skip "no promtool (Debian's prometheus)"
	scrape >"$T/m.txt"
	run promtool check metrics <"$T/m.txt"
	echo "$output"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	run awk '$1 == "#" && $2 == "TYPE" { print $3 }' "$T/m.txt"
	[ "${#lines[@]}" -eq 14 ]
	for f in "${lines[@]}"; do
		case $f in
		warden_service_memory_bytes|warden_service_cpu_seconds_total)
			# Only with a cgroup per service (and its controller).
			grep -q "a cgroup per service" "$SUP_LOG" || continue
			[ "$f" = warden_service_cpu_seconds_total ] || continue
			;;
		esac
		grep -qE "^$f(\{| )" "$T/m.txt" || { echo "no samples: $f"; false; }
	done
}

@test "metrics: states, up, ready, the FATAL one's exit status" {
	[ "$(value 'warden_services{state="RUNNING"}')" = 2 ]
	[ "$(value 'warden_services{state="FATAL"}')" = 1 ]
	[ "$(value 'warden_services{state="STOPPED"}')" = 1 ]
	[ "$(value 'warden_services{state="BACKOFF"}')" = 0 ]
	[ "$(value "$(svc_series warden_service_state bad ',state="FATAL"')")" = 1 ]
	[ "$(value "$(svc_series warden_service_state bad ',state="RUNNING"')")" = 0 ]
	[ "$(value "$(svc_series warden_service_state idle ',state="STOPPED"')")" = 1 ]
	[ "$(value "$(svc_series warden_service_up run)")" = 1 ]
	[ "$(value "$(svc_series warden_service_up bad)")" = 0 ]
	[ "$(value "$(svc_series warden_service_ready run)")" = 1 ]
	[ "$(value "$(svc_series warden_service_ready idle)")" = 0 ]
	[ "$(value "$(svc_series warden_service_last_exit_status bad)")" = 1 ]
	# Never started: no start time, no exit status.
	[ -z "$(value "$(svc_series warden_service_start_time_seconds idle)")" ]
	[ -z "$(value "$(svc_series warden_service_last_exit_status idle)")" ]
	now=$(date +%s)
	t=$(value "$(svc_series warden_service_start_time_seconds run)")
	[ "$t" -le "$now" ] && [ "$t" -gt $((now - 120)) ]
	t=$(value warden_supervisor_start_time_seconds)
	[ "$t" -le "$now" ] && [ "$t" -gt $((now - 120)) ]
	[ "$(scrape | grep -c '^warden_build_info{version="[^"]*"} 1$')" = 1 ]
}

@test "metrics: restarts_total after a crash, start time after a restart" {
	r=$(svc_series warden_service_restarts_total run)
	[ "$(value "$r")" = 0 ]
	pid=$(svc_field run pid)
	kill -TERM "$pid"
	within 10 eval '[ "$(value "$r")" = 1 ]'
	within 10 state_is run RUNNING
	[ "$(value "$(svc_series warden_service_last_exit_status run)")" = 143 ]
	# A restart asked for is no automatic one; the start time moves.
	t0=$(value "$(svc_series warden_service_start_time_seconds talk)")
	sleep 1.1	# the start time counts whole seconds
	"$W" restart talk
	t1=$(value "$(svc_series warden_service_start_time_seconds talk)")
	gt "$t1" "$t0"
	[ "$(value "$(svc_series warden_service_restarts_total talk)")" = 0 ]
}

@test "metrics: log bytes written grow with each line; nothing held" {
	out=$(svc_series warden_service_log_bytes_total talk ',stream="stdout"')
	err=$(svc_series warden_service_log_bytes_total talk ',stream="stderr"')
	within 10 eval '[ "$(value "$out")" = 15 ]'	# "line from talk\n"
	within 10 eval '[ "$(value "$err")" = 10 ]'	# "to stderr\n"
	"$W" restart talk
	within 10 eval '[ "$(value "$out")" = 30 ]'
	[ "$(stat -c %s "$T/talk.out")" = 30 ]
	[ "$(value "$(svc_series warden_service_log_held_bytes talk ',stream="stdout"')")" = 0 ]
}

@test "metrics: control requests counted by transport" {
	c0=$(value 'warden_control_requests_total{transport="control"}')
	h0=$(value 'warden_control_requests_total{transport="http"}')
	"$W" status >/dev/null || true
	c1=$(value 'warden_control_requests_total{transport="control"}')
	h1=$(value 'warden_control_requests_total{transport="http"}')
	[ "$c1" -eq $((c0 + 1)) ]
	[ "$h1" -eq $((h0 + 2)) ]	# this scrape and the one before
}
