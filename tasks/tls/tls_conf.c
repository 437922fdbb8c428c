/*
 * tls_conf.c - check-tls's settings (tasks.check-tls in pfagent.conf)
 * and the expiry thresholds they make.
 *
 * Every setting is checked on its own so that every error is reported at
 * once, each with file:line through the pfa_conf_* helpers.  Expiry is
 * relative to a certificate's lifetime by default: WARNING when less
 * than warn_left of it is left (renewal is overdue), CRITICAL under
 * crit_left of it or crit_min; a certificate whose lifetime is at most
 * short_lived is short-lived and warned about only in its last day (at
 * most the last half of its life, which also caps its critical margin);
 * warn_days and crit_days, when set, add absolute limits (crit_days
 * whatever the lifetime).  Pure apart from the configuration errors;
 * nothing here runs, reads or logs anything else.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "duration.h"
#include "role.h"
#include "tls_int.h"

const char *const pfa_tls_settings[] = {
	"warn_left", "crit_left", "crit_min", "short_lived", "warn_days",
	"crit_days", "probe", "legacy_protocols", "timeout", "roles",
	"ignore", NULL,
};

int
pfa_tls_fraction(const char *s, double *out)
{
	char *end = NULL;
	double v;

	if (s == NULL || *s == '\0')
		return -1;
	const char *slash = strchr(s, '/');
	if (slash != NULL) {
		long num = strtol(s, &end, 10), den;
		if (end != slash || num <= 0)
			return -1;
		den = strtol(slash + 1, &end, 10);
		if (*end != '\0' || den <= 0 || end == slash + 1)
			return -1;
		v = (double)num / (double)den;
	} else {
		v = strtod(s, &end);
		if (end == s)
			return -1;
		if (*end == '%') {
			v /= 100.0;
			end++;
		}
		if (*end != '\0')
			return -1;
	}
	if (!(v > 0.0) || v > 1.0 || !isfinite(v))
		return -1;
	*out = v;
	return 0;
}

static const config_setting_t *
member(const config_setting_t *s, const char *name)
{
	return s ? config_setting_get_member((config_setting_t *)s, name) : NULL;
}

static int
fraction(const config_setting_t *s, const char *name, const char *def,
    double *out)
{
	char *v = NULL;
	if (pfa_conf_string(s, name, def, &v) < 0)
		return -1;
	int rc = 0;
	if (pfa_tls_fraction(v, out) < 0) {
		pfa_conf_error(member(s, name), "%s = \"%s\": a fraction of the "
		    "lifetime is wanted, as \"1/4\", \"25%%\" or \"0.25\" "
		    "(more than 0, at most 1)", name, v);
		rc = -1;
	}
	free(v);
	return rc;
}

static int
roles(const config_setting_t *s, unsigned *out)
{
	char **list = NULL;
	int rc = 0;
	*out = 0;
	if (pfa_conf_string_list(s, "roles", &list) < 0)
		return -1;
	for (char **r = list; r && *r; r++) {
		unsigned bit;
		if (strcmp(*r, "auto") == 0)
			continue;
		if (pfa_role_parse(*r, &bit) < 0) {
			pfa_conf_error(member(s, "roles"), "unknown role \"%s\" "
			    "(one of mx, submission, relay, null-client, auto)",
			    *r);
			rc = -1;
		} else {
			*out |= bit;
		}
	}
	pfa_conf_free_list(list);
	return rc;
}

static bool
known_id(const char *id)
{
	for (size_t t = 0; pfa_tls_findings[t]; t++)
		for (const struct pfa_finding_doc *d = pfa_tls_findings[t];
		    d->id; d++)
			if (strcmp(d->id, id) == 0)
				return true;
	return false;
}

int
pfa_tls_configure(const config_setting_t *s, void **out)
{
	struct tls_conf *c = pfa_xcalloc(1, sizeof(*c));
	int rc = 0;
	bool fw = fraction(s, "warn_left", "1/4", &c->warn_left) == 0;
	bool fc = fraction(s, "crit_left", "1/10", &c->crit_left) == 0;
	if (!fw || !fc)
		rc = -1;
	if (fw && fc && c->crit_left > c->warn_left) {
		pfa_conf_error(member(s, "crit_left"), "crit_left is more than "
		    "warn_left: a certificate would be critical before it is "
		    "a warning");
		rc = -1;
	}
	if (pfa_conf_duration(s, "crit_min", 12 * 3600, 0, 30 * 86400,
	    &c->crit_min) < 0 ||
	    pfa_conf_duration(s, "short_lived", 10 * 86400, 0, 366 * 86400,
	    &c->short_lived) < 0)
		rc = -1;
	bool dw = pfa_conf_int(s, "warn_days", 0, 0, 3650, &c->warn_days) == 0;
	bool dc = pfa_conf_int(s, "crit_days", 0, 0, 3650, &c->crit_days) == 0;
	if (!dw || !dc)
		rc = -1;
	if (dw && dc && c->warn_days > 0 && c->crit_days > c->warn_days) {
		pfa_conf_error(member(s, "crit_days"), "crit_days (%lld) is "
		    "more than warn_days (%lld)", c->crit_days, c->warn_days);
		rc = -1;
	}
	if (pfa_conf_bool(s, "probe", true, &c->probe) < 0 ||
	    pfa_conf_bool(s, "legacy_protocols", true, &c->legacy) < 0 ||
	    pfa_conf_duration(s, "timeout", 10, 1, 300, &c->timeout) < 0)
		rc = -1;
	if (roles(s, &c->roles) < 0)
		rc = -1;
	if (pfa_conf_string_list(s, "ignore", &c->ignore) < 0)
		rc = -1;
	for (char **p = c->ignore; p && *p; p++)
		if (!known_id(*p)) {
			pfa_conf_error(member(s, "ignore"), "unknown finding id "
			    "\"%s\" (pfagent-check-tls(8) lists them)", *p);
			rc = -1;
		}
	*out = c;
	return rc;
}

void
pfa_tls_free_conf(void *p)
{
	struct tls_conf *c = p;
	if (c == NULL)
		return;
	pfa_conf_free_list(c->ignore);
	free(c);
}

static double
dmax(double a, double b)
{
	return a > b ? a : b;
}

void
pfa_tls_expiry(const struct tls_conf *c, double lifetime, double left,
    int validity, struct tls_expiry *out)
{
	memset(out, 0, sizeof(*out));
	out->sev = PFA_SEV_INFO;
	out->short_lived = lifetime <= (double)c->short_lived;
	out->warn_at = lifetime * c->warn_left;
	out->crit_at = dmax(lifetime * c->crit_left, (double)c->crit_min);
	if (out->short_lived) {
		/* its last day, at most half of its life */
		out->warn_at = lifetime / 2 < 86400.0 ? lifetime / 2 : 86400.0;
		if (out->crit_at > out->warn_at)
			out->crit_at = out->warn_at;
	}
	if (c->warn_days > 0 && !out->short_lived)
		out->warn_at = dmax(out->warn_at, (double)c->warn_days * 86400);
	if (c->crit_days > 0)
		out->crit_at = dmax(out->crit_at, (double)c->crit_days * 86400);
	out->warn_at = dmax(out->warn_at, out->crit_at);
	if (validity > 0) {
		out->sev = PFA_SEV_CRITICAL;
		out->id = "PFA-CERT-001";
	} else if (validity < 0) {
		out->sev = PFA_SEV_CRITICAL;
		out->id = "PFA-CERT-002";
	} else if (left < out->crit_at) {
		out->sev = PFA_SEV_CRITICAL;
		out->id = "PFA-CERT-003";
	} else if (left < out->warn_at) {
		out->sev = PFA_SEV_WARNING;
		out->id = "PFA-CERT-004";
	}
}
