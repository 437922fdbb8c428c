/*
 * test_exec.c - the exec service against real programs.
 *
 * Runs /bin/sh, /bin/cat, /usr/bin/env, /bin/ls ... through pfa_exec and
 * asserts on what came back: separate streams, status and signal, the
 * timeout killing the whole process group (the test process is a child
 * subreaper, so orphaned grandchildren come back to it and can be checked),
 * bounded capture without deadlock, streamed stdout (lines to a callback,
 * cut at a bound, a callback that stops the run and the group), stdin,
 * the fixed environment, closed descriptors and the pseudo-terminal.  /bin/sh is used here only to build
 * test programs; pfagent itself never runs a shell.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "exec.h"
#include "testutil.h"

/* ---------------------------------------------------------- helpers */

static long long
now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}


static int
setup(void **state)
{
	char tmpl[] = "/tmp/test_exec.XXXXXX";
	char *dir = mkdtemp(tmpl);
	if (dir == NULL)
		return -1;
	*state = strdup(dir);
	return *state == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	pfa_test_rm_rf(*state);
	free(*state);
	return 0;
}

static char *
path_in(void **state, const char *name)
{
	static char buf[4096];
	snprintf(buf, sizeof(buf), "%s/%s", (const char *)*state, name);
	return buf;
}

static pid_t
read_pid(const char *path)
{
	long v = 0;
	FILE *f = fopen(path, "r");
	if (f != NULL) {
		if (fscanf(f, "%ld", &v) != 1)
			v = 0;
		fclose(f);
	}
	return (pid_t)v;
}

/* Waits up to MS for PID (our child, or an orphan we reap as subreaper)
 * and returns its wait status, or -1 if it is still alive. */
static int
wait_for(pid_t pid, int ms)
{
	long long until = now_ms() + ms;
	do {
		int st;
		if (waitpid(pid, &st, WNOHANG) == pid)
			return st;
		struct timespec ts = { 0, 10 * 1000000 };
		nanosleep(&ts, NULL);
	} while (now_ms() < until);
	return -1;
}

/* Reaps every orphan handed to us, for up to MS. */
static void
reap_orphans(int ms)
{
	long long until = now_ms() + ms;
	while (now_ms() < until) {
		int st;
		pid_t r = waitpid(-1, &st, WNOHANG);
		if (r < 0 && errno == ECHILD)
			return;
		if (r == 0) {
			struct timespec ts = { 0, 10 * 1000000 };
			nanosleep(&ts, NULL);
		}
	}
}

static int
count_fds(void)
{
	int n = 0;
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	while (d != NULL && (de = readdir(d)) != NULL)
		n += de->d_name[0] != '.';
	if (d != NULL)
		closedir(d);
	return n;
}

static void
run(const char *const argv[], const struct pfa_exec_opts *o,
    struct pfa_exec_result *res)
{
	assert_int_equal(pfa_exec(argv, o, res), 0);
	assert_non_null(res->out);
	assert_non_null(res->err);
	assert_int_equal(res->out[res->out_len], '\0');
	assert_int_equal(res->err[res->err_len], '\0');
}

/* ------------------------------------------------------------ tests */

static void
test_separate_streams(void **state)
{
	(void)state;
	const char *argv[] = { "/bin/sh", "-c", "echo out; echo err >&2",
	    NULL };
	struct pfa_exec_result res;
	run(argv, NULL, &res);
	assert_string_equal(res.out, "out\n");
	assert_int_equal(res.out_len, 4);
	assert_string_equal(res.err, "err\n");
	assert_int_equal(res.err_len, 4);
	assert_int_equal(res.status, 0);
	assert_int_equal(res.signal, 0);
	assert_false(res.timed_out);
	assert_false(res.out_truncated);
	assert_false(res.err_truncated);
	pfa_exec_result_free(&res);
	assert_null(res.out);
	pfa_exec_result_free(&res);	/* twice is harmless */
}

