/*
 * warden ps: sessions -> process groups -> processes, with each session's
 * controlling terminal and foreground group.
 *
 * Everything comes from /proc/PID/stat (session, group, terminal,
 * foreground group of that terminal), /proc/PID/status (uids) and
 * /proc/PID/cmdline.  A process that vanishes while it is read is left
 * out; an entry that cannot be read never stops the listing.
 *
 * A process is marked as a daemon when it has no controlling terminal, is
 * not a session leader (so it can never acquire one), and its parent is
 * pid 1, or lives in another session (a subreaper or supervisor adopted
 * it), or is itself a daemon (a monitor, a master process).  A process
 * whose parent is the leader of its session (the intermediate of a double
 * fork that has not exited, a shell) is not one.  warden inspect's
 * "parent" check applies the same rule.
 */
#include <sys/ioctl.h>
#include <sys/stat.h>

#include <dirent.h>
#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <langinfo.h>
#include <limits.h>
#include <locale.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wchar.h>

#include "warden.h"

#define PS_PF_KTHREAD	0x00200000	/* PF_KTHREAD in stat's flags */
#define PS_PID_MAX	4194304		/* PID_MAX_LIMIT of the kernel */
#define PS_CMDLINE_MAX	(2 * 1024 * 1024) /* ARG_MAX-sized; longer is cut */

/* ps_proc flags. */
#define PS_F_SLEADER	0x01	/* session leader */
#define PS_F_GLEADER	0x02	/* process group leader */
#define PS_F_DAEMON	0x04	/* see the rule at the top of the file */
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

/* How the text output looks: decided once from stdout and the locale. */
struct ps_out {
	FILE		*fp;		/* where it goes */
	int		 utf8;		/* locale's charset is UTF-8 */
	int		 colour;
	int		 cols;		/* trim lines to this width; 0: don't */
	int		 wpid, wppid, wuser, wmark;
};

/* The user names of the uids met so far. */
struct ps_user {
	uid_t		 uid;
	char		*name;
};
static struct ps_user	*ps_users;
static size_t		 ps_nusers;

static const char *ps_marks[] = {
	"", "[session leader]", "[group leader]", "[daemon]",
	"[daemon, group leader]"
};

/*
 * The whole of /proc/PID/cmdline, arguments joined by spaces.  The
 * trailing NULs a program leaves after rewriting its title are dropped.
 * NULL when the process is gone or has none (kernel thread, zombie).
 */
static char *
ps_cmdline(pid_t pid, size_t *lenp)
{
	char	*buf = NULL;
	size_t	 size, i;
	ssize_t	 n;

	for (size = 4096;; size *= 2) {
		buf = xreallocarray(buf, size, 1);
		if ((n = wd_proc_cmdline(pid, buf, size)) <= 0) {
			free(buf);
			return (NULL);
		}
		if ((size_t)n < size - 1 || size >= PS_CMDLINE_MAX)
			break;
	}
	while (n > 0 && buf[n - 1] == '\0')
		n--;
	if (n == 0) {
		free(buf);
		return (NULL);
	}
	for (i = 0; i < (size_t)n; i++)
		if (buf[i] == '\0')
			buf[i] = ' ';
	buf[n] = '\0';
	*lenp = (size_t)n;
	return (buf);
}

/*
 * Read one process.  Returns -1 when it is gone or its stat cannot be
 * read; the uids fall back to the owner of /proc/PID (the effective uid)
 * and the command line to "[comm]".
 */
static int
ps_read(pid_t pid, struct ps_proc *p)
{
	struct wd_proc_stat	 st;
	struct wd_proc_status	 ss;
	struct stat		 sb;
	char			 path[64];

	if (wd_proc_stat(pid, &st) == -1)
		return (-1);
	memset(p, 0, sizeof *p);
	p->pid = pid;
	p->ppid = st.ppid;
	p->pgrp = st.pgrp;
	p->sid = st.session;
	p->tty_nr = st.tty_nr;
	p->tpgid = st.tpgid;
	p->state = st.state;
	memcpy(p->comm, st.comm, sizeof p->comm);
	if (st.flags & PS_PF_KTHREAD)
		p->flags |= PS_F_KTHREAD;
	if (wd_proc_status(pid, &ss) == 0) {
		p->ruid = ss.uid[0];
		p->euid = ss.uid[1];
	} else {
		if (errno == ENOENT || errno == ESRCH)
			return (-1);
		snprintf(path, sizeof path, "/proc/%ld", (long)pid);
		if (stat(path, &sb) == -1)
			return (-1);
		p->ruid = p->euid = sb.st_uid;
	}
	if ((p->cmd = ps_cmdline(pid, &p->cmdlen)) == NULL) {
		xasprintf(&p->cmd, "[%s]", p->comm);
		p->cmdlen = strlen(p->cmd);
	}
	return (0);
}

