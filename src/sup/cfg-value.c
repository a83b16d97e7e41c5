/*
 * One parser per value type of the config: booleans, integers, seconds,
 * sizes, signals, exit codes, modes, paths, logs, users, environments,
 * commands, ready=, listen= and log_timestamps=.  Each checks what it
 * reads and says "FILE:LINE: key: \"value\" is not ..." when it is wrong.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../warden.h"
#include "config.h"
#include "cfg-internal.h"
#include "event.h"

static const char	*cfg_true[] = { "true", "yes", "on", "1" };
static const char	*cfg_false[] = { "false", "no", "off", "0" };

/* key: "value" is not what, as an error. */
static int
cfg_bad(struct cfg_ctx *ctx, struct cfg_val *v, const char *s,
    const char *what)
{
	char	*q;
	int	 rv;

	q = cfg_vis(s);
	rv = cfg_error(ctx, v->file, v->line, "%s: \"%s\" is not %s", v->key,
	    q, what);
	free(q);
	return (rv);
}

/* 1 true, 0 false, -1 neither (boolean() in supervisord's datatypes). */
static int
cfg_truth(const char *s)
{
	size_t	i;

	for (i = 0; i < nitems(cfg_true); i++)
		if (strcasecmp(s, cfg_true[i]) == 0)
			return (1);
	for (i = 0; i < nitems(cfg_false); i++)
		if (strcasecmp(s, cfg_false[i]) == 0)
			return (0);
	return (-1);
}

int
cfg_bool(struct cfg_ctx *ctx, struct cfg_val *v, const char *s, int *out)
{
	int	t;

	if ((t = cfg_truth(s)) == -1)
		return (cfg_bad(ctx, v, s, "a boolean (true, yes, on, 1 or "
		    "false, no, off, 0)"));
	*out = t;
	return (0);
}

int
cfg_int(struct cfg_ctx *ctx, struct cfg_val *v, const char *s, long min,
    long max, long *out)
{
	long long	 n;
	char		*what;
	int		 rv;

	if (cfg_pyint(s, &n) == 0 && n >= min && n <= max) {
		*out = (long)n;
		return (0);
	}
	if (min == INT_MIN)
		what = xstrdup("an integer");
	else if (max == INT_MAX)
		xasprintf(&what, "an integer from %ld", min);
	else
		xasprintf(&what, "an integer from %ld to %ld", min, max);
	rv = cfg_bad(ctx, v, s, what);
	free(what);
	return (rv);
}

/* Seconds: an integer as supervisord has them, or a decimal fraction. */
int
cfg_secs(struct cfg_ctx *ctx, struct cfg_val *v, const char *s, double *out)
{
	const char	*p = s;
	char		*t, *end;
	size_t		 len = strlen(s);
	double		 d;
	int		 digits = 0, dots = 0, ok;

	cfg_strip(&p, &len);
	t = cfg_strndup(p, len);
	for (p = t; *p != '\0'; p++) {
		if (*p >= '0' && *p <= '9')
			digits++;
		else if (*p == '.')
			dots++;
		else if (!(*p == '+' && p == t))
			break;
	}
	ok = *p == '\0' && digits > 0 && dots <= 1;
	if (ok) {
		d = strtod(t, &end);
		ok = *end == '\0' && d >= 0 && d <= CFG_MAXSECS;
	}
	free(t);
	if (!ok)
		return (cfg_bad(ctx, v, s, "a number of seconds"));
	*out = d;
	return (0);
}

/* A byte size: an integer, then KB, MB or GB (1024-based, any case). */
int
cfg_size(struct cfg_ctx *ctx, struct cfg_val *v, const char *s,
    uint64_t *out)
{
	static const struct {
		const char	*suffix;
		long long	 mult;
	} units[] = {
		{ "kb", 1024LL }, { "mb", 1024LL * 1024 },
		{ "gb", 1024LL * 1024 * 1024 },
	};
	long long	 n, mult = 1;
	size_t		 len = strlen(s), i;
	char		*t;
	int		 r;

	t = xstrdup(s);
	for (i = 0; i < nitems(units); i++) {
		if (len >= 2 && strcasecmp(t + len - 2, units[i].suffix) == 0) {
			t[len - 2] = '\0';
			mult = units[i].mult;
			break;
		}
	}
	r = cfg_pyint(t, &n);
	free(t);
	if (r == -1 || n < 0 || n > (INT64_MAX / 2) / mult)
		return (cfg_bad(ctx, v, s, "a size (bytes, or a number then "
		    "KB, MB or GB)"));
	*out = (uint64_t)(n * mult);
	return (0);
}

