/* PyTorch FX frontend: handlers of elementwise functions and activations, reductions,
 * matrix products and functional linear/layer_norm/einsum (see fx_read.h). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "frontends/fx_read.h"

/* y = type(x) */
gr_status fx_map_unary(fx_ctx *c, fx_node *n, const char *type)
{
	gr_tensor *x, *y;
	gr_node *g;

	TRY(fx_input0(c, n, &x, NULL));
	y = fx_result(c, n);
	EMIT(g, type, n->name, (x), (y));
	return GR_OK;
}

gr_status fx_map_identity(fx_ctx *c, fx_node *n, const char *type)
{
	(void)type;
	return fx_map_unary(c, n, "Identity");
}

/* Nodes whose value nothing uses (torch._assert). */
gr_status fx_map_none(fx_ctx *c, fx_node *n, const char *type)
{
	(void)c;
	(void)type;
	n->val.kind = V_NONE;
	return GR_OK;
}

/* Python arithmetic on plain numbers (sizes FX recorded as numbers). */
static int py_arith(const char *op, const fx_val *a, const fx_val *b, fx_val *r)
{
	double x = a->num, y = b->num, z;
	int ints = a->is_int && b->is_int, cmp = 0;

	if (!strcmp(op, "Add")) z = x + y;
	else if (!strcmp(op, "Sub")) z = x - y;
	else if (!strcmp(op, "Mul")) z = x * y;
	else if (!strcmp(op, "Div")) { z = y != 0 ? x / y : NAN; ints = 0; }
	else if (!strcmp(op, "FloorDiv")) z = y != 0 ? floor(x / y) : NAN;
	else if (!strcmp(op, "Mod")) z = y != 0 ? x - floor(x / y) * y : NAN;
	else if (!strcmp(op, "Pow")) z = pow(x, y);
	else if (!strcmp(op, "Equal")) { z = x == y; cmp = 1; }
	else if (!strcmp(op, "NotEqual")) { z = x != y; cmp = 1; }
	else if (!strcmp(op, "Less")) { z = x < y; cmp = 1; }
	else if (!strcmp(op, "LessOrEqual")) { z = x <= y; cmp = 1; }
	else if (!strcmp(op, "Greater")) { z = x > y; cmp = 1; }
	else if (!strcmp(op, "GreaterOrEqual")) { z = x >= y; cmp = 1; }
	else return 0;
	memset(r, 0, sizeof(*r));
	r->kind = V_NUM;
	r->num = z;
	r->is_int = (ints || cmp) && isfinite(z) && fabs(z) < 9e15;
	r->i = r->is_int ? (int64_t)z : 0;
	return 1;
}

/* y = a OP b with broadcasting; FloorDiv and NotEqual take two nodes. */
gr_status fx_map_binary(fx_ctx *c, fx_node *n, const char *type)
{
	fx_val a, b;
	gr_tensor *ta, *tb, *y;
	gr_node *g;
	int pa, pb;

	TRY(fx_arg(c, n, 0, "input", &a, &pa));
	TRY(fx_arg(c, n, 1, "other", &b, &pb));
	if (!pb && !strcmp(type, "Pow"))
		TRY(fx_arg(c, n, 1, "exponent", &b, &pb));
	if (a.kind == V_NUM && b.kind == V_NUM && py_arith(type, &a, &b, &n->val))
		return GR_OK;
	ta = fx_tensor_of(c, n, &a);
	tb = fx_tensor_of(c, n, &b);
	if (!ta || !tb)
		return fx_error(c, GR_ERR_FORMAT, "%s (%s): needs two tensors or numbers", n->what,
				n->target);
	y = fx_result(c, n);
	if (!strcmp(type, "FloorDiv") || !strcmp(type, "NotEqual")) {
		gr_tensor *t = tmp(c, n->name, "/0");
		EMIT(g, !strcmp(type, "FloorDiv") ? "Div" : "Equal", nm(c, n, "/0"), (ta, tb), (t));
		EMIT(g, !strcmp(type, "FloorDiv") ? "Floor" : "Not", n->name, (t), (y));
		return GR_OK;
	}
	EMIT(g, type, n->name, (ta, tb), (y));
	return GR_OK;
}

