/*
 * flood: the log producer of bench/logs.sh, and the checker of what a
 * logger made of it.
 *
 *	flood [-g FIFO] LINES CHUNK
 *		Write LINES lines of 100 bytes each to stdout: a 10-digit
 *		line number, a space, 88 filler letters and '\n'.  CHUNK is
 *		the size of each write(2) in bytes (65536, 1048576, ...), or 0
 *		for one write per line.  With -g it first opens FIFO for
 *		reading and waits for EOF on it: the bench opens and closes
 *		the other end when it starts the clock, so a supervisor's own
 *		start-up is not timed.  After the last line it waits on FIFO
 *		once more before it exits: until the bench has read the
 *		logger's counters, the producer is not reaped (a parent's
 *		/proc/PID/io takes in its reaped children's) and its stdout
 *		stays open (s6-log would exit at EOF).
 *
 *	flood -c LINES [-p MIN] FILE...
 *		Read the FILEs in order as one stream and check that it holds
 *		lines 0 .. LINES-1, each exactly once, in order, whole: a line
 *		may carry a prefix (a timestamp) but must end in the 99 bytes
 *		that were written.  With -p every line must have a prefix of
 *		at least MIN bytes.  Prints "lines N ok" and the first line's
 *		prefix, or what is wrong; exits 0 when all is well.
 *
 * It is compiled at run time by logs.sh (cc -O2) into its temp dir.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LINE	100
#define BODY	(LINE - 1)	/* the line without its '\n' */

/* Line n: its number on 10 digits, then the same 90 bytes every time. */
static void
line(char *p, unsigned long long n)
{
	static char	tmpl[LINE];
	int		i;

	if (tmpl[BODY] == '\0') {
		for (i = 10; i < BODY; i++)
			tmpl[i] = "abcdefghijklmnopqrstuvwxyz"[i % 26];
		tmpl[10] = ' ';
		tmpl[BODY] = '\n';
	}
	memcpy(p + 10, tmpl + 10, LINE - 10);
	for (i = 9; i >= 0; i--) {
		p[i] = '0' + n % 10;
		n /= 10;
	}
}

static int
writeall(const char *p, size_t len)
{
	ssize_t	n;

	while (len > 0) {
		if ((n = write(1, p, len)) == -1) {
			if (errno == EINTR)
				continue;
			return (-1);
		}
		p += n;
		len -= (size_t)n;
	}
	return (0);
}

/*
 * The lines are made by bumping a decimal counter in a template, so that
 * the producer costs little next to the logger it feeds.
 */
static int
produce(unsigned long long lines, size_t chunk)
{
	char			*buf, cur[LINE];
	size_t			 cap, len;
	unsigned long long	 n;
	int			 i;

	cap = chunk == 0 ? LINE : chunk + LINE;
	if ((buf = malloc(cap)) == NULL)
		return (1);
	line(cur, 0);
	len = 0;
	for (n = 0; n < lines; n++) {
		memcpy(buf + len, cur, LINE);
		len += LINE;
		for (i = 9; i >= 0 && ++cur[i] > '9'; i--)
			cur[i] = '0';
		if (chunk == 0) {
			if (writeall(buf, len) == -1)
				return (1);
			len = 0;
		} else if (len >= chunk) {
			/* Whole writes of CHUNK bytes: lines straddle them. */
			if (writeall(buf, chunk) == -1)
				return (1);
			memmove(buf, buf + chunk, len - chunk);
			len -= chunk;
		}
	}
	if (len > 0 && writeall(buf, len) == -1)
		return (1);
	free(buf);
	return (0);
}

/* Feed the stream byte by byte through a line buffer; check each line. */
static int
check(unsigned long long lines, size_t minpfx, char **files, int nfiles)
{
	static char		 in[1 << 20];
	char			 cur[8192], want[LINE], first[64];
	size_t			 len = 0, nfirst = 0;
	unsigned long long	 n = 0;
	ssize_t			 r, i;
	int			 f, fd, over = 0;

	for (f = 0; f < nfiles; f++) {
		if ((fd = open(files[f], O_RDONLY)) == -1) {
			printf("%s: %s\n", files[f], strerror(errno));
			return (1);
		}
		while ((r = read(fd, in, sizeof in)) > 0) {
			for (i = 0; i < r; i++) {
				if (in[i] != '\n') {
					if (len < sizeof cur)
						cur[len++] = in[i];
					else
						over = 1;
					continue;
				}
				line(want, n);
				if (over || len < BODY + minpfx ||
				    memcmp(cur + len - BODY, want, BODY) != 0) {
					printf("line %llu: want %.10s, got "
					    "\"%.*s\"\n", n, want,
					    (int)(len < 120 ? len : 120), cur);
					return (1);
				}
				if (n++ == 0) {
					nfirst = len - BODY;
					if (nfirst > sizeof first)
						nfirst = sizeof first;
					memcpy(first, cur, nfirst);
				}
				len = 0;
			}
		}
		close(fd);
	}
	if (len > 0) {
		printf("after line %llu: a partial line of %zu bytes\n", n,
		    len);
		return (1);
	}
	if (n != lines) {
		printf("lines %llu, want %llu\n", n, lines);
		return (1);
	}
	printf("lines %llu ok, prefix \"%.*s\" (%zu bytes)\n", n,
	    (int)nfirst, first, n > 0 ? nfirst : 0);
	return (0);
}

/* Open the FIFO for reading, which waits for a writer, then read to EOF. */
static int
waitgo(const char *path)
{
	char	b[64];
	int	fd;

	if ((fd = open(path, O_RDONLY)) == -1)
		return (-1);
	while (read(fd, b, sizeof b) > 0)
		;
	close(fd);
	return (0);
}

int
main(int argc, char **argv)
{
	const char	*go = NULL;
	int		 rv;

	if (argc >= 5 && strcmp(argv[1], "-c") == 0 &&
	    strcmp(argv[3], "-p") == 0)
		return (check(strtoull(argv[2], NULL, 10),
		    strtoull(argv[4], NULL, 10), argv + 5, argc - 5));
	if (argc >= 3 && strcmp(argv[1], "-c") == 0)
		return (check(strtoull(argv[2], NULL, 10), 0, argv + 3,
		    argc - 3));
	if (argc >= 3 && strcmp(argv[1], "-g") == 0) {
		go = argv[2];
		argc -= 2;
		argv += 2;
	}
	if (argc != 3) {
		fprintf(stderr, "usage: flood [-g FIFO] LINES CHUNK | "
		    "flood -c LINES [-p MIN] FILE...\n");
		return (2);
	}
	if (go != NULL && waitgo(go) == -1)
		return (1);
	rv = produce(strtoull(argv[1], NULL, 10), strtoull(argv[2], NULL, 10));
	if (go != NULL && waitgo(go) == -1)
		return (1);
	return (rv);
}
