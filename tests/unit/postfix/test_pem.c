/*
 * test_pem.c - postfix/pem.c and pem_x509.c: DH parameters (standard
 * groups recognised, safe primes, sizes, bad input), keys and chains read
 * as Postfix pairs them (smtpd_tls_chain_files order, legacy pairs, one
 * file with key and certificate, garbage, empty, damaged, encrypted,
 * unexpected blocks), the facts of a certificate (validity from OpenSSL's
 * time arithmetic, lifetime, digest, self-signed, usages, names), chain
 * order, and verification now and at a later time.  Keys and certificates
 * are made in memory (tests/unit/testtls.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/x509_vfy.h>

#include "pem.h"
#include "testtls.h"

#define DAY 86400L

static EVP_PKEY *ca_key, *int_key, *leaf_key, *rsa_key;
static X509 *ca, *inter, *leaf;
static char *ca_pem, *int_pem, *leaf_pem, *key_pem;

static int
setup(void **state)
{
	(void)state;
	ca_key = pfa_test_key("EC", 256);
	int_key = pfa_test_key("EC", 256);
	leaf_key = pfa_test_key("EC", 256);
	rsa_key = pfa_test_key("RSA", 1024);
	ca = pfa_test_cert(ca_key, &(struct pfa_test_cert){ .cn = "Test Root",
	    .from = -DAY, .until = 3650 * DAY, .ca = true });
	inter = pfa_test_cert(int_key, &(struct pfa_test_cert){
	    .cn = "Test Intermediate", .from = -DAY, .until = 30 * DAY,
	    .ca = true, .issuer = ca, .issuer_key = ca_key });
	leaf = pfa_test_cert(leaf_key, &(struct pfa_test_cert){
	    .cn = "mail.example", .from = -10 * DAY, .until = 80 * DAY,
	    .issuer = inter, .issuer_key = int_key, .eku = "serverAuth" });
	ca_pem = pfa_test_pem_cert(ca);
	int_pem = pfa_test_pem_cert(inter);
	leaf_pem = pfa_test_pem_cert(leaf);
	key_pem = pfa_test_pem_key(leaf_key);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	EVP_PKEY_free(ca_key);
	EVP_PKEY_free(int_key);
	EVP_PKEY_free(leaf_key);
	EVP_PKEY_free(rsa_key);
	X509_free(ca);
	X509_free(inter);
	X509_free(leaf);
	free(ca_pem);
	free(int_pem);
	free(leaf_pem);
	free(key_pem);
	return 0;
}

static struct pfa_pem_text
text(const char *name, const char *s)
{
	return (struct pfa_pem_text){ name, s, s ? strlen(s) : 0 };
}

/* ------------------------------------------------------------ DH */

/* PKCS#3 text for prime P, generator 2. */
static char *
dh_pem(BIGNUM *p)
{
	OSSL_PARAM_BLD *b = OSSL_PARAM_BLD_new();
	BIGNUM *g = BN_new();
	assert_true(BN_set_word(g, 2));
	assert_true(OSSL_PARAM_BLD_push_BN(b, OSSL_PKEY_PARAM_FFC_P, p));
	assert_true(OSSL_PARAM_BLD_push_BN(b, OSSL_PKEY_PARAM_FFC_G, g));
	OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(b);
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "DH", NULL);
	EVP_PKEY *k = NULL;
	assert_int_equal(EVP_PKEY_fromdata_init(ctx), 1);
	assert_int_equal(EVP_PKEY_fromdata(ctx, &k, EVP_PKEY_KEY_PARAMETERS,
	    params), 1);
	BIO *bio = BIO_new(BIO_s_mem());
	assert_true(PEM_write_bio_Parameters(bio, k));
	char *data;
	long n = BIO_get_mem_data(bio, &data);
	char *s = strndup(data, (size_t)n);
	BIO_free(bio);
	EVP_PKEY_free(k);
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(b);
	BN_free(g);
	return s;
}

