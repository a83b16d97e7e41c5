/* Small parsers and formatters shared by the commands. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
 * Copy len bytes of in to out (size outlen, always terminated) with
 * control bytes and backslashes escaped, so that a command line or a log
 * line can be shown on a terminal without driving it.
 */
void
str_escape(const char *in, size_t len, char *out, size_t outlen)
{
	const unsigned char	*p = (const unsigned char *)in;
	size_t			 o = 0, i;
	char			 tmp[8];
	int			 n;

	if (outlen == 0)
		return;
	for (i = 0; i < len; i++) {
		if (p[i] == '\\')
			n = snprintf(tmp, sizeof tmp, "\\\\");
		else if (p[i] == '\n')
			n = snprintf(tmp, sizeof tmp, "\\n");
		else if (p[i] == '\t')
			n = snprintf(tmp, sizeof tmp, "\\t");
		else if (p[i] < 0x20 || p[i] == 0x7f)
			n = snprintf(tmp, sizeof tmp, "\\x%02x", p[i]);
		else {
			tmp[0] = (char)p[i];
			tmp[1] = '\0';
			n = 1;
		}
		if (o + n >= outlen)
			break;
		memcpy(out + o, tmp, n);
		o += n;
	}
	out[o] = '\0';
}
