#!/bin/bash
# bench/rpc.sh: supervisord's wire protocol, side by side: `warden up` and
# supervisord on the same unmodified supervisord.conf, driven over XML-RPC.
#
# Measures (README.md, "XML-RPC", says what each one means):
#   calls    supervisor.getAllProcessInfo over N processes, a raw client
#            (bench/rpc.py) on a kept-alive UNIX socket connection
#   ctl      `supervisorctl -c CONF status`, end to end (hyperfine -N)
#   metrics  warden's GET /metrics and its status page (GET /) over N
#            services beside supervisord's
#            getAllProcessInfo (it has no metrics of its own: that call,
#            which an exporter makes, is the nearest thing), same client
#   memory   PSS with N_MEM services, both HTTP servers on  } bench/sup.sh
#   idle     wakeups over WINDOW seconds, both HTTP servers on } with HTTP=1
#
# One supervisord.conf, written once (echo_supervisord_conf's sections,
# every path %(here)s), is copied unchanged into two directories under one
# `mktemp -d`; each supervisor runs on its copy.  Every service is
# `sleep TAG`, TAG = 6<this script's pid, 7 digits>.  supervisord's
# [unix_http_server] is also where warden puts its own control socket
# unless told otherwise, and warden's run directory as root is /run/warden:
# so as root the script runs itself again in a mount namespace of its own
# (unshare -m) with a tmpfs on /run there, and the host's /run is never
# written.  Cleanup (also on error or ^C): `warden shutdown`, then every
# process that carries TAG or the temp dir, SIGSTOP then SIGKILL, by pid
# (bench/proc.py reap).  Never by name.
#
# Environment: BUILD (build; warden is $BUILD/warden), N (1000 processes),
# CALLS (50 timed calls per supervisor), RUNS (hyperfine minimum runs, 10),
# QUICK=1 (N=200 CALLS=20 RUNS=3, and QUICK=1 for sup.sh), ONLY (some of:
# calls ctl metrics memory idle; default all), SUPS (some of: warden supervisord;
# default both).  memory and idle take N_MEM (default N), N_IDLE and WINDOW
# as bench/sup.sh does.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
BUILD=${BUILD:-build}
W=$(cd "$BUILD" 2>/dev/null && pwd)/warden

if [ "$(id -u)" = 0 ] && [ -z "${RPC_NS:-}" ]; then
	if unshare --mount --propagation private true 2>/dev/null; then
		RPC_NS=1 exec unshare --mount --propagation private "$BASH" "$0" "$@"
	fi
	RPC_NS=none
fi
if [ "${RPC_NS:-}" = 1 ]; then
	mount -t tmpfs -o mode=0755,size=16m rpcbench-run /run || exit 1
	ln -s /dev/shm /run/shm && mkdir -m 1777 /run/lock
fi
. "$here/lib.sh"
H=$here/proc.py
R=$here/rpc.py

if [ "${QUICK:-0}" = 1 ]; then
	: "${N:=200}" "${CALLS:=20}" "${RUNS:=3}"
fi
N=${N:-1000} CALLS=${CALLS:-50} RUNS=${RUNS:-10}

need="supervisord supervisorctl hyperfine python3 timeout unshare"
for t in $need; do
	command -v "$t" >/dev/null && continue
	"$root/tests/deps.sh" supervisor hyperfine python3 util-linux coreutils >&2 || exit 1
	break
done
for t in $need; do
	command -v "$t" >/dev/null || { echo "rpc.sh: $t: not found" >&2; exit 1; }
done

sups=()
if [ ! -x "$W" ]; then
	echo "rpc.sh: $W not built: warden rows skipped" >&2
elif [ "${RPC_NS:-}" = none ]; then
	echo "rpc.sh: no mount namespace (unshare -m): warden would use /run/warden; warden rows skipped" >&2
else
	sups+=(warden)
fi
sups+=(supervisord)
if [ -n "${SUPS:-}" ]; then
	keep=()
	for x in "${sups[@]}"; do
		case " $SUPS " in *" $x "*) keep+=("$x") ;; esac
	done
	sups=("${keep[@]}")
fi

