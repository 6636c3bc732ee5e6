/* graphs split: which tensors cross each kernel boundary. A tensor made by kernel p and last
 * read by kernel q is live across the boundaries p+1..q: a cut there moves it. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "graphs/split.h"

typedef struct made {
	const gr_tensor *t;
	size_t by, last; /* producing kernel; last reader (== by: none yet) */
} made;

static int cmp_made(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t)((const made *)a)->t, y = (uintptr_t)((const made *)b)->t;
	return (x > y) - (x < y);
}

gr_status gr_split_live(const gr_partition *part, double *live_float, double *live_other_bytes, gr_error *err)
{
	size_t n = gr_partition_count(part), nm = 0, cap = 0;
	made *m = NULL;
	double *df = calloc(n + 1, sizeof(*df)), *db = calloc(n + 1, sizeof(*db));

	if (!df || !db)
		goto nomem;
	for (size_t k = 0; k < n; k++) {
		const gr_kernel *kr = gr_partition_kernel(part, k);
		for (size_t j = 0; j < kr->count; j++) {
			const gr_node *nd = gr_partition_node(part, kr, j);
			for (size_t o = 0; o < gr_node_output_count(nd); o++) {
				if (!gr_node_output(nd, o))
					continue;
				if (nm == cap) {
					size_t nc = cap ? 2 * cap : 256;
					made *mm = realloc(m, nc * sizeof(*mm));
					if (!mm)
						goto nomem;
					m = mm;
					cap = nc;
				}
				m[nm++] = (made){gr_node_output(nd, o), k, k};
			}
		}
	}
	if (nm)
		qsort(m, nm, sizeof(*m), cmp_made);
	for (size_t k = 0; k < n; k++) {
		const gr_kernel *kr = gr_partition_kernel(part, k);
		for (size_t j = 0; j < kr->count; j++) {
			const gr_node *nd = gr_partition_node(part, kr, j);
			for (size_t a = 0; a < gr_node_input_count(nd); a++) {
				made key = {gr_node_input(nd, a), 0, 0}, *hit;
				if (!key.t || gr_tensor_is_initializer(key.t) || !nm)
					continue;
				hit = bsearch(&key, m, nm, sizeof(*m), cmp_made);
				if (hit && k > hit->last)
					hit->last = k;
			}
		}
	}
	for (size_t i = 0; i < nm; i++) {
		int64_t numel;
		gr_dtype dt;
		if (m[i].last == m[i].by || !gr_tensor_shape_known(m[i].t) || (numel = gr_tensor_numel(m[i].t)) <= 0)
			continue;
		dt = gr_tensor_dtype(m[i].t);
		if (gr_dtype_is_float(dt)) {
			df[m[i].by + 1] += (double)numel;
			df[m[i].last + 1] -= (double)numel;
		} else {
			double bytes = (double)numel * gr_dtype_bits(dt) / 8.0;
			db[m[i].by + 1] += bytes;
			db[m[i].last + 1] -= bytes;
		}
	}
	live_float[0] = live_other_bytes[0] = 0;
	for (size_t i = 1; i < n; i++) {
		live_float[i] = live_float[i - 1] + df[i];
		live_other_bytes[i] = live_other_bytes[i - 1] + db[i];
	}
	/* sums of whole numbers: clear rounding dust */
	for (size_t i = 1; i < n; i++) {
		if (live_float[i] < 0.5)
			live_float[i] = 0;
		if (live_other_bytes[i] < 0.5)
			live_other_bytes[i] = 0;
	}
	free(m);
	free(df);
	free(db);
	return GR_OK;
nomem:
	free(m);
	free(df);
	free(db);
	return gr_error_set(err, GR_ERR_NOMEM, "split: out of memory");
}
