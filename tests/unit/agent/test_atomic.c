/*
 * test_atomic.c - the atomic writer on a real file system, with each
 * system call of the sequence failed in turn.
 *
 * Linked with -Wl,--wrap=open,--wrap=write,--wrap=fsync,--wrap=link,
 * --wrap=rename,--wrap=close: every call to those in the test and in
 * libpfagent.a lands in the __wrap_ functions below, which pass through to
 * the real call unless a failure is being injected.  Each test asserts the
 * injection was actually reached, so a call that bypasses the wrap (a
 * fortified open, openat) makes the test fail instead of passing vacuously.
 * pfa_atomic_install's TMP is written by the test itself; its open is
 * recognised by name (watch) so that its fsync can be failed too.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "atomic.h"
#include "testutil.h"

/* ------------------------------------------------- system call wraps */

enum step {
	NONE,
	OPEN_TMP,	/* open(O_CREAT) of the temporary file */
	WRITE_TMP,
	FSYNC_TMP,
	CLOSE_TMP,
	LINK,
	RENAME,
	FSYNC_DIR,	/* any fsync after the temporary file was closed */
};

static enum step fail_at;	/* fails once, the first time it is reached */
static int hit;			/* the injected failure was reached */
static int tmp_fd = -1;		/* the temporary file while it is open */
static int n_creat, n_write, n_link, n_rename;
static size_t write_max;	/* > 0: short writes of at most this */
static bool eintr_once;		/* first write of the temp file: EINTR */
static const char *watch;	/* pfa_atomic_install's TMP: its open counts
				 * as the temporary file's */

int __real_open(const char *path, int flags, ...);
ssize_t __real_write(int fd, const void *buf, size_t n);
int __real_fsync(int fd);
int __real_close(int fd);
int __real_link(const char *from, const char *to);
int __real_rename(const char *from, const char *to);

int __wrap_open(const char *path, int flags, ...);
ssize_t __wrap_write(int fd, const void *buf, size_t n);
int __wrap_fsync(int fd);
int __wrap_close(int fd);
int __wrap_link(const char *from, const char *to);
int __wrap_rename(const char *from, const char *to);

static void
reset_wraps(void)
{
	fail_at = NONE;
	hit = 0;
	tmp_fd = -1;
	n_creat = n_write = n_link = n_rename = 0;
	write_max = 0;
	eintr_once = false;
	watch = NULL;
}

int
__wrap_open(const char *path, int flags, ...)
{
	int mode = 0;
	if (flags & O_CREAT) {
		va_list ap;
		va_start(ap, flags);
		mode = va_arg(ap, int);
		va_end(ap);
	}
	bool tmp = (flags & O_CREAT) && strstr(path, PFA_ATOMIC_TMP_TAG);
	if (watch != NULL && strcmp(path, watch) == 0) {
		int fd = __real_open(path, flags, mode);
		tmp_fd = fd;
		return fd;
	}
	if (tmp) {
		n_creat++;
		if (fail_at == OPEN_TMP && !hit) {
			hit++;
			errno = ENOSPC;
			return -1;
		}
	}
	int fd = __real_open(path, flags, mode);
	if (tmp && fd >= 0)
		tmp_fd = fd;
	return fd;
}

ssize_t
__wrap_write(int fd, const void *buf, size_t n)
{
	if (fd == tmp_fd) {
		n_write++;
		if (fail_at == WRITE_TMP && !hit) {
			hit++;
			errno = ENOSPC;
			return -1;
		}
		if (eintr_once) {
			eintr_once = false;
			hit++;
			errno = EINTR;
			return -1;
		}
		if (write_max > 0 && n > write_max)
			n = write_max;
	}
	return __real_write(fd, buf, n);
}

int
__wrap_fsync(int fd)
{
	if (!hit && ((fd == tmp_fd && fail_at == FSYNC_TMP) ||
	    (tmp_fd < 0 && fail_at == FSYNC_DIR))) {
		hit++;
		errno = EIO;
		return -1;
	}
	return __real_fsync(fd);
}