log() { echo "rpc: $*" >&2; }

T=$(mktemp -d "${TMPDIR:-/tmp}/warden-rpc.XXXXXX") || exit 1
chmod 700 "$T"
printf -v TAG '6%07d' $$
# Not root: warden's default run directory is $XDG_RUNTIME_DIR/warden.
[ "$(id -u)" = 0 ] || export XDG_RUNTIME_DIR=$T/xdg
WPIDS=()
# teardown: warden shuts down by its own command (it removes its cgroups),
# bounded; then everything of ours by /proc; then a killed warden's cgroups.
teardown() {
	local pid
	if [ -x "$W" ] && [ -f "$T/warden/supervisord.conf" ]; then
		pid=$(cat "$T/warden/supervisord.pid" 2>/dev/null)
		timeout 20 "$W" shutdown -c "$T/warden/supervisord.conf" >/dev/null 2>&1 &&
			[ -n "$pid" ] && wait_dead 20 "$pid"
	fi
	python3 "$H" reap "$TAG" "$T"
	[ "${#WPIDS[@]}" = 0 ] || python3 "$H" cgtidy "${WPIDS[@]}"
}
cleanup() {
	trap - EXIT INT TERM
	[ -d "$T" ] && teardown
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
# supervisord wants 3 pipes and 2 log files a child.
ulimit -n 16384 2>/dev/null || ulimit -n "$(ulimit -Hn)"

# conf N: a supervisord.conf as echo_supervisord_conf writes it, paths in
# %(here)s, then N programs `sleep TAG` with every other key left default.
conf() {
	local i
	cat <<-'EOF'
	[unix_http_server]
	file = %(here)s/supervisor.sock
	chmod = 0700

	[supervisord]
	logfile = %(here)s/supervisord.log
	logfile_maxbytes = 50MB
	logfile_backups = 10
	loglevel = info
	pidfile = %(here)s/supervisord.pid
	childlogdir = %(here)s/log
	nodaemon = false
	minfds = 1024
	minprocs = 200

	[rpcinterface:supervisor]
	supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

	[supervisorctl]
	serverurl = unix://%(here)s/supervisor.sock

	EOF
	for ((i = 1; i <= $1; i++)); do
		printf '[program:x%d]\ncommand = sleep %s\n\n' "$i" "$TAG"
	done
}

echo "rpc: $(nproc) CPUs, $(uname -r); supervisor $(supervisord -v 2>/dev/null)," \
    "$("$W" --version 2>/dev/null || echo 'no warden'); N=$N CALLS=$CALLS RUNS=$RUNS"

declare -A ROOT
if want calls ctl metrics; then
conf "$N" >"$T/supervisord.conf"
for s in "${sups[@]}"; do
	d=$T/$s
	mkdir -p "$d/log"
	cp "$T/supervisord.conf" "$d/supervisord.conf"
	log "$s: starting with $N programs"
	case $s in
	warden) setsid "$W" up -c "$d/supervisord.conf" </dev/null >"$d/up.log" 2>&1 ;;
	supervisord) setsid supervisord -c "$d/supervisord.conf" </dev/null >"$d/up.log" 2>&1 ;;
	esac
	rc=$?
	# supervisord writes its pidfile a moment after it has forked.
	for ((i = 0; i < 100; i++)); do
		ROOT[$s]=$(cat "$d/supervisord.pid" 2>/dev/null) && [ -n "${ROOT[$s]}" ] && break
		sleep 0.05
	done
	[ "$s" = warden ] && [ -n "${ROOT[$s]}" ] && WPIDS+=("${ROOT[$s]}")
	if [ "$rc" != 0 ] || [ -z "${ROOT[$s]}" ]; then
		log "$s: did not start (exit $rc): $(tail -3 "$d/up.log")"
		echo "$s: did not start (exit $rc)" >>"$T/failed.txt"
		continue
	fi
	if up=$(python3 "$R" wait "$d/supervisor.sock" "$N" 300); then
		log "  $s: pid ${ROOT[$s]}, all $N RUNNING (getAllProcessInfo) after $up s"
	else
		log "  $s: pid ${ROOT[$s]}, $up"
		echo "$s: getAllProcessInfo: ${up#error: }" >>"$T/failed.txt"
	fi
