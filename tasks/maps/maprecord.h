/*
 * maprecord.h - what rebuild-maps remembers about each table between runs,
 * in the task's state object: {"tables": {"TYPE:/path": {"sha256": HEX,
 * "size": N, "mtime": S, "mtime_ns": NS, "entries": N, "warnings": N,
 * "valid": BOOL}}}.  The record describes the source as it was when it
 * was last checked and, for an indexed table, built.  An SNI table's
 * record also has "files_sha256": HEX (of the files its values name, see
 * pfa_mapfiles_load) and "files": [{"path": P, "size": N, "mtime": S,
 * "mtime_ns": NS}, ...]; a record without them (written before pfagent
 * knew SNI tables) says nothing about the files, which is a change.
 *
 * Pure JSON handling and hashing: no file I/O, no logging.
 */
#ifndef PFA_MAPRECORD_H
#define PFA_MAPRECORD_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "maptable.h"

struct pfa_maprec {
	bool have;		/* a record exists */
	bool valid;		/* the source had no errors */
	char sha[65];		/* sha256 of the source, hex */
	int64_t size, mtime, mtime_ns, entries, warnings;
	bool have_files;	/* files_sha256 and files are recorded */
	char files_sha[65];
	struct pfa_mapfiles files;	/* owned: pfa_maprec_free */
};

/* DATA's "tables" object, created if missing (owned by DATA). */
json_object *pfa_maprecs(json_object *data);
/* The record of SPEC; r->have is false if there is none (or it is bad),
 * r->have_files if its files are recorded and well formed. */
void pfa_maprec_get(json_object *recs, const char *spec, struct pfa_maprec *r);
void pfa_maprec_put(json_object *recs, const char *spec,
    const struct pfa_maprec *r);
void pfa_maprec_free(struct pfa_maprec *r);
/* Drops the records of tables not in L. */
void pfa_maprecs_prune(json_object *recs, struct pfa_maptables *l);

/* sha256 of DATA as 64 hex digits; "" if OpenSSL failed. */
void pfa_map_sha256(const char *data, size_t len, char out[65]);

#endif
