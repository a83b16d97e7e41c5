/* warden notify: the sd_notify sender for shell scripts. */
#include <err.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "warden.h"

int
cmd_notify(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "pid", required_argument, NULL, 'P' },
		{ NULL, 0, NULL, 0 }
	};
	unsigned long	 pid = 0;
	char		*msg;
	size_t		 len = 0;
	int		 ch, i, rv;

	while ((ch = getopt_long(argc, argv, "+P:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'P':
			if (parse_uint(optarg, 4194304, &pid) == -1 ||
			    pid == 0) {
				warnx("--pid: not a pid: %s", optarg);
				return (EXIT_USAGE);
			}
			break;
		default:
			return (CMD_USAGE);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0)
		return (CMD_USAGE);
	for (i = 0; i < argc; i++) {
		if (strchr(argv[i], '=') == NULL || argv[i][0] == '=' ||
		    strchr(argv[i], '\n') != NULL) {
			warnx("not VAR=VALUE: %s", argv[i]);
			return (EXIT_USAGE);
		}
		len += strlen(argv[i]) + 1;
	}
	msg = xmalloc(len + 1);
	msg[0] = '\0';
	for (i = 0; i < argc; i++) {
		strcat(msg, argv[i]);
		strcat(msg, "\n");
	}
	/* Speak for our parent by default: the script that called us. */
	rv = wd_notify_pid(pid ? (pid_t)pid : getppid(), msg);
	free(msg);
	if (rv == -1)
		err(1, "notify");
	if (rv == 0)
		errx(1, "notify: NOTIFY_SOCKET is not set");
	return (0);
}
