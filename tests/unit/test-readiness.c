/*
 * readiness.c: the notify socket's name, its messages' fields, BARRIER=1,
 * the sender's credentials (from another process too), the 4096-byte edge,
 * every passed descriptor closed, notify_get's edges, the s6 fd, the
 * TCP probe on IPv4 and IPv6, and what ready_spec_parse says it wants.
 */
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../src/warden.h"
#include "stubs.h"

/*
 * Send len bytes to the abstract notify socket name ("@..."), with nfd
 * descriptors and, when cred, explicit SCM_CREDENTIALS.
 */
static void
send_msg(const char *name, const void *text, size_t len, const int *fds,
    int nfd, int cred)
{
	struct sockaddr_un	 sun;
	struct msghdr		 msg;
	struct iovec		 iov;
	struct ucred		 uc;
	union {
		struct cmsghdr	 hdr;
		char		 buf[CMSG_SPACE(sizeof(struct ucred)) +
		    CMSG_SPACE(sizeof(int) * 8)];
	} cbuf;
	struct cmsghdr		*cmsg;
	size_t			 clen = 0;
	int			 s;

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path + 1, name + 1, strlen(name) - 1);
	assert_true((s = socket(AF_UNIX, SOCK_DGRAM|SOCK_CLOEXEC, 0)) != -1);
	memset(&msg, 0, sizeof msg);
	memset(&cbuf, 0, sizeof cbuf);
	iov.iov_base = (void *)(uintptr_t)text;
	iov.iov_len = len;
	msg.msg_name = &sun;
	msg.msg_namelen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) +
	    strlen(name));
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = cbuf.buf;
	msg.msg_controllen = sizeof cbuf.buf;
	cmsg = CMSG_FIRSTHDR(&msg);
	if (cred) {
		uc.pid = getpid();
		uc.uid = getuid();
		uc.gid = getgid();
		cmsg->cmsg_level = SOL_SOCKET;
		cmsg->cmsg_type = SCM_CREDENTIALS;
		cmsg->cmsg_len = CMSG_LEN(sizeof uc);
		memcpy(CMSG_DATA(cmsg), &uc, sizeof uc);
		clen += CMSG_SPACE(sizeof uc);
		cmsg = CMSG_NXTHDR(&msg, cmsg);
	}
	if (nfd > 0) {
		cmsg->cmsg_level = SOL_SOCKET;
		cmsg->cmsg_type = SCM_RIGHTS;
		cmsg->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)nfd);
		memcpy(CMSG_DATA(cmsg), fds, sizeof(int) * (size_t)nfd);
		clen += CMSG_SPACE(sizeof(int) * (size_t)nfd);
	}
	msg.msg_controllen = clen;
	if (clen == 0)
		msg.msg_control = NULL;
	assert_int_equal(sendmsg(s, &msg, 0), (ssize_t)len);
	close(s);
}

/* Send the string text, nothing along. */
static void
send_text(const char *name, const char *text)
{
	send_msg(name, text, strlen(text), NULL, 0, 0);
}

/* Send text to the notify socket called name ("@..."), with fd if >= 0. */
static void
send_to(const char *name, char *text, size_t len, int fd)
{
	send_msg(name, text, len, fd >= 0 ? &fd : NULL, fd >= 0, 0);
}
static void
test_notify_fields(void **state)
{
	struct notify_msg	 m;
	char			 name[128];
	char			 text[] = "STATUS=Ready to go\nREADY=1\nX_OWN=a=b";
	int			 fd;

	(void)state;
	assert_true((fd = notify_socket(name, sizeof name)) != -1);
	assert_int_equal(name[0], '@');
	assert_int_equal(notify_recv(fd, &m), 0);	/* nothing yet */
	send_to(name, text, sizeof text - 1, -1);
	assert_int_equal(notify_recv(fd, &m), 1);
	assert_true(m.has_cred);
	assert_int_equal(m.pid, getpid());
	assert_false(m.truncated);
	assert_string_equal(notify_get(&m, "STATUS"), "Ready to go");
	assert_string_equal(notify_get(&m, "READY"), "1");
	assert_string_equal(notify_get(&m, "X_OWN"), "a=b");
	/* A prefix of a name is not the name. */
	assert_null(notify_get(&m, "READ"));
	assert_null(notify_get(&m, "STATUS=Ready"));
	assert_null(notify_get(&m, "MAINPID"));
	close(fd);
}

