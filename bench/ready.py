"""bench/ready.py: the measuring half of bench/ready.sh (run that, not this).

    python3 ready.py run T       the rows, then the table (markdown)
    python3 ready.py reap T      SIGKILL every process of ours, by pid

The service (readyping) waits DELAY ms, reads CLOCK_MONOTONIC, says it is
ready and writes the time it read to a stamp file.  The waiter's row reads
CLOCK_MONOTONIC (Python's time.monotonic(), the same clock) right after its
wait returns.  The gap is from the service's ready message to the waiter
knowing it.

Rows: `warden up -c F` with ready=notify (READY=1 on $NOTIFY_SOCKET) and
with ready=fd:3 (a newline on fd 3), a fresh supervisor each run; s6:
`s6-svwait -U DIR` while `s6-svc -u DIR` starts a service with
notification-fd 3 under one s6-supervise; and a floor: this Python reading
the newline from a pipe itself.

Environment (ready.sh sets it): W, RP (readyping), RUNS, DELAY.
"""
import os
import statistics
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from logs import log, readpid, reap, run_quiet, tail, wait_dead  # noqa: E402


def waitfor(p, secs):
    """p.wait() in a blocking waitpid: Popen.wait(timeout) polls with
    sleeps of up to 50 ms, which would be timed too.  A timer kills a
    waiter that hangs."""
    k = threading.Timer(secs, p.kill)
    k.start()
    try:
        return p.wait()
    finally:
        k.cancel()


def stamp(path, secs=5):
    t = time.monotonic() + secs
    while time.monotonic() < t:
        try:
            with open(path) as f:
                s = f.read()
            if s.endswith("\n"):
                return float(s)
        except OSError:
            pass
        time.sleep(0.001)
    return None


def warden_run(T, mode, i):
    W, RP, delay = os.environ["W"], os.environ["RP"], os.environ["DELAY"]
    d = "%s/w-%s-%d" % (T, mode.replace(":", ""), i)
    os.mkdir(d)
    st = "%s/stamp" % d
    cmd = "%s %s%s %s" % (RP, "-f 3 " if mode.startswith("fd:") else "", st, delay)
    with open("%s/warden.conf" % d, "w") as f:
        f.write("[warden]\nrundir = %s/run\n\n[supervisord]\nlogfile = %s/sup.log\n\n" % (d, d))
        f.write("[program:svc]\ncommand = %s\nready = %s\nready_timeout = 10\n"
                "startsecs = 0\nautorestart = false\n"
                "stdout_logfile = NONE\nstderr_logfile = NONE\n" % (cmd, mode))
    try:
        with open("%s/launch.log" % d, "ab") as lf:
            t0 = time.monotonic()
            p = subprocess.Popen([W, "up", "-c", "%s/warden.conf" % d],
                                 stdin=subprocess.DEVNULL, stdout=lf,
                                 stderr=subprocess.STDOUT,
                                 start_new_session=True)
            rc = waitfor(p, 30)
            t1 = time.monotonic()
        if rc != 0:
            return dict(error="warden up exited %d: %s" % (rc, tail("%s/launch.log" % d, 200)))
        ts = stamp(st)
        if ts is None:
            return dict(error="no READY stamp within 5 s of warden up returning")
        return dict(gap=t1 - ts, total=t1 - t0)
    finally:
        pid = readpid("%s/run/warden.pid" % d, 0.5)
        run_quiet([W, "shutdown", "-s", "%s/run/warden.sock" % d], timeout=20)
        if pid:
            wait_dead([pid], 10)
        reap(d)


def s6_rows(T, runs):
    RP, delay = os.environ["RP"], os.environ["DELAY"]
    d = "%s/s6" % T
    sv = "%s/sv" % d
    os.makedirs(sv)
    st = "%s/stamp" % d
    with open("%s/run" % sv, "w") as f:
        f.write("#!/bin/sh\nexec %s -f 3 %s %s\n" % (RP, st, delay))
    os.chmod("%s/run" % sv, 0o755)
    with open("%s/notification-fd" % sv, "w") as f:
        f.write("3\n")
    open("%s/down" % sv, "w").close()
    sup = subprocess.Popen(["s6-supervise", sv], stdin=subprocess.DEVNULL,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                           start_new_session=True)
    out = []
    try:
        t = time.monotonic() + 10
        while not os.path.exists("%s/supervise/status" % sv):
            if time.monotonic() > t:
                return [dict(error="s6-supervise did not start")]
            time.sleep(0.01)
        for i in range(runs):
            try:
                os.unlink(st)
            except OSError:
                pass
            w = subprocess.Popen(["s6-svwait", "-U", "-t", "10000", sv],
                                 stdin=subprocess.DEVNULL)
            # s6-svwait subscribes, then reads the state: a service that is
            # already ready ends its wait at once, so no race either way.
            time.sleep(0.02)
            t0 = time.monotonic()
            run_quiet(["s6-svc", "-u", sv])
            rc = waitfor(w, 15)
            t1 = time.monotonic()
            ts = stamp(st)
            if rc != 0 or ts is None:
                out.append(dict(error="s6-svwait -U exited %s, stamp %s" % (rc, ts)))
            else:
                out.append(dict(gap=t1 - ts, total=t1 - t0))
            run_quiet(["s6-svc", "-wD", "-T", "10000", "-d", sv])
    finally:
        run_quiet(["s6-svc", "-x", "-d", sv])
        try:
            sup.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        reap(d)
    return out


