#!/usr/bin/env bats
# The XML-RPC codec against Python's xmlrpc.client, both ways: what
# Python's dumps() writes, warden decodes to the same tree as Python's
# loads(); what warden encodes, loads() reads back as the same values
# (and for most values it is the very bytes dumps() writes).

load common

XR="$WARDEN_BUILD/helpers/xrcodec"

# pyxml KIND EXPR: Python's dumps() of the value EXPR, KIND being
# response (one value), call (EXPR a list of params) or fault (code, text).
pyxml() {
	python3 -c '
import sys, xmlrpc.client as x
kind, v = sys.argv[1], eval(sys.argv[2], {"x": x})
if kind == "response":
    s = x.dumps((v,), methodresponse=True, allow_none=True)
elif kind == "call":
    s = x.dumps(tuple(v), "supervisor.startProcess", allow_none=True)
else:
    s = x.dumps(x.Fault(*v))
sys.stdout.buffer.write(s.encode())
' "$@"
}

# pydump: the document on stdin through Python's loads(), dumped as
# xrcodec dumps a tree.
pydump() {
	python3 -c '
import sys, math, struct, xmlrpc.client as x
def d(v, o):
    if v is None: o.append("nil:")
    elif isinstance(v, bool): o.append("boolean:%d" % v)
    elif isinstance(v, int): o.append("int:%d" % v)
    elif isinstance(v, float):
        o.append("double:" + ("nan" if math.isnan(v) else
            struct.pack(">d", v).hex()))
    elif isinstance(v, str): o.append("string:" + v.encode().hex())
    elif isinstance(v, x.Binary): o.append("base64:" + v.data.hex())
    elif isinstance(v, x.DateTime): o.append("dateTime.iso8601:" + v.value)
    elif isinstance(v, (list, tuple)):
        o.append("array:%d" % len(v))
        for i in v: d(i, o)
    elif isinstance(v, dict):
        o.append("struct:%d" % len(v))
        for k, i in v.items():
            o.append("name:" + k.encode().hex())
            d(i, o)
    else: raise TypeError(type(v))
try:
    p, m = x.loads(sys.stdin.buffer.read())
    o = ["call:" + m.encode().hex()] if m is not None else ["response:"]
    d(list(p), o)
except x.Fault as f:
    o = ["fault:%d:%s" % (f.faultCode, f.faultString.encode().hex())]
except Exception as e:
    o = ["error: %s" % e]
print("\n".join(o))
'
}

# both_ways KIND EXPR: Python encodes, warden decodes the same tree;
# warden encodes, Python decodes the same values, and the bytes are
# Python's own unless SAME=0.
both_ways() {
	pyxml "$1" "$2" >"$T/py.xml"
	pydump <"$T/py.xml" >"$T/py.dump"
	run "$XR" dump <"$T/py.xml"
	[ "$status" -eq 0 ] || { echo "$2: $output"; return 1; }
	[ "$output" = "$(cat "$T/py.dump")" ] ||
	    { echo "$2 decoded:"; echo "$output"; cat "$T/py.dump"; return 1; }
	"$XR" encode <"$T/py.xml" >"$T/w.xml"
	run pydump <"$T/w.xml"
	[ "$output" = "$(cat "$T/py.dump")" ] ||
	    { echo "$2 encoded:"; cat "$T/w.xml"; echo "$output"; return 1; }
	if [ "${SAME:-1}" = 1 ]; then
		cmp "$T/py.xml" "$T/w.xml" ||
		    { echo "$2 bytes:"; cat "$T/py.xml" "$T/w.xml"; return 1; }
	fi
}

# from_doc DOC: a hand-written document; warden and Python read it the
# same, and Python reads warden's encoding of it the same too.
from_doc() {
	printf '%s' "$1" >"$T/in.xml"
	pydump <"$T/in.xml" >"$T/py.dump"
	run "$XR" dump <"$T/in.xml"
	[ "$output" = "$(cat "$T/py.dump")" ] ||
	    { echo "$1:"; echo "$output"; cat "$T/py.dump"; return 1; }
	"$XR" encode <"$T/in.xml" >"$T/w.xml"
	run pydump <"$T/w.xml"
	[ "$output" = "$(cat "$T/py.dump")" ] ||
	    { echo "$1 encoded:"; cat "$T/w.xml"; echo "$output"; return 1; }
}

resp() {
	echo "<?xml version='1.0'?><methodResponse><params><param>$1</param></params></methodResponse>"
}

@test "xmlrpc: strings (entities, UTF-8, empty) both ways" {
	for v in '"plain"' '""' '"<&>\"'"'"'"' '"\u00e9\u20ac\U0001F600"' \
	    '"a\nb\tc"' '"  spaces  "' '"]]>"' '"x" * 5000'; do
		both_ways response "$v"
	done
}

