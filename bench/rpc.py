#!/usr/bin/env python3
"""bench/rpc.py: the XML-RPC client of bench/rpc.sh, and its report.

    python3 rpc.py wait SOCK N TIMEOUT      until N processes are RUNNING
    python3 rpc.py time OUT CALLS N NAME=SOCK...
                                            (SOCK as metrics:SOCK: GET /metrics)
    python3 rpc.py report T N CALLS         the tables, from T's files

The client is hand-rolled, to keep its own cost out of the figures: one
AF_UNIX stream connection per supervisor, kept alive, HTTP/1.1 POST /RPC2
with a request body made once; a call is timed from before its sendall()
to the last byte of the response body (Content-Length or chunked), with
no parsing in between.  The first and the last response of each supervisor
are parsed (xmlrpc.client) and checked: a list of N structs.  A target
metrics:SOCK is asked GET /metrics instead (warden's Prometheus text),
checked to hold a warden_service_up series for each of the N services.
"""
import errno
import json
import os
import socket
import statistics
import sys
import time
import xmlrpc.client

from proc import hf_table

BODY = xmlrpc.client.dumps((), "supervisor.getAllProcessInfo").encode()
REQ = (b"POST /RPC2 HTTP/1.1\r\nHost: localhost\r\n"
       b"Content-Type: text/xml\r\nContent-Length: %d\r\n\r\n" % len(BODY)
       + BODY)
METRICS = b"GET /metrics HTTP/1.1\r\nHost: localhost\r\n\r\n"
PAGE = b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n"


class Closed(Exception):
    pass


class Client:
    """One keep-alive HTTP connection to a supervisor's UNIX socket."""

    def __init__(self, path):
        self.req = REQ
        if path.startswith("metrics:"):
            path, self.req = path[8:], METRICS
        elif path.startswith("page:"):
            path, self.req = path[5:], PAGE
        self.path = path
        self.buf = bytearray(1 << 20)
        self.view = memoryview(self.buf)
        self.connects = 0
        self.connect()

    def connect(self):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            self.s.connect(self.path)
        except OSError:
            self.s.close()
            raise
        self.pending = b""
        self.connects += 1

    def recv(self):
        n = self.s.recv_into(self.buf)
        if n == 0:
            raise Closed()
        return bytes(self.view[:n])

    def call(self, req=None):
        """Send req, return (status, body); reconnect once if closed."""
        if req is None:
            req = self.req
        try:
            self.s.sendall(req)
            return self.response()
        except (Closed, BrokenPipeError, ConnectionResetError):
            self.s.close()
            self.connect()
            self.s.sendall(req)
            return self.response()

    def response(self):
        data = self.pending
        while b"\r\n\r\n" not in data:
            data += self.recv()
        head, data = data.split(b"\r\n\r\n", 1)
        lines = head.split(b"\r\n")
        status = int(lines[0].split()[1])
        hdr = {}
        for l in lines[1:]:
            k, _, v = l.partition(b":")
            hdr[k.strip().lower()] = v.strip().lower()
        if b"content-length" in hdr:
            n = int(hdr[b"content-length"])
            parts, have = [data], len(data)
            while have < n:
                c = self.recv()
                parts.append(c)
                have += len(c)
            data = b"".join(parts)
            body, self.pending = data[:n], data[n:]
        elif hdr.get(b"transfer-encoding") == b"chunked":
            body, self.pending = self.chunked(data)
        else:                           # to the end: no keep-alive
            parts = [data]
            try:
                while True:
                    parts.append(self.recv())
            except Closed:
                pass
            body, self.pending = b"".join(parts), b""
            self.s.close()
            self.connect()
        if hdr.get(b"connection") == b"close":
            self.s.close()
            self.connect()
        return status, body

    def chunked(self, data):
        out = []
        while True:
            while b"\r\n" not in data:
                data += self.recv()
            size, data = data.split(b"\r\n", 1)
            n = int(size.split(b";")[0], 16)
            while len(data) < n + 2:
                data += self.recv()
            out.append(data[:n])
            data = data[n + 2:]
            if n == 0:                  # no trailers from our servers
                return b"".join(out), data


