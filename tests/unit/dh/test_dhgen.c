/*
 * test_dhgen.c - unit tests for tasks/dhgen.c.
 *
 * Generates small (512- and 1024-bit) parameters and checks them three
 * ways: with pfa_dh_check_pem, by decoding p and testing p and (p-1)/2
 * with BN here, and with the real /usr/bin/openssl on a temporary file.
 * openssl is run by absolute path with an argv and a fixed environment
 * (posix_spawn, no shell).  No test asserts a timing.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <spawn.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>

#include "dhgen.h"
#include "testutil.h"

#define OPENSSL	"/usr/bin/openssl"
#define PEM_DH	"-----BEGIN DH PARAMETERS-----\n"

static char tmpdir[] = "/tmp/test_dhgen.XXXXXX";
static const char *const files[] = {
	"gen.pem", "x942.pem", "ffdhe.pem", "ossl.pem", "ec.pem",
};

/* ------------------------------------------------------------ helpers */

static const char *
tmpfile_path(const char *name)
{
	static char path[sizeof(tmpdir) + 64];

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	return path;
}

/* Runs openssl with ARGV (argv[0] included); exit status, -1 if killed. */
static int
run_openssl(const char *const argv[])
{
	static char *const envp[] = { "PATH=/usr/bin:/bin", "LANG=C",
	    "LC_ALL=C", NULL };
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int status, rc;

	assert_int_equal(posix_spawn_file_actions_init(&fa), 0);
	assert_int_equal(posix_spawn_file_actions_addopen(&fa, 0, "/dev/null",
	    O_RDONLY, 0), 0);
	assert_int_equal(posix_spawn_file_actions_addopen(&fa, 1, "/dev/null",
	    O_WRONLY, 0), 0);
	assert_int_equal(posix_spawn_file_actions_addopen(&fa, 2, "/dev/null",
	    O_WRONLY, 0), 0);
	rc = posix_spawn(&pid, OPENSSL, &fa, NULL, (char *const *)argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	assert_int_equal(rc, 0);
	while (waitpid(pid, &status, 0) < 0)
		assert_int_equal(errno, EINTR);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static char *
read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r");
	char *buf = malloc(65536);

	assert_non_null(f);
	assert_non_null(buf);
	*len = fread(buf, 1, 65535, f);
	assert_true(*len > 0 && *len < 65535);
	buf[*len] = '\0';
	fclose(f);
	return buf;
}

/* `openssl dhparam -in FILE -check -noout` on PEM; its exit status. */
static int
openssl_check(const char *pem, size_t len)
{
	const char *path = tmpfile_path("gen.pem");
	const char *argv[] = { OPENSSL, "dhparam", "-in", path, "-check",
	    "-noout", NULL };

	pfa_test_write(path, pem, len, 0644);
	return run_openssl(argv);
}

/* p of PEM DH parameters, decoded here without dhgen. */
static BIGNUM *
decode_p(const char *pem, size_t len, BIGNUM **g)
{
	BIO *bio = BIO_new_mem_buf(pem, (int)len);
	EVP_PKEY *pkey;
	BIGNUM *p = NULL;

	assert_non_null(bio);
	pkey = PEM_read_bio_Parameters(bio, NULL);
	assert_non_null(pkey);
	assert_true(EVP_PKEY_is_a(pkey, "DH"));
	assert_int_equal(EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_FFC_P,
	    &p), 1);
	assert_int_equal(EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_FFC_G,
	    g), 1);
	EVP_PKEY_free(pkey);
	BIO_free(bio);
	return p;
}

