/*
 * The INI layer of the config reader: lines into sections of key = value
 * as Python's RawConfigParser reads them (inline comments, continuation
 * lines, duplicates: last wins), and the main file's [include] files=.
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../warden.h"
#include "config.h"
#include "cfg-internal.h"

/* Where the INI layer is in one file. */
struct cfg_pstate {
	struct cfg_file	*file;
	int		 line;
	int		 included;
	struct cfg_sect	*sect;		/* NULL before the first header */
	struct cfg_val	*cur;		/* the value a continuation extends */
	size_t		 level;		/* indentation of cur's key line */
};


/* Sections by name; a name ending in ':' is a prefix. */
static const struct cfg_sectype {
	const char	*name;
	int		 kind;
} cfg_sectypes[] = {
	{ "program:",		CFG_S_PROGRAM },
	{ "group:",		CFG_S_GROUP },
	{ "supervisord",	CFG_S_SUPERVISORD },
	{ "unix_http_server",	CFG_S_UNIX },
	{ "warden",		CFG_S_WARDEN },
	{ "include",		CFG_S_INCLUDE },
	{ "eventlistener:",	CFG_S_LISTENER },
	{ "fcgi-program:",	CFG_S_FCGI },
	{ "rpcinterface:supervisor", CFG_S_RPC },
	{ "rpcinterface:",	CFG_S_IGNORED },
	{ "ctlplugin:",		CFG_S_IGNORED },
	{ "inet_http_server",	CFG_S_INET },
	{ "supervisorctl",	CFG_S_CTLCLIENT },
};


/* The loader's context. */

struct cfg_file *
cfg_file_new(struct cfg_ctx *ctx, const char *name, const char *abspath)
{
	struct cfg_file	*f;

	f = xcalloc(1, sizeof *f);
	f->name = xstrdup(name);
	f->here = cfg_dirname(abspath);
	ctx->files = xreallocarray(ctx->files, ctx->nfiles + 1,
	    sizeof *ctx->files);
	ctx->files[ctx->nfiles++] = f;
	return (f);
}

static int
cfg_sect_kind(const char *name)
{
	const struct cfg_sectype	*t;
	size_t				 n;

	for (t = cfg_sectypes; t < cfg_sectypes + nitems(cfg_sectypes);
	    t++) {
		n = strlen(t->name);
		if (t->name[n - 1] == ':' ? strncmp(name, t->name, n) == 0 :
		    strcmp(name, t->name) == 0)
			return (t->kind);
	}
	return (CFG_S_UNKNOWN);
}

static struct cfg_sect *
cfg_sect_new(const char *name, struct cfg_file *f, int line)
{
	struct cfg_sect	*s;

	s = xcalloc(1, sizeof *s);
	s->name = xstrdup(name);
	s->kind = cfg_sect_kind(name);
	s->file = f;
	s->line = line;
	return (s);
}

void
cfg_sect_free(struct cfg_sect *s)
{
	int	i;

	if (s == NULL)
		return;
	for (i = 0; i < s->nvals; i++) {
		free(s->vals[i]->key);
		free(s->vals[i]->buf.s);
		free(s->vals[i]);
	}
	free(s->vals);
	cfg_map_free(&s->keys);
	free(s->name);
	free(s);
}

/* key's value in s, or in [DEFAULT] as configparser falls back. */
struct cfg_val *
cfg_get(struct cfg_ctx *ctx, struct cfg_sect *s, const char *key)
{
	struct cfg_ment	*e;

	if ((e = cfg_map_find(&s->keys, key)) != NULL)
		return (s->vals[e->idx]);
	if (ctx->defaults != NULL && s != ctx->defaults &&
	    (e = cfg_map_find(&ctx->defaults->keys, key)) != NULL)
		return (ctx->defaults->vals[e->idx]);
	return (NULL);
}

/* Pass 1: configparser's lines. */

/*
 * Where configparser starts an inline comment: the first ';' or '#' at
 * the start of the line or after whitespace, searched the way it does
 * (round by round, each prefix at its next occurrence: "a;b ;c #d" is
 * cut at " #", not at " ;").  -1: none.
 */
