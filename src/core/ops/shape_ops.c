/* Shape and data-movement ops (Shape, Reshape, Concat, Slice, Pad, Resize, ...): output
 * shapes per the ONNX spec for opsets 7..18, and constant folding of small known values so
 * that exported Shape -> Gather -> Unsqueeze -> Concat -> Reshape chains resolve statically.
 * Costs: no FLOPs; views (Reshape, Flatten, Squeeze, Unsqueeze, Identity) move no bytes,
 * copies read their inputs and write their outputs. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ops_impl.h"
#include "values.h"

/* --- helpers ------------------------------------------------------------- */

/* Opset of the default domain for n, looking through enclosing graphs; newest when unset. */
static int node_opset(const gr_node *n)
{
	for (const gr_graph *g = n->owner; g; g = g->parent)
		if (g->opset > 0)
			return g->opset;
	return 18;
}

static gr_dim dim_known(int64_t v)
{
	gr_dim d = {v, NULL};
	return d;
}

static gr_dim dim_unknown(void)
{
	gr_dim d = {-1, NULL};
	return d;
}

/* Leaves t's rank unknown but records the dtype. */
static gr_status set_unknown(gr_infer *ctx, gr_tensor *t, gr_dtype dtype)
{
	return gr_set_dims(ctx, t, dtype, -1, NULL);
}

/* Rank-r output whose dims are all unknown. */
static gr_status set_rank_only(gr_infer *ctx, gr_tensor *t, gr_dtype dtype, int64_t r)
{
	gr_dim d[GR_MAX_RANK];

	if (r < 0 || r > GR_MAX_RANK)
		return set_unknown(ctx, t, dtype);
	for (int i = 0; i < r; i++)
		d[i] = dim_unknown();
	return gr_set_dims(ctx, t, dtype, (int)r, d);
}

/* Fills d with t's dims and returns 1 when all are known. */
static int dims_of(const gr_tensor *t, int64_t *d)
{
	if (!gr_shape_known(t))
		return 0;
	for (int i = 0; i < t->rank; i++)
		d[i] = t->dims[i].value;
	return 1;
}

/* Product of dims [a, b): known when all are; a lone symbolic dim among ones keeps its name. */
static gr_dim dim_prod(const gr_dim *d, int a, int b)
{
	int64_t p = 1;
	int nunk = 0;
	const gr_dim *u = NULL;

	for (int i = a; i < b; i++) {
		if (d[i].value >= 0) {
			if (!gr_mul_i64(p, d[i].value, &p))
				return dim_unknown();
		} else {
			nunk++;
			u = &d[i];
		}
	}
	if (!nunk)
		return dim_known(p);
	if (nunk == 1 && p == 1)
		return *u;
	return dim_unknown();
}


/* Integer values of an input that holds an index list (axes, pads, shape). *ok = 0 when
 * unknown; an empty known tensor gives ok = 1, count 0. */
static const int64_t *ints_of(gr_infer *ctx, const gr_tensor *t, int64_t *count, int *ok)
{
	const int64_t *v;

	*count = 0;
	*ok = 0;
	if (!t || !t->has_value)
		return NULL;
	if (t->nval == 0) {
		*ok = 1;
		return NULL;
	}
	v = gr_values_i64(ctx, t, count);
	*ok = v != NULL;
	return v;
}

/* Output k takes input value idx[k] (idx NULL: the identity); stored by out's dtype. */
static gr_status fold_map(gr_infer *ctx, gr_tensor *out, const vals *v, const int64_t *idx,
			  int64_t m)
{
	gr_status st;

	if (!out || m > GR_FOLD_MAX || m < 0)
		return GR_OK;
	if (gr_dtype_is_float(out->dtype) || (!v->i && out->dtype == GR_DTYPE_UNDEFINED)) {
		double *buf = malloc((size_t)(m ? m : 1) * sizeof(*buf));
		if (!buf)
			return gr_error_set(ctx->err, GR_ERR_NOMEM, "out of memory");
		for (int64_t k = 0; k < m; k++)
			buf[k] = vals_f(v, idx ? idx[k] : k);
		st = gr_tensor_set_f64(out->owner, out, buf, m);
		free(buf);
	} else {
		int64_t *buf = malloc((size_t)(m ? m : 1) * sizeof(*buf));
		if (!buf)
			return gr_error_set(ctx->err, GR_ERR_NOMEM, "out of memory");
		for (int64_t k = 0; k < m; k++)
			buf[k] = vals_i(v, idx ? idx[k] : k);
		st = gr_tensor_set_i64(out->owner, out, buf, m);
		free(buf);
	}
	if (st == GR_ERR_NOMEM)
		return gr_error_set(ctx->err, GR_ERR_NOMEM, "out of memory");
	return GR_OK;
}

/* Copies in's values to out when the element counts agree (views: Reshape, Squeeze, ...). */
static gr_status fold_copy(gr_infer *ctx, gr_tensor *out, const gr_tensor *in)
{
	vals v;
	int64_t m;

	if (!out || !vals_get(in, &v) || v.n > GR_FOLD_MAX)
		return GR_OK;
	m = gr_numel(out);
	if (m != v.n)
		return GR_OK;
	return fold_map(ctx, out, &v, NULL, m);
}

/* Index map scratch for folding: out element k reads input element idx[k]. NULL when the
 * output is too large to fold. */
static int64_t *idx_alloc(const gr_tensor *out, int64_t *m)
{
	*m = gr_numel(out);
	if (*m < 0 || *m > GR_FOLD_MAX)
		return NULL;
	return malloc((size_t)(*m ? *m : 1) * sizeof(int64_t));
}

/* Row-major strides; saturate instead of overflowing (only ever used on foldable tensors,
 * where a huge dim means an empty tensor whose strides are never followed). */
static void strides_of(const int64_t *d, int r, int64_t *s)
{
	int64_t acc = 1;
	for (int i = r - 1; i >= 0; i--) {
		s[i] = acc;
		if (!gr_mul_i64(acc, d[i], &acc))
			acc = INT64_MAX;
	}
}

/* Decomposes flat index k over dims d (rank r) into coordinates c. */
static void unflatten(int64_t k, const int64_t *d, int r, int64_t *c)
{
	for (int i = r - 1; i >= 0; i--) {
		c[i] = d[i] ? k % d[i] : 0;
		k = d[i] ? k / d[i] : 0;
	}
}

/* Costs shared by the data-movement ops. */
static void cost_view(const gr_node *n, gr_cost *c)
{
	(void)n;
	(void)c; /* metadata only: no FLOPs, no bytes */
}

