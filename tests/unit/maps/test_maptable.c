/*
 * test_maptable.c - the table list of rebuild-maps (tasks/maptable.c):
 * the shrink rule at and around its limits, the table list itself,
 * redaction of secret sources, and discovery from a real
 * `postconf -c DIR` over fixture main.cf and master.cf files (no Postfix
 * instance runs; postconf only reads them).
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "maptable.h"
#include "postfix.h"
#include "testutil.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* ------------------------------------------------------- shrink rule */

static void
test_shrink_to_zero(void **state)
{
	(void)state;
	/* nothing where there was something: refused whatever the limit */
	assert_true(pfa_map_shrink_refused(1, 0, 50));
	assert_true(pfa_map_shrink_refused(10, 0, 0));
	assert_true(pfa_map_shrink_refused(10, 0, 99));
	assert_true(pfa_map_shrink_refused(10, 0, 100));
	assert_true(pfa_map_shrink_refused(1000000, 0, 100));
}

static void
test_shrink_from_zero(void **state)
{
	(void)state;
	/* a table that had no entries can become anything */
	assert_false(pfa_map_shrink_refused(0, 0, 0));
	assert_false(pfa_map_shrink_refused(0, 0, 50));
	assert_false(pfa_map_shrink_refused(0, 0, 100));
	assert_false(pfa_map_shrink_refused(0, 1, 0));
	assert_false(pfa_map_shrink_refused(0, 1000000, 50));
}

static void
test_shrink_limit(void **state)
{
	(void)state;
	static const struct {
		size_t old, new;
		int max;
		bool refused;
	} cases[] = {
		/* exactly max_shrink percent gone: allowed */
		{ 10, 5, 50, false }, { 100, 50, 50, false },
		{ 100, 75, 25, false }, { 4, 3, 25, false },
		{ 1000000, 500000, 50, false },
		/* one entry more gone: refused */
		{ 10, 4, 50, true }, { 100, 49, 50, true },
		{ 100, 74, 25, true }, { 4, 2, 25, true },
		{ 1000000, 499999, 50, true },
		/* no rounding: 3 -> 2 is 33.3 % gone */
		{ 3, 2, 33, true }, { 3, 2, 34, false },
		{ 3, 1, 66, true }, { 3, 1, 67, false },
		/* unchanged and growing are always fine */
		{ 10, 10, 50, false }, { 10, 11, 50, false },
		{ 1, 1000000, 50, false },
		/* large counts do not overflow */
		{ (size_t)1 << 40, (size_t)1 << 39, 50, false },
		{ (size_t)1 << 40, ((size_t)1 << 39) - 1, 50, true },
	};
	for (size_t i = 0; i < NELEM(cases); i++) {
		bool r = pfa_map_shrink_refused(cases[i].old, cases[i].new,
		    cases[i].max);
		if (r != cases[i].refused)
			print_message("%zu -> %zu at max_shrink %d: got %d\n",
			    cases[i].old, cases[i].new, cases[i].max, r);
		assert_true(r == cases[i].refused);
	}
}

static void
test_shrink_max_0(void **state)
{
	(void)state;
	/* max_shrink 0: no entry may go, but growth is fine */
	assert_false(pfa_map_shrink_refused(10, 10, 0));
	assert_false(pfa_map_shrink_refused(10, 11, 0));
	assert_true(pfa_map_shrink_refused(10, 9, 0));
	assert_true(pfa_map_shrink_refused(1000000, 999999, 0));
	assert_true(pfa_map_shrink_refused(1, 0, 0));
}

static void
test_shrink_max_100(void **state)
{
	(void)state;
	/* max_shrink 100: any shrink except to nothing */
	assert_false(pfa_map_shrink_refused(10, 1, 100));
	assert_false(pfa_map_shrink_refused(1000000, 1, 100));
	assert_false(pfa_map_shrink_refused(2, 1, 100));
	assert_true(pfa_map_shrink_refused(10, 0, 100));
	/* and 99 still counts */
	assert_false(pfa_map_shrink_refused(100, 1, 99));
	assert_true(pfa_map_shrink_refused(101, 1, 99));
}

