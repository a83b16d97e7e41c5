/*
 * What the files of the service output family share (logs.c, the lines;
 * logs-pipe.c, the pipes; logs-file.c, the log file, its rotation and the
 * cache of open files; logs-recent.c, what a failed start reports;
 * logs-syslog.c, the syslog client).  Their functions for the rest of the
 * supervisor are in sup.h's logs-pipe.c, logs-file.c and logs-recent.c
 * blocks; svclog_writer(), svclog_fds_needed() and svclog_files_max()
 * are also for those that adopt pipes or count fds.
 */
#ifndef WARDEN_LOGS_H
#define WARDEN_LOGS_H

#include <time.h>

#define LOG_RECENT	512		/* stderr kept while STARTING */
#define LOG_READ	(1024 * 1024)	/* one read, shared: the most per wakeup */
#define LOG_FILES	128		/* log files open at most (the cache) */

/* struct svclog flags. */
#define SL_REG		0x001	/* a regular file: it can rotate */
#define SL_ROTATE	0x002	/* and rotates by size */
#define SL_STDIO	0x004	/* /dev/stdout or /dev/stderr: ours */
#define SL_PREFIX	0x008	/* lines start with "NAME | " */
#define SL_VIS		0x010	/* a terminal: control bytes escaped */
#define SL_SYSLOG	0x020	/* lines to syslog too */
#define SL_HELD		0x040	/* output waits for the target */
#define SL_WARNED	0x080	/* and the supervisor's log said so */
#define SL_WAITOUT	0x100	/* the target is in the loop for EPOLLOUT */
#define SL_READING	0x200	/* the pipe is in the loop for EPOLLIN */
#define SL_GROWN	0x400	/* the pipe was made larger, or tried */
#define SL_ENDPEND	0x800	/* the instance ended: end the pending line */
#define SL_UNPOLLED	0x1000	/* the pipe is out of the loop: no writer */
#define SL_CACHED	0x2000	/* the open file is in the cache */
#define SL_NOFILE	0x4000	/* the file could not be opened */
#define SL_SMALL	0x8000	/* the pipe could not grow */

struct cfg_proc;

/* logs.c */
const char	*svclog_name(struct svclog *);
struct svclog	*svclog_report(struct svc *);
void		 svclog_unwatch(struct svclog *);
void		 svclog_rotate_size(struct svclog *);
void		 svclog_input(struct svclog *, const char *, size_t);
void		 svclog_retry(struct svclog *);
void		 svclog_endline(struct svclog *);

/* logs-pipe.c */
void		 svclog_poll(struct svclog *, int);
int		 svclog_read(struct svclog *);
int		 svclog_writer(struct svclog *);
void		 svclog_pause_set(double);
int		 svclog_fds_needed(const struct cfg_proc *);

/* logs-file.c */
int		 svclog_open_file(struct svclog *);
int		 svclog_rotate_one(struct svclog *, char **);
int		 svclog_file(struct svclog *);
void		 svclog_file_close(struct svclog *);
int		 svclog_files_max(void);
void		 svclog_files_limit(int);

/* logs-recent.c */
void		 svclog_recent_add(struct svclog *, const char *, size_t);

/* logs-syslog.c */
void		 svclog_syslog_header(struct svclog *, const struct timespec *);
void		 svclog_syslog(const char *, size_t, const char *, size_t);
void		 svclog_syslog_lines(const char *, size_t);

#endif