@test "xmlrpc: int and i4 both ways, i8 and big ints read as Python reads them" {
	for v in 0 1 -1 2147483647 -2147483648; do
		both_ways response "$v"
	done
	from_doc "$(resp '<value><i4>-42</i4></value>')"
	from_doc "$(resp '<value><int> 7 </int></value>')"
	from_doc "$(resp '<value><i8>9223372036854775807</i8></value>')"
	from_doc "$(resp '<value><int>99999999999</int></value>')"
	from_doc "$(resp '<value><ex:i8>-5</ex:i8></value>')"
	# warden writes an int beyond 32 bits as <i8>; Python reads it.
	printf '%s' "$(resp '<value><int>99999999999</int></value>')" |
	    "$XR" encode >"$T/w.xml"
	grep -q '<i8>99999999999</i8>' "$T/w.xml"
}

@test "xmlrpc: boolean and double both ways" {
	for v in True False 0.0 -0.0 1.5 0.1 1e300 5e-324 1e16 123.456 \
	    -2.5e-07 1e15 '1/3' 'float("inf")' 'float("-inf")' 'float("nan")'; do
		both_ways response "$v"
	done
	from_doc "$(resp '<value><double> 1E3 </double></value>')"
	from_doc "$(resp '<value><double>1e999</double></value>')"
}

@test "xmlrpc: array, struct and nesting both ways" {
	for v in '[]' '[1, "a", [2.5, [None]], {}]' '{}' \
	    '{"a": 1, "b": {"c": [True, None]}, "": "empty", "<&>": 2}' \
	    '{"name": "web", "group": "web", "statename": "RUNNING", "pid": 42}' \
	    'eval("[" * 31 + "1" + "]" * 31)'; do
		both_ways response "$v"
	done
	# A name twice: the later value, in the first place, as a dict.
	from_doc "$(resp '<value><struct><member><name>a</name><value>1</value></member><member><name>b</name><value>2</value></member><member><name>a</name><value>3</value></member></struct></value>')"
}

@test "xmlrpc: nil, base64 and dateTime.iso8601 both ways" {
	for v in None 'x.Binary(b"")' 'x.Binary(b"hello")' \
	    'x.Binary(bytes(range(256)) * 3)' \
	    'x.DateTime("20260102T03:04:05")'; do
		both_ways response "$v"
	done
	from_doc "$(resp '<value><ex:nil/></value>')"
	from_doc "$(resp '<value><dateTime.iso8601> 20260102T03:04:05 </dateTime.iso8601></value>')"
	from_doc "$(resp '<value><base64>aGVs
bG8=</base64></value>')"
}

@test "xmlrpc: a bare value is a string; entities, references, CDATA and line ends as expat reads them" {
	from_doc "$(resp '<value>bare</value>')"
	from_doc "$(resp '<value></value>')"
	from_doc "$(resp '<value>  </value>')"
	from_doc "$(resp '<value>
  <string>x</string>
</value>')"
	from_doc "$(resp '<value><string>&lt;&gt;&amp;&quot;&apos;&#65;&#x10FFFF;</string></value>')"
	from_doc "$(resp '<value><string>a<![CDATA[<b>&amp;]]>c<!-- c -->d</string></value>')"
	from_doc "$(resp "<value><string>a$(printf '\r\n')b$(printf '\r')c</string></value>")"
	# CR as a reference stays CR; warden writes it back so (Python would
	# write it raw, and read it back as LF).
	from_doc "$(resp '<value><string>a&#13;b</string></value>')"
	printf '%s' "$(resp '<value><string>a&#13;b</string></value>')" |
	    "$XR" encode | grep -q 'a&#13;b'
}

@test "xmlrpc: faults both ways" {
	both_ways fault '(2, "INCORRECT_PARAMETERS")'
	both_ways fault '(10, "BAD_NAME: <web> & \u00e9")'
	both_ways fault '(-1, "")'
}

@test "xmlrpc: method calls both ways" {
	both_ways call '["web", True]'
	both_ways call '[]'
	both_ways call '[{"a": [1, 2.5]}, x.Binary(b"\0"), None]'
}

