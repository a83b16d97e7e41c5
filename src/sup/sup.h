/*
 * The supervisor: one process, one epoll loop (src/sup/).  Structs first,
 * then one prototype block per file.
 */
#ifndef WARDEN_SUP_H
#define WARDEN_SUP_H

#include <sys/resource.h>
#include <sys/types.h>

#include <stdint.h>
#include <time.h>

#include "../warden.h"
#include "config.h"
#include "loop.h"

/* Service states: supervisord's names and meanings. */
enum svc_state {
	SVC_STOPPED, SVC_STARTING, SVC_RUNNING, SVC_BACKOFF, SVC_STOPPING,
	SVC_EXITED, SVC_FATAL
};
/* What happens to a service: svc.c's svc_table says what each one does. */
enum svc_event {
	EV_START, EV_STOP, EV_READY, EV_EXIT, EV_TIMER,
	EV_RESTART,		/* stop if up, then start */
	EV_GONE,		/* the last of a stopping group was reaped */
	EV_WATCHDOG		/* no WATCHDOG=1 within watchdog_sec */
};


/*
 * One output stream of a service (logs.c): a pipe we own for the
 * service's configured life, and where its lines go.  Buffers exist only
 * while they hold something.  Only the pipe's read end is kept: each
 * spawn gets a write end of its own (svclog_writer).
 */
struct svclog {
	struct svc	*svc;
	int		 which;		/* 0 stdout, 1 stderr */
	int		 rfd;		/* the pipe's read end, for the life */
	int		 wfd;		/* its write end only without /proc */
	int		 fd;		/* the log file while open, or -1 */
	struct timer	*pause;		/* the next read of a busy pipe */
	uint64_t	 lastread;	/* when, in ns (CLOCK_MONOTONIC) */
	TAILQ_ENTRY(svclog) lru;	/* in the open files' cache */
	unsigned int	 flags;
	char		*name;		/* the service's */
	char		*path;		/* NULL: no file */
	uint64_t	 maxbytes;	/* copied from the config */
	size_t		 cap;		/* log_line_max */
	int		 backups;
	int		 stamps;	/* log_timestamps */
	int		 report;	/* what a failed start shows */
	uint64_t	 size;		/* of the file, for rotation */
	char		*carry;		/* a partial line, up to log_line_max */
	size_t		 carrylen;
	pid_t		 carrypid;	/* the instance that wrote it */
	char		*held;		/* lines the target did not take yet */
	size_t		 heldlen, heldoff;
	char		*pend;		/* bytes read but not yet made lines */
	size_t		 pendlen;
	int		 error;		/* why output is held */
	double		 delay;		/* before the next try */
	struct timer	*retry;
	char		*recent;	/* the last bytes, while STARTING */
	size_t		 recentlen;	/* bytes ever put there */
	uint64_t	 written;	/* bytes ever written to the target */
};

/* A process's stdin (svc-stdin.c): the pipe's write end, what waits. */
/* What a process's stdin pipe did not take yet (svc-stdin.c). */
struct svc_in {
	int		 waiting;	/* in the loop for EPOLLOUT */
	char		*q;
	size_t		 qlen, qoff;
};

/*
 * The sockets of a service, for its configured life; an fcgi pool's one
 * socket is shared by its processes, refs of them.
 */
struct socks {
	struct sock	*v;
	int		*fds;		/* v[i].fd, in order: fds 3, 4, ... */
	int		 n;
	int		 refs;		/* services holding it */
	int		 fcgi;		/* socket=, fd 0; not listen= */
};

/*
 * Its fields are ordered to leave no holes, and its flags are bits: it
 * stays in musl's 320-byte malloc class (316 usable).  Mind the size.
 */
