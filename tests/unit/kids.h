/*
 * The children a unit test starts, by pid: reaped one by one as the
 * test goes, and whatever a failed assertion left killed and reaped by
 * kids_kill() in the teardown.  Include after <cmocka.h>.
 */
#ifndef WARDEN_TEST_KIDS_H
#define WARDEN_TEST_KIDS_H

#include <sys/wait.h>

#include <errno.h>
#include <signal.h>

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

#endif
