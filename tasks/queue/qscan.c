/*
 * qscan.c - the count-only path: the queue directories read directly.
 *
 * For --nagios every minute on a big queue: no postqueue, no showq, no
 * JSON.  Each queue directory (maildrop flat; incoming, active, deferred
 * and hold with their one-character hashed subdirectories) is read, and
 * each entry is taken as Postfix's showq takes it: a queue id name, a
 * regular file (never through a symbolic link), mode u=rwx (a file still
 * being written is not), and a sender record among its first records,
 * which are read for the arrival time (T; a file without one, as some
 * maildrop files are: its mtime) and the size (C; maildrop: the file size).  A deferred file's
 * mtime is its next retry, never its age.  So the counts equal
 * postqueue -j's on the same queue.  Read only, as root; the subdirectories
 * are shared out among a few threads, each with its own counts.  Bad
 * bytes in a queue file only make it not count; nothing is logged here.
 */
#define _GNU_SOURCE	/* O_NOATIME: reading the queue leaves its atimes alone */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "queue.h"

#define HEAD 512		/* the first read of a queue file */
#define READ_MAX (64 * 1024)	/* never read further for its sender */
#define MAX_DEPTH 16		/* hashed subdirectory levels */
#define MAX_JUMPS 64		/* pointer records followed */
#define MAX_THREADS 4

/* A piece of work: the files of one directory (and, for a hashed queue,
 * its subdirectories below). */
struct unit {
	int queue;
	char rel[40];		/* "deferred/A", relative to the queue dir */
	bool top;		/* the queue's own directory: files only */
};

struct scan {
	int root;		/* queue_directory */
	time_t now;
	struct unit *units;
	size_t nunits, next;
	pthread_mutex_t lock;
};

/* A queue file read through a small window, so that pointer records can
 * be followed. */
struct qfile {
	int fd;
	char buf[HEAD];
	off_t at;		/* offset of buf[0] */
	size_t len;
	off_t off;		/* next byte to read */
	off_t read;		/* bytes read so far */
};

/* Refills the window at the next byte and returns it, or -1 at EOF,
 * error or the read limit. */
static int
qfill(struct qfile *f)
{
	if (f->read >= READ_MAX)
		return -1;
	ssize_t n;
	do
		n = pread(f->fd, f->buf, sizeof(f->buf), f->off);
	while (n < 0 && errno == EINTR);
	if (n <= 0)
		return -1;
	f->at = f->off;
	f->len = (size_t)n;
	f->read += n;
	return (unsigned char)f->buf[f->off++ - f->at];
}

/* The next byte, or -1. */
static inline int
qgetc(struct qfile *f)
{
	if (f->off >= f->at && f->off < f->at + (off_t)f->len)
		return (unsigned char)f->buf[f->off++ - f->at];
	return qfill(f);
}

/* One record: its type, and the first SIZE-1 bytes of its data in BUF
 * (the rest skipped).  -1 at EOF or on a malformed record. */
static int
qrec(struct qfile *f, char *buf, size_t size, long long *len)
{
	int type = qgetc(f);
	if (type < 0)
		return -1;
	long long n = 0;
	for (unsigned shift = 0;; shift += 7) {
		if (shift + 7 >= 8 * sizeof(int))
			return -1;
		int c = qgetc(f);
		if (c < 0)
			return -1;
		n |= (long long)(c & 0x7f) << shift;
		if ((c & 0x80) == 0)
			break;
	}
	size_t keep = n < (long long)size - 1 ? (size_t)n : size - 1;
	for (size_t i = 0; i < keep; i++) {
		int c = qgetc(f);
		if (c < 0)
			return -1;
		buf[i] = (char)c;
	}
	buf[keep] = '\0';
	f->off += n - (long long)keep;
	*len = n;
	return type;
}

/*
 * Is the open queue file FD listed, as showq lists it?  Sets *ARRIVAL and
 * *SIZE as postqueue reports them.
 */
