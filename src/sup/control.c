/*
 * The control socket: SOCK_SEQPACKET, one request per connection.  A
 * request is one message of NUL-terminated fields: the protocol version
 * ("warden1"), the verb, its arguments.  Replies are messages of text
 * lines; the last is "OK [CODE]" or "ERR reason".
 *
 * Every request is checked before anything runs: the peer's uid
 * (SO_PEERCRED: ours or root), the size, the field count and lengths,
 * the verb and its argument count.  A bad request gets ERR and the
 * connection is closed; the supervisor never blocks on a client.
 */
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sup.h"

#define CTL_PROTOCOL	"warden1"
#define CTL_MSG_MAX	65536	/* a request larger than this is refused */
#define CTL_FIELD_MAX	1024	/* bytes in one field */
#define CTL_FIELDS_MAX	4096	/* fields in one request */
#define CTL_CONNS_MAX	64	/* clients at once */
#define CTL_IDLE	5.0	/* seconds a client may take to ask */
#define CTL_CHUNK	32768	/* reply text packed per message */
#define CTL_DATA_MAX	65536	/* a log data message, type byte included */
#define CTL_FOLLOWERS_MAX 32	/* logs -f at once: half the clients */
#define CTL_FOLLOW_QMAX	(1 << 20) /* bytes queued for one follower */

enum ctl_op { OP_NONE, OP_START, OP_STOP, OP_RESTART };

struct ctl_conn {
	struct sup	 *sup;
	int		  fd;
	struct timer	 *idle;
	enum ctl_op	  op;		/* waiting for services to settle */
	struct svc	**targets;
	int		  ntargets;
	char		 *out;		/* reply text not yet packed */
	size_t		  outlen, outcap;
	int		  targetcap;
	char		**queue;	/* messages not yet sent */
	size_t		 *qlen;
	int		  nqueue;
	int		  done;		/* final reply queued: close when sent */
	int		  linger;	/* refused: close at its EOF, not ours */
	size_t		  qbytes;	/* bytes in queue */

	/* logs: a tail read as the socket takes it, then live data. */
	struct follow_tail *tail;
	char		 *tailmsg;	/* the tail's message being sent */
	size_t		  taillen;
	struct follow	 *follow;	/* logs -f: until the client leaves */
	struct svc	 *fsvc;		/* whose (NULL: the supervisor's) */
	int		  skipping;	/* queue was full: dropping data */
	unsigned long long skipped;	/* bytes dropped */
	TAILQ_ENTRY(ctl_conn) entry;
};

static TAILQ_HEAD(, ctl_conn) ctl_conns = TAILQ_HEAD_INITIALIZER(ctl_conns);
static int ctl_nconns;
static int ctl_nfollowers;

static int	ctl_status(struct ctl_conn *, int, char **);
static int	ctl_start(struct ctl_conn *, int, char **);
static int	ctl_stop(struct ctl_conn *, int, char **);
static int	ctl_restart(struct ctl_conn *, int, char **);
static int	ctl_reload(struct ctl_conn *, int, char **);
static int	ctl_shutdown(struct ctl_conn *, int, char **);
static int	ctl_logs(struct ctl_conn *, int, char **);

static const struct ctl_verb {
	const char	*name;
	int		 minargs, maxargs;	/* -1: no limit */
	int		(*exec)(struct ctl_conn *, int, char **);
} ctl_verbs[] = {		/* their arguments are in usage.c */
	{ "logs",	1, 6,	ctl_logs },
	{ "reload",	0, 0,	ctl_reload },
	{ "restart",	1, -1,	ctl_restart },
	{ "shutdown",	0, 0,	ctl_shutdown },
	{ "start",	1, -1,	ctl_start },
	{ "status",	0, -1,	ctl_status },
	{ "stop",	1, -1,	ctl_stop },
};

static void	ctl_close(struct ctl_conn *);
static void	ctl_usage(struct ctl_conn *, const char *);
static void	ctl_note(struct ctl_conn *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));

/*
 * Send the tail of a log file, read as the socket takes it, so that the
 * last million lines never sit in memory; it goes before anything
 * queued.  A fast reader is served 1 MiB per turn of the loop, so the
 * others wait no longer than that.  Returns 0 once the tail is all sent,
 * -1 while the socket is full or the turn is over (EPOLLOUT armed), or
 * when the connection was closed.
 */
