/*
 * Listening sockets handed to a program with systemd's socket
 * activation protocol, for the supervisor's listen= (src/sup/sockets.c)
 * and [fcgi-program:x]'s socket=, and warden run --listen: an address
 * checked, bound (tcp with SO_REUSEADDR; unix, a stale socket file
 * removed first; a backlog, a unix file's owner and mode), and the
 * LISTEN_FDS, LISTEN_FDNAMES and LISTEN_PID the program reads.  The
 * program gets the sockets from fd 3 on (spawn.c), and LISTEN_PID is
 * filled in by the child with its own pid.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "warden.h"

/* A unix socket's file: what connecting peers get (they are local). */
#define LISTEN_UNIX_MODE	0666

_Static_assert(LISTEN_MAXPATH == sizeof(((struct sockaddr_un *)0)->sun_path),
    "LISTEN_MAXPATH is sun_path's size");

/* An address: tcp://HOST:PORT or unix:///PATH; NULL, or why not. */
const char *
listen_check(const char *a)
{
	struct in6_addr	 in6;
	struct in_addr	 in4;
	char		*host, *port;
	const char	*rest, *why = NULL;
	size_t		 i;

	if (strncmp(a, "unix://", 7) == 0) {
		rest = a + 7;
		if (*rest != '/')
			return ("unix:///PATH needs an absolute path");
		if (strlen(rest) >= LISTEN_MAXPATH)
			return ("unix:///PATH: the path is too long for a "
			    "socket");
		return (NULL);
	}
	if (strncmp(a, "tcp://", 6) != 0)
		return ("tcp://HOST:PORT or unix:///PATH");
	rest = a + 6;
	if (strchr(rest, ':') == NULL || hostport_split(rest, &host,
	    &port) == -1)
		return ("tcp://HOST:PORT with PORT from 1 to 65535 (an IPv6 "
		    "HOST in [])");
	if (rest[0] == '[') {
		if (inet_pton(AF_INET6, host, &in6) != 1)
			why = "tcp://[IPV6]:PORT: not an IPv6 address in []";
	} else {
		for (i = 0; host[i] != '\0'; i++)
			if (!isdigit((unsigned char)host[i]) && host[i] != '.')
				break;
		if (host[i] == '\0' && inet_pton(AF_INET, host, &in4) != 1)
			why = "tcp://HOST:PORT: not an IPv4 address";
	}
	free(host);
	free(port);
	return (why);
}

/* tcp://HOST:PORT: bound and listening, or -1 with *step and errno. */
static int
listen_bind_tcp(const char *hp, const char **step, char *why, size_t len)
{
	struct addrinfo	 hints, *res;
	char		*host, *port;
	int		 fd, on = 1, rv;

	*step = "resolve";
	if (hostport_split(hp, &host, &port) == -1) {
		errno = EINVAL;
		return (-1);
	}
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE|AI_NUMERICSERV;
	rv = getaddrinfo(host, port, &hints, &res);
	free(host);
	free(port);
	if (rv != 0) {
		snprintf(why, len, "%s", gai_strerror(rv));
		return (-1);
	}
	*step = "socket";
	fd = socket(res->ai_family, SOCK_STREAM|SOCK_CLOEXEC, 0);
	if (fd != -1) {
		*step = "bind";
		if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on,
		    sizeof on) == -1 ||
		    bind(fd, res->ai_addr, res->ai_addrlen) == -1) {
			rv = errno;
			close(fd);
			fd = -1;
			errno = rv;
		}
	}
	freeaddrinfo(res);
	return (fd);
}

/*
 * Is the socket file at sun stale, nobody listening (connect refused)?
 * A live one belongs to someone else, the supervisor's control socket
 * or another service's, and is never taken over.
 */
static int
listen_stale(const struct sockaddr_un *sun)
{
	int	fd, stale;

	if ((fd = socket(AF_UNIX, SOCK_STREAM|SOCK_CLOEXEC|SOCK_NONBLOCK,
	    0)) == -1)
		return (0);
	stale = connect(fd, (const struct sockaddr *)sun, sizeof *sun) ==
	    -1 && errno == ECONNREFUSED;
	close(fd);
	return (stale);
}

