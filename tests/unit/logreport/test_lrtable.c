/*
 * test_lrtable.c - log-report's counting tables (tasks/logreport/
 * lrtable.c): keys with lower-cased domains, the bound and "(other)",
 * the top N by one pass equal to a full sort's first N, merging.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lrtable.h"

static void
test_keys(void **state)
{
	(void)state;
	struct pfa_lr_table t;
	pfa_lr_table_init(&t, 0);
	struct pfa_lr_entry *a = pfa_lr_table_get(&t, "Bob@Example.COM", 15, 4);
	struct pfa_lr_entry *b = pfa_lr_table_get(&t, "Bob@example.com", 15, 4);
	struct pfa_lr_entry *c = pfa_lr_table_get(&t, "bob@example.com", 15, 4);
	assert_ptr_equal(a, b);
	assert_ptr_not_equal(a, c);	/* local parts keep their case */
	assert_string_equal(a->key, "Bob@example.com");
	assert_ptr_equal(pfa_lr_table_find(&t, "Bob@example.com", 15), a);
	assert_null(pfa_lr_table_find(&t, "nobody", 6));
	pfa_lr_table_note(&t, a, "first", 5);
	pfa_lr_table_note(&t, a, "second", 6);
	assert_string_equal(a->note, "first");
	assert_string_equal(pfa_lr_memrchr("a@b@c", '@', 5), "@c");
	assert_null(pfa_lr_memrchr("abc", '@', 3));
	/* in the last sixteen bytes, before them, nowhere */
	const char *l1 = "first@second@example.example.org";
	assert_ptr_equal(pfa_lr_memrchr(l1, '@', strlen(l1)), l1 + 12);
	const char *l2 = "x@aaaaaaaaaaaaaaaaaaaaaaaaaaaa";
	assert_ptr_equal(pfa_lr_memrchr(l2, '@', strlen(l2)), l2 + 1);
	const char *l3 = "@aaaaaaaaaaaaaaaa";
	assert_ptr_equal(pfa_lr_memrchr(l3, '@', strlen(l3)), l3);
	assert_null(pfa_lr_memrchr("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", '@',
	    39));
	pfa_lr_table_free(&t);
}

static void
test_bound(void **state)
{
	(void)state;
	struct pfa_lr_table t;
	pfa_lr_table_init(&t, 10);
	char k[32];
	for (int i = 0; i < 50; i++) {
		snprintf(k, sizeof(k), "k%d", i);
		pfa_lr_table_get(&t, k, strlen(k), SIZE_MAX)->c[0]++;
	}
	assert_int_equal(t.n, 11);
	assert_int_equal(t.folded, 40);
	assert_int_equal(pfa_lr_table_find(&t, LR_OTHER,
	    strlen(LR_OTHER))->c[0], 40);
	pfa_lr_table_free(&t);
}

static void
test_top_and_merge(void **state)
{
	(void)state;
	struct pfa_lr_table t, u;
	pfa_lr_table_init(&t, 0);
	pfa_lr_table_init(&u, 0);
	char k[32];
	unsigned x = 12345;
	for (int i = 0; i < 3000; i++) {
		x = x * 1103515245 + 12345;
		snprintf(k, sizeof(k), "key%u", (x >> 8) % 700);
		pfa_lr_table_get(i % 2 ? &t : &u, k, strlen(k),
		    SIZE_MAX)->c[0] += 1 + (x >> 20) % 5;
	}
	size_t na, nb;
	struct pfa_lr_entry **all = pfa_lr_table_sorted(&t, 0, 1, &na);
	for (size_t top = 1; top < 40; top += 7) {
		struct pfa_lr_entry **v = pfa_lr_table_top(&t, 0, 1, top, &nb);
		assert_int_equal(nb, top);
		for (size_t i = 0; i < nb; i++)
			assert_ptr_equal(v[i], all[i]);
		free(v);
	}
	free(all);
	uint64_t sum = 0;
	for (size_t i = 0; i < t.cap; i++)
		if (t.slots[i].e)
			sum += t.slots[i].e->c[0];
	for (size_t i = 0; i < u.cap; i++)
		if (u.slots[i].e)
			sum += u.slots[i].e->c[0];
	pfa_lr_table_merge(&t, &u);
	uint64_t after = 0;
	for (size_t i = 0; i < t.cap; i++)
		if (t.slots[i].e)
			after += t.slots[i].e->c[0];
	assert_int_equal(after, sum);
	assert_true(t.n <= 700);
	pfa_lr_table_free(&t);
	pfa_lr_table_free(&u);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_bound),
		cmocka_unit_test(test_top_and_merge),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
