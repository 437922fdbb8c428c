/*
 * role.c - what the host is for, read from its configuration: which
 * master.cf services listen for SMTP beyond loopback, on which port, and
 * whether mynetworks trusts more than the host itself.
 *
 * Reads only the configuration view (cfview.h) and its listeners
 * (listener.h); resolves no names, reads no file, runs nothing and never
 * logs.
 *
 * Rules:
 *   NULLCLIENT  no smtpd (or postscreen) inet service listens beyond
 *               loopback: inet_interfaces is loopback only, or every such
 *               service is bound to a loopback address ("127.0.0.1:smtp"),
 *               disabled by master_service_disable, or there is none.
 *   MX          a public listener on smtp/25.
 *   SUBMISSION  a public listener on submission/587 or submissions,
 *               smtps/465.
 *   RELAY       a public listener, and mynetworks holds more than
 *               loopback; with mynetworks unset (postconf -x then shows
 *               the host's own addresses) mynetworks_style subnet or
 *               class.  A table ("cidr:/etc/...") in mynetworks counts.
 * A public listener on another port sets no bit, so 0 ("none") means
 * "listens, but for nothing we recognise".
 */
#include <arpa/inet.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "listener.h"
#include "role.h"

static const struct {
	unsigned bit;
	const char *name;
} role_names[] = {
	{ PFA_ROLE_MX, "mx" },
	{ PFA_ROLE_SUBMISSION, "submission" },
	{ PFA_ROLE_RELAY, "relay" },
	{ PFA_ROLE_NULLCLIENT, "null-client" },
};

#define NROLES (sizeof(role_names) / sizeof(role_names[0]))

/* A mynetworks entry that trusts more than the host's loopback. */
static int
tok_beyond_loopback(void *arg, const char *tok, size_t i)
{
	(void)arg;
	(void)i;
	if (tok[0] == '!')
		return 0;	/* an exclusion widens nothing */
	return pfa_inet_loopback(tok) ? 0 : 1;
}

static bool
relays(const struct pfa_cfview *v)
{
	if (pfa_cf_is_set(v, "mynetworks"))
		return pfa_cf_tokens(pfa_cf_get(v, "mynetworks"),
		    tok_beyond_loopback, NULL) != 0;
	const char *style = pfa_cf_get(v, "mynetworks_style");
	return style != NULL && (strcasecmp(style, "subnet") == 0 ||
	    strcasecmp(style, "class") == 0);
}

/* NET/PLEN of FAMILY lies within private or special-use space. */
static bool
net_private(int family, const unsigned char *a, int plen)
{
	static const struct {
		unsigned char b0, b1, mask1;
		int plen;
	} nets[] = {
		{ 10, 0, 0x00, 8 }, { 127, 0, 0x00, 8 }, { 172, 16, 0xf0, 12 },
		{ 192, 168, 0xff, 16 }, { 100, 64, 0xc0, 10 },
		{ 169, 254, 0xff, 16 },
	};

	if (family == AF_INET) {
		for (size_t i = 0; i < sizeof(nets) / sizeof(nets[0]); i++)
			if (plen >= nets[i].plen && a[0] == nets[i].b0 &&
			    (a[1] & nets[i].mask1) == nets[i].b1)
				return true;
		return false;
	}
	/* fc00::/7 unique local, fe80::/10 link local */
	return (plen >= 7 && (a[0] & 0xfe) == 0xfc) ||
	    (plen >= 10 && a[0] == 0xfe && (a[1] & 0xc0) == 0x80);
}

/*
 * How much a mynetworks entry trusts: 2 for the whole Internet (a /0),
 * 1 for a public range broader than an IPv4 /16 or IPv6 /32, else 0
 * (private space, narrow ranges, tables, names).
 */
int
pfa_role_net_breadth(const char *tok)
{
	int af, plen;
	unsigned char a[16];

	if (pfa_inet_cidr(tok, &af, a, &plen) < 0)
		return 0;
	if (plen == 0)
		return 2;
	if (net_private(af, a, plen))
		return 0;
	return plen < (af == AF_INET ? 16 : 32) ? 1 : 0;
}

/* ------------------------------------------------------- roles */

unsigned
pfa_role_detect(const struct pfa_cfview *v)
{
	unsigned roles = 0;
	bool public = false;

	for (size_t i = 0; i < v->nsvcs; i++) {
		const struct pfa_cfsvc *s = &v->svcs[i];
		if (!pfa_listener_svc_public(v, s))
			continue;
		public = true;
		switch (pfa_listener_svc_port(s)) {
		case 25:
			roles |= PFA_ROLE_MX;
			break;
		case 587:
		case 465:
			roles |= PFA_ROLE_SUBMISSION;
			break;
		default:
			break;
		}
	}
	if (!public)
		return PFA_ROLE_NULLCLIENT;
	if (relays(v))
		roles |= PFA_ROLE_RELAY;
	return roles;
}

const char *
pfa_role_names(unsigned roles, char *buf, size_t n)
{
	size_t used = 0;

	if (n == 0)
		return buf;
	buf[0] = '\0';
	for (size_t i = 0; i < NROLES; i++) {
		if (!(roles & role_names[i].bit))
			continue;
		int w = snprintf(buf + used, n - used, "%s%s",
		    used ? "," : "", role_names[i].name);
		if (w < 0 || (size_t)w >= n - used) {
			buf[used] = '\0';	/* no half names */
			return buf;
		}
		used += (size_t)w;
	}
	if (used == 0)
		snprintf(buf, n, "none");
	return buf;
}

int
pfa_role_parse(const char *name, unsigned *bit)
{
	for (size_t i = 0; i < NROLES; i++)
		if (strcasecmp(name, role_names[i].name) == 0) {
			*bit = role_names[i].bit;
			return 0;
		}
	if (strcasecmp(name, "nullclient") == 0) {
		*bit = PFA_ROLE_NULLCLIENT;
		return 0;
	}
	return -1;
}
