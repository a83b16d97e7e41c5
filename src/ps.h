/*
 * warden ps's table of processes: what ps-table.c reads from /proc and
 * marks, and cmd-ps.c draws (as text, JSON, or for the status page).
 */
#ifndef PS_H
#define PS_H

#include <sys/types.h>

#include <stddef.h>

#define PS_PID_MAX	4194304		/* PID_MAX_LIMIT of the kernel */

/* ps_proc flags. */
#define PS_F_SLEADER	0x01	/* session leader */
#define PS_F_GLEADER	0x02	/* process group leader */
#define PS_F_DAEMON	0x04	/* the rule at the top of ps-table.c */
#define PS_F_KTHREAD	0x08	/* kernel thread */
#define PS_F_NAMED	0x10	/* named on the command line */

struct ps_proc {
	pid_t		 pid;
	pid_t		 ppid;
	pid_t		 pgrp;
	pid_t		 sid;
	int		 tty_nr;
	pid_t		 tpgid;
	uid_t		 ruid;
	uid_t		 euid;
	char		 state;
	int		 flags;
	char		 comm[64];
	char		*cmd;		/* arguments joined by spaces, raw */
	size_t		 cmdlen;
};

struct ps_table {
	struct ps_proc	*procs;
	size_t		 nprocs;
	size_t		 size;
};

/* ps-table.c */
void	ps_scan(struct ps_table *);
void	ps_prepare(struct ps_table *, const pid_t *, size_t, int);
void	ps_free(struct ps_table *);

#endif /* PS_H */
