/* PyTorch FX frontend: handlers of pooling, resizing, padding and the modules that hold
 * parameters (convolutions, Linear, normalizations, PReLU, Embedding, MultiheadAttention);
 * see fx_read.h. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "frontends/fx_read.h"

/* --- pooling -------------------------------------------------------------------------- */

/* Spatial rank from a class or function name ending in 1d/2d/3d (2 otherwise). */
static int spatial_rank(const char *name)
{
	size_t l = strlen(name);
	if (l >= 2 && name[l - 1] == 'd' && name[l - 2] >= '1' && name[l - 2] <= '3')
		return name[l - 2] - '0';
	return 2;
}

/* Checks a window's kernel, stride and dilation (positive) and padding (not negative; NULL:
 * none): a dilated kernel, stride or padding above 2^40 is a corrupt file, and would overflow
 * the output-size arithmetic of the core. */
static gr_status check_window(fx_ctx *c, const fx_node *n, int nsp, const int64_t *k,
			      const int64_t *s, const int64_t *d, const int64_t *p)
{
	for (int i = 0; i < nsp; i++) {
		if (k[i] < 1 || s[i] < 1 || d[i] < 1 || (p && p[i] < 0))
			return fx_error(c, GR_ERR_FORMAT, "%s: kernel, stride and dilation must be "
					"positive", n->what);
		if (k[i] - 1 > FX_MAX_DIM / d[i] || s[i] > FX_MAX_DIM || (p && p[i] > FX_MAX_DIM))
			return fx_error(c, GR_ERR_FORMAT, "%s: kernel, stride, dilation or padding "
					"above 2^40", n->what);
	}
	return GR_OK;
}

/* Pool parameters from module attributes or function arguments. */
static gr_status pool_params(fx_ctx *c, fx_node *n, int nsp, int64_t *k, int64_t *s, int64_t *p,
			     int64_t *d, int *ceil_mode)
{
	const cJSON *attrs = cJSON_GetObjectItemCaseSensitive(n->j, "attrs");
	static const char *keys[] = {"kernel_size", "stride", "padding", "dilation", "ceil_mode"};
	int64_t *outs[] = {k, s, p, d};
	int64_t dflt[] = {1, -1, 0, 1};

	*ceil_mode = 0;
	if (!strcmp(n->op, "call_module")) {
		for (int i = 0; i < 4; i++)
			if (!fx_spread(attrs, keys[i], nsp, dflt[i], outs[i]))
				return fx_error(c, GR_ERR_FORMAT, "%s: bad attribute '%s'", n->what, keys[i]);
		*ceil_mode = fx_num_attr_i(attrs, "ceil_mode", 0) != 0;
	} else {
		for (int i = 0; i < 5; i++) {
			fx_val v;
			int64_t tmpv[GR_MAX_RANK];
			int m;
			TRY(fx_arg(c, n, i + 1, keys[i], &v, NULL));
			if (i == 4) {
				*ceil_mode = v.kind == V_NUM && v.i;
				break;
			}
			if (v.kind == V_NONE || (v.kind == V_LIST && !v.n)) {
				for (int j = 0; j < nsp; j++)
					outs[i][j] = dflt[i];
				continue;
			}
			if ((m = fx_ints_of(&v, tmpv, GR_MAX_RANK)) < 1 || (m != 1 && m != nsp))
				return fx_error(c, GR_ERR_FORMAT, "%s: bad argument '%s'", n->what, keys[i]);
			for (int j = 0; j < nsp; j++)
				outs[i][j] = tmpv[m == 1 ? 0 : j];
		}
	}
	for (int j = 0; j < nsp; j++)
		if (s[j] < 0)
			s[j] = k[j]; /* stride defaults to the kernel size */
	return check_window(c, n, nsp, k, s, d, p);
}