static void cost_write_only(const gr_node *n, gr_cost *c)
{
	for (size_t o = 0; o < n->n_out; o++)
		if (n->out[o])
			c->bytes_written += gr_tensor_bytes(n->out[o]);
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
		return set_rank_only(ctx, y, GR_DTYPE_INT64, 1);
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

void op_shape_cost(const gr_node *n, gr_cost *c)
{
	cost_write_only(n, c); /* reads only metadata */
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

void op_size_cost(const gr_node *n, gr_cost *c)
{
	cost_write_only(n, c);
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
		return dim_unknown();
	for (int i = 0; i < x->rank; i++) {
		if (x->dims[i].value >= 0) {
			if (!gr_mul_i64(pin, x->dims[i].value, &pin))
				return dim_unknown();
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
				return dim_unknown();
			continue;
		}
		for (int j = 0; j < nuin && !found; j++)
			if (!used[j] && out[i].sym && uin[j]->sym && strcmp(out[i].sym, uin[j]->sym) == 0)
				used[j] = found = 1;
		if (!found)
			return dim_unknown();
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
			return dim_unknown();
		if (!nleft)
			return pin % pout == 0 ? dim_known(pin / pout) : dim_unknown();
		if (nleft == 1 && pin == pout)
			return *left;
	}
	return dim_unknown();
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
		tv = ints_of(ctx, shp, &tn, &ok);
	} else {
		tv = gr_attr_ints(n, "shape", &na); /* opset < 5 */
		tn = (int64_t)na;
		ok = gr_attr_find(n, "shape") != NULL;
	}
	if (!ok) {
		/* Target values unknown (e.g. built from symbolic dims): its length still gives the rank. */
		if (shp && shp->rank == 1 && shp->dims[0].value >= 0)
			return set_rank_only(ctx, y, x->dtype, shp->dims[0].value);
		return set_unknown(ctx, y, x->dtype);
	}
	if (tn > GR_MAX_RANK)
		return gr_node_error(ctx, n, "target shape has %lld dims (limit %d)", (long long)tn,
				     GR_MAX_RANK);
	for (int i = 0; i < tn; i++) {
		int64_t v = tv[i];
		if (v == 0 && !allowzero) {
			if (x->rank < 0)
				out[i] = dim_unknown();
			else if (i < x->rank)
				out[i] = x->dims[i];
			else
				return gr_node_error(ctx, n, "target dim %d is 0 but the input has rank %d",
						     i, x->rank);
		} else if (v == -1) {
			if (neg >= 0)
				return gr_node_error(ctx, n, "target shape has more than one -1");
			neg = i;
			out[i] = dim_unknown();
		} else if (v < 0) {
			return gr_node_error(ctx, n, "target dim %d is %lld", i, (long long)v);
		} else {
			out[i] = dim_known(v);
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
	return fold_copy(ctx, y, x);
}

void op_reshape_cost(const gr_node *n, gr_cost *c)
{
	cost_view(n, c);
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
		return set_rank_only(ctx, y, x->dtype, 2);
	if (axis < -x->rank || axis > x->rank)
		return gr_node_error(ctx, n, "axis %lld is out of range for rank %d", (long long)axis,
				     x->rank);
	if (axis < 0)
		axis += x->rank;
	out[0] = dim_prod(x->dims, 0, (int)axis);
	out[1] = dim_prod(x->dims, (int)axis, x->rank);
	if ((st = gr_set_dims(ctx, y, x->dtype, 2, out)))
		return st;
	return fold_copy(ctx, y, x);
}

void op_flatten_cost(const gr_node *n, gr_cost *c)
{
	cost_view(n, c);
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
	*axes = ints_of(ctx, t, count, &ok);
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
		return set_unknown(ctx, y, x->dtype);
	if (has < 0)
		return na >= 0 && na <= x->rank ? set_rank_only(ctx, y, x->dtype, x->rank - na)
						: set_unknown(ctx, y, x->dtype);
	if (has == 0 || na == 0) {
		/* No axes: drop every dim of size 1, which needs all dims known (as ONNX does). */
		for (int i = 0; i < x->rank; i++) {
			if (x->dims[i].value < 0)
				return set_unknown(ctx, y, x->dtype);
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
	return fold_copy(ctx, y, x);
}

void op_squeeze_cost(const gr_node *n, gr_cost *c)
{
	cost_view(n, c);
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
		return set_unknown(ctx, y, x->dtype);
	if (has < 0)
		return na >= 0 ? set_rank_only(ctx, y, x->dtype, x->rank + na)
			       : set_unknown(ctx, y, x->dtype);
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
		out[i] = ins[i] ? dim_known(1) : x->dims[j++];
	if ((st = gr_set_dims(ctx, y, x->dtype, r, out)))
		return st;
	return fold_copy(ctx, y, x);
}

void op_unsqueeze_cost(const gr_node *n, gr_cost *c)
{
	cost_view(n, c);
}

/* --- Transpose ------------------------------------------------------------- */

gr_status op_transpose_shape(gr_infer *ctx, gr_node *n)
{
	const gr_tensor *x = gr_in(n, 0);
	gr_tensor *y = gr_out(n, 0);
	const int64_t *perm;
	int64_t p[GR_MAX_RANK];
	size_t np;
	int seen[GR_MAX_RANK] = {0}, r;
	gr_dim out[GR_MAX_RANK];
	gr_status st;
	vals v;

	if (!x)
		return gr_node_error(ctx, n, "missing input 'data'");
	perm = gr_attr_ints(n, "perm", &np);
	if (x->rank < 0)
		return perm ? set_rank_only(ctx, y, x->dtype, (int64_t)np) : set_unknown(ctx, y, x->dtype);
	r = x->rank;
	if (perm && (int64_t)np != r)
		return gr_node_error(ctx, n, "perm has %zu entries for rank %d", np, r);
	for (int i = 0; i < r; i++) {
		p[i] = perm ? perm[i] : r - 1 - i;
		if (p[i] < 0)
			p[i] += r;
		if (p[i] < 0 || p[i] >= r || seen[p[i]]++)
			return gr_node_error(ctx, n, "perm is not a permutation of 0..%d", r - 1);
		out[i] = x->dims[p[i]];
	}
	if ((st = gr_set_dims(ctx, y, x->dtype, r, out)))
		return st;
	if (y && vals_get(x, &v) && gr_shape_known(x)) {
		int64_t d[GR_MAX_RANK], od[GR_MAX_RANK], s[GR_MAX_RANK], c[GR_MAX_RANK], m;
		int64_t *idx = idx_alloc(y, &m);
		if (!idx)
			return GR_OK;
		dims_of(x, d);
		dims_of(y, od);
		strides_of(d, r, s);
		for (int64_t k = 0; k < m; k++) {
			int64_t src = 0;
			unflatten(k, od, r, c);
			for (int i = 0; i < r; i++)
				src += c[i] * s[p[i]];
			idx[k] = src;
		}
		st = fold_map(ctx, y, &v, idx, m);
		free(idx);
	}
	return st;
}

void op_transpose_cost(const gr_node *n, gr_cost *c)
{
	gr_cost_io_bytes(n, c);
}

/* --- Concat, Split --------------------------------------------------------- */

gr_status op_concat_shape(gr_infer *ctx, gr_node *n)
{
	const gr_tensor *first = NULL;
	gr_tensor *y = gr_out(n, 0);
	int r = -1, a, all_vals = 1, any_float = 0;
	gr_dim out[GR_MAX_RANK];
	gr_dtype dt = GR_DTYPE_UNDEFINED;
	int64_t sum = 0, axis;
	int sum_known = 1;
	gr_status st;

	if (!gr_attr_find(n, "axis") && node_opset(n) >= 4)
		return gr_node_error(ctx, n, "missing attribute 'axis'");
	axis = gr_attr_int(n, "axis", 1);
	for (size_t i = 0; i < n->n_in; i++) {
		const gr_tensor *t = n->in[i];
		if (!t)
			continue;
		if (dt == GR_DTYPE_UNDEFINED)
			dt = t->dtype;
		if (t->rank >= 0 && !first) {
			first = t;
			r = t->rank;
		}
	}
	if (!first)
		return set_unknown(ctx, y, dt);
	if ((a = gr_axis(ctx, n, axis, r)) < 0)
		return GR_ERR_SHAPE;
	for (int k = 0; k < r; k++)
		out[k] = dim_unknown();
	for (size_t i = 0; i < n->n_in; i++) {
		const gr_tensor *t = n->in[i];
		if (!t)
			continue;
		if (t->rank < 0) {
			sum_known = 0;
			continue;
		}
		if (t->rank != r)
			return gr_node_error(ctx, n, "input %zu has rank %d, expected %d", i, t->rank, r);
		for (int k = 0; k < r; k++) {
			const gr_dim *d = &t->dims[k];
			if (k == a) {
				if (d->value < 0)
					sum_known = 0;
				else if (!gr_add_i64(sum, d->value, &sum))
					return gr_node_error(ctx, n, "concatenated dim overflows");
				continue;
			}
			if (d->value >= 0) {
				if (out[k].value >= 0 && out[k].value != d->value)
					return gr_node_error(ctx, n, "input %zu dim %d is %lld, expected %lld",
							     i, k, (long long)d->value,
							     (long long)out[k].value);
				out[k] = *d;
			} else if (out[k].value < 0 && !out[k].sym) {
				out[k] = *d;
			}
		}
	}
	out[a] = sum_known ? dim_known(sum) : dim_unknown();
	/* A single-input concat along an unknown symbolic dim keeps it. */
	if (!sum_known && n->n_in == 1 && n->in[0] && n->in[0]->rank == r)
		out[a] = n->in[0]->dims[a];
	if ((st = gr_set_dims(ctx, y, dt, r, out)))
		return st;
	/* Fold when every input carries values (the Shape -> Concat -> Reshape pattern). */
	for (size_t i = 0; i < n->n_in; i++) {
		vals v;
		if (!n->in[i])
			continue;
		if (!vals_get(n->in[i], &v) || !gr_shape_known(n->in[i])) {
			all_vals = 0;
			break;
		}
		if (v.f)
			any_float = 1;
	}
	if (y && all_vals && gr_shape_known(y) && gr_numel(y) <= GR_FOLD_MAX) {
		int64_t m = gr_numel(y), outer, inner, pos = 0, *ib;
		double *fb;
		if ((st = gr_dims_prod(ctx, n, y, 0, a, &outer)) ||
		    (st = gr_dims_prod(ctx, n, y, a + 1, r, &inner)))
			return st;
		ib = any_float ? NULL : malloc((size_t)(m ? m : 1) * sizeof(int64_t));
		fb = any_float ? malloc((size_t)(m ? m : 1) * sizeof(double)) : NULL;
		if (!ib && !fb)
			return gr_error_set(ctx->err, GR_ERR_NOMEM, "out of memory");
		for (int64_t o = 0; o < outer; o++) {
			for (size_t i = 0; i < n->n_in; i++) {
				vals v;
				int64_t chunk;
				if (!n->in[i])
					continue;
				vals_get(n->in[i], &v);
				chunk = n->in[i]->dims[a].value * inner;
				for (int64_t j = 0; j < chunk && pos < m; j++, pos++) {
					if (ib)
						ib[pos] = vals_i(&v, o * chunk + j);
					else
						fb[pos] = vals_f(&v, o * chunk + j);
				}
			}
		}
		{
			vals ov = {ib, fb, m};
			st = fold_map(ctx, y, &ov, NULL, m);
		}
		free(ib);
		free(fb);
	}
	return st;
}

void op_concat_cost(const gr_node *n, gr_cost *c)
{
	gr_cost_io_bytes(n, c);
}

gr_status op_split_shape(gr_infer *ctx, gr_node *n)
{
	const gr_tensor *x = gr_in(n, 0), *st_in = gr_in(n, 1);
	int64_t nout = gr_attr_int(n, "num_outputs", (int64_t)n->n_out);
	int64_t sizes[256], nsz = 0, axis = gr_attr_int(n, "axis", 0);
	int sizes_known = 0, a;
	gr_dim out[GR_MAX_RANK];
	gr_status st;

	if (!x)
		return gr_node_error(ctx, n, "missing input 'input'");
	if (n->n_out > 256)
		return gr_node_error(ctx, n, "%zu outputs (limit 256)", n->n_out);
	if (x->rank < 0) {
		for (size_t o = 0; o < n->n_out; o++)
			if ((st = set_unknown(ctx, n->out[o], x->dtype)))
				return st;
		return GR_OK;
	}
	if ((a = gr_axis(ctx, n, axis, x->rank)) < 0)
		return GR_ERR_SHAPE;
	if (gr_attr_find(n, "split")) {
		size_t ns;
		const int64_t *s = gr_attr_ints(n, "split", &ns);
		if (ns > 256)
			return gr_node_error(ctx, n, "split has %zu entries (limit 256)", ns);
		for (size_t k = 0; k < ns; k++)
			sizes[k] = s[k];
		nsz = (int64_t)ns;
		sizes_known = 1;
	} else if (st_in) {
		int ok;
		const int64_t *s = ints_of(ctx, st_in, &nsz, &ok);
		if (ok) {
			if (nsz > 256)
				return gr_node_error(ctx, n, "split has %lld entries (limit 256)",
						     (long long)nsz);
			for (int64_t k = 0; k < nsz; k++)
				sizes[k] = s[k];
			sizes_known = 1;
		}
	} else {
		int64_t d = x->dims[a].value;
		if (nout <= 0)
			return gr_node_error(ctx, n, "num_outputs must be positive");
		if (nout > 256)
			return gr_node_error(ctx, n, "num_outputs %lld (limit 256)", (long long)nout);
		if (d >= 0) {
			/* Opset 18: ceil-sized chunks, the last one smaller; earlier opsets require
			 * an even split, which this gives too. */
			int64_t chunk = (d + nout - 1) / nout;
			for (int64_t k = 0; k < nout; k++) {
				int64_t left = d - chunk * k;
				sizes[k] = left < 0 ? 0 : left < chunk ? left : chunk;
			}
			nsz = nout;
			sizes_known = 1;
		}
	}
	if (sizes_known) {
		int64_t total = 0;
		if (nsz != (int64_t)n->n_out)
			return gr_node_error(ctx, n, "split has %lld sizes for %zu outputs",
					     (long long)nsz, n->n_out);
		for (int64_t k = 0; k < nsz; k++) {
			if (sizes[k] < 0 || !gr_add_i64(total, sizes[k], &total))
				return gr_node_error(ctx, n, "bad split size %lld", (long long)sizes[k]);
		}
		if (x->dims[a].value >= 0 && total != x->dims[a].value)
			return gr_node_error(ctx, n, "split sizes add up to %lld, dim is %lld",
					     (long long)total, (long long)x->dims[a].value);
	}
	{
		int64_t off = 0;
		vals v;
		int can_fold = vals_get(x, &v) && gr_shape_known(x) && sizes_known;
		for (size_t o = 0; o < n->n_out; o++) {
			gr_tensor *y = n->out[o];
			memcpy(out, x->dims, (size_t)x->rank * sizeof(gr_dim));
			if (sizes_known)
				out[a] = dim_known(sizes[o]);
			else if (n->n_out == 1)
				out[a] = x->dims[a];
			else
				out[a] = dim_unknown();
			if ((st = gr_set_dims(ctx, y, x->dtype, x->rank, out)))
				return st;
			if (y && can_fold) {
				int64_t m, inner, *idx;
				if ((st = gr_dims_prod(ctx, n, x, a + 1, x->rank, &inner)))
					return st;
				idx = idx_alloc(y, &m);
				if (idx) {
					for (int64_t k = 0; k < m; k++) {
						int64_t in_ = inner ? k % inner : 0, rest = inner ? k / inner : 0;
						int64_t j = sizes[o] ? rest % sizes[o] : 0;
						int64_t ou = sizes[o] ? rest / sizes[o] : 0;
						idx[k] = (ou * x->dims[a].value + off + j) * inner + in_;
					}
					st = fold_map(ctx, y, &v, idx, m);
					free(idx);
					if (st)
						return st;
				}
			}
			if (sizes_known)
				off += sizes[o];
		}
	}
	return GR_OK;
}

void op_split_cost(const gr_node *n, gr_cost *c)
{
	gr_cost_io_bytes(n, c);
}

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
	int64_t ns = 0, ne = 0, nax = 0, nst = 0, b[GR_MAX_RANK], s[GR_MAX_RANK];
	int ok_s, ok_e, ok_a = 1, ok_t = 1, r, touched[GR_MAX_RANK] = {0};
	gr_dim out[GR_MAX_RANK];
	gr_status st;
	vals v;

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
		starts = ints_of(ctx, gr_in(n, 1), &ns, &ok_s);
		ends = ints_of(ctx, gr_in(n, 2), &ne, &ok_e);
		if (gr_in(n, 3))
			axes = ints_of(ctx, gr_in(n, 3), &nax, &ok_a);
		if (gr_in(n, 4))
			steps = ints_of(ctx, gr_in(n, 4), &nst, &ok_t);
	}
	if (x->rank < 0)
		return set_unknown(ctx, y, x->dtype);
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
				out[a] = dim_unknown();
			}
		} else if (!gr_in(n, 3) && (ok_s || ok_e || gr_in(n, 1))) {
			const gr_tensor *bt = ok_s ? NULL : gr_in(n, 1);
			int64_t cnt = ok_s ? ns : ok_e ? ne
				    : (bt && bt->rank == 1 && bt->dims[0].value >= 0) ? bt->dims[0].value : r;
			for (int64_t k = 0; k < cnt && k < r; k++)
				out[k] = dim_unknown();
		} else {
			for (int k = 0; k < r; k++)
				out[k] = dim_unknown();
		}
		return gr_set_dims(ctx, y, x->dtype, r, out);
	}
	if (ns != ne || (axes && nax != ns) || (steps && nst != ns))
		return gr_node_error(ctx, n, "starts, ends, axes and steps differ in length");
	for (int k = 0; k < r; k++) {
		b[k] = 0;
		s[k] = 1;
	}
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
				out[a] = dim_unknown();
			continue;
		}
		out[a] = dim_known(slice_len(dim, &start, &end, step));
		b[a] = start;
		s[a] = step;
	}
	if ((st = gr_set_dims(ctx, y, x->dtype, r, out)))
		return st;
	if (y && vals_get(x, &v) && gr_shape_known(x) && gr_shape_known(y)) {
		int64_t d[GR_MAX_RANK], od[GR_MAX_RANK], str[GR_MAX_RANK], c[GR_MAX_RANK], m;
		int64_t *idx = idx_alloc(y, &m);
		if (!idx)
			return GR_OK;
		dims_of(x, d);
		dims_of(y, od);
		strides_of(d, r, str);
		for (int64_t k = 0; k < m; k++) {
			int64_t src = 0;
			unflatten(k, od, r, c);
			for (int i = 0; i < r; i++)
				src += (b[i] + c[i] * s[i]) * str[i];
			idx[k] = src;
		}
		st = fold_map(ctx, y, &v, idx, m);
		free(idx);
	}
	return st;
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

