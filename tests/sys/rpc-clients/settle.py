# settle.py SOCK: wait until the supervisor answers on SOCK and no
# process is STARTING, BACKOFF or STOPPING; exit 1 after 25 s.
import os
import sys
import rpclib

# With a password on the socket, USER:PASS in $RPC_UNIX_CRED.
cred = os.environ.get("RPC_UNIX_CRED", "")
user, _, password = cred.partition(":")
s = rpclib.unix_proxy(sys.argv[1], user or None, password or None)
MOVING = ("STARTING", "BACKOFF", "STOPPING")


def settled():
    try:
        if s.supervisor.getState()["statename"] != "RUNNING":
            return False
        return all(i["statename"] not in MOVING
                   for i in s.supervisor.getAllProcessInfo())
    except OSError:
        return False


sys.exit(0 if rpclib.until(settled, 25) else 1)
