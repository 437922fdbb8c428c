/*
 * pem.c - reading the PEM files Postfix is configured with (pem.h): DH
 * parameters (decoded, checked, the standard group recognised), private
 * keys with their certificate chains paired exactly as Postfix's
 * tls_certkey.c pairs them, the certificates of a CA file; and
 * OpenSSL's error text for every caller.
 *
 * OpenSSL's API only: PEM blocks are found by PEM_read_bio, their DER
 * decoded by d2i_*; nothing is parsed by hand.  Works on text the caller
 * read; must not open or write files, log, exit or read configuration.
 * There is no global state; any thread may call any of this.  Every
 * function returns 0 or -1; on -1 one line of plain text, with OpenSSL's
 * reason where there is one, is in errbuf, and the calling thread's
 * OpenSSL error queue is left empty.  Allocation failures of our own
 * abort (pfa_xmalloc).  Decoded key material is cleared before it is
 * freed (OpenSSL clears the keys themselves).
 */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "pem.h"
#include "result.h"

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

int
pfa_dh_inspect_pem(const char *pem, size_t len, struct pfa_dh_info *info,
    char *errbuf, size_t errlen)
{
	EVP_PKEY *pkey = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	BIGNUM *p = NULL, *q = NULL;
	BIO *bio = NULL;
	char *name = NULL, *header = NULL;
	unsigned char *der = NULL;
	long derlen = 0;
	int rc = -1;

	memset(info, 0, sizeof(*info));
	if (pem == NULL || len == 0 || len > INT_MAX) {
		pfa_ssl_set_err(errbuf, errlen, "no DH parameters: %s",
		    len == 0 ? "empty input" : "input too large");
		return -1;
	}
	ERR_clear_error();
	if ((bio = BIO_new_mem_buf(pem, (int)len)) == NULL ||
	    !PEM_read_bio(bio, &name, &header, &der, &derlen)) {
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
	    (pkey = PEM_read_bio_Parameters(bio, NULL)) == NULL ||
	    !EVP_PKEY_is_a(pkey, "DH")) {
		pfa_ssl_set_ssl_err(errbuf, errlen, "cannot decode DH parameters");
		goto out;
	}
	info->bits = EVP_PKEY_get_bits(pkey);
	size_t glen = 0;
	if (EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME,
	    info->group, sizeof(info->group), &glen) != 1)
		info->group[0] = '\0';
	ERR_clear_error();
	if ((ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL)) != NULL &&
	    EVP_PKEY_param_check(ctx) == 1)
		info->check_ok = true;
	else
		pfa_ssl_set_ssl_err(info->check_err, sizeof(info->check_err),
		    "the parameters fail OpenSSL's check");
	if (info->group[0] != '\0') {
		info->safe_prime = true;	/* a standard group is one */
	} else if (EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_FFC_P, &p) &&
	    (q = BN_dup(p)) != NULL && BN_sub_word(q, 1) && BN_rshift1(q, q)) {
		info->safe_prime = BN_check_prime(p, NULL, NULL) == 1 &&
		    BN_check_prime(q, NULL, NULL) == 1;
	}
	rc = 0;
out:
	BN_free(p);
	BN_free(q);
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(pkey);
	BIO_free(bio);
	OPENSSL_free(name);
	OPENSSL_free(header);
	OPENSSL_free(der);
	ERR_clear_error();
	return rc;
}

/* ------------------------------------------------ keys and chains */

/* One PEM object of a text. */
struct pem_obj {
	char *name, *header;
	unsigned char *der;
	long len;
	int num;		/* 1-based, in its text */
};

/* Frees O; its DER may be a private key: cleared first. */
static void
obj_clear(struct pem_obj *o)
{
	OPENSSL_free(o->name);
	OPENSSL_free(o->header);
	OPENSSL_clear_free(o->der, o->der ? (size_t)o->len : 0);
	o->name = o->header = NULL;
	o->der = NULL;
	o->len = 0;
}

