/*
 * test_tls_conf.c - check-tls's settings and thresholds
 * (tasks/tls/tls_conf.c): fractions, the expiry verdict relative to a
 * certificate's lifetime (quarter, tenth, 12 hours), short-lived
 * certificates, the absolute warn_days/crit_days, and every bad setting
 * reported as FILE:LINE by the real configuration loader.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "tls_int.h"

#define DAY 86400.0
#define HOUR 3600.0

static char dir[64], path[128], errtext[8192];

static int
setup(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/pfa-ttls.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/pfagent.conf", dir);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	unlink(path);
	rmdir(dir);
	return 0;
}

static const struct tls_conf defaults = {
	.warn_left = 0.25, .crit_left = 0.10, .crit_min = 12 * 3600,
	.short_lived = 10 * 86400, .probe = true, .legacy = true,
	.timeout = 10,
};

static void
test_fraction(void **state)
{
	(void)state;
	double f;
	assert_int_equal(pfa_tls_fraction("1/4", &f), 0);
	assert_true(f == 0.25);
	assert_int_equal(pfa_tls_fraction("25%", &f), 0);
	assert_true(f == 0.25);
	assert_int_equal(pfa_tls_fraction("0.1", &f), 0);
	assert_true(f > 0.0999 && f < 0.1001);
	assert_int_equal(pfa_tls_fraction("1", &f), 0);
	const char *bad[] = { "", "0", "1/0", "/4", "1/", "3/2", "-1/4",
		"120%", "abc", "0.2x", "1/4/5", "nan", "inf", NULL };
	for (size_t i = 0; bad[i]; i++)
		if (pfa_tls_fraction(bad[i], &f) != -1)
			fail_msg("\"%s\" accepted", bad[i]);
	assert_int_equal(pfa_tls_fraction(NULL, &f), -1);
}

/* The finding for LIFE and LEFT (seconds) under C, or "none". */
static const char *
verdict(const struct tls_conf *c, double life, double left)
{
	struct tls_expiry e;
	pfa_tls_expiry(c, life, left, left < 0 ? 1 : 0, &e);
	return e.id ? e.id : "none";
}

static void
test_relative(void **state)
{
	(void)state;
	const struct tls_conf *c = &defaults;
	/* 90 days: warn under 22.5, critical under 9 */
	assert_string_equal(verdict(c, 90 * DAY, 60 * DAY), "none");
	assert_string_equal(verdict(c, 90 * DAY, 23 * DAY), "none");
	assert_string_equal(verdict(c, 90 * DAY, 22 * DAY), "PFA-CERT-004");
	assert_string_equal(verdict(c, 90 * DAY, 9.5 * DAY), "PFA-CERT-004");
	assert_string_equal(verdict(c, 90 * DAY, 8 * DAY), "PFA-CERT-003");
	assert_string_equal(verdict(c, 90 * DAY, -1), "PFA-CERT-001");
	/* 45 days: a 30-day rule would warn for two thirds of it */
	assert_string_equal(verdict(c, 45 * DAY, 30 * DAY), "none");
	assert_string_equal(verdict(c, 45 * DAY, 12 * DAY), "none");
	assert_string_equal(verdict(c, 45 * DAY, 11 * DAY), "PFA-CERT-004");
	/* a long lifetime: a quarter of ten years */
	assert_string_equal(verdict(c, 3650 * DAY, 900 * DAY), "PFA-CERT-004");
	struct tls_expiry e;
	pfa_tls_expiry(c, 90 * DAY, 50 * DAY, -1, &e);
	assert_string_equal(e.id, "PFA-CERT-002");
	assert_int_equal(e.sev, PFA_SEV_CRITICAL);
	pfa_tls_expiry(c, 90 * DAY, 20 * DAY, 0, &e);
	assert_int_equal(e.sev, PFA_SEV_WARNING);
	assert_false(e.short_lived);
	assert_true(e.warn_at == 22.5 * DAY);
	assert_true(e.crit_at == 9 * DAY);
}

static void
test_short_lived(void **state)
{
	(void)state;
	const struct tls_conf *c = &defaults;
	struct tls_expiry e;
	/* 7 days: nothing until the last day; critical under 16.8 hours */
	assert_string_equal(verdict(c, 7 * DAY, 3 * DAY), "none");
	assert_string_equal(verdict(c, 7 * DAY, 25 * HOUR), "none");
	assert_string_equal(verdict(c, 7 * DAY, 20 * HOUR), "PFA-CERT-004");
	assert_string_equal(verdict(c, 7 * DAY, 16 * HOUR), "PFA-CERT-003");
	pfa_tls_expiry(c, 7 * DAY, 3 * DAY, 0, &e);
	assert_true(e.short_lived);
	/* 10 days is short-lived; 11 days is not */
	pfa_tls_expiry(c, 10 * DAY, 3 * DAY, 0, &e);
	assert_true(e.short_lived);
	assert_string_equal(verdict(c, 11 * DAY, 2 * DAY), "PFA-CERT-004");
	/* a day: critical in its last 12 hours, never before half of it */
	assert_string_equal(verdict(c, DAY, 20 * HOUR), "none");
	assert_string_equal(verdict(c, DAY, 11 * HOUR), "PFA-CERT-003");
}

