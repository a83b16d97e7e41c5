# catcher.py: a service that prints a line for each SIGUSR1 and SIGHUP it
# gets, and leaves on SIGTERM.
import signal
import sys


def said(sig, frame):
    print("got-%s" % signal.Signals(sig).name, flush=True)


signal.signal(signal.SIGUSR1, said)
signal.signal(signal.SIGHUP, said)
print("catcher-ready", flush=True)
while True:
    signal.pause()
