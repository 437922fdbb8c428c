/*
 * test_tls_checks.c - check-tls's checks of files (tasks/tls/tls_certs.c,
 * tls_files.c) on real files in a temporary directory and views built by
 * hand: a good CA-signed chain gives nothing above a note; each problem
 * (expired, not yet valid, inside each threshold, short-lived, mismatched
 * key, 1024-bit RSA, SHA-1, self-signed, wrong name, intermediate that
 * expires before the leaf's renewal, missing or misordered intermediate,
 * world-readable key, client certificate without clientAuth, bad DH
 * parameters, SNI entries) is reported with its id and severity, the
 * severities that depend on the host's roles follow them, and bad input
 * (missing, garbage, empty, a directory, a FIFO) is a finding, never a
 * hang.  No Postfix runs: the probes are integration tests'.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>

#include "role.h"
#include "testtls.h"
#include "testutil.h"
#include "tls_int.h"

#define DAY 86400L

static char *dir;
static EVP_PKEY *ca_key, *int_key, *key, *rsa1024;
static X509 *ca, *inter;
static char *ca_path, *key_pem, *int_pem;

struct fx {
	struct pfa_cfview v;
	struct pfa_result res;
	struct pfa_ctx ctx;
	struct pfa_config cfg;
	struct tls_conf conf;
	struct tls_run r;
};

static int
setup(void **state)
{
	(void)state;
	dir = pfa_test_mkdtemp("ttlschk");
	ca_key = pfa_test_key("EC", 256);
	int_key = pfa_test_key("EC", 256);
	key = pfa_test_key("EC", 256);
	rsa1024 = pfa_test_key("RSA", 1024);
	ca = pfa_test_cert(ca_key, &(struct pfa_test_cert){ .cn = "Root",
	    .from = -DAY, .until = 3650 * DAY, .ca = true });
	inter = pfa_test_cert(int_key, &(struct pfa_test_cert){ .cn = "Inter",
	    .from = -DAY, .until = 1000 * DAY, .ca = true, .issuer = ca,
	    .issuer_key = ca_key });
	char *p = pfa_test_pem_cert(ca);
	ca_path = pfa_test_write_in(dir, "ca.pem", p);
	free(p);
	key_pem = pfa_test_pem_key(key);
	int_pem = pfa_test_pem_cert(inter);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	pfa_test_rm_rf(dir);
	free(dir);
	EVP_PKEY_free(ca_key);
	EVP_PKEY_free(int_key);
	EVP_PKEY_free(key);
	EVP_PKEY_free(rsa1024);
	X509_free(ca);
	X509_free(inter);
	free(ca_path);
	free(key_pem);
	free(int_pem);
	return 0;
}

/* A leaf for KEY signed by the intermediate (or itself: SELF). */
static char *
leaf_pem(EVP_PKEY *k, const char *cn, long from, long until, bool self,
    const char *md, const char *eku)
{
	X509 *x = pfa_test_cert(k, &(struct pfa_test_cert){ .cn = cn,
	    .from = from, .until = until, .issuer = self ? NULL : inter,
	    .issuer_key = self ? NULL : int_key, .md = md, .eku = eku });
	char *s = pfa_test_pem_cert(x);
	X509_free(x);
	return s;
}

/* DIR/NAME with TEXT and MODE; the path (free it). */
static char *
file(const char *name, const char *text, mode_t mode)
{
	char *path = pfa_test_path(dir, name);
	pfa_test_write(path, text, strlen(text), mode);
	return path;
}

