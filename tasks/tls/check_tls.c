/*
 * check_tls.c - the check-tls task: every key, certificate, CA and DH
 * file Postfix is configured with, and what the running Postfix serves.
 *
 * Finds the sources through the configuration view (postfix/tlsfiles.h:
 * the SMTP server's keys for main.cf and each listener's overrides,
 * tlsproxy's for postscreen, the client's, the SNI tables), checks the
 * files with OpenSSL's API (tls_certs.c, tls_files.c), then probes the
 * live listeners on loopback (tls_probe.c).  When a listener serves a
 * certificate other than the one on disk it asks the core for one
 * reload (res->reload_wanted); it never reloads, writes or exits itself.
 * Its private state (ctx->data) remembers which renewed certificates a
 * reload was already asked for, so that a reload that did not help is
 * reported rather than asked for again.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "listener.h"
#include "log.h"
#include "role.h"
#include "tls_int.h"

static const struct pfa_finding_doc cert_findings[] = {
	{ "PFA-CERT-001", PFA_SEV_CRITICAL, "a certificate has expired" },
	{ "PFA-CERT-002", PFA_SEV_CRITICAL, "a certificate is not valid yet" },
	{ "PFA-CERT-003", PFA_SEV_CRITICAL, "a certificate expires soon: "
	    "less than crit_left of its lifetime (or crit_min, or crit_days) "
	    "left" },
	{ "PFA-CERT-004", PFA_SEV_WARNING, "a certificate's renewal is "
	    "overdue: less than warn_left of its lifetime (or warn_days) "
	    "left" },
	{ "PFA-CERT-005", PFA_SEV_CRITICAL, "a private key does not match "
	    "its certificate" },
	{ "PFA-CERT-006", PFA_SEV_CRITICAL, "a weak key: RSA or DSA under "
	    "2048 bits, EC under 256 bits" },
	{ "PFA-CERT-007", PFA_SEV_WARNING, "a certificate of a chain is "
	    "signed with SHA-1 or MD5" },
	{ "PFA-CERT-008", PFA_SEV_WARNING, "a chain does not verify against "
	    "the configured CA file or directory and the system's trust "
	    "store" },
	{ "PFA-CERT-009", PFA_SEV_WARNING, "a chain is out of order: a "
	    "certificate is not followed by its issuer" },
	{ "PFA-CERT-010", PFA_SEV_WARNING, "an intermediate certificate is "
	    "missing from a chain" },
	{ "PFA-CERT-011", PFA_SEV_WARNING, "a certificate of a chain expires "
	    "before the leaf's renewal is due" },
	{ "PFA-CERT-012", PFA_SEV_WARNING, "a server certificate does not "
	    "cover myhostname or its SNI name" },
	{ "PFA-CERT-013", PFA_SEV_WARNING, "Debian's snakeoil certificate on "
	    "a host that receives mail (a note elsewhere)" },
	{ "PFA-CERT-014", PFA_SEV_WARNING, "a self-signed server certificate "
	    "on a host that receives mail (a note elsewhere)" },
	{ "PFA-CERT-015", PFA_SEV_CRITICAL, "a private key file is readable "
	    "by group or others, or not owned by root" },
	{ "PFA-CERT-016", PFA_SEV_WARNING, "a client certificate without the "
	    "clientAuth extended key usage (a note without a relayhost)" },
	{ "PFA-CERT-017", PFA_SEV_CRITICAL, "a key or certificate file cannot "
	    "be read: missing, not a regular file, or too large" },
	{ "PFA-CERT-018", PFA_SEV_CRITICAL, "a file holds no key and "
	    "certificate Postfix can use (garbage, empty, wrong order, "
	    "encrypted key)" },
	{ "PFA-CERT-019", PFA_SEV_CRITICAL, "a CA file or directory Postfix "
	    "is given cannot be used" },
	{ "PFA-CERT-020", PFA_SEV_INFO, "a certificate is short-lived: no "
	    "warning until its last day" },
	{ "PFA-CERT-021", PFA_SEV_INFO, "a certificate: its key, issuer, "
	    "expiry and lifetime left" },
	{ "PFA-CERT-022", PFA_SEV_WARNING, "an SNI table's source cannot be "
	    "read, or has entries Postfix cannot use" },
	{ "PFA-CERT-023", PFA_SEV_INFO, "an SNI table pfagent cannot read "
	    "(not a file-based table): not checked" },
	{ "PFA-CERT-024", PFA_SEV_CRITICAL, "two chains of one key type in "
	    "the same chain files (Postfix refuses them)" },
	{ "PFA-CERT-025", PFA_SEV_UNKNOWN, "Postfix's configuration could "
	    "not be read" },
	{ "PFA-CERT-026", PFA_SEV_INFO, "no key or certificate is "
	    "configured: TLS is off" },
	{ NULL, 0, NULL },
};

static const struct pfa_finding_doc dh_findings[] = {
	{ "PFA-DHP-001", PFA_SEV_WARNING, "a DH parameter file cannot be read "
	    "or is not PKCS#3 DH parameters (Postfix falls back to its "
	    "compiled-in group)" },
	{ "PFA-DHP-002", PFA_SEV_CRITICAL, "DH parameters under 1024 bits" },
	{ "PFA-DHP-003", PFA_SEV_WARNING, "DH parameters under 2048 bits" },
	{ "PFA-DHP-004", PFA_SEV_WARNING, "DH parameters that are not a safe "
	    "prime, or fail OpenSSL's check" },
	{ "PFA-DHP-005", PFA_SEV_INFO, "DH parameters: size, a standard "
	    "group (RFC 7919, RFC 3526) or a custom one, age" },
	{ NULL, 0, NULL },
};

static const struct pfa_finding_doc probe_findings[] = {
	{ "PFA-PROBE-001", PFA_SEV_CRITICAL, "a listener offers no TLS: no "
	    "STARTTLS, STARTTLS refused, or the handshake fails" },
	{ "PFA-PROBE-002", PFA_SEV_WARNING, "a listener did not answer "
	    "within the timeout" },
	{ "PFA-PROBE-003", PFA_SEV_CRITICAL, "a listener accepts TLS 1.0 or "
	    "1.1 (a warning) or SSLv3" },
	{ "PFA-PROBE-004", PFA_SEV_CRITICAL, "a DHE handshake uses a group "
	    "under 2048 bits (a warning) or under 1024 bits" },
	{ "PFA-PROBE-005", PFA_SEV_INFO, "a listener serves another "
	    "certificate than the one on disk: a reload is asked for" },
	{ "PFA-PROBE-006", PFA_SEV_WARNING, "a listener still serves another "
	    "certificate than the one on disk after a reload was asked for" },
	{ "PFA-PROBE-007", PFA_SEV_WARNING, "a configured key type is not "
	    "served" },
	{ "PFA-PROBE-008", PFA_SEV_WARNING, "an SNI name is served another "
	    "certificate than its table entry names" },
	{ "PFA-PROBE-009", PFA_SEV_INFO, "Postfix is not running: no listener "
	    "probed" },
	{ "PFA-PROBE-010", PFA_SEV_INFO, "a listener's handshake: protocol, "
	    "cipher, temporary key, chain" },
	{ "PFA-PROBE-011", PFA_SEV_INFO, "no listener offering TLS can be "
	    "reached on loopback: nothing probed" },
	{ NULL, 0, NULL },
};

const struct pfa_finding_doc *const pfa_tls_findings[] = {
	cert_findings, dh_findings, probe_findings, NULL,
};

/* ------------------------------------------------------------ helpers */

