/*
 * The log engine's files: rotation at maxbytes with backups, by stamped
 * lines and long ones, opening (a symbolic link, NONE), output held on a
 * target that does not take it (/dev/full, a FIFO), reopen, clear, and
 * the rotation a user asks for.
 */
#include <sys/epoll.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../src/sup/sup.h"
#include "../../src/sup/logs.h"
#include "stubs.h"
#include "cleanup.h"
#include "svclog.h"

/* Lines of 30 bytes with newline: "line NN" and dots. */
static void
lines_put(int fd, int from, int to)
{
	char	line[31];
	int	i;

	for (i = from; i < to; i++) {
		snprintf(line, sizeof line, "line %02d.......................",
		    i);
		line[29] = '\n';
		put(fd, line, 30);
	}
}

/* What lines_put wrote, from line from to line to. */
static char *
lines_want(int from, int to)
{
	char	*s = xmalloc(30 * (size_t)(to - from) + 1), line[31];
	int	 i;

	s[0] = '\0';
	for (i = from; i < to; i++) {
		snprintf(line, sizeof line, "line %02d.......................",
		    i);
		line[29] = '\n';
		strcat(s, line);
	}
	return (s);
}

/* dir/name holds lines from to to, as lines_put wrote them. */
static void
file_is_lines(struct fixture *f, const char *name, int from, int to)
{
	char	*want = lines_want(from, to);

	file_is(f, name, want);
	free(want);
}

/* 90 bytes at most, whole lines: 3 of 30 a file, 2 backups kept. */
static void
test_rotate_maxbytes(void **state)
{
	struct fixture	*f = fixture_new(NULL, 64, CFG_TS_NONE, 90, 2);

	(void)state;
	fixture_open(f);
	assert_true(f->svc.out->flags & SL_REG);
	assert_true(f->svc.out->flags & SL_ROTATE);
	lines_put(OUTW(f), 0, 10);
	pump(f);
	file_is_lines(f, "out.log", 9, 10);
	file_is_lines(f, "out.log.1", 6, 9);
	file_is_lines(f, "out.log.2", 3, 6);
	assert_false(file_exists(f, "out.log.3"));
	/* One read or many: the same files. */
	fixture_free(f);
	f = fixture_new(NULL, 64, CFG_TS_NONE, 90, 2);
	fixture_open(f);
	lines_put(OUTW(f), 0, 4);
	pump(f);
	lines_put(OUTW(f), 4, 7);
	pump(f);
	file_is_lines(f, "out.log", 6, 7);
	file_is_lines(f, "out.log.1", 3, 6);
	file_is_lines(f, "out.log.2", 0, 3);
	fixture_free(f);
}

/* Stamped lines are counted with their stamps: 2 of 56 bytes fill 112. */
static void
test_rotate_stamped(void **state)
{
	struct fixture	*f = fixture_new(NULL, 64, CFG_TS_TAI64N, 112, 3);
	char		*got;
	size_t		 len;
	int		 i;
	const char	*names[] = { "out.log.2", "out.log.1", "out.log" };

	(void)state;
	fixture_open(f);
	lines_put(OUTW(f), 0, 6);
	pump(f);
	for (i = 0; i < 3; i++) {
		got = slurp(f, names[i], &len);
		assert_non_null(got);
		assert_int_equal(len, 2 * (26 + 30));
		assert_memory_equal(got + 26, "line ", 5);
		assert_int_equal(got[26 + 5], '0' + (2 * i) / 10);
		assert_int_equal(got[26 + 6], '0' + (2 * i) % 10);
		free(got);
	}
	assert_false(file_exists(f, "out.log.3"));
	fixture_free(f);
}

/* A line longer than maxbytes goes whole to a file of its own. */
static void
test_rotate_long_line(void **state)
{
	struct fixture	*f = fixture_new(NULL, 4096, CFG_TS_NONE, 100, 1);
	char		 big[251];

	(void)state;
	fixture_open(f);
	memset(big, 'L', 250);
	big[249] = '\n';
	big[250] = '\0';
	lines_put(OUTW(f), 0, 1);
	put(OUTW(f), big, 250);
	lines_put(OUTW(f), 1, 2);
	pump(f);
	file_is(f, "out.log.1", big);
	file_is_lines(f, "out.log", 1, 2);
	fixture_free(f);
}

