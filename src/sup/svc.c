/*
 * A service and its state machine.  Every legal (state, event) pair has
 * a row in svc_table; an action returns the next state.  A pair with no
 * row is ignored (said at debug level), never guessed.  Processes
 * themselves (the fork, signals, reaping) are svc-spawn.c's.
 *
 * The states are supervisord's seven, as status shows them.  Within some
 * of them a field of struct svc says more: an annotation, set and
 * cleared only where said here.
 *
 *   timer	    BACKOFF always has one: the next try.  EXITED has one
 *		    while a restart is due (RUNNING --EXIT-- svc_throttle, or
 *		    a spawn put off while a dead instance's rest dies);
 *		    without one EXITED is for good.  STARTING's is startsecs
 *		    or ready_timeout; STOPPING's stopwaitsecs, then
 *		    SVC_KILL_WAIT.  Each row sets or clears it as it leaves.
 *   restart	    a restart is due once idle (STOPPED, EXITED, FATAL): set
 *		    by the RESTART rows of STARTING, RUNNING and STOPPING;
 *		    taken by svc_due as the service lands idle
 *		    (not while shutting down), which sends it EV_START.
 *		    Dropped by reload when it removes the service.
 *   relog	    reload changed the definition of a service that was up:
 *		    its logs are opened again by svc_due, before that start.
 *   removed	    reload dropped it: svc_due does nothing more for it, a
 *		    watchdog stop ends STOPPED, sup.c frees it once idle.
 *   start_timeout  STOPPING a start that outlived ready_timeout: set by
 *		    STARTING --TIMER--; the end of the stop (svc_stop_done,
 *		    from the EXIT, GONE and TIMER rows of STOPPING) counts a
 *		    failed start, BACKOFF or FATAL, and clears it.
 *   wdog_fired	    STOPPING what the watchdog found stuck: set by RUNNING
 *		    --WATCHDOG--; the end of the stop is then a crash (EXITED,
 *		    a restart due) unless autorestart=false, shutdown or
 *		    removal; cleared there.
 *   unstoppable    STOPPING after SIGKILL: set by the first STOPPING
 *		    --TIMER--; the second one gives the process up.
 *   launcher_done  STARTING, ready=pidfile, the launcher exited 0: set by
 *		    STARTING --EXIT-- (ready_launcher_exited), which stays
 *		    STARTING and looks for the daemon.
 *   rest, sweeps   an instance that exited left processes: set by the EXIT
 *		    rows of STARTING and RUNNING (svc_sweep); a spawn is put
 *		    off, sweeps times at most, until they are gone.  Cleared
 *		    by the spawn that goes ahead.
 *   has_status	    STOPPED after a run, not "Not started" (svc_is_new): set
 *		    by every exit.
 *   reloading, stopping  RELOADING=1, STOPPING=1 from a notify service:
 *		    shown by status, read by no row.
 *
 * Every spawn (svc_spawn) clears start_timeout, wdog_fired, unstoppable,
 * stopping, launcher_done and reloading.
 *
 * Deviations from supervisord, on purpose: failed starts back off
 * exponentially (0, 0.1, 0.2, 0.4 ... s, capped) instead of 1, 2, 3 s;
 * exits after RUNNING are throttled the same way, reset after a stable
 * run; stop and kill go to the whole process group by default; signals go
 * through pidfds; every timer is on CLOCK_MONOTONIC.
 */
#include <sys/wait.h>

#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sup.h"
#include "event.h"

#define SVC_KILL_WAIT		5.0	/* after SIGKILL, before giving up */
#define SVC_SWEEP_WAIT		0.02	/* a spawn put off while the rest dies */
#define SVC_SWEEPS		100	/* put off this many times at most */

const char *svc_state_names[] = {
	"STOPPED", "STARTING", "RUNNING", "BACKOFF", "STOPPING", "EXITED",
	"FATAL"
};

const char *svc_event_names[] = {
	"START", "STOP", "READY", "EXIT", "TIMER", "RESTART", "GONE",
	"WATCHDOG"
};

