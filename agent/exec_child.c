/*
 * exec_child.c - the child's side of exec.c, between fork and execve.
 *
 * Resets signal dispositions and the mask, asks the kernel to kill the
 * child when pfagent dies (PR_SET_PDEATHSIG), makes the child a process group
 * leader (or a session leader with the pty as its controlling terminal),
 * puts its stdio on 0-2, closes every other descriptor but the error pipe
 * and execs.  Async-signal-safe calls only: no malloc, no stdio, no log.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <termios.h>
#include <unistd.h>

#include "exec_child.h"

struct dirent64_raw {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

/* Closes every fd >= LOW.  Runs between fork and exec: system calls only,
 * no malloc (so no opendir). */
static void
close_from(int low)
{
#ifdef SYS_close_range
	if (syscall(SYS_close_range, (unsigned)low, ~0U, 0) == 0)
		return;
#endif
	int dfd = open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
	if (dfd >= 0) {
		/* Closing while listing may skip entries: list again until a
		 * pass finds nothing to close. */
		long buf[1024];
		bool again = true;
		while (again) {
			again = false;
			if (lseek(dfd, 0, SEEK_SET) < 0)
				break;
			long n;
			while ((n = syscall(SYS_getdents64, dfd, buf,
			    sizeof(buf))) > 0) {
				for (long off = 0; off < n;) {
					struct dirent64_raw *d =
					    (struct dirent64_raw *)((char *)buf + off);
					off += d->d_reclen;
					int fd = 0;
					const char *p = d->d_name;
					if (*p < '0' || *p > '9')
						continue;
					for (; *p >= '0' && *p <= '9'; p++)
						fd = fd * 10 + (*p - '0');
					if (fd >= low && fd != dfd) {
						close(fd);
						again = true;
					}
				}
			}
		}
		close(dfd);
		return;
	}
	long max = sysconf(_SC_OPEN_MAX);
	if (max < 0 || max > 65536)
		max = 65536;
	for (int fd = low; fd < max; fd++)
		close(fd);
}

/*
 * Between fork and exec: async-signal-safe calls only.  IN/OUT/ERR become
 * 0/1/2 (with a pty they are all SLAVE), ERRW moves to 3 (close-on-exec)
 * and everything above is closed.  Any failure is written to ERRW as an
 * errno value; the parent turns it into -1.
 */
_Noreturn void
pfa_exec_child_run(const char *const argv[], char *const envp[], int in,
    int out, int err, int slave, int errw, pid_t parent)
{
	struct sigaction dfl;
	sigset_t none;

	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	sigemptyset(&dfl.sa_mask);
	for (int s = 1; s < NSIG; s++)
		sigaction(s, &dfl, NULL);	/* SIG_IGN survives exec */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	/* dies with pfagent, even of SIGKILL (not across a set-id exec) */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
		goto fail;

	if (slave >= 0) {
		struct termios t;
		if (setsid() < 0 || ioctl(slave, TIOCSCTTY, 0) < 0)
			goto fail;
		in = out = err = slave;
		if (tcgetattr(slave, &t) == 0) {
			t.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
			t.c_oflag &= ~(tcflag_t)ONLCR;
			tcsetattr(slave, TCSANOW, &t);
		}
	} else if (setpgid(0, 0) < 0) {
		goto fail;
	}
	if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0)
		goto fail;
	if (errw != 3) {
		if (dup2(errw, 3) < 0)
			goto fail;
		errw = 3;
		if (fcntl(errw, F_SETFD, FD_CLOEXEC) < 0)
			goto fail;
	}
	close_from(4);
	execve(argv[0], (char *const *)argv, envp);
fail:;
	int e = errno;
	ssize_t w = write(errw, &e, sizeof(e));
	(void)w;
	_exit(127);
}
