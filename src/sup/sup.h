/*
 * The supervisor: one process, one epoll loop (src/sup/).  Structs first,
 * then one prototype block per file.
 */
#ifndef WARDEN_SUP_H
#define WARDEN_SUP_H

#include <sys/types.h>

#include <stdint.h>
#include <time.h>

#include "../warden.h"
#include "config.h"

/* loop.c */
struct loop;
struct timer;
typedef void	(*loop_cb)(int, uint32_t, void *);
typedef void	(*timer_cb)(void *);

/* Service states: supervisord's names and meanings. */
enum svc_state {
	SVC_STOPPED, SVC_STARTING, SVC_RUNNING, SVC_BACKOFF, SVC_STOPPING,
	SVC_EXITED, SVC_FATAL
};
enum svc_event { EV_START, EV_STOP, EV_READY, EV_EXIT, EV_TIMER };

/* One output stream of a service: a pipe we own and where it goes. */
struct svclog {
	int		 rfd, wfd;	/* the pipe, for the service's life */
	int		 fd;		/* the log file, or -1 */
	char		*path;
	uint64_t	 size;
};

struct svc {
	struct cfg_proc	*cfg;		/* owned */
	struct sup	*sup;
	enum svc_state	 state;
	pid_t		 pid;		/* 0 when no process */
	pid_t		 pgid;		/* its group, while members remain */
	int		 pidfd;		/* signals never hit a recycled pid */
	int		 repfd;		/* the child's setup report */
	double		 started;	/* monotonic, at spawn */
	time_t		 since;		/* wall clock, at the last change */
	int		 backoff;	/* failed starts in a row */
	int		 crashes;	/* quick exits from RUNNING in a row */
	unsigned long	 restarts;
	int		 status;	/* last wait status */
	int		 has_status;
	int		 spawn_stage, spawn_error; /* last setup failure */
	struct timer	*timer;
	struct svclog	 out, err;
	char		*cgroup;	/* its cgroup v2 directory, or NULL */
	int		 removed;	/* reload dropped it: free once stopped */
	int		 restart;	/* start again once stopped */
	char		 desc[256];	/* shown by status */
	TAILQ_ENTRY(svc) entry;
};
TAILQ_HEAD(svcs, svc);

struct sup {
	struct config	*cfg;
	struct loop	*loop;
	struct svcs	 svcs;
	int		 sigfd;
	int		 ctlfd;		/* listening control socket */
	int		 foreground;
	int		 shutting_down;
	int		 settled_sent;	/* wd_ready() done */
	int		 exit_code;
	struct timer	*gc;		/* frees removed services */
};

/* loop.c */
struct loop	*loop_new(void);
void		 loop_free(struct loop *);
int		 loop_add(struct loop *, int, uint32_t, loop_cb, void *);
int		 loop_mod(struct loop *, int, uint32_t);
void		 loop_del(struct loop *, int);
struct timer	*loop_timer(struct loop *, double, timer_cb, void *);
void		 loop_timer_del(struct loop *, struct timer *);
void		 loop_run(struct loop *);
void		 loop_stop(struct loop *);

/* svc.c */
extern const char *svc_state_names[];
struct svc	*svc_new(struct sup *, struct cfg_proc *);
void		 svc_free(struct svc *);
void		 svc_event(struct svc *, enum svc_event);
void		 svc_exited(struct svc *, int);
void		 svc_group_check(struct svc *);
double		 svc_delay(int);
int		 svc_handles(enum svc_state, enum svc_event);
struct svc	*svc_find_pid(struct sup *, pid_t);
struct svc	*svc_find(struct sup *, const char *, char **);
int		 svc_is_settled(const struct svc *);
int		 svc_is_running(const struct svc *);
void		 svc_describe(struct svc *, char *, size_t);
int		 svc_signal(struct svc *, int, int);

/* cgroup.c */
int		 cg_init(void);
void		 cg_fini(void);
char		*cg_service(const char *);
pid_t		 cg_fork(const char *);
int		 cg_kill(const char *);
int		 cg_populated(const char *);
void		 cg_remove(char *);

/* logs.c */
int		 svclog_open(struct svc *);
void		 svclog_close(struct svc *);
void		 svclog_reopen(struct svc *);

/* control.c */
int		 ctl_listen(struct sup *, const char *, int, char **);
void		 ctl_changed(struct sup *);
void		 ctl_close_all(struct sup *);
int		 ctl_start_accepting(struct sup *);
void		 ctl_forget(struct sup *, struct svc *);
int		 ctl_parse(char *, size_t, char **, int, const char **);

/* sup.c */
int		 sup_main(struct config *, int, int, int);
void		 sup_settle_check(struct sup *);
void		 sup_shutdown(struct sup *);
int		 sup_reload(struct sup *, char **);
void		 sup_log(const char *, ...) __attribute__((format(printf, 1, 2)));
void		 sup_changed(struct sup *);

#endif