/* 1 and the next object, 0 at the end, -1 on a damaged block. */
static int
next_obj(BIO *bio, struct pem_obj *o, const struct pfa_pem_text *t,
    char *errbuf, size_t errlen)
{
	obj_clear(o);
	if (PEM_read_bio(bio, &o->name, &o->header, &o->der, &o->len)) {
		o->num++;
		return 1;
	}
	unsigned long e = ERR_peek_last_error();
	if (ERR_GET_LIB(e) == ERR_LIB_PEM &&
	    ERR_GET_REASON(e) == PEM_R_NO_START_LINE) {
		ERR_clear_error();
		return 0;
	}
	char what[300];
	snprintf(what, sizeof(what), "%s: PEM object %d is damaged", t->name,
	    o->num + 1);
	pfa_ssl_set_ssl_err(errbuf, errlen, what);
	return -1;
}

static BIO *
text_bio(const struct pfa_pem_text *t, char *errbuf, size_t errlen)
{
	BIO *bio;
	if (t->len > INT_MAX) {
		pfa_ssl_set_err(errbuf, errlen, "%s: too large", t->name);
		return NULL;
	}
	if ((bio = BIO_new_mem_buf(t->data ? t->data : "", (int)t->len)) == NULL)
		pfa_ssl_set_ssl_err(errbuf, errlen, "cannot read PEM text");
	return bio;
}

static bool
is_cert(const char *name)
{
	return strcmp(name, PEM_STRING_X509) == 0 ||
	    strcmp(name, PEM_STRING_X509_OLD) == 0;
}

/* The key type of a private key block; -1 if NAME is none Postfix reads,
 * -2 for an encrypted one. */
static int
key_kind(const struct pem_obj *o)
{
	if (strcmp(o->name, PEM_STRING_PKCS8) == 0 ||
	    (o->header != NULL && strstr(o->header, "ENCRYPTED") != NULL))
		return -2;
	if (strcmp(o->name, PEM_STRING_PKCS8INF) == 0)
		return EVP_PKEY_NONE;
	if (strcmp(o->name, PEM_STRING_RSA) == 0)
		return EVP_PKEY_RSA;
	if (strcmp(o->name, PEM_STRING_ECPRIVATEKEY) == 0)
		return EVP_PKEY_EC;
	if (strcmp(o->name, PEM_STRING_DSA) == 0)
		return EVP_PKEY_DSA;
	return -1;
}

/* The key of O (KIND from key_kind, >= 0), or NULL and errbuf. */
static EVP_PKEY *
decode_key(const struct pem_obj *o, int kind, const struct pfa_pem_text *t,
    char *errbuf, size_t errlen)
{
	const unsigned char *p = o->der;
	EVP_PKEY *k = NULL;
	if (kind != EVP_PKEY_NONE) {
		k = d2i_PrivateKey(kind, NULL, &p, o->len);
	} else {
		PKCS8_PRIV_KEY_INFO *p8 = d2i_PKCS8_PRIV_KEY_INFO(NULL, &p,
		    o->len);
		if (p8 != NULL)
			k = EVP_PKCS82PKEY(p8);
		PKCS8_PRIV_KEY_INFO_free(p8);
	}
	char what[300];
	if (k != NULL && p - o->der != o->len) {
		EVP_PKEY_free(k);
		pfa_ssl_set_err(errbuf, errlen, "%s: private key (PEM object "
		    "%d): excess data", t->name, o->num);
		return NULL;
	}
	if (k == NULL) {
		snprintf(what, sizeof(what), "%s: cannot decode the private key "
		    "(PEM object %d)", t->name, o->num);
		pfa_ssl_set_ssl_err(errbuf, errlen, what);
	}
	return k;
}

static X509 *
decode_cert(const struct pem_obj *o, const struct pfa_pem_text *t,
    char *errbuf, size_t errlen)
{
	const unsigned char *p = o->der;
	X509 *x = d2i_X509(NULL, &p, o->len);
	char what[300];
	if (x != NULL && p - o->der != o->len) {
		X509_free(x);
		pfa_ssl_set_err(errbuf, errlen, "%s: certificate (PEM object "
		    "%d): excess data", t->name, o->num);
		return NULL;
	}
	if (x == NULL) {
		snprintf(what, sizeof(what), "%s: cannot decode the certificate "
		    "(PEM object %d)", t->name, o->num);
		pfa_ssl_set_ssl_err(errbuf, errlen, what);
	}
	return x;
}

static void
chain_push(STACK_OF(X509) **sk, X509 *x)
{
	if (*sk == NULL && (*sk = sk_X509_new_null()) == NULL)
		abort();
	if (!sk_X509_push(*sk, x))
		abort();
}

