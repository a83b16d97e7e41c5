/*
 * [fcgi-program:x]: its socket keys as the config reads them (values,
 * defaults, expansion, every error with file:line), and the pool's one
 * socket in sockets.c: bound by the first process, shared by reference,
 * closed by the last, options applied in place, a new address bound.
 */
#include <sys/socket.h>
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
#include "supfix.h"

static char	dir[] = "/tmp/test-fcgi.XXXXXX";

static struct config *
load(const char *text)
{
	struct config	*cf;
	char		*cause = NULL;

	if (cfg_load_string("test.conf", text, &cf, &cause) != 0)
		fail_msg("unexpected error: %s\n--- in:\n%s", cause, text);
	return (cf);
}

static void
load_err(const char *text, const char *want)
{
	struct config	*cf = NULL;
	char		*cause = NULL;

	if (cfg_load_string("test.conf", text, &cf, &cause) != -1)
		fail_msg("accepted, wanted %s\n--- in:\n%s", want, text);
	assert_null(cf);
	if (strcmp(cause, want) != 0)
		fail_msg("error\n  got:  %s\n  want: %s", cause, want);
	free(cause);
}

/* A pool: a group named after the section, each process with the keys. */
static void
test_pool(void **state)
{
	struct config	*cf;
	struct cfg_proc	*p, *d;
	int		 i = 0;

	(void)state;
	cf = load("[fcgi-program:web]\ncommand=/bin/true\n"
	    "socket=unix:///tmp/%(program_name)s.sock\nsocket_backlog=7\n"
	    "socket_mode=0660\nsocket_owner=0:0\nnumprocs=2\n"
	    "numprocs_start=3\nprocess_name=%(program_name)s_%(process_num)s\n");
	assert_int_equal(cf->nprocs, 2);
	assert_int_equal(cf->nwarnings, 0);
	TAILQ_FOREACH(p, &cf->procs, entry) {
		assert_string_equal(p->name, i == 0 ? "web_3" : "web_4");
		assert_string_equal(p->group, "web");
		assert_string_equal(p->program, "web");
		assert_string_equal(p->fcgi.socket, "unix:///tmp/web.sock");
		assert_int_equal(p->fcgi.backlog, 7);
		assert_int_equal(p->fcgi.mode, 0660);
		assert_int_equal(p->fcgi.owner.uid, 0);
		assert_int_equal(p->fcgi.owner.gid, 0);
		i++;
	}
	/* A copy owns its own socket string. */
	p = TAILQ_FIRST(&cf->procs);
	d = cfg_proc_dup(p);
	assert_ptr_not_equal(d->fcgi.socket, p->fcgi.socket);
	assert_false(cfg_proc_changed(p, d));
	cfg_free(cf);
	assert_string_equal(d->fcgi.socket, "unix:///tmp/web.sock");
	cfg_proc_free(d);

	/* Defaults: SOMAXCONN, 0700, the owner from user=; a plain one. */
	cf = load("[fcgi-program:web]\ncommand=/bin/true\n"
	    "socket=tcp://127.0.0.1:9000\n[program:plain]\ncommand=/bin/true\n");
	p = TAILQ_FIRST(&cf->procs);
	assert_string_equal(p->fcgi.socket, "tcp://127.0.0.1:9000");
	assert_int_equal(p->fcgi.backlog, 0);
	assert_int_equal(p->fcgi.mode, -1);
	assert_int_equal(p->fcgi.owner.uid, (uid_t)-1);
	assert_int_equal(p->fcgi.owner.gid, (gid_t)-1);
	assert_string_equal(p->name, "web");
	p = TAILQ_NEXT(p, entry);
	assert_null(p->fcgi.socket);
	cfg_free(cf);

	/* [DEFAULT]'s socket keys reach the fcgi programs, no warning. */
	cf = load("[DEFAULT]\nsocket_backlog=5\n[program:plain]\n"
	    "command=/bin/true\n[fcgi-program:web]\ncommand=/bin/true\n"
	    "socket=tcp://127.0.0.1:9000\n");
	assert_int_equal(cf->nwarnings, 0);
	p = TAILQ_FIRST(&cf->procs);
	assert_int_equal(p->fcgi.backlog, 0);
	assert_int_equal(TAILQ_NEXT(p, entry)->fcgi.backlog, 5);
	cfg_free(cf);

	/* socket_owner=user alone: its group unchanged. */
	cf = load("[fcgi-program:web]\ncommand=/bin/true\n"
	    "socket=unix:///tmp/w.sock\nsocket_owner=0\n");
	assert_int_equal(TAILQ_FIRST(&cf->procs)->fcgi.owner.uid, 0);
	assert_int_equal(TAILQ_FIRST(&cf->procs)->fcgi.owner.gid, (gid_t)-1);
	cfg_free(cf);
}