static int
ctl_tail_send(struct ctl_conn *c)
{
	ssize_t	n;
	size_t	len;
	int	budget = CTL_FOLLOW_QMAX / CTL_DATA_MAX;

	for (;;) {
		if (c->taillen == 0) {
			if (budget-- == 0)
				break;
			if (c->tailmsg == NULL)
				c->tailmsg = xmalloc(CTL_DATA_MAX);
			len = follow_tail_read(c->tail, c->tailmsg + 1,
			    CTL_DATA_MAX - 1);
			if (len == 0) {
				follow_tail_free(c->tail);
				c->tail = NULL;
				free(c->tailmsg);
				c->tailmsg = NULL;
				return (0);
			}
			c->tailmsg[0] = 'D';
			c->taillen = len + 1;
		}
		n = send(c->fd, c->tailmsg, c->taillen,
		    MSG_DONTWAIT|MSG_NOSIGNAL);
		if (n == -1 && errno == EAGAIN)
			break;
		if (n == -1) {
			ctl_close(c);
			return (-1);
		}
		c->taillen = 0;
	}
	(void)loop_mod(c->sup->loop, c->fd, EPOLLOUT);
	return (-1);
}

/* Pack pending text into messages and send what the socket takes. */
static void
ctl_flush(struct ctl_conn *c)
{
	ssize_t	n;
	int	i;

	if (c->tail != NULL && ctl_tail_send(c) == -1)
		return;
again:
	for (i = 0; i < c->nqueue; i++) {
		n = send(c->fd, c->queue[i], c->qlen[i],
		    MSG_DONTWAIT|MSG_NOSIGNAL);
		if (n == -1 && errno == EAGAIN)
			break;
		if (n == -1) {
			ctl_close(c);
			return;
		}
	}
	if (i > 0) {
		int k;

		for (k = 0; k < i; k++) {
			c->qbytes -= c->qlen[k];
			free(c->queue[k]);
		}
		memmove(c->queue, c->queue + i, (c->nqueue - i) *
		    sizeof *c->queue);
		memmove(c->qlen, c->qlen + i, (c->nqueue - i) * sizeof *c->qlen);
		c->nqueue -= i;
	}
	if (c->nqueue == 0 && c->skipping) {
		/* A slow follower caught up: say what it missed, go on. */
		ctl_note(c, "%llu bytes skipped (reader too slow)",
		    c->skipped);
		c->skipping = 0;
		c->skipped = 0;
		goto again;
	}
	if (c->nqueue > 0) {
		(void)loop_mod(c->sup->loop, c->fd, EPOLLOUT);
		return;
	}
	if (c->done && !c->linger)
		ctl_close(c);
}

static void
ctl_queue(struct ctl_conn *c, char *msg, size_t len)
{
	c->queue = xreallocarray(c->queue, c->nqueue + 1, sizeof *c->queue);
	c->qlen = xreallocarray(c->qlen, c->nqueue + 1, sizeof *c->qlen);
	c->queue[c->nqueue] = msg;
	c->qlen[c->nqueue] = len;
	c->nqueue++;
	c->qbytes += len;
}

static void
ctl_pack(struct ctl_conn *c)
{
	if (c->outlen == 0)
		return;
	ctl_queue(c, c->out, c->outlen);
	c->out = NULL;
	c->outlen = c->outcap = 0;
}

/* Make room for len more bytes of reply text, doubling. */
static void
ctl_reserve(struct ctl_conn *c, size_t len)
{
	if (c->outlen + len <= c->outcap)
		return;
	c->outcap = c->outcap ? c->outcap * 2 : 4096;
	while (c->outcap < c->outlen + len)
		c->outcap *= 2;
	c->out = xreallocarray(c->out, c->outcap, 1);
}

/*
 * Add a line of reply text, formatted straight into the reply buffer:
 * a status of 1,000 services is 1,000 of these.
 */
static void __attribute__((format(printf, 2, 3)))
ctl_printf(struct ctl_conn *c, const char *fmt, ...)
{
	va_list	ap;
	int	n;

	if (c->outlen + 512 > CTL_CHUNK)
		ctl_pack(c);
	ctl_reserve(c, 512);
	va_start(ap, fmt);
	n = vsnprintf(c->out + c->outlen, c->outcap - c->outlen, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n + 2 > c->outcap - c->outlen) {
		if (c->outlen + (size_t)n + 2 > CTL_CHUNK)
			ctl_pack(c);
		ctl_reserve(c, (size_t)n + 2);
		va_start(ap, fmt);
		(void)vsnprintf(c->out + c->outlen, c->outcap - c->outlen,
		    fmt, ap);
		va_end(ap);
	}
	c->outlen += (size_t)n;
	c->out[c->outlen++] = '\n';
}

