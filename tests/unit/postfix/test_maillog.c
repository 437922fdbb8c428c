/*
 * test_maillog.c - the mail-log reader (postfix/maillog*.c): the parts of
 * a line in both timestamp styles, the year across New Year, nested
 * syslog names, severity only at the start of the message, queue ids;
 * files read from an offset with a half-written last line, binary and
 * oversized lines, gzip, and rotated siblings in chronological order.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <zlib.h>

#include "exec.h"
#include "maillog.h"
#include "testutil.h"

static int
parse(const char *line, struct pfa_logclock *clk, struct pfa_logline *l)
{
	return pfa_logline_parse(line, strlen(line), clk, l);
}

static bool
eq(const char *p, size_t n, const char *want)
{
	return strlen(want) == n && memcmp(p, want, n) == 0;
}

static void
test_traditional(void **state)
{
	(void)state;
	struct pfa_logclock clk = { .ref = time(NULL) };
	struct pfa_logline l;
	assert_int_equal(parse("Mar  3 10:00:01 mail postfix/submission/smtpd"
	    "[1234]: 4F2B81234A: client=host[192.0.2.1]", &clk, &l), 0);
	assert_true(eq(l.host, l.hostlen, "mail"));
	assert_true(eq(l.prog, l.proglen, "postfix/submission/smtpd"));
	assert_true(eq(l.prog, l.namelen, "postfix/submission"));
	assert_true(eq(l.daemon, l.daemonlen, "smtpd"));
	assert_int_equal(l.pid, 1234);
	assert_int_equal(l.hour, 10);
	assert_int_equal(l.sev, PFA_LOGSEV_INFO);
	assert_true(eq(l.qid, l.qidlen, "4F2B81234A"));
	assert_true(eq(l.msg, l.msglen, "client=host[192.0.2.1]"));
	/* maillog_file's zero-padded day and microseconds */
	assert_int_equal(parse("Dec 02 16:30:12.123456 sandbox pfsb-x/qmgr"
	    "[9]: 3mPVKl0Mhjz7sXv: removed", &clk, &l), 0);
	assert_true(eq(l.qid, l.qidlen, "3mPVKl0Mhjz7sXv"));
	assert_true(eq(l.msg, l.msglen, "removed"));
	/* no pid */
	assert_int_equal(parse("Jan 1 00:00:00 h postfix/postfix-script: "
	    "starting the Postfix mail system", &clk, &l), 0);
	assert_int_equal(l.pid, -1);
	assert_null(l.qid);
}

