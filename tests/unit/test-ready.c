/*
 * Readiness primitives: the notify socket and its messages (credentials,
 * fields, the 4096-byte limit, passed descriptors), the s6 fd, the TCP
 * probe.
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
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

/* Send text to the notify socket called name ("@..."), with fd if >= 0. */
static void
send_to(const char *name, char *text, size_t len, int fd)
{
	struct sockaddr_un	 sun;
	struct msghdr		 msg;
	struct iovec		 iov;
	union {
		struct cmsghdr	 hdr;
		char		 buf[CMSG_SPACE(sizeof(int))];
	} cbuf;
	struct cmsghdr		*cmsg;
	int			 s;

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path + 1, name + 1, strlen(name) - 1);
	assert_true((s = socket(AF_UNIX, SOCK_DGRAM|SOCK_CLOEXEC, 0)) != -1);
	memset(&msg, 0, sizeof msg);
	iov.iov_base = text;
	iov.iov_len = len;
	msg.msg_name = &sun;
	msg.msg_namelen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) +
	    strlen(name));
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	if (fd >= 0) {
		memset(&cbuf, 0, sizeof cbuf);
		msg.msg_control = cbuf.buf;
		msg.msg_controllen = sizeof cbuf.buf;
		cmsg = CMSG_FIRSTHDR(&msg);
		cmsg->cmsg_level = SOL_SOCKET;
		cmsg->cmsg_type = SCM_RIGHTS;
		cmsg->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cmsg), &fd, sizeof fd);
	}
	assert_int_equal(sendmsg(s, &msg, 0), (ssize_t)len);
	close(s);
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_notify_fields),
		cmocka_unit_test(test_notify_too_big),
		cmocka_unit_test(test_notify_barrier),
		cmocka_unit_test(test_readyfd),
		cmocka_unit_test(test_tcp_probe),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
