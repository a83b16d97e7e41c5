"""bench/logs.py: the measuring half of bench/logs.sh (which sets up the
tools, the temp dir and the cleanup; run that, not this).

    python3 logs.py run T        run the rows, print the tables (markdown)
    python3 logs.py reap T       SIGKILL every process of ours, by pid
    python3 logs.py table ERR    the tables again, from a run's stderr
    python3 logs.py prod FIFO    the lone-line producer (a line a byte)

A row: one logger, one producer (flood) writing LINES lines of 100 bytes,
and the clock.  The producer waits on a FIFO before its first write; the
clock starts when we open the other end (the logger is up, its pipe is in
place) and stops when the last line, whole, is in the log file.  So the
supervisors' own start-up is not timed.  Then the logger is stopped, every
file it wrote is checked line by line (flood -c), and the directory goes.

Environment (logs.sh sets it): W (warden binary, may be missing), FLOOD,
MIB, CHUNK, REPS, TMO, PM2 (pm2 binary or empty), ONLY (some of: bulk
line ts lat), ROWS (a comma list of row keys, to run fewer), LAT_N (200
lines) and LAT_GAP (0.01 s between them) for the lone-line rows.
"""
import errno
import json
import os
import signal
import statistics
import subprocess
import sys
import time

from proc import allpids, argv_of, dead, reap, stat, wait_dead

LINE = 100
FILL = "".join("abcdefghijklmnopqrstuvwxyz"[i % 26] for i in range(11, 99))
TICK = os.sysconf("SC_CLK_TCK")


def body(n):
    return "%010d %s" % (n, FILL)


def log(*a):
    print("logs:", *a, file=sys.stderr, flush=True)


# --- /proc ------------------------------------------------------------------

# argv_of, allpids, stat (the fields after comm), dead, wait_dead and reap
# (PRE, DIR): proc.py's.


def cpu(pid):
    """utime + stime of PID in seconds (None when gone)."""
    st = stat(pid)
    if st is None:
        return None
    return (int(st[11]) + int(st[12])) / TICK


def hwm(pid):
    """VmHWM of PID in KiB: the peak resident set so far."""
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def iocalls(pid):
    """(read calls, write calls) of PID so far, from /proc/PID/io."""
    r = w = None
    try:
        with open("/proc/%d/io" % pid) as f:
            for line in f:
                k, v = line.split(":", 1)
                if k == "syscr":
                    r = int(v)
                elif k == "syscw":
                    w = int(v)
    except OSError:
        pass
    return r, w


def readpid(path, secs=10):
    t = time.monotonic() + secs
    while time.monotonic() < t:
        try:
            with open(path) as f:
                s = f.read().strip()
            if s.isdigit() and not dead(int(s)):
                return int(s)
        except OSError:
            pass
        time.sleep(0.01)
    return None


# --- the loggers ------------------------------------------------------------
#
# Each start_X(row, d, cmd) starts the logger with the producer command cmd
# and returns (logger pid, live log file, rotated-files lister, stop fn).

def rotated_numeric(path):
    """supervisord's and warden's backups, oldest first: F.N .. F.1, F."""
    d, b = os.path.split(path)
    bk = []
    for f in os.listdir(d):
        if f.startswith(b + ".") and f[len(b) + 1:].isdigit():
            bk.append((int(f[len(b) + 1:]), os.path.join(d, f)))
    return [p for _, p in sorted(bk, reverse=True)] + [path]


def run_quiet(argv, env=None, timeout=30):
    try:
        return subprocess.run(argv, stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              env=env, timeout=timeout).returncode
    except subprocess.TimeoutExpired:
        return "timeout"


def conf_program(row, d, cmd):
    s = "[program:flood]\ncommand = %s\nstartsecs = 0\nautorestart = false\n" % " ".join(cmd)
    s += "stdout_logfile = %s/out.log\nstderr_logfile = NONE\n" % d
    rot = row.get("rotate")
    if rot:
        s += "stdout_logfile_maxbytes = %d\nstdout_logfile_backups = 1000\n" % rot
    else:
        s += "stdout_logfile_maxbytes = 0\n"
    if row.get("ts"):
        s += "log_timestamps = %s\n" % row["ts"]
    return s