static enum svc_state	svc_spawn(struct svc *);
static enum svc_state	svc_respawn(struct svc *);
static enum svc_state	svc_ready(struct svc *);
static enum svc_state	svc_start_failed(struct svc *);
static enum svc_state	svc_exit_running(struct svc *);
static enum svc_state	svc_term(struct svc *);
static enum svc_state	svc_restart(struct svc *);
static enum svc_state	svc_restart_due(struct svc *);
static enum svc_state	svc_watchdog(struct svc *);
static enum svc_state	svc_cancel(struct svc *);
static enum svc_state	svc_gone(struct svc *);
static enum svc_state	svc_kill(struct svc *);
static enum svc_state	svc_start_timeout(struct svc *);
static enum svc_state	svc_throttle(struct svc *);
static enum svc_state	svc_stop_done(struct svc *);

static const struct svc_transition {
	enum svc_state	  state;
	enum svc_event	  event;
	enum svc_state	(*action)(struct svc *);
} svc_table[] = {
	/* A start by hand: a fresh count of failed starts and crashes. */
	{ SVC_STOPPED,	EV_START,	svc_respawn },
	{ SVC_EXITED,	EV_START,	svc_respawn },
	{ SVC_FATAL,	EV_START,	svc_respawn },
	{ SVC_BACKOFF,	EV_START,	svc_respawn },
	/* A restart of what is not up is a start. */
	{ SVC_STOPPED,	EV_RESTART,	svc_respawn },
	{ SVC_EXITED,	EV_RESTART,	svc_respawn },
	{ SVC_FATAL,	EV_RESTART,	svc_respawn },
	{ SVC_BACKOFF,	EV_RESTART,	svc_respawn },
	{ SVC_STARTING,	EV_READY,	svc_ready },
	{ SVC_STARTING,	EV_EXIT,	svc_start_failed }, /* BACKOFF, FATAL */
	{ SVC_STARTING,	EV_STOP,	svc_term },
	{ SVC_STARTING,	EV_RESTART,	svc_restart },	/* stop, then start */
	{ SVC_STARTING,	EV_TIMER,	svc_start_timeout }, /* ready_timeout */
	{ SVC_RUNNING,	EV_EXIT,	svc_exit_running }, /* autorestart? */
	{ SVC_RUNNING,	EV_STOP,	svc_term },
	{ SVC_RUNNING,	EV_RESTART,	svc_restart },	/* stop, then start */
	{ SVC_RUNNING,	EV_WATCHDOG,	svc_watchdog },	/* stop: a crash */
	{ SVC_BACKOFF,	EV_TIMER,	svc_spawn },
	{ SVC_BACKOFF,	EV_STOP,	svc_cancel },
	{ SVC_EXITED,	EV_TIMER,	svc_spawn },	/* the restart due */
	{ SVC_EXITED,	EV_STOP,	svc_cancel },
	{ SVC_STOPPING,	EV_EXIT,	svc_gone },	/* its group too? */
	{ SVC_STOPPING,	EV_GONE,	svc_stop_done }, /* the group's last */
	{ SVC_STOPPING,	EV_RESTART,	svc_restart_due }, /* start once idle */
	{ SVC_STOPPING,	EV_TIMER,	svc_kill },	/* stopwaitsecs */
};

static void
svc_timer_cb(void *arg)
{
	struct svc	*s = arg;

	s->timer = NULL;
	svc_event(s, EV_TIMER);
}

static void
svc_timer_set(struct svc *s, double secs)
{
	loop_timer_del(s->sup->loop, s->timer);
	s->timer = loop_timer(s->sup->loop, secs, svc_timer_cb, s);
	s->deadline = mono_now() + secs;
}

/*
 * Is the state's timer a deadline (ready_timeout, stopwaitsecs), not a
 * delay (startsecs, a backoff)?
 */
static int
svc_has_deadline(const struct svc *s)
{
	if (s->state == SVC_STARTING)
		return (s->ready.mode != READY_STARTSECS);
	return (s->state == SVC_STOPPING);
}

/*
 * EXTEND_TIMEOUT_USEC=: the start or stop now has at least secs more
 * (never less than it had).
 */
void
svc_extend(struct svc *s, double secs)
{
	if (s->timer == NULL || !svc_has_deadline(s))
		return;
	if (mono_now() + secs > s->deadline)
		svc_timer_set(s, secs);
}