static bool
ignored(const struct tls_conf *c, const char *id)
{
	for (char **p = c->ignore; p && *p; p++)
		if (strcmp(*p, id) == 0)
			return true;
	return false;
}

void
tls_finding(struct tls_run *r, enum pfa_sev sev, const char *id,
    const char *subject, const char *remedy, const char *fmt, ...)
{
	if (ignored(r->conf, id))
		return;
	va_list ap;
	va_start(ap, fmt);
	char *msg = pfa_xvasprintf(fmt, ap);
	va_end(ap);
	pfa_result_add_finding(r->res, sev, id, subject, remedy, "%s", msg);
	free(msg);
}

bool
tls_once(struct tls_run *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *key = pfa_xvasprintf(fmt, ap);
	va_end(ap);
	for (size_t i = 0; i < r->nonce; i++)
		if (strcmp(r->once[i], key) == 0) {
			free(key);
			return false;
		}
	r->once = pfa_xrealloc(r->once, (r->nonce + 1) * sizeof(*r->once));
	r->once[r->nonce++] = key;
	return true;
}

enum pfa_sev
tls_sev_receiving(const struct tls_run *r)
{
	return r->roles & (PFA_ROLE_MX | PFA_ROLE_SUBMISSION) ?
	    PFA_SEV_WARNING : PFA_SEV_INFO;
}

