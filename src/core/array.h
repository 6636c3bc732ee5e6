/* Growable heap arrays: the one "double the capacity when full" every list in graphs uses. */
#ifndef GRAPHS_CORE_ARRAY_H
#define GRAPHS_CORE_ARRAY_H

#include <stddef.h>

/* Makes the heap array *arrp (a T *, *cap elements of elem bytes, n of them in use) hold at
 * least n + 1 elements, doubling its capacity (first when it has none). Returns 0 when out of
 * memory or the size would overflow; the array is then as it was. Usage:
 *     if (!gr_array_reserve(&list->v, &list->cap, list->n, sizeof(*list->v), 64)) ...oom...
 *     list->v[list->n++] = x; */
int gr_array_reserve(void *arrp, size_t *cap, size_t n, size_t elem, size_t first);

#endif
