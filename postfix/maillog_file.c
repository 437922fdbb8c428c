/*
 * maillog_file.c - mail-log files (maillog.h): a file read line by line
 * from an offset (gzip through zlib), its identity (inode, first-line
 * hash), and its rotated siblings in chronological order.
 *
 * Streams through one fixed buffer: memory does not grow with the file,
 * and a line longer than PFA_MAILLOG_LINE_MAX is skipped whole (counted).
 * Opens without following a symbolic link's target into a special file
 * (only regular files are read) and without blocking.  Never logs: -1
 * with errno (EIO: a corrupt gzip stream).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "maillog.h"
#include "result.h"

#define BUF_SIZE (128 * 1024)	/* small enough to stay in the cache */
_Static_assert(BUF_SIZE >= 2 * PFA_MAILLOG_LINE_MAX,
    "the buffer holds a line of the longest length and more");
#define ZIN_SIZE (256 * 1024)
#define HASH_SPAN 4096

uint64_t
pfa_maillog_hash(const char *line, size_t len)
{
	uint64_t h = 1469598103934665603ULL;
	if (len > HASH_SPAN)
		len = HASH_SPAN;
	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)line[i];
		h *= 1099511628211ULL;
	}
	return h == 0 ? 1 : h;
}

static bool
ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcmp(s + n - m, suffix) == 0;
}

