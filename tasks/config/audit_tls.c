/*
 * audit_tls.c - the TLS part of the hardening audit (PFA-TLS-*): protocol
 * floor, cipher grade, security levels, AUTH without TLS, TLS logging and
 * the server certificate.  Obsolete TLS parameters are audit_obs.c's.
 *
 * Reads the configuration view only (main.cf values and the -o overrides
 * of smtpd and smtp services in master.cf); runs no command, opens no
 * file, never logs.  Findings go to the result through pfa_audit_tls_add
 * (shared with audit_obs.c, as is pfa_audit_tls_level): the subject is the
 * parameter or "service/type/parameter" as postconf -P writes it, one
 * finding per rule and subject; the remedy is a postconf command.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "audit.h"
#include "remedy.h"
#include "tlsparam.h"

#define INFO	PFA_SEV_INFO
#define WARN	PFA_SEV_WARNING
#define CRIT	PFA_SEV_CRITICAL

const struct pfa_finding_doc pfa_audit_tls_findings[] = {
	{ "PFA-TLS-001", CRIT, "SSLv2 or SSLv3 enabled" },
	{ "PFA-TLS-002", WARN, "TLSv1 or TLSv1.1 enabled" },
	{ "PFA-TLS-003", INFO, "retired: a TLS setting Postfix rejects is "
	    "PFA-LOAD-010 or PFA-LOAD-011" },
	{ "PFA-TLS-004", CRIT, "cipher grade export, low or null" },
	{ "PFA-TLS-005", INFO, "tls_preempt_cipherlist = no" },
	{ "PFA-TLS-006", WARN, "no STARTTLS on an MX or submission service" },
	{ "PFA-TLS-007", WARN, "public MX requires TLS (RFC 3207)" },
	{ "PFA-TLS-008", WARN, "outbound TLS disabled" },
	{ "PFA-TLS-009", WARN, "AUTH before STARTTLS allowed" },
	{ "PFA-TLS-010", INFO, "TLS logging off (loglevel 0)" },
	{ "PFA-TLS-011", INFO, "TLS loglevel above 2: too verbose" },
	{ "PFA-TLS-012", WARN, "server TLS on without a certificate" },
	{ "PFA-TLS-013", INFO, "Debian snakeoil certificate in public use" },
	{ "PFA-TLS-014", INFO, "tls_ssl_options lacks hardening options" },
	{ "PFA-TLS-015", WARN, "the DH parameter file Postfix is told to read "
	    "does not exist" },
	{ NULL, 0, NULL },
};

#define LEVEL_SRV	"smtpd_tls_security_level"
#define LEVEL_CLI	"smtp_tls_security_level"
#define SNAKEOIL	"ssl-cert-snakeoil"
#define CERT_REMEDY	"postfix tls deploy-server-cert /path/to/cert.pem " \
			"/path/to/key.pem"

/* A check of one parameter in one context: main.cf (S NULL) or S. */
typedef void (*check_fn)(const struct pfa_cfview *, const struct pfa_cfsvc *,
    const char *, struct pfa_result *);

/* ------------------------------------------------------------ helpers */

static bool
has_finding(const struct pfa_result *res, const char *id, const char *subj)
{
	for (size_t i = 0; i < res->nfindings; i++)
		if (strcmp(res->findings[i].id, id) == 0 &&
		    strcmp(res->findings[i].subject, subj) == 0)
			return true;
	return false;
}

/* Adds a finding about P in main.cf (S NULL) or in service S, once per
 * rule and subject.  Frees REMEDY. */
void
pfa_audit_tls_add(struct pfa_result *res, enum pfa_sev sev, const char *id,
    const struct pfa_cfsvc *s, const char *p, char *remedy,
    const char *fmt, ...)
{
	char subj[256], msg[768];
	if (s != NULL)
		snprintf(subj, sizeof(subj), "%s/%s/%s", s->name, s->type, p);
	else
		snprintf(subj, sizeof(subj), "%s", p);
	if (!has_finding(res, id, subj)) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(msg, sizeof(msg), fmt, ap);
		va_end(ap);
		pfa_result_add_finding(res, sev, id, subj, remedy, "%s", msg);
	}
	free(remedy);
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

