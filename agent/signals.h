/*
 * signals.h - signal dispositions in a known state, and stopping a run
 * cleanly.
 *
 * pfa_signals_init() runs first thing in main: every disposition back to
 * its default and the mask empty, whatever pfagent inherited (an ignored
 * SIGCHLD would make every program it runs fail), then SIGPIPE ignored
 * and SIGTERM, SIGINT, SIGHUP (the last two unless inherited as ignored,
 * as nohup and background shells set them) and SIGALRM (the run's
 * deadline) caught.  The first such signal asks the run to stop: the
 * program pfagent is running, if any, gets SIGTERM in its whole process
 * group (unless the reload gate protects it), the task in progress fails
 * and cleans up along its normal path, no further task starts, and the
 * gate finishes what was already changed.  A second signal kills the
 * running program's group at once and ends pfagent with that signal;
 * whatever temporary file remains is removed by the next run.
 */
#ifndef PFA_SIGNALS_H
#define PFA_SIGNALS_H

#include <stdbool.h>
#include <sys/types.h>

void pfa_signals_init(void);

/* The signal that asked the run to stop (SIGALRM: the deadline), or 0. */
int pfa_stop_requested(void);

/* Asks the run to stop in SECONDS (0: never), as SIGALRM does. */
void pfa_signals_deadline(unsigned seconds);

/*
 * The exec service names the process group of the program it runs (0
 * when none), so that a stop reaches it; it clears the name before it
 * reaps the group's leader, whose pid might then be reused.
 */
void pfa_signals_child(pid_t pgid);

/* While true, a first stop does not signal the running program (the
 * reload gate's commands finish). */
void pfa_signals_protect(bool on);
/* A stop was asked for and the running program is not protected: the
 * exec service kills it and starts no other. */
bool pfa_signals_stopping(void);

/* "SIGTERM", "SIGINT", "the run's deadline" ... for messages. */
const char *pfa_signals_name(int sig);

#endif
