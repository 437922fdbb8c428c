/*
 * tls_probe.c - check-tls's probes of the running Postfix: every smtpd
 * or postscreen listener that offers TLS and is not disabled, on each
 * loopback address it can be reached on (listener.h), with STARTTLS or,
 * in wrapper mode, TLS first (postfix/smtp.h).  Per address: a default
 * handshake (protocol, cipher, temporary key, chain, time); one per key
 * type when the listener has several (forced through the signature
 * algorithms offered); one per SNI name of its tables; one limited to
 * each of TLS 1.0 and 1.1 with the probe's own security level lowered;
 * one offering only DHE.  A listener that does not answer costs one
 * timeout and its other probes are skipped.
 *
 * When the served leaf differs from the one on disk the task asks for one
 * reload (res->reload_wanted) and remembers the certificate on disk in
 * ctx->data "reload_asked": if a later run still finds the old one
 * served, it says so instead of asking again.  An entry goes once the
 * listener serves what is on disk.  Nothing here reloads or logs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/ssl.h>

#include "listener.h"
#include "mapspec.h"
#include "remedy.h"
#include "smtp.h"
#include "tls_int.h"

/* The probe's signature algorithms and TLS <= 1.2 ciphers per key type. */
static const struct {
	const char *type, *name, *sigalgs, *ciphers;
} key_types[] = {
	{ "RSA", "RSA", "rsa_pss_rsae_sha256:rsa_pss_rsae_sha384:"
	    "rsa_pss_rsae_sha512:RSA+SHA256:RSA+SHA384:RSA+SHA512", "aRSA" },
	{ "EC", "ECDSA", "ECDSA+SHA256:ECDSA+SHA384:ECDSA+SHA512", "aECDSA" },
	{ "ED25519", "Ed25519", "ed25519", "aECDSA" },
	{ "ED448", "Ed448", "ed448", "aECDSA" },
};
#define NKEYTYPES (sizeof(key_types) / sizeof(key_types[0]))

struct target {
	const struct pfa_listener *l;
	const char *addr;
	char label[80];		/* "127.0.0.1:25", "[::1]:465" */
	const struct tls_set *set;	/* its keys on disk, or NULL */
	struct {
		size_t set;		/* index into r->sets */
		const char *spec;	/* its table */
	} *sni;
	size_t nsni;
};

static void
probe_init(const struct tls_run *r, const struct target *t,
    struct pfa_tls_probe *p)
{
	memset(p, 0, sizeof(*p));
	p->host = t->addr;
	p->port = t->l->portnum;
	p->wrapper = t->l->wrapper;
	p->security_level = -1;
	p->timeout_ms = (int)r->conf->timeout * 1000;
}

static const char *
key_type_of(X509 *x, char *buf, size_t n)
{
	EVP_PKEY *k = X509_get0_pubkey(x);
	const char *t = k ? EVP_PKEY_get0_type_name(k) : NULL;
	snprintf(buf, n, "%s", t ? t : "?");
	return buf;
}

static const char *
subject_of(X509 *x, char *buf, size_t n)
{
	struct pfa_cert_info ci;
	if (x == NULL || pfa_cert_inspect(x, time(NULL), &ci, NULL, 0) < 0)
		snprintf(buf, n, "?");
	else
		snprintf(buf, n, "%s (%s %d bits, expires %s)", ci.subject,
		    ci.key_type, ci.key_bits, ci.not_after);
	return buf;
}

static X509 *
served_leaf(const struct pfa_tls_probe *p)
{
	return p->chain != NULL && sk_X509_num(p->chain) > 0 ?
	    sk_X509_value(p->chain, 0) : NULL;
}

/* The chain of SET whose leaf is X, or NULL. */
static const struct pfa_pem_chain *
on_disk(const struct tls_set *set, X509 *x)
{
	for (size_t i = 0; set != NULL && x != NULL && i < set->chains.n; i++)
		if (X509_cmp(set->chains.v[i].leaf, x) == 0)
			return &set->chains.v[i];
	return NULL;
}

