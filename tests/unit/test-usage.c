/*
 * The one table of usage texts (usage.c): each command's usage line, what
 * it does, a supervisor verb's arguments for the control socket, and the
 * whole "warden help" listing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../src/warden.h"
#include "stubs.h"

/* Every command, in help's order, as the command line has always shown it. */
static const struct {
	const char	*name;
	const char	*usage;
	const char	*about;
	const char	*args;		/* usage_args(), or NULL */
} expect[] = {
	{ "help", "[COMMAND]", "show usage", NULL },
	{ "inspect", "PID [--json]",
	    "audit a running process against the daemon checklist", NULL },
	{ "logs", "[-s SOCKET | -c FILE] (NAME | --supervisor) [-f] "
	    "[-n LINES] [--stderr] [--rotate]",
	    "show a service's log, or the supervisor's; -f follows it",
	    "(NAME | --supervisor) [-f] [-n LINES] [--stderr] [--rotate]" },
	{ "notify", "[--pid PID] VAR=VALUE...",
	    "send an sd_notify message (READY=1, STATUS=...)", NULL },
	{ "ps", "[PID...] [--all] [--json]",
	    "draw sessions, process groups and processes", NULL },
	{ "reexec", "[-s SOCKET | -c FILE]",
	    "exec the supervisor again (a new binary), services untouched",
	    "" },
	{ "reload", "[-s SOCKET | -c FILE]",
	    "re-read the config; apply only what changed", "" },
	{ "restart", "[-s SOCKET | -c FILE] NAME...|GROUP:*|all",
	    "stop, then start services", "NAME...|GROUP:*|all" },
	{ "run", "[options] -- COMMAND [ARG...]", "run COMMAND as a daemon",
	    NULL },
	{ "shutdown", "[-s SOCKET | -c FILE]",
	    "stop every service, then the supervisor", "" },
	{ "start", "[-s SOCKET | -c FILE] NAME...|GROUP:*|all",
	    "start services and wait until they settle",
	    "NAME...|GROUP:*|all" },
	{ "status", "--pidfile FILE [--json] | [-s SOCKET | -c FILE] "
	    "[NAME...] [--json]",
	    "a daemon by pidfile (LSB codes), or the supervisor's services",
	    "[--json] [NAME...]" },
	{ "stop", "--pidfile FILE [--signal SIG] [--timeout SEC] | "
	    "[-s SOCKET | -c FILE] NAME...|GROUP:*|all",
	    "stop a daemon by pidfile, or services", "NAME...|GROUP:*|all" },
	{ "up", "[-c FILE] [-F] [--check]",
	    "start the supervisor on a config file", NULL },
	{ "version", "", "print the version", NULL },
};

/* A stream into memory: once closed, *buf holds what was written. */
static void
capture_start(FILE **fp, char **buf, size_t *len)
{
	*buf = NULL;
	*len = 0;
	*fp = open_memstream(buf, len);
	assert_non_null(*fp);
}

static void
test_usage_args(void **state)
{
	static const char *none[] = { "help", "run", "up", "ps", "", "Stop",
	    "bogus" };
	const char	*got;
	size_t		 i;

	(void)state;
	for (i = 0; i < sizeof expect / sizeof expect[0]; i++) {
		got = usage_args(expect[i].name);
		if (expect[i].args == NULL) {
			if (got != NULL)
				fail_msg("%s: args \"%s\"", expect[i].name, got);
			continue;
		}
		if (got == NULL)
			fail_msg("%s: no args", expect[i].name);
		assert_string_equal(got, expect[i].args);
	}
	for (i = 0; i < sizeof none / sizeof none[0]; i++)
		assert_null(usage_args(none[i]));
}

static void
test_usage_print(void **state)
{
	FILE	*fp;
	char	*buf, *want;
	size_t	 len, i;

	(void)state;
	for (i = 0; i < sizeof expect / sizeof expect[0]; i++) {
		capture_start(&fp, &buf, &len);
		assert_int_equal(usage_print(fp, expect[i].name, 0), 0);
		fclose(fp);
		xasprintf(&want, "usage: warden %s %s\n", expect[i].name,
		    expect[i].usage);
		assert_string_equal(buf, want);
		free(want);
		free(buf);

		capture_start(&fp, &buf, &len);
		assert_int_equal(usage_print(fp, expect[i].name, 1), 0);
		fclose(fp);
		xasprintf(&want, "usage: warden %s %s\n%s\n", expect[i].name,
		    expect[i].usage, expect[i].about);
		assert_string_equal(buf, want);
		free(want);
		free(buf);
	}
	capture_start(&fp, &buf, &len);
	assert_int_equal(usage_print(fp, "bogus", 1), -1);
	assert_int_equal(usage_print(fp, "", 0), -1);
	fclose(fp);
	assert_int_equal(len, 0);
	free(buf);
}

static void
test_usage_all(void **state)
{
	FILE	*fp, *wfp;
	char	*buf, *want;
	size_t	 len, wlen, i;

	(void)state;
	capture_start(&fp, &buf, &len);
	usage_all(fp);
	fclose(fp);
	capture_start(&wfp, &want, &wlen);
	fprintf(wfp, "usage: warden COMMAND [ARG...]\n\ncommands:\n");
	for (i = 0; i < sizeof expect / sizeof expect[0]; i++)
		fprintf(wfp, "  %-8s %s\n           %s\n", expect[i].name,
		    expect[i].usage, expect[i].about);
	fprintf(wfp, "\nwarden help COMMAND shows one command; "
	    "man warden has the whole story.\n");
	fclose(wfp);
	assert_string_equal(buf, want);
	free(buf);
	free(want);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_usage_args),
		cmocka_unit_test(test_usage_print),
		cmocka_unit_test(test_usage_all),
	};

	return (cmocka_run_group_tests_name("usage", tests, NULL, NULL));
}
