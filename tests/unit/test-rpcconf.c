/*
 * supervisord's config methods (rpc-conf.c, over reload.c's group diff
 * and its add and remove of one group), called from their table on a
 * real struct sup: reloadConfig on an edited config, supervisorctl
 * update's sequence of remove and add, their faults, getAllConfigInfo's
 * members; and cfg_proc_dup, which adding a group uses.
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
#include "../../src/sup/rpc-internal.h"
#include "stubs.h"
#include "supfix.h"
#include "rpcmethod.h"

#define QUIET	"stdout_logfile=NONE\nstderr_logfile=NONE\nstartsecs=0\n"
#define IDLE	"command=sleep 1000\nautostart=false\n" QUIET

static char		 dir[] = "/tmp/test-rpcconf.XXXXXX";
static char		 conf[128];
static struct sup	 sup;

/* Changes of state: nothing waits for them here. */
static void
hook_changed(struct sup *s)
{
	(void)s;
}

static const struct sup_hooks hooks = { NULL, hook_changed, NULL, NULL };

/* The config file: [supervisord] with childlogdir here, then text. */
static void
write_conf(const char *text)
{
	char	*all;

	xasprintf(&all, "[supervisord]\nchildlogdir=%s\n%s", dir, text);
	rpcfix_write(conf, all);
	free(all);
}

/* The services of text, as sup_main takes them. */
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

/* The service GROUP:NAME, not removed, or NULL. */
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

/* The end of a tick. */
static void
tick_cb(void *arg)
{
	(void)arg;
	loop_stop(sup.loop);
}

/* Run the loop until s is idle (stopped, exited or fatal). */
static void
run_until_idle(struct svc *s)
{
	while (!svc_is_idle(s)) {
		(void)loop_timer(sup.loop, 0.005, tick_cb, NULL);
		supfix_run(&sup);
	}
}

/* A temp dir and an empty supervisor. */
static int
setup(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/test-rpcconf.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(conf, sizeof conf, "%s/warden.conf", dir);
	supfix_init(&sup, &hooks);
	return (0);
}

/* Every process killed, everything freed, the dir removed. */
static int
teardown(void **state)
{
	char	cmd[256];

	(void)state;
	cfg_free(sup.pending);
	supfix_free(&sup);
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
	return (0);
}

/* An array of strings, as "a,b,c". */
static void
names(const struct xr_value *v, char *buf, size_t len)
{
	size_t	i, n = 0;

	assert_int_equal(v->type, XR_ARRAY);
	buf[0] = '\0';
	for (i = 0; i < v->n; i++) {
		assert_int_equal(v->v[i]->type, XR_STRING);
		n += (size_t)snprintf(buf + n, len - n, "%s%s", i ? "," : "",
		    v->v[i]->s);
	}
}

/* reloadConfig's [[added, changed, removed]], as "A|C|R". */
static void
reread_is(const char *want)
{
	struct xr_value	*res;
	char		 a[256], c[256], r[256], got[800];

	res = rpcfix_ok(&sup, "supervisor.reloadConfig", "");
	assert_int_equal(res->type, XR_ARRAY);
	assert_int_equal(res->n, 1);
	assert_int_equal(res->v[0]->n, 3);
	names(res->v[0]->v[0], a, sizeof a);
	names(res->v[0]->v[1], c, sizeof c);
	names(res->v[0]->v[2], r, sizeof r);
	xr_free(res);
	snprintf(got, sizeof got, "%s|%s|%s", a, c, r);
	if (strcmp(got, want) != 0)
		fail_msg("reloadConfig: %s, wanted %s", got, want);
}

/* The running services, "group:name" each, in list order. */
static void
running_is(const char *want)
{
	struct svc	*s;
	char		 buf[512];
	size_t		 n = 0;

	buf[0] = '\0';
	TAILQ_FOREACH(s, &sup.svcs, entry)
		if (!s->removed)
			n += (size_t)snprintf(buf + n, sizeof buf - n, "%s%s:%s",
			    n ? " " : "", s->cfg->group, s->cfg->name);
	if (strcmp(buf, want) != 0)
		fail_msg("running: %s, wanted %s", buf, want);
}

static const char conf_a[] =
    "[program:a]\n" IDLE
    "[program:b]\n" IDLE
    "[program:c]\ncommand=sleep 1000\nautostart=false\n" QUIET
    "[program:x]\n" IDLE
    "[program:y]\n" IDLE
    "[group:g]\nprograms=x,y\n";

