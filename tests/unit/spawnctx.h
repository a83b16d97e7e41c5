/*
 * What test-spawn.c and test-spawn-start.c share: spawn.c's stages by
 * number, a temp dir with stdout and stderr files for the children, a
 * process's group and session.  Include after <cmocka.h> and
 * "cleanup.h".
 */
#ifndef WARDEN_TEST_SPAWN_H
#define WARDEN_TEST_SPAWN_H

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* The stages, in spawn.c's order. */
enum {
	ST_NONE, ST_FORK, ST_SETSID, ST_PGRP, ST_SIGNALS, ST_STDIO,
	ST_READYFD, ST_CHDIR, ST_FDS, ST_CREDS, ST_MASK, ST_EXEC
};


/* pgrp and session of pid, from /proc/pid/stat. */
static inline void
proc_ids(pid_t pid, long *pgrp, long *sid)
{
	struct wd_proc_stat	st;

	assert_int_equal(wd_proc_stat(pid, &st), 0);
	*pgrp = (long)st.pgrp;
	*sid = (long)st.session;
}


struct ctx {
	char		 dir[64];
	char		 out[128], err[128];
	int		 outfd, errfd;
};

/* A temp dir with the files out and err, open for the children. */
static inline void
ctx_init(struct ctx *c)
{
	snprintf(c->dir, sizeof c->dir, "/tmp/test-spawn.XXXXXX");
	assert_non_null(mkdtemp(c->dir));
	tmp_keep(c->dir);
	snprintf(c->out, sizeof c->out, "%s/out", c->dir);
	snprintf(c->err, sizeof c->err, "%s/err", c->dir);
	assert_true((c->outfd = open(c->out, O_WRONLY|O_CREAT|O_CLOEXEC,
	    0600)) != -1);
	assert_true((c->errfd = open(c->err, O_WRONLY|O_CREAT|O_CLOEXEC,
	    0600)) != -1);
}

/* Close the files and remove the dir. */
static inline void
ctx_fini(struct ctx *c)
{
	close(c->outfd);
	close(c->errfd);
	tmp_done();
}


#endif