@test "xmlrpc: what neither reads, and what warden alone refuses" {
	# A control character: Python writes it raw, and neither reads it.
	pyxml response '"\x1b[0m"' >"$T/py.xml"
	run pydump <"$T/py.xml"
	[[ "$output" = error:* ]]
	run "$XR" dump <"$T/py.xml"
	[ "$status" -eq 1 ]
	[[ "$output" = error:* ]]
	# Entities of a DOCTYPE: expat expands them, warden reads no DOCTYPE.
	run "$XR" dump <<'EOF'
<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>
<methodResponse><params><param><value>&lol2;</value></param></params></methodResponse>
EOF
	[ "$status" -eq 1 ]
	[ "$output" = "error: DOCTYPE or declaration" ]
	run "$XR" dump <<<"$(resp '<value><foo>1</foo></value>')"
	[ "$status" -eq 1 ]
	[ "$output" = "error: unknown tag" ]
	run "$XR" dump <<<"$(resp '<value><base64>YQ</base64></value>')"
	[ "$output" = "error: bad value" ]
	run pydump <<<"$(resp '<value><base64>YQ</base64></value>')"
	[[ "$output" = error:* ]]
}

# capture PYTHON FAMILY URL-OR-PATH: run two calls through a client of
# Python's, against a one-connection server of Python's that answers each
# request, and keep the bytes the client sent in $T/wire.
capture() {
	"$1" -c '
import socket, sys, threading, xmlrpc.client as x
family, where, out = sys.argv[1], sys.argv[2], sys.argv[3]
if family == "unix":
    srv = socket.socket(socket.AF_UNIX); srv.bind(where)
else:
    srv = socket.socket(); srv.bind(("127.0.0.1", 0))
srv.listen(1)
body = x.dumps(({"statename": "RUNNING"},), methodresponse=True).encode()
reply = b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: %d\r\n\r\n" % len(body) + body
wire = []
def serve():
    c, _ = srv.accept()
    buf = b""
    for _ in range(2):
        while b"\r\n\r\n" not in buf:
            buf += c.recv(65536)
        head, rest = buf.split(b"\r\n\r\n", 1)
        n = int([l.split(b":")[1] for l in head.split(b"\r\n")
                 if l.lower().startswith(b"content-length:")][0])
        while len(rest) < n:
            rest += c.recv(65536)
        wire.append(head + b"\r\n\r\n" + rest[:n])
        buf = rest[n:]
        c.sendall(reply)
    c.close()
t = threading.Thread(target=serve); t.start()
if family == "unix":
    from supervisor.xmlrpc import SupervisorTransport
    tr = SupervisorTransport("user", "se:cret", "unix://" + where)
    p = x.ServerProxy("http://127.0.0.1", transport=tr)
else:
    port = srv.getsockname()[1]
    p = x.ServerProxy("http://user:se%%3Acret@127.0.0.1:%d/RPC2" % port)
p.supervisor.getState()
p.supervisor.startProcess("web<1>", True)
t.join()
open(out, "wb").write(b"".join(wire))
' "$2" "$3" "$T/wire"
}

# The requests of $T/wire as xrcodec reads them, with password $1.
wire_dump() {
	"$XR" http user "$1" <"$T/wire"
}

@test "xmlrpc over http: Python's xmlrpc.client, two calls on one connection, Basic auth" {
	capture python3 inet
	run wire_dump 'se:cret'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "request: POST /RPC2 HTTP/1.1 keep-alive=1 auth=ok type=text/xml" ]
	[ "${lines[1]}" = "call:$(printf %s supervisor.getState | od -An -tx1 | tr -d ' \n')" ]
	[ "${lines[2]}" = "array:0" ]
	[ "${lines[3]}" = "${lines[0]}" ]
	[ "${lines[5]}" = "array:2" ]
	[ "${lines[6]}" = "string:$(printf %s 'web<1>' | od -An -tx1 | tr -d ' \n')" ]
	[ "${lines[7]}" = "boolean:1" ]
	[ "${#lines[@]}" -eq 8 ]
	run wire_dump 'secret'
	[ "${lines[0]}" = "request: POST /RPC2 HTTP/1.1 keep-alive=1 auth=bad type=text/xml" ]
	# supervisord's {SHA} form of the same password.
	sha=$(printf %s 'se:cret' | sha1sum | cut -d' ' -f1)
	run wire_dump "{SHA}$sha"
	[ "${lines[0]}" = "request: POST /RPC2 HTTP/1.1 keep-alive=1 auth=ok type=text/xml" ]
}

@test "xmlrpc over http: supervisorctl's transport on a unix socket" {
	/usr/bin/python3 -c 'import supervisor.xmlrpc' 2>/dev/null ||
	    skip "supervisor's Python package is not installed"
	capture /usr/bin/python3 unix "$T/s.sock"
	run wire_dump 'se:cret'
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" = "request: POST /RPC2 HTTP/1.1 keep-alive=1 auth=ok type=text/xml" ]]
	[ "${lines[5]}" = "array:2" ]
	[ "${lines[7]}" = "boolean:1" ]
	[ "${#lines[@]}" -eq 8 ]
}
