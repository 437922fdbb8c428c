/*
 * test_audit_smtpd.c - host roles (tasks/role.c), the relay audit
 * (tasks/audit_relay.c) and the smtpd audit (tasks/audit_smtpd.c) over
 * configuration views built by hand: a stock Debian 12 host, then one
 * change at a time.  Every rule has a fixture that triggers it and one
 * that does not; every finding any test sees is checked against the rule
 * tables (known id, severity not above its documented one, a subject, a
 * message).  audit() runs both modules in validate-config's order;
 * test_split checks that each reports only its own rules.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"

#define AUTO	(~0u)	/* roles from pfa_role_detect() */

struct fx {
	struct pfa_cfview v;
	struct pfa_result r;
};

/* Postfix 3.7.11 defaults (postconf -dx) for what the audit reads. */
static const char *const defaults[][2] = {
	{ "allow_mail_to_commands", "alias, forward" },
	{ "cleanup_service_name", "cleanup" }, { "header_checks", "" },
	{ "disable_vrfy_command", "no" }, { "inet_interfaces", "all" },
	{ "mail_name", "Postfix" }, { "mail_version", "3.7.11" },
	{ "mailbox_size_limit", "51200000" }, { "master_service_disable", "" },
	{ "message_size_limit", "10240000" },
	{ "myhostname", "mail.example.org" },
	/* mynetworks_style = host: the host's own addresses */
	{ "mynetworks", "127.0.0.1/32 192.0.2.2/32 [::1]/128" },
	{ "mynetworks_style", "host" },
	{ "smtpd_banner", "mail.example.org ESMTP Postfix" },
	{ "smtpd_enforce_tls", "no" }, { "smtpd_forbid_bare_newline", "no" },
	{ "smtpd_forbid_bare_newline_exclusions", "127.0.0.1/32 [::1]/128" },
	{ "smtpd_helo_required", "no" }, { "smtpd_recipient_restrictions", "" },
	{ "smtpd_relay_restrictions", "permit_mynetworks, "
	    "permit_sasl_authenticated, defer_unauth_destination" },
	{ "smtpd_restriction_classes", "" }, { "smtpd_tls_auth_only", "no" },
	{ "smtpd_sasl_auth_enable", "no" },
	{ "smtpd_sasl_authenticated_header", "no" },
	{ "smtpd_tls_security_level", "" }, { "smtpd_tls_wrappermode", "no" },
};

/* A stock Debian 12 host: its generated main.cf and master.cf. */
static int
setup(void **state)
{
	static const char *const unix_svcs[][2] = {
		{ "pickup", "pickup" }, { "cleanup", "cleanup" },
		{ "qmgr", "qmgr" }, { "tlsmgr", "tlsmgr" },
		{ "rewrite", "trivial-rewrite" }, { "bounce", "bounce" },
		{ "smtp", "smtp" }, { "local", "local" },
	};
	struct fx *f = calloc(1, sizeof(*f));
	struct pfa_cfview *v = &f->v;

	pfa_cfview_init(v, "/etc/postfix");
	for (size_t i = 0; i < sizeof(defaults) / sizeof(defaults[0]); i++)
		pfa_cfview_set_default(v, defaults[i][0], defaults[i][1]);
	pfa_cfview_set_version(v, "3.7.11");
	pfa_cfview_set(v, "smtpd_banner",
	    "$myhostname ESMTP $mail_name (Debian/GNU)");
	pfa_cfview_set_expanded(v, "smtpd_banner",
	    "mail.example.org ESMTP Postfix (Debian/GNU)");
	pfa_cfview_set(v, "compatibility_level", "3.6");
	pfa_cfview_set(v, "smtpd_tls_security_level", "may");
	pfa_cfview_set(v, "mynetworks",
	    "127.0.0.0/8 [::ffff:127.0.0.0]/104 [::1]/128");
	pfa_cfview_set(v, "mailbox_size_limit", "0");
	pfa_cfview_set(v, "inet_interfaces", "all");
	pfa_cfview_add_service(v, "smtp", "inet", "smtpd");
	for (size_t i = 0; i < sizeof(unix_svcs) / sizeof(unix_svcs[0]); i++)
		pfa_cfview_add_service(v, unix_svcs[i][0], "unix",
		    unix_svcs[i][1]);
	pfa_cfview_svc_opt(pfa_cfview_add_service(v, "relay", "unix", "smtp"),
	    "syslog_name", "postfix/$service_name");
	pfa_result_init(&f->r);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;
	pfa_cfview_free(&f->v);
	pfa_result_free(&f->r);
	free(f);
	return 0;
}