/* The final reply: "OK [code]" or "ERR reason"; then close once sent. */
static void
ctl_end(struct ctl_conn *c, const char *final)
{
	ctl_pack(c);
	ctl_queue(c, xstrdup(final), strlen(final));
	c->done = 1;
	ctl_flush(c);
}

static void __attribute__((format(printf, 2, 3)))
ctl_err(struct ctl_conn *c, const char *fmt, ...)
{
	char	*msg, *line;
	va_list	 ap;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) == -1)
		msg = NULL;
	va_end(ap);
	xasprintf(&line, "ERR %s", msg ? msg : "error");
	ctl_end(c, line);
	free(line);
	free(msg);
}

/*
 * Log bytes, as 'D' messages of at most CTL_DATA_MAX bytes, cut after a
 * newline where one must be cut.  Small chunks join the last message
 * still queued: a slow reader is sent fewer, fuller messages.
 */
static void
ctl_data(struct ctl_conn *c, const char *buf, size_t len)
{
	const char	*nl;
	char		*msg;
	size_t		 n, last;

	ctl_pack(c);
	while (len > 0) {
		n = len < CTL_DATA_MAX - 1 ? len : CTL_DATA_MAX - 1;
		if (n < len && (nl = memrchr(buf, '\n', n)) != NULL)
			n = (size_t)(nl - buf) + 1;
		if (c->nqueue > 0 && c->queue[c->nqueue - 1][0] == 'D' &&
		    c->qlen[c->nqueue - 1] + n <= CTL_DATA_MAX) {
			last = c->nqueue - 1;
			c->queue[last] = xreallocarray(c->queue[last],
			    c->qlen[last] + n, 1);
			memcpy(c->queue[last] + c->qlen[last], buf, n);
			c->qlen[last] += n;
			c->qbytes += n;
		} else {
			msg = xmalloc(n + 1);
			msg[0] = 'D';
			memcpy(msg + 1, buf, n);
			ctl_queue(c, msg, n + 1);
		}
		buf += n;
		len -= n;
	}
}

/* A 'W' message: a note the client shows on its stderr. */
static void
ctl_note(struct ctl_conn *c, const char *fmt, ...)
{
	va_list	 ap;
	char	*msg, *text;

	va_start(ap, fmt);
	if (vasprintf(&text, fmt, ap) == -1)
		text = NULL;
	va_end(ap);
	if (text == NULL)
		return;
	xasprintf(&msg, "W%s", text);
	ctl_pack(c);
	ctl_queue(c, msg, strlen(msg));
	free(text);
}

static void
ctl_unfollow(struct ctl_conn *c)
{
	if (c->follow == NULL)
		return;
	follow_del(c->follow);
	c->follow = NULL;
	c->fsvc = NULL;
	ctl_nfollowers--;
}

/*
 * New log bytes for a follower.  Never sent from here (the caller may be
 * deep in the loop): queued, and sent when the socket is writable.  A
 * reader that lets CTL_FOLLOW_QMAX pile up loses what comes next, until
 * it has read everything queued; then it is told how much it missed.
 */
static void
ctl_follow_cb(void *arg, const char *buf, size_t len)
{
	struct ctl_conn	*c = arg;
	int		 idle = c->nqueue == 0 && c->tail == NULL;

	/* One chunk is always taken: the engine's are bounded. */
	if (c->skipping || (c->nqueue > 0 &&
	    c->qbytes + len > CTL_FOLLOW_QMAX)) {
		c->skipping = 1;
		c->skipped += len;
		return;
	}
	ctl_data(c, buf, len);
	if (idle)
		(void)loop_mod(c->sup->loop, c->fd, EPOLLOUT);
}

static void
ctl_close(struct ctl_conn *c)
{
	int	i;

	ctl_unfollow(c);
	follow_tail_free(c->tail);
	free(c->tailmsg);
	loop_del(c->sup->loop, c->fd);
	close(c->fd);
	loop_timer_del(c->sup->loop, c->idle);
	for (i = 0; i < c->nqueue; i++)
		free(c->queue[i]);
	free(c->queue);
	free(c->qlen);
	free(c->out);
	free(c->targets);
	TAILQ_REMOVE(&ctl_conns, c, entry);
	ctl_nconns--;
	free(c);
}