static void
test_notify_too_big(void **state)
{
	struct notify_msg	 m;
	char			 name[128], *big;
	int			 fd;

	(void)state;
	assert_true((fd = notify_socket(name, sizeof name)) != -1);
	big = malloc(5000);
	memset(big, 'x', 5000);
	memcpy(big, "READY=1\n", 8);
	send_to(name, big, 5000, -1);
	assert_int_equal(notify_recv(fd, &m), 1);
	assert_true(m.truncated);
	assert_null(notify_get(&m, "READY"));
	free(big);
	close(fd);
}

/* A descriptor sent along is closed at once: the sender sees EOF/HUP. */
static void
test_notify_barrier(void **state)
{
	struct notify_msg	 m;
	char			 name[128], c, barrier[] = "BARRIER=1";
	int			 fd, p[2];

	(void)state;
	assert_true((fd = notify_socket(name, sizeof name)) != -1);
	assert_int_equal(pipe(p), 0);
	send_to(name, barrier, 9, p[1]);
	close(p[1]);
	assert_int_equal(notify_recv(fd, &m), 1);
	assert_string_equal(notify_get(&m, "BARRIER"), "1");
	assert_int_equal(read(p[0], &c, 1), 0);		/* EOF: no copy left */
	close(p[0]);
	close(fd);
}

static void
test_readyfd(void **state)
{
	int	p[2];

	(void)state;
	assert_int_equal(pipe2(p, O_NONBLOCK), 0);
	assert_int_equal(readyfd_read(p[0]), 0);		/* nothing */
	assert_int_equal(write(p[1], "warming", 7), 7);
	assert_int_equal(readyfd_read(p[0]), 0);		/* no newline */
	assert_int_equal(write(p[1], "up\n", 3), 3);
	assert_int_equal(readyfd_read(p[0]), 1);
	close(p[1]);
	assert_int_equal(readyfd_read(p[0]), -1);		/* EOF */
	close(p[0]);
}

static void
test_tcp_probe(void **state)
{
	struct sockaddr_in	 sin;
	socklen_t		 len = sizeof sin;
	char			 port[16];
	int			 l, s, connected;

	(void)state;
	assert_true((l = socket(AF_INET, SOCK_STREAM, 0)) != -1);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(l, (struct sockaddr *)&sin, sizeof sin), 0);
	assert_int_equal(listen(l, 1), 0);
	assert_int_equal(getsockname(l, (struct sockaddr *)&sin, &len), 0);
	snprintf(port, sizeof port, "%u", ntohs(sin.sin_port));
	s = tcp_probe("127.0.0.1", port, &connected);
	assert_true(s != -1);
	if (!connected) {
		fd_set	w;

		FD_ZERO(&w);
		FD_SET(s, &w);
		assert_int_equal(select(s + 1, NULL, &w, NULL, NULL), 1);
		assert_true(tcp_probe_done(s));
	}
	close(s);
	close(l);
	/* Nobody there now: refused, one way or the other. */
	s = tcp_probe("127.0.0.1", port, &connected);
	if (s != -1) {
		fd_set	w;

		assert_false(connected);
		FD_ZERO(&w);
		FD_SET(s, &w);
		assert_int_equal(select(s + 1, NULL, &w, NULL, NULL), 1);
		assert_false(tcp_probe_done(s));
		close(s);
	}
	assert_int_equal(tcp_probe("not a host name", port, &connected), -1);
}


