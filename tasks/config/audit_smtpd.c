/*
 * audit_smtpd.c - hardening audit of what smtpd exposes: smtpd exposure
 * (PFA-SMTPD-*), header privacy on submission (PFA-PRIV-*) and master.cf
 * listener sanity (PFA-MASTER-*).  Relay safety (PFA-RELAY-*) is
 * audit_relay.c's; the helper both use (pfa_audit_add_svc) is here and
 * declared in audit_int.h.
 *
 * Reads only the configuration view and the roles it is given; runs
 * nothing, reads no file (header_checks tables are not opened: a
 * non-empty header_checks is taken as doing its job), never logs.
 * Effective values come from pfa_cfsvc_get(), so a master.cf -o override
 * wins over main.cf; a finding caused by main.cf names the parameter and
 * is reported once, one caused by an override names the service
 * ("submission/inet") and its remedy edits master.cf.
 *
 * Role behaviour (roles from pfa_role_detect() or the configuration):
 *   - MASTER-001/004 (TLS wrapper mode on the wrong port) apply to every
 *     smtpd, loopback ones too: clients fail, whatever the role.
 *   - SMTPD-001 (VRFY): WARNING on an MX listener (port 25), INFO on
 *     submission ones.  Postfix answers VRFY through the recipient
 *     restrictions (252 for a known address, 550 for an unknown one), so
 *     it tells a harvester what RCPT TO already does, and nothing on a
 *     submission port whose restrictions end in "reject" (a plain 252
 *     leaks nothing: chatmail/relay #205).  Still a free fix on an MX.
 *   - SMTPD-002 (HELO) only on port-25 listeners of an MX.
 *   - SMTPD-004 (banner) and SMTPD-005 (smuggling) only on listeners
 *     beyond loopback: a send-only host gets neither (Lynis #334).
 *   - SMTPD-003 only on a null client: it listens nowhere public, so
 *     inet_interfaces should say so (CIS 2.1.21).
 *   - SMTPD-006/007 hold for every host (sendmail goes through cleanup
 *     and local too).
 *   - PRIV-001 and MASTER-002/003 only on public submission listeners;
 *     PRIV-002 on any public listener with SASL on.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "audit.h"
#include "audit_int.h"
#include "remedy.h"

const struct pfa_finding_doc pfa_audit_smtpd_findings[] = {
	{ "PFA-SMTPD-001", PFA_SEV_WARNING, "VRFY is enabled" },
	{ "PFA-SMTPD-002", PFA_SEV_WARNING, "HELO is not required on an MX" },
	{ "PFA-SMTPD-003", PFA_SEV_WARNING,
	    "inet_interfaces not loopback-only on a null client" },
	{ "PFA-SMTPD-004", PFA_SEV_INFO,
	    "smtpd_banner names the software, OS or version" },
	{ "PFA-SMTPD-005", PFA_SEV_WARNING,
	    "bare newlines accepted (SMTP smuggling)" },
	{ "PFA-SMTPD-006", PFA_SEV_WARNING, "message_size_limit is unlimited" },
	{ "PFA-SMTPD-008", PFA_SEV_WARNING, "myhostname is not a fully "
	    "qualified domain name (receivers reject such a HELO)" },
	{ "PFA-SMTPD-007", PFA_SEV_WARNING,
	    "allow_mail_to_commands allows :include: files" },
	{ "PFA-PRIV-001", PFA_SEV_INFO,
	    "submission keeps client-identifying headers" },
	{ "PFA-PRIV-002", PFA_SEV_INFO,
	    "smtpd_sasl_authenticated_header puts logins in Received" },
	{ "PFA-MASTER-001", PFA_SEV_CRITICAL,
	    "port 465 service without smtpd_tls_wrappermode=yes" },
	{ "PFA-MASTER-002", PFA_SEV_WARNING,
	    "submission does not enforce TLS" },
	{ "PFA-MASTER-003", PFA_SEV_INFO,
	    "submission without smtpd_sasl_auth_enable=yes" },
	{ "PFA-MASTER-004", PFA_SEV_CRITICAL,
	    "smtpd_tls_wrappermode=yes on a port 25 or 587 service" },
	{ NULL, 0, NULL },
};

/* Listener classes, by port. */
#define P_MX	0x01	/* 25 */
#define P_SUB	0x02	/* 587 */
#define P_SMTPS	0x04	/* 465 */
#define P_OTHER	0x08
#define P_ANY	(P_MX | P_SUB | P_SMTPS | P_OTHER)

