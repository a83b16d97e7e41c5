#!/usr/bin/env bats
# warden help and the usage errors: the same bytes as they always were.

load common

EXPECTED="$WARDEN_TOP/tests/sys/expected"
COMMANDS="help inspect logs notify ps reexec reload restart run shutdown start
    status stop up version"

# transcript ARGS...: one line "$ warden ARGS", then what it printed to
# stdout and stderr, then its exit status.  getopt's own complaints
# ("run: unrecognized option ...") are left out: each libc words them
# its own way (glibc, musl).
transcript() {
	local rc=0
	echo "\$ warden $*"
	"$W" "$@" >"$T/out" 2>&1 || rc=$?
	grep -v "^$1: " "$T/out" || :
	echo "exit $rc"
}

@test "usage: warden help, --help and -h list every command" {
	run "$W" help
	[ "$status" -eq 0 ]
	diff -u "$EXPECTED/help.txt" - <<<"$output"
	run "$W" --help
	[ "$status" -eq 0 ]
	diff -u "$EXPECTED/help.txt" - <<<"$output"
	run "$W" -h
	[ "$status" -eq 0 ]
	diff -u "$EXPECTED/help.txt" - <<<"$output"
	# With no command, the same list goes to stderr, and it is an error.
	run "$W"
	[ "$status" -eq 2 ]
	diff -u "$EXPECTED/help.txt" - <<<"$output"
}

@test "usage: warden help COMMAND, for every command" {
	local c
	for c in $COMMANDS; do
		transcript help "$c"
	done >"$T/got"
	transcript help bogus >>"$T/got"
	diff -u "$EXPECTED/help-commands.txt" "$T/got"
}

@test "usage: a bad option prints the command's usage and exits 2" {
	local c line
	export WARDEN_SOCKET="$T/no-such.sock"
	for c in $COMMANDS; do
		[ "$c" = help ] || [ "$c" = version ] && continue
		run "$W" "$c" --bogus-opt
		[ "$status" -eq 2 ]
		line=$("$W" help "$c" | head -1)
		[[ "$output" == *"$line"* ]]
		transcript "$c" --bogus-opt
	done >"$T/got"
	diff -u "$EXPECTED/usage-errors.txt" "$T/got"
}

@test "usage: errors with a message of their own keep it" {
	export WARDEN_SOCKET="$T/no-such.sock"
	{
		transcript run --umask 999 x
		transcript run --env bad x
		transcript run --ready-timeout x y
		transcript run --syslog -o f x
		transcript run --ready bogus x
		transcript stop --pidfile f --signal FOO
		transcript stop --pidfile f --timeout x
		transcript notify --pid 0 A=b
		transcript notify bad
		transcript ps 0
		transcript inspect x
		transcript logs -n x foo
		transcript bogus
	} >"$T/got"
	diff -u "$EXPECTED/usage-messages.txt" "$T/got"
}

@test "usage: missing arguments print the usage and exit 2" {
	export WARDEN_SOCKET="$T/no-such.sock"
	{
		transcript run
		transcript run -F
		transcript stop
		transcript stop --pidfile f extra
		transcript status --pidfile f extra
		transcript start
		transcript restart
		transcript notify
		transcript inspect
		transcript inspect 1 2
		transcript logs
		transcript logs --rotate -f foo
		transcript logs --supervisor --stderr
		transcript up extra
	} >"$T/got"
	diff -u "$EXPECTED/usage-missing.txt" "$T/got"
}