static void
fx_init(struct fx *f, unsigned roles)
{
	memset(f, 0, sizeof(*f));
	pfa_cfview_init(&f->v, "/etc/postfix");
	static const char *const empty[] = {
		"smtpd_tls_chain_files", "smtpd_tls_cert_file",
		"smtpd_tls_eccert_file", "smtpd_tls_dcert_file",
		"smtpd_tls_CAfile", "smtpd_tls_CApath", "smtp_tls_chain_files",
		"smtp_tls_cert_file", "smtp_tls_eccert_file",
		"smtp_tls_dcert_file", "smtp_tls_CAfile", "smtp_tls_CApath",
		"smtpd_tls_dh1024_param_file", "tlsproxy_tls_dh1024_param_file",
		"tls_server_sni_maps", "relayhost", NULL,
	};
	for (size_t i = 0; empty[i]; i++)
		pfa_cfview_set_default(&f->v, empty[i], "");
	pfa_cfview_set_default(&f->v, "myhostname", "mail.example");
	pfa_cfview_set(&f->v, "smtpd_tls_CAfile", ca_path);
	pfa_result_init(&f->res);
	f->conf = (struct tls_conf){ .warn_left = 0.25, .crit_left = 0.1,
		.crit_min = 12 * 3600, .short_lived = 10 * DAY, .timeout = 5 };
	f->ctx.cfg = &f->cfg;
	f->ctx.conf = &f->conf;
	f->r = (struct tls_run){ .ctx = &f->ctx, .res = &f->res,
		.conf = &f->conf, .view = &f->v, .roles = roles,
		.now = time(NULL), .min_days = 1e9, .min_frac = 1e9 };
}

static void
fx_run(struct fx *f)
{
	tls_collect(&f->r);
	tls_check_sets(&f->r);
	tls_check_dh(&f->r);
}

static void
fx_free(struct fx *f)
{
	tls_run_free(&f->r);
	pfa_result_free(&f->res);
	pfa_cfview_free(&f->v);
}

/* The worst severity of ID in F's result, or -1 when it is absent. */
static int
sev(const struct fx *f, const char *id)
{
	int worst = -1;
	for (size_t i = 0; i < f->res.nfindings; i++)
		if (strcmp(f->res.findings[i].id, id) == 0 &&
		    (int)f->res.findings[i].sev > worst)
			worst = (int)f->res.findings[i].sev;
	return worst;
}

static void
dump(const struct fx *f)
{
	for (size_t i = 0; i < f->res.nfindings; i++)
		print_message("  %s %s %s: %s\n",
		    pfa_sev_name(f->res.findings[i].sev), f->res.findings[i].id,
		    f->res.findings[i].subject, f->res.findings[i].message);
}

static void
expect(const struct fx *f, const char *id, int want)
{
	if (sev(f, id) != want) {
		dump(f);
		fail_msg("%s: severity %d, wanted %d", id, sev(f, id), want);
	}
}

/* Nothing above a note. */
static void
expect_clean(const struct fx *f)
{
	for (size_t i = 0; i < f->res.nfindings; i++)
		if (f->res.findings[i].sev != PFA_SEV_INFO) {
			dump(f);
			fail_msg("%s is not a note", f->res.findings[i].id);
		}
}

/* A chain file KEY + LEAF (+ the intermediate) as smtpd_tls_chain_files. */
static void
use_chain(struct fx *f, const char *name, const char *kpem, const char *leaf,
    bool with_int, mode_t mode)
{
	char *text = pfa_test_cat(kpem, leaf, with_int ? int_pem : "", NULL);
	char *path = file(name, text, mode);
	pfa_cfview_set(&f->v, "smtpd_tls_chain_files", path);
	free(text);
	free(path);
}

static void
test_good(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f, PFA_ROLE_MX | PFA_ROLE_SUBMISSION);
	char *leaf = leaf_pem(key, "mail.example", -10 * DAY, 80 * DAY, false,
	    NULL, "serverAuth");
	use_chain(&f, "good.pem", key_pem, leaf, true, 0600);
	fx_run(&f);
	expect_clean(&f);
	expect(&f, "PFA-CERT-021", PFA_SEV_INFO);
	assert_int_equal(f.r.ncerts, 1);
	assert_true(f.r.min_days > 79.9 && f.r.min_days < 80.1);
	assert_true(f.r.min_frac > 0.88 && f.r.min_frac < 0.9);
	assert_true(f.r.min_warn_days == 22.5 && f.r.min_crit_days == 9);
	fx_free(&f);
	free(leaf);
}

struct expiry_case {
	long from, until;	/* days */
	const char *id;
	int sev;
};

