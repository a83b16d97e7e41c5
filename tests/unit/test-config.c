/* The supervisor's config reader: supervisord's dialect and its traps. */
#include <sys/stat.h>

#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../src/warden.h"
#include "../../src/sup/config.h"
#include "../../src/sup/event.h"
#include "stubs.h"

/* A config from text named test.conf (in the current directory). */
static struct config *
load(const char *text)
{
	struct config	*cf;
	char		*cause = NULL;

	if (cfg_load_string("test.conf", text, &cf, &cause) != 0)
		fail_msg("unexpected error: %s\n--- in:\n%s", cause, text);
	assert_non_null(cf);
	return (cf);
}

/* The error text gives, exactly. */
static void
load_err(const char *text, const char *want)
{
	struct config	*cf = (struct config *)1;
	char		*cause = NULL;

	if (cfg_load_string("test.conf", text, &cf, &cause) != -1)
		fail_msg("accepted, wanted %s\n--- in:\n%s", want, text);
	assert_null(cf);
	assert_non_null(cause);
	if (strcmp(cause, want) != 0)
		fail_msg("error\n  got:  %s\n  want: %s\n--- in:\n%s", cause,
		    want, text);
	free(cause);
}

static struct cfg_proc *
proc(struct config *cf, const char *name)
{
	struct cfg_proc	*p;

	TAILQ_FOREACH(p, &cf->procs, entry)
		if (strcmp(p->name, name) == 0)
			return (p);
	fail_msg("no process %s", name);
	return (NULL);
}

/* The only process. */
static struct cfg_proc *
only(struct config *cf)
{
	assert_int_equal(cf->nprocs, 1);
	return (TAILQ_FIRST(&cf->procs));
}

/* argv is exactly the n strings after it. */
static void
argv_is(char **argv, int n, ...)
{
	va_list	 ap;
	int	 i;

	va_start(ap, n);
	for (i = 0; i < n; i++) {
		if (argv[i] == NULL)
			fail_msg("argv ends at %d, wanted %d", i, n);
		assert_string_equal(argv[i], va_arg(ap, const char *));
	}
	va_end(ap);
	if (argv[n] != NULL)
		fail_msg("argv[%d] is \"%s\", wanted the end", n, argv[n]);
}

static int
has_warning(struct config *cf, const char *want)
{
	int	i;

	for (i = 0; i < cf->nwarnings; i++)
		if (strcmp(cf->warnings[i], want) == 0)
			return (1);
	return (0);
}

static void
warning_is(struct config *cf, const char *want)
{
	int	i;

	if (has_warning(cf, want))
		return;
	for (i = 0; i < cf->nwarnings; i++)
		fprintf(stderr, "  warning: %s\n", cf->warnings[i]);
	fail_msg("no warning \"%s\"", want);
}

/* A command= value read through one [program:x]. */
static struct config *
cmd(const char *command_line)
{
	char		*text;
	struct config	*cf;

	xasprintf(&text, "[program:x]\ncommand=%s\n", command_line);
	cf = load(text);
	free(text);
	return (cf);
}

static void
write_file(const char *path, const char *text)
{
	FILE	*f;

	if ((f = fopen(path, "w")) == NULL)
		fail_msg("%s: %s", path, strerror(errno));
	fputs(text, f);
	fclose(f);
}

/* configparser's lines: comments, delimiters, continuations, duplicates. */
static void
test_dialect(void **state)
{
	struct config	*cf;
	struct cfg_proc	*p;

	(void)state;
	/* An inline comment needs whitespace before it. */
	cf = cmd("/bin/echo a;b c#d");
	argv_is(only(cf)->argv, 3, "/bin/echo", "a;b", "c#d");
	cfg_free(cf);
	cf = cmd("/bin/echo a ;b");
	argv_is(only(cf)->argv, 2, "/bin/echo", "a");
	cfg_free(cf);
	cf = cmd("/bin/echo a\t#b");
	argv_is(only(cf)->argv, 2, "/bin/echo", "a");
	cfg_free(cf);
	/* configparser's search: " #" found in the round before " ;". */
	cf = cmd("/bin/echo a;b ;c #d");
	argv_is(only(cf)->argv, 3, "/bin/echo", "a;b", ";c");
	cfg_free(cf);

	/* key: value, spaces, upper case keys, comment lines. */
	cf = load("; top comment\n# another\n[program:x]\n"
	    "  COMMAND :  /bin/true  x  \n\tAutoStart = FALSE\n");
	p = only(cf);
	argv_is(p->argv, 2, "/bin/true", "x");
	assert_int_equal(p->autostart, 0);
	assert_int_equal(cf->nwarnings, 0);
	cfg_free(cf);

	/* The first delimiter splits: '=' or ':', whichever comes first. */
	cf = load("[program:x]\ncommand=/bin/echo a:b=c\n");
	argv_is(only(cf)->argv, 2, "/bin/echo", "a:b=c");
	cfg_free(cf);

	/*
	 * Continuation lines: more indented than the key line; empty lines
	 * inside, comments skipped; each line its own inline comment.
	 */
	cf = load("[program:x]\ncommand=/bin/echo\n  one ; c1\n\n"
	    "  ; a comment line\n\ttwo\npriority=5\n");
	p = only(cf);
	argv_is(p->argv, 3, "/bin/echo", "one", "two");
	assert_int_equal(p->priority, 5);
	cfg_free(cf);

	/* A first line that is empty: the value starts on the next. */
	cf = load("[program:x]\ncommand=\n    /bin/sleep\n    10\n");
	argv_is(only(cf)->argv, 2, "/bin/sleep", "10");
	cfg_free(cf);

	/* An indented key line after a header is a key, not a continuation. */
	cf = load("[program:x]\n   command = /bin/true\n   priority = 3\n");
	assert_int_equal(only(cf)->priority, 3);
	cfg_free(cf);

	/* \r\n and \r end lines too. */
	cf = load("[program:x]\r\ncommand=/bin/true\rpriority=4\r\n");
	argv_is(only(cf)->argv, 1, "/bin/true");
	assert_int_equal(only(cf)->priority, 4);
	cfg_free(cf);

	/* Duplicate keys and sections: merged, the last value wins. */
	cf = load("[program:x]\ncommand=/bin/first\npriority=1\n"
	    "[program:y]\ncommand=/bin/y\n"
	    "[program:x]\ncommand=/bin/second\ncommand=/bin/third\n");
	assert_int_equal(cf->nprocs, 2);
	p = TAILQ_FIRST(&cf->procs);
	assert_string_equal(p->name, "x");	/* first appearance order */
	argv_is(p->argv, 1, "/bin/third");
	assert_int_equal(p->priority, 1);
	assert_string_equal(p->file, "test.conf");
	assert_int_equal(p->line, 1);
	cfg_free(cf);

	/* Section names are case-sensitive. */
	cf = load("[Program:x]\ncommand=/bin/true\n");
	assert_int_equal(cf->nprocs, 0);
	warning_is(cf, "test.conf:1: unknown section [Program:x], ignored");
	cfg_free(cf);

	/* [x]junk: the header ends at the last ']'. */
	cf = load("[program:x];junk\ncommand=/bin/true\n");
	assert_string_equal(only(cf)->name, "x");
	cfg_free(cf);

	/* [DEFAULT] applies to every section, as in configparser. */
	cf = load("[DEFAULT]\nstartsecs=7\n[program:x]\ncommand=/bin/true\n"
	    "[program:y]\ncommand=/bin/true\nstartsecs=2\n");
	assert_true(proc(cf, "x")->startsecs == 7);
	assert_true(proc(cf, "y")->startsecs == 2);
	cfg_free(cf);

	/* A UTF-8 byte order mark is not part of the first line. */
	cf = load("\xef\xbb\xbf[program:x]\ncommand=/bin/true\n");
	assert_int_equal(cf->nprocs, 1);
	cfg_free(cf);
}

/* " ;" inside quotes: supervisord cuts there, and so do we, with a word. */
static void
test_comment_in_quotes(void **state)
{
	struct config	*cf;

	(void)state;
	load_err("[program:x]\ncommand=bash -c 'foo ; bar'\n",
	    "test.conf:2: command: no closing quotation (an inline comment "
	    "cut it inside quotes: see the warning)");
	/* A continuation closes the quote: it loads, with the warning. */
	cf = load("[program:x]\ncommand=sh -c 'a ;x\n  b'\n");
	argv_is(only(cf)->argv, 3, "sh", "-c", "a\nb");
	warning_is(cf, "test.conf:2: command= is cut at \" ;\", inside quotes: "
	    "supervisord reads whitespace then ';' as the start of a comment, "
	    "even in quotes");
	cfg_free(cf);
	cf = load("[program:x]\ncommand=/bin/echo \"a #b\n  c\"\n");
	argv_is(only(cf)->argv, 2, "/bin/echo", "a\nc");
	warning_is(cf, "test.conf:2: command= is cut at \" #\", inside quotes: "
	    "supervisord reads whitespace then '#' as the start of a comment, "
	    "even in quotes");
	cfg_free(cf);
	/* Outside quotes it is just a comment: no warning. */
	cf = cmd("/bin/echo 'a' ;b");
	assert_int_equal(cf->nwarnings, 0);
	cfg_free(cf);
}