/* Clip with constant bounds: relu6, hardtanh, clamp. */
gr_status fx_clip(fx_ctx *c, fx_node *n, gr_tensor *x, const fx_val *lo, const fx_val *hi)
{
	gr_tensor *y = fx_result(c, n), *tl = NULL, *th = NULL;
	gr_node *g;

	if (lo && lo->kind == V_NUM && !(tl = cst_f(c, nm(c, n, "/min"), lo->num)))
		return oom(c);
	if (lo && lo->kind == V_TENSOR)
		tl = lo->t;
	if (hi && hi->kind == V_NUM && !(th = cst_f(c, nm(c, n, "/max"), hi->num)))
		return oom(c);
	if (hi && hi->kind == V_TENSOR)
		th = hi->t;
	EMIT(g, "Clip", n->name, (x, tl, th), (y));
	return GR_OK;
}

gr_status fx_map_clamp(fx_ctx *c, fx_node *n, const char *type)
{
	gr_tensor *x;
	fx_val lo, hi;
	(void)type;
	TRY(fx_input0(c, n, &x, NULL));
	TRY(fx_arg(c, n, 1, "min", &lo, NULL));
	TRY(fx_arg(c, n, 2, "max", &hi, NULL));
	return fx_clip(c, n, x, &lo, &hi);
}

gr_status fx_map_relu6(fx_ctx *c, fx_node *n, const char *type)
{
	gr_tensor *x;
	fx_val lo = {.kind = V_NUM, .num = 0}, hi = {.kind = V_NUM, .num = 6};
	(void)type;
	TRY(fx_input0(c, n, &x, NULL));
	return fx_clip(c, n, x, &lo, &hi);
}

/* SiLU = x * sigmoid(x) (as ONNX exports it). */
static gr_status silu(fx_ctx *c, fx_node *n, gr_tensor *x)
{
	gr_tensor *s = tmp(c, n->name, "/sigmoid"), *y = fx_result(c, n);
	gr_node *g;
	EMIT(g, "Sigmoid", nm(c, n, "/sigmoid"), (x), (s));
	EMIT(g, "Mul", n->name, (x, s), (y));
	return GR_OK;
}

gr_status fx_map_silu(fx_ctx *c, fx_node *n, const char *type)
{
	gr_tensor *x;
	(void)type;
	TRY(fx_input0(c, n, &x, NULL));
	return silu(c, n, x);
}

gr_status fx_map_hardsigmoid(fx_ctx *c, fx_node *n, const char *type)
{
	gr_tensor *x, *y;
	gr_node *g;
	(void)type;
	TRY(fx_input0(c, n, &x, NULL));
	y = fx_result(c, n);
	EMIT(g, "HardSigmoid", n->name, (x), (y));
	gr_node_set_float(g, "alpha", 1.0 / 6.0);
	gr_node_set_float(g, "beta", 0.5);
	return GR_OK;
}

gr_status fx_map_gelu(fx_ctx *c, fx_node *n, const char *type)
{
	gr_tensor *x, *y;
	gr_node *g;
	fx_val ap;
	const char *mod = get_str(cJSON_GetObjectItemCaseSensitive(n->j, "attrs"), "approximate");
	(void)type;
	TRY(fx_input0(c, n, &x, NULL));
	TRY(fx_arg(c, n, -1, "approximate", &ap, NULL));
	y = fx_result(c, n);
	EMIT(g, "Gelu", n->name, (x), (y));
	if ((ap.kind == V_STR && !strcmp(ap.s, "tanh")) || (mod && !strcmp(mod, "tanh")))
		gr_node_set_str(g, "approximate", "tanh");
	return GR_OK;
}


/* softmax(x, dim) and log_softmax. */
gr_status fx_map_softmax(fx_ctx *c, fx_node *n, const char *type)
{
	gr_tensor *x, *y;
	gr_node *g;
	fx_val d;
	int present;
	int64_t dim = -1;

	TRY(fx_input0(c, n, &x, NULL));
	TRY(fx_arg(c, n, 1, "dim", &d, &present));
	if (d.kind == V_NUM)
		dim = d.i;
	else if (!strcmp(n->op, "call_module"))
		dim = fx_num_attr_i(cJSON_GetObjectItemCaseSensitive(n->j, "attrs"), "dim", -1);
	y = fx_result(c, n);
	EMIT(g, type, n->name, (x), (y));
	gr_node_set_int(g, "axis", dim);
	return GR_OK;
}

