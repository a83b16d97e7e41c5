/* daemon3: the glibc daemon(3) row of bench/audit.sh.
 * Usage: daemon3 COMMAND [ARG...] -- calls daemon(0, 0) (single fork,
 * setsid, chdir /, stdio to /dev/null) and execs COMMAND, the way a program
 * that "daemonizes itself" with daemon(3) ends up. */
#define _DEFAULT_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: daemon3 COMMAND [ARG...]\n");
		return 2;
	}
	if (daemon(0, 0) != 0) {
		perror("daemon3: daemon");
		return 1;
	}
	execvp(argv[1], argv + 1);
	return 127;	/* stderr is /dev/null now: nothing to say */
}