static void
test_exit_status(void **state)
{
	(void)state;
	const char *argv[] = { "/bin/sh", "-c", "exit 7", NULL };
	struct pfa_exec_result res;
	run(argv, NULL, &res);
	assert_int_equal(res.status, 7);
	assert_int_equal(res.signal, 0);
	assert_false(res.timed_out);
	assert_string_equal(res.out, "");
	assert_string_equal(res.err, "");
	pfa_exec_result_free(&res);
}

static void
test_signal(void **state)
{
	(void)state;
	const char *argv[] = { "/bin/sh", "-c", "kill -USR1 $$", NULL };
	struct pfa_exec_result res;
	run(argv, NULL, &res);
	assert_int_equal(res.status, -1);
	assert_int_equal(res.signal, SIGUSR1);
	assert_false(res.timed_out);
	pfa_exec_result_free(&res);
}

static void
test_argv_is_not_a_shell_line(void **state)
{
	(void)state;
	const char *argv[] = { "/bin/echo", "$HOME; echo no", "*", NULL };
	struct pfa_exec_result res;
	run(argv, NULL, &res);
	assert_string_equal(res.out, "$HOME; echo no *\n");
	pfa_exec_result_free(&res);
}

static void
test_timeout(void **state)
{
	(void)state;
	const char *argv[] = { "/bin/sleep", "30", NULL };
	struct pfa_exec_opts o = { .timeout_ms = 200 };
	struct pfa_exec_result res;
	long long t0 = now_ms();
	run(argv, &o, &res);
	long long took = now_ms() - t0;
	assert_true(res.timed_out);
	assert_int_equal(res.status, -1);
	assert_int_equal(res.signal, SIGTERM);
	assert_true(took >= 200);
	assert_true(took < 2000);
	pfa_exec_result_free(&res);
}

static void
test_timeout_kills_group(void **state)
{
	char pgfile[4096], gcfile[4096];
	snprintf(pgfile, sizeof(pgfile), "%s", path_in(state, "pgid"));
	snprintf(gcfile, sizeof(gcfile), "%s", path_in(state, "grandchild"));
	/* The leader execs sleep rather than waiting for it: a waiting shell
	 * could reap the background sleep itself as the group dies, and then
	 * nobody could tell how it ended. */
	const char *argv[] = { "/bin/sh", "-c",
	    "echo $$ >\"$1\"; /bin/sleep 30 & echo $! >\"$2\"; "
	    "exec /bin/sleep 30", "sh", pgfile, gcfile, NULL };
	struct pfa_exec_opts o = { .timeout_ms = 300 };
	struct pfa_exec_result res;
	long long t0 = now_ms();
	run(argv, &o, &res);
	assert_true(now_ms() - t0 < 2000);
	assert_true(res.timed_out);
	assert_int_equal(res.signal, SIGTERM);

	pid_t pgid = read_pid(pgfile), gc = read_pid(gcfile);
	assert_true(pgid > 1);
	assert_true(gc > 1);
	/* The background sleep was orphaned to us: it must have died of
	 * the group's SIGTERM, not be running for 30 s. */
	int st = wait_for(gc, 3000);
	assert_int_not_equal(st, -1);
	assert_true(WIFSIGNALED(st));
	assert_int_equal(WTERMSIG(st), SIGTERM);
	reap_orphans(1000);
	assert_int_equal(kill(-pgid, 0), -1);
	assert_int_equal(errno, ESRCH);
	pfa_exec_result_free(&res);
}

static void
test_timeout_escalates_to_sigkill(void **state)
{
	(void)state;
	/* TERM ignored by the shell and, through exec, by sleep. */
	const char *argv[] = { "/bin/sh", "-c", "trap '' TERM; /bin/sleep 30",
	    NULL };
	struct pfa_exec_opts o = { .timeout_ms = 200 };
	struct pfa_exec_result res;
	long long t0 = now_ms();
	run(argv, &o, &res);
	assert_true(now_ms() - t0 < 3000);
	assert_true(res.timed_out);
	assert_int_equal(res.status, -1);
	assert_int_equal(res.signal, SIGKILL);
	reap_orphans(1000);
	pfa_exec_result_free(&res);
}

