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
	size_t		 lab, lablen;	/* its labels, in metrics_labels */
};

/*
 * Each service's labels, name="..",group="..", escaped once a scrape:
 * the samples are copies, with no printf in the loops (1,000 services
 * make 24,000 lines).
 */
static struct buf	metrics_labels;	/* freed after each scrape */

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
metrics_svc_head(struct buf *b, const char *family,
    const struct metrics_svc *m, const char *extra)
{
	buf_adds(b, family);
	buf_addc(b, '{');
	buf_add(b, metrics_labels.data + m->lab, m->lablen);
	if (extra != NULL)
		buf_adds(b, extra);
	buf_add(b, "} ", 2);
}

/* A value: v in decimal, then the line's end. */
static void
metrics_u64(struct buf *b, uint64_t v)
{
	char	 d[24], *p = d + sizeof d;

	*--p = '\n';
	do
		*--p = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	buf_add(b, p, (size_t)(d + sizeof d - p));
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
	char	extra[METRICS_NSTATE][32];
	size_t	i;
	int	j;

	for (j = 0; j < METRICS_NSTATE; j++)
		snprintf(extra[j], sizeof extra[j], ",state=\"%s\"",
		    svc_state_names[j]);
	metrics_family(b, "warden_service_state", "gauge",
	    "The service's state: 1 for the current one, 0 for the others.");
	for (i = 0; i < n; i++)
		for (j = 0; j < METRICS_NSTATE; j++) {
			metrics_svc_head(b, "warden_service_state", &v[i],
			    extra[j]);
			buf_add(b, (int)v[i].svc->state == j ? "1\n" : "0\n", 2);
		}
}

/*
 * A service's values, one function a family: 0 when it has none to
 * give.
 */
/* 1 while a process is there. */
static int
metrics_up(const struct metrics_svc *m, uint64_t *v)
{
	*v = m->svc->pid > 0;
	return (1);
}

/* 1 while RUNNING. */
static int
metrics_ready(const struct metrics_svc *m, uint64_t *v)
{
	*v = m->svc->state == SVC_RUNNING;
	return (1);
}

/* The automatic restarts, as status --json counts them. */
static int
metrics_restarts(const struct metrics_svc *m, uint64_t *v)
{
	*v = m->svc->restarts;
	return (1);
}

/* The last start's wall clock; none before the first. */
static int
metrics_start_time(const struct metrics_svc *m, uint64_t *v)
{
	time_t	t;

	*v = (uint64_t)(t = svc_start_time(m->svc));
	return (t > 0);
}

/* The exit code, or 128 + N for signal N; none before the first exit. */
static int
metrics_exit(const struct metrics_svc *m, uint64_t *v)
{
	const struct svc	*s = m->svc;

	if (s->laststop == 0)
		return (0);
	if (WIFEXITED(s->status))
		*v = (uint64_t)WEXITSTATUS(s->status);
	else if (WIFSIGNALED(s->status))
		*v = 128 + (uint64_t)WTERMSIG(s->status);
	else
		return (0);
	return (1);
}

/* memory.current, when the cgroup has the controller. */
static int
metrics_memory(const struct metrics_svc *m, uint64_t *v)
{
	*v = m->cg.memory;
	return (m->cg.has_memory);
}

/* The families of one value per service, in their order. */
static const struct metrics_fam {
	const char	*name, *type, *help;
	int		(*get)(const struct metrics_svc *, uint64_t *);
} metrics_fams[] = {
	{ "warden_service_up", "gauge",
	    "1 when a process of the service is there.", metrics_up },
	{ "warden_service_ready", "gauge",
	    "1 when the service is RUNNING: started and ready.",
	    metrics_ready },
	{ "warden_service_restarts_total", "counter",
	    "Automatic restarts after an exit from RUNNING.",
	    metrics_restarts },
	{ "warden_service_start_time_seconds", "gauge",
	    "When the service's last process started, in seconds since the "
	    "epoch.", metrics_start_time },
	{ "warden_service_last_exit_status", "gauge",
	    "The last exit's status, kept while the next process runs: its "
	    "code, or 128 + N for signal N.", metrics_exit },
};

