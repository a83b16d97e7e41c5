/*
 * supervisord's HTTP servers in the supervisor's loop (httpd.c,
 * httpd-listen.c): [unix_http_server] and [inet_http_server], for
 * supervisorctl and every XML-RPC client.  POST /RPC2 goes to rpc.h;
 * GET /logtail/NAME[/stdout|stderr] and /mainlogtail are streamed.
 */
#ifndef WARDEN_HTTPD_H
#define WARDEN_HTTPD_H

#include <sys/types.h>

#include <stddef.h>

#include "http.h"
#include "sup.h"

#define HTTPD_MAXSRV	2		/* the unix server, the inet one */

/* What a client may take; the tests lower the times. */
struct httpd_tune {
	double		 idle;		/* seconds between requests (60) */
	double		 request;	/* for a begun request to be in (10) */
	double		 linger;	/* after the last answer, to close (2) */
	double		 drain;		/* at exit, to send what is queued (1) */
	int		 maxconns;	/* over both servers (256) */
	size_t		 outmax;	/* bytes queued to one client (4 MiB) */
};

/* A listening socket and whom it lets in. */
struct httpd_srv {
	int		 fd;
	const char	*section;	/* "unix_http_server" ... */
	char		*path;		/* unix: the file, unlinked at exit */
	dev_t		 dev;		/* ... while it is this one */
	ino_t		 ino;
	char		*username;	/* NULL: no authentication */
	char		*password;
	struct sup	*sup;
};

extern struct httpd_tune	 httpd_tune;
extern struct http_limits	 httpd_limits;
extern struct httpd_srv		 httpd_srvs[HTTPD_MAXSRV];
extern int			 httpd_nsrv;
extern const struct sup_hooks	 httpd_hooks;

/* httpd.c */
void		 httpd_accept_cb(int, uint32_t, void *);
int		 httpd_nconns(void);
void		 httpd_end_all(struct sup *);

/* httpd-listen.c */
int		 httpd_listen(const struct config *, char **);
int		 httpd_fds(int *, int);
void		 httpd_close(void);

#endif
