/*
 * The fd holder: a tiny process, forked by the first supervisor of a
 * config, that holds a duplicate of every fd a running service depends
 * on (each log pipe's read end, the notify socket, each listen= socket),
 * so that a SIGKILLed supervisor takes none of them with it: a service
 * that writes blocks on its full pipe, never gets EPIPE, and loses no
 * byte.  The next supervisor of the config (a new "warden up", or the
 * same process after "warden reexec") connects to it and gets them all
 * back over SCM_RIGHTS, each named by its key.
 *
 * It does nothing else.  It sleeps in poll(2) on two fds, its listening
 * socket and its one supervisor's connection, and wakes only when told
 * that a stream was made or went (no timer: no wakeup while idle).  It
 * leaves when the supervisor shuts down cleanly ('Q').  Its fds are its
 * own process's: one per stream, its socket and its connection.
 *
 * The protocol, SOCK_SEQPACKET, one message each:
 *   supervisor -> holder  'A' KEY + one fd: hold it (a key held is
 *			   replaced); 'D' KEY: close it; 'G': send all;
 *			   'Q': leave.
 *   holder -> supervisor  'F' KEY\0KEY\0... + the fds, at most
 *			   HOLD_BATCH each; then 'E' once all are sent.
 * The socket lives in the run directory (0700), and a connection from
 * another user than the holder's (or root) is refused.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sup.h"

#define HOLD_BATCH	253		/* SCM_MAX_FD: the most in one message */
#define HOLD_MSG	65536		/* keys of one batch, and one request */

/* One fd held, in its hash chain. */
struct hold_ent {
	struct hold_ent	*next;
	int		 fd;
	char		 key[];
};

/* Room for a batch's fds in one message, aligned. */
union hold_cbuf {
	char		b[CMSG_SPACE(sizeof(int) * HOLD_BATCH)];
	struct cmsghdr	align;
};

/* The holder's table: a hash of chains, grown as it fills. */
static struct hold_ent	**hold_tab;
static size_t		  hold_nb, hold_n;

/* The supervisor's side: its connection, and what a 'G' gave back. */
static int		  hold_conn = -1;
static pid_t		  hold_pid;	/* the holder, once known */
static struct hold_got {
	char		*key;
	int		 fd;
} *hold_got;
static size_t		  hold_ngot;

/* FNV-1a of a key. */
static size_t
hold_hash(const char *k)
{
	uint64_t	h = 0xcbf29ce484222325ULL;

	for (; *k != '\0'; k++) {
		h ^= (unsigned char)*k;
		h *= 0x100000001b3ULL;
	}
	return ((size_t)h);
}

/* The chain link that points at key's entry, or at the chain's end. */
static struct hold_ent **
hold_find(const char *key)
{
	struct hold_ent	**e;

	for (e = &hold_tab[hold_hash(key) & (hold_nb - 1)]; *e != NULL;
	    e = &(*e)->next)
		if (strcmp((*e)->key, key) == 0)
			break;
	return (e);
}

/* Twice the buckets, once there are more entries than buckets. */
static void
hold_grow(void)
{
	struct hold_ent	**old = hold_tab, *e, *next;
	size_t		  i, onb = hold_nb;

	hold_nb = onb ? onb * 2 : 64;
	hold_tab = xcalloc(hold_nb, sizeof *hold_tab);
	for (i = 0; i < onb; i++)
		for (e = old[i]; e != NULL; e = next) {
			next = e->next;
			e->next = hold_tab[hold_hash(e->key) & (hold_nb - 1)];
			hold_tab[hold_hash(e->key) & (hold_nb - 1)] = e;
		}
	free(old);
}

/* Hold fd as key, in place of what key held. */
static void
hold_put(const char *key, int fd)
{
	struct hold_ent	**e, *n;
	size_t		  len = strlen(key) + 1;

	if (hold_n >= hold_nb)
		hold_grow();
	if (*(e = hold_find(key)) != NULL) {
		close((*e)->fd);
		(*e)->fd = fd;
		return;
	}
	n = xmalloc(sizeof *n + len);
	memcpy(n->key, key, len);
	n->fd = fd;
	n->next = NULL;
	*e = n;
	hold_n++;
}