/*
 * Config B: a's priority (supervisord counts it), b's command and g's
 * y's autostart changed; c gone; d and e new, e first by priority.
 */
static const char conf_b[] =
    "[program:a]\n" IDLE "priority=7\n"
    "[program:b]\ncommand=sleep 2000\nautostart=false\n" QUIET
    "[program:d]\ncommand=sleep 1000\npriority=5\n" QUIET
    "[program:e]\ncommand=sleep 1000\npriority=1\nautostart=false\n"
    "[program:x]\n" IDLE
    "[program:y]\ncommand=sleep 1000\n" QUIET
    "[group:g]\nprograms=x,y\n";

/* reloadConfig, then supervisorctl update's calls, group by group. */
static void
test_reread_update(void **state)
{
	struct svc	*c, *d, *b;
	char		 why[512];
	int		 fault;

	(void)state;
	load(conf_a);
	reread_is("||");
	write_conf(conf_b);
	reread_is("e,d|a,b,g|c");
	/* Nothing applied yet: only read. */
	running_is("a:a b:b c:c g:x g:y");

	/* removed: c, once stopped. */
	c = find("c", "c");
	svc_event(c, EV_START);
	assert_true(c->pid > 0);
	rpcfix_fault(&sup, "supervisor.removeProcessGroup", "s:c",
	    RPC_STILL_RUNNING, "STILL_RUNNING: c");
	svc_event(c, EV_STOP);
	run_until_idle(c);
	xr_free(rpcfix_ok(&sup, "supervisor.removeProcessGroup", "s:c"));
	assert_int_equal(c->removed, 1);
	rpcfix_fault(&sup, "supervisor.removeProcessGroup", "s:c",
	    RPC_BAD_NAME, "BAD_NAME: c");
	rpcfix_fault(&sup, "supervisor.addProcessGroup", "s:c", RPC_BAD_NAME,
	    "BAD_NAME: c");

	/* changed: remove, then add with the new definition. */
	b = find("b", "b");
	if (b->cgroup == NULL)		/* no cgroup here: a name for one */
		b->cgroup = strdup("/nonexistent/warden-test/b");
	xr_free(rpcfix_ok(&sup, "supervisor.removeProcessGroup", "s:b"));
	assert_null(find("b", "b"));
	assert_int_equal(b->removed, 1);
	xr_free(rpcfix_ok(&sup, "supervisor.addProcessGroup", "s:b"));
	assert_non_null(find("b", "b"));
	assert_ptr_not_equal(find("b", "b"), b);
	assert_string_equal(find("b", "b")->cfg->argv[1], "2000");
	/* The cgroup, named after b, is the new one's alone. */
	assert_null(b->cgroup);
	xr_free(rpcfix_ok(&sup, "supervisor.removeProcessGroup", "s:a"));
	xr_free(rpcfix_ok(&sup, "supervisor.addProcessGroup", "s:a"));
	assert_int_equal(find("a", "a")->cfg->priority, 7);
	xr_free(rpcfix_ok(&sup, "supervisor.removeProcessGroup", "s:g"));
	xr_free(rpcfix_ok(&sup, "supervisor.addProcessGroup", "s:g"));
	/* y is autostart now: started at its add. */
	assert_true(find("g", "y")->pid > 0);
	assert_int_equal(find("g", "x")->pid, 0);

	/* added: e, then d, which starts. */
	xr_free(rpcfix_ok(&sup, "supervisor.addProcessGroup", "s:e"));
	xr_free(rpcfix_ok(&sup, "supervisor.addProcessGroup", "s:d"));
	d = find("d", "d");
	assert_non_null(d);
	assert_true(d->pid > 0);
	assert_int_equal(find("e", "e")->pid, 0);
	rpcfix_fault(&sup, "supervisor.addProcessGroup", "s:d",
	    RPC_ALREADY_ADDED, "ALREADY_ADDED: d");
	rpcfix_fault(&sup, "supervisor.addProcessGroup", "s:zz", RPC_BAD_NAME,
	    "BAD_NAME: zz");
	rpcfix_fault(&sup, "supervisor.removeProcessGroup", "s:d",
	    RPC_STILL_RUNNING, "STILL_RUNNING: d");
	rpcfix_fault(&sup, "supervisor.addProcessGroup", "",
	    RPC_INCORRECT_PARAMETERS, "INCORRECT_PARAMETERS");
	/* Applied: nothing more to do. */
	reread_is("||");

	/* A config with an error: CANT_REREAD and where; nothing changes. */
	write_conf("[program:a]\nautostart=false\n");
	assert_null(rpcfix_call(&sup, "supervisor.reloadConfig", "", &fault,
	    why, sizeof why));
	assert_int_equal(fault, RPC_CANT_REREAD);
	assert_true(strncmp(why, "CANT_REREAD: ", 13) == 0);
	assert_true(strncmp(why + 13, conf, strlen(conf)) == 0);
	assert_true(why[13 + strlen(conf)] == ':');
	assert_non_null(sup.pending);	/* the last good one stays */
	xr_free(rpcfix_ok(&sup, "supervisor.removeProcessGroup", "s:e"));
	xr_free(rpcfix_ok(&sup, "supervisor.addProcessGroup", "s:e"));

	/* Shutting down: refused. */
	sup.shutting_down = 1;
	rpcfix_fault(&sup, "supervisor.reloadConfig", "", RPC_SHUTDOWN_STATE,
	    "SHUTDOWN_STATE");
	sup.shutting_down = 0;
}