static char *
group_pem(const char *group)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "DH", NULL);
	EVP_PKEY *k = NULL;
	assert_int_equal(EVP_PKEY_paramgen_init(ctx), 1);
	OSSL_PARAM p[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME,
		    (char *)group, 0),
		OSSL_PARAM_construct_end(),
	};
	assert_int_equal(EVP_PKEY_CTX_set_params(ctx, p), 1);
	assert_int_equal(EVP_PKEY_paramgen(ctx, &k), 1);
	BIGNUM *prime = NULL;
	assert_true(EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_FFC_P, &prime));
	char *s = dh_pem(prime);	/* as a file holds it: p and g only */
	BN_free(prime);
	EVP_PKEY_free(k);
	EVP_PKEY_CTX_free(ctx);
	return s;
}

static void
test_dh_groups(void **state)
{
	(void)state;
	static const struct {
		const char *group;
		int bits;
	} g[] = { { "ffdhe2048", 2048 }, { "ffdhe3072", 3072 },
		{ "modp_2048", 2048 }, { "modp_1536", 1536 } };
	for (size_t i = 0; i < sizeof(g) / sizeof(g[0]); i++) {
		char *pem = group_pem(g[i].group), err[200] = "";
		struct pfa_dh_info dh;
		assert_int_equal(pfa_dh_inspect_pem(pem, strlen(pem), &dh, err,
		    sizeof(err)), 0);
		assert_string_equal(dh.group, g[i].group);
		assert_int_equal(dh.bits, g[i].bits);
		assert_true(dh.safe_prime);
		assert_true(dh.check_ok);
		int bits = 0;
		assert_int_equal(pfa_dh_check_pem(pem, strlen(pem), &bits, err,
		    sizeof(err)), 0);
		assert_int_equal(bits, g[i].bits);
		free(pem);
	}
}

static bool
safe(const BIGNUM *p)
{
	BIGNUM *q = BN_dup(p);
	assert_true(BN_sub_word(q, 1) && BN_rshift1(q, q));
	bool r = BN_check_prime(q, NULL, NULL) == 1;
	BN_free(q);
	return r;
}

static void
test_dh_custom(void **state)
{
	(void)state;
	BIGNUM *p = BN_new();
	/* a safe prime of 256 bits (fast), then one that is not safe */
	assert_true(BN_generate_prime_ex(p, 256, 1, NULL, NULL, NULL));
	char *pem = dh_pem(p), err[200];
	struct pfa_dh_info dh;
	assert_int_equal(pfa_dh_inspect_pem(pem, strlen(pem), &dh, err,
	    sizeof(err)), 0);
	assert_string_equal(dh.group, "");
	assert_int_equal(dh.bits, 256);
	assert_true(dh.safe_prime);
	free(pem);
	do
		assert_true(BN_generate_prime_ex(p, 256, 0, NULL, NULL, NULL));
	while (safe(p));
	pem = dh_pem(p);
	assert_int_equal(pfa_dh_inspect_pem(pem, strlen(pem), &dh, err,
	    sizeof(err)), 0);
	assert_false(dh.safe_prime);
	free(pem);
	BN_free(p);
}

static void
test_dh_bad(void **state)
{
	(void)state;
	char err[200];
	struct pfa_dh_info dh;
	const char *bad[] = {
		"", "garbage\n",
		"-----BEGIN DH PARAMETERS-----\n@@@@\n-----END DH PARAMETERS-----\n",
		"-----BEGIN X9.42 DH PARAMETERS-----\nMAA=\n"
		    "-----END X9.42 DH PARAMETERS-----\n",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		assert_int_equal(pfa_dh_inspect_pem(bad[i], strlen(bad[i]), &dh,
		    err, sizeof(err)), -1);
		assert_true(strlen(err) > 5);
		assert_int_equal(pfa_dh_check_pem(bad[i], strlen(bad[i]), NULL,
		    NULL, 0), -1);
	}
	assert_int_equal(pfa_dh_inspect_pem(leaf_pem, strlen(leaf_pem), &dh,
	    err, sizeof(err)), -1);
	assert_non_null(strstr(err, "CERTIFICATE"));
}

/* ------------------------------------------------------------ chains */

