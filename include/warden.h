/*
 * Copyright (c) 2026 The warden authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 *
 * THE SOFTWARE IS PROVIDED "AS IS" AND THE AUTHOR DISCLAIMS ALL WARRANTIES
 * WITH REGARD TO THIS SOFTWARE INCLUDING ALL IMPLIED WARRANTIES OF
 * MERCHANTABILITY AND FITNESS.
 */

/*
 * libwarden: make a Linux process a correct daemon.
 *
 * Every function follows the system-call convention: 0 (or a useful value)
 * on success, -1 with errno set on failure.  The library never prints and
 * never exits, except for the launching process of wd_daemonize(), whose
 * whole job is to wait and then exit with the daemon's verdict.
 */

#ifndef WARDEN_H
#define WARDEN_H

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__) && defined(WD_BUILDING)
#define WD_EXPORT __attribute__((visibility("default")))
#else
#define WD_EXPORT
#endif

#define WARDEN_VERSION		"0.1.0"

/*
 * Exit statuses of the launching process of wd_daemonize().
 */
#define WD_EXIT_OK		0	/* the daemon said it is ready */
#define WD_EXIT_FAIL		1	/* it failed or died before that */
#define WD_EXIT_TIMEOUT		124	/* not ready within ready_timeout */

/* wd_daemonize() flags. */
#define WD_DAEMON_FOREGROUND	0x01	/* every step but fork and setsid */
#define WD_DAEMON_NOCHDIR	0x02	/* keep the working directory */
#define WD_DAEMON_NOCLOSE	0x04	/* keep fds 0-2 as they are */
#define WD_DAEMON_CLEARENV	0x08	/* environment = conf->envp only */
#define WD_DAEMON_NOWAIT	0x10	/* ready as soon as set up (daemon(3)) */
#define WD_DAEMON_KEEPSIGS	0x20	/* keep signal dispositions and mask */

/*
 * How to become a daemon.  A zeroed struct (or NULL) asks for the defaults
 * of daemon(7): umask 0, working directory /, stdio on /dev/null, no
 * pidfile, the environment kept, no privilege change.
 */
struct wd_daemon_conf {
	const char	 *pidfile;	/* locked for the daemon's life; NULL: none */
	const char	 *dir;		/* working directory; NULL: "/" */
	const char	 *output;	/* stdout+stderr once ready; NULL: /dev/null */
	const char	 *user;		/* "user[:group]" to become; NULL: stay */
	int		  umask;	/* file mode mask, or -1 for 0 */
	int		  flags;	/* WD_DAEMON_* */
	const int	 *keep_fds;	/* extra fds the daemon keeps open */
	int		  nkeep_fds;
	char *const	 *envp;		/* set (or, with CLEARENV, the whole env) */
	unsigned int	  ready_timeout; /* seconds the launcher waits; 0: forever */
};

/*
 * Turn the calling process into a daemon, in this order: ensure fds 0-2;
 * look the user up; open the directory; lock the pidfile (before forking,
 * so "already running" reaches the caller as EEXIST); open the output;
 * fork, setsid, fork; reset every signal disposition (SIG_IGN included);
 * close every fd but 0-2, the pidfile and keep_fds; stdin on /dev/null,
 * stdout on the output, stderr relayed to the launching process; umask;
 * chdir; environment; write the pidfile from the final process; drop
 * privileges (setgroups, setresgid, setresuid, then verified); and empty
 * the signal mask last.
 *
 * The original process never returns: it copies the daemon's stderr to its
 * own until the daemon calls wd_ready() (exit 0) or wd_fail() or dies
 * (exit with its status, 128+N for signal N), or ready_timeout passes
 * (exit 124, the daemon stopped).  Interrupted by INT, TERM, HUP or QUIT,
 * it stops the daemon and exits 128+N.
 *
 * Returns 0 in the daemon.  Returns -1 with errno set in the original
 * process when nothing could be started (EEXIST: the pidfile is locked by
 * a running daemon, see wd_pidfile_read()), or in the daemon when a step
 * after the fork failed; in both cases the caller's stderr still reaches
 * the terminal, so err(1, ...) is the right reaction.
 */
WD_EXPORT int	wd_daemonize(const struct wd_daemon_conf *conf);

/*
 * Report readiness to the launching process and move stderr to the
 * output target (unless WD_DAEMON_NOCLOSE).  Sends READY=1 on
 * $NOTIFY_SOCKET too, when that is set, whether or not the process was
 * started by wd_daemonize().
 */
