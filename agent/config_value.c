/*
 * config_value.c - the typed readers of pfagent.conf settings (config.h):
 * booleans, integers (checked against their literal, which libconfig 1.5
 * may have wrapped), strings, durations, string lists, enumerations, and
 * the check for unknown names.  Each reports a wrong value as "FILE:LINE:
 * setting: message" through pfa_conf_error and leaves the default.
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "config_source.h"
#include "duration.h"
#include "log.h"

const config_setting_t *
pfa_conf_member(const config_setting_t *s, const char *name)
{
	if (s == NULL)
		return NULL;
	return config_setting_get_member((config_setting_t *)s, name);
}

int
pfa_conf_bool(const config_setting_t *s, const char *name, bool def, bool *out)
{
	const config_setting_t *m = pfa_conf_member(s, name);
	*out = def;
	if (m == NULL)
		return 0;
	if (config_setting_type(m) != CONFIG_TYPE_BOOL) {
		pfa_conf_error(m, "expected true or false");
		return -1;
	}
	*out = config_setting_get_bool(m) != 0;
	return 0;
}

/* true if LIT (an integer as libconfig writes it: decimal or 0x hex,
 * optional L/LL) is not the value V libconfig made of it. */
static bool
literal_differs(const char *lit, long long v)
{
	char buf[64];
	snprintf(buf, sizeof(buf), "%s", lit);
	size_t n = strlen(buf);
	while (n > 0 && buf[n - 1] == 'L')
		buf[--n] = '\0';
	const char *p = buf;
	bool neg = false;
	if (*p == '-' || *p == '+')
		neg = *p++ == '-';
	int base = 10;
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	}
	if (*p == '\0')
		return false;	/* not a number we can read: trust libconfig */
	errno = 0;
	char *end;
	unsigned long long u = strtoull(p, &end, base);
	if (*end != '\0')
		return false;
	if (errno == ERANGE)
		return true;
	if (base == 16 && !neg)	/* 0xffffffff is -1 as an int */
		return u != (unsigned long long)v &&
		    u != (unsigned long long)(unsigned)v;
	if (neg)
		return u > (unsigned long long)LLONG_MAX + 1 ||
		    (long long)(0 - u) != v;
	return u > (unsigned long long)LLONG_MAX || (long long)u != v;
}

int
pfa_conf_int(const config_setting_t *s, const char *name, long long def,
    long long min, long long max, long long *out)
{
	const config_setting_t *m = pfa_conf_member(s, name);
	*out = def;
	if (m == NULL)
		return 0;
	long long v;
	switch (config_setting_type(m)) {
	case CONFIG_TYPE_INT:
		v = config_setting_get_int(m);
		break;
	case CONFIG_TYPE_INT64:
		v = config_setting_get_int64(m);
		break;
	default:
		pfa_conf_error(m, "expected an integer");
		return -1;
	}
	/* libconfig 1.5 wraps a number too large for its type without a
	 * word (4294969344 reads as 2048): trust the literal, not it */
	char lit[64];
	if (pfa_conf_loading() != NULL &&
	    pfa_conf_literal(pfa_conf_loading(), m, lit,
	    sizeof(lit)) == 0 && literal_differs(lit, v)) {
		pfa_conf_error(m, "%s is out of range (%lld to %lld)", lit, min,
		    max);
		return -1;
	}
	if (v < min || v > max) {
		pfa_conf_error(m, "%lld is out of range (%lld to %lld)", v, min,
		    max);
		return -1;
	}
	*out = v;
	return 0;
}

int
pfa_conf_string(const config_setting_t *s, const char *name, const char *def,
    char **out)
{
	const config_setting_t *m = pfa_conf_member(s, name);
	*out = def ? pfa_xstrdup(def) : NULL;
	if (m == NULL)
		return 0;
	if (config_setting_type(m) != CONFIG_TYPE_STRING) {
		pfa_conf_error(m, "expected a string in double quotes");
		return -1;
	}
	free(*out);
	*out = pfa_xstrdup(config_setting_get_string(m));
	return 0;
}

