/*
 * The log engine against its contract: lines framed the same whatever
 * the read splits, log_line_max cuts and marks, the ended instance's
 * partial line, timestamps, a terminal's escaping, the foreground
 * prefix, followers, what a failed start reports, and the syslog
 * datagrams.  Its files are test-svclog-file.c's.
 */
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <regex.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../src/sup/sup.h"
#include "../../src/sup/logs.h"
#include "stubs.h"
#include "cleanup.h"
#include "svclog.h"

/* TAI64 label of the UNIX epoch: 2^62, and TAI is 10 s ahead. */
#define TAI0	0x400000000000000aULL

/* A small deterministic generator: the same chunks every run. */
static unsigned int
rnd(unsigned int *seed)
{
	*seed = *seed * 1103515245u + 12345u;
	return ((*seed >> 16) & 0x7fff);
}

/*
 * What the engine must make of text (cap, no stamps): every line cut
 * into cap-byte pieces marked as split, the last piece ended by its
 * newline, or by the no-newline mark when the text ends without one.
 */
static char *
model(const char *text, size_t len, size_t cap)
{
	const char	*p = text, *end = text + len, *nl;
	char		*out, *o;
	size_t		 l;

	o = out = xmalloc(len * 40 + 64);
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		l = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);
		while (l > cap) {
			memcpy(o, p, cap);
			o += cap;
			memcpy(o, SPLIT, strlen(SPLIT));
			o += strlen(SPLIT);
			p += cap;
			l -= cap;
		}
		memcpy(o, p, l);
		o += l;
		if (nl != NULL) {
			*o++ = '\n';
			p = nl + 1;
		} else {
			memcpy(o, NONL, strlen(NONL));
			o += strlen(NONL);
			p = end;
		}
	}
	*o = '\0';
	return (out);
}

/* Lines of many lengths around cap, as one text of *lenp bytes. */
static char *
text_make(unsigned int seed, size_t cap, int partial, size_t *lenp)
{
	static const size_t	lens[] = { 0, 1, 2, 7 };
	char			*t;
	size_t			 n = 0, l, i;
	int			 k;

	t = xmalloc(64 * (4 * cap + 2));
	for (k = 0; k < 60; k++) {
		switch (rnd(&seed) % 6) {
		case 0:
			l = lens[rnd(&seed) % nitems(lens)];
			break;
		case 1:
			l = cap - 1 + rnd(&seed) % 3;	/* cap +-1 */
			break;
		case 2:
			l = 2 * cap + rnd(&seed) % 2;
			break;
		case 3:
			l = 3 * cap + 5;
			break;
		default:
			l = rnd(&seed) % cap;
			break;
		}
		for (i = 0; i < l; i++)
			t[n++] = (char)('a' + (k + (int)i) % 26);
		t[n++] = '\n';
	}
	if (partial)
		for (i = 0; i < cap + cap / 2; i++)
			t[n++] = 'P';
	*lenp = n;
	return (t);
}

/* Feed text in chunks of random sizes, one loop turn each. */
static void
feed_split(struct fixture *f, const char *t, size_t len, unsigned int seed,
    size_t maxchunk)
{
	size_t	off = 0, n;

	while (off < len) {
		n = 1 + rnd(&seed) % maxchunk;
		if (n > len - off)
			n = len - off;
		put(OUTW(f), t + off, n);
		pump(f);
		off += n;
	}
}

static void
test_framing_any_split(void **state)
{
	struct fixture	*f;
	char		*t, *want, *got;
	size_t		 len, cap = 16;
	unsigned int	 seed;

	(void)state;
	for (seed = 1; seed <= 24; seed++) {
		f = fixture_new(NULL, cap, CFG_TS_NONE, 0, 0);
		fixture_open(f);
		t = text_make(seed, cap, seed % 2, &len);
		want = model(t, len, cap);
		feed_split(f, t, len, seed * 7919, seed % 3 == 0 ? 3 : 40);
		svclog_drain(&f->svc);
		got = slurp(f, "out.log", NULL);
		assert_non_null(got);
		if (strcmp(got, want) != 0)
			fail_msg("seed %u: framed differently", seed);
		free(got);
		free(want);
		free(t);
		fixture_free(f);
	}
}

