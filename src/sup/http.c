/*
 * HTTP/1.1 (RFC 9110, 9112) for the server side: the request parser, fed
 * bytes as they arrive in any split, and the response writers.  Only what
 * supervisord's clients send is taken: no chunked request bodies, no
 * obs-fold, one Content-Length.  Every bound is a parameter.
 *
 * The request line and the header lines are copied into one block of
 * max_line + max_header bytes, allocated once, so the pointers handed out
 * never move; each line is cut in place with NULs.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../warden.h"
#include "http.h"

enum http_state { HTTP_S_LINE, HTTP_S_HEADERS, HTTP_S_BODY, HTTP_S_DONE,
    HTTP_S_ERROR };

/* Start a parser with the given limits (kept by pointer). */
void
http_init(struct http_req *r, const struct http_limits *lim)
{
	memset(r, 0, sizeof *r);
	r->lim = lim;
	r->state = HTTP_S_LINE;
}

/* Forget the request answered; the parser is ready for the next one. */
void
http_reset(struct http_req *r)
{
	const struct http_limits *lim = r->lim;
	struct http_header	*hdr = r->hdr;
	char			*head = r->head;
	size_t			 hdr_size = r->hdr_size;

	free(r->body);
	memset(r, 0, sizeof *r);
	r->lim = lim;
	r->hdr = hdr;
	r->hdr_size = hdr_size;
	r->head = head;
	r->state = HTTP_S_LINE;
}

/* Release the parser's memory. */
void
http_free(struct http_req *r)
{
	free(r->body);
	free(r->hdr);
	free(r->head);
	memset(r, 0, sizeof *r);
}

/* Stop with an error status; the connection is to be closed after it. */
static int
http_fail(struct http_req *r, int status, const char *why)
{
	r->state = HTTP_S_ERROR;
	r->status = status;
	r->why = why;
	r->keep_alive = 0;
	return (HTTP_ERROR);
}

/* A tchar of RFC 9110 5.6.2. */
static int
http_is_tchar(unsigned char c)
{
	return (isalnum(c) || (c != '\0' && strchr("!#$%&'*+-.^_`|~", c)
	    != NULL));
}

/* A run of tchars from s; its length. */
static size_t
http_token(const char *s)
{
	size_t	n = 0;

	while (http_is_tchar((unsigned char)s[n]))
		n++;
	return (n);
}

/* "METHOD SP TARGET SP HTTP/1.x", cut in place. */
static int
http_request_line(struct http_req *r, char *s)
{
	static const char *const methods[] = { NULL, "GET", "HEAD", "POST" };
	char	*t, *v;
	size_t	 n, i;

	if ((n = http_token(s)) == 0 || s[n] != ' ')
		return (http_fail(r, 400, "malformed request line"));
	s[n] = '\0';
	t = s + n + 1;
	for (n = 0; t[n] > ' ' && t[n] < 0x7f; n++)
		;
	if (n == 0 || t[n] != ' ')
		return (http_fail(r, 400, "malformed request target"));
	t[n] = '\0';
	v = t + n + 1;
	if (strncmp(v, "HTTP/", 5) != 0 || !isdigit((unsigned char)v[5]) ||
	    v[6] != '.' || !isdigit((unsigned char)v[7]) || v[8] != '\0')
		return (http_fail(r, 400, "malformed HTTP version"));
	if (v[5] != '1' || (v[7] != '0' && v[7] != '1'))
		return (http_fail(r, 505, "HTTP version not supported"));
	r->minor = v[7] - '0';
	r->target = t;
	for (i = 1; i < nitems(methods); i++)
		if (strcmp(s, methods[i]) == 0)
			r->method = (int)i;
	if (r->method == 0)
		return (http_fail(r, 405, "method not allowed"));
	return (0);
}

