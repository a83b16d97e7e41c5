/*
 * The config's key tables: for each section kind, the keys it has and
 * how each is read.
 */
#include <sys/types.h>

#include <limits.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../warden.h"
#include "config.h"
#include "cfg-internal.h"

/*
 * [program:x], in the order values are read: the *_syslog keys come
 * before the *_logfile keys, whose deprecated "syslog" value turns them on.
 */
static const struct cfg_key cfg_program_rows[] = {
	CFG_K("command",		CFG_T_COMMAND,	CFG_P(argv)),
	CFG_KX("process_name",		CFG_T_NONE),
	CFG_KX("numprocs",		CFG_T_NONE),
	CFG_KX("numprocs_start",	CFG_T_NONE),
	CFG_KX("environment",		CFG_T_NONE),
	CFG_KR("priority",		CFG_T_INT,	CFG_P(priority),
	    INT_MIN, INT_MAX),
	CFG_K("autostart",		CFG_T_BOOL,	CFG_P(autostart)),
	CFG_K("startsecs",		CFG_T_SECS,	CFG_P(startsecs)),
	CFG_KR("startretries",		CFG_T_INT,	CFG_P(startretries),
	    0, INT_MAX),
	CFG_K("autorestart",		CFG_T_AUTORESTART, CFG_P(autorestart)),
	CFG_K("exitcodes",		CFG_T_EXITCODES, CFG_P(exitcodes)),
	CFG_K("stopsignal",		CFG_T_SIGNAL,	CFG_P(stopsignal)),
	CFG_K("stopwaitsecs",		CFG_T_SECS,	CFG_P(stopwaitsecs)),
	CFG_K("stopasgroup",		CFG_T_BOOL,	CFG_P(stopasgroup)),
	CFG_K("killasgroup",		CFG_T_BOOL,	CFG_P(killasgroup)),
	CFG_K("user",			CFG_T_USER,	CFG_P(user)),
	CFG_K("redirect_stderr",	CFG_T_BOOL,	CFG_P(redirect_stderr)),
	CFG_K("stdout_syslog",		CFG_T_BOOL,	CFG_P(out.syslog)),
	CFG_K("stdout_logfile",		CFG_T_LOG,	CFG_P(out)),
	CFG_K("stdout_logfile_maxbytes", CFG_T_SIZE,	CFG_P(out.maxbytes)),
	CFG_KR("stdout_logfile_backups", CFG_T_INT,	CFG_P(out.backups),
	    0, INT_MAX),
	CFG_KX("stdout_capture_maxbytes", CFG_T_NOTIMPL_SIZE),
	CFG_KX("stdout_events_enabled",	CFG_T_NOTIMPL_BOOL),
	CFG_K("stderr_syslog",		CFG_T_BOOL,	CFG_P(err.syslog)),
	CFG_K("stderr_logfile",		CFG_T_LOG,	CFG_P(err)),
	CFG_K("stderr_logfile_maxbytes", CFG_T_SIZE,	CFG_P(err.maxbytes)),
	CFG_KR("stderr_logfile_backups", CFG_T_INT,	CFG_P(err.backups),
	    0, INT_MAX),
	CFG_KX("stderr_capture_maxbytes", CFG_T_NOTIMPL_SIZE),
	CFG_KX("stderr_events_enabled",	CFG_T_NOTIMPL_BOOL),
	CFG_K("directory",		CFG_T_DIR,	CFG_P(directory)),
	CFG_KR("umask",			CFG_T_OCTAL,	CFG_P(umask), 0, 0777),
	CFG_KX("serverurl",		CFG_T_IGNORE),
	CFG_K("ready",			CFG_T_READY,	CFG_P(ready)),
	CFG_K("ready_timeout",		CFG_T_SECS,	CFG_P(ready_timeout)),
	CFG_K("watchdog_sec",		CFG_T_SECS,	CFG_P(watchdog_sec)),
	CFG_K("log_timestamps",		CFG_T_TIMESTAMPS, CFG_P(log_timestamps)),
	CFG_K("log_line_max",		CFG_T_SIZE,	CFG_P(log_line_max)),
};

const struct cfg_table cfg_program_keys = {
	cfg_program_rows, nitems(cfg_program_rows)
};

