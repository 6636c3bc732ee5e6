/* Convolutions: Conv (and ConvInteger, QLinearConv), ConvTranspose and DeformConv.
 * Shapes follow the ONNX spec (auto_pad, pads, strides, dilations, group, kernel_shape
 * taken from the weight when absent); costs count multiply-accumulates. */
#include <string.h>

#include "ops_impl.h"

/* Where the operands sit: Conv (X, W, B), ConvInteger (x, w, x_zp, w_zp),
 * QLinearConv (x, x_scale, x_zp, w, w_scale, w_zp, y_scale, y_zp, B). */
typedef struct conv_io {
	int x, w, b; /* -1 when the op has no such input */
} conv_io;

static conv_io conv_inputs(const gr_node *n)
{
	conv_io io = {0, 1, 2};

	if (n->op == GR_OP_CONV_INTEGER)
		io.b = -1;
	else if (n->op == GR_OP_QLINEAR_CONV) {
		io.w = 3;
		io.b = 8;
	}
	return io;
}

static gr_tensor *in_at(const gr_node *n, int i)
{
	return i < 0 ? NULL : gr_in(n, (size_t)i);
}

/* Spatial parameters shared by Conv, ConvTranspose and DeformConv. */
typedef struct conv_geom {
	int nsp;                        /* spatial rank */
	int64_t k[GR_MAX_RANK];         /* kernel, -1 when unknown */
	int64_t s[GR_MAX_RANK], d[GR_MAX_RANK];
	int64_t pads[2 * GR_MAX_RANK];  /* begins, then ends */
	int64_t group;
	const char *auto_pad;
} conv_geom;

/* Fills g for input x (rank known) from attributes and the weight (kernel dims are W[2:]
 * unless kernel_shape is set). Returns GR_OK, or an error status already reported. */
static gr_status conv_geom_read(gr_infer *ctx, const gr_node *n, const gr_tensor *x,
				const gr_tensor *w, conv_geom *g)
{
	size_t kc = 0;
	const int64_t *ks = gr_attr_ints(n, "kernel_shape", &kc);
	int nsp = x->rank - 2;
	gr_status st;

	if (x->rank < 3)
		return gr_node_error(ctx, n, "input has rank %d, needs N x C x spatial", x->rank);
	g->nsp = nsp;
	if (ks && kc) {
		if (kc != (size_t)nsp)
			return gr_node_error(ctx, n, "kernel_shape has %zu dims, input has %d spatial dims",
					     kc, nsp);
		memcpy(g->k, ks, (size_t)nsp * sizeof(int64_t));
	} else {
		for (int i = 0; i < nsp; i++)
			g->k[i] = (w && w->rank == nsp + 2) ? w->dims[i + 2].value : -1;
	}
	if (w && w->rank >= 0 && w->rank != nsp + 2)
		return gr_node_error(ctx, n, "weight has rank %d, input has rank %d", w->rank, nsp + 2);
	if ((st = gr_attr_ints_n(ctx, n, "strides", nsp, 1, g->s)) ||
	    (st = gr_attr_ints_n(ctx, n, "dilations", nsp, 1, g->d)) ||
	    (st = gr_attr_ints_n(ctx, n, "pads", 2 * nsp, 0, g->pads)))
		return st;
	for (int i = 0; i < nsp; i++) {
		if (g->s[i] < 1 || g->d[i] < 1)
			return gr_node_error(ctx, n, "strides and dilations must be positive");
		/* -1 is an unknown weight dim; kernel_shape itself must be positive */
		if (g->k[i] == 0 || g->k[i] < -1 || (ks && kc && g->k[i] < 1))
			return gr_node_error(ctx, n, "kernel dim %d is %lld, must be positive", i,
					     (long long)g->k[i]);
		if (g->pads[i] < 0 || g->pads[nsp + i] < 0)
			return gr_node_error(ctx, n, "pads must not be negative");
	}
	g->group = gr_attr_int(n, "group", 1);
	if (g->group < 1)
		return gr_node_error(ctx, n, "group must be positive");
	g->auto_pad = gr_attr_str(n, "auto_pad", "NOTSET");
	return GR_OK;
}

/* One spatial output dim of a convolution, or -1 when not computable. Errors: -2 when the
 * padded input is smaller than the dilated kernel, -3 when the dilated kernel or the padded
 * input overflows. */
