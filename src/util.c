/* Small parsers and formatters shared by the commands. */
#include <sys/signalfd.h>

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "warden.h"

/* A decimal number in [0, max]; -1 otherwise. */
int
parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	char		*end;
	unsigned long	 n;

	if (s == NULL || *s < '0' || *s > '9')
		return (-1);
	errno = 0;
	n = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || n > max)
		return (-1);
	*out = n;
	return (0);
}

/* Seconds, possibly fractional ("2", "0.5"), from 0 to a day. */
int
parse_seconds(const char *s, double *out)
{
	char	*end;
	double	 d;

	if (s == NULL || *s == '\0' || (*s < '0' || *s > '9'))
		return (-1);
	errno = 0;
	d = strtod(s, &end);
	if (errno != 0 || *end != '\0' || !isfinite(d) || d < 0 || d > 86400)
		return (-1);
	*out = d;
	return (0);
}

/*
 * The length of the valid UTF-8 sequence at s[i] (at most len - i bytes
 * long) whose code point is at least min, or 0.  Overlong forms and
 * surrogates are not valid.
 */
size_t
utf8_seq(const unsigned char *s, size_t i, size_t len, uint32_t min)
{
	uint32_t	c;
	size_t		n, k;

	if (s[i] < 0x80)
		return (s[i] >= min ? 1 : 0);
	if (s[i] < 0xc2 || s[i] > 0xf4)
		return (0);
	n = s[i] >= 0xf0 ? 4 : s[i] >= 0xe0 ? 3 : 2;
	c = s[i] & (0x7f >> n);
	for (k = 1; k < n && i + k < len && (s[i + k] & 0xc0) == 0x80; k++)
		c = (c << 6) | (s[i + k] & 0x3f);
	if (k != n || c < min || (c >= 0xd800 && c <= 0xdfff) ||
	    c > 0x10ffff || c < (n == 3 ? 0x800u : n == 4 ? 0x10000u : 0))
		return (0);
	return (n);
}

/*
 * len bytes of in made safe for a terminal, in a new string: backslash,
 * newline and tab escaped, other control bytes (C1 included) and bytes
 * that are not valid UTF-8 (every byte >= 0x80 when utf8 is 0) shown as
 * \xNN, so that a command line or a log line cannot drive the terminal.
 */
char *
str_vis(const char *in, size_t len, int utf8)
{
	const unsigned char	*s = (const unsigned char *)in;
	char			*out, *o;
	size_t			 i, n;

	out = o = xreallocarray(NULL, len + 1, 4);
	for (i = 0; i < len; i += n) {
		n = 1;
		if (s[i] == '\\' || s[i] == '\n' || s[i] == '\t') {
			*o++ = '\\';
			*o++ = s[i] == '\n' ? 'n' : s[i] == '\t' ? 't' : '\\';
		} else if (s[i] >= 0x20 && s[i] < 0x7f)
			*o++ = (char)s[i];
		else if (utf8 && (n = utf8_seq(s, i, len, 0xa0)) > 0) {
			memcpy(o, s + i, n);
			o += n;
		} else {
			n = 1;
			o += sprintf(o, "\\x%02x", s[i]);
		}
	}
	*o = '\0';
	return (out);
}

/* A terminal's name from stat's tty_nr: "pts/3", "tty1", or "MAJ:MIN". */
void
tty_name(int tty_nr, char *buf, size_t len)
{
	unsigned int	maj, min;

	maj = ((unsigned int)tty_nr >> 8) & 0xfff;
	min = ((unsigned int)tty_nr & 0xff) |
	    (((unsigned int)tty_nr >> 12) & 0xfff00);
	if (maj >= 136 && maj <= 143)
		snprintf(buf, len, "pts/%u", (maj - 136) * 256 + min);
	else if (maj == 4 && min < 64)
		snprintf(buf, len, "tty%u", min);
	else if (maj == 4)
		snprintf(buf, len, "ttyS%u", min - 64);
	else if (maj == 5 && min == 1)
		snprintf(buf, len, "console");
	else
		snprintf(buf, len, "%u:%u", maj, min);
}

