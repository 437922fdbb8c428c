/*
 * maillog.h - reading Postfix's mail log: where it is now (a mark), and
 * the lines appended since a mark.
 *
 * The reload gate's health check takes a mark before `postfix reload` and
 * reads what Postfix logged after it.  (log-report grows this reader: the
 * journal, rotated files, timestamps and the parts of a line.)  Reads
 * only; never logs itself; a file that cannot be read is an error return,
 * never a crash.
 */
#ifndef PFA_MAILLOG_H
#define PFA_MAILLOG_H

#include <stddef.h>
#include <sys/types.h>

/* The log's current size (the mark), or -1 if it cannot be read. */
off_t pfa_maillog_mark(const char *path);

/*
 * Calls FN for every line (without its newline, NUL-terminated) appended
 * to PATH since MARK; when the file is now shorter than MARK (rotated) it
 * is read from its start; when more than MAX bytes were appended, only
 * the last MAX bytes are read.  FN's nonzero return stops the walk.  0,
 * or -1 if PATH cannot be read or MARK is -1 (errno set).
 */
int pfa_maillog_since(const char *path, off_t mark, size_t max,
    int (*fn)(void *arg, char *line), void *arg);

#endif
