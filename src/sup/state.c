/*
 * What survives the supervisor: the state file, adoption, and "warden
 * reexec".  With the fd holder (hold.c) keeping every pipe and socket a
 * service depends on, a supervisor that dies (SIGKILL, OOM, a bug) or
 * execs itself takes nothing with it, and the next one on the same
 * config goes on where it stopped.
 *
 * The state file, beside the pidfile ("NAME.state" for "NAME.pid"), is
 * written whole into a temporary file and renamed over the old one, at
 * most once per turn of the loop, when something changed (state_dirty,
 * from sup_changed).  One record a line, each field a word; a string
 * field has every byte outside [A-Za-z0-9._:@/+-] as %XX, so that no
 * service-controlled or config-given string can cut a record or add one
 * (the reexec state injection of systemd's CVE-2018-15686).
 *
 *   warden-state 1
 *   boot BOOT-ID		records of another boot are worth nothing
 *   cgroup DIR | -		the service cgroups' directory (cgroup.c)
 *   notify NAME | -		the notify socket's name (NOTIFY_SOCKET)
 *   holder PID
 *   svc GROUP:NAME STATE PID START PGID SID STARTED SINCE LASTSTOP
 *       RESTARTS BACKOFF CRASHES FLAGS READY STATUS OUT ERR HOUT HERR
 *
 * START is /proc/PID/stat's starttime, so that a pid is only ever taken
 * for the process it was (as "warden stop --pidfile" checks it); STARTED
 * the monotonic start, so that uptime goes on; OUT and ERR the bytes
 * ever written to each stream's target, the log positions; HOUT and HERR
 * what the supervisor had read from each pipe but not written yet (a
 * full disk's held output, a partial line): memory that dies with it,
 * and that the next one reports as lost.
 *
 * Adoption (state_init, then state_adopt once the services exist): the
 * pidfile's lock is ours, so the supervisor that wrote the file is gone.
 * Its cgroup directory is taken over (cg_prefer), the holder hands the
 * fds back, and each recorded process that is still the same process,
 * in the service's cgroup, with every stream it writes to held, is
 * adopted: same pid, state, restarts and uptime, watched by pidfd when
 * it is not our child.  One that died meanwhile is reported and its
 * autorestart applied.  Whatever else runs in a service's cgroup (a
 * start under way, a process we cannot vouch for) is killed, and the
 * service's next start waits until it is gone: never two instances.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sup.h"
#include "logs.h"

#define STATE_VERSION	1

/* Record FLAGS bits. */
#define ST_HAS_STATUS	0x1
#define ST_DUE		0x2	/* EXITED or BACKOFF with its timer set */
#define ST_RESTART	0x4	/* s->restart */

/* One service as the state file recorded it. */
struct state_rec {
	char			*key;		/* GROUP:NAME */
	int			 state;
	pid_t			 pid, pgid, sid;
	unsigned long long	 start;
	double			 started;
	long long		 since, laststop;
	unsigned long		 restarts;
	int			 backoff, crashes, flags, ready, status;
	unsigned long long	 written[2], held[2];
};

static struct {
	char		*path;		/* the state file, or NULL: none */
	char		*holdpath;	/* the holder's socket */
	struct timer	*timer;		/* the write of this turn */
	struct state_rec *v;
	size_t		 n;
	pid_t		 holder;
	int		 keep[3];	/* pidfile, control socket, log: reexec */
} st = { NULL, NULL, NULL, NULL, 0, 0, { -1, -1, -1 } };

/* The fds warden up keeps across "warden reexec". */
void
state_keep(int pidfd, int ctlfd, int logfd)
{
	st.keep[0] = pidfd;
	st.keep[1] = ctlfd;
	st.keep[2] = logfd;
}

/*
 * After "warden reexec": the fds the last self kept, from the variable
 * it set; 0, or -1 when there is no such variable (a plain start).
 */
int
state_reexec_fds(const char *v, int *pidfd, int *ctlfd, int *logfd)
{
	if (v == NULL || sscanf(v, "%d,%d,%d", pidfd, ctlfd, logfd) != 3 ||
	    *pidfd < 0 || *ctlfd < 0)
		return (-1);
	return (0);
}

