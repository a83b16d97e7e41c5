/*
 * A cgroup v2 per service, where the supervisor can make one: then a stop
 * that reaches SIGKILL kills everything the service started, even what
 * left its process group (cgroup.kill, Linux 5.14), and "stopped" means
 * the cgroup is empty.  Without a writable cgroup2, the process-group kill
 * and the reaping of orphans do the job alone.
 *
 * The services' cgroups belong to one supervisor instance, and only one.
 * Their directory is warden-HASH-RAND beside the supervisor's cgroup:
 * HASH (16 hex digits, FNV-1a) of the boot id and the config's path,
 * stable for one config on one boot; RAND (8 hex digits) from getrandom,
 * new for each instance.  A pid is no name: in PID namespaces every
 * container's supervisor is pid 1, and a pid checked from one namespace
 * says nothing of another's.  The directory is made with mkdir, never
 * taken over when it exists (another RAND then), and its owner holds an
 * flock on it for its life; once locked, the owner writes its record,
 * "pid P start TICKS boot ID config PATH", in the user.warden.owner
 * xattr.  The sweep of what dead supervisors left removes only a
 * directory with a record whose lock it can take: a live owner, in any
 * namespace, holds it; the kernel drops it when the owner dies, SIGKILL
 * included.  A directory without a record is being made, or its owner
 * died in that instant: it is left alone, as are names of other shapes.
 */
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/xattr.h>

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

#define CG_PREFIX		"warden-"
#define CG_OWNER		"user.warden.owner"	/* the owner's record */
#define CG_HASHLEN		16
#define CG_RANDLEN		8

static char	*cg_base;	/* our own directory of service cgroups */
static size_t	 cg_mntlen;	/* the mount point's part of cg_base */
static int	 cg_lockfd = -1; /* cg_base, flocked while we live */

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

/* Is name n hex digits, then end (a character, or NUL)? */
static int
cg_hex(const char *name, size_t n, char end)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (!((name[i] >= '0' && name[i] <= '9') ||
		    (name[i] >= 'a' && name[i] <= 'f')))
			return (0);
	return (name[n] == end);
}

/* A directory of ours by its shape: warden-HASH-RAND. */
int
cg_name_ours(const char *name)
{
	size_t	n = strlen(CG_PREFIX);

	return (strncmp(name, CG_PREFIX, n) == 0 &&
	    cg_hex(name + n, CG_HASHLEN, '-') &&
	    cg_hex(name + n + CG_HASHLEN + 1, CG_RANDLEN, '\0'));
}

/* Remove the empty service cgroups in path, then path if it is empty. */
static void
cg_sweep_dir(const char *path)
{
	DIR		*sd;
	struct dirent	*se;
	char		 sub[PATH_MAX + 256];

	if ((sd = opendir(path)) != NULL) {
		while ((se = readdir(sd)) != NULL) {
			if (se->d_type != DT_DIR || se->d_name[0] == '.')
				continue;
			snprintf(sub, sizeof sub, "%s/%s", path, se->d_name);
			(void)rmdir(sub);	/* fails while populated */
		}
		closedir(sd);
	}
	(void)rmdir(path);
}

/*
 * Remove what dead supervisors left: a directory of ours with an owner's
 * record and no lock, and the empty service cgroups in it.  A service
 * still running there is left alone (and its cgroup with it).
 */
static void
cg_sweep(const char *parent)
{
	DIR		*d;
	struct dirent	*de;
	char		 path[PATH_MAX];
	int		 fd;

	if ((d = opendir(parent)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (!cg_name_ours(de->d_name))
			continue;
		snprintf(path, sizeof path, "%s/%s", parent, de->d_name);
		if ((fd = open(path, O_RDONLY|O_DIRECTORY|O_CLOEXEC)) == -1)
			continue;
		/* Locked: its owner lives.  No record: it is being made. */
		if (flock(fd, LOCK_EX|LOCK_NB) == 0 &&
		    fgetxattr(fd, CG_OWNER, NULL, 0) > 0)
			cg_sweep_dir(path);
		close(fd);
	}
	closedir(d);
}

/* FNV-1a over s, from h. */
static uint64_t
cg_hash(uint64_t h, const char *s)
{
	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ULL;
	}
	return (h);
}

/* The kernel's boot id, or "" when it cannot be read. */
void
cg_boot_id(char *buf, size_t len)
{
	FILE	*fp;

	buf[0] = '\0';
	if ((fp = fopen("/proc/sys/kernel/random/boot_id", "re")) == NULL)
		return;
	if (fgets(buf, (int)len, fp) == NULL)
		buf[0] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	fclose(fp);
}