static void
test_chain_files(void **state)
{
	(void)state;
	char err[300] = "";
	struct pfa_pem_chains c;
	/* key, leaf, intermediate: in one file, and across three */
	char *one = pfa_test_cat(key_pem, leaf_pem, int_pem, NULL);
	struct pfa_pem_text t1[] = { text("one.pem", one) };
	assert_int_equal(pfa_pem_read_chains(t1, 1, &c, err, sizeof(err)), 0);
	assert_int_equal(c.n, 1);
	assert_int_equal(X509_cmp(c.v[0].leaf, leaf), 0);
	assert_int_equal(sk_X509_num(c.v[0].chain), 1);
	assert_string_equal(c.v[0].key_from, "one.pem");
	assert_int_equal(pfa_cert_key_match(c.v[0].leaf, c.v[0].key), 1);
	pfa_pem_chains_free(&c);
	struct pfa_pem_text t3[] = { text("k", key_pem), text("c", leaf_pem),
		text("i", int_pem) };
	assert_int_equal(pfa_pem_read_chains(t3, 3, &c, err, sizeof(err)), 0);
	assert_int_equal(c.n, 1);
	assert_string_equal(c.v[0].leaf_from, "c");
	pfa_pem_chains_free(&c);
	free(one);

	/* two keys, two chains (RSA and EC), in order */
	char *rsa = pfa_test_pem_key(rsa_key);
	X509 *rc = pfa_test_cert(rsa_key, &(struct pfa_test_cert){
	    .cn = "mail.example", .from = 0, .until = DAY });
	char *rcp = pfa_test_pem_cert(rc);
	char *two = pfa_test_cat(rsa, rcp, key_pem, leaf_pem, int_pem, NULL);
	struct pfa_pem_text t2[] = { text("two.pem", two) };
	assert_int_equal(pfa_pem_read_chains(t2, 1, &c, err, sizeof(err)), 0);
	assert_int_equal(c.n, 2);
	assert_true(EVP_PKEY_is_a(c.v[0].key, "RSA"));
	assert_true(EVP_PKEY_is_a(c.v[1].key, "EC"));
	assert_int_equal(sk_X509_num(c.v[0].chain), 0);
	assert_int_equal(sk_X509_num(c.v[1].chain), 1);
	/* a mismatched pair is read; the match is the caller's check */
	assert_int_equal(pfa_cert_key_match(c.v[0].leaf, c.v[1].key), 0);
	pfa_pem_chains_free(&c);
	free(two);
	free(rsa);
	free(rcp);
	X509_free(rc);
}

static void
chain_fails(const char *what, const char *pem, const char *want)
{
	char err[300] = "";
	struct pfa_pem_chains c;
	struct pfa_pem_text t[] = { text("f.pem", pem) };
	if (pfa_pem_read_chains(t, 1, &c, err, sizeof(err)) != -1)
		fail_msg("%s: read", what);
	if (strstr(err, want) == NULL)
		fail_msg("%s: \"%s\" lacks \"%s\"", what, err, want);
	pfa_pem_chains_free(&c);
}

static void
test_chain_errors(void **state)
{
	(void)state;
	char *s;
	chain_fails("empty", "", "no PEM data");
	chain_fails("garbage", "this is not PEM\n\x01\x02", "no PEM data");
	s = pfa_test_cat(leaf_pem, key_pem, NULL);
	chain_fails("cert first", s, "before any private key");
	free(s);
	s = pfa_test_cat(key_pem, key_pem, leaf_pem, NULL);
	chain_fails("two keys", s, "not followed by a certificate");
	free(s);
	chain_fails("key alone", key_pem, "no certificate for the private key");
	s = pfa_test_cat(key_pem, "-----BEGIN CERTIFICATE-----\nMIIB@@@\n"
	    "-----END CERTIFICATE-----\n", NULL);
	chain_fails("damaged", s, "damaged");
	free(s);
	s = pfa_test_cat(key_pem, "-----BEGIN CERTIFICATE-----\nAAAA\n"
	    "-----END CERTIFICATE-----\n", NULL);
	chain_fails("not DER", s, "cannot decode the certificate");
	free(s);
	chain_fails("encrypted", "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n"
	    "-----END ENCRYPTED PRIVATE KEY-----\n", "encrypted");
	s = pfa_test_cat(key_pem, leaf_pem, "-----BEGIN X509 CRL-----\nAAAA\n"
	    "-----END X509 CRL-----\n", NULL);
	chain_fails("a CRL", s, "unexpected PEM object 3");
	free(s);
	/* text around the blocks is skipped, as Postfix skips it */
	s = pfa_test_cat("# comment\n", key_pem, "junk\n", leaf_pem, NULL);
	struct pfa_pem_chains c;
	struct pfa_pem_text t[] = { text("f", s) };
	assert_int_equal(pfa_pem_read_chains(t, 1, &c, NULL, 0), 0);
	pfa_pem_chains_free(&c);
	free(s);
}

