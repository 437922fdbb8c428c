/*
 * test_reason.c - deferral and bounce reasons reduced to their cause
 * (postfix/reason.c), on real texts from public Postfix logs (the
 * fixtures in tests/unit/postfix/reasons/, attributed in SOURCES there):
 * what differs between messages of one cause is normalised, what says
 * what the server meant is kept, the server is found, Postfix's
 * "delivery temporarily suspended:" wrapper groups with its cause, the
 * DSN comes from the reply when none is given, and input of any shape
 * (empty, huge, binary) gives a bounded, printable result.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
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

static char *
key_of(const char *dsn, const char *text)
{
	struct pfa_reason r;
	pfa_reason_make(&r, dsn, text);
	char *k = pfa_reason_key(&r);
	pfa_reason_free(&r);
	return k;
}

static void
expect_key(const char *dsn, const char *text, const char *want)
{
	char *got = key_of(dsn, text);
	if (strcmp(got, want) != 0)
		print_message("# in:   %s\n# got:  %s\n# want: %s\n", text, got,
		    want);
	assert_string_equal(got, want);
	free(got);
}

static void
expect_same(const char *dsn1, const char *t1, const char *dsn2,
    const char *t2, bool same)
{
	char *a = key_of(dsn1, t1), *b = key_of(dsn2, t2);
	if ((strcmp(a, b) == 0) != same)
		print_message("# a: %s\n# b: %s\n", a, b);
	assert_int_equal(strcmp(a, b) == 0, same);
	free(a);
	free(b);
}

/* The reason text and DSN of a fixture line: a delivery line's
 * "dsn=X, status=deferred (TEXT)", or a daemon's own message after the
 * syslog header (a TSV line: its last column) and the queue id. */
