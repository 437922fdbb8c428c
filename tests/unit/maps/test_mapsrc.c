/*
 * test_mapsrc.c - the checks of lookup table sources (tasks/mapsrc.c,
 * mapsrc_cidr.c, mapsrc_re.c): every problem they report, with a fixture
 * that triggers it and valid fixtures that trigger none; logical lines,
 * entry counts, samples and the cap on the problem list.  The expectations
 * were taken from postmap 3.7.11 run on the same input.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "mapsrc.h"

static int
check(const char *text, enum pfa_map_kind kind, struct pfa_map_check *c)
{
	return pfa_mapsrc_check(text, strlen(text), kind, c);
}

static void
print_problems(const struct pfa_map_check *c)
{
	for (size_t i = 0; i < c->nproblems; i++)
		print_message("  line %d %s: %s\n", c->problems[i].line,
		    c->problems[i].error ? "error" : "warning",
		    c->problems[i].message);
}

static bool
has_problem(const struct pfa_map_check *c, int line, bool error,
    const char *what)
{
	for (size_t i = 0; i < c->nproblems; i++)
		if (c->problems[i].line == line &&
		    c->problems[i].error == error &&
		    strstr(c->problems[i].message, what) != NULL)
			return true;
	return false;
}

/* Asserts a problem at LINE of the ERROR kind whose message has WHAT. */
static void
assert_problem(const struct pfa_map_check *c, int line, bool error,
    const char *what)
{
	if (has_problem(c, line, error, what))
		return;
	print_message("no problem on line %d with \"%s\"; got:\n", line, what);
	print_problems(c);
	fail();
}

static void
assert_clean(const struct pfa_map_check *c)
{
	if (c->nproblems != 0 || c->errors != 0 || c->warnings != 0) {
		print_problems(c);
		fail_msg("expected no problems");
	}
}

static void
test_kind_names(void **state)
{
	(void)state;
	static const char *const indexed[] = {
		"hash", "btree", "lmdb", "cdb", "dbm",
	};
	for (size_t i = 0; i < sizeof(indexed) / sizeof(indexed[0]); i++) {
		assert_int_equal(pfa_map_kind(indexed[i]), PFA_MAP_INDEXED);
		assert_true(pfa_map_is_indexed(indexed[i]));
	}
	assert_int_equal(pfa_map_kind("texthash"), PFA_MAP_TEXTHASH);
	assert_int_equal(pfa_map_kind("cidr"), PFA_MAP_CIDR);
	assert_int_equal(pfa_map_kind("regexp"), PFA_MAP_REGEXP);
	assert_int_equal(pfa_map_kind("pcre"), PFA_MAP_PCRE);
	static const char *const not_indexed[] = {
		"texthash", "cidr", "regexp", "pcre", "proxy", "ldap", "HASH",
		"", "hash:", "inline", "static",
	};
	for (size_t i = 0; i < sizeof(not_indexed) / sizeof(not_indexed[0]);
	    i++)
		assert_false(pfa_map_is_indexed(not_indexed[i]));
	assert_int_equal(pfa_map_kind("proxy"), PFA_MAP_OTHER);
	assert_int_equal(pfa_map_kind("ldap"), PFA_MAP_OTHER);
	assert_int_equal(pfa_map_kind("HASH"), PFA_MAP_OTHER);
	assert_int_equal(pfa_map_kind(""), PFA_MAP_OTHER);
	assert_int_equal(pfa_map_kind(NULL), PFA_MAP_OTHER);
	assert_false(pfa_map_is_indexed(NULL));
}

static void
test_other_kind(void **state)
{
	(void)state;
	struct pfa_map_check c;
	static const char junk[] = " \xff\x00 no value\n  \nendif\n";
	assert_int_equal(pfa_mapsrc_check(junk, sizeof(junk) - 1,
	    PFA_MAP_OTHER, &c), 0);
	assert_int_equal(c.entries, 0);
	assert_clean(&c);
	assert_int_equal(c.nsamples, 0);
	pfa_mapsrc_free(&c);
}

