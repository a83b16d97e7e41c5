/*
 * What a failed start reports: the last bytes a service wrote on its
 * report stream (stderr, or stdout with redirect_stderr) while STARTING,
 * in a ring of LOG_RECENT bytes that exists only while it is needed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sup.h"
#include "logs.h"

/* Keep the last bytes of the report stream while the service starts. */
void
svclog_recent_add(struct svclog *l, const char *p, size_t n)
{
	struct svc	*s = l->svc;
	size_t		 at, k;

	if (s->state != SVC_STARTING || !l->report)
		return;
	if (l->recent == NULL)
		l->recent = xmalloc(LOG_RECENT);
	if (n > LOG_RECENT) {
		l->recentlen += n - LOG_RECENT;
		p += n - LOG_RECENT;
		n = LOG_RECENT;
	}
	while (n > 0) {
		at = l->recentlen % LOG_RECENT;
		k = LOG_RECENT - at < n ? LOG_RECENT - at : n;
		memcpy(l->recent + at, p, k);
		l->recentlen += k;
		p += k;
		n -= k;
	}
}

/*
 * The last (up to 3) lines of what the service wrote on stderr (stdout
 * with redirect_stderr) while starting, escaped, joined by " / ".
 * Returns the length put in buf (always NUL-terminated when len > 0).
 */
size_t
svclog_recent(struct svc *s, char *buf, size_t len)
{
	struct svclog	*l = svclog_report(s);
	char		 tmp[LOG_RECENT], *v;
	const char	*p, *end, *line[3];
	size_t		 n, at, used = 0, llen[3], k;
	int		 nl = 0, i;

	if (len == 0)
		return (0);
	buf[0] = '\0';
	if (l == NULL || l->recent == NULL || l->recentlen == 0)
		return (0);
	if (l->recentlen <= LOG_RECENT) {
		n = l->recentlen;
		memcpy(tmp, l->recent, n);
	} else {
		n = LOG_RECENT;
		at = l->recentlen % LOG_RECENT;
		memcpy(tmp, l->recent + at, LOG_RECENT - at);
		memcpy(tmp + LOG_RECENT - at, l->recent, at);
	}
	p = tmp;
	end = tmp + n;
	if (l->recentlen > LOG_RECENT && (v = memchr(p, '\n', n)) != NULL &&
	    v + 1 < end)
		p = v + 1;		/* the oldest line is cut: skip it */
	/* The last three non-empty lines, newest first. */
	while (end > p && nl < 3) {
		while (end > p && (end[-1] == '\n' || end[-1] == '\r'))
			end--;
		if (end == p)
			break;
		v = memrchr(p, '\n', (size_t)(end - p));
		line[nl] = v != NULL ? v + 1 : p;
		llen[nl] = (size_t)(end - line[nl]);
		nl++;
		end = v != NULL ? v : p;
	}
	for (i = nl - 1; i >= 0; i--) {
		v = str_vis(line[i], llen[i], 1);
		k = (size_t)snprintf(buf + used, len - used, "%s%s",
		    i < nl - 1 ? " / " : "", v);
		free(v);
		used += k;
		if (used >= len) {
			used = len - 1;
			break;
		}
	}
	return (used);
}

/* Forget the start's output: at each spawn, and once the service is up. */
void
svclog_recent_reset(struct svc *s)
{
	struct svclog	*ls[2] = { s->out, s->err };
	int		 i;

	for (i = 0; i < 2; i++) {
		if (ls[i] == NULL)
			continue;
		free(ls[i]->recent);
		ls[i]->recent = NULL;
		ls[i]->recentlen = 0;
	}
}
