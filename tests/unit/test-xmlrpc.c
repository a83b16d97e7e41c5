/*
 * The XML-RPC codec: every value type both ways, faults, the XML it takes
 * (entities, character references, CDATA, comments, line ends) and what
 * it refuses (DOCTYPE, entity bombs, depth, size, bad values).
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../src/warden.h"
#include "../../src/sup/xmlrpc.h"
#include "stubs.h"

#define RESP_HEAD "<?xml version='1.0'?>\n<methodResponse>\n<params>\n" \
		  "<param>\n"
#define RESP_TAIL "</param>\n</params>\n</methodResponse>\n"

/* Decode a response whose one param is the text v; NULL if refused. */
static struct xr_msg *
decode_value(const char *v)
{
	static struct xr_msg	 m;
	char			*doc;
	const char		*why = NULL;

	assert_true(asprintf(&doc, "<methodResponse><params><param>%s"
	    "</param></params></methodResponse>", v) > 0);
	if (xr_decode(doc, strlen(doc), &m, &why) == -1) {
		assert_non_null(why);
		assert_null(m.params);
		free(doc);
		return (NULL);
	}
	free(doc);
	assert_int_equal(m.kind, XR_RESPONSE);
	assert_int_equal(m.params->n, 1);
	return (&m);
}

/* The one value of a decoded response; it must have type t. */
static const struct xr_value *
value_of(struct xr_msg *m, enum xr_type t)
{
	assert_non_null(m);
	assert_non_null(xr_get(m->params, 0, t));
	return (m->params->v[0]);
}

/* v must decode to an int i. */
static void
want_int(const char *v, int64_t i)
{
	struct xr_msg	*m = decode_value(v);

	assert_int_equal(value_of(m, XR_INT)->i, i);
	xr_msg_free(m);
}

/* v must decode to a string of len bytes s. */
static void
want_string(const char *v, const char *s, size_t len)
{
	struct xr_msg		*m = decode_value(v);
	const struct xr_value	*x = value_of(m, XR_STRING);

	assert_int_equal(x->len, len);
	assert_memory_equal(x->s, s, len);
	assert_int_equal(x->s[len], '\0');
	xr_msg_free(m);
}

/* v must be refused. */
static void
want_refused(const char *v)
{
	if (decode_value(v) != NULL)
		fail_msg("accepted: %s", v);
}

/* A whole document must be refused. */
static void
want_doc_refused(const char *doc)
{
	struct xr_msg	 m;
	const char	*why = NULL;

	if (xr_decode(doc, strlen(doc), &m, &why) == 0)
		fail_msg("accepted: %s", doc);
	assert_non_null(why);
}

static void
test_xr_scalars(void **state)
{
	struct xr_msg	*m;

	(void)state;
	want_int("<value><int>42</int></value>", 42);
	want_int("<value><i4>-7</i4></value>", -7);
	want_int("<value><i8>9223372036854775807</i8></value>", INT64_MAX);
	want_int("<value><ex:i8>-9223372036854775808</ex:i8></value>",
	    INT64_MIN);
	want_int("<value><int> +12\n</int></value>", 12);	/* as int() */
	want_int("<value><int>99999999999</int></value>", 99999999999LL);
	want_int("<value><i1>1</i1></value>", 1);
	want_int("<value>\n  <int>3</int>\n</value>", 3);
	want_int("<x:value><y:int>3</y:int></x:value>", 3);
	m = decode_value("<value><boolean>1</boolean></value>");
	assert_int_equal(value_of(m, XR_BOOL)->i, 1);
	xr_msg_free(m);
	m = decode_value("<value><boolean>0</boolean></value>");
	assert_int_equal(value_of(m, XR_BOOL)->i, 0);
	xr_msg_free(m);
	m = decode_value("<value><double>-1.5e3</double></value>");
	assert_true(value_of(m, XR_DOUBLE)->d == -1500.0);
	xr_msg_free(m);
	m = decode_value("<value><double> .5 </double></value>");
	assert_true(value_of(m, XR_DOUBLE)->d == 0.5);
	xr_msg_free(m);
	m = decode_value("<value><double>1e999</double></value>");
	assert_true(isinf(value_of(m, XR_DOUBLE)->d));
	xr_msg_free(m);
	m = decode_value("<value><double>-NaN</double></value>");
	assert_true(isnan(value_of(m, XR_DOUBLE)->d));
	xr_msg_free(m);
	m = decode_value("<value><double>Infinity</double></value>");
	assert_true(isinf(value_of(m, XR_DOUBLE)->d));
	xr_msg_free(m);
	m = decode_value("<value><nil/></value>");
	value_of(m, XR_NIL);
	xr_msg_free(m);
	m = decode_value("<value><ex:nil/></value>");
	value_of(m, XR_NIL);
	xr_msg_free(m);
	m = decode_value("<value><nil></nil></value>");
	value_of(m, XR_NIL);
	xr_msg_free(m);
	m = decode_value("<value><base64>\naGVs\nbG8A\n</base64></value>");
	assert_int_equal(value_of(m, XR_BASE64)->len, 6);
	assert_memory_equal(m->params->v[0]->s, "hello", 6);
	xr_msg_free(m);
	m = decode_value("<value><base64></base64></value>");
	assert_int_equal(value_of(m, XR_BASE64)->len, 0);
	xr_msg_free(m);
	m = decode_value("<value><dateTime.iso8601> 20260102T03:04:05 "
	    "</dateTime.iso8601></value>");
	assert_string_equal(value_of(m, XR_DATETIME)->s, "20260102T03:04:05");
	assert_int_equal(m->params->v[0]->len, 17);
	xr_msg_free(m);
}