int
cfg_signal(struct cfg_ctx *ctx, struct cfg_val *v, const char *s, int *out)
{
	long long	 n;
	char		*t, num[32];
	int		 signo;

	if (cfg_pyint(s, &n) == 0) {
		snprintf(num, sizeof num, "%lld", n);
		signo = n > 0 ? wd_sig_number(num) : -1;
	} else {
		t = cfg_strip_dup(s);
		signo = wd_sig_number(t);
		free(t);
	}
	if (signo <= 0)
		return (cfg_bad(ctx, v, s, "a signal (a name such as TERM or "
		    "SIGTERM, or a number)"));
	*out = signo;
	return (0);
}

int
cfg_exitcodes(struct cfg_ctx *ctx, struct cfg_val *v, const char *s,
    uint8_t *set)
{
	uint8_t		 codes[32];
	long long	 n;
	char		*t, *p, *comma;
	int		 ok = 1;

	memset(codes, 0, sizeof codes);
	if (*s != '\0') {
		t = xstrdup(s);
		for (p = t; ok && p != NULL; p = comma) {
			if ((comma = strchr(p, ',')) != NULL)
				*comma++ = '\0';
			if (cfg_pyint(p, &n) == -1 || n < 0 || n > 255)
				ok = 0;
			else
				codes[n / 8] |= 1 << (n % 8);
		}
		free(t);
	}
	if (!ok)
		return (cfg_bad(ctx, v, s, "a list of exit codes (0 to 255, "
		    "separated by commas)"));
	memcpy(set, codes, sizeof codes);
	return (0);
}

int
cfg_octal(struct cfg_ctx *ctx, struct cfg_val *v, const char *s, long max,
    int *out)
{
	long long	 n;
	char		*what;
	int		 rv;

	if (cfg_pyint_base(s, 8, &n) == 0 && n >= 0 && n <= max) {
		*out = (int)n;
		return (0);
	}
	xasprintf(&what, "an octal mode from 0 to %lo", max);
	rv = cfg_bad(ctx, v, s, what);
	free(what);
	return (rv);
}

int
cfg_autorestart(struct cfg_ctx *ctx, struct cfg_val *v, const char *s,
    int *out)
{
	int	t;

	if (strcasecmp(s, "unexpected") == 0)
		*out = CFG_AR_UNEXPECTED;
	else if ((t = cfg_truth(s)) != -1)
		*out = t ? CFG_AR_TRUE : CFG_AR_FALSE;
	else
		return (cfg_bad(ctx, v, s, "true, false or unexpected"));
	return (0);
}

/* log_timestamps=none | iso8601 | tai64n */
int
cfg_timestamps(struct cfg_ctx *ctx, struct cfg_val *v, const char *s,
    int *out)
{
	if (strcasecmp(s, "none") == 0)
		*out = CFG_TS_NONE;
	else if (strcasecmp(s, "iso8601") == 0)
		*out = CFG_TS_ISO8601;
	else if (strcasecmp(s, "tai64n") == 0)
		*out = CFG_TS_TAI64N;
	else
		return (cfg_bad(ctx, v, s, "none, iso8601 or tai64n"));
	return (0);
}

/*
 * A path: ~ expanded, made absolute against the directory of the file
 * that names it, checked as flags say.
 */
int
cfg_path(struct cfg_ctx *ctx, struct cfg_val *v, const char *s, int flags,
    char **out)
{
	char	*home, *abs, *dir, *q;
	int	 ok = 1;

	if ((flags & CFG_F_SYSLOG) && strcasecmp(s, "syslog") == 0) {
		free(*out);
		*out = NULL;
		return (0);
	}
	if (*s == '\0')
		return (cfg_error(ctx, v->file, v->line, "%s: an empty path",
		    v->key));
	home = cfg_expanduser(s);
	abs = cfg_abspath(v->file->here, home);
	free(home);
	if (flags & CFG_F_ISDIR)
		ok = cfg_isdir(abs);
	else if (!(flags & CFG_F_DIROK) &&
	    (s[strlen(s) - 1] == '/' || cfg_isdir(abs))) {
		q = cfg_vis(abs);
		cfg_error(ctx, v->file, v->line, "%s: %s is a directory",
		    v->key, q);
		free(q);
		free(abs);
		return (-1);
	}
	dir = (flags & CFG_F_ISDIR) ? xstrdup(abs) : cfg_dirname(abs);
	if ((flags & CFG_F_PARENT) && !((flags & CFG_F_RUNDIR) &&
	    ctx->cf->rundir != NULL && strcmp(dir, ctx->cf->rundir) == 0))
		ok = cfg_isdir(dir);
	if (!ok) {
		q = cfg_vis(dir);
		cfg_error(ctx, v->file, v->line, "%s: no directory %s", v->key,
		    q);
		free(q);
		free(dir);
		free(abs);
		return (-1);
	}
	free(dir);
	free(*out);
	*out = abs;
	return (0);
}

