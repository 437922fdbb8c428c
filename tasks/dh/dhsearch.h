/*
 * dhsearch.h - the safe prime search behind pfa_dh_generate; private to
 * tasks/dhgen.c, the only file that includes it.
 *
 * dhsearch.c owns the search for a safe prime p = 2q + 1, p = 23 mod 24:
 * the table of small primes, the sieve, the worker threads' search loop,
 * and their coordination in the caller's thread (stop flag, timeout,
 * progress calls, joining).  It does not build, encode or check DH
 * parameters: that is dhgen.c's part.
 */
#ifndef PFA_DHSEARCH_H
#define PFA_DHSEARCH_H

#include <stddef.h>

#include <openssl/bn.h>

#include "dhgen.h"
#include "pem.h"

/*
 * Runs the search as OPTS says (bits, threads, progress, timeout; already
 * checked by the caller: bits in range, threads >= 0, timeout >= 0).
 * 0: *p set to a safe prime of exactly opts->bits bits that passed
 * BN_check_prime for p and q (the caller frees it); -1: *p NULL, reason in
 * errbuf (may be NULL, or errlen 0).  The calling thread's OpenSSL error
 * queue is not touched.
 */
int pfa_dh_search(const struct pfa_dh_opts *opts, BIGNUM **p, char *errbuf,
    size_t errlen);

#endif
