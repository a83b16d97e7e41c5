/*
 * supervisord's config methods: getAllConfigInfo (what supervisorctl
 * avail shows), reloadConfig (the config read again and kept pending,
 * its difference by group) and addProcessGroup/removeProcessGroup, which
 * apply it one group at a time (reload.c does the work).  Before any
 * reloadConfig, the running services stand for the config warden was
 * started with; the first removeProcessGroup or addProcessGroup reads
 * the file, so that a group removed can be added back.
 */
#include <pwd.h>
#include <stdlib.h>
#include <string.h>

#include "sup.h"
#include "rpc-internal.h"

/* One row of getAllConfigInfo: a definition, and its service if in use. */
struct rpc_confrow {
	const struct cfg_proc	*p;
	struct svc		*s;
	int			 inuse;
	size_t			 order;
};

/*
 * supervisord's _update: every method but a few refuses once the
 * supervisor is shutting down.  0, or RPC_FAULT.
 */
int
rpc_update(struct rpc_call *call)
{
	if (call->sup->shutting_down)
		return (rpc_fault(call, RPC_SHUTDOWN_STATE, NULL));
	return (0);
}

/* A log's name as supervisord gives it: the path, "auto" or "none". */
static struct xr_value *
rpc_conf_logname(const struct cfg_log *c, struct svclog *l)
{
	if (l != NULL && l->path != NULL)
		return (xr_string(l->path));
	switch (c->kind) {
	case CFG_LOG_PATH:
		return (xr_string(c->path));
	case CFG_LOG_AUTO:
		return (xr_string("auto"));
	}
	return (xr_string("none"));
}

/* user= as supervisord keeps it: the uid, or "none". */
static struct xr_value *
rpc_conf_uid(const char *user)
{
	struct passwd	*pw;
	char		*end;
	long		 n;

	if (user == NULL)
		return (xr_string("none"));
	if ((pw = getpwnam(user)) != NULL)
		return (xr_int((int64_t)pw->pw_uid));
	n = strtol(user, &end, 10);
	if (*user != '\0' && *end == '\0' && n >= 0)
		return (xr_int(n));
	return (xr_string("none"));
}