/* ------------------------------------------------------ table list */

static void
test_tables_add_find(void **state)
{
	(void)state;
	struct pfa_maptables l = { NULL, 0 };
	struct pfa_maptable *a = pfa_maptables_add(&l, "hash", "/etc/b",
	    "transport_maps", 0);
	assert_non_null(a);
	assert_string_equal(a->spec, "hash:/etc/b");
	assert_string_equal(a->type, "hash");
	assert_string_equal(a->path, "/etc/b");
	assert_string_equal(a->param, "transport_maps");
	assert_int_equal(a->flags, 0);

	pfa_maptables_add(&l, "lmdb", "/etc/a", "alias_maps", PFA_MT_ALIAS);
	pfa_maptables_add(&l, "hash", "/etc/a", "pfagent.conf", PFA_MT_EXTRA);
	assert_int_equal(l.n, 3);

	/* the same spec again: one entry, flags or-ed, first param kept */
	struct pfa_maptable *d = pfa_maptables_add(&l, "lmdb", "/etc/a",
	    "smtp_sasl_password_maps", PFA_MT_SECRET);
	assert_int_equal(l.n, 3);
	assert_string_equal(d->spec, "lmdb:/etc/a");
	assert_string_equal(d->param, "alias_maps");
	assert_int_equal(d->flags, PFA_MT_ALIAS | PFA_MT_SECRET);

	/* same path, other type: another table */
	struct pfa_maptable *f = pfa_maptables_find(&l, "hash:/etc/a");
	assert_non_null(f);
	assert_int_equal(f->flags, PFA_MT_EXTRA);
	assert_null(pfa_maptables_find(&l, "btree:/etc/a"));
	assert_null(pfa_maptables_find(&l, "hash:/etc"));
	assert_null(pfa_maptables_find(&l, ""));

	pfa_maptables_sort(&l);
	assert_string_equal(l.v[0].spec, "hash:/etc/a");
	assert_string_equal(l.v[1].spec, "hash:/etc/b");
	assert_string_equal(l.v[2].spec, "lmdb:/etc/a");
	/* the entries moved with their fields */
	assert_string_equal(l.v[1].param, "transport_maps");
	assert_int_equal(l.v[2].flags, PFA_MT_ALIAS | PFA_MT_SECRET);

	pfa_maptables_free(&l);
	assert_null(l.v);
	assert_int_equal(l.n, 0);
	/* free of an empty list, and sort of one entry, are harmless */
	pfa_maptables_free(&l);
	pfa_maptables_add(&l, "cdb", "/x", "p", 0);
	pfa_maptables_sort(&l);
	assert_string_equal(l.v[0].spec, "cdb:/x");
	pfa_maptables_free(&l);
}

/* ------------------------------------------------------- redaction */

/*
 * Linked with -Wl,--wrap=pfa_xmalloc: remembers the size of the last
 * allocation, so that a result written past its buffer fails here
 * rather than corrupting the heap unnoticed.
 */
void *__real_pfa_xmalloc(size_t n);
void *__wrap_pfa_xmalloc(size_t n);
static size_t last_alloc;

void *
__wrap_pfa_xmalloc(size_t n)
{
	last_alloc = n;
	return __real_pfa_xmalloc(n);
}

static void
expect_redact(const char *in, const char *want)
{
	last_alloc = 0;
	char *r = pfa_map_redact(in);
	assert_non_null(r);
	size_t len = strlen(r);
	if (len >= last_alloc) {
		print_message("\"%s\": %zu bytes written to a %zu-byte "
		    "buffer\n", in, len + 1, last_alloc);
		fail();
	}
	assert_string_equal(r, want);
	free(r);
}