static void
test_child_leaves_daemon_behind(void **state)
{
	(void)state;
	/* The background sleep keeps stdout open after the shell exits:
	 * pfa_exec must return when the shell is done, not at the timeout,
	 * and must not kill what it left behind. */
	const char *argv[] = { "/bin/sh", "-c", "/bin/sleep 30 & echo $!",
	    NULL };
	struct pfa_exec_opts o = { .timeout_ms = 10000 };
	struct pfa_exec_result res;
	long long t0 = now_ms();
	run(argv, &o, &res);
	assert_true(now_ms() - t0 < 3000);
	assert_false(res.timed_out);
	assert_int_equal(res.status, 0);
	pid_t bg = (pid_t)atol(res.out);
	assert_true(bg > 1);
	assert_int_equal(kill(bg, 0), 0);	/* still running */
	kill(bg, SIGKILL);
	assert_int_not_equal(wait_for(bg, 3000), -1);
	pfa_exec_result_free(&res);
}

static void
test_large_output_truncated(void **state)
{
	(void)state;
	const char *argv[] = { "/usr/bin/head", "-c", "5000000", "/dev/zero",
	    NULL };
	struct pfa_exec_opts o = { .max_capture = 65536, .timeout_ms = 20000 };
	struct pfa_exec_result res;
	run(argv, &o, &res);
	assert_false(res.timed_out);
	assert_int_equal(res.status, 0);	/* read to the end: no SIGPIPE */
	assert_int_equal(res.out_len, 65536);
	assert_true(res.out_truncated);
	for (size_t i = 0; i < res.out_len; i++)
		if (res.out[i] != '\0')
			fail_msg("byte %zu is not zero", i);
	assert_int_equal(res.err_len, 0);
	assert_false(res.err_truncated);
	pfa_exec_result_free(&res);
}

static void
test_lines_counted_beyond_capture(void **state)
{
	(void)state;
	const char *argv[] = { "/usr/bin/seq", "1", "200000", NULL };
	struct pfa_exec_opts o = { .max_capture = 4096, .timeout_ms = 20000 };
	struct pfa_exec_result res;
	run(argv, &o, &res);
	assert_int_equal(res.status, 0);
	assert_true(res.out_truncated);
	assert_int_equal(res.out_len, 4096);
	assert_int_equal(res.out_lines, 200000);
	pfa_exec_result_free(&res);
}

static void
test_both_streams_large(void **state)
{
	(void)state;
	/* Each stream alone overflows a pipe: both must be read at once. */
	const char *argv[] = { "/bin/sh", "-c",
	    "/usr/bin/head -c 3000000 /dev/zero | /usr/bin/tr '\\0' o & "
	    "/usr/bin/head -c 3000000 /dev/zero | /usr/bin/tr '\\0' e >&2; "
	    "wait", NULL };
	struct pfa_exec_opts o = { .max_capture = 100000, .timeout_ms = 20000 };
	struct pfa_exec_result res;
	run(argv, &o, &res);
	assert_false(res.timed_out);
	assert_int_equal(res.status, 0);
	assert_int_equal(res.out_len, 100000);
	assert_int_equal(res.err_len, 100000);
	assert_true(res.out_truncated);
	assert_true(res.err_truncated);
	assert_int_equal(res.out[0], 'o');
	assert_int_equal(res.out[99999], 'o');
	assert_int_equal(res.err[0], 'e');
	assert_int_equal(res.err[99999], 'e');
	pfa_exec_result_free(&res);
}

static void
test_exact_bound_not_truncated(void **state)
{
	(void)state;
	const char *argv[] = { "/usr/bin/head", "-c", "65536", "/dev/zero",
	    NULL };
	struct pfa_exec_opts o = { .max_capture = 65536 };
	struct pfa_exec_result res;
	run(argv, &o, &res);
	assert_int_equal(res.out_len, 65536);
	assert_false(res.out_truncated);
	pfa_exec_result_free(&res);
}

