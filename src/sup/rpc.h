/*
 * supervisord's XML-RPC interface (rpc.c, rpc-*.c): the supervisor.*,
 * system.* and warden.* methods, for the HTTP server (httpd.c).  A
 * request body goes in; a methodResponse document (a response or a
 * fault) comes out, at once or once the services a call waits for have
 * settled.  It knows nothing of HTTP.
 */
#ifndef WARDEN_RPC_H
#define WARDEN_RPC_H

#include <stddef.h>

#include "buf.h"
#include "sup.h"

/* supervisord's fault codes (xmlrpc.py's Faults). */
#define RPC_UNKNOWN_METHOD		1
#define RPC_INCORRECT_PARAMETERS	2
#define RPC_BAD_ARGUMENTS		3
#define RPC_SIGNATURE_UNSUPPORTED	4
#define RPC_SHUTDOWN_STATE		6
#define RPC_BAD_NAME			10
#define RPC_BAD_SIGNAL			11
#define RPC_NO_FILE			20
#define RPC_NOT_EXECUTABLE		21
#define RPC_FAILED			30
#define RPC_ABNORMAL_TERMINATION	40
#define RPC_SPAWN_ERROR			50
#define RPC_ALREADY_STARTED		60
#define RPC_NOT_RUNNING			70
#define RPC_SUCCESS			80
#define RPC_ALREADY_ADDED		90
#define RPC_STILL_RUNNING		91
#define RPC_CANT_REREAD			92

/*
 * The answer to one request: an HTTP status and, for 200, the whole
 * methodResponse document (a response or a fault), valid during the
 * call only; a body that is no XML-RPC call at all is answered 400 and
 * NULL, as supervisord does.  Called exactly once per request, unless
 * the request is cancelled first.
 */
typedef void	(*rpc_reply_cb)(void *, int, const struct buf *);

struct rpc_req;

/*
 * Decode and run one POST /RPC2 body.  Returns NULL once answered (the
 * callback has run, before rpc_request returned), or a handle while the
 * call waits for services; the callback runs later, from the loop.
 */
struct rpc_req	*rpc_request(struct sup *, const char *, size_t,
		    rpc_reply_cb, void *);
/* The client left: the callback never runs; the handle is freed. */
void		 rpc_cancel(struct rpc_req *);

/* From the supervisor's hooks (httpd.c's): */
void		 rpc_changed(struct sup *);	/* a service changed state */
void		 rpc_forget(struct sup *, struct svc *); /* freed next */
void		 rpc_fini(struct sup *);	/* the supervisor leaves */

#endif