/* *_logfile: AUTO, NONE or OFF, syslog (deprecated), or a path. */
int
cfg_log(struct cfg_ctx *ctx, struct cfg_val *v, const char *s,
    struct cfg_log *log, int first)
{
	if (strcasecmp(s, "auto") == 0 || strcasecmp(s, "none") == 0 ||
	    strcasecmp(s, "off") == 0 || strcasecmp(s, "syslog") == 0) {
		free(log->path);
		log->path = NULL;
		log->kind = strcasecmp(s, "auto") == 0 ? CFG_LOG_AUTO :
		    CFG_LOG_NONE;
		if (strcasecmp(s, "syslog") == 0) {
			log->syslog = 1;
			if (first)
				cfg_warn(ctx, v->file, v->line, "%s=syslog is "
				    "deprecated: it means %.6s_syslog=true and "
				    "no file", v->key, v->key);
		}
		return (0);
	}
	if (cfg_path(ctx, v, s, CFG_F_PARENT, &log->path) == -1)
		return (-1);
	log->kind = CFG_LOG_PATH;
	return (0);
}

int
cfg_user(struct cfg_ctx *ctx, struct cfg_val *v, const char *s, char **out)
{
	struct wd_creds	 creds;
	char		*q;

	if (ctx->lastuser == NULL || strcmp(ctx->lastuser, s) != 0) {
		if (wd_creds_lookup(s, &creds) == -1) {
			q = cfg_vis(s);
			if (errno == ENOENT || errno == EINVAL || errno == 0)
				cfg_error(ctx, v->file, v->line, "%s: no such "
				    "user \"%s\"", v->key, q);
			else
				cfg_error(ctx, v->file, v->line, "%s: cannot "
				    "look up \"%s\": %s", v->key, q,
				    strerror(errno));
			free(q);
			return (-1);
		}
		free(ctx->lastuser);
		ctx->lastuser = xstrdup(s);
	}
	free(*out);
	*out = xstrdup(s);
	return (0);
}

/*
 * environment=: KEY="val",KEY2=val2, as supervisord's
 * dict_of_key_value_pairs() reads it (shlex tokens taken three at a time,
 * the fourth skipped, quote characters stripped from each value's ends);
 * the last of a name wins, in the place of the first.
 */
int
cfg_env(struct cfg_ctx *ctx, struct cfg_val *v, const char *s, char ***envp)
{
	struct cfg_buf	  tok;
	struct cfg_map	  seen;
	struct cfg_ment	 *e;
	const char	 *p = s, *why = NULL, *val;
	char		**toks = NULL, **env, *kv, *q;
	size_t		  vlen;
	int		  ntoks = 0, nenv = 0, i, r, rv = -1;

	memset(&tok, 0, sizeof tok);
	memset(&seen, 0, sizeof seen);
	env = cfg_strv_new();
	while ((r = cfg_env_token(&p, &tok, &why)) == 1)
		cfg_strv_add(&toks, &ntoks, cfg_strndup(tok.s != NULL ?
		    tok.s : "", tok.len));
	if (r == -1) {
		cfg_error(ctx, v->file, v->line, "%s: %s", v->key, why);
		goto out;
	}
	for (i = 0; i < ntoks; i += 4) {
		if (ntoks - i < 3 || strcmp(toks[i + 1], "=") != 0) {
			cfg_error(ctx, v->file, v->line, "%s: not KEY=VALUE "
			    "pairs separated by commas (quote values with "
			    "spaces, commas or other punctuation)", v->key);
			goto out;
		}
		if (!cfg_envname(toks[i])) {
			q = cfg_vis(toks[i]);
			cfg_error(ctx, v->file, v->line, "%s: \"%s\" is not a "
			    "variable name", v->key, q);
			free(q);
			goto out;
		}
		val = toks[i + 2];
		vlen = strlen(val);
		while (vlen > 0 && (*val == '"' || *val == '\'')) {
			val++;
			vlen--;
		}
		while (vlen > 0 && (val[vlen - 1] == '"' ||
		    val[vlen - 1] == '\''))
			vlen--;
		xasprintf(&kv, "%s=%.*s", toks[i], (int)vlen, val);
		e = cfg_map_put(&seen, toks[i]);
		if (e->idx == -1) {
			e->idx = nenv;
			cfg_strv_add(&env, &nenv, kv);
		} else {
			free(env[e->idx]);
			env[e->idx] = kv;
		}
	}
	cfg_strv_free(*envp);
	*envp = env;
	env = NULL;
	rv = 0;
out:
	cfg_strv_free(env);
	cfg_strv_free(toks);
	cfg_map_free(&seen);
	free(tok.s);
	return (rv);
}

