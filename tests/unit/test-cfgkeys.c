/*
 * The [program:x] key table, row by row: each key's sample value lands in
 * that key's own field, and a reload restarts the process exactly when
 * a key that counts has changed.  [fcgi-program:x]'s socket keys are
 * rows too, read only in that section.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../src/warden.h"
#include "../../src/sup/config.h"
#include "stubs.h"

/* The program every config of this test has; the listener's keys' own. */
static const char	*base = "[program:t]\ncommand=/bin/true\n";
static const char	*lbase = "[eventlistener:t]\ncommand=/bin/true\n"
			    "events=TICK_60\n";
static const char	*listener[] = { "events", "buffer_size", "result_handler" };

/*
 * The keys of [fcgi-program:x] alone, tried there, with a unix socket:
 * socket_mode= and socket_owner= are for one.
 */
static const char	*fcgi_base = "[fcgi-program:t]\ncommand=/bin/true\n";
static const char	*fcgi_socket = "socket=unix:///run/t.sock\n";
static const char	*fcgi[] = {
	"socket", "socket_backlog", "socket_mode", "socket_owner",
};

/*
 * What some keys need beside them to change alone, in both configs:
 * numprocs=2 needs each name to differ; killasgroup=false alone turns
 * stopasgroup off too; redirect_stderr=true drops stderr's log file;
 * watchdog_sec= needs ready=notify.
 */
static const struct {
	const char	*key;
	const char	*context;
} contexts[] = {
	{ "numprocs",		"process_name=%(program_name)s_%(process_num)s\n" },
	{ "killasgroup",	"stopasgroup=false\n" },
	{ "redirect_stderr",	"stderr_logfile=NONE\n" },
	{ "watchdog_sec",	"ready=notify\n" },
};

/* Keys a reload applies without a restart. */
static const char	*reload[] = { "autostart", "priority" };

/* Keys that are no field of a process. */
static const char	*fieldless[] = {
	"numprocs", "numprocs_start", "result_handler",
};

static int
listed(const char **list, size_t n, const char *name)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (strcmp(list[i], name) == 0)
			return (1);
	return (0);
}

static const char *
context(const char *name)
{
	size_t	i;

	for (i = 0; i < nitems(contexts); i++)
		if (strcmp(contexts[i].key, name) == 0)
			return (contexts[i].context);
	return ("");
}

static size_t
nkeys(void)
{
	struct cfg_keyinfo	ki;
	size_t			n;

	for (n = 0; cfg_key_info(n, &ki) == 0; n++)
		;
	return (n);
}

/* The row of name, or fail. */
static size_t
key_index(const char *name)
{
	struct cfg_keyinfo	ki;
	size_t			n;

	for (n = 0; cfg_key_info(n, &ki) == 0; n++)
		if (strcmp(ki.name, name) == 0)
			return (n);
	fail_msg("no key %s in the table", name);
	return (0);
}

/*
 * The config without the key and the one with it at its sample; an
 * fcgi key's in an [fcgi-program:t], socket= being the key or not.
 */
static void
texts(const struct cfg_keyinfo *ki, char **ta, char **tb)
{
	if (!listed(fcgi, nitems(fcgi), ki->name)) {
		xasprintf(ta, "%s%s", listed(listener, nitems(listener),
		    ki->name) ? lbase : base, context(ki->name));
		xasprintf(tb, "%s%s=%s\n", *ta, ki->name, ki->sample);
	} else if (strcmp(ki->name, "socket") == 0) {
		xasprintf(ta, "%s%s", fcgi_base, fcgi_socket);
		xasprintf(tb, "%ssocket=%s\n", fcgi_base, ki->sample);
	} else {
		xasprintf(ta, "%s%s", fcgi_base, fcgi_socket);
		xasprintf(tb, "%s%s=%s\n", *ta, ki->name, ki->sample);
	}
}

static struct config *
load(const char *text)
{
	struct config	*cf;
	char		*cause = NULL;

	if (cfg_load_string("test.conf", text, &cf, &cause) != 0)
		fail_msg("unexpected error: %s\n--- in:\n%s", cause, text);
	assert_non_null(cf);
	assert_true(cf->nprocs >= 1);
	return (cf);
}