/* No backups: the file is emptied where it is. */
static void
test_rotate_no_backups(void **state)
{
	struct fixture	*f = fixture_new(NULL, 64, CFG_TS_NONE, 70, 0);

	(void)state;
	fixture_open(f);
	lines_put(OUTW(f), 0, 5);
	pump(f);
	file_is_lines(f, "out.log", 4, 5);
	assert_false(file_exists(f, "out.log.1"));
	assert_int_equal(f->svc.out->size, 30);
	fixture_free(f);
}

/* A file that already has bytes counts them against maxbytes. */
static void
test_rotate_existing_size(void **state)
{
	struct fixture	*f = fixture_new(NULL, 64, CFG_TS_NONE, 100, 1);
	char		 path[128], old[81];
	FILE		*fp;

	(void)state;
	snprintf(path, sizeof path, "%s/out.log", f->dir);
	assert_non_null(fp = fopen(path, "w"));
	memset(old, 'e', 79);
	old[79] = '\n';
	old[80] = '\0';
	fputs(old, fp);
	fclose(fp);
	fixture_open(f);
	assert_int_equal(f->svc.out->size, 80);
	lines_put(OUTW(f), 0, 1);
	pump(f);
	file_is_lines(f, "out.log", 0, 1);
	assert_int_equal(f->svc.out->size, 30);
	file_is(f, "out.log.1", old);
	fixture_free(f);
}

/* The log file refuses a symbolic link; the open fails. */
static void
test_open_symlink(void **state)
{
	struct fixture	*f = fixture_new(NULL, 64, CFG_TS_NONE, 0, 0);
	char		 path[128];

	(void)state;
	snprintf(path, sizeof path, "%s/real", f->dir);
	assert_int_equal(symlink(path, f->proc.out.path), 0);
	hooked[0] = '\0';
	log_hook(hook_cb);
	assert_int_equal(svclog_open(&f->svc), -1);
	log_hook(NULL);
	assert_non_null(strstr(hooked, "/out.log: a symbolic link: refused, "
	    "output not logged"));
	assert_non_null(f->svc.out);
	assert_int_equal(f->svc.out->fd, -1);
	assert_false(file_exists(f, "real"));
	fixture_free(f);
}

/* NONE without syslog: no stream, no pipe, no memory. */
static void
test_open_none(void **state)
{
	struct fixture	*f = fixture_new(NULL, 64, CFG_TS_NONE, 0, 0);

	(void)state;
	f->proc.out.kind = CFG_LOG_NONE;
	f->proc.err.kind = CFG_LOG_NONE;
	fixture_open(f);
	assert_null(f->svc.out);
	assert_null(f->svc.err);
	fixture_free(f);
	/* redirect_stderr: stderr has no stream of its own. */
	f = fixture_new(NULL, 64, CFG_TS_NONE, 0, 0);
	f->proc.redirect_stderr = 1;
	fixture_open(f);
	assert_non_null(f->svc.out);
	assert_null(f->svc.err);
	assert_int_equal(f->svc.out->report, 1);
	fixture_free(f);
}

/* A full disk: output held, said once; at close, the bytes lost. */
static void
test_held_full(void **state)
{
	struct fixture	*f;

	(void)state;
	if (access("/dev/full", W_OK) == -1)
		skip();
	f = fixture_new("/dev/full", 64, CFG_TS_NONE, 0, 0);
	fixture_open(f);
	hooked[0] = '\0';
	log_hook(hook_cb);
	assert_null(svclog_problem(&f->svc));
	puts_fd(OUTW(f), "abc\npartial");
	svclog_drain(&f->svc);
	assert_true(f->svc.out->flags & SL_HELD);
	assert_false(f->svc.out->flags & SL_READING);
	assert_string_equal(svclog_problem(&f->svc),
	    "stdout log held: No space left on device");
	assert_non_null(strstr(hooked,
	    "t: /dev/full: No space left on device: holding output"));
	assert_int_equal(f->svc.out->heldlen, 4);
	assert_int_equal(f->svc.out->pendlen, 7);
	assert_non_null(f->svc.out->retry);
	/* Held: the pipe is not read, the instance's end waits. */
	puts_fd(OUTW(f), "more\n");
	svclog_drain(&f->svc);
	assert_int_equal(f->svc.out->pendlen, 7);
	assert_true(f->svc.out->flags & SL_ENDPEND);
	hooked[0] = '\0';
	svclog_close(&f->svc);
	log_hook(NULL);
	assert_non_null(strstr(hooked, "t: /dev/full: 16 bytes of output "
	    "lost: No space left on device"));
	fixture_free(f);
}

