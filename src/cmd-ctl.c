/*
 * The client side of the control socket: find it, send one request,
 * print the replies, map the final OK/ERR to an exit status.
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "warden.h"
#include "sup/config.h"

#define CTL_REPLY_MAX	65536

/* The default socket, as the supervisor computes it. */
static char *
ctl_default_socket(void)
{
	char	*dir, *path;

	dir = cfg_default_rundir();
	xasprintf(&path, "%s/warden.sock", dir);
	free(dir);
	return (path);
}

/* Does a supervisor answer on path? */
int
ctl_alive(const char *path)
{
	struct sockaddr_un	sun;
	int			fd, rv;

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof sun.sun_path)
		return (0);
	strcpy(sun.sun_path, path);
	if ((fd = socket(AF_UNIX, SOCK_SEQPACKET|SOCK_CLOEXEC, 0)) == -1)
		return (0);
	rv = connect(fd, (struct sockaddr *)&sun, sizeof sun) == 0;
	close(fd);
	return (rv);
}

/* The control socket a config names. */
static char *
ctl_config_socket(const char *config)
{
	struct config	*cf;
	char		*cause = NULL, *path;

	if (cfg_load(config, &cf, &cause) == -1)
		errx(1, "%s", cause);
	path = xstrdup(cf->socket);
	cfg_free(cf);
	return (path);
}

/*
 * -s, then $WARDEN_SOCKET, then -c's config, then the default socket if
 * a supervisor answers there, then the config warden up would find (as
 * supervisorctl finds its own), then the default anyway.
 */
char *
ctl_socket_path(const char *sock, const char *config)
{
	char	*path, *found;
	int	 in_cwd;

	if (sock != NULL)
		return (xstrdup(sock));
	if ((sock = getenv("WARDEN_SOCKET")) != NULL && *sock != '\0')
		return (xstrdup(sock));
	if (config != NULL)
		return (ctl_config_socket(config));
	path = ctl_default_socket();
	if (ctl_alive(path) || (found = cfg_find(&in_cwd)) == NULL)
		return (path);
	free(path);
	path = ctl_config_socket(found);
	free(found);
	return (path);
}

/*
 * Connect to the supervisor at path and send it verb and args.  Returns
 * the socket, to read the replies from; exits with a message when there
 * is no supervisor or it refused us.
 */
int
ctl_connect(const char *path, const char *verb, int argc, char **argv)
{
	struct sockaddr_un	 sun;
	char			*req, buf[256];
	size_t			 len, off;
	ssize_t			 n;
	int			 fd, i;

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof sun.sun_path)
		errx(1, "%s: socket path too long", path);
	strcpy(sun.sun_path, path);
	if ((fd = socket(AF_UNIX, SOCK_SEQPACKET|SOCK_CLOEXEC, 0)) == -1)
		err(1, "socket");
	if (connect(fd, (struct sockaddr *)&sun, sizeof sun) == -1) {
		if (errno == ENOENT || errno == ECONNREFUSED)
			errx(1, "no supervisor at %s (is warden up running?)",
			    path);
		err(1, "%s", path);
	}
	len = strlen("warden1") + 1 + strlen(verb) + 1;
	for (i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	req = xmalloc(len);
	off = 0;
	memcpy(req, "warden1", 8);
	off = 8;
	memcpy(req + off, verb, strlen(verb) + 1);
	off += strlen(verb) + 1;
	for (i = 0; i < argc; i++) {
		memcpy(req + off, argv[i], strlen(argv[i]) + 1);
		off += strlen(argv[i]) + 1;
	}
	if (send(fd, req, len, MSG_NOSIGNAL) != (ssize_t)len) {
		/* Refused before we asked: the reason may be waiting. */
		n = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
		if (n > 4 && strncmp(buf, "ERR ", 4) == 0)
			errx(1, "%.*s", (int)n - 4, buf + 4);
		err(1, "send");
	}
	free(req);
	return (fd);
}

/*
 * Send verb and args to the supervisor; print what it says.  Returns the
 * exit status: the code after OK (0 by default), 1 after ERR.
 */
static int
ctl_request(const char *path, const char *verb, int argc, char **argv)
{
	char	*buf;
	ssize_t	 n;
	int	 fd, rv = 1;

	fd = ctl_connect(path, verb, argc, argv);
	buf = xmalloc(CTL_REPLY_MAX + 1);
	for (;;) {
		/* A message may be larger than the buffer (--json of many). */
		n = recv(fd, buf, 1, MSG_PEEK|MSG_TRUNC);
		if (n > CTL_REPLY_MAX) {
			free(buf);
			buf = xmalloc((size_t)n + 1);
		}
		if (n > 0)
			n = recv(fd, buf, (size_t)n, 0);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			warnx("the supervisor closed the connection");
			break;
		}
		buf[n] = '\0';
		if (strncmp(buf, "OK", 2) == 0 && (buf[2] == '\0' ||
		    buf[2] == ' ')) {
			rv = buf[2] == ' ' ? atoi(buf + 3) : 0;
			break;
		}
		if (strncmp(buf, "ERR", 3) == 0 && (buf[3] == '\0' ||
		    buf[3] == ' ')) {
			warnx("%s", buf[3] ? buf + 4 : "error");
			rv = 1;
			break;
		}
		fwrite(buf, 1, (size_t)n, stdout);
	}
	fflush(stdout);
	free(buf);
	close(fd);
	return (rv);
}

/*
 * warden start|stop|restart|status|reload|shutdown [-s SOCKET] [-c FILE]
 * ARGS...: the options anywhere, everything else passed on.
 */
int
ctl_main(const char *verb, int argc, char **argv)
{
	const char	 *sock = NULL, *config = NULL;
	char		**args, *path;
	int		  nargs = 0, i, rv;

	args = xcalloc(argc + 1, sizeof *args);
	for (i = 1; i < argc; i++) {
		if ((strcmp(argv[i], "-s") == 0 ||
		    strcmp(argv[i], "--socket") == 0) && i + 1 < argc)
			sock = argv[++i];
		else if ((strcmp(argv[i], "-c") == 0 ||
		    strcmp(argv[i], "--config") == 0) && i + 1 < argc)
			config = argv[++i];
		else if (strcmp(argv[i], "--") == 0)
			continue;
		else if (argv[i][0] == '-' && strcmp(argv[i], "--json") != 0) {
			free(args);
			return (CMD_USAGE);
		} else
			args[nargs++] = argv[i];
	}
	if (nargs == 0 && (strcmp(verb, "start") == 0 ||
	    strcmp(verb, "stop") == 0 || strcmp(verb, "restart") == 0)) {
		free(args);
		return (CMD_USAGE);
	}
	path = ctl_socket_path(sock, config);
	rv = ctl_request(path, verb, nargs, args);
	free(path);
	free(args);
	return (rv);
}

int
cmd_ctl(int argc, char **argv)
{
	return (ctl_main(argv[0], argc, argv));
}