/* Each error, at its key's line. */
static void
test_errors(void **state)
{
	static const struct {
		const char	*text, *want;
	} t[] = {
		{ "[fcgi-program:w]\ncommand=/bin/true\n",
		  "test.conf:1: [fcgi-program:w] has no socket=" },
		{ "[fcgi-program:w]\ncommand=/bin/true\nsocket=\n",
		  "test.conf:1: [fcgi-program:w] has no socket=" },
		{ "[fcgi-program:w]\ncommand=/bin/true\nsocket=/tmp/w.sock\n",
		  "test.conf:3: socket: \"/tmp/w.sock\": tcp://HOST:PORT or "
		  "unix:///PATH" },
		{ "[fcgi-program:w]\ncommand=/bin/true\nsocket=unix://w.sock\n",
		  "test.conf:3: socket: \"unix://w.sock\": unix:///PATH needs "
		  "an absolute path" },
		{ "[fcgi-program:w]\ncommand=/bin/true\n"
		  "socket=tcp://127.0.0.1:0\n",
		  "test.conf:3: socket: \"tcp://127.0.0.1:0\": tcp://HOST:PORT "
		  "with PORT from 1 to 65535 (an IPv6 HOST in [])" },
		{ "[fcgi-program:w]\ncommand=/bin/true\n"
		  "socket=tcp://127.0.0.1:9\nsocket_mode=0600\n",
		  "test.conf:4: socket_mode= is for a unix:///PATH socket" },
		{ "[fcgi-program:w]\ncommand=/bin/true\n"
		  "socket=tcp://127.0.0.1:9\nsocket_owner=0\n",
		  "test.conf:4: socket_owner= is for a unix:///PATH socket" },
		{ "[fcgi-program:w]\ncommand=/bin/true\n"
		  "socket=unix:///tmp/w\nsocket_owner=no-such-user-here\n",
		  "test.conf:4: socket_owner: no such user "
		  "\"no-such-user-here\"" },
		{ "[fcgi-program:w]\ncommand=/bin/true\n"
		  "socket=unix:///tmp/w\nsocket_backlog=0\n",
		  "test.conf:4: socket_backlog: \"0\" is not an integer from 1 "
		  "to 65535" },
		{ "[fcgi-program:w]\ncommand=/bin/true\n"
		  "socket=unix:///tmp/w\nsocket_backlog=65536\n",
		  "test.conf:4: socket_backlog: \"65536\" is not an integer "
		  "from 1 to 65535" },
		{ "[fcgi-program:w]\ncommand=/bin/true\n"
		  "socket=unix:///tmp/w\nsocket_mode=8\n",
		  "test.conf:4: socket_mode: \"8\" is not an octal mode from 0 "
		  "to 7777" },
		{ "[fcgi-program:w]\ncommand=/bin/true\n"
		  "socket=unix:///tmp/w\nlisten=tcp://127.0.0.1:9\n",
		  "test.conf:4: listen= in [fcgi-program:w]: its processes take "
		  "socket= as fd 0; use one or the other" },
		/* One socket for the pool, as supervisord expands it. */
		{ "[fcgi-program:w]\ncommand=/bin/true\nnumprocs=2\n"
		  "process_name=w%(process_num)s\n"
		  "socket=unix:///tmp/w%(process_num)s\n",
		  "test.conf:5: bad expansion %(process_num)s in socket: no "
		  "such name \"process_num\" here" },
		{ "[fcgi-program:w]\ncommand=/bin/true\nenvironment=P=9\n"
		  "socket=tcp://127.0.0.1:%(ENV_P)s\n",
		  "test.conf:4: bad expansion %(ENV_P)s in socket: no such "
		  "name \"ENV_P\" here" },
	};
	size_t	i;

	(void)state;
	unsetenv("P");
	for (i = 0; i < nitems(t); i++)
		load_err(t[i].text, t[i].want);
}