/* The chain of SET with key type TYPE (NULL: the first), or NULL. */
static const struct pfa_pem_chain *
of_type(const struct tls_set *set, const char *type)
{
	char buf[32];
	for (size_t i = 0; set != NULL && i < set->chains.n; i++)
		if (type == NULL || strcmp(key_type_of(set->chains.v[i].leaf,
		    buf, sizeof(buf)), type) == 0)
			return &set->chains.v[i];
	return NULL;
}

static bool
asked_before(const struct tls_run *r, const char *sha, const char **when)
{
	json_object *a, *t;
	if (r->ctx->data == NULL ||
	    !json_object_object_get_ex(r->ctx->data, "reload_asked", &a) ||
	    !json_object_object_get_ex(a, sha, &t))
		return false;
	*when = json_object_get_string(t);
	return true;
}

/* The listener serves X where the disk has WANT's leaf. */
static void
mismatch(struct tls_run *r, const struct target *t, X509 *x,
    const struct pfa_pem_chain *want)
{
	struct pfa_cert_info wi;
	char served[400], buf[40];
	if (pfa_cert_inspect(want->leaf, r->now, &wi, NULL, 0) < 0 ||
	    !tls_once(r, "mismatch:%s:%s", wi.sha256, t->label))
		return;
	subject_of(x, served, sizeof(served));
	const char *when = NULL;
	if (asked_before(r, wi.sha256, &when)) {
		tls_finding(r, PFA_SEV_WARNING, "PFA-PROBE-006", t->label, NULL,
		    "still serves %s, not %s from %s, after the reload asked "
		    "for at %s: Postfix reads another file than the "
		    "configuration says, or the reload did not take", served,
		    wi.subject, want->leaf_from, when);
		if (r->asked != NULL)
			json_object_object_add(r->asked, wi.sha256,
			    json_object_new_string(when));
		return;
	}
	struct tm tm;
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&r->now,
	    &tm));
	tls_finding(r, PFA_SEV_INFO, "PFA-PROBE-005", t->label, NULL,
	    "serves %s, but %s holds %s (expires %s): asking for a reload so "
	    "that Postfix serves the one on disk", served, want->leaf_from,
	    wi.subject, wi.not_after);
	r->res->reload_wanted = true;
	r->reload_asked = true;
	if (r->asked != NULL)
		json_object_object_add(r->asked, wi.sha256,
		    json_object_new_string(buf));
}

/* The first probe of an address into P; false when it did not answer
 * (a finding says so; P holds nothing then). */
static bool
base_probe(struct tls_run *r, const struct target *t, struct pfa_tls_probe *p)
{
	probe_init(r, t, p);
	const char *how = t->l->wrapper ? "TLS first" : "STARTTLS";
	r->nprobed++;
	if (pfa_smtp_tls_probe(p) == 0)
		return true;
	bool silent = p->end == PFA_TLSP_CONNECT || p->end == PFA_TLSP_TIMEOUT ||
	    (p->end == PFA_TLSP_SMTP && p->reply[0] == '4');
	if (silent)
		tls_finding(r, PFA_SEV_WARNING, "PFA-PROBE-002", t->label, NULL,
		    "%s, %s/%s: did not answer: %s; not probed further", how,
		    t->l->svc->name, t->l->svc->type, p->error);
	else
		tls_finding(r, PFA_SEV_CRITICAL, "PFA-PROBE-001", t->label,
		    NULL, "%s, %s/%s: offers no TLS: %s%s%s; look for "
		    "\"disabling TLS support\" in Postfix's log", how,
		    t->l->svc->name, t->l->svc->type, p->error,
		    *p->reply && p->end != PFA_TLSP_NOTLS ? "; the server "
		    "said: " : "", p->end != PFA_TLSP_NOTLS ? p->reply : "");
	pfa_tls_probe_clear(p);
	return false;
}

