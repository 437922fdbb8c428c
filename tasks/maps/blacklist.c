/*
 * blacklist.c - assembles rebuild-maps' sender blacklist: reads the list
 * files, validates every line, merges, sorts and de-duplicates them into
 * an access(5) map source, and checks that main.cf uses the map.
 *
 * Writes nothing itself: rebuild_maps.c puts the source in place through
 * pfa_ctx_replace and rebuilds it like any other table.  A list with any
 * bad line produces no source at all, so a half-read list never replaces
 * a whole one.  Problems become findings; list entries are not secrets,
 * but they are not echoed either: FILE:LINE says where to look.
 */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "blacklist.h"
#include "config.h"
#include "file.h"
#include "mapsrc.h"
#include "maptable.h"
#include "remedy.h"

#define MAX_SHOWN 20		/* findings per list file */
#define MAX_ENTRY 320		/* 64 + 1 + 255 */

static const char *const bl_keys[] = { "lists", "map", "action", "adopt",
	NULL };

/* access(5) actions a blacklist may use (the first word of ACTION). */
static const char *const actions[] = {
	"REJECT", "DEFER", "DEFER_IF_REJECT", "DEFER_IF_PERMIT", "DISCARD",
	"HOLD", "WARN", "INFO", "FILTER", "REDIRECT", "BCC", "PREPEND",
	"DUNNO", "OK", NULL,
};

