/*
 * supervisord's supervisor.* methods for the supervisor and its
 * processes, as rpcinterface.py has them: versions, state, shutdown and
 * restart, process info, start, stop and signal of one process, a group
 * or all.  Services are driven through svc_event() only; a wait is a
 * poll on their state, asked on every change.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "rpc-internal.h"

/* What a call does to each process, as make_allfunc is given it. */
enum rpc_op { OP_START, OP_STOP, OP_SIGNAL };

/* A group or all: the results so far, the op and its argument. */
struct rpc_all {
	enum rpc_op	 op;
	int		 wait;
	struct xr_value	*results;
};

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

/* GROUP:NAME, or NAME when they are the same (make_namespec). */
static char *
rpc_namespec(const struct svc *s)
{
	char	*name;

	if (strcmp(s->cfg->group, s->cfg->name) == 0)
		return (xstrdup(s->cfg->name));
	xasprintf(&name, "%s:%s", s->cfg->group, s->cfg->name);
	return (name);
}

/* RUNNING_STATES: RUNNING, BACKOFF, STARTING. */
static int
rpc_is_running(const struct svc *s)
{
	return (s->state == SVC_RUNNING || s->state == SVC_BACKOFF ||
	    s->state == SVC_STARTING);
}

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
static size_t
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

/* A variable of env (NAME=VALUE, NULL-ended), or NULL. */
static const char *
rpc_env(char **env, const char *name)
{
	size_t	len = strlen(name);

	for (; env != NULL && *env != NULL; env++)
		if (strncmp(*env, name, len) == 0 && (*env)[len] == '=')
			return (*env + len + 1);
	return (NULL);
}

/*
 * The command's file, checked before a start as supervisord's
 * get_execv_args does: found (NO_FILE), a file with an x bit that we
 * may run (NOT_EXECUTABLE).  Returns 0 or RPC_FAULT.
 */
static int
rpc_exec_check(struct rpc_call *call, const struct svc *s)
{
	const char	*prog = s->cfg->argv != NULL ? s->cfg->argv[0] : NULL;
	const char	*path, *p, *e;
	char		 file[4096];
	struct stat	 st;
	int		 found = 0;

	if (prog == NULL || *prog == '\0')
		return (rpc_fault(call, RPC_NOT_EXECUTABLE,
		    "command is empty"));
	snprintf(file, sizeof file, "%s", prog);
	if (strchr(prog, '/') != NULL)
		found = stat(file, &st) == 0;
	else {
		if ((path = rpc_env(s->cfg->env, "PATH")) == NULL &&
		    (path = rpc_env(call->sup->cfg->env, "PATH")) == NULL &&
		    ((path = getenv("PATH")) == NULL || *path == '\0'))
			path = "/bin:/usr/bin:/usr/local/bin";
		for (p = path; !found; p = e + 1) {
			e = p + strcspn(p, ":");
			snprintf(file, sizeof file, "%.*s/%s", (int)(e - p), p,
			    prog);
			found = stat(file, &st) == 0;
			if (*e == '\0')
				break;
		}
		if (!found)
			snprintf(file, sizeof file, "%s", prog);
	}
	if (!found)
		return (rpc_fault(call, RPC_NO_FILE, "can't find command '%s'",
		    file));
	if (S_ISDIR(st.st_mode))
		return (rpc_fault(call, RPC_NOT_EXECUTABLE,
		    "command at '%s' is a directory", file));
	if ((st.st_mode & 0111) == 0)
		return (rpc_fault(call, RPC_NOT_EXECUTABLE,
		    "command at '%s' is not executable", file));
	if (access(file, X_OK) == -1)
		return (rpc_fault(call, RPC_NOT_EXECUTABLE,
		    "no permission to run command '%s'", file));
	return (0);
}

/*
 * Has a start of s that is waited for ended?  RPC_OK once RUNNING;
 * SPAWN_ERROR once it failed (supervisord's spawnerr, an exit too
 * quick included); ABNORMAL_TERMINATION in any other state but STARTING.
 */
static int
rpc_start_check(struct rpc_call *call, const struct svc *s,
    const char *name)
{
	if (svc_is_failed(s) && s->desc != NULL)
		return (rpc_fault(call, RPC_SPAWN_ERROR, "%s", name));
	if (s->state == SVC_RUNNING)
		return (RPC_OK);
	if (s->state != SVC_STARTING)
		return (rpc_fault(call, RPC_ABNORMAL_TERMINATION, "%s", name));
	return (RPC_WAIT);
}

