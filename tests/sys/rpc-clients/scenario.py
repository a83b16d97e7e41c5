# scenario.py SOCK TOP CONF: every supervisor.* and system.* method, and
# every fault a client can reach, through Python's xmlrpc.client on the
# UNIX socket, printed as a transcript with what varies from run to run
# (pids, times, uptimes, the temp dir, the version) replaced by
# placeholders.  The same transcript from supervisord and from warden is
# the test (rpc.bats).  The programs are those of rpc.bats's scenario
# config; CONF is rewritten for reloadConfig.
#
# The faults, and how each is reached here:
#   UNKNOWN_METHOD 1         no such method or namespace, a name that is not
#                            NS.METHOD, a method starting with "_"
#   INCORRECT_PARAMETERS 2   too many or too few params; sendProcessStdin
#                            with a non-string; multicall's missing
#                            methodName and recursion
#   BAD_ARGUMENTS 3          read*Log with a negative length, or a negative
#                            offset with a length
#   SIGNATURE_UNSUPPORTED 4  methodHelp/methodSignature of no such method
#   SHUTDOWN_STATE 6         any supervisor.* call after shutdown() or
#                            restart(), while a service ("stubborn", which
#                            ignores SIGTERM) is still stopping
#   BAD_NAME 10              no such process or group; a group name where a
#                            process is wanted, and GROUP:* for getProcessInfo
#   BAD_SIGNAL 11            a signal name or number that is no signal
#   NO_FILE 20               a command that is not there; a log that is
#                            NONE; stdin to a process that closed it
#   NOT_EXECUTABLE 21        a command file without the x bit
#   FAILED 30                not reached: supervisord raises it for an
#                            UNKNOWN process state, a failed kill(2), a log
#                            file it cannot open, none of which a client
#                            can bring about (and an exception inside
#                            multicall, which reads "FAILED: <class ...>")
#   ABNORMAL_TERMINATION 40  a start that waits, and the process is stopped
#                            by another client meanwhile
#   SPAWN_ERROR 50           a process that exits before startsecs
#   ALREADY_STARTED 60, NOT_RUNNING 70, ALREADY_ADDED 90, STILL_RUNNING 91
#                            the obvious way; SUCCESS 80 in every result
#   CANT_REREAD 92           reloadConfig on a config with an error (its
#                            text, the parser's own, is cut at the code)
import http.client
import os
import re
import sys
import threading
import xmlrpc.client

import rpclib

sock, top, conf = sys.argv[1:4]
s = rpclib.unix_proxy(sock)
sup = s.supervisor
out = sys.stdout

TIME_KEYS = ("start", "stop", "now")


# The checkout's root (this file is in tests/sys/rpc-clients/).
SRC = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))


def norm_str(v):
    """A string with the run's variable parts as placeholders."""
    v = v.replace(top, "<T>")
    v = v.replace(SRC, "<SRC>")     # the checkout: anywhere
    v = re.sub(r"<T>/logs/[^ '\"]*", "<T>/logs/<AUTO>", v)
    v = re.sub(r"pid \d+, uptime \d+:\d\d:\d\d", "pid <PID>, uptime <UP>", v)
    v = re.sub(r"^[A-Z][a-z]{2} \d\d \d\d:\d\d [AP]M$", "<STOPTIME>", v)
    return v


def norm(v, key=None):
    """A value with its variable parts as placeholders; structs sorted."""
    if isinstance(v, dict):
        return {k: norm(v[k], k) for k in sorted(v)}
    if isinstance(v, list):
        v = [norm(i) for i in v]
        if v and all(isinstance(i, dict) and "status" in i for i in v):
            # A group's or all's results: in supervisord they come in the
            # order the waits end (make_allfunc), so they are sorted.
            v.sort(key=lambda r: (r["group"], r["name"]))
        return v
    if isinstance(v, str):
        return norm_str(v)
    if isinstance(v, bool):
        return v
    if isinstance(v, int) and key == "pid":
        return "<PID>" if v else 0
    if isinstance(v, int) and key in TIME_KEYS:
        return "<TIME>" if v else 0
    return v


