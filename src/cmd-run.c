/*
 * warden run: start one command as a daemon.
 *
 * It prepares everything that can fail while it can still say so
 * (user, directory, log files, pidfile lock, readiness channel), then
 * starts the command through fork, setsid, fork.  Without a monitor the
 * command is the daemon and the pidfile names it; it gets no extra fd, so
 * its liveness is decided by identity (pid, start time, executable).  With
 * --respawn or --syslog a monitor process stays with it, holds the lock,
 * and the pidfile names the monitor.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "warden.h"

extern char **environ;

#define DEFAULT_PATH	"/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
#define READY_TIMEOUT	60.0	/* seconds, unless --ready-timeout */

/* Variables meant for warden, never for the command it starts. */
static const char *run_env_drop[] = {
	"NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID", "LISTEN_FDS",
	"LISTEN_PID", "LISTEN_FDNAMES",
};

/* The long-only options' values: above any letter. */
enum {
	RUN_OPT_STDOUT = 256, RUN_OPT_STDERR, RUN_OPT_SYSLOG, RUN_OPT_READY,
	RUN_OPT_READY_TIMEOUT, RUN_OPT_LISTEN
};

/* run's options: getopt_long's tables and "warden help run" come from it. */
static const struct run_option {
	const char	*name;
	int		 val;		/* the letter, or RUN_OPT_* */
	const char	*arg;		/* the argument's name, or NULL */
	const char	*help;
} run_options[] = {
	{ "pidfile", 'p', "FILE",
	    "pidfile; refuse when it names a running daemon" },
	{ "name", 'n', "NAME", "name used in messages (default: COMMAND's)" },
	{ "user", 'u', "USER[:GROUP]", "drop privileges before exec" },
	{ "chdir", 'C', "DIR", "working directory (default /)" },
	{ "umask", 'm', "MODE", "file mode mask (default 022)" },
	{ "output", 'o', "FILE", "append stdout and stderr to FILE" },
	{ "stdout", RUN_OPT_STDOUT, "FILE", "append stdout to FILE" },
	{ "stderr", RUN_OPT_STDERR, "FILE", "append stderr to FILE" },
	{ "syslog", RUN_OPT_SYSLOG, NULL, "send stdout and stderr to syslog" },
	{ "env", 'e', "NAME=VALUE", "set a variable (repeatable)" },
	{ "clear-env", 'E', NULL,
	    "start from an empty environment (PATH kept)" },
	{ "respawn", 'r', NULL, "restart COMMAND when it dies, with backoff" },
	{ "ready", RUN_OPT_READY, "MODE",
	    "exec (default) | notify | fd:N | tcp:[HOST:]PORT" },
	{ "ready-timeout", RUN_OPT_READY_TIMEOUT, "SEC",
	    "give up waiting for readiness (default 60)" },
	{ "listen", RUN_OPT_LISTEN, "ADDR",
	    "hand over a socket bound here, from fd 3 (repeatable)" },
	{ "foreground", 'F', NULL, "do everything but detach" },
};

struct run_opts {
	const char	 *pidfile, *name, *user, *dir;
	const char	 *output, *out_stdout, *out_stderr;
	const char	 *ready;
	char		**env;
	int		  nenv;
	const char	**listen;
	int		  nlisten;
	int		  clearenv;
	int		  syslog, respawn, foreground;
	long		  umask;
	double		  ready_timeout;
};

/* Is var one of run_env_drop, which the command never inherits? */
static int
run_env_dropped(const char *var)
{
	size_t	i, n;

	for (i = 0; i < nitems(run_env_drop); i++) {
		n = strlen(run_env_drop[i]);
		if (strncmp(var, run_env_drop[i], n) == 0 && var[n] == '=')
			return (1);
	}
	return (0);
}