static void
test_expiry(void **state)
{
	(void)state;
	static const struct expiry_case cases[] = {
		{ -100, -1, "PFA-CERT-001", PFA_SEV_CRITICAL },
		{ 2, 90, "PFA-CERT-002", PFA_SEV_CRITICAL },
		{ -80, 20, "PFA-CERT-004", PFA_SEV_WARNING },
		{ -95, 5, "PFA-CERT-003", PFA_SEV_CRITICAL },
		{ -6, 1, "PFA-CERT-020", PFA_SEV_INFO },	/* short-lived */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct fx f;
		fx_init(&f, PFA_ROLE_MX);
		char *leaf = leaf_pem(key, "mail.example", cases[i].from * DAY,
		    cases[i].until * DAY, false, NULL, NULL);
		use_chain(&f, "exp.pem", key_pem, leaf, true, 0600);
		fx_run(&f);
		expect(&f, cases[i].id, cases[i].sev);
		fx_free(&f);
		free(leaf);
	}
	/* absolute: 40 of 40 days left, warn_days 60 */
	struct fx f;
	fx_init(&f, PFA_ROLE_MX);
	f.conf.warn_days = 60;
	char *leaf = leaf_pem(key, "mail.example", 0, 40 * DAY, false, NULL,
	    NULL);
	use_chain(&f, "abs.pem", key_pem, leaf, true, 0600);
	fx_run(&f);
	expect(&f, "PFA-CERT-004", PFA_SEV_WARNING);
	fx_free(&f);
	fx_init(&f, PFA_ROLE_MX);
	f.conf.crit_days = 50;
	use_chain(&f, "abs.pem", key_pem, leaf, true, 0600);
	fx_run(&f);
	expect(&f, "PFA-CERT-003", PFA_SEV_CRITICAL);
	fx_free(&f);
	free(leaf);
}

static void
test_keys_and_digests(void **state)
{
	(void)state;
	struct fx f;
	/* the key of another certificate */
	EVP_PKEY *other = pfa_test_key("EC", 256);
	char *opem = pfa_test_pem_key(other);
	char *leaf = leaf_pem(key, "mail.example", -DAY, 90 * DAY, false, NULL,
	    NULL);
	fx_init(&f, PFA_ROLE_MX);
	use_chain(&f, "mis.pem", opem, leaf, true, 0600);
	fx_run(&f);
	expect(&f, "PFA-CERT-005", PFA_SEV_CRITICAL);
	fx_free(&f);
	free(leaf);
	/* 1024-bit RSA, SHA-1 */
	char *rpem = pfa_test_pem_key(rsa1024);
	leaf = leaf_pem(rsa1024, "mail.example", -DAY, 90 * DAY, false, "SHA1",
	    NULL);
	fx_init(&f, PFA_ROLE_MX);
	use_chain(&f, "weak.pem", rpem, leaf, true, 0600);
	fx_run(&f);
	expect(&f, "PFA-CERT-006", PFA_SEV_CRITICAL);
	expect(&f, "PFA-CERT-005", -1);
	fx_free(&f);
	free(leaf);
	leaf = leaf_pem(key, "mail.example", -DAY, 90 * DAY, false, "SHA1",
	    NULL);
	fx_init(&f, PFA_ROLE_MX);
	use_chain(&f, "sha1.pem", key_pem, leaf, true, 0600);
	fx_run(&f);
	expect(&f, "PFA-CERT-007", PFA_SEV_WARNING);
	expect(&f, "PFA-CERT-006", -1);
	fx_free(&f);
	free(leaf);
	free(rpem);
	free(opem);
	EVP_PKEY_free(other);
}

static void
test_names_and_roles(void **state)
{
	(void)state;
	struct fx f;
	char *self = leaf_pem(key, "mail.example", -DAY, 365 * DAY, true, NULL,
	    NULL);
	fx_init(&f, PFA_ROLE_MX);
	use_chain(&f, "self.pem", key_pem, self, false, 0600);
	fx_run(&f);
	expect(&f, "PFA-CERT-014", PFA_SEV_WARNING);
	expect(&f, "PFA-CERT-008", -1);	/* not verified: nothing to */
	fx_free(&f);
	fx_init(&f, PFA_ROLE_NULLCLIENT);
	use_chain(&f, "self.pem", key_pem, self, false, 0600);
	fx_run(&f);
	expect(&f, "PFA-CERT-014", PFA_SEV_INFO);
	expect_clean(&f);
	fx_free(&f);
	free(self);
	char *wrong = leaf_pem(key, "other.example", -DAY, 90 * DAY, false,
	    NULL, NULL);
	fx_init(&f, PFA_ROLE_SUBMISSION);
	use_chain(&f, "wrong.pem", key_pem, wrong, true, 0600);
	fx_run(&f);
	expect(&f, "PFA-CERT-012", PFA_SEV_WARNING);
	fx_free(&f);
	free(wrong);
}

