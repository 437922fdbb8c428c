/*
 * test_audit_tls.c - the TLS, obsolete-parameter and SASL relayhost rules
 * of the hardening audit (tasks/audit_tls.c, tasks/audit_obs.c,
 * tasks/audit_sasl.c), run together as validate-config runs them.
 *
 * Every view is built by hand over Postfix 3.7.11's defaults (postconf
 * -dx on Debian 12).  Every rule has a fixture that triggers it and one
 * that does not; the seed guides' outdated advice must be flagged, a
 * hardened configuration must give no warning, and no finding may carry
 * the password of the sasl_passwd fixture.  The SASL tests use real files
 * in a temporary directory (modes and mtimes through chmod and utimensat).
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "audit.h"
#include "testutil.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define MX	PFA_ROLE_MX
#define SUB	PFA_ROLE_SUBMISSION
#define PASSWORD "S3cret-Pa55w0rd"
#define USER	"relayuser@example.com"

static char dir[64];
static char label[64];		/* the table case running, for failures */

/* Postfix 3.7.11's defaults, expanded, for every parameter the rules read. */
static const char *const defaults[][2] = {
	{ "smtpd_tls_protocols", ">=TLSv1" },
	{ "smtpd_tls_mandatory_protocols", ">=TLSv1" },
	{ "smtp_tls_protocols", ">=TLSv1" },
	{ "smtp_tls_mandatory_protocols", ">=TLSv1" },
	{ "smtpd_tls_ciphers", "medium" },
	{ "smtpd_tls_mandatory_ciphers", "medium" },
	{ "smtp_tls_ciphers", "medium" },
	{ "smtp_tls_mandatory_ciphers", "medium" },
	{ "smtpd_tls_security_level", "" }, { "smtp_tls_security_level", "" },
	{ "smtpd_use_tls", "no" }, { "smtpd_enforce_tls", "no" },
	{ "smtp_use_tls", "no" }, { "smtp_enforce_tls", "no" },
	{ "smtpd_tls_wrappermode", "no" }, { "smtp_tls_wrappermode", "no" },
	{ "tls_preempt_cipherlist", "no" }, { "tls_ssl_options", "" },
	{ "smtpd_tls_auth_only", "no" }, { "smtpd_sasl_auth_enable", "no" },
	{ "smtpd_tls_loglevel", "0" }, { "smtp_tls_loglevel", "0" },
	{ "smtpd_tls_cert_file", "" }, { "smtpd_tls_key_file", "" },
	{ "smtpd_tls_chain_files", "" }, { "smtpd_tls_eccert_file", "" },
	{ "smtpd_tls_dh1024_param_file", "" },
	{ "smtpd_tls_dh512_param_file", "" },
	{ "smtpd_tls_eecdh_grade", "auto" },
	{ "tls_eecdh_auto_curves", "X25519 X448 prime256v1 secp521r1 "
	    "secp384r1" },
	{ "relayhost", "" }, { "smtp_sasl_auth_enable", "no" },
	{ "smtp_sasl_password_maps", "" }, { "smtp_tls_policy_maps", "" },
	{ "smtp_sasl_security_options", "noplaintext, noanonymous" },
	{ "smtp_sasl_tls_security_options", "noplaintext, noanonymous" },
	{ "smtp_sender_dependent_authentication", "no" },
	{ "mail_version", "3.7.11" },
};

static void
view_init(struct pfa_cfview *v, const char *version)
{
	pfa_cfview_init(v, "/etc/postfix");
	for (size_t i = 0; i < NELEM(defaults); i++)
		pfa_cfview_set_default(v, defaults[i][0], defaults[i][1]);
	pfa_cfview_set_version(v, version);
}

/* Applies "name=value;..." to V as main.cf settings. */
static void
set_list(struct pfa_cfview *v, const char *list)
{
	char *dup = strdup(list), *save = NULL;
	assert_non_null(dup);
	for (char *kv = strtok_r(dup, ";", &save); kv != NULL;
	    kv = strtok_r(NULL, ";", &save)) {
		char *eq = strchr(kv, '=');
		assert_non_null(eq);
		*eq = '\0';
		pfa_cfview_set(v, kv, eq + 1);
	}
	free(dup);
}

static void
audit(const struct pfa_cfview *v, unsigned roles, struct pfa_result *r)
{
	pfa_result_init(r);
	pfa_audit_tls(v, roles, r);
	pfa_audit_obs(v, roles, r);
	pfa_audit_sasl(v, roles, r);
}

static const struct pfa_finding_doc *
doc(const char *id)
{
	const struct pfa_finding_doc *t[] = {
		pfa_audit_tls_findings, pfa_audit_obs_findings, pfa_audit_sasl_findings,
	};
	for (size_t i = 0; i < NELEM(t); i++)
		for (size_t j = 0; t[i][j].id; j++)
			if (strcmp(t[i][j].id, id) == 0)
				return &t[i][j];
	return NULL;
}

static const struct pfa_finding *
find(const struct pfa_result *r, const char *id, const char *subject)
{
	for (size_t i = 0; i < r->nfindings; i++)
		if (strcmp(r->findings[i].id, id) == 0 && (subject == NULL ||
		    strcmp(r->findings[i].subject, subject) == 0))
			return &r->findings[i];
	return NULL;
}