static void
test_stdin_fed(void **state)
{
	(void)state;
	/* Larger than a pipe buffer both ways: feeding and reading must
	 * interleave. */
	size_t len = 1024 * 1024;
	char *data = malloc(len);
	assert_non_null(data);
	for (size_t i = 0; i < len; i++)
		data[i] = (char)('a' + i % 26);
	const char *argv[] = { "/bin/cat", NULL };
	struct pfa_exec_opts o = { .stdin_data = data, .stdin_len = len,
	    .max_capture = 2 * len };
	struct pfa_exec_result res;
	run(argv, &o, &res);
	assert_int_equal(res.status, 0);
	assert_int_equal(res.out_len, len);
	assert_memory_equal(res.out, data, len);
	assert_false(res.out_truncated);
	pfa_exec_result_free(&res);
	free(data);
}

static void
test_stdin_not_read(void **state)
{
	(void)state;
	/* The child closes its stdin unread and goes on running: the feed
	 * gets EPIPE, not a SIGPIPE that would kill this process, and no
	 * SIGPIPE is left pending or blocked afterwards. */
	size_t len = 1024 * 1024;
	char *data = calloc(1, len);
	assert_non_null(data);
	const char *argv[] = { "/bin/sh", "-c",
	    "exec </dev/null; /bin/sleep 0.3; echo done", NULL };
	struct pfa_exec_opts o = { .stdin_data = data, .stdin_len = len };
	struct pfa_exec_result res;
	run(argv, &o, &res);
	assert_int_equal(res.status, 0);
	assert_string_equal(res.out, "done\n");
	sigset_t set;
	sigpending(&set);
	assert_false(sigismember(&set, SIGPIPE));
	sigprocmask(SIG_BLOCK, NULL, &set);
	assert_false(sigismember(&set, SIGPIPE));
	pfa_exec_result_free(&res);
	free(data);
}

static void
test_parent_stdio_closed(void **state)
{
	(void)state;
	/* Started with fds 0-2 closed, pfa_exec's own pipes get 0, 1 and 2:
	 * the child's stdio and the exec-error pipe must still come out
	 * right.  Nothing is asserted until stdio is back. */
	int saved[3];
	for (int i = 0; i < 3; i++)
		saved[i] = fcntl(i, F_DUPFD_CLOEXEC, 10);
	close(0);
	close(1);
	close(2);
	const char *cat[] = { "/bin/cat", NULL };
	const char *missing[] = { "/nonexistent/pfagent-test", NULL };
	struct pfa_exec_opts o = { .stdin_data = "abc", .stdin_len = 3 };
	struct pfa_exec_result res, res2;
	int rc = pfa_exec(cat, &o, &res);
	int rc2 = pfa_exec(missing, NULL, &res2);
	int e2 = errno;
	for (int i = 0; i < 3; i++) {
		dup2(saved[i], i);
		close(saved[i]);
	}
	assert_true(saved[0] >= 0 && saved[1] >= 0 && saved[2] >= 0);
	assert_int_equal(rc, 0);
	assert_string_equal(res.out, "abc");
	assert_string_equal(res.err, "");
	assert_int_equal(res.status, 0);
	pfa_exec_result_free(&res);
	assert_int_equal(rc2, -1);
	assert_int_equal(e2, ENOENT);
}

static void
test_missing_program(void **state)
{
	(void)state;
	const char *argv[] = { "/nonexistent/pfagent-test", NULL };
	struct pfa_exec_result res;
	errno = 0;
	assert_int_equal(pfa_exec(argv, NULL, &res), -1);
	assert_int_equal(errno, ENOENT);
	assert_null(res.out);
	assert_null(res.err);
	pfa_exec_result_free(&res);
}

static void
test_not_executable(void **state)
{
	char *p = path_in(state, "not-exec");
	int fd = open(p, O_WRONLY | O_CREAT | O_EXCL, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "#!/bin/sh\n", 10), 10);
	close(fd);
	const char *argv[] = { p, NULL };
	struct pfa_exec_result res;
	/* no x bit at all: EACCES even for root */
	errno = 0;
	assert_int_equal(pfa_exec(argv, NULL, &res), -1);
	assert_int_equal(errno, EACCES);
}

