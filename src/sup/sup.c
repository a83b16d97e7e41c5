/*
 * sup_main(): the supervisor's life.  One loop; signals through a
 * signalfd; every child reaped in one place (we are a child subreaper, so
 * orphans come here too).  Services own their cfg_proc, taken out of the
 * config, so that reload (reload.c) can hand each one its new definition.
 */
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "sup.h"
#include "event.h"

/* Tell the control socket that something changed. */
static void
sup_hook_changed(struct sup *sup)
{
	if (sup->hooks->changed != NULL)
		sup->hooks->changed(sup);
}

/* A service leaves the list for good: the control socket forgets it. */
static void
sup_svc_free(struct sup *sup, struct svc *s)
{
	struct cfg_proc	*cfg;

	TAILQ_REMOVE(&sup->svcs, s, entry);
	if (sup->hooks->forget != NULL)
		sup->hooks->forget(sup, s);
	cfg = s->cfg;
	svc_free(s);		/* its logs still read the config */
	cfg_proc_free(cfg);
}

/*
 * Free the services a reload removed, once stopped.  From a timer, at
 * the top of the loop: never under a caller walking the list.
 */
static void
sup_gc_cb(void *arg)
{
	struct sup	*sup = arg;
	struct svc	*s, *tmp;

	sup->gc = NULL;
	TAILQ_FOREACH_SAFE(s, &sup->svcs, entry, tmp)
		if (s->removed && svc_is_idle(s))
			sup_svc_free(sup, s);
	sup_hook_changed(sup);
}

/*
 * Start the autostart services, lowest priority first: the new ones, or
 * after a restart every idle one.
 */
static void
sup_autostart(struct sup *sup, int again)
{
	struct svc	**v, *s;
	int		  n = 0, i;

	TAILQ_FOREACH(s, &sup->svcs, entry)
		n++;
	v = xcalloc(n + 1, sizeof *v);
	n = 0;
	TAILQ_FOREACH(s, &sup->svcs, entry)
		if (s->cfg->autostart && !s->removed &&
		    (again ? svc_is_idle(s) : svc_is_new(s)))
			v[n++] = s;
	qsort(v, n, sizeof *v, svc_prio_cmp);
	for (i = 0; i < n; i++)
		svc_event(v[i], EV_START);
	free(v);
}

/*
 * Once every autostart service is ready, has failed for good, or has
 * failed its first start and is retrying, tell the waiting "warden up"
 * (and the terminal) how they are.  Its status is 0 when none of them
 * failed, SUP_EXIT_FAILED when one is FATAL or retrying (BACKOFF): up
 * never waits for all the tries of a crash loop.
 */
void
sup_settle_check(struct sup *sup)
{
	struct svc	*s;
	char		 desc[256];
	int		 failed = 0;

	if (sup->settled_sent)
		return;
	TAILQ_FOREACH(s, &sup->svcs, entry)
		if (s->cfg->autostart && svc_is_pending_start(s))
			return;		/* no verdict yet */
	TAILQ_FOREACH(s, &sup->svcs, entry) {
		if (!svc_is_failed(s))
			continue;
		if (s->cfg->autostart)
			failed = 1;
		svc_describe(s, desc, sizeof desc);
		if (s->state == SVC_BACKOFF)
			fprintf(stderr, "warden: %s: %s, retrying after %d "
			    "failed start%s, %d more at most (%s)\n",
			    s->cfg->name, svc_state_names[s->state],
			    s->backoff, s->backoff == 1 ? "" : "s",
			    s->cfg->startretries + 1 - s->backoff, desc);
		else
			fprintf(stderr, "warden: %s: %s (%s)\n", s->cfg->name,
			    svc_state_names[s->state], desc);
	}
	fflush(stderr);
	sup->settled_sent = 1;
	if (failed)
		(void)wd_fail(SUP_EXIT_FAILED);
	else
		(void)wd_ready();
}

/*
 * A restart's second half: every service stopped, the config read again
 * and applied, the autostart services started again, as supervisord's
 * restart does in the same process.
 */
