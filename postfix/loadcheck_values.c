/*
 * loadcheck_values.c - the loadability checks of numbers, times and
 * booleans (PFA-LOAD-001..003), part of loadcheck.h: a value Postfix
 * daemons die on ("bad numerical configuration"), and a remedy that keeps
 * what the value was meant to say ("50M" is 52428800 bytes) instead of
 * resetting it to the default.  Reads the configuration view only.
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "loadcheck_int.h"

/*
 * A parameter's type, from its default as `postconf -d` shows it:
 * "10240000" an integer, "300s" a time, "yes" or "no" a boolean.
 */
enum ptype { T_OTHER, T_INT, T_TIME, T_BOOL };

/* Numeric defaults of parameters that take something else. */
static const char *const not_int[] = {
	"compatibility_level", "mail_release_date", "process_id",
	"milter_protocol", "lmtp_tcp_port", NULL,
};
static const char *const signed_int[] = {
	"postscreen_dnsbl_allowlist_threshold",
	"postscreen_dnsbl_whitelist_threshold", NULL,
};

static enum ptype
param_type(const char *name, const char *dflt)
{
	size_t dl = strlen(dflt), digits = strspn(dflt, "0123456789");
	if (dl == 0)
		return T_OTHER;
	if (digits == dl)
		return pfa_lc_in_list(name, not_int) ||
		    pfa_lc_ends_with(name, "_concurrency_negative_feedback") ||
		    pfa_lc_ends_with(name, "_concurrency_positive_feedback") ?
		    T_OTHER : T_INT;
	if (digits > 0 && digits + 1 == dl && strchr("smhdw", dflt[digits]))
		return T_TIME;
	/* smtpd_forbid_bare_newline: also "normalize" and "reject" */
	if ((strcmp(dflt, "yes") == 0 || strcmp(dflt, "no") == 0) &&
	    strcmp(name, "smtpd_forbid_bare_newline") != 0)
		return T_BOOL;
	return T_OTHER;
}

/* As Postfix 3.7 reads them (lab-checked with postmap -c): digits only;
 * digits and one lower-case unit; yes or no in any case. */
static bool
value_ok(enum ptype t, const char *name, const char *value)
{
	size_t n = strspn(value, "0123456789");
	switch (t) {
	case T_INT:
		if (*value == '-' && pfa_lc_in_list(name, signed_int))
			value++;
		return pfa_lc_digits(value) && strlen(value) <= 18;
	case T_TIME:
		return n > 0 && (value[n] == '\0' ||
		    (strchr("smhdw", value[n]) && value[n + 1] == '\0'));
	case T_BOOL:
		return strcasecmp(value, "yes") == 0 ||
		    strcasecmp(value, "no") == 0;
	default:
		return true;
	}
}

/* A decimal number at P ("15", "1.5"): its value in *OUT, its length. */
static size_t
number(const char *p, double *out)
{
	char *end;
	if (!isdigit((unsigned char)*p))
		return 0;
	*out = strtod(p, &end);
	return (size_t)(end - p);
}

/* The multiplier of a size suffix ("k", "MB", "g"), or 0. */
static double
size_unit(const char *u)
{
	static const struct { const char *name; double mult; } units[] = {
		{ "k", 1024.0 }, { "kb", 1024.0 }, { "kib", 1024.0 },
		{ "m", 1048576.0 }, { "mb", 1048576.0 }, { "mib", 1048576.0 },
		{ "g", 1073741824.0 }, { "gb", 1073741824.0 },
		{ "gib", 1073741824.0 }, { "b", 1.0 }, { "", 1.0 },
	};
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (strcasecmp(u, units[i].name) == 0)
			return units[i].mult;
	return 0;
}

/* The letter of a time unit ("s", "min", "Hours"), or 0. */
static char
time_unit(const char *u)
{
	static const struct { const char *name; char unit; } units[] = {
		{ "s", 's' }, { "sec", 's' }, { "secs", 's' }, { "second", 's' },
		{ "seconds", 's' }, { "m", 'm' }, { "min", 'm' },
		{ "mins", 'm' }, { "minute", 'm' }, { "minutes", 'm' },
		{ "h", 'h' }, { "hr", 'h' }, { "hrs", 'h' }, { "hour", 'h' },
		{ "hours", 'h' }, { "d", 'd' }, { "day", 'd' }, { "days", 'd' },
		{ "w", 'w' }, { "week", 'w' }, { "weeks", 'w' },
	};
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (strcasecmp(u, units[i].name) == 0)
			return units[i].unit;
	return 0;
}

