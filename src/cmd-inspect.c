/*
 * warden inspect PID: audit a running process against the daemon
 * checklist of DESIGN.md, from the outside, through /proc.
 *
 * Each check has a stable name, a verdict and its evidence:
 *
 *	not-session-leader	pid != session id: it can never acquire a
 *				controlling terminal (item 4)
 *	no-controlling-tty	tty_nr 0 in stat (item 4)
 *	parent			ppid 1, or a parent in another session (a
 *				subreaper, a supervisor), or a parent that is
 *				a daemon itself (a monitor); the rule of
 *				warden ps's [daemon] mark.  A parent that
 *				leads the session fails: a shell's child, or
 *				a double fork whose middle process has not
 *				exited (item 4)
 *	signal-mask		SigBlk 0, or only signals read from a
 *				signalfd the process holds (item 2)
 *	ignored-signals		SigIgn 0 (item 2)
 *	umask			informational, always ok (item 5: 022 for
 *				commands, 0 for the library)
 *	cwd			ok when the working directory is on the same
 *				file system as the process's root, which is
 *				all that chdir("/") is for: never keep a
 *				mount point busy; a deleted one fails (item 5)
 *	stdio			fds 0-2 open on /dev/null, a file, a pipe or
 *				a socket; closed or a terminal fails (item 1)
 *	extra-fds		no fd beyond 2 without close-on-exec, but the
 *				pidfile lock: such an fd may be inherited and
 *				leaks into anything the process runs; the
 *				program's own close-on-exec fds are listed
 *				(item 1)
 *	pidfile			the locked pidfile, if any: a regular file
 *				with a lock in /proc/PID/fdinfo whose first
 *				line is a pid; it fails when it was deleted
 *				or names a process that is neither this one
 *				nor its child (item 6)
 */
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <dirent.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <langinfo.h>
#include <limits.h>
#include <locale.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "warden.h"

#define INSPECT_PID_MAX		4194304	/* PID_MAX_LIMIT of the kernel */
#define INSPECT_PF_KTHREAD	0x00200000
#define INSPECT_O_CLOEXEC	02000000 /* in fdinfo's octal flags */
#define INSPECT_FDS_SHOWN	32	/* fds listed before "..." */

/* One open fd of the process. */
struct inspect_fd {
	int		 fd;
	char		*target;	/* readlink, "?" if unreadable */
	int		 staterr;		/* errno of stat, or 0 */
	mode_t		 mode;
	dev_t		 rdev;
	int		 cloexec;
	int		 locked;		/* a lock: line in fdinfo */
	int		 signalfd;
	uint64_t	 sigmask;		/* a signalfd's signals */
	pid_t		 names;			/* a pidfile's pid, or 0 */
};

/* What the checks read, once. */
struct inspect_proc {
	pid_t			 pid;
	struct wd_proc_stat	 st;
	struct wd_proc_status	 ss;
	struct inspect_fd	*fds;
	size_t			 nfds;
	int			 fderr;		/* errno reading fd/, or 0 */
};

struct inspect_check {
	const char	*name;
	int		 ok;
	char		*detail;
};

/* Is a character device a terminal (pty, vt, serial, console)? */
static int
inspect_is_tty(dev_t rdev)
{
	unsigned int	maj = major(rdev);

	return ((maj >= 136 && maj <= 143) || maj == 3 || maj == 4 ||
	    maj == 5 || maj == 188 || maj == 204);
}

/* Record a verdict; the detail is formatted like printf. */
static void __attribute__((format(printf, 4, 5)))
inspect_set(struct inspect_check *c, const char *name, int ok,
    const char *fmt, ...)
{
	va_list	ap;

	c->name = name;
	c->ok = ok;
	va_start(ap, fmt);
	if (vasprintf(&c->detail, fmt, ap) == -1)
		errx(1, "inspect: out of memory");
	va_end(ap);
}

/* Read a small /proc file whole; -1 with errno. */
static ssize_t
inspect_read(const char *path, char *buf, size_t len)
{
	ssize_t	n, total = 0;
	int	fd;

	if ((fd = open(path, O_RDONLY|O_CLOEXEC|O_NOCTTY|O_NONBLOCK)) == -1)
		return (-1);
	while ((size_t)total < len - 1) {
		if ((n = read(fd, buf + total, len - 1 - total)) == -1 &&
		    errno == EINTR)
			continue;
		if (n <= 0)
			break;
		total += n;
	}
	close(fd);
	buf[total] = '\0';
	return (total);
}

