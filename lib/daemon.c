/*
 * wd_daemonize(): the daemon(7) sequence, with the original process kept
 * waiting so that the shell learns the truth.
 *
 * Two CLOEXEC pipes join the launcher (the original process) and the
 * daemon: the daemon's stderr, relayed to the launcher's until ready, and
 * a status pipe carrying small records (the daemon's pid, "ready", "failed
 * with status N").  The launcher is a child subreaper while it waits, so
 * the daemon becomes its child once the intermediate process exits and a
 * death before readiness comes back with its exit status.
 */
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "wd-internal.h"

struct daemon_msg {
	char	type;		/* 'p' pid, 'r' ready, 'f' failed */
	int	value;
};

/*
 * The state a process keeps between wd_daemonize() and wd_ready(): a
 * process daemonizes once, so it is per process by nature.
 */
static struct {
	int			statusfd;	/* to the launcher, or -1 */
	int			outfd;		/* stderr once ready, or -1 */
	int			havepf;
	struct wd_pidfile	pf;
} daemon_state = { -1, -1, 0, { -1, 0, 0, "" } };

extern char *program_invocation_short_name;

/*
 * Write one record to the launcher.  If it is gone, the write must fail
 * with EPIPE rather than kill us: SIGPIPE is blocked around it, and one
 * raised by this write is taken off the pending set before unblocking.
 */
static int
daemon_send(int fd, char type, int value)
{
	struct daemon_msg	 m;
	struct timespec		 zero = { 0, 0 };
	sigset_t		 pipe, old, pending;
	int			 rv, saved_errno, was_pending;

	memset(&m, 0, sizeof m);
	m.type = type;
	m.value = value;
	sigemptyset(&pipe);
	sigaddset(&pipe, SIGPIPE);
	if (sigprocmask(SIG_BLOCK, &pipe, &old) == -1)
		return (-1);
	sigpending(&pending);
	was_pending = sigismember(&pending, SIGPIPE);
	rv = wd__write_all(fd, &m, sizeof m);
	saved_errno = errno;
	if (rv == -1 && saved_errno == EPIPE && !was_pending)
		(void)sigtimedwait(&pipe, NULL, &zero);
	(void)sigprocmask(SIG_SETMASK, &old, NULL);
	errno = saved_errno;
	return (rv);
}

static void	daemon_say(const char *, ...)
		    __attribute__((format(printf, 1, 2)));

/* The launcher's one voice: "PROGRAM: message" on its stderr. */
static void
daemon_say(const char *fmt, ...)
{
	va_list	ap;
	char	buf[256];
	int	len, n;

	len = snprintf(buf, sizeof buf, "%s: ", program_invocation_short_name);
	if (len < 0 || len > (int)sizeof buf - 2)
		len = 0;
	va_start(ap, fmt);
	n = vsnprintf(buf + len, sizeof buf - len, fmt, ap);
	va_end(ap);
	if (n > 0)
		len += n;
	if (len > (int)sizeof buf - 2)
		len = sizeof buf - 2;
	buf[len++] = '\n';
	(void)wd__write_all(STDERR_FILENO, buf, len);
}

/* Copy what is waiting on the stderr pipe without blocking. */
static void
daemon_drain(int errfd)
{
	char	buf[4096];
	ssize_t	n;

	(void)fcntl(errfd, F_SETFL, O_NONBLOCK);
	while ((n = read(errfd, buf, sizeof buf)) > 0 || (n == -1 &&
	    errno == EINTR))
		if (n > 0)
			(void)wd__write_all(STDERR_FILENO, buf, n);
}

static int
daemon_status_of(int status)
{
	if (WIFEXITED(status))
		return (WEXITSTATUS(status) ? WEXITSTATUS(status) : WD_EXIT_FAIL);
	if (WIFSIGNALED(status))
		return (128 + WTERMSIG(status));
	return (WD_EXIT_FAIL);
}

/* The daemon died before a verdict: say how, and pass its status on. */
static int
daemon_died(pid_t pid)
{
	int	status;

	if (pid <= 0 || waitpid(pid, &status, 0) != pid)
		return (WD_EXIT_FAIL);
	if (WIFSIGNALED(status))
		daemon_say("daemon killed by signal %d before it was ready",
		    WTERMSIG(status));
	else if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		daemon_say("daemon exited (status 0) before it was ready");
	return (daemon_status_of(status));
}