/* Byte by byte: the carry grows one byte a turn up to cap. */
static void
test_framing_bytewise(void **state)
{
	struct fixture	*f = fixture_new(NULL, 8, CFG_TS_NONE, 0, 0);
	const char	 text[] = "12345678\n123456789\nabc\n\n"
	    "xyzxyzxyzxyzxyz";
	char		*want;
	size_t		 i;

	(void)state;
	fixture_open(f);
	for (i = 0; i < sizeof text - 1; i++) {
		put(OUTW(f), text + i, 1);
		pump(f);
	}
	/* Nothing of the partial line is written before the end. */
	file_is(f, "out.log", "12345678\n12345678" SPLIT "9\nabc\n\n"
	    "xyzxyzxy" SPLIT);
	svclog_drain(&f->svc);
	want = model(text, sizeof text - 1, 8);
	file_is(f, "out.log", want);
	assert_string_equal(want, "12345678\n12345678" SPLIT "9\nabc\n\n"
	    "xyzxyzxy" SPLIT "zxyzxyz" NONL);
	free(want);
	fixture_free(f);
}

/* A line held in the carry is never merged with the next instance's. */
static void
test_partial_new_instance(void **state)
{
	struct fixture	*f = fixture_new(NULL, 64, CFG_TS_NONE, 0, 0);

	(void)state;
	fixture_open(f);
	f->svc.pid = 100;
	puts_fd(OUTW(f), "half a li");
	pump(f);
	file_is(f, "out.log", "");
	f->svc.pid = 200;
	puts_fd(OUTW(f), "ne\nwhole\n");
	pump(f);
	file_is(f, "out.log", "half a li" NONL "ne\nwhole\n");
	/* The same instance: a line across two reads is one line. */
	puts_fd(OUTW(f), "one ");
	pump(f);
	puts_fd(OUTW(f), "line\n");
	pump(f);
	file_is(f, "out.log", "half a li" NONL "ne\nwhole\none line\n");
	/* An instance ending with no partial line adds nothing. */
	svclog_drain(&f->svc);
	file_is(f, "out.log", "half a li" NONL "ne\nwhole\none line\n");
	fixture_free(f);
}

/* stderr has its own carry: a partial line on one is not the other's. */
static void
test_partial_per_stream(void **state)
{
	struct fixture	*f = fixture_new(NULL, 64, CFG_TS_NONE, 0, 0);

	(void)state;
	fixture_open(f);
	puts_fd(OUTW(f), "out-");
	puts_fd(ERRW(f), "err-");
	pump(f);
	puts_fd(ERRW(f), "done\n");
	pump(f);
	file_is(f, "t-stderr.log", "err-done\n");
	file_is(f, "out.log", "");
	svclog_drain(&f->svc);
	file_is(f, "out.log", "out-" NONL);
	file_is(f, "t-stderr.log", "err-done\n");
	fixture_free(f);
}

/* Check every line of got starts with an ISO 8601 stamp within [lo, hi]. */
static int
lines_iso(const char *got, time_t lo, time_t hi, const char *rest[],
    int nrest)
{
	regex_t		 re;
	regmatch_t	 m[1];
	struct tm	 tm;
	const char	*p = got, *nl;
	time_t		 t;
	int		 i = 0;

	assert_int_equal(regcomp(&re, "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:"
	    "[0-9]{2}:[0-9]{2}\\.[0-9]{6}Z ", REG_EXTENDED), 0);
	for (; *p != '\0'; p = nl + 1, i++) {
		nl = strchr(p, '\n');
		assert_non_null(nl);
		if (regexec(&re, p, 1, m, 0) != 0 || m[0].rm_so != 0)
			fail_msg("no stamp: %.40s", p);
		assert_int_equal(m[0].rm_eo, 28);
		memset(&tm, 0, sizeof tm);
		assert_non_null(strptime(p, "%Y-%m-%dT%H:%M:%S", &tm));
		t = timegm(&tm);
		assert_true(t >= lo && t <= hi);
		assert_true(i < nrest);
		assert_int_equal((size_t)(nl + 1 - (p + 28)), strlen(rest[i]));
		assert_memory_equal(p + 28, rest[i], strlen(rest[i]));
	}
	regfree(&re);
	return (i);
}