typedef void auditfn(const struct pfa_cfview *, unsigned,
    struct pfa_result *);

static const struct pfa_finding_doc *
doc(const struct pfa_finding_doc *table, const char *id)
{
	for (const struct pfa_finding_doc *d = table; d != NULL && d->id; d++)
		if (strcmp(d->id, id) == 0)
			return d;
	return NULL;
}

/* Runs FN, then FN2 (or not: NULL) into a fresh result; every finding
 * must be documented in TABLE or TABLE2 and well formed. */
static void
run(struct fx *f, unsigned roles, auditfn *fn,
    const struct pfa_finding_doc *table, auditfn *fn2,
    const struct pfa_finding_doc *table2)
{
	unsigned r = roles == AUTO ? pfa_role_detect(&f->v) : roles;

	pfa_result_free(&f->r);
	pfa_result_init(&f->r);
	fn(&f->v, r, &f->r);
	if (fn2 != NULL)
		fn2(&f->v, r, &f->r);
	for (size_t i = 0; i < f->r.nfindings; i++) {
		const struct pfa_finding *x = &f->r.findings[i];
		const struct pfa_finding_doc *d = doc(table, x->id);
		if (d == NULL)
			d = doc(table2, x->id);
		if (d == NULL)
			fail_msg("undocumented finding %s", x->id);
		assert_true(x->sev <= d->sev);
		assert_non_null(x->subject);
		assert_true(x->message != NULL && x->message[0] != '\0');
	}
}

/* Both audits, in validate-config's order. */
static void
audit(struct fx *f, unsigned roles)
{
	run(f, roles, pfa_audit_relay, pfa_audit_relay_findings,
	    pfa_audit_smtpd, pfa_audit_smtpd_findings);
}

static size_t
count(const struct fx *f, const char *id)
{
	size_t n = 0;
	for (size_t i = 0; i < f->r.nfindings; i++)
		n += strcmp(f->r.findings[i].id, id) == 0;
	return n;
}

/* Findings whose id starts with PREFIX. */
static size_t
count_prefix(const struct fx *f, const char *prefix)
{
	size_t n = 0;
	for (size_t i = 0; i < f->r.nfindings; i++)
		n += strncmp(f->r.findings[i].id, prefix,
		    strlen(prefix)) == 0;
	return n;
}

/* The one finding ID about SUBJECT, checked for severity SEV. */
static const struct pfa_finding *
expect(const struct fx *f, const char *id, enum pfa_sev sev,
    const char *subject)
{
	for (size_t i = 0; i < f->r.nfindings; i++) {
		const struct pfa_finding *x = &f->r.findings[i];
		if (strcmp(x->id, id) == 0 &&
		    strcmp(x->subject, subject) == 0) {
			assert_int_equal(x->sev, sev);
			return x;
		}
	}
	fail_msg("no %s about %s", id, subject);
	return NULL;
}

/* Makes main.cf leave NAME unset (its value stays). */
static void
unset(struct pfa_cfview *v, const char *name)
{
	struct pfa_cfparam *p = (struct pfa_cfparam *)pfa_cfview_param(v,
	    name);
	free(p->raw);
	p->raw = NULL;
}

static void
rename_svc(struct pfa_cfsvc *s, const char *name)
{
	free(s->name);
	s->name = pfa_xstrdup(name);
}

static struct pfa_cfsvc *
submission(struct fx *f, const char *name)
{
	struct pfa_cfsvc *s = pfa_cfview_add_service(&f->v, name, "inet",
	    "smtpd");
	pfa_cfview_svc_opt(s, "syslog_name", "postfix/submission");
	if (strcmp(name, "submission") == 0) {
		pfa_cfview_svc_opt(s, "smtpd_tls_security_level", "encrypt");
		pfa_cfview_svc_opt(s, "smtpd_tls_auth_only", "yes");
	} else
		pfa_cfview_svc_opt(s, "smtpd_tls_wrappermode", "yes");
	pfa_cfview_svc_opt(s, "smtpd_sasl_auth_enable", "yes");
	pfa_cfview_svc_opt(s, "smtpd_relay_restrictions", "");
	pfa_cfview_svc_opt(s, "smtpd_recipient_restrictions",
	    "permit_sasl_authenticated,reject");
	return s;
}

/* ------------------------------------------------------- roles */

