/*
 * The warden.* methods: what warden knows of a service that
 * supervisord's process info struct has no member for (readiness,
 * restarts, the STATUS= note, the cgroup, ...).  supervisord's structs
 * stay as they are; this namespace is where the rest goes.
 */
#include <sys/wait.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rpc-internal.h"

/* ready= as a word: its mode. */
static const char *const rpc_ready_modes[] = {
	[READY_EXEC] =		"exec",
	[READY_STARTSECS] =	"startsecs",
	[READY_NOTIFY] =	"notify",
	[READY_FD] =		"fd",
	[READY_TCP] =		"tcp",
	[READY_PIDFILE] =	"pidfile",
};

/* Where the readiness of s stands: "ready", "waiting" or "none". */
static const char *
rpc_ready_state(const struct svc *s)
{
	if (s->state == SVC_RUNNING)
		return ("ready");
	if (s->state == SVC_STARTING)
		return ("waiting");
	return ("none");
}

/* A string member, "" for NULL. */
static void
rpc_add_str(struct xr_value *v, const char *name, const char *s)
{
	xr_struct_add(v, name, xr_string(s != NULL ? s : ""));
}

/* One service as warden sees it (status --json's fields, and more). */
static struct xr_value *
rpc_service_info(struct svc *s)
{
	struct xr_value	*v = xr_struct();
	char		 desc[512];
	int		 es = -1;

	svc_describe(s, desc, sizeof desc);
	if (s->has_status && WIFEXITED(s->status))
		es = WEXITSTATUS(s->status);
	else if (s->has_status && WIFSIGNALED(s->status))
		es = 128 + WTERMSIG(s->status);
	rpc_add_str(v, "name", s->cfg->name);
	rpc_add_str(v, "group", s->cfg->group);
	rpc_add_str(v, "state", svc_state_names[s->state]);
	xr_struct_add(v, "pid", xr_int(s->pid));
	xr_struct_add(v, "since", xr_int(s->since));
	xr_struct_add(v, "exit_status", es == -1 ? xr_nil() : xr_int(es));
	xr_struct_add(v, "restarts", xr_int((int64_t)s->restarts));
	xr_struct_add(v, "ready", xr_bool(s->state == SVC_RUNNING));
	rpc_add_str(v, "ready_mode", (size_t)s->ready.mode <
	    nitems(rpc_ready_modes) ? rpc_ready_modes[s->ready.mode] : "");
	rpc_add_str(v, "ready_spec", s->cfg->ready != NULL ? s->cfg->ready :
	    "startsecs");
	rpc_add_str(v, "ready_state", rpc_ready_state(s));
	xr_struct_add(v, "reloading", xr_bool(s->reloading));
	xr_struct_add(v, "stopping", xr_bool(s->stopping));
	rpc_add_str(v, "status_text", s->note);
	xr_struct_add(v, "notify_errno", xr_int(s->notify_errno));
	rpc_add_str(v, "cgroup", s->cgroup);
	xr_struct_add(v, "failed_starts", xr_int(s->backoff));
	rpc_add_str(v, "log_problem", svclog_problem(s));
	rpc_add_str(v, "description", desc);
	return (v);
}

/* warden.getServiceInfo(name): one service, as getProcessInfo finds it. */
static int
rpc_get_service_info(struct rpc_call *call, const struct xr_value *params,
    struct xr_value **res)
{
	struct svc	*s;
	int		 group;

	if (rpc_params(call, params, "s") != 0)
		return (RPC_FAULT);
	if ((s = rpc_lookup(call, params->v[0]->s, &group)) == NULL)
		return (RPC_FAULT);
	if (group)
		return (rpc_fault(call, RPC_BAD_NAME, "%s", params->v[0]->s));
	*res = rpc_service_info(s);
	return (RPC_OK);
}

/* warden.getAllServiceInfo: every service, in the config's order. */
static int
rpc_get_all_service_info(struct rpc_call *call,
    const struct xr_value *params, struct xr_value **res)
{
	struct svc	*s;

	if (rpc_params(call, params, "") != 0)
		return (RPC_FAULT);
	*res = xr_array();
	TAILQ_FOREACH(s, &call->sup->svcs, entry)
		if (!s->removed)
			xr_array_add(*res, rpc_service_info(s));
	return (RPC_OK);
}

const struct rpc_method rpc_warden_methods[] = {
	{ "warden.getAllServiceInfo", rpc_get_all_service_info, "array",
	  "What warden knows of every service beyond supervisord's process "
	  "info: readiness, restarts, the STATUS= text, the cgroup\n"
	  "@return array result  An array of service info structs" },
	{ "warden.getServiceInfo", rpc_get_service_info, "struct,string",
	  "What warden knows of one service beyond supervisord's process "
	  "info\n"
	  "@param string name  The service (or 'group:name')\n"
	  "@return struct result  Its service info struct" },
	{ NULL, NULL, NULL, NULL }
};