/* NEEDLE occurs in HAY, ignoring case. */
static bool
contains(const char *hay, const char *needle)
{
	if (hay == NULL || needle == NULL || needle[0] == '\0')
		return false;
	size_t n = strlen(needle);
	for (; *hay; hay++)
		if (strncasecmp(hay, needle, n) == 0)
			return true;
	return false;
}

static unsigned
port_class(const struct pfa_cfsvc *s)
{
	switch (pfa_listener_svc_port(s)) {
	case 25:
		return P_MX;
	case 587:
		return P_SUB;
	case 465:
		return P_SMTPS;
	default:
		return P_OTHER;
	}
}

/* The class of public listener S as the audit counts it under ROLES. */
static unsigned
listener_class(const struct pfa_cfview *v, unsigned roles,
    const struct pfa_cfsvc *s)
{
	if (!pfa_listener_svc_public(v, s))
		return 0;
	unsigned c = port_class(s);
	if (c == P_MX && !(roles & PFA_ROLE_MX))
		return 0;
	if ((c & (P_SUB | P_SMTPS)) && !(roles & PFA_ROLE_SUBMISSION))
		return 0;
	if (c == P_OTHER && !PFA_AUDIT_PUBLIC(roles))
		return 0;
	return c;
}

/* The smtpd service whose settings apply: postscreen hands to smtpd/pass. */
static const struct pfa_cfsvc *
smtpd_of(const struct pfa_cfview *v, const struct pfa_cfsvc *s)
{
	if (strcmp(s->command, "postscreen") == 0)
		return pfa_cfview_service(v, "smtpd", "pass");
	return s;
}

/* Remedy for an override of PARAM on S: set it, or drop it when VALUE
 * has spaces (postconf -P refuses them) and set main.cf instead. */
static char *
svc_remedy(const struct pfa_cfview *v, const struct pfa_cfsvc *s,
    const char *param, const char *value)
{
	if (strpbrk(value, " \t") == NULL)
		return pfa_remedy(v->config_dir, "postconf -P '%s/%s/%s=%s'",
		    s->name, s->type, param, value);
	return pfa_remedy(v->config_dir, "postconf -PX '%s/%s/%s' && "
	    "postconf -e '%s = %s'", s->name, s->type, param, param, value);
}

/* Shared with audit_relay.c (audit_int.h). */
void
pfa_audit_add_svc(const struct pfa_cfview *v, struct pfa_result *res,
    enum pfa_sev sev, const char *id, const struct pfa_cfsvc *s,
    const char *param, const char *fix, const char *msg)
{
	char subject[256], *rem = fix ? svc_remedy(v, s, param, fix) : NULL;
	snprintf(subject, sizeof(subject), "%s/%s", s->name, s->type);
	pfa_result_add_finding(res, sev, id, subject, rem, "%s", msg);
	free(rem);
}

/* ------------------------------------------------------- listeners */

struct lrule {
	const char *id;
	const char *param;
	unsigned ports;			/* the listeners it covers */
	enum pfa_sev sev_mx, sev_sub;	/* port 25 (and others), 587/465 */
	bool (*bad)(const struct pfa_cfview *, const struct pfa_cfsvc *,
	    const char *);
	const char *fix;		/* the value to set */
	const char *also;		/* another main.cf setting, or NULL */
	const char *why;
};

