/*
 * supervisord's supervisor.* methods for the supervisor itself and for
 * process info, as rpcinterface.py has them: versions, identification,
 * state, pid, shutdown and restart, getProcessInfo, getAllProcessInfo.
 */
#include <sys/wait.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "rpc-internal.h"

/* supervisord's state codes (states.py's ProcessStates), by svc_state. */
static const struct {
	int		 code;
	const char	*name;
} rpc_states[] = {
	[SVC_STOPPED] =		{ 0,	"STOPPED" },
	[SVC_STARTING] =	{ 10,	"STARTING" },
	[SVC_RUNNING] =		{ 20,	"RUNNING" },
	[SVC_BACKOFF] =		{ 30,	"BACKOFF" },
	[SVC_STOPPING] =	{ 40,	"STOPPING" },
	[SVC_EXITED] =		{ 100,	"EXITED" },
	[SVC_FATAL] =		{ 200,	"FATAL" },
};

/* supervisord's spawnerr: why the last start failed, or "". */
static const char *
rpc_spawnerr(const struct svc *s)
{
	return (svc_is_failed(s) && s->desc != NULL ? s->desc : "");
}

/* supervisor.getAPIVersion, and getVersion, its old name. */
static int
rpc_api_version(struct rpc_call *call, const struct xr_value *params,
    struct xr_value **res)
{
	if (rpc_params(call, params, "") != 0)
		return (RPC_FAULT);
	*res = xr_string("3.0");
	return (RPC_OK);
}

/* supervisor.getSupervisorVersion: warden's. */
static int
rpc_sup_version(struct rpc_call *call, const struct xr_value *params,
    struct xr_value **res)
{
	if (rpc_params(call, params, "") != 0)
		return (RPC_FAULT);
	*res = xr_string(WARDEN_VERSION_STR);
	return (RPC_OK);
}

/* supervisor.getIdentification: [supervisord] identifier=. */
static int
rpc_identification(struct rpc_call *call, const struct xr_value *params,
    struct xr_value **res)
{
	const char	*id = call->sup->cfg->identifier;

	if (rpc_params(call, params, "") != 0)
		return (RPC_FAULT);
	*res = xr_string(id != NULL ? id : "supervisor");
	return (RPC_OK);
}

/*
 * supervisor.getState: RUNNING (1), always, since a shutting or
 * restarting supervisor faults SHUTDOWN_STATE before it gets here.
 */
static int
rpc_get_state(struct rpc_call *call, const struct xr_value *params,
    struct xr_value **res)
{
	if (rpc_params(call, params, "") != 0)
		return (RPC_FAULT);
	*res = xr_struct();
	xr_struct_add(*res, "statecode", xr_int(1));
	xr_struct_add(*res, "statename", xr_string("RUNNING"));
	return (RPC_OK);
}

/* supervisor.getPID. */
static int
rpc_get_pid(struct rpc_call *call, const struct xr_value *params,
    struct xr_value **res)
{
	if (rpc_params(call, params, "") != 0)
		return (RPC_FAULT);
	*res = xr_int(getpid());
	return (RPC_OK);
}

/* supervisor.shutdown: True first, then everything stops. */
static int
rpc_shutdown(struct rpc_call *call, const struct xr_value *params,
    struct xr_value **res)
{
	if (rpc_params(call, params, "") != 0)
		return (RPC_FAULT);
	sup_leave(call->sup, SUP_LEAVE_SHUTDOWN);
	*res = xr_bool(1);
	return (RPC_OK);
}

/*
 * supervisor.restart: True first; then every process stops, the config
 * is read again and the autostart ones start, in the same process.
 */
static int
rpc_restart(struct rpc_call *call, const struct xr_value *params,
    struct xr_value **res)
{
	if (rpc_params(call, params, "") != 0)
		return (RPC_FAULT);
	sup_leave(call->sup, SUP_LEAVE_RESTART);
	*res = xr_bool(1);
	return (RPC_OK);
}

/* A log file's path, or "" for none. */
static const char *
rpc_logfile(const struct svclog *l)
{
	return (l != NULL && l->path != NULL ? l->path : "");
}

