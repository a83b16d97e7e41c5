/*
 * The status page at / on every HTTP server (page.c: the table and the
 * routes; page-act.c: the actions and their CSRF checks; page-sse.c:
 * the live updates at /events).  httpd-route.c hands each request to
 * page_route first.
 */
#ifndef WARDEN_PAGE_H
#define WARDEN_PAGE_H

#include "httpd.h"

#define PAGE_SSE_MAX	64		/* /events clients at once */
#define PAGE_TOKEN_LEN	32		/* hex digits of a session or token */

/* What the live updates cost; the tests lower them. */
struct page_tune {
	double		 coalesce;	/* seconds between two snapshots (0.1) */
	double		 refresh;	/* ... and without a change (5) */
	size_t		 qmax;		/* bytes queued to one: then cut (256 K) */
};

extern struct page_tune	 page_tune;

/* page.c */
int		 page_route(struct hconn *);
int		 page_handle(struct sup *, const struct http_req *,
		    struct buf *, int);
void		 page_render(struct sup *, const char *, const char *,
		    struct buf *);
void		 page_escape(struct buf *, const char *);
void		 page_snapshot(struct sup *, struct buf *);
void		 page_head(struct buf *, int, const char *, long long, int,
		    const char *);

/* page-ps.c */
void		 page_ps(struct hconn *, const char *);

/* page-act.c */
int		 page_session(const struct http_req *, char *);
void		 page_token(const char *, char *);
int		 page_csrf_check(const struct http_req *, const char *);
char		*page_form(const char *, const char *);
int		 page_action(struct sup *, const char *, const char *,
		    struct buf *);

/* page-sse.c */
void		 page_sse_open(struct hconn *);
void		 page_sse_gone(struct hconn *);
void		 page_changed(struct sup *);
int		 page_sse_count(void);
int		 page_sse_armed(void);

#endif