static bool
action_ok(const char *a)
{
	if (*a == '\0' || isspace((unsigned char)*a))
		return false;
	for (const char *p = a; *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
			return false;
	size_t w = strcspn(a, " \t");
	if (w == 3 && (a[0] == '4' || a[0] == '5') &&
	    isdigit((unsigned char)a[1]) && isdigit((unsigned char)a[2]))
		return true;
	for (size_t i = 0; actions[i]; i++)
		if (strlen(actions[i]) == w && strncasecmp(a, actions[i], w) == 0)
			return true;
	return false;
}

int
pfa_bl_configure(const config_setting_t *b, struct pfa_bl_conf *out)
{
	memset(out, 0, sizeof(*out));
	if (config_setting_type(b) != CONFIG_TYPE_GROUP) {
		pfa_conf_error(b, "expected a group: blacklist = { lists = "
		    "[ \"/etc/postfix/blacklist.d/local\" ]; map = "
		    "\"hash:/etc/postfix/blacklist\"; };");
		return -1;
	}
	int rc = pfa_conf_check_known(b, bl_keys);
	config_setting_t *lists = config_setting_get_member(
	    (config_setting_t *)b, "lists");
	config_setting_t *map = config_setting_get_member(
	    (config_setting_t *)b, "map");
	char *spec = NULL;
	if (pfa_conf_string_list(b, "lists", &out->lists) < 0) {
		rc = -1;
	} else if (lists == NULL) {
		pfa_conf_error(b, "lists is required: the list files to "
		    "merge, e.g. lists = [ \"/etc/postfix/blacklist.d/local\" ]");
		rc = -1;
	} else if (out->lists == NULL || out->lists[0] == NULL) {
		pfa_conf_error(lists, "lists is empty: name at least one "
		    "list file");
		rc = -1;
	}
	for (char **f = out->lists; f && *f; f++)
		if (**f != '/') {
			pfa_conf_error(lists, "\"%s\" is not an absolute path",
			    *f);
			rc = -1;
		}
	if (pfa_conf_string(b, "map", NULL, &spec) < 0) {
		rc = -1;
	} else if (spec == NULL) {
		pfa_conf_error(b, "map is required: the map source pfagent "
		    "writes, e.g. map = \"hash:/etc/postfix/blacklist\"");
		rc = -1;
	} else {
		char *type = NULL, *path = NULL;
		if (*spec == '/') {
			type = pfa_xstrdup("hash");
			path = pfa_xstrdup(spec);
		} else if (pfa_mapspec_parse(spec, &type, &path) < 0 ||
		    strncmp(spec, "proxy:", 6) == 0) {
			free(type);
			free(path);
			type = path = NULL;
		}
		if (type == NULL || (strcmp(type, "hash") != 0 &&
		    strcmp(type, "btree") != 0 && strcmp(type, "lmdb") != 0 &&
		    strcmp(type, "cdb") != 0)) {
			pfa_conf_error(map, "\"%s\" is not TYPE:/absolute/path "
			    "with TYPE hash, btree, lmdb or cdb (or an "
			    "absolute path, for hash)", spec);
			rc = -1;
		}
		for (char **f = out->lists; path && f && *f; f++)
			if (strcmp(*f, path) == 0) {
				pfa_conf_error(map, "the map source %s is also "
				    "a list file: pfagent would overwrite the "
				    "list", path);
				rc = -1;
			}
		if (type != NULL) {
			out->type = type;
			out->path = path;
			out->spec = pfa_xasprintf("%s:%s", type, path);
		}
	}
	free(spec);
	if (pfa_conf_bool(b, "adopt", false, &out->adopt) < 0)
		rc = -1;
	if (pfa_conf_string(b, "action", "REJECT", &out->action) < 0) {
		rc = -1;
	} else if (!action_ok(out->action)) {
		pfa_conf_error(config_setting_get_member((config_setting_t *)b,
		    "action"), "\"%s\" is not an access(5) action such as "
		    "REJECT, \"REJECT text\", DISCARD, HOLD or \"554 text\"",
		    out->action);
		rc = -1;
	}
	return rc;
}

bool
pfa_bl_may_write(const struct pfa_bl_conf *c, struct pfa_result *res)
{
	char *buf;
	size_t len;
	if (c->adopt)
		return true;
	if (pfa_file_read(c->path, PFA_MAP_MAX_SOURCE, PFA_FILE_FOLLOW, &buf,
	    &len, NULL) < 0)
		return errno == ENOENT;	/* else the write says why */
	bool ours = strncmp(buf, PFA_BL_HEADER, strlen(PFA_BL_HEADER)) == 0;
	free(buf);
	if (!ours)
		pfa_result_add_finding(res, PFA_SEV_CRITICAL, "PFA-MAP-018",
		    c->path, NULL, "%s exists and was not written by pfagent "
		    "(it does not start with \"%s\"): it is never replaced.  "
		    "Point tasks.rebuild-maps.blacklist.map at another file, "
		    "or, to have pfagent take it over, add it to "
		    "blacklist.lists (to keep its entries) and set "
		    "blacklist.adopt = true", c->path, PFA_BL_HEADER);
	return ours;
}

void
pfa_bl_conf_free(struct pfa_bl_conf *c)
{
	pfa_conf_free_list(c->lists);
	free(c->type);
	free(c->path);
	free(c->spec);
	free(c->action);
	memset(c, 0, sizeof(*c));
}

static bool
atext(int ch)
{
	return isalnum(ch) || (ch != '\0' && strchr("!#$%&'*+/=?^_`{|}~-.",
	    ch) != NULL);
}

static int
check_domain(const char *d, const char **why)
{
	size_t n = strlen(d);
	if (n == 0) {
		*why = "no domain after '@'";
		return -1;
	}
	if (n > 253) {
		*why = "domain longer than 253 characters";
		return -1;
	}
	const char *label = d;
	for (;;) {
		size_t l = strcspn(label, ".");
		if (l == 0) {
			*why = "invalid domain: empty label (two dots in a "
			    "row, or a leading or trailing dot)";
			return -1;
		}
		if (l > 63) {
			*why = "invalid domain: label longer than 63 "
			    "characters";
			return -1;
		}
		for (size_t i = 0; i < l; i++) {
			unsigned char ch = (unsigned char)label[i];
			if (!(ch >= 'a' && ch <= 'z') && !isdigit(ch) &&
			    ch != '-') {
				*why = "invalid domain: only letters, digits, "
				    "'-' and '.' are allowed (use the "
				    "xn-- form of an international name)";
				return -1;
			}
		}
		if (label[0] == '-' || label[l - 1] == '-') {
			*why = "invalid domain: a label starts or ends with "
			    "'-'";
			return -1;
		}
		if (label[l] == '\0')
			return 0;
		label += l + 1;
	}
}

int
pfa_bl_entry_check(const char *e, const char **why)
{
	size_t n = strlen(e);
	if (n == 0) {
		*why = "empty entry";
		return -1;
	}
	if (n > MAX_ENTRY) {
		*why = "entry longer than 320 characters";
		return -1;
	}
	for (const char *p = e; *p; p++)
		if (isspace((unsigned char)*p)) {
			*why = "space inside the entry: one address, @domain "
			    "or domain per line";
			return -1;
		}
	const char *at = strchr(e, '@');
	if (at == NULL)
		return check_domain(e, why);
	if (strchr(at + 1, '@') != NULL) {
		*why = "more than one '@'";
		return -1;
	}
	if (at != e) {
		size_t l = (size_t)(at - e);
		if (l > 64) {
			*why = "local part longer than 64 characters";
			return -1;
		}
		for (size_t i = 0; i < l; i++)
			if (!atext((unsigned char)e[i])) {
				*why = "bad character in the local part";
				return -1;
			}
		bool dots = false;
		for (size_t i = 1; i < l; i++)
			dots = dots || (e[i] == '.' && e[i - 1] == '.');
		if (e[0] == '.' || e[l - 1] == '.' || dots) {
			*why = "local part starts or ends with a dot, or has "
			    "two dots in a row";
			return -1;
		}
	}
	return check_domain(at + 1, why);
}

struct entries {
	char **v;
	size_t n, cap;
};

static void
add_entry(struct entries *es, const char *s, size_t n)
{
	if (es->n == es->cap) {
		es->cap = es->cap ? 2 * es->cap : 256;
		es->v = pfa_xrealloc(es->v, es->cap * sizeof(*es->v));
	}
	char *e = pfa_xmalloc(n + 1);
	for (size_t i = 0; i < n; i++)
		e[i] = (char)tolower((unsigned char)s[i]);
	e[n] = '\0';
	es->v[es->n++] = e;
}

/* Parses one list file's DATA; 0 or the number of bad lines. */
static size_t
parse_list(const char *file, const char *data, size_t len,
    struct entries *es, struct pfa_result *res)
{
	size_t bad = 0;
	int line = 0;
	for (size_t off = 0; off < len;) {
		const char *s = data + off;
		const char *nl = memchr(s, '\n', len - off);
		size_t n = nl ? (size_t)(nl - s) : len - off;
		off += n + 1;
		line++;
		const char *why = NULL;
		if (memchr(s, '\0', n) != NULL)
			why = "NUL byte in the line";
		while (n > 0 && isspace((unsigned char)*s)) {
			s++;
			n--;
		}
		while (n > 0 && isspace((unsigned char)s[n - 1]))
			n--;
		if (why == NULL && (n == 0 || *s == '#'))
			continue;
		size_t first = es->n;
		if (why == NULL) {
			add_entry(es, s, n);
			if (pfa_bl_entry_check(es->v[first], &why) == 0) {
				/* "@domain" blocks the domain: access(5)
				 * knows that key as "domain" */
				if (es->v[first][0] == '@')
					memmove(es->v[first],
					    es->v[first] + 1, n);
				continue;
			}
			free(es->v[--es->n]);
		}
		if (++bad <= MAX_SHOWN) {
			char *subj = pfa_xasprintf("%s:%d", file, line);
			pfa_result_add_finding(res, PFA_SEV_CRITICAL,
			    "PFA-MAP-004", subj, NULL, "%s; the blacklist map "
			    "is not rewritten until this is fixed", why);
			free(subj);
		}
	}
	if (bad > MAX_SHOWN)
		pfa_result_add_finding(res, PFA_SEV_CRITICAL, "PFA-MAP-004",
		    file, NULL, "%zu bad lines in all (the first %d are "
		    "listed); the blacklist map is not rewritten", bad,
		    MAX_SHOWN);
	return bad;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
free_entries(struct entries *es)
{
	for (size_t i = 0; i < es->n; i++)
		free(es->v[i]);
	free(es->v);
}

int
pfa_bl_assemble(const struct pfa_bl_conf *c, struct pfa_result *res,
    char **out, size_t *len, size_t *nentries)
{
	struct entries es = { NULL, 0, 0 };
	size_t bad = 0;
	for (char **f = c->lists; f && *f; f++) {
		char *data = NULL;
		size_t dlen = 0;
		struct stat st;
		if (pfa_file_read(*f, PFA_MAP_MAX_SOURCE, PFA_FILE_FOLLOW,
		    &data, &dlen, &st) < 0) {
			pfa_result_add_finding(res, PFA_SEV_CRITICAL,
			    "PFA-MAP-004", *f, NULL, "cannot read the list "
			    "file: %s; the blacklist map is not rewritten",
			    errno == EINVAL ? "not a regular file" :
			    errno == EFBIG ? "larger than 1 GiB" :
			    strerror(errno));
			bad++;
			continue;
		}
		bad += parse_list(*f, data, dlen, &es, res);
		free(data);
	}
	if (bad > 0) {
		free_entries(&es);
		return -1;
	}
	if (es.n > 1)
		qsort(es.v, es.n, sizeof(*es.v), cmp_str);
	size_t k = 0;
	for (size_t i = 0; i < es.n; i++) {
		if (k > 0 && strcmp(es.v[k - 1], es.v[i]) == 0) {
			free(es.v[i]);
			continue;
		}
		es.v[k++] = es.v[i];
	}
	es.n = k;

	size_t cap = 64, alen = strlen(c->action);
	for (char **f = c->lists; *f; f++)
		cap += strlen(*f) + 2;
	for (size_t i = 0; i < es.n; i++)
		cap += strlen(es.v[i]) + alen + 2;
	char *buf = pfa_xmalloc(cap + 1), *o = buf;
	o += sprintf(o, "%s from: ", PFA_BL_HEADER);
	for (char **f = c->lists; *f; f++)
		o += sprintf(o, "%s%s", f == c->lists ? "" : ", ", *f);
	o += sprintf(o, " -- do not edit\n");
	for (size_t i = 0; i < es.n; i++)
		o += sprintf(o, "%s %s\n", es.v[i], c->action);
	*out = buf;
	*len = (size_t)(o - buf);
	*nentries = es.n;
	free_entries(&es);
	return 0;
}

/* ------------------------------------------------------ is it used? */

struct ref {
	const struct pfa_bl_conf *c;
	struct pfa_postfix *pf;
	bool found;
};

static int
ref_token(void *arg, const char *token)
{
	struct ref *r = arg;
	char *type, *path;
	if (pfa_mapspec_parse(token, &type, &path) < 0)
		return 0;
	r->found = strcmp(type, r->c->type) == 0 &&
	    strcmp(path, r->c->path) == 0;
	free(type);
	free(path);
	return r->found;
}

static bool
restriction_list(const char *name)
{
	size_t n = strlen(name);
	return strncmp(name, "smtpd_", 6) == 0 && n > 19 &&
	    strcmp(name + n - 13, "_restrictions") == 0;
}

static void
ref_param(void *arg, const char *name, const char *value)
{
	struct ref *r = arg;
	if (!r->found && value != NULL && restriction_list(name))
		pfa_table_walk(value, ref_token, r);
}

/* a restriction class: its value is a restriction list */
static int
ref_class(void *arg, const char *name)
{
	struct ref *r = arg;
	const char *v = pfa_postfix_param(r->pf, name);
	if (v != NULL)
		pfa_table_walk(v, ref_token, r);
	return r->found;
}

void
pfa_bl_check_referenced(struct pfa_postfix *pf, const struct pfa_bl_conf *c,
    struct pfa_result *res)
{
	struct ref r = { c, pf, false };
	const struct pfa_cfview *v = pfa_postfix_view(pf, PFA_VIEW_SERVICES);
	if (v == NULL)
		return;
	for (size_t i = 0; i < v->nparams && !r.found; i++)
		ref_param(&r, v->params[i].name, v->params[i].value);
	const char *classes = pfa_cf_get(v, "smtpd_restriction_classes");
	if (!r.found && classes != NULL)
		pfa_table_walk(classes, ref_class, &r);
	/* an override may name a main.cf parameter ("$name"): its value */
	for (size_t i = 0; i < v->nsvcs && !r.found; i++)
		for (size_t j = 0; j < v->svcs[i].nopts && !r.found; j++)
			ref_param(&r, v->svcs[i].opts[j].name,
			    pfa_cfsvc_get(v, &v->svcs[i],
			    v->svcs[i].opts[j].name));
	if (r.found)
		return;
	const char *cur = pfa_postfix_param(pf, "smtpd_sender_restrictions");
	char *remedy = pfa_remedy(pfa_postfix_config_dir(pf), "postconf -e "
	    "'smtpd_sender_restrictions = check_sender_access %s%s%s'",
	    c->spec, cur && *cur ? ", " : "", cur ? cur : "");
	pfa_result_add_finding(res, PFA_SEV_WARNING, "PFA-MAP-006", c->spec,
	    remedy, "the blacklist map is kept up to date, but no "
	    "smtpd_*_restrictions list uses it, so Postfix rejects nobody "
	    "with it; add check_sender_access %s to "
	    "smtpd_sender_restrictions", c->spec);
	free(remedy);
}