done
# What the two said of the config, as a sample (warden lists every key
# it ignores).
grep -hE ' (WARN|CRIT|ERRO)|warden: ' "$T"/*/up.log "$T"/*/supervisord.log 2>/dev/null |
    sed "s|$T/||" | sort -u | head -12 | sed 's/^/rpc:   | /' >&2

if want calls; then
	targets=()
	for s in "${sups[@]}"; do
		[ -n "${ROOT[$s]:-}" ] && targets+=("$s=$T/$s/supervisor.sock")
	done
	log "calls: supervisor.getAllProcessInfo, $CALLS calls each, interleaved"
	[ "${#targets[@]}" = 0 ] || python3 "$R" time "$T/calls.json" "$CALLS" "$N" "${targets[@]}"
	for s in "${sups[@]}"; do
		[ -n "${ROOT[$s]:-}" ] && [ -d "/proc/${ROOT[$s]}" ] || continue
		# shellcheck disable=SC2046
		read -r pss _ < <(python3 "$H" pss $(python3 "$H" supset "$TAG" "${ROOT[$s]}"))
		echo "$s $pss" >>"$T/pss.txt"
	done
fi

if want metrics; then
	targets=()
	[ -n "${ROOT[warden]:-}" ] &&
		targets+=("warden /metrics=metrics:$T/warden/supervisor.sock"
		    "warden page /=page:$T/warden/supervisor.sock")
	[ -n "${ROOT[supervisord]:-}" ] &&
		targets+=("supervisord getAllProcessInfo=$T/supervisord/supervisor.sock")
	log "metrics: warden's GET /metrics beside supervisord's getAllProcessInfo, $CALLS calls each"
	[ "${#targets[@]}" = 0 ] || python3 "$R" time "$T/metrics.json" "$CALLS" "$N" "${targets[@]}"
fi

if want ctl; then
	hf=()
	rows=()
	for s in "${sups[@]}"; do
		rows+=("supervisorctl → $s" "supervisorctl -c $T/$s/supervisord.conf status")
	done
	# warden's own client beside it, on the same config (information).
	case " ${sups[*]} " in *" warden "*)
		rows+=("warden status -c → warden" "$W status -c $T/warden/supervisord.conf") ;;
	esac
	for ((i = 0; i < ${#rows[@]}; i += 2)); do
		c=${rows[i + 1]}
		# shellcheck disable=SC2086
		out=$(timeout 60 $c 2>&1)
		rc=$?
		lines=$(printf '%s\n' "$out" | grep -c .)
		log "  ${rows[i]}: exit $rc, $lines lines, first: $(printf '%s\n' "$out" | head -1)"
		if [ "$rc" = 0 ] && [ "$lines" = "$N" ]; then
			hf+=(-n "${rows[i]}" "$c")
		else
			echo "${rows[i]}: exit $rc, $lines lines: $(printf '%s\n' "$out" | head -1)" >>"$T/failed.txt"
		fi
	done
	if [ "${#hf[@]}" -gt 0 ]; then
		log "ctl: hyperfine -N, $N processes"
		hyperfine -N --warmup 1 --min-runs "$RUNS" --style none \
		    --export-json "$T/ctl.json" "${hf[@]}" </dev/null >"$T/ctl.out" 2>&1 ||
			{ cat "$T/ctl.out" >&2; log "hyperfine failed"; exit 1; }
	fi
fi
teardown
python3 "$R" report "$T" "$N" "$CALLS"
fi

# Memory and idle with both HTTP servers on: bench/sup.sh's own measures.
if want memory idle && [ "${#sups[@]}" -gt 0 ]; then
	only=
	want memory && only+=" memory"
	want idle && only+=" idle"
	echo
	echo "Memory and idle with both HTTP servers on (HTTP=1 bench/sup.sh):"
	HTTP=1 ONLY="${only# }" SUPS="${sups[*]}" N_MEM=${N_MEM:-$N} \
	    bash "$here/sup.sh" || exit 1
fi
