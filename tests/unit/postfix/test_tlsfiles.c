/*
 * test_tlsfiles.c - postfix/tlsfiles.c: which keys and certificates each
 * part of Postfix loads, on views built by hand over Postfix 3.7's
 * defaults: chain files replace the legacy pairs; a key file left at its
 * default follows a service's override of the certificate; postscreen's
 * keys are tlsproxy's; the client's are smtp_ (lmtp_ for lmtp); which
 * listeners offer TLS; the DH files and SNI tables, overrides included.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "tlsfiles.h"

static const char *const defaults[][2] = {
	{ "smtpd_tls_chain_files", "" }, { "smtpd_tls_cert_file", "" },
	{ "smtpd_tls_key_file", "$smtpd_tls_cert_file" },
	{ "smtpd_tls_eccert_file", "" },
	{ "smtpd_tls_eckey_file", "$smtpd_tls_eccert_file" },
	{ "smtpd_tls_dcert_file", "" }, { "smtpd_tls_dkey_file", "" },
	{ "smtpd_tls_CAfile", "" }, { "smtpd_tls_CApath", "" },
	{ "smtpd_tls_security_level", "" }, { "smtpd_use_tls", "no" },
	{ "smtpd_enforce_tls", "no" }, { "smtpd_tls_wrappermode", "no" },
	{ "postscreen_tls_security_level", "" }, { "postscreen_use_tls", "no" },
	{ "postscreen_enforce_tls", "no" },
	{ "tlsproxy_tls_chain_files", "" }, { "tlsproxy_tls_cert_file", "" },
	{ "tlsproxy_tls_key_file", "" }, { "tlsproxy_tls_eccert_file", "" },
	{ "tlsproxy_tls_eckey_file", "" }, { "tlsproxy_tls_dcert_file", "" },
	{ "tlsproxy_tls_dkey_file", "" }, { "tlsproxy_tls_CAfile", "" },
	{ "tlsproxy_tls_CApath", "" },
	{ "smtp_tls_chain_files", "" }, { "smtp_tls_cert_file", "" },
	{ "smtp_tls_key_file", "" }, { "smtp_tls_eccert_file", "" },
	{ "smtp_tls_eckey_file", "" }, { "smtp_tls_dcert_file", "" },
	{ "smtp_tls_dkey_file", "" }, { "smtp_tls_CAfile", "" },
	{ "smtp_tls_CApath", "" }, { "smtp_tls_security_level", "" },
	{ "smtp_use_tls", "no" }, { "smtp_enforce_tls", "no" },
	{ "lmtp_tls_cert_file", "" }, { "lmtp_tls_key_file", "" },
	{ "lmtp_tls_chain_files", "" },
	{ "smtpd_tls_dh1024_param_file", "" },
	{ "tlsproxy_tls_dh1024_param_file", "" },
	{ "tls_server_sni_maps", "" }, { "master_service_disable", "" },
};

static void
base(struct pfa_cfview *v)
{
	pfa_cfview_init(v, "/etc/postfix");
	for (size_t i = 0; i < sizeof(defaults) / sizeof(defaults[0]); i++)
		pfa_cfview_set_default(v, defaults[i][0], defaults[i][1]);
}

static void
test_pairs_and_chains(void **state)
{
	(void)state;
	struct pfa_cfview v;
	struct pfa_tls_keyset k;
	base(&v);
	pfa_tls_server_keyset(&v, NULL, &k);
	assert_true(pfa_tls_keyset_empty(&k));
	pfa_tls_keyset_free(&k);

	pfa_cfview_set(&v, "smtpd_tls_cert_file", "/etc/c.pem");
	pfa_cfview_set_expanded(&v, "smtpd_tls_key_file", "/etc/c.pem");
	pfa_cfview_set(&v, "smtpd_tls_eccert_file", "/etc/ec.pem");
	pfa_cfview_set(&v, "smtpd_tls_eckey_file", "/etc/eckey.pem");
	pfa_cfview_set(&v, "smtpd_tls_CAfile", "/etc/ca.pem");
	pfa_tls_server_keyset(&v, NULL, &k);
	assert_int_equal(k.nfiles, 0);
	assert_int_equal(k.npairs, 2);
	assert_string_equal(k.pairs[0].alg, "RSA");
	assert_string_equal(k.pairs[0].key, "/etc/c.pem");
	assert_string_equal(k.pairs[1].alg, "ECDSA");
	assert_string_equal(k.pairs[1].key, "/etc/eckey.pem");
	assert_string_equal(k.cafile, "/etc/ca.pem");
	assert_string_equal(k.param, "smtpd_tls_cert_file");
	assert_string_equal(k.where, "main.cf");
	assert_false(k.client);

	/* chain files replace the pairs */
	pfa_cfview_set(&v, "smtpd_tls_chain_files", "/etc/rsa.pem, /etc/ec.pem");
	struct pfa_tls_keyset c;
	pfa_tls_server_keyset(&v, NULL, &c);
	assert_int_equal(c.nfiles, 2);
	assert_int_equal(c.npairs, 0);
	assert_string_equal(c.files[1], "/etc/ec.pem");
	assert_null(c.files[2]);
	assert_string_equal(c.param, "smtpd_tls_chain_files");
	assert_false(pfa_tls_keyset_same(&k, &c));
	assert_true(pfa_tls_keyset_same(&c, &c));
	pfa_tls_keyset_free(&k);
	pfa_tls_keyset_free(&c);
	pfa_cfview_free(&v);
}

