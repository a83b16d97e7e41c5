/* Helpers shared inside lib/ (wd__ prefix); never installed. */
#ifndef WD_INTERNAL_H
#define WD_INTERNAL_H

#include <stddef.h>

#include "warden.h"

#ifndef nitems
#define nitems(a)	(sizeof(a) / sizeof((a)[0]))
#endif

/* fds.c */
ssize_t	wd__read_file(const char *path, char *buf, size_t len);
int	wd__write_all(int fd, const void *buf, size_t len);

/* proc.c */
int	wd__proc_identity(pid_t pid, char *buf, size_t len);

#endif
