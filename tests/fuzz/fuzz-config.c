/*
 * libFuzzer harness for the supervisor's config reader (src/sup/config.c).
 *
 *	clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE \
 *	    -DWARDEN_FUZZING -DCFG_MAXPROCS=64 -Iinclude -Isrc \
 *	    tests/fuzz/fuzz-config.c src/sup/config.c src/sup/cfg-*.c \
 *	    src/xmalloc.c src/util.c lib/[a-z]*.c -o /tmp/fuzz-config
 *	cd "$(mktemp -d)" && /tmp/fuzz-config -max_total_time=60 \
 *	    CORPUS /work/main/tests/sys/config-data
 *
 * WARDEN_FUZZING keeps [include] in the working directory (no absolute
 * paths, no ".."), so that the fuzzer cannot wander the filesystem or
 * block on a FIFO; CFG_MAXPROCS=64 keeps numprocs= cheap.  stdin is
 * /dev/null for the same reason.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../src/warden.h"
#include "../../src/sup/config.h"
#include "../unit/stubs.h"

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	int	fd;

	(void)argc;
	(void)argv;
	if ((fd = open("/dev/null", O_RDONLY)) != -1) {
		dup2(fd, STDIN_FILENO);
		if (fd != STDIN_FILENO)
			close(fd);
	}
	return (0);
}

/* What a loaded config promises its users. */
static void
fuzz_check(struct config *cf)
{
	struct cfg_proc	*p;
	int		 n = 0, i;

	if (cf->socket == NULL || cf->pidfile == NULL ||
	    cf->rundir == NULL || cf->childlogdir == NULL ||
	    cf->env == NULL || cf->warnings == NULL ||
	    cf->warnings[cf->nwarnings] != NULL)
		abort();
	for (i = 0; i < cf->nwarnings; i++)
		if (strstr(cf->warnings[i], ":") == NULL)
			abort();
	TAILQ_FOREACH(p, &cf->procs, entry) {
		if (p->argv == NULL || p->argv[0] == NULL || p->env == NULL ||
		    p->name == NULL || *p->name == '\0' || p->group == NULL ||
		    p->program == NULL || p->file == NULL ||
		    (p->out.kind == CFG_LOG_PATH && p->out.path == NULL) ||
		    (p->err.kind == CFG_LOG_PATH && p->err.path == NULL) ||
		    (p->stopasgroup && !p->killasgroup))
			abort();
		if (cfg_proc_changed(p, p))
			abort();
		(void)cfg_exitcode_expected(p, p->process_num & 0xff);
		n++;
	}
	if (n != cf->nprocs)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config	 *cf;
	char		 *text, *cause = NULL, **argv;

	text = malloc(size + 1);
	if (text == NULL)
		return (0);
	memcpy(text, data, size);
	text[size] = '\0';
	if (cfg_load_string("fuzz.conf", text, &cf, &cause) == 0) {
		if (cause != NULL)
			abort();
		fuzz_check(cf);
		cfg_free(cf);
	} else {
		/* Every error says where: "fuzz.conf:LINE: ..." or a file. */
		if (cf != NULL || cause == NULL || strchr(cause, ':') == NULL)
			abort();
		free(cause);
	}

	/* The same bytes as a command line. */
	cause = NULL;
	if ((argv = cfg_shlex(text, &cause)) != NULL)
		cfg_strv_free(argv);
	else if (cause == NULL)
		abort();
	free(cause);
	free(text);
	return (0);
}
