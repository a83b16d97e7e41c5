/* A growable byte buffer for the HTTP and XML-RPC writers. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../warden.h"
#include "buf.h"

/* Make room for n more bytes and the NUL after them. */
static void
buf_grow(struct buf *b, size_t n)
{
	size_t	want;

	if (n > (size_t)-1 / 2 - b->len)
		abort();	/* no buffer gets near half the address space */
	want = b->len + n + 1;
	if (want <= b->size)
		return;
	if (b->size == 0)
		b->size = 256;
	while (b->size < want)
		b->size *= 2;
	b->data = xreallocarray(b->data, 1, b->size);
}

/* Append len bytes. */
void
buf_add(struct buf *b, const void *p, size_t len)
{
	buf_grow(b, len);
	if (len > 0)
		memcpy(b->data + b->len, p, len);
	b->len += len;
	b->data[b->len] = '\0';
}

/* Append a string. */
void
buf_adds(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

/* Append one byte. */
void
buf_addc(struct buf *b, char c)
{
	buf_add(b, &c, 1);
}

/* Append printf-formatted text. */
void
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list	ap;
	int	n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		abort();	/* only a bad format string fails here */
	buf_grow(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

/* Empty the buffer, keeping its memory. */
void
buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->data != NULL)
		b->data[0] = '\0';
}

/* Release the buffer's memory; it is empty and usable afterwards. */
void
buf_free(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->size = 0;
}

static const char buf_b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/*
 * Append len bytes as base64, with a newline after every wrap output
 * characters and at the end when wrap is not 0 (Python's encodebytes()
 * layout with 76).
 */
void
buf_add_base64(struct buf *b, const void *data, size_t len, size_t wrap)
{
	const unsigned char	*p = data;
	char			 q[4];
	size_t			 i, col = 0;
	uint32_t		 v;

	for (i = 0; i < len; i += 3) {
		v = (uint32_t)p[i] << 16;
		if (i + 1 < len)
			v |= (uint32_t)p[i + 1] << 8;
		if (i + 2 < len)
			v |= p[i + 2];
		q[0] = buf_b64[v >> 18];
		q[1] = buf_b64[(v >> 12) & 0x3f];
		q[2] = i + 1 < len ? buf_b64[(v >> 6) & 0x3f] : '=';
		q[3] = i + 2 < len ? buf_b64[v & 0x3f] : '=';
		buf_add(b, q, 4);
		if (wrap != 0 && (col += 4) >= wrap) {
			buf_addc(b, '\n');
			col = 0;
		}
	}
	if (wrap != 0 && col != 0)
		buf_addc(b, '\n');
}

/* The value of one base64 character, or -1. */
static int
buf_b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return (c - 'A');
	if (c >= 'a' && c <= 'z')
		return (c - 'a' + 26);
	if (c >= '0' && c <= '9')
		return (c - '0' + 52);
	if (c == '+')
		return (62);
	if (c == '/')
		return (63);
	return (-1);
}

/*
 * Decode len characters of base64 and append the bytes.  Padding is
 * required and ends the input; with ws, space, tab, CR and LF are skipped
 * anywhere.  Returns 0, or -1 for anything else (the buffer may then hold
 * part of the bytes).
 */
int
buf_add_unbase64(struct buf *b, const char *s, size_t len, int ws)
{
	uint32_t	v = 0;
	size_t		i, n = 0, pad = 0;
	int		c;

	for (i = 0; i < len; i++) {
		if (ws && strchr(" \t\r\n", s[i]) != NULL && s[i] != '\0')
			continue;
		if (s[i] == '=' && n % 4 >= 2 && pad < 2) {
			pad++;
			n++;
			continue;
		}
		if (pad > 0 || (c = buf_b64_value((unsigned char)s[i])) == -1)
			return (-1);
		v = v << 6 | (uint32_t)c;
		if (++n % 4 == 0) {
			buf_addc(b, (char)(v >> 16));
			buf_addc(b, (char)(v >> 8));
			buf_addc(b, (char)v);
		}
	}
	if (n % 4 != 0)
		return (-1);
	/* The bits the padding leaves over are dropped, as Python does. */
	if (pad == 2)
		buf_addc(b, (char)(v >> 4));
	else if (pad == 1) {
		buf_addc(b, (char)(v >> 10));
		buf_addc(b, (char)(v >> 2));
	}
	return (0);
}
