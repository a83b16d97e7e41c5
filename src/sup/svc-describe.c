/*
 * A service's description, the one implementation of it: supervisord's
 * (_interpretProcessInfo, for XML-RPC's process info) and warden's
 * status column, which is supervisord's and more (notes, the exit
 * status, log problems).  Uptimes print as Python's timedelta, stop
 * times as supervisorctl shows them.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "sup.h"

/* Seconds as Python's timedelta prints them: "0:01:02", "2 days, 1:00:00". */
static void
svc_uptime(char *buf, size_t len, time_t up)
{
	long	days = (long)(up / 86400), rest = (long)(up % 86400);

	if (up < 0)
		days = rest = 0;
	if (days > 0)
		snprintf(buf, len, "%ld day%s, %ld:%02ld:%02ld", days,
		    days == 1 ? "" : "s", rest / 3600, rest % 3600 / 60,
		    rest % 60);
	else
		snprintf(buf, len, "%ld:%02ld:%02ld", rest / 3600,
		    rest % 3600 / 60, rest % 60);
}

/* A wall clock time as supervisorctl shows a stop: "Dec 04 08:11 PM". */
static void
svc_when(char *buf, size_t len, time_t t)
{
	struct tm	*tm = localtime(&t);

	if (tm == NULL || strftime(buf, len, "%b %d %I:%M %p", tm) == 0)
		snprintf(buf, len, "?");
}

/* The wall clock time of the last spawn, or 0 if it never ran. */
time_t
svc_start_time(const struct svc *s)
{
	struct timespec	ts;

	if (s->started == 0)
		return (0);
	clock_gettime(CLOCK_REALTIME, &ts);
	return ((time_t)((double)ts.tv_sec + ts.tv_nsec / 1e9 -
	    (mono_now() - s->started) + 0.5));
}

/* The wall clock time of the last stop, or 0: only known while idle. */
time_t
svc_stop_time(const struct svc *s)
{
	return (s->started != 0 && svc_is_idle(s) ? s->since : 0);
}

/*
 * The description of supervisord's process info (_interpretProcessInfo),
 * exactly: from the same start, stop and now as the struct.
 */
void
svc_describe_sd(const struct svc *s, time_t start, time_t stop, time_t now,
    char *buf, size_t len)
{
	char	up[64];

	if (s->state == SVC_RUNNING) {
		svc_uptime(up, sizeof up, now - start);
		snprintf(buf, len, "pid %ld, uptime %s", (long)s->pid, up);
	} else if (svc_is_failed(s)) {
		if (s->desc != NULL && *s->desc != '\0')
			snprintf(buf, len, "%s", s->desc);
		else
			snprintf(buf, len, "unknown error (try \"tail %s\")",
			    s->cfg->name);
	} else if (s->state == SVC_STOPPED || s->state == SVC_EXITED) {
		if (start != 0)
			svc_when(buf, len, stop);
		else
			snprintf(buf, len, "Not started");
	} else if (len > 0)
		buf[0] = '\0';
}

/* The state's own part of warden's description: supervisord's, and more. */
static void
svc_describe_state(struct svc *s, char *buf, size_t len)
{
	char		 st[64], when[32], up[64];
	time_t		 t;

	if (svc_is_up(s)) {
		t = time(NULL) - s->since;
		if (s->state == SVC_RUNNING)
			t = (time_t)(mono_now() - s->started);
		svc_uptime(up, sizeof up, t);
		snprintf(buf, len, "pid %ld, uptime %s%s%s%s%s",
		    (long)s->pid, up, s->reloading ? ", reloading" : "",
		    s->stopping ? ", stopping" : "", s->note ? "; " : "",
		    s->note ? s->note : "");
	} else if (svc_is_failed(s))
		snprintf(buf, len, "%s", s->desc != NULL ? s->desc :
		    "Exited too quickly");
	else if (s->state == SVC_EXITED) {
		svc_when(when, sizeof when, s->since);
		snprintf(buf, len, "%s, %s%s", when, spawn_status_str(s->status,
		    st, sizeof st), s->timer ? ", restarting" : "");
	} else if (s->has_status)
		svc_when(buf, len, s->since);
	else
		snprintf(buf, len, "Not started");
}

/* The description column of status, supervisorctl's way. */
void
svc_describe(struct svc *s, char *buf, size_t len)
{
	const char	*problem;
	size_t		 n;

	svc_describe_state(s, buf, len);
	if ((problem = svclog_problem(s)) != NULL &&
	    (n = strlen(buf)) < len)
		snprintf(buf + n, len - n, "%s%s", n > 0 ? "; " : "", problem);
}
