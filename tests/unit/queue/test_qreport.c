/*
 * test_qreport.c - check-queue's report (tasks/queue/qreport.c): metrics
 * under their fixed names with the thresholds --nagios prints, threshold
 * findings above (not at) warn and crit naming the worst domains and
 * reasons, hold left out of the age, one sender's flood, a stopped
 * Postfix, maildrop not moving, the active queue near its limit, corrupt
 * files, the trend against the last run's state, and the state itself.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "queue.h"

#define NOW 1800000000LL

static const struct pfa_qconf defaults = {
	.deferred_warn = 100, .deferred_crit = 1000,
	.total_warn = -1, .total_crit = -1,
	.hold_warn = -1, .hold_crit = -1,
	.age_warn = 86400, .age_crit = 4 * 86400,
	.sender_share = 50, .sender_min = 100,
	.top = 5, .max_keys = 100, .defer_logs = 0, .timeout = 60,
};

static void
add(struct pfa_qtally *t, int q, int n, const char *sender,
    const char *rcpt, const char *reason, long long ago)
{
	for (int i = 0; i < n; i++) {
		char id[32];
		snprintf(id, sizeof(id), "Q%dN%llu", q, t->seq);
		struct pfa_qrcpt r = { rcpt, reason };
		struct pfa_qmsg m = { .queue = q, .id = id, .arrival = NOW - ago,
			.size = 100, .sender = sender, .rcpts = &r, .nrcpts = 1 };
		pfa_qtally_add(t, &m);
	}
}

static const struct pfa_finding *
find(const struct pfa_result *res, const char *id)
{
	for (size_t i = 0; i < res->nfindings; i++)
		if (strcmp(res->findings[i].id, id) == 0)
			return &res->findings[i];
	return NULL;
}

static const struct pfa_metric *
metric(const struct pfa_result *res, const char *name)
{
	for (size_t i = 0; i < res->nmetrics; i++)
		if (strcmp(res->metrics[i].name, name) == 0)
			return &res->metrics[i];
	return NULL;
}

static void
report(const struct pfa_qconf *c, const struct pfa_qtally *t, bool full,
    int running, json_object *last, struct pfa_result *res)
{
	struct pfa_qreport_in in = { .conf = c, .t = t, .config_dir =
		"/etc/postfix", .remedy_conf = "pfagent", .full = full,
		.running = running, .active_limit = 20000, .last = last };
	pfa_result_init(res);
	pfa_qreport(&in, res);
}

static void
test_metrics_and_thresholds(void **state)
{
	(void)state;
	struct pfa_qtally t;
	pfa_qtally_init(&t, NOW, 100);
	add(&t, PFA_Q_DEFERRED, 100, "a@example.org", "b@example.net",
	    "connect to mx.example.net[192.0.2.1]:25: Connection refused", 60);
	add(&t, PFA_Q_HOLD, 2, "h@example.org", "c@example.com", NULL,
	    30 * 86400);		/* a month on hold: not "waiting" */
	struct pfa_result res;
	struct pfa_qconf base = defaults;
	base.sender_min = 100000;	/* no flood here */
	report(&base, &t, true, 1, NULL, &res);
	static const char *const names[] = { "total", "maildrop", "incoming",
		"active", "deferred", "hold", "corrupt", "bytes", "oldest_age_s",
		NULL };
	for (size_t i = 0; names[i]; i++)
		assert_non_null(metric(&res, names[i]));
	assert_true(metric(&res, "total")->value == 102);
	assert_true(metric(&res, "deferred")->value == 100);
	assert_true(metric(&res, "hold")->value == 2);
	assert_true(metric(&res, "bytes")->value == 10200);
	assert_true(metric(&res, "oldest_age_s")->value == 60);
	assert_true(metric(&res, "age_lt_5m")->value == 100);
	assert_true(metric(&res, "age_ge_1280m")->value == 2);
	const struct pfa_metric *d = metric(&res, "deferred");
	assert_int_equal(d->have, PFA_METRIC_WARN | PFA_METRIC_CRIT |
	    PFA_METRIC_MIN);
	assert_true(d->warn == 100 && d->crit == 1000 && d->min == 0);
	assert_int_equal(metric(&res, "total")->have, PFA_METRIC_MIN);
	assert_true(metric(&res, "oldest_age_s")->warn == 86400);
	/* 100 is not above deferred_warn = 100 */
	assert_null(find(&res, "PFA-QUEUE-010"));
	assert_int_equal(res.status, PFA_OK);
	assert_non_null(find(&res, "PFA-QUEUE-025"));	/* hold: a note */
	assert_non_null(strstr(res.summary, "102 messages"));
	pfa_result_free(&res);

	add(&t, PFA_Q_DEFERRED, 1, "a@example.org", "b@example.net",
	    "connect to mx.example.net[192.0.2.1]:25: Connection refused", 60);
	report(&base, &t, true, 1, NULL, &res);
	const struct pfa_finding *f = find(&res, "PFA-QUEUE-010");
	assert_non_null(f);
	assert_int_equal(f->sev, PFA_SEV_WARNING);
	assert_non_null(strstr(f->message, "example.net (101)"));
	assert_non_null(strstr(f->message, "mx.example.net: connect to"));
	assert_int_equal(res.status, PFA_WARNING);
	pfa_result_free(&res);

	struct pfa_qconf c = base;
	c.deferred_crit = 100;
	c.hold_warn = 1;
	c.total_warn = 50;
	c.total_crit = 101;
	c.age_warn = 30;
	report(&c, &t, false, 1, NULL, &res);	/* the count-only path */
	assert_int_equal(find(&res, "PFA-QUEUE-010")->sev, PFA_SEV_CRITICAL);
	/* without a listing the findings name no domains */
	assert_null(strstr(find(&res, "PFA-QUEUE-010")->message, "most to"));
	assert_int_equal(find(&res, "PFA-QUEUE-011")->sev, PFA_SEV_CRITICAL);
	assert_int_equal(find(&res, "PFA-QUEUE-012")->sev, PFA_SEV_WARNING);
	assert_null(find(&res, "PFA-QUEUE-025"));	/* the threshold said it */
	assert_int_equal(find(&res, "PFA-QUEUE-013")->sev, PFA_SEV_WARNING);
	assert_null(find(&res, "PFA-QUEUE-002"));	/* no top lists */
	assert_null(metric(&res, "recipients"));
	assert_int_equal(res.status, PFA_CRITICAL);
	pfa_result_free(&res);
	pfa_qtally_free(&t);
}

