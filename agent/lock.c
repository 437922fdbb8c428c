/*
 * lock.c - one run at a time per state directory.
 *
 * The only module that locks.  It flocks STATEDIR/lock, a file it never
 * renames or removes (a new inode would be a second lock), opened
 * close-on-exec so that no child keeps holding it after pfagent exits.  A
 * run that finds the lock held only reads the holder's PID: it writes
 * nothing.  It writes (its PID) only into a regular file of its own with
 * one link: a directory, FIFO, symbolic link or hard link planted at the
 * lock's name is refused, never followed, opened blocking or truncated.
 *
 * Errors are logged here once (event=lock-failed file=... step=...), said
 * on stderr (with what to do), and returned as -1.  A lock held by another run is not an error: 1 is
 * returned without logging and the caller says who holds it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lock.h"
#include "log.h"

static int
failed(const char *path, const char *step)
{
	int saved = errno;
	const char *why = strerror(saved);
	switch (saved) {
	case ELOOP:
		why = "it is a symbolic link";
		break;
	case EISDIR:
		why = "it is a directory";
		break;
	case EMLINK:
		why = "it has more than one link (another file's name)";
		break;
	case EPERM:
		why = "it is not pfagent's own file";
		break;
	case EINVAL:
		why = "it is not a regular file";
		break;
	}
	fprintf(stderr, "pfagent: cannot lock %s: %s; nothing done%s\n", path,
	    why, saved == ELOOP || saved == EISDIR || saved == EMLINK ||
	    saved == EPERM || saved == EINVAL ? " (remove it: pfagent makes "
	    "a new one)" : "");
	errno = saved;
	return pfa_log_path_failed("lock-failed", path, step);
}

/* The PID the holder wrote, 0 if there is none (yet) or it is garbage. */
static pid_t
read_holder(int fd)
{
	char buf[32];
	ssize_t n;
	do
		n = pread(fd, buf, sizeof(buf) - 1, 0);
	while (n < 0 && errno == EINTR);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	long v = 0;
	char *p = buf;
	for (; *p >= '0' && *p <= '9' && v < 100000000; p++)
		v = v * 10 + (*p - '0');
	if (p == buf || (*p != '\n' && *p != '\0') || v <= 0 ||
	    v >= 100000000)
		return 0;
	return (pid_t)v;
}

static int
write_pid(int fd)
{
	char buf[32];
	int len = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) < 0)
		return -1;
	for (int off = 0; off < len;) {
		ssize_t n = pwrite(fd, buf + off, (size_t)(len - off), off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EIO;
			return -1;
		}
		off += (int)n;
	}
	return 0;
}

int
pfa_lock_acquire(const char *statedir, int *fd, pid_t *holder)
{
	char *path = pfa_xasprintf("%s/lock", statedir);
	struct stat st;
	int rc = -1, r;

	*fd = -1;
	if (holder != NULL)
		*holder = 0;
	/* O_NONBLOCK: a FIFO or device planted here never blocks the open */
	int lfd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW |
	    O_NOCTTY | O_NONBLOCK, 0600);
	if (lfd < 0) {
		failed(path, "open");
		goto out;
	}
	if (fstat(lfd, &st) < 0) {
		failed(path, "fstat");
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		errno = EINVAL;
		failed(path, "not-a-regular-file");
		goto out;
	}
	if (st.st_nlink != 1) {
		errno = EMLINK;	/* truncating it would truncate the other */
		failed(path, "hard-link");
		goto out;
	}
	if (st.st_uid != geteuid()) {
		errno = EPERM;
		failed(path, "owner");
		goto out;
	}
	do
		r = flock(lfd, LOCK_EX | LOCK_NB);
	while (r < 0 && errno == EINTR);
	if (r < 0 && errno == EWOULDBLOCK) {
		if (holder != NULL)
			*holder = read_holder(lfd);
		rc = 1;
		goto out;
	}
	if (r < 0) {
		failed(path, "flock");
		goto out;
	}
	/* The lock is what matters; a PID we could not write only makes a
	 * second run report an unknown holder. */
	if (write_pid(lfd) < 0) {
		char q[1024];
		pfa_log_errno(LOG_WARNING,
		    "event=lock-pid-write-failed file=%s",
		    pfa_log_quote(q, sizeof(q), path));
	}
	*fd = lfd;
	lfd = -1;
	rc = 0;
out:
	if (lfd >= 0)
		close(lfd);
	free(path);
	return rc;
}

void
pfa_lock_release(int fd)
{
	if (fd < 0)
		return;
	int saved = errno;
	/* Still held here: no other run can be reading.  Clearing the PID
	 * keeps a stale one from being named later. */
	if (ftruncate(fd, 0) < 0) {
		/* harmless: the next holder truncates it */
	}
	close(fd);
	errno = saved;
}
