/*
 * The XML-RPC decoder: a document (methodCall or methodResponse) into a
 * value tree.  The XML taken is the subset XML-RPC needs, read as expat
 * reads it for Python's xmlrpc.client: UTF-8 only, the five predefined
 * entities and character references, CDATA, comments, line ends made
 * LF.  No DOCTYPE, so no entity of any other kind: nothing expands.
 *
 * Where Python is lenient the decoder is not: unknown tags, text mixed
 * with elements, <array> without <data>, unpadded base64 and integers
 * beyond 64 bits are refused; what Python accepts and the decoder refuses
 * is listed in the tests.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../warden.h"
#include "xmlrpc.h"

enum xr_tok { XT_ERR = -1, XT_EOF, XT_START, XT_END, XT_TEXT };

/*
 * Elements open at once: a <value> level takes three (value, array,
 * data; or struct, member, value), the document's frame five.
 */
#define XR_MAX_OPEN	(3 * XR_MAX_DEPTH + 8)

struct xr_lex {
	const char	*p, *end;
	const char	*why;		/* XT_ERR: what is wrong */
	char		 name[32];	/* XT_START, XT_END: prefix dropped */
	int		 pending_end;	/* <x/>: its XT_END comes next */
	const char	*raw;		/* the last name, prefix and all */
	size_t		 rawlen;
	struct {
		const char	*name;	/* in the input */
		size_t		 len;
	}		 open[XR_MAX_OPEN];
	int		 nopen;
	struct buf	 text;		/* XT_TEXT: decoded */
	int		 depth;		/* <value>s open */
};

/* Fail with why; XT_ERR for the lexer, -1 or NULL for the parser. */
static int
xr_err(struct xr_lex *lx, const char *why)
{
	if (lx->why == NULL)
		lx->why = why;
	return (XT_ERR);
}

/* Whether the whole input is UTF-8 made of XML 1.0 characters. */
static int
xr_chars_ok(const unsigned char *s, size_t len)
{
	size_t	i, n;

	for (i = 0; i < len; i += n) {
		if ((n = utf8_seq(s, i, len, 0)) == 0)
			return (0);
		if (n == 1 && s[i] < 0x20 && s[i] != '\t' && s[i] != '\n' &&
		    s[i] != '\r')
			return (0);
		if (n == 3 && s[i] == 0xef && s[i + 1] == 0xbf &&
		    s[i + 2] >= 0xbe)
			return (0);	/* U+FFFE and U+FFFF */
	}
	return (1);
}

/* Whether c is an XML 1.0 Char. */
static int
xr_is_char(uint32_t c)
{
	return (c == 0x9 || c == 0xa || c == 0xd || (c >= 0x20 &&
	    c <= 0xd7ff) || (c >= 0xe000 && c <= 0xfffd) || (c >= 0x10000 &&
	    c <= 0x10ffff));
}

/* Append code point c as UTF-8. */
static void
xr_put_utf8(struct buf *b, uint32_t c)
{
	static const unsigned char lead[] = { 0, 0, 0xc0, 0xe0, 0xf0 };
	char	u[4];
	int	n = c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4, i;

	for (i = n - 1; i > 0; i--, c >>= 6)
		u[i] = (char)(0x80 | (c & 0x3f));
	u[0] = (char)(lead[n] | c);
	buf_add(b, u, (size_t)n);
}

/* Whether the input at lx->p starts with s. */
static int
xr_at(struct xr_lex *lx, const char *s)
{
	size_t	n = strlen(s);

	return ((size_t)(lx->end - lx->p) >= n && memcmp(lx->p, s, n) == 0);
}