static void
test_causes(void **state)
{
	(void)state;
	struct pfa_qtally t;
	pfa_qtally_init(&t, NOW, 100);
	add(&t, PFA_Q_DEFERRED, 150, "spam@example.org", "x@example.net",
	    "deferred transport", 60);
	add(&t, PFA_Q_DEFERRED, 50, "ok@example.org", "x@example.net",
	    "deferred transport", 60);
	add(&t, PFA_Q_MAILDROP, 3, "u@example.org", "x@example.net", NULL,
	    3600);
	add(&t, PFA_Q_ACTIVE, 0, "", "", NULL, 0);
	t.q[PFA_Q_CORRUPT].msgs = 2;
	struct pfa_result res;
	report(&defaults, &t, true, 0, NULL, &res);
	const struct pfa_finding *f = find(&res, "PFA-QUEUE-020");
	assert_non_null(f);
	assert_string_equal(f->subject, "spam@example.org");
	assert_non_null(strstr(f->message, "150 of the 203"));
	assert_string_equal(f->remedy, "pfagent queue hold --sender "
	    "spam@example.org");
	assert_null(find(&res, "PFA-QUEUE-021"));
	f = find(&res, "PFA-QUEUE-030");
	assert_non_null(f);
	assert_int_equal(f->sev, PFA_SEV_CRITICAL);
	assert_string_equal(f->remedy, "postfix start");
	assert_non_null(find(&res, "PFA-QUEUE-022"));
	assert_non_null(strstr(find(&res, "PFA-QUEUE-022")->message,
	    "not running"));
	assert_non_null(find(&res, "PFA-QUEUE-026"));
	assert_non_null(strstr(res.summary, "Postfix is not running"));
	assert_int_equal(res.status, PFA_CRITICAL);
	pfa_result_free(&res);
	/* active near qmgr_message_active_limit */
	struct pfa_qtally u;
	pfa_qtally_init(&u, NOW, 10);
	add(&u, PFA_Q_ACTIVE, 16000, "a@b", "c@d", NULL, 1);
	report(&defaults, &u, true, 1, NULL, &res);
	assert_non_null(find(&res, "PFA-QUEUE-024"));
	pfa_result_free(&res);
	pfa_qtally_free(&u);
	/* one domain of many senders: a note only */
	pfa_qtally_init(&u, NOW, 1000);
	for (int i = 0; i < 120; i++) {
		char s[32];
		snprintf(s, sizeof(s), "user%d@example.org", i);
		add(&u, PFA_Q_DEFERRED, 1, s, "x@example.net", NULL, 1);
	}
	report(&defaults, &u, true, 1, NULL, &res);
	assert_null(find(&res, "PFA-QUEUE-020"));
	assert_int_equal(find(&res, "PFA-QUEUE-021")->sev, PFA_SEV_INFO);
	pfa_result_free(&res);
	pfa_qtally_free(&u);
	pfa_qtally_free(&t);
}