struct svc {
	struct cfg_proc	*cfg;		/* owned */
	struct sup	*sup;
	enum svc_state	 state;
	/*
	 * What the state alone does not say: annotations, each set and
	 * cleared only where svc.c's first comment says.
	 */
	unsigned int	 restart:1,	/* a restart is due once idle */
			 relog:1,	/* open its logs again once idle */
			 removed:1,	/* reload dropped it: free once idle */
			 start_timeout:1, /* STOPPING a start that took too long */
			 wdog_fired:1,	/* STOPPING for the watchdog: a crash */
			 unstoppable:1,	/* STOPPING after SIGKILL */
			 rest:1,	/* an exited instance left processes */
			 has_status:1;	/* it ran: STOPPED is not "Not started" */
	int		 sweeps;	/* spawns put off while the rest dies */
	pid_t		 pid;		/* 0 when no process */
	struct timer	*timer;		/* the state's one timer */

	pid_t		 pgid;		/* its group, while members remain */
	int		 pidfd;		/* signals never hit a recycled pid */
	int		 repfd;		/* the child's setup report */
	int		 infd;		/* stdin's write end, while it runs */
	double		 started;	/* monotonic, at spawn */
	time_t		 since;		/* wall clock, at the last change */
	int		 backoff;	/* failed starts in a row */
	int		 crashes;	/* quick exits from RUNNING in a row */
	unsigned long	 restarts;
	int		 status;	/* last wait status */
	int		 spawn_stage, spawn_error; /* last setup failure */
	pid_t		 sid;		/* the session it was started in */
	struct svclog	*out, *err;	/* NULL: no stream (NONE) */
	char		*cgroup;	/* its cgroup v2 directory, or NULL */
	char		*desc;		/* why it failed, for status, or NULL */
	double		 deadline;	/* monotonic: start or stop timer */
	struct timer	*sweep;		/* SIGKILL for a dead instance's rest */
	struct socks	*socks;		/* listen=, once bound, or NULL */
	time_t		 laststop;	/* wall clock, at the last reap, or 0 */
	struct svc_in	*in;		/* stdin's queue, while bytes wait */

	/* Readiness (ready.c). */
	struct ready_spec ready;	/* ready=, parsed */
	int		 readyfd;	/* fd:N's read end, while STARTING */
	int		 probefd;	/* a tcp connect in progress */
	struct timer	*probe;		/* the next tcp or pidfile look */
	double		 probe_delay;
	struct timer	*wdog;
	double		 wdog_sec;
	unsigned int	 launcher_done:1, /* STARTING: the launcher exited 0 */
			 watching:1,	/* pidfd in the loop: not our child */
			 reloading:1,	/* RELOADING=1 */
			 stopping:1,	/* STOPPING=1 */
			 cg_killed:1;	/* its cgroup.kill was used: renew it */
	int		 notify_errno;	/* ERRNO= */
	char		*note;		/* STATUS=, escaped, or NULL */
	TAILQ_ENTRY(svc) entry;
};
TAILQ_HEAD(svcs, svc);

/*
 * What the supervisor tells its control socket, given by whoever starts
 * it (control.c's ctl_hooks): sup.c never calls control.c itself.  Any
 * of them may be NULL.
 */
struct sup_hooks {
	int	(*start)(struct sup *);		/* the loop exists */
	void	(*changed)(struct sup *);	/* a service changed state */
	void	(*forget)(struct sup *, struct svc *); /* freed next */
	void	(*stop)(struct sup *);		/* the supervisor leaves */
};

/* supervisord's shutdown and restart, once asked (sup_leave). */
#define SUP_LEAVE_SHUTDOWN	1
#define SUP_LEAVE_RESTART	2

/* Groups a config adds, changes and removes (reload.c's sup_diff). */
struct sup_diff_group {
	char		*name;
	int		 prio;
};
struct sup_diff_list {
	struct sup_diff_group *v;
	size_t		 n;
};
struct sup_diff {
	union {
		struct sup_diff_list list[3];
		struct {
			struct sup_diff_list added, changed, removed;
		};
	};
};

/* warden up's status: the supervisor runs, an autostart service failed. */
#define SUP_EXIT_FAILED		3

