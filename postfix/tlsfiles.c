/*
 * tlsfiles.c - the TLS files of a Postfix configuration (tlsfiles.h):
 * which keys, certificates, CA settings, DH files and SNI tables each
 * part of Postfix loads, with master.cf -o overrides.
 *
 * Reads only the configuration view; must not open files, run commands
 * or log.  Nothing fails: an unknown parameter reads as empty.
 * Allocation failures abort (pfa_xmalloc).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "listener.h"
#include "mapspec.h"
#include "result.h"
#include "tlsfiles.h"

/* PREFIX + NAME as S sees it, "" when unknown. */
static const char *
get(const struct pfa_cfview *v, const struct pfa_cfsvc *s,
    const char *prefix, const char *name)
{
	char *p = pfa_xasprintf("%s%s", prefix, name);
	const char *r = pfa_cfsvc_get(v, s, p);
	free(p);
	return r != NULL ? r : "";
}

static int
tok_add(void *arg, const char *tok, size_t i)
{
	struct pfa_tls_keyset *k = arg;
	(void)i;
	k->files = pfa_xrealloc(k->files, (k->nfiles + 2) * sizeof(*k->files));
	k->files[k->nfiles++] = pfa_xstrdup(tok);
	k->files[k->nfiles] = NULL;
	return 0;
}

/* VALUE is "$NAME" or "${NAME}". */
static bool
refers_to(const char *value, const char *name)
{
	size_t n = strlen(name);
	if (value[0] != '$')
		return false;
	if (value[1] == '{')
		return strncmp(value + 2, name, n) == 0 &&
		    strcmp(value + 2 + n, "}") == 0;
	return strcmp(value + 1, name) == 0;
}

/*
 * The key file of a pair as S sees it: a key file left at its default
 * ($CERT_PARAM) follows S's override of the certificate file.
 */
static const char *
pair_key(const struct pfa_cfview *v, const struct pfa_cfsvc *s,
    const char *cert_param, const char *key_param, const char *cert)
{
	if (s != NULL && pfa_cfsvc_opt(s, cert_param) != NULL &&
	    pfa_cfsvc_opt(s, key_param) == NULL) {
		const char *raw = pfa_cf_raw(v, key_param);
		if (raw == NULL || refers_to(raw, cert_param))
			return cert;
	}
	const char *k = pfa_cfsvc_get(v, s, key_param);
	return k != NULL && *k != '\0' ? k : cert;
}

static void
keyset(const struct pfa_cfview *v, const struct pfa_cfsvc *s,
    const char *prefix, const char *where, bool client,
    struct pfa_tls_keyset *out)
{
	static const struct {
		const char *alg, *cert, *key;
	} algs[] = {
		{ "RSA", "tls_cert_file", "tls_key_file" },
		{ "DSA", "tls_dcert_file", "tls_dkey_file" },
		{ "ECDSA", "tls_eccert_file", "tls_eckey_file" },
	};

	memset(out, 0, sizeof(*out));
	out->where = pfa_xstrdup(where);
	out->client = client;
	out->cafile = pfa_xstrdup(get(v, s, prefix, "tls_CAfile"));
	out->capath = pfa_xstrdup(get(v, s, prefix, "tls_CApath"));
	const char *chain = get(v, s, prefix, "tls_chain_files");
	if (chain[strspn(chain, " \t,")] != '\0') {
		out->param = pfa_xasprintf("%stls_chain_files", prefix);
		(void)pfa_cf_tokens(chain, tok_add, out);
		return;
	}
	for (size_t i = 0; i < sizeof(algs) / sizeof(algs[0]); i++) {
		char *cp = pfa_xasprintf("%s%s", prefix, algs[i].cert);
		char *kp = pfa_xasprintf("%s%s", prefix, algs[i].key);
		const char *cert = pfa_cfsvc_get(v, s, cp);
		if (cert != NULL && *cert != '\0') {
			struct pfa_tls_pair *p = &out->pairs[out->npairs++];
			p->alg = algs[i].alg;
			p->cert_param = pfa_xstrdup(cp);
			p->cert = pfa_xstrdup(cert);
			p->key = pfa_xstrdup(pair_key(v, s, cp, kp, cert));
			if (out->param == NULL)
				out->param = pfa_xstrdup(cp);
		}
		free(cp);
		free(kp);
	}
	if (out->param == NULL)
		out->param = pfa_xasprintf("%stls_cert_file", prefix);
}

static char *
svc_label(const struct pfa_cfsvc *s)
{
	return s != NULL ? pfa_xasprintf("%s/%s", s->name, s->type) :
	    pfa_xstrdup("main.cf");
}

void
pfa_tls_server_keyset(const struct pfa_cfview *v, const struct pfa_cfsvc *s,
    struct pfa_tls_keyset *out)
{
	if (s != NULL && strcmp(s->command, "postscreen") == 0) {
		const struct pfa_cfsvc *t = pfa_cfview_service(v, "tlsproxy",
		    "unix");
		keyset(v, t, "tlsproxy_", "tlsproxy", false, out);
		return;
	}
	char *where = svc_label(s);
	keyset(v, s, "smtpd_", where, false, out);
	free(where);
}

static const char *
client_prefix(const struct pfa_cfsvc *s)
{
	return s != NULL && strcmp(s->command, "lmtp") == 0 ? "lmtp_" : "smtp_";
}