/* "Name: value", cut in place and kept. */
static int
http_header_line(struct http_req *r, char *s)
{
	char	*v, *e;
	size_t	 n;

	if (*s == ' ' || *s == '\t')
		return (http_fail(r, 400, "folded header line"));
	if ((n = http_token(s)) == 0 || s[n] != ':')
		return (http_fail(r, 400, "malformed header line"));
	s[n] = '\0';
	for (v = s + n + 1; *v == ' ' || *v == '\t'; v++)
		;
	for (e = v; *e != '\0'; e++)
		if ((unsigned char)*e < ' ' ? *e != '\t' : *e == 0x7f)
			return (http_fail(r, 400, "control byte in header"));
	while (e > v && (e[-1] == ' ' || e[-1] == '\t'))
		*--e = '\0';
	if (r->nhdr == r->lim->max_headers)
		return (http_fail(r, 431, "too many header lines"));
	if (r->nhdr == r->hdr_size) {
		r->hdr_size = r->hdr_size ? r->hdr_size * 2 : 16;
		r->hdr = xreallocarray(r->hdr, r->hdr_size, sizeof *r->hdr);
	}
	r->hdr[r->nhdr].name = s;
	r->hdr[r->nhdr].value = v;
	r->nhdr++;
	return (0);
}

/* The value of the first header called name, or NULL. */
const char *
http_header(const struct http_req *r, const char *name)
{
	size_t	i;

	for (i = 0; i < r->nhdr; i++)
		if (strcasecmp(r->hdr[i].name, name) == 0)
			return (r->hdr[i].value);
	return (NULL);
}

/*
 * Call cb on each element of a comma-separated header value, blanks
 * trimmed, empty elements included; stops at the first non-zero answer.
 */
static int
http_list(const char *v, int (*cb)(const char *, size_t, void *), void *arg)
{
	const char	*e;
	size_t		 n;
	int		 rc;

	for (;;) {
		while (*v == ' ' || *v == '\t')
			v++;
		e = strchr(v, ',');
		n = e != NULL ? (size_t)(e - v) : strlen(v);
		while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t'))
			n--;
		if ((rc = cb(v, n, arg)) != 0)
			return (rc);
		if (e == NULL)
			return (0);
		v = e + 1;
	}
}

/* A Content-Length element: digits only, all elements the same. */
static int
http_length_cb(const char *s, size_t n, void *arg)
{
	struct http_req	*r = arg;
	size_t		 i, len = 0;

	if (n == 0)
		return (400);
	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return (400);
		if (len > (SIZE_MAX - 9) / 10)
			len = SIZE_MAX;		/* too large anyway */
		else
			len = len * 10 + (size_t)(s[i] - '0');
	}
	if (r->has_length && r->length != len)
		return (400);
	r->has_length = 1;
	r->length = len;
	return (0);
}

/* A Transfer-Encoding element: only identity is understood. */
static int
http_te_cb(const char *s, size_t n, void *arg)
{
	return (n == 8 && strncasecmp(s, "identity", 8) == 0 ? 0 : 501);
}

/* A Connection element: 1 for close, 2 for keep-alive, else 0. */
static int
http_conn_cb(const char *s, size_t n, void *arg)
{
	int	*seen = arg;

	if (n == 5 && strncasecmp(s, "close", 5) == 0)
		*seen |= 1;
	else if (n == 10 && strncasecmp(s, "keep-alive", 10) == 0)
		*seen |= 2;
	return (0);
}

