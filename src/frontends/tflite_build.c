/* TFLite frontend: IR building helpers shared by the operator mappers (see tflite_read.h):
 * constants, layout views, weights, operand checks, options and fused activations. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "frontends/tflite_read.h"

const int64_t TFL_P_CF4[4] = {0, 3, 1, 2}, TFL_P_CL4[4] = {0, 2, 3, 1};
const int64_t TFL_P_CF5[5] = {0, 4, 1, 2, 3}, TFL_P_CL5[5] = {0, 2, 3, 4, 1};
const int64_t TFL_P_T2[2] = {1, 0};

gr_status tfl_op_error(tfl_ctx *c, const tfl_op *op, gr_status st, const char *fmt, ...)
{
	char msg[640];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return fb_error(&c->s, op->pos, st, "%s: %s", op->what, msg);
}

/* A float scalar constant, shared by value (Clip bounds, dequantization scales). */
gr_tensor *tfl_cst_f(tfl_ctx *c, double v)
{
	char name[64];
	gr_tensor *t;

	for (size_t i = 0; i < c->n_fconst; i++)
		if (c->fconst_v[i] == v)
			return c->fconst_t[i];
	snprintf(name, sizeof(name), "tflite_const/%g", v);
	if (!(t = fe_cst_f64(c->g, &c->uniq, name, v)))
		return NULL;
	if (c->n_fconst < 8) {
		c->fconst_v[c->n_fconst] = v;
		c->fconst_t[c->n_fconst++] = t;
	}
	return t;
}

/* The Gather indices of a layout view for perm, shared by perm. */
static gr_tensor *perm_const(tfl_ctx *c, const int64_t *perm, int rank)
{
	char name[96];
	int len = 0;
	gr_tensor *t;

	for (size_t i = 0; i < c->n_perms; i++)
		if (c->perms[i].rank == rank && !memcmp(c->perms[i].perm, perm, (size_t)rank * sizeof(int64_t)))
			return c->perms[i].t;
	len = snprintf(name, sizeof(name), "tflite_layout/perm");
	for (int i = 0; i < rank && len < 80; i++)
		len += snprintf(name + len, sizeof(name) - (size_t)len, "_%lld", (long long)perm[i]);
	t = cst_i64(c, name, perm, rank, 0);
	if (t && c->n_perms < 16) {
		c->perms[c->n_perms].rank = rank;
		memcpy(c->perms[c->n_perms].perm, perm, (size_t)rank * sizeof(int64_t));
		c->perms[c->n_perms++].t = t;
	}
	return t;
}

/* y = x with its dims relabeled by perm: Shape -> Gather -> Reshape, all free in the cost
 * model (see the comment at the top). y is created when NULL. */
gr_tensor *tfl_view(tfl_ctx *c, gr_tensor *x, const int64_t *perm, int rank, gr_tensor *y,
		    const char *base)
{
	gr_tensor *shp = tmp(c, base, "/shape"), *idx = perm_const(c, perm, rank), *tgt;
	gr_node *n;

	tgt = tmp(c, base, "/dims");
	if (!y)
		y = tmp(c, base, "");
	if (!shp || !idx || !tgt || !y)
		return NULL;
	if (!(n = node(c, "Shape", "", shp->name, 1, 1)))
		return NULL;
	n->in[0] = x;
	n->out[0] = shp;
	if (!(n = node(c, "Gather", "", tgt->name, 2, 1)))
		return NULL;
	n->in[0] = shp;
	n->in[1] = idx;
	n->out[0] = tgt;
	gr_node_set_int(n, "axis", 0);
	if (!(n = node(c, "Reshape", "", y->name, 2, 1)))
		return NULL;
	n->in[0] = x;
	n->in[1] = tgt;
	n->out[0] = y;
	return y;
}

