/*
 * The supervisor's configuration: supervisord's files, read the way
 * supervisord reads them (Python's RawConfigParser with inline comments
 * and strict=False, shlex for command= and environment=, Python's
 * %-formatting for expansions), into a struct config.
 *
 * This file is the driver: it runs three passes, each in a file of its
 * own (the shared structs are in cfg-internal.h):
 *  1. cfg_parse (cfg-ini.c): lines into sections of key = value, as
 *     configparser does it (comments, continuation lines, duplicates:
 *     last wins);
 *  2. cfg_includes (cfg-ini.c): the main file's [include] files=, read
 *     the same way;
 *  3. cfg_build (cfg-build.c): sections into the struct config and its
 *     procs, every value expanded (cfg-expand.c) and read by its key's
 *     row (cfg-keys.c), whose type (cfg-type.c) names its parser
 *     (cfg-value.c).
 * The first error stops everything: "FILE:LINE: what is wrong".  What
 * warden does not implement is a warning, "FILE:LINE: what", never silent.
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../warden.h"
#include "config.h"
#include "cfg-internal.h"

extern char	**environ;

/* What one load held, the config aside. */
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

/* What an HTTP server's section owns. */
static void
cfg_http_free(struct cfg_http *h)
{
	free(h->file);
	free(h->host);
	free(h->username);
	if (h->password != NULL)
		explicit_bzero(h->password, strlen(h->password));
	free(h->password);
}

static struct config *
cfg_new(void)
{
	struct config	*cf;

	cf = xcalloc(1, sizeof *cf);
	TAILQ_INIT(&cf->procs);
	cf->rundir = cfg_default_rundir();
	cf->unix_http.mode = 0700;
	cf->unix_http.uid = (uid_t)-1;
	cf->unix_http.gid = (gid_t)-1;
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
	cfg_http_free(&cf->unix_http);
	cfg_http_free(&cf->inet_http);
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

char *
cfg_server_url(const struct config *cf)
{
	char	*url;

	if (cf->unix_http.on) {
		xasprintf(&url, "unix://%s", cf->unix_http.file);
		return (url);
	}
	if (cf->inet_http.on) {
		xasprintf(&url, "http://%s:%d", *cf->inet_http.host != '\0' ?
		    cf->inet_http.host : "localhost", cf->inet_http.port);
		return (url);
	}
	return (NULL);
}

int
cfg_exitcode_expected(const struct cfg_proc *p, int code)
{
	if (code < 0 || code > 255)
		return (0);
	return ((p->exitcodes[code / 8] >> (code % 8)) & 1);
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
