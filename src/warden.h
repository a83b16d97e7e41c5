/* Internal header of the warden binary: structs, then one block per file. */
#ifndef WARDEN_INTERNAL_H
#define WARDEN_INTERNAL_H

#include <sys/types.h>

#include <stdarg.h>
#include <stdint.h>
#include <stddef.h>
#include <stdio.h>

#include <warden.h>	/* include/warden.h: the public API */

#ifndef nitems
#define nitems(a)	(sizeof(a) / sizeof((a)[0]))
#endif

/* Exit statuses of every command. */
#define EXIT_USAGE	2
/* What a command returns to have main() print its usage and exit 2. */
#define CMD_USAGE	(-1)

/*
 * How readiness is known (readiness.c): the one spec behind both
 * "warden run --ready" and the supervisor's ready=.
 */
enum ready_mode {
	READY_EXEC,		/* run: once the command is exec'd */
	READY_STARTSECS,	/* ready=: once it has run startsecs */
	READY_NOTIFY,		/* sd_notify READY=1 */
	READY_FD,		/* s6: a newline on fd N */
	READY_TCP,		/* a connect to [HOST:]PORT succeeds */
	READY_PIDFILE		/* the launcher exits 0, the pidfile names it */
};
#define READY_FOR_RUN	0x1	/* exec notify fd:N tcp: */
#define READY_FOR_SUP	0x2	/* startsecs notify fd:N tcp: pidfile: */

struct ready_spec {
	enum ready_mode	 mode;
	int		 fd;		/* READY_FD: N, from 3 to 1023 */
	char		*host, *port;	/* READY_TCP */
	char		*path;		/* READY_PIDFILE */
};

/* Backoff after failures in a row, shared by --respawn and the supervisor. */
#define BACKOFF_STABLE	10.0	/* a run this long resets the count */

/* A daemon's stop: seconds from SIGTERM to SIGKILL, unless --timeout. */
#define STOP_TIMEOUT	10.0
/* Bytes of a failed start's stderr shown with the error. */
#define RUN_TAIL_MAX	4096

/* A listening socket handed to a program (listen.c). */
#define LISTEN_MAXPATH	108	/* a unix socket's path: sun_path */
struct sock {
	char		*addr;		/* tcp://HOST:PORT or unix:///PATH */
	const char	*path;		/* unix: in addr, the file we made */
	dev_t		 dev;		/* ... which is this one */
	ino_t		 ino;
	int		 fd;
	int		 backlog;	/* listen()'s; 0: SOMAXCONN */
	int		 mode;		/* unix, has_mode: else 0666 */
	uid_t		 uid;		/* unix, has_owner: chown()'s */
	gid_t		 gid;
	unsigned int	 has_mode:1,
			 has_owner:1;
};

/* Room for a pid the child writes into its environment before exec. */
#define SPAWN_PID_ROOM	"                    "

/* How to start one command: what "warden run" prepares before any fork. */

struct run_ctx {
	char		 *name;		/* for messages */
	char		**argv;		/* the command */
	char		 *argv0;	/* argv[0] made absolute, or NULL */
	char		**envp;		/* its whole environment */
	int		  dirfd;	/* O_PATH directory to fchdir to */
	mode_t		  umask;
	int		  outfd, errfd;	/* stdout and stderr targets */
	off_t		  err_start;	/* stderr file size at start, or -1 */
	int		  relayfd;	/* stderr relay (relay.c), or -1 */
	int		  syslog;
	int		  respawn, foreground;
	struct wd_creds	  creds;
	int		  has_creds;
	struct wd_pidfile pf;
	int		  has_pf;

	struct ready_spec ready;
	double		  ready_timeout;
	int		  notify_sock;	/* READY_NOTIFY: our end */
	char		  notify_name[128];
	int		  sigfd;	/* CHLD, INT, TERM, HUP, QUIT, USR1/2 */
	double		  stop_timeout;
	int		  syslog_rd[2];	/* --syslog: read ends, stdout/stderr */
	struct sock	 *socks;	/* --listen, bound */
	int		 *listen_fds;	/* their fds, in order: fds 3, 4, ... */
	int		  nlisten;
};

/* The monitor's report to the launcher about the first start. */
struct run_verdict {
	int		 type;		/* 'p': monitor pid, 'v': verdict */
	int		 code;		/* exit status for the launcher */
	pid_t		 pid;
	char		 msg[1024];
};

/* What became of one start. */
enum start_outcome {
	START_READY, START_SETUP_FAILED, START_DIED, START_TIMEOUT,
	START_INTERRUPTED
};

struct start_result {
	enum start_outcome outcome;
	pid_t		 pid;
	int		 status;	/* wait status, START_DIED */
	int		 stage;		/* START_SETUP_FAILED: what failed */
	int		 error;		/* and its errno */
	int		 signo;		/* START_INTERRUPTED: by what */
};

/* log.c */
#define LOGTO_FILE		1
#define LOGTO_STDERR		2
#define LOGTO_SYSLOG		3
#define LOGTO_FATAL_STDERR	0x10	/* or'ed in: fatal errors there too */
typedef void	(*log_hook_cb)(const char *, size_t);
void	 log_init(int, int, const char *);
void	 log_prefix(const char *);
void	 log_hook(log_hook_cb);
int	 log_reopen(const char *);
void	 log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 fatal(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));
void	 fatalx(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));

