/*
 * test_file.c - the one whole-file reader (agent/file.c): contents and
 * stat, the size cap at and around its limit, symlinks refused unless
 * followed on purpose, directories, FIFOs and devices refused without
 * blocking, outputs untouched on failure; pfa_file_same.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file.h"
#include "testutil.h"

static char *dir;

static int
setup(void **state)
{
	(void)state;
	dir = pfa_test_mkdtemp("tfile");
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

/* pfa_file_read on DIR/NAME; returns its result, errno in *err. */
static int
read_in(const char *name, size_t max, unsigned flags, char **buf,
    size_t *len, struct stat *st, int *err)
{
	char *p = pfa_test_path(dir, name);
	errno = 0;
	int rc = pfa_file_read(p, max, flags, buf, len, st);
	*err = errno;
	free(p);
	return rc;
}

static void
test_read(void **state)
{
	(void)state;
	static const char text[] = "key1 value1\nkey2 value2\n";
	free(pfa_test_write_in(dir, "src", text));
	char *buf = NULL;
	size_t len = 0;
	struct stat st;
	int err;

	assert_int_equal(read_in("src", 1 << 20, 0, &buf, &len, &st, &err), 0);
	assert_int_equal(len, strlen(text));
	assert_string_equal(buf, text);
	assert_int_equal(st.st_size, (off_t)strlen(text));
	assert_true(S_ISREG(st.st_mode));
	free(buf);

	/* exactly MAX bytes is fine, one more is EFBIG */
	buf = NULL;
	assert_int_equal(read_in("src", strlen(text), 0, &buf, &len, &st,
	    &err), 0);
	assert_int_equal(len, strlen(text));
	free(buf);
	buf = NULL;
	assert_int_equal(read_in("src", strlen(text) - 1, 0, &buf, &len, &st,
	    &err), -1);
	assert_int_equal(err, EFBIG);
	assert_null(buf);

	/* empty: a NUL-terminated empty buffer */
	free(pfa_test_write_in(dir, "empty", ""));
	assert_int_equal(read_in("empty", 10, 0, &buf, &len, &st, &err), 0);
	assert_int_equal(len, 0);
	assert_string_equal(buf, "");
	free(buf);
	/* ST may be NULL */
	assert_int_equal(read_in("empty", 10, 0, &buf, &len, NULL, &err), 0);
	free(buf);
}

static void
test_symlink(void **state)
{
	(void)state;
	static const char text[] = "x y\n";
	char *src = pfa_test_write_in(dir, "src", text);
	char *lnk = pfa_test_path(dir, "link");
	assert_int_equal(symlink(src, lnk), 0);
	char *buf = NULL;
	size_t len = 77;
	struct stat st;
	int err;

	/* refused by default, without touching the outputs */
	assert_int_equal(read_in("link", 1000, 0, &buf, &len, &st, &err), -1);
	assert_int_equal(err, ELOOP);
	assert_null(buf);
	assert_int_equal(len, 77);
	assert_string_equal(pfa_file_strerror(ELOOP), "a symbolic link");

	/* followed on request; *st is the target's */
	assert_int_equal(read_in("link", 1000, PFA_FILE_FOLLOW, &buf, &len, &st,
	    &err), 0);
	assert_string_equal(buf, text);
	assert_true(S_ISREG(st.st_mode));
	free(buf);
	free(src);
	free(lnk);
}

static void
test_read_errors(void **state)
{
	(void)state;
	char *buf = NULL;
	size_t len = 99;
	struct stat st;
	int err;

	assert_int_equal(read_in("missing", 1000, 0, &buf, &len, &st, &err),
	    -1);
	assert_int_equal(err, ENOENT);

	char *p = pfa_test_path(dir, "sub");
	assert_int_equal(mkdir(p, 0700), 0);
	assert_int_equal(read_in("sub", 1000, 0, &buf, &len, &st, &err), -1);
	assert_int_equal(err, EINVAL);
	assert_string_equal(pfa_file_strerror(EINVAL), "not a regular file");
	free(p);

	/* a FIFO without a writer: refused, not waited on */
	p = pfa_test_path(dir, "fifo");
	assert_int_equal(mkfifo(p, 0600), 0);
	assert_int_equal(read_in("fifo", 1000, PFA_FILE_FOLLOW, &buf, &len, &st,
	    &err), -1);
	assert_int_equal(err, EINVAL);
	free(p);

	errno = 0;
	assert_int_equal(pfa_file_read("/dev/null", 1000, PFA_FILE_FOLLOW, &buf,
	    &len, &st), -1);
	assert_int_equal(errno, EINVAL);

	/* failures leave the outputs alone */
	assert_null(buf);
	assert_int_equal(len, 99);
	assert_string_equal(pfa_file_strerror(EFBIG), "too large");
}

static void
test_same(void **state)
{
	(void)state;
	char *p = pfa_test_write_in(dir, "same", "abc\n");
	assert_true(pfa_file_same(p, "abc\n", 4));
	assert_false(pfa_file_same(p, "abc", 3));
	assert_false(pfa_file_same(p, "abd\n", 4));
	assert_false(pfa_file_same(p, "abc\nd", 5));
	free(p);
	p = pfa_test_path(dir, "nothing");
	assert_false(pfa_file_same(p, "", 0));
	free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_read, setup, teardown),
		cmocka_unit_test_setup_teardown(test_symlink, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_errors, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_same, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
