"""bench/activation.py: does a restart refuse connections?

A small HTTP service (bench/actsrv.py) is restarted RESTARTS times while
a client makes one connect-request-close after another on 127.0.0.1, and
every failed request (refused, reset, no answer within 2 s) is counted
(after a failure the client waits 1 ms, so that instant refusals do not
spin),
in five setups side by side:

  warden listen=        the supervisor holds the socket (socket activation)
  warden fcgi           [fcgi-program:x]: warden holds the socket (fd 0)
  warden, own bind      the program binds its port; ready=tcp: waits for it
  supervisord program   the program binds its port
  supervisord fcgi      [fcgi-program:x]: supervisord holds the socket (fd 0)

Restarts go through each one's own command, back to back: `warden
restart` and `supervisorctl restart`, each of which returns once the new
process counts as started (startsecs=1, supervisord's default; the
own-bind program under warden with ready=tcp: instead).  The service
answers the request in hand before it leaves on SIGTERM, as a
well-behaved server does, so that what is counted is what the restart
itself refuses.  Everything runs in one temp dir;
every process started is stopped by pid (the supervisors' own shutdown,
then SIGKILL of what is left in their process groups).

Usage: python3 bench/activation.py WARDEN [RESTARTS]   (run by activation.sh)
"""
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
W = sys.argv[1]
RESTARTS = int(sys.argv[2]) if len(sys.argv) > 2 else 50
SRV = "python3 %s" % os.path.join(HERE, "actsrv.py")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


class Client(threading.Thread):
    """connect-request-close, over and over, counting what fails."""

    def __init__(self, port):
        super().__init__(daemon=True)
        self.port, self.ok, self.failed, self.stop = port, 0, 0, False

    def one(self):
        s = socket.create_connection(("127.0.0.1", self.port), timeout=2)
        try:
            s.sendall(b"GET / HTTP/1.0\r\n\r\n")
            data = b""
            while True:
                b = s.recv(256)
                if not b:
                    break
                data += b
            return data.startswith(b"HTTP/1.0 200")
        finally:
            s.close()

    def run(self):
        while not self.stop:
            try:
                good = self.one()
            except OSError:
                good = False
            if good:
                self.ok += 1
            else:
                self.failed += 1
                time.sleep(0.001)   # a refusal is instant: no spinning


def wait_for(pred, secs=30):
    end = time.time() + secs
    while time.time() < end:
        if pred():
            return True
        time.sleep(0.05)
    return False


def answers(port):
    try:
        Client(port).one()
        return True
    except OSError:
        return False


def pid_of(path):
    try:
        return int(open(path).read().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def kill_tree(pid):
    """What is left of a supervisor and its services: SIGKILL by pid."""
    if pid is None:
        return
    kids = [pid]
    for p in os.listdir("/proc"):
        if not p.isdigit():
            continue
        try:
            st = open("/proc/%s/stat" % p).read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(st[1]) == pid:
            kids.append(int(p))
    for k in kids:
        try:
            os.killpg(os.getpgid(k), signal.SIGKILL)
        except OSError:
            pass
        try:
            os.kill(k, signal.SIGKILL)
        except OSError:
            pass


def setup(d, kind, port):
    """Write the config of one setup; return (start, restart, stop, pidfile)."""
    os.makedirs(d)
    sd = kind.startswith("supervisord")
    conf = os.path.join(d, "supervisord.conf")
    with open(conf, "w") as f:
        f.write("[unix_http_server]\nfile=%s/s.sock\n" % d)
        f.write("[supervisord]\nlogfile=%s/sup.log\npidfile=%s/sup.pid\n"
                "childlogdir=%s\n" % (d, d, d))
        f.write("[rpcinterface:supervisor]\nsupervisor.rpcinterface_factory"
                " = supervisor.rpcinterface:make_main_rpcinterface\n")
        f.write("[supervisorctl]\nserverurl=unix://%s/s.sock\n" % d)
        if not sd:
            f.write("[warden]\nrundir=%s/run\n" % d)
        if kind in ("supervisord fcgi", "warden fcgi"):
            f.write("[fcgi-program:web]\nsocket=tcp://127.0.0.1:%d\n"
                    "command=%s fd0\nprocess_name=web\n" % (port, SRV))
        elif kind == "warden listen=":
            f.write("[program:web]\ncommand=%s\nlisten=tcp://127.0.0.1:%d\n"
                    % (SRV, port))
        elif kind == "warden, own bind":
            f.write("[program:web]\ncommand=%s %d\nready=tcp:127.0.0.1:%d\n"
                    % (SRV, port, port))
        else:
            f.write("[program:web]\ncommand=%s %d\n" % (SRV, port))
        f.write("stopsignal=TERM\nstopwaitsecs=5\n")
    if sd:
        start = ["supervisord", "-c", conf]
        restart = ["supervisorctl", "-c", conf, "restart", "web:*"]
        stop = ["supervisorctl", "-c", conf, "shutdown"]
    else:
        start = [W, "up", "-c", conf]
        restart = [W, "restart", "-c", conf, "web"]
        stop = [W, "shutdown", "-c", conf]
    return start, restart, stop, os.path.join(d, "sup.pid")


def one_setup(top, kind):
    port = free_port()
    d = os.path.join(top, kind.replace(" ", "-").replace(",", "")
                     .replace("=", ""))
    start, restart, stop, pidfile = setup(d, kind, port)
    if shutil.which(start[0]) is None:
        return kind, None, None, "%s is not installed" % start[0]
    pid = None
    try:
        subprocess.run(start, check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, timeout=60)
        wait_for(lambda: pid_of(pidfile) is not None)
        pid = pid_of(pidfile)
        if not wait_for(lambda: answers(port)):
            return kind, None, None, "the service never answered"
        c = Client(port)
        c.start()
        t0 = time.time()
        for _ in range(RESTARTS):
            subprocess.run(restart, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, timeout=60)
        c.stop = True
        c.join()
        secs = time.time() - t0
        return kind, c.ok, c.failed, "%.1f s" % secs
    except (subprocess.SubprocessError, OSError) as e:
        return kind, None, None, "did not run: %s" % e
    finally:
        subprocess.run(stop, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, timeout=60)
        if pid is not None:
            wait_for(lambda: not os.path.exists("/proc/%d" % pid), 15)
        kill_tree(pid)


def main():
    top = tempfile.mkdtemp(prefix="warden-activation.")
    rows = []
    try:
        for kind in ("warden listen=", "warden fcgi", "warden, own bind",
                     "supervisord program", "supervisord fcgi"):
            rows.append(one_setup(top, kind))
            print("activation: %s: %s" % (kind, rows[-1][1:]),
                  file=sys.stderr)
    finally:
        shutil.rmtree(top, ignore_errors=True)
    print("\n### Restarts under load: %d restarts, a connect-request-close"
          " loop on 127.0.0.1\n" % RESTARTS)
    print("| setup | requests answered | failed | failed per restart |"
          " restarts took |")
    print("|---|---:|---:|---:|---|")
    for kind, ok, failed, note in rows:
        if ok is None:
            print("| %s | – | – | – | %s |" % (kind, note))
            continue
        print("| %s | %d | %d | %.1f | %s |" % (kind, ok, failed,
              failed / RESTARTS, note))
    lst = rows[0]
    if lst[2] is not None:
        print("\ntarget warden listen=: 0 failed: %s (%d failed)" %
              ("met" if lst[2] == 0 else "NOT met", lst[2]))


main()
