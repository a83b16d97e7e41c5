/*
 * Expansions in config values: Python's "%(name)s" % dict, with the
 * names supervisord gives (here, program_name, process_num, ENV_X ...).
 */
#include <sys/types.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../warden.h"
#include "config.h"
#include "cfg-internal.h"

/* Expansions: Python's "%(name)s" % dict. */

/*
 * The value of an expansion name: 1 and *sp for a string, 2 and *np for
 * a number, 0 if there is no such name here.
 */
static int
cfg_exp_lookup(struct cfg_ctx *ctx, const struct cfg_exp *x,
    const char *here, const char *name, const char **sp, long *np)
{
	struct cfg_map	*maps[3];
	struct cfg_ment	*e;
	int		 i;

	if (strcmp(name, "here") == 0) {
		*sp = here;
		return (1);
	}
	if (strcmp(name, "host_node_name") == 0) {
		*sp = ctx->host;
		return (1);
	}
	if (x->include)
		return (0);
	if (x->program != NULL && strcmp(name, "program_name") == 0) {
		*sp = x->program;
		return (1);
	}
	if (x->program != NULL && strcmp(name, "group_name") == 0) {
		*sp = x->group;
		return (1);
	}
	if (x->procvars && strcmp(name, "process_num") == 0) {
		*np = x->process_num;
		return (2);
	}
	if (x->procvars && strcmp(name, "numprocs") == 0) {
		*np = x->numprocs;
		return (2);
	}
	if (strncmp(name, "ENV_", 4) != 0)
		return (0);
	maps[0] = x->penv;
	maps[1] = x->senv;
	maps[2] = &ctx->environ;
	for (i = 0; i < 3; i++) {
		if (maps[i] != NULL &&
		    (e = cfg_map_find(maps[i], name + 4)) != NULL) {
			*sp = e->val;
			return (1);
		}
	}
	return (0);
}

/* One conversion, with Python's flags: '-' left, '0' zeros, '+' ' ' sign. */
static void
cfg_exp_format(struct cfg_buf *b, const char *flags, int width, int prec,
    int conv, const char *s, long n, int isnum)
{
	char		 digits[32], sign[2] = { 0, 0 };
	const char	*text;
	size_t		 len, nd, pad, zeros = 0;
	int		 left, zero;

	left = strchr(flags, '-') != NULL;
	zero = !left && strchr(flags, '0') != NULL;
	if (conv == 's') {
		if (isnum) {
			snprintf(digits, sizeof digits, "%ld", n);
			s = digits;
		}
		text = s;
		len = strlen(s);
		if (prec >= 0 && (size_t)prec < len)
			len = prec;
		zero = 0;
	} else {
		snprintf(digits, sizeof digits, "%lu", n < 0 ?
		    -(unsigned long)n : (unsigned long)n);
		if (n < 0)
			sign[0] = '-';
		else if (strchr(flags, '+') != NULL)
			sign[0] = '+';
		else if (strchr(flags, ' ') != NULL)
			sign[0] = ' ';
		nd = strlen(digits);
		if (prec >= 0 && (size_t)prec > nd)
			zeros = prec - nd;
		text = digits;
		len = nd;
	}
	pad = strlen(sign) + zeros + len;
	pad = (width > 0 && (size_t)width > pad) ? width - pad : 0;
	if (!left && !zero)
		for (; pad > 0; pad--)
			cfg_buf_addc(b, ' ');
	cfg_buf_add(b, sign, strlen(sign));
	if (zero)
		for (; pad > 0; pad--)
			cfg_buf_addc(b, '0');
	for (; zeros > 0; zeros--)
		cfg_buf_addc(b, '0');
	cfg_buf_add(b, text, len);
	for (; pad > 0; pad--)
		cfg_buf_addc(b, ' ');
}

