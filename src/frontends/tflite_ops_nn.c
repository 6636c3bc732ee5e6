/* TFLite frontend: mappers of elementwise operators, convolution and pooling (on
 * channels-first views), matrix products and (de)quantization (see tflite_read.h). */
#include <stdio.h>
#include <string.h>

#include "frontends/tflite_read.h"

/* --- elementwise ----------------------------------------------------------------------- */

/* y = type(inputs 0..n_in-1), then fused activation a. */
gr_status tfl_map_simple(tfl_ctx *c, const tfl_op *op, const char *type, size_t n_in, int64_t a)
{
	gr_tensor *y, *t;
	gr_node *n;

	TRY(tfl_need(c, op, n_in, 1));
	if (c->fst)
		return c->fst;
	y = out_t(c, op, 0);
	if (!(t = tfl_pre_act(c, a, y)) || !(n = node(c, type, "", op->name, n_in, 1)))
		return oom(c);
	for (size_t i = 0; i < n_in; i++)
		n->in[i] = in_t(c, op, i);
	n->out[0] = t;
	return a ? tfl_fused(c, op, a, t, y) : GR_OK;
}

/* y = type2(type1(inputs), [same]) : RSQRT, NOT_EQUAL, FLOOR_DIV, SQUARED_DIFFERENCE. */
gr_status tfl_map_chain(tfl_ctx *c, const tfl_op *op, const char *type1, size_t n_in,
			const char *type2, int square)
{
	gr_tensor *y, *t;
	gr_node *n;

	TRY(tfl_need(c, op, n_in, 1));
	y = out_t(c, op, 0);
	t = tmp(c, y->name, "/0");
	if (!t || !(n = node(c, type1, "", nm(c, op, "/0"), n_in, 1)))
		return oom(c);
	for (size_t i = 0; i < n_in; i++)
		n->in[i] = in_t(c, op, i);
	n->out[0] = t;
	if (square)
		EMIT(n, type2, op->name, (t, t), (y));
	else
		EMIT(n, type2, op->name, (t), (y));
	return GR_OK;
}

gr_status tfl_map_clip(tfl_ctx *c, const tfl_op *op, double lo, double hi)
{
	gr_node *n;

	TRY(tfl_need(c, op, 1, 1));
	EMIT(n, "Clip", op->name, (in_t(c, op, 0), tfl_cst_f(c, lo), tfl_cst_f(c, hi)), (out_t(c, op, 0)));
	return n->in[1] && n->in[2] ? GR_OK : oom(c);
}

/* Variadic ops over every present input (ADD_N, CONCATENATION). */
gr_node *tfl_map_variadic(tfl_ctx *c, const tfl_op *op, const char *type, gr_tensor *y)
{
	size_t k = 0, m = 0;
	gr_node *n;

	for (size_t i = 0; i < op->n_in; i++)
		k += op->in[i] >= 0;
	if (!y || !(n = node(c, type, "", op->name, k, 1)))
		return NULL;
	for (size_t i = 0; i < op->n_in; i++)
		if (op->in[i] >= 0)
			n->in[m++] = in_t(c, op, i);
	n->out[0] = y;
	return n;
}

/* --- convolution and pooling (channels-first views) --------------------------------- */

static const int64_t P_W_CONV[] = {0, 3, 1, 2};   /* OHWI -> OIHW */
static const int64_t P_W_IOHW[] = {3, 0, 1, 2};   /* OHWI -> IOHW (transpose conv); 1HWC -> C1HW */
static const int64_t P_W_CONV3D[] = {4, 3, 0, 1, 2}; /* DHWIO -> OIDHW */

/* The end of a channels-first mapping: the fused activation act from pa into ycf, then ycf
 * relabeled into output 0 (rank 4 or 5). */
static gr_status finish_cf(tfl_ctx *c, const tfl_op *op, int64_t act, gr_tensor *pa,
			   gr_tensor *ycf, int rank)
{
	if (act)
		TRY(tfl_fused(c, op, act, pa, ycf));
	return c->fst ? c->fst : tfl_cf_to_out(c, op, 0, ycf, rank);
}

/* Conv (nsp spatial dims) of the channels-first views of input 0 and of filter 1, relabeled
 * by wperm (wkind: see tfl_weight), with bias input 2. */