static void
test_shlex(void **state)
{
	static const char *bad[] = {
		"'a", "\"a", "a\\", "\"a\\\"", "'a''",
	};
	char		**v, *cause;
	size_t		  i;

	(void)state;
	v = cfg_shlex("  a  'b c' \"d \\\" \\\\ \\$ e\" f\\ g h''i '' \"\"",
	    &cause);
	assert_non_null(v);
	argv_is(v, 7, "a", "b c", "d \" \\ \\$ e", "f g", "hi", "", "");
	cfg_strv_free(v);
	/* Newline is whitespace; \\ outside quotes escapes anything. */
	v = cfg_shlex("a\nb\t\\n'x\\y'", &cause);
	argv_is(v, 3, "a", "b", "nx\\y");
	cfg_strv_free(v);
	v = cfg_shlex("   ", &cause);
	assert_non_null(v);
	assert_null(v[0]);
	cfg_strv_free(v);
	/* No shell, no expansion. */
	v = cfg_shlex("echo $HOME `id` | cat > f", &cause);
	argv_is(v, 7, "echo", "$HOME", "`id`", "|", "cat", ">", "f");
	cfg_strv_free(v);
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		cause = NULL;
		if ((v = cfg_shlex(bad[i], &cause)) != NULL)
			fail_msg("accepted %s", bad[i]);
		assert_non_null(cause);
		free(cause);
	}
}

static void
test_values(void **state)
{
	static const char *truths[] = {
		"true", "TRUE", "Yes", "on", "1",
	};
	static const char *falsehoods[] = {
		"false", "No", "OFF", "0",
	};
	struct config	*cf;
	struct cfg_proc	*p;
	char		*text;
	size_t		 i;

	(void)state;
	for (i = 0; i < nitems(truths); i++) {
		xasprintf(&text, "[program:x]\ncommand=/bin/true\n"
		    "autostart=false\nautostart=%s\n", truths[i]);
		cf = load(text);
		assert_int_equal(only(cf)->autostart, 1);
		cfg_free(cf);
		free(text);
	}
	for (i = 0; i < nitems(falsehoods); i++) {
		xasprintf(&text, "[program:x]\ncommand=/bin/true\n"
		    "autostart=%s\n", falsehoods[i]);
		cf = load(text);
		assert_int_equal(only(cf)->autostart, 0);
		cfg_free(cf);
		free(text);
	}

	cf = load("[program:x]\ncommand=/bin/true\n"
	    "stdout_logfile_maxbytes=1KB\nstderr_logfile_maxbytes=2mb\n"
	    "stdout_logfile_backups=0\nstderr_logfile_backups=3\n"
	    "stopsignal=int\nexitcodes=0, 2,255\nstartsecs=0.5\n"
	    "startretries=0\nstopwaitsecs=30\numask=027\npriority=-5\n"
	    "autorestart=TRUE\nready_timeout=0\n");
	p = only(cf);
	assert_int_equal(p->out.maxbytes, 1024);
	assert_int_equal(p->err.maxbytes, 2 * 1024 * 1024);
	assert_int_equal(p->out.backups, 0);
	assert_int_equal(p->err.backups, 3);
	assert_int_equal(p->stopsignal, SIGINT);
	assert_true(cfg_exitcode_expected(p, 0));
	assert_false(cfg_exitcode_expected(p, 1));
	assert_true(cfg_exitcode_expected(p, 2));
	assert_true(cfg_exitcode_expected(p, 255));
	assert_false(cfg_exitcode_expected(p, 256));
	assert_false(cfg_exitcode_expected(p, -1));
	assert_true(p->startsecs == 0.5);
	assert_int_equal(p->startretries, 0);
	assert_true(p->stopwaitsecs == 30);
	assert_int_equal(p->umask, 027);
	assert_int_equal(p->priority, -5);
	assert_int_equal(p->autorestart, CFG_AR_TRUE);
	assert_true(p->ready_timeout == 0);
	cfg_free(cf);

	cf = load("[program:x]\ncommand=/bin/true\nstopsignal=SIGHUP\n"
	    "exitcodes=\nautorestart=unexpected\nstdout_logfile_maxbytes=1gb\n"
	    "stderr_logfile_maxbytes=0\n");
	p = only(cf);
	assert_int_equal(p->stopsignal, SIGHUP);
	assert_false(cfg_exitcode_expected(p, 0));
	assert_int_equal(p->autorestart, CFG_AR_UNEXPECTED);
	assert_int_equal(p->out.maxbytes, 1024ULL * 1024 * 1024);
	assert_int_equal(p->err.maxbytes, 0);
	warning_is(cf, "test.conf:7: stderr_logfile_maxbytes=0 with an AUTO "
	    "log: nothing limits its size");
	cfg_free(cf);

	cf = load("[program:x]\ncommand=/bin/true\nstopsignal=9\n"
	    "autorestart=off\n");
	assert_int_equal(only(cf)->stopsignal, SIGKILL);
	assert_int_equal(only(cf)->autorestart, CFG_AR_FALSE);
	cfg_free(cf);
}

/* Every default, warden's own included. */
static void
test_defaults(void **state)
{
	struct config	*cf;
	struct cfg_proc	*p;
	char		*rundir, *s, *cwd;
	const char	*xdg;

	(void)state;
	cf = load("[program:web]\ncommand=/usr/bin/web\n");
	if (geteuid() == 0)
		rundir = xstrdup("/run/warden");
	else if ((xdg = getenv("XDG_RUNTIME_DIR")) != NULL && *xdg == '/')
		xasprintf(&rundir, "%s/warden", xdg);
	else
		xasprintf(&rundir, "/tmp/warden-%lu", (unsigned long)geteuid());
	assert_string_equal(cf->rundir, rundir);
	xasprintf(&s, "%s/warden.sock", rundir);
	assert_string_equal(cf->socket, s);
	free(s);
	xasprintf(&s, "%s/warden.pid", rundir);
	assert_string_equal(cf->pidfile, s);
	free(s);
	assert_string_equal(cf->childlogdir, rundir);
	free(rundir);
	cwd = getcwd(NULL, 0);
	xasprintf(&s, "%s/test.conf", cwd);
	assert_string_equal(cf->path, s);
	free(s);
	free(cwd);
	assert_false(cf->unix_http.on);
	assert_false(cf->inet_http.on);
	assert_int_equal(cf->unix_http.mode, 0700);
	assert_true(cf->unix_http.uid == (uid_t)-1);
	assert_true(cf->unix_http.gid == (gid_t)-1);
	assert_null(cf->logfile);
	assert_string_equal(cf->identifier, "supervisor");
	assert_null(cf->user);
	assert_int_equal(cf->umask, 022);
	assert_int_equal(cf->minfds, 1024);
	assert_int_equal(cf->nodaemon, 0);
	assert_non_null(cf->env);
	assert_null(cf->env[0]);
	assert_int_equal(cf->nwarnings, 0);
	assert_non_null(cf->warnings);
	assert_null(cf->warnings[0]);

	p = only(cf);
	assert_string_equal(p->name, "web");
	assert_string_equal(p->group, "web");
	assert_string_equal(p->program, "web");
	assert_int_equal(p->process_num, 0);
	argv_is(p->argv, 1, "/usr/bin/web");
	assert_null(p->directory);
	assert_null(p->user);
	assert_int_equal(p->umask, -1);
	assert_non_null(p->env);
	assert_null(p->env[0]);
	assert_int_equal(p->autostart, 1);
	assert_int_equal(p->autorestart, CFG_AR_UNEXPECTED);
	assert_true(p->startsecs == 1);
	assert_int_equal(p->startretries, 3);
	assert_true(cfg_exitcode_expected(p, 0));
	assert_false(cfg_exitcode_expected(p, 2));
	assert_int_equal(p->stopsignal, SIGTERM);
	assert_true(p->stopwaitsecs == 10);
	assert_int_equal(p->stopasgroup, 1);
	assert_int_equal(p->killasgroup, 1);
	assert_int_equal(p->priority, 999);
	assert_int_equal(p->redirect_stderr, 0);
	assert_int_equal(p->out.kind, CFG_LOG_AUTO);
	assert_null(p->out.path);
	assert_int_equal(p->out.maxbytes, 50 * 1024 * 1024);
	assert_int_equal(p->out.backups, 10);
	assert_int_equal(p->out.syslog, 0);
	assert_int_equal(p->err.kind, CFG_LOG_AUTO);
	assert_int_equal(p->err.maxbytes, 50 * 1024 * 1024);
	assert_int_equal(p->err.backups, 10);
	assert_null(p->ready);
	assert_true(p->ready_timeout == 60);
	cfg_free(cf);
}

