/*
 * Pidfiles that cannot be trusted by accident: O_NOFOLLOW, a regular file
 * with one link in a directory no one else can write, an flock(2) held for
 * the daemon's life, and staleness decided by the process's identity.
 */
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/xattr.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "wd-internal.h"

#define PIDFILE_XATTR	"user.warden.id"

/* Absolute, with the directory's symlinks resolved; the name itself not. */
static int
pidfile_abspath(const char *path, char *out, size_t len)
{
	char	copy[PATH_MAX], dir[PATH_MAX], *base, *d;

	if (path == NULL || *path == '\0' || strlen(path) >= sizeof copy)
		return (errno = EINVAL, -1);
	strcpy(copy, path);
	base = basename(copy);
	if (*base == '\0' || strcmp(base, ".") == 0 || strcmp(base, "..") == 0 ||
	    strcmp(base, "/") == 0)
		return (errno = EINVAL, -1);
	strcpy(dir, path);
	d = dirname(dir);
	if (realpath(d, copy + 0) == NULL)
		return (-1);
	strcpy(dir, copy);
	strcpy(copy, path);
	base = basename(copy);
	if ((size_t)snprintf(out, len, "%s/%s", strcmp(dir, "/") == 0 ? "" : dir,
	    base) >= len)
		return (errno = ENAMETOOLONG, -1);
	return (0);
}

/*
 * Others must not be able to replace or plant the file: the directory is
 * owned by root or us and is writable by no one else.
 */
static int
pidfile_dir_safe(const char *abspath)
{
	struct stat	sb;
	char		dir[PATH_MAX];

	strcpy(dir, abspath);
	if (stat(dirname(dir), &sb) == -1)
		return (-1);
	if (!S_ISDIR(sb.st_mode))
		return (errno = ENOTDIR, -1);
	if (sb.st_uid != 0 && sb.st_uid != geteuid())
		return (errno = EPERM, -1);
	if (sb.st_mode & (S_IWGRP|S_IWOTH))
		return (errno = EPERM, -1);
	return (0);
}

static int
pidfile_file_safe(int fd, struct stat *sb)
{
	if (fstat(fd, sb) == -1)
		return (-1);
	if (!S_ISREG(sb->st_mode))
		return (errno = EINVAL, -1);
	if (sb->st_nlink != 1 || (sb->st_uid != 0 && sb->st_uid != geteuid()))
		return (errno = EPERM, -1);
	return (0);
}

static int
pidfile_openfd(const char *abspath, int flags)
{
	return (open(abspath, flags|O_NOFOLLOW|O_NONBLOCK|O_CLOEXEC|O_NOCTTY,
	    0644));
}

int
wd_pidfile_open(struct wd_pidfile *pf, const char *path)
{
	struct stat	sb, now;
	int		tries, saved_errno;

	memset(pf, 0, sizeof *pf);
	pf->fd = -1;
	if (pidfile_abspath(path, pf->path, sizeof pf->path) == -1)
		return (-1);
	if (pidfile_dir_safe(pf->path) == -1)
		return (-1);
	/*
	 * A remover may unlink the file between our open and our lock: then
	 * we hold a lock on a file no one else can see, so check and retry.
	 */
	for (tries = 0; tries < 10; tries++) {
		if ((pf->fd = pidfile_openfd(pf->path, O_RDWR|O_CREAT)) == -1)
			return (-1);
		if (pidfile_file_safe(pf->fd, &sb) == -1)
			goto fail;
		if (flock(pf->fd, LOCK_EX|LOCK_NB) == -1) {
			if (errno == EWOULDBLOCK)
				errno = EEXIST;
			goto fail;
		}
		if (stat(pf->path, &now) == 0 && now.st_dev == sb.st_dev &&
		    now.st_ino == sb.st_ino) {
			pf->dev = sb.st_dev;
			pf->ino = sb.st_ino;
			return (0);
		}
		close(pf->fd);
		pf->fd = -1;
	}
	errno = EAGAIN;
	return (-1);
fail:
	saved_errno = errno;
	close(pf->fd);
	pf->fd = -1;
	errno = saved_errno;
	return (-1);
}