/* "&...;" at lx->p, decoded into the text. */
static int
xr_lex_ref(struct xr_lex *lx)
{
	static const struct {
		const char	*name;
		char		 c;
	} ents[] = { { "&lt;", '<' }, { "&gt;", '>' }, { "&amp;", '&' },
	    { "&quot;", '"' }, { "&apos;", '\'' } };
	uint32_t	 c = 0;
	size_t		 i;
	int		 hex, d, digits = 0;

	for (i = 0; i < nitems(ents); i++)
		if (xr_at(lx, ents[i].name)) {
			buf_addc(&lx->text, ents[i].c);
			lx->p += strlen(ents[i].name);
			return (0);
		}
	if (!xr_at(lx, "&#"))
		return (xr_err(lx, "unknown entity"));
	lx->p += 2;
	if ((hex = lx->p < lx->end && *lx->p == 'x'))
		lx->p++;
	for (; lx->p < lx->end && *lx->p != ';'; lx->p++, digits++) {
		d = (unsigned char)*lx->p;
		if (isdigit(d))
			d -= '0';
		else if (hex && isxdigit(d))
			d = tolower(d) - 'a' + 10;
		else
			return (xr_err(lx, "bad character reference"));
		c = c * (hex ? 16 : 10) + (uint32_t)d;
		if (c > 0x10ffff)
			return (xr_err(lx, "bad character reference"));
	}
	if (lx->p == lx->end || digits == 0 || !xr_is_char(c))
		return (xr_err(lx, "bad character reference"));
	lx->p++;
	xr_put_utf8(&lx->text, c);
	return (0);
}

/* Append text up to stop (exclusive) with line ends made LF. */
static void
xr_put_lines(struct xr_lex *lx, const char *s, const char *stop)
{
	for (; s < stop; s++) {
		if (*s != '\r')
			buf_addc(&lx->text, *s);
		else if (s + 1 == stop || s[1] != '\n')
			buf_addc(&lx->text, '\n');
	}
}

/* Skip "<!--...-->" at lx->p. */
static int
xr_lex_comment(struct xr_lex *lx)
{
	const char	*e;

	for (e = lx->p + 4; e + 1 < lx->end; e++)
		if (e[0] == '-' && e[1] == '-') {
			if (e + 2 == lx->end || e[2] != '>')
				return (xr_err(lx, "\"--\" in a comment"));
			lx->p = e + 3;
			return (0);
		}
	return (xr_err(lx, "unterminated comment"));
}

/* Character data up to the next tag: references, CDATA and comments in. */
static int
xr_lex_text(struct xr_lex *lx)
{
	const char	*s, *e;

	buf_reset(&lx->text);
	while (lx->p < lx->end) {
		if (xr_at(lx, "<![CDATA[")) {
			s = lx->p + 9;
			e = memmem(s, (size_t)(lx->end - s), "]]>", 3);
			if (e == NULL)
				return (xr_err(lx, "unterminated CDATA"));
			xr_put_lines(lx, s, e);
			lx->p = e + 3;
		} else if (xr_at(lx, "<!--")) {
			if (xr_lex_comment(lx) == XT_ERR)
				return (XT_ERR);
		} else if (*lx->p == '<')
			break;
		else if (*lx->p == '&') {
			if (xr_lex_ref(lx) == XT_ERR)
				return (XT_ERR);
		} else if (xr_at(lx, "]]>"))
			return (xr_err(lx, "\"]]>\" in text"));
		else {
			for (s = lx->p; lx->p < lx->end && *lx->p != '<' &&
			    *lx->p != '&' && *lx->p != ']'; lx->p++)
				;
			if (s == lx->p)
				lx->p++;	/* a ']' that ends nothing */
			xr_put_lines(lx, s, lx->p);
		}
	}
	return (XT_TEXT);
}

/* Skip blanks. */
static void
xr_lex_blanks(struct xr_lex *lx)
{
	while (lx->p < lx->end && strchr(" \t\r\n", *lx->p) != NULL)
		lx->p++;
}

/* A name at lx->p into lx->name, without its prefix ("ex:nil" is nil). */
static int
xr_lex_name(struct xr_lex *lx)
{
	const char	*s = lx->p, *colon;
	size_t		 n;

	if (lx->p == lx->end || !(isalpha((unsigned char)*lx->p) ||
	    *lx->p == '_' || *lx->p == ':'))
		return (xr_err(lx, "bad tag name"));
	while (lx->p < lx->end && (isalnum((unsigned char)*lx->p) ||
	    strchr("_:.-", *lx->p) != NULL))
		lx->p++;
	lx->raw = s;
	lx->rawlen = (size_t)(lx->p - s);
	if ((colon = memrchr(s, ':', (size_t)(lx->p - s))) != NULL)
		s = colon + 1;
	n = (size_t)(lx->p - s);
	if (n == 0 || n >= sizeof lx->name)
		return (xr_err(lx, "bad tag name"));
	memcpy(lx->name, s, n);
	lx->name[n] = '\0';
	return (0);
}

