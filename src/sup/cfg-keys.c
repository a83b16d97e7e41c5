/*
 * The config's key tables: for each section kind, the keys it has.  A
 * row owns its key: the type (cfg-type.c: how it is read, its default,
 * free and compare), the field it fills, its default and range.  A new
 * [program:x] key is one row here; making a proc, freeing it and the
 * reload's diff walk the table.
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

#define CFG_P(f)	offsetof(struct cfg_proc, f)
#define CFG_C(f)	offsetof(struct config, f)
#define CFG_N(v)	{ .n = (v) }
#define CFG_S(v)	{ .secs = (v) }

/*
 * A [program:x] key: type, field, default, range, flags and a sample,
 * a value other than the default for the test of the table.
 */
#define CFG_PK(n, t, f, d, min, max, fl, smp)				\
	{ n, CFG_P(f), d, smp, min, max, t, fl }
/* A [program:x] key with no field. */
#define CFG_PX(n, t, fl, smp)						\
	{ n, 0, CFG_N(0), smp, 0, 0, t, fl }
/* A key of the other sections: into the field at off; range; flags. */
#define CFG_K(n, t, off)		{ n, off, CFG_N(0), NULL, 0, 0, t, 0 }
#define CFG_KR(n, t, off, min, max)	{ n, off, CFG_N(0), NULL, min, max, \
					    t, 0 }
#define CFG_KF(n, t, off, fl)		{ n, off, CFG_N(0), NULL, 0, 0, t, fl }
#define CFG_KX(n, t)			{ n, 0, CFG_N(0), NULL, 0, 0, t, 0 }
#define CFG_KB(n)			{ n, 0, CFG_N(0), NULL, 0, 0, \
					    CFG_T_NONE, CFG_F_BUILDER }

/*
 * [program:x], in the order values are read: the *_syslog keys come
 * before the *_logfile keys, whose deprecated "syslog" value turns them
 * on.  The builder reads process_name=, numprocs= and numprocs_start=
 * itself, and environment= before the others: its names are ENV_ for
 * them.  autostart= and priority= change without a restart.
 */
