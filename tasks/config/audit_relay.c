/*
 * audit_relay.c - hardening audit of relay safety (PFA-RELAY-*): whether
 * the relay restrictions reach a relay guard before an unconditional
 * permit, and whether mynetworks (or, when it is unset,
 * mynetworks_style) trusts more of the Internet than a relay needs.
 *
 * Reads only the configuration view and the roles it is given; runs
 * nothing, reads no file (a table in mynetworks is not opened), never
 * logs.  Effective values come from pfa_cfsvc_get(), so a master.cf -o
 * override of the restriction lists wins over main.cf: an open relay
 * caused by main.cf names smtpd_relay_restrictions and is reported once,
 * one caused by an override names the service ("submission/inet") and
 * its remedy edits master.cf.  mynetworks and mynetworks_style are
 * main.cf only.  Shares its service finding helper with audit_smtpd.c
 * (audit_int.h).
 *
 * Role behaviour (roles from pfa_role_detect() or the configuration):
 *   - RELAY-001 (open relay) applies to every smtpd, loopback ones too:
 *     it relays whatever the role.
 *   - RELAY-002 is CRITICAL with a public listener, WARNING on a null
 *     client (a latent open relay); RELAY-003 holds for every host.
 *   - RELAY-004 needs a public listener, and is looked at only when
 *     mynetworks is unset (else the style is not used).
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "audit.h"
#include "audit_int.h"
#include "remedy.h"

const struct pfa_finding_doc pfa_audit_relay_findings[] = {
	{ "PFA-RELAY-001", PFA_SEV_CRITICAL,
	    "open relay: a permit comes before every relay guard" },
	{ "PFA-RELAY-002", PFA_SEV_CRITICAL,
	    "mynetworks trusts the whole Internet" },
	{ "PFA-RELAY-003", PFA_SEV_WARNING,
	    "mynetworks trusts a broad public range" },
	{ "PFA-RELAY-004", PFA_SEV_WARNING,
	    "mynetworks_style class or subnet trusts whole networks" },
	{ NULL, 0, NULL },
};

#define LOOPBACK_NETS	"127.0.0.0/8 [::ffff:127.0.0.0]/104 [::1]/128"

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
		    !pfa_listener_svc_listens(v, s)))
			continue;
		if (pfa_cfsvc_opt(s, "smtpd_relay_restrictions") == NULL &&
		    pfa_cfsvc_opt(s, "smtpd_recipient_restrictions") == NULL &&
		    pfa_cfsvc_opt(s, "smtpd_restriction_classes") == NULL)
			main_used = true;
		else if (relays_all(v, s))
			pfa_audit_add_svc(v, res, PFA_SEV_CRITICAL,
			    "PFA-RELAY-001", s, "smtpd_relay_restrictions", fix,
			    relay_msg);
	}
	if (main_used && relays_all(v, NULL)) {
		char *rem = pfa_remedy(v->config_dir, "postconf -e "
		    "'smtpd_relay_restrictions = permit_mynetworks, "
		    "permit_sasl_authenticated, reject_unauth_destination'");
		pfa_result_add_finding(res, PFA_SEV_CRITICAL, "PFA-RELAY-001",
		    "smtpd_relay_restrictions", rem, "%s", relay_msg);
		free(rem);
	}
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
		pfa_result_add_finding(w->res, PFA_AUDIT_PUBLIC(w->roles) ?
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
	char *rem = pfa_remedy(v->config_dir, "postconf -e 'mynetworks = %s'",
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

	if (PFA_AUDIT_PUBLIC(roles) && (class || (style != NULL &&
	    strcasecmp(style, "subnet") == 0))) {
		char *rem = pfa_remedy(v->config_dir, "postconf -e "
		    "'mynetworks_style = host'");
		pfa_result_add_finding(res, class ? PFA_SEV_WARNING :
		    PFA_SEV_INFO, "PFA-RELAY-004", "mynetworks_style", rem,
		    "mynetworks_style = %s lets every host on the %s of each "
		    "interface relay: set mynetworks to the networks you relay "
		    "for", style, class ? "whole class A/B/C network (a /8 for "
		    "some)" : "local subnets");
		free(rem);
	}
}

void
pfa_audit_relay(const struct pfa_cfview *v, unsigned roles,
    struct pfa_result *res)
{
	check_relay(v, res);
	if (pfa_cf_is_set(v, "mynetworks"))
		check_mynetworks(v, roles, res);
	else
		check_mynetworks_style(v, roles, res);
}