/* The table is what the lists here name, each row with a sample. */
static void
test_table(void **state)
{
	struct cfg_keyinfo	ki, kj;
	size_t			i, j, n;

	(void)state;
	n = nkeys();
	assert_true(n > 30);
	for (i = 0; i < n; i++) {
		assert_int_equal(cfg_key_info(i, &ki), 0);
		if (ki.sample == NULL)
			fail_msg("%s= has no sample", ki.name);
		for (j = i + 1; j < n; j++) {
			assert_int_equal(cfg_key_info(j, &kj), 0);
			if (strcmp(ki.name, kj.name) == 0)
				fail_msg("%s= twice", ki.name);
		}
	}
	for (i = 0; i < nitems(contexts); i++)
		(void)key_index(contexts[i].key);
	for (i = 0; i < nitems(reload); i++)
		(void)key_index(reload[i]);
	for (i = 0; i < nitems(fieldless); i++)
		(void)key_index(fieldless[i]);
	for (i = 0; i < nitems(fcgi); i++)
		(void)key_index(fcgi[i]);
	for (i = 0; i < nitems(listener); i++)
		(void)key_index(listener[i]);
	assert_int_equal(cfg_key_info(n, &ki), -1);
	assert_false(cfg_key_differ(n, NULL, NULL));
}

/*
 * Every key: the default against its sample.  The sample's field differs
 * and no other row's; the proc has changed exactly when the key counts.
 */
static void
test_rows(void **state)
{
	struct config		*a, *b;
	struct cfg_proc		*pa, *pb;
	struct cfg_keyinfo	 ki, kj;
	size_t			 i, j, n;
	char			*ta, *tb;
	int			 has_field, counts, d;

	(void)state;
	n = nkeys();
	for (i = 0; i < n; i++) {
		assert_int_equal(cfg_key_info(i, &ki), 0);
		has_field = !listed(fieldless, nitems(fieldless), ki.name);
		counts = has_field && !listed(reload, nitems(reload), ki.name);
		texts(&ki, &ta, &tb);
		a = load(ta);
		b = load(tb);
		pa = TAILQ_FIRST(&a->procs);
		pb = TAILQ_FIRST(&b->procs);
		assert_false(cfg_proc_changed(pa, pa));
		for (j = 0; j < n; j++) {
			assert_int_equal(cfg_key_info(j, &kj), 0);
			d = cfg_key_differ(j, pa, pb);
			if (j == i && d != has_field)
				fail_msg("%s=%s: %s", ki.name, ki.sample,
				    d ? "a field changed, but it has none" :
				    "its field did not change");
			if (j != i && d)
				fail_msg("%s=%s: the field of %s= changed",
				    ki.name, ki.sample, kj.name);
		}
		if (cfg_proc_changed(pa, pb) != counts)
			fail_msg("%s=%s: %s", ki.name, ki.sample, counts ?
			    "not a change" : "a change, needing a restart");
		if (ki.restart != counts)
			fail_msg("%s=: restart is %d", ki.name, ki.restart);
		cfg_free(b);
		cfg_free(a);
		free(tb);
		free(ta);
	}
}

/*
 * The fcgi keys in a [program:x]: warned about, and no field of its
 * process changes.
 */
static void
test_fcgi_elsewhere(void **state)
{
	struct config		*a, *b;
	char			*tb, *want;
	size_t			 i, j, n;

	(void)state;
	n = nkeys();
	a = load(base);
	for (i = 0; i < nitems(fcgi); i++) {
		j = key_index(fcgi[i]);
		xasprintf(&tb, "%s%s=%s\n", base, fcgi[i],
		    strcmp(fcgi[i], "socket") == 0 ? "tcp://127.0.0.1:1" :
		    "1");
		b = load(tb);
		assert_true(j < n);
		if (cfg_proc_changed(TAILQ_FIRST(&a->procs),
		    TAILQ_FIRST(&b->procs)))
			fail_msg("%s= in [program:t] changed the process",
			    fcgi[i]);
		assert_int_equal(b->nwarnings, 1);
		xasprintf(&want, "test.conf:3: %s= is a key of "
		    "[fcgi-program:x], ignored in [program:t]", fcgi[i]);
		assert_string_equal(b->warnings[0], want);
		free(want);
		cfg_free(b);
		free(tb);
	}
	cfg_free(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_fcgi_elsewhere),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
