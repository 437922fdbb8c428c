/*
 * NAME
 *	dhsearch - the safe prime search behind pfa_dh_generate
 * SUMMARY
 *	pfa_dh_search() (dhsearch.h, private to dhgen.c)
 * DESCRIPTION
 *	Owns the search for safe primes p = 2q + 1 with p = 23 mod 24 (so
 *	that g = 2 generates the subgroup of order q, as OpenSSL's
 *	DH_GENERATOR_2 does): the table of small primes, the sieve, the
 *	worker threads that run the search, and their coordination from
 *	the caller's thread.
 *
 *	Each worker picks a random start p0 = 23 mod 24 of exactly BITS
 *	bits and sieves the candidates p0 + 24k, k < SPAN, at once: for
 *	every prime r in [5, BOUND) it strikes the k where p = 0 (r divides
 *	p) or p = 1 (r divides q) mod r.  The residues of p0 are computed
 *	once per start (BN_mod_word); after that each interval continues
 *	where the previous one ended, so moving on costs a subtraction per
 *	prime, not a division.  A survivor gets a Fermat test to base 2 on
 *	p, then on q; only a pair passing both goes to BN_check_prime on q
 *	and on p.  The first worker with a checked pair publishes it and
 *	raises a stop flag that the others read between candidates (and
 *	between Miller-Rabin rounds); the caller's thread waits, reports
 *	progress, enforces the timeout and joins them all.
 *
 *	Must not: build, encode or check DH parameters (dhgen.c does),
 *	write files, log, exit, read configuration or know about Postfix.
 *	There is no global state; any thread may call this.
 * DIAGNOSTICS
 *	pfa_dh_search returns 0 or -1.  On -1 one line of plain text, with
 *	OpenSSL's reason where there is one, is in errbuf.  The workers
 *	empty their own OpenSSL error queues; the caller's is not touched.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/err.h>

#include "dhgen.h"
#include "dhsearch.h"

/*
 * Sieve depth and interval length, chosen from measurements at 2048 bits
 * (tests/bench/README.md): a Fermat test costs ~1.9 ms, sieving one
 * interval ~1 ms, the residues of a new start ~80 ms; 2^22 instead of
 * 2^20 saves ~20% of the Fermat tests, 2^24 only 16% more for 4x memory.
 */
#define SIEVE_BOUND	(1u << 22)	/* sieve by primes below this */
#define SIEVE_SPAN	(1u << 16)	/* candidates per interval */

#define MAX_THREADS	64
#define TICK_NS		250000000L	/* progress period */
#define STOP_POLL	1024		/* primes between stop checks */

/* The small primes 5 <= r < SIEVE_BOUND and 24^-1 mod r; read-only. */
struct primes {
	uint32_t *r;
	uint32_t *inv24;
	size_t n;
};

/* What the workers share with the caller's thread. */
struct shared {
	int bits;
	const struct primes *pt;
	atomic_bool stop;
	atomic_ulong tested;	/* candidates that reached a Fermat test */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int running;		/* workers not yet finished (lock) */
	BIGNUM *found;		/* the checked p (lock) */
	char err[256];		/* first worker failure (lock) */
};

/* One worker's state. */
struct search {
	struct shared *sh;
	BN_CTX *ctx;
	BN_MONT_CTX *mont;
	BN_GENCB *cb;
	BIGNUM *base;		/* p0 of the current interval */
	BIGNUM *p, *q, *e, *r;
	uint32_t *pos;		/* per prime: next k with p = 0, p = 1 mod r */
	unsigned char *sieve;	/* SIEVE_SPAN flags, 1: survivor */
};

/* What one step of a worker came to. */
enum { NEXT = 0, FOUND = 1, FAILED = -1, STOPPED = -2 };

/* ------------------------------------------------------------ small primes */

/* 24^-1 mod r, for an odd prime r > 3 (extended Euclid). */
static uint32_t
inverse24(uint32_t r)
{
	int64_t a = r, b = 24 % r, t = 0, nt = 1;

	while (b != 0) {
		int64_t q = a / b, tmp;

		tmp = t - q * nt;
		t = nt;
		nt = tmp;
		tmp = a - q * b;
		a = b;
		b = tmp;
	}
	return (uint32_t)(t < 0 ? t + r : t);
}

static void
primes_free(struct primes *pt)
{
	free(pt->r);
	free(pt->inv24);
	memset(pt, 0, sizeof(*pt));
}

