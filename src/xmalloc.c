/* Allocators for the binary: they die on exhaustion (never in lib/). */
#include <err.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "warden.h"

void *
xmalloc(size_t size)
{
	void	*p;

	if ((p = malloc(size ? size : 1)) == NULL)
		err(1, "malloc");
	return (p);
}

void *
xcalloc(size_t n, size_t size)
{
	void	*p;

	if ((p = calloc(n ? n : 1, size ? size : 1)) == NULL)
		err(1, "calloc");
	return (p);
}

void *
xreallocarray(void *ptr, size_t n, size_t size)
{
	void	*p;

	if ((p = reallocarray(ptr, n ? n : 1, size ? size : 1)) == NULL)
		err(1, "realloc");
	return (p);
}

char *
xstrdup(const char *s)
{
	char	*p;

	if ((p = strdup(s)) == NULL)
		err(1, "strdup");
	return (p);
}

int
xasprintf(char **ret, const char *fmt, ...)
{
	va_list	ap;
	int	n;

	va_start(ap, fmt);
	n = vasprintf(ret, fmt, ap);
	va_end(ap);
	if (n == -1)
		err(1, "asprintf");
	return (n);
}
