/*
 * The page's actions (POST /action: start, stop, restart, clear log, for
 * one service or all) and what lets one through: the request comes from
 * the page's own origin (Origin, or else Referer, names the Host it was
 * sent to), and it carries the token of its session.  A session is a
 * random id in a cookie (HttpOnly, SameSite=Strict); its token is the
 * SHA-1 of a secret drawn at the first request and of that id, so a
 * cookie set by someone else brings no token with it.
 */
#include <sys/random.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "control.h"
#include "page.h"

#define PAGE_COOKIE	"warden_sid="

static unsigned char	page_secret[16];
static int		page_have_secret;

/* len bytes as hex digits, NUL-terminated. */
static void
page_hex(const unsigned char *b, size_t len, char *out)
{
	static const char	digits[] = "0123456789abcdef";
	size_t			i;

	for (i = 0; i < len; i++) {
		out[2 * i] = digits[b[i] >> 4];
		out[2 * i + 1] = digits[b[i] & 15];
	}
	out[2 * len] = '\0';
}

/* n random bytes; without the kernel's entropy, the clock's and pid's. */
static void
page_random(unsigned char *b, size_t n)
{
	struct timespec	ts;
	size_t		i;

	if (getrandom(b, n, 0) == (ssize_t)n)
		return;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	for (i = 0; i < n; i++)
		b[i] ^= (unsigned char)((ts.tv_nsec >> (i % 4 * 8)) ^
		    getpid() >> (i % 2 * 8));
}

/*
 * The request's session id (PAGE_TOKEN_LEN hex digits) into sid: 1 when
 * its cookie brought a well-formed one, 0 when a new one was drawn.
 */
int
page_session(const struct http_req *r, char *sid)
{
	const char	*c = http_header(r, "Cookie"), *p;
	unsigned char	 raw[PAGE_TOKEN_LEN / 2];

	for (p = c; p != NULL && (p = strstr(p, PAGE_COOKIE)) != NULL;
	    p++) {
		if (p != c && p[-1] != ' ' && p[-1] != ';')
			continue;
		p += strlen(PAGE_COOKIE);
		if (strspn(p, "0123456789abcdef") != PAGE_TOKEN_LEN)
			break;
		memcpy(sid, p, PAGE_TOKEN_LEN);
		sid[PAGE_TOKEN_LEN] = '\0';
		return (1);
	}
	page_random(raw, sizeof raw);
	page_hex(raw, sizeof raw, sid);
	return (0);
}

/* The token of session sid: PAGE_TOKEN_LEN hex digits. */
void
page_token(const char *sid, char *token)
{
	struct sha1	ctx;
	unsigned char	md[SHA1_LEN];

	if (!page_have_secret) {
		page_random(page_secret, sizeof page_secret);
		page_have_secret = 1;
	}
	sha1_init(&ctx);
	sha1_update(&ctx, page_secret, sizeof page_secret);
	sha1_update(&ctx, sid, strlen(sid));
	sha1_final(&ctx, md);
	page_hex(md, PAGE_TOKEN_LEN / 2, token);
}

/* Does url (scheme://host[/...]) name host, with end one of ends after? */
static int
page_same_host(const char *url, const char *host, const char *ends)
{
	size_t	n = strlen(host);

	if (strncmp(url, "http://", 7) == 0)
		url += 7;
	else if (strncmp(url, "https://", 8) == 0)
		url += 8;
	else
		return (0);
	return (strncmp(url, host, n) == 0 && strchr(ends, url[n]) != NULL);
}

/* a and b, n bytes each, equal: in a time that does not tell where. */
static int
page_equal(const char *a, const char *b, size_t n)
{
	unsigned char	diff = 0;
	size_t		i;

	for (i = 0; i < n; i++)
		diff |= (unsigned char)(a[i] ^ b[i]);
	return (diff == 0);
}

/*
 * May this POST act?  200, or 403: sent from another origin (or from
 * none that is said), or without its session's token (in the header
 * X-CSRF-Token or the form's field "token").
 */
int
page_csrf_check(const struct http_req *r, const char *form)
{
	const char	*host = http_header(r, "Host"), *origin, *given;
	char		 sid[PAGE_TOKEN_LEN + 1], want[PAGE_TOKEN_LEN + 1];
	char		*field = NULL;
	int		 ok;

	if (host == NULL || *host == '\0')
		return (403);
	if ((origin = http_header(r, "Origin")) != NULL) {
		if (!page_same_host(origin, host, ""))
			return (403);
	} else if ((origin = http_header(r, "Referer")) == NULL ||
	    !page_same_host(origin, host, "/?#"))
		return (403);
	if (!page_session(r, sid))
		return (403);
	page_token(sid, want);
	if ((given = http_header(r, "X-CSRF-Token")) == NULL)
		given = field = page_form(form, "token");
	ok = given != NULL && strlen(given) == PAGE_TOKEN_LEN &&
	    page_equal(given, want, PAGE_TOKEN_LEN);
	free(field);
	return (ok ? 200 : 403);
}