/* An explicit "no": an unknown parameter is another rule's business. */
static bool
bad_no(const struct pfa_cfview *v, const struct pfa_cfsvc *s,
    const char *value)
{
	(void)v;
	(void)s;
	return value != NULL && strcasecmp(value, "no") == 0;
}

/* The banner, less the host name (a host may be called "debian"). */
static bool
bad_banner(const struct pfa_cfview *v, const struct pfa_cfsvc *s,
    const char *value)
{
	static const char *const names[] = { "mail_name", "mail_version",
	    "Postfix", "Debian", "Ubuntu", NULL };
	const char *host = pfa_cf_get(v, "myhostname");
	bool bad = false;

	(void)s;
	if (value == NULL)
		return false;
	char *b = pfa_xstrdup(value);
	size_t hn = host ? strlen(host) : 0;
	for (char *p = b; hn > 0 && *p; p++)
		if (strncasecmp(p, host, hn) == 0)
			memset(p, ' ', hn);
	for (size_t i = 0; names[i] && !bad; i++)
		bad = contains(b, names[i]);
	bad = bad || contains(b, pfa_cf_get(v, "mail_name")) ||
	    contains(b, pfa_cf_get(v, "mail_version"));
	free(b);
	return bad;
}

static bool
bad_auth_header(const struct pfa_cfview *v, const struct pfa_cfsvc *s,
    const char *value)
{
	return pfa_cf_value_yes(value) &&
	    pfa_cf_value_yes(pfa_cfsvc_get(v, s, "smtpd_sasl_auth_enable"));
}

static const struct lrule lrules[] = {
	{ "PFA-SMTPD-001", "disable_vrfy_command", P_ANY, PFA_SEV_WARNING,
	    PFA_SEV_INFO, bad_no, "yes", NULL, "VRFY tells a client which "
	    "addresses exist (252 or 550, as RCPT TO does); no mail "
	    "delivery needs it" },
	{ "PFA-SMTPD-002", "smtpd_helo_required", P_MX, PFA_SEV_WARNING,
	    PFA_SEV_WARNING, bad_no, "yes", NULL, "clients may skip HELO/EHLO, "
	    "which real mail servers never do; helo restrictions cannot "
	    "work without it" },
	{ "PFA-SMTPD-004", "smtpd_banner", P_ANY, PFA_SEV_INFO, PFA_SEV_INFO,
	    bad_banner, "$myhostname ESMTP", NULL, "the greeting names the "
	    "software, OS or version to every client (Lynis MAIL-8818)" },
	{ "PFA-SMTPD-005", "smtpd_forbid_bare_newline", P_MX | P_SUB |
	    P_SMTPS, PFA_SEV_WARNING, PFA_SEV_WARNING, bad_no,
	    "normalize", "smtpd_forbid_bare_newline_exclusions = $mynetworks",
	    "a bare <LF> is accepted as end of line, which lets "
	    "SMTP smuggling spoof senders (CVE-2023-51764); also set "
	    "smtpd_forbid_bare_newline_exclusions = $mynetworks" },
	{ "PFA-PRIV-002", "smtpd_sasl_authenticated_header", P_ANY,
	    PFA_SEV_INFO, PFA_SEV_INFO, bad_auth_header, "no", NULL, "the "
	    "Received header of every authenticated message carries the "
	    "login name, half of a credential" },
};

static void
lrule_main(const struct pfa_cfview *v, struct pfa_result *res,
    const struct lrule *r, enum pfa_sev sev)
{
	char *rem = pfa_remedy(v->config_dir, "postconf -e '%s = %s'%s%s%s",
	    r->param, r->fix, r->also ? " '" : "", r->also ? r->also : "",
	    r->also ? "'" : "");
	pfa_result_add_finding(res, sev, r->id, r->param, rem, "%s = %s: %s",
	    r->param, pfa_cf_get(v, r->param) ? pfa_cf_get(v, r->param) : "",
	    r->why);
	free(rem);
}