/* s with every byte outside the safe set as %XX. */
static void
state_put(FILE *fp, const char *s)
{
	const char	*safe = "._:@/+-";

	if (s == NULL || *s == '\0') {
		fputc('-', fp);
		return;
	}
	for (; *s != '\0'; s++)
		if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || strchr(safe, *s) != NULL)
			fputc(*s, fp);
		else
			fprintf(fp, "%%%02X", (unsigned char)*s);
}

/* A word of the file, %XX decoded in place; NULL for "-". */
static char *
state_get(char *w)
{
	char	*p = w, *q = w;
	int	 hi, lo;

	if (strcmp(w, "-") == 0)
		return (NULL);
	while (*p != '\0') {
		if (*p == '%' && p[1] != '\0' && p[2] != '\0' &&
		    sscanf(p + 1, "%1x%1x", &hi, &lo) == 2) {
			*q++ = (char)(hi * 16 + lo);
			p += 3;
		} else
			*q++ = *p++;
	}
	*q = '\0';
	return (w);
}

/* One "svc" line's fields after the word "svc"; 0 when it reads. */
static int
state_parse_svc(char *line, struct state_rec *r)
{
	char	key[1024];
	int	pid, pgid, sid;

	memset(r, 0, sizeof *r);
	if (sscanf(line, "%1023s %d %d %llu %d %d %lf %lld %lld %lu %d %d "
	    "%d %d %d %llu %llu %llu %llu", key, &r->state, &pid, &r->start,
	    &pgid, &sid, &r->started, &r->since, &r->laststop, &r->restarts,
	    &r->backoff, &r->crashes, &r->flags, &r->ready, &r->status,
	    &r->written[0], &r->written[1], &r->held[0], &r->held[1]) != 19 ||
	    r->state < SVC_STOPPED || r->state > SVC_FATAL || pid < 0)
		return (-1);
	r->pid = pid;
	r->pgid = pgid;
	r->sid = sid;
	r->key = xstrdup(state_get(key) != NULL ? key : "");
	return (0);
}

static int
state_rec_cmp(const void *a, const void *b)
{
	return (strcmp(((const struct state_rec *)a)->key,
	    ((const struct state_rec *)b)->key));
}

/* Read the state file of a supervisor before us; nothing if none. */
static void
state_read(struct sup *sup)
{
	FILE		*fp;
	char		 line[4096], boot[64], word[64], *v, *arg;
	size_t		 cap = 0;
	int		 ok = 0;

	if ((fp = fopen(st.path, "re")) == NULL)
		return;
	cg_boot_id(boot, sizeof boot);
	while (fgets(line, sizeof line, fp) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		if (sscanf(line, "%63s", word) != 1)
			continue;
		arg = line + strlen(word) + (line[strlen(word)] != '\0');
		if (strcmp(word, "warden-state") == 0)
			ok = atoi(arg) == STATE_VERSION;
		else if (!ok)
			break;
		else if (strcmp(word, "boot") == 0 && strcmp(arg, boot) != 0) {
			log_info("%s: from another boot: ignored", st.path);
			ok = 0;
			break;
		} else if (strcmp(word, "cgroup") == 0 &&
		    (v = state_get(arg)) != NULL)
			cg_prefer(v);
		else if (strcmp(word, "notify") == 0 &&
		    (v = state_get(arg)) != NULL &&
		    strlen(v) < sizeof sup->notify_name)
			strcpy(sup->notify_name, v);
		else if (strcmp(word, "holder") == 0)
			st.holder = (pid_t)atoi(arg);
		else if (strcmp(word, "svc") == 0) {
			if (st.n == cap) {
				cap = cap ? cap * 2 : 16;
				st.v = xreallocarray(st.v, cap, sizeof *st.v);
			}
			if (state_parse_svc(arg, &st.v[st.n]) == 0)
				st.n++;
		}
	}
	fclose(fp);
	if (!ok) {
		cg_prefer(NULL);
		sup->notify_name[0] = '\0';
		while (st.n > 0)
			free(st.v[--st.n].key);
	}
	qsort(st.v, st.n, sizeof *st.v, state_rec_cmp);
}