/* Eratosthenes below SIEVE_BOUND, odd numbers only; ~10 ms, not cached. */
static int
primes_init(struct primes *pt)
{
	unsigned char *composite;	/* [i]: 2i + 1 */
	uint32_t i, j;
	size_t n = 0;

	memset(pt, 0, sizeof(*pt));
	if ((composite = calloc(SIEVE_BOUND / 2, 1)) == NULL)
		return -1;
	for (i = 3; (uint64_t)i * i < SIEVE_BOUND; i += 2)
		if (!composite[i / 2])
			for (j = i * i; j < SIEVE_BOUND; j += 2 * i)
				composite[j / 2] = 1;
	for (i = 5; i < SIEVE_BOUND; i += 2)
		n += !composite[i / 2];
	pt->r = malloc(n * sizeof(*pt->r));
	pt->inv24 = malloc(n * sizeof(*pt->inv24));
	if (pt->r == NULL || pt->inv24 == NULL) {
		free(composite);
		primes_free(pt);
		return -1;
	}
	for (i = 5; i < SIEVE_BOUND; i += 2) {
		if (composite[i / 2])
			continue;
		pt->r[pt->n] = i;
		pt->inv24[pt->n] = inverse24(i);
		pt->n++;
	}
	free(composite);
	return 0;
}

/* ------------------------------------------------------------ one worker */

static bool
stopped(struct shared *sh)
{
	return atomic_load_explicit(&sh->stop, memory_order_relaxed);
}

/* BN_check_prime calls this between rounds; 0 makes it give up. */
static int
mr_round(int a, int b, BN_GENCB *cb)
{
	(void)a;
	(void)b;
	return !stopped(BN_GENCB_get_arg(cb));
}

static void
search_free(struct search *s)
{
	BN_CTX_free(s->ctx);
	BN_MONT_CTX_free(s->mont);
	BN_GENCB_free(s->cb);
	BN_free(s->base);
	BN_free(s->p);
	BN_free(s->q);
	BN_free(s->e);
	BN_free(s->r);
	free(s->pos);
	free(s->sieve);
}

static int
search_init(struct search *s, struct shared *sh)
{
	memset(s, 0, sizeof(*s));
	s->sh = sh;
	s->ctx = BN_CTX_new();
	s->mont = BN_MONT_CTX_new();
	s->cb = BN_GENCB_new();
	s->base = BN_new();
	s->p = BN_new();
	s->q = BN_new();
	s->e = BN_new();
	s->r = BN_new();
	s->pos = malloc(2 * sh->pt->n * sizeof(*s->pos));
	s->sieve = malloc(SIEVE_SPAN);
	if (s->ctx == NULL || s->mont == NULL || s->cb == NULL ||
	    s->base == NULL || s->p == NULL || s->q == NULL || s->e == NULL ||
	    s->r == NULL || s->pos == NULL || s->sieve == NULL)
		return FAILED;
	BN_GENCB_set(s->cb, mr_round, sh);
	return NEXT;
}

/*
 * A new random start p0 = 23 mod 24 of exactly BITS bits, and for each
 * small prime r the first k with p0 + 24k = 0 and = 1 (mod r).
 */
static int
reseed(struct search *s)
{
	const struct primes *pt = s->sh->pt;
	BN_ULONG m;
	size_t i;

	if (!BN_rand(s->base, s->sh->bits, BN_RAND_TOP_TWO, BN_RAND_BOTTOM_ODD))
		return FAILED;
	m = BN_mod_word(s->base, 24);
	if (m == (BN_ULONG)-1 || !BN_add_word(s->base, (23 + 24 - m) % 24))
		return FAILED;
	for (i = 0; i < pt->n; i++) {
		uint64_t r = pt->r[i], k0;

		if (i % STOP_POLL == 0 && stopped(s->sh))
			return STOPPED;
		m = BN_mod_word(s->base, (BN_ULONG)r);
		if (m == (BN_ULONG)-1)
			return FAILED;
		k0 = (r - m) % r * pt->inv24[i] % r;
		s->pos[2 * i] = (uint32_t)k0;
		s->pos[2 * i + 1] = (uint32_t)((k0 + pt->inv24[i]) % r);
	}
	return NEXT;
}

/* Strikes the interval's k for which r divides p or q; moves on. */
static void
sieve_interval(struct search *s)
{
	const uint32_t *r = s->sh->pt->r;
	unsigned char *sv = s->sieve;
	uint32_t *pos = s->pos;
	size_t i, n = 2 * s->sh->pt->n;

	memset(sv, 1, SIEVE_SPAN);
	for (i = 0; i < n; i++) {
		uint32_t step = r[i / 2], k;

		for (k = pos[i]; k < SIEVE_SPAN; k += step)
			sv[k] = 0;
		pos[i] = k - SIEVE_SPAN;
	}
}