/* The headers are all in: framing, keep-alive, Expect. */
static int
http_headers_done(struct http_req *r)
{
	const char	*v;
	size_t		 i;
	int		 conn = 0, rc;

	for (i = 0; i < r->nhdr; i++) {
		v = r->hdr[i].value;
		if (strcasecmp(r->hdr[i].name, "content-length") == 0 &&
		    http_list(v, http_length_cb, r) != 0)
			return (http_fail(r, 400, "bad Content-Length"));
		if (strcasecmp(r->hdr[i].name, "transfer-encoding") == 0 &&
		    (rc = http_list(v, http_te_cb, r)) != 0)
			return (http_fail(r, rc, "transfer coding refused"));
		if (strcasecmp(r->hdr[i].name, "connection") == 0)
			http_list(v, http_conn_cb, &conn);
	}
	if (r->method == HTTP_POST && !r->has_length)
		return (http_fail(r, 411, "POST without Content-Length"));
	if (r->length > r->lim->max_body)
		return (http_fail(r, 413, "body too large"));
	if (conn & 1)
		r->keep_alive = 0;
	else
		r->keep_alive = r->minor == 1 || (conn & 2);
	if ((v = http_header(r, "expect")) != NULL &&
	    strcasecmp(v, "100-continue") == 0 && r->minor == 1 &&
	    r->length > 0)
		r->expect_continue = 1;
	if (r->length == 0) {
		r->state = HTTP_S_DONE;
		return (HTTP_DONE);
	}
	r->body = xmalloc(r->length + 1);
	r->state = HTTP_S_BODY;
	return (0);
}

/* A whole line is at r->head + r->line, its LF at r->head_len - 1. */
static int
http_line(struct http_req *r)
{
	char	*s = r->head + r->line;
	size_t	 n = r->head_len - 1 - r->line;

	if (n > 0 && s[n - 1] == '\r')
		n--;
	s[n] = '\0';
	if (memchr(s, '\r', n) != NULL)
		return (http_fail(r, 400, "bare CR"));
	if (strlen(s) != n)
		return (http_fail(r, 400, "NUL byte in the head"));
	if (r->state == HTTP_S_LINE) {
		if (n == 0) {		/* empty lines before: skipped */
			r->head_len = r->line = 0;
			return (0);
		}
		if (n > r->lim->max_line)
			return (http_fail(r, 414, "request line too long"));
		r->state = HTTP_S_HEADERS;
		r->line = r->hstart = r->head_len;
		return (http_request_line(r, s));
	}
	if (n == 0)
		return (http_headers_done(r));
	if (r->head_len - r->hstart > r->lim->max_header)
		return (http_fail(r, 431, "header section too large"));
	r->line = r->head_len;
	return (http_header_line(r, s));
}

/* Take head bytes up to and including one LF; how many were taken. */
static size_t
http_take_head(struct http_req *r, const char *p, size_t len, int *rc)
{
	const struct http_limits *lim = r->lim;
	const char	*lf = memchr(p, '\n', len);
	size_t		 n = lf != NULL ? (size_t)(lf - p) + 1 : len;
	size_t		 room;

	*rc = 0;
	if (r->head == NULL)
		r->head = xmalloc(lim->max_line + lim->max_header + 5);
	/*
	 * The request line may take max_line bytes and its CRLF, the header
	 * lines max_header bytes with their CRLFs, and the empty line 2: a
	 * longer line is refused before it is all in.
	 */
	if (r->state == HTTP_S_LINE)
		room = lim->max_line + 2 - r->head_len;
	else
		room = lim->max_header + 2 - (r->head_len - r->hstart);
	if (n > room) {
		if (r->state == HTTP_S_LINE)
			*rc = http_fail(r, 414, "request line too long");
		else
			*rc = http_fail(r, 431, "header section too large");
		return (0);
	}
	memcpy(r->head + r->head_len, p, n);
	r->head_len += n;
	if (lf != NULL)
		*rc = http_line(r);
	return (n);
}

/*
 * Feed len bytes; *used says how many were taken (the rest belong to the
 * next request).  Answers HTTP_NEED_MORE, HTTP_DONE (the request is in r)
 * or HTTP_ERROR (answer r->status and close).  Once DONE or ERROR, nothing
 * more is taken until http_reset().
 */