/*
 * The stable half of our directory's name: a hash of the boot id and the
 * config's path (made absolute when it can be).  Both go in the record.
 */
static uint64_t
cg_config_hash(const char *cfgpath, char *boot, size_t blen, char *real,
    size_t rlen)
{
	char	abs[PATH_MAX];

	cg_boot_id(boot, blen);
	if (realpath(cfgpath, abs) == NULL)
		snprintf(abs, sizeof abs, "%s", cfgpath);
	snprintf(real, rlen, "%s", abs);
	return (cg_hash(cg_hash(cg_hash(0xcbf29ce484222325ULL, boot), "\n"),
	    real));
}

/*
 * Make parent/warden-HASH-RAND, with a RAND no directory has, lock it and
 * write the owner's record; the lock's fd in *fdp.  NULL on failure.
 */
static char *
cg_make_own(const char *parent, const char *cfgpath, int *fdp)
{
	struct wd_proc_stat	 st;
	char			 boot[64], real[PATH_MAX], *dir, *rec;
	uint64_t		 h;
	uint32_t		 r;
	int			 i, fd = -1;

	h = cg_config_hash(cfgpath, boot, sizeof boot, real, sizeof real);
	for (i = 0; ; i++) {
		if (getrandom(&r, sizeof r, 0) != sizeof r)
			r = (uint32_t)getpid() ^ (uint32_t)(mono_now() * 1e6) ^
			    (uint32_t)i;
		xasprintf(&dir, "%s/" CG_PREFIX "%016llx-%08x", parent,
		    (unsigned long long)h, (unsigned int)r);
		if (mkdir(dir, 0755) == 0)
			break;
		free(dir);
		if (errno != EEXIST || i == 16)
			return (NULL);
	}
	/* A sweep may hold the lock an instant: it finds no record yet. */
	if ((fd = open(dir, O_RDONLY|O_DIRECTORY|O_CLOEXEC)) == -1 ||
	    flock(fd, LOCK_EX) == -1)
		goto fail;
	if (wd_proc_stat(getpid(), &st) == -1)
		st.starttime = 0;
	xasprintf(&rec, "pid %ld start %llu boot %s config %s",
	    (long)getpid(), st.starttime, boot, real);
	i = fsetxattr(fd, CG_OWNER, rec, strlen(rec), XATTR_CREATE);
	free(rec);
	if (i == -1)
		goto fail;
	*fdp = fd;
	return (dir);
fail:
	if (fd != -1)
		close(fd);
	(void)rmdir(dir);
	free(dir);
	return (NULL);
}

/*
 * Take over dir, the directory a dead supervisor of the same config left
 * (adoption, state.c): one of ours by its shape, beside ours, with this
 * config's hash, and a lock nobody holds.  Its record becomes ours.
 */
static char *
cg_take(const char *parent, const char *dir, const char *cfgpath, int *fdp)
{
	struct wd_proc_stat	 st;
	const char		*name = strrchr(dir, '/');
	char			 boot[64], real[PATH_MAX], hash[CG_HASHLEN + 1];
	char			*rec;
	int			 fd, rv;

	if (name == NULL || !cg_name_ours(++name) ||
	    strncmp(dir, parent, strlen(parent)) != 0 ||
	    dir[strlen(parent)] != '/' || name != dir + strlen(parent) + 1)
		return (NULL);
	snprintf(hash, sizeof hash, "%016llx", (unsigned long long)
	    cg_config_hash(cfgpath, boot, sizeof boot, real, sizeof real));
	if (strncmp(name + strlen(CG_PREFIX), hash, CG_HASHLEN) != 0)
		return (NULL);
	if ((fd = open(dir, O_RDONLY|O_DIRECTORY|O_CLOEXEC)) == -1)
		return (NULL);
	if (flock(fd, LOCK_EX|LOCK_NB) == -1) {
		close(fd);		/* its owner lives */
		return (NULL);
	}
	if (wd_proc_stat(getpid(), &st) == -1)
		st.starttime = 0;
	xasprintf(&rec, "pid %ld start %llu boot %s config %s",
	    (long)getpid(), st.starttime, boot, real);
	rv = fsetxattr(fd, CG_OWNER, rec, strlen(rec), 0);
	free(rec);
	if (rv == -1) {
		close(fd);
		return (NULL);
	}
	*fdp = fd;
	return (xstrdup(dir));
}

static char	*cg_wanted;	/* the directory to take over, or NULL */

/* Before cg_init: take over dir (from the state file) if it can be. */
void
cg_prefer(const char *dir)
{
	free(cg_wanted);
	cg_wanted = dir != NULL ? xstrdup(dir) : NULL;
}