/* What the first probe P got: its note, its time, the comparison. */
static void
base_report(struct tls_run *r, const struct target *t,
    const struct pfa_tls_probe *p, const char *dhe)
{
	char *m = pfa_xasprintf("handshake:%s", t->label);
	pfa_result_add_metric(r->res, m, p->handshake_s, "s");
	free(m);
	X509 *x = served_leaf(p);
	char sub[400], up[600] = "";
	int n = sk_X509_num(p->chain);
	/* the issuers it sent after the leaf */
	for (int i = 1; i < n; i++) {
		struct pfa_cert_info ci;
		size_t k = strlen(up);
		if (pfa_cert_inspect(sk_X509_value(p->chain, i), r->now, &ci,
		    NULL, 0) == 0)
			snprintf(up + k, sizeof(up) - k, "%s%s", i > 1 ? ", " :
			    " with ", ci.subject);
	}
	tls_finding(r, PFA_SEV_INFO, "PFA-PROBE-010", t->label, NULL, "%s, "
	    "%s/%s: protocol %s, cipher %s, temp key %s, served %s%s "
	    "(%d certificate%s), handshake %.1f ms; DHE: %s",
	    t->l->wrapper ? "TLS first" : "STARTTLS", t->l->svc->name,
	    t->l->svc->type, p->protocol, p->cipher, *p->tmp_key ?
	    p->tmp_key : "none", subject_of(x, sub, sizeof(sub)), up, n,
	    n == 1 ? "" : "s", p->handshake_s * 1000, dhe);
	if (x != NULL && t->set != NULL && t->set->chains.n > 0 &&
	    on_disk(t->set, x) == NULL) {
		char type[32];
		const struct pfa_pem_chain *want = of_type(t->set,
		    key_type_of(x, type, sizeof(type)));
		mismatch(r, t, x, want ? want : of_type(t->set, NULL));
	}
}

/* One probe per key type, when the listener has more than one. */
static void
key_type_probes(struct tls_run *r, const struct target *t)
{
	if (t->set == NULL || t->set->chains.n < 2)
		return;
	for (size_t k = 0; k < NKEYTYPES; k++) {
		const struct pfa_pem_chain *want = of_type(t->set,
		    key_types[k].type);
		if (want == NULL)
			continue;
		struct pfa_tls_probe p;
		probe_init(r, t, &p);
		p.sigalgs = key_types[k].sigalgs;
		p.ciphers = key_types[k].ciphers;
		char type[32] = "", sub[400];
		X509 *x = NULL;
		if (pfa_smtp_tls_probe(&p) == 0)
			x = served_leaf(&p);
		if (x == NULL || strcmp(key_type_of(x, type, sizeof(type)),
		    key_types[k].type) != 0)
			tls_finding(r, PFA_SEV_WARNING, "PFA-PROBE-007",
			    t->label, NULL, "does not serve its %s "
			    "certificate (%s) when a client offers only %s "
			    "signatures: %s", key_types[k].name,
			    want->leaf_from, key_types[k].name, x ?
			    "it served another key type" : p.error);
		else if (X509_cmp(x, want->leaf) != 0)
			mismatch(r, t, x, want);
		else
			tls_finding(r, PFA_SEV_INFO, "PFA-PROBE-010", t->label,
			    NULL, "with only %s signatures offered: protocol "
			    "%s, cipher %s, served %s", key_types[k].name,
			    p.protocol, p.cipher, subject_of(x, sub,
			    sizeof(sub)));
		pfa_tls_probe_clear(&p);
	}
}

