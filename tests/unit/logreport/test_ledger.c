/*
 * test_ledger.c - log-report's counts (tasks/logreport/ledger*.c) on
 * small logs with exact expected numbers: pflogsumm's totals, the
 * per-message ledger (expired, held, discarded, content-filter
 * re-injection counted once, a reused queue id), per-recipient outcomes,
 * rejects by class, SASL failures, fatal lines, lines of other programs,
 * and a file split in two at every line giving the same counts as read
 * whole.  Reason groups are counted, never compared as text (reason.c
 * may refine its normalisation).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ledger.h"

static struct pfa_lognames names;

static int
setup(void **state)
{
	(void)state;
	memset(&names, 0, sizeof(names));
	pfa_lognames_add(&names, "postfix");
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	pfa_lognames_free(&names);
	return 0;
}

static void
feed(struct pfa_ledger *lg, const char *const *lines)
{
	struct pfa_logclock clk = { .ref = time(NULL) };
	for (size_t i = 0; lines[i]; i++) {
		char *c = strdup(lines[i]);
		struct pfa_logline l;
		bool ok = pfa_logline_parse(c, strlen(c), &clk, &l) == 0;
		pfa_ledger_line(lg, ok ? &l : NULL, ok, c, strlen(c));
		free(c);
	}
}

static const struct pfa_lr_entry *
get(const struct pfa_lr_table *t, const char *key)
{
	const struct pfa_lr_entry *e = pfa_lr_table_find(t, key, strlen(key));
	if (e == NULL)
		print_message("# no entry %s\n", key);
	assert_non_null(e);
	return e;
}

#define T "Mar  3 10:00:0"
static const char *const basic[] = {
	T "1 mx postfix/smtpd[1]: connect from a.example[192.0.2.1]",
	T "1 mx postfix/smtpd[1]: Anonymous TLS connection established from "
	    "a.example[192.0.2.1]: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384",
	T "1 mx postfix/smtpd[1]: AAAA000001: client=a.example[192.0.2.1]",
	T "1 mx postfix/cleanup[2]: AAAA000001: message-id=<1@a>",
	T "1 mx postfix/qmgr[3]: AAAA000001: from=<Alice@A.Example>, size=100, "
	    "nrcpt=3 (queue active)",
	T "2 mx postfix/smtp[4]: AAAA000001: to=<bob@Example.COM>, "
	    "relay=mx.example.com[198.51.100.1]:25, delay=1.5, "
	    "delays=0.1/0/0.4/1, dsn=2.0.0, status=sent (250 2.0.0 Ok)",
	T "2 mx postfix/smtp[4]: AAAA000001: to=<carol@example.com>, "
	    "relay=mx.example.com[198.51.100.1]:25, delay=2, delays=0.1/0/0.4/1, "
	    "dsn=4.4.1, status=deferred (connect to mx.example.com"
	    "[198.51.100.1]:25: Connection timed out)",
	T "3 mx postfix/smtp[4]: AAAA000001: to=<carol@example.com>, "
	    "relay=mx.example.com[198.51.100.2]:25, delay=3, delays=0.1/0/0.4/1, "
	    "dsn=4.4.1, status=deferred (connect to mx.example.com"
	    "[198.51.100.2]:25: Connection timed out)",
	T "3 mx postfix/smtp[4]: AAAA000001: to=<dave@example.net>, "
	    "relay=mx.example.net[198.51.100.3]:25, delay=3, delays=0.1/0/0.4/1, "
	    "dsn=5.1.1, status=bounced (host mx.example.net[198.51.100.3] said: "
	    "550 5.1.1 <dave@example.net>: User unknown (in reply to RCPT TO "
	    "command))",
	T "4 mx postfix/qmgr[3]: AAAA000001: from=<Alice@A.Example>, "
	    "status=expired, returned to sender",
	T "4 mx postfix/bounce[5]: AAAA000001: sender non-delivery "
	    "notification: BBBB000001",
	T "4 mx postfix/qmgr[3]: AAAA000001: removed",
	/* local submission, forwarded by local(8) */
	T "5 mx postfix/pickup[6]: CCCC000001: uid=0 from=<root>",
	T "5 mx postfix/local[7]: CCCC000001: to=<root@mx.example>, "
	    "relay=local, delay=0.1, delays=0/0/0/0.1, dsn=2.0.0, status=sent "
	    "(forwarded as DDDD000001)",
	T "5 mx postfix/qmgr[3]: CCCC000001: removed",
	NULL,
};

