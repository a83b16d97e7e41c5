/*
 * XML-RPC values: the builders and accessors the methods use, scalars
 * read from their text as Python reads them, and the encoder, which
 * writes what Python's xmlrpc.client.dumps() writes, byte for byte, for
 * the same values.
 *
 * Strings stay valid XML: Python escapes only &, < and >, so a control
 * character in a string (an ANSI colour in a log, say) makes a document
 * its own parser refuses.  Here each character XML 1.0 forbids, and each
 * byte that is not UTF-8, becomes U+FFFD, and CR is written &#13; so that
 * it is not read back as LF.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../warden.h"
#include "xmlrpc.h"

/* A new value of type t. */
static struct xr_value *
xr_new(enum xr_type t)
{
	struct xr_value	*v = xcalloc(1, sizeof *v);

	v->type = t;
	return (v);
}

/* nil (<nil/>: Python's allow_none). */
struct xr_value *
xr_nil(void)
{
	return (xr_new(XR_NIL));
}

/* An integer; written <int> in 32 bits, <i8> beyond. */
struct xr_value *
xr_int(int64_t i)
{
	struct xr_value	*v = xr_new(XR_INT);

	v->i = i;
	return (v);
}

/* A boolean: 0 or 1. */
struct xr_value *
xr_bool(int b)
{
	struct xr_value	*v = xr_new(XR_BOOL);

	v->i = b != 0;
	return (v);
}

/* A double. */
struct xr_value *
xr_double(double d)
{
	struct xr_value	*v = xr_new(XR_DOUBLE);

	v->d = d;
	return (v);
}

/* A value of type t holding a copy of len bytes. */
static struct xr_value *
xr_bytes(enum xr_type t, const void *p, size_t len)
{
	struct xr_value	*v = xr_new(t);

	v->s = xmalloc(len + 1);
	if (len > 0)
		memcpy(v->s, p, len);
	v->s[len] = '\0';
	v->len = len;
	return (v);
}

/* A string (UTF-8 text). */
struct xr_value *
xr_string(const char *s)
{
	return (xr_bytes(XR_STRING, s, strlen(s)));
}

/* A string of len bytes. */
struct xr_value *
xr_stringn(const char *s, size_t len)
{
	return (xr_bytes(XR_STRING, s, len));
}

/* Binary data, written as <base64>. */
struct xr_value *
xr_base64(const void *p, size_t len)
{
	return (xr_bytes(XR_BASE64, p, len));
}

/* A dateTime.iso8601, as its text ("20260102T03:04:05"). */
struct xr_value *
xr_datetime(const char *s)
{
	return (xr_bytes(XR_DATETIME, s, strlen(s)));
}

/* An empty array. */
struct xr_value *
xr_array(void)
{
	return (xr_new(XR_ARRAY));
}

/* An empty struct. */
struct xr_value *
xr_struct(void)
{
	return (xr_new(XR_STRUCT));
}

/* Append item v to an array or struct, which takes it. */
static void
xr_push(struct xr_value *c, struct xr_value *v)
{
	if (c->n == c->size) {
		c->size = c->size ? c->size * 2 : 4;
		c->v = xreallocarray(c->v, c->size, sizeof *c->v);
	}
	c->v[c->n++] = v;
}

/* Append v to array a, which takes it. */
void
xr_array_add(struct xr_value *a, struct xr_value *v)
{
	if (a->type != XR_ARRAY)
		abort();	/* a method's bug */
	xr_push(a, v);
}

/* Add member name = v to struct st, which takes v. */
void
xr_struct_add(struct xr_value *st, const char *name, struct xr_value *v)
{
	if (st->type != XR_STRUCT)
		abort();	/* a method's bug */
	free(v->name);
	v->name = xstrdup(name);
	xr_push(st, v);
}

/* Free a value and all it holds; NULL is fine. */
void
xr_free(struct xr_value *v)
{
	size_t	i;

	if (v == NULL)
		return;
	for (i = 0; i < v->n; i++)
		xr_free(v->v[i]);
	free(v->v);
	free(v->s);
	free(v->name);
	free(v);
}

/* Python's int(): blanks, a sign, decimal digits, blanks; in 64 bits. */
static int
xr_parse_int(const char *s, int64_t *out)
{
	char		*end;
	long long	 v;

	while (isspace((unsigned char)*s))
		s++;
	if (!isdigit((unsigned char)s[*s == '-' || *s == '+']))
		return (-1);
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0)
		return (-1);
	while (isspace((unsigned char)*end))
		end++;
	if (*end != '\0')
		return (-1);
	*out = v;
	return (0);
}