/* Before any reloadConfig: a group removed can be added back. */
static void
test_remove_add_first(void **state)
{
	struct svc	*a;

	(void)state;
	load(conf_a);
	a = find("a", "a");
	rpcfix_fault(&sup, "supervisor.addProcessGroup", "s:a",
	    RPC_ALREADY_ADDED, "ALREADY_ADDED: a");
	xr_free(rpcfix_ok(&sup, "supervisor.removeProcessGroup", "s:a"));
	assert_int_equal(a->removed, 1);
	running_is("b:b c:c g:x g:y");
	xr_free(rpcfix_ok(&sup, "supervisor.addProcessGroup", "s:a"));
	running_is("b:b c:c g:x g:y a:a");
	rpcfix_fault(&sup, "supervisor.removeProcessGroup", "s:nosuch",
	    RPC_BAD_NAME, "BAD_NAME: nosuch");
	rpcfix_fault(&sup, "supervisor.removeProcessGroup", "s:g:x",
	    RPC_BAD_NAME, "BAD_NAME: g:x");
}

/* The members supervisord 4.2.5 gives, in its order. */
static const char *const members[] = {
	"autostart", "directory", "uid", "command", "exitcodes", "group",
	"group_prio", "inuse", "killasgroup", "name", "process_prio",
	"redirect_stderr", "startretries", "startsecs",
	"stdout_capture_maxbytes", "stdout_events_enabled", "stdout_logfile",
	"stdout_logfile_backups", "stdout_logfile_maxbytes", "stdout_syslog",
	"stopsignal", "stopwaitsecs", "stderr_capture_maxbytes",
	"stderr_events_enabled", "stderr_logfile", "stderr_logfile_backups",
	"stderr_logfile_maxbytes", "stderr_syslog", "serverurl"
};

/* The member name of a config info struct. */
static const struct xr_value *
member(const struct xr_value *info, const char *name)
{
	size_t	i;

	for (i = 0; i < info->n; i++)
		if (strcmp(info->v[i]->name, name) == 0)
			return (info->v[i]);
	fail_msg("no member %s", name);
	return (NULL);
}

#define ZED	"[program:zed]\ncommand=sleep  1000\nautostart=false\n" QUIET \
	"exitcodes=0,2\nstopsignal=INT\nstartsecs=3\ndirectory=/tmp\n" \
	"stderr_events_enabled=true\nstdout_capture_maxbytes=1KB\n"

#define ALPHA	"[program:alpha]\ncommand=sh -c \"echo \\\"$0\\\" it's\"\n" \
	"autostart=false\n"