static void
test_stamp_iso8601(void **state)
{
	struct fixture	*f = fixture_new(NULL, 10, CFG_TS_ISO8601, 0, 0);
	const char	*rest[] = { "first\n", "0123456789" SPLIT, "ab\n",
	    "partial" NONL };
	char		*got;
	time_t		 lo, hi;

	(void)state;
	fixture_open(f);
	lo = time(NULL);
	puts_fd(OUTW(f), "first\n0123456789ab\npartial");
	pump(f);
	svclog_drain(&f->svc);
	hi = time(NULL) + 1;	/* time() may lag the clock by a tick */
	got = slurp(f, "out.log", NULL);
	assert_int_equal(lines_iso(got, lo, hi, rest, 4), 4);
	free(got);
	fixture_free(f);
}

static void
test_stamp_tai64n(void **state)
{
	struct fixture		*f;
	char			*got, *p, hex[17];
	unsigned long long	 sec;
	unsigned long		 nsec;
	time_t			 lo, hi;
	int			 lines = 0;

	(void)state;
	f = fixture_new(NULL, 64, CFG_TS_TAI64N, 0, 0);
	fixture_open(f);
	lo = time(NULL);
	puts_fd(OUTW(f), "a\nbb\n\nccc\n");
	pump(f);
	hi = time(NULL) + 1;	/* time() may lag the clock by a tick */
	got = slurp(f, "out.log", NULL);
	for (p = got; *p != '\0'; p = strchr(p, '\n') + 1, lines++) {
		assert_int_equal(p[0], '@');
		assert_int_equal(p[25], ' ');
		memcpy(hex, p + 1, 16);
		hex[16] = '\0';
		sec = strtoull(hex, NULL, 16);
		nsec = strtoul(p + 17, NULL, 16);
		assert_true(strspn(p + 1, "0123456789abcdef") == 24);
		/* TAI64: 2^62, plus the 10 s TAI is ahead of UNIX time. */
		assert_true(sec >= TAI0 + (unsigned long long)lo);
		assert_true(sec <= TAI0 + (unsigned long long)hi);
		assert_true(nsec < 1000000000UL);
	}
	assert_int_equal(lines, 4);
	/* The stamps come before the lines as written, empty ones too. */
	assert_memory_equal(got + 26, "a\n", 2);
	assert_memory_equal(got + 28 + 26, "bb\n", 3);
	assert_memory_equal(got + 57 + 26, "\n", 1);
	assert_memory_equal(got + 84 + 26, "ccc\n", 4);
	assert_int_equal(strlen(got), 4 * 26 + 10);
	free(got);
	fixture_free(f);
}

