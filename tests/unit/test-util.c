/*
 * util.c beyond test-run.c: UTF-8 sequences and their refusals,
 * str_vis on every kind of byte, env_set's replacing, hostport_split's
 * forms (IPv6 in brackets), the number parsers' edges, more terminal
 * names, the signalfd.
 */
#include <sys/signalfd.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../src/warden.h"
#include "stubs.h"

/* utf8_seq on the whole of s (a string), from i, at least min. */
static size_t
seq(const char *s, size_t i, uint32_t min)
{
	return (utf8_seq((const unsigned char *)s, i, strlen(s), min));
}

static void
test_utf8_valid(void **state)
{
	(void)state;
	assert_int_equal(seq("a", 0, 0), 1);
	assert_int_equal(seq("\x7f", 0, 0), 1);
	assert_int_equal(seq("\xc2\x80", 0, 0x80), 2);	/* U+0080 */
	assert_int_equal(seq("\xc3\xa9", 0, 0x80), 2);	/* é */
	assert_int_equal(seq("\xdf\xbf", 0, 0x80), 2);	/* U+07FF */
	assert_int_equal(seq("\xe0\xa0\x80", 0, 0x80), 3);	/* U+0800 */
	assert_int_equal(seq("\xe2\x82\xac", 0, 0x80), 3);	/* € */
	assert_int_equal(seq("\xef\xbf\xbf", 0, 0x80), 3);	/* U+FFFF */
	assert_int_equal(seq("\xee\x80\x80", 0, 0x80), 3);	/* U+E000 */
	assert_int_equal(seq("\xf0\x90\x80\x80", 0, 0x80), 4); /* U+10000 */
	assert_int_equal(seq("\xf0\x9f\x98\x80", 0, 0x80), 4);	/* 😀 */
	assert_int_equal(seq("\xf4\x8f\xbf\xbf", 0, 0x80), 4); /* U+10FFFF */
	/* From the middle of a string, the rest not looked at. */
	assert_int_equal(seq("ab\xc3\xa9z", 2, 0x80), 2);
	assert_int_equal(seq("\xc3\xa9\xff", 0, 0x80), 2);
}

static void
test_utf8_invalid(void **state)
{
	(void)state;
	/* Below min: ASCII, C1 controls, NBSP's neighbours. */
	assert_int_equal(seq("a", 0, 0x80), 0);
	assert_int_equal(seq("\xc2\x9b", 0, 0xa0), 0);	/* CSI */
	assert_int_equal(seq("\xc2\x9f", 0, 0xa0), 0);
	assert_int_equal(seq("\xc2\xa0", 0, 0xa0), 2);	/* NBSP */
	/* Overlong forms. */
	assert_int_equal(seq("\xc0\x80", 0, 0), 0);
	assert_int_equal(seq("\xc1\xbf", 0, 0), 0);
	assert_int_equal(seq("\xe0\x80\x80", 0, 0), 0);
	assert_int_equal(seq("\xe0\x9f\xbf", 0, 0), 0);	/* U+07FF */
	assert_int_equal(seq("\xf0\x80\x80\x80", 0, 0), 0);
	assert_int_equal(seq("\xf0\x8f\xbf\xbf", 0, 0), 0);	/* U+FFFF */
	/* Surrogates, beyond U+10FFFF, bytes never in UTF-8. */
	assert_int_equal(seq("\xed\xa0\x80", 0, 0), 0);	/* D800 */
	assert_int_equal(seq("\xed\xbf\xbf", 0, 0), 0);	/* DFFF */
	assert_int_equal(seq("\xed\x9f\xbf", 0, 0), 3);	/* D7FF */
	assert_int_equal(seq("\xf4\x90\x80\x80", 0, 0), 0);
	assert_int_equal(seq("\xf5\x80\x80\x80", 0, 0), 0);
	assert_int_equal(seq("\xff", 0, 0), 0);
	assert_int_equal(seq("\xfe", 0, 0), 0);
	/* A lone continuation byte; a sequence cut or interrupted. */
	assert_int_equal(seq("\x80", 0, 0), 0);
	assert_int_equal(seq("\xbf", 0, 0), 0);
	assert_int_equal(seq("\xc3", 0, 0), 0);
	assert_int_equal(seq("\xe2\x82", 0, 0), 0);
	assert_int_equal(seq("\xf0\x9f\x98", 0, 0), 0);
	assert_int_equal(seq("\xc3\x41", 0, 0), 0);
	assert_int_equal(seq("\xe2\x82\x41", 0, 0), 0);
	assert_int_equal(seq("\xe2\xc3\xa9", 0, 0), 0);
	/* len bounds the sequence, not the bytes beyond it. */
	assert_int_equal(utf8_seq((const unsigned char *)"\xc3\xa9", 0, 1,
	    0x80), 0);
	assert_int_equal(utf8_seq((const unsigned char *)"\xe2\x82\xac", 0,
	    2, 0x80), 0);
}

