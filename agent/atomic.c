/*
 * atomic.c - puts files into place: temporary file, fsync, keep, rename,
 * fsync the directory.
 *
 * The only module that renames a file over another: pfa_atomic_write for
 * content it is given, pfa_atomic_install for a file the caller wrote
 * beside the target (a database postmap built); both end in the same
 * keep/rename/fsync-the-directory tail.  It never writes a
 * target in place, never follows a symlink at the target, never uses a
 * fixed temporary name and never leaves a temporary file behind when it
 * fails.  The system calls of the sequence are called by their plain names
 * (open, write, fsync, close, link, rename) so that the unit test can fail
 * each one with -Wl,--wrap.
 *
 * Errors are logged here once, as event=write-failed file=... step=...,
 * and returned as -1 with the target as it was.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "atomic.h"
#include "log.h"

#define RAND_LEN 6
#define TMP_TRIES 100

/* PATH split once: "dir/" (may be "") and "name". */
struct target {
	const char *path;
	char *dir;		/* for open(O_DIRECTORY): "." if none */
	size_t dirlen;		/* bytes of PATH before NAME */
	const char *name;
	char *tmp_prefix;	/* "dir/.name.pfagent." */
};

static int
failed(const char *path, const char *step)
{
	return pfa_log_path_failed("write-failed", path, step);
}

static int
split(const char *path, struct target *t)
{
	memset(t, 0, sizeof(*t));
	t->path = path;
	const char *slash = strrchr(path, '/');
	t->name = slash ? slash + 1 : path;
	t->dirlen = (size_t)(t->name - path);
	if (*t->name == '\0' || strcmp(t->name, ".") == 0 ||
	    strcmp(t->name, "..") == 0) {
		errno = EINVAL;
		return -1;
	}
	if (t->dirlen == 0)
		t->dir = pfa_xstrdup(".");
	else if (t->dirlen == 1)
		t->dir = pfa_xstrdup("/");
	else
		t->dir = pfa_xasprintf("%.*s", (int)t->dirlen - 1, path);
	t->tmp_prefix = pfa_xasprintf("%.*s.%s%s", (int)t->dirlen, path,
	    t->name, PFA_ATOMIC_TMP_TAG);
	return 0;
}

static void
target_free(struct target *t)
{
	free(t->dir);
	free(t->tmp_prefix);
}

static int
fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (fsync(fd) < 0) {
		int saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	close(fd);		/* read-only: nothing to lose */
	return 0;
}

static bool
is_tmp_name(const char *name, const char *prefix, size_t plen)
{
	if (strncmp(name, prefix, plen) != 0 || strlen(name) != plen + RAND_LEN)
		return false;
	for (size_t i = plen; i < plen + RAND_LEN; i++)
		if (!isalnum((unsigned char)name[i]))
			return false;
	return true;
}

/* Temporary files of this target from an interrupted run (regular files
 * only; the caller holds the run lock, so none is in use), except the one
 * named EXCEPT (may be NULL). */
static void
remove_leftovers(const struct target *t, const char *except)
{
	const char *prefix = t->tmp_prefix + t->dirlen;	/* ".name.pfagent." */
	size_t plen = strlen(prefix);
	char q[1024];
	DIR *d = opendir(t->dir);
	if (d == NULL) {
		pfa_log_errno(LOG_WARNING, "event=leftover-scan-failed dir=%s",
		    pfa_log_quote(q, sizeof(q), t->dir));
		return;
	}
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		struct stat st;
		if (!is_tmp_name(de->d_name, prefix, plen) ||
		    (except != NULL && strcmp(de->d_name, except) == 0))
			continue;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISREG(st.st_mode))
			continue;
		char *p = pfa_xasprintf("%.*s%s", (int)t->dirlen, t->path,
		    de->d_name);
		pfa_log_quote(q, sizeof(q), p);
		if (unlinkat(dirfd(d), de->d_name, 0) == 0)
			pfa_log(LOG_NOTICE, "event=removed-leftover file=%s", q);
		else
			pfa_log_errno(LOG_WARNING,
			    "event=remove-leftover-failed file=%s", q);
		free(p);
	}
	closedir(d);
}

