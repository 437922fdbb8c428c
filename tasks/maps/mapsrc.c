/*
 * NAME
 *	mapsrc - checks the source text of a Postfix lookup table
 * SUMMARY
 *	pfa_mapsrc_check(), pfa_mapsrc_free(), pfa_map_kind(),
 *	pfa_map_is_indexed() (mapsrc.h)
 * DESCRIPTION
 *	Owns the reading of a table the way Postfix 3.7 reads it (its
 *	readllines(): blank, whitespace-only and '#' lines are skipped and
 *	do not end a logical line; a line that starts with whitespace
 *	continues the previous one; a continuation with nothing to
 *	continue is dropped), the checks every kind shares (NUL bytes,
 *	logical lines over PFA_MAPSRC_MAX_LINE bytes, invalid UTF-8), the
 *	problem list, the if/endif stack, and the "key whitespace value"
 *	format of postmap and texthash tables with its entry count and
 *	samples.  The rules of cidr tables are mapsrc_cidr.c's, those of
 *	regexp and pcre tables mapsrc_re.c's.  A tls_server_sni_maps
 *	table (PFA_MAP_SNI) is a postmap table whose values are lists of
 *	file names (postmap -F): this file splits its lines as for any
 *	postmap table and hands each value to mapsrc_sni.c, which
 *	collects the names, each once, for the caller to read; whether
 *	those files exist is not seen here.
 *
 *	What Postfix only warns about and then skips (postmap exits 0)
 *	is an error here, so that a table never loses entries silently;
 *	duplicate keys and "key: value" lines stay warnings.
 *
 *	Keys are folded to lower case in ASCII only: postmap also folds
 *	non-ASCII letters, so two keys that differ only in those are not
 *	found as duplicates, and samples are taken from ASCII keys only.
 *
 *	Must not: do I/O, log, exit, or keep state between calls.
 * DIAGNOSTICS
 *	pfa_mapsrc_check returns 0 or -1 (the table has errors); every
 *	problem is in the result, with the first physical line of the
 *	logical line it is about.  Allocation failures abort (pfa_xmalloc).
 */
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mapsrc.h"
#include "mapsrc_int.h"
#include "result.h"

#define ISSPACE(ch) PFA_MAPSRC_ISSPACE(ch)

/* A key of a postmap table, its bytes in scan.arena; compared folded. */
struct key {
	size_t off, len;
	int line;		/* first line with this key */
	bool dup;		/* seen again later */
};

/* A key that may become a sample: single physical line, ASCII key. */
struct sample_cand {
	size_t key;		/* index in scan.keys */
	size_t voff, vlen;	/* its value in the input */
};

/* The logical line being read. */
struct logical {
	bool open;
	bool orphan;		/* continuation with nothing to continue */
	bool too_long;
	int first;		/* first physical line */
	int nul_line;		/* physical line with a NUL byte, or 0 */
	int nlines;		/* physical lines with text */
	size_t data_off;	/* offset of the first physical line */
	char *buf;
	size_t len, cap;
};

struct scan {
	const char *data;
	enum pfa_map_kind kind;
	struct pfa_map_check *out;
	struct pfa_mapsrc_nest nest;
	struct key *keys;
	size_t nkeys, capkeys;
	char *arena;
	size_t arenalen, arenacap;
	size_t *slots;		/* hash table: index in keys + 1; 0 empty */
	size_t nslots;
	struct sample_cand *cands;
	size_t ncands, capcands;
	size_t caprefs;		/* room in out->refs (mapsrc_sni.c) */
};

enum pfa_map_kind
pfa_map_kind(const char *type)
{
	static const char *const indexed[] = {
		"hash", "btree", "lmdb", "cdb", "dbm",
	};

	if (type == NULL)
		return PFA_MAP_OTHER;
	for (size_t i = 0; i < sizeof(indexed) / sizeof(indexed[0]); i++)
		if (strcmp(type, indexed[i]) == 0)
			return PFA_MAP_INDEXED;
	if (strcmp(type, "texthash") == 0)
		return PFA_MAP_TEXTHASH;
	if (strcmp(type, "cidr") == 0)
		return PFA_MAP_CIDR;
	if (strcmp(type, "regexp") == 0)
		return PFA_MAP_REGEXP;
	if (strcmp(type, "pcre") == 0)
		return PFA_MAP_PCRE;
	return PFA_MAP_OTHER;
}

bool
pfa_map_is_indexed(const char *type)
{
	return pfa_map_kind(type) == PFA_MAP_INDEXED;
}

