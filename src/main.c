/*
 * warden: one binary, git-style subcommands.  The table below is the
 * command line's contract; "warden help" prints it.
 */
#include <err.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "warden.h"

static int	cmd_help(int, char **);
static int	cmd_version(int, char **);

struct cmd_entry {
	const char	*name;
	const char	*usage;
	const char	*about;
	int		(*exec)(int, char **);
};

/* Sorted by name. */
static const struct cmd_entry cmd_table[] = {
	{ "help", "[COMMAND]", "show usage", cmd_help },
	{ "inspect", "PID [--json]",
	    "audit a running process against the daemon checklist",
	    cmd_inspect },
	{ "logs", "[-s SOCKET | -c FILE] (NAME | --supervisor) [-f] "
	    "[-n LINES] [--stderr] [--rotate]",
	    "show a service's log, or the supervisor's; -f follows it",
	    cmd_logs },
	{ "notify", "[--pid PID] VAR=VALUE...",
	    "send an sd_notify message (READY=1, STATUS=...)", cmd_notify },
	{ "ps", "[PID...] [--all] [--json]",
	    "draw sessions, process groups and processes", cmd_ps },
	{ "reload", "[-s SOCKET | -c FILE]",
	    "re-read the config; apply only what changed", cmd_ctl },
	{ "restart", "[-s SOCKET | -c FILE] NAME...|GROUP:*|all",
	    "stop, then start services", cmd_ctl },
	{ "run", "[options] -- COMMAND [ARG...]", "run COMMAND as a daemon",
	    cmd_run },
	{ "shutdown", "[-s SOCKET | -c FILE]",
	    "stop every service, then the supervisor", cmd_ctl },
	{ "start", "[-s SOCKET | -c FILE] NAME...|GROUP:*|all",
	    "start services and wait until they settle", cmd_ctl },
	{ "status", "--pidfile FILE [--json] | [-s SOCKET | -c FILE] "
	    "[NAME...] [--json]",
	    "a daemon by pidfile (LSB codes), or the supervisor's services",
	    cmd_status },
	{ "stop", "--pidfile FILE [--signal SIG] [--timeout SEC] | "
	    "[-s SOCKET | -c FILE] NAME...|GROUP:*|all",
	    "stop a daemon by pidfile, or services", cmd_stop },
	{ "up", "[-c FILE] [-F] [--check]",
	    "start the supervisor on a config file", cmd_up },
	{ "version", "", "print the version", cmd_version },
};

static const char run_options[] =
"  -p, --pidfile FILE       pidfile; refuse when it names a running daemon\n"
"  -n, --name NAME          name used in messages (default: COMMAND's)\n"
"  -u, --user USER[:GROUP]  drop privileges before exec\n"
"  -C, --chdir DIR          working directory (default /)\n"
"  -m, --umask MODE         file mode mask (default 022)\n"
"  -o, --output FILE        append stdout and stderr to FILE\n"
"      --stdout FILE        append stdout to FILE\n"
"      --stderr FILE        append stderr to FILE\n"
"      --syslog             send stdout and stderr to syslog\n"
"  -e, --env NAME=VALUE     set a variable (repeatable)\n"
"  -E, --clear-env          start from an empty environment (PATH kept)\n"
"  -r, --respawn            restart COMMAND when it dies, with backoff\n"
"      --ready MODE         exec (default) | notify | fd:N | tcp:[HOST:]PORT\n"
"      --ready-timeout SEC  give up waiting for readiness (default 60)\n"
"  -F, --foreground         do everything but detach\n";

static const struct cmd_entry *
cmd_find(const char *name)
{
	size_t	i;

	for (i = 0; i < nitems(cmd_table); i++)
		if (strcmp(cmd_table[i].name, name) == 0)
			return (&cmd_table[i]);
	return (NULL);
}

/* Print one command's usage to stderr. */
static void
usage_cmd(const struct cmd_entry *ce)
{
	fprintf(stderr, "usage: warden %s %s\n", ce->name, ce->usage);
}

static void
usage_all(FILE *fp)
{
	size_t	i;

	fprintf(fp, "usage: warden COMMAND [ARG...]\n\ncommands:\n");
	for (i = 0; i < nitems(cmd_table); i++)
		fprintf(fp, "  %-8s %s\n           %s\n", cmd_table[i].name,
		    cmd_table[i].usage, cmd_table[i].about);
	fprintf(fp, "\nwarden help COMMAND shows one command; "
	    "man warden has the whole story.\n");
}

static int
cmd_help(int argc, char **argv)
{
	const struct cmd_entry	*ce;

	if (argc < 2) {
		usage_all(stdout);
		return (0);
	}
	if ((ce = cmd_find(argv[1])) == NULL) {
		warnx("unknown command: %s", argv[1]);
		return (EXIT_USAGE);
	}
	printf("usage: warden %s %s\n%s\n", ce->name, ce->usage, ce->about);
	if (strcmp(ce->name, "run") == 0)
		printf("\n%s", run_options);
	return (0);
}

static int
cmd_version(int argc, char **argv)
{
	printf("warden %s\n", WARDEN_VERSION_STR);
	return (0);
}

int
main(int argc, char **argv)
{
	const struct cmd_entry	*ce;
	int			 rv;

	/* Nothing we open may land on 0, 1 or 2. */
	if (wd_fd_stdio() == -1)
		return (1);
	if (argc < 2) {
		usage_all(stderr);
		return (EXIT_USAGE);
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0)
		return (cmd_version(argc - 1, argv + 1));
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
		return (cmd_help(argc - 1, argv + 1));
	if ((ce = cmd_find(argv[1])) == NULL) {
		warnx("unknown command: %s (warden help lists them)", argv[1]);
		return (EXIT_USAGE);
	}
	/* warden waits for children: an inherited SIG_IGN would break it. */
	signal(SIGCHLD, SIG_DFL);
	if ((rv = ce->exec(argc - 1, argv + 1)) == CMD_USAGE) {
		usage_cmd(ce);
		rv = EXIT_USAGE;
	}
	return (rv);
}