/* S if it overrides P, else NULL (the finding is about main.cf). */
static const struct pfa_cfsvc *
owner(const struct pfa_cfsvc *s, const char *p)
{
	return s != NULL && pfa_cfsvc_opt(s, p) != NULL ? s : NULL;
}

static bool
empty(const char *s)
{
	return s == NULL || *s == '\0';
}

/*
 * Runs FN on main.cf's P, then on every override of P by a service of
 * P's daemon (smtpd_* in smtpd services, smtp_* in smtp services).
 */
static void
each_ctx(const struct pfa_cfview *v, const char *p, check_fn fn,
    struct pfa_result *res)
{
	fn(v, NULL, p, res);
	const char *cmd = strncmp(p, "smtpd_", 6) == 0 ? "smtpd" :
	    strncmp(p, "smtp_", 5) == 0 ? "smtp" : NULL;
	for (size_t i = 0; cmd != NULL && i < v->nsvcs; i++)
		if (strcmp(v->svcs[i].command, cmd) == 0 &&
		    pfa_cfsvc_opt(&v->svcs[i], p) != NULL)
			fn(v, &v->svcs[i], p, res);
}

/* The TLS level of the server (or CLIENT) in context S: the level
 * parameter, else what the obsolete *_enforce_tls / *_use_tls give
 * (enforce with the default peername check is "verify" for the client;
 * "encrypt" is close enough here). */
const char *
pfa_audit_tls_level(const struct pfa_cfview *v, const struct pfa_cfsvc *s,
    bool client)
{
	const char *l = pfa_cfsvc_get(v, s, client ? LEVEL_CLI : LEVEL_SRV);
	if (!empty(l))
		return l;
	if (pfa_cf_value_yes(pfa_cfsvc_get(v, s, client ? "smtp_enforce_tls" :
	    "smtpd_enforce_tls")))
		return "encrypt";
	if (pfa_cf_value_yes(pfa_cfsvc_get(v, s, client ? "smtp_use_tls" :
	    "smtpd_use_tls")))
		return "may";
	return "none";
}

static bool
wrapper(const struct pfa_cfview *v, const struct pfa_cfsvc *s)
{
	return pfa_cf_value_yes(pfa_cfsvc_get(v, s, "smtpd_tls_wrappermode"));
}

/* ---------------------------------------------------------- protocols */

/* The floor to recommend, in the syntax this Postfix understands. */
static const char *
floor_value(const struct pfa_cfview *v)
{
	return pfa_cf_version_ge(v, 3, 6) ? ">=TLSv1.2" :
	    "!SSLv2,!SSLv3,!TLSv1,!TLSv1.1";
}

/* true if the SMTP client requires TLS somewhere: a mandatory level, or
 * a policy table that may name one. */
static bool
outbound_mandatory(const struct pfa_cfview *v)
{
	static const char *const levels[] = { "encrypt", "dane-only",
		"fingerprint", "verify", "secure", NULL };
	const char *l = pfa_cf_get(v, "smtp_tls_security_level");
	const char *pm = pfa_cf_get(v, "smtp_tls_policy_maps");
	for (size_t i = 0; l && levels[i]; i++)
		if (strcasecmp(l, levels[i]) == 0)
			return true;
	return pm != NULL && *pm != '\0';
}

/*
 * true if smtpd requires TLS where its mandatory protocol list applies:
 * the level of S is encrypt, or, for main.cf's list (S NULL), main.cf's
 * level, or that of an smtpd service that does not override the list.
 */