int
pfa_conf_duration(const config_setting_t *s, const char *name, int64_t def,
    int64_t min, int64_t max, int64_t *out)
{
	const config_setting_t *m = pfa_conf_member(s, name);
	*out = def;
	if (m == NULL)
		return 0;
	int64_t v;
	char a[32], b[32];
	if (config_setting_type(m) != CONFIG_TYPE_STRING) {
		pfa_conf_error(m, "expected a duration in double quotes, "
		    "such as \"7d\", \"12h\" or \"30m\"");
		return -1;
	}
	const char *text = config_setting_get_string(m);
	if (pfa_duration_parse(text, &v) < 0) {
		pfa_conf_error(m, "bad duration \"%s\" (use a number with "
		    "s, m, h, d or w, such as \"7d\" or \"1d12h\")", text);
		return -1;
	}
	if (v < min || v > max) {
		pfa_conf_error(m, "duration \"%s\" is out of range (%s to %s)",
		    text, pfa_duration_format(min, a, sizeof(a)),
		    pfa_duration_format(max, b, sizeof(b)));
		return -1;
	}
	*out = v;
	return 0;
}

void
pfa_conf_free_list(char **list)
{
	if (list == NULL)
		return;
	for (char **p = list; *p; p++)
		free(*p);
	free(list);
}

int
pfa_conf_string_list(const config_setting_t *s, const char *name, char ***out)
{
	const config_setting_t *m = pfa_conf_member(s, name);
	*out = NULL;
	if (m == NULL)
		return 0;
	int t = config_setting_type(m);
	if (t != CONFIG_TYPE_LIST && t != CONFIG_TYPE_ARRAY) {
		pfa_conf_error(m, "expected a list of strings, "
		    "such as [ \"a\", \"b\" ]");
		return -1;
	}
	int n = config_setting_length(m);
	char **v = pfa_xcalloc((size_t)n + 1, sizeof(*v));
	for (int i = 0; i < n; i++) {
		const config_setting_t *e =
		    config_setting_get_elem((config_setting_t *)m, (unsigned)i);
		if (config_setting_type(e) != CONFIG_TYPE_STRING) {
			pfa_conf_error(m, "element %d is not a string", i + 1);
			pfa_conf_free_list(v);
			return -1;
		}
		v[i] = pfa_xstrdup(config_setting_get_string(e));
	}
	*out = v;
	return 0;
}

int
pfa_conf_enum(const config_setting_t *s, const char *name,
    const char *const choices[], int def, int *out)
{
	const config_setting_t *m = pfa_conf_member(s, name);
	*out = def;
	if (m == NULL)
		return 0;
	if (config_setting_type(m) == CONFIG_TYPE_STRING) {
		const char *v = config_setting_get_string(m);
		for (int i = 0; choices[i]; i++)
			if (strcmp(v, choices[i]) == 0) {
				*out = i;
				return 0;
			}
	}
	char list[256] = "";
	size_t o = 0;
	for (int i = 0; choices[i] && o < sizeof(list); i++) {
		int w = snprintf(list + o, sizeof(list) - o, "%s\"%s\"",
		    i ? ", " : "", choices[i]);
		if (w < 0)
			break;
		o += (size_t)w;
	}
	pfa_conf_error(m, "expected one of %s", list);
	return -1;
}

int
pfa_conf_check_known(const config_setting_t *s, const char *const known[])
{
	int bad = 0;
	if (s == NULL)
		return 0;
	int n = config_setting_length(s);
	for (int i = 0; i < n; i++) {
		const config_setting_t *e =
		    config_setting_get_elem((config_setting_t *)s, (unsigned)i);
		const char *name = config_setting_name(e);
		bool ok = false;
		for (int k = 0; known[k] && !ok; k++)
			ok = name != NULL && strcmp(name, known[k]) == 0;
		if (!ok) {
			pfa_conf_error(e, "unknown setting");
			bad = -1;
		}
	}
	return bad;
}
