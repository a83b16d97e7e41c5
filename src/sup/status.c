/*
 * The status verb: one line per service, or the same as JSON
 * (status --json), for the control socket.
 */
#include <sys/wait.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control.h"

/* GROUP:NAME, or NAME alone when they are the same. */
const char *
ctl_fullname(const struct svc *s, char *buf, size_t len)
{
	if (strcmp(s->cfg->group, s->cfg->name) == 0)
		snprintf(buf, len, "%s", s->cfg->name);
	else
		snprintf(buf, len, "%s:%s", s->cfg->group, s->cfg->name);
	return (buf);
}

/* The targets as one JSON object, on one line. */
static void
ctl_status_json(struct ctl_conn *c)
{
	char	 *buf = NULL, desc[256];
	size_t	  len = 0;
	FILE	 *fp;
	int	  i;

	if ((fp = open_memstream(&buf, &len)) == NULL)
		return;
	fprintf(fp, "{\"services\": [");
	for (i = 0; i < c->ntargets; i++) {
		struct svc *s = c->targets[i];

		svc_describe(s, desc, sizeof desc);
		fprintf(fp, "%s{\"name\": ", i ? ", " : "");
		json_string(fp, s->cfg->name);
		fprintf(fp, ", \"group\": ");
		json_string(fp, s->cfg->group);
		fprintf(fp, ", \"state\": \"%s\", \"pid\": ",
		    svc_state_names[s->state]);
		if (s->pid > 0)
			fprintf(fp, "%ld", (long)s->pid);
		else
			fprintf(fp, "null");
		fprintf(fp, ", \"since\": %lld, \"exit_status\": ",
		    (long long)s->since);
		if (s->has_status && WIFEXITED(s->status))
			fprintf(fp, "%d", WEXITSTATUS(s->status));
		else if (s->has_status && WIFSIGNALED(s->status))
			fprintf(fp, "%d", 128 + WTERMSIG(s->status));
		else
			fprintf(fp, "null");
		fprintf(fp, ", \"restarts\": %lu, \"ready\": %s, "
		    "\"description\": ", s->restarts, s->state == SVC_RUNNING ?
		    "true" : "false");
		json_string(fp, desc);
		fputc('}', fp);
	}
	fprintf(fp, "]}");
	fclose(fp);
	ctl_printf(c, "%s", buf);
	free(buf);
}

/* status [--json] [NAME...]: OK when every one is RUNNING, else OK 3. */
int
ctl_status(struct ctl_conn *c, int argc, char **argv)
{
	char	name[512], desc[256];
	int	json = 0, i, k, all_running = 1;

	/* --json anywhere among the names. */
	for (i = k = 0; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else
			argv[k++] = argv[i];
	}
	argc = k;
	if (argc == 0) {
		char *all = "all";

		if (ctl_targets(c, 1, &all) == -1)
			return (-1);
	} else if (ctl_targets(c, argc, argv) == -1)
		return (-1);
	for (i = 0; i < c->ntargets; i++)
		if (c->targets[i]->state != SVC_RUNNING)
			all_running = 0;
	if (json)
		ctl_status_json(c);
	else {
		double	now = mono_now();

		for (i = 0; i < c->ntargets; i++) {
			struct svc	*t = c->targets[i];
			long		 up = (long)(now - t->started);
			int		 grouped;

			grouped = strcmp(t->cfg->group, t->cfg->name) != 0;
			if (t->state == SVC_RUNNING && t->note == NULL &&
			    !t->reloading && !t->stopping &&
			    svclog_problem(t) == NULL) {
				/* The common line in one format: 1,000 fast. */
				ctl_printf(c, "%s%s%-*s RUNNING   pid %ld, "
				    "uptime %ld:%02ld:%02ld", grouped ?
				    t->cfg->group : "", grouped ? ":" : "",
				    grouped ? (int)(31 - strlen(t->cfg->group)) :
				    32, t->cfg->name, (long)t->pid, up / 3600,
				    (up % 3600) / 60, up % 60);
				continue;
			}
			svc_describe(t, desc, sizeof desc);
			ctl_printf(c, "%-32s %-9s %s", ctl_fullname(t, name,
			    sizeof name), svc_state_names[t->state], desc);
		}
	}
	ctl_end(c, all_running ? "OK" : "OK 3");
	return (0);
}
