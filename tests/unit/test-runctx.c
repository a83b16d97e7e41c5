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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_tail_since_start,
		    cleanup_teardown),
		cmocka_unit_test_teardown(test_tail_bounded, cleanup_teardown),
		cmocka_unit_test_teardown(test_ctx_free, cleanup_teardown),
	};

	return (cmocka_run_group_tests_name("runctx", tests, NULL, NULL));
}