/* [supervisord], [unix_http_server] and [warden]. */
static void
test_globals(void **state)
{
	struct config	*cf;
	char		 dir[] = "/tmp/warden-test-XXXXXX";
	char		*text, *s;

	(void)state;
	assert_non_null(mkdtemp(dir));
	xasprintf(&text, "[unix_http_server]\nfile=%s/s.sock\nchmod=0770\n"
	    "chown=root\n"
	    "[supervisord]\nlogfile=%s/sup.log\npidfile=%s/sup.pid\n"
	    "childlogdir=%s\nnodaemon=true\nminfds=4096\numask=077\n"
	    "identifier=box\nuser=root\nenvironment=A=\"1\",B=two\n"
	    "loglevel=debug\nminprocs=300\n",
	    dir, dir, dir, dir);
	cf = load(text);
	free(text);
	/* file= is the HTTP server's; the control socket stays apart. */
	xasprintf(&s, "%s/s.sock", dir);
	assert_string_equal(cf->unix_http.file, s);
	assert_string_not_equal(cf->socket, s);
	free(s);
	assert_true(cf->unix_http.on);
	assert_int_equal(cf->unix_http.mode, 0770);
	assert_int_equal(cf->unix_http.uid, 0);
	assert_true(cf->unix_http.gid == (gid_t)-1);
	xasprintf(&s, "%s/sup.log", dir);
	assert_string_equal(cf->logfile, s);
	free(s);
	xasprintf(&s, "%s/sup.pid", dir);
	assert_string_equal(cf->pidfile, s);
	free(s);
	assert_string_equal(cf->childlogdir, dir);
	assert_int_equal(cf->nodaemon, 1);
	assert_int_equal(cf->minfds, 4096);
	assert_int_equal(cf->umask, 077);
	assert_string_equal(cf->identifier, "box");
	assert_string_equal(cf->user, "root");
	argv_is(cf->env, 2, "A=1", "B=two");
	warning_is(cf, "test.conf:15: loglevel= in [supervisord] has no effect "
	    "in warden, ignored");
	warning_is(cf, "test.conf:16: minprocs= in [supervisord] has no effect "
	    "in warden, ignored");
	assert_int_equal(cf->nwarnings, 2);
	cfg_free(cf);

	/* [warden] wins; files in the run directory need not exist yet. */
	xasprintf(&text, "[unix_http_server]\nfile=/tmp/a.sock\n"
	    "[supervisord]\npidfile=/tmp/a.pid\nlogfile=/tmp/a.log\n"
	    "[warden]\nrundir=%s/run\nsocket=%s/run/w.sock\n"
	    "pidfile=%s/run/w.pid\nlogfile=syslog\n", dir, dir, dir);
	cf = load(text);
	free(text);
	xasprintf(&s, "%s/run", dir);
	assert_string_equal(cf->rundir, s);
	assert_string_equal(cf->childlogdir, s);
	free(s);
	xasprintf(&s, "%s/run/w.sock", dir);
	assert_string_equal(cf->socket, s);
	free(s);
	xasprintf(&s, "%s/run/w.pid", dir);
	assert_string_equal(cf->pidfile, s);
	free(s);
	assert_null(cf->logfile);
	cfg_free(cf);

	/* Defaults follow rundir=. */
	xasprintf(&text, "[warden]\nrundir=%s/r2\n", dir);
	cf = load(text);
	free(text);
	xasprintf(&s, "%s/r2/warden.sock", dir);
	assert_string_equal(cf->socket, s);
	free(s);
	cfg_free(cf);
	assert_int_equal(rmdir(dir), 0);
}

static void
test_expansions(void **state)
{
	struct config	*cf;
	struct cfg_proc	*p;
	char		 host[256], *cwd, *s;

	(void)state;
	assert_int_equal(setenv("WARDEN_TEST_X", "ex", 1), 0);
	assert_int_equal(gethostname(host, sizeof host), 0);
	cwd = getcwd(NULL, 0);
	cf = load("[program:web]\n"
	    "command=/bin/echo %(here)s %(ENV_WARDEN_TEST_X)s %(program_name)s"
	    " %(process_num)02d %(numprocs)d %(group_name)s"
	    " %(host_node_name)s 100%% %(process_num)s\n");
	p = only(cf);
	argv_is(p->argv, 10, "/bin/echo", cwd, "ex", "web", "00", "1", "web",
	    host, "100%", "0");
	cfg_free(cf);

	/* Python's flags, width and precision. */
	cf = load("[program:x]\nnumprocs_start=7\n"
	    "command=/bin/echo '%(process_num)05.3d|%(process_num)-4d|"
	    "%(process_num)+d|%(program_name)5.1s|%(program_name)-3s|'\n");
	argv_is(only(cf)->argv, 2, "/bin/echo", "00007|7   |+7|    x|x  |");
	cfg_free(cf);

	/*
	 * The program's environment= keys are ENV_ for its other keys, as are
	 * [supervisord] environment='s; the program's win.
	 */
	cf = load("[supervisord]\nenvironment=SUP=s,BOTH=sup\n"
	    "[program:x]\nenvironment=GREETING=\"hi there\",BOTH=prog,"
	    "N=%(process_num)d\n"
	    "command=/bin/echo %(ENV_GREETING)s %(ENV_SUP)s %(ENV_BOTH)s "
	    "%(ENV_N)s\n");
	p = only(cf);
	argv_is(p->argv, 6, "/bin/echo", "hi", "there", "s", "prog", "0");
	argv_is(p->env, 3, "GREETING=hi there", "BOTH=prog", "N=0");
	cfg_free(cf);

	/* Not its own keys, though. */
	load_err("[program:x]\ncommand=/bin/true\n"
	    "environment=A=1,B=%(ENV_WARDEN_TEST_NONE)s\n",
	    "test.conf:3: bad expansion %(ENV_WARDEN_TEST_NONE)s in "
	    "environment: no such name \"ENV_WARDEN_TEST_NONE\" here");

	/* Grouped: group_name is the group's. */
	cf = load("[group:g]\nprograms=x\n"
	    "[program:x]\ncommand=/bin/echo %(group_name)s\n");
	argv_is(only(cf)->argv, 2, "/bin/echo", "g");
	cfg_free(cf);

	/* Paths are expanded too, then made absolute. */
	cf = load("[program:x]\ncommand=/bin/true\n"
	    "stdout_logfile=%(program_name)s-%(process_num)d.log\n");
	xasprintf(&s, "%s/x-0.log", cwd);
	assert_int_equal(only(cf)->out.kind, CFG_LOG_PATH);
	assert_string_equal(only(cf)->out.path, s);
	free(s);
	cfg_free(cf);
	free(cwd);
	unsetenv("WARDEN_TEST_X");
}

static void
test_numprocs(void **state)
{
	struct config	*cf;
	struct cfg_proc	*p;

	(void)state;
	cf = load("[program:w]\ncommand=/bin/w %(process_num)d\n"
	    "numprocs=3\nnumprocs_start=8\n"
	    "process_name=%(program_name)s_%(process_num)02d\n"
	    "stdout_logfile=NONE\nstderr_logfile=off\n");
	assert_int_equal(cf->nprocs, 3);
	p = TAILQ_FIRST(&cf->procs);
	assert_string_equal(p->name, "w_08");
	assert_int_equal(p->process_num, 8);
	argv_is(p->argv, 2, "/bin/w", "8");
	assert_int_equal(p->out.kind, CFG_LOG_NONE);
	assert_int_equal(p->err.kind, CFG_LOG_NONE);
	p = TAILQ_NEXT(p, entry);
	assert_string_equal(p->name, "w_09");
	p = TAILQ_NEXT(p, entry);
	assert_string_equal(p->name, "w_10");
	assert_string_equal(p->group, "w");
	assert_string_equal(p->program, "w");
	argv_is(p->argv, 2, "/bin/w", "10");
	cfg_free(cf);

	/* One process may still name itself after its number. */
	cf = load("[program:w]\ncommand=/bin/w\n"
	    "process_name=w-%(process_num)d\n");
	assert_string_equal(only(cf)->name, "w-0");
	cfg_free(cf);

	/* numprocs=0: nothing, with a word. */
	cf = load("[program:w]\ncommand=/bin/w\nnumprocs=0\n");
	assert_int_equal(cf->nprocs, 0);
	warning_is(cf, "test.conf:3: numprocs=0: [program:w] has no processes");
	cfg_free(cf);
}

static void
test_groups(void **state)
{
	struct config	*cf;

	(void)state;
	cf = load("[program:a]\ncommand=/bin/a\n"
	    "[program:b]\ncommand=/bin/b\n"
	    "[program:c]\ncommand=/bin/c\n"
	    "[group:g]\nprograms = a, b\npriority=10\n");
	assert_string_equal(proc(cf, "a")->group, "g");
	assert_string_equal(proc(cf, "b")->group, "g");
	assert_string_equal(proc(cf, "c")->group, "c");
	assert_string_equal(proc(cf, "a")->program, "a");
	cfg_free(cf);
}

/* Logs, directory=, user=, ready=. */
static void
test_process_keys(void **state)
{
	struct config	*cf;
	struct cfg_proc	*p;
	char		 dir[] = "/tmp/warden-test-XXXXXX";
	char		*text, *s;

	(void)state;
	assert_non_null(mkdtemp(dir));
	xasprintf(&text, "[program:x]\ncommand=/bin/true\ndirectory=%s\n"
	    "user=root\nstdout_logfile=%s/out.log\nstderr_logfile=%s/err.log\n"
	    "redirect_stderr=true\nstdout_syslog=true\n", dir, dir, dir);
	cf = load(text);
	free(text);
	p = only(cf);
	assert_string_equal(p->directory, dir);
	assert_string_equal(p->user, "root");
	xasprintf(&s, "%s/out.log", dir);
	assert_int_equal(p->out.kind, CFG_LOG_PATH);
	assert_string_equal(p->out.path, s);
	free(s);
	assert_int_equal(p->out.syslog, 1);
	assert_int_equal(p->redirect_stderr, 1);
	assert_int_equal(p->err.kind, CFG_LOG_NONE);
	assert_null(p->err.path);
	warning_is(cf, "test.conf:6: stderr_logfile= is ignored: "
	    "redirect_stderr=true");
	cfg_free(cf);

	/* Deprecated syslog; AUTO; relative paths against %(here)s. */
	cf = load("[program:x]\ncommand=/bin/true\nstdout_logfile=syslog\n"
	    "stderr_logfile=Auto\ndirectory=\n");
	p = only(cf);
	assert_int_equal(p->out.kind, CFG_LOG_NONE);
	assert_int_equal(p->out.syslog, 1);
	assert_int_equal(p->err.kind, CFG_LOG_AUTO);
	assert_null(p->directory);
	warning_is(cf, "test.conf:3: stdout_logfile=syslog is deprecated: it "
	    "means stdout_syslog=true and no file");
	cfg_free(cf);

	/* ready= and its forms. */
	cf = load("[program:a]\ncommand=/bin/a\nready=notify\n"
	    "[program:b]\ncommand=/bin/b\nready=fd:3\nready_timeout=5.5\n"
	    "[program:c]\ncommand=/bin/c\nready=tcp:8080\n"
	    "[program:d]\ncommand=/bin/d\nready=tcp:[::1]:99\n"
	    "[program:e]\ncommand=/bin/e\nready=pidfile:/run/e.pid\n"
	    "[program:f]\ncommand=/bin/f\nready=startsecs\n");
	assert_string_equal(proc(cf, "a")->ready, "notify");
	assert_string_equal(proc(cf, "b")->ready, "fd:3");
	assert_true(proc(cf, "b")->ready_timeout == 5.5);
	assert_string_equal(proc(cf, "c")->ready, "tcp:8080");
	assert_string_equal(proc(cf, "d")->ready, "tcp:[::1]:99");
	assert_string_equal(proc(cf, "e")->ready, "pidfile:/run/e.pid");
	assert_null(proc(cf, "f")->ready);
	cfg_free(cf);

	/* killasgroup=false alone: supervisord's stopasgroup=false with it. */
	cf = load("[program:x]\ncommand=/bin/true\nkillasgroup=false\n");
	assert_int_equal(only(cf)->stopasgroup, 0);
	assert_int_equal(only(cf)->killasgroup, 0);
	cfg_free(cf);
	cf = load("[program:x]\ncommand=/bin/true\nstopasgroup=false\n");
	assert_int_equal(only(cf)->stopasgroup, 0);
	assert_int_equal(only(cf)->killasgroup, 1);
	cfg_free(cf);
	assert_int_equal(rmdir(dir), 0);
}

