/*
 * audit_smtpd.c - hardening audit of what smtpd exposes: relay safety
 * (PFA-RELAY-*), smtpd exposure (PFA-SMTPD-*), header privacy on
 * submission (PFA-PRIV-*) and master.cf listener sanity (PFA-MASTER-*).
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
 *   - RELAY-001 (open relay) and MASTER-001/004 (TLS wrapper mode on the
 *     wrong port) apply to every smtpd, loopback ones too: it relays, or
 *     clients fail, whatever the role.
 *   - RELAY-002 is CRITICAL with a public listener, WARNING on a null
 *     client (a latent open relay); RELAY-004 needs a public listener.
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

const struct pfa_rule_doc pfa_audit_smtpd_rules[] = {
	{ "PFA-RELAY-001", PFA_SEV_CRITICAL,
	    "open relay: a permit comes before every relay guard" },
	{ "PFA-RELAY-002", PFA_SEV_CRITICAL,
	    "mynetworks trusts the whole Internet" },
	{ "PFA-RELAY-003", PFA_SEV_WARNING,
	    "mynetworks trusts a broad public range" },
	{ "PFA-RELAY-004", PFA_SEV_WARNING,
	    "mynetworks_style class or subnet trusts whole networks" },
	{ "PFA-SMTPD-001", PFA_SEV_WARNING, "VRFY is enabled" },
	{ "PFA-SMTPD-002", PFA_SEV_WARNING, "HELO is not required on an MX" },
	{ "PFA-SMTPD-003", PFA_SEV_WARNING,
	    "inet_interfaces not loopback-only on a null client" },
	{ "PFA-SMTPD-004", PFA_SEV_INFO,
	    "smtpd_banner names the software, OS or version" },
	{ "PFA-SMTPD-005", PFA_SEV_WARNING,
	    "bare newlines accepted (SMTP smuggling)" },
	{ "PFA-SMTPD-006", PFA_SEV_WARNING, "message_size_limit is unlimited" },
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

#define PUBLIC_ROLES	(PFA_ROLE_MX | PFA_ROLE_SUBMISSION | PFA_ROLE_RELAY)
/* Listens beyond loopback: 0 is a listener on some other port. */
#define PUBLIC(r)	((r) == 0 || ((r) & PUBLIC_ROLES))
#define LOOPBACK_NETS	"127.0.0.0/8 [::ffff:127.0.0.0]/104 [::1]/128"

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
	switch (pfa_role_svc_port(s)) {
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
	if (!pfa_role_svc_public(v, s))
		return 0;
	unsigned c = port_class(s);
	if (c == P_MX && !(roles & PFA_ROLE_MX))
		return 0;
	if ((c & (P_SUB | P_SMTPS)) && !(roles & PFA_ROLE_SUBMISSION))
		return 0;
	if (c == P_OTHER && !PUBLIC(roles))
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
svc_remedy(const struct pfa_cfsvc *s, const char *param, const char *value)
{
	if (strpbrk(value, " \t") == NULL)
		return pfa_xasprintf("postconf -P '%s/%s/%s=%s'", s->name,
		    s->type, param, value);
	return pfa_xasprintf("postconf -PX '%s/%s/%s' && postconf -e "
	    "'%s = %s'", s->name, s->type, param, param, value);
}

static void
add_svc(struct pfa_result *res, enum pfa_sev sev, const char *id,
    const struct pfa_cfsvc *s, const char *param, const char *fix,
    const char *msg)
{
	char subject[256], *rem = fix ? svc_remedy(s, param, fix) : NULL;
	snprintf(subject, sizeof(subject), "%s/%s", s->name, s->type);
	pfa_result_add_finding(res, sev, id, subject, rem, "%s", msg);
	free(rem);
}

/* ------------------------------------------------------- relay */

/*
 * Relay order.  smtpd itself dies when neither list holds a relay guard
 * (PFA-LOAD-015 in loadcheck reports that).  RELAY-001 is a guard that
 * is there but never reached: an unconditional permit comes first in
 * both lists.  smtpd 3.x dies on a bare "permit" too (has_required()
 * stops there), but not on a restriction class that permits: that one
 * is an open relay.
 */
enum guard { G_NONE, G_GUARD, G_PERMIT };

struct gwalk {
	const struct pfa_cfview *v;
	const struct pfa_cfsvc *s;
	bool order;		/* a permit ends the walk */
	int depth;
	bool skip;
	enum guard g;
};

static enum guard list_guard(const struct pfa_cfview *,
    const struct pfa_cfsvc *, const char *, bool, int);

static int
tok_match(void *arg, const char *tok, size_t i)
{
	(void)i;
	return strcmp(tok, (const char *)arg) == 0;
}

static int
tok_guard(void *arg, const char *tok, size_t i)
{
	/* smtpd_check.c has_required(): names are case-insensitive */
	static const char *const guards[] = { "reject_unauth_destination",
	    "defer_unauth_destination", "reject", "defer", "defer_if_permit",
	    "check_relay_domains", NULL };
	struct gwalk *w = arg;

	(void)i;
	if (w->skip) {
		w->skip = false;
		return 0;
	}
	if (strcasecmp(tok, "warn_if_reject") == 0) {
		w->skip = true;
		return 0;
	}
	if (strcasecmp(tok, "permit") == 0 && w->order) {
		w->g = G_PERMIT;
		return 1;
	}
	for (size_t k = 0; guards[k]; k++)
		if (strcasecmp(tok, guards[k]) == 0) {
			w->g = G_GUARD;
			return 1;
		}
	/* a restriction class: its first verdict is the list's */
	if (w->depth < 8 && pfa_cf_tokens(pfa_cfsvc_get(w->v, w->s,
	    "smtpd_restriction_classes"), tok_match, (void *)tok)) {
		w->g = list_guard(w->v, w->s, pfa_cfsvc_get(w->v, w->s, tok),
		    w->order, w->depth + 1);
		return w->g != G_NONE;
	}
	return 0;
}

/* Whether LIST reaches a relay guard or (ORDER) a permit first. */
static enum guard
list_guard(const struct pfa_cfview *v, const struct pfa_cfsvc *s,
    const char *list, bool order, int depth)
{
	struct gwalk w = { v, s, order, depth, false, G_NONE };
	(void)pfa_cf_tokens(list, tok_guard, &w);
	return w.g;
}

/* Both lists run for every RCPT TO: one guard in either is enough. */
static bool
guarded(const struct pfa_cfview *v, const struct pfa_cfsvc *s, bool order)
{
	return list_guard(v, s, pfa_cfsvc_get(v, s,
	    "smtpd_relay_restrictions"), order, 0) == G_GUARD ||
	    list_guard(v, s, pfa_cfsvc_get(v, s,
	    "smtpd_recipient_restrictions"), order, 0) == G_GUARD;
}

static bool
relays_all(const struct pfa_cfview *v, const struct pfa_cfsvc *s)
{
	return guarded(v, s, false) && !guarded(v, s, true);
}

static const char relay_msg[] = "in both smtpd_relay_restrictions and "
    "smtpd_recipient_restrictions an unconditional permit comes before "
    "reject_unauth_destination and the other relay guards: a restriction "
    "class that permits relays mail to any domain, a bare permit makes "
    "smtpd refuse to start";

static void
check_relay(const struct pfa_cfview *v, struct pfa_result *res)
{
	static const char fix[] = "permit_mynetworks,permit_sasl_authenticated,"
	    "reject_unauth_destination";
	bool main_used = false;

	for (size_t i = 0; i < v->nsvcs; i++) {
		const struct pfa_cfsvc *s = &v->svcs[i];
		if (strcmp(s->command, "smtpd") != 0 ||
		    (strcmp(s->type, "inet") == 0 &&
		    !pfa_role_svc_listens(v, s)))
			continue;
		if (pfa_cfsvc_opt(s, "smtpd_relay_restrictions") == NULL &&
		    pfa_cfsvc_opt(s, "smtpd_recipient_restrictions") == NULL &&
		    pfa_cfsvc_opt(s, "smtpd_restriction_classes") == NULL)
			main_used = true;
		else if (relays_all(v, s))
			add_svc(res, PFA_SEV_CRITICAL, "PFA-RELAY-001", s,
			    "smtpd_relay_restrictions", fix, relay_msg);
	}
	if (main_used && relays_all(v, NULL))
		pfa_result_add_finding(res, PFA_SEV_CRITICAL, "PFA-RELAY-001",
		    "smtpd_relay_restrictions", "postconf -e "
		    "'smtpd_relay_restrictions = permit_mynetworks, "
		    "permit_sasl_authenticated, reject_unauth_destination'",
		    "%s", relay_msg);
}

/* ------------------------------------------------------- mynetworks */

struct netwalk {
	char *kept;		/* pass 1: the entries that stay */
	struct pfa_result *res;	/* pass 2: report the others */
	const char *rem;
	unsigned roles;
};

static int
tok_net(void *arg, const char *tok, size_t i)
{
	struct netwalk *w = arg;
	int b = tok[0] == '!' ? 0 : pfa_role_net_breadth(tok);

	(void)i;
	if (w->res == NULL && b == 0) {
		char *k = pfa_xasprintf("%s%s%s", w->kept ? w->kept : "",
		    w->kept ? " " : "", tok);
		free(w->kept);
		w->kept = k;
	} else if (w->res != NULL && b == 2)
		pfa_result_add_finding(w->res, PUBLIC(w->roles) ?
		    PFA_SEV_CRITICAL : PFA_SEV_WARNING, "PFA-RELAY-002",
		    "mynetworks", w->rem, "mynetworks holds %s: every client "
		    "on the Internet may relay through permit_mynetworks", tok);
	else if (w->res != NULL && b == 1)
		pfa_result_add_finding(w->res, PFA_SEV_WARNING,
		    "PFA-RELAY-003", "mynetworks", w->rem, "mynetworks holds "
		    "%s, a public range broader than /16 (IPv4) or /32 (IPv6): "
		    "list only the networks you relay for", tok);
	return 0;
}

static void
check_mynetworks(const struct pfa_cfview *v, unsigned roles,
    struct pfa_result *res)
{
	struct netwalk w = { NULL, NULL, NULL, roles };
	const char *nets = pfa_cf_get(v, "mynetworks");

	(void)pfa_cf_tokens(nets, tok_net, &w);
	char *rem = pfa_xasprintf("postconf -e 'mynetworks = %s'",
	    w.kept ? w.kept : LOOPBACK_NETS);
	w.res = res;
	w.rem = rem;
	(void)pfa_cf_tokens(nets, tok_net, &w);
	free(rem);
	free(w.kept);
}

static void
check_mynetworks_style(const struct pfa_cfview *v, unsigned roles,
    struct pfa_result *res)
{
	const char *style = pfa_cf_get(v, "mynetworks_style");
	bool class = style != NULL && strcasecmp(style, "class") == 0;

	if (PUBLIC(roles) && (class || (style != NULL &&
	    strcasecmp(style, "subnet") == 0)))
		pfa_result_add_finding(res, class ? PFA_SEV_WARNING :
		    PFA_SEV_INFO, "PFA-RELAY-004", "mynetworks_style",
		    "postconf -e 'mynetworks_style = host'", "mynetworks_style "
		    "= %s lets every host on the %s of each interface relay: "
		    "set mynetworks to the networks you relay for", style,
		    class ? "whole class A/B/C network (a /8 for some)" :
		    "local subnets");
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
	char *rem = pfa_xasprintf("postconf -e '%s = %s'%s%s%s", r->param,
	    r->fix, r->also ? " '" : "", r->also ? r->also : "",
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
			add_svc(res, sev, r->id, s, r->param, r->fix, msg);
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

static void
check_host(const struct pfa_cfview *v, unsigned roles,
    struct pfa_result *res)
{
	const char *ii = pfa_cf_get(v, "inet_interfaces");

	if ((roles & PFA_ROLE_NULLCLIENT) && ii != NULL &&
	    !pfa_role_interfaces_loopback(v))
		pfa_result_add_finding(res, PFA_SEV_WARNING, "PFA-SMTPD-003",
		    "inet_interfaces", "postconf -e 'inet_interfaces = "
		    "loopback-only' && postfix stop && postfix start",
		    "inet_interfaces = %s on a host that takes no mail from "
		    "the network: any inet service added later listens on "
		    "every address (CIS 2.1.21); a reload is not enough to "
		    "change it", ii);

	const char *msl = pfa_cf_get(v, "message_size_limit");
	if (msl != NULL && strcmp(msl, "0") == 0) {
		/* local(8) dies if mailbox_size_limit is the smaller */
		const char *mbx = pfa_cf_get(v, "mailbox_size_limit");
		long m = mbx ? strtol(mbx, NULL, 10) : 0;
		char *rem = pfa_xasprintf("postconf -e 'message_size_limit = "
		    "%ld'", m > 0 && m < 10240000 ? m : 10240000L);
		pfa_result_add_finding(res, PFA_SEV_WARNING, "PFA-SMTPD-006",
		    "message_size_limit", rem, "message_size_limit = 0: one "
		    "message may fill the queue file system");
		free(rem);
	}

	const char *amc = pfa_cf_get(v, "allow_mail_to_commands");
	if (contains(amc, "include"))
		pfa_result_add_finding(res, PFA_SEV_WARNING, "PFA-SMTPD-007",
		    "allow_mail_to_commands", "postconf -e "
		    "'allow_mail_to_commands = alias, forward'",
		    "allow_mail_to_commands = %s: any :include: file named "
		    "in an alias or .forward may run commands", amc);
}

static void
check_smuggling_support(const struct pfa_cfview *v, unsigned roles,
    struct pfa_result *res)
{
	if (!PUBLIC(roles) || v->version[0] == 0 ||
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
	char *rem = pfa_xasprintf(priv_remedy, dir, s->name, s->type, dir);
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
		if (!pfa_role_svc_listens(v, s) ||
		    strcmp(s->command, "smtpd") != 0)
			continue;
		unsigned c = port_class(s);
		bool wrap = pfa_cf_value_yes(pfa_cfsvc_get(v, s,
		    "smtpd_tls_wrappermode"));
		if (c == P_SMTPS && !wrap)
			add_svc(res, PFA_SEV_CRITICAL, "PFA-MASTER-001", s,
			    "smtpd_tls_wrappermode", "yes", "a port-465 "
			    "service without smtpd_tls_wrappermode=yes talks "
			    "plain SMTP where clients start TLS: they hang "
			    "or fail");
		if ((c & (P_MX | P_SUB)) && wrap)
			add_svc(res, PFA_SEV_CRITICAL, "PFA-MASTER-004", s,
			    "smtpd_tls_wrappermode", "no", "smtpd_tls_"
			    "wrappermode=yes on a port-25 or 587 service: "
			    "clients speaking plain SMTP or STARTTLS fail");
		if (!(listener_class(v, roles, s) & (P_SUB | P_SMTPS)))
			continue;
		if (c == P_SUB && !tls_enforced(v, s))
			add_svc(res, PFA_SEV_WARNING, "PFA-MASTER-002", s,
			    "smtpd_tls_security_level", "encrypt", "submission "
			    "neither requires TLS (smtpd_tls_security_level="
			    "encrypt) nor refuses AUTH without it "
			    "(smtpd_tls_auth_only=yes): passwords may cross "
			    "the network in clear");
		if (!pfa_cf_value_yes(pfa_cfsvc_get(v, s,
		    "smtpd_sasl_auth_enable")))
			add_svc(res, PFA_SEV_INFO, "PFA-MASTER-003", s,
			    "smtpd_sasl_auth_enable", "yes", "a submission "
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
	check_relay(v, res);
	if (pfa_cf_is_set(v, "mynetworks"))
		check_mynetworks(v, roles, res);
	else
		check_mynetworks_style(v, roles, res);
	check_smuggling_support(v, roles, res);
	for (size_t i = 0; i < sizeof(lrules) / sizeof(lrules[0]); i++)
		check_lrule(v, roles, res, &lrules[i]);
	check_host(v, roles, res);
	check_master(v, roles, res);
}