/*
 * The pid a locked regular file holds on its first line, read through
 * the process's own fd (our open is a new open file description: it
 * leaves the process's lock alone).  0 when it holds none.
 */
static pid_t
inspect_pidfile_pid(pid_t pid, int fd)
{
	char		 path[64], buf[32], *nl;
	unsigned long	 n;

	snprintf(path, sizeof path, "/proc/%ld/fd/%d", (long)pid, fd);
	if (inspect_read(path, buf, sizeof buf) <= 0)
		return (0);
	if ((nl = strchr(buf, '\n')) != NULL)
		*nl = '\0';
	if (parse_uint(buf, INSPECT_PID_MAX, &n) == -1 || n == 0)
		return (0);
	return ((pid_t)n);
}

/* Fill in one fd: its target, type, close-on-exec flag and locks. */
static void
inspect_fd_read(pid_t pid, struct inspect_fd *f)
{
	struct stat	 sb;
	char		 path[64], info[16384], *line;
	unsigned long	 flags;

	if (wd_proc_fd(pid, f->fd, info, sizeof info) == -1)
		snprintf(info, sizeof info, "?");
	f->target = xstrdup(info);
	snprintf(path, sizeof path, "/proc/%ld/fd/%d", (long)pid, f->fd);
	if (stat(path, &sb) == -1)
		f->staterr = errno;
	else {
		f->mode = sb.st_mode;
		f->rdev = sb.st_rdev;
	}
	snprintf(path, sizeof path, "/proc/%ld/fdinfo/%d", (long)pid, f->fd);
	if (inspect_read(path, info, sizeof info) == -1)
		return;
	for (line = info; line != NULL; line = strchr(line, '\n')) {
		if (*line == '\n')
			line++;
		if (strncmp(line, "flags:", 6) == 0) {
			flags = strtoul(line + 6, NULL, 8);
			f->cloexec = (flags & INSPECT_O_CLOEXEC) != 0;
		} else if (strncmp(line, "lock:", 5) == 0)
			f->locked = 1;
		else if (strncmp(line, "sigmask:", 8) == 0) {
			f->signalfd = 1;
			f->sigmask = strtoull(line + 8, NULL, 16);
		}
	}
	if (f->locked && f->staterr == 0 && S_ISREG(f->mode))
		f->names = inspect_pidfile_pid(pid, f->fd);
}

static int
inspect_fd_cmp(const void *a, const void *b)
{
	const struct inspect_fd	*f = a, *g = b;

	return (f->fd < g->fd ? -1 : f->fd > g->fd);
}

/* Read /proc/PID/fd; an fd closed meanwhile is left out. */
static void
inspect_fds(struct inspect_proc *ip)
{
	DIR		*d;
	struct dirent	*de;
	unsigned long	 fd;
	size_t		 size = 0;
	char		 path[64];

	snprintf(path, sizeof path, "/proc/%ld/fd", (long)ip->pid);
	if ((d = opendir(path)) == NULL) {
		ip->fderr = errno;
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (parse_uint(de->d_name, INT_MAX, &fd) == -1)
			continue;
		if (ip->nfds == size) {
			size = size ? size * 2 : 16;
			ip->fds = xreallocarray(ip->fds, size, sizeof *ip->fds);
		}
		memset(&ip->fds[ip->nfds], 0, sizeof *ip->fds);
		ip->fds[ip->nfds].fd = (int)fd;
		inspect_fd_read(ip->pid, &ip->fds[ip->nfds]);
		if (ip->fds[ip->nfds].staterr != ENOENT)
			ip->nfds++;
		else
			free(ip->fds[ip->nfds].target);
	}
	closedir(d);
	qsort(ip->fds, ip->nfds, sizeof *ip->fds, inspect_fd_cmp);
}

/* The fd numbered fd, or NULL when it is closed. */
static const struct inspect_fd *
inspect_fd_find(const struct inspect_proc *ip, int fd)
{
	size_t	i;

	for (i = 0; i < ip->nfds; i++)
		if (ip->fds[i].fd == fd)
			return (&ip->fds[i]);
	return (NULL);
}

