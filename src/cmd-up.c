/*
 * warden up: read and check the config, take the supervisor's lock, bind
 * the control socket and the HTTP servers (every error reaching the
 * shell), detach with libwarden and return once the autostart services
 * have settled.  The only door into src/sup/.
 */
#include <sys/stat.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "warden.h"
#include "sup/sup.h"
#include "sup/httpd.h"

/*
 * The hooks warden up gives the supervisor: each goes to the control
 * socket (control.c), then to the HTTP servers (httpd.c).
 */
static int
up_hook_start(struct sup *sup)
{
	if (ctl_hooks.start(sup) == -1)
		return (-1);
	return (httpd_hooks.start(sup));
}

/* A service changed state: both are told. */
static void
up_hook_changed(struct sup *sup)
{
	ctl_hooks.changed(sup);
	httpd_hooks.changed(sup);
}

/* A service is freed next: neither may keep pointing at it. */
static void
up_hook_forget(struct sup *sup, struct svc *s)
{
	ctl_hooks.forget(sup, s);
	httpd_hooks.forget(sup, s);
}

/* The supervisor leaves: both end their clients. */
static void
up_hook_stop(struct sup *sup)
{
	ctl_hooks.stop(sup);
	httpd_hooks.stop(sup);
}

static const struct sup_hooks up_hooks = {
	up_hook_start, up_hook_changed, up_hook_forget, up_hook_stop
};

/* An HTTP server's line of "warden up --check". */
static void
up_check_http(const char *section, const struct cfg_http *h)
{
	if (!h->on)
		return;
	printf("%s ", section);
	if (h->file != NULL) {
		printf("unix://%s chmod %04o", h->file, h->mode);
		if (h->uid != (uid_t)-1)
			printf(" chown %lu", (unsigned long)h->uid);
		if (h->gid != (gid_t)-1)
			printf(":%lu", (unsigned long)h->gid);
	} else
		printf("http://%s:%d", *h->host != '\0' ? h->host : "*",
		    h->port);
	printf(", %s\n", h->username != NULL ? "password required" :
	    "no authentication");
}

/* Print what would run: "warden up --check". */
static void
up_check_print(struct config *cf)
{
	struct cfg_proc	*p;
	char		**a;

	printf("%s: configuration OK\n", cf->path);
	printf("socket %s, pidfile %s\n", cf->socket, cf->pidfile);
	up_check_http("unix_http_server", &cf->unix_http);
	up_check_http("inet_http_server", &cf->inet_http);
	TAILQ_FOREACH(p, &cf->procs, entry) {
		printf("%-24s group %-12s priority %-4d %s ", p->name,
		    p->group, p->priority, p->autostart ? "autostart" :
		    "manual   ");
		for (a = p->argv; *a != NULL; a++)
			printf("%s%s", a == p->argv ? "" : " ", *a);
		putchar('\n');
	}
}

/* mkdir -p for the run directory, 0700 where we create it. */
static int
up_mkdirs(const char *path)
{
	char	buf[PATH_MAX], *p;

	if (strlen(path) >= sizeof buf)
		return (errno = ENAMETOOLONG, -1);
	strcpy(buf, path);
	for (p = buf + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0700) == -1 && errno != EEXIST)
			return (-1);
		*p = '/';
	}
	if (mkdir(buf, 0700) == -1 && errno != EEXIST)
		return (-1);
	return (0);
}

/* The config named by -c, or found in the default places. */
static char *
up_config_path(const char *given)
{
	char	*path;
	int	 in_cwd = 0;

	if (given != NULL)
		return (xstrdup(given));
	if ((path = cfg_find(&in_cwd)) == NULL)
		errx(1, "no config file found (warden.conf, supervisord.conf);"
		    " use -c FILE");
	if (in_cwd && geteuid() == 0) {
		warnx("refusing %s from the current directory as root "
		    "without -c", path);
		free(path);
		exit(1);
	}
	return (path);
}

/*
 * Supervise until the end, then let go of the socket and the pidfile.
 * Those fds, and the log's, are what "warden reexec" keeps.
 */
static int
up_supervise(struct config *cf, struct wd_pidfile *pf, int ctlfd, int logfd,
    int foreground)
{
	int	rv;

	state_keep(pf->fd, ctlfd, logfd);
	rv = sup_main(cf, &up_hooks, ctlfd, logfd, foreground);
	httpd_close();
	(void)unlink(cf->socket);
	close(ctlfd);
	wd_pidfile_remove(pf);
	cfg_free(cf);
	return (rv);
}

/*
 * After "warden reexec" (state.c): the pidfile, its lock, the control
 * socket and the log are the last self's, their fds named by
 * WARDEN_REEXEC; the HTTP servers are bound again.  Already detached:
 * the supervisor goes on at once.
 */
