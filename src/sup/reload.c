/*
 * The config read again (SIGHUP, "warden reload"): the difference between
 * the services we have and the ones it defines, and its application; or,
 * for supervisord's reloadConfig, the difference by group and its
 * application one group at a time.
 * Services own their cfg_proc, taken out of the config, so that each one
 * can be handed its new definition.
 */
#include <stdlib.h>
#include <string.h>

#include "sup.h"
#include "event.h"

static struct cfg_proc *sup_find_proc(struct config *, const char *,
		    const char *);

/* Take the procs out of cf, each into a new service, in file order. */
void
sup_adopt(struct sup *sup, struct config *cf, struct svcs *into)
{
	struct cfg_proc	*p;
	struct svc	*s;

	while ((p = TAILQ_FIRST(&cf->procs)) != NULL) {
		TAILQ_REMOVE(&cf->procs, p, entry);
		cf->nprocs--;
		s = svc_new(sup, p);
		TAILQ_INSERT_TAIL(into, s, entry);
	}
}

/* The service of list that p defines again, or NULL. */
static struct svc *
sup_find_by_name(struct svcs *list, const struct cfg_proc *p)
{
	struct svc	*s;

	TAILQ_FOREACH(s, list, entry)
		if (!s->removed && strcmp(s->cfg->name, p->name) == 0 &&
		    strcmp(s->cfg->group, p->group) == 0)
			return (s);
	return (NULL);
}

/* The proc of cf that defines GROUP:NAME, or NULL. */
static struct cfg_proc *
sup_find_proc(struct config *cf, const char *group, const char *name)
{
	struct cfg_proc	*p;

	TAILQ_FOREACH(p, &cf->procs, entry)
		if (strcmp(p->name, name) == 0 && strcmp(p->group, group) == 0)
			return (p);
	return (NULL);
}

/*
 * Read the config again and apply the difference: start what is new, stop
 * what is gone, restart what changed, leave the rest alone.  A config
 * with an error changes nothing.
 */
int
sup_reload(struct sup *sup, char **cause)
{
	struct config	*cf;
	struct cfg_proc	*p, *ptmp;
	struct svc	*s;
	int		 i;

	if (cfg_load(sup->cfg->path, &cf, cause) == -1) {
		log_warnx("reload refused: %s", *cause);
		return (-1);
	}
	for (i = 0; i < cf->nwarnings; i++)
		log_warnx("%s", cf->warnings[i]);
	TAILQ_FOREACH(s, &sup->svcs, entry) {
		p = sup_find_proc(cf, s->cfg->group, s->cfg->name);
		if (p == NULL && !s->removed) {
			log_info("%s: removed", s->cfg->name);
			s->removed = 1;
			s->restart = 0;
			svc_event(s, EV_STOP);
		}
	}
	TAILQ_FOREACH_SAFE(p, &cf->procs, entry, ptmp) {
		TAILQ_REMOVE(&cf->procs, p, entry);
		cf->nprocs--;
		if ((s = sup_find_by_name(&sup->svcs, p)) == NULL) {
			log_info("%s: added", p->name);
			s = svc_new(sup, p);
			TAILQ_INSERT_TAIL(&sup->svcs, s, entry);
			if (p->autostart && !sup->shutting_down)
				svc_event(s, EV_START);
			continue;
		}
		if (!cfg_proc_changed(s->cfg, p)) {
			/* Same definition: keep running, take new priority. */
			s->cfg->priority = p->priority;
			s->cfg->autostart = p->autostart;
			cfg_proc_free(p);
			continue;
		}
		log_info("%s: changed", p->name);
		cfg_proc_free(s->cfg);
		s->cfg = p;
		if (svc_is_up(s)) {
			/* Its pipes take the old instance's last words. */
			s->relog = 1;
			svc_event(s, EV_RESTART);
		} else {
			svclog_close(s);
			(void)svclog_open(s);
			if (p->autostart)
				svc_event(s, EV_START);
		}
	}
	/* The supervisor's own settings stay as they were started. */
	cfg_free(cf);
	/* What reloadConfig read is applied or out of date: drop it. */
	cfg_free(sup->pending);
	sup->pending = NULL;
	event_sync(sup);
	sup_changed(sup);
	return (0);
}

/*
 * supervisord's reloadConfig: the config read again is kept pending,
 * and its difference to the running services is told by group; then
 * addProcessGroup and removeProcessGroup apply it one group at a time.
 */

/* Read the config again into sup->pending: 0, or -1 with *cause. */
int
sup_reread(struct sup *sup, char **cause)
{
	struct config	*cf;

	if (cfg_load(sup->cfg->path, &cf, cause) == -1)
		return (-1);
	cfg_free(sup->pending);
	sup->pending = cf;
	return (0);
}

/*
 * Do two definitions differ as supervisord compares them: in anything,
 * priority and autostart included?
 */
static int
sup_proc_differ(const struct cfg_proc *a, const struct cfg_proc *b)
{
	return (cfg_proc_changed(a, b) || a->priority != b->priority ||
	    a->autostart != b->autostart);
}

/* The running services of group, not removed. */
int
sup_group_count(struct sup *sup, const char *group)
{
	struct svc	*s;
	int		 n = 0;

	TAILQ_FOREACH(s, &sup->svcs, entry)
		if (!s->removed && strcmp(s->cfg->group, group) == 0)
			n++;
	return (n);
}

