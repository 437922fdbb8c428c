/*
 * test_qtally.c - the tally of a listing (tasks/queue/qtally.c): qshape's
 * age buckets at their edges, domains as qshape takes them, counts per
 * queue, top lists, the max_keys bound (the rest counted as other, memory
 * bounded), reasons grouped once per cause with the defer-log sampler
 * called once per new cause, only for deferred mail and within its budget,
 * the oldest deferred messages kept, "still here since the last run", and
 * malformed, cut and empty lines.
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

static void
test_age_buckets(void **state)
{
	(void)state;
	assert_int_equal(pfa_qage_bucket(-5), 0);	/* clock skew */
	assert_int_equal(pfa_qage_bucket(0), 0);
	assert_int_equal(pfa_qage_bucket(299), 0);
	assert_int_equal(pfa_qage_bucket(300), 1);	/* 5m */
	assert_int_equal(pfa_qage_bucket(599), 1);
	assert_int_equal(pfa_qage_bucket(600), 2);	/* 10m */
	assert_int_equal(pfa_qage_bucket(1199), 2);
	assert_int_equal(pfa_qage_bucket(1200), 3);	/* 20m */
	assert_int_equal(pfa_qage_bucket(640 * 60 - 1), 7);
	assert_int_equal(pfa_qage_bucket(640 * 60), 8);	/* 640m */
	assert_int_equal(pfa_qage_bucket(1280 * 60 - 1), 8);
	assert_int_equal(pfa_qage_bucket(1280 * 60), 9);	/* 1280m+ */
	assert_int_equal(pfa_qage_bucket(100LL * 86400 * 365), 9);
	assert_string_equal(pfa_qage_labels[0], "5m");
	assert_string_equal(pfa_qage_labels[PFA_QAGE_BUCKETS - 1], "1280m+");
	assert_null(pfa_qage_labels[PFA_QAGE_BUCKETS]);
}

static void
test_domains(void **state)
{
	(void)state;
	char b[64];
	assert_string_equal(pfa_qdomain("User@Example.COM", b, sizeof(b)),
	    "example.com");
	assert_string_equal(pfa_qdomain("a@b@c.example.", b, sizeof(b)),
	    "c.example");
	assert_string_equal(pfa_qdomain("", b, sizeof(b)), "MAILER-DAEMON");
	assert_string_equal(pfa_qdomain("MAILER-DAEMON", b, sizeof(b)),
	    "MAILER-DAEMON");
	assert_string_equal(pfa_qdomain("root", b, sizeof(b)), "(local)");
	assert_string_equal(pfa_qdomain("x@", b, sizeof(b)), "(local)");
	assert_string_equal(pfa_qdomain(NULL, b, sizeof(b)), "MAILER-DAEMON");
	char tiny[4];
	assert_string_equal(pfa_qdomain("a@abcdef", tiny, sizeof(tiny)), "abc");
	assert_true(pfa_qid_ok("ABC123"));
	assert_true(pfa_qid_ok("4Jgt2V6BKNz1xy5"));
	assert_false(pfa_qid_ok(""));
	assert_false(pfa_qid_ok("a/b"));
	assert_false(pfa_qid_ok(".."));
	assert_int_equal(pfa_qname_parse("deferred"), PFA_Q_DEFERRED);
	assert_int_equal(pfa_qname_parse("Deferred"), -1);
	assert_int_equal(pfa_qname_parse(NULL), -1);
}

/* A message of queue Q from SENDER to N recipients RCPT (numbered when
 * N > 1) with REASON, arrived AGO seconds before NOW. */
static void
add(struct pfa_qtally *t, int q, const char *id, const char *sender,
    const char *rcpt, size_t n, const char *reason, long long ago)
{
	struct pfa_qrcpt r[8];
	char addr[8][64];
	assert_true(n <= 8);
	for (size_t i = 0; i < n; i++) {
		if (n > 1)
			snprintf(addr[i], sizeof(addr[i]), "%zu.%s", i, rcpt);
		else
			snprintf(addr[i], sizeof(addr[i]), "%s", rcpt);
		r[i].address = addr[i];
		r[i].reason = reason;
	}
	struct pfa_qmsg m = { .queue = q, .id = id, .arrival = NOW - ago,
		.size = 1000, .sender = sender, .rcpts = r, .nrcpts = n };
	pfa_qtally_add(t, &m);
}

struct sampled {
	int calls;
	char last_id[64];
};

static void
sampler(void *arg, const struct pfa_qmsg *m, size_t rcpt,
    struct pfa_reason *reason)
{
	struct sampled *s = arg;
	s->calls++;
	snprintf(s->last_id, sizeof(s->last_id), "%s", m->id);
	assert_true(rcpt < m->nrcpts);
	strcpy(reason->dsn, "4.4.1");
}

