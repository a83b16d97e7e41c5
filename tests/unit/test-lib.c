/* Signals, fds, /proc readers and a failed foreground start of libwarden. */
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <warden.h>

#ifndef nitems
#define nitems(a)	(sizeof(a) / sizeof((a)[0]))
#endif

static void
test_sig_names(void **state)
{
	(void)state;
	assert_int_equal(wd_sig_number("TERM"), SIGTERM);
	assert_int_equal(wd_sig_number("SIGTERM"), SIGTERM);
	assert_int_equal(wd_sig_number("sigterm"), SIGTERM);
	assert_int_equal(wd_sig_number("15"), 15);
	assert_int_equal(wd_sig_number("KILL"), SIGKILL);
	assert_int_equal(wd_sig_number("0"), -1);
	assert_int_equal(wd_sig_number("65"), -1);
	assert_int_equal(wd_sig_number("15x"), -1);
	assert_int_equal(wd_sig_number("BOGUS"), -1);
	assert_int_equal(wd_sig_number(""), -1);
	assert_int_equal(wd_sig_number(NULL), -1);
	assert_string_equal(wd_sig_name(SIGHUP), "HUP");
	assert_string_equal(wd_sig_name(SIGCHLD), "CHLD");
	assert_null(wd_sig_name(0));
}

static void
test_sig_reset(void **state)
{
	struct wd_proc_status	st;
	sigset_t		set;

	(void)state;
	signal(SIGCHLD, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_BLOCK, &set, NULL);
	assert_int_equal(wd_proc_status(getpid(), &st), 0);
	assert_true(st.sigign & (1ULL << (SIGCHLD - 1)));
	assert_true(st.sigblk & (1ULL << (SIGTERM - 1)));
	assert_int_equal(wd_sig_reset(), 0);
	assert_int_equal(wd_proc_status(getpid(), &st), 0);
	assert_int_equal(st.sigign, 0);
	assert_int_equal(st.sigblk, 0);
}

static void
test_closefrom_keeps(void **state)
{
	int	a, b, c, keep[1];

	(void)state;
	a = open("/dev/null", O_RDONLY);
	b = open("/dev/null", O_RDONLY);
	c = dup2(a, 500);
	assert_true(a > 2 && b > a && c == 500);
	keep[0] = b;
	assert_int_equal(wd_fd_closefrom(3, keep, 1), 0);
	assert_int_equal(fcntl(a, F_GETFD), -1);
	assert_int_equal(fcntl(500, F_GETFD), -1);
	assert_true(fcntl(b, F_GETFD) != -1);
	assert_true(fcntl(2, F_GETFD) != -1);
	close(b);
}