static void
test_relative_refused(void **state)
{
	(void)state;
	const char *argv[] = { "sh", "-c", "true", NULL };
	struct pfa_exec_result res;
	errno = 0;
	assert_int_equal(pfa_exec(argv, NULL, &res), -1);
	assert_int_equal(errno, EINVAL);
}

static void
test_environment(void **state)
{
	(void)state;
	setenv("PFA_TEST_LEAK", "1", 1);
	const char *extra[] = { "FOO=bar baz", NULL };
	const char *argv[] = { "/usr/bin/env", NULL };
	struct pfa_exec_opts o = { .env = extra };
	struct pfa_exec_result res;
	run(argv, &o, &res);
	assert_int_equal(res.status, 0);
	assert_string_equal(res.out,
	    "PATH=/usr/sbin:/usr/bin:/sbin:/bin\nLANG=C\nLC_ALL=C\n"
	    "FOO=bar baz\n");
	pfa_exec_result_free(&res);

	/* The same list tests and the child share. */
	assert_string_equal(pfa_exec_base_env[0],
	    "PATH=/usr/sbin:/usr/bin:/sbin:/bin");
	assert_string_equal(pfa_exec_base_env[1], "LANG=C");
	assert_string_equal(pfa_exec_base_env[2], "LC_ALL=C");
	assert_null(pfa_exec_base_env[3]);
}

static void
test_environment_override(void **state)
{
	(void)state;
	const char *extra[] = { "LANG=C.UTF-8", "X=1", NULL };
	const char *argv[] = { "/usr/bin/env", NULL };
	struct pfa_exec_opts o = { .env = extra };
	struct pfa_exec_result res;
	run(argv, &o, &res);
	assert_string_equal(res.out,
	    "PATH=/usr/sbin:/usr/bin:/sbin:/bin\nLC_ALL=C\nLANG=C.UTF-8\n"
	    "X=1\n");
	pfa_exec_result_free(&res);
}

static void
test_fds_closed(void **state)
{
	(void)state;
	int base = open("/dev/null", O_RDONLY);	/* no O_CLOEXEC */
	assert_true(base >= 0);
	int fd50 = fcntl(base, F_DUPFD, 50);
	int fd900 = fcntl(base, F_DUPFD, 900);
	assert_int_equal(fd50, 50);
	assert_int_equal(fd900, 900);
	assert_int_equal(fcntl(fd50, F_GETFD) & FD_CLOEXEC, 0);

	const char *argv[] = { "/bin/ls", "/proc/self/fd", NULL };
	struct pfa_exec_result res;
	run(argv, NULL, &res);
	assert_int_equal(res.status, 0);
	/* 0-2, and 3: the directory ls itself is listing. */
	bool seen[4] = { false };
	char *save = NULL;
	for (char *t = strtok_r(res.out, "\n", &save); t != NULL;
	    t = strtok_r(NULL, "\n", &save)) {
		int n = atoi(t);
		if (n > 3)
			fail_msg("fd %d reached the child", n);
		seen[n] = true;
	}
	assert_true(seen[0] && seen[1] && seen[2]);
	pfa_exec_result_free(&res);
	close(fd50);
	close(fd900);
	if (base > 2)
		close(base);
}

static void
test_pty(void **state)
{
	(void)state;
	const char *argv[] = { "/bin/sh", "-c",
	    "test -t 0 && test -t 1 && test -t 2 && echo tty; echo err >&2",
	    NULL };
	struct pfa_exec_opts o = { .use_pty = true };
	struct pfa_exec_result res;
	run(argv, &o, &res);
	assert_int_equal(res.status, 0);
	assert_string_equal(res.out, "tty\nerr\n");
	assert_string_equal(res.err, "");
	assert_int_equal(res.err_len, 0);
	pfa_exec_result_free(&res);
}