struct reader {
	struct fixture	*f;
	char		 buf[65536];
	size_t		 len, want;
	int		 timedout;
};

/* The FIFO has bytes: take them; enough of them ends the loop. */
static void
reader_cb(int fd, uint32_t events, void *arg)
{
	struct reader	*r = arg;
	ssize_t		 n;

	(void)events;
	n = read(fd, r->buf + r->len, sizeof r->buf - r->len);
	if (n > 0)
		r->len += (size_t)n;
	if (r->len >= r->want)
		loop_stop(r->f->sup.loop);
}

/* Too long without them: end the loop, and the test fails. */
static void
reader_timeout(void *arg)
{
	struct reader	*r = arg;

	r->timedout = 1;
	loop_stop(r->f->sup.loop);
}

/* A fixture whose stdout is a FIFO of 4096 bytes; its read end *rdp. */
static struct fixture *
fifo_fixture(size_t cap, int *rdp)
{
	struct fixture	*f;
	char		 path[128];

	f = fixture_new(NULL, cap, CFG_TS_NONE, 0, 0);
	snprintf(path, sizeof path, "%s/fifo", f->dir);
	free(f->proc.out.path);
	f->proc.out.path = xstrdup(path);
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_true((*rdp = open(path, O_RDONLY|O_NONBLOCK|O_CLOEXEC)) != -1);
	assert_true(fcntl(*rdp, F_SETPIPE_SZ, 4096) >= 4096);
	fixture_open(f);
	assert_false(f->svc.out->flags & SL_REG);
	return (f);
}

/* Run the loop until rd gave want (10 s at most); what it gave. */
static struct reader *
fifo_collect(struct fixture *f, int rd, const char *want)
{
	struct reader	*r;
	struct timer	*t;

	r = xcalloc(1, sizeof *r);
	r->f = f;
	r->want = strlen(want);
	assert_int_equal(loop_add(f->sup.loop, rd, EPOLLIN, reader_cb, r), 0);
	t = loop_timer(f->sup.loop, 10, reader_timeout, r);
	loop_run(f->sup.loop);
	assert_false(r->timedout);
	loop_timer_del(f->sup.loop, t);
	loop_del(f->sup.loop, rd);
	assert_int_equal(r->len, strlen(want));
	assert_memory_equal(r->buf, want, r->len);
	return (r);
}

/*
 * A FIFO that does not drain: output held (EAGAIN, no warning), the
 * pipe no longer read; once the reader reads, everything arrives in
 * order and reading resumes.
 */
static void
test_held_fifo(void **state)
{
	struct fixture	*f;
	char		*want, line[3001];
	int		 rd, i;

	(void)state;
	f = fifo_fixture(4096, &rd);
	want = xmalloc(8 * 3001 + 16);
	want[0] = '\0';
	hooked[0] = '\0';
	log_hook(hook_cb);
	for (i = 0; i < 8; i++) {
		memset(line, 'a' + i, 2999);
		line[2999] = '\n';
		line[3000] = '\0';
		strcat(want, line);
		put(OUTW(f), line, 3000);
	}
	pump(f);
	assert_true(f->svc.out->flags & SL_HELD);
	assert_true(f->svc.out->flags & SL_WAITOUT);
	assert_false(f->svc.out->flags & SL_READING);
	assert_string_equal(svclog_problem(&f->svc),
	    "stdout log held: Resource temporarily unavailable");
	assert_string_equal(hooked, "");	/* EAGAIN: not worth a word */
	/* What comes now waits in the pipe, behind what is held. */
	puts_fd(OUTW(f), "tail\n");
	strcat(want, "tail\n");
	free(fifo_collect(f, rd, want));
	assert_null(svclog_problem(&f->svc));
	assert_false(f->svc.out->flags & SL_HELD);
	assert_true(f->svc.out->flags & SL_READING);
	log_hook(NULL);
	close(rd);
	free(want);
	fixture_free(f);
}