/* Unknown and unimplemented things are warnings, never silent. */
static void
test_warnings(void **state)
{
	struct config	*cf;

	(void)state;
	cf = load("[program:x]\ncommand=/bin/true\nrestrat=true\n"
	    "stdout_capture_maxbytes=1MB\nstderr_capture_maxbytes=0\n"
	    "stdout_events_enabled=true\nserverurl=AUTO\n"
	    "[eventlistener:e]\ncommand=/bin/listener\nevents=PROCESS_STATE\n"
	    "[rpcinterface:supervisor]\n"
	    "supervisor.rpcinterface_factory = supervisor.rpcinterface:"
	    "make_main_rpcinterface\n"
	    "[inet_http_server]\nport=127.0.0.1:9001\n"
	    "[supervisorctl]\nserverurl=unix:///tmp/supervisor.sock\n"
	    "[ctlplugin:p]\n"
	    "[something]\nx=y\n"
	    "[DEFAULT]\nnonsense=1\n");
	assert_int_equal(cf->nprocs, 2);
	warning_is(cf, "test.conf:3: unknown key \"restrat\" in [program:x], "
	    "ignored");
	warning_is(cf, "test.conf:17: [ctlplugin:p] is not implemented in "
	    "warden, ignored");
	warning_is(cf, "test.conf:18: unknown section [something], ignored");
	warning_is(cf, "test.conf:21: unknown key \"nonsense\" in [DEFAULT], "
	    "ignored");
	assert_int_equal(cf->nwarnings, 4);
	assert_null(cf->warnings[cf->nwarnings]);
	cfg_free(cf);
}

/*
 * [eventlistener:x]: a pool of listeners.  events= names types and
 * their hierarchy in any case; priority -1; stdout is the protocol,
 * never a log; the *_events_enabled and *_capture_maxbytes keys are
 * fields; a Python result_handler is a warning.
 */
static void
test_eventlistener(void **state)
{
	struct config	*cf;
	struct cfg_proc	*p;
	char		*cause = NULL;

	(void)state;
	cf = load("[eventlistener:e]\ncommand=/bin/l\n"
	    "events=process_state_fatal, Tick_5\nbuffer_size=3\n"
	    "stdout_logfile=/tmp/x.log\nresult_handler=my.mod:handler\n"
	    "[program:x]\ncommand=/bin/x\nstdout_events_enabled=true\n"
	    "stderr_capture_maxbytes=1KB\n");
	p = TAILQ_FIRST(&cf->procs);
	assert_true(p->listener);
	assert_string_equal(p->group, "e");
	assert_int_equal(p->events, EVM(EVT_STATE_FATAL) | EVM(EVT_TICK_5));
	assert_int_equal(p->buffer_size, 3);
	assert_int_equal(p->priority, -1);
	assert_int_equal(p->out.kind, CFG_LOG_NONE);
	assert_null(p->out.path);
	warning_is(cf, "test.conf:5: stdout_logfile= is ignored: a listener's "
	    "stdout is the event protocol");
	warning_is(cf, "test.conf:6: result_handler=my.mod:handler: a Python "
	    "handler cannot run in warden: the built-in default is used (OK "
	    "accepts an event, anything else rejects it)");
	p = TAILQ_NEXT(p, entry);
	assert_false(p->listener);
	assert_int_equal(p->priority, 999);
	assert_true(p->out.events);
	assert_false(p->err.events);
	assert_int_equal(p->err.capture, 1024);
	assert_int_equal(p->out.capture, 0);
	assert_int_equal(cf->nwarnings, 2);
	cfg_free(cf);

	cf = load("[eventlistener:e]\ncommand=/bin/l\nevents=EVENT\n"
	    "priority=5\nresult_handler=supervisor.dispatchers:"
	    "default_handler\n");
	p = TAILQ_FIRST(&cf->procs);
	assert_int_equal(p->events, EVM_ALL);
	assert_int_equal(p->buffer_size, 10);
	assert_int_equal(p->priority, 5);
	assert_int_equal(cf->nwarnings, 0);
	cfg_free(cf);

	/* The listener keys are no [program:x] keys. */
	cf = load("[program:x]\ncommand=/bin/x\nevents=EVENT\n");
	warning_is(cf, "test.conf:3: unknown key \"events\" in [program:x], "
	    "ignored");
	assert_int_equal(TAILQ_FIRST(&cf->procs)->events, 0);
	cfg_free(cf);

	assert_int_equal(cfg_load_string("test.conf", "[eventlistener:e]\n"
	    "command=/bin/l\n", &cf, &cause), -1);
	assert_string_equal(cause, "test.conf:1: [eventlistener:e] has no "
	    "events=");
	free(cause);
	assert_int_equal(cfg_load_string("test.conf", "[eventlistener:e]\n"
	    "command=/bin/l\nevents=PROCESS_STATE,NOPE\n", &cf, &cause), -1);
	assert_string_equal(cause, "test.conf:3: events: unknown event type "
	    "\"NOPE\"");
	free(cause);
	assert_int_equal(cfg_load_string("test.conf", "[eventlistener:e]\n"
	    "command=/bin/l\nevents=TICK\nredirect_stderr=true\n", &cf,
	    &cause), -1);
	assert_string_equal(cause, "test.conf:4: redirect_stderr=true in "
	    "[eventlistener:e]: a listener's stdout is the event protocol");
	free(cause);
	assert_int_equal(cfg_load_string("test.conf", "[eventlistener:e]\n"
	    "command=/bin/l\nevents=TICK\nbuffer_size=0\n", &cf, &cause), -1);
	free(cause);
}

/* directory= that does not exist: a warning, and the path is kept. */
static void
test_directory_missing(void **state)
{
	struct config	*cf;

	(void)state;
	cf = load("[program:x]\ncommand=/bin/true\n"
	    "directory=/nonexistent-wd\n");
	assert_int_equal(cf->nprocs, 1);
	assert_string_equal(only(cf)->directory, "/nonexistent-wd");
	warning_is(cf, "test.conf:3: directory: no directory /nonexistent-wd "
	    "(yet): a start fails until it is made");
	assert_int_equal(cf->nwarnings, 1);
	cfg_free(cf);
	/* One that exists: no warning. */
	cf = load("[program:x]\ncommand=/bin/true\ndirectory=/tmp\n");
	assert_string_equal(only(cf)->directory, "/tmp");
	assert_int_equal(cf->nwarnings, 0);
	cfg_free(cf);
}

/* listen=: the addresses as written, in order; empty is none. */
static void
test_listen(void **state)
{
	struct config	*cf;
	char		**l;

	(void)state;
	cf = load("[program:x]\ncommand=/bin/true\n"
	    "listen = tcp://127.0.0.1:8080 ,unix:///run/x.sock,\n"
	    "  tcp://[::1]:80, tcp://localhost:9\nready=fd:7\n");
	l = only(cf)->listen;
	assert_non_null(l);
	assert_string_equal(l[0], "tcp://127.0.0.1:8080");
	assert_string_equal(l[1], "unix:///run/x.sock");
	assert_string_equal(l[2], "tcp://[::1]:80");
	assert_string_equal(l[3], "tcp://localhost:9");
	assert_null(l[4]);
	assert_int_equal(cf->nwarnings, 0);
	cfg_free(cf);
	cf = load("[program:x]\ncommand=/bin/true\nlisten=\n");
	assert_null(only(cf)->listen);
	cfg_free(cf);
	cf = load("[program:x]\ncommand=/bin/true\n");
	assert_null(only(cf)->listen);
	cfg_free(cf);
}