/* Add pid to the table unless it is gone already. */
static void
ps_add(struct ps_table *t, pid_t pid)
{
	if (t->nprocs == t->size) {
		t->size = t->size ? t->size * 2 : 256;
		t->procs = xreallocarray(t->procs, t->size, sizeof *t->procs);
	}
	if (ps_read(pid, &t->procs[t->nprocs]) == 0)
		t->nprocs++;
}

/* Read every process in /proc. */
static void
ps_scan(struct ps_table *t)
{
	DIR		*d;
	struct dirent	*de;
	unsigned long	 pid;

	if ((d = opendir("/proc")) == NULL)
		err(1, "ps: /proc");
	while ((de = readdir(d)) != NULL) {
		if (parse_uint(de->d_name, PS_PID_MAX, &pid) == -1 || pid == 0)
			continue;
		ps_add(t, (pid_t)pid);
	}
	closedir(d);
}

/* Order by session, then group, then pid. */
static int
ps_cmp(const void *a, const void *b)
{
	const struct ps_proc	*p = a, *q = b;

	if (p->sid != q->sid)
		return (p->sid < q->sid ? -1 : 1);
	if (p->pgrp != q->pgrp)
		return (p->pgrp < q->pgrp ? -1 : 1);
	if (p->pid != q->pid)
		return (p->pid < q->pid ? -1 : 1);
	return (0);
}

static int
ps_cmp_key(const void *key, const void *elem)
{
	pid_t			 pid = *(const pid_t *)key;
	const struct ps_proc	*p = elem;

	return (pid < p->pid ? -1 : pid > p->pid);
}

/* Find pid in a table sorted by pid. */
static struct ps_proc *
ps_find(struct ps_proc *byid, size_t n, pid_t pid)
{
	return (bsearch(&pid, byid, n, sizeof *byid, ps_cmp_key));
}

static int
ps_cmp_byid(const void *a, const void *b)
{
	return (ps_cmp_key(&((const struct ps_proc *)a)->pid, b));
}

/*
 * Is p a daemon (the rule at the top of the file)?  Its parent may be one
 * in its own session, the workers of a master process or the child of a
 * monitor: then the walk goes up until it leaves the session.
 */
static int
ps_is_daemon(struct ps_proc *byid, size_t n, const struct ps_proc *p)
{
	const struct ps_proc	*parent;
	int			 steps;

	for (steps = 0; steps < 4096; steps++) {
		if (p->tty_nr != 0 || p->pid == p->sid || p->ppid <= 0 ||
		    (p->flags & PS_F_KTHREAD))
			return (0);
		if (p->ppid == 1)
			return (1);
		if ((parent = ps_find(byid, n, p->ppid)) == NULL)
			return (0);
		if (parent->sid != p->sid)
			return (1);
		p = parent;
	}
	return (0);
}

/*
 * Set the leader and daemon marks.  byid is a copy of the table sorted by
 * pid, to find each parent.
 */
static void
ps_mark(struct ps_table *t)
{
	struct ps_proc	*byid, *p;
	size_t		 i;

	byid = xreallocarray(NULL, t->nprocs ? t->nprocs : 1, sizeof *byid);
	memcpy(byid, t->procs, t->nprocs * sizeof *byid);
	qsort(byid, t->nprocs, sizeof *byid, ps_cmp_byid);
	for (i = 0; i < t->nprocs; i++) {
		p = &t->procs[i];
		if (p->pid == p->sid)
			p->flags |= PS_F_SLEADER;
		else if (p->pid == p->pgrp)
			p->flags |= PS_F_GLEADER;
		if (ps_is_daemon(byid, t->nprocs, p))
			p->flags |= PS_F_DAEMON;
	}
	free(byid);
}

/* Is process p listed: kernel threads only when named. */
static int
ps_listed(const struct ps_proc *p)
{
	return (!(p->flags & PS_F_KTHREAD) || (p->flags & PS_F_NAMED));
}

