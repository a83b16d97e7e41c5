/*
 * warden ps: sessions -> process groups -> processes, with each session's
 * controlling terminal and foreground group, drawn from the table that
 * ps-table.c reads (text with a tree, JSON, or one session for the
 * status page).
 */
#include <sys/ioctl.h>

#include <err.h>
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
#include "ps.h"

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