gr_status fx_map_leaky_relu(fx_ctx *c, fx_node *n, const char *type)
{
	gr_tensor *x, *y;
	gr_node *g;
	fx_val s;
	double slope = fx_num_attr(cJSON_GetObjectItemCaseSensitive(n->j, "attrs"), "negative_slope",
				   0.01);
	TRY(fx_input0(c, n, &x, NULL));
	TRY(fx_arg(c, n, 1, "negative_slope", &s, NULL));
	if (s.kind == V_NUM)
		slope = s.num;
	y = fx_result(c, n);
	EMIT(g, type, n->name, (x), (y));
	gr_node_set_float(g, "alpha", slope);
	return GR_OK;
}

/* mean/sum/amax(x, dim, keepdim) */
gr_status fx_map_reduce(fx_ctx *c, fx_node *n, const char *type)
{
	gr_tensor *x, *y, *axes = NULL;
	fx_val d, kd;
	int64_t ax[GR_MAX_RANK];
	int k = 0;
	gr_node *g;

	TRY(fx_input0(c, n, &x, NULL));
	TRY(fx_arg(c, n, 1, "dim", &d, NULL));
	TRY(fx_arg(c, n, 2, "keepdim", &kd, NULL));
	if (d.kind != V_NONE && (k = fx_ints_of(&d, ax, GR_MAX_RANK)) < 0)
		return fx_placeholder(c, n, n->target);
	if (k && !(axes = cst_i64(c, nm(c, n, "/axes"), ax, k, 0)))
		return oom(c);
	y = fx_result(c, n);
	EMIT(g, type, n->name, (x, axes), (y));
	gr_node_set_int(g, "keepdims", kd.kind == V_NUM && kd.i);
	return GR_OK;
}

gr_status fx_map_matmul(fx_ctx *c, fx_node *n, const char *type)
{
	(void)type;
	return fx_map_binary(c, n, "MatMul");
}

/* masked_fill(x, mask, value) -> Where(mask, value, x) */
gr_status fx_map_masked_fill(fx_ctx *c, fx_node *n, const char *type)
{
	fx_val m, v;
	gr_tensor *x, *y, *tv;
	gr_node *g;

	(void)type;
	TRY(fx_input0(c, n, &x, NULL));
	TRY(fx_arg(c, n, 1, "mask", &m, NULL));
	TRY(fx_arg(c, n, 2, "value", &v, NULL));
	if (m.kind != V_TENSOR || !(tv = fx_tensor_of(c, n, &v)))
		return fx_placeholder(c, n, n->target);
	y = fx_result(c, n);
	EMIT(g, "Where", n->name, (m.t, tv, x), (y));
	return GR_OK;
}

gr_status fx_map_where(fx_ctx *c, fx_node *n, const char *type)
{
	fx_val a, b, d;
	gr_tensor *y, *ta, *tb;
	gr_node *g;

	(void)type;
	TRY(fx_arg(c, n, 0, "condition", &a, NULL));
	TRY(fx_arg(c, n, 1, "input", &b, NULL));
	TRY(fx_arg(c, n, 2, "other", &d, NULL));
	if (a.kind != V_TENSOR || !(ta = fx_tensor_of(c, n, &b)) || !(tb = fx_tensor_of(c, n, &d)))
		return fx_placeholder(c, n, n->target);
	y = fx_result(c, n);
	EMIT(g, "Where", n->name, (a.t, ta, tb), (y));
	return GR_OK;
}

/* to(dtype) / float() / half() ...: a Cast when the type changes, else the identity. */
gr_status fx_map_cast(fx_ctx *c, fx_node *n, const char *type)
{
	gr_tensor *x, *y;
	gr_dtype dt = fx_dtype_of(get_str(n->j, "dtype"));
	gr_node *g;

	TRY(fx_input0(c, n, &x, NULL));
	y = fx_result(c, n);
	(void)type;
	if (dt == GR_DTYPE_UNDEFINED || dt == x->dtype) {
		EMIT(g, "Identity", n->name, (x), (y));
		return GR_OK;
	}
	EMIT(g, "Cast", n->name, (x), (y));
	gr_node_set_int(g, "to", dt);
	return GR_OK;
}