/*
 * Start s, called name, as startProcess does.  RPC_OK, RPC_FAULT, or
 * RPC_WAIT when wait asks for RUNNING and it is not yet.
 */
static int
rpc_start_one(struct rpc_call *call, struct svc *s, const char *name,
    int wait)
{
	if (rpc_exec_check(call, s) != 0)
		return (RPC_FAULT);
	if (rpc_is_running(s))
		return (rpc_fault(call, RPC_ALREADY_STARTED, "%s", name));
	/* STOPPING still has its process: supervisord's spawn does nothing. */
	if (s->state != SVC_STOPPING) {
		svc_event(s, EV_START);
		if (svc_is_failed(s))		/* the fork itself failed */
			return (rpc_fault(call, RPC_SPAWN_ERROR, "%s", name));
	}
	if (!wait || s->state == SVC_RUNNING)
		return (RPC_OK);
	return (RPC_WAIT);
}

/* Stop s, called name, as stopProcess does. */
static int
rpc_stop_one(struct rpc_call *call, struct svc *s, const char *name,
    int wait)
{
	if (!rpc_is_running(s))
		return (rpc_fault(call, RPC_NOT_RUNNING, "%s", name));
	svc_event(s, EV_STOP);
	if (!wait || svc_is_idle(s))
		return (RPC_OK);
	return (RPC_WAIT);
}

/*
 * A signal as supervisord's signal_number takes it: a number, or a name
 * with or without SIG, in any case.  Returns it, or -1.
 */
static int
rpc_signal_number(const struct xr_value *v)
{
	char	name[32];
	size_t	i;

	if (v->type == XR_INT)
		return (v->i > 0 && v->i < 65 ? (int)v->i : -1);
	if (v->type != XR_STRING || v->len == 0 || v->len >= sizeof name)
		return (-1);
	for (i = 0; i <= v->len; i++)
		name[i] = (char)toupper((unsigned char)v->s[i]);
	return (wd_sig_number(name));
}

/* The signal sigv names, or -1 with BAD_SIGNAL. */
static int
rpc_signal_param(struct rpc_call *call, const struct xr_value *sigv)
{
	int	sig;

	if ((sig = rpc_signal_number(sigv)) != -1)
		return (sig);
	if (sigv->type == XR_STRING)
		rpc_fault(call, RPC_BAD_SIGNAL, "%s", sigv->s);
	else
		rpc_fault(call, RPC_BAD_SIGNAL, "%lld", (long long)sigv->i);
	return (-1);
}

/* Signal s, called name, with sigv, as signalProcess does. */
static int
rpc_signal_one(struct rpc_call *call, struct svc *s, const char *name,
    const struct xr_value *sigv)
{
	int	sig;

	if ((sig = rpc_signal_param(call, sigv)) == -1)
		return (RPC_FAULT);
	if (!svc_is_up(s))
		return (rpc_fault(call, RPC_NOT_RUNNING, "%s", name));
	if (svc_signal(s, sig, 0) == -1)
		return (rpc_fault(call, RPC_FAILED, "unable to signal %s "
		    "(pid %ld): %s", s->cfg->name, (long)s->pid,
		    strerror(errno)));
	return (RPC_OK);
}

/* One process's poll: startProcess's or stopProcess's wait, by name. */
static int
rpc_one_poll(struct rpc_call *call, struct xr_value **res)
{
	struct svc	*s = call->targets[0];
	struct rpc_all	*all = call->data;
	const char	*name = (const char *)(all + 1);
	int		 rv;

	if (s == NULL)				/* removed by a reload */
		return (rpc_fault(call, RPC_BAD_NAME, "%s", name));
	if (all->op == OP_START)
		rv = rpc_start_check(call, s, name);
	else
		rv = svc_is_idle(s) ? RPC_OK : RPC_WAIT;
	if (rv == RPC_OK)
		*res = xr_bool(1);
	return (rv);
}

/* A call's data: free it. */
static void
rpc_all_free(struct rpc_call *call)
{
	struct rpc_all	*all = call->data;

	xr_free(all->results);
	free(all);
}

/* The data of a group's or one process's call, with name after it. */
static struct rpc_all *
rpc_all_new(struct rpc_call *call, enum rpc_op op, int wait,
    const char *name)
{
	struct rpc_all	*all;
	size_t		 len = name != NULL ? strlen(name) + 1 : 1;

	all = xcalloc(1, sizeof *all + len);
	all->op = op;
	all->wait = wait;
	if (name != NULL)
		memcpy(all + 1, name, len);
	call->data = all;
	call->cleanup = rpc_all_free;
	return (all);
}