/* Close what key held. */
static void
hold_drop(const char *key)
{
	struct hold_ent	**e, *n;

	if (hold_nb == 0 || (n = *(e = hold_find(key))) == NULL)
		return;
	*e = n->next;
	close(n->fd);
	free(n);
	hold_n--;
}

/* mh for one message of len bytes at buf, its control room cbuf. */
static void
hold_msg(struct msghdr *mh, struct iovec *iov, const char *buf, size_t len,
    void *cbuf, size_t clen)
{
	memset(mh, 0, sizeof *mh);
	iov->iov_base = (void *)(uintptr_t)buf;
	iov->iov_len = len;
	mh->msg_iov = iov;
	mh->msg_iovlen = 1;
	mh->msg_control = clen > 0 ? cbuf : NULL;
	mh->msg_controllen = clen;
}

/* Send one message with nfd fds; -1 when the peer is gone. */
static int
hold_send(int sock, const char *buf, size_t len, const int *fds, int nfd)
{
	struct msghdr	 mh;
	struct iovec	 iov;
	struct cmsghdr	*cm;
	union hold_cbuf	 cbuf;
	ssize_t		 n;

	memset(&cbuf, 0, sizeof cbuf);
	hold_msg(&mh, &iov, buf, len, cbuf.b, nfd > 0 ?
	    CMSG_SPACE(sizeof(int) * (size_t)nfd) : 0);
	if (nfd > 0) {
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)nfd);
		memcpy(CMSG_DATA(cm), fds, sizeof(int) * (size_t)nfd);
	}
	do
		n = sendmsg(sock, &mh, MSG_NOSIGNAL);
	while (n == -1 && errno == EINTR);
	return (n == (ssize_t)len ? 0 : -1);
}

/*
 * Receive one message into buf (NUL-terminated), its fds into fds (at
 * most HOLD_BATCH, *nfd of them, close-on-exec); its length, 0 at EOF, -1
 * on an error.
 */
static ssize_t
hold_recv(int sock, char *buf, size_t len, int *fds, int *nfd)
{
	struct msghdr	 mh;
	struct iovec	 iov;
	struct cmsghdr	*cm;
	union hold_cbuf	 cbuf;
	ssize_t		 n;
	size_t		 got;

	*nfd = 0;
	hold_msg(&mh, &iov, buf, len - 1, cbuf.b, sizeof cbuf.b);
	do
		n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
	while (n == -1 && errno == EINTR);
	if (n < 0)
		return (-1);
	for (cm = CMSG_FIRSTHDR(&mh); cm != NULL; cm = CMSG_NXTHDR(&mh, cm)) {
		if (cm->cmsg_level != SOL_SOCKET ||
		    cm->cmsg_type != SCM_RIGHTS)
			continue;
		got = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		if (got > (size_t)(HOLD_BATCH - *nfd))
			got = (size_t)(HOLD_BATCH - *nfd);
		memcpy(fds + *nfd, CMSG_DATA(cm), got * sizeof(int));
		*nfd += (int)got;
	}
	buf[n] = '\0';
	return (n);
}

/* 'G': every fd held, in batches, then 'E'. */
static int
hold_send_all(int sock)
{
	static char	 buf[HOLD_MSG];
	struct hold_ent	*e;
	int		 fds[HOLD_BATCH], nfd = 0;
	size_t		 i, len = 1, klen;

	buf[0] = 'F';
	for (i = 0; i < hold_nb; i++)
		for (e = hold_tab[i]; e != NULL; e = e->next) {
			klen = strlen(e->key) + 1;
			if (nfd == HOLD_BATCH || len + klen > sizeof buf) {
				if (hold_send(sock, buf, len, fds, nfd) == -1)
					return (-1);
				len = 1;
				nfd = 0;
			}
			memcpy(buf + len, e->key, klen);
			len += klen;
			fds[nfd++] = e->fd;
		}
	if (nfd > 0 && hold_send(sock, buf, len, fds, nfd) == -1)
		return (-1);
	return (hold_send(sock, "E", 1, NULL, 0));
}

