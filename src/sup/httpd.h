/*
 * supervisord's HTTP servers in the supervisor's loop (httpd.c: the
 * connections; httpd-route.c: what they ask; httpd-listen.c: the
 * sockets): [unix_http_server] and [inet_http_server], for
 * supervisorctl and every XML-RPC client.  POST /RPC2 goes to rpc.h;
 * GET /logtail/NAME[/stdout|stderr] and /mainlogtail are streamed;
 * the status page's routes (/, /action, /events, /log/, /ps/) are page.h's.
 */
#ifndef WARDEN_HTTPD_H
#define WARDEN_HTTPD_H

#include <sys/types.h>

#include <stddef.h>

#include "http.h"
#include "sup.h"

#define HTTPD_MAXSRV	2		/* the unix server, the inet one */
#define HTTPD_TAIL	1024	/* a log tail starts with this, as supervisord */
#define HTTPD_REALM	"default"	/* supervisord's Basic realm */

/* What a connection is doing: its state's one timer follows from it. */
enum hc_state {
	HC_IDLE,		/* between requests */
	HC_READING,		/* a request begun */
	HC_RPC,			/* a call waits for services */
	HC_STREAM,		/* a log followed */
	HC_CLOSING		/* the last answer queued: then close */
};

/* One client's connection (httpd.c), answered by httpd-route.c. */
struct hconn {
	struct httpd_srv *srv;
	int		 fd;
	enum hc_state	 state;
	uint32_t	 events;	/* what the loop waits for */
	unsigned int	 parsing:1,	/* req is initialised */
			 continued:1,	/* 100 Continue sent for req */
			 keep_alive:1,	/* of the request answered */
			 dispatching:1,	/* in rpc_request */
			 answered:1,	/* ... which has answered */
			 shut:1,	/* our side is shut down */
			 eof:1;		/* the client's side is */
	struct http_req	 req;
	struct buf	 in;		/* read, not yet parsed */
	size_t		 inoff;
	struct buf	 out;		/* to send */
	size_t		 outoff;
	struct timer	*timer;
	struct timer	*kick;		/* go on with pipelined requests */
	double		 since;		/* monotonic: the state's start */
	struct rpc_req	*rpc;
	struct follow	*follow;
	struct svc	*fsvc;		/* whose log (NULL: the supervisor's) */
	TAILQ_ENTRY(hconn) entry;	/* least recently active first */
};

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
	struct timer	*pause;		/* out of fds: accept again later */
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
/* ... for httpd-route.c */
void		 hc_close(struct hconn *);
void		 hc_enter(struct hconn *, enum hc_state);
size_t		 hc_pending(const struct hconn *);
int		 hc_flush(struct hconn *);
void		 hc_done(struct hconn *);
void		 hc_error(struct hconn *, int, int);
int		 hc_process(struct hconn *);

/* httpd-route.c */
void		 hc_dispatch(struct hconn *);
void		 hc_logtail(struct hconn *, const char *);

/* health.c: GET /healthz and /readyz, open to probes without a password */
int		 health_reply(struct sup *, const struct http_req *, int,
		    struct buf *);
int		 health_dispatch(struct hconn *);

/* httpd-listen.c */
int		 httpd_listen(const struct config *, char **);
int		 httpd_fds(int *, int);
void		 httpd_close(void);

#endif
