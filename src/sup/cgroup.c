/*
 * A cgroup v2 per service, where the supervisor can make one: then a stop
 * that reaches SIGKILL kills everything the service started, even what
 * left its process group (cgroup.kill, Linux 5.14), and "stopped" means
 * the cgroup is empty.  Without a writable cgroup2, the process-group kill
 * and the reaping of orphans do the job alone.
 */
#include <sys/stat.h>
#include <sys/syscall.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sup.h"

static char	*cg_base;	/* our own directory of service cgroups */
static size_t	 cg_mntlen;	/* the mount point's part of cg_base */

/* clone3's argument (a stable kernel ABI); musl ships no linux/sched.h. */
struct cg_clone_args {
	uint64_t	flags, pidfd, child_tid, parent_tid, exit_signal;
	uint64_t	stack, stack_size, tls, set_tid, set_tid_size, cgroup;
};
#define CG_CLONE_INTO_CGROUP	0x200000000ULL
#ifndef SYS_clone3
#define SYS_clone3		435
#endif

/* Where cgroup2 is mounted, from /proc/self/mountinfo. */
static int
cg_mountpoint(char *buf, size_t len)
{
	FILE	*fp;
	char	 line[4096], *sep, mnt[PATH_MAX];
	int	 found = 0;

	if ((fp = fopen("/proc/self/mountinfo", "re")) == NULL)
		return (-1);
	while (fgets(line, sizeof line, fp) != NULL) {
		/* ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS ... - FSTYPE ... */
		if ((sep = strstr(line, " - ")) == NULL ||
		    strncmp(sep + 3, "cgroup2 ", 8) != 0)
			continue;
		if (sscanf(line, "%*s %*s %*s %*s %4095s", mnt) == 1) {
			snprintf(buf, len, "%s", mnt);
			found = 1;
			break;
		}
	}
	fclose(fp);
	return (found ? 0 : -1);
}

/* A process's cgroup in the v2 hierarchy: the "0::PATH" line. */
static int
cg_read(const char *file, char *buf, size_t len)
{
	FILE	*fp;
	char	 line[PATH_MAX + 8];
	int	 found = 0;

	if ((fp = fopen(file, "re")) == NULL)
		return (-1);
	while (fgets(line, sizeof line, fp) != NULL) {
		if (strncmp(line, "0::", 3) != 0)
			continue;
		line[strcspn(line, "\n")] = '\0';
		snprintf(buf, len, "%s", line + 3);
		found = 1;
		break;
	}
	fclose(fp);
	return (found ? 0 : -1);
}

static int
cg_write(const char *dir, const char *file, const char *value)
{
	char	path[PATH_MAX];
	int	fd, rv;

	snprintf(path, sizeof path, "%s/%s", dir, file);
	if ((fd = open(path, O_WRONLY|O_CLOEXEC)) == -1)
		return (-1);
	rv = write(fd, value, strlen(value)) == (ssize_t)strlen(value) ? 0 :
	    -1;
	close(fd);
	return (rv);
}

/*
 * Remove what a supervisor killed with SIGKILL left: its warden-PID
 * directory and the empty service cgroups in it.  A service still
 * running there is left alone (and its cgroup with it).
 */
static void
cg_sweep(const char *parent)
{
	DIR		*d, *sd;
	struct dirent	*de, *se;
	char		 path[PATH_MAX], sub[PATH_MAX + 256];
	long		 pid;

	if ((d = opendir(parent)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, "warden-", 7) != 0 ||
		    (pid = atol(de->d_name + 7)) <= 0 ||
		    (kill((pid_t)pid, 0) == 0 || errno == EPERM))
			continue;
		snprintf(path, sizeof path, "%s/%s", parent, de->d_name);
		if ((sd = opendir(path)) != NULL) {
			while ((se = readdir(sd)) != NULL) {
				if (se->d_type != DT_DIR || se->d_name[0] == '.')
					continue;
				snprintf(sub, sizeof sub, "%s/%s", path,
				    se->d_name);
				(void)rmdir(sub);	/* fails while populated */
			}
			closedir(sd);
		}
		(void)rmdir(path);
	}
	closedir(d);
}

/* Make our directory of service cgroups; 0 when cgroups are usable. */
int
cg_init(void)
{
	char	mnt[PATH_MAX], self[PATH_MAX], test[PATH_MAX + 64];

	if (cg_mountpoint(mnt, sizeof mnt) == -1 ||
	    cg_read("/proc/self/cgroup", self, sizeof self) == -1)
		return (-1);
	snprintf(test, sizeof test, "%s%s", mnt, strcmp(self, "/") == 0 ? "" :
	    self);
	cg_sweep(test);
	cg_mntlen = strlen(mnt);
	xasprintf(&cg_base, "%s%s/warden-%ld", mnt, strcmp(self, "/") == 0 ?
	    "" : self, (long)getpid());
	if (mkdir(cg_base, 0755) == -1 && errno != EEXIST)
		goto fail;
	/* cgroup.kill must be there for this to be worth it. */
	snprintf(test, sizeof test, "%s/cgroup.kill", cg_base);
	if (access(test, W_OK) == -1) {
		(void)rmdir(cg_base);
		goto fail;
	}
	return (0);
fail:
	free(cg_base);
	cg_base = NULL;
	return (-1);
}

