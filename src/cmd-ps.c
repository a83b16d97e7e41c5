/* Placeholder until warden ps lands (issue 3). */
#include <err.h>

#include "warden.h"

int
cmd_ps(int argc, char **argv)
{
	warnx("ps: not built yet");
	return (1);
}