/* Skip attributes (name="value" or 'value'); none is meaningful. */
static int
xr_lex_attrs(struct xr_lex *lx)
{
	const char	*q;

	for (;;) {
		xr_lex_blanks(lx);
		if (lx->p == lx->end || *lx->p == '>' || *lx->p == '/' ||
		    *lx->p == '?')
			return (0);
		if (!isalpha((unsigned char)*lx->p) && *lx->p != '_')
			return (xr_err(lx, "bad attribute"));
		while (lx->p < lx->end && (isalnum((unsigned char)*lx->p) ||
		    strchr("_:.-", *lx->p) != NULL))
			lx->p++;
		xr_lex_blanks(lx);
		if (lx->p == lx->end || *lx->p++ != '=')
			return (xr_err(lx, "bad attribute"));
		xr_lex_blanks(lx);
		if (lx->p == lx->end || (*lx->p != '"' && *lx->p != '\''))
			return (xr_err(lx, "bad attribute"));
		q = memchr(lx->p + 1, *lx->p, (size_t)(lx->end - lx->p - 1));
		if (q == NULL || memchr(lx->p, '<', (size_t)(q - lx->p)) !=
		    NULL)
			return (xr_err(lx, "bad attribute"));
		lx->p = q + 1;
	}
}

/* An element opens: remember its name, to match its end tag with. */
static int
xr_lex_push(struct xr_lex *lx)
{
	if (lx->nopen == XR_MAX_OPEN)
		return (xr_err(lx, "elements nested too deep"));
	lx->open[lx->nopen].name = lx->raw;
	lx->open[lx->nopen].len = lx->rawlen;
	lx->nopen++;
	return (XT_START);
}

/* An element closes: its end tag must name it, prefix and all. */
static int
xr_lex_pop(struct xr_lex *lx)
{
	if (lx->nopen == 0 || lx->open[lx->nopen - 1].len != lx->rawlen ||
	    memcmp(lx->open[lx->nopen - 1].name, lx->raw, lx->rawlen) != 0)
		return (xr_err(lx, "mismatched end tag"));
	lx->nopen--;
	return (XT_END);
}

/* The next token. */
static int
xr_lex_next(struct xr_lex *lx)
{
	if (lx->why != NULL)
		return (XT_ERR);
	if (lx->pending_end) {
		lx->pending_end = 0;
		return (xr_lex_pop(lx));
	}
	if (lx->p == lx->end)
		return (XT_EOF);
	if (*lx->p != '<' || xr_at(lx, "<![CDATA[") || xr_at(lx, "<!--"))
		return (xr_lex_text(lx));
	if (xr_at(lx, "<?"))
		return (xr_err(lx, "processing instruction"));
	if (xr_at(lx, "<!"))
		return (xr_err(lx, "DOCTYPE or declaration"));
	if (xr_at(lx, "</")) {
		lx->p += 2;
		if (xr_lex_name(lx) == XT_ERR)
			return (XT_ERR);
		xr_lex_blanks(lx);
		if (lx->p == lx->end || *lx->p++ != '>')
			return (xr_err(lx, "bad end tag"));
		return (xr_lex_pop(lx));
	}
	lx->p++;
	if (xr_lex_name(lx) == XT_ERR || xr_lex_attrs(lx) == XT_ERR)
		return (XT_ERR);
	if (xr_at(lx, "/>")) {
		lx->p += 2;
		lx->pending_end = 1;
	} else if (lx->p < lx->end && *lx->p == '>')
		lx->p++;
	else
		return (xr_err(lx, "bad start tag"));
	return (xr_lex_push(lx));
}