static void
test_socket_name(void **state)
{
	char	a[128], b[128];
	size_t	need;
	int	fa, fb;

	(void)state;
	assert_true((fa = notify_socket(a, sizeof a)) != -1);
	assert_true((fb = notify_socket(b, sizeof b)) != -1);
	assert_int_equal(a[0], '@');
	assert_true(strlen(a) > 1);
	assert_string_not_equal(a, b);
	/* Non-blocking and close-on-exec. */
	assert_true(fcntl(fa, F_GETFL) & O_NONBLOCK);
	assert_true(fcntl(fa, F_GETFD) & FD_CLOEXEC);
	close(fa);
	close(fb);
	/* Room for the name and its NUL, exactly; one byte less: none. */
	need = strlen(a) + 1;
	assert_true((fa = notify_socket(b, need)) != -1);
	assert_int_equal(strlen(b), need - 1);
	close(fa);
	assert_int_equal(notify_socket(b, need - 1), -1);
	assert_int_equal(notify_socket(b, 1), -1);
}

/* A child's message carries the child's pid, not ours. */
static void
test_cred_child(void **state)
{
	struct notify_msg	 m;
	struct pollfd		 pfd;
	char			 name[128];
	pid_t			 pid;
	int			 fd, st;

	(void)state;
	assert_true((fd = notify_socket(name, sizeof name)) != -1);
	assert_true((pid = fork()) != -1);
	if (pid == 0) {
		send_text(name, "READY=1\nMAINPID=1");
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	pfd.fd = fd;
	pfd.events = POLLIN;
	assert_int_equal(poll(&pfd, 1, 5000), 1);
	assert_int_equal(notify_recv(fd, &m), 1);
	assert_true(m.has_cred);
	assert_int_equal(m.pid, pid);
	assert_int_equal(m.uid, getuid());
	assert_string_equal(notify_get(&m, "MAINPID"), "1");
	assert_int_equal(notify_recv(fd, &m), 0);
	close(fd);
}

/* Explicit credentials and descriptors in one message. */
static void
test_cred_and_fds(void **state)
{
	struct notify_msg	 m;
	char			 name[128], c;
	int			 fd, p[3][2], fds[3], i;

	(void)state;
	assert_true((fd = notify_socket(name, sizeof name)) != -1);
	for (i = 0; i < 3; i++) {
		assert_int_equal(pipe2(p[i], O_NONBLOCK), 0);
		fds[i] = p[i][1];
	}
	send_msg(name, "FDSTORE=1", 9, fds, 3, 1);
	for (i = 0; i < 3; i++)
		close(p[i][1]);
	assert_int_equal(notify_recv(fd, &m), 1);
	assert_true(m.has_cred);
	assert_int_equal(m.pid, getpid());
	assert_string_equal(notify_get(&m, "FDSTORE"), "1");
	/* Every copy passed was closed: each pipe reads EOF. */
	for (i = 0; i < 3; i++) {
		assert_int_equal(read(p[i][0], &c, 1), 0);
		close(p[i][0]);
	}
	close(fd);
}

/* 4096 bytes is the protocol's limit: taken; one more: dropped. */
static void
test_size_edge(void **state)
{
	struct notify_msg	 m;
	char			 name[128], *big;
	int			 fd;

	(void)state;
	assert_true((fd = notify_socket(name, sizeof name)) != -1);
	big = xmalloc(4097);
	memset(big, 'x', 4097);
	memcpy(big, "READY=1\nSTATUS=", 15);
	send_msg(name, big, 4096, NULL, 0, 0);
	assert_int_equal(notify_recv(fd, &m), 1);
	assert_false(m.truncated);
	assert_int_equal(m.len, 4096);
	assert_string_equal(notify_get(&m, "READY"), "1");
	assert_int_equal(strlen(notify_get(&m, "STATUS")), 4096 - 15);
	send_msg(name, big, 4097, NULL, 0, 0);
	assert_int_equal(notify_recv(fd, &m), 1);
	assert_true(m.truncated);
	assert_int_equal(m.len, 0);
	assert_string_equal(m.buf, "");
	assert_null(notify_get(&m, "READY"));
	/* The next message is whole again. */
	send_text(name, "READY=1");
	assert_int_equal(notify_recv(fd, &m), 1);
	assert_false(m.truncated);
	assert_string_equal(notify_get(&m, "READY"), "1");
	free(big);
	close(fd);
}

/* A truncated message's descriptors are closed too. */
static void
test_truncated_fds(void **state)
{
	struct notify_msg	 m;
	char			 name[128], *big, c;
	int			 fd, p[2];

	(void)state;
	assert_true((fd = notify_socket(name, sizeof name)) != -1);
	big = xmalloc(6000);
	memset(big, 'y', 6000);
	assert_int_equal(pipe2(p, O_NONBLOCK), 0);
	send_msg(name, big, 6000, &p[1], 1, 0);
	close(p[1]);
	assert_int_equal(notify_recv(fd, &m), 1);
	assert_true(m.truncated);
	assert_int_equal(read(p[0], &c, 1), 0);
	close(p[0]);
	free(big);
	close(fd);
}

static void
test_get_edges(void **state)
{
	struct notify_msg	 m;
	char			 name[128];
	const char		 text[] = "A=\nXREADY=2\nREADY=1\nREADY=3\n\n"
	    "NOEQUALS\nB=x=y\n";
	const char		 nul[] = "ONE=1\0TWO=2";
	int			 fd;

	(void)state;
	assert_true((fd = notify_socket(name, sizeof name)) != -1);
	send_text(name, text);
	assert_int_equal(notify_recv(fd, &m), 1);
	assert_int_equal(m.len, sizeof text - 1);
	assert_string_equal(notify_get(&m, "A"), "");	/* empty value */
	assert_string_equal(notify_get(&m, "READY"), "1"); /* the first */
	assert_string_equal(notify_get(&m, "XREADY"), "2");
	assert_string_equal(notify_get(&m, "B"), "x=y");
	assert_null(notify_get(&m, "NOEQUALS"));
	assert_null(notify_get(&m, "EADY"));
	assert_null(notify_get(&m, ""));
	/* A NUL in a message ends a line as a newline does. */
	send_msg(name, nul, sizeof nul - 1, NULL, 0, 0);
	assert_int_equal(notify_recv(fd, &m), 1);
	assert_string_equal(notify_get(&m, "ONE"), "1");
	assert_string_equal(notify_get(&m, "TWO"), "2");
	/* An empty datagram: a message with nothing in it. */
	send_msg(name, "", 0, NULL, 0, 0);
	assert_int_equal(notify_recv(fd, &m), 1);
	assert_int_equal(m.len, 0);
	assert_null(notify_get(&m, "READY"));
	close(fd);
	/* A broken socket: an error, not "nothing yet". */
	assert_int_equal(notify_recv(-1, &m), -1);
}

static void
test_readyfd_edges(void **state)
{
	int	p[2];

	(void)state;
	assert_int_equal(pipe2(p, O_NONBLOCK), 0);
	/* A newline anywhere in what is read. */
	assert_int_equal(write(p[1], "a\nb", 3), 3);
	assert_int_equal(readyfd_read(p[0]), 1);
	assert_int_equal(write(p[1], "\n", 1), 1);
	assert_int_equal(readyfd_read(p[0]), 1);
	close(p[1]);
	assert_int_equal(readyfd_read(p[0]), -1);
	close(p[0]);
	assert_int_equal(readyfd_read(-1), -1);
}

/* A listener on addr (family af); its port as a string. */
static int
listener(int af, char *port, size_t len)
{
	struct sockaddr_storage	 ss;
	struct sockaddr_in	*sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)&ss;
	socklen_t		 slen;
	int			 l;

	if ((l = socket(af, SOCK_STREAM|SOCK_CLOEXEC, 0)) == -1)
		return (-1);
	memset(&ss, 0, sizeof ss);
	if (af == AF_INET) {
		sin->sin_family = AF_INET;
		sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		slen = sizeof *sin;
	} else {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_addr = in6addr_loopback;
		slen = sizeof *sin6;
	}
	if (bind(l, (struct sockaddr *)&ss, slen) == -1 ||
	    listen(l, 4) == -1 ||
	    getsockname(l, (struct sockaddr *)&ss, &slen) == -1) {
		close(l);
		return (-1);
	}
	snprintf(port, len, "%u", ntohs(af == AF_INET ? sin->sin_port :
	    sin6->sin6_port));
	return (l);
}