/* One result of a group's call: {name, group, status, description}. */
static void
rpc_all_add(struct rpc_call *call, const struct svc *s, int rv)
{
	struct rpc_all	*all = call->data;
	struct xr_value	*v = xr_struct();

	xr_struct_add(v, "name", xr_string(s->cfg->name));
	xr_struct_add(v, "group", xr_string(s->cfg->group));
	if (rv == RPC_OK) {
		xr_struct_add(v, "status", xr_int(RPC_SUCCESS));
		xr_struct_add(v, "description", xr_string("OK"));
	} else {
		xr_struct_add(v, "status", xr_int(call->fault));
		xr_struct_add(v, "description", xr_string(call->faultstr));
		free(call->faultstr);
		call->faultstr = NULL;
		call->fault = 0;
	}
	xr_array_add(all->results, v);
}

/* make_allfunc's later calls: each waiting process asked, in order. */
static int
rpc_all_poll(struct rpc_call *call, struct xr_value **res)
{
	struct rpc_all	*all = call->data;
	struct svc	*s;
	char		*name;
	size_t		 i;
	int		 rv, pending = 0;

	for (i = 0; i < call->ntargets; i++) {
		if ((s = call->targets[i]) == NULL)
			continue;
		if (all->op == OP_START) {
			name = rpc_namespec(s);
			rv = rpc_start_check(call, s, name);
			free(name);
		} else
			rv = svc_is_idle(s) ? RPC_OK : RPC_WAIT;
		if (rv == RPC_WAIT) {
			pending = 1;
			continue;
		}
		rpc_all_add(call, s, rv);
		call->targets[i] = NULL;
	}
	if (pending)
		return (RPC_WAIT);
	*res = all->results;
	all->results = NULL;
	return (RPC_OK);
}

/*
 * make_allfunc: op on each of call->targets that predicate takes, in
 * order; results for those done at once, the rest waited for.
 */
static int
rpc_all_run(struct rpc_call *call, enum rpc_op op, int wait,
    const struct xr_value *sigv)
{
	struct rpc_all	*all = rpc_all_new(call, op, wait, NULL);
	struct svc	*s;
	char		*name;
	size_t		 i;
	int		 rv, take;

	all->results = xr_array();
	for (i = 0; i < call->ntargets; i++) {
		s = call->targets[i];
		if (op == OP_START)
			take = !rpc_is_running(s);
		else if (op == OP_STOP)
			take = rpc_is_running(s);
		else
			take = svc_is_up(s);
		if (!take) {
			call->targets[i] = NULL;
			continue;
		}
		name = rpc_namespec(s);
		if (op == OP_START)
			rv = rpc_start_one(call, s, name, wait);
		else if (op == OP_STOP)
			rv = rpc_stop_one(call, s, name, wait);
		else
			rv = rpc_signal_one(call, s, name, sigv);
		free(name);
		if (rv == RPC_WAIT)
			continue;
		rpc_all_add(call, s, rv);
		call->targets[i] = NULL;
	}
	call->poll = rpc_all_poll;
	return (RPC_WAIT);
}

/* A group by its name (process_groups.get), into call->targets. */
static int
rpc_group(struct rpc_call *call, const char *name)
{
	if (rpc_collect(call, name, 0) == 0)
		return (rpc_fault(call, RPC_BAD_NAME, "%s", name));
	return (0);
}

/* The group part of a name: "g" of "g:*", "g:" or "g:x". */
static char *
rpc_group_name(const char *name)
{
	char	*g;

	xasprintf(&g, "%.*s", (int)strcspn(name, ":"), name);
	return (g);
}

/*
 * startProcess and stopProcess: name is a process, or a group (then it
 * is start- or stopProcessGroup).
 */
static int
rpc_one(struct rpc_call *call, const struct xr_value *params, enum rpc_op op)
{
	struct svc	*s;
	const char	*name;
	char		*gname;
	int		 group, wait, rv;

	if (rpc_params(call, params, "s|.") != 0)
		return (RPC_FAULT);
	name = params->v[0]->s;
	wait = rpc_truth(params, 1, 1);
	if ((s = rpc_lookup(call, name, &group)) == NULL)
		return (RPC_FAULT);
	if (group) {
		gname = rpc_group_name(name);
		rv = rpc_group(call, gname);
		free(gname);
		if (rv != 0)
			return (rv);
		return (rpc_all_run(call, op, wait, NULL));
	}
	rpc_all_new(call, op, wait, name);
	rpc_target_add(call, s);
	call->poll = rpc_one_poll;
	if (op == OP_START)
		return (rpc_start_one(call, s, name, wait));
	return (rpc_stop_one(call, s, name, wait));
}