/* unix:///PATH: a stale socket file goes first; anything else stays. */
static int
listen_bind_unix(const char *path, struct sock *o, const char **step)
{
	struct sockaddr_un	 sun;
	struct stat		 sb;
	int			 fd, saved;

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	*step = "bind";
	if (strlen(path) >= sizeof sun.sun_path) {
		errno = ENAMETOOLONG;
		return (-1);
	}
	memcpy(sun.sun_path, path, strlen(path));
	if (lstat(path, &sb) == 0 && S_ISSOCK(sb.st_mode) && listen_stale(&sun))
		(void)unlink(path);
	*step = "socket";
	if ((fd = socket(AF_UNIX, SOCK_STREAM|SOCK_CLOEXEC, 0)) == -1)
		return (-1);
	*step = "bind";
	if (bind(fd, (struct sockaddr *)&sun, sizeof sun) == -1 ||
	    stat(path, &sb) == -1) {
		saved = errno;
		close(fd);
		errno = saved;
		return (-1);
	}
	o->dev = sb.st_dev;
	o->ino = sb.st_ino;
	o->path = o->addr + 7;
	return (fd);
}

/*
 * The options of o's bound socket, once more after a change: its backlog
 * and, for a unix socket, the file's owner and then its mode.  0, or -1
 * with *step.
 */
static int
listen_apply(struct sock *o, const char **step)
{
	*step = "listen";
	if (listen(o->fd, o->backlog > 0 ? o->backlog : SOMAXCONN) == -1)
		return (-1);
	if (o->path == NULL)
		return (0);
	*step = "chown";
	if (o->has_owner && chown(o->path, o->uid, o->gid) == -1)
		return (-1);
	*step = "chmod";
	return (chmod(o->path, o->has_mode ? (mode_t)o->mode :
	    LISTEN_UNIX_MODE));
}

/* The options of o's socket, set again: 0, or -1 with why. */
int
listen_set(struct sock *o, char *why, size_t len)
{
	const char	*step;

	if (listen_apply(o, &step) == 0)
		return (0);
	snprintf(why, len, "%s %s: %s", step, o->addr, strerror(errno));
	return (-1);
}

/*
 * One address into o (o->addr set, and its options): bound and
 * listening, 0; or -1 with why ("bind ADDR: reason").
 */
int
listen_bind(struct sock *o, char *why, size_t len)
{
	const char	*step;
	char		 gai[128];
	int		 fd, saved;

	gai[0] = '\0';
	if (strncmp(o->addr, "unix://", 7) == 0)
		fd = listen_bind_unix(o->addr + 7, o, &step);
	else
		fd = listen_bind_tcp(o->addr + 6, &step, gai, sizeof gai);
	if (fd != -1) {
		o->fd = fd;
		if (listen_apply(o, &step) == -1) {
			saved = errno;
			listen_close(o);
			errno = saved;
			fd = -1;
		}
	}
	if (fd == -1) {
		snprintf(why, len, "%s %s: %s", step, o->addr,
		    gai[0] != '\0' ? gai : strerror(errno));
		return (-1);
	}
	return (0);
}

/*
 * systemd's variables for n sockets, each named name, into env (n
 * entries so far): LISTEN_PID is room the child fills in (spawn_exec).
 */
char **
listen_env(char **env, int *np, int n, const char *name)
{
	char	*v, *names;
	size_t	 len;
	int	 i;

	xasprintf(&v, "LISTEN_FDS=%d", n);
	env = env_set(env, np, v);
	free(v);
	len = strlen(name) + 1;
	names = xcalloc(n, len);
	for (i = 0; i < n; i++) {
		if (i > 0)
			strcat(names, ":");
		strcat(names, name);
	}
	xasprintf(&v, "LISTEN_FDNAMES=%s", names);
	free(names);
	env = env_set(env, np, v);
	free(v);
	return (env_set(env, np, "LISTEN_PID=" SPAWN_PID_ROOM));
}

/* Close o; a unix socket's file goes too, while it is still the one we made. */
void
listen_close(struct sock *o)
{
	struct stat	sb;

	if (o->fd == -1)
		return;
	close(o->fd);
	if (o->path != NULL && lstat(o->path, &sb) == 0 &&
	    S_ISSOCK(sb.st_mode) && sb.st_dev == o->dev &&
	    sb.st_ino == o->ino)
		(void)unlink(o->path);
	o->fd = -1;
}