/* path with its ".pid" ending (if any) replaced by ext. */
static char *
state_beside(const char *pidfile, const char *ext)
{
	size_t	 n = strlen(pidfile);
	char	*p;

	if (n > 4 && strcmp(pidfile + n - 4, ".pid") == 0)
		n -= 4;
	xasprintf(&p, "%.*s%s", (int)n, pidfile, ext);
	return (p);
}

/*
 * Before the services exist: read what a supervisor before us left
 * (its cgroup directory is taken over by cg_init), and get the holder's
 * fds back, or start a holder.
 */
void
state_init(struct sup *sup)
{
	st.path = state_beside(sup->cfg->pidfile, ".state");
	st.holdpath = state_beside(sup->cfg->pidfile, ".hold");
	state_read(sup);
	if (hold_init(st.holdpath, st.holder) == 1)
		log_info("fd holder: took back what it held");
}

/* A timer of the state machine's, put there by adoption: its event. */
static void
state_timer_cb(void *arg)
{
	struct svc	*s = arg;

	s->timer = NULL;
	svc_event(s, EV_TIMER);
}

/* startsecs, counted from the recorded start, elapsed: ready. */
static void
state_ready_cb(void *arg)
{
	struct svc	*s = arg;

	s->timer = NULL;
	svc_event(s, EV_READY);
}

/* Arm the service's one timer for secs from now (at least 0). */
static void
state_timer(struct svc *s, double secs, timer_cb cb)
{
	if (secs < 0)
		secs = 0;
	loop_timer_del(s->sup->loop, s->timer);
	s->timer = loop_timer(s->sup->loop, secs, cb, s);
	s->deadline = mono_now() + secs;
}

/*
 * Is the recorded process still the one it was, and the service's?  1
 * alive, 0 gone (*status its exit status when it was our zombie).
 */
static int
state_alive(struct svc *s, const struct state_rec *r, int *status)
{
	struct wd_proc_stat	ps;
	char			cg[PATH_MAX];

	*status = -1;
	if (r->pid <= 1 || r->pid == getpid() ||
	    wd_proc_stat(r->pid, &ps) == -1 || ps.starttime != r->start)
		return (0);
	if (ps.state == 'Z') {
		if (waitpid(r->pid, status, WNOHANG) != r->pid)
			*status = -1;
		return (0);
	}
	if (s->cgroup != NULL && cg_of(r->pid, cg, sizeof cg) == 0 &&
	    !cg_has(s->cgroup, cg))
		return (0);
	return (1);
}

/* Did every stream the service writes to come back from the holder? */
static int
state_streams_held(struct svc *s)
{
	struct svclog	*ls[2] = { s->out, s->err };
	char		 key[512];
	int		 i;

	for (i = 0; i < 2; i++) {
		if (ls[i] == NULL)
			continue;
		hold_key(key, sizeof key, s, svclog_name(ls[i]));
		if (!hold_claimed(key))
			return (0);
	}
	return (1);
}

/*
 * Kill whatever runs of the service (its cgroup; or else the recorded
 * process and its group, known to be that process), and make its next
 * start wait until it is gone.
 */
static void
state_kill(struct svc *s, const struct state_rec *r, int alive)
{
	int	n;

	if (s->cgroup != NULL && (n = cg_populated(s->cgroup)) != -1) {
		if (n == 0)
			return;
		log_warnx("%s: not adoptable: its processes are killed",
		    s->cfg->name);
		svc_signal_rest(s, SIGKILL);
	} else if (alive) {
		log_warnx("%s: not adoptable: pid %ld is killed",
		    s->cfg->name, (long)r->pid);
		if (r->pgid == r->pid)
			(void)kill(-r->pgid, SIGKILL);
		(void)kill(r->pid, SIGKILL);
		s->pgid = r->pgid;
	} else
		return;
	s->rest = 1;
}