WD_EXPORT int	wd_ready(void);

/*
 * Report failure: the launching process exits at once with status (1 if
 * status is not in 1..255).  Write the reason to stderr *before* calling
 * it; then exit.
 */
WD_EXPORT int	wd_fail(int status);

/*
 * Remove the pidfile written by wd_daemonize(), if it is still ours (or
 * empty it, when a dropped privilege forbids the unlink), and release its
 * lock.  Call on a clean exit.
 */
WD_EXPORT int	wd_cleanup(void);

/*
 * daemon(3)'s signature, done right: double fork, signals and mask reset,
 * fds >= 3 closed, stdio on /dev/null unless noclose, chdir("/") unless
 * nochdir, umask 0.  The parent exits 0 once the daemon is set up, or
 * with the daemon's status if it failed first.  Returns 0 in the daemon;
 * -1 with errno on failure, in the parent (nothing started) or in the
 * daemon (a step after the fork).
 */
WD_EXPORT int	wd_daemon(int nochdir, int noclose);

/*
 * Pidfiles.  Opened O_NOFOLLOW|O_CLOEXEC|O_NONBLOCK, refused unless a
 * regular file with one link in a directory that no other user can write
 * (EPERM), locked with flock(2) for as long as the fd stays open.
 */
struct wd_pidfile {
	int		 fd;
	dev_t		 dev;
	ino_t		 ino;
	char		 path[4096];	/* PATH_MAX: absolute path of the file */
};

/* What wd_pidfile_check() found. */
#define WD_PID_NONE	0	/* no pidfile, or an empty one */
#define WD_PID_RUNNING	1	/* names a live process that is the daemon */
#define WD_PID_STALE	2	/* names a dead or a different process */

/*
 * Create or open path and take its lock.  Returns 0, or -1 with errno:
 * EEXIST when another process holds the lock, ELOOP for a symlink, EPERM
 * for an unsafe file or directory, EINVAL for a non-regular file.
 */
WD_EXPORT int	wd_pidfile_open(struct wd_pidfile *pf, const char *path);

/*
 * Record pid (the final daemon process) in the open pidfile, with its
 * identity (start time and executable) in the extended attribute
 * "user.warden.id" where the file system keeps one.
 */
WD_EXPORT int	wd_pidfile_write(struct wd_pidfile *pf, pid_t pid);

/* Unlink the pidfile if the path still names our file, then close it. */
WD_EXPORT int	wd_pidfile_remove(struct wd_pidfile *pf);

/* Close the pidfile (releasing the lock) without removing it. */
WD_EXPORT void	wd_pidfile_close(struct wd_pidfile *pf);

/* The pid on the first line of path, or -1 with errno (ENOENT, EINVAL). */
WD_EXPORT pid_t	wd_pidfile_read(const char *path);

/*
 * Decide whether path names a running daemon: the lock is held, or the
 * pid is alive with the recorded start time (the executable is recorded
 * but not compared: a wrapper that execs keeps its identity).  A file
 * without the record is not trusted, except on a file system that keeps
 * no extended attributes, where a process started after the file was
 * written is not the daemon.  Returns WD_PID_*, with *pid set when the
 * file names one (0 for a locked, still empty file), or -1 with errno.
 */
WD_EXPORT int	wd_pidfile_check(const char *path, pid_t *pid);

/*
 * For a pidfile we have open and locked: what its current content names
 * (identity only), to tell a live daemon from a stale file.
 */
WD_EXPORT int	wd_pidfile_state(struct wd_pidfile *pf, pid_t *pid);

/* 1 when another process holds path's lock, 0 when none does, -1 on error. */
WD_EXPORT int	wd_pidfile_locked(const char *path);

/*
 * sd_notify.  wd_notify() sends state ("READY=1", "STATUS=...", lines
 * joined by newlines) as one datagram to $NOTIFY_SOCKET: a path, or an
 * abstract name after '@'.  Returns 1 when sent, 0 when $NOTIFY_SOCKET is
 * unset, -1 with errno on failure.
 */
WD_EXPORT int	wd_notify(const char *state);

/* The same for another process's pid (sent with its SCM_CREDENTIALS). */
WD_EXPORT int	wd_notify_pid(pid_t pid, const char *state);

/*
 * Fill sun and *len for the notify socket name: the exact length, with no
 * trailing NUL counted for an abstract name.  -1 with EINVAL for a name
 * that is empty, relative or too long.
 */
