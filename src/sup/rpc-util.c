/*
 * What every XML-RPC method uses: faults as supervisord words them,
 * params checked, Python's truth of a flag, and supervisord's lookup of
 * a "GROUP:NAME", "GROUP:*" or "NAME".
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rpc-internal.h"

static const struct {
	int		 code;
	const char	*name;
} rpc_faults[] = {
	{ RPC_UNKNOWN_METHOD,		"UNKNOWN_METHOD" },
	{ RPC_INCORRECT_PARAMETERS,	"INCORRECT_PARAMETERS" },
	{ RPC_BAD_ARGUMENTS,		"BAD_ARGUMENTS" },
	{ RPC_SIGNATURE_UNSUPPORTED,	"SIGNATURE_UNSUPPORTED" },
	{ RPC_SHUTDOWN_STATE,		"SHUTDOWN_STATE" },
	{ RPC_BAD_NAME,			"BAD_NAME" },
	{ RPC_BAD_SIGNAL,		"BAD_SIGNAL" },
	{ RPC_NO_FILE,			"NO_FILE" },
	{ RPC_NOT_EXECUTABLE,		"NOT_EXECUTABLE" },
	{ RPC_FAILED,			"FAILED" },
	{ RPC_ABNORMAL_TERMINATION,	"ABNORMAL_TERMINATION" },
	{ RPC_SPAWN_ERROR,		"SPAWN_ERROR" },
	{ RPC_ALREADY_STARTED,		"ALREADY_STARTED" },
	{ RPC_NOT_RUNNING,		"NOT_RUNNING" },
	{ RPC_SUCCESS,			"SUCCESS" },
	{ RPC_ALREADY_ADDED,		"ALREADY_ADDED" },
	{ RPC_STILL_RUNNING,		"STILL_RUNNING" },
	{ RPC_CANT_REREAD,		"CANT_REREAD" },
};

/* A fault code's name, as xmlrpc.py's getFaultDescription gives it. */
const char *
rpc_fault_name(int code)
{
	size_t	i;

	for (i = 0; i < nitems(rpc_faults); i++)
		if (rpc_faults[i].code == code)
			return (rpc_faults[i].name);
	return ("UNKNOWN");
}

/*
 * Fail the call with code: the fault string is the code's name, then
 * ": " and the text when there is one, as supervisord's RPCError.
 * Returns RPC_FAULT, for the method to return.
 */
int
rpc_fault(struct rpc_call *call, int code, const char *fmt, ...)
{
	va_list	 ap;
	char	*text = NULL;

	free(call->faultstr);
	call->fault = code;
	if (fmt != NULL) {
		va_start(ap, fmt);
		if (vasprintf(&text, fmt, ap) == -1)
			text = NULL;
		va_end(ap);
	}
	if (text != NULL)
		xasprintf(&call->faultstr, "%s: %s", rpc_fault_name(code),
		    text);
	else
		call->faultstr = xstrdup(rpc_fault_name(code));
	free(text);
	return (RPC_FAULT);
}

/*
 * Check params against spec (xr_check's letters).  Returns 0, or
 * RPC_FAULT with INCORRECT_PARAMETERS, which is what supervisord says
 * for a wrong count (Python's TypeError) with no more words.
 */
int
rpc_params(struct rpc_call *call, const struct xr_value *params,
    const char *spec)
{
	char	why[128];

	if (xr_check(params, spec, why, sizeof why) == -1)
		return (rpc_fault(call, RPC_INCORRECT_PARAMETERS, NULL));
	return (0);
}

/*
 * Python's truth of param i (a flag such as wait), or def when it was
 * left out.
 */
int
rpc_truth(const struct xr_value *params, size_t i, int def)
{
	const struct xr_value	*v;

	if (params == NULL || i >= params->n)
		return (def);
	v = params->v[i];
	switch (v->type) {
	case XR_NIL:
		return (0);
	case XR_INT:
	case XR_BOOL:
		return (v->i != 0);
	case XR_DOUBLE:
		return (v->d != 0);
	case XR_STRING:
	case XR_BASE64:
		return (v->len != 0);
	case XR_ARRAY:
	case XR_STRUCT:
		return (v->n != 0);
	case XR_DATETIME:
		return (1);
	}
	return (def);
}