def start_warden(row, d, cmd):
    W = os.environ["W"]
    conf = "%s/warden.conf" % d
    with open(conf, "w") as f:
        f.write("[warden]\nrundir = %s/run\n\n[supervisord]\nlogfile = %s/sup.log\n\n" % (d, d))
        f.write(conf_program(row, d, cmd))
    with open("%s/launch.log" % d, "ab") as lf:
        rc = subprocess.run([W, "up", "-c", conf], stdin=subprocess.DEVNULL,
                            stdout=lf, stderr=subprocess.STDOUT,
                            start_new_session=True, timeout=60).returncode
    if rc != 0:
        raise RuntimeError("warden up exited %d: %s" % (rc, tail("%s/launch.log" % d)))
    pid = readpid("%s/run/warden.pid" % d)

    def stop():
        run_quiet([W, "shutdown", "-s", "%s/run/warden.sock" % d])
        if pid:
            wait_dead([pid], 20)
    out = "%s/out.log" % d
    return pid, out, lambda: rotated_numeric(out), stop


def start_supervisord(row, d, cmd):
    conf = "%s/supervisord.conf" % d
    with open(conf, "w") as f:
        f.write("[unix_http_server]\nfile = %s/sd.sock\n\n" % d)
        f.write("[supervisord]\nlogfile = %s/sup.log\npidfile = %s/sd.pid\n" % (d, d))
        f.write("childlogdir = %s\nnodaemon = false\nuser = root\nloglevel = warn\n\n" % d)
        f.write("[rpcinterface:supervisor]\nsupervisor.rpcinterface_factory = "
                "supervisor.rpcinterface:make_main_rpcinterface\n\n")
        f.write("[supervisorctl]\nserverurl = unix://%s/sd.sock\n\n" % d)
        f.write(conf_program(row, d, cmd))
    with open("%s/launch.log" % d, "ab") as lf:
        rc = subprocess.run(["supervisord", "-c", conf], stdin=subprocess.DEVNULL,
                            stdout=lf, stderr=subprocess.STDOUT,
                            start_new_session=True, timeout=60).returncode
    if rc != 0:
        raise RuntimeError("supervisord exited %d: %s" % (rc, tail("%s/launch.log" % d)))
    pid = readpid("%s/sd.pid" % d)

    def stop():
        run_quiet(["supervisorctl", "-c", conf, "shutdown"])
        if pid:
            wait_dead([pid], 30)
    out = "%s/out.log" % d
    return pid, out, lambda: rotated_numeric(out), stop


def pipe_logger(row, d, cmd, argv, ld):
    """The producer's stdout a pipe, the logger (argv, its logdir ld last)
    reading the other end, as s6-svscan and runsv set them up."""
    r, w = os.pipe()
    prod = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=w,
                            start_new_session=True)
    lg = subprocess.Popen(argv, stdin=r, stdout=subprocess.DEVNULL,
                          stderr=open("%s/%s.err" % (d, argv[0]), "wb"),
                          start_new_session=True)
    os.close(r)
    os.close(w)
    row["argv"] = " ".join(argv[:-1]) + " DIR"

    def files():
        try:
            arch = sorted(f for f in os.listdir(ld) if f.startswith("@"))
        except OSError:                 # the logger has not made it yet
            arch = []
        return [os.path.join(ld, f) for f in arch] + ["%s/current" % ld]

    def stop():
        # It exits on EOF, once the producer is gone.
        for p in (prod, lg):
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
    return lg.pid, "%s/current" % ld, files, stop


def start_s6log(row, d, cmd):
    # s6-log writes its logdir.
    ld = "%s/log" % d
    script = ["n1000", "s%d" % row.get("rotate", 268435455)]
    if row.get("ts") == "tai64n":
        script.append("t")
    elif row.get("ts") == "iso8601":
        script.append("T")
    argv = ["s6-log"] + (["-b"] if row.get("blocking", True) else []) + script + [ld]
    return pipe_logger(row, d, cmd, argv, ld)


def start_svlogd(row, d, cmd):
    # runit's: s0 (no rotation by size), n0 (keep every file).
    ld = "%s/log" % d
    os.mkdir(ld)
    with open("%s/config" % ld, "w") as f:
        f.write("s0\nn0\n")
    argv = ["svlogd"] + (["-tt"] if row.get("ts") else []) + [ld]
    return pipe_logger(row, d, cmd, argv, ld)


