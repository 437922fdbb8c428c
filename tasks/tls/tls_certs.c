/*
 * tls_certs.c - check-tls's checks of keys, certificates and chains: each
 * keyset (postfix/tlsfiles.h) read as Postfix reads it (pem.h), then for
 * each key and its chain: the key matches, is strong enough; the leaf's
 * expiry against the thresholds (tls_conf.c); signature digests; the
 * chain's order and trust, now and when the leaf's renewal is due;
 * names, self-signed and snakeoil certificates (server), the clientAuth
 * usage (client); the permissions of every file holding a key.
 *
 * OpenSSL does the reading and the time arithmetic; nothing is parsed
 * here.  Severities that depend on what the host is for follow its
 * roles (tls_sev_receiving).  Adds findings and metrics to the run,
 * never logs, never writes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/crypto.h>
#include <openssl/x509_vfy.h>

#include "remedy.h"
#include "tls_int.h"

#define SNAKEOIL "/etc/ssl/certs/ssl-cert-snakeoil.pem"

size_t
tls_add_set(struct tls_run *r, struct pfa_tls_keyset *ks, const char *used_by,
    const char *hostname)
{
	for (size_t i = 0; i < r->nsets; i++) {
		struct tls_set *s = &r->sets[i];
		if (!pfa_tls_keyset_same(&s->ks, ks))
			continue;
		char *all = pfa_xasprintf("%s, %s", s->used_by, used_by);
		free(s->used_by);
		s->used_by = all;
		return i;
	}
	r->sets = pfa_xrealloc(r->sets, (r->nsets + 1) * sizeof(*r->sets));
	struct tls_set *s = &r->sets[r->nsets];
	memset(s, 0, sizeof(*s));
	s->ks = *ks;
	memset(ks, 0, sizeof(*ks));
	s->used_by = pfa_xstrdup(used_by);
	s->hostname = pfa_xstrdup(hostname ? hostname : "");
	return r->nsets++;
}

/* What a finding about SET's files says Postfix does about them. */
static const char *
consequence(const struct tls_set *set)
{
	return set->ks.sni != NULL ? "Postfix cannot serve this name (it "
	    "aborts the TLS handshake)" : set->ks.client ? "the Postfix "
	    "client cannot use it" : "Postfix disables TLS (\"disabling TLS "
	    "support\")";
}

/* ------------------------------------------------------------ reading */

struct texts {
	struct pfa_pem_text *v;
	char **bufs;
	struct stat *st;
	size_t n;
};

/* The texts may hold private keys: cleared before they are freed. */
static void
texts_free(struct texts *t)
{
	for (size_t i = 0; i < t->n; i++) {
		OPENSSL_cleanse(t->bufs[i], t->v[i].len);
		free(t->bufs[i]);
	}
	free(t->v);
	free(t->bufs);
	free(t->st);
}

/* Adds PATH to T; -1 if it cannot be read (a finding). */
static int
texts_add(struct tls_run *r, struct texts *t, const char *path,
    const char *param)
{
	char *buf = NULL;
	size_t len = 0;
	struct stat st;
	if (tls_read(r, path, param, &buf, &len, &st) < 0)
		return -1;
	t->v = pfa_xrealloc(t->v, (t->n + 1) * sizeof(*t->v));
	t->bufs = pfa_xrealloc(t->bufs, (t->n + 1) * sizeof(*t->bufs));
	t->st = pfa_xrealloc(t->st, (t->n + 1) * sizeof(*t->st));
	t->v[t->n] = (struct pfa_pem_text){ path, buf, len };
	t->bufs[t->n] = buf;
	t->st[t->n] = st;
	t->n++;
	return 0;
}

/* The permission check of every file of T with a private key block in
 * it, whether or not it could be used. */
static void
key_perms(struct tls_run *r, const struct texts *t)
{
	static const char mark[] = "PRIVATE KEY-----";
	const size_t m = sizeof(mark) - 1;
	for (size_t i = 0; i < t->n; i++) {
		const char *d = t->v[i].data;
		size_t len = t->v[i].len;
		for (size_t k = 0; k + m <= len; k++)
			if (d[k] == 'P' && memcmp(d + k, mark, m) == 0) {
				tls_key_perms(r, t->v[i].name, &t->st[i]);
				break;
			}
	}
}

