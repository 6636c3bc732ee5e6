/* Ops that move elements to new places: Transpose, Expand, Tile, DepthToSpace and
 * SpaceToDepth. Transpose, Expand and Tile fold small known values through an axis map.
 * Costs: no FLOPs; the input is read and the output written. */
#include "values.h"

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
	gr_axis_map m;

	if (!x)
		return gr_node_error(ctx, n, "missing input 'data'");
	perm = gr_attr_ints(n, "perm", &np);
	if (x->rank < 0)
		return perm ? gr_set_rank_only(ctx, y, x->dtype, (int64_t)np) : gr_set_unknown(ctx, y, x->dtype);
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
	gr_axis_map_identity(&m, r);
	for (int i = 0; i < r; i++)
		m.out_axis[p[i]] = i; /* output axis i reads input axis p[i] */
	return gr_fold_axes(ctx, x, y, &m);
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
	gr_axis_map m;

	if (!x || !shp)
		return gr_node_error(ctx, n, "missing input");
	tv = gr_ints_input(ctx, shp, &tn, &ok);
	if (x->rank < 0)
		return gr_set_unknown(ctx, y, x->dtype);
	if (!ok) {
		int64_t L = shp->rank == 1 ? shp->dims[0].value : -1;
		if (L < 0)
			return gr_set_unknown(ctx, y, x->dtype);
		r = (int)(L > x->rank ? L : x->rank);
		if (r > GR_MAX_RANK)
			return gr_node_error(ctx, n, "rank %d exceeds the limit", r);
		for (int k = 0; k < r; k++) {
			int j = k - (r - x->rank);
			/* A known input dim > 1 survives whatever the (1 or equal) target says. */
			out[k] = j >= 0 && x->dims[j].value > 1 ? x->dims[j] : gr_dim_unknown();
		}
		return gr_set_dims(ctx, y, x->dtype, r, out);
	}
	r = (int)(tn > x->rank ? tn : x->rank);
	if (r > GR_MAX_RANK)
		return gr_node_error(ctx, n, "rank %d exceeds the limit", r);
	for (int k = 0; k < r; k++) {
		int j = k - (r - x->rank), t = k - (r - (int)tn);
		gr_dim a = j >= 0 ? x->dims[j] : gr_dim_known(1);
		int64_t bv = t >= 0 ? tv[t] : 1;
		if (bv < 0)
			return gr_node_error(ctx, n, "negative target dim %lld", (long long)bv);
		if (bv == 1)
			out[k] = a;
		else if (a.value == 1 || a.value == bv)
			out[k] = gr_dim_known(bv);
		else if (a.value < 0)
			out[k] = gr_dim_known(bv); /* the unknown dim must be 1 or bv: either way bv */
		else
			return gr_node_error(ctx, n, "cannot expand dim %lld to %lld",
					     (long long)a.value, (long long)bv);
	}
	if ((st = gr_set_dims(ctx, y, x->dtype, r, out)))
		return st;
	/* input axis i is output axis i + r - rank(x); a dim of 1 is broadcast */
	gr_axis_map_identity(&m, x->rank);
	for (int i = 0; i < x->rank; i++) {
		m.out_axis[i] = i + r - x->rank;
		m.step[i] = x->dims[i].value != 1;
	}
	return gr_fold_axes(ctx, x, y, &m);
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
	gr_axis_map m;

	if (!x || !rep)
		return gr_node_error(ctx, n, "missing input");
	rv = gr_ints_input(ctx, rep, &rn, &ok);
	if (x->rank < 0)
		return gr_set_unknown(ctx, y, x->dtype);
	r = x->rank;
	if (!ok)
		return gr_set_rank_only(ctx, y, x->dtype, r);
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
			out[k] = gr_dim_known(tiled);
		} else {
			out[k] = rv[k] == 0 ? gr_dim_known(0) : gr_dim_unknown();
		}
	}
	if ((st = gr_set_dims(ctx, y, x->dtype, r, out)))
		return st;
	gr_axis_map_identity(&m, r);
	m.wrap = 1; /* output coordinate c reads input coordinate c mod dim */
	return gr_fold_axes(ctx, x, y, &m);
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
		return gr_set_rank_only(ctx, y, x->dtype, 4);
	if (x->rank != 4)
		return gr_node_error(ctx, n, "input must have rank 4, has %d", x->rank);
	out[0] = x->dims[0];
	if (n->op == GR_OP_DEPTH_TO_SPACE) {
		int64_t c = x->dims[1].value;
		if (c >= 0 && c % bb)
			return gr_node_error(ctx, n, "channels %lld not divisible by %lld", (long long)c,
					     (long long)bb);
		out[1] = c >= 0 ? gr_dim_known(c / bb) : gr_dim_unknown();
		for (int i = 2; i < 4; i++) {
			int64_t v;
			if (x->dims[i].value >= 0 && !gr_mul_i64(x->dims[i].value, b, &v))
				return gr_node_error(ctx, n, "blocksize overflows dim %d", i);
			out[i] = x->dims[i].value >= 0 ? gr_dim_known(v) : gr_dim_unknown();
		}
	} else {
		int64_t v;
		if (x->dims[1].value >= 0 && !gr_mul_i64(x->dims[1].value, bb, &v))
			return gr_node_error(ctx, n, "blocksize overflows the channels");
		out[1] = x->dims[1].value >= 0 ? gr_dim_known(v) : gr_dim_unknown();
		for (int i = 2; i < 4; i++) {
			int64_t d = x->dims[i].value;
			if (d >= 0 && d % b)
				return gr_node_error(ctx, n, "dim %d (%lld) not divisible by %lld", i,
						     (long long)d, (long long)b);
			out[i] = d >= 0 ? gr_dim_known(d / b) : gr_dim_unknown();
		}
	}
	return gr_set_dims(ctx, y, x->dtype, 4, out);
}
