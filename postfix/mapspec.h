/*
 * mapspec.h - Postfix lookup-table names as the configuration writes
 * them: "TYPE:/path" (or "proxy:TYPE:/path") for the file-based types,
 * the walk over a parameter's value that finds every table it names
 * (inside { } groups and unionmap:{ } / pipemap:{ } too), and which
 * parameters and directories hold Postfix's own databases rather than
 * tables with a source.  Used by rebuild-maps (discovery), the loadability
 * checks (probing tables) and the audit.  Pure functions: no file, no
 * command, no log.
 */
#ifndef PFA_MAPSPEC_H
#define PFA_MAPSPEC_H

#include <stdbool.h>

/*
 * Parses TOKEN as "TYPE:/abs/path" or "proxy:TYPE:/abs/path" with TYPE
 * one of the file-based types pfagent knows (hash, btree, lmdb, cdb, dbm,
 * regexp, pcre, cidr, texthash).  0 with *type and *path allocated, or -1
 * (nothing allocated).
 */
int pfa_mapspec_parse(const char *token, char **type, char **path);

/* The type names pfa_mapspec_parse accepts, comma separated, for messages. */
extern const char pfa_mapspec_types[];

/*
 * Calls FN for every token of the table list VALUE (split as Postfix
 * splits lists, pfa_cf_tokens), descending into "{ ... }" groups and into
 * unionmap:{ ... } and pipemap:{ ... }, whose members are tables; tokens
 * of nothing but braces are skipped.  FN's nonzero return stops the walk
 * and is returned.
 */
int pfa_table_walk(const char *value,
    int (*fn)(void *arg, const char *token), void *arg);

/* Parameters whose tables are Postfix's own caches (*_cache_database,
 * address_verify_map, ...) or proxymap's write list, not tables to keep. */
bool pfa_map_cache_param(const char *name);
/* true if PATH is DIR or below it (DIR absolute; false for NULL). */
bool pfa_map_path_below(const char *path, const char *dir);

#endif
