/*
 * warden logs' supervisor half: the tail of a log file (and of its
 * rotated .1), the ring of the supervisor's own lines, and followers.
 */
#include <sys/stat.h>

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
#include "stubs.h"
#include "cleanup.h"

struct fixture {
	char		 dir[64];
	char		 path[128];
	struct cfg_proc	 proc;
	struct svc	 svc;
	struct svclog	 out;
};

/* A service "web" whose stdout is dir/out.log; no pipes, no loop. */
static struct fixture *
fixture_new(void)
{
	struct fixture	*f;

	f = xcalloc(1, sizeof *f);
	snprintf(f->dir, sizeof f->dir, "/tmp/test-follow.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	tmp_keep(f->dir);
	snprintf(f->path, sizeof f->path, "%s/out.log", f->dir);
	f->proc.name = "web";
	f->proc.out.kind = CFG_LOG_PATH;
	f->proc.out.path = f->path;
	f->proc.err.kind = CFG_LOG_NONE;
	f->svc.cfg = &f->proc;
	f->svc.out = &f->out;
	f->out.svc = &f->svc;
	f->out.path = f->path;
	return (f);
}

/* Remove the dir and what is in it. */
static void
fixture_free(struct fixture *f)
{
	tmp_done();
	free(f);
}

/* Write len bytes of s to path, replacing it. */
static void
spit(const char *path, const char *s, size_t len)
{
	FILE	*fp;

	assert_non_null(fp = fopen(path, "w"));
	assert_int_equal(fwrite(s, 1, len, fp), len);
	assert_int_equal(fclose(fp), 0);
}

/* Write the string s to path, replacing it. */
static void
spits(const char *path, const char *s)
{
	spit(path, s, strlen(s));
}

/* The whole tail, read len bytes at a time at most; *np pieces. */
static char *
tail_all(struct follow_tail *t, size_t len, int *np)
{
	char	*out = NULL, *buf;
	size_t	 used = 0, n;
	int	 pieces = 0;

	buf = xmalloc(len);
	out = xmalloc(1);
	while ((n = follow_tail_read(t, buf, len)) > 0) {
		assert_true(n <= len);
		out = xreallocarray(out, used + n + 1, 1);
		memcpy(out + used, buf, n);
		used += n;
		pieces++;
	}
	out[used] = '\0';
	free(buf);
	if (np != NULL)
		*np = pieces;
	return (out);
}

/* The last n lines of the stream, in one string (NULL: no reader). */
static char *
tail_of(struct fixture *f, unsigned long n, char **note)
{
	struct follow_tail	*t;
	char			*s;

	if ((t = follow_tail_open(&f->svc, 0, n, note)) == NULL)
		return (NULL);
	s = tail_all(t, 4096, NULL);
	follow_tail_free(t);
	return (s);
}

/* The last n lines of the stream are want, with nothing said. */
static void
tail_is(struct fixture *f, unsigned long n, const char *want)
{
	char	*note, *got;

	got = tail_of(f, n, &note);
	assert_null(note);
	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

static void
test_tail_lines(void **state)
{
	struct fixture	*f = fixture_new();

	(void)state;
	spits(f->path, "one\ntwo\nthree\nfour\nfive\n");
	tail_is(f, 1, "five\n");
	tail_is(f, 2, "four\nfive\n");
	tail_is(f, 5, "one\ntwo\nthree\nfour\nfive\n");
	/* More than there are: the whole file, from its first byte. */
	tail_is(f, 6, "one\ntwo\nthree\nfour\nfive\n");
	tail_is(f, 1000, "one\ntwo\nthree\nfour\nfive\n");
	fixture_free(f);
}

/* The last byte ends the last line, newline or not. */
static void
test_tail_no_final_newline(void **state)
{
	struct fixture	*f = fixture_new();

	(void)state;
	spits(f->path, "one\ntwo\nthree");
	tail_is(f, 1, "three");
	tail_is(f, 2, "two\nthree");
	tail_is(f, 3, "one\ntwo\nthree");
	tail_is(f, 4, "one\ntwo\nthree");
	spits(f->path, "lonely");
	tail_is(f, 1, "lonely");
	tail_is(f, 9, "lonely");
	fixture_free(f);
}

/* Empty lines are lines; a file of one newline is one. */
static void
test_tail_empty_lines(void **state)
{
	struct fixture	*f = fixture_new();

	(void)state;
	spits(f->path, "a\n\n\nb\n\n");
	tail_is(f, 1, "\n");
	tail_is(f, 2, "b\n\n");
	tail_is(f, 3, "\nb\n\n");
	tail_is(f, 5, "a\n\n\nb\n\n");
	spits(f->path, "\n");
	tail_is(f, 1, "\n");
	tail_is(f, 2, "\n");
	fixture_free(f);
}

/* An empty file and a missing one: a reader with nothing to read. */
static void
test_tail_empty_file(void **state)
{
	struct fixture	*f = fixture_new();

	(void)state;
	spits(f->path, "");
	tail_is(f, 10, "");
	assert_int_equal(unlink(f->path), 0);
	tail_is(f, 10, "");
	/* No lines asked: no reader, and nothing to say. */
	{
		char	*note = (char *)1;

		assert_null(follow_tail_open(&f->svc, 0, 0, &note));
		assert_null(note);
	}
	fixture_free(f);
}

/* Fewer lines than asked: the rest from the rotated file, before. */
static void
test_tail_rotated(void **state)
{
	struct fixture	*f = fixture_new();
	char		 old[160];

	(void)state;
	snprintf(old, sizeof old, "%s.1", f->path);
	spits(old, "r1\nr2\nr3\nr4\n");
	spits(f->path, "c1\nc2\n");
	tail_is(f, 2, "c1\nc2\n");
	tail_is(f, 3, "r4\nc1\nc2\n");
	tail_is(f, 5, "r2\nr3\nr4\nc1\nc2\n");
	tail_is(f, 50, "r1\nr2\nr3\nr4\nc1\nc2\n");
	/* The rotated file's last line ends there, newline or not. */
	spits(old, "r1\nr2");
	tail_is(f, 3, "r2c1\nc2\n");
	/* A current file just made: everything from the rotated one. */
	spits(old, "r1\nr2\nr3\n");
	spits(f->path, "");
	tail_is(f, 2, "r2\nr3\n");
	assert_int_equal(unlink(f->path), 0);
	tail_is(f, 2, "r2\nr3\n");
	/* Only .1 is read, never .2. */
	snprintf(old, sizeof old, "%s.2", f->path);
	spits(old, "older\n");
	tail_is(f, 10, "r1\nr2\nr3\n");
	fixture_free(f);
}

/* Lines across the 64 KiB blocks the scan reads backwards. */
static void
test_tail_big(void **state)
{
	struct fixture	*f = fixture_new();
	char		*big, *got, *want, *note, pad[100];
	size_t		 len = 0, i;
	int		 pieces;
	struct follow_tail *t;

	(void)state;
	memset(pad, 'x', sizeof pad - 1);
	pad[sizeof pad - 1] = '\0';
	big = xmalloc(300000);
	for (i = 0; len < 250000; i++)
		len += (size_t)sprintf(big + len, "line %06zu %.*s\n", i,
		    (int)(i % 97), pad);
	spit(f->path, big, len);
	/* Where the last 2000 lines start: after the 2000th newline back. */
	want = big + len - 1;
	for (i = 0; want > big; want--)
		if (want[-1] == '\n' && ++i == 2000)
			break;
	assert_true(want[-1] == '\n');
	got = tail_of(f, 2000, &note);
	assert_string_equal(got, want);
	free(got);
	/* Read in small pieces: each cut after a newline, none lost. */
	assert_non_null(t = follow_tail_open(&f->svc, 0, 2000, &note));
	got = tail_all(t, 1000, &pieces);
	follow_tail_free(t);
	assert_string_equal(got, want);
	assert_true(pieces >= (int)(strlen(want) / 1000));
	free(got);
	/* All of it. */
	got = tail_of(f, 1000000, &note);
	assert_int_equal(strlen(got), len);
	assert_memory_equal(got, big, len);
	free(got);
	free(big);
	fixture_free(f);
}

/* A piece ends after the last newline that fits, or is cut at len. */
static void
test_tail_read_pieces(void **state)
{
	struct fixture		*f = fixture_new();
	struct follow_tail	*t;
	char			 buf[16], *note;

	(void)state;
	spits(f->path, "aaa\nbbb\nccccccccccccccccccccc\nd\n");
	assert_non_null(t = follow_tail_open(&f->svc, 0, 10, &note));
	assert_int_equal(follow_tail_read(t, buf, 10), 8);
	assert_memory_equal(buf, "aaa\nbbb\n", 8);
	/* A line longer than the buffer: cut where it must be. */
	assert_int_equal(follow_tail_read(t, buf, 10), 10);
	assert_memory_equal(buf, "cccccccccc", 10);
	assert_int_equal(follow_tail_read(t, buf, 10), 10);
	assert_int_equal(follow_tail_read(t, buf, 10), 4);
	assert_memory_equal(buf, "c\nd\n", 4);
	assert_int_equal(follow_tail_read(t, buf, 10), 0);
	assert_int_equal(follow_tail_read(t, buf, 10), 0);
	follow_tail_free(t);
	/* The file grows after the open: the tail stops where it was. */
	assert_non_null(t = follow_tail_open(&f->svc, 0, 1, &note));
	spits(f->path, "aaa\nbbb\nccccccccccccccccccccc\nd\nlater\n");
	assert_int_equal(follow_tail_read(t, buf, sizeof buf), 2);
	assert_memory_equal(buf, "d\n", 2);
	assert_int_equal(follow_tail_read(t, buf, sizeof buf), 0);
	follow_tail_free(t);
	follow_tail_free(NULL);
	fixture_free(f);
}

/* What is said when there is no file to read. */
static void
test_tail_no_file(void **state)
{
	struct fixture	*f = fixture_new();
	char		*note;

	(void)state;
	/* stderr: no stream at all (NONE). */
	assert_null(follow_tail_open(&f->svc, 1, 10, &note));
	assert_string_equal(note, "web: no log file to read "
	    "(stderr_logfile=NONE)");
	free(note);
	/* A stream with no file (syslog only), AUTO or a path named. */
	f->out.path = NULL;
	f->proc.out.kind = CFG_LOG_AUTO;
	assert_null(follow_tail_open(&f->svc, 0, 10, &note));
	assert_string_equal(note, "web: no log file to read "
	    "(stdout_logfile=AUTO)");
	free(note);
	/* Not a regular file: nothing read from it. */
	f->out.path = "/dev/null";
	f->proc.out.kind = CFG_LOG_PATH;
	f->proc.out.path = "/dev/null";
	assert_null(follow_tail_open(&f->svc, 0, 10, &note));
	assert_string_equal(note, "web: no log file to read "
	    "(stdout_logfile=/dev/null)");
	free(note);
	f->out.path = f->dir;
	assert_null(follow_tail_open(&f->svc, 0, 10, &note));
	assert_non_null(strstr(note, "no log file to read"));
	free(note);
	fixture_free(f);
}

/* Another error than a missing file: said with its reason. */
static void
test_tail_error(void **state)
{
	struct fixture	*f = fixture_new();
	char		*note, path[160];

	(void)state;
	snprintf(path, sizeof path, "%s/file/out.log", f->dir);
	snprintf(f->path, sizeof f->path, "%s/file", f->dir);
	spits(f->path, "x\n");
	f->out.path = path;
	assert_null(follow_tail_open(&f->svc, 0, 10, &note));
	assert_non_null(note);
	assert_non_null(strstr(note, "web: "));
	assert_non_null(strstr(note, "/file/out.log: Not a directory"));
	free(note);
	fixture_free(f);
}

struct seen {
	char		 buf[256];
	size_t		 len;
	int		 calls;
	struct follow	*self;		/* deleted at its 1st call */
};

/* What a follower got, joined; it deletes itself if asked. */
static void
seen_cb(void *arg, const char *p, size_t len)
{
	struct seen	*s = arg;

	assert_true(s->len + len < sizeof s->buf);
	memcpy(s->buf + s->len, p, len);
	s->len += len;
	s->buf[s->len] = '\0';
	s->calls++;
	if (s->self != NULL) {
		follow_del(s->self);
		s->self = NULL;
	}
}

/* Each follower gets its own service's own stream, nothing else. */
static void
test_feed(void **state)
{
	struct svc	 a, b;
	struct seen	 ao, ae, bo, once, sup;
	struct follow	*f[5];

	(void)state;
	memset(&a, 0, sizeof a);
	memset(&b, 0, sizeof b);
	memset(&ao, 0, sizeof ao);
	memset(&ae, 0, sizeof ae);
	memset(&bo, 0, sizeof bo);
	memset(&once, 0, sizeof once);
	memset(&sup, 0, sizeof sup);
	f[0] = follow_add(&a, 0, seen_cb, &ao);
	f[1] = follow_add(&a, 1, seen_cb, &ae);
	f[2] = follow_add(&b, 0, seen_cb, &bo);
	f[3] = once.self = follow_add(&a, 0, seen_cb, &once);
	f[4] = follow_add(NULL, 0, seen_cb, &sup);
	logs_feed(&a, 0, "a-out\n", 6);
	logs_feed(&a, 1, "a-err\n", 6);
	logs_feed(&b, 0, "b-out\n", 6);
	logs_feed(&b, 1, "b-err\n", 6);
	logs_feed(&a, 0, "", 0);		/* nothing: no call */
	logs_feed(NULL, 0, "sup?\n", 5);	/* never the supervisor's */
	logs_feed(&a, 0, "again\n", 6);
	assert_string_equal(ao.buf, "a-out\nagain\n");
	assert_int_equal(ao.calls, 2);
	assert_string_equal(ae.buf, "a-err\n");
	assert_string_equal(bo.buf, "b-out\n");
	assert_int_equal(bo.calls, 1);
	/* A callback that deleted itself is not called again. */
	assert_string_equal(once.buf, "a-out\n");
	assert_int_equal(once.calls, 1);
	assert_int_equal(sup.calls, 0);
	follow_del(f[0]);
	logs_feed(&a, 0, "gone\n", 5);
	assert_string_equal(ao.buf, "a-out\nagain\n");
	follow_del(f[1]);
	follow_del(f[2]);
	follow_del(f[4]);
	follow_del(NULL);
}

/* The supervisor's lines: the ring's tail and the followers. */
static void
test_sup_ring(void **state)
{
	struct seen	 sup, svc;
	struct follow	*fs, *fv;
	struct svc	 a;
	char		*t;
	size_t		 len = 1;

	(void)state;
	/* Nothing yet. */
	assert_null(follow_sup_tail(10, &len));
	assert_int_equal(len, 0);
	memset(&sup, 0, sizeof sup);
	memset(&svc, 0, sizeof svc);
	memset(&a, 0, sizeof a);
	fs = follow_add(NULL, 0, seen_cb, &sup);
	fv = follow_add(&a, 0, seen_cb, &svc);
	follow_sup_line("l1\n", 3);
	follow_sup_line("", 0);
	follow_sup_line("l2\n", 3);
	follow_sup_line("l3\n", 3);
	assert_string_equal(sup.buf, "l1\nl2\nl3\n");
	assert_int_equal(sup.calls, 3);
	assert_int_equal(svc.calls, 0);
	t = follow_sup_tail(2, &len);
	assert_int_equal(len, 6);
	assert_memory_equal(t, "l2\nl3\n", 6);
	free(t);
	t = follow_sup_tail(3, &len);
	assert_int_equal(len, 9);
	assert_memory_equal(t, "l1\nl2\nl3\n", 9);
	free(t);
	t = follow_sup_tail(100, &len);
	assert_int_equal(len, 9);
	free(t);
	t = follow_sup_tail(1, &len);
	assert_int_equal(len, 3);
	assert_memory_equal(t, "l3\n", 3);
	free(t);
	assert_null(follow_sup_tail(0, &len));
	assert_int_equal(len, 0);
	follow_del(fs);
	follow_del(fv);
}

/*
 * Past 64 KiB the oldest lines go, and the one cut in the middle is
 * left out whole.  (Runs after test_sup_ring: the ring is the
 * program's.)
 */
static void
test_sup_ring_wrap(void **state)
{
	char	 line[64], *t, *nl;
	size_t	 len, i;
	char	*big;

	(void)state;
	for (i = 0; i < 3000; i++) {
		snprintf(line, sizeof line, "message number %06zu\n", i);
		follow_sup_line(line, strlen(line));	/* 22 bytes each */
	}
	t = follow_sup_tail(2, &len);
	assert_int_equal(len, 44);
	assert_memory_equal(t, "message number 002998\nmessage number 002999\n",
	    44);
	free(t);
	/* All it has: whole lines only, the newest last. */
	t = follow_sup_tail(100000, &len);
	assert_true(len <= 65536 && len > 65536 - 22);
	assert_int_equal(len % 22, 0);
	assert_memory_equal(t, "message number ", 15);
	assert_memory_equal(t + len - 22, "message number 002999\n", 22);
	free(t);
	/* One line larger than the ring: its end only, never shown cut. */
	big = xmalloc(70001);
	memset(big, 'B', 70000);
	big[70000] = '\n';
	follow_sup_line(big, 70001);
	assert_null(follow_sup_tail(10, &len));
	assert_int_equal(len, 0);
	follow_sup_line("after\n", 6);
	t = follow_sup_tail(10, &len);
	assert_int_equal(len, 6);
	assert_memory_equal(t, "after\n", 6);
	free(t);
	/* Lines that straddle the ring's end come out in one piece. */
	for (i = 0; i < 5000; i++) {
		snprintf(line, sizeof line, "%zu\n", i);
		follow_sup_line(line, strlen(line));
	}
	t = follow_sup_tail(3, &len);
	assert_int_equal(len, 15);
	assert_memory_equal(t, "4997\n4998\n4999\n", 15);
	nl = memchr(t, '\n', len);
	assert_ptr_equal(nl, t + 4);
	free(t);
	free(big);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_tail_lines, cleanup_teardown),
		cmocka_unit_test_teardown(test_tail_no_final_newline,
		    cleanup_teardown),
		cmocka_unit_test_teardown(test_tail_empty_lines,
		    cleanup_teardown),
		cmocka_unit_test_teardown(test_tail_empty_file,
		    cleanup_teardown),
		cmocka_unit_test_teardown(test_tail_rotated, cleanup_teardown),
		cmocka_unit_test_teardown(test_tail_big, cleanup_teardown),
		cmocka_unit_test_teardown(test_tail_read_pieces,
		    cleanup_teardown),
		cmocka_unit_test_teardown(test_tail_no_file, cleanup_teardown),
		cmocka_unit_test_teardown(test_tail_error, cleanup_teardown),
		cmocka_unit_test_teardown(test_feed, cleanup_teardown),
		cmocka_unit_test_teardown(test_sup_ring, cleanup_teardown),
		cmocka_unit_test_teardown(test_sup_ring_wrap, cleanup_teardown),
	};

	return (cmocka_run_group_tests_name("follow", tests, NULL, NULL));
}