static void
dump(const struct pfa_result *r)
{
	for (size_t i = 0; i < r->nfindings; i++)
		fprintf(stderr, "# %s %s %s: %s [%s]\n", r->findings[i].id,
		    pfa_sev_name(r->findings[i].sev), r->findings[i].subject,
		    r->findings[i].message, r->findings[i].remedy ?
		    r->findings[i].remedy : "-");
}

/* Asserts a finding ID on SUBJECT with SEV, documented, with a message. */
static const struct pfa_finding *
expect(const struct pfa_result *r, const char *id, enum pfa_sev sev,
    const char *subject)
{
	const struct pfa_finding *f = find(r, id, subject);
	if (f == NULL || f->sev != sev) {
		fprintf(stderr, "# %swanted %s %s %s\n", label, id,
		    pfa_sev_name(sev), subject);
		dump(r);
	}
	assert_non_null(f);
	assert_int_equal(f->sev, sev);
	assert_non_null(doc(id));
	assert_true(f->sev <= doc(id)->sev);
	assert_true(f->message[0] != '\0');
	return f;
}

static void
expect_none(const struct pfa_result *r, const char *id, const char *subject)
{
	if (find(r, id, subject) != NULL) {
		fprintf(stderr, "# %sunwanted %s %s\n", label, id,
		    subject ? subject : "(any)");
		dump(r);
	}
	assert_null(find(r, id, subject));
}

/* --------------------------------------------- table-driven main.cf */

#define V37 "3.7.11"

struct pcase {
	const char *id;
	unsigned roles;
	const char *set;	/* "name=value;..." over the defaults */
	int sev;		/* the finding's severity, or QUIET for none */
	const char *subject;	/* NULL: any subject (QUIET only) */
	const char *remedy;	/* NULL: not checked */
	const char *version;	/* NULL: 3.7.11 */
};

#define C	PFA_SEV_CRITICAL
#define W	PFA_SEV_WARNING
#define I	PFA_SEV_INFO
#define QUIET	(-1)
#define T(id, roles, set, sev, subj) { id, roles, set, sev, subj, NULL, NULL }
#define TR(id, roles, set, sev, subj, rem) { id, roles, set, sev, subj, rem, \
	NULL }
#define TV(id, roles, set, sev, subj, ver) { id, roles, set, sev, subj, \
	NULL, ver }
#define FLOOR(p) "postconf -e '" p " = >=TLSv1.2'"
#define PROTO	"smtpd_tls_protocols"
#define MPROTO	"smtpd_tls_mandatory_protocols"
#define LEVEL	"smtpd_tls_security_level"

