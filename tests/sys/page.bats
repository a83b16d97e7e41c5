#!/usr/bin/env bats
# The status page at /: in a real browser (Debian's chromium, headless,
# driven by puppeteer-core from build/npm: `make deps` installs both),
# and without JavaScript, as curl sees it.

load common
load sup

setup() {
	sup_setup
	port=$(free_port)
	conf a <<-EOF
	[inet_http_server]
	username = admin
	password = pw-page
	port = 127.0.0.1:$port
	[program:web]
	startsecs = 0
	command = sleep 1000
	[program:worker]
	startsecs = 0
	command = sleep 1001
	[program:talker]
	command = sh -c 'echo talker-started; exec cat'
	startsecs = 0
	stdout_logfile = $T/talker.log
	[program:later]
	command = sleep 1000
	autostart = false
	EOF
	up a
}
teardown() { sup_teardown; }

# The page's answer to curl, with the session's cookies in $T/jar.
page_get() {
	curl -s -m 10 -u admin:pw-page -c "$T/jar" -b "$T/jar" \
	    "http://127.0.0.1:$port$1"
}

@test "page: a real browser sees the services live, follows a log, is refused without the token" {
	npm_dir=${WARDEN_NPM:-$WARDEN_TOP/build/npm}
	command -v chromium >/dev/null || skip "no chromium (make deps)"
	command -v node >/dev/null || skip "no node (make deps)"
	[ -d "$npm_dir/node_modules/puppeteer-core" ] ||
	    skip "no puppeteer-core in $npm_dir (make deps)"
	# Its own session, so that teardown ends chromium with it.
	NODE_PATH="$npm_dir/node_modules" HOME="$T" setsid \
	    timeout -k 5 100 node "$WARDEN_TOP/tests/sys/page.js" "$port" \
	    admin pw-page "$T" web=RUNNING worker=RUNNING talker=RUNNING \
	    later=STOPPED >"$T/browser.out" 2>&1 &
	pid=$!
	track_pid "$pid"
	rc=0
	wait "$pid" || rc=$?
	if [ -s "$T/browser.pid" ]; then
		track_pid "$(cat "$T/browser.pid")"
	fi
	cat "$T/browser.out"
	[ "$rc" -eq 0 ]
	[ "$(grep -c '^ok: ' "$T/browser.out")" -eq 7 ]
	# What the browser did, as the supervisor sees it.
	state_is worker STOPPED
	state_is web RUNNING
	# The screenshot, a PNG (kept with WARDEN_SCREENSHOT=FILE).
	[ "$(head -c 8 "$T/page.png" | od -An -tx1 | tr -d ' ')" = \
	    89504e470d0a1a0a ]
	if [ -n "$WARDEN_SCREENSHOT" ]; then
		cp "$T/page.png" "$WARDEN_SCREENSHOT"
	fi
}

@test "page: without JavaScript, the table renders and a form works" {
	run page_get /
	[ "$status" -eq 0 ]
	[[ "$output" == *'<tr data-name="web">'* ]]
	[[ "$output" == *'<tr data-name="later">'* ]]
	[[ "$output" == *'<span class="st st-RUNNING">RUNNING</span>'* ]]
	[[ "$output" == *'<span class="st st-STOPPED">STOPPED</span>'* ]]
	token=$(printf '%s\n' "$output" |
	    sed -n 's/.*name="token" value="\([0-9a-f]*\)".*/\1/p' | head -1)
	[ ${#token} -eq 32 ]
	grep -q warden_sid "$T/jar"
	# Small, and whole: nothing loaded from elsewhere.
	[ "${#output}" -lt 32768 ]
	[[ "$output" != *'src="http'* ]]
	[[ "$output" != *'href="http'* ]]
	# A GET of the action acts not.
	run curl -s -m 10 -o /dev/null -w '%{http_code}' -u admin:pw-page \
	    -b "$T/jar" "http://127.0.0.1:$port/action?token=$token&name=web&verb=stop"
	[ "$output" = 405 ]
	# A form without its token, or from elsewhere, is refused.
	run curl -s -m 10 -w ' %{http_code}' -u admin:pw-page -b "$T/jar" \
	    -H "Origin: http://127.0.0.1:$port" -d "name=web&verb=stop" \
	    "http://127.0.0.1:$port/action"
	[[ "$output" == *"refused"*" 403" ]]
	run curl -s -m 10 -o /dev/null -w '%{http_code}' -u admin:pw-page \
	    -b "$T/jar" -H "Origin: http://evil.example" \
	    -d "token=$token&name=web&verb=stop" "http://127.0.0.1:$port/action"
	[ "$output" = 403 ]
	state_is web RUNNING
	# The form as a browser sends it: done, and said on a page.
	run curl -s -m 10 -w ' %{http_code}' -u admin:pw-page -b "$T/jar" \
	    -e "http://127.0.0.1:$port/" \
	    -d "token=$token&name=web&verb=stop" "http://127.0.0.1:$port/action"
	[[ "$output" == *'<p id="result">web: STOPPING</p>'*" 200" ]]
	wait_until 10 state_is web STOPPED
	run curl -s -m 10 -u admin:pw-page -b "$T/jar" -e "http://127.0.0.1:$port/" \
	    -d "token=$token&name=later&verb=start" "http://127.0.0.1:$port/action"
	[[ "$output" == *"later: STARTING"* ]]
	wait_until 10 state_is later RUNNING
	# Without credentials, nothing.
	run curl -s -m 10 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/"
	[ "$output" = 401 ]
}

@test "page: the log view streams as text with nosniff; /events is a live stream" {
	run curl -s -m 2 -N -D "$T/head" -u admin:pw-page \
	    "http://127.0.0.1:$port/log/talker"
	[[ "$output" == *talker-started* ]]
	grep -qi '^X-Content-Type-Options: nosniff' "$T/head"
	grep -qi '^Content-Type: text/plain' "$T/head"
	run curl -s -m 1 -N -D "$T/head" -u admin:pw-page \
	    "http://127.0.0.1:$port/events"
	grep -qi '^Content-Type: text/event-stream' "$T/head"
	[[ "$output" == 'data: {"services": [{"name": "web", "state": "RUNNING"'* ]]
	run curl -s -m 10 -u admin:pw-page "http://127.0.0.1:$port/ps/talker"
	[[ "$output" == "session "* ]]
	[[ "$output" == *"exec cat"* || "$output" == *" cat"* ]]
	run curl -s -m 10 -u admin:pw-page "http://127.0.0.1:$port/ps/later"
	[ "$output" = "later: no processes" ]
}