static void
test_rfc3339(void **state)
{
	(void)state;
	struct pfa_logclock clk = { 0 };
	struct pfa_logline l;
	assert_int_equal(parse("2020-01-30T06:26:05.404714+09:00 mail "
	    "postfix/smtpd[1830]: connect from example.com[127.0.0.1]", &clk,
	    &l), 0);
	/* 2020-01-29T21:26:05Z */
	assert_int_equal(l.when, 1580333165);
	assert_int_equal(l.hour, 6);
	assert_int_equal(parse("2026-03-03T10:00:01Z h postfix-out/smtp[1]: "
	    "x", &clk, &l), 0);
	assert_int_equal(l.when, 1772532001);
	assert_true(eq(l.prog, l.namelen, "postfix-out"));
	assert_int_equal(parse("2026-03-03T10:00:01-05:30 h p[1]: x", &clk,
	    &l), 0);
	assert_int_equal(l.when, 1772532001 + 5 * 3600 + 1800);
	/* the offset of the line before, again, and another one */
	assert_int_equal(parse("2026-03-03T10:00:02-05:30 h p[1]: x", &clk,
	    &l), 0);
	assert_int_equal(l.when, 1772532002 + 5 * 3600 + 1800);
	assert_int_equal(parse("2026-03-03T10:00:02+05:30 h p[1]: x", &clk,
	    &l), 0);
	assert_int_equal(l.when, 1772532002 - 5 * 3600 - 1800);
	assert_int_equal(parse("2026-03-03T10:00:02+05:3x h p[1]: x", &clk,
	    &l), -1);
	/* the date and hour are checked once, the rest on every line */
	assert_int_equal(parse("2026-03-03T10:59:60Z h p[1]: x", &clk, &l), 0);
	assert_int_equal(l.when, 1772532001 + 59 * 60 + 59);
	assert_int_equal(parse("2026-03-03T10:60:00Z h p[1]: x", &clk, &l), -1);
	assert_int_equal(parse("2026-03-03T10:0a:00Z h p[1]: x", &clk, &l), -1);
	assert_int_equal(parse("2026-03-03T11:00:00 h p[1]: x", &clk, &l), -1);
	assert_int_equal(parse("2026-03-04T00:00:00Z h p[1]: x", &clk, &l), 0);
	assert_int_equal(l.when, 1772582400);
	assert_int_equal(l.hour, 0);
	assert_int_equal(parse("2026-02-30X00:00:00Z h p[1]: x", &clk, &l), -1);
	assert_int_equal(parse("2026-03-04T24:00:00Z h p[1]: x", &clk, &l), -1);
	/* a program name with slashes, and a queue id's kinds */
	assert_int_equal(parse("2026-03-04T00:00:01Z h postfix/submission/smtpd"
	    "[9]: 4Xyz1abcDEF: client=x", &clk, &l), 0);
	assert_true(eq(l.prog, l.namelen, "postfix/submission"));
	assert_true(eq(l.daemon, l.daemonlen, "smtpd"));
	assert_true(eq(l.qid, l.qidlen, "4Xyz1abcDEF"));
	assert_int_equal(parse("2026-03-04T00:00:01Z h postfix/smtpd[9]: "
	    "abcdef1234: x", &clk, &l), 0);
	assert_null(l.qid);	/* no upper-case letter: not a long id */
	assert_int_equal(parse("2026-03-04T00:00:01Z h postfix/smtpd[9]: "
	    "ABCDEF: x", &clk, &l), 0);
	assert_true(eq(l.qid, l.qidlen, "ABCDEF"));
}

/* Lines built from parts of every length around the parser's 16-byte
 * steps (program names with and without slashes, pids, queue ids of each
 * kind, fractions, messages short and long): each part must come back
 * as it went in, and a malformed one must make the line fail. */
static void
test_parts(void **state)
{
	(void)state;
	static const char *const progs[] = { "p", "postfix/smtpd",
		"postfix/submission/smtpd", "postfix-out/smtp",
		"a/b/c/d/e/f/g/h/i/j/k", "postfix.very-long-instance-name/qmgr",
		"x234567890123456", "x2345678901234567/y" };
	static const char *const qids[] = { "", "ABCDEF", "0123456789AB",
		"4Xyz1abcDEF", "4Xyz1abcDEF2ghiJ", "4Xyz1abcDEF2ghiJ3klmN",
		"4Xyz1abcDEF2ghiJ3klmNop", "abcdef1234", "NOQUEUE",
		"ABCDEF0123456789ABCDEF0123" };
	static const char *const pids[] = { "", "[1]", "[12345]",
		"[12345678]", "[987654321]", "[12345678901]" };
	static const char *const fracs[] = { "", ".1", ".123456",
		".1234567890123456789" };
	static const char *const msgs[] = { "x", "connect from a[192.0.2.1]",
		"to=<a@b.example>, relay=none, delay=1, delays=1/0/0/0, "
		"dsn=4.4.1, status=deferred (x)" };
	struct pfa_logclock clk = { 0 };
	char line[512];
	int n = 0;
	for (size_t a = 0; a < sizeof(progs) / sizeof(progs[0]); a++)
	for (size_t b = 0; b < sizeof(qids) / sizeof(qids[0]); b++)
	for (size_t c = 0; c < sizeof(pids) / sizeof(pids[0]); c++)
	for (size_t d = 0; d < sizeof(fracs) / sizeof(fracs[0]); d++)
	for (size_t e = 0; e < sizeof(msgs) / sizeof(msgs[0]); e++) {
		const char *q = qids[b];
		snprintf(line, sizeof(line), "2026-03-04T00:00:01%s+01:00 "
		    "mx.example.org %s%s: %s%s%s", fracs[d], progs[a], pids[c],
		    q, *q ? ": " : "", msgs[e]);
		struct pfa_logline l;
		assert_int_equal(parse(line, &clk, &l), 0);
		assert_int_equal(l.when, 1772582401 - 3600);
		assert_true(eq(l.host, l.hostlen, "mx.example.org"));
		assert_true(eq(l.prog, l.proglen, progs[a]));
		const char *slash = strrchr(progs[a], '/');
		assert_int_equal(l.namelen, slash ? (size_t)(slash - progs[a]) :
		    strlen(progs[a]));
		assert_true(eq(l.daemon, l.daemonlen, slash ? slash + 1 :
		    progs[a]));
		assert_int_equal(l.pid, *pids[c] ? strtol(pids[c] + 1, NULL,
		    10) : -1);
		/* ids longer than 24, or with no upper-case letter, are
		 * not ids: they stay in the message */
		bool id = *q && strlen(q) <= 24 && strcmp(q, "abcdef1234") != 0;
		if (id) {
			assert_true(eq(l.qid, l.qidlen, q));
			assert_true(eq(l.msg, l.msglen, msgs[e]));
		} else {
			assert_null(l.qid);
			assert_int_equal(l.msglen, strlen(line) -
			    (size_t)(l.msg - line));
		}
		n++;
	}
	assert_int_equal(n, 8 * 10 * 6 * 4 * 3);
	/* what must fail: a pid with a letter or too long, no colon */
	assert_int_equal(parse("2026-03-04T00:00:01Z h postfix/smtpd[12a]: x",
	    &clk, &(struct pfa_logline){ 0 }), -1);
	assert_int_equal(parse("2026-03-04T00:00:01Z h postfix/smtpd"
	    "[123456789012]: x", &clk, &(struct pfa_logline){ 0 }), -1);
	assert_int_equal(parse("2026-03-04T00:00:01Z h postfix/smtpd-and-more"
	    "-words x", &clk, &(struct pfa_logline){ 0 }), -1);
	assert_int_equal(parse("2026-03-04T00:00:01.12345678901234567890123Z h "
	    "p: x", &clk, &(struct pfa_logline){ 0 }), 0);
}