/* Milliseconds left until deadline, at least 0. */
static int
daemon_ms_left(const struct timespec *deadline)
{
	struct timespec	now;
	long long	ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (long long)(deadline->tv_sec - now.tv_sec) * 1000 +
	    (deadline->tv_nsec - now.tv_nsec) / 1000000;
	return (ms > 0 ? (int)ms : 0);
}

/*
 * Wait until the child pid has ended or ms have passed: 0 when it has
 * ended (reaped, or not ours to reap), -1 when it still runs.  A pidfd
 * becomes readable when the process ends; where pidfd_open is refused
 * (ENOSYS, a seccomp filter), SIGCHLD, blocked and waited for, serves.
 */
static int
daemon_reap(pid_t pid, int ms)
{
	struct timespec	 deadline, ts;
	struct pollfd	 pfd;
	sigset_t	 chld, old;
	int		 fd, left;

	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += ms / 1000;
	deadline.tv_nsec += (long)(ms % 1000) * 1000000;
	if (deadline.tv_nsec >= 1000000000) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000;
	}
	if ((fd = (int)syscall(SYS_pidfd_open, pid, 0)) != -1) {
		pfd.fd = fd;
		pfd.events = POLLIN;
		while (waitpid(pid, NULL, WNOHANG) == 0 &&
		    (left = daemon_ms_left(&deadline)) > 0)
			(void)poll(&pfd, 1, left);
		close(fd);
	} else {
		sigemptyset(&chld);
		sigaddset(&chld, SIGCHLD);
		(void)sigprocmask(SIG_BLOCK, &chld, &old);
		while (waitpid(pid, NULL, WNOHANG) == 0 &&
		    (left = daemon_ms_left(&deadline)) > 0) {
			ts.tv_sec = left / 1000;
			ts.tv_nsec = (long)(left % 1000) * 1000000;
			(void)sigtimedwait(&chld, NULL, &ts);
		}
		(void)sigprocmask(SIG_SETMASK, &old, NULL);
	}
	return (waitpid(pid, NULL, WNOHANG) == 0 ? -1 : 0);
}

/* Stop the daemon that will not be ready: TERM, up to 5 s, then KILL. */
static void
daemon_stop(pid_t pid)
{
	if (pid <= 0)
		return;
	kill(pid, SIGTERM);
	kill(pid, SIGCONT);
	if (daemon_reap(pid, 5000) == -1) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
}

static int
daemon_timeout(pid_t pid, unsigned int secs)
{
	daemon_say("daemon not ready after %u s", secs);
	daemon_stop(pid);
	return (WD_EXIT_TIMEOUT);
}

/*
 * The launcher's own INT, TERM, HUP and QUIT come through a signalfd:
 * interrupting the start stops the daemon too, rather than leaving it
 * half started with no one reading its stderr.
 */
static int
daemon_signal_fd(void)
{
	sigset_t	set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGQUIT);
	if (sigprocmask(SIG_BLOCK, &set, NULL) == -1)
		return (-1);
	return (signalfd(-1, &set, SFD_CLOEXEC|SFD_NONBLOCK));
}

static int
daemon_interrupted(int sigfd, pid_t pid)
{
	struct signalfd_siginfo	si;

	if (read(sigfd, &si, sizeof si) != sizeof si)
		return (-1);
	daemon_say("interrupted by signal %d; stopping the daemon",
	    (int)si.ssi_signo);
	daemon_stop(pid);
	return (128 + (int)si.ssi_signo);
}

/*
 * The launcher's exit after a failed start: the daemon wrote its pid in
 * the pidfile we locked together, and it never became ready.
 */
static void __attribute__((noreturn))
daemon_fail_exit(int status)
{
	if (daemon_state.havepf)
		(void)wd_pidfile_remove(&daemon_state.pf);
	_exit(status);
}

