/*
 * warden logs: a service's log (or the supervisor's own), read by the
 * supervisor and streamed over the control socket, so that it works for
 * files the user may not read and for AUTO names nobody has to know.
 *
 * Replies: 'D' + raw log bytes; 'W' + a note for stderr; then "OK" or
 * "ERR reason".  Bytes go to a file or pipe exactly as logged; on a
 * terminal, control characters are shown escaped so that a log cannot
 * drive the terminal.
 */
#include <sys/socket.h>

#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <langinfo.h>
#include <limits.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "warden.h"

#define LOGS_MSG_MAX	65536	/* the largest message the supervisor sends */

/* Interrupted: the user has seen what they wanted. */
static void
logs_sigint(int sig)
{
	(void)sig;
	_exit(0);
}

/* All of buf to stdout; a reader that left ends us quietly. */
static void
logs_write(const char *buf, size_t len)
{
	ssize_t	n;

	while (len > 0) {
		n = write(STDOUT_FILENO, buf, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EPIPE)
			exit(0);
		if (n == -1)
			err(1, "stdout");
		buf += n;
		len -= (size_t)n;
	}
}

/*
 * Log bytes for a terminal: every control character but newline and tab
 * (ESC and C1 included) shown as an escape, by str_vis.
 */
static void
logs_write_vis(const char *buf, size_t len, int utf8)
{
	char	*out, *s;
	size_t	 i, j, olen = 0;

	out = xreallocarray(NULL, len + 1, 4);
	for (i = 0; i < len; i = j) {
		for (j = i; j < len && buf[j] != '\n' && buf[j] != '\t'; j++)
			;
		if (j > i) {
			s = str_vis(buf + i, j - i, utf8);
			memcpy(out + olen, s, strlen(s));
			olen += strlen(s);
			free(s);
		}
		if (j < len)
			out[olen++] = buf[j++];
	}
	logs_write(out, olen);
	free(out);
}

/*
 * With -f, wait for the next message, or for our reader to leave (a
 * pipe's write end reports POLLERR once nobody reads it): "warden logs
 * -f x | head -1" ends without waiting for the service to speak again.
 */
static void
logs_wait(int fd)
{
	struct pollfd	pfd[2];

	pfd[0].fd = fd;
	pfd[0].events = POLLIN;
	pfd[1].fd = STDOUT_FILENO;
	pfd[1].events = 0;
	for (;;) {
		pfd[0].revents = pfd[1].revents = 0;
		if (poll(pfd, 2, -1) == -1) {
			if (errno == EINTR)
				continue;
			err(1, "poll");
		}
		if (pfd[1].revents & POLLERR)
			exit(0);
		if (pfd[0].revents != 0)
			return;
	}
}

/* Read replies until OK or ERR; returns the exit status. */
static int
logs_read(int fd, int follow)
{
	const char	*cs;
	char		*buf;
	ssize_t		 n;
	int		 tty, utf8 = 0, rv = 1;

	tty = isatty(STDOUT_FILENO);
	if (tty && setlocale(LC_CTYPE, "") != NULL &&
	    (cs = nl_langinfo(CODESET)) != NULL)
		utf8 = strcmp(cs, "UTF-8") == 0;
	buf = xmalloc(LOGS_MSG_MAX + 1);
	for (;;) {
		if (follow)
			logs_wait(fd);
		n = recv(fd, buf, LOGS_MSG_MAX + 1, MSG_TRUNC);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			warnx("the supervisor closed the connection");
			break;
		}
		if (n > LOGS_MSG_MAX) {
			warnx("the supervisor sent a message too large");
			break;
		}
		if (buf[0] == 'D') {
			if (tty)
				logs_write_vis(buf + 1, (size_t)n - 1, utf8);
			else
				logs_write(buf + 1, (size_t)n - 1);
			continue;
		}
		buf[n] = '\0';
		if (buf[0] == 'W') {
			warnx("%s", buf + 1);
			continue;
		}
		if (strcmp(buf, "OK") == 0) {
			rv = 0;
			break;
		}
		if (strncmp(buf, "ERR ", 4) == 0) {
			warnx("%s", buf + 4);
			break;
		}
		warnx("unexpected reply from the supervisor");
		break;
	}
	free(buf);
	return (rv);
}

/*
 * warden logs [-s SOCKET | -c FILE] (NAME | --supervisor) [-f] [-n LINES]
 * [--stderr] [--rotate]
 */
int
cmd_logs(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config",	required_argument,	NULL, 'c' },
		{ "follow",	no_argument,		NULL, 'f' },
		{ "lines",	required_argument,	NULL, 'n' },
		{ "rotate",	no_argument,		NULL, 'R' },
		{ "socket",	required_argument,	NULL, 's' },
		{ "stderr",	no_argument,		NULL, 'E' },
		{ "supervisor",	no_argument,		NULL, 'S' },
		{ NULL,		0,			NULL, 0 }
	};
	struct sigaction	 sa;
	const char		*sock = NULL, *config = NULL;
	char			*args[6], *path, *lines = "10";
	unsigned long		 n;
	int			 ch, follow = 0, errs = 0, rotate = 0, sup = 0;
	int			 nargs = 0, fd, rv;

	while ((ch = getopt_long(argc, argv, "c:fn:s:", longopts, NULL)) !=
	    -1) {
		switch (ch) {
		case 'c':
			config = optarg;
			break;
		case 'E':
			errs = 1;
			break;
		case 'f':
			follow = 1;
			break;
		case 'n':
			if (parse_uint(optarg, ULONG_MAX, &n) == -1) {
				warnx("-n %s: not a number of lines", optarg);
				return (CMD_USAGE);
			}
			lines = optarg;
			break;
		case 'R':
			rotate = 1;
			break;
		case 'S':
			sup = 1;
			break;
		case 's':
			sock = optarg;
			break;
		default:
			return (CMD_USAGE);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc != (sup ? 0 : 1) || (rotate && follow) ||
	    (sup && (errs || rotate)))
		return (CMD_USAGE);

	args[nargs++] = sup ? "--supervisor" : argv[0];
	if (rotate)
		args[nargs++] = "--rotate";
	else {
		args[nargs++] = "-n";
		args[nargs++] = lines;
	}
	if (follow)
		args[nargs++] = "-f";
	if (errs)
		args[nargs++] = "--stderr";

	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = logs_sigint;
	(void)sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = SIG_IGN;	/* EPIPE instead: see logs_write() */
	(void)sigaction(SIGPIPE, &sa, NULL);

	path = ctl_socket_path(sock, config);
	fd = ctl_connect(path, "logs", nargs, args);
	free(path);
	rv = logs_read(fd, follow);
	close(fd);
	return (rv);
}