/* Adopt the live, verified process r recorded, in state r->state. */
static int
state_take(struct svc *s, const struct state_rec *r)
{
	double	ran = mono_now() - r->started;

	if (ready_adopt(s, r->pid) == -1)
		return (-1);
	s->sid = r->sid;
	s->started = r->started;
	s->state = (enum svc_state)r->state;
	if (s->state == SVC_RUNNING) {
		s->wdog_sec = s->cfg->watchdog_sec;
		ready_wdog_arm(s, s->wdog_sec);
	} else if (s->ready.mode == READY_STARTSECS)
		state_timer(s, s->cfg->startsecs - ran, state_ready_cb);
	else {
		/* ready_timeout, from the recorded start: maybe passed. */
		if (s->cfg->ready_timeout > 0)
			state_timer(s, s->cfg->ready_timeout - ran,
			    state_timer_cb);
		ready_start(s);
	}
	log_info("%s: adopted %s, pid %ld", s->cfg->name,
	    svc_state_names[s->state], (long)s->pid);
	return (0);
}

/*
 * Can a process in the recorded state be adopted as it is?  RUNNING;
 * STARTING when readiness is a timer, a notify message or a probe (an
 * fd:N pipe or a pidfile launcher is not ours to take back).
 */
static int
state_adoptable(struct svc *s, const struct state_rec *r)
{
	if (r->state == SVC_RUNNING)
		return (1);
	if (r->state != SVC_STARTING || r->ready != (int)s->ready.mode)
		return (0);
	return (s->ready.mode == READY_STARTSECS ||
	    s->ready.mode == READY_NOTIFY || s->ready.mode == READY_TCP);
}

/* The log positions, and what the last supervisor lost of the output. */
static void
state_logs(struct svc *s, const struct state_rec *r)
{
	struct svclog	*ls[2] = { s->out, s->err };
	int		 i;

	for (i = 0; i < 2; i++) {
		if (ls[i] == NULL)
			continue;
		ls[i]->written = r->written[i];
		if (r->held[i] > 0)
			log_warnx("%s: %s: %llu bytes the last supervisor had "
			    "read but not written are lost", s->cfg->name,
			    svclog_name(ls[i]), r->held[i]);
	}
}

/* Bytes read from the stream's pipe and not written yet. */
static unsigned long long
state_unwritten(const struct svclog *l)
{
	if (l == NULL)
		return (0);
	return (l->heldlen - l->heldoff + l->pendlen + l->carrylen);
}

/* One service and what the file says of it; 1 when a start is due. */
static int
state_adopt_one(struct svc *s, const struct state_rec *r)
{
	int	status, alive;

	s->restarts = r->restarts;
	s->backoff = r->backoff;
	s->crashes = r->crashes;
	s->since = (time_t)r->since;
	s->laststop = (time_t)r->laststop;
	s->has_status = (r->flags & ST_HAS_STATUS) != 0;
	s->status = r->status;
	state_logs(s, r);
	alive = state_alive(s, r, &status);
	if (alive && state_adoptable(s, r) && state_streams_held(s) &&
	    state_take(s, r) == 0)
		return (0);
	state_kill(s, r, alive);
	if (!alive && (r->state == SVC_RUNNING || r->state == SVC_STARTING)) {
		/* Reported, and its autorestart (or backoff) applies. */
		log_warnx("%s: pid %ld died while no supervisor watched it",
		    s->cfg->name, (long)r->pid);
		s->state = (enum svc_state)r->state;
		s->pid = r->pid;
		s->started = r->started;
		svc_exited(s, status);
		return (0);
	}
	switch (r->state) {
	case SVC_BACKOFF:
	case SVC_EXITED:
		s->state = (enum svc_state)r->state;
		if (r->state == SVC_BACKOFF || (r->flags & ST_DUE))
			state_timer(s, 0, state_timer_cb);
		return (0);
	case SVC_FATAL:
	case SVC_STOPPED:
		s->state = (enum svc_state)r->state;
		return (0);
	case SVC_STOPPING:
		s->has_status = 1;
		return ((r->flags & ST_RESTART) != 0);
	default:
		/* A start or run we could not take back: a fresh start. */
		s->has_status = 0;
		return (1);
	}
}

/*
 * Once the services exist: adopt what the file recorded, kill what runs
 * unrecorded, let the holder forget what no service claimed.
 */