void
pfa_mapsrc_problem(struct pfa_map_check *c, int line, bool error,
    const char *fmt, ...)
{
	enum { MAX = PFA_MAPSRC_MAX_PROBLEMS };

	if (error)
		c->errors++;
	else
		c->warnings++;
	/* Full: keep the list the first MAX problems in line order. */
	if (c->nproblems == MAX && line >= c->problems[MAX - 1].line)
		return;
	if (c->problems == NULL)
		c->problems = pfa_xcalloc(MAX, sizeof(*c->problems));
	if (c->nproblems == MAX)
		free(c->problems[--c->nproblems].message);

	va_list ap, aq;
	va_start(ap, fmt);
	va_copy(aq, ap);
	int n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	char *msg = pfa_xmalloc(n > 0 ? (size_t)n + 1 : 1);
	if (n < 0 || vsnprintf(msg, (size_t)n + 1, fmt, ap) < 0)
		msg[0] = '\0';
	va_end(ap);

	size_t pos = c->nproblems;
	while (pos > 0 && c->problems[pos - 1].line > line)
		pos--;
	memmove(&c->problems[pos + 1], &c->problems[pos],
	    (c->nproblems - pos) * sizeof(*c->problems));
	c->problems[pos].line = line;
	c->problems[pos].error = error;
	c->problems[pos].message = msg;
	c->nproblems++;
}

char *
pfa_mapsrc_quote(const char *text, size_t len)
{
	enum { SHOW = 60 };
	size_t show = len;
	bool cut = false;

	if (show > SHOW) {
		show = SHOW;
		/* do not cut a UTF-8 sequence */
		while (show > 0 && ((unsigned char)text[show] & 0xc0) == 0x80)
			show--;
		cut = true;
	}
	char *q = pfa_xmalloc(show * 4 + 6);
	char *o = q;
	*o++ = '"';
	for (size_t i = 0; i < show; i++) {
		unsigned char ch = (unsigned char)text[i];
		if (ch < 0x20 || ch == 0x7f || ch == '"' || ch == '\\')
			o += sprintf(o, "\\x%02x", ch);
		else
			*o++ = (char)ch;
	}
	*o++ = '"';
	if (cut)
		o += sprintf(o, "...");
	*o = '\0';
	return q;
}

void
pfa_mapsrc_nest_push(struct pfa_mapsrc_nest *nest, int line)
{
	if (nest->n == nest->cap) {
		nest->cap = nest->cap ? 2 * nest->cap : 8;
		nest->lines = pfa_xrealloc(nest->lines,
		    nest->cap * sizeof(*nest->lines));
	}
	nest->lines[nest->n++] = line;
}

/* Strict UTF-8 (RFC 3629), as Postfix's valid_utf8_string. */
static bool
valid_utf8(const unsigned char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		unsigned char b = s[i];
		size_t n;
		uint32_t cp, min;
		if (b < 0x80) {
			i++;
			continue;
		} else if (b >= 0xc2 && b <= 0xdf) {
			n = 1, cp = b & 0x1f, min = 0x80;
		} else if (b >= 0xe0 && b <= 0xef) {
			n = 2, cp = b & 0x0f, min = 0x800;
		} else if (b >= 0xf0 && b <= 0xf4) {
			n = 3, cp = b & 0x07, min = 0x10000;
		} else {
			return false;
		}
		if (len - i <= n)
			return false;
		for (size_t k = 1; k <= n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += n + 1;
	}
	return true;
}

static unsigned char
lower(unsigned char ch)
{
	return ch >= 'A' && ch <= 'Z' ? (unsigned char)(ch - 'A' + 'a') : ch;
}

static size_t
key_hash(const char *k, size_t len)
{
	uint64_t h = 1469598103934665603ULL;
	for (size_t i = 0; i < len; i++)
		h = (h ^ lower((unsigned char)k[i])) * 1099511628211ULL;
	return (size_t)h;
}

static bool
key_equal(const char *a, const char *b, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (lower((unsigned char)a[i]) != lower((unsigned char)b[i]))
			return false;
	return true;
}

/* P (room for *CAP elements of SIZE bytes) with room for NEED. */
static void *
grow(void *p, size_t *cap, size_t need, size_t size)
{
	if (need <= *cap)
		return p;
	size_t n = *cap ? *cap : 64;
	while (n < need)
		n *= 2;
	*cap = n;
	return pfa_xrealloc(p, n * size);
}

