/* Pooling: MaxPool/AveragePool/LpPool (auto_pad, pads, strides, dilations, ceil_mode,
 * MaxPool's int64 Indices), the global pools, MaxRoiPool/RoiAlign and MaxUnpool. */
#include <string.h>

#include "ops_impl.h"

/* kernel_shape's product; -1 when absent or overflowing. */
static int64_t kernel_volume(const gr_node *n)
{
	size_t kc = 0;
	const int64_t *k = gr_attr_ints(n, "kernel_shape", &kc);

	if (!k || !kc || kc > GR_MAX_RANK)
		return -1;
	return gr_ints_numel(k, (int)kc);
}

/* --- MaxPool, AveragePool, LpPool ----------------------------------------------- */

/* Kernel (kernel_shape: ks, kc entries), strides, dilations (unless d is NULL) and pads of
 * a pooling node over x's spatial dims (x's rank known). */
static gr_status pool_geom_read(gr_infer *ctx, const gr_node *n, const gr_tensor *x,
				const int64_t *ks, size_t kc, int64_t *k, int64_t *s, int64_t *d,
				int64_t *pads)
{
	int nsp = x->rank - 2;
	gr_status st;

	if (nsp < 1 || kc != (size_t)nsp)
		return gr_node_error(ctx, n, "kernel_shape has %zu dims for input of rank %d", kc,
				     x->rank);
	memcpy(k, ks, kc * sizeof(int64_t));
	if ((st = gr_attr_ints_n(ctx, n, "strides", nsp, 1, s)) ||
	    (d && (st = gr_attr_ints_n(ctx, n, "dilations", nsp, 1, d))) ||
	    (st = gr_attr_ints_n(ctx, n, "pads", 2 * nsp, 0, pads)))
		return st;
	return GR_OK;
}

/* One spatial output dim; -1 unknown, -2 when the kernel does not fit (or its dilated extent
 * overflows), -3 when the padded input overflows. With ceil_mode a last window that would start in the end padding is dropped
 * (PyTorch and onnxruntime). */
static int64_t pool_out_dim(const char *auto_pad, int64_t in, int64_t k, int64_t s, int64_t d,
			    int64_t pb, int64_t pe, int ceil_mode)
{
	int64_t keff, span, out, last;

	if (in < 0)
		return -1;
	if (!gr_mul_i64(k - 1, d, &keff) || !gr_add_i64(keff, 1, &keff))
		return -2;
	if (!strcmp(auto_pad, "SAME_UPPER") || !strcmp(auto_pad, "SAME_LOWER"))
		return gr_ceil_div_i64(in, s);
	if (!strcmp(auto_pad, "VALID")) {
		if (in < keff)
			return -2;
		span = in - keff;
		return (ceil_mode ? gr_ceil_div_i64(span, s) : span / s) + 1;
	}
	/* pads are not negative (checked): in + pb + pe may still overflow */
	if (!gr_add_i64(in, pb, &span) || !gr_add_i64(span, pe, &span))
		return -3;
	span -= keff;
	if (span < 0)
		return -2;
	out = (ceil_mode ? gr_ceil_div_i64(span, s) : span / s) + 1;
	/* a start past the int64 range is past in + pb too */
	if (ceil_mode && out > 1 && (!gr_mul_i64(out - 1, s, &last) || last >= in + pb))
		out--;
	return out;
}

