/* What the unit tests need of main.c, which they do not link. */
#include <stdlib.h>

void	usage_cmd(const char *);

void
usage_cmd(const char *name)
{
	(void)name;
	exit(2);
}
