/*
 * The log engine's test fixture, for test-svclog.c and
 * test-svclog-file.c: a service "t" whose stdout goes to dir/out.log (or
 * a path), stderr to AUTO, in its own loop; pump() turns the loop once.
 * Include after <cmocka.h>, "sup.h", "logs.h" and "cleanup.h".
 */
#ifndef WARDEN_TEST_SVCLOG_H
#define WARDEN_TEST_SVCLOG_H

#include <sys/epoll.h>
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SPLIT	" [warden: line split]\n"
#define NONL	" [warden: no newline]\n"

struct fixture {
	char		 dir[64];
	struct config	 cf;
	struct sup	 sup;
	struct svc	 svc;
	struct cfg_proc	 proc;
	int		 stop[2];	/* a byte here ends one loop turn */
	int		 w[2];		/* the service's ends: OUTW, ERRW */
};

#include "pipew.h"

#define OUTW(f)	pipe_writer(&(f)->w[0], (f)->svc.out)
#define ERRW(f)	pipe_writer(&(f)->w[1], (f)->svc.err)

/* What the loop's turn is to hold on to. */
static inline void
stop_cb(int fd, uint32_t events, void *arg)
{
	struct fixture	*f = arg;
	char		 c;

	(void)events;
	(void)!read(fd, &c, 1);
	loop_stop(f->sup.loop);
}

/*
 * A service "t" whose stdout goes to dir/out.log (or path, when not
 * NULL: kind PATH), stderr to AUTO; cap is log_line_max.
 */
static inline struct fixture *
fixture_new(const char *path, size_t cap, int stamps, uint64_t maxbytes,
    int backups)
{
	struct fixture	*f;

	svclog_pause_set(0);		/* pump() reads once a turn */
	f = xcalloc(1, sizeof *f);
	snprintf(f->dir, sizeof f->dir, "/tmp/test-svclog.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	tmp_keep(f->dir);
	f->cf.childlogdir = f->dir;
	f->sup.cfg = &f->cf;
	f->sup.loop = loop_new();
	f->proc.name = xstrdup("t");
	f->proc.log_line_max = (long)cap;
	f->proc.log_timestamps = stamps;
	f->proc.out.kind = CFG_LOG_PATH;
	if (path != NULL)
		f->proc.out.path = xstrdup(path);
	else
		xasprintf(&f->proc.out.path, "%s/out.log", f->dir);
	f->proc.out.maxbytes = maxbytes;
	f->proc.out.backups = backups;
	f->proc.err.kind = CFG_LOG_AUTO;
	f->svc.sup = &f->sup;
	f->svc.cfg = &f->proc;
	f->svc.state = SVC_RUNNING;
	assert_int_equal(pipe(f->stop), 0);
	assert_int_equal(loop_add(f->sup.loop, f->stop[0], EPOLLIN,
	    stop_cb, f), 0);
	return (f);
}

/* Open the service's streams, as a spawn would. */
static inline void
fixture_open(struct fixture *f)
{
	assert_int_equal(svclog_open(&f->svc), 0);
}

/* Close the streams (their last words written) and remove the dir. */
static inline void
fixture_free(struct fixture *f)
{
	pipe_writers_close(f->w, 2);
	svclog_close(&f->svc);
	loop_del(f->sup.loop, f->stop[0]);
	close(f->stop[0]);
	close(f->stop[1]);
	loop_free(f->sup.loop);
	free(f->proc.out.path);
	free(f->proc.name);
	tmp_done();
	free(f);
}

/* One turn of the loop: the pipes are read once, as the loop would. */
static inline void
pump(struct fixture *f)
{
	assert_int_equal(write(f->stop[1], "x", 1), 1);
	loop_run(f->sup.loop);
}

/* The whole of dir/name in a new buffer, *lenp bytes; NULL if none. */
static inline char *
slurp(struct fixture *f, const char *name, size_t *lenp)
{
	char		 path[128], *buf;
	struct stat	 st;
	FILE		*fp;
	size_t		 n;

	snprintf(path, sizeof path, "%s/%s", f->dir, name);
	if ((fp = fopen(path, "r")) == NULL)
		return (NULL);
	assert_int_equal(fstat(fileno(fp), &st), 0);
	buf = xmalloc((size_t)st.st_size + 1);
	n = fread(buf, 1, (size_t)st.st_size, fp);
	buf[n] = '\0';
	fclose(fp);
	if (lenp != NULL)
		*lenp = n;
	return (buf);
}

/* dir/name holds exactly want. */
static inline void
file_is(struct fixture *f, const char *name, const char *want)
{
	char	*got;

	got = slurp(f, name, NULL);
	if (got == NULL)
		fail_msg("%s: missing", name);
	assert_string_equal(got, want);
	free(got);
}

/* Is there a dir/name? */
static inline int
file_exists(struct fixture *f, const char *name)
{
	char		path[128];
	struct stat	st;

	snprintf(path, sizeof path, "%s/%s", f->dir, name);
	return (stat(path, &st) == 0);
}

/* Write len bytes to the service's end of a pipe. */
static inline void
put(int fd, const char *s, size_t len)
{
	assert_int_equal(write(fd, s, len), (ssize_t)len);
}

/* Write a string there. */
static inline void
puts_fd(int fd, const char *s)
{
	put(fd, s, strlen(s));
}

/* What the log hook saw, joined. */
static char	hooked[4096];

/* Each line of the supervisor's log, kept in hooked. */
static inline void
hook_cb(const char *line, size_t len)
{
	size_t	n = strlen(hooked);

	if (n + len < sizeof hooked) {
		memcpy(hooked + n, line, len);
		hooked[n + len] = '\0';
	}
}

#endif