/* The file of T that ERR names, or T's first. */
static const char *
named_in(const struct texts *t, const char *err, const char *dflt)
{
	for (size_t i = 0; i < t->n; i++)
		if (strstr(err, t->v[i].name) != NULL)
			return t->v[i].name;
	return dflt;
}

/*
 * The names of texts are pointers into SET's keyset, which outlives the
 * chains: the chains' *_from stay valid after the texts are freed.
 */
static void
load_chain_files(struct tls_run *r, struct tls_set *set)
{
	struct texts t = { 0 };
	bool ok = true;
	for (size_t i = 0; i < set->ks.nfiles; i++)
		if (texts_add(r, &t, set->ks.files[i], set->ks.param) < 0)
			ok = false;
	char err[512];
	if (ok && pfa_pem_read_chains(t.v, t.n, &set->chains, err,
	    sizeof(err)) < 0) {
		if (tls_once(r, "load:%s", set->ks.where))
			tls_finding(r, PFA_SEV_CRITICAL, "PFA-CERT-018",
			    named_in(&t, err, set->ks.files[0]), NULL,
			    "%s (%s): %s; %s", set->ks.param, set->used_by,
			    err, consequence(set));
		ok = false;
	}
	key_perms(r, &t);
	for (size_t i = 0; ok && t.n > 1 && i < t.n; i++)
		if (pfa_pem_count(&t.v[i]) == 0 &&
		    tls_once(r, "nopem:%s", t.v[i].name))
			tls_finding(r, PFA_SEV_WARNING, "PFA-CERT-018",
			    t.v[i].name, NULL, "%s (%s) names %s, which holds "
			    "no PEM data (empty, or not PEM): Postfix skips it, "
			    "so the key it should hold is not served",
			    set->ks.param, set->used_by, t.v[i].name);
	for (size_t a = 0; a < set->chains.n; a++)
		for (size_t b = a + 1; b < set->chains.n; b++) {
			EVP_PKEY *ka = set->chains.v[a].key;
			EVP_PKEY *kb = set->chains.v[b].key;
			if (EVP_PKEY_get_base_id(ka) == EVP_PKEY_get_base_id(kb)) {
				tls_finding(r, PFA_SEV_CRITICAL, "PFA-CERT-024",
				    set->chains.v[b].key_from, NULL, "%s (%s) "
				    "holds two %s keys: Postfix loads one chain "
				    "per key type and refuses the second; %s",
				    set->ks.param, set->used_by,
				    EVP_PKEY_get0_type_name(ka),
				    consequence(set));
				ok = false;
			}
		}
	texts_free(&t);
	set->loaded = ok;
}

static void
load_pairs(struct tls_run *r, struct tls_set *set)
{
	bool ok = true;
	for (size_t i = 0; i < set->ks.npairs; i++) {
		const struct pfa_tls_pair *p = &set->ks.pairs[i];
		struct texts t = { 0 };
		bool one = strcmp(p->cert, p->key) == 0;
		if (texts_add(r, &t, p->cert, p->cert_param) < 0 ||
		    (!one && texts_add(r, &t, p->key, p->cert_param) < 0)) {
			texts_free(&t);
			ok = false;
			continue;
		}
		/* the key file, whatever it holds */
		tls_key_perms(r, t.v[one ? 0 : 1].name, &t.st[one ? 0 : 1]);
		struct pfa_pem_chain c;
		char err[512];
		if (pfa_pem_read_pair(&t.v[0], one ? &t.v[0] : &t.v[1], &c, err,
		    sizeof(err)) < 0) {
			/* the certificate read: the key is what failed */
			const char *bad = c.leaf != NULL ? p->key : p->cert;
			if (tls_once(r, "load:%s:%s", p->cert, p->key))
				tls_finding(r, PFA_SEV_CRITICAL, "PFA-CERT-018",
				    bad, NULL, "%s (%s, %s): %s; %s",
				    c.leaf != NULL ? "the key file" :
				    p->cert_param, set->used_by, p->alg, err,
				    consequence(set));
			ok = false;
			pfa_pem_chain_free(&c);
		} else {
			struct pfa_pem_chains *cs = &set->chains;
			cs->v = pfa_xrealloc(cs->v, (cs->n + 1) * sizeof(*cs->v));
			cs->v[cs->n++] = c;
		}
		texts_free(&t);
	}
	set->loaded = ok;
}

