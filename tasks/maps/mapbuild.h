/*
 * mapbuild.h - builds an indexed Postfix table beside the live one and
 * swaps it in atomically (rebuild-maps).
 *
 * postmap rewrites hash/btree/lmdb databases in place: interrupted, it
 * leaves no usable database.  pfagent instead copies the source to a
 * temporary name in the same directory (".NAME.pfagent-build.XXXXXX", with
 * the source's owner and mode; an SNI table's, whose database holds private
 * keys, with no group or other permission), runs `postmap -c DIR
 * TYPE:COPY` on the copy (`postmap -c DIR -F TYPE:COPY` for
 * tls_server_sni_maps, whose database holds the files its values name;
 * any "warning:" or "fatal:" on its stderr is a failure, but for the
 * duplicate-key warnings the source check already reported), verifies the
 * result (the entry count, read from the database file where its layout
 * is known (mapcount.c), else counted from `postmap -s`, equals the
 * check's, and `postmap -q` of every sample key returns its value, or for
 * an SNI table some value), then puts COPY's database over the live one
 * through the atomic writer and removes the copy.  The previous database
 * is not kept: a hard link to it would hide the change from Postfix's
 * daemons, which watch the open file's link count and mtime.  Interrupted
 * at any instant, the live database is the old one or the new one,
 * complete.
 */
#ifndef PFA_MAPBUILD_H
#define PFA_MAPBUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

#include "maptable.h"
#include "mapsrc.h"
#include "task.h"

/*
 * Builds TYPE:SOURCE as above, in two steps so that the source check can
 * run on another core while postmap works.  pfa_map_build_start writes
 * DATA (LEN bytes: the source exactly as it was read, and hashed, and is
 * being checked; owner and mode from ST) to the copy and runs postmap on
 * it.  FLAGS are the table's PFA_MT_* flags: with PFA_MT_SNI postmap runs
 * with -F (the values name files whose content it stores) and the copy
 * and the database get ST's mode & 0700; with PFA_MT_SNI or PFA_MT_SECRET
 * the looked-up values are wiped from memory after the check.  In a dry
 * run it does nothing.  It always returns a handle; a failure is already
 * a CRITICAL finding in RES, and finish will return -1.
 *
 * pfa_map_build_finish with CHK (DATA's check: entries, samples) verifies
 * the built table and swaps it in; with CHK NULL (the check refused the
 * source) it abandons the build.  Either way the build files are removed
 * and the handle freed.  1: the live database was replaced (a change in
 * RES needing no reload); 0: dry run (what would be done is logged and
 * recorded); -1: not replaced, the live database untouched.
 */
struct pfa_map_build;
struct pfa_map_build *pfa_map_build_start(struct pfa_ctx *ctx,
    struct pfa_result *res, const char *type, const char *source,
    unsigned flags, const char *data, size_t len, const struct stat *st);
int pfa_map_build_finish(struct pfa_map_build *b,
    const struct pfa_map_check *chk);

#endif