/* One request from the supervisor; -1 when the connection is over. */
static int
hold_request(int sock)
{
	static char	buf[HOLD_MSG];
	int		fds[HOLD_BATCH], nfd, i, rv = 0;
	ssize_t		n;

	if ((n = hold_recv(sock, buf, sizeof buf, fds, &nfd)) <= 0)
		return (-1);
	if (buf[0] == 'A' && nfd >= 1) {
		hold_put(buf + 1, fds[0]);
		fds[0] = -1;
	} else if (buf[0] == 'D')
		hold_drop(buf + 1);
	else if (buf[0] == 'G')
		rv = hold_send_all(sock);
	else if (buf[0] == 'Q')
		_exit(0);
	for (i = 0; i < nfd; i++)
		if (fds[i] != -1)
			close(fds[i]);
	return (rv);
}

/* Is the peer of sock the holder's own user, or root? */
static int
hold_peer_ok(int sock)
{
	struct ucred	cr;
	socklen_t	len = sizeof cr;

	if (getsockopt(sock, SOL_SOCKET, SO_PEERCRED, &cr, &len) == -1)
		return (0);
	return (cr.uid == 0 || cr.uid == geteuid());
}

/* Is a message (or the end) waiting on sock? */
static int
hold_ready(int sock)
{
	struct pollfd	pfd;

	pfd.fd = sock;
	pfd.events = POLLIN;
	return (poll(&pfd, 1, 0) == 1);
}

/*
 * The holder's life: one supervisor at a time (a new connection
 * replaces the last, whose supervisor is gone), never a timeout.
 */
static void __attribute__((noreturn))
hold_main(int lfd)
{
	struct pollfd	pfd[2];
	int		conn = -1, fd;

	for (;;) {
		pfd[0].fd = lfd;
		pfd[0].events = POLLIN;
		pfd[1].fd = conn;
		pfd[1].events = POLLIN;
		if (poll(pfd, conn == -1 ? 1 : 2, -1) == -1) {
			if (errno == EINTR)
				continue;
			_exit(1);
		}
		if (conn != -1 && pfd[1].revents != 0 &&
		    hold_request(conn) == -1) {
			close(conn);
			conn = -1;
		}
		if (pfd[0].revents & POLLIN) {
			if ((fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC)) == -1)
				continue;
			if (!hold_peer_ok(fd)) {
				close(fd);
				continue;
			}
			/*
			 * What the last supervisor sent before it went is
			 * still queued: taken first, in order.
			 */
			while (conn != -1 && hold_ready(conn) &&
			    hold_request(conn) == 0)
				;
			if (conn != -1)
				close(conn);
			conn = fd;
		}
	}
}

/* The holder's address for path; -1 when path does not fit. */
static int
hold_addr(const char *path, struct sockaddr_un *sun)
{
	memset(sun, 0, sizeof *sun);
	sun->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof sun->sun_path)
		return (-1);
	strcpy(sun->sun_path, path);
	return (0);
}

/* A connection to the holder at path, or -1. */
static int
hold_connect(const char *path)
{
	struct sockaddr_un	sun;
	int			fd;

	if (hold_addr(path, &sun) == -1 ||
	    (fd = socket(AF_UNIX, SOCK_SEQPACKET|SOCK_CLOEXEC, 0)) == -1)
		return (-1);
	if (connect(fd, (struct sockaddr *)&sun, sizeof sun) == -1) {
		close(fd);
		return (-1);
	}
	return (fd);
}