int
__wrap_close(int fd)
{
	if (fd >= 0 && fd == tmp_fd) {
		tmp_fd = -1;
		if (fail_at == CLOSE_TMP && !hit) {
			/* Linux frees the descriptor even when close fails */
			__real_close(fd);
			hit++;
			errno = EIO;
			return -1;
		}
	}
	return __real_close(fd);
}

int
__wrap_link(const char *from, const char *to)
{
	n_link++;
	if (fail_at == LINK && !hit) {
		hit++;
		errno = EMLINK;
		return -1;
	}
	return __real_link(from, to);
}

int
__wrap_rename(const char *from, const char *to)
{
	n_rename++;
	if (fail_at == RENAME && !hit) {
		hit++;
		errno = EIO;
		return -1;
	}
	return __real_rename(from, to);
}

/* ---------------------------------------------------------- helpers */

struct fixture {
	char dir[64];
	char path[128];		/* dir/main.cf */
	char kept[160];		/* dir/main.cf.pfagent-prev */
};


static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	if (f == NULL)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/test_atomic.XXXXXX");
	if (mkdtemp(f->dir) == NULL) {
		free(f);
		return -1;
	}
	snprintf(f->path, sizeof(f->path), "%s/main.cf", f->dir);
	snprintf(f->kept, sizeof(f->kept), "%s%s", f->path,
	    PFA_ATOMIC_KEPT_SUFFIX);
	reset_wraps();
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	reset_wraps();
	pfa_test_rm_rf(f->dir);
	free(f);
	return 0;
}

/* Through stdio, so the wraps do not see it. */
static void
put_file(const char *path, const char *text, mode_t mode)
{
	FILE *fp = fopen(path, "w");
	assert_non_null(fp);
	assert_int_equal(fputs(text, fp) >= 0, 1);
	assert_int_equal(fclose(fp), 0);
	assert_int_equal(chmod(path, mode), 0);
}

static char *
get_file(const char *path)
{
	FILE *fp = fopen(path, "r");
	if (fp == NULL)
		return NULL;
	static char buf[256 * 1024];
	size_t n = fread(buf, 1, sizeof(buf) - 1, fp);
	fclose(fp);
	buf[n] = '\0';
	return buf;
}

static bool
exists(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0;
}

/* Entries of DIR whose name starts with ".main.cf.pfagent.". */
static int
count_tmp(const struct fixture *f)
{
	DIR *d = opendir(f->dir);
	assert_non_null(d);
	int n = 0;
	struct dirent *de;
	while ((de = readdir(d)) != NULL)
		if (strncmp(de->d_name, ".main.cf" PFA_ATOMIC_TMP_TAG,
		    strlen(".main.cf" PFA_ATOMIC_TMP_TAG)) == 0)
			n++;
	closedir(d);
	return n;
}

static int
count_fds(void)
{
	int n = 0;
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	while (d != NULL && (de = readdir(d)) != NULL)
		n += de->d_name[0] != '.';
	if (d != NULL)
		closedir(d);
	return n;
}

static const struct pfa_atomic_opts keep_opts = { .new_mode = 0600,
	.keep = true };

/* ------------------------------------------------------------ tests */

static void
test_replace_keeps_mode_owner(void **state)
{
	struct fixture *f = *state;
	uid_t uid = geteuid() == 0 ? 1 : getuid();
	gid_t gid = geteuid() == 0 ? 1 : getgid();
	struct stat before, after, ks;
	char *kept = NULL;

	put_file(f->path, "old\n", 0640);
	assert_int_equal(chown(f->path, uid, gid), 0);
	assert_int_equal(stat(f->path, &before), 0);

	assert_int_equal(pfa_atomic_write(f->path, "new\n", 4, &keep_opts,
	    &kept), 1);
	assert_string_equal(get_file(f->path), "new\n");
	assert_int_equal(stat(f->path, &after), 0);
	assert_int_equal(after.st_mode & 07777, 0640);
	assert_int_equal(after.st_uid, uid);
	assert_int_equal(after.st_gid, gid);
	assert_true(after.st_ino != before.st_ino);

	/* The kept version is the old inode itself, not a copy. */
	assert_non_null(kept);
	assert_string_equal(kept, f->kept);
	assert_string_equal(get_file(kept), "old\n");
	assert_int_equal(stat(kept, &ks), 0);
	assert_int_equal(ks.st_ino, before.st_ino);
	assert_int_equal(ks.st_nlink, 1);
	assert_int_equal(count_tmp(f), 0);
	assert_int_equal(n_creat, 1);
	free(kept);
}