static void
test_xr_strings(void **state)
{
	(void)state;
	want_string("<value><string>plain</string></value>", "plain", 5);
	want_string("<value>bare text</value>", "bare text", 9);
	want_string("<value>  </value>", "  ", 2);	/* kept, as Python */
	want_string("<value></value>", "", 0);
	want_string("<value/>", "", 0);
	want_string("<value><string/></value>", "", 0);
	want_string("<value><string> a </string></value>", " a ", 3);
	want_string("<value><string>&lt;&gt;&amp;&quot;&apos;</string>"
	    "</value>", "<>&\"'", 5);
	want_string("<value><string>&#65;&#x42;&#x10FFFF;&#233;&#xe9;"
	    "&#x20AC;&#x7f;</string></value>", "AB\xf4\x8f\xbf\xbf\xc3\xa9"
	    "\xc3\xa9\xe2\x82\xac\x7f", 14);
	want_string("<value><string>\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"
	    "</string></value>", "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 9);
	want_string("<value><string>a<![CDATA[<b>&amp;]]>c</string>"
	    "</value>", "a<b>&amp;c", 10);
	want_string("<value><string>a<!-- x -->b</string></value>", "ab",
	    2);
	want_string("<value><string>]] ]>]</string></value>", "]] ]>]", 6);
	/* Line ends made LF, as expat does; &#13; stays CR. */
	want_string("<value><string>a\r\nb\rc\n&#13;</string></value>",
	    "a\nb\nc\n\r", 7);
	want_string("<value><string>a<![CDATA[\r\n]]>b</string></value>",
	    "a\nb", 3);
	want_string("<value><string>\t</string></value>", "\t", 1);
}

static void
test_xr_compound(void **state)
{
	struct xr_msg		*m;
	const struct xr_value	*v, *a;

	(void)state;
	m = decode_value("<value><struct>\n<member><name>b</name><value><i4>1"
	    "</i4></value></member>\n<member><name>a</name><value><array>"
	    "<data>\n<value>x</value><value><struct></struct></value>"
	    "<value><array><data/></array></value></data></array></value>"
	    "</member><member><name>b</name><value><int>2</int></value>"
	    "</member></struct></value>");
	v = value_of(m, XR_STRUCT);
	/* A name twice: the later value, in the first place (a dict). */
	assert_int_equal(v->n, 2);
	assert_string_equal(v->v[0]->name, "b");
	assert_int_equal(xr_member(v, "b", XR_INT)->i, 2);
	assert_null(xr_member(v, "b", XR_STRING));
	assert_null(xr_member(v, "c", XR_INT));
	a = xr_member(v, "a", XR_ARRAY);
	assert_non_null(a);
	assert_int_equal(a->n, 3);
	assert_string_equal(xr_get(a, 0, XR_STRING)->s, "x");
	assert_null(xr_get(a, 0, XR_INT));
	assert_null(xr_get(a, 3, XR_STRING));
	assert_int_equal(xr_get(a, 1, XR_STRUCT)->n, 0);
	assert_int_equal(xr_get(a, 2, XR_ARRAY)->n, 0);
	assert_null(xr_get(v, 0, XR_INT));		/* not an array */
	assert_null(xr_member(a, "x", XR_INT));		/* not a struct */
	xr_msg_free(m);
}

/* <value><array><data> n deep around an int. */
static char *
nested(int n)
{
	char	*s = xmalloc((size_t)n * 50 + 64), *p = s;
	int	 i;

	for (i = 0; i < n; i++)
		p += sprintf(p, "<value><array><data>");
	p += sprintf(p, "<value><int>1</int></value>");
	for (i = 0; i < n; i++)
		p += sprintf(p, "</data></array></value>");
	return (s);
}

static void
test_xr_depth(void **state)
{
	struct xr_msg	*m;
	char		*s;

	(void)state;
	s = nested(XR_MAX_DEPTH - 1);
	m = decode_value(s);
	value_of(m, XR_ARRAY);
	xr_msg_free(m);
	free(s);
	s = nested(XR_MAX_DEPTH);
	want_refused(s);
	free(s);
	s = nested(5000);
	want_refused(s);
	free(s);
}

static void
test_xr_refused_values(void **state)
{
	static const char *const bad[] = {
		"<value><int>9223372036854775808</int></value>",
		"<value><int>-9223372036854775809</int></value>",
		"<value><int>1.0</int></value>",
		"<value><int></int></value>",
		"<value><int>- 1</int></value>",
		"<value><int>0x10</int></value>",
		"<value><int>1_0</int></value>",
		"<value><boolean>2</boolean></value>",
		"<value><boolean> 1</boolean></value>",
		"<value><boolean>true</boolean></value>",
		"<value><double>1.0.0</double></value>",
		"<value><double>0x1p3</double></value>",
		"<value><double>1e</double></value>",
		"<value><double>.</double></value>",
		"<value><double></double></value>",
		"<value><double>infin</double></value>",
		"<value><double>nan(1)</double></value>",
		"<value><base64>YQ</base64></value>",
		"<value><base64>Y*==</base64></value>",
		"<value><base64>YQ==YQ==</base64></value>",
		"<value><dateTime.iso8601></dateTime.iso8601></value>",
		"<value><dateTime.iso8601>2026 01</dateTime.iso8601></value>",
		"<value><dateTime.iso8601>&lt;</dateTime.iso8601></value>",
		"<value><nil>x</nil></value>",
		"<value><bigdecimal>1.5</bigdecimal></value>",
		"<value><foo>1</foo></value>",
		"<value><int>1</i4></value>",
		"<value><int>1</int>x</value>",
		"<value>x<int>1</int></value>",
		"<value><int>1</int><int>2</int></value>",
		"<value><int><int>1</int></int></value>",
		"<value><array><value>1</value></array></value>",
		"<value><array><data><int>1</int></data></array></value>",
		"<value><struct><member><value>1</value></member></struct>"
		    "</value>",
		"<value><struct><member><name>a</name></member></struct>"
		    "</value>",
		"<value><struct><member><value>1</value><name>a</name>"
		    "</member></struct></value>",
		"<value><struct><name>a</name></struct></value>",
		"<value><string>&nbsp;</string></value>",
		"<value><string>&lt</string></value>",
		"<value><string>&#0;</string></value>",
		"<value><string>&#1;</string></value>",
		"<value><string>&#xD800;</string></value>",
		"<value><string>&#xFFFE;</string></value>",
		"<value><string>&#x110000;</string></value>",
		"<value><string>&#99999999999999999999;</string></value>",
		"<value><string>&#;</string></value>",
		"<value><string>&#x;</string></value>",
		"<value><string>&#12a;</string></value>",
		"<value><string>a]]>b</string></value>",
		"<value><string>a<!-- -- -->b</string></value>",
		"<value><string>a<!-- x</string></value>",
		"<value><string><![CDATA[x</string></value>",
		"<value><string>\x01</string></value>",
		"<value><string>\x7f\x80</string></value>",
		"<value><string>\xc3</string></value>",
		"<value><string>\xc0\xaf</string></value>",
		"<value><string>\xed\xa0\x80</string></value>",
		"<value><string>\xef\xbf\xbf</string></value>",
		"<value><string>a<?php x?></string></value>",
		"<value><string>a<b</string></value>",
		"<value><string>a &amp b</string></value>",
		"<value><string x=1>a</string></value>",
		"<value><string x='<'>a</string></value>",
		"<value><1>a</1></value>",
		"<value><int>1</int></valu>",
		"<value><int>1</ex:int></value>",
		"<ex:value><int>1</int></value>",
		"<value><ex:int>1</x:int></value>",
		"<value><int>1</int>",
	};
	size_t	i;

	(void)state;
	for (i = 0; i < nitems(bad); i++)
		want_refused(bad[i]);
	/* Attributes are read and ignored. */
	want_string("<value a=\"1\" b = '2'><string c='&amp;'>x</string>"
	    "</value>", "x", 1);
}

static void
test_xr_documents(void **state)
{
	struct xr_msg	 m;
	const char	*why, *fs, *doc;
	int64_t		 code;

	(void)state;
	doc = "\xef\xbb\xbf<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<!-- c -->\n<methodCall>\n<methodName>supervisor.getState"
	    "</methodName>\n</methodCall>\n<!-- after -->\n";
	assert_int_equal(xr_decode(doc, strlen(doc), &m, &why), 0);
	assert_int_equal(m.kind, XR_CALL);
	assert_string_equal(m.method, "supervisor.getState");
	assert_int_equal(m.params->n, 0);
	assert_int_equal(xr_fault(&m, &code, &fs), -1);
	xr_msg_free(&m);
	doc = "<methodCall><methodName>a.b</methodName><params><param>"
	    "<value><i4>1</i4></value></param><param><value>s</value>"
	    "</param></params></methodCall>";
	assert_int_equal(xr_decode(doc, strlen(doc), &m, &why), 0);
	assert_string_equal(m.method, "a.b");
	assert_int_equal(xr_get(m.params, 0, XR_INT)->i, 1);
	assert_string_equal(xr_get(m.params, 1, XR_STRING)->s, "s");
	xr_msg_free(&m);
	doc = "<methodResponse><params/></methodResponse>";
	assert_int_equal(xr_decode(doc, strlen(doc), &m, &why), 0);
	assert_int_equal(m.kind, XR_RESPONSE);
	assert_int_equal(m.params->n, 0);
	xr_msg_free(&m);
	doc = "<methodResponse><fault><value><struct><member><name>faultCode"
	    "</name><value><int>10</int></value></member><member><name>"
	    "faultString</name><value>BAD_NAME: x</value></member></struct>"
	    "</value></fault></methodResponse>";
	assert_int_equal(xr_decode(doc, strlen(doc), &m, &why), 0);
	assert_int_equal(m.kind, XR_FAULT);
	assert_int_equal(xr_fault(&m, &code, &fs), 0);
	assert_int_equal(code, 10);
	assert_string_equal(fs, "BAD_NAME: x");
	xr_msg_free(&m);
}

static void
test_xr_refused_documents(void **state)
{
	static const char *const bad[] = {
		"",
		"   ",
		"<methodResponse>",
		"<methodResponse></methodResponse>",
		"<methodCall></methodCall>",
		"<methodCall><params/></methodCall>",
		"<methodCall><methodName>a</methodName><params><param>"
		    "</param></params></methodCall>",
		"<methodCall><methodName>a</methodName><value>1</value>"
		    "</methodCall>",
		"<methodResponse><params/><params/></methodResponse>",
		"<methodResponse><params/></methodResponse><x/>",
		"<methodResponse><params/></methodResponse>x",
		"x<methodResponse><params/></methodResponse>",
		"<methodRequest><params/></methodRequest>",
		"<methodResponse><params/></methodCall>",
		"<methodResponse><params><foo/></params></methodResponse>",
		"<methodResponse><fault><value><int>1</int></value></fault>"
		    "</methodResponse>",
		"<methodResponse><fault><value><struct><member><name>"
		    "faultCode</name><value><int>1</int></value></member>"
		    "</struct></value></fault></methodResponse>",
		"<methodResponse><fault><value><struct><member><name>"
		    "faultCode</name><value>1</value></member><member><name>"
		    "faultString</name><value>x</value></member></struct>"
		    "</value></fault></methodResponse>",
		"<?xml version='1.0' encoding='ISO-8859-1'?>"
		    "<methodResponse><params/></methodResponse>",
		"<?xml version='1.0'?><?xml version='1.0'?>"
		    "<methodResponse><params/></methodResponse>",
		"<?xml-stylesheet href='x'?>"
		    "<methodResponse><params/></methodResponse>",
		" <?xml version='1.0'?>"
		    "<methodResponse><params/></methodResponse>",
		"<methodResponse><params/><?pi x?></methodResponse>",
		"<!DOCTYPE methodResponse>"
		    "<methodResponse><params/></methodResponse>",
		/* The billion laughs. */
		"<?xml version='1.0'?><!DOCTYPE lolz [<!ENTITY lol 'lol'>"
		    "<!ENTITY lol2 '&lol;&lol;&lol;&lol;&lol;&lol;&lol;'>]>"
		    "<methodResponse><params><param><value>&lol2;</value>"
		    "</param></params></methodResponse>",
		"<!ENTITY x SYSTEM 'file:///etc/passwd'>"
		    "<methodResponse><params/></methodResponse>",
		"<methodResponse><params><param><value>&x;</value></param>"
		    "</params></methodResponse>",
		"<methodResponse><params/><!ELEMENT x ANY></methodResponse>",
	};
	struct xr_msg	 m;
	const char	*why;
	char		*big;
	size_t		 i;

	(void)state;
	for (i = 0; i < nitems(bad); i++)
		want_doc_refused(bad[i]);
	/* A NUL inside the given length. */
	assert_int_equal(xr_decode("<methodResponse>\0<params/>"
	    "</methodResponse>", 43, &m, &why), -1);
	/* Over the size bound, refused before it is read. */
	big = xmalloc(XR_MAX_INPUT + 1);
	memset(big, ' ', XR_MAX_INPUT + 1);
	memcpy(big, "<methodResponse><params/></methodResponse>", 42);
	assert_int_equal(xr_decode(big, XR_MAX_INPUT + 1, &m, &why), -1);
	assert_string_equal(why, "document too large");
	assert_int_equal(xr_decode(big, XR_MAX_INPUT, &m, &why), 0);
	xr_msg_free(&m);
	free(big);
}

/* Encode v as a response: the text between the param tags. */
static void
want_encoded(struct xr_value *v, const char *want)
{
	struct buf	b = { NULL, 0, 0 };
	char		*full;

	xr_encode_response(&b, v);
	assert_true(asprintf(&full, RESP_HEAD "%s" RESP_TAIL, want) > 0);
	assert_string_equal(b.data, full);
	free(full);
	buf_free(&b);
	xr_free(v);
}

static void
test_xr_encode(void **state)
{
	struct xr_value	*a, *st;

	(void)state;
	want_encoded(xr_int(-5), "<value><int>-5</int></value>\n");
	want_encoded(xr_int(INT32_MAX),
	    "<value><int>2147483647</int></value>\n");
	want_encoded(xr_int((int64_t)INT32_MIN - 1),
	    "<value><i8>-2147483649</i8></value>\n");
	want_encoded(xr_bool(7), "<value><boolean>1</boolean></value>\n");
	want_encoded(xr_bool(0), "<value><boolean>0</boolean></value>\n");
	want_encoded(xr_nil(), "<value><nil/></value>");
	want_encoded(xr_string("a<b>&c\"'"),
	    "<value><string>a&lt;b&gt;&amp;c\"'</string></value>\n");
	/* CR kept, forbidden characters and bad UTF-8 made U+FFFD. */
	want_encoded(xr_stringn("\r\n\t\x01\x1b[0m\xff\xc3\xa9\xef\xbf\xbe"
	    "\xed\xa0\x80", 17), "<value><string>&#13;\n\t\xef\xbf\xbd"
	    "\xef\xbf\xbd[0m\xef\xbf\xbd\xc3\xa9\xef\xbf\xbd\xef\xbf\xbd"
	    "\xef\xbf\xbd\xef\xbf\xbd</string></value>\n");
	want_encoded(xr_base64("hello", 5),
	    "<value><base64>\naGVsbG8=\n</base64></value>\n");
	want_encoded(xr_base64("", 0), "<value><base64>\n</base64>"
	    "</value>\n");
	want_encoded(xr_datetime("20260102T03:04:05"),
	    "<value><dateTime.iso8601>20260102T03:04:05</dateTime.iso8601>"
	    "</value>\n");
	a = xr_array();
	xr_array_add(a, xr_int(1));
	st = xr_struct();
	xr_struct_add(st, "k<", xr_string("v"));
	xr_array_add(a, st);
	xr_array_add(a, xr_array());
	want_encoded(a, "<value><array><data>\n<value><int>1</int></value>\n"
	    "<value><struct>\n<member>\n<name>k&lt;</name>\n<value><string>v"
	    "</string></value>\n</member>\n</struct></value>\n<value><array>"
	    "<data>\n</data></array></value>\n</data></array></value>\n");
}

static void
test_xr_doubles(void **state)
{
	static const struct {
		double		 d;
		const char	*repr;
	} t[] = {
		{ 1.0, "1.0" }, { 0.1, "0.1" }, { 1e16, "1e+16" },
		{ 1e-5, "1e-05" }, { 123456789012345680.0,
		"1.2345678901234568e+17" }, { 0.0001, "0.0001" },
		{ -0.0, "-0.0" }, { 1.5e300, "1.5e+300" }, { 5e-324, "5e-324" },
		{ 100.0, "100.0" }, { 1234.5678, "1234.5678" },
		{ 9999999999999998.0, "9999999999999998.0" },
		{ -2.5e-7, "-2.5e-07" }, { 1e15, "1000000000000000.0" },
		{ 0.00012, "0.00012" }, { INFINITY, "inf" },
		{ -INFINITY, "-inf" }, { NAN, "nan" },
	};
	char	want[128];
	size_t	i;

	(void)state;
	for (i = 0; i < nitems(t); i++) {
		snprintf(want, sizeof want, "<value><double>%s</double>"
		    "</value>\n", t[i].repr);
		want_encoded(xr_double(t[i].d), want);
	}
}

static void
test_xr_fault_call(void **state)
{
	struct buf	 b = { NULL, 0, 0 };
	struct xr_value	*p = xr_array();
	struct xr_msg	 m;
	const char	*why, *fs;
	int64_t		 code;

	(void)state;
	xr_encode_fault(&b, 2, "INCORRECT_PARAMETERS: <x>");
	assert_string_equal(b.data, "<?xml version='1.0'?>\n<methodResponse>\n"
	    "<fault>\n<value><struct>\n<member>\n<name>faultCode</name>\n"
	    "<value><int>2</int></value>\n</member>\n<member>\n<name>"
	    "faultString</name>\n<value><string>INCORRECT_PARAMETERS: &lt;x"
	    "&gt;</string></value>\n</member>\n</struct></value>\n</fault>\n"
	    "</methodResponse>\n");
	assert_int_equal(xr_decode(b.data, b.len, &m, &why), 0);
	assert_int_equal(xr_fault(&m, &code, &fs), 0);
	assert_int_equal(code, 2);
	assert_string_equal(fs, "INCORRECT_PARAMETERS: <x>");
	xr_msg_free(&m);
	buf_reset(&b);
	xr_array_add(p, xr_int(1));
	xr_array_add(p, xr_string("a"));
	xr_encode_call(&b, "m.x", p);
	assert_string_equal(b.data, "<?xml version='1.0'?>\n<methodCall>\n"
	    "<methodName>m.x</methodName>\n<params>\n<param>\n<value><int>1"
	    "</int></value>\n</param>\n<param>\n<value><string>a</string>"
	    "</value>\n</param>\n</params>\n</methodCall>\n");
	assert_int_equal(xr_decode(b.data, b.len, &m, &why), 0);
	assert_string_equal(m.method, "m.x");
	assert_true(xr_equal(m.params, p));
	xr_msg_free(&m);
	xr_free(p);
	buf_free(&b);
}

/* Every type through encode and decode, and xr_equal's differences. */
static void
test_xr_round_trip(void **state)
{
	struct xr_value	*v = xr_struct(), *a = xr_array(), *w;
	struct buf	 b = { NULL, 0, 0 };
	struct xr_msg	 m;
	const char	*why;

	(void)state;
	xr_array_add(a, xr_nil());
	xr_array_add(a, xr_int(INT64_MIN));
	xr_array_add(a, xr_bool(1));
	xr_array_add(a, xr_double(0.1));
	xr_array_add(a, xr_double(NAN));
	xr_array_add(a, xr_stringn("a\0b", 3));	/* NUL cannot be XML */
	xr_array_add(a, xr_string("\r\n&<>\xf0\x9f\x98\x80"));
	xr_array_add(a, xr_base64("\0\1\2\xff", 4));
	xr_array_add(a, xr_datetime("20260102T03:04:05"));
	xr_struct_add(v, "array", a);
	xr_struct_add(v, "", xr_string(""));
	xr_encode_response(&b, v);
	assert_int_equal(xr_decode(b.data, b.len, &m, &why), 0);
	w = m.params->v[0];
	assert_false(xr_equal(v, w));		/* the NUL became U+FFFD */
	assert_string_equal(xr_get(xr_member(w, "array", XR_ARRAY), 5,
	    XR_STRING)->s, "a\xef\xbf\xbd" "b");
	xr_free(a->v[5]);
	a->v[5] = xr_string("a\xef\xbf\xbd" "b");
	assert_true(xr_equal(v, w));
	assert_true(xr_equal(w, v));
	/* Each difference is seen. */
	a->v[1]->i++;
	assert_false(xr_equal(v, w));
	a->v[1]->i--;
	a->v[3]->d = 0.2;
	assert_false(xr_equal(v, w));
	a->v[3]->d = 0.1;
	a->v[7]->s[3] = 'x';
	assert_false(xr_equal(v, w));
	a->v[7]->s[3] = '\xff';
	a->v[2]->type = XR_INT;
	assert_false(xr_equal(v, w));
	a->v[2]->type = XR_BOOL;
	v->v[1]->name[0] = '\0';
	free(v->v[1]->name);
	v->v[1]->name = xstrdup("x");
	assert_false(xr_equal(v, w));
	free(v->v[1]->name);
	v->v[1]->name = xstrdup("");
	xr_array_add(a, xr_nil());
	assert_false(xr_equal(v, w));
	assert_string_equal(xr_type_name(XR_DATETIME), "dateTime.iso8601");
	assert_string_equal(xr_type_name(XR_STRING), "string");
	xr_msg_free(&m);
	xr_free(v);
	buf_free(&b);
}

static void
test_xr_check(void **state)
{
	struct xr_value	*p = xr_array();
	char		 why[64];

	(void)state;
	assert_int_equal(xr_check(p, "", why, sizeof why), 0);
	assert_int_equal(xr_check(p, "|sb", why, sizeof why), 0);
	assert_int_equal(xr_check(p, "s", why, sizeof why), -1);
	assert_string_equal(why, "1 params expected, 0 given");
	xr_array_add(p, xr_string("web"));
	xr_array_add(p, xr_bool(1));
	assert_int_equal(xr_check(p, "sb", why, sizeof why), 0);
	assert_int_equal(xr_check(p, "s|b", why, sizeof why), 0);
	assert_int_equal(xr_check(p, "|sbi", why, sizeof why), 0);
	assert_int_equal(xr_check(p, "..", why, sizeof why), 0);
	assert_int_equal(xr_check(p, "|s", why, sizeof why), -1);
	assert_string_equal(why, "0 to 1 params expected, 2 given");
	assert_int_equal(xr_check(p, "sbi", why, sizeof why), -1);
	assert_string_equal(why, "3 params expected, 2 given");
	assert_int_equal(xr_check(p, "si", why, sizeof why), -1);
	assert_string_equal(why, "param 1 must be an int");
	assert_int_equal(xr_check(p, "b|b", why, sizeof why), -1);
	assert_string_equal(why, "param 0 must be a boolean");
	assert_int_equal(xr_check(p, "s|S", why, sizeof why), -1);
	assert_string_equal(why, "param 1 must be a struct");
	xr_array_add(p, xr_nil());
	xr_array_add(p, xr_double(1));
	xr_array_add(p, xr_base64("", 0));
	xr_array_add(p, xr_datetime("20260101T00:00:00"));
	xr_array_add(p, xr_array());
	xr_array_add(p, xr_struct());
	xr_array_add(p, xr_int(1));
	assert_int_equal(xr_check(p, "sbnd6taSi", why, sizeof why), 0);
	assert_int_equal(xr_check(p, "sbnd6tSai", why, sizeof why), -1);
	assert_string_equal(why, "param 6 must be a struct");
	assert_int_equal(xr_check(p, "sbnd6taSs", why, sizeof why), -1);
	assert_string_equal(why, "param 8 must be a string");
	xr_free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_xr_scalars),
		cmocka_unit_test(test_xr_strings),
		cmocka_unit_test(test_xr_compound),
		cmocka_unit_test(test_xr_depth),
		cmocka_unit_test(test_xr_refused_values),
		cmocka_unit_test(test_xr_documents),
		cmocka_unit_test(test_xr_refused_documents),
		cmocka_unit_test(test_xr_encode),
		cmocka_unit_test(test_xr_doubles),
		cmocka_unit_test(test_xr_fault_call),
		cmocka_unit_test(test_xr_round_trip),
		cmocka_unit_test(test_xr_check),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
