/*
 * tlsparam.c - Postfix's TLS settings as Postfix itself reads them
 * (tlsparam.h): protocol lists (tls_proto_mask_lims of Postfix 3.6 and
 * later: names in any case, !exclusions, >= and <= bounds by name, "None"
 * or hex) and cipher grades.  Pure functions: no file, no log.
 */
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "result.h"
#include "tlsparam.h"

static const struct {
	const char *name;
	unsigned bit;
	int ver;		/* wire version, for >= and <= */
} protos[] = {
	{ "SSLv2", 0x01, 0x0002 }, { "SSLv3", 0x02, 0x0300 },
	{ "TLSv1", 0x04, 0x0301 }, { "TLSv1.1", 0x08, 0x0302 },
	{ "TLSv1.2", 0x10, 0x0303 }, { "TLSv1.3", 0x20, 0x0304 },
};
#define NPROTOS		(sizeof(protos) / sizeof(protos[0]))

static unsigned
proto_bit(const char *name)
{
	for (size_t i = 0; i < NPROTOS; i++)
		if (strcasecmp(protos[i].name, name) == 0)
			return protos[i].bit;
	return 0;
}

/* A bound of ">=" or "<=": "None", a name from SSLv3 up, or hex. */
static int
parse_bound(const char *s, int *ver)
{
	if (strcasecmp(s, "None") == 0) {
		*ver = 0;
		return 0;
	}
	for (size_t i = 1; i < NPROTOS; i++)
		if (strcasecmp(protos[i].name, s) == 0) {
			*ver = protos[i].ver;
			return 0;
		}
	char *end;
	unsigned long u = strtoul(s, &end, 16);
	if (*s == '\0' || *end != '\0' || u > INT_MAX)
		return -1;
	*ver = (int)u;
	return 0;
}

/*
 * The protocols LIST leaves enabled, as Postfix reads it
 * (tls_proto_mask_lims): names to include, !names to exclude (an include
 * list excludes everything it does not name), and the >= / <= bounds of
 * Postfix 3.6.  An empty list enables everything.  -1 if Postfix rejects
 * the list.
 */
int
pfa_tls_protocols(const char *list)
{
	static const char sep[] = " \t\r\n,:";
	unsigned inc = 0, exc = 0;
	int lo = 0, hi = 0, rc = 0;
	char *dup = pfa_xstrdup(list);
	for (char *p = dup; rc == 0 && *(p += strspn(p, sep)) != '\0';) {
		char *tok = p;
		p += strcspn(p, sep);
		if (*p != '\0')
			*p++ = '\0';
		unsigned bit;
		if (strncmp(tok, ">=", 2) == 0)
			rc = parse_bound(tok + 2, &lo);
		else if (strncmp(tok, "<=", 2) == 0)
			rc = parse_bound(tok + 2, &hi);
		else if (*tok == '!' && (bit = proto_bit(tok + 1)) != 0)
			exc |= bit;
		else if ((bit = proto_bit(tok)) != 0)
			inc |= bit;
		else
			rc = -1;
	}
	free(dup);
	if (rc < 0)
		return -1;
	unsigned on = PFA_TLS_ALL & ~(inc ? exc | (PFA_TLS_ALL & ~inc) : exc);
	for (size_t i = 0; i < NPROTOS; i++)
		if ((lo != 0 && protos[i].ver < lo) ||
		    (hi != 0 && protos[i].ver > hi))
			on &= ~protos[i].bit;
	return (int)on;
}

/* "SSLv2, SSLv3" for the protocols of MASK. */
const char *
pfa_tls_protocol_names(unsigned mask, char *buf, size_t n)
{
	buf[0] = '\0';
	for (size_t i = 0; i < NPROTOS; i++)
		if (mask & protos[i].bit) {
			if (buf[0] != '\0')
				strncat(buf, ", ", n - strlen(buf) - 1);
			strncat(buf, protos[i].name, n - strlen(buf) - 1);
		}
	return buf;
}


bool
pfa_tls_grade_ok(const char *grade)
{
	static const char *const grades[] = {
		"high", "medium", "low", "export", "null", NULL,
	};
	for (size_t i = 0; grades[i]; i++)
		if (strcasecmp(grade, grades[i]) == 0)
			return true;
	return false;
}
