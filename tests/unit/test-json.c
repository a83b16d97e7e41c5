/*
 * json_string: every control byte, quotes and backslashes escaped, valid
 * UTF-8 kept, every byte that is not UTF-8 one U+FFFD.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../src/warden.h"
#include "stubs.h"

#define FFFD	"\xef\xbf\xbd"

/* json_string(s) as a new string. */
static char *
json_of(const char *s)
{
	char	*buf = NULL;
	size_t	 len = 0;
	FILE	*fp;

	assert_non_null(fp = open_memstream(&buf, &len));
	json_string(fp, s);
	assert_int_equal(fclose(fp), 0);
	assert_int_equal(strlen(buf), len);
	return (buf);
}

/* json_string writes s as want. */
static void
json_is(const char *s, const char *want)
{
	char	*got = json_of(s);

	assert_string_equal(got, want);
	free(got);
}

static void
test_plain(void **state)
{
	(void)state;
	json_is("", "\"\"");
	json_is("web-1", "\"web-1\"");
	json_is(" /<>&'", "\" /<>&'\"");	/* nothing else is escaped */
	json_is(NULL, "null");
	json_is("null", "\"null\"");
}

static void
test_quotes_backslashes(void **state)
{
	(void)state;
	json_is("\"", "\"\\\"\"");
	json_is("\\", "\"\\\\\"");
	json_is("a\\\"b", "\"a\\\\\\\"b\"");
	json_is("\\u0041", "\"\\\\u0041\"");
}

/* Each byte below 0x20, and DEL: short forms where JSON has them. */
static void
test_controls(void **state)
{
	char	in[2], want[16];
	int	c;

	(void)state;
	for (c = 1; c < 0x20; c++) {
		in[0] = (char)c;
		in[1] = '\0';
		if (c == '\n')
			snprintf(want, sizeof want, "\"\\n\"");
		else if (c == '\t')
			snprintf(want, sizeof want, "\"\\t\"");
		else if (c == '\r')
			snprintf(want, sizeof want, "\"\\r\"");
		else
			snprintf(want, sizeof want, "\"\\u%04x\"", c);
		json_is(in, want);
	}
	json_is("\x7f", "\"\\u007f\"");
	json_is("\x1b[31mred", "\"\\u001b[31mred\"");
	json_is("a\r\nb", "\"a\\r\\nb\"");
}

static void
test_utf8_kept(void **state)
{
	(void)state;
	json_is("caf\xc3\xa9", "\"caf\xc3\xa9\"");
	json_is("\xe2\x82\xac", "\"\xe2\x82\xac\"");
	json_is("\xf0\x9f\x98\x80", "\"\xf0\x9f\x98\x80\"");
	json_is("\xf4\x8f\xbf\xbf", "\"\xf4\x8f\xbf\xbf\"");
	/* C1 controls are valid UTF-8, and JSON takes them as they are. */
	json_is("\xc2\x80\xc2\x9b", "\"\xc2\x80\xc2\x9b\"");
}

/* One U+FFFD for each byte that does not start a valid sequence. */
static void
test_utf8_replaced(void **state)
{
	(void)state;
	json_is("\xff", "\"" FFFD "\"");
	json_is("\x80", "\"" FFFD "\"");
	json_is("a\xfe" "b", "\"a" FFFD "b\"");
	/* A sequence cut short: each of its bytes. */
	json_is("\xe2\x82", "\"" FFFD FFFD "\"");
	json_is("\xe2\x82z", "\"" FFFD FFFD "z\"");
	json_is("\xf0\x9f\x98", "\"" FFFD FFFD FFFD "\"");
	/* Overlong, surrogate, beyond U+10FFFF. */
	json_is("\xc0\xaf", "\"" FFFD FFFD "\"");
	json_is("\xe0\x80\xaf", "\"" FFFD FFFD FFFD "\"");
	json_is("\xed\xa0\x80", "\"" FFFD FFFD FFFD "\"");
	json_is("\xf4\x90\x80\x80", "\"" FFFD FFFD FFFD FFFD "\"");
	/* A valid sequence right after a bad byte is kept. */
	json_is("\xff\xc3\xa9", "\"" FFFD "\xc3\xa9\"");
	/* Latin-1 text: every high byte replaced, the rest kept. */
	json_is("caf\xe9 na\xefve", "\"caf" FFFD " na" FFFD "ve\"");
}

/* A mix, as a command line may hold one, stays one JSON string. */
static void
test_mixed(void **state)
{
	(void)state;
	json_is("sh -c \"echo \\\"hi\\\"\"\n\t\xff\xc3\xa9\x01",
	    "\"sh -c \\\"echo \\\\\\\"hi\\\\\\\"\\\"\\n\\t" FFFD
	    "\xc3\xa9\\u0001\"");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_quotes_backslashes),
		cmocka_unit_test(test_controls),
		cmocka_unit_test(test_utf8_kept),
		cmocka_unit_test(test_utf8_replaced),
		cmocka_unit_test(test_mixed),
	};

	return (cmocka_run_group_tests_name("json", tests, NULL, NULL));
}