/* ------------------------------------------------------------ checks */

/* X to two decimals, for metrics a person reads. */
static double
round2(double x)
{
	return (double)(long long)(x * 100 + (x < 0 ? -0.5 : 0.5)) / 100;
}

static void
leaf_metrics(struct tls_run *r, const struct pfa_pem_chain *c,
    const struct pfa_cert_info *ci, const struct tls_expiry *ex)
{
	if (!tls_once(r, "leaf:%s", ci->sha256))
		return;
	r->ncerts++;
	double days = round2(ci->left / 86400.0);
	double frac = ci->lifetime > 0 ? ci->left / ci->lifetime : 0;
	double w = round2(ex->warn_at / 86400.0);
	double cr = round2(ex->crit_at / 86400.0);
	double pw = r->conf->warn_left * 100, pc = r->conf->crit_left * 100;
	double lo = 0, hi = 100, pct = round2(frac * 100);
	char *dn = pfa_xasprintf("days_left:%s:%s", c->leaf_from, ci->key_type);
	char *ln = pfa_xasprintf("life_left:%s:%s", c->leaf_from, ci->key_type);
	pfa_result_add_metric(r->res, dn, days, "");
	pfa_result_metric_limits(r->res, dn, &w, &cr, NULL, NULL);
	pfa_result_add_metric(r->res, ln, pct, "%");
	pfa_result_metric_limits(r->res, ln, &pw, &pc, &lo, &hi);
	free(dn);
	free(ln);
	if (days < r->min_days) {
		r->min_days = days;
		r->min_warn_days = w;
		r->min_crit_days = cr;
	}
	if (frac < r->min_frac)
		r->min_frac = frac;
}

static void
expiry(struct tls_run *r, const struct tls_set *set,
    const struct pfa_pem_chain *c, const struct pfa_cert_info *ci,
    struct tls_expiry *ex)
{
	pfa_tls_expiry(r->conf, ci->lifetime, ci->left, ci->validity, ex);
	double days = ci->left / 86400.0, life = ci->lifetime / 86400.0;
	const char *sub = c->leaf_from;
	if (ex->id != NULL && ci->validity > 0)
		tls_finding(r, ex->sev, ex->id, sub, NULL, "%s (%s) expired "
		    "on %s, %.1f days ago: clients that check refuse it",
		    ci->subject, set->used_by, ci->not_after, -days);
	else if (ex->id != NULL && ci->validity < 0)
		tls_finding(r, ex->sev, ex->id, sub, NULL, "%s (%s) is not "
		    "valid yet: clients that check refuse it", ci->subject,
		    set->used_by);
	else if (ex->id != NULL)
		tls_finding(r, ex->sev, ex->id, sub, NULL, "%s (%s) expires "
		    "on %s: %.1f days left, %.0f%% of its %.0f-day lifetime "
		    "(%s at %.1f days, critical at %.1f)", ci->subject,
		    set->used_by, ci->not_after, days, 100 * ci->left /
		    ci->lifetime, life, ex->sev == PFA_SEV_CRITICAL ?
		    "warned" : "warning", ex->warn_at / 86400,
		    ex->crit_at / 86400);
	if (ex->short_lived && ci->validity == 0 &&
	    tls_once(r, "short:%s", ci->sha256))
		tls_finding(r, PFA_SEV_INFO, "PFA-CERT-020", sub, NULL, "%s "
		    "has a lifetime of %.1f days: short-lived, no warning "
		    "until its last day", ci->subject, life);
}