/* Whether the text token is blanks only. */
static int
xr_text_blank(struct xr_lex *lx)
{
	size_t	i;

	for (i = 0; i < lx->text.len; i++)
		if (strchr(" \t\n", lx->text.data[i]) == NULL)
			return (0);
	return (1);
}

/* The next tag, over blank text. */
static int
xr_next_tag(struct xr_lex *lx)
{
	int	t;

	while ((t = xr_lex_next(lx)) == XT_TEXT)
		if (!xr_text_blank(lx))
			return (xr_err(lx, "text out of place"));
	return (t);
}

/* The next tag must be type (XT_START, XT_END) name. */
static int
xr_expect(struct xr_lex *lx, int type, const char *name)
{
	if (xr_next_tag(lx) != type || strcmp(lx->name, name) != 0)
		return (xr_err(lx, type == XT_START ? "missing start tag" :
		    "mismatched end tag"));
	return (0);
}

/*
 * The text of a leaf element whose start tag was read, up to and with
 * its end tag: left in lx->text.
 */
static int
xr_leaf(struct xr_lex *lx, const char *name)
{
	int	t;

	if ((t = xr_lex_next(lx)) == XT_TEXT)
		t = xr_lex_next(lx);
	else
		buf_reset(&lx->text);
	if (t != XT_END || strcmp(lx->name, name) != 0)
		return (xr_err(lx, "bad leaf element"));
	if (lx->text.data == NULL)
		buf_add(&lx->text, "", 0);
	return (0);
}

static struct xr_value *xr_parse_value(struct xr_lex *);

/* <array><data> value... </data></array>, its start tag read. */
static struct xr_value *
xr_parse_array(struct xr_lex *lx)
{
	struct xr_value	*a = xr_array(), *v;
	int		 t;

	if (xr_expect(lx, XT_START, "data") == -1)
		goto fail;
	while ((t = xr_next_tag(lx)) == XT_START &&
	    strcmp(lx->name, "value") == 0) {
		if ((v = xr_parse_value(lx)) == NULL)
			goto fail;
		xr_array_add(a, v);
	}
	if (t != XT_END || strcmp(lx->name, "data") != 0 ||
	    xr_expect(lx, XT_END, "array") == -1) {
		xr_err(lx, "bad array");
		goto fail;
	}
	return (a);
fail:
	xr_free(a);
	return (NULL);
}

/* Add v to st as name; a name seen before keeps its place, takes v. */
static void
xr_struct_put(struct xr_value *st, const char *name, struct xr_value *v)
{
	size_t	i;

	for (i = 0; i < st->n; i++)
		if (strcmp(st->v[i]->name, name) == 0) {
			v->name = st->v[i]->name;
			st->v[i]->name = NULL;
			xr_free(st->v[i]);
			st->v[i] = v;
			return;
		}
	xr_struct_add(st, name, v);
}

/* <struct> <member><name>N</name><value>V</value></member>... </struct>. */
static struct xr_value *
xr_parse_struct(struct xr_lex *lx)
{
	struct xr_value	*st = xr_struct(), *v;
	char		*name;
	int		 t;

	while ((t = xr_next_tag(lx)) == XT_START &&
	    strcmp(lx->name, "member") == 0) {
		if (xr_expect(lx, XT_START, "name") == -1 ||
		    xr_leaf(lx, "name") == -1)
			goto fail;
		name = xstrdup(lx->text.data);
		if (strlen(name) != lx->text.len ||
		    xr_expect(lx, XT_START, "value") == -1 ||
		    (v = xr_parse_value(lx)) == NULL) {
			free(name);
			goto fail;
		}
		xr_struct_put(st, name, v);
		free(name);
		if (xr_expect(lx, XT_END, "member") == -1)
			goto fail;
	}
	if (t != XT_END || strcmp(lx->name, "struct") != 0) {
		xr_err(lx, "bad struct");
		goto fail;
	}
	return (st);
fail:
	xr_free(st);
	return (NULL);
}