static void
test_counts_and_tops(void **state)
{
	(void)state;
	struct pfa_qtally t;
	pfa_qtally_init(&t, NOW, 100);
	struct sampled s = { 0, "" };
	t.sample = sampler;
	t.sample_arg = &s;
	t.samples = 10;
	const char *refused = "connect to mx.example.net[192.0.2.1]:25: "
	    "Connection refused";
	const char *suspended = "delivery temporarily suspended: connect to "
	    "mx.example.net[192.0.2.2]:25: Connection refused";
	add(&t, PFA_Q_DEFERRED, "A1", "alice@example.org", "bob@example.net",
	    2, refused, 400);
	add(&t, PFA_Q_DEFERRED, "A2", "alice@example.org", "bob@example.net",
	    1, suspended, 100000);
	add(&t, PFA_Q_DEFERRED, "A3", "carol@example.org", "dave@example.com",
	    1, "host mx.example.com[192.0.2.9] said: 450 4.7.1 <dave@example."
	    "com>: Greylisted (in reply to RCPT TO command)", 30);
	add(&t, PFA_Q_HOLD, "H1", "", "x@example.net", 1, NULL, 10);
	add(&t, PFA_Q_ACTIVE, "C1", "alice@example.org", "e@example.net", 1,
	    refused, 5);	/* not deferred: no sampling */

	assert_int_equal(t.q[PFA_Q_DEFERRED].msgs, 3);
	assert_int_equal(t.q[PFA_Q_DEFERRED].rcpts, 4);
	assert_int_equal(t.q[PFA_Q_DEFERRED].bytes, 3000);
	assert_int_equal(t.q[PFA_Q_DEFERRED].oldest, NOW - 100000);
	assert_int_equal(t.q[PFA_Q_DEFERRED].age[0], 1);	/* 30 s */
	assert_int_equal(t.q[PFA_Q_DEFERRED].age[1], 1);	/* 400 s */
	assert_int_equal(t.q[PFA_Q_DEFERRED].age[9], 1);	/* 27 h */
	assert_int_equal(t.q[PFA_Q_HOLD].msgs, 1);
	struct pfa_qcount all;
	pfa_qtally_total(&t, &all);
	assert_int_equal(all.msgs, 5);
	assert_int_equal(all.rcpts, 6);

	/* the suspended destination and its cause are one reason; the
	 * sampler ran once per new reason without a DSN, for deferred
	 * mail */
	assert_int_equal(t.reasons.n, 2);
	assert_int_equal(s.calls, 1);
	assert_string_equal(s.last_id, "A1");
	const struct pfa_qkey *top[5];
	assert_int_equal(pfa_qtable_top(&t.reasons, 5, top), 2);
	assert_int_equal(top[0]->msgs, 3);	/* A1, A2 and C1 */
	assert_int_equal(top[0]->rcpts, 4);
	assert_string_equal(top[0]->example_id, "A1");
	char *k = pfa_reason_key(&top[0]->reason);
	assert_string_equal(k, "4.4.1 mx.example.net: connect to "
	    "mx.example.net[...]:N: Connection refused");
	free(k);
	k = pfa_reason_key(&top[1]->reason);
	assert_string_equal(k, "4.7.1 mx.example.com: host mx.example.com"
	    "[...] said: 450 4.7.1 <...>: Greylisted (in reply to RCPT TO "
	    "command)");
	free(k);

	/* domains and senders count messages once */
	assert_int_equal(pfa_qtable_top(&t.rdomains, 5, top), 2);
	assert_string_equal(top[0]->key, "example.net");
	assert_int_equal(top[0]->msgs, 4);
	assert_int_equal(top[0]->rcpts, 5);
	assert_int_equal(pfa_qtable_top(&t.senders, 1, top), 1);
	assert_string_equal(top[0]->key, "alice@example.org");
	assert_int_equal(top[0]->msgs, 3);
	/* the bounce is on hold: senders are those of mail waiting */
	assert_int_equal(pfa_qtable_top(&t.sdomains, 5, top), 1);
	assert_string_equal(top[0]->key, "example.org");
	add(&t, PFA_Q_INCOMING, "B1", "", "x@example.net", 1, NULL, 10);
	assert_int_equal(pfa_qtable_top(&t.sdomains, 5, top), 2);
	assert_string_equal(top[1]->key, "MAILER-DAEMON");

	/* the oldest deferred are kept, oldest first */
	assert_int_equal(t.noldest, 3);
	assert_string_equal(t.oldest[0].id, "A2");
	assert_string_equal(t.oldest[2].id, "A3");
	pfa_qtally_free(&t);
}

