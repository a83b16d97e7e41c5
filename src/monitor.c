/*
 * The monitor: a process that stays with the command, for --respawn (start
 * it again when it dies, with exponential backoff), --syslog (carry its
 * output to syslog) and --foreground (stay in front and exit with its
 * status).  It holds the pidfile lock, and the pidfile names it.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "warden.h"


struct monitor {
	struct run_ctx	*ctx;
	int		 repfd;		/* verdict to the launcher, or -1 */
	pid_t		 child;
	double		 started;
	double		 restart_at;	/* 0: none scheduled */
	int		 failures;	/* quick deaths in a row */
	unsigned long	 restarts;
	char		*prefix;	/* of its own log lines */
	int		 logpipe[2];	/* --syslog: stdout, stderr read ends */
	char		 logbuf[2][1024];
	size_t		 loglen[2];
	char		 early[700];	/* --syslog: stderr before the verdict */
	size_t		 earlylen;
};

/* Tell the launcher how the first start went; it prints and exits. */
static void
monitor_verdict(struct monitor *m, int code, const char *msg)
{
	struct run_verdict	v;

	if (m->repfd == -1) {
		if (msg[0] != '\0')
			fprintf(stderr, "%s\n", msg);
		return;
	}
	memset(&v, 0, sizeof v);
	v.type = 'v';
	v.code = code;
	snprintf(v.msg, sizeof v.msg, "%s", msg);
	while (write(m->repfd, &v, sizeof v) == -1 && errno == EINTR)
		;
	close(m->repfd);
	m->repfd = -1;
	relay_detach(m->ctx);
}

static void __attribute__((noreturn))
monitor_exit(struct monitor *m, int code)
{
	if (m->ctx->has_pf)
		(void)wd_pidfile_remove(&m->ctx->pf);
	run_ctx_free(m->ctx);
	exit(code);
}

static int
monitor_code(int status)
{
	if (WIFEXITED(status))
		return (WEXITSTATUS(status));
	if (WIFSIGNALED(status))
		return (128 + WTERMSIG(status));
	return (1);
}

/*
 * --syslog: forward complete lines (or full buffers) from one pipe; until
 * the first start's verdict, stderr's last bytes are kept to show with
 * it.  Returns what read(2) did.
 */
static ssize_t
monitor_syslog_read(struct monitor *m, int which)
{
	char	*buf = m->logbuf[which], *nl;
	size_t	*len = &m->loglen[which];
	ssize_t	 n;

	n = read(m->logpipe[which], buf + *len, sizeof m->logbuf[0] - 1 - *len);
	if (n <= 0) {
		if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
			if (*len > 0) {
				buf[*len] = '\0';
				syslog(which ? LOG_ERR : LOG_INFO, "%s", buf);
			}
			*len = 0;
			close(m->logpipe[which]);
			m->logpipe[which] = -1;
		}
		return (n);
	}
	if (which == 1 && m->repfd != -1)
		tail_keep(m->early, sizeof m->early, &m->earlylen,
		    buf + *len, (size_t)n);
	*len += n;
	buf[*len] = '\0';
	while ((nl = memchr(buf, '\n', *len)) != NULL) {
		*nl = '\0';
		syslog(which ? LOG_ERR : LOG_INFO, "%s", buf);
		*len -= (size_t)(nl + 1 - buf);
		memmove(buf, nl + 1, *len);
	}
	if (*len == sizeof m->logbuf[0] - 1) {
		syslog(which ? LOG_ERR : LOG_INFO, "%s", buf);
		*len = 0;
	}
	return (n);
}

/*
 * The first start failed: what the command wrote to stderr, from its
 * file or relay, or with --syslog from what its pipe holds now.
 */
