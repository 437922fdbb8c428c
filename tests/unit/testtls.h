/*
 * testtls.h - keys and certificates for the TLS unit tests (pem.c,
 * smtp.c, check-tls), made with OpenSSL's API in memory: no openssl
 * command, no file unless the test writes one.  Each helper fails the
 * running cmocka test on any error.  Linked into the tests that list
 * tests/unit/testtls.c among their sources.
 */
#ifndef PFA_TESTTLS_H
#define PFA_TESTTLS_H

#include <stdbool.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

/* A new key: "EC" (P-256, or P-384 with bits 384) or "RSA" (BITS). */
EVP_PKEY *pfa_test_key(const char *type, int bits);

struct pfa_test_cert {
	const char *cn;		/* subject CN (and a DNS name unless san) */
	const char *san;	/* "DNS:a.example,DNS:b.example", or NULL */
	long from, until;	/* validity, seconds from now */
	X509 *issuer;		/* NULL: self-signed */
	EVP_PKEY *issuer_key;
	bool ca;		/* basicConstraints CA:TRUE */
	const char *md;		/* "SHA256" (default), "SHA1", ... */
	const char *eku;	/* "serverAuth", "clientAuth", ...; NULL none */
};

/* A certificate for KEY as O describes it. */
X509 *pfa_test_cert(EVP_PKEY *key, const struct pfa_test_cert *o);

/* PEM text of a key (PKCS#8, unencrypted) or a certificate; free it. */
char *pfa_test_pem_key(EVP_PKEY *k);
char *pfa_test_pem_cert(X509 *x);
/* The concatenation of the strings up to NULL; free it. */
char *pfa_test_cat(const char *first, ...);

#endif
