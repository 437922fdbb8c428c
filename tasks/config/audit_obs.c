/*
 * audit_obs.c - the obsolete and deprecated TLS parameters of the
 * hardening audit (PFA-OBS-*): *_use_tls and *_enforce_tls, the 512-bit
 * DH file, a custom smtpd_tls_dh1024_param_file on Postfix 3.7 and later,
 * and smtpd_tls_eecdh_grade; and a DH parameter file that does not exist
 * (PFA-TLS-015).
 *
 * Reads the configuration view (main.cf values and the -o overrides of
 * smtpd and smtp services in master.cf) and the stat(2) of the DH file;
 * runs no command, opens no file, never logs.  Checks every host whatever its roles.  Findings go
 * to the result through pfa_audit_tls_add(), which also gives the
 * subject ("smtpd_use_tls", or "service/type/parameter" as postconf -P
 * writes it) and keeps one finding per rule and subject; the remedy is a
 * postconf command.  The TLS level that replaces *_use_tls comes from
 * pfa_audit_tls_level(), the one the PFA-TLS-* rules judge.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "audit.h"
#include "remedy.h"

#define INFO	PFA_SEV_INFO
#define WARN	PFA_SEV_WARNING

const struct pfa_finding_doc pfa_audit_obs_findings[] = {
	{ "PFA-OBS-001", WARN, "obsolete *_use_tls or *_enforce_tls set" },
	{ "PFA-OBS-002", WARN, "smtpd_tls_dh512_param_file set (ignored)" },
	{ "PFA-OBS-003", INFO, "custom smtpd_tls_dh1024_param_file (3.7+)" },
	{ "PFA-OBS-004", INFO, "smtpd_tls_eecdh_grade set (deprecated)" },
	{ NULL, 0, NULL },
};

#define LEVEL_SRV	"smtpd_tls_security_level"
#define LEVEL_CLI	"smtp_tls_security_level"

/* A check of one parameter in one context: main.cf (S NULL) or S. */
typedef void (*check_fn)(const struct pfa_cfview *, const struct pfa_cfsvc *,
    const char *, struct pfa_result *);

static bool
empty(const char *s)
{
	return s == NULL || *s == '\0';
}

/* P as main.cf or service S writes it, NULL when not set there. */
static const char *
setting(const struct pfa_cfview *v, const struct pfa_cfsvc *s, const char *p)
{
	return s != NULL ? pfa_cfsvc_opt(s, p) : pfa_cf_raw(v, p);
}

/* The command that sets P to VALUE in main.cf or in service S. */
static char *
set_cmd(const struct pfa_cfview *v, const struct pfa_cfsvc *s, const char *p,
    const char *value)
{
	if (s == NULL)
		return pfa_remedy(v->config_dir, "postconf -e '%s = %s'", p,
		    value);
	return pfa_remedy(v->config_dir, "postconf -P '%s/%s/%s=%s'", s->name,
	    s->type, p, value);
}

/* The command that removes P from main.cf or from service S. */
static char *
unset_cmd(const struct pfa_cfview *v, const struct pfa_cfsvc *s, const char *p)
{
	if (s == NULL)
		return pfa_remedy(v->config_dir, "postconf -X %s", p);
	return pfa_remedy(v->config_dir, "postconf -PX '%s/%s/%s'", s->name,
	    s->type, p);
}

static void
check_use_tls(const struct pfa_cfview *v, const struct pfa_cfsvc *s,
    const char *p, struct pfa_result *res)
{
	if (setting(v, s, p) == NULL)
		return;
	bool client = strncmp(p, "smtpd_", 6) != 0;
	const char *lp = client ? LEVEL_CLI : LEVEL_SRV;
	const char *l = pfa_audit_tls_level(v, s, client);
	char *rem = unset_cmd(v, s, p);
	if (empty(setting(v, s, lp)) && strcasecmp(l, "none") != 0) {
		char *set = set_cmd(v, s, lp, l), *both;
		both = pfa_xasprintf("%s && %s", set, rem);
		free(set);
		free(rem);
		rem = both;
	}
	pfa_audit_tls_add(res, WARN, "PFA-OBS-001", s, p, rem, "%s is "
	    "obsolete (postconf warns from Postfix 3.9): say %s = %s instead",
	    p, lp, l);
}

