/*
 * rebuild_table.h - one table of a rebuild-maps run: decide what it needs
 * (nothing, a check, a rebuild, a reload request), then do it.  Private
 * to tasks/maps: rebuild_maps.c (the task) and rebuild_table.c.
 */
#ifndef PFA_REBUILD_TABLE_H
#define PFA_REBUILD_TABLE_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>

#include "maprecord.h"
#include "maptable.h"
#include "rebuild_maps.h"
#include "task.h"

/* One run of the task: where findings go, and its totals. */
struct pfa_maps_run {
	struct pfa_ctx *ctx;
	struct pfa_result *res;
	const struct pfa_maps_conf *c;
	json_object *recs;	/* ctx->data["tables"] */
	size_t checked, rebuilt, refused, reloads;
	double entries;
};

/* The blacklist's new source, when a dry run did not write it. */
struct pfa_maps_pending {
	char *data;
	size_t len;
};

/*
 * Table T: unchanged (a stat), checked, rebuilt aside and swapped in, or
 * a reload requested; every outcome is a finding, a log line and a count
 * in RN.  PEND, if not NULL, is the source a dry run would have written.
 */
void pfa_maps_table(struct pfa_maps_run *rn, const struct pfa_maptable *t,
    const struct pfa_maps_pending *pend);

/* The shrink rule for T going from OLD's entries to ENTRIES: true (and a
 * PFA-MAP-003 finding, one more refused) if refused. */
bool pfa_maps_shrink_refused(struct pfa_maps_run *rn,
    const struct pfa_maptable *t, const struct pfa_maprec *old,
    size_t entries);

/* "task=rebuild-maps event=EVENT table=SPEC EXTRA" at PRIO. */
void pfa_maps_log(struct pfa_maps_run *rn, int prio, const char *event,
    const struct pfa_maptable *t, const char *extra);

#endif
