/*
 * The stderr relay of "warden run".  Where a detached command's stderr
 * would go to /dev/null, it goes into a pipe read by a small process of
 * its own.  While the launcher waits for readiness, the relay keeps the
 * last RUN_TAIL_MAX bytes, so that a failed start shows the command's
 * own words; once the launcher has gone, it reads and drops, so that a
 * daemon's later writes to stderr go nowhere, as they would on
 * /dev/null, and never meet EPIPE or SIGPIPE.  It leaves when the last
 * writer has closed the pipe: the daemon, and whatever it started.
 *
 * The launcher and the relay talk over a socketpair: the launcher sends
 * 'T', the relay reads what the pipe holds and answers with the bytes
 * it kept.  The launcher's close of its end (or its exit) ends the
 * keeping.
 */
#include <sys/socket.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "warden.h"

#define RELAY_WAIT	2000	/* ms the launcher waits for the tail */

/* The relay's state: the bytes kept, while the launcher is there. */
struct relay {
	int		 rd;		/* the pipe's read end */
	int		 ctl;		/* the launcher's socket, or -1 */
	char		 kept[RUN_TAIL_MAX];
	size_t		 len;
};

/* Read what the pipe holds now.  Returns 0 at its end, else 1. */
static int
relay_read(struct relay *r)
{
	char	buf[65536];
	ssize_t	n;

	for (;;) {
		n = read(r->rd, buf, sizeof buf);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return (1);	/* EAGAIN: all read */
		if (n == 0)
			return (0);
		if (r->ctl != -1)
			tail_keep(r->kept, sizeof r->kept, &r->len, buf,
			    (size_t)n);
	}
}

/* Answer the launcher: the length, then the bytes kept. */
static void
relay_answer(struct relay *r)
{
	uint32_t	len = (uint32_t)r->len;

	if (write(r->ctl, &len, sizeof len) != sizeof len ||
	    (len > 0 && write(r->ctl, r->kept, len) != (ssize_t)len)) {
		close(r->ctl);
		r->ctl = -1;
	}
}

/* The relay's life, in its own process. */
static void __attribute__((noreturn))
relay_main(int rd, int ctl)
{
	struct relay	r;
	struct pollfd	pfd[2];
	char		c;
	ssize_t		n;
	int		open_pipe = 1, keep[2] = { rd, ctl };

	r.rd = rd;
	r.ctl = ctl;
	r.len = 0;
	(void)setsid();
	(void)signal(SIGHUP, SIG_IGN);
	(void)signal(SIGINT, SIG_IGN);
	(void)signal(SIGTERM, SIG_IGN);
	(void)signal(SIGQUIT, SIG_IGN);
	(void)signal(SIGPIPE, SIG_IGN);
	if (wd_fd_devnull(7) == -1 || chdir("/") == -1)
		_exit(1);
	(void)wd_fd_closefrom(3, keep, 2);
	while (open_pipe || r.ctl != -1) {
		pfd[0].fd = open_pipe ? r.rd : -1;
		pfd[0].events = POLLIN;
		pfd[1].fd = r.ctl;
		pfd[1].events = POLLIN;
		if (poll(pfd, 2, -1) == -1) {
			if (errno == EINTR)
				continue;
			_exit(1);
		}
		if (pfd[0].revents && relay_read(&r) == 0) {
			open_pipe = 0;
			close(r.rd);
		}
		if (!pfd[1].revents)
			continue;
		n = read(r.ctl, &c, 1);
		if (n == 1 && c == 'T') {
			if (open_pipe && relay_read(&r) == 0) {
				open_pipe = 0;
				close(r.rd);
			}
			relay_answer(&r);
		} else if (n == 0 || (n == -1 && errno != EINTR)) {
			close(r.ctl);
			r.ctl = -1;	/* the launcher has gone */
		}
	}
	_exit(0);
}

/*
 * Start the relay: *errfd becomes the pipe's write end, for the
 * command's stderr, and ctx->relayfd our end of the socketpair.  The
 * relay is a grandchild, so that it is nobody's child here.  Returns 0,
 * or -1 with errno set.
 */
int
relay_start(struct run_ctx *ctx, int *errfd)
{
	int	p[2], sv[2], status, saved;
	pid_t	pid;

	if (pipe2(p, O_CLOEXEC) == -1)
		return (-1);
	if (socketpair(AF_UNIX, SOCK_STREAM|SOCK_CLOEXEC, 0, sv) == -1) {
		saved = errno;
		close(p[0]);
		close(p[1]);
		errno = saved;
		return (-1);
	}
	if ((pid = fork()) == -1) {
		saved = errno;
		close(p[0]);
		close(p[1]);
		close(sv[0]);
		close(sv[1]);
		errno = saved;
		return (-1);
	}
	if (pid == 0) {
		close(p[1]);
		close(sv[0]);
		if (fcntl(p[0], F_SETFL, O_NONBLOCK) == -1)
			_exit(1);
		if ((pid = fork()) != 0)
			_exit(pid == -1);
		relay_main(p[0], sv[1]);
	}
	close(p[0]);
	close(sv[1]);
	while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		close(p[1]);
		close(sv[0]);
		errno = EAGAIN;
		return (-1);
	}
	*errfd = p[1];
	ctx->relayfd = sv[0];
	return (0);
}

/* Read exactly len bytes from fd within the relay's time. */
static int
relay_recv(int fd, void *buf, size_t len)
{
	struct pollfd	pfd;
	size_t		got = 0;
	ssize_t		n;

	pfd.fd = fd;
	pfd.events = POLLIN;
	while (got < len) {
		if (poll(&pfd, 1, RELAY_WAIT) <= 0)
			return (-1);
		n = read(fd, (char *)buf + got, len - got);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return (-1);
		got += (size_t)n;
	}
	return (0);
}

/*
 * What the command wrote to its stderr so far, as the relay kept it:
 * into buf (len bytes at most, a NUL included).  Returns the length.
 */
size_t
relay_tail(struct run_ctx *ctx, char *buf, size_t len)
{
	uint32_t	n;
	char		skip[256];
	size_t		want, rest;

	buf[0] = '\0';
	if (ctx->relayfd == -1 || len == 0 ||
	    write(ctx->relayfd, "T", 1) != 1 ||
	    relay_recv(ctx->relayfd, &n, sizeof n) == -1)
		return (0);
	rest = n;
	/* Keep the end: skip what does not fit. */
	while (rest > len - 1) {
		want = rest - (len - 1);
		if (want > sizeof skip)
			want = sizeof skip;
		if (relay_recv(ctx->relayfd, skip, want) == -1)
			return (0);
		rest -= want;
	}
	if (rest > 0 && relay_recv(ctx->relayfd, buf, rest) == -1)
		return (0);
	buf[rest] = '\0';
	return (rest);
}

/* The launcher is done with the start: the relay now reads and drops. */
void
relay_detach(struct run_ctx *ctx)
{
	if (ctx->relayfd != -1) {
		close(ctx->relayfd);
		ctx->relayfd = -1;
	}
}
