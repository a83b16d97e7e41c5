/*
 * The supervisor's event loop (loop.c): callbacks on file descriptors
 * through epoll, and one-shot timers on one timerfd.  Everything runs in
 * the one thread that calls loop_run(); no function here is reentrant
 * from a signal handler.
 *
 * Costs: loop_add, loop_mod, loop_del and the dispatch of one event are
 * O(1) (the records are indexed by fd); loop_timer and loop_timer_del are
 * O(log n) in the number of pending timers (a binary heap on the
 * deadline, each timer knowing its place in it).
 */
#ifndef WARDEN_LOOP_H
#define WARDEN_LOOP_H

#include <stdint.h>

struct loop;
struct timer;

/* Called with the fd and the epoll events (EPOLLIN, EPOLLHUP...) it has. */
typedef void	(*loop_cb)(int, uint32_t, void *);
/* Called once, when the timer's deadline has passed. */
typedef void	(*timer_cb)(void *);

/*
 * What the loop has done since loop_new, for the tests: fd_visits counts
 * the fd records looked at to find one (one per loop_mod or loop_del),
 * timer_steps the heap comparisons made to add, delete or fire timers.
 */
struct loop_stats {
	unsigned long	 fd_visits;
	unsigned long	 timer_steps;
};

/* loop.c */

/*
 * A new loop with no fds and no timers.  Dies (err(3)) when the kernel
 * gives no epoll instance or timerfd: the supervisor cannot run without.
 */
struct loop	*loop_new(void);

/*
 * Free the loop, its records and every pending timer without running
 * them.  The fds given to loop_add stay open: they are the callers'.
 */
void		 loop_free(struct loop *);

/*
 * Call cb(fd, events, arg) whenever fd has any of events (EPOLLIN,
 * EPOLLOUT...; EPOLLHUP and EPOLLERR always).  Returns 0, or -1 with
 * errno from epoll_ctl (EEXIST: fd is already in the loop; EPERM: fd
 * cannot be polled, a regular file).
 */
int		 loop_add(struct loop *, int, uint32_t, loop_cb, void *);

/*
 * Wait for events on fd instead of what loop_add or the last loop_mod
 * asked; the callback stays.  Returns 0, or -1 with errno ENOENT when fd
 * is not in the loop, or from epoll_ctl.
 */
int		 loop_mod(struct loop *, int, uint32_t);

/*
 * Forget fd; the caller closes it afterwards.  Safe from any callback,
 * also for an fd with an event still waiting in the current batch: that
 * event is dropped, and fd's callback is never called again (not even
 * when the number is reused by a later loop_add).  Unknown fds are
 * ignored.
 */
void		 loop_del(struct loop *, int);

/*
 * Call cb(arg) once, secs seconds from now on the monotonic clock (secs
 * <= 0: at the next turn of the loop).  Timers whose deadlines are equal
 * run in the order they were added.  Returns the timer's handle.
 *
 * The handle is valid until the timer is deleted or its callback starts.
 * By the time cb runs the loop has already freed the timer: the owner's
 * cb must clear its copy of the handle first (as svc_timer_cb does with
 * s->timer = NULL), and nobody may pass that handle to loop_timer_del
 * afterwards.  From inside cb a new timer may be added (even for the same
 * arg) and other timers deleted.
 */
struct timer	*loop_timer(struct loop *, double, timer_cb, void *);

/*
 * Cancel a pending timer and free it: its callback will not run.  A NULL
 * handle is a no-op, so owners keep a cleared handle as NULL.  The handle
 * must be pending: never one whose callback has started (see loop_timer).
 */
void		 loop_timer_del(struct loop *, struct timer *);

/*
 * Wait for events and run their callbacks, and the timers that are due,
 * until a callback calls loop_stop.  The events of one epoll batch are
 * all dispatched before loop_run looks at the stop flag.  Dies on an
 * epoll_wait error other than EINTR.
 */
void		 loop_run(struct loop *);

/*
 * Make loop_run return once the current batch of events is done; a
 * later loop_run runs the loop again.
 */
void		 loop_stop(struct loop *);

/* Copy the loop's counters (struct loop_stats) into the second argument. */
void		 loop_stats(const struct loop *, struct loop_stats *);

#endif