static const struct pcase cases[] = {
	/* PFA-TLS-001: SSL enabled, in every syntax Postfix reads */
	T("PFA-TLS-001", MX, MPROTO "=SSLv3, TLSv1", C, MPROTO),
	TR("PFA-TLS-001", MX, PROTO "=!SSLv2", C, PROTO, FLOOR(PROTO)),
	T("PFA-TLS-001", MX, PROTO "=", C, PROTO),
	T("PFA-TLS-001", MX, PROTO "=>=SSLv3", C, PROTO),
	T("PFA-TLS-001", 0, "smtp_tls_protocols=!SSLv2, TLSv1.2", QUIET, NULL),
	T("PFA-TLS-001", MX, PROTO "=!sslv2:!sslv3", QUIET, NULL),
	/* PFA-TLS-002: TLS 1.0/1.1; INFO for opportunistic outbound */
	TR("PFA-TLS-002", MX, "", W, PROTO, FLOOR(PROTO)),
	/* the outbound mandatory list warns only where TLS is required */
	T("PFA-TLS-002", MX, "", I, "smtp_tls_mandatory_protocols"),
	T("PFA-TLS-002", MX, "smtp_tls_security_level=encrypt", W,
	    "smtp_tls_mandatory_protocols"),
	T("PFA-TLS-002", MX, "smtp_tls_policy_maps=hash:/etc/postfix/tls_policy",
	    W, "smtp_tls_mandatory_protocols"),
	T("PFA-TLS-002", MX, "", I, "smtp_tls_protocols"),
	/* the inbound mandatory list has effect only where smtpd requires
	 * TLS: a note on a stock MX, a warning with encrypt */
	T("PFA-TLS-002", MX, MPROTO "=!SSLv2, !SSLv3", I, MPROTO),
	T("PFA-TLS-002", MX, MPROTO "=!SSLv2, !SSLv3;" LEVEL "=encrypt", W,
	    MPROTO),
	{ "PFA-TLS-002", MX, PROTO "=!SSLv2, !SSLv3", W, PROTO,
	    "postconf -e '" PROTO " = !SSLv2,!SSLv3,!TLSv1,!TLSv1.1'",
	    "3.4.14" },
	T("PFA-TLS-002", MX, PROTO "=!SSLv2, !SSLv3, !TLSv1, !TLSv1.1", QUIET,
	    PROTO),
	T("PFA-TLS-002", MX, PROTO "=TLSv1.2 TLSv1.3", QUIET, PROTO),
	T("PFA-TLS-002", MX, PROTO "=>=0x0303, <=TLSv1.3", QUIET, PROTO),
	/* PFA-TLS-003 is retired: what Postfix rejects (a 3.7 "#comment"
	 * too) is the loadability checks' PFA-LOAD-010/011, once */
	T("PFA-TLS-003", MX, PROTO "=>=TLSv1.4", QUIET, NULL),
	T("PFA-TLS-003", MX, PROTO "=TLSv1.2 #new", QUIET, NULL),
	T("PFA-TLS-003", MX, "smtpd_tls_ciphers=strong", QUIET, NULL),
	T("PFA-TLS-003", MX, "smtpd_tls_ciphers=HIGH", QUIET, NULL),
	/* names and grades in any case, as Postfix reads them */
	T("PFA-TLS-002", MX, PROTO "=>=tlsv1.2", QUIET, PROTO),
	T("PFA-TLS-002", MX, PROTO "=!sslv2, !sslv3, !tlsv1", W, PROTO),
	T("PFA-TLS-004", MX, "smtpd_tls_ciphers=HIGH", QUIET, NULL),
	/* PFA-TLS-004: cipher grade */
	TR("PFA-TLS-004", MX, "smtpd_tls_mandatory_ciphers=export", C,
	    "smtpd_tls_mandatory_ciphers",
	    "postconf -e 'smtpd_tls_mandatory_ciphers = medium'"),
	T("PFA-TLS-004", 0, "smtp_tls_ciphers=low", C, "smtp_tls_ciphers"),
	T("PFA-TLS-004", MX, "smtpd_tls_ciphers=null", C, "smtpd_tls_ciphers"),
	TV("PFA-TLS-004", MX, "smtpd_tls_ciphers=export", I,
	    "smtpd_tls_ciphers", "3.8.6"),
	T("PFA-TLS-004", MX, "smtpd_tls_ciphers=high", QUIET, NULL),
	/* PFA-TLS-005: server cipher preference */
	TR("PFA-TLS-005", MX, "", I, "tls_preempt_cipherlist",
	    "postconf -e 'tls_preempt_cipherlist = yes'"),
	T("PFA-TLS-005", MX, "tls_preempt_cipherlist=yes", QUIET, NULL),
	T("PFA-TLS-005", PFA_ROLE_NULLCLIENT, "", QUIET, NULL),
	/* PFA-TLS-006: no STARTTLS where it is expected */
	TR("PFA-TLS-006", MX, "", W, LEVEL,
	    "postconf -e '" LEVEL " = may'"),
	T("PFA-TLS-006", SUB, LEVEL "=none", W, LEVEL),
	T("PFA-TLS-006", MX, LEVEL "=may", QUIET, NULL),
	T("PFA-TLS-006", MX, "smtpd_use_tls=yes", QUIET, NULL),
	T("PFA-TLS-006", PFA_ROLE_RELAY, "", QUIET, NULL),
	/* PFA-TLS-007: a public MX must not require TLS */
	T("PFA-TLS-007", MX, LEVEL "=encrypt", W, LEVEL),
	T("PFA-TLS-007", SUB, LEVEL "=encrypt", QUIET, NULL),
	/* PFA-TLS-008: outbound */
	TR("PFA-TLS-008", PFA_ROLE_NULLCLIENT, "", W, "smtp_tls_security_level",
	    "postconf -e 'smtp_tls_security_level = may'"),
	T("PFA-TLS-008", 0, "smtp_tls_security_level=may", QUIET, NULL),
	T("PFA-TLS-008", 0, "smtp_enforce_tls=yes", QUIET, NULL),
	/* PFA-TLS-009: AUTH before STARTTLS */
	TR("PFA-TLS-009", MX, "smtpd_sasl_auth_enable=yes;" LEVEL "=may", W,
	    "smtpd_tls_auth_only", "postconf -e 'smtpd_tls_auth_only = yes'"),
	T("PFA-TLS-009", MX, "smtpd_sasl_auth_enable=yes;" LEVEL "=may;"
	    "smtpd_tls_auth_only=yes", QUIET, NULL),
	T("PFA-TLS-009", MX, LEVEL "=may", QUIET, NULL),
	/* PFA-TLS-010, -011: TLS logging */
	TR("PFA-TLS-010", MX, "", I, "smtpd_tls_loglevel",
	    "postconf -e 'smtpd_tls_loglevel = 1'"),
	T("PFA-TLS-010", 0, "", I, "smtp_tls_loglevel"),
	T("PFA-TLS-010", MX, "smtpd_tls_loglevel=1;smtp_tls_loglevel=2", QUIET,
	    NULL),
	T("PFA-TLS-011", MX, "smtpd_tls_loglevel=4", I, "smtpd_tls_loglevel"),
	T("PFA-TLS-011", MX, "smtpd_tls_loglevel=2", QUIET, NULL),
	/* PFA-TLS-012: TLS on without a certificate */
	T("PFA-TLS-012", MX, LEVEL "=may", W, "smtpd_tls_cert_file"),
	T("PFA-TLS-012", MX, LEVEL "=may;smtpd_tls_chain_files=/etc/postfix/"
	    "mx.pem", QUIET, NULL),
	T("PFA-TLS-012", MX, LEVEL "=none", QUIET, NULL),
	/* PFA-TLS-013: Debian's snakeoil certificate */
	T("PFA-TLS-013", MX, LEVEL "=may;smtpd_tls_cert_file=/etc/ssl/certs/"
	    "ssl-cert-snakeoil.pem", I, "smtpd_tls_cert_file"),
	T("PFA-TLS-013", PFA_ROLE_RELAY, LEVEL "=may;smtpd_tls_cert_file="
	    "/etc/ssl/certs/ssl-cert-snakeoil.pem", QUIET, NULL),
	T("PFA-TLS-013", MX, LEVEL "=may;smtpd_tls_cert_file=/etc/letsencrypt/"
	    "live/mx/fullchain.pem", QUIET, NULL),
	/* PFA-TLS-014: tls_ssl_options */
	TR("PFA-TLS-014", MX, "tls_ssl_options=NO_COMPRESSION", I,
	    "tls_ssl_options", "postconf -e "
	    "'tls_ssl_options = NO_COMPRESSION NO_RENEGOTIATION'"),
	T("PFA-TLS-014", MX, "tls_ssl_options=no_compression, NO_RENEGOTIATION",
	    QUIET, NULL),
	/* PFA-OBS-001..004 */
	TR("PFA-OBS-001", 0, "smtp_use_tls=yes", W, "smtp_use_tls",
	    "postconf -e 'smtp_tls_security_level = may' && "
	    "postconf -X smtp_use_tls"),
	TR("PFA-OBS-001", MX, "smtpd_enforce_tls=yes;" LEVEL "=may", W,
	    "smtpd_enforce_tls", "postconf -X smtpd_enforce_tls"),
	T("PFA-OBS-001", MX, "", QUIET, NULL),
	TR("PFA-OBS-002", 0, "smtpd_tls_dh512_param_file=/etc/postfix/"
	    "dh_512.pem", W, "smtpd_tls_dh512_param_file",
	    "postconf -X smtpd_tls_dh512_param_file"),
	T("PFA-OBS-002", 0, "smtpd_tls_dh512_param_file=", QUIET, NULL),
	T("PFA-OBS-003", 0, "smtpd_tls_dh1024_param_file=${config_directory}/"
	    "dh_1024.pem", I, "smtpd_tls_dh1024_param_file"),
	TV("PFA-OBS-003", 0, "smtpd_tls_dh1024_param_file=/etc/postfix/"
	    "dh_2048.pem", QUIET, NULL, "3.6.4"),
	T("PFA-OBS-003", 0, "smtpd_tls_dh1024_param_file=auto", QUIET, NULL),
	/* PFA-TLS-015: a DH file Postfix is told to read that is not there */
	T("PFA-TLS-015", 0, "smtpd_tls_dh1024_param_file=/nonexistent/dh.pem",
	    W, "smtpd_tls_dh1024_param_file"),
	T("PFA-TLS-015", 0, "smtpd_tls_dh1024_param_file=/dev/null", QUIET,
	    NULL),
	T("PFA-TLS-015", 0, "smtpd_tls_dh1024_param_file=auto", QUIET, NULL),
	T("PFA-OBS-004", 0, "smtpd_tls_eecdh_grade=strong", I,
	    "smtpd_tls_eecdh_grade"),
	T("PFA-OBS-004", 0, "", QUIET, NULL),
};

