/* Shape, Size and the ops that only relabel a tensor's shape (Reshape, Flatten, Squeeze,
 * Unsqueeze, Identity, Dropout at inference; ReverseSequence keeps the shape and copies).
 * Shapes per the ONNX spec for opsets 7..18; known values pass through, so that exported
 * Shape -> Gather -> Unsqueeze -> Concat -> Reshape chains resolve statically.
 * Costs: no FLOPs; views move no bytes, Shape and Size write only their small outputs. */
#include <string.h>

#include "values.h"


/* Product of dims [a, b): known when all are; a lone symbolic dim among ones keeps its name. */
static gr_dim dim_prod(const gr_dim *d, int a, int b)
{
	int64_t p = 1;
	int nunk = 0;
	const gr_dim *u = NULL;

	for (int i = a; i < b; i++) {
		if (d[i].value >= 0) {
			if (!gr_mul_i64(p, d[i].value, &p))
				return gr_dim_unknown();
		} else {
			nunk++;
			u = &d[i];
		}
	}
	if (!nunk)
		return gr_dim_known(p);
	if (nunk == 1 && p == 1)
		return *u;
	return gr_dim_unknown();
}
/* --- Shape, Size ----------------------------------------------------------- */

gr_status op_shape_shape(gr_infer *ctx, gr_node *n)
{
	const gr_tensor *x = gr_in(n, 0);
	gr_tensor *y = gr_out(n, 0);
	int64_t r, start, end, len, v[GR_MAX_RANK];
	gr_status st;

	if (!x)
		return gr_node_error(ctx, n, "missing input 'data'");
	if (x->rank < 0)
		return gr_set_rank_only(ctx, y, GR_DTYPE_INT64, 1);
	r = x->rank;
	start = gr_attr_int(n, "start", 0);
	end = gr_attr_int(n, "end", r);
	if (start < 0)
		start += r;
	if (end < 0)
		end += r;
	start = start < 0 ? 0 : start > r ? r : start;
	end = end < 0 ? 0 : end > r ? r : end;
	len = end > start ? end - start : 0;
	if ((st = gr_set_shape(ctx, y, GR_DTYPE_INT64, 1, &len)))
		return st;
	for (int64_t i = 0; i < len; i++) {
		if (x->dims[start + i].value < 0)
			return GR_OK; /* symbolic: the core re-infers once the dim is bound */
		v[i] = x->dims[start + i].value;
	}
	if (y && gr_tensor_set_i64(y->owner, y, v, len))
		return gr_error_set(ctx->err, GR_ERR_NOMEM, "out of memory");
	return GR_OK;
}

gr_status op_size_shape(gr_infer *ctx, gr_node *n)
{
	const gr_tensor *x = gr_in(n, 0);
	gr_tensor *y = gr_out(n, 0);
	int64_t e;
	gr_status st;

	if (!x)
		return gr_node_error(ctx, n, "missing input 'data'");
	if ((st = gr_set_shape(ctx, y, GR_DTYPE_INT64, 0, NULL)))
		return st;
	e = gr_numel(x);
	if (y && e >= 0 && gr_tensor_set_i64(y->owner, y, &e, 1))
		return gr_error_set(ctx->err, GR_ERR_NOMEM, "out of memory");
	return GR_OK;
}

/* --- Reshape, Flatten, Squeeze, Unsqueeze ---------------------------------- */

/* The dim a -1 in a Reshape target stands for: numel(in) / product(other target dims),
 * cancelling symbolic dims that appear on both sides (e.g. [batch, 768] -> [-1, 12, 64]). */
