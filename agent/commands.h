/*
 * commands.h - `pfagent list`, `status` and `help TASK`
 * (agent/commands.c).
 */
#ifndef PFA_COMMANDS_H
#define PFA_COMMANDS_H

#include <stdbool.h>

#include "config.h"

/* Every task, its interval, last run, last status, next due.  Exit 0. */
int pfa_cmd_list(const struct pfa_config *cfg, bool json);
/* The last outcome of every task; exits with the worst recorded status. */
int pfa_cmd_status(const struct pfa_config *cfg, bool json);

/*
 * Runs task T's command (`pfagent queue ...`) with ARGC/ARGV (ARGV[0] is
 * the command's name): -n becomes the context's dry run, --json its json.
 * Returns the command's exit code.
 */
struct pfa_task;
int pfa_cmd_task(const struct pfa_config *cfg, const struct pfa_task *t,
    bool dry_run, bool json, int argc, char **argv);

/* What task NAME does, its settings and finding ids ("reload-gate": the
 * gate's and the health check's ids).  0, or -1 for an unknown name. */
int pfa_cmd_help(const char *name);

#endif