/* MaxPool / AvgPool modules and functions. */
gr_status fx_map_pool(fx_ctx *c, fx_node *n, const char *type)
{
	int nsp = spatial_rank(strcmp(n->op, "call_module") ? n->target : get_str(n->j, "module"));
	int64_t k[3], s[3], p[3], d[3], pads[6];
	int ceil_mode;
	gr_tensor *x, *y;
	gr_node *g;

	TRY(fx_input0(c, n, &x, NULL));
	TRY(pool_params(c, n, nsp, k, s, p, d, &ceil_mode));
	for (int i = 0; i < nsp; i++)
		pads[i] = pads[nsp + i] = p[i];
	y = fx_result(c, n);
	EMIT(g, type, n->name, (x), (y));
	if (!gr_node_set_ints(g, "kernel_shape", k, (size_t)nsp) || !gr_node_set_ints(g, "strides", s, (size_t)nsp) ||
	    !gr_node_set_ints(g, "pads", pads, 2 * (size_t)nsp))
		return oom(c);
	if (!strcmp(type, "MaxPool") && !gr_node_set_ints(g, "dilations", d, (size_t)nsp))
		return oom(c);
	gr_node_set_int(g, "ceil_mode", ceil_mode);
	return GR_OK;
}

/* Adaptive pooling: output 1 -> the global pool; otherwise a fixed pool whose stride and
 * kernel give the requested size from the input size FX recorded. */
gr_status fx_map_adaptive(fx_ctx *c, fx_node *n, const char *type)
{
	int module = !strcmp(n->op, "call_module");
	int nsp = spatial_rank(module ? get_str(n->j, "module") : n->target);
	int64_t os[3], in[GR_MAX_RANK], k[3], s[3];
	int rank, all_one = 1, max = strstr(type, "Max") != NULL;
	fx_val xv, ov;
	gr_tensor *y;
	gr_node *g;
	const cJSON *in_shape = NULL;

	TRY(fx_arg(c, n, 0, "input", &xv, NULL));
	if (xv.kind != V_TENSOR)
		return fx_error(c, GR_ERR_FORMAT, "%s: needs a tensor input", n->what);
	if (module) {
		if (!fx_spread(cJSON_GetObjectItemCaseSensitive(n->j, "attrs"), "output_size", nsp, -1, os))
			return fx_placeholder(c, n, get_str(n->j, "module"));
	} else {
		TRY(fx_arg(c, n, 1, "output_size", &ov, NULL));
		if (fx_ints_of(&ov, os, 3) == 1)
			for (int i = 1; i < nsp; i++)
				os[i] = os[0];
		else if (fx_ints_of(&ov, os, 3) != nsp)
			return fx_placeholder(c, n, n->target);
	}
	for (int i = 0; i < nsp; i++)
		all_one &= os[i] == 1;
	y = fx_result(c, n);
	if (all_one) {
		EMIT(g, max ? "GlobalMaxPool" : "GlobalAveragePool", n->name, (xv.t), (y));
		return GR_OK;
	}
	/* the input's spatial size, from the producer's recorded shape */
	in_shape = xv.shape;
	if (!in_shape || fx_read_shape(c, in_shape, n->what, in, &rank) || rank != nsp + 2)
		return fx_placeholder(c, n, module ? get_str(n->j, "module") : n->target);
	for (int i = 0; i < nsp; i++) {
		int64_t o = os[i] < 0 ? in[2 + i] : os[i];
		if (o < 1 || o > in[2 + i])
			return fx_placeholder(c, n, module ? get_str(n->j, "module") : n->target);
		s[i] = in[2 + i] / o;
		k[i] = in[2 + i] - (o - 1) * s[i];
	}
	EMIT(g, max ? "MaxPool" : "AveragePool", n->name, (xv.t), (y));
	if (!gr_node_set_ints(g, "kernel_shape", k, (size_t)nsp) || !gr_node_set_ints(g, "strides", s, (size_t)nsp))
		return oom(c);
	return GR_OK;
}