static void
sni_probes(struct tls_run *r, const struct target *t)
{
	for (size_t i = 0; i < t->nsni; i++) {
		const struct tls_set *s = &r->sets[t->sni[i].set];
		if (s->chains.n == 0)
			continue;
		struct pfa_tls_probe p = { .chain = NULL };
		X509 *x = NULL;
		/* twice: a process that has not yet seen a rebuilt table
		 * serves one last session with the old one */
		for (int tries = 0; tries < 2; tries++) {
			pfa_tls_probe_clear(&p);
			probe_init(r, t, &p);
			p.sni = s->hostname;
			if (pfa_smtp_tls_probe(&p) < 0)
				break;
			x = served_leaf(&p);
			if (on_disk(s, x) != NULL)
				break;
		}
		char served[400];
		subject_of(x, served, sizeof(served));
		if (x != NULL && on_disk(s, x) != NULL) {
			tls_finding(r, PFA_SEV_INFO, "PFA-PROBE-010", t->label,
			    NULL, "asked for %s: protocol %s, cipher %s, served "
			    "%s", s->hostname, p.protocol, p.cipher, served);
		} else {
			char *type = NULL, *path = NULL;
			char *fix = pfa_mapspec_parse(t->sni[i].spec, &type,
			    &path) == 0 ?
			    pfa_remedy(pfa_postfix_config_dir(r->ctx->pf),
			    "postmap -F %s:%s", type, path) : NULL;
			tls_finding(r, PFA_SEV_WARNING, "PFA-PROBE-008",
			    t->label, fix, "asked for %s, serves %s, not the "
			    "certificate %s names (%s): the table's database "
			    "is older than its files", s->hostname, x ? served :
			    p.error, s->ks.where, s->chains.v[0].leaf_from);
			free(fix);
			free(type);
			free(path);
		}
		pfa_tls_probe_clear(&p);
	}
}

/* What a DHE-only handshake gets, into DHE; a finding if it is weak. */
static void
dhe_probe(struct tls_run *r, const struct target *t, char *dhe, size_t n)
{
	struct pfa_tls_probe p;
	probe_init(r, t, &p);
	p.max_version = TLS1_2_VERSION;
	p.ciphers = "DHE:@SECLEVEL=0";
	p.security_level = 0;	/* so that a weak group is seen, not refused */
	if (pfa_smtp_tls_probe(&p) < 0) {
		snprintf(dhe, n, "not offered");
	} else {
		snprintf(dhe, n, "%s", *p.tmp_key ? p.tmp_key : "no key");
		if (strcmp(p.tmp_type, "DH") == 0 && p.tmp_bits < 2048) {
			char *fix = pfa_ctx_remedy_pfagent(r->ctx,
			    "run rotate-dh");
			tls_finding(r, p.tmp_bits < 1024 ? PFA_SEV_CRITICAL :
			    PFA_SEV_WARNING, "PFA-PROBE-004", t->label, fix,
			    "uses a %d-bit DH group for DHE (%s): below 2048 "
			    "bits", p.tmp_bits, p.cipher);
			free(fix);
		}
	}
	pfa_tls_probe_clear(&p);
}

static void
legacy_probes(struct tls_run *r, const struct target *t)
{
	static const struct {
		int version;
		const char *name;
	} old[] = {
		{ SSL3_VERSION, "SSLv3" },
		{ TLS1_VERSION, "TLSv1" },
		{ TLS1_1_VERSION, "TLSv1.1" },
	};
	char got[64] = "";
	bool ssl3 = false;
	for (size_t i = 0; i < sizeof(old) / sizeof(old[0]); i++) {
		struct pfa_tls_probe p;
		probe_init(r, t, &p);
		p.min_version = p.max_version = old[i].version;
		p.security_level = 0;
		p.ciphers = "DEFAULT:@SECLEVEL=0";
		if (pfa_smtp_tls_probe(&p) == 0) {
			size_t k = strlen(got);
			snprintf(got + k, sizeof(got) - k, "%s%s", k ? ", " : "",
			    old[i].name);
			ssl3 = ssl3 || old[i].version == SSL3_VERSION;
		}
		pfa_tls_probe_clear(&p);
	}
	if (*got == '\0')
		return;
	char *fix = pfa_remedy(pfa_postfix_config_dir(r->ctx->pf),
	    "postconf -e 'smtpd_tls_protocols = >=TLSv1.2' "
	    "'smtpd_tls_mandatory_protocols = >=TLSv1.2'");
	tls_finding(r, ssl3 ? PFA_SEV_CRITICAL : PFA_SEV_WARNING,
	    "PFA-PROBE-003", t->label, fix, "accepts %s (deprecated by RFC "
	    "8996%s)", got, ssl3 ? "; SSLv3 is broken" : "");
	free(fix);
}