static gr_dim reshape_infer_dim(const gr_tensor *x, const gr_dim *out, int r, int neg)
{
	const gr_dim *uin[GR_MAX_RANK];
	int nuin = 0, used[GR_MAX_RANK] = {0};
	int64_t pin = 1, pout = 1;

	if (x->rank < 0)
		return gr_dim_unknown();
	for (int i = 0; i < x->rank; i++) {
		if (x->dims[i].value >= 0) {
			if (!gr_mul_i64(pin, x->dims[i].value, &pin))
				return gr_dim_unknown();
		} else {
			uin[nuin++] = &x->dims[i];
		}
	}
	for (int i = 0; i < r; i++) {
		int found = 0;
		if (i == neg)
			continue;
		if (out[i].value >= 0) {
			if (!gr_mul_i64(pout, out[i].value, &pout))
				return gr_dim_unknown();
			continue;
		}
		for (int j = 0; j < nuin && !found; j++)
			if (!used[j] && out[i].sym && uin[j]->sym && strcmp(out[i].sym, uin[j]->sym) == 0)
				used[j] = found = 1;
		if (!found)
			return gr_dim_unknown();
	}
	{
		const gr_dim *left = NULL;
		int nleft = 0;
		for (int j = 0; j < nuin; j++)
			if (!used[j]) {
				left = uin[j];
				nleft++;
			}
		if (pout == 0)
			return gr_dim_unknown();
		if (!nleft)
			return pin % pout == 0 ? gr_dim_known(pin / pout) : gr_dim_unknown();
		if (nleft == 1 && pin == pout)
			return *left;
	}
	return gr_dim_unknown();
}

gr_status op_reshape_shape(gr_infer *ctx, gr_node *n)
{
	const gr_tensor *x = gr_in(n, 0), *shp = gr_in(n, 1);
	gr_tensor *y = gr_out(n, 0);
	const int64_t *tv;
	int64_t tn = 0;
	int ok = 0, neg = -1, allowzero = (int)gr_attr_int(n, "allowzero", 0);
	gr_dim out[GR_MAX_RANK];
	gr_status st;
	size_t na;

	if (!x)
		return gr_node_error(ctx, n, "missing input 'data'");
	if (shp) {
		tv = gr_ints_input(ctx, shp, &tn, &ok);
	} else {
		tv = gr_attr_ints(n, "shape", &na); /* opset < 5 */
		tn = (int64_t)na;
		ok = gr_attr_find(n, "shape") != NULL;
	}
	if (!ok) {
		/* Target values unknown (e.g. built from symbolic dims): its length still gives the rank. */
		if (shp && shp->rank == 1 && shp->dims[0].value >= 0)
			return gr_set_rank_only(ctx, y, x->dtype, shp->dims[0].value);
		return gr_set_unknown(ctx, y, x->dtype);
	}
	if (tn > GR_MAX_RANK)
		return gr_node_error(ctx, n, "target shape has %lld dims (limit %d)", (long long)tn,
				     GR_MAX_RANK);
	for (int i = 0; i < tn; i++) {
		int64_t v = tv[i];
		if (v == 0 && !allowzero) {
			if (x->rank < 0)
				out[i] = gr_dim_unknown();
			else if (i < x->rank)
				out[i] = x->dims[i];
			else
				return gr_node_error(ctx, n, "target dim %d is 0 but the input has rank %d",
						     i, x->rank);
		} else if (v == -1) {
			if (neg >= 0)
				return gr_node_error(ctx, n, "target shape has more than one -1");
			neg = i;
			out[i] = gr_dim_unknown();
		} else if (v < 0) {
			return gr_node_error(ctx, n, "target dim %d is %lld", i, (long long)v);
		} else {
			out[i] = gr_dim_known(v);
		}
	}
	if (neg >= 0)
		out[neg] = reshape_infer_dim(x, out, (int)tn, neg);
	if (gr_shape_known(x) && neg < 0) {
		int64_t pin = gr_numel(x), pout = 1;
		int all = 1;
		for (int i = 0; i < tn; i++) {
			if (out[i].value < 0)
				all = 0;
			else if (!gr_mul_i64(pout, out[i].value, &pout))
				return gr_node_error(ctx, n, "target shape overflows");
		}
		if (all && pin != pout)
			return gr_node_error(ctx, n, "cannot reshape %lld elements into %lld",
					     (long long)pin, (long long)pout);
	}
	if ((st = gr_set_dims(ctx, y, x->dtype, (int)tn, out)))
		return st;
	return gr_fold_copy(ctx, y, x);
}

