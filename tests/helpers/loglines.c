/*
 * loglines: a service that writes numbered lines, for the log tests.
 *
 *   loglines [-n N] [-f FIRST] [-t TEXT] [-w WIDTH] [-b SIZE] [-p FILE]
 *            [-L BYTES] [-e] [-s]
 *
 *   -n N      write lines FIRST .. FIRST+N-1, each "TEXT<number>\n"
 *   -f FIRST  the first number (1)
 *   -t TEXT   what comes before the number ("line ")
 *   -w WIDTH  pad each line with '.' to WIDTH bytes, newline included
 *   -b SIZE   write in chunks of up to SIZE bytes (65536), whole lines
 *             or not: a chunk may end in the middle of a line
 *   -p FILE   after each chunk, write the count of lines fully written
 *             to FILE (to watch progress from outside)
 *   -L BYTES  then write BYTES of 'x' with no newline
 *   -e        write to stderr instead of stdout
 *   -s        then sleep until killed
 */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void
writeall(int fd, const char *p, size_t n)
{
	ssize_t	w;

	while (n > 0) {
		if ((w = write(fd, p, n)) == -1) {
			if (errno == EINTR)
				continue;
			err(1, "write");
		}
		p += w;
		n -= (size_t)w;
	}
}

static void
progress(const char *file, unsigned long done)
{
	char	buf[32];
	int	fd, n;

	if (file == NULL)
		return;
	if ((fd = open(file, O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC, 0644)) == -1)
		err(1, "%s", file);
	n = snprintf(buf, sizeof buf, "%lu\n", done);
	writeall(fd, buf, (size_t)n);
	close(fd);
}

int
main(int argc, char **argv)
{
	const char	*text = "line ", *pfile = NULL;
	unsigned long	 n = 0, first = 1, i, done = 0, nl = 0;
	size_t		 width = 0, size = 65536, len = 0, big = 0, k, j;
	char		*buf, line[4096];
	int		 ch, fd = STDOUT_FILENO, sleep_after = 0, m;

	while ((ch = getopt(argc, argv, "n:f:t:w:b:p:L:es")) != -1) {
		switch (ch) {
		case 'n': n = strtoul(optarg, NULL, 10); break;
		case 'f': first = strtoul(optarg, NULL, 10); break;
		case 't': text = optarg; break;
		case 'w': width = strtoul(optarg, NULL, 10); break;
		case 'b': size = strtoul(optarg, NULL, 10); break;
		case 'p': pfile = optarg; break;
		case 'L': big = strtoul(optarg, NULL, 10); break;
		case 'e': fd = STDERR_FILENO; break;
		case 's': sleep_after = 1; break;
		default:
			errx(2, "usage: loglines [-n N] [-f FIRST] [-t TEXT] "
			    "[-w WIDTH] [-b SIZE] [-p FILE] [-L BYTES] [-e] "
			    "[-s]");
		}
	}
	if (size == 0 || width >= sizeof line)
		errx(2, "bad -b or -w");
	if ((buf = malloc(size)) == NULL)
		err(1, "malloc");
	progress(pfile, 0);
	for (i = first; i < first + n; i++) {
		m = snprintf(line, sizeof line, "%s%lu", text, i);
		k = (size_t)m < sizeof line - 1 ? (size_t)m : sizeof line - 2;
		while (width > 0 && k < width - 1)
			line[k++] = '.';
		line[k++] = '\n';
		for (j = 0; j < k; j++) {
			buf[len++] = line[j];
			if (len == size) {
				writeall(fd, buf, len);
				len = 0;
				done = nl + (j == k - 1);
				progress(pfile, done);
			}
		}
		nl++;
	}
	if (len > 0)
		writeall(fd, buf, len);
	progress(pfile, nl);
	memset(buf, 'x', size);
	while (big > 0) {
		k = big < size ? big : size;
		writeall(fd, buf, k);
		big -= k;
	}
	free(buf);
	if (sleep_after)
		for (;;)
			pause();
	return (0);
}