static void
test_chains(void **state)
{
	(void)state;
	struct fx f;
	char *leaf = leaf_pem(key, "mail.example", -DAY, 90 * DAY, false, NULL,
	    NULL);
	/* the intermediate missing */
	fx_init(&f, PFA_ROLE_MX);
	use_chain(&f, "noint.pem", key_pem, leaf, false, 0600);
	fx_run(&f);
	expect(&f, "PFA-CERT-010", PFA_SEV_WARNING);
	fx_free(&f);
	/* out of order: the root before the intermediate */
	char *root = pfa_test_pem_cert(ca);
	char *text = pfa_test_cat(key_pem, leaf, root, int_pem, NULL);
	char *path = file("order.pem", text, 0600);
	fx_init(&f, PFA_ROLE_MX);
	pfa_cfview_set(&f.v, "smtpd_tls_chain_files", path);
	fx_run(&f);
	expect(&f, "PFA-CERT-009", PFA_SEV_WARNING);
	expect(&f, "PFA-CERT-008", -1);
	fx_free(&f);
	free(text);
	free(path);
	/* not trusted: no CA file */
	fx_init(&f, PFA_ROLE_MX);
	pfa_cfview_set(&f.v, "smtpd_tls_CAfile", "");
	use_chain(&f, "untrusted.pem", key_pem, leaf, true, 0600);
	fx_run(&f);
	expect(&f, "PFA-CERT-010", PFA_SEV_WARNING);
	fx_free(&f);
	free(leaf);
	/* an intermediate that expires before the leaf's renewal is due */
	X509 *shortint = pfa_test_cert(int_key, &(struct pfa_test_cert){
	    .cn = "Short Inter", .from = -DAY, .until = 10 * DAY, .ca = true,
	    .issuer = ca, .issuer_key = ca_key });
	X509 *l = pfa_test_cert(key, &(struct pfa_test_cert){
	    .cn = "mail.example", .from = -DAY, .until = 90 * DAY,
	    .issuer = shortint, .issuer_key = int_key });
	char *ip = pfa_test_pem_cert(shortint), *lp = pfa_test_pem_cert(l);
	text = pfa_test_cat(key_pem, lp, ip, NULL);
	path = file("shortint.pem", text, 0600);
	fx_init(&f, PFA_ROLE_MX);
	pfa_cfview_set(&f.v, "smtpd_tls_chain_files", path);
	fx_run(&f);
	expect(&f, "PFA-CERT-011", PFA_SEV_WARNING);
	expect(&f, "PFA-CERT-008", -1);
	fx_free(&f);
	free(text);
	free(path);
	free(ip);
	free(lp);
	free(root);
	X509_free(l);
	X509_free(shortint);
}

static void
test_permissions(void **state)
{
	(void)state;
	struct fx f;
	char *leaf = leaf_pem(key, "mail.example", -DAY, 90 * DAY, false, NULL,
	    NULL);
	fx_init(&f, PFA_ROLE_MX);
	use_chain(&f, "open.pem", key_pem, leaf, true, 0644);
	fx_run(&f);
	expect(&f, "PFA-CERT-015", PFA_SEV_CRITICAL);
	fx_free(&f);
	/* legacy pair: the key file is the one checked */
	char *cert = file("cert.pem", leaf, 0644);
	char *k = file("key.pem", key_pem, 0640);
	fx_init(&f, PFA_ROLE_MX);
	pfa_cfview_set(&f.v, "smtpd_tls_cert_file", cert);
	pfa_cfview_set(&f.v, "smtpd_tls_key_file", k);
	/* a group nobody is in: only root can read it */
	assert_int_equal(chown(k, 0, 54321), 0);
	fx_run(&f);
	expect(&f, "PFA-CERT-015", PFA_SEV_INFO);
	expect(&f, "PFA-CERT-010", PFA_SEV_WARNING);	/* no intermediate */
	fx_free(&f);
	assert_int_equal(chown(k, 65534, 0), 0);
	fx_init(&f, PFA_ROLE_MX);
	pfa_cfview_set(&f.v, "smtpd_tls_cert_file", cert);
	pfa_cfview_set(&f.v, "smtpd_tls_key_file", k);
	fx_run(&f);
	expect(&f, "PFA-CERT-015", PFA_SEV_CRITICAL);
	fx_free(&f);
	free(cert);
	free(k);
	free(leaf);
}