def start_pm2(row, d, cmd):
    pm2 = os.environ["PM2"]
    env = dict(os.environ, PM2_HOME="%s/pm2home" % d)
    out = "%s/out.log" % d
    argv = [pm2, "start", cmd[0], "--name", "flood", "--interpreter", "none",
            "--no-autorestart", "-o", out, "-e", "%s/err.log" % d, "--"] + cmd[1:]
    with open("%s/launch.log" % d, "ab") as lf:
        rc = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=lf,
                            stderr=subprocess.STDOUT, env=env,
                            start_new_session=True, timeout=120).returncode
    if rc != 0:
        raise RuntimeError("pm2 start exited %d: %s" % (rc, tail("%s/launch.log" % d)))
    pid = readpid("%s/pm2home/pm2.pid" % d)

    def stop():
        run_quiet([pm2, "kill"], env=env, timeout=60)
        if pid:
            wait_dead([pid], 20)
    return pid, out, lambda: [out], stop


def start_cat(row, d, cmd):
    # The floor: the same pipe, read by cat(1) into the file.
    out = "%s/out.log" % d
    with open(out, "wb") as f:
        r, w = os.pipe()
        prod = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=w,
                                start_new_session=True)
        c = subprocess.Popen(["cat"], stdin=r, stdout=f, start_new_session=True)
    os.close(r)
    os.close(w)

    def stop():
        for p in (prod, c):
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
    return c.pid, out, lambda: [out], stop


START = {"warden": start_warden, "supervisord": start_supervisord,
         "s6-log": start_s6log, "svlogd": start_svlogd, "pm2": start_pm2,
         "cat": start_cat}


def tail(path, n=600):
    try:
        with open(path, "rb") as f:
            return f.read()[-n:].decode(errors="replace").strip()
    except OSError:
        return ""


# --- one row ----------------------------------------------------------------

def ends_with(path, want):
    try:
        with open(path, "rb") as f:
            size = os.fstat(f.fileno()).st_size
            if size < len(want):
                return False
            f.seek(size - len(want))
            return f.read(len(want)) == want
    except OSError:
        return False


def go(fifo, tmo):
    """Open the FIFO's write end once flood is waiting on it: the start
    (and, after the last line, the producer's leave to exit)."""
    t = time.monotonic() + tmo
    while True:
        try:
            fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
        except OSError as e:
            if e.errno != errno.ENXIO or time.monotonic() > t:
                raise RuntimeError("the producer never opened its FIFO")
            time.sleep(0.0005)
            continue
        t0 = time.monotonic()
        os.close(fd)
        return t0


def row_end(d, stop):
    """After a row: its logger stopped, every process of d reaped, d gone."""
    if stop is not None:
        try:
            stop()
        except Exception:
            pass
    reap(d, d)
    subprocess.run(["rm", "-rf", d])