static void
test_basic(void **state)
{
	(void)state;
	struct pfa_ledger lg;
	pfa_ledger_init(&lg, &names, 1000);
	feed(&lg, basic);
	assert_int_equal(lg.received, 2);
	assert_int_equal(lg.delivered, 1);
	assert_int_equal(lg.forwarded, 1);
	assert_int_equal(lg.deferred, 1);	/* one message */
	assert_int_equal(lg.deferrals, 2);	/* two lines */
	assert_int_equal(lg.bounced, 1);
	assert_int_equal(lg.expired, 1);
	assert_int_equal(lg.conn_in, 1);
	assert_int_equal(lg.tls_in, 1);
	assert_int_equal(lg.unparsed, 0);
	assert_int_equal(lg.msgs_n, 0);		/* all removed */
	/* per recipient: every outcome; the domain lower-cased */
	const struct pfa_lr_entry *e = get(&lg.rcpt, "bob@example.com");
	assert_int_equal(e->c[C_DELIVERED], 1);
	e = get(&lg.rcpt, "carol@example.com");
	assert_int_equal(e->c[C_DEFERRED], 1);	/* once per message */
	assert_int_equal(e->c[C_DEFERRALS], 2);
	assert_int_equal(e->c[C_EXPIRED], 1);	/* still deferred: expired */
	e = get(&lg.rcpt, "dave@example.net");
	assert_int_equal(e->c[C_BOUNCED], 1);
	assert_int_equal(e->c[C_EXPIRED], 0);
	e = get(&lg.rcpt_dom, "example.com");
	assert_int_equal(e->c[C_DELIVERED], 1);
	assert_int_equal(e->c[C_DEFERRED], 1);
	e = get(&lg.sender, "Alice@a.example");
	assert_int_equal(e->c[C_MSGS], 1);
	assert_int_equal(e->c[C_BYTES], 100);
	/* two deferrals that differ only in the address: one cause */
	assert_int_equal(lg.defer_reasons.n, 1);
	assert_int_equal(lg.bounce_reasons.n, 1);
	/* delays at the final status: 1.5 (sent), 3 (bounced) */
	assert_int_equal(lg.delay_n, 2);
	assert_true(lg.delay_max == 3.0);
	assert_int_equal(lg.hours[10][H_RECEIVED], 2);
	pfa_ledger_free(&lg);
}

static const char *const filter[] = {
	T "1 mx postfix/smtpd[1]: AAAA000002: client=a.example[192.0.2.1]",
	T "1 mx postfix/qmgr[3]: AAAA000002: from=<a@a.example>, size=10, "
	    "nrcpt=1 (queue active)",
	T "1 mx postfix/smtp[4]: AAAA000002: to=<bob@example.com>, "
	    "relay=127.0.0.1[127.0.0.1]:10024, delay=0.5, delays=0/0/0/0.5, "
	    "dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as EEEE000002)",
	T "1 mx postfix/qmgr[3]: AAAA000002: removed",
	T "2 mx postfix/smtpd[8]: EEEE000002: client=localhost[127.0.0.1]",
	T "2 mx postfix/qmgr[3]: EEEE000002: from=<a@a.example>, size=20, "
	    "nrcpt=1 (queue active)",
	T "2 mx postfix/smtp[4]: EEEE000002: to=<bob@example.com>, "
	    "relay=mx.example.com[198.51.100.1]:25, delay=1, delays=0/0/0/1, "
	    "dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as X)",
	T "2 mx postfix/qmgr[3]: EEEE000002: removed",
	NULL,
};