/* A scalar whose start tag (lx->name) was read, with its end tag. */
static struct xr_value *
xr_parse_scalar(struct xr_lex *lx)
{
	struct xr_value	*v;
	char		 tag[sizeof lx->name];
	int		 rc;

	memcpy(tag, lx->name, sizeof tag);
	if (xr_leaf(lx, tag) == -1)
		return (NULL);
	if ((rc = xr_scalar(tag, lx->text.data, lx->text.len, &v)) != 0)
		xr_err(lx, rc == -2 ? "unknown tag" : "bad value");
	return (rc == 0 ? v : NULL);
}

/*
 * A <value> whose start tag was read, with its end tag.  Text alone is a
 * string, kept as it is; blanks around a typed element are dropped.
 */
static struct xr_value *
xr_parse_value(struct xr_lex *lx)
{
	struct xr_value	*v = NULL;
	int		 t;

	if (++lx->depth > XR_MAX_DEPTH) {
		xr_err(lx, "values nested too deep");
		return (NULL);
	}
	if ((t = xr_lex_next(lx)) == XT_TEXT) {
		if ((t = xr_lex_next(lx)) == XT_END &&
		    strcmp(lx->name, "value") == 0) {
			lx->depth--;
			return (xr_stringn(lx->text.data, lx->text.len));
		}
		if (!xr_text_blank(lx)) {
			xr_err(lx, "text out of place");
			return (NULL);
		}
	}
	if (t == XT_END && strcmp(lx->name, "value") == 0) {
		lx->depth--;
		return (xr_string(""));
	}
	if (t != XT_START) {
		xr_err(lx, "bad value");
		return (NULL);
	}
	if (strcmp(lx->name, "array") == 0)
		v = xr_parse_array(lx);
	else if (strcmp(lx->name, "struct") == 0)
		v = xr_parse_struct(lx);
	else
		v = xr_parse_scalar(lx);
	if (v != NULL && xr_expect(lx, XT_END, "value") == -1) {
		xr_free(v);
		return (NULL);
	}
	lx->depth--;
	return (v);
}

/* <params> <param><value>V</value></param>... </params>, start read. */
static int
xr_parse_params(struct xr_lex *lx, struct xr_value *params)
{
	struct xr_value	*v;
	int		 t;

	while ((t = xr_next_tag(lx)) == XT_START &&
	    strcmp(lx->name, "param") == 0) {
		if (xr_expect(lx, XT_START, "value") == -1 ||
		    (v = xr_parse_value(lx)) == NULL)
			return (-1);
		xr_array_add(params, v);
		if (xr_expect(lx, XT_END, "param") == -1)
			return (-1);
	}
	if (t != XT_END || strcmp(lx->name, "params") != 0)
		return (xr_err(lx, "bad params"));
	return (0);
}

/* <fault><value><struct> faultCode, faultString </struct></value>. */
static int
xr_parse_fault(struct xr_lex *lx, struct xr_msg *m)
{
	struct xr_value	*v;

	if (xr_expect(lx, XT_START, "value") == -1 ||
	    (v = xr_parse_value(lx)) == NULL)
		return (-1);
	xr_array_add(m->params, v);
	if (v->type != XR_STRUCT || xr_member(v, "faultCode", XR_INT) == NULL ||
	    xr_member(v, "faultString", XR_STRING) == NULL)
		return (xr_err(lx, "bad fault"));
	return (xr_expect(lx, XT_END, "fault"));
}

/* The XML declaration, if any: version 1.x, and UTF-8 if it says. */
static int
xr_parse_decl(struct xr_lex *lx)
{
	const char	*e, *enc;
	size_t		 n;

	if (xr_at(lx, "\xef\xbb\xbf"))
		lx->p += 3;
	if (!xr_at(lx, "<?xml") || lx->p + 5 == lx->end ||
	    strchr(" \t\r\n", lx->p[5]) == NULL)
		return (0);
	e = memmem(lx->p, (size_t)(lx->end - lx->p), "?>", 2);
	if (e == NULL)
		return (xr_err(lx, "bad XML declaration"));
	enc = memmem(lx->p, (size_t)(e - lx->p), "encoding", 8);
	if (enc != NULL) {
		enc += 8;
		while (enc < e && strchr(" \t\r\n=\"'", *enc) != NULL)
			enc++;
		for (n = 0; enc + n < e && (isalnum((unsigned char)enc[n]) ||
		    enc[n] == '-' || enc[n] == '_'); n++)
			;
		if (!(n == 5 && strncasecmp(enc, "utf-8", 5) == 0) &&
		    !(n == 8 && strncasecmp(enc, "us-ascii", 8) == 0))
			return (xr_err(lx, "encoding other than UTF-8"));
	}
	lx->p += 5;
	if (xr_lex_attrs(lx) == XT_ERR || lx->p != e)
		return (xr_err(lx, "bad XML declaration"));
	lx->p = e + 2;
	return (0);
}

