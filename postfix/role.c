/*
 * role.c - what the host is for, read from its configuration: which
 * master.cf services listen for SMTP beyond loopback, on which port, and
 * whether mynetworks trusts more than the host itself.
 *
 * Reads only the configuration view (cfview.h); resolves no names, reads
 * no file, runs nothing and never logs.  The listener and address helpers
 * at the end are shared with audit_smtpd.c and audit_relay.c.
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

#include "audit.h"

static int cidr(const char *tok, int *family, unsigned char addr[16],
    int *plen);

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

/* ------------------------------------------------------- addresses */

/* Host part HOST (no brackets) is a loopback address or "localhost". */
static bool
host_loopback(const char *host)
{
	int af, plen;
	unsigned char a[16];

	if (strcasecmp(host, "localhost") == 0 ||
	    strcasecmp(host, "loopback-only") == 0)
		return true;
	if (cidr(host, &af, a, &plen) < 0)
		return false;
	if (af == AF_INET)
		return a[0] == 127 && plen >= 8;
	static const unsigned char one[16] = { [15] = 1 };
	return plen == 128 && memcmp(a, one, 16) == 0;
}

static int
tok_not_loopback(void *arg, const char *tok, size_t i)
{
	(void)arg;
	(void)i;
	return host_loopback(tok) ? 0 : 1;
}

/* inet_interfaces names loopback addresses only. */
bool
pfa_role_interfaces_loopback(const struct pfa_cfview *v)
{
	const char *ii = pfa_cf_get(v, "inet_interfaces");

	if (ii == NULL)
		ii = "all";
	size_t n = strspn(ii, " \t,");
	if (ii[n] == '\0')
		return false;	/* empty means all, as Postfix reads it */
	return pfa_cf_tokens(ii, tok_not_loopback, NULL) == 0;
}

