/*
 * warden run, and warden stop/status --pidfile: the one-daemon family.
 *
 * "run" prepares everything that can fail while it can still say so
 * (user, directory, log files, pidfile lock, readiness channel), then
 * starts the command through fork, setsid, fork.  Without a monitor the
 * command is the daemon and the pidfile names it; it gets no extra fd, so
 * its liveness is decided by identity (pid, start time, executable).  With
 * --respawn or --syslog a monitor process stays with it, holds the lock,
 * and the pidfile names the monitor.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <dirent.h>
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
#include <time.h>
#include <unistd.h>

#include "warden.h"

extern char **environ;

#define DEFAULT_PATH	"/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
#define READY_TIMEOUT	60.0	/* seconds, unless --ready-timeout */
#define STOP_TIMEOUT	10.0	/* seconds, unless --timeout */
#define TAIL_MAX	4096	/* bytes of a failed start's stderr shown */

/* Variables meant for warden, never for the command it starts. */
static const char *run_env_drop[] = {
	"NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID", "LISTEN_FDS",
	"LISTEN_PID", "LISTEN_FDNAMES",
};

/* The long-only options' values: above any letter. */
enum {
	RUN_OPT_STDOUT = 256, RUN_OPT_STDERR, RUN_OPT_SYSLOG, RUN_OPT_READY,
	RUN_OPT_READY_TIMEOUT
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
	{ "foreground", 'F', NULL, "do everything but detach" },
};

struct run_opts {
	const char	 *pidfile, *name, *user, *dir;
	const char	 *output, *out_stdout, *out_stderr;
	const char	 *ready;
	char		**env;
	int		  nenv;
	int		  clearenv;
	int		  syslog, respawn, foreground;
	long		  umask;
	double		  ready_timeout;
};

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
	if (se != NULL && so != NULL && strcmp(se, so) == 0)
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
	if (ctx->ready.mode == READY_NOTIFY)
		run_notify_socket(ctx);
	ctx->envp = run_env(o, ctx);
	if ((ctx->sigfd = spawn_signal_fd()) == -1)
		err(1, "signalfd");
}

/*
 * What the command wrote to its stderr file since we started it (the
 * last TAIL_MAX bytes at most), into buf, ending in a newline; "" when
 * there is nothing to show.
 */
void
run_tail(struct run_ctx *ctx, char *buf, size_t len)
{
	struct stat	 sb;
	off_t		 from;
	ssize_t		 n;
	size_t		 want;

	buf[0] = '\0';
	if (len < 2 || ctx->err_start < 0 || fstat(ctx->errfd, &sb) == -1 ||
	    sb.st_size <= ctx->err_start)
		return;
	want = (size_t)(sb.st_size - ctx->err_start);
	if (want > TAIL_MAX)
		want = TAIL_MAX;
	if (want > len - 2)
		want = len - 2;
	from = sb.st_size - (off_t)want;
	if ((n = pread(ctx->errfd, buf, want, from)) <= 0) {
		buf[0] = '\0';
		return;
	}
	if (buf[n - 1] != '\n')
		buf[n++] = '\n';
	buf[n] = '\0';
}

