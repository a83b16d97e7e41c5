/*
 * The service's end of a stream's pipe, for the log tests: a write end
 * from svclog_writer(), as a spawn gets, kept in *slot while it is still
 * that stream's pipe (the same inode) and made again when it is not.
 */
#ifndef WARDEN_TEST_PIPEW_H
#define WARDEN_TEST_PIPEW_H

#include <sys/stat.h>

#include <unistd.h>

/* *slot, a write end of l's pipe. */
static inline int
pipe_writer(int *slot, struct svclog *l)
{
	struct stat	a, b;

	if (*slot > 0 && fstat(*slot, &a) == 0 && fstat(l->rfd, &b) == 0 &&
	    a.st_ino == b.st_ino && a.st_dev == b.st_dev)
		return (*slot);
	if (*slot > 0)
		close(*slot);
	*slot = svclog_writer(l);
	assert_true(*slot > 0);
	return (*slot);
}

/* Close the write ends kept. */
static inline void
pipe_writers_close(int *slots, int n)
{
	int	i;

	for (i = 0; i < n; i++)
		if (slots[i] > 0) {
			close(slots[i]);
			slots[i] = 0;
		}
}

#endif