def check(status, body, n, req=REQ):
    """None when body is a list of n process structs (metrics: n services
    in Prometheus's text; the page: n rows), else the reason."""
    if status != 200:
        return "HTTP %d" % status
    if req is METRICS:
        k = body.count(b"\nwarden_service_up{")
        return None if k == n else "%d services in /metrics, not %d" % (k, n)
    if req is PAGE:
        k = body.count(b"<tr data-name=")
        return None if k == n else "%d rows in the page, not %d" % (k, n)
    try:
        (v,), _ = xmlrpc.client.loads(body)
    except xmlrpc.client.Fault as f:
        return "fault %d %s" % (f.faultCode, f.faultString)
    except Exception as e:              # anything unparsable
        return "bad response: %s" % e
    if not isinstance(v, list) or len(v) != n:
        return "%d processes, not %d" % (len(v) if isinstance(v, list) else -1, n)
    return None


def running(body):
    (v,), _ = xmlrpc.client.loads(body)
    return sum(1 for p in v if p.get("statename") == "RUNNING"), len(v)


def wait(path, n, tmo):
    """Seconds until n processes are RUNNING; a socket that is not there
    (yet) is retried, anything else (a wrong protocol, a fault) is final."""
    t0 = time.monotonic()
    c, why = None, ""
    while time.monotonic() - t0 < tmo:
        try:
            if c is None:
                c = Client(path)
            status, body = c.call()
            why = check(status, body, n)
            if why is not None and not why.endswith("not %d" % n):
                break
            r, k = running(body)
            if r == n and k == n:
                print("%.2f" % (time.monotonic() - t0))
                return 0
            why = "%d of %d RUNNING" % (r, n)
        except OSError as e:
            c = None
            why = "%s: %s" % (path, os.strerror(e.errno) if e.errno else e)
            if e.errno not in (errno.ENOENT, errno.ECONNREFUSED):
                break
        time.sleep(0.2)
    print("error: " + why)
    return 1


def timecalls(out, calls, n, targets):
    """CALLS timed calls to each NAME=SOCK, interleaved (the order turns
    each round); writes {name: {"ms": [...], ...} or {"error": ...}}.
    1 when a supervisor could not be timed."""
    res, cl = {}, {}
    for t in targets:
        name, path = t.split("=", 1)
        try:
            c = Client(path)
            st, body = c.call()         # the warm-up, checked
            why = check(st, body, n, c.req)
            if why is None:
                for _ in range(2):
                    c.call()
                cl[name] = c
                res[name] = {"ms": [], "bytes": len(body)}
            else:
                res[name] = {"error": why}
        except OSError as e:
            res[name] = {"error": "%s: %s" % (path, os.strerror(e.errno) if e.errno else e)}
    names = list(cl)
    clock = time.perf_counter
    for i in range(calls):
        for name in (names if i % 2 == 0 else names[::-1]):
            c = cl[name]
            t0 = clock()
            c.call()
            res[name]["ms"].append((clock() - t0) * 1e3)
    for name, c in cl.items():          # the last one, checked too
        why = check(*c.call(), n, c.req)
        res[name]["connections"] = c.connects
        if why is not None:
            res[name] = {"error": "after the calls: " + why}
    with open(out, "w") as f:
        json.dump(res, f)
    for name, r in res.items():
        if "ms" in r:
            print("rpc:   %s: median %.3f ms, min %.3f ms (%d calls, %d bytes, "
                  "%d connection(s))" % (name, statistics.median(r["ms"]), min(r["ms"]),
                                         len(r["ms"]), r["bytes"], r["connections"]),
                  file=sys.stderr)
        else:
            print("rpc:   %s: %s" % (name, r["error"]), file=sys.stderr)
    return 0 if all("ms" in r for r in res.values()) else 1


def ratio(a, b):
    return "%.3f×" % (a / b) if b else "–"


def lines(path):
    try:
        with open(path) as f:
            return [l.rstrip("\n") for l in f]
    except FileNotFoundError:
        return []