static void
test_pty_status_and_timeout(void **state)
{
	(void)state;
	const char *a1[] = { "/bin/sh", "-c", "echo x; exit 3", NULL };
	struct pfa_exec_opts o = { .use_pty = true, .timeout_ms = 200 };
	struct pfa_exec_result res;
	run(a1, &o, &res);
	assert_int_equal(res.status, 3);
	assert_string_equal(res.out, "x\n");
	assert_false(res.timed_out);
	pfa_exec_result_free(&res);

	const char *a2[] = { "/bin/sleep", "30", NULL };
	long long t0 = now_ms();
	run(a2, &o, &res);
	assert_true(now_ms() - t0 < 2000);
	assert_true(res.timed_out);
	assert_int_equal(res.status, -1);
	assert_int_equal(res.signal, SIGTERM);
	pfa_exec_result_free(&res);
}

static void
test_pty_refuses_stdin(void **state)
{
	(void)state;
	const char *argv[] = { "/bin/cat", NULL };
	struct pfa_exec_opts o = { .use_pty = true, .stdin_data = "x",
	    .stdin_len = 1 };
	struct pfa_exec_result res;
	errno = 0;
	assert_int_equal(pfa_exec(argv, &o, &res), -1);
	assert_int_equal(errno, EINVAL);
}

/* ------------------------------------------------------- streaming */

/* What a line callback saw: every line kept (small tests) or only
 * counted, the longest, the cut ones; STOP_AFTER > 0 stops the run. */
struct lines {
	char text[4096];
	size_t len;		/* of text */
	size_t n, cut, longest;
	unsigned long long sum;	/* of lines that are numbers */
	size_t stop_after;
	bool bad_nul;		/* a line not NUL-terminated at LEN */
};

static int
on_line(void *arg, const char *line, size_t len, bool cut)
{
	struct lines *l = arg;
	l->n++;
	l->cut += cut;
	if (len > l->longest)
		l->longest = len;
	if (line[len] != '\0' || strlen(line) != len)
		l->bad_nul = true;
	if (!cut)
		l->sum += strtoull(line, NULL, 10);
	if (l->len + len + 2 < sizeof(l->text)) {
		memcpy(l->text + l->len, line, len);
		l->len += len;
		l->text[l->len++] = '|';
		l->text[l->len] = '\0';
	}
	return l->stop_after > 0 && l->n >= l->stop_after;
}

static void
test_stream_lines(void **state)
{
	(void)state;
	const char *argv[] = { "/bin/sh", "-c",
	    "printf 'a\\nbb\\n\\nccc'; echo err >&2", NULL };
	struct lines l = { .len = 0 };
	struct pfa_exec_opts o = { .on_line = on_line, .line_arg = &l };
	struct pfa_exec_result res;
	run(argv, &o, &res);
	assert_int_equal(res.status, 0);
	/* the last line has no newline and still comes */
	assert_string_equal(l.text, "a|bb||ccc|");
	assert_int_equal(l.n, 4);
	assert_int_equal(l.cut, 0);
	assert_false(l.bad_nul);
	assert_string_equal(res.out, "");	/* nothing kept */
	assert_int_equal(res.out_len, 0);
	assert_int_equal(res.out_lines, 3);
	assert_string_equal(res.err, "err\n");	/* stderr still captured */
	assert_false(res.stopped);
	pfa_exec_result_free(&res);
}

static void
test_stream_many_lines_bounded(void **state)
{
	(void)state;
	/* 1.3 MB in lines of at most 7 bytes, with a line bound of 16: all
	 * of it comes through, line by line, none cut */
	const char *argv[] = { "/usr/bin/seq", "1", "200000", NULL };
	struct lines l = { .len = 0 };
	struct pfa_exec_opts o = { .on_line = on_line, .line_arg = &l,
		.max_line = 16, .timeout_ms = 20000 };
	struct pfa_exec_result res;
	run(argv, &o, &res);
	assert_int_equal(res.status, 0);
	assert_int_equal(l.n, 200000);
	assert_int_equal(l.cut, 0);
	assert_int_equal(l.longest, 6);
	assert_true(l.sum == 200000ULL * 200001ULL / 2);
	assert_int_equal(res.out_lines, 200000);
	assert_int_equal(res.out_len, 0);
	pfa_exec_result_free(&res);
}

