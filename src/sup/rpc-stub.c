/*
 * A stand-in for the XML-RPC methods (rpc.c) until they are here: every
 * call is answered at once with fault 1, UNKNOWN_METHOD, so that the
 * HTTP server links and its tests run.
 */
#include <stddef.h>

#include "rpc.h"
#include "xmlrpc.h"

/* Every call: fault 1, at once. */
struct rpc_req	*
rpc_request(struct sup *sup, const char *body, size_t len, rpc_reply_cb cb,
    void *arg)
{
	struct buf	doc = { NULL, 0, 0 };

	(void)sup;
	(void)body;
	(void)len;
	xr_encode_fault(&doc, RPC_UNKNOWN_METHOD, "UNKNOWN_METHOD");
	cb(arg, 200, &doc);
	buf_free(&doc);
	return (NULL);
}

/* Nothing ever waits here: nothing to cancel or tell. */
void
rpc_cancel(struct rpc_req *r)
{
	(void)r;
}

/* No call waits for services here. */
void
rpc_changed(struct sup *sup)
{
	(void)sup;
}

/* No call points at a service here. */
void
rpc_forget(struct sup *sup, struct svc *s)
{
	(void)sup;
	(void)s;
}

/* Nothing is held here. */
void
rpc_fini(struct sup *sup)
{
	(void)sup;
}
