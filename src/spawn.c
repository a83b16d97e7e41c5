/*
 * Start one command in the clean context of the daemon checklist and wait
 * until it is ready, dies, or runs out of time.
 *
 * The child reports a failed setup step (and the errno) on a CLOEXEC pipe,
 * so an exec that fails is known at once and with its reason; EOF on that
 * pipe means the exec happened.  Readiness then comes from the mode asked
 * for: the exec itself, an sd_notify datagram, a line on fd N, or a TCP
 * connect that succeeds.  A death is seen through SIGCHLD on a signalfd,
 * so it ends the wait at once rather than at the timeout.
 */
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <netinet/in.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "warden.h"

extern char **environ;

enum spawn_stage {
	STAGE_NONE, STAGE_FORK, STAGE_SETSID, STAGE_PGRP, STAGE_SIGNALS,
	STAGE_STDIO, STAGE_READYFD, STAGE_CHDIR, STAGE_FDS, STAGE_CREDS,
	STAGE_MASK, STAGE_EXEC, STAGE_LISTEN
};

static const char *spawn_stage_names[] = {
	"start", "fork", "setsid", "setpgid", "reset signals", "set up stdio",
	"set up the readiness fd", "chdir", "close fds", "change user",
	"unblock signals", "exec", "pass the listen= sockets"
};

struct spawn_msg {
	int	type;		/* 'p': pid, 'e': setup failed */
	int	stage;
	int	error;
	pid_t	pid;
};

static void
spawn_send(int fd, int type, int stage, int error, pid_t pid)
{
	struct spawn_msg	m;

	memset(&m, 0, sizeof m);
	m.type = type;
	m.stage = stage;
	m.error = error;
	m.pid = pid;
	while (write(fd, &m, sizeof m) == -1 && errno == EINTR)
		;
}

void
spawn_fail(int fd, int stage)
{
	int	saved_errno = errno;

	spawn_send(fd, 'e', stage, saved_errno, 0);
	_exit(stage == STAGE_EXEC && saved_errno == ENOENT ? 127 : 126);
}

/*
 * Move *fd (a CLOEXEC fd of ours) off the numbers 3 to top - 1 and off
 * the number avoid (or -1), to one above both.
 */
static int
spawn_move(int *fd, int top, int avoid)
{
	int	nfd;

	if ((*fd < 3 || *fd >= top) && *fd != avoid)
		return (0);
	if ((nfd = fcntl(*fd, F_DUPFD_CLOEXEC, top > avoid ? top :
	    avoid + 1)) == -1)
		return (-1);
	*fd = nfd;
	return (0);
}

/*
 * The listening sockets onto fds 3, 4, ..., without close-on-exec; each
 * is copied above them first, as one may sit where another goes.  The
 * copies are closed with the other fds.
 */
static int
spawn_listen_fds(const struct spawn_req *r, int avoid)
{
	int	tmp[SPAWN_MAXLISTEN], i, top = 3 + r->nlisten;

	if (r->nlisten > SPAWN_MAXLISTEN) {
		errno = EMFILE;
		return (-1);
	}
	for (i = 0; i < r->nlisten; i++)
		if ((tmp[i] = fcntl(r->listen_fds[i], F_DUPFD_CLOEXEC,
		    top > avoid ? top : avoid + 1)) == -1)
			return (-1);
	for (i = 0; i < r->nlisten; i++)
		if (dup2(tmp[i], 3 + i) == -1)
			return (-1);
	return (0);
}

/* In the child: WATCHDOG_PID= and LISTEN_PID= are for this very process. */
static void
spawn_env_pid(char **env)
{
	char	**e;

	for (e = env; *e != NULL; e++)
		if (strncmp(*e, "WATCHDOG_PID=", 13) == 0)
			snprintf(*e + 13, 21, "%ld", (long)getpid());
		else if (strncmp(*e, "LISTEN_PID=", 11) == 0)
			snprintf(*e + 11, 21, "%ld", (long)getpid());
}

/*
 * In the child, between fork and exec: every step of the checklist that
 * belongs to the new process, the signal mask last.  Shared by warden run
 * and the supervisor; a failed step is reported on repfd with its errno.
 */
