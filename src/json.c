/* The one place that escapes strings for --json output. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "warden.h"

/*
 * A JSON string literal: quotes, backslashes and control bytes escaped,
 * and bytes that are not UTF-8 replaced by U+FFFD, so that the output is
 * valid JSON whatever a command line holds.
 */
void
json_string(FILE *fp, const char *s)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 i, n, len;

	if (s == NULL) {
		fputs("null", fp);
		return;
	}
	len = strlen(s);
	fputc('"', fp);
	for (i = 0; i < len; i += n) {
		n = 1;
		if (p[i] >= 0x80) {
			if ((n = utf8_seq(p, i, len, 0x80)) > 0)
				fwrite(p + i, 1, n, fp);
			else {
				n = 1;
				fputs("\xef\xbf\xbd", fp);
			}
			continue;
		}
		switch (p[i]) {
		case '"':
			fputs("\\\"", fp);
			break;
		case '\\':
			fputs("\\\\", fp);
			break;
		case '\n':
			fputs("\\n", fp);
			break;
		case '\t':
			fputs("\\t", fp);
			break;
		case '\r':
			fputs("\\r", fp);
			break;
		default:
			if (p[i] < 0x20 || p[i] == 0x7f)
				fprintf(fp, "\\u%04x", p[i]);
			else
				fputc(p[i], fp);
		}
	}
	fputc('"', fp);
}