static void
test_stream_long_line_cut(void **state)
{
	(void)state;
	/* a 3 MB line between two short ones, a line bound of 1000 */
	const char *argv[] = { "/bin/sh", "-c", "echo 1; head -c 3000000 "
	    "/dev/zero | tr '\\0' x; echo; echo 2", NULL };
	struct lines l = { .len = 0 };
	struct pfa_exec_opts o = { .on_line = on_line, .line_arg = &l,
		.max_line = 1000, .timeout_ms = 20000 };
	struct pfa_exec_result res;
	run(argv, &o, &res);
	assert_int_equal(res.status, 0);
	assert_int_equal(l.n, 3);
	assert_int_equal(l.cut, 1);
	assert_int_equal(l.longest, 1000);
	assert_int_equal(l.sum, 3);	/* 1 and 2 whole, after the cut */
	assert_false(l.bad_nul);
	pfa_exec_result_free(&res);
}

static void
test_stream_last_line_cut(void **state)
{
	(void)state;
	const char *argv[] = { "/bin/sh", "-c", "head -c 5000 /dev/zero | "
	    "tr '\\0' y", NULL };
	struct lines l = { .len = 0 };
	struct pfa_exec_opts o = { .on_line = on_line, .line_arg = &l,
		.max_line = 100 };
	struct pfa_exec_result res;
	run(argv, &o, &res);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.cut, 1);
	assert_int_equal(l.longest, 100);
	pfa_exec_result_free(&res);
}

static void
test_stream_stop_kills_group(void **state)
{
	/* the callback stops after 3 lines of a writer that never ends and
	 * whose grandchild would outlive it: both are killed at once */
	const char *pidfile = path_in(state, "gc.pid");
	char script[4200];
	snprintf(script, sizeof(script), "sleep 30 & echo $! > %s; "
	    "exec /usr/bin/yes", pidfile);
	const char *argv[] = { "/bin/sh", "-c", script, NULL };
	struct lines l = { .stop_after = 3 };
	struct pfa_exec_opts o = { .on_line = on_line, .line_arg = &l,
		.timeout_ms = 20000 };
	struct pfa_exec_result res;
	long long t0 = now_ms();
	run(argv, &o, &res);
	assert_true(now_ms() - t0 < 5000);
	assert_true(res.stopped);
	assert_false(res.timed_out);
	assert_int_equal(l.n >= 3, 1);
	assert_true(strncmp(l.text, "y|y|y|", 6) == 0);
	assert_int_equal(res.status, -1);
	assert_int_equal(res.signal, SIGTERM);
	pid_t gc = read_pid(pidfile);
	assert_true(gc > 0);
	int st = wait_for(gc, 3000);
	assert_int_not_equal(st, -1);
	assert_true(WIFSIGNALED(st));
	pfa_exec_result_free(&res);
}

static void
test_stream_timeout(void **state)
{
	(void)state;
	const char *argv[] = { "/bin/sh", "-c", "echo one; exec sleep 30",
	    NULL };
	struct lines l = { .len = 0 };
	struct pfa_exec_opts o = { .on_line = on_line, .line_arg = &l,
		.timeout_ms = 300 };
	struct pfa_exec_result res;
	long long t0 = now_ms();
	run(argv, &o, &res);
	assert_true(now_ms() - t0 < 3000);
	assert_true(res.timed_out);
	assert_false(res.stopped);
	assert_string_equal(l.text, "one|");	/* came before the timeout */
	pfa_exec_result_free(&res);
}

static void
test_stream_stdin_and_env(void **state)
{
	(void)state;
	const char *cat[] = { "/bin/cat", NULL };
	struct lines l = { .len = 0 };
	struct pfa_exec_opts o = { .on_line = on_line, .line_arg = &l,
		.stdin_data = "x\ny\n", .stdin_len = 4 };
	struct pfa_exec_result res;
	run(cat, &o, &res);
	assert_string_equal(l.text, "x|y|");
	pfa_exec_result_free(&res);
	/* the same fixed environment as a capture */
	const char *env[] = { "/usr/bin/env", NULL };
	const char *extra[] = { "MAIL_CONFIG=/x", NULL };
	struct lines e = { .len = 0 };
	struct pfa_exec_opts oe = { .on_line = on_line, .line_arg = &e,
		.env = extra };
	setenv("PFA_TEST_LEAK", "1", 1);
	run(env, &oe, &res);
	unsetenv("PFA_TEST_LEAK");
	assert_null(strstr(e.text, "PFA_TEST_LEAK"));
	assert_non_null(strstr(e.text, "LC_ALL=C|"));
	assert_non_null(strstr(e.text, "MAIL_CONFIG=/x|"));
	pfa_exec_result_free(&res);
}