/* 1: 2^(n-1) = 1 (mod n); 0: n is composite; -1: error. */
static int
fermat2(struct search *s, const BIGNUM *n)
{
	if (!BN_MONT_CTX_set(s->mont, n, s->ctx) || !BN_copy(s->e, n) ||
	    !BN_sub_word(s->e, 1) ||
	    !BN_mod_exp_mont_word(s->r, 2, s->e, n, s->ctx, s->mont))
		return -1;
	return BN_is_one(s->r);
}

/* Tests p = p0 + 24k; FOUND leaves the checked safe prime in s->p. */
static int
try_candidate(struct search *s, uint32_t k)
{
	int rc;

	if (!BN_copy(s->p, s->base) || !BN_add_word(s->p, (BN_ULONG)24 * k))
		return FAILED;
	atomic_fetch_add_explicit(&s->sh->tested, 1, memory_order_relaxed);
	if ((rc = fermat2(s, s->p)) != 1)
		return rc == 0 ? NEXT : FAILED;
	if (!BN_rshift1(s->q, s->p))
		return FAILED;
	if ((rc = fermat2(s, s->q)) != 1)
		return rc == 0 ? NEXT : FAILED;
	rc = BN_check_prime(s->q, s->ctx, s->cb);
	if (rc == 1)
		rc = BN_check_prime(s->p, s->ctx, s->cb);
	if (rc < 0)
		return stopped(s->sh) ? STOPPED : FAILED;
	return rc == 1 ? FOUND : NEXT;
}

static int
search_run(struct search *s)
{
	int rc = reseed(s);
	uint32_t k;

	while (rc == NEXT) {
		/* Keep every candidate of the interval at exactly BITS bits. */
		if (!BN_copy(s->p, s->base) ||
		    !BN_add_word(s->p, (BN_ULONG)24 * SIEVE_SPAN))
			return FAILED;
		if (BN_num_bits(s->p) > s->sh->bits) {
			rc = reseed(s);
			continue;
		}
		sieve_interval(s);
		for (k = 0; k < SIEVE_SPAN && rc == NEXT; k++) {
			if (!s->sieve[k])
				continue;
			if (stopped(s->sh))
				return STOPPED;
			rc = try_candidate(s, k);
		}
		if (rc == NEXT &&
		    !BN_add_word(s->base, (BN_ULONG)24 * SIEVE_SPAN))
			rc = FAILED;
	}
	return rc;
}

static void *
worker_main(void *arg)
{
	struct shared *sh = arg;
	struct search s;
	int rc;

	if ((rc = search_init(&s, sh)) == NEXT)
		rc = search_run(&s);
	pthread_mutex_lock(&sh->lock);
	if (rc == FOUND && sh->found == NULL) {
		sh->found = s.p;
		s.p = NULL;
	} else if (rc == FAILED && sh->err[0] == '\0') {
		pfa_ssl_set_ssl_err(sh->err, sizeof(sh->err),
		    "safe prime search failed");
	}
	if (rc == FOUND || rc == FAILED)
		atomic_store(&sh->stop, true);
	sh->running--;
	pthread_cond_broadcast(&sh->cond);
	pthread_mutex_unlock(&sh->lock);
	search_free(&s);
	ERR_clear_error();
	return NULL;
}

/* ------------------------------------------------------------ coordinator */

static double
since(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t0->tv_sec) +
	    (double)(now.tv_nsec - t0->tv_nsec) / 1e9;
}

static struct timespec
after(const struct timespec *t0, double sec)
{
	struct timespec ts = *t0;
	time_t whole = (time_t)sec;

	ts.tv_sec += whole;
	ts.tv_nsec += (long)((sec - (double)whole) * 1e9);
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	return ts;
}

/*
 * Waits until a worker finds p or fails, all have ended, or the timeout;
 * calls the progress function every TICK_NS (and opts->stop).  -1: timed
 * out; -2: asked to stop.
 */
