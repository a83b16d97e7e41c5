/*
 * libFuzzer harness for the control socket's request parser: any bytes a
 * local client can send.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/sup/sup.h"
#include "../unit/stubs.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char		*buf, *fields[64];
	const char	*why = NULL;
	int		 n, i;

	if (size > 65536)
		return (0);
	buf = malloc(size + 1);
	if (buf == NULL)
		return (0);
	memcpy(buf, data, size);
	n = ctl_parse(buf, size, fields, 64, &why);
	if (n == -1 && why == NULL)
		abort();
	for (i = 0; i < n; i++)
		if (fields[i] < buf || fields[i] >= buf + size ||
		    strlen(fields[i]) > 1024)
			abort();
	free(buf);
	return (0);
}
