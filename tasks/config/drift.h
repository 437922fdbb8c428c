/*
 * drift.h - what changed in Postfix's configuration since the last run.
 *
 * Keeps, in DIR (the state directory's "config" subdirectory), the last
 * `postconf -n` and master.cf (-F/-P) snapshots and the last N copies of
 * main.cf and master.cf (main.cf.1 newest ... main.cf.N), and reports each
 * parameter or service that changed (name, old, new) as an INFO finding,
 * and inet_interfaces / inet_protocols changed while Postfix kept running
 * (they need `postfix stop; postfix start`, not a reload) as a WARNING.
 * Ids PFA-DRIFT-*.  Every file is written through the task context's
 * pfa_ctx_write_private (the atomic writer; nothing in a dry run).
 */
#ifndef PFA_DRIFT_H
#define PFA_DRIFT_H

#include <stdbool.h>
#include <time.h>

#include "audit.h"
#include "cfview.h"
#include "result.h"
#include "task.h"

struct pfa_drift_opts {
	const char *dir;		/* where snapshots are kept */
	int keep;			/* copies of main.cf/master.cf, >= 1 */
	struct pfa_ctx *ctx;		/* writes files (in a dry run: none) */
	time_t master_started;		/* when the running master started;
					 * 0 if Postfix is not running */
};

/*
 * Compares V with the last snapshot in OPTS->dir, reports differences,
 * then saves V as the new snapshot and rotates the copies of CONFIG_DIR's
 * main.cf and master.cf.  The first run reports nothing but an INFO
 * "baseline recorded".  0, or -1 after an UNKNOWN finding (the snapshot
 * could not be read or written).
 */
int pfa_drift_run(const struct pfa_cfview *v, const char *config_dir,
    const struct pfa_drift_opts *opts, struct pfa_result *res);

extern const struct pfa_finding_doc pfa_drift_findings[];

#endif
