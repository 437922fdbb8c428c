/*
 * cfview.c - the one model of a Postfix configuration (cfview.h): filled
 * from postconf by the Postfix module, or built by hand in unit tests;
 * lookups, service overrides, and the list tokenizer.  Runs nothing,
 * reads no file, never logs.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cfview.h"
#include "result.h"

void
pfa_cfview_init(struct pfa_cfview *v, const char *config_dir)
{
	memset(v, 0, sizeof(*v));
	v->config_dir = pfa_xstrdup(config_dir ? config_dir : "");
}

void
pfa_cfview_free(struct pfa_cfview *v)
{
	for (size_t i = 0; i < v->nparams; i++) {
		free(v->params[i].name);
		free(v->params[i].value);
		free(v->params[i].raw);
		free(v->params[i].dflt);
	}
	free(v->params);
	for (size_t i = 0; i < v->nsvcs; i++) {
		struct pfa_cfsvc *s = &v->svcs[i];
		free(s->name);
		free(s->type);
		free(s->command);
		for (size_t j = 0; j < s->nopts; j++) {
			free(s->opts[j].name);
			free(s->opts[j].value);
		}
		free(s->opts);
	}
	free(v->svcs);
	free(v->config_dir);
	memset(v, 0, sizeof(*v));
}

static int
cmp_param(const void *a, const void *b)
{
	return strcmp(((const struct pfa_cfparam *)a)->name,
	    ((const struct pfa_cfparam *)b)->name);
}

static struct pfa_cfparam *
find(const struct pfa_cfview *v, const char *name)
{
	if (v->sorted) {
		struct pfa_cfparam key = { .name = (char *)name };
		return bsearch(&key, v->params, v->nparams, sizeof(key),
		    cmp_param);
	}
	for (size_t i = 0; i < v->nparams; i++)
		if (strcmp(v->params[i].name, name) == 0)
			return &v->params[i];
	return NULL;
}

static struct pfa_cfparam *
get_or_add(struct pfa_cfview *v, const char *name)
{
	struct pfa_cfparam *p = find(v, name);
	if (p != NULL)
		return p;
	/* grow by doubling: the array is only ever appended to */
	if ((v->nparams & (v->nparams - 1)) == 0)
		v->params = pfa_xrealloc(v->params, (v->nparams ? v->nparams *
		    2 : 1) * sizeof(*v->params));
	p = &v->params[v->nparams++];
	memset(p, 0, sizeof(*p));
	p->name = pfa_xstrdup(name);
	v->sorted = false;
	return p;
}

static void
replace_str(char **dst, const char *src)
{
	char *n = src ? pfa_xstrdup(src) : NULL;
	free(*dst);
	*dst = n;
}

void
pfa_cfview_set(struct pfa_cfview *v, const char *name, const char *value)
{
	struct pfa_cfparam *p = get_or_add(v, name);
	replace_str(&p->raw, value);
	replace_str(&p->value, value);
}

void
pfa_cfview_set_default(struct pfa_cfview *v, const char *name,
    const char *value)
{
	struct pfa_cfparam *p = get_or_add(v, name);
	replace_str(&p->dflt, value);
	if (p->raw == NULL)
		replace_str(&p->value, value);
}

void
pfa_cfview_set_expanded(struct pfa_cfview *v, const char *name,
    const char *value)
{
	replace_str(&get_or_add(v, name)->value, value);
}

void
pfa_cfview_load_raw(struct pfa_cfview *v, const char *name, const char *value)
{
	struct pfa_cfparam *p = get_or_add(v, name);
	replace_str(&p->raw, value);
	if (p->value == NULL)
		replace_str(&p->value, value);
}

void
pfa_cfview_load_default(struct pfa_cfview *v, const char *name,
    const char *value)
{
	struct pfa_cfparam *p = get_or_add(v, name);
	replace_str(&p->dflt, value);
	if (p->value == NULL)
		replace_str(&p->value, value);
}

void
pfa_cfview_sort(struct pfa_cfview *v)
{
	if (!v->sorted && v->nparams > 1)
		qsort(v->params, v->nparams, sizeof(*v->params), cmp_param);
	v->sorted = true;
}

struct pfa_cfsvc *
pfa_cfview_add_service(struct pfa_cfview *v, const char *name,
    const char *type, const char *command)
{
	v->svcs = pfa_xrealloc(v->svcs, (v->nsvcs + 1) * sizeof(*v->svcs));
	struct pfa_cfsvc *s = &v->svcs[v->nsvcs++];
	memset(s, 0, sizeof(*s));
	s->name = pfa_xstrdup(name);
	s->type = pfa_xstrdup(type);
	/* the command name alone: postconf -F may show its arguments too */
	size_t n = strcspn(command, " \t");
	s->command = pfa_xmalloc(n + 1);
	memcpy(s->command, command, n);
	s->command[n] = '\0';
	return s;
}

void
pfa_cfview_svc_opt(struct pfa_cfsvc *s, const char *name, const char *value)
{
	for (size_t i = 0; i < s->nopts; i++)
		if (strcmp(s->opts[i].name, name) == 0) {
			replace_str(&s->opts[i].value, value);
			return;
		}
	s->opts = pfa_xrealloc(s->opts, (s->nopts + 1) * sizeof(*s->opts));
	s->opts[s->nopts].name = pfa_xstrdup(name);
	s->opts[s->nopts].value = pfa_xstrdup(value);
	s->nopts++;
}