static const char *
fixture_text(char *line, char *dsn, size_t dsnlen)
{
	char *t = strrchr(line, '\t') ? strrchr(line, '\t') + 1 : line;
	*dsn = '\0';
	char *d = strstr(t, ", dsn=");
	if (d != NULL) {
		d += 6;
		size_t n = strcspn(d, ",");
		if (n < dsnlen) {
			memcpy(dsn, d, n);
			dsn[n] = '\0';
		}
	}
	char *st = strstr(t, "status=");
	if (st != NULL && strstr(st, " (") != NULL) {
		t = strstr(st, " (") + 2;
		size_t len = strlen(t);
		if (len > 0 && t[len - 1] == ')')
			t[len - 1] = '\0';
		return t;
	}
	if (strstr(t, "]: ") != NULL)
		t = strstr(t, "]: ") + 3;
	size_t k = strspn(t, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz");
	if (k >= 6 && t[k] == ':' && t[k + 1] == ' ')
		t += k + 2;
	if (strncmp(t, "warning: ", 9) == 0)
		t += 9;
	return t;
}

static void
test_real_texts(void **state)
{
	(void)state;
	static const char *const files[] = { "whyscream_grok.tsv",
		"msimerson_postfix_parser.log", "kumina_postfix_exporter.log",
		"sergeymakinen_postfix_exporter.log", NULL };
	const char *src = getenv("PFA_SRCDIR") ? getenv("PFA_SRCDIR") : ".";
	size_t lines = 0, with_server = 0;
	for (size_t f = 0; files[f]; f++) {
		char path[4096];
		snprintf(path, sizeof(path), "%s/tests/unit/postfix/reasons/%s",
		    src, files[f]);
		FILE *fp = fopen(path, "r");
		if (fp == NULL)
			fail_msg("cannot open %s", path);
		char line[8192], dsn[32];
		while (fgets(line, sizeof(line), fp) != NULL) {
			line[strcspn(line, "\n")] = '\0';
			const char *t = fixture_text(line, dsn, sizeof(dsn));
			struct pfa_reason r;
			pfa_reason_make(&r, *dsn ? dsn : NULL, t);
			char *k = pfa_reason_key(&r);
			assert_true(strlen(r.text) <= PFA_REASON_MAX);
			for (const char *p = k; *p; p++)
				assert_true((unsigned char)*p >= 0x20);
			/* the name after "host", "connect to", "lost
			 * connection with" is the server */
			if (strstr(t, "host ") || strstr(t, "connect to ") ||
			    strstr(t, "connection with ")) {
				assert_non_null(r.server);
				assert_non_null(strstr(t, r.server) ? t :
				    NULL);
				with_server++;
			}
			/* no address survives */
			assert_null(strstr(k, "@example.com"));
			assert_null(strstr(k, "@recipient.com"));
			free(k);
			pfa_reason_free(&r);
			lines++;
		}
		fclose(fp);
	}
	assert_true(lines >= 30);
	assert_true(with_server >= 20);
}

static void
test_grouping(void **state)
{
	(void)state;
	/* msimerson: the suspended destination and its cause are one */
	expect_same("4.4.1", "delivery temporarily suspended: connect to "
	    "24.200.177.247[24.200.177.247]:25: Connection timed out", "4.4.1",
	    "connect to 24.200.177.247[24.200.177.247]:25: Connection timed "
	    "out", true);
	expect_key("4.4.1", "delivery temporarily suspended: connect to "
	    "24.200.177.247[24.200.177.247]:25: Connection timed out",
	    "4.4.1 24.200.177.247: connect to 24.200.177.247[...]:N: "
	    "Connection timed out");
	/* the sandbox's own: postqueue -j gives no DSN */
	expect_key(NULL, "delivery temporarily suspended: connect to "
	    "127.0.0.1[127.0.0.1]:1: Connection refused", "127.0.0.1: connect "
	    "to 127.0.0.1[...]:N: Connection refused");
	/* whyscream: lost connection, per server */
	expect_key("4.4.2", "delivery temporarily suspended: lost connection "
	    "with mta7.am0.yahoodns.net[98.136.216.22] while sending RCPT TO",
	    "4.4.2 mta7.am0.yahoodns.net: lost connection with "
	    "mta7.am0.yahoodns.net[...] while sending RCPT TO");
	/* kumina: one server, a deferral and a bounce: two causes */
	expect_same("4.0.0", "host mail.domain.com[1.1.1.1] said: 451 DT:SPM "
	    "163 mx40,WsCowAAnEhlCoEVa5GjcAA--.20089S3 1514512452, please try "
	    "again 15min later (in reply to end of DATA command)", "5.0.0",
	    "host mail.domain.com[1.1.1.1] said: 554 DT:SPM 163 mx9,"
	    "O8CowEDJVFKCokVaRhz+AA--.26016S3 1514513028,please see "
	    "http://mail.domain.com/help/help_spam.htm?ip= (in reply to end "
	    "of DATA command)", false);
	/* whyscream: quoted user names differ, the cause does not */
	expect_same("5.1.1", "unknown user: \"ghdsgfhdslfh\"", "5.1.1",
	    "unknown user: \"jdoe\"", true);
	expect_key("5.1.1", "unknown user: \"ghdsgfhdslfh\"",
	    "5.1.1 unknown user: \"...\"");
	/* the DSN from the reply when none is given: gmail's multi-line
	 * reply keeps its codes */
	expect_key(NULL, "host mg2.egov.bg[213.91.191.86] refused to talk to "
	    "me: 450 4.3.2 try again later", "4.3.2 mg2.egov.bg: host "
	    "mg2.egov.bg[...] refused to talk to me: 450 4.3.2 try again "
	    "later");
	char *g = key_of(NULL, "host gmail-smtp-in.l.google.com[2607:f8b0:"
	    "400e:c04::1b] said: 550-5.7.1 [2607:4100:3:25:100::2      12] Our "
	    "system has detected that this 550-5.7.1 message is likely "
	    "unsolicited mail.");
	assert_true(strncmp(g, "5.7.1 gmail-smtp-in.l.google.com: host "
	    "gmail-smtp-in.l.google.com[...] said: 550-5.7.1 [", 86) == 0);
	assert_non_null(strstr(g, "this 550-5.7.1 message"));
	free(g);
	/* a given DSN wins over the reply's; a reply code of another class
	 * than its enhanced code gives none */
	expect_key("4.2.0", "host open.example.nl[10.49.140.10] said: 450 "
	    "4.2.0 <whatever-user@lists.example.org>: Recipient address "
	    "rejected: Greylisted", "4.2.0 open.example.nl: host "
	    "open.example.nl[...] said: 450 4.2.0 <...>: Recipient address "
	    "rejected: Greylisted");
	expect_key(NULL, "host x.example[192.0.2.1] said: 450 5.0.0 odd",
	    "x.example: host x.example[...] said: 450 5.0.0 odd");
	/* other server marks: TLS errors, DNS errors, loops */
	expect_key(NULL, "SSL_connect error to 64.200.28.300[64.200.28.300]:"
	    "25: lost connection", "64.200.28.300: SSL_connect error to "
	    "64.200.28.300[...]:N: lost connection");
	struct pfa_reason r;
	pfa_reason_make(&r, "4.4.3", "Host or domain name not found. Name "
	    "service error for name=mx.example.org type=MX: Host not found, "
	    "try again");
	assert_string_equal(r.server, "mx.example.org");
	pfa_reason_free(&r);
	pfa_reason_make(&r, "5.4.6", "mail for example.net loops back to "
	    "myself");
	assert_string_equal(r.server, "example.net");
	pfa_reason_free(&r);
	/* wrappers only at the front, any number of them */
	expect_same(NULL, "delivery temporarily suspended: delivery "
	    "temporarily suspended: deferred transport", NULL,
	    "deferred transport", true);
	expect_same(NULL, "x delivery temporarily suspended: y", NULL, "x y",
	    false);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_normalize),
		cmocka_unit_test(test_one_cause),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_real_texts),
		cmocka_unit_test(test_grouping),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