WD_EXPORT int	wd_notify_addr(const char *name, struct sockaddr_un *sun,
		    socklen_t *len);

/*
 * Signals.  wd_sig_reset() sets every catchable signal to SIG_DFL (SIG_IGN
 * included) and empties the mask.  wd_sig_number() takes "TERM", "SIGTERM"
 * or "15" and returns the number or -1; wd_sig_name() returns "TERM" (or
 * NULL) for a number.
 */
WD_EXPORT int	wd_sig_reset(void);
WD_EXPORT int	wd_sig_reset_dispositions(void);
WD_EXPORT int	wd_sig_number(const char *name);
WD_EXPORT const char *wd_sig_name(int signo);

/*
 * File descriptors.  wd_fd_closefrom() closes every fd >= lowfd except the
 * nkeep listed in keep (close_range(2), then /proc/self/fd, then a loop
 * capped at the soft RLIMIT_NOFILE).  wd_fd_stdio() opens /dev/null (the
 * real character device 1:3) on any of fds 0-2 that is closed.
 * wd_fd_devnull() points fds 0-2 (as flags say: bit 0 for fd 0 ...) at
 * /dev/null with dup2.
 */
WD_EXPORT int	wd_fd_closefrom(int lowfd, const int *keep, int nkeep);
WD_EXPORT int	wd_fd_stdio(void);
WD_EXPORT int	wd_fd_devnull(int which);

/*
 * Credentials.  wd_creds_lookup() resolves "user[:group]" (names or
 * numbers) with the user's supplementary groups; wd_creds_drop() applies
 * them in the safe order (setgroups, setresgid, setresuid) and verifies
 * that root cannot be regained.  ENOENT: no such user or group.
 */
#define WD_NGROUPS_MAX	256	/* supplementary groups kept; more: E2BIG */
struct wd_creds {
	uid_t		 uid;
	gid_t		 gid;
	int		 ngroups;
	gid_t		 groups[WD_NGROUPS_MAX];
	char		 name[256];	/* the user's name, for $USER */
	char		 home[1024];	/* the user's home, for $HOME */
};
WD_EXPORT int	wd_creds_lookup(const char *spec, struct wd_creds *c);
WD_EXPORT int	wd_creds_drop(const struct wd_creds *c);

/*
 * /proc readers.  Fields as proc(5) names them; starttime is in clock
 * ticks since boot.  -1 with ENOENT (or ESRCH) when the process is gone.
 */
struct wd_proc_stat {
	pid_t		 pid;
	char		 comm[64];
	char		 state;
	pid_t		 ppid;
	pid_t		 pgrp;
	pid_t		 session;
	int		 tty_nr;
	pid_t		 tpgid;
	unsigned int	 flags;
	unsigned long long utime, stime;
	long		 nice;
	long		 nthreads;
	unsigned long long starttime;
	unsigned long long vsize;
	long long	 rss;		/* pages */
};
WD_EXPORT int	wd_proc_stat(pid_t pid, struct wd_proc_stat *st);

struct wd_proc_status {
	pid_t		 ppid;
	uid_t		 uid[4];	/* real, effective, saved, fs */
	gid_t		 gid[4];
	int		 ngroups;
	gid_t		 groups[WD_NGROUPS_MAX];
	int		 umask;		/* -1 when the kernel does not say */
	uint64_t	 sigpnd, shdpnd, sigblk, sigign, sigcgt;
	uint64_t	 capeff, capprm;
	int		 nonewprivs;
	long		 vmrss_kb;
};
WD_EXPORT int	wd_proc_status(pid_t pid, struct wd_proc_status *st);

/*
 * The command line of pid as read, NUL-separated arguments, into buf
 * (always NUL-terminated).  Returns the length read, 0 for a kernel
 * thread or zombie, -1 with errno.
 */
WD_EXPORT ssize_t wd_proc_cmdline(pid_t pid, char *buf, size_t len);

/* readlink(/proc/PID/exe) or /proc/PID/fd/N into buf; -1 with errno. */
WD_EXPORT ssize_t wd_proc_exe(pid_t pid, char *buf, size_t len);
WD_EXPORT ssize_t wd_proc_fd(pid_t pid, int fd, char *buf, size_t len);

/* Seconds since boot at which pid started, from starttime. */
WD_EXPORT double wd_proc_started(const struct wd_proc_stat *st);

#ifdef __cplusplus
}
#endif

#endif /* WARDEN_H */