/*
 * Set NAME=VALUE in env, an array of *n owned strings ending in NULL,
 * replacing an earlier NAME: the last setting wins, as in a shell.
 * Returns the (possibly moved) array.
 */
char **
env_set(char **env, int *n, const char *nv)
{
	size_t	len = strcspn(nv, "=");
	int	i;

	for (i = 0; i < *n; i++) {
		if (strncmp(env[i], nv, len) == 0 && env[i][len] == '=') {
			free(env[i]);
			env[i] = xstrdup(nv);
			return (env);
		}
	}
	env = xreallocarray(env, *n + 2, sizeof *env);
	env[(*n)++] = xstrdup(nv);
	env[*n] = NULL;
	return (env);
}

/*
 * Split "[HOST:]PORT" or "[V6ADDR]:PORT" (HOST defaults to 127.0.0.1)
 * into new strings.  Returns 0, or -1 when it is not that shape.
 */
int
hostport_split(const char *s, char **hostp, char **portp)
{
	unsigned long	 n;
	char		*hp, *colon, *host, *port;
	int		 ok;

	hp = xstrdup(s);
	host = "127.0.0.1";
	port = hp;
	if (hp[0] == '[' && (colon = strstr(hp, "]:")) != NULL) {
		*colon = '\0';
		host = hp + 1;
		port = colon + 2;
	} else if ((colon = strrchr(hp, ':')) != NULL) {
		*colon = '\0';
		host = hp;
		port = colon + 1;
	}
	ok = parse_uint(port, 65535, &n) == 0 && n != 0 && *host != '\0' &&
	    (strchr(host, ':') == NULL || hp[0] == '[');
	if (ok) {
		*hostp = xstrdup(host);
		*portp = xstrdup(port);
	}
	free(hp);
	return (ok ? 0 : -1);
}

/* Seconds on CLOCK_MONOTONIC: every deadline warden keeps. */
double
mono_now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((double)ts.tv_sec + (double)ts.tv_nsec / 1e9);
}

/*
 * Block the n signals in sigs and return a signalfd that reads them
 * (non-blocking, close-on-exec); -1 with errno.  Children unblock them
 * again before exec (spawn_exec).
 */
int
sigfd_open(const int *sigs, size_t n)
{
	sigset_t	set;
	size_t		i;

	sigemptyset(&set);
	for (i = 0; i < n; i++)
		sigaddset(&set, sigs[i]);
	if (sigprocmask(SIG_BLOCK, &set, NULL) == -1)
		return (-1);
	return (signalfd(-1, &set, SFD_NONBLOCK|SFD_CLOEXEC));
}

#define BACKOFF_FIRST	0.1	/* the second retry's delay, s */
#define BACKOFF_MAX	30.0	/* the cap */

/*
 * The delay before the nth retry after failures in a row: the first at
 * once, then 0.1 s doubling, capped at 30 s.
 */
double
backoff_delay(int n)
{
	double	d = BACKOFF_FIRST;

	if (n <= 1)
		return (0);
	while (--n > 1 && d < BACKOFF_MAX)
		d *= 2;
	return (d < BACKOFF_MAX ? d : BACKOFF_MAX);
}

/*
 * Keep the last cap bytes of a stream in kept (*len of them so far),
 * with n more bytes from buf.
 */
void
tail_keep(char *kept, size_t cap, size_t *len, const char *buf, size_t n)
{
	size_t	drop;

	if (n >= cap) {
		memcpy(kept, buf + n - cap, cap);
		*len = cap;
		return;
	}
	if (*len + n > cap) {
		drop = *len + n - cap;
		memmove(kept, kept + drop, *len - drop);
		*len -= drop;
	}
	memcpy(kept + *len, buf, n);
	*len += n;
}
