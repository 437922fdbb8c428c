/*
 * exec_child.h - private to exec.c: the child's side of pfa_exec.
 *
 * exec_child.c owns everything the forked child does before execve:
 * signal reset, process group or pty session, stdio onto 0-2, closing
 * every other descriptor, execve.  Only exec.c may include this header;
 * everything else runs programs through exec.h.
 */
#ifndef PFA_EXEC_CHILD_H
#define PFA_EXEC_CHILD_H

#include <sys/types.h>

/*
 * Call only in the child, right after fork.  IN/OUT/ERR become 0/1/2 (with
 * a pty, SLAVE >= 0, they are all SLAVE and IN/OUT/ERR are ignored); ERRW
 * is the write end of a close-on-exec pipe.  Never returns: execs ARGV[0]
 * with ENVP, or writes errno to ERRW and calls _exit(127).
 */
_Noreturn void pfa_exec_child_run(const char *const argv[], char *const envp[],
    int in, int out, int err, int slave, int errw, pid_t parent);

#endif
