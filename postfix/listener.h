/*
 * listener.h - the one model of Postfix's SMTP listeners: every master.cf
 * inet service run by smtpd or postscreen, with where it listens.
 *
 * For each: the address and port as master.cf writes them, the port
 * number, whether it is disabled by master_service_disable (Postfix does
 * not listen there at all), whether it speaks TLS first (wrapper mode,
 * from its -o override or main.cf), whether it listens beyond loopback,
 * and the loopback addresses (127.0.0.1, ::1, or the exact loopback
 * address it is bound to) on which pfagent may reach it.  Used by the
 * reload gate's health check, the role detection and the audit, and the
 * TLS probe.  Reads only the configuration view: no name resolution, no
 * /etc/services, no file, no log.
 */
#ifndef PFA_LISTENER_H
#define PFA_LISTENER_H

#include <stdbool.h>
#include <stddef.h>

#include "cfview.h"

#define PFA_LISTENER_MAX_LOOPBACK 2

struct pfa_listener {
	const struct pfa_cfsvc *svc;	/* in the view it was made from */
	char *host;		/* bound address, brackets removed; "" when the
				 * service names none (inet_interfaces) */
	char *port;		/* as written: "smtp", "2525" */
	int portnum;		/* 25, 587, 465, the number; 0 unknown */
	bool postscreen;	/* run by postscreen rather than smtpd */
	bool disabled;		/* master_service_disable: not listening */
	bool wrapper;		/* smtpd_tls_wrappermode = yes: TLS first */
	bool public;		/* listens beyond loopback */
	/* numeric loopback addresses it can be reached on, best first:
	 * none for a listener bound to a public address only */
	const char *loopback[PFA_LISTENER_MAX_LOOPBACK];
	size_t nloopback;
};

struct pfa_listeners {
	struct pfa_listener *v;
	size_t n;
};

/* Every SMTP listener of V (disabled ones too, marked), in master.cf
 * order.  Valid while V is. */
void pfa_listeners_get(const struct pfa_cfview *v, struct pfa_listeners *out);
void pfa_listeners_free(struct pfa_listeners *l);

/* --- one service at a time (the model above is made of these) --- */

/* S is an inet service run by smtpd or postscreen. */
bool pfa_listener_svc_smtp(const struct pfa_cfsvc *s);
/* master_service_disable (Postfix 3.5) names S ("name/type" or "type";
 * "!" exempts what follows, the first match decides). */
bool pfa_listener_svc_disabled(const struct pfa_cfview *v,
    const struct pfa_cfsvc *s);
/* The TCP port S listens on: 25, 587, 465 for their names, the number
 * when written as one, 0 when unknown. */
int pfa_listener_svc_port(const struct pfa_cfsvc *s);
/* S is an SMTP listener that is not disabled. */
bool pfa_listener_svc_listens(const struct pfa_cfview *v,
    const struct pfa_cfsvc *s);
/* S listens for SMTP on an address beyond loopback. */
bool pfa_listener_svc_public(const struct pfa_cfview *v,
    const struct pfa_cfsvc *s);
/* inet_interfaces names loopback addresses only. */
bool pfa_listener_interfaces_loopback(const struct pfa_cfview *v);

/* --- addresses --- */

/* HOST (no brackets) is a loopback address, "localhost" or
 * "loopback-only". */
bool pfa_inet_loopback(const char *host);
/*
 * Parses "192.0.2.0/24", "[2001:db8::]/32", "::1" or "10.1.2.3" into
 * family (AF_INET, AF_INET6), address and prefix length (32 or 128 when
 * absent).  An IPv4-mapped IPv6 network comes back as IPv4.  -1 when TOK
 * is no address: a table, a host name, a negation, a bad prefix.
 */
int pfa_inet_cidr(const char *tok, int *family, unsigned char addr[16],
    int *plen);

#endif
