/* test_duration.c - the duration parser and formatter. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "duration.h"

static void
test_valid(void **state)
{
	(void)state;
	static const struct {
		const char *in;
		int64_t secs;
	} cases[] = {
		{ "90", 90 }, { "30s", 30 }, { "30m", 1800 }, { "12h", 43200 },
		{ "7d", 604800 }, { "2w", 1209600 }, { "1d12h", 129600 },
		{ "1h30m15s", 5415 }, { "0s", 0 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int64_t v = -1;
		assert_int_equal(pfa_duration_parse(cases[i].in, &v), 0);
		assert_int_equal(v, cases[i].secs);
	}
}

static void
test_invalid(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"", "d", "7x", "-1d", "7 d", " 7d", "7d ", "1.5h", "1d30",
		"99999999999999999999s", "9223372036854775807w", "7dd", "abc",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int64_t v = 42;
		assert_int_equal(pfa_duration_parse(bad[i], &v), -1);
		assert_int_equal(v, 42);
	}
	int64_t v;
	assert_int_equal(pfa_duration_parse(NULL, &v), -1);
}

static void
test_format(void **state)
{
	(void)state;
	char buf[32];
	assert_string_equal(pfa_duration_format(604800, buf, sizeof(buf)), "1w");
	assert_string_equal(pfa_duration_format(86400, buf, sizeof(buf)), "1d");
	assert_string_equal(pfa_duration_format(129600, buf, sizeof(buf)), "1d12h");
	assert_string_equal(pfa_duration_format(45, buf, sizeof(buf)), "45s");
	assert_string_equal(pfa_duration_format(0, buf, sizeof(buf)), "0s");
	assert_string_equal(pfa_duration_format(3661, buf, sizeof(buf)), "1h1m1s");
	/* format then parse gives the same value */
	int64_t v;
	assert_int_equal(pfa_duration_parse(pfa_duration_format(1000000, buf,
	    sizeof(buf)), &v), 0);
	assert_int_equal(v, 1000000);
}

static void
test_due_slack(void **state)
{
	(void)state;
	assert_int_equal(pfa_due_slack(3600), 360);
	assert_int_equal(pfa_due_slack(86400), 8640);
	assert_int_equal(pfa_due_slack(7 * 86400), 6 * 3600);
	assert_int_equal(pfa_due_slack(0), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_invalid),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_due_slack),
	};
	return cmocka_run_group_tests_name("duration", tests, NULL, NULL);
}