static void
test_roles(void **state)
{
	struct fx *f = *state;
	struct pfa_cfview *v = &f->v;
	char buf[64];

	assert_int_equal(pfa_role_detect(v), PFA_ROLE_MX);
	submission(f, "submission");
	assert_int_equal(pfa_role_detect(v), PFA_ROLE_MX | PFA_ROLE_SUBMISSION);
	pfa_cfview_set(v, "mynetworks", "127.0.0.0/8 10.0.0.0/8");
	assert_int_equal(pfa_role_detect(v), PFA_ROLE_MX |
	    PFA_ROLE_SUBMISSION | PFA_ROLE_RELAY);
	/* "!" exempts a service from a later match: the first match wins */
	pfa_cfview_set(v, "master_service_disable", "!smtp/inet, inet");
	assert_int_equal(pfa_role_detect(v), PFA_ROLE_MX | PFA_ROLE_RELAY);
	pfa_cfview_set(v, "master_service_disable", "smtp/inet");
	assert_int_equal(pfa_role_detect(v),
	    PFA_ROLE_SUBMISSION | PFA_ROLE_RELAY);
	pfa_cfview_set(v, "inet_interfaces", "loopback-only");
	assert_int_equal(pfa_role_detect(v), PFA_ROLE_NULLCLIENT);
	pfa_cfview_set(v, "inet_interfaces", "127.0.0.1, [::1]");
	assert_int_equal(pfa_role_detect(v), PFA_ROLE_NULLCLIENT);
	pfa_cfview_set(v, "inet_interfaces", "127.0.0.1, 192.0.2.2");
	assert_int_equal(pfa_role_detect(v),
	    PFA_ROLE_SUBMISSION | PFA_ROLE_RELAY);

	assert_string_equal(pfa_role_names(PFA_ROLE_MX | PFA_ROLE_RELAY, buf,
	    sizeof(buf)), "mx,relay");
	assert_string_equal(pfa_role_names(0, buf, sizeof(buf)), "none");
	assert_string_equal(pfa_role_names(PFA_ROLE_NULLCLIENT, buf, 5), "");
	unsigned bit = 0;
	assert_int_equal(pfa_role_parse("null-client", &bit), 0);
	assert_int_equal(bit, PFA_ROLE_NULLCLIENT);
	assert_int_equal(pfa_role_parse("submission", &bit), 0);
	assert_int_equal(bit, PFA_ROLE_SUBMISSION);
	assert_int_equal(pfa_role_parse("smarthost", &bit), -1);
}

static void
test_roles_listeners(void **state)
{
	struct fx *f = *state;
	struct pfa_cfview *v = &f->v;

	/* smtp bound to loopback, a content-filter return port too */
	rename_svc(&v->svcs[0], "127.0.0.1:smtp");
	pfa_cfview_add_service(v, "[::1]:10025", "inet", "smtpd");
	assert_int_equal(pfa_role_detect(v), PFA_ROLE_NULLCLIENT);
	/* submission on its number, on a public address */
	pfa_cfview_add_service(v, "192.0.2.2:587", "inet", "smtpd");
	assert_int_equal(pfa_role_detect(v), PFA_ROLE_SUBMISSION);
	/* postscreen in front of smtpd is still an MX */
	pfa_cfview_add_service(v, "smtp", "inet", "postscreen");
	pfa_cfview_add_service(v, "smtpd", "pass", "smtpd");
	assert_int_equal(pfa_role_detect(v), PFA_ROLE_MX | PFA_ROLE_SUBMISSION);
	/* mynetworks unset: the style decides */
	unset(v, "mynetworks");
	assert_false(pfa_role_detect(v) & PFA_ROLE_RELAY);
	pfa_cfview_set(v, "mynetworks_style", "subnet");
	assert_true(pfa_role_detect(v) & PFA_ROLE_RELAY);
}

/* ------------------------------------------------------- relay */

static void
test_relay_open(void **state)
{
	struct fx *f = *state;

	audit(f, AUTO);
	assert_int_equal(count(f, "PFA-RELAY-001"), 0);
	pfa_cfview_set(&f->v, "smtpd_relay_restrictions",
	    "permit_mynetworks, permit, reject_unauth_destination");
	audit(f, AUTO);
	const struct pfa_finding *x = expect(f, "PFA-RELAY-001",
	    PFA_SEV_CRITICAL, "smtpd_relay_restrictions");
	assert_string_equal(x->remedy, "postconf -e 'smtpd_relay_restrictions "
	    "= permit_mynetworks, permit_sasl_authenticated, "
	    "reject_unauth_destination'");
	/* either list may hold the guard; names ignore case */
	pfa_cfview_set(&f->v, "smtpd_recipient_restrictions",
	    "permit_mynetworks, REJECT_UNAUTH_DESTINATION");
	audit(f, AUTO);
	assert_int_equal(count(f, "PFA-RELAY-001"), 0);
	/* warn_if_reject disarms the guard after it */
	pfa_cfview_set(&f->v, "smtpd_recipient_restrictions",
	    "warn_if_reject reject_unauth_destination");
	audit(f, AUTO);
	assert_int_equal(count(f, "PFA-RELAY-001"), 1);
	/* no guard at all: smtpd will not start, loadcheck's LOAD-015 */
	pfa_cfview_set(&f->v, "smtpd_relay_restrictions", "permit_mynetworks");
	audit(f, AUTO);
	assert_int_equal(count(f, "PFA-RELAY-001"), 0);
}

