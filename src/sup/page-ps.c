/*
 * GET /ps/NAME: the processes of a service's session, drawn as warden
 * ps draws them (cmd-ps.c), as text.
 */
#include <stdlib.h>

#include "page.h"

/* The drawing of name's session, or 404. */
void
page_ps(struct hconn *c, const char *name)
{
	(void)name;
	hc_error(c, 404, 0);
}