gr_status op_pool_shape(gr_infer *ctx, gr_node *n)
{
	gr_tensor *x = gr_in(n, 0), *y = gr_out(n, 0), *idx = gr_out(n, 1);
	int64_t k[GR_MAX_RANK], s[GR_MAX_RANK], d[GR_MAX_RANK], pads[2 * GR_MAX_RANK];
	size_t kc = 0;
	const int64_t *ks = gr_attr_ints(n, "kernel_shape", &kc);
	const char *auto_pad = gr_attr_str(n, "auto_pad", "NOTSET");
	int ceil_mode = (int)gr_attr_int(n, "ceil_mode", 0);
	gr_dim dims[GR_MAX_RANK];
	gr_status st;
	int nsp;

	if (!x)
		return gr_node_error(ctx, n, "missing input 'X'");
	if (!ks || !kc)
		return gr_node_error(ctx, n, "missing attribute 'kernel_shape'");
	if (x->rank < 0) {
		if (y)
			y->dtype = x->dtype;
		if (idx)
			idx->dtype = GR_DTYPE_INT64;
		return GR_OK;
	}
	if ((st = pool_geom_read(ctx, n, x, ks, kc, k, s, d, pads)))
		return st;
	nsp = x->rank - 2;
	dims[0] = x->dims[0];
	dims[1] = x->dims[1];
	for (int i = 0; i < nsp; i++) {
		int64_t v;
		if (k[i] < 1 || s[i] < 1 || d[i] < 1)
			return gr_node_error(ctx, n, "kernel, strides and dilations must be positive");
		if (pads[i] < 0 || pads[nsp + i] < 0)
			return gr_node_error(ctx, n, "pads must not be negative");
		v = pool_out_dim(auto_pad, x->dims[i + 2].value, k[i], s[i], d[i], pads[i],
				 pads[nsp + i], ceil_mode);
		if (v == -2)
			return gr_node_error(ctx, n, "spatial dim %d (%lld) is smaller than the kernel", i,
					     (long long)x->dims[i + 2].value);
		if (v == -3)
			return gr_node_error(ctx, n, "padded input overflows on spatial dim %d", i);
		dims[i + 2].value = v;
		dims[i + 2].sym = NULL;
	}
	if (y && (st = gr_set_dims(ctx, y, x->dtype, x->rank, dims)) != GR_OK)
		return st;
	if (idx && (st = gr_set_dims(ctx, idx, GR_DTYPE_INT64, x->rank, dims)) != GR_OK)
		return st;
	return GR_OK;
}

/* Cost: one compare (Max) or add (Average) per kernel tap per output element, LpPool two
 * (power and add): flops_per_elem x kernel volume x output elements. Bytes = X + outputs. */
void op_pool_cost(const gr_node *n, gr_cost *c)
{
	int64_t kv = kernel_volume(n);

	if (kv < 0) {
		gr_cost_io_bytes(n, c);
		c->known = 0;
		return;
	}
	gr_cost_per_elem_of(n, c, gr_out(n, 0), gr_op_table[n->op].flops_per_elem * (double)kv);
}

/* --- GlobalAveragePool, GlobalMaxPool, GlobalLpPool -------------------------------- */

gr_status op_global_pool_shape(gr_infer *ctx, gr_node *n)
{
	gr_tensor *x = gr_in(n, 0), *y = gr_out(n, 0);
	gr_dim dims[GR_MAX_RANK];

	if (!x)
		return gr_node_error(ctx, n, "missing input 'X'");
	if (gr_nothing_to_infer(x, y, x->dtype))
		return GR_OK;
	if (x->rank < 2)
		return gr_node_error(ctx, n, "input has rank %d, needs N x C x ...", x->rank);
	for (int i = 0; i < x->rank; i++) {
		if (i < 2) {
			dims[i] = x->dims[i];
		} else {
			dims[i].value = 1;
			dims[i].sym = NULL;
		}
	}
	return gr_set_dims(ctx, y, x->dtype, x->rank, dims);
}

/* --- MaxRoiPool (X, rois[R,5]) and RoiAlign (X, rois[R,4], batch_indices[R]) ---------- */

gr_status op_roi_pool_shape(gr_infer *ctx, gr_node *n)
{
	gr_tensor *x = gr_in(n, 0), *rois = gr_in(n, 1), *y = gr_out(n, 0);
	gr_dim dims[4];
	int64_t ph, pw;

	if (!x || !rois)
		return gr_node_error(ctx, n, "missing input 'X' or 'rois'");
	if (n->op == GR_OP_ROI_ALIGN && !gr_in(n, 2))
		return gr_node_error(ctx, n, "missing input 'batch_indices'");
	if (!y)
		return GR_OK;
	if (n->op == GR_OP_MAX_ROI_POOL) {
		size_t pc = 0;
		const int64_t *ps = gr_attr_ints(n, "pooled_shape", &pc);
		if (!ps || pc != 2)
			return gr_node_error(ctx, n, "attribute 'pooled_shape' needs 2 values");
		ph = ps[0];
		pw = ps[1];
	} else {
		ph = gr_attr_int(n, "output_height", 1);
		pw = gr_attr_int(n, "output_width", 1);
	}
	if (x->rank < 0 || rois->rank < 0) {
		y->dtype = x->dtype;
		return GR_OK;
	}
	if (x->rank != 4 || rois->rank != 2)
		return gr_node_error(ctx, n, "needs a 4-D input and 2-D rois");
	dims[0] = rois->dims[0];
	dims[1] = x->dims[1];
	dims[2].value = ph;
	dims[2].sym = NULL;
	dims[3].value = pw;
	dims[3].sym = NULL;
	return gr_set_dims(ctx, y, x->dtype, 4, dims);
}