static gr_status emit_conv(tfl_ctx *c, const tfl_op *op, int nsp, const int64_t *wperm, int wkind,
			   int64_t pad, const int64_t *st, const int64_t *dil, int64_t act,
			   int64_t group)
{
	gr_tensor *x, *w, *ycf, *pa;
	gr_node *n;

	x = tfl_cf_in(c, op, 0);
	w = tfl_weight(c, op, 1, wperm, nsp + 2, wkind);
	ycf = tfl_cf_out_tmp(c, op, 0);
	if (!x || !w || !ycf || !(pa = tfl_pre_act(c, act, ycf)))
		return oom(c);
	EMIT(n, "Conv", op->name, (x, w, in_t(c, op, 2)), (pa));
	if (!gr_node_set_ints(n, "strides", st, (size_t)nsp) ||
	    !gr_node_set_ints(n, "dilations", dil, (size_t)nsp))
		return oom(c);
	gr_node_set_str(n, "auto_pad", tfl_pad_mode(c, op, pad, 0));
	gr_node_set_int(n, "group", group);
	return finish_cf(c, op, act, pa, ycf, nsp + 2);
}

/* The first n int32 fields of a custom operator's TfLite*Params struct (custom options). */
static gr_status custom_ints(tfl_ctx *c, const tfl_op *op, const char *params, size_t n,
			     int64_t *v)
{
	if (op->copt_len < 4 * n)
		return tfl_op_error(c, op, GR_ERR_FORMAT, "custom options hold %zu bytes, %s needs %zu",
				    op->copt_len, params, 4 * n);
	for (size_t i = 0; i < n; i++)
		v[i] = ld32s(c->s.d + op->copt + 4 * i);
	return GR_OK;
}

gr_status tfl_map_conv(tfl_ctx *c, const tfl_op *op, int depthwise)
{
	int want = depthwise ? O_DEPTHWISE : O_CONV2D;
	int64_t pad, st[2], dil[2], act, group = 1;
	tfl_tensor *tx, *tw;

	TRY(tfl_need(c, op, 2, 1));
	TRY(tfl_need_rank(c, op, 0, 4, "input"));
	TRY(tfl_need_rank(c, op, 1, 4, "filter"));
	pad = tfl_opt_int(c, op, want, 0, 1, 0);
	st[1] = tfl_opt_int(c, op, want, 1, 4, 1);
	st[0] = tfl_opt_int(c, op, want, 2, 4, 1);
	act = tfl_opt_int(c, op, want, depthwise ? 4 : 3, 1, 0);
	dil[1] = tfl_opt_int(c, op, want, depthwise ? 5 : 4, 4, 1);
	dil[0] = tfl_opt_int(c, op, want, depthwise ? 6 : 5, 4, 1);
	if (c->fst)
		return c->fst;
	TRY(tfl_positive(c, op, st, 2, "strides"));
	TRY(tfl_positive(c, op, dil, 2, "dilations"));
	tx = tin(c, op, 0);
	tw = tin(c, op, 1);
	if (depthwise) {
		/* group = input channels; depth_multiplier is redundant (and 0 in newer files) */
		int64_t mult = tfl_opt_int(c, op, want, 3, 4, 1);
		group = tx->dims[3] > 0 ? tx->dims[3]
		      : (mult > 0 && tw->dims[3] > 0 && tw->dims[3] % mult == 0) ? tw->dims[3] / mult : 1;
	} else if (tx->dims[3] > 0 && tw->dims[3] > 0 && tx->dims[3] % tw->dims[3] == 0) {
		group = tx->dims[3] / tw->dims[3]; /* grouped CONV_2D: filter holds C / groups */
	}
	return emit_conv(c, op, 2, depthwise ? P_W_IOHW : P_W_CONV, depthwise ? 1 : 0, pad, st, dil,
			 act, group);
}

gr_status tfl_map_conv3d(tfl_ctx *c, const tfl_op *op)
{
	int64_t pad, st[3], dil[3], act, group = 1;
	tfl_tensor *tx, *tw;

	TRY(tfl_need(c, op, 2, 1));
	TRY(tfl_need_rank(c, op, 0, 5, "input"));
	TRY(tfl_need_rank(c, op, 1, 5, "filter"));
	pad = tfl_opt_int(c, op, O_CONV3D, 0, 1, 0);
	st[0] = tfl_opt_int(c, op, O_CONV3D, 1, 4, 1);
	st[2] = tfl_opt_int(c, op, O_CONV3D, 2, 4, 1);
	st[1] = tfl_opt_int(c, op, O_CONV3D, 3, 4, 1);
	act = tfl_opt_int(c, op, O_CONV3D, 4, 1, 0);
	dil[0] = tfl_opt_int(c, op, O_CONV3D, 5, 4, 1);
	dil[2] = tfl_opt_int(c, op, O_CONV3D, 6, 4, 1);
	dil[1] = tfl_opt_int(c, op, O_CONV3D, 7, 4, 1);
	if (c->fst)
		return c->fst;
	TRY(tfl_positive(c, op, st, 3, "strides"));
	TRY(tfl_positive(c, op, dil, 3, "dilations"));
	tx = tin(c, op, 0);
	tw = tin(c, op, 1);
	if (tx->dims[4] > 0 && tw->dims[3] > 0 && tx->dims[4] % tw->dims[3] == 0)
		group = tx->dims[4] / tw->dims[3];
	return emit_conv(c, op, 3, P_W_CONV3D, 4, pad, st, dil, act, group);
}