static int
up_reexec(struct config *cf, const char *v, int foreground)
{
	struct wd_pidfile	 pf;
	struct stat		 sb;
	char			*cause = NULL;
	int			 pidfd, ctlfd, logfd;

	unsetenv("WARDEN_REEXEC");	/* not for the services */
	if (state_reexec_fds(v, &pidfd, &ctlfd, &logfd) == -1 ||
	    fstat(pidfd, &sb) == -1)
		errx(1, "WARDEN_REEXEC: %s: not a reexec's", v);
	memset(&pf, 0, sizeof pf);
	pf.fd = pidfd;
	pf.dev = sb.st_dev;
	pf.ino = sb.st_ino;
	snprintf(pf.path, sizeof pf.path, "%s", cf->pidfile);
	(void)fcntl(pidfd, F_SETFD, FD_CLOEXEC);
	(void)fcntl(ctlfd, F_SETFD, FD_CLOEXEC);
	if (logfd >= 0)
		(void)fcntl(logfd, F_SETFD, FD_CLOEXEC);
	else
		logfd = -1;
	if (httpd_listen(cf, &cause) == -1) {
		warnx("%s", cause);	/* the control socket still answers */
		free(cause);
	}
	return (up_supervise(cf, &pf, ctlfd, logfd, foreground));
}

int
cmd_up(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "foreground", no_argument, NULL, 'F' },
		{ "check", no_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 }
	};
	struct wd_daemon_conf	 dc;
	struct wd_pidfile	 pf;
	struct config		*cf;
	const char		*given = NULL;
	char			*path, *cause = NULL;
	int			 ch, foreground = 0, check = 0, i;
	int			 keep[3 + HTTPD_MAXSRV], nkeep;
	int			 logfd = -1, ctlfd;

	while ((ch = getopt_long(argc, argv, "c:Fn", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			given = optarg;
			break;
		case 'F':
			foreground = 1;
			break;
		case 'n':
			check = 1;
			break;
		default:
			return (CMD_USAGE);
		}
	}
	if (optind != argc)
		return (CMD_USAGE);
	path = up_config_path(given);
	if (cfg_load(path, &cf, &cause) == -1) {
		warnx("%s", cause);
		free(cause);
		free(path);
		return (1);
	}
	free(path);
	for (i = 0; i < cf->nwarnings; i++)
		warnx("%s", cf->warnings[i]);
	if (cf->nodaemon)
		foreground = 1;		/* [supervisord] nodaemon=true: -F */
	if (check) {
		up_check_print(cf);
		cfg_free(cf);
		return (0);
	}
	if (getenv("WARDEN_REEXEC") != NULL)
		return (up_reexec(cf, getenv("WARDEN_REEXEC"), foreground));
	if (up_mkdirs(cf->rundir) == -1)
		err(1, "%s", cf->rundir);
	if (wd_pidfile_open(&pf, cf->pidfile) == -1) {
		pid_t pid;

		if (errno == EEXIST && (pid = wd_pidfile_read(cf->pidfile)) > 0)
			errx(1, "already running, pid %ld", (long)pid);
		if (errno == EEXIST)
			errx(1, "already running (%s is locked)", cf->pidfile);
		err(1, "%s", cf->pidfile);
	}
	/* We hold the lock: a socket no one answers on is stale. */
	if (ctl_alive(cf->socket))
		errx(1, "already running: %s answers", cf->socket);
	(void)unlink(cf->socket);
	if ((ctlfd = ctl_listen(cf->socket, 0700, &cause)) == -1) {
		warnx("%s", cause);
		free(cause);
		wd_pidfile_remove(&pf);
		return (1);
	}
	if (httpd_listen(cf, &cause) == -1) {
		warnx("%s", cause);
		free(cause);
		close(ctlfd);
		(void)unlink(cf->socket);
		wd_pidfile_remove(&pf);
		return (1);
	}
	if (cf->logfile != NULL && (logfd = open(cf->logfile,
	    O_WRONLY|O_APPEND|O_CREAT|O_CLOEXEC|O_NOCTTY, 0644)) == -1) {
		warn("%s", cf->logfile);
		httpd_close();
		close(ctlfd);
		(void)unlink(cf->socket);
		wd_pidfile_remove(&pf);
		return (1);
	}
	memset(&dc, 0, sizeof dc);
	dc.umask = cf->umask;
	nkeep = 0;
	keep[nkeep++] = pf.fd;
	keep[nkeep++] = ctlfd;
	if (logfd != -1)
		keep[nkeep++] = logfd;
	nkeep += httpd_fds(keep + nkeep, HTTPD_MAXSRV);
	dc.keep_fds = keep;
	dc.nkeep_fds = nkeep;
	if (foreground)
		dc.flags |= WD_DAEMON_FOREGROUND | WD_DAEMON_NOCLOSE;
	if (cf->user != NULL)
		dc.user = cf->user;
	if (wd_daemonize(&dc) == -1)
		err(1, "daemonize");
	if (wd_pidfile_write(&pf, getpid()) == -1)
		err(1, "%s", pf.path);
	return (up_supervise(cf, &pf, ctlfd, logfd, foreground));
}