/* The launcher: relay stderr, wait for a verdict, exit with it. */
static void __attribute__((noreturn))
daemon_wait(pid_t mid, int errfd, int okfd, unsigned int timeout)
{
	struct pollfd		 pfd[3];
	struct daemon_msg	 m;
	struct timespec		 start, now;
	char			 buf[4096];
	pid_t			 pid = -1;
	ssize_t			 n;
	size_t			 got = 0;
	int			 ms, elapsed;

	(void)waitpid(mid, NULL, 0);	/* the intermediate: no zombie */
	clock_gettime(CLOCK_MONOTONIC, &start);
	pfd[0].fd = errfd;
	pfd[0].events = POLLIN;
	pfd[1].fd = okfd;
	pfd[1].events = POLLIN;
	pfd[2].fd = daemon_signal_fd();
	pfd[2].events = POLLIN;
	for (;;) {
		ms = -1;
		if (timeout > 0) {
			clock_gettime(CLOCK_MONOTONIC, &now);
			elapsed = (int)((now.tv_sec - start.tv_sec) * 1000 +
			    (now.tv_nsec - start.tv_nsec) / 1000000);
			ms = (int)timeout * 1000 - elapsed;
			if (ms <= 0) {
				daemon_drain(errfd);
				daemon_fail_exit(daemon_timeout(pid, timeout));
			}
		}
		if (poll(pfd, 3, ms) == -1) {
			if (errno == EINTR)
				continue;
			_exit(WD_EXIT_FAIL);
		}
		if (pfd[2].revents) {
			daemon_drain(errfd);
			daemon_fail_exit(daemon_interrupted(pfd[2].fd, pid));
		}
		if (pfd[0].revents) {
			n = read(errfd, buf, sizeof buf);
			if (n > 0)
				(void)wd__write_all(STDERR_FILENO, buf, n);
			else if (n == 0 || errno != EINTR)
				pfd[0].fd = -1;
		}
		if (pfd[1].revents == 0)
			continue;
		n = read(okfd, (char *)&m + got, sizeof m - got);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			/* EOF without a verdict: it died first. */
			daemon_drain(errfd);
			daemon_fail_exit(daemon_died(pid));
		}
		if ((got += n) < sizeof m)
			continue;
		got = 0;
		switch (m.type) {
		case 'p':
			pid = m.value;
			break;
		case 'r':
			daemon_drain(errfd);
			_exit(WD_EXIT_OK);
		case 'f':
			daemon_drain(errfd);
			daemon_fail_exit(m.value > 0 && m.value < 256 ?
			    m.value : WD_EXIT_FAIL);
		}
	}
}

static int
daemon_env(const struct wd_daemon_conf *c)
{
	char *const	*e;
	char		*eq, name[256];
	size_t		 len;

	if ((c->flags & WD_DAEMON_CLEARENV) && clearenv() != 0)
		return (errno = ENOMEM, -1);
	for (e = c->envp; e != NULL && *e != NULL; e++) {
		if ((eq = strchr(*e, '=')) == NULL ||
		    (len = (size_t)(eq - *e)) == 0 || len >= sizeof name)
			return (errno = EINVAL, -1);
		memcpy(name, *e, len);
		name[len] = '\0';
		if (setenv(name, eq + 1, 1) == -1)
			return (-1);
	}
	return (0);
}

/*
 * Everything the daemon does to itself, in the order that is safe.  The
 * directory fd is closed once used, and *dirfd set to -1 then, so that a
 * failure later leaves the caller knowing what is still open.
 */