/* Applies R to every public listener it covers, main.cf once. */
static void
check_lrule(const struct pfa_cfview *v, unsigned roles,
    struct pfa_result *res, const struct lrule *r)
{
	bool seen = false, main_bad = false;
	enum pfa_sev main_sev = PFA_SEV_INFO;

	for (size_t i = 0; i < v->nsvcs; i++) {
		unsigned c = listener_class(v, roles, &v->svcs[i]) & r->ports;
		if (c == 0)
			continue;
		seen = true;
		const struct pfa_cfsvc *s = smtpd_of(v, &v->svcs[i]);
		enum pfa_sev sev = (c & (P_SUB | P_SMTPS)) ? r->sev_sub :
		    r->sev_mx;
		if (!r->bad(v, s, pfa_cfsvc_get(v, s, r->param)))
			continue;
		if (s != NULL && pfa_cfsvc_opt(s, r->param) != NULL) {
			char *msg = pfa_xasprintf("%s overrides %s = %s: %s",
			    s->name, r->param, pfa_cfsvc_opt(s, r->param),
			    r->why);
			pfa_audit_add_svc(v, res, sev, r->id, s, r->param, r->fix,
			    msg);
			free(msg);
		} else if (!main_bad || sev > main_sev) {
			main_bad = true;
			main_sev = sev;
		}
	}
	/* a role given by configuration, with no listener to match it */
	if (!seen && (((r->ports & P_MX) && (roles & PFA_ROLE_MX)) ||
	    ((r->ports & P_SUB) && (roles & PFA_ROLE_SUBMISSION))) &&
	    r->bad(v, NULL, pfa_cf_get(v, r->param))) {
		main_bad = true;
		main_sev = (roles & PFA_ROLE_MX) ? r->sev_mx : r->sev_sub;
	}
	if (main_bad)
		lrule_main(v, res, r, main_sev);
}

/* ------------------------------------------------------- host-wide */

/* The host sends no mail beyond itself: no relayhost and a default
 * transport that delivers nowhere. */
static bool
sends_nowhere(const struct pfa_cfview *v)
{
	const char *rh = pfa_cf_get(v, "relayhost");
	const char *dt = pfa_cf_get(v, "default_transport");
	return (rh == NULL || *rh == '\0') && dt != NULL &&
	    (strncmp(dt, "error", 5) == 0 || strncmp(dt, "discard", 7) == 0);
}

/* PFA-SMTPD-008: the name smtp(8) says in HELO and smtpd(8) in its
 * banner must be a fully qualified domain name on a host that sends or
 * receives mail beyond itself: many receivers reject a bare name. */
static void
check_fqdn(const struct pfa_cfview *v, struct pfa_result *res)
{
	const char *h = pfa_cf_get(v, "myhostname");
	if (h == NULL || *h == '\0' || sends_nowhere(v))
		return;
	size_t n = strlen(h);
	bool bare = strchr(h, '.') == NULL || h[n - 1] == '.' ||
	    strcasecmp(h, "localhost.localdomain") == 0 ||
	    (n > 12 && strcasecmp(h + n - 12, ".localdomain") == 0);
	if (!bare)
		return;
	char *rem = pfa_remedy(v->config_dir, "set myhostname to this host's "
	    "fully qualified name, as its A/AAAA and PTR records give it: "
	    "postconf -e 'myhostname = mail.example.org'");
	pfa_result_add_finding(res, PFA_SEV_WARNING, "PFA-SMTPD-008",
	    "myhostname", rem, "myhostname = %s is not a fully qualified "
	    "domain name: Postfix says it in HELO and in its banner, and "
	    "receivers that require a fully qualified HELO "
	    "(reject_non_fqdn_helo_hostname and the like) refuse the mail",
	    h);
	free(rem);
}

static void
check_host(const struct pfa_cfview *v, unsigned roles,
    struct pfa_result *res)
{
	const char *ii = pfa_cf_get(v, "inet_interfaces");