static int
open_log(const char *path, struct stat *st)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return -1;
	if (fstat(fd, st) < 0 || !S_ISREG(st->st_mode)) {
		int e = S_ISREG(st->st_mode) ? errno : EINVAL;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

/* A source of bytes: the file itself or its gzip stream. */
struct src {
	int fd;
	bool gz;
	z_stream z;
	unsigned char *zin;
	bool zeof, zend;
	bool between;	/* a member ended; another may follow */
};

static int
src_open(struct src *s, int fd, bool gz)
{
	memset(s, 0, sizeof(*s));
	s->fd = fd;
	s->gz = gz;
	if (!gz)
		return 0;
	s->zin = pfa_xmalloc(ZIN_SIZE);
	if (inflateInit2(&s->z, 15 + 32) != Z_OK) {
		free(s->zin);
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

static void
src_close(struct src *s)
{
	if (s->gz) {
		inflateEnd(&s->z);
		free(s->zin);
	}
	close(s->fd);
}

/* Up to N bytes into P; 0 at the end; -1 (errno). */
static ssize_t
src_read(struct src *s, char *p, size_t n)
{
	if (!s->gz) {
		for (;;) {
			ssize_t r = read(s->fd, p, n);
			if (r >= 0 || errno != EINTR)
				return r;
		}
	}
	s->z.next_out = (unsigned char *)p;
	s->z.avail_out = (uInt)n;
	while (s->z.avail_out == n && !s->zend) {
		if (s->z.avail_in == 0 && !s->zeof) {
			ssize_t r;
			do
				r = read(s->fd, s->zin, ZIN_SIZE);
			while (r < 0 && errno == EINTR);
			if (r < 0)
				return -1;
			if (r == 0)
				s->zeof = true;
			s->z.next_in = s->zin;
			s->z.avail_in = (uInt)r;
		}
		if (s->between && s->zeof && s->z.avail_in == 0) {
			s->zend = true;	/* the last member ended cleanly */
			break;
		}
		int zr = inflate(&s->z, Z_NO_FLUSH);
		if (zr == Z_STREAM_END) {
			/* concatenated members: go on if more follows */
			if (inflateReset(&s->z) != Z_OK)
				s->zend = true;
			s->between = true;
		} else if (zr == Z_BUF_ERROR && s->zeof && s->z.avail_in == 0) {
			errno = EIO;	/* truncated stream */
			return n - s->z.avail_out > 0 ?
			    (ssize_t)(n - s->z.avail_out) : -1;
		} else if (zr != Z_OK && zr != Z_BUF_ERROR) {
			errno = EIO;
			return -1;
		} else if (zr == Z_OK) {
			s->between = false;
		}
	}
	return (ssize_t)(n - s->z.avail_out);
}

struct reader {
	struct pfa_logclock *clk;
	pfa_logline_fn fn;
	void *arg;
	struct pfa_logfile_info *info;
	bool skipping;		/* inside an oversized line */
	bool nul_in_chunk;
	bool stop;
};

static void
one_line(struct reader *r, char *line, size_t len)
{
	if (len > 0 && line[len - 1] == '\r')
		len--;
	line[len] = '\0';
	if (r->nul_in_chunk && memchr(line, '\0', len) != NULL) {
		r->info->binary++;
		return;
	}
	struct pfa_logline l;
	bool ok = pfa_logline_parse(line, len, r->clk, &l) == 0;
	r->info->lines++;
	if (r->fn(r->arg, ok ? &l : NULL, ok, line, len) != 0)
		r->stop = true;
}

int
pfa_maillog_read_file(const char *path, int64_t from, bool keep_partial,
    struct pfa_logclock *clk, pfa_logline_fn fn, void *arg,
    struct pfa_logfile_info *info)
{
	return pfa_maillog_read_range(path, from, -1, keep_partial, clk, fn,
	    arg, info);
}

int64_t
pfa_maillog_line_after(const char *path, int64_t at)
{
	struct stat st;
	int fd = open_log(path, &st);
	if (fd < 0)
		return -1;
	char buf[65536];
	int64_t pos = at, found = -1;
	for (;;) {
		ssize_t n = pread(fd, buf, sizeof(buf), pos);
		if (n <= 0)
			break;
		char *nl = memchr(buf, '\n', (size_t)n);
		if (nl != NULL) {
			found = pos + (nl - buf) + 1;
			break;
		}
		pos += n;
	}
	close(fd);
	return found;
}

int
pfa_maillog_read_range(const char *path, int64_t from, int64_t to,
    bool keep_partial, struct pfa_logclock *clk, pfa_logline_fn fn,
    void *arg, struct pfa_logfile_info *info)
{
	memset(info, 0, sizeof(*info));
	info->end = from;
	struct stat st;
	int fd = open_log(path, &st);
	if (fd < 0)
		return -1;
	info->ino = (uint64_t)st.st_ino;
	info->dev = (uint64_t)st.st_dev;
	info->mtime = (int64_t)st.st_mtime;
	info->size = (int64_t)st.st_size;
	info->gz = ends_with(path, ".gz");
	if (clk->year == 0 && clk->ref == 0)
		clk->ref = info->mtime;
	struct src s;
	if (src_open(&s, fd, info->gz) < 0) {
		close(fd);
		return -1;
	}
	char *buf = pfa_xmalloc(BUF_SIZE + 1);
	int64_t pos = 0;	/* stream offset of buf[0] */
	size_t have = 0;
	int rc = 0;
	bool first = true;
	if (from > 0 && !info->gz) {
		char head[HASH_SPAN];
		ssize_t n = pread(fd, head, sizeof(head), 0);
		if (n > 0) {
			char *nl = memchr(head, '\n', (size_t)n);
			if (nl != NULL || n == HASH_SPAN)
				info->first_hash = pfa_maillog_hash(head,
				    nl ? (size_t)(nl - head) : (size_t)n);
		}
		first = false;
		if (lseek(fd, from, SEEK_SET) < 0) {
			rc = -1;
			goto out;
		}
		pos = from;
	}
	struct reader r = { clk, fn, arg, info, false, false, false };
	for (;;) {
		size_t want = BUF_SIZE - have;
		if (to >= 0 && !info->gz) {
			int64_t left = to - (pos + (int64_t)have);
			if (left <= 0)
				break;
			if ((int64_t)want > left)
				want = (size_t)left;
		}
		ssize_t n = src_read(&s, buf + have, want);
		if (n < 0) {
			rc = -1;
			break;
		}
		if (n == 0)
			break;
		if (first && pos == 0) {
			char *nl = memchr(buf, '\n', have + (size_t)n);
			if (nl != NULL || have + (size_t)n >= HASH_SPAN)
				info->first_hash = pfa_maillog_hash(buf,
				    nl ? (size_t)(nl - buf) : have + (size_t)n);
			first = false;
		}
		r.nul_in_chunk = memchr(buf, '\0', have + (size_t)n) != NULL;
		size_t end = have + (size_t)n, start = 0;
		/* a gzip stream is skipped up to FROM */
		if (pos + (int64_t)end <= from) {
			pos += (int64_t)end;
			have = 0;
			continue;
		}
		if (pos < from) {
			start = (size_t)(from - pos);
		}
		while (start < end && !r.stop) {
			char *nl = memchr(buf + start, '\n', end - start);
			if (nl == NULL)
				break;
			size_t len = (size_t)(nl - (buf + start));
			if (r.skipping)
				r.skipping = false;
			else
				one_line(&r, buf + start, len);
			start += len + 1;
			info->end = pos + (int64_t)start;
		}
		if (r.stop)
			goto out;
		size_t left = end - start;
		if (r.skipping || left > PFA_MAILLOG_LINE_MAX) {
			if (!r.skipping)
				info->oversized++;
			r.skipping = true;
			pos += (int64_t)end;
			have = 0;
			continue;
		}
		memmove(buf, buf + start, left);
		pos += (int64_t)start;
		have = left;
	}
	if (rc == 0 && have > 0 && !r.skipping && !keep_partial) {
		one_line(&r, buf, have);
		info->end = pos + (int64_t)have;
	} else if (rc == 0 && (have > 0 || r.skipping)) {
		if (r.skipping && !keep_partial)
			info->end = pos + (int64_t)have;
		info->partial_left = keep_partial;
	}
out:
	free(buf);
	int e = errno;
	src_close(&s);
	errno = e;
	return rc;
}

int
pfa_maillog_identify(const char *path, struct pfa_logfile_info *info)
{
	memset(info, 0, sizeof(*info));
	struct stat st;
	int fd = open_log(path, &st);
	if (fd < 0)
		return -1;
	info->ino = (uint64_t)st.st_ino;
	info->dev = (uint64_t)st.st_dev;
	info->mtime = (int64_t)st.st_mtime;
	info->size = (int64_t)st.st_size;
	info->gz = ends_with(path, ".gz");
	struct src s;
	if (src_open(&s, fd, info->gz) < 0) {
		close(fd);
		return -1;
	}
	char head[HASH_SPAN];
	size_t have = 0;
	int rc = 0;
	while (have < sizeof(head)) {
		ssize_t n = src_read(&s, head + have, sizeof(head) - have);
		if (n < 0) {
			rc = have > 0 ? 0 : -1;
			break;
		}
		if (n == 0)
			break;
		have += (size_t)n;
		if (memchr(head, '\n', have) != NULL)
			break;
	}
	char *nl = memchr(head, '\n', have);
	if (nl != NULL || have == sizeof(head))
		info->first_hash = pfa_maillog_hash(head,
		    nl ? (size_t)(nl - head) : have);
	int e = errno;
	src_close(&s);
	errno = e;
	return rc;
}

/* ---------------------------------------------------------------- chain */

struct member {
	char *path;
	int64_t mtime;
	long num;	/* PATH.N: N; else -1 */
	bool live;
};

static int
cmp_member(const void *a, const void *b)
{
	const struct member *x = a, *y = b;
	if (x->live != y->live)
		return x->live ? 1 : -1;
	if (x->mtime != y->mtime)
		return x->mtime < y->mtime ? -1 : 1;
	if (x->num != y->num)
		return x->num > y->num ? -1 : 1;	/* .2 before .1 */
	return strcmp(x->path, y->path);
}

/* NAME is BASE followed by '.' or '-', digits/dots/dashes, maybe ".gz". */
static bool
rotated_name(const char *name, const char *base, long *num)
{
	size_t bl = strlen(base);
	if (strncmp(name, base, bl) != 0 || (name[bl] != '.' &&
	    name[bl] != '-'))
		return false;
	const char *p = name + bl + 1;
	size_t n = strlen(p);
	if (n > 3 && strcmp(p + n - 3, ".gz") == 0)
		n -= 3;
	if (n == 0)
		return false;
	bool all_digits = true;
	for (size_t i = 0; i < n; i++) {
		if (p[i] >= '0' && p[i] <= '9')
			continue;
		if (p[i] != '.' && p[i] != '-')
			return false;
		all_digits = false;
	}
	*num = all_digits && n <= 6 ? strtol(p, NULL, 10) : -1;
	return true;
}

char **
pfa_maillog_chain(const char *path)
{
	char *dir = pfa_xstrdup(path);
	char *slash = strrchr(dir, '/');
	const char *base = path;
	if (slash != NULL) {
		base = path + (slash - dir) + 1;
		if (slash == dir)
			slash[1] = '\0';
		else
			*slash = '\0';
	} else {
		free(dir);
		dir = pfa_xstrdup(".");
	}
	DIR *d = opendir(dir);
	if (d == NULL) {
		int e = errno;
		free(dir);
		errno = e;
		return NULL;
	}
	struct member *m = NULL;
	size_t n = 0;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		long num = -1;
		bool live = strcmp(de->d_name, base) == 0;
		if (!live && !rotated_name(de->d_name, base, &num))
			continue;
		char *p = slash ? pfa_xasprintf("%s%s%s", dir,
		    strcmp(dir, "/") == 0 ? "" : "/", de->d_name) :
		    pfa_xstrdup(de->d_name);
		struct stat st;
		if (stat(p, &st) < 0 || !S_ISREG(st.st_mode)) {
			free(p);
			continue;
		}
		m = pfa_xrealloc(m, (n + 1) * sizeof(*m));
		m[n++] = (struct member){ p, (int64_t)st.st_mtime, num, live };
	}
	closedir(d);
	free(dir);
	if (n > 1)
		qsort(m, n, sizeof(*m), cmp_member);
	char **v = pfa_xcalloc(n + 1, sizeof(*v));
	for (size_t i = 0; i < n; i++)
		v[i] = m[i].path;
	free(m);
	return v;
}

void
pfa_maillog_free_list(char **v)
{
	for (size_t i = 0; v != NULL && v[i]; i++)
		free(v[i]);
	free(v);
}
