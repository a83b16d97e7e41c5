/* sd_notify: address building, exact lengths, and real delivery. */
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <warden.h>

static void
test_addr_path(void **state)
{
	struct sockaddr_un	sun;
	socklen_t		len;

	(void)state;
	assert_int_equal(wd_notify_addr("/run/n.sock", &sun, &len), 0);
	assert_string_equal(sun.sun_path, "/run/n.sock");
	assert_int_equal(len, offsetof(struct sockaddr_un, sun_path) + 12);
}

static void
test_addr_abstract_exact(void **state)
{
	struct sockaddr_un	sun;
	socklen_t		len;

	(void)state;
	/* No trailing NUL counted: the name is exactly "\0warden/x". */
	assert_int_equal(wd_notify_addr("@warden/x", &sun, &len), 0);
	assert_int_equal(sun.sun_path[0], '\0');
	assert_memory_equal(sun.sun_path + 1, "warden/x", 8);
	assert_int_equal(len, offsetof(struct sockaddr_un, sun_path) + 9);
	assert_true(len < sizeof sun);
}

static void
test_addr_bad(void **state)
{
	struct sockaddr_un	sun;
	socklen_t		len;
	char			big[200];

	(void)state;
	assert_int_equal(wd_notify_addr("", &sun, &len), -1);
	assert_int_equal(wd_notify_addr("relative", &sun, &len), -1);
	assert_int_equal(wd_notify_addr("@", &sun, &len), -1);
	assert_int_equal(wd_notify_addr(NULL, &sun, &len), -1);
	memset(big, 'a', sizeof big - 1);
	big[0] = '/';
	big[sizeof big - 1] = '\0';
	assert_int_equal(wd_notify_addr(big, &sun, &len), -1);
	assert_int_equal(errno, EINVAL);
	/* 107 bytes plus the NUL fill sun_path exactly; 108 do not. */
	big[107] = '\0';
	assert_int_equal(wd_notify_addr(big, &sun, &len), 0);
	big[107] = 'a';
	big[108] = '\0';
	assert_int_equal(wd_notify_addr(big, &sun, &len), -1);
	/* An abstract name may use all 108 bytes. */
	big[0] = '@';
	assert_int_equal(wd_notify_addr(big, &sun, &len), 0);
}

static void
test_unset_is_noop(void **state)
{
	(void)state;
	unsetenv("NOTIFY_SOCKET");
	assert_int_equal(wd_notify("READY=1"), 0);
	setenv("NOTIFY_SOCKET", "", 1);
	assert_int_equal(wd_notify("READY=1"), 0);
}

/* Receive one datagram on a socket bound to name. */
static void
roundtrip(const char *name)
{
	struct sockaddr_un	sun;
	socklen_t		len;
	char			buf[64];
	ssize_t			n;
	int			s;

	assert_int_equal(wd_notify_addr(name, &sun, &len), 0);
	s = socket(AF_UNIX, SOCK_DGRAM|SOCK_CLOEXEC, 0);
	assert_true(s >= 0);
	if (name[0] == '/')
		unlink(name);
	assert_int_equal(bind(s, (struct sockaddr *)&sun, len), 0);
	setenv("NOTIFY_SOCKET", name, 1);
	assert_int_equal(wd_notify("READY=1\nSTATUS=up"), 1);
	n = recv(s, buf, sizeof buf - 1, MSG_DONTWAIT);
	assert_int_equal(n, 17);
	buf[n] = '\0';
	assert_string_equal(buf, "READY=1\nSTATUS=up");
	close(s);
	if (name[0] == '/')
		unlink(name);
	unsetenv("NOTIFY_SOCKET");
}

static void
test_send_abstract(void **state)
{
	char	name[64];

	(void)state;
	snprintf(name, sizeof name, "@wd-unit-%ld", (long)getpid());
	roundtrip(name);
}

static void
test_send_path(void **state)
{
	char	name[64];

	(void)state;
	snprintf(name, sizeof name, "/tmp/wd-unit-%ld.sock", (long)getpid());
	roundtrip(name);
}

static void
test_send_nobody_listening(void **state)
{
	(void)state;
	setenv("NOTIFY_SOCKET", "@wd-unit-nobody-here", 1);
	assert_int_equal(wd_notify("READY=1"), -1);
	unsetenv("NOTIFY_SOCKET");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_addr_path),
		cmocka_unit_test(test_addr_abstract_exact),
		cmocka_unit_test(test_addr_bad),
		cmocka_unit_test(test_unset_is_noop),
		cmocka_unit_test(test_send_abstract),
		cmocka_unit_test(test_send_path),
		cmocka_unit_test(test_send_nobody_listening),
	};

	return (cmocka_run_group_tests_name("notify", tests, NULL, NULL));
}
