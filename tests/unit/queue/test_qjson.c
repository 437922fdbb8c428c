/*
 * test_qjson.c - one line of `postqueue -j` (tasks/queue/qjson.c): the
 * lines Postfix 3.7 writes (as the sandbox showed them), the members
 * newer versions add (ignored, or taken as reasons), and every way a line
 * can be wrong - not JSON, truncated, trailing bytes, wrong types,
 * unknown queues, bad queue ids, deep nesting, NUL bytes, a huge line -
 * each rejected with a phrase naming the problem, never a crash.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "queue.h"

static const char sandbox_line[] = "{\"queue_name\": \"deferred\", "
    "\"queue_id\": \"21D7DA7242D\", \"arrival_time\": 1795316369, "
    "\"message_size\": 384, \"forced_expire\": false, \"sender\": "
    "\"sender@example.test\", \"recipients\": [{\"address\": "
    "\"rcpt@example.test\", \"delay_reason\": \"connect to "
    "127.0.0.1[127.0.0.1]:1: Connection refused\"}]}";

static int
setup(void **state)
{
	*state = pfa_qjson_new();
	return 0;
}

static int
teardown(void **state)
{
	pfa_qjson_free(*state);
	return 0;
}

static int
parse(void **state, const char *line, struct pfa_qmsg *m, const char **why)
{
	*why = NULL;
	return pfa_qjson_parse(*state, line, strlen(line), m, why);
}

static void
expect_bad(void **state, const char *line, const char *why_part)
{
	struct pfa_qmsg m;
	const char *why;
	if (parse(state, line, &m, &why) == 0)
		fail_msg("accepted: %s", line);
	assert_non_null(why);
	if (strstr(why, why_part) == NULL)
		fail_msg("for %s: \"%s\", not \"%s\"", line, why, why_part);
}

static void
test_sandbox_line(void **state)
{
	struct pfa_qmsg m;
	const char *why;
	assert_int_equal(parse(state, sandbox_line, &m, &why), 0);
	assert_int_equal(m.queue, PFA_Q_DEFERRED);
	assert_string_equal(m.id, "21D7DA7242D");
	assert_int_equal(m.arrival, 1795316369);
	assert_int_equal(m.size, 384);
	assert_false(m.forced_expire);
	assert_string_equal(m.sender, "sender@example.test");
	assert_int_equal(m.nrcpts, 1);
	assert_string_equal(m.rcpts[0].address, "rcpt@example.test");
	assert_string_equal(m.rcpts[0].reason, "connect to "
	    "127.0.0.1[127.0.0.1]:1: Connection refused");
}

static void
test_members(void **state)
{
	struct pfa_qmsg m;
	const char *why;
	/* unknown members are ignored, in any place and of any type */
	assert_int_equal(parse(state, "{\"x\": [1, {\"y\": null}], "
	    "\"queue_name\": \"hold\", \"queue_id\": \"4Jgt2V6BKNz1xy5\", "
	    "\"arrival_time\": 1, \"future\": 2.5, \"sender\": \"\", "
	    "\"recipients\": [{\"address\": \"a@b\", \"orig_address\": "
	    "\"c@d\"}, {\"address\": \"e@f\", \"bounce_reason\": \"b\"}, "
	    "{\"address\": \"g@h\", \"other_reason\": \"o\"}]}", &m, &why), 0);
	assert_int_equal(m.queue, PFA_Q_HOLD);
	assert_string_equal(m.id, "4Jgt2V6BKNz1xy5");	/* a long id */
	assert_int_equal(m.size, 0);	/* absent */
	assert_string_equal(m.sender, "");
	assert_int_equal(m.nrcpts, 3);
	assert_null(m.rcpts[0].reason);
	assert_string_equal(m.rcpts[1].reason, "b");
	assert_string_equal(m.rcpts[2].reason, "o");
	/* no recipients; forced_expire; every queue postqueue lists */
	static const char *const queues[] = { "maildrop", "incoming",
		"active", "deferred", "hold", NULL };
	for (int q = 0; queues[q]; q++) {
		char line[300];
		snprintf(line, sizeof(line), "{\"queue_name\": \"%s\", "
		    "\"queue_id\": \"ABC\", \"arrival_time\": 5, "
		    "\"forced_expire\": true, \"recipients\": []}", queues[q]);
		assert_int_equal(parse(state, line, &m, &why), 0);
		assert_int_equal(m.queue, q);
		assert_true(m.forced_expire);
		assert_int_equal(m.nrcpts, 0);
	}
	/* blanks after the object are fine */
	char line[sizeof(sandbox_line) + 4];
	snprintf(line, sizeof(line), "%s \r", sandbox_line);
	assert_int_equal(parse(state, line, &m, &why), 0);
}