static void
test_overrides(void **state)
{
	(void)state;
	struct pfa_cfview v;
	struct pfa_tls_keyset k;
	base(&v);
	pfa_cfview_set(&v, "smtpd_tls_cert_file", "/etc/main.pem");
	pfa_cfview_set_expanded(&v, "smtpd_tls_key_file", "/etc/main.pem");
	struct pfa_cfsvc *s = pfa_cfview_add_service(&v, "submission", "inet",
	    "smtpd");
	pfa_cfview_svc_opt(s, "smtpd_tls_cert_file", "/etc/sub.pem");
	s = pfa_cfview_add_service(&v, "smtp", "inet", "postscreen");
	s = pfa_cfview_add_service(&v, "tlsproxy", "unix", "tlsproxy");
	pfa_cfview_set_expanded(&v, "tlsproxy_tls_cert_file", "/etc/main.pem");
	pfa_cfview_set_expanded(&v, "tlsproxy_tls_key_file", "/etc/main.pem");
	s = pfa_cfview_add_service(&v, "lmtp", "unix", "lmtp");
	pfa_cfview_svc_opt(s, "lmtp_tls_cert_file", "/etc/lmtp.pem");

	/* the key follows the service's certificate: main.cf leaves it at
	 * its default */
	pfa_tls_server_keyset(&v, &v.svcs[0], &k);
	assert_int_equal(k.npairs, 1);
	assert_string_equal(k.pairs[0].cert, "/etc/sub.pem");
	assert_string_equal(k.pairs[0].key, "/etc/sub.pem");
	assert_string_equal(k.where, "submission/inet");
	pfa_tls_keyset_free(&k);
	/* unless main.cf names a key file of its own */
	pfa_cfview_set(&v, "smtpd_tls_key_file", "/etc/main.key");
	pfa_tls_server_keyset(&v, &v.svcs[0], &k);
	assert_string_equal(k.pairs[0].key, "/etc/main.key");
	pfa_tls_keyset_free(&k);

	pfa_tls_server_keyset(&v, &v.svcs[1], &k);
	assert_string_equal(k.where, "tlsproxy");
	assert_string_equal(k.param, "tlsproxy_tls_cert_file");
	assert_string_equal(k.pairs[0].cert, "/etc/main.pem");
	pfa_tls_keyset_free(&k);

	assert_true(pfa_tls_client_svc(&v.svcs[3]));
	assert_false(pfa_tls_client_svc(&v.svcs[0]));
	pfa_tls_client_keyset(&v, &v.svcs[3], &k);
	assert_true(k.client);
	assert_string_equal(k.param, "lmtp_tls_cert_file");
	assert_string_equal(k.pairs[0].cert, "/etc/lmtp.pem");
	pfa_tls_keyset_free(&k);
	pfa_cfview_free(&v);
}

