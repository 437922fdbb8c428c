/*
 * failnth.c - an LD_PRELOAD library that counts the system calls a process
 * (and the children it forks, until they exec) makes through the C
 * library, and fails the Nth one of a given kind (tests/integration/
 * 09-faults.sh).  Test code: never linked into pfagent.
 *
 * Kinds and the C library functions counted as each:
 *   open    open open64 openat openat64 creat creat64 fopen fopen64
 *           opendir, and the _FORTIFY_SOURCE variants __open_2 ...
 *   read    read pread pread64 (and __read_chk, __pread_chk, ...)
 *   write   write pwrite pwrite64
 *   fsync   fsync fdatasync
 *   rename  rename renameat renameat2
 *   link    link linkat
 *   unlink  unlink unlinkat
 *   fork    fork
 *   execve  execve
 * Calls the C library makes internally (its own opendir's openat, stdio's
 * read and write, syslog) do not go through these symbols and are neither
 * counted nor failed; pfagent's own code calls the functions above
 * directly.
 *
 * Environment:
 *   FAILNTH_ROOT=DIR[:DIR...]  count only calls on these directories and
 *                     what is below them: the path (made absolute against
 *                     the directory fd or the working directory) of open,
 *                     rename, link, unlink, and the file an fd refers to
 *                     (/proc/self/fd) for read, write, fsync; pipes,
 *                     sockets, terminals and files elsewhere are not
 *                     counted.  Unset: every call counts.
 *   FAILNTH_SKIP=PATH[:PATH...]  files not counted although below a root
 *                     (inputs the process only reads).
 *   A call on a path that does not exist (open without O_CREAT, opendir,
 *   fopen for reading, unlink, and the first path of rename and link) is
 *   not counted: it fails with ENOENT in every run.  fork and execve are
 *   always counted.
 *   FAILNTH_CALL=KIND and FAILNTH_N=N  fail the Nth counted call of KIND
 *                     (1-based) with FAILNTH_ERRNO (a number; default EIO,
 *                     ENOSPC for write, EAGAIN for fork, EACCES for
 *                     execve); every other call runs.  Unset: count only.
 *   FAILNTH_LOG=FILE  appended to, with raw system calls (never counted):
 *                     "fired KIND N PID TARGET" when the fault fires, and
 *                     "counts open=N read=N ..." when the process that
 *                     loaded the library exits through exit(3); with
 *                     FAILNTH_TRACE=1 also "call KIND N PID TARGET" for
 *                     every counted call.
 * The counters live in a shared anonymous mapping made when the library
 * is loaded, so a forked child (pfagent's exec service between fork and
 * execve) counts on the same counters; a program it execs starts afresh
 * only if LD_PRELOAD reaches it, which pfagent's fixed environment for
 * children prevents (a second "counts" line would show it).
 *
 * Built by make check (tests/local.mk) without the sanitizers; loaded
 * into a --enable-sanitizers pfagent it comes before ASan's runtime,
 * which then needs ASAN_OPTIONS=verify_asan_link_order=0 (fault.sh sets
 * it).  Its own calls (the log, /proc/self/fd, existence checks) are raw
 * system calls, never counted.
 *
 * Errors: none of its own; if the mapping cannot be made it counts
 * nothing and fails nothing.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

enum kind { K_OPEN, K_READ, K_WRITE, K_FSYNC, K_RENAME, K_LINK, K_UNLINK,
	K_FORK, K_EXECVE, K_N };
static const char *const kind_names[K_N] = { "open", "read", "write",
	"fsync", "rename", "link", "unlink", "fork", "execve" };

struct shared {
	atomic_long count[K_N];
	atomic_int fired;
};

static struct shared *sh;
static char roots[8192];		/* ":DIR:DIR:" */
static char skips[8192];		/* ":PATH:PATH:" */
static int fail_kind = -1;
static long fail_n;
static int fail_errno;
static char log_path[4096];
static int trace;
static pid_t top_pid;

