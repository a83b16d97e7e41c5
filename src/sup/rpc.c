/*
 * supervisord's XML-RPC requests: a body decoded, its method found in
 * the four tables, its result or fault encoded; the requests whose call
 * waits for services, asked again on every change of state; and the
 * system.* namespace (listMethods, methodHelp, methodSignature,
 * multicall), as supervisord's xmlrpc.py answers them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rpc-internal.h"

/* A request: its decoded body, its call, its answer's way back. */
struct rpc_req {
	struct sup		*sup;
	struct xr_msg		 msg;
	struct rpc_call		 call;
	rpc_reply_cb		 cb;
	void			*arg;
	int			 busy;	/* its poll runs: changes wait */
	int			 dirty;	/* ... and one came meanwhile */
	unsigned int		 round;	/* rpc_changed's, last asked in */
	TAILQ_ENTRY(rpc_req)	 entry;
};
static TAILQ_HEAD(, rpc_req) rpc_waiting =
    TAILQ_HEAD_INITIALIZER(rpc_waiting);
static unsigned int rpc_round;

static const struct rpc_method *const rpc_tables[] = {
	rpc_sys_methods, rpc_sup_methods, rpc_proc_methods, rpc_log_methods,
	rpc_conf_methods, rpc_warden_methods
};

/* The method called name, in any table, or NULL. */
const struct rpc_method *
rpc_method_find(const char *name)
{
	const struct rpc_method	*m;
	size_t			 i;

	for (i = 0; i < nitems(rpc_tables); i++)
		for (m = rpc_tables[i]; m->name != NULL; m++)
			if (strcmp(m->name, name) == 0)
				return (m);
	return (NULL);
}

/*
 * Is the supervisor shutting down or restarting?  supervisord's methods
 * then fault SHUTDOWN_STATE (its _update), but for system.* and
 * sendRemoteCommEvent, which never ask.
 */
static int
rpc_leaving(const struct sup *sup, const char *name)
{
	if (!sup->shutting_down && sup->leaving == 0)
		return (0);
	return (strncmp(name, "supervisor.", 11) == 0 &&
	    strcmp(name, "supervisor.sendRemoteCommEvent") != 0);
}

/*
 * Run the method name with params: RPC_OK with *res, RPC_FAULT, or
 * RPC_WAIT with call->poll set.  A wait is asked at once: the call may
 * be over already.
 */
int
rpc_call_run(struct rpc_call *call, const char *name,
    const struct xr_value *params, struct xr_value **res)
{
	const struct rpc_method	*m;
	int			 rv;

	*res = NULL;
	if ((m = rpc_method_find(name)) == NULL)
		return (rpc_fault(call, RPC_UNKNOWN_METHOD, NULL));
	if (rpc_leaving(call->sup, name))
		return (rpc_fault(call, RPC_SHUTDOWN_STATE, NULL));
	rv = m->fn(call, params, res);
	if (rv == RPC_WAIT) {
		*res = NULL;
		rv = call->poll(call, res);
	}
	return (rv);
}

/* The call's result (or its fault) as a methodResponse document. */
static void
rpc_encode(struct buf *b, struct rpc_call *call, int rv,
    struct xr_value *res)
{
	if (rv == RPC_OK)
		xr_encode_response(b, res);
	else
		xr_encode_fault(b, call->fault, call->faultstr != NULL ?
		    call->faultstr : rpc_fault_name(call->fault));
	xr_free(res);
}

/* Free a request, unanswered. */
static void
rpc_req_free(struct rpc_req *req)
{
	rpc_call_reset(&req->call);
	xr_msg_free(&req->msg);
	free(req);
}

/* Answer a request that is over, and free it. */
static void
rpc_answer(struct rpc_req *req, int rv, struct xr_value *res)
{
	struct buf	b;

	memset(&b, 0, sizeof b);
	rpc_encode(&b, &req->call, rv, res);
	req->cb(req->arg, 200, &b);
	buf_free(&b);
	rpc_req_free(req);
}

struct rpc_req *
rpc_request(struct sup *sup, const char *body, size_t len, rpc_reply_cb cb,
    void *arg)
{
	struct rpc_req	*req;
	struct xr_value	*res;
	const char	*why;
	int		 rv;

	req = xcalloc(1, sizeof *req);
	req->sup = req->call.sup = sup;
	req->cb = cb;
	req->arg = arg;
	if (xr_decode(body, len, &req->msg, &why) == -1 ||
	    req->msg.kind != XR_CALL) {
		cb(arg, 400, NULL);
		rpc_req_free(req);
		return (NULL);
	}
	req->busy = 1;
	rv = rpc_call_run(&req->call, req->msg.method, req->msg.params, &res);
	while (rv == RPC_WAIT && req->dirty) {
		req->dirty = 0;
		res = NULL;
		rv = req->call.poll(&req->call, &res);
	}
	req->busy = 0;
	if (rv != RPC_WAIT) {
		rpc_answer(req, rv, res);
		return (NULL);
	}
	req->round = rpc_round;
	TAILQ_INSERT_TAIL(&rpc_waiting, req, entry);
	return (req);
}