static void
test_malformed(void **state)
{
	expect_bad(state, "", "empty");
	expect_bad(state, "garbage", "not JSON");
	expect_bad(state, "{\"queue_name\": \"deferred\", \"queue_id\": ",
	    "truncated");
	expect_bad(state, "[1, 2]", "not an object");
	expect_bad(state, "\"deferred\"", "not an object");
	expect_bad(state, "{} {}", "more after");
	expect_bad(state, "{}", "queue_name is missing");
	expect_bad(state, "{\"queue_name\": 3}", "queue_name is not a string");
	expect_bad(state, "{\"queue_name\": \"bogus\"}", "not a queue");
	/* corrupt is never listed by postqueue: not trusted as a queue */
	expect_bad(state, "{\"queue_name\": \"corrupt\"}", "not a queue");
	expect_bad(state, "{\"queue_name\": \"hold\"}", "queue_id is missing");
	expect_bad(state, "{\"queue_name\": \"hold\", \"queue_id\": 12}",
	    "queue_id is not a string");
	expect_bad(state, "{\"queue_name\": \"hold\", \"queue_id\": \"../x\"}",
	    "not a queue id");
	expect_bad(state, "{\"queue_name\": \"hold\", \"queue_id\": \"\"}",
	    "not a queue id");
	expect_bad(state, "{\"queue_name\": \"hold\", \"queue_id\": \"A\"}",
	    "arrival_time is missing");
	expect_bad(state, "{\"queue_name\": \"hold\", \"queue_id\": \"A\", "
	    "\"arrival_time\": \"1\"}", "arrival_time is not");
	expect_bad(state, "{\"queue_name\": \"hold\", \"queue_id\": \"A\", "
	    "\"arrival_time\": 1.5}", "arrival_time is not");
	expect_bad(state, "{\"queue_name\": \"hold\", \"queue_id\": \"A\", "
	    "\"arrival_time\": -1}", "arrival_time is not");
	expect_bad(state, "{\"queue_name\": \"hold\", \"queue_id\": \"A\", "
	    "\"arrival_time\": 1, \"message_size\": \"9\"}", "message_size");
	expect_bad(state, "{\"queue_name\": \"hold\", \"queue_id\": \"A\", "
	    "\"arrival_time\": 1, \"forced_expire\": 0}", "forced_expire");
	expect_bad(state, "{\"queue_name\": \"hold\", \"queue_id\": \"A\", "
	    "\"arrival_time\": 1, \"sender\": [\"x\"]}", "sender is not");
	expect_bad(state, "{\"queue_name\": \"hold\", \"queue_id\": \"A\", "
	    "\"arrival_time\": 1, \"recipients\": {}}", "recipients is not");
	expect_bad(state, "{\"queue_name\": \"hold\", \"queue_id\": \"A\", "
	    "\"arrival_time\": 1, \"recipients\": [\"a@b\"]}", "not an object");
	expect_bad(state, "{\"queue_name\": \"hold\", \"queue_id\": \"A\", "
	    "\"arrival_time\": 1, \"recipients\": [{}]}", "address");
	expect_bad(state, "{\"queue_name\": \"hold\", \"queue_id\": \"A\", "
	    "\"arrival_time\": 1, \"recipients\": [{\"address\": \"a\", "
	    "\"delay_reason\": 7}]}", "reason is not");
	/* nesting deeper than a listing ever is */
	expect_bad(state, "{\"a\":[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]}",
	    "nested");
	/* a NUL byte inside the line */
	struct pfa_qmsg m;
	const char *why;
	assert_int_equal(pfa_qjson_parse(*state, sandbox_line,
	    sizeof(sandbox_line), &m, &why), -1);	/* includes the NUL */
	/* after all that the parser still works */
	assert_int_equal(parse(state, sandbox_line, &m, &why), 0);
	assert_string_equal(m.id, "21D7DA7242D");
}

static void
test_huge(void **state)
{
	/* a message with 20000 recipients (a 1 MB line) parses; a 1 MB
	 * string value too */
	size_t n = 20000, cap = n * 64 + 256, len = 0;
	char *line = malloc(cap);
	assert_non_null(line);
	len += (size_t)snprintf(line, cap, "{\"queue_name\": \"active\", "
	    "\"queue_id\": \"B1\", \"arrival_time\": 7, \"sender\": \"s@x\", "
	    "\"recipients\": [");
	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(line + len, cap - len, "%s{\"address\": "
		    "\"r%zu@example.com\"}", i ? ", " : "", i);
	len += (size_t)snprintf(line + len, cap - len, "]}");
	struct pfa_qmsg m;
	const char *why;
	assert_int_equal(pfa_qjson_parse(*state, line, len, &m, &why), 0);
	assert_int_equal(m.nrcpts, n);
	assert_string_equal(m.rcpts[n - 1].address, "r19999@example.com");
	free(line);
	size_t big = 1 << 20;
	line = malloc(big + 200);
	assert_non_null(line);
	len = (size_t)snprintf(line, 200, "{\"queue_name\": \"hold\", "
	    "\"queue_id\": \"C1\", \"arrival_time\": 7, \"sender\": \"");
	memset(line + len, 'x', big);
	len += big;
	len += (size_t)snprintf(line + len, 100, "\"}");
	assert_int_equal(pfa_qjson_parse(*state, line, len, &m, &why), 0);
	assert_int_equal(strlen(m.sender), big);
	free(line);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_sandbox_line),
		T(test_members),
		T(test_malformed),
		T(test_huge),
#undef T
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
