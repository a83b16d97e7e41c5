# Shared by the XML-RPC client scripts: a proxy on the UNIX socket through
# supervisor's own transport (as supervisorctl and childutils use it), or
# on the inet server with Python's plain ServerProxy.
import sys
import time
import xmlrpc.client

from supervisor.xmlrpc import SupervisorTransport


def unix_proxy(sock, user=None, password=None):
    """A ServerProxy on the UNIX socket at sock."""
    t = SupervisorTransport(user, password, "unix://" + sock)
    return xmlrpc.client.ServerProxy("http://127.0.0.1", transport=t)


def inet_proxy(port, user=None, password=None):
    """A plain ServerProxy on the inet server at 127.0.0.1:port."""
    auth = ""
    if user is not None:
        auth = "%s:%s@" % (user, password)
    return xmlrpc.client.ServerProxy("http://%s127.0.0.1:%d/RPC2"
                                     % (auth, port))


def fault_of(f, *args):
    """Call f; the fault it raises as "FAULT code text", or "ok VALUE"."""
    try:
        return "ok %r" % (f(*args),)
    except xmlrpc.client.Fault as e:
        return "FAULT %d %s" % (e.faultCode, e.faultString)


def until(pred, seconds=20):
    """Poll pred every 20 ms until true; False after seconds."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(0.02)
    return False