/*
 * Keep the sessions to show: those in sids (the sessions of the pids named
 * on the command line) when sids is not NULL; else those in which a
 * listed process belongs to the user (real or effective uid), or all.
 * The table is sorted by session; the rest of it is dropped.
 */
static void
ps_select(struct ps_table *t, const pid_t *sids, size_t nsids, int all)
{
	struct ps_proc	*p;
	size_t		 i, j, k, end, n = 0;
	uid_t		 me = getuid();
	int		 show;

	for (i = 0; i < t->nprocs; i = end) {
		show = sids == NULL && all;
		for (k = 0; k < nsids; k++)
			if (sids[k] == t->procs[i].sid)
				show = 1;
		for (end = i; end < t->nprocs &&
		    t->procs[end].sid == t->procs[i].sid; end++) {
			p = &t->procs[end];
			if (sids == NULL && ps_listed(p) &&
			    (p->ruid == me || p->euid == me))
				show = 1;
		}
		for (j = i; j < end; j++) {
			if (show && ps_listed(&t->procs[j]))
				t->procs[n++] = t->procs[j];
			else
				free(t->procs[j].cmd);
		}
	}
	t->nprocs = n;
}

/* The name of uid, or its number; looked up once. */
static const char *
ps_username(uid_t uid)
{
	struct passwd	*pw;
	size_t		 i;

	for (i = 0; i < ps_nusers; i++)
		if (ps_users[i].uid == uid)
			return (ps_users[i].name);
	ps_users = xreallocarray(ps_users, ps_nusers + 1, sizeof *ps_users);
	ps_users[ps_nusers].uid = uid;
	if ((pw = getpwuid(uid)) != NULL)
		ps_users[ps_nusers].name = str_vis(pw->pw_name,
		    strlen(pw->pw_name), 0);
	else
		xasprintf(&ps_users[ps_nusers].name, "%lu",
		    (unsigned long)uid);
	return (ps_users[ps_nusers++].name);
}

/*
 * Write one line, cut at out->cols display columns when set.  Colour
 * escapes (ESC [ ... m) take no room; the text itself holds no raw ESC.
 */
static void
ps_emit(const struct ps_out *out, const char *line)
{
	const char	*p = line, *q;
	mbstate_t	 mbs;
	wchar_t		 wc;
	size_t		 n;
	int		 col = 0, w, full = 0;

	memset(&mbs, 0, sizeof mbs);
	while (*p != '\0') {
		if (*p == '\033') {
			for (q = p + 1; *q != '\0' && *q != 'm'; q++)
				;
			if (*q == 'm')
				q++;
			fwrite(p, 1, q - p, out->fp);
			p = q;
			continue;
		}
		if (!out->utf8 || (unsigned char)*p < 0x80) {
			n = 1;
			w = 1;
		} else if ((n = mbrtowc(&wc, p, MB_CUR_MAX, &mbs)) ==
		    (size_t)-1 || n == (size_t)-2 || n == 0) {
			memset(&mbs, 0, sizeof mbs);
			n = 1;
			w = 1;
		} else if ((w = wcwidth(wc)) < 0)
			w = 1;
		if (out->cols > 0 && col + w > out->cols)
			full = 1;
		if (!full)
			fwrite(p, 1, n, out->fp);
		col += w;
		p += n;
	}
	if (out->colour)
		fputs("\033[0m", out->fp);
	fputc('\n', out->fp);
}

/* A growable line buffer. */
struct ps_line {
	char	*buf;
	size_t	 len, size;
};

static void
ps_put(struct ps_line *l, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Append to the line. */
static void
ps_put(struct ps_line *l, const char *fmt, ...)
{
	va_list	ap;
	int	n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(l->buf + l->len, l->size - l->len, fmt, ap);
		va_end(ap);
		if (n < 0)
			errx(1, "ps: cannot format output");
		if (l->len + (size_t)n < l->size)
			break;
		l->size = l->len + (size_t)n + 256;
		l->buf = xreallocarray(l->buf, l->size, 1);
	}
	l->len += (size_t)n;
}

/* A colour escape, only when colour is on. */
static const char *
ps_sgr(const struct ps_out *out, const char *code)
{
	return (out->colour ? code : "");
}