static ssize_t
cfg_comment_start(const char *line, size_t len)
{
	static const char	 prefix[2] = { ';', '#' };
	const char		*hit;
	ssize_t			 idx[2] = { -1, -1 }, start = -1;
	int			 live[2] = { 1, 1 }, k;

	while (start == -1 && (live[0] || live[1])) {
		for (k = 0; k < 2; k++) {
			if (!live[k])
				continue;
			hit = memchr(line + idx[k] + 1, prefix[k],
			    len - (size_t)(idx[k] + 1));
			if (hit == NULL) {
				live[k] = 0;
				continue;
			}
			idx[k] = hit - line;
			if ((idx[k] == 0 || cfg_isspace((unsigned char)
			    line[idx[k] - 1])) && (start == -1 ||
			    idx[k] < start))
				start = idx[k];
		}
	}
	return (start);
}

static void
cfg_cut_warn(struct cfg_ctx *ctx, struct cfg_pstate *ps, struct cfg_val *v,
    char prefix)
{
	if (v->quote != CFG_Q_SINGLE && v->quote != CFG_Q_DOUBLE &&
	    v->quote != CFG_Q_DESC)
		return;
	v->cut = 1;
	cfg_warn(ctx, ps->file, ps->line, "%s= is cut at \" %c\", inside "
	    "quotes: supervisord reads whitespace then '%c' as the start of a "
	    "comment, even in quotes", v->key, prefix, prefix);
}

static int
cfg_header(struct cfg_ctx *ctx, struct cfg_pstate *ps, const char *name,
    size_t len)
{
	struct cfg_ment	*e;
	char		*s;

	ps->cur = NULL;
	s = cfg_strndup(name, len);
	if (strcmp(s, "DEFAULT") == 0) {
		if (ctx->defaults == NULL)
			ctx->defaults = cfg_sect_new(s, ps->file, ps->line);
		ps->sect = ctx->defaults;
	} else if (ps->included && strcmp(s, "include") == 0) {
		cfg_warn(ctx, ps->file, ps->line, "[include] in an included "
		    "file is ignored: includes do not nest");
		if (ctx->scratch == NULL)
			ctx->scratch = cfg_sect_new(s, ps->file, ps->line);
		ps->sect = ctx->scratch;
	} else if ((e = cfg_map_find(&ctx->sectmap, s)) != NULL)
		ps->sect = ctx->sects[e->idx];
	else {
		ps->sect = cfg_sect_new(s, ps->file, ps->line);
		ctx->sects = xreallocarray(ctx->sects, ctx->nsects + 1,
		    sizeof *ctx->sects);
		e = cfg_map_put(&ctx->sectmap, s);
		e->idx = ctx->nsects;
		ctx->sects[ctx->nsects++] = ps->sect;
	}
	free(s);
	return (0);
}

