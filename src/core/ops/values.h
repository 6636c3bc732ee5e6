/* Known values of tensors and the folds that compute an output's values from an input's,
 * shared by the ops that fold small constants (reshape.c, rearrange.c, concat_split.c,
 * slice_pad.c, generators.c, gather.c). */
#ifndef GRAPHS_OPS_VALUES_H
#define GRAPHS_OPS_VALUES_H

#include <math.h>
#include <string.h>

#include "ops_impl.h"

/* Known values of a tensor: a view where exactly one of i/f is set, unless n == 0. */
typedef struct vals {
	const int64_t *i;
	const double *f;
	int64_t n;
} vals;

/* 1 when t carries values covering its whole (known or unknown) shape. */
static inline int vals_get(const gr_tensor *t, vals *v)
{
	memset(v, 0, sizeof(*v));
	if (!t || !t->has_value)
		return 0;
	if (gr_shape_known(t) && gr_numel(t) != t->nval)
		return 0; /* including a shape whose dims overflow */
	if (t->nval > 0 && !t->ival && !t->fval)
		return 0;
	v->i = t->ival;
	v->f = t->ival ? NULL : t->fval;
	v->n = t->nval;
	return 1;
}

static inline int64_t vals_i(const vals *v, int64_t k)
{
	if (v->i)
		return v->i[k];
	return isfinite(v->f[k]) && fabs(v->f[k]) < 9.2e18 ? (int64_t)v->f[k] : 0;
}

static inline double vals_f(const vals *v, int64_t k)
{
	return v->i ? (double)v->i[k] : v->f[k];
}

/* Like vals_get, for folds that also need the tensor's shape to be known. */
static inline int vals_get_shaped(const gr_tensor *t, vals *v)
{
	memset(v, 0, sizeof(*v));
	return gr_shape_known(t) && vals_get(t, v);
}

/* Integer values of an input that holds an index list (axes, pads, shape). *ok = 0 when
 * unknown; an empty known tensor gives ok = 1, count 0. */
const int64_t *gr_ints_input(gr_infer *ctx, const gr_tensor *t, int64_t *count, int *ok);

/* Row-major strides of t's (known) dims; they saturate rather than wrap (a huge dim only
 * survives the overflow checks in an empty tensor, whose strides are never followed). */
void gr_strides(const gr_tensor *t, int64_t *s);
/* Coordinates c of flat index k in t's (known) dims. */
void gr_unflatten(const gr_tensor *t, int64_t k, int64_t *c);

/* Output element k takes input value idx[k] (idx NULL: the identity), m elements, stored
 * by out's dtype. Does nothing above GR_FOLD_MAX elements. */
gr_status gr_fold_map(gr_infer *ctx, gr_tensor *out, const vals *v, const int64_t *idx,
		      int64_t m);
/* Copies in's values to out when the element counts agree (views: Reshape, Squeeze, ...). */
gr_status gr_fold_copy(gr_infer *ctx, gr_tensor *out, const gr_tensor *in);

/* How the ops that only move elements (Transpose, Expand, Tile, Slice, Split) address their
 * input: input axis i reads coordinate base[i] + step[i] x c[out_axis[i]] of output
 * coordinates c, taken modulo the input dim when wrap is set (Tile). A broadcast axis has
 * step 0. */
typedef struct gr_axis_map {
	int out_axis[GR_MAX_RANK];
	int64_t base[GR_MAX_RANK], step[GR_MAX_RANK];
	int wrap;
} gr_axis_map;

/* The identity map over rank r (each input axis read from the same output axis). */
void gr_axis_map_identity(gr_axis_map *m, int r);
/* Folds y's values from x's through the map, when x's values are known and both shapes are
 * known (and y small enough). */
gr_status gr_fold_axes(gr_infer *ctx, const gr_tensor *x, gr_tensor *y, const gr_axis_map *m);

#endif
