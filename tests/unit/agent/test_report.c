/*
 * test_report.c - the --json document (an interface) and the text report.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "report.h"

static json_object *
get(json_object *o, const char *key)
{
	json_object *v = NULL;
	if (!json_object_object_get_ex(o, key, &v))
		fail_msg("missing key %s", key);
	return v;
}

static void
make_result(struct pfa_result *r)
{
	pfa_result_init(r);
	pfa_result_add_change(r, "/etc/postfix/dh2048.pem",
	    "/etc/postfix/dh2048.pem.pfagent-prev");
	pfa_result_add_finding(r, PFA_SEV_WARNING, "PFA-DH-002",
	    "smtpd_tls_dh512_param_file", "postconf -X x",
	    "obsolete \"quoted\" %s", "setting");
	pfa_result_add_finding(r, PFA_SEV_INFO, "PFA-DH-008", "bits", NULL,
	    "informational");
	pfa_result_add_metric(r, "generation_seconds", 1.5, "s");
	pfa_result_set_summary(r, "replaced 1 file");
}

static void
test_result_status_raised(void **state)
{
	(void)state;
	struct pfa_result r;
	make_result(&r);
	assert_int_equal(r.status, PFA_WARNING);
	pfa_result_add_finding(&r, PFA_SEV_UNKNOWN, "A", "b", NULL, "c");
	assert_int_equal(r.status, PFA_UNKNOWN);
	pfa_result_add_finding(&r, PFA_SEV_CRITICAL, "A", "b", NULL, "c");
	assert_int_equal(r.status, PFA_CRITICAL);
	pfa_result_add_finding(&r, PFA_SEV_UNKNOWN, "A", "b", NULL, "c");
	assert_int_equal(r.status, PFA_CRITICAL);	/* never lowered */
	pfa_result_free(&r);
	assert_int_equal(pfa_status_worst(PFA_OK, PFA_WARNING), PFA_WARNING);
	assert_int_equal(pfa_status_worst(PFA_CRITICAL, PFA_UNKNOWN),
	    PFA_CRITICAL);
	assert_int_equal(pfa_status_worst(PFA_UNKNOWN, PFA_WARNING),
	    PFA_UNKNOWN);
}

static void
test_run_document(void **state)
{
	(void)state;
	struct pfa_result r;
	make_result(&r);
	struct pfa_gate_outcome g;
	memset(&g, 0, sizeof(g));
	pfa_result_init(&g.res);
	g.needed = g.checked = g.validated = g.running_known = g.running =
	    g.reloaded = g.healthy = true;
	struct pfa_report_task t[2] = {
		{ .name = "rotate-dh", .ran = true, .res = &r },
		{ .name = "other", .ran = false, .skipped = "not due" },
	};
	struct pfa_report rep = { .command = "run", .tasks = t, .ntasks = 2,
		.gate = &g, .exit_code = 1 };
	json_object *doc = pfa_report_json(&rep);

	/* round trip through text, as a consumer would */
	char *text = strdup(json_object_to_json_string(doc));
	json_object_put(doc);
	doc = json_tokener_parse(text);
	free(text);
	assert_non_null(doc);

	assert_int_equal(json_object_get_int(get(doc, "version")), 1);
	assert_string_equal(json_object_get_string(get(doc, "command")), "run");
	assert_false(json_object_get_boolean(get(doc, "dry_run")));
	assert_true(json_object_get_boolean(get(doc, "reloaded")));
	assert_int_equal(json_object_get_int(get(doc, "exit_code")), 1);
	json_object *rl = get(doc, "reload");
	assert_true(json_object_get_boolean(get(rl, "validated")));
	assert_false(json_object_get_boolean(get(rl, "rolled_back")));
	assert_string_equal(json_object_get_string(get(rl, "status")), "ok");

	json_object *tasks = get(doc, "tasks");
	assert_int_equal(json_object_array_length(tasks), 2);
	json_object *t0 = json_object_array_get_idx(tasks, 0);
	assert_string_equal(json_object_get_string(get(t0, "name")),
	    "rotate-dh");
	assert_string_equal(json_object_get_string(get(t0, "status")),
	    "warning");
	assert_true(json_object_get_boolean(get(t0, "ran")));
	json_object *ch = get(t0, "changed");
	assert_int_equal(json_object_array_length(ch), 1);
	assert_string_equal(json_object_get_string(get(
	    json_object_array_get_idx(ch, 0), "file")),
	    "/etc/postfix/dh2048.pem");
	json_object *fs = get(t0, "findings");
	assert_int_equal(json_object_array_length(fs), 2);
	json_object *f0 = json_object_array_get_idx(fs, 0);
	assert_string_equal(json_object_get_string(get(f0, "id")),
	    "PFA-DH-002");
	assert_string_equal(json_object_get_string(get(f0, "severity")),
	    "warning");
	assert_string_equal(json_object_get_string(get(f0, "message")),
	    "obsolete \"quoted\" setting");
	assert_string_equal(json_object_get_string(get(f0, "remedy")),
	    "postconf -X x");
	assert_null(get(json_object_array_get_idx(fs, 1), "remedy"));
	json_object *m0 = json_object_array_get_idx(get(t0, "metrics"), 0);
	assert_string_equal(json_object_get_string(get(m0, "name")),
	    "generation_seconds");
	assert_true(json_object_get_double(get(m0, "value")) == 1.5);

	json_object *t1 = json_object_array_get_idx(tasks, 1);
	assert_false(json_object_get_boolean(get(t1, "ran")));
	assert_string_equal(json_object_get_string(get(t1, "skipped")),
	    "not due");
	assert_null(get(t1, "status"));
	json_object_put(doc);

	/* what the gate did not check is null, not false */
	struct pfa_gate_outcome idle;
	memset(&idle, 0, sizeof(idle));
	pfa_result_init(&idle.res);
	rep.gate = &idle;
	doc = pfa_report_json(&rep);
	rl = get(doc, "reload");
	assert_false(json_object_get_boolean(get(rl, "needed")));
	assert_null(get(rl, "validated"));
	assert_null(get(rl, "postfix_running"));
	assert_null(get(rl, "healthy"));
	assert_false(json_object_get_boolean(get(rl, "reloaded")));
	json_object_put(doc);
	pfa_result_free(&r);
}

