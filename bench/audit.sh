#!/bin/bash
# bench/audit.sh: the hostile-parent audit (DAEMON-SPEC.md §2.0) of each
# daemonizer beside `warden run`, printed as a markdown table.
#
# Each launcher is started inside a pty (`script -qec CMD /dev/null`, so a
# daemon that kept its session would show a controlling tty) through
# tests/helpers/hostile.py: SIGTERM and SIGUSR1 blocked, SIGCHLD and SIGHUP
# ignored, umask 077, fd 7 open on a file without CLOEXEC, EVIL_VAR=1 in the
# environment, cwd = a fresh temp dir.  Every other inherited fd (>= 3) is
# closed first, so the results do not depend on who runs the script.
#
# The payload is always `sleep TAG` with a unique duration TAG; once the
# launcher has returned, the sleep is found by scanning /proc/*/cmdline and
# probed from /proc.  Then the functional test: `kill -TERM` the sleep (and
# then the pid in the pidfile when that is a different, supervising process):
# did it die within 2 s?  Everything left is SIGKILLed by pid, with its
# process group.
#
# Environment: BUILD (default build; warden is $BUILD/warden).
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
BUILD=${BUILD:-build}
W=$(cd "$BUILD" 2>/dev/null && pwd)/warden
HOSTILE=$here/../tests/helpers/hostile.py
PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3)

for t in script setsid nohup daemonize daemon start-stop-daemon cc "$PY"; do
	command -v "$t" >/dev/null || { echo "audit.sh: $t: not found" >&2; exit 1; }
done
[ -r "$HOSTILE" ] || { echo "audit.sh: $HOSTILE: missing" >&2; exit 1; }

T=$(mktemp -d "${TMPDIR:-/tmp}/warden-audit.XXXXXX") || exit 1
chmod 700 "$T"
tok=$$
tags=() pidfiles=()
cleanup() {
	local i
	for i in "${!tags[@]}"; do reap "${tags[$i]}" ${pidfiles[$i]}; done
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

cc -O2 -o "$T/daemon3" "$here/daemon3.c" || { echo "audit.sh: cc failed" >&2; exit 1; }

# python3 -c "$CLOSE_EXEC" CMD...: exec CMD with every fd >= 3 closed.
CLOSE_EXEC='import os, sys
os.closerange(3, os.sysconf("SC_OPEN_MAX"))
os.execvp(sys.argv[1], sys.argv[1:])'

hexv() { # strip leading zeros: 0000000000004200 -> 0x4200
	local v
	v=$(printf '%s' "$1" | sed 's/^0*//')
	printf '0x%s' "${v:-0}"
}
stdio_name() { # what fd N of PID points to, in a word
	local l
	l=$(readlink "/proc/$1/fd/$2" 2>/dev/null) || { echo closed; return; }
	case $l in
	/dev/null) echo null ;;
	/dev/pts/* | /dev/tty*) echo "tty" ;;
	pipe:*) echo pipe ;;
	socket:*) echo socket ;;
	*) echo "${l##*/}" ;;
	esac
}

rows=() said=() survived=() stopped=() notrun=()
n=0

# probe PID [sup]: set the c_* cells for process PID (see the table
# header); "sup" when PID is a supervising process rather than the payload.
probe() {
	local p=$1 blk ign um cwd fds f fdn l
	stat_fields "$p" || return 1
	if [ "$S_SID" = "$p" ]; then c_sl="✗ yes (sid=pid)"; else c_sl="✓ no"; fi
	if [ "$S_TTY" = 0 ] && [ "$S_TPGID" = -1 ]; then
		c_tty="✓ none"
	else
		c_tty="✗ tty_nr=$S_TTY tpgid=$S_TPGID"
	fi
	blk=$(awk '/^SigBlk:/ {print $2}' "/proc/$p/status")
	ign=$(awk '/^SigIgn:/ {print $2}' "/proc/$p/status")
	um=$(awk '/^Umask:/ {print $2}' "/proc/$p/status")
	[ "$(hexv "$blk")" = 0x0 ] && c_blk="✓ 0" || c_blk="✗ $(hexv "$blk")"
	[ "$(hexv "$ign")" = 0x0 ] && c_ign="✓ 0" || c_ign="✗ $(hexv "$ign")"
	[ "$um" != 0077 ] && c_um="✓ $um" || c_um="✗ $um"
	cwd=$(readlink "/proc/$p/cwd")
	if [ "$cwd" = / ]; then c_cwd="✓ /"; elif [ "$cwd" = "$T" ]; then
		c_cwd="✗ launch dir"; else c_cwd="✗ $cwd"; fi
	fds=
	for f in /proc/"$p"/fd/*; do
		fdn=${f##*/}
		[ "$fdn" -gt 2 ] 2>/dev/null || continue
		l=$(readlink "$f" 2>/dev/null)
		[ "${l#"$T"/}" != "$l" ] && l=${l#"$T"/}
		fds+="${fds:+, }$fdn→$l"
	done
	if [ -z "$fds" ]; then
		c_fds="✓ none"
	elif [ "${2-}" = sup ] && [ "${fds#*leak.}" = "$fds" ]; then
		# A supervisor keeps working fds of its own (pidfile lock,
		# signalfd, pipes): information.  Only an inherited leak counts.
		c_fds="✓ own: $fds"
	else
		c_fds="✗ $fds"
	fi
	if tr '\0' '\n' <"/proc/$p/environ" | grep -q '^EVIL_VAR='; then
		c_env="kept"
	else
		c_env="dropped"
	fi
	c_io="$(stdio_name "$p" 0),$(stdio_name "$p" 1),$(stdio_name "$p" 2)"
	case $c_io in
	*tty* | *closed*) c_io="✗ $c_io" ;;
	*) c_io="✓ $c_io" ;;
	esac
}