static void
test_new_year(void **state)
{
	(void)state;
	/* the file was last written on 2027-01-05 */
	struct tm tm = { .tm_year = 127, .tm_mon = 0, .tm_mday = 5,
		.tm_hour = 12, .tm_isdst = -1 };
	struct pfa_logclock clk = { .ref = (int64_t)mktime(&tm) };
	struct pfa_logline l;
	struct tm out;
	time_t t;
	assert_int_equal(parse("Dec 31 23:59:59 h postfix/qmgr[1]: x", &clk,
	    &l), 0);
	t = (time_t)l.when;
	localtime_r(&t, &out);
	assert_int_equal(out.tm_year, 126);
	assert_int_equal(parse("Jan  1 00:00:01 h postfix/qmgr[1]: x", &clk,
	    &l), 0);
	t = (time_t)l.when;
	localtime_r(&t, &out);
	assert_int_equal(out.tm_year, 127);
	/* a late line of the old year */
	assert_int_equal(parse("Dec 31 23:59:58 h postfix/qmgr[1]: x", &clk,
	    &l), 0);
	t = (time_t)l.when;
	localtime_r(&t, &out);
	assert_int_equal(out.tm_year, 126);
	assert_int_equal(parse("Jan  2 00:00:00 h postfix/qmgr[1]: x", &clk,
	    &l), 0);
	t = (time_t)l.when;
	localtime_r(&t, &out);
	assert_int_equal(out.tm_year, 127);
}

