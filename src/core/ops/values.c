/* Folding known values through data-movement ops: an index map from output elements to
 * input elements (built from a per-axis description for the ops that only move elements),
 * then a copy by the output's dtype. */
#include <stdlib.h>

#include "values.h"

const int64_t *gr_ints_input(gr_infer *ctx, const gr_tensor *t, int64_t *count, int *ok)
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

void gr_strides(const gr_tensor *t, int64_t *s)
{
	int64_t acc = 1;

	for (int i = t->rank - 1; i >= 0; i--) {
		s[i] = acc;
		if (!gr_mul_i64(acc, t->dims[i].value, &acc))
			acc = INT64_MAX;
	}
}

void gr_unflatten(const gr_tensor *t, int64_t k, int64_t *c)
{
	for (int i = t->rank - 1; i >= 0; i--) {
		int64_t d = t->dims[i].value;
		c[i] = d ? k % d : 0;
		k = d ? k / d : 0;
	}
}

gr_status gr_fold_map(gr_infer *ctx, gr_tensor *out, const vals *v, const int64_t *idx,
		      int64_t m)
{
	if (!out || m > GR_FOLD_MAX || m < 0)
		return GR_OK;
	if (gr_dtype_is_float(out->dtype) || (!v->i && out->dtype == GR_DTYPE_UNDEFINED)) {
		double *buf;
		if (!(buf = gr_tensor_new_f64(out->owner, out, m)))
			return gr_error_set(ctx->err, GR_ERR_NOMEM, "out of memory");
		for (int64_t k = 0; k < m; k++)
			buf[k] = vals_f(v, idx ? idx[k] : k);
	} else {
		int64_t *buf;
		if (!(buf = gr_tensor_new_i64(out->owner, out, m)))
			return gr_error_set(ctx->err, GR_ERR_NOMEM, "out of memory");
		for (int64_t k = 0; k < m; k++)
			buf[k] = vals_i(v, idx ? idx[k] : k);
	}
	return GR_OK;
}

gr_status gr_fold_copy(gr_infer *ctx, gr_tensor *out, const gr_tensor *in)
{
	vals v;
	int64_t m;

	if (!out || !vals_get(in, &v) || v.n > GR_FOLD_MAX)
		return GR_OK;
	m = gr_numel(out);
	if (m != v.n)
		return GR_OK;
	/* in's own values, as gr_fold_map would copy them (no conversion): passed on */
	if (v.i && !gr_dtype_is_float(out->dtype)) {
		gr_tensor_share_i64(out, v.i, m);
		return GR_OK;
	}
	if (v.f && (gr_dtype_is_float(out->dtype) || out->dtype == GR_DTYPE_UNDEFINED)) {
		gr_tensor_share_f64(out, v.f, m);
		return GR_OK;
	}
	return gr_fold_map(ctx, out, &v, NULL, m);
}

void gr_axis_map_identity(gr_axis_map *m, int r)
{
	memset(m, 0, sizeof(*m));
	for (int i = 0; i < r; i++) {
		m->out_axis[i] = i;
		m->step[i] = 1;
	}
}

gr_status gr_fold_axes(gr_infer *ctx, const gr_tensor *x, gr_tensor *y, const gr_axis_map *m)
{
	int64_t str[GR_MAX_RANK], c[GR_MAX_RANK], ne, *idx;
	gr_status st;
	vals v;

	if (!y || !vals_get(x, &v) || !gr_shape_known(x) || !gr_shape_known(y))
		return GR_OK;
	ne = gr_numel(y);
	if (ne < 0 || ne > GR_FOLD_MAX)
		return GR_OK;
	idx = malloc((size_t)(ne ? ne : 1) * sizeof(*idx));
	if (!idx)
		return gr_error_set(ctx->err, GR_ERR_NOMEM, "out of memory");
	gr_strides(x, str);
	for (int i = 0; i < y->rank; i++)
		c[i] = 0;
	for (int64_t k = 0; k < ne; k++) {
		int64_t src = 0;
		for (int i = 0; i < x->rank; i++) {
			int64_t at = m->base[i] + m->step[i] * c[m->out_axis[i]];
			if (m->wrap && x->dims[i].value)
				at %= x->dims[i].value;
			src += at * str[i];
		}
		idx[k] = src;
		/* y's next index, last axis fastest: gr_unflatten(y, k + 1, c) without its
		 * division per axis per element (Expand and Tile fold thousands of them) */
		for (int i = y->rank - 1; i >= 0 && ++c[i] == y->dims[i].value; i--)
			c[i] = 0;
	}
	st = gr_fold_map(ctx, y, &v, idx, ne);
	free(idx);
	return st;
}
