/*
 * lock.h - one run at a time per state directory.
 *
 * The lock is flock(LOCK_EX|LOCK_NB) on STATEDIR/lock, a file that is never
 * renamed or removed, opened O_CLOEXEC so children never inherit it.  The
 * holder writes its PID into the file so that a second run can name it.
 */
#ifndef PFA_LOCK_H
#define PFA_LOCK_H

#include <sys/types.h>

/*
 * 0: acquired, *fd set; 1: held by another run, *holder set to its PID
 * (0 if unknown), nothing touched; -1: error (logged and said on stderr:
 * something other than a regular file of pfagent's own with one link is
 * at the lock's name, or a system call failed).
 */
int pfa_lock_acquire(const char *statedir, int *fd, pid_t *holder);
void pfa_lock_release(int fd);

#endif
