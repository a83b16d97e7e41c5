/*
 * The supervisor's configuration: supervisord's INI dialect read into
 * plain structs (src/sup/config.c and src/sup/cfg-*.c).  Everything is
 * validated before the supervisor uses any of it; a struct config is
 * never half-filled.
 */
#ifndef WARDEN_SUP_CONFIG_H
#define WARDEN_SUP_CONFIG_H

#include <sys/types.h>

#include <stdint.h>

#include "../compat/queue.h"

/* autorestart= */
#define CFG_AR_FALSE		0
#define CFG_AR_TRUE		1
#define CFG_AR_UNEXPECTED	2

/* Where a log goes: a path, or one of these. */
#define CFG_LOG_PATH		0
#define CFG_LOG_AUTO		1	/* a file in childlogdir */
#define CFG_LOG_NONE		2	/* /dev/null */

/* log_timestamps= */
#define CFG_TS_NONE		0
#define CFG_TS_ISO8601		1
#define CFG_TS_TAI64N		2

/* listen=: addresses at most (a unix path under LISTEN_MAXPATH). */
#define CFG_MAXLISTEN		64
#define CFG_MAXLISTEN_S		"64"

/*
 * One of supervisord's HTTP servers: [unix_http_server] (file=, chmod=,
 * chown=) or [inet_http_server] (port=).  on: the section is there.
 */
struct cfg_http {
	int		 on;
	int		 mode;		/* unix: chmod= (0700) */
	char		*file;		/* unix: file=, absolute */
	uid_t		 uid;		/* unix: chown=; (uid_t)-1: unchanged */
	gid_t		 gid;		/* (gid_t)-1: unchanged */
	int		 port;		/* inet: port=, 1 to 65535 */
	char		*host;		/* inet: "" for all interfaces */
	char		*username;	/* NULL: no authentication */
	char		*password;	/* cleartext, or "{SHA}" + 40 hex */
	int		 line;		/* of the section header, for messages */
};

struct cfg_log {
	int		 kind;		/* CFG_LOG_* */
	char		*path;		/* CFG_LOG_PATH: absolute path */
	uint64_t	 maxbytes;	/* rotate above; 0: never (50MB) */
	int		 backups;	/* rotated files kept (10) */
	int		 syslog;	/* also to syslog (false) */
	int		 events;	/* *_events_enabled: PROCESS_LOG (false) */
	uint64_t	 capture;	/* *_capture_maxbytes: 0, no capture */
};

/* A user and group to own a file: (uid_t)-1 and (gid_t)-1, unchanged. */
struct cfg_owner {
	uid_t		 uid;
	gid_t		 gid;
};

/*
 * [fcgi-program:x]: the socket its pool shares as fd 0.  socket is NULL
 * for every other program (and for one named in a [group:x], which
 * supervisord runs as a plain program).
 */
struct cfg_fcgi {
	char		*socket;	/* tcp://HOST:PORT or unix:///PATH */
	int		 backlog;	/* socket_backlog=; 0: SOMAXCONN */
	int		 mode;		/* socket_mode=; -1: 0700 (unix) */
	struct cfg_owner owner;		/* socket_owner=; unset: user='s */
};

/*
 * One process to supervise, after numprocs expansion: [program:web] with
 * numprocs=2 gives two, named by process_name.
 */
struct cfg_proc {
	char		*name;		/* process name (process_name=) */
	char		*group;		/* [group:x] name, or the program's */
	char		*program;	/* NAME of [program:NAME] */
	int		 process_num;	/* numprocs_start + index */
	char		**argv;		/* command=, split like shlex */
	char		*directory;	/* NULL: the supervisor's ("/") */
	char		*user;		/* NULL: the supervisor's */
	int		 umask;		/* -1: inherit */
	char		**env;		/* environment=: NAME=VALUE, NULL-ended */
	int		 autostart;	/* true */
	int		 autorestart;	/* CFG_AR_UNEXPECTED */
	double		 startsecs;	/* 1 */
	int		 startretries;	/* 3 */
	uint8_t		 exitcodes[32];	/* bit set of 0..255; {0} */
	int		 stopsignal;	/* SIGTERM */
	double		 stopwaitsecs;	/* 10 */
	int		 stopasgroup;	/* warden: true */
	int		 killasgroup;	/* warden: true */
	int		 priority;	/* 999 */
	int		 redirect_stderr; /* false */
	struct cfg_log	 out, err;
	char		*ready;		/* warden: NULL (startsecs), "notify",
					   "fd:N", "tcp:[HOST:]PORT",
					   "pidfile:PATH" */
	double		 ready_timeout;	/* warden: 60 */
	double		 watchdog_sec;	/* warden: 0, no watchdog */
	int		 log_timestamps; /* warden: CFG_TS_NONE */
	uint64_t	 log_line_max;	/* warden: 8192, longer lines split */
	char		**listen;	/* warden: NULL; "tcp://HOST:PORT",
					   "unix:///PATH", NULL-ended */
	char		*serverurl;	/* NULL (AUTO): the supervisor's URL */
	struct cfg_fcgi	 fcgi;		/* [fcgi-program:x]'s socket keys */
	int		 listener;	/* [eventlistener:x]: the group's a pool */
	uint32_t	 events;	/* listener: events=, event.h's EVM bits */
	int		 buffer_size;	/* listener: 10 */
	char		*file;		/* where [program:] was defined */
	int		 line;
	TAILQ_ENTRY(cfg_proc) entry;
};
TAILQ_HEAD(cfg_procs, cfg_proc);

