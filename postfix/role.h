/*
 * role.h - what the host is for, read from its configuration: MX,
 * submission, relay, or a null client with no public listener.  Used by
 * validate-config's audit and by check-tls, whose severities follow the
 * roles.  Reads only the configuration view (cfview.h, listener.h).
 */
#ifndef PFA_ROLE_H
#define PFA_ROLE_H

#include <stddef.h>

#include "cfview.h"

/* Host roles, a bit mask. */
#define PFA_ROLE_MX		0x01	/* receives mail from the Internet on 25 */
#define PFA_ROLE_SUBMISSION	0x02	/* takes mail from users (587/465) */
#define PFA_ROLE_RELAY		0x04	/* relays for hosts of mynetworks */
#define PFA_ROLE_NULLCLIENT	0x08	/* sends only: no public listener */

/*
 * The roles the configuration gives the host: NULLCLIENT when no smtpd
 * listens beyond loopback (inet_interfaces loopback-only or no inet smtpd
 * service); else MX when the "smtp" service listens, SUBMISSION when
 * submission/smtps (or a service on 587/465) does, RELAY when mynetworks
 * holds more than loopback.
 */
unsigned pfa_role_detect(const struct pfa_cfview *v);
/* "mx,submission" into BUF; "none" for 0. */
const char *pfa_role_names(unsigned roles, char *buf, size_t n);
/* One of "mx", "submission", "relay", "null-client": 0 and *bit; -1. */
int pfa_role_parse(const char *name, unsigned *bit);
/* A mynetworks entry: 2 for a /0, 1 for an implausibly broad public
 * range, 0 otherwise. */
int pfa_role_net_breadth(const char *tok);

#endif