static const struct cfg_key cfg_supervisord_rows[] = {
	CFG_KF("logfile",		CFG_T_PATH,	CFG_C(logfile),
	    CFG_F_PARENT|CFG_F_SYSLOG),
	CFG_KF("pidfile",		CFG_T_PATH,	CFG_C(pidfile),
	    CFG_F_PARENT),
	CFG_KF("childlogdir",		CFG_T_PATH,	CFG_C(childlogdir),
	    CFG_F_ISDIR),
	CFG_K("nodaemon",		CFG_T_BOOL,	CFG_C(nodaemon)),
	CFG_KR("minfds",		CFG_T_LONG,	CFG_C(minfds),
	    1, INT_MAX),
	CFG_KR("umask",			CFG_T_OCTAL,	CFG_C(umask), 0, 0777),
	CFG_K("user",			CFG_T_USER,	CFG_C(user)),
	CFG_K("environment",		CFG_T_ENV,	CFG_C(env)),
	CFG_K("identifier",		CFG_T_STR,	CFG_C(identifier)),
	CFG_KX("directory",		CFG_T_NOEFFECT),
	CFG_KX("logfile_backups",	CFG_T_NOEFFECT),
	CFG_KX("logfile_maxbytes",	CFG_T_NOEFFECT),
	CFG_KX("loglevel",		CFG_T_NOEFFECT),
	CFG_KX("minprocs",		CFG_T_NOEFFECT),
	CFG_KX("nocleanup",		CFG_T_NOEFFECT),
	CFG_KX("silent",		CFG_T_NOEFFECT),
	CFG_KX("strip_ansi",		CFG_T_NOEFFECT),
};

const struct cfg_table cfg_supervisord_keys = {
	cfg_supervisord_rows, nitems(cfg_supervisord_rows)
};

static const struct cfg_key cfg_unix_rows[] = {
	CFG_KF("file",			CFG_T_PATH,	CFG_C(socket),
	    CFG_F_PARENT),
	CFG_KR("chmod",			CFG_T_OCTAL,	CFG_C(socket_mode),
	    0, 07777),
	CFG_KX("chown",			CFG_T_NOEFFECT),
	CFG_KX("username",		CFG_T_NOEFFECT),
	CFG_KX("password",		CFG_T_NOEFFECT),
};

const struct cfg_table cfg_unix_keys = {
	cfg_unix_rows, nitems(cfg_unix_rows)
};

/* rundir first: the others may be in it, which need not exist yet. */
static const struct cfg_key cfg_warden_rows[] = {
	CFG_KF("rundir",		CFG_T_PATH,	CFG_C(rundir),
	    CFG_F_DIROK),
	CFG_KF("socket",		CFG_T_PATH,	CFG_C(socket),
	    CFG_F_PARENT|CFG_F_RUNDIR),
	CFG_KF("pidfile",		CFG_T_PATH,	CFG_C(pidfile),
	    CFG_F_PARENT|CFG_F_RUNDIR),
	CFG_KF("logfile",		CFG_T_PATH,	CFG_C(logfile),
	    CFG_F_PARENT|CFG_F_RUNDIR|CFG_F_SYSLOG),
};

const struct cfg_table cfg_warden_keys = {
	cfg_warden_rows, nitems(cfg_warden_rows)
};

static const struct cfg_key cfg_group_rows[] = {
	CFG_KX("programs",		CFG_T_NONE),
	CFG_KX("priority",		CFG_T_NONE),
};

const struct cfg_table cfg_group_keys = {
	cfg_group_rows, nitems(cfg_group_rows)
};

static const struct cfg_key cfg_include_rows[] = {
	CFG_KX("files",			CFG_T_NONE),
};

const struct cfg_table cfg_include_keys = {
	cfg_include_rows, nitems(cfg_include_rows)
};


