/*
 * libFuzzer harness for the XML-RPC decoder: any document a client can
 * POST.  What decodes must encode, and decode again to the same tree, and
 * encode again to the same bytes.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/warden.h"
#include "../../src/sup/xmlrpc.h"
#include "../unit/stubs.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Decode b, which must succeed, and check it against m. */
static void
fuzz_again(const struct buf *b, const struct xr_msg *m, int one)
{
	struct xr_msg	 m2;
	struct buf	 b2 = { NULL, 0, 0 };
	const char	*why;

	if (xr_decode(b->data, b->len, &m2, &why) == -1 || m2.kind != m->kind)
		abort();
	if (one) {
		if (m2.params->n != 1 ||
		    !xr_equal(m2.params->v[0], m->params->v[0]))
			abort();
		xr_encode_response(&b2, m2.params->v[0]);
	} else {
		if (strcmp(m2.method, m->method) != 0 ||
		    !xr_equal(m2.params, m->params))
			abort();
		xr_encode_call(&b2, m2.method, m2.params);
	}
	if (b2.len != b->len || memcmp(b2.data, b->data, b->len) != 0)
		abort();
	buf_free(&b2);
	xr_msg_free(&m2);
}

/*
 * The first byte picks a frame around the rest, so that the fuzzer
 * reaches values without finding the document's skeleton first.
 */
static const char *const fuzz_frames[][2] = {
	{ "", "" },
	{ "<methodResponse><params><param><value>",
	  "</value></param></params></methodResponse>" },
	{ "<?xml version='1.0'?>\n<methodCall><methodName>m</methodName>"
	  "<params><param><value><array><data>",
	  "</data></array></value></param></params></methodCall>" },
	{ "<methodResponse><fault><value><struct><member><name>faultCode"
	  "</name><value><int>1</int></value></member>",
	  "</struct></value></fault></methodResponse>" },
};

/* Pieces of values: with the last frame each byte of input is one. */
static const char *const fuzz_pieces[] = {
	"<value>", "</value>", "<int>", "</int>", "<i4>", "</i4>", "<i8>",
	"</i8>", "<ex:i8>", "</ex:i8>", "<boolean>", "</boolean>", "<double>",
	"</double>", "<string>", "</string>", "<base64>", "</base64>",
	"<dateTime.iso8601>", "</dateTime.iso8601>", "<nil/>", "<ex:nil/>",
	"<array>", "</array>", "<data>", "</data>", "<struct>", "</struct>",
	"<member>", "</member>", "<name>", "</name>", "<array><data>",
	"</data></array>", "<member><name>k</name>", "0", "1", "-", "+",
	"9223372036854775807", "2147483648", ".", "e", "5", "inf", "nan",
	"&amp;", "&lt;", "&#233;", "&#x1F600;", "&#13;", "<![CDATA[<&]]>",
	"<!-- c -->", " ", "\n", "\r\n", "\t", "YWJj", "YQ==", "=",
	"20260102T03:04:05", "\xc3\xa9", "\xef\xbf\xbd", "x", "]]",
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xr_msg	 m, m2;
	struct buf	 b = { NULL, 0, 0 }, in = { NULL, 0, 0 };
	const char	*why = NULL, *fs, *fs2;
	int64_t		 code, code2;
	size_t		 frame, i;

	if (size == 0 || size > 65536)
		return (0);
	frame = data[0] % (nitems(fuzz_frames) + 1);
	if (frame == nitems(fuzz_frames)) {
		buf_adds(&in, fuzz_frames[1][0]);
		for (i = 1; i < size; i++)
			buf_adds(&in, fuzz_pieces[data[i] %
			    nitems(fuzz_pieces)]);
		buf_adds(&in, fuzz_frames[1][1]);
	} else {
		buf_adds(&in, fuzz_frames[frame][0]);
		buf_add(&in, data + 1, size - 1);
		buf_adds(&in, fuzz_frames[frame][1]);
	}
	if (xr_decode(in.data, in.len, &m, &why) == -1) {
		if (why == NULL || m.params != NULL)
			abort();
		buf_free(&in);
		return (0);
	}
	if (m.kind == XR_CALL) {
		xr_encode_call(&b, m.method, m.params);
		fuzz_again(&b, &m, 0);
	} else if (m.kind == XR_RESPONSE && m.params->n == 1) {
		xr_encode_response(&b, m.params->v[0]);
		fuzz_again(&b, &m, 1);
	} else if (m.kind == XR_FAULT) {
		if (xr_fault(&m, &code, &fs) == -1)
			abort();
		xr_encode_fault(&b, (int)code, fs);
		if (xr_decode(b.data, b.len, &m2, &why) == -1 ||
		    xr_fault(&m2, &code2, &fs2) == -1 || code2 != (int)code ||
		    strcmp(fs, fs2) != 0)
			abort();
		xr_msg_free(&m2);
	}
	buf_free(&b);
	buf_free(&in);
	xr_msg_free(&m);
	return (0);
}
