/*
 * GET /metrics: the supervisor and its services in Prometheus's text
 * exposition format (version 0.0.4).  Every family has its # HELP and
 * # TYPE, then all its samples together.  A service's labels are
 * name="NAME",group="GROUP"; its state is an enum as kube-state-metrics
 * writes one (a series per state, 1 for the current, 0 for the others).
 * Series with nothing to say are left out: the start time before any
 * start, the last exit status before any exit, memory and CPU without a
 * cgroup (or without its controller).  The exit status is the code, or
 * 128 + N for a process killed by signal N, as shells give it.
 *
 * Rendering walks the services once per family and reads two small
 * files per cgroup (cgroup.c's cg_usage): nothing is kept between
 * scrapes but the request counters.
 */
#include <sys/wait.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "httpd.h"

#define METRICS_TYPE	"text/plain; version=0.0.4; charset=utf-8"
#define METRICS_NSTATE	(SVC_FATAL + 1)

unsigned long	metrics_requests[2];	/* METRICS_CONTROL, METRICS_HTTP */

/* What one scrape knows of each service, gathered once. */
struct metrics_svc {
	struct svc	*svc;
	struct cg_usage	 cg;
};

/* A family's head: its help and its type. */
static void
metrics_family(struct buf *b, const char *name, const char *type,
    const char *help)
{
	buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A label value, escaped as the format wants: \\, \" and \n. */
void
metrics_label(struct buf *b, const char *v)
{
	size_t	n;

	while (*v != '\0') {
		n = strcspn(v, "\\\"\n");
		buf_add(b, v, n);
		v += n;
		if (*v == '\0')
			break;
		buf_addc(b, '\\');
		buf_addc(b, *v == '\n' ? 'n' : *v);
		v++;
	}
}

/* A service's sample up to its value: NAME{name="..",group=".."EXTRA} */
static void
metrics_svc_head(struct buf *b, const char *family, const struct svc *s,
    const char *extra)
{
	buf_printf(b, "%s{name=\"", family);
	metrics_label(b, s->cfg->name);
	buf_adds(b, "\",group=\"");
	metrics_label(b, s->cfg->group != NULL ? s->cfg->group :
	    s->cfg->name);
	buf_printf(b, "\"%s} ", extra != NULL ? extra : "");
}

/* The supervisor's own families. */
static void
metrics_sup(struct sup *sup, struct buf *b)
{
	struct svc	*s;
	unsigned long	 count[METRICS_NSTATE];
	int		 i;

	metrics_family(b, "warden_build_info", "gauge",
	    "The version of warden, as a label; always 1.");
	buf_adds(b, "warden_build_info{version=\"");
	metrics_label(b, WARDEN_VERSION_STR);
	buf_adds(b, "\"} 1\n");

	metrics_family(b, "warden_supervisor_start_time_seconds", "gauge",
	    "When the supervisor started, in seconds since the epoch.");
	buf_printf(b, "warden_supervisor_start_time_seconds %lld\n",
	    (long long)sup->started);

	memset(count, 0, sizeof count);
	TAILQ_FOREACH(s, &sup->svcs, entry)
		if ((int)s->state >= 0 && s->state < METRICS_NSTATE)
			count[s->state]++;
	metrics_family(b, "warden_services", "gauge",
	    "Services in each state.");
	for (i = 0; i < METRICS_NSTATE; i++)
		buf_printf(b, "warden_services{state=\"%s\"} %lu\n",
		    svc_state_names[i], count[i]);

	metrics_family(b, "warden_control_requests_total", "counter",
	    "Requests taken, by transport: the control socket, HTTP.");
	buf_printf(b, "warden_control_requests_total{transport=\"control\"} "
	    "%lu\n", metrics_requests[METRICS_CONTROL]);
	buf_printf(b, "warden_control_requests_total{transport=\"http\"} "
	    "%lu\n", metrics_requests[METRICS_HTTP]);
}

/* warden_service_state: a series per state, 1 for the service's own. */
static void
metrics_states(struct buf *b, const struct metrics_svc *v, size_t n)
{
	char	extra[64];
	size_t	i;
	int	j;

	metrics_family(b, "warden_service_state", "gauge",
	    "The service's state: 1 for the current one, 0 for the others.");
	for (i = 0; i < n; i++)
		for (j = 0; j < METRICS_NSTATE; j++) {
			snprintf(extra, sizeof extra, ",state=\"%s\"",
			    svc_state_names[j]);
			metrics_svc_head(b, "warden_service_state", v[i].svc,
			    extra);
			buf_adds(b, (int)v[i].svc->state == j ? "1\n" : "0\n");
		}
}

/* The families of one value per service. */
static void
metrics_values(struct buf *b, const struct metrics_svc *v, size_t n)
{
	const struct svc	*s;
	time_t			 t;
	size_t			 i;
	int			 st;

	metrics_family(b, "warden_service_up", "gauge",
	    "1 when a process of the service is there.");
	for (i = 0; i < n; i++) {
		metrics_svc_head(b, "warden_service_up", v[i].svc, NULL);
		buf_adds(b, v[i].svc->pid > 0 ? "1\n" : "0\n");
	}
	metrics_family(b, "warden_service_ready", "gauge",
	    "1 when the service is RUNNING: started and ready.");
	for (i = 0; i < n; i++) {
		metrics_svc_head(b, "warden_service_ready", v[i].svc, NULL);
		buf_adds(b, v[i].svc->state == SVC_RUNNING ? "1\n" : "0\n");
	}
	metrics_family(b, "warden_service_restarts_total", "counter",
	    "Automatic restarts after an exit from RUNNING.");
	for (i = 0; i < n; i++) {
		metrics_svc_head(b, "warden_service_restarts_total", v[i].svc,
		    NULL);
		buf_printf(b, "%lu\n", v[i].svc->restarts);
	}
	metrics_family(b, "warden_service_start_time_seconds", "gauge",
	    "When the service's last process started, in seconds since the "
	    "epoch.");
	for (i = 0; i < n; i++) {
		if ((t = svc_start_time(v[i].svc)) == 0)
			continue;
		metrics_svc_head(b, "warden_service_start_time_seconds",
		    v[i].svc, NULL);
		buf_printf(b, "%lld\n", (long long)t);
	}
	metrics_family(b, "warden_service_last_exit_status", "gauge",
	    "The last exit's status, kept while the next process runs: "
	    "its code, or 128 + N for signal N.");
	for (i = 0; i < n; i++) {
		s = v[i].svc;
		if (s->laststop == 0)
			continue;	/* no exit yet */
		if (WIFEXITED(s->status))
			st = WEXITSTATUS(s->status);
		else if (WIFSIGNALED(s->status))
			st = 128 + WTERMSIG(s->status);
		else
			continue;
		metrics_svc_head(b, "warden_service_last_exit_status", s, NULL);
		buf_printf(b, "%d\n", st);
	}
}

/* The families of each output stream: bytes written, bytes held. */
static void
metrics_logs(struct buf *b, const struct metrics_svc *v, size_t n)
{
	static const char	*extra[2] = {
		",stream=\"stdout\"", ",stream=\"stderr\""
	};
	const struct svclog	*l;
	size_t			 i;
	int			 j, held;

	for (held = 0; held < 2; held++) {
		if (held)
			metrics_family(b, "warden_service_log_held_bytes",
			    "gauge", "Output held back because its log could "
			    "not take it (a full disk, say).");
		else
			metrics_family(b, "warden_service_log_bytes_total",
			    "counter", "Bytes of output written to the "
			    "service's log.");
		for (i = 0; i < n; i++)
			for (j = 0; j < 2; j++) {
				l = j ? v[i].svc->err : v[i].svc->out;
				if (l == NULL)
					continue;
				metrics_svc_head(b, held ?
				    "warden_service_log_held_bytes" :
				    "warden_service_log_bytes_total",
				    v[i].svc, extra[j]);
				buf_printf(b, "%llu\n", held ?
				    (unsigned long long)(l->heldlen -
				    l->heldoff + l->pendlen) :
				    (unsigned long long)l->written);
			}
	}
}

/* The families read from the services' cgroups. */
static void
metrics_cgroups(struct buf *b, const struct metrics_svc *v, size_t n)
{
	size_t	i;

	metrics_family(b, "warden_service_memory_bytes", "gauge",
	    "Memory the service's cgroup uses (memory.current).");
	for (i = 0; i < n; i++) {
		if (!v[i].cg.has_memory)
			continue;
		metrics_svc_head(b, "warden_service_memory_bytes", v[i].svc,
		    NULL);
		buf_printf(b, "%llu\n", (unsigned long long)v[i].cg.memory);
	}
	metrics_family(b, "warden_service_cpu_seconds_total", "counter",
	    "CPU time the service's cgroup used (cpu.stat's usage_usec).");
	for (i = 0; i < n; i++) {
		if (!v[i].cg.has_cpu)
			continue;
		metrics_svc_head(b, "warden_service_cpu_seconds_total",
		    v[i].svc, NULL);
		buf_printf(b, "%llu.%06llu\n",
		    (unsigned long long)(v[i].cg.cpu_usec / 1000000),
		    (unsigned long long)(v[i].cg.cpu_usec % 1000000));
	}
}

/* Every family, for the supervisor and each of its services, into b. */
void
metrics_render(struct sup *sup, struct buf *b)
{
	struct metrics_svc	*v;
	struct svc		*s;
	size_t			 n = 0;

	TAILQ_FOREACH(s, &sup->svcs, entry)
		n++;
	v = xcalloc(n > 0 ? n : 1, sizeof *v);
	n = 0;
	TAILQ_FOREACH(s, &sup->svcs, entry) {
		v[n].svc = s;
		cg_usage(s->cgroup, &v[n].cg);
		n++;
	}
	metrics_sup(sup, b);
	metrics_states(b, v, n);
	metrics_values(b, v, n);
	metrics_logs(b, v, n);
	metrics_cgroups(b, v, n);
	free(v);
}

/* GET or HEAD /metrics, behind the server's password like the rest. */
void
metrics_serve(struct hconn *c)
{
	struct http_resp	 rs;
	struct buf		 b;

	if (c->req.method != HTTP_GET && c->req.method != HTTP_HEAD) {
		hc_error(c, 405, 0);
		return;
	}
	memset(&b, 0, sizeof b);
	metrics_render(c->srv->sup, &b);
	memset(&rs, 0, sizeof rs);
	rs.status = 200;
	rs.type = METRICS_TYPE;
	rs.length = (long long)b.len;
	rs.keep_alive = c->keep_alive;
	http_head(&c->out, &rs);
	if (c->req.method == HTTP_GET)
		buf_add(&c->out, b.data, b.len);
	buf_free(&b);
	hc_done(c);
}
