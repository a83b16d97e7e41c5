/*
 * libFuzzer harness for the HTTP request parser: any bytes a peer can
 * send, fed whole and then in pieces whose sizes the input picks; both
 * ways must see the same requests and the same final answer.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/warden.h"
#include "../../src/sup/http.h"
#include "../unit/stubs.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const struct http_limits fuzz_lim = { 128, 512, 16, 256 };

/* Check a complete request, and fold what it says into a summary. */
static uint64_t
fuzz_request(struct http_req *r)
{
	struct buf	 b = { NULL, 0, 0 };
	uint64_t	 h = 1469598103934665603ULL;
	char		*u, *p;
	size_t		 i;

	if (r->body_len > fuzz_lim.max_body ||
	    r->nhdr > fuzz_lim.max_headers ||
	    strlen(r->target) > fuzz_lim.max_line || r->minor < 0 ||
	    r->minor > 1 || r->method < HTTP_GET || r->method > HTTP_POST)
		abort();
	for (i = 0; i < r->body_len; i++)
		h = (h ^ (unsigned char)r->body[i]) * 1099511628211ULL;
	for (i = 0; r->target[i] != '\0'; i++)
		h = (h ^ (unsigned char)r->target[i]) * 1099511628211ULL;
	h = h * 31 + r->nhdr * 7 + (unsigned)r->keep_alive * 3 +
	    (unsigned)r->method;
	if (http_auth_basic(r, &u, &p) == 0) {
		free(u);
		free(p);
	}
	(void)http_auth_check(r, "user",
	    "{SHA}0123456789abcdef0123456789abcdef01234567");
	http_error(&b, 400, http_header(r, "host"), r->keep_alive);
	http_chunk(&b, r->body, r->body_len);
	http_chunk_end(&b);
	buf_free(&b);
	return (h);
}

/* Feed data in pieces: sizes from the seed, 0 for all at once. */
static uint64_t
fuzz_feed(const uint8_t *data, size_t size, unsigned seed, int *last)
{
	struct http_req	 r;
	uint64_t	 sum = 0;
	size_t		 off = 0, n, used;
	int		 rc = HTTP_NEED_MORE;

	http_init(&r, &fuzz_lim);
	while (off < size) {
		n = size - off;
		if (seed != 0) {
			seed = seed * 1103515245 + 12345;
			if (n > (seed >> 16) % 17 + 1)
				n = (seed >> 16) % 17 + 1;
		}
		rc = http_feed(&r, (const char *)data + off, n, &used);
		if (used > n)
			abort();
		off += used;
		if (rc == HTTP_ERROR) {
			if (r.status < 400 || r.status > 505 || r.why == NULL)
				abort();
			sum = sum * 31 + (uint64_t)r.status;
			break;
		}
		if (rc == HTTP_DONE) {
			sum = sum * 31 + fuzz_request(&r);
			http_reset(&r);
			rc = HTTP_NEED_MORE;
		} else if (used != n)
			abort();
	}
	*last = rc;
	http_free(&r);
	return (sum);
}

/*
 * Pieces of requests: when the first byte is odd, each byte after it is
 * one, so that the fuzzer reaches the headers and bodies without finding
 * the request line's shape first.
 */
static const char *const fuzz_pieces[] = {
	"GET ", "POST ", "HEAD ", "PUT ", "/RPC2", "/", " HTTP/1.1",
	" HTTP/1.0", " HTTP/2.0", "\r\n", "\n", "\r", " ", "\t", ":", ",", "0", "1", "5",
	"300", "Content-Length: ", "Transfer-Encoding: ", "chunked",
	"identity", "Connection: ", "close", "keep-alive", "Expect: ",
	"100-continue", "Host: localhost", "Authorization: Basic ",
	"dXNlcjpwYXNz", "dXNlcjpwYXNz==", "=", "hello", "X-A: b",
	"\x01", "\x7f", "\xc3\xa9",
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf	in = { NULL, 0, 0 };
	uint64_t	a, b;
	size_t		i;
	int		ra, rb;

	if (size == 0 || size > 65536)
		return (0);
	if (data[0] & 1)
		for (i = 1; i < size; i++)
			buf_adds(&in, fuzz_pieces[data[i] %
			    nitems(fuzz_pieces)]);
	else
		buf_add(&in, data + 1, size - 1);
	a = fuzz_feed((const uint8_t *)in.data, in.len, 0, &ra);
	b = fuzz_feed((const uint8_t *)in.data, in.len, (unsigned)size | 1,
	    &rb);
	if (a != b || ra != rb)
		abort();
	buf_free(&in);
	return (0);
}
