/*
 * Copyright (c) 2026 The warden authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 *
 * THE SOFTWARE IS PROVIDED "AS IS" AND THE AUTHOR DISCLAIMS ALL WARRANTIES
 * WITH REGARD TO THIS SOFTWARE INCLUDING ALL IMPLIED WARRANTIES OF
 * MERCHANTABILITY AND FITNESS.
 */

/*
 * echod: a TCP echo daemon on libwarden, the network daemon the toolkit
 * exists for.  wd_daemonize() first, then bind and listen while stderr
 * still reaches the caller, then wd_ready(): the shell gets exit 0 only
 * once the port accepts, or the bind error and exit 1.  One epoll loop
 * serves the listener, a signalfd and every client.
 */
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <warden.h>

#include "../src/compat/queue.h"	/* musl ships no <sys/queue.h> */

#define ECHOD_ADDR	"127.0.0.1"
#define ECHOD_PORT	"7007"
#define ECHOD_BUFSZ	65536	/* per client: stop reading when full */
#define ECHOD_NEVENTS	64

struct echod_client {
	TAILQ_ENTRY(echod_client) entry;
	int		 fd;
	uint32_t	 events;	/* what epoll watches for it now */
	int		 eof;		/* it will send no more */
	size_t		 off, len;	/* bytes buf[off..len) still to echo */
	char		 buf[ECHOD_BUFSZ];
};
TAILQ_HEAD(echod_clients, echod_client);

struct echod {
	int			 lfd, sfd, epfd;
	int			 paused;	/* listener off: out of fds */
	char			*log;		/* absolute: reopened on HUP */
	char			 name[INET6_ADDRSTRLEN + 8];	/* [::1]:7007 */
	struct echod_clients	 clients;
};

static void __attribute__((noreturn))
echod_usage(void)
{
	fprintf(stderr, "usage: echod [-F] [-a addr] [-p port] "
	    "[--pidfile file] [-o|--log file]\n");
	exit(2);
}

/* A startup or loop failure: say why, drop the pidfile, exit 1. */
static void __attribute__((noreturn, format(printf, 1, 2)))
echod_die(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vwarn(fmt, ap);
	va_end(ap);
	(void)wd_cleanup();
	exit(1);
}

/* Parse a numeric IPv4 or IPv6 address and a port; name it for messages. */
static int
echod_addr(const char *addr, const char *port, struct sockaddr_storage *ss,
    socklen_t *sslen, char *name, size_t namelen)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)ss;
	char			 host[INET6_ADDRSTRLEN], *end;
	long			 n;

	errno = 0;
	n = strtol(port, &end, 10);
	if (errno != 0 || end == port || *end != '\0' || n < 1 || n > 65535)
		return (-1);
	memset(ss, 0, sizeof *ss);
	if (inet_pton(AF_INET, addr, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)n);
		*sslen = sizeof *sin;
		inet_ntop(AF_INET, &sin->sin_addr, host, sizeof host);
		snprintf(name, namelen, "%s:%ld", host, n);
	} else if (inet_pton(AF_INET6, addr, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)n);
		*sslen = sizeof *sin6;
		inet_ntop(AF_INET6, &sin6->sin6_addr, host, sizeof host);
		snprintf(name, namelen, "[%s]:%ld", host, n);
	} else
		return (-1);
	return (0);
}

/* The log path made absolute: the daemon lives in / and reopens it. */
static char *
echod_logpath(const char *path)
{
	char	cwd[4096], *abs;

	if (path == NULL)
		path = "/dev/null";
	if (*path == '/')
		abs = strdup(path);
	else if (getcwd(cwd, sizeof cwd) == NULL)
		err(1, "getcwd");
	else if (asprintf(&abs, "%s/%s", cwd, path) == -1)
		abs = NULL;
	if (abs == NULL)
		err(1, NULL);
	return (abs);
}