static int
daemon_setup(const struct wd_daemon_conf *c, const struct wd_creds *creds,
    int *dirfd, int outfd, int errfd, int okfd)
{
	int	keep[64], nkeep = 0, i;

	if (!(c->flags & WD_DAEMON_KEEPSIGS) &&
	    wd_sig_reset_dispositions() == -1)
		return (-1);
	keep[nkeep++] = *dirfd;
	keep[nkeep++] = outfd;
	keep[nkeep++] = errfd;
	keep[nkeep++] = okfd;
	if (daemon_state.havepf)
		keep[nkeep++] = daemon_state.pf.fd;
	for (i = 0; i < c->nkeep_fds && nkeep < (int)nitems(keep); i++)
		keep[nkeep++] = c->keep_fds[i];
	if (i < c->nkeep_fds)
		return (errno = E2BIG, -1);
	if (wd_fd_closefrom(3, keep, nkeep) == -1)
		return (-1);
	if (!(c->flags & WD_DAEMON_NOCLOSE)) {
		if (wd_fd_devnull(1 << STDIN_FILENO) == -1)
			return (-1);
		if (dup2(outfd, STDOUT_FILENO) == -1)
			return (-1);
		/* stderr: the relay, or (in front) left as is until ready. */
		if (errfd != -1 && dup2(errfd, STDERR_FILENO) == -1)
			return (-1);
	}
	if (errfd != -1)
		close(errfd);
	umask(c->umask >= 0 ? (mode_t)c->umask : 0);
	if (*dirfd != -1) {
		if (fchdir(*dirfd) == -1)
			return (-1);
		close(*dirfd);
		*dirfd = -1;
	}
	if (daemon_env(c) == -1)
		return (-1);
	if (daemon_state.havepf &&
	    wd_pidfile_write(&daemon_state.pf, getpid()) == -1)
		return (-1);
	if (creds != NULL && wd_creds_drop(creds) == -1)
		return (-1);
	if (!(c->flags & WD_DAEMON_KEEPSIGS)) {
		sigset_t	empty;

		sigemptyset(&empty);
		if (sigprocmask(SIG_SETMASK, &empty, NULL) == -1)
			return (-1);
	}
	return (0);
}

/* Open what must be opened as the caller, before anything forks. */
static int
daemon_prepare(const struct wd_daemon_conf *c, struct wd_creds *creds,
    int *dirfd, int *outfd)
{
	pid_t	pid;
	int	st;

	*dirfd = *outfd = -1;
	if (wd_fd_stdio() == -1)
		return (-1);
	if (c->user != NULL && wd_creds_lookup(c->user, creds) == -1)
		return (-1);
	if (!(c->flags & WD_DAEMON_NOCHDIR) && (*dirfd = open(c->dir != NULL ?
	    c->dir : "/", O_PATH|O_DIRECTORY|O_CLOEXEC)) == -1)
		return (-1);
	if (c->pidfile != NULL) {
		if (wd_pidfile_open(&daemon_state.pf, c->pidfile) == -1)
			return (-1);
		daemon_state.havepf = 1;
		st = wd_pidfile_state(&daemon_state.pf, &pid);
		if (st == WD_PID_RUNNING) {
			wd_pidfile_close(&daemon_state.pf);
			daemon_state.havepf = 0;
			return (errno = EEXIST, -1);
		}
		if (ftruncate(daemon_state.pf.fd, 0) == -1)
			return (-1);
	}
	/* After the pidfile: an instance refused creates no log file. */
	if (c->output != NULL)
		*outfd = open(c->output, O_WRONLY|O_APPEND|O_CREAT|O_CLOEXEC|
		    O_NOCTTY, 0640);
	else
		*outfd = open("/dev/null", O_WRONLY|O_CLOEXEC|O_NOCTTY);
	if (*outfd == -1)
		return (-1);
	return (0);
}

static void
daemon_unprepare(int dirfd, int outfd)
{
	int	saved_errno = errno;

	if (dirfd != -1)
		close(dirfd);
	if (outfd != -1)
		close(outfd);
	if (daemon_state.havepf)
		wd_pidfile_close(&daemon_state.pf);
	daemon_state.havepf = 0;
	errno = saved_errno;
}