/* Each error: the file, the line, what is wrong. */
static void
test_errors(void **state)
{
	static const struct {
		const char	*text;
		const char	*error;
	} t[] = {
		/* The INI layer. */
		{ "command=/bin/true\n",
		  "test.conf:1: a key before any [section] line" },
		{ "[program:x]\ncommand=/bin/true\njunk\n",
		  "test.conf:3: not a [section], a key = value or a comment" },
		{ "[program:x]\n = value\n",
		  "test.conf:2: no key before '='" },
		{ "[program:x]\n: value\n",
		  "test.conf:2: no key before ':'" },
		/* [program:x] */
		{ "[program:x]\nautostart=true\n",
		  "test.conf:1: [program:x] has no command=" },
		{ "[program:x]\ncommand=\n",
		  "test.conf:2: command: an empty command" },
		{ "[program:x]\ncommand=/bin/echo 'a\n",
		  "test.conf:2: command: no closing quotation" },
		{ "[program:a b]\ncommand=/bin/true\n",
		  "test.conf:1: bad program name \"a b\": it has a space" },
		{ "[program:a/b]\ncommand=/bin/true\n",
		  "test.conf:1: bad program name \"a/b\": it has a '/'" },
		{ "[program:]\ncommand=/bin/true\n",
		  "test.conf:1: bad program name \"\": it is empty" },
		{ "[program:x]\ncommand=/bin/true\nprocess_name=a:b\n",
		  "test.conf:3: bad process name \"a:b\": it has a ':'" },
		{ "[program:x]\ncommand=/bin/true\nprocess_name=x[1]\n",
		  "test.conf:3: bad process name \"x[1]\": it has a '['" },
		{ "[program:x]\ncommand=/bin/true\nautostart=maybe\n",
		  "test.conf:3: autostart: \"maybe\" is not a boolean (true, "
		  "yes, on, 1 or false, no, off, 0)" },
		{ "[program:x]\ncommand=/bin/true\n"
		  "stdout_logfile_maxbytes=10XB\n",
		  "test.conf:3: stdout_logfile_maxbytes: \"10XB\" is not a "
		  "size (bytes, or a number then KB, MB or GB)" },
		{ "[program:x]\ncommand=/bin/true\n"
		  "stderr_logfile_maxbytes=-1\n",
		  "test.conf:3: stderr_logfile_maxbytes: \"-1\" is not a size "
		  "(bytes, or a number then KB, MB or GB)" },
		{ "[program:x]\ncommand=/bin/true\nstopsignal=FOO\n",
		  "test.conf:3: stopsignal: \"FOO\" is not a signal (a name "
		  "such as TERM or SIGTERM, or a number)" },
		{ "[program:x]\ncommand=/bin/true\nstopsignal=0\n",
		  "test.conf:3: stopsignal: \"0\" is not a signal (a name such "
		  "as TERM or SIGTERM, or a number)" },
		{ "[program:x]\ncommand=/bin/true\nexitcodes=0,256\n",
		  "test.conf:3: exitcodes: \"0,256\" is not a list of exit "
		  "codes (0 to 255, separated by commas)" },
		{ "[program:x]\ncommand=/bin/true\nexitcodes=0,\n",
		  "test.conf:3: exitcodes: \"0,\" is not a list of exit codes "
		  "(0 to 255, separated by commas)" },
		{ "[program:x]\ncommand=/bin/true\nautorestart=sometimes\n",
		  "test.conf:3: autorestart: \"sometimes\" is not true, false "
		  "or unexpected" },
		{ "[program:x]\ncommand=/bin/true\numask=8\n",
		  "test.conf:3: umask: \"8\" is not an octal mode from 0 to "
		  "777" },
		{ "[program:x]\ncommand=/bin/true\nstartsecs=soon\n",
		  "test.conf:3: startsecs: \"soon\" is not a number of "
		  "seconds" },
		{ "[program:x]\ncommand=/bin/true\nstartretries=-1\n",
		  "test.conf:3: startretries: \"-1\" is not an integer from "
		  "0" },
		{ "[program:x]\ncommand=/bin/true\npriority=high\n",
		  "test.conf:3: priority: \"high\" is not an integer" },
		{ "[program:x]\ncommand=/bin/true\nnumprocs=x\n",
		  "test.conf:3: numprocs: \"x\" is not an integer from 0 to "
		  "10000" },
		{ "[program:x]\ncommand=/bin/true\nnumprocs=2\n",
		  "test.conf:3: numprocs=2 needs %(process_num) in "
		  "process_name=, to name each process" },
		{ "[program:x]\ncommand=/bin/true\nnumprocs=2\n"
		  "process_name=%(program_name)s\n",
		  "test.conf:4: numprocs=2 needs %(process_num) in "
		  "process_name=, to name each process" },
		{ "[program:x]\ncommand=/bin/true\nuser=nosuchuser-warden\n",
		  "test.conf:3: user: no such user \"nosuchuser-warden\"" },
		{ "[program:x]\ncommand=/bin/true\n"
		  "stdout_logfile=/nonexistent-wd/x.log\n",
		  "test.conf:3: stdout_logfile: no directory /nonexistent-wd" },
		{ "[program:x]\ncommand=/bin/true\nstopasgroup=true\n"
		  "killasgroup=false\n",
		  "test.conf:4: stopasgroup=true needs killasgroup=true" },
		{ "[program:x]\ncommand=/bin/true\nenvironment=A=1 B=2\n",
		  "test.conf:3: environment: not KEY=VALUE pairs separated by "
		  "commas (quote values with spaces, commas or other "
		  "punctuation)" },
		{ "[program:x]\ncommand=/bin/true\nenvironment=A=a@b\n",
		  "test.conf:3: environment: not KEY=VALUE pairs separated by "
		  "commas (quote values with spaces, commas or other "
		  "punctuation)" },
		{ "[program:x]\ncommand=/bin/true\nenvironment=1A=x\n",
		  "test.conf:3: environment: \"1A\" is not a variable name" },
		{ "[program:x]\ncommand=/bin/true\nenvironment=A=\"x\n",
		  "test.conf:3: environment: no closing quotation" },
		{ "[program:x]\ncommand=/bin/true\nready=fd:2\n",
		  "test.conf:3: ready: \"fd:2\" is not fd:N with N from 3 to "
		  "1023" },
		{ "[program:x]\ncommand=/bin/true\nready=tcp:0\n",
		  "test.conf:3: ready: \"tcp:0\" is not tcp:[HOST:]PORT with "
		  "PORT from 1 to 65535 (an IPv6 HOST in [])" },
		{ "[program:x]\ncommand=/bin/true\nready=soon\n",
		  "test.conf:3: ready: \"soon\" is not startsecs, notify, "
		  "fd:N, tcp:[HOST:]PORT or pidfile:PATH" },
		{ "[program:x]\ncommand=/bin/true\nlisten=tcp://:80\n",
		  "test.conf:3: listen: \"tcp://:80\": tcp://HOST:PORT with "
		  "PORT from 1 to 65535 (an IPv6 HOST in [])" },
		{ "[program:x]\ncommand=/bin/true\nlisten=tcp://127.0.0.1\n",
		  "test.conf:3: listen: \"tcp://127.0.0.1\": tcp://HOST:PORT "
		  "with PORT from 1 to 65535 (an IPv6 HOST in [])" },
		{ "[program:x]\ncommand=/bin/true\nlisten=tcp://1.2.3:80\n",
		  "test.conf:3: listen: \"tcp://1.2.3:80\": tcp://HOST:PORT: "
		  "not an IPv4 address" },
		{ "[program:x]\ncommand=/bin/true\nlisten=tcp://[::g]:80\n",
		  "test.conf:3: listen: \"tcp://[::g]:80\": tcp://[IPV6]:PORT: "
		  "not an IPv6 address in []" },
		{ "[program:x]\ncommand=/bin/true\nlisten=tcp://::1:80\n",
		  "test.conf:3: listen: \"tcp://::1:80\": tcp://HOST:PORT with "
		  "PORT from 1 to 65535 (an IPv6 HOST in [])" },
		{ "[program:x]\ncommand=/bin/true\nlisten=unix://x.sock\n",
		  "test.conf:3: listen: \"unix://x.sock\": unix:///PATH needs "
		  "an absolute path" },
		{ "[program:x]\ncommand=/bin/true\nlisten=udp://1.2.3.4:5\n",
		  "test.conf:3: listen: \"udp://1.2.3.4:5\": tcp://HOST:PORT or "
		  "unix:///PATH" },
		{ "[program:x]\ncommand=/bin/true\n"
		  "listen=tcp://127.0.0.1:80,\n",
		  "test.conf:3: listen: \"\": an empty address" },
		{ "[program:x]\ncommand=/bin/true\n"
		  "listen=unix:///a, unix:///a\n",
		  "test.conf:3: listen: \"unix:///a\": an address given twice" },
		{ "[program:x]\ncommand=/bin/true\nlisten=unix:///"
		  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n",
		  "test.conf:3: listen: \"unix:///aaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		  "aaaaaaaaaaaaaaaaaaaaaaaa...\": unix:///PATH: the path is too "
		  "long for a socket" },
		{ "[program:x]\ncommand=/bin/true\n"
		  "listen=unix:///a, unix:///b\nready=fd:4\n",
		  "test.conf:4: ready=fd:4 is a listen= socket's fd (3 to 4): "
		  "choose a number above" },
		{ "[program:x]\ncommand=/bin/true\nready_timeout=-1\n",
		  "test.conf:3: ready_timeout: \"-1\" is not a number of "
		  "seconds" },
		/* Expansions. */
		{ "[program:x]\ncommand=/bin/echo %(foo)s\n",
		  "test.conf:2: bad expansion %(foo)s in command: no such name "
		  "\"foo\" here" },
		{ "[program:x]\ncommand=date +%Y\n",
		  "test.conf:2: bad expansion %Y in command: no name (write "
		  "%(name)s, or %% for a %)" },
		{ "[program:x]\ncommand=/bin/echo 100%\n",
		  "test.conf:2: bad expansion % in command: no name (write "
		  "%(name)s, or %% for a %)" },
		{ "[program:x]\ncommand=/bin/echo %(program_name\n",
		  "test.conf:2: bad expansion %(program_name in command: no "
		  "closing ')'" },
		{ "[program:x]\ncommand=/bin/echo %(program_name)\n",
		  "test.conf:2: bad expansion %(program_name) in command: no "
		  "conversion (%(name)s or %(name)d)" },
		{ "[program:x]\ncommand=/bin/echo %(program_name)d\n",
		  "test.conf:2: bad expansion %(program_name)d in command: "
		  "\"program_name\" is a string, not a number" },
		{ "[program:x]\ncommand=/bin/echo %(process_num)x\n",
		  "test.conf:2: bad expansion %(process_num)x in command: only "
		  "the s, d, i and u conversions, without '#'" },
		{ "[program:x]\ncommand=/bin/true\nnumprocs=%(process_num)d\n",
		  "test.conf:3: bad expansion %(process_num)d in numprocs: no "
		  "such name \"process_num\" here" },
		{ "[supervisord]\nidentifier=%(program_name)s\n",
		  "test.conf:2: bad expansion %(program_name)s in identifier: "
		  "no such name \"program_name\" here" },
		{ "[include]\nfiles=%(ENV_HOME)s/x.conf\n",
		  "test.conf:2: bad expansion %(ENV_HOME)s in files: no such "
		  "name \"ENV_HOME\" here" },
		/* Groups and names. */
		{ "[program:a]\ncommand=/bin/a\n[group:g]\nprograms=a,zz\n",
		  "test.conf:4: programs: no [program:zz]" },
		{ "[group:g]\npriority=1\n",
		  "test.conf:1: [group:g] has no programs=" },
		{ "[program:a]\ncommand=/bin/a\n[group:g]\nprograms=a\n"
		  "[group:h]\nprograms=a\n",
		  "test.conf:6: programs: a is already in [group:g]" },
		{ "[program:a]\ncommand=/bin/a\nprocess_name=same\n"
		  "[program:b]\ncommand=/bin/b\nprocess_name=same\n",
		  "test.conf:6: duplicate process name \"same\" (also in "
		  "[program:a] at test.conf:1)" },
		{ "[program:a]\ncommand=/bin/a\n[program:b]\ncommand=/bin/b\n"
		  "process_name=a\n",
		  "test.conf:5: duplicate process name \"a\" (also in "
		  "[program:a] at test.conf:1)" },
		/* Includes. */
		{ "[include]\nfiles=/nonexistent-wd/x.conf\n",
		  "test.conf:2: files: /nonexistent-wd/x.conf: No such file or "
		  "directory" },
		{ "[include]\n", "test.conf:1: [include] has no files=" },
		/* The other sections. */
		{ "[supervisord]\nminfds=0\n",
		  "test.conf:2: minfds: \"0\" is not an integer from 1" },
		{ "[supervisord]\nuser=nosuchuser-warden\n",
		  "test.conf:2: user: no such user \"nosuchuser-warden\"" },
		{ "[supervisord]\nchildlogdir=/nonexistent-wd\n",
		  "test.conf:2: childlogdir: no directory /nonexistent-wd" },
		{ "[supervisord]\npidfile=/nonexistent-wd/x.pid\n",
		  "test.conf:2: pidfile: no directory /nonexistent-wd" },
		{ "[unix_http_server]\nchmod=0o8\n",
		  "test.conf:2: chmod: \"0o8\" is not an octal mode from 0 to "
		  "7777" },
		{ "[warden]\nsocket=/nonexistent-wd/s.sock\n",
		  "test.conf:2: socket: no directory /nonexistent-wd" },
		{ "[warden]\nlogfile=\n",
		  "test.conf:2: logfile: an empty path" },
		{ "[program:x]\ncommand=/bin/true\nstdout_logfile=/tmp\n",
		  "test.conf:3: stdout_logfile: /tmp is a directory" },
		{ "[program:x]\ncommand=/bin/true\n"
		  "stderr_logfile=/tmp/new/\n",
		  "test.conf:3: stderr_logfile: /tmp/new is a directory" },
		{ "[DEFAULT]\nfiles=/nonexistent-wd/x.conf\n[include]\n",
		  "test.conf:2: files: /nonexistent-wd/x.conf: No such file or "
		  "directory" },
		/* supervisord's HTTP servers. */
		{ "[unix_http_server]\nchmod=0700\n",
		  "test.conf:1: [unix_http_server] has no file=" },
		{ "[inet_http_server]\nusername=a\npassword=b\n",
		  "test.conf:1: [inet_http_server] has no port=" },
		{ "[inet_http_server]\nport=127.0.0.1:\n",
		  "test.conf:2: port: no port number in \"127.0.0.1:\"" },
		{ "[inet_http_server]\nport=127.0.0.1:70000\n",
		  "test.conf:2: port: \"70000\" is not a port number from 1 "
		  "to 65535" },
		{ "[inet_http_server]\nport=web\n",
		  "test.conf:2: port: \"web\" is not a port number from 1 "
		  "to 65535" },
		{ "[inet_http_server]\nport=0\n",
		  "test.conf:2: port: \"0\" is not a port number from 1 "
		  "to 65535" },
		{ "[inet_http_server]\nport=9001\nusername=u\n",
		  "test.conf:1: [inet_http_server] has username= without "
		  "password=: both or neither" },
		{ "[unix_http_server]\nfile=/tmp/x.sock\npassword=p\n",
		  "test.conf:1: [unix_http_server] has password= without "
		  "username=: both or neither" },
		{ "[inet_http_server]\nport=9001\nusername=u\n"
		  "password={SHA}abc\n",
		  "test.conf:4: password: {SHA} must be followed by 40 hex "
		  "digits (a SHA-1)" },
		{ "[inet_http_server]\nport=9001\nusername=u\n"
		  "password={SHA}a94a8fe5ccb19ba61c4c0873d391e987982fbbdx\n",
		  "test.conf:4: password: {SHA} must be followed by 40 hex "
		  "digits (a SHA-1)" },
		{ "[unix_http_server]\nfile=/tmp/x.sock\n"
		  "chown=nosuchuser-warden\n",
		  "test.conf:3: chown: no such user \"nosuchuser-warden\"" },
		{ "[unix_http_server]\nfile=/tmp/x.sock\n"
		  "chown=root:nosuchgroup-warden\n",
		  "test.conf:3: chown: no such group \"nosuchgroup-warden\"" },
		{ "[unix_http_server]\nfile=/tmp/x.sock\nchown=4000000000\n",
		  "test.conf:3: chown: no such user \"4000000000\"" },
		{ "[warden]\nrundir=/tmp\n[unix_http_server]\n"
		  "file=/tmp/warden.sock\n",
		  "test.conf:4: file: /tmp/warden.sock is warden's control "
		  "socket ([warden] socket=): choose another path" },
	};
	size_t	i;

	(void)state;
	for (i = 0; i < nitems(t); i++)
		load_err(t[i].text, t[i].error);
}

