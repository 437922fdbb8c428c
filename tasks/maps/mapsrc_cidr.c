/*
 * NAME
 *	mapsrc_cidr - checks the rules of cidr: tables (for mapsrc.c)
 * SUMMARY
 *	pfa_mapsrc_cidr_line() (mapsrc_int.h)
 * DESCRIPTION
 *	Owns the rule syntax of cidr_table(5) as Postfix 3.7 parses it,
 *	one logical line at a time: "network/prefix result" or "address
 *	result", IPv4 or IPv6 (inet_pton, as Postfix), optionally in [],
 *	'!' negation, "if pattern" and "endif" (any case).  The bits of
 *	the address under the prefix must be zero.
 *
 *	Postfix warns about and skips every rule reported here as an
 *	error.
 *
 *	Must not: do I/O, log or exit.
 * DIAGNOSTICS
 *	Problems go to the result through pfa_mapsrc_problem.
 */
#include <arpa/inet.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "mapsrc.h"
#include "mapsrc_int.h"

#define ISSPACE(ch) PFA_MAPSRC_ISSPACE(ch)

static bool
all_digits(const char *p)
{
	if (*p == '\0')
		return false;
	for (; *p; p++)
		if (*p < '0' || *p > '9')
			return false;
	return true;
}

/* One CIDR pattern (negation already removed); 0 or -1 (reported). */
static int
cidr_pattern(struct pfa_map_check *c, int line, char *pat)
{
	char *addr = pat, *mask = NULL, *q = NULL;
	unsigned char net[16];

	if (*pat == '\0') {
		pfa_mapsrc_problem(c, line, true, "no address pattern");
		return -1;
	}
	if (*pat == '[') {
		char *close = strchr(++addr, ']');
		if (close == NULL) {
			q = pfa_mapsrc_quote(addr, strlen(addr));
			pfa_mapsrc_problem(c, line, true, "missing ']' after "
			    "'[' in %s", q);
			goto fail;
		}
		*close = '\0';
		if (close[1] == '/') {
			mask = close + 2;
		} else if (close[1] != '\0') {
			q = pfa_mapsrc_quote(close + 1, strlen(close + 1));
			pfa_mapsrc_problem(c, line, true, "text after ']': %s",
			    q);
			goto fail;
		}
	}
	if (mask == NULL && (mask = strchr(addr, '/')) != NULL)
		*mask++ = '\0';

	int af = strchr(addr, ':') ? AF_INET6 : AF_INET;
	int bits = af == AF_INET6 ? 128 : 32;
	q = pfa_mapsrc_quote(addr, strlen(addr));
	if (mask == NULL) {
		if (inet_pton(af, addr, net) != 1) {
			pfa_mapsrc_problem(c, line, true, "bad address "
			    "pattern %s", q);
			goto fail;
		}
		free(q);
		return 0;
	}
	if (!all_digits(mask)) {
		char *qm = pfa_mapsrc_quote(mask, strlen(mask));
		pfa_mapsrc_problem(c, line, true, "bad prefix length %s after "
		    "%s", qm, q);
		free(qm);
		goto fail;
	}
	int prefix = 0;
	for (const char *p = mask; *p && prefix <= bits; p++)
		prefix = prefix * 10 + (*p - '0');
	if (prefix > bits) {
		char *qm = pfa_mapsrc_quote(mask, strlen(mask));
		pfa_mapsrc_problem(c, line, true, "prefix length %s of %s is "
		    "out of range (0-%d)", qm, q, bits);
		free(qm);
		goto fail;
	}
	if (inet_pton(af, addr, net) != 1) {
		pfa_mapsrc_problem(c, line, true, "bad network address %s", q);
		goto fail;
	}
	size_t nbytes = (size_t)bits / 8;
	bool hostbits = false;
	for (size_t i = 0; i < nbytes; i++) {
		int keep = prefix - 8 * (int)i;
		unsigned m = keep >= 8 ? 0xffu : keep <= 0 ? 0u :
		    (0xffu << (8 - keep)) & 0xffu;
		if (net[i] & ~m)
			hostbits = true;
		net[i] &= (unsigned char)m;
	}
	if (hostbits) {
		char fixed[INET6_ADDRSTRLEN] = "?";
		(void)inet_ntop(af, net, fixed, sizeof(fixed));
		pfa_mapsrc_problem(c, line, true, "non-null host address bits "
		    "in %s/%d (Postfix skips it); the network is %s/%d", q,
		    prefix, fixed, prefix);
		goto fail;
	}
	free(q);
	return 0;
fail:
	free(q);
	return -1;
}

/* True if TEXT starts with WORD (any case) followed by whitespace or end. */
static bool
keyword(const char *text, const char *word)
{
	size_t n = strlen(word);
	for (size_t i = 0; i < n; i++)
		if (text[i] != word[i] && text[i] != word[i] - 'a' + 'A')
			return false;
	return text[n] == '\0' || ISSPACE(text[n]);
}

static char *
skip_negation(char *p)
{
	while (*p == '!' || ISSPACE(*p))
		p++;
	return p;
}

void
pfa_mapsrc_cidr_line(struct pfa_map_check *c, struct pfa_mapsrc_nest *nest,
    int line, char *p)
{
	if (keyword(p, "if")) {
		if (cidr_pattern(c, line, skip_negation(p + 2)) < 0)
			line = -line;
		pfa_mapsrc_nest_push(nest, line);
		return;
	}
	if (keyword(p, "endif")) {
		for (p += 5; ISSPACE(*p); p++)
			;
		if (*p != '\0') {
			char *q = pfa_mapsrc_quote(p, strlen(p));
			pfa_mapsrc_problem(c, line, true, "text after endif: "
			    "%s (Postfix skips this endif)", q);
			free(q);
		} else if (nest->n == 0) {
			pfa_mapsrc_problem(c, line, true, "endif without "
			    "matching if");
		}
		if (nest->n > 0)
			nest->n--;
		return;
	}
	char *pat = skip_negation(p);
	for (p = pat; *p != '\0' && !ISSPACE(*p); p++)
		;
	if (*p != '\0')
		*p++ = '\0';
	while (ISSPACE(*p))
		p++;
	if (cidr_pattern(c, line, pat) < 0)
		return;
	if (*p == '\0') {
		pfa_mapsrc_problem(c, line, true, "no lookup result after the "
		    "address pattern");
		return;
	}
	c->entries++;
}
