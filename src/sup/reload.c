/*
 * The config read again (SIGHUP, "warden reload"): the difference between
 * the services we have and the ones it defines, and its application.
 * Services own their cfg_proc, taken out of the config, so that each one
 * can be handed its new definition.
 */
#include <stdlib.h>
#include <string.h>

#include "sup.h"

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
		TAILQ_FOREACH(p, &cf->procs, entry)
			if (strcmp(s->cfg->name, p->name) == 0 &&
			    strcmp(s->cfg->group, p->group) == 0)
				break;
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
	sup_changed(sup);
	return (0);
}