struct sup {
	struct config	*cfg;
	struct loop	*loop;
	struct svcs	 svcs;
	const struct sup_hooks *hooks;
	int		 sigfd;
	int		 ctlfd;		/* listening control socket */
	int		 foreground;
	int		 shutting_down;
	int		 leaving;	/* SUP_LEAVE_*: asked, not yet done */
	struct timer	*leave;		/* ... done from the loop */
	int		 settled_sent;	/* wd_ready() or wd_fail() done */
	int		 exit_code;
	struct timer	*gc;		/* frees removed services */
	int		 notifyfd;	/* sd_notify socket, or -1 */
	char		 notify_name[128]; /* its NOTIFY_SOCKET value */
	unsigned long	 notify_strangers; /* messages from non-services */
	struct config	*pending;	/* reloadConfig's, not yet applied */
	time_t		 started;	/* wall clock, at sup_main */
};

/* What a service's cgroup uses (cgroup.c's cg_usage). */
struct cg_usage {
	uint64_t	 memory;	/* memory.current, bytes */
	uint64_t	 cpu_usec;	/* cpu.stat's usage_usec */
	unsigned int	 has_memory:1,
			 has_cpu:1;
};

/* svc.c */
extern const char *svc_state_names[];
extern const char *svc_event_names[];
struct svc	*svc_new(struct sup *, struct cfg_proc *);
void		 svc_free(struct svc *);
void		 svc_event(struct svc *, enum svc_event);
void		 svc_group_check(struct svc *);
struct svc	*svc_find_pid(struct sup *, pid_t);
struct svc	*svc_find(struct sup *, const char *, char **);
int		 svc_is_up(const struct svc *);
int		 svc_is_idle(const struct svc *);
int		 svc_is_new(const struct svc *);
int		 svc_is_pending_start(const struct svc *);
int		 svc_is_failed(const struct svc *);
int		 svc_is_stoppable(const struct svc *);
int		 svc_is_start_over(const struct svc *);
int		 svc_prio_cmp(const void *, const void *);
void		 svc_extend(struct svc *, double);
void		 svc_desc(struct svc *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));

/* svc-describe.c */
void		 svc_describe(struct svc *, char *, size_t);
void		 svc_describe_sd(const struct svc *, time_t, time_t, time_t,
		    char *, size_t);
time_t		 svc_start_time(const struct svc *);
time_t		 svc_stop_time(const struct svc *);
const char	*svc_spawnerr_sd(const struct svc *);

/* svc-spawn.c */
pid_t		 svc_fork(struct svc *, char *, size_t);
int		 svc_signal(struct svc *, int, int);
void		 svc_signal_rest(struct svc *, int);
void		 svc_sweep(struct svc *);
void		 svc_kill_rest(struct svc *);
int		 svc_leftovers(struct svc *);
void		 svc_exited(struct svc *, int);

/* svc-stdin.c */
int		 svc_stdin_open(struct svc *, int *);
void		 svc_stdin_close(struct svc *);
int		 svc_stdin_write(struct svc *, const char *, size_t);
size_t		 svc_stdin_queued(struct svc *);

/* sockets.c */
int		 sock_open(struct svc *, char *, size_t);
void		 sock_close(struct svc *);

/* ready.c */
void		 ready_parse(struct svc *);
int		 ready_prepare(struct svc *, int *);
void		 ready_start(struct svc *);
void		 ready_stop(struct svc *);
int		 ready_launcher_exited(struct svc *);
int		 ready_adopt(struct svc *, pid_t);
void		 ready_unwatch(struct svc *);
void		 ready_wdog_arm(struct svc *, double);
int		 ready_notify_init(struct sup *);
int		 ready_notify_held(struct sup *);
void		 ready_fini(struct sup *);

/* cgroup.c */
int		 cg_init(const char *);
void		 cg_prefer(const char *);
void		 cg_boot_id(char *, size_t);
const char	*cg_dir(void);
void		 cg_fini(void);
int		 cg_name_ours(const char *);
char		*cg_service(const char *);
pid_t		 cg_fork(const char *, int);
int		 cg_kill(const char *);
int		 cg_signal(const char *, int);
int		 cg_renew(const char *);
int		 cg_populated(const char *);
int		 cg_of(pid_t, char *, size_t);
int		 cg_has(const char *, const char *);
void		 cg_remove(char *);
void		 cg_usage(const char *, struct cg_usage *);
void		 cg_usage_at(int, const char *, struct cg_usage *);

