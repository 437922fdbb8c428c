/*
 * test_deferlog.c - Postfix's defer logs (tasks/queue/deferlog.c): the
 * records the sandbox's Postfix 3.7 writes (an old-style line and the
 * name=value records of one recipient in one entry), several recipients,
 * a remote server's reply (diag_text, mta_mname), CRLF and a missing last
 * newline, and odd records - no '=', unknown names, a NUL byte, a
 * dangling '<' - skipped and the first described with its line; and where
 * the file of a queue id is (short and long ids, hashed or not).
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

#define MAXREC 8

struct seen {
	size_t n;
	struct {
		char rcpt[64], status[16], reason[128], mname[64], dtext[128];
		size_t line;
	} r[MAXREC];
	size_t stop_after;
};

static void
copy(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src ? src : "-");
}

static int
on_rec(void *arg, const struct pfa_defrec *r)
{
	struct seen *s = arg;
	assert_true(s->n < MAXREC);
	copy(s->r[s->n].rcpt, sizeof(s->r[0].rcpt), r->recipient);
	copy(s->r[s->n].status, sizeof(s->r[0].status), r->status);
	copy(s->r[s->n].reason, sizeof(s->r[0].reason), r->reason);
	copy(s->r[s->n].mname, sizeof(s->r[0].mname), r->mta_mname);
	copy(s->r[s->n].dtext, sizeof(s->r[0].dtext), r->diag_text);
	s->r[s->n].line = r->line;
	s->n++;
	return s->stop_after > 0 && s->n >= s->stop_after;
}

/* Parses TEXT (LEN bytes, or strlen) in a writable copy. */
static size_t
parse(const char *text, size_t len, struct seen *s, char *odd, size_t size)
{
	char *buf = malloc(len + 1);
	assert_non_null(buf);
	memcpy(buf, text, len);
	buf[len] = '\0';
	size_t n = pfa_deferlog_parse(buf, len, on_rec, s, odd, size);
	free(buf);
	return n;
}

static void
test_sandbox_record(void **state)
{
	(void)state;
	/* as the sandbox's Postfix 3.7 wrote it after a flush */
	static const char log[] = "\n"
	    "<rcpt@example.net>: connect to 127.0.0.1[127.0.0.1]:1: "
	    "Connection refused\n"
	    "recipient=rcpt@example.net\n"
	    "offset=668\n"
	    "dsn_orig_rcpt=rfc822;rcpt@example.net\n"
	    "status=4.4.1\n"
	    "action=delayed\n"
	    "reason=connect to 127.0.0.1[127.0.0.1]:1: Connection refused\n"
	    "\n";
	struct seen s = { 0 };
	char odd[100];
	assert_int_equal(parse(log, strlen(log), &s, odd, sizeof(odd)), 1);
	assert_string_equal(odd, "");
	assert_string_equal(s.r[0].rcpt, "rcpt@example.net");
	assert_string_equal(s.r[0].status, "4.4.1");
	assert_string_equal(s.r[0].reason, "connect to 127.0.0.1[127.0.0.1]:1: "
	    "Connection refused");
	assert_int_equal(s.r[0].line, 2);
}

static void
test_several(void **state)
{
	(void)state;
	static const char log[] =
	    "recipient=a@example.com\r\n"
	    "original_recipient=A@example.com\r\n"
	    "status=4.7.1\r\n"
	    "action=delayed\r\n"
	    "diag_type=smtp\r\n"
	    "diag_text=450 4.7.1 Greylisted\r\n"
	    "mta_type=dns\r\n"
	    "mta_mname=mx.example.com\r\n"
	    "reason=host mx.example.com[192.0.2.1] said: 450 4.7.1 "
	    "Greylisted\r\n"
	    "\r\n"
	    "\n\n"
	    "recipient = b@example.org\n"
	    "status= 4.4.1\n"
	    "reason=lost connection";	/* no newline at the end */
	struct seen s = { 0 };
	char odd[100];
	assert_int_equal(parse(log, strlen(log), &s, odd, sizeof(odd)), 2);
	assert_string_equal(odd, "");
	assert_string_equal(s.r[0].mname, "mx.example.com");
	assert_string_equal(s.r[0].dtext, "450 4.7.1 Greylisted");
	assert_string_equal(s.r[1].rcpt, "b@example.org");	/* trimmed */
	assert_string_equal(s.r[1].status, "4.4.1");
	assert_string_equal(s.r[1].reason, "lost connection");
	assert_int_equal(s.r[1].line, 13);
	/* the callback can stop */
	struct seen t = { .stop_after = 1 };
	assert_int_equal(parse(log, strlen(log), &t, NULL, 0), 1);
}