/* Probe host:port to the end: 1 connected, 0 refused, -1 no start. */
static int
probe(const char *host, const char *port)
{
	struct pollfd	pfd;
	int		s, connected, ok;

	if ((s = tcp_probe(host, port, &connected)) == -1)
		return (-1);
	assert_true(fcntl(s, F_GETFL) & O_NONBLOCK);
	assert_true(fcntl(s, F_GETFD) & FD_CLOEXEC);
	if (connected) {
		close(s);
		return (1);
	}
	pfd.fd = s;
	pfd.events = POLLOUT;
	assert_int_equal(poll(&pfd, 1, 5000), 1);
	ok = tcp_probe_done(s);
	close(s);
	return (ok);
}

static void
test_tcp_v4_v6(void **state)
{
	char	port[16];
	int	l;

	(void)state;
	assert_true((l = listener(AF_INET, port, sizeof port)) != -1);
	assert_int_equal(probe("127.0.0.1", port), 1);
	assert_int_equal(probe("127.0.0.1", port), 1);	/* backlog of 4 */
	close(l);
	assert_int_not_equal(probe("127.0.0.1", port), 1);
	/* A service name is not a port: no lookup, no probe. */
	assert_int_equal(probe("127.0.0.1", "http"), -1);
	if ((l = listener(AF_INET6, port, sizeof port)) == -1)
		skip();
	assert_int_equal(probe("::1", port), 1);
	close(l);
	assert_int_not_equal(probe("::1", port), 1);
}

