/*
 * test_blacklist.c - the sender blacklist of rebuild-maps
 * (tasks/blacklist.c): every reason an entry is refused and the forms
 * that pass; merging list files into the map source (folding, trimming,
 * sorting, de-duplication, the header line, FILE:LINE findings and their
 * cap); the blacklist group of pfagent.conf; and the check that main.cf
 * uses the map, against a real `postconf -c DIR` over fixture files.
 */
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

#include "blacklist.h"
#include "result.h"
#include "testutil.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* A string of N copies of CH (N < 1024), in one of two rotating buffers. */
static const char *
rep(char ch, size_t n)
{
	static char bufs[2][1024];
	static int k;
	char *b = bufs[k++ % 2];
	assert_true(n < sizeof(bufs[0]));
	memset(b, ch, n);
	b[n] = '\0';
	return b;
}

/* ---------------------------------------------------- entry check */

static void
expect_bad(const char *entry, const char *why_part)
{
	const char *why = NULL;
	if (pfa_bl_entry_check(entry, &why) != -1) {
		print_message("\"%s\" accepted\n", entry);
		fail();
	}
	assert_non_null(why);
	if (strstr(why, why_part) == NULL) {
		print_message("\"%s\": \"%s\", want \"%s\"\n", entry, why,
		    why_part);
		fail();
	}
}

static void
expect_good(const char *entry)
{
	const char *why = NULL;
	if (pfa_bl_entry_check(entry, &why) != 0) {
		print_message("\"%s\" refused: %s\n", entry, why ? why : "?");
		fail();
	}
}

static void
test_entry_empty_and_long(void **state)
{
	(void)state;
	expect_bad("", "empty entry");
	char e[400];
	/* 321 characters: too long before anything else is looked at */
	snprintf(e, sizeof(e), "%s@%s", rep('a', 64), rep('b', 256));
	assert_int_equal(strlen(e), 321);
	expect_bad(e, "longer than 320");
	snprintf(e, sizeof(e), "%s", rep('a', 321));
	expect_bad(e, "longer than 320");
}

static void
test_entry_spaces(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"a b@example.com", "user@exa mple.com", "a\tb@example.com",
		"user@example.com\r", "user@example.com x", "@exa mple.com",
		"example.com REJECT", "a\vb", "a\fb", "a\nb",
	};
	for (size_t i = 0; i < NELEM(bad); i++)
		expect_bad(bad[i], "space inside the entry");
}

static void
test_entry_at_signs(void **state)
{
	(void)state;
	expect_bad("a@b@example.com", "more than one '@'");
	expect_bad("@@example.com", "more than one '@'");
	expect_bad("user@example.com@", "more than one '@'");
	expect_bad("user@", "no domain after '@'");
	expect_bad("@", "no domain after '@'");
}

static void
test_entry_local_part(void **state)
{
	(void)state;
	char e[200];
	snprintf(e, sizeof(e), "%s@example.com", rep('a', 65));
	expect_bad(e, "local part longer than 64");
	static const char *const badch[] = {
		"a(b@example.com", "a)b@example.com", "a\"b@example.com",
		"a,b@example.com", "a:b@example.com", "a;b@example.com",
		"a<b@example.com", "a>b@example.com", "a[b@example.com",
		"a]b@example.com", "a\\b@example.com",
		"\xc3\xa9t\xc3\xa9@example.com", "a\x01" "b@example.com",
		"a\x7f" "b@example.com",
	};
	for (size_t i = 0; i < NELEM(badch); i++)
		expect_bad(badch[i], "bad character in the local part");
	static const char *const dots[] = {
		".user@example.com", "user.@example.com", "us..er@example.com",
		".@example.com", "..@example.com",
	};
	for (size_t i = 0; i < NELEM(dots); i++)
		expect_bad(dots[i], "local part starts or ends with a dot");
}

