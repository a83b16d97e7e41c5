/* warden run's option pieces and the shared formatters. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../src/warden.h"	/* the binary's internal header */
#include "stubs.h"

static void
test_ready_modes(void **state)
{
	struct run_ctx	 ctx;
	const char	*cause;

	(void)state;
	memset(&ctx, 0, sizeof ctx);
	assert_int_equal(ready_spec_parse(NULL, READY_FOR_RUN, &ctx.ready, &cause), 0);
	assert_int_equal(ctx.ready.mode, READY_EXEC);
	assert_int_equal(ready_spec_parse("notify", READY_FOR_RUN, &ctx.ready, &cause), 0);
	assert_int_equal(ctx.ready.mode, READY_NOTIFY);
	assert_int_equal(ready_spec_parse("fd:3", READY_FOR_RUN, &ctx.ready, &cause), 0);
	assert_int_equal(ctx.ready.mode, READY_FD);
	assert_int_equal(ctx.ready.fd, 3);
	assert_int_equal(ready_spec_parse("tcp:8080", READY_FOR_RUN, &ctx.ready, &cause), 0);
	assert_int_equal(ctx.ready.mode, READY_TCP);
	assert_string_equal(ctx.ready.host, "127.0.0.1");
	assert_string_equal(ctx.ready.port, "8080");
	run_ctx_free(&ctx);
	assert_int_equal(ready_spec_parse("tcp:localhost:99", READY_FOR_RUN, &ctx.ready, &cause), 0);
	assert_string_equal(ctx.ready.host, "localhost");
	assert_string_equal(ctx.ready.port, "99");
	run_ctx_free(&ctx);
	assert_int_equal(ready_spec_parse("tcp:[::1]:7007", READY_FOR_RUN, &ctx.ready, &cause), 0);
	assert_string_equal(ctx.ready.host, "::1");
	assert_string_equal(ctx.ready.port, "7007");
	run_ctx_free(&ctx);
}

static void
test_ready_bad(void **state)
{
	static const char *bad[] = {
		"", "bogus", "fd:", "fd:2", "fd:1024", "fd:x", "tcp:",
		"tcp:0", "tcp:65536", "tcp:host:", "tcp::80", "tcp:::1:80",
		"tcp:80x", "Notify",
	};
	struct run_ctx	 ctx;
	const char	*cause;
	size_t		 i;

	(void)state;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		memset(&ctx, 0, sizeof ctx);
		cause = NULL;
		if (ready_spec_parse(bad[i], READY_FOR_RUN, &ctx.ready, &cause) != -1)
			fail_msg("accepted --ready %s", bad[i]);
		assert_non_null(cause);
	}
}

/* The same parser, as ready= takes it: startsecs and pidfile:, no exec. */
static void
test_ready_sup(void **state)
{
	static const char *bad[] = {
		"exec", "pidfile:", "fd:2", "tcp:0", "bogus", "Startsecs",
	};
	struct ready_spec	 r;
	const char		*why;
	size_t			 i;

	(void)state;
	assert_int_equal(ready_spec_parse(NULL, READY_FOR_SUP, &r, &why), 0);
	assert_int_equal(r.mode, READY_STARTSECS);
	assert_int_equal(ready_spec_parse("startsecs", READY_FOR_SUP, &r,
	    &why), 0);
	assert_int_equal(r.mode, READY_STARTSECS);
	assert_int_equal(ready_spec_parse("pidfile:/run/x.pid", READY_FOR_SUP,
	    &r, &why), 0);
	assert_int_equal(r.mode, READY_PIDFILE);
	assert_string_equal(r.path, "/run/x.pid");
	assert_int_equal(ready_spec_parse("fd:9", READY_FOR_SUP, &r, &why), 0);
	assert_int_equal(r.mode, READY_FD);
	assert_int_equal(r.fd, 9);
	assert_int_equal(ready_spec_parse("tcp:[::1]:80", READY_FOR_SUP, &r,
	    &why), 0);
	assert_int_equal(r.mode, READY_TCP);
	assert_string_equal(r.host, "::1");
	ready_spec_free(&r);
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		why = NULL;
		if (ready_spec_parse(bad[i], READY_FOR_SUP, &r, &why) != -1)
			fail_msg("accepted ready=%s", bad[i]);
		assert_non_null(why);
	}
	/* Each set refuses the other's own modes. */
	assert_int_equal(ready_spec_parse("pidfile:/x", READY_FOR_RUN, &r,
	    &why), -1);
	assert_int_equal(ready_spec_parse("startsecs", READY_FOR_RUN, &r,
	    &why), -1);
}

