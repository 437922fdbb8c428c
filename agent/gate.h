/*
 * gate.h - the reload gate: validate, reload once, check health, or roll
 * back.
 *
 * Before the first change to a file Postfix reads (pfa_ctx_replace calls
 * it), pfa_gate_baseline records Postfix's own warnings.
 * After the tasks, if any file changed or a reload was wanted, the gate
 * validates (postfix check, postconf warnings new since the baseline, and
 * the loadability checks, postfix/loadcheck.h); if valid and Postfix is running and
 * postfix.reload is true, it reloads once and then checks health: master
 * still running, every loopback smtpd listener answers 220, no fatal: or
 * panic: in Postfix's log since the reload.  If validation fails, every
 * changed file is restored from its kept version, validation runs again,
 * and nothing is reloaded.  If health fails, files are restored, Postfix
 * is reloaded again and checked again.  Either is CRITICAL.  The gate
 * never starts a Postfix that is not running.
 */
#ifndef PFA_GATE_H
#define PFA_GATE_H

#include <stdbool.h>

#include "config.h"
#include "postfix.h"
#include "result.h"

/* The gate's finding ids (PFA-GATE-*). */
extern const struct pfa_finding_doc pfa_gate_findings[];

struct pfa_gate {
	bool baseline_tried;
	bool have_baseline;
	char **baseline_warnings;	/* NULL-terminated */
	bool baseline_check_ok;
};

struct pfa_gate_outcome {
	bool needed;		/* a file changed or a reload was wanted */
	bool checked;		/* the configuration was validated at all */
	bool validated;		/* ... and passed */
	bool running_known;	/* whether Postfix runs was asked */
	bool running;		/* ... and it was running */
	bool reloaded;		/* Postfix was reloaded (also when a rollback
				 * and a second reload followed) */
	bool rolled_back;	/* changed files were put back */
	bool healthy;		/* health check after reload passed */
	struct pfa_result res;	/* the gate's own findings */
};

void pfa_gate_init(struct pfa_gate *g);
void pfa_gate_free(struct pfa_gate *g);
void pfa_gate_outcome_free(struct pfa_gate_outcome *o);

/* Records Postfix's warnings before anything changes. */
void pfa_gate_baseline(struct pfa_gate *g, struct pfa_postfix *pf);

/*
 * Acts on the task results (RESULTS[0..N-1], NULL entries skipped).  May
 * restore files: the results' changes are marked by clearing nothing; the
 * outcome says what happened.
 */
void pfa_gate_run(struct pfa_gate *g, const struct pfa_config *cfg,
    struct pfa_postfix *pf, struct pfa_result *const results[], size_t n,
    bool dry_run, struct pfa_gate_outcome *out);

#endif