def show(label, value):
    out.write("%s -> %r\n" % (label, value))
    out.flush()


def reconnect():
    global s, sup
    s = rpclib.unix_proxy(sock)
    sup = s.supervisor


def call(method, *args, **kw):
    """Call method (dotted) with args; print and return the result."""
    f = s
    for part in method.split("."):
        f = getattr(f, part)
    label = "%s%r" % (method, args)
    label = label.replace(",)", ")")
    try:
        v = f(*args)
    except xmlrpc.client.Fault as e:
        show(label, "FAULT %d %s" % (e.faultCode, norm_str(e.faultString)))
        return e
    except (OSError, http.client.HTTPException,
            xmlrpc.client.ProtocolError) as e:
        # Not a supervisord answer: said, and the rest goes on, on a new
        # connection, so that the diff shows all that differs.
        show(label, "NO ANSWER %s" % type(e).__name__)
        reconnect()
        return e
    show(label, kw.get("post", norm)(v))
    return v




def state(name):
    return sup.getProcessInfo(name)["statename"]


def until_state(name, want, seconds=20):
    if not rpclib.until(lambda: state(name) in want, seconds):
        show("timeout waiting for %s" % name, state(name))


def section(title):
    out.write("\n== %s\n" % title)


def stdout_log(name):
    return sup.readProcessStdoutLog(name, 0, 0)


# --- introspection -------------------------------------------------------
section("system.listMethods, methodSignature, methodHelp")
methods = [m for m in s.system.listMethods() if not m.startswith("warden.")]
show("system.listMethods() without warden.*", methods)
for m in methods:
    call("system.methodSignature", m)
for m in methods:
    h = s.system.methodHelp(m)
    show("system.methodHelp(%r) is text" % m, isinstance(h, str) and
         len(h) > 0)
call("system.methodHelp", "supervisor.nosuch")
call("system.methodSignature", "supervisor.nosuch")
call("system.methodSignature", "nosuch")

# --- the supervisor --------------------------------------------------------
section("the supervisor")
call("supervisor.getAPIVersion")
call("supervisor.getVersion")
call("supervisor.getSupervisorVersion",
     post=lambda v: "<VERSION>" if re.match(r"^\d+\.\d+", v) else v)
call("supervisor.getIdentification")
call("supervisor.getState")
pid = sup.getPID()
show("supervisor.getPID() is the pidfile's",
     pid == int(open(os.path.join(top, "supervisord.pid")).read()))

section("UNKNOWN_METHOD and INCORRECT_PARAMETERS")
call("supervisor.nosuch")
call("nosuch")
call("nosuch.getState")
call("supervisor.getState.x")
call("supervisor._update", "x")
call("system._listMethods")
call("supervisor.getState", 1)
call("supervisor.getProcessInfo")
call("supervisor.startProcess", "off", True, 3)
call("system.methodHelp")

# --- processes --------------------------------------------------------------
section("getProcessInfo, getAllProcessInfo, getAllConfigInfo")
call("supervisor.getProcessInfo", "g:a")
call("supervisor.getProcessInfo", "talk")
call("supervisor.getProcessInfo", "talk:talk")
call("supervisor.getProcessInfo", "off")
call("supervisor.getProcessInfo", "a")
call("supervisor.getProcessInfo", "g")
call("supervisor.getProcessInfo", "g:*")
call("supervisor.getProcessInfo", "g:nosuch")
call("supervisor.getProcessInfo", "nosuch")
call("supervisor.getAllProcessInfo")
# killasgroup is left out: warden's default is true, supervisord's false
# (a deviation warden.conf(5) names); it is in the keys above.
CONFIG_KEYS = ("autostart", "command", "exitcodes", "group", "group_prio",
               "inuse", "name", "process_prio",
               "redirect_stderr", "startretries", "startsecs",
               "stderr_logfile", "stdout_logfile", "stopsignal",
               "stopwaitsecs")