static void
test_empty_and_free(void **state)
{
	(void)state;
	struct pfa_map_check c;
	for (int k = PFA_MAP_INDEXED; k <= PFA_MAP_OTHER; k++) {
		assert_int_equal(pfa_mapsrc_check("", 0, k, &c), 0);
		assert_int_equal(c.entries, 0);
		assert_clean(&c);
		pfa_mapsrc_free(&c);
		assert_int_equal(pfa_mapsrc_check(NULL, 0, k, &c), 0);
		pfa_mapsrc_free(&c);
		pfa_mapsrc_free(&c);	/* twice is harmless */
	}
	pfa_mapsrc_free(NULL);
	assert_int_equal(pfa_mapsrc_check("a b\n", 4, PFA_MAP_INDEXED, NULL),
	    -1);
}

/* Blank, whitespace-only and comment lines; continuation lines. */
static void
test_indexed_valid(void **state)
{
	(void)state;
	struct pfa_map_check c;
	const char *text =
	    "# comment\n"
	    "\n"
	    "   \t\n"
	    "   # indented comment\n"
	    "a.example OK\n"
	    "b.example\tREJECT go away\r\n"
	    "c.example first\n"
	    "# a comment does not end the entry\n"
	    "\n"
	    "  continued\n"
	    "\tand more\n"
	    "d.example  x\n"
	    "e.example y";		/* no newline at the end */
	assert_int_equal(check(text, PFA_MAP_INDEXED, &c), 0);
	assert_clean(&c);
	assert_int_equal(c.entries, 5);
	pfa_mapsrc_free(&c);
	assert_int_equal(check(text, PFA_MAP_TEXTHASH, &c), 0);
	assert_clean(&c);
	assert_int_equal(c.entries, 5);
	pfa_mapsrc_free(&c);
}

static void
test_indexed_errors(void **state)
{
	(void)state;
	struct pfa_map_check c;
	/* postmap 3.7.11: "line 2: expected format: key whitespace value",
	 * the same for "q\r" (line 5); the continuation gives "k" a value */
	const char *text = "a 1\nnovalue\nk\n  v\nq\r\nb 2\n";
	assert_int_equal(check(text, PFA_MAP_INDEXED, &c), -1);
	assert_int_equal(c.errors, 2);
	assert_int_equal(c.nproblems, 2);
	assert_problem(&c, 2, true, "expected format: key whitespace value");
	assert_problem(&c, 5, true, "expected format");
	assert_int_equal(c.entries, 3);
	pfa_mapsrc_free(&c);

	assert_int_equal(check("  lead x\n  more\nfirst v\n", PFA_MAP_TEXTHASH,
	    &c), -1);
	assert_int_equal(c.nproblems, 1);	/* the group is one problem */
	assert_problem(&c, 1, true, "continues no entry");
	assert_int_equal(c.entries, 1);
	pfa_mapsrc_free(&c);

	assert_int_equal(check("# comment\n\n indented v\n", PFA_MAP_INDEXED,
	    &c), -1);
	assert_problem(&c, 3, true, "continues no entry");
	pfa_mapsrc_free(&c);
}

static void
test_duplicates(void **state)
{
	(void)state;
	struct pfa_map_check c;
	const char *text = "Key1 one\nkey2 two\nKEY1 again\nkey1 third\n";
	assert_int_equal(check(text, PFA_MAP_INDEXED, &c), 0);
	assert_int_equal(c.entries, 2);
	assert_int_equal(c.errors, 0);
	assert_int_equal(c.warnings, 2);
	assert_problem(&c, 3, false, "duplicate key \"KEY1\" (first on line 1;"
	    " postmap keeps the first value)");
	assert_problem(&c, 4, false, "first on line 1");
	pfa_mapsrc_free(&c);
}

static void
test_alias_format(void **state)
{
	(void)state;
	struct pfa_map_check c;
	/* a continuation may start with \f, which does not end the key */
	assert_int_equal(check("ab\n\fc v\nab\fc w\nab x\n", PFA_MAP_INDEXED,
	    &c), 0);
	assert_int_equal(c.entries, 2);
	assert_problem(&c, 3, false, "first on line 1");
	pfa_mapsrc_free(&c);
	assert_int_equal(check("root: admin\n", PFA_MAP_INDEXED, &c), 0);
	assert_problem(&c, 1, false, "aliases");
	assert_int_equal(c.entries, 1);
	pfa_mapsrc_free(&c);
}

