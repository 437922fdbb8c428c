/*
 * result.c - the result model: findings, changes, metrics, status.
 *
 * Pure data handling, no I/O.  Allocation failure is the one fatal error
 * here: it prints a message and aborts, since nothing sane can follow.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "result.h"

static void
nomem(void)
{
	static const char msg[] = "pfagent: out of memory\n";
	fwrite(msg, 1, sizeof(msg) - 1, stderr);
	abort();
}

void *
pfa_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (p == NULL)
		nomem();
	return p;
}

void *
pfa_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (p == NULL)
		nomem();
	return p;
}

void *
pfa_xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (q == NULL)
		nomem();
	return q;
}

char *
pfa_xstrdup(const char *s)
{
	char *p = strdup(s);
	if (p == NULL)
		nomem();
	return p;
}

char *
pfa_xvasprintf(const char *fmt, va_list ap)
{
	va_list aq;
	va_copy(aq, ap);
	int n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (n < 0)
		nomem();
	char *p = pfa_xmalloc((size_t)n + 1);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	return p;
}

char *
pfa_xasprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *p = pfa_xvasprintf(fmt, ap);
	va_end(ap);
	return p;
}

void
pfa_result_init(struct pfa_result *r)
{
	memset(r, 0, sizeof(*r));
	r->status = PFA_OK;
}

void
pfa_result_free(struct pfa_result *r)
{
	for (size_t i = 0; i < r->nchanges; i++) {
		free(r->changes[i].path);
		free(r->changes[i].kept);
	}
	for (size_t i = 0; i < r->nfindings; i++) {
		free(r->findings[i].id);
		free(r->findings[i].subject);
		free(r->findings[i].message);
		free(r->findings[i].remedy);
	}
	for (size_t i = 0; i < r->nmetrics; i++) {
		free(r->metrics[i].name);
		free(r->metrics[i].unit);
	}
	free(r->changes);
	free(r->findings);
	free(r->metrics);
	free(r->summary);
	free(r->text);
	if (r->details != NULL)
		json_object_put(r->details);
	pfa_result_init(r);
}

enum pfa_status
pfa_sev_status(enum pfa_sev s)
{
	switch (s) {
	case PFA_SEV_WARNING:
		return PFA_WARNING;
	case PFA_SEV_CRITICAL:
		return PFA_CRITICAL;
	case PFA_SEV_UNKNOWN:
		return PFA_UNKNOWN;
	case PFA_SEV_INFO:
	default:
		return PFA_OK;
	}
}

/*
 * "Worst of" order: OK < WARNING < UNKNOWN < CRITICAL.  A run where one
 * task could not check (UNKNOWN) and another saw a real problem (CRITICAL)
 * exits CRITICAL, as monitoring plugins combine them.
 */
static int
rank(enum pfa_status s)
{
	static const int r[] = { 0, 1, 3, 2 };
	return (unsigned)s < 4 ? r[s] : 2;
}

enum pfa_status
pfa_status_worst(enum pfa_status a, enum pfa_status b)
{
	return rank(b) > rank(a) ? b : a;
}

void
pfa_result_raise(struct pfa_result *r, enum pfa_status s)
{
	r->status = pfa_status_worst(r->status, s);
}

bool
pfa_ignored(char *const *ignore, const char *id, const char *subject)
{
	size_t n = strlen(id);
	for (size_t i = 0; ignore != NULL && ignore[i]; i++) {
		const char *e = ignore[i];
		if (strncmp(e, id, n) != 0)
			continue;
		if (e[n] == '\0')
			return true;
		if (e[n] != ' ')
			continue;
		e += n;
		while (*e == ' ')
			e++;
		if (subject != NULL && strcmp(e, subject) == 0)
			return true;
	}
	return false;
}