/* A word as shlex reads it back: bare when safe, else single-quoted. */
static void
rpc_conf_word(struct buf *b, const char *w)
{
	const char	*p;

	if (*w != '\0' && strspn(w, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789@%+=:,./_-") == strlen(w)) {
		buf_adds(b, w);
		return;
	}
	buf_adds(b, "'");
	for (p = w; *p != '\0'; p++) {
		if (*p == '\'')
			buf_adds(b, "'\"'\"'");
		else
			buf_addc(b, *p);
	}
	buf_adds(b, "'");
}

/*
 * command= again, from its words (the line itself is not kept): what
 * shlex splits into the same words.
 */
static struct xr_value *
rpc_conf_command(char **argv)
{
	struct xr_value	*v;
	struct buf	 b;
	size_t		 i;

	memset(&b, 0, sizeof b);
	for (i = 0; argv != NULL && argv[i] != NULL; i++) {
		if (i > 0)
			buf_adds(&b, " ");
		rpc_conf_word(&b, argv[i]);
	}
	v = xr_stringn(b.len > 0 ? b.data : "", b.len);
	buf_free(&b);
	return (v);
}

/* The group's priority, as the first of its processes says. */
static int
rpc_conf_group_prio(struct rpc_call *call, const struct cfg_proc *p)
{
	struct config	*cf = call->sup->pending;
	struct cfg_proc	*q;
	struct svc	*s;

	if (cf != NULL) {
		TAILQ_FOREACH(q, &cf->procs, entry)
			if (strcmp(q->group, p->group) == 0)
				return (q->priority);
	}
	TAILQ_FOREACH(s, &call->sup->svcs, entry)
		if (!s->removed && strcmp(s->cfg->group, p->group) == 0)
			return (s->cfg->priority);
	return (p->priority);
}

/* One process's config struct, its members in supervisord's order. */
static struct xr_value *
rpc_conf_info(struct rpc_call *call, const struct rpc_confrow *r)
{
	const struct cfg_proc	*p = r->p;
	struct xr_value		*v, *codes;
	struct svclog		*out = NULL, *err = NULL;
	int			 i;

	if (r->s != NULL) {
		out = r->s->out;
		err = r->s->err;
	}
	codes = xr_array();
	for (i = 0; i < 256; i++)
		if (cfg_exitcode_expected(p, i))
			xr_array_add(codes, xr_int(i));
	v = xr_struct();
	xr_struct_add(v, "autostart", xr_bool(p->autostart));
	xr_struct_add(v, "directory", xr_string(p->directory != NULL ?
	    p->directory : "none"));
	xr_struct_add(v, "uid", rpc_conf_uid(p->user));
	xr_struct_add(v, "command", rpc_conf_command(p->argv));
	xr_struct_add(v, "exitcodes", codes);
	xr_struct_add(v, "group", xr_string(p->group));
	xr_struct_add(v, "group_prio", xr_int(rpc_conf_group_prio(call, p)));
	xr_struct_add(v, "inuse", xr_bool(r->inuse));
	xr_struct_add(v, "killasgroup", xr_bool(p->killasgroup));
	xr_struct_add(v, "name", xr_string(p->name));
	xr_struct_add(v, "process_prio", xr_int(p->priority));
	xr_struct_add(v, "redirect_stderr", xr_bool(p->redirect_stderr));
	xr_struct_add(v, "startretries", xr_int(p->startretries));
	xr_struct_add(v, "startsecs", xr_int((int64_t)p->startsecs));
	xr_struct_add(v, "stdout_capture_maxbytes",
	    xr_int((int64_t)p->out.capture));
	xr_struct_add(v, "stdout_events_enabled", xr_bool(p->out.events));
	xr_struct_add(v, "stdout_logfile", rpc_conf_logname(&p->out, out));
	xr_struct_add(v, "stdout_logfile_backups", xr_int(p->out.backups));
	xr_struct_add(v, "stdout_logfile_maxbytes",
	    xr_int((int64_t)p->out.maxbytes));
	xr_struct_add(v, "stdout_syslog", xr_bool(p->out.syslog));
	xr_struct_add(v, "stopsignal", xr_int(p->stopsignal));
	xr_struct_add(v, "stopwaitsecs", xr_int((int64_t)p->stopwaitsecs));
	xr_struct_add(v, "stderr_capture_maxbytes",
	    xr_int((int64_t)p->err.capture));
	xr_struct_add(v, "stderr_events_enabled", xr_bool(p->err.events));
	xr_struct_add(v, "stderr_logfile", rpc_conf_logname(&p->err, err));
	xr_struct_add(v, "stderr_logfile_backups", xr_int(p->err.backups));
	xr_struct_add(v, "stderr_logfile_maxbytes",
	    xr_int((int64_t)p->err.maxbytes));
	xr_struct_add(v, "stderr_syslog", xr_bool(p->err.syslog));
	xr_struct_add(v, "serverurl", xr_string("none"));
	return (v);
}

/* By name; rows of one name stay in their order (Python's sort). */
static int
rpc_confrow_cmp(const void *a, const void *b)
{
	const struct rpc_confrow	*ra = a, *rb = b;
	int				 c;

	if ((c = strcmp(ra->p->name, rb->p->name)) != 0)
		return (c);
	return (ra->order < rb->order ? -1 : ra->order > rb->order);
}

/* The running service GROUP:NAME, or NULL. */
static struct svc *
rpc_conf_svc(struct sup *sup, const struct cfg_proc *p)
{
	struct svc	*s;

	TAILQ_FOREACH(s, &sup->svcs, entry)
		if (!s->removed && strcmp(s->cfg->group, p->group) == 0 &&
		    strcmp(s->cfg->name, p->name) == 0)
			return (s);
	return (NULL);
}

/* supervisor.getAllConfigInfo: every process the config defines. */
static int
rpc_get_all_config_info(struct rpc_call *call, const struct xr_value *params,
    struct xr_value **res)
{
	struct sup		*sup = call->sup;
	struct rpc_confrow	*rows = NULL;
	struct cfg_proc		*p;
	struct svc		*s;
	size_t			 n = 0, i;

	if (rpc_params(call, params, "") != 0 || rpc_update(call) != 0)
		return (RPC_FAULT);
	if (sup->pending != NULL) {
		TAILQ_FOREACH(p, &sup->pending->procs, entry) {
			rows = xreallocarray(rows, n + 1, sizeof *rows);
			rows[n].p = p;
			rows[n].inuse = sup_group_count(sup, p->group) > 0;
			rows[n].s = rows[n].inuse ? rpc_conf_svc(sup, p) : NULL;
			rows[n].order = n;
			n++;
		}
	} else {
		TAILQ_FOREACH(s, &sup->svcs, entry) {
			if (s->removed)
				continue;
			rows = xreallocarray(rows, n + 1, sizeof *rows);
			rows[n].p = s->cfg;
			rows[n].s = s;
			rows[n].inuse = 1;
			rows[n].order = n;
			n++;
		}
	}
	if (n > 1)
		qsort(rows, n, sizeof *rows, rpc_confrow_cmp);
	*res = xr_array();
	for (i = 0; i < n; i++)
		xr_array_add(*res, rpc_conf_info(call, &rows[i]));
	free(rows);
	return (RPC_OK);
}

/* The names of a list of groups, as an array. */
static struct xr_value *
rpc_conf_names(const struct sup_diff_list *l)
{
	struct xr_value	*v = xr_array();
	size_t		 i;

	for (i = 0; i < l->n; i++)
		xr_array_add(v, xr_string(l->v[i].name));
	return (v);
}

/*
 * supervisor.reloadConfig: read the config again, keep it pending, and
 * tell [[added, changed, removed]] by group.
 */
static int
rpc_reload_config(struct rpc_call *call, const struct xr_value *params,
    struct xr_value **res)
{
	struct sup_diff	 d;
	struct xr_value	*v;
	char		*cause = NULL;
	int		 i;

	if (rpc_params(call, params, "") != 0 || rpc_update(call) != 0)
		return (RPC_FAULT);
	if (sup_reread(call->sup, &cause) == -1) {
		rpc_fault(call, RPC_CANT_REREAD, "%s", cause);
		free(cause);
		return (RPC_FAULT);
	}
	sup_diff(call->sup, call->sup->pending, &d);
	v = xr_array();
	for (i = 0; i < 3; i++)
		xr_array_add(v, rpc_conf_names(&d.list[i]));
	sup_diff_free(&d);
	*res = xr_array();
	xr_array_add(*res, v);
	return (RPC_OK);
}

/* The pending config, read now if there is none yet.  0, or RPC_FAULT. */
static int
rpc_conf_pending(struct rpc_call *call)
{
	char	*cause = NULL;

	if (call->sup->pending != NULL)
		return (0);
	if (sup_reread(call->sup, &cause) == 0)
		return (0);
	rpc_fault(call, RPC_CANT_REREAD, "%s", cause);
	free(cause);
	return (RPC_FAULT);
}

/* supervisor.addProcessGroup(name): a group of the pending config. */
static int
rpc_add_process_group(struct rpc_call *call, const struct xr_value *params,
    struct xr_value **res)
{
	const char	*name;

	if (rpc_params(call, params, "s") != 0 || rpc_update(call) != 0 ||
	    rpc_conf_pending(call) != 0)
		return (RPC_FAULT);
	name = params->v[0]->s;
	switch (sup_group_add(call->sup, call->sup->pending, name)) {
	case -1:
		return (rpc_fault(call, RPC_BAD_NAME, "%s", name));
	case 1:
		return (rpc_fault(call, RPC_ALREADY_ADDED, "%s", name));
	}
	*res = xr_bool(1);
	return (RPC_OK);
}

/* supervisor.removeProcessGroup(name): a group whose processes are down. */
static int
rpc_remove_process_group(struct rpc_call *call,
    const struct xr_value *params, struct xr_value **res)
{
	const char	*name;
	char		*cause = NULL;

	if (rpc_params(call, params, "s") != 0 || rpc_update(call) != 0)
		return (RPC_FAULT);
	name = params->v[0]->s;
	if (sup_group_count(call->sup, name) == 0)
		return (rpc_fault(call, RPC_BAD_NAME, "%s", name));
	/* What was removed can be added back: keep the config it is in. */
	if (call->sup->pending == NULL &&
	    sup_reread(call->sup, &cause) == -1) {
		log_warnx("removeProcessGroup: %s", cause);
		free(cause);
	}
	switch (sup_group_remove(call->sup, name)) {
	case -1:
		return (rpc_fault(call, RPC_BAD_NAME, "%s", name));
	case 1:
		return (rpc_fault(call, RPC_STILL_RUNNING, "%s", name));
	}
	*res = xr_bool(1);
	return (RPC_OK);
}

const struct rpc_method rpc_conf_methods[] = {
	{ "supervisor.getAllConfigInfo", rpc_get_all_config_info, "array",
	    "Get info about all available process configurations.  Each "
	    "struct represents a single process (groups are flattened).\n\n"
	    "@return array result  An array of process config info structs" },
	{ "supervisor.reloadConfig", rpc_reload_config, "array",
	    "Read the configuration again.  The result holds three arrays "
	    "of process group names: added, changed and removed.\n\n"
	    "@return array result  [[added, changed, removed]]" },
	{ "supervisor.addProcessGroup", rpc_add_process_group,
	    "boolean,string",
	    "Start supervising a process group of the configuration read "
	    "last.\n\n@param string name         name of process group to "
	    "add\n@return boolean result     true if successful" },
	{ "supervisor.removeProcessGroup", rpc_remove_process_group,
	    "boolean,string",
	    "Stop supervising a process group whose processes are all "
	    "stopped.\n\n@param string name         name of process group to "
	    "remove\n@return boolean result     Indicates whether the removal "
	    "was successful" },
	{ NULL, NULL, NULL, NULL }
};
