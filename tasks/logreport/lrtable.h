/*
 * lrtable.h - log-report's counting tables: a string key (an address, a
 * domain, a reason, a program) with a few counters, in one open-addressing
 * hash table whose keys live in an arena.
 *
 * Bounded: a table holds at most MAX keys; later new keys are counted
 * under the key "(other)" and the table says how many it folded.  What
 * comes out (sorted lists, merges) depends on the keys and the order
 * they came in, never on the hash, which is seeded per table so that
 * keys from outside cannot be chosen to collide.  Pure
 * memory, no I/O, no log.  Keys are bytes with a length (text from
 * outside: never a format).
 */
#ifndef LRTABLE_H
#define LRTABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LR_COLS 5
#define LR_OTHER "(other)"

/* An entry and its key in one piece: a lookup that finds it reads the
 * key and the counters at once, not one pointer after another. */
struct pfa_lr_entry {
	uint64_t c[LR_COLS];
	const char *note;	/* an example or detail (arena), or NULL */
	/* the caller's companion entry (an address's domain in another
	 * table), NULL until set; never set on "(other)" */
	struct pfa_lr_entry *link;
	uint32_t keylen;
	char key[];		/* NUL-terminated */
};

/* The hash and length are checked here before the entry is read. */
struct pfa_lr_slot {
	uint32_t hash, keylen;
	struct pfa_lr_entry *e;
};

struct pfa_lr_table {
	struct pfa_lr_slot *slots;
	size_t cap;		/* power of two, at most 3/4 full */
	uint64_t seed;		/* of the hash: differs per table and run */
	struct pfa_lr_entry **order;	/* the entries as they came */
	size_t n;
	size_t max;
	uint64_t folded;	/* distinct keys beyond MAX */
	struct pfa_lr_entry *other;
	struct pfa_lr_entry *last;	/* found by the last plain lookup */
	struct pfa_lr_arena *arena;
};

void pfa_lr_table_init(struct pfa_lr_table *t, size_t max);
void pfa_lr_table_free(struct pfa_lr_table *t);
/* The entry for KEY (LEN bytes), made if needed (or "(other)" when the
 * table is full).  LOWER_FROM: bytes from there on are lower-cased in
 * the stored key (the domain of an address); SIZE_MAX: none. */
struct pfa_lr_entry *pfa_lr_table_get(struct pfa_lr_table *t, const char *key, size_t len,
    size_t lower_from);
/* The entry for KEY, or NULL. */
struct pfa_lr_entry *pfa_lr_table_find(const struct pfa_lr_table *t, const char *key,
    size_t len);
/* Sets E's note (copied, at most 300 bytes) unless it has one. */
void pfa_lr_table_note(struct pfa_lr_table *t, struct pfa_lr_entry *e, const char *s,
    size_t len);
/* The entries sorted by column COL (then COL2), descending, then key;
 * the first TOP of them (0: all), *N how many (caller frees the array). */
struct pfa_lr_entry **pfa_lr_table_top(const struct pfa_lr_table *t, int col, int col2,
    size_t top, size_t *n);
#define pfa_lr_table_sorted(t, col, col2, n) pfa_lr_table_top((t), (col), (col2), 0, (n))
/* Adds FROM's counts into T, key by key (notes kept when T has none). */
void pfa_lr_table_merge(struct pfa_lr_table *t, const struct pfa_lr_table *from);

/* The last C in P (N bytes), or NULL (memrchr is not POSIX). */
const char *pfa_lr_memrchr(const char *p, char c, size_t n);

/* A 32-bit hash, unseeded: for the open messages by queue id (ids that
 * Postfix makes) and for caches that only evict on a collision. */
uint32_t pfa_lr_hash(const char *s, size_t len);

/* An arena of small strings. */
struct pfa_lr_arena;
struct pfa_lr_arena *pfa_lr_arena_new(void);
void pfa_lr_arena_free(struct pfa_lr_arena *a);
char *pfa_lr_arena_dup(struct pfa_lr_arena *a, const char *s, size_t len);

#endif