def floor_run(T, i):
    RP, delay = os.environ["RP"], os.environ["DELAY"]
    st = "%s/floor-%d" % (T, i)
    r, w = os.pipe()
    os.set_inheritable(w, True)
    p = subprocess.Popen([RP, "-f", str(w), st, delay], pass_fds=(w,),
                         stdin=subprocess.DEVNULL, start_new_session=True)
    os.close(w)
    try:
        os.read(r, 1)
        t1 = time.monotonic()
        ts = stamp(st)
        return dict(gap=t1 - ts) if ts is not None else dict(error="no stamp")
    finally:
        os.close(r)
        p.kill()
        p.wait()


def main():
    cmd, T = sys.argv[1], sys.argv[2]
    if cmd == "reap":
        reap(T)
        return
    runs = int(os.environ.get("RUNS", "20"))
    have_w = os.access(os.environ.get("W", ""), os.X_OK)
    res = {}
    rows = []
    if have_w:
        rows += [("warden up, ready=notify", "READY=1 on $NOTIFY_SOCKET"),
                 ("warden up, ready=fd:3", "a newline on fd 3")]
    rows += [("s6-svwait -U (s6-supervise)", "a newline on notification-fd 3"),
             ("floor: this Python reads the newline from a pipe", "a newline on a pipe")]
    # Interleaved, so that a busy moment on the machine touches every row.
    for i in range(runs):
        if have_w:
            for name, mode in ((rows[0][0], "notify"), (rows[1][0], "fd:3")):
                r = warden_run(T, mode, i)
                res.setdefault(name, []).append(r)
                if "error" in r:
                    log("%s run %d: %s" % (name, i + 1, r["error"]))
        res.setdefault(rows[-1][0], []).append(floor_run(T, i))
    res[rows[-2][0]] = s6_rows(T, runs)
    for name, v in res.items():
        g = ["%.2f" % (r["gap"] * 1e3) for r in v if "gap" in r]
        log("%s: %s ms" % (name, " ".join(g)))

    print("\n### From the service's ready message to the waiter's return "
          "(%d runs each, DELAY %s ms)\n" % (runs, os.environ["DELAY"]))
    print("| waiter | the service says it with | runs | median ms | min ms | max ms | waiter's whole run, median ms (info) |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for name, how in rows:
        v = res.get(name, [])
        g = [r["gap"] * 1e3 for r in v if "gap" in r]
        tot = [r["total"] * 1e3 for r in v if "total" in r]
        errs = sorted(set(r["error"] for r in v if "error" in r))
        if not g:
            print("| %s | %s | 0 of %d | – | – | – | – |%s" % (
                name, how, len(v), " ✗ " + "; ".join(errs) if errs else ""))
            continue
        print("| %s | %s | %d%s | %.2f | %.2f | %.2f | %s |" % (
            name, how, len(g), "" if len(g) == len(v) else " of %d" % len(v),
            statistics.median(g), min(g), max(g),
            "%.1f" % statistics.median(tot) if tot else "–"))
        if errs:
            print("\n%s: %s\n" % (name, "; ".join(errs)))
    print()
    for name, _ in rows[:2] if have_w else []:
        g = [r["gap"] * 1e3 for r in res.get(name, []) if "gap" in r]
        if g:
            ok = max(g) <= 5 and min(g) >= 0
            print("- %s: target ≤ 5 ms from READY to return: %s (median %.2f ms, max %.2f ms%s)" % (
                name, "met" if ok else "NOT met", statistics.median(g), max(g),
                "; it returned BEFORE the service was ready" if min(g) < 0 else ""))


if __name__ == "__main__":
    main()