/* Block the signals we handle and read them from a signalfd instead. */
static void
echod_signals(struct echod *e)
{
	sigset_t	set;

	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	if (sigprocmask(SIG_BLOCK, &set, NULL) == -1)
		echod_die("sigprocmask");
	if ((e->sfd = signalfd(-1, &set, SFD_CLOEXEC|SFD_NONBLOCK)) == -1)
		echod_die("signalfd");
}

/*
 * A listening socket handed over with systemd's protocol (warden's
 * listen= or warden run --listen, systemd's socket units): fd 3 when
 * LISTEN_PID is us and fd 3 listens, else -1.  The variables go, so
 * that nothing we start takes them for its own.
 */
static int
echod_inherited(void)
{
	const char	*fds = getenv("LISTEN_FDS"), *pid = getenv("LISTEN_PID");
	socklen_t	 len = sizeof(int);
	int		 acc = 0, fd = -1;

	if (fds != NULL && pid != NULL && atol(pid) == (long)getpid() &&
	    atoi(fds) >= 1 && getsockopt(3, SOL_SOCKET, SO_ACCEPTCONN, &acc,
	    &len) == 0 && acc)
		fd = 3;
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDNAMES");
	return (fd);
}

/* The inherited socket: ours now, non-blocking, named by its address. */
static void
echod_adopt(struct echod *e, int fd)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len = sizeof ss;
	char			 host[INET6_ADDRSTRLEN] = "?";
	int			 port = 0;

	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) == -1 ||
	    fcntl(fd, F_SETFD, FD_CLOEXEC) == -1)
		echod_die("fcntl");
	if (getsockname(fd, (struct sockaddr *)&ss, &len) == 0) {
		if (ss.ss_family == AF_INET) {
			struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

			inet_ntop(AF_INET, &sin->sin_addr, host, sizeof host);
			port = ntohs(sin->sin_port);
		} else if (ss.ss_family == AF_INET6) {
			struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

			inet_ntop(AF_INET6, &sin6->sin6_addr, host,
			    sizeof host);
			port = ntohs(sin6->sin6_port);
		}
	}
	snprintf(e->name, sizeof e->name, ss.ss_family == AF_INET6 ?
	    "[%s]:%d" : "%s:%d", host, port);
	e->lfd = fd;
}

/* Bind and listen while stderr still reaches the shell that started us. */
static void
echod_listen(struct echod *e, const struct sockaddr_storage *ss,
    socklen_t sslen)
{
	int	on = 1;

	e->lfd = socket(ss->ss_family, SOCK_STREAM|SOCK_NONBLOCK|SOCK_CLOEXEC,
	    0);
	if (e->lfd == -1)
		echod_die("socket");
	/* Restart at once over old connections in TIME_WAIT. */
	if (setsockopt(e->lfd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) == -1)
		echod_die("setsockopt");
	if (bind(e->lfd, (const struct sockaddr *)ss, sslen) == -1)
		echod_die("bind %s", e->name);
	if (listen(e->lfd, SOMAXCONN) == -1)
		echod_die("listen %s", e->name);
}

static int
echod_watch(struct echod *e, int op, int fd, uint32_t events, void *ptr)
{
	struct epoll_event	ev;

	memset(&ev, 0, sizeof ev);
	ev.events = events;
	ev.data.ptr = ptr;
	return (epoll_ctl(e->epfd, op, fd, &ev));
}

/* Out of fds or memory: stop accepting until a client leaves. */
static void
echod_pause(struct echod *e, int pause)
{
	if (e->paused == pause)
		return;
	if (echod_watch(e, EPOLL_CTL_MOD, e->lfd, pause ? 0 : EPOLLIN,
	    &e->lfd) == -1)
		echod_die("epoll_ctl");
	e->paused = pause;
}

static void
echod_client_close(struct echod *e, struct echod_client *c)
{
	TAILQ_REMOVE(&e->clients, c, entry);
	close(c->fd);
	free(c);
	echod_pause(e, 0);
}

