/*
 * A service's processes: starting one (its environment, the fork, the
 * child's setup report, its stdin pipe from svc-stdin.c, or for an
 * [fcgi-program:x] the pool's socket as fd 0), signalling it,
 * reaping it, and what an instance leaves behind when it exits on its
 * own.  The state machine is svc.c.
 */
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sup.h"

extern char **environ;

_Static_assert(CFG_MAXLISTEN <= SPAWN_MAXLISTEN, "listen= has more room "
    "than a spawn");

/*
 * The environment a service starts with, supervisord's way: ours, then
 * [supervisord] environment=, then SUPERVISOR_*, then the program's own;
 * a later setting of a name replaces an earlier one.
 */
static char **
svc_env(struct svc *s)
{
	struct config	 *cf = s->sup->cfg;
	char		**env, **e, *v, *url;
	int		  n = 0;

	env = xcalloc(1, sizeof *env);
	for (e = environ; *e != NULL; e++)
		if (strchr(*e, '=') != NULL &&
		    strncmp(*e, "NOTIFY_SOCKET=", 14) != 0 &&
		    strncmp(*e, "LISTEN_", 7) != 0 &&
		    strncmp(*e, "WATCHDOG_", 9) != 0)
			env = env_set(env, &n, *e);
	for (e = cf->env; e != NULL && *e != NULL; e++)
		env = env_set(env, &n, *e);
	env = env_set(env, &n, "SUPERVISOR_ENABLED=1");
	xasprintf(&v, "SUPERVISOR_PROCESS_NAME=%s", s->cfg->name);
	env = env_set(env, &n, v);
	free(v);
	xasprintf(&v, "SUPERVISOR_GROUP_NAME=%s", s->cfg->group);
	env = env_set(env, &n, v);
	free(v);
	if ((url = s->cfg->serverurl) != NULL)
		url = xstrdup(url);
	else
		url = cfg_server_url(cf);
	if (url != NULL) {
		xasprintf(&v, "SUPERVISOR_SERVER_URL=%s", url);
		env = env_set(env, &n, v);
		free(v);
		free(url);
	}
	for (e = s->cfg->env; e != NULL && *e != NULL; e++)
		env = env_set(env, &n, *e);
	if (s->ready.mode == READY_NOTIFY) {
		xasprintf(&v, "NOTIFY_SOCKET=%s", s->sup->notify_name);
		env = env_set(env, &n, v);
		free(v);
	}
	if (s->cfg->watchdog_sec > 0) {
		xasprintf(&v, "WATCHDOG_USEC=%llu", (unsigned long long)
		    (s->cfg->watchdog_sec * 1e6));
		env = env_set(env, &n, v);
		free(v);
		/* The child writes its own pid here, before exec. */
		env = env_set(env, &n, "WATCHDOG_PID=" SPAWN_PID_ROOM);
	}
	if (s->socks != NULL && !s->socks->fcgi)
		env = listen_env(env, &n, s->socks->n, s->cfg->program);
	return (env);
}

/* The child's setup report: a failed step (exec included) and its errno. */
static void
svc_report_cb(int fd, uint32_t events, void *arg)
{
	struct svc	*s = arg;
	int		 stage, error, rv;

	(void)events;
	rv = spawn_report_read(fd, &stage, &error);
	if (rv == -1)
		return;
	if (rv == 1) {
		s->spawn_stage = stage;
		s->spawn_error = error;
		svc_desc(s, "spawn error: %s: %s",
		    spawn_stage_name(stage), strerror(error));
		log_warnx("%s: %s", s->cfg->name, s->desc);
	}
	loop_del(s->sup->loop, fd);
	close(fd);
	s->repfd = -1;
}

/*
 * Fork and exec the service: a new session, the clean context, our pipes.
 * The pid, or -1 with why (whylen bytes): the call that failed and its
 * errno.
 */
