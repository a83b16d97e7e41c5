/*
 * The HTTP request parser and response writers: every error status, any
 * split of the input, pipelining, keep-alive, Basic authentication and
 * SHA-1.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../src/warden.h"
#include "../../src/sup/http.h"
#include "stubs.h"

static const struct http_limits lim = { 64, 256, 8, 100 };

/* Feed all of s in one call; the answer, and the bytes taken in *used. */
static int
feed(struct http_req *r, const char *s, size_t *used)
{
	size_t	u;

	return (http_feed(r, s, strlen(s), used != NULL ? used : &u));
}

/* Parse s whole and expect status (0 for a complete request). */
static void
expect_status(const char *s, int status)
{
	struct http_req	r;
	int		rc;

	http_init(&r, &lim);
	rc = feed(&r, s, NULL);
	if (status == 0)
		assert_int_equal(rc, HTTP_DONE);
	else {
		assert_int_equal(rc, HTTP_ERROR);
		assert_int_equal(r.status, status);
		assert_non_null(r.why);
		assert_int_equal(r.keep_alive, 0);
	}
	http_free(&r);
}

static void
test_http_get(void **state)
{
	struct http_req	r;
	const char	*s = "GET /RPC2?x=1 HTTP/1.1\r\nHost: a\r\n"
			    "X-Thing:   two words  \r\n\r\n";
	size_t		 used;

	(void)state;
	http_init(&r, &lim);
	assert_int_equal(feed(&r, s, &used), HTTP_DONE);
	assert_int_equal(used, strlen(s));
	assert_int_equal(r.method, HTTP_GET);
	assert_string_equal(r.target, "/RPC2?x=1");
	assert_int_equal(r.minor, 1);
	assert_int_equal(r.nhdr, 2);
	assert_string_equal(http_header(&r, "HOST"), "a");
	assert_string_equal(http_header(&r, "x-thing"), "two words");
	assert_null(http_header(&r, "x-none"));
	assert_int_equal(r.body_len, 0);
	assert_int_equal(r.keep_alive, 1);
	/* Once done, nothing more is taken until the reset. */
	assert_int_equal(feed(&r, "GET", &used), HTTP_DONE);
	assert_int_equal(used, 0);
	http_free(&r);
}

static void
test_http_post_body(void **state)
{
	struct http_req	r;

	(void)state;
	http_init(&r, &lim);
	assert_int_equal(feed(&r, "POST /RPC2 HTTP/1.0\r\nContent-Length: 5"
	    "\r\nConnection: keep-alive\r\n\r\nhello", NULL), HTTP_DONE);
	assert_int_equal(r.method, HTTP_POST);
	assert_int_equal(r.minor, 0);
	assert_int_equal(r.body_len, 5);
	assert_string_equal(r.body, "hello");
	assert_int_equal(r.keep_alive, 1);
	assert_int_equal(r.expect_continue, 0);
	http_free(&r);
	/* HEAD, bare LFs, and empty lines before the request line. */
	http_init(&r, &lim);
	assert_int_equal(feed(&r, "\r\n\nHEAD / HTTP/1.1\nA: b\n\n", NULL),
	    HTTP_DONE);
	assert_int_equal(r.method, HTTP_HEAD);
	assert_string_equal(http_header(&r, "a"), "b");
	http_free(&r);
}

/* Every split of a pipelined pair, and byte by byte, gives the same two. */
static void
test_http_splits(void **state)
{
	const char	*s = "POST /a HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc"
			    "GET /b HTTP/1.1\r\nConnection: close\r\n\r\n";
	struct http_req	 r;
	size_t		 len = strlen(s), cut, off, used, step;
	int		 rc, got;

	(void)state;
	for (step = 1; step <= len; step++) {
		http_init(&r, &lim);
		off = 0;
		got = 0;
		while (off < len) {
			cut = off + step > len ? len - off : step;
			rc = http_feed(&r, s + off, cut, &used);
			assert_int_not_equal(rc, HTTP_ERROR);
			off += used;
			if (rc != HTTP_DONE) {
				assert_int_equal(used, cut);
				continue;
			}
			if (got++ == 0) {
				assert_string_equal(r.target, "/a");
				assert_string_equal(r.body, "abc");
				assert_int_equal(r.keep_alive, 1);
			} else {
				assert_string_equal(r.target, "/b");
				assert_int_equal(r.body_len, 0);
				assert_int_equal(r.keep_alive, 0);
			}
			http_reset(&r);
		}
		assert_int_equal(got, 2);
		http_free(&r);
	}
}

