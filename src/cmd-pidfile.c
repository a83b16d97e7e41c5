/*
 * warden stop and status with --pidfile: a daemon "warden run" started
 * (or any daemon with a pidfile), found by its pidfile.  Without
 * --pidfile, both are the supervisor's verbs (cmd-ctl.c).
 */
#include <sys/syscall.h>

#include <dirent.h>
#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "warden.h"


/* The daemon's name in messages: the pidfile's, less any ".pid". */
static const char *
pidfile_name(const char *path, char *buf, size_t len)
{
	const char	*base = strrchr(path, '/');
	char		*dot;

	snprintf(buf, len, "%s", base ? base + 1 : path);
	if ((dot = strrchr(buf, '.')) != NULL && strcmp(dot, ".pid") == 0 &&
	    dot != buf)
		*dot = '\0';
	return (buf);
}

/* Is -p or --pidfile among the words (else the supervisor is meant)? */
static int
pidfile_given(int argc, char **argv)
{
	int	i;

	for (i = 1; i < argc; i++)
		if (strncmp(argv[i], "-p", 2) == 0 ||
		    strncmp(argv[i], "--pidfile", 9) == 0)
			return (1);
	return (0);
}

/* Is pid a warden monitor (the same executable as us)? */
static int
pidfile_is_monitor(pid_t pid)
{
	char	self[PATH_MAX], exe[PATH_MAX];

	if (wd_proc_exe(getpid(), self, sizeof self) == -1 ||
	    wd_proc_exe(pid, exe, sizeof exe) == -1)
		return (0);
	return (strcmp(self, exe) == 0);
}

/* The first child of pid: the command a monitor runs. */
static pid_t
pidfile_child_of(pid_t pid)
{
	struct wd_proc_stat	 st;
	struct dirent		*de;
	DIR			*d;
	pid_t			 found = -1, p;

	if ((d = opendir("/proc")) == NULL)
		return (-1);
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		p = (pid_t)atol(de->d_name);
		if (wd_proc_stat(p, &st) == 0 && st.ppid == pid &&
		    st.state != 'Z') {
			found = p;
			break;
		}
	}
	closedir(d);
	return (found);
}

/* A pidfd for pid: signals to it cannot reach a recycled pid. */
static int
pidfile_pidfd_open(pid_t pid)
{
	return ((int)syscall(SYS_pidfd_open, pid, 0));
}

/* Send sig to the process behind pidfd. */
static int
pidfile_pidfd_signal(int pidfd, int sig)
{
	return ((int)syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0));
}

/* Wait until the process behind pidfd exits, up to secs. 1: it did. */
static int
pidfile_wait_pidfd(int pidfd, double secs)
{
	struct pollfd	pfd;
	int		n;

	pfd.fd = pidfd;
	pfd.events = POLLIN;
	while ((n = poll(&pfd, 1, (int)(secs * 1000))) == -1 && errno == EINTR)
		;
	return (n == 1);
}

/*
 * Remove a pidfile that names pid (or nothing live), taking its lock.
 * Returns 1 when it was removed.
 */
static int
pidfile_drop(const char *path, pid_t pid)
{
	struct wd_pidfile	pf;
	pid_t			cur;

	if (wd_pidfile_open(&pf, path) == -1)
		return (0);
	if (wd_pidfile_state(&pf, &cur) != WD_PID_RUNNING &&
	    (cur == pid || cur == 0 || pid == 0))
		return (wd_pidfile_remove(&pf) == 0);
	wd_pidfile_close(&pf);
	return (0);
}

/* Wait until no process of group pgid is left, up to secs: 0, or -1. */
static int
pidfile_wait_group(pid_t pgid, double secs)
{
	struct timespec	ts = { 0, 10000000 };
	double		waited;

	/* No event tells a group is empty: this is a bounded poll. */
	for (waited = 0; waited < secs; waited += 0.01) {
		if (kill(-pgid, 0) == -1)
			return (0);
		nanosleep(&ts, NULL);
	}
	return (kill(-pgid, 0) == -1 ? 0 : -1);
}

/* SIGKILL the process group pgid, never init's or our own. */
static void
pidfile_kill_group(pid_t pgid)
{
	if (pgid > 1 && pgid != getpgrp())
		kill(-pgid, SIGKILL);
}

