/*
 * supervisord's supervisor.* methods that drive processes, as
 * rpcinterface.py has them: start, stop and signal of one process, a
 * group or all (rpc-sup.c has the supervisor's own and process info).  Services are driven through svc_event() only; a wait is a
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
	/* A spawn put off while a dead instance's rest is swept. */
	if (s->sweeps > 0 && s->timer != NULL && !svc_is_up(s))
		return (RPC_WAIT);
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
	{ "supervisor.startProcess", rpc_start_process,
	  "boolean,string,boolean",
	  "Start one process, or a group with GROUP:*\n"
	  "@param string name NAME, GROUP:NAME or GROUP:*\n"
	  "@param boolean wait Answer once it is RUNNING (default true)\n"
	  "@return boolean result True, or a fault" },
	{ "supervisor.startProcessGroup", rpc_start_group,
	  "array,string,boolean",
	  "Start the processes of a group that are not running\n"
	  "@param string name The group\n"
	  "@param boolean wait Answer once each is RUNNING (default "
	  "true)\n"
	  "@return array results name, group, status and description for "
	  "each" },
	{ "supervisor.startAllProcesses", rpc_start_all, "array,boolean",
	  "Start every process that is not running, by priority\n"
	  "@param boolean wait Answer once each is RUNNING (default "
	  "true)\n"
	  "@return array results name, group, status and description for "
	  "each" },
	{ "supervisor.stopProcess", rpc_stop_process,
	  "boolean,string,boolean",
	  "Stop one process, or a group with GROUP:*\n"
	  "@param string name NAME, GROUP:NAME or GROUP:*\n"
	  "@param boolean wait Answer once it has stopped (default "
	  "true)\n"
	  "@return boolean result True, or a fault" },
	{ "supervisor.stopProcessGroup", rpc_stop_group,
	  "array,string,boolean",
	  "Stop the running processes of a group\n"
	  "@param string name The group\n"
	  "@param boolean wait Answer once each has stopped (default "
	  "true)\n"
	  "@return array results name, group, status and description for "
	  "each" },
	{ "supervisor.stopAllProcesses", rpc_stop_all, "array,boolean",
	  "Stop every running process\n"
	  "@param boolean wait Answer once each has stopped (default "
	  "true)\n"
	  "@return array results name, group, status and description for "
	  "each" },
	{ "supervisor.signalProcess", rpc_signal_process,
	  "boolean,string,string",
	  "Send a signal to one process, or a group with GROUP:*\n"
	  "@param string name NAME, GROUP:NAME or GROUP:*\n"
	  "@param string signal A name (HUP, SIGHUP) or a number\n"
	  "@return boolean result True, or a fault" },
	{ "supervisor.signalProcessGroup", rpc_signal_group,
	  "array,string,string",
	  "Send a signal to the processes of a group that have one\n"
	  "@param string name The group\n"
	  "@param string signal A name (HUP, SIGHUP) or a number\n"
	  "@return array results name, group, status and description for "
	  "each" },
	{ "supervisor.signalAllProcesses", rpc_signal_all, "array,string",
	  "Send a signal to every process that has one\n"
	  "@param string signal A name (HUP, SIGHUP) or a number\n"
	  "@return array results name, group, status and description for "
	  "each" },
	{ NULL, NULL, NULL, NULL }
};