# audit NAME PIDFILE CMD: CMD is sh syntax, run by hostile.py in the pty;
# @TAG@ in CMD stands for the unique sleep duration.
audit() {
	local name=$1 pf=$2 cmd=$3 tag rc s i l sup="" pfpid="" new surv=""
	local c_exit c_sl c_tty c_blk c_ign c_um c_cwd c_fds c_env c_io c_pf
	local c_kill c_sup suprow=""
	n=$((n + 1))
	tag=2000.$tok$n
	cmd=${cmd//@TAG@/$tag}
	tags+=("$tag") pidfiles+=("$pf")

	(cd "$T" && exec "$PY" -c "$CLOSE_EXEC" \
	    env SHELL=/bin/sh timeout 20 script -qec \
	    "$PY $HOSTILE $T/leak.$n $cmd" /dev/null) </dev/null \
	    >"$T/out.$n" 2>&1
	rc=$?
	[ "$rc" = 0 ] && c_exit="✓ 0" || c_exit="✗ $rc"
	l=$(tr -d '\r' <"$T/out.$n" | head -c 200 | tr '\n' ' ')
	[ -n "$l" ] && said+=("$name: $l")

	s=
	for ((i = 0; i < 60; i++)); do
		s=$(sleep_of "$tag") && break
		sleep 0.05
	done
	if [ -z "$s" ] || ! probe "$s"; then
		rows+=("| $name | $c_exit | no \`sleep $tag\` found | | | | | | | | | | | |")
		notrun+=("$name")
		reap "$tag" $pf
		return
	fi
	# The pidfile, and a supervising process (the pidfile's pid when that
	# is not the sleep, or a parent that carries TAG).
	if [ -n "$pf" ]; then
		set -- $pf
		pfpid=$(head -n 1 "$1" 2>/dev/null)
		if [ -z "$pfpid" ]; then c_pf="✗ missing"
		elif [ "$pfpid" = "$s" ]; then c_pf="✓ the sleep"
		elif has_tag "$pfpid" "$tag"; then
			c_pf="its supervisor"
			sup=$pfpid
		else c_pf="✗ $pfpid (not ours)"
		fi
	else
		c_pf="–"
	fi
	[ -z "$sup" ] && has_tag "$S_PPID" "$tag" && sup=$S_PPID
	row="| $name | $c_exit | $c_sl | $c_tty | $c_blk | $c_ign | $c_um | $c_cwd | $c_fds | $c_env | $c_io | $c_pf"
	if [ -n "$sup" ]; then
		probe "$sup" sup
		# A supervisor may block signals to read them from a signalfd:
		# its mask is information; the kill test below is the verdict.
		c_blk=${c_blk#[✓✗] }
		suprow="| ↳ its supervisor \`$(cat "/proc/$sup/comm")\` (pid $sup, parent of the sleep) | – | $c_sl | $c_tty | $c_blk (info) | $c_ign | $c_um | $c_cwd | $c_fds | $c_env | $c_io | –"
	fi

	# Functional test 1: a plain kill of the sleep.
	kill -TERM "$s" 2>/dev/null
	if wait_dead 2 "$s"; then
		c_kill="✓ died"
		if [ -n "$sup" ] && ! dead "$sup"; then
			new=
			for ((i = 0; i < 60; i++)); do
				new=$(sleep_of "$tag") && break
				sleep 0.05
			done
			if [ -n "$new" ] && probe "$new"; then
				c_kill+=", respawned in < 3 s (new sleep: SigBlk ${c_blk#[✓✗] }, SigIgn ${c_ign#[✓✗] }, umask ${c_um#[✓✗] }, fds>2 ${c_fds#[✓✗] })"
			fi
		fi
	else
		c_kill="✗ alive 2 s later (ShdPnd $(hexv "$(awk '/^ShdPnd:/ {print $2}' "/proc/$s/status")"))"
		surv=1
	fi
	# Functional test 2: a plain kill of the supervising process.
	c_sup="–"
	if [ -n "$sup" ]; then
		kill -TERM "$sup" 2>/dev/null
		if wait_dead 2 "$sup" $(tagged "$tag"); then
			c_sup="✓ all gone"
		else
			l=
			dead "$sup" || l="the supervisor"
			new=$(sleep_of "$tag") && l+="${l:+ and }the sleep"
			c_sup="✗ 2 s later still running: $l"
			surv=1
		fi
	fi
	if [ -n "$surv" ]; then survived+=("$name"); else stopped+=("$name"); fi

	rows+=("$row | $c_kill | $c_sup |")
	[ -n "$suprow" ] && rows+=("$suprow | | |")
	reap "$tag" $pf
}

audit "glibc \`daemon(0,0)\`" "" "$T/daemon3 sleep @TAG@"
audit "\`setsid -f\`" "" "setsid -f sleep @TAG@"
audit "\`nohup … &\`" "" "sh -c 'nohup sleep @TAG@ >/dev/null 2>&1 &'"
audit "bmc \`daemonize -p\`" "$T/daemonize.pid" \
    "daemonize -p $T/daemonize.pid /bin/sleep @TAG@"
audit "libslack \`daemon --pidfile\`" "$T/libslack.pid" \
    "daemon --pidfile=$T/libslack.pid -- /bin/sleep @TAG@"
audit "\`start-stop-daemon --background --make-pidfile\`" "$T/ssd.pid" \
    "start-stop-daemon --start --background --make-pidfile --pidfile $T/ssd.pid --exec /bin/sleep -- @TAG@"
if [ -x "$W" ]; then
	audit "\`warden run\`" "$T/w.pid" "$W run --pidfile $T/w.pid -- sleep @TAG@"
	audit "\`warden run -E\`" "$T/wE.pid" \
	    "$W run -E --pidfile $T/wE.pid -- sleep @TAG@"
	audit "\`warden run --respawn\`" "$T/wr.pid" \
	    "$W run --respawn --pidfile $T/wr.pid -- sleep @TAG@"
else
	echo "audit.sh: $W not built: warden rows skipped" >&2
fi

# What the hostile context itself looks like, as a payload would see it.
ctx=$(cd "$T" && "$PY" -c "$CLOSE_EXEC" "$PY" "$HOSTILE" "$T/leak.ctx" \
    cat /proc/self/status | awk '/^(SigBlk|SigIgn|Umask):/ {
	v = $2; if ($1 != "Umask:") { sub(/^0+/, "", v); v = "0x" v }
	printf "%s%s %s", sep, $1, v; sep = ", " }')
echo "audit: each launcher runs in a pty, from hostile.py: SIGTERM+SIGUSR1 blocked,"
echo "SIGCHLD+SIGHUP (and 32-34) ignored, umask 077, fd 7 → a leak file, EVIL_VAR=1,"
echo "cwd = the launch dir.  A payload started there directly sees:"
echo "  $ctx."
echo
echo "| Tool | Launcher exit | Session leader? | ctty | SigBlk reset | SIG_IGN reset | Umask | cwd | fds > 2 | EVIL_VAR (info) | fds 0-2 | pidfile names | kill -TERM sleep | kill -TERM supervisor |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
echo
if [ "${#said[@]}" -gt 0 ]; then
	echo "Launcher output (through the pty):"
	printf -- '- %s\n' "${said[@]}"
	echo
fi
if [ "${#survived[@]}" -gt 0 ]; then
	s=$(printf '%s, ' "${survived[@]}")
	echo "Survived a plain kill (SIGTERM) and needed SIGKILL: ${s%, }."
else
	echo "Survived a plain kill (SIGTERM): none."
fi
if [ "${#notrun[@]}" -gt 0 ]; then
	s=$(printf '%s, ' "${notrun[@]}")
	echo "Did not start a sleep: ${s%, }."
fi
if [ "${#stopped[@]}" -gt 0 ]; then
	s=$(printf '%s, ' "${stopped[@]}")
	echo "Stopped by a plain kill: ${s%, }."
fi