/* Padding, strides (H, W) and n_k = 0 or 2 filter dims (H, W) of a windowed operator, from
 * the leading fields both layouts share: Pool2DOptions / TransposeConvOptions (padding,
 * stride_w, stride_h, [filter_w, filter_h], fused activation into *act) for builtins, the
 * TfLitePoolParams / TfLiteTransposeConvParams struct `params` for custom operators. */
static gr_status window_params(tfl_ctx *c, const tfl_op *op, int custom, int want,
			       const char *params, int n_k, int64_t *pad, int64_t *st, int64_t *k,
			       int64_t *act)
{
	int64_t v[5];

	if (custom) {
		TRY(custom_ints(c, op, params, 3 + (size_t)n_k, v));
	} else {
		v[0] = tfl_opt_int(c, op, want, 0, 1, 0);
		for (int i = 1; i < 3 + n_k; i++)
			v[i] = tfl_opt_int(c, op, want, (unsigned)i, 4, 1);
		*act = tfl_opt_int(c, op, want, 3 + (unsigned)n_k, 1, 0);
	}
	*pad = v[0];
	st[1] = v[1];
	st[0] = v[2];
	if (n_k) {
		k[1] = v[3];
		k[0] = v[4];
	}
	return GR_OK;
}

/* TRANSPOSE_CONV (output_shape, filter, input, bias?) and MediaPipe's custom
 * Convolution2DTransposeBias (input, filter, bias) with TfLiteTransposeConvParams. */
gr_status tfl_map_transpose_conv(tfl_ctx *c, const tfl_op *op, int custom)
{
	int64_t pad, st[2], act = 0, nos = 0;
	const int64_t *os = NULL;
	size_t xi = custom ? 0 : 2, wi = custom ? 1 : 1, bi = custom ? 2 : 3;
	gr_tensor *x, *w, *ycf, *pa;
	gr_node *n;

	TRY(tfl_need(c, op, custom ? 2 : 3, 1));
	TRY(tfl_need_rank(c, op, xi, 4, "input"));
	TRY(tfl_need_rank(c, op, wi, 4, "filter"));
	TRY(window_params(c, op, custom, O_TRANSPOSE_CONV, "TfLiteTransposeConvParams", 0, &pad, st,
			  NULL, &act));
	if (!custom)
		os = cvals(c, op, 0, &nos);
	if (c->fst)
		return c->fst;
	TRY(tfl_positive(c, op, st, 2, "strides"));
	x = tfl_cf_in(c, op, xi);
	w = tfl_weight(c, op, wi, P_W_IOHW, 4, 2);
	ycf = tfl_cf_out_tmp(c, op, 0);
	if (!x || !w || !ycf || !(pa = tfl_pre_act(c, act, ycf)))
		return oom(c);
	EMIT(n, "ConvTranspose", op->name, (x, w, in_t(c, op, bi)), (pa));
	if (!gr_node_set_ints(n, "strides", st, 2))
		return oom(c);
	if (os && nos == 4) {
		int64_t hw[2] = {os[1], os[2]};
		if (hw[0] < 0 || hw[1] < 0)
			return tfl_op_error(c, op, GR_ERR_FORMAT, "negative output_shape");
		if (!gr_node_set_ints(n, "output_shape", hw, 2))
			return oom(c);
	} else {
		gr_node_set_str(n, "auto_pad", tfl_pad_mode(c, op, pad, custom));
	}
	return finish_cf(c, op, act, pa, ycf, 4);
}

/* AVERAGE_POOL_2D, MAX_POOL_2D, L2_POOL_2D; MediaPipe's MaxPoolingWithArgmax2D (custom,
 * TfLitePoolParams; a second output with the argmax indices). */
