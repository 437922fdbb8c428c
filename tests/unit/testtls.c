/*
 * testtls.c - keys and certificates for the TLS unit tests (testtls.h),
 * made in memory with OpenSSL's API.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "testtls.h"

EVP_PKEY *
pfa_test_key(const char *type, int bits)
{
	EVP_PKEY *k;
	if (strcmp(type, "RSA") == 0)
		k = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)bits);
	else
		k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", bits == 384 ?
		    "P-384" : "P-256");
	assert_non_null(k);
	return k;
}

static void
add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509V3_set_ctx_nodb(&ctx);
	X509V3_set_ctx(&ctx, issuer ? issuer : x, x, NULL, NULL, 0);
	X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	assert_non_null(e);
	assert_true(X509_add_ext(x, e, -1));
	X509_EXTENSION_free(e);
}

X509 *
pfa_test_cert(EVP_PKEY *key, const struct pfa_test_cert *o)
{
	static long serial = 1000;
	X509 *x = X509_new();
	assert_non_null(x);
	assert_true(X509_set_version(x, 2));
	ASN1_INTEGER_set(X509_get_serialNumber(x), serial++);
	assert_non_null(X509_gmtime_adj(X509_getm_notBefore(x), o->from));
	assert_non_null(X509_gmtime_adj(X509_getm_notAfter(x), o->until));
	X509_NAME *n = X509_get_subject_name(x);
	assert_true(X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC,
	    (const unsigned char *)o->cn, -1, -1, 0));
	assert_true(X509_set_issuer_name(x, o->issuer ?
	    X509_get_subject_name(o->issuer) : n));
	assert_true(X509_set_pubkey(x, key));
	add_ext(x, o->issuer, NID_basic_constraints, o->ca ? "critical,CA:TRUE" :
	    "CA:FALSE");
	add_ext(x, o->issuer, NID_subject_key_identifier, "hash");
	if (o->issuer != NULL)
		add_ext(x, o->issuer, NID_authority_key_identifier, "keyid");
	if (o->ca)
		add_ext(x, o->issuer, NID_key_usage, "critical,keyCertSign,"
		    "cRLSign");
	if (!o->ca) {
		char san[256];
		snprintf(san, sizeof(san), "DNS:%s", o->cn);
		add_ext(x, o->issuer, NID_subject_alt_name, o->san ? o->san : san);
	}
	if (o->eku != NULL)
		add_ext(x, o->issuer, NID_ext_key_usage, o->eku);
	const EVP_MD *md = EVP_get_digestbyname(o->md ? o->md : "SHA256");
	EVP_PKEY *signer = o->issuer_key ? o->issuer_key : key;
	if (EVP_PKEY_is_a(signer, "ED25519") || EVP_PKEY_is_a(signer, "ED448"))
		md = NULL;
	assert_true(X509_sign(x, signer, md) > 0);
	return x;
}

static char *
bio_string(BIO *b)
{
	char *data = NULL;
	long n = BIO_get_mem_data(b, &data);
	char *s = malloc((size_t)n + 1);
	assert_non_null(s);
	memcpy(s, data, (size_t)n);
	s[n] = '\0';
	BIO_free(b);
	return s;
}

char *
pfa_test_pem_key(EVP_PKEY *k)
{
	BIO *b = BIO_new(BIO_s_mem());
	assert_non_null(b);
	assert_true(PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL));
	return bio_string(b);
}

char *
pfa_test_pem_cert(X509 *x)
{
	BIO *b = BIO_new(BIO_s_mem());
	assert_non_null(b);
	assert_true(PEM_write_bio_X509(b, x));
	return bio_string(b);
}

char *
pfa_test_cat(const char *first, ...)
{
	va_list ap;
	size_t n = 0;
	va_start(ap, first);
	for (const char *s = first; s != NULL; s = va_arg(ap, const char *))
		n += strlen(s);
	va_end(ap);
	char *r = malloc(n + 1), *o = r;
	assert_non_null(r);
	va_start(ap, first);
	for (const char *s = first; s != NULL; s = va_arg(ap, const char *)) {
		memcpy(o, s, strlen(s));
		o += strlen(s);
	}
	va_end(ap);
	*o = '\0';
	return r;
}