gr_status op_flatten_shape(gr_infer *ctx, gr_node *n)
{
	const gr_tensor *x = gr_in(n, 0);
	gr_tensor *y = gr_out(n, 0);
	int64_t axis = gr_attr_int(n, "axis", 1);
	gr_dim out[2];
	gr_status st;

	if (!x)
		return gr_node_error(ctx, n, "missing input 'input'");
	if (x->rank < 0)
		return gr_set_rank_only(ctx, y, x->dtype, 2);
	if (axis < -x->rank || axis > x->rank)
		return gr_node_error(ctx, n, "axis %lld is out of range for rank %d", (long long)axis,
				     x->rank);
	if (axis < 0)
		axis += x->rank;
	out[0] = dim_prod(x->dims, 0, (int)axis);
	out[1] = dim_prod(x->dims, (int)axis, x->rank);
	if ((st = gr_set_dims(ctx, y, x->dtype, 2, out)))
		return st;
	return gr_fold_copy(ctx, y, x);
}

/* Axes of Squeeze/Unsqueeze: attribute before opset 13, optional input from 13.
 * Returns 1 with the list, 0 when absent, -1 when given but unknown (*count = its length
 * when that is known, else -1). */
static int axes_of(gr_infer *ctx, const gr_node *n, size_t input, const int64_t **axes,
		   int64_t *count)
{
	const gr_tensor *t = gr_in(n, input);
	int ok;

	if (gr_attr_find(n, "axes")) {
		size_t na;
		*axes = gr_attr_ints(n, "axes", &na);
		*count = (int64_t)na;
		return 1;
	}
	if (!t) {
		*axes = NULL;
		*count = 0;
		return 0;
	}
	*axes = gr_ints_input(ctx, t, count, &ok);
	if (ok)
		return 1;
	*count = t->rank == 1 && t->dims[0].value >= 0 ? t->dims[0].value : t->rank == 0 ? 1 : -1;
	return -1;
}

gr_status op_squeeze_shape(gr_infer *ctx, gr_node *n)
{
	const gr_tensor *x = gr_in(n, 0);
	gr_tensor *y = gr_out(n, 0);
	const int64_t *axes;
	int64_t na;
	int has, drop[GR_MAX_RANK] = {0}, r = 0;
	gr_dim out[GR_MAX_RANK];
	gr_status st;

	if (!x)
		return gr_node_error(ctx, n, "missing input 'data'");
	has = axes_of(ctx, n, 1, &axes, &na);
	if (x->rank < 0)
		return gr_set_unknown(ctx, y, x->dtype);
	if (has < 0)
		return na >= 0 && na <= x->rank ? gr_set_rank_only(ctx, y, x->dtype, x->rank - na)
						: gr_set_unknown(ctx, y, x->dtype);
	if (has == 0 || na == 0) {
		/* No axes: drop every dim of size 1, which needs all dims known (as ONNX does). */
		for (int i = 0; i < x->rank; i++) {
			if (x->dims[i].value < 0)
				return gr_set_unknown(ctx, y, x->dtype);
			drop[i] = x->dims[i].value == 1;
		}
	} else {
		for (int64_t k = 0; k < na; k++) {
			int a = gr_axis(ctx, n, axes[k], x->rank);
			if (a < 0)
				return GR_ERR_SHAPE;
			if (x->dims[a].value >= 0 && x->dims[a].value != 1)
				return gr_node_error(ctx, n, "cannot squeeze axis %d of size %lld", a,
						     (long long)x->dims[a].value);
			drop[a] = 1;
		}
	}
	for (int i = 0; i < x->rank; i++)
		if (!drop[i])
			out[r++] = x->dims[i];
	if ((st = gr_set_dims(ctx, y, x->dtype, r, out)))
		return st;
	return gr_fold_copy(ctx, y, x);
}