static void
sup_restarted_cb(void *arg)
{
	struct sup	*sup = arg;
	struct svc	*s;
	char		*cause = NULL;

	sup->leave = NULL;
	sup->leaving = 0;
	sup->shutting_down = 0;
	log_info("restarting");
	if (sup_reload(sup, &cause) == -1)
		free(cause);		/* logged; the old config stays */
	event_restart(sup);
	/* As supervisord's new processes: no past start, stop or error. */
	TAILQ_FOREACH(s, &sup->svcs, entry) {
		s->started = 0;
		s->laststop = 0;
		s->has_status = 0;
		s->backoff = 0;
		free(s->desc);
		s->desc = NULL;
	}
	sup_autostart(sup, 1);
	sup_changed(sup);
}

/* Stop in reverse priority order: the highest number first, in parallel. */
static void
sup_shutdown_step(struct sup *sup)
{
	struct svc	*s;
	int		 prio = 0, any = 0, busy = 0;

	TAILQ_FOREACH(s, &sup->svcs, entry) {
		if (s->state == SVC_STOPPING)
			busy = 1;
		else if (svc_is_stoppable(s)) {
			if (!any || s->cfg->priority > prio)
				prio = s->cfg->priority;
			any = 1;
		}
	}
	if (busy)
		return;
	if (!any && sup->leaving == SUP_LEAVE_RESTART) {
		if (sup->leave == NULL)
			sup->leave = loop_timer(sup->loop, 0, sup_restarted_cb,
			    sup);
		return;
	}
	if (!any) {
		loop_stop(sup->loop);
		return;
	}
	TAILQ_FOREACH(s, &sup->svcs, entry)
		if (s->cfg->priority == prio)
			svc_event(s, EV_STOP);
}

/* Stop everything, then leave (or, for a restart, start again). */
static void
sup_stop_all(struct sup *sup, int how)
{
	struct svc	*s;

	sup->leaving = how;
	loop_timer_del(sup->loop, sup->leave);
	sup->leave = NULL;
	if (!sup->shutting_down) {
		log_info("shutting down");
		event_stopping(sup);
		/* What dead instances left behind goes now. */
		TAILQ_FOREACH(s, &sup->svcs, entry)
			svc_kill_rest(s);
	}
	sup->shutting_down = 1;
	sup_shutdown_step(sup);
}

/* What sup_leave asked for, from the loop. */
static void
sup_leave_cb(void *arg)
{
	struct sup	*sup = arg;

	sup->leave = NULL;
	sup_stop_all(sup, sup->leaving);
}

/*
 * supervisord's shutdown or restart (SUP_LEAVE_*), asked over RPC: it
 * starts once this turn of the loop is over, so the reply goes first,
 * and every request after this one is refused (sup->leaving).
 */
void
sup_leave(struct sup *sup, int how)
{
	if (sup->shutting_down || sup->leaving != 0)
		return;
	sup->leaving = how;
	sup->leave = loop_timer(sup->loop, 0, sup_leave_cb, sup);
}

/* Stop everything, then leave: a shutdown overrides a restart. */
void
sup_shutdown(struct sup *sup)
{
	sup_stop_all(sup, SUP_LEAVE_SHUTDOWN);
}

/* Something changed state: reload leftovers, clients, settling, shutdown. */
void
sup_changed(struct sup *sup)
{
	struct svc	*s;

	TAILQ_FOREACH(s, &sup->svcs, entry) {
		if (sup->gc != NULL)
			break;
		if (s->removed && svc_is_idle(s))
			sup->gc = loop_timer(sup->loop, 0, sup_gc_cb, sup);
	}
	sup_hook_changed(sup);
	state_dirty(sup);
	if (!sup->settled_sent)
		sup_settle_check(sup);
	if (sup->shutting_down)
		sup_shutdown_step(sup);
}