/* A terminal gets escaped lines: a service cannot drive it. */
static void
test_vis_terminal(void **state)
{
	struct fixture	*f;
	struct termios	 tio;
	char		 buf[256], *slave;
	size_t		 len = 0;
	ssize_t		 n;
	int		 m, s;

	(void)state;
	if ((m = posix_openpt(O_RDWR|O_NOCTTY)) == -1 || grantpt(m) == -1 ||
	    unlockpt(m) == -1 || (slave = ptsname(m)) == NULL)
		skip();
	assert_true((s = open(slave, O_RDWR|O_NOCTTY)) != -1);
	assert_int_equal(tcgetattr(s, &tio), 0);
	cfmakeraw(&tio);
	assert_int_equal(tcsetattr(s, TCSANOW, &tio), 0);
	f = fixture_new(slave, 64, CFG_TS_NONE, 0, 0);
	fixture_open(f);
	assert_true(f->svc.out->flags & SL_VIS);
	puts_fd(OUTW(f), "red \033[31mtext\ttab\n\033]0;title\a");
	pump(f);
	svclog_drain(&f->svc);
	while (len < sizeof buf - 1) {
		struct pollfd	pfd = { m, POLLIN, 0 };

		if (poll(&pfd, 1, 5000) != 1)
			break;
		if ((n = read(m, buf + len, sizeof buf - 1 - len)) <= 0)
			break;
		len += (size_t)n;
		buf[len] = '\0';
		if (strstr(buf, "no newline]") != NULL)
			break;
	}
	buf[len] = '\0';
	assert_string_equal(buf, "red \\x1b[31mtext\\ttab\n"
	    "\\x1b]0;title\\x07" NONL);
	fixture_free(f);
	close(s);
	close(m);
}

/* The supervisor's stdout, in the foreground: "NAME | " before lines. */
static void
test_stdout_prefix(void **state)
{
	struct fixture	*f;
	char		 path[128];
	int		 saved, fd;

	(void)state;
	f = fixture_new("/dev/stdout", 64, CFG_TS_NONE, 0, 0);
	f->sup.foreground = 1;
	snprintf(path, sizeof path, "%s/stdout", f->dir);
	fflush(stdout);
	assert_true((saved = dup(STDOUT_FILENO)) != -1);
	assert_true((fd = open(path, O_WRONLY|O_CREAT|O_TRUNC, 0600)) != -1);
	assert_int_equal(dup2(fd, STDOUT_FILENO), STDOUT_FILENO);
	close(fd);
	fixture_open(f);
	puts_fd(OUTW(f), "hello\nworld\n");
	pump(f);
	assert_int_equal(dup2(saved, STDOUT_FILENO), STDOUT_FILENO);
	close(saved);
	assert_true(f->svc.out->flags & SL_STDIO);
	assert_true(f->svc.out->flags & SL_PREFIX);
	assert_false(f->svc.out->flags & SL_REG);
	file_is(f, "stdout", "t | hello\nt | world\n");
	fixture_free(f);
}

/* Followers get each chunk as written; the stream's own only. */
struct seen {
	char	buf[1024];
	size_t	len;
};

/* What a follower got: every chunk, joined. */
static void
seen_cb(void *arg, const char *p, size_t len)
{
	struct seen	*s = arg;

	assert_true(s->len + len < sizeof s->buf);
	memcpy(s->buf + s->len, p, len);
	s->len += len;
	s->buf[s->len] = '\0';
}

static void
test_feed_followers(void **state)
{
	struct fixture	*f = fixture_new(NULL, 8, CFG_TS_NONE, 0, 0);
	struct seen	 out, err;
	struct follow	*fo, *fe;

	(void)state;
	memset(&out, 0, sizeof out);
	memset(&err, 0, sizeof err);
	fixture_open(f);
	fo = follow_add(&f->svc, 0, seen_cb, &out);
	fe = follow_add(&f->svc, 1, seen_cb, &err);
	puts_fd(OUTW(f), "short\nmuch too long\nhalf");
	puts_fd(ERRW(f), "e\n");
	pump(f);
	/* What is written is what is followed, marks included. */
	assert_string_equal(out.buf, "short\nmuch too" SPLIT " long\n");
	assert_string_equal(err.buf, "e\n");
	svclog_drain(&f->svc);
	assert_string_equal(out.buf, "short\nmuch too" SPLIT " long\nhalf"
	    NONL);
	follow_del(fo);
	follow_del(fe);
	fixture_free(f);
}

/*
 * A tail taken, then a follower added, between two turns of the loop:
 * every line once, none missing, across a rotation by size.
 */
