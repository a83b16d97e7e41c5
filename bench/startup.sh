#!/bin/bash
# bench/startup.sh: how long each launcher takes to turn `sleep` into a
# daemon, measured with hyperfine, all tools in one run, side by side.
#
# What is timed, per tool: from invocation until the launcher has returned,
# the command runs (the pid is a `sleep`, i.e. exec has happened) and the
# pidfile names it.  Launchers that return before that point (daemonize,
# libslack daemon, start-stop-daemon) are charged the wait, by a busy loop
# of shell builtins appended to the command; for warden the loop must end at
# once, because `warden run` returns only after exec and the pidfile write.
# `setsid -f` has no pidfile: it is timed until it returns.
#
# A second, smaller hyperfine run times `warden run` against `setsid -f`
# with no shell (-N), for the head-to-head ratio without hyperfine's
# shell-spawn correction (DIRECT=0 skips it).
#
# Environment: BUILD (default build; warden is $BUILD/warden), RUNS (60),
# WARMUP (3), DIRECT (1).
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
BUILD=${BUILD:-build}
RUNS=${RUNS:-60}
WARMUP=${WARMUP:-3}
W=$(cd "$BUILD" 2>/dev/null && pwd)/warden

for t in hyperfine setsid daemonize daemon start-stop-daemon python3; do
	command -v "$t" >/dev/null || { echo "startup.sh: $t: not found" >&2; exit 1; }
done

T=$(mktemp -d "${TMPDIR:-/tmp}/warden-bench.XXXXXX") || exit 1
chmod 700 "$T"
tok=$$
names=() cmds=() tags=() pidfiles=() kinds=()
cleanup() {
	local i
	for i in "${!tags[@]}"; do
		reap "${tags[$i]}" ${pidfiles[$i]}
	done
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# wait_pidfile F: builtins only; ends when F names a live `sleep`.
wait_pidfile() {
	printf '%s' "n=0; until [ -s $1 ] && read p < $1 && { read c < /proc/\$p/comm; } 2>/dev/null && [ \"\$c\" = sleep ]; do n=\$((n+1)); [ \$n -lt 500000 ] || exit 1; done"
}
# libslack daemon: the pidfile names daemon's own supervisor process; the
# client's pid goes to NAME.clientpid beside it.  Wait for both.
wait_libslack() {
	printf '%s' "n=0; until [ -s $1 ] && read p < $1 && [ -e /proc/\$p ] && [ -s $2 ] && read q < $2 && { read c < /proc/\$q/comm; } 2>/dev/null && [ \"\$c\" = sleep ]; do n=\$((n+1)); [ \$n -lt 500000 ] || exit 1; done"
}

add() { # NAME KIND TAG PIDFILES CMD
	names+=("$1") kinds+=("$2") tags+=("$3") pidfiles+=("$4") cmds+=("$5")
}
i=0
if [ -x "$W" ]; then
	i=$((i + 1)) tag=1000.$tok$i f=$T/warden.pid
	add "warden run" pidfile "$tag" "$f" \
	    "$W run --pidfile $f -- sleep $tag && $(wait_pidfile "$f")"
else
	echo "startup.sh: $W not built: warden row skipped" >&2
fi
i=$((i + 1)) tag=1000.$tok$i
add "setsid -f" none "$tag" "" "setsid -f sleep $tag"
i=$((i + 1)) tag=1000.$tok$i f=$T/daemonize.pid
add "daemonize" pidfile "$tag" "$f" \
    "daemonize -p $f /bin/sleep $tag && $(wait_pidfile "$f")"
i=$((i + 1)) tag=1000.$tok$i f=$T/ssd.pid
add "start-stop-daemon" pidfile "$tag" "$f" \
    "start-stop-daemon --start --background --make-pidfile --pidfile $f --exec /bin/sleep -- $tag && $(wait_pidfile "$f")"
i=$((i + 1)) tag=1000.$tok$i f=$T/libslack.pid c=$T/libslack.clientpid
add "daemon (libslack)" libslack "$tag" "$f $c" \
    "daemon --pidfile=$f -- /bin/sleep $tag && $(wait_libslack "$f" "$c")"

# Outside the timing loop, once per tool: the command returns 0, and then
# the pidfile exists and names a live `sleep TAG`.
echo "startup: checking each command once (pidfile names a live sleep)"
bad=0
for i in "${!names[@]}"; do
	tag=${tags[$i]}
	set -- ${pidfiles[$i]}
	reap "$tag" "$@"
	(cd "$T" && timeout 10 sh -c "${cmds[$i]}") </dev/null >"$T/verify.out" 2>&1
	rc=$?
	# setsid -f returns before its child has exec'd: give it 2 s.
	for ((k = 0; k < 40; k++)); do
		s=$(sleep_of "$tag") && break
		sleep 0.05
	done
	case ${kinds[$i]} in
	none) want=$s; p=$s ;;
	pidfile) p=$(cat "$1" 2>/dev/null); want=$p ;;
	libslack) p=$(cat "$1" 2>/dev/null); want=$(cat "$2" 2>/dev/null) ;;
	esac
	if [ "$rc" = 0 ] && [ -n "$s" ] && [ "$want" = "$s" ] && ! dead "$s"; then
		what="pid $s is sleep $tag"
		[ "${kinds[$i]}" = pidfile ] && what="pidfile names $what"
		[ "${kinds[$i]}" = libslack ] &&
			what="pidfile names daemon's supervisor $p; .clientpid names $what"
		printf '  ok   %-18s %s\n' "${names[$i]}" "$what"
	else
		printf '  FAIL %-18s exit %s, sleep pid "%s", pidfile says "%s" %s\n' \
		    "${names[$i]}" "$rc" "$s" "$p" "$(head -c 300 "$T/verify.out")"
		bad=1
	fi
	reap "$tag" "$@"
