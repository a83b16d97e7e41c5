#!/bin/bash
# bench/sup.sh: the supervisor, side by side: `warden up` beside supervisord,
# runit (runsvdir/runsv) and s6 (s6-svscan/s6-supervise), all in one run.
#
# Measures (README.md, "Supervisor", says what each one means):
#   memory   the supervisor's own PSS with N_MEM `sleep` services, logs off
#   idle     context switches and system calls of the supervisor's
#            processes over WINDOW seconds with N_IDLE services
#   status   `status` of one service and of all N_MEM, client start-up
#            included (hyperfine -N)
#   restart  from a service's death (SIGKILL) to its first restart
#   start    N_START services, from the launch to all of them exec'd
#   orphans  grandchildren left alive after the service is stopped
#
# Every supervisor runs on private directories under one `mktemp -d`
# (configs, sockets, pidfiles, service directories), started by this script
# in a session of its own; never through systemd or an init script, and
# nothing under /etc or /run is touched.  Every service is `sleep TAG` (or a
# `sh` that ends in it) with a unique numeric TAG; TAGs all begin with
# 7<this script's pid, 7 digits>.  Cleanup (also on error or ^C) finds
# processes by /proc: an argument carrying that prefix or the temp dir, or
# a cwd under the temp dir; it stops them all (SIGSTOP, so no supervisor
# restarts anything), then SIGKILLs them by pid.  Never by name.
#
# Environment: BUILD (build; warden is $BUILD/warden), QUICK=1 (small counts,
# about 2 minutes), N_MEM (1000), N_IDLE (100), N_START (200), WINDOW (10 s),
# REPS (3 start-up runs per supervisor), KILLS (5 restarts per supervisor),
# RUNS (hyperfine minimum runs, 10), ONLY (some of: memory status idle
# restart orphans start; default all), SUPS (some of: warden supervisord
# runit s6; default all), HTTP=1 (warden and supervisord also serve
# XML-RPC: [unix_http_server] and [inet_http_server] on 127.0.0.1 in
# their configs, and memory is read again after RPC_CALLS (10)
# getAllProcessInfo calls; bench/rpc.sh runs memory and idle this way).
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
. "$here/lib.sh"
BUILD=${BUILD:-build}
W=$(cd "$BUILD" 2>/dev/null && pwd)/warden
if [ "${QUICK:-0}" = 1 ]; then
	: "${N_MEM:=200}" "${N_IDLE:=20}" "${N_START:=50}" "${WINDOW:=3}"
	: "${REPS:=1}" "${KILLS:=2}" "${RUNS:=5}"
fi
N_MEM=${N_MEM:-1000} N_IDLE=${N_IDLE:-100} N_START=${N_START:-200}
WINDOW=${WINDOW:-10} REPS=${REPS:-3} KILLS=${KILLS:-5} RUNS=${RUNS:-10}
HTTP=${HTTP:-0} RPC_CALLS=${RPC_CALLS:-10}

need="supervisord supervisorctl runsvdir runsv sv s6-svscan s6-supervise s6-svc s6-svstat strace hyperfine python3 setsid timeout"
miss=
for t in $need; do command -v "$t" >/dev/null || miss=1; done
if [ -n "$miss" ]; then
	# The peers come from Debian: supervisor, runit, s6.  tests/deps.sh
	# installs them as root (it only ever runs apt-get install).
	"$root/tests/deps.sh" supervisor runit s6 strace hyperfine python3 \
	    util-linux coreutils >&2 || exit 1
fi
for t in $need; do
	command -v "$t" >/dev/null || { echo "sup.sh: $t: not found" >&2; exit 1; }
done

sups=()
if [ -x "$W" ]; then
	sups+=(warden)
else
	echo "sup.sh: $W not built: warden rows skipped" >&2
fi
# SUPS (e.g. "warden") measures only those: a before-and-after of warden
# alone, beside one full run.
if [ -n "${SUPS:-}" ]; then
	keep=()
	for x in "${sups[@]}" supervisord runit s6; do
		case " $SUPS " in *" $x "*) keep+=("$x") ;; esac
	done
	sups=("${keep[@]}")
else
	sups+=(supervisord runit s6)
fi