/* key = value or key: value, in the current section. */
static int
cfg_option(struct cfg_ctx *ctx, struct cfg_pstate *ps, const char *line,
    size_t len)
{
	struct cfg_sect	*s = ps->sect;
	struct cfg_ment	*e;
	struct cfg_val	*v;
	const char	*d, *val;
	char		*key, *p;
	size_t		 klen, vlen;

	for (d = line; d < line + len && *d != '=' && *d != ':'; d++)
		;
	if (d == line + len)
		return (cfg_error(ctx, ps->file, ps->line, "not a [section], "
		    "a key = value or a comment"));
	klen = d - line;
	while (klen > 0 && cfg_isspace((unsigned char)line[klen - 1]))
		klen--;
	if (klen == 0)
		return (cfg_error(ctx, ps->file, ps->line, "no key before "
		    "'%c'", *d));
	key = cfg_strndup(line, klen);
	for (p = key; *p != '\0'; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p += 'a' - 'A';
	e = cfg_map_put(&s->keys, key);
	if (e->idx == -1) {
		v = xcalloc(1, sizeof *v);
		v->key = key;
		s->vals = xreallocarray(s->vals, s->nvals + 1,
		    sizeof *s->vals);
		e->idx = s->nvals;
		s->vals[s->nvals++] = v;
	} else {
		/* Last wins, in the place of the first. */
		v = s->vals[e->idx];
		free(key);
		v->buf.len = 0;
		v->blank = v->cut = 0;
	}
	v->file = ps->file;
	v->line = ps->line;
	val = d + 1;
	vlen = line + len - val;
	cfg_strip(&val, &vlen);
	cfg_buf_add(&v->buf, val, vlen);
	v->quote = cfg_quote_feed(CFG_Q_NONE, val, vlen);
	ps->cur = v;
	return (0);
}

/* One line, as RawConfigParser._read sees it. */
static int
cfg_line(struct cfg_ctx *ctx, struct cfg_pstate *ps, const char *line,
    size_t len)
{
	struct cfg_val	*v;
	const char	*val, *rb;
	size_t		 vlen, indent;
	ssize_t		 cs;
	char		 prefix;

	cs = cfg_comment_start(line, len);
	val = line;
	vlen = len;
	cfg_strip(&val, &vlen);
	if (vlen > 0 && (*val == ';' || *val == '#'))
		cs = 0;
	prefix = cs > 0 ? line[cs] : 0;
	val = line;
	vlen = cs == -1 ? len : (size_t)cs;
	cfg_strip(&val, &vlen);
	if (vlen == 0) {
		/* An empty line may sit inside a value; a comment may not. */
		if (cs == -1 && ps->cur != NULL)
			ps->cur->blank++;
		return (0);
	}
	for (indent = 0; cfg_isspace((unsigned char)line[indent]); indent++)
		;
	if (ps->cur != NULL && indent > ps->level) {
		v = ps->cur;
		do {
			cfg_buf_addc(&v->buf, '\n');
			v->quote = cfg_quote_feed(v->quote, "\n", 1);
		} while (v->blank-- > 0);
		v->blank = 0;
		cfg_buf_add(&v->buf, val, vlen);
		v->quote = cfg_quote_feed(v->quote, val, vlen);
		if (prefix != 0)
			cfg_cut_warn(ctx, ps, v, prefix);
		return (0);
	}
	ps->level = indent;
	if (*val == '[') {
		for (rb = val + vlen - 1; rb > val && *rb != ']'; rb--)
			;
		if (rb - val >= 2)
			return (cfg_header(ctx, ps, val + 1, rb - val - 1));
	}
	if (ps->sect == NULL)
		return (cfg_error(ctx, ps->file, ps->line, "a key before any "
		    "[section] line"));
	if (cfg_option(ctx, ps, val, vlen) == -1)
		return (-1);
	if (prefix != 0)
		cfg_cut_warn(ctx, ps, ps->cur, prefix);
	return (0);
}

/* A whole file: lines end at \n, \r\n or \r (Python's universal newlines). */
int
cfg_parse(struct cfg_ctx *ctx, struct cfg_file *f, const char *text,
    size_t len, int included)
{
	struct cfg_pstate	 ps;
	const char		*line, *end, *next, *lim = text + len;

	memset(&ps, 0, sizeof ps);
	ps.file = f;
	ps.included = included;
	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
		text += 3;
	for (line = text; line < lim; line = next) {
		ps.line++;
		for (end = line; end < lim && *end != '\n' && *end != '\r';
		    end++)
			;
		next = end;
		if (next < lim)
			next += (*next == '\r' && next + 1 < lim &&
			    next[1] == '\n') ? 2 : 1;
		if (memchr(line, '\0', end - line) != NULL)
			return (cfg_error(ctx, f, ps.line, "a NUL byte"));
		if (cfg_line(ctx, &ps, line, end - line) == -1)
			return (-1);
	}
	return (0);
}

/* A file's bytes, up to CFG_MAXFILE; -1 with errno. */
int
cfg_read(const char *path, char **textp, size_t *lenp)
{
	struct stat	 sb;
	struct cfg_buf	 b;
	ssize_t		 n;
	size_t		 room;
	int		 fd, saved_errno;

	memset(&b, 0, sizeof b);
	if ((fd = open(path, O_RDONLY|O_CLOEXEC|O_NOCTTY)) == -1)
		return (-1);
	if (fstat(fd, &sb) == -1)
		goto fail;
	if (S_ISDIR(sb.st_mode)) {
		errno = EISDIR;
		goto fail;
	}
	/*
	 * Straight into the buffer, sized by the file and doubled while it
	 * grows: no chunk on the stack, whose pages the supervisor would
	 * keep for its whole life.
	 */
	cfg_buf_add(&b, "", 0);
	for (;;) {
		if (b.size - b.len < 2) {
			/* The file's size and a byte to see its end, or more. */
			room = (size_t)sb.st_size > b.len ?
			    (size_t)sb.st_size - b.len + 1 : b.size;
			if (room < 4096)
				room = 4096;
			b.s = xreallocarray(b.s, b.len + room + 1, 1);
			b.size = b.len + room + 1;
		}
		if ((n = read(fd, b.s + b.len, b.size - b.len - 1)) == -1) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		if (n == 0)
			break;
		if (b.len + (size_t)n > CFG_MAXFILE) {
			errno = EFBIG;
			goto fail;
		}
		b.len += (size_t)n;
		b.s[b.len] = '\0';
	}
	close(fd);
	*lenp = b.len;
	*textp = cfg_buf_take(&b);
	return (0);
fail:
	saved_errno = errno;
	close(fd);
	free(b.s);
	errno = saved_errno;
	return (-1);
}

const char *
cfg_strerror(int error)
{
	if (error == EFBIG)
		return ("larger than 16 MiB");
	return (strerror(error));
}

/* Pass 2: [include] files= of the main file. */

static int
cfg_has_magic(const char *s)
{
	return (strpbrk(s, "*?[") != NULL);
}

static int
cfg_pathcmp(const void *a, const void *b)
{
	return (strcmp(*(char * const *)a, *(char * const *)b));
}

static int
cfg_include_one(struct cfg_ctx *ctx, struct cfg_val *v, const char *path,
    int magic)
{
	struct cfg_file	*f;
	char		*text, *abs, *q;
	size_t		 len;
	int		 r;

	if (cfg_read(path, &text, &len) == -1) {
		q = cfg_vis(path);
		if (magic && errno == EISDIR) {
			cfg_warn(ctx, v->file, v->line, "%s: %s is a "
			    "directory, skipped", v->key, q);
			free(q);
			return (0);
		}
		cfg_error(ctx, v->file, v->line, "%s: %s: %s", v->key, q,
		    cfg_strerror(errno));
		free(q);
		return (-1);
	}
	abs = cfg_abspath("/", path);
	f = cfg_file_new(ctx, path, abs);
	free(abs);
	r = cfg_parse(ctx, f, text, len, 1);
	free(text);
	return (r);
}

static int
cfg_include_pattern(struct cfg_ctx *ctx, struct cfg_val *v, const char *word)
{
	glob_t	 g;
	char	*path, *q;
	size_t	 i;
	int	 r, magic, rv = 0;

	if (*word == '/')
		path = xstrdup(word);
	else
		xasprintf(&path, "%s/%s", v->file->here, word);
#ifdef WARDEN_FUZZING
	/* The fuzzer stays in its directory. */
	if (*word == '/' || strstr(word, "..") != NULL) {
		free(path);
		return (0);
	}
#endif
	magic = cfg_has_magic(word);
	memset(&g, 0, sizeof g);
	r = glob(path, GLOB_NOSORT|GLOB_NOESCAPE, NULL, &g);
	if (r == GLOB_NOMATCH || (r == 0 && g.gl_pathc == 0)) {
		q = cfg_vis(path);
		if (magic)
			cfg_warn(ctx, v->file, v->line, "%s: no file matches "
			    "%s", v->key, q);
		else {
			cfg_error(ctx, v->file, v->line, "%s: %s: %s", v->key,
			    q, strerror(ENOENT));
			rv = -1;
		}
		free(q);
	} else if (r != 0) {
		q = cfg_vis(path);
		cfg_error(ctx, v->file, v->line, "%s: cannot expand %s",
		    v->key, q);
		free(q);
		rv = -1;
	} else {
		qsort(g.gl_pathv, g.gl_pathc, sizeof *g.gl_pathv,
		    cfg_pathcmp);
		for (i = 0; rv == 0 && i < g.gl_pathc; i++)
			rv = cfg_include_one(ctx, v, g.gl_pathv[i], magic);
	}
	if (r == 0)
		globfree(&g);
	free(path);
	return (rv);
}

/*
 * supervisord reads the main file whole, then each file its [include]
 * names (space-separated globs relative to the main file's directory,
 * each glob's matches sorted), whose own [include] is ignored.
 */
int
cfg_includes(struct cfg_ctx *ctx)
{
	struct cfg_exp	 x;
	struct cfg_ment	*e;
	struct cfg_sect	*s;
	struct cfg_val	*v;
	const char	*p, *w;
	char		*str, *word;
	int		 rv = 0;

	if ((e = cfg_map_find(&ctx->sectmap, "include")) == NULL)
		return (0);
	s = ctx->sects[e->idx];
	cfg_warn_keys(ctx, s, &cfg_include_keys);
	if ((v = cfg_get(ctx, s, "files")) == NULL)
		return (cfg_error(ctx, s->file, s->line, "[include] has no "
		    "files="));
	memset(&x, 0, sizeof x);
	x.include = 1;
	if (cfg_expand(ctx, &x, v, &str) == -1)
		return (-1);
	for (p = str; rv == 0; p = w) {
		while (cfg_isspace((unsigned char)*p))
			p++;
		if (*p == '\0')
			break;
		for (w = p; *w != '\0' && !cfg_isspace((unsigned char)*w); w++)
			;
		word = cfg_strndup(p, w - p);
		rv = cfg_include_pattern(ctx, v, word);
		free(word);
	}
	free(str);
	return (rv);
}