static void
test_severity(void **state)
{
	(void)state;
	struct pfa_logclock clk = { .ref = time(NULL) };
	struct pfa_logline l;
	assert_int_equal(parse("Mar  3 10:00:01 h postfix/smtpd[1]: fatal: "
	    "bad numerical configuration", &clk, &l), 0);
	assert_int_equal(l.sev, PFA_LOGSEV_FATAL);
	assert_true(eq(l.msg, l.msglen, "bad numerical configuration"));
	assert_int_equal(parse("Mar  3 10:00:01 h postfix/master[1]: panic: "
	    "x", &clk, &l), 0);
	assert_int_equal(l.sev, PFA_LOGSEV_PANIC);
	/* what a client sent, quoted in a warning, is not a fatal error */
	assert_int_equal(parse("Mar  3 10:00:01 h postfix/smtpd[1]: warning: "
	    "Illegal address syntax from localhost[127.0.0.1] in MAIL "
	    "command: < fatal: x>", &clk, &l), 0);
	assert_int_equal(l.sev, PFA_LOGSEV_WARNING);
	assert_int_equal(parse("Mar  3 10:00:01 h postfix/cleanup[1]: "
	    "ABCDEF1234: reject: header Subject: panic: now", &clk, &l), 0);
	assert_int_equal(l.sev, PFA_LOGSEV_INFO);
	assert_true(eq(l.qid, l.qidlen, "ABCDEF1234"));
	/* the header_checks WARN action is an action, not a severity */
	assert_int_equal(parse("Mar  3 10:00:01 h postfix/cleanup[1]: "
	    "ABCDEF1234: warning: header Subject: x", &clk, &l), 0);
	assert_int_equal(l.sev, PFA_LOGSEV_INFO);
	assert_int_equal(parse("Mar  3 10:00:01 h postfix/smtpd[1]: NOQUEUE: "
	    "reject: RCPT from x", &clk, &l), 0);
	assert_true(eq(l.qid, l.qidlen, "NOQUEUE"));
	assert_int_equal(parse("Mar  3 10:00:01 h postfix/anvil[1]: "
	    "statistics: max cache size 1", &clk, &l), 0);
	assert_null(l.qid);
	assert_string_equal(pfa_logsev_name(PFA_LOGSEV_ERROR), "error");
}

static void
test_malformed(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"", "garbage", "Jan", "Jan 1 00:00:00", "Foo 1 00:00:00 h p: x",
		"Jan: 1 00:00:00 hostname postfix/postscreen[12345]: foo",
		"Jan 1 00:00:00 hostname postfix/postscreen[abcde]: foo",
		"Jan 1 00:00:00 hostname postfix/postscreen[12345",
		"Jan 1 00:00:00 hostname postfix/postscreen",
		"Jan 32 00:00:00 h p[1]: x", "Jan 1 25:00:00 h p[1]: x",
		"2026-13-01T00:00:00Z h p[1]: x", "2026-01-01T00:00:00 h p: x",
		NULL,
	};
	struct pfa_logclock clk = { .ref = time(NULL) };
	struct pfa_logline l;
	for (size_t i = 0; bad[i]; i++) {
		if (parse(bad[i], &clk, &l) != -1)
			print_message("# parsed: %s\n", bad[i]);
		assert_int_equal(parse(bad[i], &clk, &l), -1);
	}
}

static void
test_names(void **state)
{
	(void)state;
	struct pfa_lognames n = { 0 };
	pfa_lognames_add(&n, "postfix");
	pfa_lognames_add(&n, "postfix/$service_name");	/* same prefix */
	pfa_lognames_add(&n, "pfsb-x");
	assert_int_equal(n.n, 2);
	struct pfa_logclock clk = { .ref = time(NULL) };
	struct pfa_logline l;
	const struct { const char *prog; bool ours; } cases[] = {
		{ "postfix/smtpd", true }, { "postfix/submission/smtpd", true },
		{ "pfsb-x/qmgr", true }, { "postfix-out/smtp", false },
		{ "postfix", false }, { "pfagent", false },
		{ "pfsb-xy/smtpd", false },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char line[200];
		snprintf(line, sizeof(line), "Mar  3 10:00:01 h %s[1]: x",
		    cases[i].prog);
		assert_int_equal(parse(line, &clk, &l), 0);
		assert_int_equal(pfa_lognames_match(&n, &l), cases[i].ours);
	}
	pfa_lognames_free(&n);
}

struct seen {
	int lines, parsed;
	char last[200];
};

static int
count(void *arg, const struct pfa_logline *l, bool parsed, const char *raw,
    size_t len)
{
	struct seen *s = arg;
	(void)l;
	s->lines++;
	s->parsed += parsed;
	snprintf(s->last, sizeof(s->last), "%.*s", (int)len, raw);
	return 0;
}

#define L1 "Mar  3 10:00:01 h postfix/qmgr[1]: AAAAAA1: removed\n"
#define L2 "Mar  3 10:00:02 h postfix/qmgr[1]: AAAAAA2: removed\n"

