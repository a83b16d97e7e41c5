/*
 * The XML-RPC codec from outside, for tests/sys/xmlrpc.bats: an XML-RPC
 * document on stdin, and on stdout either a canonical dump of its tree
 * ("xrcodec dump") or the document encoded again ("xrcodec encode").  A
 * document refused prints "error: why" and exits 1.  "xrcodec http USER
 * PASS" reads a stream of HTTP requests instead, fed to the parser a
 * byte at a time, and dumps each request and its XML-RPC body.
 *
 * The dump has one line per value, "type:payload"; strings, names and
 * binaries in hex, doubles as their 64 bits in hex, so that a Python
 * script can write the same dump from what xmlrpc.client.loads() gives.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/warden.h"
#include "../../src/sup/http.h"
#include "../../src/sup/xmlrpc.h"

/* len bytes in hex. */
static void
dump_hex(const char *s, size_t len)
{
	size_t	i;

	for (i = 0; i < len; i++)
		printf("%02x", (unsigned char)s[i]);
}

/* One value and what it holds. */
static void
dump_value(const struct xr_value *v)
{
	uint64_t	bits;
	size_t		i;

	printf("%s:", xr_type_name(v->type));
	switch (v->type) {
	case XR_NIL:
		break;
	case XR_INT:
	case XR_BOOL:
		printf("%lld", (long long)v->i);
		break;
	case XR_DOUBLE:
		if (v->d != v->d) {
			printf("nan");
			break;
		}
		memcpy(&bits, &v->d, sizeof bits);
		printf("%016llx", (unsigned long long)bits);
		break;
	case XR_STRING:
	case XR_BASE64:
		dump_hex(v->s, v->len);
		break;
	case XR_DATETIME:
		printf("%s", v->s);
		break;
	case XR_ARRAY:
	case XR_STRUCT:
		printf("%zu", v->n);
		break;
	}
	printf("\n");
	for (i = 0; i < v->n; i++) {
		if (v->type == XR_STRUCT) {
			printf("name:");
			dump_hex(v->v[i]->name, strlen(v->v[i]->name));
			printf("\n");
		}
		dump_value(v->v[i]);
	}
}

/* The whole of stdin. */
static void
read_all(struct buf *in)
{
	char	tmp[4096];
	size_t	n;

	while ((n = fread(tmp, 1, sizeof tmp, stdin)) > 0)
		buf_add(in, tmp, n);
}

/* Dump a document: its kind, then its tree. */
static int
dump_doc(const char *doc, size_t len)
{
	struct xr_msg	 m;
	const char	*why, *fs;
	int64_t		 code;

	if (xr_decode(doc, len, &m, &why) == -1) {
		printf("error: %s\n", why);
		return (1);
	}
	if (m.kind == XR_FAULT) {
		xr_fault(&m, &code, &fs);
		printf("fault:%lld:", (long long)code);
		dump_hex(fs, strlen(fs));
		printf("\n");
	} else {
		if (m.kind == XR_CALL) {
			printf("call:");
			dump_hex(m.method, strlen(m.method));
			printf("\n");
		} else
			printf("response:\n");
		dump_value(m.params);
	}
	xr_msg_free(&m);
	return (0);
}

/* Each request of an HTTP stream, and its body. */
static int
dump_http(const struct buf *in, const char *user, const char *pass)
{
	static const struct http_limits	 lim = { 8192, 16384, 100, 1 << 20 };
	static const char *const	 methods[] = { "", "GET", "HEAD",
	    "POST" };
	struct http_req			 r;
	const char			*type;
	size_t				 off, used;
	int				 rc = HTTP_NEED_MORE;

	http_init(&r, &lim);
	for (off = 0; off < in->len; off += used) {
		rc = http_feed(&r, in->data + off, 1, &used);
		if (rc == HTTP_ERROR) {
			printf("http error: %d %s\n", r.status, r.why);
			break;
		}
		if (rc != HTTP_DONE)
			continue;
		type = http_header(&r, "content-type");
		printf("request: %s %s HTTP/1.%d keep-alive=%d auth=%s "
		    "type=%s\n", methods[r.method], r.target, r.minor,
		    r.keep_alive, http_header(&r, "authorization") == NULL ?
		    "none" : http_auth_check(&r, user, pass) ? "ok" : "bad",
		    type != NULL ? type : "-");
		dump_doc(r.body, r.body_len);
		http_reset(&r);
		rc = HTTP_NEED_MORE;
	}
	if (rc == HTTP_NEED_MORE && r.head_len != 0)
		printf("incomplete request\n");
	http_free(&r);
	return (rc == HTTP_ERROR);
}

int
main(int argc, char **argv)
{
	struct xr_msg	 m;
	struct buf	 b = { NULL, 0, 0 }, in = { NULL, 0, 0 };
	const char	*why, *fs;
	int64_t		 code;
	int		 rc;

	if ((argc != 2 || (strcmp(argv[1], "dump") != 0 &&
	    strcmp(argv[1], "encode") != 0)) && (argc != 4 ||
	    strcmp(argv[1], "http") != 0)) {
		fprintf(stderr, "usage: xrcodec dump|encode\n"
		    "       xrcodec http user password\n");
		return (2);
	}
	read_all(&in);
	if (strcmp(argv[1], "encode") != 0) {
		rc = argc == 4 ? dump_http(&in, argv[2], argv[3]) :
		    dump_doc(in.data != NULL ? in.data : "", in.len);
		buf_free(&in);
		return (rc);
	}
	if (xr_decode(in.data != NULL ? in.data : "", in.len, &m, &why) ==
	    -1) {
		printf("error: %s\n", why);
		buf_free(&in);
		return (1);
	}
	if (m.kind == XR_CALL)
		xr_encode_call(&b, m.method, m.params);
	else if (m.kind == XR_RESPONSE && m.params->n == 1)
		xr_encode_response(&b, m.params->v[0]);
	else if (m.kind == XR_FAULT && xr_fault(&m, &code, &fs) == 0)
		xr_encode_fault(&b, (int)code, fs);
	else {
		printf("error: not one response value\n");
		xr_msg_free(&m);
		buf_free(&in);
		return (1);
	}
	fwrite(b.data, 1, b.len, stdout);
	buf_free(&b);
	xr_msg_free(&m);
	buf_free(&in);
	return (0);
}