struct config {
	char		*path;		/* the main file, absolute */
	char		*rundir;	/* [warden] rundir= */
	char		*socket;	/* [warden] socket=: the control socket */
	struct cfg_http	 unix_http;	/* [unix_http_server] */
	struct cfg_http	 inet_http;	/* [inet_http_server] */
	char		*pidfile;	/* [warden] or [supervisord] pidfile= */
	char		*logfile;	/* the supervisor's own log; NULL: syslog */
	char		*childlogdir;	/* AUTO logs (the run directory) */
	char		*identifier;	/* "supervisor" */
	char		*user;		/* [supervisord] user= */
	int		 umask;		/* [supervisord] umask= (022) */
	long		 minfds;	/* RLIMIT_NOFILE at least (1024) */
	int		 nodaemon;	/* [supervisord] nodaemon= */
	char		**env;		/* [supervisord] environment= */
	struct cfg_procs procs;		/* in file order */
	int		 nprocs;
	char		**warnings;	/* "FILE:LINE: what", NULL-ended */
	int		 nwarnings;
};

/*
 * Read path (and its includes).  Returns 0 with *cfp set, or -1 with
 * *cause = "FILE:LINE: what is wrong" (to free).  Unknown keys and
 * sections warden does not implement become warnings in the config.
 */
int	cfg_load(const char *path, struct config **cfp, char **cause);
void	cfg_free(struct config *);

/* Free one proc taken out of a config (a service owns it then). */
void	cfg_proc_free(struct cfg_proc *);
/* A deep copy of a proc, in no list (to cfg_proc_free). */
struct cfg_proc *cfg_proc_dup(const struct cfg_proc *);

/* The same from a string (fuzzing, tests): name is used in messages. */
int	cfg_load_string(const char *name, const char *text, struct config **cfp,
	    char **cause);

/* Split a command line like Python's shlex (POSIX mode): NULL-ended. */
char	**cfg_shlex(const char *s, char **cause);
void	  cfg_strv_free(char **);

/* Is code in the proc's exitcodes? */
int	cfg_exitcode_expected(const struct cfg_proc *, int code);

/*
 * Do two procs differ in anything that needs a restart when reloaded?
 * (Everything but autostart and priority.)
 */
int	cfg_proc_changed(const struct cfg_proc *, const struct cfg_proc *);

/*
 * The [program:x] keys, for the test of the key table: the n-th key's
 * name, a value other than its default, and whether a change to it
 * needs a restart.  0, or -1 past the last key.
 */
struct cfg_keyinfo {
	const char	*name;
	const char	*sample;
	int		 restart;
};
int	cfg_key_info(size_t n, struct cfg_keyinfo *);

/* Does the n-th [program:x] key's field differ between two procs? */
int	cfg_key_differ(size_t n, const struct cfg_proc *,
	    const struct cfg_proc *);

/*
 * The URL children get as SUPERVISOR_SERVER_URL when their serverurl= is
 * AUTO, as supervisord derives it: the unix server, else the inet one;
 * NULL when there is neither.  A new string.
 */
char	*cfg_server_url(const struct config *);

/* /run/warden for root, else $XDG_RUNTIME_DIR/warden or /tmp/warden-UID. */
char	*cfg_default_rundir(void);

/* The default config search order; the first that exists, or NULL. */
char	*cfg_find(int *in_cwd);

#endif
