/*
 * fakesvc: a service whose behaviour the tests choose.
 *
 *   fakesvc [-m FILE] [-d SEC] [-n | -f N | -l PORT] [-e MSG] [-x STATUS]
 *           [-k SIG] [-i] [-s SEC]
 *
 *   -m FILE  write FILE (the moment of readiness) just before reporting it
 *   -d SEC   wait SEC seconds before getting ready
 *   -n       report readiness with sd_notify READY=1
 *   -f N     report readiness with a newline on fd N, then close it
 *   -l PORT  listen on 127.0.0.1:PORT once ready
 *   -e MSG   print MSG on stderr at start
 *   -x N     exit with status N instead of getting ready
 *   -k SIG   kill ourselves with SIG instead of getting ready
 *   -i       ignore SIGTERM
 *   -s SEC   after ready, run for SEC seconds (default: until killed)
 */
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <err.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <warden.h>

static void
fakesvc_sleep(double secs)
{
	struct timespec	ts;

	ts.tv_sec = (time_t)secs;
	ts.tv_nsec = (long)((secs - (double)ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) == -1)
		;
}

int
main(int argc, char **argv)
{
	const char		*mark = NULL, *msg = NULL;
	double			 delay = 0, run = -1;
	int			 ch, notify = 0, fd = -1, port = 0, status = -1;
	int			 sig = 0, s, one = 1;
	struct sockaddr_in	 sin;

	while ((ch = getopt(argc, argv, "m:d:nf:l:e:x:k:is:")) != -1) {
		switch (ch) {
		case 'm': mark = optarg; break;
		case 'd': delay = atof(optarg); break;
		case 'n': notify = 1; break;
		case 'f': fd = atoi(optarg); break;
		case 'l': port = atoi(optarg); break;
		case 'e': msg = optarg; break;
		case 'x': status = atoi(optarg); break;
		case 'k': sig = atoi(optarg); break;
		case 'i': signal(SIGTERM, SIG_IGN); break;
		case 's': run = atof(optarg); break;
		default:
			errx(2, "usage: fakesvc [-m FILE] [-d SEC] [-n|-f N|-l PORT]"
			    " [-e MSG] [-x N] [-k SIG] [-i] [-s SEC]");
		}
	}
	if (msg != NULL)
		fprintf(stderr, "%s\n", msg);
	if (delay > 0)
		fakesvc_sleep(delay);
	if (status >= 0)
		exit(status);
	if (sig > 0)
		raise(sig);
	if (port > 0) {
		if ((s = socket(AF_INET, SOCK_STREAM, 0)) == -1)
			err(1, "socket");
		setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
		memset(&sin, 0, sizeof sin);
		sin.sin_family = AF_INET;
		sin.sin_port = htons((unsigned short)port);
		sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		if (bind(s, (struct sockaddr *)&sin, sizeof sin) == -1)
			err(1, "bind 127.0.0.1:%d", port);
	}
	if (mark != NULL) {
		FILE *fp = fopen(mark, "w");

		if (fp == NULL)
			err(1, "%s", mark);
		fprintf(fp, "%ld\n", (long)getpid());
		fclose(fp);
	}
	if (port > 0 && listen(s, 16) == -1)
		err(1, "listen");
	if (notify && wd_notify("READY=1") != 1)
		err(1, "notify");
	if (fd >= 0) {
		if (write(fd, "\n", 1) != 1)
			err(1, "write fd %d", fd);
		close(fd);
	}
	if (run >= 0) {
		fakesvc_sleep(run);
		return (0);
	}
	for (;;)
		pause();
}
