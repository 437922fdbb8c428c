/*
 * test_trust.c - the ownership rule (agent/trust.c): the file, every
 * directory above it, the path behind symbolic links, /tmp's sticky bit,
 * and what the refusal names.  Owner cases need root (CI runs as root).
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "trust.h"
#include "testutil.h"

static char *dir;

static int
setup(void **state)
{
	(void)state;
	dir = pfa_test_mkdtemp("trust");	/* under /tmp: sticky, root's */
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	pfa_test_rm_rf(dir);
	free(dir);
	return 0;
}

static void
test_trusted_file(void **state)
{
	(void)state;
	char *f = pfa_test_write_in(dir, "ok.conf", "x\n");
	chmod(f, 0600);
	struct pfa_untrusted u;
	assert_int_equal(pfa_trust_path(f, &u), 0);
	assert_int_equal(pfa_trust_path("/usr/sbin/postconf", &u), 0);
	free(f);
}

static void
test_writable_file(void **state)
{
	(void)state;
	char *f = pfa_test_write_in(dir, "open.conf", "x\n");
	chmod(f, 0620);
	struct pfa_untrusted u;
	assert_int_equal(pfa_trust_path(f, &u), -1);
	assert_string_equal(u.path, f);
	assert_non_null(strstr(u.why, "writable by group or other (mode 0620)"));
	assert_non_null(strstr(u.fix, "chmod go-w"));
	free(f);
}

static void
test_writable_directory_above(void **state)
{
	(void)state;
	char *sub = pfa_test_path(dir, "shared");
	assert_int_equal(mkdir(sub, 0777), 0);
	chmod(sub, 0777);
	char *f = pfa_test_write_in(sub, "f", "x\n");
	chmod(f, 0600);
	struct pfa_untrusted u;
	assert_int_equal(pfa_trust_path(f, &u), -1);
	assert_string_equal(u.path, sub);
	/* sticky and root's, like /tmp: others cannot replace f */
	if (geteuid() == 0) {
		chmod(sub, 01777);
		assert_int_equal(pfa_trust_path(f, &u), 0);
		/* but not as the directory asked about */
		assert_int_equal(pfa_trust_path(sub, &u), -1);
	}
	free(f);
	free(sub);
}

static void
test_owner(void **state)
{
	(void)state;
	if (geteuid() != 0)
		return;	/* any owner is the user's own */
	char *f = pfa_test_write_in(dir, "nobody.conf", "x\n");
	chmod(f, 0600);
	assert_int_equal(chown(f, 65534, 65534), 0);
	struct pfa_untrusted u;
	assert_int_equal(pfa_trust_path(f, &u), -1);
	assert_non_null(strstr(u.why, "not owned by root (owner uid 65534"));
	assert_non_null(strstr(u.fix, "chown root:root"));
	/* a sticky directory others own is not /tmp */
	char *sub = pfa_test_path(dir, "theirs");
	assert_int_equal(mkdir(sub, 01777), 0);
	chmod(sub, 01777);
	assert_int_equal(chown(sub, 65534, 65534), 0);
	char *g = pfa_test_write_in(sub, "g", "x\n");
	chmod(g, 0600);
	assert_int_equal(pfa_trust_path(g, &u), -1);
	assert_string_equal(u.path, sub);
	free(g);
	free(sub);
	free(f);
}

/* A link in a trusted place leading to an untrusted file or directory. */
static void
test_symlink_target(void **state)
{
	(void)state;
	char *sub = pfa_test_path(dir, "elsewhere");
	assert_int_equal(mkdir(sub, 0777), 0);
	chmod(sub, 0777);
	char *f = pfa_test_write_in(sub, "real.conf", "x\n");
	chmod(f, 0600);
	char *link = pfa_test_path(dir, "link.conf");
	assert_int_equal(symlink(f, link), 0);
	struct pfa_untrusted u;
	assert_int_equal(pfa_trust_path(link, &u), -1);
	assert_string_equal(u.path, sub);
	chmod(sub, 0755);
	assert_int_equal(pfa_trust_path(link, &u), 0);
	chmod(f, 0666);
	assert_int_equal(pfa_trust_path(link, &u), -1);
	assert_string_equal(u.path, f);
	free(link);
	free(f);
	free(sub);
}

static void
test_missing(void **state)
{
	(void)state;
	char *f = pfa_test_path(dir, "absent");
	struct pfa_untrusted u;
	assert_int_equal(pfa_trust_path(f, &u), -1);
	assert_string_equal(u.fix, "");
	assert_non_null(strstr(u.why, "No such file"));
	assert_int_equal(pfa_trust_path("relative/path", &u), -1);
	free(f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_trusted_file),
		cmocka_unit_test(test_writable_file),
		cmocka_unit_test(test_writable_directory_above),
		cmocka_unit_test(test_owner),
		cmocka_unit_test(test_symlink_target),
		cmocka_unit_test(test_missing),
	};
	return cmocka_run_group_tests_name("trust", tests, setup, teardown);
}
