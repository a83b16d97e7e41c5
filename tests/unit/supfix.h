/*
 * A supervisor without sup_main, for the tests of src/sup/: a struct sup
 * with its loop, its services from a config, and its children reaped as
 * sup.c's signal handler reaps them.  Include after cmocka.h and sup.h.
 */
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/wait.h>

#include <signal.h>
#include <string.h>
#include <unistd.h>

/* Children that exited go to their service. */
static void
supfix_reap_cb(int fd, uint32_t events, void *arg)
{
	struct signalfd_siginfo	 si;
	struct sup		*sup = arg;
	struct svc		*s;
	pid_t			 pid;
	int			 status;

	(void)events;
	while (read(fd, &si, sizeof si) == sizeof si)
		;
	while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
		if ((s = svc_find_pid(sup, pid)) != NULL)
			svc_exited(s, status);
}

/* An empty supervisor that tells hooks, with a loop and SIGCHLD in it. */
static void
supfix_init(struct sup *sup, const struct sup_hooks *hooks)
{
	int	sigs[] = { SIGCHLD };

	memset(sup, 0, sizeof *sup);
	sup->hooks = hooks;
	sup->notifyfd = sup->ctlfd = -1;
	TAILQ_INIT(&sup->svcs);
	sup->loop = loop_new();
	assert_true((sup->sigfd = sigfd_open(sigs, 1)) != -1);
	assert_int_equal(loop_add(sup->loop, sup->sigfd, EPOLLIN,
	    supfix_reap_cb, sup), 0);
}

/* Every process killed by its pid, everything freed. */
static void
supfix_free(struct sup *sup)
{
	struct svc	*s;
	struct cfg_proc	*cfg;

	while ((s = TAILQ_FIRST(&sup->svcs)) != NULL) {
		if (s->pid > 0) {
			kill(s->pid, SIGKILL);
			(void)waitpid(s->pid, NULL, 0);
		}
		TAILQ_REMOVE(&sup->svcs, s, entry);
		cfg = s->cfg;
		svc_free(s);		/* its logs still read the config */
		cfg_proc_free(cfg);
	}
	loop_free(sup->loop);
	close(sup->sigfd);
	cfg_free(sup->cfg);
}

static void
supfix_timeout_cb(void *arg)
{
	(void)arg;
	fail_msg("the loop did not stop in 10 s");
}

/* Run the loop until something stops it, 10 s at most. */
static void
supfix_run(struct sup *sup)
{
	struct timer	*t;

	t = loop_timer(sup->loop, 10, supfix_timeout_cb, NULL);
	loop_run(sup->loop);
	loop_timer_del(sup->loop, t);
}
