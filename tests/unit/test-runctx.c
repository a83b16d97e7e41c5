/*
 * run-ctx.c: what a failed start shows of the command's stderr file
 * (only what it wrote since the start, its last RUN_TAIL_MAX bytes,
 * ending in a newline), and freeing a run context.
 */
#include <sys/stat.h>

#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../src/warden.h"
#include "stubs.h"
#include "cleanup.h"

/* A run context whose stderr is a temp file holding before. */
static void
ctx_init(struct run_ctx *ctx, char *dir, size_t len, const char *before)
{
	char	path[128];

	memset(ctx, 0, sizeof *ctx);
	ctx->relayfd = -1;
	snprintf(dir, len, "/tmp/test-runctx.XXXXXX");
	assert_non_null(mkdtemp(dir));
	tmp_keep(dir);
	snprintf(path, sizeof path, "%s/err", dir);
	assert_true((ctx->errfd = open(path, O_RDWR|O_CREAT|O_APPEND|
	    O_CLOEXEC, 0600)) != -1);
	assert_int_equal(write(ctx->errfd, before, strlen(before)),
	    (ssize_t)strlen(before));
	ctx->err_start = (off_t)strlen(before);
}

/* Close the stderr file and remove the dir. */
static void
ctx_fini(struct run_ctx *ctx)
{
	close(ctx->errfd);
	tmp_done();
}

/* The command writes s on its stderr. */
static void
say(struct run_ctx *ctx, const char *s)
{
	assert_int_equal(write(ctx->errfd, s, strlen(s)), (ssize_t)strlen(s));
}

static void
test_tail_since_start(void **state)
{
	struct run_ctx	ctx;
	char		dir[64], buf[256];

	(void)state;
	ctx_init(&ctx, dir, sizeof dir, "an earlier run's words\n");
	/* Nothing written since the start: nothing to show. */
	strcpy(buf, "junk");
	run_tail(&ctx, buf, sizeof buf);
	assert_string_equal(buf, "");
	say(&ctx, "cannot bind: in use\n");
	run_tail(&ctx, buf, sizeof buf);
	assert_string_equal(buf, "cannot bind: in use\n");
	/* No final newline: one is added. */
	say(&ctx, "and then");
	run_tail(&ctx, buf, sizeof buf);
	assert_string_equal(buf, "cannot bind: in use\nand then\n");
	/* No stderr file to look at (err_start -1): nothing. */
	ctx.err_start = -1;
	run_tail(&ctx, buf, sizeof buf);
	assert_string_equal(buf, "");
	ctx_fini(&ctx);
}

static void
test_tail_bounded(void **state)
{
	struct run_ctx	 ctx;
	char		 dir[64], *big, *buf, small[8];
	size_t		 i;

	(void)state;
	ctx_init(&ctx, dir, sizeof dir, "");
	big = xmalloc(10001);
	for (i = 0; i < 10000; i++)
		big[i] = (char)('a' + i % 26);
	big[10000] = '\0';
	say(&ctx, big);
	buf = xmalloc(RUN_TAIL_MAX + 64);
	run_tail(&ctx, buf, RUN_TAIL_MAX + 64);
	/* The last RUN_TAIL_MAX bytes, and the newline. */
	assert_int_equal(strlen(buf), RUN_TAIL_MAX + 1);
	assert_memory_equal(buf, big + 10000 - RUN_TAIL_MAX, RUN_TAIL_MAX);
	assert_int_equal(buf[RUN_TAIL_MAX], '\n');
	/* A small buffer: its last len - 2 bytes, the newline, the NUL. */
	run_tail(&ctx, small, sizeof small);
	assert_string_equal(small, "klmnop\n");
	assert_memory_equal(small, big + 10000 - 6, 6);
	/* Exactly one byte more than fits: the newline still has room. */
	ctx.err_start = 10000 - 7;
	run_tail(&ctx, small, sizeof small);
	assert_string_equal(small, "klmnop\n");
	ctx.err_start = 10000 - 6;
	run_tail(&ctx, small, sizeof small);
	assert_string_equal(small, "klmnop\n");
	/* Below two bytes there is no room for anything. */
	small[0] = 'x';
	run_tail(&ctx, small, 1);
	assert_string_equal(small, "");
	free(buf);
	free(big);
	ctx_fini(&ctx);
}

static void
test_ctx_free(void **state)
{
	struct run_ctx	ctx;
	int		n = 0;

	(void)state;
	memset(&ctx, 0, sizeof ctx);
	ctx.name = xstrdup("web");
	ctx.argv0 = xstrdup("/usr/bin/web");
	ctx.envp = env_set(NULL, &n, "A=1");
	ctx.envp = env_set(ctx.envp, &n, "B=2");
	ctx.ready.host = xstrdup("::1");
	ctx.ready.port = xstrdup("80");
	run_ctx_free(&ctx);
	assert_null(ctx.name);
	assert_null(ctx.argv0);
	assert_null(ctx.envp);
	assert_null(ctx.ready.host);
	assert_null(ctx.ready.port);
	/* Twice, and on a context never filled: harmless. */
	run_ctx_free(&ctx);
	memset(&ctx, 0, sizeof ctx);
	run_ctx_free(&ctx);
}

/*
 * The stderr relay: it keeps the last RUN_TAIL_MAX bytes while asked,
 * and once detached reads and drops, so that a writer never blocks.
 */
static void
test_relay(void **state)
{
	struct run_ctx	ctx;
	char		big[RUN_TAIL_MAX + 100], buf[RUN_TAIL_MAX + 2];
	size_t		n;
	int		errfd, i;

	(void)state;
	memset(&ctx, 0, sizeof ctx);
	ctx.relayfd = -1;
	assert_int_equal(relay_start(&ctx, &errfd), 0);
	assert_true(ctx.relayfd != -1);
	/* Nothing written yet: nothing kept. */
	assert_int_equal(relay_tail(&ctx, buf, sizeof buf), 0);
	assert_string_equal(buf, "");
	assert_int_equal(write(errfd, "boom\n", 5), 5);
	assert_int_equal(relay_tail(&ctx, buf, sizeof buf), 5);
	assert_string_equal(buf, "boom\n");
	/* More than it keeps: the end of it, cut to fit what we give. */
	memset(big, 'x', sizeof big);
	big[sizeof big - 1] = 'E';
	assert_int_equal(write(errfd, big, sizeof big), (ssize_t)sizeof big);
	n = relay_tail(&ctx, buf, sizeof buf);
	assert_int_equal(n, RUN_TAIL_MAX);
	assert_int_equal(buf[n - 1], 'E');
	assert_int_equal(buf[0], 'x');
	n = relay_tail(&ctx, buf, 11);
	assert_int_equal(n, 10);
	assert_string_equal(buf, "xxxxxxxxxE");
	/* Detached: a megabyte goes, though nobody keeps it. */
	relay_detach(&ctx);
	assert_int_equal(ctx.relayfd, -1);
	assert_int_equal(relay_tail(&ctx, buf, sizeof buf), 0);
	for (i = 0; i < 256; i++)
		assert_int_equal(write(errfd, big, 4096), 4096);
	close(errfd);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_tail_since_start,
		    cleanup_teardown),
		cmocka_unit_test_teardown(test_tail_bounded, cleanup_teardown),
		cmocka_unit_test_teardown(test_ctx_free, cleanup_teardown),
		cmocka_unit_test(test_relay),
	};

	return (cmocka_run_group_tests_name("runctx", tests, NULL, NULL));
}