static void
test_entry_domain(void **state)
{
	(void)state;
	static const char *const empty_label[] = {
		"user@example..com", "user@.example.com", "user@example.com.",
		"@.example.com", "@example.com.", "example..com",
		".example.com", "example.com.", ".", "..", "user@.",
	};
	for (size_t i = 0; i < NELEM(empty_label); i++)
		expect_bad(empty_label[i], "empty label");

	char e[400];
	snprintf(e, sizeof(e), "user@%s.com", rep('a', 64));
	expect_bad(e, "label longer than 63");
	snprintf(e, sizeof(e), "%s", rep('a', 64));
	expect_bad(e, "label longer than 63");
	snprintf(e, sizeof(e), "@x.%s", rep('b', 64));
	expect_bad(e, "label longer than 63");

	/* 255 characters, with labels of 63 */
	snprintf(e, sizeof(e), "user@%s.", rep('a', 63));
	strcat(e, rep('b', 63));
	strcat(e, ".");
	strcat(e, rep('c', 63));
	strcat(e, ".");
	strcat(e, rep('d', 63));
	assert_int_equal(strlen(e), 5 + 255);
	expect_bad(e, "domain longer than 253");
	expect_bad(e + 4, "domain longer than 253");	/* "@..." */
	expect_bad(e + 5, "domain longer than 253");	/* bare domain */

	static const char *const badch[] = {
		"user@exa_mple.com", "user@example.com:25", "user@[1.2.3.4]",
		"user@ex!ample.com", "user@b\xc3\xbc" "cher.de", "ex*ample.com",
		"example.com/24", "user@Example.com", "EXAMPLE.COM",
		"user@example.c%m", "user@example.com;",
	};
	for (size_t i = 0; i < NELEM(badch); i++)
		expect_bad(badch[i], "only letters, digits");

	static const char *const hyphen[] = {
		"user@-example.com", "user@example-.com", "user@example.-com",
		"-example.com", "example.com-", "@x.y-", "-",
	};
	for (size_t i = 0; i < NELEM(hyphen); i++)
		expect_bad(hyphen[i], "starts or ends with '-'");
}

static void
test_entry_valid(void **state)
{
	(void)state;
	static const char *const good[] = {
		"user@example.com", "@example.com", "example.com",
		"localhost", "a", "1", "a@b", "@b",
		"first.last+tag@sub.example.co.uk",
		"!#$%&'*+/=?^_`{|}~-@example.com", "a-b@x-y.example",
		"xn--bcher-kva.example", "user@xn--bcher-kva.example",
		"192.0.2.1", "0-0.9", "User@example.com",	/* local part case */
	};
	for (size_t i = 0; i < NELEM(good); i++)
		expect_good(good[i]);

	/* the limits themselves */
	char e[400];
	snprintf(e, sizeof(e), "%s@example.com", rep('a', 64));
	expect_good(e);
	snprintf(e, sizeof(e), "user@%s.com", rep('a', 63));
	expect_good(e);
	/* 64 + '@' + a 253-character domain: 318, the longest entry */
	snprintf(e, sizeof(e), "%s@%s.", rep('l', 64), rep('a', 63));
	strcat(e, rep('b', 63));
	strcat(e, ".");
	strcat(e, rep('c', 63));
	strcat(e, ".");
	strcat(e, rep('d', 61));
	assert_int_equal(strlen(e), 318);
	expect_good(e);
	expect_good(strchr(e, '@'));
	expect_good(strchr(e, '@') + 1);
}

/* ---------------------------------------------------- fixtures */

static char dir[64];

static int
setup_dir(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/pfa-tbl.XXXXXX");
	assert_non_null(mkdtemp(dir));
	return 0;
}