void
spawn_exec(const struct spawn_req *r, int repfd, int readyw)
{
	sigset_t	empty;
	int		keep[2], nkeep = 0, outfd = r->outfd, errfd = r->errfd;
	int		infd = r->infd > STDERR_FILENO ? r->infd : -1;
	int		dirfd = r->dirfd;
	int		top = 3 + r->nlisten, avoid;

	/*
	 * fd:N may be any number, and listen= takes 3, 4, ...: move our
	 * own fds out of their way first.
	 */
	avoid = readyw != -1 ? r->ready_fd : -1;
	if (spawn_move(&repfd, top, avoid) == -1 ||
	    spawn_move(&outfd, top, avoid) == -1 ||
	    spawn_move(&errfd, top, avoid) == -1 ||
	    (infd != -1 && spawn_move(&infd, top, avoid) == -1) ||
	    (dirfd != -1 && spawn_move(&dirfd, top, avoid) == -1) ||
	    (readyw != -1 && spawn_move(&readyw, top, -1) == -1))
		spawn_fail(repfd, STAGE_READYFD);
	if (spawn_listen_fds(r, avoid) == -1)
		spawn_fail(repfd, STAGE_LISTEN);
	if (wd_sig_reset_dispositions() == -1)
		spawn_fail(repfd, STAGE_SIGNALS);
	if (r->newsession && setsid() == -1)
		spawn_fail(repfd, STAGE_SETSID);
	if (r->newgroup && setpgid(0, 0) == -1)
		spawn_fail(repfd, STAGE_PGRP);
	if ((infd != -1 ? dup2(infd, STDIN_FILENO) :
	    wd_fd_devnull(1 << STDIN_FILENO)) == -1 ||
	    dup2(outfd, STDOUT_FILENO) == -1 ||
	    dup2(errfd, STDERR_FILENO) == -1)
		spawn_fail(repfd, STAGE_STDIO);
	if (dirfd != -1 && fchdir(dirfd) == -1)
		spawn_fail(repfd, STAGE_CHDIR);
	if (r->dir != NULL && chdir(r->dir) == -1)
		spawn_fail(repfd, STAGE_CHDIR);
	keep[nkeep++] = repfd;
	if (readyw != -1) {
		if (readyw == r->ready_fd) {
			if (fcntl(readyw, F_SETFD, 0) == -1)
				spawn_fail(repfd, STAGE_READYFD);
		} else if (dup2(readyw, r->ready_fd) == -1)
			spawn_fail(repfd, STAGE_READYFD);
		keep[nkeep++] = r->ready_fd;
	}
	if (wd_fd_closefrom(top, keep, nkeep) == -1)
		spawn_fail(repfd, STAGE_FDS);
	if (r->umask >= 0)
		umask((mode_t)r->umask);
	if (r->creds != NULL && wd_creds_drop(r->creds) == -1)
		spawn_fail(repfd, STAGE_CREDS);
	spawn_env_pid(r->envp);
	environ = r->envp;
	sigemptyset(&empty);
	if (sigprocmask(SIG_SETMASK, &empty, NULL) == -1)
		spawn_fail(repfd, STAGE_MASK);
	execvp(r->argv[0], r->argv);
	spawn_fail(repfd, STAGE_EXEC);
}

static void __attribute__((noreturn))
spawn_child(struct run_ctx *ctx, int newgroup, int repfd, int readyw)
{
	struct spawn_req	r;

	memset(&r, 0, sizeof r);
	r.argv = ctx->argv;
	r.envp = ctx->envp;
	r.dirfd = ctx->dirfd;
	r.umask = (int)ctx->umask;
	r.outfd = ctx->outfd;
	r.errfd = ctx->errfd;
	r.ready_fd = ctx->ready.fd;
	r.creds = ctx->has_creds ? &ctx->creds : NULL;
	r.newgroup = newgroup;
	r.listen_fds = ctx->listen_fds;
	r.nlisten = ctx->nlisten;
	spawn_exec(&r, repfd, readyw);
	_exit(126);
}

/*
 * Read the child's report without blocking: 1 and *stage, *error when a
 * setup step failed, 0 at EOF (the exec happened), -1 when nothing yet.
 */
