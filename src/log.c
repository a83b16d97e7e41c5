/*
 * warden's own messages, in OpenBSD log.c's manner: one voice for the
 * supervisor, the --respawn monitor and the event loop.  log_warn adds
 * strerror(errno), log_warnx does not; fatal and fatalx log, then exit 1.
 *
 * A line goes to one place: a file (the supervisor's logfile), stderr, or
 * syslog.  A fatal error also goes to stderr when stderr is a real place
 * (warden up -F) and not where the line already went, so it is never lost.
 * log_debug lines are written only when WARDEN_DEBUG is set.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "warden.h"

static struct {
	int		 dest;		/* LOGTO_* */
	int		 fd;		/* LOGTO_FILE */
	int		 fatal_stderr;	/* fatal errors to stderr too */
	int		 debug;
	const char	*prefix;	/* "NAME: ", or "" */
	log_hook_cb	 hook;		/* every line, as written */
} log_dst = { LOGTO_STDERR, -1, 0, 0, "", NULL };

/*
 * Where lines go from now on: LOGTO_FILE (fd, which the log keeps),
 * LOGTO_STDERR or LOGTO_SYSLOG (as ident), with LOGTO_FATAL_STDERR or'ed
 * in when fatal errors should reach stderr as well.
 */
void
log_init(int dest, int fd, const char *ident)
{
	log_dst.dest = dest & ~LOGTO_FATAL_STDERR;
	log_dst.fatal_stderr = (dest & LOGTO_FATAL_STDERR) != 0;
	log_dst.fd = fd;
	log_dst.debug = getenv("WARDEN_DEBUG") != NULL;
	if (log_dst.dest == LOGTO_SYSLOG || ident != NULL)
		openlog(ident != NULL ? ident : "warden", LOG_PID, LOG_DAEMON);
}

/* Each line starts with prefix after the pid (the monitor's daemon name). */
void
log_prefix(const char *prefix)
{
	log_dst.prefix = prefix != NULL ? prefix : "";
}

/* Every line is given to hook too (warden logs --supervisor keeps them). */
void
log_hook(log_hook_cb hook)
{
	log_dst.hook = hook;
}

/* The log file, opened again by name (for logrotate): 0, or -1 and errno. */
int
log_reopen(const char *path)
{
	int	fd, rv = 0;

	if (log_dst.dest != LOGTO_FILE || log_dst.fd == -1)
		return (0);
	fd = open(path, O_WRONLY|O_APPEND|O_CREAT|O_CLOEXEC|O_NOCTTY|
	    O_NOFOLLOW, 0644);
	if (fd == -1)
		return (-1);
	if (dup2(fd, log_dst.fd) == -1)
		rv = -1;
	close(fd);
	return (rv);
}

static void
log_vwrite(int pri, const char *fmt, va_list ap, int error)
{
	char	msg[1024], ts[32], line[1100];
	time_t	now;
	int	n;

	vsnprintf(msg, sizeof msg, fmt, ap);
	if (error != 0) {
		n = (int)strlen(msg);
		snprintf(msg + n, sizeof msg - (size_t)n, ": %s",
		    strerror(error));
	}
	now = time(NULL);
	strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%S", localtime(&now));
	n = snprintf(line, sizeof line, "%s warden[%ld]: %s%s\n", ts,
	    (long)getpid(), log_dst.prefix, msg);
	if (n > (int)sizeof line - 1) {
		n = sizeof line - 1;
		line[n - 1] = '\n';
	}
	if (log_dst.hook != NULL)
		log_dst.hook(line, (size_t)n);
	if (log_dst.dest == LOGTO_SYSLOG)
		syslog(pri, "%s%s", log_dst.prefix, msg);
	else
		(void)!write(log_dst.dest == LOGTO_FILE ? log_dst.fd :
		    STDERR_FILENO, line, (size_t)n);
	if (pri == LOG_CRIT && log_dst.fatal_stderr &&
	    log_dst.dest != LOGTO_STDERR)
		(void)!write(STDERR_FILENO, line, (size_t)n);
}

void
log_info(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vwrite(LOG_INFO, fmt, ap, 0);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list	ap;

	if (!log_dst.debug)
		return;
	va_start(ap, fmt);
	log_vwrite(LOG_DEBUG, fmt, ap, 0);
	va_end(ap);
}

void
log_warnx(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vwrite(LOG_WARNING, fmt, ap, 0);
	va_end(ap);
}

/* A warning with errno's words after it. */
void
log_warn(const char *fmt, ...)
{
	va_list	ap;
	int	saved = errno;

	va_start(ap, fmt);
	log_vwrite(LOG_WARNING, fmt, ap, saved);
	va_end(ap);
	errno = saved;
}

/* Something that cannot go on: logged with errno's words, then exit 1. */
void
fatal(const char *fmt, ...)
{
	va_list	ap;
	int	saved = errno;

	va_start(ap, fmt);
	log_vwrite(LOG_CRIT, fmt, ap, saved);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vwrite(LOG_CRIT, fmt, ap, 0);
	va_end(ap);
	exit(1);
}