static void
test_content_filter(void **state)
{
	(void)state;
	struct pfa_ledger lg;
	pfa_ledger_init(&lg, &names, 1000);
	feed(&lg, filter);
	/* pflogsumm counts the message twice; the ledger once */
	assert_int_equal(lg.received, 2);
	assert_int_equal(lg.delivered, 2);
	assert_int_equal(lg.reinjected, 1);
	assert_int_equal(get(&lg.rcpt, "bob@example.com")->c[C_DELIVERED], 1);
	assert_int_equal(get(&lg.sender, "a@a.example")->c[C_MSGS], 1);
	pfa_ledger_free(&lg);
}

static const char *const reuse[] = {
	T "1 mx postfix/smtp[4]: F00000: to=<a@b.example>, relay=none, "
	    "delay=1, dsn=4.4.1, status=deferred (x)",
	T "1 mx postfix/qmgr[3]: F00000: removed",
	T "2 mx postfix/smtpd[1]: F00000: client=a.example[192.0.2.1]",
	T "2 mx postfix/smtp[4]: F00000: to=<a@b.example>, relay=none, "
	    "delay=1, dsn=4.4.1, status=deferred (x)",
	NULL,
};

static void
test_reused_qid(void **state)
{
	(void)state;
	struct pfa_ledger lg;
	pfa_ledger_init(&lg, &names, 1000);
	feed(&lg, reuse);
	/* two messages with one short id: pflogsumm says 1 deferred (it
	 * keys on the id alone), the ledger 2 (cleared at "removed") */
	assert_int_equal(lg.deferred, 2);
	assert_int_equal(lg.deferrals, 2);
	assert_int_equal(lg.msgs_n, 1);
	pfa_ledger_free(&lg);
}