int
spawn_report_read(int fd, int *stage, int *error)
{
	struct spawn_msg	m;
	ssize_t			n;

	for (;;) {
		n = read(fd, &m, sizeof m);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return (-1);
		if (n != (ssize_t)sizeof m)
			return (0);
		if (m.type == 'e') {
			*stage = m.stage;
			*error = m.error;
			return (1);
		}
	}
}

/* What a setup stage is called in messages ("exec", "chdir", ...). */
const char *
spawn_stage_name(int stage)
{
	if (stage < 0 || stage >= (int)nitems(spawn_stage_names))
		return ("start");
	return (spawn_stage_names[stage]);
}

/* The signals warden run handles itself, read from a signalfd. */
int
spawn_signal_fd(void)
{
	static const int sigs[] = {
		SIGCHLD, SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2
	};

	return (sigfd_open(sigs, nitems(sigs)));
}

/* Milliseconds until deadline (never negative), -1 for none. */
static int
spawn_ms_until(double deadline)
{
	double	left;

	if (deadline <= 0)
		return (-1);
	left = deadline - mono_now();
	return (left <= 0 ? 0 : (int)(left * 1000) + 1);
}

/*
 * Drain the signalfd.  Returns the first terminating signal seen (INT,
 * TERM, HUP, QUIT) or 0; sets *status and returns through *dead when pid
 * was reaped.  Every other child is reaped too: in a subreaper, orphans
 * arrive here.
 */
static int
spawn_signals(struct run_ctx *ctx, pid_t pid, int *dead, int *status)
{
	struct signalfd_siginfo	si;
	pid_t			p;
	int			st, term = 0;

	while (read(ctx->sigfd, &si, sizeof si) == sizeof si) {
		switch (si.ssi_signo) {
		case SIGINT:
		case SIGTERM:
		case SIGHUP:
		case SIGQUIT:
			if (term == 0)
				term = (int)si.ssi_signo;
			break;
		}
	}
	while ((p = waitpid(-1, &st, WNOHANG)) > 0) {
		if (p == pid) {
			*dead = 1;
			*status = st;
		}
	}
	return (term);
}

/* Is the sender of a notify message pid, or in pid's session? */
static int
spawn_notify_ours(pid_t sender, pid_t pid)
{
	struct wd_proc_stat	a, b;

	if (sender == pid)
		return (1);
	if (wd_proc_stat(sender, &a) == -1 || wd_proc_stat(pid, &b) == -1)
		return (0);
	return (a.session == b.session);
}

/* Read one sd_notify datagram: 1 when it says READY=1 and is ours. */
static int
spawn_notify_read(struct run_ctx *ctx, pid_t pid)
{
	struct notify_msg	 m;
	const char		*v;

	if (notify_recv(ctx->notify_sock, &m) != 1 || !m.has_cred ||
	    !spawn_notify_ours(m.pid, pid))
		return (0);
	return ((v = notify_get(&m, "READY")) != NULL && strcmp(v, "1") == 0);
}

/*
 * Wait for readiness, death, a terminating signal or the deadline.
 */
static void
spawn_wait_ready(struct run_ctx *ctx, pid_t pid, int readyr,
    struct start_result *res)
{
	struct pollfd	pfd[3];
	double		deadline, retry = 0, delay = 0.005;
	int		dead = 0, status = 0, sig, ms, n, tcp = -1, connected;

