/*
 * A cgroup v2 per service, where the supervisor can make one: then a stop
 * that reaches SIGKILL kills everything the service started, even what
 * left its process group (cgroup.kill, Linux 5.14), and "stopped" means
 * the cgroup is empty.  Without a writable cgroup2, the process-group kill
 * and the reaping of orphans do the job alone.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sup.h"

static char	*cg_base;	/* our own directory of service cgroups */

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

/* Our cgroup in the v2 hierarchy: the "0::PATH" line. */
static int
cg_self(char *buf, size_t len)
{
	FILE	*fp;
	char	 line[4096];
	int	 found = 0;

	if ((fp = fopen("/proc/self/cgroup", "re")) == NULL)
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

/* Make our directory of service cgroups; 0 when cgroups are usable. */
int
cg_init(void)
{
	char	mnt[PATH_MAX], self[PATH_MAX], test[PATH_MAX + 64];

	if (cg_mountpoint(mnt, sizeof mnt) == -1 ||
	    cg_self(self, sizeof self) == -1)
		return (-1);
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

/* In the child, before exec: join the service's cgroup. */
void
cg_join(const char *dir)
{
	if (dir != NULL)
		(void)cg_write(dir, "cgroup.procs", "0\n");
}

/* Kill every process of the cgroup; -1 when that is not possible. */
int
cg_kill(const char *dir)
{
	if (dir == NULL)
		return (-1);
	return (cg_write(dir, "cgroup.kill", "1\n"));
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

void
cg_remove(char *dir)
{
	if (dir == NULL)
		return;
	(void)rmdir(dir);
	free(dir);
}