/* F.interpolate / nn.Upsample: Resize with sizes or scales on the spatial axes. */
gr_status fx_map_resize(fx_ctx *c, fx_node *n, const char *type)
{
	int module = !strcmp(n->op, "call_module");
	const cJSON *attrs = cJSON_GetObjectItemCaseSensitive(n->j, "attrs");
	fx_val size, scale, mode;
	int64_t sz[3], axes[3];
	double sc[3];
	int rank, nsp, ks;
	gr_tensor *x, *y, *sizes = NULL, *scales = NULL;
	const char *m = "nearest";
	gr_node *g;

	(void)type;
	TRY(fx_input0(c, n, &x, &rank));
	if (module) {
		TRY(fx_to_val(c, n, cJSON_GetObjectItemCaseSensitive(attrs, "size"), 0, &size));
		TRY(fx_to_val(c, n, cJSON_GetObjectItemCaseSensitive(attrs, "scale_factor"), 0, &scale));
		TRY(fx_to_val(c, n, cJSON_GetObjectItemCaseSensitive(attrs, "mode"), 0, &mode));
	} else {
		TRY(fx_arg(c, n, 1, "size", &size, NULL));
		TRY(fx_arg(c, n, 2, "scale_factor", &scale, NULL));
		TRY(fx_arg(c, n, 3, "mode", &mode, NULL));
	}
	nsp = rank - 2;
	if (nsp < 1 || nsp > 3)
		return fx_placeholder(c, n, n->target);
	for (int i = 0; i < nsp; i++)
		axes[i] = 2 + i;
	if (mode.kind == V_STR)
		m = !strcmp(mode.s, "nearest") || !strcmp(mode.s, "nearest-exact") ? "nearest"
		  : !strcmp(mode.s, "bicubic") ? "cubic" : "linear";
	if ((ks = fx_ints_of(&size, sz, 3)) > 0) {
		for (int i = ks; i < nsp; i++)
			sz[i] = sz[0];
		if (!(sizes = cst_i64(c, nm(c, n, "/sizes"), sz, nsp, 0)))
			return oom(c);
	} else if (scale.kind == V_NUM || scale.kind == V_LIST) {
		for (int i = 0; i < nsp; i++) {
			const fx_val *e = scale.kind == V_NUM ? &scale : i < (int)scale.n ? &scale.items[i]
							   : &scale.items[0];
			if (e->kind != V_NUM)
				return fx_placeholder(c, n, n->target);
			sc[i] = e->num;
		}
		if (!(scales = tmp(c, n->name, "/scales")) ||
		    gr_tensor_set_shape(c->g, scales, GR_DTYPE_FLOAT, 1, &(gr_dim){nsp, NULL}) ||
		    gr_tensor_set_f64(c->g, scales, sc, nsp))
			return oom(c);
	} else {
		return fx_placeholder(c, n, n->target);
	}
	y = fx_result(c, n);
	EMIT(g, "Resize", n->name, (x, NULL, scales, sizes), (y));
	gr_node_set_str(g, "mode", m);
	return gr_node_set_ints(g, "axes", axes, (size_t)nsp) ? GR_OK : oom(c);
}

/* F.pad(x, pad, mode, value): pairs from the last dim backwards. */
gr_status fx_map_pad(fx_ctx *c, fx_node *n, const char *type)
{
	fx_val p, mode;
	int64_t v[2 * GR_MAX_RANK], pads[2 * GR_MAX_RANK];
	int rank, k;
	gr_tensor *x, *y, *tp;
	gr_node *g;

	(void)type;
	TRY(fx_input0(c, n, &x, &rank));
	TRY(fx_arg(c, n, 1, "pad", &p, NULL));
	TRY(fx_arg(c, n, 2, "mode", &mode, NULL));
	if ((k = fx_ints_of(&p, v, 2 * GR_MAX_RANK)) < 0 || k % 2 || rank < k / 2)
		return fx_placeholder(c, n, n->target);
	for (int i = 0; i < 2 * rank; i++)
		pads[i] = 0;
	for (int i = 0; i < k / 2; i++) {
		pads[rank - 1 - i] = v[2 * i];
		pads[2 * rank - 1 - i] = v[2 * i + 1];
	}
	if (!(tp = cst_i64(c, nm(c, n, "/pads"), pads, 2 * rank, 0)))
		return oom(c);
	y = fx_result(c, n);
	EMIT(g, "Pad", n->name, (x, tp), (y));
	gr_node_set_str(g, "mode", mode.kind == V_STR && !strcmp(mode.s, "reflect") ? "reflect"
		       : mode.kind == V_STR && !strcmp(mode.s, "replicate") ? "edge" : "constant");
	return GR_OK;
}

/* --- modules with parameters ---------------------------------------------------------- */

/* Shape of parameter `key` of the module (from "params", or "buffers"); rank -1 if absent. */
static int pshape(fx_ctx *c, const fx_node *n, const char *key, int64_t *dims)
{
	const cJSON *p = cJSON_GetObjectItemCaseSensitive(n->j, "params"), *s;
	int rank;
	gr_error keep;

	s = cJSON_GetObjectItemCaseSensitive(p, key);
	if (!s)
		s = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(n->j, "buffers"), key);
	if (!s)
		return -1;
	if (c->err)
		keep = *c->err;
	if (fx_read_shape(c, s, n->what, dims, &rank)) {
		if (c->err)
			*c->err = keep;
		return -2;
	}
	return rank;
}