/* Finds key K (LEN bytes) or adds it; its index in s->keys. */
static size_t
key_find_add(struct scan *s, const char *k, size_t len, int line, bool *added)
{
	if (2 * (s->nkeys + 1) > s->nslots) {
		size_t n = s->nslots ? 2 * s->nslots : 256;
		free(s->slots);
		s->slots = pfa_xcalloc(n, sizeof(*s->slots));
		s->nslots = n;
		for (size_t i = 0; i < s->nkeys; i++) {
			struct key *e = &s->keys[i];
			size_t j = key_hash(s->arena + e->off, e->len) &
			    (n - 1);
			while (s->slots[j] != 0)
				j = (j + 1) & (n - 1);
			s->slots[j] = i + 1;
		}
	}
	size_t j = key_hash(k, len) & (s->nslots - 1);
	for (; s->slots[j] != 0; j = (j + 1) & (s->nslots - 1)) {
		struct key *e = &s->keys[s->slots[j] - 1];
		if (e->len == len && key_equal(s->arena + e->off, k, len)) {
			*added = false;
			return s->slots[j] - 1;
		}
	}
	s->keys = grow(s->keys, &s->capkeys, s->nkeys + 1, sizeof(*s->keys));
	s->arena = grow(s->arena, &s->arenacap, s->arenalen + len, 1);
	memcpy(s->arena + s->arenalen, k, len);
	s->keys[s->nkeys] = (struct key){ s->arenalen, len, line, false };
	s->arenalen += len;
	s->slots[j] = ++s->nkeys;
	*added = true;
	return s->nkeys - 1;
}

static char *
copy_lower(const char *p, size_t n, bool fold)
{
	char *r = pfa_xmalloc(n + 1);
	for (size_t i = 0; i < n; i++)
		r[i] = fold ? (char)lower((unsigned char)p[i]) : p[i];
	r[n] = '\0';
	return r;
}

/* "key whitespace value", as postmap and texthash split it. */
static void
indexed_line(struct scan *s, struct logical *l, char *text)
{
	struct pfa_map_check *c = s->out;
	size_t klen = strcspn(text, " \t\r\n");
	char *v = text + klen;

	if (*v != '\0')
		v++;
	while (ISSPACE(*v))
		v++;
	size_t vlen = strlen(v);
	while (vlen > 0 && ISSPACE(v[vlen - 1]))
		vlen--;
	while (klen > 0 && ISSPACE(text[klen - 1]))
		klen--;
	if (klen == 0 || vlen == 0) {
		pfa_mapsrc_problem(c, l->first, true, "expected format: key "
		    "whitespace value (postmap skips this line)");
		return;
	}
	if (text[klen - 1] == ':')
		pfa_mapsrc_problem(c, l->first, false, "key ends in ':', as in "
		    "an aliases file (aliases are built with postalias)");
	/* postmap -F reads the files of a duplicate too */
	if (s->kind == PFA_MAP_SNI)
		pfa_mapsrc_sni_names(c, &s->caprefs, l->first, v, vlen);

	bool added;
	size_t key = key_find_add(s, text, klen, l->first, &added);
	if (!added) {
		struct key *ks = &s->keys[key];
		char *q = pfa_mapsrc_quote(text, klen);
		pfa_mapsrc_problem(c, l->first, false, "duplicate key %s "
		    "(first on line %d; postmap keeps the first value)", q,
		    ks->line);
		free(q);
		ks->dup = true;
		return;
	}
	c->entries++;
	if (l->nlines != 1)
		return;
	for (size_t i = 0; i < klen; i++)
		if ((unsigned char)text[i] >= 0x80)
			return;
	s->cands = grow(s->cands, &s->capcands, s->ncands + 1,
	    sizeof(*s->cands));
	s->cands[s->ncands++] = (struct sample_cand){ key,
		l->data_off + (size_t)(v - text), vlen };
}

/* A logical line is complete: check it. */
static void
finish_line(struct scan *s, struct logical *l)
{
	struct pfa_map_check *c = s->out;

	if (!l->open)
		return;
	l->open = false;
	if (l->orphan) {
		pfa_mapsrc_problem(c, l->first, true, "line starts with "
		    "whitespace but continues no entry (Postfix ignores it)");
		return;
	}
	if (l->nul_line == l->first) {
		pfa_mapsrc_problem(c, l->first, true, "NUL byte (Postfix "
		    "ignores the rest of the line)");
		return;
	}
	if (l->nul_line != 0) {
		pfa_mapsrc_problem(c, l->first, true, "NUL byte on line %d, a "
		    "continuation of this line (Postfix ignores the rest of "
		    "the line)", l->nul_line);
		return;
	}
	if (l->too_long) {
		pfa_mapsrc_problem(c, l->first, true, "logical line longer "
		    "than %d bytes", PFA_MAPSRC_MAX_LINE);
		return;
	}
	if (!valid_utf8((const unsigned char *)l->buf, l->len)) {
		pfa_mapsrc_problem(c, l->first, true, "not valid UTF-8 (with "
		    "smtputf8_enable = yes postmap ignores this line)");
		return;
	}
	while (l->len > 0 && ISSPACE(l->buf[l->len - 1]))
		l->len--;
	l->buf[l->len] = '\0';
	switch (s->kind) {
	case PFA_MAP_INDEXED:
	case PFA_MAP_TEXTHASH:
	case PFA_MAP_SNI:
		indexed_line(s, l, l->buf);
		break;
	case PFA_MAP_CIDR:
		pfa_mapsrc_cidr_line(c, &s->nest, l->first, l->buf);
		break;
	case PFA_MAP_REGEXP:
	case PFA_MAP_PCRE:
		pfa_mapsrc_re_line(c, &s->nest, s->kind == PFA_MAP_PCRE,
		    l->first, l->buf);
		break;
	case PFA_MAP_OTHER:
		break;
	}
}

