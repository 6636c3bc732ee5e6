/* Elementwise ops: unary math and activations, binary/variadic ops with numpy broadcasting,
 * Where, Cast and quantization. Binary, Where, Cast, Clip, Max/Min and a few unary ops also
 * fold small known values, because exported models compute Reshape targets with them. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ops_impl.h"

/* --- helpers ------------------------------------------------------------- */

static int is_int_dtype(gr_dtype t)
{
	switch (t) {
	case GR_DTYPE_UINT8: case GR_DTYPE_INT8: case GR_DTYPE_UINT16: case GR_DTYPE_INT16:
	case GR_DTYPE_INT32: case GR_DTYPE_INT64: case GR_DTYPE_UINT32: case GR_DTYPE_UINT64:
	case GR_DTYPE_BOOL: case GR_DTYPE_UINT4: case GR_DTYPE_INT4:
		return 1;
	default:
		return 0;
	}
}

static int is_float_dtype(gr_dtype t)
{
	switch (t) {
	case GR_DTYPE_FLOAT: case GR_DTYPE_FLOAT16: case GR_DTYPE_DOUBLE: case GR_DTYPE_BFLOAT16:
	case GR_DTYPE_FLOAT8E4M3FN: case GR_DTYPE_FLOAT8E4M3FNUZ: case GR_DTYPE_FLOAT8E5M2:
	case GR_DTYPE_FLOAT8E5M2FNUZ:
		return 1;
	default:
		return 0;
	}
}

/* Wraps an integer result to the width of dtype t (folding uint8 arithmetic, say). */
static int64_t wrap_int(gr_dtype t, int64_t v)
{
	switch (t) {
	case GR_DTYPE_BOOL: return v != 0;
	case GR_DTYPE_UINT8: return (uint8_t)v;
	case GR_DTYPE_INT8: return (int8_t)v;
	case GR_DTYPE_UINT16: return (uint16_t)v;
	case GR_DTYPE_INT16: return (int16_t)v;
	case GR_DTYPE_UINT32: return (uint32_t)v;
	case GR_DTYPE_INT32: return (int32_t)v;
	case GR_DTYPE_UINT4: return v & 0xf;
	case GR_DTYPE_INT4: return ((v & 0xf) ^ 0x8) - 0x8;
	default: return v;
	}
}

/* Output dims unknown because an input's rank is: keep the dtype, leave the shape unknown. */
static gr_status out_dtype_only(gr_tensor *t, gr_dtype dtype)
{
	if (t && dtype != GR_DTYPE_UNDEFINED)
		t->dtype = dtype;
	return GR_OK;
}

/* Known values of t when they cover its (known) shape and are small enough to fold. */
static int foldable(const gr_tensor *t)
{
	int64_t ne;

	if (!t || !t->has_value || !gr_shape_known(t))
		return 0;
	ne = gr_numel(t);
	return ne >= 0 && ne <= GR_FOLD_MAX && t->nval == ne;
}

/* Maps a flat index of the broadcast output to the flat index of one input. */
typedef struct bmap {
	int rank;
	int64_t dims[GR_MAX_RANK];   /* output dims */
	int64_t stride[GR_MAX_RANK]; /* input stride per output axis, 0 where broadcast */
} bmap;

static void bmap_init(bmap *m, const gr_tensor *in, const gr_tensor *out)
{
	int64_t s = 1;

	m->rank = out->rank;
	for (int k = out->rank - 1; k >= 0; k--) {
		int j = k - (out->rank - in->rank);

		m->dims[k] = out->dims[k].value;
		if (j < 0 || in->dims[j].value == 1) {
			m->stride[k] = 0;
		} else {
			m->stride[k] = s;
		}
		if (j >= 0 && !gr_mul_i64(s, in->dims[j].value, &s))
			s = INT64_MAX; /* only an empty output can get here: strides unused */
	}
}

static int64_t bmap_index(const bmap *m, int64_t flat)
{
	int64_t idx = 0;

	for (int k = m->rank - 1; k >= 0 && flat > 0; k--) {
		int64_t d = m->dims[k] > 0 ? m->dims[k] : 1;

		idx += (flat % d) * m->stride[k];
		flat /= d;
	}
	return idx;
}