/* A class that permits: smtpd's own check lets this through. */
static void
test_relay_classes_and_services(void **state)
{
	struct fx *f = *state;
	struct pfa_cfview *v = &f->v;

	pfa_cfview_set(v, "smtpd_restriction_classes", "trusted");
	pfa_cfview_set(v, "trusted", "reject_unauth_destination");
	pfa_cfview_set(v, "smtpd_relay_restrictions",
	    "permit_mynetworks trusted reject_unauth_destination");
	struct pfa_cfsvc *s = submission(f, "submission");
	audit(f, AUTO);
	assert_int_equal(count(f, "PFA-RELAY-001"), 0); /* stock template */
	pfa_cfview_set(v, "trusted", "check_client_access cidr:/x permit");
	pfa_cfview_svc_opt(s, "smtpd_recipient_restrictions",
	    "permit_sasl_authenticated,permit,reject");
	audit(f, AUTO);
	expect(f, "PFA-RELAY-001", PFA_SEV_CRITICAL,
	    "smtpd_relay_restrictions");
	const struct pfa_finding *x = expect(f, "PFA-RELAY-001",
	    PFA_SEV_CRITICAL, "submission/inet");
	assert_string_equal(x->remedy, "postconf -P 'submission/inet/"
	    "smtpd_relay_restrictions=permit_mynetworks,"
	    "permit_sasl_authenticated,reject_unauth_destination'");
	assert_int_equal(count(f, "PFA-RELAY-001"), 2);
}

static void
test_mynetworks(void **state)
{
	struct fx *f = *state;
	struct pfa_cfview *v = &f->v;

	pfa_cfview_set(v, "mynetworks", "127.0.0.0/8 10.0.0.0/8 "
	    "192.168.0.0/16 203.0.113.0/24 [2001:db8::]/48 [fd00::]/8");
	audit(f, AUTO);
	assert_int_equal(count(f, "PFA-RELAY-002"), 0);
	assert_int_equal(count(f, "PFA-RELAY-003"), 0);

	pfa_cfview_set(v, "mynetworks", "127.0.0.0/8 0.0.0.0/0");
	audit(f, AUTO);
	const struct pfa_finding *x = expect(f, "PFA-RELAY-002",
	    PFA_SEV_CRITICAL, "mynetworks");
	assert_string_equal(x->remedy,
	    "postconf -e 'mynetworks = 127.0.0.0/8'");
	audit(f, PFA_ROLE_NULLCLIENT);	/* nobody public can reach it */
	expect(f, "PFA-RELAY-002", PFA_SEV_WARNING, "mynetworks");

	pfa_cfview_set(v, "mynetworks", "[::]/0, 11.0.0.0/8 [2001:db8::]/16");
	audit(f, AUTO);
	expect(f, "PFA-RELAY-002", PFA_SEV_CRITICAL, "mynetworks");
	assert_int_equal(count(f, "PFA-RELAY-003"), 2);
	x = expect(f, "PFA-RELAY-003", PFA_SEV_WARNING, "mynetworks");
	assert_string_equal(x->remedy, "postconf -e 'mynetworks = "
	    "127.0.0.0/8 [::ffff:127.0.0.0]/104 [::1]/128'");
}

static void
test_mynetworks_style(void **state)
{
	struct fx *f = *state;
	struct pfa_cfview *v = &f->v;

	pfa_cfview_set(v, "mynetworks_style", "class");
	audit(f, AUTO);		/* mynetworks is set: style unused */
	assert_int_equal(count(f, "PFA-RELAY-004"), 0);
	unset(v, "mynetworks");
	audit(f, AUTO);
	expect(f, "PFA-RELAY-004", PFA_SEV_WARNING, "mynetworks_style");
	pfa_cfview_set(v, "mynetworks_style", "subnet");
	audit(f, AUTO);
	expect(f, "PFA-RELAY-004", PFA_SEV_INFO, "mynetworks_style");
	pfa_cfview_set(v, "mynetworks_style", "host");
	audit(f, AUTO);
	assert_int_equal(count(f, "PFA-RELAY-004"), 0);
}