info = sup.getAllConfigInfo()
show("supervisor.getAllConfigInfo() keys", sorted(info[0]))
show("supervisor.getAllConfigInfo() selected",
     [{k: norm(i[k], k) for k in CONFIG_KEYS} for i in info])

section("start and stop: one process")
call("supervisor.startProcess", "off")
call("supervisor.getProcessInfo", "off")
call("supervisor.startProcess", "off")
call("supervisor.stopProcess", "off")
call("supervisor.getProcessInfo", "off")
call("supervisor.stopProcess", "off")
call("supervisor.startProcess", "off", False)
until_state("off", ("RUNNING",))
call("supervisor.stopProcess", "off", False)
until_state("off", ("STOPPED",))
call("supervisor.startProcess", "nosuch")
call("supervisor.stopProcess", "nosuch")
call("supervisor.startProcess", "g:nosuch")
call("supervisor.startProcess", "missing")
call("supervisor.getProcessInfo", "missing")
call("supervisor.startProcess", "noexec")
call("supervisor.startProcess", "bad")
until_state("bad", ("FATAL",))
call("supervisor.getProcessInfo", "bad")
call("supervisor.stopProcess", "bad")

section("ABNORMAL_TERMINATION: stopped while a start waits")
result = {}


def start_slow():
    result["v"] = rpclib.fault_of(rpclib.unix_proxy(sock).supervisor.
                                  startProcess, "slow")


t = threading.Thread(target=start_slow)
t.start()
until_state("slow", ("STARTING",))
call("supervisor.stopProcess", "slow")
t.join(30)
show("supervisor.startProcess('slow') while stopped", result.get("v"))

section("start and stop: groups and all")
call("supervisor.startProcessGroup", "g")
call("supervisor.stopProcessGroup", "g")
call("supervisor.stopProcessGroup", "g")
call("supervisor.startProcessGroup", "g")
call("supervisor.stopProcess", "g:*")
call("supervisor.startProcess", "g:*")
call("supervisor.stopProcessGroup", "g", False)
until_state("g:a", ("STOPPED",))
until_state("g:b", ("STOPPED",))
call("supervisor.startProcessGroup", "g", False)
until_state("g:a", ("RUNNING",))
until_state("g:b", ("RUNNING",))
call("supervisor.startProcessGroup", "nosuch")
call("supervisor.stopProcessGroup", "nosuch")
call("supervisor.stopAllProcesses")
call("supervisor.getAllProcessInfo")
call("supervisor.startAllProcesses")
until_state("bad", ("FATAL",))
call("supervisor.startAllProcesses")
until_state("bad", ("FATAL",))
call("supervisor.getAllProcessInfo")

# --- signals ----------------------------------------------------------------
section("signals")
rpclib.until(lambda: "catcher-ready" in stdout_log("catcher"))
call("supervisor.signalProcess", "catcher", "USR1")
rpclib.until(lambda: "got-SIGUSR1" in stdout_log("catcher"))
call("supervisor.signalProcess", "catcher", "SIGHUP")
rpclib.until(lambda: "got-SIGHUP" in stdout_log("catcher"))
call("supervisor.signalProcess", "catcher", "10")
# Two signals sent before the first is handled are one: wait between.
rpclib.until(lambda: stdout_log("catcher").count("got-SIGUSR1") == 2)
call("supervisor.signalProcess", "catcher", 10)
rpclib.until(lambda: stdout_log("catcher").count("got-SIGUSR1") == 3)
show("catcher's log", stdout_log("catcher"))
call("supervisor.signalProcess", "catcher", "BOGUS")
call("supervisor.signalProcess", "catcher", "999")
call("supervisor.signalProcess", "missing", "HUP")
call("supervisor.signalProcess", "nosuch", "HUP")
call("supervisor.signalProcess", "g:*", "CONT")
call("supervisor.signalProcessGroup", "g", "CONT")
call("supervisor.signalProcessGroup", "g", "BOGUS")
call("supervisor.signalProcessGroup", "nosuch", "CONT")
call("supervisor.signalAllProcesses", "CONT")