static void
append(struct logical *l, const char *p, size_t n)
{
	if (l->too_long || l->len + n > PFA_MAPSRC_MAX_LINE) {
		l->too_long = true;
		return;
	}
	if (l->len + n + 1 > l->cap) {
		l->cap = l->len + n + 1 < 256 ? 256 : 2 * (l->len + n + 1);
		l->buf = pfa_xrealloc(l->buf, l->cap);
	}
	memcpy(l->buf + l->len, p, n);
	l->len += n;
}

/* Up to PFA_MAPSRC_SAMPLES keys spread over the file, none duplicated. */
static void
pick_samples(struct scan *s)
{
	struct pfa_map_check *c = s->out;
	size_t n = 0;

	for (size_t i = 0; i < s->ncands; i++)
		if (!s->keys[s->cands[i].key].dup)
			s->cands[n++] = s->cands[i];
	for (size_t k = 0; k < PFA_MAPSRC_SAMPLES && k < n; k++) {
		size_t i = n <= PFA_MAPSRC_SAMPLES ? k :
		    k * (n - 1) / (PFA_MAPSRC_SAMPLES - 1);
		struct sample_cand *sc = &s->cands[i];
		struct key *e = &s->keys[sc->key];
		c->sample_keys[c->nsamples] = copy_lower(s->arena + e->off,
		    e->len, true);
		c->sample_values[c->nsamples] = copy_lower(s->data + sc->voff,
		    sc->vlen, false);
		c->nsamples++;
	}
}

int
pfa_mapsrc_check(const char *data, size_t len, enum pfa_map_kind kind,
    struct pfa_map_check *out)
{
	if (out == NULL)
		return -1;
	memset(out, 0, sizeof(*out));
	if (kind == PFA_MAP_OTHER)
		return 0;
	if (data == NULL)
		len = 0;

	struct scan s = { .data = data, .kind = kind, .out = out };
	struct logical l = { 0 };
	int lineno = 0;

	for (size_t pos = 0; pos < len;) {
		const char *p = data + pos;
		const char *nl = memchr(p, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - p) : len - pos;
		pos += n + (nl != NULL);
		if (lineno < INT_MAX)
			lineno++;

		size_t i = 0;
		while (i < n && ISSPACE(p[i]))
			i++;
		bool nul = memchr(p, '\0', n) != NULL;
		if (i == n || p[i] == '#') {
			if (nul)
				pfa_mapsrc_problem(out, lineno, true,
				    "NUL byte in a comment line");
			continue;
		}
		if (i == 0 || !l.open) {
			finish_line(&s, &l);
			l.open = true;
			l.orphan = i > 0;
			l.too_long = false;
			l.first = lineno;
			l.nul_line = 0;
			l.nlines = 0;
			l.data_off = (size_t)(p - data);
			l.len = 0;
		}
		l.nlines++;
		if (nul && l.nul_line == 0)
			l.nul_line = lineno;
		append(&l, p, n);
	}
	finish_line(&s, &l);
	for (size_t i = 0; i < s.nest.n; i++)
		if (s.nest.lines[i] > 0)
			pfa_mapsrc_problem(out, s.nest.lines[i], true, "if "
			    "without matching endif");
	if (kind == PFA_MAP_INDEXED || kind == PFA_MAP_TEXTHASH ||
	    kind == PFA_MAP_SNI)
		pick_samples(&s);
	pfa_mapsrc_sni_unique(out);

	free(l.buf);
	free(s.nest.lines);
	free(s.slots);
	free(s.keys);
	free(s.arena);
	free(s.cands);
	return out->errors > 0 ? -1 : 0;
}

void
pfa_mapsrc_free(struct pfa_map_check *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < c->nproblems; i++)
		free(c->problems[i].message);
	free(c->problems);
	for (size_t i = 0; i < c->nsamples; i++) {
		free(c->sample_keys[i]);
		free(c->sample_values[i]);
	}
	for (size_t i = 0; i < c->nrefs; i++)
		free(c->refs[i].path);
	free(c->refs);
	memset(c, 0, sizeof(*c));
}
