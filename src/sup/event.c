/*
 * Events, as supervisord's events.py makes them: a hook of the
 * supervisor builds an event only when some pool subscribes to its type
 * (ev_wanted), gives it the next global serial and puts it in the
 * buffer of each pool that takes it, with the pool's serial; evl.c
 * then hands it to a READY listener.  A buffer holds buffer_size events
 * at most: a new one drops the oldest, with a log line.  The TICK_*
 * timers exist only while a pool subscribes to them; without listeners
 * the supervisor builds nothing and wakes for nothing.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sup.h"
#include "event.h"

uint32_t	ev_wanted;		/* the types some pool takes */
struct evpools	ev_pools = TAILQ_HEAD_INITIALIZER(ev_pools);
static unsigned long ev_serial;
static struct sup *ev_sup;

/* TICK_5, TICK_60, TICK_3600: the period, the timer, the last slice. */
static const int ev_periods[] = { 5, 60, 3600 };
static struct timer *ev_tick[3];
static time_t	ev_slice[3];
static int	ev_tick_ids[] = { 0, 1, 2 };	/* each timer's argument */

static void	event_tick_cb(void *);

/* The running supervisor's config, for the listeners' headers. */
const struct config *
ev_sup_config(void)
{
	return (ev_sup != NULL ? ev_sup->cfg : NULL);
}

/* A new event of type t with a copy of the payload, held by nobody. */
struct event *
event_new(int t, const char *payload, size_t len)
{
	struct event	*ev;

	ev = xcalloc(1, sizeof *ev);
	ev->type = t;
	ev->len = len;
	ev->payload = xmalloc(len + 1);
	memcpy(ev->payload, payload, len);
	ev->payload[len] = '\0';
	return (ev);
}

/* One holder less; the last frees it. */
void
event_unref(struct event *ev)
{
	if (ev == NULL || --ev->refs > 0)
		return;
	free(ev->payload);
	free(ev);
}

/*
 * Put ev in pool's buffer with the pool's serial: at the end, or at the
 * head for an event a listener rejected.  A full buffer drops its
 * oldest event first, as supervisord does.
 */
void
evpool_accept(struct evpool *pool, struct event *ev, unsigned long poolserial,
    int head)
{
	if (pool->qn >= pool->size && pool->qn > 0) {
		log_warnx("pool %s event buffer overflowed, discarding event "
		    "%lu", pool->name, pool->q[0].ev->serial);
		event_unref(pool->q[0].ev);
		memmove(pool->q, pool->q + 1, (pool->qn - 1) * sizeof *pool->q);
		pool->qn--;
	}
	if (pool->q == NULL)
		pool->q = xcalloc(pool->size + 1, sizeof *pool->q);
	if (head) {
		memmove(pool->q + 1, pool->q, pool->qn * sizeof *pool->q);
		pool->q[0].ev = ev;
		pool->q[0].poolserial = poolserial;
	} else {
		pool->q[pool->qn].ev = ev;
		pool->q[pool->qn].poolserial = poolserial;
	}
	pool->qn++;
	ev->refs++;
}

/* The oldest event of a pool that has one: the caller holds it now. */
struct evq_ent
evpool_pop(struct evpool *pool)
{
	struct evq_ent	e = pool->q[0];

	memmove(pool->q, pool->q + 1, (pool->qn - 1) * sizeof *pool->q);
	pool->qn--;
	return (e);
}

/*
 * ev to every pool that takes its type, then to their listeners.  The
 * global serial counts only events some pool took.  ev is freed here
 * when nobody took it.
 */
void
event_publish(struct event *ev)
{
	struct evpool	*pool;
	int		 taken = 0;

	ev->refs++;
	TAILQ_FOREACH(pool, &ev_pools, entry) {
		if (!(pool->mask & EVM(ev->type)) || !pool->on)
			continue;
		if (!taken)
			ev->serial = ev_serial++;
		taken = 1;
		evpool_accept(pool, ev, pool->serial++, 0);
	}
	TAILQ_FOREACH(pool, &ev_pools, entry)
		if (pool->mask & EVM(ev->type))
			evl_dispatch(pool);
	event_unref(ev);
}

/* An event of type t with a formatted payload, if someone takes t. */
static void
event_emit(int t, const char *fmt, ...)
{
	va_list	 ap;
	char	*p;
	int	 n;

	if (!(ev_wanted & EVM(t)))
		return;
	va_start(ap, fmt);
	n = vasprintf(&p, fmt, ap);
	va_end(ap);
	if (n == -1)
		fatal("vasprintf");
	event_publish(event_new(t, p, (size_t)n));
	free(p);
}

/* A supervisord state event's pid: the process, or the one just gone. */
static long
event_pid(const struct svc *s, int from)
{
	if (s->pid > 0)
		return ((long)s->pid);
	if (from == SVC_STARTING || from == SVC_RUNNING ||
	    from == SVC_STOPPING)
		return ((long)s->sid);
	return (0);
}