/* PKCS#3 PEM of (p, 2), whatever p is: the way to make bad parameters. */
static char *
encode_dh(const BIGNUM *p, size_t *len)
{
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "DH", NULL);
	BIGNUM *g = BN_new();
	OSSL_PARAM *params;
	EVP_PKEY *pkey = NULL;
	BIO *bio = BIO_new(BIO_s_mem());
	char *data, *pem;
	long n;

	assert_non_null(bld);
	assert_non_null(ctx);
	assert_non_null(g);
	assert_non_null(bio);
	assert_true(BN_set_word(g, 2));
	assert_true(OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_FFC_P, p));
	assert_true(OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_FFC_G, g));
	params = OSSL_PARAM_BLD_to_param(bld);
	assert_non_null(params);
	assert_int_equal(EVP_PKEY_fromdata_init(ctx), 1);
	assert_int_equal(EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_KEY_PARAMETERS,
	    params), 1);
	assert_int_equal(PEM_write_bio_Parameters(bio, pkey), 1);
	n = BIO_get_mem_data(bio, &data);
	assert_true(n > 0);
	pem = strndup(data, (size_t)n);
	assert_non_null(pem);
	*len = (size_t)n;
	BIO_free(bio);
	EVP_PKEY_free(pkey);
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_free(g);
	return pem;
}

static char *
generate(int bits, int threads, size_t *len)
{
	struct pfa_dh_opts opts = { .bits = bits, .threads = threads };
	char err[256] = "", *pem = NULL;

	assert_int_equal(pfa_dh_generate(&opts, &pem, len, err, sizeof(err)),
	    0);
	assert_non_null(pem);
	assert_int_equal(strlen(pem), *len);
	return pem;
}

/* Everything a generated PEM must be; its p for further comparison. */
static BIGNUM *
assert_good_params(const char *pem, size_t len, int bits)
{
	BN_CTX *ctx = BN_CTX_new();
	BIGNUM *p, *q = BN_new(), *g = NULL;
	char err[256] = "";
	int got = 0;

	assert_non_null(ctx);
	assert_non_null(q);
	assert_memory_equal(pem, PEM_DH, strlen(PEM_DH));
	assert_int_equal(pfa_dh_check_pem(pem, len, &got, err, sizeof(err)),
	    0);
	assert_int_equal(got, bits);
	assert_int_equal(openssl_check(pem, len), 0);

	p = decode_p(pem, len, &g);
	assert_int_equal(BN_num_bits(p), bits);
	assert_true(BN_is_word(g, 2));
	assert_int_equal(BN_mod_word(p, 24), 23);
	assert_int_equal(BN_check_prime(p, ctx, NULL), 1);
	assert_true(BN_rshift1(q, p));
	assert_int_equal(BN_check_prime(q, ctx, NULL), 1);
	BN_free(q);
	BN_free(g);
	BN_CTX_free(ctx);
	return p;
}

/* ------------------------------------------------------------ generate */

static void
test_generate_512(void **state)
{
	size_t len;
	char *pem = generate(512, 0, &len);

	(void)state;
	BN_free(assert_good_params(pem, len, 512));
	free(pem);
}

static void
test_generate_1024(void **state)
{
	const char *argv[] = { OPENSSL, "pkeyparam", "-in",
	    tmpfile_path("gen.pem"), "-check", "-noout", NULL };
	size_t len;
	char *pem = generate(1024, 0, &len);

	(void)state;
	BN_free(assert_good_params(pem, len, 1024));
	assert_int_equal(run_openssl(argv), 0);	/* the file just checked */
	free(pem);
}

static void
test_two_runs_differ(void **state)
{
	size_t len1, len2;
	char *pem1 = generate(512, 0, &len1), *pem2 = generate(512, 0, &len2);
	BIGNUM *p1 = assert_good_params(pem1, len1, 512);
	BIGNUM *p2 = assert_good_params(pem2, len2, 512);

	(void)state;
	assert_int_not_equal(BN_cmp(p1, p2), 0);
	BN_free(p1);
	BN_free(p2);
	free(pem1);
	free(pem2);
}

