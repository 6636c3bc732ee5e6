/* Concat and Split (split sizes from the attribute, the input or num_outputs), folding
 * small known values (the Shape -> Concat -> Reshape pattern). Costs: no FLOPs; inputs read,
 * outputs written. */
#include <stdlib.h>
#include <string.h>

#include "values.h"

/* --- Concat, Split --------------------------------------------------------- */

gr_status op_concat_shape(gr_infer *ctx, gr_node *n)
{
	const gr_tensor *first = NULL;
	gr_tensor *y = gr_out(n, 0);
	int r = -1, a, all_vals = 1, any_float = 0;
	gr_dim out[GR_MAX_RANK];
	gr_dtype dt = GR_DTYPE_UNDEFINED;
	int64_t sum = 0, axis;
	int sum_known = 1;
	gr_status st;

	if (!gr_attr_find(n, "axis") && gr_node_opset(n) >= 4)
		return gr_node_error(ctx, n, "missing attribute 'axis'");
	axis = gr_attr_int(n, "axis", 1);
	for (size_t i = 0; i < n->n_in; i++) {
		const gr_tensor *t = n->in[i];
		if (!t)
			continue;
		if (dt == GR_DTYPE_UNDEFINED)
			dt = t->dtype;
		if (t->rank >= 0 && !first) {
			first = t;
			r = t->rank;
		}
	}
	if (!first)
		return gr_set_unknown(ctx, y, dt);
	if ((a = gr_axis(ctx, n, axis, r)) < 0)
		return GR_ERR_SHAPE;
	for (int k = 0; k < r; k++)
		out[k] = gr_dim_unknown();
	for (size_t i = 0; i < n->n_in; i++) {
		const gr_tensor *t = n->in[i];
		if (!t)
			continue;
		if (t->rank < 0) {
			sum_known = 0;
			continue;
		}
		if (t->rank != r)
			return gr_node_error(ctx, n, "input %zu has rank %d, expected %d", i, t->rank, r);
		for (int k = 0; k < r; k++) {
			const gr_dim *d = &t->dims[k];
			if (k == a) {
				if (d->value < 0)
					sum_known = 0;
				else if (!gr_add_i64(sum, d->value, &sum))
					return gr_node_error(ctx, n, "concatenated dim overflows");
				continue;
			}
			if (d->value >= 0) {
				if (out[k].value >= 0 && out[k].value != d->value)
					return gr_node_error(ctx, n, "input %zu dim %d is %lld, expected %lld",
							     i, k, (long long)d->value,
							     (long long)out[k].value);
				out[k] = *d;
			} else if (out[k].value < 0 && !out[k].sym) {
				out[k] = *d;
			}
		}
	}
	out[a] = sum_known ? gr_dim_known(sum) : gr_dim_unknown();
	/* A single-input concat along an unknown symbolic dim keeps it. */
	if (!sum_known && n->n_in == 1 && n->in[0] && n->in[0]->rank == r)
		out[a] = n->in[0]->dims[a];
	if ((st = gr_set_dims(ctx, y, dt, r, out)))
		return st;
	/* Fold when every input carries values (the Shape -> Concat -> Reshape pattern). */
	for (size_t i = 0; i < n->n_in; i++) {
		vals v;
		if (!n->in[i])
			continue;
		if (!vals_get(n->in[i], &v) || !gr_shape_known(n->in[i])) {
			all_vals = 0;
			break;
		}
		if (v.f)
			any_float = 1;
	}
	if (y && all_vals && gr_shape_known(y) && gr_numel(y) <= GR_FOLD_MAX) {
		int64_t m = gr_numel(y), outer, inner, pos = 0, *ib;
		double *fb;
		if ((st = gr_dims_prod(ctx, n, y, 0, a, &outer)) ||
		    (st = gr_dims_prod(ctx, n, y, a + 1, r, &inner)))
			return st;
		ib = any_float ? NULL : malloc((size_t)(m ? m : 1) * sizeof(int64_t));
		fb = any_float ? malloc((size_t)(m ? m : 1) * sizeof(double)) : NULL;
		if (!ib && !fb)
			return gr_error_set(ctx->err, GR_ERR_NOMEM, "out of memory");
		for (int64_t o = 0; o < outer; o++) {
			for (size_t i = 0; i < n->n_in; i++) {
				vals v;
				int64_t chunk;
				if (!n->in[i])
					continue;
				vals_get(n->in[i], &v);
				chunk = n->in[i]->dims[a].value * inner;
				for (int64_t j = 0; j < chunk && pos < m; j++, pos++) {
					if (ib)
						ib[pos] = vals_i(&v, o * chunk + j);
					else
						fb[pos] = vals_f(&v, o * chunk + j);
				}
			}
		}
		{
			vals ov = {ib, fb, m};
			st = gr_fold_map(ctx, y, &ov, NULL, m);
		}
		free(ib);
		free(fb);
	}
	return st;
}

