/*
 * The config reader's lexers: shlex as supervisord splits command= with
 * it, the tokens of environment=, and numbers as Python's int() reads
 * them.
 */
#include <sys/types.h>

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "../warden.h"
#include "config.h"
#include "cfg-internal.h"

/* Lexing: shlex, as supervisord uses it. */

static int
cfg_shspace(int c)
{
	return (c == ' ' || c == '\t' || c == '\r' || c == '\n');
}

/*
 * One step of shlex's quote state over p, for the inline comment warning
 * (the same quoting rules as cfg_shlex).
 */
int
cfg_quote_feed(int q, const char *p, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		switch (q) {
		case CFG_Q_NONE:
			if (p[i] == '\'')
				q = CFG_Q_SINGLE;
			else if (p[i] == '"')
				q = CFG_Q_DOUBLE;
			else if (p[i] == '\\')
				q = CFG_Q_ESC;
			break;
		case CFG_Q_SINGLE:
			if (p[i] == '\'')
				q = CFG_Q_NONE;
			break;
		case CFG_Q_DOUBLE:
			if (p[i] == '"')
				q = CFG_Q_NONE;
			else if (p[i] == '\\')
				q = CFG_Q_DESC;
			break;
		case CFG_Q_ESC:
			q = CFG_Q_NONE;
			break;
		case CFG_Q_DESC:
			q = CFG_Q_DOUBLE;
			break;
		}
	}
	return (q);
}

/*
 * shlex.split(s): POSIX mode, whitespace-separated words, single quotes
 * literal, double quotes with \" and \\ only (a backslash before anything
 * else stays), a backslash outside quotes escapes the next character.  No
 * comments, no expansion.  On error NULL, with *cause allocated.
 */
char **
cfg_shlex(const char *s, char **cause)
{
	struct cfg_buf	  tok;
	char		**argv;
	int		  argc = 0, state = ' ', esc = 'a', quoted = 0, c;

	memset(&tok, 0, sizeof tok);
	argv = cfg_strv_new();
	for (;;) {
		c = (unsigned char)*s;
		if (c != '\0')
			s++;
		switch (state) {
		case ' ':
		case 'a':
			if (c == '\0' || cfg_shspace(c)) {
				if (tok.len > 0 || quoted)
					cfg_strv_add(&argv, &argc,
					    cfg_buf_take(&tok));
				quoted = 0;
				if (c == '\0')
					goto out;
				state = ' ';
			} else if (c == '\'' || c == '"') {
				state = c;
				quoted = 1;
			} else if (c == '\\') {
				esc = 'a';
				state = '\\';
			} else {
				cfg_buf_addc(&tok, (char)c);
				state = 'a';
			}
			break;
		case '\'':
		case '"':
			if (c == '\0') {
				*cause = xstrdup("no closing quotation");
				goto fail;
			}
			if (c == state)
				state = 'a';
			else if (c == '\\' && state == '"') {
				esc = state;
				state = '\\';
			} else
				cfg_buf_addc(&tok, (char)c);
			break;
		case '\\':
			if (c == '\0') {
				*cause = xstrdup("no escaped character after "
				    "the last backslash");
				goto fail;
			}
			if (esc != 'a' && c != '\\' && c != esc)
				cfg_buf_addc(&tok, '\\');
			cfg_buf_addc(&tok, (char)c);
			state = esc;
			break;
		}
	}
out:
	free(tok.s);
	return (argv);
fail:
	free(tok.s);
	cfg_strv_free(argv);
	return (NULL);
}

/* shlex's wordchars as dict_of_key_value_pairs extends them. */
static int
cfg_envword(int c)
{
	return (c >= 0x80 || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	    (c != '\0' && strchr("_/.+-():", c) != NULL));
}

/*
 * One token of shlex(s, posix=True) with wordchars += "/.+-():": words,
 * quoted strings, '#' comments to the end of the line, and any other
 * character alone ("=", ",").  1: a token in tok, 0: the end, -1: error.
 */
int
cfg_env_token(const char **pp, struct cfg_buf *tok, const char **why)
{
	const char	*p = *pp;
	int		 state = ' ', esc = 'a', quoted = 0, c;

	tok->len = 0;
	if (tok->s != NULL)
		tok->s[0] = '\0';
	for (;;) {
		c = (unsigned char)*p;
		if (c != '\0')
			p++;
		if (state == '\'' || state == '"') {
			quoted = 1;
			if (c == '\0') {
				*why = "no closing quotation";
				return (-1);
			}
			if (c == state)
				state = 'a';
			else if (c == '\\' && state == '"') {
				esc = state;
				state = '\\';
			} else
				cfg_buf_addc(tok, (char)c);
			continue;
		}
		if (state == '\\') {
			if (c == '\0') {
				*why = "no escaped character after the last "
				    "backslash";
				return (-1);
			}
			if (esc != 'a' && c != '\\' && c != esc)
				cfg_buf_addc(tok, '\\');
			cfg_buf_addc(tok, (char)c);
			state = esc;
			continue;
		}
		if (c == '\0')
			break;
		if (cfg_shspace(c)) {
			if (state == 'a' && (tok->len > 0 || quoted))
				break;
			state = ' ';
		} else if (c == '#') {
			while (*p != '\0' && *p++ != '\n')
				;
			if (state == 'a' && (tok->len > 0 || quoted))
				break;
			state = ' ';
		} else if (c == '\\') {
			esc = 'a';
			state = '\\';
		} else if (c == '\'' || c == '"')
			state = c;
		else if (cfg_envword(c)) {
			cfg_buf_addc(tok, (char)c);
			state = 'a';
		} else if (state == ' ') {
			cfg_buf_addc(tok, (char)c);
			break;
		} else {
			p--;
			if (tok->len > 0 || quoted)
				break;
			state = ' ';
		}
	}
	*pp = p;
	return (tok->len > 0 || quoted);
}

/* A variable name: a letter or _, then letters, digits, _. */
int
cfg_envname(const char *s)
{
	if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
	    *s == '_'))
		return (0);
	for (s++; *s != '\0'; s++)
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
		    (*s >= '0' && *s <= '9') || *s == '_'))
			return (0);
	return (1);
}

/* Numbers, as Python's int() reads them. */

int
cfg_pyint_base(const char *s, int base, long long *out)
{
	long long	 n = 0;
	size_t		 len = strlen(s);
	int		 neg = 0, d, digits = 0;

	cfg_strip(&s, &len);
	if (len > 0 && (*s == '+' || *s == '-')) {
		neg = *s == '-';
		s++;
		len--;
	}
	if (base == 8 && len >= 2 && s[0] == '0' && (s[1] == 'o' ||
	    s[1] == 'O')) {
		s += 2;
		len -= 2;
		if (len > 0 && *s == '_') {
			s++;
			len--;
		}
	}
	for (; len > 0; s++, len--) {
		if (*s == '_' && digits > 0 && len > 1 && s[1] != '_')
			continue;
		if (*s < '0' || *s >= '0' + base)
			return (-1);
		d = *s - '0';
		if (n > (LLONG_MAX - d) / base)
			return (-1);
		n = n * base + d;
		digits++;
	}
	if (digits == 0)
		return (-1);
	*out = neg ? -n : n;
	return (0);
}

int
cfg_pyint(const char *s, long long *out)
{
	return (cfg_pyint_base(s, 10, out));
}