/*
 * Fork the holder, listening at path: its own session (no terminal's
 * signals), default signal handling, no fd but its socket.  Its pid, or
 * -1.
 */
static pid_t
hold_spawn(const char *path)
{
	struct sockaddr_un	sun;
	sigset_t		none;
	pid_t			pid;
	mode_t			um;
	int			lfd;

	if (hold_addr(path, &sun) == -1 ||
	    (lfd = socket(AF_UNIX, SOCK_SEQPACKET|SOCK_CLOEXEC, 0)) == -1)
		return (-1);
	(void)unlink(path);	/* we hold the config's lock: it is stale */
	um = umask(077);
	if (bind(lfd, (struct sockaddr *)&sun, sizeof sun) == -1 ||
	    listen(lfd, 8) == -1) {
		umask(um);
		close(lfd);
		return (-1);
	}
	umask(um);
	if ((pid = fork()) == 0) {
		(void)setsid();
		(void)wd_fd_closefrom(3, &lfd, 1);
		(void)wd_fd_devnull(7);
		sigemptyset(&none);
		(void)sigprocmask(SIG_SETMASK, &none, NULL);
		(void)signal(SIGPIPE, SIG_IGN);
		hold_main(lfd);
	}
	close(lfd);
	return (pid);
}

/* qsort and bsearch order of what came back: by key. */
static int
hold_got_cmp(const void *a, const void *b)
{
	return (strcmp(((const struct hold_got *)a)->key,
	    ((const struct hold_got *)b)->key));
}

/* Ask the holder for everything it holds: the table hold_claim reads. */
static int
hold_get_all(void)
{
	static char	 buf[HOLD_MSG];
	int		 fds[HOLD_BATCH], nfd, i;
	size_t		 cap = 0;
	ssize_t		 n;
	char		*k;

	if (hold_send(hold_conn, "G", 1, NULL, 0) == -1)
		return (-1);
	for (;;) {
		if ((n = hold_recv(hold_conn, buf, sizeof buf, fds, &nfd)) <= 0)
			return (-1);
		if (buf[0] == 'E')
			break;
		k = buf + 1;
		for (i = 0; i < nfd; i++) {
			if (k >= buf + n) {
				close(fds[i]);	/* a key short: never */
				continue;
			}
			if (hold_ngot == cap) {
				cap = cap ? cap * 2 : 64;
				hold_got = xreallocarray(hold_got, cap,
				    sizeof *hold_got);
			}
			hold_got[hold_ngot].key = xstrdup(k);
			hold_got[hold_ngot++].fd = fds[i];
			k += strlen(k) + 1;
		}
	}
	qsort(hold_got, hold_ngot, sizeof *hold_got, hold_got_cmp);
	return (0);
}

/*
 * Find the config's holder at path and take back what it holds (a
 * supervisor before us died, or exec'd), or fork one.  pid is the
 * holder's as the state file knew it (0: none).  0 when there is a
 * holder; 1 when it was found, with its fds for hold_claim.
 */
int
hold_init(const char *path, pid_t pid)
{
	int	found = 0;

	if ((hold_conn = hold_connect(path)) != -1) {
		if (hold_get_all() == 0) {
			hold_pid = pid;
			found = 1;
		} else {
			close(hold_conn);
			hold_conn = -1;
		}
	}
	if (hold_conn == -1) {
		if ((hold_pid = hold_spawn(path)) == -1 ||
		    (hold_conn = hold_connect(path)) == -1) {
			log_warn("fd holder %s", path);
			hold_pid = 0;
			return (-1);
		}
	}
	return (found);
}

/* The holder's pid, for the state file; 0 when unknown. */
pid_t
hold_holder(void)
{
	return (hold_pid);
}

/* The fd held as key, taken back (the holder keeps its own), or -1. */
int
hold_claim(const char *key)
{
	struct hold_got	 k, *g;
	int		 fd;

	if (hold_ngot == 0)
		return (-1);
	k.key = (char *)(uintptr_t)key;
	if ((g = bsearch(&k, hold_got, hold_ngot, sizeof *hold_got,
	    hold_got_cmp)) == NULL || g->fd == -1)
		return (-1);
	fd = g->fd;
	g->fd = -1;
	return (fd);
}

