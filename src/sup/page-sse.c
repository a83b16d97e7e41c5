/*
 * The page's live updates: GET /events, Server-Sent Events.  Each
 * client gets a snapshot of every service's row at once, then one after
 * every change, at most one per page_tune.coalesce seconds however
 * many changes come, and one each page_tune.refresh seconds for the
 * counters (memory, CPU, uptimes).  A client that lets page_tune.qmax
 * bytes pile up is cut.  With no client there is no timer: the supervisor sleeps.
 */
#include <stdlib.h>
#include <string.h>

#include "page.h"

struct page_tune	 page_tune = { 0.1, 5, 256 * 1024 };

static struct hconn	*page_clients[PAGE_SSE_MAX];
static int		 page_nclients;
static struct timer	*page_timer;
static double		 page_due;	/* monotonic: when page_timer fires */

/* How many clients follow /events. */
int
page_sse_count(void)
{
	return (page_nclients);
}

/* Is a snapshot due (a timer set)? */
int
page_sse_armed(void)
{
	return (page_timer != NULL);
}

/* The snapshot, as one event, to c: 0, or -1 when c was cut or closed. */
static int
page_sse_send(struct hconn *c, const struct buf *ev)
{
	if (hc_pending(c) + ev->len > page_tune.qmax) {
		hc_close(c);
		return (-1);
	}
	http_chunk(&c->out, ev->data, ev->len);
	return (hc_flush(c));
}

/* The event of the services as they are now. */
static void
page_sse_event(struct sup *sup, struct buf *ev)
{
	buf_adds(ev, "data: ");
	page_snapshot(sup, ev);
	buf_adds(ev, "\n\n");
}

static void	page_sse_arm(struct sup *, double);

/* Time for a snapshot: to every client, last first (a cut one leaves). */
static void
page_sse_cb(void *arg)
{
	struct sup	*sup = arg;
	struct buf	 ev = { NULL, 0, 0 };
	int		 i;

	page_timer = NULL;
	page_sse_event(sup, &ev);
	for (i = page_nclients - 1; i >= 0; i--)
		(void)page_sse_send(page_clients[i], &ev);
	buf_free(&ev);
	page_sse_arm(sup, page_tune.refresh);
}

/* A snapshot within secs, unless one is due sooner; none without clients. */
static void
page_sse_arm(struct sup *sup, double secs)
{
	double	now = mono_now();

	if (page_nclients == 0)
		return;
	if (page_timer != NULL && page_due <= now + secs)
		return;
	loop_timer_del(sup->loop, page_timer);
	page_timer = loop_timer(sup->loop, secs, page_sse_cb, sup);
	page_due = now + secs;
}

/* A service changed: the clients hear of it soon, once for many. */
void
page_changed(struct sup *sup)
{
	page_sse_arm(sup, page_tune.coalesce);
}

/* GET /events: the stream's head and its first snapshot. */
void
page_sse_open(struct hconn *c)
{
	struct sup	*sup = c->srv->sup;
	struct buf	 ev = { NULL, 0, 0 };

	if (page_nclients == PAGE_SSE_MAX) {
		hc_error(c, 503, 0);
		return;
	}
	page_head(&c->out, 200, "text/event-stream", HTTP_LEN_CHUNKED,
	    c->keep_alive, "X-Accel-Buffering: no\r\n");
	page_sse_event(sup, &ev);
	http_chunk(&c->out, ev.data, ev.len);
	buf_free(&ev);
	if (c->parsing)
		http_free(&c->req);
	c->parsing = 0;
	hc_enter(c, HC_STREAM);
	page_clients[page_nclients++] = c;
	page_sse_arm(sup, page_tune.refresh);
}

/* A connection closes: if it followed /events, it does no more. */
void
page_sse_gone(struct hconn *c)
{
	int	i;

	for (i = 0; i < page_nclients; i++) {
		if (page_clients[i] != c)
			continue;
		page_clients[i] = page_clients[--page_nclients];
		break;
	}
	if (page_nclients == 0 && page_timer != NULL) {
		loop_timer_del(c->srv->sup->loop, page_timer);
		page_timer = NULL;
	}
}
