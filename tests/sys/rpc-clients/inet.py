# inet.py PORT USER PASS: Python's plain ServerProxy (no supervisor
# module) on the inet server, with and without the right credentials.
import sys
import xmlrpc.client

import rpclib

port, user, password = int(sys.argv[1]), sys.argv[2], sys.argv[3]


def refused(label, proxy):
    try:
        proxy.supervisor.getState()
        print("%s: answered" % label)
    except xmlrpc.client.ProtocolError as e:
        print("%s: ProtocolError %d %s" % (label, e.errcode, e.errmsg))


refused("no credentials", rpclib.inet_proxy(port))
refused("wrong password", rpclib.inet_proxy(port, user, "wrong"))
refused("wrong user", rpclib.inet_proxy(port, "nobody", password))
s = rpclib.inet_proxy(port, user, password)
print("getAPIVersion: %r" % s.supervisor.getAPIVersion())
print("getState: %r" % s.supervisor.getState())
print("names: %r" % ["%s:%s" % (i["group"], i["name"]) if i["group"] !=
                     i["name"] else i["name"]
                     for i in s.supervisor.getAllProcessInfo()])
print("stopProcess g:a: %r" % s.supervisor.stopProcess("g:a"))
print("startProcess g:a: %r" % s.supervisor.startProcess("g:a"))
print("getProcessInfo g:a: %s" % s.supervisor.getProcessInfo("g:a")
      ["statename"])
m = xmlrpc.client.MultiCall(s)
m.supervisor.getAPIVersion()
m.supervisor.getProcessInfo("nosuch")
print("multicall: %r" % (m().results,))
print("unknown: %s" % rpclib.fault_of(s.supervisor.nosuch))
