/*
 * test_qscan.c - the count-only path (tasks/queue/qscan.c) on a queue
 * directory made by hand, queue file by queue file in Postfix's record
 * format: a file counts only as showq would list it (a queue id name, a
 * regular file not reached through a link, mode u=rwx, a sender record
 * before the message), its size comes from the C record (the file size
 * when that is malformed, and for maildrop), its arrival from the T record
 * (maildrop: the mtime), pointer records are followed, hashed
 * subdirectories are walked at any depth, force-expired files (g+x) are
 * counted, and the result is the same with one thread or several.
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
#include <sys/time.h>
#include <unistd.h>

#include "queue.h"
#include "testutil.h"

#define NOW 1800000000LL

struct qf {
	char buf[8192];
	size_t len;
};

static void
rec(struct qf *f, char type, const char *data, size_t n)
{
	assert_true(f->len + n + 8 < sizeof(f->buf));
	f->buf[f->len++] = type;
	size_t len = n;
	do {
		unsigned char b = len & 0x7f;
		len >>= 7;
		if (len)
			b |= 0x80;
		f->buf[f->len++] = (char)b;
	} while (len);
	memcpy(f->buf + f->len, data, n);
	f->len += n;
}

static void
srec(struct qf *f, char type, const char *data)
{
	rec(f, type, data, strlen(data));
}

/* A queue file as cleanup writes it: C, T, A, S, R, M, body, X, E. */
static void
cleanup_file(struct qf *f, long long size, long long arrival)
{
	char c[128], t[64];
	snprintf(c, sizeof(c), "%15lld %15d %15d %15d %15d %15d", size, 200, 1,
	    0, (int)size, 0);
	snprintf(t, sizeof(t), "%lld 123456", arrival);
	f->len = 0;
	srec(f, 'C', c);
	srec(f, 'T', t);
	srec(f, 'A', "create_time=1");
	srec(f, 'S', "sender@example.test");
	srec(f, 'R', "rcpt@example.test");
	srec(f, 'M', "");
	srec(f, 'N', "Subject: x");
	srec(f, 'X', "");
	srec(f, 'E', "");
}

static void
put(const char *root, const char *rel, const struct qf *f, mode_t mode)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", root, rel);
	char *slash = strrchr(path, '/');
	*slash = '\0';
	char cmd[4200];
	snprintf(cmd, sizeof(cmd), "mkdir -p '%s'", path);
	assert_int_equal(system(cmd), 0);
	*slash = '/';
	pfa_test_write(path, f->buf, f->len, mode);
	assert_int_equal(chmod(path, mode), 0);
}

static int
setup(void **state)
{
	char *root = pfa_test_mkdtemp("qscan");
	static const char *const queues[] = { "maildrop", "incoming",
		"active", "deferred", "hold", "corrupt", NULL };
	for (size_t i = 0; queues[i]; i++) {
		char *p = pfa_test_path(root, queues[i]);
		assert_int_equal(mkdir(p, 0700), 0);
		free(p);
	}
	*state = root;
	return 0;
}

static int
teardown(void **state)
{
	pfa_test_rm_rf(*state);
	free(*state);
	return 0;
}

static void
scan(const char *root, int threads, struct pfa_qtally *t)
{
	struct pfa_qdirs d = { root, 1, true };
	const char *err = NULL;
	char path[256];
	pfa_qtally_init(t, NOW, 10);
	assert_int_equal(pfa_qscan(&d, t, threads, &err, path, sizeof(path)),
	    0);
}