/* Reap every child that exited: services, and orphans we inherited. */
static void
sup_reap(struct sup *sup)
{
	struct svc	*s, *tmp;
	pid_t		 pid;
	int		 status, orphans = 0;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		if ((s = svc_find_pid(sup, pid)) != NULL)
			svc_exited(s, status);
		else
			orphans++;
	}
	if (orphans > 0)
		TAILQ_FOREACH_SAFE(s, &sup->svcs, entry, tmp)
			svc_group_check(s);
}

/* For an external logrotate: every log file opened again by name. */
static void
sup_log_reopen(struct sup *sup)
{
	struct svc	*s;

	TAILQ_FOREACH(s, &sup->svcs, entry)
		svclog_reopen(s);
	if (sup->cfg->logfile != NULL && log_reopen(sup->cfg->logfile) == -1)
		log_warn("%s: keeping the old file", sup->cfg->logfile);
}

static void
sup_signal_cb(int fd, uint32_t events, void *arg)
{
	struct sup		*sup = arg;
	struct signalfd_siginfo	 si;
	char			*cause = NULL;

	(void)events;
	while (read(fd, &si, sizeof si) == sizeof si) {
		switch (si.ssi_signo) {
		case SIGCHLD:
			sup_reap(sup);
			break;
		case SIGHUP:
			log_info("SIGHUP: reloading");
			if (sup_reload(sup, &cause) == -1)
				free(cause);
			cause = NULL;
			/* And the log files, as for SIGUSR2. */
			sup_log_reopen(sup);
			break;
		case SIGUSR2:
			sup_log_reopen(sup);
			break;
		case SIGINT:
		case SIGTERM:
		case SIGQUIT:
			sup_shutdown(sup);
			break;
		default:
			/* Never die of a signal nobody meant for us. */
			log_info("%s ignored", wd_sig_name((int)si.ssi_signo) ?
			    wd_sig_name((int)si.ssi_signo) : "signal");
			break;
		}
	}
}

/*
 * The supervisor's signals, from a signalfd.  SIGPIPE is only blocked: a
 * write to a pipe whose reader left fails with EPIPE instead.
 */
static int
sup_signal_fd(void)
{
	static const int sigs[] = {
		SIGCHLD, SIGHUP, SIGINT, SIGTERM, SIGQUIT, SIGUSR2,
		SIGUSR1, SIGALRM, SIGVTALRM, SIGPROF, SIGIO, SIGPWR,
		SIGSTKFLT, SIGXCPU, SIGXFSZ, SIGTSTP, SIGTTIN, SIGTTOU
	};
	sigset_t	quiet;
	int		sig;

	/*
	 * The rest of what would kill or stop us by default is blocked:
	 * as PID 1 or not, the supervisor outlives a stray kill -USR1.
	 * Services start with an empty mask and default dispositions.
	 */
	sigemptyset(&quiet);
	sigaddset(&quiet, SIGPIPE);
	for (sig = SIGRTMIN; sig <= SIGRTMAX; sig++)
		sigaddset(&quiet, sig);
	if (sigprocmask(SIG_BLOCK, &quiet, NULL) == -1)
		return (-1);
	return (sigfd_open(sigs, nitems(sigs)));
}

/* The kernel's ceiling for a hard fd limit (fs.nr_open), or 0. */
static rlim_t
sup_nr_open(void)
{
	FILE		*fp;
	unsigned long	 n = 0;

	if ((fp = fopen("/proc/sys/fs/nr_open", "re")) == NULL)
		return (0);
	if (fscanf(fp, "%lu", &n) != 1)
		n = 0;
	fclose(fp);
	return ((rlim_t)n);
}

/*
 * The hard fd limit to ask for: want, capped at the kernel's ceiling (0:
 * unknown), never below the hard limit there is.
 */
rlim_t
sup_rlimit_hard(rlim_t want, rlim_t hard, rlim_t ceiling)
{
	if (ceiling != 0 && ceiling < want)
		want = ceiling;
	return (want > hard ? want : hard);
}

/*
 * Enough fds for minfds and for every service's pipes and pidfd: the
 * soft limit up to the hard one, and as root the hard one too, up to
 * fs.nr_open.  Never lowered; what changed is logged.
 */
