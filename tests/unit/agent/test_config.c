/*
 * test_config.c - pfagent.conf parsing: defaults, values, and every error
 * path naming FILE:LINE.  stderr is captured to check the messages.
 */
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "config.h"
#include "log.h"
#include "task.h"
#include "testutil.h"

static char dir[64];
static char path[128];
static char errtext[8192];

static int
setup(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/pfa-tconf.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/pfagent.conf", dir);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	pfa_test_rm_rf(dir);
	return 0;
}

static void
write_conf(const char *text, mode_t mode)
{
	unlink(path);
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, mode);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	fchmod(fd, mode);
	close(fd);
}

/* Loads PATH with stderr captured into errtext; returns the load result. */
static int
load(struct pfa_config *c, const char *p, bool explicit_path)
{
	fflush(stderr);
	int saved = dup(2);
	char cap[160];
	snprintf(cap, sizeof(cap), "%s/stderr", dir);
	int fd = open(cap, O_RDWR | O_CREAT | O_TRUNC, 0600);
	dup2(fd, 2);
	int rc = pfa_config_load(c, p, explicit_path);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	lseek(fd, 0, SEEK_SET);
	ssize_t n = read(fd, errtext, sizeof(errtext) - 1);
	errtext[n > 0 ? n : 0] = '\0';
	close(fd);
	unlink(cap);
	return rc;
}

static void
expect_error(const char *conf, int line, const char *needle)
{
	struct pfa_config c;
	write_conf(conf, 0600);
	assert_int_equal(load(&c, path, true), -1);
	char want[256];
	snprintf(want, sizeof(want), "%s:%d: ", path, line);
	if (strstr(errtext, want) == NULL || strstr(errtext, needle) == NULL)
		fail_msg("wanted \"%s\" and \"%s\" in: %s", want, needle,
		    errtext);
	pfa_config_free(&c);
}

static void
test_defaults_when_absent(void **state)
{
	(void)state;
	struct pfa_config c;
	char missing[160];
	snprintf(missing, sizeof(missing), "%s/absent.conf", dir);
	assert_int_equal(load(&c, missing, false), 0);
	assert_null(c.path);
	assert_string_equal(c.config_directory, "/etc/postfix");
	assert_string_equal(c.command_directory, "/usr/sbin");
	assert_string_equal(c.state_directory, "/var/lib/pfagent");
	assert_true(c.reload);
	assert_int_equal(c.facility, LOG_MAIL);
	int i = pfa_task_index("rotate-dh");
	assert_true(i >= 0);
	assert_true(c.tasks[i].enabled);
	assert_int_equal(c.tasks[i].every, 7 * 86400);
	pfa_config_free(&c);
}

static void
test_explicit_missing_is_error(void **state)
{
	(void)state;
	struct pfa_config c;
	char missing[160];
	snprintf(missing, sizeof(missing), "%s/absent.conf", dir);
	assert_int_equal(load(&c, missing, true), -1);
	assert_non_null(strstr(errtext, missing));
	assert_int_equal(pfa_conf_errors(), 1);
	pfa_config_free(&c);
}

static void
test_full_config(void **state)
{
	(void)state;
	struct pfa_config c;
	write_conf("postfix = { config_directory = \"/srv/pf/etc\";\n"
	    "  command_directory = \"/opt/sbin\"; reload = false;\n"
	    "  health_wait = \"3s\"; log_file = \"/var/log/x.log\"; };\n"
	    "log = { facility = \"local3\"; };\n"
	    "state_directory = \"/srv/state\";\n"
	    "tasks = { rotate-dh = { every = \"1d12h\"; bits = 3072;\n"
	    "  mode = \"ffdhe\"; files = [ \"/a/dh.pem\", \"/b/dh.pem\" ]; };\n"
	    "};\n", 0600);
	assert_int_equal(load(&c, path, true), 0);
	assert_string_equal(c.path, path);
	assert_string_equal(c.config_directory, "/srv/pf/etc");
	assert_string_equal(c.command_directory, "/opt/sbin");
	assert_false(c.reload);
	assert_int_equal(c.health_wait, 3);
	assert_string_equal(c.log_file, "/var/log/x.log");
	assert_int_equal(c.facility, LOG_LOCAL3);
	assert_string_equal(c.state_directory, "/srv/state");
	int i = pfa_task_index("rotate-dh");
	assert_int_equal(c.tasks[i].every, 129600);
	assert_non_null(c.tasks[i].data);
	pfa_config_free(&c);
}

static void
test_syntax_error(void **state)
{
	(void)state;
	expect_error("postfix = {\n  reload = true\n  oops oops;\n};\n", 3,
	    "syntax error");
}

