/*
 * signals.c - signal dispositions in a known state, and stopping a run
 * cleanly (signals.h).  The handler only stores, calls kill(2) and, on a
 * second signal, re-raises: async-signal-safe throughout.
 */
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "signals.h"

static volatile sig_atomic_t stop_sig;
static volatile sig_atomic_t child_pgid;
static volatile sig_atomic_t protect;
static pid_t main_pid;

static void
on_signal(int sig)
{
	/* between fork and exec the child runs this too: leave alone */
	if (getpid() != main_pid)
		return;
	pid_t g = (pid_t)child_pgid;
	if (stop_sig == 0) {
		stop_sig = sig;
		if (g > 0 && !protect)
			kill(-g, SIGTERM);
		return;
	}
	if (sig == SIGALRM)
		return;		/* the deadline, again: already stopping */
	if (g > 0)
		kill(-g, SIGKILL);
	struct sigaction dfl;
	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	sigaction(sig, &dfl, NULL);
	raise(sig);
}

void
pfa_signals_init(void)
{
	main_pid = getpid();
	struct sigaction old, act;
	bool ign_int = sigaction(SIGINT, NULL, &old) == 0 &&
	    old.sa_handler == SIG_IGN;
	bool ign_hup = sigaction(SIGHUP, NULL, &old) == 0 &&
	    old.sa_handler == SIG_IGN;

	memset(&act, 0, sizeof(act));
	sigemptyset(&act.sa_mask);
	act.sa_handler = SIG_DFL;
	for (int s = 1; s < NSIG; s++)
		if (s != SIGKILL && s != SIGSTOP)
			(void)sigaction(s, &act, NULL);
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);

	act.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &act, NULL);
	act.sa_handler = on_signal;	/* no SA_RESTART: poll sees EINTR */
	sigaction(SIGTERM, &act, NULL);
	sigaction(SIGALRM, &act, NULL);
	if (!ign_int)
		sigaction(SIGINT, &act, NULL);
	else
		(void)signal(SIGINT, SIG_IGN);
	if (!ign_hup)
		sigaction(SIGHUP, &act, NULL);
	else
		(void)signal(SIGHUP, SIG_IGN);
}

int
pfa_stop_requested(void)
{
	return (int)stop_sig;
}

void
pfa_signals_deadline(unsigned seconds)
{
	alarm(seconds);
}

void
pfa_signals_child(pid_t pgid)
{
	child_pgid = (sig_atomic_t)pgid;
	/* a stop that came before the program was named */
	if (pgid > 0 && stop_sig != 0 && !protect)
		kill(-pgid, SIGTERM);
}

void
pfa_signals_protect(bool on)
{
	protect = on;
}

bool
pfa_signals_stopping(void)
{
	return stop_sig != 0 && !protect;
}

const char *
pfa_signals_name(int sig)
{
	switch (sig) {
	case SIGTERM:
		return "SIGTERM";
	case SIGINT:
		return "SIGINT";
	case SIGHUP:
		return "SIGHUP";
	case SIGALRM:
		return "the run's deadline (run_timeout)";
	default:
		return "a signal";
	}
}
