/* gr_arena: every block is zeroed and 16-byte aligned, whether it comes from a small malloc'd
 * chunk (cleared on allocation) or from a big mmap'd one (zeroed by the kernel), big one-off
 * blocks included; blocks never overlap; the byte count adds up. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/arena_fast.h"
#include "graphs/arena.h"

static int all_zero(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return 0;
	return 1;
}

static void blocks_are_zeroed_aligned_and_apart(void **state)
{
	gr_arena *a = gr_arena_new();
	size_t total = 0;
	(void)state;

	assert_non_null(a);
	/* 64 MiB in all: chunks from 64 KiB to 8 MiB, past the mmap threshold, and one-off
	 * blocks bigger than a quarter of a chunk between the small ones */
	for (int i = 0; i < 20000; i++) {
		size_t n = i % 997 == 0 ? (size_t)3 << 20 : (size_t)(i % 61) * 7 + 1;
		unsigned char *p = gr_arena_alloc(a, n);
		assert_non_null(p);
		assert_int_equal((uintptr_t)p % 16, 0);
		assert_true(all_zero(p, n));
		memset(p, 0xab, n); /* dirty it: a later block reusing these bytes would not be zero */
		total += (n + 15) & ~(size_t)15;
	}
	assert_int_equal(gr_arena_used(a), total);
	gr_arena_free(a);
}

static void strings_and_arrays(void **state)
{
	gr_arena *a = gr_arena_new();
	int64_t *v;
	(void)state;

	assert_string_equal(gr_arena_strdup(a, "conv"), "conv");
	assert_string_equal(gr_arena_strdup(a, NULL), "");
	assert_string_equal(gr_arena_strndup(a, "abcdef", 3), "abc");
	v = gr_arena_calloc(a, 1000, sizeof(*v));
	assert_non_null(v);
	assert_true(all_zero((const unsigned char *)v, 1000 * sizeof(*v)));
	assert_null(gr_arena_calloc(a, SIZE_MAX / 2, 4)); /* overflow */
	assert_null(gr_arena_alloc(a, ((size_t)1 << 30) + 1)); /* absurd */
	assert_null(gr_arena_alloc(NULL, 8));
	gr_arena_free(a);
	gr_arena_free(NULL);
}

/* After gr_arena_expect(9 MiB), 9 MiB of small blocks come from one chunk: each block right
 * behind the one before (no doubling chunks from 64 KiB), all zeroed. */
static void expected_size_takes_one_chunk(void **state)
{
	gr_arena *a = gr_arena_new();
	unsigned char *prev = NULL;
	(void)state;

	gr_arena_expect(NULL, 1); /* no arena: nothing happens */
	gr_arena_expect(a, (size_t)9 << 20);
	for (size_t done = 0; done + 1008 <= ((size_t)9 << 20); done += 1008) {
		unsigned char *p = gr_arena_alloc(a, 1000);
		assert_non_null(p);
		if (prev)
			assert_ptr_equal(p, prev + 1008);
		assert_true(all_zero(p, 1000));
		memset(p, 0xcd, 1000);
		prev = p;
	}
	gr_arena_free(a);
}

/* The inline path and gr_arena_alloc taken in turn hand out the same sequence of blocks a
 * single path would: zeroed, aligned, never overlapping, counted once each; the absurd and
 * overflowing requests fail on both. */
static void inline_path_agrees(void **state)
{
	gr_arena *a = gr_arena_new();
	unsigned char *prev = NULL;
	size_t total = 0, prev_n = 0;
	(void)state;

	gr_arena_expect(a, (size_t)3 << 20);
	for (int i = 0; i < 12000; i++) {
		size_t n = (size_t)(i % 37) * 9 + (i % 5 == 0 ? 0 : 1);
		unsigned char *p = i % 3 ? gr_arena_alloc_inline(a, n) : gr_arena_alloc(a, n);
		size_t r = n ? (n + 15) & ~(size_t)15 : 16;
		assert_non_null(p);
		assert_int_equal((uintptr_t)p % 16, 0);
		assert_true(all_zero(p, r));
		if (prev && p > prev)
			assert_true(p >= prev + prev_n);
		memset(p, 0xee, r);
		prev = p, prev_n = r;
		total += r;
	}
	assert_int_equal(gr_arena_used(a), total);
	assert_null(gr_arena_calloc_inline(a, SIZE_MAX / 2, 4));
	assert_null(gr_arena_alloc_inline(a, ((size_t)1 << 30) + 1));
	assert_null(gr_arena_alloc_inline(a, SIZE_MAX));
	assert_null(gr_arena_alloc_inline(NULL, 8));
	gr_arena_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(blocks_are_zeroed_aligned_and_apart),
		cmocka_unit_test(strings_and_arrays),
		cmocka_unit_test(expected_size_takes_one_chunk),
		cmocka_unit_test(inline_path_agrees),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
