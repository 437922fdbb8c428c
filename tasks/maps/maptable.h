/*
 * maptable.h - which lookup tables rebuild-maps looks after: the
 * "TYPE:/path" table names Postfix's configuration uses, the list built
 * from them, the shrink rule, the files of a table (its source, its
 * database, the files an SNI table's values name).
 *
 * Discovery reads the Postfix module's configuration view only
 * (pfa_postfix_view); it never runs postconf itself.  The
 * spec parser and the shrink rule are pure functions.  Nothing here logs
 * except file reading, which reports nothing and leaves errno to the
 * caller.
 */
#ifndef PFA_MAPTABLE_H
#define PFA_MAPTABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "mapsrc.h"
#include "mapspec.h"
#include "postfix.h"

/* Flags of a table: where it was found and what it is. */
#define PFA_MT_SNI	0x01	/* tls_server_sni_maps: built with postmap -F */
#define PFA_MT_ALIAS	0x02	/* alias_maps/alias_database: postalias */
#define PFA_MT_SECRET	0x04	/* *sasl_password_maps: never show content */
#define PFA_MT_EXTRA	0x08	/* listed in pfagent.conf */
#define PFA_MT_BLACKLIST 0x10	/* the blacklist map pfagent assembles */

struct pfa_maptable {
	char *spec;		/* "TYPE:/path", the key of its record */
	char *type;
	char *path;
	char *param;		/* first parameter naming it (other than
				 * proxy_*_maps), or "pfagent.conf" */
	unsigned flags;
};

struct pfa_maptables {
	struct pfa_maptable *v;
	size_t n;
};

/*
 * Adds TYPE:PATH (deduplicated; FLAGS are or-ed into an existing entry).
 * Returns the entry.
 */
struct pfa_maptable *pfa_maptables_add(struct pfa_maptables *l,
    const char *type, const char *path, const char *param, unsigned flags);
/* The entry for SPEC, or NULL. */
struct pfa_maptable *pfa_maptables_find(struct pfa_maptables *l,
    const char *spec);
/* Sorts by spec, so that runs process tables in a stable order. */
void pfa_maptables_sort(struct pfa_maptables *l);
void pfa_maptables_free(struct pfa_maptables *l);

/*
 * Adds every table Postfix's parameters and master.cf overrides name,
 * leaving out caches (*_cache_database, address_verify_map, ...) and
 * anything below data_directory or queue_directory.  0, or -1 if postconf
 * failed (pfa_postfix_error says why).
 */
int pfa_maptables_discover(struct pfa_postfix *pf, struct pfa_maptables *l);

/*
 * The shrink rule: true if going from OLD entries to NEW must be refused
 * (there were entries and now there are none, or more than MAX_SHRINK
 * percent of them are gone).
 */
bool pfa_map_shrink_refused(size_t old_entries, size_t new_entries,
    int max_shrink);

/*
 * MSG (a problem found in a source) with every "quoted" piece of the
 * source replaced by "(redacted)", for secret tables.  Caller frees.
 */
char *pfa_map_redact(const char *msg);

/* The database file postmap makes for SOURCE: "SOURCE.db", ".lmdb", ".cdb";
 * NULL for types pfagent cannot swap atomically (dbm: two files). */
char *pfa_map_db_path(const char *type, const char *source);

#define PFA_MAP_MAX_SOURCE (1024L * 1024 * 1024)	/* 1 GiB */

/* A file named by an SNI table's values, as last read. */
struct pfa_mapfile {
	char *path;
	int64_t size, mtime, mtime_ns;
};

struct pfa_mapfiles {
	struct pfa_mapfile *v;
	size_t n;
};

#define PFA_MAP_MAX_NAMED (64L * 1024 * 1024)	/* a named file: 64 MiB */

/*
 * true if every file of F still has its size and modification time (one
 * stat(2) each, symlinks followed, as postmap -F opens them).
 */
bool pfa_mapfiles_same(const struct pfa_mapfiles *f);

/*
 * Reads every file CHK's values name (chk->refs) and fills OUT (cleared
 * first) with their stat and SHA with the sha256 of every name and the
 * sha256 of its content, in name order: it changes when a file is
 * added, removed, renamed or changed.  A file that is missing, not a
 * regular file, too large or unreadable is an error of CHK at the first
 * line naming it; the message has its name and errno's text, never a
 * byte of it (a key file).  Returns how many failed (OUT and SHA are
 * then incomplete: SHA is "").  Contents are wiped before they are freed.
 */
size_t pfa_mapfiles_load(struct pfa_map_check *chk, struct pfa_mapfiles *out,
    char sha[65]);
void pfa_mapfiles_free(struct pfa_mapfiles *f);

/*
 * The first file of NOW that OLD does not have with the same size and
 * time, or NULL; *N is how many there are.
 */
const char *pfa_mapfiles_changed(const struct pfa_mapfiles *old,
    const struct pfa_mapfiles *now, size_t *n);

#endif