static const char *const rejects[] = {
	T "1 mx postfix/smtpd[1]: NOQUEUE: reject: RCPT from x[192.0.2.9]: 554 "
	    "5.7.1 <u@v.example>: Relay access denied; from=<a@b> to=<u@v> "
	    "proto=ESMTP helo=<x>",
	T "1 mx postfix/smtpd[1]: NOQUEUE: reject: RCPT from x[192.0.2.9]: 550 "
	    "5.1.1 <u@mx>: Recipient address rejected: User unknown in local "
	    "recipient table; from=<a@b> to=<u@mx> proto=ESMTP helo=<x>",
	T "1 mx postfix/postscreen[9]: NOQUEUE: reject: RCPT from "
	    "[192.0.2.9]:5: 550 5.7.1 Service unavailable; client [192.0.2.9] "
	    "blocked using zen.spamhaus.org; from=<a@b>, to=<u@mx>, "
	    "proto=ESMTP, helo=<x>",
	T "1 mx postfix/smtpd[1]: NOQUEUE: reject: RCPT from x[192.0.2.9]: 504 "
	    "5.5.2 <x>: Helo command rejected: need fully-qualified hostname; "
	    "from=<a@b> to=<u@mx> proto=ESMTP helo=<x>",
	T "1 mx postfix/smtpd[1]: NOQUEUE: reject: MAIL from x[192.0.2.9]: 553 "
	    "5.7.1 <a@b>: Sender address rejected: not owned by user u; "
	    "from=<a@b> proto=ESMTP helo=<x>",
	T "1 mx postfix/smtpd[1]: NOQUEUE: reject: CONNECT from x[192.0.2.9]: "
	    "554 5.7.1 <x[192.0.2.9]>: Client host rejected: Access denied; "
	    "proto=SMTP",
	T "1 mx postfix/smtpd[1]: NOQUEUE: reject_warning: RCPT from x[1.2.3.4]: "
	    "450 4.7.1 y; from=<a@b> to=<u@mx>",
	T "1 mx postfix/smtpd[1]: ABCD000003: milter-reject: END-OF-MESSAGE "
	    "from x[1.2.3.4]: 5.7.1 spam; from=<a@b> to=<u@mx>",
	T "1 mx postfix/cleanup[2]: ABCD000004: reject: header Subject: buy "
	    "from x[1.2.3.4]; from=<a@b> to=<u@mx> proto=ESMTP: 5.7.1 no",
	T "1 mx postfix/cleanup[2]: ABCD000005: hold: header X-Spam: yes from "
	    "x[1.2.3.4]; from=<a@b> to=<u@mx>: held",
	T "1 mx postfix/cleanup[2]: ABCD000005: hold: header X-Spam: again "
	    "from x[1.2.3.4]; from=<a@b> to=<u@mx>: held",
	T "1 mx postfix/cleanup[2]: ABCD000006: discard: body spam from "
	    "x[1.2.3.4]; from=<a@b> to=<u@mx>: gone",
	T "1 mx postfix/smtpd[1]: warning: x[192.0.2.66]: SASL LOGIN "
	    "authentication failed: UGFzc3dvcmQ6",
	T "1 mx postfix/smtpd[1]: warning: x[192.0.2.66]: SASL PLAIN "
	    "authentication failed: bad",
	T "1 mx postfix/smtpd[1]: fatal: bad numerical configuration: x",
	T "1 mx postfix/master[1]: panic: myfree: corrupt or unallocated",
	T "1 mx postfix/smtpd[1]: warning: Illegal address syntax from "
	    "localhost[127.0.0.1] in MAIL command: < fatal: x>",
	T "1 mx postfix-out/smtp[1]: fatal: another instance",
	T "1 mx pfagent[77]: task=log-report event=start",
	T "1 mx postfix/smtpd[1]: something nobody knows",
	"not a syslog line",
	NULL,
};

static void
test_rejects_and_problems(void **state)
{
	(void)state;
	struct pfa_ledger lg;
	pfa_ledger_init(&lg, &names, 1000);
	feed(&lg, rejects);
	/* pflogsumm: 6 NOQUEUE rejects + cleanup's header reject; not
	 * smtpd's milter-reject */
	assert_int_equal(lg.rejected, 7);
	assert_int_equal(lg.milter_rejected, 1);
	assert_int_equal(lg.reject_warnings, 1);
	assert_int_equal(lg.rclass[R_RELAY], 1);
	assert_int_equal(lg.rclass[R_UNKNOWN_RCPT], 1);
	assert_int_equal(lg.rclass[R_RBL], 1);
	assert_int_equal(lg.rclass[R_HELO], 1);
	assert_int_equal(lg.rclass[R_SENDER], 1);
	assert_int_equal(lg.rclass[R_CLIENT], 1);
	assert_int_equal(lg.rclass[R_MILTER], 1);
	assert_int_equal(lg.rclass[R_CONTENT], 1);
	assert_int_equal(get(&lg.rstage, "RCPT")->c[0], 4);
	/* held: two lines (pflogsumm), one message (the ledger) */
	assert_int_equal(lg.held_lines, 2);
	assert_int_equal(lg.held, 1);
	assert_int_equal(lg.discarded, 1);
	assert_int_equal(lg.sasl_failures, 2);
	assert_int_equal(get(&lg.sasl, "192.0.2.66")->c[0], 2);
	/* only this instance's own fatal: and panic: */
	assert_int_equal(lg.fatals, 1);
	assert_int_equal(lg.panics, 1);
	assert_int_equal(lg.nfatal_lines, 2);
	assert_int_equal(lg.warnings, 3);
	assert_int_equal(lg.skipped, 2);
	assert_int_equal(get(&lg.skipped_prog, "pfagent")->c[0], 1);
	assert_int_equal(get(&lg.skipped_prog, "postfix-out/smtp")->c[0], 1);
	assert_int_equal(lg.malformed, 1);
	assert_int_equal(lg.unparsed, 1);
	assert_int_equal(get(&lg.unparsed_daemon, "smtpd")->c[0], 1);
	pfa_ledger_free(&lg);
}

