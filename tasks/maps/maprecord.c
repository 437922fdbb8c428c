/*
 * maprecord.c - rebuild-maps' per-table records in the task state, and
 * the source hash they hold (see maprecord.h).  A record that is not an
 * object or lacks a 64-digit sha256 counts as absent, and an SNI record
 * whose files are missing or malformed counts as one without files, so a
 * damaged state costs one full check, never a wrong "unchanged".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "maprecord.h"
#include "result.h"

static int64_t
jint(json_object *o, const char *key)
{
	json_object *v;
	return json_object_object_get_ex(o, key, &v) ?
	    json_object_get_int64(v) : -1;
}

/* "files_sha256" and "files" of O into R, all or nothing. */
static void
get_files(json_object *o, struct pfa_maprec *r)
{
	json_object *v, *a;
	if (!json_object_object_get_ex(o, "files_sha256", &v) ||
	    !json_object_is_type(v, json_type_string) ||
	    json_object_get_string_len(v) != 64 ||
	    !json_object_object_get_ex(o, "files", &a) ||
	    !json_object_is_type(a, json_type_array))
		return;
	size_t n = json_object_array_length(a);
	r->files.v = pfa_xcalloc(n + 1, sizeof(*r->files.v));
	for (size_t i = 0; i < n; i++) {
		json_object *e = json_object_array_get_idx(a, i), *p;
		if (!json_object_is_type(e, json_type_object) ||
		    !json_object_object_get_ex(e, "path", &p) ||
		    !json_object_is_type(p, json_type_string)) {
			pfa_mapfiles_free(&r->files);
			return;
		}
		struct pfa_mapfile *f = &r->files.v[r->files.n++];
		f->path = pfa_xstrdup(json_object_get_string(p));
		f->size = jint(e, "size");
		f->mtime = jint(e, "mtime");
		f->mtime_ns = jint(e, "mtime_ns");
	}
	memcpy(r->files_sha, json_object_get_string(v), 64);
	r->files_sha[64] = '\0';
	r->have_files = true;
}

void
pfa_maprec_get(json_object *recs, const char *spec, struct pfa_maprec *r)
{
	json_object *o, *v;
	memset(r, 0, sizeof(*r));
	if (!json_object_object_get_ex(recs, spec, &o) ||
	    !json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, "sha256", &v) ||
	    !json_object_is_type(v, json_type_string) ||
	    json_object_get_string_len(v) != 64)
		return;
	r->have = true;
	memcpy(r->sha, json_object_get_string(v), 64);
	r->sha[64] = '\0';
	r->size = jint(o, "size");
	r->mtime = jint(o, "mtime");
	r->mtime_ns = jint(o, "mtime_ns");
	r->entries = jint(o, "entries");
	r->warnings = jint(o, "warnings");
	r->valid = json_object_object_get_ex(o, "valid", &v) &&
	    json_object_get_boolean(v);
	if (r->entries < 0)
		r->entries = 0;
	if (r->warnings < 0)
		r->warnings = 0;
	get_files(o, r);
}

void
pfa_maprec_free(struct pfa_maprec *r)
{
	pfa_mapfiles_free(&r->files);
	r->have_files = false;
}

static void
put_files(json_object *o, const struct pfa_maprec *r)
{
	if (!r->have_files)
		return;
	json_object *a = json_object_new_array();
	for (size_t i = 0; i < r->files.n; i++) {
		const struct pfa_mapfile *f = &r->files.v[i];
		json_object *e = json_object_new_object();
		json_object_object_add(e, "path",
		    json_object_new_string(f->path));
		json_object_object_add(e, "size",
		    json_object_new_int64(f->size));
		json_object_object_add(e, "mtime",
		    json_object_new_int64(f->mtime));
		json_object_object_add(e, "mtime_ns",
		    json_object_new_int64(f->mtime_ns));
		json_object_array_add(a, e);
	}
	json_object_object_add(o, "files_sha256",
	    json_object_new_string(r->files_sha));
	json_object_object_add(o, "files", a);
}

void
pfa_maprec_put(json_object *recs, const char *spec, const struct pfa_maprec *r)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "sha256", json_object_new_string(r->sha));
	json_object_object_add(o, "size", json_object_new_int64(r->size));
	json_object_object_add(o, "mtime", json_object_new_int64(r->mtime));
	json_object_object_add(o, "mtime_ns",
	    json_object_new_int64(r->mtime_ns));
	json_object_object_add(o, "entries",
	    json_object_new_int64(r->entries));
	json_object_object_add(o, "warnings",
	    json_object_new_int64(r->warnings));
	json_object_object_add(o, "valid", json_object_new_boolean(r->valid));
	put_files(o, r);
	json_object_object_add(recs, spec, o);
}

json_object *
pfa_maprecs(json_object *data)
{
	json_object *recs;
	if (json_object_object_get_ex(data, "tables", &recs) &&
	    json_object_is_type(recs, json_type_object))
		return recs;
	recs = json_object_new_object();
	json_object_object_add(data, "tables", recs);
	return recs;
}

void
pfa_maprecs_prune(json_object *recs, struct pfa_maptables *l)
{
	size_t n = 0, i = 0;
	json_object_object_foreach(recs, key0, val0) {
		(void)val0;
		if (pfa_maptables_find(l, key0) == NULL)
			n++;
	}
	char **gone = pfa_xcalloc(n + 1, sizeof(*gone));
	json_object_object_foreach(recs, key, val) {
		(void)val;
		if (pfa_maptables_find(l, key) == NULL && i < n)
			gone[i++] = pfa_xstrdup(key);
	}
	for (i = 0; i < n; i++) {
		json_object_object_del(recs, gone[i]);
		free(gone[i]);
	}
	free(gone);
}

void
pfa_map_sha256(const char *data, size_t len, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	out[0] = '\0';
	if (EVP_Digest(data, len, md, &n, EVP_sha256(), NULL) != 1 || n != 32)
		return;		/* "" never matches a record */
	for (unsigned int i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}