void
rpc_cancel(struct rpc_req *req)
{
	if (req == NULL)
		return;
	TAILQ_REMOVE(&rpc_waiting, req, entry);
	rpc_req_free(req);
}

/*
 * Ask each waiting call whether it is over, answering those that are.
 * An answer may cancel other requests, so the walk starts again after
 * each; a round number keeps each request to one question per change.
 */
void
rpc_changed(struct sup *sup)
{
	struct rpc_req	*req;
	struct xr_value	*res;
	unsigned int	 round = ++rpc_round;
	int		 rv;

again:
	TAILQ_FOREACH(req, &rpc_waiting, entry) {
		if (req->sup != sup)
			continue;
		if (req->busy) {
			req->dirty = 1;
			continue;
		}
		if (req->round == round)
			continue;
		req->round = round;
		req->busy = 1;
		do {
			req->dirty = 0;
			res = NULL;
			rv = req->call.poll(&req->call, &res);
		} while (rv == RPC_WAIT && req->dirty);
		req->busy = 0;
		if (rv == RPC_WAIT)
			continue;
		TAILQ_REMOVE(&rpc_waiting, req, entry);
		rpc_answer(req, rv, res);
		goto again;
	}
}

/* Null s in a call's targets, and in those of the calls inside it. */
static void
rpc_forget_call(struct rpc_call *call, struct svc *s)
{
	size_t	i;

	for (; call != NULL; call = call->sub)
		for (i = 0; i < call->ntargets; i++)
			if (call->targets[i] == s)
				call->targets[i] = NULL;
}

void
rpc_forget(struct sup *sup, struct svc *s)
{
	struct rpc_req	*req;

	TAILQ_FOREACH(req, &rpc_waiting, entry)
		if (req->sup == sup)
			rpc_forget_call(&req->call, s);
}

void
rpc_fini(struct sup *sup)
{
	struct rpc_req	*req, *tmp;

	TAILQ_FOREACH_SAFE(req, &rpc_waiting, entry, tmp) {
		if (req->sup != sup)
			continue;
		TAILQ_REMOVE(&rpc_waiting, req, entry);
		rpc_req_free(req);
	}
}

/* system.listMethods: every name, sorted. */
static int
rpc_list_methods(struct rpc_call *call, const struct xr_value *params,
    struct xr_value **res)
{
	const struct rpc_method	*m;
	const char		**v = NULL;
	size_t			 i, n = 0;

	if (rpc_params(call, params, "") != 0)
		return (RPC_FAULT);
	for (i = 0; i < nitems(rpc_tables); i++)
		for (m = rpc_tables[i]; m->name != NULL; m++) {
			v = xreallocarray(v, n + 1, sizeof *v);
			v[n++] = m->name;
		}
	qsort(v, n, sizeof *v, rpc_strcmp);
	*res = xr_array();
	for (i = 0; i < n; i++)
		xr_array_add(*res, xr_string(v[i]));
	free(v);
	return (RPC_OK);
}

/* system.methodHelp(name): its text, or SIGNATURE_UNSUPPORTED. */
static int
rpc_method_help(struct rpc_call *call, const struct xr_value *params,
    struct xr_value **res)
{
	const struct rpc_method	*m;

	if (rpc_params(call, params, "s") != 0)
		return (RPC_FAULT);
	if ((m = rpc_method_find(params->v[0]->s)) == NULL)
		return (rpc_fault(call, RPC_SIGNATURE_UNSUPPORTED, NULL));
	*res = xr_string(m->help);
	return (RPC_OK);
}

/* system.methodSignature(name): [result type, param types...]. */
static int
rpc_method_signature(struct rpc_call *call, const struct xr_value *params,
    struct xr_value **res)
{
	const struct rpc_method	*m;
	const char		*p, *e;

	if (rpc_params(call, params, "s") != 0)
		return (RPC_FAULT);
	if ((m = rpc_method_find(params->v[0]->s)) == NULL ||
	    m->sig == NULL || *m->sig == '\0')
		return (rpc_fault(call, RPC_SIGNATURE_UNSUPPORTED, NULL));
	*res = xr_array();
	for (p = m->sig; *p != '\0'; p = *e != '\0' ? e + 1 : e) {
		e = p + strcspn(p, ",");
		xr_array_add(*res, xr_stringn(p, (size_t)(e - p)));
	}
	return (RPC_OK);
}

