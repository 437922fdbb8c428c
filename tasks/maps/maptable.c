/*
 * maptable.c - finds the file-based lookup tables Postfix's configuration
 * names, for rebuild-maps; the shrink rule; reading a table's source;
 * the stat and fingerprint of the files an SNI table names (read only,
 * never logged: they hold private keys).
 *
 * Reads only the Postfix module's configuration view (parameters and
 * master.cf overrides).  Caches (names ending in _cache_database, _cache_map or
 * _cache_name, address_verify_map, proxy_write_maps) and anything below
 * data_directory or queue_directory are left out: they are Postfix's own
 * databases, not tables with a source.  No logging; errors are returned.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file.h"
#include "maprecord.h"
#include "mapspec.h"
#include "maptable.h"
#include "result.h"

struct pfa_maptable *
pfa_maptables_find(struct pfa_maptables *l, const char *spec)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i].spec, spec) == 0)
			return &l->v[i];
	return NULL;
}

struct pfa_maptable *
pfa_maptables_add(struct pfa_maptables *l, const char *type, const char *path,
    const char *param, unsigned flags)
{
	char *spec = pfa_xasprintf("%s:%s", type, path);
	struct pfa_maptable *t = pfa_maptables_find(l, spec);
	if (t != NULL) {
		free(spec);
		t->flags |= flags;
		/* proxy_read_maps lists what other parameters use: name the
		 * parameter that says what the table is for */
		if (strncmp(t->param, "proxy_", 6) == 0 &&
		    strncmp(param, "proxy_", 6) != 0) {
			free(t->param);
			t->param = pfa_xstrdup(param);
		}
		return t;
	}
	l->v = pfa_xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
	t = &l->v[l->n++];
	t->spec = spec;
	t->type = pfa_xstrdup(type);
	t->path = pfa_xstrdup(path);
	t->param = pfa_xstrdup(param);
	t->flags = flags;
	return t;
}

static int
cmp_table(const void *a, const void *b)
{
	return strcmp(((const struct pfa_maptable *)a)->spec,
	    ((const struct pfa_maptable *)b)->spec);
}

void
pfa_maptables_sort(struct pfa_maptables *l)
{
	if (l->n > 1)
		qsort(l->v, l->n, sizeof(*l->v), cmp_table);
}

void
pfa_maptables_free(struct pfa_maptables *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].spec);
		free(l->v[i].type);
		free(l->v[i].path);
		free(l->v[i].param);
	}
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

struct disc {
	struct pfa_maptables *l;
	const char *data_dir;
	const char *queue_dir;
	const char *param;
	unsigned flags;
};

static int
disc_token(void *arg, const char *token)
{
	struct disc *d = arg;
	char *type, *path;
	if (pfa_mapspec_parse(token, &type, &path) < 0)
		return 0;
	if (!pfa_map_path_below(path, d->data_dir) &&
	    !pfa_map_path_below(path, d->queue_dir))
		pfa_maptables_add(d->l, type, path, d->param, d->flags);
	free(type);
	free(path);
	return 0;
}

static unsigned
param_flags(const char *name)
{
	unsigned f = 0;
	if (strcmp(name, "tls_server_sni_maps") == 0)
		f |= PFA_MT_SNI;
	if (strcmp(name, "alias_maps") == 0 ||
	    strcmp(name, "alias_database") == 0)
		f |= PFA_MT_ALIAS;
	if (strstr(name, "sasl_password_maps") != NULL)
		f |= PFA_MT_SECRET;
	return f;
}

static void
disc_param(void *arg, const char *name, const char *value)
{
	struct disc *d = arg;
	if (value == NULL || pfa_map_cache_param(name))
		return;
	d->param = name;
	d->flags = param_flags(name);
	pfa_table_walk(value, disc_token, d);
}

int
pfa_maptables_discover(struct pfa_postfix *pf, struct pfa_maptables *l)
{
	const struct pfa_cfview *v = pfa_postfix_view(pf, PFA_VIEW_SERVICES);
	if (v == NULL)
		return -1;
	struct disc d = { .l = l };
	d.data_dir = pfa_cf_get(v, "data_directory");
	d.queue_dir = pfa_cf_get(v, "queue_directory");
	for (size_t i = 0; i < v->nparams; i++)
		disc_param(&d, v->params[i].name, v->params[i].value);
	for (size_t i = 0; i < v->nsvcs; i++)
		for (size_t j = 0; j < v->svcs[i].nopts; j++)
			disc_param(&d, v->svcs[i].opts[j].name,
			    v->svcs[i].opts[j].value);
	return 0;
}

bool
pfa_map_shrink_refused(size_t old_entries, size_t new_entries, int max_shrink)
{
	if (old_entries == 0)
		return false;
	if (new_entries == 0)
		return true;
	if (max_shrink >= 100)
		return false;
	/* new < old * (100 - max_shrink) / 100, without rounding or overflow */
	return (uintmax_t)new_entries * 100 <
	    (uintmax_t)old_entries * (uintmax_t)(100 - max_shrink);
}

