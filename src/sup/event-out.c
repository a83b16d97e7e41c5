/*
 * What a service's output means to events, as supervisord's
 * POutputDispatcher has it: logs.c hands each chunk read from a pipe to
 * event_output() before making lines of it.  A listener's stdout is its
 * protocol (evl.c) and never reaches a log.  Under *_events_enabled a
 * chunk is a PROCESS_LOG_* event.  With *_capture_maxbytes, the text
 * between <!--XSUPERVISOR:BEGIN--> and <!--XSUPERVISOR:END--> leaves
 * the log and becomes a PROCESS_COMMUNICATION_* event (the last
 * maxbytes of it, as supervisord's BoundIO keeps them).
 */
#include <sys/types.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sup.h"
#include "event.h"

#define EV_BEGIN	"<!--XSUPERVISOR:BEGIN-->"
#define EV_END		"<!--XSUPERVISOR:END-->"

/* The capture state of one stream with *_capture_maxbytes. */
struct evcap {
	struct svc	*svc;
	int		 which;
	int		 capturing;
	char		*cbuf;		/* what was captured so far */
	size_t		 clen;
	char		 tail[sizeof EV_BEGIN];	/* a token's first bytes */
	size_t		 tlen;
	TAILQ_ENTRY(evcap) entry;
};
static TAILQ_HEAD(, evcap) ev_caps = TAILQ_HEAD_INITIALIZER(ev_caps);

/* The chunk as the capture left it for the log, and its input. */
static char	*ev_out, *ev_in;
static size_t	 ev_outlen, ev_outsz, ev_insz;

/* An event of type t: a header line of s's, then the bytes. */
static void
event_emit_data(int t, struct svc *s, const char *extra, const char *p,
    size_t len)
{
	char	*hdr, *buf;
	int	 n;

	if (!(ev_wanted & EVM(t)))
		return;
	n = asprintf(&hdr, "processname:%s groupname:%s pid:%ld%s\n",
	    s->cfg->name, s->cfg->group, (long)s->pid, extra);
	if (n == -1)
		fatal("asprintf");
	buf = xmalloc((size_t)n + len);
	memcpy(buf, hdr, (size_t)n);
	memcpy(buf + n, p, len);
	event_publish(event_new(t, buf, (size_t)n + len));
	free(buf);
	free(hdr);
}

/* A chunk supervisord would log: PROCESS_LOG_* under *_events_enabled. */
static void
event_log(struct svc *s, int which, const char *p, size_t len)
{
	const struct cfg_log	*c = which == 0 ? &s->cfg->out : &s->cfg->err;

	if (c->events && len > 0)
		event_emit_data(which == 0 ? EVT_LOG_STDOUT : EVT_LOG_STDERR, s,
		    which == 0 ? " channel:stdout" : " channel:stderr", p, len);
}

/* Grow a scratch buffer to hold need bytes. */
static void
event_room(char **p, size_t *size, size_t need)
{
	if (need <= *size)
		return;
	*size = need + 4096;
	*p = xreallocarray(*p, 1, *size);
}

/* A chunk outside or inside a capture: to the log, or to the capture. */
static void
event_chunk(struct evcap *cap, const char *p, size_t len, uint64_t max)
{
	if (len == 0)
		return;
	event_log(cap->svc, cap->which, p, len);
	if (!cap->capturing) {
		event_room(&ev_out, &ev_outsz, ev_outlen + len);
		memcpy(ev_out + ev_outlen, p, len);
		ev_outlen += len;
		return;
	}
	/* BoundIO: past maxbytes, as many old bytes go as come. */
	if (cap->clen + len > max) {
		if (len >= cap->clen)
			cap->clen = 0;
		else {
			memmove(cap->cbuf, cap->cbuf + len, cap->clen - len);
			cap->clen -= len;
		}
	}
	cap->cbuf = xreallocarray(cap->cbuf, 1, cap->clen + len);
	memcpy(cap->cbuf + cap->clen, p, len);
	cap->clen += len;
}

/* The longest start of token that ends p (not the whole token). */
static size_t
event_prefix_at_end(const char *p, size_t len, const char *token)
{
	size_t	k;

	for (k = strlen(token) - 1; k > 0; k--)
		if (k <= len && memcmp(p + len - k, token, k) == 0)
			return (k);
	return (0);
}

/* The capture state of l's stream, made the first time. */
static struct evcap *
event_cap(struct svclog *l)
{
	struct evcap	*cap;

	TAILQ_FOREACH(cap, &ev_caps, entry)
		if (cap->svc == l->svc && cap->which == l->which)
			return (cap);
	cap = xcalloc(1, sizeof *cap);
	cap->svc = l->svc;
	cap->which = l->which;
	TAILQ_INSERT_TAIL(&ev_caps, cap, entry);
	return (cap);
}

/* Capture mode over one chunk: what is left for the log. */
static const char *
event_capture(struct svclog *l, uint64_t max, const char *buf, size_t *np)
{
	struct evcap	*cap = event_cap(l);
	const char	*p, *end, *q, *token;
	size_t		 tl, k;

	event_room(&ev_in, &ev_insz, cap->tlen + *np);
	memcpy(ev_in, cap->tail, cap->tlen);
	memcpy(ev_in + cap->tlen, buf, *np);
	p = ev_in;
	end = ev_in + cap->tlen + *np;
	cap->tlen = 0;
	ev_outlen = 0;
	while (p < end) {
		token = cap->capturing ? EV_END : EV_BEGIN;
		tl = strlen(token);
		if ((q = memmem(p, (size_t)(end - p), token, tl)) == NULL) {
			k = event_prefix_at_end(p, (size_t)(end - p), token);
			event_chunk(cap, p, (size_t)(end - p) - k, max);
			memcpy(cap->tail, end - k, k);
			cap->tlen = k;
			break;
		}
		event_chunk(cap, p, (size_t)(q - p), max);
		p = q + tl;
		if ((cap->capturing = !cap->capturing))
			continue;
		event_emit_data(cap->which == 0 ? EVT_COMM_STDOUT :
		    EVT_COMM_STDERR, cap->svc, "", cap->cbuf != NULL ?
		    cap->cbuf : "", cap->clen);
		cap->clen = 0;
	}
	*np = ev_outlen;
	return (ev_out);
}

/*
 * A chunk read from one of s's pipes, before logs.c makes lines of it:
 * what the log gets, *np bytes (none of a listener's stdout).
 */
const char *
event_output(struct svclog *l, const char *buf, size_t *np)
{
	struct svc		*s = l->svc;
	const struct cfg_log	*c = l->which == 0 ? &s->cfg->out :
				    &s->cfg->err;
	struct evl		*evl;

	if (s->cfg->listener && l->which == 0) {
		if ((evl = evl_find(s)) != NULL)
			evl_input(evl, buf, *np);
		*np = 0;
		return (buf);
	}
	if (c->capture == 0) {
		event_log(s, l->which, buf, *np);
		return (buf);
	}
	return (event_capture(l, c->capture, buf, np));
}

/* s is freed next: its capture states. */
void
event_output_forget(struct svc *s)
{
	struct evcap	*cap, *tmp;

	TAILQ_FOREACH_SAFE(cap, &ev_caps, entry, tmp) {
		if (cap->svc != s)
			continue;
		TAILQ_REMOVE(&ev_caps, cap, entry);
		free(cap->cbuf);
		free(cap);
	}
}