/*
 * supervisord's lookup (_getGroupAndProcess): "GROUP:NAME" is a process
 * of a group; "GROUP:" and "GROUP:*" a whole group; a bare "NAME" is
 * the process NAME of the group NAME.  Returns the process, or for a
 * group its first service with *group set; or NULL with a BAD_NAME
 * fault.
 */
struct svc *
rpc_lookup(struct rpc_call *call, const char *name, int *group)
{
	struct svc	*s, *first = NULL;
	const char	*colon = strchr(name, ':'), *proc;
	size_t		 glen;

	if (colon != NULL) {
		glen = (size_t)(colon - name);
		proc = colon + 1;
		if (*proc == '\0' || strcmp(proc, "*") == 0)
			proc = NULL;
	} else {
		glen = strlen(name);
		proc = name;
	}
	TAILQ_FOREACH(s, &call->sup->svcs, entry) {
		if (s->removed || strlen(s->cfg->group) != glen ||
		    strncmp(s->cfg->group, name, glen) != 0)
			continue;
		if (first == NULL)
			first = s;
		if (proc != NULL && strcmp(s->cfg->name, proc) == 0) {
			*group = 0;
			return (s);
		}
	}
	if (first != NULL && proc == NULL) {
		*group = 1;
		return (first);
	}
	rpc_fault(call, RPC_BAD_NAME, "%s", name);
	return (NULL);
}

/* Add s to the services the call waits for. */
void
rpc_target_add(struct rpc_call *call, struct svc *s)
{
	if (call->ntargets == call->targetcap) {
		call->targetcap = call->targetcap ? call->targetcap * 2 : 8;
		call->targets = xreallocarray(call->targets, call->targetcap,
		    sizeof *call->targets);
	}
	call->targets[call->ntargets++] = s;
}

/* Free what a call holds and make it new, for its next use. */
void
rpc_call_reset(struct rpc_call *call)
{
	struct sup	*sup = call->sup;

	if (call->cleanup != NULL)
		call->cleanup(call);
	free(call->targets);
	free(call->faultstr);
	memset(call, 0, sizeof *call);
	call->sup = sup;
}

/* qsort's comparison of two strings, by pointer. */
int
rpc_strcmp(const void *a, const void *b)
{
	return (strcmp(*(const char *const *)a, *(const char *const *)b));
}

/* Services by group, then name: getAllProcessInfo's lexical order. */
static int
rpc_lexical_cmp(const void *a, const void *b)
{
	const struct svc	*x = *(struct svc *const *)a;
	const struct svc	*y = *(struct svc *const *)b;
	int			 c;

	if ((c = strcmp(x->cfg->group, y->cfg->group)) != 0)
		return (c);
	return (strcmp(x->cfg->name, y->cfg->name));
}

/*
 * The services of group (all when NULL) into call->targets: by group and
 * name when lexical, else by priority, ties in the list's order (a
 * stable insertion sort: the list is mostly in order already), the
 * order supervisord starts them in.  Returns how many.
 */
size_t
rpc_collect(struct rpc_call *call, const char *group, int lexical)
{
	struct svc	*s, **v;
	size_t		 i, j;

	TAILQ_FOREACH(s, &call->sup->svcs, entry)
		if (!s->removed && (group == NULL ||
		    strcmp(s->cfg->group, group) == 0))
			rpc_target_add(call, s);
	v = call->targets;
	if (lexical && call->ntargets > 1)
		qsort(v, call->ntargets, sizeof *v, rpc_lexical_cmp);
	for (i = 1; !lexical && i < call->ntargets; i++) {
		s = v[i];
		for (j = i; j > 0 && v[j - 1]->cfg->priority >
		    s->cfg->priority; j--)
			v[j] = v[j - 1];
		v[j] = s;
	}
	return (call->ntargets);
}