static void
test_samples(void **state)
{
	(void)state;
	struct pfa_map_check c;
	/* values as `postmap -q` printed them for the same file */
	const char *text =
	    "Dup.Example one\n"
	    "Alpha\tone\t two \t\n"
	    "multi first\n"
	    "  second\n"
	    "K\xc3\x89Y non-ascii\n"
	    "Beta   x  y\t z   \n"
	    "gamma g\n"
	    "DUP.example two\n"
	    "LastKey  Final  Value \n";
	assert_int_equal(check(text, PFA_MAP_INDEXED, &c), 0);
	assert_int_equal(c.entries, 7);
	assert_int_equal(c.nsamples, 3);
	/* candidates: alpha, beta, gamma, lastkey: first, middle, last */
	assert_string_equal(c.sample_keys[0], "alpha");
	assert_string_equal(c.sample_values[0], "one\t two");
	assert_string_equal(c.sample_keys[1], "beta");
	assert_string_equal(c.sample_values[1], "x  y\t z");
	assert_string_equal(c.sample_keys[2], "lastkey");
	assert_string_equal(c.sample_values[2], "Final  Value");
	pfa_mapsrc_free(&c);

	assert_int_equal(check("One 1\ntwo 2\n", PFA_MAP_TEXTHASH, &c), 0);
	assert_int_equal(c.nsamples, 2);
	assert_string_equal(c.sample_keys[0], "one");
	assert_string_equal(c.sample_values[0], "1");
	assert_string_equal(c.sample_keys[1], "two");
	pfa_mapsrc_free(&c);

	/* spread over a long file */
	char *big = malloc(1000 * 32);
	assert_non_null(big);
	size_t n = 0;
	for (int i = 1; i <= 1000; i++)
		n += (size_t)sprintf(big + n, "Key%d.Test value %d\n", i, i);
	assert_int_equal(pfa_mapsrc_check(big, n, PFA_MAP_INDEXED, &c), 0);
	assert_int_equal(c.entries, 1000);
	assert_int_equal(c.nsamples, 3);
	assert_string_equal(c.sample_keys[0], "key1.test");
	assert_string_equal(c.sample_values[0], "value 1");
	assert_string_equal(c.sample_keys[1], "key500.test");
	assert_string_equal(c.sample_keys[2], "key1000.test");
	assert_string_equal(c.sample_values[2], "value 1000");
	pfa_mapsrc_free(&c);
	free(big);

	assert_int_equal(check("10.0.0.0/8 OK\n", PFA_MAP_CIDR, &c), 0);
	assert_int_equal(c.nsamples, 0);
	pfa_mapsrc_free(&c);
}

static void
test_nul(void **state)
{
	(void)state;
	struct pfa_map_check c;
	static const char one[] = "a 1\nnul\0x v\nb 2\n";
	assert_int_equal(pfa_mapsrc_check(one, sizeof(one) - 1,
	    PFA_MAP_INDEXED, &c), -1);
	assert_int_equal(c.errors, 1);
	assert_problem(&c, 2, true, "NUL byte");
	assert_int_equal(c.entries, 2);
	pfa_mapsrc_free(&c);

	static const char cont[] = "a 1\n  x\0y\n";
	assert_int_equal(pfa_mapsrc_check(cont, sizeof(cont) - 1,
	    PFA_MAP_REGEXP, &c), -1);
	assert_problem(&c, 1, true, "NUL byte on line 2");
	pfa_mapsrc_free(&c);

	static const char comment[] = "# x\0y\n10.0.0.0/8 OK\n";
	assert_int_equal(pfa_mapsrc_check(comment, sizeof(comment) - 1,
	    PFA_MAP_CIDR, &c), -1);
	assert_problem(&c, 1, true, "NUL byte in a comment");
	assert_int_equal(c.entries, 1);
	pfa_mapsrc_free(&c);
}

static void
test_long_line(void **state)
{
	(void)state;
	struct pfa_map_check c;
	size_t max = PFA_MAPSRC_MAX_LINE;
	char *text = malloc(2 * max + 64);
	assert_non_null(text);

	/* exactly the limit: fine */
	memcpy(text, "k ", 2);
	memset(text + 2, 'v', max - 2);
	memcpy(text + max, "\nz 1\n", 5);
	assert_int_equal(pfa_mapsrc_check(text, max + 5, PFA_MAP_INDEXED, &c),
	    0);
	assert_clean(&c);
	assert_int_equal(c.entries, 2);
	pfa_mapsrc_free(&c);

	/* one more byte, on the second line */
	size_t n = (size_t)sprintf(text, "a 1\nk ");
	memset(text + n, 'v', max - 1);
	n += max - 1;
	memcpy(text + n, "\nz 1\n", 5);
	assert_int_equal(pfa_mapsrc_check(text, n + 5, PFA_MAP_INDEXED, &c),
	    -1);
	assert_problem(&c, 2, true, "longer than 65536 bytes");
	assert_int_equal(c.entries, 2);
	pfa_mapsrc_free(&c);

	/* too long only with its continuation lines */
	n = (size_t)sprintf(text, "k v\n ");
	memset(text + n, 'v', max);
	n += max;
	text[n++] = '\n';
	assert_int_equal(pfa_mapsrc_check(text, n, PFA_MAP_PCRE, &c), -1);
	assert_problem(&c, 1, true, "longer than");
	pfa_mapsrc_free(&c);
	free(text);
}