/* The usual digest and size checks of every certificate of C. */
static void
strength(struct tls_run *r, const struct tls_set *set,
    const struct pfa_pem_chain *c, const struct pfa_cert_info *ci)
{
	const char *t = ci->key_type;
	bool rsa = strcmp(t, "RSA") == 0 || strcmp(t, "RSA-PSS") == 0 ||
	    strcmp(t, "DSA") == 0;
	if ((rsa && ci->key_bits < 2048) ||
	    (strcmp(t, "EC") == 0 && ci->key_bits < 256))
		tls_finding(r, PFA_SEV_CRITICAL, "PFA-CERT-006", c->leaf_from,
		    NULL, "%s (%s) has a %d-bit %s key: below %d bits",
		    ci->subject, set->used_by, ci->key_bits, t, rsa ? 2048 : 256);
	for (int i = -1; i < sk_X509_num(c->chain); i++) {
		X509 *x = i < 0 ? c->leaf : sk_X509_value(c->chain, i);
		struct pfa_cert_info xi;
		if (i < 0)
			xi = *ci;
		else if (pfa_cert_inspect(x, r->now, &xi, NULL, 0) < 0)
			continue;
		if (xi.weak_sig && !(i >= 0 && xi.self_signed))
			tls_finding(r, PFA_SEV_WARNING, "PFA-CERT-007",
			    c->leaf_from, NULL, "%s (%s) is signed with %s, "
			    "which can be forged: many clients refuse it",
			    xi.subject, i < 0 ? "the leaf" : "in its chain",
			    xi.sig_md);
	}
}

static bool
issuer_missing(int err)
{
	return err == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY ||
	    err == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT;
}

static void
trust(struct tls_run *r, const struct tls_set *set, X509_STORE *store,
    const struct pfa_pem_chain *c, const struct pfa_cert_info *ci,
    const struct tls_expiry *ex)
{
	struct pfa_verdict v;
	enum pfa_sev sev = set->ks.client ? PFA_SEV_WARNING :
	    tls_sev_receiving(r);
	if (store == NULL || pfa_chain_verify(store, c->leaf, c->chain, 0,
	    set->ks.client, &v, NULL, 0) < 0)
		return;
	if (v.err != X509_V_OK) {
		bool leaf_time = v.depth == 0 &&
		    (v.err == X509_V_ERR_CERT_HAS_EXPIRED ||
		    v.err == X509_V_ERR_CERT_NOT_YET_VALID);
		if (leaf_time)
			return;	/* PFA-CERT-001/002 said it */
		if (issuer_missing(v.err))
			tls_finding(r, sev, "PFA-CERT-010", c->leaf_from, NULL,
			    "the chain of %s (%s) ends without its issuer: %s; "
			    "add the intermediate certificate(s) after the "
			    "leaf (or trust its CA in the CA file)",
			    ci->subject, set->used_by, v.what);
		else
			tls_finding(r, sev, "PFA-CERT-008", c->leaf_from, NULL,
			    "the chain of %s (%s) does not verify: %s",
			    ci->subject, set->used_by, v.what);
		return;
	}
	/* the chain must last until the leaf's renewal is due */
	double until = ci->left - ex->warn_at;
	if (until <= 0)
		return;
	if (pfa_chain_verify(store, c->leaf, c->chain, r->now + (time_t)until,
	    set->ks.client, &v, NULL, 0) == 0 && v.err != X509_V_OK &&
	    v.depth > 0)
		tls_finding(r, PFA_SEV_WARNING, "PFA-CERT-011", c->leaf_from,
		    NULL, "in %.0f days, when the renewal of %s (%s) is due, "
		    "its chain no longer verifies: %s", until / 86400,
		    ci->subject, set->used_by, v.what);
}

static void
server_names(struct tls_run *r, const struct tls_set *set,
    const struct pfa_pem_chain *c, const struct pfa_cert_info *ci)
{
	enum pfa_sev sev = tls_sev_receiving(r);
	char *real = realpath(c->leaf_from, NULL);
	bool snake = strcmp(c->leaf_from, SNAKEOIL) == 0 ||
	    (real != NULL && strcmp(real, SNAKEOIL) == 0);
	free(real);
	if (snake && ci->self_signed)
		tls_finding(r, sev, "PFA-CERT-013", c->leaf_from, NULL, "%s "
		    "serves Debian's snakeoil certificate (self-signed, made "
		    "at install time): get one from a CA (or use DANE)",
		    set->used_by);
	else if (ci->self_signed)
		tls_finding(r, sev, "PFA-CERT-014", c->leaf_from, NULL, "%s "
		    "(%s) is self-signed: clients that verify refuse it",
		    ci->subject, set->used_by);
	if (*set->hostname != '\0' && !pfa_cert_covers(c->leaf, set->hostname))
		tls_finding(r, sev, "PFA-CERT-012", c->leaf_from, NULL, "%s "
		    "(%s) does not cover %s%s", ci->subject, set->used_by,
		    set->hostname, set->ks.sni ? ", its SNI name" :
		    " (myhostname)");
}