static void
test_pairs(void **state)
{
	(void)state;
	char err[300] = "";
	struct pfa_pem_chain c;
	char *certs = pfa_test_cat(leaf_pem, int_pem, NULL);
	struct pfa_pem_text ct = text("cert.pem", certs), kt = text("key.pem",
	    key_pem);
	assert_int_equal(pfa_pem_read_pair(&ct, &kt, &c, err, sizeof(err)), 0);
	assert_int_equal(X509_cmp(c.leaf, leaf), 0);
	assert_int_equal(sk_X509_num(c.chain), 1);
	assert_string_equal(c.key_from, "key.pem");
	pfa_pem_chain_free(&c);
	/* one file: the key may come after the certificates */
	char *both = pfa_test_cat(leaf_pem, int_pem, key_pem, NULL);
	struct pfa_pem_text bt = text("both.pem", both);
	assert_int_equal(pfa_pem_read_pair(&bt, &bt, &c, err, sizeof(err)), 0);
	assert_int_equal(pfa_cert_key_match(c.leaf, c.key), 1);
	pfa_pem_chain_free(&c);
	/* no key, no certificate */
	struct pfa_pem_text none = text("none.pem", "nothing\n");
	assert_int_equal(pfa_pem_read_pair(&ct, &none, &c, err, sizeof(err)),
	    -1);
	assert_non_null(strstr(err, "no private key"));
	pfa_pem_chain_free(&c);
	assert_int_equal(pfa_pem_read_pair(&none, &kt, &c, err, sizeof(err)),
	    -1);
	assert_non_null(strstr(err, "no certificate"));
	pfa_pem_chain_free(&c);
	free(certs);
	free(both);

	STACK_OF(X509) *sk = NULL;
	char *cas = pfa_test_cat(ca_pem, int_pem, NULL);
	struct pfa_pem_text cat = text("ca.pem", cas);
	assert_int_equal(pfa_pem_read_certs(&cat, &sk, NULL, 0), 0);
	assert_int_equal(sk_X509_num(sk), 2);
	sk_X509_pop_free(sk, X509_free);
	assert_int_equal(pfa_pem_count(&cat), 2);
	assert_int_equal(pfa_pem_count(&none), 0);
	assert_int_equal(pfa_pem_read_certs(&none, &sk, NULL, 0), -1);
	free(cas);
}

/* ------------------------------------------------------------ facts */

static void
test_inspect(void **state)
{
	(void)state;
	time_t now = time(NULL);
	struct pfa_cert_info ci;
	char err[200];
	assert_int_equal(pfa_cert_inspect(leaf, now, &ci, err, sizeof(err)), 0);
	assert_int_equal(ci.validity, 0);
	assert_true(ci.lifetime > 90 * DAY - 5 && ci.lifetime < 90 * DAY + 5);
	assert_true(ci.left > 80 * DAY - 60 && ci.left < 80 * DAY + 5);
	assert_string_equal(ci.key_type, "EC");
	assert_int_equal(ci.key_bits, 256);
	assert_string_equal(ci.sig_md, "SHA256");
	assert_false(ci.weak_sig);
	assert_false(ci.self_signed);
	assert_true(ci.server_auth);
	assert_false(ci.client_auth);
	assert_true(ci.has_eku);
	assert_string_equal(ci.subject, "CN=mail.example");
	assert_string_equal(ci.issuer, "CN=Test Intermediate");
	assert_int_equal(strlen(ci.sha256), 64);
	assert_non_null(strchr(ci.not_after, 'Z'));
	/* later: expired; earlier: not valid yet */
	assert_int_equal(pfa_cert_inspect(leaf, now + 81 * DAY, &ci, NULL, 0), 0);
	assert_int_equal(ci.validity, 1);
	assert_true(ci.left < 0);
	assert_int_equal(pfa_cert_inspect(leaf, now - 11 * DAY, &ci, NULL, 0), 0);
	assert_int_equal(ci.validity, -1);
	assert_int_equal(pfa_cert_inspect(ca, now, &ci, NULL, 0), 0);
	assert_true(ci.self_signed);
	assert_true(ci.ca);
	assert_true(ci.client_auth);	/* no EKU: any use */

	X509 *sha1 = pfa_test_cert(rsa_key, &(struct pfa_test_cert){
	    .cn = "old.example", .from = 0, .until = DAY, .md = "SHA1" });
	assert_int_equal(pfa_cert_inspect(sha1, now, &ci, NULL, 0), 0);
	assert_string_equal(ci.sig_md, "SHA1");
	assert_true(ci.weak_sig);
	assert_string_equal(ci.key_type, "RSA");
	assert_int_equal(ci.key_bits, 1024);
	X509_free(sha1);

	assert_true(pfa_cert_covers(leaf, "mail.example"));
	assert_true(pfa_cert_covers(leaf, "MAIL.example"));
	assert_false(pfa_cert_covers(leaf, "other.example"));
	assert_false(pfa_cert_covers(leaf, ""));
	X509 *wild = pfa_test_cert(leaf_key, &(struct pfa_test_cert){
	    .cn = "x", .san = "DNS:*.example.org", .from = 0, .until = DAY });
	assert_true(pfa_cert_covers(wild, "mx.example.org"));
	assert_false(pfa_cert_covers(wild, "a.b.example.org"));
	X509_free(wild);
}