static void
test_tail_then_follow(void **state)
{
	struct fixture		*f;
	struct follow_tail	*t;
	struct follow		*fo;
	struct seen		 got;
	char			*note, line[32];
	size_t			 n;
	int			 i;

	(void)state;
	f = fixture_new(NULL, 64, CFG_TS_NONE, 40, 1);
	memset(&got, 0, sizeof got);
	fixture_open(f);
	for (i = 0; i < 5; i++) {
		snprintf(line, sizeof line, "line %d\n", i);
		puts_fd(OUTW(f), line);
	}
	pump(f);
	/* 7 bytes a line, 40 at most: lines 0-4 in the file. */
	assert_non_null(t = follow_tail_open(&f->svc, 0, 3, &note));
	assert_null(note);
	fo = follow_add(&f->svc, 0, seen_cb, &got);
	while ((n = follow_tail_read(t, got.buf + got.len,
	    sizeof got.buf - 1 - got.len)) > 0)
		got.len += n;
	got.buf[got.len] = '\0';
	follow_tail_free(t);
	/* Lines 5-9: a rotation on the way, the tail already taken. */
	for (i = 5; i < 10; i++) {
		snprintf(line, sizeof line, "line %d\n", i);
		puts_fd(OUTW(f), line);
		pump(f);
	}
	assert_string_equal(got.buf, "line 2\nline 3\nline 4\nline 5\n"
	    "line 6\nline 7\nline 8\nline 9\n");
	follow_del(fo);
	/* And a tail now reads across the rotated file. */
	assert_non_null(t = follow_tail_open(&f->svc, 0, 6, &note));
	n = follow_tail_read(t, got.buf, sizeof got.buf - 1);
	n += follow_tail_read(t, got.buf + n, sizeof got.buf - 1 - n);
	got.buf[n] = '\0';
	assert_int_equal(follow_tail_read(t, got.buf, sizeof got.buf), 0);
	follow_tail_free(t);
	assert_string_equal(got.buf, "line 4\nline 5\nline 6\nline 7\n"
	    "line 8\nline 9\n");
	fixture_free(f);
}

/* Recent bytes: the ring wraps, its cut oldest line is left out. */
static void
test_recent_wrap(void **state)
{
	struct fixture	*f = fixture_new(NULL, 4096, CFG_TS_NONE, 0, 0);
	char		 big[701], buf[256];
	int		 i;

	(void)state;
	f->svc.state = SVC_STARTING;
	fixture_open(f);
	memset(big, 'X', 700);
	big[700] = '\0';
	puts_fd(ERRW(f), big);
	puts_fd(ERRW(f), "\nlast");
	pump(f);
	assert_int_equal(f->svc.err->recentlen, 705);
	svclog_recent(&f->svc, buf, sizeof buf);
	assert_string_equal(buf, "last");
	svclog_recent_reset(&f->svc);
	assert_null(f->svc.err->recent);
	/* Many small reads wrap the ring at any offset. */
	for (i = 0; i < 90; i++) {
		snprintf(buf, sizeof buf, "msg %d\r\n\n", i);
		puts_fd(ERRW(f), buf);
		pump(f);
	}
	svclog_recent(&f->svc, buf, sizeof buf);
	assert_string_equal(buf, "msg 87 / msg 88 / msg 89");
	/* Only what stderr got while starting. */
	f->svc.state = SVC_RUNNING;
	puts_fd(ERRW(f), "after\n");
	pump(f);
	svclog_recent(&f->svc, buf, sizeof buf);
	assert_string_equal(buf, "msg 87 / msg 88 / msg 89");
	/* len 1: just the NUL; 0: nothing touched. */
	assert_int_equal(svclog_recent(&f->svc, buf, 1), 0);
	assert_string_equal(buf, "");
	buf[0] = 'z';
	assert_int_equal(svclog_recent(&f->svc, buf, 0), 0);
	assert_int_equal(buf[0], 'z');
	fixture_free(f);
}