static bool
inbound_mandatory(const struct pfa_cfview *v, const struct pfa_cfsvc *s)
{
	if (s != NULL)
		return strcasecmp(pfa_audit_tls_level(v, s, false),
		    "encrypt") == 0;
	if (strcasecmp(pfa_audit_tls_level(v, NULL, false), "encrypt") == 0)
		return true;
	for (size_t i = 0; i < v->nsvcs; i++) {
		const struct pfa_cfsvc *x = &v->svcs[i];
		if (strcmp(x->command, "smtpd") == 0 &&
		    pfa_cfsvc_opt(x, "smtpd_tls_mandatory_protocols") == NULL &&
		    strcasecmp(pfa_audit_tls_level(v, x, false), "encrypt") == 0)
			return true;
	}
	return false;
}

static void
check_protocols(const struct pfa_cfview *v, const struct pfa_cfsvc *s,
    const char *p, struct pfa_result *res)
{
	const char *val = pfa_cfsvc_get(v, s, p);
	if (val == NULL)
		return;
	int m = pfa_tls_protocols(val);
	char names[64];
	/* a list Postfix rejects is the loadability checks' PFA-LOAD-010 */
	if (m < 0)
		return;
	if (m & PFA_TLS_SSL) {
		pfa_audit_tls_add(res, CRIT, "PFA-TLS-001", s, p,
		    set_cmd(v, s, p, floor_value(v)), "%s%s enables %s (broken: "
		    "DROWN, POODLE); OpenSSL 3 on Debian no longer offers "
		    "SSLv3, but the setting must not rely on the library", p,
		    *val ? "" : " (empty: every protocol)",
		    pfa_tls_protocol_names((unsigned)m & PFA_TLS_SSL, names,
		    sizeof(names)));
	} else if (m & PFA_TLS_OLD) {
		/* outbound opportunistic TLS: an old peer gets plaintext;
		 * a mandatory list matters only where TLS is required (and
		 * has no effect elsewhere: no warning then) */
		bool in_opt = strcmp(p, "smtpd_tls_mandatory_protocols") == 0 &&
		    !inbound_mandatory(v, s);
		bool opp = strcmp(p, "smtp_tls_protocols") == 0 ||
		    (strcmp(p, "smtp_tls_mandatory_protocols") == 0 &&
		    !outbound_mandatory(v)) || in_opt;
		pfa_audit_tls_add(res, opp ? INFO : WARN, "PFA-TLS-002",
		    s, p, set_cmd(v, s, p, floor_value(v)),
		    "%s enables %s, deprecated by RFC 8996%s", p,
		    pfa_tls_protocol_names((unsigned)m & PFA_TLS_OLD, names,
		    sizeof(names)), in_opt ? "; it has no effect here: it "
		    "applies only where smtpd requires TLS "
		    "(smtpd_tls_security_level = encrypt)" : opp ? "; optional "
		    "while outbound TLS is opportunistic, where refusing them "
		    "sends to old servers in plaintext" : "");
	}
}

/* ------------------------------------------------------------ ciphers */

static void
check_ciphers(const struct pfa_cfview *v, const struct pfa_cfsvc *s,
    const char *p, struct pfa_result *res)
{
	const char *val = pfa_cfsvc_get(v, s, p);
	if (val == NULL || strcasecmp(val, "medium") == 0 ||
	    strcasecmp(val, "high") == 0)
		return;
	/* what is no grade at all is the loadability checks' PFA-LOAD-011 */
	if (!pfa_tls_grade_ok(val))
		return;
	char *rem = set_cmd(v, s, p, "medium");
	bool v38 = pfa_cf_version_ge(v, 3, 8);	/* weak grades mean medium */
	if (strcasecmp(val, "null") == 0)
		pfa_audit_tls_add(res, CRIT, "PFA-TLS-004", s, p, rem,
		    "%s = null allows only NULL ciphers: authentication "
		    "without encryption", p);
	else
		pfa_audit_tls_add(res, v38 ? INFO : CRIT, "PFA-TLS-004",
		    s, p, rem, "%s = %s %s", p, val, v38 ? "is treated as "
		    "medium since Postfix 3.8; say what is meant" : "enables "
		    "insecure ciphers (export, DES, RC4); postconf(5): "
		    "\"SHOULD NOT be used\"");
}