/* --- Expand, Tile ------------------------------------------------------------ */

gr_status op_expand_shape(gr_infer *ctx, gr_node *n)
{
	const gr_tensor *x = gr_in(n, 0), *shp = gr_in(n, 1);
	gr_tensor *y = gr_out(n, 0);
	const int64_t *tv;
	int64_t tn;
	int ok, r;
	gr_dim out[GR_MAX_RANK];
	gr_status st;
	vals v;

	if (!x || !shp)
		return gr_node_error(ctx, n, "missing input");
	tv = ints_of(ctx, shp, &tn, &ok);
	if (x->rank < 0)
		return set_unknown(ctx, y, x->dtype);
	if (!ok) {
		int64_t L = shp->rank == 1 ? shp->dims[0].value : -1;
		if (L < 0)
			return set_unknown(ctx, y, x->dtype);
		r = (int)(L > x->rank ? L : x->rank);
		if (r > GR_MAX_RANK)
			return gr_node_error(ctx, n, "rank %d exceeds the limit", r);
		for (int k = 0; k < r; k++) {
			int j = k - (r - x->rank);
			/* A known input dim > 1 survives whatever the (1 or equal) target says. */
			out[k] = j >= 0 && x->dims[j].value > 1 ? x->dims[j] : dim_unknown();
		}
		return gr_set_dims(ctx, y, x->dtype, r, out);
	}
	r = (int)(tn > x->rank ? tn : x->rank);
	if (r > GR_MAX_RANK)
		return gr_node_error(ctx, n, "rank %d exceeds the limit", r);
	for (int k = 0; k < r; k++) {
		int j = k - (r - x->rank), t = k - (r - (int)tn);
		gr_dim a = j >= 0 ? x->dims[j] : dim_known(1);
		int64_t bv = t >= 0 ? tv[t] : 1;
		if (bv < 0)
			return gr_node_error(ctx, n, "negative target dim %lld", (long long)bv);
		if (bv == 1)
			out[k] = a;
		else if (a.value == 1 || a.value == bv)
			out[k] = dim_known(bv);
		else if (a.value < 0)
			out[k] = dim_known(bv); /* the unknown dim must be 1 or bv: either way bv */
		else
			return gr_node_error(ctx, n, "cannot expand dim %lld to %lld",
					     (long long)a.value, (long long)bv);
	}
	if ((st = gr_set_dims(ctx, y, x->dtype, r, out)))
		return st;
	if (y && vals_get(x, &v) && gr_shape_known(x) && gr_shape_known(y)) {
		int64_t d[GR_MAX_RANK], od[GR_MAX_RANK], str[GR_MAX_RANK], c[GR_MAX_RANK], m;
		int64_t *idx = idx_alloc(y, &m);
		int off = r - x->rank;
		if (!idx)
			return GR_OK;
		dims_of(x, d);
		dims_of(y, od);
		strides_of(d, x->rank, str);
		for (int64_t k = 0; k < m; k++) {
			int64_t src = 0;
			unflatten(k, od, r, c);
			for (int i = 0; i < x->rank; i++)
				src += (d[i] == 1 ? 0 : c[i + off]) * str[i];
			idx[k] = src;
		}
		st = fold_map(ctx, y, &v, idx, m);
		free(idx);
	}
	return st;
}

