/*
 * cgroup.c: without a cgroup2 of ours every call says so; with one (a
 * private warden-PID directory that cg_fini removes) a service cgroup,
 * children forked into it both ways, cg_of and cg_has, populated,
 * signals, cgroup.kill, renew, and the sweep of a dead supervisor's
 * leftovers.  Skipped where cgroup2 is not writable.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
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
#include "cleanup.h"

static char	fake[PATH_MAX];	/* a dead supervisor's, if made */

/* After each test: children left by a failed assertion, our cgroups. */
static int
teardown(void **state)
{
	char	sub[PATH_MAX + 8];

	(void)state;
	kids_kill();
	if (fake[0] != '\0') {
		snprintf(sub, sizeof sub, "%s/svc", fake);
		(void)rmdir(sub);
		(void)rmdir(fake);
		fake[0] = '\0';
	}
	cg_fini();
	return (0);
}

/*
 * A child forked into dir (cg_fork), which tells it is there on a pipe
 * and then waits for its end: the parent's end of the pipe in *wfd.
 */
static pid_t
child_in(const char *dir, int migrate, int *wfd)
{
	int	up[2], hold[2];
	char	c;
	pid_t	pid;

	assert_int_equal(pipe2(up, O_CLOEXEC), 0);
	assert_int_equal(pipe2(hold, O_CLOEXEC), 0);
	assert_true((pid = cg_fork(dir, migrate)) != -1);
	if (pid == 0) {
		close(up[0]);
		close(hold[1]);
		(void)!write(up[1], "u", 1);
		(void)!read(hold[0], &c, 1);
		_exit(0);
	}
	kid(pid);
	close(up[1]);
	close(hold[0]);
	assert_int_equal(read(up[0], &c, 1), 1);
	close(up[0]);
	*wfd = hold[1];
	return (pid);
}

/* Wait (5 s at most) until dir has no process left. */
static void
wait_empty(const char *dir)
{
	char		path[PATH_MAX], buf[256];
	struct pollfd	pfd;
	ssize_t		n;
	int		i;

	snprintf(path, sizeof path, "%s/cgroup.events", dir);
	assert_true((pfd.fd = open(path, O_RDONLY|O_CLOEXEC)) != -1);
	pfd.events = POLLPRI;
	for (i = 0; i < 50; i++) {
		n = pread(pfd.fd, buf, sizeof buf - 1, 0);
		assert_true(n > 0);
		buf[n] = '\0';
		if (strstr(buf, "populated 0") != NULL)
			break;
		(void)poll(&pfd, 1, 100);
	}
	close(pfd.fd);
	assert_int_equal(cg_populated(dir), 0);
}

/* Is path a directory? */
static int
is_dir(const char *path)
{
	struct stat	st;

	return (stat(path, &st) == 0 && S_ISDIR(st.st_mode));
}

/* Without cg_init: nothing to use, and every call says so. */
static void
test_without(void **state)
{
	char	buf[64];
	pid_t	pid;
	int	st;

	(void)state;
	assert_null(cg_service("web"));
	assert_int_equal(cg_of(getpid(), buf, sizeof buf), -1);
	assert_int_equal(cg_has(NULL, "/x"), 0);
	assert_int_equal(cg_kill(NULL), -1);
	assert_int_equal(cg_signal(NULL, SIGTERM), -1);
	assert_int_equal(cg_signal(NULL, SIGKILL), -1);
	assert_int_equal(cg_populated(NULL), -1);
	assert_int_equal(cg_renew(NULL), -1);
	cg_remove(NULL);
	cg_fini();
	/* No directory: a plain fork. */
	assert_true((pid = cg_fork(NULL, 0)) != -1);
	if (pid == 0)
		_exit(7);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 7);
	/* A directory that is no cgroup: nothing to tell. */
	assert_int_equal(cg_populated("/tmp"), -1);
	assert_int_equal(cg_kill("/nonexistent"), -1);
	assert_int_equal(cg_signal("/nonexistent", SIGTERM), -1);
}

/* Our own directory and a service's in it. */
static char *
setup_service(const char *name, char *base, size_t len)
{
	char	*dir, *slash;

	if (cg_init("/test/warden.conf") == -1)
		return (NULL);
	assert_non_null(dir = cg_service(name));
	assert_true(is_dir(dir));
	snprintf(base, len, "%s", dir);
	assert_non_null(slash = strrchr(base, '/'));
	*slash = '\0';
	return (dir);
}