pid_t
svc_fork(struct svc *s, char *why, size_t whylen)
{
	struct spawn_req	 r;
	struct wd_creds		 creds;
	const char		*call;
	char			**env, **e;
	int			 rep[2], devnull = -1, readyw = -1;
	int			 outfd = -1, errfd = -1, saved, inr = -1;
	pid_t			 pid;

	if (sock_open(s, why, whylen) == -1)
		return (-1);
	memset(&r, 0, sizeof r);
	r.argv = s->cfg->argv;
	r.dirfd = -1;
	r.dir = s->cfg->directory != NULL ? s->cfg->directory : "/";
	r.umask = s->cfg->umask;
	r.newsession = 1;
	if (s->cfg->user != NULL) {
		if (wd_creds_lookup(s->cfg->user, &creds) == -1) {
			snprintf(why, whylen, "spawn error: getpwnam: %s: %s",
			    s->cfg->user, errno == ENOENT ?
			    "unknown user or group" : strerror(errno));
			return (-1);
		}
		r.creds = &creds;
	}
	if (s->out == NULL || s->err == NULL) {
		if ((devnull = open("/dev/null", O_WRONLY|O_CLOEXEC)) == -1) {
			snprintf(why, whylen, "spawn error: open /dev/null: %s",
			    strerror(errno));
			return (-1);
		}
	}
	call = NULL;
	if (ready_prepare(s, &readyw) == -1)
		call = s->ready.mode == READY_NOTIFY ? "notify socket" : "pipe";
	else if (s->cfg->fcgi.socket == NULL && svc_stdin_open(s, &inr) == -1)
		call = "stdin pipe";
	else if (pipe2(rep, O_CLOEXEC) == -1)
		call = "pipe";
	else if (svclog_writers(s, &outfd, &errfd) == -1) {
		close(rep[0]);
		close(rep[1]);
		call = "log pipe";
	}
	if (call != NULL) {
		snprintf(why, whylen, "spawn error: %s: %s", call,
		    strerror(errno));
		if (devnull != -1)
			close(devnull);
		if (readyw != -1)
			close(readyw);
		if (inr != -1)
			close(inr);
		svc_stdin_close(s);
		ready_stop(s);
		return (-1);
	}
	r.outfd = outfd != -1 ? outfd : devnull;
	r.errfd = s->cfg->redirect_stderr ? r.outfd :
	    errfd != -1 ? errfd : devnull;
	r.infd = inr;
	r.ready_fd = s->ready.fd;
	if (s->socks != NULL && s->socks->fcgi)
		r.infd = s->socks->fds[0];	/* the pool's, not a pipe */
	else if (s->socks != NULL) {
		r.listen_fds = s->socks->fds;
		r.nlisten = s->socks->n;
	}
	if (s->cg_killed && cg_renew(s->cgroup) == 0)
		s->cg_killed = 0;
	env = svc_env(s);
	r.envp = env;
	if ((pid = cg_fork(s->cgroup, s->cg_killed)) == 0) {
		close(rep[0]);
		spawn_exec(&r, rep[1], readyw);
	}
	saved = errno;
	for (e = env; *e != NULL; e++)
		free(*e);
	free(env);
	close(rep[1]);
	close(inr);
	if (readyw != -1)
		close(readyw);
	if (devnull != -1)
		close(devnull);
	svclog_writers_close(outfd, errfd);
	if (pid == -1) {
		close(rep[0]);
		svc_stdin_close(s);
		ready_stop(s);
		snprintf(why, whylen, "spawn error: fork: %s",
		    strerror(saved));
		return (-1);
	}
	s->pid = s->pgid = s->sid = pid; /* setsid: it leads both */
	s->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	(void)fcntl(rep[0], F_SETFL, O_NONBLOCK);
	s->repfd = rep[0];
	if (loop_add(s->sup->loop, rep[0], EPOLLIN, svc_report_cb, s) == -1) {
		close(rep[0]);
		s->repfd = -1;
	}
	return (pid);
}

/* Send sig to the service: its whole group, or the process by pidfd. */
int
svc_signal(struct svc *s, int sig, int group)
{
	if (s->pid <= 0)
		return (-1);
	if (group && kill(-s->pid, sig) == 0)
		return (0);
	if (s->pidfd != -1)
		return ((int)syscall(SYS_pidfd_send_signal, s->pidfd, sig,
		    NULL, 0));
	return (kill(s->pid, sig));
}

/* Signal what is left of the service: its cgroup, or else its group. */
void
svc_signal_rest(struct svc *s, int sig)
{
	if (cg_signal(s->cgroup, sig) == -1) {
		if (s->pgid > 0)
			(void)kill(-s->pgid, sig);
	} else if (sig == SIGKILL)
		s->cg_killed = 1;
}

static void
svc_sweep_cb(void *arg)
{
	struct svc	*s = arg;

	s->sweep = NULL;
	svc_kill_rest(s);
}

/*
 * The main process exited on its own: what it leaves behind (workers,
 * a helper holding its port) belongs to a dead instance.  It gets the
 * stop signal now and SIGKILL after stopwaitsecs, or at the next spawn,
 * or at shutdown, whichever comes first.
 */
void
svc_sweep(struct svc *s)
{
	if (!s->cfg->killasgroup || !svc_leftovers(s))
		return;
	s->rest = 1;
	log_info("%s: processes left by the exited instance: signal %s",
	    s->cfg->name, wd_sig_name(s->cfg->stopsignal) ?
	    wd_sig_name(s->cfg->stopsignal) : "stop");
	svc_signal_rest(s, s->cfg->stopsignal);
	if (s->cfg->stopsignal != SIGCONT && s->cfg->stopsignal != SIGKILL)
		svc_signal_rest(s, SIGCONT);
	loop_timer_del(s->sup->loop, s->sweep);
	s->sweep = loop_timer(s->sup->loop, s->cfg->stopwaitsecs,
	    svc_sweep_cb, s);
}

/* SIGKILL to what is left of a dead instance, if anything is. */
void
svc_kill_rest(struct svc *s)
{
	loop_timer_del(s->sup->loop, s->sweep);
	s->sweep = NULL;
	if (!s->rest || s->pid > 0 || !svc_leftovers(s))
		return;
	log_info("%s: processes left by the exited instance: SIGKILL",
	    s->cfg->name);
	svc_signal_rest(s, SIGKILL);
}

/* Is anything of the service left: its cgroup, or else its group? */
int
svc_leftovers(struct svc *s)
{
	int	n;

	if (!s->cfg->killasgroup)
		return (0);
	if ((n = cg_populated(s->cgroup)) != -1)
		return (n);
	return (s->pgid > 0 && kill(-s->pgid, 0) == 0);
}

/* The process was reaped with status. */
void
svc_exited(struct svc *s, int status)
{
	char	st[64];

	s->status = status;
	s->has_status = 1;
	s->laststop = time(NULL);
	s->pid = 0;
	ready_unwatch(s);
	/* The exit may come before its setup report: read that first. */
	if (s->repfd != -1)
		svc_report_cb(s->repfd, 0, s);
	svclog_drain(s);	/* its last words before what comes next */
	svc_stdin_close(s);
	if (s->pidfd != -1) {
		close(s->pidfd);
		s->pidfd = -1;
	}
	log_info("%s: %s", s->cfg->name, spawn_status_str(status, st,
	    sizeof st));
	svc_event(s, EV_EXIT);
}
