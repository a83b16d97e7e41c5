#!/bin/bash
# bench/ready.sh: how soon `warden up` returns once its service is ready.
#
# The service (bench/readyping.c, compiled here with cc -O2) waits DELAY ms,
# reads CLOCK_MONOTONIC and says READY=1 on $NOTIFY_SOCKET (ready=notify) or
# writes a newline on fd 3 (ready=fd:3); it writes the time it read to a
# stamp file afterwards.  Right after `warden up -c F` returns, the bench
# reads the same clock: the gap is from the ready message to the return.
# Beside it, as a peer: s6-svwait -U on an s6-supervise'd service with
# notification-fd 3, and a floor (this Python reading the newline from a
# pipe).  RUNS runs each, interleaved; median, min and max.
#
# Everything runs in one `mktemp -d`; each process started carries the
# temp dir in an argument and is killed by pid at the end (and on ^C).
#
# Environment: BUILD (build; warden is $BUILD/warden), RUNS (20), DELAY
# (100 ms before the service says it is ready).
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
BUILD=${BUILD:-build}
W=$(cd "$BUILD" 2>/dev/null && pwd)/warden
export RUNS=${RUNS:-20} DELAY=${DELAY:-100}

need="s6-supervise s6-svc s6-svwait python3 cc"
miss=
for t in $need; do command -v "$t" >/dev/null || miss=1; done
if [ -n "$miss" ]; then
	"$root/tests/deps.sh" s6 python3 gcc >&2 || exit 1
fi
for t in $need; do
	command -v "$t" >/dev/null || { echo "ready.sh: $t: not found" >&2; exit 1; }
done
[ -x "$W" ] || echo "ready.sh: $W not built: warden rows skipped" >&2
export W

T=$(mktemp -d "${TMPDIR:-/tmp}/warden-ready.XXXXXX") || exit 1
chmod 700 "$T"
cleanup() {
	trap - EXIT INT TERM
	python3 -B "$here/ready.py" reap "$T"
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

export RP=$T/readyping
cc -O2 -o "$RP" "$here/readyping.c" || exit 1
python3 -B "$here/ready.py" run "$T"
