/*
 * Events and event listeners (src/sup/event*.c, evl.c): supervisord's
 * event types and their hierarchy, the pools of [eventlistener:x], and
 * the hooks the rest of the supervisor calls.  Every hook returns at
 * once when no listener subscribes to what it would make.
 */
#ifndef WARDEN_SUP_EVENT_H
#define WARDEN_SUP_EVENT_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

#include "../compat/queue.h"

/* supervisord's concrete event types: one bit each in a mask. */
enum ev_type {
	EVT_STATE_STOPPED, EVT_STATE_EXITED, EVT_STATE_STARTING,
	EVT_STATE_STOPPING, EVT_STATE_BACKOFF, EVT_STATE_FATAL,
	EVT_STATE_RUNNING, EVT_STATE_UNKNOWN,
	EVT_COMM_STDOUT, EVT_COMM_STDERR,
	EVT_LOG_STDOUT, EVT_LOG_STDERR,
	EVT_REMOTE_COMMUNICATION,
	EVT_SUP_RUNNING, EVT_SUP_STOPPING,
	EVT_TICK_5, EVT_TICK_60, EVT_TICK_3600,
	EVT_GROUP_ADDED, EVT_GROUP_REMOVED,
	EVT_COUNT
};
#define EVM(t)		(1u << (t))
#define EVM_ALL		(EVM(EVT_COUNT) - 1)

/* A listener's protocol state, supervisord's names. */
enum evl_state {
	EVL_ACKNOWLEDGED, EVL_READY, EVL_BUSY, EVL_UNKNOWN
};

/* One event: its payload, shared by the pools that buffer it. */
struct event {
	int		 refs;
	int		 type;		/* enum ev_type */
	unsigned long	 serial;	/* global, from 0 */
	size_t		 len;
	char		*payload;
};

/* An event in a pool's buffer, with the pool's own serial. */
struct evq_ent {
	struct event	*ev;
	unsigned long	 poolserial;
};

struct evl;
TAILQ_HEAD(evls, evl);

/* The pool of an [eventlistener:x]: what it takes, what waits. */
struct evpool {
	char		*name;
	uint32_t	 mask;		/* events=, expanded */
	int		 size;		/* buffer_size= */
	struct evq_ent	*q;		/* oldest first */
	int		 qn;
	unsigned long	 serial;	/* the next poolserial */
	int		 next;		/* round robin: the member to try */
	int		 nmembers;
	int		 on;		/* takes events (at start: once added) */
	int		 mark;
	TAILQ_ENTRY(evpool) entry;
};
TAILQ_HEAD(evpools, evpool);

/* One listener process of a pool (evl.c). */
struct evl {
	struct svc	*svc;
	struct evpool	*pool;
	int		 state;		/* enum evl_state */
	char		*buf;		/* stdout not yet understood */
	size_t		 len;
	long		 resultlen;	/* -1: no RESULT line yet */
	char		*result;
	size_t		 rlen;
	struct evq_ent	 cur;		/* BUSY: the event sent */
	int		 mark;
	TAILQ_ENTRY(evl) entry;
};

struct config;
struct sup;
struct svc;
struct svclog;
struct timer;

/* event-type.c */
const char	*ev_type_name(int);
uint32_t	 ev_type_mask(const char *);
int		 ev_state_type(int);
const char	*ev_state_name(int);

/* event.c */
extern uint32_t	 ev_wanted;
extern struct evpools ev_pools;
const struct config *ev_sup_config(void);
void		 event_init(struct sup *);
void		 event_sync(struct sup *);
void		 event_fini(struct sup *);
void		 event_restart(struct sup *);
void		 event_state(struct svc *, int);
void		 event_stopping(struct sup *);
void		 event_group(struct sup *, const char *, int);
void		 event_remote(const char *, size_t, const char *, size_t);
void		 event_forget(struct svc *);
struct event	*event_new(int, const char *, size_t);
void		 event_unref(struct event *);
void		 event_publish(struct event *);
void		 evpool_accept(struct evpool *, struct event *, unsigned long,
		    int);
struct evq_ent	 evpool_pop(struct evpool *);

/* event-out.c */
const char	*event_output(struct svclog *, const char *, size_t *);
void		 event_output_forget(struct svc *);

/* evl.c */
extern struct evls ev_listeners;
struct evl	*evl_find(struct svc *);
void		 evl_input(struct evl *, const char *, size_t);
void		 evl_dispatch(struct evpool *);
void		 evl_reset(struct evl *);
void		 evl_lost(struct evl *);
size_t		 evl_envelope(struct evpool *, const struct evq_ent *,
		    char **);
const char	*evl_state_name(int);

#endif
