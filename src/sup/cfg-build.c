/*
 * The builder: sections into the struct config, programs times
 * numprocs into procs, [group:x], the global sections and the checks
 * that look at several keys together.
 */
#include <sys/types.h>

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "../warden.h"
#include "config.h"
#include "cfg-internal.h"

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

/* listen= takes fds 3, 4, ...: ready=fd:N must be above them. */
static int
cfg_listen_check(struct cfg_ctx *ctx, struct cfg_sect *s, struct cfg_proc *p)
{
	struct cfg_val	*v;
	long		 fd;
	int		 n = 0;

	while (p->listen != NULL && p->listen[n] != NULL)
		n++;
	if (n == 0 || p->ready == NULL || strncmp(p->ready, "fd:", 3) != 0)
		return (0);
	fd = strtol(p->ready + 3, NULL, 10);
	if (fd >= 3 + n)
		return (0);
	v = cfg_get(ctx, s, "ready");
	return (cfg_error(ctx, v->file, v->line, "ready=fd:%ld is a listen= "
	    "socket's fd (3 to %d): choose a number above", fd, 2 + n));
}

/*
 * An event listener: its stdout is the protocol, so it has no log and
 * stderr cannot join it; it starts first and stops last (priority -1).
 */
static int
cfg_listener_check(struct cfg_ctx *ctx, struct cfg_sect *s,
    struct cfg_proc *p, int first)
{
	struct cfg_val	*v;

	if (cfg_listen_check(ctx, s, p) == -1)
		return (-1);
	if (!p->listener)
		return (0);
	if (p->redirect_stderr) {
		v = cfg_get(ctx, s, "redirect_stderr");
		return (cfg_error(ctx, v->file, v->line, "redirect_stderr=true "
		    "in [%s]: a listener's stdout is the event protocol",
		    s->name));
	}
	if (p->events == 0)
		return (cfg_error(ctx, s->file, s->line, "[%s] has no "
		    "events=", s->name));
	if (cfg_get(ctx, s, "priority") == NULL)
		p->priority = -1;
	if (p->out.kind == CFG_LOG_PATH && first) {
		v = cfg_get(ctx, s, "stdout_logfile");
		cfg_warn(ctx, v->file, v->line, "stdout_logfile= is ignored: "
		    "a listener's stdout is the event protocol");
	}
	free(p->out.path);
	p->out.path = NULL;
	p->out.kind = CFG_LOG_NONE;
	p->out.syslog = 0;
	return (0);
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
	return (cfg_listener_check(ctx, s, p, first));
}

/*
 * [fcgi-program:x]'s socket keys, as supervisord reads them: socket=
 * is required, one for the whole pool (expanded without process_num or
 * environment=); socket_mode= and socket_owner= are for a unix socket.  In a [program:x], and in an [fcgi-program:x]
 * that a [group:y] names (supervisord runs it as a plain program), they
 * are warned about and unused.
 */
static int
cfg_fcgi(struct cfg_ctx *ctx, struct cfg_sect *s, const struct cfg_exp *x,
    struct cfg_proc *p, int first)
{
	const struct cfg_table	*t = &cfg_program_keys;
	const struct cfg_key	*k;
	struct cfg_exp		 y;
	struct cfg_val		*v;
	const char		*why, *grp = NULL;
	char			*q;

