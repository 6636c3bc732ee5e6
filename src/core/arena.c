/* Chunked bump allocator behind gr_arena (see include/graphs/arena.h). */
#include "graphs/arena.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_CHUNK (64 * 1024)
#define ARENA_MAX_ALLOC ((size_t)1 << 30)

struct chunk {
	struct chunk *next;
	size_t size, used;
	_Alignas(16) unsigned char data[];
};

struct gr_arena {
	struct chunk *head;
	size_t total;
};

gr_arena *gr_arena_new(void)
{
	return calloc(1, sizeof(gr_arena));
}

void gr_arena_free(gr_arena *a)
{
	struct chunk *c, *next;

	if (!a)
		return;
	for (c = a->head; c; c = next) {
		next = c->next;
		free(c);
	}
	free(a);
}

void *gr_arena_alloc(gr_arena *a, size_t n)
{
	struct chunk *c;
	void *p;

	if (!a || n > ARENA_MAX_ALLOC)
		return NULL;
	n = (n + 15) & ~(size_t)15;
	if (n == 0)
		n = 16;
	c = a->head;
	if (!c || c->size - c->used < n) {
		size_t size = n > ARENA_CHUNK / 4 ? n : ARENA_CHUNK;
		struct chunk *nc = malloc(sizeof(*nc) + size);
		if (!nc)
			return NULL;
		nc->size = size;
		nc->used = 0;
		/* A big one-off block goes behind the head so the head keeps its free space. */
		if (c && size != ARENA_CHUNK) {
			nc->next = c->next;
			c->next = nc;
		} else {
			nc->next = c;
			a->head = nc;
		}
		c = nc;
	}
	p = c->data + c->used;
	c->used += n;
	a->total += n;
	memset(p, 0, n);
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

size_t gr_arena_used(const gr_arena *a)
{
	return a ? a->total : 0;
}
