/*
 * audit_int.h - what the smtpd-side audit modules share: audit_relay.c
 * (PFA-RELAY-*) and audit_smtpd.c (PFA-SMTPD-*, PFA-PRIV-*,
 * PFA-MASTER-*).  Not for other modules: they use audit.h.
 *
 * The helpers live in audit_smtpd.c.  Like the rules that call them they
 * read only the configuration view, run nothing and never log.
 */
#ifndef PFA_AUDIT_INT_H
#define PFA_AUDIT_INT_H

#include "audit.h"

/* The roles with a listener beyond loopback. */
#define PFA_AUDIT_PUBLIC_ROLES \
	(PFA_ROLE_MX | PFA_ROLE_SUBMISSION | PFA_ROLE_RELAY)
/* ROLES listen beyond loopback: 0 is a listener on some other port. */
#define PFA_AUDIT_PUBLIC(roles) \
	((roles) == 0 || ((roles) & PFA_AUDIT_PUBLIC_ROLES))

/*
 * Adds finding ID of severity SEV about master.cf service S (subject
 * "name/type") with message MSG; when FIX is not NULL the remedy (for V's
 * instance) sets PARAM = FIX on S, or, when FIX has spaces (postconf -P refuses them),
 * drops the override and sets main.cf.
 */
void pfa_audit_add_svc(const struct pfa_cfview *v, struct pfa_result *res,
    enum pfa_sev sev, const char *id, const struct pfa_cfsvc *s,
    const char *param, const char *fix, const char *msg);

#endif
