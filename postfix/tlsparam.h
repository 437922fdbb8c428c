/*
 * tlsparam.h - Postfix's TLS settings read exactly as Postfix reads them,
 * the one model for the loadability checks (what Postfix rejects), the
 * audit (what the settings enable) and check-tls.
 *
 * Postfix looks TLS protocol and version names and cipher grades up
 * without regard to case (name_code with NAME_CODE_FLAG_NONE in
 * tls_misc.c).  Pure functions: no file, no log.
 */
#ifndef PFA_TLSPARAM_H
#define PFA_TLSPARAM_H

#include <stdbool.h>
#include <stddef.h>

/* Protocols, a bit mask. */
#define PFA_TLS_SSLV2	0x01u
#define PFA_TLS_SSLV3	0x02u
#define PFA_TLS_TLSV1	0x04u
#define PFA_TLS_TLSV1_1	0x08u
#define PFA_TLS_TLSV1_2	0x10u
#define PFA_TLS_TLSV1_3	0x20u
#define PFA_TLS_ALL	0x3fu
#define PFA_TLS_SSL	0x03u	/* SSLv2, SSLv3 */
#define PFA_TLS_OLD	0x0cu	/* TLSv1, TLSv1.1 */

/*
 * The protocols LIST leaves enabled, as Postfix reads it
 * (tls_proto_mask_lims): names to include, !names to exclude (an include
 * list excludes everything it does not name), and the >= / <= bounds of
 * Postfix 3.6 (a name from SSLv3 up, "None", or hex).  An empty list
 * enables everything.  -1 if Postfix rejects the list ("Invalid TLS
 * protocol list": TLS is disabled).
 */
int pfa_tls_protocols(const char *list);
/* "SSLv2, SSLv3" for the protocols of MASK, into BUF; returns BUF. */
const char *pfa_tls_protocol_names(unsigned mask, char *buf, size_t n);
/* GRADE is a cipher grade Postfix knows (high, medium, low, export,
 * null, in any case). */
bool pfa_tls_grade_ok(const char *grade);

#endif