/* Stores folded values in out: integer dtypes (and bool) as i64, floating ones as f64. */
static gr_status store_i64(gr_infer *ctx, gr_tensor *out, int64_t *v, int64_t n)
{
	for (int64_t i = 0; i < n; i++)
		v[i] = wrap_int(out->dtype, v[i]);
	return gr_tensor_set_i64(ctx->g, out, v, n);
}

/* v as an int64 (truncated toward zero); 0 when beyond the int64 range or not finite. */
static int f64_to_i64(double v, int64_t *r)
{
	if (!isfinite(v) || fabs(v) >= 9.2e18)
		return 0;
	*r = (int64_t)v;
	return 1;
}

/* --- folded values: one domain per fold ---------------------------------------
 * A fold computes on exact integers (bool and integer dtypes, as int64) or on doubles
 * (floating dtypes). Each fold loops once and picks its domain's array per element: folds
 * have at most GR_FOLD_MAX elements, so the branch costs nothing, and each rule is written
 * once for both domains. */

/* Known input values in one domain. */
typedef struct fvals {
	int is_int;
	int64_t n;
	const int64_t *i; /* is_int */
	const double *f;  /* !is_int */
} fvals;

/* t's known values in the domain; 0 when there are none. */
static int fvals_get(gr_infer *ctx, const gr_tensor *t, int is_int, fvals *v)
{
	v->is_int = is_int;
	v->n = 0;
	v->i = is_int ? gr_values_i64(ctx, t, &v->n) : NULL;
	v->f = is_int ? NULL : gr_values_f64(ctx, t, &v->n);
	return v->i || v->f;
}

/* A fold's n result values in one domain. */
typedef struct fres {
	int is_int;
	int64_t n;
	int64_t *i;
	double *f;
} fres;

static gr_status fres_init(fres *r, int is_int, int64_t n)
{
	size_t room = (size_t)(n ? n : 1);

	r->is_int = is_int;
	r->n = n;
	r->i = is_int ? malloc(room * sizeof(int64_t)) : NULL;
	r->f = is_int ? NULL : malloc(room * sizeof(double));
	return r->i || r->f ? GR_OK : GR_ERR_NOMEM;
}

static void fres_release(fres *r)
{
	free(r->i);
	free(r->f);
	r->i = NULL;
	r->f = NULL;
}

/* r[k] = v[j] (the same domain). */
static void fres_put(fres *r, int64_t k, const fvals *v, int64_t j)
{
	if (r->is_int)
		r->i[k] = v->i[j];
	else
		r->f[k] = v->f[j];
}

/* Stores r as out's values, then releases r. Integers are wrapped to out's dtype; doubles are
 * stored as they are for a floating out, else truncated to integers when all fit int64
 * (otherwise the values stay unknown). */
static gr_status fres_store(gr_infer *ctx, gr_tensor *out, fres *r)
{
	gr_status st = GR_OK;

	if (r->is_int) {
		st = store_i64(ctx, out, r->i, r->n);
	} else if (is_float_dtype(out->dtype)) {
		st = gr_tensor_set_f64(ctx->g, out, r->f, r->n);
	} else {
		int64_t *iv = malloc((size_t)(r->n ? r->n : 1) * sizeof(int64_t)), k = 0;
		if (!iv)
			st = GR_ERR_NOMEM;
		while (iv && k < r->n && f64_to_i64(r->f[k], &iv[k]))
			k++;
		if (iv && k == r->n)
			st = store_i64(ctx, out, iv, r->n);
		free(iv);
	}
	fres_release(r);
	return st;
}

/* --- unary ----------------------------------------------------------------- */

