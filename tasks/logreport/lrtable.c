/*
 * lrtable.c - counting tables and the string arena (lrtable.h).  Memory
 * only; allocation failure aborts (pfa_xmalloc).
 */
#include <stdlib.h>
#include <string.h>

#include "lrtable.h"
#include "result.h"
#include "vec16.h"

#define ARENA_BLOCK (256 * 1024)
#define NOTE_MAX 300

struct pfa_lr_block {
	struct pfa_lr_block *next;
	size_t used, size;
	char data[];
};

struct pfa_lr_arena {
	struct pfa_lr_block *head;
};

struct pfa_lr_arena *
pfa_lr_arena_new(void)
{
	return pfa_xcalloc(1, sizeof(struct pfa_lr_arena));
}

void
pfa_lr_arena_free(struct pfa_lr_arena *a)
{
	if (a == NULL)
		return;
	for (struct pfa_lr_block *b = a->head, *n; b; b = n) {
		n = b->next;
		free(b);
	}
	free(a);
}

static void *
arena_alloc(struct pfa_lr_arena *a, size_t n)
{
	n = (n + 7) & ~(size_t)7;
	struct pfa_lr_block *b = a->head;
	if (b == NULL || b->size - b->used < n) {
		size_t size = n > ARENA_BLOCK ? n : ARENA_BLOCK;
		b = pfa_xmalloc(sizeof(*b) + size);
		b->size = size;
		b->used = 0;
		b->next = a->head;
		a->head = b;
	}
	void *p = b->data + b->used;
	b->used += n;
	return p;
}