/*
 * warden stop --pidfile FILE [--signal SIG] [--timeout SEC]: signal the
 * daemon, then SIGKILL what is left of it after the timeout.
 */
int
cmd_stop(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "pidfile", required_argument, NULL, 'p' },
		{ "signal", required_argument, NULL, 's' },
		{ "timeout", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 }
	};
	struct wd_proc_stat	 st;
	const char		*path = NULL;
	char			 name[256];
	double			 timeout = STOP_TIMEOUT;
	pid_t			 pid, child = -1, pgid, cpgid = -1;
	int			 ch, sig = SIGTERM, state, pidfd;

	if (!pidfile_given(argc, argv))
		return (ctl_main("stop", argc, argv));
	while ((ch = getopt_long(argc, argv, "p:s:t:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'p':
			path = optarg;
			break;
		case 's':
			if ((sig = wd_sig_number(optarg)) == -1) {
				warnx("--signal: unknown signal: %s", optarg);
				return (EXIT_USAGE);
			}
			break;
		case 't':
			if (parse_seconds(optarg, &timeout) == -1) {
				warnx("--timeout: not a number of seconds: %s",
				    optarg);
				return (EXIT_USAGE);
			}
			break;
		default:
			return (CMD_USAGE);
		}
	}
	if (path == NULL || optind != argc)
		return (CMD_USAGE);
	pidfile_name(path, name, sizeof name);
	if ((state = wd_pidfile_check(path, &pid)) == -1)
		err(1, "%s", path);
	if (state != WD_PID_RUNNING || pid <= 0) {
		fprintf(stderr, "warden: %s: not running%s\n", name,
		    state != WD_PID_STALE ? "" : pidfile_drop(path, pid) ?
		    " (stale pidfile removed)" : " (stale pidfile left: "
		    "it cannot be locked)");
		return (0);
	}
	/* Pin the process, then make sure it is still the one named. */
	if ((pidfd = pidfile_pidfd_open(pid)) == -1)
		err(1, "pidfd_open %ld", (long)pid);
	if (wd_pidfile_check(path, &pgid) != WD_PID_RUNNING || pgid != pid)
		errx(1, "%s: pidfile changed while stopping; not touching it",
		    name);
	pgid = wd_proc_stat(pid, &st) == 0 ? st.pgrp : -1;
	if (pidfile_is_monitor(pid) && (child = pidfile_child_of(pid)) > 0)
		cpgid = wd_proc_stat(child, &st) == 0 ? st.pgrp : -1;
	if (pidfile_pidfd_signal(pidfd, sig) == -1)
		err(1, "kill %ld", (long)pid);
	if (sig != SIGCONT && sig != SIGKILL)
		(void)pidfile_pidfd_signal(pidfd, SIGCONT);
	if (sig == SIGKILL)
		pidfile_kill_group(cpgid);	/* the monitor cannot pass it on */
	if (!pidfile_wait_pidfd(pidfd, timeout)) {
		warnx("%s: still running after %g s; killing process group %ld",
		    name, timeout, (long)pgid);
		pidfile_kill_group(pgid);
		pidfile_kill_group(cpgid);
		(void)pidfile_pidfd_signal(pidfd, SIGKILL);
		if (!pidfile_wait_pidfd(pidfd, 5))
			errx(1, "%s: pid %ld survived SIGKILL", name, (long)pid);
	}
	close(pidfd);
	/* Whatever the monitor left of its command goes too. */
	if (cpgid > 1 && kill(-cpgid, 0) == 0) {
		kill(-cpgid, SIGTERM);
		kill(-cpgid, SIGCONT);
		if (pidfile_wait_group(cpgid, timeout) == -1)
			pidfile_kill_group(cpgid);
	}
	(void)pidfile_drop(path, pid);
	return (0);
}

/* Seconds since the epoch at which a process started. */
static time_t
pidfile_since(const struct wd_proc_stat *st)
{
	struct timespec	real, boot;

	clock_gettime(CLOCK_REALTIME, &real);
	clock_gettime(CLOCK_BOOTTIME, &boot);
	return (real.tv_sec - (time_t)((double)boot.tv_sec +
	    (double)boot.tv_nsec / 1e9 - wd_proc_started(st)));
}