static void
monitor_tail(struct monitor *m, char *buf, size_t len)
{
	size_t	n;

	if (!m->ctx->syslog) {
		run_tail(m->ctx, buf, len);
		return;
	}
	if (m->logpipe[1] != -1 &&
	    fcntl(m->logpipe[1], F_SETFL, O_NONBLOCK) != -1)
		while (m->logpipe[1] != -1 && monitor_syslog_read(m, 1) > 0)
			;
	n = m->earlylen < len - 2 ? m->earlylen : len - 2;
	memcpy(buf, m->early + m->earlylen - n, n);
	if (n > 0 && buf[n - 1] != '\n')
		buf[n++] = '\n';
	buf[n] = '\0';
}

/* Start the command (again); on the first start, report the verdict. */
static int
monitor_start(struct monitor *m, int first)
{
	struct start_result	res;
	char			msg[1024];

	m->restart_at = 0;
	if (spawn_start(m->ctx, 0, &res) == 0) {
		m->child = res.pid;
		m->started = mono_now();
		if (first)
			monitor_verdict(m, 0, "");
		else
			log_info("restarted, pid %ld (restart %lu)",
			    (long)res.pid, m->restarts);
		return (0);
	}
	if (res.outcome == START_TIMEOUT || res.outcome == START_INTERRUPTED)
		(void)spawn_stop(m->ctx, res.pid, m->ctx->stop_timeout);
	spawn_message(m->ctx, &res, msg, sizeof msg);
	if (first || res.outcome == START_INTERRUPTED) {
		if (first) {
			char	tail[700], *full;

			/* The command's own words first, as on a terminal. */
			monitor_tail(m, tail, sizeof tail);
			xasprintf(&full, "%swarden: %s", tail, msg);
			monitor_verdict(m, 1, full);
			free(full);
		}
		else
			log_info("%s", msg);
		monitor_exit(m, 1);
	}
	log_info("%s", msg);
	m->child = -1;
	return (-1);
}

/* The command is gone: schedule the next start, with backoff. */
static void
monitor_schedule(struct monitor *m)
{
	double	delay;

	if (m->started > 0 && mono_now() - m->started >= BACKOFF_STABLE)
		m->failures = 0;
	m->failures++;
	/* Never at once: one daemon on its own would spin on a bad start. */
	delay = backoff_delay(m->failures + 1);
	m->restarts++;
	m->restart_at = mono_now() + delay;
	log_info("restarting in %.1f s", delay);
}

static void
monitor_signals(struct monitor *m)
{
	struct signalfd_siginfo	si;
	char			st[64];
	pid_t			p;
	int			status, stop = 0;

	while (read(m->ctx->sigfd, &si, sizeof si) == sizeof si) {
		switch (si.ssi_signo) {
		case SIGINT:
		case SIGTERM:
		case SIGQUIT:
			stop = (int)si.ssi_signo;
			break;
		case SIGHUP:
		case SIGUSR1:
		case SIGUSR2:
			if (m->child > 0)
				kill(-m->child, (int)si.ssi_signo);
			break;
		}
	}
	while ((p = waitpid(-1, &status, WNOHANG)) > 0) {
		if (p != m->child)
			continue;
		m->child = -1;
		log_info("pid %ld %s", (long)p,
		    spawn_status_str(status, st, sizeof st));
		if (!m->ctx->respawn)
			monitor_exit(m, monitor_code(status));
		monitor_schedule(m);
	}
	if (stop) {
		if (m->child > 0) {
			log_info("stopping pid %ld (SIG%s)",
			    (long)m->child, wd_sig_name(stop));
			status = spawn_stop(m->ctx, m->child,
			    m->ctx->stop_timeout);
			monitor_exit(m, m->ctx->respawn ? 0 :
			    monitor_code(status));
		}
		monitor_exit(m, 0);
	}
}

