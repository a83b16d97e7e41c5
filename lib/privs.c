/*
 * Credentials: look a user up before forking, drop to it in the safe
 * order after, and prove there is no way back.
 */
#include <sys/types.h>

#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "wd-internal.h"

/* A name, or a number when it is all digits. */
static int
creds_number(const char *s, unsigned long *out)
{
	char	*end;

	if (*s < '0' || *s > '9')
		return (0);
	errno = 0;
	*out = strtoul(s, &end, 10);
	return (errno == 0 && *end == '\0' && *out < UINT_MAX);
}

static int
creds_group(const char *name, gid_t *gid)
{
	struct group	*gr;
	unsigned long	 n;

	if (creds_number(name, &n)) {
		*gid = (gid_t)n;
		return (0);
	}
	errno = 0;
	if ((gr = getgrnam(name)) == NULL)
		return (errno = errno ? errno : ENOENT, -1);
	*gid = gr->gr_gid;
	return (0);
}

int
wd_creds_lookup(const char *spec, struct wd_creds *c)
{
	struct passwd	*pw;
	char		 user[256], *colon;
	unsigned long	 n;
	int		 ngroups;

	memset(c, 0, sizeof *c);
	if (spec == NULL || *spec == '\0' || strlen(spec) >= sizeof user)
		return (errno = EINVAL, -1);
	strcpy(user, spec);
	if ((colon = strchr(user, ':')) != NULL)
		*colon++ = '\0';
	errno = 0;
	if (creds_number(user, &n))
		pw = getpwuid((uid_t)n);
	else
		pw = getpwnam(user);
	if (pw == NULL) {
		if (errno == 0 && creds_number(user, &n)) {
			/* A bare uid with no passwd entry: no groups. */
			c->uid = (uid_t)n;
			c->gid = (gid_t)n;
			snprintf(c->name, sizeof c->name, "%lu", n);
			strcpy(c->home, "/");
		} else
			return (errno = errno ? errno : ENOENT, -1);
	} else {
		c->uid = pw->pw_uid;
		c->gid = pw->pw_gid;
		snprintf(c->name, sizeof c->name, "%s", pw->pw_name);
		snprintf(c->home, sizeof c->home, "%s", pw->pw_dir);
		ngroups = WD_NGROUPS_MAX;
		if (getgrouplist(pw->pw_name, pw->pw_gid, c->groups,
		    &ngroups) == -1)
			return (errno = E2BIG, -1);
		c->ngroups = ngroups;
	}
	if (colon != NULL && *colon != '\0') {
		if (creds_group(colon, &c->gid) == -1)
			return (-1);
		/* An explicit group replaces the user's own groups. */
		c->groups[0] = c->gid;
		c->ngroups = 1;
	} else if (c->ngroups == 0) {
		c->groups[0] = c->gid;
		c->ngroups = 1;
	}
	return (0);
}

/*
 * setgroups, then the gids, then the uids (all three of each), then check:
 * any other order either fails or keeps a privilege.
 */
int
wd_creds_drop(const struct wd_creds *c)
{
	uid_t	ru, eu, su;
	gid_t	rg, eg, sg;

	if (setgroups(c->ngroups, c->groups) == -1)
		return (-1);
	if (setresgid(c->gid, c->gid, c->gid) == -1)
		return (-1);
	if (setresuid(c->uid, c->uid, c->uid) == -1)
		return (-1);
	if (getresuid(&ru, &eu, &su) == -1 || getresgid(&rg, &eg, &sg) == -1)
		return (-1);
	if (ru != c->uid || eu != c->uid || su != c->uid ||
	    rg != c->gid || eg != c->gid || sg != c->gid)
		return (errno = EPERM, -1);
	if (c->uid != 0 && (setuid(0) != -1 || seteuid(0) != -1))
		return (errno = EPERM, -1);
	return (0);
}