/* Add s to the operation's targets. */
static void
ctl_target_add(struct ctl_conn *c, struct svc *s)
{
	if (c->ntargets == c->targetcap) {
		c->targetcap = c->targetcap ? c->targetcap * 2 : 16;
		c->targets = xreallocarray(c->targets, c->targetcap,
		    sizeof *c->targets);
	}
	c->targets[c->ntargets++] = s;
}

/* Is s one of the services the words name? Adds them to the targets. */
static int
ctl_targets(struct ctl_conn *c, int argc, char **argv)
{
	struct sup	*sup = c->sup;
	struct svc	*s;
	char		*cause = NULL;
	size_t		 glen;
	int		 i, found;

	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "all") == 0) {
			TAILQ_FOREACH(s, &sup->svcs, entry) {
				if (!s->removed)
					ctl_target_add(c, s);
			}
			continue;
		}
		glen = strlen(argv[i]);
		if (glen > 2 && strcmp(argv[i] + glen - 2, ":*") == 0) {
			found = 0;
			TAILQ_FOREACH(s, &sup->svcs, entry) {
				if (s->removed ||
				    strlen(s->cfg->group) != glen - 2 ||
				    strncmp(s->cfg->group, argv[i], glen - 2))
					continue;
				ctl_target_add(c, s);
				found = 1;
			}
			if (!found) {
				ctl_err(c, "%.*s: no such group",
				    (int)(glen - 2), argv[i]);
				return (-1);
			}
			continue;
		}
		if ((s = svc_find(sup, argv[i], &cause)) == NULL) {
			ctl_err(c, "%s", cause);
			free(cause);
			return (-1);
		}
		ctl_target_add(c, s);
	}
	return (0);
}

static const char *
ctl_fullname(const struct svc *s, char *buf, size_t len)
{
	if (strcmp(s->cfg->group, s->cfg->name) == 0)
		snprintf(buf, len, "%s", s->cfg->name);
	else
		snprintf(buf, len, "%s:%s", s->cfg->group, s->cfg->name);
	return (buf);
}

static void
ctl_status_json(struct ctl_conn *c)
{
	char	 *buf = NULL, desc[256];
	size_t	  len = 0;
	FILE	 *fp;
	int	  i;

	if ((fp = open_memstream(&buf, &len)) == NULL)
		return;
	fprintf(fp, "{\"services\": [");
	for (i = 0; i < c->ntargets; i++) {
		struct svc *s = c->targets[i];

		svc_describe(s, desc, sizeof desc);
		fprintf(fp, "%s{\"name\": ", i ? ", " : "");
		json_string(fp, s->cfg->name);
		fprintf(fp, ", \"group\": ");
		json_string(fp, s->cfg->group);
		fprintf(fp, ", \"state\": \"%s\", \"pid\": ",
		    svc_state_names[s->state]);
		if (s->pid > 0)
			fprintf(fp, "%ld", (long)s->pid);
		else
			fprintf(fp, "null");
		fprintf(fp, ", \"since\": %lld, \"exit_status\": ",
		    (long long)s->since);
		if (s->has_status && WIFEXITED(s->status))
			fprintf(fp, "%d", WEXITSTATUS(s->status));
		else if (s->has_status && WIFSIGNALED(s->status))
			fprintf(fp, "%d", 128 + WTERMSIG(s->status));
		else
			fprintf(fp, "null");
		fprintf(fp, ", \"restarts\": %lu, \"ready\": %s, "
		    "\"description\": ", s->restarts, s->state == SVC_RUNNING ?
		    "true" : "false");
		json_string(fp, desc);
		fputc('}', fp);
	}
	fprintf(fp, "]}");
	fclose(fp);
	ctl_printf(c, "%s", buf);
	free(buf);
}

