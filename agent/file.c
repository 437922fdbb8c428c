/*
 * file.c - the one whole-file reader (file.h): non-blocking open, no
 * symlink following unless asked, regular files only, a size cap, and
 * the stat of what was read.  Never logs; errors are left in errno.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file.h"
#include "result.h"

static int
fail(int fd, char *buf, int err)
{
	free(buf);
	if (fd >= 0)
		close(fd);
	errno = err;
	return -1;
}

int
pfa_file_read(const char *path, size_t max, unsigned flags, char **buf,
    size_t *len, struct stat *stp)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY |
	    ((flags & PFA_FILE_FOLLOW) ? 0 : O_NOFOLLOW));
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0)
		return fail(fd, NULL, errno);
	if (!S_ISREG(st.st_mode))
		return fail(fd, NULL, EINVAL);
	if ((uintmax_t)st.st_size > (uintmax_t)max)
		return fail(fd, NULL, EFBIG);
	/* the file may grow while it is read: read until EOF, up to MAX */
	size_t cap = (size_t)st.st_size + 1, n = 0;
	char *b = pfa_xmalloc(cap + 1);
	for (;;) {
		if (n == cap) {
			if (cap > max)
				return fail(fd, b, EFBIG);
			cap = cap > max / 2 ? max + 1 : cap * 2;
			b = pfa_xrealloc(b, cap + 1);
		}
		ssize_t r = read(fd, b + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return fail(fd, b, errno);
		if (r == 0)
			break;
		n += (size_t)r;
	}
	if (n > max)
		return fail(fd, b, EFBIG);
	close(fd);
	b[n] = '\0';
	*buf = b;
	*len = n;
	if (stp != NULL)
		*stp = st;
	return 0;
}

const char *
pfa_file_strerror(int err)
{
	switch (err) {
	case EINVAL:
		return "not a regular file";
	case ELOOP:
		return "a symbolic link";
	case EFBIG:
		return "too large";
	default:
		return strerror(err);
	}
}

bool
pfa_file_same(const char *path, const void *data, size_t len)
{
	char *buf;
	size_t n;
	if (pfa_file_read(path, len, 0, &buf, &n, NULL) < 0)
		return false;
	bool same = n == len && memcmp(buf, data, len) == 0;
	free(buf);
	return same;
}
