/*
 * The run context: what "warden run" prepares (cmd-run.c) and the
 * monitor keeps (monitor.c), read and freed here by both.
 */
#include <sys/stat.h>

#include <stdlib.h>
#include <unistd.h>

#include "warden.h"

/*
 * What the command wrote to its stderr since we started it (the last
 * RUN_TAIL_MAX bytes at most), from its file or its relay, into buf,
 * ending in a newline; "" when there is nothing to show.
 */
void
run_tail(struct run_ctx *ctx, char *buf, size_t len)
{
	struct stat	 sb;
	off_t		 from;
	ssize_t		 n;
	size_t		 want;

	buf[0] = '\0';
	if (len >= 2 && ctx->relayfd != -1) {
		if ((n = (ssize_t)relay_tail(ctx, buf, len - 1)) > 0 &&
		    buf[n - 1] != '\n') {
			buf[n++] = '\n';
			buf[n] = '\0';
		}
		return;
	}
	if (len < 2 || ctx->err_start < 0 || fstat(ctx->errfd, &sb) == -1 ||
	    sb.st_size <= ctx->err_start)
		return;
	want = (size_t)(sb.st_size - ctx->err_start);
	if (want > RUN_TAIL_MAX)
		want = RUN_TAIL_MAX;
	if (want > len - 2)
		want = len - 2;
	from = sb.st_size - (off_t)want;
	if ((n = pread(ctx->errfd, buf, want, from)) <= 0) {
		buf[0] = '\0';
		return;
	}
	if (buf[n - 1] != '\n')
		buf[n++] = '\n';
	buf[n] = '\0';
}

/* Free what run_prepare() allocated (the fds go with the process). */
void
run_ctx_free(struct run_ctx *ctx)
{
	char	**e;

	for (e = ctx->envp; e != NULL && *e != NULL; e++)
		free(*e);
	free(ctx->envp);
	free(ctx->name);
	ready_spec_free(&ctx->ready);
	free(ctx->argv0);
	ctx->argv0 = NULL;
	while (ctx->nlisten > 0)
		free(ctx->socks[--ctx->nlisten].addr);
	free(ctx->socks);
	free(ctx->listen_fds);
	ctx->socks = NULL;
	ctx->listen_fds = NULL;
	ctx->envp = NULL;
	ctx->name = NULL;
}
