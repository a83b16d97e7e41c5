# fg.py CONF NAME LINE: supervisorctl fg NAME on a pseudo-terminal: wait
# for its banner, type LINE, wait for the service's "echoed:LINE", then
# Ctrl-C and wait until supervisorctl leaves.  Prints what it saw.
import os
import pty
import select
import sys
import time

conf, name, line = sys.argv[1:4]
pid, fd = pty.fork()
if pid == 0:
    os.execv("/usr/bin/supervisorctl",
             ["supervisorctl", "-c", conf, "fg", name])

seen = b""


def until(want, seconds=15):
    global seen
    end = time.monotonic() + seconds
    while want not in seen:
        left = end - time.monotonic()
        if left <= 0:
            return False
        r, _, _ = select.select([fd], [], [], left)
        if r:
            try:
                b = os.read(fd, 4096)
            except OSError:
                return False
            if not b:
                return False
            seen += b
    return True


ok = until(b"==> Press Ctrl-C to exit <==")
if ok:
    os.write(fd, line.encode() + b"\n")
    ok = until(b"echoed:" + line.encode())
os.write(fd, b"\x03")
# supervisorctl's reader thread may keep it alive after the banner: it
# is killed then, as a user would.
ok = until(b"Exiting foreground", 10) and ok
end = time.monotonic() + 3
while True:
    done, status = os.waitpid(pid, os.WNOHANG)
    if done or time.monotonic() > end:
        break
    until(b"\0", 0.05)
if not done:
    os.kill(pid, 9)
    _, status = os.waitpid(pid, 0)
sys.stdout.write(seen.decode(errors="replace").replace("\r", ""))
print("fg-result: %s exit %d" % ("ok" if ok else "missing",
                                 os.waitstatus_to_exitcode(status)))
sys.exit(0 if ok else 1)