/* What each set of modes answers to a form it does not know. */
static void
test_spec_why(void **state)
{
	struct ready_spec	 r;
	const char		*why;

	(void)state;
	why = NULL;
	assert_int_equal(ready_spec_parse("x", READY_FOR_RUN, &r, &why), -1);
	assert_string_equal(why, "exec, notify, fd:N or tcp:[HOST:]PORT");
	assert_int_equal(ready_spec_parse("x", READY_FOR_SUP, &r, &why), -1);
	assert_string_equal(why, "startsecs, notify, fd:N, tcp:[HOST:]PORT "
	    "or pidfile:PATH");
	assert_int_equal(ready_spec_parse("fd:1024", READY_FOR_RUN, &r,
	    &why), -1);
	assert_string_equal(why, "fd:N with N from 3 to 1023");
	assert_int_equal(ready_spec_parse("tcp:x", READY_FOR_SUP, &r, &why),
	    -1);
	assert_string_equal(why, "tcp:[HOST:]PORT with PORT from 1 to 65535 "
	    "(an IPv6 HOST in [])");
	assert_int_equal(ready_spec_parse("pidfile:", READY_FOR_SUP, &r, &why),
	    -1);
	assert_string_equal(why, "pidfile:PATH");
	/* The edges that are allowed. */
	assert_int_equal(ready_spec_parse("fd:1023", READY_FOR_RUN, &r, &why),
	    0);
	assert_int_equal(r.fd, 1023);
	assert_int_equal(ready_spec_parse("tcp:65535", READY_FOR_SUP, &r,
	    &why), 0);
	assert_string_equal(r.port, "65535");
	assert_string_equal(r.host, "127.0.0.1");
	ready_spec_free(&r);
	assert_null(r.host);
	assert_null(r.port);
	ready_spec_free(&r);		/* twice: harmless */
	/* Both sets at once: pidfile: is known. */
	assert_int_equal(ready_spec_parse("pidfile:/p", READY_FOR_RUN|
	    READY_FOR_SUP, &r, &why), 0);
	assert_int_equal(r.mode, READY_PIDFILE);
	ready_spec_free(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_notify_fields),
		cmocka_unit_test(test_notify_too_big),
		cmocka_unit_test(test_notify_barrier),
		cmocka_unit_test(test_readyfd),
		cmocka_unit_test(test_tcp_probe),
		cmocka_unit_test(test_socket_name),
		cmocka_unit_test(test_cred_child),
		cmocka_unit_test(test_cred_and_fds),
		cmocka_unit_test(test_size_edge),
		cmocka_unit_test(test_truncated_fds),
		cmocka_unit_test(test_get_edges),
		cmocka_unit_test(test_readyfd_edges),
		cmocka_unit_test(test_tcp_v4_v6),
		cmocka_unit_test(test_spec_why),
	};

	return (cmocka_run_group_tests_name("readiness", tests, NULL, NULL));
}
