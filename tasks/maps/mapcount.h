/*
 * mapcount.h - counts the entries of a database postmap just built, from
 * the file itself (rebuild-maps).
 *
 * `postmap -s` takes and drops a lock for every entry: on a 1,000,000-entry
 * table it costs 30% (hash) to 120% (lmdb) of the build itself.  The
 * formats postmap writes carry the count cheaply: lmdb's meta page holds
 * the main database's entry count, a cdb's header its hash-table slots
 * (two per record), and a Berkeley DB file is a sequence of pages whose
 * headers give their item counts (two per entry on hash and btree leaf
 * pages).  Only files in the layout this machine's postmap writes are
 * read (native byte order, known magic and version, no checksums or
 * encryption, no duplicate pages); anything else is "not recognised" and
 * the caller counts with `postmap -s`.
 *
 * No logging for an unrecognised file; a file that cannot be read is
 * logged here once.
 */
#ifndef PFA_MAPCOUNT_H
#define PFA_MAPCOUNT_H

#define PFA_MAPCOUNT_UNKNOWN (-2)

/*
 * Entries of the TYPE ("hash", "btree", "lmdb", "cdb") database at PATH:
 * >= 0; PFA_MAPCOUNT_UNKNOWN if the type or layout is not one this module
 * reads; -1 if the file could not be read (logged).
 */
long long pfa_mapcount(const char *type, const char *path);

#endif