/* The unary ops folded in shape arithmetic, per domain: 0 when op is not folded. */
static int unary_i64(gr_op op, int64_t a, int64_t *r)
{
	switch (op) {
	case GR_OP_NEG: *r = (int64_t)(0 - (uint64_t)a); return 1;
	case GR_OP_ABS: *r = a < 0 ? (int64_t)(0 - (uint64_t)a) : a; return 1;
	case GR_OP_SIGN: *r = (a > 0) - (a < 0); return 1;
	case GR_OP_RELU: *r = a > 0 ? a : 0; return 1;
	case GR_OP_NOT: *r = !a; return 1;
	case GR_OP_BITWISE_NOT: *r = ~a; return 1;
	case GR_OP_FLOOR: case GR_OP_CEIL: case GR_OP_ROUND: *r = a; return 1;
	default: return 0;
	}
}

static int unary_f64(gr_op op, double a, double *r)
{
	switch (op) {
	case GR_OP_NEG: *r = -a; return 1;
	case GR_OP_ABS: *r = fabs(a); return 1;
	case GR_OP_SIGN: *r = (a > 0) - (a < 0); return 1;
	case GR_OP_RELU: *r = a > 0 ? a : 0; return 1;
	case GR_OP_FLOOR: *r = floor(a); return 1;
	case GR_OP_CEIL: *r = ceil(a); return 1;
	case GR_OP_ROUND: *r = nearbyint(a); return 1; /* half to even */
	case GR_OP_SQRT: *r = sqrt(a); return 1;
	case GR_OP_RECIPROCAL: *r = 1.0 / a; return 1;
	case GR_OP_EXP: *r = exp(a); return 1;
	case GR_OP_LOG: *r = log(a); return 1;
	default: return 0;
	}
}

/* Folds the cheap unary ops that appear in shape arithmetic (Neg, Abs, Sign, Relu, Not,
 * Floor/Ceil/Round/Sqrt/Reciprocal/Exp/Log on floats). Silently skips anything else. */
static gr_status fold_unary(gr_infer *ctx, const gr_node *n, gr_tensor *x, gr_tensor *y)
{
	int is_int = is_int_dtype(y->dtype);
	fvals v;
	fres r;

	if (!foldable(x) || (!is_int && !is_float_dtype(y->dtype)) || !fvals_get(ctx, x, is_int, &v))
		return GR_OK;
	if (fres_init(&r, is_int, v.n))
		return GR_ERR_NOMEM;
	for (int64_t k = 0; k < v.n; k++)
		if (is_int ? !unary_i64(n->op, v.i[k], &r.i[k]) : !unary_f64(n->op, v.f[k], &r.f[k])) {
			fres_release(&r);
			return GR_OK;
		}
	return fres_store(ctx, y, &r);
}

gr_status op_unary_shape(gr_infer *ctx, gr_node *n)
{
	gr_tensor *x = gr_in(n, 0), *y = gr_out(n, 0);
	gr_status st;

	if (!x)
		return gr_node_error(ctx, n, "missing input 'X'");
	if (!y)
		return GR_OK;
	if (x->rank < 0)
		return out_dtype_only(y, x->dtype);
	st = gr_copy_shape(ctx, y, x, GR_DTYPE_UNDEFINED);
	if (st != GR_OK)
		return st;
	return fold_unary(ctx, n, x, y);
}

gr_status op_unary_bool_shape(gr_infer *ctx, gr_node *n)
{
	gr_tensor *x = gr_in(n, 0), *y = gr_out(n, 0);

	if (!x)
		return gr_node_error(ctx, n, "missing input 'X'");
	if (!y)
		return GR_OK;
	if (x->rank < 0)
		return out_dtype_only(y, GR_DTYPE_BOOL);
	return gr_copy_shape(ctx, y, x, GR_DTYPE_BOOL);
}

/* --- Clip: bounds are attributes before opset 11, optional inputs from 11 ---- */

/* An integer a clipped to double bounds; 0 when the bound it takes is beyond int64. */
static int clip_i64(int64_t a, double lo, double hi, int64_t *r)
{
	double d = (double)a;

	if (d < lo)
		return f64_to_i64(lo, r);
	if (d > hi)
		return f64_to_i64(hi, r);
	*r = a;
	return 1;
}