/* Accept every pending connection. */
static void
echod_accept(struct echod *e)
{
	struct echod_client	*c;
	int			 fd;

	for (;;) {
		fd = accept4(e->lfd, NULL, NULL, SOCK_CLOEXEC|SOCK_NONBLOCK);
		if (fd == -1) {
			if (errno == EAGAIN)
				return;
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			warn("accept");
			if (errno == EMFILE || errno == ENFILE ||
			    errno == ENOBUFS || errno == ENOMEM)
				echod_pause(e, 1);
			return;
		}
		if ((c = malloc(sizeof *c)) == NULL) {
			warn("accept");
			close(fd);
			echod_pause(e, 1);
			return;
		}
		c->fd = fd;
		c->events = EPOLLIN;
		c->eof = 0;
		c->off = c->len = 0;
		if (echod_watch(e, EPOLL_CTL_ADD, fd, c->events, c) == -1) {
			warn("epoll_ctl");
			close(fd);
			free(c);
			return;
		}
		TAILQ_INSERT_TAIL(&e->clients, c, entry);
	}
}

/* Read what fits in the client's buffer; -1 when the connection broke. */
static int
echod_client_read(struct echod_client *c)
{
	ssize_t	n;

	while (!c->eof) {
		if (c->len == sizeof c->buf) {
			if (c->off == 0)
				break;		/* full: wait for it to drain */
			memmove(c->buf, c->buf + c->off, c->len - c->off);
			c->len -= c->off;
			c->off = 0;
		}
		n = read(c->fd, c->buf + c->len, sizeof c->buf - c->len);
		if (n > 0)
			c->len += n;
		else if (n == 0)
			c->eof = 1;
		else if (errno == EAGAIN)
			break;
		else if (errno != EINTR)
			return (-1);
	}
	return (0);
}

/* Echo what is buffered until the socket would block. */
static int
echod_client_write(struct echod_client *c)
{
	ssize_t	n;

	while (c->off < c->len) {
		/* MSG_NOSIGNAL: a vanished client is an error, not SIGPIPE. */
		n = send(c->fd, c->buf + c->off, c->len - c->off, MSG_NOSIGNAL);
		if (n >= 0)
			c->off += n;
		else if (errno == EAGAIN)
			break;
		else if (errno != EINTR)
			return (-1);
	}
	if (c->off == c->len)
		c->off = c->len = 0;
	return (0);
}

/* Move bytes for one client, then watch for what it waits on now. */
static void
echod_client_io(struct echod *e, struct echod_client *c)
{
	uint32_t	want = 0;

	if (echod_client_read(c) == -1 || echod_client_write(c) == -1 ||
	    (c->eof && c->len == 0)) {
		echod_client_close(e, c);
		return;
	}
	if (!c->eof && c->len < sizeof c->buf)
		want |= EPOLLIN;
	if (c->off < c->len)
		want |= EPOLLOUT;
	if (want != c->events) {
		if (echod_watch(e, EPOLL_CTL_MOD, c->fd, want, c) == -1) {
			warn("epoll_ctl");
			echod_client_close(e, c);
			return;
		}
		c->events = want;
	}
}

/* HUP: open the log anew (logrotate moved the old one) onto 1 and 2. */
static void
echod_reopen(struct echod *e)
{
	int	fd;

	if ((fd = open(e->log, O_WRONLY|O_APPEND|O_CREAT|O_CLOEXEC|O_NOCTTY,
	    0640)) == -1) {
		warn("reopen %s", e->log);
		return;
	}
	if (dup2(fd, STDOUT_FILENO) == -1 || dup2(fd, STDERR_FILENO) == -1)
		warn("reopen %s", e->log);
	close(fd);
	warnx("reopened log");
}

/* Handle queued signals; 1 when it is time to stop. */
static int
echod_signal(struct echod *e)
{
	struct signalfd_siginfo	si;
	ssize_t			n;

	while ((n = read(e->sfd, &si, sizeof si)) == (ssize_t)sizeof si) {
		if (si.ssi_signo == SIGHUP)
			echod_reopen(e);
		else {
			warnx("stopping on SIG%s", wd_sig_name(si.ssi_signo));
			return (1);
		}
	}
	if (n == -1 && errno != EAGAIN && errno != EINTR)
		echod_die("signalfd");
	return (0);
}

