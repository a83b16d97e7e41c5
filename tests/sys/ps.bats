#!/usr/bin/env bats
# warden ps: sessions -> process groups -> processes.

load common

EXPECTED="$WARDEN_TOP/tests/sys/expected"

# refute CMD...: fail when CMD succeeds (a bare "! CMD" never fails a test).
refute() {
	if "$@"; then
		return 1
	fi
}

# The pids of mkgroups are in order (no wrap-around of pid numbers between
# them), so that the sorted output has the shape of the golden file.
groups_in_order() {
	[ "$L" -lt "$A1" ] && [ "$L" -lt "$B" ] && [ "$B" -lt "$B1" ] &&
	    [ "$B" -lt "$C" ]
}

# start_groups: run mkgroups (see tests/helpers/mkgroups.c) and set
# P L A1 B B1 C C1 from its report; R is C1's parent (the reaper).
start_groups() {
	local try name pid
	for try in 1 2 3; do
		rm -f "$T/groups"
		"$HELPERS/mkgroups" "$T/groups" >"$T/mkgroups.log" 2>&1 3>&- &
		track_pid $!
		wait_until 10 test -f "$T/groups" || return 1
		while read -r name pid; do
			eval "$name=$pid"
			# C has exited: its pid may already be someone else's
			[ "$name" = C ] || track_pid "$pid"
		done <"$T/groups"
		R=$(stat_field "$C1" 4)
		groups_in_order && return 0
		kill -KILL -- "-$L" "-$B" "-$C" "$P" 2>/dev/null
	done
	return 1
}

# normalise: pids to their names, the user to USER, the test's paths to
# T and HELPERS, runs of blanks to one (column widths follow the number of
# digits in the pids), and a process caught running (R, D) to sleeping.
normalise() {
	local script="" name pid
	while read -r name pid; do
		script+="s/\\b$pid\\b/$name/g;"
	done <"$T/names"
	sed -e "s|$HELPERS|HELPERS|g; s|$T|T|g" -e "$script" \
	    -e "s/  */ /g; s/ $(id -un) / USER /; s|pts/[0-9][0-9]*|pts/N|g" \
	    -e "s/ USER [RD] / USER S /"
}

# pty_pipeline: on a new pty, a job-control shell (S) runs the pipeline
# "sleep 100 | cat" (P1 | P2) in the foreground.
pty_pipeline() {
	python3 "$WARDEN_TOP/tests/helpers/ptyrun.py" "$T/pty.pid" bash -c \
	    "set -m; sh -c 'echo \$\$ >$T/p1; exec sleep 100' | sh -c 'echo \$\$ >$T/p2; exec cat'" \
	    >"$T/pty.log" 2>&1 3>&- &
	PY=$!
	track_pid $PY
	wait_until 10 pipeline_up || { cat "$T/pty.log"; return 1; }
	S=$(cat "$T/pty.pid") P1=$(cat "$T/p1") P2=$(cat "$T/p2")
	track_pid "$S"
	track_pid "$P1"
}

pipeline_up() {
	[ -s "$T/pty.pid" ] && [ -s "$T/p1" ] && [ -s "$T/p2" ] || return 1
	local s p1 p2
	s=$(cat "$T/pty.pid") p1=$(cat "$T/p1") p2=$(cat "$T/p2")
	[ "$(cat /proc/$p1/comm 2>/dev/null)" = sleep ] &&
	    [ "$(cat /proc/$p2/comm 2>/dev/null)" = cat ] &&
	    [ "$(stat_field "$s" 8)" = "$(stat_field "$p1" 5)" ]
}

@test "ps PID shows the session mkgroups built: its groups and leaders" {
	start_groups
	run "$W" ps --json "$A1"
	[ "$status" -eq 0 ]
	echo "$output" >"$T/out.json"
	L=$L A1=$A1 B=$B B1=$B1 C=$C C1=$C1 python3 - "$T/out.json" <<'EOF'
import json, os, sys
e = {k: int(os.environ[k]) for k in ("L", "A1", "B", "B1", "C", "C1")}
d = json.load(open(sys.argv[1]))
assert len(d["sessions"]) == 1, d
s = d["sessions"][0]
assert s["sid"] == e["L"] and s["tty"] is None and s["foreground_pgid"] is None, s
groups = [(g["pgid"], [p["pid"] for p in g["processes"]]) for g in s["groups"]]
assert groups == [(e["L"], [e["L"], e["A1"]]), (e["B"], [e["B"], e["B1"]]),
                  (e["C"], [e["C1"]])], groups
ppid = {p["pid"]: p["ppid"] for g in s["groups"] for p in g["processes"]}
assert ppid[e["A1"]] == ppid[e["B"]] == ppid[e["B1"]] == e["L"], ppid
assert ppid[e["C1"]] not in (e["L"], e["C"]), ppid   # re-parented
EOF
}