/*
 * pwrite first, then truncate: a reader never sees an empty file, at
 * worst the new pid followed by old bytes, and readers take line one.
 */
int
wd_pidfile_write(struct wd_pidfile *pf, pid_t pid)
{
	char	buf[32], id[PATH_MAX + 64];
	int	len;

	len = snprintf(buf, sizeof buf, "%ld\n", (long)pid);
	if (pwrite(pf->fd, buf, len, 0) != len)
		return (-1);
	if (ftruncate(pf->fd, len) == -1)
		return (-1);
	if (wd__proc_identity(pid, id, sizeof id) == 0)
		(void)fsetxattr(pf->fd, PIDFILE_XATTR, id, strlen(id), 0);
	return (0);
}

void
wd_pidfile_close(struct wd_pidfile *pf)
{
	if (pf->fd != -1)
		close(pf->fd);
	pf->fd = -1;
}

int
wd_pidfile_remove(struct wd_pidfile *pf)
{
	struct stat	sb;
	int		rv = 0;

	if (pf->fd == -1)
		return (0);
	/*
	 * A daemon that dropped its privileges may not look into or unlink
	 * from its root-owned directory: then an empty file says "not
	 * running" just as well.  Truncating through our own fd can only
	 * ever touch our own file.
	 */
	if (stat(pf->path, &sb) == -1) {
		if (errno == EACCES)
			rv = ftruncate(pf->fd, 0);
	} else if (sb.st_dev == pf->dev && sb.st_ino == pf->ino) {
		rv = unlink(pf->path);
		if (rv == -1 && (errno == EACCES || errno == EPERM))
			rv = ftruncate(pf->fd, 0);
	}
	wd_pidfile_close(pf);
	return (rv);
}

static pid_t
pidfile_parse(const char *buf)
{
	char	*end;
	long	 n;

	errno = 0;
	n = strtol(buf, &end, 10);
	if (errno != 0 || end == buf || (*end != '\n' && *end != '\0') ||
	    n <= 0 || n > INT_MAX)
		return (errno = EINVAL, -1);
	return ((pid_t)n);
}

static pid_t
pidfile_read_fd(int fd)
{
	char	buf[64];
	ssize_t	n;

	while ((n = pread(fd, buf, sizeof buf - 1, 0)) == -1 && errno == EINTR)
		;
	if (n == -1)
		return (-1);
	buf[n] = '\0';
	if (n == 0)
		return (0);
	return (pidfile_parse(buf));
}

pid_t
wd_pidfile_read(const char *path)
{
	struct stat	sb;
	pid_t		pid;
	int		fd, saved_errno;

	if ((fd = pidfile_openfd(path, O_RDONLY)) == -1)
		return (-1);
	if (fstat(fd, &sb) == -1 || !S_ISREG(sb.st_mode)) {
		close(fd);
		return (errno = EINVAL, -1);
	}
	pid = pidfile_read_fd(fd);
	saved_errno = errno;
	close(fd);
	errno = saved_errno;
	if (pid == 0)
		return (errno = EINVAL, -1);
	return (pid);
}

/* Seconds since boot, as the kernel counts a process's start time. */
static double
pidfile_boot_of(const struct timespec *real)
{
	struct timespec	now_real, now_boot;

	clock_gettime(CLOCK_REALTIME, &now_real);
	clock_gettime(CLOCK_BOOTTIME, &now_boot);
	return ((double)(real->tv_sec - now_real.tv_sec + now_boot.tv_sec) +
	    (double)(real->tv_nsec - now_real.tv_nsec + now_boot.tv_nsec) / 1e9);
}