T=$(mktemp -d "${TMPDIR:-/tmp}/warden-sup.XXXXXX") || exit 1
chmod 700 "$T"
printf -v tok '%07d' $$
P=7$tok			# every TAG starts with this
H=$here/proc.py	# the /proc helper
WPIDS=()		# every `warden up` daemon started
cleanup() {
	trap - EXIT INT TERM
	[ -d "$T" ] && teardown "$P" "$T"
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
# supervisord wants 3 pipes a child; runsvdir and s6-svscan a few fds each.
ulimit -n 16384 2>/dev/null || ulimit -n "$(ulimit -Hn)"

log() { echo "sup: $*" >&2; }
ms() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", (b - a) * 1000 }'; }

# --- per-supervisor set-up ---------------------------------------------------
# http_conf SUP DIR: with HTTP=1, the HTTP servers' sections for SUP's config
# (supervisord has its [unix_http_server] always: supervisorctl needs it).
http_conf() {
	local port
	[ "$HTTP" = 1 ] || return 0
	port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	if [ "$1" = warden ]; then
		printf '[unix_http_server]\nfile = %s/http.sock\n\n' "$2"
		printf '[rpcinterface:supervisor]\n'
		printf 'supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface\n\n'
	fi
	printf '[inet_http_server]\nport = 127.0.0.1:%s\n\n' "$port"
}

# mk SUP DIR CODE N [extra...]: write the configuration for N `sleep` services
# named s1..sN (TAG 7<tok><CODE>.<i>) in DIR; extras are NAME=COMMAND(,down)
# for probe services, down meaning configured but not started.
# Sets TAG_PRE to the services' TAG prefix.
mk() {
	local sup=$1 d=$2 code=$3 n=$4 i spec name cmd down
	shift 4
	TAG_PRE=$P$code.
	mkdir -p "$d"
	case $sup in
	warden | supervisord)
		{
			if [ "$sup" = warden ]; then
				printf '[warden]\nrundir = %s/run\n\n' "$d"
				printf '[supervisord]\nlogfile = %s/sup.log\n\n' "$d"
				http_conf "$sup" "$d"
			else
				printf '[unix_http_server]\nfile = %s/sd.sock\n\n' "$d"
				printf '[supervisord]\nlogfile = %s/sup.log\npidfile = %s/sd.pid\n' "$d" "$d"
				printf 'childlogdir = %s\nnodaemon = false\nminfds = 8192\n' "$d"
				printf 'minprocs = 200\nuser = root\nloglevel = warn\n\n'
				printf '[rpcinterface:supervisor]\n'
				printf 'supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface\n\n'
				printf '[supervisorctl]\nserverurl = unix://%s/sd.sock\n\n' "$d"
				http_conf "$sup" "$d"
			fi
			for ((i = 1; i <= n; i++)); do
				printf '[program:s%d]\ncommand = sleep %s%d\nstartsecs = 0\n' "$i" "$TAG_PRE" "$i"
				printf 'autorestart = true\nstdout_logfile = NONE\nstderr_logfile = NONE\n\n'
			done
			for spec in "$@"; do
				name=${spec%%=*} cmd=${spec#*=} down=
				case $cmd in *,down) cmd=${cmd%,down} down=1 ;; esac
				printf '[program:%s]\ncommand = %s\nstartsecs = 0\n' "$name" "${cmd//%/%%}"
				printf 'autorestart = true\nstdout_logfile = NONE\nstderr_logfile = NONE\n'
				[ -n "$down" ] && printf 'autostart = false\n'
				echo
			done
		} >"$d/$sup.conf"
		;;
	runit | s6)
		mkdir -p "$d/sv"
		for ((i = 1; i <= n; i++)); do
			mkdir "$d/sv/s$i"
			printf '#!/bin/sh\nexec sleep %s%d\n' "$TAG_PRE" "$i" >"$d/sv/s$i/run"
			chmod 755 "$d/sv/s$i/run"
		done
		for spec in "$@"; do
			name=${spec%%=*} cmd=${spec#*=} down=
			case $cmd in *,down) cmd=${cmd%,down} down=1 ;; esac
			mkdir "$d/sv/$name"
			printf '#!/bin/sh\nexec %s\n' "$cmd" >"$d/sv/$name/run"
			chmod 755 "$d/sv/$name/run"
			[ -n "$down" ] && : >"$d/sv/$name/down"
		done
		;;
	esac
}

