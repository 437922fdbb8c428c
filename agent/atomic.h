/*
 * atomic.h - the only module that puts a file into place.
 *
 * pfa_atomic_write replaces PATH so that a crash at any instant leaves the
 * old file or the new one, complete, never a mix and never an empty file:
 * a temporary file ".NAME.pfagent.XXXXXX" is created in PATH's own
 * directory (O_EXCL|O_NOFOLLOW), given the mode and owner of the file it
 * replaces (or opts' defaults for a new file), written, fsynced and closed
 * (close checked); the old version is kept as a hard link "NAME.pfagent-prev"
 * for rollback; then the temporary file is renamed over PATH and the
 * directory is fsynced.  A symlink or non-regular file at PATH is refused.
 * Leftover temporary files of PATH from an interrupted run are removed
 * first (the caller holds the run lock).
 *
 * Identical content is not a change: nothing is written and 0 is returned.
 * pfa_atomic_install does the same final steps for a file the caller
 * wrote itself (a database postmap built beside the live one).
 *
 * Errors are logged once here, naming the path and the failed step; on any
 * failure the original is untouched and no temporary file is left.
 */
#ifndef PFA_ATOMIC_H
#define PFA_ATOMIC_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define PFA_ATOMIC_KEPT_SUFFIX ".pfagent-prev"
#define PFA_ATOMIC_TMP_TAG ".pfagent."

struct pfa_atomic_opts {
	mode_t new_mode;	/* mode for a file that does not exist yet */
	bool keep;		/* keep the previous version for rollback */
};

/*
 * 1: replaced (*kept set to the kept path, or NULL if PATH was new; free it);
 * 0: PATH already had exactly this content, nothing written;
 * -1: failed (logged), PATH untouched.
 */
int pfa_atomic_write(const char *path, const void *data, size_t len,
    const struct pfa_atomic_opts *opts, char **kept);

/*
 * Puts TMP, a complete file the caller wrote in PATH's own directory (a
 * regular file, not a symlink), in place of PATH: TMP is fsynced, the
 * current PATH (a regular file, or none) is kept as PATH.pfagent-prev if
 * KEEP, TMP is renamed over PATH and the directory is fsynced.  TMP keeps
 * its own mode and owner.  Readers of PATH see the old file or the new one
 * at every instant.
 * 1: replaced (*kept set to the kept path, or NULL if PATH was new or KEEP
 * is false; free it); -1: failed (logged), TMP removed, PATH untouched and
 * no kept link made by this call left.
 */
int pfa_atomic_install(const char *tmp, const char *path, bool keep,
    char **kept);

/*
 * Puts the kept version back (rename KEPT over PATH, fsync the directory),
 * or removes PATH if KEPT is NULL (the file was new).  0 or -1 (logged).
 */
int pfa_atomic_restore(const char *path, const char *kept);

/*
 * Removes what an interrupted or failed run of the atomic writer left
 * beside PATH (its temporary files and a hidden link to a replaced
 * version); the caller holds the run lock.  Logged, never an error.
 */
void pfa_atomic_clean(const char *path);

#endif