/*
 * Is pid, named by the file open on fd, still the process that was
 * recorded?  The attribute holds "STARTTIME EXE" from the write.  A file
 * system that keeps attributes but has none on this file: someone else
 * wrote it, and a pid we cannot verify is never trusted.  Only where the
 * file system keeps no attributes at all, a process that started after
 * the file was last written is taken for another one.
 */
static int
pidfile_identity(int fd, pid_t pid)
{
	struct wd_proc_stat	st;
	struct stat		sb;
	char			rec[PATH_MAX + 64], cur[PATH_MAX + 64];
	char			*rp, *cp;
	ssize_t			n;

	if (wd_proc_stat(pid, &st) == -1 || st.state == 'Z' || st.state == 'X')
		return (WD_PID_STALE);
	n = fgetxattr(fd, PIDFILE_XATTR, rec, sizeof rec - 1);
	if (n > 0) {
		rec[n] = '\0';
		if (wd__proc_identity(pid, cur, sizeof cur) == -1)
			return (WD_PID_STALE);
		/*
		 * The start time, to the clock tick, is what tells a process
		 * from a later one with the same pid.  The executable is
		 * recorded but not compared: a shell wrapper that execs its
		 * server changes it and is still the same process.
		 */
		if (strtoull(rec, &rp, 10) != strtoull(cur, &cp, 10))
			return (WD_PID_STALE);
		/* A record with the pidfs inode: it must match too. */
		rp += strspn(rp, " ");
		cp += strspn(cp, " ");
		if (*rp >= '0' && *rp <= '9' && *cp >= '0' && *cp <= '9' &&
		    strtoull(rp, NULL, 10) != strtoull(cp, NULL, 10))
			return (WD_PID_STALE);
		return (WD_PID_RUNNING);
	}
	if (n == -1 && errno != ENOTSUP)
		return (WD_PID_STALE);
	if (fstat(fd, &sb) == -1)
		return (WD_PID_STALE);
	/* One second of slack for the clock-tick granularity. */
	if (wd_proc_started(&st) > pidfile_boot_of(&sb.st_mtim) + 1.0)
		return (WD_PID_STALE);
	return (WD_PID_RUNNING);
}

int
wd_pidfile_state(struct wd_pidfile *pf, pid_t *pid)
{
	pid_t	p;

	*pid = 0;
	if ((p = pidfile_read_fd(pf->fd)) == -1)
		return (WD_PID_STALE);		/* garbage: replace it */
	if (p == 0)
		return (WD_PID_NONE);
	*pid = p;
	return (pidfile_identity(pf->fd, p));
}

int
wd_pidfile_locked(const char *path)
{
	int	fd, rv;

	if ((fd = pidfile_openfd(path, O_RDONLY)) == -1)
		return (errno == ENOENT ? 0 : -1);
	if (flock(fd, LOCK_SH|LOCK_NB) == -1)
		rv = errno == EWOULDBLOCK ? 1 : -1;
	else
		rv = 0;
	close(fd);
	return (rv);
}

int
wd_pidfile_check(const char *path, pid_t *pid)
{
	struct stat	sb;
	pid_t		p;
	int		fd, rv, saved_errno;

	*pid = 0;
	if ((fd = pidfile_openfd(path, O_RDONLY)) == -1)
		return (errno == ENOENT ? WD_PID_NONE : -1);
	if (fstat(fd, &sb) == -1 || !S_ISREG(sb.st_mode)) {
		close(fd);
		return (errno = EINVAL, -1);
	}
	p = pidfile_read_fd(fd);
	if (p > 0) {
		*pid = p;
		rv = pidfile_identity(fd, p);
	} else
		rv = p == 0 ? WD_PID_NONE : WD_PID_STALE;
	/* A held lock means a live holder, whatever the file says. */
	if (rv != WD_PID_RUNNING && flock(fd, LOCK_SH|LOCK_NB) == -1 &&
	    errno == EWOULDBLOCK)
		rv = WD_PID_RUNNING;
	saved_errno = errno;
	close(fd);
	errno = saved_errno;
	return (rv);
}