/* str_vis of len bytes of in is want. */
static void
vis_is(const char *in, size_t len, int utf8, const char *want)
{
	char	*out;

	out = str_vis(in, len, utf8);
	assert_string_equal(out, want);
	free(out);
}

static void
test_vis_bytes(void **state)
{
	char	in[100], want[401], *out;
	int	i;

	(void)state;
	vis_is("", 0, 1, "");
	vis_is("plain text ~!", 13, 1, "plain text ~!");
	vis_is("a\tb", 3, 1, "a\\tb");
	vis_is("\r", 1, 1, "\\x0d");
	vis_is("\x7f", 1, 1, "\\x7f");
	vis_is("\x01\x1f", 2, 1, "\\x01\\x1f");
	/* A NUL inside: len counts, not the string. */
	vis_is("a\0b", 3, 1, "a\\x00b");
	vis_is("\\n", 2, 1, "\\\\n");
	/* utf8: valid sequences from U+00A0 kept; else every byte shown. */
	vis_is("\xc2\xa0\xe2\x82\xac\xf0\x9f\x98\x80", 9, 1,
	    "\xc2\xa0\xe2\x82\xac\xf0\x9f\x98\x80");
	vis_is("\xe2\x82\xac", 3, 0, "\\xe2\\x82\\xac");
	vis_is("\xe2\x82", 2, 1, "\\xe2\\x82");
	/* Only len bytes: a sequence cut by len is not valid. */
	vis_is("\xc3\xa9", 1, 1, "\\xc3");
	/* The worst case, four bytes out for each byte in. */
	memset(in, 0x01, sizeof in);
	want[0] = '\0';
	for (i = 0; i < (int)sizeof in; i++)
		strcat(want, "\\x01");
	out = str_vis(in, sizeof in, 1);
	assert_int_equal(strlen(out), 4 * sizeof in);
	assert_string_equal(out, want);
	free(out);
}

/* The environment as one string, "A=1 B=2", to compare. */
static void
env_is(char **env, int n, const char *want)
{
	char	buf[256];
	int	i;

	buf[0] = '\0';
	for (i = 0; i < n; i++) {
		assert_non_null(env[i]);
		if (i > 0)
			strcat(buf, " ");
		strcat(buf, env[i]);
	}
	assert_null(env[n]);
	assert_string_equal(buf, want);
}

static void
test_env_set(void **state)
{
	char	**env = NULL;
	int	  n = 0, i;

	(void)state;
	env = env_set(env, &n, "A=1");
	assert_int_equal(n, 1);
	env_is(env, n, "A=1");
	env = env_set(env, &n, "B=2");
	env = env_set(env, &n, "AB=3");
	env_is(env, n, "A=1 B=2 AB=3");
	/* The last setting wins, in the first one's place. */
	env = env_set(env, &n, "A=one");
	env_is(env, n, "A=one B=2 AB=3");
	env = env_set(env, &n, "AB=");
	env_is(env, n, "A=one B=2 AB=");
	/* A prefix of a name is another name. */
	env = env_set(env, &n, "ABC=4");
	env_is(env, n, "A=one B=2 AB= ABC=4");
	/* A value may hold '='. */
	env = env_set(env, &n, "B=x=y");
	env_is(env, n, "A=one B=x=y AB= ABC=4");
	/* Something without '=' is its own entry, never a name's. */
	env = env_set(env, &n, "C");
	env = env_set(env, &n, "C=1");
	env_is(env, n, "A=one B=x=y AB= ABC=4 C C=1");
	assert_int_equal(n, 6);
	for (i = 0; i < n; i++)
		free(env[i]);
	free(env);
}