	deadline = ctx->ready_timeout > 0 ? mono_now() + ctx->ready_timeout :
	    0;
	pfd[0].fd = ctx->sigfd;
	pfd[0].events = POLLIN;
	pfd[1].fd = ctx->ready.mode == READY_NOTIFY ? ctx->notify_sock : readyr;
	pfd[1].events = POLLIN;
	pfd[2].fd = -1;
	pfd[2].events = POLLOUT;
	for (;;) {
		sig = spawn_signals(ctx, pid, &dead, &status);
		if (dead) {
			res->outcome = START_DIED;
			res->status = status;
			return;
		}
		if (sig != 0) {
			res->outcome = START_INTERRUPTED;
			res->signo = sig;
			return;
		}
		if (ctx->ready.mode == READY_TCP && tcp == -1 &&
		    mono_now() >= retry) {
			tcp = tcp_probe(ctx->ready.host, ctx->ready.port,
			    &connected);
			if (connected) {
				close(tcp);
				break;
			}
			pfd[2].fd = tcp;
			retry = mono_now() + delay;
			if ((delay *= 2) > 0.1)
				delay = 0.1;	/* retries every 100 ms at most */
		}
		ms = spawn_ms_until(deadline);
		if (ctx->ready.mode == READY_TCP && tcp == -1) {
			n = spawn_ms_until(retry);
			if (ms == -1 || n < ms)
				ms = n;
		}
		if (deadline > 0 && mono_now() >= deadline) {
			res->outcome = START_TIMEOUT;
			goto out;
		}
		if (poll(pfd, 3, ms) == -1 && errno != EINTR)
			err(1, "poll");
		if (pfd[1].fd != -1 && pfd[1].revents) {
			if (ctx->ready.mode == READY_NOTIFY) {
				if (spawn_notify_read(ctx, pid))
					break;
			} else if ((n = readyfd_read(readyr)) == 1)
				break;
			else if (n == -1)
				pfd[1].fd = -1;	/* closed unready: wait */
		}
		if (pfd[2].fd != -1 && pfd[2].revents) {
			n = tcp_probe_done(tcp);
			close(tcp);
			tcp = pfd[2].fd = -1;
			if (n)
				break;
		}
	}
	res->outcome = START_READY;
out:
	if (tcp != -1)
		close(tcp);
}

/*
 * Start ctx's command.  With detach, in a session of its own through an
 * intermediate process (fork, setsid, fork), the caller being a subreaper
 * so that the command becomes its child; otherwise as a plain child in
 * its own process group.  Fills res; returns 0 when ready.
 */
int
spawn_start(struct run_ctx *ctx, int detach, struct start_result *res)
{
	struct spawn_msg	m;
	int			rep[2], rdy[2] = { -1, -1 }, st;
	pid_t			pid, mid = -1;
	ssize_t			n;

	memset(res, 0, sizeof *res);
	res->pid = -1;
	if (pipe2(rep, O_CLOEXEC) == -1)
		err(1, "pipe");
	if (ctx->ready.mode == READY_FD && pipe2(rdy, O_CLOEXEC|O_NONBLOCK) == -1)
		err(1, "pipe");
	if (ctx->ready.mode == READY_FD)
		(void)fcntl(rdy[1], F_SETFL, 0);	/* the child's end blocks */
	if (detach)
		(void)prctl(PR_SET_CHILD_SUBREAPER, 1);
	if ((pid = fork()) == -1)
		err(1, "fork");
	if (pid == 0) {
		close(rep[0]);
		if (rdy[0] != -1)
			close(rdy[0]);
		if (detach) {
			if (setsid() == -1)
				spawn_fail(rep[1], STAGE_SETSID);
			if ((pid = fork()) == -1)
				spawn_fail(rep[1], STAGE_FORK);
			if (pid > 0) {
				spawn_send(rep[1], 'p', 0, 0, pid);
				_exit(0);
			}
		}
		spawn_child(ctx, !detach, rep[1], rdy[1]);
	}
	close(rep[1]);
	if (rdy[1] != -1)
		close(rdy[1]);
	if (detach) {
		mid = pid;
		pid = -1;
		while (waitpid(mid, &st, 0) == -1 && errno == EINTR)
			;
	}
	res->pid = pid;
	for (;;) {
		n = read(rep[0], &m, sizeof m);
		if (n == -1 && errno == EINTR)
			continue;
		if (n != (ssize_t)sizeof m)
			break;			/* EOF: exec'd */
		if (m.type == 'p')
			res->pid = pid = m.pid;
		else if (m.type == 'e') {
			res->outcome = START_SETUP_FAILED;
			res->stage = m.stage;
			res->error = m.error;
		}
	}
	close(rep[0]);
	if (pid == -1 && res->outcome == START_READY) {
		/* The intermediate died before reporting. */
		res->outcome = START_SETUP_FAILED;
		res->stage = STAGE_FORK;
		res->error = EAGAIN;
	}
	if (res->outcome == START_SETUP_FAILED) {
		if (pid > 0)
			while (waitpid(pid, &res->status, 0) == -1 &&
			    errno == EINTR)
				;
		goto done;
	}
	if (detach && ctx->has_pf && wd_pidfile_write(&ctx->pf, pid) == -1)
		err(1, "%s", ctx->pf.path);
	if (ctx->ready.mode != READY_EXEC)
		spawn_wait_ready(ctx, pid, rdy[0], res);
	else
		res->outcome = START_READY;
done:
	if (rdy[0] != -1)
		close(rdy[0]);
	if (detach)
		(void)prctl(PR_SET_CHILD_SUBREAPER, 0);
	return (res->outcome == START_READY ? 0 : -1);
}

