/*
 * The event listener protocol, byte for byte as supervisord's
 * PEventListenerDispatcher speaks it, on a listener's stdout (read by
 * logs.c, handed here by event-out.c) and stdin (svc-stdin.c's queue).
 * A listener starts ACKNOWLEDGED; "READY\n" makes it READY; an event
 * sent, as a header line "ver:3.0 server:NAME serial:N pool:NAME
 * poolserial:N eventname:TYPE len:N" and the payload, makes it BUSY;
 * "RESULT N\n" and N bytes make it ACKNOWLEDGED again: "OK" accepts the
 * event, anything else rejects it and the event goes back to the head
 * of the pool's buffer.  Anything else is a protocol error: UNKNOWN,
 * logged, no more events until the process starts again.  A pool gives
 * each event to the next READY member in turn (round robin), and only
 * to a RUNNING one.
 */
#include <sys/types.h>

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sup.h"
#include "event.h"

#define EVL_READY_TOKEN	"READY\n"
#define EVL_RESULT_LEN	7		/* "RESULT " */
#define EVL_MAXBUF	(1024 * 1024)	/* stdout not understood, at most */

struct evls	ev_listeners = TAILQ_HEAD_INITIALIZER(ev_listeners);

static const char *evl_state_names[] = {
	"ACKNOWLEDGED", "READY", "BUSY", "UNKNOWN"
};

/* A protocol state's name, as supervisord's log says it. */
const char *
evl_state_name(int st)
{
	if (st < 0 || st > EVL_UNKNOWN)
		return ("?");
	return (evl_state_names[st]);
}

/* The listener that is process s, or NULL. */
struct evl *
evl_find(struct svc *s)
{
	struct evl	*l;

	TAILQ_FOREACH(l, &ev_listeners, entry)
		if (l->svc == s)
			return (l);
	return (NULL);
}

/* A new protocol state, logged as supervisord logs it. */
static void
evl_change(struct evl *l, int st)
{
	log_debug("%s: %s -> %s", l->svc->cfg->name, evl_state_name(l->state),
	    evl_state_name(st));
	l->state = st;
	if (st == EVL_UNKNOWN)
		log_warnx("%s: has entered the UNKNOWN state and will no "
		    "longer receive events, this usually indicates the process "
		    "violated the eventlistener protocol", l->svc->cfg->name);
}

/* The event l held goes back to the head of its pool's buffer. */
static void
evl_reject(struct evl *l)
{
	struct event	*ev = l->cur.ev;

	if (ev == NULL)
		return;
	l->cur.ev = NULL;
	evpool_accept(l->pool, ev, l->cur.poolserial, 1);
	event_unref(ev);
}

/* The event l held is done with. */
static void
evl_done(struct evl *l)
{
	event_unref(l->cur.ev);
	l->cur.ev = NULL;
}

/* Drop the first n bytes of what l has not understood yet. */
static void
evl_consume(struct evl *l, size_t n)
{
	memmove(l->buf, l->buf + n, l->len - n);
	l->len -= n;
}

/* The result of an event: the built-in handler, supervisord's default. */
static void
evl_result(struct evl *l)
{
	const char	*name = l->svc->cfg->name;

	if (l->rlen == 2 && memcmp(l->result, "OK", 2) == 0) {
		log_debug("%s: event was processed", name);
		evl_done(l);
	} else {
		log_warnx("%s: event was rejected", name);
		evl_reject(l);
	}
	evl_change(l, EVL_ACKNOWLEDGED);
	free(l->result);
	l->result = NULL;
	l->rlen = 0;
	l->resultlen = -1;
}

/*
 * N of a result line as Python's int() reads what follows its first
 * seven bytes: blanks around an optional sign and digits.  -1 if not.
 */
static long
evl_resultlen(const char *p, size_t len)
{
	const char	*end = p + len;
	long		 n = 0;
	int		 digits = 0;

	if (len < EVL_RESULT_LEN)
		return (-1);
	p += EVL_RESULT_LEN;
	while (p < end && isspace((unsigned char)*p))
		p++;
	if (p < end && *p == '+')
		p++;
	for (; p < end && isdigit((unsigned char)*p); p++, digits++) {
		if (n > (LONG_MAX - 9) / 10)
			return (-1);
		n = n * 10 + (*p - '0');
	}
	while (p < end && isspace((unsigned char)*p))
		p++;
	return (digits > 0 && p == end ? n : -1);
}

/* A result line that is none: UNKNOWN, and the event goes back. */
static void
evl_bad_result(struct evl *l, const char *line, size_t len)
{
	char	*v;

	v = str_vis(line, len, 1);
	log_warnx("%s: bad result line: '%s'", l->svc->cfg->name, v);
	free(v);
	evl_change(l, EVL_UNKNOWN);
	l->len = 0;
	evl_reject(l);
}