/* A multicall's progress: the calls, the next one, the results so far. */
struct rpc_multi {
	const struct xr_value	*calls;
	size_t			 next;
	struct xr_value		*results;
	struct xr_value		*empty;	/* the params of a call without */
	struct rpc_call		 sub;	/* the call under way */
};

/*
 * One result of a multicall: the value itself (supervisord's, though
 * its help says [value]), or the fault as a struct.
 */
static void
rpc_multi_add(struct rpc_multi *mc, int rv, struct xr_value *res)
{
	struct xr_value	*v;

	if (rv == RPC_OK)
		v = res;
	else {
		v = xr_struct();
		xr_struct_add(v, "faultCode", xr_int(mc->sub.fault));
		xr_struct_add(v, "faultString", xr_string(mc->sub.faultstr !=
		    NULL ? mc->sub.faultstr : rpc_fault_name(mc->sub.fault)));
		xr_free(res);
	}
	xr_array_add(mc->results, v);
	rpc_call_reset(&mc->sub);
}

/* Start the calls in order until one must wait or all are done. */
static int
rpc_multi_poll(struct rpc_call *call, struct xr_value **res)
{
	struct rpc_multi	*mc = call->data;
	const struct xr_value	*c, *name, *params;
	struct xr_value		*r;
	int			 rv;

	if (mc->sub.poll != NULL) {
		r = NULL;
		if ((rv = mc->sub.poll(&mc->sub, &r)) == RPC_WAIT)
			return (RPC_WAIT);
		rpc_multi_add(mc, rv, r);
	}
	while (mc->next < mc->calls->n) {
		c = mc->calls->v[mc->next++];
		name = c->type == XR_STRUCT ?
		    xr_member(c, "methodName", XR_STRING) : NULL;
		params = c->type == XR_STRUCT ?
		    xr_member(c, "params", XR_ARRAY) : NULL;
		if (params == NULL)
			params = mc->empty;
		r = NULL;
		if (name == NULL)
			rv = rpc_fault(&mc->sub, RPC_INCORRECT_PARAMETERS,
			    "No methodName");
		else if (strcmp(name->s, "system.multicall") == 0)
			rv = rpc_fault(&mc->sub, RPC_INCORRECT_PARAMETERS,
			    "Recursive system.multicall forbidden");
		else
			rv = rpc_call_run(&mc->sub, name->s, params, &r);
		if (rv == RPC_WAIT)
			return (RPC_WAIT);
		rpc_multi_add(mc, rv, r);
	}
	*res = mc->results;
	mc->results = NULL;
	return (RPC_OK);
}

/* A multicall's state, freed with its call. */
static void
rpc_multi_free(struct rpc_call *call)
{
	struct rpc_multi	*mc = call->data;

	rpc_call_reset(&mc->sub);
	xr_free(mc->results);
	xr_free(mc->empty);
	free(mc);
	call->sub = NULL;
}

/*
 * system.multicall(calls): each in order, a call that waits waited for
 * before the next starts, as supervisord does.
 */
static int
rpc_multicall(struct rpc_call *call, const struct xr_value *params,
    struct xr_value **res)
{
	struct rpc_multi	*mc;

	(void)res;
	if (rpc_params(call, params, "a") != 0)
		return (RPC_FAULT);
	mc = xcalloc(1, sizeof *mc);
	mc->calls = params->v[0];
	mc->results = xr_array();
	mc->empty = xr_array();
	mc->sub.sup = call->sup;
	call->data = mc;
	call->sub = &mc->sub;
	call->poll = rpc_multi_poll;
	call->cleanup = rpc_multi_free;
	return (RPC_WAIT);
}

const struct rpc_method rpc_sys_methods[] = {
	{ "system.listMethods", rpc_list_methods, "array",
	  "The names of every method, sorted\n"
	  "@return array names The names (strings)" },
	{ "system.methodHelp", rpc_method_help, "string,string",
	  "A method's help text\n"
	  "@param string name The method\n"
	  "@return string help Its text" },
	{ "system.methodSignature", rpc_method_signature, "array,string",
	  "A method's types: its result's first, then its params', in "
	  "order\n"
	  "@param string name The method\n"
	  "@return array types The type names (strings)" },
	{ "system.multicall", rpc_multicall, "array,array",
	  "Run calls in order, each after the last is over, and answer "
	  "once they all are\n"
	  "@param array calls Structs of methodName (string) and params "
	  "(array)\n"
	  "@return array results Each call's value, or a struct of "
	  "faultCode and faultString" },
	{ NULL, NULL, NULL, NULL }
};
