/*
 * exec.h - the only way pfagent runs another program.
 *
 * Runs a program by absolute path with an argv array, never through a
 * shell, in a fixed environment (PATH=/usr/sbin:/usr/bin:/sbin:/bin,
 * LANG=C, LC_ALL=C, plus opts->env), with every descriptor but 0-2
 * closed, in its own process group so that a timeout kills the whole
 * group, and with stdout and stderr captured up to a bound (the rest is
 * read and discarded, so the child never blocks).  With use_pty the child's
 * stdin, stdout and stderr are one pseudo-terminal (postfix(1) prints its
 * messages only to a terminal) and everything arrives in out.
 *
 * Streaming (opts->on_line): stdout is not kept but handed to the callback
 * line by line as the child writes it, so a listing of any length (postqueue
 * -j of a large queue) is read in memory bounded by one line.  Each line
 * comes without its newline (the last one also when it has none) and
 * NUL-terminated; a line longer than max_line is cut to its first max_line
 * bytes, the rest read and thrown away, and CUT is true.  A callback that
 * returns nonzero stops the run: the child's whole group is killed at once
 * and res->stopped is set.  The timeout, the process group, the environment
 * and the closed descriptors are the same as for a capture; stderr is still
 * captured.
 *
 * Errors: pfa_exec returns -1 and logs (naming the program) only when the
 * program could not be started (missing, not executable, fork failure);
 * a program that ran and failed is a normal return with its status.
 */
#ifndef PFA_EXEC_H
#define PFA_EXEC_H

#include <stdbool.h>
#include <stddef.h>

#define PFA_EXEC_DEFAULT_TIMEOUT_MS 60000
#define PFA_EXEC_DEFAULT_CAPTURE (1024 * 1024)
#define PFA_EXEC_DEFAULT_LINE (1024 * 1024)

/* One line of a streamed stdout (see above); nonzero stops the run. */
typedef int (*pfa_exec_line_fn)(void *arg, const char *line, size_t len,
    bool cut);

struct pfa_exec_opts {
	int timeout_ms;		/* 0: PFA_EXEC_DEFAULT_TIMEOUT_MS */
	size_t max_capture;	/* per stream; 0: PFA_EXEC_DEFAULT_CAPTURE */
	bool use_pty;		/* stdio on a pseudo-terminal, all in out */
	const char *stdin_data;	/* fed to the child's stdin, may be NULL */
	size_t stdin_len;
	const char *const *env;	/* extra "NAME=value" entries, NULL-ended */
	pfa_exec_line_fn on_line;	/* stream stdout to it, NULL: capture */
	void *line_arg;		/* its first argument */
	size_t max_line;	/* longest line; 0: PFA_EXEC_DEFAULT_LINE */
};

struct pfa_exec_result {
	int status;		/* exit status 0..255, or -1 if signalled */
	int signal;		/* terminating signal, 0 if it exited */
	bool timed_out;		/* killed (whole group) at the timeout */
	char *out;		/* NUL-terminated, never NULL after success
				 * ("" when streamed) */
	size_t out_len;
	bool out_truncated;
	size_t out_lines;	/* newlines in all of stdout, including the
				 * part beyond max_capture (counts a dump
				 * without keeping it) */
	char *err;
	size_t err_len;
	bool err_truncated;
	bool stopped;		/* the line callback stopped the run (the
				 * group was killed) */
	int interrupted;	/* the run was asked to stop (signals.h):
				 * that signal; the group was killed */
};

/*
 * 0: the program ran (see res); -1: it could not be started (logged), or
 * was refused: a program, or a directory above it, that fails the
 * ownership rule (trust.h) is never run (EPERM, said on stderr).
 */
int pfa_exec(const char *const argv[], const struct pfa_exec_opts *opts,
    struct pfa_exec_result *res);
void pfa_exec_result_free(struct pfa_exec_result *res);

/* Shared by pfa_exec's child and tests: the fixed environment. */
extern const char *const pfa_exec_base_env[];

#endif