void op_expand_cost(const gr_node *n, gr_cost *c)
{
	gr_cost_io_bytes(n, c);
}

gr_status op_tile_shape(gr_infer *ctx, gr_node *n)
{
	const gr_tensor *x = gr_in(n, 0), *rep = gr_in(n, 1);
	gr_tensor *y = gr_out(n, 0);
	const int64_t *rv;
	int64_t rn;
	int ok, r;
	gr_dim out[GR_MAX_RANK];
	gr_status st;
	vals v;

	if (!x || !rep)
		return gr_node_error(ctx, n, "missing input");
	rv = ints_of(ctx, rep, &rn, &ok);
	if (x->rank < 0)
		return set_unknown(ctx, y, x->dtype);
	r = x->rank;
	if (!ok)
		return set_rank_only(ctx, y, x->dtype, r);
	if (rn != r)
		return gr_node_error(ctx, n, "repeats has %lld entries for rank %d", (long long)rn, r);
	for (int k = 0; k < r; k++) {
		if (rv[k] < 0)
			return gr_node_error(ctx, n, "negative repeat %lld", (long long)rv[k]);
		if (rv[k] == 1) {
			out[k] = x->dims[k];
		} else if (x->dims[k].value >= 0) {
			int64_t tiled;
			if (!gr_mul_i64(x->dims[k].value, rv[k], &tiled))
				return gr_node_error(ctx, n, "repeats overflow dim %d", k);
			out[k] = dim_known(tiled);
		} else {
			out[k] = rv[k] == 0 ? dim_known(0) : dim_unknown();
		}
	}
	if ((st = gr_set_dims(ctx, y, x->dtype, r, out)))
		return st;
	if (y && vals_get(x, &v) && gr_shape_known(x) && gr_shape_known(y)) {
		int64_t d[GR_MAX_RANK], od[GR_MAX_RANK], str[GR_MAX_RANK], c[GR_MAX_RANK], m;
		int64_t *idx = idx_alloc(y, &m);
		if (!idx)
			return GR_OK;
		dims_of(x, d);
		dims_of(y, od);
		strides_of(d, r, str);
		for (int64_t k = 0; k < m; k++) {
			int64_t src = 0;
			unflatten(k, od, r, c);
			for (int i = 0; i < r; i++)
				src += (c[i] % d[i]) * str[i];
			idx[k] = src;
		}
		st = fold_map(ctx, y, &v, idx, m);
		free(idx);
	}
	return st;
}

