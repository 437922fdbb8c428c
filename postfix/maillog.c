/*
 * maillog.c - Postfix's mail log read since a mark (maillog.h).  Reads
 * the file, never writes it; never logs.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "maillog.h"
#include "result.h"

off_t
pfa_maillog_mark(const char *path)
{
	struct stat st;
	if (path == NULL || stat(path, &st) < 0)
		return -1;
	return st.st_size;
}

int
pfa_maillog_since(const char *path, off_t mark, size_t max,
    int (*fn)(void *arg, char *line), void *arg)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	struct stat st;
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || mark < 0 || !S_ISREG(st.st_mode)) {
		int e = mark < 0 || !S_ISREG(st.st_mode) ? EINVAL : errno;
		close(fd);
		errno = e;
		return -1;
	}
	if (st.st_size < mark)
		mark = 0;	/* rotated */
	size_t len = (size_t)(st.st_size - mark);
	if (len > max) {
		mark = st.st_size - (off_t)max;
		len = max;
	}
	char *buf = pfa_xmalloc(len + 1);
	ssize_t n = pread(fd, buf, len, mark);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	char *save = NULL;
	for (char *line = strtok_r(buf, "\n", &save); line;
	    line = strtok_r(NULL, "\n", &save))
		if (fn(arg, line) != 0)
			break;
	free(buf);
	return 0;
}