static void
test_threads_1_and_4(void **state)
{
	size_t len;
	char *pem;

	(void)state;
	pem = generate(1024, 1, &len);
	BN_free(assert_good_params(pem, len, 1024));
	free(pem);
	pem = generate(1024, 4, &len);
	BN_free(assert_good_params(pem, len, 1024));
	free(pem);
}

struct progress_log {
	int calls;
	unsigned long last_tested;
	double last_elapsed;
};

static void
progress(void *arg, unsigned long tested, double elapsed)
{
	struct progress_log *log = arg;

	assert_true(tested >= log->last_tested);
	assert_true(elapsed >= log->last_elapsed);
	log->calls++;
	log->last_tested = tested;
	log->last_elapsed = elapsed;
}

static void
test_progress(void **state)
{
	struct progress_log log = { 0 };
	struct pfa_dh_opts opts = { .bits = 1024, .threads = 2,
	    .progress = progress, .progress_arg = &log };
	char err[256] = "", *pem = NULL;
	size_t len;

	(void)state;
	assert_int_equal(pfa_dh_generate(&opts, &pem, &len, err, sizeof(err)),
	    0);
	/* Every 250 ms and once more when the search has ended. */
	assert_true(log.calls >= 1);
	assert_true(log.last_tested >= 1);
	free(pem);
}

static void
test_timeout(void **state)
{
	struct pfa_dh_opts opts = { .bits = 8192, .timeout = 0.5 };
	char err[256] = "", *pem = NULL;
	size_t len = 99;

	(void)state;
	assert_int_equal(pfa_dh_generate(&opts, &pem, &len, err, sizeof(err)),
	    -1);
	assert_null(pem);
	assert_int_equal(len, 0);
	assert_non_null(strstr(err, "8192-bit"));
	assert_non_null(strstr(err, "within"));
	assert_int_equal(ERR_peek_error(), 0);
}

static void
test_bad_options(void **state)
{
	struct pfa_dh_opts opts = { .bits = 256 };
	char err[256], *pem = NULL;
	size_t len;

	(void)state;
	err[0] = '\0';
	assert_int_equal(pfa_dh_generate(&opts, &pem, &len, err, sizeof(err)),
	    -1);
	assert_non_null(strstr(err, "256"));
	opts.bits = 16384;
	assert_int_equal(pfa_dh_generate(&opts, &pem, &len, err, sizeof(err)),
	    -1);
	opts.bits = 1024;
	opts.threads = -1;
	assert_int_equal(pfa_dh_generate(&opts, &pem, &len, err, sizeof(err)),
	    -1);
	opts.threads = 0;
	opts.timeout = -1;
	assert_int_equal(pfa_dh_generate(&opts, &pem, &len, err, sizeof(err)),
	    -1);
	assert_int_equal(pfa_dh_generate(NULL, &pem, &len, err, sizeof(err)),
	    -1);
	assert_null(pem);
	/* No room for a message is not a crash. */
	assert_int_equal(pfa_dh_generate(NULL, &pem, &len, NULL, 0), -1);
}

/* ------------------------------------------------------------ ffdhe */

static void
test_ffdhe2048_equals_openssl(void **state)
{
	const char *path = tmpfile_path("ffdhe.pem");
	const char *argv[] = { OPENSSL, "genpkey", "-genparam", "-algorithm",
	    "DH", "-pkeyopt", "group:ffdhe2048", "-out", path, NULL };
	char err[256] = "", *pem = NULL, *want;
	size_t len, want_len;

	(void)state;
	assert_int_equal(run_openssl(argv), 0);
	want = read_file(path, &want_len);
	assert_int_equal(pfa_dh_ffdhe(2048, &pem, &len, err, sizeof(err)), 0);
	assert_int_equal(len, want_len);
	assert_memory_equal(pem, want, len);
	free(want);
	free(pem);
}