static int64_t conv_out_dim(const conv_geom *g, int i, int64_t in)
{
	int64_t keff, padded = in;

	if (in < 0)
		return -1;
	if (!strcmp(g->auto_pad, "SAME_UPPER") || !strcmp(g->auto_pad, "SAME_LOWER"))
		return gr_ceil_div_i64(in, g->s[i]);
	if (g->k[i] < 0)
		return -1;
	if (!gr_mul_i64(g->k[i] - 1, g->d[i], &keff) || !gr_add_i64(keff, 1, &keff))
		return -3;
	if (strcmp(g->auto_pad, "VALID") &&
	    (!gr_add_i64(padded, g->pads[i], &padded) || !gr_add_i64(padded, g->pads[g->nsp + i], &padded)))
		return -3;
	if (padded < keff)
		return -2;
	return (padded - keff) / g->s[i] + 1;
}

/* 1 when x_channels == w_channels x group (a product that must not wrap). */
static int channels_match(int64_t x_channels, int64_t w_channels, int64_t group)
{
	int64_t want;
	return gr_mul_i64(w_channels, group, &want) && want == x_channels;
}

/* Sets out = (N, M, conv spatial dims of x). M is given as a dim (possibly symbolic). */
static gr_status conv_like_shape(gr_infer *ctx, const gr_node *n, const gr_tensor *x,
				 const conv_geom *g, gr_dim m, gr_tensor *out, gr_dtype dt)
{
	gr_dim dims[GR_MAX_RANK];

	dims[0] = x->dims[0];
	dims[1] = m;
	for (int i = 0; i < g->nsp; i++) {
		int64_t v = conv_out_dim(g, i, x->dims[i + 2].value);
		if (v == -2)
			return gr_node_error(ctx, n, "spatial dim %d (%lld) is smaller than the kernel",
					     i, (long long)x->dims[i + 2].value);
		if (v == -3)
			return gr_node_error(ctx, n, "dilated kernel or padded input overflows on spatial dim %d", i);
		dims[i + 2].value = v;
		dims[i + 2].sym = NULL;
	}
	return gr_set_dims(ctx, out, dt, x->rank, dims);
}

/* Kernel elements: kernel_shape's product, else the weight's spatial dims'; -1 when unknown
 * or overflowing. */
static int64_t kernel_volume(const gr_tensor *w, int nsp, const gr_node *n)
{
	size_t kc = 0;
	const int64_t *ks = gr_attr_ints(n, "kernel_shape", &kc);

	if (ks && kc)
		return kc <= GR_MAX_RANK ? gr_ints_numel(ks, (int)kc) : -1;
	if (!w || w->rank != nsp + 2)
		return -1;
	return gr_dims_numel(w->dims + 2, nsp);
}

/* --- Conv, ConvInteger, QLinearConv ---------------------------------------- */

gr_status op_conv_shape(gr_infer *ctx, gr_node *n)
{
	conv_io io = conv_inputs(n);
	gr_tensor *x = in_at(n, io.x), *w = in_at(n, io.w), *b = in_at(n, io.b), *y = gr_out(n, 0);
	conv_geom g;
	gr_dtype dt;
	gr_dim m = {-1, NULL};
	gr_status st;

	if (!x || !w)
		return gr_node_error(ctx, n, "missing input 'X' or 'W'");
	if (n->op == GR_OP_CONV_INTEGER)
		dt = GR_DTYPE_INT32;
	else if (n->op == GR_OP_QLINEAR_CONV)
		dt = gr_in(n, 7) ? gr_in(n, 7)->dtype : x->dtype;
	else
		dt = x->dtype;
	if (gr_nothing_to_infer(x, y, dt))
		return GR_OK;
	if ((st = conv_geom_read(ctx, n, x, w, &g)))
		return st;
	if (w->rank > 0) {
		int64_t wc = w->rank > 1 ? w->dims[1].value : -1, xc = x->dims[1].value;
		m = w->dims[0];
		if (wc >= 0 && xc >= 0 && !channels_match(xc, wc, g.group))
			return gr_node_error(ctx, n, "input has %lld channels, weight expects %lld x group %lld",
					     (long long)xc, (long long)wc, (long long)g.group);
		if (m.value >= 0 && m.value % g.group)
			return gr_node_error(ctx, n, "%lld output channels not divisible by group %lld",
					     (long long)m.value, (long long)g.group);
	}
	if (b && b->rank == 1 && m.value >= 0 && b->dims[0].value >= 0 && b->dims[0].value != m.value)
		return gr_node_error(ctx, n, "bias has %lld entries for %lld output channels",
				     (long long)b->dims[0].value, (long long)m.value);
	return conv_like_shape(ctx, n, x, &g, m, y, dt);
}