static int
ctl_status(struct ctl_conn *c, int argc, char **argv)
{
	char	name[512], desc[256];
	int	json = 0, i, k, all_running = 1;

	/* --json anywhere among the names. */
	for (i = k = 0; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else
			argv[k++] = argv[i];
	}
	argc = k;
	if (argc == 0) {
		char *all = "all";

		if (ctl_targets(c, 1, &all) == -1)
			return (-1);
	} else if (ctl_targets(c, argc, argv) == -1)
		return (-1);
	for (i = 0; i < c->ntargets; i++)
		if (c->targets[i]->state != SVC_RUNNING)
			all_running = 0;
	if (json)
		ctl_status_json(c);
	else {
		double	now = mono_now();

		for (i = 0; i < c->ntargets; i++) {
			struct svc	*t = c->targets[i];
			long		 up = (long)(now - t->started);
			int		 grouped;

			grouped = strcmp(t->cfg->group, t->cfg->name) != 0;
			if (t->state == SVC_RUNNING && t->note == NULL &&
			    !t->reloading && !t->stopping &&
			    svclog_problem(t) == NULL) {
				/* The common line in one format: 1,000 fast. */
				ctl_printf(c, "%s%s%-*s RUNNING   pid %ld, "
				    "uptime %ld:%02ld:%02ld", grouped ?
				    t->cfg->group : "", grouped ? ":" : "",
				    grouped ? (int)(31 - strlen(t->cfg->group)) :
				    32, t->cfg->name, (long)t->pid, up / 3600,
				    (up % 3600) / 60, up % 60);
				continue;
			}
			svc_describe(t, desc, sizeof desc);
			ctl_printf(c, "%-32s %-9s %s", ctl_fullname(t, name,
			    sizeof name), svc_state_names[t->state], desc);
		}
	}
	ctl_end(c, all_running ? "OK" : "OK 3");
	return (0);
}

/* Has every target reached what the waiting operation wants? */
static int
ctl_op_done(struct ctl_conn *c)
{
	struct svc	*s;
	int		 i;

	for (i = 0; i < c->ntargets; i++) {
		s = c->targets[i];
		if (s == NULL)
			continue;
		if (c->op == OP_STOP && !svc_is_idle(s))
			return (0);
		if (c->op != OP_STOP && !svc_is_start_over(s))
			return (0);
	}
	return (1);
}

static void
ctl_op_report(struct ctl_conn *c)
{
	struct svc	*s;
	char		 name[512], desc[256];
	int		 i, failed = 0;

	for (i = 0; i < c->ntargets; i++) {
		if ((s = c->targets[i]) == NULL)
			continue;
		ctl_fullname(s, name, sizeof name);
		if (c->op == OP_STOP)
			ctl_printf(c, "%s: stopped", name);
		else if (s->state == SVC_RUNNING)
			ctl_printf(c, "%s: started", name);
		else {
			svc_describe(s, desc, sizeof desc);
			ctl_printf(c, "%s: ERROR (%s: %s)", name,
			    svc_state_names[s->state], desc);
			failed = 1;
		}
	}
	c->op = OP_NONE;
	if (failed)
		ctl_err(c, "not every process started");
	else
		ctl_end(c, "OK");
}

/* A service changed state: answer the clients whose wait is over. */
void
ctl_changed(struct sup *sup)
{
	struct ctl_conn	*c, *tmp;

	TAILQ_FOREACH_SAFE(c, &ctl_conns, entry, tmp) {
		if (c->op != OP_NONE && ctl_op_done(c))
			ctl_op_report(c);
	}
}

static int
ctl_start(struct ctl_conn *c, int argc, char **argv)
{
	char	name[512];
	int	i;

	if (ctl_targets(c, argc, argv) == -1)
		return (-1);
	qsort(c->targets, c->ntargets, sizeof *c->targets, svc_prio_cmp);
	for (i = 0; i < c->ntargets; i++) {
		struct svc *s = c->targets[i];

		if (svc_is_up(s)) {
			if (argc == 1 && strcmp(argv[0], "all") == 0) {
				c->targets[i] = NULL;
				continue;
			}
			ctl_printf(c, "%s: ERROR (already %s)",
			    ctl_fullname(s, name, sizeof name),
			    s->state == SVC_STOPPING ? "stopping" : "started");
			c->targets[i] = NULL;
			continue;
		}
		svc_event(s, EV_START);
	}
	c->op = OP_START;
	if (ctl_op_done(c))
		ctl_op_report(c);
	return (0);
}

