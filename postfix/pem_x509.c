/*
 * pem_x509.c - the facts of a certificate and chain verification (pem.h):
 * validity and lifetime (ASN1_TIME_diff, X509_cmp_time: no date is
 * parsed here), key type and size, the signature's digest, self-signed,
 * the extended key usages for TLS, names (X509_check_host), the order of
 * a chain, and verification against a trust store now or at another
 * time (X509_VERIFY_PARAM_set_time).
 *
 * Must not: open files (beyond OpenSSL's own lookups in the system
 * store and a CApath directory), log, exit or read configuration.  Every
 * function returns 0 or -1 with one line in errbuf (or a documented
 * value); the calling thread's OpenSSL error queue is left empty.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include "pem.h"

/* What B holds, as a NUL-terminated string in BUF. */
static void
bio_text(BIO *b, char *buf, size_t n)
{
	int got = b != NULL ? BIO_read(b, buf, (int)n - 1) : -1;
	buf[got > 0 ? got : 0] = '\0';
	for (char *p = buf; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
}

static void
name_text(const X509_NAME *name, char *buf, size_t n)
{
	BIO *b = BIO_new(BIO_s_mem());
	if (b != NULL)
		X509_NAME_print_ex(b, name, 0, XN_FLAG_RFC2253);
	bio_text(b, buf, n);
	BIO_free(b);
}

static void
time_text(const ASN1_TIME *t, char *buf, size_t n)
{
	BIO *b = BIO_new(BIO_s_mem());
	if (b != NULL)
		ASN1_TIME_print_ex(b, t, ASN1_DTFLGS_ISO8601);
	bio_text(b, buf, n);
	BIO_free(b);
}

/* Seconds from A to B. */
static int
seconds_between(const ASN1_TIME *a, const ASN1_TIME *b, double *out)
{
	int days = 0, secs = 0;
	if (!ASN1_TIME_diff(&days, &secs, a, b))
		return -1;
	*out = (double)days * 86400.0 + (double)secs;
	return 0;
}

int
pfa_cert_inspect(X509 *x, time_t now, struct pfa_cert_info *out,
    char *errbuf, size_t errlen)
{
	const ASN1_TIME *nb = X509_get0_notBefore(x), *na = X509_get0_notAfter(x);
	ASN1_TIME *at = NULL;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	ERR_clear_error();
	if (nb == NULL || na == NULL ||
	    (at = ASN1_TIME_set(NULL, now)) == NULL ||
	    seconds_between(nb, na, &out->lifetime) < 0 ||
	    seconds_between(at, na, &out->left) < 0) {
		pfa_ssl_set_ssl_err(errbuf, errlen, "cannot read the "
		    "certificate's validity");
		goto out;
	}
	time_t t = now;
	int before = X509_cmp_time(nb, &t), after = X509_cmp_time(na, &t);
	if (before == 0 || after == 0) {
		pfa_ssl_set_ssl_err(errbuf, errlen, "cannot compare the "
		    "certificate's validity with the time");
		goto out;
	}
	out->validity = before > 0 ? -1 : after < 0 ? 1 : 0;
	time_text(na, out->not_after, sizeof(out->not_after));

	EVP_PKEY *pk = X509_get0_pubkey(x);
	if (pk != NULL) {
		const char *tn = EVP_PKEY_get0_type_name(pk);
		snprintf(out->key_type, sizeof(out->key_type), "%s",
		    tn != NULL ? tn : "unknown");
		out->key_bits = EVP_PKEY_get_bits(pk);
	} else {
		snprintf(out->key_type, sizeof(out->key_type), "unknown");
	}

	int mdnid = NID_undef, pknid = NID_undef, secbits = 0;
	uint32_t flags = 0;
	if (X509_get_signature_info(x, &mdnid, &pknid, &secbits, &flags) &&
	    mdnid != NID_undef) {
		const char *sn = OBJ_nid2sn(mdnid);
		snprintf(out->sig_md, sizeof(out->sig_md), "%s", sn ? sn : "?");
		for (char *p = out->sig_md; *p; p++)
			*p = (char)toupper((unsigned char)*p);
		out->weak_sig = mdnid == NID_sha1 || mdnid == NID_md5 ||
		    mdnid == NID_md5_sha1 || mdnid == NID_md4 ||
		    mdnid == NID_md2;
	}
	ERR_clear_error();
	out->self_signed = X509_self_signed(x, 1) == 1;
	uint32_t ext = X509_get_extension_flags(x);
	out->ca = (ext & EXFLAG_CA) != 0;
	out->has_eku = (ext & EXFLAG_XKUSAGE) != 0;
	uint32_t xku = X509_get_extended_key_usage(x);
	out->client_auth = !out->has_eku || (xku & XKU_SSL_CLIENT) != 0;
	out->server_auth = !out->has_eku || (xku & XKU_SSL_SERVER) != 0;
	name_text(X509_get_subject_name(x), out->subject, sizeof(out->subject));
	name_text(X509_get_issuer_name(x), out->issuer, sizeof(out->issuer));

	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	if (!X509_digest(x, EVP_sha256(), md, &mdlen) || mdlen != 32) {
		pfa_ssl_set_ssl_err(errbuf, errlen, "cannot hash the "
		    "certificate");
		goto out;
	}
	for (unsigned i = 0; i < mdlen; i++)
		snprintf(out->sha256 + 2 * i, 3, "%02x", md[i]);
	rc = 0;
out:
	ASN1_TIME_free(at);
	ERR_clear_error();
	return rc;
}

int
pfa_cert_key_match(X509 *x, EVP_PKEY *key)
{
	int r = x != NULL && key != NULL && X509_check_private_key(x, key) == 1;
	ERR_clear_error();
	return r;
}

bool
pfa_cert_covers(X509 *x, const char *name)
{
	if (x == NULL || name == NULL || *name == '\0')
		return false;
	bool r = X509_check_host(x, name, 0, 0, NULL) == 1;
	ERR_clear_error();
	return r;
}

int
pfa_chain_misordered(X509 *leaf, STACK_OF(X509) *chain)
{
	X509 *below = leaf;
	for (int i = 0; i < sk_X509_num(chain); i++) {
		X509 *up = sk_X509_value(chain, i);
		if (below != NULL && X509_check_issued(up, below) != X509_V_OK)
			return i;
		below = up;
	}
	ERR_clear_error();
	return -1;
}

X509_STORE *
pfa_store_new(STACK_OF(X509) *extra, const char *capath, bool system,
    char *errbuf, size_t errlen)
{
	X509_STORE *st = X509_STORE_new();
	ERR_clear_error();
	if (st == NULL) {
		pfa_ssl_set_ssl_err(errbuf, errlen, "cannot make a trust store");
		return NULL;
	}
	if (system && !X509_STORE_set_default_paths(st)) {
		pfa_ssl_set_ssl_err(errbuf, errlen, "cannot load the system's "
		    "trusted certificates");
		X509_STORE_free(st);
		return NULL;
	}
	for (int i = 0; i < sk_X509_num(extra); i++)
		if (!X509_STORE_add_cert(st, sk_X509_value(extra, i)))
			ERR_clear_error();	/* a duplicate is fine */
	if (capath != NULL && *capath != '\0' &&
	    !X509_STORE_load_path(st, capath)) {
		pfa_ssl_set_ssl_err(errbuf, errlen, "cannot use the CA "
		    "directory");
		X509_STORE_free(st);
		return NULL;
	}
	ERR_clear_error();
	return st;
}

int
pfa_chain_verify(X509_STORE *store, X509 *leaf, STACK_OF(X509) *untrusted,
    time_t at, bool client, struct pfa_verdict *out, char *errbuf,
    size_t errlen)
{
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	int rc = -1;

	memset(out, 0, sizeof(*out));
	ERR_clear_error();
	if (ctx == NULL || !X509_STORE_CTX_init(ctx, store, leaf, untrusted) ||
	    !X509_STORE_CTX_set_purpose(ctx, client ? X509_PURPOSE_SSL_CLIENT :
	    X509_PURPOSE_SSL_SERVER)) {
		pfa_ssl_set_ssl_err(errbuf, errlen, "cannot set up the chain "
		    "verification");
		goto out;
	}
	if (at != 0)
		X509_VERIFY_PARAM_set_time(X509_STORE_CTX_get0_param(ctx), at);
	if (X509_verify_cert(ctx) == 1) {
		out->err = X509_V_OK;
	} else {
		out->err = X509_STORE_CTX_get_error(ctx);
		out->depth = X509_STORE_CTX_get_error_depth(ctx);
		if (out->err == X509_V_OK)	/* failed without saying why */
			out->err = X509_V_ERR_UNSPECIFIED;
		char subj[256] = "";
		X509 *cur = X509_STORE_CTX_get_current_cert(ctx);
		if (cur != NULL)
			name_text(X509_get_subject_name(cur), subj,
			    sizeof(subj));
		snprintf(out->what, sizeof(out->what), "%s (depth %d%s%s)",
		    X509_verify_cert_error_string(out->err), out->depth,
		    *subj ? ": " : "", subj);
	}
	rc = 0;
out:
	X509_STORE_CTX_free(ctx);
	ERR_clear_error();
	return rc;
}