/* Cost: MACs = output elements x (C_in / group) x kernel volume, FLOPs = 2 x MACs,
 * plus one add per output element for the bias. Bytes = X, W, B read + Y written. */
void op_conv_cost(const gr_node *n, gr_cost *c)
{
	conv_io io = conv_inputs(n);
	gr_tensor *x = in_at(n, io.x), *w = in_at(n, io.w), *b = in_at(n, io.b), *y = gr_out(n, 0);
	int64_t oe = y ? gr_numel(y) : -1, kv, cin_g = -1;

	gr_cost_io_bytes(n, c);
	if (!x || !w || oe < 0 || x->rank < 3) {
		c->known = 0;
		return;
	}
	kv = kernel_volume(w, x->rank - 2, n);
	if (w->rank > 1 && w->dims[1].value >= 0)
		cin_g = w->dims[1].value;
	else if (x->dims[1].value >= 0)
		cin_g = x->dims[1].value / gr_attr_int(n, "group", 1);
	if (kv < 0 || cin_g < 0) {
		c->known = 0;
		return;
	}
	c->macs = (double)oe * (double)cin_g * (double)kv;
	c->flops = 2.0 * c->macs + (b ? (double)oe : 0.0);
	c->known = 1;
}

/* --- ConvTranspose ------------------------------------------------------------- */

gr_status op_conv_transpose_shape(gr_infer *ctx, gr_node *n)
{
	gr_tensor *x = gr_in(n, 0), *w = gr_in(n, 1), *y = gr_out(n, 0);
	conv_geom g;
	gr_dim dims[GR_MAX_RANK];
	int64_t opad[GR_MAX_RANK];
	size_t osc = 0;
	const int64_t *os;
	gr_status st;
	int nsp;

	if (!x || !w)
		return gr_node_error(ctx, n, "missing input 'X' or 'W'");
	if (gr_nothing_to_infer(x, y, x->dtype))
		return GR_OK;
	if ((st = conv_geom_read(ctx, n, x, w, &g)))
		return st;
	nsp = g.nsp;
	if ((st = gr_attr_ints_n(ctx, n, "output_padding", nsp, 0, opad)))
		return st;
	dims[0] = x->dims[0];
	dims[1].value = -1;
	dims[1].sym = NULL;
	if (w->rank > 1) {
		int64_t wc = w->dims[0].value, xc = x->dims[1].value;
		if (wc >= 0 && xc >= 0 && wc != xc)
			return gr_node_error(ctx, n, "input has %lld channels, weight expects %lld",
					     (long long)xc, (long long)wc);
		if (w->dims[1].value >= 0) {
			if (!gr_mul_i64(w->dims[1].value, g.group, &dims[1].value))
				return gr_node_error(ctx, n, "%lld output channels x group %lld overflow",
						     (long long)w->dims[1].value, (long long)g.group);
		} else if (g.group == 1) {
			dims[1] = w->dims[1];
		}
	}
	os = gr_attr_ints(n, "output_shape", &osc);
	if (os && osc && osc != (size_t)nsp && osc != (size_t)nsp + 2)
		return gr_node_error(ctx, n, "output_shape has %zu dims for %d spatial dims", osc, nsp);
	for (int i = 0; i < nsp; i++) {
		int64_t in = x->dims[i + 2].value, v = -1;

		if (os && osc) {
			v = os[osc - (size_t)nsp + (size_t)i];
		} else if (in >= 0) {
			if (g.k[i] >= 0) {
				int64_t keff, span, full, pads;
				if (!gr_mul_i64(g.k[i] - 1, g.d[i], &keff) || !gr_add_i64(keff, 1, &keff) ||
				    !gr_mul_i64(g.s[i], in - 1, &span) || !gr_mul_i64(in, g.s[i], &full) ||
				    !gr_add_i64(span, opad[i], &v) || !gr_add_i64(v, keff, &v) ||
				    !gr_add_i64(g.pads[i], g.pads[nsp + i], &pads))
					return gr_node_error(ctx, n, "output size overflows on spatial dim %d", i);
				/* SAME: pad so the output is in x stride; pads never go negative,
				 * so a kernel narrower than the stride leaves it smaller (onnxruntime) */
				if (!strcmp(g.auto_pad, "SAME_UPPER") || !strcmp(g.auto_pad, "SAME_LOWER")) {
					if (v > full)
						v = full;
				} else if (strcmp(g.auto_pad, "VALID") != 0 && !gr_sub_i64(v, pads, &v)) {
					return gr_node_error(ctx, n, "output size overflows on spatial dim %d", i);
				}
			}
		}
		if (in >= 0 && v != -1 && v < 0)
			return gr_node_error(ctx, n, "negative output size on spatial dim %d", i);
		dims[i + 2].value = v;
		dims[i + 2].sym = NULL;
	}
	return gr_set_dims(ctx, y, x->dtype, x->rank, dims);
}

