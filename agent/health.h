/*
 * health.h - is Postfix healthy after a reload?
 *
 * `postfix reload` only sends a signal; a configuration that makes a
 * daemon die is seen only when the daemon starts.  The check: the master
 * is still running, every loopback smtpd/postscreen listener in master.cf
 * that is not disabled and does not speak TLS first answers with a 220
 * banner, and Postfix's log shows no "fatal:" or
 * "panic:" since the mark taken before the reload.  Problems become
 * CRITICAL findings (with the log lines that explain them) in a result.
 */
#ifndef PFA_HEALTH_H
#define PFA_HEALTH_H

#include <stdbool.h>
#include <sys/types.h>

#include "postfix.h"
#include "result.h"

/* The health check's finding ids (PFA-HEALTH-*). */
extern const struct pfa_finding_doc pfa_health_findings[];

/* The log's current size (the mark), or -1 if it cannot be read. */
off_t pfa_health_mark(const char *logfile);

/*
 * Waits WAIT seconds, then checks.  Returns true if healthy; findings
 * (and an info finding for anything that could not be checked) go to RES.
 */
bool pfa_health_check(struct pfa_postfix *pf, const char *logfile, off_t mark,
    int wait, struct pfa_result *res);

#endif
