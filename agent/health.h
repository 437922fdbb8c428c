/*
 * health.h - is Postfix healthy after a reload?
 *
 * `postfix reload` only sends a signal; a configuration that makes a
 * daemon die is seen only when the daemon starts.  The check: the master
 * is still running, every loopback smtpd/postscreen listener in master.cf
 * that is not disabled and does not speak TLS first answers with a 220
 * banner, and Postfix's log (its file, or the journal on a host without
 * one) shows no "fatal:" or "panic:" from this instance since the mark
 * taken before the reload.  Problems become
 * CRITICAL findings (with the log lines that explain them) in a result.
 */
#ifndef PFA_HEALTH_H
#define PFA_HEALTH_H

#include <stdbool.h>
#include <sys/types.h>

#include "maillog.h"
#include "postfix.h"
#include "result.h"

/* The health check's finding ids (PFA-HEALTH-*). */
extern const struct pfa_finding_doc pfa_health_findings[];

/* Where the log is now (the mark): LOGFILE's size, or the journal's
 * last entry when LOGFILE does not exist.  0, or -1 if neither can be
 * read (the check then says so).  Free with pfa_maillog_mark_free. */
int pfa_health_mark(const char *logfile, struct pfa_maillog_mark *m);

/*
 * Waits WAIT seconds, then checks.  Returns true if healthy; findings
 * (and an info finding for anything that could not be checked) go to RES.
 */
bool pfa_health_check(struct pfa_postfix *pf, const char *logfile,
    const struct pfa_maillog_mark *mark, int wait, struct pfa_result *res);

#endif
