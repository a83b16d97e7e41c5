/*
 * The supervisor's pure pieces: backoff, priority order, request parsing,
 * the hard fd limit to ask for.
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../src/sup/sup.h"
#include "stubs.h"

static void
test_backoff(void **state)
{
	(void)state;
	/* The first retry at once, then 0.1 s doubling, capped at 30 s. */
	assert_true(backoff_delay(1) == 0);
	assert_true(backoff_delay(2) == 0.1);
	assert_true(backoff_delay(3) == 0.2);
	assert_true(backoff_delay(4) == 0.4);
	assert_true(backoff_delay(10) == 25.6);
	assert_true(backoff_delay(11) == 30);
	assert_true(backoff_delay(1000) == 30);
}

/* The hard fd limit: what is wanted, at most fs.nr_open, never lower. */
static void
test_rlimit_hard(void **state)
{
	(void)state;
	assert_int_equal(sup_rlimit_hard(4166, 512, 1048576), 4166);
	assert_int_equal(sup_rlimit_hard(4166, 512, 0), 4166);
	assert_int_equal(sup_rlimit_hard(2000000, 512, 1048576), 1048576);
	assert_int_equal(sup_rlimit_hard(4166, 50000, 1048576), 50000);
	assert_int_equal(sup_rlimit_hard(4166, 4000, 3000), 4000);
	assert_int_equal(sup_rlimit_hard(4166, 4166, 1048576), 4166);
}

/* Start order by priority, over the whole int range (no overflow). */
static void
test_priority_order(void **state)
{
	struct cfg_proc	 c[4];
	struct svc	 s[4], *v[4];
	int		 prio[4] = { INT_MAX, 999, INT_MIN, -5 }, i;

	(void)state;
	memset(c, 0, sizeof c);
	memset(s, 0, sizeof s);
	for (i = 0; i < 4; i++) {
		c[i].priority = prio[i];
		s[i].cfg = &c[i];
		v[i] = &s[i];
	}
	qsort(v, 4, sizeof *v, svc_prio_cmp);
	assert_int_equal(v[0]->cfg->priority, INT_MIN);
	assert_int_equal(v[1]->cfg->priority, -5);
	assert_int_equal(v[2]->cfg->priority, 999);
	assert_int_equal(v[3]->cfg->priority, INT_MAX);
	assert_int_equal(svc_prio_cmp(&v[0], &v[0]), 0);
}

static int
parse(const char *req, size_t len, const char **why, char **fields)
{
	char	buf[256];

	memcpy(buf, req, len);
	return (ctl_parse(buf, len, fields, 8, why));
}

static void
test_requests(void **state)
{
	char		*f[8], big[2000];
	const char	*why = NULL;

	(void)state;
	assert_int_equal(parse("warden1\0status\0", 15, &why, f), 2);
	assert_int_equal(parse("warden1\0stop\0a\0b\0", 17, &why, f), 4);
	assert_int_equal(parse("warden1\0stop\0a", 14, &why, f), -1);
	assert_string_equal(why, "malformed request");
	assert_int_equal(parse("warden2\0status\0", 15, &why, f), -1);
	assert_int_equal(parse("warden1\0", 8, &why, f), -1);
	assert_int_equal(parse("", 0, &why, f), -1);
	assert_int_equal(parse("warden1\0st\x1b" "atus\0", 16, &why, f), -1);
	assert_string_equal(why, "control character in request");
	assert_int_equal(parse("warden1\0a\0b\0c\0d\0e\0f\0g\0h\0", 24, &why,
	    f), -1);
	assert_string_equal(why, "too many fields");
	memset(big, 'x', sizeof big);
	big[sizeof big - 1] = '\0';
	assert_int_equal(ctl_parse(big, sizeof big, f, 8, &why), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_backoff),
		cmocka_unit_test(test_rlimit_hard),
		cmocka_unit_test(test_priority_order),
		cmocka_unit_test(test_requests),
	};

	return (cmocka_run_group_tests_name("sup", tests, NULL, NULL));
}
