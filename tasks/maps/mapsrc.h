/*
 * mapsrc.h - checks the source file of a Postfix lookup table before
 * postmap ever sees it (rebuild-maps).
 *
 * Postfix's own tools accept a lot silently: postmap exits 0 on malformed
 * lines, NUL bytes, duplicate keys (first value wins) and regexp/pcre rules
 * it drops with a warning.  pfa_mapsrc_check reads the text the way Postfix
 * does (comments, blank lines, continuation lines that start with
 * whitespace) and reports every problem with its line number, counts the
 * entries and picks sample keys with their expected values so that the
 * built database can be verified.  Pure functions: no I/O, no logging.
 */
#ifndef PFA_MAPSRC_H
#define PFA_MAPSRC_H

#include <stdbool.h>
#include <stddef.h>

enum pfa_map_kind {
	PFA_MAP_INDEXED,	/* hash, btree, lmdb, cdb, dbm: key value */
	PFA_MAP_TEXTHASH,	/* same syntax, read into memory */
	PFA_MAP_CIDR,		/* network/prefix value */
	PFA_MAP_REGEXP,		/* /pattern/flags value, if/endif */
	PFA_MAP_PCRE,		/* same, PCRE syntax */
	PFA_MAP_SNI,		/* indexed, values are file lists (postmap -F) */
	PFA_MAP_OTHER,		/* not a file format pfagent knows */
};

/* Kind of a Postfix map type name ("hash", "pcre", ...); never
 * PFA_MAP_SNI, which the caller chooses for tls_server_sni_maps. */
enum pfa_map_kind pfa_map_kind(const char *type);
/* true for types built by postmap into a database file. */
bool pfa_map_is_indexed(const char *type);

#define PFA_MAPSRC_MAX_LINE 65536	/* longer logical lines are errors */
#define PFA_MAPSRC_SAMPLES 3

struct pfa_map_problem {
	int line;		/* 1-based line where the entry starts */
	bool error;		/* true: blocks the build; false: warning */
	char *message;		/* "expected format: key whitespace value" */
};

/* A file named by the values of a PFA_MAP_SNI table. */
struct pfa_map_ref {
	char *path;		/* absolute, as written in the source */
	int line;		/* first line naming it */
};

struct pfa_map_check {
	size_t entries;		/* distinct entries (keys, networks, rules) */
	size_t errors;
	size_t warnings;	/* duplicates and the like */
	struct pfa_map_problem *problems;	/* in line order */
	size_t nproblems;
	/* indexed/texthash: keys as postmap stores them (lower case) and
	 * their values, for `postmap -q` after the build */
	char *sample_keys[PFA_MAPSRC_SAMPLES];
	char *sample_values[PFA_MAPSRC_SAMPLES];
	size_t nsamples;
	/* PFA_MAP_SNI: every file the values name (postmap -F splits a
	 * value at white space and commas), once, sorted by name; a name
	 * that is not absolute is an error of its line instead */
	struct pfa_map_ref *refs;
	size_t nrefs;
};

/*
 * Checks DATA (LEN bytes, the whole file) as a table of KIND.  Always fills
 * OUT (free with pfa_mapsrc_free); returns 0 if it may be built, -1 if it
 * has errors.  Problems beyond the first 100 are counted, not listed.
 */
int pfa_mapsrc_check(const char *data, size_t len, enum pfa_map_kind kind,
    struct pfa_map_check *out);
void pfa_mapsrc_free(struct pfa_map_check *c);

/*
 * Adds a problem at LINE to C and counts it, for a caller that finds one
 * the text alone cannot show (an SNI table naming a missing file); keeps
 * the first 100 in line order, whatever the order of the calls.
 */
void pfa_mapsrc_problem(struct pfa_map_check *c, int line, bool error,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#endif