/* The initializer for the module's parameter `key` ("<target>.<key>"), or NULL when the
 * module has no such parameter; *bad is set when it is malformed. */
static gr_tensor *mparam(fx_ctx *c, const fx_node *n, const char *key, int *bad)
{
	int64_t dims[GR_MAX_RANK];
	int rank = pshape(c, n, key, dims);
	char name[512];
	gr_tensor *t;

	if (rank == -2)
		*bad = 1;
	if (rank < 0)
		return NULL;
	snprintf(name, sizeof(name), "%.400s.%.64s", n->target, key);
	if (!(t = fx_param(c, name, dims, rank, GR_DTYPE_FLOAT)))
		*bad = 2;
	return t;
}

static gr_status bad_params(fx_ctx *c, const fx_node *n, int bad)
{
	return bad == 2 ? oom(c)
			: fx_error(c, GR_ERR_FORMAT, "%s: malformed parameter shapes", n->what);
}

/* The module's weight and bias initializers (NULL when it has none); an error when malformed. */
static gr_status weight_bias(fx_ctx *c, const fx_node *n, gr_tensor **w, gr_tensor **b)
{
	int bad = 0;

	*w = mparam(c, n, "weight", &bad);
	*b = mparam(c, n, "bias", &bad);
	return bad ? bad_params(c, n, bad) : GR_OK;
}

/* Conv1d/2d/3d and ConvTranspose: ONNX Conv/ConvTranspose on the module's weight. */
gr_status fx_map_conv(fx_ctx *c, fx_node *n, const char *type)
{
	const cJSON *attrs = cJSON_GetObjectItemCaseSensitive(n->j, "attrs");
	int nsp = spatial_rank(get_str(n->j, "module")), transposed = !strcmp(type, "ConvTranspose");
	int64_t k[3], s[3], p[6], d[3], op[3], groups = fx_num_attr_i(attrs, "groups", 1);
	const char *pad_str = get_str(attrs, "padding");
	gr_tensor *x, *w, *b, *y;
	gr_node *g;

	TRY(fx_input0(c, n, &x, NULL));
	TRY(weight_bias(c, n, &w, &b));
	if (!w || w->rank != nsp + 2)
		return fx_error(c, GR_ERR_FORMAT, "%s: %s needs a weight of rank %d", n->what,
				get_str(n->j, "module"), nsp + 2);
	if (!fx_spread(attrs, "kernel_size", nsp, 1, k) || !fx_spread(attrs, "stride", nsp, 1, s) ||
	    !fx_spread(attrs, "dilation", nsp, 1, d) || !fx_spread(attrs, "output_padding", nsp, 0, op) ||
	    (!pad_str && !fx_spread(attrs, "padding", nsp, 0, p)))
		return fx_error(c, GR_ERR_FORMAT, "%s: bad convolution attributes", n->what);
	for (int i = 0; i < nsp; i++) {
		p[nsp + i] = p[i];
		if (transposed && (op[i] < 0 || op[i] > FX_MAX_DIM))
			return fx_error(c, GR_ERR_FORMAT, "%s: output_padding out of range", n->what);
	}
	TRY(check_window(c, n, nsp, k, s, d, pad_str ? NULL : p));
	if (groups < 1)
		return fx_error(c, GR_ERR_FORMAT, "%s: groups must be positive", n->what);
	y = fx_result(c, n);
	EMIT(g, type, n->name, (x, w, b), (y));
	if (!gr_node_set_ints(g, "kernel_shape", k, (size_t)nsp) || !gr_node_set_ints(g, "strides", s, (size_t)nsp) ||
	    !gr_node_set_ints(g, "dilations", d, (size_t)nsp))
		return oom(c);
	if (pad_str)
		gr_node_set_str(g, "auto_pad", !strcmp(pad_str, "same") ? "SAME_UPPER" : "VALID");
	else if (!gr_node_set_ints(g, "pads", p, 2 * (size_t)nsp))
		return oom(c);
	if (transposed && !gr_node_set_ints(g, "output_padding", op, (size_t)nsp))
		return oom(c);
	gr_node_set_int(g, "group", groups);
	return GR_OK;
}

