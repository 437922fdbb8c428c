/*
 * state.h - the state file: STATEDIR/state.json, replaced atomically.
 *
 * {"format": "pfagent-state", "version": 1, "runs": [T, ...], "tasks":
 * {NAME: {"last_run": T, "next_due": T, "status": "ok", "result": {...},
 * "data": {...}}}}  ("runs": when the last runs started, newest first)
 * "result" is the task's last result in the --json shape; "data" is the
 * task's private state (log offsets, snapshots).  A corrupt, truncated or
 * foreign state file is reported, set aside as state.json.corrupt-EPOCH and
 * treated as "never run"; it never crashes the run.
 */
#ifndef PFA_STATE_H
#define PFA_STATE_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "result.h"

struct pfa_state {
	char *path;
	json_object *root;
	bool was_corrupt;	/* set aside during load */
};

/* 0 loaded (or fresh); -1 could not read at all (logged). */
int pfa_state_load(struct pfa_state *st, const char *statedir);
/* Atomic replace of the file; 0 or -1 (logged). */
int pfa_state_save(struct pfa_state *st);
void pfa_state_free(struct pfa_state *st);

/* The task's private object (created on demand, owned by ST). */
json_object *pfa_state_data(struct pfa_state *st, const char *task);
/* Replaces the task's private object with DATA (ST takes it over). */
void pfa_state_set_data(struct pfa_state *st, const char *task,
    json_object *data);
/* 0 if never run. */
time_t pfa_state_last_run(struct pfa_state *st, const char *task);
time_t pfa_state_next_due(struct pfa_state *st, const char *task);
/* The last status; returns false if never run. */
bool pfa_state_last_status(struct pfa_state *st, const char *task,
    enum pfa_status *out);
/* The last result object in --json shape, or NULL. */
json_object *pfa_state_last_result(struct pfa_state *st, const char *task);

/* How many run starts the state keeps (pfa_state_runs). */
#define PFA_STATE_RUNS 8

/*
 * The start times of the last runs (not dry runs), newest first, into
 * TIMES (PFA_STATE_RUNS of them at most); returns how many.  Times in
 * the future or before 2000 are left out (a clock that jumped).
 */
size_t pfa_state_runs(struct pfa_state *st, time_t times[PFA_STATE_RUNS]);
/* Records that a run started at NOW. */
void pfa_state_add_run(struct pfa_state *st, time_t now);

/* Records a finished run of TASK. */
void pfa_state_record(struct pfa_state *st, const char *task, time_t now,
    int64_t every, const struct pfa_result *res);

#endif