/* The process info struct of getProcessInfo, in supervisord's order. */
static struct xr_value *
rpc_info(const struct svc *s, time_t now)
{
	struct xr_value	*v = xr_struct();
	time_t		 start = svc_start_time(s), stop = svc_stop_time(s);
	char		 desc[512];
	int		 es = 0;

	if (s->has_status && !svc_is_failed(s))
		es = WIFEXITED(s->status) ? WEXITSTATUS(s->status) : -1;
	svc_describe_sd(s, start, stop, now, desc, sizeof desc);
	xr_struct_add(v, "name", xr_string(s->cfg->name));
	xr_struct_add(v, "group", xr_string(s->cfg->group));
	xr_struct_add(v, "start", xr_int(start));
	xr_struct_add(v, "stop", xr_int(stop));
	xr_struct_add(v, "now", xr_int(now));
	xr_struct_add(v, "state", xr_int(rpc_states[s->state].code));
	xr_struct_add(v, "statename", xr_string(rpc_states[s->state].name));
	xr_struct_add(v, "spawnerr", xr_string(rpc_spawnerr(s)));
	xr_struct_add(v, "exitstatus", xr_int(es));
	xr_struct_add(v, "logfile", xr_string(rpc_logfile(s->out)));
	xr_struct_add(v, "stdout_logfile", xr_string(rpc_logfile(s->out)));
	xr_struct_add(v, "stderr_logfile", xr_string(rpc_logfile(s->err)));
	xr_struct_add(v, "pid", xr_int(s->pid));
	xr_struct_add(v, "description", xr_string(desc));
	return (v);
}

/* supervisor.getProcessInfo(name): one process; a group is BAD_NAME. */
static int
rpc_process_info(struct rpc_call *call, const struct xr_value *params,
    struct xr_value **res)
{
	struct svc	*s;
	const char	*name;
	int		 group;

	if (rpc_params(call, params, "s") != 0)
		return (RPC_FAULT);
	name = params->v[0]->s;
	if ((s = rpc_lookup(call, name, &group)) == NULL)
		return (RPC_FAULT);
	if (group)
		return (rpc_fault(call, RPC_BAD_NAME, "%s", name));
	*res = rpc_info(s, time(NULL));
	return (RPC_OK);
}

/* supervisor.getAllProcessInfo: every process, by group and name. */
static int
rpc_all_info(struct rpc_call *call, const struct xr_value *params,
    struct xr_value **res)
{
	time_t	now = time(NULL);
	size_t	i;

	if (rpc_params(call, params, "") != 0)
		return (RPC_FAULT);
	rpc_collect(call, NULL, 1);
	*res = xr_array();
	for (i = 0; i < call->ntargets; i++)
		xr_array_add(*res, rpc_info(call->targets[i], now));
	free(call->targets);
	call->targets = NULL;
	call->ntargets = call->targetcap = 0;
	return (RPC_OK);
}

const struct rpc_method rpc_sup_methods[] = {
	{ "supervisor.getAPIVersion", rpc_api_version, "string",
	  "The version of this XML-RPC interface, the one supervisorctl "
	  "checks for\n"
	  "@return string version \"3.0\"" },
	{ "supervisor.getVersion", rpc_api_version, "string",
	  "The old name of getAPIVersion\n"
	  "@return string version \"3.0\"" },
	{ "supervisor.getSupervisorVersion", rpc_sup_version, "string",
	  "The version of warden, which serves this interface\n"
	  "@return string version warden's version" },
	{ "supervisor.getIdentification", rpc_identification, "string",
	  "The identifier= of [supervisord]\n"
	  "@return string identifier The supervisor's name" },
	{ "supervisor.getState", rpc_get_state, "struct",
	  "The supervisor's state\n"
	  "@return struct state statecode (int) and statename (string)" },
	{ "supervisor.getPID", rpc_get_pid, "int",
	  "The supervisor's process id\n"
	  "@return int pid Its pid" },
	{ "supervisor.shutdown", rpc_shutdown, "boolean",
	  "Stop every process, then the supervisor\n"
	  "@return boolean result True, sent before anything stops" },
	{ "supervisor.restart", rpc_restart, "boolean",
	  "Stop every process, read the config again and start the "
	  "autostart ones, in the same supervisor\n"
	  "@return boolean result True, sent before anything stops" },
	{ "supervisor.getProcessInfo", rpc_process_info, "struct,string",
	  "One process's state\n"
	  "@param string name NAME or GROUP:NAME\n"
	  "@return struct info name, group, start, stop, now, state, "
	  "statename, spawnerr, exitstatus, logfile, stdout_logfile, "
	  "stderr_logfile, pid, description" },
	{ "supervisor.getAllProcessInfo", rpc_all_info, "array",
	  "Every process's state, by group and name\n"
	  "@return array infos One getProcessInfo struct each" },
	{ NULL, NULL, NULL, NULL }
};
