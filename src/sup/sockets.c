/*
 * A service's listening sockets (listen=): each address bound once and
 * kept for the service's configured life, across every restart, so that
 * connections made while it restarts wait in the backlog.  The process
 * gets them from fd 3 on, with systemd's LISTEN_FDS protocol
 * (svc-spawn.c).  They are bound at the first start that needs them,
 * bound again when listen= changes, and closed when the service goes;
 * a stopped service's sockets stay open, and clients wait.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sup.h"

/* A unix socket's file: what connecting peers get (they are local). */
#define SOCK_UNIX_MODE	0666

/* The addresses of list, NULL-ended; 0 for none. */
static int
sock_count(char **list)
{
	int	n = 0;

	while (list != NULL && list[n] != NULL)
		n++;
	return (n);
}

/* Are the sockets the ones list asks for, in its order? */
static int
sock_same(const struct socks *k, char **list)
{
	int	i;

	if (k->n != sock_count(list))
		return (0);
	for (i = 0; i < k->n; i++)
		if (strcmp(k->v[i].addr, list[i]) != 0)
			return (0);
	return (1);
}

/* tcp://HOST:PORT: bound and listening, or -1 with *step and errno. */
static int
sock_bind_tcp(const char *hp, const char **step, char *why, size_t len)
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
sock_stale(const struct sockaddr_un *sun)
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
sock_bind_unix(const char *path, struct sock *o, const char **step)
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
	if (lstat(path, &sb) == 0 && S_ISSOCK(sb.st_mode) && sock_stale(&sun))
		(void)unlink(path);
	*step = "socket";
	if ((fd = socket(AF_UNIX, SOCK_STREAM|SOCK_CLOEXEC, 0)) == -1)
		return (-1);
	*step = "bind";
	if (bind(fd, (struct sockaddr *)&sun, sizeof sun) == -1 ||
	    chmod(path, SOCK_UNIX_MODE) == -1 || stat(path, &sb) == -1) {
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

/* One address into o: 0, or -1 with why ("bind ADDR: reason"). */
static int
sock_bind(struct sock *o, char *why, size_t len)
{
	const char	*step;
	char		 gai[128];
	int		 fd;

	gai[0] = '\0';
	if (strncmp(o->addr, "unix://", 7) == 0)
		fd = sock_bind_unix(o->addr + 7, o, &step);
	else
		fd = sock_bind_tcp(o->addr + 6, &step, gai, sizeof gai);
	if (fd != -1 && listen(fd, SOMAXCONN) == -1) {
		step = "listen";
		close(fd);
		fd = -1;
	}
	if (fd == -1) {
		snprintf(why, len, "spawn error: %s %s: %s", step, o->addr,
		    gai[0] != '\0' ? gai : strerror(errno));
		return (-1);
	}
	o->fd = fd;
	return (0);
}

/*
 * Before a spawn: the sockets listen= asks for, those bound already kept
 * as they are.  0, or -1 with why, none bound.
 */
int
sock_open(struct svc *s, char *why, size_t len)
{
	struct socks	*k = s->socks;
	int		 i, n;

	if (k != NULL && sock_same(k, s->cfg->listen))
		return (0);
	sock_close(s);
	if ((n = sock_count(s->cfg->listen)) == 0)
		return (0);
	k = xcalloc(1, sizeof *k);
	k->v = xcalloc(n, sizeof *k->v);
	k->fds = xcalloc(n, sizeof *k->fds);
	s->socks = k;
	for (i = 0; i < n; i++) {
		k->v[i].addr = xstrdup(s->cfg->listen[i]);
		k->v[i].fd = -1;
		k->n++;
		if (sock_bind(&k->v[i], why, len) == -1) {
			log_warnx("%s: %s", s->cfg->name, why);
			sock_close(s);
			return (-1);
		}
		k->fds[i] = k->v[i].fd;
	}
	log_info("%s: listening on %d socket%s", s->cfg->name, n,
	    n == 1 ? "" : "s");
	return (0);
}

/* The sockets go; a unix socket's file too, while it is still ours. */
void
sock_close(struct svc *s)
{
	struct socks	*k = s->socks;
	struct sock	*o;
	struct stat	 sb;
	int		 i;

	if (k == NULL)
		return;
	for (i = 0; i < k->n; i++) {
		o = &k->v[i];
		if (o->fd != -1)
			close(o->fd);
		if (o->fd != -1 && o->path != NULL &&
		    lstat(o->path, &sb) == 0 && S_ISSOCK(sb.st_mode) &&
		    sb.st_dev == o->dev && sb.st_ino == o->ino)
			(void)unlink(o->path);
		free(o->addr);
	}
	free(k->v);
	free(k->fds);
	free(k);
	s->socks = NULL;
}
