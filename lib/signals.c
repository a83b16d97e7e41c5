/*
 * Signals: reset what a hostile parent left behind, and names <-> numbers.
 */
#include <sys/syscall.h>

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "wd-internal.h"

static const struct {
	const char	*name;
	int		 signo;
} sig_names[] = {
	{ "HUP", SIGHUP }, { "INT", SIGINT }, { "QUIT", SIGQUIT },
	{ "ILL", SIGILL }, { "TRAP", SIGTRAP }, { "ABRT", SIGABRT },
	{ "IOT", SIGIOT }, { "BUS", SIGBUS }, { "FPE", SIGFPE },
	{ "KILL", SIGKILL }, { "USR1", SIGUSR1 }, { "SEGV", SIGSEGV },
	{ "USR2", SIGUSR2 }, { "PIPE", SIGPIPE }, { "ALRM", SIGALRM },
	{ "TERM", SIGTERM }, { "STKFLT", SIGSTKFLT }, { "CHLD", SIGCHLD },
	{ "CLD", SIGCHLD }, { "CONT", SIGCONT }, { "STOP", SIGSTOP },
	{ "TSTP", SIGTSTP }, { "TTIN", SIGTTIN }, { "TTOU", SIGTTOU },
	{ "URG", SIGURG }, { "XCPU", SIGXCPU }, { "XFSZ", SIGXFSZ },
	{ "VTALRM", SIGVTALRM }, { "PROF", SIGPROF }, { "WINCH", SIGWINCH },
	{ "IO", SIGIO }, { "POLL", SIGPOLL }, { "PWR", SIGPWR },
	{ "SYS", SIGSYS },
};

#if defined(__x86_64__) || defined(__aarch64__) || defined(__i386__) || \
    defined(__arm__) || defined(__riscv)
/* The kernel's struct sigaction on these architectures. */
struct sig_kaction {
	void		(*handler)(int);
	unsigned long	  flags;
	void		(*restorer)(void);
	unsigned char	  mask[8];
};

/*
 * The C library keeps a few real-time signals for itself (32 and 33 in
 * glibc) and refuses to touch them, yet a hostile parent can leave them
 * ignored, and SIG_IGN survives execve().  Ask the kernel directly, and
 * change nothing but an inherited SIG_IGN, so a handler the library put
 * there stays.
 */
static int
sig_reset_reserved(int signo)
{
	struct sig_kaction	old, dfl;

	memset(&old, 0, sizeof old);
	if (syscall(SYS_rt_sigaction, signo, NULL, &old, sizeof old.mask) == -1)
		return (-1);
	if (old.handler != SIG_IGN)
		return (0);
	memset(&dfl, 0, sizeof dfl);
	dfl.handler = SIG_DFL;
	return ((int)syscall(SYS_rt_sigaction, signo, &dfl, NULL,
	    sizeof dfl.mask));
}
#else
static int
sig_reset_reserved(int signo)
{
	(void)signo;
	return (0);
}
#endif

/*
 * Every signal but KILL and STOP back to SIG_DFL, SIG_IGN included: on
 * Linux an ignored SIGCHLD survives execve() and breaks wait() in the
 * daemon and everything it runs.
 */
int
wd_sig_reset_dispositions(void)
{
	struct sigaction	sa;
	int			signo;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	for (signo = 1; signo < NSIG; signo++) {
		if (signo == SIGKILL || signo == SIGSTOP)
			continue;
		if (sigaction(signo, &sa, NULL) == 0)
			continue;
		if (errno != EINVAL || sig_reset_reserved(signo) == -1)
			return (-1);
	}
	return (0);
}

int
wd_sig_reset(void)
{
	sigset_t	empty;

	if (wd_sig_reset_dispositions() == -1)
		return (-1);
	sigemptyset(&empty);
	return (sigprocmask(SIG_SETMASK, &empty, NULL));
}

int
wd_sig_number(const char *name)
{
	char		*end;
	long		 n;
	size_t		 i;

	if (name == NULL || *name == '\0')
		return (-1);
	if (*name >= '0' && *name <= '9') {
		errno = 0;
		n = strtol(name, &end, 10);
		if (errno != 0 || *end != '\0' || n < 1 || n >= NSIG)
			return (-1);
		return ((int)n);
	}
	if (strncasecmp(name, "SIG", 3) == 0)
		name += 3;
	for (i = 0; i < nitems(sig_names); i++)
		if (strcasecmp(name, sig_names[i].name) == 0)
			return (sig_names[i].signo);
	return (-1);
}

const char *
wd_sig_name(int signo)
{
	size_t	i;

	for (i = 0; i < nitems(sig_names); i++)
		if (sig_names[i].signo == signo)
			return (sig_names[i].name);
	return (NULL);
}