/* Each module reports its own rules: relay PFA-RELAY-*, smtpd the rest. */
static void
test_split(void **state)
{
	struct fx *f = *state;
	struct pfa_cfview *v = &f->v;

	pfa_cfview_set(v, "smtpd_relay_restrictions",
	    "permit_mynetworks, permit, reject_unauth_destination");
	pfa_cfview_set(v, "mynetworks", "0.0.0.0/0 11.0.0.0/8");
	audit(f, AUTO);
	size_t all = f->r.nfindings;
	assert_int_equal(count(f, "PFA-RELAY-001"), 1);
	assert_int_equal(count(f, "PFA-RELAY-002"), 1);
	assert_int_equal(count(f, "PFA-RELAY-003"), 1);
	run(f, AUTO, pfa_audit_smtpd, pfa_audit_smtpd_findings, NULL, NULL);
	assert_int_equal(count_prefix(f, "PFA-RELAY-"), 0);
	assert_true(f->r.nfindings > 0);
	assert_int_equal(f->r.nfindings, all - 3);
	run(f, AUTO, pfa_audit_relay, pfa_audit_relay_findings, NULL, NULL);
	assert_int_equal(f->r.nfindings, 3);
	assert_int_equal(count_prefix(f, "PFA-RELAY-"), 3);

	/* mynetworks unset: the style, still relay's */
	unset(v, "mynetworks");
	pfa_cfview_set(v, "mynetworks_style", "class");
	run(f, AUTO, pfa_audit_smtpd, pfa_audit_smtpd_findings, NULL, NULL);
	assert_int_equal(count_prefix(f, "PFA-RELAY-"), 0);
	run(f, AUTO, pfa_audit_relay, pfa_audit_relay_findings, NULL, NULL);
	assert_int_equal(f->r.nfindings, 2);
	expect(f, "PFA-RELAY-001", PFA_SEV_CRITICAL,
	    "smtpd_relay_restrictions");
	expect(f, "PFA-RELAY-004", PFA_SEV_WARNING, "mynetworks_style");
}

/* ------------------------------------------------------- exposure */

static void
test_vrfy(void **state)
{
	struct fx *f = *state;

	audit(f, AUTO);
	const struct pfa_finding *x = expect(f, "PFA-SMTPD-001",
	    PFA_SEV_WARNING, "disable_vrfy_command");
	assert_string_equal(x->remedy,
	    "postconf -e 'disable_vrfy_command = yes'");
	pfa_cfview_set(&f->v, "disable_vrfy_command", "yes");
	audit(f, AUTO);
	assert_int_equal(count(f, "PFA-SMTPD-001"), 0);
	/* a submission-only host: INFO */
	pfa_cfview_set(&f->v, "disable_vrfy_command", "no");
	pfa_cfview_set(&f->v, "master_service_disable", "smtp/inet");
	submission(f, "submission");
	audit(f, AUTO);
	expect(f, "PFA-SMTPD-001", PFA_SEV_INFO, "disable_vrfy_command");
}

static void
test_helo(void **state)
{
	struct fx *f = *state;

	audit(f, AUTO);
	expect(f, "PFA-SMTPD-002", PFA_SEV_WARNING, "smtpd_helo_required");
	pfa_cfview_set(&f->v, "smtpd_helo_required", "yes");
	audit(f, AUTO);
	assert_int_equal(count(f, "PFA-SMTPD-002"), 0);
	/* an override on the MX service wins over main.cf */
	pfa_cfview_svc_opt(&f->v.svcs[0], "smtpd_helo_required", "no");
	audit(f, AUTO);
	const struct pfa_finding *x = expect(f, "PFA-SMTPD-002",
	    PFA_SEV_WARNING, "smtp/inet");
	assert_string_equal(x->remedy,
	    "postconf -P 'smtp/inet/smtpd_helo_required=yes'");
	assert_int_equal(count(f, "PFA-SMTPD-002"), 1);
}

static void
test_inet_interfaces(void **state)
{
	struct fx *f = *state;

	audit(f, AUTO);		/* an MX must listen */
	assert_int_equal(count(f, "PFA-SMTPD-003"), 0);
	rename_svc(&f->v.svcs[0], "127.0.0.1:smtp");
	audit(f, AUTO);
	const struct pfa_finding *x = expect(f, "PFA-SMTPD-003",
	    PFA_SEV_WARNING, "inet_interfaces");
	assert_string_equal(x->remedy, "postconf -e 'inet_interfaces = "
	    "loopback-only' && postfix stop && postfix start");
	pfa_cfview_set(&f->v, "inet_interfaces", "loopback-only");
	audit(f, AUTO);
	assert_int_equal(count(f, "PFA-SMTPD-003"), 0);
	/* no inet smtpd at all: a null client whatever inet_interfaces is */
	pfa_cfview_set(&f->v, "inet_interfaces", "all");
	free(f->v.svcs[0].type);
	f->v.svcs[0].type = pfa_xstrdup("unix");
	assert_int_equal(pfa_role_detect(&f->v), PFA_ROLE_NULLCLIENT);
	audit(f, AUTO);
	expect(f, "PFA-SMTPD-003", PFA_SEV_WARNING, "inet_interfaces");
}