/* One family of metrics_fams. */
static void
metrics_values(struct buf *b, const struct metrics_fam *f,
    const struct metrics_svc *v, size_t n)
{
	uint64_t	x;
	size_t		i;

	metrics_family(b, f->name, f->type, f->help);
	for (i = 0; i < n; i++) {
		if (!f->get(&v[i], &x))
			continue;
		metrics_svc_head(b, f->name, &v[i], NULL);
		metrics_u64(b, x);
	}
}

/* The families of each output stream: bytes written, bytes held. */
static void
metrics_logs(struct buf *b, const struct metrics_svc *v, size_t n)
{
	static const char	*extra[2] = {
		",stream=\"stdout\"", ",stream=\"stderr\""
	};
	static const struct {
		const char	*name, *type, *help;
	} fam[2] = {
		{ "warden_service_log_bytes_total", "counter",
		    "Bytes of output written to the service's log." },
		{ "warden_service_log_held_bytes", "gauge",
		    "Output held back because its log could not take it (a "
		    "full disk, say)." },
	};
	const struct svclog	*l;
	size_t			 i;
	int			 j, held;

	for (held = 0; held < 2; held++) {
		metrics_family(b, fam[held].name, fam[held].type,
		    fam[held].help);
		for (i = 0; i < n; i++)
			for (j = 0; j < 2; j++) {
				l = j ? v[i].svc->err : v[i].svc->out;
				if (l == NULL)
					continue;
				metrics_svc_head(b, fam[held].name, &v[i],
				    extra[j]);
				metrics_u64(b, held ? (uint64_t)(l->heldlen -
				    l->heldoff + l->pendlen) : l->written);
			}
	}
}

/* The families read from the services' cgroups. */
static void
metrics_cgroups(struct buf *b, const struct metrics_svc *v, size_t n)
{
	static const struct metrics_fam mem = {
		"warden_service_memory_bytes", "gauge",
		"Memory the service's cgroup uses (memory.current).",
		metrics_memory
	};
	char	num[48];
	size_t	i;

	metrics_values(b, &mem, v, n);
	metrics_family(b, "warden_service_cpu_seconds_total", "counter",
	    "CPU time the service's cgroup used (cpu.stat's usage_usec).");
	for (i = 0; i < n; i++) {
		if (!v[i].cg.has_cpu)
			continue;
		metrics_svc_head(b, "warden_service_cpu_seconds_total",
		    &v[i], NULL);
		snprintf(num, sizeof num, "%llu.%06u\n", (unsigned long long)
		    (v[i].cg.cpu_usec / 1000000),
		    (unsigned int)(v[i].cg.cpu_usec % 1000000));
		buf_adds(b, num);
	}
}

/* Each service's labels, into metrics_labels. */
static void
metrics_label_svc(struct metrics_svc *m)
{
	const struct cfg_proc	*c = m->svc->cfg;

	m->lab = metrics_labels.len;
	buf_adds(&metrics_labels, "name=\"");
	metrics_label(&metrics_labels, c->name);
	buf_adds(&metrics_labels, "\",group=\"");
	metrics_label(&metrics_labels, c->group != NULL ? c->group : c->name);
	buf_addc(&metrics_labels, '"');
	m->lablen = metrics_labels.len - m->lab;
}

/* Every family, for the supervisor and each of its services, into b. */
void
metrics_render(struct sup *sup, struct buf *b)
{
	struct metrics_svc	*v;
	struct svc		*s;
	size_t			 i, n = 0;

	TAILQ_FOREACH(s, &sup->svcs, entry)
		n++;
	v = xcalloc(n > 0 ? n : 1, sizeof *v);
	n = 0;
	buf_reset(&metrics_labels);
	TAILQ_FOREACH(s, &sup->svcs, entry) {
		v[n].svc = s;
		cg_usage(s->cgroup, &v[n].cg);
		metrics_label_svc(&v[n]);
		n++;
	}
	metrics_sup(sup, b);
	metrics_states(b, v, n);
	for (i = 0; i < sizeof metrics_fams / sizeof metrics_fams[0]; i++)
		metrics_values(b, &metrics_fams[i], v, n);
	metrics_logs(b, v, n);
	metrics_cgroups(b, v, n);
	free(v);
	buf_free(&metrics_labels);
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