int
cfg_command(struct cfg_ctx *ctx, struct cfg_val *v, const char *s,
    char ***argvp)
{
	char	**argv, *why = NULL;

	if ((argv = cfg_shlex(s, &why)) == NULL) {
		cfg_error(ctx, v->file, v->line, "%s: %s%s", v->key, why,
		    v->cut ? " (an inline comment cut it inside quotes: "
		    "see the warning)" : "");
		free(why);
		return (-1);
	}
	if (argv[0] == NULL) {
		cfg_strv_free(argv);
		return (cfg_error(ctx, v->file, v->line, "%s: an empty command",
		    v->key));
	}
	cfg_strv_free(*argvp);
	*argvp = argv;
	return (0);
}

/*
 * ready=startsecs | notify | fd:N | tcp:[HOST:]PORT | pidfile:PATH, by
 * the one readiness parser (readiness.c).  Kept as written, but startsecs
 * is NULL and a pidfile's path is made absolute.
 */
int
cfg_ready(struct cfg_ctx *ctx, struct cfg_val *v, const char *s, char **out)
{
	struct ready_spec	 spec;
	const char		*why;
	char			*abs, *home, *r;

	if (ready_spec_parse(s, READY_FOR_SUP, &spec, &why) == -1)
		return (cfg_bad(ctx, v, s, why));
	if (spec.mode == READY_STARTSECS)
		r = NULL;
	else if (spec.mode == READY_PIDFILE) {
		home = cfg_expanduser(spec.path);
		abs = cfg_abspath(v->file->here, home);
		xasprintf(&r, "pidfile:%s", abs);
		free(abs);
		free(home);
	} else
		r = xstrdup(s);
	ready_spec_free(&spec);
	free(*out);
	*out = r;
	return (0);
}

/*
 * listen=ADDRESS, ...: sockets bound for the program (sockets.c), each
 * tcp://HOST:PORT or unix:///PATH, separated by commas.  Each is kept as
 * written; an empty value is none.
 */
int
cfg_listen(struct cfg_ctx *ctx, struct cfg_val *v, const char *s,
    char ***out)
{
	char		**list = NULL, *a, *q;
	const char	 *p, *end, *why;
	size_t		  len;
	int		  n = 0, i;

	for (p = s;; p = end + 1) {
		if ((end = strchr(p, ',')) == NULL)
			end = p + strlen(p);
		len = end - p;
		cfg_strip(&p, &len);
		a = cfg_strndup(p, len);
		if (*a == '\0' && n == 0 && *end == '\0') {
			free(a);	/* an empty value: none */
			break;
		}
		why = *a == '\0' ? "an empty address" : listen_check(a);
		for (i = 0; why == NULL && i < n; i++)
			if (strcmp(list[i], a) == 0)
				why = "an address given twice";
		if (why == NULL && n == CFG_MAXLISTEN)
			why = "more than " CFG_MAXLISTEN_S " addresses";
		if (why != NULL) {
			q = cfg_vis(a);
			cfg_error(ctx, v->file, v->line, "%s: \"%s\": %s",
			    v->key, q, why);
			free(q);
			free(a);
			cfg_strv_free(list);
			return (-1);
		}
		cfg_strv_add(&list, &n, a);
		if (*end == '\0')
			break;
	}
	cfg_strv_free(*out);
	*out = list;
	return (0);
}

/*
 * events=: names separated by commas, in any case, as supervisord reads
 * them; each subscribes to its type and every type beneath it.
 */
int
cfg_events(struct cfg_ctx *ctx, struct cfg_val *v, const char *s,
    uint32_t *out)
{
	const char	*p, *comma;
	char		*name, *q;
	uint32_t	 mask = 0, m;

	for (p = s; *s != '\0' && p != NULL; p = comma) {
		if ((comma = strchr(p, ',')) != NULL)
			name = cfg_strndup(p, (size_t)(comma++ - p));
		else
			name = xstrdup(p);
		q = cfg_strip_dup(name);
		free(name);
		for (name = q; *name != '\0'; name++)
			*name = (char)toupper((unsigned char)*name);
		if ((m = ev_type_mask(q)) == 0) {
			name = cfg_vis(q);
			free(q);
			cfg_error(ctx, v->file, v->line, "events: unknown event "
			    "type \"%s\"", name);
			free(name);
			return (-1);
		}
		free(q);
		mask |= m;
	}
	*out = mask;
	return (0);
}