static void
test_cases(void **state)
{
	(void)state;
	for (size_t i = 0; i < NELEM(cases); i++) {
		const struct pcase *c = &cases[i];
		struct pfa_cfview v;
		struct pfa_result r;
		view_init(&v, c->version ? c->version : V37);
		set_list(&v, c->set);
		audit(&v, c->roles, &r);
		snprintf(label, sizeof(label), "case %zu: ", i);
		if (c->sev != QUIET) {
			const struct pfa_finding *f = expect(&r, c->id, c->sev,
			    c->subject);
			if (c->remedy != NULL)
				assert_string_equal(f->remedy, c->remedy);
		} else {
			expect_none(&r, c->id, c->subject);
		}
		pfa_result_free(&r);
		pfa_cfview_free(&v);
	}
	label[0] = '\0';
}

/* ------------------------------------------------ master.cf services */

static void
test_services(void **state)
{
	(void)state;
	struct pfa_cfview v;
	struct pfa_result r;
	view_init(&v, V37);
	pfa_cfview_set(&v, "smtpd_tls_security_level", "may");
	pfa_cfview_set(&v, "smtpd_tls_chain_files", "/etc/postfix/mx.pem");
	pfa_cfview_add_service(&v, "smtp", "inet", "smtpd");
	struct pfa_cfsvc *s = pfa_cfview_add_service(&v, "submission", "inet",
	    "smtpd");
	pfa_cfview_svc_opt(s, "smtpd_tls_security_level", "encrypt");
	pfa_cfview_svc_opt(s, "smtpd_sasl_auth_enable", "yes");
	s = pfa_cfview_add_service(&v, "smtps", "inet", "smtpd");
	pfa_cfview_svc_opt(s, "smtpd_tls_wrappermode", "yes");
	pfa_cfview_svc_opt(s, "smtpd_sasl_auth_enable", "yes");
	pfa_cfview_svc_opt(s, "smtpd_tls_mandatory_protocols", "SSLv3");
	pfa_cfview_add_service(&v, "relay", "unix", "smtp");
	audit(&v, MX | SUB, &r);
	/* submission with encrypt and smtps in wrapper mode are fine */
	expect_none(&r, "PFA-TLS-006", NULL);
	expect_none(&r, "PFA-TLS-007", NULL);
	expect_none(&r, "PFA-TLS-009", NULL);
	expect_none(&r, "PFA-TLS-012", NULL);
	const struct pfa_finding *f = expect(&r, "PFA-TLS-001",
	    PFA_SEV_CRITICAL, "smtps/inet/smtpd_tls_mandatory_protocols");
	assert_string_equal(f->remedy, "postconf -P "
	    "'smtps/inet/smtpd_tls_mandatory_protocols=>=TLSv1.2'");
	pfa_result_free(&r);

	/* encrypt on the MX service; AUTH on a service that allows no TLS */
	pfa_cfview_svc_opt(&v.svcs[0], "smtpd_tls_security_level", "encrypt");
	pfa_cfview_svc_opt(&v.svcs[1], "smtpd_tls_security_level", "may");
	s = pfa_cfview_add_service(&v, "127.0.0.1:2525", "inet", "smtpd");
	pfa_cfview_svc_opt(s, "smtpd_tls_security_level", "none");
	pfa_cfview_svc_opt(&v.svcs[3], "smtp_tls_security_level", "none");
	audit(&v, MX | SUB, &r);
	f = expect(&r, "PFA-TLS-007", PFA_SEV_WARNING,
	    "smtp/inet/smtpd_tls_security_level");
	assert_string_equal(f->remedy,
	    "postconf -P 'smtp/inet/smtpd_tls_security_level=may'");
	f = expect(&r, "PFA-TLS-009", PFA_SEV_WARNING,
	    "submission/inet/smtpd_tls_auth_only");
	assert_string_equal(f->remedy,
	    "postconf -P 'submission/inet/smtpd_tls_auth_only=yes'");
	expect(&r, "PFA-TLS-008", PFA_SEV_WARNING,
	    "relay/unix/smtp_tls_security_level");
	/* a loopback listener without TLS is not a submission service */
	expect_none(&r, "PFA-TLS-006", NULL);
	pfa_result_free(&r);
	pfa_cfview_free(&v);

	/* submission inheriting "none" from main.cf; postscreen's smtpd */
	view_init(&v, V37);
	pfa_cfview_add_service(&v, "smtp", "inet", "postscreen");
	s = pfa_cfview_add_service(&v, "smtpd", "pass", "smtpd");
	pfa_cfview_svc_opt(s, "smtpd_tls_security_level", "encrypt");
	pfa_cfview_add_service(&v, "submission", "inet", "smtpd");
	audit(&v, MX | SUB, &r);
	expect(&r, "PFA-TLS-007", PFA_SEV_WARNING,
	    "smtpd/pass/smtpd_tls_security_level");
	expect(&r, "PFA-TLS-006", PFA_SEV_WARNING, "smtpd_tls_security_level");
	pfa_result_free(&r);
	pfa_cfview_free(&v);
}

