/*
 * xmalloc.c: the binary's allocators never return NULL, not even for
 * zero bytes, and die (exit 1, the reason on stderr) when they cannot.
 */
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../src/warden.h"
#include "stubs.h"
#include "cleanup.h"

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN	1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN	1
#endif
#endif

static void
test_zero(void **state)
{
	char	*a, *b, *c;

	(void)state;
	assert_non_null(a = xmalloc(0));
	assert_non_null(b = xcalloc(0, 8));
	assert_non_null(c = xreallocarray(NULL, 0, 0));
	assert_ptr_not_equal(a, b);
	assert_ptr_not_equal(b, c);
	free(a);
	free(b);
	free(c);
}

static void
test_values(void **state)
{
	char	*s, *p;
	int	*v;
	size_t	 i;

	(void)state;
	v = xcalloc(100, sizeof *v);
	for (i = 0; i < 100; i++)
		assert_int_equal(v[i], 0);
	v[99] = 7;
	v = xreallocarray(v, 1000, sizeof *v);
	assert_int_equal(v[99], 7);
	free(v);
	s = xstrdup("a string");
	assert_string_equal(s, "a string");
	assert_int_equal(xasprintf(&p, "%s, %d, %.2f", s, -3, 0.5), 18);
	assert_string_equal(p, "a string, -3, 0.50");
	free(p);
	assert_int_equal(xasprintf(&p, "%s", ""), 0);
	assert_string_equal(p, "");
	free(p);
	free(s);
}

#ifndef UNDER_ASAN	/* the sanitizer stops the overflow itself */
/* An impossible size: the child dies with exit 1 and says why. */
static void
test_dies(void **state)
{
	char	 dir[64], path[128], buf[256];
	ssize_t	 n;
	pid_t	 pid;
	int	 fd, st;

	(void)state;
	snprintf(dir, sizeof dir, "/tmp/test-xmalloc.XXXXXX");
	assert_non_null(mkdtemp(dir));
	tmp_keep(dir);
	snprintf(path, sizeof path, "%s/stderr", dir);
	assert_true((fd = open(path, O_RDWR|O_CREAT|O_CLOEXEC, 0600)) != -1);
	assert_true((pid = fork()) != -1);
	if (pid == 0) {
		(void)dup2(fd, STDERR_FILENO);
		(void)xreallocarray(NULL, SIZE_MAX / 2, 4);
		_exit(0);
	}
	kid(pid);
	st = reap(pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 1);
	n = pread(fd, buf, sizeof buf - 1, 0);
	assert_true(n > 0);
	buf[n] = '\0';
	assert_non_null(strstr(buf, "realloc: Cannot allocate memory"));
	close(fd);
	tmp_done();
}
#endif

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_zero),
		cmocka_unit_test(test_values),
#ifndef UNDER_ASAN
		cmocka_unit_test_teardown(test_dies, cleanup_teardown),
#endif
	};

	return (cmocka_run_group_tests_name("xmalloc", tests, NULL, NULL));
}