	if ((roles & PFA_ROLE_NULLCLIENT) && ii != NULL &&
	    !pfa_listener_interfaces_loopback(v)) {
		char *rem = pfa_remedy(v->config_dir, "postconf -e "
		    "'inet_interfaces = loopback-only' && postfix stop && "
		    "postfix start");
		pfa_result_add_finding(res, PFA_SEV_WARNING, "PFA-SMTPD-003",
		    "inet_interfaces", rem,
		    "inet_interfaces = %s on a host that takes no mail from "
		    "the network: any inet service added later listens on "
		    "every address (CIS 2.1.21); a reload is not enough to "
		    "change it", ii);
		free(rem);
	}

	const char *msl = pfa_cf_get(v, "message_size_limit");
	if (msl != NULL && strcmp(msl, "0") == 0) {
		/* local(8) dies if mailbox_size_limit is the smaller */
		const char *mbx = pfa_cf_get(v, "mailbox_size_limit");
		long m = mbx ? strtol(mbx, NULL, 10) : 0;
		char *rem = pfa_remedy(v->config_dir, "postconf -e "
		    "'message_size_limit = %ld'", m > 0 && m < 10240000 ? m :
		    10240000L);
		pfa_result_add_finding(res, PFA_SEV_WARNING, "PFA-SMTPD-006",
		    "message_size_limit", rem, "message_size_limit = 0: one "
		    "message may fill the queue file system");
		free(rem);
	}

	check_fqdn(v, res);

	const char *amc = pfa_cf_get(v, "allow_mail_to_commands");
	if (contains(amc, "include")) {
		char *rem = pfa_remedy(v->config_dir, "postconf -e "
		    "'allow_mail_to_commands = alias, forward'");
		pfa_result_add_finding(res, PFA_SEV_WARNING, "PFA-SMTPD-007",
		    "allow_mail_to_commands", rem,
		    "allow_mail_to_commands = %s: any :include: file named "
		    "in an alias or .forward may run commands", amc);
		free(rem);
	}
}

static void
check_smuggling_support(const struct pfa_cfview *v, unsigned roles,
    struct pfa_result *res)
{
	if (!PFA_AUDIT_PUBLIC(roles) || v->version[0] == 0 ||
	    pfa_cfview_param(v, "smtpd_forbid_bare_newline") != NULL)
		return;
	pfa_result_add_finding(res, PFA_SEV_WARNING, "PFA-SMTPD-005",
	    "mail_version", NULL, "Postfix %d.%d.%d has no "
	    "smtpd_forbid_bare_newline and accepts SMTP smuggling "
	    "(CVE-2023-51764): upgrade to 3.5.23, 3.6.13, 3.7.9, 3.8.4 or "
	    "later", v->version[0], v->version[1], v->version[2]);
}

/* ------------------------------------------------------- submission */

static const char priv_remedy[] = "postconf -M 'authclean/unix=authclean "
    "unix n - - - 0 cleanup' && postconf -P "
    "'authclean/unix/header_checks=regexp:%s/submission_header_cleanup' "
    "'authclean/unix/nested_header_checks=' "
    "'%s/%s/cleanup_service_name=authclean' && printf '%%s\\n' "
    "'/^Received:.*with ESMTPSA/ IGNORE' "
    "'/^(User-Agent|X-Mailer|X-Originating-IP):/ IGNORE' "
    "> %s/submission_header_cleanup";

static void
check_privacy(const struct pfa_cfview *v, const struct pfa_cfsvc *s,
    struct pfa_result *res)
{
	const char *cname = pfa_cfsvc_get(v, s, "cleanup_service_name");
	const struct pfa_cfsvc *cs = pfa_cfview_service(v,
	    cname ? cname : "cleanup", "unix");
	const char *hc = pfa_cfsvc_get(v, cs, "header_checks");
	char subject[256];