static void
test_http_keep_alive(void **state)
{
	static const struct {
		const char	*req;
		int		 keep;
	} t[] = {
		{ "GET / HTTP/1.1\r\n\r\n", 1 },
		{ "GET / HTTP/1.1\r\nConnection: close\r\n\r\n", 0 },
		{ "GET / HTTP/1.1\r\nConnection: Upgrade, CLOSE\r\n\r\n", 0 },
		{ "GET / HTTP/1.1\r\nConnection: keep-alive\r\n\r\n", 1 },
		{ "GET / HTTP/1.0\r\n\r\n", 0 },
		{ "GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", 1 },
		{ "GET / HTTP/1.0\r\nConnection: keep-alive, close\r\n\r\n",
		  0 },
		{ "GET / HTTP/1.0\r\nConnection: x\r\n\r\n", 0 },
	};
	struct http_req	r;
	size_t		i;

	(void)state;
	for (i = 0; i < nitems(t); i++) {
		http_init(&r, &lim);
		assert_int_equal(feed(&r, t[i].req, NULL), HTTP_DONE);
		assert_int_equal(r.keep_alive, t[i].keep);
		http_free(&r);
	}
}

static void
test_http_errors(void **state)
{
	char	long_line[128], many[512], big[512];
	int	i;

	(void)state;
	expect_status("GET /\r\n\r\n", 400);
	expect_status("GET  / HTTP/1.1\r\n\r\n", 400);
	expect_status(" GET / HTTP/1.1\r\n\r\n", 400);
	expect_status("GET / HTTP/1.1 \r\n\r\n", 400);
	expect_status("GET / http/1.1\r\n\r\n", 400);
	expect_status("GET / HTTP/1.10\r\n\r\n", 400);
	expect_status("GET /\x01 HTTP/1.1\r\n\r\n", 400);
	expect_status("GET /\xc3\xa9 HTTP/1.1\r\n\r\n", 400);
	expect_status("GET / HTTP/1.1\rX\n\r\n", 400);
	expect_status("GET / HTTP/1.1\r\nA\r\n\r\n", 400);
	expect_status("GET / HTTP/1.1\r\nA : b\r\n\r\n", 400);
	expect_status("GET / HTTP/1.1\r\n: b\r\n\r\n", 400);
	expect_status("GET / HTTP/1.1\r\nA: b\x01\r\n\r\n", 400);
	expect_status("GET / HTTP/1.1\r\nA: b\x7f\r\n\r\n", 400);
	expect_status("GET / HTTP/1.1\r\nA: b\r\n folded\r\n\r\n", 400);
	expect_status("GET / HTTP/1.1\r\nA: b\r\n\tfolded\r\n\r\n", 400);
	expect_status("PUT / HTTP/1.1\r\n\r\n", 405);
	expect_status("get / HTTP/1.1\r\n\r\n", 405);
	expect_status("POST / HTTP/1.1\r\n\r\n", 411);
	expect_status("POST / HTTP/1.1\r\nContent-Length: 101\r\n\r\n", 413);
	expect_status("POST / HTTP/1.1\r\nContent-Length: "
	    "99999999999999999999999999\r\n\r\n", 413);
	expect_status("POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", 400);
	expect_status("POST / HTTP/1.1\r\nContent-Length: +1\r\n\r\n", 400);
	expect_status("POST / HTTP/1.1\r\nContent-Length: 0x1\r\n\r\n", 400);
	expect_status("POST / HTTP/1.1\r\nContent-Length:\r\n\r\n", 400);
	expect_status("POST / HTTP/1.1\r\nContent-Length: 1\r\n"
	    "Content-Length: 2\r\n\r\n", 400);
	expect_status("POST / HTTP/1.1\r\nContent-Length: 1, 2\r\n\r\n", 400);
	expect_status("POST / HTTP/1.1\r\nContent-Length: 1,\r\n\r\n", 400);
	expect_status("POST / HTTP/1.1\r\nContent-Length: 1\r\n"
	    "Content-Length: 1, 1\r\n\r\nx", 0);
	expect_status("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n",
	    501);
	expect_status("POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked"
	    "\r\nContent-Length: 1\r\n\r\n", 501);
	expect_status("POST / HTTP/1.1\r\nTransfer-Encoding: identity\r\n"
	    "Content-Length: 1\r\n\r\nx", 0);
	expect_status("GET / HTTP/2.0\r\n\r\n", 505);
	expect_status("GET / HTTP/1.2\r\n\r\n", 505);
	expect_status("GET / HTTP/0.9\r\n\r\n", 505);
	/* 64 bytes of request line pass, 65 do not. */
	memset(long_line, 0, sizeof long_line);
	memcpy(long_line, "GET /", 5);
	memset(long_line + 5, 'a', 64 - 5 - 9);
	strcat(long_line, " HTTP/1.1\r\n\r\n");
	expect_status(long_line, 0);
	memmove(long_line + 1, long_line, strlen(long_line) + 1);
	expect_status(long_line, 414);
	/* 8 header lines pass, 9 do not. */
	strcpy(many, "GET / HTTP/1.1\r\n");
	for (i = 0; i < 8; i++)
		strcat(many, "A: b\r\n");
	strcat(many, "\r\n");
	expect_status(many, 0);
	memmove(many + 22, many + 16, strlen(many + 16) + 1);
	memcpy(many + 16, "A: b\r\n", 6);
	expect_status(many, 431);
	/* 256 bytes of header lines pass, 257 do not. */
	strcpy(big, "GET / HTTP/1.1\r\nA: ");
	memset(big + strlen(big), 'x', 256 - 5);
	big[16 + 256 - 2] = '\0';
	strcat(big, "\r\n\r\n");
	expect_status(big, 0);
	memmove(big + 20, big + 19, strlen(big + 19) + 1);
	expect_status(big, 431);
}