void
pfa_pem_chain_free(struct pfa_pem_chain *c)
{
	if (c == NULL)
		return;
	EVP_PKEY_free(c->key);
	X509_free(c->leaf);
	sk_X509_pop_free(c->chain, X509_free);
	memset(c, 0, sizeof(*c));
}

void
pfa_pem_chains_free(struct pfa_pem_chains *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < c->n; i++)
		pfa_pem_chain_free(&c->v[i]);
	free(c->v);
	c->v = NULL;
	c->n = 0;
}

static void
chains_add(struct pfa_pem_chains *out, struct pfa_pem_chain *cur)
{
	if (cur->chain == NULL && (cur->chain = sk_X509_new_null()) == NULL)
		abort();
	out->v = pfa_xrealloc(out->v, (out->n + 1) * sizeof(*out->v));
	out->v[out->n++] = *cur;
	memset(cur, 0, sizeof(*cur));
}

int
pfa_pem_read_chains(const struct pfa_pem_text *texts, size_t n,
    struct pfa_pem_chains *out, char *errbuf, size_t errlen)
{
	struct pfa_pem_chain cur = { 0 };
	struct pem_obj o = { 0 };
	int rc = 0, key_num = 0;
	const char *key_text = NULL;

	out->v = NULL;
	out->n = 0;
	ERR_clear_error();
	for (size_t i = 0; rc == 0 && i < n; i++) {
		const struct pfa_pem_text *t = &texts[i];
		BIO *bio = text_bio(t, errbuf, errlen);
		if (bio == NULL) {
			rc = -1;
			break;
		}
		o.num = 0;
		int r = 0;
		while (rc == 0 && (r = next_obj(bio, &o, t, errbuf,
		    errlen)) > 0) {
			int kind = key_kind(&o);
			if (is_cert(o.name)) {
				if (cur.key == NULL) {
					pfa_ssl_set_err(errbuf, errlen, "%s: "
					    "certificate (PEM object %d) before "
					    "any private key: Postfix wants the "
					    "key first", t->name, o.num);
					rc = -1;
					break;
				}
				X509 *x = decode_cert(&o, t, errbuf, errlen);
				if (x == NULL) {
					rc = -1;
				} else if (cur.leaf == NULL) {
					cur.leaf = x;
					cur.leaf_from = t->name;
				} else {
					chain_push(&cur.chain, x);
				}
			} else if (kind >= 0 || kind == -2) {
				if (cur.key != NULL && cur.leaf == NULL) {
					pfa_ssl_set_err(errbuf, errlen, "%s: the "
					    "private key (PEM object %d of %s) is "
					    "not followed by a certificate",
					    t->name, key_num, key_text);
					rc = -1;
					break;
				}
				if (kind == -2) {
					pfa_ssl_set_err(errbuf, errlen, "%s: the "
					    "private key (PEM object %d) is "
					    "encrypted: Postfix cannot use a key "
					    "with a passphrase", t->name, o.num);
					rc = -1;
					break;
				}
				if (cur.key != NULL)
					chains_add(out, &cur);
				if ((cur.key = decode_key(&o, kind, t, errbuf,
				    errlen)) == NULL) {
					rc = -1;
					break;
				}
				cur.key_from = t->name;
				key_num = o.num;
				key_text = t->name;
			} else {
				pfa_ssl_set_err(errbuf, errlen, "%s: unexpected "
				    "PEM object %d \"%s\" (Postfix reads "
				    "private keys and certificates only)",
				    t->name, o.num, o.name);
				rc = -1;
			}
		}
		if (r < 0)
			rc = -1;
		BIO_free(bio);
	}
	obj_clear(&o);
	if (rc == 0 && cur.key == NULL && out->n == 0) {
		pfa_ssl_set_err(errbuf, errlen, "%s: no private key or "
		    "certificate (no PEM data)", n > 0 ? texts[0].name : "");
		rc = -1;
	} else if (rc == 0 && cur.key != NULL && cur.leaf == NULL) {
		pfa_ssl_set_err(errbuf, errlen, "%s: no certificate for the "
		    "private key (PEM object %d)", key_text, key_num);
		rc = -1;
	}
	if (rc == 0)
		chains_add(out, &cur);
	pfa_pem_chain_free(&cur);
	ERR_clear_error();
	return rc;
}

