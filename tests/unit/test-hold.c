/*
 * hold.c: a holder forked for a temporary socket keeps every stream's
 * read end; a second "supervisor" (the same process, its connection
 * closed as an exec closes it) gets them all back by key, in more than
 * one batch, each the same pipe; a stream dropped is not given back;
 * what nobody claims is let go; a quit ends the holder.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../src/sup/sup.h"
#include "stubs.h"

#define NSTREAMS	300	/* more than one batch of 253 */

static void
test_hand_back(void **state)
{
	struct cfg_proc	 cfg[NSTREAMS];
	struct svc	 s[NSTREAMS];
	char		 dir[] = "/tmp/test-hold.XXXXXX", path[PATH_MAX];
	char		 name[NSTREAMS][16], key[512], c;
	int		 p[NSTREAMS][2], i, fd;
	pid_t		 holder;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/h.hold", dir);
	memset(cfg, 0, sizeof cfg);
	memset(s, 0, sizeof s);
	for (i = 0; i < NSTREAMS; i++) {
		snprintf(name[i], sizeof name[i], "s%d", i);
		cfg[i].name = cfg[i].group = name[i];
		s[i].cfg = &cfg[i];
	}
	assert_int_equal(hold_init(path, 0), 0);	/* a new holder */
	holder = hold_holder();
	assert_true(holder > 0);
	for (i = 0; i < NSTREAMS; i++)
		assert_int_equal(hold_pipe(&s[i], "stdout", p[i]), 0);
	hold_gone(&s[7], "stdout");
	/* The supervisor goes: its read ends with it. */
	hold_fini(path, 0);
	for (i = 0; i < NSTREAMS; i++) {
		close(p[i][0]);
		if (i != 7)		/* dropped: that one has no reader */
			assert_int_equal(write(p[i][1], "x", 1), 1);
	}
	assert_int_equal(hold_init(path, holder), 1);	/* found */
	for (i = 0; i < NSTREAMS; i++) {
		hold_key(key, sizeof key, &s[i], "stdout");
		fd = hold_claim(key);
		if (i == 7) {
			assert_int_equal(fd, -1);	/* dropped */
			continue;
		}
		assert_true(fd >= 0);
		assert_true(hold_claimed(key));
		assert_int_equal(read(fd, &c, 1), 1);
		assert_int_equal(c, 'x');
		close(fd);
	}
	/* A key never held is not there. */
	hold_key(key, sizeof key, &s[0], "stderr");
	assert_int_equal(hold_claim(key), -1);
	hold_claim_end();
	/* Quit: the holder leaves, and its socket goes. */
	hold_fini(path, 1);
	assert_int_equal(waitpid(holder, NULL, 0), holder);
	assert_int_equal(access(path, F_OK), -1);
	for (i = 0; i < NSTREAMS; i++)
		close(p[i][1]);
	assert_int_equal(rmdir(dir), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hand_back),
	};

	return (cmocka_run_group_tests_name("hold", tests, NULL, NULL));
}
