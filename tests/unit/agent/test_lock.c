/*
 * test_lock.c - the run lock between real processes.
 *
 * A forked child plays the second run: it reports through its exit code
 * (and a pipe for the holder PID), never through cmocka, and leaves with
 * _exit so that nothing of the parent's test state runs twice.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "lock.h"
#include "testutil.h"

struct fixture {
	char dir[64];
	char lock[96];
};


static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	if (f == NULL)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/test_lock.XXXXXX");
	if (mkdtemp(f->dir) == NULL) {
		free(f);
		return -1;
	}
	snprintf(f->lock, sizeof(f->lock), "%s/lock", f->dir);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	pfa_test_rm_rf(f->dir);
	free(f);
	return 0;
}

static char *
get_file(const char *path)
{
	static char buf[256];
	FILE *fp = fopen(path, "r");
	if (fp == NULL)
		return NULL;
	size_t n = fread(buf, 1, sizeof(buf) - 1, fp);
	fclose(fp);
	buf[n] = '\0';
	return buf;
}

/* Child exit codes. */
enum { C_ACQUIRED = 10, C_HELD = 11, C_ERROR = 12, C_BAD = 13 };

/*
 * Forks a second run that tries the lock.  Returns its exit code; *holder
 * gets the holder PID it saw, *content what the lock file said while it
 * held the lock (if it did).
 */
static int
second_run(const char *dir, pid_t *holder, char *content, size_t size)
{
	int p[2];
	assert_int_equal(pipe(p), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(p[0]);
		int fd = -1;
		pid_t h = -1;
		int rc = pfa_lock_acquire(dir, &fd, &h);
		char buf[128] = "";
		if (rc == 0) {
			char path[256];
			snprintf(path, sizeof(path), "%s/lock", dir);
			FILE *fp = fopen(path, "r");
			if (fp != NULL) {
				size_t n = fread(buf, 1, sizeof(buf) - 1, fp);
				buf[n] = '\0';
				fclose(fp);
			}
			pfa_lock_release(fd);
		}
		char msg[160];
		int n = snprintf(msg, sizeof(msg), "%ld %s", (long)h, buf);
		if (write(p[1], msg, (size_t)n) != n)
			_exit(C_BAD);
		_exit(rc == 0 ? C_ACQUIRED : rc == 1 ? C_HELD : C_ERROR);
	}
	close(p[1]);
	char msg[160];
	ssize_t n = read(p[0], msg, sizeof(msg) - 1);
	close(p[0]);
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_true(n > 0);
	msg[n] = '\0';
	char *sp = strchr(msg, ' ');
	assert_non_null(sp);
	*sp = '\0';
	*holder = (pid_t)atol(msg);
	snprintf(content, size, "%s", sp + 1);
	if (WEXITSTATUS(st) == C_ACQUIRED) {
		/* it must have written its own PID */
		char want[32];
		snprintf(want, sizeof(want), "%ld\n", (long)pid);
		assert_string_equal(content, want);
	}
	return WEXITSTATUS(st);
}

