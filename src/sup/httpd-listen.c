/*
 * The HTTP servers' listening sockets, opened by warden up before it
 * detaches (so that every error reaches the shell) and kept across
 * wd_daemonize: [unix_http_server]'s file, bound under a restrictive
 * umask, then given its chmod= and chown=; [inet_http_server]'s
 * address, IPv4 as supervisord binds it, '*' or nothing for all
 * interfaces.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <netinet/in.h>

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "httpd.h"

#define HTTPD_BACKLOG	128

struct httpd_srv	httpd_srvs[HTTPD_MAXSRV];
int			httpd_nsrv;

/*
 * Is someone listening on the unix socket at sun?  A socket file nobody
 * answers on is stale: it goes.  1: someone answers.
 */
static int
httpd_unix_alive(const struct sockaddr_un *sun)
{
	struct stat	st;
	int		fd, rv;

	if (lstat(sun->sun_path, &st) == -1 || !S_ISSOCK(st.st_mode))
		return (0);
	if ((fd = socket(AF_UNIX, SOCK_STREAM|SOCK_CLOEXEC, 0)) == -1)
		return (0);
	rv = connect(fd, (const struct sockaddr *)sun, sizeof *sun);
	close(fd);
	if (rv == 0)
		return (1);
	if (errno == ECONNREFUSED)
		(void)unlink(sun->sun_path);
	return (0);
}

/* [unix_http_server]: the socket file, its mode and owner. */
static int
httpd_unix(const struct cfg_http *h, struct httpd_srv *srv, char **cause)
{
	struct sockaddr_un	sun;
	struct stat		st;
	mode_t			old;
	int			fd;

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	if (strlen(h->file) >= sizeof sun.sun_path) {
		xasprintf(cause, "%s: socket path too long", h->file);
		return (-1);
	}
	strcpy(sun.sun_path, h->file);
	if (httpd_unix_alive(&sun)) {
		xasprintf(cause, "already running: %s answers", h->file);
		return (-1);
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM|SOCK_NONBLOCK|SOCK_CLOEXEC,
	    0)) == -1) {
		xasprintf(cause, "socket: %s", strerror(errno));
		return (-1);
	}
	old = umask(0177);
	if (bind(fd, (struct sockaddr *)&sun, sizeof sun) == -1) {
		umask(old);
		xasprintf(cause, "bind %s: %s", h->file, strerror(errno));
		close(fd);
		return (-1);
	}
	umask(old);
	if (chmod(h->file, (mode_t)h->mode & 07777) == -1 ||
	    ((h->uid != (uid_t)-1 || h->gid != (gid_t)-1) &&
	    chown(h->file, h->uid, h->gid) == -1) ||
	    listen(fd, HTTPD_BACKLOG) == -1 || stat(h->file, &st) == -1) {
		xasprintf(cause, "%s: %s", h->file, strerror(errno));
		(void)unlink(h->file);
		close(fd);
		return (-1);
	}
	srv->fd = fd;
	srv->section = "unix_http_server";
	srv->path = xstrdup(h->file);
	srv->dev = st.st_dev;
	srv->ino = st.st_ino;
	return (0);
}

/* [inet_http_server]: host:port, with SO_REUSEADDR. */
static int
httpd_inet(const struct cfg_http *h, struct httpd_srv *srv, char **cause)
{
	struct addrinfo	 hints, *res;
	char		 port[16];
	int		 fd, one = 1, e;

	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_INET;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE;
	snprintf(port, sizeof port, "%d", h->port);
	if ((e = getaddrinfo(*h->host != '\0' ? h->host : NULL, port, &hints,
	    &res)) != 0) {
		xasprintf(cause, "inet_http_server: %s:%d: %s", h->host,
		    h->port, gai_strerror(e));
		return (-1);
	}
	fd = socket(res->ai_family, SOCK_STREAM|SOCK_NONBLOCK|SOCK_CLOEXEC, 0);
	if (fd == -1 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one,
	    sizeof one) == -1 || bind(fd, res->ai_addr, res->ai_addrlen) ==
	    -1 || listen(fd, HTTPD_BACKLOG) == -1) {
		xasprintf(cause, "inet_http_server: %s:%d: %s",
		    *h->host != '\0' ? h->host : "*", h->port, strerror(errno));
		if (fd != -1)
			close(fd);
		freeaddrinfo(res);
		return (-1);
	}
	freeaddrinfo(res);
	srv->fd = fd;
	srv->section = "inet_http_server";
	return (0);
}

/* The credentials, copied: a reload may free the config. */
static void
httpd_creds(struct httpd_srv *srv, const struct cfg_http *h)
{
	if (h->username == NULL)
		return;
	srv->username = xstrdup(h->username);
	srv->password = xstrdup(h->password);
}

/*
 * Open the servers cf asks for.  0, or -1 with *cause set and nothing
 * left open.
 */
int
httpd_listen(const struct config *cf, char **cause)
{
	const struct cfg_http	*h[2] = { &cf->unix_http, &cf->inet_http };
	struct httpd_srv	*srv;
	int			 i, rv;

	for (i = 0; i < 2; i++) {
		if (!h[i]->on)
			continue;
		srv = &httpd_srvs[httpd_nsrv];
		memset(srv, 0, sizeof *srv);
		rv = i == 0 ? httpd_unix(h[i], srv, cause) :
		    httpd_inet(h[i], srv, cause);
		if (rv == -1) {
			httpd_close();
			return (-1);
		}
		httpd_creds(srv, h[i]);
		httpd_nsrv++;
	}
	return (0);
}

/* The listening fds, for wd_daemonize's keep_fds: how many. */
int
httpd_fds(int *fds, int max)
{
	int	i;

	for (i = 0; i < httpd_nsrv && i < max; i++)
		fds[i] = httpd_srvs[i].fd;
	return (i);
}

/* Close the servers; the unix socket's file goes while it is ours. */
void
httpd_close(void)
{
	struct httpd_srv	*srv;
	struct stat		 st;
	int			 i;

	for (i = 0; i < httpd_nsrv; i++) {
		srv = &httpd_srvs[i];
		close(srv->fd);
		if (srv->path != NULL && stat(srv->path, &st) == 0 &&
		    st.st_dev == srv->dev && st.st_ino == srv->ino)
			(void)unlink(srv->path);
		free(srv->path);
		free(srv->username);
		if (srv->password != NULL)
			explicit_bzero(srv->password, strlen(srv->password));
		free(srv->password);
		memset(srv, 0, sizeof *srv);
	}
	httpd_nsrv = 0;
}