char *
pfa_map_redact(const char *msg)
{
	/* a quoted piece takes at least 2 bytes and becomes 12: at most 6x */
	char *out = pfa_xmalloc(strlen(msg) * 6 + 1), *o = out;
	for (const char *p = msg; *p;) {
		const char *end;
		if (*p == '"' && (end = strchr(p + 1, '"')) != NULL) {
			memcpy(o, "\"(redacted)\"", 12);
			o += 12;
			p = end + 1;
			if (strncmp(p, "...", 3) == 0)
				p += 3;
		} else {
			*o++ = *p++;
		}
	}
	*o = '\0';
	return out;
}

char *
pfa_map_db_path(const char *type, const char *source)
{
	const char *suffix = NULL;	/* dbm: .dir + .pag, no single rename */
	if (strcmp(type, "hash") == 0 || strcmp(type, "btree") == 0)
		suffix = ".db";
	else if (strcmp(type, "lmdb") == 0)
		suffix = ".lmdb";
	else if (strcmp(type, "cdb") == 0)
		suffix = ".cdb";
	return suffix ? pfa_xasprintf("%s%s", source, suffix) : NULL;
}

bool
pfa_mapfiles_same(const struct pfa_mapfiles *f)
{
	for (size_t i = 0; i < f->n; i++) {
		struct stat st;
		if (stat(f->v[i].path, &st) < 0 ||
		    f->v[i].size != (int64_t)st.st_size ||
		    f->v[i].mtime != (int64_t)st.st_mtim.tv_sec ||
		    f->v[i].mtime_ns != (int64_t)st.st_mtim.tv_nsec)
			return false;
	}
	return true;
}

static void
wipe_free(char *p, size_t len)
{
	volatile char *v = p;
	while (len-- > 0)
		*v++ = '\0';
	free(p);
}

size_t
pfa_mapfiles_load(struct pfa_map_check *chk, struct pfa_mapfiles *out,
    char sha[65])
{
	size_t failed = 0, len = 0;
	/* "name NUL sha256 LF" for each file, hashed at the end */
	char *list = pfa_xmalloc(1);
	*list = '\0';
	memset(out, 0, sizeof(*out));
	out->v = pfa_xcalloc(chk->nrefs + 1, sizeof(*out->v));
	for (size_t i = 0; i < chk->nrefs; i++) {
		const struct pfa_map_ref *r = &chk->refs[i];
		char *data, fsha[65];
		size_t n;
		struct stat st;
		if (pfa_file_read(r->path, PFA_MAP_MAX_NAMED, PFA_FILE_FOLLOW,
		    &data, &n, &st) < 0) {
			pfa_mapsrc_problem(chk, r->line, true, "names the file "
			    "%s, which cannot be read: %s; postmap -F would "
			    "leave this entry out", r->path, errno == EINVAL ?
			    "not a regular file" : errno == EFBIG ?
			    "larger than 64 MiB" : strerror(errno));
			failed++;
			continue;
		}
		pfa_map_sha256(data, n, fsha);
		wipe_free(data, n);
		struct pfa_mapfile *f = &out->v[out->n++];
		f->path = pfa_xstrdup(r->path);
		f->size = (int64_t)st.st_size;
		f->mtime = (int64_t)st.st_mtim.tv_sec;
		f->mtime_ns = (int64_t)st.st_mtim.tv_nsec;
		if (*fsha == '\0') {
			failed++;	/* OpenSSL failed: no fingerprint */
			continue;
		}
		size_t pl = strlen(r->path);
		list = pfa_xrealloc(list, len + pl + 1 + 64 + 2);
		memcpy(list + len, r->path, pl + 1);
		memcpy(list + len + pl + 1, fsha, 64);
		len += pl + 1 + 64;
		list[len++] = '\n';
	}
	if (failed == 0)
		pfa_map_sha256(list, len, sha);
	else
		*sha = '\0';
	free(list);
	return failed;
}

void
pfa_mapfiles_free(struct pfa_mapfiles *f)
{
	if (f == NULL)
		return;
	for (size_t i = 0; i < f->n; i++)
		free(f->v[i].path);
	free(f->v);
	f->v = NULL;
	f->n = 0;
}

const char *
pfa_mapfiles_changed(const struct pfa_mapfiles *old,
    const struct pfa_mapfiles *now, size_t *n)
{
	const char *first = NULL;
	*n = 0;
	for (size_t i = 0; i < now->n; i++) {
		const struct pfa_mapfile *f = &now->v[i], *o = NULL;
		for (size_t k = 0; k < old->n && o == NULL; k++)
			if (strcmp(old->v[k].path, f->path) == 0)
				o = &old->v[k];
		if (o == NULL || o->size != f->size || o->mtime != f->mtime ||
		    o->mtime_ns != f->mtime_ns) {
			first = first ? first : f->path;
			(*n)++;
		}
	}
	return first;
}
