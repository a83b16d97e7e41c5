/*
 * The log engine's pieces that have no command of their own yet: what a
 * failed start reports, the end of an instance's partial line, the line
 * cap, rotation on request.
 */
#include <sys/stat.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../src/sup/sup.h"
#include "../../src/sup/logs.h"
#include "stubs.h"

struct fixture {
	char		 dir[64];
	struct config	 cf;
	struct sup	 sup;
	struct svc	 svc;
	int		 w[2];		/* the service's ends: OUTW, ERRW */
};

#include "pipew.h"

#define OUTW(f)	pipe_writer(&(f)->w[0], (f)->svc.out)
#define ERRW(f)	pipe_writer(&(f)->w[1], (f)->svc.err)

static struct fixture *
fixture(int redirect)
{
	struct fixture	*f;
	struct cfg_proc	*p;

	f = xcalloc(1, sizeof *f);
	snprintf(f->dir, sizeof f->dir, "/tmp/test-logs.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	f->cf.childlogdir = f->dir;
	f->sup.cfg = &f->cf;
	f->sup.loop = loop_new();
	p = xcalloc(1, sizeof *p);
	p->name = xstrdup("t");
	p->log_line_max = 128;
	p->redirect_stderr = redirect;
	p->out.kind = CFG_LOG_PATH;
	xasprintf(&p->out.path, "%s/out.log", f->dir);
	p->out.backups = 2;
	p->err.kind = redirect ? CFG_LOG_NONE : CFG_LOG_AUTO;
	p->err.backups = 2;
	f->svc.sup = &f->sup;
	f->svc.cfg = p;
	f->svc.state = SVC_STARTING;
	assert_int_equal(svclog_open(&f->svc), 0);
	return (f);
}

static void
fixture_free(struct fixture *f)
{
	char	cmd[128];

	pipe_writers_close(f->w, 2);
	svclog_close(&f->svc);
	loop_free(f->sup.loop);
	free(f->svc.cfg->out.path);
	free(f->svc.cfg->name);
	free(f->svc.cfg);
	snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
}

/* The whole of dir/name, NUL-terminated (static). */
static const char *
slurp(struct fixture *f, const char *name)
{
	static char	buf[4096];
	char		path[128];
	FILE		*fp;
	size_t		 n;

	snprintf(path, sizeof path, "%s/%s", f->dir, name);
	if ((fp = fopen(path, "r")) == NULL)
		return (NULL);
	n = fread(buf, 1, sizeof buf - 1, fp);
	buf[n] = '\0';
	fclose(fp);
	return (buf);
}

static void
put(int fd, const char *s)
{
	assert_int_equal(write(fd, s, strlen(s)), (ssize_t)strlen(s));
}

static void
test_recent(void **state)
{
	struct fixture	*f = fixture(0);
	char		 buf[256];

	(void)state;
	put(ERRW(f), "one\ntwo\n\033[1mthree\nfour");
	put(OUTW(f), "not stderr\n");
	svclog_drain(&f->svc);
	assert_int_equal(svclog_recent(&f->svc, buf, sizeof buf),
	    strlen("two / \\x1b[1mthree / four"));
	assert_string_equal(buf, "two / \\x1b[1mthree / four");
	/* The partial line was ended when the instance was. */
	assert_string_equal(slurp(f, "t-stderr.log"),
	    "one\ntwo\n\033[1mthree\nfour [warden: no newline]\n");
	assert_string_equal(slurp(f, "out.log"), "not stderr\n");
	/* A short buffer: cut, still a string. */
	assert_int_equal(svclog_recent(&f->svc, buf, 5), 4);
	assert_string_equal(buf, "two ");
	svclog_recent_reset(&f->svc);
	assert_int_equal(svclog_recent(&f->svc, buf, sizeof buf), 0);
	assert_string_equal(buf, "");
	assert_null(svclog_problem(&f->svc));
	fixture_free(f);
}

static void
test_recent_only_starting(void **state)
{
	struct fixture	*f = fixture(1);
	char		 buf[256];
	int		 i;

	(void)state;
	f->svc.state = SVC_RUNNING;
	put(OUTW(f), "up and running\n");
	svclog_drain(&f->svc);
	assert_null(f->svc.out->recent);
	assert_int_equal(svclog_recent(&f->svc, buf, sizeof buf), 0);
	/* redirect_stderr: stdout is what a failed start reports. */
	f->svc.state = SVC_STARTING;
	for (i = 0; i < 100; i++) {
		snprintf(buf, sizeof buf, "line %d\n", i);
		put(OUTW(f), buf);
	}
	svclog_drain(&f->svc);
	svclog_recent(&f->svc, buf, sizeof buf);
	assert_string_equal(buf, "line 97 / line 98 / line 99");
	fixture_free(f);
}

static void
test_split(void **state)
{
	struct fixture	*f = fixture(0);
	char		 y[301], want[1024];

	(void)state;
	memset(y, 'y', 300);
	y[300] = '\0';
	put(OUTW(f), y);
	put(OUTW(f), "\n");
	svclog_drain(&f->svc);
	snprintf(want, sizeof want, "%.128s [warden: line split]\n"
	    "%.128s [warden: line split]\n%.44s\n", y, y, y);
	assert_string_equal(slurp(f, "out.log"), want);
	fixture_free(f);
}

static void
test_rotate(void **state)
{
	struct fixture	*f = fixture(0);
	char		*cause = NULL;

	(void)state;
	put(OUTW(f), "first\n");
	svclog_drain(&f->svc);
	assert_int_equal(svclog_rotate(&f->svc, 0, &cause), 0);
	assert_null(cause);
	put(OUTW(f), "second\n");
	svclog_drain(&f->svc);
	assert_string_equal(slurp(f, "out.log.1"), "first\n");
	assert_string_equal(slurp(f, "out.log"), "second\n");
	assert_int_equal(svclog_rotate(&f->svc, -1, &cause), 0);
	assert_string_equal(slurp(f, "out.log.2"), "first\n");
	assert_string_equal(slurp(f, "out.log.1"), "second\n");
	assert_non_null(slurp(f, "t-stderr.log.1"));
	fixture_free(f);

	f = fixture(1);
	assert_int_equal(svclog_rotate(&f->svc, 1, &cause), -1);
	assert_non_null(strstr(cause, "redirect_stderr"));
	free(cause);
	fixture_free(f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_recent),
		cmocka_unit_test(test_recent_only_starting),
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_rotate),
	};

	return (cmocka_run_group_tests_name("logs", tests, NULL, NULL));
}
