/*
 * reload.h - `postfix reload`, for the reload gate (agent/gate.c) alone.
 *
 * Kept out of postfix.h so that no task is even handed a way to reload:
 * tasks return results and the gate decides (DESIGN.md).  Implemented in
 * postfix/postfix.c with the other commands.
 */
#ifndef PFA_RELOAD_H
#define PFA_RELOAD_H

#include "postfix.h"

/* 0 reloaded; -1 failed (*why set, free it). */
int pfa_postfix_reload(struct pfa_postfix *pf, char **why);

#endif
