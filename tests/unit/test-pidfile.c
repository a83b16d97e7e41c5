/* Pidfiles: locking, refusal of unsafe paths, staleness by identity. */
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/xattr.h>

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
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <warden.h>

static char	dir[PATH_MAX];

static int
setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof dir, "%s/wd-unit.XXXXXX",
	    getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(dir) == NULL)
		return (-1);
	return (0);
}

static int
teardown(void **state)
{
	char	cmd[PATH_MAX + 16];

	(void)state;
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return (system(cmd) == 0 ? 0 : -1);
}

static void
path_in(char *buf, const char *name)
{
	snprintf(buf, PATH_MAX, "%s/%s", dir, name);
}

static void
write_file(const char *path, const char *text)
{
	FILE	*fp = fopen(path, "w");

	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

/* A pid that is certainly dead: a child we reaped. */
static pid_t
dead_pid(void)
{
	pid_t	p = fork();

	assert_true(p >= 0);
	if (p == 0)
		_exit(0);
	waitpid(p, NULL, 0);
	return (p);
}

static void
test_open_write_read(void **state)
{
	struct wd_pidfile	pf;
	char			path[PATH_MAX], buf[64];
	pid_t			pid;
	FILE			*fp;

	(void)state;
	path_in(path, "a.pid");
	assert_int_equal(wd_pidfile_open(&pf, path), 0);
	assert_int_equal(wd_pidfile_write(&pf, getpid()), 0);
	fp = fopen(path, "r");
	assert_non_null(fgets(buf, sizeof buf, fp));
	fclose(fp);
	snprintf(path, sizeof path, "%ld\n", (long)getpid());
	assert_string_equal(buf, path);
	path_in(path, "a.pid");
	assert_int_equal(wd_pidfile_read(path), getpid());
	/* Our own, live and recorded: running. */
	assert_int_equal(wd_pidfile_state(&pf, &pid), WD_PID_RUNNING);
	assert_int_equal(pid, getpid());
	/* flock belongs to the open file: our other fd sees it held. */
	assert_int_equal(wd_pidfile_locked(path), 1);
	assert_int_equal(wd_pidfile_remove(&pf), 0);
	assert_int_equal(access(path, F_OK), -1);
}

static void
test_lock_excludes(void **state)
{
	struct wd_pidfile	a, b;
	char			path[PATH_MAX];
	pid_t			child, pid;
	int			p[2], st;
	char			c;

	(void)state;
	path_in(path, "lock.pid");
	assert_int_equal(pipe(p), 0);
	if ((child = fork()) == 0) {
		close(p[0]);
		if (wd_pidfile_open(&a, path) == -1 ||
		    wd_pidfile_write(&a, getpid()) == -1)
			_exit(1);
		(void)write(p[1], "x", 1);
		pause();
		_exit(0);
	}
	close(p[1]);
	assert_int_equal(read(p[0], &c, 1), 1);
	assert_int_equal(wd_pidfile_open(&b, path), -1);
	assert_int_equal(errno, EEXIST);
	assert_int_equal(wd_pidfile_locked(path), 1);
	assert_int_equal(wd_pidfile_check(path, &pid), WD_PID_RUNNING);
	assert_int_equal(pid, child);
	kill(child, SIGKILL);
	waitpid(child, &st, 0);
	/* The holder died: the lock went with it, the file is stale. */
	assert_int_equal(wd_pidfile_locked(path), 0);
	assert_int_equal(wd_pidfile_check(path, &pid), WD_PID_STALE);
	assert_int_equal(wd_pidfile_open(&b, path), 0);
	assert_int_equal(wd_pidfile_state(&b, &pid), WD_PID_STALE);
	assert_int_equal(pid, child);
	wd_pidfile_close(&b);
	close(p[0]);
}

static void
test_stale_dead_pid(void **state)
{
	char	path[PATH_MAX], buf[32];
	pid_t	pid, dead = dead_pid();

	(void)state;
	path_in(path, "dead.pid");
	snprintf(buf, sizeof buf, "%ld\n", (long)dead);
	write_file(path, buf);
	assert_int_equal(wd_pidfile_check(path, &pid), WD_PID_STALE);
	assert_int_equal(pid, dead);
}

static void
test_unrecorded_not_trusted(void **state)
{
	char	path[PATH_MAX], buf[32];
	pid_t	pid;

	(void)state;
	/*
	 * A live pid in a file we did not write (no identity record on a
	 * file system that keeps them): never taken for the daemon.
	 */
	path_in(path, "foreign.pid");
	snprintf(buf, sizeof buf, "%ld\n", (long)getppid());
	write_file(path, buf);
	if (getxattr(path, "user.warden.id", buf, sizeof buf) == -1 &&
	    errno == ENOTSUP)
		skip();
	assert_int_equal(wd_pidfile_check(path, &pid), WD_PID_STALE);
	assert_int_equal(pid, getppid());
}

static void
test_stale_by_identity(void **state)
{
	struct wd_pidfile	pf;
	char			path[PATH_MAX], val[64];
	pid_t			pid;

	(void)state;
	path_in(path, "id.pid");
	assert_int_equal(wd_pidfile_open(&pf, path), 0);
	assert_int_equal(wd_pidfile_write(&pf, getpid()), 0);
	wd_pidfile_close(&pf);
	assert_int_equal(wd_pidfile_check(path, &pid), WD_PID_RUNNING);
	/* Another start time recorded: the same pid is another process. */
	snprintf(val, sizeof val, "1 /bin/true");
	if (setxattr(path, "user.warden.id", val, strlen(val), 0) == -1) {
		assert_int_equal(errno, ENOTSUP);
		skip();
	}
	assert_int_equal(wd_pidfile_check(path, &pid), WD_PID_STALE);
	/*
	 * The same start time (two processes in one clock tick) but
	 * another pidfs inode: still another process.
	 */
	{
		struct wd_proc_stat	st;

		assert_int_equal(wd_proc_stat(getpid(), &st), 0);
		snprintf(val, sizeof val, "%llu 1 /bin/true", st.starttime);
		assert_int_equal(setxattr(path, "user.warden.id", val,
		    strlen(val), 0), 0);
		assert_int_equal(wd_pidfile_check(path, &pid), WD_PID_STALE);
	}
}

static void
test_empty_and_garbage(void **state)
{
	char	path[PATH_MAX];
	pid_t	pid;

	(void)state;
	path_in(path, "none.pid");
	assert_int_equal(wd_pidfile_check(path, &pid), WD_PID_NONE);
	write_file(path, "");
	assert_int_equal(wd_pidfile_check(path, &pid), WD_PID_NONE);
	write_file(path, "hello\n");
	assert_int_equal(wd_pidfile_check(path, &pid), WD_PID_STALE);
	assert_int_equal(wd_pidfile_read(path), -1);
	write_file(path, "-5\n");
	assert_int_equal(wd_pidfile_read(path), -1);
	write_file(path, "123junk\n");
	assert_int_equal(wd_pidfile_read(path), -1);
}

static void
test_refuses_unsafe(void **state)
{
	struct wd_pidfile	pf;
	char			path[PATH_MAX], target[PATH_MAX], sub[PATH_MAX];

	(void)state;
	path_in(target, "target");
	write_file(target, "keep\n");
	path_in(path, "link.pid");
	assert_int_equal(symlink(target, path), 0);
	assert_int_equal(wd_pidfile_open(&pf, path), -1);
	assert_int_equal(errno, ELOOP);

	path_in(path, "fifo.pid");
	assert_int_equal(mkfifo(path, 0644), 0);
	assert_int_equal(wd_pidfile_open(&pf, path), -1);
	assert_int_equal(errno, EINVAL);

	path_in(path, "hard.pid");
	assert_int_equal(link(target, path), 0);
	assert_int_equal(wd_pidfile_open(&pf, path), -1);
	assert_int_equal(errno, EPERM);

	path_in(sub, "open");
	assert_int_equal(mkdir(sub, 0755), 0);
	assert_int_equal(chmod(sub, 0777), 0);
	snprintf(path, sizeof path, "%s/x.pid", sub);
	assert_int_equal(wd_pidfile_open(&pf, path), -1);
	assert_int_equal(errno, EPERM);

	path_in(path, "nodir/x.pid");
	assert_int_equal(wd_pidfile_open(&pf, path), -1);
	assert_int_equal(errno, ENOENT);
}

static void
test_remove_only_ours(void **state)
{
	struct wd_pidfile	pf;
	char			path[PATH_MAX];

	(void)state;
	path_in(path, "ours.pid");
	assert_int_equal(wd_pidfile_open(&pf, path), 0);
	/* Someone replaced the file: removing must leave theirs alone. */
	assert_int_equal(unlink(path), 0);
	write_file(path, "1\n");
	assert_int_equal(wd_pidfile_remove(&pf), 0);
	assert_int_equal(access(path, F_OK), 0);
}

static void
test_relative_path(void **state)
{
	struct wd_pidfile	pf;
	char			old[PATH_MAX], want[PATH_MAX];

	(void)state;
	assert_non_null(getcwd(old, sizeof old));
	assert_int_equal(chdir(dir), 0);
	assert_int_equal(wd_pidfile_open(&pf, "rel.pid"), 0);
	assert_int_equal(chdir(old), 0);
	assert_non_null(realpath(dir, want));
	strcat(want, "/rel.pid");
	assert_string_equal(pf.path, want);
	assert_int_equal(wd_pidfile_remove(&pf), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_open_write_read, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_lock_excludes, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_stale_dead_pid, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_unrecorded_not_trusted, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_stale_by_identity, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_empty_and_garbage, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_refuses_unsafe, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_remove_only_ours, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_relative_path, setup,
		    teardown),
	};

	return (cmocka_run_group_tests_name("pidfile", tests, NULL, NULL));
}