/* ------------------------------------------------------------ sources */

/* The hostname service S answers as. */
static const char *
hostname(const struct pfa_cfview *v, const struct pfa_cfsvc *s)
{
	const char *h = pfa_cfsvc_get(v, s, "myhostname");
	return h != NULL ? h : "";
}

void
tls_collect(struct tls_run *r)
{
	const struct pfa_cfview *v = r->view;
	struct pfa_tls_keyset ks;

	pfa_tls_server_keyset(v, NULL, &ks);
	if (!pfa_tls_keyset_empty(&ks))
		tls_add_set(r, &ks, "main.cf", hostname(v, NULL));
	pfa_tls_keyset_free(&ks);
	for (size_t i = 0; i < v->nsvcs; i++) {
		const struct pfa_cfsvc *s = &v->svcs[i];
		if (!pfa_listener_svc_listens(v, s))
			continue;
		pfa_tls_server_keyset(v, s, &ks);
		char *by = pfa_xasprintf("%s/%s", s->name, s->type);
		if (!pfa_tls_keyset_empty(&ks))
			tls_add_set(r, &ks, by, hostname(v, s));
		free(by);
		pfa_tls_keyset_free(&ks);
	}
	pfa_tls_client_keyset(v, NULL, &ks);
	if (!pfa_tls_keyset_empty(&ks))
		tls_add_set(r, &ks, "main.cf (client)", "");
	pfa_tls_keyset_free(&ks);
	for (size_t i = 0; i < v->nsvcs; i++) {
		const struct pfa_cfsvc *s = &v->svcs[i];
		if (!pfa_tls_client_svc(s))
			continue;
		pfa_tls_client_keyset(v, s, &ks);
		char *by = pfa_xasprintf("%s/%s", s->name, s->type);
		if (!pfa_tls_keyset_empty(&ks))
			tls_add_set(r, &ks, by, "");
		free(by);
		pfa_tls_keyset_free(&ks);
	}
	tls_read_sni(r);
}

void
tls_run_free(struct tls_run *r)
{
	for (size_t i = 0; i < r->nsets; i++) {
		pfa_tls_keyset_free(&r->sets[i].ks);
		pfa_pem_chains_free(&r->sets[i].chains);
		free(r->sets[i].used_by);
		free(r->sets[i].hostname);
	}
	free(r->sets);
	for (size_t i = 0; i < r->nsni; i++) {
		free(r->sni[i].spec);
		free(r->sni[i].sets);
	}
	free(r->sni);
	for (size_t i = 0; i < r->nonce; i++)
		free(r->once[i]);
	free(r->once);
	memset(r, 0, sizeof(*r));
}

static void
metrics(struct tls_run *r)
{
	struct pfa_result *res = r->res;
	pfa_result_add_metric(res, "certificates", (double)r->ncerts, "");
	if (r->ncerts > 0) {
		double w = r->min_warn_days, c = r->min_crit_days;
		pfa_result_add_metric(res, "days_left_min", r->min_days, "");
		pfa_result_metric_limits(res, "days_left_min", &w, &c, NULL,
		    NULL);
		double pw = r->conf->warn_left * 100, pc = r->conf->crit_left *
		    100, lo = 0, hi = 100;
		double pct = (double)(long long)(r->min_frac * 10000 +
		    (r->min_frac < 0 ? -0.5 : 0.5)) / 100;
		pfa_result_add_metric(res, "life_left_min", pct, "%");
		pfa_result_metric_limits(res, "life_left_min", &pw, &pc, &lo,
		    &hi);
	}
	pfa_result_add_metric(res, "listeners_probed", (double)r->nprobed, "");
}

