/*
 * drift_int.h - what the files behind drift.h share; private to
 * tasks/drift.c and tasks/drift_snap.c.
 *
 * drift_snap.c owns the snapshot model (sorted KEY = VALUE entries), its
 * text format and the reading of a whole file; drift.c owns the snapshot
 * directory, the comparison, the copies and the findings.  Nothing here
 * writes a file or logs.  Not for other modules: they use drift.h.
 */
#ifndef PFA_DRIFT_INT_H
#define PFA_DRIFT_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "drift.h"

struct pfa_snap_entry {
	char *key, *val;
};

/* A snapshot: N entries, sorted by key once built or parsed. */
struct pfa_snap {
	struct pfa_snap_entry *e;
	size_t n;
};

/* Frees S's entries and leaves S empty (reusable). */
void pfa_snap_free(struct pfa_snap *s);

/*
 * Adds V's parameters that main.cf sets (those with a raw value) to
 * PARAMS and V's master.cf services and their -o options to SVCS; sorts
 * both.
 */
void pfa_snap_from_view(const struct pfa_cfview *v, struct pfa_snap *params,
    struct pfa_snap *svcs);

/* S as the text of a snapshot file of KIND ("postconf-n", "services"):
 * the buffer (NUL-terminated; free it) and its length in *LENP. */
char *pfa_snap_format(const struct pfa_snap *s, const char *kind,
    size_t *lenp);

/*
 * Parses BUF (LEN bytes, NUL-terminated, modified), a snapshot file of
 * KIND, into S (empty on entry): 0, or -1 with *WHY set (a static
 * string) and S empty.
 */
int pfa_snap_parse(char *buf, size_t len, const char *kind,
    struct pfa_snap *s, const char **why);

/*
 * Reads PATH whole: 0 with *BUFP (NUL-terminated; free it), 1 if it does
 * not exist, 2 if it is a symlink (unless FOLLOW), not a regular file or
 * too large (*WHY), -1 on a read error (errno set).  Does not log.
 */
int pfa_snap_read_file(const char *path, bool follow, char **bufp,
    size_t *lenp, const char **why);

#endif