static bool
listed(int fd, int queue, const struct stat *st, long long *arrival,
    long long *size)
{
	struct qfile f = { .fd = fd, .at = 0, .len = 0, .off = 0, .read = 0 };
	char data[128];		/* a C record is 95 bytes */
	long long len = 0;
	bool size_seen = false;
	int jumps = 0;
	*arrival = 0;
	*size = (long long)st->st_size;
	for (;;) {
		int type = qrec(&f, data, sizeof(data), &len);
		switch (type) {
		case 'T':
			if (*arrival == 0)
				*arrival = atoll(data);
			break;
		case 'C':
			if (!size_seen && queue != PFA_Q_MAILDROP) {
				size_seen = true;
				/* digits and blanks, or the file size */
				if (len < (long long)sizeof(data) &&
				    data[strspn(data, "0123456789 ")] == '\0')
					*size = atoll(data);
			}
			break;
		case 'p': {
			long long to = atoll(data);
			if (to < 0 || ++jumps > MAX_JUMPS)
				return false;
			if (to > 0)
				f.off = (off_t)to;
			break;
		}
		case 'S':
			if (*arrival <= 0)
				*arrival = (long long)st->st_mtime;
			return true;
		case 'M':	/* the message before any sender */
		case 'E':
		case -1:
			return false;
		default:
			break;
		}
	}
}

static void
count_file(struct pfa_qcount *q, int dfd, const char *name, int queue,
    time_t now)
{
	if (!pfa_qid_ok(name))
		return;
	int flags = O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC;
	int fd = openat(dfd, name, flags | O_NOATIME);
	if (fd < 0 && errno == EPERM)
		fd = openat(dfd, name, flags);
	if (fd < 0)
		return;		/* gone meanwhile, a link, unreadable */
	struct stat st;
	long long arrival, size;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    (st.st_mode & S_IRWXU) == S_IRWXU &&
	    listed(fd, queue, &st, &arrival, &size)) {
		q->msgs++;
		q->bytes += (unsigned long long)(size > 0 ? size : 0);
		q->expired += (st.st_mode & S_IXGRP) != 0;
		if (q->oldest == 0 || arrival < q->oldest)
			q->oldest = arrival;
		q->age[pfa_qage_bucket((long long)now - arrival)]++;
	}
	close(fd);
}

/* The files of directory DFD (taken over and closed); with RECURSE, its
 * one-character subdirectories too, as Postfix's mail_scan_dir_next. */
static void
count_dir(struct pfa_qcount *q, int dfd, int queue, bool files_only,
    int depth, time_t now)
{
	DIR *d = fdopendir(dfd);
	if (d == NULL) {
		close(dfd);
		return;
	}
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		const char *name = de->d_name;
		if (name[0] == '.')
			continue;
		if (name[1] == '\0' && queue != PFA_Q_MAILDROP) {
			if (files_only || depth >= MAX_DEPTH)
				continue;
			int sub = openat(dirfd(d), name, O_RDONLY | O_DIRECTORY |
			    O_NOFOLLOW | O_CLOEXEC);
			if (sub >= 0)
				count_dir(q, sub, queue, false, depth + 1, now);
			continue;
		}
		count_file(q, dirfd(d), name, queue, now);
	}
	closedir(d);
}

struct worker {
	struct scan *s;
	struct pfa_qcount q[PFA_Q_COUNT];
	pthread_t tid;
	bool started;
};

static void *
work(void *arg)
{
	struct worker *w = arg;
	struct scan *s = w->s;
	for (;;) {
		pthread_mutex_lock(&s->lock);
		size_t i = s->next < s->nunits ? s->next++ : s->nunits;
		pthread_mutex_unlock(&s->lock);
		if (i >= s->nunits)
			break;
		const struct unit *u = &s->units[i];
		int dfd = openat(s->root, u->rel, O_RDONLY | O_DIRECTORY |
		    O_NOFOLLOW | O_CLOEXEC);
		if (dfd >= 0)
			count_dir(&w->q[u->queue], dfd, u->queue, u->top, 1,
			    s->now);
	}
	return NULL;
}

static void
add_unit(struct scan *s, int queue, const char *rel, bool top)
{
	s->units = pfa_xrealloc(s->units, (s->nunits + 1) * sizeof(*s->units));
	struct unit *u = &s->units[s->nunits++];
	u->queue = queue;
	u->top = top;
	snprintf(u->rel, sizeof(u->rel), "%s", rel);
}