/* A mynetworks entry that trusts more than the host's loopback. */
static int
tok_beyond_loopback(void *arg, const char *tok, size_t i)
{
	(void)arg;
	(void)i;
	if (tok[0] == '!')
		return 0;	/* an exclusion widens nothing */
	return host_loopback(tok) ? 0 : 1;
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

/* ------------------------------------------------------- services */

struct disable_arg {
	const struct pfa_cfsvc *s;
};

/* 1 if TOK names S, 2 if it is "!..." and names S (it stays enabled), 0
 * to go on: the first match decides, as in Postfix's match lists. */
static int
tok_disables(void *arg, const char *tok, size_t i)
{
	const struct pfa_cfsvc *s = ((struct disable_arg *)arg)->s;
	bool not = tok[0] == '!';
	const char *t = tok + not;
	const char *slash = strchr(t, '/');
	bool match;

	(void)i;
	if (slash == NULL)
		match = strcmp(t, s->type) == 0;
	else
		match = strncmp(t, s->name, (size_t)(slash - t)) == 0 &&
		    s->name[slash - t] == '\0' &&
		    strcmp(slash + 1, s->type) == 0;
	return match ? (not ? 2 : 1) : 0;
}

/* master_service_disable (Postfix 3.5) names "name/type" or "type", and
 * "!" exempts what follows from a later match. */
static bool
disabled(const struct pfa_cfview *v, const struct pfa_cfsvc *s)
{
	struct disable_arg a = { s };
	return pfa_cf_tokens(pfa_cf_get(v, "master_service_disable"),
	    tok_disables, &a) == 1;
}

/*
 * Splits a service name into host (brackets removed, "" when none) and
 * port: "smtp", "127.0.0.1:smtp", "[::1]:25".
 */
static const char *
split_name(const char *name, char *host, size_t n)
{
	const char *colon;

	host[0] = '\0';
	if (name[0] == '[') {
		const char *close = strchr(name, ']');
		if (close == NULL || close[1] != ':')
			return name;
		if ((size_t)(close - name) <= n) {
			memcpy(host, name + 1, (size_t)(close - name - 1));
			host[close - name - 1] = '\0';
		}
		return close + 2;
	}
	if ((colon = strrchr(name, ':')) == NULL)
		return name;
	if ((size_t)(colon - name) < n) {
		memcpy(host, name, (size_t)(colon - name));
		host[colon - name] = '\0';
	}
	return colon + 1;
}

/*
 * The TCP port service S listens on: 25, 587, 465 for their names, the
 * number when written as one, 0 when unknown (no /etc/services lookup).
 */
int
pfa_role_svc_port(const struct pfa_cfsvc *s)
{
	char host[256];
	const char *port = split_name(s->name, host, sizeof(host));

	if (strcmp(port, "smtp") == 0)
		return 25;
	if (strcmp(port, "submission") == 0)
		return 587;
	if (strcmp(port, "submissions") == 0 || strcmp(port, "smtps") == 0)
		return 465;
	if (port[0] == '\0' || strspn(port, "0123456789") != strlen(port))
		return 0;
	long p = strtol(port, NULL, 10);
	return p > 0 && p < 65536 ? (int)p : 0;
}

/* S is an enabled inet service run by smtpd or postscreen. */
bool
pfa_role_svc_listens(const struct pfa_cfview *v, const struct pfa_cfsvc *s)
{
	return strcmp(s->type, "inet") == 0 &&
	    (strcmp(s->command, "smtpd") == 0 ||
	    strcmp(s->command, "postscreen") == 0) && !disabled(v, s);
}

/* S listens for SMTP on an address beyond loopback. */
bool
pfa_role_svc_public(const struct pfa_cfview *v, const struct pfa_cfsvc *s)
{
	char host[256];

	if (!pfa_role_svc_listens(v, s))
		return false;
	(void)split_name(s->name, host, sizeof(host));
	if (host[0] != '\0')	/* bound there: inet_interfaces ignored */
		return !host_loopback(host);
	return !pfa_role_interfaces_loopback(v);
}

/*
 * Parses "192.0.2.0/24", "[2001:db8::]/32", "::1" or "10.1.2.3" into
 * family, address and prefix length (32 or 128 when absent).  An
 * IPv4-mapped IPv6 network comes back as IPv4.  -1 when TOK is no
 * address: a table, a host name, a negation, a bad prefix.
 */
static int
cidr(const char *tok, int *family, unsigned char addr[16], int *plen)
{
	char buf[64];
	const char *slash = strchr(tok, '/');
	size_t len = slash ? (size_t)(slash - tok) : strlen(tok);

	if (len >= 2 && tok[0] == '[' && tok[len - 1] == ']') {
		tok++;
		len -= 2;
	}
	if (len == 0 || len >= sizeof(buf))
		return -1;
	memcpy(buf, tok, len);
	buf[len] = '\0';
	memset(addr, 0, 16);
	int max;
	if (inet_pton(AF_INET, buf, addr) == 1) {
		*family = AF_INET;
		max = 32;
	} else if (inet_pton(AF_INET6, buf, addr) == 1) {
		*family = AF_INET6;
		max = 128;
	} else
		return -1;
	*plen = max;
	if (slash != NULL) {
		const char *p = slash + 1;
		if (*p == '\0' || strspn(p, "0123456789") != strlen(p) ||
		    strlen(p) > 3 || atoi(p) > max)
			return -1;
		*plen = atoi(p);
	}
	static const unsigned char mapped[12] = { [10] = 0xff, [11] = 0xff };
	if (*family == AF_INET6 && *plen >= 96 &&
	    memcmp(addr, mapped, 12) == 0) {
		memmove(addr, addr + 12, 4);
		memset(addr + 4, 0, 12);
		*family = AF_INET;
		*plen -= 96;
	}
	return 0;
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

	if (cidr(tok, &af, a, &plen) < 0)
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
		if (!pfa_role_svc_public(v, s))
			continue;
		public = true;
		switch (pfa_role_svc_port(s)) {
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
