/*
 * readyping: the service of bench/ready.sh.  It waits DELAY milliseconds
 * (a start-up), reads CLOCK_MONOTONIC, says it is ready, writes the time
 * it read to STAMP ("SECONDS.NANOSECONDS\n") and then sleeps until killed.
 *
 *	readyping STAMP DELAY		READY=1 to $NOTIFY_SOCKET (sd_notify)
 *	readyping -f FD STAMP DELAY	a newline to FD (s6's notification-fd,
 *					warden's ready=fd:N)
 *
 * The stamp is written after the message is sent, so that writing it does
 * not delay the message.  It is compiled at run time by ready.sh.
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int
notify(const char *msg)
{
	struct sockaddr_un	 sa;
	const char		*path;
	size_t			 len;
	socklen_t		 salen;
	int			 fd, rv;

	if ((path = getenv("NOTIFY_SOCKET")) == NULL ||
	    (len = strlen(path)) < 2 || len >= sizeof sa.sun_path)
		return (-1);
	memset(&sa, 0, sizeof sa);
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, path, len);
	salen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len);
	if (path[0] == '@')
		sa.sun_path[0] = '\0';		/* abstract: no NUL counted */
	else
		salen++;
	if ((fd = socket(AF_UNIX, SOCK_DGRAM|SOCK_CLOEXEC, 0)) == -1)
		return (-1);
	rv = sendto(fd, msg, strlen(msg), 0, (struct sockaddr *)&sa, salen);
	close(fd);
	return (rv == -1 ? -1 : 0);
}

int
main(int argc, char **argv)
{
	struct timespec	 ts;
	FILE		*f;
	int		 nfd = -1;

	if (argc == 5 && strcmp(argv[1], "-f") == 0) {
		nfd = atoi(argv[2]);
		argv += 2;
		argc -= 2;
	}
	if (argc != 3) {
		fprintf(stderr, "usage: readyping [-f FD] STAMP DELAY_MS\n");
		return (2);
	}
	usleep((useconds_t)atoi(argv[2]) * 1000);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	if (nfd >= 0) {
		if (write(nfd, "\n", 1) != 1)
			return (1);
		close(nfd);
	} else if (notify("READY=1") == -1)
		return (1);
	if ((f = fopen(argv[1], "w")) == NULL)
		return (1);
	fprintf(f, "%lld.%09ld\n", (long long)ts.tv_sec, ts.tv_nsec);
	if (fclose(f) != 0)
		return (1);
	for (;;)
		pause();
}