void
state_adopt(struct sup *sup)
{
	struct state_rec	 k, *r;
	struct svc		*s, **start;
	char			 key[1024];
	size_t			 n = 0, i;

	if (st.path == NULL)
		return;
	if (ready_notify_held(sup) == 1)
		log_info("notify socket %s: taken back", sup->notify_name);
	start = xcalloc(st.n + 1, sizeof *start);
	TAILQ_FOREACH(s, &sup->svcs, entry) {
		snprintf(key, sizeof key, "%s:%s", s->cfg->group,
		    s->cfg->name);
		k.key = key;
		r = st.n > 0 ? bsearch(&k, st.v, st.n, sizeof *st.v,
		    state_rec_cmp) : NULL;
		if (r == NULL) {
			state_kill(s, NULL, 0);
			continue;
		}
		if (state_adopt_one(s, r) && n < st.n)
			start[n++] = s;
	}
	hold_claim_end();
	for (i = 0; i < n; i++)
		svc_event(start[i], EV_START);
	free(start);
	for (i = 0; i < st.n; i++)
		free(st.v[i].key);
	free(st.v);
	st.v = NULL;
	st.n = 0;
	state_dirty(sup);
}

/* The write of this turn. */
static void
state_write_cb(void *arg)
{
	struct sup	*sup = arg;

	st.timer = NULL;
	(void)state_write(sup);
}

/* Something changed: the file is written at the next turn of the loop. */
void
state_dirty(struct sup *sup)
{
	if (st.path == NULL || st.timer != NULL || sup->loop == NULL)
		return;
	st.timer = loop_timer(sup->loop, 0, state_write_cb, sup);
}

/* One service's record. */
static void
state_put_svc(FILE *fp, struct svc *s)
{
	struct wd_proc_stat	ps;
	int			flags = 0;

	if (s->pid <= 0 || wd_proc_stat(s->pid, &ps) == -1)
		ps.starttime = 0;
	if (s->has_status)
		flags |= ST_HAS_STATUS;
	if (s->timer != NULL &&
	    (s->state == SVC_EXITED || s->state == SVC_BACKOFF))
		flags |= ST_DUE;
	if (s->restart)
		flags |= ST_RESTART;
	fputs("svc ", fp);
	state_put(fp, s->cfg->group);
	fputc(':', fp);
	state_put(fp, s->cfg->name);
	fprintf(fp, " %d %ld %llu %ld %ld %.6f %lld %lld %lu %d %d %d %d %d "
	    "%llu %llu %llu %llu\n", (int)s->state, (long)s->pid, ps.starttime,
	    (long)s->pgid, (long)s->sid, s->started, (long long)s->since,
	    (long long)s->laststop, s->restarts, s->backoff, s->crashes,
	    flags, (int)s->ready.mode, s->status, (unsigned long long)
	    (s->out != NULL ? s->out->written : 0), (unsigned long long)
	    (s->err != NULL ? s->err->written : 0), state_unwritten(s->out),
	    state_unwritten(s->err));
}

/* Write the whole file again, atomically; 0, or -1 (logged). */
int
state_write(struct sup *sup)
{
	struct svc	*s;
	FILE		*fp;
	char		*tmp, boot[64];
	int		 fd, rv;

	if (st.path == NULL)
		return (0);
	xasprintf(&tmp, "%s.tmp", st.path);
	if ((fd = open(tmp, O_WRONLY|O_CREAT|O_TRUNC|O_NOFOLLOW|O_CLOEXEC,
	    0600)) == -1 || (fp = fdopen(fd, "w")) == NULL) {
		log_warn("%s", tmp);
		if (fd != -1)
			close(fd);
		free(tmp);
		return (-1);
	}
	cg_boot_id(boot, sizeof boot);
	fprintf(fp, "warden-state %d\nboot ", STATE_VERSION);
	state_put(fp, boot);
	fputs("\ncgroup ", fp);
	state_put(fp, cg_dir());
	fputs("\nnotify ", fp);
	state_put(fp, sup->notifyfd != -1 ? sup->notify_name : NULL);
	fprintf(fp, "\nholder %ld\n", (long)hold_holder());
	TAILQ_FOREACH(s, &sup->svcs, entry)
		if (!s->removed)
			state_put_svc(fp, s);
	rv = fflush(fp) == 0 && !ferror(fp) ? 0 : -1;
	if (fclose(fp) != 0)
		rv = -1;
	if (rv == 0 && rename(tmp, st.path) == -1)
		rv = -1;
	if (rv == -1) {
		log_warn("%s: state not saved", st.path);
		(void)unlink(tmp);
	}
	free(tmp);
	return (rv);
}