/*
 * VALUE written as Postfix takes it, keeping what it meant: "50M" is
 * "52428800", "10 000" is "10000", "1.5h" is "90m", "10S" is "10s",
 * "true" is "yes".  NULL when no reading is safe ("abc", "-1d"): a
 * remedy then never sets the default in its place, which would quietly
 * change what the administrator asked for.  Caller frees.
 */
static char *
intended(enum ptype t, const char *value)
{
	char buf[64];
	size_t o = 0;
	/* blanks, underscores and thousands separators between digits go */
	for (const char *p = value; *p && o + 1 < sizeof(buf); p++)
		if (!((*p == ' ' || *p == '_' || *p == ',') && p > value &&
		    isdigit((unsigned char)p[-1]) &&
		    isdigit((unsigned char)p[1])))
			buf[o++] = *p;
	buf[o] = '\0';
	char *p = buf;
	while (isspace((unsigned char)*p))
		p++;
	double n = 0;
	size_t len = number(p, &n);
	if (len == 0 && t != T_BOOL)
		return NULL;
	const char *u = p + len;
	while (isspace((unsigned char)*u))
		u++;
	char unit[16];
	snprintf(unit, sizeof(unit), "%s", u);
	for (size_t i = strlen(unit); i > 0 && isspace((unsigned char)
	    unit[i - 1]); i--)
		unit[i - 1] = '\0';
	switch (t) {
	case T_INT: {
		double m = size_unit(unit);
		double bytes = n * m;
		if (m == 0 || bytes > 9e15 || bytes != (double)(long long)bytes)
			return NULL;
		return pfa_xasprintf("%lld", (long long)bytes);
	}
	case T_TIME: {
		static const char order[] = "smhdw";
		static const double per[] = { 1, 60, 60, 24, 7 };
		char c = *unit ? time_unit(unit) : 's';
		if (c == 0)
			return NULL;
		/* a fraction becomes a whole number of a smaller unit */
		for (int k = (int)(strchr(order, c) - order); k > 0 &&
		    n != (double)(long long)n; k--) {
			n *= per[k];
			c = order[k - 1];
		}
		if (n != (double)(long long)n || n > 1e12)
			return NULL;
		return pfa_xasprintf("%lld%c", (long long)n, c);
	}
	case T_BOOL: {
		static const char *const yes[] = { "yes", "true", "on", "1", "y",
			"enable", "enabled", NULL };
		static const char *const no[] = { "no", "false", "off", "0", "n",
			"disable", "disabled", NULL };
		for (size_t i = 0; yes[i]; i++)
			if (strcasecmp(p, yes[i]) == 0)
				return pfa_xstrdup("yes");
		for (size_t i = 0; no[i]; i++)
			if (strcasecmp(p, no[i]) == 0)
				return pfa_xstrdup("no");
		return NULL;
	}
	default:
		return NULL;
	}
}

/* The remedy for a value of type T Postfix cannot read: what it meant,
 * or, when that cannot be told, what to write (never the default). */
static char *
type_remedy(const struct pfa_lc *c, const struct pfa_cfsvc *s,
    const char *name, enum ptype t, const char *value, const char *dflt)
{
	char *fixed = intended(t, value);
	if (fixed != NULL) {
		char *r = pfa_lc_set_cmd(c, s, name, fixed);
		free(fixed);
		return r;
	}
	return pfa_xasprintf("write %s as %s (Postfix's default is %s); "
	    "resetting it would drop what it was meant to say", name,
	    t == T_INT ? "a whole number" : t == T_TIME ? "a number and one "
	    "unit of s, m, h, d, w" : "yes or no", dflt);
}

void
pfa_lc_value(struct pfa_lc *c, const struct pfa_cfsvc *s, const char *name,
    const char *value)
{
	static const struct {
		const char *id, *what;
	} bad[] = {
		[T_INT] = { "PFA-LOAD-001", "is not a whole number: Postfix "
		    "daemons die with \"bad numerical configuration\"" },
		[T_TIME] = { "PFA-LOAD-002", "is not a time (digits and one "
		    "unit of s, m, h, d, w): Postfix daemons die with \"bad "
		    "time value or unit\"" },
		[T_BOOL] = { "PFA-LOAD-003", "is not yes or no: Postfix "
		    "daemons die with \"bad boolean configuration\"" },
	};
	const struct pfa_cfparam *p = pfa_cfview_param(c->v, name);
	if (p == NULL || p->dflt == NULL || value == NULL ||
	    strchr(value, '$') != NULL)
		return;
	enum ptype t = param_type(name, p->dflt);
	if (!value_ok(t, name, value))
		pfa_lc_add(c, bad[t].id, s, name, type_remedy(c, s, name, t,
		    value, p->dflt), "%s = %s %s", name, value, bad[t].what);
}

