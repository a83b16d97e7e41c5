/*
 * HTTP/1.1 for the server side: an incremental request parser with
 * limits, keep-alive and Basic authentication, and the response writers.
 * It knows nothing of XML-RPC or of services; it works on buffers.
 */
#ifndef HTTP_H
#define HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* What a request may weigh; the parser answers 414, 431 or 413 above. */
struct http_limits {
	size_t		 max_line;	/* the request line, CRLF excluded */
	size_t		 max_header;	/* header lines together, CRLFs in */
	size_t		 max_headers;	/* header lines */
	size_t		 max_body;	/* Content-Length */
};

/* http_feed's answers. */
#define HTTP_NEED_MORE	0
#define HTTP_DONE	1
#define HTTP_ERROR	(-1)

/* Methods: any other token is answered 405. */
#define HTTP_GET	1
#define HTTP_HEAD	2
#define HTTP_POST	3

struct http_header {
	const char	*name;		/* as sent; compare without case */
	const char	*value;		/* without surrounding blanks */
};

/*
 * One request being read.  The fields above the line are valid once
 * http_feed() has answered HTTP_DONE, and point into the parser's memory
 * until http_reset() or http_free().
 */
struct http_req {
	int		 method;	/* HTTP_GET ... */
	const char	*target;	/* the request target, as sent */
	int		 minor;		/* HTTP/1.minor: 0 or 1 */
	struct http_header *hdr;
	size_t		 nhdr;
	char		*body;		/* body_len bytes and a NUL */
	size_t		 body_len;
	int		 keep_alive;	/* the connection may carry another */
	int		 expect_continue; /* "Expect: 100-continue" was sent */
	int		 status;	/* HTTP_ERROR: the status to answer */
	const char	*why;		/* HTTP_ERROR: for the log */
	/* ---- the parser's own */
	const struct http_limits *lim;
	int		 state;
	char		*head;		/* request line and headers */
	size_t		 head_len;
	size_t		 line;		/* where the current line starts */
	size_t		 hstart;	/* where the header lines start */
	size_t		 hdr_size;	/* slots in hdr */
	size_t		 length;	/* Content-Length */
	int		 has_length;
};

/* A response head. */
#define HTTP_LEN_CHUNKED (-1)		/* Transfer-Encoding: chunked */
#define HTTP_LEN_CLOSE	(-2)		/* the body ends with the connection */
struct http_resp {
	int		 status;
	const char	*type;		/* Content-Type, or NULL */
	long long	 length;	/* Content-Length, or HTTP_LEN_* */
	int		 keep_alive;
	const char	*realm;		/* 401: the Basic realm */
	int		 nosniff;	/* X-Content-Type-Options: nosniff */
};

#define SHA1_LEN	20
struct sha1 {
	uint32_t	 h[5];
	uint64_t	 total;
	unsigned char	 block[64];
	size_t		 fill;
};

/* http.c */
void		 http_init(struct http_req *, const struct http_limits *);
int		 http_feed(struct http_req *, const char *, size_t, size_t *);
void		 http_reset(struct http_req *);
void		 http_free(struct http_req *);
const char	*http_header(const struct http_req *, const char *);
int		 http_auth_basic(const struct http_req *, char **, char **);
int		 http_auth_check(const struct http_req *, const char *,
		     const char *);
const char	*http_reason(int);
void		 http_head(struct buf *, const struct http_resp *);
void		 http_error(struct buf *, int, const char *, int);
void		 http_continue(struct buf *);
void		 http_chunk(struct buf *, const void *, size_t);
void		 http_chunk_end(struct buf *);

/* sha1.c */
void		 sha1_init(struct sha1 *);
void		 sha1_update(struct sha1 *, const void *, size_t);
void		 sha1_final(struct sha1 *, unsigned char [SHA1_LEN]);
void		 sha1_digest(const void *, size_t, unsigned char [SHA1_LEN]);

#endif
