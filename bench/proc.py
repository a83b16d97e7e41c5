#!/usr/bin/env python3
# bench/proc.py: the /proc helper of bench/sup.sh and bench/rpc.sh, in Python
# so that scanning a few thousand processes is quick enough to time a
# start-up with.  `python3 proc.py CMD ARG...`; the commands are below.
import json, os, signal, subprocess, sys, time

def argv_of(pid):
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            b = f.read()
    except OSError:
        return None
    return b.rstrip(b"\0").split(b"\0") if b else None

def allpids():
    return [int(d) for d in os.listdir("/proc") if d.isdigit()]

def stat(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            s = f.read()
    except OSError:
        return None
    return s[s.rindex(")") + 2:].split()

def is_sleep(av, pre):
    return (av is not None and len(av) == 2 and
            os.path.basename(av[0]) == b"sleep" and av[1].startswith(pre))

def carries(av, s):
    return av is not None and any(s in a for a in av[1:])

def children_map():
    m = {}
    for p in allpids():
        st = stat(p)
        if st:
            m.setdefault(int(st[1]), []).append(p)
    return m

def descendants(roots, m, stop=None):
    out, todo = [], list(roots)
    while todo:
        p = todo.pop()
        if stop and stop(p):
            continue
        out.append(p)
        todo.extend(m.get(p, []))
    return out

def selfchain():
    s, p = set(), os.getpid()
    while p > 1:
        s.add(p)
        st = stat(p)
        if not st:
            break
        p = int(st[1])
    return s

def count(pre):
    return sum(1 for p in allpids() if is_sleep(argv_of(p), pre))

def dead(p):
    st = stat(p)
    return st is None or st[0] in ("Z", "X")

def wait_dead(pids, secs):
    t = time.monotonic() + secs
    while time.monotonic() < t:
        if all(dead(p) for p in pids):
            return True
        time.sleep(0.01)
    return False

def reap(pre, d):
    # Every process of ours: carrying PRE in an argument or DIR anywhere in
    # its command line, or with a cwd under DIR, and all their descendants.
    # SIGSTOP all (nothing restarts anything), then SIGKILL, then wait.
    # Twice, for stragglers.
    pre, db = pre.encode(), d.encode()
    mine = selfchain()
    for attempt in range(2):
        m = children_map()
        roots = []
        for p in allpids():
            if p in mine or p == 1:
                continue
            av = argv_of(p)
            if av is None:
                continue
            try:
                cwd = os.readlink("/proc/%d/cwd" % p)
            except OSError:
                cwd = ""
            if carries(av, pre) or any(db in x for x in av) or \
               cwd == d or cwd.startswith(d + "/"):
                roots.append(p)
        victims = [p for p in descendants(roots, m) if p not in mine]
        if not victims:
            break
        for sig in (signal.SIGSTOP, signal.SIGKILL):
            for p in victims:
                try:
                    os.kill(p, sig)
                except OSError:
                    pass
        wait_dead(victims, 5)

def hf_table(path, ref, title):
    # hyperfine's --export-json at path as a markdown table under a title,
    # with ratios to the command named ref; returns (results, ref's).
    res = json.load(open(path))["results"]
    b = next((r for r in res if r["command"] == ref), None)
    def ratio(x, y):
        return "–" if not y else ("%.2f×" if x / y >= 0.1 else "%.3f×") % (x / y)
    print("\n### %s\n" % title)
    print("| command | mean ms | stddev ms | median ms | min ms | max ms | ratio to %s (mean) | (median) |" % ref)
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for r in res:
        print("| %s | %.2f | %.2f | %.2f | %.2f | %.2f | %s | %s |" % (
            r["command"], r["mean"] * 1e3, r["stddev"] * 1e3, r["median"] * 1e3,
            r["min"] * 1e3, r["max"] * 1e3,
            ratio(r["mean"], b["mean"]) if b else "–",
            ratio(r["median"], b["median"]) if b else "–"))
    return res, b

def main(cmd, a):
    if cmd == "count":                      # count PRE
        print(count(a[0].encode()))
    elif cmd == "wait":                     # wait PRE N TIMEOUT
        pre, n, t0 = a[0].encode(), int(a[1]), time.monotonic()
        while True:
            c = count(pre)
            if c >= n:
                print("%.3f" % (time.monotonic() - t0)); sys.exit(0)
            if time.monotonic() - t0 > float(a[2]):
                print("timeout: %d of %d" % (c, n)); sys.exit(1)
            time.sleep(0.02)
    elif cmd == "launch":                   # launch PRE N TIMEOUT RET LOG CMD...
        # Time from the launch until N `sleep PRE*` run, and until CMD
        # returns if RET is 1 (runsvdir and s6-svscan never do).
        pre, n, tmo, wret, log = a[0].encode(), int(a[1]), float(a[2]), a[3] == "1", a[4]
        a = a[1:]
        # Live processes from before the launch are skipped (a speed-up),
        # zombies not: their pids come free and may be our sleeps'.  Every
        # 50th pass looks at everything, in case a pid was reused anyway.
        before = set(p for p in allpids() if argv_of(p) is not None)
        seen = set()
        npass = 0
        lf = open(log, "ab")
        t0 = time.monotonic()
        pr = subprocess.Popen(a[4:], stdin=subprocess.DEVNULL, stdout=lf,
                              stderr=subprocess.STDOUT, start_new_session=True)
        before.discard(pr.pid)
        t_exec = t_ret = None
        while time.monotonic() - t0 < tmo:
            if t_ret is None and pr.poll() is not None:
                t_ret = time.monotonic() - t0
            npass += 1
            for p in allpids():
                if p in seen or (p in before and npass % 50):
                    continue
                if is_sleep(argv_of(p), pre):
                    seen.add(p)
            if len(seen) >= n:
                t_exec = time.monotonic() - t0
                break
            time.sleep(0.002)
        if t_exec is not None and t_ret is None and wret:
            # Give a command that returns (warden up, supervisord) the rest.
            try:
                pr.wait(timeout=max(0.1, tmo - (time.monotonic() - t0)))
                t_ret = time.monotonic() - t0
            except subprocess.TimeoutExpired:
                pass
        print(json.dumps({"exec": t_exec, "ret": t_ret, "rc": pr.returncode,
                          "pid": pr.pid, "seen": len(seen)}))
        sys.exit(0 if t_exec is not None else 1)
    elif cmd == "supset":                   # supset PRE ROOT...
        # The supervisor's own processes: ROOTs and their descendants, less
        # every process carrying PRE (the services) and what is below them.
        pre = a[0].encode()
        m = children_map()
        roots = [int(r) for r in a[1:] if not dead(int(r))]
        print(" ".join(str(p) for p in sorted(descendants(
            roots, m, stop=lambda p: carries(argv_of(p), pre)))))
    elif cmd == "pss":                      # pss PID...: "PSS_kB RSS_kB"
        pss = rss = 0
        for p in a:
            with open("/proc/%s/smaps_rollup" % p) as f:
                for line in f:
                    k, v = line.split(":", 1)
                    if k == "Pss":
                        pss += int(v.split()[0])
                    elif k == "Rss":
                        rss += int(v.split()[0])
        print(pss, rss)
    elif cmd == "ctx":                      # ctx PID...: switches, all threads
        n = 0
        for p in a:
            for t in os.listdir("/proc/%s/task" % p):
                with open("/proc/%s/task/%s/status" % (p, t)) as f:
                    for line in f:
                        if line.startswith(("voluntary_ctxt", "nonvoluntary_ctxt")):
                            n += int(line.split()[1])
        print(n)
    elif cmd == "reap":                     # reap PRE DIR
        reap(a[0], a[1])
    elif cmd == "cgtidy":                   # cgtidy PID...
        # The cgroups a killed `warden up` (pid PID) left behind: empty ones
        # only (rmdir refuses the others), under the cgroup we all run in.
        mnt = me = None
        for line in open("/proc/self/mountinfo"):
            f = line.split()
            if f[f.index("-") + 1] == "cgroup2":
                mnt = f[4]
        for line in open("/proc/self/cgroup"):
            if line.startswith("0::"):
                me = line[3:].strip()
        if mnt and me is not None:
            for p in a:
                base = os.path.join(mnt + me.rstrip("/"), "warden-" + p)
                if not os.path.isdir(base):
                    continue
                for d in os.listdir(base):
                    if os.path.isdir(os.path.join(base, d)):
                        try: os.rmdir(os.path.join(base, d))
                        except OSError: pass
                try: os.rmdir(base)
                except OSError: pass
    else:
        sys.exit("proc.py: " + cmd + "?")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
