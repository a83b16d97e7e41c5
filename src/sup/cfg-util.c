/*
 * Small utilities of the config reader: growing strings, NULL-ended
 * string vectors, the string map, errors and warnings with FILE:LINE,
 * and paths as Python's os.path makes them.
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../warden.h"
#include "config.h"
#include "cfg-internal.h"

/* Small helpers. */

char *
cfg_vfmt(const char *fmt, va_list ap)
{
	va_list	 aq;
	char	*s;
	int	 n;

	va_copy(aq, ap);
	n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (n < 0)
		n = 0;
	s = xmalloc((size_t)n + 1);
	if (vsnprintf(s, (size_t)n + 1, fmt, ap) < 0)
		*s = '\0';
	return (s);
}

void
cfg_buf_add(struct cfg_buf *b, const char *p, size_t n)
{
	size_t	size;

	if (b->s == NULL || b->len + n + 1 > b->size) {
		for (size = b->size ? b->size : 64; size < b->len + n + 1;
		    size *= 2)
			;
		b->s = xreallocarray(b->s, size, 1);
		b->size = size;
	}
	if (n > 0)
		memcpy(b->s + b->len, p, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void
cfg_buf_addc(struct cfg_buf *b, char c)
{
	cfg_buf_add(b, &c, 1);
}

/* The string built so far, now the caller's; b is empty again. */
char *
cfg_buf_take(struct cfg_buf *b)
{
	char	*s;

	s = b->s != NULL ? b->s : xstrdup("");
	memset(b, 0, sizeof *b);
	return (s);
}

char *
cfg_strndup(const char *s, size_t n)
{
	char	*p;

	p = xmalloc(n + 1);
	if (n > 0)
		memcpy(p, s, n);
	p[n] = '\0';
	return (p);
}

/* Python's str.isspace(), for ASCII. */
int
cfg_isspace(int c)
{
	return ((c >= '\t' && c <= '\r') || (c >= 0x1c && c <= ' '));
}

/* Python's str.strip(), on a pointer and length. */
void
cfg_strip(const char **p, size_t *len)
{
	while (*len > 0 && cfg_isspace((unsigned char)**p)) {
		(*p)++;
		(*len)--;
	}
	while (*len > 0 && cfg_isspace((unsigned char)(*p)[*len - 1]))
		(*len)--;
}

char *
cfg_strip_dup(const char *s)
{
	size_t	len = strlen(s);

	cfg_strip(&s, &len);
	return (cfg_strndup(s, len));
}

/* s made printable and short, for a message. */
char *
cfg_vis(const char *s)
{
	size_t	 len = strlen(s);
	char	*v, *out;

	if (len <= 64)
		return (str_vis(s, len, 1));
	v = str_vis(s, 60, 1);
	xasprintf(&out, "%s...", v);
	free(v);
	return (out);
}

/* NULL-ended vectors, grown by powers of two. */
static size_t
cfg_strv_cap(int n)
{
	size_t	cap;

	for (cap = 8; cap < (size_t)n + 1; cap *= 2)
		;
	return (cap);
}

char **
cfg_strv_new(void)
{
	return (xcalloc(cfg_strv_cap(0), sizeof (char *)));
}

void
cfg_strv_add(char ***vp, int *np, char *s)
{
	int	n = *np;

	if (*vp == NULL || cfg_strv_cap(n + 1) != cfg_strv_cap(n))
		*vp = xreallocarray(*vp, cfg_strv_cap(n + 1), sizeof **vp);
	(*vp)[n] = s;
	(*vp)[n + 1] = NULL;
	*np = n + 1;
}

void
cfg_strv_free(char **v)
{
	char	**p;

	if (v == NULL)
		return;
	for (p = v; *p != NULL; p++)
		free(*p);
	free(v);
}

/* The map. */

static unsigned int
cfg_hash(const char *s)
{
	unsigned int	h = 2166136261u;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return (h);
}

struct cfg_ment *
cfg_map_find(const struct cfg_map *m, const char *key)
{
	struct cfg_ment	*e;

	if (m->nb == 0)
		return (NULL);
	for (e = m->b[cfg_hash(key) % m->nb]; e != NULL; e = e->next)
		if (strcmp(e->key, key) == 0)
			return (e);
	return (NULL);
}

/* The entry for key, added (val NULL, idx -1) if it was not there. */
struct cfg_ment *
cfg_map_put(struct cfg_map *m, const char *key)
{
	struct cfg_ment	**nb, *e, *next;
	size_t		  i, n, h;

	if ((e = cfg_map_find(m, key)) != NULL)
		return (e);
	if (m->n >= m->nb) {
		n = m->nb == 0 ? 16 : m->nb * 2;
		nb = xcalloc(n, sizeof *nb);
		for (i = 0; i < m->nb; i++) {
			for (e = m->b[i]; e != NULL; e = next) {
				next = e->next;
				h = cfg_hash(e->key) % n;
				e->next = nb[h];
				nb[h] = e;
			}
		}
		free(m->b);
		m->b = nb;
		m->nb = n;
	}
	e = xcalloc(1, sizeof *e);
	e->key = xstrdup(key);
	e->idx = -1;
	h = cfg_hash(key) % m->nb;
	e->next = m->b[h];
	m->b[h] = e;
	m->n++;
	return (e);
}

/* A NAME=VALUE vector into a map, the last of a name winning. */
void
cfg_map_env(struct cfg_map *m, char **env)
{
	struct cfg_ment	 *e;
	char		**p, *eq, *name;

	for (p = env; p != NULL && *p != NULL; p++) {
		if ((eq = strchr(*p, '=')) == NULL)
			continue;
		name = cfg_strndup(*p, eq - *p);
		e = cfg_map_put(m, name);
		free(name);
		free(e->val);
		e->val = xstrdup(eq + 1);
	}
}

void
cfg_map_free(struct cfg_map *m)
{
	struct cfg_ment	*e, *next;
	size_t		 i;

	for (i = 0; i < m->nb; i++) {
		for (e = m->b[i]; e != NULL; e = next) {
			next = e->next;
			free(e->key);
			free(e->val);
			free(e);
		}
	}
	free(m->b);
	memset(m, 0, sizeof *m);
}

/* Messages. */

int
cfg_error(struct cfg_ctx *ctx, const struct cfg_file *f, int line,
    const char *fmt, ...)
{
	va_list	 ap;
	char	*msg;

	if (ctx->cause != NULL)
		return (-1);
	va_start(ap, fmt);
	msg = cfg_vfmt(fmt, ap);
	va_end(ap);
	xasprintf(&ctx->cause, "%s:%d: %s", f->name, line, msg);
	free(msg);
	return (-1);
}

void
cfg_warn(struct cfg_ctx *ctx, const struct cfg_file *f, int line,
    const char *fmt, ...)
{
	struct config	*cf = ctx->cf;
	va_list		 ap;
	char		*msg, *w;

	if (cf->nwarnings > CFG_MAXWARN)
		return;
	if (cf->nwarnings == CFG_MAXWARN) {
		xasprintf(&w, "%s:%d: more than %d warnings, the rest not "
		    "shown", f->name, line, CFG_MAXWARN);
		cfg_strv_add(&cf->warnings, &cf->nwarnings, w);
		return;
	}
	va_start(ap, fmt);
	msg = cfg_vfmt(fmt, ap);
	va_end(ap);
	xasprintf(&w, "%s:%d: %s", f->name, line, msg);
	free(msg);
	cfg_strv_add(&cf->warnings, &cf->nwarnings, w);
}

/* Paths. */

/* path made absolute against base and normalised like os.path.abspath. */
char *
cfg_abspath(const char *base, const char *path)
{
	char	*joined, *out, *o, *p, *next;
	size_t	 n;

	if (*path == '/')
		joined = xstrdup(path);
	else
		xasprintf(&joined, "%s/%s", base, path);
	out = xmalloc(strlen(joined) + 2);
	o = out;
	for (p = joined; *p != '\0'; p = next) {
		while (*p == '/')
			p++;
		if ((next = strchr(p, '/')) == NULL)
			next = p + strlen(p);
		n = next - p;
		if (n == 0 || (n == 1 && p[0] == '.'))
			continue;
		if (n == 2 && p[0] == '.' && p[1] == '.') {
			while (o > out && *--o != '/')
				;
			continue;
		}
		*o++ = '/';
		memcpy(o, p, n);
		o += n;
	}
	if (o == out)
		*o++ = '/';
	*o = '\0';
	free(joined);
	return (out);
}

/* The directory of an absolute, normalised path. */
char *
cfg_dirname(const char *path)
{
	const char	*slash;

	slash = strrchr(path, '/');
	if (slash == NULL || slash == path)
		return (xstrdup("/"));
	return (cfg_strndup(path, slash - path));
}

/* os.path.expanduser: ~ and ~user at the start. */
char *
cfg_expanduser(const char *s)
{
	struct passwd	*pw;
	const char	*rest, *home = NULL;
	char		*user, *out;
	size_t		 n;

	if (*s != '~')
		return (xstrdup(s));
	if ((rest = strchr(s, '/')) == NULL)
		rest = s + strlen(s);
	if (rest == s + 1) {
		if ((home = getenv("HOME")) == NULL &&
		    (pw = getpwuid(getuid())) != NULL)
			home = pw->pw_dir;
	} else {
		user = cfg_strndup(s + 1, rest - s - 1);
		if ((pw = getpwnam(user)) != NULL)
			home = pw->pw_dir;
		free(user);
	}
	if (home == NULL)
		return (xstrdup(s));
	n = strlen(home);
	while (n > 0 && home[n - 1] == '/')
		n--;
	xasprintf(&out, "%.*s%s", (int)n, home, rest);
	if (*out == '\0') {
		free(out);
		out = xstrdup("/");
	}
	return (out);
}

int
cfg_isdir(const char *path)
{
	struct stat	sb;

	return (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode));
}
