/*
 * smtp.h - talking SMTP to a Postfix listener on loopback: the banner
 * probe of the reload gate's health check, and check-tls's TLS probe
 * (STARTTLS on a plain listener, a handshake first on a wrapper-mode
 * one), with OpenSSL's API.
 *
 * Connects only to the numeric address it is given (the callers pass
 * loopback addresses from listener.h), never resolves a name, and never
 * waits longer than the timeout it is given, for the whole probe.  Sends
 * nothing but EHLO, STARTTLS and QUIT; verifies nothing (the caller
 * checks what was served).  Errors come back as text in the caller's
 * buffer; nothing is logged.  SIGPIPE is held off while a probe writes.
 */
#ifndef PFA_SMTP_H
#define PFA_SMTP_H

#include <stdbool.h>
#include <stddef.h>

#include <openssl/x509.h>

/*
 * Connects to HOST:PORT (numeric host; PORT a number or a service name)
 * and reads the first reply line into LINE.  0 if it starts with "220",
 * -1 otherwise (LINE says why).
 */
int pfa_smtp_banner(const char *host, const char *port, int timeout_ms,
    char *line, size_t size);

/* How a TLS probe ended. */
enum pfa_tlsp_end {
	PFA_TLSP_DONE = 0,	/* handshake completed */
	PFA_TLSP_CONNECT,	/* no connection (refused, unreachable) */
	PFA_TLSP_TIMEOUT,	/* the listener did not answer in time */
	PFA_TLSP_SMTP,		/* an SMTP reply other than expected
				 * (no 220 greeting, EHLO refused) */
	PFA_TLSP_NOTLS,		/* TLS not available: no STARTTLS in the
				 * EHLO reply, or STARTTLS refused (454) */
	PFA_TLSP_HANDSHAKE,	/* the server refused or broke the handshake */
	PFA_TLSP_LOCAL,		/* this side cannot offer what was asked
				 * (a protocol the library lacks) */
};

struct pfa_tls_probe {
	/* what to do */
	const char *host;	/* numeric */
	int port;
	bool wrapper;		/* TLS first (smtpd_tls_wrappermode) */
	const char *sni;	/* server name to send, or NULL */
	const char *sigalgs;	/* signature algorithms to offer (forces
				 * the server's key type), or NULL */
	const char *ciphers;	/* TLS <= 1.2 cipher list, or NULL */
	int min_version;	/* TLS1_VERSION ..., 0: the library's */
	int max_version;
	int security_level;	/* the probe's own, -1: the library's */
	const char *helo;	/* EHLO name; NULL: "[127.0.0.1]" */
	int timeout_ms;		/* for the whole probe */

	/* what happened */
	enum pfa_tlsp_end end;
	char error[320];	/* why it ended, when not DONE */
	char reply[256];	/* the server's reply that ended it, if any */
	char protocol[16];	/* "TLSv1.3" */
	char cipher[64];	/* "TLS_AES_256_GCM_SHA384" */
	char tmp_key[64];	/* as openssl s_client prints "Server Temp
				 * Key": "X25519, 253 bits", "DH, 2048 bits",
				 * "ECDH, prime256v1, 256 bits"; "" if none */
	char tmp_type[16];	/* "X25519", "DH", "ECDH", ... */
	int tmp_bits;
	STACK_OF(X509) *chain;	/* what the server sent, leaf first */
	double handshake_s;	/* the handshake alone */
};

/*
 * Runs the probe P describes and fills its results.  0 when the
 * handshake completed (P->end PFA_TLSP_DONE), -1 otherwise (P->end and
 * P->error say why).  Free with pfa_tls_probe_clear.
 */
int pfa_smtp_tls_probe(struct pfa_tls_probe *p);
void pfa_tls_probe_clear(struct pfa_tls_probe *p);

#endif
