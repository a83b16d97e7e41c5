/*
 * warden: one binary, git-style subcommands.  The table below says which
 * function runs each command; their usage is in usage.c, which "warden
 * help" prints.
 */
#include <err.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "warden.h"

static int	cmd_help(int, char **);
static int	cmd_version(int, char **);

struct cmd_entry {
	const char	*name;
	int		(*exec)(int, char **);
};

/* Sorted by name. */
static const struct cmd_entry cmd_table[] = {
	{ "help",	cmd_help },
	{ "inspect",	cmd_inspect },
	{ "logs",	cmd_logs },
	{ "notify",	cmd_notify },
	{ "ps",		cmd_ps },
	{ "reexec",	cmd_ctl },
	{ "reload",	cmd_ctl },
	{ "restart",	cmd_ctl },
	{ "run",	cmd_run },
	{ "shutdown",	cmd_ctl },
	{ "start",	cmd_ctl },
	{ "status",	cmd_status },
	{ "stop",	cmd_stop },
	{ "up",		cmd_up },
	{ "version",	cmd_version },
};

static const struct cmd_entry *
cmd_find(const char *name)
{
	size_t	i;

	for (i = 0; i < nitems(cmd_table); i++)
		if (strcmp(cmd_table[i].name, name) == 0)
			return (&cmd_table[i]);
	return (NULL);
}

/* warden help [COMMAND] */
static int
cmd_help(int argc, char **argv)
{
	if (argc < 2) {
		usage_all(stdout);
		return (0);
	}
	if (usage_print(stdout, argv[1], 1) == -1) {
		warnx("unknown command: %s", argv[1]);
		return (EXIT_USAGE);
	}
	if (strcmp(argv[1], "run") == 0) {
		putchar('\n');
		run_help(stdout);
	}
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
		(void)usage_print(stderr, ce->name, 0);
		rv = EXIT_USAGE;
	}
	return (rv);
}