/* getAllConfigInfo: members, order by name, inuse, log names. */
static void
test_config_info(void **state)
{
	struct xr_value	*res;
	const struct xr_value *e;
	char		 buf[512];
	size_t		 i, j;

	(void)state;
	load(ZED ALPHA);
	res = rpcfix_ok(&sup, "supervisor.getAllConfigInfo", "");
	assert_int_equal(res->n, 2);
	for (i = 0; i < res->n; i++) {
		assert_int_equal(res->v[i]->n, nitems(members));
		for (j = 0; j < nitems(members); j++)
			assert_string_equal(res->v[i]->v[j]->name, members[j]);
	}
	assert_string_equal(member(res->v[0], "name")->s, "alpha");
	assert_string_equal(member(res->v[0], "command")->s,
	    "sh -c 'echo \"$0\" it'\"'\"'s'");
	e = res->v[1];
	assert_string_equal(member(e, "name")->s, "zed");
	assert_string_equal(member(e, "group")->s, "zed");
	assert_string_equal(member(e, "command")->s, "sleep 1000");
	assert_string_equal(member(e, "directory")->s, "/tmp");
	assert_string_equal(member(e, "uid")->s, "none");
	assert_int_equal(member(e, "exitcodes")->n, 2);
	assert_int_equal(member(e, "exitcodes")->v[1]->i, 2);
	assert_int_equal(member(e, "stopsignal")->i, 2);
	assert_int_equal(member(e, "startsecs")->i, 3);
	assert_int_equal(member(e, "stopwaitsecs")->i, 10);
	assert_int_equal(member(e, "process_prio")->i, 999);
	assert_int_equal(member(e, "group_prio")->i, 999);
	assert_int_equal(member(e, "inuse")->type, XR_BOOL);
	assert_int_equal(member(e, "inuse")->i, 1);
	assert_int_equal(member(e, "autostart")->i, 0);
	assert_string_equal(member(e, "stdout_logfile")->s, "none");
	assert_string_equal(member(e, "serverurl")->s, "none");
	assert_int_equal(member(e, "stderr_events_enabled")->i, 1);
	assert_int_equal(member(e, "stdout_events_enabled")->i, 0);
	assert_int_equal(member(e, "stdout_capture_maxbytes")->i, 1024);
	assert_int_equal(member(e, "stderr_capture_maxbytes")->i, 0);
	/* An AUTO log in use: its file. */
	snprintf(buf, sizeof buf, "%s/alpha-stdout.log", dir);
	assert_string_equal(member(res->v[0], "stdout_logfile")->s, buf);
	xr_free(res);

	/* Read again with one more: not in use, its log "auto". */
	write_conf(ZED ALPHA "[program:mid]\ncommand=true\npriority=3\n");
	reread_is("mid||");
	res = rpcfix_ok(&sup, "supervisor.getAllConfigInfo", "");
	assert_int_equal(res->n, 3);
	e = res->v[1];
	assert_string_equal(member(e, "name")->s, "mid");
	assert_int_equal(member(e, "inuse")->i, 0);
	assert_int_equal(member(e, "group_prio")->i, 3);
	assert_string_equal(member(e, "stdout_logfile")->s, "auto");
	assert_int_equal(member(res->v[0], "inuse")->i, 1);
	xr_free(res);
}

/* cfg_proc_dup: each key's sample survives the copy; both free alone. */
static void
test_proc_dup(void **state)
{
	struct cfg_keyinfo	 ki;
	struct config		*cf;
	struct cfg_proc		*p, *d;
	char			*text, *cause, *arg0;
	size_t			 i, j, copied = 0;

	(void)state;
	for (i = 0; cfg_key_info(i, &ki) == 0; i++) {
		xasprintf(&text, "[program:p]\ncommand=sleep 1\n%s=%s\n",
		    ki.name, ki.sample);
		cause = NULL;
		if (cfg_load_string("dup.conf", text, &cf, &cause) == -1) {
			free(cause);	/* a sample that needs another key */
			free(text);
			continue;
		}
		free(text);
		p = TAILQ_FIRST(&cf->procs);
		d = cfg_proc_dup(p);
		assert_false(cfg_proc_changed(p, d));
		for (j = 0; cfg_key_info(j, &ki) == 0; j++)
			assert_false(cfg_key_differ(j, p, d));
		assert_ptr_not_equal(d->argv, p->argv);
		assert_ptr_not_equal(d->name, p->name);
		assert_ptr_not_equal(d->group, p->group);
		arg0 = strdup(p->argv[0]);
		cfg_free(cf);		/* p with it */
		assert_string_equal(d->argv[0], arg0);
		free(arg0);
		cfg_proc_free(d);
		copied++;
	}
	assert_true(copied > 20);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_reread_update, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_remove_add_first, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_config_info, setup,
		    teardown),
		cmocka_unit_test(test_proc_dup),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