gr_status tfl_map_pool(tfl_ctx *c, const tfl_op *op, const char *type, int custom)
{
	int64_t pad, st[2], k[2], act = 0;
	gr_tensor *x, *ycf, *icf = NULL, *pa;
	gr_node *n;

	TRY(tfl_need(c, op, 1, custom ? 2 : 1));
	TRY(tfl_need_rank(c, op, 0, 4, "input"));
	TRY(window_params(c, op, custom, O_POOL2D, "TfLitePoolParams", 2, &pad, st, k, &act));
	if (c->fst)
		return c->fst;
	TRY(tfl_positive(c, op, st, 2, "strides"));
	TRY(tfl_positive(c, op, k, 2, "filter size"));
	x = tfl_cf_in(c, op, 0);
	ycf = tfl_cf_out_tmp(c, op, 0);
	if (custom)
		icf = tfl_cf_out_tmp(c, op, 1);
	if (!x || !ycf || (custom && !icf) || !(pa = tfl_pre_act(c, act, ycf)))
		return oom(c);
	if (custom)
		EMIT(n, type, op->name, (x), (pa, icf));
	else
		EMIT(n, type, op->name, (x), (pa));
	if (!gr_node_set_ints(n, "kernel_shape", k, 2) || !gr_node_set_ints(n, "strides", st, 2))
		return oom(c);
	gr_node_set_str(n, "auto_pad", tfl_pad_mode(c, op, pad, custom));
	if (!strcmp(type, "LpPool"))
		gr_node_set_int(n, "p", 2);
	TRY(finish_cf(c, op, act, pa, ycf, 4));
	return custom ? tfl_cf_to_out(c, op, 1, icf, 4) : GR_OK;
}

/* MediaPipe's MaxUnpooling2D (values, indices): output = input x filter size. */
gr_status tfl_map_max_unpool(tfl_ctx *c, const tfl_op *op)
{
	int64_t v[5], k[2];
	gr_tensor *x, *idx, *ycf;
	gr_node *n;

	TRY(tfl_need(c, op, 2, 1));
	TRY(tfl_need_rank(c, op, 0, 4, "input"));
	TRY(tfl_need_rank(c, op, 1, 4, "indices"));
	TRY(custom_ints(c, op, "TfLitePoolParams", 5, v));
	k[1] = v[3];
	k[0] = v[4];
	TRY(tfl_positive(c, op, k, 2, "filter size"));
	x = tfl_cf_in(c, op, 0);
	idx = tfl_cf_in(c, op, 1);
	ycf = tfl_cf_out_tmp(c, op, 0);
	if (!x || !idx || !ycf)
		return oom(c);
	EMIT(n, "MaxUnpool", op->name, (x, idx), (ycf));
	if (!gr_node_set_ints(n, "kernel_shape", k, 2) || !gr_node_set_ints(n, "strides", k, 2))
		return oom(c);
	return tfl_cf_to_out(c, op, 0, ycf, 4);
}

/* DEPTH_TO_SPACE, SPACE_TO_DEPTH (block_size; TF's order is ONNX's DCR). */
gr_status tfl_map_depth_space(tfl_ctx *c, const tfl_op *op, const char *type, int want)
{
	int64_t b;
	gr_tensor *x, *ycf;
	gr_node *n;

	TRY(tfl_need(c, op, 1, 1));
	TRY(tfl_need_rank(c, op, 0, 4, "input"));
	b = tfl_opt_int(c, op, want, 0, 4, 0);
	if (c->fst)
		return c->fst;
	TRY(tfl_positive(c, op, &b, 1, "block_size"));
	x = tfl_cf_in(c, op, 0);
	ycf = tfl_cf_out_tmp(c, op, 0);
	if (!x || !ycf)
		return oom(c);
	EMIT(n, type, op->name, (x), (ycf));
	gr_node_set_int(n, "blocksize", b);
	if (!strcmp(type, "DepthToSpace"))
		gr_node_set_str(n, "mode", "DCR");
	return tfl_cf_to_out(c, op, 0, ycf, 4);
}

/* --- matrix products ---------------------------------------------------------------- */