# --- logs -------------------------------------------------------------------
section("readProcess*Log, tailProcess*Log: offset and length")
for off, length in ((0, 0), (0, 4), (2, 100), (-4, 0), (-100, 0),
                    (100, 0), (11, 0), (-4, 2), (0, -1), (3, -3)):
    call("supervisor.readProcessStdoutLog", "talk", off, length)
call("supervisor.readProcessStderrLog", "talk", 0, 0)
call("supervisor.readProcessStderrLog", "talk", -4, 0)
call("supervisor.readProcessLog", "talk", 0, 4)
call("supervisor.readProcessStdoutLog", "nolog", 0, 0)
call("supervisor.readProcessStderrLog", "nolog", 0, 0)
call("supervisor.readProcessStdoutLog", "nosuch", 0, 0)
call("supervisor.readProcessStdoutLog", "g", 0, 0)
call("supervisor.readProcessStderrLog", "g:*", 0, 0)
for off, length in ((0, 100), (0, 5), (11, 100), (20, 10), (5, 3),
                    (-5, 10), (0, 0), (8, 0), (0, -1)):
    call("supervisor.tailProcessStdoutLog", "talk", off, length)
call("supervisor.tailProcessStderrLog", "talk", 0, 100)
call("supervisor.tailProcessLog", "talk", 0, 3)
call("supervisor.tailProcessStdoutLog", "nolog", 0, 100)
call("supervisor.tailProcessStdoutLog", "nosuch", 0, 100)

section("readLog: the supervisor's own log")
log = sup.readLog(0, 0)
show("supervisor.readLog(0, 0) is text", isinstance(log, str) and
     len(log) > 10)
call("supervisor.readLog", 0, 10, post=len)
call("supervisor.readMainLog", 0, 10, post=len)
call("supervisor.readLog", -10, 0, post=len)
call("supervisor.readLog", 10 ** 8, 0)
call("supervisor.readLog", -1, 5)
call("supervisor.readLog", 0, -3)
# readLog("x", 0) is an HTTP 500 from supervisord (its int() fails inside
# the method): not pinned.

section("clearLog, clearProcessLogs, clearAllProcessLogs")
call("supervisor.clearLog")
call("supervisor.clearProcessLogs", "talk")
call("supervisor.readProcessStdoutLog", "talk", 0, 0)
call("supervisor.readProcessStderrLog", "talk", 0, 0)
call("supervisor.tailProcessStdoutLog", "talk", 0, 100)
call("supervisor.clearProcessLog", "nolog")
call("supervisor.clearProcessLogs", "nosuch")
call("supervisor.clearProcessLogs", "g")
call("supervisor.clearAllProcessLogs")

# --- stdin and events ---------------------------------------------------------
section("sendProcessStdin, sendRemoteCommEvent")
call("supervisor.sendProcessStdin", "talk", "stdin-line\n")
rpclib.until(lambda: "stdin-line" in stdout_log("talk"))
call("supervisor.sendProcessStdin", "talk", "caf\u00e9\n")
rpclib.until(lambda: "caf" in stdout_log("talk"))
call("supervisor.readProcessStdoutLog", "talk", 0, 0)
call("supervisor.sendProcessStdin", "talk", "")
call("supervisor.sendProcessStdin", "talk", 5)
call("supervisor.sendProcessStdin", "missing", "x\n")
call("supervisor.sendProcessStdin", "nosuch", "x\n")
call("supervisor.sendProcessStdin", "g", "x\n")
call("supervisor.sendProcessStdin", "closed", "x\n")
call("supervisor.sendRemoteCommEvent", "mytype", "some data")
call("supervisor.sendRemoteCommEvent", "", "")

