/*
 * Each command's usage, written once: the command line's usage errors
 * (main.c), "warden help" and the control socket's verbs (src/sup/) all
 * print these.  A supervisor verb's arguments (usage_args) leave out the
 * client's own options, USAGE_CLIENT, which the command line puts before
 * them.
 */
#include <stdio.h>
#include <string.h>

#include "warden.h"

#define USAGE_CLIENT	"[-s SOCKET | -c FILE]"

struct usage_entry {
	const char	*name;
	const char	*own;		/* the command line's own part, or NULL */
	const char	*args;		/* a supervisor verb's, or NULL */
	const char	*cli_args;	/* args as the command line orders them */
	const char	*about;
};

/* Sorted by name, as "warden help" lists them. */
static const struct usage_entry usage_table[] = {
	{ "help", "[COMMAND]", NULL, NULL, "show usage" },
	{ "inspect", "PID [--json]", NULL, NULL,
	    "audit a running process against the daemon checklist" },
	{ "logs", NULL, "(NAME | --supervisor) [-f] [-n LINES] [--stderr] "
	    "[--rotate]", NULL,
	    "show a service's log, or the supervisor's; -f follows it" },
	{ "notify", "[--pid PID] VAR=VALUE...", NULL, NULL,
	    "send an sd_notify message (READY=1, STATUS=...)" },
	{ "ps", "[PID...] [--all] [--json]", NULL, NULL,
	    "draw sessions, process groups and processes" },
	{ "reexec", NULL, "", NULL,
	    "exec the supervisor again (a new binary), services untouched" },
	{ "reload", NULL, "", NULL,
	    "re-read the config; apply only what changed" },
	{ "restart", NULL, "NAME...|GROUP:*|all", NULL,
	    "stop, then start services" },
	{ "run", "[options] -- COMMAND [ARG...]", NULL, NULL,
	    "run COMMAND as a daemon" },
	{ "shutdown", NULL, "", NULL,
	    "stop every service, then the supervisor" },
	{ "start", NULL, "NAME...|GROUP:*|all", NULL,
	    "start services and wait until they settle" },
	{ "status", "--pidfile FILE [--json] |", "[--json] [NAME...]",
	    "[NAME...] [--json]",
	    "a daemon by pidfile (LSB codes), or the supervisor's services" },
	{ "stop", "--pidfile FILE [--signal SIG] [--timeout SEC] |",
	    "NAME...|GROUP:*|all", NULL,
	    "stop a daemon by pidfile, or services" },
	{ "up", "[-c FILE] [-F] [--check]", NULL, NULL,
	    "start the supervisor on a config file" },
	{ "version", "", NULL, NULL, "print the version" },
};

static const struct usage_entry *
usage_find(const char *name)
{
	size_t	i;

	for (i = 0; i < nitems(usage_table); i++)
		if (strcmp(usage_table[i].name, name) == 0)
			return (&usage_table[i]);
	return (NULL);
}

/* Append one part of a usage line to buf, a space before it. */
static void
usage_append(char *buf, size_t len, const char *part)
{
	size_t	used = strlen(buf);

	if (part == NULL || *part == '\0')
		return;
	snprintf(buf + used, len - used, "%s%s", used > 0 ? " " : "", part);
}

/* The command line's usage of ue, after "warden NAME ". */
static const char *
usage_cli(const struct usage_entry *ue, char *buf, size_t len)
{
	buf[0] = '\0';
	usage_append(buf, len, ue->own);
	if (ue->args != NULL) {
		usage_append(buf, len, USAGE_CLIENT);
		usage_append(buf, len, ue->cli_args ? ue->cli_args : ue->args);
	}
	return (buf);
}

/* The arguments a supervisor verb takes, or NULL for no such verb. */
const char *
usage_args(const char *verb)
{
	const struct usage_entry	*ue;

	if ((ue = usage_find(verb)) == NULL)
		return (NULL);
	return (ue->args);
}

/*
 * Print "usage: warden NAME ..." to fp, and with about what the command
 * does.  Returns -1 for no such command.
 */
int
usage_print(FILE *fp, const char *name, int about)
{
	const struct usage_entry	*ue;
	char				 buf[256];

	if ((ue = usage_find(name)) == NULL)
		return (-1);
	fprintf(fp, "usage: warden %s %s\n", ue->name,
	    usage_cli(ue, buf, sizeof buf));
	if (about)
		fprintf(fp, "%s\n", ue->about);
	return (0);
}

/* Print every command's usage and what it does to fp. */
void
usage_all(FILE *fp)
{
	char	buf[256];
	size_t	i;

	fprintf(fp, "usage: warden COMMAND [ARG...]\n\ncommands:\n");
	for (i = 0; i < nitems(usage_table); i++)
		fprintf(fp, "  %-8s %s\n           %s\n", usage_table[i].name,
		    usage_cli(&usage_table[i], buf, sizeof buf),
		    usage_table[i].about);
	fprintf(fp, "\nwarden help COMMAND shows one command; "
	    "man warden has the whole story.\n");
}