static void
test_trend_and_state(void **state)
{
	(void)state;
	struct pfa_qtally t;
	pfa_qtally_init(&t, NOW - 3600, 10);
	add(&t, PFA_Q_DEFERRED, 3, "a@b", "c@d", "x", 7200);
	json_object *st = pfa_qreport_state(&t);
	json_object *v, *c;
	assert_true(json_object_object_get_ex(st, "time", &v));
	assert_int_equal(json_object_get_int64(v), NOW - 3600);
	assert_true(json_object_object_get_ex(st, "counts", &c));
	assert_true(json_object_object_get_ex(c, "deferred", &v));
	assert_int_equal(json_object_get_int64(v), 3);
	assert_true(json_object_object_get_ex(st, "oldest", &v));
	assert_int_equal(json_object_array_length(v), 3);
	char first[64];
	snprintf(first, sizeof(first), "%s", t.oldest[0].id);
	pfa_qtally_free(&t);

	/* an hour later: the same three, and two new */
	pfa_qtally_init(&t, NOW, 10);
	t.since = NOW - 3600;
	t.seq = 0;
	add(&t, PFA_Q_DEFERRED, 3, "a@b", "c@d", "x", 10800);
	add(&t, PFA_Q_DEFERRED, 2, "a@b", "c@d", "x", 60);
	struct pfa_result res;
	report(&defaults, &t, true, 1, st, &res);
	const struct pfa_finding *f = find(&res, "PFA-QUEUE-005");
	assert_non_null(f);
	assert_non_null(strstr(f->message, "3 deferred messages were already "
	    "queued"));
	assert_non_null(strstr(f->message, "+2 since then"));
	pfa_result_free(&res);
	pfa_qtally_free(&t);
	/* a state of another shape is ignored */
	json_object *odd = json_tokener_parse("{\"time\": \"x\", \"counts\": "
	    "[1], \"oldest\": {}}");
	pfa_qtally_init(&t, NOW, 10);
	add(&t, PFA_Q_DEFERRED, 1, "a@b", "c@d", "x", 10);
	report(&defaults, &t, true, 1, odd, &res);
	assert_null(find(&res, "PFA-QUEUE-005"));
	pfa_result_free(&res);
	pfa_qtally_free(&t);
	json_object_put(odd);
	json_object_put(st);
	(void)first;
}

static void
test_empty(void **state)
{
	(void)state;
	struct pfa_qtally t;
	pfa_qtally_init(&t, NOW, 10);
	struct pfa_result res;
	report(&defaults, &t, true, 1, NULL, &res);
	assert_int_equal(res.status, PFA_OK);
	assert_int_equal(res.nfindings, 0);
	assert_string_equal(res.summary, "the queue is empty");
	assert_true(metric(&res, "oldest_age_s")->value == 0);
	pfa_result_free(&res);
	pfa_qtally_free(&t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_metrics_and_thresholds),
		cmocka_unit_test(test_causes),
		cmocka_unit_test(test_trend_and_state),
		cmocka_unit_test(test_empty),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
