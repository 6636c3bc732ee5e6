/* Reductions: Reduce* (axes as an attribute, or as an input from opset 18 and for ReduceSum
 * from 13; keepdims; noop_with_empty_axes), ArgMax/ArgMin, TopK and CumSum.
 * ReduceSum/Mean/Max/Min/Prod fold small known values (numel of a shape, say). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ops_impl.h"

static int is_float_dtype(gr_dtype t)
{
	return t == GR_DTYPE_FLOAT || t == GR_DTYPE_DOUBLE || t == GR_DTYPE_FLOAT16 ||
	       t == GR_DTYPE_BFLOAT16;
}

/* Folds a reduction over the axes marked in red[] (x and y shapes known). */
static gr_status reduce_fold(gr_infer *ctx, const gr_node *n, const gr_tensor *x, gr_tensor *y,
			     const int *red)
{
	int64_t ne = gr_numel(x), oe = gr_numel(y), cnt = 0, div;
	const double *v;
	double *acc;
	int64_t *hits;
	gr_status st = GR_OK;

	if (!x->has_value || ne < 0 || oe < 0 || ne > GR_FOLD_MAX || oe > GR_FOLD_MAX ||
	    x->nval != ne || x->dtype == GR_DTYPE_STRING)
		return GR_OK;
	if (n->op != GR_OP_REDUCE_SUM && n->op != GR_OP_REDUCE_MEAN && n->op != GR_OP_REDUCE_MAX &&
	    n->op != GR_OP_REDUCE_MIN && n->op != GR_OP_REDUCE_PROD)
		return GR_OK;
	v = gr_values_f64(ctx, x, &cnt);
	if (!v || cnt != ne || (ne == 0 && (n->op == GR_OP_REDUCE_MAX || n->op == GR_OP_REDUCE_MIN)))
		return GR_OK;
	acc = malloc((size_t)(oe ? oe : 1) * sizeof(double));
	hits = calloc((size_t)(oe ? oe : 1), sizeof(int64_t));
	if (!acc || !hits) {
		free(acc);
		free(hits);
		return GR_ERR_NOMEM;
	}
	for (int64_t o = 0; o < oe; o++)
		acc[o] = n->op == GR_OP_REDUCE_PROD ? 1.0 : 0.0;
	for (int64_t i = 0; i < ne; i++) {
		/* output index: the input's coordinates with reduced axes dropped */
		int64_t rem = i, o = 0, mul = 1;
		for (int k = x->rank - 1; k >= 0; k--) {
			int64_t d = x->dims[k].value, coord = d > 0 ? rem % d : 0;
			rem = d > 0 ? rem / d : 0;
			if (!red[k]) {
				o += coord * mul;
				mul *= d;
			}
		}
		switch (n->op) {
		case GR_OP_REDUCE_PROD: acc[o] *= v[i]; break;
		case GR_OP_REDUCE_MAX: acc[o] = (!hits[o] || v[i] > acc[o]) ? v[i] : acc[o]; break;
		case GR_OP_REDUCE_MIN: acc[o] = (!hits[o] || v[i] < acc[o]) ? v[i] : acc[o]; break;
		default: acc[o] += v[i]; break;
		}
		hits[o]++;
	}
	div = oe ? ne / oe : 1;
	if (n->op == GR_OP_REDUCE_MEAN)
		for (int64_t o = 0; o < oe; o++)
			acc[o] /= (double)(div ? div : 1);
	if (is_float_dtype(y->dtype)) {
		st = gr_tensor_set_f64(ctx->g, y, acc, oe);
	} else {
		int64_t *iv = malloc((size_t)(oe ? oe : 1) * sizeof(int64_t));
		if (iv) {
			int ok = 1;
			for (int64_t o = 0; o < oe; o++) {
				if (!isfinite(acc[o]) || fabs(acc[o]) > 9.0e15)
					ok = 0; /* beyond exact doubles: do not guess */
				else
					iv[o] = (int64_t)acc[o];
			}
			if (ok)
				st = gr_tensor_set_i64(ctx->g, y, iv, oe);
		} else {
			st = GR_ERR_NOMEM;
		}
		free(iv);
	}
	free(acc);
	free(hits);
	return st;
}