gr_status op_clip_shape(gr_infer *ctx, gr_node *n)
{
	gr_tensor *x = gr_in(n, 0), *y = gr_out(n, 0);
	gr_status st;
	int64_t cnt = 0;

	if (!x)
		return gr_node_error(ctx, n, "missing input 'input'");
	if (!y)
		return GR_OK;
	if (x->rank < 0)
		return out_dtype_only(y, x->dtype);
	st = gr_copy_shape(ctx, y, x, GR_DTYPE_UNDEFINED);
	if (st != GR_OK || !foldable(x))
		return st;

	/* fold: bounds from inputs 1/2 (scalars) or attributes min/max */
	double lo = -INFINITY, hi = INFINITY;
	gr_tensor *tmin = gr_in(n, 1), *tmax = gr_in(n, 2);
	const gr_attr *amin = gr_attr_find(n, "min"), *amax = gr_attr_find(n, "max");
	if (tmin) {
		const double *v = gr_values_f64(ctx, tmin, &cnt);
		if (!v || cnt != 1)
			return GR_OK;
		lo = v[0];
	} else if (amin) {
		lo = amin->f;
	}
	if (tmax) {
		const double *v = gr_values_f64(ctx, tmax, &cnt);
		if (!v || cnt != 1)
			return GR_OK;
		hi = v[0];
	} else if (amax) {
		hi = amax->f;
	}
	int is_int = is_int_dtype(y->dtype);
	fvals v;
	fres r;
	if (!fvals_get(ctx, x, is_int, &v))
		return GR_OK;
	if (fres_init(&r, is_int, v.n))
		return GR_ERR_NOMEM;
	for (int64_t k = 0; k < v.n; k++) {
		if (is_int && !clip_i64(v.i[k], lo, hi, &r.i[k])) {
			fres_release(&r);
			return GR_OK;
		}
		if (!is_int)
			r.f[k] = v.f[k] < lo ? lo : v.f[k] > hi ? hi : v.f[k];
	}
	return fres_store(ctx, y, &r);
}

/* --- binary and variadic with broadcasting ---------------------------------- */

/* Broadcast inputs [first, last] into out. Returns GR_OK with *ok = 0 when some input has an
 * unknown rank (then the output keeps only its dtype). */
static gr_status broadcast_out(gr_infer *ctx, const gr_node *n, size_t first, size_t last,
			       gr_tensor *out, gr_dtype dtype, int *ok)
{
	gr_dim dims[GR_MAX_RANK];
	int rank = 0;
	gr_status st;

	*ok = 0;
	for (size_t i = first; i <= last; i++) {
		gr_tensor *t = gr_in(n, i);
		if (!t)
			return gr_node_error(ctx, n, "missing input %zu", i);
		if (t->rank < 0)
			return out_dtype_only(out, dtype);
	}
	st = gr_broadcast(ctx, n, first, last, &rank, dims);
	if (st != GR_OK)
		return st;
	st = gr_set_dims(ctx, out, dtype, rank, dims);
	if (st == GR_OK)
		*ok = 1;
	return st;
}

/* The logical and comparison ops, alike in both domains: from the operands' truth and order
 * (lt, eq, gt all 0 when a NaN makes them unordered). Returns 0 when op is not one of them. */
static int logic_op(gr_op op, int a_true, int b_true, int lt, int eq, int gt, int *r)
{
	switch (op) {
	case GR_OP_AND: *r = a_true && b_true; return 1;
	case GR_OP_OR: *r = a_true || b_true; return 1;
	case GR_OP_XOR: *r = a_true != b_true; return 1;
	case GR_OP_EQUAL: *r = eq; return 1;
	case GR_OP_GREATER: *r = gt; return 1;
	case GR_OP_GREATER_OR_EQUAL: *r = gt || eq; return 1;
	case GR_OP_LESS: *r = lt; return 1;
	case GR_OP_LESS_OR_EQUAL: *r = lt || eq; return 1;
	default: return 0;
	}
}

