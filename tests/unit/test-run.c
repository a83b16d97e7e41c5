/* warden run's option pieces and the shared formatters. */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
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
	ready_spec_free(&r);
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

/* "warden help run", as it has always read. */
static const char run_help_text[] =
"  -p, --pidfile FILE       pidfile; refuse when it names a running daemon\n"
"  -n, --name NAME          name used in messages (default: COMMAND's)\n"
"  -u, --user USER[:GROUP]  drop privileges before exec\n"
"  -C, --chdir DIR          working directory (default /)\n"
"  -m, --umask MODE         file mode mask (default 022)\n"
"  -o, --output FILE        append stdout and stderr to FILE\n"
"      --stdout FILE        append stdout to FILE\n"
"      --stderr FILE        append stderr to FILE\n"
"      --syslog             send stdout and stderr to syslog\n"
"  -e, --env NAME=VALUE     set a variable (repeatable)\n"
"  -E, --clear-env          start from an empty environment (PATH kept)\n"
"  -r, --respawn            restart COMMAND when it dies, with backoff\n"
"      --ready MODE         exec (default) | notify | fd:N | tcp:[HOST:]PORT\n"
"      --ready-timeout SEC  give up waiting for readiness (default 60)\n"
"      --listen ADDR        hand over a socket bound here, from fd 3 (repeatable)\n"
"  -F, --foreground         do everything but detach\n";

static void
test_run_help(void **state)
{
	char	*buf = NULL;
	size_t	 len = 0;
	FILE	*fp;

	(void)state;
	assert_non_null(fp = open_memstream(&buf, &len));
	run_help(fp);
	fclose(fp);
	assert_string_equal(buf, run_help_text);
	free(buf);
}

/*
 * cmd_run on "run" and the given words, then "--" and a command: a bad
 * --ready first makes any run that gets past the options stop with
 * EXIT_USAGE, so none starts anything; an option the parser does not take
 * (or takes with the wrong argument) returns CMD_USAGE.
 */
static int
run_words(char *w1, char *w2)
{
	char	*argv[8];
	int	 argc = 0;

	argv[argc++] = "run";
	argv[argc++] = "--ready";
	argv[argc++] = "bogus";
	argv[argc++] = w1;
	if (w2 != NULL)
		argv[argc++] = w2;
	argv[argc++] = "--";
	argv[argc++] = "true";
	argv[argc] = NULL;
	optind = 0;
	opterr = 0;
	return (cmd_run(argc, argv));
}

/* A value each option's argument takes, by the argument's name. */
static char *
run_value(const char *arg)
{
	if (strcmp(arg, "MODE") == 0)
		return ("022");
	if (strcmp(arg, "NAME=VALUE") == 0)
		return ("A=b");
	if (strcmp(arg, "SEC") == 0)
		return ("5");
	if (strcmp(arg, "ADDR") == 0)
		return ("tcp://127.0.0.1:1");
	return ("x");
}

/* Every option "warden help run" shows, the parser takes as shown. */
static void
test_run_options(void **state)
{
	char	 line[128], lng[64], arg[32], *eq, *p;
	char	*buf = NULL;
	size_t	 len = 0, n = 0;
	FILE	*fp;
	int	 letter;

	(void)state;
	assert_non_null(fp = open_memstream(&buf, &len));
	run_help(fp);
	fclose(fp);
	assert_non_null(fp = fmemopen(buf, len, "r"));
	while (fgets(line, sizeof line, fp) != NULL) {
		letter = line[2] == '-' ? line[3] : 0;
		arg[0] = '\0';
		if (sscanf(line + 6, "%63s %31[^ ]", lng, arg) < 1)
			fail_msg("bad help line: %s", line);
		assert_true(strncmp(lng, "--", 2) == 0);
		if (arg[0] == '\0' || islower((unsigned char)arg[0]))
			arg[0] = '\0';		/* no argument: help text */
		n++;
		if (arg[0] != '\0') {
			xasprintf(&eq, "%s=%s", lng, run_value(arg));
			assert_int_equal(run_words(eq, NULL), EXIT_USAGE);
			free(eq);
			assert_int_equal(run_words(lng, run_value(arg)),
			    EXIT_USAGE);
			if (letter) {
				xasprintf(&p, "-%c%s", letter, run_value(arg));
				assert_int_equal(run_words(p, NULL),
				    EXIT_USAGE);
				free(p);
			}
		} else {
			xasprintf(&eq, "%s=x", lng);
			assert_int_equal(run_words(eq, NULL), CMD_USAGE);
			free(eq);
			assert_int_equal(run_words(lng, NULL), EXIT_USAGE);
			if (letter) {
				xasprintf(&p, "-%c", letter);
				assert_int_equal(run_words(p, NULL),
				    EXIT_USAGE);
				free(p);
			}
		}
	}
	fclose(fp);
	free(buf);
	assert_int_equal(n, 16);
	/* What it does not show, it does not take. */
	assert_int_equal(run_words("--bogus", NULL), CMD_USAGE);
	assert_int_equal(run_words("-Z", NULL), CMD_USAGE);
	assert_int_equal(run_words("-s", NULL), CMD_USAGE);
	assert_int_equal(run_words("--read", "exec"), CMD_USAGE);
}

/* Usage errors come back as statuses; none exits. */
static void
test_run_usage(void **state)
{
	static char *none[] = { "run", NULL };
	static char *nocmd[] = { "run", "-F", "--", NULL };
	static char *umask[] = { "run", "--umask", "8", "true", NULL };
	static char *env[] = { "run", "-e", "=x", "true", NULL };
	static char *excl[] = { "run", "--syslog", "--stderr", "f", "true",
	    NULL };

	(void)state;
	optind = 0;
	assert_int_equal(cmd_run(1, none), CMD_USAGE);
	optind = 0;
	assert_int_equal(cmd_run(3, nocmd), CMD_USAGE);
	optind = 0;
	assert_int_equal(cmd_run(4, umask), EXIT_USAGE);
	optind = 0;
	assert_int_equal(cmd_run(4, env), EXIT_USAGE);
	optind = 0;
	assert_int_equal(cmd_run(5, excl), EXIT_USAGE);
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
		cmocka_unit_test(test_run_help),
		cmocka_unit_test(test_run_options),
		cmocka_unit_test(test_run_usage),
	};

	return (cmocka_run_group_tests_name("run", tests, NULL, NULL));
}