/* Linear: Gemm for 2-D inputs, MatMul (+ Add) with the transposed weight otherwise. */
gr_status fx_map_linear(fx_ctx *c, fx_node *n, const char *type)
{
	int bad = 0, rank;
	int64_t dims[GR_MAX_RANK];
	gr_tensor *x, *w, *b, *y;
	gr_node *g;

	(void)type;
	TRY(fx_input0(c, n, &x, &rank));
	b = mparam(c, n, "bias", &bad);
	if (bad || pshape(c, n, "weight", dims) != 2)
		return bad ? bad_params(c, n, bad)
			   : fx_error(c, GR_ERR_FORMAT, "%s: Linear needs a 2-D weight", n->what);
	y = fx_result(c, n);
	if (rank == 2) {
		if (!(w = mparam(c, n, "weight", &bad)))
			return bad_params(c, n, bad ? bad : 2);
		EMIT(g, "Gemm", n->name, (x, w, b), (y));
		gr_node_set_int(g, "transB", 1);
		return GR_OK;
	} else {
		char name[512];
		int64_t t[2] = {dims[1], dims[0]};
		gr_tensor *mm = b ? tmp(c, n->name, "/matmul") : y;
		snprintf(name, sizeof(name), "%.400s.weight^T", n->target);
		if (!(w = fx_param(c, name, t, 2, GR_DTYPE_FLOAT)))
			return oom(c);
		EMIT(g, "MatMul", b ? nm(c, n, "/matmul") : n->name, (x, w), (mm));
		if (b)
			EMIT(g, "Add", n->name, (mm, b), (y));
	}
	return GR_OK;
}

/* A [C] tensor of ones/zeros for normalizations without affine parameters (produced by a
 * node, so never a parameter). */
static gr_tensor *filler(fx_ctx *c, fx_node *n, const char *suffix, int64_t ch)
{
	gr_tensor *t = tmp(c, n->name, suffix);
	gr_node *g = t ? fe_emit(c->g, "ConstantOfShape", nm(c, n, suffix),
			      T(cst_i64(c, nm(c, n, "/channels"), &ch, 1, 0)), 1, T(t), 1) : NULL;
	return g && g->in[0] ? t : NULL;
}

gr_status fx_map_batchnorm(fx_ctx *c, fx_node *n, const char *type)
{
	const cJSON *attrs = cJSON_GetObjectItemCaseSensitive(n->j, "attrs");
	int64_t ch = fx_num_attr_i(attrs, "num_features", -1);
	int bad = 0;
	gr_tensor *x, *y, *in[5];
	const char *keys[] = {NULL, "weight", "bias", "running_mean", "running_var"};
	gr_node *g;

	TRY(fx_input0(c, n, &x, NULL));
	for (int i = 1; i < 5; i++) {
		in[i] = mparam(c, n, keys[i], &bad);
		if (!in[i] && !bad) {
			if (ch < 1 || ch > FX_MAX_DIM)
				return fx_error(c, GR_ERR_FORMAT, "%s: bad num_features", n->what);
			if (!(in[i] = filler(c, n, i == 1 || i == 4 ? "/ones" : "/zeros", ch)))
				return oom(c);
		}
	}
	if (bad)
		return bad_params(c, n, bad);
	y = fx_result(c, n);
	EMIT(g, type, n->name, (x, in[1], in[2], in[3], in[4]), (y));
	gr_node_set_float(g, "epsilon", fx_num_attr(attrs, "eps", 1e-5));
	return GR_OK;
}

/* LayerNorm, GroupNorm, InstanceNorm. */
gr_status fx_map_norm(fx_ctx *c, fx_node *n, const char *type)
{
	const cJSON *attrs = cJSON_GetObjectItemCaseSensitive(n->j, "attrs");
	gr_tensor *x, *y, *w, *b;
	gr_node *g;

	TRY(fx_input0(c, n, &x, NULL));
	TRY(weight_bias(c, n, &w, &b));
	if (!w) {
		int64_t ch = fx_num_attr_i(attrs, !strcmp(type, "GroupNormalization") ? "num_channels"
						   : "num_features", 1);
		const cJSON *ns = cJSON_GetObjectItemCaseSensitive(attrs, "normalized_shape");
		if (cJSON_IsArray(ns) && cJSON_GetArraySize(ns) > 0)
			ch = fx_to_i64(cJSON_GetArrayItem(ns, cJSON_GetArraySize(ns) - 1)->valuedouble);
		if (ch < 1 || ch > FX_MAX_DIM || !(w = filler(c, n, "/ones", ch)))
			return ch < 1 || ch > FX_MAX_DIM ? fx_error(c, GR_ERR_FORMAT, "%s: bad channels",
								   n->what) : oom(c);
	}
	y = fx_result(c, n);
	EMIT(g, type, n->name, (x, w, b), (y));
	gr_node_set_float(g, "epsilon", fx_num_attr(attrs, "eps", 1e-5));
	if (!strcmp(type, "LayerNormalization")) {
		const cJSON *ns = cJSON_GetObjectItemCaseSensitive(attrs, "normalized_shape");
		gr_node_set_int(g, "axis", -(int64_t)(cJSON_IsArray(ns) && cJSON_GetArraySize(ns) ? cJSON_GetArraySize(ns) : 1));
	} else if (!strcmp(type, "GroupNormalization")) {
		gr_node_set_int(g, "num_groups", fx_num_attr_i(attrs, "num_groups", 1));
	}
	return GR_OK;
}