static void
test_utf8(void **state)
{
	(void)state;
	struct pfa_map_check c;
	static const char *const bad[] = {
		"k \xff\n", "k \xc0\xaf\n", "k \xc1\xbf\n", "k \xe0\x80\xaf\n",
		"k \xed\xa0\x80\n", "k \xf4\x90\x80\x80\n", "k \xc3\n",
		"k caf\xc3", "k \xe2\x82\n",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(check(bad[i], PFA_MAP_INDEXED, &c), -1);
		assert_problem(&c, 1, true, "not valid UTF-8");
		assert_int_equal(c.entries, 0);
		pfa_mapsrc_free(&c);
	}
	/* in a continuation: reported on the entry's first line */
	assert_int_equal(check("x v\n\n \xff\n", PFA_MAP_INDEXED, &c), -1);
	assert_problem(&c, 1, true, "not valid UTF-8");
	pfa_mapsrc_free(&c);

	const char *good = "k caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 "
	    "\xf4\x8f\xbf\xbf\n";
	assert_int_equal(check(good, PFA_MAP_INDEXED, &c), 0);
	assert_clean(&c);
	pfa_mapsrc_free(&c);
}

/* 150 bad lines: 100 listed, in line order, all counted. */
static void
test_problem_cap(void **state)
{
	(void)state;
	struct pfa_map_check c;
	char *text = malloc(150 * 16 + 64);
	assert_non_null(text);
	size_t n = 0;
	for (int i = 0; i < 150; i++)
		n += (size_t)sprintf(text + n, "novalue%d\n", i);
	assert_int_equal(pfa_mapsrc_check(text, n, PFA_MAP_INDEXED, &c), -1);
	assert_int_equal(c.errors, 150);
	assert_int_equal(c.nproblems, 100);
	for (size_t i = 0; i < c.nproblems; i++)
		assert_int_equal(c.problems[i].line, (int)i + 1);
	pfa_mapsrc_free(&c);

	/* an unclosed if is found at the end, but is on line 1 */
	n = (size_t)sprintf(text, "if /x/\n");
	for (int i = 0; i < 150; i++)
		n += (size_t)sprintf(text + n, "/(/ v\n");
	assert_int_equal(pfa_mapsrc_check(text, n, PFA_MAP_REGEXP, &c), -1);
	assert_int_equal(c.errors, 151);
	assert_int_equal(c.nproblems, 100);
	assert_int_equal(c.problems[0].line, 1);
	assert_non_null(strstr(c.problems[0].message, "if without"));
	for (size_t i = 1; i < c.nproblems; i++)
		assert_int_equal(c.problems[i].line, (int)i + 1);
	pfa_mapsrc_free(&c);
	free(text);
}

static void
test_cidr_valid(void **state)
{
	(void)state;
	struct pfa_map_check c;
	const char *text =
	    "# client access\n"
	    "192.168.1.1 OK\n"
	    "192.168.0.0/16 REJECT\n"
	    "[10.1.0.0]/16 OK\n"
	    "[10.2.0.0/16] OK\n"
	    "[10.9.9.9] OK\n"
	    "!10.3.0.0/16 DUNNO\n"
	    "! 10.4.0.0/16 DUNNO\n"
	    "10.0.0.0/08 OK\n"
	    "0.0.0.0/0 OK\n"
	    "2001:db8::1 OK\n"
	    "2001:db8::/32 REJECT\n"
	    "::/0 OK\n"
	    "::ffff:1.2.3.4 OK\n"
	    "IF 172.16.0.0/12\n"
	    "if !172.16.1.0/24\n"
	    "172.16.2.0/24 OK\n"
	    "  with more text\n"
	    "endif   \n"
	    "ENDIF\n"
	    "if\t2001:db8::/32\n"
	    "2001:db8:1::/48 OK\n"
	    "endif\n";
	assert_int_equal(check(text, PFA_MAP_CIDR, &c), 0);
	assert_clean(&c);
	assert_int_equal(c.entries, 15);
	pfa_mapsrc_free(&c);
}