static void
test_absolute(void **state)
{
	(void)state;
	struct tls_conf c = defaults;
	c.warn_days = 30;
	c.crit_days = 10;
	/* absolute limits add to the relative ones */
	assert_string_equal(verdict(&c, 90 * DAY, 29 * DAY), "PFA-CERT-004");
	assert_string_equal(verdict(&c, 90 * DAY, 9.5 * DAY), "PFA-CERT-003");
	assert_string_equal(verdict(&c, 365 * DAY, 80 * DAY), "PFA-CERT-004");
	assert_string_equal(verdict(&c, 365 * DAY, 100 * DAY), "none");
	/* crit_days whatever the lifetime; warn_days not for short-lived */
	assert_string_equal(verdict(&c, 7 * DAY, 5 * DAY), "PFA-CERT-003");
	c.crit_days = 0;
	assert_string_equal(verdict(&c, 7 * DAY, 5 * DAY), "none");
	/* other fractions */
	c = defaults;
	c.warn_left = 1.0 / 3;
	assert_string_equal(verdict(&c, 90 * DAY, 29 * DAY), "PFA-CERT-004");
	c.crit_min = 0;
	c.crit_left = 0.01;
	assert_string_equal(verdict(&c, 90 * DAY, 0.5 * DAY), "PFA-CERT-003");
	assert_string_equal(verdict(&c, 90 * DAY, 1 * DAY), "PFA-CERT-004");
}

/* ---------------------------------------------------- pfagent.conf */

static int
load(const char *section, struct pfa_config *c)
{
	char text[2048];
	snprintf(text, sizeof(text), "tasks = {\n  check-tls = {\n%s\n  };\n"
	    "};\n", section);
	unlink(path);
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	fflush(stderr);
	int saved = dup(2);
	char cap[160];
	snprintf(cap, sizeof(cap), "%s/stderr", dir);
	fd = open(cap, O_RDWR | O_CREAT | O_TRUNC, 0600);
	dup2(fd, 2);
	int rc = pfa_config_load(c, path, true);
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

static const struct tls_conf *
conf_of(struct pfa_config *c)
{
	int i = pfa_task_index("check-tls");
	assert_true(i >= 0);
	assert_int_equal(c->tasks[i].every, 86400);
	return c->tasks[i].data;
}

static void
test_settings(void **state)
{
	(void)state;
	struct pfa_config c;
	assert_int_equal(load("", &c), 0);
	const struct tls_conf *t = conf_of(&c);
	assert_true(t->warn_left == 0.25 && t->crit_left == 0.1);
	assert_int_equal(t->crit_min, 12 * 3600);
	assert_int_equal(t->short_lived, 10 * 86400);
	assert_int_equal(t->warn_days, 0);
	assert_true(t->probe && t->legacy);
	assert_int_equal(t->timeout, 10);
	assert_int_equal(t->roles, 0);
	pfa_config_free(&c);
	assert_int_equal(load("warn_left = \"1/3\"; crit_left = \"5%\"; "
	    "crit_min = \"6h\"; warn_days = 30; crit_days = 7; probe = false; "
	    "legacy_protocols = false; timeout = \"3s\"; roles = [ \"mx\" ]; "
	    "ignore = [ \"PFA-PROBE-003\" ];", &c), 0);
	t = conf_of(&c);
	assert_true(t->warn_left > 0.33 && t->warn_left < 0.34);
	assert_true(t->crit_left > 0.049 && t->crit_left < 0.051);
	assert_int_equal(t->crit_min, 6 * 3600);
	assert_int_equal(t->warn_days, 30);
	assert_int_equal(t->crit_days, 7);
	assert_false(t->probe || t->legacy);
	assert_int_equal(t->timeout, 3);
	assert_int_equal(t->roles, 1);	/* PFA_ROLE_MX */
	assert_string_equal(t->ignore[0], "PFA-PROBE-003");
	pfa_config_free(&c);
}

static void
expect_error(const char *section, int line, const char *needle)
{
	struct pfa_config c;
	assert_int_equal(load(section, &c), -1);
	char want[256];
	snprintf(want, sizeof(want), "%s:%d: ", path, line);
	if (strstr(errtext, want) == NULL || strstr(errtext, needle) == NULL)
		fail_msg("wanted \"%s\" and \"%s\" in: %s", want, needle,
		    errtext);
	pfa_config_free(&c);
}

static void
test_bad_settings(void **state)
{
	(void)state;
	expect_error("warn_left = \"half\";", 3, "a fraction of the lifetime");
	expect_error("\n crit_left = \"2/3\";", 4, "crit_left is more than "
	    "warn_left");
	expect_error("warn_days = 5;\ncrit_days = 9;", 4, "more than warn_days");
	expect_error("warn_days = -1;", 3, "warn_days");
	expect_error("timeout = \"1h\";", 3, "timeout");
	expect_error("roles = [ \"mailserver\" ];", 3, "unknown role");
	expect_error("ignore = [ \"PFA-CERT-999\" ];", 3, "unknown finding id");
	expect_error("probe = \"yes\";", 3, "probe");
	expect_error("warn_lef = \"1/4\";", 3, "warn_lef");
	/* several at once */
	struct pfa_config c;
	assert_int_equal(load("warn_left = \"x\";\ntimeout = \"0s\";\n"
	    "roles = [ \"x\" ];", &c), -1);
	assert_true(pfa_conf_errors() >= 3);
	pfa_config_free(&c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fraction),
		cmocka_unit_test(test_relative),
		cmocka_unit_test(test_short_lived),
		cmocka_unit_test(test_absolute),
		cmocka_unit_test(test_settings),
		cmocka_unit_test(test_bad_settings),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