gr_status fx_map_prelu(fx_ctx *c, fx_node *n, const char *type)
{
	int bad = 0;
	gr_tensor *x, *w, *y;
	gr_node *g;

	int rank;
	int64_t dims[GR_MAX_RANK];
	char name[512];

	(void)type;
	TRY(fx_input0(c, n, &x, &rank));
	if (pshape(c, n, "weight", dims) != 1)
		return fx_error(c, GR_ERR_FORMAT, "%s: PReLU needs a 1-D weight", n->what);
	/* one slope per channel (dim 1): [C, 1, ...] so that it broadcasts from the right */
	for (int i = 1; dims[0] > 1 && i < rank - 1; i++)
		dims[i] = 1;
	snprintf(name, sizeof(name), "%.400s.weight", n->target);
	if (!(w = fx_param(c, name, dims, dims[0] > 1 && rank > 2 ? rank - 1 : 1, GR_DTYPE_FLOAT)))
		return oom(c);
	(void)bad;
	y = fx_result(c, n);
	EMIT(g, "PRelu", n->name, (x, w), (y));
	return GR_OK;
}

gr_status fx_map_embedding(fx_ctx *c, fx_node *n, const char *type)
{
	int bad = 0;
	gr_tensor *x, *w, *y;
	gr_node *g;

	(void)type;
	TRY(fx_input0(c, n, &x, NULL));
	if (!(w = mparam(c, n, "weight", &bad)))
		return bad ? bad_params(c, n, bad) : fx_error(c, GR_ERR_FORMAT, "%s: no weight", n->what);
	y = fx_result(c, n);
	EMIT(g, "Gather", n->name, (w, x), (y));
	gr_node_set_int(g, "axis", 0);
	return GR_OK;
}

gr_status fx_map_module_act(fx_ctx *c, fx_node *n, const char *type)
{
	const cJSON *attrs = cJSON_GetObjectItemCaseSensitive(n->j, "attrs");

	if (!strcmp(type, "Hardtanh")) {
		gr_tensor *x;
		fx_val lo = {.kind = V_NUM, .num = fx_num_attr(attrs, "min_val", -1)};
		fx_val hi = {.kind = V_NUM, .num = fx_num_attr(attrs, "max_val", 1)};
		TRY(fx_input0(c, n, &x, NULL));
		return fx_clip(c, n, x, &lo, &hi);
	}
	if (!strcmp(type, "Elu") || !strcmp(type, "Celu")) {
		gr_status st = fx_map_unary(c, n, type);
		if (!st)
			gr_node_set_float(gr_graph_node(c->g, c->g->n_nodes - 1), "alpha", fx_num_attr(attrs, "alpha", 1));
		return st;
	}
	return fx_map_unary(c, n, type);
}

/* MultiheadAttention: projections, per-head scaled dot products, softmax, output
 * projection, as ONNX exports it. Outputs (attn_output, attn_weights or None). */
