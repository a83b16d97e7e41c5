/*
 * libd MODE [PIDFILE] [MARK]: a program that becomes a daemon through
 * libwarden and then behaves as MODE says.
 *
 *   ready    print "libd: starting" to stderr, write MARK, wd_ready()
 *   fail     print "libd: cannot open the database", wd_fail(4), exit 4
 *   die      print "libd: dying", exit 5 before ready
 *   crash    raise SIGUSR1 before ready
 *   hang     never ready (ready_timeout 1 s)
 *   stubborn never ready (ready_timeout 1 s), SIGTERM ignored; pid in MARK
 *   daemon3  wd_daemon(0, 0), daemon(3)'s interface
 *   fg       WD_DAEMON_FOREGROUND, then ready
 *   noclose  wd_daemon(0, 1), then "libd: stderr kept" on stderr
 *   slow     ready only after 60 s (no timeout)
 * $LIBD_USER, when set, is the user to become; $LIBD_OUTPUT the log.
 * Once ready it waits for SIGTERM, removes its pidfile and exits 0.
 */
#include <err.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <warden.h>

static void
libd_mark(const char *mark)
{
	FILE	*fp;

	if (mark == NULL)
		return;
	if ((fp = fopen(mark, "w")) == NULL)
		err(1, "%s", mark);
	fprintf(fp, "%ld\n", (long)getpid());
	fclose(fp);
}

int
main(int argc, char **argv)
{
	struct wd_daemon_conf	 c;
	const char		*mode, *mark;
	sigset_t		 set;
	int			 sig;

	if (argc < 2)
		errx(2, "usage: libd MODE [PIDFILE] [MARK]");
	mode = argv[1];
	mark = argc > 3 ? argv[3] : NULL;
	memset(&c, 0, sizeof c);
	c.umask = -1;
	c.pidfile = argc > 2 && argv[2][0] != '\0' ? argv[2] : NULL;
	if (strcmp(mode, "hang") == 0 || strcmp(mode, "stubborn") == 0)
		c.ready_timeout = 1;
	if (strcmp(mode, "fg") == 0)
		c.flags |= WD_DAEMON_FOREGROUND;
	c.user = getenv("LIBD_USER");
	c.output = getenv("LIBD_OUTPUT");
	if (strcmp(mode, "daemon3") == 0 || strcmp(mode, "noclose") == 0) {
		if (wd_daemon(0, strcmp(mode, "noclose") == 0) == -1)
			err(1, "wd_daemon");
		libd_mark(mark);
		if (strcmp(mode, "noclose") == 0) {
			fprintf(stderr, "libd: stderr kept\n");
			fflush(stderr);
		}
	} else if (wd_daemonize(&c) == -1) {
		if (errno == EEXIST)
			errx(1, "already running, pid %ld",
			    (long)wd_pidfile_read(c.pidfile));
		err(1, "daemonize");
	}
	if (strcmp(mode, "fail") == 0) {
		fprintf(stderr, "libd: cannot open the database\n");
		wd_fail(4);
		exit(4);
	}
	if (strcmp(mode, "die") == 0) {
		fprintf(stderr, "libd: dying\n");
		exit(5);
	}
	if (strcmp(mode, "crash") == 0)
		raise(SIGUSR1);
	if (strcmp(mode, "stubborn") == 0) {
		signal(SIGTERM, SIG_IGN);
		libd_mark(mark);
	}
	if (strcmp(mode, "hang") == 0 || strcmp(mode, "stubborn") == 0)
		for (;;)
			pause();
	if (strcmp(mode, "slow") == 0) {
		libd_mark(mark);
		sleep(60);
	}
	if (strcmp(mode, "ready") == 0 || strcmp(mode, "fg") == 0 ||
	    strcmp(mode, "slow") == 0) {
		fprintf(stderr, "libd: starting\n");
		usleep(300000);
		libd_mark(mark);
		if (wd_ready() == -1)
			err(1, "wd_ready");
	}
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_BLOCK, &set, NULL);
	sigwait(&set, &sig);
	wd_cleanup();
	return (0);
}