/* Values in messages are escaped and cut short. */
static void
test_error_vis(void **state)
{
	char	*text, *cause;
	struct config	*cf;
	char	 big[200];

	(void)state;
	load_err("[program:x]\ncommand=/bin/true\nautostart=\x1b[31m\n",
	    "test.conf:3: autostart: \"\\x1b[31m\" is not a boolean (true, "
	    "yes, on, 1 or false, no, off, 0)");
	memset(big, 'y', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	xasprintf(&text, "[program:x]\ncommand=/bin/true\nautostart=%s\n",
	    big);
	assert_int_equal(cfg_load_string("t", text, &cf, &cause), -1);
	assert_true(strlen(cause) < 200);
	assert_non_null(strstr(cause, "yyy...\""));
	free(cause);
	free(text);
}

/* No line is too long. */
static void
test_long_lines(void **state)
{
	struct config	*cf;
	char		*arg, *text;
	size_t		 n = 300000;

	(void)state;
	arg = xmalloc(n + 1);
	memset(arg, 'a', n);
	arg[n] = '\0';
	xasprintf(&text, "[program:x]\ncommand=/bin/echo %s end\n", arg);
	cf = load(text);
	argv_is(only(cf)->argv, 3, "/bin/echo", arg, "end");
	cfg_free(cf);
	free(text);
	free(arg);
}

static void
test_includes(void **state)
{
	struct config	*cf;
	struct cfg_proc	*p;
	char		 dir[] = "/tmp/warden-test-XXXXXX";
	char		*path, *s, *cause;
	int		 i;

	(void)state;
	assert_non_null(mkdtemp(dir));
	xasprintf(&path, "%s/conf.d", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	free(path);
	xasprintf(&path, "%s/main.conf", dir);
	write_file(path, "[include]\n"
	    "files = conf.d/*.conf extra.ini\n"
	    "  %(here)s/abs.ini none/*.conf\n"
	    "[program:main]\ncommand=/bin/main %(here)s\n");
	free(path);
	xasprintf(&path, "%s/extra.ini", dir);
	write_file(path, "[program:main]\npriority=5\n");
	free(path);
	xasprintf(&path, "%s/abs.ini", dir);
	write_file(path, "[group:g]\nprograms=a,b\n");
	free(path);
	xasprintf(&path, "%s/conf.d/b.conf", dir);
	write_file(path, "[program:b]\ncommand=/bin/b %(here)s\n"
	    "[include]\nfiles=nested.inc\n");
	free(path);
	xasprintf(&path, "%s/conf.d/a.conf", dir);
	write_file(path, "[program:a]\ncommand=/bin/a\nstdout_logfile=a.log\n");
	free(path);
	xasprintf(&path, "%s/conf.d/nested.inc", dir);
	write_file(path, "[program:nested]\ncommand=/bin/nested\n");
	free(path);

	xasprintf(&path, "%s/main.conf", dir);
	if (cfg_load(path, &cf, &cause) != 0)
		fail_msg("%s", cause);
	assert_string_equal(cf->path, path);
	assert_int_equal(cf->nprocs, 3);
	p = TAILQ_FIRST(&cf->procs);
	assert_string_equal(p->name, "main");
	argv_is(p->argv, 2, "/bin/main", dir);
	assert_int_equal(p->priority, 5);
	assert_string_equal(p->group, "main");
	p = TAILQ_NEXT(p, entry);
	assert_string_equal(p->name, "a");		/* sorted */
	assert_string_equal(p->group, "g");
	xasprintf(&s, "%s/conf.d/a.log", dir);	/* its own %(here)s */
	assert_string_equal(p->out.path, s);
	free(s);
	xasprintf(&s, "%s/conf.d/a.conf", dir);
	assert_string_equal(p->file, s);
	assert_int_equal(p->line, 1);
	free(s);
	p = TAILQ_NEXT(p, entry);
	assert_string_equal(p->name, "b");
	xasprintf(&s, "%s/conf.d", dir);
	argv_is(p->argv, 2, "/bin/b", s);
	free(s);
	xasprintf(&s, "%s/conf.d/b.conf:3: [include] in an included file is "
	    "ignored: includes do not nest", dir);
	warning_is(cf, s);
	free(s);
	xasprintf(&s, "%s:2: files: no file matches %s/none/*.conf", path, dir);
	warning_is(cf, s);
	free(s);
	cfg_free(cf);

	/* A literal name that is not there is an error. */
	write_file(path, "[include]\nfiles=conf.d/a.conf missing.conf\n");
	assert_int_equal(cfg_load(path, &cf, &cause), -1);
	assert_null(cf);
	xasprintf(&s, "%s:2: files: %s/missing.conf: No such file or directory",
	    path, dir);
	assert_string_equal(cause, s);
	free(s);
	free(cause);

	/* An error inside an included file names that file. */
	write_file(path, "[include]\nfiles=conf.d/*.conf\n");
	xasprintf(&s, "%s/conf.d/b.conf", dir);
	write_file(s, "[program:b]\n\ncommand=/bin/b\nautostart=perhaps\n");
	assert_int_equal(cfg_load(path, &cf, &cause), -1);
	free(path);
	xasprintf(&path, "%s:4: autostart: \"perhaps\" is not a boolean (true, "
	    "yes, on, 1 or false, no, off, 0)", s);
	assert_string_equal(cause, path);
	free(cause);
	free(path);
	free(s);

	/* A missing main file. */
	xasprintf(&path, "%s/nothing.conf", dir);
	assert_int_equal(cfg_load(path, &cf, &cause), -1);
	xasprintf(&s, "%s: No such file or directory", path);
	assert_string_equal(cause, s);
	free(s);
	free(cause);
	free(path);

	/* A NUL byte. */
	xasprintf(&path, "%s/nul.conf", dir);
	{
		FILE	*f = fopen(path, "w");

		assert_non_null(f);
		fwrite("[program:x]\ncommand=/bin/true\n\0\n", 1, 32, f);
		fclose(f);
	}
	assert_int_equal(cfg_load(path, &cf, &cause), -1);
	xasprintf(&s, "%s:3: a NUL byte", path);
	assert_string_equal(cause, s);
	free(s);
	free(cause);
	free(path);

	{
		static const char *files[] = {
			"conf.d/a.conf", "conf.d/b.conf", "conf.d/nested.inc",
			"conf.d", "main.conf", "extra.ini", "abs.ini",
			"nul.conf",
		};

		for (i = 0; i < (int)nitems(files); i++) {
			xasprintf(&path, "%s/%s", dir, files[i]);
			assert_int_equal(remove(path), 0);
			free(path);
		}
	}
	assert_int_equal(rmdir(dir), 0);
}

static void
test_proc_changed(void **state)
{
	static const char *changes[] = {
		"command=/bin/web --other\n",
		"environment=A=2\n",
		"stopsignal=INT\n",
		"stopwaitsecs=3\n",
		"startsecs=4\n",
		"startretries=9\n",
		"autorestart=true\n",
		"exitcodes=0,1\n",
		"redirect_stderr=true\n",
		"stdout_logfile=NONE\n",
		"stdout_logfile_maxbytes=1KB\n",
		"stderr_logfile_backups=1\n",
		"stdout_syslog=true\n",
		"umask=077\n",
		"user=root\n",
		"directory=/\n",
		"ready=notify\n",
		"ready_timeout=1\n",
		"stopasgroup=false\n",
		"killasgroup=false\nstopasgroup=false\n",
		"process_name=other\n",
		"stderr_syslog=true\n",
		"stderr_logfile=NONE\n",
		"stderr_logfile_maxbytes=1KB\n",
		"stdout_logfile_backups=1\n",
		"log_timestamps=iso8601\n",
		"log_line_max=1KB\n",
		"ready=notify\nwatchdog_sec=5\n",
	};
	static const char *same[] = {
		"autostart=false\n",
		"priority=1\n",
		"autostart=false\npriority=-1\n",
		"serverurl=AUTO\n",
		"numprocs_start=5\n",
		"# a comment\n",
	};
	struct config	*a, *b;
	char		*text;
	size_t		 i;
	const char	*base = "[program:web]\ncommand=/bin/web\n"
			    "environment=A=1\n";

	(void)state;
	a = load(base);
	assert_false(cfg_proc_changed(only(a), only(a)));
	for (i = 0; i < nitems(changes); i++) {
		xasprintf(&text, "%s%s", base, changes[i]);
		b = load(text);
		if (!cfg_proc_changed(only(a), only(b)))
			fail_msg("not a change: %s", changes[i]);
		cfg_free(b);
		free(text);
	}
	for (i = 0; i < nitems(same); i++) {
		xasprintf(&text, "%s%s", base, same[i]);
		b = load(text);
		if (cfg_proc_changed(only(a), only(b)))
			fail_msg("a change: %s", same[i]);
		cfg_free(b);
		free(text);
	}
	cfg_free(a);
}

/* Paths: "..", "~", %(here)s; limits on processes and warnings. */
static void
test_paths_limits(void **state)
{
	struct config	*cf;
	struct cfg_proc	*p;
	char		 dir[] = "/tmp/warden-test-XXXXXX";
	char		*text, *s, *old;
	int		 i;

	(void)state;
	assert_non_null(mkdtemp(dir));
	old = getenv("HOME") != NULL ? xstrdup(getenv("HOME")) : NULL;
	assert_int_equal(setenv("HOME", dir, 1), 0);
	xasprintf(&text, "[program:x]\ncommand=/bin/true\n"
	    "stdout_logfile=%s/./a/../out.log\nstderr_logfile=~/err.log\n"
	    "ready=pidfile:x.pid\n", dir);
	cf = load(text);
	free(text);
	xasprintf(&s, "%s/out.log", dir);
	assert_string_equal(only(cf)->out.path, s);
	free(s);
	xasprintf(&s, "%s/err.log", dir);
	assert_string_equal(only(cf)->err.path, s);
	free(s);
	cfg_free(cf);
	if (old != NULL) {
		setenv("HOME", old, 1);
		free(old);
	} else
		unsetenv("HOME");

	/* Relative to the file: name the string as if it were in dir. */
	xasprintf(&s, "%s/x.conf", dir);
	assert_int_equal(cfg_load_string(s, "[program:x]\ncommand=/bin/true\n"
	    "ready=pidfile:../run/x.pid\n", &cf, &text), 0);
	free(s);
	xasprintf(&s, "pidfile:/tmp/run/x.pid");
	assert_string_equal(only(cf)->ready, s);
	free(s);
	cfg_free(cf);

	/*
	 * A group may name an [fcgi-program:]: a plain program then, as
	 * supervisord runs it, its socket keys unused.
	 */
	cf = load("[fcgi-program:f]\ncommand=/bin/f\nsocket=tcp://:1\n"
	    "[program:a]\ncommand=/bin/a\n[group:g]\nprograms=a,f\n");
	assert_int_equal(cf->nprocs, 2);
	TAILQ_FOREACH(p, &cf->procs, entry) {
		assert_string_equal(p->group, "g");
		assert_null(p->fcgi.socket);
	}
	warning_is(cf, "test.conf:3: socket= is unused: [fcgi-program:f] is "
	    "in [group:g], which runs it as a plain program");
	assert_int_equal(cf->nwarnings, 1);
	cfg_free(cf);
	load_err("[fcgi-program:f]\ncommand=/bin/f\nsocket=tcp://:1\n"
	    "[program:f]\ncommand=/bin/a\n[group:g]\nprograms=f\n",
	    "test.conf:7: programs: f is both a [program:] and an "
	    "[fcgi-program:]");

	/* Ten thousand processes at most. */
	load_err("[program:a]\ncommand=/bin/a\nnumprocs=6000\n"
	    "process_name=a%(process_num)d\n"
	    "[program:b]\ncommand=/bin/b\nnumprocs=6000\n"
	    "process_name=b%(process_num)d\n",
	    "test.conf:7: more than 10000 processes in all");

	/* A thousand warnings, then one that says there are more. */
	text = xstrdup("[program:x]\ncommand=/bin/true\n");
	for (i = 0; i < 1100; i++) {
		xasprintf(&s, "%sk%d=v\n", text, i);
		free(text);
		text = s;
	}
	cf = load(text);
	free(text);
	assert_int_equal(cf->nwarnings, 1001);
	assert_string_equal(cf->warnings[1000], "test.conf:1003: more than "
	    "1000 warnings, the rest not shown");
	assert_null(cf->warnings[1001]);
	cfg_free(cf);
	assert_int_equal(rmdir(dir), 0);
}

/* Without -c: warden.conf before supervisord.conf; *in_cwd. */
static void
test_find(void **state)
{
	char	 dir[] = "/tmp/warden-test-XXXXXX";
	char	*old, *found, *s;
	int	 in_cwd;

	(void)state;
	if (access("/etc/warden.conf", F_OK) == 0 ||
	    access("/etc/warden/warden.conf", F_OK) == 0) {
		skip();
		return;
	}
	assert_non_null(mkdtemp(dir));
	old = getcwd(NULL, 0);
	assert_int_equal(chdir(dir), 0);
	assert_int_equal(mkdir("etc", 0700), 0);
	write_file("etc/supervisord.conf", "");
	write_file("etc/warden.conf", "");
	write_file("supervisord.conf", "");

	found = cfg_find(&in_cwd);
	xasprintf(&s, "%s/etc/warden.conf", dir);
	assert_string_equal(found, s);
	assert_int_equal(in_cwd, 1);
	free(s);
	free(found);

	write_file("warden.conf", "");
	found = cfg_find(&in_cwd);
	xasprintf(&s, "%s/warden.conf", dir);
	assert_string_equal(found, s);
	free(s);
	free(found);

	assert_int_equal(unlink("warden.conf"), 0);
	assert_int_equal(unlink("etc/warden.conf"), 0);
	found = cfg_find(&in_cwd);
	xasprintf(&s, "%s/supervisord.conf", dir);
	assert_string_equal(found, s);
	assert_int_equal(in_cwd, 1);
	free(s);
	free(found);

	assert_int_equal(unlink("supervisord.conf"), 0);
	assert_int_equal(unlink("etc/supervisord.conf"), 0);
	assert_int_equal(rmdir("etc"), 0);
	found = cfg_find(&in_cwd);
	if (found != NULL) {
		/* Only the system's own files are left. */
		assert_int_equal(in_cwd, 0);
		assert_true(strncmp(found, "/etc/", 5) == 0);
		free(found);
	}

	/* From /, /etc/... is not "in the current directory". */
	assert_int_equal(chdir("/"), 0);
	found = cfg_find(&in_cwd);
	if (found != NULL) {
		assert_int_equal(in_cwd, strcmp(found, "/warden.conf") == 0 ||
		    strcmp(found, "/supervisord.conf") == 0);
		free(found);
	}
	assert_int_equal(chdir(old), 0);
	free(old);
	assert_int_equal(rmdir(dir), 0);
}

/* The run directory may exist already (it usually does) or not yet. */
static void
test_rundir_exists(void **state)
{
	struct config	*cf;

	(void)state;
	cf = load("[warden]\nrundir = /tmp\n");
	assert_string_equal(cf->rundir, "/tmp");
	assert_string_equal(cf->socket, "/tmp/warden.sock");
	cfg_free(cf);
	cf = load("[warden]\nrundir = /nonexistent/warden-run\n");
	assert_string_equal(cf->rundir, "/nonexistent/warden-run");
	cfg_free(cf);
}

/* warden's keys of readiness and logs: values, defaults and errors. */
static void
test_warden_keys(void **state)
{
	struct config	*cf;
	struct cfg_proc	*p;

	(void)state;
	cf = load("[program:x]\ncommand=/bin/true\n");
	p = only(cf);
	assert_true(p->watchdog_sec == 0);
	assert_int_equal(p->log_timestamps, CFG_TS_NONE);
	assert_int_equal(p->log_line_max, 8192);
	cfg_free(cf);
	cf = load("[program:x]\ncommand=/bin/true\nready=notify\n"
	    "watchdog_sec=2.5\nlog_timestamps=TAI64N\nlog_line_max=64KB\n");
	p = only(cf);
	assert_true(p->watchdog_sec == 2.5);
	assert_int_equal(p->log_timestamps, CFG_TS_TAI64N);
	assert_int_equal(p->log_line_max, 65536);
	cfg_free(cf);
	load_err("[program:x]\ncommand=/bin/true\nlog_timestamps=rfc3339\n",
	    "test.conf:3: log_timestamps: \"rfc3339\" is not none, iso8601 or "
	    "tai64n");
	load_err("[program:x]\ncommand=/bin/true\nlog_line_max=100\n",
	    "test.conf:3: log_line_max: from 128 bytes to 1MB");
	load_err("[program:x]\ncommand=/bin/true\nlog_line_max=2MB\n",
	    "test.conf:3: log_line_max: from 128 bytes to 1MB");
	load_err("[program:x]\ncommand=/bin/true\nready=fd:3\n"
	    "watchdog_sec=1\n",
	    "test.conf:4: watchdog_sec= needs ready=notify");
}

/* [unix_http_server], [inet_http_server], [supervisorctl], rpcinterface. */
static void
test_http_servers(void **state)
{
	struct config	*cf;
	char		*url;

	(void)state;
	cf = load("[unix_http_server]\nfile=/tmp/s.sock\nchmod=0770\n"
	    "chown=root:root\nusername=user\npassword=123\n"
	    "[inet_http_server]\nport=LocalHost:9001\nusername=u\n"
	    "password={SHA}a94a8fe5ccb19ba61c4c0873d391e987982fbbd3\n"
	    "[supervisorctl]\nserverurl=unix:///tmp/s.sock\nusername=user\n"
	    "password=123\nprompt=x\nhistory_file=~/.h\n"
	    "[rpcinterface:supervisor]\nsupervisor.rpcinterface_factory = "
	    "supervisor.rpcinterface:make_main_rpcinterface\n"
	    "[rpcinterface:other]\nsupervisor.rpcinterface_factory = x:y\n"
	    "[program:x]\ncommand=/bin/true\n"
	    "[program:y]\ncommand=/bin/true\nserverurl=http://h:1\n"
	    "[program:z]\ncommand=/bin/true\nserverurl=auto\n");
	assert_true(cf->unix_http.on);
	assert_string_equal(cf->unix_http.file, "/tmp/s.sock");
	assert_int_equal(cf->unix_http.mode, 0770);
	assert_int_equal(cf->unix_http.uid, 0);
	assert_int_equal(cf->unix_http.gid, 0);
	assert_string_equal(cf->unix_http.username, "user");
	assert_string_equal(cf->unix_http.password, "123");
	assert_true(cf->inet_http.on);
	assert_string_equal(cf->inet_http.host, "localhost");
	assert_int_equal(cf->inet_http.port, 9001);
	assert_string_equal(cf->inet_http.username, "u");
	assert_string_equal(cf->inet_http.password,
	    "{SHA}a94a8fe5ccb19ba61c4c0873d391e987982fbbd3");
	/* Only the other rpcinterface is a warning; [supervisorctl] none. */
	warning_is(cf, "test.conf:19: [rpcinterface:other] is not "
	    "implemented in warden, ignored");
	assert_int_equal(cf->nwarnings, 1);
	/* serverurl: the unix server first; a program's own wins. */
	url = cfg_server_url(cf);
	assert_string_equal(url, "unix:///tmp/s.sock");
	free(url);
	assert_null(TAILQ_FIRST(&cf->procs)->serverurl);
	assert_string_equal(TAILQ_NEXT(TAILQ_FIRST(&cf->procs), entry)->
	    serverurl, "http://h:1");
	assert_null(TAILQ_NEXT(TAILQ_NEXT(TAILQ_FIRST(&cf->procs), entry),
	    entry)->serverurl);
	cfg_free(cf);

	/* :port and *:port are all interfaces; children get localhost. */
	cf = load("[inet_http_server]\nport=*:9002\n");
	assert_string_equal(cf->inet_http.host, "");
	assert_int_equal(cf->inet_http.port, 9002);
	assert_null(cf->inet_http.username);
	url = cfg_server_url(cf);
	assert_string_equal(url, "http://localhost:9002");
	free(url);
	cfg_free(cf);
	cf = load("[inet_http_server]\nport=:9003\n");
	assert_string_equal(cf->inet_http.host, "");
	assert_int_equal(cf->inet_http.port, 9003);
	cfg_free(cf);
	cf = load("[inet_http_server]\nport=9004\n");
	assert_string_equal(cf->inet_http.host, "");
	assert_int_equal(cf->inet_http.port, 9004);
	url = cfg_server_url(cf);
	assert_string_equal(url, "http://localhost:9004");
	free(url);
	cfg_free(cf);
	cf = load("[inet_http_server]\nport=10.0.0.1:80\n");
	url = cfg_server_url(cf);
	assert_string_equal(url, "http://10.0.0.1:80");
	free(url);
	cfg_free(cf);

	/* No server: no URL. */
	cf = load("[program:x]\ncommand=/bin/true\n");
	assert_null(cfg_server_url(cf));
	cfg_free(cf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rundir_exists),
		cmocka_unit_test(test_dialect),
		cmocka_unit_test(test_comment_in_quotes),
		cmocka_unit_test(test_shlex),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_globals),
		cmocka_unit_test(test_expansions),
		cmocka_unit_test(test_numprocs),
		cmocka_unit_test(test_groups),
		cmocka_unit_test(test_process_keys),
		cmocka_unit_test(test_warnings),
		cmocka_unit_test(test_eventlistener),
		cmocka_unit_test(test_http_servers),
		cmocka_unit_test(test_directory_missing),
		cmocka_unit_test(test_listen),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_error_vis),
		cmocka_unit_test(test_long_lines),
		cmocka_unit_test(test_includes),
		cmocka_unit_test(test_paths_limits),
		cmocka_unit_test(test_proc_changed),
		cmocka_unit_test(test_find),
		cmocka_unit_test(test_warden_keys),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