/* The units of queue Q: its directory's files, and each subdirectory. */
static int
plan_queue(struct scan *s, int q)
{
	const char *name = pfa_qnames[q];
	int dfd = openat(s->root, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC);
	if (dfd < 0)
		return -1;
	add_unit(s, q, name, true);
	DIR *d = fdopendir(dfd);
	if (d == NULL) {
		close(dfd);
		return -1;
	}
	struct dirent *de;
	while (q != PFA_Q_MAILDROP && (de = readdir(d)) != NULL)
		if (de->d_name[0] != '.' && de->d_name[1] == '\0') {
			char rel[40];
			snprintf(rel, sizeof(rel), "%s/%c", name, de->d_name[0]);
			add_unit(s, q, rel, false);
		}
	closedir(d);
	return 0;
}

int
pfa_qscan(const struct pfa_qdirs *dirs, struct pfa_qtally *t, int threads,
    const char **err, char *errpath, size_t errpath_size)
{
	struct scan s = { .root = -1, .now = t->now };
	*err = NULL;
	s.root = open(dirs->queue_directory, O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC);
	if (s.root < 0) {
		*err = strerror(errno);
		snprintf(errpath, errpath_size, "%s", dirs->queue_directory);
		return -1;
	}
	for (int q = 0; q < PFA_Q_CORRUPT; q++)
		if (plan_queue(&s, q) < 0) {
			*err = strerror(errno);
			snprintf(errpath, errpath_size, "%s/%s",
			    dirs->queue_directory, pfa_qnames[q]);
			close(s.root);
			free(s.units);
			return -1;
		}
	if (threads <= 0) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);
		threads = n > 0 ? (int)n : 1;
	}
	if (threads > MAX_THREADS)
		threads = MAX_THREADS;
	if ((size_t)threads > s.nunits)
		threads = (int)s.nunits;
	pthread_mutex_init(&s.lock, NULL);
	struct worker *w = pfa_xcalloc((size_t)threads + 1, sizeof(*w));
	for (int i = 0; i < threads; i++) {
		w[i].s = &s;
		/* the first runs here; a thread that cannot start is
		 * someone else's work left over, done by the others */
		if (i > 0)
			w[i].started = pthread_create(&w[i].tid, NULL, work,
			    &w[i]) == 0;
	}
	work(&w[0]);
	for (int i = 1; i < threads; i++)
		if (w[i].started)
			pthread_join(w[i].tid, NULL);
	for (int i = 0; i < threads; i++)
		for (int q = 0; q < PFA_Q_CORRUPT; q++) {
			struct pfa_qcount *a = &t->q[q], *b = &w[i].q[q];
			a->msgs += b->msgs;
			a->bytes += b->bytes;
			a->expired += b->expired;
			if (b->oldest != 0 && (a->oldest == 0 ||
			    b->oldest < a->oldest))
				a->oldest = b->oldest;
			for (int k = 0; k < PFA_QAGE_BUCKETS; k++)
				a->age[k] += b->age[k];
		}
	pthread_mutex_destroy(&s.lock);
	free(w);
	free(s.units);
	close(s.root);
	return 0;
}

/* Regular files below DFD (closed), at most MAX_DEPTH levels. */
static long long
count_plain(int dfd, int depth)
{
	DIR *d = fdopendir(dfd);
	if (d == NULL) {
		close(dfd);
		return -1;
	}
	long long n = 0;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		struct stat st;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (S_ISREG(st.st_mode))
			n++;
		else if (S_ISDIR(st.st_mode) && depth < MAX_DEPTH) {
			int sub = openat(dirfd(d), de->d_name, O_RDONLY |
			    O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			long long k = sub >= 0 ? count_plain(sub, depth + 1) : 0;
			n += k > 0 ? k : 0;
		}
	}
	closedir(d);
	return n;
}

long long
pfa_qscan_corrupt(const struct pfa_qdirs *dirs)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/corrupt", dirs->queue_directory);
	int dfd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0)
		return errno == ENOENT ? 0 : -1;
	return count_plain(dfd, 1);
}