/* One value into obj (a struct cfg_proc or the struct config). */
static int
cfg_set(struct cfg_ctx *ctx, struct cfg_val *v, const struct cfg_key *k,
    const char *s, void *obj, int first)
{
	char		*field = (char *)obj + k->off;
	uint64_t	 size;
	long		 n;
	int		 b = 0;

	switch (k->type) {
	case CFG_T_NONE:
	case CFG_T_IGNORE:
	case CFG_T_NOEFFECT:
		return (0);
	case CFG_T_NOTIMPL_SIZE:
		if (cfg_size(ctx, v, s, &size) == -1)
			return (-1);
		if (size != 0 && first)
			cfg_warn(ctx, v->file, v->line, "%s= is not "
			    "implemented in warden, ignored", v->key);
		return (0);
	case CFG_T_NOTIMPL_BOOL:
		if (cfg_bool(ctx, v, s, &b) == -1)
			return (-1);
		if (b && first)
			cfg_warn(ctx, v->file, v->line, "%s= is not "
			    "implemented in warden, ignored", v->key);
		return (0);
	case CFG_T_BOOL:
		return (cfg_bool(ctx, v, s, (int *)field));
	case CFG_T_INT:
		if (cfg_int(ctx, v, s, k->min, k->max, &n) == -1)
			return (-1);
		*(int *)field = (int)n;
		return (0);
	case CFG_T_LONG:
		return (cfg_int(ctx, v, s, k->min, k->max, (long *)field));
	case CFG_T_SECS:
		return (cfg_secs(ctx, v, s, (double *)field));
	case CFG_T_SIZE:
		return (cfg_size(ctx, v, s, (uint64_t *)field));
	case CFG_T_SIGNAL:
		return (cfg_signal(ctx, v, s, (int *)field));
	case CFG_T_EXITCODES:
		return (cfg_exitcodes(ctx, v, s, (uint8_t *)field));
	case CFG_T_OCTAL:
		return (cfg_octal(ctx, v, s, k->max, (int *)field));
	case CFG_T_AUTORESTART:
		return (cfg_autorestart(ctx, v, s, (int *)field));
	case CFG_T_STR:
		free(*(char **)field);
		*(char **)field = xstrdup(s);
		return (0);
	case CFG_T_PATH:
		return (cfg_path(ctx, v, s, k->flags, (char **)field));
	case CFG_T_DIR:
		if (*s == '\0') {	/* supervisord: no chdir */
			free(*(char **)field);
			*(char **)field = NULL;
			return (0);
		}
		return (cfg_path(ctx, v, s, CFG_F_ISDIR, (char **)field));
	case CFG_T_LOG:
		return (cfg_log(ctx, v, s, (struct cfg_log *)field, first));
	case CFG_T_USER:
		return (cfg_user(ctx, v, s, (char **)field));
	case CFG_T_ENV:
		return (cfg_env(ctx, v, s, (char ***)field));
	case CFG_T_COMMAND:
		return (cfg_command(ctx, v, s, (char ***)field));
	case CFG_T_READY:
		return (cfg_ready(ctx, v, s, (char **)field));
	case CFG_T_TIMESTAMPS:
		return (cfg_timestamps(ctx, v, s, (int *)field));
	}
	return (0);
}

/* Every key of the table that s has (or [DEFAULT] has), into obj. */
int
cfg_apply(struct cfg_ctx *ctx, struct cfg_sect *s, const struct cfg_table *t,
    const struct cfg_exp *x, void *obj, int first)
{
	const struct cfg_key	*k;
	struct cfg_val		*v;
	char			*str;
	int			 r;

	for (k = t->keys; k < t->keys + t->n; k++) {
		if (k->type == CFG_T_NONE ||
		    (v = cfg_get(ctx, s, k->name)) == NULL)
			continue;
		if (k->type == CFG_T_NOEFFECT) {
			if (first)
				cfg_warn(ctx, v->file, v->line, "%s= in [%s] "
				    "has no effect in warden, ignored", v->key,
				    s->name);
			continue;
		}
		if (cfg_expand(ctx, x, v, &str) == -1)
			return (-1);
		r = cfg_set(ctx, v, k, str, obj, first);
		free(str);
		if (r == -1)
			return (-1);
	}
	return (0);
}

static const struct cfg_key *
cfg_key_find(const struct cfg_table *t, const char *name)
{
	const struct cfg_key	*k;

	for (k = t->keys; k < t->keys + t->n; k++)
		if (strcmp(k->name, name) == 0)
			return (k);
	return (NULL);
}

/* A warning for each key of s that the table does not know. */
void
cfg_warn_keys(struct cfg_ctx *ctx, struct cfg_sect *s,
    const struct cfg_table *t)
{
	struct cfg_val	*v;
	char		*qk, *qs;
	int		 i;

	for (i = 0; i < s->nvals && ctx->cf->nwarnings <= CFG_MAXWARN; i++) {
		v = s->vals[i];
		if (cfg_key_find(t, v->key) != NULL)
			continue;
		qk = cfg_vis(v->key);
		qs = cfg_vis(s->name);
		cfg_warn(ctx, v->file, v->line, "unknown key \"%s\" in [%s], "
		    "ignored", qk, qs);
		free(qs);
		free(qk);
	}
}

