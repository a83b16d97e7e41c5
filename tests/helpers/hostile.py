#!/usr/bin/env python3
"""hostile.py LEAKFILE CMD...: exec CMD from a hostile launch context:
SIGTERM and SIGUSR1 blocked, SIGCHLD and SIGHUP ignored (and the real-time
signals 32-34 that the C library keeps for itself), umask 077, fd 7 open on
LEAKFILE without CLOEXEC, EVIL_VAR=1 in the environment."""
import ctypes, os, signal, sys
leak, argv = sys.argv[1], sys.argv[2:]
signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM, signal.SIGUSR1})
signal.signal(signal.SIGCHLD, signal.SIG_IGN)
signal.signal(signal.SIGHUP, signal.SIG_IGN)
signal.signal(34, signal.SIG_IGN)


class KernelSigaction(ctypes.Structure):   # x86_64/aarch64 layout
    _fields_ = [("handler", ctypes.c_void_p), ("flags", ctypes.c_ulong),
                ("restorer", ctypes.c_void_p), ("mask", ctypes.c_ulong)]


SYS_rt_sigaction = {"x86_64": 13, "aarch64": 134}.get(os.uname().machine)
if SYS_rt_sigaction is not None:
    libc = ctypes.CDLL(None, use_errno=True)
    for signo in (32, 33):
        ign = KernelSigaction(1, 0, None, 0)       # SIG_IGN
        libc.syscall(SYS_rt_sigaction, signo, ctypes.byref(ign), None, 8)
os.umask(0o077)
fd = os.open(leak, os.O_WRONLY | os.O_CREAT, 0o600)
if fd != 7:
    os.dup2(fd, 7)
    os.close(fd)
os.set_inheritable(7, True)
os.environ["EVIL_VAR"] = "1"
os.execvp(argv[0], argv)
