/*
 * mapsafe.h - may a table's source be trusted, and is it at rest?
 *
 * A source that others may write decides what Postfix lets through (an
 * access table), where mail goes or what it runs (aliases), or holds
 * secrets: one writable by group or other, or in a directory they may
 * write, is CRITICAL and not built for such a table, a WARNING for the
 * others (PFA-MAP-019).  A source that is a symbolic link is said to be
 * one (PFA-MAP-020).  A source that changes while pfagent reads and
 * builds it is left alone for this run (PFA-MAP-021): the live table is
 * never one that was half written.
 */
#ifndef PFA_MAPSAFE_H
#define PFA_MAPSAFE_H

#include <stdbool.h>
#include <sys/stat.h>

#include "maptable.h"
#include "result.h"

/* How recently changed a source may be when it is read: younger, it is
 * waited for (it may be still being written). */
#define PFA_MAPSAFE_SETTLE_MS	1000

/* true if table T decides access or delivery, runs commands or holds
 * secrets (by its flags and the parameter naming it). */
bool pfa_mapsafe_sensitive(const struct pfa_maptable *t);

/*
 * The ownership and mode findings for T's source, its directories and,
 * for a link, what it leads to.  Returns -1 when the table must not be
 * built (CRITICAL reported), else 0 (a WARNING or a note may have been
 * reported).
 */
int pfa_mapsafe_source(const struct pfa_maptable *t, struct pfa_result *res);

/*
 * Waits, at most a few seconds, until PATH's last change is
 * PFA_MAPSAFE_SETTLE_MS old; true if it is (or is gone: the read says so).
 */
bool pfa_mapsafe_settle(const char *path);

/* true if PATH is no longer the file THEN describes, or has changed
 * since (inode, size, modification or change time). */
bool pfa_mapsafe_moved(const char *path, const struct stat *then);

/* The mode for a database built from a source of mode SRC: its read
 * bits, never more (no write or execute for group or other). */
mode_t pfa_mapsafe_db_mode(mode_t src, bool secret);

#endif