/*
 * Held while the instance ends with a partial line: the line is ended
 * (marked) once what was held before it is out, not before.
 */
static void
test_held_partial_end(void **state)
{
	struct fixture	*f;
	char		 line[5002], want[5100];
	int		 rd;

	(void)state;
	f = fifo_fixture(8192, &rd);
	memset(line, 'p', 5000);
	line[5000] = '\n';
	line[5001] = '\0';
	puts_fd(OUTW(f), line);
	puts_fd(OUTW(f), "part");
	pump(f);
	assert_true(f->svc.out->flags & SL_HELD);
	assert_int_equal(f->svc.out->heldlen, 5001 - 4096);
	assert_int_equal(f->svc.out->pendlen, 4);
	svclog_drain(&f->svc);
	assert_true(f->svc.out->flags & SL_ENDPEND);
	snprintf(want, sizeof want, "%s%s", line, "part" NONL);
	free(fifo_collect(f, rd, want));
	assert_false(f->svc.out->flags & SL_ENDPEND);
	assert_int_equal(f->svc.out->carrylen, 0);
	assert_int_equal(f->svc.out->pendlen, 0);
	close(rd);
	fixture_free(f);
}

/* At close, one last try: a target with room by then loses nothing. */
static void
test_held_last_try(void **state)
{
	struct fixture	*f;
	char		 line[5001], buf[8192];
	int		 rd;

	(void)state;
	f = fifo_fixture(8192, &rd);
	memset(line, 'q', 4999);
	line[4999] = '\n';
	line[5000] = '\0';
	puts_fd(OUTW(f), line);
	pump(f);
	assert_true(f->svc.out->flags & SL_HELD);
	assert_int_equal(read(rd, buf, sizeof buf), 4096);
	hooked[0] = '\0';
	log_hook(hook_cb);
	svclog_close(&f->svc);
	log_hook(NULL);
	assert_null(f->svc.out);
	assert_null(strstr(hooked, "lost"));
	assert_int_equal(read(rd, buf + 4096, sizeof buf - 4096), 5000 - 4096);
	assert_memory_equal(buf, line, 5000);
	close(rd);
	fixture_free(f);
}

/* stderr's problem is said as stderr's. */
static void
test_held_stderr(void **state)
{
	struct fixture	*f;

	(void)state;
	if (access("/dev/full", W_OK) == -1)
		skip();
	f = fixture_new(NULL, 64, CFG_TS_NONE, 0, 0);
	f->proc.err.kind = CFG_LOG_PATH;
	f->proc.err.path = "/dev/full";
	fixture_open(f);
	puts_fd(OUTW(f), "fine\n");
	puts_fd(ERRW(f), "lost\n");
	pump(f);
	assert_false(f->svc.out->flags & SL_HELD);
	assert_true(f->svc.err->flags & SL_HELD);
	assert_string_equal(svclog_problem(&f->svc),
	    "stderr log held: No space left on device");
	file_is(f, "out.log", "fine\n");
	fixture_free(f);
}

/* A pipe that fills in one read is made larger; a quieter one is not. */
static void
test_pipe_grows(void **state)
{
	struct fixture	*f;
	char		*big;

	(void)state;
	big = xmalloc(65536);
	memset(big, 'g', 65536);
	big[65535] = '\n';
	f = fixture_new(NULL, 65536, CFG_TS_NONE, 0, 0);
	fixture_open(f);
	put(OUTW(f), big, 65535);
	pump(f);
	assert_false(f->svc.out->flags & SL_GROWN);
	assert_int_equal(fcntl(f->svc.out->rfd, F_GETPIPE_SZ), 65536);
	put(OUTW(f), big, 65536);
	pump(f);
	assert_true(f->svc.out->flags & SL_GROWN);
	assert_true(fcntl(f->svc.out->rfd, F_GETPIPE_SZ) > 65536);
	fixture_free(f);
	free(big);
}

