"""bench/actsrv.py: the small HTTP service bench/activation.py restarts.

    python3 actsrv.py PORT    bind 127.0.0.1:PORT itself
    python3 actsrv.py fd0     serve the socket on fd 0 (fcgi-program)
    python3 actsrv.py         the socket from LISTEN_FDS (fd 3)

Each connection gets one "200 ok" and is closed.  On SIGTERM it stops
as a well-behaved server does: the request in hand is answered first.
"""
import os
import select
import signal
import socket
import sys

leaving = False


def listener():
    if os.environ.get("LISTEN_FDS") and \
            os.environ.get("LISTEN_PID") == str(os.getpid()):
        return socket.socket(fileno=3)
    if sys.argv[1:] == ["fd0"]:
        return socket.socket(fileno=0)
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", int(sys.argv[1])))
    s.listen(128)
    return s


def term(signo, frame):
    """Only noted: the loop leaves between requests, never inside one."""
    global leaving
    leaving = True


s = listener()
s.setblocking(False)
wake_r, wake_w = socket.socketpair()
wake_w.setblocking(False)
signal.set_wakeup_fd(wake_w.fileno())
signal.signal(signal.SIGTERM, term)
while not leaving:
    ready, _, _ = select.select([s, wake_r], [], [])
    if leaving:
        break       # what waits in the backlog is the next one's
    if s not in ready:
        continue
    try:
        c, _ = s.accept()
    except BlockingIOError:
        continue
    c.setblocking(True)
    try:
        c.recv(1024)
        c.sendall(b"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok")
    except OSError:
        pass
    c.close()