/* Python's float(): decimal, inf, infinity or nan (no hex, no '_'). */
static int
xr_parse_double(const char *s, double *out)
{
	const char	*p, *e;
	char		*end;
	int		 digits = 0;

	while (isspace((unsigned char)*s))
		s++;
	p = s + (*s == '-' || *s == '+');
	for (e = p; isalpha((unsigned char)*e); e++)
		;
	if (e > p) {
		if ((e - p != 3 || (strncasecmp(p, "inf", 3) != 0 &&
		    strncasecmp(p, "nan", 3) != 0)) && (e - p != 8 ||
		    strncasecmp(p, "infinity", 8) != 0))
			return (-1);
	} else {
		for (e = p; isdigit((unsigned char)*e); e++)
			digits++;
		if (*e == '.')
			for (e++; isdigit((unsigned char)*e); e++)
				digits++;
		if (digits == 0)
			return (-1);
		if (*e == 'e' || *e == 'E') {
			e += e[1] == '-' || e[1] == '+' ? 2 : 1;
			if (!isdigit((unsigned char)*e))
				return (-1);
			while (isdigit((unsigned char)*e))
				e++;
		}
	}
	for (p = e; isspace((unsigned char)*p); p++)
		;
	if (*p != '\0')
		return (-1);
	*out = strtod(s, &end);		/* a too large one is inf, as there */
	return (end == e ? 0 : -1);
}

/* A dateTime.iso8601's text, trimmed: "YYYYMMDDTHH:MM:SS" and kin. */
static int
xr_datetime_ok(char *s, size_t *len)
{
	size_t	n = strlen(s), i = 0, k;

	while (i < n && isspace((unsigned char)s[i]))
		i++;
	while (n > i && isspace((unsigned char)s[n - 1]))
		n--;
	if (n == i || n - i > 64)
		return (0);
	for (k = i; k < n; k++)
		if (!isdigit((unsigned char)s[k]) &&
		    strchr("T:-+.Z", s[k]) == NULL)
			return (0);
	memmove(s, s + i, n - i);
	s[n - i] = '\0';
	*len = n - i;
	return (1);
}

/*
 * The scalar that an element called tag (its prefix dropped) holds as
 * the text s, len bytes and a NUL (a dateTime's is trimmed in place).
 * Returns 0 with the value in *out, -1 when the text is no such value,
 * -2 when tag names no scalar.
 */
int
xr_scalar(const char *tag, char *s, size_t len, struct xr_value **out)
{
	static const char *const ints[] = { "int", "i4", "i8", "i1", "i2",
	    "biginteger" };
	struct buf	 b;
	size_t		 i;
	int64_t		 n;
	double		 d;

	*out = NULL;
	for (i = 0; i < nitems(ints); i++)
		if (strcmp(tag, ints[i]) == 0) {
			if (xr_parse_int(s, &n) == 0)
				*out = xr_int(n);
			return (*out != NULL ? 0 : -1);
		}
	if (strcmp(tag, "string") == 0)
		*out = xr_stringn(s, len);
	else if (strcmp(tag, "boolean") == 0) {
		if (strcmp(s, "0") == 0 || strcmp(s, "1") == 0)
			*out = xr_bool(*s == '1');
	} else if (strcmp(tag, "double") == 0 || strcmp(tag, "float") == 0) {
		if (xr_parse_double(s, &d) == 0)
			*out = xr_double(d);
	} else if (strcmp(tag, "nil") == 0) {
		if (strspn(s, " \t\n") == len)
			*out = xr_nil();
	} else if (strcmp(tag, "dateTime.iso8601") == 0) {
		if (xr_datetime_ok(s, &len))
			*out = xr_datetime(s);
	} else if (strcmp(tag, "base64") == 0) {
		memset(&b, 0, sizeof b);
		if (buf_add_unbase64(&b, s, len, 1) == 0)
			*out = xr_base64(b.data, b.len);
		buf_free(&b);
	} else
		return (-2);
	return (*out != NULL ? 0 : -1);
}

/* Item i of array a if it has type t, else NULL. */
const struct xr_value *
xr_get(const struct xr_value *a, size_t i, enum xr_type t)
{
	if (a == NULL || a->type != XR_ARRAY || i >= a->n ||
	    a->v[i]->type != t)
		return (NULL);
	return (a->v[i]);
}

/* Member name of struct st if it has type t, else NULL. */
const struct xr_value *
xr_member(const struct xr_value *st, const char *name, enum xr_type t)
{
	size_t	i;

	if (st == NULL || st->type != XR_STRUCT)
		return (NULL);
	for (i = 0; i < st->n; i++)
		if (strcmp(st->v[i]->name, name) == 0)
			return (st->v[i]->type == t ? st->v[i] : NULL);
	return (NULL);
}