/* ---------------------------------------------------- server levels */

/* The smtpd that receives the MX traffic: "smtp inet", or postscreen's. */
static const struct pfa_cfsvc *
mx_service(const struct pfa_cfview *v)
{
	const struct pfa_cfsvc *s = pfa_cfview_service(v, "smtp", "inet");
	if (s != NULL && strcmp(s->command, "smtpd") == 0)
		return s;
	for (size_t i = 0; i < v->nsvcs; i++)
		if (strcmp(v->svcs[i].type, "pass") == 0 &&
		    strcmp(v->svcs[i].command, "smtpd") == 0)
			return &v->svcs[i];
	return NULL;
}

static bool
is_submission(const struct pfa_cfsvc *s)
{
	static const char *const ports[] = {
		"submission", "submissions", "smtps", "587", "465", NULL,
	};
	if (strcmp(s->type, "inet") != 0 || strcmp(s->command, "smtpd") != 0)
		return false;
	const char *port = strrchr(s->name, ':');
	port = port ? port + 1 : s->name;
	for (size_t i = 0; ports[i]; i++)
		if (strcmp(port, ports[i]) == 0)
			return true;
	return false;
}

static void
check_level(const struct pfa_cfview *v, const struct pfa_cfsvc *s, bool mx,
    struct pfa_result *res)
{
	if (wrapper(v, s))
		return;		/* smtps: TLS from the first byte */
	const char *l = pfa_audit_tls_level(v, s, false);
	const struct pfa_cfsvc *o = owner(s, LEVEL_SRV);
	const char *name = s ? s->name : "smtpd";
	if (strcasecmp(l, "none") == 0)
		pfa_audit_tls_add(res, WARN, "PFA-TLS-006", o, LEVEL_SRV,
		    set_cmd(v, o, LEVEL_SRV, mx || o == NULL ? "may" : "encrypt"),
		    "%s offers no STARTTLS: mail%s crosses the network in "
		    "clear", name, mx ? "" : " and passwords");
	else if (mx && strcasecmp(l, "encrypt") == 0)
		pfa_audit_tls_add(res, WARN, "PFA-TLS-007", o, LEVEL_SRV,
		    set_cmd(v, o, LEVEL_SRV, "may"), "%s, the public MX, "
		    "requires STARTTLS: RFC 3207 forbids that for a publicly "
		    "referenced server, and senders without TLS are refused; "
		    "require TLS on submission only (-o %s=encrypt)", name,
		    LEVEL_SRV);
}

static void
check_levels(const struct pfa_cfview *v, unsigned roles,
    struct pfa_result *res)
{
	if (roles & PFA_ROLE_MX)
		check_level(v, mx_service(v), true, res);
	if (!(roles & PFA_ROLE_SUBMISSION))
		return;
	bool found = false;
	for (size_t i = 0; i < v->nsvcs; i++)
		if (is_submission(&v->svcs[i])) {
			check_level(v, &v->svcs[i], false, res);
			found = true;
		}
	if (!found)
		check_level(v, NULL, false, res);
}

/* --------------------------------------- per smtpd service contexts */

