/*
 * The reload's diff (reload.c): from config A to config B, which services
 * are added, removed, changed or left alone, on a real struct sup.
 */
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

/* What every service of these configs has: nothing logged, no wait. */
#define QUIET	"stdout_logfile=NONE\nstderr_logfile=NONE\nstartsecs=0\n"

static char		 dir[] = "/tmp/test-reload.XXXXXX";
static char		 conf[128];
static struct sup	 sup;
static int		 changes;	/* the changed hook's calls */
static struct svc	*forgotten;	/* the forget hook's last */
static struct svc	*want;		/* run the loop until it is RUNNING */

/* The control socket's place: counted, and where the loop stops. */
static void
hook_changed(struct sup *s)
{
	assert_ptr_equal(s, &sup);
	changes++;
	if (want != NULL && want->state == SVC_RUNNING)
		loop_stop(sup.loop);
}

static void
hook_forget(struct sup *s, struct svc *svc)
{
	assert_ptr_equal(s, &sup);
	forgotten = svc;
	loop_stop(sup.loop);
}

static const struct sup_hooks hooks = {
	NULL, hook_changed, hook_forget, NULL
};

static void
write_conf(const char *text)
{
	FILE	*fp;

	assert_non_null(fp = fopen(conf, "w"));
	fputs(text, fp);
	assert_int_equal(fclose(fp), 0);
}

/* The supervisor's services as sup_main takes them from config A. */
static void
load(const char *text)
{
	struct config	*cf;
	char		*cause = NULL;

	write_conf(text);
	if (cfg_load(conf, &cf, &cause) == -1)
		fail_msg("%s", cause);
	sup.cfg = cf;
	sup_adopt(&sup, cf, &sup.svcs);
}

/* Config B, and the reload. */
static void
reload(const char *text)
{
	char	*cause = NULL;

	write_conf(text);
	if (sup_reload(&sup, &cause) == -1)
		fail_msg("reload refused: %s", cause);
}

/* The service GROUP:NAME not removed, or NULL. */
static struct svc *
find(const char *group, const char *name)
{
	struct svc	*s;

	TAILQ_FOREACH(s, &sup.svcs, entry)
		if (!s->removed && strcmp(s->cfg->group, group) == 0 &&
		    strcmp(s->cfg->name, name) == 0)
			return (s);
	return (NULL);
}

/* The list, in order: "group:name" each, "-" after a removed one. */
static void
list_is(const char *want_list)
{
	struct svc	*s;
	char		 buf[1024];
	size_t		 len = 0;

	buf[0] = '\0';
	TAILQ_FOREACH(s, &sup.svcs, entry)
		len += (size_t)snprintf(buf + len, sizeof buf - len,
		    "%s%s:%s%s", len ? " " : "", s->cfg->group, s->cfg->name,
		    s->removed ? "-" : "");
	if (strcmp(buf, want_list) != 0)
		fail_msg("services\n  got:  %s\n  want: %s", buf, want_list);
}

/* Start s and run the loop until it is RUNNING. */
static pid_t
start(struct svc *s)
{
	want = s;
	svc_event(s, EV_START);
	supfix_run(&sup);
	want = NULL;
	assert_int_equal(s->state, SVC_RUNNING);
	assert_true(s->pid > 0);
	return (s->pid);
}