static void
test_odd(void **state)
{
	(void)state;
	struct seen s = { 0 };
	char odd[100];
	static const char a[] = "recipient=x@y\nno equals here\nstatus=4.0.0\n"
	    "colour=blue\n\n";
	assert_int_equal(parse(a, strlen(a), &s, odd, sizeof(odd)), 1);
	assert_string_equal(odd, "line 2: no name=value");
	assert_string_equal(s.r[0].status, "4.0.0");
	memset(&s, 0, sizeof(s));
	static const char b[] = "recipient=x@y\ncolour=blue\n";
	assert_int_equal(parse(b, strlen(b), &s, odd, sizeof(odd)), 1);
	assert_string_equal(odd, "line 2: an unknown name");
	memset(&s, 0, sizeof(s));
	static const char c[] = "recipient=x@y\nreason=a\0b\nstatus=5.1.1\n";
	assert_int_equal(parse(c, sizeof(c) - 1, &s, odd, sizeof(odd)), 1);
	assert_string_equal(odd, "line 2: a NUL byte");
	assert_string_equal(s.r[0].reason, "-");
	memset(&s, 0, sizeof(s));
	static const char d[] = "<dangling\n=value\n";
	assert_int_equal(parse(d, strlen(d), &s, odd, sizeof(odd)), 1);
	assert_string_equal(odd, "line 1: an odd record");
	memset(&s, 0, sizeof(s));
	assert_int_equal(parse("", 0, &s, odd, sizeof(odd)), 0);
	assert_int_equal(parse("\n\n\n", 3, &s, odd, sizeof(odd)), 0);
	/* binary junk of every byte value: bounded, no crash */
	char junk[4096];
	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = (char)(i * 7 + 3);
	parse(junk, sizeof(junk), &s, odd, sizeof(odd));
	assert_true(strlen(odd) < sizeof(odd));
}

static void
test_path(void **state)
{
	(void)state;
	struct pfa_qdirs d = { "/q", 1, true };
	char p[128];
	assert_int_equal(pfa_deferlog_path(&d, "EF77EA72348", p, sizeof(p)), 0);
	assert_string_equal(p, "/q/defer/E/EF77EA72348");
	d.hash_depth = 2;
	assert_int_equal(pfa_deferlog_path(&d, "EF77EA72348", p, sizeof(p)), 0);
	assert_string_equal(p, "/q/defer/E/F/EF77EA72348");
	d.hash_depth = 3;
	assert_int_equal(pfa_deferlog_path(&d, "AB", p, sizeof(p)), 0);
	assert_string_equal(p, "/q/defer/A/B/_/AB");
	/* a long id: its microseconds ("6BKN" in base 52 = 0xD4CA8) */
	d.hash_depth = 1;
	assert_int_equal(pfa_deferlog_path(&d, "4Jgt2V6BKNz1xy5", p,
	    sizeof(p)), 0);
	assert_string_equal(p, "/q/defer/D/4Jgt2V6BKNz1xy5");
	d.hash_depth = 2;
	assert_int_equal(pfa_deferlog_path(&d, "4Jgt2V6BKNz1xy5", p,
	    sizeof(p)), 0);
	assert_string_equal(p, "/q/defer/D/4/4Jgt2V6BKNz1xy5");
	d.defer_hashed = false;
	assert_int_equal(pfa_deferlog_path(&d, "EF77EA72348", p, sizeof(p)), 0);
	assert_string_equal(p, "/q/defer/EF77EA72348");
	assert_int_equal(pfa_deferlog_path(&d, "../../etc/passwd", p,
	    sizeof(p)), -1);
	assert_int_equal(pfa_deferlog_path(&d, "", p, sizeof(p)), -1);
	char small[8];
	assert_int_equal(pfa_deferlog_path(&d, "EF77EA72348", small,
	    sizeof(small)), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sandbox_record),
		cmocka_unit_test(test_several),
		cmocka_unit_test(test_odd),
		cmocka_unit_test(test_path),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
