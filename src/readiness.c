/*
 * Readiness protocols, shared by "warden run --ready" and the supervisor:
 * the sd_notify datagram socket and its messages, s6's notification fd,
 * and a TCP connect probe.  Each function does one non-blocking step; the
 * callers own the waiting (poll in spawn.c, the event loop in src/sup/).
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <netinet/in.h>

#include <errno.h>
#include <netdb.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "warden.h"

/*
 * A datagram socket with SO_PASSCRED (so the kernel tells us who sent each
 * message) bound to an abstract name the kernel picks.  An abstract name
 * needs no directory that every service user can reach; senders are told
 * apart by their credentials, never by knowing the name.  name gets the
 * NOTIFY_SOCKET form, "@" and the name.
 */
int
notify_socket(char *name, size_t len)
{
	struct sockaddr_un	sun;
	socklen_t		slen;
	size_t			i, n;
	int			fd, one = 1;

	if ((fd = socket(AF_UNIX, SOCK_DGRAM|SOCK_CLOEXEC|SOCK_NONBLOCK,
	    0)) == -1)
		return (-1);
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	if (setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof one) == -1 ||
	    bind(fd, (struct sockaddr *)&sun, sizeof(sa_family_t)) == -1)
		goto fail;			/* the bind autobinds */
	slen = sizeof sun;
	if (getsockname(fd, (struct sockaddr *)&sun, &slen) == -1 ||
	    slen <= offsetof(struct sockaddr_un, sun_path) + 1)
		goto fail;
	n = slen - offsetof(struct sockaddr_un, sun_path);
	if (n + 1 > len)
		goto fail;
	name[0] = '@';
	for (i = 1; i < n; i++)
		name[i] = sun.sun_path[i];
	name[n] = '\0';
	return (fd);
fail:
	close(fd);
	return (-1);
}

/*
 * Receive one message: 1 with m filled, 0 when none is waiting, -1 on an
 * error.  Lines become NUL-terminated strings in m->buf; file descriptors
 * sent along (BARRIER=1 sends one) are closed at once, which is also what
 * answers a barrier.
 */
int
notify_recv(int fd, struct notify_msg *m)
{
	struct msghdr	 msg;
	struct iovec	 iov;
	struct cmsghdr	*cmsg;
	union {
		struct cmsghdr	 hdr;
		char		 buf[CMSG_SPACE(sizeof(struct ucred)) +
		    CMSG_SPACE(sizeof(int) * 253)];
	} cbuf;
	struct ucred	 uc;
	ssize_t		 n;
	size_t		 i, nfd;
	int		*fds;

	memset(m, 0, sizeof *m);
	memset(&msg, 0, sizeof msg);
	iov.iov_base = m->buf;
	iov.iov_len = sizeof m->buf - 1;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = cbuf.buf;
	msg.msg_controllen = sizeof cbuf.buf;
	n = recvmsg(fd, &msg, MSG_DONTWAIT|MSG_CMSG_CLOEXEC|MSG_TRUNC);
	if (n == -1)
		return (errno == EAGAIN || errno == EINTR ? 0 : -1);
	for (cmsg = CMSG_FIRSTHDR(&msg); cmsg != NULL;
	    cmsg = CMSG_NXTHDR(&msg, cmsg)) {
		if (cmsg->cmsg_level != SOL_SOCKET)
			continue;
		if (cmsg->cmsg_type == SCM_CREDENTIALS &&
		    cmsg->cmsg_len >= CMSG_LEN(sizeof uc)) {
			memcpy(&uc, CMSG_DATA(cmsg), sizeof uc);
			m->pid = uc.pid;
			m->uid = uc.uid;
			m->has_cred = 1;
		} else if (cmsg->cmsg_type == SCM_RIGHTS) {
			nfd = (cmsg->cmsg_len - CMSG_LEN(0)) / sizeof(int);
			fds = (int *)(void *)CMSG_DATA(cmsg);
			for (i = 0; i < nfd; i++)
				close(fds[i]);
		}
	}
	/* Over the protocol's 4096 bytes: systemd drops it, and so do we. */
	m->truncated = (size_t)n > sizeof m->buf - 1 ||
	    (msg.msg_flags & MSG_TRUNC);
	if (m->truncated)
		n = 0;
	m->len = (size_t)n;
	m->buf[n] = '\0';
	for (i = 0; i < (size_t)n; i++)
		if (m->buf[i] == '\n')
			m->buf[i] = '\0';
	return (1);
}