static void
test_bad_input(void **state)
{
	(void)state;
	static const char *const names[] = { "missing.pem", "garbage.pem",
		"empty.pem", "adir", "fifo" };
	char *p = file("garbage.pem", "not PEM at all\n\x01\x02\x03", 0600);
	free(p);
	p = file("empty.pem", "", 0600);
	free(p);
	p = pfa_test_path(dir, "adir");
	assert_int_equal(mkdir(p, 0700), 0);
	free(p);
	p = pfa_test_path(dir, "fifo");
	assert_int_equal(mkfifo(p, 0600), 0);
	free(p);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct fx f;
		char *path = pfa_test_path(dir, names[i]);
		fx_init(&f, PFA_ROLE_MX);
		pfa_cfview_set(&f.v, "smtpd_tls_chain_files", path);
		pfa_cfview_set(&f.v, "smtpd_tls_dh1024_param_file", path);
		fx_run(&f);
		if (sev(&f, "PFA-CERT-017") != PFA_SEV_CRITICAL &&
		    sev(&f, "PFA-CERT-018") != PFA_SEV_CRITICAL) {
			dump(&f);
			fail_msg("%s: no critical finding", names[i]);
		}
		expect(&f, "PFA-DHP-001", PFA_SEV_WARNING);
		assert_int_equal(f.r.ncerts, 0);
		fx_free(&f);
		free(path);
	}
}

static void
test_client(void **state)
{
	(void)state;
	struct fx f;
	char *leaf = leaf_pem(key, "client.example", -DAY, 90 * DAY, false,
	    NULL, "serverAuth");
	char *path = file("client.pem", leaf, 0644);
	char *k = file("client.key", key_pem, 0600);
	fx_init(&f, PFA_ROLE_NULLCLIENT);
	pfa_cfview_set(&f.v, "smtp_tls_cert_file", path);
	pfa_cfview_set(&f.v, "smtp_tls_key_file", k);
	pfa_cfview_set(&f.v, "smtp_tls_CAfile", ca_path);
	fx_run(&f);
	expect(&f, "PFA-CERT-016", PFA_SEV_INFO);
	fx_free(&f);
	fx_init(&f, PFA_ROLE_NULLCLIENT);
	pfa_cfview_set(&f.v, "smtp_tls_cert_file", path);
	pfa_cfview_set(&f.v, "smtp_tls_key_file", k);
	pfa_cfview_set(&f.v, "relayhost", "[smtp.example]:587");
	fx_run(&f);
	expect(&f, "PFA-CERT-016", PFA_SEV_WARNING);
	expect(&f, "PFA-CERT-012", -1);	/* names are the server's */
	fx_free(&f);
	free(leaf);
	free(path);
	free(k);
}

/* A DH parameter file with prime P (generator 2). */
static char *
dh_file(const char *name, int bits, bool safe)
{
	BIGNUM *p = BN_new(), *g = BN_new();
	assert_true(BN_generate_prime_ex(p, bits, safe, NULL, NULL, NULL));
	assert_true(BN_set_word(g, 2));
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	assert_true(OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_FFC_P, p));
	assert_true(OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_FFC_G, g));
	OSSL_PARAM *ps = OSSL_PARAM_BLD_to_param(bld);
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "DH", NULL);
	EVP_PKEY *k = NULL;
	assert_int_equal(EVP_PKEY_fromdata_init(ctx), 1);
	assert_int_equal(EVP_PKEY_fromdata(ctx, &k, EVP_PKEY_KEY_PARAMETERS,
	    ps), 1);
	BIO *b = BIO_new(BIO_s_mem());
	assert_true(PEM_write_bio_Parameters(b, k));
	char *data;
	long n = BIO_get_mem_data(b, &data);
	char *text = strndup(data, (size_t)n);
	char *path = file(name, text, 0644);
	free(text);
	BIO_free(b);
	EVP_PKEY_free(k);
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(ps);
	OSSL_PARAM_BLD_free(bld);
	BN_free(p);
	BN_free(g);
	return path;
}