static void
test_order_and_trust(void **state)
{
	(void)state;
	STACK_OF(X509) *good = sk_X509_new_null(), *bad = sk_X509_new_null(),
	    *none = sk_X509_new_null(), *extra = sk_X509_new_null();
	sk_X509_push(good, inter);
	sk_X509_push(good, ca);
	sk_X509_push(bad, ca);
	sk_X509_push(bad, inter);
	sk_X509_push(extra, ca);
	assert_int_equal(pfa_chain_misordered(leaf, good), -1);
	assert_int_equal(pfa_chain_misordered(leaf, bad), 0);
	assert_int_equal(pfa_chain_misordered(leaf, none), -1);

	char err[200];
	X509_STORE *st = pfa_store_new(extra, NULL, false, err, sizeof(err));
	assert_non_null(st);
	struct pfa_verdict v;
	assert_int_equal(pfa_chain_verify(st, leaf, good, 0, false, &v, err,
	    sizeof(err)), 0);
	assert_int_equal(v.err, X509_V_OK);
	/* OpenSSL builds the path whatever the order sent */
	assert_int_equal(pfa_chain_verify(st, leaf, bad, 0, false, &v, NULL,
	    0), 0);
	assert_int_equal(v.err, X509_V_OK);
	/* the intermediate missing */
	assert_int_equal(pfa_chain_verify(st, leaf, none, 0, false, &v, NULL,
	    0), 0);
	assert_int_equal(v.err, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
	assert_int_equal(v.depth, 0);
	assert_non_null(strstr(v.what, "CN=mail.example"));
	/* in 40 days the intermediate (30 days) has expired: depth 1 */
	assert_int_equal(pfa_chain_verify(st, leaf, good, time(NULL) + 40 * DAY,
	    false, &v, NULL, 0), 0);
	assert_int_equal(v.err, X509_V_ERR_CERT_HAS_EXPIRED);
	assert_int_equal(v.depth, 1);
	/* a serverAuth-only certificate is no client certificate */
	assert_int_equal(pfa_chain_verify(st, leaf, good, 0, true, &v, NULL,
	    0), 0);
	assert_int_equal(v.err, X509_V_ERR_INVALID_PURPOSE);
	X509_STORE_free(st);
	/* untrusted: the root not in the store */
	st = pfa_store_new(NULL, NULL, false, NULL, 0);
	assert_int_equal(pfa_chain_verify(st, leaf, good, 0, false, &v, NULL,
	    0), 0);
	assert_int_equal(v.err, X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN);
	X509_STORE_free(st);
	/* the system's store */
	st = pfa_store_new(NULL, NULL, true, err, sizeof(err));
	assert_non_null(st);
	X509_STORE_free(st);
	sk_X509_free(good);
	sk_X509_free(bad);
	sk_X509_free(none);
	sk_X509_free(extra);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dh_groups),
		cmocka_unit_test(test_dh_custom),
		cmocka_unit_test(test_dh_bad),
		cmocka_unit_test(test_chain_files),
		cmocka_unit_test(test_chain_errors),
		cmocka_unit_test(test_pairs),
		cmocka_unit_test(test_inspect),
		cmocka_unit_test(test_order_and_trust),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
