/*
 * postconf_out.c - what postconf prints, parsed and checked
 * (postconf_out.h).  Names: letters, digits, '_', '-' and '.' for a
 * parameter (a master.cf service name can prefix one: smtp-amavis_...);
 * SERVICE/TYPE/FIELD for -F and -P, where SERVICE may be an address
 * ([::1]:10025) and TYPE is one of master.cf's.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "postconf_out.h"
#include "result.h"

static char *
xstrndup(const char *s, size_t n)
{
	char *d = pfa_xmalloc(n + 1);
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

static bool
param_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
}

static bool
param_name(const char *s, size_t n)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!param_char(s[i]))
			return false;
	return true;
}

static bool
service_name(const char *s, size_t n)
{
	static const char *const types[] = { "inet", "unix", "unix-dgram",
		"fifo", "pass", NULL };
	const char *s1 = memchr(s, '/', n);
	if (s1 == NULL || s1 == s)
		return false;
	for (const char *p = s; p < s1; p++)
		if (*p <= ' ' || *p == '=' || *p > '~')
			return false;
	const char *rest = s1 + 1;
	const char *s2 = memchr(rest, '/', n - (size_t)(rest - s));
	if (s2 == NULL)
		return false;
	size_t tlen = (size_t)(s2 - rest);
	bool known = false;
	for (size_t i = 0; types[i] != NULL; i++)
		if (strlen(types[i]) == tlen && memcmp(types[i], rest, tlen) == 0)
			known = true;
	return known && param_name(s2 + 1, n - (size_t)(s2 + 1 - s));
}

void
pfa_postconf_kv_free(struct pfa_postconf_kv *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].value);
	}
	free(v);
}

static int
cmp_name(const void *a, const void *b)
{
	const struct pfa_postconf_kv *x = *(const struct pfa_postconf_kv *const *)a;
	const struct pfa_postconf_kv *y = *(const struct pfa_postconf_kv *const *)b;
	return strcmp(x->name, y->name);
}

static int
fail(struct pfa_postconf_kv *v, size_t n, char *why, size_t size,
    const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static int
fail(struct pfa_postconf_kv *v, size_t n, char *why, size_t size,
    const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, size, fmt, ap);
	va_end(ap);
	pfa_postconf_kv_free(v, n);
	return -1;
}

int
pfa_postconf_parse(const char *text, size_t len,
    enum pfa_postconf_form form, struct pfa_postconf_kv **v, size_t *n,
    char *why, size_t why_size)
{
	*v = NULL;
	*n = 0;
	if (memchr(text, '\0', len) != NULL)
		return fail(NULL, 0, why, why_size, "holds a NUL byte");
	if (len > 0 && text[len - 1] != '\n')
		return fail(NULL, 0, why, why_size, "the last line is cut "
		    "short (no newline at the end)");
	size_t cap = 64, cnt = 0, line = 0;
	struct pfa_postconf_kv *out = pfa_xcalloc(cap, sizeof(*out));
	for (const char *p = text, *end = text + len; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		line++;
		const char *eq = NULL;
		for (const char *q = p; q + 1 < nl; q++)
			if (q[0] == ' ' && q[1] == '=') {
				eq = q;
				break;
			}
		/* "NAME = VALUE" or "NAME =" */
		if (eq == NULL || (eq + 2 < nl && eq[2] != ' '))
			return fail(out, cnt, why, why_size,
			    "line %zu: not NAME = VALUE", line);
		size_t nlen = (size_t)(eq - p);
		bool ok = form == PFA_POSTCONF_SERVICES ?
		    service_name(p, nlen) : param_name(p, nlen);
		if (!ok)
			return fail(out, cnt, why, why_size, "line %zu: not a "
			    "%s name", line, form == PFA_POSTCONF_SERVICES ?
			    "SERVICE/TYPE/FIELD" : "parameter");
		const char *val = eq + 2 < nl ? eq + 3 : nl;
		if (cnt == cap) {
			cap *= 2;
			out = pfa_xrealloc(out, cap * sizeof(*out));
		}
		out[cnt].name = xstrndup(p, nlen);
		out[cnt].value = xstrndup(val, (size_t)(nl - val));
		cnt++;
		p = nl + 1;
	}
	/* no name twice */
	if (cnt > 1) {
		const struct pfa_postconf_kv **idx =
		    pfa_xmalloc(cnt * sizeof(*idx));
		for (size_t i = 0; i < cnt; i++)
			idx[i] = &out[i];
		qsort(idx, cnt, sizeof(*idx), cmp_name);
		size_t dup = 0;
		for (size_t i = 1; i < cnt && dup == 0; i++)
			if (strcmp(idx[i - 1]->name, idx[i]->name) == 0)
				dup = (size_t)(idx[i] - out) + 1;
		free(idx);
		if (dup != 0)
			return fail(out, cnt, why, why_size,
			    "line %zu: a name printed twice", dup);
	}
	if (form == PFA_POSTCONF_ALL) {
		bool version = false, confdir = false;
		for (size_t i = 0; i < cnt; i++) {
			version |= strcmp(out[i].name, "mail_version") == 0;
			confdir |= strcmp(out[i].name, "config_directory") == 0;
		}
		if (!version || !confdir || cnt < PFA_POSTCONF_MIN_ALL) {
			return fail(out, cnt, why, why_size, "incomplete: %zu "
			    "parameters%s%s (a full listing has at least %d)",
			    cnt, version ? "" : ", no mail_version",
			    confdir ? "" : ", no config_directory",
			    PFA_POSTCONF_MIN_ALL);
		}
	}
	*v = out;
	*n = cnt;
	return 0;
}