/* Is this fd the lock of a pidfile? */
static int
inspect_is_pidfile(const struct inspect_fd *f)
{
	return (f->locked && f->names != 0);
}

/* "(comm)" of a process, or "(gone)". */
static void
inspect_comm(pid_t pid, char *buf, size_t len)
{
	struct wd_proc_stat	st;

	if (wd_proc_stat(pid, &st) == -1)
		snprintf(buf, len, "(gone)");
	else
		snprintf(buf, len, "(%s)", st.comm);
}

/* not-session-leader: a session leader can acquire a terminal. */
static void
inspect_session(struct inspect_proc *ip, struct inspect_check *c)
{
	char	comm[80];

	if (ip->pid == ip->st.session) {
		inspect_set(c, "not-session-leader", 0, "pid %ld leads "
		    "session %ld: opening a terminal would make it its "
		    "controlling terminal", (long)ip->pid, (long)ip->pid);
		return;
	}
	if (ip->st.session == 0) {
		inspect_set(c, "not-session-leader", 1, "session 0");
		return;
	}
	inspect_comm(ip->st.session, comm, sizeof comm);
	inspect_set(c, "not-session-leader", 1, "session %ld, leader %ld %s",
	    (long)ip->st.session, (long)ip->st.session, comm);
}

/* no-controlling-tty: tty_nr and the terminal's foreground group. */
static void
inspect_tty(struct inspect_proc *ip, struct inspect_check *c)
{
	char	name[32];

	if (ip->st.tty_nr == 0) {
		inspect_set(c, "no-controlling-tty", 1, "tty_nr 0, tpgid %ld",
		    (long)ip->st.tpgid);
		return;
	}
	tty_name(ip->st.tty_nr, name, sizeof name);
	inspect_set(c, "no-controlling-tty", 0,
	    "tty %s, foreground group %ld%s", name, (long)ip->st.tpgid,
	    ip->st.tpgid == ip->st.pgrp ? " (its own)" : "");
}

/*
 * Walk up the parents while they are in the process's session: the
 * parent is fine when the walk leaves the session (or reaches pid 1)
 * through processes that are daemons themselves.  The walk stops at a
 * session leader or a process with a terminal.
 */
static void
inspect_parent(struct inspect_proc *ip, struct inspect_check *c)
{
	struct wd_proc_stat	 st = ip->st, pst;
	char			 comm[80];
	int			 steps;

	inspect_comm(ip->st.ppid, comm, sizeof comm);
	if (ip->st.ppid == 0) {
		inspect_set(c, "parent", 1, "ppid 0: started by the kernel");
		return;
	}
	for (steps = 0; steps < 4096; steps++) {
		if (st.ppid != 1 && wd_proc_stat(st.ppid, &pst) == -1) {
			inspect_set(c, "parent", 0, "ppid %ld: cannot read: %s",
			    (long)st.ppid, strerror(errno));
			return;
		}
		if (steps > 0 && (st.ppid == 1 || pst.session != st.session)) {
			inspect_set(c, "parent", 1, "ppid %ld %s, itself a "
			    "daemon (a monitor or master process)",
			    (long)ip->st.ppid, comm);
			return;
		}
		if (st.ppid == 1) {
			inspect_set(c, "parent", 1, "ppid 1 %s", comm);
			return;
		}
		if (pst.session != st.session) {
			inspect_set(c, "parent", 1, "ppid %ld %s, in session "
			    "%ld: a subreaper or supervisor", (long)st.ppid,
			    comm, (long)pst.session);
			return;
		}
		if (pst.pid == pst.session || pst.tty_nr != 0)
			break;
		st = pst;
	}
	if (steps == 0 && pst.pid == pst.session)
		inspect_set(c, "parent", 0, "ppid %ld %s leads session %ld: "
		    "never detached from it (a shell's child, or a double "
		    "fork whose middle process has not exited)",
		    (long)ip->st.ppid, comm, (long)pst.session);
	else
		inspect_set(c, "parent", 0, "ppid %ld %s: its ancestors in "
		    "session %ld lead back to %ld (%s), not to init or a "
		    "subreaper", (long)ip->st.ppid, comm, (long)st.session,
		    (long)st.ppid, pst.comm);
}

