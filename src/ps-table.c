/*
 * The table warden ps draws, read from /proc: every process's session,
 * group, terminal and that terminal's foreground group
 * (/proc/PID/stat), uids (/proc/PID/status) and command line
 * (/proc/PID/cmdline).  A process that vanishes while it is read is left
 * out; an entry that cannot be read never stops the listing.
 *
 * A process is marked as a daemon when it has no controlling terminal, is
 * not a session leader (so it can never acquire one), and its parent is
 * pid 1, or lives in another session (a subreaper or supervisor adopted
 * it), or is itself a daemon (a monitor, a master process).  A process
 * whose parent is the leader of its session (the intermediate of a double
 * fork that has not exited, a shell) is not one.  warden inspect's
 * "parent" check applies the same rule.
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <dirent.h>
#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "warden.h"
#include "ps.h"

#define PS_PF_KTHREAD	0x00200000	/* PF_KTHREAD in stat's flags */
#define PS_CMDLINE_MAX	(2 * 1024 * 1024) /* ARG_MAX-sized; longer is cut */

/*
 * The whole of /proc/PID/cmdline, arguments joined by spaces.  The
 * trailing NULs a program leaves after rewriting its title are dropped.
 * NULL when the process is gone or has none (kernel thread, zombie).
 */
static char *
ps_cmdline(pid_t pid, size_t *lenp)
{
	char	*buf = NULL;
	size_t	 size, i;
	ssize_t	 n;

	for (size = 4096;; size *= 2) {
		buf = xreallocarray(buf, size, 1);
		if ((n = wd_proc_cmdline(pid, buf, size)) <= 0) {
			free(buf);
			return (NULL);
		}
		if ((size_t)n < size - 1 || size >= PS_CMDLINE_MAX)
			break;
	}
	while (n > 0 && buf[n - 1] == '\0')
		n--;
	if (n == 0) {
		free(buf);
		return (NULL);
	}
	for (i = 0; i < (size_t)n; i++)
		if (buf[i] == '\0')
			buf[i] = ' ';
	buf[n] = '\0';
	*lenp = (size_t)n;
	return (buf);
}

/*
 * Read one process.  Returns -1 when it is gone or its stat cannot be
 * read; the uids fall back to the owner of /proc/PID (the effective uid)
 * and the command line to "[comm]".
 */
static int
ps_read(pid_t pid, struct ps_proc *p)
{
	struct wd_proc_stat	 st;
	struct wd_proc_status	 ss;
	struct stat		 sb;
	char			 path[64];

	if (wd_proc_stat(pid, &st) == -1)
		return (-1);
	memset(p, 0, sizeof *p);
	p->pid = pid;
	p->ppid = st.ppid;
	p->pgrp = st.pgrp;
	p->sid = st.session;
	p->tty_nr = st.tty_nr;
	p->tpgid = st.tpgid;
	p->state = st.state;
	memcpy(p->comm, st.comm, sizeof p->comm);
	if (st.flags & PS_PF_KTHREAD)
		p->flags |= PS_F_KTHREAD;
	if (wd_proc_status(pid, &ss) == 0) {
		p->ruid = ss.uid[0];
		p->euid = ss.uid[1];
	} else {
		if (errno == ENOENT || errno == ESRCH)
			return (-1);
		snprintf(path, sizeof path, "/proc/%ld", (long)pid);
		if (stat(path, &sb) == -1)
			return (-1);
		p->ruid = p->euid = sb.st_uid;
	}
	if ((p->cmd = ps_cmdline(pid, &p->cmdlen)) == NULL) {
		xasprintf(&p->cmd, "[%s]", p->comm);
		p->cmdlen = strlen(p->cmd);
	}
	return (0);
}

/* Add pid to the table unless it is gone already. */
static void
ps_add(struct ps_table *t, pid_t pid)
{
	if (t->nprocs == t->size) {
		t->size = t->size ? t->size * 2 : 256;
		t->procs = xreallocarray(t->procs, t->size, sizeof *t->procs);
	}
	if (ps_read(pid, &t->procs[t->nprocs]) == 0)
		t->nprocs++;
}

/* Read every process in /proc. */
void
ps_scan(struct ps_table *t)
{
	DIR		*d;
	struct dirent	*de;
	unsigned long	 pid;

	if ((d = opendir("/proc")) == NULL)
		err(1, "ps: /proc");
	while ((de = readdir(d)) != NULL) {
		if (parse_uint(de->d_name, PS_PID_MAX, &pid) == -1 || pid == 0)
			continue;
		ps_add(t, (pid_t)pid);
	}
	closedir(d);
}

