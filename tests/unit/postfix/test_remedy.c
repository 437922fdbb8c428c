/*
 * test_remedy.c - the one builder of remedies (postfix/remedy.c): no -c
 * for the default instance, -c DIR after each Postfix command that starts
 * a command for another, never twice, never inside a word, the directory
 * quoted for the shell when it must be.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>

#include "remedy.h"

static void
expect(const char *dir, const char *text, const char *want)
{
	char *got = pfa_remedy(dir, "%s", text);
	assert_string_equal(got, want);
	free(got);
}

static void
test_default_instance(void **state)
{
	(void)state;
	expect(NULL, "postconf -e 'a = b'", "postconf -e 'a = b'");
	expect("", "postconf -e 'a = b'", "postconf -e 'a = b'");
	expect("/etc/postfix", "postfix stop && postfix start",
	    "postfix stop && postfix start");
	expect("/etc/postfix/", "postmap hash:/etc/postfix/x",
	    "postmap hash:/etc/postfix/x");
}

static void
test_other_instance(void **state)
{
	(void)state;
	expect("/etc/postfix-out", "postconf -e 'a = b'",
	    "postconf -c /etc/postfix-out -e 'a = b'");
	expect("/srv/pf", "postconf -PX 'x/inet/y' && postconf -e 'y = z'",
	    "postconf -c /srv/pf -PX 'x/inet/y' && postconf -c /srv/pf "
	    "-e 'y = z'");
	expect("/srv/pf", "postfix stop && postfix start",
	    "postfix -c /srv/pf stop && postfix -c /srv/pf start");
	expect("/srv/pf", "run `postfix check` to see every message",
	    "run `postfix -c /srv/pf check` to see every message");
	expect("/srv/pf", "key it in /x, then: postmap hash:/x",
	    "key it in /x, then: postmap -c /srv/pf hash:/x");
	expect("/srv/pf", "(postalias hash:/a)", "(postalias -c /srv/pf "
	    "hash:/a)");
	/* already given -c, or not a command word */
	expect("/srv/pf", "postconf -c /srv/pf -n", "postconf -c /srv/pf -n");
	expect("/srv/pf", "see mypostconf -n and postconfx",
	    "see mypostconf -n and postconfx");
	expect("/srv/pf", "pfagent run rebuild-maps",
	    "pfagent run rebuild-maps");
	/* a directory the shell would split is quoted */
	expect("/srv/my pf", "postconf -n", "postconf -c '/srv/my pf' -n");
	expect("/srv/it's", "postconf -n", "postconf -c '/srv/it'\\''s' -n");
}

static void
test_format(void **state)
{
	(void)state;
	char *got = pfa_remedy("/srv/pf", "postconf -e '%s = %d'", "x", 5);
	assert_string_equal(got, "postconf -c /srv/pf -e 'x = 5'");
	free(got);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_instance),
		cmocka_unit_test(test_other_instance),
		cmocka_unit_test(test_format),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