/* Become a clean daemon process ourselves (we are past fork, setsid, fork). */
static void
monitor_detach(struct monitor *m)
{
	struct run_ctx	*ctx = m->ctx;
	int		 keep[12 + SPAWN_MAXLISTEN], nkeep = 0, i;

	(void)wd_sig_reset_dispositions();
	if (wd_fd_devnull((1 << STDIN_FILENO)|(1 << STDOUT_FILENO)) == -1 ||
	    (!ctx->syslog && dup2(ctx->errfd, STDERR_FILENO) == -1) ||
	    (ctx->syslog && wd_fd_devnull(1 << STDERR_FILENO) == -1))
		_exit(1);
	if (chdir("/") == -1)
		_exit(1);
	umask(022);
	keep[nkeep++] = ctx->sigfd;
	keep[nkeep++] = ctx->dirfd;
	keep[nkeep++] = ctx->outfd;
	keep[nkeep++] = ctx->errfd;
	keep[nkeep++] = m->repfd;
	if (ctx->has_pf)
		keep[nkeep++] = ctx->pf.fd;
	if (ctx->ready.mode == READY_NOTIFY)
		keep[nkeep++] = ctx->notify_sock;
	if (ctx->relayfd != -1)
		keep[nkeep++] = ctx->relayfd;
	for (i = 0; i < ctx->nlisten; i++)
		keep[nkeep++] = ctx->listen_fds[i];
	keep[nkeep++] = m->logpipe[0];
	keep[nkeep++] = m->logpipe[1];
	(void)wd_fd_closefrom(3, keep, nkeep);
}

/*
 * Run the monitor in this process: repfd is the launcher's pipe (we are
 * detached), or -1 in the foreground.
 */
void
monitor_main(struct run_ctx *ctx, int repfd)
{
	struct monitor	 m;
	struct pollfd	 pfd[4];
	char		 junk[512];
	int		 ms, i;

	memset(&m, 0, sizeof m);
	m.ctx = ctx;
	m.repfd = repfd;
	m.child = -1;
	m.logpipe[0] = m.logpipe[1] = -1;
	if (ctx->syslog) {
		m.logpipe[0] = ctx->syslog_rd[0];
		m.logpipe[1] = ctx->syslog_rd[1];
	}
	/* Its own lines go where the daemon's stderr goes, or to syslog. */
	xasprintf(&m.prefix, "%s: ", ctx->syslog ? "warden" : ctx->name);
	log_prefix(m.prefix);
	log_init(ctx->syslog ? LOGTO_SYSLOG : LOGTO_STDERR, -1,
	    ctx->syslog ? ctx->name : NULL);
	if (repfd != -1)
		monitor_detach(&m);
	if (ctx->has_pf && wd_pidfile_write(&ctx->pf, getpid()) == -1) {
		char	*msg;

		xasprintf(&msg, "warden: %s: %s", ctx->pf.path,
		    strerror(errno));
		monitor_verdict(&m, 1, msg);
		free(msg);
		exit(1);
	}
	(void)monitor_start(&m, 1);
	for (;;) {
		pfd[0].fd = ctx->sigfd;
		pfd[1].fd = m.logpipe[0];
		pfd[2].fd = m.logpipe[1];
		pfd[3].fd = ctx->ready.mode == READY_NOTIFY ? ctx->notify_sock : -1;
		for (i = 0; i < 4; i++)
			pfd[i].events = POLLIN;
		ms = -1;
		if (m.restart_at > 0) {
			double left = m.restart_at - mono_now();

			ms = left <= 0 ? 0 : (int)(left * 1000) + 1;
		}
		if (poll(pfd, 4, ms) == -1 && errno != EINTR)
			fatal("poll");
		if (pfd[0].revents)
			monitor_signals(&m);
		for (i = 0; i < 2; i++)
			if (pfd[1 + i].fd != -1 && pfd[1 + i].revents)
				monitor_syslog_read(&m, i);
		if (pfd[3].fd != -1 && pfd[3].revents)
			(void)recv(ctx->notify_sock, junk, sizeof junk,
			    MSG_DONTWAIT);	/* later READY=1: nothing to do */
		if (m.child == -1 && m.restart_at > 0 &&
		    mono_now() >= m.restart_at &&
		    monitor_start(&m, 0) == -1)
			monitor_schedule(&m);
	}
}
