/*
 * pem.h - checks of the PEM files Postfix is configured with: DH
 * parameters (rotate-dh checks what it writes and what it replaces;
 * check-tls what Postfix reads), and, growing with check-tls,
 * certificates and keys.  OpenSSL's API only, no parsing by hand.
 *
 * Every function returns 0 or -1; on -1 one line saying why is written to
 * errbuf (NUL-terminated, truncated to fit errlen).  errbuf may be NULL,
 * or errlen 0: the reason is then dropped.  Nothing here logs or writes.
 */
#ifndef PFA_PEM_H
#define PFA_PEM_H

#include <stddef.h>

/*
 * Checks PEM text of DH parameters: decodes ("BEGIN DH PARAMETERS",
 * PKCS#3), EVP_PKEY_param_check.  0: valid, *bits set (BITS may be NULL);
 * -1: invalid, reason in errbuf.
 */
int pfa_dh_check_pem(const char *pem, size_t len, int *bits, char *errbuf,
    size_t errlen);

/*
 * Error text for OpenSSL callers; both write nothing when ERRBUF is NULL
 * or ERRLEN 0.  The second appends OpenSSL's latest reason to WHAT and
 * empties the calling thread's error queue.
 */
void pfa_ssl_set_err(char *errbuf, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void pfa_ssl_set_ssl_err(char *errbuf, size_t errlen, const char *what);

#endif