/* Folded header lines are refused as such (RFC 9112 5.2). */
static void
test_http_fold(void **state)
{
	static const char *const t[] = {
		"GET / HTTP/1.1\r\nA: b\r\n folded\r\n\r\n",
		"GET / HTTP/1.1\r\nA: b\r\n\tfolded\r\n\r\n",
		"GET / HTTP/1.1\r\n B: c\r\n\r\n",
	};
	struct http_req	r;
	size_t		i;

	(void)state;
	for (i = 0; i < nitems(t); i++) {
		http_init(&r, &lim);
		assert_int_equal(feed(&r, t[i], NULL), HTTP_ERROR);
		assert_int_equal(r.status, 400);
		assert_string_equal(r.why, "folded header line");
		http_free(&r);
	}
}

/* A NUL in the head is refused; it cannot hide the rest of a line. */
static void
test_http_nul(void **state)
{
	struct http_req	r;
	size_t		used;
	const char	s[] = "GET / HTTP/1.1\r\nA: b\0c\r\n\r\n";

	(void)state;
	http_init(&r, &lim);
	assert_int_equal(http_feed(&r, s, sizeof s - 1, &used), HTTP_ERROR);
	assert_int_equal(r.status, 400);
	assert_int_equal(http_feed(&r, "x", 1, &used), HTTP_ERROR);
	assert_int_equal(used, 0);
	http_free(&r);
}