char *
pfa_lr_arena_dup(struct pfa_lr_arena *a, const char *s, size_t len)
{
	char *p = arena_alloc(a, len + 1);
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

const char *
pfa_lr_memrchr(const char *p, char c, size_t n)
{
#ifdef VEC16
	/* the last sixteen bytes at once (an address's domain is in them) */
	if (n >= 16) {
		uint32_t m = mask16((m16)(load16(p + n - 16) == (unsigned char)c));
		if (m != 0)
			return p + n - 16 + (31 - __builtin_clz(m));
		n -= 16;
	}
#endif
	while (n > 0)
		if (p[--n] == c)
			return p + n;
	return NULL;
}

uint32_t
pfa_lr_hash(const char *s, size_t len)
{
	/* eight bytes at a time, then a final mix */
	const uint64_t m = 0xff51afd7ed558ccdull;
	uint64_t h = 0x9e3779b97f4a7c15ull ^ len;
	for (; len >= 8; s += 8, len -= 8) {
		uint64_t w;
		memcpy(&w, s, 8);
		h = (h ^ w) * m;
		h ^= h >> 32;
	}
	if (len > 0) {
		uint64_t w = 0;
		for (size_t i = 0; i < len; i++)
			w |= (uint64_t)(unsigned char)s[i] << (8 * i);
		h = (h ^ w) * m;
		h ^= h >> 32;
	}
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 29;
	return (uint32_t)h;
}

/* N zero bytes, written now: calloc's fresh pages map the zero page, and
 * the first store into one later costs a copy-on-write fault and a TLB
 * flush on every core the process runs on. */
static void *
zeroed(size_t n)
{
	void *p = pfa_xmalloc(n);
	memset(p, 0, n);
	return p;
}

void
pfa_lr_table_init(struct pfa_lr_table *t, size_t max)
{
	memset(t, 0, sizeof(*t));
	t->cap = 64;
	t->slots = zeroed(t->cap * sizeof(*t->slots));
	t->order = pfa_xmalloc(t->cap * sizeof(*t->order));
	t->max = max;
	t->arena = pfa_lr_arena_new();
	/* where the allocator put this table's memory (randomised with
	 * the address space): enough that nobody outside knows the seed */
	t->seed = ((uint64_t)(uintptr_t)t->slots ^
	    ((uint64_t)(uintptr_t)t << 32)) * 0x9e3779b97f4a7c15ull;
}

void
pfa_lr_table_free(struct pfa_lr_table *t)
{
	free(t->slots);
	free(t->order);
	pfa_lr_arena_free(t->arena);
	memset(t, 0, sizeof(*t));
}

/* The table's hash of KEY: eight bytes at a time. */
static uint32_t
key_hash(const struct pfa_lr_table *t, const char *s, size_t n)
{
	const uint64_t m = 0xff51afd7ed558ccdull;
	uint64_t h = t->seed ^ n;
	bool whole = n >= 8;
	for (; n >= 8; s += 8, n -= 8) {
		uint64_t w;
		memcpy(&w, s, 8);
		h = (h ^ w) * m;
		h ^= h >> 32;
	}
	if (n > 0 && whole) {
		/* the last eight bytes, overlapping the word before */
		uint64_t w;
		memcpy(&w, s + n - 8, 8);
		h = (h ^ w) * m;
		h ^= h >> 32;
	} else if (n > 0) {
		uint64_t w = 0;
		for (size_t i = 0; i < n; i++)
			w |= (uint64_t)(unsigned char)s[i] << (8 * i);
		h = (h ^ w) * m;
		h ^= h >> 32;
	}
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 29;
	return (uint32_t)h;
}

static void
grow(struct pfa_lr_table *t)
{
	size_t cap = t->cap * 2;
	struct pfa_lr_slot *s = zeroed(cap * sizeof(*s));
	for (size_t i = 0; i < t->cap; i++) {
		if (t->slots[i].e == NULL)
			continue;
		size_t k = t->slots[i].hash & (cap - 1);
		while (s[k].e != NULL)
			k = (k + 1) & (cap - 1);
		s[k] = t->slots[i];
	}
	free(t->slots);
	t->slots = s;
	t->cap = cap;
	t->order = pfa_xrealloc(t->order, cap * sizeof(*t->order));
}

/* A new entry for KEY (its final bytes) at the empty slot S. */
static struct pfa_lr_entry *
insert(struct pfa_lr_table *t, size_t s, const char *key, size_t len,
    uint32_t h)
{
	struct pfa_lr_entry *e = arena_alloc(t->arena, sizeof(*e) + len + 1);
	memset(e, 0, sizeof(*e));
	memcpy(e->key, key, len);
	e->key[len] = '\0';
	e->keylen = (uint32_t)len;
	t->slots[s].hash = h;
	t->slots[s].keylen = (uint32_t)len;
	t->slots[s].e = e;
	t->order[t->n++] = e;
	return e;
}

/* The slot of KEY (hash H), or the empty slot where it would go. */
static size_t
probe(const struct pfa_lr_table *t, const char *key, size_t len, uint32_t h)
{
	size_t mask = t->cap - 1, s = h & mask;
	for (; t->slots[s].e != NULL; s = (s + 1) & mask)
		if (t->slots[s].hash == h && t->slots[s].keylen == len &&
		    memcmp(t->slots[s].e->key, key, len) == 0)
			break;
	return s;
}

/* A key made ready for a table: its stored form and hash. */
struct lr_key {
	const char *key, *raw;	/* KEY NULL: long, made at the lookup */
	size_t len, lower_from;
	uint32_t hash;
	char buf[256];
};

/* KEY (LEN bytes) into OUT with the bytes from FROM on lower-cased (a
 * domain). */
static inline void
lowered(char *out, const char *key, size_t from, size_t len)
{
	memcpy(out, key, from);
	for (size_t i = from; i < len; i++) {
		unsigned char c = (unsigned char)key[i];
		out[i] = (char)(c + ((unsigned)(c - 'A') < 26u ? 32 : 0));
	}
}

static void
key_init(const struct pfa_lr_table *t, struct lr_key *k, const char *key,
    size_t len, size_t lower_from)
{
	k->raw = key;
	k->len = len;
	k->lower_from = lower_from;
	k->key = key;
	/* a domain without upper-case letters is stored as it is */
	while (lower_from < len &&
	    (unsigned)((unsigned char)key[lower_from] - 'A') >= 26u)
		lower_from++;
	k->lower_from = lower_from;
	if (lower_from < len) {
		if (len > sizeof(k->buf)) {
			k->key = NULL;	/* long: made at the lookup */
			return;
		}
		lowered(k->buf, key, lower_from, len);
		k->key = k->buf;
	}
	k->hash = key_hash(t, k->key, len);
}

/* The entry for KEY (stored form, hash H), made if needed. */
static struct pfa_lr_entry *
get(struct pfa_lr_table *t, const char *key, size_t len, uint32_t h)
{
	size_t s = probe(t, key, len, h);
	struct pfa_lr_entry *e = t->slots[s].e;
	if (e != NULL)
		return e;
	if (t->max > 0 && t->n >= t->max) {
		t->folded++;
		if (t->other == NULL) {
			size_t ol = strlen(LR_OTHER);
			uint32_t oh = key_hash(t, LR_OTHER, ol);
			if ((t->n + 1) * 4 > t->cap * 3)
				grow(t);
			t->other = insert(t, probe(t, LR_OTHER, ol, oh),
			    LR_OTHER, ol, oh);
		}
		return t->other;
	}
	if ((t->n + 1) * 4 > t->cap * 3) {
		grow(t);
		s = probe(t, key, len, h);
	}
	return insert(t, s, key, len, h);
}

static struct pfa_lr_entry *
get_key(struct pfa_lr_table *t, const struct lr_key *k)
{
	if (k->key != NULL)
		return get(t, k->key, k->len, k->hash);
	/* a long key with a domain: lower-cased into a copy of its own */
	char *c = pfa_xmalloc(k->len);
	lowered(c, k->raw, k->lower_from, k->len);
	struct pfa_lr_entry *e = get(t, c, k->len, key_hash(t, c, k->len));
	free(c);
	return e;
}

struct pfa_lr_entry *
pfa_lr_table_get(struct pfa_lr_table *t, const char *key, size_t len,
    size_t lower_from)
{
	/* the key of the lookup before, again (a TLS version, a program):
	 * not hashed and probed again */
	struct pfa_lr_entry *last = t->last;
	if (last != NULL && lower_from >= len && last->keylen == len &&
	    memcmp(last->key, key, len) == 0)
		return last;
	struct lr_key k;
	key_init(t, &k, key, len, lower_from);
	struct pfa_lr_entry *e = get_key(t, &k);
	if (lower_from >= len && e != t->other)
		t->last = e;
	return e;
}

struct pfa_lr_entry *
pfa_lr_table_find(const struct pfa_lr_table *t, const char *key, size_t len)
{
	return t->slots[probe(t, key, len, key_hash(t, key, len))].e;
}

void
pfa_lr_table_merge(struct pfa_lr_table *t, const struct pfa_lr_table *from)
{
	/* in FROM's order, so that which keys a full T folds into
	 * "(other)" does not depend on either table's hash */
	for (size_t i = 0; i < from->n; i++) {
		const struct pfa_lr_entry *f = from->order[i];
		struct pfa_lr_entry *e = pfa_lr_table_get(t, f->key, f->keylen,
		    SIZE_MAX);
		for (int k = 0; k < LR_COLS; k++)
			e->c[k] += f->c[k];
		if (f->note != NULL)
			pfa_lr_table_note(t, e, f->note, strlen(f->note));
	}
	t->folded += from->folded;
}

void
pfa_lr_table_note(struct pfa_lr_table *t, struct pfa_lr_entry *e, const char *s,
    size_t len)
{
	if (e->note != NULL)
		return;
	e->note = pfa_lr_arena_dup(t->arena, s, len > NOTE_MAX ? NOTE_MAX : len);
}

static int sort_col, sort_col2;

static int
cmp_entry(const void *a, const void *b)
{
	const struct pfa_lr_entry *x = *(struct pfa_lr_entry *const *)a;
	const struct pfa_lr_entry *y = *(struct pfa_lr_entry *const *)b;
	if (x->c[sort_col] != y->c[sort_col])
		return x->c[sort_col] > y->c[sort_col] ? -1 : 1;
	if (x->c[sort_col2] != y->c[sort_col2])
		return x->c[sort_col2] > y->c[sort_col2] ? -1 : 1;
	return strcmp(x->key, y->key);
}

struct pfa_lr_entry **
pfa_lr_table_top(const struct pfa_lr_table *t, int col, int col2, size_t top,
    size_t *n)
{
	sort_col = col;
	sort_col2 = col2;
	if (top == 0 || top >= t->n) {
		struct pfa_lr_entry **v = pfa_xmalloc((t->n + 1) * sizeof(*v));
		size_t k = t->n;
		memcpy(v, t->order, k * sizeof(*v));
		qsort(v, k, sizeof(*v), cmp_entry);
		*n = k;
		return v;
	}
	/* the best TOP by insertion: one pass, no full sort */
	struct pfa_lr_entry **v = pfa_xmalloc((top + 1) * sizeof(*v));
	size_t k = 0;
	for (size_t i = 0; i < t->n; i++) {
		struct pfa_lr_entry *e = t->order[i];
		if (k == top && cmp_entry(&e, &v[k - 1]) >= 0)
			continue;
		size_t j = k < top ? k++ : top - 1;
		while (j > 0 && cmp_entry(&e, &v[j - 1]) < 0) {
			v[j] = v[j - 1];
			j--;
		}
		v[j] = e;
	}
	*n = k;
	return v;
}