/* [DEFAULT] keys apply everywhere: a warning only for what none knows. */
void
cfg_warn_defaults(struct cfg_ctx *ctx)
{
	static const struct cfg_table	*tables[] = {
		&cfg_program_keys,
		&cfg_supervisord_keys,
		&cfg_unix_keys,
		&cfg_warden_keys,
		&cfg_group_keys,
		&cfg_include_keys,
	};
	struct cfg_sect	*s = ctx->defaults;
	char		*q;
	size_t		 t;
	int		 i;

	for (i = 0; s != NULL && i < s->nvals; i++) {
		for (t = 0; t < nitems(tables); t++)
			if (cfg_key_find(tables[t], s->vals[i]->key) != NULL)
				break;
		if (t < nitems(tables))
			continue;
		q = cfg_vis(s->vals[i]->key);
		cfg_warn(ctx, s->vals[i]->file, s->vals[i]->line, "unknown "
		    "key \"%s\" in [DEFAULT], ignored", q);
		free(q);
	}
}

/* Pass 3: sections into the config. */

void
cfg_proc_free(struct cfg_proc *p)
{
	free(p->name);
	free(p->group);
	free(p->program);
	cfg_strv_free(p->argv);
	free(p->directory);
	free(p->user);
	cfg_strv_free(p->env);
	free(p->out.path);
	free(p->err.path);
	free(p->ready);
	free(p->file);
	free(p);
}

struct cfg_proc *
cfg_proc_new(struct cfg_ctx *ctx, struct cfg_sect *s)
{
	struct cfg_proc	*p;

	p = xcalloc(1, sizeof *p);
	p->umask = -1;
	p->env = cfg_strv_new();
	p->autostart = 1;
	p->autorestart = CFG_AR_UNEXPECTED;
	p->startsecs = 1;
	p->startretries = 3;
	p->exitcodes[0] = 1;		/* {0} */
	p->stopsignal = SIGTERM;
	p->stopwaitsecs = 10;
	p->stopasgroup = 1;
	p->killasgroup = 1;
	p->priority = 999;
	p->out.kind = p->err.kind = CFG_LOG_AUTO;
	p->out.maxbytes = p->err.maxbytes = 50 * 1024 * 1024;
	p->out.backups = p->err.backups = 10;
	p->ready_timeout = 60;
	p->log_line_max = 8192;
	p->file = xstrdup(s->file->name);
	p->line = s->line;
	TAILQ_INSERT_TAIL(&ctx->cf->procs, p, entry);
	ctx->cf->nprocs++;
	return (p);
}


static int
cfg_str_differ(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return (a != b);
	return (strcmp(a, b) != 0);
}

static int
cfg_strv_differ(char **a, char **b)
{
	if (a == NULL || b == NULL)
		return (!((a == NULL || *a == NULL) && (b == NULL ||
		    *b == NULL)));
	for (; *a != NULL && *b != NULL; a++, b++)
		if (strcmp(*a, *b) != 0)
			return (1);
	return (*a != NULL || *b != NULL);
}

static int
cfg_log_differ(const struct cfg_log *a, const struct cfg_log *b)
{
	return (a->kind != b->kind || cfg_str_differ(a->path, b->path) ||
	    a->maxbytes != b->maxbytes || a->backups != b->backups ||
	    a->syslog != b->syslog);
}

int
cfg_proc_changed(const struct cfg_proc *a, const struct cfg_proc *b)
{
	return (cfg_str_differ(a->name, b->name) ||
	    cfg_str_differ(a->group, b->group) ||
	    cfg_str_differ(a->program, b->program) ||
	    cfg_strv_differ(a->argv, b->argv) ||
	    cfg_str_differ(a->directory, b->directory) ||
	    cfg_str_differ(a->user, b->user) ||
	    a->umask != b->umask ||
	    cfg_strv_differ(a->env, b->env) ||
	    a->autorestart != b->autorestart ||
	    a->startsecs != b->startsecs ||
	    a->startretries != b->startretries ||
	    memcmp(a->exitcodes, b->exitcodes, sizeof a->exitcodes) != 0 ||
	    a->stopsignal != b->stopsignal ||
	    a->stopwaitsecs != b->stopwaitsecs ||
	    a->stopasgroup != b->stopasgroup ||
	    a->killasgroup != b->killasgroup ||
	    a->redirect_stderr != b->redirect_stderr ||
	    cfg_log_differ(&a->out, &b->out) ||
	    cfg_log_differ(&a->err, &b->err) ||
	    cfg_str_differ(a->ready, b->ready) ||
	    a->ready_timeout != b->ready_timeout ||
	    a->watchdog_sec != b->watchdog_sec ||
	    a->log_timestamps != b->log_timestamps ||
	    a->log_line_max != b->log_line_max);
}