/* Without a monitor: the command itself becomes the daemon. */
static int
run_direct(struct run_ctx *ctx)
{
	struct start_result	res;
	char			msg[1024], tail[TAIL_MAX + 2];

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

/* Free what run_prepare() allocated (the fds go with the process). */
void
run_ctx_free(struct run_ctx *ctx)
{
	char	**e;

	for (e = ctx->envp; e != NULL && *e != NULL; e++)
		free(*e);
	free(ctx->envp);
	free(ctx->name);
	ready_spec_free(&ctx->ready);
	free(ctx->argv0);
	ctx->argv0 = NULL;
	ctx->envp = NULL;
	ctx->name = NULL;
}

int
cmd_run(int argc, char **argv)
{
	struct run_opts	o;
	struct run_ctx	ctx;
	int		rv;

	memset(&ctx, 0, sizeof ctx);
	if ((rv = run_parse(argc, argv, &o, &ctx)) != 0) {
		free(o.env);
		run_ctx_free(&ctx);
		return (rv);
	}
	run_prepare(&o, &ctx);
	free(o.env);
	if (o.foreground)
		monitor_main(&ctx, -1);
	if (o.respawn || o.syslog)
		rv = run_monitored(&ctx);
	else
		rv = run_direct(&ctx);
	run_ctx_free(&ctx);
	return (rv);
}

/*
 * stop and status
 */

static const char *
run_pidfile_name(const char *path, char *buf, size_t len)
{
	const char	*base = strrchr(path, '/');
	char		*dot;

	snprintf(buf, len, "%s", base ? base + 1 : path);
	if ((dot = strrchr(buf, '.')) != NULL && strcmp(dot, ".pid") == 0 &&
	    dot != buf)
		*dot = '\0';
	return (buf);
}

/* Is pid a warden monitor (the same executable as us)? */
static int
run_is_monitor(pid_t pid)
{
	char	self[PATH_MAX], exe[PATH_MAX];

	if (wd_proc_exe(getpid(), self, sizeof self) == -1 ||
	    wd_proc_exe(pid, exe, sizeof exe) == -1)
		return (0);
	return (strcmp(self, exe) == 0);
}

/* The first child of pid: the command a monitor runs. */
static pid_t
run_child_of(pid_t pid)
{
	struct wd_proc_stat	 st;
	struct dirent		*de;
	DIR			*d;
	pid_t			 found = -1, p;

	if ((d = opendir("/proc")) == NULL)
		return (-1);
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		p = (pid_t)atol(de->d_name);
		if (wd_proc_stat(p, &st) == 0 && st.ppid == pid &&
		    st.state != 'Z') {
			found = p;
			break;
		}
	}
	closedir(d);
	return (found);
}

static int
run_pidfd_open(pid_t pid)
{
	return ((int)syscall(SYS_pidfd_open, pid, 0));
}

static int
run_pidfd_signal(int pidfd, int sig)
{
	return ((int)syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0));
}

/* Wait until the process behind pidfd exits, up to secs. 1: it did. */
static int
run_wait_pidfd(int pidfd, double secs)
{
	struct pollfd	pfd;
	int		n;

	pfd.fd = pidfd;
	pfd.events = POLLIN;
	while ((n = poll(&pfd, 1, (int)(secs * 1000))) == -1 && errno == EINTR)
		;
	return (n == 1);
}

/*
 * Remove a pidfile that names pid (or nothing live), taking its lock.
 * Returns 1 when it was removed.
 */
static int
run_pidfile_drop(const char *path, pid_t pid)
{
	struct wd_pidfile	pf;
	pid_t			cur;

	if (wd_pidfile_open(&pf, path) == -1)
		return (0);
	if (wd_pidfile_state(&pf, &cur) != WD_PID_RUNNING &&
	    (cur == pid || cur == 0 || pid == 0))
		return (wd_pidfile_remove(&pf) == 0);
	wd_pidfile_close(&pf);
	return (0);
}

/* Wait until no process of group pgid is left, up to secs: 0, or -1. */
static int
run_wait_group(pid_t pgid, double secs)
{
	struct timespec	ts = { 0, 10000000 };
	double		waited;

	/* No event tells a group is empty: this is a bounded poll. */
	for (waited = 0; waited < secs; waited += 0.01) {
		if (kill(-pgid, 0) == -1)
			return (0);
		nanosleep(&ts, NULL);
	}
	return (kill(-pgid, 0) == -1 ? 0 : -1);
}

static void
run_kill_group(pid_t pgid)
{
	if (pgid > 1 && pgid != getpgrp())
		kill(-pgid, SIGKILL);
}