/* Fewer than three lines, and a ring of only newlines. */
static void
test_recent_few(void **state)
{
	struct fixture	*f = fixture_new(NULL, 4096, CFG_TS_NONE, 0, 0);
	char		 buf[64];

	(void)state;
	f->svc.state = SVC_STARTING;
	fixture_open(f);
	puts_fd(ERRW(f), "\n\n\n");
	pump(f);
	assert_int_equal(svclog_recent(&f->svc, buf, sizeof buf), 0);
	assert_string_equal(buf, "");
	puts_fd(ERRW(f), "only\n");
	pump(f);
	assert_int_equal(svclog_recent(&f->svc, buf, sizeof buf), 4);
	assert_string_equal(buf, "only");
	puts_fd(ERRW(f), "tab\there\n");
	pump(f);
	svclog_recent(&f->svc, buf, sizeof buf);
	assert_string_equal(buf, "only / tab\\there");
	fixture_free(f);
}

/* A UNIX datagram socket at dir/log, as syslogd's. */
static int
syslogd_open(struct fixture *f, char *path, size_t len)
{
	struct sockaddr_un	sun;
	int			fd;

	snprintf(path, len, "%s/log", f->dir);
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof sun.sun_path, "%s", path);
	assert_true((fd = socket(AF_UNIX, SOCK_DGRAM|SOCK_CLOEXEC|
	    SOCK_NONBLOCK, 0)) != -1);
	assert_int_equal(bind(fd, (struct sockaddr *)&sun, sizeof sun), 0);
	return (fd);
}

/* The next datagram; "" when there is none. */
static const char *
syslogd_read(int fd)
{
	static char	buf[8192];
	ssize_t		n;

	if ((n = recv(fd, buf, sizeof buf - 1, 0)) < 0)
		n = 0;
	buf[n] = '\0';
	return (buf);
}

/* "<PRI>Mmm dd hh:mm:ss TAG: " then the line: RFC 3164. */
static void
datagram_is(const char *got, int pri, const char *tag, const char *line)
{
	char		 head[64];
	regex_t		 re;
	regmatch_t	 m[1];
	size_t		 hl;

	snprintf(head, sizeof head, "<%d>", pri);
	hl = strlen(head);
	if (strncmp(got, head, hl) != 0)
		fail_msg("no <%d>: %s", pri, got);
	assert_int_equal(regcomp(&re, "^[A-Z][a-z]{2} [ 1-3][0-9] "
	    "[0-2][0-9]:[0-5][0-9]:[0-6][0-9] ", REG_EXTENDED), 0);
	if (regexec(&re, got + hl, 1, m, 0) != 0)
		fail_msg("no RFC 3164 stamp: %s", got);
	regfree(&re);
	assert_int_equal(m[0].rm_eo, 16);
	hl += 16;
	assert_int_equal(strncmp(got + hl, tag, strlen(tag)), 0);
	hl += strlen(tag);
	assert_string_equal(got + hl, line);
}