/* xmalloc.c */
void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xreallocarray(void *, size_t, size_t);
char	*xstrdup(const char *);
int	 xasprintf(char **, const char *, ...)
	    __attribute__((format(printf, 2, 3)));

/* usage.c */
const char *usage_args(const char *);
int	 usage_print(FILE *, const char *, int);
void	 usage_all(FILE *);

/* json.c */
void	 json_string(FILE *, const char *);

/* util.c */
int	 parse_uint(const char *, unsigned long, unsigned long *);
int	 parse_seconds(const char *, double *);
size_t	 utf8_seq(const unsigned char *, size_t, size_t, uint32_t);
char	*str_vis(const char *, size_t, int);
void	 tty_name(int, char *, size_t);
char	**env_set(char **, int *, const char *);
int	 hostport_split(const char *, char **, char **);
double	 mono_now(void);
int	 sigfd_open(const int *, size_t);
double	 backoff_delay(int);
void	 tail_keep(char *, size_t, size_t *, const char *, size_t);

/* One sd_notify message: NUL-separated VAR=VALUE lines. */
struct notify_msg {
	pid_t		 pid;		/* the sender, from SCM_CREDENTIALS */
	uid_t		 uid;
	int		 has_cred;
	int		 truncated;	/* over 4096 bytes: dropped */
	size_t		 len;
	char		 buf[4097];
};

/* readiness.c */
int	 ready_spec_parse(const char *, int, struct ready_spec *,
	    const char **);
void	 ready_spec_free(struct ready_spec *);
int	 notify_socket(char *, size_t);
int	 notify_recv(int, struct notify_msg *);
const char *notify_get(const struct notify_msg *, const char *);
int	 readyfd_read(int);
int	 tcp_probe(const char *, const char *, int *);
int	 tcp_probe_done(int);

/* Listening sockets a spawn passes on, at most (fds 3, 4, ...). */
#define SPAWN_MAXLISTEN	64

/* What spawn_exec() needs to start a command in a clean context. */
struct spawn_req {
	char		**argv;
	char		**envp;
	int		  dirfd;	/* fchdir here, or -1 */
	const char	 *dir;		/* or chdir here, or NULL */
	int		  umask;	/* or -1 to keep */
	int		  infd;		/* stdin when above 2, else /dev/null */
	int		  outfd, errfd;	/* stdout and stderr */
	int		  ready_fd;	/* fd:N, when readyw != -1 */
	const struct wd_creds *creds;	/* or NULL */
	int		  newgroup;	/* setpgid(0, 0) */
	int		  newsession;	/* setsid() */
	const int	 *listen_fds;	/* to become fds 3, 4, ... */
	int		  nlisten;	/* SPAWN_MAXLISTEN at most */
};

/* spawn.c */
void	 spawn_exec(const struct spawn_req *, int, int)
	    __attribute__((noreturn));
void	 spawn_fail(int, int) __attribute__((noreturn));
int	 spawn_report_read(int, int *, int *);
const char *spawn_stage_name(int);
int	 spawn_start(struct run_ctx *, int, struct start_result *);
void	 spawn_message(struct run_ctx *, const struct start_result *,
	    char *, size_t);
int	 spawn_stop(struct run_ctx *, pid_t, double);
int	 spawn_signal_fd(void);
char	*spawn_status_str(int, char *, size_t);

/* monitor.c */
void	 monitor_main(struct run_ctx *, int) __attribute__((noreturn));

/* listen.c */
const char *listen_check(const char *);
int	 listen_bind(struct sock *, char *, size_t);
int	 listen_set(struct sock *, char *, size_t);
char	**listen_env(char **, int *, int, const char *);
void	 listen_close(struct sock *);

/* relay.c */
int	 relay_start(struct run_ctx *, int *);
size_t	 relay_tail(struct run_ctx *, char *, size_t);
void	 relay_detach(struct run_ctx *);

/* run-ctx.c */
void	 run_tail(struct run_ctx *, char *, size_t);
void	 run_ctx_free(struct run_ctx *);

/* cmd-run.c */
int	 cmd_run(int, char **);
void	 run_help(FILE *);

/* cmd-pidfile.c */
int	 cmd_stop(int, char **);
int	 cmd_status(int, char **);

/* cmd-up.c */
int	 cmd_up(int, char **);

/* cmd-ctl.c */
int	 cmd_ctl(int, char **);
int	 ctl_main(const char *, int, char **);
char	*ctl_socket_path(const char *, const char *);
int	 ctl_alive(const char *);
int	 ctl_connect(const char *, const char *, int, char **);

/* cmd-logs.c */
int	 cmd_logs(int, char **);

/* cmd-notify.c */
int	 cmd_notify(int, char **);

/* cmd-ps.c */
int	 cmd_ps(int, char **);
size_t	 ps_draw_session(FILE *, pid_t);

/* cmd-inspect.c */
int	 cmd_inspect(int, char **);

#endif
