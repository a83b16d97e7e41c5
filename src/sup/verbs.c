/*
 * The control socket's verbs: start, stop, restart, reload, shutdown and
 * logs (status is in status.c).  The transport (control.c) has checked
 * the request and the argument count; a verb replies through it.
 */
#include <sys/epoll.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control.h"

#define CTL_FOLLOWERS_MAX 32	/* logs -f at once: half the clients */

static int	ctl_start(struct ctl_conn *, int, char **);
static int	ctl_stop(struct ctl_conn *, int, char **);
static int	ctl_restart(struct ctl_conn *, int, char **);
static int	ctl_reload(struct ctl_conn *, int, char **);
static int	ctl_shutdown(struct ctl_conn *, int, char **);
static int	ctl_reexec(struct ctl_conn *, int, char **);
static int	ctl_logs(struct ctl_conn *, int, char **);

/* Their arguments are in usage.c. */
static const struct ctl_verb ctl_verbs[] = {
	{ "logs",	1, 6,	ctl_logs },
	{ "reexec",	0, 0,	ctl_reexec },
	{ "reload",	0, 0,	ctl_reload },
	{ "restart",	1, -1,	ctl_restart },
	{ "shutdown",	0, 0,	ctl_shutdown },
	{ "start",	1, -1,	ctl_start },
	{ "status",	0, -1,	ctl_status },
	{ "stop",	1, -1,	ctl_stop },
};

static int ctl_nfollowers;

/* The verb called name, or NULL. */
const struct ctl_verb *
ctl_verb_find(const char *name)
{
	size_t	i;

	for (i = 0; i < nitems(ctl_verbs); i++)
		if (strcmp(ctl_verbs[i].name, name) == 0)
			return (&ctl_verbs[i]);
	return (NULL);
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
int
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

/* Has every target reached what the waiting operation wants? */
int
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

/* The wait is over: a line per target, then OK or ERR. */
void
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

/* start NAME...|GROUP:*|all: the lowest priority first. */
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

/* stop NAME...|GROUP:*|all: the highest priority first. */
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

/* restart NAME...|GROUP:*|all: stopped and started again. */
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

/* reload: the config read again, its difference applied. */
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

/* shutdown: everything stopped, then the supervisor exits. */
static int
ctl_shutdown(struct ctl_conn *c, int argc, char **argv)
{
	struct sup	*sup = c->sup;

	ctl_end(c, "OK");		/* c may be gone once this is sent */
	sup_shutdown(sup);
	return (0);
}

/*
 * reexec: the supervisor execs itself (state.c), its services untouched;
 * the reply goes first, and who connects meanwhile waits in the backlog.
 * Only a failed exec is heard of again, in the log.
 */
static int
ctl_reexec(struct ctl_conn *c, int argc, char **argv)
{
	struct sup	*sup = c->sup;
	char		*cause = NULL;

	(void)argc;
	(void)argv;
	if (sup->shutting_down || sup->leaving) {
		ctl_err(c, "reexec: shutting down");
		return (-1);
	}
	ctl_end(c, "OK");		/* c may be gone once this is sent */
	if (state_reexec(sup, &cause) == -1) {
		log_warnx("%s", cause);
		free(cause);
	}
	return (0);
}

/* A follower follows no more. */
void
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
void
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