int
http_feed(struct http_req *r, const char *p, size_t len, size_t *used)
{
	size_t	n, off = 0;
	int	rc;

	*used = 0;
	if (r->state == HTTP_S_DONE)
		return (HTTP_DONE);
	if (r->state == HTTP_S_ERROR)
		return (HTTP_ERROR);
	while (off < len && r->state < HTTP_S_BODY) {
		off += http_take_head(r, p + off, len - off, &rc);
		if (rc != 0) {
			*used = off;
			return (rc);
		}
	}
	if (r->state == HTTP_S_BODY) {
		n = r->length - r->body_len;
		if (n > len - off)
			n = len - off;
		memcpy(r->body + r->body_len, p + off, n);
		r->body_len += n;
		off += n;
		if (r->body_len == r->length) {
			r->body[r->body_len] = '\0';
			r->state = HTTP_S_DONE;
		}
	}
	*used = off;
	return (r->state == HTTP_S_DONE ? HTTP_DONE : HTTP_NEED_MORE);
}

/*
 * The user and password of "Authorization: Basic base64(user:pass)", in
 * new strings.  Returns 0, or -1 when the header is missing or malformed.
 */
int
http_auth_basic(const struct http_req *r, char **user, char **pass)
{
	struct buf	 b = { NULL, 0, 0 };
	const char	*v, *colon;

	*user = *pass = NULL;
	if ((v = http_header(r, "authorization")) == NULL ||
	    strncasecmp(v, "basic ", 6) != 0)
		return (-1);
	for (v += 6; *v == ' '; v++)
		;
	if (*v == '\0' || buf_add_unbase64(&b, v, strlen(v), 0) == -1 ||
	    b.len == 0 || strlen(b.data) != b.len ||
	    (colon = strchr(b.data, ':')) == NULL) {
		buf_free(&b);
		return (-1);
	}
	*user = xmalloc((size_t)(colon - b.data) + 1);
	memcpy(*user, b.data, (size_t)(colon - b.data));
	(*user)[colon - b.data] = '\0';
	*pass = xstrdup(colon + 1);
	buf_free(&b);
	return (0);
}

/* 20 bytes from 40 hex digits; -1 if they are not that. */
static int
http_unhex(const char *s, unsigned char out[SHA1_LEN])
{
	static const char	 hex[] = "0123456789abcdef";
	const char		*h, *l;
	int			 i;

	if (strlen(s) != 2 * SHA1_LEN)
		return (-1);
	for (i = 0; i < SHA1_LEN; i++) {
		if ((h = strchr(hex, tolower((unsigned char)s[2 * i]))) ==
		    NULL || (l = strchr(hex, tolower((unsigned char)s[2 * i +
		    1]))) == NULL || *h == '\0' || *l == '\0')
			return (-1);
		out[i] = (unsigned char)((h - hex) << 4 | (l - hex));
	}
	return (0);
}

/* 0 when two digests are the same, in time that does not depend on them. */
static unsigned char
http_digest_diff(const unsigned char *a, const unsigned char *b)
{
	unsigned char	d = 0;
	int		i;

	for (i = 0; i < SHA1_LEN; i++)
		d |= a[i] ^ b[i];
	return (d);
}

/*
 * 1 when the request's Basic credentials are user and password.  The
 * password is cleartext, or "{SHA}" and the 40 hex digits of its SHA-1 (as
 * supervisord writes it; the digits in either case).  Both sides are
 * compared as SHA-1 digests, so the time taken says nothing of where they
 * differ nor of their lengths; a "{SHA}" password that is not 40 hex
 * digits matches nothing.
 */
int
http_auth_check(const struct http_req *r, const char *user,
    const char *password)
{
	unsigned char	 gu[SHA1_LEN], wu[SHA1_LEN], gp[SHA1_LEN];
	unsigned char	 wp[SHA1_LEN], bad = 0;
	char		*u, *p;

	if (http_auth_basic(r, &u, &p) == -1)
		return (0);
	sha1_digest(u, strlen(u), gu);
	sha1_digest(user, strlen(user), wu);
	sha1_digest(p, strlen(p), gp);
	if (strncmp(password, "{SHA}", 5) == 0) {
		if (http_unhex(password + 5, wp) == -1)
			bad = 1;
	} else
		sha1_digest(password, strlen(password), wp);
	bad |= http_digest_diff(gu, wu) | http_digest_diff(gp, wp);
	explicit_bzero(p, strlen(p));
	free(u);
	free(p);
	return (bad == 0);
}