/* Serve until TERM or INT. */
static void
echod_loop(struct echod *e)
{
	struct epoll_event	ev[ECHOD_NEVENTS];
	int			n, i;

	for (;;) {
		if ((n = epoll_wait(e->epfd, ev, ECHOD_NEVENTS, -1)) == -1) {
			if (errno == EINTR)
				continue;
			echod_die("epoll_wait");
		}
		for (i = 0; i < n; i++) {
			if (ev[i].data.ptr == &e->lfd)
				echod_accept(e);
			else if (ev[i].data.ptr == &e->sfd) {
				if (echod_signal(e))
					return;
			} else
				echod_client_io(e, ev[i].data.ptr);
		}
	}
}

static void
echod_stop(struct echod *e)
{
	struct echod_client	*c;

	while ((c = TAILQ_FIRST(&e->clients)) != NULL) {
		TAILQ_REMOVE(&e->clients, c, entry);
		close(c->fd);
		free(c);
	}
	close(e->lfd);
	close(e->epfd);
	close(e->sfd);
	free(e->log);
	(void)wd_cleanup();
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "log",	required_argument,	NULL,	'o' },
		{ "pidfile",	required_argument,	NULL,	'P' },
		{ NULL,		0,			NULL,	0 }
	};
	struct wd_daemon_conf	 conf;
	struct sockaddr_storage	 ss;
	struct echod		 e;
	socklen_t		 sslen;
	int			 inherited, keep[1];
	const char		*addr = ECHOD_ADDR, *port = ECHOD_PORT;
	const char		*log = NULL;
	pid_t			 pid;
	int			 ch;

	memset(&e, 0, sizeof e);
	e.lfd = e.sfd = e.epfd = -1;
	TAILQ_INIT(&e.clients);
	memset(&conf, 0, sizeof conf);
	conf.umask = -1;
	while ((ch = getopt_long(argc, argv, "a:Fo:p:", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'a':
			addr = optarg;
			break;
		case 'F':
			conf.flags |= WD_DAEMON_FOREGROUND;
			break;
		case 'o':
			log = optarg;
			break;
		case 'p':
			port = optarg;
			break;
		case 'P':
			conf.pidfile = optarg;
			break;
		default:
			echod_usage();
		}
	}
	if (optind != argc)
		echod_usage();
	if (echod_addr(addr, port, &ss, &sslen, e.name, sizeof e.name) == -1) {
		warnx("bad address or port: %s port %s", addr, port);
		echod_usage();
	}
	e.log = echod_logpath(log);
	conf.output = e.log;
	if ((inherited = echod_inherited()) != -1) {
		keep[0] = inherited;	/* through the daemon's fd sweep */
		conf.keep_fds = keep;
		conf.nkeep_fds = 1;
	}

	ch = wd_daemonize(&conf);
	if (ch == -1) {
		if (errno == EEXIST && conf.pidfile != NULL) {
			if ((pid = wd_pidfile_read(conf.pidfile)) > 0)
				errx(1, "already running, pid %ld", (long)pid);
			errx(1, "already running");
		}
		if (conf.pidfile != NULL && (errno == ELOOP ||
		    errno == EPERM || errno == EINVAL))
			echod_die("pidfile %s", conf.pidfile);
		echod_die("daemonize");
	}

	echod_signals(&e);
	if (inherited != -1)
		echod_adopt(&e, inherited);
	else
		echod_listen(&e, &ss, sslen);
	if ((e.epfd = epoll_create1(EPOLL_CLOEXEC)) == -1)
		echod_die("epoll_create1");
	if (echod_watch(&e, EPOLL_CTL_ADD, e.lfd, EPOLLIN, &e.lfd) == -1 ||
	    echod_watch(&e, EPOLL_CTL_ADD, e.sfd, EPOLLIN, &e.sfd) == -1)
		echod_die("epoll_ctl");
	if (wd_ready() == -1)
		warn("wd_ready");
	warnx("listening on %s", e.name);

	echod_loop(&e);
	echod_stop(&e);
	return (0);
}
