# probe.py SOCK N SECONDS: getAllProcessInfo on SOCK lists N processes
# and answers within SECONDS (the server's round trip, without
# supervisorctl's start-up).
import sys
import time

import rpclib

s = rpclib.unix_proxy(sys.argv[1])
t = time.monotonic()
n = len(s.supervisor.getAllProcessInfo())
d = time.monotonic() - t
print("probe: %d processes in %.3f s" % (n, d))
sys.exit(0 if n == int(sys.argv[2]) and d < float(sys.argv[3]) else 1)
