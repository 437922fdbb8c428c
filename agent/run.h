/*
 * run.h - `pfagent run` (agent/run.c): the run sequence from the lock to
 * the exit code.
 */
#ifndef PFA_RUN_H
#define PFA_RUN_H

#include <stdbool.h>

#include "config.h"

/* The command line's say in a run. */
struct pfa_run_opts {
	bool dry_run;		/* -n */
	bool verbose;		/* -v */
	bool quiet;		/* -q */
	bool json;		/* --json */
	bool nagios;		/* --nagios: one task, monitoring-plugin output */
	bool force;		/* --force */
	bool exit_changed;	/* --exit-changed */
};

/* The core's own finding ids (PFA-RUN-*). */
struct pfa_finding_doc;
extern const struct pfa_finding_doc pfa_run_findings[];

/*
 * Runs the NAMES tasks now (NNAMES > 0), or every due task; reloads
 * through the gate; saves the state; reports.  Returns the exit code.
 */
int pfa_cmd_run(const struct pfa_config *cfg, const struct pfa_run_opts *o,
    char **names, int nnames);

#endif