static void
test_service_dirs(void **state)
{
	char	*dir, *again, base[PATH_MAX], *slash;

	(void)state;
	if ((dir = setup_service("web", base, sizeof base)) == NULL)
		skip();
	/* .../warden-HASH-RAND/web */
	assert_non_null(slash = strrchr(base, '/'));
	assert_true(cg_name_ours(slash + 1));
	assert_string_equal(dir + strlen(base), "/web");
	/* Made once; asked again, the same directory. */
	assert_non_null(again = cg_service("web"));
	assert_string_equal(again, dir);
	free(again);
	assert_int_equal(cg_populated(dir), 0);
	/* renew: removed and made again, empty. */
	assert_int_equal(cg_renew(dir), 0);
	assert_true(is_dir(dir));
	again = xstrdup(dir);
	cg_remove(dir);
	assert_false(is_dir(again));
	free(again);
	assert_true(is_dir(base));
	/* renew of one gone: made. */
	assert_non_null(dir = cg_service("db"));
	assert_int_equal(rmdir(dir), 0);
	assert_int_equal(cg_renew(dir), 0);
	assert_true(is_dir(dir));
	cg_remove(dir);
	cg_fini();
	assert_false(is_dir(base));
	/* A name that cannot be a directory: none. */
	assert_int_equal(cg_init("/test/warden.conf"), 0);
	assert_null(cg_service("no/such/parent"));
	cg_fini();
}

/* A child born in the cgroup: cg_of and cg_has see it there. */
static void
test_fork_into(void **state)
{
	char	*dir, base[PATH_MAX], cg[PATH_MAX], other[PATH_MAX + 8];
	size_t	 mnt;
	pid_t	 pid;
	int	 hold, st, migrate;

	(void)state;
	if ((dir = setup_service("web", base, sizeof base)) == NULL)
		skip();
	for (migrate = 0; migrate < 2; migrate++) {
		pid = child_in(dir, migrate, &hold);
		assert_int_equal(cg_populated(dir), 1);
		assert_int_equal(cg_of(pid, cg, sizeof cg), 0);
		/* The mount point's part of dir is not in cg. */
		assert_true(strlen(dir) > strlen(cg));
		mnt = strlen(dir) - strlen(cg);
		assert_string_equal(dir + mnt, cg);
		assert_int_equal(cg_has(dir, cg), 1);
		/* Below it too; beside it or above it, no. */
		snprintf(other, sizeof other, "%s/sub", cg);
		assert_int_equal(cg_has(dir, other), 1);
		snprintf(other, sizeof other, "%sx", cg);
		assert_int_equal(cg_has(dir, other), 0);
		assert_int_equal(cg_has(dir, base + mnt), 0);
		/* We are not in it. */
		assert_int_equal(cg_of(getpid(), other, sizeof other), 0);
		assert_int_equal(cg_has(dir, other), 0);
		/* Its end: the cgroup is empty again. */
		close(hold);
		st = reap(pid);
		assert_true(WIFEXITED(st));
		wait_empty(dir);
		assert_int_equal(cg_of(pid, cg, sizeof cg), -1);
	}
	cg_remove(dir);
	cg_fini();
}

/* A signal to every process of the cgroup; KILL through cgroup.kill. */
static void
test_signal_kill(void **state)
{
	char	*dir, base[PATH_MAX];
	pid_t	 a, b;
	int	 ha, hb, st;

	(void)state;
	if ((dir = setup_service("web", base, sizeof base)) == NULL)
		skip();
	a = child_in(dir, 0, &ha);
	b = child_in(dir, 0, &hb);
	assert_int_equal(cg_signal(dir, SIGTERM), 0);
	st = reap(a);
	assert_true(WIFSIGNALED(st));
	assert_int_equal(WTERMSIG(st), SIGTERM);
	st = reap(b);
	assert_true(WIFSIGNALED(st));
	assert_int_equal(WTERMSIG(st), SIGTERM);
	wait_empty(dir);
	close(ha);
	close(hb);
	a = child_in(dir, 1, &ha);
	assert_int_equal(cg_signal(dir, SIGKILL), 0);
	st = reap(a);
	assert_true(WIFSIGNALED(st));
	assert_int_equal(WTERMSIG(st), SIGKILL);
	close(ha);
	wait_empty(dir);
	/* After cgroup.kill, a fresh cgroup for the next start. */
	assert_int_equal(cg_renew(dir), 0);
	a = child_in(dir, 0, &ha);
	assert_int_equal(cg_kill(dir), 0);
	st = reap(a);
	assert_int_equal(WTERMSIG(st), SIGKILL);
	close(ha);
	wait_empty(dir);
	assert_int_equal(cg_renew(dir), 0);
	/* A cgroup with processes is not renewed. */
	a = child_in(dir, 0, &ha);
	assert_int_equal(cg_renew(dir), -1);
	assert_int_equal(errno, EBUSY);
	close(ha);
	assert_true(WIFEXITED(reap(a)));
	wait_empty(dir);
	cg_remove(dir);
	cg_fini();
}

