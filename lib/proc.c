/*
 * /proc readers shared by the pidfile code, warden ps and warden inspect.
 */
#include <sys/stat.h>
#include <sys/syscall.h>

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "wd-internal.h"

/*
 * Parse /proc/PID/stat.  comm may hold spaces and parentheses, so the
 * fields are read after the last ')'.
 */
int
wd_proc_stat(pid_t pid, struct wd_proc_stat *st)
{
	char		 path[64], buf[2048], *open, *close;
	size_t		 clen;
	int		 n;

	snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
	if (wd__read_file(path, buf, sizeof buf) == -1)
		return (-1);
	if ((open = strchr(buf, '(')) == NULL ||
	    (close = strrchr(buf, ')')) == NULL || close < open)
		return (errno = EINVAL, -1);
	memset(st, 0, sizeof *st);
	st->pid = pid;
	clen = (size_t)(close - open - 1);
	if (clen >= sizeof st->comm)
		clen = sizeof st->comm - 1;
	memcpy(st->comm, open + 1, clen);
	st->comm[clen] = '\0';
	n = sscanf(close + 1,
	    " %c %d %d %d %d %d %u %*u %*u %*u %*u %llu %llu %*d %*d %*d %ld"
	    " %ld %*d %llu %llu %lld",
	    &st->state, &st->ppid, &st->pgrp, &st->session, &st->tty_nr,
	    &st->tpgid, &st->flags, &st->utime, &st->stime, &st->nice,
	    &st->nthreads, &st->starttime, &st->vsize, &st->rss);
	if (n != 14)
		return (errno = EINVAL, -1);
	return (0);
}

static int
proc_hex(const char *v, uint64_t *out)
{
	*out = strtoull(v, NULL, 16);
	return (0);
}

/* Parse the lines of /proc/PID/status that the tools need. */
int
wd_proc_status(pid_t pid, struct wd_proc_status *st)
{
	char	 path[64], buf[8192], *line, *next, *v, *end;
	long	 g;

	snprintf(path, sizeof path, "/proc/%ld/status", (long)pid);
	if (wd__read_file(path, buf, sizeof buf) == -1)
		return (-1);
	memset(st, 0, sizeof *st);
	st->umask = -1;
	st->vmrss_kb = -1;
	for (line = buf; line != NULL && *line != '\0'; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		if ((v = strchr(line, ':')) == NULL)
			continue;
		*v++ = '\0';
		v += strspn(v, " \t");
		if (strcmp(line, "PPid") == 0)
			st->ppid = (pid_t)atol(v);
		else if (strcmp(line, "Umask") == 0)
			st->umask = (int)strtol(v, NULL, 8);
		else if (strcmp(line, "Uid") == 0)
			sscanf(v, "%u %u %u %u", &st->uid[0], &st->uid[1],
			    &st->uid[2], &st->uid[3]);
		else if (strcmp(line, "Gid") == 0)
			sscanf(v, "%u %u %u %u", &st->gid[0], &st->gid[1],
			    &st->gid[2], &st->gid[3]);
		else if (strcmp(line, "Groups") == 0) {
			while (st->ngroups < WD_NGROUPS_MAX) {
				g = strtol(v, &end, 10);
				if (end == v)
					break;
				st->groups[st->ngroups++] = (gid_t)g;
				v = end;
			}
		} else if (strcmp(line, "SigPnd") == 0)
			proc_hex(v, &st->sigpnd);
		else if (strcmp(line, "ShdPnd") == 0)
			proc_hex(v, &st->shdpnd);
		else if (strcmp(line, "SigBlk") == 0)
			proc_hex(v, &st->sigblk);
		else if (strcmp(line, "SigIgn") == 0)
			proc_hex(v, &st->sigign);
		else if (strcmp(line, "SigCgt") == 0)
			proc_hex(v, &st->sigcgt);
		else if (strcmp(line, "CapEff") == 0)
			proc_hex(v, &st->capeff);
		else if (strcmp(line, "CapPrm") == 0)
			proc_hex(v, &st->capprm);
		else if (strcmp(line, "NoNewPrivs") == 0)
			st->nonewprivs = atoi(v);
		else if (strcmp(line, "VmRSS") == 0)
			st->vmrss_kb = atol(v);
	}
	return (0);
}

ssize_t
wd_proc_cmdline(pid_t pid, char *buf, size_t len)
{
	char	path[64];

	snprintf(path, sizeof path, "/proc/%ld/cmdline", (long)pid);
	return (wd__read_file(path, buf, len));
}

static ssize_t
proc_readlink(const char *path, char *buf, size_t len)
{
	ssize_t	n;

	if (len == 0)
		return (errno = EINVAL, -1);
	if ((n = readlink(path, buf, len - 1)) == -1)
		return (-1);
	buf[n] = '\0';
	return (n);
}

ssize_t
wd_proc_exe(pid_t pid, char *buf, size_t len)
{
	char	path[64];

	snprintf(path, sizeof path, "/proc/%ld/exe", (long)pid);
	return (proc_readlink(path, buf, len));
}

ssize_t
wd_proc_fd(pid_t pid, int fd, char *buf, size_t len)
{
	char	path[64];

	snprintf(path, sizeof path, "/proc/%ld/fd/%d", (long)pid, fd);
	return (proc_readlink(path, buf, len));
}

double
wd_proc_started(const struct wd_proc_stat *st)
{
	long	hz = sysconf(_SC_CLK_TCK);

	return ((double)st->starttime / (double)(hz > 0 ? hz : 100));
}

/*
 * The inode of a pidfd for pid: on kernels with pidfs (6.9 and later)
 * every process gets its own, never reused; elsewhere all pidfds share
 * one and the number tells nothing (but compares equal, harmlessly).
 */
static unsigned long long
proc_pidfs_ino(pid_t pid)
{
	struct stat	sb;
	int		fd;

	if ((fd = (int)syscall(SYS_pidfd_open, pid, 0)) == -1)
		return (0);
	if (fstat(fd, &sb) == -1)
		sb.st_ino = 0;
	close(fd);
	return ((unsigned long long)sb.st_ino);
}

/*
 * A process's identity: "STARTTIME PIDFS-INODE EXE".  A pid is reused;
 * the start time (in clock ticks) tells a later process from the first
 * unless both started in the same tick, and the pidfs inode tells them
 * apart even then.  The executable is left empty when it cannot be read.
 */
int
wd__proc_identity(pid_t pid, char *buf, size_t len)
{
	struct wd_proc_stat	st;
	char			exe[4096];

	if (wd_proc_stat(pid, &st) == -1)
		return (-1);
	if (st.state == 'Z' || st.state == 'X')
		return (errno = ESRCH, -1);
	if (wd_proc_exe(pid, exe, sizeof exe) == -1)
		exe[0] = '\0';
	if ((size_t)snprintf(buf, len, "%llu %llu %s", st.starttime,
	    proc_pidfs_ino(pid), exe) >= len)
		return (errno = ENAMETOOLONG, -1);
	return (0);
}
