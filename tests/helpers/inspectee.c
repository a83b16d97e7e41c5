/*
 * inspectee [-p PIDFILE [-n PID]] [-s] [-b] READY: a process for warden
 * inspect to look at.  Sets itself up as asked, writes READY (atomically),
 * then waits until killed (ten minutes at most).
 *
 *	-p FILE	lock FILE as a pidfile with libwarden
 *	-n PID	the pid written in it (default: ours)
 *	-s	block SIGTERM and read it from a signalfd
 *	-b	block SIGUSR1, with no signalfd for it
 */
#include <sys/signalfd.h>

#include <err.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <warden.h>

int
main(int argc, char **argv)
{
	struct wd_pidfile	 pf;
	sigset_t		 set;
	const char		*pidfile = NULL;
	char			 tmp[4096];
	pid_t			 names;
	FILE			*fp;
	int			 ch, sfd = 0, blk = 0;

	names = getpid();
	while ((ch = getopt(argc, argv, "bn:p:s")) != -1) {
		switch (ch) {
		case 'b':
			blk = 1;
			break;
		case 'n':
			names = (pid_t)atol(optarg);
			break;
		case 'p':
			pidfile = optarg;
			break;
		case 's':
			sfd = 1;
			break;
		default:
			fprintf(stderr, "usage: inspectee [-p PIDFILE [-n PID]]"
			    " [-s] [-b] READY\n");
			return (2);
		}
	}
	if (optind != argc - 1)
		errx(2, "READY file missing");
	if (pidfile != NULL) {
		if (wd_pidfile_open(&pf, pidfile) == -1)
			err(1, "%s", pidfile);
		if (wd_pidfile_write(&pf, names) == -1)
			err(1, "%s", pidfile);
	}
	if (sfd) {
		sigemptyset(&set);
		sigaddset(&set, SIGTERM);
		if (sigprocmask(SIG_BLOCK, &set, NULL) == -1 ||
		    signalfd(-1, &set, SFD_CLOEXEC) == -1)
			err(1, "signalfd");
	}
	if (blk) {
		sigemptyset(&set);
		sigaddset(&set, SIGUSR1);
		if (sigprocmask(SIG_BLOCK, &set, NULL) == -1)
			err(1, "sigprocmask");
	}
	snprintf(tmp, sizeof tmp, "%s.tmp", argv[optind]);
	if ((fp = fopen(tmp, "w")) == NULL)
		err(1, "%s", tmp);
	fprintf(fp, "%ld\n", (long)getpid());
	if (fclose(fp) == EOF || rename(tmp, argv[optind]) == -1)
		err(1, "%s", argv[optind]);
	alarm(600);
	for (;;)
		pause();
}