static const struct cfg_key cfg_program_rows[] = {
	CFG_PK("command",		CFG_T_COMMAND,	argv,	CFG_N(0),
	    0, 0, 0, "/bin/sh -c exit"),
	CFG_PK("process_name",		CFG_T_NAME,	name,	CFG_N(0),
	    0, 0, CFG_F_BUILDER, "other"),
	CFG_PX("numprocs",		CFG_T_NONE,	CFG_F_BUILDER, "2"),
	CFG_PX("numprocs_start",	CFG_T_NONE,	CFG_F_BUILDER, "5"),
	CFG_PK("environment",		CFG_T_ENV,	env,	CFG_N(0),
	    0, 0, CFG_F_BUILDER, "A=1"),
	CFG_PK("priority",		CFG_T_INT,	priority, CFG_N(999),
	    INT_MIN, INT_MAX, CFG_F_RELOAD, "1"),
	CFG_PK("autostart",		CFG_T_BOOL,	autostart, CFG_N(1),
	    0, 0, CFG_F_RELOAD, "false"),
	CFG_PK("startsecs",		CFG_T_SECS,	startsecs, CFG_S(1),
	    0, 0, 0, "4"),
	CFG_PK("startretries",		CFG_T_INT,	startretries, CFG_N(3),
	    0, INT_MAX, 0, "9"),
	CFG_PK("autorestart",		CFG_T_AUTORESTART, autorestart,
	    CFG_N(CFG_AR_UNEXPECTED), 0, 0, 0, "true"),
	CFG_PK("exitcodes",		CFG_T_EXITCODES, exitcodes, CFG_N(0),
	    0, 0, 0, "0,1"),
	CFG_PK("stopsignal",		CFG_T_SIGNAL,	stopsignal,
	    CFG_N(SIGTERM), 0, 0, 0, "INT"),
	CFG_PK("stopwaitsecs",		CFG_T_SECS,	stopwaitsecs, CFG_S(10),
	    0, 0, 0, "3"),
	CFG_PK("stopasgroup",		CFG_T_BOOL,	stopasgroup, CFG_N(1),
	    0, 0, 0, "false"),
	CFG_PK("killasgroup",		CFG_T_BOOL,	killasgroup, CFG_N(1),
	    0, 0, 0, "false"),
	CFG_PK("user",			CFG_T_USER,	user,	CFG_N(0),
	    0, 0, 0, "root"),
	CFG_PK("redirect_stderr",	CFG_T_BOOL,	redirect_stderr, CFG_N(0),
	    0, 0, 0, "true"),
	CFG_PK("stdout_syslog",		CFG_T_BOOL,	out.syslog, CFG_N(0),
	    0, 0, 0, "true"),
	CFG_PK("stdout_logfile",	CFG_T_LOG,	out,
	    CFG_N(CFG_LOG_AUTO), 0, 0, 0, "NONE"),
	CFG_PK("stdout_logfile_maxbytes", CFG_T_SIZE,	out.maxbytes,
	    CFG_N(50 * 1024 * 1024), 0, 0, 0, "1KB"),
	CFG_PK("stdout_logfile_backups", CFG_T_INT,	out.backups, CFG_N(10),
	    0, INT_MAX, 0, "1"),
	CFG_PK("stdout_capture_maxbytes", CFG_T_SIZE,	out.capture, CFG_N(0),
	    0, 0, 0, "1KB"),
	CFG_PK("stdout_events_enabled",	CFG_T_BOOL,	out.events, CFG_N(0),
	    0, 0, 0, "true"),
	CFG_PK("stderr_syslog",		CFG_T_BOOL,	err.syslog, CFG_N(0),
	    0, 0, 0, "true"),
	CFG_PK("stderr_logfile",	CFG_T_LOG,	err,
	    CFG_N(CFG_LOG_AUTO), 0, 0, 0, "NONE"),
	CFG_PK("stderr_logfile_maxbytes", CFG_T_SIZE,	err.maxbytes,
	    CFG_N(50 * 1024 * 1024), 0, 0, 0, "1KB"),
	CFG_PK("stderr_logfile_backups", CFG_T_INT,	err.backups, CFG_N(10),
	    0, INT_MAX, 0, "1"),
	CFG_PK("stderr_capture_maxbytes", CFG_T_SIZE,	err.capture, CFG_N(0),
	    0, 0, 0, "1KB"),
	CFG_PK("stderr_events_enabled",	CFG_T_BOOL,	err.events, CFG_N(0),
	    0, 0, 0, "true"),
	CFG_PK("directory",		CFG_T_DIR,	directory, CFG_N(0),
	    0, 0, 0, "/"),
	CFG_PK("umask",			CFG_T_OCTAL,	umask,	CFG_N(-1),
	    0, 0777, 0, "077"),
	CFG_PK("serverurl",		CFG_T_URL,	serverurl, CFG_N(0),
	    0, 0, 0, "unix:///run/other.sock"),
	CFG_PK("ready",			CFG_T_READY,	ready,	CFG_N(0),
	    0, 0, 0, "notify"),
	CFG_PK("ready_timeout",		CFG_T_SECS,	ready_timeout, CFG_S(60),
	    0, 0, 0, "1"),
	CFG_PK("watchdog_sec",		CFG_T_SECS,	watchdog_sec, CFG_S(0),
	    0, 0, 0, "5"),
	CFG_PK("log_timestamps",	CFG_T_TIMESTAMPS, log_timestamps,
	    CFG_N(CFG_TS_NONE), 0, 0, 0, "iso8601"),
	CFG_PK("log_line_max",		CFG_T_SIZE,	log_line_max, CFG_N(8192),
	    0, 0, 0, "1KB"),
	CFG_PK("listen",		CFG_T_LISTEN,	listen,	CFG_N(0),
	    0, 0, 0, "tcp://127.0.0.1:8080, unix:///run/x.sock"),
	/* [fcgi-program:x] only: the builder reads them there. */
	CFG_PK("socket",		CFG_T_STR,	fcgi.socket, CFG_N(0),
	    0, 0, CFG_F_BUILDER|CFG_F_FCGI, "tcp://127.0.0.1:9000"),
	CFG_PK("socket_backlog",	CFG_T_INT,	fcgi.backlog, CFG_N(0),
	    1, 65535, CFG_F_BUILDER|CFG_F_FCGI, "5"),
	CFG_PK("socket_mode",		CFG_T_OCTAL,	fcgi.mode, CFG_N(-1),
	    0, 07777, CFG_F_BUILDER|CFG_F_FCGI, "0660"),
	CFG_PK("socket_owner",		CFG_T_OWNER,	fcgi.owner, CFG_N(0),
	    0, 0, CFG_F_BUILDER|CFG_F_FCGI, "0:0"),
	/* [eventlistener:x] only, the last CFG_LISTENER_ROWS rows. */
	CFG_PK("events",		CFG_T_EVENTS,	events,	CFG_N(0),
	    0, 0, 0, "PROCESS_STATE"),
	CFG_PK("buffer_size",		CFG_T_INT,	buffer_size, CFG_N(10),
	    1, INT_MAX, 0, "5"),
	CFG_PX("result_handler",	CFG_T_HANDLER,	0, "x.y:handler"),
};
#define CFG_LISTENER_ROWS	3