/* Whether two trees are the same (NaN equals NaN; member order counts). */
int
xr_equal(const struct xr_value *a, const struct xr_value *b)
{
	size_t	i;

	if (a->type != b->type)
		return (0);
	if ((a->name == NULL) != (b->name == NULL) ||
	    (a->name != NULL && strcmp(a->name, b->name) != 0))
		return (0);
	switch (a->type) {
	case XR_NIL:
		return (1);
	case XR_INT:
	case XR_BOOL:
		return (a->i == b->i);
	case XR_DOUBLE:
		return (a->d == b->d || (isnan(a->d) && isnan(b->d)));
	case XR_STRING:
	case XR_BASE64:
	case XR_DATETIME:
		return (a->len == b->len && memcmp(a->s, b->s, a->len) == 0);
	case XR_ARRAY:
	case XR_STRUCT:
		if (a->n != b->n)
			return (0);
		for (i = 0; i < a->n; i++)
			if (!xr_equal(a->v[i], b->v[i]))
				return (0);
		return (1);
	}
	return (0);
}

/* A type's name, for messages ("param 0 must be a string"). */
const char *
xr_type_name(enum xr_type t)
{
	static const char *const names[] = { "nil", "int", "boolean",
	    "double", "string", "base64", "dateTime.iso8601", "array",
	    "struct" };

	return ((size_t)t < nitems(names) ? names[t] : "?");
}

/*
 * Check an array of params against spec, a letter a param: i int, b
 * boolean, d double, s string, 6 base64, t dateTime, a array, S struct,
 * n nil, '.' any; those after a '|' may be left out.  Returns 0, or -1
 * with why saying what is wrong ("param 0 must be a string"), for an
 * INCORRECT_PARAMETERS fault.
 */
int
xr_check(const struct xr_value *params, const char *spec, char *why,
    size_t len)
{
	static const char	 letters[] = "nibds6taS";
	const char		*c;
	size_t			 i, need = strcspn(spec, "|"), max;
	enum xr_type		 t;

	max = strlen(spec) - (spec[need] == '|');
	if (params->n < need || params->n > max) {
		if (need == max)
			snprintf(why, len, "%zu params expected, %zu given",
			    need, params->n);
		else
			snprintf(why, len, "%zu to %zu params expected, %zu "
			    "given", need, max, params->n);
		return (-1);
	}
	for (i = 0, c = spec; i < params->n; i++, c++) {
		if (*c == '|')
			c++;
		if (*c == '.')
			continue;
		if (*c == '\0' || strchr(letters, *c) == NULL)
			abort();	/* a method's bug */
		t = (enum xr_type)(strchr(letters, *c) - letters);
		if (params->v[i]->type != t) {
			snprintf(why, len, "param %zu must be %s %s", i,
			    strchr("ia", *c) != NULL ? "an" : "a",
			    xr_type_name(t));
			return (-1);
		}
	}
	return (0);
}

/* Text escaped for XML; see the comment at the top. */
static void
xr_put_text(struct buf *b, const char *p, size_t len)
{
	const unsigned char	*s = (const unsigned char *)p;
	size_t			 i, n;

	for (i = 0; i < len; i += n) {
		n = utf8_seq(s, i, len, 0);
		if (n == 1 && s[i] == '&')
			buf_adds(b, "&amp;");
		else if (n == 1 && s[i] == '<')
			buf_adds(b, "&lt;");
		else if (n == 1 && s[i] == '>')
			buf_adds(b, "&gt;");
		else if (n == 1 && s[i] == '\r')
			buf_adds(b, "&#13;");
		else if (n == 0 || (n == 1 && s[i] < 0x20 && s[i] != '\t' &&
		    s[i] != '\n') || (n == 3 && s[i] == 0xef &&
		    s[i + 1] == 0xbf && s[i + 2] >= 0xbe)) {
			buf_adds(b, "\xef\xbf\xbd");
			if (n == 0)
				n = 1;
		} else
			buf_add(b, s + i, n);
	}
}

/*
 * A double as Python's repr() writes it: the fewest digits that read back
 * the same, positional from 1e-4 to 1e16 with at least one decimal,
 * "1e+16" style outside.
 */