/* Wrap a result of RPC_OK from a method that gives True. */
static int
rpc_true(int rv, struct xr_value **res)
{
	if (rv == RPC_OK)
		*res = xr_bool(1);
	return (rv);
}

/* supervisor.startProcess(name, wait=True). */
static int
rpc_start_process(struct rpc_call *call, const struct xr_value *params,
    struct xr_value **res)
{
	return (rpc_true(rpc_one(call, params, OP_START), res));
}

/* supervisor.stopProcess(name, wait=True). */
static int
rpc_stop_process(struct rpc_call *call, const struct xr_value *params,
    struct xr_value **res)
{
	return (rpc_true(rpc_one(call, params, OP_STOP), res));
}

/* start- and stopProcessGroup(name, wait=True). */
static int
rpc_group_op(struct rpc_call *call, const struct xr_value *params,
    enum rpc_op op)
{
	if (rpc_params(call, params, "s|.") != 0 ||
	    rpc_group(call, params->v[0]->s) != 0)
		return (RPC_FAULT);
	return (rpc_all_run(call, op, rpc_truth(params, 1, 1), NULL));
}

/* supervisor.startProcessGroup(name, wait=True). */
static int
rpc_start_group(struct rpc_call *call, const struct xr_value *params,
    struct xr_value **res)
{
	(void)res;
	return (rpc_group_op(call, params, OP_START));
}

/* supervisor.stopProcessGroup(name, wait=True). */
static int
rpc_stop_group(struct rpc_call *call, const struct xr_value *params,
    struct xr_value **res)
{
	(void)res;
	return (rpc_group_op(call, params, OP_STOP));
}

/* start- and stopAllProcesses(wait=True), in priority order. */
static int
rpc_all_op(struct rpc_call *call, const struct xr_value *params,
    enum rpc_op op)
{
	if (rpc_params(call, params, "|.") != 0)
		return (RPC_FAULT);
	rpc_collect(call, NULL, 0);
	return (rpc_all_run(call, op, rpc_truth(params, 0, 1), NULL));
}

/* supervisor.startAllProcesses(wait=True). */
static int
rpc_start_all(struct rpc_call *call, const struct xr_value *params,
    struct xr_value **res)
{
	(void)res;
	return (rpc_all_op(call, params, OP_START));
}

/* supervisor.stopAllProcesses(wait=True). */
static int
rpc_stop_all(struct rpc_call *call, const struct xr_value *params,
    struct xr_value **res)
{
	(void)res;
	return (rpc_all_op(call, params, OP_STOP));
}

/* supervisor.signalProcess(name, signal); a group: signalProcessGroup. */
static int
rpc_signal_process(struct rpc_call *call, const struct xr_value *params,
    struct xr_value **res)
{
	struct svc	*s;
	const char	*name;
	char		*gname;
	int		 group, rv;

	if (rpc_params(call, params, "s.") != 0)
		return (RPC_FAULT);
	name = params->v[0]->s;
	if ((s = rpc_lookup(call, name, &group)) == NULL)
		return (RPC_FAULT);
	if (group) {
		gname = rpc_group_name(name);
		rv = rpc_group(call, gname);
		free(gname);
		if (rv != 0)
			return (RPC_FAULT);
		return (rpc_all_run(call, OP_SIGNAL, 0, params->v[1]));
	}
	return (rpc_true(rpc_signal_one(call, s, name, params->v[1]), res));
}

/* supervisor.signalProcessGroup(name, signal). */
static int
rpc_signal_group(struct rpc_call *call, const struct xr_value *params,
    struct xr_value **res)
{
	(void)res;
	if (rpc_params(call, params, "s.") != 0 ||
	    rpc_group(call, params->v[0]->s) != 0)
		return (RPC_FAULT);
	return (rpc_all_run(call, OP_SIGNAL, 0, params->v[1]));
}

/* supervisor.signalAllProcesses(signal). */
static int
rpc_signal_all(struct rpc_call *call, const struct xr_value *params,
    struct xr_value **res)
{
	(void)res;
	if (rpc_params(call, params, ".") != 0)
		return (RPC_FAULT);
	rpc_collect(call, NULL, 0);
	return (rpc_all_run(call, OP_SIGNAL, 0, params->v[0]));
}