def report(T, n, calls):
    """calls.json (timecalls), ctl.json (hyperfine), pss.txt (NAME kB),
    failed.txt (a line each) in T."""
    p = os.path.join(T, "calls.json")
    if os.path.exists(p):
        res = json.load(open(p))
        mem = {k: int(v) for k, v in (l.split() for l in lines(os.path.join(T, "pss.txt")))}
        print("\n### supervisor.getAllProcessInfo, %d processes, raw client "
              "(keep-alive, UNIX socket, %d calls each, interleaved)\n" % (n, calls))
        sd = res.get("supervisord", {})
        sdm = statistics.median(sd["ms"]) if "ms" in sd else None
        print("| supervisor | calls | median ms | min ms | max ms | response KiB "
              "| connections | ÷ supervisord (median) | (min) | PSS MiB after the calls (info) |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for name, r in res.items():
            pss = "%.2f" % (mem[name] / 1024) if name in mem else "–"
            if "ms" not in r:
                print("| %s | – | – | – | – | – | – | – | – | %s |" % (name, pss))
                continue
            med, mn = statistics.median(r["ms"]), min(r["ms"])
            print("| %s | %d | %.3f | %.3f | %.3f | %.1f | %d | %s | %s | %s |" % (
                name, len(r["ms"]), med, mn, max(r["ms"]), r["bytes"] / 1024, r["connections"],
                ratio(med, sdm) if sdm else "–",
                ratio(mn, min(sd["ms"])) if sdm else "–", pss))
        for name, r in res.items():
            if "error" in r:
                print("\n%s: no figures: %s" % (name, r["error"]))
        w = res.get("warden", {})
        if "ms" in w and sdm:
            wm = statistics.median(w["ms"])
            print("\ntarget warden ≤ 0.05× supervisord (median): %s (%.3f×; min %.3f×)" % (
                "met" if wm <= 0.05 * sdm else "NOT met", wm / sdm,
                min(w["ms"]) / min(sd["ms"])))
    p = os.path.join(T, "metrics.json")
    if os.path.exists(p):
        res = json.load(open(p))
        print("\n### warden's GET /metrics and status page beside supervisord's getAllProcessInfo, "
              "%d services, raw client (keep-alive, UNIX socket, %d calls each, "
              "interleaved)\n" % (n, calls))
        print("supervisord has no built-in metrics; getAllProcessInfo, the "
              "call an exporter makes, is the nearest thing.\n")
        print("| request | calls | median ms | min ms | max ms | response KiB |")
        print("|---|---:|---:|---:|---:|---:|")
        for name, r in res.items():
            if "ms" not in r:
                print("| %s | – | – | – | – | – |" % name)
                continue
            print("| %s | %d | %.3f | %.3f | %.3f | %.1f |" % (
                name, len(r["ms"]), statistics.median(r["ms"]), min(r["ms"]),
                max(r["ms"]), r["bytes"] / 1024))
        for name, r in res.items():
            if "error" in r:
                print("\n%s: no figures: %s" % (name, r["error"]))
        for name in ("warden /metrics", "warden page /"):
            w = res.get(name, {})
            if "ms" in w:
                print("\ntarget %s < 20 ms (median, %d services): %s "
                      "(%.3f ms)" % (name, n, "met" if
                      statistics.median(w["ms"]) < 20 else "NOT met",
                      statistics.median(w["ms"])))
    p = os.path.join(T, "ctl.json")
    if os.path.exists(p):
        hf_table(p, "supervisorctl → supervisord",
                 "`supervisorctl -c CONF status`, end to end (hyperfine -N, %d processes)" % n)
    for line in lines(os.path.join(T, "failed.txt")):
        print("\nnot timed: " + line)
    return 0


def main(argv):
    cmd, a = argv[1], argv[2:]
    if cmd == "wait":
        return wait(a[0], int(a[1]), float(a[2]))
    if cmd == "time":
        return timecalls(a[0], int(a[1]), int(a[2]), a[3:])
    if cmd == "report":
        return report(a[0], int(a[1]), int(a[2]))
    sys.exit("rpc.py: " + cmd + "?")


if __name__ == "__main__":
    sys.exit(main(sys.argv))