static void
test_text_quiet(void **state)
{
	(void)state;
	struct pfa_result r;
	make_result(&r);
	struct pfa_report_task t[1] = { { .name = "rotate-dh", .ran = true,
		.res = &r } };
	struct pfa_report rep = { .command = "run", .tasks = t, .ntasks = 1 };
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	pfa_report_print_text(fp, &rep, true);
	fclose(fp);
	assert_non_null(strstr(buf, "PFA-DH-002"));
	assert_non_null(strstr(buf, "remedy: postconf -X x"));
	assert_null(strstr(buf, "PFA-DH-008"));	/* info hidden when quiet */
	free(buf);
	fp = open_memstream(&buf, &len);
	pfa_report_print_text(fp, &rep, false);
	fclose(fp);
	assert_non_null(strstr(buf, "PFA-DH-008"));
	assert_non_null(strstr(buf, "replaced /etc/postfix/dh2048.pem"));
	free(buf);
	pfa_result_free(&r);

	/* quiet and all well: nothing at all (cron mails any output) */
	struct pfa_result ok;
	pfa_result_init(&ok);
	t[0].res = &ok;
	fp = open_memstream(&buf, &len);
	pfa_report_print_text(fp, &rep, true);
	fclose(fp);
	assert_int_equal(len, 0);
	free(buf);
	pfa_result_free(&ok);
}

static void
test_finding_line(void **state)
{
	(void)state;
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	/* the subject is not repeated when the message begins with it */
	pfa_report_print_finding(fp, "  ", "warning", "PFA-SMTPD-001",
	    "disable_vrfy_command", "disable_vrfy_command = no: VRFY", "x");
	pfa_report_print_finding(fp, "  ", "info", "PFA-DRIFT-001", "main.cf",
	    "main.cf: no earlier snapshot", NULL);
	/* but kept when the message only starts with the same letters */
	pfa_report_print_finding(fp, "", "info", "PFA-X-001", "main.cf",
	    "main.cf.1 is kept", NULL);
	pfa_report_print_finding(fp, "", "info", "PFA-X-002", "a/b",
	    "other words", NULL);
	fclose(fp);
	assert_string_equal(buf,
	    "  warning  PFA-SMTPD-001 disable_vrfy_command = no: VRFY\n"
	    "           remedy: x\n"
	    "  info     PFA-DRIFT-001 main.cf: no earlier snapshot\n"
	    "info     PFA-X-001 main.cf: main.cf.1 is kept\n"
	    "info     PFA-X-002 a/b: other words\n");
	free(buf);
}

static void
test_nagios(void **state)
{
	(void)state;
	struct pfa_result r;
	pfa_result_init(&r);
	pfa_result_add_finding(&r, PFA_SEV_WARNING, "PFA-QUEUE-001", "deferred",
	    NULL, "12 deferred | messages\nover the threshold");
	pfa_result_add_finding(&r, PFA_SEV_INFO, "PFA-QUEUE-009", "x", NULL,
	    "a note, not shown");
	pfa_result_add_metric(&r, "deferred", 12, "");
	double w = 10, c = 100, z = 0;
	pfa_result_metric_limits(&r, "deferred", &w, &c, &z, NULL);
	pfa_result_add_metric(&r, "oldest age", 1.25, "s");
	pfa_result_add_metric(&r, "bytes", 4096, "B");
	pfa_result_metric_limits(&r, "bytes", NULL, NULL, NULL, NULL);
	pfa_result_add_metric(&r, "days_left", 30, "d");
	pfa_result_metric_limits(&r, "days_left", NULL, &w, NULL, NULL);
	pfa_result_metric_limits(&r, "no such", &w, &c, &z, &z);
	pfa_result_set_summary(&r, "12 deferred | 0 held");
	struct pfa_report_task t = { .name = "check-queue", .ran = true,
		.res = &r };
	struct pfa_report_task skipped = { .name = "rotate-dh",
		.skipped = "not selected" };
	struct pfa_report_task ts[] = { skipped, t };
	struct pfa_report rep = { .command = "run", .tasks = ts, .ntasks = 2,
		.exit_code = 1 };
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	assert_int_equal(pfa_report_print_nagios(fp, &rep), 0);
	fclose(fp);
	assert_string_equal(buf, "PFAGENT CHECK-QUEUE WARNING - 12 deferred / "
	    "0 held | deferred=12;10;100;0 'oldest age'=1.250000s "
	    "bytes=4096B days_left=30;;10\n"
	    "warning PFA-QUEUE-001 deferred: 12 deferred / messages over the "
	    "threshold\n");
	free(buf);
	/* an exit code out of range is UNKNOWN */
	rep.exit_code = 7;
	fp = open_memstream(&buf, &len);
	pfa_report_print_nagios(fp, &rep);
	fclose(fp);
	assert_non_null(strstr(buf, "PFAGENT CHECK-QUEUE UNKNOWN - "));
	free(buf);
	pfa_result_free(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_result_status_raised),
		cmocka_unit_test(test_run_document),
		cmocka_unit_test(test_text_quiet),
		cmocka_unit_test(test_finding_line),
		cmocka_unit_test(test_nagios),
	};
	return cmocka_run_group_tests_name("report", tests, NULL, NULL);
}