struct bad_case {
	enum pfa_map_kind kind;
	const char *text;
	int line;
	const char *what;
};

static void
run_bad_cases(const struct bad_case *cases, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct pfa_map_check c;
		int rc = check(cases[i].text, cases[i].kind, &c);
		if (rc != -1 || !has_problem(&c, cases[i].line, true,
		    cases[i].what)) {
			print_message("case %zu: %s", i, cases[i].text);
			assert_int_equal(rc, -1);
			assert_problem(&c, cases[i].line, true, cases[i].what);
		}
		pfa_mapsrc_free(&c);
	}
}

static void
test_cidr_errors(void **state)
{
	(void)state;
	/* postmap 3.7.11 warned and skipped each of these rules */
	static const struct bad_case cases[] = {
		{ PFA_MAP_CIDR, "a/8 OK\n192.168.1.1/24 BAD\n", 2,
		    "non-null host address bits in \"192.168.1.1\"/24 "
		    "(Postfix skips it); the network is 192.168.1.0/24" },
		{ PFA_MAP_CIDR, "2001:db8::1/32 BAD\n", 1,
		    "the network is 2001:db8::/32" },
		{ PFA_MAP_CIDR, "10.0.0.0/33 BAD\n", 1, "out of range (0-32)" },
		{ PFA_MAP_CIDR, "::/129 BAD\n", 1, "out of range (0-128)" },
		{ PFA_MAP_CIDR, "10.0.0.0/99999999999999999999 B\n", 1,
		    "out of range" },
		{ PFA_MAP_CIDR, "10.0.0.0/8\n", 1, "no lookup result" },
		{ PFA_MAP_CIDR, "10.0.0.0/ OK\n", 1, "bad prefix length" },
		{ PFA_MAP_CIDR, "10.0.0.0/+8 OK\n", 1, "bad prefix length" },
		{ PFA_MAP_CIDR, "010.0.0.0/8 OK\n", 1, "bad network address" },
		{ PFA_MAP_CIDR, "1.2.3 OK\n", 1,
		    "bad address pattern \"1.2.3\"" },
		{ PFA_MAP_CIDR, "bogus OK\n", 1, "bad address pattern" },
		{ PFA_MAP_CIDR, "! OK\n", 1, "bad address pattern \"OK\"" },
		{ PFA_MAP_CIDR, "!\n", 1, "no address pattern" },
		{ PFA_MAP_CIDR, "if\n", 1, "no address pattern" },
		{ PFA_MAP_CIDR, "if 1.2.3.4 x\nendif\n", 1,
		    "bad address pattern \"1.2.3.4 x\"" },
		{ PFA_MAP_CIDR, "[1.2.3.4]x OK\n", 1, "text after ']'" },
		{ PFA_MAP_CIDR, "[1.2.3.4 OK\n", 1, "missing ']'" },
		{ PFA_MAP_CIDR, "1.2.3.4 OK\nendif\n", 2,
		    "endif without matching if" },
		{ PFA_MAP_CIDR, "if 10.0.0.0/8\n10.1.0.0/16 OK\n", 1,
		    "if without matching endif" },
		{ PFA_MAP_CIDR, "if 10.0.0.0/8\nendif x\n", 2,
		    "text after endif" },
	};
	run_bad_cases(cases, sizeof(cases) / sizeof(cases[0]));

	/* a bad if is reported once, not again for its endif */
	struct pfa_map_check c;
	assert_int_equal(check("if 10.0.0.1/8\n1.1.1.1 OK\nendif\n",
	    PFA_MAP_CIDR, &c), -1);
	assert_int_equal(c.errors, 1);
	assert_int_equal(c.entries, 1);
	pfa_mapsrc_free(&c);
	/* an indented endif becomes part of the if line (postmap: "bad
	 * mask value"); the if is not reported a second time */
	assert_int_equal(check("if 192.168.0.0/16\n  endif\n", PFA_MAP_CIDR,
	    &c), -1);
	assert_int_equal(c.errors, 1);
	assert_problem(&c, 1, true, "bad prefix length");
	pfa_mapsrc_free(&c);
}