/* Integer binary op; returns 0 when the result is undefined (division by zero ...). */
static int binop_i64(const gr_node *n, gr_dtype dt, int64_t a, int64_t b, int64_t *r)
{
	uint64_t ua = (uint64_t)a, ub = (uint64_t)b;
	int lr;

	if (logic_op(n->op, a != 0, b != 0, a < b, a == b, a > b, &lr)) {
		*r = lr;
		return 1;
	}
	switch (n->op) {
	case GR_OP_ADD: *r = (int64_t)(ua + ub); return 1;
	case GR_OP_SUB: *r = (int64_t)(ua - ub); return 1;
	case GR_OP_MUL: *r = (int64_t)(ua * ub); return 1;
	case GR_OP_DIV:
		if (b == 0 || (a == INT64_MIN && b == -1))
			return 0;
		*r = a / b; /* truncation toward zero, as C and ONNX runtimes do */
		return 1;
	case GR_OP_MOD:
		if (b == 0 || (a == INT64_MIN && b == -1))
			return 0;
		*r = a % b;
		if (!gr_attr_int(n, "fmod", 0) && *r != 0 && ((*r < 0) != (b < 0)))
			*r += b; /* sign of the divisor, like Python */
		return 1;
	case GR_OP_POW: {
		int64_t acc = 1;
		if (b < 0 || b > 64)
			return 0;
		for (int64_t i = 0; i < b; i++)
			acc = (int64_t)((uint64_t)acc * ua);
		*r = acc;
		return 1;
	}
	case GR_OP_PRELU: *r = a < 0 ? (int64_t)(ua * ub) : a; return 1;
	case GR_OP_BITSHIFT: {
		const char *dir = gr_attr_str(n, "direction", "");
		uint64_t ux = (uint64_t)wrap_int(dt, a);
		if (b < 0)
			return 0;
		if (b >= 64)
			*r = 0;
		else if (!strcmp(dir, "LEFT"))
			*r = (int64_t)(ux << b);
		else if (!strcmp(dir, "RIGHT"))
			*r = (int64_t)(ux >> b);
		else
			return 0;
		return 1;
	}
	case GR_OP_BITWISE_AND: *r = a & b; return 1;
	case GR_OP_BITWISE_OR: *r = a | b; return 1;
	case GR_OP_BITWISE_XOR: *r = a ^ b; return 1;
	case GR_OP_MAX: *r = a > b ? a : b; return 1;
	case GR_OP_MIN: *r = a < b ? a : b; return 1;
	case GR_OP_SUM: case GR_OP_MEAN: *r = (int64_t)(ua + ub); return 1;
	default: return 0;
	}
}

/* Floating binary op; comparisons give 0/1. Returns 0 when not foldable. */
static int binop_f64(const gr_node *n, double a, double b, double *r)
{
	int lr;

	if (logic_op(n->op, a != 0, b != 0, a < b, a == b, a > b, &lr)) {
		*r = lr;
		return 1;
	}
	switch (n->op) {
	case GR_OP_ADD: case GR_OP_SUM: case GR_OP_MEAN: *r = a + b; return 1;
	case GR_OP_SUB: *r = a - b; return 1;
	case GR_OP_MUL: *r = a * b; return 1;
	case GR_OP_DIV: *r = a / b; return 1;
	case GR_OP_POW: *r = pow(a, b); return 1;
	case GR_OP_MOD:
		if (gr_attr_int(n, "fmod", 0))
			*r = fmod(a, b);
		else
			*r = a - floor(a / b) * b;
		return 1;
	case GR_OP_PRELU: *r = a < 0 ? a * b : a; return 1;
	case GR_OP_MAX: *r = (a > b || isnan(a)) ? a : b; return 1;
	case GR_OP_MIN: *r = (a < b || isnan(a)) ? a : b; return 1;
	default: return 0;
	}
}

/* One step of a left fold: acc[k] = v[j] for the first input, else acc[k] op v[j]. 0 when
 * the op does not fold (or its result is undefined). */
static int fold_step(const gr_node *n, gr_dtype dt, fres *acc, int64_t k, const fvals *v,
		     int64_t j, int first)
{
	if (first) {
		fres_put(acc, k, v, j);
		return 1;
	}
	if (acc->is_int)
		return binop_i64(n, dt, acc->i[k], v->i[j], &acc->i[k]);
	return binop_f64(n, acc->f[k], v->f[j], &acc->f[k]);
}