/* Checks the operator has at least n_in present inputs and n_out outputs. */
gr_status tfl_need(tfl_ctx *c, const tfl_op *op, size_t n_in, size_t n_out)
{
	if (op->n_in < n_in || op->n_out < n_out)
		return tfl_op_error(c, op, GR_ERR_FORMAT, "has %zu inputs and %zu outputs, needs %zu and %zu",
				    op->n_in, op->n_out, n_in, n_out);
	for (size_t i = 0; i < n_in; i++)
		if (op->in[i] < 0)
			return tfl_op_error(c, op, GR_ERR_FORMAT, "required input %zu is omitted", i);
	return GR_OK;
}

/* The declared rank of input i, which must be `want` (layout-sensitive operands). */
gr_status tfl_need_rank(tfl_ctx *c, const tfl_op *op, size_t i, int want, const char *role)
{
	tfl_tensor *t = tin(c, op, i);
	if (!t || t->rank != want)
		return tfl_op_error(c, op, GR_ERR_FORMAT, "%s '%s' has rank %d, expected %d", role,
				    t ? t->t->name : "?", t ? t->rank : -1, want);
	return GR_OK;
}

/* The channels-first view of input i (rank 4 or 5), made once per tensor. */
gr_tensor *tfl_cf_in(tfl_ctx *c, const tfl_op *op, size_t i)
{
	tfl_tensor *t = tin(c, op, i);
	char base[480];

	if (t->cf)
		return t->cf;
	snprintf(base, sizeof(base), "tflite_layout/%.400s/cf", t->t->name);
	t->cf = tfl_view(c, t->t, t->rank == 5 ? TFL_P_CF5 : TFL_P_CF4, t->rank, NULL, base);
	return t->cf;
}

/* A fresh channels-first tensor for output i of op. */
gr_tensor *tfl_cf_out_tmp(tfl_ctx *c, const tfl_op *op, size_t i)
{
	char base[480];
	snprintf(base, sizeof(base), "tflite_layout/%.400s", out_t(c, op, i)->name);
	return tmp(c, base, "/cf");
}

/* Writes output i of op (declared channels-last) as the relabeling of ycf. */
gr_status tfl_cf_to_out(tfl_ctx *c, const tfl_op *op, size_t i, gr_tensor *ycf, int rank)
{
	tfl_tensor *o = &c->ts[op->out[i]];
	char base[480];

	snprintf(base, sizeof(base), "tflite_layout/%.400s/cl", o->t->name);
	if (!tfl_view(c, ycf, rank == 5 ? TFL_P_CL5 : TFL_P_CL4, rank, o->t, base))
		return oom(c);
	o->cf = ycf;
	return GR_OK;
}

/* Weight operand i relabeled by perm (a permuted initializer for constants, a view
 * otherwise). kind distinguishes the perms a weight may be asked for. */
gr_tensor *tfl_weight(tfl_ctx *c, const tfl_op *op, size_t i, const int64_t *perm, int rank,
		      int kind)
{
	tfl_tensor *w = tin(c, op, i);
	gr_dim d[GR_MAX_RANK];
	gr_tensor *t;
	char base[480];

	if (!w->t->is_initializer) {
		snprintf(base, sizeof(base), "tflite_layout/%.400s/w%d", w->t->name, kind);
		return tfl_view(c, w->t, perm, rank, NULL, base);
	}
	if (w->wview && w->wview_kind == kind)
		return w->wview;
	for (int k = 0; k < rank; k++)
		d[k] = w->t->dims[perm[k]];
	t = tmp(c, "tflite_layout/", w->t->name);
	if (!t || gr_tensor_set_shape(c->g, t, w->t->dtype, rank, d) || gr_graph_add_initializer(c->g, t))
		return NULL;
	w->wview = t;
	w->wview_kind = kind;
	return t;
}

/* --- options --------------------------------------------------------------------------- */

static int opt_ok(tfl_ctx *c, const tfl_op *op, int want)
{
	if (c->fst || !op->has_opt)
		return 0;
	if (op->opt_type != want) {
		c->fst = tfl_op_error(c, op, GR_ERR_FORMAT, "options are of union type %d, expected %d",
				      op->opt_type, want);
		return 0;
	}
	return 1;
}