int
wd_daemonize(const struct wd_daemon_conf *conf)
{
	struct wd_daemon_conf	 c;
	struct wd_creds		 creds;
	int			 dirfd, outfd, errp[2] = { -1, -1 };
	int			 okp[2] = { -1, -1 }, relay, saved_errno;
	pid_t			 mid;

	memset(&c, 0, sizeof c);
	c.umask = -1;
	if (conf != NULL)
		c = *conf;
	if (daemon_prepare(&c, &creds, &dirfd, &outfd) == -1) {
		daemon_unprepare(dirfd, outfd);
		return (-1);
	}
	if (c.flags & WD_DAEMON_FOREGROUND) {
		/* A failure here leaves nothing open, and the lock free. */
		if (daemon_setup(&c, c.user ? &creds : NULL, &dirfd, outfd, -1,
		    -1) == -1) {
			daemon_unprepare(dirfd, outfd);
			return (-1);
		}
		/* The caller's stderr stays until wd_ready() moves it. */
		if (c.flags & WD_DAEMON_NOCLOSE)
			close(outfd);
		else
			daemon_state.outfd = outfd;
		return (0);
	}
	relay = !(c.flags & WD_DAEMON_NOCLOSE);
	if ((relay && pipe2(errp, O_CLOEXEC) == -1) ||
	    pipe2(okp, O_CLOEXEC) == -1)
		goto fail;
	/* Made a subreaper, the launcher gets the daemon's exit status. */
	(void)prctl(PR_SET_CHILD_SUBREAPER, 1);
	if ((mid = fork()) == -1)
		goto fail;
	if (mid > 0) {
		signal(SIGCHLD, SIG_DFL);
		signal(SIGPIPE, SIG_IGN);
		close(okp[1]);
		if (relay)
			close(errp[1]);
		else
			errp[0] = -1;
		daemon_wait(mid, errp[0], okp[0], (c.flags & WD_DAEMON_NOWAIT) ?
		    0 : c.ready_timeout);
	}
	close(okp[0]);
	if (relay)
		close(errp[0]);
	if (setsid() == -1)
		_exit(WD_EXIT_FAIL);
	switch (fork()) {
	case -1:
		_exit(WD_EXIT_FAIL);
	case 0:
		break;
	default:
		_exit(0);	/* not a session leader: no tty, ever */
	}
	(void)daemon_send(okp[1], 'p', (int)getpid());
	daemon_state.statusfd = okp[1];
	if (daemon_setup(&c, c.user ? &creds : NULL, &dirfd, outfd, errp[1],
	    okp[1]) == -1)
		return (-1);
	/* With NOCLOSE, stderr was never ours to move once ready. */
	if (relay)
		daemon_state.outfd = outfd;
	else
		close(outfd);
	if (c.flags & WD_DAEMON_NOWAIT)
		return (wd_ready());
	return (0);

fail:
	saved_errno = errno;
	(void)prctl(PR_SET_CHILD_SUBREAPER, 0);
	if (errp[0] != -1) {
		close(errp[0]);
		close(errp[1]);
	}
	if (okp[0] != -1) {
		close(okp[0]);
		close(okp[1]);
	}
	daemon_unprepare(dirfd, outfd);
	errno = saved_errno;
	return (-1);
}

/* From now on stderr is the log target, no longer the launcher's. */
static void
daemon_detach_stderr(void)
{
	if (daemon_state.outfd != -1) {
		(void)dup2(daemon_state.outfd, STDERR_FILENO);
		close(daemon_state.outfd);
		daemon_state.outfd = -1;
	}
}

int
wd_ready(void)
{
	int	rv = 0;

	(void)wd_notify("READY=1");
	daemon_detach_stderr();
	if (daemon_state.statusfd != -1) {
		rv = daemon_send(daemon_state.statusfd, 'r', 0);
		close(daemon_state.statusfd);
		daemon_state.statusfd = -1;
	}
	return (rv);
}

int
wd_fail(int status)
{
	int	rv = 0;

	if (daemon_state.statusfd != -1) {
		rv = daemon_send(daemon_state.statusfd, 'f',
		    status > 0 ? status : WD_EXIT_FAIL);
		close(daemon_state.statusfd);
		daemon_state.statusfd = -1;
	}
	daemon_detach_stderr();
	return (rv);
}

int
wd_cleanup(void)
{
	if (!daemon_state.havepf)
		return (0);
	daemon_state.havepf = 0;
	return (wd_pidfile_remove(&daemon_state.pf));
}

int
wd_daemon(int nochdir, int noclose)
{
	struct wd_daemon_conf	c;

	memset(&c, 0, sizeof c);
	c.umask = -1;
	c.flags = WD_DAEMON_NOWAIT;
	if (nochdir)
		c.flags |= WD_DAEMON_NOCHDIR;
	if (noclose)
		c.flags |= WD_DAEMON_NOCLOSE;
	return (wd_daemonize(&c));
}