static void
test_unknown_top(void **state)
{
	(void)state;
	expect_error("log = { facility = \"mail\"; };\nfrobnicate = 1;\n", 2,
	    "frobnicate: unknown setting");
}

static void
test_unknown_in_section(void **state)
{
	(void)state;
	expect_error("postfix = {\n  reload = true;\n  relaod = true;\n};\n", 3,
	    "postfix.relaod: unknown setting");
}

static void
test_wrong_type(void **state)
{
	(void)state;
	expect_error("postfix = {\n  reload = \"yes\";\n};\n", 2,
	    "postfix.reload: expected true or false");
	expect_error("state_directory = 5;\n", 1, "expected a string");
	expect_error("tasks = {\n rotate-dh = {\n  bits = \"2048\";\n };\n};\n",
	    3, "tasks.rotate-dh.bits: expected an integer");
	expect_error("postfix = 1;\n", 1, "expected a group");
}

static void
test_bad_duration(void **state)
{
	(void)state;
	expect_error("tasks = {\n  rotate-dh = { every = \"7x\"; };\n};\n", 2,
	    "bad duration \"7x\"");
	expect_error("tasks = {\n  rotate-dh = { every = 7; };\n};\n", 2,
	    "expected a duration");
	expect_error("tasks = {\n  rotate-dh = { every = \"10s\"; };\n};\n", 2,
	    "out of range");
	expect_error("postfix = {\n health_wait = \"2h\";\n};\n", 2,
	    "postfix.health_wait: duration \"2h\" is out of range");
}

static void
test_out_of_range(void **state)
{
	(void)state;
	expect_error("tasks = {\n rotate-dh = {\n  bits = 100000;\n };\n};\n",
	    3, "100000 is out of range (512 to 8192)");
	expect_error("tasks = {\n rotate-dh = {\n  threads = -1;\n };\n};\n",
	    3, "out of range");
}

static void
test_weak_bits(void **state)
{
	(void)state;
	expect_error("tasks = {\n rotate-dh = {\n  bits = 1024;\n };\n};\n", 3,
	    "below the 2048-bit minimum");
	struct pfa_config c;
	write_conf("tasks = { rotate-dh = { bits = 1024; allow_weak = true; "
	    "}; };\n", 0600);
	assert_int_equal(load(&c, path, true), 0);
	pfa_config_free(&c);
}

static void
test_ffdhe_sizes(void **state)
{
	(void)state;
	expect_error("tasks = {\n rotate-dh = { mode = \"ffdhe\";\n"
	    "  bits = 2500; };\n};\n", 3, "mode \"ffdhe\" has groups");
	expect_error("tasks = {\n rotate-dh = {\n  mode = \"fast\"; };\n};\n",
	    3, "expected one of \"generate\", \"ffdhe\"");
}

static void
test_unknown_task(void **state)
{
	(void)state;
	expect_error("tasks = {\n  rotate-dh = { };\n  rotate-ssh = { };\n};\n",
	    3, "tasks.rotate-ssh: unknown task");
}

static void
test_relative_paths(void **state)
{
	(void)state;
	expect_error("postfix = {\n  config_directory = \"etc/postfix\";\n};\n",
	    2, "is not an absolute path");
	expect_error("tasks = { rotate-dh = {\n files = [ \"dh.pem\" ]; }; };\n",
	    2, "\"dh.pem\" is not an absolute path");
	expect_error("tasks = { rotate-dh = {\n files = [ 1, 2 ]; }; };\n",
	    2, "is not a string");
}

static void
test_bad_facility(void **state)
{
	(void)state;
	expect_error("log = {\n  facility = \"mial\";\n};\n", 2,
	    "unknown syslog facility \"mial\"");
}

static void
test_all_errors_at_once(void **state)
{
	(void)state;
	struct pfa_config c;
	write_conf("postfix = { relaod = true; };\n"
	    "log = { facility = \"nope\"; };\n"
	    "tasks = { rotate-dh = { every = \"soon\"; }; };\n", 0600);
	assert_int_equal(load(&c, path, true), -1);
	assert_int_equal(pfa_conf_errors(), 3);
	assert_non_null(strstr(errtext, ":1: postfix.relaod"));
	assert_non_null(strstr(errtext, ":2: log.facility"));
	assert_non_null(strstr(errtext, ":3: tasks.rotate-dh.every"));
	pfa_config_free(&c);
}