/* Our directory of service cgroups, or NULL. */
const char *
cg_dir(void)
{
	return (cg_base);
}

/*
 * Make our directory of service cgroups, for the config at cfgpath (or
 * take over the one cg_prefer named); 0 when cgroups are usable.
 */
int
cg_init(const char *cfgpath)
{
	char	mnt[PATH_MAX], self[PATH_MAX], parent[PATH_MAX * 2];
	char	test[PATH_MAX + 64];

	if (cg_mountpoint(mnt, sizeof mnt) == -1 ||
	    cg_read("/proc/self/cgroup", self, sizeof self) == -1)
		return (-1);
	snprintf(parent, sizeof parent, "%s%s", mnt, strcmp(self, "/") == 0 ?
	    "" : self);
	cg_mntlen = strlen(mnt);
	if (cg_wanted != NULL)
		cg_base = cg_take(parent, cg_wanted, cfgpath, &cg_lockfd);
	cg_prefer(NULL);
	cg_sweep(parent);
	if (cg_base == NULL &&
	    (cg_base = cg_make_own(parent, cfgpath, &cg_lockfd)) == NULL)
		return (-1);
	/* cgroup.kill must be there for this to be worth it. */
	snprintf(test, sizeof test, "%s/cgroup.kill", cg_base);
	if (access(test, W_OK) == -1) {
		cg_fini();
		return (-1);
	}
	return (0);
}

/* Our directory goes, then its lock. */
void
cg_fini(void)
{
	if (cg_base == NULL)
		return;
	(void)rmdir(cg_base);
	free(cg_base);
	cg_base = NULL;
	close(cg_lockfd);
	cg_lockfd = -1;
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

/* One small cgroup file under dfd, read once; its length, or -1. */
static ssize_t
cg_read_at(int dfd, const char *rel, const char *file, char *buf, size_t len)
{
	char	path[PATH_MAX];
	ssize_t	n;
	int	fd;

	if ((size_t)snprintf(path, sizeof path, "%s/%s", rel, file) >=
	    sizeof path)
		return (-1);
	if ((fd = openat(dfd, path, O_RDONLY|O_NOCTTY|O_CLOEXEC)) == -1)
		return (-1);
	n = read(fd, buf, len - 1);
	close(fd);
	if (n <= 0)
		return (-1);
	buf[n] = '\0';
	return (n);
}

/* A small file of dir into buf, NUL-terminated: its length, or -1. */
static ssize_t
cg_read_file(const char *dir, const char *name, char *buf, size_t len)
{
	if (dir == NULL)
		return (-1);
	return (cg_read_at(AT_FDCWD, dir, name, buf, len));
}

/* Is any process left in the cgroup?  -1 when it cannot tell. */
int
cg_populated(const char *dir)
{
	char	buf[256], *p;

	if (cg_read_file(dir, "cgroup.events", buf, sizeof buf) == -1)
		return (-1);
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


/*
 * What the cgroup rel (below the directory dfd) uses: memory.current and
 * cpu.stat's usage_usec, each read in one read(2); a file that is not
 * there (a controller not enabled) leaves its flag clear.
 */
void
cg_usage_at(int dfd, const char *rel, struct cg_usage *u)
{
	char	 buf[1024], *p, *end;

	memset(u, 0, sizeof *u);
	if (cg_read_at(dfd, rel, "memory.current", buf, sizeof buf) > 0) {
		u->memory = strtoull(buf, &end, 10);
		u->has_memory = end != buf && (*end == '\n' || *end == '\0');
	}
	if (cg_read_at(dfd, rel, "cpu.stat", buf, sizeof buf) > 0) {
		p = buf;
		while (p != NULL && strncmp(p, "usage_usec ", 11) != 0)
			if ((p = strchr(p, '\n')) != NULL)
				p++;
		if (p != NULL) {
			u->cpu_usec = strtoull(p + 11, &end, 10);
			u->has_cpu = end != p + 11;
		}
	}
}

/* What a service's cgroup dir (from cg_service) uses; 0s without one. */
void
cg_usage(const char *dir, struct cg_usage *u)
{
	size_t	n;

	memset(u, 0, sizeof *u);
	if (dir == NULL)
		return;
	n = cg_base != NULL ? strlen(cg_base) : 0;
	if (cg_base != NULL && cg_lockfd != -1 &&
	    strncmp(dir, cg_base, n) == 0 && dir[n] == '/')
		cg_usage_at(cg_lockfd, dir + n + 1, u);	/* below our own */
	else
		cg_usage_at(AT_FDCWD, dir, u);		/* by its path */
}