static const char *const blocks[] = {
	T "1 mx postfix/smtp[4]: AAAA000007: to=<a@gmail.com>, "
	    "relay=gmail-smtp-in.l.google.com[142.250.1.27]:25, delay=1, "
	    "dsn=4.7.28, status=deferred (host gmail-smtp-in.l.google.com"
	    "[142.250.1.27] said: 421-4.7.28 Our system has detected an "
	    "unusual rate of unsolicited mail (in reply to end of DATA "
	    "command))",
	T "1 mx postfix/smtp[4]: AAAA000008: to=<b@outlook.com>, "
	    "relay=outlook-com.olc.protection.outlook.com[52.1.1.1]:25, "
	    "delay=1, dsn=5.7.1, status=bounced (host outlook-com.olc."
	    "protection.outlook.com[52.1.1.1] said: 550 5.7.1 Unfortunately, "
	    "messages from [192.0.2.1] weren't sent. (S3140) (in reply to "
	    "RCPT TO command))",
	T "1 mx postfix/smtp[4]: AAAA000009: to=<c@example.org>, "
	    "relay=mx.example.org[198.51.100.4]:25, delay=1, dsn=4.4.1, "
	    "status=deferred (connect to mx.example.org[198.51.100.4]:25: "
	    "Connection refused)",
	/* the same reply for other recipients, one of them called
	 * "blocked": one group, no provider block, and each counted */
	T "2 mx postfix/smtp[4]: AAAA00000A: to=<x1@example.org>, "
	    "relay=mx.example.org[198.51.100.4]:25, delay=1, dsn=5.1.1, "
	    "status=bounced (host mx.example.org[198.51.100.4] said: 550 "
	    "5.1.1 <x1@example.org>: Recipient address rejected: User unknown "
	    "(in reply to RCPT TO command))",
	T "2 mx postfix/smtp[4]: AAAA00000A: to=<blocked@example.org>, "
	    "relay=mx.example.org[198.51.100.4]:25, delay=1, dsn=5.1.1, "
	    "status=bounced (host mx.example.org[198.51.100.4] said: 550 "
	    "5.1.1 <blocked@example.org>: Recipient address rejected: User "
	    "unknown (in reply to RCPT TO command))",
	T "2 mx postfix/smtp[4]: AAAA00000A: to=<x3@example.org>, "
	    "relay=mx.example.org[198.51.100.4]:25, delay=1, dsn=5.1.1, "
	    "status=bounced (host mx.example.org[198.51.100.4] said: 550 "
	    "5.1.1 <x3@example.org>: Recipient address rejected: User unknown "
	    "(in reply to RCPT TO command))",
	NULL,
};

static void
test_provider_blocks(void **state)
{
	(void)state;
	struct pfa_ledger lg;
	pfa_ledger_init(&lg, &names, 1000);
	feed(&lg, blocks);
	assert_int_equal(get(&lg.providers, "google")->c[0], 1);
	assert_int_equal(get(&lg.providers, "microsoft")->c[0], 1);
	assert_int_equal(lg.providers.n, 2);	/* not the refused one */
	size_t n;
	struct pfa_lr_entry **v = pfa_lr_table_sorted(&lg.bounce_reasons, 0, 0,
	    &n);
	assert_int_equal(n, 2);		/* Microsoft's, and the unknown user */
	assert_int_equal(v[0]->c[0], 3);
	assert_non_null(strstr(v[0]->note, "<x1@example.org>"));
	free(v);
	pfa_ledger_free(&lg);
}