static void
test_dh(void **state)
{
	(void)state;
	struct fx f;
	char *small = dh_file("dh512.pem", 512, true);
	fx_init(&f, PFA_ROLE_MX);
	pfa_cfview_set(&f.v, "smtpd_tls_dh1024_param_file", small);
	fx_run(&f);
	expect(&f, "PFA-DHP-002", PFA_SEV_CRITICAL);
	expect(&f, "PFA-DHP-004", -1);
	expect(&f, "PFA-DHP-005", PFA_SEV_INFO);
	fx_free(&f);
	char *unsafe = dh_file("dhunsafe.pem", 1536, false);
	fx_init(&f, PFA_ROLE_MX);
	pfa_cfview_set(&f.v, "smtpd_tls_dh1024_param_file", unsafe);
	fx_run(&f);
	expect(&f, "PFA-DHP-003", PFA_SEV_WARNING);
	expect(&f, "PFA-DHP-004", PFA_SEV_WARNING);
	fx_free(&f);
	free(small);
	free(unsafe);
}

static void
test_sni_and_ignore(void **state)
{
	(void)state;
	struct fx f;
	char *la = leaf_pem(key, "a.example", -DAY, 90 * DAY, false, NULL, NULL);
	char *lb = leaf_pem(key, "b.example", -DAY, 90 * DAY, false, NULL, NULL);
	char *ka = file("a.key", key_pem, 0600), *ca_ = file("a.crt", la, 0644);
	char *cb = pfa_test_cat(la, int_pem, NULL);
	char *cbp = file("b.crt", cb, 0644);
	char *ib = file("int.crt", int_pem, 0644);
	char src[2048];
	snprintf(src, sizeof(src), "# two names\na.example %s %s %s\n"
	    "b.example %s,%s\nbad.example relative.pem\n", ka, ca_, ib, ka,
	    cbp);
	char *sp = file("sni", src, 0644);
	char spec[512];
	snprintf(spec, sizeof(spec), "hash:%s", sp);
	fx_init(&f, PFA_ROLE_MX);
	pfa_cfview_set(&f.v, "tls_server_sni_maps", spec);
	fx_run(&f);
	assert_int_equal(f.r.nsni, 1);
	assert_int_equal(f.r.sni[0].nsets, 2);
	expect(&f, "PFA-CERT-022", PFA_SEV_WARNING);	/* the bad line */
	/* b.example gets a.example's certificate: not covered */
	expect(&f, "PFA-CERT-012", PFA_SEV_WARNING);
	size_t named = 0;
	for (size_t i = 0; i < f.res.nfindings; i++)
		if (strcmp(f.res.findings[i].id, "PFA-CERT-012") == 0 &&
		    strstr(f.res.findings[i].message, "b.example") != NULL)
			named++;
	assert_int_equal(named, 1);
	fx_free(&f);
	/* not a table pfagent reads */
	fx_init(&f, PFA_ROLE_MX);
	pfa_cfview_set(&f.v, "tls_server_sni_maps", "ldap:/etc/postfix/l.cf");
	fx_run(&f);
	expect(&f, "PFA-CERT-023", PFA_SEV_INFO);
	fx_free(&f);
	/* ignore drops an id, and what it would have raised */
	char *ign[] = { "PFA-CERT-022", "PFA-CERT-012", NULL };
	fx_init(&f, PFA_ROLE_MX);
	f.conf.ignore = ign;
	pfa_cfview_set(&f.v, "tls_server_sni_maps", spec);
	fx_run(&f);
	expect(&f, "PFA-CERT-022", -1);
	expect(&f, "PFA-CERT-012", -1);
	assert_int_equal(f.res.status, PFA_OK);
	fx_free(&f);
	free(la);
	free(lb);
	free(ka);
	free(ca_);
	free(cb);
	free(cbp);
	free(ib);
	free(sp);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_expiry),
		cmocka_unit_test(test_keys_and_digests),
		cmocka_unit_test(test_names_and_roles),
		cmocka_unit_test(test_chains),
		cmocka_unit_test(test_permissions),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_client),
		cmocka_unit_test(test_dh),
		cmocka_unit_test(test_sni_and_ignore),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