/* What is the same wherever a leaf is used: expiry, metrics, its
 * summary, digests and sizes, the chain's order and trust (once per
 * leaf and side). */
static void
check_leaf(struct tls_run *r, const struct tls_set *set, X509_STORE **store,
    const struct pfa_pem_chain *c, const struct pfa_cert_info *ci)
{
	if (!tls_once(r, "leafcheck:%s:%d", ci->sha256, set->ks.client))
		return;
	struct tls_expiry ex;
	expiry(r, set, c, ci, &ex);
	leaf_metrics(r, c, ci, &ex);
	tls_finding(r, PFA_SEV_INFO, "PFA-CERT-021", c->leaf_from, NULL,
	    "%s (%s): %s %d bits, issued by %s, expires %s (%.1f days, %.0f%% "
	    "of its %.0f-day lifetime left)", ci->subject, set->used_by,
	    ci->key_type, ci->key_bits, ci->self_signed ? "itself" :
	    ci->issuer, ci->not_after, ci->left / 86400, ci->lifetime > 0 ?
	    100 * ci->left / ci->lifetime : 0, ci->lifetime / 86400);
	strength(r, set, c, ci);
	int bad = pfa_chain_misordered(c->leaf, c->chain);
	if (bad >= 0)
		tls_finding(r, PFA_SEV_WARNING, "PFA-CERT-009", c->leaf_from,
		    NULL, "the chain of %s (%s) is out of order: certificate "
		    "%d after the leaf does not issue the one before it; "
		    "order them leaf, intermediate(s), root", ci->subject,
		    set->used_by, bad + 1);
	if (ci->self_signed && !set->ks.client)
		return;		/* nothing to verify it against */
	if (*store == NULL)
		*store = tls_store(r, set);
	trust(r, set, *store, c, ci, &ex);
}

/* What depends on where it is used: the key, names, usages. */
static void
check_chain(struct tls_run *r, const struct tls_set *set, X509_STORE **store,
    const struct pfa_pem_chain *c)
{
	struct pfa_cert_info ci;
	char err[300];
	if (pfa_cert_inspect(c->leaf, r->now, &ci, err, sizeof(err)) < 0) {
		tls_finding(r, PFA_SEV_CRITICAL, "PFA-CERT-018", c->leaf_from,
		    NULL, "the certificate cannot be read: %s", err);
		return;
	}
	if (!pfa_cert_key_match(c->leaf, c->key))
		tls_finding(r, PFA_SEV_CRITICAL, "PFA-CERT-005", c->key_from,
		    NULL, "the private key in %s does not match the "
		    "certificate %s in %s (%s); %s", c->key_from, ci.subject,
		    c->leaf_from, set->used_by, consequence(set));
	check_leaf(r, set, store, c, &ci);
	if (!set->ks.client) {
		server_names(r, set, c, &ci);
	} else if (!ci.client_auth) {
		const char *relay = pfa_cf_get(r->view, "relayhost");
		bool need = relay != NULL && *relay != '\0';
		tls_finding(r, need ? PFA_SEV_WARNING : PFA_SEV_INFO,
		    "PFA-CERT-016", c->leaf_from, NULL, "the client "
		    "certificate %s (%s) has no clientAuth extended key usage "
		    "(Let's Encrypt dropped it in 2026): a server that asks "
		    "for a client certificate refuses it%s", ci.subject,
		    set->used_by, need ? ", and a relayhost is configured" :
		    "");
	}
}

void
tls_check_sets(struct tls_run *r)
{
	for (size_t i = 0; i < r->nsets; i++) {
		struct tls_set *set = &r->sets[i];
		if (set->ks.nfiles > 0)
			load_chain_files(r, set);
		else
			load_pairs(r, set);
		X509_STORE *store = NULL;
		for (size_t k = 0; k < set->chains.n; k++)
			check_chain(r, set, &store, &set->chains.v[k]);
		X509_STORE_free(store);
	}
}
