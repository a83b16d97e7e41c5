#!/bin/bash
# bench/logs.sh: log throughput, side by side: `warden up` beside supervisord,
# s6-log (fed through a pipe, as s6-svscan sets it up), svlogd (runit's, the
# same way) and, when npm can install it, pm2, all in one run.
#
# A producer (bench/flood.c, compiled here with cc -O2) writes MIB MiB of
# numbered 100-byte lines to its stdout; the time is from its first write
# until the last line, whole, is in the log file.  Rows (README.md, "Logs",
# says what each means):
#   bulk   CHUNK-byte writes (64 KiB): warden (no rotation, and rotating at
#          50 MiB), supervisord, s6-log with and without -b, pm2
#   line   one write(2) per line: warden, supervisord, s6-log -b, pm2
#   ts     timestamps: warden log_timestamps=tai64n and iso8601 beside
#          s6-log's t and T directives, in CHUNK writes and a write per line
#   lat    a lone line's delay from write(2) to the file (p50, p99, max),
#          LAT_N lines LAT_GAP s apart: warden, supervisord, s6-log -b,
#          svlogd, cat
# For each: MiB/s, the logger's CPU time and its peak RSS (VmHWM), and a
# check of every line in the files it wrote (count, order, whole).
#
# Everything runs in one `mktemp -d` (configs, sockets, pidfiles, logs);
# nothing under /etc or /run is used, no supervisor is started through
# systemd.  Every process started carries the temp dir in an argument, so
# cleanup (after each row, and on exit or ^C) finds them by /proc and kills
# them by pid.  Never by name.
#
# Environment: BUILD (build; warden is $BUILD/warden), MIB (512), CHUNK
# (65536 bytes a write for bulk and ts), REPS (1: runs per row; the median
# is shown), TMO (300 s a row), ONLY (some of: bulk line ts lat), ROWS (row
# keys, comma separated: w w50 sd s6b s6 s6b50 sv pm2 cat lw lsd ls6b lsv
# lpm2 lcat tw ts6b iw is6b ltw liw lts6b aw asd as6b asv acat), LAT_N (200),
# LAT_GAP (0.01), PM2 (1; 0 skips pm2), PM2_PREFIX (an npm prefix where pm2 is
# already installed; otherwise it is installed into the temp dir).
# TMPDIR=/dev/shm puts the logs on tmpfs, away from the disk.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
BUILD=${BUILD:-build}
W=$(cd "$BUILD" 2>/dev/null && pwd)/warden
export MIB=${MIB:-512} CHUNK=${CHUNK:-65536} REPS=${REPS:-1} TMO=${TMO:-300}

need="supervisord supervisorctl s6-log svlogd python3 cc"
miss=
for t in $need; do command -v "$t" >/dev/null || miss=1; done
if [ -n "$miss" ]; then
	"$root/tests/deps.sh" supervisor s6 runit python3 gcc >&2 || exit 1
fi
for t in $need; do
	command -v "$t" >/dev/null || { echo "logs.sh: $t: not found" >&2; exit 1; }
done
[ -x "$W" ] || echo "logs.sh: $W not built: warden rows skipped" >&2
export W

T=$(mktemp -d "${TMPDIR:-/tmp}/warden-logs.XXXXXX") || exit 1
chmod 700 "$T"
cleanup() {
	trap - EXIT INT TERM
	python3 -B "$here/logs.py" reap "$T"
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

export FLOOD=$T/flood
cc -O2 -o "$FLOOD" "$here/flood.c" || exit 1

# pm2, from the npm registry, into the temp dir (or PM2_PREFIX).
PM2BIN=
if [ "${PM2:-1}" != 0 ]; then
	if [ -n "${PM2_PREFIX:-}" ] && [ -x "$PM2_PREFIX/bin/pm2" ]; then
		PM2BIN=$PM2_PREFIX/bin/pm2
	elif command -v npm >/dev/null; then
		echo "logs: npm install -g --prefix $T/npm pm2" >&2
		if timeout 300 npm install -g --prefix "$T/npm" pm2 \
		    </dev/null >"$T/npm.log" 2>&1 && [ -x "$T/npm/bin/pm2" ]; then
			PM2BIN=$T/npm/bin/pm2
		else
			echo "logs: pm2 did not install; pm2 rows skipped:" >&2
			tail -5 "$T/npm.log" >&2
		fi
	else
		echo "logs: no npm; pm2 rows skipped" >&2
	fi
fi
export PM2=$PM2BIN

# pm2's daemon names its PM2_HOME, in the temp dir, in its argv: reap finds it.
python3 -B "$here/logs.py" run "$T"
rc=$?
echo
echo "Versions: $("$W" --version 2>/dev/null | head -1 || echo 'warden –')," \
    "supervisor $(dpkg-query -W -f '${Version}' supervisor 2>/dev/null)," \
    "s6 $(dpkg-query -W -f '${Version}' s6 2>/dev/null)," \
    "runit $(dpkg-query -W -f '${Version}' runit 2>/dev/null)," \
    "pm2 $([ -n "$PM2BIN" ] && PM2_HOME=$T/pm2v "$PM2BIN" --version 2>/dev/null | tail -1 || echo 'not run')," \
    "node $(node --version 2>/dev/null || echo –); logs on $(df -T "$T" | awk 'NR == 2 { print $2 }')."
exit $rc