gr_status fx_map_mha(fx_ctx *c, fx_node *n, const char *type)
{
	const cJSON *attrs = cJSON_GetObjectItemCaseSensitive(n->j, "attrs");
	int64_t e = fx_num_attr_i(attrs, "embed_dim", -1), h = fx_num_attr_i(attrs, "num_heads", -1);
	int batch_first = fx_num_attr_i(attrs, "batch_first", 0) != 0, bad = 0;
	fx_val q, k, v;
	gr_tensor *proj[3], *heads[3], *outs[2], *w, *bias;
	const cJSON *recorded = cJSON_GetObjectItemCaseSensitive(n->j, "outputs");
	int64_t hd, split4[4], back3[3] = {0, 0, 0}, dims[GR_MAX_RANK];
	static const int64_t P_BF[] = {0, 2, 1, 3}, P_SF[] = {1, 2, 0, 3}, P_SF_BACK[] = {2, 0, 1, 3};
	static const int64_t P_KT[] = {0, 1, 3, 2};
	static const char *names[] = {"q", "k", "v"};
	gr_node *g;

	(void)type;
	TRY(fx_arg(c, n, 0, "query", &q, NULL));
	TRY(fx_arg(c, n, 1, "key", &k, NULL));
	TRY(fx_arg(c, n, 2, "value", &v, NULL));
	if (q.kind != V_TENSOR || k.kind != V_TENSOR || v.kind != V_TENSOR || e < 1 || h < 1 ||
	    e % h || e > FX_MAX_DIM || !cJSON_IsArray(recorded) || cJSON_GetArraySize(recorded) != 2)
		return fx_placeholder(c, n, "MultiheadAttention");
	hd = e / h;
	TRY(fx_results(c, n, 2, outs));
	/* input projections: one fused MatMul when q, k and v are one tensor */
	if (q.t == k.t && k.t == v.t && pshape(c, n, "in_proj_weight", dims) == 2) {
		char name[512];
		int64_t wt[2] = {dims[1], dims[0]};
		gr_tensor *qkv = tmp(c, n->name, "/qkv"), *b = mparam(c, n, "in_proj_bias", &bad);
		snprintf(name, sizeof(name), "%.400s.in_proj_weight^T", n->target);
		if (bad || !(w = fx_param(c, name, wt, 2, GR_DTYPE_FLOAT)))
			return bad_params(c, n, bad ? bad : 2);
		EMIT(g, "MatMul", nm(c, n, "/in_proj"), (q.t, w), (qkv));
		if (b) {
			gr_tensor *qb = tmp(c, n->name, "/qkv_bias");
			EMIT(g, "Add", nm(c, n, "/in_proj_bias"), (qkv, b), (qb));
			qkv = qb;
		}
		if (!(g = gr_graph_add_node(c->g, "Split", "", nm(c, n, "/split"), 1, 3, FE_NODE_ATTRS)))
			return oom(c);
		g->in[0] = qkv;
		gr_node_set_int(g, "axis", -1);
		gr_node_set_int(g, "num_outputs", 3);
		for (int i = 0; i < 3; i++)
			if (!(g->out[i] = proj[i] = tmp(c, n->name, i == 0 ? "/q" : i == 1 ? "/k" : "/v")))
				return oom(c);
	} else {
		const fx_val *src[3] = {&q, &k, &v};
		int packed = pshape(c, n, "in_proj_weight", dims) == 2;
		for (int i = 0; i < 3; i++) {
			char name[512], key[32];
			int64_t wt[2], rows;
			gr_tensor *p = tmp(c, n->name, i == 0 ? "/q" : i == 1 ? "/k" : "/v");
			if (packed) {
				wt[0] = dims[1];
				wt[1] = dims[0] / 3;
				snprintf(name, sizeof(name), "%.400s.in_proj_weight[%s]^T", n->target, names[i]);
			} else {
				snprintf(key, sizeof(key), "%s_proj_weight", names[i]);
				if (pshape(c, n, key, dims) != 2)
					return fx_error(c, GR_ERR_FORMAT, "%s: no %s", n->what, key);
				wt[0] = dims[1];
				wt[1] = dims[0];
				snprintf(name, sizeof(name), "%.400s.%s^T", n->target, key);
			}
			if (!p || !(w = fx_param(c, name, wt, 2, GR_DTYPE_FLOAT)))
				return oom(c);
			snprintf(key, sizeof(key), "/%s_proj", names[i]);
			EMIT(g, "MatMul", nm(c, n, key), (src[i]->t, w), (p));
			rows = e;
			snprintf(name, sizeof(name), "%.400s.in_proj_bias[%s]", n->target, names[i]);
			if (pshape(c, n, "in_proj_bias", dims) == 1) {
				gr_tensor *pb = tmp(c, n->name, i == 0 ? "/q_bias" : i == 1 ? "/k_bias" : "/v_bias");
				if (!(bias = fx_param(c, name, &rows, 1, GR_DTYPE_FLOAT)))
					return oom(c);
				snprintf(key, sizeof(key), "/%s_bias", names[i]);
				EMIT(g, "Add", nm(c, n, key), (p, bias), (pb));
				p = pb;
			}
			proj[i] = p;
		}
	}
	/* heads: [.., .., E] -> [B, H, S, D] */
	split4[0] = 0;
	split4[1] = 0;
	split4[2] = h;
	split4[3] = hd;
	for (int i = 0; i < 3; i++) {
		char suf[32];
		gr_tensor *r = tmp(c, proj[i]->name, "/heads"), *tt = tmp(c, proj[i]->name, "/bhsd");
		snprintf(suf, sizeof(suf), "/%s_heads", names[i]);
		EMIT(g, "Reshape", nm(c, n, suf), (proj[i], cst_i64(c, nm(c, n, "/heads_shape"), split4, 4, 0)),
		     (r));
		if (!g->in[1])
			return oom(c);
		snprintf(suf, sizeof(suf), "/%s_bhsd", names[i]);
		EMIT(g, "Transpose", nm(c, n, suf), (r), (tt));
		if (!gr_node_set_ints(g, "perm", batch_first ? P_BF : P_SF, 4))
			return oom(c);
		heads[i] = tt;
	}
	{
		gr_tensor *qs = tmp(c, n->name, "/q_scaled"), *kt = tmp(c, n->name, "/k_t");
		gr_tensor *scores = tmp(c, n->name, "/scores"), *attn = tmp(c, n->name, "/attn");
		gr_tensor *ctx = tmp(c, n->name, "/context"), *ctx_t = tmp(c, n->name, "/context_t");
		gr_tensor *ctx_r = tmp(c, n->name, "/context_r"), *mm = tmp(c, n->name, "/out_proj");
		gr_tensor *wo, *bo;
		int64_t wod[GR_MAX_RANK];
		char name[512];

		EMIT(g, "Div", nm(c, n, "/scale"), (heads[0], cst_f(c, nm(c, n, "/sqrt_d"), sqrt((double)hd))),
		     (qs));
		EMIT(g, "Transpose", nm(c, n, "/k_t"), (heads[1]), (kt));
		if (!g->in[0] || !gr_node_set_ints(g, "perm", P_KT, 4))
			return oom(c);
		EMIT(g, "MatMul", nm(c, n, "/scores"), (qs, kt), (scores));
		EMIT(g, "Softmax", nm(c, n, "/softmax"), (scores), (attn));
		gr_node_set_int(g, "axis", -1);
		EMIT(g, "MatMul", nm(c, n, "/context"), (attn, heads[2]), (ctx));
		EMIT(g, "Transpose", nm(c, n, "/context_t"), (ctx), (ctx_t));
		if (!gr_node_set_ints(g, "perm", batch_first ? P_BF : P_SF_BACK, 4))
			return oom(c);
		back3[2] = e;
		EMIT(g, "Reshape", nm(c, n, "/context_r"), (ctx_t, cst_i64(c, nm(c, n, "/merge_shape"), back3, 3, 0)),
		     (ctx_r));
		if (!g->in[1] || pshape(c, n, "out_proj.weight", wod) != 2)
			return g->in[1] ? fx_error(c, GR_ERR_FORMAT, "%s: no out_proj.weight", n->what) : oom(c);
		snprintf(name, sizeof(name), "%.400s.out_proj.weight^T", n->target);
		if (!(wo = fx_param(c, name, (int64_t[]){wod[1], wod[0]}, 2, GR_DTYPE_FLOAT)))
			return oom(c);
		bo = mparam(c, n, "out_proj.bias", &bad);
		if (bad)
			return bad_params(c, n, bad);
		EMIT(g, "MatMul", nm(c, n, "/out_proj"), (ctx_r, wo), (bo ? mm : outs[0]));
		if (bo)
			EMIT(g, "Add", n->name, (mm, bo), (outs[0]));
		if (cJSON_IsNull(cJSON_GetArrayItem(recorded, 1))) {
			n->val.items[1].kind = V_NONE;
		} else {
			int64_t one = 1;
			EMIT(g, "ReduceMean", nm(c, n, "/weights"),
			     (attn, cst_i64(c, nm(c, n, "/heads_axis"), &one, 1, 0)), (outs[1]));
			gr_node_set_int(g, "keepdims", 0);
			if (!g->in[1])
				return oom(c);
		}
	}
	return GR_OK;
}