static int
wait_workers(struct shared *sh, const struct pfa_dh_opts *opts,
    const struct timespec *t0)
{
	const double tick = TICK_NS / 1e9;
	unsigned long ticks = 0;
	int timed_out = 0;

	pthread_mutex_lock(&sh->lock);
	while (sh->found == NULL && sh->err[0] == '\0' && sh->running > 0) {
		double next = (double)(ticks + 1) * tick, el;
		struct timespec deadline;

		if (opts->timeout > 0 && opts->timeout < next)
			next = opts->timeout;
		deadline = after(t0, next);
		(void)pthread_cond_timedwait(&sh->cond, &sh->lock, &deadline);
		el = since(t0);
		if (opts->timeout > 0 && el >= opts->timeout) {
			timed_out = 1;
			break;
		}
		if (opts->stop != NULL && opts->stop()) {
			timed_out = 2;	/* asked to stop */
			break;
		}
		if (el < (double)(ticks + 1) * tick)
			continue;
		ticks = (unsigned long)(el / tick);
		if (opts->progress != NULL) {
			pthread_mutex_unlock(&sh->lock);
			opts->progress(opts->progress_arg,
			    atomic_load(&sh->tested), el);
			pthread_mutex_lock(&sh->lock);
		}
	}
	pthread_mutex_unlock(&sh->lock);
	return timed_out ? -timed_out : 0;
}

static int
shared_init(struct shared *sh, int bits, const struct primes *pt)
{
	pthread_condattr_t attr;
	int ok;

	memset(sh, 0, sizeof(*sh));
	sh->bits = bits;
	sh->pt = pt;
	atomic_init(&sh->stop, false);
	atomic_init(&sh->tested, 0);
	if (pthread_condattr_init(&attr) != 0)
		return -1;
	ok = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC) == 0 &&
	    pthread_cond_init(&sh->cond, &attr) == 0;
	pthread_condattr_destroy(&attr);
	if (!ok)
		return -1;
	if (pthread_mutex_init(&sh->lock, NULL) != 0) {
		pthread_cond_destroy(&sh->cond);
		return -1;
	}
	return 0;
}

static void
shared_destroy(struct shared *sh)
{
	BN_free(sh->found);
	pthread_mutex_destroy(&sh->lock);
	pthread_cond_destroy(&sh->cond);
}

/* ------------------------------------------------------------ interface */

int
pfa_dh_search(const struct pfa_dh_opts *opts, BIGNUM **p, char *errbuf,
    size_t errlen)
{
	pthread_t tid[MAX_THREADS];
	struct timespec t0;
	struct shared sh;
	struct primes pt;
	int i, nthreads, started = 0, timed_out = 0, rc = -1, e = 0;
	long n;

	*p = NULL;
	n = opts->threads > 0 ? opts->threads : sysconf(_SC_NPROCESSORS_ONLN);
	nthreads = n < 1 ? 1 : n > MAX_THREADS ? MAX_THREADS : (int)n;

	if (primes_init(&pt) != 0) {
		pfa_ssl_set_err(errbuf, errlen, "out of memory");
		return -1;
	}
	if (shared_init(&sh, opts->bits, &pt) != 0) {
		pfa_ssl_set_err(errbuf, errlen, "cannot set up thread synchronisation");
		primes_free(&pt);
		return -1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < nthreads; i++) {
		pthread_mutex_lock(&sh.lock);
		sh.running++;
		pthread_mutex_unlock(&sh.lock);
		e = pthread_create(&tid[i], NULL, worker_main, &sh);
		if (e != 0) {
			pthread_mutex_lock(&sh.lock);
			sh.running--;
			pthread_mutex_unlock(&sh.lock);
			break;
		}
		started++;
	}
	if (started > 0)
		timed_out = wait_workers(&sh, opts, &t0);
	atomic_store(&sh.stop, true);
	for (i = 0; i < started; i++)
		pthread_join(tid[i], NULL);
	if (started > 0 && opts->progress != NULL)
		opts->progress(opts->progress_arg, atomic_load(&sh.tested),
		    since(&t0));

	if (sh.found != NULL)
		rc = 0;
	else if (started == 0)
		pfa_ssl_set_err(errbuf, errlen, "cannot start a search thread: %s",
		    strerror(e));
	else if (sh.err[0] != '\0')
		pfa_ssl_set_err(errbuf, errlen, "%s", sh.err);
	else if (timed_out == -2)
		pfa_ssl_set_err(errbuf, errlen, "asked to stop after %lu "
		    "candidates", atomic_load(&sh.tested));
	else if (timed_out)
		pfa_ssl_set_err(errbuf, errlen, "no %d-bit safe prime found within "
		    "%g s (%lu candidates tested)", opts->bits, opts->timeout,
		    atomic_load(&sh.tested));
	else
		pfa_ssl_set_err(errbuf, errlen, "safe prime search ended without a "
		    "result");
	*p = sh.found;		/* the caller's now */
	sh.found = NULL;
	shared_destroy(&sh);
	primes_free(&pt);
	return rc;
}