static void
test_http_expect(void **state)
{
	struct http_req	r;

	(void)state;
	http_init(&r, &lim);
	assert_int_equal(feed(&r, "POST / HTTP/1.1\r\nContent-Length: 2\r\n"
	    "Expect: 100-Continue\r\n\r\n", NULL), HTTP_NEED_MORE);
	assert_int_equal(r.expect_continue, 1);
	assert_int_equal(feed(&r, "ab", NULL), HTTP_DONE);
	assert_string_equal(r.body, "ab");
	http_free(&r);
}

/* A request carrying "Authorization: Basic " and the base64 of cred. */
static void
auth_req(struct http_req *r, const char *header)
{
	char	s[256];

	snprintf(s, sizeof s, "GET / HTTP/1.1\r\n%s\r\n\r\n", header);
	http_init(r, &lim);
	assert_int_equal(feed(r, s, NULL), HTTP_DONE);
}

static void
test_http_auth(void **state)
{
	/* "user:pass" and "user:pa:ss" */
	const char	*good = "Authorization: Basic dXNlcjpwYXNz";
	const char	*colon = "Authorization: basic   dXNlcjpwYTpzcw==";
	/* SHA-1("pass") */
	const char	*sha = "{SHA}9d4e1e23bd5b727046a9e3b4b7db57bd8d6ee684";
	struct http_req	 r;
	char		*u, *p;

	(void)state;
	auth_req(&r, good);
	assert_int_equal(http_auth_basic(&r, &u, &p), 0);
	assert_string_equal(u, "user");
	assert_string_equal(p, "pass");
	free(u);
	free(p);
	assert_int_equal(http_auth_check(&r, "user", "pass"), 1);
	assert_int_equal(http_auth_check(&r, "user", "pasS"), 0);
	assert_int_equal(http_auth_check(&r, "user", "pas"), 0);
	assert_int_equal(http_auth_check(&r, "user", ""), 0);
	assert_int_equal(http_auth_check(&r, "usr", "pass"), 0);
	assert_int_equal(http_auth_check(&r, "", "pass"), 0);
	assert_int_equal(http_auth_check(&r, "user", sha), 1);
	assert_int_equal(http_auth_check(&r, "user",
	    "{SHA}9D4E1E23BD5B727046A9E3B4B7DB57BD8D6EE684"), 1);
	assert_int_equal(http_auth_check(&r, "user",
	    "{SHA}9d4e1e23bd5b727046a9e3b4b7db57bd8d6ee685"), 0);
	assert_int_equal(http_auth_check(&r, "user",
	    "{SHA}9d4e1e23bd5b727046a9e3b4b7db57bd8d6ee68"), 0);
	assert_int_equal(http_auth_check(&r, "user",
	    "{SHA}9d4e1e23bd5b727046a9e3b4b7db57bd8d6ee68g"), 0);
	assert_int_equal(http_auth_check(&r, "usr", sha), 0);
	http_free(&r);
	auth_req(&r, colon);
	assert_int_equal(http_auth_basic(&r, &u, &p), 0);
	assert_string_equal(u, "user");
	assert_string_equal(p, "pa:ss");
	free(u);
	free(p);
	http_free(&r);
}

static void
test_http_auth_malformed(void **state)
{
	static const char *const bad[] = {
		"X-None: 1",
		"Authorization: Bearer dXNlcjpwYXNz",
		"Authorization: Basic",
		"Authorization: Basic ",
		"Authorization: Basic dXNlcjpwYXN",	/* no padding */
		"Authorization: Basic dXNlcjpwYXNz=",
		"Authorization: Basic dXNl cjpwYXNz",
		"Authorization: Basic dXNlcjpwYXN*",
		"Authorization: Basic dXNlcnBhc3M=",	/* "userpass" */
		/* "user\0:pass" */
		"Authorization: Basic dXNlcgA6cGFzcw==",
		"Authorization: Basicdxnl",
	};
	struct http_req	r;
	char		*u, *p;
	size_t		 i;

	(void)state;
	for (i = 0; i < nitems(bad); i++) {
		auth_req(&r, bad[i]);
		assert_int_equal(http_auth_basic(&r, &u, &p), -1);
		assert_null(u);
		assert_null(p);
		assert_int_equal(http_auth_check(&r, "user", "pass"), 0);
		http_free(&r);
	}
}

