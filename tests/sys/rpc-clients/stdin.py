# stdin.py SOCK NAME TEXT: supervisor.sendProcessStdin(NAME, TEXT + "\n").
import sys
import rpclib

s = rpclib.unix_proxy(sys.argv[1])
print(s.supervisor.sendProcessStdin(sys.argv[2], sys.argv[3] + "\n"))