/* Order by session, then group, then pid. */
static int
ps_cmp(const void *a, const void *b)
{
	const struct ps_proc	*p = a, *q = b;

	if (p->sid != q->sid)
		return (p->sid < q->sid ? -1 : 1);
	if (p->pgrp != q->pgrp)
		return (p->pgrp < q->pgrp ? -1 : 1);
	if (p->pid != q->pid)
		return (p->pid < q->pid ? -1 : 1);
	return (0);
}

static int
ps_cmp_key(const void *key, const void *elem)
{
	pid_t			 pid = *(const pid_t *)key;
	const struct ps_proc	*p = elem;

	return (pid < p->pid ? -1 : pid > p->pid);
}

/* Find pid in a table sorted by pid. */
static struct ps_proc *
ps_find(struct ps_proc *byid, size_t n, pid_t pid)
{
	return (bsearch(&pid, byid, n, sizeof *byid, ps_cmp_key));
}

static int
ps_cmp_byid(const void *a, const void *b)
{
	return (ps_cmp_key(&((const struct ps_proc *)a)->pid, b));
}

/*
 * Is p a daemon (the rule at the top of the file)?  Its parent may be one
 * in its own session, the workers of a master process or the child of a
 * monitor: then the walk goes up until it leaves the session.
 */
static int
ps_is_daemon(struct ps_proc *byid, size_t n, const struct ps_proc *p)
{
	const struct ps_proc	*parent;
	int			 steps;

	for (steps = 0; steps < 4096; steps++) {
		if (p->tty_nr != 0 || p->pid == p->sid || p->ppid <= 0 ||
		    (p->flags & PS_F_KTHREAD))
			return (0);
		if (p->ppid == 1)
			return (1);
		if ((parent = ps_find(byid, n, p->ppid)) == NULL)
			return (0);
		if (parent->sid != p->sid)
			return (1);
		p = parent;
	}
	return (0);
}

/*
 * Set the leader and daemon marks.  byid is a copy of the table sorted by
 * pid, to find each parent.
 */
static void
ps_mark(struct ps_table *t)
{
	struct ps_proc	*byid, *p;
	size_t		 i;

	byid = xreallocarray(NULL, t->nprocs ? t->nprocs : 1, sizeof *byid);
	memcpy(byid, t->procs, t->nprocs * sizeof *byid);
	qsort(byid, t->nprocs, sizeof *byid, ps_cmp_byid);
	for (i = 0; i < t->nprocs; i++) {
		p = &t->procs[i];
		if (p->pid == p->sid)
			p->flags |= PS_F_SLEADER;
		else if (p->pid == p->pgrp)
			p->flags |= PS_F_GLEADER;
		if (ps_is_daemon(byid, t->nprocs, p))
			p->flags |= PS_F_DAEMON;
	}
	free(byid);
}

/* Is process p listed: kernel threads only when named. */
static int
ps_listed(const struct ps_proc *p)
{
	return (!(p->flags & PS_F_KTHREAD) || (p->flags & PS_F_NAMED));
}

/*
 * Keep the sessions to show: those in sids (the sessions of the pids named
 * on the command line) when sids is not NULL; else those in which a
 * listed process belongs to the user (real or effective uid), or all.
 * The table is sorted by session; the rest of it is dropped.
 */
static void
ps_select(struct ps_table *t, const pid_t *sids, size_t nsids, int all)
{
	struct ps_proc	*p;
	size_t		 i, j, k, end, n = 0;
	uid_t		 me = getuid();
	int		 show;

	for (i = 0; i < t->nprocs; i = end) {
		show = sids == NULL && all;
		for (k = 0; k < nsids; k++)
			if (sids[k] == t->procs[i].sid)
				show = 1;
		for (end = i; end < t->nprocs &&
		    t->procs[end].sid == t->procs[i].sid; end++) {
			p = &t->procs[end];
			if (sids == NULL && ps_listed(p) &&
			    (p->ruid == me || p->euid == me))
				show = 1;
		}
		for (j = i; j < end; j++) {
			if (show && ps_listed(&t->procs[j]))
				t->procs[n++] = t->procs[j];
			else
				free(t->procs[j].cmd);
		}
	}
	t->nprocs = n;
}

/* The table scanned: sorted, marked, and only what is shown left. */
void
ps_prepare(struct ps_table *t, const pid_t *sids, size_t nsids, int all)
{
	qsort(t->procs, t->nprocs, sizeof *t->procs, ps_cmp);
	ps_mark(t);
	ps_select(t, sids, nsids, all);
}

/* The table's memory, freed. */
void
ps_free(struct ps_table *t)
{
	size_t	i;

	for (i = 0; i < t->nprocs; i++)
		free(t->procs[i].cmd);
	free(t->procs);
}