/* Axes given as an input whose values are unknown (k of them, -1 if even that is unknown):
 * with keepdims the rank stays and dims of size 1 stay 1; without, only the rank is known. */
static gr_status reduce_unknown_axes(gr_infer *ctx, const gr_node *n, const gr_tensor *x,
				     gr_tensor *y, int64_t k, int keep)
{
	gr_dim dims[GR_MAX_RANK];
	int rank;

	if (!keep && k < 0) {
		y->dtype = x->dtype;
		return GR_OK;
	}
	rank = keep ? x->rank : x->rank - (int)k;
	if (rank < 0)
		return gr_node_error(ctx, n, "%lld axes for rank %d", (long long)k, x->rank);
	for (int i = 0; i < rank; i++) {
		dims[i].value = (keep && x->dims[i].value == 1) ? 1 : -1;
		dims[i].sym = NULL;
	}
	return gr_set_dims(ctx, y, x->dtype, rank, dims);
}

gr_status op_reduce_shape(gr_infer *ctx, gr_node *n)
{
	gr_tensor *x = gr_in(n, 0), *ax = gr_in(n, 1), *y = gr_out(n, 0);
	int keep = gr_attr_int(n, "keepdims", 1) != 0;
	int noop = gr_attr_int(n, "noop_with_empty_axes", 0) != 0;
	const int64_t *axes = NULL;
	int64_t naxes = 0;
	int red[GR_MAX_RANK] = {0};
	gr_dim dims[GR_MAX_RANK];
	int rank = 0;
	gr_status st;

	if (!x)
		return gr_node_error(ctx, n, "missing input 'data'");
	if (gr_nothing_to_infer(x, y, x->dtype))
		return GR_OK;
	if (ax) {
		/* axes as an input (ReduceSum from 13, every Reduce* from 18) */
		axes = gr_values_i64(ctx, ax, &naxes);
		if (!axes) {
			int64_t k = (ax->rank == 1) ? ax->dims[0].value : -1;
			if (k != 0)
				return reduce_unknown_axes(ctx, n, x, y, k, keep);
			naxes = 0;
		}
	} else {
		size_t cnt = 0;
		axes = gr_attr_ints(n, "axes", &cnt);
		naxes = (int64_t)cnt;
	}
	if (naxes == 0) {
		if (noop)
			return gr_copy_shape(ctx, y, x, GR_DTYPE_UNDEFINED);
		for (int i = 0; i < x->rank; i++)
			red[i] = 1;
	} else {
		for (int64_t i = 0; i < naxes; i++) {
			int a = gr_axis(ctx, n, axes[i], x->rank);
			if (a < 0)
				return GR_ERR_SHAPE;
			red[a] = 1;
		}
	}
	for (int i = 0; i < x->rank; i++) {
		if (!red[i]) {
			dims[rank++] = x->dims[i];
		} else if (keep) {
			dims[rank].value = 1;
			dims[rank++].sym = NULL;
		}
	}
	st = gr_set_dims(ctx, y, x->dtype, rank, dims);
	if (st != GR_OK || !gr_shape_known(x))
		return st;
	return reduce_fold(ctx, n, x, y, red);
}

/* ArgMax/ArgMin: one axis (default 0), keepdims (default 1), int64 output. */
gr_status op_argreduce_shape(gr_infer *ctx, gr_node *n)
{
	gr_tensor *x = gr_in(n, 0), *y = gr_out(n, 0);
	int keep = gr_attr_int(n, "keepdims", 1) != 0;
	gr_dim dims[GR_MAX_RANK];
	int axis, rank = 0;

	if (!x)
		return gr_node_error(ctx, n, "missing input 'data'");
	if (gr_nothing_to_infer(x, y, GR_DTYPE_INT64))
		return GR_OK;
	axis = gr_axis(ctx, n, gr_attr_int(n, "axis", 0), x->rank);
	if (axis < 0)
		return GR_ERR_SHAPE;
	for (int i = 0; i < x->rank; i++) {
		if (i != axis) {
			dims[rank++] = x->dims[i];
		} else if (keep) {
			dims[rank].value = 1;
			dims[rank++].sym = NULL;
		}
	}
	return gr_set_dims(ctx, y, GR_DTYPE_INT64, rank, dims);
}

