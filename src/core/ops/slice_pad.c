/* Slice (bounds as attributes before opset 10, inputs after), Pad and CenterCropPad.
 * Slice folds small known values. Costs: no FLOPs; Slice reads only what it selects. */
#include <string.h>

#include "values.h"

/* --- Slice ------------------------------------------------------------------ */

/* Clamps start/end per the ONNX rules (opset 10+) and returns the slice length. */
static int64_t slice_len(int64_t dim, int64_t *start, int64_t *end, int64_t step)
{
	int64_t s = *start, e = *end;

	if (s < 0)
		s += dim;
	if (e < 0)
		e += dim;
	if (step > 0) {
		s = s < 0 ? 0 : s > dim ? dim : s;
		e = e < 0 ? 0 : e > dim ? dim : e;
	} else {
		s = s < 0 ? 0 : s > dim - 1 ? dim - 1 : s;
		e = e < -1 ? -1 : e > dim - 1 ? dim - 1 : e;
	}
	*start = s;
	*end = e;
	if (step > 0)
		return e > s ? (e - s + step - 1) / step : 0;
	return s > e ? (s - e + (-step) - 1) / (-step) : 0;
}

gr_status op_slice_shape(gr_infer *ctx, gr_node *n)
{
	const gr_tensor *x = gr_in(n, 0);
	gr_tensor *y = gr_out(n, 0);
	const int64_t *starts, *ends, *axes = NULL, *steps = NULL;
	int64_t ns = 0, ne = 0, nax = 0, nst = 0;
	int ok_s, ok_e, ok_a = 1, ok_t = 1, r, touched[GR_MAX_RANK] = {0};
	gr_dim out[GR_MAX_RANK];
	gr_status st;
	gr_axis_map m; /* element (b + s x c) of each axis, for the fold */

	if (!x)
		return gr_node_error(ctx, n, "missing input 'data'");
	if (gr_attr_find(n, "starts")) { /* opset < 10: attributes */
		size_t k1, k2, k3;
		starts = gr_attr_ints(n, "starts", &k1);
		ends = gr_attr_ints(n, "ends", &k2);
		axes = gr_attr_ints(n, "axes", &k3);
		ns = (int64_t)k1;
		ne = (int64_t)k2;
		nax = (int64_t)k3;
		ok_s = ok_e = 1;
		ok_a = 1;
	} else {
		starts = gr_ints_input(ctx, gr_in(n, 1), &ns, &ok_s);
		ends = gr_ints_input(ctx, gr_in(n, 2), &ne, &ok_e);
		if (gr_in(n, 3))
			axes = gr_ints_input(ctx, gr_in(n, 3), &nax, &ok_a);
		if (gr_in(n, 4))
			steps = gr_ints_input(ctx, gr_in(n, 4), &nst, &ok_t);
	}
	if (x->rank < 0)
		return gr_set_unknown(ctx, y, x->dtype);
	r = x->rank;
	if (r > 0) /* a scalar has no dims array */
		memcpy(out, x->dims, (size_t)r * sizeof(gr_dim));
	if (!ok_s || !ok_e || !ok_a || !ok_t) {
		/* Unknown bounds: only the sliced axes become unknown, when we know which. */
		if (ok_a && axes) {
			for (int64_t k = 0; k < nax; k++) {
				int a = gr_axis(ctx, n, axes[k], r);
				if (a < 0)
					return GR_ERR_SHAPE;
				out[a] = gr_dim_unknown();
			}
		} else if (!gr_in(n, 3) && (ok_s || ok_e || gr_in(n, 1))) {
			const gr_tensor *bt = ok_s ? NULL : gr_in(n, 1);
			int64_t cnt = ok_s ? ns : ok_e ? ne
				    : (bt && bt->rank == 1 && bt->dims[0].value >= 0) ? bt->dims[0].value : r;
			for (int64_t k = 0; k < cnt && k < r; k++)
				out[k] = gr_dim_unknown();
		} else {
			for (int k = 0; k < r; k++)
				out[k] = gr_dim_unknown();
		}
		return gr_set_dims(ctx, y, x->dtype, r, out);
	}
	if (ns != ne || (axes && nax != ns) || (steps && nst != ns))
		return gr_node_error(ctx, n, "starts, ends, axes and steps differ in length");
	gr_axis_map_identity(&m, r);
	for (int64_t k = 0; k < ns; k++) {
		int a = axes ? gr_axis(ctx, n, axes[k], r) : (int)k;
		int64_t step = steps ? steps[k] : 1, start = starts[k], end = ends[k];
		int64_t dim;
		if (a < 0 || k >= r)
			return a < 0 ? GR_ERR_SHAPE : gr_node_error(ctx, n, "more slice entries than dims");
		dim = x->dims[a].value;
		if (touched[a]++)
			return gr_node_error(ctx, n, "axis %d is sliced twice", a);
		if (step == 0)
			return gr_node_error(ctx, n, "step is 0");
		if (dim < 0) {
			/* Unknown extent: only a full forward slice keeps it. */
			if (!(start == 0 && step == 1 && end >= (int64_t)INT32_MAX))
				out[a] = gr_dim_unknown();
			continue;
		}
		out[a] = gr_dim_known(slice_len(dim, &start, &end, step));
		m.base[a] = start;
		m.step[a] = step;
	}
	if ((st = gr_set_dims(ctx, y, x->dtype, r, out)))
		return st;
	return gr_fold_axes(ctx, x, y, &m);
}