/* The names of the signals in a /proc/PID/status mask, space separated. */
static void
inspect_signames(uint64_t mask, char *buf, size_t len)
{
	const char	*name;
	size_t		 o = 0;
	int		 signo, n;

	buf[0] = '\0';
	for (signo = 1; signo <= 64; signo++) {
		if (!(mask & ((uint64_t)1 << (signo - 1))))
			continue;
		if ((name = wd_sig_name(signo)) != NULL)
			n = snprintf(buf + o, len - o, "%s%s", o ? " " : "",
			    name);
		else
			n = snprintf(buf + o, len - o, "%s%d", o ? " " : "",
			    signo);
		if (n < 0 || (size_t)n >= len - o)
			break;
		o += (size_t)n;
	}
}

/*
 * A blocked signal is lost to its default action and to any handler,
 * unless the program reads it from a signalfd: blocking is then how
 * signalfd(2) is meant to be used, and those signals pass.
 */
static void
inspect_sigmask(struct inspect_proc *ip, struct inspect_check *c)
{
	char		names[512], fds[128];
	uint64_t	viafd = 0;
	size_t		i, o = 0;
	int		n;

	if (ip->ss.sigblk == 0) {
		inspect_set(c, "signal-mask", 1, "SigBlk 0");
		return;
	}
	fds[0] = '\0';
	for (i = 0; i < ip->nfds; i++) {
		if (!ip->fds[i].signalfd ||
		    !(ip->fds[i].sigmask & ip->ss.sigblk))
			continue;
		viafd |= ip->fds[i].sigmask;
		n = snprintf(fds + o, sizeof fds - o, "%s%d", o ? ", " : "",
		    ip->fds[i].fd);
		if (n > 0 && (size_t)n < sizeof fds - o)
			o += (size_t)n;
	}
	if ((ip->ss.sigblk & ~viafd) == 0) {
		inspect_signames(ip->ss.sigblk, names, sizeof names);
		inspect_set(c, "signal-mask", 1, "blocked: %s "
		    "(SigBlk %016llx), all read from a signalfd (fd %s)", names,
		    (unsigned long long)ip->ss.sigblk, fds);
		return;
	}
	inspect_signames(ip->ss.sigblk & ~viafd, names, sizeof names);
	inspect_set(c, "signal-mask", 0, "blocked: %s (SigBlk %016llx)%s%s%s",
	    names, (unsigned long long)ip->ss.sigblk,
	    viafd ? "; others are read from a signalfd (fd " : "", fds,
	    viafd ? ")" : "");
}

/* ignored-signals: SIG_IGN survives execve(2) and misleads programs. */
static void
inspect_sigign(struct inspect_proc *ip, struct inspect_check *c)
{
	char	names[512];

	if (ip->ss.sigign == 0) {
		inspect_set(c, "ignored-signals", 1, "SigIgn 0");
		return;
	}
	inspect_signames(ip->ss.sigign, names, sizeof names);
	inspect_set(c, "ignored-signals", 0, "ignored: %s (SigIgn %016llx)",
	    names, (unsigned long long)ip->ss.sigign);
}

/* umask: reported, never a failure (the right value is the caller's). */
static void
inspect_umask(struct inspect_proc *ip, struct inspect_check *c)
{
	if (ip->ss.umask == -1)
		inspect_set(c, "umask", 1, "unknown (no Umask in status)");
	else
		inspect_set(c, "umask", 1, "%04o", ip->ss.umask);
}