/* The certificates of T into OUT (leaf first, the rest into its chain);
 * WANT_KEY also takes its first private key (the one-file pair). */
static int
read_certs_of(const struct pfa_pem_text *t, struct pfa_pem_chain *out,
    bool want_key, char *errbuf, size_t errlen)
{
	struct pem_obj o = { 0 };
	BIO *bio = text_bio(t, errbuf, errlen);
	int r = 0, rc = 0;
	if (bio == NULL)
		return -1;
	while (rc == 0 && (r = next_obj(bio, &o, t, errbuf, errlen)) > 0) {
		int kind = key_kind(&o);
		if (is_cert(o.name)) {
			X509 *x = decode_cert(&o, t, errbuf, errlen);
			if (x == NULL)
				rc = -1;
			else if (out->leaf == NULL)
				out->leaf = x, out->leaf_from = t->name;
			else
				chain_push(&out->chain, x);
		} else if (want_key && out->key == NULL && kind == -2) {
			pfa_ssl_set_err(errbuf, errlen, "%s: the private key "
			    "(PEM object %d) is encrypted: Postfix cannot use "
			    "a key with a passphrase", t->name, o.num);
			rc = -1;
		} else if (want_key && out->key == NULL && kind >= 0) {
			if ((out->key = decode_key(&o, kind, t, errbuf,
			    errlen)) == NULL)
				rc = -1;
			out->key_from = t->name;
		}
	}
	if (r < 0)
		rc = -1;
	obj_clear(&o);
	BIO_free(bio);
	return rc;
}

int
pfa_pem_read_pair(const struct pfa_pem_text *cert,
    const struct pfa_pem_text *key, struct pfa_pem_chain *out,
    char *errbuf, size_t errlen)
{
	bool one = key == NULL || key == cert ||
	    (key->name && cert->name && strcmp(key->name, cert->name) == 0);
	int rc = -1;

	memset(out, 0, sizeof(*out));
	ERR_clear_error();
	if (read_certs_of(cert, out, one, errbuf, errlen) < 0)
		goto done;
	if (out->leaf == NULL) {
		pfa_ssl_set_err(errbuf, errlen, "%s: no certificate (no PEM "
		    "\"CERTIFICATE\" block)", cert->name);
		goto done;
	}
	if (!one) {
		struct pfa_pem_chain k = { 0 };
		int r = read_certs_of(key, &k, true, errbuf, errlen);
		out->key = k.key;
		out->key_from = key->name;
		k.key = NULL;
		pfa_pem_chain_free(&k);
		if (r < 0)
			goto done;
	}
	if (out->key == NULL) {
		pfa_ssl_set_err(errbuf, errlen, "%s: no private key", one ?
		    cert->name : key->name);
		goto done;
	}
	rc = 0;
done:
	if (out->chain == NULL && (out->chain = sk_X509_new_null()) == NULL)
		abort();
	ERR_clear_error();
	return rc;
}

int
pfa_pem_read_certs(const struct pfa_pem_text *text, STACK_OF(X509) **out,
    char *errbuf, size_t errlen)
{
	struct pfa_pem_chain c = { 0 };
	*out = NULL;
	ERR_clear_error();
	int rc = read_certs_of(text, &c, false, errbuf, errlen);
	if (rc == 0 && c.leaf == NULL) {
		pfa_ssl_set_err(errbuf, errlen, "%s: no certificate (no PEM "
		    "\"CERTIFICATE\" block)", text->name);
		rc = -1;
	}
	if (rc == 0) {
		if (c.chain == NULL && (c.chain = sk_X509_new_null()) == NULL)
			abort();
		if (!sk_X509_unshift(c.chain, c.leaf))
			abort();
		c.leaf = NULL;
		*out = c.chain;
		c.chain = NULL;
	}
	pfa_pem_chain_free(&c);
	ERR_clear_error();
	return rc;
}

int
pfa_pem_count(const struct pfa_pem_text *text)
{
	struct pem_obj o = { 0 };
	BIO *bio = text_bio(text, NULL, 0);
	int r = 0, n = 0;
	if (bio == NULL)
		return -1;
	while ((r = next_obj(bio, &o, text, NULL, 0)) > 0)
		n++;
	obj_clear(&o);
	BIO_free(bio);
	ERR_clear_error();
	return r < 0 ? -1 : n;
}
