/* Bump allocator: everything a model needs (graph, tensors, names) lives in one
 * arena and is freed by one gr_arena_free() call. */
#ifndef GRAPHS_ARENA_H
#define GRAPHS_ARENA_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gr_arena gr_arena;

/* Returns a new arena, or NULL when out of memory. Free with gr_arena_free(). */
gr_arena *gr_arena_new(void);
/* Frees the arena and everything allocated from it. Accepts NULL. */
void gr_arena_free(gr_arena *a);
/* Zeroed memory owned by the arena, aligned to 16 bytes; NULL when out of memory
 * or when n is absurd (over 1 GiB in one call). */
void *gr_arena_alloc(gr_arena *a, size_t n);
/* Zeroed array of count elements of size bytes, overflow-checked. */
void *gr_arena_calloc(gr_arena *a, size_t count, size_t size);
/* Copy of s (or of its first n bytes) owned by the arena, always NUL-terminated. */
char *gr_arena_strdup(gr_arena *a, const char *s);
char *gr_arena_strndup(gr_arena *a, const char *s, size_t n);
/* Says about how many bytes the arena will be asked for in all, so that its next chunk is
 * sized for them (up to the largest chunk) instead of growing there by doublings. A hint:
 * nothing is allocated until needed, and allocation works the same without it. */
void gr_arena_expect(gr_arena *a, size_t bytes);
/* Bytes handed out so far (for diagnostics). */
size_t gr_arena_used(const gr_arena *a);

#ifdef __cplusplus
}
#endif
#endif