static void
test_ffdhe_sizes(void **state)
{
	static const int sizes[] = { 2048, 3072, 4096, 6144, 8192 };
	char err[256] = "", *pem = NULL;
	size_t i, len;
	int bits;

	(void)state;
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		assert_int_equal(pfa_dh_ffdhe(sizes[i], &pem, &len, err,
		    sizeof(err)), 0);
		assert_memory_equal(pem, PEM_DH, strlen(PEM_DH));
		assert_int_equal(pfa_dh_check_pem(pem, len, &bits, err,
		    sizeof(err)), 0);
		assert_int_equal(bits, sizes[i]);
		free(pem);
	}
}

static void
test_ffdhe_unsupported(void **state)
{
	static const int sizes[] = { 1024, 0, -2048, 2047, 16384 };
	char err[256], *pem = NULL;
	size_t i, len;

	(void)state;
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		err[0] = '\0';
		assert_int_equal(pfa_dh_ffdhe(sizes[i], &pem, &len, err,
		    sizeof(err)), -1);
		assert_null(pem);
		assert_non_null(strstr(err, "RFC 7919"));
	}
}

/* ------------------------------------------------------------ check */

/* pfa_dh_check_pem fails on PEM, says so, and leaves no OpenSSL error. */
static void
assert_rejected(const char *pem, size_t len, const char *why)
{
	char err[256] = "";
	int bits = -7;

	assert_int_equal(pfa_dh_check_pem(pem, len, &bits, err, sizeof(err)),
	    -1);
	assert_int_equal(bits, -7);
	assert_true(err[0] != '\0');
	if (why != NULL && strstr(err, why) == NULL)
		fail_msg("message \"%s\" lacks \"%s\"", err, why);
	assert_int_equal(ERR_peek_error(), 0);
}

static void
test_check_rejects_empty(void **state)
{
	(void)state;
	assert_rejected("", 0, "empty");
	assert_rejected(NULL, 0, "empty");
	assert_rejected("\n", 1, NULL);
}

static void
test_check_rejects_garbage(void **state)
{
	static const char bin[] = { 0x30, (char)0x82, 0x01, 0x08, 0x02, 0x00 };
	static const char nobody[] = PEM_DH "-----END DH PARAMETERS-----\n";

	(void)state;
	assert_rejected("hello, world\n", 13, "no start line");
	assert_rejected(bin, sizeof(bin), NULL);
	assert_rejected(nobody, strlen(nobody), NULL);
}

static void
test_check_rejects_truncated(void **state)
{
	char err[256] = "", *pem = NULL, *cut;
	size_t len, half;

	(void)state;
	assert_int_equal(pfa_dh_ffdhe(2048, &pem, &len, err, sizeof(err)), 0);
	cut = malloc(len);
	assert_non_null(cut);
	/* The middle 100 bytes of the base64 body gone. */
	half = len / 2;
	memcpy(cut, pem, half - 50);
	memcpy(cut + half - 50, pem + half + 50, len - half - 50);
	assert_rejected(cut, len - 100, NULL);
	/* The end gone, footer included. */
	assert_rejected(pem, len / 2, NULL);
	free(cut);
	free(pem);
}

static void
test_check_rejects_x942(void **state)
{
	const char *path = tmpfile_path("x942.pem");
	const char *argv[] = { OPENSSL, "dhparam", "-dsaparam", "-out", path,
	    "1024", NULL };
	size_t len;
	char *pem;

	(void)state;
	assert_int_equal(run_openssl(argv), 0);
	pem = read_file(path, &len);
	assert_non_null(strstr(pem, "BEGIN X9.42 DH PARAMETERS"));
	assert_rejected(pem, len, "X9.42");
	free(pem);
}

static void
test_check_rejects_other_type(void **state)
{
	const char *path = tmpfile_path("ec.pem");
	const char *argv[] = { OPENSSL, "genpkey", "-genparam", "-algorithm",
	    "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", path, NULL };
	size_t len;
	char *pem;

	(void)state;
	assert_int_equal(run_openssl(argv), 0);
	pem = read_file(path, &len);
	assert_rejected(pem, len, "EC PARAMETERS");
	free(pem);
}