static void
summary(struct tls_run *r)
{
	size_t crit = 0, warn = 0;
	for (size_t i = 0; i < r->res->nfindings; i++) {
		enum pfa_sev s = r->res->findings[i].sev;
		crit += s == PFA_SEV_CRITICAL;
		warn += s == PFA_SEV_WARNING;
	}
	char soonest[96] = "";
	if (r->ncerts > 0)
		snprintf(soonest, sizeof(soonest), " (the soonest expires in "
		    "%.1f days, %.0f%% of its lifetime left)", r->min_days,
		    r->min_frac * 100 > 0 ? r->min_frac * 100 : 0);
	pfa_result_set_summary(r->res, "%zu certificate%s%s, %zu listener "
	    "address%s probed%s: %zu critical, %zu warning%s", r->ncerts,
	    r->ncerts == 1 ? "" : "s", soonest, r->nprobed,
	    r->nprobed == 1 ? "" : "es", r->reload_asked ?
	    ", a reload asked for" : "", crit, warn, warn == 1 ? "" : "s");
}

static void
run(struct pfa_ctx *ctx, struct pfa_result *res)
{
	struct tls_run r = {
		.ctx = ctx,
		.res = res,
		.conf = ctx->conf,
		.now = time(NULL),
		.min_days = 1e9,
		.min_frac = 1e9,
	};
	r.view = pfa_postfix_view(ctx->pf, PFA_VIEW_SERVICES);
	if (r.view == NULL) {
		const char *why = pfa_postfix_error(ctx->pf);
		tls_finding(&r, PFA_SEV_UNKNOWN, "PFA-CERT-025",
		    pfa_postfix_config_dir(ctx->pf), NULL, "cannot read "
		    "Postfix's configuration: %s", why ? why : "postconf "
		    "failed");
		pfa_result_raise(res, PFA_UNKNOWN);
		pfa_result_set_summary(res, "cannot read Postfix's "
		    "configuration");
		return;
	}
	r.roles = r.conf->roles ? r.conf->roles : pfa_role_detect(r.view);
	tls_collect(&r);
	struct pfa_tls_names dh;
	pfa_tls_dh_files(r.view, &dh);
	if (r.nsets == 0 && dh.n == 0)
		tls_finding(&r, PFA_SEV_INFO, "PFA-CERT-026",
		    "smtpd_tls_cert_file", NULL, "no key or certificate is "
		    "configured: Postfix offers no TLS (smtpd_tls_chain_files "
		    "or smtpd_tls_cert_file and smtpd_tls_key_file)");
	pfa_tls_names_free(&dh);
	tls_check_sets(&r);
	tls_check_dh(&r);
	if (r.conf->probe)
		tls_probe_all(&r);
	metrics(&r);
	summary(&r);

	tls_run_free(&r);
}

const struct pfa_task task_check_tls = {
	.name = "check-tls",
	.summary = "check every certificate, key and DH file Postfix is "
	    "configured with, and what its listeners serve",
	.help =
	    "Finds every key, certificate, CA and DH file Postfix is "
	    "configured with (smtpd_tls_chain_files or the cert/key pairs, "
	    "master.cf -o overrides, tlsproxy for postscreen, the client's "
	    "smtp_tls_* files, every chain a tls_server_sni_maps table "
	    "names) and checks them with OpenSSL: expiry relative to each "
	    "certificate's lifetime, key match and strength, signature "
	    "digests, the chain (order, missing intermediates, trust now and "
	    "when renewal is due), names, self-signed and snakeoil "
	    "certificates on hosts that receive mail, private key "
	    "permissions, the clientAuth usage of client certificates, DH "
	    "parameter size and safe prime.  Then probes every TLS listener "
	    "on loopback (STARTTLS, or TLS first in wrapper mode; each SNI "
	    "name; each key type; TLS 1.0/1.1; DHE) and compares the served "
	    "certificate with the one on disk: if they differ it asks for "
	    "one reload, and says so.  Changes nothing.\n"
	    "Settings (tasks.check-tls): enabled (true), every (\"1d\"), "
	    "warn_left (\"1/4\"), crit_left (\"1/10\"), crit_min (\"12h\"), "
	    "short_lived (\"10d\"), warn_days (0: unset), crit_days (0: "
	    "unset), probe (true), legacy_protocols (true), timeout "
	    "(\"10s\", per probe), roles (derived: mx, submission, relay, "
	    "null-client), ignore (finding ids).",
	.default_every = 86400,
	.settings = pfa_tls_settings,
	.findings = pfa_tls_findings,
	.configure = pfa_tls_configure,
	.free_conf = pfa_tls_free_conf,
	.run = run,
};
