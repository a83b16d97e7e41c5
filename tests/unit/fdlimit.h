/*
 * No fd to spare, for the tests of what fails with EMFILE: the soft
 * RLIMIT_NOFILE lowered to the lowest free fd, so that every fd below is
 * open and the next open fails.  Include after <cmocka.h>.
 */
#ifndef WARDEN_TEST_FDLIMIT_H
#define WARDEN_TEST_FDLIMIT_H

#include <sys/resource.h>

#include <unistd.h>

/* Lower the limit; the old one in *saved, for fdlimit_restore. */
static inline void
fdlimit_lower(struct rlimit *saved)
{
	struct rlimit	low;
	int		fd;

	assert_int_equal(getrlimit(RLIMIT_NOFILE, saved), 0);
	assert_true((fd = dup(0)) != -1);
	close(fd);
	low = *saved;
	low.rlim_cur = (rlim_t)fd;
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
}

/* The limit as it was. */
static inline void
fdlimit_restore(const struct rlimit *saved)
{
	assert_int_equal(setrlimit(RLIMIT_NOFILE, saved), 0);
}

#endif