void op_tile_cost(const gr_node *n, gr_cost *c)
{
	gr_cost_io_bytes(n, c);
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
		pads = ints_of(ctx, gr_in(n, 1), &np, &ok);
		if (!gr_in(n, 1))
			return gr_node_error(ctx, n, "missing pads");
	}
	if (gr_in(n, 3))
		axes = ints_of(ctx, gr_in(n, 3), &nax, &ok_a);
	if (x->rank < 0)
		return set_unknown(ctx, y, x->dtype);
	r = x->rank;
	if (r > 0) /* a scalar has no dims array */
		memcpy(out, x->dims, (size_t)r * sizeof(gr_dim));
	if (!ok_a)
		return set_rank_only(ctx, y, x->dtype, r);
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
			out[ax[k]] = dim_unknown();
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
			out[ax[k]] = dim_unknown();
			continue;
		}
		if (!gr_add_i64(d.value, add, &sum))
			return gr_node_error(ctx, n, "pads overflow");
		if (sum < 0)
			return gr_node_error(ctx, n, "pads crop axis %lld below zero", (long long)ax[k]);
		out[ax[k]] = dim_known(d.value + add);
	}
	return gr_set_dims(ctx, y, x->dtype, r, out);
}

void op_pad_cost(const gr_node *n, gr_cost *c)
{
	gr_cost_io_bytes(n, c);
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
		return set_unknown(ctx, y, x->dtype);
	r = x->rank;
	sv = ints_of(ctx, shp, &sn, &ok);
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
		out[a] = ok ? dim_known(sv[k]) : dim_unknown();
		if (ok && sv[k] < 0)
			return gr_node_error(ctx, n, "negative target dim");
	}
	return gr_set_dims(ctx, y, x->dtype, r, out);
}

void op_center_crop_pad_cost(const gr_node *n, gr_cost *c)
{
	gr_cost_io_bytes(n, c);
}

/* --- Resize, Upsample ----------------------------------------------------------- */

/* A present input that is not a known-empty tensor (opset 11-12 pass "" or an empty
 * tensor for the unused one of scales/sizes). */
static int input_given(const gr_tensor *t)
{
	if (!t)
		return 0;
	if (gr_shape_known(t) && gr_numel(t) == 0)
		return 0;
	if (t->has_value && t->nval == 0)
		return 0;
	return 1;
}