static void
test_syslog(void **state)
{
	struct fixture	*f = fixture_new(NULL, 8, CFG_TS_NONE, 0, 0);
	char		 path[128], *got, *big;
	int		 fd, i;

	(void)state;
	fd = syslogd_open(f, path, sizeof path);
	setenv("WARDEN_SYSLOG_SOCKET", path, 1);
	f->proc.out.kind = CFG_LOG_NONE;
	f->proc.out.syslog = 1;
	f->proc.err.syslog = 1;
	f->svc.pid = 4242;
	fixture_open(f);
	assert_non_null(f->svc.out);
	assert_null(f->svc.out->path);
	assert_true(f->svc.out->flags & SL_SYSLOG);
	puts_fd(OUTW(f), "hello\nworld\n");
	pump(f);
	datagram_is(syslogd_read(fd), 30, "t[4242]: ", "hello");
	datagram_is(syslogd_read(fd), 30, "t[4242]: ", "world");
	assert_string_equal(syslogd_read(fd), "");
	/* stderr is err (3), daemon (3 << 3); a file gets it as well. */
	puts_fd(ERRW(f), "oops\n");
	pump(f);
	datagram_is(syslogd_read(fd), 27, "t[4242]: ", "oops");
	file_is(f, "t-stderr.log", "oops\n");
	/* Cut and partial lines: the pieces, no marks. */
	f->svc.pid = 0;
	puts_fd(OUTW(f), "0123456789\nend");
	pump(f);
	svclog_drain(&f->svc);
	datagram_is(syslogd_read(fd), 30, "t: ", "01234567");
	datagram_is(syslogd_read(fd), 30, "t: ", "89");
	datagram_is(syslogd_read(fd), 30, "t: ", "end");
	assert_string_equal(syslogd_read(fd), "");
	/* Stamped lines: the file has the stamp, syslog its header only. */
	f->svc.pid = 7;
	f->svc.out->stamps = CFG_TS_TAI64N;
	f->svc.err->stamps = CFG_TS_TAI64N;
	puts_fd(OUTW(f), "x\ny\n");
	puts_fd(ERRW(f), "e1\n");
	pump(f);
	datagram_is(syslogd_read(fd), 30, "t[7]: ", "x");
	datagram_is(syslogd_read(fd), 30, "t[7]: ", "y");
	datagram_is(syslogd_read(fd), 27, "t[7]: ", "e1");
	got = slurp(f, "t-stderr.log", NULL);
	assert_int_equal(strlen(got), 5 + 26 + 3);
	assert_int_equal(got[5], '@');
	assert_string_equal(got + 5 + 26, "e1\n");
	free(got);
	/* Larger than a datagram can be: RFC 3164's 1024 bytes of it. */
	f->svc.out->stamps = CFG_TS_NONE;
	f->svc.out->cap = 300000;
	big = xmalloc(50000);
	memset(big, 'Z', 50000);
	for (i = 0; i < 5; i++) {
		put(OUTW(f), big, 50000);
		pump(f);
	}
	assert_int_equal(f->svc.out->carrylen, 250000);
	puts_fd(OUTW(f), "\n");
	pump(f);
	got = xstrdup(syslogd_read(fd));
	datagram_is(got, 30, "t[7]: ", got + strlen(got) - 1024);
	assert_int_equal(strspn(got + strlen(got) - 1024, "Z"), 1024);
	assert_int_equal(strlen(got), strlen("<30>") + 16 + strlen("t[7]: ") +
	    1024);
	free(got);
	free(big);
	fixture_free(f);
	close(fd);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_framing_any_split,
		    cleanup_teardown),
		cmocka_unit_test_teardown(test_framing_bytewise,
		    cleanup_teardown),
		cmocka_unit_test_teardown(test_partial_new_instance,
		    cleanup_teardown),
		cmocka_unit_test_teardown(test_partial_per_stream,
		    cleanup_teardown),
		cmocka_unit_test_teardown(test_stamp_iso8601, cleanup_teardown),
		cmocka_unit_test_teardown(test_stamp_tai64n, cleanup_teardown),
		cmocka_unit_test_teardown(test_vis_terminal, cleanup_teardown),
		cmocka_unit_test_teardown(test_stdout_prefix, cleanup_teardown),
		cmocka_unit_test_teardown(test_feed_followers,
		    cleanup_teardown),
		cmocka_unit_test_teardown(test_tail_then_follow,
		    cleanup_teardown),
		cmocka_unit_test_teardown(test_recent_wrap, cleanup_teardown),
		cmocka_unit_test_teardown(test_recent_few, cleanup_teardown),
		cmocka_unit_test_teardown(test_syslog, cleanup_teardown),
	};

	return (cmocka_run_group_tests_name("svclog", tests, NULL, NULL));
}