static void
test_stream_pty(void **state)
{
	(void)state;
	const char *argv[] = { "/bin/sh", "-c", "test -t 1 && echo tty; "
	    "printf 'a\\r\\nb\\n'", NULL };
	struct lines l = { .len = 0 };
	struct pfa_exec_opts o = { .use_pty = true, .on_line = on_line,
		.line_arg = &l };
	struct pfa_exec_result res;
	run(argv, &o, &res);
	assert_int_equal(res.status, 0);
	assert_string_equal(l.text, "tty|a|b|");
	pfa_exec_result_free(&res);
}

static void
test_no_fd_leak(void **state)
{
	(void)state;
	const char *ok[] = { "/bin/sh", "-c", "echo out; echo err >&2", NULL };
	const char *missing[] = { "/nonexistent/pfagent-test", NULL };
	const char *slow[] = { "/bin/sleep", "30", NULL };
	struct pfa_exec_opts plain = { .stdin_data = "x", .stdin_len = 1 };
	struct pfa_exec_opts pty = { .use_pty = true };
	struct pfa_exec_opts quick = { .timeout_ms = 50 };
	struct pfa_exec_result res;
	int before = count_fds();
	for (int i = 0; i < 20; i++) {
		run(ok, &plain, &res);
		pfa_exec_result_free(&res);
		run(ok, &pty, &res);
		pfa_exec_result_free(&res);
		assert_int_equal(pfa_exec(missing, &pty, &res), -1);
		assert_int_equal(pfa_exec(missing, NULL, &res), -1);
	}
	run(slow, &quick, &res);
	assert_true(res.timed_out);
	pfa_exec_result_free(&res);
	const char *yes[] = { "/usr/bin/yes", NULL };
	for (int i = 0; i < 5; i++) {
		struct lines l = { .stop_after = 2 };
		struct pfa_exec_opts st = { .on_line = on_line, .line_arg = &l };
		run(yes, &st, &res);
		assert_true(res.stopped);
		pfa_exec_result_free(&res);
	}
	assert_int_equal(count_fds(), before);
}

int
main(void)
{
	/* Orphaned grandchildren come back to us, so tests can see how they
	 * ended instead of leaving zombies to a container's init. */
	if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0) {
		perror("prctl(PR_SET_CHILD_SUBREAPER)");
		return 1;
	}
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_separate_streams),
		T(test_exit_status),
		T(test_signal),
		T(test_argv_is_not_a_shell_line),
		T(test_timeout),
		T(test_timeout_kills_group),
		T(test_timeout_escalates_to_sigkill),
		T(test_child_leaves_daemon_behind),
		T(test_large_output_truncated),
		T(test_lines_counted_beyond_capture),
		T(test_both_streams_large),
		T(test_exact_bound_not_truncated),
		T(test_stdin_fed),
		T(test_stdin_not_read),
		T(test_parent_stdio_closed),
		T(test_missing_program),
		T(test_not_executable),
		T(test_relative_refused),
		T(test_environment),
		T(test_environment_override),
		T(test_fds_closed),
		T(test_pty),
		T(test_pty_status_and_timeout),
		T(test_pty_refuses_stdin),
		T(test_no_fd_leak),
		T(test_stream_lines),
		T(test_stream_many_lines_bounded),
		T(test_stream_long_line_cut),
		T(test_stream_last_line_cut),
		T(test_stream_stop_kills_group),
		T(test_stream_timeout),
		T(test_stream_stdin_and_env),
		T(test_stream_pty),
#undef T
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