/* The command's whole environment, built before any fork. */
static char **
run_env(struct run_opts *o, struct run_ctx *ctx)
{
	char	**env, *s, **e;
	int	  n = 0, i;

	env = xcalloc(1, sizeof *env);
	if (o->clearenv) {
		xasprintf(&s, "PATH=%s", getenv("PATH") ? getenv("PATH") :
		    DEFAULT_PATH);
		env = env_set(env, &n, s);
		free(s);
	} else {
		for (e = environ; *e != NULL; e++)
			if (strchr(*e, '=') != NULL && !run_env_dropped(*e))
				env = env_set(env, &n, *e);
	}
	if (ctx->has_creds) {
		xasprintf(&s, "HOME=%s", ctx->creds.home);
		env = env_set(env, &n, s);
		free(s);
		xasprintf(&s, "USER=%s", ctx->creds.name);
		env = env_set(env, &n, s);
		free(s);
		xasprintf(&s, "LOGNAME=%s", ctx->creds.name);
		env = env_set(env, &n, s);
		free(s);
	}
	for (i = 0; i < o->nenv; i++)
		env = env_set(env, &n, o->env[i]);
	if (ctx->ready.mode == READY_NOTIFY) {
		xasprintf(&s, "NOTIFY_SOCKET=%s", ctx->notify_name);
		env = env_set(env, &n, s);
		free(s);
	}
	if (ctx->nlisten > 0)
		env = listen_env(env, &n, ctx->nlisten, ctx->name);
	return (env);
}

/* Print run's options, one a line, as "warden help run" shows them. */
void
run_help(FILE *fp)
{
	const struct run_option	*ro;
	char			 lng[64];
	size_t			 i;

	for (i = 0; i < nitems(run_options); i++) {
		ro = &run_options[i];
		snprintf(lng, sizeof lng, "--%s%s%s", ro->name,
		    ro->arg ? " " : "", ro->arg ? ro->arg : "");
		if (ro->val < RUN_OPT_STDOUT)
			fprintf(fp, "  -%c, %-20s %s\n", ro->val, lng, ro->help);
		else
			fprintf(fp, "      %-20s %s\n", lng, ro->help);
	}
}

/*
 * getopt_long's tables from run_options: lo has room for every option and
 * the end, so for "+", each letter and its ':', and the NUL.
 */
static void
run_getopt_tables(struct option *lo, char *so)
{
	const struct run_option	*ro;
	size_t			 i;

	*so++ = '+';
	for (i = 0; i < nitems(run_options); i++) {
		ro = &run_options[i];
		lo[i].name = ro->name;
		lo[i].has_arg = ro->arg ? required_argument : no_argument;
		lo[i].flag = NULL;
		lo[i].val = ro->val;
		if (ro->val < RUN_OPT_STDOUT) {
			*so++ = (char)ro->val;
			if (ro->arg != NULL)
				*so++ = ':';
		}
	}
	memset(&lo[i], 0, sizeof lo[i]);
	*so = '\0';
}

/* One --listen: a good address, not given before, within the bound. */
static int
run_listen_arg(struct run_opts *o, const char *addr)
{
	const char	*why;
	int		 i;

	if ((why = listen_check(addr)) != NULL) {
		warnx("--listen %s: %s", addr, why);
		return (-1);
	}
	for (i = 0; i < o->nlisten; i++)
		if (strcmp(o->listen[i], addr) == 0) {
			warnx("--listen %s: given twice", addr);
			return (-1);
		}
	if (o->nlisten == SPAWN_MAXLISTEN) {
		warnx("--listen: more than %d addresses", SPAWN_MAXLISTEN);
		return (-1);
	}
	o->listen[o->nlisten++] = addr;
	return (0);
}

/*
 * Read the options into o and ctx: 0, CMD_USAGE, or EXIT_USAGE after a
 * message of its own.
 */
