/*
 * The syslog client for *_syslog=true: one RFC 3164 datagram per line
 * ("<PRI>Mmm dd hh:mm:ss NAME[PID]: line") on syslog(3)'s socket
 * ($WARDEN_SYSLOG_SOCKET, else /dev/log), never blocking.  A syslogd that
 * is not there is tried again every LOG_SYSLOG_RETRY seconds, and lines
 * it does not take are counted, not held: a datagram log is lossy.
 */
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sup.h"
#include "logs.h"

#define LOG_SYSLOG_RETRY 10.0		/* seconds between connects to syslog */

/* The header of every line of the chunk in hand. */
static char		sysh[320];
static size_t		syshlen;

static int		syslog_fd = -1;
static double		syslog_next;	/* when to try to connect again */
static int		syslog_warned;
static unsigned long	syslog_dropped;

/*
 * The header for the lines of l about to be taken, stamped ts: facility
 * daemon, info for stdout and err for stderr.
 */
void
svclog_syslog_header(struct svclog *l, const struct timespec *ts)
{
	struct svc	*s = l->svc;
	struct tm	 tm;
	char		 when[32];
	int		 n;

	localtime_r(&ts->tv_sec, &tm);
	strftime(when, sizeof when, "%b %e %H:%M:%S", &tm);
	if (s->pid > 0)
		n = snprintf(sysh, sizeof sysh, "<%d>%s %.200s[%ld]: ",
		    l->which == 0 ? 30 : 27, when, l->name, (long)s->pid);
	else
		n = snprintf(sysh, sizeof sysh, "<%d>%s %.200s: ",
		    l->which == 0 ? 30 : 27, when, l->name);
	syshlen = (size_t)n < sizeof sysh ? (size_t)n : sizeof sysh - 1;
}

/* syslog(3)'s socket, connected; -1 when there is none (said once). */
static int
svclog_syslog_fd(void)
{
	static const char	*path;
	struct sockaddr_un	 sun;
	double			 now;
	int			 fd;

	if (syslog_fd != -1)
		return (syslog_fd);
	now = mono_now();
	if (now < syslog_next)
		return (-1);
	syslog_next = now + LOG_SYSLOG_RETRY;
	if (path == NULL && (path = getenv("WARDEN_SYSLOG_SOCKET")) == NULL)
		path = "/dev/log";
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof sun.sun_path)
		return (-1);
	memcpy(sun.sun_path, path, strlen(path) + 1);
	if ((fd = socket(AF_UNIX, SOCK_DGRAM|SOCK_CLOEXEC, 0)) == -1)
		return (-1);
	if (connect(fd, (struct sockaddr *)&sun, sizeof sun) == -1) {
		if (!syslog_warned)
			log_warnx("%s: %s: service output is not sent to "
			    "syslog", path, strerror(errno));
		syslog_warned = 1;
		close(fd);
		return (-1);
	}
	syslog_fd = fd;
	return (fd);
}

/* One line to syslog: the header, then a and b (no newline). */
void
svclog_syslog(const char *a, size_t alen, const char *b, size_t blen)
{
	struct iovec	iov[3];
	struct msghdr	mh;
	int		fd;

	if ((fd = svclog_syslog_fd()) == -1)
		return;
	iov[0].iov_base = sysh;
	iov[0].iov_len = syshlen;
	iov[1].iov_base = (void *)(uintptr_t)a;
	iov[1].iov_len = alen;
	iov[2].iov_base = (void *)(uintptr_t)b;
	iov[2].iov_len = blen;
	memset(&mh, 0, sizeof mh);
	mh.msg_iov = iov;
	mh.msg_iovlen = 3;
	if (sendmsg(fd, &mh, MSG_DONTWAIT|MSG_NOSIGNAL) != -1)
		return;
	if (errno == EMSGSIZE) {
		/* RFC 3164's size, at least, goes through everywhere. */
		iov[1].iov_len = alen < 1024 ? alen : 1024;
		iov[2].iov_len = alen < 1024 ? (blen < 1024 - alen ? blen :
		    1024 - alen) : 0;
		if (sendmsg(fd, &mh, MSG_DONTWAIT|MSG_NOSIGNAL) != -1)
			return;
	}
	if (errno == ECONNREFUSED || errno == ENOTCONN || errno == ENOENT) {
		/* syslogd went away: connect again later. */
		close(syslog_fd);
		syslog_fd = -1;
	}
	/* A datagram log is lossy by nature; say how lossy, sometimes. */
	if (syslog_dropped++ % 10000 == 0)
		log_warnx("syslog: %s: %lu lines not sent", strerror(errno),
		    syslog_dropped);
}

/* Each line of a block of whole lines to syslog. */
void
svclog_syslog_lines(const char *p, size_t len)
{
	const char	*end = p + len, *nl;

	while (p < end) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		svclog_syslog(p, (size_t)(nl - p), NULL, 0);
		p = nl + 1;
	}
}