/* "NAME: stdout log held: ...": output only memory holds, or NULL. */
static const char *
state_held(struct sup *sup)
{
	static char	 buf[512];
	struct svc	*s;
	const char	*p;

	TAILQ_FOREACH(s, &sup->svcs, entry)
		if ((p = svclog_problem(s)) != NULL) {
			snprintf(buf, sizeof buf, "%s: %s", s->cfg->name, p);
			return (buf);
		}
	return (NULL);
}

/* FD_CLOEXEC on (or off) fd. */
static void
state_cloexec(int fd, int on)
{
	int	fl;

	if (fd < 0 || (fl = fcntl(fd, F_GETFD)) == -1)
		return;
	(void)fcntl(fd, F_SETFD, on ? fl | FD_CLOEXEC : fl & ~FD_CLOEXEC);
}

/*
 * "warden reexec": save the state, keep the pidfile (and its lock), the
 * listening control socket (clients queue in its backlog meanwhile) and
 * the log across an exec of the binary at its path, as "warden up" on
 * the same config with WARDEN_REEXEC naming those fds.  What else the
 * services depend on, the holder keeps; the new self adopts the services
 * as after a crash, but they are still its children.  -1 with *cause
 * when it cannot, the supervisor going on as it was.
 */
int
state_reexec(struct sup *sup, char **cause)
{
	char		 exe[PATH_MAX], env[64], *argv[6];
	const char	*p;
	ssize_t		 n;
	int		 i, argc = 0;

	if (st.path == NULL || !hold_is_on()) {
		xasprintf(cause, "reexec: no fd holder");
		return (-1);
	}
	if ((p = state_held(sup)) != NULL) {
		xasprintf(cause, "reexec refused: %s", p);
		return (-1);
	}
	if (state_write(sup) == -1) {
		xasprintf(cause, "reexec: %s: state not saved", st.path);
		return (-1);
	}
	if ((n = readlink("/proc/self/exe", exe, sizeof exe - 1)) <= 0)
		n = 0;
	exe[n] = '\0';
	if (n > 10 && strcmp(exe + n - 10, " (deleted)") == 0)
		exe[n - 10] = '\0';	/* replaced: the new one at its path */
	snprintf(env, sizeof env, "%d,%d,%d", st.keep[0], st.keep[1],
	    st.keep[2]);
	argv[argc++] = (char *)"warden";
	argv[argc++] = (char *)"up";
	argv[argc++] = (char *)"-c";
	argv[argc++] = sup->cfg->path;
	if (sup->foreground)
		argv[argc++] = (char *)"-F";
	argv[argc] = NULL;
	log_info("reexec: %s", exe);
	for (i = 0; i < 3; i++)
		state_cloexec(st.keep[i], 0);
	setenv("WARDEN_REEXEC", env, 1);
	if (exe[0] != '\0')
		execv(exe, argv);
	execv("/proc/self/exe", argv);
	xasprintf(cause, "reexec: %s: %s", exe, strerror(errno));
	unsetenv("WARDEN_REEXEC");
	for (i = 0; i < 3; i++)
		state_cloexec(st.keep[i], 1);
	return (-1);
}

/* The supervisor leaves; after a clean shutdown nothing is left to adopt. */
void
state_fini(struct sup *sup, int clean)
{
	(void)sup;
	if (st.path == NULL)
		return;
	loop_timer_del(sup->loop, st.timer);
	st.timer = NULL;
	hold_fini(st.holdpath, clean);
	if (clean)
		(void)unlink(st.path);
	free(st.path);
	free(st.holdpath);
	st.path = st.holdpath = NULL;
}
