/* The arena's layout and an inline allocation path for the core's hot spots (a graph of
 * tens of thousands of nodes makes a hundred thousand allocations; the call and its general
 * checks were a few percent of loading one). gr_arena_alloc (arena.c) does everything else
 * and keeps the window this path takes from. */
#ifndef GRAPHS_CORE_ARENA_FAST_H
#define GRAPHS_CORE_ARENA_FAST_H

#include <stdint.h>

#include "graphs/arena.h"

struct gr_arena {
	/* bytes of the head chunk free and already backed by pages, zeroed by the kernel
	 * (mapped chunks only; left is 0 otherwise): handed out inline from bump */
	unsigned char *bump;
	size_t left;
	size_t total;
	struct gr_arena_chunk *head;
	size_t next_size;      /* size of the next regular chunk */
};

/* gr_arena_alloc, the same block, inline when the window has room. */
static inline void *gr_arena_alloc_inline(gr_arena *a, size_t n)
{
	size_t r = (n + 15) & ~(size_t)15;

	if (a && n - 1 < a->left && r <= a->left) {
		void *p = a->bump;
		a->bump += r;
		a->left -= r;
		a->total += r;
		return p;
	}
	return gr_arena_alloc(a, n);
}

/* n bytes (zeroed) of the window already backed by pages, or NULL when it has not that
 * many left: for scratch that would otherwise be fresh heap or stack, each of its pages a
 * fault at first touch (a 64 KiB output buffer: 16), where the arena's pages were backed
 * already. Never grows the arena, so it never backs pages (up to a huge page) for it. */
static inline void *gr_arena_alloc_backed(gr_arena *a, size_t n)
{
	return a && n && n <= a->left ? gr_arena_alloc_inline(a, n) : NULL;
}

static inline void *gr_arena_calloc_inline(gr_arena *a, size_t count, size_t size)
{
	size_t n;

	if (__builtin_mul_overflow(count, size, &n))
		return NULL;
	return gr_arena_alloc_inline(a, n);
}

#endif