/* One step of the protocol over what is buffered: 0 when it needs more. */
static int
evl_step(struct evl *l)
{
	const char	*nl;
	size_t		 need, tl = strlen(EVL_READY_TOKEN);

	if (l->len == 0)
		return (0);
	switch (l->state) {
	case EVL_UNKNOWN:
		l->len = 0;
		return (0);
	case EVL_ACKNOWLEDGED:
		if (l->len < tl)
			return (0);
		if (memcmp(l->buf, EVL_READY_TOKEN, tl) == 0) {
			evl_change(l, EVL_READY);
			evl_consume(l, tl);
		} else {
			evl_change(l, EVL_UNKNOWN);
			l->len = 0;
		}
		return (1);
	case EVL_READY:
		/* Spurious output: supervisord is strict about it. */
		evl_change(l, EVL_UNKNOWN);
		l->len = 0;
		return (0);
	}
	if (l->resultlen < 0) {
		if ((nl = memchr(l->buf, '\n', l->len)) == NULL)
			return (0);
		l->resultlen = evl_resultlen(l->buf, (size_t)(nl - l->buf));
		if (l->resultlen < 0) {
			evl_bad_result(l, l->buf, (size_t)(nl - l->buf));
			return (0);
		}
		evl_consume(l, (size_t)(nl + 1 - l->buf));
	}
	need = (size_t)l->resultlen - l->rlen;
	if (need > l->len)
		need = l->len;
	l->result = xreallocarray(l->result, 1, l->rlen + need + 1);
	memcpy(l->result + l->rlen, l->buf, need);
	l->rlen += need;
	evl_consume(l, need);
	if (l->rlen < (size_t)l->resultlen)
		return (0);
	evl_result(l);
	return (1);
}

/* Bytes from the listener's stdout. */
void
evl_input(struct evl *l, const char *p, size_t n)
{
	int	was = l->state;

	if (l->state == EVL_UNKNOWN || n == 0)
		return;
	if (l->len + n > EVL_MAXBUF) {
		log_warnx("%s: more than %d bytes that are not the "
		    "protocol", l->svc->cfg->name, EVL_MAXBUF);
		evl_change(l, EVL_UNKNOWN);
		l->len = 0;
		evl_reject(l);
		return;
	}
	l->buf = xreallocarray(l->buf, 1, l->len + n);
	memcpy(l->buf + l->len, p, n);
	l->len += n;
	while (evl_step(l))
		;
	if (l->state == EVL_READY || l->state != was)
		evl_dispatch(l->pool);
}

/* A new instance of the listener: it starts over, ACKNOWLEDGED. */
void
evl_reset(struct evl *l)
{
	evl_reject(l);
	l->state = EVL_ACKNOWLEDGED;
	l->len = 0;
	free(l->result);
	l->result = NULL;
	l->rlen = 0;
	l->resultlen = -1;
}

/* The listener's process is gone: the event it held goes back. */
void
evl_lost(struct evl *l)
{
	evl_reject(l);
	if (l->pool != NULL)
		evl_dispatch(l->pool);
}

/* The header and payload of e for pool: a new string, its length. */
size_t
evl_envelope(struct evpool *pool, const struct evq_ent *e, char **out)
{
	const struct config	*cf = ev_sup_config();
	char			*s;
	int			 n;

	n = asprintf(&s, "ver:3.0 server:%s serial:%lu pool:%s poolserial:%lu "
	    "eventname:%s len:%zu\n", cf != NULL && cf->identifier != NULL ?
	    cf->identifier : "supervisor", e->ev->serial, pool->name,
	    e->poolserial, ev_type_name(e->ev->type), e->ev->len);
	if (n == -1)
		fatal("asprintf");
	s = xreallocarray(s, 1, (size_t)n + e->ev->len + 1);
	memcpy(s + n, e->ev->payload, e->ev->len + 1);
	*out = s;
	return ((size_t)n + e->ev->len);
}

/* The next READY and RUNNING member after the last one used, or NULL. */
static struct evl *
evl_next(struct evpool *pool)
{
	struct evl	*l;
	int		 i = 0, k;

	for (k = 0; k < pool->nmembers; k++) {
		i = 0;
		TAILQ_FOREACH(l, &ev_listeners, entry) {
			if (l->pool != pool)
				continue;
			if (i++ != (pool->next + k) % pool->nmembers)
				continue;
			if (l->state == EVL_READY &&
			    l->svc->state == SVC_RUNNING) {
				pool->next = (pool->next + k + 1) %
				    pool->nmembers;
				return (l);
			}
			break;
		}
	}
	return (NULL);
}

/* Send what pool's buffer holds, oldest first, while a member is READY. */
void
evl_dispatch(struct evpool *pool)
{
	struct evq_ent	 e;
	struct evl	*l;
	char		*env;
	size_t		 len;
	int		 tries;

	while (pool->qn > 0) {
		for (tries = 0; tries < pool->nmembers; tries++) {
			if ((l = evl_next(pool)) == NULL)
				return;
			e = pool->q[0];
			len = evl_envelope(pool, &e, &env);
			if (svc_stdin_write(l->svc, env, len) == -1) {
				log_debug("%s: event %lu not sent: %s, "
				    "listener state unchanged",
				    l->svc->cfg->name, e.ev->serial,
				    strerror(errno));
				free(env);
				continue;
			}
			free(env);
			e = evpool_pop(pool);
			l->cur = e;
			l->state = EVL_BUSY;
			log_debug("event %lu sent to listener %s",
			    e.ev->serial, l->svc->cfg->name);
			break;
		}
		if (tries == pool->nmembers)
			return;
	}
}