/* The digest of s, in hex. */
static void
sha1_hex(const char *s, size_t len, size_t step, char out[41])
{
	struct sha1	c;
	unsigned char	d[SHA1_LEN];
	size_t		i, n;
	int		k;

	sha1_init(&c);
	for (i = 0; i < len; i += n) {
		n = len - i < step ? len - i : step;
		sha1_update(&c, s + i, n);
	}
	sha1_final(&c, d);
	for (k = 0; k < SHA1_LEN; k++)
		snprintf(out + 2 * k, 3, "%02x", d[k]);
}

static void
test_sha1_vectors(void **state)
{
	static const struct {
		const char	*in;
		const char	*hex;
	} v[] = {
		{ "", "da39a3ee5e6b4b0d3255bfef95601890afd80709" },
		{ "abc", "a9993e364706816aba3e25717850c26c9cd0d89d" },
		{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
		  "84983e441c3bd26ebaae4aa1f95129e5e54670f1" },
		{ "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn"
		  "hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
		  "a49b2446a02c645bf419f995b67091253a04a259" },
		{ "The quick brown fox jumps over the lazy dog",
		  "2fd4e1c67a2d28fced849ee1bb76e7391b93eb12" },
	};
	char	 hex[41], *mil;
	size_t	 i, step;

	(void)state;
	for (i = 0; i < nitems(v); i++)
		for (step = 1; step <= 65; step += 16) {
			sha1_hex(v[i].in, strlen(v[i].in), step, hex);
			assert_string_equal(hex, v[i].hex);
		}
	mil = malloc(1000000);
	assert_non_null(mil);
	memset(mil, 'a', 1000000);
	sha1_hex(mil, 1000000, 4096, hex);
	assert_string_equal(hex, "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
	free(mil);
}

static void
test_http_writers(void **state)
{
	struct buf		b = { NULL, 0, 0 };
	struct http_resp	rs;

	(void)state;
	memset(&rs, 0, sizeof rs);
	rs.status = 200;
	rs.type = "text/xml";
	rs.length = 12;
	rs.keep_alive = 1;
	http_head(&b, &rs);
	assert_string_equal(b.data, "HTTP/1.1 200 OK\r\n"
	    "Content-Type: text/xml\r\nContent-Length: 12\r\n"
	    "Connection: keep-alive\r\n\r\n");
	buf_reset(&b);
	rs.length = HTTP_LEN_CHUNKED;
	rs.type = NULL;
	rs.keep_alive = 0;
	rs.nosniff = 1;
	http_head(&b, &rs);
	http_chunk(&b, "hello", 5);
	http_chunk(&b, "", 0);
	http_chunk(&b, "0123456789abcdefg", 17);
	http_chunk_end(&b);
	assert_string_equal(b.data, "HTTP/1.1 200 OK\r\n"
	    "Transfer-Encoding: chunked\r\n"
	    "X-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n"
	    "5\r\nhello\r\n11\r\n0123456789abcdefg\r\n0\r\n\r\n");
	buf_reset(&b);
	rs.length = HTTP_LEN_CLOSE;
	rs.keep_alive = 1;
	rs.nosniff = 0;
	http_head(&b, &rs);
	assert_string_equal(b.data, "HTTP/1.1 200 OK\r\n"
	    "Connection: close\r\n\r\n");
	buf_reset(&b);
	http_error(&b, 401, "my \"realm\"", 1);
	assert_string_equal(b.data, "HTTP/1.1 401 Unauthorized\r\n"
	    "Content-Type: text/plain; charset=utf-8\r\n"
	    "Content-Length: 13\r\nX-Content-Type-Options: nosniff\r\n"
	    "WWW-Authenticate: Basic realm=\"my \\\"realm\\\"\"\r\n"
	    "Connection: keep-alive\r\n\r\nUnauthorized\n");
	buf_reset(&b);
	http_error(&b, 405, NULL, 0);
	assert_non_null(strstr(b.data, "HTTP/1.1 405 Method Not Allowed\r\n"));
	assert_non_null(strstr(b.data, "\r\nAllow: GET, HEAD, POST\r\n"));
	assert_null(strstr(b.data, "WWW-Authenticate"));
	buf_reset(&b);
	http_continue(&b);
	assert_string_equal(b.data, "HTTP/1.1 100 Continue\r\n\r\n");
	assert_string_equal(http_reason(411), "Length Required");
	assert_string_equal(http_reason(413), "Content Too Large");
	assert_string_equal(http_reason(414), "URI Too Long");
	assert_string_equal(http_reason(431),
	    "Request Header Fields Too Large");
	assert_string_equal(http_reason(501), "Not Implemented");
	assert_string_equal(http_reason(505), "HTTP Version Not Supported");
	assert_string_equal(http_reason(999), "Unknown");
	buf_free(&b);
}

static void
test_buf_base64(void **state)
{
	static const char *const enc[] = { "", "YQ==", "YWI=", "YWJj",
	    "YWJjZA==" };
	struct buf	b = { NULL, 0, 0 };
	char		raw[100];
	size_t		i;

	(void)state;
	for (i = 0; i < nitems(enc); i++) {
		buf_reset(&b);
		buf_add_base64(&b, "abcd", i, 0);
		assert_string_equal(b.data != NULL ? b.data : "", enc[i]);
		buf_reset(&b);
		assert_int_equal(buf_add_unbase64(&b, enc[i], strlen(enc[i]),
		    0), 0);
		assert_int_equal(b.len, i);
		assert_memory_equal(b.data != NULL ? b.data : "", "abcd", i);
	}
	/* Python's encodebytes() layout: 76 columns and a final newline. */
	for (i = 0; i < sizeof raw; i++)
		raw[i] = (char)i;
	buf_reset(&b);
	buf_add_base64(&b, raw, 57, 76);
	assert_int_equal(b.len, 77);
	assert_int_equal(b.data[76], '\n');
	buf_add_base64(&b, raw, 58, 76);
	assert_int_equal(b.len, 77 + 77 + 5);
	assert_int_equal(b.data[77 + 76], '\n');
	assert_string_equal(b.data + 77 + 77, "OQ==\n");
	buf_reset(&b);
	assert_int_equal(buf_add_unbase64(&b, " YW\nJj\r\n\tZA= =\n", 15, 1),
	    0);
	assert_string_equal(b.data, "abcd");
	buf_reset(&b);
	assert_int_equal(buf_add_unbase64(&b, " YWJj", 5, 0), -1);
	assert_int_equal(buf_add_unbase64(&b, "YWJjZA=", 7, 1), -1);
	assert_int_equal(buf_add_unbase64(&b, "YWJjZ===", 8, 1), -1);
	assert_int_equal(buf_add_unbase64(&b, "YW=j", 4, 1), -1);
	assert_int_equal(buf_add_unbase64(&b, "YQ==YQ==", 8, 1), -1);
	assert_int_equal(buf_add_unbase64(&b, "Y", 1, 1), -1);
	assert_int_equal(buf_add_unbase64(&b, "YWJ-", 4, 1), -1);
	buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_http_get),
		cmocka_unit_test(test_http_post_body),
		cmocka_unit_test(test_http_splits),
		cmocka_unit_test(test_http_keep_alive),
		cmocka_unit_test(test_http_errors),
		cmocka_unit_test(test_http_fold),
		cmocka_unit_test(test_http_nul),
		cmocka_unit_test(test_http_expect),
		cmocka_unit_test(test_http_auth),
		cmocka_unit_test(test_http_auth_malformed),
		cmocka_unit_test(test_sha1_vectors),
		cmocka_unit_test(test_http_writers),
		cmocka_unit_test(test_buf_base64),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