gr_status op_resize_shape(gr_infer *ctx, gr_node *n)
{
	const gr_tensor *x = gr_in(n, 0), *scales = NULL, *sizes = NULL;
	gr_tensor *y = gr_out(n, 0);
	const int64_t *axes_attr;
	size_t naa;
	int r, nax, ax[GR_MAX_RANK];
	gr_dim out[GR_MAX_RANK];
	int64_t cnt;

	if (!x)
		return gr_node_error(ctx, n, "missing input 'X'");
	if (n->op == GR_OP_UPSAMPLE || node_opset(n) < 11) {
		scales = gr_in(n, 1); /* Upsample-9, Resize-10: (X, scales) */
	} else {
		scales = gr_in(n, 2);
		sizes = gr_in(n, 3);
	}
	if (x->rank < 0)
		return set_unknown(ctx, y, x->dtype);
	r = x->rank;
	if (r > 0) /* a scalar has no dims array */
		memcpy(out, x->dims, (size_t)r * sizeof(gr_dim));
	axes_attr = gr_attr_ints(n, "axes", &naa);
	nax = axes_attr ? (int)naa : r;
	if (nax > r)
		return gr_node_error(ctx, n, "%d axes for rank %d", nax, r);
	for (int k = 0; k < nax; k++) {
		ax[k] = axes_attr ? gr_axis(ctx, n, axes_attr[k], r) : k;
		if (ax[k] < 0)
			return GR_ERR_SHAPE;
	}
	if (input_given(sizes)) {
		int ok;
		const int64_t *sv = ints_of(ctx, sizes, &cnt, &ok);
		const char *policy = gr_attr_str(n, "keep_aspect_ratio_policy", "stretch");
		if (!ok) {
			for (int k = 0; k < nax; k++)
				out[ax[k]] = dim_unknown();
			return gr_set_dims(ctx, y, x->dtype, r, out);
		}
		if (cnt != nax)
			return gr_node_error(ctx, n, "sizes has %lld entries for %d axes", (long long)cnt,
					     nax);
		if (strcmp(policy, "stretch") != 0) {
			/* Opset 18: one scale for all axes, the smallest (not_larger) or largest. */
			int larger = strcmp(policy, "not_smaller") == 0;
			double scale = larger ? 0 : INFINITY;
			for (int k = 0; k < nax; k++) {
				double s;
				if (x->dims[ax[k]].value <= 0) {
					for (int j = 0; j < nax; j++)
						out[ax[j]] = dim_unknown();
					return gr_set_dims(ctx, y, x->dtype, r, out);
				}
				s = (double)sv[k] / (double)x->dims[ax[k]].value;
				scale = larger ? fmax(scale, s) : fmin(scale, s);
			}
			for (int k = 0; k < nax; k++) {
				double v = floor(scale * (double)x->dims[ax[k]].value + 0.5);
				if (!(v < 1.1e15))
					return gr_node_error(ctx, n, "sizes are too large");
				out[ax[k]] = dim_known((int64_t)v);
			}
			return gr_set_dims(ctx, y, x->dtype, r, out);
		}
		for (int k = 0; k < nax; k++) {
			if (sv[k] < 0)
				return gr_node_error(ctx, n, "negative size");
			out[ax[k]] = dim_known(sv[k]);
		}
		return gr_set_dims(ctx, y, x->dtype, r, out);
	}
	{
		const double *scv = NULL;
		size_t ns = 0;
		if (input_given(scales)) {
			scv = gr_values_f64(ctx, scales, &cnt);
			ns = (size_t)cnt;
		} else if (gr_attr_find(n, "scales")) { /* Upsample-7 */
			scv = gr_attr_floats(n, "scales", &ns);
		} else {
			return gr_node_error(ctx, n, "neither scales nor sizes given");
		}
		if (!scv) {
			for (int k = 0; k < nax; k++)
				out[ax[k]] = dim_unknown();
			return gr_set_dims(ctx, y, x->dtype, r, out);
		}
		if ((int)ns != nax)
			return gr_node_error(ctx, n, "scales has %zu entries for %d axes", ns, nax);
		for (int k = 0; k < nax; k++) {
			gr_dim d = x->dims[ax[k]];
			if (scv[k] <= 0)
				return gr_node_error(ctx, n, "scale %g is not positive", scv[k]);
			if (scv[k] == 1.0)
				continue;
			/* floor(dim * scale), computed in float like the reference implementation. */
			if (d.value < 0) {
				out[ax[k]] = dim_unknown();
			} else {
				float v = floorf((float)d.value * (float)scv[k]);
				if (!(v < 1.1e15f))
					return gr_node_error(ctx, n, "scale %g makes axis %d too large", scv[k],
							     ax[k]);
				out[ax[k]] = dim_known((int64_t)v);
			}
		}
	}
	return gr_set_dims(ctx, y, x->dtype, r, out);
}

/* Resize FLOPs per output element. Convention: an interpolating mode reads `taps` input
 * elements and spends one multiply and one add on each (2 FLOPs per tap); nearest reads one
 * and computes nothing. With k = the number of axes whose size changes, taps = 2^k for
 * linear (bilinear: 4 taps, 8 FLOPs) and 4^k for cubic (bicubic: 16 taps, 32 FLOPs).
 * Coordinate transformation arithmetic is not counted. */
void op_resize_cost(const gr_node *n, gr_cost *c)
{
	const gr_tensor *x = gr_in(n, 0), *y = gr_out(n, 0);
	const char *mode = gr_attr_str(n, "mode", "nearest");
	int k = 0, per_axis = 0;
	double taps = 1;

	gr_cost_io_bytes(n, c);
	if (!x || !y || x->rank != y->rank)
		return;
	if (strcmp(mode, "linear") == 0 || strcmp(mode, "bilinear") == 0 || strcmp(mode, "trilinear") == 0)
		per_axis = 2;
	else if (strcmp(mode, "cubic") == 0 || strcmp(mode, "bicubic") == 0)
		per_axis = 4;
	if (!per_axis)
		return;
	for (int i = 0; i < x->rank; i++)
		if (x->dims[i].value != y->dims[i].value)
			k++;
	for (int i = 0; i < k; i++)
		taps *= per_axis;
	if (k && gr_numel(y) > 0)
		c->flops += 2.0 * taps * (double)gr_numel(y);
}

/* --- DepthToSpace, SpaceToDepth --------------------------------------------------- */