static int
teardown_dir(void **state)
{
	(void)state;
	static const char *const names[] = {
		"l1", "l2", "l3", "empty", "main.cf", "master.cf", "stderr",
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

/* Writes LEN bytes of TEXT to DIR/NAME; its path in a static buffer. */
static const char *
write_n(const char *name, const char *text, size_t len)
{
	static char bufs[4][160];
	static int k;
	char *p = bufs[k++ % 4];
	snprintf(p, sizeof(bufs[0]), "%s/%s", dir, name);
	pfa_test_write(p, text, len, 0644);
	return p;
}

static const char *
write_file(const char *name, const char *text)
{
	return write_n(name, text, strlen(text));
}

/* ---------------------------------------------------- assembly */

static const struct pfa_finding *
finding_for(const struct pfa_result *r, const char *subject)
{
	for (size_t i = 0; i < r->nfindings; i++)
		if (strcmp(r->findings[i].subject, subject) == 0)
			return &r->findings[i];
	return NULL;
}

static void
test_assemble(void **state)
{
	(void)state;
	char *l1 = strdup(write_file("l1",
	    "# local blacklist\n"
	    "\n"
	    "  Spammer@Example.COM  \n"
	    "@Bad.Example\n"
	    "\tzeta.example\t\r\n"
	    "   # indented comment\n"
	    "alpha@b.example\n"
	    "spammer@example.com\n"
	    "#spammer@not-this.example\n"
	    "last@no-newline.example"));
	char *l2 = strdup(write_file("l2",
	    "bad.example\r\n"
	    "ALPHA@B.EXAMPLE\r\n"
	    "a@c.example\n"));
	char *lists[] = { l1, l2, NULL };
	struct pfa_bl_conf c = { .lists = lists, .action = "REJECT" };
	struct pfa_result res;
	pfa_result_init(&res);
	char *out = NULL;
	size_t len = 0, n = 0;
	assert_int_equal(pfa_bl_assemble(&c, &res, &out, &len, &n), 0);
	assert_int_equal(res.nfindings, 0);
	char want[1024];
	snprintf(want, sizeof(want),
	    "# generated by pfagent from: %s, %s -- do not edit\n"
	    "a@c.example REJECT\n"
	    "alpha@b.example REJECT\n"
	    "bad.example REJECT\n"
	    "last@no-newline.example REJECT\n"
	    "spammer@example.com REJECT\n"
	    "zeta.example REJECT\n", l1, l2);
	assert_string_equal(out, want);
	assert_int_equal(len, strlen(want));
	assert_int_equal(n, 6);
	free(out);
	pfa_result_free(&res);

	/* another action, one list */
	char *one[] = { l2, NULL };
	c.lists = one;
	c.action = "554 5.7.1 go away";
	pfa_result_init(&res);
	assert_int_equal(pfa_bl_assemble(&c, &res, &out, &len, &n), 0);
	snprintf(want, sizeof(want),
	    "# generated by pfagent from: %s -- do not edit\n"
	    "a@c.example 554 5.7.1 go away\n"
	    "alpha@b.example 554 5.7.1 go away\n"
	    "bad.example 554 5.7.1 go away\n", l2);
	assert_string_equal(out, want);
	assert_int_equal(n, 3);
	free(out);
	pfa_result_free(&res);
	free(l1);
	free(l2);
}

/* Lists with nothing in them: just the header, 0 entries. */
static void
test_assemble_empty(void **state)
{
	(void)state;
	char *e = strdup(write_file("empty", ""));
	char *l1 = strdup(write_file("l1", "# nothing yet\n\n   \n\t\n"));
	char *lists[] = { e, l1, NULL };
	struct pfa_bl_conf c = { .lists = lists, .action = "REJECT" };
	struct pfa_result res;
	pfa_result_init(&res);
	char *out = NULL;
	size_t len = 0, n = 99;
	assert_int_equal(pfa_bl_assemble(&c, &res, &out, &len, &n), 0);
	char want[512];
	snprintf(want, sizeof(want),
	    "# generated by pfagent from: %s, %s -- do not edit\n", e, l1);
	assert_string_equal(out, want);
	assert_int_equal(len, strlen(want));
	assert_int_equal(n, 0);
	assert_int_equal(res.nfindings, 0);
	free(out);
	pfa_result_free(&res);
	free(e);
	free(l1);
}

/* Assembles LISTS expecting failure; nothing returned. */
static void
assemble_fails(char **lists, struct pfa_result *res)
{
	struct pfa_bl_conf c = { .lists = lists, .action = "REJECT" };
	pfa_result_init(res);
	char *out = NULL;
	size_t len = 7, n = 7;
	assert_int_equal(pfa_bl_assemble(&c, res, &out, &len, &n), -1);
	assert_null(out);
	assert_int_equal(len, 7);
	assert_int_equal(n, 7);
	assert_int_equal(res->status, PFA_CRITICAL);
	for (size_t i = 0; i < res->nfindings; i++) {
		assert_int_equal(res->findings[i].sev, PFA_SEV_CRITICAL);
		assert_string_equal(res->findings[i].id, "PFA-MAP-004");
	}
}

static void
expect_finding(const struct pfa_result *r, const char *file, int line,
    const char *why_part)
{
	char subj[200];
	if (line > 0)
		snprintf(subj, sizeof(subj), "%s:%d", file, line);
	else
		snprintf(subj, sizeof(subj), "%s", file);
	const struct pfa_finding *f = finding_for(r, subj);
	if (f == NULL) {
		print_message("no finding for %s; got:\n", subj);
		for (size_t i = 0; i < r->nfindings; i++)
			print_message("  %s: %s\n", r->findings[i].subject,
			    r->findings[i].message);
		fail();
	}
	if (strstr(f->message, why_part) == NULL) {
		print_message("%s: \"%s\", want \"%s\"\n", subj, f->message,
		    why_part);
		fail();
	}
}

static void
test_assemble_bad_lines(void **state)
{
	(void)state;
	char *l1 = strdup(write_file("l1",
	    "# comment\n"
	    "good@example.com\n"
	    "two words@example.com\n"
	    "\n"
	    "a@b@example.com\n"
	    "user@exa_mple.com\n"
	    "x@-bad.example\n"
	    ".dot@example.com\n"
	    "@\n"
	    "Secret@Example.COM..\n"));
	/* a NUL byte: the line is refused even though it trims to text */
	static const char nul[] = "ok.example\nhi\0dden.example\nok2.example\n";
	char *l2 = strdup(write_n("l2", nul, sizeof(nul) - 1));
	char *l3 = strdup(write_file("l3", "fine.example\n"));
	char *lists[] = { l1, l2, l3, NULL };
	struct pfa_result res;
	assemble_fails(lists, &res);
	expect_finding(&res, l1, 3, "space inside the entry");
	expect_finding(&res, l1, 5, "more than one '@'");
	expect_finding(&res, l1, 6, "only letters, digits");
	expect_finding(&res, l1, 7, "starts or ends with '-'");
	expect_finding(&res, l1, 8, "starts or ends with a dot");
	expect_finding(&res, l1, 9, "no domain after '@'");
	expect_finding(&res, l1, 10, "empty label");
	expect_finding(&res, l2, 2, "NUL byte");
	assert_int_equal(res.nfindings, 8);
	/* entries are not echoed: FILE:LINE says where */
	for (size_t i = 0; i < res.nfindings; i++) {
		assert_null(strstr(res.findings[i].message, "secret"));
		assert_null(strstr(res.findings[i].message, "Secret"));
		assert_null(strstr(res.findings[i].message, "words"));
	}
	pfa_result_free(&res);
	free(l1);
	free(l2);
	free(l3);
}

/* At most 20 findings per file, then one with the total. */
static void
test_assemble_cap(void **state)
{
	(void)state;
	char text[4096] = "";
	for (int i = 1; i <= 25; i++)
		strcat(text, "bad entry\n");
	char *l1 = strdup(write_file("l1", text));
	char *l2 = strdup(write_file("l2", "ok.example\nbad_one.example\n"));
	char *lists[] = { l1, l2, NULL };
	struct pfa_result res;
	assemble_fails(lists, &res);
	assert_int_equal(res.nfindings, 20 + 1 + 1);
	expect_finding(&res, l1, 1, "space");
	expect_finding(&res, l1, 20, "space");
	char subj[200];
	snprintf(subj, sizeof(subj), "%s:21", l1);
	assert_null(finding_for(&res, subj));
	expect_finding(&res, l1, 0, "25 bad lines");
	expect_finding(&res, l2, 2, "only letters");
	pfa_result_free(&res);
	free(l1);
	free(l2);
}

static void
test_assemble_unreadable(void **state)
{
	(void)state;
	char *good = strdup(write_file("l1", "ok.example\n"));
	char missing[160], sub[160];
	snprintf(missing, sizeof(missing), "%s/missing", dir);
	snprintf(sub, sizeof(sub), "%s/sub", dir);
	assert_int_equal(mkdir(sub, 0700), 0);
	char *lists[] = { good, missing, sub, NULL };
	struct pfa_result res;
	assemble_fails(lists, &res);
	assert_int_equal(res.nfindings, 2);
	expect_finding(&res, missing, 0, "No such file or directory");
	expect_finding(&res, sub, 0, "not a regular file");
	pfa_result_free(&res);
	free(good);
}

/* ------------------------------------------ pfagent.conf: blacklist */

static char errtext[8192];

/*
 * Parses TEXT (a libconfig document with a group "b") and runs
 * pfa_bl_configure on b with stderr captured into errtext.
 */
static int
configure(const char *text, struct pfa_bl_conf *out)
{
	config_t cfg;
	config_init(&cfg);
	if (config_read_string(&cfg, text) != CONFIG_TRUE) {
		print_message("libconfig: %s\n", config_error_text(&cfg));
		fail();
	}
	const config_setting_t *b = config_lookup(&cfg, "b");
	assert_non_null(b);

	char cap[160];
	snprintf(cap, sizeof(cap), "%s/stderr", dir);
	fflush(stderr);
	int saved = dup(2);
	int fd = open(cap, O_RDWR | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	dup2(fd, 2);
	int rc = pfa_bl_configure(b, out);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	lseek(fd, 0, SEEK_SET);
	ssize_t n = read(fd, errtext, sizeof(errtext) - 1);
	errtext[n > 0 ? n : 0] = '\0';
	close(fd);
	config_destroy(&cfg);
	return rc;
}

static void
expect_conf_ok(const char *text, const char *type, const char *path,
    const char *action)
{
	struct pfa_bl_conf c;
	if (configure(text, &c) != 0) {
		print_message("refused: %s\n%s", text, errtext);
		fail();
	}
	assert_string_equal(errtext, "");
	assert_string_equal(c.type, type);
	assert_string_equal(c.path, path);
	char spec[200];
	snprintf(spec, sizeof(spec), "%s:%s", type, path);
	assert_string_equal(c.spec, spec);
	assert_string_equal(c.action, action);
	pfa_bl_conf_free(&c);
	assert_null(c.lists);
	assert_null(c.spec);
}

static void
expect_conf_error(const char *text, const char *needle)
{
	struct pfa_bl_conf c;
	assert_int_equal(configure(text, &c), -1);
	if (strstr(errtext, needle) == NULL) {
		print_message("%s\nwant \"%s\" in:\n%s", text, needle,
		    errtext);
		fail();
	}
	pfa_bl_conf_free(&c);
}

static void
test_configure_valid(void **state)
{
	(void)state;
	struct pfa_bl_conf c;
	assert_int_equal(configure("b = { lists = [ \"/etc/postfix/bl/a\", "
	    "\"/etc/postfix/bl/b\" ]; map = \"hash:/etc/postfix/blacklist\"; "
	    "};", &c), 0);
	assert_string_equal(c.lists[0], "/etc/postfix/bl/a");
	assert_string_equal(c.lists[1], "/etc/postfix/bl/b");
	assert_null(c.lists[2]);
	assert_string_equal(c.spec, "hash:/etc/postfix/blacklist");
	assert_string_equal(c.action, "REJECT");
	pfa_bl_conf_free(&c);

	expect_conf_ok("b = { lists = [ \"/l\" ]; map = \"/etc/postfix/bl\"; };",
	    "hash", "/etc/postfix/bl", "REJECT");
	expect_conf_ok("b = { lists = [ \"/l\" ]; map = \"btree:/m\"; };",
	    "btree", "/m", "REJECT");
	expect_conf_ok("b = { lists = [ \"/l\" ]; map = \"lmdb:/m\"; };",
	    "lmdb", "/m", "REJECT");
	expect_conf_ok("b = { lists = [ \"/l\" ]; map = \"cdb:/m\"; };",
	    "cdb", "/m", "REJECT");
	static const char *const actions[] = {
		"REJECT", "reject", "REJECT you are blacklisted", "DISCARD",
		"HOLD", "DEFER_IF_PERMIT", "554 5.7.1 no", "450", "WARN why",
		"REDIRECT x@example.com", "OK",
	};
	for (size_t i = 0; i < NELEM(actions); i++) {
		char text[300];
		snprintf(text, sizeof(text), "b = { lists = [ \"/l\" ]; "
		    "map = \"hash:/m\"; action = \"%s\"; };", actions[i]);
		expect_conf_ok(text, "hash", "/m", actions[i]);
	}
}

static void
test_configure_errors(void **state)
{
	(void)state;
	expect_conf_error("b = 1;", "expected a group");
	expect_conf_error("b = { map = \"hash:/m\"; };", "lists is required");
	expect_conf_error("b = { lists = [ ]; map = \"hash:/m\"; };",
	    "lists is empty");
	expect_conf_error("b = { lists = \"/l\"; map = \"hash:/m\"; };",
	    "expected a list of strings");
	expect_conf_error("b = { lists = [ \"rel/l\" ]; map = \"hash:/m\"; };",
	    "\"rel/l\" is not an absolute path");
	expect_conf_error("b = { lists = [ \"/l\" ]; };", "map is required");
	static const char *const maps[] = {
		"hash:m", "regexp:/m", "pcre:/m", "cidr:/m", "texthash:/m",
		"dbm:/m", "proxy:hash:/m", "mysql:/m", "m", "", "hash:",
	};
	for (size_t i = 0; i < NELEM(maps); i++) {
		char text[300], needle[100];
		snprintf(text, sizeof(text), "b = { lists = [ \"/l\" ]; "
		    "map = \"%s\"; };", maps[i]);
		snprintf(needle, sizeof(needle), "\"%s\" is not TYPE:/absolute"
		    "/path", maps[i]);
		expect_conf_error(text, needle);
	}
	expect_conf_error("b = { lists = [ \"/a\", \"/m\" ]; map = \"hash:/m\";"
	    " };", "the map source /m is also a list file");
	expect_conf_error("b = { lists = [ \"/m\" ]; map = \"/m\"; };",
	    "also a list file");
	static const char *const actions[] = {
		"", " REJECT", "FOO", "REJECTED", "45", "4500", "45a text",
		"REJECT\ttab", "REJECT \xc3\xa9", "DEFER_IF",
	};
	for (size_t i = 0; i < NELEM(actions); i++) {
		char text[300];
		snprintf(text, sizeof(text), "b = { lists = [ \"/l\" ]; "
		    "map = \"hash:/m\"; action = \"%s\"; };", actions[i]);
		expect_conf_error(text, "is not an access(5) action");
	}
	expect_conf_error("b = { lists = [ \"/l\" ]; map = \"hash:/m\"; "
	    "acton = \"REJECT\"; };", "acton");
}

/* Every problem is reported, not only the first. */
static void
test_configure_all_errors(void **state)
{
	(void)state;
	expect_conf_error("b = { lists = [ \"rel\" ]; map = \"regexp:/m\"; "
	    "action = \"NOPE\"; };", "\"rel\" is not an absolute path");
	assert_non_null(strstr(errtext, "\"regexp:/m\" is not TYPE"));
	assert_non_null(strstr(errtext, "\"NOPE\" is not an access(5)"));
}

/* --------------------------------------------- is the map used? */

static const char *
require_postconf(void)
{
	if (access("/usr/sbin/postconf", X_OK) != 0) {
		print_message("/usr/sbin/postconf missing: install postfix\n");
		fail();
	}
	return "/usr/sbin";
}

/* TEMPLATE with every "@D@" replaced by DIR, into OUT. */
static void
subst(char *out, size_t size, const char *template)
{
	size_t o = 0;
	for (const char *p = template; *p;) {
		if (strncmp(p, "@D@", 3) == 0) {
			o += (size_t)snprintf(out + o, size - o, "%s", dir);
			p += 3;
		} else {
			out[o++] = *p++;
		}
		assert_true(o < size);
	}
	out[o] = '\0';
}

/*
 * Runs pfa_bl_check_referenced for hash:DIR/bl over MAIN (main.cf) and
 * MASTER (master.cf lines after the smtp service), both with "@D@" for
 * DIR.  Returns the number of findings; the first one's remedy goes to
 * REMEDY.
 */
static size_t
referenced(const char *main_t, const char *master_t, char *remedy,
    size_t rsize)
{
	char text[2048], extra[1024] = "";
	subst(text, sizeof(text), main_t);
	write_file("main.cf", text);
	if (master_t != NULL)
		subst(extra, sizeof(extra), master_t);
	snprintf(text, sizeof(text),
	    "smtp      inet  n       -       n       -       -       smtpd\n"
	    "%s", extra);
	write_file("master.cf", text);

	struct pfa_postfix *pf = pfa_postfix_new(dir, require_postconf());
	char map[160], spec[170];
	snprintf(map, sizeof(map), "%s/bl", dir);
	snprintf(spec, sizeof(spec), "hash:%s", map);
	struct pfa_bl_conf c = { .type = "hash", .path = map, .spec = spec,
	    .action = "REJECT" };
	struct pfa_result res;
	pfa_result_init(&res);
	pfa_bl_check_referenced(pf, &c, &res);
	size_t n = res.nfindings;
	if (n > 0) {
		const struct pfa_finding *f = &res.findings[0];
		assert_int_equal(f->sev, PFA_SEV_WARNING);
		assert_string_equal(f->id, "PFA-MAP-006");
		assert_string_equal(f->subject, spec);
		assert_non_null(strstr(f->message, "check_sender_access"));
		assert_non_null(f->remedy);
		snprintf(remedy, rsize, "%s", f->remedy);
		assert_int_equal(res.status, PFA_WARNING);
	}
	pfa_result_free(&res);
	pfa_postfix_free(pf);
	return n;
}

static void
test_referenced(void **state)
{
	(void)state;
	char remedy[1024];
	static const char *const used[] = {
		"smtpd_sender_restrictions = check_sender_access hash:@D@/bl\n",
		"smtpd_sender_restrictions = permit_mynetworks,"
		" check_sender_access proxy:hash:@D@/bl, permit\n",
		"smtpd_recipient_restrictions = permit_mynetworks,"
		" reject_unauth_destination, check_sender_access hash:@D@/bl\n",
		"smtpd_relay_restrictions = reject_unauth_destination,"
		" { check_sender_access hash:@D@/bl }\n",
		"smtpd_restriction_classes = blocked\n"
		"blocked = check_sender_access hash:@D@/bl\n"
		"smtpd_recipient_restrictions = blocked,"
		" reject_unauth_destination\n",
		"bl_map = hash:@D@/bl\n"
		"smtpd_sender_restrictions = check_sender_access $bl_map\n",
	};
	for (size_t i = 0; i < NELEM(used); i++) {
		if (referenced(used[i], NULL, remedy, sizeof(remedy)) != 0) {
			print_message("not seen as used:\n%s", used[i]);
			fail();
		}
	}
	/* in a master.cf -o override only */
	assert_int_equal(referenced("compatibility_level = 3.6\n",
	    "127.0.0.1:2525 inet n - n - - smtpd\n"
	    "  -o smtpd_sender_restrictions=check_sender_access,hash:@D@/bl\n",
	    remedy, sizeof(remedy)), 0);
}

static void
test_not_referenced(void **state)
{
	(void)state;
	char remedy[1024], want[1024];
	static const char *const unused[] = {
		"compatibility_level = 3.6\n",
		/* another type, or another path */
		"smtpd_sender_restrictions = check_sender_access lmdb:@D@/bl\n",
		"smtpd_sender_restrictions = check_sender_access hash:@D@/bl2\n",
		/* a table, but not in a restriction list */
		"sender_canonical_maps = hash:@D@/bl\n",
		/* a class that is defined but not listed as one */
		"blocked = check_sender_access hash:@D@/bl\n",
	};
	for (size_t i = 0; i < NELEM(unused); i++) {
		if (referenced(unused[i], NULL, remedy, sizeof(remedy)) != 1) {
			print_message("seen as used:\n%s", unused[i]);
			fail();
		}
	}
	/* the remedy keeps what smtpd_sender_restrictions had */
	assert_int_equal(referenced("compatibility_level = 3.6\n"
	    "smtpd_sender_restrictions = permit_mynetworks,"
	    " reject_non_fqdn_sender\n", NULL, remedy, sizeof(remedy)), 1);
	snprintf(want, sizeof(want), "postconf -c %s -e "
	    "'smtpd_sender_restrictions = check_sender_access hash:%s/bl, "
	    "permit_mynetworks, reject_non_fqdn_sender'", dir, dir);
	assert_string_equal(remedy, want);
	assert_int_equal(referenced("compatibility_level = 3.6\n", NULL,
	    remedy, sizeof(remedy)), 1);
	snprintf(want, sizeof(want), "postconf -c %s -e "
	    "'smtpd_sender_restrictions = check_sender_access hash:%s/bl'",
	    dir, dir);
	assert_string_equal(remedy, want);
}

/* postconf failing is reported elsewhere: no finding here. */
static void
test_referenced_postconf_fails(void **state)
{
	(void)state;
	char missing[160], map[] = "/x/bl", spec[] = "hash:/x/bl";
	snprintf(missing, sizeof(missing), "%s/no-such-dir", dir);
	struct pfa_postfix *pf = pfa_postfix_new(missing, require_postconf());
	struct pfa_bl_conf c = { .type = "hash", .path = map, .spec = spec,
	    .action = "REJECT" };
	struct pfa_result res;
	pfa_result_init(&res);
	pfa_bl_check_referenced(pf, &c, &res);
	assert_int_equal(res.nfindings, 0);
	assert_int_equal(res.status, PFA_OK);
	pfa_result_free(&res);
	pfa_postfix_free(pf);
}

int
main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup_dir, teardown_dir)
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_entry_empty_and_long),
		cmocka_unit_test(test_entry_spaces),
		cmocka_unit_test(test_entry_at_signs),
		cmocka_unit_test(test_entry_local_part),
		cmocka_unit_test(test_entry_domain),
		cmocka_unit_test(test_entry_valid),
		T(test_assemble),
		T(test_assemble_empty),
		T(test_assemble_bad_lines),
		T(test_assemble_cap),
		T(test_assemble_unreadable),
		T(test_configure_valid),
		T(test_configure_errors),
		T(test_configure_all_errors),
		T(test_referenced),
		T(test_not_referenced),
		T(test_referenced_postconf_fails),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