/* secs as an uptime: 42s, 5m03s, 2h07m, 3d04h. */
static void
pidfile_uptime(time_t secs, char *buf, size_t len)
{
	if (secs < 60)
		snprintf(buf, len, "%lds", (long)secs);
	else if (secs < 3600)
		snprintf(buf, len, "%ldm%02lds", (long)secs / 60,
		    (long)secs % 60);
	else if (secs < 86400)
		snprintf(buf, len, "%ldh%02ldm", (long)secs / 3600,
		    (long)(secs % 3600) / 60);
	else
		snprintf(buf, len, "%ldd%02ldh", (long)secs / 86400,
		    (long)(secs % 86400) / 3600);
}

/*
 * warden status --pidfile FILE [--json]: one line (or JSON object) and
 * the LSB code: 0 running, 1 dead with a pidfile, 3 stopped, 4 unknown.
 */
int
cmd_status(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "pidfile", required_argument, NULL, 'p' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 }
	};
	struct wd_proc_stat	 st;
	const char		*path = NULL, *state_name;
	char			 name[256], up[32], desc[128];
	pid_t			 pid, child = -1;
	time_t			 since = 0;
	int			 ch, json = 0, state, rc;

	if (!pidfile_given(argc, argv))
		return (ctl_main("status", argc, argv));
	while ((ch = getopt_long(argc, argv, "p:j", longopts, NULL)) != -1) {
		switch (ch) {
		case 'p':
			path = optarg;
			break;
		case 'j':
			json = 1;
			break;
		default:
			return (CMD_USAGE);
		}
	}
	if (path == NULL || optind != argc)
		return (CMD_USAGE);
	pidfile_name(path, name, sizeof name);
	state = wd_pidfile_check(path, &pid);
	desc[0] = '\0';
	switch (state) {
	case WD_PID_RUNNING:
		rc = 0;
		state_name = "RUNNING";
		if (pid > 0 && wd_proc_stat(pid, &st) == 0) {
			since = pidfile_since(&st);
			pidfile_uptime(time(NULL) - since, up, sizeof up);
			if (pidfile_is_monitor(pid) &&
			    (child = pidfile_child_of(pid)) > 0)
				snprintf(desc, sizeof desc, "pid %ld, uptime %s, "
				    "monitor of pid %ld", (long)pid, up,
				    (long)child);
			else if (pidfile_is_monitor(pid))
				snprintf(desc, sizeof desc, "pid %ld, uptime %s, "
				    "monitor, command restarting", (long)pid, up);
			else
				snprintf(desc, sizeof desc, "pid %ld, uptime %s",
				    (long)pid, up);
		} else
			snprintf(desc, sizeof desc, "starting");
		break;
	case WD_PID_STALE:
		rc = 1;
		state_name = "EXITED";
		if (pid > 0)
			snprintf(desc, sizeof desc, "not running; stale pidfile "
			    "names pid %ld", (long)pid);
		else
			snprintf(desc, sizeof desc, "not running; the pidfile "
			    "names no pid");
		pid = 0;
		break;
	case WD_PID_NONE:
		rc = 3;
		state_name = "STOPPED";
		snprintf(desc, sizeof desc, "not running");
		pid = 0;
		break;
	default:
		rc = 4;
		state_name = "UNKNOWN";
		snprintf(desc, sizeof desc, "%s: %s", path, strerror(errno));
		pid = 0;
	}
	if (json) {
		printf("{\"services\": [{\"name\": ");
		json_string(stdout, name);
		printf(", \"group\": null, \"state\": \"%s\", \"pid\": ",
		    state_name);
		if (pid > 0)
			printf("%ld", (long)pid);
		else
			printf("null");
		if (since > 0)
			printf(", \"since\": %lld", (long long)since);
		else
			printf(", \"since\": null");
		printf(", \"exit_status\": null, \"restarts\": null, "
		    "\"ready\": %s, \"description\": ", rc == 0 ? "true" :
		    "false");
		json_string(stdout, desc);
		printf("}]}\n");
	} else
		printf("%-16s %-8s %s\n", name, state_name, desc);
	return (rc);
}