/* The value of KEY= in a message, or NULL. */
const char *
notify_get(const struct notify_msg *m, const char *key)
{
	size_t	klen = strlen(key), i = 0, l;

	while (i < m->len) {
		l = strlen(m->buf + i);
		if (l > klen && strncmp(m->buf + i, key, klen) == 0 &&
		    m->buf[i + klen] == '=')
			return (m->buf + i + klen + 1);
		i += l + 1;
	}
	return (NULL);
}

/* A line on an s6 notification fd: 1 ready, 0 not yet, -1 EOF (never). */
int
readyfd_read(int fd)
{
	char	buf[512];
	ssize_t	n;

	if ((n = read(fd, buf, sizeof buf)) == -1)
		return (errno == EINTR || errno == EAGAIN ? 0 : -1);
	if (n == 0)
		return (-1);
	return (memchr(buf, '\n', (size_t)n) != NULL);
}

/*
 * Start a non-blocking connect to host:port: the socket (to wait on for
 * POLLOUT), with *connected set when it succeeded at once; -1 when no
 * connect could even start.
 */
int
tcp_probe(const char *host, const char *port, int *connected)
{
	struct addrinfo	hints, *res, *ai;
	int		s = -1;

	*connected = 0;
	memset(&hints, 0, sizeof hints);
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	if (getaddrinfo(host, port, &hints, &res) != 0)
		return (-1);
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		s = socket(ai->ai_family, ai->ai_socktype|SOCK_NONBLOCK|
		    SOCK_CLOEXEC, ai->ai_protocol);
		if (s == -1)
			continue;
		if (connect(s, ai->ai_addr, ai->ai_addrlen) == 0) {
			*connected = 1;
			break;
		}
		if (errno == EINPROGRESS)
			break;
		close(s);
		s = -1;
	}
	freeaddrinfo(res);
	return (s);
}

/* Did the connect on s succeed? */
int
tcp_probe_done(int s)
{
	int		e = 0;
	socklen_t	len = sizeof e;

	if (getsockopt(s, SOL_SOCKET, SO_ERROR, &e, &len) == -1)
		return (0);
	return (e == 0);
}

/*
 * One readiness mode as the user wrote it: "exec" (warden run's default),
 * "startsecs" (ready='s), "notify", "fd:N", "tcp:[HOST:]PORT" or
 * "pidfile:PATH", each allowed where `allow` (READY_FOR_RUN, READY_FOR_SUP)
 * says.  NULL is the default of the first allowed set.  Returns 0, or -1
 * with *why the form expected.  ready_spec_free frees what it holds.
 */
int
ready_spec_parse(const char *s, int allow, struct ready_spec *spec,
    const char **why)
{
	unsigned long	n;
	int		run = (allow & READY_FOR_RUN) != 0;

	memset(spec, 0, sizeof *spec);
	spec->mode = run ? READY_EXEC : READY_STARTSECS;
	if (s == NULL || (run && strcmp(s, "exec") == 0) ||
	    ((allow & READY_FOR_SUP) && strcmp(s, "startsecs") == 0))
		return (0);
	if (strcmp(s, "notify") == 0) {
		spec->mode = READY_NOTIFY;
		return (0);
	}
	if (strncmp(s, "fd:", 3) == 0) {
		if (parse_uint(s + 3, 1023, &n) == -1 || n < 3) {
			*why = "fd:N with N from 3 to 1023";
			return (-1);
		}
		spec->mode = READY_FD;
		spec->fd = (int)n;
		return (0);
	}
	if (strncmp(s, "tcp:", 4) == 0) {
		if (hostport_split(s + 4, &spec->host, &spec->port) == -1) {
			*why = "tcp:[HOST:]PORT with PORT from 1 to 65535 "
			    "(an IPv6 HOST in [])";
			return (-1);
		}
		spec->mode = READY_TCP;
		return (0);
	}
	if ((allow & READY_FOR_SUP) && strncmp(s, "pidfile:", 8) == 0) {
		if (s[8] == '\0') {
			*why = "pidfile:PATH";
			return (-1);
		}
		spec->mode = READY_PIDFILE;
		spec->path = xstrdup(s + 8);
		return (0);
	}
	*why = run ? "exec, notify, fd:N or tcp:[HOST:]PORT" :
	    "startsecs, notify, fd:N, tcp:[HOST:]PORT or pidfile:PATH";
	return (-1);
}

void
ready_spec_free(struct ready_spec *spec)
{
	free(spec->host);
	free(spec->port);
	free(spec->path);
	spec->host = spec->port = spec->path = NULL;
}