# --- multicall ------------------------------------------------------------------
section("system.multicall")
call("system.multicall", [
    {"methodName": "supervisor.getAPIVersion", "params": []},
    {"methodName": "supervisor.getProcessInfo", "params": ["nosuch"]},
    {"methodName": "supervisor.startProcess", "params": ["off"]},
    {"methodName": "supervisor.getProcessInfo", "params": ["off"]},
    {"methodName": "supervisor.stopProcess", "params": ["off"]},
    {"methodName": "supervisor.stopProcess", "params": ["off"]},
    {"methodName": "supervisor.stopProcessGroup", "params": ["g"]},
    {"methodName": "supervisor.startProcess", "params": ["g:*"]},
    {"methodName": "system.multicall", "params": [[]]},
    {"params": []},
    {"methodName": "supervisor.nosuch", "params": []},
    {"methodName": "supervisor.getState"},
    {"methodName": "supervisor.getState", "params": [1]},
])
call("system.multicall", [])

# --- the config ------------------------------------------------------------------
section("reloadConfig, addProcessGroup, removeProcessGroup")
text = open(conf).read()
call("supervisor.reloadConfig")
changed = text.replace("[program:off]", "[program:gone]", 1)
changed = changed.replace("command=/bin/sleep 1001", "command=/bin/sleep 1002")
changed += "\n[program:new]\ncommand=/bin/sleep 1000\nstartsecs=0\n"
open(conf, "w").write(changed)
call("supervisor.reloadConfig")
call("supervisor.getProcessInfo", "new")
call("supervisor.addProcessGroup", "new")
call("supervisor.addProcessGroup", "new")
call("supervisor.addProcessGroup", "nosuch")
call("supervisor.addProcessGroup", "g")
until_state("new", ("RUNNING",))
call("supervisor.getProcessInfo", "new")
call("supervisor.removeProcessGroup", "new")
call("supervisor.stopProcess", "new")
call("supervisor.removeProcessGroup", "new")
call("supervisor.removeProcessGroup", "new")
call("supervisor.removeProcessGroup", "g")
call("supervisor.removeProcessGroup", "off")
call("supervisor.getProcessInfo", "off")
call("supervisor.reloadConfig")
open(conf, "w").write(changed + "\n[program:broken]\nautostart=false\n")
e = sup_fault = None
try:
    sup.reloadConfig()
    show("supervisor.reloadConfig() on a broken config", "no fault")
except xmlrpc.client.Fault as e:
    show("supervisor.reloadConfig() on a broken config", "FAULT %d %s"
         % (e.faultCode, e.faultString.split(":")[0]))
open(conf, "w").write(text)
call("supervisor.reloadConfig")

# --- restart and shutdown ---------------------------------------------------------
section("restart")
call("supervisor.restart")
call("supervisor.getState")


def answers():
    """A new connection each time: the old one died with the sockets."""
    try:
        p = rpclib.unix_proxy(sock)
        return rpclib.fault_of(p.supervisor.getState).startswith("ok")
    except (OSError, http.client.HTTPException,
            xmlrpc.client.ProtocolError):
        return False


# The supervisor closes its sockets while it restarts: a client may find
# nothing there for a moment.
rpclib.until(answers, 30)
reconnect()
call("supervisor.getState")
show("supervisor.getPID() unchanged", sup.getPID() == pid)
rpclib.until(lambda: state("g:a") == "RUNNING")
call("supervisor.getProcessInfo", "g:a")
call("supervisor.getProcessInfo", "off")
call("supervisor.getProcessInfo", "new")

section("shutdown")
call("supervisor.shutdown")
call("supervisor.getState")
call("supervisor.getPID")
call("system.listMethods",
     post=lambda v: len([m for m in v if not m.startswith("warden.")]))
