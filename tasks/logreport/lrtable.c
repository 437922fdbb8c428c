/*
 * lrtable.c - counting tables and the string arena (lrtable.h).  Memory
 * only; allocation failure aborts (pfa_xmalloc).
 */
#include <stdlib.h>
#include <string.h>

#include "lrtable.h"
#include "result.h"

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
	while (n > 0)
		if (p[--n] == c)
			return p + n;
	return NULL;
}

uint32_t
pfa_lr_hash(const char *s, size_t len)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 16777619u;
	}
	return h;
}

void
pfa_lr_table_init(struct pfa_lr_table *t, size_t max)
{
	memset(t, 0, sizeof(*t));
	t->cap = 64;
	t->slots = pfa_xcalloc(t->cap, sizeof(*t->slots));
	t->max = max;
	t->arena = pfa_lr_arena_new();
}

void
pfa_lr_table_free(struct pfa_lr_table *t)
{
	free(t->slots);
	pfa_lr_arena_free(t->arena);
	memset(t, 0, sizeof(*t));
}

static void
grow(struct pfa_lr_table *t)
{
	size_t cap = t->cap * 2;
	struct pfa_lr_slot *s = pfa_xcalloc(cap, sizeof(*s));
	for (size_t i = 0; i < t->cap; i++) {
		struct pfa_lr_entry *e = t->slots[i].e;
		if (e == NULL)
			continue;
		size_t k = e->hash & (cap - 1);
		while (s[k].e != NULL)
			k = (k + 1) & (cap - 1);
		s[k].hash = e->hash;
		s[k].e = e;
	}
	free(t->slots);
	t->slots = s;
	t->cap = cap;
}

static struct pfa_lr_entry *
insert(struct pfa_lr_table *t, const char *key, size_t len, uint32_t h,
    size_t lower_from)
{
	if ((t->n + 1) * 2 > t->cap)
		grow(t);
	struct pfa_lr_entry *e = arena_alloc(t->arena, sizeof(*e));
	memset(e, 0, sizeof(*e));
	char *k = pfa_lr_arena_dup(t->arena, key, len);
	for (size_t i = lower_from; i < len; i++)
		if (k[i] >= 'A' && k[i] <= 'Z')
			k[i] = (char)(k[i] - 'A' + 'a');
	e->key = k;
	e->keylen = (uint32_t)len;
	e->hash = h;
	size_t s = h & (t->cap - 1);
	while (t->slots[s].e != NULL)
		s = (s + 1) & (t->cap - 1);
	t->slots[s].hash = h;
	t->slots[s].e = e;
	t->n++;
	return e;
}

/* KEY's hash with bytes from LOWER_FROM lower-cased, and equality. */
static uint32_t
hash_lower(const char *s, size_t len, size_t from)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (i >= from && c >= 'A' && c <= 'Z')
			c = (unsigned char)(c - 'A' + 'a');
		h ^= c;
		h *= 16777619u;
	}
	return h;
}

static bool
same(const struct pfa_lr_entry *e, const char *key, size_t len, size_t from)
{
	if (e->keylen != len)
		return false;
	if (from >= len)
		return memcmp(e->key, key, len) == 0;
	if (memcmp(e->key, key, from) != 0)
		return false;
	for (size_t i = from; i < len; i++) {
		char c = key[i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (e->key[i] != c)
			return false;
	}
	return true;
}

struct pfa_lr_entry *
pfa_lr_table_get(struct pfa_lr_table *t, const char *key, size_t len,
    size_t lower_from)
{
	uint32_t h = lower_from >= len ? pfa_lr_hash(key, len) :
	    hash_lower(key, len, lower_from);
	size_t mask = t->cap - 1, s = h & mask;
	for (; t->slots[s].e != NULL; s = (s + 1) & mask)
		if (t->slots[s].hash == h && same(t->slots[s].e, key, len,
		    lower_from))
			return t->slots[s].e;
	if (t->max > 0 && t->n >= t->max) {
		t->folded++;
		if (t->other == NULL)
			t->other = insert(t, LR_OTHER, strlen(LR_OTHER),
			    pfa_lr_hash(LR_OTHER, strlen(LR_OTHER)), SIZE_MAX);
		return t->other;
	}
	return insert(t, key, len, h, lower_from);
}

struct pfa_lr_entry *
pfa_lr_table_find(const struct pfa_lr_table *t, const char *key, size_t len)
{
	uint32_t h = pfa_lr_hash(key, len);
	size_t mask = t->cap - 1, s = h & mask;
	for (; t->slots[s].e != NULL; s = (s + 1) & mask) {
		struct pfa_lr_entry *e = t->slots[s].e;
		if (t->slots[s].hash == h && e->keylen == len &&
		    memcmp(e->key, key, len) == 0)
			return e;
	}
	return NULL;
}

void
pfa_lr_table_merge(struct pfa_lr_table *t, const struct pfa_lr_table *from)
{
	for (size_t i = 0; i < from->cap; i++) {
		const struct pfa_lr_entry *f = from->slots[i].e;
		if (f == NULL)
			continue;
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
		size_t k = 0;
		for (size_t i = 0; i < t->cap; i++)
			if (t->slots[i].e != NULL)
				v[k++] = t->slots[i].e;
		qsort(v, k, sizeof(*v), cmp_entry);
		*n = k;
		return v;
	}
	/* the best TOP by insertion: one pass, no full sort */
	struct pfa_lr_entry **v = pfa_xmalloc((top + 1) * sizeof(*v));
	size_t k = 0;
	for (size_t i = 0; i < t->cap; i++) {
		struct pfa_lr_entry *e = t->slots[i].e;
		if (e == NULL)
			continue;
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
