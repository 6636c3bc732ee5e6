/* Chunked bump allocator behind gr_arena (see include/graphs/arena.h).
 * Chunks double from 64 KiB up to 8 MiB, so a big graph takes few of them. Chunks from
 * 256 KiB up come straight from mmap: the kernel hands those out zeroed, page by page on
 * first touch, so nothing is cleared twice and pages never handed out are never touched.
 * Smaller chunks come from malloc and each allocation in them is cleared; chunks from 2 MiB
 * up are aligned for transparent huge pages (map_huge). */
#include "core/arena_fast.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define ARENA_CHUNK (64 * 1024)
#define ARENA_CHUNK_MAX (8 * 1024 * 1024)
#define ARENA_MMAP_MIN (256 * 1024)
#define ARENA_HUGE_MIN (2 * 1024 * 1024) /* chunks this big are mapped for huge pages */
#define ARENA_POPULATE (256 * 1024)
#define ARENA_MAX_ALLOC ((size_t)1 << 30)
#define ARENA_EXPECT_MAX (64 * 1024 * 1024) /* the largest chunk gr_arena_expect asks for */

struct gr_arena_chunk {
	struct gr_arena_chunk *next;
	size_t size, used;
	int mapped;            /* from mmap: zeroed by the kernel, freed with munmap */
	size_t populated;      /* bytes of data[] already backed by pages (mapped chunks) */
	_Alignas(16) unsigned char data[];
};

gr_arena *gr_arena_new(void)
{
	return calloc(1, sizeof(gr_arena));
}

static void chunk_free(struct gr_arena_chunk *c)
{
	if (c->mapped)
		munmap(c, sizeof(*c) + c->size);
	else
		free(c);
}

void gr_arena_free(gr_arena *a)
{
	struct gr_arena_chunk *c, *next;

	if (!a)
		return;
	for (c = a->head; c; c = next) {
		next = c->next;
		chunk_free(c);
	}
	free(a);
}

/* A mapping of len bytes starting on a 2 MiB boundary, offered to the kernel for transparent
 * huge pages: backing a big graph's arena page by page was most of the kernel's share of
 * profiling it (a fault's bookkeeping per 4 KiB, more than the clearing), and a huge page
 * takes one. Pages are still backed only as the bump pointer reaches them (populate), so at
 * most one huge page past the last allocation is cleared for nothing. */
static void *map_huge(size_t len)
{
	size_t huge = (size_t)2 << 20, page = 4096;
	size_t span = (len + huge + page - 1) & ~(page - 1);
	unsigned char *p = mmap(NULL, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
				-1, 0);
	uintptr_t at, tail, end;

	if (p == MAP_FAILED)
		return NULL;
	/* keep [at, at + len) of the span; the pages before and after go back */
	at = ((uintptr_t)p + huge - 1) & ~(uintptr_t)(huge - 1);
	tail = (at + len + page - 1) & ~(uintptr_t)(page - 1);
	end = (uintptr_t)p + span;
	if (at > (uintptr_t)p)
		munmap(p, at - (uintptr_t)p);
	if (end > tail)
		munmap((void *)tail, end - tail);
#ifdef MADV_HUGEPAGE
	(void)madvise((void *)at, len, MADV_HUGEPAGE);
#endif
	return (void *)at;
}

static struct gr_arena_chunk *chunk_new(size_t size)
{
	struct gr_arena_chunk *c;
	int mapped = size >= ARENA_MMAP_MIN;