static void
test_redact(void **state)
{
	(void)state;
	expect_redact("", "");
	expect_redact("missing value", "missing value");
	expect_redact("duplicate key \"smtp.example.com\" (first on line 3)",
	    "duplicate key \"(redacted)\" (first on line 3)");
	expect_redact("key \"a\" value \"secret:pw\"",
	    "key \"(redacted)\" value \"(redacted)\"");
	/* a shortened quote's "..." goes with it */
	expect_redact("line too long: \"user:passwordpassword\"... (5000 bytes)",
	    "line too long: \"(redacted)\" (5000 bytes)");
	expect_redact("\"\"", "\"(redacted)\"");
	/* an unterminated quote is left as it is */
	expect_redact("bad \"abc", "bad \"abc");
	expect_redact("\"a\" and \"b", "\"(redacted)\" and \"b");
}

/*
 * Many short quoted pieces: every piece of 2 or 3 characters becomes 12.
 * A message quoting a source line full of '"' gets there.
 */
static void
test_redact_many_short_pieces(void **state)
{
	(void)state;
	expect_redact("\"\"\"\"\"\"\"\"\"\"",
	    "\"(redacted)\"\"(redacted)\"\"(redacted)\"\"(redacted)\""
	    "\"(redacted)\"");
	expect_redact("\"a\"\"b\"\"c\"\"d\"\"e\"",
	    "\"(redacted)\"\"(redacted)\"\"(redacted)\"\"(redacted)\""
	    "\"(redacted)\"");
	char in[401], want[200 * 12 + 1];
	memset(in, '"', 400);
	in[400] = '\0';
	want[0] = '\0';
	for (int i = 0; i < 200; i++)
		strcat(want, "\"(redacted)\"");
	expect_redact(in, want);
}

/* ------------------------------------------------- files: fixtures */

static char dir[64];

static int
setup_dir(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/pfa-tmaptable.XXXXXX");
	assert_non_null(mkdtemp(dir));
	return 0;
}

static int
teardown_dir(void **state)
{
	(void)state;
	static const char *const names[] = {
		"src", "empty", "link", "fifo", "main.cf", "master.cf",
		"key.pem", "cert.pem",
	};
	char p[160];
	for (size_t i = 0; i < NELEM(names); i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, names[i]);
		unlink(p);
	}
	snprintf(p, sizeof(p), "%s/sub", dir);
	rmdir(p);
	assert_int_equal(rmdir(dir), 0);
	return 0;
}

static void
write_file(const char *name, const char *text)
{
	free(pfa_test_write_in(dir, name, text));
}

/* --------------------------------------- files an SNI table names */

/* CHK for an SNI table naming DIR/key.pem, DIR/cert.pem and EXTRA. */
static void
sni_check(struct pfa_map_check *chk, const char *extra)
{
	char text[512];
	snprintf(text, sizeof(text), "mx.example %s/key.pem %s/cert.pem\n"
	    "mail.example %s/cert.pem %s\n", dir, dir, dir, extra);
	pfa_mapsrc_check(text, strlen(text), PFA_MAP_SNI, chk);
}