/* PROCESS_STATE_* of s to to, from from, with supervisord's fields. */
static void
event_state_emit(struct svc *s, int to, int from)
{
	const struct cfg_proc	*c = s->cfg;
	int			 t = ev_state_type(to), code;
	long			 pid = event_pid(s, from);

	switch (t) {
	case EVT_STATE_STARTING:
	case EVT_STATE_BACKOFF:
		event_emit(t, "processname:%s groupname:%s from_state:%s "
		    "tries:%d", c->name, c->group, ev_state_name(from),
		    s->backoff);
		break;
	case EVT_STATE_EXITED:
		code = WIFEXITED(s->status) ? WEXITSTATUS(s->status) : -1;
		event_emit(t, "processname:%s groupname:%s from_state:%s "
		    "expected:%d pid:%ld", c->name, c->group,
		    ev_state_name(from), code != -1 &&
		    cfg_exitcode_expected(c, code), pid);
		break;
	case EVT_STATE_RUNNING:
	case EVT_STATE_STOPPING:
	case EVT_STATE_STOPPED:
		event_emit(t, "processname:%s groupname:%s from_state:%s "
		    "pid:%ld", c->name, c->group, ev_state_name(from), pid);
		break;
	default:
		event_emit(t, "processname:%s groupname:%s from_state:%s",
		    c->name, c->group, ev_state_name(from));
		break;
	}
}

/*
 * s changed state, from from: its event, then what the change means to
 * a listener.  supervisord gives up from BACKOFF only: a start that
 * fails for the last time is BACKOFF, then FATAL, in its events too.
 */
void
event_state(struct svc *s, int from)
{
	struct evl	*l;

	if (s->state == SVC_FATAL && from != SVC_BACKOFF) {
		event_state_emit(s, SVC_BACKOFF, from);
		from = SVC_BACKOFF;
	}
	event_state_emit(s, s->state, from);
	if (!s->cfg->listener || (l = evl_find(s)) == NULL)
		return;
	if (s->state == SVC_STARTING)
		evl_reset(l);
	else if (s->state == SVC_RUNNING)
		evl_dispatch(l->pool);
	else if (s->state != SVC_STOPPING)
		evl_lost(l);
}

/* The supervisor begins its shutdown. */
void
event_stopping(struct sup *sup)
{
	(void)sup;
	event_emit(EVT_SUP_STOPPING, "%s", "");
}

/* A process group was added (1) or removed (0). */
void
event_group(struct sup *sup, const char *group, int added)
{
	(void)sup;
	event_emit(added ? EVT_GROUP_ADDED : EVT_GROUP_REMOVED,
	    "groupname:%s\n", group);
}

/* sendRemoteCommEvent's type and data. */
void
event_remote(const char *type, size_t tlen, const char *data, size_t dlen)
{
	event_emit(EVT_REMOTE_COMMUNICATION, "type:%.*s\n%.*s", (int)tlen,
	    type, (int)dlen, data);
}

/*
 * The wall clock to the second, exact: time(3) may read the coarse
 * clock, a few milliseconds behind, and see the last period still.
 */
static time_t
event_wall(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (ts.tv_sec);
}

/* Arm tick i for the next wall-clock multiple of its period. */
static void
event_tick_arm(int i)
{
	struct timespec	ts;
	double		now, next;

	clock_gettime(CLOCK_REALTIME, &ts);
	now = (double)ts.tv_sec + ts.tv_nsec / 1e9;
	next = (double)((ts.tv_sec / ev_periods[i] + 1) * ev_periods[i]);
	ev_tick[i] = loop_timer(ev_sup->loop, next - now + 0.002,
	    event_tick_cb, &ev_tick_ids[i]);
}

/* A tick's slice rolled over: TICK_N with the slice's start. */
static void
event_tick_cb(void *arg)
{
	int	i = *(int *)arg;
	time_t	now = event_wall(), slice;

	ev_tick[i] = NULL;
	slice = now - now % ev_periods[i];
	if (slice != ev_slice[i]) {
		ev_slice[i] = slice;
		event_emit(EVT_TICK_5 + i, "when:%lld", (long long)slice);
	}
	event_tick_arm(i);
}

/* The tick timers of the types subscribed to, and no others. */
static void
event_ticks(void)
{
	time_t	now = event_wall();
	int	i;

	for (i = 0; i < 3; i++) {
		if ((ev_wanted & EVM(EVT_TICK_5 + i)) && ev_tick[i] == NULL) {
			ev_slice[i] = now - now % ev_periods[i];
			event_tick_arm(i);
		} else if (!(ev_wanted & EVM(EVT_TICK_5 + i)) &&
		    ev_tick[i] != NULL) {
			loop_timer_del(ev_sup->loop, ev_tick[i]);
			ev_tick[i] = NULL;
		}
	}
}