const struct cfg_table cfg_program_keys = {
	cfg_program_rows, nitems(cfg_program_rows) - CFG_LISTENER_ROWS
};

const struct cfg_table cfg_listener_keys = {
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
	CFG_KF("file",			CFG_T_PATH,	CFG_C(unix_http.file),
	    CFG_F_PARENT),
	CFG_KR("chmod",			CFG_T_OCTAL,	CFG_C(unix_http.mode),
	    0, 07777),
	CFG_K("chown",			CFG_T_CHOWN,	CFG_C(unix_http)),
	CFG_K("username",		CFG_T_STR,	CFG_C(unix_http.username)),
	CFG_K("password",		CFG_T_PASSWORD,	CFG_C(unix_http.password)),
};

const struct cfg_table cfg_unix_keys = {
	cfg_unix_rows, nitems(cfg_unix_rows)
};

static const struct cfg_key cfg_inet_rows[] = {
	CFG_K("port",			CFG_T_INET,	CFG_C(inet_http)),
	CFG_K("username",		CFG_T_STR,	CFG_C(inet_http.username)),
	CFG_K("password",		CFG_T_PASSWORD,	CFG_C(inet_http.password)),
};

const struct cfg_table cfg_inet_keys = {
	cfg_inet_rows, nitems(cfg_inet_rows)
};

/* supervisorctl's own section: known, and left to it. */
static const struct cfg_key cfg_ctlclient_rows[] = {
	CFG_KB("serverurl"),
	CFG_KB("username"),
	CFG_KB("password"),
	CFG_KB("prompt"),
	CFG_KB("history_file"),
};

const struct cfg_table cfg_ctlclient_keys = {
	cfg_ctlclient_rows, nitems(cfg_ctlclient_rows)
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
	CFG_KB("programs"),
	CFG_KB("priority"),
};

const struct cfg_table cfg_group_keys = {
	cfg_group_rows, nitems(cfg_group_rows)
};

static const struct cfg_key cfg_include_rows[] = {
	CFG_KB("files"),
};

const struct cfg_table cfg_include_keys = {
	cfg_include_rows, nitems(cfg_include_rows)
};

/* Reading. */

/* The key k of s (or [DEFAULT]), if there, expanded into obj's field. */
int
cfg_apply_key(struct cfg_ctx *ctx, struct cfg_sect *s, const struct cfg_key *k,
    const struct cfg_exp *x, void *obj, int first)
{
	struct cfg_val	*v;
	char		*str;
	int		 r = 0;

	if ((v = cfg_get(ctx, s, k->name)) == NULL)
		return (0);
	if (k->type == CFG_T_NOEFFECT) {
		if (first)
			cfg_warn(ctx, v->file, v->line, "%s= in [%s] has no "
			    "effect in warden, ignored", v->key, s->name);
		return (0);
	}
	if (cfg_expand(ctx, x, v, &str) == -1)
		return (-1);
	if (CFG_TYPE(k)->parse != NULL)
		r = CFG_TYPE(k)->parse(ctx, v, k, str, (char *)obj + k->off,
		    first);
	free(str);
	return (r);
}

/* Every key of t that s has (or [DEFAULT] has), into obj. */
int
cfg_apply(struct cfg_ctx *ctx, struct cfg_sect *s, const struct cfg_table *t,
    const struct cfg_exp *x, void *obj, int first)
{
	const struct cfg_key	*k;

	for (k = t->keys; k < t->keys + t->n; k++)
		if (!(k->flags & CFG_F_BUILDER) &&
		    cfg_apply_key(ctx, s, k, x, obj, first) == -1)
			return (-1);
	return (0);
}

/* The row of name in t, or NULL. */
const struct cfg_key *
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
		&cfg_listener_keys,
		&cfg_supervisord_keys,
		&cfg_unix_keys,
		&cfg_inet_keys,
		&cfg_ctlclient_keys,
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

/* Procs: made, freed and compared by walking the table. */

