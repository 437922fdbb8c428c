/*
 * pem.h - checks of the PEM files Postfix is configured with: DH
 * parameters (rotate-dh checks what it writes and what it replaces;
 * check-tls what Postfix reads), private keys and certificate chains
 * read the way Postfix pairs them, the facts of a certificate, and
 * chain verification.  OpenSSL's API only: no date, ASN.1 or PEM is
 * parsed by hand (ASN1_TIME_diff and X509_cmp_time for time).
 *
 * pem.c owns the reading (DH parameters, keys, chains, CA files),
 * pem_x509.c the facts of a certificate and verification.  Both work
 * on text the caller read (agent/file.h): nothing here opens a file,
 * except OpenSSL's own lookup in a CApath directory and the system
 * trust store when a verification asks for them.
 *
 * Every function returns 0 or -1; on -1 one line saying why is written to
 * errbuf (NUL-terminated, truncated to fit errlen).  errbuf may be NULL,
 * or errlen 0: the reason is then dropped.  Nothing here logs or writes,
 * and the calling thread's OpenSSL error queue is left empty.
 */
#ifndef PFA_PEM_H
#define PFA_PEM_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

/* ---------------------------------------------------------------- DH */

/*
 * Checks PEM text of DH parameters: decodes ("BEGIN DH PARAMETERS",
 * PKCS#3), EVP_PKEY_param_check.  0: valid, *bits set (BITS may be NULL);
 * -1: invalid, reason in errbuf.
 */
int pfa_dh_check_pem(const char *pem, size_t len, int *bits, char *errbuf,
    size_t errlen);

/* What a set of DH parameters is. */
struct pfa_dh_info {
	int bits;
	bool check_ok;		/* EVP_PKEY_param_check passed */
	bool safe_prime;	/* p and (p - 1) / 2 are both prime */
	char group[32];		/* a standard group OpenSSL recognises:
				 * "ffdhe2048" (RFC 7919), "modp_2048"
				 * (RFC 3526) ...; "" for a custom group */
	char check_err[160];	/* why the check failed, if it did */
};

/*
 * Decodes PEM DH parameters as pfa_dh_check_pem does and describes them
 * in *INFO; a failed check is in INFO, not an error.  -1 only when the
 * text is not decodable DH parameters at all.
 */
int pfa_dh_inspect_pem(const char *pem, size_t len, struct pfa_dh_info *info,
    char *errbuf, size_t errlen);

/* ------------------------------------------------ keys and chains */

/* The text of one file, for the readers below. */
struct pfa_pem_text {
	const char *name;	/* the file's name, for messages */
	const char *data;
	size_t len;
};

/* A private key and the certificates Postfix serves with it. */
struct pfa_pem_chain {
	EVP_PKEY *key;
	const char *key_from;	/* name of the text the key is in */
	X509 *leaf;		/* the certificate for the key */
	const char *leaf_from;
	STACK_OF(X509) *chain;	/* the certificates after it, in order
				 * (never NULL once read) */
};

struct pfa_pem_chains {
	struct pfa_pem_chain *v;
	size_t n;
};

/*
 * Reads the N texts as Postfix reads smtpd_tls_chain_files and the files
 * of an SNI table entry (tls_certkey.c): one sequence of PEM objects in
 * which each private key comes first and is followed by its certificate,
 * then that certificate's issuers.  Whether key and certificate match is
 * not checked here (pfa_cert_key_match).  0 with OUT filled; -1 with the
 * reason (naming the text and the PEM object number) in errbuf, OUT
 * holding the chains complete before the problem (free it either way).
 */
int pfa_pem_read_chains(const struct pfa_pem_text *texts, size_t n,
    struct pfa_pem_chains *out, char *errbuf, size_t errlen);

/*
 * Reads a legacy pair (smtpd_tls_cert_file and smtpd_tls_key_file): CERT
 * holds the certificate, then its issuers; KEY's first private key is
 * the key.  When KEY is CERT (the same file), the one key may be
 * anywhere in it, as Postfix allows.  0, or -1 with the reason (OUT then
 * holds what was read; free it either way).
 */