/* Index into ps_marks[] for a process. */
static int
ps_markidx(const struct ps_proc *p)
{
	if (p->flags & PS_F_SLEADER)
		return (1);
	if ((p->flags & PS_F_DAEMON) && (p->flags & PS_F_GLEADER))
		return (4);
	if (p->flags & PS_F_DAEMON)
		return (3);
	if (p->flags & PS_F_GLEADER)
		return (2);
	return (0);
}

/* Column widths over everything shown, so that all rows line up. */
static void
ps_widths(struct ps_out *out, const struct ps_table *t)
{
	char	 num[32];
	size_t	 i;
	int	 w;

	out->wpid = out->wppid = out->wuser = out->wmark = 1;
	for (i = 0; i < t->nprocs; i++) {
		w = snprintf(num, sizeof num, "%ld", (long)t->procs[i].pid);
		if (w > out->wpid)
			out->wpid = w;
		w = snprintf(num, sizeof num, "%ld", (long)t->procs[i].ppid);
		if (w > out->wppid)
			out->wppid = w;
		w = (int)strlen(ps_username(t->procs[i].euid));
		if (w > out->wuser)
			out->wuser = w;
		w = (int)strlen(ps_marks[ps_markidx(&t->procs[i])]);
		if (w > out->wmark)
			out->wmark = w;
	}
}

/* The process with this pid within [b, e), or NULL. */
static const struct ps_proc *
ps_in(const struct ps_proc *b, const struct ps_proc *e, pid_t pid)
{
	for (; b < e; b++)
		if (b->pid == pid)
			return (b);
	return (NULL);
}

/* Does any process in [b, e) belong to group pgid? */
static int
ps_has_group(const struct ps_proc *b, const struct ps_proc *e, pid_t pgid)
{
	for (; b < e; b++)
		if (b->pgrp == pgid)
			return (1);
	return (0);
}

/*
 * A session's terminal and foreground group: from its leader when it has
 * one, else from any member that has a terminal.  0 when it has none.
 */
static int
ps_session_tty(const struct ps_proc *b, const struct ps_proc *e,
    pid_t *tpgid)
{
	const struct ps_proc	*p;

	if ((p = ps_in(b, e, b->sid)) == NULL || p->tty_nr == 0)
		for (p = b; p < e && p->tty_nr == 0; p++)
			;
	if (p == e || p->tty_nr == 0)
		return (0);
	*tpgid = p->tpgid;
	return (p->tty_nr);
}

/* "(comm)" of a leader, or "(gone)". */
static void
ps_put_leader(struct ps_line *l, const struct ps_out *out,
    const struct ps_proc *p)
{
	char	*s;

	if (p == NULL) {
		ps_put(l, "(gone)");
		return;
	}
	s = str_vis(p->comm, strlen(p->comm), out->utf8);
	ps_put(l, "(%s)", s);
	free(s);
}

/* One process row under its group. */
static void
ps_text_proc(const struct ps_out *out, const struct ps_proc *p, int last)
{
	struct ps_line	 l = { NULL, 0, 0 };
	const char	*mark = ps_marks[ps_markidx(p)];
	char		*cmd;

	cmd = str_vis(p->cmd, p->cmdlen, out->utf8);
	ps_put(&l, "%s    %*ld  ppid %-*ld  %-*s  %c  ",
	    last ? " " : out->utf8 ? "\u2502" : "|",
	    out->wpid, (long)p->pid, out->wppid, (long)p->ppid,
	    out->wuser, ps_username(p->euid), p->state);
	if (out->wmark > 1) {
		ps_put(&l, "%s%s%s%*s  ",
		    (p->flags & PS_F_DAEMON) ? ps_sgr(out, "\033[36m") : "",
		    mark, ps_sgr(out, "\033[0m"),
		    out->wmark - (int)strlen(mark), "");
	}
	ps_put(&l, "%s", cmd);
	ps_emit(out, l.buf);
	free(l.buf);
	free(cmd);
}

/* One process group: its line, then its processes. */
static void
ps_text_group(const struct ps_out *out, const struct ps_proc *b,
    const struct ps_proc *e, int tty, pid_t tpgid, int last)
{
	struct ps_line	l = { NULL, 0, 0 };

	ps_put(&l, "%s group %ld  ",
	    last ? (out->utf8 ? "\u2514\u2500" : "`-") :
	    (out->utf8 ? "\u251c\u2500" : "|-"), (long)b->pgrp);
	if (b->pgrp == 0)
		ps_put(&l, "no leader");
	else {
		ps_put(&l, "leader %ld ", (long)b->pgrp);
		ps_put_leader(&l, out, ps_in(b, e, b->pgrp));
	}
	if (tty && b->pgrp == tpgid)
		ps_put(&l, "  %s[foreground]%s", ps_sgr(out, "\033[32m"),
		    ps_sgr(out, "\033[0m"));
	else if (tty)
		ps_put(&l, "  [background]");
	ps_emit(out, l.buf);
	free(l.buf);
	for (; b < e; b++)
		ps_text_proc(out, b, last);
}