/* cwd: a working directory that pins no mount point. */
static void
inspect_cwd(struct inspect_proc *ip, struct inspect_check *c)
{
	struct stat	cwd, root;
	char		path[64], dir[PATH_MAX];
	ssize_t		n;
	size_t		len;

	snprintf(path, sizeof path, "/proc/%ld/cwd", (long)ip->pid);
	if ((n = readlink(path, dir, sizeof dir - 1)) == -1 ||
	    stat(path, &cwd) == -1) {
		inspect_set(c, "cwd", 0, "cannot read %s: %s", path,
		    strerror(errno));
		return;
	}
	dir[n] = '\0';
	if ((len = strlen(dir)) > 10 &&
	    strcmp(dir + len - 10, " (deleted)") == 0) {
		inspect_set(c, "cwd", 0, "%s: the directory was removed", dir);
		return;
	}
	if (strcmp(dir, "/") == 0) {
		inspect_set(c, "cwd", 1, "/");
		return;
	}
	snprintf(path, sizeof path, "/proc/%ld/root", (long)ip->pid);
	if (stat(path, &root) == -1) {
		inspect_set(c, "cwd", 0, "%s; cannot read %s: %s", dir, path,
		    strerror(errno));
		return;
	}
	if (cwd.st_dev == root.st_dev)
		inspect_set(c, "cwd", 1, "%s, on the root file system", dir);
	else
		inspect_set(c, "cwd", 0, "%s, on file system %u:%u, not the "
		    "root's: it keeps it from being unmounted", dir,
		    major(cwd.st_dev), minor(cwd.st_dev));
}

/* Describe fd 0, 1 or 2 into buf; returns 1 when it is acceptable. */
static int
inspect_stdio_one(const struct inspect_fd *f, int fd, char *buf, size_t len)
{
	if (f == NULL) {
		snprintf(buf, len, "%d closed", fd);
		return (0);
	}
	if (f->staterr != 0) {
		snprintf(buf, len, "%d %s (%s)", fd, f->target,
		    strerror(f->staterr));
		return (0);
	}
	if (S_ISCHR(f->mode) && f->rdev == makedev(1, 3)) {
		snprintf(buf, len, "%d %s", fd, f->target);
		return (1);
	}
	if (S_ISREG(f->mode) || S_ISFIFO(f->mode) || S_ISSOCK(f->mode)) {
		snprintf(buf, len, "%d %s", fd, f->target);
		return (1);
	}
	if (S_ISCHR(f->mode) && inspect_is_tty(f->rdev))
		snprintf(buf, len, "%d %s (a terminal)", fd, f->target);
	else
		snprintf(buf, len, "%d %s (not /dev/null, a file, a pipe or a "
		    "socket)", fd, f->target);
	return (0);
}

/* stdio: fds 0-2 open, and none of them a terminal. */
static void
inspect_stdio(struct inspect_proc *ip, struct inspect_check *c)
{
	char	what[3][PATH_MAX + 80];
	int	fd, ok = 1;

	if (ip->fderr != 0) {
		inspect_set(c, "stdio", 0, "cannot read /proc/%ld/fd: %s",
		    (long)ip->pid, strerror(ip->fderr));
		return;
	}
	for (fd = 0; fd < 3; fd++)
		if (!inspect_stdio_one(inspect_fd_find(ip, fd), fd, what[fd],
		    sizeof what[fd]))
			ok = 0;
	inspect_set(c, "stdio", ok, "%s, %s, %s", what[0], what[1], what[2]);
}

/*
 * An fd without close-on-exec may have been inherited from whoever
 * started the process (every fd that survives an execve(2) lacks the
 * flag), and will leak into whatever it runs: those fail.  Close-on-exec
 * fds are the program's own (its sockets, its signalfd); they are listed.
 */
static void
inspect_extra(struct inspect_proc *ip, struct inspect_check *c)
{
	char		*bad = NULL, *own = NULL, **list, *s;
	size_t		 i, nbad = 0, nown = 0, *np;
	int		 lockfd = -1;

	if (ip->fderr != 0) {
		inspect_set(c, "extra-fds", 0, "cannot read /proc/%ld/fd: %s",
		    (long)ip->pid, strerror(ip->fderr));
		return;
	}
	for (i = 0; i < ip->nfds; i++) {
		if (ip->fds[i].fd < 3)
			continue;
		if (inspect_is_pidfile(&ip->fds[i]) && lockfd == -1) {
			lockfd = ip->fds[i].fd;
			continue;
		}
		list = ip->fds[i].cloexec ? &own : &bad;
		np = ip->fds[i].cloexec ? &nown : &nbad;
		if ((*np)++ >= INSPECT_FDS_SHOWN)
			continue;
		xasprintf(&s, "%s%s%d -> %s%s", *list ? *list : "",
		    *list ? ", " : "", ip->fds[i].fd, ip->fds[i].target,
		    ip->fds[i].locked ? " (locked)" : "");
		free(*list);
		*list = s;
	}
	inspect_set(c, "extra-fds", nbad == 0, "%s%s%s%s%s%s%s",
	    nbad ? "not close-on-exec: " : "none inherited",
	    nbad ? bad : "",
	    nbad > INSPECT_FDS_SHOWN ? " ..." : "",
	    nown ? "; close-on-exec: " : "", nown ? own : "",
	    nown > INSPECT_FDS_SHOWN ? " ..." : "",
	    lockfd != -1 ? "; the pidfile lock" : "");
	free(bad);
	free(own);
}