static void
test_regexp_valid(void **state)
{
	(void)state;
	struct pfa_map_check c;
	const char *text =
	    "/[%!@].*[%!@]/ 550 Sender-specified routing rejected\n"
	    "/^postmaster@/ OK\n"
	    "if !/^owner-/\n"
	    "/^(.*)-outgoing@(.*)$/ 550 Use ${1}@$(2) instead $$5\n"
	    "endif\n"
	    "~^[[:alnum:]+/]{60,}$~ OK\n"
	    "|a b|i REJECT case sensitive\n"
	    "/(a)/x OK literal parentheses\n"
	    "/^a$/m OK\n"
	    "/(x)(y)/ $2$1\n"
	    "/with \\/ slash/ OK\n"
	    "/p1/!/p2/ OK\n"
	    "If /x/\n"
	    "  # comment inside\n"
	    "ENDIF\n"
	    "/multi/ first\n"
	    "  second\n";
	assert_int_equal(check(text, PFA_MAP_REGEXP, &c), 0);
	assert_clean(&c);
	assert_int_equal(c.entries, 11);
	pfa_mapsrc_free(&c);

	/* repetitions real tables use stay far below the limit */
	const char *reps =
	    "/^([a-z0-9-]{1,63}\\.){1,10}example\\.com$/ OK\n"
	    "/^[0-9]{1,3}(\\.[0-9]{1,3}){3}$/ OK\n"
	    "/^((a+)+)+(b|c)*[[:alpha:]{}]{2,}x{0,255}$/ OK\n"
	    "/(a{100}){50}/ OK\n"
	    "/^\\(a\\{1,255\\}\\)*b\\+$/x OK\n"
	    "/x{1}/ OK\n";
	assert_int_equal(check(reps, PFA_MAP_REGEXP, &c), 0);
	assert_clean(&c);
	assert_int_equal(c.entries, 6);
	pfa_mapsrc_free(&c);
}

static void
test_regexp_errors(void **state)
{
	(void)state;
	static const struct bad_case cases[] = {
		{ PFA_MAP_REGEXP, "/a/ OK\n/^(x/ BAD\n", 2,
		    "does not compile: Unmatched ( or \\(" },
		{ PFA_MAP_REGEXP, "/y/ $2\n", 1,
		    "$2 in the result, but the pattern has 0 subexpressions" },
		{ PFA_MAP_REGEXP, "/(a)/x $1\n", 1, "has 0 subexpressions" },
		{ PFA_MAP_REGEXP, "/(a)/ $99999999999999999999\n", 1,
		    "has 1 subexpression" },
		{ PFA_MAP_REGEXP, "/z/\n", 1, "no result" },
		{ PFA_MAP_REGEXP, "/q/Z OK\n", 1,
		    "unknown pattern flag \"Z\"" },
		{ PFA_MAP_REGEXP, "/q/s OK\n", 1,
		    "unknown pattern flag \"s\"" },
		{ PFA_MAP_REGEXP, "/open OK\n", 1, "no closing pattern" },
		{ PFA_MAP_REGEXP, "!\n", 1, "no pattern" },
		{ PFA_MAP_REGEXP, "!/neg(a)/ $1\n", 1, "negated pattern" },
		{ PFA_MAP_REGEXP, "/c/!/(d/ OK\n", 1, "does not compile" },
		{ PFA_MAP_REGEXP, "/(a)/ $ x\n", 1, "'$' without a number" },
		{ PFA_MAP_REGEXP, "/(a)/ ${}\n", 1, "'$' without a number" },
		{ PFA_MAP_REGEXP, "/(a)/ ${1\n", 1, "unterminated reference" },
		{ PFA_MAP_REGEXP, "/(a)/ $(1}\n", 1, "unterminated reference" },
		{ PFA_MAP_REGEXP, "/(a)/ $foo\n", 1, "\"foo\" in the result is "
		    "not a number" },
		{ PFA_MAP_REGEXP, "/(a)/ ${1:x}\n", 1, "not a number" },
		{ PFA_MAP_REGEXP, "/(a)/ $0\n", 1, "$0" },
		{ PFA_MAP_REGEXP, "foo bar\n", 1, "not a rule" },
		{ PFA_MAP_REGEXP, "/a/ b\nendif\n", 2,
		    "endif without matching if" },
		{ PFA_MAP_REGEXP, "/a/ b\nif /x/\n/b/ c\n", 2,
		    "if without matching endif" },
		{ PFA_MAP_REGEXP, "if /x/\n/a/ b\nendif\nendif\n", 4,
		    "endif without matching if" },
		{ PFA_MAP_REGEXP, "if /^u/\n  /indented/ OK\nendif\n", 1,
		    "text after the if pattern" },
		{ PFA_MAP_REGEXP, "if /u/\nendif\n  /indented/ OK\n", 2,
		    "text after endif" },
		{ PFA_MAP_REGEXP, "if /(/\nendif\n", 1, "does not compile" },
		/* glibc's regcomp needs 2^n time and memory for n stacked
		 * '+' (20: 10 s), and a tree as large as the product of
		 * nested {n} */
		{ PFA_MAP_REGEXP, "/(a)++++++++++++++++++++/ x\n", 1,
		    "repetition operator after a repetition operator" },
		{ PFA_MAP_REGEXP, "/a*?/ x\n", 1, "need a pcre: table" },
		{ PFA_MAP_REGEXP, "/a{2}*/ x\n", 1, "repetition operator" },
		{ PFA_MAP_REGEXP, "/(((((((((a?)+)?)+)?)+)?)+)?)+/ x\n", 1,
		    "pattern too complex" },
		{ PFA_MAP_REGEXP, "/(((a{100}){100}){100}){10}/ x\n", 1,
		    "too complex" },
		{ PFA_MAP_REGEXP, "/\\(\\(a\\{999\\}\\)*\\)\\{999\\}/x x\n",
		    1, "too complex" },
	};
	run_bad_cases(cases, sizeof(cases) / sizeof(cases[0]));

	/* one error for a bad if, none for its endif */
	struct pfa_map_check c;
	assert_int_equal(check("if /(/\n/a/ b\nendif\n", PFA_MAP_REGEXP, &c),
	    -1);
	assert_int_equal(c.errors, 1);
	assert_int_equal(c.entries, 1);
	pfa_mapsrc_free(&c);
}