static void
svc_timer_clear(struct svc *s)
{
	loop_timer_del(s->sup->loop, s->timer);
	s->timer = NULL;
}

/* startsecs elapsed: ready. */
static void
svc_ready_cb(void *arg)
{
	struct svc	*s = arg;

	s->timer = NULL;
	svc_event(s, EV_READY);
}

/* Set the description of a failure: kept only while there is one. */
void
svc_desc(struct svc *s, const char *fmt, ...)
{
	va_list	ap;

	free(s->desc);
	va_start(ap, fmt);
	if (vasprintf(&s->desc, fmt, ap) == -1)
		s->desc = NULL;
	va_end(ap);
}

static enum svc_state
svc_failed(struct svc *s, const char *why)
{
	s->backoff++;
	if (why != NULL)
		svc_desc(s, "%s", why);
	if (s->backoff > s->cfg->startretries) {
		log_warnx("%s: gave up after %d attempts", s->cfg->name,
		    s->backoff);
		return (SVC_FATAL);
	}
	svc_timer_set(s, backoff_delay(s->backoff));
	return (SVC_BACKOFF);
}

/* Start the process, once what the last instance left is gone. */
static enum svc_state
svc_spawn(struct svc *s)
{
	char		 why[256];
	pid_t		 pid;

	svc_timer_clear(s);
	ready_stop(s);
	/* Never two instances at once: the last one's rest goes first. */
	if (s->rest && svc_leftovers(s) && s->sweeps < SVC_SWEEPS) {
		svc_kill_rest(s);
		s->sweeps++;
		svc_timer_set(s, SVC_SWEEP_WAIT);
		return (s->state == SVC_BACKOFF ? SVC_BACKOFF : SVC_EXITED);
	}
	s->sweeps = s->rest = 0;
	loop_timer_del(s->sup->loop, s->sweep);	/* the cgroup is the new one's */
	s->sweep = NULL;
	svclog_recent_reset(s);
	free(s->desc);
	s->desc = NULL;
	s->spawn_stage = 0;
	if ((pid = svc_fork(s, why, sizeof why)) == -1)
		return (svc_failed(s, why));
	s->started = mono_now();
	s->has_status = 0;
	s->start_timeout = s->unstoppable = s->wdog_fired = s->stopping = 0;
	loop_timer_del(s->sup->loop, s->timer);
	if (s->ready.mode == READY_STARTSECS)
		s->timer = loop_timer(s->sup->loop, s->cfg->startsecs,
		    svc_ready_cb, s);
	else if (s->cfg->ready_timeout > 0)
		svc_timer_set(s, s->cfg->ready_timeout);
	else
		s->timer = NULL;
	ready_start(s);
	log_info("%s: spawned, pid %ld", s->cfg->name, (long)pid);
	return (SVC_STARTING);
}

/* A start asked for by hand: the count starts afresh. */
static enum svc_state
svc_respawn(struct svc *s)
{
	s->backoff = 0;
	s->crashes = 0;
	return (svc_spawn(s));
}

static enum svc_state
svc_ready(struct svc *s)
{
	svc_timer_clear(s);
	ready_stop(s);
	svclog_recent_reset(s);
	s->backoff = 0;
	s->wdog_sec = s->cfg->watchdog_sec;
	ready_wdog_arm(s, s->wdog_sec);
	return (SVC_RUNNING);
}

/* Why a start failed, in its own words: ERRNO= and its last stderr lines. */
static void
svc_why(struct svc *s)
{
	char	recent[160];
	char	*was = s->desc;

	s->desc = NULL;
	svclog_drain(s);
	if (svclog_recent(s, recent, sizeof recent) == 0)
		recent[0] = '\0';
	svc_desc(s, "%s%s%s%s%s", was != NULL ? was : "", s->notify_errno ?
	    ": " : "", s->notify_errno ? strerror(s->notify_errno) : "",
	    recent[0] ? ": " : "", recent);
	free(was);
}

/* ready_timeout passed: stop it, and count a failed start once it is gone. */
static enum svc_state
svc_start_timeout(struct svc *s)
{
	svc_desc(s, "not ready after %g s (ready=%s)",
	    s->cfg->ready_timeout, s->cfg->ready);
	svc_why(s);
	log_warnx("%s: %s", s->cfg->name, s->desc);
	s->start_timeout = 1;
	return (svc_term(s));
}