static void
test_parse_numbers(void **state)
{
	unsigned long	n;
	double		d;

	(void)state;
	assert_int_equal(parse_uint("42", 100, &n), 0);
	assert_int_equal(n, 42);
	assert_int_equal(parse_uint("101", 100, &n), -1);
	assert_int_equal(parse_uint("-1", 100, &n), -1);
	assert_int_equal(parse_uint("", 100, &n), -1);
	assert_int_equal(parse_uint("4x", 100, &n), -1);
	assert_int_equal(parse_seconds("0.5", &d), 0);
	assert_true(d == 0.5);
	assert_int_equal(parse_seconds("10", &d), 0);
	assert_int_equal(parse_seconds("-1", &d), -1);
	assert_int_equal(parse_seconds("nan", &d), -1);
	assert_int_equal(parse_seconds("1e9", &d), -1);
	assert_int_equal(parse_seconds("2s", &d), -1);
}

static void
test_escape(void **state)
{
	char	*out;

	(void)state;
	out = str_vis("a\x1b[2Jb\n\\", 8, 1);
	assert_string_equal(out, "a\\x1b[2Jb\\n\\\\");
	free(out);
	/* UTF-8 kept in a UTF-8 locale, not otherwise; C1 and bad bytes not. */
	out = str_vis("\xc3\xa9\xc2\x9b\xff", 5, 1);
	assert_string_equal(out, "\xc3\xa9\\xc2\\x9b\\xff");
	free(out);
	out = str_vis("\xc3\xa9", 2, 0);
	assert_string_equal(out, "\\xc3\\xa9");
	free(out);
	/* Overlong and surrogate forms are not UTF-8. */
	out = str_vis("\xc0\xaf\xed\xa0\x80", 5, 1);
	assert_string_equal(out, "\\xc0\\xaf\\xed\\xa0\\x80");
	free(out);
}

static void
test_tty_name(void **state)
{
	char	buf[32];

	(void)state;
	tty_name(34816, buf, sizeof buf);		/* 136:0 */
	assert_string_equal(buf, "pts/0");
	tty_name((136 << 8) | 5 | (1 << 20), buf, sizeof buf);
	assert_string_equal(buf, "pts/261");
	tty_name((4 << 8) | 1, buf, sizeof buf);
	assert_string_equal(buf, "tty1");
	tty_name((4 << 8) | 65, buf, sizeof buf);
	assert_string_equal(buf, "ttyS1");
	tty_name((5 << 8) | 1, buf, sizeof buf);
	assert_string_equal(buf, "console");
	tty_name((7 << 8) | 2, buf, sizeof buf);
	assert_string_equal(buf, "7:2");
}

static void
test_json_string(void **state)
{
	char	*buf = NULL;
	size_t	 len = 0;
	FILE	*fp;

	(void)state;
	fp = open_memstream(&buf, &len);
	json_string(fp, "a\"b\\c\n\x01");
	fputc(' ', fp);
	json_string(fp, NULL);
	fputc(' ', fp);
	json_string(fp, "\xc3\xa9\xff");	/* bad UTF-8 becomes U+FFFD */
	fclose(fp);
	assert_string_equal(buf, "\"a\\\"b\\\\c\\n\\u0001\" null "
	    "\"\xc3\xa9\xef\xbf\xbd\"");
	free(buf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ready_modes),
		cmocka_unit_test(test_ready_bad),
		cmocka_unit_test(test_ready_sup),
		cmocka_unit_test(test_parse_numbers),
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_tty_name),
		cmocka_unit_test(test_json_string),
	};

	return (cmocka_run_group_tests_name("run", tests, NULL, NULL));
}