/* reopen: a file moved away by logrotate is made again by name. */
static void
test_reopen(void **state)
{
	struct fixture	*f = fixture_new(NULL, 64, CFG_TS_NONE, 0, 0);
	char		 from[128], to[128];

	(void)state;
	fixture_open(f);
	puts_fd(OUTW(f), "before\n");
	pump(f);
	snprintf(from, sizeof from, "%s/out.log", f->dir);
	snprintf(to, sizeof to, "%s/moved", f->dir);
	assert_int_equal(rename(from, to), 0);
	svclog_reopen(&f->svc);
	puts_fd(OUTW(f), "after\n");
	pump(f);
	file_is(f, "moved", "before\n");
	file_is(f, "out.log", "after\n");
	/* A name that cannot be opened again: the file in hand is kept. */
	assert_int_equal(rename(from, to), 0);
	assert_int_equal(symlink(to, from), 0);
	hooked[0] = '\0';
	log_hook(hook_cb);
	svclog_reopen(&f->svc);
	log_hook(NULL);
	assert_non_null(strstr(hooked, "a symbolic link: refused"));
	assert_true(f->svc.out->flags & SL_REG);
	puts_fd(OUTW(f), "still\n");
	pump(f);
	file_is(f, "moved", "after\nstill\n");
	fixture_free(f);
}

/*
 * clear: supervisord's removal and a new file by name; the backups are
 * left, the size rotation counts starts again, a partial line lands
 * whole in the new file, and a symbolic link put there is left alone.
 */
static void
test_clear(void **state)
{
	struct fixture	*f = fixture_new(NULL, 64, CFG_TS_NONE, 90, 2);
	char		*backup, path[128], to[128];
	struct stat	 st;

	(void)state;
	fixture_open(f);
	lines_put(OUTW(f), 0, 5);
	pump(f);
	file_is_lines(f, "out.log", 3, 5);
	backup = slurp(f, "out.log.1", NULL);
	assert_int_equal(svclog_clear(&f->svc), 0);
	assert_int_equal(f->svc.out->size, 0);
	file_is(f, "out.log", "");
	file_is(f, "out.log.1", backup);
	free(backup);
	/* Three lines fit again before a rotation: the size was reset. */
	lines_put(OUTW(f), 10, 13);
	pump(f);
	file_is_lines(f, "out.log", 10, 13);
	assert_int_equal(f->svc.out->size, 90);
	/* A partial line before the clear comes out whole after it. */
	puts_fd(OUTW(f), "part");
	pump(f);
	assert_int_equal(svclog_clear(&f->svc), 0);
	puts_fd(OUTW(f), "ial\n");
	pump(f);
	file_is(f, "out.log", "partial\n");
	/* Not a regular file: not removed. */
	snprintf(path, sizeof path, "%s/out.log", f->dir);
	snprintf(to, sizeof to, "%s/elsewhere", f->dir);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(symlink(to, path), 0);
	assert_int_equal(svclog_clear(&f->svc), 0);
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	assert_int_equal(unlink(path), 0);
	fixture_free(f);
}

/* A rotation that fails says why, and waits for another maxbytes. */
static void
test_rotate_fails(void **state)
{
	struct fixture	*f = fixture_new(NULL, 64, CFG_TS_NONE, 0, 1);
	char		 path[128], *cause, *want;

	(void)state;
	snprintf(path, sizeof path, "%s/out.log.1", f->dir);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof path, "%s/out.log.1/x", f->dir);
	assert_int_equal(mkdir(path, 0755), 0);
	fixture_open(f);
	puts_fd(OUTW(f), "kept\n");
	pump(f);
	assert_int_equal(f->svc.out->size, 5);
	assert_int_equal(svclog_rotate(&f->svc, 0, &cause), -1);
	xasprintf(&want, "t: %s/out.log: rotation failed: Is a directory",
	    f->dir);
	assert_string_equal(cause, want);
	free(want);
	free(cause);
	assert_int_equal(f->svc.out->size, 0);
	/* The file is where it was, and still written. */
	puts_fd(OUTW(f), "more\n");
	pump(f);
	file_is(f, "out.log", "kept\nmore\n");
	fixture_free(f);
}

