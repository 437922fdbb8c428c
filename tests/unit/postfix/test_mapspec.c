/*
 * test_mapspec.c - lookup-table names (postfix/mapspec.c): "TYPE:/path"
 * parsing, the walk that finds every table a list names (groups,
 * unionmap and pipemap members, inline tables left whole), Postfix's
 * own cache parameters and paths below a directory.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mapspec.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* ---------------------------------------------------- spec parsing */

static void
expect_spec(const char *token, const char *type, const char *path)
{
	char *t = NULL, *p = NULL;
	if (pfa_mapspec_parse(token, &t, &p) != 0) {
		print_message("\"%s\" refused\n", token);
		fail();
	}
	assert_string_equal(t, type);
	assert_string_equal(p, path);
	free(t);
	free(p);
}

static void
test_spec_valid(void **state)
{
	(void)state;
	expect_spec("hash:/etc/postfix/access", "hash", "/etc/postfix/access");
	expect_spec("proxy:lmdb:/etc/postfix/virtual", "lmdb",
	    "/etc/postfix/virtual");
	expect_spec("proxy:hash:/x", "hash", "/x");
	expect_spec("hash:/", "hash", "/");
	expect_spec("cdb:/a:b", "cdb", "/a:b");
	expect_spec("pcre:/etc/postfix/header checks", "pcre",
	    "/etc/postfix/header checks");
	static const char *const types[] = {
		"hash", "btree", "lmdb", "cdb", "dbm",
		"regexp", "pcre", "cidr", "texthash",
	};
	for (size_t i = 0; i < NELEM(types); i++) {
		char tok[64];
		snprintf(tok, sizeof(tok), "%s:/etc/postfix/t", types[i]);
		expect_spec(tok, types[i], "/etc/postfix/t");
		snprintf(tok, sizeof(tok), "proxy:%s:/etc/postfix/t", types[i]);
		expect_spec(tok, types[i], "/etc/postfix/t");
	}
}

static void
test_spec_invalid(void **state)
{
	(void)state;
	static const char *const bad[] = {
		/* relative or missing paths */
		"hash:etc/postfix/access", "hash:./access", "hash:access",
		"hash:~/access", "hash:", "hash", "", "/etc/postfix/access",
		"proxy:hash:relative", "proxy:hash:", "proxy:",
		/* unknown or non-file types */
		"HASH:/etc/postfix/access", "Hash:/x", "hashx:/x", "has:/x",
		":/x", "mysql:/etc/postfix/mysql.cf", "ldap:/etc/postfix/l.cf",
		"pgsql:/x", "sqlite:/x", "memcache:/x", "sdbm:/x", "fail:/x",
		"static:/x", "inline:{a=b}", "unix:passwd.byname",
		"proxy:unix:passwd.byname", "unionmap:{hash:/a}",
		"pipemap:{hash:/a}", "randmap:{/a}",
		/* proxy only once, and only as a prefix */
		"proxy:proxy:hash:/x", "hash:proxy:/x", " hash:/x",
		"check_sender_access", "reject",
	};
	for (size_t i = 0; i < NELEM(bad); i++) {
		char sentinel;
		char *t = &sentinel, *p = &sentinel;
		if (pfa_mapspec_parse(bad[i], &t, &p) != -1) {
			print_message("\"%s\" accepted\n", bad[i]);
			fail();
		}
		/* nothing allocated, outputs left alone */
		assert_ptr_equal(t, &sentinel);
		assert_ptr_equal(p, &sentinel);
	}
}

/* pfa_mapspec_types, the list in messages, names exactly the accepted types. */
static void
test_spec_types_list(void **state)
{
	(void)state;
	char *list = strdup(pfa_mapspec_types), *save = NULL;
	assert_non_null(list);
	size_t n = 0;
	for (char *w = strtok_r(list, ", ", &save); w;
	    w = strtok_r(NULL, ", ", &save)) {
		char tok[64];
		snprintf(tok, sizeof(tok), "%s:/t", w);
		expect_spec(tok, w, "/t");
		n++;
	}
	free(list);
	assert_int_equal(n, 9);
}

/* ---------------------------------------------------------- tokens */

struct toks {
	char *v[16];
	size_t n;
	int stop_at;		/* return 7 when this many were seen, 0: never */
};

static int
collect(void *arg, const char *token)
{
	struct toks *t = arg;
	assert_true(t->n < NELEM(t->v));
	t->v[t->n++] = strdup(token);
	return t->stop_at > 0 && (size_t)t->stop_at == t->n ? 7 : 0;
}