/* Folds a left fold of inputs [0, n_in) with the node's binary op when all are known.
 * Arithmetic runs in the inputs' domain (integer unless an input is floating); the result
 * is stored in out's dtype (bool/integer as i64, floating as f64). */
static gr_status fold_nary(gr_infer *ctx, const gr_node *n, gr_tensor *out)
{
	size_t nin = n->n_in;
	int64_t ne;
	int use_float = 0;
	gr_dtype dt = nin ? gr_in(n, 0)->dtype : GR_DTYPE_UNDEFINED;
	fres acc;
	gr_status st;

	if (nin == 0 || !gr_shape_known(out))
		return GR_OK;
	ne = gr_numel(out);
	if (ne < 0 || ne > GR_FOLD_MAX)
		return GR_OK;
	for (size_t i = 0; i < nin; i++) {
		gr_tensor *t = gr_in(n, i);
		if (!foldable(t) || t->dtype == GR_DTYPE_STRING)
			return GR_OK;
		if (!is_int_dtype(t->dtype))
			use_float = 1;
	}
	if ((st = fres_init(&acc, !use_float, ne)))
		return st;
	for (size_t i = 0; i < nin; i++) {
		gr_tensor *t = gr_in(n, i);
		fvals v;
		bmap m;
		if (!fvals_get(ctx, t, acc.is_int, &v))
			goto skip;
		bmap_init(&m, t, out);
		for (int64_t k = 0; k < ne; k++)
			if (!fold_step(n, dt, &acc, k, &v, bmap_index(&m, k), i == 0))
				goto skip;
	}
	for (int64_t k = 0; n->op == GR_OP_MEAN && k < ne; k++) {
		if (acc.is_int)
			acc.i[k] /= (int64_t)nin;
		else
			acc.f[k] /= (double)nin;
	}
	return fres_store(ctx, out, &acc);
skip:
	fres_release(&acc);
	return GR_OK;
}

/* PRelu: slope broadcasts unidirectionally to X, and Y has X's shape. */
static gr_status prelu_shape(gr_infer *ctx, gr_node *n, gr_tensor *x, gr_tensor *slope,
			     gr_tensor *y)
{
	gr_status st;

	if (x->rank < 0)
		return out_dtype_only(y, x->dtype);
	if (slope->rank > x->rank)
		return gr_node_error(ctx, n, "slope has rank %d, X has rank %d", slope->rank, x->rank);
	for (int i = 0; slope->rank > 0 && i < slope->rank; i++) {
		int64_t sd = slope->dims[i].value, xd = x->dims[x->rank - slope->rank + i].value;
		if (sd >= 0 && sd != 1 && xd >= 0 && sd != xd)
			return gr_node_error(ctx, n, "slope dim %lld does not broadcast to %lld",
					     (long long)sd, (long long)xd);
	}
	st = gr_copy_shape(ctx, y, x, GR_DTYPE_UNDEFINED);
	if (st != GR_OK || slope->rank < 0)
		return st;
	return fold_nary(ctx, n, y);
}

gr_status op_binary_shape(gr_infer *ctx, gr_node *n)
{
	gr_tensor *a = gr_in(n, 0), *y = gr_out(n, 0);
	gr_status st;
	int ok;

	if (!a || !gr_in(n, 1))
		return gr_node_error(ctx, n, "needs two inputs");
	if (!y)
		return GR_OK;
	if (n->op == GR_OP_PRELU)
		return prelu_shape(ctx, n, a, gr_in(n, 1), y);
	st = broadcast_out(ctx, n, 0, 1, y, a->dtype, &ok);
	if (st != GR_OK || !ok)
		return st;
	return fold_nary(ctx, n, y);
}

gr_status op_binary_bool_shape(gr_infer *ctx, gr_node *n)
{
	gr_status st;
	int ok;

	if (!gr_in(n, 0) || !gr_in(n, 1))
		return gr_node_error(ctx, n, "needs two inputs");
	if (!gr_out(n, 0))
		return GR_OK;
	st = broadcast_out(ctx, n, 0, 1, gr_out(n, 0), GR_DTYPE_BOOL, &ok);
	if (st != GR_OK || !ok)
		return st;
	return fold_nary(ctx, n, gr_out(n, 0));
}