/* Rotation on request, and its refusals, with their reasons. */
static void
test_rotate_request(void **state)
{
	struct fixture	*f;
	char		*cause;

	(void)state;
	f = fixture_new("/dev/null", 64, CFG_TS_NONE, 0, 0);
	f->proc.err.backups = 1;
	fixture_open(f);
	assert_int_equal(svclog_rotate(&f->svc, 0, &cause), -1);
	assert_string_equal(cause, "t: /dev/null: not a regular file: not "
	    "rotated");
	free(cause);
	/* -1: stderr's AUTO file rotates; /dev/null is passed over. */
	assert_int_equal(svclog_rotate(&f->svc, -1, &cause), 0);
	assert_null(cause);
	assert_true(file_exists(f, "t-stderr.log.1"));
	fixture_free(f);

	/* No stream at all (NONE): said, not a crash. */
	f = fixture_new(NULL, 64, CFG_TS_NONE, 0, 0);
	f->proc.out.kind = CFG_LOG_NONE;
	f->proc.err.kind = CFG_LOG_NONE;
	fixture_open(f);
	assert_null(f->svc.out);
	assert_null(f->svc.err);
	assert_int_equal(svclog_rotate(&f->svc, 0, &cause), -1);
	assert_string_equal(cause, "t: no stdout log file");
	free(cause);
	assert_int_equal(svclog_rotate(&f->svc, 1, &cause), -1);
	assert_string_equal(cause, "t: no stderr log file");
	free(cause);
	fixture_free(f);

	/* A stream with no file (syslog only) has nothing to rotate. */
	f = fixture_new(NULL, 64, CFG_TS_NONE, 0, 0);
	f->proc.err.kind = CFG_LOG_NONE;
	f->proc.err.syslog = 1;
	fixture_open(f);
	assert_int_equal(svclog_rotate(&f->svc, 1, &cause), -1);
	assert_string_equal(cause, "t: no stderr log file");
	free(cause);
	fixture_free(f);

	f = fixture_new("/dev/null", 64, CFG_TS_NONE, 0, 0);
	f->proc.err.kind = CFG_LOG_NONE;
	fixture_open(f);
	assert_int_equal(svclog_rotate(&f->svc, -1, &cause), -1);
	assert_string_equal(cause, "t: no log file to rotate");
	free(cause);
	fixture_free(f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_rotate_maxbytes,
		    cleanup_teardown),
		cmocka_unit_test_teardown(test_rotate_stamped,
		    cleanup_teardown),
		cmocka_unit_test_teardown(test_rotate_long_line,
		    cleanup_teardown),
		cmocka_unit_test_teardown(test_rotate_no_backups,
		    cleanup_teardown),
		cmocka_unit_test_teardown(test_rotate_existing_size,
		    cleanup_teardown),
		cmocka_unit_test_teardown(test_open_symlink, cleanup_teardown),
		cmocka_unit_test_teardown(test_open_none, cleanup_teardown),
		cmocka_unit_test_teardown(test_held_full, cleanup_teardown),
		cmocka_unit_test_teardown(test_held_fifo, cleanup_teardown),
		cmocka_unit_test_teardown(test_held_partial_end,
		    cleanup_teardown),
		cmocka_unit_test_teardown(test_held_last_try, cleanup_teardown),
		cmocka_unit_test_teardown(test_held_stderr, cleanup_teardown),
		cmocka_unit_test_teardown(test_pipe_grows, cleanup_teardown),
		cmocka_unit_test_teardown(test_reopen, cleanup_teardown),
		cmocka_unit_test_teardown(test_clear, cleanup_teardown),
		cmocka_unit_test_teardown(test_rotate_fails, cleanup_teardown),
		cmocka_unit_test_teardown(test_rotate_request,
		    cleanup_teardown),
	};

	return (cmocka_run_group_tests_name("svclog-file", tests, NULL, NULL));
}
