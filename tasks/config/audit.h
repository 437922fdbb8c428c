/*
 * audit.h - the hardening audit: host roles and the rule modules.
 *
 * Every rule reads a configuration view (cfview.h) and adds findings to a
 * result; none runs a command.  A rule has a stable id (PFA-<AREA>-NNN), a
 * severity that may depend on the host's role, a subject (the parameter,
 * service or file), a plain message and, where one exists, a remedy a
 * person can paste (`postconf -e '...'`).  Each module also exports a
 * table documenting its rules, which the man page must cover (a unit test
 * checks that).
 */
#ifndef PFA_AUDIT_H
#define PFA_AUDIT_H

#include <stdbool.h>
#include <stddef.h>

#include "cfview.h"
#include "listener.h"
#include "result.h"
#include "role.h"


/*
 * Relay safety (audit_relay.c): PFA-RELAY-*: the order of the relay
 * restrictions, mynetworks and mynetworks_style.
 */
void pfa_audit_relay(const struct pfa_cfview *v, unsigned roles,
    struct pfa_result *res);
extern const struct pfa_finding_doc pfa_audit_relay_findings[];

/*
 * smtpd exposure, content and header privacy, master.cf services
 * (audit_smtpd.c): PFA-SMTPD-*, PFA-PRIV-*, PFA-MASTER-*.
 */
void pfa_audit_smtpd(const struct pfa_cfview *v, unsigned roles,
    struct pfa_result *res);
extern const struct pfa_finding_doc pfa_audit_smtpd_findings[];

/* Obsolete and deprecated parameters (audit_obs.c): PFA-OBS-*. */
void pfa_audit_obs(const struct pfa_cfview *v, unsigned roles,
    struct pfa_result *res);
extern const struct pfa_finding_doc pfa_audit_obs_findings[];

/* TLS settings (audit_tls.c): PFA-TLS-*. */
void pfa_audit_tls(const struct pfa_cfview *v, unsigned roles,
    struct pfa_result *res);
extern const struct pfa_finding_doc pfa_audit_tls_findings[];
/*
 * Shared with audit_obs.c.  The TLS level of the server (or CLIENT) in
 * main.cf (S NULL) or service S: *_tls_security_level, else what the
 * obsolete *_enforce_tls / *_use_tls give ("encrypt", "may", "none").
 */
const char *pfa_audit_tls_level(const struct pfa_cfview *v,
    const struct pfa_cfsvc *s, bool client);
/*
 * Adds a finding about parameter P in main.cf (S NULL) or in service S
 * (subject "service/type/P"), once per rule and subject.  Frees REMEDY.
 */
void pfa_audit_tls_add(struct pfa_result *res, enum pfa_sev sev,
    const char *id, const struct pfa_cfsvc *s, const char *p, char *remedy,
    const char *fmt, ...) __attribute__((format(printf, 7, 8)));

/*
 * The SASL relayhost client (audit_sasl.c): PFA-SASL-*.  Reads the
 * password file's and its database's mode and mtime with stat(2).
 */
void pfa_audit_sasl(const struct pfa_cfview *v, unsigned roles,
    struct pfa_result *res);
extern const struct pfa_finding_doc pfa_audit_sasl_findings[];

/* validate-config's own rules (validate_config.c): PFA-CFG-*. */
extern const struct pfa_finding_doc pfa_cfg_findings[];

#endif
