/* Growable heap arrays (see array.h). */
#include "core/array.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int gr_array_reserve(void *arrp, size_t *cap, size_t n, size_t elem, size_t first)
{
	void *old, *nv;
	size_t ncap;

	if (n < *cap)
		return 1;
	ncap = *cap ? *cap * 2 : first;
	if (ncap <= n || !elem || ncap > SIZE_MAX / elem)
		return 0;
	/* arrp points at a T *: read and write it as bytes, the representation of any object
	 * pointer */
	memcpy(&old, arrp, sizeof(old));
	if (!(nv = realloc(old, ncap * elem)))
		return 0;
	memcpy(arrp, &nv, sizeof(nv));
	*cap = ncap;
	return 1;
}