static void
test_mapfiles(void **state)
{
	(void)state;
	struct pfa_map_check chk;
	struct pfa_mapfiles f, g;
	char sha[65], sha2[65], p[160];
	size_t n;

	write_file("key.pem", "SECRET-KEY-BYTES\n");
	write_file("cert.pem", "CERT-ONE\n");
	sni_check(&chk, "");
	assert_int_equal(chk.nrefs, 2);
	assert_int_equal(pfa_mapfiles_load(&chk, &f, sha), 0);
	assert_int_equal(chk.nproblems, 0);
	assert_int_equal(strlen(sha), 64);
	assert_int_equal(f.n, 2);
	snprintf(p, sizeof(p), "%s/cert.pem", dir);
	assert_string_equal(f.v[0].path, p);
	assert_int_equal(f.v[0].size, 9);
	assert_int_equal(f.v[1].size, 17);
	assert_true(pfa_mapfiles_same(&f));
	assert_null(pfa_mapfiles_changed(&f, &f, &n));
	assert_int_equal(n, 0);

	/* the same content again: the same fingerprint */
	assert_int_equal(pfa_mapfiles_load(&chk, &g, sha2), 0);
	assert_string_equal(sha, sha2);
	pfa_mapfiles_free(&g);

	/* a new certificate: stat and fingerprint differ */
	write_file("cert.pem", "CERT-TWO-LONGER\n");
	assert_false(pfa_mapfiles_same(&f));
	assert_int_equal(pfa_mapfiles_load(&chk, &g, sha2), 0);
	assert_string_not_equal(sha, sha2);
	assert_string_equal(pfa_mapfiles_changed(&f, &g, &n), p);
	assert_int_equal(n, 1);
	pfa_mapfiles_free(&g);
	pfa_mapfiles_free(&f);
	pfa_mapfiles_free(&f);	/* twice is harmless */
	pfa_mapsrc_free(&chk);

	/* a missing file: an error of the first line naming it, with its
	 * name and no byte of any file */
	snprintf(p, sizeof(p), "%s/missing.pem", dir);
	sni_check(&chk, p);
	assert_int_equal(pfa_mapfiles_load(&chk, &f, sha), 1);
	assert_string_equal(sha, "");
	assert_int_equal(f.n, 2);
	assert_int_equal(chk.errors, 1);
	assert_int_equal(chk.problems[0].line, 2);
	assert_non_null(strstr(chk.problems[0].message, p));
	assert_non_null(strstr(chk.problems[0].message, "No such file"));
	assert_null(strstr(chk.problems[0].message, "SECRET"));
	/* a file gone since the record: not the same */
	unlink(p);
	snprintf(p, sizeof(p), "%s/key.pem", dir);
	assert_int_equal(unlink(p), 0);
	assert_false(pfa_mapfiles_same(&f));
	pfa_mapfiles_free(&f);
	pfa_mapsrc_free(&chk);

	/* a directory is not a key file */
	sni_check(&chk, dir);
	assert_int_equal(pfa_mapfiles_load(&chk, &f, sha), 2);
	assert_int_equal(chk.errors, 2);
	pfa_mapfiles_free(&f);
	pfa_mapsrc_free(&chk);
}

/* ------------------------------------------------------- discovery */

/* The entry TYPE:DIR/NAME of L, or NULL. */
static const struct pfa_maptable *
find(struct pfa_maptables *l, const char *type, const char *name)
{
	char spec[256];
	snprintf(spec, sizeof(spec), "%s:%s/%s", type, dir, name);
	return pfa_maptables_find(l, spec);
}

/*
 * Real postconf over a fixture main.cf/master.cf: what is found, with
 * which parameter and flags, and what is left out.
 */