static void
test_task_errors_at_once(void **state)
{
	(void)state;
	struct pfa_config c;
	write_conf("tasks = { rotate-dh = {\n"
	    "  mode = \"quick\";\n"
	    "  threads = 100;\n"
	    "  timeout = \"forever\";\n"
	    "  files = [ \"rel/dh.pem\" ];\n"
	    "}; };\n", 0600);
	assert_int_equal(load(&c, path, true), -1);
	assert_int_equal(pfa_conf_errors(), 4);
	assert_non_null(strstr(errtext, ":2: tasks.rotate-dh.mode"));
	assert_non_null(strstr(errtext, ":3: tasks.rotate-dh.threads"));
	assert_non_null(strstr(errtext, ":4: tasks.rotate-dh.timeout"));
	assert_non_null(strstr(errtext, ":5: tasks.rotate-dh.files"));
	pfa_config_free(&c);
}

static void
test_unsafe_file(void **state)
{
	(void)state;
	struct pfa_config c;
	write_conf("log = { facility = \"mail\"; };\n", 0664);
	assert_int_equal(load(&c, path, true), -1);
	assert_non_null(strstr(errtext, "writable by group or other"));
	pfa_config_free(&c);
	write_conf("log = { facility = \"mail\"; };\n", 0602);
	assert_int_equal(load(&c, path, true), -1);
	pfa_config_free(&c);
	if (geteuid() == 0) {
		write_conf("log = { facility = \"mail\"; };\n", 0600);
		assert_int_equal(chown(path, 1, 1), 0);
		assert_int_equal(load(&c, path, true), -1);
		assert_non_null(strstr(errtext, "not owned by root"));
		pfa_config_free(&c);
	}
}

static void
test_check_owner_dir(void **state)
{
	(void)state;
	char sub[160];
	snprintf(sub, sizeof(sub), "%s/state", dir);
	assert_int_equal(mkdir(sub, 0700), 0);
	assert_int_equal(pfa_conf_check_owner(sub, "state directory"), 0);
	chmod(sub, 0777);
	fflush(stderr);
	int saved = dup(2), devnull = open("/dev/null", O_WRONLY);
	dup2(devnull, 2);
	int rc = pfa_conf_check_owner(sub, "state directory");
	dup2(saved, 2);
	close(saved);
	close(devnull);
	assert_int_equal(rc, -1);
	rmdir(sub);
}

/* An @include is checked like the file itself, read without blocking,
 * and found relative to the file's directory whatever the cwd. */
static void
test_include_checked(void **state)
{
	(void)state;
	struct pfa_config c;
	char inc[160], sub[160];
	snprintf(inc, sizeof(inc), "%s/inc.conf", dir);
	write_conf("log = { facility = \"mail\"; };\n"
	    "/* @include \"not-there.conf\" is a comment */\n"
	    "@include \"inc.conf\"\n", 0600);
	pfa_test_write_text(inc, "state_directory = \"/var/tmp/pfa-inc\";\n",
	    0600);
	char cwd[PATH_MAX];
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir("/"), 0);
	assert_int_equal(load(&c, path, true), 0);
	assert_int_equal(chdir(cwd), 0);
	assert_string_equal(c.state_directory, "/var/tmp/pfa-inc");
	pfa_config_free(&c);

	/* writable by others: refused, naming the @include's line */
	chmod(inc, 0666);
	assert_int_equal(load(&c, path, true), -1);
	assert_non_null(strstr(errtext, "pfagent.conf:3: refusing included file"));
	assert_non_null(strstr(errtext, "writable by group or other"));
	assert_non_null(strstr(errtext, "chmod go-w"));
	pfa_config_free(&c);
	chmod(inc, 0600);

	if (geteuid() == 0) {
		assert_int_equal(chown(inc, 65534, 65534), 0);
		assert_int_equal(load(&c, path, true), -1);
		assert_non_null(strstr(errtext, "not owned by root"));
		assert_non_null(strstr(errtext, "chown root:root"));
		pfa_config_free(&c);
		assert_int_equal(chown(inc, 0, 0), 0);
	}

	/* a FIFO never hangs the load */
	unlink(inc);
	assert_int_equal(mkfifo(inc, 0600), 0);
	assert_int_equal(load(&c, path, true), -1);
	assert_non_null(strstr(errtext, "not a regular file"));
	pfa_config_free(&c);
	unlink(inc);

	/* nested, in a directory others may write: the directory is named */
	snprintf(sub, sizeof(sub), "%s/open", dir);
	assert_int_equal(mkdir(sub, 0755), 0);
	chmod(sub, 0777);
	pfa_test_write_text(inc, "@include \"open/deeper.conf\"\n", 0600);
	char deeper[200];
	snprintf(deeper, sizeof(deeper), "%s/deeper.conf", sub);
	pfa_test_write_text(deeper, "state_directory = \"/x\";\n", 0600);
	assert_int_equal(load(&c, path, true), -1);
	assert_non_null(strstr(errtext, "inc.conf:1: refusing included file"));
	assert_non_null(strstr(errtext, "open is writable by group or other"));
	pfa_config_free(&c);

	/* the main file's own directory counts too */
	chmod(sub, 0755);
	chmod(dir, 0777);
	assert_int_equal(load(&c, path, true), -1);
	assert_non_null(strstr(errtext, "refusing configuration file"));
	pfa_config_free(&c);
	chmod(dir, 0700);
	assert_int_equal(load(&c, path, true), 0);
	pfa_config_free(&c);
}

