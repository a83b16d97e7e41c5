"""bench/actsrv.py: the small HTTP service bench/activation.py restarts.

    python3 actsrv.py PORT    bind 127.0.0.1:PORT itself
    python3 actsrv.py fd0     serve the socket on fd 0 (fcgi-program)
    python3 actsrv.py         the socket from LISTEN_FDS (fd 3)

Each connection gets one "200 ok" and is closed.
"""
import os
import socket
import sys


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
while True:
    c, _ = s.accept()
    try:
        c.recv(1024)
        c.sendall(b"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok")
    except OSError:
        pass
    c.close()
