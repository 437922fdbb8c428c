/*
 * test_postconf_out.c - what postconf prints, checked before it is
 * believed (postfix/postconf_out.c): good listings of each form, and the
 * garbage, truncation, odd names and duplicates that exit 0 must not
 * turn into "0 tables checked".
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "postconf_out.h"

static int
parse(const char *text, enum pfa_postconf_form form, size_t *n, char *why)
{
	struct pfa_postconf_kv *v;
	int rc = pfa_postconf_parse(text, strlen(text), form, &v, n, why, 160);
	if (rc == 0)
		pfa_postconf_kv_free(v, *n);
	else
		assert_null(v);
	return rc;
}

/* A listing of every parameter: NPARAMS filler lines plus the two that
 * must be there. */
static char *
full_listing(size_t nparams, bool version)
{
	size_t cap = nparams * 40 + 200, o = 0;
	char *s = malloc(cap);
	assert_non_null(s);
	o += (size_t)snprintf(s + o, cap - o, "config_directory = /etc/postfix\n");
	if (version)
		o += (size_t)snprintf(s + o, cap - o, "mail_version = 3.7.11\n");
	for (size_t i = 0; i < nparams; i++)
		o += (size_t)snprintf(s + o, cap - o, "param_%zu = v%zu\n", i, i);
	return s;
}

static void
test_good_forms(void **state)
{
	(void)state;
	char why[160];
	size_t n;
	struct pfa_postconf_kv *v;
	const char *some = "myhostname = mx.example.org\nrelayhost =\n"
	    "smtp-amavis_destination_concurrency_limit = 2\n"
	    "smtpd_banner = $myhostname ESMTP = yes\n";
	assert_int_equal(pfa_postconf_parse(some, strlen(some),
	    PFA_POSTCONF_SOME, &v, &n, why, sizeof(why)), 0);
	assert_int_equal(n, 4);
	assert_string_equal(v[1].name, "relayhost");
	assert_string_equal(v[1].value, "");
	assert_string_equal(v[3].value, "$myhostname ESMTP = yes");
	pfa_postconf_kv_free(v, n);
	assert_int_equal(parse("", PFA_POSTCONF_SOME, &n, why), 0);
	assert_int_equal(n, 0);

	const char *svc = "smtp/inet/command = smtpd\n"
	    "[::1]:10025/inet/command = smtpd -o x=y\n"
	    "127.0.0.1:10026/inet/smtpd_tls_security_level = none\n"
	    "postlog/unix-dgram/service = postlog\n";
	assert_int_equal(parse(svc, PFA_POSTCONF_SERVICES, &n, why), 0);
	assert_int_equal(n, 4);

	char *all = full_listing(PFA_POSTCONF_MIN_ALL, true);
	assert_int_equal(parse(all, PFA_POSTCONF_ALL, &n, why), 0);
	free(all);
}

static void
test_garbage_refused(void **state)
{
	(void)state;
	char why[160];
	size_t n;
	assert_int_equal(parse("Segmentation fault\n", PFA_POSTCONF_SOME, &n,
	    why), -1);
	assert_string_equal(why, "line 1: not NAME = VALUE");
	assert_int_equal(parse("a = b\nc=d\n", PFA_POSTCONF_SOME, &n, why), -1);
	assert_string_equal(why, "line 2: not NAME = VALUE");
	assert_int_equal(parse("a = b\nc =d\n", PFA_POSTCONF_SOME, &n, why), -1);
	assert_int_equal(parse("a b = c\n", PFA_POSTCONF_SOME, &n, why), -1);
	assert_string_equal(why, "line 1: not a parameter name");
	assert_int_equal(parse("a/b = c\n", PFA_POSTCONF_SOME, &n, why), -1);
	assert_int_equal(parse(" = c\n", PFA_POSTCONF_SOME, &n, why), -1);
	assert_int_equal(parse("\n", PFA_POSTCONF_SOME, &n, why), -1);
	assert_int_equal(parse("a = b\na = c\n", PFA_POSTCONF_SOME, &n, why),
	    -1);
	assert_string_equal(why, "line 2: a name printed twice");
	/* cut short: the last line has no newline */
	assert_int_equal(parse("a = b\nsmtpd_tls_cert", PFA_POSTCONF_SOME, &n,
	    why), -1);
	assert_non_null(strstr(why, "cut short"));
	struct pfa_postconf_kv *v;
	assert_int_equal(pfa_postconf_parse("a = b\0c\n", 8, PFA_POSTCONF_SOME,
	    &v, &n, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "NUL"));
}

static void
test_services_names(void **state)
{
	(void)state;
	char why[160];
	size_t n;
	assert_int_equal(parse("smtp = x\n", PFA_POSTCONF_SERVICES, &n, why),
	    -1);
	assert_int_equal(parse("smtp/tcp/command = x\n", PFA_POSTCONF_SERVICES,
	    &n, why), -1);
	assert_string_equal(why, "line 1: not a SERVICE/TYPE/FIELD name");
	assert_int_equal(parse("/inet/command = x\n", PFA_POSTCONF_SERVICES,
	    &n, why), -1);
	assert_int_equal(parse("smtp/inet/ = x\n", PFA_POSTCONF_SERVICES, &n,
	    why), -1);
	assert_int_equal(parse("smtp/inet/command = x\n", PFA_POSTCONF_SOME,
	    &n, why), -1);
}

/* A listing of every parameter that stopped early is not believed. */
static void
test_incomplete_listing(void **state)
{
	(void)state;
	char why[160];
	size_t n;
	char *few = full_listing(20, true);
	assert_int_equal(parse(few, PFA_POSTCONF_ALL, &n, why), -1);
	assert_non_null(strstr(why, "incomplete: 22 parameters"));
	free(few);
	char *noversion = full_listing(PFA_POSTCONF_MIN_ALL, false);
	assert_int_equal(parse(noversion, PFA_POSTCONF_ALL, &n, why), -1);
	assert_non_null(strstr(why, "no mail_version"));
	/* the same text is fine where any number is fine */
	assert_int_equal(parse(noversion, PFA_POSTCONF_SOME, &n, why), 0);
	free(noversion);
	assert_int_equal(parse("", PFA_POSTCONF_ALL, &n, why), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_forms),
		cmocka_unit_test(test_garbage_refused),
		cmocka_unit_test(test_services_names),
		cmocka_unit_test(test_incomplete_listing),
	};
	return cmocka_run_group_tests_name("postconf_out", tests, NULL, NULL);
}