/* torch.nn.functional.linear(x, weight, bias) with weight a tensor. */
gr_status fx_map_linear_fn(fx_ctx *c, fx_node *n, const char *type)
{
	fx_val w, b;
	gr_tensor *x, *wt, *y, *mm;
	int64_t perm[2] = {1, 0};
	gr_node *g;

	(void)type;
	TRY(fx_input0(c, n, &x, NULL));
	TRY(fx_arg(c, n, 1, "weight", &w, NULL));
	TRY(fx_arg(c, n, 2, "bias", &b, NULL));
	if (w.kind != V_TENSOR)
		return fx_placeholder(c, n, n->target);
	y = fx_result(c, n);
	wt = tmp(c, n->name, "/weight_t");
	mm = b.kind == V_TENSOR ? tmp(c, n->name, "/matmul") : y;
	EMIT(g, "Transpose", nm(c, n, "/weight_t"), (w.t), (wt));
	if (!gr_node_set_ints(g, "perm", perm, 2))
		return oom(c);
	EMIT(g, "MatMul", b.kind == V_TENSOR ? nm(c, n, "/matmul") : n->name, (x, wt), (mm));
	if (b.kind == V_TENSOR)
		EMIT(g, "Add", n->name, (mm, b.t), (y));
	return GR_OK;
}

/* F.layer_norm(x, normalized_shape, weight, bias, eps) */
gr_status fx_map_layer_norm_fn(fx_ctx *c, fx_node *n, const char *type)
{
	fx_val ns, w, b, eps;
	gr_tensor *x, *y;
	int64_t dims[GR_MAX_RANK];
	int k;
	gr_node *g;

	(void)type;
	TRY(fx_input0(c, n, &x, NULL));
	TRY(fx_arg(c, n, 1, "normalized_shape", &ns, NULL));
	TRY(fx_arg(c, n, 2, "weight", &w, NULL));
	TRY(fx_arg(c, n, 3, "bias", &b, NULL));
	TRY(fx_arg(c, n, 4, "eps", &eps, NULL));
	if ((k = fx_ints_of(&ns, dims, GR_MAX_RANK)) < 1 || w.kind != V_TENSOR)
		return fx_placeholder(c, n, n->target);
	y = fx_result(c, n);
	EMIT(g, "LayerNormalization", n->name, (x, w.t, b.kind == V_TENSOR ? b.t : NULL), (y));
	gr_node_set_int(g, "axis", -k);
	gr_node_set_float(g, "epsilon", eps.kind == V_NUM ? eps.num : 1e-5);
	return GR_OK;
}


/* einsum(equation, *operands) or einsum(equation, [operands]) */
gr_status fx_map_einsum(fx_ctx *c, fx_node *n, const char *type)
{
	fx_val eq, ops;
	gr_tensor *ts[16], *y;
	size_t k = 0;
	gr_node *g;
	char *e;

	(void)type;
	TRY(fx_arg(c, n, 0, "equation", &eq, NULL));
	if (eq.kind != V_STR || !(e = clean(c, eq.s)))
		return fx_placeholder(c, n, n->target);
	for (int i = 1; i < n_args(n); i++) {
		TRY(fx_arg(c, n, i, NULL, &ops, NULL));
		k = fx_collect_tensors(&ops, ts, 16, k);
	}
	if (!k)
		return fx_placeholder(c, n, n->target);
	y = fx_result(c, n);
	if (!y || !(g = gr_graph_add_node(c->g, "Einsum", "", n->name, k, 1, FE_NODE_ATTRS)))
		return oom(c);
	memcpy(g->in, ts, k * sizeof(*ts));
	g->out[0] = y;
	gr_node_set_str(g, "equation", e);
	return GR_OK;
}

/* torchvision's stochastic_depth(input, p, mode, training): the identity at inference. */
gr_status fx_map_stochastic_depth(fx_ctx *c, fx_node *n, const char *type)
{
	(void)type;
	return fx_map_unary(c, n, "Identity");
}