/* A main file that is a FIFO: refused at once. */
static void
test_config_fifo(void **state)
{
	(void)state;
	struct pfa_config c;
	unlink(path);
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_int_equal(load(&c, path, true), -1);
	assert_non_null(strstr(errtext, "not a regular file"));
	pfa_config_free(&c);
	unlink(path);
}

/* libconfig 1.5 wraps numbers too large for an int: the literal is what
 * counts, and the message shows it, not the wrapped value. */
static void
test_int_wrap(void **state)
{
	(void)state;
	expect_error("tasks = { rotate-dh = { bits = 4294969344; }; };\n", 1,
	    "4294969344 is out of range");
	expect_error("tasks = { rotate-dh = { bits = 0x100000800; }; };\n", 1,
	    "0x100000800 is out of range");
	expect_error("tasks = { validate-config = {\n keep = "
	    "99999999999999999999; }; };\n", 2, "99999999999999999999 is out");
	expect_error("tasks = { rebuild-maps = { max_shrink = -4294967246; "
	    "}; };\n", 1, "-4294967246 is out of range");
	struct pfa_config c;
	write_conf("tasks = { rotate-dh = { bits = 3072L; threads = 0x2; "
	    "}; };\n", 0600);
	assert_int_equal(load(&c, path, true), 0);
	pfa_config_free(&c);
}

/* command_directory and config_directory decide what runs as root. */
static void
test_trusted_dirs(void **state)
{
	(void)state;
	char sub[160], conf[512];
	snprintf(sub, sizeof(sub), "%s/sbin", dir);
	assert_int_equal(mkdir(sub, 0755), 0);
	chmod(sub, 0757);
	snprintf(conf, sizeof(conf), "postfix = {\n command_directory = "
	    "\"%s\";\n config_directory = \"%s\"; };\n", sub, sub);
	struct pfa_config c;
	write_conf(conf, 0600);
	assert_int_equal(load(&c, path, true), -1);
	assert_int_equal(pfa_conf_errors(), 2);
	assert_non_null(strstr(errtext, ":2: postfix.command_directory: "
	    "refusing command_directory"));
	assert_non_null(strstr(errtext, ":3: postfix.config_directory"));
	pfa_config_free(&c);
	chmod(sub, 0755);
	assert_int_equal(load(&c, path, true), 0);
	pfa_config_free(&c);
	/* one that does not exist is left to postconf to report */
	snprintf(conf, sizeof(conf), "postfix = { config_directory = "
	    "\"%s/none\"; };\n", dir);
	write_conf(conf, 0600);
	assert_int_equal(load(&c, path, true), 0);
	pfa_config_free(&c);
}

int
main(void)
{
	struct pfa_log_opts lo = { .facility = LOG_MAIL };
	pfa_log_open(&lo);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults_when_absent),
		cmocka_unit_test(test_explicit_missing_is_error),
		cmocka_unit_test(test_full_config),
		cmocka_unit_test(test_syntax_error),
		cmocka_unit_test(test_unknown_top),
		cmocka_unit_test(test_unknown_in_section),
		cmocka_unit_test(test_wrong_type),
		cmocka_unit_test(test_bad_duration),
		cmocka_unit_test(test_out_of_range),
		cmocka_unit_test(test_weak_bits),
		cmocka_unit_test(test_ffdhe_sizes),
		cmocka_unit_test(test_unknown_task),
		cmocka_unit_test(test_relative_paths),
		cmocka_unit_test(test_bad_facility),
		cmocka_unit_test(test_all_errors_at_once),
		cmocka_unit_test(test_task_errors_at_once),
		cmocka_unit_test(test_unsafe_file),
		cmocka_unit_test(test_check_owner_dir),
		cmocka_unit_test(test_include_checked),
		cmocka_unit_test(test_config_fifo),
		cmocka_unit_test(test_int_wrap),
		cmocka_unit_test(test_trusted_dirs),
	};
	return cmocka_run_group_tests_name("config", tests, setup, teardown);
}