/* Is group's definition in cf other than the running one? */
static int
sup_group_changed(struct sup *sup, struct config *cf, const char *group)
{
	struct cfg_proc	*p;
	struct svc	*s;
	int		 n = 0;

	TAILQ_FOREACH(p, &cf->procs, entry) {
		if (strcmp(p->group, group) != 0)
			continue;
		n++;
		if ((s = sup_find_by_name(&sup->svcs, p)) == NULL ||
		    sup_proc_differ(s->cfg, p))
			return (1);
	}
	return (n != sup_group_count(sup, group));
}

/* Add group (its priority: its first process's) to a list, once. */
static void
sup_diff_add(struct sup_diff_list *l, const char *group, int prio)
{
	size_t	i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i].name, group) == 0)
			return;
	l->v = xreallocarray(l->v, l->n + 1, sizeof *l->v);
	l->v[l->n].name = xstrdup(group);
	l->v[l->n].prio = prio;
	l->n++;
}

/* supervisord's order of groups: priority, then name. */
static int
sup_diff_cmp(const void *a, const void *b)
{
	const struct sup_diff_group	*ga = a, *gb = b;

	if (ga->prio != gb->prio)
		return (ga->prio < gb->prio ? -1 : 1);
	return (strcmp(ga->name, gb->name));
}

/*
 * The groups cf adds, changes and removes against the running services
 * (supervisord's diff_to_active), each list in supervisord's order.
 */
void
sup_diff(struct sup *sup, struct config *cf, struct sup_diff *d)
{
	struct cfg_proc	*p;
	struct svc	*s;
	int		 i;

	memset(d, 0, sizeof *d);
	TAILQ_FOREACH(p, &cf->procs, entry) {
		if (sup_group_count(sup, p->group) == 0)
			sup_diff_add(&d->added, p->group, p->priority);
		else if (sup_group_changed(sup, cf, p->group))
			sup_diff_add(&d->changed, p->group, p->priority);
	}
	TAILQ_FOREACH(s, &sup->svcs, entry) {
		if (s->removed)
			continue;
		TAILQ_FOREACH(p, &cf->procs, entry)
			if (strcmp(p->group, s->cfg->group) == 0)
				break;
		if (p == NULL)
			sup_diff_add(&d->removed, s->cfg->group,
			    s->cfg->priority);
	}
	for (i = 0; i < 3; i++)
		if (d->list[i].n > 1)
			qsort(d->list[i].v, d->list[i].n,
			    sizeof *d->list[i].v, sup_diff_cmp);
}

/* Free what sup_diff made. */
void
sup_diff_free(struct sup_diff *d)
{
	size_t	i;
	int	j;

	for (j = 0; j < 3; j++) {
		for (i = 0; i < d->list[j].n; i++)
			free(d->list[j].v[i].name);
		free(d->list[j].v);
	}
	memset(d, 0, sizeof *d);
}

/*
 * A cgroup is named after its service: one removed but not yet freed
 * (supervisorctl update removes a group and adds it at once) leaves its
 * directory to the new one, rather than remove it from under it.
 */
static void
sup_cgroup_handover(struct sup *sup, const char *name)
{
	struct svc	*s;

	TAILQ_FOREACH(s, &sup->svcs, entry)
		if (s->removed && strcmp(s->cfg->name, name) == 0) {
			free(s->cgroup);
			s->cgroup = NULL;
		}
}

/*
 * Start supervising group as cf defines it (copies of its procs), its
 * autostart services started.  0; -1 when cf has no such group; 1 when
 * it runs already.
 */
int
sup_group_add(struct sup *sup, struct config *cf, const char *group)
{
	struct cfg_proc	*p;
	struct svc	*s, *first = NULL;

	TAILQ_FOREACH(p, &cf->procs, entry)
		if (strcmp(p->group, group) == 0)
			break;
	if (p == NULL)
		return (-1);
	if (sup_group_count(sup, group) > 0)
		return (1);
	log_info("%s: added process group", group);
	TAILQ_FOREACH(p, &cf->procs, entry) {
		if (strcmp(p->group, group) != 0)
			continue;
		sup_cgroup_handover(sup, p->name);
		s = svc_new(sup, cfg_proc_dup(p));
		TAILQ_INSERT_TAIL(&sup->svcs, s, entry);
		if (first == NULL)
			first = s;
	}
	event_sync(sup);
	event_group(sup, group, 1);
	for (s = first; s != NULL; s = TAILQ_NEXT(s, entry))
		if (s->cfg->autostart && !sup->shutting_down)
			svc_event(s, EV_START);
	sup_changed(sup);
	return (0);
}

/*
 * Stop supervising group, whose processes are all stopped: they are
 * freed once nobody walks the list.  0; -1 when no such group runs; 1
 * when one of its processes is not stopped.
 */
int
sup_group_remove(struct sup *sup, const char *group)
{
	struct svc	*s;

	if (sup_group_count(sup, group) == 0)
		return (-1);
	TAILQ_FOREACH(s, &sup->svcs, entry)
		if (!s->removed && strcmp(s->cfg->group, group) == 0 &&
		    !svc_is_idle(s))
			return (1);
	log_info("%s: removed process group", group);
	TAILQ_FOREACH(s, &sup->svcs, entry)
		if (!s->removed && strcmp(s->cfg->group, group) == 0) {
			s->removed = 1;
			s->restart = 0;
		}
	event_sync(sup);
	event_group(sup, group, 0);
	sup_changed(sup);
	return (0);
}