	if (s->kind == CFG_S_FCGI && cfg_map_find(&ctx->groups,
	    x->program) != NULL)
		grp = x->group;
	/* One socket for the pool: no process_num, no environment=. */
	y = *x;
	y.procvars = 0;
	y.penv = NULL;
	for (k = t->keys; k < t->keys + t->n; k++) {
		if (!(k->flags & CFG_F_FCGI))
			continue;
		if (s->kind == CFG_S_FCGI && grp == NULL) {
			if (cfg_apply_key(ctx, s, k, &y, p, first) == -1)
				return (-1);
			continue;
		}
		/* [DEFAULT]'s are for the fcgi programs: no warning. */
		if (!first || (v = cfg_get(ctx, s, k->name)) == NULL ||
		    cfg_map_find(&s->keys, k->name) == NULL)
			continue;
		if (grp == NULL)
			cfg_warn(ctx, v->file, v->line, "%s= is a key of "
			    "[fcgi-program:x], ignored in [%s]", k->name,
			    s->name);
		else
			cfg_warn(ctx, v->file, v->line, "%s= is unused: [%s] "
			    "is in [group:%s], which runs it as a plain "
			    "program", k->name, s->name, grp);
	}
	if (s->kind != CFG_S_FCGI || grp != NULL)
		return (0);
	if (p->fcgi.socket == NULL || *p->fcgi.socket == '\0')
		return (cfg_error(ctx, s->file, s->line, "[%s] has no socket=",
		    s->name));
	v = cfg_get(ctx, s, "socket");
	if ((why = listen_check(p->fcgi.socket)) != NULL) {
		q = cfg_vis(p->fcgi.socket);
		cfg_error(ctx, v->file, v->line, "socket: \"%s\": %s", q, why);
		free(q);
		return (-1);
	}
	if (strncmp(p->fcgi.socket, "unix://", 7) != 0 &&
	    (p->fcgi.mode != -1 || p->fcgi.owner.uid != (uid_t)-1)) {
		v = cfg_get(ctx, s, p->fcgi.mode != -1 ? "socket_mode" :
		    "socket_owner");
		return (cfg_error(ctx, v->file, v->line, "%s= is for a "
		    "unix:///PATH socket", v->key));
	}
	if (p->listen != NULL) {
		v = cfg_get(ctx, s, "listen");
		return (cfg_error(ctx, v->file, v->line, "listen= in [%s]: "
		    "its processes take socket= as fd 0; use one or the "
		    "other", s->name));
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
	struct cfg_val	 fake;
	char		*q;
	int		 rv = -1;

	memset(&penv, 0, sizeof penv);
	p = cfg_proc_new(ctx, s);
	p->listener = s->kind == CFG_S_LISTENER;
	p->program = xstrdup(x->program);
	p->group = xstrdup(x->group);
	p->process_num = x->process_num;

	/* environment= first: its keys are ENV_ for the other keys. */
	x->penv = NULL;
	if (cfg_apply_key(ctx, s, cfg_key_find(&cfg_program_keys,
	    "environment"), x, p, first) == -1)
		goto out;
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

	if (cfg_apply(ctx, s, p->listener ? &cfg_listener_keys :
	    &cfg_program_keys, x, p, first) == -1 ||
	    cfg_fcgi(ctx, s, x, p, first) == -1 ||
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
	int		 rv = -1, lsn = s->kind == CFG_S_LISTENER;

	name = cfg_strip_dup(strchr(s->name, ':') + 1);
	if (cfg_check_name(ctx, s->file, s->line, "program", name) == -1)
		goto out;
	cfg_warn_keys(ctx, s, lsn ? &cfg_listener_keys : &cfg_program_keys);
	memset(&x, 0, sizeof x);
	x.program = name;
	e = lsn ? NULL : cfg_map_find(&ctx->groups, strchr(s->name, ':') + 1);
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

/*
 * [group:x] programs=a,b: each a [program:] or an [fcgi-program:], not
 * both.
 */
static int
cfg_group(struct cfg_ctx *ctx, struct cfg_sect *s)
{
	struct cfg_exp	 x;
	struct cfg_ment	*e;
	struct cfg_val	*v;
	char		*name, *str = NULL, *p, *comma, *member, *sect, *q;
	long		 prio;
	int		 n, rv = -1;

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
		n = cfg_map_find(&ctx->sectmap, sect) != NULL;
		free(sect);
		xasprintf(&sect, "fcgi-program:%s", member);
		n += cfg_map_find(&ctx->sectmap, sect) != NULL;
		free(sect);
		if (n != 1) {
			q = cfg_vis(member);
			if (n == 0)
				cfg_error(ctx, v->file, v->line, "programs: "
				    "no [program:%s]", q);
			else
				cfg_error(ctx, v->file, v->line, "programs: "
				    "%s is both a [program:] and an "
				    "[fcgi-program:]", q);
			free(q);
			free(member);
			goto out;
		}
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
		{ "inet_http_server", &cfg_inet_keys },
		{ "supervisorctl", &cfg_ctlclient_keys },
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
		if (s->kind == CFG_S_UNIX && cfg_http_check(ctx, s,
		    &ctx->cf->unix_http, 0) == -1)
			return (-1);
		if (s->kind == CFG_S_INET && cfg_http_check(ctx, s,
		    &ctx->cf->inet_http, 1) == -1)
			return (-1);
	}
	cfg_map_env(&ctx->senv, ctx->cf->env);
	return (0);
}

int
cfg_build(struct cfg_ctx *ctx)
{
	struct config	*cf = ctx->cf;
	struct cfg_sect	*s;
	struct cfg_val	*v;
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
		if (s->kind == CFG_S_PROGRAM || s->kind == CFG_S_FCGI ||
		    s->kind == CFG_S_LISTENER) {
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
	if (cf->unix_http.on && strcmp(cf->unix_http.file, cf->socket) == 0) {
		v = cfg_get(ctx, cfg_sect_named(ctx, "unix_http_server"),
		    "file");
		return (cfg_error(ctx, v->file, v->line, "file: %s is warden's "
		    "control socket ([warden] socket=): choose another path",
		    cf->socket));
	}
	if (cf->pidfile == NULL)
		xasprintf(&cf->pidfile, "%s/warden.pid", cf->rundir);
	if (cf->childlogdir == NULL)
		cf->childlogdir = xstrdup(cf->rundir);
	return (0);
}