static void
test_file(void **state)
{
	(void)state;
	char *dir = pfa_test_mkdtemp("maillog");
	/* a binary line, a 1 MB line, a half-written last line */
	size_t big = 1024 * 1024;
	char *data = malloc(big + 4096);
	size_t n = 0;
	memcpy(data + n, L1, strlen(L1));
	n += strlen(L1);
	memcpy(data + n, "bin\0ary\n", 8);
	n += 8;
	memset(data + n, 'x', big);
	n += big;
	data[n++] = '\n';
	memcpy(data + n, L2, strlen(L2));
	n += strlen(L2);
	memcpy(data + n, "Mar  3 10:00:03 h postfix/qmgr[1]: AAAA", 39);
	n += 39;
	char *path = pfa_test_path(dir, "mail.log");
	pfa_test_write(path, data, n, 0644);
	struct pfa_logclock clk = { 0 };
	struct pfa_logfile_info info;
	struct seen s = { 0 };
	assert_int_equal(pfa_maillog_read_file(path, 0, true, &clk, count, &s,
	    &info), 0);
	assert_int_equal(s.lines, 2);
	assert_int_equal(s.parsed, 2);
	assert_int_equal(info.binary, 1);
	assert_int_equal(info.oversized, 1);
	assert_true(info.partial_left);
	assert_int_equal(info.end, (int64_t)(n - 39));
	assert_int_equal(info.first_hash, pfa_maillog_hash(L1,
	    strlen(L1) - 1));
	/* from the saved end: only the completed line */
	FILE *fp = fopen(path, "a");
	fputs(" removed\n", fp);
	fclose(fp);
	memset(&s, 0, sizeof(s));
	int64_t end = info.end;
	assert_int_equal(pfa_maillog_read_file(path, end, true, &clk, count,
	    &s, &info), 0);
	assert_int_equal(s.lines, 1);
	assert_string_equal(s.last, "Mar  3 10:00:03 h postfix/qmgr[1]: "
	    "AAAA removed");
	assert_int_equal(info.first_hash, pfa_maillog_hash(L1,
	    strlen(L1) - 1));
	/* the same through gzip, and identify */
	char *gz = pfa_test_path(dir, "mail.log.1.gz");
	gzFile g = gzopen(gz, "wb");
	gzwrite(g, data, (unsigned)n);
	gzclose(g);
	memset(&s, 0, sizeof(s));
	assert_int_equal(pfa_maillog_read_file(gz, 0, false, &clk, count, &s,
	    &info), 0);
	assert_int_equal(s.lines, 3);	/* the partial line too */
	assert_true(info.gz);
	struct pfa_logfile_info id;
	assert_int_equal(pfa_maillog_identify(gz, &id), 0);
	assert_int_equal(id.first_hash, pfa_maillog_hash(L1, strlen(L1) - 1));
	/* a range: only the lines starting before TO */
	memset(&s, 0, sizeof(s));
	assert_int_equal(pfa_maillog_read_range(path, 0, (int64_t)strlen(L1),
	    false, &clk, count, &s, &info), 0);
	assert_int_equal(s.lines, 1);
	assert_int_equal(pfa_maillog_line_after(path, 3),
	    (int64_t)strlen(L1));
	/* a corrupt gzip stream is an error, not a crash */
	char *bad = pfa_test_write_in(dir, "bad.gz", "\x1f\x8b\x08garbage");
	memset(&s, 0, sizeof(s));
	assert_int_equal(pfa_maillog_read_file(bad, 0, false, &clk, count, &s,
	    &info), -1);
	free(bad);
	free(gz);
	free(path);
	free(data);
	pfa_test_rm_rf(dir);
	free(dir);
}

static void
touch_at(const char *path, time_t t)
{
	struct timeval tv[2] = { { t, 0 }, { t, 0 } };
	assert_int_equal(utimes(path, tv), 0);
}

