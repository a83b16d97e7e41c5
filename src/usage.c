/*
 * Each verb's arguments, written once: the command line's table (main.c),
 * the control socket's verbs (src/sup/) and "warden help" all print these.
 * The client's own options ("[-s SOCKET | -c FILE]") are not part of them.
 */
#include <string.h>

#include "warden.h"

static const struct {
	const char	*verb;
	const char	*args;
} usage_table[] = {
	{ "logs",	"(NAME | --supervisor) [-f] [-n LINES] [--stderr] "
			"[--rotate]" },
	{ "reload",	"" },
	{ "restart",	"NAME...|GROUP:*|all" },
	{ "shutdown",	"" },
	{ "start",	"NAME...|GROUP:*|all" },
	{ "status",	"[--json] [NAME...]" },
	{ "stop",	"NAME...|GROUP:*|all" },
};

/* The arguments a supervisor verb takes, or NULL for no such verb. */
const char *
usage_args(const char *verb)
{
	size_t	i;

	for (i = 0; i < nitems(usage_table); i++)
		if (strcmp(usage_table[i].verb, verb) == 0)
			return (usage_table[i].args);
	return (NULL);
}
