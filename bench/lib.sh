# bench/lib.sh: /proc helpers shared by bench/startup.sh, bench/audit.sh,
# bench/sup.sh and bench/rpc.sh; and want (the ONLY= knob).
# Source it from bash; or run it: `bash bench/lib.sh reap TAG [PIDFILE...]`.
#
# Every process a benchmark starts carries a unique argument TAG (the sleep
# duration, e.g. 1000.48213 1).  We find our processes by scanning
# /proc/*/cmdline for an argument equal to TAG, and kill them by pid: never by
# name (other people run sleeps on this machine too).

# tagged TAG: print the pids (one a line) of live processes having an
# argument exactly equal to TAG (argv[1..]); zombies have no cmdline.
tagged() {
	local tag=$1 p a self=" "
	local -a argv
	# Never ourselves or an ancestor (`bash lib.sh reap TAG` carries TAG).
	p=$BASHPID
	while [ -n "$p" ] && [ "$p" -gt 1 ]; do
		self+="$p "
		stat_fields "$p" || break
		p=$S_PPID
	done
	for p in /proc/[0-9]*; do
		case $self in *" ${p#/proc/} "*) continue ;; esac
		mapfile -d '' -t argv 2>/dev/null <"$p/cmdline" || continue
		[ "${#argv[@]}" -gt 1 ] || continue
		for a in "${argv[@]:1}"; do
			if [ "$a" = "$tag" ]; then
				echo "${p#/proc/}"
				break
			fi
		done
	done
}

# sleep_of TAG: the pid of the long-lived payload, `sleep TAG` itself
# (argv[0] ends in sleep, argv[1] is TAG), not a launcher or supervisor that
# carries TAG among its arguments.
sleep_of() {
	local tag=$1 p
	local -a argv
	for p in /proc/[0-9]*; do
		mapfile -d '' -t argv 2>/dev/null <"$p/cmdline" || continue
		[ "${#argv[@]}" -eq 2 ] && [ "${argv[1]}" = "$tag" ] || continue
		case ${argv[0]} in sleep|*/sleep) echo "${p#/proc/}"; return 0 ;; esac
	done
	return 1
}

# has_tag PID TAG: true when PID is alive and has an argument equal to TAG.
has_tag() {
	local a
	local -a argv
	mapfile -d '' -t argv 2>/dev/null <"/proc/$1/cmdline" || return 1
	for a in "${argv[@]:1}"; do [ "$a" = "$2" ] && return 0; done
	return 1
}

# stat_fields PID: set S_STATE S_PPID S_PGRP S_SID S_TTY S_TPGID from
# /proc/PID/stat (parsed after the last ')', comm may hold anything).
stat_fields() {
	local s
	s=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	s=${s##*) }
	# shellcheck disable=SC2086
	set -- $s
	S_STATE=$1 S_PPID=$2 S_PGRP=$3 S_SID=$4 S_TTY=$5 S_TPGID=$6
}

# dead PID: true when PID is gone or a zombie (PID 1 here reaps lazily).
dead() {
	local s
	s=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
	s=${s##*) }
	[ "${s%% *}" = Z ]
}

# wait_dead SECONDS PID...: poll until every PID is dead; false on timeout.
wait_dead() {
	local t=$1 i p alive
	shift
	for ((i = 0; i < t * 100; i++)); do
		alive=
		for p in "$@"; do dead "$p" || alive=1; done
		[ -z "$alive" ] && return 0
		sleep 0.01
	done
	return 1
}

# reap TAG [PIDFILE...]: SIGKILL the pid named by each PIDFILE (only if it
# carries TAG: a stale pidfile may name a reused pid), then every process
# carrying TAG, and their process groups; wait (bounded) until they are
# gone; remove the pidfiles.
reap() {
	local tag=$1 f p g mypg pids=() groups=()
	shift
	stat_fields $$ && mypg=$S_PGRP
	for f in "$@"; do
		[ -s "$f" ] || continue
		read -r p <"$f" 2>/dev/null || continue
		case $p in '' | *[!0-9]*) continue ;; esac
		has_tag "$p" "$tag" && pids+=("$p")
	done
	for p in $(tagged "$tag"); do pids+=("$p"); done
	for p in "${pids[@]}"; do
		stat_fields "$p" || continue
		# Our own group, or a group of a pid we cannot vouch for: skip.
		[ "$S_PGRP" -gt 1 ] && [ "$S_PGRP" != "$mypg" ] &&
			has_tag "$p" "$tag" && groups+=("$S_PGRP")
	done
	for g in "${groups[@]}"; do kill -KILL -- "-$g" 2>/dev/null; done
	for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null; done
	[ "${#pids[@]}" -gt 0 ] && wait_dead 5 "${pids[@]}"
	rm -f "$@"
	# Anything left carrying TAG (a respawn that raced us) gets one more go.
	pids=($(tagged "$tag"))
	if [ "${#pids[@]}" -gt 0 ]; then
		kill -KILL "${pids[@]}" 2>/dev/null
		wait_dead 5 "${pids[@]}"
	fi
	return 0
}

# want WHAT...: is any of these measures asked for (ONLY, a space-separated
# list; empty means all)?
want() {
	local w
	[ -z "${ONLY:-}" ] && return 0
	for w in "$@"; do
		case " $ONLY " in *" $w "*) return 0 ;; esac
	done
	return 1
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	cmd=$1
	shift
	"$cmd" "$@"
fi
