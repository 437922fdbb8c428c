/*
 * tlsfiles.h - the TLS files of a Postfix configuration, as each part of
 * Postfix would load them: the keys and certificates of the SMTP server
 * (main.cf, each smtpd service's -o overrides, tlsproxy for postscreen)
 * and of the SMTP/LMTP client, the CA file and directory each uses, the
 * DH parameter files, and the tls_server_sni_maps tables.  Follows
 * Postfix's precedence: *_tls_chain_files, when set, replaces the
 * per-algorithm cert/key pairs (tls_certkey.c); a key file left at its
 * default ($..._cert_file) follows a service's override of the cert file.
 * Used by check-tls; reads only the configuration view: no file, no
 * command, no log.
 */
#ifndef PFA_TLSFILES_H
#define PFA_TLSFILES_H

#include <stdbool.h>
#include <stddef.h>

#include "cfview.h"

/* One legacy pair: smtpd_tls_cert_file and smtpd_tls_key_file, say. */
struct pfa_tls_pair {
	const char *alg;	/* "RSA", "DSA", "ECDSA" (Postfix's names) */
	char *cert_param;	/* "smtpd_tls_cert_file" */
	char *cert;
	char *key;		/* the same path when both are one file */
};

/* The keys and certificates one part of Postfix loads. */
struct pfa_tls_keyset {
	char *where;		/* "main.cf", "submission/inet", "tlsproxy",
				 * "relay/unix": who loads them */
	bool client;		/* the SMTP/LMTP client's own certificate */
	char *param;		/* the parameter naming the files */
	char **files;		/* *_tls_chain_files, NULL-terminated, or NULL */
	size_t nfiles;
	struct pfa_tls_pair pairs[3];	/* else the legacy pairs */
	size_t npairs;
	char *cafile;		/* *_tls_CAfile, "" when unset */
	char *capath;
	char *sni;		/* the name of an SNI table entry, or NULL */
	int sni_line;		/* its line in the table's source */
};

/* Nothing to load: no chain files and no pair. */
bool pfa_tls_keyset_empty(const struct pfa_tls_keyset *k);
/* A and B load the same files with the same CA settings. */
bool pfa_tls_keyset_same(const struct pfa_tls_keyset *a,
    const struct pfa_tls_keyset *b);
void pfa_tls_keyset_free(struct pfa_tls_keyset *k);

/*
 * The server keys and certificates service S uses (S NULL: main.cf's
 * smtpd settings).  A postscreen service hands STARTTLS to tlsproxy:
 * its keys are tlsproxy's (the tlsproxy service's overrides).
 */
void pfa_tls_server_keyset(const struct pfa_cfview *v,
    const struct pfa_cfsvc *s, struct pfa_tls_keyset *out);
/* The client's keys and certificates for service S (an smtp or lmtp
 * service; NULL: main.cf's smtp_ settings). */
void pfa_tls_client_keyset(const struct pfa_cfview *v,
    const struct pfa_cfsvc *s, struct pfa_tls_keyset *out);

/* Service S (an smtpd or postscreen listener) offers TLS: wrapper mode,
 * or a security level of may or encrypt (or the obsolete use_tls /
 * enforce_tls). */
bool pfa_tls_server_offers(const struct pfa_cfview *v,
    const struct pfa_cfsvc *s);
/* The client of service S (NULL: main.cf) may use TLS. */
bool pfa_tls_client_uses(const struct pfa_cfview *v,
    const struct pfa_cfsvc *s);
/* S is an SMTP or LMTP client service (smtp or lmtp command). */
bool pfa_tls_client_svc(const struct pfa_cfsvc *s);

/* A list of distinct strings, NULL-terminated. */
struct pfa_tls_names {
	char **v;
	size_t n;
};
void pfa_tls_names_free(struct pfa_tls_names *l);

/* Every DH parameter file Postfix reads (smtpd_ and tlsproxy_
 * tls_dh1024_param_file and their overrides; "" and "auto" are none). */
void pfa_tls_dh_files(const struct pfa_cfview *v, struct pfa_tls_names *out);
/* Every table named by tls_server_sni_maps in main.cf or an override,
 * as written ("hash:/etc/postfix/sni"). */
void pfa_tls_sni_tables(const struct pfa_cfview *v, struct pfa_tls_names *out);

#endif
