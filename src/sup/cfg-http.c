/*
 * The keys of supervisord's HTTP servers, read as supervisord's
 * datatypes.py and options.py read them: chown= (user or user:group,
 * names or ids that exist), port= (host:port, :port, *:port), password=
 * (cleartext or {SHA} and a hex SHA-1) and serverurl= (AUTO or a URL).
 */
#include <sys/types.h>

#include <ctype.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../warden.h"
#include "config.h"
#include "cfg-internal.h"

/* A user name or uid that exists, as name_to_uid() finds it. */
static int
cfg_uid(const char *s, uid_t *out)
{
	struct passwd	*pw;
	long long	 n;

	if (cfg_pyint(s, &n) == 0) {
		if (n < 0 || n > (long long)(uid_t)-2 ||
		    getpwuid((uid_t)n) == NULL)
			return (-1);
		*out = (uid_t)n;
		return (0);
	}
	if ((pw = getpwnam(s)) == NULL)
		return (-1);
	*out = pw->pw_uid;
	return (0);
}

/* A group name or gid that exists, as name_to_gid() finds it. */
static int
cfg_gid(const char *s, gid_t *out)
{
	struct group	*gr;
	long long	 n;

	if (cfg_pyint(s, &n) == 0) {
		if (n < 0 || n > (long long)(gid_t)-2 ||
		    getgrgid((gid_t)n) == NULL)
			return (-1);
		*out = (gid_t)n;
		return (0);
	}
	if ((gr = getgrnam(s)) == NULL)
		return (-1);
	*out = gr->gr_gid;
	return (0);
}

/*
 * chown= or socket_owner=: user or user:group, resolved now; unknown
 * names are errors.
 */
int
cfg_chown(struct cfg_ctx *ctx, struct cfg_val *v, const char *s,
    struct cfg_owner *o)
{
	char	*user, *group, *q;
	uid_t	 uid;
	gid_t	 gid = (gid_t)-1;
	int	 rv = 0;

	user = xstrdup(s);
	if ((group = strchr(user, ':')) != NULL)
		*group++ = '\0';
	if (cfg_uid(user, &uid) == -1) {
		q = cfg_vis(user);
		rv = cfg_error(ctx, v->file, v->line, "%s: no such user \"%s\"",
		    v->key, q);
		free(q);
	} else if (group != NULL && cfg_gid(group, &gid) == -1) {
		q = cfg_vis(group);
		rv = cfg_error(ctx, v->file, v->line, "%s: no such group "
		    "\"%s\"", v->key, q);
		free(q);
	} else {
		o->uid = uid;
		o->gid = gid;
	}
	free(user);
	return (rv);
}

/*
 * port=: "host:port" (split at the last colon), ":port" or "*:port"
 * (all interfaces), or a bare port; the host in lower case.
 */
int
cfg_inet(struct cfg_ctx *ctx, struct cfg_val *v, const char *s,
    struct cfg_http *h)
{
	const char	*colon = strrchr(s, ':'), *port = s;
	long long	 n;
	char		*host, *q, *p;

	if (colon != NULL)
		port = colon + 1;
	if (*port == '\0')
		return (cfg_error(ctx, v->file, v->line, "%s: no port number "
		    "in \"%s\"", v->key, s));
	if (cfg_pyint(port, &n) == -1 || n < 1 || n > 65535) {
		q = cfg_vis(port);
		cfg_error(ctx, v->file, v->line, "%s: \"%s\" is not a port "
		    "number from 1 to 65535", v->key, q);
		free(q);
		return (-1);
	}
	host = colon != NULL ? cfg_strndup(s, (size_t)(colon - s)) :
	    xstrdup("");
	for (p = host; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	if (strcmp(host, "*") == 0)
		*host = '\0';
	free(h->host);
	h->host = host;
	h->port = (int)n;
	return (0);
}

/* password=: "{SHA}" must be followed by a SHA-1 in hex, or nothing. */
int
cfg_password(struct cfg_ctx *ctx, struct cfg_val *v, const char *s,
    char **out)
{
	size_t	i;

	if (strncmp(s, "{SHA}", 5) == 0) {
		for (i = 5; isxdigit((unsigned char)s[i]); i++)
			continue;
		if (i != 45 || s[i] != '\0')
			return (cfg_error(ctx, v->file, v->line, "%s: {SHA} "
			    "must be followed by 40 hex digits (a SHA-1)",
			    v->key));
	}
	free(*out);
	*out = xstrdup(s);
	return (0);
}

/* serverurl=: AUTO (any case) is the supervisor's own URL. */
int
cfg_url(struct cfg_ctx *ctx, struct cfg_val *v, const char *s, char **out)
{
	(void)ctx;
	(void)v;
	free(*out);
	*out = strcasecmp(s, "AUTO") == 0 ? NULL : xstrdup(s);
	return (0);
}

/*
 * A server section read: the key it cannot do without, and both of
 * username= and password= or neither, as supervisord insists.
 */
int
cfg_http_check(struct cfg_ctx *ctx, struct cfg_sect *s, struct cfg_http *h,
    int inet)
{
	h->on = 1;
	h->line = s->line;
	if (inet && h->host == NULL)
		return (cfg_error(ctx, s->file, s->line, "[%s] has no port=",
		    s->name));
	if (!inet && h->file == NULL)
		return (cfg_error(ctx, s->file, s->line, "[%s] has no file=",
		    s->name));
	if ((h->username == NULL) != (h->password == NULL))
		return (cfg_error(ctx, s->file, s->line, "[%s] has %s= without "
		    "%s=: both or neither", s->name, h->username != NULL ?
		    "username" : "password", h->username != NULL ? "password" :
		    "username"));
	return (0);
}
