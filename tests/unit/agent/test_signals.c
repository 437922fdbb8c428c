/*
 * test_signals.c - signal dispositions in a known state and stopping a
 * run (agent/signals.c with the exec service): an inherited ignored
 * SIGCHLD or blocked signal no longer breaks programs, a SIGTERM ends the
 * running program's whole group and starts no other, a protected program
 * finishes, a child dies with a SIGKILLed pfagent, and a program another
 * user could replace is never run.  Each case that stops runs in a forked
 * process of its own: the stop cannot be undone.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "exec.h"
#include "signals.h"
#include "testutil.h"

/* Runs FN in a child process; returns its exit status (0: all held). */
static int
in_child(int (*fn)(void))
{
	fflush(NULL);
	pid_t p = fork();
	assert_true(p >= 0);
	if (p == 0)
		_exit(fn());
	int st;
	assert_int_equal(waitpid(p, &st, 0), p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 100 + WTERMSIG(st);
}

static int
inherited_mess(void)
{
	signal(SIGCHLD, SIG_IGN);	/* the kernel would reap: no status */
	sigset_t all;
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	pfa_signals_init();
	const char *argv[] = { "/bin/sh", "-c", "exit 3", NULL };
	struct pfa_exec_result r;
	if (pfa_exec(argv, NULL, &r) < 0)
		return 1;
	int ok = r.status == 3 ? 0 : 2;
	pfa_exec_result_free(&r);
	sigset_t now;
	sigprocmask(SIG_SETMASK, NULL, &now);
	return ok != 0 ? ok : sigismember(&now, SIGTERM) ? 3 : 0;
}

static void
test_inherited_dispositions_reset(void **state)
{
	(void)state;
	assert_int_equal(in_child(inherited_mess), 0);
}

static int
term_stops_program(void)
{
	pfa_signals_init();
	/* a program that leaves a grandchild in its group */
	const char *argv[] = { "/bin/sh", "-c", "sleep 60 & sleep 60", NULL };
	struct pfa_exec_opts o = { .timeout_ms = 60000 };
	struct pfa_exec_result r;
	alarm(0);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid_t me = getpid();
	pid_t killer = fork();
	if (killer == 0) {
		usleep(300000);
		kill(me, SIGTERM);
		_exit(0);
	}
	int rc = pfa_exec(argv, &o, &r);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	waitpid(killer, NULL, 0);
	if (rc < 0)
		return 1;
	if (r.interrupted != SIGTERM || pfa_stop_requested() != SIGTERM)
		return 2;
	if (t1.tv_sec - t0.tv_sec > 10)
		return 3;	/* it waited for sleep */
	pfa_exec_result_free(&r);
	/* no other program starts */
	const char *t[] = { "/bin/true", NULL };
	errno = 0;
	if (pfa_exec(t, NULL, &r) != -1 || errno != EINTR)
		return 4;
	/* unless protected (the reload gate) */
	pfa_signals_protect(true);
	if (pfa_exec(t, NULL, &r) != 0 || r.status != 0)
		return 5;
	pfa_exec_result_free(&r);
	return 0;
}

static void
test_term_stops_program(void **state)
{
	(void)state;
	assert_int_equal(in_child(term_stops_program), 0);
}

static int
deadline_stops(void)
{
	pfa_signals_init();
	pfa_signals_deadline(1);
	const char *argv[] = { "/bin/sleep", "30", NULL };
	struct pfa_exec_result r;
	if (pfa_exec(argv, NULL, &r) < 0)
		return 1;
	int ok = r.interrupted == SIGALRM ? 0 : 2;
	pfa_exec_result_free(&r);
	return ok;
}

static void
test_deadline_stops(void **state)
{
	(void)state;
	assert_int_equal(in_child(deadline_stops), 0);
}

static char *pidfile;

static int
exec_and_wait(void)
{
	pfa_signals_init();
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "echo $$ > %s.tmp && mv %s.tmp %s && "
	    "exec sleep 60", pidfile, pidfile, pidfile);
	const char *argv[] = { "/bin/sh", "-c", cmd, NULL };
	struct pfa_exec_result r;
	(void)pfa_exec(argv, NULL, &r);
	return 0;
}

/* pfagent SIGKILLed: its child does not live on (PR_SET_PDEATHSIG). */
static void
test_child_dies_with_pfagent(void **state)
{
	(void)state;
	char *dir = pfa_test_mkdtemp("signals");
	pidfile = pfa_test_path(dir, "pid");
	fflush(NULL);
	pid_t p = fork();
	assert_true(p >= 0);
	if (p == 0)
		_exit(exec_and_wait());
	pid_t child = 0;
	for (int i = 0; i < 200 && child == 0; i++) {
		FILE *f = fopen(pidfile, "r");
		if (f != NULL) {
			long v;
			if (fscanf(f, "%ld", &v) == 1)
				child = (pid_t)v;
			fclose(f);
		}
		if (child == 0)
			usleep(20000);
	}
	assert_true(child > 0);
	kill(p, SIGKILL);
	waitpid(p, NULL, 0);
	bool gone = false;
	for (int i = 0; i < 200 && !gone; i++) {
		/* it is reparented: gone once kill(0) fails or it is a zombie */
		char path[64], st = '?';
		snprintf(path, sizeof(path), "/proc/%ld/stat", (long)child);
		FILE *f = fopen(path, "r");
		if (f == NULL) {
			gone = true;
			break;
		}
		if (fscanf(f, "%*d %*s %c", &st) != 1)
			st = '?';
		fclose(f);
		gone = st == 'Z' || st == 'X';
		if (!gone)
			usleep(20000);
	}
	if (!gone)
		kill(child, SIGKILL);
	assert_true(gone);
	pfa_test_rm_rf(dir);
	free(pidfile);
	free(dir);
}

/* A program another user could replace is refused, with the fix. */
static void
test_untrusted_program(void **state)
{
	(void)state;
	char *dir = pfa_test_mkdtemp("signals");
	char *open_dir = pfa_test_path(dir, "open");
	assert_int_equal(mkdir(open_dir, 0755), 0);
	chmod(open_dir, 0777);
	char *prog = pfa_test_path(open_dir, "postconf");
	pfa_test_write_text(prog, "#!/bin/sh\nexit 0\n", 0755);
	const char *argv[] = { prog, NULL };
	struct pfa_exec_result r;
	errno = 0;
	assert_int_equal(pfa_exec(argv, NULL, &r), -1);
	assert_int_equal(errno, EPERM);
	chmod(open_dir, 0755);
	chmod(prog, 0775);
	assert_int_equal(pfa_exec(argv, NULL, &r), -1);
	assert_int_equal(errno, EPERM);
	chmod(prog, 0755);
	assert_int_equal(pfa_exec(argv, NULL, &r), 0);
	assert_int_equal(r.status, 0);
	pfa_exec_result_free(&r);
	pfa_test_rm_rf(dir);
	free(prog);
	free(open_dir);
	free(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_inherited_dispositions_reset),
		cmocka_unit_test(test_term_stops_program),
		cmocka_unit_test(test_deadline_stops),
		cmocka_unit_test(test_child_dies_with_pfagent),
		cmocka_unit_test(test_untrusted_program),
	};
	return cmocka_run_group_tests_name("signals", tests, NULL, NULL);
}