/* A proc of section s, every field at its default, in the config. */
struct cfg_proc *
cfg_proc_new(struct cfg_ctx *ctx, struct cfg_sect *s)
{
	const struct cfg_key	*k;
	struct cfg_proc		*p;

	p = xcalloc(1, sizeof *p);
	for (k = cfg_program_rows; k < cfg_program_rows +
	    nitems(cfg_program_rows); k++)
		if (CFG_TYPE(k)->init != NULL)
			CFG_TYPE(k)->init(k, (char *)p + k->off);
	p->file = xstrdup(s->file->name);
	p->line = s->line;
	TAILQ_INSERT_TAIL(&ctx->cf->procs, p, entry);
	ctx->cf->nprocs++;
	return (p);
}

void
cfg_proc_free(struct cfg_proc *p)
{
	const struct cfg_key	*k;

	if (p == NULL)
		return;
	for (k = cfg_program_rows; k < cfg_program_rows +
	    nitems(cfg_program_rows); k++)
		if (CFG_TYPE(k)->free != NULL)
			CFG_TYPE(k)->free((char *)p + k->off);
	free(p->group);
	free(p->program);
	free(p->file);
	free(p);
}

/* A copy of the vector v (NULL stays NULL). */
static char **
cfg_strv_dup(char **v)
{
	char	**d;
	int	  n = 0;

	if (v == NULL)
		return (NULL);
	d = cfg_strv_new();
	for (; *v != NULL; v++)
		cfg_strv_add(&d, &n, xstrdup(*v));
	return (d);
}

/*
 * A deep copy of p, out of any list: every field the table frees is
 * copied by its type.  A type this does not know is a bug, caught here.
 */
struct cfg_proc *
cfg_proc_dup(const struct cfg_proc *p)
{
	const struct cfg_key	*k;
	struct cfg_proc		*d;
	char			**sp;
	struct cfg_log		*lp;

	d = xmalloc(sizeof *d);
	memcpy(d, p, sizeof *d);
	for (k = cfg_program_rows; k < cfg_program_rows +
	    nitems(cfg_program_rows); k++) {
		if (CFG_TYPE(k)->free == NULL)
			continue;
		sp = (char **)((char *)d + k->off);
		switch (k->type) {
		case CFG_T_NAME:
		case CFG_T_STR:
		case CFG_T_PATH:
		case CFG_T_DIR:
		case CFG_T_USER:
		case CFG_T_READY:
		case CFG_T_URL:
			if (*sp != NULL)
				*sp = xstrdup(*sp);
			break;
		case CFG_T_LOG:
			lp = (struct cfg_log *)sp;
			if (lp->path != NULL)
				lp->path = xstrdup(lp->path);
			break;
		case CFG_T_ENV:
		case CFG_T_COMMAND:
		case CFG_T_LISTEN:
			*(char ***)sp = cfg_strv_dup(*(char ***)sp);
			break;
		default:
			fatalx("cfg_proc_dup: key %s: type %d", k->name,
			    k->type);
		}
	}
	d->group = xstrdup(p->group);
	d->program = xstrdup(p->program);
	d->file = xstrdup(p->file);
	memset(&d->entry, 0, sizeof d->entry);
	return (d);
}

/* Does row k differ between a and b? */
static int
cfg_key_differ1(const struct cfg_key *k, const struct cfg_proc *a,
    const struct cfg_proc *b)
{
	if (CFG_TYPE(k)->differ == NULL)
		return (0);
	return (CFG_TYPE(k)->differ((const char *)a + k->off,
	    (const char *)b + k->off));
}

/* Every key but the CFG_F_RELOAD ones, and the group and program. */
int
cfg_proc_changed(const struct cfg_proc *a, const struct cfg_proc *b)
{
	const struct cfg_key	*k;

	for (k = cfg_program_rows; k < cfg_program_rows +
	    nitems(cfg_program_rows); k++)
		if (!(k->flags & CFG_F_RELOAD) && cfg_key_differ1(k, a, b))
			return (1);
	return (cfg_str_differ(a->group, b->group) ||
	    cfg_str_differ(a->program, b->program) ||
	    a->listener != b->listener);
}

int
cfg_key_info(size_t n, struct cfg_keyinfo *ki)
{
	const struct cfg_key	*k;

	if (n >= nitems(cfg_program_rows))
		return (-1);
	k = &cfg_program_rows[n];
	ki->name = k->name;
	ki->sample = k->sample;
	ki->restart = CFG_TYPE(k)->differ != NULL && !(k->flags & CFG_F_RELOAD);
	return (0);
}

int
cfg_key_differ(size_t n, const struct cfg_proc *a, const struct cfg_proc *b)
{
	if (n >= nitems(cfg_program_rows))
		return (0);
	return (cfg_key_differ1(&cfg_program_rows[n], a, b));
}