/* The pool named name, made if it is not there. */
static struct evpool *
event_pool(const char *name, const struct cfg_proc *c)
{
	struct evpool	*pool;

	TAILQ_FOREACH(pool, &ev_pools, entry)
		if (strcmp(pool->name, name) == 0)
			break;
	if (pool == NULL) {
		pool = xcalloc(1, sizeof *pool);
		pool->name = xstrdup(name);
		pool->size = c->buffer_size;
		pool->on = 1;
		TAILQ_INSERT_TAIL(&ev_pools, pool, entry);
	}
	pool->mask = c->events;
	if (c->buffer_size != pool->size) {
		while (pool->qn > c->buffer_size)
			event_unref(evpool_pop(pool).ev);
		pool->q = xreallocarray(pool->q, c->buffer_size + 1,
		    sizeof *pool->q);
		pool->size = c->buffer_size;
	}
	pool->mark = 1;
	return (pool);
}

/* A pool that has no listener left, and what its buffer held. */
static void
event_pool_free(struct evpool *pool)
{
	while (pool->qn > 0)
		event_unref(evpool_pop(pool).ev);
	TAILQ_REMOVE(&ev_pools, pool, entry);
	free(pool->q);
	free(pool->name);
	free(pool);
}

/*
 * The pools and their listeners as the services now are (at start and
 * after a reload): a pool per [eventlistener:x], its buffer kept while
 * the pool stays; ev_wanted and the tick timers to match.
 */
void
event_sync(struct sup *sup)
{
	struct evpool	*pool, *ptmp;
	struct evl	*l, *ltmp;
	struct svc	*s;

	ev_sup = sup;
	TAILQ_FOREACH(pool, &ev_pools, entry)
		pool->mark = pool->nmembers = 0;
	TAILQ_FOREACH(l, &ev_listeners, entry)
		l->mark = 0;
	TAILQ_FOREACH(s, &sup->svcs, entry) {
		if (!s->cfg->listener || s->removed)
			continue;
		pool = event_pool(s->cfg->group, s->cfg);
		if ((l = evl_find(s)) == NULL) {
			l = xcalloc(1, sizeof *l);
			l->svc = s;
			l->resultlen = -1;
			TAILQ_INSERT_TAIL(&ev_listeners, l, entry);
		}
		l->pool = pool;
		l->mark = 1;
		pool->nmembers++;
	}
	TAILQ_FOREACH_SAFE(l, &ev_listeners, entry, ltmp)
		if (!l->mark)
			event_forget(l->svc);
	ev_wanted = 0;
	TAILQ_FOREACH_SAFE(pool, &ev_pools, entry, ptmp) {
		if (!pool->mark)
			event_pool_free(pool);
		else
			ev_wanted |= pool->mask;
	}
	event_ticks();
}

/*
 * The supervisor starts: the pools, then supervisord's first events.
 * Groups are added in priority order and a pool exists from its own
 * group on, so it hears of itself and of every group after it; then
 * SUPERVISOR_STATE_CHANGE_RUNNING.
 */
void
event_init(struct sup *sup)
{
	struct evpool	*pool;
	struct svc	*s, **v;
	int		 n = 0, i, j;

	event_sync(sup);
	if (TAILQ_EMPTY(&ev_pools))
		return;
	TAILQ_FOREACH(s, &sup->svcs, entry)
		n++;
	v = xcalloc(n + 1, sizeof *v);
	n = 0;
	TAILQ_FOREACH(s, &sup->svcs, entry)
		v[n++] = s;
	qsort(v, n, sizeof *v, svc_prio_cmp);
	TAILQ_FOREACH(pool, &ev_pools, entry)
		pool->on = 0;
	for (i = 0; i < n; i++) {
		for (j = 0; j < i; j++)
			if (strcmp(v[j]->cfg->group, v[i]->cfg->group) == 0)
				break;
		if (j < i)
			continue;	/* the group is added already */
		TAILQ_FOREACH(pool, &ev_pools, entry)
			if (strcmp(pool->name, v[i]->cfg->group) == 0)
				pool->on = 1;
		event_group(sup, v[i]->cfg->group, 1);
	}
	free(v);
	TAILQ_FOREACH(pool, &ev_pools, entry)
		pool->on = 1;
	event_emit(EVT_SUP_RUNNING, "%s", "");
}

/* Every pool and listener gone, with what they held. */
static void
event_clear(void)
{
	struct evpool	*pool;
	struct evl	*l;

	while ((l = TAILQ_FIRST(&ev_listeners)) != NULL)
		event_forget(l->svc);
	while ((pool = TAILQ_FIRST(&ev_pools)) != NULL)
		event_pool_free(pool);
	ev_wanted = 0;
}

/*
 * supervisord's restart in the same process: new pools, empty, and the
 * first events again (the global serial goes on).
 */
void
event_restart(struct sup *sup)
{
	event_clear();
	event_init(sup);
}

/* The supervisor leaves: every pool, listener and timer. */
void
event_fini(struct sup *sup)
{
	event_clear();
	ev_serial = 0;
	if (ev_sup == sup)
		event_ticks();
	ev_sup = NULL;
}

/* s is freed next: its listener (the event it held goes back). */
void
event_forget(struct svc *s)
{
	struct evl	*l;

	event_output_forget(s);
	if ((l = evl_find(s)) == NULL)
		return;
	evl_lost(l);
	TAILQ_REMOVE(&ev_listeners, l, entry);
	free(l->buf);
	free(l->result);
	free(l);
}