/* AUTH before STARTTLS, and the certificate, in context S. */
static void
check_server_ctx(const struct pfa_cfview *v, const struct pfa_cfsvc *s,
    unsigned roles, struct pfa_result *res)
{
	const char *l = pfa_audit_tls_level(v, s, false);
	bool mandatory = wrapper(v, s) || strcasecmp(l, "encrypt") == 0;
	bool tls = mandatory || strcasecmp(l, "none") != 0;
	if (pfa_cf_value_yes(pfa_cfsvc_get(v, s, "smtpd_sasl_auth_enable")) &&
	    !pfa_cf_value_yes(pfa_cfsvc_get(v, s, "smtpd_tls_auth_only")) &&
	    !mandatory) {
		const char *p = "smtpd_tls_auth_only";
		const struct pfa_cfsvc *o = owner(s, p) ? s :
		    owner(s, "smtpd_sasl_auth_enable");
		pfa_audit_tls_add(res, WARN, "PFA-TLS-009", o, p,
		    set_cmd(v, o, p, "yes"), "%s offers SASL AUTH before "
		    "STARTTLS: passwords can cross the network in clear",
		    s ? s->name : "smtpd");
	}
	if (!tls)
		return;
	const char *cert = pfa_cfsvc_get(v, s, "smtpd_tls_cert_file");
	const char *chain = pfa_cfsvc_get(v, s, "smtpd_tls_chain_files");
	const char *ec = pfa_cfsvc_get(v, s, "smtpd_tls_eccert_file");
	if (empty(cert) && empty(chain) && empty(ec)) {
		const char *p = "smtpd_tls_cert_file";
		pfa_audit_tls_add(res, WARN, "PFA-TLS-012", owner(s, p), p,
		    pfa_remedy(v->config_dir, "%s", CERT_REMEDY), "%s has TLS on but no "
		    "certificate (smtpd_tls_cert_file, smtpd_tls_chain_files "
		    "empty): Postfix logs \"No server certs available\" and "
		    "offers no TLS", s ? s->name : "smtpd");
	}
	if (!(roles & (PFA_ROLE_MX | PFA_ROLE_SUBMISSION)))
		return;
	const char *p = !empty(chain) && strstr(chain, SNAKEOIL) ?
	    "smtpd_tls_chain_files" : !empty(cert) && strstr(cert, SNAKEOIL) ?
	    "smtpd_tls_cert_file" : NULL;
	if (p != NULL)
		pfa_audit_tls_add(res, INFO, "PFA-TLS-013", owner(s, p), p,
		    pfa_remedy(v->config_dir, "%s", CERT_REMEDY), "%s uses Debian's self-signed "
		    "snakeoil certificate: fine for opportunistic MX TLS, but "
		    "mail clients and DANE/MTA-STS senders cannot verify it",
		    s ? s->name : "smtpd");
}

static void
check_servers(const struct pfa_cfview *v, unsigned roles,
    struct pfa_result *res)
{
	bool any = false;
	for (size_t i = 0; i < v->nsvcs; i++)
		if (strcmp(v->svcs[i].command, "smtpd") == 0) {
			check_server_ctx(v, &v->svcs[i], roles, res);
			any = true;
		}
	if (!any)
		check_server_ctx(v, NULL, roles, res);
}

/* ---------------------------------------------------- client, logging */

static void
check_client_level(const struct pfa_cfview *v, const struct pfa_cfsvc *s,
    const char *p, struct pfa_result *res)
{
	if (strcasecmp(pfa_audit_tls_level(v, s, true), "none") == 0)
		pfa_audit_tls_add(res, WARN, "PFA-TLS-008", s, p,
		    set_cmd(v, s, p, "may"), "%s: the SMTP client never uses "
		    "STARTTLS, so all outbound mail travels in clear%s", p,
		    s ? "" : " (unless smtp_tls_policy_maps says otherwise)");
}

static void
check_loglevel(const struct pfa_cfview *v, const struct pfa_cfsvc *s,
    const char *p, struct pfa_result *res)
{
	const char *val = pfa_cfsvc_get(v, s, p);
	char *end;
	if (empty(val))
		return;
	long n = strtol(val, &end, 10);
	if (*end != '\0')
		return;
	if (n <= 0)
		pfa_audit_tls_add(res, INFO, "PFA-TLS-010", s, p,
		    set_cmd(v, s, p, "1"), "%s = %s: TLS handshakes are not "
		    "logged, so TLS failures and versions in use cannot be "
		    "seen", p, val);
	else if (n > 2)
		pfa_audit_tls_add(res, INFO, "PFA-TLS-011", s, p,
		    set_cmd(v, s, p, "1"), "%s = %s logs packet dumps: too "
		    "verbose except while debugging", p, val);
}

