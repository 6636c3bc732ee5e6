/* A read-only view of a tensor's known values, shared by the ops that fold them
 * (shape_ops.c, gather.c). */
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

#endif