gr_status tfl_map_fully_connected(tfl_ctx *c, const tfl_op *op)
{
	int64_t act, keep, k;
	tfl_tensor *tx;
	gr_tensor *x, *y, *pa, *b;
	gr_node *n;

	TRY(tfl_need(c, op, 2, 1));
	TRY(tfl_need_rank(c, op, 1, 2, "weights"));
	act = tfl_opt_int(c, op, O_FULLY_CONNECTED, 0, 1, 0);
	keep = tfl_opt_int(c, op, O_FULLY_CONNECTED, 2, 1, 0);
	if (c->fst)
		return c->fst;
	tx = tin(c, op, 0);
	x = tx->t;
	b = in_t(c, op, 2);
	k = tin(c, op, 1)->dims[1];
	y = out_t(c, op, 0);
	if (!(pa = tfl_pre_act(c, act, y)))
		return oom(c);
	if (keep && tx->rank > 2) {
		/* [..., K] x [K, O]: batch dims kept */
		gr_tensor *wt = tfl_weight(c, op, 1, TFL_P_T2, 2, 3), *mm = b ? tmp(c, y->name, "/matmul") : pa;
		if (!wt || !mm)
			return oom(c);
		EMIT(n, "MatMul", b ? nm(c, op, "/matmul") : op->name, (x, wt), (mm));
		if (b)
			EMIT(n, "Add", op->name, (mm, b), (pa));
	} else {
		if (tx->rank != 2) {
			/* TFLite flattens the input to [numel / K, K] */
			int64_t shape[2] = {-1, k};
			gr_tensor *flat = tmp(c, y->name, "/flat");
			if (k <= 0)
				return tfl_op_error(c, op, GR_ERR_FORMAT, "weights '%s' have no input size",
						    in_t(c, op, 1)->name);
			EMIT(n, "Reshape", nm(c, op, "/flat"), (x, cst_i64(c, nm(c, op, "/flat_shape"), shape, 2, 0)),
			     (flat));
			if (!n->in[1])
				return oom(c);
			x = flat;
		}
		EMIT(n, "Gemm", op->name, (x, in_t(c, op, 1), b), (pa));
		gr_node_set_int(n, "transB", 1);
	}
	return act ? tfl_fused(c, op, act, pa, y) : GR_OK;
}

gr_status tfl_map_batch_matmul(tfl_ctx *c, const tfl_op *op)
{
	int64_t adj[2];
	gr_tensor *m[2];
	gr_node *n;

	TRY(tfl_need(c, op, 2, 1));
	adj[0] = tfl_opt_int(c, op, O_BATCH_MATMUL, 0, 1, 0);
	adj[1] = tfl_opt_int(c, op, O_BATCH_MATMUL, 1, 1, 0);
	if (c->fst)
		return c->fst;
	for (int i = 0; i < 2; i++) {
		tfl_tensor *t = tin(c, op, (size_t)i);
		m[i] = t->t;
		if (adj[i]) {
			int64_t perm[GR_MAX_RANK];
			char base[480];
			if (t->rank < 2)
				return tfl_op_error(c, op, GR_ERR_FORMAT, "adjoint of rank-%d '%s'", t->rank,
						    t->t->name);
			for (int k = 0; k < t->rank; k++)
				perm[k] = k;
			perm[t->rank - 2] = t->rank - 1;
			perm[t->rank - 1] = t->rank - 2;
			snprintf(base, sizeof(base), "tflite_layout/%.400s/adj%d", op->name, i);
			if (!(m[i] = tfl_view(c, t->t, perm, t->rank, NULL, base)))
				return oom(c);
		}
	}
	EMIT(n, "MatMul", op->name, (m[0], m[1]), (out_t(c, op, 0)));
	return GR_OK;
}

/* DEQUANTIZE: float16 -> float32 is a conversion (TFLite does it once for constant
 * weights); int8/uint8/int16 use DequantizeLinear. QUANTIZE: QuantizeLinear. */
gr_status tfl_map_quant(tfl_ctx *c, const tfl_op *op, int dequant)
{
	gr_tensor *x, *y, *zp = NULL;
	gr_node *n;

	TRY(tfl_need(c, op, 1, 1));
	x = in_t(c, op, 0);
	y = out_t(c, op, 0);
	if (dequant && (x->dtype == GR_DTYPE_FLOAT16 || x->dtype == GR_DTYPE_FLOAT ||
			x->dtype == GR_DTYPE_BFLOAT16)) {
		EMIT(n, "Cast", op->name, (x), (y));
		gr_node_set_int(n, "to", GR_DTYPE_FLOAT);
		return GR_OK;
	}
	if (!dequant) {
		int64_t z = 0;
		gr_dim d = {1, NULL};
		gr_dtype odt = c->ts[op->out[0]].dtype;
		if (!(zp = tmp(c, y->name, "/zero_point")) ||
		    gr_tensor_set_shape(c->g, zp, odt ? odt : GR_DTYPE_INT8, 0, &d) ||
		    gr_tensor_set_i64(c->g, zp, &z, 1))
			return oom(c);
	}
	EMIT(n, dequant ? "DequantizeLinear" : "QuantizeLinear", op->name, (x, tfl_cst_f(c, 1), zp), (y));
	return n->in[1] ? GR_OK : oom(c);
}