static void
test_offers(void **state)
{
	(void)state;
	struct pfa_cfview v;
	base(&v);
	pfa_cfview_add_service(&v, "smtp", "inet", "smtpd");
	struct pfa_cfsvc *s = pfa_cfview_add_service(&v, "smtps", "inet",
	    "smtpd");
	pfa_cfview_svc_opt(s, "smtpd_tls_wrappermode", "yes");
	s = pfa_cfview_add_service(&v, "submission", "inet", "smtpd");
	pfa_cfview_svc_opt(s, "smtpd_tls_security_level", "encrypt");
	pfa_cfview_add_service(&v, "2525", "inet", "postscreen");
	assert_false(pfa_tls_server_offers(&v, &v.svcs[0]));
	assert_true(pfa_tls_server_offers(&v, &v.svcs[1]));
	assert_true(pfa_tls_server_offers(&v, &v.svcs[2]));
	assert_false(pfa_tls_server_offers(&v, &v.svcs[3]));
	pfa_cfview_set(&v, "smtpd_use_tls", "yes");	/* obsolete, still read */
	assert_true(pfa_tls_server_offers(&v, &v.svcs[0]));
	pfa_cfview_set(&v, "smtpd_tls_security_level", "none");
	assert_false(pfa_tls_server_offers(&v, &v.svcs[0]));
	pfa_cfview_set(&v, "postscreen_tls_security_level", "may");
	assert_true(pfa_tls_server_offers(&v, &v.svcs[3]));
	assert_false(pfa_tls_client_uses(&v, NULL));
	pfa_cfview_set(&v, "smtp_tls_security_level", "may");
	assert_true(pfa_tls_client_uses(&v, NULL));
	pfa_cfview_free(&v);
}

static void
test_dh_and_sni(void **state)
{
	(void)state;
	struct pfa_cfview v;
	struct pfa_tls_names n;
	base(&v);
	pfa_tls_dh_files(&v, &n);
	assert_int_equal(n.n, 0);
	pfa_tls_names_free(&n);
	pfa_cfview_set(&v, "smtpd_tls_dh1024_param_file", "/etc/dh.pem");
	pfa_cfview_set_expanded(&v, "tlsproxy_tls_dh1024_param_file",
	    "/etc/dh.pem");
	struct pfa_cfsvc *s = pfa_cfview_add_service(&v, "submission", "inet",
	    "smtpd");
	pfa_cfview_svc_opt(s, "smtpd_tls_dh1024_param_file", "auto");
	pfa_cfview_svc_opt(s, "tls_server_sni_maps", "hash:/etc/sni2");
	s = pfa_cfview_add_service(&v, "smtps", "inet", "smtpd");
	pfa_cfview_svc_opt(s, "smtpd_tls_dh1024_param_file", "/etc/dh4096.pem");
	pfa_cfview_set(&v, "tls_server_sni_maps", "hash:/etc/sni, "
	    "lmdb:/etc/sni3");
	pfa_tls_dh_files(&v, &n);
	assert_int_equal(n.n, 2);
	assert_string_equal(n.v[0], "/etc/dh.pem");
	assert_string_equal(n.v[1], "/etc/dh4096.pem");
	pfa_tls_names_free(&n);
	pfa_tls_sni_tables(&v, &n);
	assert_int_equal(n.n, 3);
	assert_string_equal(n.v[0], "hash:/etc/sni");
	assert_string_equal(n.v[2], "hash:/etc/sni2");
	pfa_tls_names_free(&n);
	pfa_cfview_free(&v);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pairs_and_chains),
		cmocka_unit_test(test_overrides),
		cmocka_unit_test(test_offers),
		cmocka_unit_test(test_dh_and_sni),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