/* ---------------------------------------------------- global options */

static int
ssl_option(void *arg, const char *tok, size_t index)
{
	unsigned *have = arg;
	(void)index;
	if (strcasecmp(tok, "NO_COMPRESSION") == 0)
		*have |= 1;
	else if (strcasecmp(tok, "NO_RENEGOTIATION") == 0)
		*have |= 2;
	return 0;
}

static void
check_options(const struct pfa_cfview *v, struct pfa_result *res)
{
	const char *pre = pfa_cf_get(v, "tls_preempt_cipherlist");
	if (pre != NULL && !pfa_cf_value_yes(pre))
		pfa_audit_tls_add(res, INFO, "PFA-TLS-005", NULL,
		    "tls_preempt_cipherlist",
		    set_cmd(v, NULL, "tls_preempt_cipherlist", "yes"),
		    "tls_preempt_cipherlist = no: clients choose the cipher "
		    "order; yes lets the server prefer its strongest suites "
		    "(optional: Mozilla's intermediate profile keeps no)");
	const char *opt = pfa_cf_get(v, "tls_ssl_options");
	unsigned have = 0;
	if (opt == NULL)
		return;
	pfa_cf_tokens(opt, ssl_option, &have);
	char missing[64];
	snprintf(missing, sizeof(missing), "%s%s%s",
	    have & 1 ? "" : "NO_COMPRESSION", (have & 3) == 0 ? " " : "",
	    have & 2 ? "" : "NO_RENEGOTIATION");
	if (missing[0] != '\0') {
		char val[256];
		snprintf(val, sizeof(val), "%s%s%s", opt, *opt ? " " : "",
		    missing);
		pfa_audit_tls_add(res, INFO, "PFA-TLS-014", NULL,
		    "tls_ssl_options", set_cmd(v, NULL, "tls_ssl_options", val),
		    "tls_ssl_options lacks %s (optional: OpenSSL 3 builds "
		    "without compression; NO_RENEGOTIATION stops "
		    "client-initiated renegotiation)", missing);
	}
}

/* ------------------------------------------------------------- entry */

/* Checks of one parameter, in main.cf and in the services overriding it. */
static const struct {
	const char *param;
	check_fn fn;
	bool server;		/* moot on a host with no listener */
} checks[] = {
	{ "smtpd_tls_protocols", check_protocols, true },
	{ "smtpd_tls_mandatory_protocols", check_protocols, true },
	{ "smtpd_tls_ciphers", check_ciphers, true },
	{ "smtpd_tls_mandatory_ciphers", check_ciphers, true },
	{ "smtpd_tls_loglevel", check_loglevel, true },
	{ "smtp_tls_protocols", check_protocols, false },
	{ "smtp_tls_mandatory_protocols", check_protocols, false },
	{ "smtp_tls_ciphers", check_ciphers, false },
	{ "smtp_tls_mandatory_ciphers", check_ciphers, false },
	{ LEVEL_CLI, check_client_level, false },
	{ "smtp_tls_loglevel", check_loglevel, false },
};

void
pfa_audit_tls(const struct pfa_cfview *v, unsigned roles,
    struct pfa_result *res)
{
	/* a host with no listener beyond loopback: smtpd TLS is moot */
	bool listens = roles == 0 ||
	    (roles & (PFA_ROLE_MX | PFA_ROLE_SUBMISSION | PFA_ROLE_RELAY));
	for (size_t i = 0; i < sizeof(checks) / sizeof(checks[0]); i++)
		if (listens || !checks[i].server)
			each_ctx(v, checks[i].param, checks[i].fn, res);
	if (listens) {
		check_levels(v, roles, res);
		check_servers(v, roles, res);
		check_options(v, res);
	}
}