/* ------------------------------------------- seed advice, hardening */

static void
test_seed_advice(void **state)
{
	(void)state;
	static const char seed[] = "smtpd_use_tls=yes;smtp_use_tls=yes;"
	    "smtpd_tls_mandatory_protocols=SSLv3, TLSv1;"
	    "smtpd_tls_mandatory_ciphers=medium;smtpd_tls_auth_only=no;"
	    "smtpd_tls_loglevel=1;tls_preempt_cipherlist=yes;"
	    "smtpd_tls_dh1024_param_file=/etc/postfix/dh_1024.pem;"
	    "smtpd_tls_dh512_param_file=/etc/postfix/dh_512.pem;"
	    "smtpd_tls_eecdh_grade=strong;smtpd_sasl_auth_enable=yes;"
	    "smtpd_tls_cert_file=/etc/ssl/certs/ssl-cert-snakeoil.pem";
	struct pfa_cfview v;
	struct pfa_result r;
	view_init(&v, V37);
	set_list(&v, seed);
	audit(&v, MX, &r);
	expect(&r, "PFA-TLS-001", PFA_SEV_CRITICAL,
	    "smtpd_tls_mandatory_protocols");
	expect(&r, "PFA-OBS-001", PFA_SEV_WARNING, "smtpd_use_tls");
	expect(&r, "PFA-OBS-001", PFA_SEV_WARNING, "smtp_use_tls");
	expect(&r, "PFA-OBS-002", PFA_SEV_WARNING,
	    "smtpd_tls_dh512_param_file");
	expect(&r, "PFA-OBS-003", PFA_SEV_INFO, "smtpd_tls_dh1024_param_file");
	expect(&r, "PFA-OBS-004", PFA_SEV_INFO, "smtpd_tls_eecdh_grade");
	expect(&r, "PFA-TLS-009", PFA_SEV_WARNING, "smtpd_tls_auth_only");
	expect(&r, "PFA-TLS-013", PFA_SEV_INFO, "smtpd_tls_cert_file");
	/* smtpd_use_tls = yes still means STARTTLS is offered */
	expect_none(&r, "PFA-TLS-006", NULL);
	expect_none(&r, "PFA-TLS-008", NULL);
	assert_int_equal(r.status, PFA_CRITICAL);
	pfa_result_free(&r);

	/* the obsolete parameters are audit_obs.c's alone */
	pfa_result_init(&r);
	pfa_audit_tls(&v, MX, &r);
	for (size_t i = 0; i < r.nfindings; i++)
		assert_null(strstr(r.findings[i].id, "PFA-OBS-"));
	pfa_result_free(&r);

	/* "!SSLv2" alone, the other common outdated form */
	pfa_cfview_set(&v, "smtpd_tls_mandatory_protocols", "!SSLv2");
	audit(&v, MX, &r);
	const struct pfa_finding *f = expect(&r, "PFA-TLS-001",
	    PFA_SEV_CRITICAL, "smtpd_tls_mandatory_protocols");
	assert_non_null(strstr(f->message, "SSLv3"));
	assert_null(strstr(f->message, "SSLv2"));
	pfa_result_free(&r);
	pfa_cfview_free(&v);
}