static int
sni_of(void *arg, const char *tok)
{
	struct tls_run *r = ((void **)arg)[0];
	struct target *t = ((void **)arg)[1];
	for (size_t i = 0; i < r->nsni; i++)
		if (strcmp(r->sni[i].spec, tok) == 0)
			for (size_t k = 0; k < r->sni[i].nsets; k++) {
				t->sni = pfa_xrealloc(t->sni, (t->nsni + 1) *
				    sizeof(*t->sni));
				t->sni[t->nsni].set = r->sni[i].sets[k];
				t->sni[t->nsni++].spec = r->sni[i].spec;
			}
	return 0;
}

static void
probe_listener(struct tls_run *r, const struct pfa_listener *l)
{
	struct target t = { .l = l };
	struct pfa_tls_keyset ks;
	pfa_tls_server_keyset(r->view, l->svc, &ks);
	for (size_t i = 0; i < r->nsets && !pfa_tls_keyset_empty(&ks); i++)
		if (pfa_tls_keyset_same(&r->sets[i].ks, &ks))
			t.set = &r->sets[i];
	pfa_tls_keyset_free(&ks);
	void *arg[2] = { r, &t };
	(void)pfa_table_walk(pfa_cfsvc_get(r->view, l->svc,
	    "tls_server_sni_maps"), sni_of, arg);
	for (size_t a = 0; a < l->nloopback; a++) {
		t.addr = l->loopback[a];
		snprintf(t.label, sizeof(t.label), strchr(t.addr, ':') ?
		    "[%s]:%d" : "%s:%d", t.addr, l->portnum);
		struct pfa_tls_probe p;
		if (!base_probe(r, &t, &p))
			continue;
		char dhe[64];
		dhe_probe(r, &t, dhe, sizeof(dhe));
		base_report(r, &t, &p, dhe);
		pfa_tls_probe_clear(&p);
		key_type_probes(r, &t);
		sni_probes(r, &t);
		if (r->conf->legacy)
			legacy_probes(r, &t);
	}
	free(t.sni);
}

void
tls_probe_all(struct tls_run *r)
{
	int running = pfa_postfix_running(r->ctx->pf);
	if (running != 1) {
		tls_finding(r, PFA_SEV_INFO, "PFA-PROBE-009",
		    pfa_postfix_config_dir(r->ctx->pf), NULL, "%s: no listener "
		    "probed", running == 0 ? "Postfix is not running" :
		    "cannot tell whether Postfix is running");
		return;
	}
	r->asked = json_object_new_object();
	struct pfa_listeners ls;
	pfa_listeners_get(r->view, &ls);
	size_t tls = 0, reachable = 0;
	for (size_t i = 0; i < ls.n; i++) {
		const struct pfa_listener *l = &ls.v[i];
		if (l->disabled || !pfa_tls_server_offers(r->view, l->svc) ||
		    l->portnum == 0)
			continue;
		tls++;
		if (l->nloopback == 0)
			continue;
		reachable++;
		probe_listener(r, l);
	}
	pfa_listeners_free(&ls);
	if (reachable == 0)
		tls_finding(r, PFA_SEV_INFO, "PFA-PROBE-011",
		    pfa_postfix_config_dir(r->ctx->pf), NULL, "%s: nothing "
		    "probed", tls == 0 ? "no listener offers TLS" : "no "
		    "listener offering TLS can be reached on loopback");
	if (r->ctx->data != NULL)
		json_object_object_add(r->ctx->data, "reload_asked", r->asked);
	else
		json_object_put(r->asked);
	r->asked = NULL;
}