# launch_cmd SUP DIR N: the command that starts SUP on DIR (as argv words).
launch_cmd() {
	case $1 in
	warden) echo "$W up -c $2/warden.conf" ;;
	supervisord) echo "supervisord -c $2/supervisord.conf" ;;
	runit) echo "runsvdir -P $2/sv" ;;
	# s6-svscan looks after at most 1000 services unless told (-c).
	s6) echo "s6-svscan -c $(($3 + 64)) $2/sv" ;;
	esac
}

# start SUP DIR N COUNT_EXPECTED TIMEOUT: start it, wait for COUNT sleeps of
# TAG_PRE; sets ROOT (the supervisor's pid) and UP_JSON.
start() {
	local sup=$1 d=$2 n=$3 want=$4 tmo=$5 wait_ret=0
	case $sup in warden | supervisord) wait_ret=1 ;; esac
	# shellcheck disable=SC2046
	UP_JSON=$(python3 "$H" launch "$TAG_PRE" "$want" "$tmo" "$wait_ret" "$d/launch.log" \
	    $(launch_cmd "$sup" "$d" "$n")) || {
		log "$sup: $want services not running within ${tmo}s: $UP_JSON"
		cat "$d/launch.log" "$d/sup.log" 2>/dev/null | tail -20 | sed 's/^/  | /' >&2
		return 1
	}
	case $sup in
	warden) ROOT=$(cat "$d/run/warden.pid" 2>/dev/null) && WPIDS+=("$ROOT") ;;
	supervisord)
		# The daemon writes its pidfile itself, a moment after forking.
		for ((wait_ret = 0; wait_ret < 100; wait_ret++)); do
			ROOT=$(cat "$d/sd.pid" 2>/dev/null) && [ -n "$ROOT" ] && break
			sleep 0.05
		done ;;
	*) ROOT=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["pid"])' "$UP_JSON") ;;
	esac
	[ -n "$ROOT" ] && [ -d "/proc/$ROOT" ] || { log "$sup: no supervisor pid"; return 1; }
}

# ctl SUP DIR VERB NAME: start/stop/status one service with SUP's own tool.
ctl() {
	local sup=$1 d=$2 verb=$3 name=$4
	case $sup:$verb in
	warden:*) "$W" "$verb" -s "$d/run/warden.sock" "$name" ;;
	supervisord:*) supervisorctl -c "$d/supervisord.conf" "$verb" "$name" ;;
	runit:start) sv up "$d/sv/$name" ;;
	runit:stop) sv -w 10 -v down "$d/sv/$name" ;;
	runit:status) sv status "$d/sv/$name" ;;
	s6:start) s6-svc -u "$d/sv/$name" ;;
	s6:stop) s6-svc -wd -T 10000 -d "$d/sv/$name" ;;
	s6:status) s6-svstat "$d/sv/$name" ;;
	esac
}