@test "ps text output of the mkgroups session matches the golden file" {
	start_groups
	printf '%s %s\n' L "$L" A1 "$A1" B "$B" B1 "$B1" C "$C" C1 "$C1" \
	    P "$P" R "$R" >"$T/names"
	LC_ALL=C.UTF-8 "$W" ps "$L" >"$T/out"
	normalise <"$T/out" >"$T/norm"
	diff -u "$EXPECTED/ps-mkgroups.txt" "$T/norm"
}

@test "ps marks the session leader, group leaders and the orphan as a daemon" {
	start_groups
	"$W" ps "$L" >"$T/out"
	grep -E "^. +$L +ppid $P .*\[session leader\]" "$T/out"
	grep -E "^. +$B +ppid $L .*\[group leader\]" "$T/out"
	grep -E "^ +$C1 +ppid $R .*\[daemon\]" "$T/out"
	grep -E "group $C +leader $C \(gone\)" "$T/out"
	# members that lead nothing carry no mark
	refute grep -E "^. +$A1 +ppid .*\[" "$T/out"
	refute grep -E "^. +$B1 +ppid .*\[" "$T/out"
}

@test "ps draws plain ASCII when the locale's charset is not UTF-8" {
	start_groups
	printf '%s %s\n' L "$L" A1 "$A1" B "$B" B1 "$B1" C "$C" C1 "$C1" \
	    P "$P" R "$R" >"$T/names"
	LC_ALL=C "$W" ps "$L" >"$T/out"
	refute env LC_ALL=C grep -q -P '[\x80-\xff]' "$T/out"
	normalise <"$T/out" >"$T/norm"
	diff -u "$EXPECTED/ps-mkgroups-ascii.txt" "$T/norm"
}

