/*
 * dhgen.h - Diffie-Hellman parameter generation and checking (OpenSSL 3).
 *
 * pfa_dh_generate searches for a safe prime p (p = 2q + 1, q prime,
 * p = 23 mod 24 so that g = 2 generates the subgroup of order q, as OpenSSL
 * does) with a deep sieve over both p and q, on THREADS threads at once:
 * the first thread to find one wins and the others stop.  The result is
 * checked (both primes with BN_check_prime, then EVP_PKEY_param_check) and
 * returned as PEM "BEGIN DH PARAMETERS" (PKCS#3), the format Postfix reads.
 * pfa_dh_ffdhe returns the RFC 7919 group of the given size instead.
 * Checking DH parameters given as PEM (pfa_dh_check_pem) is postfix/pem.h's,
 * shared with check-tls.  Nothing here writes files or logs: errors come
 * back as text.
 *
 * Every function returns 0 or -1; on -1 one line saying why is written to
 * errbuf (NUL-terminated, truncated to fit errlen).  errbuf may be NULL, or
 * errlen 0: the reason is then dropped.
 */
#ifndef PFA_DHGEN_H
#define PFA_DHGEN_H

#include <stdbool.h>
#include <stddef.h>

#include "pem.h"

/*
 * Called in pfa_dh_generate's calling thread (which coordinates the search
 * threads) about 4 times a second while the search runs, and once more
 * when the search has ended (found, failed or timed out) with the final
 * count; never if no search thread could be started.  TESTED: candidates
 * so far that reached a Fermat test; ELAPSED: seconds since the search
 * started.
 */
typedef void (*pfa_dh_progress_fn)(void *arg, unsigned long tested,
    double elapsed);

struct pfa_dh_opts {
	int bits;		/* 512..8192 */
	int threads;		/* 0: number of online CPUs */
	pfa_dh_progress_fn progress;	/* may be NULL */
	void *progress_arg;
	double timeout;		/* seconds, 0: none */
	int (*stop)(void);	/* nonzero: give up now (may be NULL) */
};

/*
 * 0: *pem (malloc'd, NUL-terminated; the caller frees it) and *len set;
 * -1: the reason written to errbuf (may be NULL, or errlen 0), *pem NULL
 * and *len 0 (unless opts, pem or len is NULL).
 */
int pfa_dh_generate(const struct pfa_dh_opts *opts, char **pem, size_t *len,
    char *errbuf, size_t errlen);

/* RFC 7919 group ffdhe<bits> (2048, 3072, 4096, 6144, 8192). */
int pfa_dh_ffdhe(int bits, char **pem, size_t *len, char *errbuf,
    size_t errlen);

#endif
