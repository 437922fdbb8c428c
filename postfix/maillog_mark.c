/*
 * maillog_mark.c - the mark the reload gate's health check reads from
 * (maillog.h): where the mail log ends now (a file's size and inode, or
 * the journal's cursor), and the lines logged since, through the one
 * reader (maillog_file.c, maillog_journal.c).  Reads only.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "maillog.h"

int
pfa_maillog_mark(const char *path, const char *journal_dir,
    struct pfa_maillog_mark *m)
{
	memset(m, 0, sizeof(*m));
	struct stat st;
	if (path != NULL && stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
		m->file = true;
		m->size = st.st_size;
		m->ino = (uint64_t)st.st_ino;
		return 0;
	}
	int e = errno;
	char *c = pfa_maillog_journal_tail(journal_dir);
	if (c != NULL) {
		m->journal = true;
		m->cursor = c;
		return 0;
	}
	errno = e;
	return -1;
}

void
pfa_maillog_mark_free(struct pfa_maillog_mark *m)
{
	free(m->cursor);
	memset(m, 0, sizeof(*m));
}

int
pfa_maillog_since(const struct pfa_maillog_mark *m, const char *path,
    const char *journal_dir, size_t max, pfa_logline_fn fn, void *arg)
{
	struct pfa_logclock clk = { .ref = (int64_t)time(NULL) };
	if (m->file) {
		struct stat st;
		if (stat(path, &st) < 0)
			return -1;
		int64_t from = m->size;
		if ((uint64_t)st.st_ino != m->ino || st.st_size < m->size)
			from = 0;	/* rotated or replaced */
		if (st.st_size - from > (int64_t)max)
			from = st.st_size - (int64_t)max;
		struct pfa_logfile_info info;
		return pfa_maillog_read_file(path, from, false, &clk, fn, arg,
		    &info);
	}
	if (!m->journal) {
		errno = ENOENT;
		return -1;
	}
	struct pfa_journal_info ji;
	int rc = pfa_maillog_read_journal(journal_dir, m->cursor, 0, 0, -1, fn,
	    arg, &ji);
	free(ji.cursor);
	return rc;
}