static int
run_parse(int argc, char **argv, struct run_opts *o, struct run_ctx *ctx)
{
	struct option	 longopts[nitems(run_options) + 1];
	char		 shortopts[2 * nitems(run_options) + 2];
	const char	*cause;
	char		*end;
	int		 ch;

	memset(o, 0, sizeof *o);
	o->umask = 022;
	o->ready_timeout = READY_TIMEOUT;
	o->env = xcalloc(argc, sizeof *o->env);
	o->listen = xcalloc(argc, sizeof *o->listen);
	run_getopt_tables(longopts, shortopts);
	while ((ch = getopt_long(argc, argv, shortopts, longopts, NULL)) !=
	    -1) {
		switch (ch) {
		case 'p':
			o->pidfile = optarg;
			break;
		case 'n':
			o->name = optarg;
			break;
		case 'u':
			o->user = optarg;
			break;
		case 'C':
			o->dir = optarg;
			break;
		case 'm':
			errno = 0;
			o->umask = strtol(optarg, &end, 8);
			if (errno != 0 || *optarg == '\0' || *end != '\0' ||
			    o->umask < 0 || o->umask > 0777) {
				warnx("--umask: not an octal mode: %s", optarg);
				return (EXIT_USAGE);
			}
			break;
		case 'o':
			o->output = optarg;
			break;
		case RUN_OPT_STDOUT:
			o->out_stdout = optarg;
			break;
		case RUN_OPT_STDERR:
			o->out_stderr = optarg;
			break;
		case RUN_OPT_SYSLOG:
			o->syslog = 1;
			break;
		case 'e':
			if (strchr(optarg, '=') == NULL || optarg[0] == '=') {
				warnx("--env: not NAME=VALUE: %s", optarg);
				return (EXIT_USAGE);
			}
			o->env[o->nenv++] = optarg;
			break;
		case 'E':
			o->clearenv = 1;
			break;
		case 'r':
			o->respawn = 1;
			break;
		case RUN_OPT_READY:
			o->ready = optarg;
			break;
		case RUN_OPT_READY_TIMEOUT:
			if (parse_seconds(optarg, &o->ready_timeout) == -1 ||
			    o->ready_timeout <= 0) {
				warnx("--ready-timeout: not a number of "
				    "seconds: %s", optarg);
				return (EXIT_USAGE);
			}
			break;
		case RUN_OPT_LISTEN:
			if (run_listen_arg(o, optarg) == -1)
				return (EXIT_USAGE);
			break;
		case 'F':
			o->foreground = 1;
			break;
		default:
			return (CMD_USAGE);
		}
	}
	if (optind >= argc)
		return (CMD_USAGE);
	if (o->syslog && (o->output || o->out_stdout || o->out_stderr)) {
		warnx("--syslog and --output/--stdout/--stderr exclude each "
		    "other");
		return (EXIT_USAGE);
	}
	ctx->argv = argv + optind;
	if (ready_spec_parse(o->ready, READY_FOR_RUN, &ctx->ready,
	    &cause) == -1) {
		warnx("--ready %s: not %s", o->ready, cause);
		return (EXIT_USAGE);
	}
	return (0);
}

/* Open a log target as the caller, before dropping anything. */
static int
run_open_output(const char *path)
{
	int	fd;

	if (path == NULL)
		fd = open("/dev/null", O_WRONLY|O_CLOEXEC|O_NOCTTY);
	else
		fd = open(path, O_RDWR|O_APPEND|O_CREAT|O_CLOEXEC|O_NOCTTY,
		    0644);
	if (fd == -1)
		err(1, "%s", path ? path : "/dev/null");
	return (fd);
}

/* Where the command's stdout and stderr go: files, syslog pipes, or ours. */
static void
run_outputs(struct run_opts *o, struct run_ctx *ctx)
{
	const char	*so, *se;
	struct stat	 sb;
	int		 p[2];

	ctx->err_start = -1;
	if (o->syslog) {
		if (pipe2(p, O_CLOEXEC) == -1)
			err(1, "pipe");
		ctx->syslog_rd[0] = p[0];
		ctx->outfd = p[1];
		if (pipe2(p, O_CLOEXEC) == -1)
			err(1, "pipe");
		ctx->syslog_rd[1] = p[0];
		ctx->errfd = p[1];
		return;
	}
	so = o->out_stdout ? o->out_stdout : o->output;
	se = o->out_stderr ? o->out_stderr : o->output;
	if (o->foreground && so == NULL && se == NULL) {
		/* Not detached: output stays where ours goes. */
		if ((ctx->outfd = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3)) ==
		    -1 || (ctx->errfd = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC,
		    3)) == -1)
			err(1, "dup");
		return;
	}
	ctx->outfd = run_open_output(so);
	if (se == NULL && !o->foreground) {
		/* Not /dev/null: a relay, to show a failed start's words. */
		if (relay_start(ctx, &ctx->errfd) == -1)
			err(1, "stderr relay");
	} else if (se != NULL && so != NULL && strcmp(se, so) == 0)
		ctx->errfd = ctx->outfd;
	else
		ctx->errfd = run_open_output(se);
	if (se != NULL && fstat(ctx->errfd, &sb) == 0 && S_ISREG(sb.st_mode))
		ctx->err_start = sb.st_size;
}