/* logs-pipe.c (each chunk written goes to logs_feed, follow.c) */
int		 svclog_open(struct svc *);
void		 svclog_close(struct svc *);
void		 svclog_drain(struct svc *);
const char	*svclog_problem(struct svc *);
int		 svclog_writers(struct svc *, int *, int *);
void		 svclog_writers_close(int, int);

/* logs-file.c */
void		 svclog_reopen(struct svc *);
int		 svclog_rotate(struct svc *, int, char **);
int		 svclog_clear(struct svc *);

/* logs-recent.c */
size_t		 svclog_recent(struct svc *, char *, size_t);
void		 svclog_recent_reset(struct svc *);

/* follow.c */
struct follow;
struct follow_tail;
typedef void	(*follow_cb)(void *, const char *, size_t);
struct follow	*follow_add(struct svc *, int, follow_cb, void *);
void		 follow_del(struct follow *);
void		 logs_feed(struct svc *, int, const char *, size_t);
void		 follow_sup_line(const char *, size_t);
char		*follow_sup_tail(unsigned long, size_t *);
struct follow_tail *follow_tail_open(struct svc *, int, unsigned long,
		    char **);
size_t		 follow_tail_read(struct follow_tail *, char *, size_t);
void		 follow_tail_free(struct follow_tail *);

/* control.c */
extern const struct sup_hooks ctl_hooks;
int		 ctl_listen(const char *, int, char **);
int		 ctl_parse(char *, size_t, char **, int, const char **);

/* metrics.c: GET /metrics, Prometheus's text format */
#define METRICS_CONTROL	0		/* metrics_requests[]: the socket */
#define METRICS_HTTP	1		/* ... the HTTP servers */
struct buf;
struct hconn;
extern unsigned long metrics_requests[2];
void		 metrics_render(struct sup *, struct buf *);
void		 metrics_label(struct buf *, const char *);
void		 metrics_serve(struct hconn *);

/* sup.c */
int		 sup_main(struct config *, const struct sup_hooks *, int, int,
		    int);
void		 sup_settle_check(struct sup *);
void		 sup_shutdown(struct sup *);
void		 sup_leave(struct sup *, int);
void		 sup_changed(struct sup *);
rlim_t		 sup_rlimit_hard(rlim_t, rlim_t, rlim_t);

/* hold.c */
int		 hold_init(const char *, pid_t);
pid_t		 hold_holder(void);
int		 hold_claim(const char *);
int		 hold_claimed(const char *);
void		 hold_key(char *, size_t, const struct svc *, const char *);
int		 hold_pipe(const struct svc *, const char *, int [2]);
void		 hold_gone(const struct svc *, const char *);
void		 hold_claim_end(void);
void		 hold_add(const char *, int);
void		 hold_del(const char *);
void		 hold_fini(const char *, int);
int		 hold_is_on(void);

/* state.c */
void		 state_keep(int, int, int);
int		 state_reexec_fds(const char *, int *, int *, int *);
void		 state_init(struct sup *);
void		 state_adopt(struct sup *);
void		 state_dirty(struct sup *);
int		 state_write(struct sup *);
int		 state_reexec(struct sup *, char **);
void		 state_fini(struct sup *, int);

/* reload.c */
void		 sup_adopt(struct sup *, struct config *, struct svcs *);
int		 sup_reload(struct sup *, char **);
int		 sup_reread(struct sup *, char **);
void		 sup_diff(struct sup *, struct config *, struct sup_diff *);
void		 sup_diff_free(struct sup_diff *);
int		 sup_group_add(struct sup *, struct config *, const char *);
int		 sup_group_remove(struct sup *, const char *);
int		 sup_group_count(struct sup *, const char *);

#endif