/* The loop stops once the first service has exited. */
static void
hook_changed(struct sup *sup)
{
	enum svc_state	st = TAILQ_FIRST(&sup->svcs)->state;

	if (st == SVC_EXITED || st == SVC_FATAL)
		loop_stop(sup->loop);
}

static const struct sup_hooks no_hooks = { NULL, hook_changed, NULL, NULL };

/* The services of text in sup, not started. */
static void
sup_load(struct sup *sup, const char *text)
{
	supfix_init(sup, &no_hooks);
	sup->settled_sent = 1;
	sup->cfg = load(text);
	sup_adopt(sup, sup->cfg, &sup->svcs);
}

/* Is fd open? */
static int
is_open(int fd)
{
	return (fcntl(fd, F_GETFD) != -1);
}

/* The mode bits of path, or -1. */
static int
mode_of(const char *path)
{
	struct stat	sb;

	if (stat(path, &sb) == -1 || !S_ISSOCK(sb.st_mode))
		return (-1);
	return (sb.st_mode & 07777);
}

/*
 * The pool's socket: the first process binds it, the second shares it,
 * the last to let go closes it and removes its file.
 */
static void
test_shared(void **state)
{
	struct sup	 sup;
	struct svc	*a, *b, *c;
	char		 text[1024], path[256], why[256];
	int		 fd;

	(void)state;
	snprintf(path, sizeof path, "%s/s.sock", dir);
	snprintf(text, sizeof text, "[fcgi-program:w]\ncommand=/bin/true\n"
	    "socket=unix://%s\nnumprocs=2\nprocess_name=w%%(process_num)s\n"
	    "[program:l]\ncommand=/bin/true\nlisten=unix://%s/l.sock\n",
	    path, dir);
	sup_load(&sup, text);
	a = TAILQ_FIRST(&sup.svcs);
	b = TAILQ_NEXT(a, entry);
	c = TAILQ_NEXT(b, entry);
	assert_int_equal(sock_open(a, why, sizeof why), 0);
	assert_non_null(a->socks);
	assert_true(a->socks->fcgi);
	assert_int_equal(a->socks->refs, 1);
	assert_int_equal(a->socks->n, 1);
	fd = a->socks->fds[0];
	assert_true(is_open(fd));
	assert_int_equal(mode_of(path), 0700);
	assert_int_equal(sock_open(b, why, sizeof why), 0);
	assert_ptr_equal(b->socks, a->socks);
	assert_int_equal(a->socks->refs, 2);
	/* Again: nothing changes. */
	assert_int_equal(sock_open(a, why, sizeof why), 0);
	assert_int_equal(a->socks->refs, 2);
	/* listen= is the service's own, never shared. */
	assert_int_equal(sock_open(c, why, sizeof why), 0);
	assert_ptr_not_equal(c->socks, a->socks);
	assert_false(c->socks->fcgi);

	sock_close(a);
	assert_null(a->socks);
	assert_int_equal(b->socks->refs, 1);
	assert_true(is_open(fd));
	assert_int_equal(mode_of(path), 0700);
	/* a comes back: b's socket again, not a new one. */
	assert_int_equal(sock_open(a, why, sizeof why), 0);
	assert_ptr_equal(a->socks, b->socks);
	assert_int_equal(a->socks->fds[0], fd);
	sock_close(a);
	sock_close(b);
	assert_null(b->socks);
	assert_false(is_open(fd));
	assert_int_equal(mode_of(path), -1);
	assert_int_equal(access(path, F_OK), -1);
	supfix_free(&sup);
}

/*
 * A reload: new options are applied to the socket in place; a new
 * address is bound, the old one closed by its last holder.  A second
 * pool on the same address is a bind error.
 */