int pfa_pem_read_pair(const struct pfa_pem_text *cert,
    const struct pfa_pem_text *key, struct pfa_pem_chain *out,
    char *errbuf, size_t errlen);

/* Every certificate in TEXT (a CA file); 0 with *OUT (at least one, free
 * with sk_X509_pop_free(out, X509_free)), or -1. */
int pfa_pem_read_certs(const struct pfa_pem_text *text, STACK_OF(X509) **out,
    char *errbuf, size_t errlen);

/* The number of PEM objects in TEXT (0: none, as in a file of garbage
 * or an empty one), or -1 when a block is damaged. */
int pfa_pem_count(const struct pfa_pem_text *text);

void pfa_pem_chain_free(struct pfa_pem_chain *c);
void pfa_pem_chains_free(struct pfa_pem_chains *c);

/* ----------------------------------------------- certificate facts */

struct pfa_cert_info {
	int validity;		/* 0 valid now, 1 expired, -1 not yet valid */
	double lifetime;	/* seconds from notBefore to notAfter */
	double left;		/* seconds from NOW to notAfter (< 0: gone) */
	char key_type[16];	/* "RSA", "EC", "ED25519", "DSA", ... */
	int key_bits;
	char sig_md[24];	/* digest of the signature: "SHA256", "SHA1",
				 * "MD5"; "" when none applies (EdDSA) */
	bool weak_sig;		/* signed with SHA-1 or MD5 */
	bool self_signed;	/* issued by itself, signature checked */
	bool ca;		/* basicConstraints CA:TRUE */
	bool client_auth;	/* may be used as a TLS client certificate:
				 * no extended key usage, or clientAuth */
	bool server_auth;	/* the same for a server certificate */
	bool has_eku;		/* it has an extended key usage extension */
	char subject[256];	/* RFC 2253, one line */
	char issuer[256];
	char sha256[65];	/* fingerprint, lower-case hex */
	char not_after[32];	/* as OpenSSL prints it, for messages */
};

/* The facts of X at time NOW. */
int pfa_cert_inspect(X509 *x, time_t now, struct pfa_cert_info *out,
    char *errbuf, size_t errlen);

/* 1 KEY is the private key of X's public key, 0 it is not. */
int pfa_cert_key_match(X509 *x, EVP_PKEY *key);
/* X is valid for host NAME (DNS names, then the common name, with
 * wildcards, as X509_check_host). */
bool pfa_cert_covers(X509 *x, const char *name);
/* The index in CHAIN of the first certificate that does not issue the
 * one before it (LEAF at -1), or -1 when the order is right. */
int pfa_chain_misordered(X509 *leaf, STACK_OF(X509) *chain);

/* ------------------------------------------------------ verification */

/*
 * A trust store: the system's (OpenSSL's default paths) when SYSTEM, plus
 * the certificates of EXTRA (a CA file's, may be NULL) and the hashed
 * directory CAPATH (may be NULL or "").  NULL and errbuf on failure.
 * Free with X509_STORE_free.
 */
X509_STORE *pfa_store_new(STACK_OF(X509) *extra, const char *capath,
    bool system, char *errbuf, size_t errlen);

struct pfa_verdict {
	int err;		/* X509_V_OK, or OpenSSL's X509_V_ERR_* */
	int depth;		/* where it failed */
	char what[320];		/* the error and the certificate's subject */
};

/*
 * Verifies LEAF with the certificates UNTRUSTED offers against STORE at
 * time AT (0: now), for a TLS server (CLIENT false) or client
 * certificate.  0 with OUT->err telling the outcome; -1 only when the
 * verification could not be run.
 */
int pfa_chain_verify(X509_STORE *store, X509 *leaf, STACK_OF(X509) *untrusted,
    time_t at, bool client, struct pfa_verdict *out, char *errbuf,
    size_t errlen);

/* --------------------------------------------------------- errors */

/*
 * Error text for OpenSSL callers; both write nothing when ERRBUF is NULL
 * or ERRLEN 0.  The second appends OpenSSL's latest reason to WHAT and
 * empties the calling thread's error queue.
 */
void pfa_ssl_set_err(char *errbuf, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void pfa_ssl_set_ssl_err(char *errbuf, size_t errlen, const char *what);

#endif