static int
setup(void **state)
{
	(void)state;
	changes = 0;
	forgotten = want = NULL;
	strcpy(dir, "/tmp/test-reload.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(conf, sizeof conf, "%s/warden.conf", dir);
	supfix_init(&sup, &hooks);
	return (0);
}

/* Every process killed by its pid, everything freed. */
static int
teardown(void **state)
{
	(void)state;
	supfix_free(&sup);
	unlink(conf);
	rmdir(dir);
	return (0);
}

/* Added, removed, changed, unchanged: services that never started. */
static void
test_diff(void **state)
{
	struct cfg_proc	*acfg, *bcfg;
	struct svc	*a, *b, *c;

	(void)state;
	load("[program:a]\ncommand=sleep 1000\nautostart=false\n" QUIET
	    "[program:b]\ncommand=sleep 1000\nautostart=false\n" QUIET
	    "[program:c]\ncommand=sleep 1000\nautostart=false\n" QUIET);
	list_is("a:a b:b c:c");
	a = find("a", "a");
	b = find("b", "b");
	c = find("c", "c");
	acfg = a->cfg;
	bcfg = b->cfg;
	reload("[program:e]\ncommand=sleep 1000\nautostart=false\n" QUIET
	    "[program:b]\ncommand=sleep 2000\nautostart=false\n" QUIET
	    "[program:a]\ncommand=sleep 1000\nautostart=false\n" QUIET);
	/* The new one at the end; the gone one marked, freed later. */
	list_is("a:a b:b c:c- e:e");
	assert_ptr_equal(find("a", "a"), a);
	assert_ptr_equal(find("b", "b"), b);
	assert_int_equal(c->removed, 1);
	/* Unchanged keeps its definition, changed takes the new one. */
	assert_ptr_equal(a->cfg, acfg);
	assert_ptr_not_equal(b->cfg, bcfg);
	assert_string_equal(b->cfg->argv[1], "2000");
	/* None was started: autostart=false. */
	assert_int_equal(a->state, SVC_STOPPED);
	assert_int_equal(b->state, SVC_STOPPED);
	assert_int_equal(find("e", "e")->state, SVC_STOPPED);
	assert_int_equal(find("e", "e")->pid, 0);
	assert_true(changes > 0);

	/* The removed one is freed from the loop, once forgotten. */
	assert_non_null(sup.gc);
	supfix_run(&sup);
	assert_ptr_equal(forgotten, c);
	assert_null(sup.gc);
	list_is("a:a b:b e:e");
}

/* Only autostart or priority changed: no restart, nor a start. */
static void
test_priority_only(void **state)
{
	struct cfg_proc	*cfg;
	struct svc	*a, *b, *m;
	pid_t		 pa, pb;

	(void)state;
	load("[program:a]\ncommand=sleep 1000\npriority=5\n"
	    "autostart=false\n" QUIET
	    "[program:b]\ncommand=sleep 1000\nautostart=false\n" QUIET
	    "[program:m]\ncommand=sleep 1000\nautostart=false\n" QUIET);
	a = find("a", "a");
	b = find("b", "b");
	m = find("m", "m");
	pa = start(a);
	pb = start(b);
	cfg = a->cfg;
	reload("[program:a]\ncommand=sleep 1000\npriority=7\n"
	    "autostart=true\n" QUIET
	    "[program:b]\ncommand=sleep 1001\nautostart=false\n" QUIET
	    "[program:m]\ncommand=sleep 1000\nautostart=true\n" QUIET);
	list_is("a:a b:b m:m");
	/* a keeps running, the same process, with the new numbers. */
	assert_ptr_equal(a->cfg, cfg);
	assert_int_equal(a->cfg->priority, 7);
	assert_int_equal(a->cfg->autostart, 1);
	assert_int_equal(a->state, SVC_RUNNING);
	assert_int_equal(a->pid, pa);
	assert_int_equal(a->restart, 0);
	assert_int_equal(a->relog, 0);
	/* m is not started for its new autostart. */
	assert_int_equal(m->state, SVC_STOPPED);
	assert_int_equal(m->cfg->autostart, 1);
	/* b's command changed: stopped, to start again with new logs. */
	assert_int_equal(b->state, SVC_STOPPING);
	assert_int_equal(b->restart, 1);
	assert_int_equal(b->relog, 1);
	assert_string_equal(b->cfg->argv[1], "1001");
	want = b;
	supfix_run(&sup);
	assert_int_equal(b->state, SVC_RUNNING);
	assert_true(b->pid != pb);
	assert_int_equal(b->restart, 0);
	assert_int_equal(b->relog, 0);
}

/* A changed service that is stopped starts if it is autostart. */
static void
test_changed_stopped(void **state)
{
	struct svc	*a, *b;

	(void)state;
	load("[program:a]\ncommand=sleep 1000\nautostart=false\n" QUIET
	    "[program:b]\ncommand=sleep 1000\nautostart=false\n" QUIET);
	a = find("a", "a");
	b = find("b", "b");
	want = a;
	reload("[program:a]\ncommand=sleep 1001\n" QUIET
	    "[program:b]\ncommand=sleep 1001\nautostart=false\n" QUIET
	    "[program:n]\ncommand=sleep 1000\n" QUIET);
	/* a (autostart) and the new n are starting; b stays stopped. */
	assert_int_equal(a->state, SVC_STARTING);
	assert_int_equal(find("n", "n")->state, SVC_STARTING);
	assert_int_equal(b->state, SVC_STOPPED);
	assert_int_equal(a->restart, 0);
	supfix_run(&sup);
	want = NULL;
	assert_int_equal(a->state, SVC_RUNNING);
}

/* numprocs growing adds the new ones, shrinking removes the last. */
static void
test_numprocs(void **state)
{
	struct svc	*w0, *w1;

	(void)state;
	load("[program:w]\ncommand=sleep 1000\nautostart=false\nnumprocs=2\n"
	    "process_name=%(program_name)s_%(process_num)d\n" QUIET);
	list_is("w:w_0 w:w_1");
	w0 = find("w", "w_0");
	w1 = find("w", "w_1");
	reload("[program:w]\ncommand=sleep 1000\nautostart=false\nnumprocs=3\n"
	    "process_name=%(program_name)s_%(process_num)d\n" QUIET);
	list_is("w:w_0 w:w_1 w:w_2");
	assert_ptr_equal(find("w", "w_0"), w0);
	assert_ptr_equal(find("w", "w_1"), w1);
	reload("[program:w]\ncommand=sleep 1000\nautostart=false\nnumprocs=1\n"
	    "process_name=%(program_name)s_%(process_num)d\n" QUIET);
	list_is("w:w_0 w:w_1- w:w_2-");
	assert_ptr_equal(find("w", "w_0"), w0);
	assert_int_equal(w0->removed, 0);
	assert_int_equal(w1->removed, 1);
}

/* A group renamed: its services are new ones, the old ones removed. */
static void
test_group_renamed(void **state)
{
	struct svc	*old;

	(void)state;
	load("[program:a]\ncommand=sleep 1000\nautostart=false\n" QUIET
	    "[program:b]\ncommand=sleep 1000\nautostart=false\n" QUIET
	    "[group:g]\nprograms=a,b\n");
	list_is("g:a g:b");
	old = find("g", "a");
	reload("[program:a]\ncommand=sleep 1000\nautostart=false\n" QUIET
	    "[program:b]\ncommand=sleep 1000\nautostart=false\n" QUIET
	    "[group:h]\nprograms=a,b\n");
	list_is("g:a- g:b- h:a h:b");
	assert_int_equal(old->removed, 1);
	assert_ptr_not_equal(find("h", "a"), old);
	assert_null(find("g", "a"));
}

/* A config with an error changes nothing at all. */
static void
test_refused(void **state)
{
	struct cfg_proc	*cfgs[2];
	struct svc	*a, *b;
	char		*cause = NULL;
	pid_t		 pa;

	(void)state;
	load("[program:a]\ncommand=sleep 1000\nautostart=false\n" QUIET
	    "[program:b]\ncommand=sleep 1000\nautostart=false\n" QUIET);
	a = find("a", "a");
	b = find("b", "b");
	pa = start(a);
	cfgs[0] = a->cfg;
	cfgs[1] = b->cfg;
	changes = 0;
	write_conf("[program:a]\ncommand=sleep 2000\n" QUIET
	    "[program:c]\ncommand=sleep 1000\n" QUIET
	    "[program:d]\ncommand=sleep 1000\nnumprocs=x\n" QUIET);
	assert_int_equal(sup_reload(&sup, &cause), -1);
	assert_non_null(cause);
	assert_non_null(strstr(cause, "numprocs"));
	free(cause);
	list_is("a:a b:b");
	assert_ptr_equal(a->cfg, cfgs[0]);
	assert_ptr_equal(b->cfg, cfgs[1]);
	assert_string_equal(a->cfg->argv[1], "1000");
	assert_int_equal(a->state, SVC_RUNNING);
	assert_int_equal(a->pid, pa);
	assert_int_equal(a->restart, 0);
	assert_int_equal(b->removed, 0);
	assert_int_equal(changes, 0);
	assert_null(sup.gc);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_diff, setup, teardown),
		cmocka_unit_test_setup_teardown(test_priority_only, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_changed_stopped, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_numprocs, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_group_renamed, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_refused, setup, teardown),
	};

	return (cmocka_run_group_tests_name("reload", tests, NULL, NULL));
}