static void
expect_tokens(const char *value, const char *const want[], size_t nwant)
{
	struct toks t = { .n = 0 };
	assert_int_equal(pfa_table_walk(value, collect, &t), 0);
	if (t.n != nwant) {
		print_message("\"%s\": %zu tokens, want %zu\n", value, t.n,
		    nwant);
		for (size_t i = 0; i < t.n; i++)
			print_message("  [%s]\n", t.v[i]);
		fail();
	}
	for (size_t i = 0; i < nwant; i++) {
		assert_string_equal(t.v[i], want[i]);
		free(t.v[i]);
	}
}

static void
test_tokens(void **state)
{
	(void)state;
	static const char *const w1[] = { "hash:/a", "hash:/b", "hash:/c",
	    "pcre:/d" };
	expect_tokens("hash:/a, hash:/b\thash:/c\n  ,, pcre:/d", w1, 4);
	expect_tokens("  hash:/a,hash:/b , hash:/c\r\n,pcre:/d,", w1, 4);

	static const char *const w2[] = { "permit_mynetworks",
	    "check_sender_access", "hash:/etc/postfix/blacklist", "reject" };
	expect_tokens("permit_mynetworks, check_sender_access "
	    "hash:/etc/postfix/blacklist, reject", w2, 4);

	/* braces around a token go; lone braces are no token */
	static const char *const w3[] = { "hash:/a", "hash:/b", "hash:/c" };
	expect_tokens("{hash:/a} { hash:/b } {{hash:/c}}", w3, 3);
	expect_tokens("{ } {} , { }}", NULL, 0);

	expect_tokens("", NULL, 0);
	expect_tokens(" \t\r\n,,, ", NULL, 0);
	static const char *const w4[] = { "x" };
	expect_tokens("x", w4, 1);
}

static void
test_tokens_stop(void **state)
{
	(void)state;
	struct toks t = { .n = 0, .stop_at = 2 };
	assert_int_equal(pfa_table_walk("a b c d", collect, &t), 7);
	assert_int_equal(t.n, 2);
	assert_string_equal(t.v[0], "a");
	assert_string_equal(t.v[1], "b");
	free(t.v[0]);
	free(t.v[1]);
}


static void
test_walk_composite(void **state)
{
	(void)state;
	/* the members of unionmap and pipemap are tables */
	static const char *const w1[] = { "hash:/a", "lmdb:/b", "pcre:/c" };
	expect_tokens("unionmap:{hash:/a, lmdb:/b}, pcre:/c", w1, 3);
	expect_tokens("proxy:unionmap:{ hash:/a lmdb:/b } pcre:/c", w1, 3);
	static const char *const w2[] = { "hash:/a", "hash:/b" };
	expect_tokens("pipemap:{hash:/a,hash:/b}", w2, 2);
	/* an inline table is one token, its values no tables */
	static const char *const w3[] = { "check_client_access",
	    "inline:{ 1.2.3.4 = REJECT, 5.6.7.8 = OK }", "reject" };
	expect_tokens("check_client_access inline:{ 1.2.3.4 = REJECT, "
	    "5.6.7.8 = OK }, reject", w3, 3);
	/* a group of a restriction list: its members */
	static const char *const w4[] = { "check_policy_service",
	    "inet:127.0.0.1:1", "timeout=10s", "permit" };
	expect_tokens("check_policy_service { inet:127.0.0.1:1, timeout=10s }"
	    " permit", w4, 4);
}

static void
test_cache_params_and_dirs(void **state)
{
	(void)state;
	assert_true(pfa_map_cache_param("smtp_tls_session_cache_database"));
	assert_true(pfa_map_cache_param("postscreen_cache_map"));
	assert_true(pfa_map_cache_param("address_verify_map"));
	assert_true(pfa_map_cache_param("proxy_write_maps"));
	assert_false(pfa_map_cache_param("transport_maps"));
	assert_true(pfa_map_path_below("/var/lib/postfix/x.db",
	    "/var/lib/postfix"));
	assert_true(pfa_map_path_below("/var/lib/postfix", "/var/lib/postfix/"));
	assert_false(pfa_map_path_below("/var/lib/postfixx/x",
	    "/var/lib/postfix"));
	assert_false(pfa_map_path_below("/etc/x", NULL));
	assert_false(pfa_map_path_below("/etc/x", "etc"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spec_valid),
		cmocka_unit_test(test_spec_invalid),
		cmocka_unit_test(test_spec_types_list),
		cmocka_unit_test(test_tokens),
		cmocka_unit_test(test_tokens_stop),
		cmocka_unit_test(test_walk_composite),
		cmocka_unit_test(test_cache_params_and_dirs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