/*
 * What a dead supervisor left is swept at the next cg_init: a directory
 * with an owner's record whose lock is free.  An older version's
 * warden-PID directory is never judged by its pid: it is left alone.
 */
static void
test_sweep(void **state)
{
	char	*dir, base[PATH_MAX], *slash, dead[PATH_MAX];
	pid_t	 owner;
	int	 p[2];
	ssize_t	 n;

	(void)state;
	if ((dir = setup_service("web", base, sizeof base)) == NULL)
		skip();
	cg_remove(dir);
	cg_fini();
	/* A supervisor that dies without cg_fini: its lock goes with it. */
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	assert_true((owner = fork()) != -1);
	if (owner == 0) {
		close(p[0]);
		if (cg_init("/test/other.conf") == 0 &&
		    (dir = cg_service("web")) != NULL &&
		    (slash = strrchr(dir, '/')) != NULL) {
			*slash = '\0';
			(void)!write(p[1], dir, strlen(dir));
		}
		_exit(0);
	}
	close(p[1]);
	n = read(p[0], dead, sizeof dead - 1);
	close(p[0]);
	assert_true(WIFEXITED(reap(owner)));
	assert_true(n > 0);
	dead[n] = '\0';
	assert_true(is_dir(dead));
	/* An older version's, named by a pid that is no more. */
	assert_non_null(slash = strrchr(base, '/'));
	*slash = '\0';
	snprintf(fake, sizeof fake, "%s/warden-%ld", base, (long)owner);
	assert_int_equal(mkdir(fake, 0755), 0);
	assert_int_equal(cg_init("/test/warden.conf"), 0);
	assert_false(is_dir(dead));
	assert_true(is_dir(fake));
	assert_int_equal(rmdir(fake), 0);
	fake[0] = '\0';
	cg_fini();
}

static void
test_name_ours(void **state)
{
	static const struct {
		const char	*name;
		int		 ours;
	} rows[] = {
		{ "warden-0123456789abcdef-89abcdef", 1 },
		{ "warden-a68633d766afd20e-efb2a328", 1 },
		{ "warden-1", 0 },			/* an older version's */
		{ "warden-12345", 0 },
		{ "warden-0123456789abcdef", 0 },	/* no RAND */
		{ "warden-0123456789abcdef-", 0 },
		{ "warden-0123456789abcde-89abcdef", 0 },	/* short HASH */
		{ "warden-0123456789abcdef0-89abcdef", 0 },	/* long HASH */
		{ "warden-0123456789abcdef-89abcde", 0 },	/* short RAND */
		{ "warden-0123456789abcdef-89abcdef0", 0 },	/* long RAND */
		{ "warden-0123456789ABCDEF-89abcdef", 0 },	/* upper case */
		{ "warden-0123456789abcdeg-89abcdef", 0 },
		{ "warden-0123456789abcdef-89abcdeg", 0 },
		{ "warden-0123456789abcdef_89abcdef", 0 },
		{ "wardem-0123456789abcdef-89abcdef", 0 },
		{ "xwarden-0123456789abcdef-89abcde", 0 },
		{ "0123456789abcdef-89abcdef", 0 },
		{ "", 0 },
	};
	size_t	i;

	(void)state;
	for (i = 0; i < nitems(rows); i++)
		if (cg_name_ours(rows[i].name) != rows[i].ours)
			fail_msg("%s", rows[i].name);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_without, teardown),
		cmocka_unit_test_teardown(test_service_dirs, teardown),
		cmocka_unit_test_teardown(test_fork_into, teardown),
		cmocka_unit_test_teardown(test_signal_kill, teardown),
		cmocka_unit_test_teardown(test_sweep, teardown),
		cmocka_unit_test(test_name_ours),
	};

	return (cmocka_run_group_tests_name("cgroup", tests, NULL, NULL));
}