/* Cost: MACs = input elements x (C_out / group) x kernel volume (each input pixel scatters
 * into a kernel window), FLOPs = 2 x MACs + one bias add per output element. */
void op_conv_transpose_cost(const gr_node *n, gr_cost *c)
{
	gr_tensor *x = gr_in(n, 0), *w = gr_in(n, 1), *b = gr_in(n, 2), *y = gr_out(n, 0);
	int64_t ie = x ? gr_numel(x) : -1, oe = y ? gr_numel(y) : -1, kv;

	gr_cost_io_bytes(n, c);
	if (!w || ie < 0 || oe < 0 || x->rank < 3 || w->rank < 2 || w->dims[1].value < 0 ||
	    (kv = kernel_volume(w, x->rank - 2, n)) < 0) {
		c->known = 0;
		return;
	}
	c->macs = (double)ie * (double)w->dims[1].value * (double)kv;
	c->flops = 2.0 * c->macs + (b ? (double)oe : 0.0);
	c->known = 1;
}

/* --- DeformConv (opset 19): X, W, offset, B, mask ------------------------------ */

gr_status op_deform_conv_shape(gr_infer *ctx, gr_node *n)
{
	gr_tensor *x = gr_in(n, 0), *w = gr_in(n, 1), *off = gr_in(n, 2), *y = gr_out(n, 0);
	conv_geom g;
	gr_dim m = {-1, NULL};
	gr_status st;

	if (!x || !w || !off)
		return gr_node_error(ctx, n, "missing input 'X', 'W' or 'offset'");
	if (gr_nothing_to_infer(x, y, x->dtype))
		return GR_OK;
	if ((st = conv_geom_read(ctx, n, x, w, &g)))
		return st;
	if (w->rank > 1) {
		int64_t wc = w->dims[1].value, xc = x->dims[1].value;
		m = w->dims[0];
		if (wc >= 0 && xc >= 0 && !channels_match(xc, wc, g.group))
			return gr_node_error(ctx, n, "input has %lld channels, weight expects %lld x group %lld",
					     (long long)xc, (long long)wc, (long long)g.group);
	}
	/* the offset's spatial dims are the output's: prefer them when the input's are unknown */
	st = conv_like_shape(ctx, n, x, &g, m, y, x->dtype);
	if (st == GR_OK && off->rank == x->rank)
		for (int i = 2; i < x->rank; i++)
			if (y->dims[i].value < 0 && off->dims[i].value >= 0)
				y->dims[i] = off->dims[i];
	return st;
}

/* Cost: the convolution's MACs (output elements x C_in/group x kernel volume, x2 FLOPs)
 * plus bilinear sampling, ~8 FLOPs per sampled input value (N x C_in x out pixels x kernel). */
void op_deform_conv_cost(const gr_node *n, gr_cost *c)
{
	gr_tensor *x = gr_in(n, 0), *w = gr_in(n, 1), *b = gr_in(n, 3), *y = gr_out(n, 0);
	int64_t oe = y ? gr_numel(y) : -1, kv, cin_g;
	double pix;

	gr_cost_io_bytes(n, c);
	if (!x || !w || oe < 0 || x->rank < 3 || w->rank < 2 || w->dims[1].value < 0 ||
	    y->dims[1].value <= 0 || x->dims[1].value < 0 ||
	    (kv = kernel_volume(w, x->rank - 2, n)) < 0) {
		c->known = 0;
		return;
	}
	cin_g = w->dims[1].value;
	pix = (double)oe / (double)y->dims[1].value; /* N x output spatial */
	c->macs = (double)oe * (double)cin_g * (double)kv;
	c->flops = 2.0 * c->macs + (b ? (double)oe : 0.0) +
		   8.0 * pix * (double)x->dims[1].value * (double)kv;
	c->known = 1;
}