# teardown PRE DIR: stop every supervisor under DIR and all that is ours.
# warden first with its own `warden shutdown` (it removes the cgroups it
# made), bounded; then everything by /proc (proc.py reap); then the cgroups of
# any warden that did not get to remove them.
teardown() {
	local pre=$1 dir=$2 sock pid
	if [ -x "$W" ]; then
		for sock in "$dir"/run/warden.sock "$dir"/*/run/warden.sock; do
			[ -S "$sock" ] || continue
			pid=$(cat "${sock%/*}/warden.pid" 2>/dev/null)
			timeout 20 "$W" shutdown -s "$sock" >/dev/null 2>&1 &&
				[ -n "$pid" ] && wait_dead 20 "$pid"
		done
	fi
	python3 "$H" reap "$pre" "$dir"
	[ "${#WPIDS[@]}" = 0 ] || python3 "$H" cgtidy "${WPIDS[@]}"
}


# ------------------------------------------------------------------------------
echo "sup: $(nproc) CPUs, $(uname -r); supervisor $(supervisord -v 2>/dev/null)," \
    "runit $(dpkg-query -W -f '${Version}' runit 2>/dev/null)," \
    "s6 $(dpkg-query -W -f '${Version}' s6 2>/dev/null)," \
    "$("$W" --version 2>/dev/null || echo 'no warden')"
echo "sup: N_MEM=$N_MEM N_IDLE=$N_IDLE N_START=$N_START WINDOW=${WINDOW}s REPS=$REPS KILLS=$KILLS RUNS=$RUNS HTTP=$HTTP"

declare -A DIR ROOTS UPTIME STAMPTAG ORPHTAG GTAG TAGPRE C0 C1 PROCS
code=10

# === 1. memory, and status of one / all, with N_MEM services ===============
if want memory status; then
log "memory: starting each supervisor with $N_MEM services"
for s in "${sups[@]}"; do
	code=$((code + 1))
	d=$T/mem-$s
	mk "$s" "$d" "$code" "$N_MEM"
	DIR[$s]=$d
	start "$s" "$d" "$N_MEM" "$N_MEM" 300 || exit 1
	ROOTS[$s]=$ROOT TAGPRE[$s]=$TAG_PRE
	UPTIME[$s]=$(python3 -c 'import json,sys; print("%.2f" % json.loads(sys.argv[1])["exec"])' "$UP_JSON")
	sleep 2		# let it settle before the reading
	# shellcheck disable=SC2046
	set -- $(python3 "$H" supset "$TAG_PRE" "$ROOT")
	read -r pss rss < <(python3 "$H" pss "$@")
	echo "$s $# $pss $rss ${UPTIME[$s]}" >>"$T/mem.txt"
	log "  $s: pid $ROOT, $# processes, PSS $pss kB (all $N_MEM up in ${UPTIME[$s]} s)"
done
# With HTTP=1, memory once more after RPC_CALLS getAllProcessInfo calls
# over the UNIX HTTP server (rpc.py's client): what serving costs.
if [ "$HTTP" = 1 ] && want memory; then
	for s in "${sups[@]}"; do
		case $s in
		warden) sock=${DIR[$s]}/http.sock ;;
		supervisord) sock=${DIR[$s]}/sd.sock ;;
		*) continue ;;
		esac
		python3 "$here/rpc.py" time "$T/rpcmem.json" "$RPC_CALLS" "$N_MEM" "$s=$sock" || continue
		# shellcheck disable=SC2046
		read -r pss rss < <(python3 "$H" pss $(python3 "$H" supset "${TAGPRE[$s]}" "${ROOTS[$s]}"))
		echo "$s $pss" >>"$T/mem3.txt"
	done
fi
want memory || rm -f "$T/mem.txt"
fi

if want status; then
# hyperfine -N commands, as NAME COMMAND pairs (the names are the rows).
status_one=() status_all=()
for s in "${sups[@]}"; do
	d=${DIR[$s]}
	case $s in
	warden) status_one+=("warden status s1" "$W status -s $d/run/warden.sock s1")
		status_all+=("warden status" "$W status -s $d/run/warden.sock") ;;
	supervisord) status_one+=("supervisorctl status s1" "supervisorctl -c $d/supervisord.conf status s1")
		status_all+=("supervisorctl status" "supervisorctl -c $d/supervisord.conf status") ;;
	runit) status_one+=("sv status s1 (runit)" "sv status $d/sv/s1")
		all="sv status"
		for ((i = 1; i <= N_MEM; i++)); do all+=" $d/sv/s$i"; done
		status_all+=("sv status s1 … s$N_MEM (runit)" "$all") ;;
	s6) status_one+=("s6-svstat s1" "s6-svstat $d/sv/s1") ;;
	esac
done
# Each command once before timing: it must exit 0 (else hyperfine gets -i)
# and print one line, or N_MEM.
ok=1 hf1=() hfall=()
for ((i = 0; i < ${#status_one[@]}; i += 2)); do hf1+=(-n "${status_one[@]:i:2}"); done
for ((i = 0; i < ${#status_all[@]}; i += 2)); do hfall+=(-n "${status_all[@]:i:2}"); done
cmds=()
for ((i = 1; i < ${#status_one[@]}; i += 2)); do cmds+=("${status_one[i]}"); done
for ((i = 1; i < ${#status_all[@]}; i += 2)); do cmds+=("${status_all[i]}"); done
for c in "${cmds[@]}"; do
	# shellcheck disable=SC2086
	out=$(timeout 20 $c 2>&1)
	rc=$?
	[ "$rc" = 0 ] || { log "'${c:0:80}' exited $rc: ${out:0:300}"; ok=0; }
	log "  ${c:0:50}…: exit $rc, $(printf '%s\n' "$out" | wc -l) lines, first: $(printf '%s\n' "$out" | head -1)"
done
hf_ign=()
[ "$ok" = 1 ] || hf_ign=(-i)
log "status: hyperfine -N, one service, then all $N_MEM"
hyperfine -N "${hf_ign[@]}" --warmup 2 --min-runs "$RUNS" --style none \
    --export-json "$T/status1.json" "${hf1[@]}" </dev/null \
    >"$T/status1.out" 2>&1 || { cat "$T/status1.out" >&2; log "hyperfine failed"; exit 1; }
hyperfine -N "${hf_ign[@]}" --warmup 1 --min-runs $((RUNS > 9 ? RUNS / 2 : RUNS)) \
    --style none --export-json "$T/statusall.json" "${hfall[@]}" </dev/null \
    >"$T/statusall.out" 2>&1 || { cat "$T/statusall.out" >&2; log "hyperfine failed"; exit 1; }
# Memory again, after all those status requests.
for s in "${sups[@]}"; do
	# shellcheck disable=SC2046
	set -- $(python3 "$H" supset "${TAGPRE[$s]}" "${ROOTS[$s]}")
	read -r pss rss < <(python3 "$H" pss "$@")
	echo "$s $pss" >>"$T/mem2.txt"
done
fi
teardown "$P" "$T"

# === 2. idle, restart gap, orphans, with N_IDLE services ====================
if want idle restart orphans; then
STAMP=$T/stamps
mkdir -p "$STAMP"
log "idle: starting each supervisor with $N_IDLE services (+ $KILLS stamp and 1 orphan probes, down)"
for s in "${sups[@]}"; do
	code=$((code + 1))
	d=$T/idle-$s
	# stampK: writes its start time, then becomes the sleep.
	# orphan: leaves two grandchildren that ignore SIGTERM, one in the
	# service's process group, one in a session of its own.
	st=$P$code gt=${P}9$code
	stamps=()
	for ((k = 1; k <= KILLS; k++)); do
		stamps+=("stamp$k=sh -c 'date +%s.%N >> $STAMP/$s.$k; exec sleep ${st}1.$k',down")
	done
	mk "$s" "$d" "$code" "$N_IDLE" "${stamps[@]}" \
	    "orphan=sh -c '(trap \"\" TERM; exec sleep ${gt}.1) & (trap \"\" TERM; exec setsid sleep ${gt}.2) & exec sleep ${st}2.5',down"
	DIR[$s]=$d
	start "$s" "$d" "$N_IDLE" "$N_IDLE" 120 || exit 1
	ROOTS[$s]=$ROOT
	STAMPTAG[$s]=${st}1 ORPHTAG[$s]=${st}2.5 GTAG[$s]=$gt
	TAGPRE[$s]=$TAG_PRE
done

if want idle; then
sleep 2
for s in "${sups[@]}"; do
	PROCS[$s]=$(python3 "$H" supset "${TAGPRE[$s]}" "${ROOTS[$s]}")
	C0[$s]=$(python3 "$H" ctx ${PROCS[$s]})
done
log "idle: context switches over ${WINDOW}s"
sleep "$WINDOW"
for s in "${sups[@]}"; do
	C1[$s]=$(python3 "$H" ctx ${PROCS[$s]})
done
# strace only after: its attaching wakes every process it traces.
log "idle: strace -c -f over ${WINDOW}s"
spids=()
for s in "${sups[@]}"; do
	pargs=()
	for p in ${PROCS[$s]}; do pargs+=(-p "$p"); done
	timeout -s INT "$WINDOW" strace -c -f -o "$T/strace.$s" "${pargs[@]}" 2>"$T/strace.$s.err" &
	spids+=($!)
done
for p in "${spids[@]}"; do wait "$p"; done
for s in "${sups[@]}"; do
	n=$(set -- ${PROCS[$s]}; echo $#)
	calls=$(awk '$NF == "total" { print $4 }' "$T/strace.$s")
	top=$(awk '/^-/ { f++; next } f == 1 && NF >= 5 { print $NF " " $4 }' "$T/strace.$s" |
	    sort -k2,2nr | head -3 | paste -sd, | sed 's/,/, /g')
	echo "$s|$n|$((C1[$s] - C0[$s]))|${calls:-0}|${top:-–}" >>"$T/idle.txt"
	log "  $s: $n processes, $((C1[$s] - C0[$s])) switches, ${calls:-0} syscalls ${top}"
done
fi

if want restart; then
log "restart: $KILLS first restarts per supervisor, service = sh -c 'date >> F; exec sleep'"
# Each sample is a first restart: one service of its own per sample (a
# supervisor may count quick deaths in a row), started by hand, running
# 1.5 s (s6 and runit throttle a restart within 1 s of the start), then
# SIGKILLed; the gap from the kill to the new stamp is taken; then it is
# stopped by hand.
for s in "${sups[@]}"; do
	d=${DIR[$s]}
	for ((k = 1; k <= KILLS; k++)); do
		tag=${STAMPTAG[$s]}.$k f=$STAMP/$s.$k
		ctl "$s" "$d" start "stamp$k" >/dev/null 2>&1
		# Wait (≤ 10 s) for the start: its stamp and its sleep.
		for ((w = 0; w < 1000; w++)); do
			[ -s "$f" ] && pid=$(sleep_of "$tag") && break
			sleep 0.01
		done
		[ "$w" -lt 1000 ] || { log "$s: stamp$k did not start"; echo "$s|timeout" >>"$T/restart.txt"; continue; }
		sleep 1.5
		t0=$EPOCHREALTIME
		kill -KILL "$pid"
		for ((w = 0; w < 1000; w++)); do
			[ "$(wc -l <"$f")" -gt 1 ] && break
			sleep 0.005
		done
		if [ "$w" -lt 1000 ]; then
			echo "$s|$(ms "$t0" "$(sed -n 2p "$f")")" >>"$T/restart.txt"
		else
			log "$s: no restart within 5 s"
			echo "$s|timeout" >>"$T/restart.txt"
		fi
		ctl "$s" "$d" stop "stamp$k" >/dev/null 2>&1
	done
	log "  $s: $(grep "^$s|" "$T/restart.txt" | cut -d'|' -f2 | paste -sd' ') ms"
done
# The floor: the same sh -c, run by this shell, from fork to its stamp.
for ((k = 1; k <= KILLS; k++)); do
	t0=$EPOCHREALTIME
	sh -c "date +%s.%N >> $STAMP/floor"
	echo "floor|$(ms "$t0" "$(tail -1 "$STAMP/floor")")" >>"$T/restart.txt"
done
fi

if want orphans; then
log "orphans: stop a service that left grandchildren ignoring SIGTERM"
r() { dead "$1" && echo "✓ gone" || echo "✗ alive"; }
for s in "${sups[@]}"; do
	d=${DIR[$s]} tag=${ORPHTAG[$s]} gt=${GTAG[$s]}
	ctl "$s" "$d" start orphan >/dev/null 2>&1
	for ((w = 0; w < 500; w++)); do
		main=$(sleep_of "$tag") && g1=$(sleep_of "$gt.1") && g2=$(sleep_of "$gt.2") && break
		sleep 0.01
	done
	if [ "$w" -ge 500 ]; then
		log "$s: orphan service did not start"
		echo "$s|not started|||||" >>"$T/orphans.txt"
		continue
	fi
	sleep 0.5
	t0=$EPOCHREALTIME
	out=$(timeout 30 bash -c "$(declare -f ctl); W=$W; ctl $s $d stop orphan" 2>&1)
	rc=$?
	took=$(ms "$t0" "$EPOCHREALTIME")
	# Give a supervisor that kills what is left 2 s to do it.
	wait_dead 2 "$g1" "$g2"
	echo "$s|$rc|$took|$(r "$main")|$(r "$g1")|$(r "$g2")" >>"$T/orphans.txt"
	log "  $s: stop exit $rc in $took ms ($(printf '%s' "$out" | head -1)); main $(r "$main"), group $(r "$g1"), session $(r "$g2")"
	kill -KILL "$g1" "$g2" 2>/dev/null
done
fi
teardown "$P" "$T"
fi

# === 3. start-up: N_START services, launch to all exec'd ===================
if want start; then
log "start: $N_START services, $REPS runs per supervisor"
for ((r = 1; r <= REPS; r++)); do
	for s in "${sups[@]}"; do
		code=$((code + 1))
		d=$T/start-$s-$r
		mk "$s" "$d" "$code" "$N_START"
		if start "$s" "$d" "$N_START" "$N_START" 60; then
			echo "$s $UP_JSON" >>"$T/start.txt"
			log "  $s run $r: $UP_JSON"
		else
			echo "$s {\"exec\": null, \"ret\": null}" >>"$T/start.txt"
		fi
		teardown "$P$code." "$d"
		rm -rf "$d"
	done
done
fi

# === report ===================================================================
python3 - "$T" "$N_MEM" "$N_IDLE" "$N_START" "$WINDOW" "$HTTP" "$here" "$RPC_CALLS" <<'EOF'
import json, os, statistics as st, sys
rcalls = int(sys.argv[8])
sys.path.insert(0, sys.argv[7])
from proc import hf_table
T, nmem, nidle, nstart, win, http = sys.argv[1], *map(int, sys.argv[2:7])
on = ", both HTTP servers on (unix and inet)" if http else ""

def med(v): return st.median(v) if v else float("nan")
def ratio(a, b): return "%.2f×" % (a / b) if b else "–"
def have(f): return os.path.exists(os.path.join(T, f))

def memory():
    print("\n### Memory: the supervisor's own PSS, %d `sleep` services, logs off%s\n" % (nmem, on))
    rows = [l.split() for l in open(T + "/mem.txt")]
    after = dict(l.split() for l in open(T + "/mem2.txt")) if have("mem2.txt") else {}
    rpc = dict(l.split() for l in open(T + "/mem3.txt")) if have("mem3.txt") else {}
    w = next((float(r[2]) for r in rows if r[0] == "warden"), None)
    rcol = " PSS MiB after %d getAllProcessInfo |" % rcalls if http else ""
    print("| supervisor | its processes | PSS MiB | KiB per service | × warden | PSS MiB after the status runs |%s RSS MiB (info) | all %d running after s (info) |" % (rcol, nmem))
    print("|---|---:|---:|---:|---:|---:|---:|---:|" + ("---:|" if http else ""))
    for s, n, pss, rss, up in rows:
        pss, rss = float(pss), float(rss)
        mib = lambda d: "%.2f" % (float(d[s]) / 1024) if s in d else "–"
        print("| %s | %s | %.2f | %.1f | %s | %s |%s %.1f | %s |" % (
            s, n, pss / 1024, pss / nmem, ratio(pss, w) if w else "–",
            mib(after), " %s |" % mib(rpc) if http else "", rss / 1024, up))
    if w is not None:
        extra = ""
        if "warden" in after:
            extra += "; %.2f MiB after the status runs" % (float(after["warden"]) / 1024)
        if "warden" in rpc:
            extra += "; %.2f MiB after %d getAllProcessInfo" % (float(rpc["warden"]) / 1024, rcalls)
        print("\ntarget warden ≤ 2 MiB: %s (%.2f MiB%s)" % (
            "met" if w <= 2048 else "NOT met", w / 1024, extra))

def idle():
    print("\n### Idle: %d services, %d s%s\n" % (nidle, win, on))
    print("| supervisor | its processes | context switches | system calls (strace -c -f) | most frequent |")
    print("|---|---:|---:|---:|---|")
    res = {}
    for l in open(T + "/idle.txt"):
        s, n, cs, calls, top = l.rstrip("\n").split("|")
        res[s] = (int(cs), int(calls))
        print("| %s | %s | %s | %s | %s |" % (s, n, cs, calls, top))
    if "warden" in res:
        cs, calls = res["warden"]
        print("\ntarget warden 0 and 0: %s (%d switches, %d system calls)" %
              ("met" if cs == 0 and calls == 0 else "NOT met", cs, calls))

def hf(path, ref, title, target):
    res, b = hf_table(path, ref, title)
    wr = next((r for r in res if r["command"].startswith("warden")), None)
    if wr and b:	# with SUPS=, the reference may not have run
        print("\n" + target(wr, b))

def status():
    hf(T + "/status1.json", "s6-svstat s1",
       "Status of one service, client start-up included (hyperfine -N, %d services up)" % nmem,
       lambda w, b: "target warden ≤ 1.5× s6-svstat (mean): %s (%.2f×; median %.2f×)" % (
           "met" if w["mean"] <= 1.5 * b["mean"] else "NOT met",
           w["mean"] / b["mean"], w["median"] / b["median"]))
    hf(T + "/statusall.json", "warden status",
       "Status of all %d services in one call (hyperfine -N; s6 has no such call)" % nmem,
       lambda w, b: "target warden < 5 ms (mean): %s (%.2f ms; median %.2f ms)" % (
           "met" if w["mean"] < 5e-3 else "NOT met", w["mean"] * 1e3, w["median"] * 1e3))

def restart():
    print("\n### From a service's death to its first restart (SIGKILL, then the new `date` stamp)\n")
    gaps = {}
    for l in open(T + "/restart.txt"):
        s, v = l.rstrip("\n").split("|")
        gaps.setdefault(s, []).append(None if v == "timeout" else float(v))
    w = med([g for g in gaps.get("warden", []) if g is not None]) if "warden" in gaps else None
    print("| supervisor | restarts | median ms | min ms | max ms | × warden (median) |")
    print("|---|---:|---:|---:|---:|---:|")
    for s, v in gaps.items():
        ok = [g for g in v if g is not None]
        name = s if s != "floor" else "floor: this shell runs the same `sh -c` (fork to stamp)"
        if not ok:
            print("| %s | 0 (timeout) | – | – | – | – |" % name); continue
        print("| %s | %d%s | %.1f | %.1f | %.1f | %s |" % (
            name, len(ok), "" if len(ok) == len(v) else " (+%d timeouts)" % (len(v) - len(ok)),
            med(ok), min(ok), max(ok), ratio(med(ok), w) if w and s != "floor" else "–"))
    if w is not None:
        print("\ntarget warden < 5 ms: %s (median %.1f ms)" % ("met" if w < 5 else "NOT met", w))

def start():
    print("\n### Start-up: %d services, from the launch to all %d `sleep`s exec'd\n" % (nstart, nstart))
    runs = {}
    for l in open(T + "/start.txt"):
        s, j = l.split(" ", 1)
        runs.setdefault(s, []).append(json.loads(j))
    def ok(v, k): return [r[k] * 1e3 for r in v if r.get(k) is not None]
    rmed = med(ok(runs.get("runit", []), "exec"))
    print("| supervisor | runs | median ms | min ms | max ms | launcher returned, median ms | ratio to runit (median) |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for s, v in runs.items():
        e, r = ok(v, "exec"), ok(v, "ret")
        if not e:
            print("| %s | 0 of %d | – | – | – | – | – |" % (s, len(v))); continue
        print("| %s | %d%s | %.0f | %.0f | %.0f | %s | %s |" % (
            s, len(e), "" if len(e) == len(v) else " of %d" % len(v), med(e), min(e), max(e),
            "%.0f" % med(r) if r else "never (stays in the foreground)",
            ratio(med(e), rmed)))
    if runs.get("warden") and ok(runs["warden"], "exec"):
        we = med(ok(runs["warden"], "exec"))
        print("\ntarget warden ≤ 0.5× runit (median): %s (%.2f×)" % (
            "met" if we <= 0.5 * rmed else "NOT met", we / rmed))

def orphans():
    print("\n### A grandchild left alive after stopping the service\n")
    print("Service: `sh -c '(trap \"\" TERM; exec sleep A) & (trap \"\" TERM; exec setsid sleep B) & exec sleep C'`; "
          "A stays in the service's process group, B makes a session of its own; both ignore SIGTERM.\n")
    print("| supervisor | stop command | exit | took ms | the service (C) | grandchild A (same group) | grandchild B (own session) | survivors |")
    print("|---|---|---:|---:|---|---|---|---:|")
    stopcmd = {"warden": "`warden stop orphan`", "supervisord": "`supervisorctl stop orphan`",
               "runit": "`sv -w 10 -v down DIR/orphan`", "s6": "`s6-svc -wd -d DIR/orphan`"}
    for l in open(T + "/orphans.txt"):
        s, rc, took, c, a, b = l.rstrip("\n").split("|")
        print("| %s | %s | %s | %s | %s | %s | %s | %s |" % (
            s, stopcmd.get(s, ""), rc, took, c, a, b,
            (a + b).count("alive") if c else "–"))

for f, fn in (("mem.txt", memory), ("idle.txt", idle), ("status1.json", status),
              ("restart.txt", restart), ("start.txt", start), ("orphans.txt", orphans)):
    if have(f):
        fn()
EOF