static void
test_table_limit(void **state)
{
	(void)state;
	struct pfa_ledger lg;
	pfa_ledger_init(&lg, &names, 100);
	char line[300];
	struct pfa_logclock clk = { .ref = time(NULL) };
	for (int i = 0; i < 500; i++) {
		snprintf(line, sizeof(line), T "1 mx postfix/smtp[4]: "
		    "A%09d: to=<u%d@example.com>, relay=x[1.2.3.4]:25, delay=1, "
		    "dsn=2.0.0, status=sent (ok)", i, i);
		struct pfa_logline l;
		assert_int_equal(pfa_logline_parse(line, strlen(line), &clk, &l),
		    0);
		pfa_ledger_line(&lg, &l, true, line, strlen(line));
	}
	assert_int_equal(lg.delivered, 500);
	assert_true(lg.rcpt.n <= 101);
	assert_int_equal(get(&lg.rcpt, LR_OTHER)->c[C_DELIVERED],
	    500 - (lg.rcpt.n - 1));
	assert_int_equal(lg.rcpt.folded, 500 - (lg.rcpt.n - 1));
	pfa_ledger_free(&lg);
}

/* Every line of A, B and C split in two at each place: the halves'
 * ledgers merged give the whole's counts. */
static void
test_split_merge(void **state)
{
	(void)state;
	const char *const *sets[] = { basic, filter, rejects, NULL };
	const char *all[200];
	size_t n = 0;
	for (size_t s = 0; sets[s]; s++)
		for (size_t i = 0; sets[s][i]; i++)
			all[n++] = sets[s][i];
	all[n] = NULL;
	struct pfa_ledger whole;
	pfa_ledger_init(&whole, &names, 1000);
	feed(&whole, all);
	for (size_t cut = 0; cut <= n; cut++) {
		const char *first[200], *second[200];
		size_t a = 0, b = 0;
		for (size_t i = 0; i < n; i++) {
			if (i < cut)
				first[a++] = all[i];
			else
				second[b++] = all[i];
		}
		first[a] = second[b] = NULL;
		struct pfa_ledger x, y;
		pfa_ledger_init(&x, &names, 1000);
		pfa_ledger_init(&y, &names, 1000);
		y.split = true;
		feed(&x, first);
		feed(&y, second);
		struct pfa_logclock clk = { .ref = time(NULL) };
		pfa_ledger_merge(&x, &y, &clk);
		assert_int_equal(x.received, whole.received);
		assert_int_equal(x.delivered, whole.delivered);
		assert_int_equal(x.deferred, whole.deferred);
		assert_int_equal(x.deferrals, whole.deferrals);
		assert_int_equal(x.bounced, whole.bounced);
		assert_int_equal(x.rejected, whole.rejected);
		assert_int_equal(x.expired, whole.expired);
		assert_int_equal(x.held, whole.held);
		assert_int_equal(x.discarded, whole.discarded);
		if (x.reinjected != whole.reinjected)
			print_message("# cut %zu: %s\n", cut, all[cut]);
		assert_int_equal(x.reinjected, whole.reinjected);
		assert_int_equal(x.lines, whole.lines);
		assert_int_equal(x.ours, whole.ours);
		const char *keys[] = { "bob@example.com", "carol@example.com",
			NULL };
		for (size_t k = 0; keys[k]; k++)
			for (int c = 0; c < LR_COLS; c++)
				assert_int_equal(get(&x.rcpt, keys[k])->c[c],
				    get(&whole.rcpt, keys[k])->c[c]);
		pfa_ledger_free(&x);
		pfa_ledger_free(&y);
	}
	pfa_ledger_free(&whole);
}

/* Delivery lines read field by field, and those that are not in
 * Postfix's order (read by searching, as pflogsumm does). */