static void
test_pcre_valid(void **state)
{
	(void)state;
	struct pfa_map_check c;
	const char *text =
	    "/^a(b)c$/ OK $1\n"
	    "/(?<name>x)(y)/ R $2 ${1}\n"
	    "/q/imsxAEU OK\n"
	    "/\\d+\\s/ OK\n"
	    "if /^foo/\n"
	    "/^foo(bar)/ R ${1}\n"
	    "endif\n"
	    "!/^bar/ DUNNO\n";
	assert_int_equal(check(text, PFA_MAP_PCRE, &c), 0);
	assert_clean(&c);
	assert_int_equal(c.entries, 6);
	pfa_mapsrc_free(&c);

	/* X: a warning, as in Postfix with PCRE2 */
	assert_int_equal(check("/q/X OK\n", PFA_MAP_PCRE, &c), 0);
	assert_int_equal(c.warnings, 1);
	assert_problem(&c, 1, false, "flag X is obsolete");
	assert_int_equal(c.entries, 1);
	pfa_mapsrc_free(&c);
}

static void
test_pcre_errors(void **state)
{
	(void)state;
	static const struct bad_case cases[] = {
		{ PFA_MAP_PCRE, "/^(x/ BAD\n", 1, "error at offset 3: missing "
		    "closing parenthesis" },
		{ PFA_MAP_PCRE, "/a{2,1}/ x\n", 1, "numbers out of order" },
		{ PFA_MAP_PCRE, "/(a)(b)/ $2 $3\n", 1,
		    "$3 in the result, but the pattern has 2 subexpressions" },
		{ PFA_MAP_PCRE, "/q/Z OK\n", 1, "unknown pattern flag \"Z\"" },
		{ PFA_MAP_PCRE, "/z/\n", 1, "no result" },
		{ PFA_MAP_PCRE, "!/neg(a)/ $1\n", 1, "negated pattern" },
		{ PFA_MAP_PCRE, "/a/ b\nendif\n", 2,
		    "endif without matching if" },
		{ PFA_MAP_PCRE, "if /x/\nif /y/\nendif\n", 1,
		    "if without matching endif" },
		{ PFA_MAP_PCRE, "if /x/ extra\nendif\n", 1,
		    "text after the if pattern" },
	};
	run_bad_cases(cases, sizeof(cases) / sizeof(cases[0]));
}

/* ------------------------------------------------- tls_server_sni_maps */

static void
assert_ref(const struct pfa_map_check *c, size_t i, const char *path,
    int line)
{
	assert_true(i < c->nrefs);
	assert_string_equal(c->refs[i].path, path);
	assert_int_equal(c->refs[i].line, line);
}

