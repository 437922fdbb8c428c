/*
 * test_reason.c - deferral and bounce reasons reduced to their cause
 * (postfix/reason.c), on real texts from public Postfix logs: what
 * differs between messages of one cause is normalised, what says what
 * the server meant is kept, the server is found, and input of any shape
 * (empty, huge, binary) gives a bounded, printable result.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "reason.h"

static void
expect_norm(const char *in, const char *want)
{
	char *got = pfa_reason_normalize(in);
	if (strcmp(got, want) != 0)
		print_message("# in:   %s\n# got:  %s\n# want: %s\n", in, got,
		    want);
	assert_string_equal(got, want);
	free(got);
}

static void
test_normalize(void **state)
{
	(void)state;
	expect_norm("connect to 127.0.0.1[127.0.0.1]:1: Connection refused",
	    "connect to 127.0.0.1[...]:N: Connection refused");
	expect_norm("connect to mx.example.com[192.0.2.7]:25: Connection "
	    "timed out", "connect to mx.example.com[...]:N: Connection timed "
	    "out");
	expect_norm("host mail2.sender.com[66.100.32.07] said: 550 5.7.1 "
	    "Unable to deliver to <jpayne@recipient.com> (in reply to RCPT TO "
	    "command)", "host mail2.sender.com[...] said: 550 5.7.1 Unable to "
	    "deliver to <...> (in reply to RCPT TO command)");
	expect_norm("host mail2.sender.com[66.100.32.07] said: 550 5.7.1 "
	    "Mailbox 1234 full, try in 300 seconds", "host mail2.sender.com"
	    "[...] said: 550 5.7.1 Mailbox N full, try in N seconds");
	expect_norm("host mail.domain.com[1.1.1.1] said: 451 DT:SPM 163 "
	    "mx40,WsCowAAnEhlCoEVa5GjcAA--.20089S3 1514512452, please try "
	    "again 15min later (in reply to end of DATA command)",
	    "host mail.domain.com[...] said: 451 DT:SPM N mxN,....NSN N, "
	    "please try again Nmin later (in reply to end of DATA command)");
	/* IPv6, queue ids, addresses without brackets */
	expect_norm("host mx[2001:db8::25] said: 421 4.7.0 [TSS04] Messages "
	    "from 192.0.2.1 temporarily deferred; see 732BB407C3 for "
	    "user@example.com", "host mx[...] said: 421 4.7.0 [TSSN] Messages "
	    "from ... temporarily deferred; see ... for ...@...");
	expect_norm("delivery temporarily suspended: connect to "
	    "24.200.177.247[24.200.177.247]:25: Connection timed out",
	    "delivery temporarily suspended: connect to 24.200.177.247[...]:N: "
	    "Connection timed out");
	/* blanks and control characters collapse */
	expect_norm("  a\t\tb\r\n c\001d  ", "a b c d");
	expect_norm("", "");
	expect_norm(NULL, "");
}

static void
test_one_cause(void **state)
{
	(void)state;
	/* two messages, two recipients, one cause: one key */
	struct pfa_reason a, b;
	pfa_reason_make(&a, "4.7.1", "host mx1.example.net[192.0.2.1] said: "
	    "450 4.7.1 <alice@example.net>: Recipient address rejected: "
	    "Greylisted for 300 seconds (in reply to RCPT TO command)");
	pfa_reason_make(&b, "4.7.1", "host mx1.example.net[192.0.2.2] said: "
	    "450 4.7.1 <bob@example.net>: Recipient address rejected: "
	    "Greylisted for 297 seconds (in reply to RCPT TO command)");
	char *ka = pfa_reason_key(&a), *kb = pfa_reason_key(&b);
	assert_string_equal(ka, kb);
	assert_string_equal(a.server, "mx1.example.net");
	assert_string_equal(a.dsn, "4.7.1");
	assert_non_null(strstr(ka, "4.7.1 mx1.example.net: host "));
	free(ka);
	free(kb);
	pfa_reason_free(&b);
	/* another destination, same words: another key */
	pfa_reason_make(&b, "4.7.1", "host MX2.example.org[192.0.2.2] said: "
	    "450 4.7.1 <bob@example.org>: Recipient address rejected: "
	    "Greylisted for 297 seconds (in reply to RCPT TO command)");
	assert_string_equal(b.server, "mx2.example.org");
	ka = pfa_reason_key(&a);
	kb = pfa_reason_key(&b);
	assert_string_not_equal(ka, kb);
	free(ka);
	free(kb);
	pfa_reason_free(&a);
	pfa_reason_free(&b);

	/* no DSN, no server: the text alone */
	pfa_reason_make(&a, NULL, "deferred transport");
	ka = pfa_reason_key(&a);
	assert_string_equal(ka, "deferred transport");
	assert_null(a.server);
	free(ka);
	pfa_reason_free(&a);
	/* a DSN that is not one is dropped */
	pfa_reason_make(&a, "4.4.1; rm -rf", "x");
	assert_string_equal(a.dsn, "");
	pfa_reason_free(&a);
}

static void
test_hostile(void **state)
{
	(void)state;
	char *big = malloc(1 << 20);
	assert_non_null(big);
	for (size_t i = 0; i < (1 << 20) - 1; i++)
		big[i] = (char)(1 + i % 255);
	big[(1 << 20) - 1] = '\0';
	struct pfa_reason r;
	pfa_reason_make(&r, "5.0.0", big);
	assert_true(strlen(r.text) <= PFA_REASON_MAX);
	for (const char *p = r.text; *p; p++)
		assert_true((unsigned char)*p >= 0x20 && *p != 0x7f);
	char *k = pfa_reason_key(&r);
	free(k);
	pfa_reason_free(&r);
	memset(big, '<', (1 << 20) - 1);
	char *n = pfa_reason_normalize(big);
	assert_true(strlen(n) <= PFA_REASON_MAX);
	free(n);
	free(big);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_normalize),
		cmocka_unit_test(test_one_cause),
		cmocka_unit_test(test_hostile),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