int
cmd_stop(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "pidfile", required_argument, NULL, 'p' },
		{ "signal", required_argument, NULL, 's' },
		{ "timeout", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 }
	};
	struct wd_proc_stat	 st;
	const char		*path = NULL;
	char			 name[256];
	double			 timeout = STOP_TIMEOUT;
	pid_t			 pid, child = -1, pgid, cpgid = -1;
	int			 ch, sig = SIGTERM, state, pidfd;

	for (ch = 1; ch < argc; ch++)
		if (strncmp(argv[ch], "-p", 2) == 0 ||
		    strncmp(argv[ch], "--pidfile", 9) == 0)
			break;
	if (ch == argc)
		return (ctl_main("stop", argc, argv));
	while ((ch = getopt_long(argc, argv, "p:s:t:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'p':
			path = optarg;
			break;
		case 's':
			if ((sig = wd_sig_number(optarg)) == -1) {
				warnx("--signal: unknown signal: %s", optarg);
				return (EXIT_USAGE);
			}
			break;
		case 't':
			if (parse_seconds(optarg, &timeout) == -1) {
				warnx("--timeout: not a number of seconds: %s",
				    optarg);
				return (EXIT_USAGE);
			}
			break;
		default:
			return (CMD_USAGE);
		}
	}
	if (path == NULL || optind != argc)
		return (CMD_USAGE);
	run_pidfile_name(path, name, sizeof name);
	if ((state = wd_pidfile_check(path, &pid)) == -1)
		err(1, "%s", path);
	if (state != WD_PID_RUNNING || pid <= 0) {
		fprintf(stderr, "warden: %s: not running%s\n", name,
		    state != WD_PID_STALE ? "" : run_pidfile_drop(path, pid) ?
		    " (stale pidfile removed)" : " (stale pidfile left: "
		    "it cannot be locked)");
		return (0);
	}
	/* Pin the process, then make sure it is still the one named. */
	if ((pidfd = run_pidfd_open(pid)) == -1)
		err(1, "pidfd_open %ld", (long)pid);
	if (wd_pidfile_check(path, &pgid) != WD_PID_RUNNING || pgid != pid)
		errx(1, "%s: pidfile changed while stopping; not touching it",
		    name);
	pgid = wd_proc_stat(pid, &st) == 0 ? st.pgrp : -1;
	if (run_is_monitor(pid) && (child = run_child_of(pid)) > 0)
		cpgid = wd_proc_stat(child, &st) == 0 ? st.pgrp : -1;
	if (run_pidfd_signal(pidfd, sig) == -1)
		err(1, "kill %ld", (long)pid);
	if (sig != SIGCONT && sig != SIGKILL)
		(void)run_pidfd_signal(pidfd, SIGCONT);
	if (sig == SIGKILL)
		run_kill_group(cpgid);	/* the monitor cannot pass it on */
	if (!run_wait_pidfd(pidfd, timeout)) {
		warnx("%s: still running after %g s; killing process group %ld",
		    name, timeout, (long)pgid);
		run_kill_group(pgid);
		run_kill_group(cpgid);
		(void)run_pidfd_signal(pidfd, SIGKILL);
		if (!run_wait_pidfd(pidfd, 5))
			errx(1, "%s: pid %ld survived SIGKILL", name, (long)pid);
	}
	close(pidfd);
	/* Whatever the monitor left of its command goes too. */
	if (cpgid > 1 && kill(-cpgid, 0) == 0) {
		kill(-cpgid, SIGTERM);
		kill(-cpgid, SIGCONT);
		if (run_wait_group(cpgid, timeout) == -1)
			run_kill_group(cpgid);
	}
	(void)run_pidfile_drop(path, pid);
	return (0);
}

/* Seconds since the epoch at which a process started. */
static time_t
run_since(const struct wd_proc_stat *st)
{
	struct timespec	real, boot;

	clock_gettime(CLOCK_REALTIME, &real);
	clock_gettime(CLOCK_BOOTTIME, &boot);
	return (real.tv_sec - (time_t)((double)boot.tv_sec +
	    (double)boot.tv_nsec / 1e9 - wd_proc_started(st)));
}

