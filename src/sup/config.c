/*
 * The supervisor's configuration: supervisord's files, read the way
 * supervisord reads them (Python's RawConfigParser with inline comments
 * and strict=False, shlex for command= and environment=, Python's
 * %-formatting for expansions), into a struct config.
 *
 * Three passes:
 *  1. cfg_parse: lines into sections of key = value, as configparser
 *     does it (comments, continuation lines, duplicates: last wins);
 *  2. cfg_includes: the main file's [include] files=, read the same way;
 *  3. cfg_build: sections into the struct config and its procs, every
 *     value expanded and checked.
 * The first error stops everything: "FILE:LINE: what is wrong".  What
 * warden does not implement is a warning, "FILE:LINE: what", never silent.
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../warden.h"
#include "config.h"
#include "cfg-internal.h"

extern char	**environ;

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

static const struct cfg_table cfg_program_keys = {
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

static const struct cfg_table cfg_supervisord_keys = {
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

static const struct cfg_table cfg_unix_keys = {
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

static const struct cfg_table cfg_warden_keys = {
	cfg_warden_rows, nitems(cfg_warden_rows)
};

static const struct cfg_key cfg_group_rows[] = {
	CFG_KX("programs",		CFG_T_NONE),
	CFG_KX("priority",		CFG_T_NONE),
};

static const struct cfg_table cfg_group_keys = {
	cfg_group_rows, nitems(cfg_group_rows)
};

static const struct cfg_key cfg_include_rows[] = {
	CFG_KX("files",			CFG_T_NONE),
};

const struct cfg_table cfg_include_keys = {
	cfg_include_rows, nitems(cfg_include_rows)
};

static void
cfg_ctx_free(struct cfg_ctx *ctx)
{
	int	i;

	for (i = 0; i < ctx->nfiles; i++) {
		free(ctx->files[i]->name);
		free(ctx->files[i]->here);
		free(ctx->files[i]);
	}
	free(ctx->files);
	for (i = 0; i < ctx->nsects; i++)
		cfg_sect_free(ctx->sects[i]);
	free(ctx->sects);
	cfg_sect_free(ctx->defaults);
	cfg_sect_free(ctx->scratch);
	cfg_map_free(&ctx->sectmap);
	cfg_map_free(&ctx->environ);
	cfg_map_free(&ctx->senv);
	cfg_map_free(&ctx->groups);
	cfg_map_free(&ctx->names);
	free(ctx->lastuser);
}

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
static int
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
static void
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

/* Program, group and process names. */
static int
cfg_check_name(struct cfg_ctx *ctx, struct cfg_file *f, int line,
    const char *what, const char *name)
{
	const char	*p, *why = NULL;
	char		*q;

	if (*name == '\0')
		why = "it is empty";
	for (p = name; why == NULL && *p != '\0'; p++) {
		if (*p == ' ')
			why = "it has a space";
		else if (*p == ':' || *p == '/' || *p == '[' || *p == ']') {
			q = cfg_vis(name);
			cfg_error(ctx, f, line, "bad %s name \"%s\": it has a "
			    "'%c'", what, q, *p);
			free(q);
			return (-1);
		} else if ((unsigned char)*p < 0x20 || *p == 0x7f)
			why = "it has a control character";
	}
	if (why == NULL)
		return (0);
	q = cfg_vis(name);
	cfg_error(ctx, f, line, "bad %s name \"%s\": %s", what, q, why);
	free(q);
	return (-1);
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

static struct cfg_proc *
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

/* What a proc's values say together. */
static int
cfg_proc_check(struct cfg_ctx *ctx, struct cfg_sect *s, struct cfg_proc *p,
    int first)
{
	struct cfg_val	*sg, *kg, *v;
	struct cfg_log	*logs[2] = { &p->out, &p->err };
	const char	*mb[2] = { "stdout_logfile_maxbytes",
			    "stderr_logfile_maxbytes" };
	int		 i;

	/*
	 * warden stops and kills the group by default; killasgroup=false
	 * alone means supervisord's stopasgroup default, false.
	 */
	sg = cfg_get(ctx, s, "stopasgroup");
	kg = cfg_get(ctx, s, "killasgroup");
	if (kg != NULL && !p->killasgroup && sg == NULL)
		p->stopasgroup = 0;
	if (p->stopasgroup && !p->killasgroup)
		return (cfg_error(ctx, kg->file, kg->line, "stopasgroup=true "
		    "needs killasgroup=true"));
	if (p->redirect_stderr) {
		if (p->err.kind == CFG_LOG_PATH && first) {
			v = cfg_get(ctx, s, "stderr_logfile");
			cfg_warn(ctx, v->file, v->line, "stderr_logfile= is "
			    "ignored: redirect_stderr=true");
		}
		free(p->err.path);
		p->err.path = NULL;
		p->err.kind = CFG_LOG_NONE;
	}
	for (i = 0; i < 2 && first; i++) {
		if (logs[i]->kind != CFG_LOG_AUTO || logs[i]->maxbytes != 0)
			continue;
		v = cfg_get(ctx, s, mb[i]);
		cfg_warn(ctx, v->file, v->line, "%s=0 with an AUTO log: "
		    "nothing limits its size", mb[i]);
	}
	if (p->log_line_max < 128 || p->log_line_max > 1024 * 1024) {
		v = cfg_get(ctx, s, "log_line_max");
		return (cfg_error(ctx, v->file, v->line, "log_line_max: "
		    "from 128 bytes to 1MB"));
	}
	if (p->watchdog_sec > 0 && (p->ready == NULL ||
	    strcmp(p->ready, "notify") != 0)) {
		v = cfg_get(ctx, s, "watchdog_sec");
		return (cfg_error(ctx, v->file, v->line, "watchdog_sec= needs "
		    "ready=notify"));
	}
	return (0);
}

/* One process of [program:x]: process_num is num. */
static int
cfg_proc(struct cfg_ctx *ctx, struct cfg_sect *s, struct cfg_exp *x,
    struct cfg_val *pn, const char *rawname, int first)
{
	struct cfg_map	 penv;
	struct cfg_proc	*p;
	struct cfg_ment	*e;
	struct cfg_val	*v, fake;
	char		*str, *q;
	int		 rv = -1;

	memset(&penv, 0, sizeof penv);
	p = cfg_proc_new(ctx, s);
	p->program = xstrdup(x->program);
	p->group = xstrdup(x->group);
	p->process_num = x->process_num;

	/* environment= first: its keys are ENV_ for the other keys. */
	x->penv = NULL;
	if ((v = cfg_get(ctx, s, "environment")) != NULL) {
		if (cfg_expand(ctx, x, v, &str) == -1)
			goto out;
		if (cfg_env(ctx, v, str, &p->env) == -1) {
			free(str);
			goto out;
		}
		free(str);
	}
	cfg_map_env(&penv, p->env);
	x->penv = &penv;

	if (pn == NULL) {
		memset(&fake, 0, sizeof fake);
		fake.key = "process_name";
		fake.file = s->file;
		fake.line = s->line;
		pn = &fake;
	}
	if (cfg_expand_text(ctx, x, pn, rawname, &p->name) == -1 ||
	    cfg_check_name(ctx, pn->file, pn->line, "process", p->name) == -1)
		goto out;
	e = cfg_map_put(&ctx->names, p->name);
	if (e->val != NULL) {
		q = cfg_vis(p->name);
		cfg_error(ctx, pn->file, pn->line, "duplicate process name "
		    "\"%s\" (also %s)", q, e->val);
		free(q);
		goto out;
	}
	xasprintf(&e->val, "in [%s] at %s:%d", s->name, s->file->name,
	    s->line);

	if (cfg_apply(ctx, s, &cfg_program_keys, x, p, first) == -1 ||
	    cfg_proc_check(ctx, s, p, first) == -1)
		goto out;
	rv = 0;
out:
	x->penv = NULL;
	cfg_map_free(&penv);
	return (rv);
}

/* An integer key read before the processes, with what x can expand. */
static int
cfg_getint(struct cfg_ctx *ctx, const struct cfg_exp *x, struct cfg_val *v,
    long min, long max, long *out)
{
	char	*str;
	int	 r;

	if (cfg_expand(ctx, x, v, &str) == -1)
		return (-1);
	r = cfg_int(ctx, v, str, min, max, out);
	free(str);
	return (r);
}

static int
cfg_program(struct cfg_ctx *ctx, struct cfg_sect *s)
{
	struct cfg_exp	 x;
	struct cfg_ment	*e;
	struct cfg_val	*nv, *sv, *pn;
	char		*name, *raw = NULL;
	long		 numprocs = 1, start = 0, i;
	int		 rv = -1;

	name = cfg_strip_dup(s->name + strlen("program:"));
	if (cfg_check_name(ctx, s->file, s->line, "program", name) == -1)
		goto out;
	cfg_warn_keys(ctx, s, &cfg_program_keys);
	memset(&x, 0, sizeof x);
	x.program = name;
	e = cfg_map_find(&ctx->groups, s->name + strlen("program:"));
	x.group = e != NULL ? e->val : name;
	x.senv = &ctx->senv;

	nv = cfg_get(ctx, s, "numprocs");
	if (nv != NULL && cfg_getint(ctx, &x, nv, 0, CFG_MAXPROCS,
	    &numprocs) == -1)
		goto out;
	sv = cfg_get(ctx, s, "numprocs_start");
	if (sv != NULL && cfg_getint(ctx, &x, sv, 0, INT_MAX - numprocs,
	    &start) == -1)
		goto out;
	if (cfg_get(ctx, s, "command") == NULL) {
		cfg_error(ctx, s->file, s->line, "[%s] has no command=",
		    s->name);
		goto out;
	}
	if (numprocs == 0)
		cfg_warn(ctx, nv->file, nv->line, "numprocs=0: [%s] has no "
		    "processes", s->name);
	if (ctx->cf->nprocs + numprocs > CFG_MAXPROCS) {
		cfg_error(ctx, nv != NULL ? nv->file : s->file, nv != NULL ?
		    nv->line : s->line, "more than %d processes in all",
		    CFG_MAXPROCS);
		goto out;
	}
	pn = cfg_get(ctx, s, "process_name");
	raw = pn != NULL ? cfg_strip_dup(pn->buf.s) :
	    xstrdup("%(program_name)s");
	if (numprocs > 1 && strstr(raw, "%(process_num)") == NULL) {
		cfg_error(ctx, pn != NULL ? pn->file : nv->file, pn != NULL ?
		    pn->line : nv->line, "numprocs=%ld needs %%(process_num) "
		    "in process_name=, to name each process", numprocs);
		goto out;
	}
	x.procvars = 1;
	x.numprocs = (int)numprocs;
	for (i = 0; i < numprocs; i++) {
		x.process_num = (int)(start + i);
		if (cfg_proc(ctx, s, &x, pn, raw, i == 0) == -1)
			goto out;
	}
	rv = 0;
out:
	free(raw);
	free(name);
	return (rv);
}

/* [group:x] programs=a,b: each must be a [program:]. */
static int
cfg_group(struct cfg_ctx *ctx, struct cfg_sect *s)
{
	struct cfg_exp	 x;
	struct cfg_ment	*e;
	struct cfg_val	*v;
	char		*name, *str = NULL, *p, *comma, *member, *sect, *q;
	long		 prio;
	int		 rv = -1;

	memset(&x, 0, sizeof x);
	name = cfg_strip_dup(s->name + strlen("group:"));
	if (cfg_check_name(ctx, s->file, s->line, "group", name) == -1)
		goto out;
	cfg_warn_keys(ctx, s, &cfg_group_keys);
	if ((v = cfg_get(ctx, s, "priority")) != NULL &&
	    cfg_getint(ctx, &x, v, INT_MIN, INT_MAX, &prio) == -1)
		goto out;
	if ((v = cfg_get(ctx, s, "programs")) == NULL) {
		cfg_error(ctx, s->file, s->line, "[%s] has no programs=",
		    s->name);
		goto out;
	}
	if (cfg_expand(ctx, &x, v, &str) == -1)
		goto out;
	for (p = str; p != NULL; p = comma) {
		if ((comma = strchr(p, ',')) != NULL)
			*comma++ = '\0';
		member = cfg_strip_dup(p);
		xasprintf(&sect, "program:%s", member);
		if (cfg_map_find(&ctx->sectmap, sect) == NULL) {
			free(sect);
			xasprintf(&sect, "fcgi-program:%s", member);
			q = cfg_vis(member);
			if (cfg_map_find(&ctx->sectmap, sect) == NULL)
				cfg_error(ctx, v->file, v->line, "programs: "
				    "no [program:%s]", q);
			free(q);
			free(sect);
			free(member);
			if (ctx->cause != NULL)
				goto out;
			continue;	/* not implemented: warned */
		}
		free(sect);
		e = cfg_map_put(&ctx->groups, member);
		if (e->val != NULL && strcmp(e->val, name) != 0) {
			q = cfg_vis(member);
			cfg_error(ctx, v->file, v->line, "programs: %s is "
			    "already in [group:%s]", q, e->val);
			free(q);
			free(member);
			goto out;
		}
		if (e->val == NULL)
			e->val = xstrdup(name);
		free(member);
	}
	rv = 0;
out:
	free(str);
	free(name);
	return (rv);
}

/* A section of one kind, the first of its name: NULL if none. */
static struct cfg_sect *
cfg_sect_named(struct cfg_ctx *ctx, const char *name)
{
	struct cfg_ment	*e;

	if ((e = cfg_map_find(&ctx->sectmap, name)) == NULL)
		return (NULL);
	return (ctx->sects[e->idx]);
}

static int
cfg_globals(struct cfg_ctx *ctx)
{
	static const struct {
		const char		*name;
		const struct cfg_table	*keys;
	} order[] = {
		{ "unix_http_server", &cfg_unix_keys },
		{ "supervisord", &cfg_supervisord_keys },
		{ "warden", &cfg_warden_keys },
	};
	struct cfg_exp	 x;
	struct cfg_sect	*s;
	size_t		 i;

	memset(&x, 0, sizeof x);
	for (i = 0; i < nitems(order); i++) {
		if ((s = cfg_sect_named(ctx, order[i].name)) == NULL)
			continue;
		cfg_warn_keys(ctx, s, order[i].keys);
		if (cfg_apply(ctx, s, order[i].keys, &x, ctx->cf, 1) == -1)
			return (-1);
	}
	cfg_map_env(&ctx->senv, ctx->cf->env);
	return (0);
}

/* The run directory when none is set: by user, as cmd-ctl.c finds it. */
char *
cfg_default_rundir(void)
{
	const char	*xdg;
	char		*s;

	if (geteuid() == 0)
		return (xstrdup("/run/warden"));
	if ((xdg = getenv("XDG_RUNTIME_DIR")) != NULL && *xdg == '/')
		xasprintf(&s, "%s/warden", xdg);
	else
		xasprintf(&s, "/tmp/warden-%lu", (unsigned long)geteuid());
	return (s);
}

static int
cfg_build(struct cfg_ctx *ctx)
{
	struct config	*cf = ctx->cf;
	struct cfg_sect	*s;
	char		*q;
	int		 i;

	cfg_warn_defaults(ctx);
	if (cfg_globals(ctx) == -1)
		return (-1);
	for (i = 0; i < ctx->nsects; i++)
		if (ctx->sects[i]->kind == CFG_S_GROUP &&
		    cfg_group(ctx, ctx->sects[i]) == -1)
			return (-1);
	for (i = 0; i < ctx->nsects; i++) {
		s = ctx->sects[i];
		if (s->kind == CFG_S_PROGRAM) {
			if (cfg_program(ctx, s) == -1)
				return (-1);
			continue;
		}
		if (s->kind != CFG_S_IGNORED && s->kind != CFG_S_UNKNOWN)
			continue;
		q = cfg_vis(s->name);
		if (s->kind == CFG_S_IGNORED)
			cfg_warn(ctx, s->file, s->line, "[%s] is not "
			    "implemented in warden, ignored", q);
		else
			cfg_warn(ctx, s->file, s->line, "unknown section "
			    "[%s], ignored", q);
		free(q);
	}
	if (cf->socket == NULL)
		xasprintf(&cf->socket, "%s/warden.sock", cf->rundir);
	if (cf->pidfile == NULL)
		xasprintf(&cf->pidfile, "%s/warden.pid", cf->rundir);
	if (cf->childlogdir == NULL)
		cf->childlogdir = xstrdup(cf->rundir);
	return (0);
}

static struct config *
cfg_new(void)
{
	struct config	*cf;

	cf = xcalloc(1, sizeof *cf);
	TAILQ_INIT(&cf->procs);
	cf->rundir = cfg_default_rundir();
	cf->socket_mode = 0700;
	cf->identifier = xstrdup("supervisor");
	cf->umask = 022;
	cf->minfds = 1024;
	cf->env = cfg_strv_new();
	cf->warnings = cfg_strv_new();
	return (cf);
}

void
cfg_free(struct config *cf)
{
	struct cfg_proc	*p;

	if (cf == NULL)
		return;
	while ((p = TAILQ_FIRST(&cf->procs)) != NULL) {
		TAILQ_REMOVE(&cf->procs, p, entry);
		cfg_proc_free(p);
	}
	free(cf->path);
	free(cf->rundir);
	free(cf->socket);
	free(cf->pidfile);
	free(cf->logfile);
	free(cf->childlogdir);
	free(cf->identifier);
	free(cf->user);
	cfg_strv_free(cf->env);
	cfg_strv_free(cf->warnings);
	free(cf);
}

/* The three passes over text, the main file named name at abspath. */
static int
cfg_run(const char *name, const char *abspath, const char *text, size_t len,
    struct config **cfp, char **cause)
{
	struct cfg_ctx	  ctx;
	struct cfg_file	 *f;
	int		  rv = -1;

	memset(&ctx, 0, sizeof ctx);
	ctx.cf = cfg_new();
	ctx.cf->path = xstrdup(abspath);
	cfg_map_env(&ctx.environ, environ);
	if (gethostname(ctx.host, sizeof ctx.host - 1) == -1)
		ctx.host[0] = '\0';
	ctx.host[sizeof ctx.host - 1] = '\0';
	f = cfg_file_new(&ctx, name, abspath);
	if (cfg_parse(&ctx, f, text, len, 0) == 0 && cfg_includes(&ctx) == 0 &&
	    cfg_build(&ctx) == 0)
		rv = 0;
	if (rv == 0) {
		*cfp = ctx.cf;
		ctx.cf = NULL;
	} else {
		*cfp = NULL;
		*cause = ctx.cause;
		ctx.cause = NULL;
		cfg_free(ctx.cf);
	}
	free(ctx.cause);
	cfg_ctx_free(&ctx);
	return (rv);
}

/* name made absolute against the current directory. */
static char *
cfg_abs_cwd(const char *name)
{
	char	*cwd, *abs;

	if (*name == '/')
		return (cfg_abspath("/", name));
	if ((cwd = getcwd(NULL, 0)) == NULL)
		return (NULL);
	abs = cfg_abspath(cwd, name);
	free(cwd);
	return (abs);
}

int
cfg_load(const char *path, struct config **cfp, char **cause)
{
	char	*text, *abs;
	size_t	 len;
	int	 rv;

	*cfp = NULL;
	if (cfg_read(path, &text, &len) == -1) {
		xasprintf(cause, "%s: %s", path, cfg_strerror(errno));
		return (-1);
	}
	if ((abs = cfg_abs_cwd(path)) == NULL) {
		xasprintf(cause, "%s: cannot find the current directory: %s",
		    path, strerror(errno));
		free(text);
		return (-1);
	}
	rv = cfg_run(path, abs, text, len, cfp, cause);
	free(abs);
	free(text);
	return (rv);
}

int
cfg_load_string(const char *name, const char *text, struct config **cfp,
    char **cause)
{
	char	*abs;
	int	 rv;

	*cfp = NULL;
	if ((abs = cfg_abs_cwd(name)) == NULL) {
		xasprintf(cause, "%s: cannot find the current directory: %s",
		    name, strerror(errno));
		return (-1);
	}
	rv = cfg_run(name, abs, text, strlen(text), cfp, cause);
	free(abs);
	return (rv);
}

int
cfg_exitcode_expected(const struct cfg_proc *p, int code)
{
	if (code < 0 || code > 255)
		return (0);
	return ((p->exitcodes[code / 8] >> (code % 8)) & 1);
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

/*
 * Without -c: warden.conf, then supervisord.conf, each looked for where
 * supervisord looks (the current directory, its etc/, then /etc): a
 * warden.conf anywhere beats a supervisord.conf, so adding one takes
 * over from the supervisord file it replaces.  (supervisord's
 * ../etc/supervisord.conf and ../supervisord.conf relative to its
 * executable make no sense for a static binary in /usr/bin: left out.)
 * *in_cwd is set when the file was found through the current directory
 * and is not one of the /etc paths, so that root can refuse it.
 */
char *
cfg_find(int *in_cwd)
{
	static const char	*names[] = {
		"warden.conf",
		"etc/warden.conf",
		"/etc/warden.conf",
		"/etc/warden/warden.conf",
		"supervisord.conf",
		"etc/supervisord.conf",
		"/etc/supervisord.conf",
		"/etc/supervisor/supervisord.conf",
	};
	struct stat	 sb;
	char		*cwd, *path;
	size_t		 i, j;

	*in_cwd = 0;
	cwd = getcwd(NULL, 0);
	for (i = 0; i < nitems(names); i++) {
		if (names[i][0] == '/')
			path = xstrdup(names[i]);
		else if (cwd != NULL)
			path = cfg_abspath(cwd, names[i]);
		else
			continue;
		if (stat(path, &sb) == 0 && !S_ISDIR(sb.st_mode)) {
			if (names[i][0] != '/') {
				*in_cwd = 1;
				for (j = 0; j < nitems(names); j++)
					if (strcmp(path, names[j]) == 0)
						*in_cwd = 0;
			}
			free(cwd);
			return (path);
		}
		free(path);
	}
	free(cwd);
	return (NULL);
}
