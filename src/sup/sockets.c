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

/*
 * Before a spawn: the sockets listen= asks for, those bound already kept
 * as they are.  0, or -1 with why, none bound.
 */
int
sock_open(struct svc *s, char *why, size_t len)
{
	struct socks	*k = s->socks;
	char		 msg[512], key[512], what[16];
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
		snprintf(what, sizeof what, "listen%d", i);
		hold_key(key, sizeof key, s, what);
		if ((k->v[i].fd = hold_claim(key)) != -1) {
			k->fds[i] = k->v[i].fd;	/* the last supervisor's */
			continue;
		}
		if (listen_bind(&k->v[i], msg, sizeof msg) == -1) {
			snprintf(why, len, "spawn error: %s", msg);
			log_warnx("%s: %s", s->cfg->name, why);
			sock_close(s);
			return (-1);
		}
		k->fds[i] = k->v[i].fd;
		hold_add(key, k->fds[i]);
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
	char		 key[32];
	int		 i;

	if (k == NULL)
		return;
	for (i = 0; i < k->n; i++) {
		o = &k->v[i];
		if (o->fd != -1) {
			snprintf(key, sizeof key, "listen%d", i);
			hold_gone(s, key);
		}
		listen_close(o);
		free(o->addr);
	}
	free(k->v);
	free(k->fds);
	free(k);
	s->socks = NULL;
}
