#!/usr/bin/env python3
"""hostile.py LEAKFILE CMD...: exec CMD from a hostile launch context:
SIGTERM and SIGUSR1 blocked, SIGCHLD and SIGHUP ignored, umask 077, fd 7
open on LEAKFILE without CLOEXEC, EVIL_VAR=1 in the environment."""
import os, signal, sys
leak, argv = sys.argv[1], sys.argv[2:]
signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM, signal.SIGUSR1})
signal.signal(signal.SIGCHLD, signal.SIG_IGN)
signal.signal(signal.SIGHUP, signal.SIG_IGN)
os.umask(0o077)
fd = os.open(leak, os.O_WRONLY | os.O_CREAT, 0o600)
if fd != 7:
    os.dup2(fd, 7)
    os.close(fd)
os.set_inheritable(7, True)
os.environ["EVIL_VAR"] = "1"
os.execvp(argv[0], argv)
