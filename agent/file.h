/*
 * file.h - the one whole-file reader.
 *
 * Every file pfagent reads whole (its state file, a DH parameter file, a
 * lookup table's source, a drift snapshot, a certificate) is read here:
 * opened without blocking (a FIFO never hangs a run) and, unless
 * PFA_FILE_FOLLOW is given, without following a symbolic link at PATH;
 * only a regular file is read; at most MAX bytes.  The stat returned is
 * the one of the file that was read (fstat of the open descriptor), so a
 * caller can compare it with a later stat.  Nothing here logs: errors come
 * back in errno for the caller, who knows what the file is for.
 */
#ifndef PFA_FILE_H
#define PFA_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

/* Follow a symbolic link at PATH (the default refuses it: ELOOP). */
#define PFA_FILE_FOLLOW	0x01

/*
 * Reads PATH into *BUF (NUL added after the data; free it), *LEN bytes,
 * *ST its fstat (ST may be NULL).  0, or -1 with errno set and nothing
 * allocated: ENOENT and the like from open(2); ELOOP a symbolic link
 * (without PFA_FILE_FOLLOW); EINVAL not a regular file; EFBIG larger than
 * MAX bytes.
 */
int pfa_file_read(const char *path, size_t max, unsigned flags, char **buf,
    size_t *len, struct stat *st);

/*
 * Text for an errno pfa_file_read set: "not a regular file", "a symbolic
 * link", "too large", or strerror(3).  Static; valid until the next call.
 */
const char *pfa_file_strerror(int err);

/* true if PATH is a regular file holding exactly DATA (LEN bytes). */
bool pfa_file_same(const char *path, const void *data, size_t len);

#endif
