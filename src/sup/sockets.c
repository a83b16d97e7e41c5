/*
 * A service's listening sockets: each address bound once and kept for
 * the service's configured life, across every restart, so that
 * connections made while it restarts wait in the backlog.
 *
 * listen=: the process gets them from fd 3 on, with systemd's LISTEN_FDS
 * protocol (svc-spawn.c).  They are bound at the first start that needs
 * them, bound again when listen= changes, and closed when the service
 * goes; a stopped service's sockets stay open, and clients wait.
 *
 * [fcgi-program:x]'s socket=: one socket for the pool, as supervisord's
 * socket manager has it, which every process gets as fd 0.  The first
 * spawn binds it, the others take a reference; the last process of the
 * pool to go closes it.  supervisord drops a process's reference when
 * it is reaped, which closes the socket while the whole pool restarts;
 * here the reference lasts the process's configured life, and restarts
 * refuse nothing.  A reload that changes the address binds the new one
 * (the old one closes with its last holder); one that changes only the
 * backlog, owner or mode applies them to the socket in place.
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

/* n sockets for s alone, none bound yet. */
static struct socks *
sock_new(struct svc *s, int n)
{
	struct socks	*k;

	k = xcalloc(1, sizeof *k);
	k->v = xcalloc(n, sizeof *k->v);
	k->fds = xcalloc(n, sizeof *k->fds);
	k->refs = 1;
	s->socks = k;
	return (k);
}

/*
 * The socket the pool of s asks for, into o: its address (s's config's)
 * and options.  A unix socket is 0700 by default and, when user= is
 * another than ours, owned by that user, as supervisord has it.
 */
static void
sock_fcgi_want(struct svc *s, struct sock *o)
{
	const struct cfg_fcgi	*f = &s->cfg->fcgi;
	struct wd_creds		 c;

	memset(o, 0, sizeof *o);
	o->fd = -1;
	o->addr = f->socket;
	o->backlog = f->backlog;
	if (strncmp(f->socket, "unix://", 7) != 0)
		return;
	o->has_mode = 1;
	o->mode = f->mode != -1 ? f->mode : 0700;
	if (f->owner.uid != (uid_t)-1) {
		o->has_owner = 1;
		o->uid = f->owner.uid;
		o->gid = f->owner.gid;
	} else if (s->cfg->user != NULL &&
	    wd_creds_lookup(s->cfg->user, &c) == 0 && c.uid != getuid()) {
		o->has_owner = 1;
		o->uid = c.uid;
		o->gid = c.gid;
	}
}

/* Do a socket's options differ from those wanted? */
static int
sock_fcgi_differ(const struct sock *o, const struct sock *w)
{
	return (o->backlog != w->backlog || o->has_mode != w->has_mode ||
	    (o->has_mode && o->mode != w->mode) ||
	    o->has_owner != w->has_owner || (o->has_owner &&
	    (o->uid != w->uid || o->gid != w->gid)));
}

/* The socket of s's pool at addr, held by another of its processes. */
static struct socks *
sock_fcgi_find(struct svc *s, const char *addr)
{
	struct svc	*t;

	TAILQ_FOREACH(t, &s->sup->svcs, entry)
		if (t != s && t->socks != NULL && t->socks->fcgi &&
		    strcmp(t->cfg->program, s->cfg->program) == 0 &&
		    strcmp(t->socks->v[0].addr, addr) == 0)
			return (t->socks);
	return (NULL);
}

/*
 * Before an fcgi spawn: the pool's socket, shared with the processes of
 * the pool that hold it, or bound.  0, or -1 with why.
 */
static int
sock_fcgi_open(struct svc *s, char *why, size_t len)
{
	struct socks	*k = s->socks;
	struct sock	 w, *o;
	char		 msg[512];

	sock_fcgi_want(s, &w);
	if (k == NULL || !k->fcgi || strcmp(k->v[0].addr, w.addr) != 0) {
		sock_close(s);
		if ((k = sock_fcgi_find(s, w.addr)) != NULL) {
			k->refs++;
			s->socks = k;
		}
	}
	if (k != NULL) {
		o = &k->v[0];
		if (!sock_fcgi_differ(o, &w))
			return (0);
		o->backlog = w.backlog;
		o->mode = w.mode;
		o->uid = w.uid;
		o->gid = w.gid;
		o->has_mode = w.has_mode;
		o->has_owner = w.has_owner;
		if (listen_set(o, msg, sizeof msg) == 0)
			return (0);
		snprintf(why, len, "spawn error: %s", msg);
		log_warnx("%s: %s", s->cfg->name, why);
		return (-1);
	}
	k = sock_new(s, 1);
	k->fcgi = 1;
	k->v[0] = w;
	k->v[0].addr = xstrdup(w.addr);
	k->n = 1;
	if (listen_bind(&k->v[0], msg, sizeof msg) == -1) {
		snprintf(why, len, "spawn error: %s", msg);
		log_warnx("%s: %s", s->cfg->name, why);
		sock_close(s);
		return (-1);
	}
	k->fds[0] = k->v[0].fd;
	log_info("%s: listening on %s for the pool", s->cfg->program,
	    w.addr);
	return (0);
}

/*
 * Before a spawn: the sockets listen= or socket= asks for, those bound
 * already kept as they are.  0, or -1 with why, none bound.
 */
int
sock_open(struct svc *s, char *why, size_t len)
{
	struct socks	*k = s->socks;
	char		 msg[512], key[512], what[16];
	int		 i, n;

	if (s->cfg->fcgi.socket != NULL)
		return (sock_fcgi_open(s, why, len));
	if (k != NULL && !k->fcgi && sock_same(k, s->cfg->listen))
		return (0);
	sock_close(s);
	if ((n = sock_count(s->cfg->listen)) == 0)
		return (0);
	k = sock_new(s, n);
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

/*
 * s lets go of its sockets; the last holder closes them, a unix
 * socket's file too, while it is still ours.
 */
void
sock_close(struct svc *s)
{
	struct socks	*k = s->socks;
	struct sock	*o;
	char		 key[32];
	int		 i;

	if (k == NULL)
		return;
	s->socks = NULL;
	if (--k->refs > 0)
		return;
	if (k->fcgi && k->v[0].fd != -1)
		log_info("%s: closing %s: the pool is gone", s->cfg->program,
		    k->v[0].addr);
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
}