/* hostport_split takes s as host and port. */
static void
hp_is(const char *s, const char *host, const char *port)
{
	char	*h = NULL, *p = NULL;

	if (hostport_split(s, &h, &p) != 0)
		fail_msg("refused %s", s);
	assert_string_equal(h, host);
	assert_string_equal(p, port);
	free(h);
	free(p);
}

static void
test_hostport(void **state)
{
	static const char *bad[] = {
		"", ":", ":80", "0", "65536", "80x", "-1", "+80", " 80",
		"host:", "host:0", "host:http", "a:b:80", "::1:80", "::1",
		"[::1]", "[::1]:", "[::1]:0", "[]:80", "[::1]80", "host:80:",
		"[::1]:65536",
	};
	char	*h = NULL, *p = NULL;
	size_t	 i;

	(void)state;
	hp_is("80", "127.0.0.1", "80");
	hp_is("1", "127.0.0.1", "1");
	hp_is("65535", "127.0.0.1", "65535");
	hp_is("example.org:443", "example.org", "443");
	hp_is("10.0.0.1:8080", "10.0.0.1", "8080");
	hp_is("[::1]:80", "::1", "80");
	hp_is("[::]:9", "::", "9");
	hp_is("[fe80::1%eth0]:8080", "fe80::1%eth0", "8080");
	hp_is("[2001:db8::1]:65535", "2001:db8::1", "65535");
	for (i = 0; i < nitems(bad); i++) {
		if (hostport_split(bad[i], &h, &p) != -1)
			fail_msg("accepted \"%s\"", bad[i]);
	}
	/* Refused: nothing allocated, nothing touched. */
	assert_null(h);
	assert_null(p);
}