static void
test_bounds(void **state)
{
	(void)state;
	struct pfa_qtally t;
	pfa_qtally_init(&t, NOW, 10);
	struct sampled s = { 0, "" };
	t.sample = sampler;
	t.sample_arg = &s;
	t.samples = 3;
	/* 5000 messages, each to its own domain with its own reason */
	for (int i = 0; i < 5000; i++) {
		char id[16], rcpt[64], reason[96];
		snprintf(id, sizeof(id), "M%d", i);
		snprintf(rcpt, sizeof(rcpt), "u@d%c%c%c.example", 'a' + i % 26,
		    'a' + i / 26 % 26, 'a' + i / 676 % 26);
		snprintf(reason, sizeof(reason), "host mx-%c%c%c.example[192.0."
		    "2.1] said: 450 busy", 'a' + i % 26, 'a' + i / 26 % 26,
		    'a' + i / 676 % 26);
		add(&t, PFA_Q_DEFERRED, id, "s@example.org", rcpt, 1, reason,
		    i);
	}
	assert_int_equal(t.q[PFA_Q_DEFERRED].msgs, 5000);
	assert_int_equal(t.rdomains.n, 10);
	assert_int_equal(t.rdomains.other_msgs, 4990);
	assert_int_equal(t.reasons.n, 10);
	assert_int_equal(t.reasons.other_rcpts, 4990);
	assert_true(t.raw.n <= 1024);
	assert_int_equal(s.calls, 3);		/* the budget */
	assert_int_equal(t.noldest, PFA_QOLDEST_KEPT);
	assert_string_equal(t.oldest[0].id, "M4999");
	/* control characters never reach a key; long keys are cut */
	char evil[1000];
	memset(evil, 'a', sizeof(evil) - 1);
	evil[sizeof(evil) - 1] = '\0';
	evil[3] = '\n';
	struct pfa_qtally u;
	pfa_qtally_init(&u, NOW, 10);
	add(&u, PFA_Q_DEFERRED, "E1", evil, "x@y", 1, NULL, 1);
	const struct pfa_qkey *top[1];
	assert_int_equal(pfa_qtable_top(&u.senders, 1, top), 1);
	assert_null(strchr(top[0]->key, '\n'));
	assert_true(strlen(top[0]->key) <= 320);
	add(&u, PFA_Q_DEFERRED, "E2", "a@b", "x\033[2J\n@y", 1, "busy", 1);
	assert_int_equal(pfa_qtable_top(&u.reasons, 1, top), 1);
	assert_string_equal(top[0]->example_rcpt, "x?[2J?@y");
	pfa_qtally_free(&u);
	pfa_qtally_free(&t);
}

static void
test_stuck(void **state)
{
	(void)state;
	struct pfa_qtally t;
	pfa_qtally_init(&t, NOW, 10);
	t.since = NOW - 3600;	/* the last run, an hour ago */
	add(&t, PFA_Q_DEFERRED, "OLD", "a@b", "c@d", 1, "x", 7200);
	add(&t, PFA_Q_DEFERRED, "NEW", "a@b", "c@d", 1, "x", 60);
	add(&t, PFA_Q_HOLD, "HLD", "a@b", "c@d", 1, NULL, 7200);
	assert_int_equal(t.stuck, 1);
	pfa_qtally_free(&t);
}

static void
test_lines(void **state)
{
	(void)state;
	struct pfa_qtally t;
	pfa_qtally_init(&t, NOW, 10);
	struct pfa_qjson *p = pfa_qjson_new();
	const char *good = "{\"queue_name\": \"deferred\", \"queue_id\": "
	    "\"X1\", \"arrival_time\": 1799999000, \"message_size\": 10, "
	    "\"sender\": \"a@b\", \"recipients\": [{\"address\": \"c@d\", "
	    "\"delay_reason\": \"deferred transport\"}]}";
	pfa_qtally_line(&t, p, good, strlen(good), false);
	pfa_qtally_line(&t, p, "", 0, false);		/* nothing */
	pfa_qtally_line(&t, p, "{\"queue", 7, false);	/* line 3 */
	pfa_qtally_line(&t, p, good, 100, true);	/* cut */
	pfa_qtally_line(&t, p, good, strlen(good), false);
	assert_int_equal(t.lines, 5);
	assert_int_equal(t.malformed, 2);
	assert_int_equal(t.first_bad, 3);
	assert_string_equal(t.bad_why, "truncated");
	assert_int_equal(t.q[PFA_Q_DEFERRED].msgs, 2);
	assert_int_equal(t.q[PFA_Q_DEFERRED].bytes, 20);
	pfa_qjson_free(p);
	pfa_qtally_free(&t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_age_buckets),
		cmocka_unit_test(test_domains),
		cmocka_unit_test(test_counts_and_tops),
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_stuck),
		cmocka_unit_test(test_lines),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