/* sd_notify: a datagram socket with an abstract name the kernel picks. */
static void
run_notify_socket(struct run_ctx *ctx)
{
	ctx->notify_sock = notify_socket(ctx->notify_name,
	    sizeof ctx->notify_name);
	if (ctx->notify_sock == -1)
		err(1, "notify socket");
}

/*
 * Take the pidfile's lock, and refuse when it names a running daemon.  A
 * stale file is emptied, to be written once the daemon's pid is known.
 */
static void
run_pidfile(const char *path, struct run_ctx *ctx)
{
	pid_t	pid;

	if (wd_pidfile_open(&ctx->pf, path) == -1) {
		if (errno == EEXIST) {
			pid = wd_pidfile_read(path);
			if (pid > 0)
				errx(1, "%s: already running, pid %ld",
				    ctx->name, (long)pid);
			errx(1, "%s: already running (%s is locked)",
			    ctx->name, path);
		}
		if (errno == ELOOP)
			errx(1, "%s: refusing a pidfile that is a symlink",
			    path);
		if (errno == EPERM)
			errx(1, "%s: refusing a pidfile that others could "
			    "replace (check the file and its directory)", path);
		if (errno == EINVAL)
			errx(1, "%s: not a regular file", path);
		err(1, "%s", path);
	}
	ctx->has_pf = 1;
	if (wd_pidfile_state(&ctx->pf, &pid) == WD_PID_RUNNING)
		errx(1, "%s: already running, pid %ld", ctx->name, (long)pid);
	if (ftruncate(ctx->pf.fd, 0) == -1)
		err(1, "%s", path);
}

/*
 * --listen: every address bound now, as the caller, before anything
 * starts; the daemon (or the monitor, across restarts) keeps them.
 */
static void
run_listen(struct run_opts *o, struct run_ctx *ctx)
{
	char	why[512];
	int	i;

	ctx->socks = xcalloc(o->nlisten, sizeof *ctx->socks);
	ctx->listen_fds = xcalloc(o->nlisten, sizeof *ctx->listen_fds);
	for (i = 0; i < o->nlisten; i++) {
		ctx->socks[i].addr = xstrdup(o->listen[i]);
		ctx->socks[i].fd = -1;
		if (listen_bind(&ctx->socks[i], why, sizeof why) == -1) {
			while (--i >= 0)
				listen_close(&ctx->socks[i]);
			errx(1, "--listen: %s", why);
		}
		ctx->listen_fds[i] = ctx->socks[i].fd;
		ctx->nlisten++;
	}
}

/* Everything that can fail, done while we can still say so. */
static void
run_prepare(struct run_opts *o, struct run_ctx *ctx)
{
	const char	*slash;

	/* A relative path to the command is the caller's, not -C's. */
	if (strchr(ctx->argv[0], '/') != NULL && ctx->argv[0][0] != '/') {
		char	cwd[PATH_MAX];

		if (getcwd(cwd, sizeof cwd) == NULL)
			err(1, "getcwd");
		xasprintf(&ctx->argv0, "%s/%s", cwd, ctx->argv[0]);
		ctx->argv[0] = ctx->argv0;
	}
	if (o->name != NULL)
		ctx->name = xstrdup(o->name);
	else if ((slash = strrchr(ctx->argv[0], '/')) != NULL && slash[1])
		ctx->name = xstrdup(slash + 1);
	else
		ctx->name = xstrdup(ctx->argv[0]);
	ctx->umask = (mode_t)o->umask;
	ctx->respawn = o->respawn;
	ctx->foreground = o->foreground;
	ctx->syslog = o->syslog;
	ctx->ready_timeout = o->ready_timeout;
	ctx->stop_timeout = STOP_TIMEOUT;
	ctx->notify_sock = -1;
	ctx->relayfd = -1;
	ctx->syslog_rd[0] = ctx->syslog_rd[1] = -1;
	if (o->user != NULL) {
		if (wd_creds_lookup(o->user, &ctx->creds) == -1) {
			if (errno == ENOENT || errno == 0)
				errx(1, "unknown user or group: %s", o->user);
			err(1, "user %s", o->user);
		}
		ctx->has_creds = 1;
	}
	ctx->dirfd = open(o->dir ? o->dir : "/", O_PATH|O_DIRECTORY|O_CLOEXEC);
	if (ctx->dirfd == -1)
		err(1, "chdir %s", o->dir ? o->dir : "/");
	run_outputs(o, ctx);
	if (o->pidfile != NULL)
		run_pidfile(o->pidfile, ctx);
	if (o->nlisten > 0)
		run_listen(o, ctx);
	if (ctx->ready.mode == READY_NOTIFY)
		run_notify_socket(ctx);
	ctx->envp = run_env(o, ctx);
	if ((ctx->sigfd = spawn_signal_fd()) == -1)
		err(1, "signalfd");
}

