/* Placeholder until warden inspect lands (issue 3). */
#include <err.h>

#include "warden.h"

int
cmd_inspect(int argc, char **argv)
{
	warnx("inspect: not built yet");
	return (1);
}