void
pfa_cfview_set_version(struct pfa_cfview *v, const char *mail_version)
{
	int a = 0, b = 0, c = 0;
	if (mail_version == NULL ||
	    sscanf(mail_version, "%d.%d.%d", &a, &b, &c) < 2)
		a = b = c = 0;
	v->version[0] = a;
	v->version[1] = b;
	v->version[2] = c;
}

/* ---------------------------------------------------------------- read */

const struct pfa_cfparam *
pfa_cfview_param(const struct pfa_cfview *v, const char *name)
{
	return find(v, name);
}

const char *
pfa_cf_get(const struct pfa_cfview *v, const char *name)
{
	const struct pfa_cfparam *p = find(v, name);
	return p ? p->value : NULL;
}

const char *
pfa_cf_raw(const struct pfa_cfview *v, const char *name)
{
	const struct pfa_cfparam *p = find(v, name);
	return p ? p->raw : NULL;
}

bool
pfa_cf_is_set(const struct pfa_cfview *v, const char *name)
{
	return pfa_cf_raw(v, name) != NULL;
}

bool
pfa_cf_value_yes(const char *value)
{
	/* Postfix 3.7 knows only yes and no (true and 1 are fatal) */
	return value != NULL && strcasecmp(value, "yes") == 0;
}

bool
pfa_cf_yes(const struct pfa_cfview *v, const char *name)
{
	return pfa_cf_value_yes(pfa_cf_get(v, name));
}

bool
pfa_cf_version_ge(const struct pfa_cfview *v, int major, int minor)
{
	if (v->version[0] == 0)
		return false;
	return v->version[0] > major ||
	    (v->version[0] == major && v->version[1] >= minor);
}

const struct pfa_cfsvc *
pfa_cfview_service(const struct pfa_cfview *v, const char *name,
    const char *type)
{
	for (size_t i = 0; i < v->nsvcs; i++)
		if (strcmp(v->svcs[i].name, name) == 0 &&
		    (type == NULL || strcmp(v->svcs[i].type, type) == 0))
			return &v->svcs[i];
	return NULL;
}

const char *
pfa_cfsvc_opt(const struct pfa_cfsvc *s, const char *name)
{
	for (size_t i = 0; i < s->nopts; i++)
		if (strcmp(s->opts[i].name, name) == 0)
			return s->opts[i].value;
	return NULL;
}

/* NAME if VALUE is exactly "$NAME" or "${NAME}", else NULL (static). */
static const char *
reference(const char *value, char *buf, size_t n)
{
	if (value[0] != '$')
		return NULL;
	const char *p = value + 1;
	bool brace = *p == '{' || *p == '(';
	if (brace)
		p++;
	size_t len = 0;
	while (isalnum((unsigned char)p[len]) || p[len] == '_')
		len++;
	if (len == 0 || len >= n)
		return NULL;
	if ((brace && (p[len] != '}' && p[len] != ')')) ||
	    p[len + (brace ? 1 : 0)] != '\0')
		return NULL;
	memcpy(buf, p, len);
	buf[len] = '\0';
	return buf;
}

const char *
pfa_cfsvc_get(const struct pfa_cfview *v, const struct pfa_cfsvc *s,
    const char *name)
{
	const char *o = s ? pfa_cfsvc_opt(s, name) : NULL;
	if (o == NULL)
		return pfa_cf_get(v, name);
	char buf[128];
	const char *ref = reference(o, buf, sizeof(buf));
	if (ref != NULL) {
		const char *r = pfa_cf_get(v, ref);
		return r ? r : o;
	}
	return o;
}

int
pfa_cf_tokens(const char *value,
    int (*fn)(void *arg, const char *token, size_t index), void *arg)
{
	if (value == NULL)
		return 0;
	const char *p = value;
	size_t idx = 0;
	for (;;) {
		while (*p && (isspace((unsigned char)*p) || *p == ','))
			p++;
		if (*p == '\0')
			return 0;
		/* up to a separator outside braces, as Postfix's mystrtokq */
		const char *start = p, *end;
		int depth = 0;
		for (; *p; p++) {
			if (*p == '{')
				depth++;
			else if (*p == '}' && depth > 0)
				depth--;
			else if (depth == 0 &&
			    (isspace((unsigned char)*p) || *p == ','))
				break;
		}
		end = p;
		if (*start == '{') {
			/* a group: what is inside its braces (an unterminated
			 * one takes the rest), as Postfix's extpar */
			const char *q = start + 1;
			for (depth = 1; q < end; q++) {
				if (*q == '{')
					depth++;
				else if (*q == '}' && --depth == 0)
					break;
			}
			start++;
			end = q;
			while (start < end && isspace((unsigned char)*start))
				start++;
			while (end > start && isspace((unsigned char)end[-1]))
				end--;
		}
		size_t len = (size_t)(end - start);
		char *tok = pfa_xmalloc(len + 1);
		memcpy(tok, start, len);
		tok[len] = '\0';
		int rc = fn(arg, tok, idx++);
		free(tok);
		if (rc != 0)
			return rc;
	}
}