/* ------------------------------------------------------------- SASL */

static char src[128], db[128], spec[160];

/* Sets PATH's mtime to AGE seconds ago. */
static void
age(const char *path, long age)
{
	struct timespec ts[2];
	clock_gettime(CLOCK_REALTIME, &ts[0]);
	ts[0].tv_sec -= age;
	ts[1] = ts[0];
	assert_int_equal(utimensat(AT_FDCWD, path, ts, 0), 0);
}

static int
setup_sasl(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/pfa-taudit.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(src, sizeof(src), "%s/sasl_passwd", dir);
	snprintf(db, sizeof(db), "%s/sasl_passwd.db", dir);
	snprintf(spec, sizeof(spec), "hash:%s", src);
	pfa_test_write_text(src, "# relay credentials\n\n"
	    "[smtp.example.com]:587 " USER ":" PASSWORD "\n"
	    "   continued-not-a-key\n"
	    "#[old.example.com]:25 x:y\n"
	    "backup.example.net\t" USER ":" PASSWORD "\n", 0600);
	pfa_test_write_text(db, "not really a db", 0600);
	age(src, 100);
	age(db, 50);
	return 0;
}

static int
teardown_sasl(void **state)
{
	(void)state;
	pfa_test_rm_rf(dir);
	return 0;
}

/* A view with the seed's relay recipe over the fixture table. */
static void
sasl_view(struct pfa_cfview *v, const char *relayhost)
{
	view_init(v, V37);
	pfa_cfview_set(v, "relayhost", relayhost);
	pfa_cfview_set(v, "smtp_sasl_auth_enable", "yes");
	pfa_cfview_set(v, "smtp_sasl_password_maps", spec);
	pfa_cfview_set(v, "smtp_sasl_security_options", "noanonymous");
	pfa_cfview_set(v, "smtp_sasl_tls_security_options", "noanonymous");
	pfa_cfview_set(v, "smtp_tls_security_level", "encrypt");
}

static void
test_sasl_relayhost(void **state)
{
	(void)state;
	struct pfa_cfview v;
	struct pfa_result r;
	sasl_view(&v, "[smtp.example.com]:587");
	audit(&v, PFA_ROLE_NULLCLIENT, &r);
	for (size_t i = 0; i < r.nfindings; i++)
		assert_null(strstr(r.findings[i].id, "SASL"));
	pfa_result_free(&r);

	/* key case does not matter (postmap folds it) */
	pfa_cfview_set(&v, "relayhost", "[SMTP.Example.COM]:587");
	audit(&v, 0, &r);
	expect_none(&r, "PFA-SASL-002", NULL);
	pfa_result_free(&r);

	pfa_cfview_set(&v, "relayhost", "smtp.example.com:587");
	audit(&v, 0, &r);
	const struct pfa_finding *f = expect(&r, "PFA-SASL-001", PFA_SEV_INFO,
	    "relayhost");
	assert_string_equal(f->remedy,
	    "postconf -e 'relayhost = [smtp.example.com]:587'");
	expect(&r, "PFA-SASL-002", PFA_SEV_CRITICAL, src);
	pfa_result_free(&r);

	/* a bare host key: found through the server name only */
	pfa_cfview_set(&v, "relayhost", "[backup.example.net]:587");
	audit(&v, 0, &r);
	expect(&r, "PFA-SASL-002", PFA_SEV_INFO, src);
	expect_none(&r, "PFA-SASL-001", NULL);
	pfa_result_free(&r);

	pfa_cfview_set(&v, "relayhost", "[smtp.example.com]:465");
	audit(&v, 0, &r);
	f = expect(&r, "PFA-SASL-002", PFA_SEV_CRITICAL, src);
	assert_non_null(strstr(f->remedy, "postmap hash:"));
	pfa_result_free(&r);

	pfa_cfview_set(&v, "smtp_sender_dependent_authentication", "yes");
	audit(&v, 0, &r);
	expect(&r, "PFA-SASL-002", PFA_SEV_WARNING, src);
	pfa_result_free(&r);

	/* a network table: keys unknown, nothing claimed */
	pfa_cfview_set(&v, "smtp_sasl_password_maps",
	    "proxy:ldap:/etc/postfix/ldap-sasl.cf");
	audit(&v, 0, &r);
	expect_none(&r, "PFA-SASL-002", NULL);
	pfa_result_free(&r);

	pfa_cfview_set(&v, "smtp_sasl_password_maps", "");
	audit(&v, 0, &r);
	expect(&r, "PFA-SASL-002", PFA_SEV_CRITICAL, "smtp_sasl_password_maps");
	pfa_result_free(&r);

	/* SASL off: no PFA-SASL rule at all */
	pfa_cfview_set(&v, "smtp_sasl_auth_enable", "no");
	pfa_cfview_set(&v, "relayhost", "smtp.example.com");
	audit(&v, 0, &r);
	for (size_t i = 0; i < r.nfindings; i++)
		assert_null(strstr(r.findings[i].id, "SASL"));
	pfa_result_free(&r);
	pfa_cfview_free(&v);
}

