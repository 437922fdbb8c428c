/*
 * mapclean.h - how rebuild-maps names its build copies, and the removal
 * of what an interrupted or failed build left behind.
 *
 * A table's source SRC is copied to "dir/.SRC.pfagent-build.XXXXXX" and
 * postmap builds the database from the copy (COPY plus a by-product
 * suffix; Berkeley DB first creates "__db.COPY.db").  pfa_map_clean()
 * removes every such regular file of SRC; the caller holds the run lock,
 * so none is in use.  Logged, never an error.
 */
#ifndef PFA_MAPCLEAN_H
#define PFA_MAPCLEAN_H

#define PFA_MAP_BUILD_TAG	".pfagent-build."
#define PFA_MAP_RAND_LEN	6
#define PFA_MAP_BDB_TMP		"__db."	/* Berkeley DB's creation name */

/* What postmap may leave beside COPY: COPY + suffix, NULL-terminated. */
extern const char *const pfa_map_by_products[];

/* Removes the build leftovers of SOURCE (TASK names the task in logs). */
void pfa_map_clean(const char *task, const char *source);

#endif