	if (hc != NULL && strspn(hc, " \t,") != strlen(hc))
		return;
	snprintf(subject, sizeof(subject), "%s/%s", s->name, s->type);
	const char *dir = v->config_dir && v->config_dir[0] ? v->config_dir :
	    "/etc/postfix";
	char *rem = pfa_remedy(v->config_dir, priv_remedy, dir, s->name,
	    s->type, dir);
	pfa_result_add_finding(res, PFA_SEV_INFO, "PFA-PRIV-001", subject,
	    rem, "mail submitted on %s keeps the Received line with the "
	    "client's address and its User-Agent, X-Mailer and "
	    "X-Originating-IP headers: give submission its own cleanup "
	    "service with header_checks (a global one would strip inbound "
	    "mail too)", s->name);
	free(rem);
}

/* TLS required, or AUTH refused without it (legacy smtpd_enforce_tls
 * counts when smtpd_tls_security_level is empty). */
static bool
tls_enforced(const struct pfa_cfview *v, const struct pfa_cfsvc *s)
{
	const char *lvl = pfa_cfsvc_get(v, s, "smtpd_tls_security_level");

	if (pfa_cf_value_yes(pfa_cfsvc_get(v, s, "smtpd_tls_auth_only")))
		return true;
	if (lvl != NULL && lvl[0] != '\0')
		return strcasecmp(lvl, "encrypt") == 0;
	return pfa_cf_value_yes(pfa_cfsvc_get(v, s, "smtpd_enforce_tls"));
}

static void
check_master(const struct pfa_cfview *v, unsigned roles,
    struct pfa_result *res)
{
	for (size_t i = 0; i < v->nsvcs; i++) {
		const struct pfa_cfsvc *s = &v->svcs[i];
		if (!pfa_listener_svc_listens(v, s) ||
		    strcmp(s->command, "smtpd") != 0)
			continue;
		unsigned c = port_class(s);
		bool wrap = pfa_cf_value_yes(pfa_cfsvc_get(v, s,
		    "smtpd_tls_wrappermode"));
		if (c == P_SMTPS && !wrap)
			pfa_audit_add_svc(v, res, PFA_SEV_CRITICAL,
			    "PFA-MASTER-001", s, "smtpd_tls_wrappermode", "yes",
			    "a port-465 service without smtpd_tls_wrappermode"
			    "=yes talks plain SMTP where clients start TLS: "
			    "they hang or fail");
		if ((c & (P_MX | P_SUB)) && wrap)
			pfa_audit_add_svc(v, res, PFA_SEV_CRITICAL,
			    "PFA-MASTER-004", s, "smtpd_tls_wrappermode", "no",
			    "smtpd_tls_wrappermode=yes on a port-25 or 587 "
			    "service: clients speaking plain SMTP or STARTTLS "
			    "fail");
		if (!(listener_class(v, roles, s) & (P_SUB | P_SMTPS)))
			continue;
		if (c == P_SUB && !tls_enforced(v, s))
			pfa_audit_add_svc(v, res, PFA_SEV_WARNING,
			    "PFA-MASTER-002", s, "smtpd_tls_security_level",
			    "encrypt", "submission neither requires TLS "
			    "(smtpd_tls_security_level=encrypt) nor refuses "
			    "AUTH without it (smtpd_tls_auth_only=yes): "
			    "passwords may cross the network in clear");
		if (!pfa_cf_value_yes(pfa_cfsvc_get(v, s,
		    "smtpd_sasl_auth_enable")))
			pfa_audit_add_svc(v, res, PFA_SEV_INFO, "PFA-MASTER-003",
			    s, "smtpd_sasl_auth_enable", "yes", "a submission "
			    "service without SASL authentication takes mail "
			    "only as its restrictions allow; users cannot log "
			    "in");
		check_privacy(v, s, res);
	}
}

void
pfa_audit_smtpd(const struct pfa_cfview *v, unsigned roles,
    struct pfa_result *res)
{
	check_smuggling_support(v, roles, res);
	for (size_t i = 0; i < sizeof(lrules) / sizeof(lrules[0]); i++)
		check_lrule(v, roles, res, &lrules[i]);
	check_host(v, roles, res);
	check_master(v, roles, res);
}