gr_status op_depth_space_shape(gr_infer *ctx, gr_node *n)
{
	const gr_tensor *x = gr_in(n, 0);
	gr_tensor *y = gr_out(n, 0);
	int64_t b = gr_attr_int(n, "blocksize", 0), bb;
	gr_dim out[4];

	if (!x)
		return gr_node_error(ctx, n, "missing input 'input'");
	if (b <= 0 || !gr_mul_i64(b, b, &bb))
		return gr_node_error(ctx, n, "blocksize must be positive");
	if (x->rank < 0)
		return set_rank_only(ctx, y, x->dtype, 4);
	if (x->rank != 4)
		return gr_node_error(ctx, n, "input must have rank 4, has %d", x->rank);
	out[0] = x->dims[0];
	if (n->op == GR_OP_DEPTH_TO_SPACE) {
		int64_t c = x->dims[1].value;
		if (c >= 0 && c % bb)
			return gr_node_error(ctx, n, "channels %lld not divisible by %lld", (long long)c,
					     (long long)bb);
		out[1] = c >= 0 ? dim_known(c / bb) : dim_unknown();
		for (int i = 2; i < 4; i++) {
			int64_t v;
			if (x->dims[i].value >= 0 && !gr_mul_i64(x->dims[i].value, b, &v))
				return gr_node_error(ctx, n, "blocksize overflows dim %d", i);
			out[i] = x->dims[i].value >= 0 ? dim_known(v) : dim_unknown();
		}
	} else {
		int64_t v;
		if (x->dims[1].value >= 0 && !gr_mul_i64(x->dims[1].value, bb, &v))
			return gr_node_error(ctx, n, "blocksize overflows the channels");
		out[1] = x->dims[1].value >= 0 ? dim_known(v) : dim_unknown();
		for (int i = 2; i < 4; i++) {
			int64_t d = x->dims[i].value;
			if (d >= 0 && d % b)
				return gr_node_error(ctx, n, "dim %d (%lld) not divisible by %lld", i,
						     (long long)d, (long long)b);
			out[i] = d >= 0 ? dim_known(d / b) : dim_unknown();
		}
	}
	return gr_set_dims(ctx, y, x->dtype, 4, out);
}

void op_depth_space_cost(const gr_node *n, gr_cost *c)
{
	gr_cost_io_bytes(n, c);
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

void op_identity_cost(const gr_node *n, gr_cost *c)
{
	cost_view(n, c);
}

/* Ops whose output has the shape of input 0 and that copy data (ReverseSequence). */
gr_status op_identity_data_shape(gr_infer *ctx, gr_node *n)
{
	if (!gr_in(n, 0))
		return gr_node_error(ctx, n, "missing input 0");
	return gr_copy_shape(ctx, gr_out(n, 0), gr_in(n, 0), GR_DTYPE_UNDEFINED);
}

void op_identity_data_cost(const gr_node *n, gr_cost *c)
{
	gr_cost_io_bytes(n, c);
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
			     node_opset(n) >= 10 ? GR_DTYPE_BOOL : x->dtype);
}

void op_dropout_cost(const gr_node *n, gr_cost *c)
{
	/* Inference-mode Dropout is the identity; computing a mask reads and writes. */
	if (gr_out(n, 1))
		gr_cost_io_bytes(n, c);
}

/* --- Constant, ConstantOfShape, Range, EyeLike, Trilu, OneHot --------------------- */

gr_status op_constant_shape(gr_infer *ctx, gr_node *n)
{
	gr_tensor *y = gr_out(n, 0);
	const gr_attr *a;
	gr_status st = GR_OK;
	int64_t len;

	if (!y)
		return GR_OK;
	if ((a = gr_attr_find(n, "value")) || (a = gr_attr_find(n, "sparse_value"))) {
		const gr_tensor *t = a->t;
		if (!t)
			return gr_node_error(ctx, n, "attribute '%s' holds no tensor", a->name);
		if ((st = gr_copy_shape(ctx, y, t, GR_DTYPE_UNDEFINED)))
			return st;
		if (a->type == GR_ATTR_TENSOR && t->has_value && t->nval <= GR_FOLD_MAX &&
		    (t->rank < 0 || gr_numel(t) == t->nval)) {
			if (t->ival)
				st = gr_tensor_set_i64(y->owner, y, t->ival, t->nval);
			else if (t->fval)
				st = gr_tensor_set_f64(y->owner, y, t->fval, t->nval);
		}
	} else if ((a = gr_attr_find(n, "value_float"))) {
		double f = a->f;
		if (!(st = gr_set_shape(ctx, y, GR_DTYPE_FLOAT, 0, NULL)))
			st = gr_tensor_set_f64(y->owner, y, &f, 1);
	} else if ((a = gr_attr_find(n, "value_floats"))) {
		len = (int64_t)a->n;
		if (!(st = gr_set_shape(ctx, y, GR_DTYPE_FLOAT, 1, &len)) && len <= GR_FOLD_MAX &&
		    (a->floats || !len))
			st = gr_tensor_set_f64(y->owner, y, a->floats, len);
	} else if ((a = gr_attr_find(n, "value_int"))) {
		int64_t i = a->i;
		if (!(st = gr_set_shape(ctx, y, GR_DTYPE_INT64, 0, NULL)))
			st = gr_tensor_set_i64(y->owner, y, &i, 1);
	} else if ((a = gr_attr_find(n, "value_ints"))) {
		len = (int64_t)a->n;
		if (!(st = gr_set_shape(ctx, y, GR_DTYPE_INT64, 1, &len)) && len <= GR_FOLD_MAX &&
		    (a->ints || !len))
			st = gr_tensor_set_i64(y->owner, y, a->ints, len);
	} else if ((a = gr_attr_find(n, "value_string"))) {
		st = gr_set_shape(ctx, y, GR_DTYPE_STRING, 0, NULL);
	} else if ((a = gr_attr_find(n, "value_strings"))) {
		len = (int64_t)a->n;
		st = gr_set_shape(ctx, y, GR_DTYPE_STRING, 1, &len);
	} else {
		return gr_node_error(ctx, n, "no value attribute");
	}
	if (st == GR_ERR_NOMEM)
		return gr_error_set(ctx->err, GR_ERR_NOMEM, "out of memory");
	return st == GR_ERR_LIMIT ? GR_OK : st;
}

void op_constant_cost(const gr_node *n, gr_cost *c)
{
	cost_view(n, c); /* materialized once, like an initializer */
}