static void
test_second_replace_rotates_kept(void **state)
{
	struct fixture *f = *state;
	char *kept = NULL;
	put_file(f->path, "v1\n", 0644);
	assert_int_equal(pfa_atomic_write(f->path, "v2\n", 3, &keep_opts,
	    &kept), 1);
	free(kept);
	assert_int_equal(pfa_atomic_write(f->path, "v3\n", 3, &keep_opts,
	    &kept), 1);
	assert_string_equal(get_file(f->path), "v3\n");
	assert_string_equal(get_file(kept), "v2\n");
	assert_int_equal(count_tmp(f), 0);
	free(kept);
}

static void
test_replace_without_keep(void **state)
{
	struct fixture *f = *state;
	struct pfa_atomic_opts o = { .new_mode = 0600, .keep = false };
	char *kept = (char *)"garbage";
	put_file(f->path, "old\n", 0644);
	assert_int_equal(pfa_atomic_write(f->path, "new\n", 4, &o, &kept), 1);
	assert_null(kept);
	assert_string_equal(get_file(f->path), "new\n");
	assert_false(exists(f->kept));
	assert_int_equal(count_tmp(f), 0);
}

static void
test_identical_is_no_change(void **state)
{
	struct fixture *f = *state;
	struct stat before, after;
	char *kept = (char *)"garbage";
	put_file(f->path, "same\n", 0644);
	/* an old mtime, so that any rewrite would show */
	struct timespec old[2] = { { 1000000000, 0 }, { 1000000000, 0 } };
	assert_int_equal(utimensat(AT_FDCWD, f->path, old, 0), 0);
	assert_int_equal(stat(f->path, &before), 0);

	assert_int_equal(pfa_atomic_write(f->path, "same\n", 5, &keep_opts,
	    &kept), 0);
	assert_null(kept);
	assert_int_equal(stat(f->path, &after), 0);
	assert_int_equal(after.st_ino, before.st_ino);
	assert_int_equal(after.st_mtim.tv_sec, before.st_mtim.tv_sec);
	assert_int_equal(after.st_mtim.tv_nsec, before.st_mtim.tv_nsec);
	assert_int_equal(n_creat, 0);
	assert_int_equal(n_write, 0);
	assert_int_equal(n_link, 0);
	assert_int_equal(n_rename, 0);
	assert_false(exists(f->kept));
	assert_int_equal(count_tmp(f), 0);

	/* Same length, one byte different: a change. */
	assert_int_equal(pfa_atomic_write(f->path, "samE\n", 5, &keep_opts,
	    &kept), 1);
	assert_string_equal(get_file(f->path), "samE\n");
	free(kept);
}