static void
test_acquire_writes_pid(void **state)
{
	struct fixture *f = *state;
	int fd = -1;
	pid_t holder = -1;
	char want[32];
	struct stat st;

	assert_int_equal(pfa_lock_acquire(f->dir, &fd, &holder), 0);
	assert_true(fd >= 0);
	snprintf(want, sizeof(want), "%ld\n", (long)getpid());
	assert_string_equal(get_file(f->lock), want);
	assert_int_equal(stat(f->lock, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0600);
	/* it really is flocked */
	int other = open(f->lock, O_RDONLY | O_CLOEXEC);
	assert_true(other >= 0);
	assert_int_equal(flock(other, LOCK_EX | LOCK_NB), -1);
	assert_int_equal(errno, EWOULDBLOCK);
	close(other);
	pfa_lock_release(fd);
}

static void
test_lock_fd_cloexec(void **state)
{
	struct fixture *f = *state;
	int fd = -1;
	pid_t holder;
	assert_int_equal(pfa_lock_acquire(f->dir, &fd, &holder), 0);
	int fl = fcntl(fd, F_GETFD);
	assert_true(fl >= 0);
	assert_true(fl & FD_CLOEXEC);
	pfa_lock_release(fd);
}

static void
test_second_run_sees_holder(void **state)
{
	struct fixture *f = *state;
	int fd = -1;
	pid_t holder = -1;
	char content[128], before[256];
	struct stat st1, st2;

	assert_int_equal(pfa_lock_acquire(f->dir, &fd, &holder), 0);
	snprintf(before, sizeof(before), "%s", get_file(f->lock));
	assert_int_equal(stat(f->lock, &st1), 0);

	assert_int_equal(second_run(f->dir, &holder, content, sizeof(content)),
	    C_HELD);
	assert_int_equal(holder, getpid());

	/* the loser touched nothing */
	assert_string_equal(get_file(f->lock), before);
	assert_int_equal(stat(f->lock, &st2), 0);
	assert_int_equal(st2.st_ino, st1.st_ino);
	assert_int_equal(st2.st_size, st1.st_size);
	assert_int_equal(st2.st_mtim.tv_sec, st1.st_mtim.tv_sec);
	assert_int_equal(st2.st_mtim.tv_nsec, st1.st_mtim.tv_nsec);
	pfa_lock_release(fd);
}

static void
test_release_lets_next_run_in(void **state)
{
	struct fixture *f = *state;
	int fd = -1;
	pid_t holder = -1;
	char content[128];

	assert_int_equal(pfa_lock_acquire(f->dir, &fd, &holder), 0);
	pfa_lock_release(fd);
	assert_int_equal(second_run(f->dir, &holder, content, sizeof(content)),
	    C_ACQUIRED);
	/* and back to us: the file was never removed or replaced */
	assert_int_equal(pfa_lock_acquire(f->dir, &fd, &holder), 0);
	pfa_lock_release(fd);
}

static void
test_exit_releases(void **state)
{
	struct fixture *f = *state;
	int fd = -1;
	pid_t holder = -1;
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(pfa_lock_acquire(f->dir, &fd, &holder) == 0 ? 0 : 1);
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
	/* a run that died holding the lock does not block the next one */
	assert_int_equal(pfa_lock_acquire(f->dir, &fd, &holder), 0);
	pfa_lock_release(fd);
}

static void
test_unknown_holder(void **state)
{
	struct fixture *f = *state;
	/* Someone holds the lock but wrote no PID (yet). */
	int other = open(f->lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	assert_true(other >= 0);
	assert_int_equal(write(other, "garbage\n", 8), 8);
	assert_int_equal(flock(other, LOCK_EX | LOCK_NB), 0);
	int fd = -1;
	pid_t holder = -1;
	assert_int_equal(pfa_lock_acquire(f->dir, &fd, &holder), 1);
	assert_int_equal(holder, 0);
	assert_int_equal(fd, -1);
	assert_string_equal(get_file(f->lock), "garbage\n");
	close(other);
}

static void
test_symlink_refused(void **state)
{
	struct fixture *f = *state;
	char target[128];
	snprintf(target, sizeof(target), "%s/elsewhere", f->dir);
	assert_int_equal(symlink(target, f->lock), 0);
	int fd = -1;
	pid_t holder = -1;
	errno = 0;
	assert_int_equal(pfa_lock_acquire(f->dir, &fd, &holder), -1);
	assert_int_equal(errno, ELOOP);
	assert_int_equal(fd, -1);
	struct stat st;
	assert_int_equal(lstat(target, &st), -1);	/* not created */
}

static void
test_missing_statedir(void **state)
{
	struct fixture *f = *state;
	char dir[128];
	snprintf(dir, sizeof(dir), "%s/none", f->dir);
	int fd = -1;
	pid_t holder = -1;
	errno = 0;
	assert_int_equal(pfa_lock_acquire(dir, &fd, &holder), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(fd, -1);
}

/* What is planted at the lock's name is refused, never written to. */
static void
test_planted_refused(void **state)
{
	struct fixture *f = *state;
	int fd = -1;
	pid_t holder;
	char other[128];
	snprintf(other, sizeof(other), "%s/precious", f->dir);

	/* a hard link: truncating the lock would truncate the other name */
	pfa_test_write_text(other, "do not truncate me\n", 0600);
	assert_int_equal(link(other, f->lock), 0);
	errno = 0;
	assert_int_equal(pfa_lock_acquire(f->dir, &fd, &holder), -1);
	assert_int_equal(errno, EMLINK);
	assert_string_equal(get_file(other), "do not truncate me\n");
	unlink(f->lock);

	/* a FIFO: refused without blocking */
	assert_int_equal(mkfifo(f->lock, 0600), 0);
	assert_int_equal(pfa_lock_acquire(f->dir, &fd, &holder), -1);
	assert_int_equal(errno, EINVAL);
	unlink(f->lock);

	/* a directory */
	assert_int_equal(mkdir(f->lock, 0700), 0);
	assert_int_equal(pfa_lock_acquire(f->dir, &fd, &holder), -1);
	assert_int_equal(errno, EISDIR);
	rmdir(f->lock);

	/* another user's file */
	if (geteuid() == 0) {
		pfa_test_write_text(f->lock, "", 0600);
		assert_int_equal(chown(f->lock, 65534, 65534), 0);
		assert_int_equal(pfa_lock_acquire(f->dir, &fd, &holder), -1);
		assert_int_equal(errno, EPERM);
		unlink(f->lock);
	}
	assert_int_equal(fd, -1);
	assert_int_equal(pfa_lock_acquire(f->dir, &fd, &holder), 0);
	pfa_lock_release(fd);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_acquire_writes_pid),
		T(test_lock_fd_cloexec),
		T(test_second_run_sees_holder),
		T(test_release_lets_next_run_in),
		T(test_exit_releases),
		T(test_unknown_holder),
		T(test_symlink_refused),
		T(test_missing_statedir),
		T(test_planted_refused),
#undef T
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
