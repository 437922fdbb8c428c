/*
 * NAME
 *	dhgen - Diffie-Hellman parameter generation and checking
 * SUMMARY
 *	pfa_dh_generate(), pfa_dh_ffdhe() (dhgen.h)
 * DESCRIPTION
 *	Owns the public interface of dhgen.h: the checking of
 *	pfa_dh_generate's options, the DH parameters (p, g = 2) built from
 *	the safe prime that the search finds, their PKCS#3 PEM encoding,
 *	and the RFC 7919 named groups.  Checking DH parameters given as
 *	PEM text is postfix/pem.c's (pfa_dh_check_pem).
 *
 *	The search for the safe prime p = 2q + 1, p = 23 mod 24, and the
 *	threads that run it are dhsearch.c's (pfa_dh_search, dhsearch.h).
 *	Its result is PEM-encoded and decoded again through
 *	pfa_dh_check_pem (EVP_PKEY_param_check, which repeats the safe
 *	prime check) before it is returned.
 *
 *	Must not: write files, log, exit, read configuration or know about
 *	Postfix.  There is no global state; any thread may call any of this.
 * DIAGNOSTICS
 *	Every function returns 0 or -1.  On -1 one line of plain text,
 *	with OpenSSL's reason where there is one, is in errbuf, and the
 *	calling thread's OpenSSL error queue is left empty.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>

#include "dhgen.h"
#include "dhsearch.h"

#define MIN_BITS	512
#define MAX_BITS	8192

/* ------------------------------------------------------------ encoding */

static int
pem_encode(const EVP_PKEY *pkey, char **pem, size_t *len, char *errbuf,
    size_t errlen)
{
	BIO *bio;
	char *data;
	long n;

	if ((bio = BIO_new(BIO_s_mem())) == NULL ||
	    !PEM_write_bio_Parameters(bio, pkey) ||
	    (n = BIO_get_mem_data(bio, &data)) <= 0) {
		pfa_ssl_set_ssl_err(errbuf, errlen,
		    "cannot write DH parameters as PEM");
		BIO_free(bio);
		return -1;
	}
	if ((*pem = malloc((size_t)n + 1)) == NULL) {
		pfa_ssl_set_err(errbuf, errlen, "out of memory");
		BIO_free(bio);
		return -1;
	}
	memcpy(*pem, data, (size_t)n);
	(*pem)[n] = '\0';
	*len = (size_t)n;
	BIO_free(bio);
	return 0;
}

/* PKCS#3 PEM of (p, g = 2), checked once more as the caller will see it. */
static int
encode_result(const BIGNUM *p, int bits, char **pem, size_t *len,
    char *errbuf, size_t errlen)
{
	OSSL_PARAM_BLD *bld = NULL;
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pkey = NULL;
	BIGNUM *g = NULL;
	int got = 0, rc = -1;

	if ((g = BN_new()) == NULL || !BN_set_word(g, 2) ||
	    (bld = OSSL_PARAM_BLD_new()) == NULL ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_FFC_P, p) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_FFC_G, g) ||
	    (params = OSSL_PARAM_BLD_to_param(bld)) == NULL ||
	    (ctx = EVP_PKEY_CTX_new_from_name(NULL, "DH", NULL)) == NULL ||
	    EVP_PKEY_fromdata_init(ctx) <= 0 ||
	    EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_KEY_PARAMETERS,
	    params) <= 0) {
		pfa_ssl_set_ssl_err(errbuf, errlen, "cannot build DH parameters");
		goto out;
	}
	if (pem_encode(pkey, pem, len, errbuf, errlen) != 0)
		goto out;
	/* EVP_PKEY_param_check on the decoded PEM: p and q prime again. */
	if (pfa_dh_check_pem(*pem, *len, &got, errbuf, errlen) != 0 ||
	    got != bits) {
		if (got != 0 && got != bits)
			pfa_ssl_set_err(errbuf, errlen, "generated DH parameters have "
			    "%d bits instead of %d", got, bits);
		free(*pem);
		*pem = NULL;
		*len = 0;
		goto out;
	}
	rc = 0;
out:
	EVP_PKEY_free(pkey);
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_free(g);
	ERR_clear_error();
	return rc;
}

/* ------------------------------------------------------------ interface */

int
pfa_dh_generate(const struct pfa_dh_opts *opts, char **pem, size_t *len,
    char *errbuf, size_t errlen)
{
	BIGNUM *p;
	int rc;

	if (pem == NULL || len == NULL || opts == NULL) {
		pfa_ssl_set_err(errbuf, errlen, "pfa_dh_generate: missing argument");
		return -1;
	}
	*pem = NULL;
	*len = 0;
	if (opts->bits < MIN_BITS || opts->bits > MAX_BITS) {
		pfa_ssl_set_err(errbuf, errlen, "DH parameter size %d is not in "
		    "%d..%d bits", opts->bits, MIN_BITS, MAX_BITS);
		return -1;
	}
	if (opts->threads < 0 || !(opts->timeout >= 0)) {
		pfa_ssl_set_err(errbuf, errlen, "bad thread count %d or timeout %g",
		    opts->threads, opts->timeout);
		return -1;
	}
	if (pfa_dh_search(opts, &p, errbuf, errlen) != 0)
		return -1;
	rc = encode_result(p, opts->bits, pem, len, errbuf, errlen);
	BN_free(p);
	return rc;
}

int
pfa_dh_ffdhe(int bits, char **pem, size_t *len, char *errbuf, size_t errlen)
{
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pkey = NULL;
	char name[16];
	int got = 0, rc = -1;

	if (pem == NULL || len == NULL) {
		pfa_ssl_set_err(errbuf, errlen, "pfa_dh_ffdhe: missing argument");
		return -1;
	}
	*pem = NULL;
	*len = 0;
	if (bits != 2048 && bits != 3072 && bits != 4096 && bits != 6144 &&
	    bits != 8192) {
		pfa_ssl_set_err(errbuf, errlen, "there is no RFC 7919 group of %d bits "
		    "(2048, 3072, 4096, 6144, 8192)", bits);
		return -1;
	}
	snprintf(name, sizeof(name), "ffdhe%d", bits);
	if ((ctx = EVP_PKEY_CTX_new_from_name(NULL, "DH", NULL)) == NULL ||
	    EVP_PKEY_paramgen_init(ctx) <= 0 ||
	    EVP_PKEY_CTX_set_group_name(ctx, name) <= 0 ||
	    EVP_PKEY_paramgen(ctx, &pkey) <= 0) {
		pfa_ssl_set_ssl_err(errbuf, errlen, "cannot make the ffdhe group");
		goto out;
	}
	if (pem_encode(pkey, pem, len, errbuf, errlen) != 0)
		goto out;
	if (pfa_dh_check_pem(*pem, *len, &got, errbuf, errlen) != 0 ||
	    got != bits) {
		if (got != 0 && got != bits)
			pfa_ssl_set_err(errbuf, errlen, "%s has %d bits", name, got);
		free(*pem);
		*pem = NULL;
		*len = 0;
		goto out;
	}
	rc = 0;
out:
	EVP_PKEY_free(pkey);
	EVP_PKEY_CTX_free(ctx);
	ERR_clear_error();
	return rc;
}