static int
ctl_stop(struct ctl_conn *c, int argc, char **argv)
{
	int	i;

	if (ctl_targets(c, argc, argv) == -1)
		return (-1);
	qsort(c->targets, c->ntargets, sizeof *c->targets, svc_prio_cmp);
	for (i = c->ntargets - 1; i >= 0; i--)
		svc_event(c->targets[i], EV_STOP);
	c->op = OP_STOP;
	if (ctl_op_done(c))
		ctl_op_report(c);
	return (0);
}

static int
ctl_restart(struct ctl_conn *c, int argc, char **argv)
{
	int	i;

	if (ctl_targets(c, argc, argv) == -1)
		return (-1);
	qsort(c->targets, c->ntargets, sizeof *c->targets, svc_prio_cmp);
	for (i = 0; i < c->ntargets; i++)
		svc_event(c->targets[i], EV_RESTART);
	c->op = OP_RESTART;
	if (ctl_op_done(c))
		ctl_op_report(c);
	return (0);
}

static int
ctl_reload(struct ctl_conn *c, int argc, char **argv)
{
	char	*cause = NULL;

	if (sup_reload(c->sup, &cause) == -1) {
		ctl_err(c, "%s", cause);
		free(cause);
		return (-1);
	}
	ctl_end(c, "OK");
	return (0);
}

static int
ctl_shutdown(struct ctl_conn *c, int argc, char **argv)
{
	struct sup	*sup = c->sup;

	ctl_end(c, "OK");		/* c may be gone once this is sent */
	sup_shutdown(sup);
	return (0);
}

/*
 * logs (NAME | --supervisor) [-f] [-n LINES] [--stderr] [--rotate]: the
 * last LINES lines as 'D' messages, then with -f every new chunk until
 * the client leaves, the service is removed or the supervisor exits;
 * notes for the user's stderr as 'W' messages; "OK" at the end.
 */
static int
ctl_logs(struct ctl_conn *c, int argc, char **argv)
{
	struct svc	*s = NULL;
	unsigned long	 lines = 10;
	size_t		 len;
	char		*cause = NULL, *note = NULL, *buf;
	int		 i, follow = 0, err = 0, rotate = 0, sup;

	sup = strcmp(argv[0], "--supervisor") == 0;
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-f") == 0)
			follow = 1;
		else if (strcmp(argv[i], "--stderr") == 0)
			err = 1;
		else if (strcmp(argv[i], "--rotate") == 0)
			rotate = 1;
		else if (strcmp(argv[i], "-n") != 0 || i + 1 == argc ||
		    parse_uint(argv[++i], ULONG_MAX, &lines) == -1)
			break;
	}
	if (i < argc || (rotate && follow) || (sup && (err || rotate))) {
		ctl_usage(c, "logs");
		return (-1);
	}
	if (!sup && (s = svc_find(c->sup, argv[0], &cause)) == NULL) {
		ctl_err(c, "%s", cause);
		free(cause);
		return (-1);
	}
	if (err && s->cfg->redirect_stderr) {
		ctl_err(c, "%s: stderr goes to stdout (redirect_stderr)",
		    s->cfg->name);
		return (-1);
	}
	if (rotate) {
		if (svclog_rotate(s, err, &cause) == -1) {
			ctl_err(c, "%s", cause);
			free(cause);
			return (-1);
		}
		ctl_end(c, "OK");
		return (0);
	}
	if (follow && ctl_nfollowers >= CTL_FOLLOWERS_MAX) {
		ctl_err(c, "too many followers (%d)", CTL_FOLLOWERS_MAX);
		return (-1);
	}
	if (sup) {
		buf = follow_sup_tail(lines, &len);
		ctl_data(c, buf, len);
		free(buf);
	} else if ((c->tail = follow_tail_open(s, err, lines, &note)) ==
	    NULL && note != NULL) {
		ctl_note(c, "%s", note);
		free(note);
	}
	if (!follow) {
		ctl_end(c, "OK");
		return (0);
	}
	c->follow = follow_add(s, err, ctl_follow_cb, c);
	c->fsvc = s;
	ctl_nfollowers++;
	ctl_flush(c);
	return (0);
}

/*
 * End a follower: a last note, then OK.  Sent from the loop, not from
 * here: the caller may be walking a list.
 */