static void
run_uptime(time_t secs, char *buf, size_t len)
{
	if (secs < 60)
		snprintf(buf, len, "%lds", (long)secs);
	else if (secs < 3600)
		snprintf(buf, len, "%ldm%02lds", (long)secs / 60,
		    (long)secs % 60);
	else if (secs < 86400)
		snprintf(buf, len, "%ldh%02ldm", (long)secs / 3600,
		    (long)(secs % 3600) / 60);
	else
		snprintf(buf, len, "%ldd%02ldh", (long)secs / 86400,
		    (long)(secs % 86400) / 3600);
}

int
cmd_status(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "pidfile", required_argument, NULL, 'p' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 }
	};
	struct wd_proc_stat	 st;
	const char		*path = NULL, *state_name;
	char			 name[256], up[32], desc[128];
	pid_t			 pid, child = -1;
	time_t			 since = 0;
	int			 ch, json = 0, state, rc;

	for (ch = 1; ch < argc; ch++)
		if (strncmp(argv[ch], "-p", 2) == 0 ||
		    strncmp(argv[ch], "--pidfile", 9) == 0)
			break;
	if (ch == argc)
		return (ctl_main("status", argc, argv));
	while ((ch = getopt_long(argc, argv, "p:j", longopts, NULL)) != -1) {
		switch (ch) {
		case 'p':
			path = optarg;
			break;
		case 'j':
			json = 1;
			break;
		default:
			return (CMD_USAGE);
		}
	}
	if (path == NULL || optind != argc)
		return (CMD_USAGE);
	run_pidfile_name(path, name, sizeof name);
	state = wd_pidfile_check(path, &pid);
	desc[0] = '\0';
	switch (state) {
	case WD_PID_RUNNING:
		rc = 0;
		state_name = "RUNNING";
		if (pid > 0 && wd_proc_stat(pid, &st) == 0) {
			since = run_since(&st);
			run_uptime(time(NULL) - since, up, sizeof up);
			if (run_is_monitor(pid) &&
			    (child = run_child_of(pid)) > 0)
				snprintf(desc, sizeof desc, "pid %ld, uptime %s, "
				    "monitor of pid %ld", (long)pid, up,
				    (long)child);
			else if (run_is_monitor(pid))
				snprintf(desc, sizeof desc, "pid %ld, uptime %s, "
				    "monitor, command restarting", (long)pid, up);
			else
				snprintf(desc, sizeof desc, "pid %ld, uptime %s",
				    (long)pid, up);
		} else
			snprintf(desc, sizeof desc, "starting");
		break;
	case WD_PID_STALE:
		rc = 1;
		state_name = "EXITED";
		if (pid > 0)
			snprintf(desc, sizeof desc, "not running; stale pidfile "
			    "names pid %ld", (long)pid);
		else
			snprintf(desc, sizeof desc, "not running; the pidfile "
			    "names no pid");
		pid = 0;
		break;
	case WD_PID_NONE:
		rc = 3;
		state_name = "STOPPED";
		snprintf(desc, sizeof desc, "not running");
		pid = 0;
		break;
	default:
		rc = 4;
		state_name = "UNKNOWN";
		snprintf(desc, sizeof desc, "%s: %s", path, strerror(errno));
		pid = 0;
	}
	if (json) {
		printf("{\"services\": [{\"name\": ");
		json_string(stdout, name);
		printf(", \"group\": null, \"state\": \"%s\", \"pid\": ",
		    state_name);
		if (pid > 0)
			printf("%ld", (long)pid);
		else
			printf("null");
		if (since > 0)
			printf(", \"since\": %lld", (long long)since);
		else
			printf(", \"since\": null");
		printf(", \"exit_status\": null, \"restarts\": null, "
		    "\"ready\": %s, \"description\": ", rc == 0 ? "true" :
		    "false");
		json_string(stdout, desc);
		printf("}]}\n");
	} else
		printf("%-16s %-8s %s\n", name, state_name, desc);
	return (rc);
}
