"""bench/actsrv.py: the small HTTP service bench/activation.py restarts.

    python3 actsrv.py PORT    bind 127.0.0.1:PORT itself
    python3 actsrv.py fd0     serve the socket on fd 0 (fcgi-program)
    python3 actsrv.py         the socket from LISTEN_FDS (fd 3)

Each connection gets one "200 ok" and is closed.  On SIGTERM it stops
as a well-behaved server does: the request in hand is answered first.
"""
import os
import signal
import socket
import sys

busy = False
leaving = False


def term(signo, frame):
    global leaving
    if not busy:
        sys.exit(0)     # waiting in accept: nothing in hand
    leaving = True


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


s = listener()
signal.signal(signal.SIGTERM, term)
while not leaving:
    c, _ = s.accept()
    busy = True
    try:
        c.recv(1024)
        c.sendall(b"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok")
    except OSError:
        pass
    c.close()
    busy = False
