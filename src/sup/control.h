/*
 * The control socket's inside (src/sup/), not for the rest of warden: a
 * client's connection, what the transport (control.c) offers the verbs
 * (verbs.c, status.c), and what the verbs offer the transport.
 */
#ifndef WARDEN_CONTROL_H
#define WARDEN_CONTROL_H

#include "sup.h"

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

/* A verb: its argument counts, checked before exec runs. */
struct ctl_verb {
	const char	*name;
	int		 minargs, maxargs;	/* -1: no limit */
	int		(*exec)(struct ctl_conn *, int, char **);
};

/* control.c: replies, queued and sent as the socket takes them */
void		 ctl_flush(struct ctl_conn *);
void		 ctl_queue(struct ctl_conn *, char *, size_t);
void		 ctl_printf(struct ctl_conn *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
void		 ctl_end(struct ctl_conn *, const char *);
void		 ctl_err(struct ctl_conn *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
void		 ctl_usage(struct ctl_conn *, const char *);
void		 ctl_data(struct ctl_conn *, const char *, size_t);
void		 ctl_note(struct ctl_conn *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));

/* status.c */
const char	*ctl_fullname(const struct svc *, char *, size_t);
int		 ctl_status(struct ctl_conn *, int, char **);

/* verbs.c */
const struct ctl_verb *ctl_verb_find(const char *);
int		 ctl_targets(struct ctl_conn *, int, char **);
int		 ctl_op_done(struct ctl_conn *);
void		 ctl_op_report(struct ctl_conn *);
void		 ctl_unfollow(struct ctl_conn *);
void		 ctl_follow_end(struct ctl_conn *, const char *);

#endif