static void
test_parse_uint_edges(void **state)
{
	static const char *bad[] = {
		"", " 1", "1 ", "+1", "0x10", "1.0", "1e3",
		"99999999999999999999",
	};
	unsigned long	n;
	size_t		i;

	(void)state;
	assert_int_equal(parse_uint("0", 0, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(parse_uint("1", 0, &n), -1);
	assert_int_equal(parse_uint("100", 100, &n), 0);
	assert_int_equal(n, 100);
	assert_int_equal(parse_uint("007", 100, &n), 0);
	assert_int_equal(n, 7);
	assert_int_equal(parse_uint("18446744073709551615", ULONG_MAX, &n),
	    ULONG_MAX == 18446744073709551615UL ? 0 : -1);
	n = 12345;
	for (i = 0; i < nitems(bad); i++)
		if (parse_uint(bad[i], ULONG_MAX, &n) != -1)
			fail_msg("accepted \"%s\"", bad[i]);
	assert_int_equal(n, 12345);	/* untouched when refused */
	assert_int_equal(parse_uint(NULL, 10, &n), -1);
}

static void
test_parse_seconds_edges(void **state)
{
	static const char *bad[] = {
		"", " 1", "1 ", "+1", ".5", "-0", "inf", "infinity", "1e999",
		"86400.001", "86401", "1,5", "1s",
	};
	double	d;
	size_t	i;

	(void)state;
	assert_int_equal(parse_seconds("0", &d), 0);
	assert_true(d == 0);
	assert_int_equal(parse_seconds("86400", &d), 0);
	assert_true(d == 86400);
	assert_int_equal(parse_seconds("5.", &d), 0);
	assert_true(d == 5);
	assert_int_equal(parse_seconds("0.001", &d), 0);
	assert_true(d == 0.001);
	assert_int_equal(parse_seconds("1e3", &d), 0);
	assert_true(d == 1000);
	d = 42;
	for (i = 0; i < nitems(bad); i++)
		if (parse_seconds(bad[i], &d) != -1)
			fail_msg("accepted \"%s\"", bad[i]);
	assert_true(d == 42);
	assert_int_equal(parse_seconds(NULL, &d), -1);
}

/* tty_name gives want for tty_nr nr. */
static void
tty_is(int nr, const char *want)
{
	char	buf[32];

	tty_name(nr, buf, sizeof buf);
	assert_string_equal(buf, want);
}

static void
test_tty_more(void **state)
{
	char	buf[4];

	(void)state;
	tty_is((137 << 8) | 3, "pts/259");
	tty_is((143 << 8) | 255, "pts/2047");
	tty_is((144 << 8) | 0, "144:0");
	tty_is((135 << 8) | 1, "135:1");
	tty_is((4 << 8) | 0, "tty0");
	tty_is((4 << 8) | 63, "tty63");
	tty_is((4 << 8) | 64, "ttyS0");
	tty_is((5 << 8) | 0, "5:0");
	tty_is((5 << 8) | 2, "5:2");
	tty_is(0, "0:0");
	/* A minor above 255 is split around the major. */
	tty_is((4 << 8) | (1 << 20) | 0x2c, "ttyS236");
	/* A short buffer: cut, still a string. */
	tty_name((136 << 8) | 12, buf, sizeof buf);
	assert_string_equal(buf, "pts");
}

static void
test_sigfd(void **state)
{
	struct signalfd_siginfo	 si;
	const int		 sigs[] = { SIGUSR1, SIGUSR2 };
	sigset_t		 set, old;
	int			 fd;

	(void)state;
	assert_int_equal(sigprocmask(SIG_SETMASK, NULL, &old), 0);
	assert_true((fd = sigfd_open(sigs, nitems(sigs))) != -1);
	assert_true(fcntl(fd, F_GETFL) & O_NONBLOCK);
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	/* Blocked now, and read from the fd instead of delivered. */
	assert_int_equal(sigprocmask(SIG_SETMASK, NULL, &set), 0);
	assert_true(sigismember(&set, SIGUSR1));
	assert_true(sigismember(&set, SIGUSR2));
	assert_false(sigismember(&set, SIGHUP));
	assert_int_equal(read(fd, &si, sizeof si), -1);
	assert_int_equal(errno, EAGAIN);
	assert_int_equal(kill(getpid(), SIGUSR2), 0);
	assert_int_equal(read(fd, &si, sizeof si), (ssize_t)sizeof si);
	assert_int_equal(si.ssi_signo, SIGUSR2);
	assert_int_equal(si.ssi_pid, (uint32_t)getpid());
	close(fd);
	assert_int_equal(sigprocmask(SIG_SETMASK, &old, NULL), 0);
}

static void
test_mono_now(void **state)
{
	double	a, b;

	(void)state;
	a = mono_now();
	b = mono_now();
	assert_true(a > 0);
	assert_true(b >= a);
	assert_true(b - a < 1);
}

/* tail_keep: the last cap bytes, whatever the sizes of the pieces. */
static void
test_tail_keep(void **state)
{
	char	kept[8];
	size_t	len = 0;

	(void)state;
	tail_keep(kept, sizeof kept, &len, "abc", 3);
	assert_int_equal(len, 3);
	assert_memory_equal(kept, "abc", 3);
	tail_keep(kept, sizeof kept, &len, "defgh", 5);
	assert_int_equal(len, 8);
	assert_memory_equal(kept, "abcdefgh", 8);
	tail_keep(kept, sizeof kept, &len, "ij", 2);
	assert_int_equal(len, 8);
	assert_memory_equal(kept, "cdefghij", 8);
	tail_keep(kept, sizeof kept, &len, "0123456789", 10);
	assert_int_equal(len, 8);
	assert_memory_equal(kept, "23456789", 8);
	tail_keep(kept, sizeof kept, &len, "", 0);
	assert_memory_equal(kept, "23456789", 8);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_utf8_valid),
		cmocka_unit_test(test_utf8_invalid),
		cmocka_unit_test(test_vis_bytes),
		cmocka_unit_test(test_env_set),
		cmocka_unit_test(test_hostport),
		cmocka_unit_test(test_parse_uint_edges),
		cmocka_unit_test(test_parse_seconds_edges),
		cmocka_unit_test(test_tty_more),
		cmocka_unit_test(test_sigfd),
		cmocka_unit_test(test_mono_now),
		cmocka_unit_test(test_tail_keep),
	};

	return (cmocka_run_group_tests_name("util", tests, NULL, NULL));
}