static const char *const shapes[] = {
	T "1 mx postfix/smtp[4]: EEEE000001: to=<a@x.example>, "
	    "orig_to=<\"b, c\"@x.example>, relay=mx.x.example[192.0.2.9]:25, "
	    "conn_use=2, delay=4, delays=1/1/1/1, dsn=2.0.0, status=sent "
	    "(250 ok)",
	T "1 mx postfix/smtp[4]: EEEE000001: to=<b@x.example>, delay=5, "
	    "relay=mx.x.example[192.0.2.9]:25, status=sent (250 ok)",
	T "1 mx postfix/smtp[4]: EEEE000001: to=<c@x.example>, dsn=2.0.0, "
	    "status=sent (250 ok)",
	T "1 mx postfix/smtp[4]: EEEE000001: to=<d@x.example>, "
	    "relay=mx.x.example[192.0.2.9]:25, delay=1, a-field-name-too-long=1, "
	    "status=deferred (try later)",
	T "2 mx postfix/qmgr[3]: EEEE000001: from=<s@y.example>, size=1, "
	    "nrcpt=4, status=force-expired, returned to sender",
	/* sizes: digits only, saturating */
	T "3 mx postfix/smtpd[1]: FFFF000001: client=b.example[192.0.2.2]",
	T "3 mx postfix/qmgr[3]: FFFF000001: from=<big@z.example>, "
	    "size=99999999999999999999999, nrcpt=1 (queue active)",
	T "3 mx postfix/smtpd[1]: FFFF000002: client=b.example[192.0.2.2]",
	T "3 mx postfix/qmgr[3]: FFFF000002: from=<neg@z.example>, size=-5, "
	    "nrcpt=1 (queue active)",
	T "3 mx postfix/smtpd[1]: FFFF000003: client=b.example[192.0.2.2]",
	T "3 mx postfix/qmgr[3]: FFFF000003: from=<neg@z.example>, size=12x, "
	    "nrcpt=1 (queue active)",
	NULL,
};

static void
test_delivery_shapes(void **state)
{
	(void)state;
	struct pfa_ledger lg;
	pfa_ledger_init(&lg, &names, 1000);
	feed(&lg, shapes);
	assert_int_equal(lg.delivered, 2);	/* c has no relay= nor delay= */
	assert_int_equal(lg.deferrals, 1);
	assert_int_equal(lg.expired, 1);
	assert_int_equal(lg.force_expired, 1);
	assert_int_equal(get(&lg.rcpt, "a@x.example")->c[C_DELIVERED], 1);
	assert_int_equal(get(&lg.rcpt, "b@x.example")->c[C_DELIVERED], 1);
	assert_null(pfa_lr_table_find(&lg.rcpt, "c@x.example", 11));
	assert_int_equal(get(&lg.rcpt, "d@x.example")->c[C_EXPIRED], 1);
	assert_int_equal(get(&lg.rcpt_dom, "x.example")->c[C_DELIVERED], 2);
	assert_int_equal(lg.delay_n, 2);
	assert_true(lg.delay_max >= 5 && lg.delay_max < 5.1);
	assert_int_equal(lg.unparsed, 1);
	assert_true(get(&lg.sender, "big@z.example")->c[C_BYTES] == UINT64_MAX);
	assert_int_equal(get(&lg.sender, "neg@z.example")->c[C_MSGS], 2);
	assert_int_equal(get(&lg.sender, "neg@z.example")->c[C_BYTES], 12);
	assert_int_equal(get(&lg.sender_dom, "z.example")->c[C_MSGS], 3);
	pfa_ledger_free(&lg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basic),
		cmocka_unit_test(test_content_filter),
		cmocka_unit_test(test_reused_qid),
		cmocka_unit_test(test_rejects_and_problems),
		cmocka_unit_test(test_provider_blocks),
		cmocka_unit_test(test_table_limit),
		cmocka_unit_test(test_split_merge),
		cmocka_unit_test(test_delivery_shapes),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
