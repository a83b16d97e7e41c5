/*
 * The shape of a supervisor's cgroup directory, warden-HASH-RAND: the
 * sweep touches nothing else, so each way a name can be wrong is refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "../../src/sup/sup.h"
#include "stubs.h"

static void
test_name_ours(void **state)
{
	static const struct {
		const char	*name;
		int		 ours;
	} rows[] = {
		{ "warden-0123456789abcdef-89abcdef", 1 },
		{ "warden-a68633d766afd20e-efb2a328", 1 },
		{ "warden-1", 0 },			/* an older version's */
		{ "warden-12345", 0 },
		{ "warden-0123456789abcdef", 0 },	/* no RAND */
		{ "warden-0123456789abcdef-", 0 },
		{ "warden-0123456789abcde-89abcdef", 0 },	/* short HASH */
		{ "warden-0123456789abcdef0-89abcdef", 0 },	/* long HASH */
		{ "warden-0123456789abcdef-89abcde", 0 },	/* short RAND */
		{ "warden-0123456789abcdef-89abcdef0", 0 },	/* long RAND */
		{ "warden-0123456789ABCDEF-89abcdef", 0 },	/* upper case */
		{ "warden-0123456789abcdeg-89abcdef", 0 },
		{ "warden-0123456789abcdef-89abcdeg", 0 },
		{ "warden-0123456789abcdef_89abcdef", 0 },
		{ "wardem-0123456789abcdef-89abcdef", 0 },
		{ "xwarden-0123456789abcdef-89abcde", 0 },
		{ "0123456789abcdef-89abcdef", 0 },
		{ "", 0 },
	};
	size_t	i;

	(void)state;
	for (i = 0; i < nitems(rows); i++)
		if (cg_name_ours(rows[i].name) != rows[i].ours)
			fail_msg("%s", rows[i].name);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_name_ours),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