static void
ctl_follow_end(struct ctl_conn *c, const char *why)
{
	ctl_unfollow(c);
	if (c->skipping) {
		ctl_note(c, "%llu bytes skipped (reader too slow)",
		    c->skipped);
		c->skipping = 0;
		c->skipped = 0;
	}
	ctl_note(c, "%s", why);
	ctl_queue(c, xstrdup("OK"), 2);
	c->done = 1;
	(void)loop_mod(c->sup->loop, c->fd, EPOLLOUT);
}

/*
 * Split and check one request: fields NUL-terminated, none too long, the
 * protocol first.  Returns the field count, or -1 with *why set.
 */
int
ctl_parse(char *buf, size_t len, char **fields, int max, const char **why)
{
	size_t	i, start = 0;
	int	n = 0;

	if (len == 0 || buf[len - 1] != '\0') {
		*why = "malformed request";
		return (-1);
	}
	for (i = 0; i < len; i++) {
		if (buf[i] != '\0')
			continue;
		if (i - start > CTL_FIELD_MAX) {
			*why = "field too long";
			return (-1);
		}
		if (n == max) {
			*why = "too many fields";
			return (-1);
		}
		fields[n++] = buf + start;
		start = i + 1;
	}
	if (n < 2 || strcmp(fields[0], CTL_PROTOCOL) != 0) {
		*why = "protocol " CTL_PROTOCOL " expected";
		return (-1);
	}
	for (i = 1; i < (size_t)n; i++) {
		const unsigned char *p;

		for (p = (const unsigned char *)fields[i]; *p != '\0'; p++)
			if (*p < 0x20 || *p == 0x7f) {
				*why = "control character in request";
				return (-1);
			}
	}
	return (n);
}

/* A verb's usage, from the one table of them. */
static void
ctl_usage(struct ctl_conn *c, const char *verb)
{
	const char	*args = usage_args(verb);

	ctl_err(c, "usage: %s%s%s", verb, args[0] ? " " : "", args);
}

static void
ctl_request(struct ctl_conn *c, char *buf, size_t len)
{
	const struct ctl_verb	*v;
	const char		*why = NULL;
	char			**fields;
	size_t			 i;
	int			 n, argc;

	fields = xcalloc(CTL_FIELDS_MAX, sizeof *fields);
	if ((n = ctl_parse(buf, len, fields, CTL_FIELDS_MAX, &why)) == -1) {
		ctl_err(c, "%s", why);
		free(fields);
		return;
	}
	argc = n - 2;
	for (i = 0; i < nitems(ctl_verbs); i++) {
		v = &ctl_verbs[i];
		if (strcmp(v->name, fields[1]) != 0)
			continue;
		if (argc < v->minargs || (v->maxargs != -1 &&
		    argc > v->maxargs))
			ctl_usage(c, v->name);
		else
			(void)v->exec(c, argc, fields + 2);
		free(fields);
		return;
	}
	ctl_err(c, "unknown command: %s", fields[1]);
	free(fields);
}

static void
ctl_idle_cb(void *arg)
{
	struct ctl_conn	*c = arg;

	c->idle = NULL;
	if ((c->op == OP_NONE && c->nqueue == 0 && !c->done &&
	    c->follow == NULL && c->tail == NULL) || c->linger)
		ctl_close(c);		/* it never asked, or never left */
}

static void
ctl_conn_cb(int fd, uint32_t events, void *arg)
{
	/* One process, one request at a time: one buffer serves all. */
	static char	 buf[CTL_MSG_MAX + 1];
	struct ctl_conn	*c = arg;
	ssize_t		 n;

	if (events & EPOLLOUT) {
		(void)loop_mod(c->sup->loop, fd, EPOLLIN);
		ctl_flush(c);
		return;
	}
	if (c->done || c->op != OP_NONE || c->follow != NULL) {
		/* One request per connection: more is misbehaviour. */
		if (events & (EPOLLHUP|EPOLLERR))
			ctl_close(c);
		else {
			char junk[1];

			if (recv(fd, junk, sizeof junk, MSG_DONTWAIT) <= 0)
				ctl_close(c);
		}
		return;
	}
	n = recv(fd, buf, CTL_MSG_MAX + 1, MSG_DONTWAIT|MSG_TRUNC);
	if (n == -1 && errno == EAGAIN)
		return;
	if (n <= 0) {
		ctl_close(c);
		return;
	}
	loop_timer_del(c->sup->loop, c->idle);
	c->idle = NULL;
	if (n > CTL_MSG_MAX)
		ctl_err(c, "request too large");
	else
		ctl_request(c, buf, (size_t)n);
}