/* One session: its line, then its groups. */
static void
ps_text_session(const struct ps_out *out, const struct ps_proc *b,
    const struct ps_proc *e)
{
	struct ps_line		 l = { NULL, 0, 0 };
	const struct ps_proc	*g, *ge;
	char			 name[32];
	pid_t			 tpgid = -1;
	int			 tty;

	ps_put(&l, "%ssession %ld  ", ps_sgr(out, "\033[1m"), (long)b->sid);
	if (b->sid == 0)
		ps_put(&l, "no leader");
	else {
		ps_put(&l, "leader %ld ", (long)b->sid);
		ps_put_leader(&l, out, ps_in(b, e, b->sid));
	}
	if ((tty = ps_session_tty(b, e, &tpgid)) != 0) {
		tty_name(tty, name, sizeof name);
		ps_put(&l, "  tty %s  foreground group ", name);
		if (tpgid > 0)
			ps_put(&l, "%ld%s", (long)tpgid,
			    ps_has_group(b, e, tpgid) ? "" : " (gone)");
		else
			ps_put(&l, "none");
	} else
		ps_put(&l, "  no terminal");
	ps_emit(out, l.buf);
	free(l.buf);
	for (g = b; g < e; g = ge) {
		for (ge = g; ge < e && ge->pgrp == g->pgrp; ge++)
			;
		ps_text_group(out, g, ge, tty != 0, tpgid, ge == e);
	}
}

/* How to draw: UTF-8 or ASCII, colour, width. */
static void
ps_out_init(struct ps_out *out, const struct ps_table *t)
{
	struct winsize	 ws;
	const char	*term = getenv("TERM"), *nc = getenv("NO_COLOR"), *cs;

	memset(out, 0, sizeof *out);
	out->fp = stdout;
	if (setlocale(LC_CTYPE, "") != NULL && (cs = nl_langinfo(CODESET))
	    != NULL)
		out->utf8 = strcmp(cs, "UTF-8") == 0;
	if (isatty(STDOUT_FILENO)) {
		if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0)
			out->cols = ws.ws_col;
		out->colour = (nc == NULL || *nc == '\0') &&
		    (term == NULL || strcmp(term, "dumb") != 0);
	}
	ps_widths(out, t);
}

/* The tree as text. */
static void
ps_text(const struct ps_out *out, const struct ps_table *t)
{
	const struct ps_proc	*s, *se, *end = t->procs + t->nprocs;

	for (s = t->procs; s < end; s = se) {
		for (se = s; se < end && se->sid == s->sid; se++)
			;
		ps_text_session(out, s, se);
	}
}

/* The table scanned: sorted, marked, and only what is shown left. */
static void
ps_prepare(struct ps_table *t, const pid_t *sids, size_t nsids, int all)
{
	qsort(t->procs, t->nprocs, sizeof *t->procs, ps_cmp);
	ps_mark(t);
	ps_select(t, sids, nsids, all);
}

/* The table's memory, freed. */
static void
ps_free(struct ps_table *t)
{
	size_t	i;

	for (i = 0; i < t->nprocs; i++)
		free(t->procs[i].cmd);
	free(t->procs);
}

/*
 * Session sid drawn as warden ps draws it, in UTF-8 without colour, to
 * fp (the status page's process view): how many processes it holds.
 */
size_t
ps_draw_session(FILE *fp, pid_t sid)
{
	struct ps_table	 t = { NULL, 0, 0 };
	struct ps_out	 out;
	size_t		 n;

	ps_scan(&t);
	ps_prepare(&t, &sid, 1, 0);
	memset(&out, 0, sizeof out);
	out.fp = fp;
	out.utf8 = 1;
	ps_widths(&out, &t);
	ps_text(&out, &t);
	n = t.nprocs;
	ps_free(&t);
	return (n);
}

