/*
 * A growable byte buffer: what the HTTP and XML-RPC writers append to.
 * It owns its bytes; data is NUL-terminated after each append so a
 * text buffer can be read as a string.  Base64 (RFC 4648, the standard
 * alphabet with padding) goes in and out of it too, for Basic
 * authentication and XML-RPC's <base64>.
 */
#ifndef BUF_H
#define BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
	char	*data;
	size_t	 len;
	size_t	 size;
};

/* buf.c */
void	 buf_add(struct buf *, const void *, size_t);
void	 buf_adds(struct buf *, const char *);
void	 buf_addc(struct buf *, char);
void	 buf_printf(struct buf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	 buf_reset(struct buf *);
void	 buf_free(struct buf *);
void	 buf_add_base64(struct buf *, const void *, size_t, size_t);
int	 buf_add_unbase64(struct buf *, const char *, size_t, int);

#endif
