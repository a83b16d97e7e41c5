/*
 * The XML-RPC codec (xmlrpc.com's spec, as Python's xmlrpc.client reads
 * and writes it): documents in, value trees out, and back.  It knows
 * nothing of HTTP or of services; it works on buffers.
 */
#ifndef XMLRPC_H
#define XMLRPC_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#define XR_MAX_DEPTH	32		/* <value>s inside <value>s */
#define XR_MAX_INPUT	(16 << 20)	/* bytes of one document */

enum xr_type {
	XR_NIL, XR_INT, XR_BOOL, XR_DOUBLE, XR_STRING, XR_BASE64,
	XR_DATETIME, XR_ARRAY, XR_STRUCT
};

/* One value; a tree of them for arrays and structs. */
struct xr_value {
	enum xr_type	  type;
	int64_t		  i;		/* XR_INT; XR_BOOL: 0 or 1 */
	double		  d;		/* XR_DOUBLE */
	char		 *s;		/* STRING, BASE64, DATETIME: */
	size_t		  len;		/* len bytes and a NUL */
	char		 *name;		/* a struct's member: its name */
	struct xr_value	**v;		/* ARRAY, STRUCT: the items, in order */
	size_t		  n;
	size_t		  size;
};

enum xr_kind { XR_CALL, XR_RESPONSE, XR_FAULT };

/* A decoded document. */
struct xr_msg {
	enum xr_kind	 kind;
	char		*method;	/* XR_CALL: the method's name */
	struct xr_value	*params;	/* an XR_ARRAY of the params; for
					   XR_FAULT, of the fault struct */
};

/* xmlrpc.c */
int		 xr_decode(const char *, size_t, struct xr_msg *,
		     const char **);
void		 xr_msg_free(struct xr_msg *);
int		 xr_fault(const struct xr_msg *, int64_t *, const char **);

/* xmlrpc-value.c */
struct xr_value	*xr_nil(void);
struct xr_value	*xr_int(int64_t);
struct xr_value	*xr_bool(int);
struct xr_value	*xr_double(double);
struct xr_value	*xr_string(const char *);
struct xr_value	*xr_stringn(const char *, size_t);
struct xr_value	*xr_base64(const void *, size_t);
struct xr_value	*xr_datetime(const char *);
struct xr_value	*xr_array(void);
struct xr_value	*xr_struct(void);
void		 xr_array_add(struct xr_value *, struct xr_value *);
void		 xr_struct_add(struct xr_value *, const char *,
		     struct xr_value *);
void		 xr_free(struct xr_value *);
int		 xr_scalar(const char *, char *, size_t, struct xr_value **);
const struct xr_value *xr_get(const struct xr_value *, size_t, enum xr_type);
const struct xr_value *xr_member(const struct xr_value *, const char *,
		     enum xr_type);
int		 xr_check(const struct xr_value *, const char *, char *,
		     size_t);
int		 xr_equal(const struct xr_value *, const struct xr_value *);
const char	*xr_type_name(enum xr_type);
void		 xr_encode_value(struct buf *, const struct xr_value *);
void		 xr_encode_response(struct buf *, const struct xr_value *);
void		 xr_encode_fault(struct buf *, int, const char *);
void		 xr_encode_call(struct buf *, const char *,
		     const struct xr_value *);

#endif