static void
test_stdio_filled(void **state)
{
	pid_t	p;
	int	st;

	(void)state;
	if ((p = fork()) == 0) {
		char	buf[64];

		close(0);
		close(2);
		if (wd_fd_stdio() == -1)
			_exit(1);
		if (wd_proc_fd(getpid(), 0, buf, sizeof buf) == -1 ||
		    strcmp(buf, "/dev/null") != 0)
			_exit(2);
		if (wd_proc_fd(getpid(), 2, buf, sizeof buf) == -1 ||
		    strcmp(buf, "/dev/null") != 0)
			_exit(3);
		if (open("/dev/null", O_RDONLY) < 3)
			_exit(4);
		_exit(0);
	}
	waitpid(p, &st, 0);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

static void
test_proc_stat_self(void **state)
{
	struct wd_proc_stat	st;
	char			buf[4096];

	(void)state;
	assert_int_equal(wd_proc_stat(getpid(), &st), 0);
	assert_int_equal(st.pid, getpid());
	assert_int_equal(st.ppid, getppid());
	assert_int_equal(st.pgrp, getpgrp());
	assert_int_equal(st.session, getsid(0));
	assert_true(st.starttime > 0);
	assert_int_equal(st.state, 'R');
	assert_true(wd_proc_cmdline(getpid(), buf, sizeof buf) > 0);
	assert_non_null(strstr(buf, "test-lib"));
	assert_true(wd_proc_exe(getpid(), buf, sizeof buf) > 0);
	assert_non_null(strstr(buf, "test-lib"));
	assert_int_equal(wd_proc_stat(0, &st), -1);
}

/* A comm with spaces and parentheses must not shift the fields. */
static void
test_proc_stat_odd_comm(void **state)
{
	struct wd_proc_stat	st;
	pid_t			p;
	int			fds[2];
	char			c;

	(void)state;
	assert_int_equal(pipe(fds), 0);
	if ((p = fork()) == 0) {
		close(fds[0]);
		{
			FILE *fp = fopen("/proc/self/comm", "w");

			if (fp != NULL) {
				fputs("a) b (c", fp);
				fclose(fp);
			}
		}
		(void)write(fds[1], "x", 1);
		pause();
		_exit(0);
	}
	close(fds[1]);
	assert_int_equal(read(fds[0], &c, 1), 1);
	assert_int_equal(wd_proc_stat(p, &st), 0);
	assert_string_equal(st.comm, "a) b (c");
	assert_int_equal(st.ppid, getpid());
	kill(p, SIGKILL);
	waitpid(p, NULL, 0);
	close(fds[0]);
}

static void
test_creds_lookup(void **state)
{
	struct wd_creds	c;

	(void)state;
	assert_int_equal(wd_creds_lookup("root", &c), 0);
	assert_int_equal(c.uid, 0);
	assert_int_equal(c.gid, 0);
	assert_string_equal(c.name, "root");
	assert_int_equal(wd_creds_lookup("0:0", &c), 0);
	assert_int_equal(c.ngroups, 1);
	assert_int_equal(wd_creds_lookup("nobody", &c), 0);
	assert_true(c.uid != 0);
	assert_int_equal(wd_creds_lookup("nobody:root", &c), 0);
	assert_int_equal(c.gid, 0);
	assert_int_equal(wd_creds_lookup("no-such-user-xyz", &c), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(wd_creds_lookup("root:no-such-group-xyz", &c), -1);
	assert_int_equal(wd_creds_lookup("", &c), -1);
}

/* Which of the first len fds are open (the listing's own excluded). */
static void
fds_open(unsigned char *set, size_t len)
{
	DIR		*d;
	struct dirent	*e;
	long		 fd;

	memset(set, 0, len);
	assert_non_null(d = opendir("/proc/self/fd"));
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		fd = strtol(e->d_name, NULL, 10);
		if (fd != dirfd(d) && fd >= 0 && (size_t)fd < len)
			set[fd] = 1;
	}
	closedir(d);
}

/*
 * WD_DAEMON_FOREGROUND failing in its setup, before and after it has
 * used the directory fd: nothing it opened stays open, and the pidfile's
 * lock is free for the next instance.
 */
static void
test_foreground_fail_leaks_nothing(void **state)
{
	static char *const	 bad_env[] = { "NO_EQUALS_SIGN", NULL };
	static int		 many[80];
	unsigned char		 before[1024], after[1024];
	struct wd_daemon_conf	 c;
	char			 dir[64], pidfile[96], output[96];
	mode_t			 mask;
	int			 cwd, fd, row, i;
	struct {
		int	 nkeep;		/* 0: keep only cwd, and a bad env */
		int	 error;
	} rows[] = {
		{ (int)nitems(many), E2BIG },	/* before anything closed */
		{ 0, EINVAL },			/* after the fchdir */
	};

	(void)state;
	snprintf(dir, sizeof dir, "/tmp/test-lib.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(pidfile, sizeof pidfile, "%s/d.pid", dir);
	snprintf(output, sizeof output, "%s/out.log", dir);
	assert_int_not_equal(cwd = open(".", O_PATH|O_DIRECTORY|O_CLOEXEC),
	    -1);
	for (row = 0; row < (int)nitems(rows); row++) {
		for (i = 0; i < (int)nitems(many); i++)
			many[i] = cwd;
		memset(&c, 0, sizeof c);
		c.flags = WD_DAEMON_FOREGROUND|WD_DAEMON_NOCLOSE|
		    WD_DAEMON_KEEPSIGS;
		c.umask = -1;
		c.dir = dir;
		c.pidfile = pidfile;
		c.output = output;
		c.keep_fds = many;
		c.nkeep_fds = rows[row].nkeep > 0 ? rows[row].nkeep : 1;
		if (rows[row].nkeep == 0)
			c.envp = bad_env;
		mask = umask(022);
		(void)umask(mask);
		fds_open(before, sizeof before);
		errno = 0;
		assert_int_equal(wd_daemonize(&c), -1);
		assert_int_equal(errno, rows[row].error);
		fds_open(after, sizeof after);
		(void)umask(mask);
		assert_int_equal(fchdir(cwd), 0);
		for (i = 0; i < (int)sizeof after; i++)
			if (after[i] && !before[i])
				fail_msg("row %d: fd %d left open", row, i);
		/* The lock is free: another open file takes it at once. */
		assert_int_not_equal(fd = open(pidfile, O_RDONLY|O_CLOEXEC),
		    -1);
		assert_int_equal(flock(fd, LOCK_EX|LOCK_NB), 0);
		close(fd);
	}
	close(cwd);
	unlink(pidfile);
	unlink(output);
	assert_int_equal(rmdir(dir), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sig_names),
		cmocka_unit_test(test_sig_reset),
		cmocka_unit_test(test_closefrom_keeps),
		cmocka_unit_test(test_stdio_filled),
		cmocka_unit_test(test_proc_stat_self),
		cmocka_unit_test(test_proc_stat_odd_comm),
		cmocka_unit_test(test_creds_lookup),
		cmocka_unit_test(test_foreground_fail_leaks_nothing),
	};

	return (cmocka_run_group_tests_name("lib", tests, NULL, NULL));
}