/* Whose pid does a pidfile name: this process, its child, or another. */
static int
inspect_pidfile_owner(const struct inspect_proc *ip, pid_t names,
    const char **who)
{
	struct wd_proc_stat	st;

	if (names == ip->pid) {
		*who = "this process";
		return (1);
	}
	if (wd_proc_stat(names, &st) == 0 && st.ppid == ip->pid &&
	    st.state != 'Z') {
		*who = "its child";
		return (1);
	}
	*who = "another process";
	return (0);
}

/* pidfile: the locked pidfile, still in place and naming us. */
static void
inspect_pidfile(struct inspect_proc *ip, struct inspect_check *c)
{
	const struct inspect_fd	*f = NULL;
	const char		*who;
	size_t			 i, len;
	int			 ok;

	if (ip->fderr != 0) {
		inspect_set(c, "pidfile", 0, "cannot read /proc/%ld/fd: %s",
		    (long)ip->pid, strerror(ip->fderr));
		return;
	}
	for (i = 0; i < ip->nfds && f == NULL; i++)
		if (inspect_is_pidfile(&ip->fds[i]))
			f = &ip->fds[i];
	if (f == NULL) {
		inspect_set(c, "pidfile", 1, "none locked");
		return;
	}
	if ((len = strlen(f->target)) > 10 &&
	    strcmp(f->target + len - 10, " (deleted)") == 0) {
		inspect_set(c, "pidfile", 0, "%s, locked on fd %d: removed "
		    "while the daemon runs", f->target, f->fd);
		return;
	}
	ok = inspect_pidfile_owner(ip, f->names, &who);
	inspect_set(c, "pidfile", ok, "%s, locked on fd %d, names pid %ld "
	    "(%s)", f->target, f->fd, (long)f->names, who);
}

/* The command line for the heading, arguments joined by spaces. */
static void
inspect_cmdline(pid_t pid, const char *comm, char *buf, size_t len)
{
	ssize_t	n, i;

	if ((n = wd_proc_cmdline(pid, buf, len)) <= 0) {
		snprintf(buf, len, "[%s]", comm);
		return;
	}
	while (n > 0 && buf[n - 1] == '\0')
		n--;
	for (i = 0; i < n; i++)
		if (buf[i] == '\0')
			buf[i] = ' ';
	buf[n] = '\0';
}

/* Print the verdicts as text: a heading, one line per check, a summary. */
static void
inspect_text(const struct inspect_proc *ip, struct inspect_check *checks,
    size_t n, int nfail)
{
	const char	*term = getenv("TERM"), *nc = getenv("NO_COLOR"), *cs;
	char		 cmd[4096], *s;
	size_t		 i;
	int		 colour = 0, utf8 = 0;

	if (setlocale(LC_CTYPE, "") != NULL && (cs = nl_langinfo(CODESET))
	    != NULL)
		utf8 = strcmp(cs, "UTF-8") == 0;
	if (isatty(STDOUT_FILENO))
		colour = (nc == NULL || *nc == '\0') &&
		    (term == NULL || strcmp(term, "dumb") != 0);
	inspect_cmdline(ip->pid, ip->st.comm, cmd, sizeof cmd);
	s = str_vis(cmd, strlen(cmd), utf8);
	printf("process %ld: %s\n", (long)ip->pid, s);
	free(s);
	for (i = 0; i < n; i++) {
		s = str_vis(checks[i].detail, strlen(checks[i].detail), utf8);
		printf("%s%-4s%s %s: %s\n", colour ? (checks[i].ok ?
		    "\033[32m" : "\033[1;31m") : "", checks[i].ok ? "ok" :
		    "FAIL", colour ? "\033[0m" : "", checks[i].name, s);
		free(s);
	}
	if (nfail == 0)
		printf("all %zu checks passed\n", n);
	else
		printf("%d of %zu checks failed\n", nfail, n);
}