def run_row(T, row, k):
    nlines = row["lines"]
    d = "%s/r%d" % (T, k)
    os.mkdir(d)
    fifo = "%s/go" % d
    os.mkfifo(fifo)
    cmd = [os.environ["FLOOD"], "-g", fifo, str(nlines), str(row["chunk"])]
    want = (body(nlines - 1) + "\n").encode()
    res = {"key": row["key"]}
    stop = None
    try:
        pid, live, files, stop = START[row["tool"]](row, d, cmd)
        if pid is None:
            raise RuntimeError("no logger pid")
        c0, io0 = cpu(pid), iocalls(pid)
        t0 = go(fifo, 30)
        tmo = float(os.environ.get("TMO", "600"))
        last = None
        t1 = None
        while True:
            now = time.monotonic()
            if now - t0 > tmo:
                break
            try:
                size = os.stat(live).st_size
            except OSError:
                size = -1
            if size != last:
                last = size
                # The last line is in the live file, or (a rotation
                # right after it) in the newest backup.
                fl = files()
                if ends_with(live, want) or (len(fl) > 1 and size <= 0 and
                                             ends_with(fl[-2], want)):
                    t1 = time.monotonic()
                    break
            time.sleep(0.001)
        if t1 is not None:
            res["secs"] = t1 - t0
        else:
            res["error"] = "timeout: the last line not in the log after %.0f s" % tmo
        res["hwm"] = hwm(pid)
        c1, io1 = cpu(pid), iocalls(pid)
        res["cpu"] = c1 - c0 if c0 is not None and c1 is not None else None
        if None not in io0 + io1:
            res["reads"], res["writes"] = io1[0] - io0[0], io1[1] - io0[1]
        # Now the producer may go (it waits on its FIFO once more).
        try:
            go(fifo, 5)
        except RuntimeError:
            pass
        stop()
        stop = None
        fl = [f for f in files() if os.path.exists(f)]
        res["files"] = len(fl)
        res["bytes"] = sum(os.path.getsize(f) for f in fl)
        pfx = ["-p", "20"] if row.get("ts") else []
        ck = subprocess.run([os.environ["FLOOD"], "-c", str(nlines)] + pfx + fl,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        res["check"] = ck.stdout.decode().strip().replace(', prefix "" (0 bytes)', "")
        res["ok"] = ck.returncode == 0
        if "error" in res:
            res["error"] += " (%s; %d bytes in %d files)" % (
                res["check"], res["bytes"], res["files"])
    except Exception as e:              # a row that breaks is shown as such
        res["error"] = str(e)
        log("%s: %s" % (row["key"], e))
        for f in ("launch.log", "sup.log", "s6-log.err", "svlogd.err"):
            t = tail(os.path.join(d, f), 300)
            if t:
                log("  %s: %s" % (f, t))
    finally:
        row_end(d, stop)
        os.sync()
    return res


# --- a lone line's delay ----------------------------------------------------
#
# The producer (this file, `logs.py prod FIFO`) writes one line for each
# byte it reads from FIFO: its CLOCK_MONOTONIC time in ns, then " lone
# line".  The bench sends a byte, watches the log file until that line is
# in it, and takes the difference; then it waits LAT_GAP s before the next
# line, so that every line comes to a quiet logger.

def prod(fifo):
    fd = os.open(fifo, os.O_RDONLY)
    while os.read(fd, 1):
        os.write(1, b"%020d lone line\n" % time.monotonic_ns())


def run_lat(T, row, k):
    d = "%s/r%d" % (T, k)
    os.mkdir(d)
    fifo = "%s/go" % d
    os.mkfifo(fifo)
    cmd = [sys.executable, "-B", os.path.abspath(__file__), "prod", fifo]
    n = int(os.environ.get("LAT_N", "200"))
    gap = float(os.environ.get("LAT_GAP", "0.01"))
    res = {"key": row["key"]}
    stop = None
    wfd = rfd = None
    try:
        pid, live, files, stop = START[row["tool"]](row, d, cmd)
        t = time.monotonic() + 30
        while wfd is None:
            try:
                wfd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
            except OSError as e:
                if e.errno != errno.ENXIO or time.monotonic() > t:
                    raise RuntimeError("the producer never opened its FIFO")
                time.sleep(0.001)
        lat, buf = [], b""
        for i in range(n):
            os.write(wfd, b"x")
            t = time.monotonic() + 5
            while b"\n" not in buf:
                if rfd is None:
                    try:
                        rfd = os.open(live, os.O_RDONLY)
                    except OSError:
                        pass
                if rfd is not None:
                    buf += os.read(rfd, 65536)
                if b"\n" in buf:
                    break
                if time.monotonic() > t:
                    raise RuntimeError("line %d not in the log after 5 s" % i)
                time.sleep(0.00005)
            now = time.monotonic_ns()
            line, buf = buf.split(b"\n", 1)
            lat.append((now - int(line.split()[-3])) / 1e6)
            time.sleep(gap)
        lat.sort()
        res["n"] = len(lat)
        res["p50"] = lat[len(lat) // 2]
        res["p99"] = lat[min(len(lat) - 1, int(len(lat) * 0.99))]
        res["max"] = lat[-1]
    except Exception as e:
        res["error"] = str(e)
        log("%s: %s" % (row["key"], e))
    finally:
        for fd in (wfd, rfd):
            if fd is not None:
                os.close(fd)
        row_end(d, stop)
    return res


# --- the rows ---------------------------------------------------------------

def rows():
    mib = float(os.environ.get("MIB", "512"))
    chunk = int(os.environ.get("CHUNK", "65536"))
    nlines = int(mib * 1048576) // LINE
    have_w = os.access(os.environ.get("W", ""), os.X_OK)
    pm2 = os.environ.get("PM2")
    R = []

    def add(group, key, tool, label, **kw):
        if tool == "warden" and not have_w or tool == "pm2" and not pm2:
            return
        R.append(dict(group=group, key=key, tool=tool, label=label,
                      lines=nlines, **kw))
    ck = "%d KiB" % (chunk // 1024) if chunk >= 1024 else "%d B" % chunk
    add("bulk", "w", "warden", "warden up", chunk=chunk,
        conf="stdout_logfile_maxbytes=0")
    add("bulk", "w50", "warden", "warden up, rotating", chunk=chunk,
        rotate=50 * 1048576, conf="stdout_logfile_maxbytes=50MB (the default)")
    add("bulk", "sd", "supervisord", "supervisord", chunk=chunk,
        conf="stdout_logfile_maxbytes=0")
    add("bulk", "s6b", "s6-log", "s6-log -b", chunk=chunk, conf="")
    add("bulk", "s6", "s6-log", "s6-log", chunk=chunk, blocking=False, conf="")
    add("bulk", "s6b50", "s6-log", "s6-log -b, rotating", chunk=chunk,
        rotate=50 * 1048576, conf="")
    add("bulk", "pm2", "pm2", "pm2", chunk=chunk, conf="`pm2 start --interpreter none -o FILE`")
    add("bulk", "sv", "svlogd", "svlogd", chunk=chunk, conf="")
    add("bulk", "cat", "cat", "floor: cat", chunk=chunk, conf="`flood \\| cat >FILE`")
    add("line", "lw", "warden", "warden up", chunk=0, conf="stdout_logfile_maxbytes=0")
    add("line", "lsd", "supervisord", "supervisord", chunk=0,
        conf="stdout_logfile_maxbytes=0")
    add("line", "ls6b", "s6-log", "s6-log -b", chunk=0, conf="")
    add("line", "lpm2", "pm2", "pm2", chunk=0, conf="`pm2 start --interpreter none -o FILE`")
    add("line", "lsv", "svlogd", "svlogd", chunk=0, conf="")
    add("line", "lcat", "cat", "floor: cat", chunk=0, conf="`flood \\| cat >FILE`")
    add("ts", "tw", "warden", "warden up, tai64n", chunk=chunk, ts="tai64n",
        conf="log_timestamps=tai64n")
    add("ts", "ts6b", "s6-log", "s6-log -b t", chunk=chunk, ts="tai64n", conf="")
    add("ts", "iw", "warden", "warden up, iso8601", chunk=chunk, ts="iso8601",
        conf="log_timestamps=iso8601")
    add("ts", "is6b", "s6-log", "s6-log -b T", chunk=chunk, ts="iso8601", conf="")
    add("ts", "ltw", "warden", "warden up, tai64n, a write per line", chunk=0,
        ts="tai64n", conf="log_timestamps=tai64n")
    add("ts", "liw", "warden", "warden up, iso8601, a write per line", chunk=0,
        ts="iso8601", conf="log_timestamps=iso8601")
    add("ts", "lts6b", "s6-log", "s6-log -b t, a write per line", chunk=0,
        ts="tai64n", conf="")
    add("lat", "aw", "warden", "warden up", chunk=0, conf="stdout_logfile_maxbytes=0")
    add("lat", "asd", "supervisord", "supervisord", chunk=0,
        conf="stdout_logfile_maxbytes=0")
    add("lat", "as6b", "s6-log", "s6-log -b", chunk=0, conf="")
    add("lat", "asv", "svlogd", "svlogd", chunk=0, conf="")
    add("lat", "acat", "cat", "floor: cat", chunk=0, conf="`prod \\| cat >FILE`")
    only = os.environ.get("ONLY", "").split()
    keys = [k for k in os.environ.get("ROWS", "").split(",") if k]
    R = [r for r in R if (not only or r["group"] in only) and (not keys or r["key"] in keys)]
    return R, nlines, ck


def fmt(v, f="%.2f"):
    return "–" if v is None else f % v


def report(R, res, nlines, ck, reps):
    mib = nlines * LINE / 1048576.0
    byk = {}
    for r in res:
        byk.setdefault(r["key"], []).append(r)

    def summary(row):
        rs = byk.get(row["key"], [])
        good = [r for r in rs if "secs" in r]
        if not good:
            return None
        good.sort(key=lambda r: r["secs"])
        m = good[(len(good) - 1) // 2]          # the median run (lower)
        return dict(m, runs=len(good), of=len(rs),
                    mibs=mib / m["secs"], ok=all(r.get("ok") for r in good),
                    checks=[m.get("check", "")])

    S = {row["key"]: summary(row) for row in R}
    overview(R, S, res, ck)
    titles = {
        "bulk": "Bulk: %s writes, %d lines of 100 bytes (%.0f MiB)" % (ck, nlines, mib),
        "line": "One write(2) per 100-byte line, %d lines (%.0f MiB)" % (nlines, mib),
        "ts": "Timestamps: %s writes, %d lines (%.0f MiB before the stamps)" % (ck, nlines, mib),
    }
    ref = {"bulk": "w", "line": "lw", "ts": "tw"}
    lat_table(R, res)
    for g in ("bulk", "line", "ts"):
        rows_g = [r for r in R if r["group"] == g]
        if not rows_g:
            continue
        print("\n### %s\n" % titles[g])
        print("| logger | configuration | runs | s | MiB/s | warden ÷ this | logger CPU s | logger's read, write calls | logger peak RSS MiB (VmHWM) | files | lines check |")
        print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|")
        wr = S.get(ref[g])
        notes = []
        for row in rows_g:
            s = S[row["key"]]
            conf = row["conf"] or ("`%s`" % row.get("argv", "s6-log")).replace("|", "\\|")
            if s is None:
                err = next((r.get("error") for r in byk.get(row["key"], []) if r.get("error")), "not run")
                print("| %s | %s | 0 | – | – | – | – | – | – | – | ✗ %s |" % (row["label"], conf, err))
                continue
            ratio = "%.2f×" % (wr["mibs"] / s["mibs"]) if wr else "–"
            wref = row["key"] == ref[g]
            if g == "ts":
                # Against warden's row with the same stamp and writes.
                rk = {("iso8601", True): "iw", ("iso8601", False): "liw",
                      ("tai64n", True): "tw", ("tai64n", False): "ltw"}[
                          (row["ts"], row["chunk"] > 0)]
                rs = S.get(rk)
                ratio = "%.2f×" % (rs["mibs"] / s["mibs"]) if rs else "–"
                wref = row["key"] == rk
            errs = sorted(set(r["error"] for r in byk.get(row["key"], []) if r.get("error")))
            if errs:
                notes.append("%s: %s" % (row["label"], "; ".join(errs)))
            print("| %s | %s | %d%s | %.2f | %.0f | %s | %s | %s | %s | %s | %s %s |" % (
                row["label"], conf, s["runs"], "" if s["runs"] == s["of"] else " of %d" % s["of"],
                s["secs"], s["mibs"], "1.00× (ref)" if wref else ratio, fmt(s.get("cpu")),
                "%d, %d" % (s["reads"], s["writes"]) if "reads" in s else "–",
                fmt(s["hwm"] / 1024 if s.get("hwm") else None, "%.1f"),
                s.get("files", "–"), "✓" if s["ok"] else "✗", "; ".join(s["checks"])))
        # The targets.
        def tgt(a, b, want, what):
            sa, sb = S.get(a), S.get(b)
            if sa and sb:
                x = sa["mibs"] / sb["mibs"]
                print("- %s: %.2f× (target ≥ %.1f×: %s)" % (what, x, want, "met" if x >= want else "NOT met"))
        print()
        for n in notes:
            print("- ✗ %s" % n)
        if g == "bulk":
            tgt("w", "sd", 0.9, "warden ÷ supervisord")
            tgt("w", "s6b", 3, "warden ÷ s6-log -b")
            tgt("w", "s6", 3, "warden ÷ s6-log (no -b)")
            tgt("w50", "s6b50", 3, "rotating at 50 MiB, warden ÷ s6-log -b")
        elif g == "line":
            tgt("lw", "lsd", 1.5, "warden ÷ supervisord")
            tgt("lw", "ls6b", 1.5, "warden ÷ s6-log -b")
        else:
            tgt("tw", "ts6b", 2, "tai64n, warden ÷ s6-log -b t")
            tgt("iw", "is6b", 2, "iso8601, warden ÷ s6-log -b T")
            tgt("tw", "w", 0.8, "tai64n ÷ no stamps, %s writes" % ck)
            tgt("iw", "w", 0.8, "iso8601 ÷ no stamps, %s writes" % ck)
            tgt("ltw", "lw", 0.8, "tai64n ÷ no stamps, a write per line")
            tgt("liw", "lw", 0.8, "iso8601 ÷ no stamps, a write per line")


def lat_median(res, key):
    """The median run of a lone-line row, or None."""
    good = sorted((r for r in res if r["key"] == key and "p50" in r),
                  key=lambda r: r["p50"])
    return good[(len(good) - 1) // 2] if good else None


def overview(R, S, res, ck):
    """One line per logger: MiB/s at each write size, stamped and not,
    and a lone line's delay."""
    have = set(r["key"] for r in R)
    cols = [("%s writes" % ck, "w sd s6b sv cat"),
            ("%s, tai64n" % ck, "tw – ts6b – –"),
            ("%s, iso8601" % ck, "iw – is6b – –"),
            ("a write per line", "lw lsd ls6b lsv lcat"),
            ("a line, tai64n", "ltw – lts6b – –"),
            ("a line, iso8601", "liw – – – –")]
    names = ["warden up", "supervisord", "s6-log -b", "svlogd", "floor: cat"]
    lat = "aw asd as6b asv acat".split()
    if not have & set(" ".join(c for _, c in cols).split() + lat):
        return
    print("\n### Overview: MiB/s, and a lone line's delay\n")
    print("| logger | " + " | ".join(t for t, _ in cols) +
          " | lone line p50 ms | p99 ms |")
    print("|---|" + "---:|" * (len(cols) + 2))
    for i, name in enumerate(names):
        cells = []
        for _, keys in cols:
            k = keys.split()[i]
            if k == "–":
                cells.append("– (no such option)" if i in (1, 4) else "–")
            elif S.get(k):
                cells.append("%.0f" % S[k]["mibs"])
            else:
                cells.append("not run" if k not in have else "✗")
        m = lat_median(res, lat[i])
        cells += ["%.2f" % m["p50"], "%.2f" % m["p99"]] if m else ["–", "–"]
        print("| %s | %s |" % (name, " | ".join(cells)))


def lat_table(R, res):
    """A lone line's delay, write(2) to the file: p50, p99, max."""
    rows_g = [r for r in R if r["group"] == "lat"]
    if not rows_g:
        return
    n = os.environ.get("LAT_N", "200")
    gap = float(os.environ.get("LAT_GAP", "0.01")) * 1000
    print("\n### A lone line's delay: %s lines, one each %.0f ms, from write(2) to the file\n" % (n, gap))
    print("| logger | configuration | lines | p50 ms | p99 ms | max ms |")
    print("|---|---|---:|---:|---:|---:|")
    for row in rows_g:
        rs = [r for r in res if r["key"] == row["key"]]
        good = sorted((r for r in rs if "p50" in r), key=lambda r: r["p50"])
        conf = row["conf"] or ("`%s`" % row.get("argv", row["tool"])).replace("|", "\\|")
        if not good:
            err = next((r.get("error") for r in rs if r.get("error")), "not run")
            print("| %s | %s | – | – | – | ✗ %s |" % (row["label"], conf, err))
            continue
        m = good[(len(good) - 1) // 2]
        print("| %s | %s | %d | %.2f | %.2f | %.2f |" % (
            row["label"], conf, m["n"], m["p50"], m["p99"], m["max"]))
        if row["key"] == "aw":
            ok = m["p50"] <= 5 and m["p99"] <= 20
            lat_note = "- warden: p50 %.2f ms (target ≤ 5), p99 %.2f ms (target ≤ 20): %s" % (
                m["p50"], m["p99"], "met" if ok else "NOT met")
    print()
    if "lat_note" in locals():
        print(lat_note)


def main():
    cmd, T = sys.argv[1], sys.argv[2]
    if cmd == "reap":
        reap(T, T)
        return
    if cmd == "prod":
        prod(T)
        return
    if cmd == "table":
        # The tables again, from the runs logs.sh logged on stderr.
        R, nlines, ck = rows()
        res = []
        with open(T) as f:
            for line in f:
                if line.startswith("logs: ") and " run " in line and ": {" in line:
                    res.append(json.loads(line[line.index(": {") + 2:]))
        report(R, res, nlines, ck, 0)
        return
    R, nlines, ck = rows()
    reps = int(os.environ.get("REPS", "1"))
    res, k = [], 0
    for rep in range(reps):
        for row in R:
            k += 1
            r = (run_lat if row["group"] == "lat" else run_row)(T, row, k)
            res.append(r)
            log("%s (%s) run %d: %s" % (row["key"], row["label"], rep + 1, json.dumps(
                {x: (round(v, 3) if isinstance(v, float) else v) for x, v in r.items()})))
    report(R, res, nlines, ck, reps)


if __name__ == "__main__":
    main()