static void
test_chain(void **state)
{
	(void)state;
	char *dir = pfa_test_mkdtemp("chain");
	const char *names[] = { "mail.log", "mail.log.1", "mail.log.2.gz",
		"mail.log.3.gz", "mail.log-20260301", "mail.logx", "mail.log.bak",
		"other.log", NULL };
	time_t now = time(NULL);
	time_t when[] = { now, now - 100, now - 200, now - 300, now - 400,
		now, now, now };
	for (size_t i = 0; names[i]; i++) {
		char *p = pfa_test_write_in(dir, names[i], L1);
		touch_at(p, when[i]);
		free(p);
	}
	char *base = pfa_test_path(dir, "mail.log");
	char **v = pfa_maillog_chain(base);
	assert_non_null(v);
	const char *want[] = { "mail.log-20260301", "mail.log.3.gz",
		"mail.log.2.gz", "mail.log.1", "mail.log", NULL };
	size_t i;
	for (i = 0; want[i]; i++) {
		assert_non_null(v[i]);
		assert_string_equal(strrchr(v[i], '/') + 1, want[i]);
	}
	assert_null(v[i]);
	pfa_maillog_free_list(v);
	free(base);
	pfa_test_rm_rf(dir);
	free(dir);
}

/* ENTRIES export-format entries made into DIR/x.journal (appended). */
static void
journal_add(const char *dir, const char *text)
{
	char *src = pfa_test_write_in(dir, "export.txt", text);
	char *out = pfa_test_path(dir, "x.journal");
	const char *argv[] = { "/lib/systemd/systemd-journal-remote", "-o",
		out, src, NULL };
	struct pfa_exec_result r;
	memset(&r, 0, sizeof(r));
	assert_int_equal(pfa_exec(argv, NULL, &r), 0);
	assert_int_equal(r.status, 0);
	pfa_exec_result_free(&r);
	free(out);
	free(src);
}

#define JE(t, id, msg) "__REALTIME_TIMESTAMP=" t "000000\n" \
	"__MONOTONIC_TIMESTAMP=" t "000\n_BOOT_ID=0123456789abcdef0123456789" \
	"abcdef\n_HOSTNAME=mx\n_PID=7\nSYSLOG_FACILITY=2\n" \
	"SYSLOG_IDENTIFIER=" id "\nMESSAGE=" msg "\n\n"

/* The health check's path on a host without a log file: the mark is
 * the journal's last entry, and "since" hands on only what came after. */
static void
test_journal_mark(void **state)
{
	(void)state;
	char *dir = pfa_test_mkdtemp("journal");
	char *jdir = pfa_test_path(dir, "j");
	assert_int_equal(mkdir(jdir, 0755), 0);
	struct pfa_maillog_mark m;
	/* no log file and an empty journal: nothing to read */
	assert_int_equal(pfa_maillog_mark("/nonexistent/maillog", jdir, &m),
	    -1);
	journal_add(jdir, JE("1772532001", "postfix/smtpd", "connect from x")
	    JE("1772532002", "postfix/smtpd", "fatal: before the mark"));
	assert_int_equal(pfa_maillog_mark("/nonexistent/maillog", jdir, &m),
	    0);
	assert_false(m.file);
	assert_true(m.journal);
	assert_non_null(m.cursor);
	journal_add(jdir, JE("1772532003", "postfix/smtpd",
	    "fatal: after the mark")
	    JE("1772532004", "postfix-other/smtpd", "warning: x"));
	struct seen s = { 0 };
	assert_int_equal(pfa_maillog_since(&m, "/nonexistent/maillog", jdir,
	    1 << 20, count, &s), 0);
	assert_int_equal(s.lines, 2);
	assert_int_equal(s.parsed, 2);
	assert_string_equal(s.last, "warning: x");
	pfa_maillog_mark_free(&m);
	/* from the start, the mail facility */
	struct pfa_journal_info ji;
	memset(&s, 0, sizeof(s));
	assert_int_equal(pfa_maillog_read_journal(jdir, NULL, 0, 0, 2, count,
	    &s, &ji), 0);
	assert_int_equal(s.lines, 4);
	assert_int_equal(ji.entries, 4);
	assert_false(ji.cursor_lost);
	free(ji.cursor);
	free(jdir);
	pfa_test_rm_rf(dir);
	free(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_traditional),
		cmocka_unit_test(test_rfc3339),
		cmocka_unit_test(test_parts),
		cmocka_unit_test(test_new_year),
		cmocka_unit_test(test_severity),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_file),
		cmocka_unit_test(test_chain),
		cmocka_unit_test(test_journal_mark),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