static int
cfg_exp_bad(struct cfg_ctx *ctx, struct cfg_val *v, const char *start,
    const char *end, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static int
cfg_exp_bad(struct cfg_ctx *ctx, struct cfg_val *v, const char *start,
    const char *end, const char *fmt, ...)
{
	va_list	 ap;
	char	*spec, *vspec, *why;
	int	 rv;

	va_start(ap, fmt);
	why = cfg_vfmt(fmt, ap);
	va_end(ap);
	spec = cfg_strndup(start, end - start);
	vspec = cfg_vis(spec);
	rv = cfg_error(ctx, v->file, v->line, "bad expansion %s in %s: %s",
	    vspec, v->key, why);
	free(vspec);
	free(spec);
	free(why);
	return (rv);
}

/* Digits for a width or precision; -1 when too large. */
static int
cfg_exp_num(const char **pp)
{
	const char	*p = *pp;
	int		 n = 0;

	for (; *p >= '0' && *p <= '9'; p++)
		if (n <= CFG_MAXWIDTH)
			n = n * 10 + (*p - '0');
	*pp = p;
	return (n > CFG_MAXWIDTH ? -1 : n);
}

/* text % expansions, into *out; v names the key and line for errors. */
int
cfg_expand_text(struct cfg_ctx *ctx, const struct cfg_exp *x,
    struct cfg_val *v, const char *text, char **out)
{
	struct cfg_buf	 b;
	const char	*p, *start, *kstart, *s = NULL;
	char		*name = NULL, *q, flags[8];
	long		 n = 0;
	int		 depth, width, prec, found, nf;

	memset(&b, 0, sizeof b);
	cfg_buf_add(&b, "", 0);
	for (p = text; *p != '\0'; p++) {
		if (*p != '%') {
			cfg_buf_addc(&b, *p);
			continue;
		}
		start = p++;
		if (*p == '%') {
			cfg_buf_addc(&b, '%');
			continue;
		}
		if (*p != '(') {
			cfg_exp_bad(ctx, v, start, p + (*p != '\0'),
			    "no name (write %%(name)s, or %%%% for a %%)");
			goto fail;
		}
		kstart = ++p;
		for (depth = 1; *p != '\0'; p++) {
			if (*p == '(')
				depth++;
			else if (*p == ')' && --depth == 0)
				break;
		}
		if (*p == '\0') {
			cfg_exp_bad(ctx, v, start, p, "no closing ')'");
			goto fail;
		}
		name = cfg_strndup(kstart, p - kstart);
		p++;
		for (nf = 0; *p != '\0' && strchr("-+ #0", *p) != NULL; p++)
			if (nf < (int)sizeof flags - 1)
				flags[nf++] = *p;
		flags[nf] = '\0';
		width = prec = -1;
		if (*p >= '0' && *p <= '9' && (width = cfg_exp_num(&p)) == -1) {
			cfg_exp_bad(ctx, v, start, p, "width too large");
			goto fail;
		}
		if (*p == '.') {
			p++;
			if ((prec = cfg_exp_num(&p)) == -1) {
				cfg_exp_bad(ctx, v, start, p,
				    "precision too large");
				goto fail;
			}
		}
		while (*p == 'h' || *p == 'l' || *p == 'L')
			p++;
		if (*p == '\0') {
			cfg_exp_bad(ctx, v, start, p, "no conversion "
			    "(%%(name)s or %%(name)d)");
			goto fail;
		}
		if (strchr("sdiu", *p) == NULL || strchr(flags, '#') != NULL) {
			cfg_exp_bad(ctx, v, start, p + 1, "only the s, d, i "
			    "and u conversions, without '#'");
			goto fail;
		}
		found = cfg_exp_lookup(ctx, x, v->file->here, name, &s, &n);
		if (found == 0) {
			q = cfg_vis(name);
			cfg_exp_bad(ctx, v, start, p + 1, "no such name "
			    "\"%s\" here", q);
			free(q);
			goto fail;
		}
		if (*p != 's' && found != 2) {
			q = cfg_vis(name);
			cfg_exp_bad(ctx, v, start, p + 1, "\"%s\" is a "
			    "string, not a number", q);
			free(q);
			goto fail;
		}
		cfg_exp_format(&b, flags, width, prec, *p == 's' ? 's' : 'd',
		    s, n, found == 2);
		free(name);
		name = NULL;
	}
	*out = cfg_buf_take(&b);
	return (0);
fail:
	free(name);
	free(b.s);
	return (-1);
}

int
cfg_expand(struct cfg_ctx *ctx, const struct cfg_exp *x, struct cfg_val *v,
    char **out)
{
	return (cfg_expand_text(ctx, x, v, v->buf.s, out));
}