/* TopK: k from the attribute before opset 10, from input K (1-D, one value) after. */
gr_status op_topk_shape(gr_infer *ctx, gr_node *n)
{
	gr_tensor *x = gr_in(n, 0), *kt = gr_in(n, 1);
	gr_dim dims[GR_MAX_RANK];
	int64_t k = -1;
	gr_status st;
	int axis;

	if (!x)
		return gr_node_error(ctx, n, "missing input 'X'");
	if (kt) {
		int64_t cnt = 0;
		const int64_t *v = gr_values_i64(ctx, kt, &cnt);
		if (v && cnt != 1)
			return gr_node_error(ctx, n, "K has %lld values, needs one", (long long)cnt);
		if (v)
			k = v[0];
	} else {
		const gr_attr *a = gr_attr_find(n, "k");
		if (!a)
			return gr_node_error(ctx, n, "missing input 'K'");
		k = a->i;
	}
	if (x->rank < 0) {
		if (gr_out(n, 0))
			gr_out(n, 0)->dtype = x->dtype;
		if (gr_out(n, 1))
			gr_out(n, 1)->dtype = GR_DTYPE_INT64;
		return GR_OK;
	}
	axis = gr_axis(ctx, n, gr_attr_int(n, "axis", -1), x->rank);
	if (axis < 0)
		return GR_ERR_SHAPE;
	if (k < -1 || (k >= 0 && x->dims[axis].value >= 0 && k > x->dims[axis].value))
		return gr_node_error(ctx, n, "k = %lld for an axis of size %lld", (long long)k,
				     (long long)x->dims[axis].value);
	memcpy(dims, x->dims, (size_t)x->rank * sizeof(gr_dim));
	dims[axis].value = k;
	dims[axis].sym = NULL;
	if (gr_out(n, 0) && (st = gr_set_dims(ctx, gr_out(n, 0), x->dtype, x->rank, dims)) != GR_OK)
		return st;
	if (gr_out(n, 1) && (st = gr_set_dims(ctx, gr_out(n, 1), GR_DTYPE_INT64, x->rank, dims)) != GR_OK)
		return st;
	return GR_OK;
}

/* Cost: a heap selection, ~log2(k) compares per input element (at least one).
 * Bytes = X read + values and int64 indices written. */
void op_topk_cost(const gr_node *n, gr_cost *c)
{
	gr_tensor *x = gr_in(n, 0), *v = gr_out(n, 0);
	int64_t ie = x ? gr_numel(x) : -1, oe = v ? gr_numel(v) : -1, k = 1;
	double lg;

	gr_cost_io_bytes(n, c);
	if (ie < 0 || oe < 0) {
		c->known = 0;
		return;
	}
	if (ie > 0 && x->rank > 0) {
		int axis = (int)gr_attr_int(n, "axis", -1);
		if (axis < 0)
			axis += x->rank;
		if (axis >= 0 && axis < v->rank && v->dims[axis].value > 0)
			k = v->dims[axis].value;
	}
	lg = k > 1 ? log2((double)k) : 1.0;
	c->flops = gr_op_table[n->op].flops_per_elem * (double)ie * lg;
	c->known = 1;
}

/* CumSum: x and a scalar axis input; the output is x's shape. */
gr_status op_cumsum_shape(gr_infer *ctx, gr_node *n)
{
	gr_tensor *x = gr_in(n, 0), *ax = gr_in(n, 1), *y = gr_out(n, 0);
	int64_t cnt = 0;
	const int64_t *v;

	if (!x || !ax)
		return gr_node_error(ctx, n, "needs inputs 'x' and 'axis'");
	if (gr_nothing_to_infer(x, y, x->dtype))
		return GR_OK;
	v = gr_values_i64(ctx, ax, &cnt);
	if (v && cnt == 1 && gr_axis(ctx, n, v[0], x->rank) < 0)
		return GR_ERR_SHAPE;
	return gr_copy_shape(ctx, y, x, GR_DTYPE_UNDEFINED);
}
