/*
 * commands.h - `pfagent list` and `pfagent status` (agent/commands.c).
 */
#ifndef PFA_COMMANDS_H
#define PFA_COMMANDS_H

#include <stdbool.h>

#include "config.h"

/* Every task, its interval, last run, last status, next due.  Exit 0. */
int pfa_cmd_list(const struct pfa_config *cfg, bool json);
/* The last outcome of every task; exits with the worst recorded status. */
int pfa_cmd_status(const struct pfa_config *cfg, bool json);

#endif
