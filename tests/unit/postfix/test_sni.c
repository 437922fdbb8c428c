/*
 * test_sni.c - postfix/sni.c: a tls_server_sni_maps value split into file
 * names as postmap -F splits it, and a whole source read as postmap reads
 * it (comments, blank lines, continuation lines, the first of duplicate
 * keys, keys in lower case), with bad entries left out and described.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "sni.h"

static char got[512];

static void
collect(void *arg, const char *name, size_t len)
{
	(void)arg;
	size_t n = strlen(got);
	snprintf(got + n, sizeof(got) - n, "[%.*s]", (int)len, name);
}

static void
test_names(void **state)
{
	(void)state;
	const char *v = "/k.pem, /c.pem\t/chain.pem,,";
	got[0] = '\0';
	assert_int_equal(pfa_sni_names(v, strlen(v), collect, NULL), 3);
	assert_string_equal(got, "[/k.pem][/c.pem][/chain.pem]");
	got[0] = '\0';
	assert_int_equal(pfa_sni_names(" , ", 3, collect, NULL), 0);
	assert_string_equal(got, "");
	/* only LEN bytes are read */
	got[0] = '\0';
	assert_int_equal(pfa_sni_names("/a /b", 2, collect, NULL), 1);
	assert_string_equal(got, "[/a]");
}

static void
test_source(void **state)
{
	(void)state;
	const char *src =
	    "# SNI table\n"
	    "\n"
	    "  orphan continuation, dropped\n"
	    "Mail.Example.COM /etc/k1.pem /etc/c1.pem\n"
	    "mx.example.com /etc/k2.pem,\n"
	    "   /etc/c2.pem\n"
	    "\n"
	    "   # a comment inside does not end the entry\n"
	    "   /etc/chain2.pem\n"
	    "mail.example.com /etc/other.pem\n"
	    ".example.net /etc/k3.pem /etc/c3.pem";
	struct pfa_sni_source s;
	pfa_sni_source_read(src, strlen(src), &s);
	assert_int_equal(s.n, 3);
	assert_int_equal(s.nproblems, 0);
	assert_string_equal(s.v[0].name, "mail.example.com");
	assert_int_equal(s.v[0].line, 4);
	assert_int_equal(s.v[0].nfiles, 2);
	assert_string_equal(s.v[0].files[1], "/etc/c1.pem");
	assert_null(s.v[0].files[2]);
	assert_string_equal(s.v[1].name, "mx.example.com");
	assert_int_equal(s.v[1].line, 5);
	assert_int_equal(s.v[1].nfiles, 3);
	assert_string_equal(s.v[1].files[2], "/etc/chain2.pem");
	assert_string_equal(s.v[2].name, ".example.net");
	assert_int_equal(s.v[2].nfiles, 2);
	pfa_sni_source_free(&s);
}

static void
test_bad_entries(void **state)
{
	(void)state;
	const char src[] =
	    "good.example /k.pem /c.pem\n"
	    "nofiles.example\n"
	    "relative.example k.pem c.pem\n"
	    "nul.example /k\0.pem\n"
	    "also.example /k.pem /c.pem\n";
	struct pfa_sni_source s;
	pfa_sni_source_read(src, sizeof(src) - 1, &s);
	assert_int_equal(s.n, 2);
	assert_string_equal(s.v[1].name, "also.example");
	assert_int_equal(s.nproblems, 3);
	assert_int_equal(s.problem_line, 2);
	assert_true(strlen(s.problem) > 5);
	pfa_sni_source_free(&s);
	pfa_sni_source_read(NULL, 0, &s);
	assert_int_equal(s.n, 0);
	pfa_sni_source_free(&s);
	pfa_sni_source_read("", 0, &s);
	assert_int_equal(s.n, 0);
	assert_int_equal(s.nproblems, 0);
	pfa_sni_source_free(&s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_source),
		cmocka_unit_test(test_bad_entries),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
