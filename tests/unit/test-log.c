/*
 * log.c: warden's own lines, to a file or stderr, with their stamp, pid
 * and prefix; errno's words for log_warn and fatal; debug lines only
 * with WARDEN_DEBUG; the hook; a long line cut; reopen for logrotate;
 * fatal errors to stderr as well when asked, and exit 1.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <regex.h>
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
#include "cleanup.h"

struct fixture {
	char	dir[64];
	char	path[128];
	int	fd;
};

/* A temp dir and its warden.log, where the lines go from now on. */
static void
fixture_init(struct fixture *f)
{
	snprintf(f->dir, sizeof f->dir, "/tmp/test-log.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	tmp_keep(f->dir);
	snprintf(f->path, sizeof f->path, "%s/warden.log", f->dir);
	assert_true((f->fd = open(f->path, O_WRONLY|O_CREAT|O_APPEND|O_CLOEXEC,
	    0644)) != -1);
	unsetenv("WARDEN_DEBUG");
	log_init(LOGTO_FILE, f->fd, NULL);
	log_prefix(NULL);
	log_hook(NULL);
}

/* Lines to stderr again; the dir removed. */
static void
fixture_fini(struct fixture *f)
{
	log_init(LOGTO_STDERR, -1, NULL);
	log_prefix(NULL);
	log_hook(NULL);
	close(f->fd);
	tmp_done();
}

/* The whole of path (static). */
static const char *
slurp(const char *path)
{
	static char	buf[8192];
	ssize_t		n;
	int		fd;

	buf[0] = '\0';
	if ((fd = open(path, O_RDONLY)) == -1)
		return (buf);
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return (buf);
}

/* Each line of text is "STAMP warden[PID]: " and then want's line. */
static void
lines_are(const char *text, pid_t pid, const char *want)
{
	regex_t		 re;
	regmatch_t	 m[1];
	char		 head[64];
	const char	*p = text, *w = want, *nl, *wnl;

	assert_int_equal(regcomp(&re, "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:"
	    "[0-9]{2}:[0-9]{2} ", REG_EXTENDED), 0);
	snprintf(head, sizeof head, "warden[%ld]: ", (long)pid);
	while (*p != '\0') {
		assert_true(*w != '\0');
		if (regexec(&re, p, 1, m, 0) != 0)
			fail_msg("no stamp: %s", p);
		p += m[0].rm_eo;
		assert_int_equal(strncmp(p, head, strlen(head)), 0);
		p += strlen(head);
		assert_non_null(nl = strchr(p, '\n'));
		assert_non_null(wnl = strchr(w, '\n'));
		assert_int_equal(nl - p, wnl - w);
		assert_memory_equal(p, w, (size_t)(nl - p));
		p = nl + 1;
		w = wnl + 1;
	}
	assert_string_equal(w, "");
	regfree(&re);
}

static void
test_file(void **state)
{
	struct fixture	f;

	(void)state;
	fixture_init(&f);
	log_info("started %d services", 3);
	log_warnx("a warning");
	errno = ENOENT;
	log_warn("open %s", "/x");
	assert_int_equal(errno, ENOENT);	/* kept for the caller */
	log_prefix("web: ");
	log_info("with a prefix");
	log_debug("not written");
	lines_are(slurp(f.path), getpid(), "started 3 services\na warning\n"
	    "open /x: No such file or directory\nweb: with a prefix\n");
	fixture_fini(&f);
}

static void
test_debug(void **state)
{
	struct fixture	f;

	(void)state;
	fixture_init(&f);
	setenv("WARDEN_DEBUG", "1", 1);
	log_debug("before init: %s", "off");
	log_init(LOGTO_FILE, f.fd, NULL);		/* read here */
	log_debug("after init: %s", "on");
	unsetenv("WARDEN_DEBUG");
	log_debug("still on until the next init");
	lines_are(slurp(f.path), getpid(), "after init: on\n"
	    "still on until the next init\n");
	fixture_fini(&f);
}

static char	seen[4096];

/* Each line the log writes, kept in seen. */
static void
hook_cb(const char *line, size_t len)
{
	size_t	n = strlen(seen);

	assert_true(n + len < sizeof seen);
	memcpy(seen + n, line, len);
	seen[n + len] = '\0';
}

/* The hook gets each line as written, and a long one is cut. */
static void
test_hook_long(void **state)
{
	struct fixture	 f;
	char		 big[2000];
	const char	*text, *nl;

	(void)state;
	fixture_init(&f);
	seen[0] = '\0';
	log_hook(hook_cb);
	log_info("hooked");
	assert_string_equal(seen, slurp(f.path));
	memset(big, 'L', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	log_warnx("%s", big);
	log_hook(NULL);
	log_info("not hooked");
	text = slurp(f.path);
	assert_int_equal(strncmp(seen, text, strlen(seen)), 0);
	assert_non_null(strstr(text, "not hooked"));
	assert_null(strstr(seen, "not hooked"));
	/* The long message: its first 1023 bytes, then the newline. */
	assert_non_null(nl = strchr(text, '\n'));
	text = nl + 1;
	assert_non_null(text = strchr(text, 'L'));
	assert_int_equal(strspn(text, "L"), 1023);
	assert_int_equal(text[1023], '\n');
	/* With a long prefix too: the line is cut at 1099 bytes. */
	assert_int_equal(ftruncate(f.fd, 0), 0);
	log_prefix(big + 1900);
	log_warnx("%s", big);
	text = slurp(f.path);
	assert_int_equal(strlen(text), 1099);
	assert_int_equal(text[1098], '\n');
	assert_int_equal(text[1097], 'L');
	fixture_fini(&f);
}

/* logrotate moved the file: reopen writes to a new one by that name. */
static void
test_reopen(void **state)
{
	struct fixture	f;
	char		moved[160];

	(void)state;
	fixture_init(&f);
	log_info("one");
	snprintf(moved, sizeof moved, "%s.1", f.path);
	assert_int_equal(rename(f.path, moved), 0);
	assert_int_equal(log_reopen(f.path), 0);
	log_info("two");
	lines_are(slurp(moved), getpid(), "one\n");
	lines_are(slurp(f.path), getpid(), "two\n");
	/* A name that cannot be opened: -1, the file in hand kept. */
	assert_int_equal(unlink(f.path), 0);
	assert_int_equal(symlink(moved, f.path), 0);
	assert_int_equal(log_reopen(f.path), -1);
	assert_int_equal(errno, ELOOP);
	/* Not logging to a file: nothing to reopen. */
	log_init(LOGTO_STDERR, -1, NULL);
	assert_int_equal(log_reopen("/nonexistent/x"), 0);
	fixture_fini(&f);
}

/* dir/stderr, to be a child's stderr; its path in path. */
static int
stderr_file(struct fixture *f, char *path, size_t len)
{
	int	fd;

	snprintf(path, len, "%s/stderr", f->dir);
	assert_true((fd = open(path, O_WRONLY|O_CREAT|O_CLOEXEC, 0644)) != -1);
	return (fd);
}

/* fork: 0 in the child, its stderr efd; the child's pid in ours. */
static pid_t
child(int efd)
{
	pid_t	pid;

	assert_true((pid = fork()) != -1);
	if (pid == 0) {
		(void)dup2(efd, STDERR_FILENO);
		return (0);
	}
	return (kid(pid));
}

/* fatal: logged with errno's words, to stderr too if asked; exit 1. */
static void
test_fatal(void **state)
{
	struct fixture	f;
	char		errpath[160], want[64];
	pid_t		pid;
	int		st, efd;

	(void)state;
	fixture_init(&f);
	efd = stderr_file(&f, errpath, sizeof errpath);
	if ((pid = child(efd)) == 0) {
		log_init(LOGTO_FILE|LOGTO_FATAL_STDERR, f.fd, NULL);
		errno = EACCES;
		fatal("cannot %s", "go on");
	}
	st = reap(pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 1);
	snprintf(want, sizeof want, "cannot go on: Permission denied\n");
	lines_are(slurp(f.path), pid, want);
	lines_are(slurp(errpath), pid, want);
	/* fatalx, to a file only: stderr gets nothing. */
	assert_int_equal(ftruncate(efd, 0), 0);
	if ((pid = child(efd)) == 0) {
		log_init(LOGTO_FILE, f.fd, NULL);
		fatalx("no words for %d", 42);
	}
	assert_int_equal(WEXITSTATUS(reap(pid)), 1);
	assert_string_equal(slurp(errpath), "");
	assert_non_null(strstr(slurp(f.path), "]: no words for 42\n"));
	close(efd);
	fixture_fini(&f);
}

/* To stderr: a fatal error is written there once, not twice. */
static void
test_fatal_stderr_once(void **state)
{
	struct fixture	f;
	char		errpath[160];
	pid_t		pid;
	int		efd;

	(void)state;
	fixture_init(&f);
	efd = stderr_file(&f, errpath, sizeof errpath);
	if ((pid = child(efd)) == 0) {
		log_init(LOGTO_STDERR|LOGTO_FATAL_STDERR, -1, NULL);
		fatalx("once");
	}
	assert_int_equal(WEXITSTATUS(reap(pid)), 1);
	lines_are(slurp(errpath), pid, "once\n");
	close(efd);
	fixture_fini(&f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_file, cleanup_teardown),
		cmocka_unit_test_teardown(test_debug, cleanup_teardown),
		cmocka_unit_test_teardown(test_hook_long, cleanup_teardown),
		cmocka_unit_test_teardown(test_reopen, cleanup_teardown),
		cmocka_unit_test_teardown(test_fatal, cleanup_teardown),
		cmocka_unit_test_teardown(test_fatal_stderr_once,
		    cleanup_teardown),
	};

	return (cmocka_run_group_tests_name("log", tests, NULL, NULL));
}