static void
test_banner(void **state)
{
	struct fx *f = *state;

	audit(f, AUTO);
	const struct pfa_finding *x = expect(f, "PFA-SMTPD-004",
	    PFA_SEV_INFO, "smtpd_banner");
	assert_string_equal(x->remedy,
	    "postconf -e 'smtpd_banner = $myhostname ESMTP'");
	/* the host name may say anything */
	pfa_cfview_set(&f->v, "myhostname", "debian-postfix.example.org");
	pfa_cfview_set(&f->v, "smtpd_banner", "$myhostname ESMTP");
	pfa_cfview_set_expanded(&f->v, "smtpd_banner",
	    "debian-postfix.example.org ESMTP");
	audit(f, AUTO);
	assert_int_equal(count(f, "PFA-SMTPD-004"), 0);
	/* an override with a space: drop it, set main.cf */
	pfa_cfview_svc_opt(&f->v.svcs[0], "smtpd_banner", "$mail_name");
	audit(f, AUTO);
	x = expect(f, "PFA-SMTPD-004", PFA_SEV_INFO, "smtp/inet");
	assert_string_equal(x->remedy, "postconf -PX 'smtp/inet/smtpd_banner' "
	    "&& postconf -e 'smtpd_banner = $myhostname ESMTP'");
	/* a public listener on another port: no role bit, still public */
	rename_svc(&f->v.svcs[0], "2525");
	assert_int_equal(pfa_role_detect(&f->v), 0);
	audit(f, AUTO);
	expect(f, "PFA-SMTPD-004", PFA_SEV_INFO, "2525/inet");
}

static void
test_bare_newline(void **state)
{
	struct fx *f = *state;

	audit(f, AUTO);
	const struct pfa_finding *x = expect(f, "PFA-SMTPD-005",
	    PFA_SEV_WARNING, "smtpd_forbid_bare_newline");
	assert_string_equal(x->remedy, "postconf -e 'smtpd_forbid_bare_newline"
	    " = normalize' 'smtpd_forbid_bare_newline_exclusions = "
	    "$mynetworks'");
	pfa_cfview_set(&f->v, "smtpd_forbid_bare_newline", "normalize");
	audit(f, AUTO);
	assert_int_equal(count(f, "PFA-SMTPD-005"), 0);
}

static void
test_bare_newline_unknown(void **state)
{
	struct fx *f = *state;

	/* a Postfix without the parameter: upgrade */
	struct pfa_cfparam *p = (struct pfa_cfparam *)pfa_cfview_param(&f->v,
	    "smtpd_forbid_bare_newline");
	free(p->name);
	p->name = pfa_xstrdup("zz_removed");
	pfa_cfview_set_version(&f->v, "3.4.14");
	audit(f, AUTO);
	const struct pfa_finding *x = expect(f, "PFA-SMTPD-005",
	    PFA_SEV_WARNING, "mail_version");
	assert_null(x->remedy);
	assert_int_equal(count(f, "PFA-SMTPD-005"), 1);
	audit(f, PFA_ROLE_NULLCLIENT);
	assert_int_equal(count(f, "PFA-SMTPD-005"), 0);
}

static void
test_size_and_commands(void **state)
{
	struct fx *f = *state;

	audit(f, AUTO);
	assert_int_equal(count(f, "PFA-SMTPD-006"), 0);
	assert_int_equal(count(f, "PFA-SMTPD-007"), 0);
	pfa_cfview_set(&f->v, "message_size_limit", "0");
	pfa_cfview_set(&f->v, "allow_mail_to_commands",
	    "alias, forward, include");
	audit(f, PFA_ROLE_NULLCLIENT);	/* any host */
	const struct pfa_finding *x = expect(f, "PFA-SMTPD-006",
	    PFA_SEV_WARNING, "message_size_limit");
	assert_string_equal(x->remedy,
	    "postconf -e 'message_size_limit = 10240000'");
	x = expect(f, "PFA-SMTPD-007", PFA_SEV_WARNING,
	    "allow_mail_to_commands");
	assert_string_equal(x->remedy,
	    "postconf -e 'allow_mail_to_commands = alias, forward'");
}