static enum svc_state
svc_start_failed(struct svc *s)
{
	char	st[64];

	if (ready_launcher_exited(s))
		return (SVC_STARTING);	/* pidfile: now wait for the daemon */
	svc_timer_clear(s);
	svc_sweep(s);
	ready_stop(s);
	if (s->spawn_stage == 0)
		svc_desc(s, "Exited too quickly (%s)",
		    spawn_status_str(s->status, st, sizeof st));
	svc_why(s);
	return (svc_failed(s, NULL));
}

static enum svc_state
svc_exit_running(struct svc *s)
{
	const struct cfg_proc	*c = s->cfg;
	int			 code, restart;

	svc_sweep(s);
	code = WIFEXITED(s->status) ? WEXITSTATUS(s->status) : -1;
	if (c->autorestart == CFG_AR_TRUE)
		restart = 1;
	else if (c->autorestart == CFG_AR_UNEXPECTED)
		restart = code == -1 || !cfg_exitcode_expected(c, code);
	else
		restart = 0;
	loop_timer_del(s->sup->loop, s->wdog);
	s->wdog = NULL;
	if (!restart)
		return (SVC_EXITED);
	return (svc_throttle(s));
}

/* A restart after a crash: at once the first time, then backing off. */
static enum svc_state
svc_throttle(struct svc *s)
{
	const struct cfg_proc	*c = s->cfg;
	double			 delay;

	if (mono_now() - s->started >= BACKOFF_STABLE)
		s->crashes = 0;
	s->crashes++;
	delay = backoff_delay(s->crashes);
	s->restarts++;
	if (delay > 0)
		log_info("%s: restarting in %.1f s", c->name, delay);
	svc_timer_set(s, delay);
	return (SVC_EXITED);
}

static enum svc_state
svc_term(struct svc *s)
{
	svc_timer_clear(s);
	ready_stop(s);
	loop_timer_del(s->sup->loop, s->wdog);
	s->wdog = NULL;
	if (s->pid <= 0) {
		/* pidfile: the launcher left before the daemon showed up. */
		if (s->pgid > 0)
			(void)kill(-s->pgid, s->cfg->stopsignal);
		if (!svc_leftovers(s))
			return (svc_stop_done(s));
	}
	(void)svc_signal(s, s->cfg->stopsignal, s->cfg->stopasgroup);
	if (s->cfg->stopsignal != SIGCONT && s->cfg->stopsignal != SIGKILL)
		(void)svc_signal(s, SIGCONT, s->cfg->stopasgroup);
	svc_timer_set(s, s->cfg->stopwaitsecs);
	return (SVC_STOPPING);
}

/* A restart of what may be running: stop it; svc_due starts it once idle. */
static enum svc_state
svc_restart(struct svc *s)
{
	s->restart = 1;
	return (svc_term(s));
}

/* A restart while stopping: the stop goes on, the start comes once idle. */
static enum svc_state
svc_restart_due(struct svc *s)
{
	s->restart = 1;
	return (SVC_STOPPING);
}

/* No WATCHDOG=1 in time: stop it; the end of the stop is a crash. */
static enum svc_state
svc_watchdog(struct svc *s)
{
	log_warnx("%s: watchdog: no WATCHDOG=1 for %g s: restarting",
	    s->cfg->name, s->wdog_sec);
	svc_desc(s, "watchdog timeout");
	s->wdog_fired = 1;
	return (svc_term(s));
}

static enum svc_state
svc_cancel(struct svc *s)
{
	svc_timer_clear(s);
	return (SVC_STOPPED);
}

/*
 * Everything is gone: STOPPED, or for a start that timed out or a
 * watchdog that fired, the failed start or the crash it was.
 */
static enum svc_state
svc_stop_done(struct svc *s)
{
	svc_timer_clear(s);
	s->pgid = 0;
	if (s->start_timeout) {
		s->start_timeout = 0;
		return (svc_failed(s, NULL));
	}
	if (s->wdog_fired && s->cfg->autorestart != CFG_AR_FALSE &&
	    !s->sup->shutting_down && !s->removed) {
		s->wdog_fired = 0;
		s->restarts++;
		return (svc_throttle(s));
	}
	s->wdog_fired = 0;
	return (SVC_STOPPED);
}

