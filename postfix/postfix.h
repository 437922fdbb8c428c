/*
 * postfix.h - the only module that knows Postfix's commands and paths.
 *
 * Every command runs through the exec service as
 * COMMAND_DIRECTORY/<cmd> -c CONFIG_DIRECTORY ..., so a non-default
 * instance works exactly like the default one.  The module owns the one
 * configuration view of the run (cfview.h): parameters (postconf -x),
 * master.cf services and their -o overrides (postconf -F, -P), main.cf as
 * written (postconf -n) and Postfix's defaults (postconf -dx), each loaded
 * on first use and cached until pfa_postfix_invalidate().  Failures are
 * logged here once.  Reloading is not here: only the reload gate may, and
 * it uses reload.h.
 */
#ifndef PFA_POSTFIX_H
#define PFA_POSTFIX_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "cfview.h"
#include "exec.h"

struct pfa_postfix;

struct pfa_postfix *pfa_postfix_new(const char *config_dir,
    const char *command_dir);
void pfa_postfix_free(struct pfa_postfix *pf);
const char *pfa_postfix_config_dir(const struct pfa_postfix *pf);

/*
 * Runs COMMAND_DIR/CMD -c CONFIG_DIR ARGS... (ARGS NULL-terminated).
 * Same return convention as pfa_exec.
 */
int pfa_postfix_run(struct pfa_postfix *pf, const char *cmd,
    const char *const args[], const struct pfa_exec_opts *opts,
    struct pfa_exec_result *res);

/* Parts of the configuration view. */
#define PFA_VIEW_PARAMS		0x01	/* postconf -x: every parameter, expanded */
#define PFA_VIEW_RAW		0x02	/* postconf -n: main.cf as written */
#define PFA_VIEW_DEFAULTS	0x04	/* postconf -dx: Postfix's defaults */
#define PFA_VIEW_SERVICES	0x08	/* postconf -F, -P: master.cf (implies
					 * PARAMS: overrides refer to them) */
#define PFA_VIEW_ALL		0x0f

/*
 * The configuration view with at least PARTS loaded (each part is run
 * once per run), or NULL if postconf failed (pfa_postfix_error says why).
 * Owned by PF; valid until pfa_postfix_invalidate() or pfa_postfix_free().
 */
const struct pfa_cfview *pfa_postfix_view(struct pfa_postfix *pf,
    unsigned parts);

/*
 * The expanded value of parameter NAME (from the view); NULL if postconf
 * failed or the parameter is unknown.  "" for an empty value.
 */
const char *pfa_postfix_param(struct pfa_postfix *pf, const char *name);
/* Why the last postconf failed, or NULL. */
const char *pfa_postfix_error(const struct pfa_postfix *pf);
/* Drops the view (after files Postfix reads changed); the defaults stay. */
void pfa_postfix_invalidate(struct pfa_postfix *pf);

/* 1 running, 0 not running, -1 could not tell (logged). */
int pfa_postfix_running(struct pfa_postfix *pf);
/*
 * When the running master process started (queue_directory/pid/master.pid,
 * checked against /proc: a master, not a zombie), or 0 if it is not
 * running or cannot be told.  Cheaper than pfa_postfix_running (no
 * `postfix status`), for a check that runs every minute.
 */
time_t pfa_postfix_master_started(struct pfa_postfix *pf);

/* The outcome of Postfix's own checks. */
struct pfa_postfix_check {
	bool ok;		/* postfix check exited 0 */
	char *check_output;	/* what postfix check printed (on a pty) */
	char **warnings;	/* postconf -n warnings, NULL-terminated */
	size_t nwarnings;
};
/* 0 when the checks could be run (see out->ok), -1 otherwise (logged). */
int pfa_postfix_check(struct pfa_postfix *pf, struct pfa_postfix_check *out);
void pfa_postfix_check_free(struct pfa_postfix_check *c);

/*
 * Postfix's log file: maillog_file if set, else FALLBACK (the configured
 * postfix.log_file).  Never NULL.
 */
const char *pfa_postfix_log_file(struct pfa_postfix *pf, const char *fallback);

#endif