/* Print the verdicts as the JSON object DESIGN.md fixes. */
static void
inspect_json(const struct inspect_proc *ip, struct inspect_check *checks,
    size_t n, int nfail)
{
	size_t	 i;

	printf("{\"pid\": %ld, \"ok\": %s, \"checks\": [", (long)ip->pid,
	    nfail ? "false" : "true");
	for (i = 0; i < n; i++) {
		printf("%s{\"name\": ", i ? ", " : "");
		json_string(stdout, checks[i].name);
		printf(", \"ok\": %s, \"detail\": ", checks[i].ok ? "true" :
		    "false");
		json_string(stdout, checks[i].detail);
		putchar('}');
	}
	printf("]}\n");
}

/* Read the process, or exit 1 when there is none to inspect. */
static void
inspect_load(struct inspect_proc *ip, pid_t pid)
{
	memset(ip, 0, sizeof *ip);
	ip->pid = pid;
	if (wd_proc_stat(pid, &ip->st) == -1) {
		if (errno == ENOENT || errno == ESRCH)
			errx(1, "inspect: no such process: %ld", (long)pid);
		err(1, "inspect: %ld", (long)pid);
	}
	if (ip->st.state == 'Z' || ip->st.state == 'X')
		errx(1, "inspect: %ld is a zombie: it has exited", (long)pid);
	if (ip->st.flags & INSPECT_PF_KTHREAD)
		errx(1, "inspect: %ld is a kernel thread", (long)pid);
	if (wd_proc_status(pid, &ip->ss) == -1) {
		if (errno == ENOENT || errno == ESRCH)
			errx(1, "inspect: no such process: %ld", (long)pid);
		err(1, "inspect: %ld", (long)pid);
	}
	inspect_fds(ip);
}

/* warden inspect PID [--json]: exit 0 when every check passes, else 1. */
int
cmd_inspect(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 }
	};
	static void (*const checkfn[])(struct inspect_proc *,
	    struct inspect_check *) = {
		inspect_session, inspect_tty, inspect_parent, inspect_sigmask,
		inspect_sigign, inspect_umask, inspect_cwd, inspect_stdio,
		inspect_extra, inspect_pidfile
	};
	struct inspect_check	 checks[nitems(checkfn)];
	struct inspect_proc	 ip;
	struct wd_proc_stat	 again;
	unsigned long		 pid;
	size_t			 i;
	int			 ch, json = 0, nfail = 0;

	opterr = 0;
	while ((ch = getopt_long(argc, argv, "j", longopts, NULL)) != -1) {
		switch (ch) {
		case 'j':
			json = 1;
			break;
		default:
			warnx("inspect: unknown option: %s", argv[optind - 1]);
			return (CMD_USAGE);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc != 1)
		return (CMD_USAGE);
	if (parse_uint(argv[0], INSPECT_PID_MAX, &pid) == -1 || pid == 0) {
		warnx("inspect: not a pid: %s", argv[0]);
		return (CMD_USAGE);
	}
	inspect_load(&ip, (pid_t)pid);
	for (i = 0; i < nitems(checkfn); i++) {
		checkfn[i](&ip, &checks[i]);
		if (!checks[i].ok)
			nfail++;
	}
	/* Evidence about a process that died meanwhile is worth nothing. */
	if (wd_proc_stat(ip.pid, &again) == -1 || again.state == 'Z' ||
	    again.starttime != ip.st.starttime)
		errx(1, "inspect: no such process: %ld (it exited)", pid);
	if (json)
		inspect_json(&ip, checks, nitems(checks), nfail);
	else
		inspect_text(&ip, checks, nitems(checks), nfail);
	if (fflush(stdout) == EOF || ferror(stdout))
		err(1, "inspect: stdout");
	for (i = 0; i < nitems(checks); i++)
		free(checks[i].detail);
	for (i = 0; i < ip.nfds; i++)
		free(ip.fds[i].target);
	free(ip.fds);
	return (nfail ? 1 : 0);
}