static void
test_changed(void **state)
{
	struct sup	 sup;
	struct svc	*a, *b, *o;
	struct socks	*old;
	char		 text[1024], path[256], path2[256], why[256];

	(void)state;
	snprintf(path, sizeof path, "%s/c.sock", dir);
	snprintf(path2, sizeof path2, "%s/c2.sock", dir);
	snprintf(text, sizeof text, "[fcgi-program:w]\ncommand=/bin/true\n"
	    "socket=unix://%s\nnumprocs=2\nprocess_name=w%%(process_num)s\n"
	    "[fcgi-program:other]\ncommand=/bin/true\nsocket=unix://%s\n",
	    path, path);
	sup_load(&sup, text);
	a = TAILQ_FIRST(&sup.svcs);
	b = TAILQ_NEXT(a, entry);
	o = TAILQ_NEXT(b, entry);
	assert_int_equal(sock_open(a, why, sizeof why), 0);
	assert_int_equal(sock_open(b, why, sizeof why), 0);
	old = a->socks;

	assert_int_equal(sock_open(o, why, sizeof why), -1);
	assert_null(o->socks);
	assert_true(strncmp(why, "spawn error: bind unix://", 25) == 0);
	assert_non_null(strstr(why, strerror(EADDRINUSE)));
	assert_int_equal(mode_of(path), 0700);

	a->cfg->fcgi.mode = 0640;
	assert_int_equal(sock_open(a, why, sizeof why), 0);
	assert_ptr_equal(a->socks, old);
	assert_int_equal(mode_of(path), 0640);
	assert_int_equal(old->v[0].mode, 0640);

	free(a->cfg->fcgi.socket);
	xasprintf(&a->cfg->fcgi.socket, "unix://%s", path2);
	assert_int_equal(sock_open(a, why, sizeof why), 0);
	assert_ptr_not_equal(a->socks, old);
	assert_int_equal(a->socks->refs, 1);
	assert_int_equal(old->refs, 1);
	assert_int_equal(mode_of(path2), 0640);
	assert_int_equal(mode_of(path), 0640);	/* b still holds it */
	free(b->cfg->fcgi.socket);
	b->cfg->fcgi.socket = xstrdup(a->cfg->fcgi.socket);
	assert_int_equal(sock_open(b, why, sizeof why), 0);
	assert_ptr_equal(b->socks, a->socks);
	assert_int_equal(a->socks->refs, 2);
	assert_int_equal(mode_of(path), -1);
	supfix_free(&sup);
	assert_int_equal(mode_of(path2), -1);
}

/*
 * A process of the pool has the socket as fd 0 (no stdin pipe) and
 * nothing at fd 3; it still holds the socket once it has exited.
 */
static void
test_fd0(void **state)
{
	struct sup	 sup;
	struct svc	*a;
	char		 text[1024];

	(void)state;
	snprintf(text, sizeof text, "[fcgi-program:w]\ncommand=/bin/sh -c "
	    "'test -S /proc/self/fd/0 && ! test -e /proc/self/fd/3'\n"
	    "socket=unix://%s/f.sock\nautostart=false\nstartsecs=0\n"
	    "autorestart=false\nstdout_logfile=NONE\nstderr_logfile=NONE\n",
	    dir);
	sup_load(&sup, text);
	a = TAILQ_FIRST(&sup.svcs);
	svc_event(a, EV_START);
	assert_int_equal(a->infd, -1);
	supfix_run(&sup);
	assert_int_equal(a->state, SVC_EXITED);
	assert_true(WIFEXITED(a->status));
	assert_int_equal(WEXITSTATUS(a->status), 0);
	assert_non_null(a->socks);
	assert_true(is_open(a->socks->fds[0]));
	supfix_free(&sup);
}

static int
setup(void **state)
{
	(void)state;
	return (mkdtemp(dir) == NULL ? -1 : 0);
}

static int
teardown(void **state)
{
	(void)state;
	return (rmdir(dir));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pool),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_shared),
		cmocka_unit_test(test_changed),
		cmocka_unit_test(test_fd0),
	};

	return (cmocka_run_group_tests(tests, setup, teardown));
}