static void
sup_rlimit(struct config *cf)
{
	struct rlimit	rl, old;
	rlim_t		want = (rlim_t)cf->minfds + (rlim_t)cf->nprocs * 7 + 64;

	if (getrlimit(RLIMIT_NOFILE, &old) == -1 || old.rlim_cur >= want)
		return;
	rl = old;
	if (want > old.rlim_max && old.rlim_max != RLIM_INFINITY) {
		rl.rlim_max = sup_rlimit_hard(want, old.rlim_max,
		    sup_nr_open());
		rl.rlim_cur = rl.rlim_max;
		if (rl.rlim_max != old.rlim_max &&
		    setrlimit(RLIMIT_NOFILE, &rl) == 0)
			log_info("fd limit raised: soft %llu, hard %llu (was "
			    "%llu, %llu)", (unsigned long long)rl.rlim_cur,
			    (unsigned long long)rl.rlim_max,
			    (unsigned long long)old.rlim_cur,
			    (unsigned long long)old.rlim_max);
		else
			rl = old;
	}
	if (rl.rlim_cur < want && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = want < rl.rlim_max ? want : rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) == 0)
			log_info("fd limit raised: soft %llu (was %llu)",
			    (unsigned long long)rl.rlim_cur,
			    (unsigned long long)old.rlim_cur);
		else
			rl = old;
	}
	if (rl.rlim_cur < want)
		log_warnx("fd limit %llu, below the %llu wanted for minfds "
		    "%ld and %d services", (unsigned long long)rl.rlim_cur,
		    (unsigned long long)want, cf->minfds, cf->nprocs);
}

/*
 * Run the supervisor.  hooks reach the control socket (ctl_hooks),
 * ctlfd is the bound control socket they listen on; logfd the
 * supervisor's log (or -1 for syslog; stderr in the foreground).
 */
int
sup_main(struct config *cf, const struct sup_hooks *hooks, int ctlfd,
    int logfd, int foreground)
{
	struct sup	 sup;
	struct svc	*s;

	memset(&sup, 0, sizeof sup);
	sup.cfg = cf;
	sup.hooks = hooks;
	sup.ctlfd = ctlfd;
	sup.notifyfd = -1;
	sup.foreground = foreground;
	sup.started = time(NULL);
	TAILQ_INIT(&sup.svcs);
	log_init(logfd != -1 ? LOGTO_FILE | (foreground ? LOGTO_FATAL_STDERR :
	    0) : foreground ? LOGTO_STDERR : LOGTO_SYSLOG, logfd,
	    cf->identifier ? cf->identifier : "warden");
	log_hook(follow_sup_line);
	(void)prctl(PR_SET_CHILD_SUBREAPER, 1);
	sup_rlimit(cf);
	state_init(&sup);		/* a supervisor before us: what it left */
	if (cg_init(cf->path) == 0)
		log_info("a cgroup per service: a stop kills all they started");
	if ((sup.sigfd = sup_signal_fd()) == -1)
		fatal("signalfd");
	sup.loop = loop_new();
	if (loop_add(sup.loop, sup.sigfd, EPOLLIN, sup_signal_cb, &sup) == -1 ||
	    (hooks->start != NULL && hooks->start(&sup) == -1))
		fatal("epoll_ctl");
	sup_adopt(&sup, cf, &sup.svcs);
	state_adopt(&sup);
	log_info("supervising %s", cf->path);
	event_init(&sup);
	sup_autostart(&sup, 0);
	sup_settle_check(&sup);
	loop_run(sup.loop);
	log_info("all stopped; exiting");
	if (hooks->stop != NULL)
		hooks->stop(&sup);
	state_fini(&sup, 1);		/* nothing left to adopt */
	event_fini(&sup);
	while ((s = TAILQ_FIRST(&sup.svcs)) != NULL)
		sup_svc_free(&sup, s);
	ready_fini(&sup);
	cfg_free(sup.pending);
	loop_free(sup.loop);
	cg_fini();
	close(sup.sigfd);
	return (sup.exit_code);
}