@test "ps --json: a foreground pipeline on a pty is its session's foreground group" {
	pty_pipeline
	run "$W" ps --json "$P2"
	[ "$status" -eq 0 ]
	echo "$output" >"$T/out.json"
	tty=$(readlink "/proc/$P1/fd/0")
	S=$S P1=$P1 P2=$P2 TTY=${tty#/dev/} python3 - "$T/out.json" <<'EOF'
import json, os, sys
S, P1, P2 = (int(os.environ[k]) for k in ("S", "P1", "P2"))
d = json.load(open(sys.argv[1]))
assert len(d["sessions"]) == 1, d
s = d["sessions"][0]
assert s["sid"] == S, s
assert s["tty"] == os.environ["TTY"], (s["tty"], os.environ["TTY"])
assert s["foreground_pgid"] == P1, s
groups = {g["pgid"]: [p["pid"] for p in g["processes"]] for g in s["groups"]}
assert groups == {S: [S], P1: [P1, P2]}, groups
EOF
}

@test "ps text output of a pty session matches the golden file" {
	pty_pipeline
	printf '%s %s\n' S "$S" P1 "$P1" P2 "$P2" PY "$PY" >"$T/names"
	LC_ALL=C.UTF-8 "$W" ps "$S" >"$T/out"
	normalise <"$T/out" >"$T/norm"
	diff -u "$EXPECTED/ps-pty.txt" "$T/norm"
}

@test "ps --json keys are exactly the documented schema" {
	start_groups
	pty_pipeline
	"$W" ps --all --json >"$T/out.json"
	python3 - "$T/out.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
assert set(d) == {"sessions"}, d.keys()
assert d["sessions"], "no session at all"
terms = 0
for s in d["sessions"]:
    assert set(s) == {"sid", "tty", "foreground_pgid", "groups"}, s.keys()
    assert type(s["sid"]) is int
    if s["tty"] is None:
        assert s["foreground_pgid"] is None, s
    else:
        terms += 1
        assert type(s["tty"]) is str
        assert s["foreground_pgid"] is None or type(s["foreground_pgid"]) is int
    assert s["groups"]
    for g in s["groups"]:
        assert set(g) == {"pgid", "processes"}, g.keys()
        assert type(g["pgid"]) is int and g["processes"]
        for p in g["processes"]:
            assert set(p) == {"pid", "ppid", "uid", "state", "command"}, p.keys()
            assert all(type(p[k]) is int for k in ("pid", "ppid", "uid"))
            assert type(p["state"]) is str and len(p["state"]) == 1
            assert type(p["command"]) is str and p["command"]
assert terms >= 1, "the pty session has no tty"
EOF
}

@test "ps sorts sessions, groups and processes by id" {
	start_groups
	"$W" ps --all --json >"$T/out.json"
	python3 - "$T/out.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
sids = [s["sid"] for s in d["sessions"]]
assert sids == sorted(sids) and len(set(sids)) == len(sids), sids
for s in d["sessions"]:
    pgids = [g["pgid"] for g in s["groups"]]
    assert pgids == sorted(pgids) and len(set(pgids)) == len(pgids), pgids
    for g in s["groups"]:
        pids = [p["pid"] for p in g["processes"]]
        assert pids == sorted(pids), pids
EOF
}

@test "ps lists the user's sessions, --all every one, never kernel threads" {
	"$W" ps --json >"$T/mine.json"
	"$W" ps --all --json >"$T/all.json"
	ME=$$ python3 - "$T/mine.json" "$T/all.json" <<'EOF'
import json, os, sys
def pids(f):
    d = json.load(open(f))
    return {p["pid"]: p for s in d["sessions"] for g in s["groups"]
            for p in g["processes"]}
mine, every = pids(sys.argv[1]), pids(sys.argv[2])
assert int(os.environ["ME"]) in mine, "the test's own shell is missing"
for s in json.load(open(sys.argv[1]))["sessions"]:
    assert [p for g in s["groups"] for p in g["processes"]
            if p["uid"] == os.getuid()], "a session of someone else: %r" % s
assert 1 in every, "pid 1 missing from --all"
assert 2 not in every, "kthreadd listed"
assert not [p for p in every.values() if p["ppid"] == 2], "kernel threads listed"
EOF
	# kernel threads carry PF_KTHREAD; none of them may be listed
	for p in $(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(*[p["pid"] for s in d["sessions"] for g in s["groups"] for p in g["processes"]])' "$T/all.json"); do
		f=$(stat_field "$p" 9 2>/dev/null) || continue
		[ $((f & 0x00200000)) -eq 0 ]
	done
}

@test "ps escapes control characters in command lines" {
	bash -c 'exec -a "$(printf "evil\033[2J\nx\ty\\\\")" sleep 1000' \
	    >/dev/null 2>&1 3>&- &
	p=$!
	track_pid "$p"
	wait_until 10 eval '[ "$(cat /proc/'$p'/comm 2>/dev/null)" = sleep ]'
	"$W" ps "$p" >"$T/out"
	grep -F 'evil\x1b[2J\nx\ty\\ 1000' "$T/out"
	refute grep -q $'\033' "$T/out"
	"$W" ps --json "$p" >"$T/out.json"
	P=$p python3 - "$T/out.json" <<'EOF'
import json, os, sys
d = json.load(open(sys.argv[1]))
p = [p for s in d["sessions"] for g in s["groups"] for p in g["processes"]
     if p["pid"] == int(os.environ["P"])][0]
assert p["command"] == "evil\033[2J\nx\ty\\ 1000", repr(p["command"])
EOF
}

@test "ps fits a terminal: trimmed to its width, coloured unless NO_COLOR" {
	start_groups
	in_pty env TERM=xterm sh -c "stty cols 40; '$W' ps $L" >"$T/tty.out"
	in_pty env TERM=xterm NO_COLOR=1 sh -c "stty cols 40; '$W' ps $L" \
	    >"$T/nocolor.out"
	in_pty env TERM=xterm NO_COLOR= sh -c "stty cols 40; '$W' ps $L" \
	    >"$T/empty.out"
	"$W" ps "$L" >"$T/pipe.out"
	python3 - "$T/tty.out" "$T/nocolor.out" "$T/pipe.out" "$T/empty.out" <<'EOF'
import re, sys
tty, nocolor, pipe, empty = (open(f, encoding="utf-8").read()
                             for f in sys.argv[1:])
sgr = re.compile("\033\\[[0-9;]*m")
assert sgr.search(tty), "no colour on a terminal"
assert sgr.search(empty), "an empty NO_COLOR turned colour off"
assert "\033" not in nocolor, "colour with NO_COLOR"
assert "\033" not in pipe, "colour into a pipe"
for out in (tty, nocolor):
    lines = sgr.sub("", out).replace("\r", "").splitlines()
    assert len(lines) == 9, lines
    assert max(len(l) for l in lines) == 40, lines
assert max(len(l) for l in pipe.splitlines()) > 40, "piped output was cut"
EOF
}

@test "ps: rows line up in columns" {
	start_groups
	LC_ALL=C "$W" ps "$L" >"$T/out"
	# the command column starts at the same offset on every process row
	grep -E 'ppid' "$T/out" | awk '{ print index($0, "mkgroups '"$T"'") }' |
	    sort -u >"$T/cols"
	[ "$(wc -l <"$T/cols")" -eq 1 ]
	[ "$(cat "$T/cols")" -gt 0 ]
}

@test "ps: a PID that does not exist is reported, exit 1" {
	sleep 100 3>&- &
	p=$!
	kill "$p"
	wait "$p" || true
	run "$W" ps "$p"
	[ "$status" -eq 1 ]
	[ "$output" = "warden: ps: no such process: $p" ]
}

@test "ps: a bad command line exits 2" {
	run "$W" ps nopid
	[ "$status" -eq 2 ]
	[[ "$output" == *"warden: ps: not a pid: nopid"* ]]
	run "$W" ps --frobnicate
	[ "$status" -eq 2 ]
	[[ "$output" == *"usage: warden ps"* ]]
}

@test "ps: processes vanishing while it reads /proc are skipped quietly" {
	bash -c 'while :; do /bin/true; done' >/dev/null 2>&1 3>&- &
	track_pid $!
	for i in $(seq 40); do
		"$W" ps --all >/dev/null 2>"$T/err"
		[ ! -s "$T/err" ]
	done
	"$W" ps --all --json 2>"$T/err" | python3 -c 'import json,sys; json.load(sys.stdin)'
	[ ! -s "$T/err" ]
}