const struct rpc_method rpc_proc_methods[] = {
	{ "supervisor.getAPIVersion", rpc_api_version, "string",
	  "Return the version of the RPC API used by supervisord\n"
	  "@return string version id" },
	{ "supervisor.getVersion", rpc_api_version, "string",
	  "Return the version of the RPC API used by supervisord\n"
	  "@return string version id" },
	{ "supervisor.getSupervisorVersion", rpc_sup_version, "string",
	  "Return the version of warden, which serves this interface\n"
	  "@return string version id" },
	{ "supervisor.getIdentification", rpc_identification, "string",
	  "Return identifying string of supervisord\n"
	  "@return string identifier identifying string" },
	{ "supervisor.getState", rpc_get_state, "struct",
	  "Return current state of supervisord as a struct\n"
	  "@return struct A struct with keys int statecode, string statename" },
	{ "supervisor.getPID", rpc_get_pid, "int",
	  "Return the PID of supervisord\n"
	  "@return int PID" },
	{ "supervisor.shutdown", rpc_shutdown, "boolean",
	  "Shut down the supervisor process\n"
	  "@return boolean result always returns True unless error" },
	{ "supervisor.restart", rpc_restart, "boolean",
	  "Restart the supervisor process\n"
	  "@return boolean result  always return True unless error" },
	{ "supervisor.getProcessInfo", rpc_process_info, "struct,string",
	  "Get info about a process named name\n"
	  "@param string name The name of the process (or 'group:name')\n"
	  "@return struct result     A structure containing data about the "
	  "process" },
	{ "supervisor.getAllProcessInfo", rpc_all_info, "array",
	  "Get info about all processes\n"
	  "@return array result  An array of process status results" },
	{ "supervisor.startProcess", rpc_start_process,
	  "boolean,string,boolean",
	  "Start a process\n"
	  "@param string name Process name (or ``group:name``, or "
	  "``group:*``)\n"
	  "@param boolean wait Wait for process to be fully started\n"
	  "@return boolean result     Always true unless error" },
	{ "supervisor.startProcessGroup", rpc_start_group,
	  "array,string,boolean",
	  "Start all processes in the group named 'name'\n"
	  "@param string name     The group name\n"
	  "@param boolean wait    Wait for each process to be fully started\n"
	  "@return array result   An array of process status info structs" },
	{ "supervisor.startAllProcesses", rpc_start_all, "array,boolean",
	  "Start all processes listed in the configuration file\n"
	  "@param boolean wait    Wait for each process to be fully started\n"
	  "@return array result   An array of process status info structs" },
	{ "supervisor.stopProcess", rpc_stop_process, "boolean,string,boolean",
	  "Stop a process named by name\n"
	  "@param string name  The name of the process to stop (or "
	  "'group:name')\n"
	  "@param boolean wait        Wait for the process to be fully "
	  "stopped\n"
	  "@return boolean result     Always return True unless error" },
	{ "supervisor.stopProcessGroup", rpc_stop_group,
	  "array,string,boolean",
	  "Stop all processes in the process group named 'name'\n"
	  "@param string name     The group name\n"
	  "@param boolean wait    Wait for each process to be fully stopped\n"
	  "@return array result   An array of process status info structs" },
	{ "supervisor.stopAllProcesses", rpc_stop_all, "array,boolean",
	  "Stop all processes in the process list\n"
	  "@param  boolean wait   Wait for each process to be fully stopped\n"
	  "@return array result   An array of process status info structs" },
	{ "supervisor.signalProcess", rpc_signal_process,
	  "boolean,string,string",
	  "Send an arbitrary UNIX signal to the process named by name\n"
	  "@param string name    Name of the process to signal (or "
	  "'group:name')\n"
	  "@param string signal  Signal to send, as name ('HUP') or number "
	  "('1')\n"
	  "@return boolean" },
	{ "supervisor.signalProcessGroup", rpc_signal_group,
	  "array,string,string",
	  "Send a signal to all processes in the group named 'name'\n"
	  "@param string name    The group name\n"
	  "@param string signal  Signal to send, as name ('HUP') or number "
	  "('1')\n"
	  "@return array" },
	{ "supervisor.signalAllProcesses", rpc_signal_all, "array,string",
	  "Send a signal to all processes in the process list\n"
	  "@param string signal  Signal to send, as name ('HUP') or number "
	  "('1')\n"
	  "@return array         An array of process status info structs" },
	{ NULL, NULL, NULL, NULL }
};