static void
test_check_rejects_composite_p(void **state)
{
	BIGNUM *p = BN_new();
	size_t len;
	char *pem;

	(void)state;
	/* 1024 bits, = 23 mod 24 (2^1023 = 8 mod 24), divisible by 5. */
	assert_non_null(p);
	assert_true(BN_set_bit(p, 1023));
	assert_true(BN_add_word(p, 15));
	while (BN_mod_word(p, 5) != 0)
		assert_true(BN_add_word(p, 24));
	assert_int_equal(BN_mod_word(p, 24), 23);
	assert_int_equal(BN_mod_word(p, 5), 0);
	pem = encode_dh(p, &len);
	assert_rejected(pem, len, "check");
	free(pem);
	BN_free(p);
}

static void
test_check_rejects_not_safe(void **state)
{
	BN_CTX *ctx = BN_CTX_new();
	BIGNUM *p = BN_new(), *q = BN_new();
	size_t len;
	char *pem;

	(void)state;
	assert_non_null(ctx);
	assert_non_null(p);
	assert_non_null(q);
	/* A prime p whose (p-1)/2 is composite. */
	do {
		assert_true(BN_generate_prime_ex(p, 1024, 0, NULL, NULL, NULL));
		assert_true(BN_rshift1(q, p));
	} while (BN_check_prime(q, ctx, NULL) != 0);
	pem = encode_dh(p, &len);
	assert_rejected(pem, len, "check");
	free(pem);
	BN_free(q);
	BN_free(p);
	BN_CTX_free(ctx);
}

static void
test_check_accepts(void **state)
{
	const char *path = tmpfile_path("ossl.pem");
	const char *argv[] = { OPENSSL, "dhparam", "-out", path, "512", NULL };
	char err[256] = "", *pem = NULL;
	size_t len;
	int bits = 0;

	(void)state;
	assert_int_equal(pfa_dh_ffdhe(3072, &pem, &len, err, sizeof(err)), 0);
	assert_int_equal(pfa_dh_check_pem(pem, len, &bits, err, sizeof(err)),
	    0);
	assert_int_equal(bits, 3072);
	assert_int_equal(pfa_dh_check_pem(pem, len, NULL, err, sizeof(err)),
	    0);
	free(pem);
	/* What openssl itself makes. */
	assert_int_equal(run_openssl(argv), 0);
	pem = read_file(path, &len);
	assert_int_equal(pfa_dh_check_pem(pem, len, &bits, err, sizeof(err)),
	    0);
	assert_int_equal(bits, 512);
	free(pem);
}

/* ------------------------------------------------------------ main */

static int
setup(void **state)
{
	(void)state;
	return mkdtemp(tmpdir) != NULL ? 0 : -1;
}

static int
teardown(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		(void)unlink(tmpfile_path(files[i]));
	return rmdir(tmpdir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_generate_512),
		cmocka_unit_test(test_generate_1024),
		cmocka_unit_test(test_two_runs_differ),
		cmocka_unit_test(test_threads_1_and_4),
		cmocka_unit_test(test_progress),
		cmocka_unit_test(test_timeout),
		cmocka_unit_test(test_bad_options),
		cmocka_unit_test(test_ffdhe2048_equals_openssl),
		cmocka_unit_test(test_ffdhe_sizes),
		cmocka_unit_test(test_ffdhe_unsupported),
		cmocka_unit_test(test_check_rejects_empty),
		cmocka_unit_test(test_check_rejects_garbage),
		cmocka_unit_test(test_check_rejects_truncated),
		cmocka_unit_test(test_check_rejects_x942),
		cmocka_unit_test(test_check_rejects_other_type),
		cmocka_unit_test(test_check_rejects_composite_p),
		cmocka_unit_test(test_check_rejects_not_safe),
		cmocka_unit_test(test_check_accepts),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