void
cg_fini(void)
{
	if (cg_base == NULL)
		return;
	(void)rmdir(cg_base);
	free(cg_base);
	cg_base = NULL;
}

/* The directory for a service, made when first needed; NULL without. */
char *
cg_service(const char *name)
{
	char	*dir;

	if (cg_base == NULL)
		return (NULL);
	xasprintf(&dir, "%s/%s", cg_base, name);
	if (mkdir(dir, 0755) == -1 && errno != EEXIST) {
		free(dir);
		return (NULL);
	}
	return (dir);
}

/*
 * fork() into the service's cgroup.  clone3 with CLONE_INTO_CGROUP
 * (Linux 5.7) starts the child there; moving it afterwards through
 * cgroup.procs costs a cgroup migration, milliseconds on a busy machine,
 * and that is paid only where clone3 is refused, or with migrate, for a
 * cgroup whose cgroup.kill was used and could not be made again (see
 * cg_renew()).
 */
pid_t
cg_fork(const char *dir, int migrate)
{
	struct cg_clone_args	ca;
	pid_t			pid;
	int			fd;

	if (dir == NULL)
		return (fork());
	if (!migrate &&
	    (fd = open(dir, O_PATH|O_DIRECTORY|O_CLOEXEC)) != -1) {
		memset(&ca, 0, sizeof ca);
		ca.flags = CG_CLONE_INTO_CGROUP;
		ca.exit_signal = SIGCHLD;
		ca.cgroup = (uint64_t)fd;
		pid = (pid_t)syscall(SYS_clone3, &ca, sizeof ca);
		close(fd);
		if (pid != -1)
			return (pid);
	}
	if ((pid = fork()) == 0)
		(void)cg_write(dir, "cgroup.procs", "0\n");
	return (pid);
}

/*
 * A fresh cgroup in place of dir, which must be empty.  Some kernels kill
 * every child born into a cgroup (clone3 CLONE_INTO_CGROUP) once its
 * cgroup.kill has been used, so a service's cgroup is made again after.
 */
int
cg_renew(const char *dir)
{
	if (dir == NULL)
		return (-1);
	if (rmdir(dir) == -1 && errno != ENOENT)
		return (-1);
	if (mkdir(dir, 0755) == -1 && errno != EEXIST)
		return (-1);
	return (0);
}

/* Kill every process of the cgroup; -1 when that is not possible. */
int
cg_kill(const char *dir)
{
	if (dir == NULL)
		return (-1);
	return (cg_write(dir, "cgroup.kill", "1\n"));
}

/*
 * Send sig to every process of the cgroup (SIGKILL through cgroup.kill);
 * -1 when that is not possible.
 */
int
cg_signal(const char *dir, int sig)
{
	FILE	*fp;
	char	 path[PATH_MAX];
	long	 pid;

	if (dir == NULL)
		return (-1);
	if (sig == SIGKILL)
		return (cg_kill(dir));
	snprintf(path, sizeof path, "%s/cgroup.procs", dir);
	if ((fp = fopen(path, "re")) == NULL)
		return (-1);
	while (fscanf(fp, "%ld", &pid) == 1)
		if (pid > 0)
			(void)kill((pid_t)pid, sig);
	fclose(fp);
	return (0);
}

/* Is any process left in the cgroup?  -1 when it cannot tell. */
int
cg_populated(const char *dir)
{
	char	path[PATH_MAX], buf[256], *p;
	ssize_t	n;
	int	fd;

	if (dir == NULL)
		return (-1);
	snprintf(path, sizeof path, "%s/cgroup.events", dir);
	if ((fd = open(path, O_RDONLY|O_CLOEXEC)) == -1)
		return (-1);
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return (-1);
	buf[n] = '\0';
	if ((p = strstr(buf, "populated ")) == NULL)
		return (-1);
	return (p[10] == '1');
}

/*
 * pid's cgroup, as the path below the mount point that cg_has() takes;
 * -1 when there is none to tell (no cgroup2 of ours, or pid is gone).
 */
int
cg_of(pid_t pid, char *buf, size_t len)
{
	char	path[64];

	if (cg_base == NULL)
		return (-1);
	snprintf(path, sizeof path, "/proc/%ld/cgroup", (long)pid);
	return (cg_read(path, buf, len));
}

/* Is the cgroup cg (from cg_of) the service directory dir, or below it? */
int
cg_has(const char *dir, const char *cg)
{
	size_t	n;

	if (dir == NULL || strlen(dir) < cg_mntlen)
		return (0);
	n = strlen(dir + cg_mntlen);
	return (strncmp(cg, dir + cg_mntlen, n) == 0 &&
	    (cg[n] == '\0' || cg[n] == '/'));
}

void
cg_remove(char *dir)
{
	if (dir == NULL)
		return;
	(void)rmdir(dir);
	free(dir);
}
