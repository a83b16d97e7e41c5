/*
 * A spawn that fails before the fork (svc-spawn.c's svc_fork): every
 * message names the call and its errno, here EMFILE from a lowered fd
 * limit, and the service goes to BACKOFF with it as its description.
 */
#include <sys/resource.h>

#include <errno.h>
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
#include "supfix.h"
#include "fdlimit.h"

static char	dir[] = "/tmp/test-spawn-error.XXXXXX";

/* The loop stops once the first service runs. */
static void
hook_changed(struct sup *sup)
{
	if (TAILQ_FIRST(&sup->svcs)->state == SVC_RUNNING)
		loop_stop(sup->loop);
}

static const struct sup_hooks no_hooks = { NULL, hook_changed, NULL, NULL };

/* The services of text in sup, not started. */
static void
load(struct sup *sup, const char *text)
{
	struct config	*cf;
	char		*cause = NULL;

	supfix_init(sup, &no_hooks);
	sup->settled_sent = 1;
	if (cfg_load_string("spawn-error.conf", text, &cf, &cause) != 0)
		fail_msg("config: %s", cause);
	sup->cfg = cf;
	sup_adopt(sup, cf, &sup->svcs);
}

/* Start s with no fd to spare: its description then. */
static const char *
start_without_fds(struct svc *s)
{
	struct rlimit	rl;

	fdlimit_lower(&rl);
	svc_event(s, EV_START);
	fdlimit_restore(&rl);
	assert_int_equal(s->state, SVC_BACKOFF);
	assert_int_equal(s->pid, 0);
	assert_non_null(s->desc);
	return (s->desc);
}

/*
 * No stream: /dev/null is opened for it, and that fails first.  With
 * the limit back, the retry starts it.
 */
static void
test_devnull(void **state)
{
	struct sup	 sup;
	struct svc	*s;

	(void)state;
	load(&sup, "[program:q]\ncommand=/bin/sleep 60\nautostart=false\n"
	    "startsecs=0\nstdout_logfile=NONE\nstderr_logfile=NONE\n");
	s = TAILQ_FIRST(&sup.svcs);
	assert_string_equal(start_without_fds(s),
	    "spawn error: open /dev/null: Too many open files");
	supfix_run(&sup);
	assert_int_equal(s->state, SVC_RUNNING);
	assert_true(s->pid > 0);
	supfix_free(&sup);
}

/* Service name with both streams logged and extra keys, in sup. */
static struct svc *
load_logged(struct sup *sup, const char *name, const char *extra)
{
	char	text[512];

	snprintf(text, sizeof text, "[program:%s]\ncommand=/bin/true\n"
	    "autostart=false\n%sstdout_logfile=%s/%s.out\n"
	    "stderr_logfile=%s/%s.err\n", name, extra, dir, name, dir, name);
	load(sup, text);
	return (TAILQ_FIRST(&sup->svcs));
}

/* Both streams logged: the stdin pipe is the first fd needed. */
static void
test_stdin_pipe(void **state)
{
	struct sup	sup;

	(void)state;
	assert_string_equal(start_without_fds(load_logged(&sup, "l", "")),
	    "spawn error: stdin pipe: Too many open files");
	supfix_free(&sup);
}

/* ready=fd:3: its pipe fails before the report pipe. */
static void
test_ready_pipe(void **state)
{
	struct sup	 sup;
	struct svc	*s;

	(void)state;
	s = load_logged(&sup, "r", "ready=fd:3\n");
	assert_int_equal(s->ready.mode, READY_FD);
	assert_string_equal(start_without_fds(s),
	    "spawn error: pipe: Too many open files");
	assert_int_equal(s->readyfd, -1);
	supfix_free(&sup);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_devnull),
		cmocka_unit_test(test_stdin_pipe),
		cmocka_unit_test(test_ready_pipe),
	};
	char	cmd[128];
	int	rc;

	if (mkdtemp(dir) == NULL)
		return (1);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	(void)system(cmd);
	return (rc);
}