static void
ctl_accept_cb(int fd, uint32_t events, void *arg)
{
	struct sup	*sup = arg;
	struct ctl_conn	*c;
	struct ucred	 uc;
	socklen_t	 len = sizeof uc;
	int		 cfd, sz = 1 << 20, refused;

	(void)events;
	while ((cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK|SOCK_CLOEXEC))
	    != -1) {
		refused = getsockopt(cfd, SOL_SOCKET, SO_PEERCRED, &uc,
		    &len) == -1 || (uc.uid != 0 && uc.uid != geteuid());
		if (ctl_nconns >= CTL_CONNS_MAX) {
			(void)send(cfd, "ERR too many clients", 20,
			    MSG_DONTWAIT|MSG_NOSIGNAL);
			close(cfd);
			continue;
		}
		(void)setsockopt(cfd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof sz);
		c = xcalloc(1, sizeof *c);
		c->sup = sup;
		c->fd = cfd;
		if (loop_add(sup->loop, cfd, EPOLLIN, ctl_conn_cb, c) == -1) {
			close(cfd);
			free(c);
			continue;
		}
		c->idle = loop_timer(sup->loop, CTL_IDLE, ctl_idle_cb, c);
		TAILQ_INSERT_TAIL(&ctl_conns, c, entry);
		ctl_nconns++;
		if (refused) {
			/*
			 * Closing now, with its request unread, would reset
			 * the connection before it reads why: say it, then
			 * wait for its close (or the idle timer).
			 */
			c->linger = 1;
			ctl_err(c, "permission denied");
		}
	}
}

/*
 * Bind the socket at path with mode: a restrictive umask around bind, so
 * it is never reachable by others even for an instant, then chmod.
 */
int
ctl_listen(struct sup *sup, const char *path, int mode, char **cause)
{
	struct sockaddr_un	sun;
	mode_t			old;
	int			fd;

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof sun.sun_path) {
		xasprintf(cause, "%s: socket path too long", path);
		return (-1);
	}
	strcpy(sun.sun_path, path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET|SOCK_NONBLOCK|SOCK_CLOEXEC, 0);
	if (fd == -1) {
		xasprintf(cause, "socket: %s", strerror(errno));
		return (-1);
	}
	old = umask(0177);
	if (bind(fd, (struct sockaddr *)&sun, sizeof sun) == -1) {
		umask(old);
		xasprintf(cause, "bind %s: %s", path, strerror(errno));
		close(fd);
		return (-1);
	}
	umask(old);
	if (chmod(path, (mode_t)mode & 0777) == -1 || listen(fd, 64) == -1) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		close(fd);
		return (-1);
	}
	sup->ctlfd = fd;
	if (sup->loop != NULL &&
	    loop_add(sup->loop, fd, EPOLLIN, ctl_accept_cb, sup) == -1) {
		xasprintf(cause, "epoll: %s", strerror(errno));
		return (-1);
	}
	return (0);
}

/* Register the listening socket once the loop exists. */
int
ctl_start_accepting(struct sup *sup)
{
	return (loop_add(sup->loop, sup->ctlfd, EPOLLIN, ctl_accept_cb, sup));
}

/*
 * The supervisor is leaving: followers are told, with what the socket
 * still takes right now; nobody is waited for.
 */
void
ctl_close_all(struct sup *sup)
{
	struct ctl_conn	*c, *tmp;

	(void)sup;
	TAILQ_FOREACH_SAFE(c, &ctl_conns, entry, tmp) {
		if (c->follow == NULL)
			continue;
		ctl_follow_end(c, "the supervisor has shut down");
		ctl_flush(c);
	}
	while ((c = TAILQ_FIRST(&ctl_conns)) != NULL)
		ctl_close(c);
}

/* A service is going away: no client may keep pointing at it. */
void
ctl_forget(struct sup *sup, struct svc *s)
{
	struct ctl_conn	*c;
	int		 i;

	(void)sup;
	TAILQ_FOREACH(c, &ctl_conns, entry) {
		for (i = 0; i < c->ntargets; i++)
			if (c->targets[i] == s)
				c->targets[i] = NULL;
		if (c->follow != NULL && c->fsvc == s) {
			char	*why;

			xasprintf(&why, "%s: removed by reload", s->cfg->name);
			ctl_follow_end(c, why);
			free(why);
		}
	}
}