/* A hex digit's value, or -1. */
static int
page_xdigit(char c)
{
	if (c >= '0' && c <= '9')
		return (c - '0');
	if (c >= 'a' && c <= 'f')
		return (c - 'a' + 10);
	if (c >= 'A' && c <= 'F')
		return (c - 'A' + 10);
	return (-1);
}

/*
 * The value of key in an application/x-www-form-urlencoded body,
 * decoded (+ and %XX; a %00 is dropped), or NULL.
 */
char *
page_form(const char *form, const char *key)
{
	const char	*p = form, *v, *end;
	char		*out, *w;
	size_t		 n = strlen(key);
	int		 hi, lo;

	for (; p != NULL && *p != '\0'; p = *end ? end + 1 : NULL) {
		end = p + strcspn(p, "&");
		if (strncmp(p, key, n) != 0 || p[n] != '=')
			continue;
		w = out = xmalloc((size_t)(end - p) + 1);
		for (v = p + n + 1; v < end; v++) {
			if (*v == '+')
				*w++ = ' ';
			else if (*v == '%' && end - v > 2 &&
			    (hi = page_xdigit(v[1])) != -1 &&
			    (lo = page_xdigit(v[2])) != -1) {
				if (hi != 0 || lo != 0)
					*w++ = (char)(hi << 4 | lo);
				v += 2;
			} else
				*w++ = *v;
		}
		*w = '\0';
		return (out);
	}
	return (NULL);
}

/* One verb on one service, said into msg. */
static void
page_act_one(struct svc *s, const char *verb, int all, struct buf *msg)
{
	char	name[512];

	ctl_fullname(s, name, sizeof name);
	if (strcmp(verb, "clear") == 0) {
		if (svclog_clear(s) == -1)
			buf_printf(msg, "%s: ERROR (%s)\n", name,
			    strerror(errno));
		else
			buf_printf(msg, "%s: log cleared\n", name);
		return;
	}
	if (strcmp(verb, "start") == 0 && svc_is_up(s)) {
		if (!all)
			buf_printf(msg, "%s: ERROR (already %s)\n", name,
			    s->state == SVC_STOPPING ? "stopping" : "started");
		return;
	}
	if (strcmp(verb, "start") == 0)
		svc_event(s, EV_START);
	else if (strcmp(verb, "stop") == 0)
		svc_event(s, EV_STOP);
	else
		svc_event(s, EV_RESTART);
	buf_printf(msg, "%s: %s\n", name, svc_state_names[s->state]);
}

/*
 * POST /action's work: verb (start, stop, restart, clear) on the
 * service called name, or on all of them, through svc_event as the
 * control socket's verbs do, without waiting: the page follows.  The
 * HTTP status (200, 400 for a verb unknown, 404 for a name) and a line
 * per service into msg.
 */
int
page_action(struct sup *sup, const char *name, const char *verb,
    struct buf *msg)
{
	struct svc	**v, *s;
	char		 *cause = NULL;
	size_t		  n = 0, i;
	int		  all = strcmp(name, "all") == 0;

	if (strcmp(verb, "start") != 0 && strcmp(verb, "stop") != 0 &&
	    strcmp(verb, "restart") != 0 && strcmp(verb, "clear") != 0) {
		buf_printf(msg, "%s: no such action", *verb ? verb : "\"\"");
		return (400);
	}
	if (!all && (s = svc_find(sup, name, &cause)) == NULL) {
		buf_adds(msg, cause);
		free(cause);
		return (404);
	}
	TAILQ_FOREACH(s, &sup->svcs, entry)
		n++;
	v = xreallocarray(NULL, n + 1, sizeof *v);
	n = 0;
	if (!all)
		v[n++] = svc_find(sup, name, &cause);
	else
		TAILQ_FOREACH(s, &sup->svcs, entry)
			if (!s->removed)
				v[n++] = s;
	qsort(v, n, sizeof *v, svc_prio_cmp);
	for (i = 0; i < n; i++)
		page_act_one(v[strcmp(verb, "stop") == 0 ? n - 1 - i : i],
		    verb, all, msg);
	free(v);
	if (n == 0)
		buf_adds(msg, "no services");
	if (msg->len > 0 && msg->data[msg->len - 1] == '\n')
		msg->data[--msg->len] = '\0';
	return (200);
}