/* Integer option field id of `size` bytes (signed), dflt when absent. */
int64_t tfl_opt_int(tfl_ctx *c, const tfl_op *op, int want, unsigned id, unsigned size, int64_t dflt)
{
	int64_t v = dflt;
	char what[128];

	if (!opt_ok(c, op, want))
		return dflt;
	snprintf(what, sizeof(what), "options of %s", op->what);
	if ((c->fst = fb_int(&c->s, &op->opt, id, size, 1, dflt, what, &v)))
		return dflt;
	return v;
}

double tfl_opt_float(tfl_ctx *c, const tfl_op *op, int want, unsigned id, float dflt)
{
	float v = dflt;
	char what[128];

	if (!opt_ok(c, op, want))
		return dflt;
	snprintf(what, sizeof(what), "options of %s", op->what);
	if ((c->fst = fb_float(&c->s, &op->opt, id, dflt, what, &v)))
		return dflt;
	return v;
}

/* An [int] option (new_shape, squeeze_dims): up to max values; *found = 0 when absent. */
void tfl_opt_ints(tfl_ctx *c, const tfl_op *op, int want, unsigned id, int64_t *out, size_t max,
		  size_t *n, int *found)
{
	fb_vec v;
	char what[128];

	*n = 0;
	*found = 0;
	if (!opt_ok(c, op, want))
		return;
	snprintf(what, sizeof(what), "options of %s", op->what);
	if ((c->fst = fb_vector(&c->s, &op->opt, id, 4, what, &v)) || !v.at)
		return;
	if (v.len > max) {
		c->fst = fb_error(&c->s, v.at, GR_ERR_LIMIT, "%s has %u entries (at most %zu)", what,
				  v.len, max);
		return;
	}
	for (uint32_t k = 0; k < v.len; k++)
		out[k] = fb_vec_i32(&c->s, &v, k);
	*n = v.len;
	*found = 1;
}

/* y = act(x) for a fused ActivationFunctionType. */
gr_status tfl_fused(tfl_ctx *c, const tfl_op *op, int64_t a, gr_tensor *x, gr_tensor *y)
{
	gr_node *n;

	switch (a) {
	case 1: EMIT(n, "Relu", nm(c, op, "/relu"), (x), (y)); break;
	case 2: EMIT(n, "Clip", nm(c, op, "/relu_n1_to_1"), (x, tfl_cst_f(c, -1), tfl_cst_f(c, 1)), (y)); break;
	case 3: EMIT(n, "Clip", nm(c, op, "/relu6"), (x, tfl_cst_f(c, 0), tfl_cst_f(c, 6)), (y)); break;
	case 4: EMIT(n, "Tanh", nm(c, op, "/tanh"), (x), (y)); break;
	case 5: EMIT(n, "Sign", nm(c, op, "/sign_bit"), (x), (y)); break;
	default:
		return tfl_op_error(c, op, GR_ERR_FORMAT, "unknown fused activation %lld", (long long)a);
	}
	if ((a == 2 || a == 3) && (!n->in[1] || !n->in[2]))
		return oom(c);
	return GR_OK;
}

/* Where a node followed by fused activation a writes: y itself or a fresh tensor. */
gr_tensor *tfl_pre_act(tfl_ctx *c, int64_t a, gr_tensor *y)
{
	return a ? tmp(c, y->name, "/pre_act") : y;
}

const char *tfl_pad_mode(tfl_ctx *c, const tfl_op *op, int64_t p, int custom)
{
	/* schema Padding: SAME = 0, VALID = 1; TfLitePadding (custom ops): SAME = 1, VALID = 2 */
	if (custom)
		p -= 1;
	if (p == 0)
		return "SAME_UPPER";
	if (p == 1)
		return "VALID";
	if (!c->fst)
		c->fst = tfl_op_error(c, op, GR_ERR_FORMAT, "unknown padding %lld", (long long)(p + custom));
	return "VALID";
}

gr_status tfl_positive(tfl_ctx *c, const tfl_op *op, const int64_t *v, size_t n, const char *what)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] < 1 || v[i] > INT32_MAX)
			return tfl_op_error(c, op, GR_ERR_FORMAT, "%s must be positive (got %lld)", what,
					    (long long)v[i]);
	return GR_OK;
}