static void
test_new_file(void **state)
{
	struct fixture *f = *state;
	struct pfa_atomic_opts o = { .new_mode = 0644, .keep = true };
	struct stat st;
	char *kept = (char *)"garbage";
	mode_t old_umask = umask(077);	/* new_mode wins over the umask */
	int rc = pfa_atomic_write(f->path, "hello\n", 6, &o, &kept);
	umask(old_umask);
	assert_int_equal(rc, 1);
	assert_null(kept);
	assert_string_equal(get_file(f->path), "hello\n");
	assert_int_equal(stat(f->path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_uid, geteuid());
	assert_int_equal(st.st_gid, getegid());
	assert_false(exists(f->kept));
	assert_int_equal(count_tmp(f), 0);
}

static void
test_empty_content(void **state)
{
	struct fixture *f = *state;
	struct stat st;
	char *kept = NULL;
	put_file(f->path, "something\n", 0644);
	assert_int_equal(pfa_atomic_write(f->path, NULL, 0, &keep_opts,
	    &kept), 1);
	assert_int_equal(stat(f->path, &st), 0);
	assert_int_equal(st.st_size, 0);
	assert_string_equal(get_file(kept), "something\n");
	free(kept);
}

static void
test_symlink_refused(void **state)
{
	struct fixture *f = *state;
	char real[160];
	struct stat st;
	char *kept = (char *)"garbage";
	snprintf(real, sizeof(real), "%s/real", f->dir);
	put_file(real, "real\n", 0644);
	assert_int_equal(symlink(real, f->path), 0);

	errno = 0;
	assert_int_equal(pfa_atomic_write(f->path, "evil\n", 5, &keep_opts,
	    &kept), -1);
	assert_int_equal(errno, ELOOP);
	assert_null(kept);
	assert_int_equal(lstat(f->path, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	assert_string_equal(get_file(real), "real\n");
	assert_false(exists(f->kept));
	assert_int_equal(count_tmp(f), 0);
	assert_int_equal(n_creat, 0);
}

static void
test_directory_refused(void **state)
{
	struct fixture *f = *state;
	struct stat st;
	char *kept = NULL;
	assert_int_equal(mkdir(f->path, 0755), 0);
	assert_int_equal(pfa_atomic_write(f->path, "x", 1, &keep_opts, &kept),
	    -1);
	assert_int_equal(lstat(f->path, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(n_creat, 0);
	assert_null(kept);
}

static void
test_leftovers_removed(void **state)
{
	struct fixture *f = *state;
	char p[4][200];
	char *kept = NULL;
	put_file(f->path, "old\n", 0644);
	/* ours, from an interrupted run */
	snprintf(p[0], sizeof(p[0]), "%s/.main.cf.pfagent.ABCDEF", f->dir);
	/* not ours: wrong length, another file's, not a regular file */
	snprintf(p[1], sizeof(p[1]), "%s/.main.cf.pfagent.ABCDEFG", f->dir);
	snprintf(p[2], sizeof(p[2]), "%s/.other.cf.pfagent.ABCDEF", f->dir);
	snprintf(p[3], sizeof(p[3]), "%s/.main.cf.pfagent.XYZXYZ", f->dir);
	put_file(p[0], "half a fi", 0600);
	put_file(p[1], "keep\n", 0600);
	put_file(p[2], "keep\n", 0600);
	assert_int_equal(mkdir(p[3], 0700), 0);

	assert_int_equal(pfa_atomic_write(f->path, "new\n", 4, &keep_opts,
	    &kept), 1);
	assert_false(exists(p[0]));
	assert_true(exists(p[1]));
	assert_true(exists(p[2]));
	assert_true(exists(p[3]));
	assert_string_equal(get_file(f->path), "new\n");
	free(kept);
}

static void
test_short_writes(void **state)
{
	struct fixture *f = *state;
	size_t len = 100000;
	char *data = malloc(len + 1);
	char *kept = NULL;
	assert_non_null(data);
	for (size_t i = 0; i < len; i++)
		data[i] = (char)('A' + i % 26);
	data[len] = '\0';
	write_max = 7;
	eintr_once = true;
	assert_int_equal(pfa_atomic_write(f->path, data, len, &keep_opts,
	    &kept), 1);
	assert_int_equal(hit, 1);		/* the EINTR happened */
	assert_true(n_write > (int)(len / 7));	/* and the short writes */
	assert_string_equal(get_file(f->path), data);
	free(data);
}

/* The step STEP fails: -1, the original file (content, inode, mode) as it
 * was, no temporary file and no kept file made by this call. */
static void
check_failure(struct fixture *f, enum step step, bool keep)
{
	struct pfa_atomic_opts o = { .new_mode = 0600, .keep = keep };
	struct stat before, after;
	char *kept = (char *)"garbage";
	put_file(f->path, "original\n", 0640);
	assert_int_equal(stat(f->path, &before), 0);
	int fds = count_fds();

	fail_at = step;
	errno = 0;
	assert_int_equal(pfa_atomic_write(f->path, "replacement\n", 12, &o,
	    &kept), -1);
	assert_int_not_equal(errno, 0);
	assert_int_equal(hit, 1);	/* the failure was really injected */
	fail_at = NONE;

	assert_null(kept);
	assert_string_equal(get_file(f->path), "original\n");
	assert_int_equal(stat(f->path, &after), 0);
	assert_int_equal(after.st_ino, before.st_ino);
	assert_int_equal(after.st_mode & 07777, 0640);
	assert_int_equal(count_tmp(f), 0);
	assert_false(exists(f->kept));
	assert_int_equal(count_fds(), fds);

	/* and the next attempt works */
	assert_int_equal(pfa_atomic_write(f->path, "replacement\n", 12, &o,
	    &kept), 1);
	assert_string_equal(get_file(f->path), "replacement\n");
	assert_int_equal(count_tmp(f), 0);
	free(kept);
}

/* Same for a file that did not exist: it still does not. */
static void
check_failure_new(struct fixture *f, enum step step)
{
	char *kept = (char *)"garbage";
	fail_at = step;
	assert_int_equal(pfa_atomic_write(f->path, "x\n", 2, &keep_opts,
	    &kept), -1);
	assert_int_equal(hit, 1);
	fail_at = NONE;
	assert_null(kept);
	assert_false(exists(f->path));
	assert_false(exists(f->kept));
	assert_int_equal(count_tmp(f), 0);
}

static void
test_fail_open(void **state)
{
	check_failure(*state, OPEN_TMP, true);
}

static void
test_fail_write(void **state)
{
	check_failure(*state, WRITE_TMP, true);
}

static void
test_fail_fsync(void **state)
{
	check_failure(*state, FSYNC_TMP, true);
}

static void
test_fail_close(void **state)
{
	check_failure(*state, CLOSE_TMP, true);
}

static void
test_fail_link(void **state)
{
	check_failure(*state, LINK, true);
}

static void
test_fail_rename(void **state)
{
	check_failure(*state, RENAME, true);
}

static void
test_fail_fsync_dir(void **state)
{
	/* after the rename: the old version is put back */
	check_failure(*state, FSYNC_DIR, true);
}

static void
test_fail_fsync_dir_no_keep(void **state)
{
	check_failure(*state, FSYNC_DIR, false);
}

static void
test_fail_rename_no_keep(void **state)
{
	check_failure(*state, RENAME, false);
}

static void
test_fail_new_file(void **state)
{
	struct fixture *f = *state;
	check_failure_new(f, OPEN_TMP);
	reset_wraps();
	check_failure_new(f, WRITE_TMP);
	reset_wraps();
	check_failure_new(f, FSYNC_TMP);
	reset_wraps();
	check_failure_new(f, CLOSE_TMP);
	reset_wraps();
	check_failure_new(f, RENAME);
	reset_wraps();
	check_failure_new(f, FSYNC_DIR);
}

static void
test_restore_kept(void **state)
{
	struct fixture *f = *state;
	char *kept = NULL;
	put_file(f->path, "old\n", 0644);
	assert_int_equal(pfa_atomic_write(f->path, "new\n", 4, &keep_opts,
	    &kept), 1);
	assert_int_equal(pfa_atomic_restore(f->path, kept), 0);
	assert_string_equal(get_file(f->path), "old\n");
	assert_false(exists(kept));
	free(kept);
}

static void
test_restore_new(void **state)
{
	struct fixture *f = *state;
	char *kept = (char *)"garbage";
	assert_int_equal(pfa_atomic_write(f->path, "new\n", 4, &keep_opts,
	    &kept), 1);
	assert_null(kept);
	assert_int_equal(pfa_atomic_restore(f->path, NULL), 0);
	assert_false(exists(f->path));
}

static void
test_restore_fails(void **state)
{
	struct fixture *f = *state;
	put_file(f->path, "current\n", 0644);
	errno = 0;
	assert_int_equal(pfa_atomic_restore(f->path, f->kept), -1);
	assert_int_equal(errno, ENOENT);
	assert_string_equal(get_file(f->path), "current\n");
}

static void
test_relative_path(void **state)
{
	struct fixture *f = *state;
	char cwd[4096];
	char *kept = NULL;
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(f->dir), 0);
	put_file("main.cf", "old\n", 0644);
	int rc = pfa_atomic_write("main.cf", "new\n", 4, &keep_opts, &kept);
	char *content = get_file("main.cf");
	assert_int_equal(chdir(cwd), 0);
	assert_int_equal(rc, 1);
	assert_string_equal(content, "new\n");
	assert_string_equal(kept, "main.cf" PFA_ATOMIC_KEPT_SUFFIX);
	assert_int_equal(count_tmp(f), 0);
	free(kept);
}

/* ------------------------------------------------ pfa_atomic_install */

/* A file written beside the target the way postmap writes one. */
static void
put_built(struct fixture *f, char *tmp, size_t size, const char *text,
    mode_t mode)
{
	snprintf(tmp, size, "%s/.main.cf.build.AbC123", f->dir);
	put_file(tmp, text, mode);
}

static void
test_install_replaces_and_keeps(void **state)
{
	struct fixture *f = *state;
	char tmp[200];
	struct stat before, after, ks, ts;
	char *kept = NULL;
	put_file(f->path, "old\n", 0644);
	assert_int_equal(stat(f->path, &before), 0);
	put_built(f, tmp, sizeof(tmp), "new\n", 0600);
	assert_int_equal(stat(tmp, &ts), 0);
	watch = tmp;

	assert_int_equal(pfa_atomic_install(tmp, f->path, true, &kept), 1);
	assert_string_equal(get_file(f->path), "new\n");
	assert_false(exists(tmp));
	assert_int_equal(stat(f->path, &after), 0);
	assert_int_equal(after.st_ino, ts.st_ino);	/* TMP itself */
	assert_int_equal(after.st_mode & 07777, 0600);	/* TMP's own mode */
	assert_non_null(kept);
	assert_string_equal(kept, f->kept);
	assert_int_equal(stat(kept, &ks), 0);
	assert_int_equal(ks.st_ino, before.st_ino);
	assert_string_equal(get_file(kept), "old\n");
	assert_int_equal(n_rename, 1);
	assert_int_equal(count_tmp(f), 0);
	free(kept);
}

static void
test_install_new_and_no_keep(void **state)
{
	struct fixture *f = *state;
	char tmp[200];
	char *kept = (char *)"garbage";
	put_built(f, tmp, sizeof(tmp), "first\n", 0644);
	assert_int_equal(pfa_atomic_install(tmp, f->path, true, &kept), 1);
	assert_null(kept);
	assert_string_equal(get_file(f->path), "first\n");
	assert_false(exists(f->kept));

	put_built(f, tmp, sizeof(tmp), "second\n", 0644);
	kept = (char *)"garbage";
	assert_int_equal(pfa_atomic_install(tmp, f->path, false, &kept), 1);
	assert_null(kept);
	assert_string_equal(get_file(f->path), "second\n");
	assert_false(exists(f->kept));
	assert_false(exists(tmp));
	assert_int_equal(count_tmp(f), 0);	/* the hidden link is gone */
}

static void
test_install_refuses(void **state)
{
	struct fixture *f = *state;
	char tmp[200], other[200], real[200];
	char *kept = (char *)"garbage";
	put_file(f->path, "live\n", 0644);

	/* TMP a symlink: refused, the link removed, its target untouched */
	snprintf(real, sizeof(real), "%s/real", f->dir);
	put_file(real, "real\n", 0644);
	snprintf(tmp, sizeof(tmp), "%s/.main.cf.build.AbC123", f->dir);
	assert_int_equal(symlink(real, tmp), 0);
	assert_int_equal(pfa_atomic_install(tmp, f->path, true, &kept), -1);
	assert_null(kept);
	assert_false(exists(tmp));
	assert_string_equal(get_file(real), "real\n");

	/* TMP in another directory */
	snprintf(other, sizeof(other), "%s/sub", f->dir);
	assert_int_equal(mkdir(other, 0700), 0);
	snprintf(tmp, sizeof(tmp), "%s/sub/main.cf.new", f->dir);
	put_file(tmp, "new\n", 0644);
	assert_int_equal(pfa_atomic_install(tmp, f->path, true, &kept), -1);
	assert_false(exists(tmp));

	/* TMP missing */
	snprintf(tmp, sizeof(tmp), "%s/.main.cf.build.nope", f->dir);
	assert_int_equal(pfa_atomic_install(tmp, f->path, true, &kept), -1);

	/* PATH a symlink */
	put_built(f, tmp, sizeof(tmp), "new\n", 0644);
	assert_int_equal(unlink(f->path), 0);
	assert_int_equal(symlink(real, f->path), 0);
	errno = 0;
	assert_int_equal(pfa_atomic_install(tmp, f->path, true, &kept), -1);
	assert_int_equal(errno, ELOOP);
	assert_false(exists(tmp));
	assert_string_equal(get_file(real), "real\n");
	assert_false(exists(f->kept));
	assert_int_equal(n_rename, 0);
	assert_int_equal(n_link, 0);
}

/* STEP fails: -1, PATH as it was, TMP gone, no kept link left. */
static void
check_install_failure(struct fixture *f, enum step step, bool keep)
{
	char tmp[200];
	struct stat before, after;
	char *kept = (char *)"garbage";
	put_file(f->path, "original\n", 0640);
	assert_int_equal(stat(f->path, &before), 0);
	put_built(f, tmp, sizeof(tmp), "built\n", 0640);
	watch = tmp;
	int fds = count_fds();

	fail_at = step;
	errno = 0;
	assert_int_equal(pfa_atomic_install(tmp, f->path, keep, &kept), -1);
	assert_int_not_equal(errno, 0);
	assert_int_equal(hit, 1);
	fail_at = NONE;

	assert_null(kept);
	assert_false(exists(tmp));
	assert_string_equal(get_file(f->path), "original\n");
	assert_int_equal(stat(f->path, &after), 0);
	assert_int_equal(after.st_ino, before.st_ino);
	assert_false(exists(f->kept));
	assert_int_equal(count_tmp(f), 0);
	assert_int_equal(count_fds(), fds);

	/* and the next attempt works */
	put_built(f, tmp, sizeof(tmp), "built\n", 0640);
	assert_int_equal(pfa_atomic_install(tmp, f->path, keep, &kept), 1);
	assert_string_equal(get_file(f->path), "built\n");
	assert_false(exists(tmp));
	free(kept);
}

static void
test_install_fail_fsync(void **state)
{
	check_install_failure(*state, FSYNC_TMP, true);
}

static void
test_install_fail_link(void **state)
{
	check_install_failure(*state, LINK, true);
}

static void
test_install_fail_rename(void **state)
{
	check_install_failure(*state, RENAME, true);
}

static void
test_install_fail_rename_no_keep(void **state)
{
	check_install_failure(*state, RENAME, false);
}

static void
test_install_fail_fsync_dir(void **state)
{
	check_install_failure(*state, FSYNC_DIR, true);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_replace_keeps_mode_owner),
		T(test_second_replace_rotates_kept),
		T(test_replace_without_keep),
		T(test_identical_is_no_change),
		T(test_new_file),
		T(test_empty_content),
		T(test_symlink_refused),
		T(test_directory_refused),
		T(test_leftovers_removed),
		T(test_short_writes),
		T(test_fail_open),
		T(test_fail_write),
		T(test_fail_fsync),
		T(test_fail_close),
		T(test_fail_link),
		T(test_fail_rename),
		T(test_fail_fsync_dir),
		T(test_fail_fsync_dir_no_keep),
		T(test_fail_rename_no_keep),
		T(test_fail_new_file),
		T(test_restore_kept),
		T(test_restore_new),
		T(test_restore_fails),
		T(test_relative_path),
		T(test_install_replaces_and_keeps),
		T(test_install_new_and_no_keep),
		T(test_install_refuses),
		T(test_install_fail_fsync),
		T(test_install_fail_link),
		T(test_install_fail_rename),
		T(test_install_fail_rename_no_keep),
		T(test_install_fail_fsync_dir),
#undef T
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