/* Without a monitor: the command itself becomes the daemon. */
static int
run_direct(struct run_ctx *ctx)
{
	struct start_result	res;
	char			msg[1024], tail[RUN_TAIL_MAX + 2];

	if (spawn_start(ctx, 1, &res) == 0)
		return (0);
	if (res.outcome == START_TIMEOUT || res.outcome == START_INTERRUPTED)
		(void)spawn_stop(ctx, res.pid, ctx->stop_timeout);
	run_tail(ctx, tail, sizeof tail);
	fputs(tail, stderr);
	spawn_message(ctx, &res, msg, sizeof msg);
	warnx("%s", msg);
	if (ctx->has_pf)
		(void)wd_pidfile_remove(&ctx->pf);
	return (1);
}

/*
 * With a monitor: fork, setsid, fork the monitor, then wait for its word
 * on the first start.  A signal to us is passed on to it.
 */
static int
run_monitored(struct run_ctx *ctx)
{
	struct run_verdict	 v;
	struct signalfd_siginfo	 si;
	struct pollfd		 pfd[2];
	int			 rep[2];
	pid_t			 pid, mon = -1;
	size_t			 got = 0;
	ssize_t			 n;

	if (pipe2(rep, O_CLOEXEC) == -1)
		err(1, "pipe");
	if ((pid = fork()) == -1)
		err(1, "fork");
	if (pid == 0) {
		close(rep[0]);
		if (setsid() == -1 || (pid = fork()) == -1)
			_exit(1);
		if (pid > 0) {
			memset(&v, 0, sizeof v);
			v.type = 'p';
			v.pid = pid;
			(void)write(rep[1], &v, sizeof v);
			_exit(0);
		}
		monitor_main(ctx, rep[1]);
	}
	close(rep[1]);
	if (ctx->has_pf)
		wd_pidfile_close(&ctx->pf);	/* the monitor holds the lock */
	while (waitpid(pid, NULL, 0) == -1 && errno == EINTR)
		;
	pfd[0].fd = rep[0];
	pfd[0].events = POLLIN;
	pfd[1].fd = ctx->sigfd;
	pfd[1].events = POLLIN;
	for (;;) {
		if (poll(pfd, 2, -1) == -1 && errno != EINTR)
			err(1, "poll");
		if (pfd[1].revents) {
			while (read(ctx->sigfd, &si, sizeof si) == sizeof si)
				if (si.ssi_signo != SIGCHLD && mon > 0)
					kill(mon, si.ssi_signo == SIGHUP ?
					    SIGTERM : (int)si.ssi_signo);
		}
		if (!pfd[0].revents)
			continue;
		n = read(rep[0], (char *)&v + got, sizeof v - got);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			errx(1, "%s: the monitor died while starting", ctx->name);
		if ((got += n) < sizeof v)
			continue;
		got = 0;
		if (v.type == 'p')
			mon = v.pid;
		else if (v.type == 'v') {
			if (v.msg[0] != '\0')
				fprintf(stderr, "%s\n", v.msg);
			return (v.code);
		}
	}
}

/* warden run [options] -- COMMAND [ARG...] */
int
cmd_run(int argc, char **argv)
{
	struct run_opts	o;
	struct run_ctx	ctx;
	int		rv;

	memset(&ctx, 0, sizeof ctx);
	if ((rv = run_parse(argc, argv, &o, &ctx)) != 0) {
		free(o.env);
		free(o.listen);
		run_ctx_free(&ctx);
		return (rv);
	}
	run_prepare(&o, &ctx);
	free(o.env);
	free(o.listen);
	if (o.foreground)
		monitor_main(&ctx, -1);
	if (o.respawn || o.syslog)
		rv = run_monitored(&ctx);
	else
		rv = run_direct(&ctx);
	run_ctx_free(&ctx);
	return (rv);
}
