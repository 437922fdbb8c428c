/*
 * test_log.c - key=value quoting, facility names, severity levels and the
 * human form on stderr.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <unistd.h>
#include <cmocka.h>

#include "log.h"

static void
test_quote(void **state)
{
	(void)state;
	char b[64];
	assert_string_equal(pfa_log_quote(b, sizeof(b), "plain"), "plain");
	assert_string_equal(pfa_log_quote(b, sizeof(b), ""), "\"\"");
	assert_string_equal(pfa_log_quote(b, sizeof(b), NULL), "\"\"");
	assert_string_equal(pfa_log_quote(b, sizeof(b), "two words"),
	    "\"two words\"");
	assert_string_equal(pfa_log_quote(b, sizeof(b), "a=b"), "\"a=b\"");
	assert_string_equal(pfa_log_quote(b, sizeof(b), "say \"hi\"\\"),
	    "\"say \\\"hi\\\"\\\\\"");
	assert_string_equal(pfa_log_quote(b, sizeof(b), "line\nbreak\t"),
	    "\"line?break?\"");
	/* truncation keeps the quotes balanced and the buffer terminated */
	char s[8];
	pfa_log_quote(s, sizeof(s), "a long value with spaces");
	assert_int_equal(strlen(s), 7);
	assert_int_equal(s[0], '"');
	assert_int_equal(s[6], '"');
	pfa_log_quote(s, 2, "x y");
	assert_string_equal(s, "");
}

static void
test_facility_and_levels(void **state)
{
	(void)state;
	assert_int_equal(pfa_log_facility("mail"), LOG_MAIL);
	assert_int_equal(pfa_log_facility("local7"), LOG_LOCAL7);
	assert_int_equal(pfa_log_facility("mial"), -1);
	assert_int_equal(pfa_log_sev_prio(PFA_SEV_INFO), LOG_INFO);
	assert_int_equal(pfa_log_sev_prio(PFA_SEV_WARNING), LOG_WARNING);
	assert_int_equal(pfa_log_sev_prio(PFA_SEV_CRITICAL), LOG_CRIT);
	assert_int_equal(pfa_log_sev_prio(PFA_SEV_UNKNOWN), LOG_ERR);
}

static char *
capture_stderr(void (*fn)(void))
{
	char path[] = "/tmp/pfa-tlog.XXXXXX";
	int fd = mkstemp(path);
	fflush(stderr);
	int saved = dup(2);
	dup2(fd, 2);
	fn();
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	static char buf[4096];
	lseek(fd, 0, SEEK_SET);
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	close(fd);
	unlink(path);
	return buf;
}

static void
emit(void)
{
	struct pfa_log_opts o = { .facility = LOG_MAIL, .to_stderr = true };
	pfa_log_open(&o);
	pfa_log(LOG_NOTICE, "task=rotate-dh event=replaced file=/x/dh.pem");
	pfa_log(LOG_DEBUG, "task=rotate-dh event=hidden");
	errno = ENOENT;
	pfa_log_errno(LOG_ERR, "event=open-failed file=%s", "/nope");
	struct pfa_finding f = { PFA_SEV_CRITICAL, "PFA-X-1", "the subject",
		"a %s message", NULL };
	pfa_log_finding("rotate-dh", &f);	/* the report shows it */
	pfa_log_close();
}

static void
emit_verbose(void)
{
	struct pfa_log_opts o = { .facility = LOG_MAIL, .to_stderr = true,
		.verbose = true };
	pfa_log_open(&o);
	struct pfa_finding f = { PFA_SEV_CRITICAL, "PFA-X-1", "the subject",
		"a %s message", NULL };
	pfa_log_finding("rotate-dh", &f);
	pfa_log_close();
}

static void
emit_quiet(void)
{
	struct pfa_log_opts o = { .facility = LOG_MAIL, .to_stderr = true,
		.quiet = true };
	pfa_log_open(&o);
	pfa_log(LOG_NOTICE, "task=rotate-dh event=replaced file=/x");
	pfa_log(LOG_WARNING, "task=rotate-dh event=warned");
	pfa_log_close();
}

static void
test_stderr_human_form(void **state)
{
	(void)state;
	char *out = capture_stderr(emit);
	assert_non_null(strstr(out,
	    "pfagent: rotate-dh: replaced: file=/x/dh.pem\n"));
	assert_null(strstr(out, "hidden"));
	assert_non_null(strstr(out, "pfagent: error: open-failed: "
	    "file=/nope err=\"No such file or directory\""));
	/* findings are the report's: on stderr only with -v */
	assert_null(strstr(out, "PFA-X-1"));
	out = capture_stderr(emit_verbose);
	/* the message of a finding is data, never a format */
	assert_non_null(strstr(out, "message=\"a %s message\""));
	assert_non_null(strstr(out, "pfagent: critical: rotate-dh: finding: "
	    "id=PFA-X-1 severity=critical subject=\"the subject\""));
	out = capture_stderr(emit_quiet);
	assert_null(strstr(out, "replaced"));
	assert_non_null(strstr(out, "warned"));
}

static void
test_errno_preserved(void **state)
{
	(void)state;
	errno = EACCES;
	pfa_log(LOG_INFO, "event=x");
	assert_int_equal(errno, EACCES);
	pfa_log_errno(LOG_INFO, "event=y");
	assert_int_equal(errno, EACCES);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quote),
		cmocka_unit_test(test_facility_and_levels),
		cmocka_unit_test(test_stderr_human_form),
		cmocka_unit_test(test_errno_preserved),
	};
	return cmocka_run_group_tests_name("log", tests, NULL, NULL);
}
