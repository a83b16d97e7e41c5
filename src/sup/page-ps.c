/*
 * GET /ps/NAME: the session a service was started in, its process
 * groups and processes, drawn as warden ps draws them (cmd-ps.c), as
 * text for the page's process view.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "page.h"

/* The drawing of name's session; 404 for a name unknown. */
void
page_ps(struct hconn *c, const char *name)
{
	struct svc	*s;
	struct buf	 body = { NULL, 0, 0 };
	FILE		*fp;
	char		*text = NULL, *cause = NULL;
	size_t		 len = 0, n = 0;
	pid_t		 sid;

	if ((s = svc_find(c->srv->sup, name, &cause)) == NULL) {
		free(cause);
		hc_error(c, 404, 0);
		return;
	}
	sid = s->pid > 0 ? getsid(s->pid) : -1;
	if (sid <= 0 && s->rest)
		sid = s->sid;		/* what an exited instance left */
	if ((fp = open_memstream(&text, &len)) != NULL) {
		if (sid > 0)
			n = ps_draw_session(fp, sid);
		fclose(fp);
	}
	if (n == 0)
		buf_printf(&body, "%s: no processes\n", s->cfg->name);
	else
		buf_add(&body, text, len);
	free(text);
	page_head(&c->out, 200, "text/plain;charset=utf-8",
	    (long long)body.len, c->keep_alive, NULL);
	buf_add(&c->out, body.data, body.len);
	buf_free(&body);
	hc_done(c);
}