/* 1: FD's content is exactly DATA; 0: it differs; -1: read error. */
static int
same_content(int fd, off_t size, const void *data, size_t len)
{
	if (size < 0 || (uintmax_t)size != (uintmax_t)len)
		return 0;
	char buf[16384];
	size_t off = 0;
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			return off == len;
		if ((size_t)n > len - off ||
		    memcmp(buf, (const char *)data + off, (size_t)n) != 0)
			return 0;
		off += (size_t)n;
	}
}

static void
random_suffix(char out[RAND_LEN + 1])
{
	static const char set[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
	static unsigned long counter;
	unsigned char r[RAND_LEN];
	if (getrandom(r, sizeof(r), GRND_NONBLOCK) != (ssize_t)sizeof(r)) {
		/* no entropy yet (early boot): unique enough with O_EXCL */
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		unsigned long x = (unsigned long)ts.tv_nsec ^
		    ((unsigned long)getpid() << 16) ^ ++counter * 2654435761UL;
		for (size_t i = 0; i < RAND_LEN; i++, x = x * 6364136223846793005UL + 1)
			r[i] = (unsigned char)(x >> 33);
	}
	for (size_t i = 0; i < RAND_LEN; i++)
		out[i] = set[r[i] % (sizeof(set) - 1)];
	out[RAND_LEN] = '\0';
}

/* Creates "dir/.name.pfagent.XXXXXX"; *tmp is set (free it). */
static int
create_tmp(const struct target *t, char **tmp)
{
	for (int i = 0; i < TMP_TRIES; i++) {
		char rnd[RAND_LEN + 1];
		random_suffix(rnd);
		*tmp = pfa_xasprintf("%s%s", t->tmp_prefix, rnd);
		int fd = open(*tmp,
		    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd >= 0)
			return fd;
		int saved = errno;
		free(*tmp);
		*tmp = NULL;
		errno = saved;
		if (errno != EEXIST && errno != EINTR)
			return -1;
	}
	errno = EEXIST;
	return -1;
}

static int
write_all(int fd, const void *data, size_t len)
{
	const char *p = data;
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0) {
			errno = EIO;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Writes DATA to a new temporary file with OWNER/MODE; *tmp set on 0. */
static int
write_tmp(const struct target *t, const void *data, size_t len, uid_t uid,
    gid_t gid, mode_t mode, char **tmp)
{
	const char *step = "open";
	int fd = create_tmp(t, tmp);
	if (fd < 0)
		return failed(t->path, step);
	if (fchown(fd, uid, gid) < 0)
		step = "chown";
	else if (fchmod(fd, mode) < 0)
		step = "chmod";
	else if (write_all(fd, data, len) < 0)
		step = "write";
	else if (fsync(fd) < 0)
		step = "fsync";
	else
		step = NULL;
	int saved = errno;
	if (close(fd) < 0 && step == NULL) {
		saved = errno;
		step = "close";
	}
	if (step == NULL)
		return 0;
	unlink(*tmp);
	free(*tmp);
	*tmp = NULL;
	errno = saved;
	return failed(t->path, step);
}

/*
 * A hard link to the current PATH: the kept version (KEEP), or a hidden
 * one to undo the rename if the directory fsync fails.
 */
static char *
link_old(const struct target *t, bool keep)
{
	char *old;
	if (keep) {
		old = pfa_xasprintf("%s%s", t->path, PFA_ATOMIC_KEPT_SUFFIX);
		if (unlink(old) < 0 && errno != ENOENT) {
			failed(old, "unlink-kept");
			free(old);
			return NULL;
		}
		if (link(t->path, old) == 0)
			return old;
		free(old);
		failed(t->path, "link");
		return NULL;
	}
	for (int i = 0; i < TMP_TRIES; i++) {
		char rnd[RAND_LEN + 1];
		random_suffix(rnd);
		old = pfa_xasprintf("%s%s", t->tmp_prefix, rnd);
		if (link(t->path, old) == 0)
			return old;
		int saved = errno;
		free(old);
		errno = saved;
		if (errno != EEXIST)
			break;
	}
	failed(t->path, "link");
	return NULL;
}

/*
 * 1: a regular file is at T's path (*st filled); 0: nothing is; -1: a
 * symlink or something else is there, or lstat failed (logged).
 */
static int
check_target(const struct target *t, struct stat *st)
{
	char q[1024];
	if (lstat(t->path, st) < 0) {
		if (errno == ENOENT)
			return 0;
		return failed(t->path, "lstat");
	}
	if (S_ISREG(st->st_mode))
		return 1;
	pfa_log(LOG_ERR, "event=write-refused file=%s reason=%s",
	    pfa_log_quote(q, sizeof(q), t->path),
	    S_ISLNK(st->st_mode) ? "symlink" : "not-a-regular-file");
	errno = S_ISLNK(st->st_mode) ? ELOOP : EINVAL;
	return -1;
}

/*
 * The tail both entry points share: TMP (complete, fsynced, in T's
 * directory) is renamed over T's path, the previous version is kept as a
 * hard link (KEEP) or only held until the directory is fsynced, then the
 * directory is fsynced.  1 (*kept set if KEPT), or -1 (logged) with TMP
 * removed, the target as it was and no link made by this call left.
 */
static int
put_in_place(const struct target *t, const char *tmp, bool exists,
    bool keep, char **kept)
{
	char *old = NULL;
	char q[1024];
	if (exists && (old = link_old(t, keep)) == NULL)
		goto fail;
	if (rename(tmp, t->path) < 0) {
		failed(t->path, "rename");
		goto fail;
	}
	if (fsync_dir(t->dir) < 0) {
		/* Not durable: put the old version back so that the caller's
		 * -1 means what it says. */
		failed(t->path, "fsync-dir");
		int saved = errno;
		if (exists ? rename(old, t->path) < 0 : unlink(t->path) < 0) {
			char qk[1024];
			pfa_log_errno(LOG_CRIT,
			    "event=rollback-failed file=%s kept=%s",
			    pfa_log_quote(q, sizeof(q), t->path),
			    pfa_log_quote(qk, sizeof(qk), old ? old : ""));
		} else {
			fsync_dir(t->dir);
		}
		free(old);	/* renamed back, or the only old copy: keep it */
		errno = saved;
		return -1;
	}
	if (!keep && old != NULL) {
		unlink(old);
		free(old);
		old = NULL;
	}
	if (kept != NULL)
		*kept = old;
	else
		free(old);
	return 1;
fail:;
	int saved = errno;
	unlink(tmp);
	if (old != NULL)
		unlink(old);	/* made by this call, the rename failed */
	free(old);
	errno = saved;
	return -1;
}

int
pfa_atomic_write(const char *path, const void *data, size_t len,
    const struct pfa_atomic_opts *opts, char **kept)
{
	struct pfa_atomic_opts o = { .new_mode = 0600, .keep = false };
	struct target t;
	struct stat st;
	char *tmp = NULL;
	int rc = -1, fd = -1;

	if (opts != NULL)
		o = *opts;
	if (kept != NULL)
		*kept = NULL;
	if (data == NULL)
		data = "";
	if (split(path, &t) < 0)
		return failed(path, "path");

	int exists = check_target(&t, &st);
	if (exists < 0)
		goto out;
	remove_leftovers(&t, NULL);

	uid_t uid = geteuid();
	gid_t gid = getegid();
	mode_t mode = o.new_mode & 07777;
	if (exists) {
		fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0);
		if (fd < 0 || fstat(fd, &st) < 0) {
			failed(path, "open-target");
			goto out;
		}
		if (!S_ISREG(st.st_mode)) {	/* swapped since lstat */
			errno = EINVAL;
			failed(path, "open-target");
			goto out;
		}
		int same = same_content(fd, st.st_size, data, len);
		if (same < 0) {
			failed(path, "read-target");
			goto out;
		}
		if (same) {
			rc = 0;
			goto out;
		}
		close(fd);	/* read-only */
		fd = -1;
		uid = st.st_uid;
		gid = st.st_gid;
		mode = st.st_mode & 07777;
	}

	if (write_tmp(&t, data, len, uid, gid, mode, &tmp) < 0)
		goto out;
	rc = put_in_place(&t, tmp, exists, o.keep, kept);
	free(tmp);
out:;
	int saved = errno;
	if (fd >= 0)
		close(fd);
	target_free(&t);
	errno = saved;
	return rc;
}

/* Opens TMP (a regular file, not a symlink) and fsyncs it. 0 or -1
 * (logged under PATH). */
static int
fsync_tmp(const char *path, const char *tmp)
{
	struct stat st;
	char q[1024], qt[1024];
	if (lstat(tmp, &st) < 0)
		return failed(path, "lstat-tmp");
	int fd = -1;
	if (S_ISREG(st.st_mode))
		fd = open(tmp, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC |
		    O_NOCTTY, 0);
	else
		errno = S_ISLNK(st.st_mode) ? ELOOP : EINVAL;
	if (fd < 0) {
		int saved = errno;
		pfa_log_quote(q, sizeof(q), path);
		pfa_log_quote(qt, sizeof(qt), tmp);
		errno = saved;
		pfa_log_errno(LOG_ERR, "event=write-refused file=%s tmp=%s "
		    "reason=tmp-not-a-regular-file", q, qt);
		return -1;
	}
	const char *step = NULL;
	struct stat fst;
	if (fstat(fd, &fst) < 0) {
		step = "fstat-tmp";
	} else if (fst.st_ino != st.st_ino || fst.st_dev != st.st_dev) {
		errno = EINVAL;		/* swapped since lstat */
		step = "open-tmp";
	} else if (fsync(fd) < 0) {
		step = "fsync";
	}
	int saved = errno;
	close(fd);		/* read-only: fsync said all there is */
	errno = saved;
	return step == NULL ? 0 : failed(path, step);
}

int
pfa_atomic_install(const char *tmp, const char *path, bool keep,
    char **kept)
{
	struct target t;
	struct stat st;
	char q[1024], qt[1024];
	int rc = -1;

	if (kept != NULL)
		*kept = NULL;
	if (split(path, &t) < 0) {
		failed(path, "path");
		goto fail;
	}
	const char *slash = strrchr(tmp, '/');
	const char *tmp_name = slash ? slash + 1 : tmp;
	if ((size_t)(tmp_name - tmp) != t.dirlen ||
	    strncmp(tmp, path, t.dirlen) != 0 || *tmp_name == '\0' ||
	    strcmp(tmp_name, t.name) == 0) {
		pfa_log(LOG_ERR, "event=write-refused file=%s tmp=%s "
		    "reason=tmp-not-beside-target",
		    pfa_log_quote(q, sizeof(q), path),
		    pfa_log_quote(qt, sizeof(qt), tmp));
		errno = EINVAL;
		goto fail;
	}
	if (fsync_tmp(path, tmp) < 0)
		goto fail;
	int exists = check_target(&t, &st);
	if (exists < 0)
		goto fail;
	remove_leftovers(&t, tmp_name);
	rc = put_in_place(&t, tmp, exists, keep, kept);
	target_free(&t);
	return rc;
fail:;
	int saved = errno;
	if (strcmp(tmp, path) != 0)
		unlink(tmp);
	target_free(&t);
	errno = saved;
	return -1;
}

int
pfa_atomic_restore(const char *path, const char *kept)
{
	struct target t;
	if (split(path, &t) < 0)
		return failed(path, "path");
	int rc = 0;
	if (kept != NULL) {
		if (rename(kept, path) < 0)
			rc = failed(path, "restore-rename");
	} else if (unlink(path) < 0 && errno != ENOENT) {
		rc = failed(path, "restore-unlink");
	}
	if (rc == 0 && fsync_dir(t.dir) < 0)
		rc = failed(path, "restore-fsync-dir");
	target_free(&t);
	return rc;
}

void
pfa_atomic_clean(const char *path)
{
	struct target t;
	if (split(path, &t) < 0)
		return;
	remove_leftovers(&t, NULL);
	target_free(&t);
}