done
[ "$bad" = 0 ] || { echo "startup.sh: a launcher failed its check" >&2; exit 1; }

args=(--runs "$RUNS" --warmup "$WARMUP" --style none
    --export-json "$T/startup.json")
for i in "${!names[@]}"; do
	args+=(--prepare "bash $here/lib.sh reap ${tags[$i]} ${pidfiles[$i]}")
done
clean="bash -c '. $here/lib.sh"
for i in "${!names[@]}"; do clean+="; reap ${tags[$i]} ${pidfiles[$i]}"; done
args+=(--cleanup "$clean'")
for i in "${!names[@]}"; do args+=(-n "${names[$i]}" "${cmds[$i]}"); done

echo "startup: hyperfine, $RUNS runs + $WARMUP warmups per tool ($(nproc) CPUs, $(uname -r))"
(cd "$T" && hyperfine "${args[@]}") </dev/null >"$T/hyperfine.out" 2>&1 || {
	cat "$T/hyperfine.out" >&2
	echo "startup.sh: hyperfine failed" >&2
	exit 1
}
# hyperfine subtracts the cost of spawning its shell (sh -c); it warns when
# a command takes under 5 ms, because that correction is then a large part.
grep -v -e 'less than 5 ms' -e '^ *$' "$T/hyperfine.out"
grep -q 'less than 5 ms' "$T/hyperfine.out" &&
	echo "(hyperfine: some commands took < 5 ms, where its shell-spawn correction is coarse)"

# Supplement: warden run against setsid -f with no shell at all (hyperfine
# -N), which removes the shell-spawn correction and its noise.  Fair without
# a wait loop: warden returns only after exec and the pidfile write (checked
# above), setsid -f is timed until it returns, as in the main table.
direct=
if [ -x "$W" ] && [ "${DIRECT:-1}" = 1 ]; then
	(cd "$T" && hyperfine -N --runs "$RUNS" --warmup "$WARMUP" --style none \
	    --export-json "$T/direct.json" \
	    --prepare "bash $here/lib.sh reap ${tags[0]} ${pidfiles[0]}" \
	    --prepare "bash $here/lib.sh reap ${tags[1]}" \
	    --cleanup "$clean'" \
	    -n "warden run" "$W run --pidfile ${pidfiles[0]} -- sleep ${tags[0]}" \
	    -n "setsid -f" "setsid -f sleep ${tags[1]}") </dev/null \
	    >"$T/direct.out" 2>&1 && direct=$T/direct.json ||
	    { cat "$T/direct.out" >&2; echo "startup.sh: hyperfine -N failed" >&2; }
fi

python3 - "$T/startup.json" $direct <<'EOF'
import json, sys
res = json.load(open(sys.argv[1]))["results"]
base = next((r["mean"] for r in res if r["command"] == "setsid -f"), None)
print()
bmed = next((r["median"] for r in res if r["command"] == "setsid -f"), None)
print("| tool | mean ms | stddev ms | median ms | min ms | max ms | ratio to setsid -f (mean) | (median) |")
print("|---|---:|---:|---:|---:|---:|---:|---:|")
for r in res:
    ratio = r["mean"] / base if base else float("nan")
    mratio = r["median"] / bmed if bmed else float("nan")
    print("| %s | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f× | %.2f× |" % (
          r["command"], r["mean"] * 1e3, r["stddev"] * 1e3,
          r["median"] * 1e3, r["min"] * 1e3, r["max"] * 1e3, ratio, mratio))
w = next((r for r in res if r["command"] == "warden run"), None)
print()
if w and base:
    ratio = w["mean"] / base
    print("target warden run <= 1.5x setsid -f (mean): %s (%.2fx; median %.2fx)" %
          ("met" if ratio <= 1.5 else "NOT met", ratio, w["median"] / bmed))
else:
    print("target warden run <= 1.5x setsid -f: not measured (no warden)")
if len(sys.argv) > 2:
    d = {r["command"]: r for r in json.load(open(sys.argv[2]))["results"]}
    w, b = d["warden run"], d["setsid -f"]
    print()
    print("Without a shell (hyperfine -N), warden run vs setsid -f:")
    print()
    print("| tool | mean ms | stddev ms | median ms | min ms | ratio (mean) | (median) |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for r in (w, b):
        print("| %s | %.2f | %.2f | %.2f | %.2f | %.2f× | %.2f× |" % (
              r["command"], r["mean"] * 1e3, r["stddev"] * 1e3,
              r["median"] * 1e3, r["min"] * 1e3, r["mean"] / b["mean"],
              r["median"] / b["median"]))
EOF