/* Was key's fd taken back by hold_claim (until hold_claim_end)? */
int
hold_claimed(const char *key)
{
	struct hold_got	 k, *g;

	if (hold_ngot == 0)
		return (0);
	k.key = (char *)(uintptr_t)key;
	g = bsearch(&k, hold_got, hold_ngot, sizeof *hold_got, hold_got_cmp);
	return (g != NULL && g->fd == -1);
}

/* The key of a service's fd: what ("stdout", "listen 0"), group:name. */
void
hold_key(char *buf, size_t len, const struct svc *s, const char *what)
{
	snprintf(buf, len, "%s %s:%s", what, s->cfg->group, s->cfg->name);
}

/*
 * A service stream's pipe: the read end the holder kept for it, with a
 * write end opened on it again (through /proc/self/fd, so that the read
 * end is the only fd the stream costs at rest): 1; or else a new pipe,
 * its read end given to the holder: 0.  -1 with errno.
 */
int
hold_pipe(const struct svc *s, const char *stream, int p[2])
{
	char	key[512], path[64];

	hold_key(key, sizeof key, s, stream);
	if ((p[0] = hold_claim(key)) != -1) {
		snprintf(path, sizeof path, "/proc/self/fd/%d", p[0]);
		if ((p[1] = open(path, O_WRONLY|O_CLOEXEC)) != -1)
			return (1);
		close(p[0]);
	}
	if (pipe2(p, O_CLOEXEC) == -1)
		return (-1);
	hold_add(key, p[0]);
	return (0);
}

/* A stream of the service went: so does the holder's duplicate. */
void
hold_gone(const struct svc *s, const char *stream)
{
	char	key[512];

	if (hold_conn == -1)
		return;
	hold_key(key, sizeof key, s, stream);
	hold_del(key);
}

/* What nobody claimed is no service's any more: the holder lets it go. */
void
hold_claim_end(void)
{
	size_t	i;

	for (i = 0; i < hold_ngot; i++) {
		if (hold_got[i].fd != -1) {
			hold_del(hold_got[i].key);
			close(hold_got[i].fd);
		}
		free(hold_got[i].key);
	}
	free(hold_got);
	hold_got = NULL;
	hold_ngot = 0;
}

/* A request to the holder; a holder gone is said once. */
static void
hold_tell(char op, const char *key, int fd)
{
	char	buf[HOLD_MSG];
	size_t	len;

	if (hold_conn == -1)
		return;
	len = (size_t)snprintf(buf, sizeof buf, "%c%s", op, key);
	if (len >= sizeof buf)
		return;
	if (hold_send(hold_conn, buf, len, &fd, fd == -1 ? 0 : 1) == -1) {
		log_warn("fd holder: gone: output is lost if the supervisor "
		    "dies");
		close(hold_conn);
		hold_conn = -1;
	}
}

/* A stream or socket was made: the holder keeps a duplicate of fd. */
void
hold_add(const char *key, int fd)
{
	hold_tell('A', key, fd);
}

/* It went: the holder closes its duplicate. */
void
hold_del(const char *key)
{
	hold_tell('D', key, -1);
}

/*
 * The supervisor leaves: with quit, for good (the holder exits and its
 * socket goes); without, for an exec, whose next self connects again.
 */
void
hold_fini(const char *path, int quit)
{
	if (hold_conn == -1)
		return;
	if (quit) {
		hold_tell('Q', "", -1);
		if (path != NULL)
			(void)unlink(path);
	}
	if (hold_conn != -1)
		close(hold_conn);
	hold_conn = -1;
}

/* Is there a holder to tell? */
int
hold_is_on(void)
{
	return (hold_conn != -1);
}