/* PFA-SMTPD-008: a bare host name in HELO, on any host that sends. */
static void
test_fqdn(void **state)
{
	struct fx *f = *state;

	audit(f, AUTO);
	assert_int_equal(count(f, "PFA-SMTPD-008"), 0);	/* mail.example.org */
	static const char *const bare[] = { "debian", "localhost",
		"localhost.localdomain", "mx.localdomain", "mail.", NULL };
	for (size_t i = 0; bare[i]; i++) {
		pfa_cfview_set(&f->v, "myhostname", bare[i]);
		audit(f, PFA_ROLE_NULLCLIENT);	/* a null client sends too */
		const struct pfa_finding *x = expect(f, "PFA-SMTPD-008",
		    PFA_SEV_WARNING, "myhostname");
		assert_non_null(strstr(x->message, bare[i]));
		assert_non_null(strstr(x->remedy, "postconf -e 'myhostname"));
	}
	/* a host that delivers nowhere beyond itself says HELO to no one */
	pfa_cfview_set(&f->v, "myhostname", "debian");
	pfa_cfview_set(&f->v, "default_transport", "error:local only");
	audit(f, PFA_ROLE_NULLCLIENT);
	assert_int_equal(count(f, "PFA-SMTPD-008"), 0);
	pfa_cfview_set(&f->v, "relayhost", "[relay.example.org]");
	audit(f, PFA_ROLE_NULLCLIENT);
	assert_int_equal(count(f, "PFA-SMTPD-008"), 1);
}

/* Lynis #334: a send-only host gets nothing about a listener it lacks. */
static void
test_send_only_host(void **state)
{
	struct fx *f = *state;

	pfa_cfview_set(&f->v, "inet_interfaces", "loopback-only");
	assert_int_equal(pfa_role_detect(&f->v), PFA_ROLE_NULLCLIENT);
	audit(f, AUTO);		/* no VRFY, HELO, banner, smuggling */
	assert_int_equal(f->r.nfindings, 0);
}

/* ------------------------------------------------------- submission */

static void
test_privacy_headers(void **state)
{
	struct fx *f = *state;

	audit(f, AUTO);		/* no submission, nothing to say */
	assert_int_equal(count(f, "PFA-PRIV-001"), 0);
	struct pfa_cfsvc *s = submission(f, "submission");
	audit(f, AUTO);
	const struct pfa_finding *x = expect(f, "PFA-PRIV-001", PFA_SEV_INFO,
	    "submission/inet");
	assert_non_null(strstr(x->remedy, "postconf -M 'authclean/unix="));
	assert_non_null(strstr(x->remedy,
	    "'submission/inet/cleanup_service_name=authclean'"));
	pfa_cfview_svc_opt(s, "cleanup_service_name", "authclean");
	struct pfa_cfsvc *c = pfa_cfview_add_service(&f->v, "authclean",
	    "unix", "cleanup");
	pfa_cfview_svc_opt(c, "header_checks",
	    "regexp:/etc/postfix/submission_header_cleanup");
	pfa_cfview_svc_opt(c, "nested_header_checks", "");
	audit(f, AUTO);
	assert_int_equal(count(f, "PFA-PRIV-001"), 0);
}

static void
test_authenticated_header(void **state)
{
	struct fx *f = *state;
	struct pfa_cfsvc *s = submission(f, "submission");

	audit(f, AUTO);
	assert_int_equal(count(f, "PFA-PRIV-002"), 0);
	pfa_cfview_set(&f->v, "smtpd_sasl_authenticated_header", "yes");
	audit(f, AUTO);	/* where SASL is on: once, for main.cf */
	const struct pfa_finding *x = expect(f, "PFA-PRIV-002", PFA_SEV_INFO,
	    "smtpd_sasl_authenticated_header");
	assert_string_equal(x->remedy,
	    "postconf -e 'smtpd_sasl_authenticated_header = no'");
	assert_int_equal(count(f, "PFA-PRIV-002"), 1);
	pfa_cfview_svc_opt(s, "smtpd_sasl_auth_enable", "no");
	audit(f, AUTO);
	assert_int_equal(count(f, "PFA-PRIV-002"), 0);
}

