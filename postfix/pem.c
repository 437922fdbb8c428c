/*
 * pem.c - checks of PEM files Postfix is configured with (pem.h): DH
 * parameters today; OpenSSL's error text for every caller.
 *
 * OpenSSL's API only: nothing is parsed by hand.  Must not write files,
 * log, exit or read configuration.  There is no global state; any thread
 * may call any of this.  Every function returns 0 or -1; on -1 one line
 * of plain text, with OpenSSL's reason where there is one, is in errbuf,
 * and the calling thread's OpenSSL error queue is left empty.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "pem.h"

void
pfa_ssl_set_err(char *errbuf, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (errbuf == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(errbuf, errlen, fmt, ap);
	va_end(ap);
}

void
pfa_ssl_set_ssl_err(char *errbuf, size_t errlen, const char *what)
{
	unsigned long e = ERR_peek_last_error();
	char reason[256];

	if (e != 0) {
		ERR_error_string_n(e, reason, sizeof(reason));
		pfa_ssl_set_err(errbuf, errlen, "%s: %s", what, reason);
	} else {
		pfa_ssl_set_err(errbuf, errlen, "%s", what);
	}
	ERR_clear_error();
}

int
pfa_dh_check_pem(const char *pem, size_t len, int *bits, char *errbuf,
    size_t errlen)
{
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pkey = NULL;
	BIO *bio = NULL;
	char *name = NULL, *header = NULL;
	unsigned char *der = NULL;
	long derlen = 0;
	int rc = -1;

	if (pem == NULL || len == 0) {
		pfa_ssl_set_err(errbuf, errlen, "no DH parameters: empty input");
		return -1;
	}
	if (len > INT_MAX) {
		pfa_ssl_set_err(errbuf, errlen, "DH parameters: input too large");
		return -1;
	}
	ERR_clear_error();
	if ((bio = BIO_new_mem_buf(pem, (int)len)) == NULL) {
		pfa_ssl_set_ssl_err(errbuf, errlen, "cannot read DH parameters");
		return -1;
	}
	/* The PEM layer first: its errors say what is wrong with the text. */
	if (!PEM_read_bio(bio, &name, &header, &der, &derlen)) {
		pfa_ssl_set_ssl_err(errbuf, errlen, "no readable PEM block");
		goto out;
	}
	if (strcmp(name, PEM_STRING_DHPARAMS) != 0) {
		pfa_ssl_set_err(errbuf, errlen, "PEM block is \"%s\", not \"%s\" "
		    "(PKCS#3)", name, PEM_STRING_DHPARAMS);
		goto out;
	}
	BIO_free(bio);
	if ((bio = BIO_new_mem_buf(pem, (int)len)) == NULL ||
	    (pkey = PEM_read_bio_Parameters(bio, NULL)) == NULL) {
		pfa_ssl_set_ssl_err(errbuf, errlen, "cannot decode DH parameters");
		goto out;
	}
	if (!EVP_PKEY_is_a(pkey, "DH")) {
		const char *type = EVP_PKEY_get0_type_name(pkey);

		pfa_ssl_set_err(errbuf, errlen, "parameters of type %s, not PKCS#3 "
		    "\"BEGIN DH PARAMETERS\"", type != NULL ? type : "unknown");
		goto out;
	}
	if ((ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL)) == NULL ||
	    EVP_PKEY_param_check(ctx) != 1) {
		pfa_ssl_set_ssl_err(errbuf, errlen, "DH parameters fail the check");
		goto out;
	}
	if (bits != NULL)
		*bits = EVP_PKEY_get_bits(pkey);
	rc = 0;
out:
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(pkey);
	BIO_free(bio);
	OPENSSL_free(name);
	OPENSSL_free(header);
	OPENSSL_free(der);
	ERR_clear_error();
	return rc;
}