gr_status op_constant_of_shape_shape(gr_infer *ctx, gr_node *n)
{
	const gr_tensor *shp = gr_in(n, 0);
	gr_tensor *y = gr_out(n, 0);
	const gr_attr *a = gr_attr_find(n, "value");
	const gr_tensor *vt = a ? a->t : NULL;
	gr_dtype dt = vt ? vt->dtype : GR_DTYPE_FLOAT;
	const int64_t *sv;
	int64_t sn, m;
	int ok;
	gr_status st;

	if (!shp)
		return gr_node_error(ctx, n, "missing input 'input'");
	sv = ints_of(ctx, shp, &sn, &ok);
	if (!ok) {
		if (shp->rank == 1 && shp->dims[0].value >= 0)
			return set_rank_only(ctx, y, dt, shp->dims[0].value);
		return set_unknown(ctx, y, dt);
	}
	if (sn > GR_MAX_RANK)
		return gr_node_error(ctx, n, "shape has %lld dims (limit %d)", (long long)sn, GR_MAX_RANK);
	for (int64_t k = 0; k < sn; k++)
		if (sv[k] < 0)
			return gr_node_error(ctx, n, "negative dim %lld", (long long)sv[k]);
	if ((st = gr_set_shape(ctx, y, dt, (int)sn, sv)))
		return st;
	m = gr_numel(y);
	if (y && m >= 0 && m <= GR_FOLD_MAX) {
		vals v = {NULL, NULL, 1};
		int64_t zi = 0, *idx = calloc((size_t)(m ? m : 1), sizeof(int64_t));
		if (!idx)
			return gr_error_set(ctx->err, GR_ERR_NOMEM, "out of memory");
		if (!vt)
			v.i = &zi; /* float 0 */
		else if (!vals_get(vt, &v) || v.n < 1)
			v.n = 0;
		if (v.n)
			st = fold_map(ctx, y, &v, idx, m);
		free(idx);
	}
	return st;
}

void op_constant_of_shape_cost(const gr_node *n, gr_cost *c)
{
	cost_write_only(n, c);
}

gr_status op_range_shape(gr_infer *ctx, gr_node *n)
{
	const gr_tensor *s = gr_in(n, 0), *l = gr_in(n, 1), *d = gr_in(n, 2);
	gr_tensor *y = gr_out(n, 0);
	vals vs, vl, vd;
	int64_t len;
	gr_status st;

	if (!s || !l || !d)
		return gr_node_error(ctx, n, "missing input");
	if (!vals_get(s, &vs) || !vals_get(l, &vl) || !vals_get(d, &vd) || vs.n != 1 || vl.n != 1 ||
	    vd.n != 1)
		return set_rank_only(ctx, y, s->dtype, 1);
	if (!gr_dtype_is_float(s->dtype) && vs.i && vl.i && vd.i) {
		int64_t a = vs.i[0], b = vl.i[0], dl = vd.i[0];
		if (dl == 0)
			return gr_node_error(ctx, n, "delta is 0");
		/* ceil((limit - start) / delta) in exact integer arithmetic */
		if (dl > 0)
			len = b > a ? (b - a + dl - 1) / dl : 0;
		else
			len = a > b ? (a - b + (-dl) - 1) / (-dl) : 0;
	} else {
		double a = vals_f(&vs, 0), b = vals_f(&vl, 0), dl = vals_f(&vd, 0), q;
		if (dl == 0)
			return gr_node_error(ctx, n, "delta is 0");
		q = ceil((b - a) / dl);
		if (isnan(q) || q >= 1e15)
			return gr_node_error(ctx, n, "range of %g to %g by %g is too long", a, b, dl);
		len = q > 0 ? (int64_t)q : 0;
	}
	if ((st = gr_set_shape(ctx, y, s->dtype, 1, &len)))
		return st;
	if (y && len <= GR_FOLD_MAX) {
		if (gr_dtype_is_float(s->dtype) || !vs.i || !vd.i) {
			double *buf = malloc((size_t)(len ? len : 1) * sizeof(double));
			if (!buf)
				return gr_error_set(ctx->err, GR_ERR_NOMEM, "out of memory");
			for (int64_t k = 0; k < len; k++)
				buf[k] = vals_f(&vs, 0) + (double)k * vals_f(&vd, 0);
			st = gr_tensor_set_f64(y->owner, y, buf, len);
			free(buf);
		} else {
			int64_t *buf = malloc((size_t)(len ? len : 1) * sizeof(int64_t));
			if (!buf)
				return gr_error_set(ctx->err, GR_ERR_NOMEM, "out of memory");
			for (int64_t k = 0; k < len; k++)
				buf[k] = vs.i[0] + k * vd.i[0];
			st = gr_tensor_set_i64(y->owner, y, buf, len);
			free(buf);
		}
		if (st)
			return gr_error_set(ctx->err, GR_ERR_NOMEM, "out of memory");
	}
	return GR_OK;
}

void op_range_cost(const gr_node *n, gr_cost *c)
{
	gr_cost_elementwise(n, c, gr_op_table[n->op].flops_per_elem);
}

gr_status op_eye_like_shape(gr_infer *ctx, gr_node *n)
{
	const gr_tensor *x = gr_in(n, 0);
	gr_dtype dt;

	if (!x)
		return gr_node_error(ctx, n, "missing input 'input'");
	dt = (gr_dtype)gr_attr_int(n, "dtype", x->dtype);
	if (x->rank >= 0 && x->rank != 2)
		return gr_node_error(ctx, n, "input must have rank 2, has %d", x->rank);
	return gr_copy_shape(ctx, gr_out(n, 0), x, dt);
}

void op_eye_like_cost(const gr_node *n, gr_cost *c)
{
	cost_write_only(n, c);
}

gr_status op_trilu_shape(gr_infer *ctx, gr_node *n)
{
	const gr_tensor *x = gr_in(n, 0);

	if (!x)
		return gr_node_error(ctx, n, "missing input 'input'");
	return gr_copy_shape(ctx, gr_out(n, 0), x, GR_DTYPE_UNDEFINED);
}

void op_trilu_cost(const gr_node *n, gr_cost *c)
{
	gr_cost_io_bytes(n, c);
}

gr_status op_one_hot_shape(gr_infer *ctx, gr_node *n)
{
	const gr_tensor *ind = gr_in(n, 0), *depth = gr_in(n, 1), *values = gr_in(n, 2);
	gr_tensor *y = gr_out(n, 0);
	gr_dtype dt;
	gr_dim out[GR_MAX_RANK];
	int r, a;
	vals v;

	if (!ind || !depth || !values)
		return gr_node_error(ctx, n, "missing input");
	dt = values->dtype;
	if (ind->rank < 0)
		return set_unknown(ctx, y, dt);
	r = ind->rank + 1;
	if (r > GR_MAX_RANK)
		return gr_node_error(ctx, n, "rank %d exceeds the limit", r);
	if ((a = gr_axis(ctx, n, gr_attr_int(n, "axis", -1), r)) < 0)
		return GR_ERR_SHAPE;
	for (int k = 0, j = 0; k < r; k++)
		out[k] = k == a ? dim_unknown() : ind->dims[j++];
	if (vals_get(depth, &v) && v.n == 1) {
		/* A non-integer depth is cast to int64 (truncated) first. */
		double dv = vals_f(&v, 0);
		if (dv < 1 || !(dv < 1e12))
			return gr_node_error(ctx, n, "depth %g is out of range", dv);
		out[a] = dim_known((int64_t)dv);
	}
	return gr_set_dims(ctx, y, dt, r, out);
}

void op_one_hot_cost(const gr_node *n, gr_cost *c)
{
	gr_cost_io_bytes(n, c);
}
