/*
 * listener.c - Postfix's SMTP listeners (listener.h): which master.cf
 * inet services run smtpd or postscreen, where each listens, whether
 * master_service_disable turns it off, whether it speaks TLS first, and
 * on which loopback address pfagent can reach it; and the address
 * helpers behind that (loopback, CIDR).
 *
 * Reads only the configuration view; resolves no names, reads no file,
 * runs nothing and never logs.
 */
#include <arpa/inet.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "listener.h"
#include "result.h"

/* ------------------------------------------------------- addresses */

int
pfa_inet_cidr(const char *tok, int *family, unsigned char addr[16], int *plen)
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

bool
pfa_inet_loopback(const char *host)
{
	int af, plen;
	unsigned char a[16];

	if (strcasecmp(host, "localhost") == 0 ||
	    strcasecmp(host, "loopback-only") == 0)
		return true;
	if (pfa_inet_cidr(host, &af, a, &plen) < 0)
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
	return pfa_inet_loopback(tok) ? 0 : 1;
}

bool
pfa_listener_interfaces_loopback(const struct pfa_cfview *v)
{
	const char *ii = pfa_cf_get(v, "inet_interfaces");

	if (ii == NULL)
		ii = "all";
	size_t n = strspn(ii, " \t,");
	if (ii[n] == '\0')
		return false;	/* empty means all, as Postfix reads it */
	return pfa_cf_tokens(ii, tok_not_loopback, NULL) == 0;
}

/* ------------------------------------------------------- services */

/* 1 if TOK names S, 2 if it is "!..." and names S (it stays enabled), 0
 * to go on: the first match decides, as in Postfix's match lists. */
static int
tok_disables(void *arg, const char *tok, size_t i)
{
	const struct pfa_cfsvc *s = arg;
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

bool
pfa_listener_svc_disabled(const struct pfa_cfview *v,
    const struct pfa_cfsvc *s)
{
	return pfa_cf_tokens(pfa_cf_get(v, "master_service_disable"),
	    tok_disables, (void *)s) == 1;
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

static int
port_number(const char *port)
{
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

int
pfa_listener_svc_port(const struct pfa_cfsvc *s)
{
	char host[256];
	return port_number(split_name(s->name, host, sizeof(host)));
}

bool
pfa_listener_svc_smtp(const struct pfa_cfsvc *s)
{
	return strcmp(s->type, "inet") == 0 &&
	    (strcmp(s->command, "smtpd") == 0 ||
	    strcmp(s->command, "postscreen") == 0);
}

bool
pfa_listener_svc_listens(const struct pfa_cfview *v, const struct pfa_cfsvc *s)
{
	return pfa_listener_svc_smtp(s) && !pfa_listener_svc_disabled(v, s);
}

bool
pfa_listener_svc_public(const struct pfa_cfview *v, const struct pfa_cfsvc *s)
{
	char host[256];

	if (!pfa_listener_svc_listens(v, s))
		return false;
	(void)split_name(s->name, host, sizeof(host));
	if (host[0] != '\0')	/* bound there: inet_interfaces ignored */
		return !pfa_inet_loopback(host);
	return !pfa_listener_interfaces_loopback(v);
}

/* ------------------------------------------------------- the model */

/* Which address families inet_protocols enables. */
static void
protocols(const struct pfa_cfview *v, bool *v4, bool *v6)
{
	const char *p = pfa_cf_get(v, "inet_protocols");
	if (p == NULL || *p == '\0') {
		*v4 = true;	/* unknown: IPv4, as Postfix before 2.2 */
		*v6 = false;
		return;
	}
	*v4 = strstr(p, "ipv4") != NULL || strstr(p, "all") != NULL;
	*v6 = strstr(p, "ipv6") != NULL || strstr(p, "all") != NULL;
}

static void
add_loopback(struct pfa_listener *l, const char *addr)
{
	for (size_t i = 0; i < l->nloopback; i++)
		if (strcmp(l->loopback[i], addr) == 0)
			return;
	if (l->nloopback < PFA_LISTENER_MAX_LOOPBACK)
		l->loopback[l->nloopback++] = addr;
}

struct ifwalk {
	struct pfa_listener *l;
	bool v4, v6;
};

/* One inet_interfaces entry: the loopback addresses it covers. */
static int
tok_interface(void *arg, const char *tok, size_t i)
{
	struct ifwalk *w = arg;
	int af, plen;
	unsigned char a[16];

	(void)i;
	if (strcasecmp(tok, "all") == 0 ||
	    strcasecmp(tok, "loopback-only") == 0 ||
	    strcasecmp(tok, "localhost") == 0) {
		if (w->v4)
			add_loopback(w->l, "127.0.0.1");
		if (w->v6)
			add_loopback(w->l, "::1");
	} else if (pfa_inet_cidr(tok, &af, a, &plen) == 0 &&
	    pfa_inet_loopback(tok)) {
		if (af == AF_INET && w->v4 && a[1] == 0 && a[2] == 0 &&
		    a[3] == 1)
			add_loopback(w->l, "127.0.0.1");
		else if (af == AF_INET6 && w->v6)
			add_loopback(w->l, "::1");
	}
	return 0;
}

/* Where a listener bound to HOST can be reached on loopback. */
static void
bound_loopback(struct pfa_listener *l, const char *host, bool v4, bool v6)
{
	int af, plen;
	unsigned char a[16];

	if (strcasecmp(host, "localhost") == 0) {
		if (v4)
			add_loopback(l, "127.0.0.1");
		if (v6)
			add_loopback(l, "::1");
		return;
	}
	if (!pfa_inet_loopback(host) ||
	    pfa_inet_cidr(host, &af, a, &plen) < 0)
		return;
	/* the exact address it is bound to */
	l->loopback[l->nloopback++] = af == AF_INET ? l->host : "::1";
}

void
pfa_listeners_get(const struct pfa_cfview *v, struct pfa_listeners *out)
{
	bool v4, v6;

	out->v = NULL;
	out->n = 0;
	protocols(v, &v4, &v6);
	for (size_t i = 0; i < v->nsvcs; i++) {
		const struct pfa_cfsvc *s = &v->svcs[i];
		if (!pfa_listener_svc_smtp(s))
			continue;
		out->v = pfa_xrealloc(out->v, (out->n + 1) * sizeof(*out->v));
		struct pfa_listener *l = &out->v[out->n++];
		memset(l, 0, sizeof(*l));
		char host[256];
		const char *port = split_name(s->name, host, sizeof(host));
		l->svc = s;
		l->host = pfa_xstrdup(host);
		l->port = pfa_xstrdup(port);
		l->portnum = port_number(port);
		l->postscreen = strcmp(s->command, "postscreen") == 0;
		l->disabled = pfa_listener_svc_disabled(v, s);
		l->wrapper = pfa_cf_value_yes(pfa_cfsvc_get(v, s,
		    "smtpd_tls_wrappermode"));
		l->public = pfa_listener_svc_public(v, s);
		if (l->disabled)
			continue;
		if (*l->host != '\0') {
			bound_loopback(l, l->host, v4, v6);
		} else {
			struct ifwalk w = { l, v4, v6 };
			const char *ii = pfa_cf_get(v, "inet_interfaces");
			if (ii == NULL || ii[strspn(ii, " \t,")] == '\0')
				ii = "all";
			(void)pfa_cf_tokens(ii, tok_interface, &w);
		}
	}
}

void
pfa_listeners_free(struct pfa_listeners *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].host);
		free(l->v[i].port);
	}
	free(l->v);
	l->v = NULL;
	l->n = 0;
}