void op_slice_cost(const gr_node *n, gr_cost *c)
{
	/* Reads only the selected elements (plus the small index inputs). */
	c->bytes_read += gr_tensor_bytes(gr_out(n, 0));
	for (size_t i = 1; i < n->n_in; i++)
		if (n->in[i])
			c->bytes_read += gr_tensor_bytes(n->in[i]);
	c->bytes_written += gr_tensor_bytes(gr_out(n, 0));
}
/* --- Pad, CenterCropPad -------------------------------------------------------- */

gr_status op_pad_shape(gr_infer *ctx, gr_node *n)
{
	const gr_tensor *x = gr_in(n, 0);
	gr_tensor *y = gr_out(n, 0);
	const int64_t *pads, *axes = NULL;
	int64_t np = 0, nax = 0, ax[GR_MAX_RANK];
	int ok = 1, ok_a = 1, r;
	gr_dim out[GR_MAX_RANK];

	if (!x)
		return gr_node_error(ctx, n, "missing input 'data'");
	if (gr_attr_find(n, "pads")) { /* opset < 11 */
		size_t k;
		pads = gr_attr_ints(n, "pads", &k);
		np = (int64_t)k;
	} else {
		pads = gr_ints_input(ctx, gr_in(n, 1), &np, &ok);
		if (!gr_in(n, 1))
			return gr_node_error(ctx, n, "missing pads");
	}
	if (gr_in(n, 3))
		axes = gr_ints_input(ctx, gr_in(n, 3), &nax, &ok_a);
	if (x->rank < 0)
		return gr_set_unknown(ctx, y, x->dtype);
	r = x->rank;
	if (r > 0) /* a scalar has no dims array */
		memcpy(out, x->dims, (size_t)r * sizeof(gr_dim));
	if (!ok_a)
		return gr_set_rank_only(ctx, y, x->dtype, r);
	if (!axes) {
		nax = r;
		for (int k = 0; k < r; k++)
			ax[k] = k;
	} else {
		if (nax > r)
			return gr_node_error(ctx, n, "%lld axes for rank %d", (long long)nax, r);
		for (int64_t k = 0; k < nax; k++) {
			int a = gr_axis(ctx, n, axes[k], r);
			if (a < 0)
				return GR_ERR_SHAPE;
			ax[k] = a;
		}
	}
	if (!ok) {
		for (int64_t k = 0; k < nax; k++)
			out[ax[k]] = gr_dim_unknown();
		return gr_set_dims(ctx, y, x->dtype, r, out);
	}
	if (np != 2 * nax)
		return gr_node_error(ctx, n, "pads has %lld entries, expected %lld", (long long)np,
				     (long long)(2 * nax));
	for (int64_t k = 0; k < nax; k++) {
		int64_t add, sum;
		gr_dim d = x->dims[ax[k]];
		if (!gr_add_i64(pads[k], pads[k + nax], &add))
			return gr_node_error(ctx, n, "pads overflow");
		if (add == 0)
			continue;
		if (d.value < 0) {
			out[ax[k]] = gr_dim_unknown();
			continue;
		}
		if (!gr_add_i64(d.value, add, &sum))
			return gr_node_error(ctx, n, "pads overflow");
		if (sum < 0)
			return gr_node_error(ctx, n, "pads crop axis %lld below zero", (long long)ax[k]);
		out[ax[k]] = gr_dim_known(d.value + add);
	}
	return gr_set_dims(ctx, y, x->dtype, r, out);
}

gr_status op_center_crop_pad_shape(gr_infer *ctx, gr_node *n)
{
	const gr_tensor *x = gr_in(n, 0), *shp = gr_in(n, 1);
	gr_tensor *y = gr_out(n, 0);
	const int64_t *sv, *axes;
	int64_t sn;
	size_t nax;
	int ok, r;
	gr_dim out[GR_MAX_RANK];

	if (!x || !shp)
		return gr_node_error(ctx, n, "missing input");
	if (x->rank < 0)
		return gr_set_unknown(ctx, y, x->dtype);
	r = x->rank;
	sv = gr_ints_input(ctx, shp, &sn, &ok);
	axes = gr_attr_ints(n, "axes", &nax);
	if (r > 0) /* a scalar has no dims array */
		memcpy(out, x->dims, (size_t)r * sizeof(gr_dim));
	if (!axes)
		nax = (size_t)r;
	if (ok && (size_t)sn != nax)
		return gr_node_error(ctx, n, "shape has %lld entries for %zu axes", (long long)sn, nax);
	for (size_t k = 0; k < nax; k++) {
		int a = axes ? gr_axis(ctx, n, axes[k], r) : (int)k;
		if (a < 0)
			return GR_ERR_SHAPE;
		out[a] = ok ? gr_dim_known(sv[k]) : gr_dim_unknown();
		if (ok && sv[k] < 0)
			return gr_node_error(ctx, n, "negative target dim");
	}
	return gr_set_dims(ctx, y, x->dtype, r, out);
}