/* The root element and what may follow it (blanks and comments). */
static int
xr_parse_root(struct xr_lex *lx, struct xr_msg *m)
{
	int	t;

	if (xr_next_tag(lx) != XT_START || (strcmp(lx->name, "methodCall") !=
	    0 && strcmp(lx->name, "methodResponse") != 0))
		return (xr_err(lx, "not a methodCall or methodResponse"));
	if (strcmp(lx->name, "methodCall") == 0) {
		m->kind = XR_CALL;
		if (xr_expect(lx, XT_START, "methodName") == -1 ||
		    xr_leaf(lx, "methodName") == -1)
			return (-1);
		m->method = xstrdup(lx->text.data);
		if ((t = xr_next_tag(lx)) == XT_START &&
		    strcmp(lx->name, "params") == 0) {
			if (xr_parse_params(lx, m->params) == -1)
				return (-1);
			t = xr_next_tag(lx);
		}
		if (t != XT_END || strcmp(lx->name, "methodCall") != 0)
			return (xr_err(lx, "bad methodCall"));
	} else {
		if ((t = xr_next_tag(lx)) != XT_START)
			return (xr_err(lx, "bad methodResponse"));
		if (strcmp(lx->name, "params") == 0) {
			m->kind = XR_RESPONSE;
			if (xr_parse_params(lx, m->params) == -1)
				return (-1);
		} else if (strcmp(lx->name, "fault") == 0) {
			m->kind = XR_FAULT;
			if (xr_parse_fault(lx, m) == -1)
				return (-1);
		} else
			return (xr_err(lx, "bad methodResponse"));
		if (xr_expect(lx, XT_END, "methodResponse") == -1)
			return (-1);
	}
	if (xr_next_tag(lx) != XT_EOF)
		return (xr_err(lx, "data after the root element"));
	return (0);
}

/*
 * Decode the len bytes of an XML-RPC document into m.  Returns 0, or -1
 * with *why saying what is wrong (m is then empty).
 */
int
xr_decode(const char *doc, size_t len, struct xr_msg *m, const char **why)
{
	struct xr_lex	lx;
	int		rc = -1;

	memset(m, 0, sizeof *m);
	memset(&lx, 0, sizeof lx);
	m->params = xr_array();
	lx.p = doc;
	lx.end = doc + len;
	if (len > XR_MAX_INPUT)
		xr_err(&lx, "document too large");
	else if (!xr_chars_ok((const unsigned char *)doc, len))
		xr_err(&lx, "not UTF-8 XML characters");	/* or a NUL */
	else if (xr_parse_decl(&lx) == 0 && xr_parse_root(&lx, m) == 0)
		rc = 0;
	buf_free(&lx.text);
	if (rc == -1) {
		xr_msg_free(m);
		*why = lx.why != NULL ? lx.why : "malformed";
	}
	return (rc);
}

/* Release what a decoded document holds. */
void
xr_msg_free(struct xr_msg *m)
{
	free(m->method);
	xr_free(m->params);
	memset(m, 0, sizeof *m);
}

/* A fault's code and string; -1 if m is not a fault. */
int
xr_fault(const struct xr_msg *m, int64_t *code, const char **string)
{
	const struct xr_value	*f;

	if (m->kind != XR_FAULT || (f = xr_get(m->params, 0, XR_STRUCT)) ==
	    NULL)
		return (-1);
	*code = xr_member(f, "faultCode", XR_INT)->i;
	*string = xr_member(f, "faultString", XR_STRING)->s;
	return (0);
}
