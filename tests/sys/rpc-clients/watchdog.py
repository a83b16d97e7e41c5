# watchdog.py OUT: a service as people write them for supervisord (memory
# watchdogs, HTTP checkers): it finds its supervisor through the
# environment with supervisor.childutils.getRPCInterface(os.environ),
# stops and starts its sibling g:a, and writes what it saw to OUT, ending
# with "done".  It then waits to be stopped.
import os
import signal
import sys
import time

from supervisor import childutils

out = open(sys.argv[1] + ".tmp", "w")


def say(line):
    out.write(line + "\n")
    out.flush()


for k in ("SUPERVISOR_SERVER_URL", "SUPERVISOR_PROCESS_NAME",
          "SUPERVISOR_GROUP_NAME", "SUPERVISOR_ENABLED"):
    say("%s=%s" % (k, os.environ.get(k)))
rpc = childutils.getRPCInterface(os.environ)
me = "%s:%s" % (os.environ["SUPERVISOR_GROUP_NAME"],
                os.environ["SUPERVISOR_PROCESS_NAME"])
# getRPCInterface's first calls may come before the supervisor has seen
# this service start: wait until it has.
end = time.monotonic() + 20
while (rpc.supervisor.getProcessInfo(me)["statename"] != "RUNNING" and
       time.monotonic() < end):
    time.sleep(0.02)
say("my state: %s" % rpc.supervisor.getProcessInfo(me)["statename"])
before = rpc.supervisor.getProcessInfo("g:a")
say("g:a before: %s" % before["statename"])
say("stop g:a: %r" % rpc.supervisor.stopProcess("g:a"))
say("g:a after stop: %s" % rpc.supervisor.getProcessInfo("g:a")["statename"])
say("start g:a: %r" % rpc.supervisor.startProcess("g:a"))
after = rpc.supervisor.getProcessInfo("g:a")
say("g:a after start: %s" % after["statename"])
say("pid changed: %r" % (after["pid"] != before["pid"]))
say("done")
out.close()
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
while True:
    signal.pause()