gr_status op_split_shape(gr_infer *ctx, gr_node *n)
{
	const gr_tensor *x = gr_in(n, 0), *st_in = gr_in(n, 1);
	int64_t nout = gr_attr_int(n, "num_outputs", (int64_t)n->n_out);
	int64_t sizes[256], nsz = 0, axis = gr_attr_int(n, "axis", 0);
	int sizes_known = 0, a;
	gr_dim out[GR_MAX_RANK];
	gr_status st;

	if (!x)
		return gr_node_error(ctx, n, "missing input 'input'");
	if (n->n_out > 256)
		return gr_node_error(ctx, n, "%zu outputs (limit 256)", (size_t)n->n_out);
	if (x->rank < 0) {
		for (size_t o = 0; o < n->n_out; o++)
			if ((st = gr_set_unknown(ctx, n->out[o], x->dtype)))
				return st;
		return GR_OK;
	}
	if ((a = gr_axis(ctx, n, axis, x->rank)) < 0)
		return GR_ERR_SHAPE;
	if (gr_attr_find(n, "split")) {
		size_t ns;
		const int64_t *s = gr_attr_ints(n, "split", &ns);
		if (ns > 256)
			return gr_node_error(ctx, n, "split has %zu entries (limit 256)", ns);
		for (size_t k = 0; k < ns; k++)
			sizes[k] = s[k];
		nsz = (int64_t)ns;
		sizes_known = 1;
	} else if (st_in) {
		int ok;
		const int64_t *s = gr_ints_input(ctx, st_in, &nsz, &ok);
		if (ok) {
			if (nsz > 256)
				return gr_node_error(ctx, n, "split has %lld entries (limit 256)",
						     (long long)nsz);
			for (int64_t k = 0; k < nsz; k++)
				sizes[k] = s[k];
			sizes_known = 1;
		}
	} else {
		int64_t d = x->dims[a].value;
		if (nout <= 0)
			return gr_node_error(ctx, n, "num_outputs must be positive");
		if (nout > 256)
			return gr_node_error(ctx, n, "num_outputs %lld (limit 256)", (long long)nout);
		if (d >= 0) {
			/* Opset 18: ceil-sized chunks, the last one smaller; earlier opsets require
			 * an even split, which this gives too. */
			int64_t chunk = (d + nout - 1) / nout;
			for (int64_t k = 0; k < nout; k++) {
				int64_t left = d - chunk * k;
				sizes[k] = left < 0 ? 0 : left < chunk ? left : chunk;
			}
			nsz = nout;
			sizes_known = 1;
		}
	}
	if (sizes_known) {
		int64_t total = 0;
		if (nsz != (int64_t)n->n_out)
			return gr_node_error(ctx, n, "split has %lld sizes for %zu outputs",
					     (long long)nsz, (size_t)n->n_out);
		for (int64_t k = 0; k < nsz; k++) {
			if (sizes[k] < 0 || !gr_add_i64(total, sizes[k], &total))
				return gr_node_error(ctx, n, "bad split size %lld", (long long)sizes[k]);
		}
		if (x->dims[a].value >= 0 && total != x->dims[a].value)
			return gr_node_error(ctx, n, "split sizes add up to %lld, dim is %lld",
					     (long long)total, (long long)x->dims[a].value);
	}
	{
		int64_t off = 0;
		for (size_t o = 0; o < n->n_out; o++) {
			gr_tensor *y = n->out[o];
			memcpy(out, x->dims, (size_t)x->rank * sizeof(gr_dim));
			if (sizes_known)
				out[a] = gr_dim_known(sizes[o]);
			else if (n->n_out == 1)
				out[a] = x->dims[a];
			else
				out[a] = gr_dim_unknown();
			if ((st = gr_set_dims(ctx, y, x->dtype, x->rank, out)))
				return st;
			if (sizes_known) {
				gr_axis_map m; /* axis a starts at this output's offset */
				gr_axis_map_identity(&m, x->rank);
				m.base[a] = off;
				if ((st = gr_fold_axes(ctx, x, y, &m)))
					return st;
			}
			if (sizes_known)
				off += sizes[o];
		}
	}
	return GR_OK;
}