gr_status op_unsqueeze_shape(gr_infer *ctx, gr_node *n)
{
	const gr_tensor *x = gr_in(n, 0);
	gr_tensor *y = gr_out(n, 0);
	const int64_t *axes;
	int64_t na;
	int has, ins[GR_MAX_RANK] = {0}, r, j = 0;
	gr_dim out[GR_MAX_RANK];
	gr_status st;

	if (!x)
		return gr_node_error(ctx, n, "missing input 'data'");
	has = axes_of(ctx, n, 1, &axes, &na);
	if (has == 0)
		return gr_node_error(ctx, n, "missing axes");
	if (x->rank < 0)
		return gr_set_unknown(ctx, y, x->dtype);
	if (has < 0)
		return na >= 0 ? gr_set_rank_only(ctx, y, x->dtype, x->rank + na)
			       : gr_set_unknown(ctx, y, x->dtype);
	r = x->rank + (int)na;
	if (r > GR_MAX_RANK)
		return gr_node_error(ctx, n, "rank %d exceeds the limit %d", r, GR_MAX_RANK);
	for (int64_t k = 0; k < na; k++) {
		int a = gr_axis(ctx, n, axes[k], r);
		if (a < 0)
			return GR_ERR_SHAPE;
		if (ins[a])
			return gr_node_error(ctx, n, "axis %d is repeated", a);
		ins[a] = 1;
	}
	for (int i = 0; i < r; i++)
		out[i] = ins[i] ? gr_dim_known(1) : x->dims[j++];
	if ((st = gr_set_dims(ctx, y, x->dtype, r, out)))
		return st;
	return gr_fold_copy(ctx, y, x);
}

/* --- Identity, ReverseSequence, Dropout ------------------------------------------- */

gr_status op_identity_shape(gr_infer *ctx, gr_node *n)
{
	const gr_tensor *x = gr_in(n, 0);
	gr_tensor *y = gr_out(n, 0);
	gr_status st;

	if (!x)
		return gr_node_error(ctx, n, "missing input 'input'");
	if ((st = gr_copy_shape(ctx, y, x, GR_DTYPE_UNDEFINED)))
		return st;
	if (y && x->has_value && (x->rank < 0 || gr_numel(x) == x->nval) && x->nval <= GR_FOLD_MAX) {
		if (x->ival)
			st = gr_tensor_set_i64(y->owner, y, x->ival, x->nval);
		else if (x->fval)
			st = gr_tensor_set_f64(y->owner, y, x->fval, x->nval);
		if (st)
			return gr_error_set(ctx->err, GR_ERR_NOMEM, "out of memory");
	}
	return GR_OK;
}

/* Ops whose output has the shape of input 0 and that copy data (ReverseSequence). */
gr_status op_identity_data_shape(gr_infer *ctx, gr_node *n)
{
	if (!gr_in(n, 0))
		return gr_node_error(ctx, n, "missing input 0");
	return gr_copy_shape(ctx, gr_out(n, 0), gr_in(n, 0), GR_DTYPE_UNDEFINED);
}

gr_status op_dropout_shape(gr_infer *ctx, gr_node *n)
{
	const gr_tensor *x = gr_in(n, 0);
	gr_status st;

	if (!x)
		return gr_node_error(ctx, n, "missing input 'data'");
	if ((st = op_identity_shape(ctx, n)))
		return st;
	/* The mask is bool from opset 10 on; Dropout-7 typed it like the data. */
	return gr_copy_shape(ctx, gr_out(n, 1), x,
			     gr_node_opset(n) >= 10 ? GR_DTYPE_BOOL : x->dtype);
}

void op_dropout_cost(const gr_node *n, gr_cost *c)
{
	/* Inference-mode Dropout is the identity; computing a mask reads and writes. */
	if (gr_out(n, 1))
		gr_cost_io_bytes(n, c);
}