gr_status op_variadic_shape(gr_infer *ctx, gr_node *n)
{
	gr_tensor *a = gr_in(n, 0), *y = gr_out(n, 0);
	gr_status st;
	int ok;

	if (n->n_in == 0 || !a)
		return gr_node_error(ctx, n, "needs at least one input");
	if (!y)
		return GR_OK;
	st = broadcast_out(ctx, n, 0, n->n_in - 1, y, a->dtype, &ok);
	if (st != GR_OK || !ok)
		return st;
	return fold_nary(ctx, n, y);
}

/* Cost: an N-input Sum/Max/Min does N-1 binary ops per output element (Mean one more
 * for the division), at flops_per_elem each; bytes = all inputs read + output written. */
void op_variadic_cost(const gr_node *n, gr_cost *c)
{
	double ops = n->n_in > 1 ? (double)(n->n_in - 1) : 1.0;

	if (n->op == GR_OP_MEAN && n->n_in > 1)
		ops += 1.0;
	gr_cost_elementwise(n, c, gr_op_table[n->op].flops_per_elem * ops);
}

/* --- Where ------------------------------------------------------------------ */

gr_status op_where_shape(gr_infer *ctx, gr_node *n)
{
	gr_tensor *cond = gr_in(n, 0), *x = gr_in(n, 1), *y = gr_in(n, 2), *out = gr_out(n, 0);
	gr_status st;
	int ok;
	int64_t ne, cnt;

	if (!cond || !x || !y)
		return gr_node_error(ctx, n, "needs inputs 'condition', 'X' and 'Y'");
	if (!out)
		return GR_OK;
	st = broadcast_out(ctx, n, 0, 2, out, x->dtype, &ok);
	if (st != GR_OK || !ok)
		return st;
	if (!foldable(cond) || !foldable(x) || !foldable(y) || !gr_shape_known(out))
		return GR_OK;
	ne = gr_numel(out);
	if (ne < 0 || ne > GR_FOLD_MAX)
		return GR_OK;

	const int64_t *cv = gr_values_i64(ctx, cond, &cnt);
	int is_int = is_int_dtype(out->dtype);
	fvals xv, yv;
	fres r;
	bmap mc, mx, my;
	if (!cv || (!is_int && !is_float_dtype(out->dtype)) || !fvals_get(ctx, x, is_int, &xv) ||
	    !fvals_get(ctx, y, is_int, &yv))
		return GR_OK;
	bmap_init(&mc, cond, out);
	bmap_init(&mx, x, out);
	bmap_init(&my, y, out);
	if (fres_init(&r, is_int, ne))
		return GR_ERR_NOMEM;
	for (int64_t k = 0; k < ne; k++) {
		if (cv[bmap_index(&mc, k)])
			fres_put(&r, k, &xv, bmap_index(&mx, k));
		else
			fres_put(&r, k, &yv, bmap_index(&my, k));
	}
	return fres_store(ctx, out, &r);
}

/* --- Cast / CastLike ---------------------------------------------------------- */