void
pfa_tls_client_keyset(const struct pfa_cfview *v, const struct pfa_cfsvc *s,
    struct pfa_tls_keyset *out)
{
	char *where = svc_label(s);
	keyset(v, s, client_prefix(s), where, true, out);
	free(where);
}

bool
pfa_tls_client_svc(const struct pfa_cfsvc *s)
{
	return strcmp(s->type, "unix") == 0 &&
	    (strcmp(s->command, "smtp") == 0 || strcmp(s->command, "lmtp") == 0);
}

bool
pfa_tls_keyset_empty(const struct pfa_tls_keyset *k)
{
	return k->nfiles == 0 && k->npairs == 0;
}

static bool
str_eq(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "") == 0;
}

bool
pfa_tls_keyset_same(const struct pfa_tls_keyset *a,
    const struct pfa_tls_keyset *b)
{
	if (a->client != b->client || a->nfiles != b->nfiles ||
	    a->npairs != b->npairs || !str_eq(a->cafile, b->cafile) ||
	    !str_eq(a->capath, b->capath) || !str_eq(a->sni, b->sni))
		return false;
	for (size_t i = 0; i < a->nfiles; i++)
		if (strcmp(a->files[i], b->files[i]) != 0)
			return false;
	for (size_t i = 0; i < a->npairs; i++)
		if (strcmp(a->pairs[i].alg, b->pairs[i].alg) != 0 ||
		    strcmp(a->pairs[i].cert, b->pairs[i].cert) != 0 ||
		    strcmp(a->pairs[i].key, b->pairs[i].key) != 0)
			return false;
	return true;
}

void
pfa_tls_keyset_free(struct pfa_tls_keyset *k)
{
	if (k == NULL)
		return;
	free(k->where);
	free(k->param);
	for (size_t i = 0; i < k->nfiles; i++)
		free(k->files[i]);
	free(k->files);
	for (size_t i = 0; i < k->npairs; i++) {
		free(k->pairs[i].cert_param);
		free(k->pairs[i].cert);
		free(k->pairs[i].key);
	}
	free(k->cafile);
	free(k->capath);
	free(k->sni);
	memset(k, 0, sizeof(*k));
}

/* The security level S's smtpd (or postscreen) works at, with the
 * obsolete booleans read as Postfix reads them. */
static bool
level_offers(const struct pfa_cfview *v, const struct pfa_cfsvc *s,
    const char *prefix)
{
	const char *level = get(v, s, prefix, "tls_security_level");
	if (*level != '\0')
		return strcasecmp(level, "none") != 0;
	char *u = pfa_xasprintf("%suse_tls", prefix);
	char *e = pfa_xasprintf("%senforce_tls", prefix);
	bool on = pfa_cf_value_yes(pfa_cfsvc_get(v, s, u)) ||
	    pfa_cf_value_yes(pfa_cfsvc_get(v, s, e));
	free(u);
	free(e);
	return on;
}

bool
pfa_tls_server_offers(const struct pfa_cfview *v, const struct pfa_cfsvc *s)
{
	if (pfa_cf_value_yes(pfa_cfsvc_get(v, s, "smtpd_tls_wrappermode")))
		return true;
	if (s != NULL && strcmp(s->command, "postscreen") == 0)
		return level_offers(v, s, "postscreen_");
	return level_offers(v, s, "smtpd_");
}

bool
pfa_tls_client_uses(const struct pfa_cfview *v, const struct pfa_cfsvc *s)
{
	return level_offers(v, s, client_prefix(s));
}

/* ------------------------------------------------------------ lists */

static void
names_add(struct pfa_tls_names *l, const char *s)
{
	if (s == NULL || *s == '\0' || strcmp(s, "auto") == 0)
		return;
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i], s) == 0)
			return;
	l->v = pfa_xrealloc(l->v, (l->n + 2) * sizeof(*l->v));
	l->v[l->n++] = pfa_xstrdup(s);
	l->v[l->n] = NULL;
}

void
pfa_tls_names_free(struct pfa_tls_names *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

void
pfa_tls_dh_files(const struct pfa_cfview *v, struct pfa_tls_names *out)
{
	static const char *const params[] = {
		"smtpd_tls_dh1024_param_file", "tlsproxy_tls_dh1024_param_file",
	};
	out->v = NULL;
	out->n = 0;
	for (size_t p = 0; p < 2; p++) {
		names_add(out, pfa_cf_get(v, params[p]));
		for (size_t i = 0; i < v->nsvcs; i++)
			names_add(out, pfa_cfsvc_opt(&v->svcs[i], params[p]));
	}
}

static int
table_add(void *arg, const char *tok)
{
	names_add(arg, tok);
	return 0;
}

void
pfa_tls_sni_tables(const struct pfa_cfview *v, struct pfa_tls_names *out)
{
	out->v = NULL;
	out->n = 0;
	(void)pfa_table_walk(pfa_cf_get(v, "tls_server_sni_maps"), table_add,
	    out);
	for (size_t i = 0; i < v->nsvcs; i++)
		if (pfa_listener_svc_smtp(&v->svcs[i]))
			(void)pfa_table_walk(pfa_cfsvc_opt(&v->svcs[i],
			    "tls_server_sni_maps"), table_add, out);
}
