/*
 * What a unit test leaves when an assertion fails half-way: the children
 * it started, by pid, and its temp dir.  The test reaps its children and
 * removes its dir as it goes; cleanup_teardown() does what it did not.
 * Include after <cmocka.h>.
 */
#ifndef WARDEN_TEST_CLEANUP_H
#define WARDEN_TEST_CLEANUP_H

#include <sys/wait.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

static pid_t	kids[16];
static int	nkids;

/* pid is ours to reap, or to kill if the test fails first. */
static inline pid_t
kid(pid_t pid)
{
	assert_true(nkids < (int)(sizeof kids / sizeof kids[0]));
	kids[nkids++] = pid;
	return (pid);
}

/* pid is gone (reaped): no longer ours to kill. */
static inline void
kid_gone(pid_t pid)
{
	int	i;

	for (i = 0; i < nkids; i++)
		if (kids[i] == pid)
			kids[i] = kids[--nkids];
}

/* Reap pid (ours); its wait status. */
static inline int
reap(pid_t pid)
{
	int	st;

	while (waitpid(pid, &st, 0) == -1)
		assert_int_equal(errno, EINTR);
	kid_gone(pid);
	return (st);
}

/* Kill and reap every child still listed. */
static inline void
kids_kill(void)
{
	int	st;

	while (nkids > 0) {
		nkids--;
		(void)kill(kids[nkids], SIGKILL);
		(void)waitpid(kids[nkids], &st, 0);
	}
}

static char	tmp_dir[128];

/* dir (a fresh mkdtemp) is the test's, to remove if it does not. */
static inline void
tmp_keep(const char *dir)
{
	snprintf(tmp_dir, sizeof tmp_dir, "%s", dir);
}

/* Remove the test's dir; nothing when it was removed already. */
static inline void
tmp_done(void)
{
	char	cmd[160];

	if (tmp_dir[0] == '\0')
		return;
	snprintf(cmd, sizeof cmd, "rm -rf %s", tmp_dir);
	assert_int_equal(system(cmd), 0);
	tmp_dir[0] = '\0';
}

/* A cmocka teardown: children killed and reaped, the dir removed. */
static inline int
cleanup_teardown(void **state)
{
	(void)state;
	kids_kill();
	tmp_done();
	return (0);
}

#endif