/* The reason phrase of a status. */
const char *
http_reason(int status)
{
	static const struct {
		int		 status;
		const char	*reason;
	} reasons[] = {
		{ 100, "Continue" }, { 200, "OK" }, { 204, "No Content" },
		{ 301, "Moved Permanently" }, { 302, "Found" },
		{ 304, "Not Modified" }, { 400, "Bad Request" },
		{ 401, "Unauthorized" }, { 403, "Forbidden" },
		{ 404, "Not Found" }, { 405, "Method Not Allowed" },
		{ 408, "Request Timeout" }, { 411, "Length Required" },
		{ 413, "Content Too Large" }, { 414, "URI Too Long" },
		{ 415, "Unsupported Media Type" },
		{ 431, "Request Header Fields Too Large" },
		{ 500, "Internal Server Error" }, { 501, "Not Implemented" },
		{ 503, "Service Unavailable" },
		{ 505, "HTTP Version Not Supported" }
	};
	size_t	i;

	for (i = 0; i < nitems(reasons); i++)
		if (reasons[i].status == status)
			return (reasons[i].reason);
	return ("Unknown");
}

/*
 * A response's status line and headers, and the empty line: the body
 * follows, as length bytes, as chunks (http_chunk) or until the close.
 */
void
http_head(struct buf *b, const struct http_resp *rs)
{
	const char	*c;

	buf_printf(b, "HTTP/1.1 %d %s\r\n", rs->status,
	    http_reason(rs->status));
	if (rs->type != NULL)
		buf_printf(b, "Content-Type: %s\r\n", rs->type);
	if (rs->length >= 0)
		buf_printf(b, "Content-Length: %lld\r\n", rs->length);
	else if (rs->length == HTTP_LEN_CHUNKED)
		buf_adds(b, "Transfer-Encoding: chunked\r\n");
	if (rs->nosniff)
		buf_adds(b, "X-Content-Type-Options: nosniff\r\n");
	if (rs->status == 405)
		buf_adds(b, "Allow: GET, HEAD, POST\r\n");
	if (rs->status == 401) {
		buf_adds(b, "WWW-Authenticate: Basic realm=\"");
		for (c = rs->realm != NULL ? rs->realm : "warden"; *c != '\0';
		    c++) {
			if (*c == '"' || *c == '\\')
				buf_addc(b, '\\');
			buf_addc(b, (unsigned char)*c < ' ' ? ' ' : *c);
		}
		buf_adds(b, "\"\r\n");
	}
	if (rs->keep_alive && rs->length != HTTP_LEN_CLOSE)
		buf_adds(b, "Connection: keep-alive\r\n\r\n");
	else
		buf_adds(b, "Connection: close\r\n\r\n");
}

/* A whole error response with a one-line text body. */
void
http_error(struct buf *b, int status, const char *realm, int keep_alive)
{
	struct http_resp	rs;
	const char		*reason = http_reason(status);

	memset(&rs, 0, sizeof rs);
	rs.status = status;
	rs.type = "text/plain; charset=utf-8";
	rs.length = (long long)strlen(reason) + 1;
	rs.keep_alive = keep_alive;
	rs.realm = realm;
	rs.nosniff = 1;
	http_head(b, &rs);
	buf_printf(b, "%s\n", reason);
}

/* The interim answer to "Expect: 100-continue". */
void
http_continue(struct buf *b)
{
	buf_adds(b, "HTTP/1.1 100 Continue\r\n\r\n");
}

/* One chunk of a chunked body; an empty one writes nothing (it would end
 * the body). */
void
http_chunk(struct buf *b, const void *data, size_t len)
{
	if (len == 0)
		return;
	buf_printf(b, "%zx\r\n", len);
	buf_add(b, data, len);
	buf_adds(b, "\r\n");
}

/* The last chunk: the body ends. */
void
http_chunk_end(struct buf *b)
{
	buf_adds(b, "0\r\n\r\n");
}