/* Cost: RoiAlign bilinear-samples sampling_ratio^2 points (2x2 when adaptive) per output
 * element at ~4 FLOPs each; MaxRoiPool is costed as one compare per output element. */
void op_roi_pool_cost(const gr_node *n, gr_cost *c)
{
	double per = gr_op_table[n->op].flops_per_elem;

	if (n->op == GR_OP_ROI_ALIGN) {
		int64_t sr = gr_attr_int(n, "sampling_ratio", 0);
		per *= sr > 0 ? (double)sr * (double)sr : 4.0;
	}
	gr_cost_per_elem_of(n, c, gr_out(n, 0), per);
}

/* --- MaxUnpool (X, I, optional output_shape) --------------------------------------- */

gr_status op_max_unpool_shape(gr_infer *ctx, gr_node *n)
{
	gr_tensor *x = gr_in(n, 0), *os = gr_in(n, 2), *y = gr_out(n, 0);
	int64_t k[GR_MAX_RANK], s[GR_MAX_RANK], pads[2 * GR_MAX_RANK];
	size_t kc = 0;
	const int64_t *ks = gr_attr_ints(n, "kernel_shape", &kc);
	gr_dim dims[GR_MAX_RANK];
	gr_status st;
	int nsp;

	if (!x || !gr_in(n, 1))
		return gr_node_error(ctx, n, "missing input 'X' or 'I'");
	if (!y)
		return GR_OK;
	if (os) {
		int64_t cnt = 0;
		const int64_t *v = gr_values_i64(ctx, os, &cnt);
		if (!v) {
			y->dtype = x->dtype;
			if (os->rank == 1 && os->dims[0].value >= 0 && os->dims[0].value <= GR_MAX_RANK) {
				for (int i = 0; i < os->dims[0].value; i++) {
					dims[i].value = -1;
					dims[i].sym = NULL;
				}
				return gr_set_dims(ctx, y, x->dtype, (int)os->dims[0].value, dims);
			}
			return GR_OK;
		}
		if (cnt > GR_MAX_RANK)
			return gr_node_error(ctx, n, "output_shape has %lld dims", (long long)cnt);
		for (int64_t i = 0; i < cnt; i++)
			if (v[i] < 0)
				return gr_node_error(ctx, n, "negative output_shape");
		return gr_set_shape(ctx, y, x->dtype, (int)cnt, v);
	}
	if (!ks || !kc)
		return gr_node_error(ctx, n, "missing attribute 'kernel_shape'");
	if (x->rank < 0) {
		y->dtype = x->dtype;
		return GR_OK;
	}
	if ((st = pool_geom_read(ctx, n, x, ks, kc, k, s, NULL, pads)))
		return st;
	nsp = x->rank - 2;
	dims[0] = x->dims[0];
	dims[1] = x->dims[1];
	for (int i = 0; i < nsp; i++) {
		int64_t in = x->dims[i + 2].value;
		int64_t v = -1;
		if (in >= 0 && (!gr_mul_i64(in - 1, s[i], &v) || !gr_add_i64(v, k[i], &v)))
			return gr_node_error(ctx, n, "output size overflows on spatial dim %d", i);
		dims[i + 2].value = in < 0 ? -1 : v - pads[i] - pads[nsp + i];
		dims[i + 2].sym = NULL;
		if (in >= 0 && dims[i + 2].value < 0)
			return gr_node_error(ctx, n, "negative output size on spatial dim %d", i);
	}
	return gr_set_dims(ctx, y, x->dtype, x->rank, dims);
}

/* Cost: a scatter with no arithmetic (0 FLOPs); the output is zero-filled, so bytes =
 * X and I read + the whole output written. */
void op_max_unpool_cost(const gr_node *n, gr_cost *c)
{
	gr_cost_io_bytes(n, c);
	c->flops = 0;
	c->known = gr_out(n, 0) && gr_numel(gr_out(n, 0)) >= 0;
}
