/*
 * The streams' pipes and the cache of open log files (logs-pipe.c,
 * logs-file.c): one fd per captured stream, a write end per spawn (a
 * restart loses nothing, a grandchild's later output lands), no polling
 * without a writer, busy pipes read in batches while a quiet line is read
 * at once, more streams than cache slots writing in turn, and stamped
 * lines the same however the bytes came.
 */
#include <sys/epoll.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
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
#include "fdlimit.h"

#define NSVC	12

/* How many fds this process has open. */
static int
fds_open(void)
{
	struct dirent	*de;
	DIR		*d;
	int		 n = 0;

	assert_non_null(d = opendir("/proc/self/fd"));
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return (n - 1);		/* not the directory's own */
}

/* Write s on a new write end of l's pipe, then close it: one instance. */
static void
instance_says(struct svclog *l, const char *s)
{
	int	fd;

	assert_true((fd = svclog_writer(l)) != -1);
	puts_fd(fd, s);
	close(fd);
}

/* The bound of one wait: the loop returns. */
static void
guard_cb(void *arg)
{
	loop_stop(arg);
}

/* Turn the loop for 5 ms at a time until name holds want (2 s at most). */
static void
wait_file(struct fixture *f, const char *name, const char *want)
{
	char	*got = NULL;
	int	 i;

	for (i = 0; i < 400; i++) {
		free(got);
		got = slurp(f, name, NULL);
		if (got != NULL && strcmp(got, want) == 0)
			break;
		(void)loop_timer(f->sup.loop, 0.005, guard_cb, f->sup.loop);
		loop_run(f->sup.loop);
	}
	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

/*
 * The supervisor keeps the read end only; an instance's bytes written
 * before it exits, unread, come before the next instance's, and its
 * partial line is ended there.
 */
static void
test_restart_keeps_order(void **state)
{
	struct fixture	*f;
	struct svclog	*l;

	(void)state;
	f = fixture_new(NULL, 64, CFG_TS_NONE, 0, 0);
	fixture_open(f);
	l = f->svc.out;
	assert_true(l->rfd != -1);
	assert_int_equal(l->wfd, -1);
	f->svc.pid = 10;
	instance_says(l, "one\ntwo");
	f->svc.pid = 0;
	svclog_drain(&f->svc);
	f->svc.pid = 11;
	instance_says(l, "three\n");
	pump(f);
	file_is(f, "out.log", "one\ntwo" NONL "three\n");
	fixture_free(f);
}

/*
 * With no writer left the pipe hangs up: it leaves the loop (no event on
 * every turn) until the next write end, and is read again then.
 */
static void
test_hangup_unpolled(void **state)
{
	struct fixture	*f;
	struct svclog	*l;
	int		 fd;

	(void)state;
	f = fixture_new(NULL, 64, CFG_TS_NONE, 0, 0);
	fixture_open(f);
	l = f->svc.out;
	assert_true(l->flags & SL_UNPOLLED);	/* none yet */
	assert_true((fd = svclog_writer(l)) != -1);
	assert_false(l->flags & SL_UNPOLLED);
	assert_true(l->flags & SL_READING);
	puts_fd(fd, "a\n");
	close(fd);
	pump(f);
	pump(f);
	assert_true(l->flags & SL_UNPOLLED);
	assert_false(l->flags & SL_READING);
	file_is(f, "out.log", "a\n");
	/* Out of the loop: it may be added again. */
	assert_int_equal(loop_mod(f->sup.loop, l->rfd, EPOLLIN), -1);
	instance_says(l, "b\n");
	pump(f);
	file_is(f, "out.log", "a\nb\n");
	fixture_free(f);
}

/* A grandchild that kept the old write end: its later output lands. */
static void
test_grandchild_later(void **state)
{
	struct fixture	*f;
	struct svclog	*l;
	int		 fd, gc;

	(void)state;
	f = fixture_new(NULL, 64, CFG_TS_NONE, 0, 0);
	fixture_open(f);
	l = f->svc.out;
	assert_true((fd = svclog_writer(l)) != -1);
	assert_true((gc = dup(fd)) != -1);
	puts_fd(fd, "main\n");
	close(fd);			/* the main process exits */
	svclog_drain(&f->svc);
	pump(f);
	assert_false(l->flags & SL_UNPOLLED);
	puts_fd(gc, "grandchild\n");
	pump(f);
	instance_says(l, "next\n");
	pump(f);
	puts_fd(gc, "still\n");
	close(gc);
	pump(f);
	file_is(f, "out.log", "main\ngrandchild\nnext\nstill\n");
	fixture_free(f);
}

/*
 * A quiet line is read at the first turn of the loop, no timer; a busy
 * read pauses the pipe, and what follows still lands, in a bounded time.
 */
static void
test_quiet_line_at_once(void **state)
{
	struct fixture	*f;
	struct svclog	*l;
	char		 big[2048], *want;
	int		 fd;

	(void)state;
	f = fixture_new(NULL, 4096, CFG_TS_NONE, 0, 0);
	svclog_pause_set(0.001);
	fixture_open(f);
	l = f->svc.out;
	fd = OUTW(f);
	puts_fd(fd, "quiet\n");
	pump(f);
	file_is(f, "out.log", "quiet\n");
	assert_null(l->pause);
	memset(big, 'b', sizeof big);
	big[sizeof big - 1] = '\n';
	put(fd, big, sizeof big);
	pump(f);
	assert_non_null(l->pause);	/* busy: the next read waits */
	assert_false(l->flags & SL_READING);
	assert_true(l->flags & SL_GROWN);
	puts_fd(fd, "after\n");
	xasprintf(&want, "quiet\n%.*safter\n", (int)sizeof big, big);
	wait_file(f, "out.log", want);
	free(want);
	fixture_free(f);
}

/*
 * No fd for the pipe when the service was set up: the spawn's
 * svclog_writer makes it then; the file, after a reopen, takes the line.
 */
static void
test_pipe_made_at_spawn(void **state)
{
	struct fixture	*f;
	struct rlimit	 rl;

	(void)state;
	f = fixture_new(NULL, 64, CFG_TS_NONE, 0, 0);
	fdlimit_lower(&rl);
	assert_int_equal(svclog_open(&f->svc), -1);
	assert_int_equal(f->svc.out->rfd, -1);
	assert_int_equal(svclog_writer(f->svc.out), -1);
	assert_int_equal(errno, EMFILE);
	fdlimit_restore(&rl);
	svclog_reopen(&f->svc);
	puts_fd(OUTW(f), "made now\n");
	assert_true(f->svc.out->rfd != -1);
	pump(f);
	file_is(f, "out.log", "made now\n");
	fixture_free(f);
}

/* The fds of a config: one per captured stream, a /dev/stdout its own. */
static void
test_fds_needed(void **state)
{
	struct cfg_proc	p;

	(void)state;
	memset(&p, 0, sizeof p);
	p.out.kind = CFG_LOG_AUTO;
	p.err.kind = CFG_LOG_AUTO;
	assert_int_equal(svclog_fds_needed(&p), 2);
	p.redirect_stderr = 1;
	assert_int_equal(svclog_fds_needed(&p), 1);
	p.redirect_stderr = 0;
	p.err.kind = CFG_LOG_NONE;
	assert_int_equal(svclog_fds_needed(&p), 1);
	p.err.syslog = 1;
	assert_int_equal(svclog_fds_needed(&p), 2);
	p.out.kind = CFG_LOG_NONE;
	p.err.syslog = 0;
	assert_int_equal(svclog_fds_needed(&p), 0);
	p.out.kind = CFG_LOG_PATH;
	p.out.path = "/dev/stdout";
	assert_int_equal(svclog_fds_needed(&p), 2);
	p.out.path = "/var/log/x.log";
	assert_int_equal(svclog_fds_needed(&p), 1);
}

/* More services in f's supervisor: sN, stdout to dir/sN.log. */
static struct svc *
more_svc(struct fixture *f, int i, int redirect, int none)
{
	struct svc	*s = xcalloc(1, sizeof *s);
	struct cfg_proc	*p = xcalloc(1, sizeof *p);

	xasprintf(&p->name, "s%d", i);
	p->log_line_max = 64;
	p->redirect_stderr = redirect;
	p->out.kind = none ? CFG_LOG_NONE : CFG_LOG_PATH;
	xasprintf(&p->out.path, "%s/s%d.log", f->dir, i);
	p->err.kind = none ? CFG_LOG_NONE : CFG_LOG_AUTO;
	s->sup = &f->sup;
	s->cfg = p;
	s->state = SVC_RUNNING;
	assert_int_equal(svclog_open(s), 0);
	return (s);
}

/* Close a service of more_svc and free it. */
static void
more_free(struct svc *s)
{
	svclog_close(s);
	free(s->cfg->out.path);
	free(s->cfg->name);
	free(s->cfg);
	free(s);
}

/*
 * NSVC services (some with redirect_stderr, some NONE) and a cache of 4:
 * the supervisor holds one fd per captured stream and 4 files, however
 * many write; each writing in turn, every line lands, in order.
 */
static void
test_cache_in_turn(void **state)
{
	struct fixture	*f;
	struct svc	*s[NSVC];
	char		 line[64], name[32], want[NSVC][256];
	int		 before, need = 0, i, round;

	(void)state;
	f = fixture_new(NULL, 64, CFG_TS_NONE, 0, 0);
	svclog_files_limit(4);
	before = fds_open();
	for (i = 0; i < NSVC; i++) {
		s[i] = more_svc(f, i, i % 3 == 1, i % 4 == 3);
		need += svclog_fds_needed(s[i]->cfg);
		want[i][0] = '\0';
	}
	assert_int_equal(need, 6 * 2 + 3 * 1);	/* 3 NONE, 3 redirected */
	assert_int_equal(fds_open() - before, need + 4);
	for (round = 0; round < 3; round++)
		for (i = 0; i < NSVC; i++) {
			if (s[i]->out == NULL)
				continue;
			snprintf(line, sizeof line, "s%d line %d\n", i, round);
			instance_says(s[i]->out, line);
			strcat(want[i], line);
			pump(f);
			assert_int_equal(fds_open() - before, need + 4);
		}
	for (i = 0; i < NSVC; i++) {
		snprintf(name, sizeof name, "s%d.log", i);
		if (s[i]->out == NULL)
			assert_false(file_exists(f, name));
		else
			file_is(f, name, want[i]);
	}
	for (i = 0; i < NSVC; i++)
		more_free(s[i]);
	assert_int_equal(fds_open(), before);
	svclog_files_limit(0);
	fixture_free(f);
}

/*
 * A stream whose file is out of the cache still rotates by size, opens
 * again by name for logrotate, and is cleared: one slot, two streams.
 */
static void
test_cache_rotate_reopen_clear(void **state)
{
	struct fixture	*f;
	struct svclog	*a, *b;
	char		 moved[128];

	(void)state;
	f = fixture_new(NULL, 64, CFG_TS_NONE, 20, 2);
	svclog_files_limit(1);
	fixture_open(f);
	a = f->svc.out;
	b = f->svc.err;
	assert_int_equal(a->fd, -1);	/* stderr's, opened second, won */
	assert_true(b->fd != -1);
	puts_fd(OUTW(f), "a 1......\n");
	pump(f);
	assert_true(a->fd != -1);
	assert_int_equal(b->fd, -1);
	puts_fd(ERRW(f), "b 1\n");
	pump(f);
	assert_int_equal(a->fd, -1);
	puts_fd(OUTW(f), "a 2......\n");
	pump(f);
	puts_fd(ERRW(f), "b 2\n");
	pump(f);
	puts_fd(OUTW(f), "a 3......\n");
	pump(f);
	file_is(f, "out.log.1", "a 1......\na 2......\n");
	file_is(f, "out.log", "a 3......\n");
	/* Moved away (logrotate) while out: reopen, then a new file. */
	puts_fd(ERRW(f), "b 3\n");
	pump(f);
	assert_int_equal(a->fd, -1);
	snprintf(moved, sizeof moved, "%s/moved", f->dir);
	assert_int_equal(rename(a->path, moved), 0);
	svclog_reopen(&f->svc);
	puts_fd(OUTW(f), "a 4\n");
	pump(f);
	file_is(f, "out.log", "a 4\n");
	file_is(f, "moved", "a 3......\n");
	file_is(f, "out.log.1", "a 1......\na 2......\n");
	/* Cleared while out: a new empty file, then the next line. */
	puts_fd(ERRW(f), "b 4\n");
	pump(f);
	assert_int_equal(a->fd, -1);
	assert_int_equal(svclog_clear(&f->svc), 0);
	file_is(f, "out.log", "");
	file_is(f, "t-stderr.log", "");
	puts_fd(OUTW(f), "a 5\n");
	pump(f);
	file_is(f, "out.log", "a 5\n");
	svclog_files_limit(0);
	fixture_free(f);
}

/* Lines of every length from 0 to 40, in one string. */
static char *
stamp_input(size_t *lenp)
{
	char	*s = xmalloc(41 * 42), *p = s;
	int	 i, j;

	for (i = 0; i <= 40; i++) {
		for (j = 0; j < i; j++)
			*p++ = (char)('a' + (i + j) % 26);
		*p++ = '\n';
	}
	*p = '\0';
	*lenp = (size_t)(p - s);
	return (s);
}

/* The file with each line's stamp of slen bytes taken out. */
static char *
unstamped(struct fixture *f, size_t slen, int *nlines)
{
	char	*got, *out, *p, *o, *nl;

	got = slurp(f, "out.log", NULL);
	assert_non_null(got);
	out = o = xmalloc(strlen(got) + 1);
	*nlines = 0;
	for (p = got; *p != '\0'; p = nl + 1) {
		assert_non_null(nl = strchr(p, '\n'));
		assert_true((size_t)(nl - p) >= slen);
		assert_true(p[0] == '@' || (p[0] == '2' && p[slen - 2] == 'Z'));
		assert_int_equal(p[slen - 1], ' ');
		memcpy(o, p + slen, (size_t)(nl + 1 - p) - slen);
		o += (size_t)(nl + 1 - p) - slen;
		(*nlines)++;
	}
	*o = '\0';
	free(got);
	return (out);
}

/*
 * Stamped lines come out the same from any write size: a byte at a
 * time, 7 bytes, a line's length, all at once; each line has its stamp.
 */
static void
test_stamps_any_size(void **state)
{
	static const size_t	 sizes[] = { 1, 7, 23, 100000 };
	static const int	 kinds[] = { CFG_TS_TAI64N, CFG_TS_ISO8601 };
	struct fixture		*f;
	char			*in, *got;
	size_t			 len, off, n, k, slen;
	int			 lines, ki;

	(void)state;
	in = stamp_input(&len);
	for (ki = 0; ki < 2; ki++)
		for (k = 0; k < nitems(sizes); k++) {
			f = fixture_new(NULL, 64, kinds[ki], 0, 0);
			fixture_open(f);
			for (off = 0; off < len; off += n) {
				n = len - off < sizes[k] ? len - off : sizes[k];
				put(OUTW(f), in + off, n);
				pump(f);
			}
			slen = kinds[ki] == CFG_TS_TAI64N ? 26 : 28;
			got = unstamped(f, slen, &lines);
			assert_int_equal(lines, 41);
			assert_string_equal(got, in);
			free(got);
			fixture_free(f);
		}
	free(in);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_restart_keeps_order,
		    cleanup_teardown),
		cmocka_unit_test_teardown(test_hangup_unpolled,
		    cleanup_teardown),
		cmocka_unit_test_teardown(test_grandchild_later,
		    cleanup_teardown),
		cmocka_unit_test_teardown(test_quiet_line_at_once,
		    cleanup_teardown),
		cmocka_unit_test_teardown(test_pipe_made_at_spawn,
		    cleanup_teardown),
		cmocka_unit_test(test_fds_needed),
		cmocka_unit_test_teardown(test_cache_in_turn,
		    cleanup_teardown),
		cmocka_unit_test_teardown(test_cache_rotate_reopen_clear,
		    cleanup_teardown),
		cmocka_unit_test_teardown(test_stamps_any_size,
		    cleanup_teardown),
	};

	return (cmocka_run_group_tests_name("svclog-pipe", tests, NULL,
	    NULL));
}