/* Values are lists of files, split at white space and commas as postmap
 * -F splits them; each file once, sorted, with its first line. */
static void
test_sni_names(void **state)
{
	(void)state;
	struct pfa_map_check c;
	assert_int_equal(check("mx.example.com /k/key.pem /k/cert.pem\n"
	    "# comment /not/a/file\n"
	    "smtp.example.com /k/key.pem,/k/chain.pem\n"
	    "other.example.net\t/a.pem ,\t/k/cert.pem\n"
	    "cont.example.net /k/x.pem\n"
	    "  /k/y.pem\n", PFA_MAP_SNI, &c), 0);
	assert_clean(&c);
	assert_int_equal(c.entries, 4);
	assert_int_equal(c.nrefs, 6);
	assert_ref(&c, 0, "/a.pem", 4);
	assert_ref(&c, 1, "/k/cert.pem", 1);
	assert_ref(&c, 2, "/k/chain.pem", 3);
	assert_ref(&c, 3, "/k/key.pem", 1);
	assert_ref(&c, 4, "/k/x.pem", 5);
	assert_ref(&c, 5, "/k/y.pem", 5);
	/* samples: keys only matter (the values are checked as found) */
	assert_int_equal(c.nsamples, 3);
	assert_string_equal(c.sample_keys[0], "mx.example.com");
	pfa_mapsrc_free(&c);
	assert_null(c.refs);
	assert_int_equal(c.nrefs, 0);

	/* the same text as an ordinary table names no files */
	assert_int_equal(check("mx.example.com /k/key.pem /k/cert.pem\n",
	    PFA_MAP_INDEXED, &c), 0);
	assert_int_equal(c.nrefs, 0);
	pfa_mapsrc_free(&c);
}

static void
test_sni_errors(void **state)
{
	(void)state;
	struct pfa_map_check c;
	assert_int_equal(check("a.example key.pem /k/cert.pem\n"
	    "b.example ,,\n"
	    "c.example /k/c.pem\n"
	    "c.example /k/dup.pem\n"
	    "d.example\n", PFA_MAP_SNI, &c), -1);
	assert_problem(&c, 1, true, "file name \"key.pem\" is not absolute");
	assert_problem(&c, 2, true, "no file names");
	assert_problem(&c, 4, false, "duplicate key");
	assert_problem(&c, 5, true, "expected format");
	assert_int_equal(c.errors, 3);
	/* postmap -F reads the files of a duplicate too: they count */
	assert_int_equal(c.nrefs, 3);
	assert_ref(&c, 0, "/k/c.pem", 3);
	assert_ref(&c, 1, "/k/cert.pem", 1);
	assert_ref(&c, 2, "/k/dup.pem", 4);
	pfa_mapsrc_free(&c);
}

/* A caller adds the problems the text cannot show; the list stays in
 * line order. */
static void
test_problem_public(void **state)
{
	(void)state;
	struct pfa_map_check c;
	assert_int_equal(check("a x\nb y\nb z\n", PFA_MAP_INDEXED, &c), 0);
	pfa_mapsrc_problem(&c, 1, true, "names the file %s", "/k/a.pem");
	assert_int_equal(c.errors, 1);
	assert_int_equal(c.warnings, 1);
	assert_int_equal(c.problems[0].line, 1);
	assert_int_equal(c.problems[1].line, 3);
	pfa_mapsrc_free(&c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kind_names),
		cmocka_unit_test(test_other_kind),
		cmocka_unit_test(test_empty_and_free),
		cmocka_unit_test(test_indexed_valid),
		cmocka_unit_test(test_indexed_errors),
		cmocka_unit_test(test_duplicates),
		cmocka_unit_test(test_alias_format),
		cmocka_unit_test(test_samples),
		cmocka_unit_test(test_nul),
		cmocka_unit_test(test_long_line),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_problem_cap),
		cmocka_unit_test(test_cidr_valid),
		cmocka_unit_test(test_cidr_errors),
		cmocka_unit_test(test_regexp_valid),
		cmocka_unit_test(test_regexp_errors),
		cmocka_unit_test(test_pcre_valid),
		cmocka_unit_test(test_pcre_errors),
		cmocka_unit_test(test_sni_names),
		cmocka_unit_test(test_sni_errors),
		cmocka_unit_test(test_problem_public),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