static void
xr_put_double(struct buf *b, double d)
{
	char	tmp[40], digits[20];
	int	prec, exp, nd, i;
	char	*e, *p;

	if (isnan(d) || isinf(d)) {
		buf_adds(b, isnan(d) ? "nan" : d < 0 ? "-inf" : "inf");
		return;
	}
	for (prec = 1; prec <= 17; prec++) {
		snprintf(tmp, sizeof tmp, "%.*e", prec - 1, d);
		if (strtod(tmp, NULL) == d)
			break;
	}
	p = tmp;
	if (*p == '-')
		buf_addc(b, *p++);
	e = strchr(p, 'e');
	exp = atoi(e + 1);
	for (nd = 0; p < e; p++)
		if (*p != '.')
			digits[nd++] = *p;
	if (exp < -4 || exp >= 16) {
		buf_addc(b, digits[0]);
		if (nd > 1) {
			buf_addc(b, '.');
			buf_add(b, digits + 1, (size_t)nd - 1);
		}
		buf_printf(b, "e%c%02d", exp < 0 ? '-' : '+', abs(exp));
	} else if (exp < 0) {
		buf_adds(b, "0.");
		for (i = -1; i > exp; i--)
			buf_addc(b, '0');
		buf_add(b, digits, (size_t)nd);
	} else {
		for (i = 0; i <= exp; i++)
			buf_addc(b, i < nd ? digits[i] : '0');
		buf_addc(b, '.');
		if (nd > exp + 1)
			buf_add(b, digits + exp + 1, (size_t)(nd - exp - 1));
		else
			buf_addc(b, '0');
	}
}

/* One value, laid out as Python's Marshaller lays it out. */
void
xr_encode_value(struct buf *b, const struct xr_value *v)
{
	size_t	i;

	switch (v->type) {
	case XR_NIL:
		buf_adds(b, "<value><nil/></value>");
		return;
	case XR_INT:
		if (v->i >= INT32_MIN && v->i <= INT32_MAX)
			buf_printf(b, "<value><int>%lld</int></value>\n",
			    (long long)v->i);
		else
			buf_printf(b, "<value><i8>%lld</i8></value>\n",
			    (long long)v->i);
		return;
	case XR_BOOL:
		buf_printf(b, "<value><boolean>%d</boolean></value>\n",
		    v->i != 0);
		return;
	case XR_DOUBLE:
		buf_adds(b, "<value><double>");
		xr_put_double(b, v->d);
		buf_adds(b, "</double></value>\n");
		return;
	case XR_STRING:
		buf_adds(b, "<value><string>");
		xr_put_text(b, v->s, v->len);
		buf_adds(b, "</string></value>\n");
		return;
	case XR_BASE64:
		buf_adds(b, "<value><base64>\n");
		buf_add_base64(b, v->s, v->len, 76);
		buf_adds(b, "</base64></value>\n");
		return;
	case XR_DATETIME:
		buf_adds(b, "<value><dateTime.iso8601>");
		xr_put_text(b, v->s, v->len);
		buf_adds(b, "</dateTime.iso8601></value>\n");
		return;
	case XR_ARRAY:
		buf_adds(b, "<value><array><data>\n");
		for (i = 0; i < v->n; i++)
			xr_encode_value(b, v->v[i]);
		buf_adds(b, "</data></array></value>\n");
		return;
	case XR_STRUCT:
		buf_adds(b, "<value><struct>\n");
		for (i = 0; i < v->n; i++) {
			buf_adds(b, "<member>\n<name>");
			xr_put_text(b, v->v[i]->name, strlen(v->v[i]->name));
			buf_adds(b, "</name>\n");
			xr_encode_value(b, v->v[i]);
			buf_adds(b, "</member>\n");
		}
		buf_adds(b, "</struct></value>\n");
		return;
	}
}

/* <params> with each item of array params, or with one value. */
static void
xr_encode_params(struct buf *b, const struct xr_value *params, int many)
{
	size_t	i, n = many ? params->n : 1;

	buf_adds(b, "<params>\n");
	for (i = 0; i < n; i++) {
		buf_adds(b, "<param>\n");
		xr_encode_value(b, many ? params->v[i] : params);
		buf_adds(b, "</param>\n");
	}
	buf_adds(b, "</params>\n");
}

/* A methodResponse carrying v. */
void
xr_encode_response(struct buf *b, const struct xr_value *v)
{
	buf_adds(b, "<?xml version='1.0'?>\n<methodResponse>\n");
	xr_encode_params(b, v, 0);
	buf_adds(b, "</methodResponse>\n");
}

/* A fault response. */
void
xr_encode_fault(struct buf *b, int code, const char *string)
{
	struct xr_value	*f = xr_struct();

	xr_struct_add(f, "faultCode", xr_int(code));
	xr_struct_add(f, "faultString", xr_string(string));
	buf_adds(b, "<?xml version='1.0'?>\n<methodResponse>\n<fault>\n");
	xr_encode_value(b, f);
	buf_adds(b, "</fault>\n</methodResponse>\n");
	xr_free(f);
}

/* A methodCall of method with the items of array params. */
void
xr_encode_call(struct buf *b, const char *method,
    const struct xr_value *params)
{
	buf_adds(b, "<?xml version='1.0'?>\n<methodCall>\n<methodName>");
	xr_put_text(b, method, strlen(method));
	buf_adds(b, "</methodName>\n");
	xr_encode_params(b, params, 1);
	buf_adds(b, "</methodCall>\n");
}