/* One process as a JSON object. */
static void
ps_json_proc(const struct ps_proc *p)
{
	char	state[2] = { p->state, '\0' };

	printf("{\"pid\": %ld, \"ppid\": %ld, \"uid\": %lu, \"state\": ",
	    (long)p->pid, (long)p->ppid, (unsigned long)p->euid);
	json_string(stdout, state);
	printf(", \"command\": ");
	json_string(stdout, p->cmd);
	putchar('}');
}

/* One session as a JSON object. */
static void
ps_json_session(const struct ps_proc *b, const struct ps_proc *e)
{
	const struct ps_proc	*g, *p;
	char			 name[32];
	pid_t			 tpgid = -1;
	int			 tty;

	printf("{\"sid\": %ld, \"tty\": ", (long)b->sid);
	if ((tty = ps_session_tty(b, e, &tpgid)) != 0) {
		tty_name(tty, name, sizeof name);
		json_string(stdout, name);
	} else
		fputs("null", stdout);
	if (tty != 0 && tpgid > 0)
		printf(", \"foreground_pgid\": %ld", (long)tpgid);
	else
		fputs(", \"foreground_pgid\": null", stdout);
	fputs(", \"groups\": [", stdout);
	for (g = b; g < e; g = p) {
		printf("%s{\"pgid\": %ld, \"processes\": [", g == b ? "" : ", ",
		    (long)g->pgrp);
		for (p = g; p < e && p->pgrp == g->pgrp; p++) {
			if (p != g)
				fputs(", ", stdout);
			ps_json_proc(p);
		}
		fputs("]}", stdout);
	}
	fputs("]}", stdout);
}

/* The tree as the JSON object DESIGN.md fixes. */
static void
ps_json(const struct ps_table *t)
{
	const struct ps_proc	*s, *se, *end = t->procs + t->nprocs;

	fputs("{\"sessions\": [", stdout);
	for (s = t->procs; s < end; s = se) {
		for (se = s; se < end && se->sid == s->sid; se++)
			;
		if (s != t->procs)
			fputs(", ", stdout);
		ps_json_session(s, se);
	}
	fputs("]}\n", stdout);
}

/* warden ps [PID...] [--all] [--json] */
int
cmd_ps(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "all", no_argument, NULL, 'a' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 }
	};
	struct ps_table	 t = { NULL, 0, 0 };
	struct ps_out	 out;
	struct wd_proc_stat st;
	unsigned long	 n;
	pid_t		*pids, *sids;
	size_t		 npids = 0, nsids = 0, i, j;
	int		 ch, all = 0, json = 0, rv = 0;

	opterr = 0;
	while ((ch = getopt_long(argc, argv, "aj", longopts, NULL)) != -1) {
		switch (ch) {
		case 'a':
			all = 1;
			break;
		case 'j':
			json = 1;
			break;
		default:
			warnx("ps: unknown option: %s", argv[optind - 1]);
			return (CMD_USAGE);
		}
	}
	argc -= optind;
	argv += optind;
	pids = xreallocarray(NULL, argc ? argc : 1, sizeof *pids);
	sids = xreallocarray(NULL, argc ? argc : 1, sizeof *sids);
	for (i = 0; i < (size_t)argc; i++) {
		if (parse_uint(argv[i], PS_PID_MAX, &n) == -1 || n == 0) {
			warnx("ps: not a pid: %s", argv[i]);
			free(pids);
			free(sids);
			return (CMD_USAGE);
		}
		pids[npids++] = (pid_t)n;
	}
	ps_scan(&t);
	/* Named pids may be threads, which readdir does not list. */
	for (i = 0; i < npids; i++) {
		if (wd_proc_stat(pids[i], &st) == -1) {
			warnx("ps: no such process: %ld", (long)pids[i]);
			rv = 1;
			continue;
		}
		sids[nsids++] = st.session;
		for (j = 0; j < t.nprocs; j++)
			if (t.procs[j].pid == pids[i])
				t.procs[j].flags |= PS_F_NAMED;
	}
	ps_prepare(&t, npids > 0 ? sids : NULL, nsids, all);
	if (json)
		ps_json(&t);
	else {
		ps_out_init(&out, &t);
		ps_text(&out, &t);
	}
	if (fflush(stdout) == EOF || ferror(stdout))
		err(1, "ps: stdout");
	ps_free(&t);
	free(pids);
	free(sids);
	return (rv);
}