/* ------------------------------------------------------------ logging */

static void
log_line(const char *line)
{
	if (log_path[0] == '\0')
		return;
	long fd = syscall(SYS_openat, AT_FDCWD, log_path,
	    O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	size_t len = strlen(line), off = 0;
	while (off < len) {
		long n = syscall(SYS_write, (int)fd, line + off, len - off);
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	syscall(SYS_close, (int)fd);
}

/* ------------------------------------------------------------ targets */

/* The path FD refers to, in BUF (empty if none). */
static void
fd_path(int fd, char *buf, size_t size)
{
	char proc[64];
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	long n = syscall(SYS_readlinkat, AT_FDCWD, proc, buf, size - 1);
	buf[n > 0 ? n : 0] = '\0';
}

/* PATH made absolute against DIRFD, in BUF. */
static void
abs_path(int dirfd, const char *path, char *buf, size_t size)
{
	if (path == NULL) {
		buf[0] = '\0';
		return;
	}
	if (path[0] == '/') {
		snprintf(buf, size, "%s", path);
		return;
	}
	char dir[4096];
	if (dirfd == AT_FDCWD) {
		long n = syscall(SYS_getcwd, dir, sizeof(dir));
		if (n <= 0)
			dir[0] = '\0';
	} else {
		fd_path(dirfd, dir, sizeof(dir));
	}
	snprintf(buf, size, "%s/%s", dir, path);
}

/* Is PATH one of the ":"-separated entries of LIST, or (PREFIX) below
 * one? */
static int
in_list(const char *list, const char *path, int prefix)
{
	for (const char *p = list; *p != '\0';) {
		const char *end = strchr(p, ':');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		if (n > 0 && strncmp(path, p, n) == 0 && (path[n] == '\0' ||
		    (prefix && (path[n] == '/' || p[n - 1] == '/'))))
			return 1;
		p += n + (end != NULL);
	}
	return 0;
}

static int
under_root(const char *path)
{
	if (in_list(skips, path, 0))
		return 0;
	return roots[0] == '\0' || in_list(roots, path, 1);
}

/* Does PATH exist (without following a last symlink if NOFOLLOW)? */
static int
exists(const char *path, int nofollow)
{
	char st[256];		/* a struct stat, never looked at */
	return syscall(SYS_newfstatat, AT_FDCWD, path, st,
	    nofollow ? AT_SYMLINK_NOFOLLOW : 0) == 0;
}

/*
 * Counts a call of KIND on TARGET (if it is under the root, or ALWAYS);
 * returns the errno to fail it with, or
 * 0 to let it run.
 */
static int
count(enum kind k, const char *target, int always)
{
	if (sh == NULL || (!always && !under_root(target)))
		return 0;
	long n = atomic_fetch_add(&sh->count[k], 1) + 1;
	char line[4300];
	if (trace) {
		snprintf(line, sizeof(line), "call %s %ld %ld %s\n",
		    kind_names[k], n, (long)getpid(), target);
		log_line(line);
	}
	if ((int)k != fail_kind || n != fail_n)
		return 0;
	atomic_store(&sh->fired, 1);
	snprintf(line, sizeof(line), "fired %s %ld %ld %s\n", kind_names[k],
	    n, (long)getpid(), target);
	log_line(line);
	return fail_errno;
}

/* A call on PATH; MUST_EXIST: it is not counted if PATH is missing
 * (1: a missing symlink target counts as missing, 2: a dangling symlink
 * exists). */
static int
count_path(enum kind k, int dirfd, const char *path, int must_exist)
{
	char p[4096];
	abs_path(dirfd, path, p, sizeof(p));
	if (must_exist && under_root(p) && !exists(p, must_exist == 2))
		return 0;
	return count(k, p, 0);
}

static int
count_fd(enum kind k, int fd)
{
	char p[4096];
	fd_path(fd, p, sizeof(p));
	return count(k, p, 0);
}

/* -------------------------------------------------------- setup, exit */

__attribute__((constructor)) static void
setup(void)
{
	const char *v;
	top_pid = getpid();
	void *m = mmap(NULL, sizeof(struct shared), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return;
	sh = m;
	if ((v = getenv("FAILNTH_ROOT")) != NULL)
		snprintf(roots, sizeof(roots), "%s", v);
	if ((v = getenv("FAILNTH_SKIP")) != NULL)
		snprintf(skips, sizeof(skips), "%s", v);
	if ((v = getenv("FAILNTH_LOG")) != NULL)
		snprintf(log_path, sizeof(log_path), "%s", v);
	trace = (v = getenv("FAILNTH_TRACE")) != NULL && strcmp(v, "1") == 0;
	if ((v = getenv("FAILNTH_CALL")) != NULL)
		for (int k = 0; k < K_N; k++)
			if (strcmp(v, kind_names[k]) == 0)
				fail_kind = k;
	if ((v = getenv("FAILNTH_N")) != NULL)
		fail_n = strtol(v, NULL, 10);
	fail_errno = fail_kind == K_WRITE ? ENOSPC : fail_kind == K_FORK ?
	    EAGAIN : fail_kind == K_EXECVE ? EACCES : EIO;
	if ((v = getenv("FAILNTH_ERRNO")) != NULL && atoi(v) > 0)
		fail_errno = atoi(v);
}

__attribute__((destructor)) static void
report(void)
{
	if (sh == NULL || getpid() != top_pid)
		return;
	char line[512];
	size_t off = (size_t)snprintf(line, sizeof(line), "counts");
	for (int k = 0; k < K_N; k++)
		off += (size_t)snprintf(line + off, sizeof(line) - off,
		    " %s=%ld", kind_names[k], atomic_load(&sh->count[k]));
	snprintf(line + off, sizeof(line) - off, " fired=%d\n",
	    atomic_load(&sh->fired));
	log_line(line);
}

/* ------------------------------------------------------------ wrappers */

#define REAL(ret, name, ...)						\
	static ret (*real_##name)(__VA_ARGS__);				\
	if (real_##name == NULL)					\
		real_##name = (ret (*)(__VA_ARGS__))dlsym(RTLD_NEXT, #name)

#define FAIL_IF(e, value)						\
	do {								\
		int e_ = (e);						\
		if (e_ != 0) {						\
			errno = e_;					\
			return value;					\
		}							\
	} while (0)

static mode_t
open_mode(int flags, va_list ap)
{
	return (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE ?
	    (mode_t)va_arg(ap, int) : 0;
}

#define OPEN_WRAPPER(name)						\
	int name(const char *path, int flags, ...);			\
	int name(const char *path, int flags, ...)			\
	{								\
		va_list ap;						\
		va_start(ap, flags);					\
		mode_t mode = open_mode(flags, ap);			\
		va_end(ap);						\
		REAL(int, name, const char *, int, ...);		\
		FAIL_IF(count_path(K_OPEN, AT_FDCWD, path,		\
		    (flags & O_CREAT) ? 0 : 1), -1);			\
		return real_##name(path, flags, mode);			\
	}
OPEN_WRAPPER(open)
OPEN_WRAPPER(open64)

#define OPENAT_WRAPPER(name)						\
	int name(int dirfd, const char *path, int flags, ...);		\
	int name(int dirfd, const char *path, int flags, ...)		\
	{								\
		va_list ap;						\
		va_start(ap, flags);					\
		mode_t mode = open_mode(flags, ap);			\
		va_end(ap);						\
		REAL(int, name, int, const char *, int, ...);		\
		FAIL_IF(count_path(K_OPEN, dirfd, path,			\
		    (flags & O_CREAT) ? 0 : 1), -1);			\
		return real_##name(dirfd, path, flags, mode);		\
	}
OPENAT_WRAPPER(openat)
OPENAT_WRAPPER(openat64)

#define OPEN2_WRAPPER(name)						\
	int name(const char *path, int flags);				\
	int name(const char *path, int flags)				\
	{								\
		REAL(int, name, const char *, int);			\
		FAIL_IF(count_path(K_OPEN, AT_FDCWD, path,		\
		    (flags & O_CREAT) ? 0 : 1), -1);			\
		return real_##name(path, flags);			\
	}
OPEN2_WRAPPER(__open_2)
OPEN2_WRAPPER(__open64_2)

#define OPENAT2_WRAPPER(name)						\
	int name(int dirfd, const char *path, int flags);		\
	int name(int dirfd, const char *path, int flags)		\
	{								\
		REAL(int, name, int, const char *, int);		\
		FAIL_IF(count_path(K_OPEN, dirfd, path,			\
		    (flags & O_CREAT) ? 0 : 1), -1);			\
		return real_##name(dirfd, path, flags);			\
	}
OPENAT2_WRAPPER(__openat_2)
OPENAT2_WRAPPER(__openat64_2)

#define CREAT_WRAPPER(name)						\
	int name(const char *path, mode_t mode);			\
	int name(const char *path, mode_t mode)				\
	{								\
		REAL(int, name, const char *, mode_t);			\
		FAIL_IF(count_path(K_OPEN, AT_FDCWD, path, 0), -1);	\
		return real_##name(path, mode);				\
	}
CREAT_WRAPPER(creat)
CREAT_WRAPPER(creat64)

#define FOPEN_WRAPPER(name)						\
	FILE *name(const char *path, const char *how);			\
	FILE *name(const char *path, const char *how)			\
	{								\
		REAL(FILE *, name, const char *, const char *);		\
		FAIL_IF(count_path(K_OPEN, AT_FDCWD, path,		\
		    how[0] == 'r' ? 1 : 0), NULL);			\
		return real_##name(path, how);				\
	}
FOPEN_WRAPPER(fopen)
FOPEN_WRAPPER(fopen64)

DIR *
opendir(const char *path)
{
	REAL(DIR *, opendir, const char *);
	FAIL_IF(count_path(K_OPEN, AT_FDCWD, path, 1), NULL);
	return real_opendir(path);
}

ssize_t
read(int fd, void *buf, size_t len)
{
	REAL(ssize_t, read, int, void *, size_t);
	FAIL_IF(count_fd(K_READ, fd), -1);
	return real_read(fd, buf, len);
}

ssize_t __read_chk(int fd, void *buf, size_t len, size_t buflen);
ssize_t
__read_chk(int fd, void *buf, size_t len, size_t buflen)
{
	REAL(ssize_t, __read_chk, int, void *, size_t, size_t);
	FAIL_IF(count_fd(K_READ, fd), -1);
	return real___read_chk(fd, buf, len, buflen);
}

#define PREAD_WRAPPER(name)						\
	ssize_t name(int fd, void *buf, size_t len, off_t off);		\
	ssize_t name(int fd, void *buf, size_t len, off_t off)		\
	{								\
		REAL(ssize_t, name, int, void *, size_t, off_t);	\
		FAIL_IF(count_fd(K_READ, fd), -1);			\
		return real_##name(fd, buf, len, off);			\
	}
PREAD_WRAPPER(pread)
PREAD_WRAPPER(pread64)

#define PREAD_CHK_WRAPPER(name)						\
	ssize_t name(int fd, void *buf, size_t len, off_t off,		\
	    size_t buflen);						\
	ssize_t name(int fd, void *buf, size_t len, off_t off,		\
	    size_t buflen)						\
	{								\
		REAL(ssize_t, name, int, void *, size_t, off_t, size_t); \
		FAIL_IF(count_fd(K_READ, fd), -1);			\
		return real_##name(fd, buf, len, off, buflen);		\
	}
PREAD_CHK_WRAPPER(__pread_chk)
PREAD_CHK_WRAPPER(__pread64_chk)

ssize_t
write(int fd, const void *buf, size_t len)
{
	REAL(ssize_t, write, int, const void *, size_t);
	FAIL_IF(count_fd(K_WRITE, fd), -1);
	return real_write(fd, buf, len);
}

#define PWRITE_WRAPPER(name)						\
	ssize_t name(int fd, const void *buf, size_t len, off_t off);	\
	ssize_t name(int fd, const void *buf, size_t len, off_t off)	\
	{								\
		REAL(ssize_t, name, int, const void *, size_t, off_t);	\
		FAIL_IF(count_fd(K_WRITE, fd), -1);			\
		return real_##name(fd, buf, len, off);			\
	}
PWRITE_WRAPPER(pwrite)
PWRITE_WRAPPER(pwrite64)

int
fsync(int fd)
{
	REAL(int, fsync, int);
	FAIL_IF(count_fd(K_FSYNC, fd), -1);
	return real_fsync(fd);
}

int
fdatasync(int fd)
{
	REAL(int, fdatasync, int);
	FAIL_IF(count_fd(K_FSYNC, fd), -1);
	return real_fdatasync(fd);
}

/* A two-path call counts if either path is under a root, and the first
 * exists. */
static int
count_two(enum kind k, int d1, const char *p1, int d2, const char *p2)
{
	char a[4096], b[4096];
	abs_path(d1, p1, a, sizeof(a));
	abs_path(d2, p2, b, sizeof(b));
	if ((under_root(a) || under_root(b)) && !exists(a, 1))
		return 0;
	if (under_root(a))
		return count(k, a, 0);
	return under_root(b) ? count(k, b, 0) : 0;
}

int
rename(const char *from, const char *to)
{
	REAL(int, rename, const char *, const char *);
	FAIL_IF(count_two(K_RENAME, AT_FDCWD, from, AT_FDCWD, to), -1);
	return real_rename(from, to);
}

int
renameat(int fd1, const char *from, int fd2, const char *to)
{
	REAL(int, renameat, int, const char *, int, const char *);
	FAIL_IF(count_two(K_RENAME, fd1, from, fd2, to), -1);
	return real_renameat(fd1, from, fd2, to);
}

int
renameat2(int fd1, const char *from, int fd2, const char *to, unsigned fl)
{
	REAL(int, renameat2, int, const char *, int, const char *, unsigned);
	FAIL_IF(count_two(K_RENAME, fd1, from, fd2, to), -1);
	return real_renameat2(fd1, from, fd2, to, fl);
}

int
link(const char *from, const char *to)
{
	REAL(int, link, const char *, const char *);
	FAIL_IF(count_two(K_LINK, AT_FDCWD, from, AT_FDCWD, to), -1);
	return real_link(from, to);
}

int
linkat(int fd1, const char *from, int fd2, const char *to, int flags)
{
	REAL(int, linkat, int, const char *, int, const char *, int);
	FAIL_IF(count_two(K_LINK, fd1, from, fd2, to), -1);
	return real_linkat(fd1, from, fd2, to, flags);
}

int
unlink(const char *path)
{
	REAL(int, unlink, const char *);
	FAIL_IF(count_path(K_UNLINK, AT_FDCWD, path, 2), -1);
	return real_unlink(path);
}

int
unlinkat(int dirfd, const char *path, int flags)
{
	REAL(int, unlinkat, int, const char *, int);
	FAIL_IF(count_path(K_UNLINK, dirfd, path, 2), -1);
	return real_unlinkat(dirfd, path, flags);
}

pid_t
fork(void)
{
	REAL(pid_t, fork, void);
	FAIL_IF(count(K_FORK, "", 1), -1);
	return real_fork();
}

int
execve(const char *path, char *const argv[], char *const envp[])
{
	REAL(int, execve, const char *, char *const *, char *const *);
	FAIL_IF(count(K_EXECVE, path, 1), -1);
	return real_execve(path, argv, envp);
}