static void
test_discover(void **state)
{
	(void)state;
	if (access("/usr/sbin/postconf", X_OK) != 0) {
		print_message("/usr/sbin/postconf missing: install postfix\n");
		fail();
	}
	char text[4096];
	snprintf(text, sizeof(text),
	    "compatibility_level = 3.6\n"
	    "data_directory = %1$s/data\n"
	    "queue_directory = %1$s/spool\n"
	    "alias_maps = hash:%1$s/aliases\n"
	    "alias_database = hash:%1$s/aliases\n"
	    "transport_maps = hash:%1$s/transport, hash:%1$s/data/x,"
	    " hash:relative\n"
	    "virtual_alias_maps = { proxy:lmdb:%1$s/virtual },"
	    " inline:{ a=b }, mysql:%1$s/mysql.cf\n"
	    "smtpd_client_restrictions = check_client_access"
	    " cidr:%1$s/clients.cidr, permit\n"
	    "smtp_sasl_password_maps = hash:%1$s/sasl_passwd\n"
	    "tls_server_sni_maps = hash:%1$s/sni\n"
	    "smtp_tls_session_cache_database = btree:%1$s/tls_cache\n"
	    "address_verify_map = btree:%1$s/verify\n"
	    "proxy_write_maps = btree:%1$s/pw\n"
	    "header_checks = regexp:%1$s/spool/hc\n", dir);
	write_file("main.cf", text);
	snprintf(text, sizeof(text),
	    "smtp      inet  n       -       n       -       -       smtpd\n"
	    "127.0.0.1:2525 inet n   -       n       -       -       smtpd\n"
	    "  -o smtpd_sender_restrictions=check_sender_access,"
	    "pcre:%s/senders.pcre\n", dir);
	write_file("master.cf", text);

	struct pfa_postfix *pf = pfa_postfix_new(dir, "/usr/sbin");
	struct pfa_maptables l = { NULL, 0 };
	assert_int_equal(pfa_maptables_discover(pf, &l), 0);
	for (size_t i = 0; i < l.n; i++)
		print_message("  found %s (%s, flags %#x)\n", l.v[i].spec,
		    l.v[i].param, l.v[i].flags);

	const struct pfa_maptable *t;
	t = find(&l, "hash", "aliases");
	assert_non_null(t);
	assert_true(t->flags & PFA_MT_ALIAS);
	assert_false(t->flags & PFA_MT_SECRET);
	/* param is the first parameter naming it in postconf -x order,
	 * which may be one whose default expands to it
	 * (address_verify_transport_maps = $transport_maps) */
	t = find(&l, "hash", "transport");
	assert_non_null(t);
	assert_non_null(t->param);
	assert_int_equal(t->flags, 0);
	t = find(&l, "lmdb", "virtual");
	assert_non_null(t);
	t = find(&l, "cidr", "clients.cidr");
	assert_non_null(t);
	t = find(&l, "hash", "sasl_passwd");
	assert_non_null(t);
	assert_true(t->flags & PFA_MT_SECRET);
	t = find(&l, "hash", "sni");
	assert_non_null(t);
	assert_true(t->flags & PFA_MT_SNI);
	/* from master.cf -o */
	t = find(&l, "pcre", "senders.pcre");
	assert_non_null(t);
	assert_string_equal(t->param, "smtpd_sender_restrictions");

	/* caches, Postfix's own directories, unknown types, relative paths */
	assert_null(find(&l, "btree", "tls_cache"));
	assert_null(find(&l, "btree", "verify"));
	assert_null(find(&l, "btree", "pw"));
	assert_null(find(&l, "hash", "data/x"));
	assert_null(find(&l, "regexp", "spool/hc"));
	assert_null(find(&l, "mysql", "mysql.cf"));
	assert_null(pfa_maptables_find(&l, "hash:relative"));
	/* no entry is from a proxy: prefix or carries braces */
	for (size_t i = 0; i < l.n; i++) {
		assert_null(strstr(l.v[i].spec, "proxy:"));
		assert_null(strchr(l.v[i].spec, '{'));
		assert_null(strchr(l.v[i].spec, '}'));
	}
	pfa_maptables_free(&l);
	pfa_postfix_free(pf);
}

/* postconf failing (no such directory) is -1, with a reason. */
static void
test_discover_postconf_fails(void **state)
{
	(void)state;
	char missing[160];
	snprintf(missing, sizeof(missing), "%s/no-such-dir", dir);
	struct pfa_postfix *pf = pfa_postfix_new(missing, "/usr/sbin");
	struct pfa_maptables l = { NULL, 0 };
	assert_int_equal(pfa_maptables_discover(pf, &l), -1);
	assert_non_null(pfa_postfix_error(pf));
	assert_int_equal(l.n, 0);
	pfa_maptables_free(&l);
	pfa_postfix_free(pf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shrink_to_zero),
		cmocka_unit_test(test_shrink_from_zero),
		cmocka_unit_test(test_shrink_limit),
		cmocka_unit_test(test_shrink_max_0),
		cmocka_unit_test(test_shrink_max_100),
		cmocka_unit_test(test_tables_add_find),
		cmocka_unit_test(test_redact),
		cmocka_unit_test_setup_teardown(test_mapfiles, setup_dir,
		    teardown_dir),
		cmocka_unit_test_setup_teardown(test_discover, setup_dir,
		    teardown_dir),
		cmocka_unit_test_setup_teardown(test_discover_postconf_fails,
		    setup_dir, teardown_dir),
		/* last: until maptable.c sizes its buffer for this, it
		 * overruns the heap and may break what runs after it */
		cmocka_unit_test(test_redact_many_short_pieces),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