static void
test_showq_rules(void **state)
{
	const char *root = *state;
	struct qf f;
	cleanup_file(&f, 1234, NOW - 100);
	put(root, "deferred/A/AAAA1", &f, 0700);
	put(root, "deferred/B/BBBB2", &f, 0710);	/* force-expired */
	put(root, "deferred/C/CCCC3", &f, 0600);	/* being written */
	put(root, "deferred/E/bad.name", &f, 0700);	/* no queue id */
	put(root, "deferred/1/2/DEPTH2", &f, 0700);	/* hash depth 2 */
	cleanup_file(&f, 10, NOW - 900000);
	put(root, "deferred/TOPLEVEL", &f, 0700);
	char link[4096], target[4096];
	snprintf(link, sizeof(link), "%s/deferred/D", root);
	assert_int_equal(mkdir(link, 0700), 0);
	snprintf(link, sizeof(link), "%s/deferred/D/DDDD4", root);
	snprintf(target, sizeof(target), "%s/deferred/A/AAAA1", root);
	assert_int_equal(symlink(target, link), 0);	/* a link */
	/* no sender record: not listed */
	f.len = 0;
	srec(&f, 'C', "             99               0               0");
	srec(&f, 'T', "1799999000 0");
	srec(&f, 'M', "");
	srec(&f, 'S', "late@example.test");	/* after the message */
	srec(&f, 'E', "");
	put(root, "deferred/E/EEEE5", &f, 0700);
	/* a malformed size record: the file size */
	f.len = 0;
	srec(&f, 'C', "12x");
	srec(&f, 'T', "1799999000 0");
	srec(&f, 'S', "s@x");
	srec(&f, 'E', "");
	size_t fsize = f.len;
	put(root, "deferred/F/FFFF6", &f, 0700);
	/* a pointer record to the sender, a dummy one (0) on the way */
	f.len = 0;
	srec(&f, 'C', "             50               0               0");
	srec(&f, 'T', "1799999500 0");
	srec(&f, 'p', "              0");
	size_t at = f.len;
	char ptr[32];
	snprintf(ptr, sizeof(ptr), "%15zu", at + 17 + 9);
	srec(&f, 'p', ptr);		/* 17 bytes: 'p', length, 15 digits */
	srec(&f, 'M', "skipped");	/* 9 bytes, jumped over */
	srec(&f, 'S', "s@x");
	srec(&f, 'E', "");
	put(root, "deferred/F/FFFF7", &f, 0700);
	/* a pointer loop never ends the scan */
	f.len = 0;
	srec(&f, 'C', "1");
	snprintf(ptr, sizeof(ptr), "%15d", 0 + 3);
	srec(&f, 'p', ptr);
	put(root, "deferred/F/FFFF8", &f, 0700);
	/* truncated in the middle of a record */
	cleanup_file(&f, 1, NOW);
	f.len = 20;
	put(root, "deferred/F/FFFF9", &f, 0700);

	struct pfa_qtally t;
	scan(root, 1, &t);
	const struct pfa_qcount *q = &t.q[PFA_Q_DEFERRED];
	/* AAAA1 BBBB2 DEPTH2 TOPLEVEL FFFF6 FFFF7 */
	assert_int_equal(q->msgs, 6);
	assert_int_equal(q->expired, 1);
	assert_int_equal(q->bytes, 1234 * 3 + 10 + fsize + 50);
	assert_int_equal(q->oldest, NOW - 900000);
	assert_int_equal(q->age[0], 3);		/* 100 s */
	assert_int_equal(q->age[9], 1);		/* 10 days */
	pfa_qtally_free(&t);
	/* the same with several threads */
	for (int th = 2; th <= 4; th++) {
		scan(root, th, &t);
		assert_int_equal(t.q[PFA_Q_DEFERRED].msgs, 6);
		assert_int_equal(t.q[PFA_Q_DEFERRED].bytes, 1234 * 3 + 10 +
		    fsize + 50);
		pfa_qtally_free(&t);
	}
}

static void
test_queues(void **state)
{
	const char *root = *state;
	struct qf f;
	cleanup_file(&f, 500, NOW - 50);
	put(root, "hold/HOLD1", &f, 0700);
	put(root, "active/ACT1", &f, 0700);
	put(root, "incoming/INC1", &f, 0600);	/* still being written */
	put(root, "incoming/INC2", &f, 0700);
	/* maildrop: no C, no T; the file size and its mtime; flat, and a
	 * one-character name is a file there */
	f.len = 0;
	srec(&f, 'F', "Full Name");
	srec(&f, 'S', "user@example.test");
	srec(&f, 'M', "");
	srec(&f, 'E', "");
	put(root, "maildrop/MD1", &f, 0744);
	put(root, "maildrop/X", &f, 0744);
	char path[4096];
	snprintf(path, sizeof(path), "%s/maildrop/MD1", root);
	struct timeval tv[2] = { { NOW - 7200, 0 }, { NOW - 7200, 0 } };
	assert_int_equal(utimes(path, tv), 0);
	snprintf(path, sizeof(path), "%s/maildrop/X", root);
	struct timeval tv2[2] = { { NOW - 60, 0 }, { NOW - 60, 0 } };
	assert_int_equal(utimes(path, tv2), 0);
	snprintf(path, sizeof(path), "%s/maildrop/sub", root);
	assert_int_equal(mkdir(path, 0700), 0);
	put(root, "maildrop/sub/MD2", &f, 0744);	/* not flat: not seen */
	put(root, "corrupt/CORR1", &f, 0400);
	put(root, "corrupt/CORR2", &f, 0400);

	struct pfa_qtally t;
	scan(root, 0, &t);
	assert_int_equal(t.q[PFA_Q_HOLD].msgs, 1);
	assert_int_equal(t.q[PFA_Q_ACTIVE].msgs, 1);
	assert_int_equal(t.q[PFA_Q_INCOMING].msgs, 1);
	assert_int_equal(t.q[PFA_Q_MAILDROP].msgs, 2);
	assert_int_equal(t.q[PFA_Q_MAILDROP].bytes, 2 * f.len);
	assert_int_equal(t.q[PFA_Q_MAILDROP].oldest, NOW - 7200);
	assert_int_equal(t.q[PFA_Q_DEFERRED].msgs, 0);
	struct pfa_qdirs d = { root, 1, true };
	assert_int_equal(pfa_qscan_corrupt(&d), 2);
	pfa_qtally_free(&t);
	/* a queue directory that is missing: an error naming it */
	snprintf(path, sizeof(path), "%s/hold", root);
	pfa_test_rm_rf(path);
	pfa_qtally_init(&t, NOW, 10);
	const char *err = NULL;
	char where[256];
	assert_int_equal(pfa_qscan(&d, &t, 1, &err, where, sizeof(where)), -1);
	assert_non_null(err);
	assert_non_null(strstr(where, "/hold"));
	pfa_qtally_free(&t);
	struct pfa_qdirs none = { "/nonexistent/pfagent", 1, true };
	pfa_qtally_init(&t, NOW, 10);
	assert_int_equal(pfa_qscan(&none, &t, 1, &err, where, sizeof(where)),
	    -1);
	assert_int_equal(pfa_qscan_corrupt(&none), 0);
	pfa_qtally_free(&t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_showq_rules),
		T(test_queues),
#undef T
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