static void
test_sasl_options_tls(void **state)
{
	(void)state;
	struct pfa_cfview v;
	struct pfa_result r;
	sasl_view(&v, "[smtp.example.com]:587");
	pfa_cfview_set(&v, "smtp_sasl_security_options", "noplaintext");
	pfa_cfview_set(&v, "smtp_sasl_tls_security_options", "");
	audit(&v, 0, &r);
	/* never noplaintext in the remedy: relays that take only PLAIN or
	 * LOGIN over TLS would refuse every login */
	assert_string_equal(expect(&r, "PFA-SASL-003", PFA_SEV_WARNING,
	    "smtp_sasl_security_options")->remedy,
	    "postconf -e 'smtp_sasl_security_options = noanonymous'");
	expect(&r, "PFA-SASL-003", PFA_SEV_WARNING,
	    "smtp_sasl_tls_security_options");
	expect_none(&r, "PFA-SASL-004", NULL);
	pfa_result_free(&r);
	pfa_cfview_free(&v);

	/* the seed: smtp_use_tls = yes, noanonymous only */
	sasl_view(&v, "[smtp.example.com]:587");
	pfa_cfview_set(&v, "smtp_tls_security_level", "");
	pfa_cfview_set(&v, "smtp_use_tls", "yes");
	audit(&v, 0, &r);
	expect_none(&r, "PFA-SASL-003", NULL);
	const struct pfa_finding *f = expect(&r, "PFA-SASL-004",
	    PFA_SEV_CRITICAL, "smtp_tls_security_level");
	assert_string_equal(f->remedy,
	    "postconf -e 'smtp_tls_security_level = encrypt'");
	pfa_result_free(&r);

	/* noplaintext: a stripped STARTTLS fails instead of leaking */
	pfa_cfview_set(&v, "smtp_sasl_security_options",
	    "noplaintext, noanonymous");
	audit(&v, 0, &r);
	expect(&r, "PFA-SASL-004", PFA_SEV_WARNING, "smtp_tls_security_level");
	pfa_result_free(&r);
	pfa_cfview_free(&v);

	static const char *const quiet[] = {
		"smtp_tls_security_level", "dane-only",
		"smtp_tls_security_level", "verify",
		"smtp_tls_policy_maps", "hash:/etc/postfix/tls_policy",
		"smtp_tls_wrappermode", "yes",
	};
	for (size_t i = 0; i < NELEM(quiet); i += 2) {
		sasl_view(&v, "[smtp.example.com]:465");
		pfa_cfview_set(&v, "smtp_tls_security_level", "may");
		pfa_cfview_set(&v, quiet[i], quiet[i + 1]);
		audit(&v, 0, &r);
		expect_none(&r, "PFA-SASL-004", NULL);
		pfa_result_free(&r);
		pfa_cfview_free(&v);
	}
}

static void
test_sasl_files(void **state)
{
	(void)state;
	struct pfa_cfview v;
	struct pfa_result r;
	sasl_view(&v, "[smtp.example.com]:587");
	audit(&v, 0, &r);
	expect_none(&r, "PFA-SASL-005", NULL);
	expect_none(&r, "PFA-SASL-006", NULL);
	pfa_result_free(&r);

	assert_int_equal(chmod(src, 0640), 0);
	assert_int_equal(chmod(db, 0644), 0);
	audit(&v, 0, &r);
	const struct pfa_finding *f = expect(&r, "PFA-SASL-005",
	    PFA_SEV_CRITICAL, src);
	assert_non_null(strstr(f->message, "0640"));
	expect(&r, "PFA-SASL-005", PFA_SEV_CRITICAL, db);
	pfa_result_free(&r);
	assert_int_equal(chmod(src, 0600), 0);
	assert_int_equal(chmod(db, 0600), 0);

	/* edited after the last postmap */
	age(src, 10);
	audit(&v, 0, &r);
	f = expect(&r, "PFA-SASL-006", PFA_SEV_WARNING, db);
	char want[200];
	snprintf(want, sizeof(want), "postmap %s", spec);
	assert_string_equal(f->remedy, want);
	pfa_result_free(&r);

	assert_int_equal(unlink(db), 0);
	audit(&v, 0, &r);
	expect(&r, "PFA-SASL-006", PFA_SEV_CRITICAL, db);
	pfa_result_free(&r);

	/* texthash: the file itself, no database */
	char th[200];
	snprintf(th, sizeof(th), "texthash:%s", src);
	pfa_cfview_set(&v, "smtp_sasl_password_maps", th);
	audit(&v, 0, &r);
	expect_none(&r, "PFA-SASL-006", NULL);
	expect_none(&r, "PFA-SASL-002", NULL);
	pfa_result_free(&r);
	assert_int_equal(unlink(src), 0);
	audit(&v, 0, &r);
	expect(&r, "PFA-SASL-006", PFA_SEV_CRITICAL, src);
	expect_none(&r, "PFA-SASL-002", NULL);	/* keys unknown */
	pfa_result_free(&r);
	pfa_cfview_free(&v);
}