void
pfa_result_add_finding(struct pfa_result *r, enum pfa_sev sev, const char *id,
    const char *subject, const char *remedy, const char *fmt, ...)
{
	if (r->ignore != NULL && id != NULL &&
	    pfa_ignored(r->ignore, id, subject)) {
		r->nignored++;
		return;
	}
	r->findings = pfa_xrealloc(r->findings,
	    (r->nfindings + 1) * sizeof(*r->findings));
	struct pfa_finding *f = &r->findings[r->nfindings++];
	va_list ap;
	va_start(ap, fmt);
	f->message = pfa_xvasprintf(fmt, ap);
	va_end(ap);
	f->sev = sev;
	f->id = pfa_xstrdup(id ? id : "PFA-UNSET");
	f->subject = pfa_xstrdup(subject ? subject : "");
	f->remedy = remedy ? pfa_xstrdup(remedy) : NULL;
	pfa_result_raise(r, pfa_sev_status(sev));
}

void
pfa_result_add_change(struct pfa_result *r, const char *path, const char *kept)
{
	r->changes = pfa_xrealloc(r->changes,
	    (r->nchanges + 1) * sizeof(*r->changes));
	struct pfa_change *c = &r->changes[r->nchanges++];
	c->path = pfa_xstrdup(path);
	c->kept = kept ? pfa_xstrdup(kept) : NULL;
	c->reload = true;
}

void
pfa_result_add_change_noreload(struct pfa_result *r, const char *path,
    const char *kept)
{
	pfa_result_add_change(r, path, kept);
	r->changes[r->nchanges - 1].reload = false;
}

void
pfa_result_add_metric(struct pfa_result *r, const char *name, double value,
    const char *unit)
{
	r->metrics = pfa_xrealloc(r->metrics,
	    (r->nmetrics + 1) * sizeof(*r->metrics));
	struct pfa_metric *m = &r->metrics[r->nmetrics++];
	memset(m, 0, sizeof(*m));
	m->name = pfa_xstrdup(name);
	m->value = value;
	m->unit = pfa_xstrdup(unit ? unit : "");
}

void
pfa_result_metric_limits(struct pfa_result *r, const char *name,
    const double *warn, const double *crit, const double *min,
    const double *max)
{
	for (size_t i = r->nmetrics; i-- > 0;) {
		struct pfa_metric *m = &r->metrics[i];
		if (strcmp(m->name, name) != 0)
			continue;
		if (warn != NULL) {
			m->warn = *warn;
			m->have |= PFA_METRIC_WARN;
		}
		if (crit != NULL) {
			m->crit = *crit;
			m->have |= PFA_METRIC_CRIT;
		}
		if (min != NULL) {
			m->min = *min;
			m->have |= PFA_METRIC_MIN;
		}
		if (max != NULL) {
			m->max = *max;
			m->have |= PFA_METRIC_MAX;
		}
		return;
	}
}

void
pfa_result_set_summary(struct pfa_result *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	free(r->summary);
	r->summary = pfa_xvasprintf(fmt, ap);
	va_end(ap);
}

static const char *const status_names[] = {
	"ok", "warning", "critical", "unknown",
};
static const char *const sev_names[] = {
	"info", "warning", "critical", "unknown",
};

const char *
pfa_status_name(enum pfa_status s)
{
	return (unsigned)s < 4 ? status_names[s] : "unknown";
}

const char *
pfa_sev_name(enum pfa_sev s)
{
	return (unsigned)s < 4 ? sev_names[s] : "unknown";
}

int
pfa_status_parse(const char *name, enum pfa_status *out)
{
	for (int i = 0; i < 4; i++)
		if (strcmp(name, status_names[i]) == 0) {
			*out = (enum pfa_status)i;
			return 0;
		}
	return -1;
}

int
pfa_sev_parse(const char *name, enum pfa_sev *out)
{
	for (int i = 0; i < 4; i++)
		if (strcmp(name, sev_names[i]) == 0) {
			*out = (enum pfa_sev)i;
			return 0;
		}
	return -1;
}
