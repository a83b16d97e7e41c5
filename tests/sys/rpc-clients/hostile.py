# hostile.py MODE ADDR [ARGS]: clients that misbehave, on raw sockets.
# ADDR is unix:PATH or tcp:PORT (on 127.0.0.1).  Each mode prints one
# line saying what the server answered (its HTTP status line's code, or
# "closed", "reset", "no answer"); the holding modes write READY once
# every connection is open, then stay until killed.
#   garbage               random bytes, then a blank line
#   big BYTES             a POST /RPC2 announcing and sending BYTES
#   header BYTES          a request with one header of BYTES
#   bomb                  a billion-laughs DOCTYPE in a methodCall
#   xxe                   an external entity naming /etc/passwd
#   hold N READY          N connections opened and left idle
#   slowloris N READY     N requests trickled a byte at a time, forever
#   auth N USER           N requests with wrong passwords, then the count
#                         of each answer and the WWW-Authenticate header
import base64
import os
import random
import select
import socket
import sys
import time

mode, addr = sys.argv[1], sys.argv[2]
args = sys.argv[3:]


def connect():
    if addr.startswith("unix:"):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(addr[5:])
    else:
        s = socket.create_connection(("127.0.0.1", int(addr[4:])))
    return s


def read_answer(s, seconds=10):
    """The whole answer the server sends within seconds (until EOF or a
    complete Content-Length body), or a word for what happened."""
    data = b""
    end = time.monotonic() + seconds
    s.setblocking(False)
    while time.monotonic() < end:
        r, _, _ = select.select([s], [], [], max(0, end - time.monotonic()))
        if not r:
            break
        try:
            b = s.recv(65536)
        except ConnectionResetError:
            return data or b"reset"
        except BlockingIOError:
            continue
        if not b:
            return data or b"closed"
        data += b
        head, sep, body = data.partition(b"\r\n\r\n")
        if sep:
            for line in head.split(b"\r\n")[1:]:
                k, _, v = line.partition(b":")
                if k.strip().lower() == b"content-length" and \
                        len(body) >= int(v):
                    return data
    return data or b"no answer"


def code(answer):
    """The status code of an answer, or the word read_answer gave."""
    if answer.startswith(b"HTTP/"):
        return answer.split(b" ", 2)[1].decode()
    return answer.split(b"\r\n")[0].decode(errors="replace")[:40]


def auth_header():
    # The inet server's credentials, when the test passes them on.
    cred = os.environ.get("RPC_CRED")
    if not cred:
        return b""
    return b"Authorization: Basic " + base64.b64encode(cred.encode()) + \
        b"\r\n"


def post(body, extra=b""):
    return (b"POST /RPC2 HTTP/1.1\r\nHost: localhost\r\n"
            b"Content-Type: text/xml\r\n" + auth_header() + extra +
            b"Content-Length: %d\r\n\r\n" % len(body) + body)


def ready(path, n):
    with open(path + ".tmp", "w") as f:
        f.write("held %d\n" % n)
    os.rename(path + ".tmp", path)


def forever():
    while True:
        time.sleep(3600)


if mode == "garbage":
    s = connect()
    rnd = random.Random(10)
    s.sendall(bytes(rnd.randrange(256) for _ in range(4096)) + b"\r\n\r\n")
    print("garbage:", code(read_answer(s)))

elif mode == "big":
    n = int(args[0])
    s = connect()
    s.sendall(b"POST /RPC2 HTTP/1.1\r\nHost: localhost\r\n" + auth_header() +
              b"Content-Type: text/xml\r\nContent-Length: %d\r\n\r\n" % n)
    chunk = b"<" * 65536
    sent = 0
    answer = b""
    s.setblocking(False)
    # Send, but watch for an early answer (a 413 before the body).
    while sent < n:
        r, w, _ = select.select([s], [s], [], 10)
        if r:
            break
        if not w:
            answer = b"no answer"
            break
        try:
            sent += s.send(chunk[:n - sent])
        except (BrokenPipeError, ConnectionResetError):
            break
    s.setblocking(True)
    if not answer:
        answer = read_answer(s, 20)
    print("big:", code(answer))

elif mode == "header":
    n = int(args[0])
    s = connect()
    try:
        s.sendall(b"POST /RPC2 HTTP/1.1\r\nHost: localhost\r\nX-Big: " +
                  b"a" * n + b"\r\nContent-Length: 0\r\n\r\n")
    except (BrokenPipeError, ConnectionResetError):
        pass
    print("header:", code(read_answer(s)))

elif mode in ("bomb", "xxe"):
    if mode == "bomb":
        ents = '<!ENTITY lol0 "lol">' + "".join(
            '<!ENTITY lol%d "%s">' % (i, ("&lol%d;" % (i - 1)) * 10)
            for i in range(1, 10))
        doc = ('<?xml version="1.0"?><!DOCTYPE lolz [%s]>'
               '<methodCall><methodName>supervisor.getProcessInfo'
               '</methodName><params><param><value><string>&lol9;'
               '</string></value></param></params></methodCall>' % ents)
    else:
        doc = ('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM '
               '"file:///etc/passwd">]><methodCall><methodName>'
               'supervisor.getProcessInfo</methodName><params><param>'
               '<value><string>&xxe;</string></value></param></params>'
               '</methodCall>')
    s = connect()
    s.sendall(post(doc.encode()))
    a = read_answer(s)
    print("%s: %s fault=%s lol=%s passwd=%s" % (
        mode, code(a), b"faultCode" in a, b"lollol" in a,
        b"root:x:0:0" in a))

elif mode == "hold":
    n = int(args[0])
    held = [connect() for _ in range(n)]
    ready(args[1], len(held))
    forever()

elif mode == "slowloris":
    n = int(args[0])
    req = post(b"<?xml version='1.0'?><methodCall><methodName>"
               b"supervisor.getState</methodName></methodCall>")
    conns = [connect() for _ in range(n)]
    pos = 0
    for c in conns:
        c.send(req[pos:pos + 1])
    ready(args[1], n)
    # One byte per connection every 200 ms; never the last byte.
    while True:
        pos = min(pos + 1, len(req) - 2)
        time.sleep(0.2)
        for c in list(conns):
            try:
                c.send(req[pos:pos + 1])
            except OSError:
                conns.remove(c)

elif mode == "auth":
    n, user = int(args[0]), args[1]
    seen = {}
    www = None
    for i in range(n):
        s = connect()
        cred = base64.b64encode(("%s:wrong%d" % (user, i)).encode())
        s.sendall(b"POST /RPC2 HTTP/1.1\r\nHost: localhost\r\n"
                  b"Authorization: Basic " + cred + b"\r\n"
                  b"Content-Length: 0\r\n\r\n")
        a = read_answer(s)
        c = code(a)
        seen[c] = seen.get(c, 0) + 1
        for line in a.split(b"\r\n\r\n")[0].split(b"\r\n")[1:]:
            k, _, v = line.partition(b":")
            if k.strip().lower() == b"www-authenticate" and www is None:
                www = v.strip().decode()
        s.close()
    print("auth:", " ".join("%s=%d" % kv for kv in sorted(seen.items())),
          "www-authenticate=%s" % www)

else:
    sys.exit("hostile.py: unknown mode " + mode)
