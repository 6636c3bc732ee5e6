/* Ops that generate values rather than move them: Constant, ConstantOfShape, Range,
 * EyeLike, OneHot, and Trilu's triangular mask. Constant, ConstantOfShape and Range fold
 * their (small) values. */
#include <math.h>
#include <stdlib.h>

#include "values.h"

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
			if (t->ival) /* the attribute's values, passed on (never written) */
				gr_tensor_share_i64(y, t->ival, t->nval);
			else if (t->fval)
				gr_tensor_share_f64(y, t->fval, t->nval);
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
	sv = gr_ints_input(ctx, shp, &sn, &ok);
	if (!ok) {
		if (shp->rank == 1 && shp->dims[0].value >= 0)
			return gr_set_rank_only(ctx, y, dt, shp->dims[0].value);
		return gr_set_unknown(ctx, y, dt);
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
			st = gr_fold_map(ctx, y, &v, idx, m);
		free(idx);
	}
	return st;
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
		return gr_set_rank_only(ctx, y, s->dtype, 1);
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

gr_status op_trilu_shape(gr_infer *ctx, gr_node *n)
{
	const gr_tensor *x = gr_in(n, 0);

	if (!x)
		return gr_node_error(ctx, n, "missing input 'input'");
	return gr_copy_shape(ctx, gr_out(n, 0), x, GR_DTYPE_UNDEFINED);
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
		return gr_set_unknown(ctx, y, dt);
	r = ind->rank + 1;
	if (r > GR_MAX_RANK)
		return gr_node_error(ctx, n, "rank %d exceeds the limit", r);
	if ((a = gr_axis(ctx, n, gr_attr_int(n, "axis", -1), r)) < 0)
		return GR_ERR_SHAPE;
	for (int k = 0, j = 0; k < r; k++)
		out[k] = k == a ? gr_dim_unknown() : ind->dims[j++];
	if (vals_get(depth, &v) && v.n == 1) {
		/* A non-integer depth is cast to int64 (truncated) first. */
		double dv = vals_f(&v, 0);
		if (dv < 1 || !(dv < 1e12))
			return gr_node_error(ctx, n, "depth %g is out of range", dv);
		out[a] = gr_dim_known((int64_t)dv);
	}
	return gr_set_dims(ctx, y, dt, r, out);
}