gr_status op_cast_shape(gr_infer *ctx, gr_node *n)
{
	gr_tensor *x = gr_in(n, 0), *y = gr_out(n, 0);
	gr_dtype to;
	gr_status st;
	int64_t cnt, ne;

	if (!x)
		return gr_node_error(ctx, n, "missing input 'input'");
	if (n->op == GR_OP_CAST_LIKE) {
		gr_tensor *like = gr_in(n, 1);
		if (!like)
			return gr_node_error(ctx, n, "missing input 'target_type'");
		to = like->dtype;
	} else {
		int64_t v = gr_attr_int(n, "to", -1);
		if (!gr_attr_find(n, "to"))
			return gr_node_error(ctx, n, "missing attribute 'to'");
		if (v <= 0 || v >= GR_DTYPE_COUNT)
			return gr_node_error(ctx, n, "unsupported target type %lld", (long long)v);
		to = (gr_dtype)v;
	}
	if (!y)
		return GR_OK;
	if (x->rank < 0)
		return out_dtype_only(y, to);
	st = gr_copy_shape(ctx, y, x, to);
	if (st != GR_OK || to == GR_DTYPE_UNDEFINED)
		return st;
	if (!foldable(x) || x->dtype == GR_DTYPE_STRING || to == GR_DTYPE_STRING)
		return GR_OK;
	ne = gr_numel(y);
	if (is_int_dtype(to)) {
		int64_t *r = malloc((size_t)(ne ? ne : 1) * sizeof(*r));
		if (!r)
			return GR_ERR_NOMEM;
		if (x->ival || is_int_dtype(x->dtype)) {
			const int64_t *v = gr_values_i64(ctx, x, &cnt);
			if (!v || cnt != ne)
				goto skip_i;
			for (int64_t i = 0; i < ne; i++)
				r[i] = v[i];
		} else {
			const double *v = gr_values_f64(ctx, x, &cnt);
			if (!v || cnt != ne)
				goto skip_i;
			for (int64_t i = 0; i < ne; i++) {
				if (to == GR_DTYPE_BOOL)
					r[i] = v[i] != 0;
				else if (!f64_to_i64(v[i], &r[i])) /* truncation toward zero */
					goto skip_i;
			}
		}
		st = store_i64(ctx, y, r, ne);
skip_i:
		free(r);
	} else if (is_float_dtype(to)) {
		const double *v = gr_values_f64(ctx, x, &cnt);
		if (v && cnt == ne)
			st = gr_tensor_set_f64(ctx->g, y, v, ne);
	}
	return st;
}

/* --- quantization ------------------------------------------------------------- */

gr_status op_quantize_shape(gr_infer *ctx, gr_node *n)
{
	gr_tensor *x = gr_in(n, 0), *scale = gr_in(n, 1), *zp = gr_in(n, 2), *y = gr_out(n, 0);
	gr_dtype dt;

	if (!x || !scale)
		return gr_node_error(ctx, n, "needs inputs 'x' and 'scale'");
	if (!y)
		return GR_OK;
	if (n->op == GR_OP_QUANTIZE_LINEAR) {
		int64_t odt = gr_attr_int(n, "output_dtype", 0); /* opset 21 */
		if (zp && zp->dtype != GR_DTYPE_UNDEFINED)
			dt = zp->dtype;
		else if (odt > 0 && odt < GR_DTYPE_COUNT)
			dt = (gr_dtype)odt;
		else
			dt = GR_DTYPE_UINT8;
	} else {
		/* float before opset 19; from 19 the scale's type (float16, bfloat16, ...) */
		dt = is_float_dtype(scale->dtype) ? scale->dtype : GR_DTYPE_FLOAT;
	}
	if (x->rank < 0)
		return out_dtype_only(y, dt);
	return gr_copy_shape(ctx, y, x, dt);
}

gr_status op_dyn_quantize_shape(gr_infer *ctx, gr_node *n)
{
	gr_tensor *x = gr_in(n, 0);
	gr_status st;

	if (!x)
		return gr_node_error(ctx, n, "missing input 'x'");
	if (gr_out(n, 1) && (st = gr_set_shape(ctx, gr_out(n, 1), GR_DTYPE_FLOAT, 0, NULL)) != GR_OK)
		return st;
	if (gr_out(n, 2) && (st = gr_set_shape(ctx, gr_out(n, 2), GR_DTYPE_UINT8, 0, NULL)) != GR_OK)
		return st;
	if (!gr_out(n, 0))
		return GR_OK;
	if (x->rank < 0)
		return out_dtype_only(gr_out(n, 0), GR_DTYPE_UINT8);
	return gr_copy_shape(ctx, gr_out(n, 0), x, GR_DTYPE_UINT8);
}

/* Cost: a min/max pass over x plus scale, round, saturate per element (table: 5/elem)
 * x input elements; bytes = x read + y, scale and zero point written. */
void op_dyn_quantize_cost(const gr_node *n, gr_cost *c)
{
	gr_tensor *x = gr_in(n, 0);
	int64_t ne = x ? gr_numel(x) : -1;

	gr_cost_io_bytes(n, c);
	if (ne >= 0)
		c->flops = gr_op_table[n->op].flops_per_elem * (double)ne;
}
