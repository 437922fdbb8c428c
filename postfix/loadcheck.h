/*
 * loadcheck.h - the loadability checks: what postconf accepts but a
 * Postfix daemon would die on or answer "451 4.3.5 Server configuration
 * error" for.  One module, run by validate-config and by the reload gate
 * before every reload: a configuration that fails it is never reloaded.
 *
 * Ids PFA-LOAD-*, each naming the parameter (or the table) and the bad
 * value.  What a daemon dies of or fails mail for is a CRITICAL finding
 * and blocks a reload; what Postfix runs with is a WARNING that does not
 * (PFA-LOAD-009 '#' inside a value, PFA-LOAD-018 a database older than
 * its source).
 */
#ifndef PFA_LOADCHECK_H
#define PFA_LOADCHECK_H

#include <stddef.h>

#include "cfview.h"
#include "postfix.h"
#include "result.h"

/*
 * Probes lookup table SPEC ("hash:/etc/postfix/x"): 0 it opens; 1 it
 * opens, but its indexed database is older than its source file; -1 it
 * does not open.  On 1 and -1 *why may be set: what postmap said, free
 * it.  The seam for unit tests.
 */
typedef int (*pfa_table_probe)(void *arg, const char *spec, char **why);

/*
 * postmap -q through PF: -1 when postmap says fatal: about the table (one
 * about main.cf is left to PFA-LOAD-017), warns that it cannot open it
 * ("open database", "unsupported dictionary type", "No such file"), or
 * does not finish; 1 when it warns "database ... is older than source
 * file"; else 0.  A regexp, pcre or cidr table's warning about one line
 * is not a failure: Postfix skips that rule and goes on.
 */
int pfa_loadcheck_probe_postmap(void *pf, const char *spec, char **why);

/*
 * Runs every check on V, probing tables with PROBE (NULL: tables are not
 * probed).  Returns the number of problems that must block a reload: the
 * CRITICAL findings it added (WARNING ones are not counted).
 */
int pfa_loadcheck(const struct pfa_cfview *v, pfa_table_probe probe,
    void *probe_arg, struct pfa_result *res);

/*
 * Everything, on real Postfix: pfa_loadcheck with the postmap probe, then
 * whether Postfix's programs start at all with this main.cf
 * (PFA-LOAD-017).  What validate-config runs.
 */
int pfa_loadcheck_all(const struct pfa_cfview *v, struct pfa_postfix *pf,
    struct pfa_result *res);

/* The reload gate's validator: loads the view from PF and runs the
 * checks with the postmap probe. */
int pfa_loadcheck_gate(struct pfa_postfix *pf, struct pfa_result *res);

extern const struct pfa_finding_doc pfa_loadcheck_findings[];

#endif