/* "exited with status 3", "killed by signal SEGV (core dumped)". */
char *
spawn_status_str(int status, char *buf, size_t len)
{
	const char	*name;

	if (status == -1)	/* seen through a pidfd: not our child */
		snprintf(buf, len, "exited (status unknown)");
	else if (WIFEXITED(status))
		snprintf(buf, len, "exited with status %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status)) {
		name = wd_sig_name(WTERMSIG(status));
		if (name != NULL)
			snprintf(buf, len, "killed by signal %s%s", name,
			    WCOREDUMP(status) ? " (core dumped)" : "");
		else
			snprintf(buf, len, "killed by signal %d%s",
			    WTERMSIG(status),
			    WCOREDUMP(status) ? " (core dumped)" : "");
	} else
		snprintf(buf, len, "stopped (status %#x)", status);
	return (buf);
}

/* The one-line reason a start failed, for the caller's terminal. */
void
spawn_message(struct run_ctx *ctx, const struct start_result *res,
    char *buf, size_t len)
{
	char	st[64];

	switch (res->outcome) {
	case START_READY:
		snprintf(buf, len, "%s: running, pid %ld", ctx->name,
		    (long)res->pid);
		break;
	case START_SETUP_FAILED:
		if (res->stage == STAGE_EXEC)
			snprintf(buf, len, "%s: exec %s: %s", ctx->name,
			    ctx->argv[0], strerror(res->error));
		else if (res->stage == STAGE_CREDS)
			snprintf(buf, len, "%s: cannot become user %s: %s",
			    ctx->name, ctx->creds.name, strerror(res->error));
		else
			snprintf(buf, len, "%s: %s: %s", ctx->name,
			    spawn_stage_names[res->stage], strerror(res->error));
		break;
	case START_DIED:
		snprintf(buf, len, "%s: %s before it was ready", ctx->name,
		    spawn_status_str(res->status, st, sizeof st));
		break;
	case START_TIMEOUT:
		snprintf(buf, len, "%s: not ready after %g s; stopped it",
		    ctx->name, ctx->ready_timeout);
		break;
	case START_INTERRUPTED:
		snprintf(buf, len, "%s: interrupted by SIG%s while starting; "
		    "stopped it", ctx->name, wd_sig_name(res->signo));
		break;
	}
}

/*
 * Stop our child pid and its process group: TERM and CONT, up to timeout
 * seconds, then KILL.  Returns its wait status.
 */
int
spawn_stop(struct run_ctx *ctx, pid_t pid, double timeout)
{
	struct wd_proc_stat	st;
	struct pollfd		pfd;
	double			deadline;
	pid_t			pgid = pid;
	int			dead = 0, status = 0;

	if (wd_proc_stat(pid, &st) == 0 && st.pgrp > 1 && st.pgrp != getpgrp())
		pgid = st.pgrp;
	if (kill(-pgid, SIGTERM) == -1)
		kill(pid, SIGTERM);
	kill(-pgid, SIGCONT);
	kill(pid, SIGCONT);
	deadline = mono_now() + timeout;
	pfd.fd = ctx->sigfd;
	pfd.events = POLLIN;
	for (;;) {
		(void)spawn_signals(ctx, pid, &dead, &status);
		if (dead)
			return (status);
		if (mono_now() >= deadline)
			break;
		(void)poll(&pfd, 1, spawn_ms_until(deadline));
	}
	kill(-pgid, SIGKILL);
	kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
		;
	return (status);
}