/* Nothing the audit says may hold the password (or the user name). */
static void
test_no_secret_leaks(void **state)
{
	(void)state;
	struct pfa_cfview v;
	struct pfa_result r;
	sasl_view(&v, "smtp.other.example:2525");
	pfa_cfview_set(&v, "smtp_tls_security_level", "may");
	pfa_cfview_set(&v, "smtp_sasl_security_options", "");
	assert_int_equal(chmod(src, 0644), 0);
	age(src, 1);
	audit(&v, MX, &r);
	assert_true(r.nfindings > 5);
	for (size_t i = 0; i < r.nfindings; i++) {
		const struct pfa_finding *f = &r.findings[i];
		const char *texts[] = { f->id, f->subject, f->message,
			f->remedy ? f->remedy : "" };
		for (size_t j = 0; j < NELEM(texts); j++) {
			assert_null(strstr(texts[j], PASSWORD));
			assert_null(strstr(texts[j], USER));
		}
	}
	pfa_result_free(&r);
	pfa_cfview_free(&v);
}

/* A hardened MX, submission and relay client: no WARNING, no CRITICAL. */
static void
test_hardened(void **state)
{
	(void)state;
	static const char hard[] = "smtpd_tls_protocols=>=TLSv1.2;"
	    "smtpd_tls_mandatory_protocols=>=TLSv1.2;"
	    "smtp_tls_protocols=>=TLSv1.2;"
	    "smtp_tls_mandatory_protocols=>=TLSv1.2;"
	    "smtpd_tls_security_level=may;smtpd_tls_auth_only=yes;"
	    "smtpd_tls_chain_files=/etc/postfix/mx-key-cert.pem;"
	    "smtpd_tls_loglevel=1;smtp_tls_loglevel=1;"
	    "tls_preempt_cipherlist=yes;"
	    "tls_ssl_options=NO_COMPRESSION, NO_RENEGOTIATION";
	struct pfa_cfview v;
	struct pfa_result r;
	sasl_view(&v, "[smtp.example.com]:587");
	set_list(&v, hard);
	pfa_cfview_add_service(&v, "smtp", "inet", "smtpd");
	struct pfa_cfsvc *s = pfa_cfview_add_service(&v, "submission", "inet",
	    "smtpd");
	pfa_cfview_svc_opt(s, "smtpd_tls_security_level", "encrypt");
	pfa_cfview_svc_opt(s, "smtpd_sasl_auth_enable", "yes");
	audit(&v, MX | SUB | PFA_ROLE_RELAY, &r);
	if (r.nfindings != 0)
		dump(&r);
	assert_int_equal(r.nfindings, 0);
	assert_int_equal(r.status, PFA_OK);
	pfa_result_free(&r);
	pfa_cfview_free(&v);
}

/* --------------------------------------------------------- rule docs */

static void
test_rule_docs(void **state)
{
	(void)state;
	const struct pfa_finding_doc *t[] = {
		pfa_audit_tls_findings, pfa_audit_obs_findings, pfa_audit_sasl_findings,
	};
	size_t n = 0;
	for (size_t i = 0; i < NELEM(t); i++)
		for (size_t j = 0; t[i][j].id; j++, n++) {
			assert_non_null(t[i][j].title);
			assert_int_equal(strlen(t[i][j].id),
			    11 + (t[i] == pfa_audit_sasl_findings));
			assert_true(doc(t[i][j].id) == &t[i][j]);
		}
	assert_int_equal(n, 25);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rule_docs),
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_services),
		cmocka_unit_test(test_seed_advice),
		cmocka_unit_test_setup_teardown(test_sasl_relayhost,
		    setup_sasl, teardown_sasl),
		cmocka_unit_test_setup_teardown(test_sasl_options_tls,
		    setup_sasl, teardown_sasl),
		cmocka_unit_test_setup_teardown(test_sasl_files,
		    setup_sasl, teardown_sasl),
		cmocka_unit_test_setup_teardown(test_no_secret_leaks,
		    setup_sasl, teardown_sasl),
		cmocka_unit_test_setup_teardown(test_hardened,
		    setup_sasl, teardown_sasl),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