/*
 * The main process is gone.  With stopasgroup, the stop is over only when
 * no process of its group is left: a grandchild that ignored the stop
 * signal gets SIGKILL at stopwaitsecs like the rest.
 */
static enum svc_state
svc_gone(struct svc *s)
{
	if (svc_leftovers(s))
		return (SVC_STOPPING);
	return (svc_stop_done(s));
}

static enum svc_state
svc_kill(struct svc *s)
{
	if (s->unstoppable) {
		/* SIGKILL did not end it (a process stuck in the kernel). */
		log_warnx("%s: could not be stopped: still there %g s after "
		    "SIGKILL", s->cfg->name, SVC_KILL_WAIT);
		svc_desc(s, "could not be stopped");
		s->sup->exit_code = 1;
		s->pid = 0;
		return (svc_stop_done(s));
	}
	s->unstoppable = 1;
	svc_timer_set(s, SVC_KILL_WAIT);
	log_warnx("%s: still there after %g s: SIGKILL", s->cfg->name,
	    s->cfg->stopwaitsecs);
	if (s->cfg->killasgroup)
		svc_signal_rest(s, SIGKILL);
	if (s->pid > 0)
		(void)svc_signal(s, SIGKILL, 0);
	/* The exits come back through reaping: EV_EXIT, then EV_GONE. */
	return (SVC_STOPPING);
}

/*
 * qsort() order of struct svc pointers by priority, lowest first (the
 * start order; shutdown walks it backwards).  Compared, not subtracted:
 * priorities span the whole int range.
 */
int
svc_prio_cmp(const void *a, const void *b)
{
	const struct svc	*x = *(struct svc *const *)a;
	const struct svc	*y = *(struct svc *const *)b;

	return ((x->cfg->priority > y->cfg->priority) -
	    (x->cfg->priority < y->cfg->priority));
}

/*
 * Landed idle: what was due once stopped.  Logs opened again for a
 * changed definition, then the restart, through the EV_START row.
 */
static void
svc_due(struct svc *s)
{
	if (!svc_is_idle(s) || s->removed)
		return;
	if (s->relog) {
		/* Its pipes took the old instance's last words. */
		s->relog = 0;
		svclog_close(s);
		(void)svclog_open(s);
	}
	if (s->restart && !s->sup->shutting_down) {
		s->restart = 0;
		svc_event(s, EV_START);
	}
}

/* Look (state, event) up in svc_table and take its row. */
void
svc_event(struct svc *s, enum svc_event ev)
{
	const struct svc_transition	*t;
	enum svc_state			 from = s->state;

	for (t = svc_table; t < svc_table + nitems(svc_table); t++)
		if (t->state == from && t->event == ev)
			break;
	if (t == svc_table + nitems(svc_table)) {
		log_debug("%s: %s in %s: ignored", s->cfg->name,
		    svc_event_names[ev], svc_state_names[from]);
		return;
	}
	s->state = t->action(s);
	if (s->state == from)
		return;
	s->since = time(NULL);
	log_info("%s: %s -> %s", s->cfg->name, svc_state_names[from],
	    svc_state_names[s->state]);
	event_state(s, from);
	svc_due(s);
	sup_changed(s->sup);
}

/* A reaped orphan may have been the last of a stopping group: EV_GONE. */
void
svc_group_check(struct svc *s)
{
	/* Only a stop waits for its group; each look is a system call. */
	if (s->state == SVC_STOPPING && s->pid <= 0 && !svc_leftovers(s))
		svc_event(s, EV_GONE);
}

struct svc *
svc_new(struct sup *sup, struct cfg_proc *cfg)
{
	struct svc	*s;

	s = xcalloc(1, sizeof *s);
	s->sup = sup;
	s->cfg = cfg;
	s->state = SVC_STOPPED;
	s->pidfd = s->repfd = s->readyfd = s->probefd = s->infd = -1;
	s->since = time(NULL);
	s->cgroup = cg_service(cfg->name);
	ready_parse(s);
	(void)svclog_open(s);
	return (s);
}

