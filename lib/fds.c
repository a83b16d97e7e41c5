/*
 * File descriptors: close all but a few, keep 0-2 open on /dev/null, and
 * the read/write loops that retry EINTR.
 */
#include <sys/stat.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "wd-internal.h"

/* A loop to the soft limit never goes past this many fds. */
#define FD_LOOP_MAX	65536

static int
fd_kept(int fd, const int *keep, int nkeep)
{
	int	i;

	for (i = 0; i < nkeep; i++)
		if (keep[i] == fd)
			return (1);
	return (0);
}

static int
fd_cmp(const void *a, const void *b)
{
	return (*(const int *)a - *(const int *)b);
}

/* close_range(2) over the gaps between the kept fds. */
static int
fd_close_range(int lowfd, const int *keep, int nkeep)
{
	int	sorted[64], n = 0, i, from = lowfd;

	for (i = 0; i < nkeep && n < (int)nitems(sorted); i++)
		if (keep[i] >= lowfd)
			sorted[n++] = keep[i];
	if (i < nkeep)
		return (errno = E2BIG, -1);
	qsort(sorted, n, sizeof sorted[0], fd_cmp);
	for (i = 0; i < n; i++) {
		if (sorted[i] > from &&
		    syscall(SYS_close_range, from, sorted[i] - 1, 0) == -1)
			return (-1);
		from = sorted[i] + 1;
	}
	return (syscall(SYS_close_range, from, ~0U, 0) == -1 ? -1 : 0);
}

/* Enumerate /proc/self/fd first, then close: no surprises mid-readdir. */
static int
fd_close_proc(int lowfd, const int *keep, int nkeep)
{
	DIR		*d;
	struct dirent	*de;
	int		 fds[1024], n, i, dfd, more;

	do {
		if ((d = opendir("/proc/self/fd")) == NULL)
			return (-1);
		dfd = dirfd(d);
		n = 0;
		more = 0;
		while ((de = readdir(d)) != NULL) {
			int fd = atoi(de->d_name);

			if (de->d_name[0] < '0' || de->d_name[0] > '9' ||
			    fd < lowfd || fd == dfd || fd_kept(fd, keep, nkeep))
				continue;
			if (n == (int)nitems(fds)) {
				more = 1;
				break;
			}
			fds[n++] = fd;
		}
		closedir(d);
		for (i = 0; i < n; i++)
			close(fds[i]);
	} while (more);
	return (0);
}

int
wd_fd_closefrom(int lowfd, const int *keep, int nkeep)
{
	struct rlimit	rl;
	int		fd, max;

	if (fd_close_range(lowfd, keep, nkeep) == 0)
		return (0);
	if (fd_close_proc(lowfd, keep, nkeep) == 0)
		return (0);
	max = FD_LOOP_MAX;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < (rlim_t)max)
		max = (int)rl.rlim_cur;
	for (fd = lowfd; fd < max; fd++)
		if (!fd_kept(fd, keep, nkeep))
			close(fd);
	return (0);
}

/* Open /dev/null and make sure it is the real null device. */
static int
fd_open_null(int flags)
{
	struct stat	sb;
	int		fd, saved_errno;

	if ((fd = open("/dev/null", flags|O_NOCTTY)) == -1)
		return (-1);
	if (fstat(fd, &sb) == -1)
		goto fail;
	if (!S_ISCHR(sb.st_mode) || major(sb.st_rdev) != 1 ||
	    minor(sb.st_rdev) != 3) {
		errno = ENODEV;
		goto fail;
	}
	return (fd);
fail:
	saved_errno = errno;
	close(fd);
	errno = saved_errno;
	return (-1);
}

int
wd_fd_devnull(int which)
{
	int	fd, nfd, saved_errno;

	if ((nfd = fd_open_null(O_RDWR|O_CLOEXEC)) == -1)
		return (-1);
	for (fd = 0; fd < 3; fd++) {
		if (!(which & (1 << fd)) || fd == nfd)
			continue;
		if (dup2(nfd, fd) == -1)
			goto fail;
	}
	if (nfd > 2)
		close(nfd);
	else
		(void)fcntl(nfd, F_SETFD, 0);
	return (0);
fail:
	saved_errno = errno;
	if (nfd > 2)
		close(nfd);
	errno = saved_errno;
	return (-1);
}

/*
 * Fill any closed fd among 0-2 with /dev/null before anything else is
 * opened, so a later open() can never land on 0, 1 or 2.
 */
int
wd_fd_stdio(void)
{
	int	fd, which = 0;

	for (fd = 0; fd < 3; fd++)
		if (fcntl(fd, F_GETFD) == -1 && errno == EBADF)
			which |= 1 << fd;
	return (which ? wd_fd_devnull(which) : 0);
}

ssize_t
wd__read_file(const char *path, char *buf, size_t len)
{
	ssize_t	n, total = 0;
	int	fd, saved_errno;

	if (len == 0)
		return (errno = EINVAL, -1);
	if ((fd = open(path, O_RDONLY|O_CLOEXEC|O_NOCTTY)) == -1)
		return (-1);
	while ((size_t)total < len - 1) {
		n = read(fd, buf + total, len - 1 - total);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			saved_errno = errno;
			close(fd);
			errno = saved_errno;
			return (-1);
		}
		if (n == 0)
			break;
		total += n;
	}
	close(fd);
	buf[total] = '\0';
	return (total);
}

int
wd__write_all(int fd, const void *buf, size_t len)
{
	const char	*p = buf;
	ssize_t		 n;

	while (len > 0) {
		if ((n = write(fd, p, len)) == -1) {
			if (errno == EINTR)
				continue;
			return (-1);
		}
		p += n;
		len -= n;
	}
	return (0);
}
