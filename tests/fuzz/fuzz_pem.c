/*
 * fuzz_pem.c - libFuzzer target for the readers of PEM files Postfix is
 * configured with (postfix/pem.c, pem_x509.c) and of tls_server_sni_maps
 * sources (postfix/sni.c): every input is read as chain files (whole, and
 * split in two at its middle as two files), as a certificate/key pair (one
 * file, and two), as a CA file and as DH parameters; whatever certificate
 * comes out is inspected, matched with its key, checked for names and
 * chain order; and the input is read as an SNI table source.  Built by
 * `make fuzz`, run by `make fuzz-run` (tests/fuzz/), seed inputs in
 * tests/fuzz/corpus/fuzz_pem/.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/x509.h>

#include "pem.h"
#include "sni.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
facts(X509 *x, EVP_PKEY *k, STACK_OF(X509) *chain)
{
	struct pfa_cert_info ci;
	char err[200];
	if (x == NULL)
		return;
	if (pfa_cert_inspect(x, time(NULL), &ci, err, sizeof(err)) == 0) {
		if (strlen(ci.sha256) != 64 || ci.validity < -1 ||
		    ci.validity > 1)
			abort();
		(void)strlen(ci.subject);
		(void)strlen(ci.issuer);
	}
	if (k != NULL)
		(void)pfa_cert_key_match(x, k);
	(void)pfa_cert_covers(x, "mail.example.org");
	int bad = pfa_chain_misordered(x, chain);
	if (bad < -1 || bad >= sk_X509_num(chain) + (chain == NULL))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	char err[400];
	struct pfa_pem_text whole = { "whole.pem", s, size };
	struct pfa_pem_text halves[2] = {
		{ "first.pem", s, size / 2 },
		{ "second.pem", s + size / 2, size - size / 2 },
	};
	struct pfa_pem_chains cs;

	for (int split = 0; split < 2; split++) {
		int rc = pfa_pem_read_chains(split ? halves : &whole,
		    split ? 2 : 1, &cs, err, sizeof(err));
		if (rc < 0 && err[0] == '\0')
			abort();
		for (size_t i = 0; i < cs.n; i++) {
			if (cs.v[i].key == NULL || cs.v[i].leaf == NULL ||
			    cs.v[i].chain == NULL)
				abort();
			facts(cs.v[i].leaf, cs.v[i].key, cs.v[i].chain);
		}
		pfa_pem_chains_free(&cs);
	}

	struct pfa_pem_chain c;
	for (int two = 0; two < 2; two++) {
		int rc = pfa_pem_read_pair(two ? &halves[0] : &whole,
		    two ? &halves[1] : &whole, &c, err, sizeof(err));
		if (rc == 0 && (c.leaf == NULL || c.key == NULL))
			abort();
		facts(c.leaf, c.key, c.chain);
		pfa_pem_chain_free(&c);
	}

	STACK_OF(X509) *certs = NULL;
	if (pfa_pem_read_certs(&whole, &certs, NULL, 0) == 0) {
		if (sk_X509_num(certs) < 1)
			abort();
		X509_STORE *st = pfa_store_new(certs, NULL, false, NULL, 0);
		struct pfa_verdict v;
		if (st != NULL)
			(void)pfa_chain_verify(st, sk_X509_value(certs, 0), certs,
			    0, false, &v, NULL, 0);
		X509_STORE_free(st);
		sk_X509_pop_free(certs, X509_free);
	}
	int n = pfa_pem_count(&whole);
	if (n < -1)
		abort();

	struct pfa_dh_info dh;
	if (pfa_dh_inspect_pem(s, size, &dh, NULL, 0) == 0 && dh.bits <= 0)
		abort();

	struct pfa_sni_source src;
	pfa_sni_source_read(s, size, &src);
	for (size_t i = 0; i < src.n; i++) {
		if (src.v[i].nfiles == 0 || src.v[i].line < 1)
			abort();
		for (size_t f = 0; f < src.v[i].nfiles; f++)
			if (src.v[i].files[f][0] != '/')
				abort();
	}
	pfa_sni_source_free(&src);
	return 0;
}
