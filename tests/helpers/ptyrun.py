#!/usr/bin/env python3
"""ptyrun.py PIDFILE CMD...: run CMD on a new pseudo-terminal, as the
leader of a new session whose controlling terminal it is.  Writes CMD's
pid to PIDFILE (atomically, once it runs), copies the terminal's output to
stdout, and exits with CMD's status.  CMD gets a 600 s alarm, so that a
forgotten one does not live forever."""
import os, pty, signal, sys

pidfile, argv = sys.argv[1], sys.argv[2:]
pid, master = pty.fork()
if pid == 0:
    # Python ignores SIGPIPE and SIGXFSZ; the command should not inherit that.
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    signal.signal(signal.SIGXFSZ, signal.SIG_DFL)
    signal.alarm(600)           # kept across execve(2)
    os.execvp(argv[0], argv)
tmp = pidfile + ".tmp"
with open(tmp, "w") as f:
    f.write("%d\n" % pid)
os.rename(tmp, pidfile)
while True:
    try:
        data = os.read(master, 4096)
    except OSError:             # EIO: no process has the terminal open
        break
    if not data:
        break
    sys.stdout.buffer.write(data)
    sys.stdout.flush()
_, status = os.waitpid(pid, 0)
sys.exit(os.waitstatus_to_exitcode(status) & 0xff)