	if (mapped && size >= ARENA_HUGE_MIN) {
		c = map_huge(sizeof(*c) + size);
	} else if (mapped) {
		void *p = mmap(NULL, sizeof(*c) + size, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		c = p == MAP_FAILED ? NULL : p;
	} else {
		c = malloc(sizeof(*c) + size);
	}
	if (!c)
		return NULL;
	c->size = size;
	c->used = 0;
	c->mapped = mapped;
	c->populated = 0;
	return c;
}

/* Backs the next window of a mapped chunk with pages in one call: one fault per page, as
 * first touch would take them, costs far more (on virtual machines most). Only the window
 * the bump pointer has reached is populated, never the rest of the chunk. In a chunk for
 * huge pages the window is a huge page: the kernel backs and clears all of it at its first
 * touch anyway, and a call per 256 KiB of it (36 for swin_s) cost a syscall and a page-table
 * walk each. Kernels without MADV_POPULATE_WRITE (before 5.14) fault pages in on first
 * touch as before. */
static void populate(struct gr_arena_chunk *c)
{
#ifdef MADV_POPULATE_WRITE
	static int unsupported;
	uintptr_t from = ((uintptr_t)c->data + c->populated) & ~(uintptr_t)4095;
	/* windows end on 256 KiB of the address, not of the data (which starts past the
	 * chunk's header): one that ended a header's length into the next huge page backed,
	 * and cleared, all of that page for those bytes */
	uintptr_t win = c->size >= ARENA_HUGE_MIN ? ARENA_HUGE_MIN : ARENA_POPULATE;
	uintptr_t to = ((uintptr_t)c->data + c->used + win - 1) & ~(win - 1);
	size_t end = to - (uintptr_t)c->data;

	if (end > c->size)
		end = c->size;
	if (!unsupported &&
	    madvise((void *)from, (uintptr_t)c->data + end - from, MADV_POPULATE_WRITE) != 0)
		unsupported = 1;
	c->populated = end;
#else
	c->populated = c->size;
#endif
}

/* A new chunk for an allocation of n bytes (rounded) the head cannot take; kept out of
 * gr_arena_alloc so that its common path (a bump of the head) saves no registers. */
static __attribute__((noinline)) struct gr_arena_chunk *grow_for(gr_arena *a, size_t n)
{
	struct gr_arena_chunk *c = a->head;
	size_t regular = a->next_size ? a->next_size : ARENA_CHUNK;
	int big = n > regular / 4;
	struct gr_arena_chunk *nc = chunk_new(big ? n : regular);

	if (!nc)
		return NULL;
	/* A big one-off block goes behind the head so the head keeps its free space. */
	if (c && big) {
		nc->next = c->next;
		c->next = nc;
	} else {
		nc->next = c;
		a->head = nc;
	}
	if (!big && regular < ARENA_CHUNK_MAX)
		a->next_size = regular * 2;
	return nc;
}

/* The inline path's window: the head chunk's free bytes up to what is backed (mapped
 * chunks; a malloc'd one clears each block, so it takes none). */
static void set_window(gr_arena *a)
{
	struct gr_arena_chunk *c = a->head;

	if (c && c->mapped && c->used < c->populated) {
		a->bump = c->data + c->used;
		a->left = c->populated - c->used;
	} else {
		a->bump = NULL;
		a->left = 0;
	}
}

void *gr_arena_alloc(gr_arena *a, size_t n)
{
	struct gr_arena_chunk *c;
	void *p;

	if (!a || n > ARENA_MAX_ALLOC)
		return NULL;
	if (a->bump) /* what the inline path handed out */
		a->head->used = (size_t)(a->bump - a->head->data);
	n = (n + 15) & ~(size_t)15;
	if (n == 0)
		n = 16;
	c = a->head;
	if (!c || c->size - c->used < n) {
		if (!(c = grow_for(a, n))) {
			set_window(a);
			return NULL;
		}
	}
	p = c->data + c->used;
	c->used += n;
	a->total += n;
	if (!c->mapped)
		memset(p, 0, n);
	else if (c->used > c->populated)
		populate(c);
	set_window(a);
	return p;
}

void *gr_arena_calloc(gr_arena *a, size_t count, size_t size)
{
	size_t n;
	if (__builtin_mul_overflow(count, size, &n))
		return NULL;
	return gr_arena_alloc(a, n);
}

char *gr_arena_strndup(gr_arena *a, const char *s, size_t n)
{
	char *p = gr_arena_alloc(a, n + 1);
	if (p && n)
		memcpy(p, s, n);
	return p;
}

char *gr_arena_strdup(gr_arena *a, const char *s)
{
	return gr_arena_strndup(a, s ? s : "", s ? strlen(s) : 0);
}

/* The chunks from 64 KiB up to a big graph's size are each a mapping of their own, backed
 * by 4 KiB pages (below 2 MiB): a fifth of a 10 MB graph's memory, faulted page by page.
 * One chunk of the expected size (a huge-page mapping from 2 MiB) takes their place; its
 * pages are still backed only as they are reached, so a high guess costs address space,
 * not memory. */
void gr_arena_expect(gr_arena *a, size_t bytes)
{
	size_t size = a && a->next_size ? a->next_size : ARENA_CHUNK;

	if (!a)
		return;
	while (size < bytes && size < ARENA_EXPECT_MAX)
		size *= 2;
	a->next_size = size;
}

size_t gr_arena_used(const gr_arena *a)
{
	return a ? a->total : 0;
}
