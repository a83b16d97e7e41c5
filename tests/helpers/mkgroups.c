/*
 * mkgroups FILE: build a session with three process groups for the ps
 * tests, write "NAME PID" lines to FILE (atomically, once everything is
 * in place), then wait until killed (ten minutes at most).
 *
 *	P	the process started; waits for L, outside the session
 *	L	session leader (setsid), leader of group L
 *	A1	a second member of group L
 *	B	leader of group B
 *	B1	a second member of group B
 *	C	leader of group C; exits once C1 is forked, so group C
 *		has no leader and C1 is re-parented (a daemon)
 *	C1	the member of group C left behind
 *
 * Every process but C1 dies with its parent (PR_SET_PDEATHSIG).
 */
#include <sys/prctl.h>
#include <sys/wait.h>

#include <err.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MKG_LIFETIME	600	/* seconds before a forgotten helper exits */

static int	mkg_ready[2];	/* each final process writes one byte */

/* Stay until killed: tell L we are in place, then pause. */
static void
mkg_wait(void)
{
	alarm(MKG_LIFETIME);
	if (write(mkg_ready[1], "x", 1) != 1)
		_exit(1);
	close(mkg_ready[1]);
	for (;;)
		pause();
}

/* Die with our parent, which must still be ppid. */
static void
mkg_tie(pid_t ppid)
{
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) == -1 || getppid() != ppid)
		_exit(1);
}

/* fork a child into group pgid (0: its own group, -1: ours). */
static pid_t
mkg_fork(pid_t pgid, int tie)
{
	pid_t	pid, parent = getpid();

	if ((pid = fork()) == -1)
		err(1, "fork");
	if (pid == 0) {
		close(mkg_ready[0]);
		if (tie)
			mkg_tie(parent);
		if (pgid != -1 && setpgid(0, pgid) == -1)
			_exit(1);
		return (0);
	}
	/* Both sides call setpgid, so that it is done when fork returns. */
	if (pgid != -1 && setpgid(pid, pgid ? pgid : pid) == -1)
		err(1, "setpgid");
	return (pid);
}

/* The session leader: make the groups, then report them. */
static void
mkg_leader(const char *file, pid_t p)
{
	pid_t	 l = getpid(), a1, b, b1, c, c1 = 0;
	char	 tmp[4096], buf[4];
	int	 cpipe[2], n, st;
	FILE	*fp;

	if (setsid() == -1)
		err(1, "setsid");
	if (pipe(mkg_ready) == -1)
		err(1, "pipe");
	if ((a1 = mkg_fork(-1, 1)) == 0)
		mkg_wait();
	if ((b = mkg_fork(0, 1)) == 0)
		mkg_wait();
	if ((b1 = mkg_fork(b, 1)) == 0)
		mkg_wait();
	if (pipe(cpipe) == -1)
		err(1, "pipe");
	if ((c = mkg_fork(0, 1)) == 0) {
		/* C: fork C1 into our group, tell L its pid, and go. */
		close(cpipe[0]);
		if ((c1 = fork()) == -1)
			_exit(1);
		if (c1 == 0) {
			close(cpipe[1]);
			mkg_wait();
		}
		if (write(cpipe[1], &c1, sizeof c1) != sizeof c1)
			_exit(1);
		_exit(0);
	}
	close(mkg_ready[1]);
	close(cpipe[1]);
	if (read(cpipe[0], &c1, sizeof c1) != sizeof c1)
		errx(1, "C did not report C1");
	/* Once C is reaped, C1 has been re-parented. */
	if (waitpid(c, &st, 0) == -1)
		err(1, "waitpid");
	for (n = 0; n < 4; n++)
		if (read(mkg_ready[0], buf, 1) != 1)
			errx(1, "a child died before it was ready");
	snprintf(tmp, sizeof tmp, "%s.tmp", file);
	if ((fp = fopen(tmp, "w")) == NULL)
		err(1, "%s", tmp);
	fprintf(fp, "P %ld\nL %ld\nA1 %ld\nB %ld\nB1 %ld\nC %ld\nC1 %ld\n",
	    (long)p, (long)l, (long)a1, (long)b, (long)b1, (long)c, (long)c1);
	if (fclose(fp) == EOF || rename(tmp, file) == -1)
		err(1, "%s", file);
	alarm(MKG_LIFETIME);
	for (;;)
		pause();
}

int
main(int argc, char **argv)
{
	pid_t	p = getpid(), l;
	int	st;

	if (argc != 2) {
		fprintf(stderr, "usage: mkgroups FILE\n");
		return (2);
	}
	/* A group leader cannot setsid: do it in a child. */
	if ((l = fork()) == -1)
		err(1, "fork");
	if (l == 0) {
		mkg_tie(p);
		mkg_leader(argv[1], p);
	}
	alarm(MKG_LIFETIME);
	if (waitpid(l, &st, 0) == -1)
		err(1, "waitpid");
	return (WIFEXITED(st) ? WEXITSTATUS(st) : 1);
}