static void
test_wrappermode(void **state)
{
	struct fx *f = *state;
	struct pfa_cfsvc *s = submission(f, "submissions");

	audit(f, AUTO);
	assert_int_equal(count(f, "PFA-MASTER-001"), 0);
	pfa_cfview_svc_opt(s, "smtpd_tls_wrappermode", "no");
	/* (adding a service moves the others: S is stale after this) */
	pfa_cfview_svc_opt(pfa_cfview_add_service(&f->v, "smtps", "inet",
	    "smtpd"), "smtpd_sasl_auth_enable", "yes");
	audit(f, AUTO);
	const struct pfa_finding *x = expect(f, "PFA-MASTER-001",
	    PFA_SEV_CRITICAL, "submissions/inet");
	assert_string_equal(x->remedy,
	    "postconf -P 'submissions/inet/smtpd_tls_wrappermode=yes'");
	expect(f, "PFA-MASTER-001", PFA_SEV_CRITICAL, "smtps/inet");
	/* loopback or not, the clients break */
	audit(f, PFA_ROLE_NULLCLIENT);
	assert_int_equal(count(f, "PFA-MASTER-001"), 2);
	assert_int_equal(count(f, "PFA-MASTER-004"), 0);
	/* wrapper mode for all: port 25 breaks, 465 is fine */
	pfa_cfview_set(&f->v, "smtpd_tls_wrappermode", "yes");
	audit(f, AUTO);
	x = expect(f, "PFA-MASTER-004", PFA_SEV_CRITICAL, "smtp/inet");
	assert_string_equal(x->remedy,
	    "postconf -P 'smtp/inet/smtpd_tls_wrappermode=no'");
	assert_int_equal(count(f, "PFA-MASTER-001"), 1); /* submissions */
}

static void
test_submission_tls_and_sasl(void **state)
{
	struct fx *f = *state;
	struct pfa_cfsvc *s = submission(f, "submission");

	audit(f, AUTO);
	assert_int_equal(count(f, "PFA-MASTER-002"), 0);
	assert_int_equal(count(f, "PFA-MASTER-003"), 0);
	/* auth_only alone is enough: AUTH is refused without TLS */
	pfa_cfview_svc_opt(s, "smtpd_tls_security_level", "may");
	audit(f, AUTO);
	assert_int_equal(count(f, "PFA-MASTER-002"), 0);
	pfa_cfview_svc_opt(s, "smtpd_tls_auth_only", "no");
	pfa_cfview_svc_opt(s, "smtpd_sasl_auth_enable", "no");
	audit(f, AUTO);
	const struct pfa_finding *x = expect(f, "PFA-MASTER-002",
	    PFA_SEV_WARNING, "submission/inet");
	assert_string_equal(x->remedy,
	    "postconf -P 'submission/inet/smtpd_tls_security_level=encrypt'");
	x = expect(f, "PFA-MASTER-003", PFA_SEV_INFO, "submission/inet");
	assert_string_equal(x->remedy,
	    "postconf -P 'submission/inet/smtpd_sasl_auth_enable=yes'");
}

/* The rows of TABLE: each with a title, none repeated in it or in
 * OTHER, all (or, !OWN, none) starting with PREFIX. */
static size_t
table_rows(const struct pfa_finding_doc *table,
    const struct pfa_finding_doc *other, const char *prefix, bool own)
{
	size_t n = 0;
	for (const struct pfa_finding_doc *d = table; d->id; d++) {
		n++;
		assert_non_null(d->title);
		assert_int_equal(strncmp(d->id, prefix, strlen(prefix)) == 0,
		    own);
		for (const struct pfa_finding_doc *e = d + 1; e->id; e++)
			assert_string_not_equal(d->id, e->id);
		for (const struct pfa_finding_doc *e = other; e->id; e++)
			assert_string_not_equal(d->id, e->id);
	}
	return n;
}

static void
test_rule_table(void **state)
{
	(void)state;
	size_t relay = table_rows(pfa_audit_relay_findings,
	    pfa_audit_smtpd_findings, "PFA-RELAY-", true);
	size_t smtpd = table_rows(pfa_audit_smtpd_findings,
	    pfa_audit_relay_findings, "PFA-RELAY-", false);
	assert_int_equal(relay, 4);
	assert_int_equal(smtpd, 14);
	assert_int_equal(relay + smtpd, 18);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_roles), T(test_roles_listeners),
		T(test_relay_open), T(test_relay_classes_and_services),
		T(test_mynetworks), T(test_mynetworks_style), T(test_split),
		T(test_vrfy),
		T(test_helo), T(test_inet_interfaces), T(test_banner),
		T(test_bare_newline), T(test_bare_newline_unknown),
		T(test_size_and_commands), T(test_fqdn), T(test_send_only_host),
		T(test_privacy_headers), T(test_authenticated_header),
		T(test_wrappermode),
		T(test_submission_tls_and_sasl), T(test_rule_table),
	};
	return cmocka_run_group_tests_name("audit_smtpd", tests, NULL, NULL);
}