void
svc_free(struct svc *s)
{
	if (s == NULL)
		return;
	event_forget(s);
	svc_timer_clear(s);
	ready_stop(s);
	ready_unwatch(s);
	loop_timer_del(s->sup->loop, s->wdog);
	loop_timer_del(s->sup->loop, s->sweep);
	ready_spec_free(&s->ready);
	free(s->note);
	free(s->desc);
	if (s->repfd != -1) {
		loop_del(s->sup->loop, s->repfd);
		close(s->repfd);
	}
	if (s->pidfd != -1)
		close(s->pidfd);
	svc_stdin_close(s);
	svclog_close(s);
	sock_close(s);
	cg_remove(s->cgroup);
	free(s);
}

struct svc *
svc_find_pid(struct sup *sup, pid_t pid)
{
	struct svc	*s;

	TAILQ_FOREACH(s, &sup->svcs, entry)
		if (s->pid == pid)
			return (s);
	return (NULL);
}

/*
 * A service by name: bare when unique, or "group:name".  *cause says why
 * not when NULL is returned.
 */
struct svc *
svc_find(struct sup *sup, const char *name, char **cause)
{
	struct svc	*s, *found = NULL;
	const char	*colon = strchr(name, ':');
	size_t		 glen;
	int		 n = 0;

	TAILQ_FOREACH(s, &sup->svcs, entry) {
		if (s->removed)
			continue;
		if (colon != NULL) {
			glen = (size_t)(colon - name);
			if (strlen(s->cfg->group) == glen &&
			    strncmp(s->cfg->group, name, glen) == 0 &&
			    strcmp(s->cfg->name, colon + 1) == 0)
				return (s);
		} else if (strcmp(s->cfg->name, name) == 0) {
			found = s;
			n++;
		}
	}
	if (n == 1)
		return (found);
	if (n > 1)
		xasprintf(cause, "%s: ambiguous, use GROUP:%s", name, name);
	else
		xasprintf(cause, "%s: no such process", name);
	return (NULL);
}

/*
 * State predicates: the groups of states the supervisor asks about, named
 * once here.  A single state is compared as it is.
 */

/* A process may be there: STARTING, RUNNING, STOPPING. */
int
svc_is_up(const struct svc *s)
{
	return (s->state == SVC_STARTING || s->state == SVC_RUNNING ||
	    s->state == SVC_STOPPING);
}

/*
 * No process, and no start coming by itself but a throttled restart:
 * STOPPED, EXITED, FATAL.
 */
int
svc_is_idle(const struct svc *s)
{
	return (s->state == SVC_STOPPED || s->state == SVC_EXITED ||
	    s->state == SVC_FATAL);
}

/* STOPPED and never started: autostart's own. */
int
svc_is_new(const struct svc *s)
{
	return (s->state == SVC_STOPPED && !s->has_status);
}

/*
 * A first verdict still to come, what settling waits for: a start under
 * way, or not yet tried.  BACKOFF is not: a start has failed already, and
 * "warden up" reports it as retrying rather than wait for all the tries.
 */
int
svc_is_pending_start(const struct svc *s)
{
	return (s->state == SVC_STARTING ||
	    (s->state == SVC_STOPPING && s->start_timeout) || svc_is_new(s));
}

/* The last start failed: BACKOFF (trying again) or FATAL (given up). */
int
svc_is_failed(const struct svc *s)
{
	return (s->state == SVC_BACKOFF || s->state == SVC_FATAL);
}

/*
 * What a shutdown must stop, once nothing is STOPPING: a process that is
 * not stopping yet, or a timer that would start one.
 */
int
svc_is_stoppable(const struct svc *s)
{
	return (s->state == SVC_STARTING || s->state == SVC_RUNNING ||
	    s->state == SVC_BACKOFF || (s->state == SVC_EXITED &&
	    s->timer != NULL));
}

/* A start (or restart) is over: RUNNING, or idle with no restart due. */
int
svc_is_start_over(const struct svc *s)
{
	return (!s->restart && (s->state == SVC_RUNNING || svc_is_idle(s)));
}