/* Write the file, or stop naming it. */
static char *
missing_dh_remedy(const struct pfa_cfview *v, const struct pfa_cfsvc *s,
    const char *p)
{
	char *unset = unset_cmd(v, s, p);
	char *r = pfa_xasprintf("pfagent run rotate-dh (it writes the file), "
	    "or: %s", unset);
	free(unset);
	return r;
}

static void
check_dh(const struct pfa_cfview *v, const struct pfa_cfsvc *s,
    const char *p, struct pfa_result *res)
{
	const char *val = setting(v, s, p);
	struct stat st;
	if (empty(val))
		return;
	if (strstr(p, "dh512") != NULL) {
		pfa_audit_tls_add(res, WARN, "PFA-OBS-002", s, p,
		    unset_cmd(v, s, p), "%s = %s: 512-bit export DH is %s; remove "
		    "the setting and the file", p, val,
		    pfa_cf_version_ge(v, 3, 6) ?
		    "silently ignored since Postfix 3.6" : "obsolete");
		return;
	}
	if (strcasecmp(val, "auto") != 0 && val[0] == '/' &&
	    stat(val, &st) < 0 && errno == ENOENT)
		pfa_audit_tls_add(res, WARN, "PFA-TLS-015", s, p,
		    missing_dh_remedy(v, s, p), "%s = %s: the file does not "
		    "exist; Postfix logs a warning on every TLS session and "
		    "falls back to its built-in group", p, val);
	if (pfa_cf_version_ge(v, 3, 7) && strcasecmp(val, "auto") != 0)
		pfa_audit_tls_add(res, INFO, "PFA-OBS-003", s, p,
		    unset_cmd(v, s, p), "%s = %s: with Postfix 3.7 and OpenSSL 3 "
		    "an empty value lets OpenSSL pick a DH group to suit the "
		    "certificate (2048 bits or more); custom parameters are no "
		    "longer recommended (postconf(5)). Keep the file only if "
		    "pfagent rotate-dh or an internet.nl ffdhe3072 policy "
		    "manages it", p, val);
}

static void
check_eecdh(const struct pfa_cfview *v, const struct pfa_cfsvc *s,
    const char *p, struct pfa_result *res)
{
	if (setting(v, s, p) != NULL && (v->version[0] == 0 ||
	    pfa_cf_version_ge(v, 3, 6)))
		pfa_audit_tls_add(res, INFO, "PFA-OBS-004", s, p,
		    unset_cmd(v, s, p), "%s is deprecated since Postfix 3.6: "
		    "leave it unset and tune %s instead", p,
		    pfa_cf_get(v, "tls_ffdhe_auto_groups") ?
		    "tls_eecdh_auto_curves and tls_ffdhe_auto_groups" :
		    "tls_eecdh_auto_curves");
}

/* Checks of one parameter, in main.cf and in the services overriding it. */
static const struct {
	const char *param;
	check_fn fn;
} checks[] = {
	{ "smtpd_use_tls", check_use_tls },
	{ "smtpd_enforce_tls", check_use_tls },
	{ "smtp_use_tls", check_use_tls },
	{ "smtp_enforce_tls", check_use_tls },
	{ "smtpd_tls_dh512_param_file", check_dh },
	{ "smtpd_tls_dh1024_param_file", check_dh },
	{ "smtpd_tls_eecdh_grade", check_eecdh },
};

void
pfa_audit_obs(const struct pfa_cfview *v, unsigned roles,
    struct pfa_result *res)
{
	(void)roles;		/* obsolete whatever the host does */
	for (size_t i = 0; i < sizeof(checks) / sizeof(checks[0]); i++) {
		const char *p = checks[i].param;
		/* the daemon whose services may override P */
		const char *cmd = strncmp(p, "smtpd_", 6) == 0 ? "smtpd" :
		    "smtp";
		checks[i].fn(v, NULL, p, res);
		for (size_t j = 0; j < v->nsvcs; j++)
			if (strcmp(v->svcs[j].command, cmd) == 0 &&
			    pfa_cfsvc_opt(&v->svcs[j], p) != NULL)
				checks[i].fn(v, &v->svcs[j], p, res);
	}
}
